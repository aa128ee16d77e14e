/* Test driver for the reference C of the overlap-save FIR (c_ref/kernels/fir_ols.c).
 * argv: n taps word const_exp out_bits rounding overflow block
 *   (ref_fir_ols_init's parameters after the tables, in its order; see c_ref/kernels/fir_ols.h)
 * stdin: 3n/4 interleaved int32 twiddles, n + 2 int32 spectrum words, then int32 samples.
 * stdout: int32 outputs; stderr: "saturations N" at the end. Calls of `block` samples. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/fir_ols.h"

#define MAXN 8192

int main(int argc, char **argv)
{
    static int32_t tw[3 * REF_FFT_MAX_N / 2], h[REF_FFT_MAX_N + 2], x[MAXN], y[MAXN + REF_FFT_MAX_N];
    static ref_fir_ols k;
    int n, block;
    size_t got;
    if (argc != 9)
        return 2;
    n = atoi(argv[1]);
    block = atoi(argv[8]);
    if (n < 16 || n > REF_FFT_MAX_N || block < 1 || block > MAXN)
        return 2;
    if (fread(tw, sizeof tw[0], (size_t)(3 * n / 2), stdin) != (size_t)(3 * n / 2) ||
        fread(h, sizeof h[0], (size_t)(n + 2), stdin) != (size_t)(n + 2))
        return 2;
    if (ref_fir_ols_init(&k, tw, h, n, atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                         atoi(argv[6]), atoi(argv[7])) != 0)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        int m = ref_fir_ols_process(&k, x, (int)got, y);
        fwrite(y, sizeof y[0], (size_t)m, stdout);
    }
    fprintf(stderr, "saturations %lu\n",
            (unsigned long)(k.saturations + k.fwd.saturations + k.inv.saturations));
    return 0;
}
