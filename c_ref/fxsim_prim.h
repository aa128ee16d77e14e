/*
 * fxsim_prim.h - the integer primitive layer of fxsim, in C.
 *
 * The twin of fxsim/primitives.py, function for function (fx_<name> here is <name> there), with
 * identical semantics. Every kernel, hand-written (c_ref/kernels) or generated, does its
 * fixed-point arithmetic through these functions. C99, header-only, free of undefined behaviour:
 * left shifts and sums that could overflow are done on uint64_t; right shifts of negative values
 * are arithmetic (implementation-defined in C99; true of gcc and arm-none-eabi-gcc, which fxsim
 * supports).
 *
 * Rounding modes for a right shift by s bits:
 *   FX_FLOOR towards -inf, FX_CEIL towards +inf, FX_ZERO towards zero,
 *   FX_NEAREST to nearest with ties away from zero, FX_CONVERGENT to nearest with ties to even.
 * Overflow modes: FX_SATURATE clamps, FX_WRAP wraps (two's complement).
 * Functions that may overflow add 1 to *ovf (when ovf is not NULL) each time they do.
 */
#ifndef FXSIM_PRIM_H
#define FXSIM_PRIM_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

/* The Cortex-M4's DSP extension (SMLALD & co.) is used where a primitive maps onto it exactly;
 * FXSIM_NO_DSP forces the plain-C path (both are bit-exact with the model). */
#if defined(__ARM_FEATURE_DSP) && !defined(FXSIM_NO_DSP)
#include <arm_acle.h>
#define FXSIM_USE_DSP 1
#else
#define FXSIM_USE_DSP 0
#endif

/* Generated stage functions are kept out of line: inlined into the design's process function,
 * gcc drops their restrict qualifiers and reloads the delay line after every output store (a
 * 64-tap Q15 FIR costs 40% more instructions). */
#if defined(__GNUC__)
#define FX_NOINLINE __attribute__((noinline))
#else
#define FX_NOINLINE
#endif

enum { FX_FLOOR = 0, FX_CEIL = 1, FX_ZERO = 2, FX_NEAREST = 3, FX_CONVERGENT = 4 };
enum { FX_SATURATE = 0, FX_WRAP = 1, FX_ERROR = 2 };

/* x << s for s >= 0 without the undefined behaviour of shifting a negative value. */
static inline int64_t fx_shl64(int64_t x, int s)
{
    return (int64_t)((uint64_t)x << s);
}

/* fx_shr_round for s >= 64, where 2^s and half = 2^(s-1) do not fit int64_t (and shifting by s
 * would be undefined): integers only. The floor quotient is 0 (x >= 0) or -1 (x < 0); x = 0 is
 * the only exact case. Otherwise 0 < |x| / 2^s <= 1/2, with 1/2 only for x = INT64_MIN and
 * s = 64: to nearest everything but that tie rounds to 0, and the tie -1/2 goes to -1
 * (FX_NEAREST) or to the even 0 (FX_CONVERGENT). */
static inline int64_t fx_shr_round_wide(int64_t x, int s, int mode)
{
    if (x == 0)
        return 0;
    if (mode == FX_FLOOR)
        return x < 0 ? -1 : 0;
    if (mode == FX_CEIL)
        return x > 0 ? 1 : 0;
    if (mode == FX_NEAREST && s == 64 && x == INT64_MIN)
        return -1;
    return 0; /* FX_ZERO, and FX_NEAREST / FX_CONVERGENT below 1/2 */
}

/* x / 2^s rounded by mode, exact for every x and every s >= 0; s <= 0 is an exact left shift.
 * Shifts up to 63 take the fast path: the floor quotient q plus a carry decided by the remainder
 * 0 <= r < 2^s, without branches (the same results as primitives.shr_round's comparisons):
 *   nearest     carry = (r + half - [x < 0]) >> s    (a tie goes up for x >= 0, down below)
 *   convergent  carry = (r + half - 1 + (q & 1)) >> s (a tie goes to the even quotient)
 * in unsigned arithmetic, where r + half < 2^64 even for s = 63. s >= 64 is fx_shr_round_wide. */
static inline int64_t fx_shr_round(int64_t x, int s, int mode)
{
    int64_t q;
    uint64_t r, half;
    if (s <= 0)
        return fx_shl64(x, -s);
    if (s > 63)
        return fx_shr_round_wide(x, s, mode);
    q = x >> s;
    r = (uint64_t)x & (((uint64_t)1 << s) - 1u);
    half = (uint64_t)1 << (s - 1);
    switch (mode) {
    case FX_FLOOR:
        return q;
    case FX_CEIL:
        return q + (r != 0);
    case FX_ZERO:
        return q + (r != 0 && x < 0);
    case FX_NEAREST:
        return q + (int64_t)((r + half - (uint64_t)(x < 0)) >> s);
    default: /* FX_CONVERGENT */
        return q + (int64_t)((r + half - 1u + (uint64_t)(q & 1)) >> s);
    }
}

static inline int64_t fx_max_int(int bits)
{
    return (int64_t)((((uint64_t)1) << (bits - 1)) - 1u);
}

static inline int64_t fx_min_int(int bits)
{
    return -fx_max_int(bits) - 1;
}

/* Clamp x to a bits-wide signed word. */
static inline int64_t fx_saturate(int64_t x, int bits, uint32_t *ovf)
{
    int64_t hi = fx_max_int(bits), lo = -hi - 1;
    if (x > hi) {
        if (ovf) ++*ovf;
        return hi;
    }
    if (x < lo) {
        if (ovf) ++*ovf;
        return lo;
    }
    return x;
}

/* Two's-complement wrap of x to bits signed bits. */
static inline int64_t fx_wrap(int64_t x, int bits, uint32_t *ovf)
{
    uint64_t m, u, v;
    int64_t r;
    if (bits >= 64)
        return x;
    m = ((uint64_t)1 << bits) - 1u;
    u = (uint64_t)x & m;
    v = (u & ((uint64_t)1 << (bits - 1))) ? (u | ~m) : u;   /* sign-extend */
    r = (v > (uint64_t)INT64_MAX) ? -(int64_t)(~v) - 1 : (int64_t)v;
    if (ovf && r != x) ++*ovf;
    return r;
}

static inline int64_t fx_fit(int64_t x, int bits, int overflow, uint32_t *ovf)
{
    return overflow == FX_WRAP ? fx_wrap(x, bits, ovf) : fx_saturate(x, bits, ovf);
}

static inline int64_t fx_add_wrap64(int64_t a, int64_t b)
{
    uint64_t s = (uint64_t)a + (uint64_t)b;
    return (s > (uint64_t)INT64_MAX) ? -(int64_t)(~s) - 1 : (int64_t)s;
}

static inline int64_t fx_add_sat64(int64_t a, int64_t b, uint32_t *ovf)
{
    if (b > 0 && a > INT64_MAX - b) {
        if (ovf) ++*ovf;
        return INT64_MAX;
    }
    if (b < 0 && a < INT64_MIN - b) {
        if (ovf) ++*ovf;
        return INT64_MIN;
    }
    return a + b;
}

/* a + b made to fit bits (<= 64) signed bits; a and b already fit. */
static inline int64_t fx_add(int64_t a, int64_t b, int bits, int overflow, uint32_t *ovf)
{
    if (bits < 64)
        return fx_fit(a + b, bits, overflow, ovf);
    return overflow == FX_WRAP ? fx_add_wrap64(a, b) : fx_add_sat64(a, b, ovf);
}

/* (a * b) / 2^shift rounded; operands at most 32 bits wide, so the product is exact. */
static inline int64_t fx_mul_round(int64_t a, int64_t b, int shift, int mode)
{
    return fx_shr_round(a * b, shift, mode);
}

/* acc + a * b in an acc_bits-wide accumulator that saturates or wraps. */
static inline int64_t fx_mac(int64_t acc, int64_t a, int64_t b, int acc_bits, int overflow,
                             uint32_t *ovf)
{
    return fx_add(acc, a * b, acc_bits, overflow, ovf);
}

/* acc - a * b in an acc_bits-wide accumulator that saturates or wraps. */
static inline int64_t fx_msu(int64_t acc, int64_t a, int64_t b, int acc_bits, int overflow,
                             uint32_t *ovf)
{
    return fx_add(acc, -(a * b), acc_bits, overflow, ovf);
}

/* Number of significant bits of v >= 0 (0 for 0). GCC and clang count leading zeros in one or
 * two instructions (CLZ on the M4); elsewhere, or with FXSIM_PORTABLE, an unrolled binary search. */
static inline int fx_bit_length(int64_t v)
{
#if defined(__GNUC__) && !defined(FXSIM_PORTABLE)
    return v == 0 ? 0 : 64 - __builtin_clzll((unsigned long long)v);
#else
    int n = 0;
    if (v >= (int64_t)1 << 32) { v >>= 32; n += 32; }
    if (v >= (int64_t)1 << 16) { v >>= 16; n += 16; }
    if (v >= (int64_t)1 << 8) { v >>= 8; n += 8; }
    if (v >= (int64_t)1 << 4) { v >>= 4; n += 4; }
    if (v >= (int64_t)1 << 2) { v >>= 2; n += 2; }
    if (v >= (int64_t)1 << 1) { v >>= 1; n += 1; }
    return n + (int)v;
#endif
}

/* Redundant sign bits of x as a bits-wide signed word; norm(0) = 0, norm(-1) = bits - 1. */
static inline int fx_norm(int64_t x, int bits)
{
    if (x == 0)
        return 0;
    return bits - 1 - fx_bit_length(x >= 0 ? x : ~x);
}

/* num / den rounded by mode (as fx_shr_round); den != 0 and num, den > INT64_MIN. The magnitudes
 * are divided, then the remainder decides the rounding: identical to primitives.div_round. */
static inline int64_t fx_div_round(int64_t num, int64_t den, int mode)
{
    int neg = (num < 0) != (den < 0);
    int64_t a = num < 0 ? -num : num, b = den < 0 ? -den : den;
    int64_t q = a / b, r = a - q * b;
    if (r != 0) {
        if (mode == FX_FLOOR)
            q += neg ? 1 : 0;
        else if (mode == FX_CEIL)
            q += neg ? 0 : 1;
        else if (mode == FX_NEAREST)
            q += r >= b - r ? 1 : 0;
        else if (mode == FX_CONVERGENT)
            q += (r > b - r || (r == b - r && (q & 1) == 1)) ? 1 : 0;
    }
    return neg ? -q : q;
}

/* acc + a * b with no overflow handling: only where the caller has proved every partial sum fits
 * (sum |coef| * max |x| < 2^(acc_bits - 1)), so saturation or wrapping could never act. */
static inline int64_t fx_mac_exact(int64_t acc, int64_t a, int64_t b)
{
    return acc + a * b;
}

/* acc + a * b in 32 bits, where the caller has proved every partial sum fits int32_t. */
static inline int32_t fx_mac_exact32(int32_t acc, int32_t a, int32_t b)
{
    return acc + a * b;
}

/* x / 2^s rounded to nearest with ties towards +inf: floor(x / 2^s + 1/2), the "add half an
 * LSB, then shift" rounding of the ITU-T basic operators. Floor shift plus the first dropped
 * bit, so nothing overflows; exact for every x and s (s <= 0 is an exact left shift). */
static inline int64_t fx_shr_half_up(int64_t x, int s)
{
    if (s <= 0)
        return fx_shl64(x, -s);
    if (s >= 64)
        return 0;
    return (x >> s) + ((x >> (s - 1)) & 1);
}

/* fx_shr_round for operands with headroom, |x| <= 2^63 - 2^s and 0 <= s <= 62 (x + c cannot
 * overflow): the rounding folded into one carry-in c, (x + c) >> s (see primitives.shr_round_small, its twin); where s and mode
 * are constants, one add and one shift. The FFT butterflies' sums are this small. */
static inline int64_t fx_shr_round_small(int64_t x, int s, int mode)
{
    int64_t c;
    if (s <= 0)
        return x;
    switch (mode) {
    case FX_FLOOR:
        c = 0;
        break;
    case FX_CEIL:
        c = ((int64_t)1 << s) - 1;
        break;
    case FX_ZERO:
        c = (x >> 63) & (((int64_t)1 << s) - 1);
        break;
    case FX_NEAREST:
        c = ((int64_t)1 << (s - 1)) + (x >> 63);
        break;
    default: /* FX_CONVERGENT */
        c = ((int64_t)1 << (s - 1)) - 1 + ((x >> s) & 1);
        break;
    }
    return (x + c) >> s;
}

/* fx_shr_round_small in 32 bits, for |x| <= 2^31 - 2^s and 0 <= s <= 30 (the Q15 FFT's products
 * and sums): the same result (its twin is primitives.shr_round_small) without widening. */
static inline int32_t fx_shr_round_small32(int32_t x, int s, int mode)
{
    int32_t c;
    if (s <= 0)
        return x;
    switch (mode) {
    case FX_FLOOR:
        c = 0;
        break;
    case FX_CEIL:
        c = (int32_t)((1u << s) - 1u);
        break;
    case FX_ZERO:
        c = (x >> 31) & (int32_t)((1u << s) - 1u);
        break;
    case FX_NEAREST:
        c = (int32_t)(1u << (s - 1)) + (x >> 31);
        break;
    default: /* FX_CONVERGENT */
        c = (int32_t)(1u << (s - 1)) - 1 + ((x >> s) & 1);
        break;
    }
    return (x + c) >> s;
}

/* acc + c[0] x[0] + c[1] x[1] for 16-bit pairs, exact: the caller has proved that no partial
 * sum overflows (as for fx_mac_exact), so the order of the two adds does not matter. On the M4
 * one SMLALD does it, the pairs loaded as one (possibly unaligned) word each. */
static inline int64_t fx_mac16x2_exact(int64_t acc, const int16_t *c, const int16_t *x)
{
#if FXSIM_USE_DSP
    int32_t c2, x2;
    memcpy(&c2, c, sizeof c2);
    memcpy(&x2, x, sizeof x2);
    return __smlald(c2, x2, acc);
#else
    return acc + (int32_t)c[0] * x[0] + (int32_t)c[1] * x[1];
#endif
}

#endif /* FXSIM_PRIM_H */
