/*
 * basicop.h - the ITU-T G.191 STL basic operators (basop32) under their standard names.
 *
 * The C twin of fxsim/basicop.py, bit-exact with it: same results and same overflow counts.
 * Word16 is a Q15 fraction (int16_t), Word32 a Q31 fraction (int32_t). All arithmetic goes
 * through fxsim_prim.h (saturate, shifts with rounding, norm, division); products and sums are
 * formed in int64_t, so nothing here has undefined behaviour. C99, header-only apart from the
 * overflow counter, which lives in basicop.c (link it once per program).
 *
 * Overflow: the standard's global Overflow flag becomes the counter basicop_overflow: every call
 * that saturates adds 1 (once per call, even when L_mac saturates its product and its sum).
 * abs_s, negate, L_abs and L_negate saturate silently and extract_l wraps, as in the standard.
 *
 * Rounding and saturation, per operator:
 *   mult        (var1 * var2) >> 15, floor, saturated to Word16 (-32768 * -32768 -> 32767).
 *   mult_r      (var1 * var2 + 2^14) >> 15 (half towards +inf), saturated.
 *   L_mult      2 * var1 * var2 saturated to Word32; L_mac / L_msu add / subtract it with a
 *               saturating 32-bit add. L_mult0 / L_mac0 / L_msu0: the exact product, no doubling.
 *   round_fx    extract_h(L_add(L_var1, 0x8000)); mac_r / msu_r = round_fx(L_mac / L_msu).
 *   shl, L_shl  saturating left shift; a negative count shifts right (below -16 / -32 acts as
 *               -16 / -32). shr, L_shr mirror them; right shifts floor, counts >= 15 / 31 leave
 *               the sign. shr_r / L_shr_r round half towards +inf; counts > 15 / 31 give 0.
 *   norm_s/l    redundant sign bits; norm(0) = 0, norm_s(-1) = 15, norm_l(-1) = 31.
 *   div_s       truncated Q15 quotient of 0 <= var1 <= var2, var2 > 0; div_s(x, x) = 32767.
 *               The standard aborts on other operands; here they return 0 (documented value;
 *               the Python model raises ValueError instead).
 */
#ifndef FXSIM_BASICOP_H
#define FXSIM_BASICOP_H

#include <stdint.h>

#include "fxsim_prim.h"

typedef int16_t Word16;
typedef int32_t Word32;

/* Number of operator calls that saturated; defined in basicop.c. */
extern uint32_t basicop_overflow;

uint32_t basicop_overflow_count(void);
void basicop_reset_overflow(void);

/* ---- helpers: results as int64_t, saturations reported through *o ---- */

static inline int64_t basicop_shl16_(int64_t x, int n, uint32_t *o)
{
    return fx_saturate(fx_shr_round(x, -(n < 16 ? n : 16), FX_FLOOR), 16, o);
}

static inline int64_t basicop_shr16_(int64_t x, int n)
{
    return fx_shr_round(x, n < 15 ? n : 15, FX_FLOOR);
}

static inline int64_t basicop_shl32_(int64_t x, int n, uint32_t *o)
{
    return fx_saturate(fx_shr_round(x, -(n < 32 ? n : 32), FX_FLOOR), 32, o);
}

static inline int64_t basicop_shr32_(int64_t x, int n)
{
    return fx_shr_round(x, n < 31 ? n : 31, FX_FLOOR);
}

static inline int64_t basicop_L_mult_(Word16 var1, Word16 var2, uint32_t *o)
{
    return fx_saturate(fx_mul_round(var1, var2, -1, FX_FLOOR), 32, o);
}

static inline int64_t basicop_round_(int64_t L_var1, uint32_t *o)
{
    return fx_shr_round(fx_saturate(L_var1 + 0x8000, 32, o), 16, FX_FLOOR);
}

static inline void basicop_count_(uint32_t o)
{
    basicop_overflow += o != 0;
}

/* ---- the operators ---- */

static inline Word16 add(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r = (Word16)fx_saturate((int64_t)var1 + var2, 16, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 sub(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r = (Word16)fx_saturate((int64_t)var1 - var2, 16, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 abs_s(Word16 var1)
{
    return (Word16)fx_saturate(var1 < 0 ? -(int64_t)var1 : var1, 16, NULL);
}

static inline Word16 negate(Word16 var1)
{
    return (Word16)fx_saturate(-(int64_t)var1, 16, NULL);
}

static inline Word16 shl(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r;
    if (var2 < 0)
        return (Word16)basicop_shr16_(var1, -(int)var2);
    r = (Word16)basicop_shl16_(var1, var2, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 shr(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r;
    if (var2 >= 0)
        return (Word16)basicop_shr16_(var1, var2);
    r = (Word16)basicop_shl16_(var1, -(int)var2, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 mult(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r = (Word16)fx_saturate(fx_mul_round(var1, var2, 15, FX_FLOOR), 16, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 mult_r(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word16 r = (Word16)fx_saturate(fx_shr_half_up((int64_t)var1 * var2, 15), 16, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_mult(Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word32 r = (Word32)basicop_L_mult_(var1, var2, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_mac(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    int64_t product = basicop_L_mult_(var1, var2, &o);
    Word32 r = (Word32)fx_add(L_var3, product, 32, FX_SATURATE, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_msu(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    int64_t product = basicop_L_mult_(var1, var2, &o);
    Word32 r = (Word32)fx_add(L_var3, -product, 32, FX_SATURATE, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_add(Word32 L_var1, Word32 L_var2)
{
    uint32_t o = 0;
    Word32 r = (Word32)fx_saturate((int64_t)L_var1 + L_var2, 32, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_sub(Word32 L_var1, Word32 L_var2)
{
    uint32_t o = 0;
    Word32 r = (Word32)fx_saturate((int64_t)L_var1 - L_var2, 32, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_negate(Word32 L_var1)
{
    return (Word32)fx_saturate(-(int64_t)L_var1, 32, NULL);
}

static inline Word32 L_abs(Word32 L_var1)
{
    return (Word32)fx_saturate(L_var1 < 0 ? -(int64_t)L_var1 : L_var1, 32, NULL);
}

static inline Word16 extract_h(Word32 L_var1)
{
    return (Word16)fx_shr_round(L_var1, 16, FX_FLOOR);
}

static inline Word16 extract_l(Word32 L_var1)
{
    return (Word16)fx_wrap(L_var1, 16, NULL);
}

static inline Word16 round_fx(Word32 L_var1)
{
    uint32_t o = 0;
    Word16 r = (Word16)basicop_round_(L_var1, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 mac_r(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    int64_t acc = fx_add(L_var3, basicop_L_mult_(var1, var2, &o), 32, FX_SATURATE, &o);
    Word16 r = (Word16)basicop_round_(acc, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 msu_r(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    int64_t acc = fx_add(L_var3, -basicop_L_mult_(var1, var2, &o), 32, FX_SATURATE, &o);
    Word16 r = (Word16)basicop_round_(acc, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_shl(Word32 L_var1, Word16 var2)
{
    uint32_t o = 0;
    Word32 r;
    if (var2 <= 0)
        return (Word32)basicop_shr32_(L_var1, -(int)var2);
    r = (Word32)basicop_shl32_(L_var1, var2, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_shr(Word32 L_var1, Word16 var2)
{
    uint32_t o = 0;
    Word32 r;
    if (var2 >= 0)
        return (Word32)basicop_shr32_(L_var1, var2);
    r = (Word32)basicop_shl32_(L_var1, -(int)var2, &o);
    basicop_count_(o);
    return r;
}

static inline Word16 shr_r(Word16 var1, Word16 var2)
{
    if (var2 > 15)
        return 0;
    if (var2 <= 0)
        return shr(var1, var2);
    return (Word16)fx_shr_half_up(var1, var2);
}

static inline Word32 L_shr_r(Word32 L_var1, Word16 var2)
{
    if (var2 > 31)
        return 0;
    if (var2 <= 0)
        return L_shr(L_var1, var2);
    return (Word32)fx_shr_half_up(L_var1, var2);
}

static inline Word32 L_deposit_h(Word16 var1)
{
    return (Word32)fx_shr_round(var1, -16, FX_FLOOR);
}

static inline Word32 L_deposit_l(Word16 var1)
{
    return var1;
}

static inline Word16 norm_s(Word16 var1)
{
    return (Word16)fx_norm(var1, 16);
}

static inline Word16 norm_l(Word32 L_var1)
{
    return (Word16)fx_norm(L_var1, 32);
}

static inline Word16 div_s(Word16 var1, Word16 var2)
{
    if (var1 < 0 || var2 <= 0 || var1 > var2)
        return 0; /* outside the domain: the standard aborts */
    if (var1 == var2)
        return INT16_MAX;
    /* the standard's 15 restoring-division steps give exactly the truncated quotient */
    return (Word16)fx_div_round((int64_t)var1 * 32768, var2, FX_FLOOR);
}

static inline Word32 L_mult0(Word16 var1, Word16 var2)
{
    return (Word32)fx_mul_round(var1, var2, 0, FX_FLOOR);
}

static inline Word32 L_mac0(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word32 r = (Word32)fx_mac(L_var3, var1, var2, 32, FX_SATURATE, &o);
    basicop_count_(o);
    return r;
}

static inline Word32 L_msu0(Word32 L_var3, Word16 var1, Word16 var2)
{
    uint32_t o = 0;
    Word32 r = (Word32)fx_msu(L_var3, var1, var2, 32, FX_SATURATE, &o);
    basicop_count_(o);
    return r;
}

#endif /* FXSIM_BASICOP_H */
