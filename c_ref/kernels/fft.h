/*
 * fft / ifft - reference C of the complex radix-2 FFT (fxsim/kernels/fft.py): plain, one frame at
 * a time, int64 arithmetic for 16- and 32-bit words alike; the generated C
 * (templates/c99/fft.c.j2) must equal it bit for bit.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_fft_init(k, tw, n, inverse, mode, word, in_complex, rounding, overflow)
 *   int ref_fft_process(k, const int32_t *x, int n, int32_t *y): n input samples (interleaved
 *                       re, im when in_complex), returns the output samples (whole frames of
 *                       the FFT size, interleaved re, im); the block exponent of each frame it
 *                       completed is in k->exp[0 .. k->frames - 1], the input frames' exponents
 *                       (an input with block exponents) are taken from k->in_exp.
 *
 * Scaling (F = word - 1 fraction bits, G = word - 2 guard bits): per butterfly and component,
 *   t = round((W b) / 2^(F - G)), the complex product exact;  A = a 2^G +- t, exact;
 *   out = fit(round(A / 2^(G + s))), s = 1 when the stage halves: every stage (mode 0, DFT / n),
 *   none (mode 2, saturating), or (mode 1, block floating point) after normalising the frame
 *   (its largest component m at most (FS - 1) / 2), s = 0, 1 or 2 as m <= T1, m <= T2 or above,
 *   where FS = 2^(w-1) - 1, T1 = (FS - 1) 10000 / 24143, T2 = (2 FS - 2) 10000 / 24143, and in
 *   the first two stages (twiddles 1 and -i) T1 = (FS - 1) / 2, T2 = FS - 1.
 * The frame's exponent is the number of halving stages minus the normalising shift (plus the
 * input frame's exponent).
 */
#ifndef FXSIM_REF_FFT_H
#define FXSIM_REF_FFT_H

#include <stdint.h>

#define REF_FFT_MAX_N 4096
#define REF_FFT_MAX_FRAMES 64

typedef struct {
    const int32_t *tw;  /* n/2 twiddles exp(-2 pi i k / n), interleaved re, im, Q(word - 1) */
    int n, inverse, mode, word, in_complex, rounding, overflow;
    int64_t frame[2 * REF_FFT_MAX_N];   /* the frame being filled, natural order */
    int fill;
    int frames;                         /* frames completed by the last call */
    int exp[REF_FFT_MAX_FRAMES];        /* their block exponents */
    int in_exp[REF_FFT_MAX_FRAMES];     /* the input frames' block exponents (0 if none) */
    uint32_t saturations;
} ref_fft;

/* Returns 0, or -1 when n is not a power of two from 16 to REF_FFT_MAX_N. */
int ref_fft_init(ref_fft *k, const int32_t *tw, int n, int inverse, int mode, int word,
                 int in_complex, int rounding, int overflow);
/* At most REF_FFT_MAX_FRAMES frames may complete in one call. */
int ref_fft_process(ref_fft *k, const int32_t *x, int n, int32_t *y);

/* The transform of one frame of n complex samples, natural order, in place (the real FFT uses it
 * with the table of a 2n-point transform: stride 2); adds saturations to *sat and returns the
 * frame's exponent. */
int ref_fft_transform(const int32_t *tw, int stride, int n, int inverse, int mode, int word,
                      int rounding, int overflow, int64_t *w, uint32_t *sat);

#endif
