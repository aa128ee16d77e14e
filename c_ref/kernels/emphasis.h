/*
 * preemph / deemph - reference C (fxsim/kernels/emphasis.py).
 *   preemph: y[n] = x[n] - c x[n-1]      deemph: y[n] = x[n] + c y[n-1]
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_<kernel>_init(k, coefficients or table [and its shape and structure], shifts, out_bits
 *                     [, acc_bits], rounding, overflow [, exact])
 *   int ref_<kernel>_process(k, const int32_t *x, int n, int32_t *y): n inputs from x, returns the
 *                     number of outputs written to y.
 * Here: ref_emphasis_init(k, c, recursive, feedback, x_align, c_shift, out_bits, rounding,
 * overflow); `recursive` (0 preemph, 1 deemph) and `feedback` (error feedback, deemph only) are
 * the structure the coefficient applies to, so they follow c.
 *
 * Scaling: c is a signed integer coefficient with f_c fraction bits (-coef for preemph, +coef for
 * deemph). The accumulator (64-bit, exact) holds x[n] << x_align plus c times the memory term
 * (x[n-1] for preemph, y[n-1] for deemph), plus, with error feedback, the previous rounding
 * residual e[n-1] = acc[n-1] - q[n-1] 2^c_shift; q = acc shifted right by c_shift with the given
 * rounding, saturated or wrapped to out_bits.
 */
#ifndef FXSIM_REF_EMPHASIS_H
#define FXSIM_REF_EMPHASIS_H

#include <stdint.h>

typedef struct {
    int32_t c;          /* signed: -coef (preemph) or +coef (deemph) */
    int recursive, feedback, x_align, c_shift, out_bits, rounding, overflow;
    int64_t mem;        /* x[n-1] (preemph) or y[n-1] (deemph) */
    int64_t err;        /* e[n-1], the rounding residual (error feedback) */
    uint32_t saturations;
} ref_emphasis;

void ref_emphasis_init(ref_emphasis *k, int32_t c, int recursive, int feedback, int x_align,
                       int c_shift, int out_bits, int rounding, int overflow);
/* Processes n inputs; returns n, the number of outputs written to y (y must not overlap x). */
int ref_emphasis_process(ref_emphasis *k, const int32_t *x, int n, int32_t *y);

#endif
