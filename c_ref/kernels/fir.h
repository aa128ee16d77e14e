/*
 * fir - reference C of the FIR family (fxsim/kernels/fir.py): fir, decimate, interpolate.
 * Plain and sample by sample; the generated C (templates/c99/fir.c.j2) must equal it bit for bit.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_<kernel>_init(k, coefficients or table [and its shape and structure], shifts, out_bits
 *                     [, acc_bits], rounding, overflow [, exact])
 *   int ref_<kernel>_process(k, const int32_t *x, int n, int32_t *y): n inputs from x, returns the
 *                     number of outputs written to y.
 * Here: ref_fir_init(k, h, rows, q, step, shift, out_bits, acc_bits, rounding, overflow, exact,
 * pshift); the table h is followed by its shape (rows x q) and the decimation step, the
 * accumulator width by the output's, `exact` (the accumulator cannot overflow) comes after the
 * overflow mode and the product shift last.
 *
 * The filter is a table of `rows` rows of `q` integer taps, each row time-reversed (oldest sample
 * first): fir and decimate have one row (the taps reversed); interpolate by L has L rows, row p
 * holding the polyphase branch h[p], h[p + L], ... reversed and zero-padded at the front.
 * Every input enters a window of the last q inputs; when the input's phase (count mod `step`) is
 * 0, each row gives one output: step = M for decimate by M (the first input is kept), 1 otherwise.
 *
 * Scaling: x has f_x fraction bits, taps f_c; products x h are exact in 64 bits (f_x + f_c
 * fraction bits), then shifted right by pshift (floor; 0: exact); the acc_bits-wide accumulator
 * starts at 0 and adds them oldest sample first, saturating or wrapping at every addition
 * (fx_add of fx_mul_round, floor) - or, when `exact` (the caller has proved
 * that no partial sum can overflow), with plain multiply-adds (fx_mac_shr), the same bits.
 * Output: acc shifted right by `shift` with `rounding`, then saturated or wrapped to out_bits.
 */
#ifndef FXSIM_REF_FIR_H
#define FXSIM_REF_FIR_H

#include <stdint.h>

#define REF_FIR_MAX_Q 1024

typedef struct {
    const int32_t *h;   /* rows x q time-reversed taps */
    int rows, q;
    int step;           /* keep one output position in `step` (decimation factor) */
    int shift;          /* right shift of the accumulator to the output */
    int out_bits;       /* output word */
    int acc_bits;       /* 32, 40 or 64 */
    int rounding;       /* FX_FLOOR ... FX_CONVERGENT */
    int overflow;       /* FX_SATURATE or FX_WRAP, for the accumulator and the output */
    int exact;          /* accumulator proved not to overflow */
    int pshift;         /* products shifted right (floor) by this before they are added */
    int32_t window[REF_FIR_MAX_Q];  /* the last q inputs, oldest first */
    int phase;          /* inputs since the last kept position, mod step */
    uint32_t saturations;
} ref_fir;

/* Returns 0, or -1 when q is larger than REF_FIR_MAX_Q. */
int ref_fir_init(ref_fir *k, const int32_t *h, int rows, int q, int step, int shift, int out_bits,
                 int acc_bits, int rounding, int overflow, int exact, int pshift);
/* Processes n inputs; returns the number of outputs written to y (rows per kept input position:
 * up to rows * ceil(n / step)). */
int ref_fir_process(ref_fir *k, const int32_t *x, int n, int32_t *y);

#endif
