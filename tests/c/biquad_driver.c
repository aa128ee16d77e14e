/* Test driver for the reference C biquad (c_ref/kernels/biquad.c).
 * argv: block nsec rounding overflow, then per section:
 *   B0 B1 B2 NA1 NA2 NK1 NK2 pshift shift out_bits.
 * stdin: int32 samples; stdout: int32 outputs, processed in calls of `block` samples (streaming);
 * stderr: the saturation count. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/biquad.h"

#define MAXN 4096

int main(int argc, char **argv)
{
    static int32_t x[MAXN], y[MAXN];
    static ref_biquad bq;
    int64_t consts[7 * REF_BIQUAD_MAX_SECTIONS];
    int pshifts[REF_BIQUAD_MAX_SECTIONS], shifts[REF_BIQUAD_MAX_SECTIONS];
    int bits[REF_BIQUAD_MAX_SECTIONS];
    int block, nsec, s, j, a = 5;
    size_t got;
    if (argc < 5)
        return 2;
    block = atoi(argv[1]);
    nsec = atoi(argv[2]);
    if (block < 1 || block > MAXN || nsec < 1 || nsec > REF_BIQUAD_MAX_SECTIONS ||
        argc != 5 + 10 * nsec)
        return 2;
    for (s = 0; s < nsec; s++) {
        for (j = 0; j < 7; j++)
            consts[7 * s + j] = strtoll(argv[a++], NULL, 10);
        pshifts[s] = atoi(argv[a++]);
        shifts[s] = atoi(argv[a++]);
        bits[s] = atoi(argv[a++]);
    }
    if (ref_biquad_init(&bq, nsec, consts, pshifts, shifts, bits, atoi(argv[3]),
                        atoi(argv[4])) != 0)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        ref_biquad_process(&bq, x, y, (int)got);
        fwrite(y, sizeof y[0], got, stdout);
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)bq.saturations);
    return 0;
}
