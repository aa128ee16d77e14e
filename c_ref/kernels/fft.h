/*
 * fft / ifft - reference C of the complex radix-4 FFT (fxsim/kernels/fft.py): plain, one frame at
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
 * Algorithm (F = word - 1 fraction bits, G = word - 3 guard bits, FS = 2^(w-1) - 1): the frame
 * in bit-reversed order, a radix-2 stage of span 1 first when log2 n is odd (a +- b, twiddle 1),
 * then radix-4 DIT stages of spans h = 1 or 2, then 4h, ...: for k < h and each group of 4h,
 * (a, b, c, d) at k + (0, h, 2h, 3h), W = exp(-+2 pi i / 4h):
 *   B = W^2k b, C = W^k c, D = W^3k d, each component exact then floored to F + G fraction bits
 *   (k = 0: exact, b 2^G); a 2^G + B +- (C + D), a 2^G - B -+ i (C - D) exact (upper signs
 *   forward, outputs to k + 0, 2h, h, 3h); out = fit(round(y / 2^(G + s))), the rounding
 *   ref_fft_round_out's: to nearest with ties up for "nearest" and "convergent" (a tie needs
 *   G - 1 zero bits: the tie rule moves no statistic), ceil, floor, zero.
 * The shift s: mode 0 ("stage") 1 per radix-2 level (radix 4: 2), mode 2 ("none") 0, mode 1
 * (block floating point) the smallest s of 0 .. 3 for which the stage cannot overflow, from the
 * frame's peaks m (largest component) and M2 (the largest squared magnitude's top half, >> 16,
 * units of 2^(2r), r = word - 16, components rounded up to multiples of 2^r first):
 *   first stage (twiddles 1): radix m <= FS 2^s;
 *   radix 4: q + (q >> 13) + 1 <= A^2, q = 16 (2^16 M2 + 2^16 - 1), A = (FS 2^s - 1) >> r
 *   (|a| + 3 |W| M <= 4 |W| M <= FS 2^s - 1, with |W| <= 1 + 2^-15).
 * Before the first stage the frame is normalised: shifted left by the largest sh >= 0 with
 * radix m 2^sh <= FS (0 if there is none), so that the first stage need not shift. The frame's
 * exponent is the shifts minus the normalising shift (plus the input frame's exponent).
 */
#ifndef FXSIM_REF_FFT_H
#define FXSIM_REF_FFT_H

#include <stdint.h>

#define REF_FFT_MAX_N 4096
#define REF_FFT_MAX_FRAMES 64
#define REF_FFT_ROT_SQ 16          /* 16 (1 + 2^-15)^2 S <= q + (q >> 13) + 1, q = 16 S */
#define REF_FFT_ROT_SQ_SHIFT 13

typedef struct {
    const int32_t *tw;  /* 3n/4 twiddles exp(-2 pi i k / n), interleaved re, im, Q(word - 1) */
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
int64_t ref_fft_round_out(int64_t y, int sh, int rounding);
int ref_fft_transform(const int32_t *tw, int stride, int n, int inverse, int mode, int word,
                      int rounding, int overflow, int64_t *w, uint32_t *sat);

#endif
