/*
 * fxsim_math.c - integer math of fxsim, the C twin of fxsim/fxmath.py (see fxsim_math.h).
 * Every step mirrors the Python scalar core of the same name; the comments there say why.
 */
#include "fxsim_math.h"
#include "fxsim_prim.h"
#include "fxsim_tables.h"

#define FXM_Q FXM_COEF_FRAC                 /* polynomial values in Q40 */
#define FXM_SEG_SHIFT (40 - FXM_SEG_BITS)   /* a 40-bit fraction: the top bits pick the segment */
#define FXM_DB_LIMIT 1023                   /* |dB| clamp of db_to_lin */

/* mul_k and poly_q40 are inlined where their shifts are constants (no 64-bit shift calls on a
 * 32-bit core); fxm_mul_k and fxm_poly_q40 export the same functions. */
static inline int64_t mul_k(int64_t a, int64_t k, int shift)
{
    int64_t ah = a >> 21;
    int64_t al = a & (((int64_t)1 << 21) - 1);
    return fx_shr_round(ah * k, shift - 21, FX_NEAREST) + fx_shr_round(al * k, shift, FX_NEAREST);
}

static inline int64_t poly_q40(const int64_t *table, int64_t f40)
{
    int64_t seg = f40 >> FXM_SEG_SHIFT;
    int64_t d = (f40 & (((int64_t)1 << FXM_SEG_SHIFT) - 1)) - ((int64_t)1 << (FXM_SEG_SHIFT - 1));
    const int64_t *row = table + 4 * seg;
    int64_t acc = row[3];
    acc = row[2] + mul_k(d, acc, FXM_SEG_SHIFT);
    acc = row[1] + mul_k(d, acc, FXM_SEG_SHIFT);
    return row[0] + mul_k(d, acc, FXM_SEG_SHIFT);
}

int64_t fxm_mul_k(int64_t a, int64_t k, int shift)
{
    return mul_k(a, k, shift);
}

int64_t fxm_poly_q40(const int64_t *table, int64_t f40)
{
    return poly_q40(table, f40);
}

int64_t fxm_isqrt_bisection(int64_t n)
{
    int start;
    int64_t bit, res = 0;
    if (n <= 0)
        return 0;
    start = (fx_bit_length(n) - 1) & ~1;
    if (n <= (int64_t)UINT32_MAX) {        /* the same steps in 32-bit words */
        uint32_t m = (uint32_t)n, b32 = (uint32_t)1 << start, r32 = 0;
        while (b32 != 0) {
            if (m >= r32 + b32) {
                m -= r32 + b32;
                r32 = (r32 >> 1) + b32;
            } else {
                r32 >>= 1;
            }
            b32 >>= 2;
        }
        return (int64_t)r32;
    }
    bit = (int64_t)1 << start;
    while (bit != 0) {
        if (n >= res + bit) {
            n -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return res;
}

/* n in (0, 2^32) (n = 0 would shift by 32): normalise to [2^30, 2^32), seed by a line, two
 * Newton steps, one correction */
static uint32_t isqrt32_newton(uint32_t n)
{
    const int s = (32 - fx_bit_length((int64_t)n)) & ~1;
    const uint32_t m = n << s;
    uint32_t y = FXM_SQRT_SEED0 + (((m >> 16) * FXM_SQRT_SEED_SLOPE) >> 16);
    y = (y + m / y) >> 1;
    y = (y + m / y) >> 1;
    if ((uint64_t)y * y > m)
        y -= 1;
    return y >> (s >> 1);
}

int64_t fxm_isqrt_newton(int64_t n)
{
    int64_t y, z;
    if (n <= 0)
        return 0;
    if (n <= (int64_t)UINT32_MAX)
        return (int64_t)isqrt32_newton((uint32_t)n);
    y = (int64_t)1 << ((fx_bit_length(n) + 1) >> 1);
    z = (y + fx_div_round(n, y, FX_FLOOR)) >> 1;
    while (z < y) {
        y = z;
        z = (y + fx_div_round(n, y, FX_FLOOR)) >> 1;
    }
    return y;
}

int64_t fxm_sqrt_rounded(int64_t n, int method)
{
    int64_t r = method == FXM_NEWTON ? fxm_isqrt_newton(n) : fxm_isqrt_bisection(n);
    if (n - r * r > r)
        r += 1;
    return r;
}

int64_t fxm_sqrt_q(int64_t x, int k, int out_bits, int method)
{
    if (x <= 0)
        return 0;
    if (method == FXM_NEWTON && k >= 0 && k < 32 && (x >> (32 - k)) == 0 && out_bits <= 32) {
        /* N = x 2^k < 2^32: the whole computation in 32-bit words */
        const uint32_t n = (uint32_t)x << k, r = isqrt32_newton(n);
        const int32_t q = (int32_t)(r + (n - r * r > r));
        return fx_fit32(q, out_bits, FX_SATURATE, NULL);
    }
    return fx_saturate(fxm_sqrt_rounded(fx_shl64(x, k), method), out_bits, NULL);
}

int32_t fxm_sqrt_q15(int16_t x)
{
    uint32_t n, r;
    if (x <= 0)
        return 0;
    n = (uint32_t)x << 15;                 /* in [2^15, 2^30) */
    r = isqrt32_newton(n);
    return fx_fit32((int32_t)(r + (n - r * r > r)), 16, FX_SATURATE, NULL);
}

uint32_t fxm_isqrt32(uint32_t x)
{
    return x == 0 ? 0 : isqrt32_newton(x);
}

int64_t fxm_isqrt64(int64_t x)
{
    return fxm_isqrt_bisection(x);
}

int64_t fxm_log_q(int64_t x, int value_bits, int in_frac, int base, int out_frac, int out_bits)
{
    int shift, p;
    int64_t mant, f40, lg;
    if (x <= 0)
        return fx_min_int(out_bits);
    shift = fx_norm(x, value_bits + 1);
    p = value_bits - 1 - shift;                     /* x = 2^p (1 + f) */
    mant = fx_shl64(x, shift);
    f40 = fx_shl64(mant - ((int64_t)1 << (value_bits - 1)), 41 - value_bits);
    lg = fx_shl64((int64_t)(p - in_frac), FXM_Q) + poly_q40(fxm_log2_poly, f40);
    if (base == FXM_LOG10)
        lg = mul_k(fx_shr_round(lg, 4, FX_NEAREST), FXM_K_LOG10_2,
                   36 + FXM_K_LOG10_2_FRAC - FXM_Q);
    else if (base == FXM_DB)
        lg = mul_k(fx_shr_round(lg, 4, FX_NEAREST), FXM_K_DB_2, 36 + FXM_K_DB_2_FRAC - FXM_Q);
    return fx_saturate(fx_shr_round(lg, FXM_Q - out_frac, FX_NEAREST), out_bits, NULL);
}

int64_t fxm_pow2_split(int64_t ipart, int64_t f40, int out_frac, int out_bits)
{
    int64_t mant, shift;
    if (ipart >= out_bits - 1 - out_frac)
        return fx_max_int(out_bits);
    mant = poly_q40(fxm_pow2_poly, f40);
    shift = FXM_Q - out_frac - ipart;               /* > 0 here */
    if (shift > 62)                                 /* to fit an int: mant <= 2^41 gives 0 */
        shift = 62;                                 /* for every shift >= 43, as the model */
    return fx_saturate(fx_shr_round(mant, (int)shift, FX_NEAREST), out_bits, NULL);
}

int64_t fxm_pow2_q(int64_t x, int in_frac, int out_frac, int out_bits)
{
    int64_t ipart = x >> in_frac;
    int64_t f40 = fx_shl64(x & (((int64_t)1 << in_frac) - 1), 40 - in_frac);
    return fxm_pow2_split(ipart, f40, out_frac, out_bits);
}

int64_t fxm_db_to_lin_q(int64_t x, int in_frac, int out_frac, int out_bits)
{
    int64_t lim = (int64_t)FXM_DB_LIMIT << in_frac, a, w;
    if (x > lim)
        x = lim;
    else if (x < -lim)
        x = -lim;
    a = fx_shl64(x, 31 - in_frac);
    w = mul_k(a, FXM_K_LOG2_10_OVER_20, 31 + FXM_K_LOG2_10_OVER_20_FRAC - FXM_Q);
    return fxm_pow2_split(w >> FXM_Q, w & (((int64_t)1 << FXM_Q) - 1), out_frac, out_bits);
}

int64_t fxm_reciprocal_q(int64_t x, int word_bits)
{
    int out_bits = 2 * word_bits;
    if (x == 0)
        return fx_max_int(out_bits);
    return fx_saturate(fx_div_round((int64_t)1 << (2 * word_bits - 2), x, FX_NEAREST), out_bits,
                       NULL);
}

int64_t fxm_div_q(int64_t num, int64_t den, int shift, int out_bits, int mode)
{
    int64_t q;
    if (den == 0)
        return num >= 0 ? fx_max_int(out_bits) : fx_min_int(out_bits);
    if (shift >= 0)
        q = fx_div_round(fx_shl64(num, shift), den, mode);
    else
        q = fx_div_round(num, fx_shl64(den, -shift), mode);
    return fx_saturate(q, out_bits, NULL);
}
