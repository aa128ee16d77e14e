/* Test driver for the reference C biquad (c_ref/kernels/biquad.c).
 * argv: ref_biquad_init's parameters in its order (see c_ref/kernels/biquad.h), then the block:
 *   nsec, then per section: B0 B1 B2 NA1 NA2 NK1 NK2 pshift shift out_bits,
 *   then rounding overflow block.
 * stdin: int32 samples; stdout: int32 outputs, processed in calls of `block` samples (streaming);
 * stderr: the saturation count. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/biquad.h"

#define MAXN 4096

int main(int argc, char **argv)
{
    static int32_t x[MAXN], y[MAXN];
    static ref_biquad k;
    int64_t consts[7 * REF_BIQUAD_MAX_SECTIONS];
    int pshifts[REF_BIQUAD_MAX_SECTIONS], shifts[REF_BIQUAD_MAX_SECTIONS];
    int bits[REF_BIQUAD_MAX_SECTIONS];
    int block, nsec, rounding, overflow, s, j, m, a = 2;
    size_t got;
    if (argc < 2)
        return 2;
    nsec = atoi(argv[1]);
    if (nsec < 1 || nsec > REF_BIQUAD_MAX_SECTIONS || argc != 5 + 10 * nsec)
        return 2;
    for (s = 0; s < nsec; s++) {
        for (j = 0; j < 7; j++)
            consts[7 * s + j] = strtoll(argv[a++], NULL, 10);
        pshifts[s] = atoi(argv[a++]);
        shifts[s] = atoi(argv[a++]);
        bits[s] = atoi(argv[a++]);
    }
    rounding = atoi(argv[a++]);
    overflow = atoi(argv[a++]);
    block = atoi(argv[a]);
    if (block < 1 || block > MAXN)
        return 2;
    if (ref_biquad_init(&k, consts, nsec, pshifts, shifts, bits, rounding, overflow) != 0)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        m = ref_biquad_process(&k, x, (int)got, y);
        if (m != (int)got)
            return 3;
        fwrite(y, sizeof y[0], (size_t)m, stdout);
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)k.saturations);
    return 0;
}
