/*
 * preemph / deemph - reference C (fxsim/kernels/emphasis.py).
 *   preemph: y[n] = x[n] - c x[n-1]      deemph: y[n] = x[n] + c y[n-1]
 *
 * Scaling: c is a signed integer coefficient with f_c fraction bits (-coef for preemph, +coef for
 * deemph). The accumulator (64-bit, exact) holds x[n] << x_align plus c times the memory term
 * (x[n-1] for preemph, y[n-1] for deemph); it is shifted right by c_shift with the given rounding
 * and saturated or wrapped to out_bits.
 */
#ifndef FXSIM_REF_EMPHASIS_H
#define FXSIM_REF_EMPHASIS_H

#include <stdint.h>

typedef struct {
    int32_t c;          /* signed: -coef (preemph) or +coef (deemph) */
    int x_align, c_shift, recursive, out_bits, rounding, overflow;
    int64_t mem;        /* x[n-1] (preemph) or y[n-1] (deemph) */
    uint32_t saturations;
} ref_emphasis;

void ref_emphasis_init(ref_emphasis *k, int32_t c, int x_align, int c_shift, int recursive,
                       int out_bits, int rounding, int overflow);
void ref_emphasis_process(ref_emphasis *k, const int32_t *x, int32_t *y, int n);

#endif
