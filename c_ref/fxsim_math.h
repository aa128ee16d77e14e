/*
 * fxsim_math.h - integer math of fxsim: the C twin of fxsim/fxmath.py, bit for bit.
 *
 * fxm_<name> here is <name> in fxsim/fxmath.py (its scalar cores); the Python functions add the
 * format bookkeeping (which integer / fraction bits each output has) and document it. All
 * arithmetic goes through fxsim_prim.h; tables and constants come from fxsim_tables.h, generated
 * from fxsim/tables.py. Results are rounded to nearest (ties away from zero) once and saturated.
 *
 * Widths: "out_bits" is the signed width the result saturates to (an unsigned output of w bits
 * uses w + 1); "value_bits" is the input's magnitude bits (word - 1 signed, word unsigned), <= 31.
 *
 * Edge cases (as in Python): sqrt of x <= 0 is 0; log of x <= 0 is the output minimum; pow2 and
 * db_to_lin saturate to the output maximum and round tiny values to 0; reciprocal of 0 is the
 * maximum; division by 0 is the maximum (num >= 0) or the minimum.
 */
#ifndef FXSIM_MATH_H
#define FXSIM_MATH_H

#include <stdint.h>

enum { FXM_NEWTON = 0, FXM_BISECTION = 1 };
enum { FXM_LOG2 = 0, FXM_LOG10 = 1, FXM_DB = 2 };

/* The table's piecewise cubic at f40 / 2^40 (0 <= f40 < 2^40), in Q40. */
int64_t fxm_poly_q40(const int64_t *table, int64_t f40);
/* a * k / 2^shift rounded, within 1 unit; |a| < 2^41, |k| < 2^41.7, shift >= 21. */
int64_t fxm_mul_k(int64_t a, int64_t k, int shift);

/* floor(sqrt(n)) of int64 n >= 0 (0 for n < 0): digit by digit, and by Newton iteration. */
int64_t fxm_isqrt_bisection(int64_t n);
int64_t fxm_isqrt_newton(int64_t n);
/* sqrt(n) rounded to nearest (n >= 0); method FXM_NEWTON or FXM_BISECTION. */
int64_t fxm_sqrt_rounded(int64_t n, int method);
/* round(sqrt(x * 2^k)) saturated to out_bits; x <= 0 gives 0; x * 2^k < 2^62. */
int64_t fxm_sqrt_q(int64_t x, int k, int out_bits, int method);

/* fxm_sqrt_q(x, 15, 16, FXM_NEWTON): the Q15 square root, correctly rounded, in 32-bit words. */
int32_t fxm_sqrt_q15(int16_t x);
/* floor(sqrt(x)) of unsigned 32-bit x, and of non-negative int64 x (negative gives 0). */
uint32_t fxm_isqrt32(uint32_t x);
int64_t fxm_isqrt64(int64_t x);

/* log_base(x / 2^in_frac) in Q(out_frac) saturated to out_bits; base FXM_LOG2 / FXM_LOG10 /
 * FXM_DB (10 log10); x <= 0 gives the output minimum. */
int64_t fxm_log_q(int64_t x, int value_bits, int in_frac, int base, int out_frac, int out_bits);

/* 2^(ipart + f40 / 2^40) in Q(out_frac) saturated to out_bits (<= 33), out_frac <= 40. */
int64_t fxm_pow2_split(int64_t ipart, int64_t f40, int out_frac, int out_bits);
/* 2^(x / 2^in_frac) in Q(out_frac), in_frac <= 32. */
int64_t fxm_pow2_q(int64_t x, int in_frac, int out_frac, int out_bits);
/* 10^(v / 20), v = x / 2^in_frac dB (in_frac <= 31, clamped to +-1023 dB), in Q(out_frac). */
int64_t fxm_db_to_lin_q(int64_t x, int in_frac, int out_frac, int out_bits);

/* round(2^(2 word_bits - 2) / x) saturated to 2 word_bits; x = 0 gives the maximum. */
int64_t fxm_reciprocal_q(int64_t x, int word_bits);
/* (num * 2^shift) / den rounded by mode, saturated to out_bits; den = 0: max or min. */
int64_t fxm_div_q(int64_t num, int64_t den, int shift, int out_bits, int mode);

#endif /* FXSIM_MATH_H */
