/*
 * gain - reference C of y[n] = g x[n] (fxsim/kernels/gain.py).
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_<kernel>_init(k, coefficients or table [and its shape and structure], shifts, out_bits
 *                     [, acc_bits], rounding, overflow [, exact])
 *   int ref_<kernel>_process(k, const int32_t *x, int n, int32_t *y): n inputs from x, returns the
 *                     number of outputs written to y.
 * Here: ref_gain_init(k, g, shift, out_bits, rounding, overflow).
 *
 * Scaling: x has f_x fraction bits, g is an integer coefficient with f_g fraction bits; the product
 * is exact in 64 bits (f_x + f_g fraction bits), shifted right by shift = f_x + f_g - f_y with the
 * given rounding, then saturated or wrapped to out_bits.
 */
#ifndef FXSIM_REF_GAIN_H
#define FXSIM_REF_GAIN_H

#include <stdint.h>

typedef struct {
    int32_t g;          /* coefficient */
    int shift;          /* right shift of the product */
    int out_bits;       /* output word */
    int rounding;       /* FX_FLOOR ... FX_CONVERGENT */
    int overflow;       /* FX_SATURATE or FX_WRAP */
    uint32_t saturations;
} ref_gain;

void ref_gain_init(ref_gain *k, int32_t g, int shift, int out_bits, int rounding, int overflow);
/* Processes n inputs; returns n, the number of outputs written to y. y may equal x. */
int ref_gain_process(ref_gain *k, const int32_t *x, int n, int32_t *y);

#endif
