/*
 * rfft / irfft - reference C of the real FFT (fxsim/kernels/fft.py): an n/2-point complex FFT
 * (ref_fft_transform, c_ref/kernels/fft.c, on the n-point twiddle table with stride 2) and a
 * split step (rfft) or merge step (irfft); the generated C (templates/c99/rfft.c.j2) must equal
 * it bit for bit.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_rfft_init(k, tw, n, inverse, mode, word, rounding, overflow)
 *   int ref_rfft_process(k, const int32_t *x, int n, int32_t *y): rfft: n real samples in, frames
 *                        of n/2 + 1 bins (interleaved re, im) out; irfft: bins in (n/2 + 1 per
 *                        frame), n real samples per frame out. Returns the output samples; the
 *                        frames' exponents are in k->exp, the input frames' in k->in_exp.
 *
 * Scaling of the split / merge step (F = word - 1, G = word - 3): twice the even part E2 and the
 * rotated odd part t = W (p), each product floored to F + G fraction bits (a shift where
 * W = +-1), give
 * out = round((E2 2^G + t) / 2^(G + 1 + s)) (ref_fft_round_out), fitted to the word,
 * s = 1 ("stage"), 0 ("none") or,
 * under block floating point, 0 / 1 / 2 as the frame's largest component m allows: m <= T1 = (FS - 1)
 * 10000 / 24143, m <= T2 = (2 FS - 2) 10000 / 24143, or above (growth at most 1 + sqrt 2).
 * The split's bin n/2 - k, 0 < k < n/4, comes from bin k's rotation: (E2 - t)* with E2 and t of
 * bin k, conjugated before the rounding.
 */
#ifndef FXSIM_REF_RFFT_H
#define FXSIM_REF_RFFT_H

#include <stdint.h>

#include "fft.h"

typedef struct {
    const int32_t *tw;  /* 3n/4 twiddles exp(-2 pi i k / n), interleaved, Q(word - 1) */
    int n, inverse, mode, word, rounding, overflow;
    int64_t frame[REF_FFT_MAX_N + 2];   /* rfft: n real samples; irfft: n/2 + 1 bins */
    int fill;
    int frames;
    int exp[REF_FFT_MAX_FRAMES];
    int in_exp[REF_FFT_MAX_FRAMES];
    uint32_t saturations;
} ref_rfft;

/* Returns 0, or -1 when n is not a power of two from 16 to REF_FFT_MAX_N. */
int ref_rfft_init(ref_rfft *k, const int32_t *tw, int n, int inverse, int mode, int word,
                  int rounding, int overflow);
int ref_rfft_process(ref_rfft *k, const int32_t *x, int n, int32_t *y);

/* One frame (the STFT uses these): n real words -> n/2 + 1 bins in y, or n/2 + 1 bins -> n real
 * words in y; saturations go to k->saturations; returns the frame's exponent. */
int ref_rfft_forward(ref_rfft *k, const int64_t *frame, int32_t *y);
int ref_rfft_inverse(ref_rfft *k, const int64_t *bins, int32_t *y);

#endif
