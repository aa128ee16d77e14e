/*
 * stft / istft - reference C of the short-time Fourier transform and its overlap-add inverse
 * (fxsim/kernels/stft.py), on the real FFT of c_ref/kernels/rfft.c; the generated C
 * (templates/c99/stft.c.j2) must equal it bit for bit.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_stft_init(k, tw, win, n, hop, inverse, mode, word, static_exp, out_frac, out_bits,
 *                 rounding, overflow)
 *   int ref_stft_process(k, const int32_t *x, int n, int32_t *y): stft: real samples in, frames
 *                 of n/2 + 1 bins out (one every hop inputs once n have arrived); istft: bins in,
 *                 hop real samples per frame out. Returns the output samples; exponents in k->exp
 *                 (stft), input frames' exponents from k->in_exp (istft).
 *
 * Scaling: stft: x w_a exact, rounded to the word (F = word - 1 fraction bits), then the real FFT.
 * istft: the inverse real FFT gives words y with exponent E (frame exponent + static_exp); each
 * y w_s (exact) is rounded into an accumulator with out_frac + 16 fraction bits (right shift
 * 2F - E - out_frac - 16); hop accumulator words per frame are rounded to out_frac fraction bits
 * and fitted to out_bits.
 */
#ifndef FXSIM_REF_STFT_H
#define FXSIM_REF_STFT_H

#include <stdint.h>

#include "rfft.h"

#define REF_STFT_GUARD 16

typedef struct {
    ref_rfft fft;
    const int32_t *win;
    int n, hop, inverse, word, static_exp, out_frac, out_bits, rounding, overflow;
    int64_t buf[REF_FFT_MAX_N + 2];     /* stft: the last n inputs; istft: a frame's bins */
    int64_t acc[REF_FFT_MAX_N];         /* istft: overlap-add */
    int fill;
    int frames;
    int exp[REF_FFT_MAX_FRAMES];
    int in_exp[REF_FFT_MAX_FRAMES];
    uint32_t saturations;               /* its own; the FFT's are in fft.saturations */
} ref_stft;

int ref_stft_init(ref_stft *k, const int32_t *tw, const int32_t *win, int n, int hop, int inverse,
                  int mode, int word, int static_exp, int out_frac, int out_bits, int rounding,
                  int overflow);
int ref_stft_process(ref_stft *k, const int32_t *x, int n, int32_t *y);

#endif
