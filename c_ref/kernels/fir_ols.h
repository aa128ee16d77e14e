/*
 * fir, method = "overlap-save" - reference C of the fast convolution (fxsim/kernels/fastconv.py)
 * on the real FFT of c_ref/kernels/rfft.c; the generated C (templates/c99/fir_ols.c.j2) must
 * equal it bit for bit.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_fir_ols_init(k, tw, h, n, taps, word, const_exp, out_bits, rounding, overflow)
 *   int ref_fir_ols_process(k, const int32_t *x, int n, int32_t *y): outputs come block by block
 *                       (n - taps + 1 at a time); returns how many this call wrote.
 *
 * Scaling: a block of n inputs (taps - 1 old, n - taps + 1 new) -> real FFT, block floating point
 * (exponent e_x) -> times the taps' spectrum h (Q(word - 1), exact 64-bit products) -> shifted
 * right by the fewest bits s_y that make every rounded product fit the word -> inverse real FFT,
 * block floating point (e_i) -> the last n - taps + 1 words shifted right by
 * -(e_x + s_y + e_i + const_exp), rounded, fitted to out_bits.
 */
#ifndef FXSIM_REF_FIR_OLS_H
#define FXSIM_REF_FIR_OLS_H

#include <stdint.h>

#include "rfft.h"

typedef struct {
    ref_rfft fwd, inv;
    const int32_t *h;   /* n/2 + 1 bins of the taps' spectrum, interleaved */
    int n, taps, word, const_exp, out_bits, rounding, overflow;
    int64_t buf[REF_FFT_MAX_N];
    int fill;
    uint32_t saturations;   /* its own; the FFTs' are in fwd / inv */
} ref_fir_ols;

int ref_fir_ols_init(ref_fir_ols *k, const int32_t *tw, const int32_t *h, int n, int taps,
                     int word, int const_exp, int out_bits, int rounding, int overflow);
int ref_fir_ols_process(ref_fir_ols *k, const int32_t *x, int n, int32_t *y);

#endif
