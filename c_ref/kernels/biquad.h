/*
 * biquad - reference C (fxsim/kernels/biquad.py): a cascade of Direct Form I second-order
 * sections, run section after section over the block.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_<kernel>_init(k, coefficients or table [and its shape and structure], shifts, out_bits
 *                     [, acc_bits], rounding, overflow [, exact])
 *   int ref_<kernel>_process(k, const int32_t *x, int n, int32_t *y): n inputs from x, returns the
 *                     number of outputs written to y.
 * Here: ref_biquad_init(k, consts, nsec, pshifts, shifts, out_bits, rounding, overflow); the
 * table of constants is followed by its shape (nsec rows of 7), then the per-section shifts and
 * output words.
 *
 * Per section and sample, with integer constants (left alignment shifts of b x and a y folded
 * in, signs of the feedback terms folded in):
 *   acc = floor((B0 x[n] + B1 x[n-1] + B2 x[n-2]) / 2^pshift)    (numerator to accumulator units)
 *         + NA1 y[n-1] + NA2 y[n-2] + NK1 e[n-1] + NK2 e[n-2]
 *   q = round(acc / 2^shift)   (the design's rounding mode)
 *   e[n] = acc - q 2^shift     (rounding residual, fed back with NK1 = -k1, NK2 = -k2)
 *   y[n] = q saturated (or wrapped) to out_bits; saturations counted
 * The model chose the constants so that no partial sum can leave int64 (nor the design's
 * accumulator width), so the multiply-adds are exact (fx_mac_exact). Section k's output is
 * section k+1's input.
 */
#ifndef FXSIM_REF_BIQUAD_H
#define FXSIM_REF_BIQUAD_H

#include <stdint.h>

#define REF_BIQUAD_MAX_SECTIONS 16

typedef struct {
    int64_t c[7];       /* B0 B1 B2 NA1 NA2 NK1 NK2 */
    int pshift;         /* right shift (floor) of the numerator sum to accumulator units */
    int shift;          /* right shift of the accumulator to the output */
    int out_bits;       /* output word of the section */
    int64_t z[6];       /* x[n-1], x[n-2], y[n-1], y[n-2], e[n-1], e[n-2] */
} ref_biquad_section;

typedef struct {
    int nsec, rounding, overflow;
    ref_biquad_section sec[REF_BIQUAD_MAX_SECTIONS];
    uint32_t saturations;
} ref_biquad;

/* consts: nsec rows of 7; pshifts, shifts, out_bits: nsec entries. Returns 0, or -1 if nsec is
 * out of range. */
int ref_biquad_init(ref_biquad *k, const int64_t *consts, int nsec, const int *pshifts,
                    const int *shifts, const int *out_bits, int rounding, int overflow);
/* Processes n inputs; returns n, the number of outputs written to y. y may equal x (in place). */
int ref_biquad_process(ref_biquad *k, const int32_t *x, int n, int32_t *y);

#endif
