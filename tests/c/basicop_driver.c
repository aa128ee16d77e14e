/* Test driver for c_ref/basicop.h: reads records of 3 int64 operands from stdin (unused ones 0),
 * applies the operator named by argv[1] and writes 2 int64 per record: the result and how many
 * overflows the call counted (the change of basicop_overflow). "shr_half_up" tests that
 * primitive of fxsim_prim.h (operands x, s). */
#include <stdio.h>
#include <string.h>

#include "basicop.h"

static const char *const names[] = {
    "add", "sub", "abs_s", "shl", "shr", "mult", "mult_r", "L_mult", "L_mac", "L_msu", "L_add",
    "L_sub", "L_negate", "negate", "extract_h", "extract_l", "round_fx", "mac_r", "msu_r",
    "L_shl", "L_shr", "shr_r", "L_shr_r", "L_deposit_h", "L_deposit_l", "L_abs", "norm_s",
    "norm_l", "div_s", "L_mult0", "L_mac0", "L_msu0", "shr_half_up"};

static int64_t apply(int op, const int64_t *a)
{
    Word16 h0 = (Word16)a[0], h1 = (Word16)a[1], h2 = (Word16)a[2];
    Word32 l0 = (Word32)a[0], l1 = (Word32)a[1];
    switch (op) {
    case 0: return add(h0, h1);
    case 1: return sub(h0, h1);
    case 2: return abs_s(h0);
    case 3: return shl(h0, h1);
    case 4: return shr(h0, h1);
    case 5: return mult(h0, h1);
    case 6: return mult_r(h0, h1);
    case 7: return L_mult(h0, h1);
    case 8: return L_mac(l0, h1, h2);
    case 9: return L_msu(l0, h1, h2);
    case 10: return L_add(l0, l1);
    case 11: return L_sub(l0, l1);
    case 12: return L_negate(l0);
    case 13: return negate(h0);
    case 14: return extract_h(l0);
    case 15: return extract_l(l0);
    case 16: return round_fx(l0);
    case 17: return mac_r(l0, h1, h2);
    case 18: return msu_r(l0, h1, h2);
    case 19: return L_shl(l0, h1);
    case 20: return L_shr(l0, h1);
    case 21: return shr_r(h0, h1);
    case 22: return L_shr_r(l0, h1);
    case 23: return L_deposit_h(h0);
    case 24: return L_deposit_l(h0);
    case 25: return L_abs(l0);
    case 26: return norm_s(h0);
    case 27: return norm_l(l0);
    case 28: return div_s(h0, h1);
    case 29: return L_mult0(h0, h1);
    case 30: return L_mac0(l0, h1, h2);
    case 31: return L_msu0(l0, h1, h2);
    default: return fx_shr_half_up(a[0], (int)a[1]);
    }
}

int main(int argc, char **argv)
{
    int64_t a[3], out[2];
    int op = -1;
    size_t i;
    if (argc < 2)
        return 2;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(argv[1], names[i]))
            op = (int)i;
    if (op < 0)
        return 2;
    basicop_reset_overflow();
    while (fread(a, sizeof a[0], 3, stdin) == 3) {
        uint32_t before = basicop_overflow_count();
        out[0] = apply(op, a);
        out[1] = (int64_t)(basicop_overflow_count() - before);
        fwrite(out, sizeof out[0], 2, stdout);
    }
    return 0;
}
