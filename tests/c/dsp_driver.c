/* Test driver for the Cortex-M4 DSP-instruction primitives of c_ref/fxsim_prim.h: reads records
 * of 5 int64 fields (operation index into OPS, x, y, acc, parameter) and writes one int64 result
 * per record (all operations in one run: QEMU starts once).
 * usage: dsp_driver [-f IN OUT] < records > results
 *   (-f reads and writes files instead: the Cortex-M4 build on QEMU has no piped stdin) */
#include <stdio.h>
#include <string.h>

#include "fxsim_prim.h"

/* fx_ssat's bit count is an immediate (SSAT): one case per count */
static int32_t ssat_n(int32_t x, int n)
{
    switch (n) {
#define FX_SSAT_CASE(k) case k: return fx_ssat(x, k);
    FX_SSAT_CASE(1) FX_SSAT_CASE(2) FX_SSAT_CASE(8) FX_SSAT_CASE(12) FX_SSAT_CASE(15)
    FX_SSAT_CASE(16) FX_SSAT_CASE(17) FX_SSAT_CASE(24) FX_SSAT_CASE(31) FX_SSAT_CASE(32)
#undef FX_SSAT_CASE
    default: return 0;
    }
}

/* the order of DSP_OPS in tests/test_dsp_primitives.py */
static const char *const OPS[] = {
    "smuad", "smuadx", "smusd", "smusdx", "smlad", "smladx", "smlald", "smlaldx", "smulbb",
    "smulbt", "smultb", "smultt", "smlawb", "smlawt", "qadd", "qsub", "qadd16", "qsub16",
    "shadd16", "shsub16", "ssat", "pkhbt", "pkhtb", "max16x2", "min16x2", "qasx", "qsax",
    "umax16x2", "smlsd", "smlsdx", "shasx", "shsax", "smlal"};

static int apply(const int64_t *a, int64_t *out)
{
    const char *op;
    const int32_t x = (int32_t)a[1], y = (int32_t)a[2], acc = (int32_t)a[3];
    const int p = (int)a[4];
    if (a[0] < 0 || a[0] >= (int64_t)(sizeof OPS / sizeof OPS[0]))
        return 1;
    op = OPS[a[0]];
#define OP2(name) if (!strcmp(op, #name)) { *out = fx_##name(x, y); return 0; }
#define OP3(name) if (!strcmp(op, #name)) { *out = fx_##name(x, y, acc); return 0; }
#define OP3L(name) if (!strcmp(op, #name)) { *out = fx_##name(x, y, a[3]); return 0; }
    OP2(smuad) OP2(smuadx) OP2(smusd) OP2(smusdx) OP3(smlad) OP3(smladx) OP3L(smlald)
    OP3L(smlaldx) OP2(smulbb) OP2(smulbt) OP2(smultb) OP2(smultt) OP3(smlawb) OP3(smlawt)
    OP2(qadd) OP2(qsub) OP2(qadd16) OP2(qsub16) OP2(shadd16) OP2(shsub16) OP2(max16x2)
    OP2(min16x2) OP2(qasx) OP2(qsax) OP2(umax16x2)
    OP3(smlsd) OP3(smlsdx) OP2(shasx) OP2(shsax) OP3L(smlal)
#undef OP2
#undef OP3
#undef OP3L
    if (!strcmp(op, "ssat")) { *out = ssat_n(x, p); return 0; }
    if (!strcmp(op, "pkhbt")) { *out = fx_pkhbt(x, y, p); return 0; }
    if (!strcmp(op, "pkhtb")) { *out = fx_pkhtb(x, y, p); return 0; }
    return 1;
}

int main(int argc, char **argv)
{
    FILE *fin = stdin, *fout = stdout;
    int64_t a[5], out;
    if (argc > 3 && strcmp(argv[1], "-f") == 0) {
        fin = fopen(argv[2], "rb");
        fout = fopen(argv[3], "wb");
        if (!fin || !fout)
            return 3;
    }
    (void)argc;
    (void)argv;
    while (fread(a, sizeof a[0], 5, fin) == 5) {
        if (apply(a, &out))
            return 2;
        fwrite(&out, sizeof out, 1, fout);
    }
    if (fout != stdout)
        fclose(fout);
    return 0;
}
