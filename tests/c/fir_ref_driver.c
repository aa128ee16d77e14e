/* Test driver for the reference C of the FIR family (c_ref/kernels/fir.c).
 * argv: rows q step shift out_bits acc_bits rounding overflow exact pshift block
 *   (ref_fir_init's parameters after the table, in its order; see c_ref/kernels/fir.h)
 * stdin: rows * q int32 taps (the model's table), then int32 samples.
 * stdout: int32 outputs; stderr: "saturations N" at the end.
 * Samples go through ref_fir_process in calls of `block` (>= 1) samples,
 * or, with block 0, in calls of 1, 2, 3, ... 17, 1, 2, ... samples to exercise streaming. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/fir.h"

#define MAXN 4096
#define MAXTAPS 8192

int main(int argc, char **argv)
{
    static int32_t h[MAXTAPS], x[MAXN], y[MAXN * 64];
    static ref_fir k;
    int rows, q, block, call = 0;
    size_t got;
    if (argc != 12)
        return 2;
    rows = atoi(argv[1]);
    q = atoi(argv[2]);
    block = atoi(argv[11]);
    if (rows < 1 || rows > 64 || q < 1 || rows * q > MAXTAPS || block < 0 || block > MAXN)
        return 2;
    if (fread(h, sizeof h[0], (size_t)(rows * q), stdin) != (size_t)(rows * q))
        return 2;
    if (ref_fir_init(&k, h, rows, q, atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
                     atoi(argv[7]), atoi(argv[8]), atoi(argv[9]), atoi(argv[10])) != 0)
        return 2;
    for (;;) {
        int want = block ? block : 1 + call++ % 17, m;
        got = fread(x, sizeof x[0], (size_t)want, stdin);
        if (got == 0)
            break;
        m = ref_fir_process(&k, x, (int)got, y);
        fwrite(y, sizeof y[0], (size_t)m, stdout);
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)k.saturations);
    return 0;
}
