/*
 * fxmath_driver.c - runs one fxsim_math.c function over raw int64 values for the tests.
 *
 * usage: fxmath_driver [-f IN OUT] FUNC [int parameters...] < int64 values > int64 results
 *   (-f reads and writes files instead: the Cortex-M4 build on QEMU has no piped stdin)
 *   sqrt K OUT_BITS METHOD | sqrt_q15 | isqrt METHOD | isqrt32 | isqrt64
 *   log VALUE_BITS IN_FRAC BASE OUT_FRAC OUT_BITS | pow2 IN_FRAC OUT_FRAC OUT_BITS
 *   db_to_lin IN_FRAC OUT_FRAC OUT_BITS | reciprocal WORD_BITS
 *   div SHIFT OUT_BITS MODE   (input: num, den pairs) | copy (the loop alone, for cost baselines)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxsim_math.h"

#define CHUNK 4096

static const char *const NAMES[] = {"sqrt", "isqrt", "isqrt32", "isqrt64", "log", "pow2",
                                    "db_to_lin", "reciprocal", "div", "copy", "sqrt_q15"};

static int param(int argc, char **argv, int i)
{
    if (i >= argc) {
        fprintf(stderr, "missing parameter %d\n", i);
        exit(2);
    }
    return atoi(argv[i]);
}

int main(int argc, char **argv)
{
    static int64_t in[2 * CHUNK], out[CHUNK];
    const char *fn;
    int p1, p2, p3, p4, p5, per, f;
    size_t n, i;
    FILE *fin = stdin, *fout = stdout;
    if (argc > 3 && strcmp(argv[1], "-f") == 0) {
        fin = fopen(argv[2], "rb");
        fout = fopen(argv[3], "wb");
        if (fin == NULL || fout == NULL) {
            fprintf(stderr, "cannot open %s or %s\n", argv[2], argv[3]);
            return 2;
        }
        argc -= 3;
        argv += 3;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: fxmath_driver [-f IN OUT] FUNC [params] < int64 > int64\n");
        return 2;
    }
    fn = argv[1];
    p1 = argc > 2 ? param(argc, argv, 2) : 0;
    p2 = argc > 3 ? param(argc, argv, 3) : 0;
    p3 = argc > 4 ? param(argc, argv, 4) : 0;
    p4 = argc > 5 ? param(argc, argv, 5) : 0;
    p5 = argc > 6 ? param(argc, argv, 6) : 0;
    for (f = 0; f < (int)(sizeof NAMES / sizeof NAMES[0]); f++)
        if (strcmp(fn, NAMES[f]) == 0)
            break;
    if (f == (int)(sizeof NAMES / sizeof NAMES[0])) {
        fprintf(stderr, "unknown function %s\n", fn);
        return 2;
    }
    per = f == 8 ? 2 : 1;
    while ((n = fread(in, sizeof(int64_t) * per, CHUNK, fin)) > 0) {
        for (i = 0; i < n; i++) {
            int64_t x = in[per * i];
            switch (f) {
            case 0: out[i] = fxm_sqrt_q(x, p1, p2, p3); break;
            case 1: out[i] = p1 == FXM_NEWTON ? fxm_isqrt_newton(x) : fxm_isqrt_bisection(x); break;
            case 2: out[i] = (int64_t)fxm_isqrt32((uint32_t)x); break;
            case 3: out[i] = fxm_isqrt64(x); break;
            case 4: out[i] = fxm_log_q(x, p1, p2, p3, p4, p5); break;
            case 5: out[i] = fxm_pow2_q(x, p1, p2, p3); break;
            case 6: out[i] = fxm_db_to_lin_q(x, p1, p2, p3); break;
            case 7: out[i] = fxm_reciprocal_q(x, p1); break;
            case 8: out[i] = fxm_div_q(x, in[2 * i + 1], p1, p2, p3); break;
            case 10: out[i] = fxm_sqrt_q15((int16_t)x); break;
            default: out[i] = x; break;
            }
        }
        if (fwrite(out, sizeof(int64_t), n, fout) != n)
            return 1;
    }
    if (fout != stdout && fclose(fout) != 0)
        return 1;
    if (fin != stdin)
        fclose(fin);
    return 0;
}
