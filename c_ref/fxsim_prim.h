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

/* For the FIR's four-output functions, straight-code multiply-accumulate runs that need every
 * register (four 64-bit sums): gcc's scheduling before register allocation hoists all their loads
 * to the top and spills them; its SLP vectoriser merges four 16-bit output stores into two words
 * at six instructions' cost; and with the taps' table propagated into the function as constants
 * it rebuilds some by arithmetic on others, in more instructions and registers than a load. */
#if defined(__GNUC__) && !defined(__clang__)
#define FX_MAC_KERNEL __attribute__((noipa, optimize("no-schedule-insns", "no-tree-slp-vectorize")))
#else
#define FX_MAC_KERNEL
#endif

/* A helper one build path may not call (the FFT's frame power where the DSP path measures it as
 * the butterflies store their outputs). */
#if defined(__GNUC__)
#define FX_MAYBE_UNUSED __attribute__((unused))
#else
#define FX_MAYBE_UNUSED
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

/* fx_fit for a 32-bit value and bits <= 32: 32-bit compares (SSAT where the DSP extension is
 * present and the bit count is a constant), the same result and count as fx_fit. */
static inline int32_t fx_fit32(int32_t x, int bits, int overflow, uint32_t *ovf)
{
    int32_t hi, r;
    if (bits >= 32)
        return x;
    if (overflow == FX_WRAP) {
        r = (int32_t)((uint32_t)x << (32 - bits)) >> (32 - bits);
        if (ovf && r != x) ++*ovf;
        return r;
    }
#if FXSIM_USE_DSP
    if (bits == 16) {                     /* one SSAT and a compare, no branch */
        r = __ssat(x, 16);
        if (ovf) *ovf += (uint32_t)(r != x);
        return r;
    }
#endif
    hi = (int32_t)(((uint32_t)1 << (bits - 1)) - 1u);
    if (x > hi) {
        if (ovf) ++*ovf;
        return hi;
    }
    if (x < -hi - 1) {
        if (ovf) ++*ovf;
        return -hi - 1;
    }
    return x;
}

/* x << s within 32 bits, for s >= 0 and results that fit (no undefined behaviour for negative x). */
static inline int32_t fx_shl32(int32_t x, int s)
{
    return (int32_t)((uint32_t)x << s);
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

/* acc + floor(a * b / 2^n), exact under fx_mac_exact's proof: each product drops its n low bits
 * (an arithmetic shift: floor) before the add. fx_mac_shr32 is the 32-bit accumulator's form; with
 * a 32-bit a, a 16-bit b and n = 16 it is what SMLAWB / SMLAWT compute on the Cortex-M4. */
static inline int64_t fx_mac_shr(int64_t acc, int64_t a, int64_t b, int n)
{
    return acc + ((a * b) >> n);
}

static inline int32_t fx_mac_shr32(int32_t acc, int32_t a, int32_t b, int n)
{
    return acc + (int32_t)(((int64_t)a * b) >> n);
}

/* acc + a * b for 32-bit operands into a 64-bit accumulator, exact under fx_mac_exact's proof:
 * one SMLAL on the Cortex-M4 (a 64 x 64 product there costs three multiplies): fx_smlal, below. */
static inline int64_t fx_smlal(int32_t x, int32_t y, int64_t acc);
static inline int64_t fx_mac_wide(int64_t acc, int32_t a, int32_t b)
{
    return fx_smlal(a, b, acc);
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

/* The twin of primitives.round_carry: the carry c that rounds x / 2^s when added ahead of time
 * (then (x + c) >> s with fx_round_carry_mode(mode)): nearest and convergent 2^(s-1) (to
 * nearest, ties up), ceil 2^s - 1, floor and zero 0; zero keeps its own sign-dependent shift. */
static inline int64_t fx_round_carry(int mode, int s)
{
    if (s <= 0 || mode == FX_FLOOR || mode == FX_ZERO)
        return 0;
    return mode == FX_CEIL ? ((int64_t)1 << s) - 1 : (int64_t)1 << (s - 1);
}

static inline int fx_round_carry_mode(int mode)
{
    return mode == FX_ZERO ? FX_ZERO : FX_FLOOR;
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

/* The part of fx_shr_round_small(x, s, mode)'s carry that does not depend on x (an accumulator's
 * start), and the rounding finished from xc = x + fx_round_preload(s, mode): the same result for
 * every mode, on fx_shr_round_small's domain. Twins: primitives.round_preload, shr_preloaded. */
static inline int64_t fx_round_preload(int s, int mode)
{
    if (s <= 0)
        return 0;
    if (mode == FX_CEIL)
        return ((int64_t)1 << s) - 1;
    if (mode == FX_NEAREST)
        return ((int64_t)1 << (s - 1)) - 1;
    return 0;
}

static inline int64_t fx_shr_preloaded(int64_t xc, int s, int mode)
{
    if (s <= 0)
        return xc;
    if (mode == FX_NEAREST)  /* + [xc >= 0] */
        return (xc + (int64_t)(~(uint64_t)xc >> 63)) >> s;
    if (mode == FX_FLOOR || mode == FX_CEIL)
        return xc >> s;
    return fx_shr_round_small(xc, s, mode);
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

/* fx_mul_round in 32 bits, for |a b| <= 2^31 - 2^shift and 0 <= shift <= 30 (a gain's 16-bit
 * sample and coefficient): the same result (its twin is primitives.mul_round) without widening. */
static inline int32_t fx_mul_round32(int32_t a, int32_t b, int shift, int mode)
{
    return fx_shr_round_small32(a * b, shift, mode);
}

/* The pair register of p[0] (bottom half) and p[1] (top): fx_pack16x2(p[0], p[1]), as one
 * (possibly unaligned) 32-bit load on a little-endian core. */
static inline int32_t fx_load16x2(const int16_t *p)
{
    int32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* *lo = p[0], *hi = p[1]: two 32-bit words as one load, LDRD on the M4 (p word-aligned): one
 * instruction for two coefficients, into any two registers (gcc's own 64-bit loads on the M4 are
 * two LDRs, and a 64-bit value would need a register pair). The memory operand is typed 64-bit
 * so that gcc gives it only addresses LDRD can encode (an offset within +-1020, no register
 * index); Thumb-2 only (in ARM state LDRD wants an even/odd register pair). volatile: gcc would
 * otherwise hoist a loop-invariant load out of the FIR's loop over groups and spill it. */
#if FXSIM_USE_DSP && defined(__GNUC__) && defined(__thumb2__)
typedef int64_t __attribute__((may_alias)) fx_int64_alias;
#endif
static inline void fx_load32x2(const int32_t *p, int32_t *lo, int32_t *hi)
{
#if FXSIM_USE_DSP && defined(__GNUC__) && defined(__thumb2__)
    int32_t a, b;
    __asm__ volatile("ldrd %0, %1, %2" : "=r"(a), "=r"(b) : "m"(*(const fx_int64_alias *)p));
    *lo = a;
    *hi = b;
#else
    *lo = p[0];
    *hi = p[1];
#endif
}

/* p[0] = bottom half of w, p[1] = top half: the pair register stored as one (possibly
 * unaligned) 32-bit word. */
static inline void fx_store16x2(int16_t *p, int32_t w)
{
    memcpy(p, &w, sizeof w);
}

/* acc + c[0] x[0] + c[1] x[1] for 16-bit pairs, exact: the caller has proved that no partial
 * sum overflows (as for fx_mac_exact), so the order of the two adds does not matter. On the M4
 * one SMLALD does it, the pairs loaded as one (possibly unaligned) word each. */
static inline int64_t fx_smlald(int32_t x, int32_t y, int64_t acc);
static inline int64_t fx_mac16x2_exact(int64_t acc, const int16_t *c, const int16_t *x)
{
#if FXSIM_USE_DSP
    return fx_smlald(fx_load16x2(c), fx_load16x2(x), acc);
#else
    return acc + (int32_t)c[0] * x[0] + (int32_t)c[1] * x[1];
#endif
}

/* --- Cortex-M4 DSP instructions ----------------------------------------------------------------
 * Each instruction a template emits is a primitive: fx_<name> is the ACLE intrinsic (or inline
 * assembly, where arm_acle.h lacks the instruction or gcc would not emit it) under FXSIM_USE_DSP
 * and plain C otherwise, twin of <name> in fxsim/primitives.py (same arguments,
 * same result), tested bit-exact on the host and on the M4, both paths. A pair register holds two
 * int16 halves: bottom (bits 0-15) and top (16-31). 32-bit results wrap as the instructions do
 * (the hardware's Q flag is not read); the plain C wraps through uint32_t, free of undefined
 * behaviour. */
static inline int32_t fx_wrap32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

static inline int32_t fx_bottom16(int32_t w)
{
    return (int16_t)(uint16_t)((uint32_t)w & 0xFFFFu);
}

static inline int32_t fx_top16(int32_t w)
{
    return w >> 16;
}

static inline int32_t fx_pack16x2(int32_t bottom, int32_t top)
{
    return (int32_t)(((uint32_t)bottom & 0xFFFFu) | ((uint32_t)top << 16));
}

#if FXSIM_USE_DSP
#define FX_DSP2(name, intrinsic)                                                                  \
    static inline int32_t fx_##name(int32_t x, int32_t y) { return intrinsic(x, y); }
#define FX_DSP3(name, intrinsic)                                                                  \
    static inline int32_t fx_##name(int32_t x, int32_t y, int32_t acc)                            \
    { return intrinsic(x, y, acc); }
/* SMLALD, SMLALDX and SMLAL as inline assembly on the accumulator's two words: gcc keeps the ACLE
 * intrinsics' (and its own SMLAL's) 64-bit values in register pairs, and four of them spill where
 * eight single words do not. */
#define FX_DSP3L(name)                                                                            \
    static inline int64_t fx_##name(int32_t x, int32_t y, int64_t acc)                            \
    {                                                                                             \
        uint32_t lo = (uint32_t)acc, hi = (uint32_t)((uint64_t)acc >> 32);                        \
        __asm__(#name " %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(x), "r"(y));                   \
        return (int64_t)((uint64_t)hi << 32 | lo);                                                \
    }
#else
#define FX_DSP2(name, intrinsic) static inline int32_t fx_##name(int32_t x, int32_t y)            \
    { return fx_##name##_c(x, y); }
#define FX_DSP3(name, intrinsic) static inline int32_t fx_##name(int32_t x, int32_t y, int32_t acc)\
    { return fx_##name##_c(x, y, acc); }
#define FX_DSP3L(name) static inline int64_t fx_##name(int32_t x, int32_t y, int64_t acc)\
    { return fx_##name##_c(x, y, acc); }
#endif

/* the plain-C definitions (the reference semantics; the DSP path must equal them), in 32-bit
 * words where the value fits one (a 16 x 16 product, a sum of halfwords; a sum of two products
 * wraps through uint32_t as the instruction does): the builds without the DSP extension run
 * them, RV32 among them, where a 64-bit add is four instructions */
#define FX_B(w) fx_bottom16(w)
#define FX_T(w) fx_top16(w)
static inline int32_t fx_wrap32u(uint32_t v)
{
    return (int32_t)v;
}
static inline int32_t fx_smuad_c(int32_t x, int32_t y) { return fx_wrap32u((uint32_t)(FX_B(x) * FX_B(y)) + (uint32_t)(FX_T(x) * FX_T(y))); }
static inline int32_t fx_smuadx_c(int32_t x, int32_t y) { return fx_wrap32u((uint32_t)(FX_B(x) * FX_T(y)) + (uint32_t)(FX_T(x) * FX_B(y))); }
static inline int32_t fx_smusd_c(int32_t x, int32_t y) { return FX_B(x) * FX_B(y) - FX_T(x) * FX_T(y); }   /* within +-(2^31 - 2^15) */
static inline int32_t fx_smusdx_c(int32_t x, int32_t y) { return FX_B(x) * FX_T(y) - FX_T(x) * FX_B(y); }
static inline int32_t fx_smlad_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32u((uint32_t)acc + (uint32_t)(FX_B(x) * FX_B(y)) + (uint32_t)(FX_T(x) * FX_T(y))); }
static inline int32_t fx_smladx_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32u((uint32_t)acc + (uint32_t)(FX_B(x) * FX_T(y)) + (uint32_t)(FX_T(x) * FX_B(y))); }
static inline int32_t fx_smlsd_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32u((uint32_t)acc + (uint32_t)(FX_B(x) * FX_B(y) - FX_T(x) * FX_T(y))); }
static inline int32_t fx_smlsdx_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32u((uint32_t)acc + (uint32_t)(FX_B(x) * FX_T(y) - FX_T(x) * FX_B(y))); }
static inline int64_t fx_smlald_c(int32_t x, int32_t y, int64_t acc) { return (int64_t)((uint64_t)acc + (uint64_t)((int64_t)FX_B(x) * FX_B(y) + (int64_t)FX_T(x) * FX_T(y))); }
static inline int64_t fx_smlaldx_c(int32_t x, int32_t y, int64_t acc) { return (int64_t)((uint64_t)acc + (uint64_t)((int64_t)FX_B(x) * FX_T(y) + (int64_t)FX_T(x) * FX_B(y))); }
static inline int64_t fx_smlal_c(int32_t x, int32_t y, int64_t acc) { return (int64_t)((uint64_t)acc + (uint64_t)((int64_t)x * y)); }
static inline int32_t fx_smulbb_c(int32_t x, int32_t y) { return FX_B(x) * FX_B(y); }
static inline int32_t fx_smulbt_c(int32_t x, int32_t y) { return FX_B(x) * FX_T(y); }
static inline int32_t fx_smultb_c(int32_t x, int32_t y) { return FX_T(x) * FX_B(y); }
static inline int32_t fx_smultt_c(int32_t x, int32_t y) { return FX_T(x) * FX_T(y); }
static inline int32_t fx_smlawb_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32(acc + (((int64_t)x * FX_B(y)) >> 16)); }
static inline int32_t fx_smlawt_c(int32_t x, int32_t y, int32_t acc) { return fx_wrap32(acc + (((int64_t)x * FX_T(y)) >> 16)); }
static inline int32_t fx_qadd_c(int32_t a, int32_t b)
{
    const int64_t v = (int64_t)a + b;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}
static inline int32_t fx_qsub_c(int32_t a, int32_t b)
{
    const int64_t v = (int64_t)a - b;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}
static inline int32_t fx_sat16_c(int32_t v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
static inline int32_t fx_qadd16_c(int32_t x, int32_t y) { return fx_pack16x2(fx_sat16_c(FX_B(x) + FX_B(y)), fx_sat16_c(FX_T(x) + FX_T(y))); }
static inline int32_t fx_qsub16_c(int32_t x, int32_t y) { return fx_pack16x2(fx_sat16_c(FX_B(x) - FX_B(y)), fx_sat16_c(FX_T(x) - FX_T(y))); }
static inline int32_t fx_qasx_c(int32_t x, int32_t y) { return fx_pack16x2(fx_sat16_c(FX_B(x) - FX_T(y)), fx_sat16_c(FX_T(x) + FX_B(y))); }
static inline int32_t fx_qsax_c(int32_t x, int32_t y) { return fx_pack16x2(fx_sat16_c(FX_B(x) + FX_T(y)), fx_sat16_c(FX_T(x) - FX_B(y))); }
static inline int32_t fx_shadd16_c(int32_t x, int32_t y) { return fx_pack16x2((FX_B(x) + FX_B(y)) >> 1, (FX_T(x) + FX_T(y)) >> 1); }
static inline int32_t fx_shsub16_c(int32_t x, int32_t y) { return fx_pack16x2((FX_B(x) - FX_B(y)) >> 1, (FX_T(x) - FX_T(y)) >> 1); }
static inline int32_t fx_shasx_c(int32_t x, int32_t y) { return fx_pack16x2((FX_B(x) - FX_T(y)) >> 1, (FX_T(x) + FX_B(y)) >> 1); }
static inline int32_t fx_shsax_c(int32_t x, int32_t y) { return fx_pack16x2((FX_B(x) + FX_T(y)) >> 1, (FX_T(x) - FX_B(y)) >> 1); }
#undef FX_B
#undef FX_T

FX_DSP2(smuad, __smuad)
FX_DSP2(smuadx, __smuadx)
FX_DSP2(smusd, __smusd)
FX_DSP2(smusdx, __smusdx)
FX_DSP3(smlad, __smlad)
FX_DSP3(smladx, __smladx)
FX_DSP3(smlsd, __smlsd)
FX_DSP3(smlsdx, __smlsdx)
FX_DSP3L(smlald)
FX_DSP3L(smlaldx)
FX_DSP3L(smlal)
/* SMULBB & co.: gcc 12's arm_acle.h lacks them, and for a top half it emits ASR + MUL for the plain
 * expression, so under the DSP extension each is the instruction itself. */
#if FXSIM_USE_DSP
#define FX_SMULXY(xy) static inline int32_t fx_smul##xy(int32_t x, int32_t y)\
    { int32_t r; __asm__("smul" #xy " %0, %1, %2" : "=r"(r) : "r"(x), "r"(y)); return r; }
#else
#define FX_SMULXY(xy) static inline int32_t fx_smul##xy(int32_t x, int32_t y)\
    { return fx_smul##xy##_c(x, y); }
#endif
FX_SMULXY(bb)
FX_SMULXY(bt)
FX_SMULXY(tb)
FX_SMULXY(tt)
#undef FX_SMULXY
FX_DSP3(smlawb, __smlawb)
FX_DSP3(smlawt, __smlawt)
FX_DSP2(qadd, __qadd)
FX_DSP2(qsub, __qsub)
FX_DSP2(qadd16, __qadd16)
FX_DSP2(qsub16, __qsub16)
FX_DSP2(qasx, __qasx)
FX_DSP2(qsax, __qsax)
FX_DSP2(shadd16, __shadd16)
FX_DSP2(shsub16, __shsub16)
FX_DSP2(shasx, __shasx)
FX_DSP2(shsax, __shsax)

/* SSAT takes its bit count as an immediate: a macro, so that n stays a constant expression. */
static inline int32_t fx_ssat_c(int32_t x, int n)
{
    const int64_t lim = (int64_t)1 << (n - 1);
    return x >= lim ? (int32_t)(lim - 1) : x < -lim ? (int32_t)-lim : x;
}
#if FXSIM_USE_DSP
#define fx_ssat(x, n) __ssat((x), (n))
#else
#define fx_ssat(x, n) fx_ssat_c((x), (n))
#endif

/* Lane-wise max and min of two pair registers (the frame peaks of the block floating point):
 * SSUB16 (USUB16: unsigned halves) sets a GE flag per lane where a >= b, SEL then picks per lane
 * (operands "%2, %0": a where the flag is set, else b; "%0, %2" the other way); one asm block, so
 * that nothing comes between the flags and their use. The difference goes to a scratch register
 * and the result takes b's register (SEL reads both as it writes): callers pass a running
 * maximum as b, which so stays in its register from one loop iteration to the next. */
#define FX_SUB_SEL(sub, pick)\
    int32_t r = b, t;\
    __asm__(sub " %1, %2, %0\n\tsel %0, " pick : "+r"(r), "=&r"(t) : "r"(a) : "cc");\
    return r

static inline int32_t fx_max16x2(int32_t a, int32_t b)
{
#if FXSIM_USE_DSP
    FX_SUB_SEL("ssub16", "%2, %0");
#else
    const int32_t lo = fx_bottom16(a) > fx_bottom16(b) ? fx_bottom16(a) : fx_bottom16(b);
    const int32_t hi = fx_top16(a) > fx_top16(b) ? fx_top16(a) : fx_top16(b);
    return fx_pack16x2(lo, hi);
#endif
}

static inline int32_t fx_min16x2(int32_t a, int32_t b)
{
#if FXSIM_USE_DSP
    FX_SUB_SEL("ssub16", "%0, %2");
#else
    const int32_t lo = fx_bottom16(a) < fx_bottom16(b) ? fx_bottom16(a) : fx_bottom16(b);
    const int32_t hi = fx_top16(a) < fx_top16(b) ? fx_top16(a) : fx_top16(b);
    return fx_pack16x2(lo, hi);
#endif
}

/* Lane-wise maximum of two pair registers whose halves are unsigned (the FFTs' block floating
 * point keeps squared magnitudes' top halves in them). */
static inline int32_t fx_umax16x2(int32_t a, int32_t b)
{
#if FXSIM_USE_DSP
    FX_SUB_SEL("usub16", "%2, %0");
#else
    const uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
    const uint32_t lo = (ua & 0xFFFFu) > (ub & 0xFFFFu) ? ua & 0xFFFFu : ub & 0xFFFFu;
    const uint32_t hi = (ua >> 16) > (ub >> 16) ? ua >> 16 : ub >> 16;
    return (int32_t)(lo | hi << 16);
#endif
}
#undef FX_SUB_SEL

/* PKHBT / PKHTB. gcc 12 emits UXTH + ORR for the plain expression, so with shift 16 (PKHBT: also 1) each is the
 * instruction itself under the DSP extension: PKHBT for the filters' pair updates and the FFT's
 * packed outputs, PKHTB for the FFT's measure (two squares' top halves into one word). */
static inline int32_t fx_pkhbt(int32_t x, int32_t y, int shift)
{
#if FXSIM_USE_DSP
    if (shift == 16) {
        int32_t r;
        __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(x), "r"(y));
        return r;
    }
    if (shift == 1) {         /* the 16-bit-lane FFT's rotation: a product's bits 30..15 to the top */
        int32_t r;
        __asm__("pkhbt %0, %1, %2, lsl #1" : "=r"(r) : "r"(x), "r"(y));
        return r;
    }
#endif
    return (int32_t)(((uint32_t)x & 0xFFFFu) | (((uint32_t)y << shift) & 0xFFFF0000u));
}

static inline int32_t fx_pkhtb(int32_t x, int32_t y, int shift)
{
#if FXSIM_USE_DSP
    if (shift == 16) {
        int32_t r;
        __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(x), "r"(y));
        return r;
    }
#endif
    return (int32_t)(((uint32_t)x & 0xFFFF0000u) | ((uint32_t)(y >> shift) & 0xFFFFu));
}

/* Both halves of the pair register x times the bottom half of scale (2^sh: the FFTs' block
 * floating point normalising a frame; scale < 2^15, its bottom half read as a signed halfword),
 * each kept to its 16 bits (exact where the caller has proved the products fit): SMULBB, SMULTB
 * and PKHBT. */
static inline int32_t fx_scale16x2(int32_t x, int32_t scale)
{
    return fx_pkhbt(fx_smulbb(x, scale), fx_smultb(x, scale), 16);
}

#endif /* FXSIM_PRIM_H */
