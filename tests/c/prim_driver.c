/* Test driver for c_ref/fxsim_prim.h: reads records of int64 arguments from stdin, applies the
 * primitive named by argv[1] and writes int64 results (value, overflow flag) to stdout. */
#include <stdio.h>
#include <string.h>

#include "fxsim_prim.h"

int main(int argc, char **argv)
{
    int64_t a[5], out[2];
    const char *op;
    if (argc < 2)
        return 2;
    op = argv[1];
    /* every record has 5 int64 fields: the operands, then parameters */
    while (fread(a, sizeof a[0], 5, stdin) == 5) {
        uint32_t ovf = 0;
        if (!strcmp(op, "shr_round"))
            out[0] = fx_shr_round(a[0], (int)a[1], (int)a[2]);
        else if (!strcmp(op, "saturate"))
            out[0] = fx_saturate(a[0], (int)a[1], &ovf);
        else if (!strcmp(op, "wrap"))
            out[0] = fx_wrap(a[0], (int)a[1], &ovf);
        else if (!strcmp(op, "add"))
            out[0] = fx_add(a[0], a[1], (int)a[2], (int)a[3], &ovf);
        else if (!strcmp(op, "mul_round"))
            out[0] = fx_mul_round(a[0], a[1], (int)a[2], (int)a[3]);
        else if (!strcmp(op, "mac"))
            out[0] = fx_mac(a[0], a[1], a[2], (int)a[3], (int)a[4], &ovf);
        else if (!strcmp(op, "msu"))
            out[0] = fx_msu(a[0], a[1], a[2], (int)a[3], (int)a[4], &ovf);
        else if (!strcmp(op, "mac16x2_exact")) {
            const int16_t c[2] = {(int16_t)a[1], (int16_t)a[3]}, x[2] = {(int16_t)a[2], (int16_t)a[4]};
            out[0] = fx_mac16x2_exact(a[0], c, x);
        } else if (!strcmp(op, "norm"))
            out[0] = fx_norm(a[0], (int)a[1]);
        else if (!strcmp(op, "shr_round_small"))
            out[0] = fx_shr_round_small(a[0], (int)a[1], (int)a[2]);
        else if (!strcmp(op, "shr_preloaded"))
            out[0] = fx_shr_preloaded(a[0] + fx_round_preload((int)a[1], (int)a[2]), (int)a[1], (int)a[2]);
        else if (!strcmp(op, "shr_round_small32"))
            out[0] = fx_shr_round_small32((int32_t)a[0], (int)a[1], (int)a[2]);
        else if (!strcmp(op, "mul_round32"))
            out[0] = fx_mul_round32((int32_t)a[0], (int32_t)a[1], (int)a[2], (int)a[3]);
        else if (!strcmp(op, "mac_wide"))
            out[0] = fx_mac_wide(a[0], (int32_t)a[1], (int32_t)a[2]);
        else if (!strcmp(op, "mac_shr"))
            out[0] = fx_mac_shr(a[0], a[1], a[2], (int)a[3]);
        else if (!strcmp(op, "mac_shr32"))
            out[0] = fx_mac_shr32((int32_t)a[0], (int32_t)a[1], (int32_t)a[2], (int)a[3]);
        else if (!strcmp(op, "fit32"))
            out[0] = fx_fit32((int32_t)a[0], (int)a[1], (int)a[2], &ovf);
        else if (!strcmp(op, "shl32"))
            out[0] = fx_shl32((int32_t)a[0], (int)a[1]);
        else if (!strcmp(op, "shr_half_up"))
            out[0] = fx_shr_half_up(a[0], (int)a[1]);
        else
            return 2;
        out[1] = ovf;
        fwrite(out, sizeof out[0], 2, stdout);
    }
    return 0;
}
