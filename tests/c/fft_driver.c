/* Test driver for the reference C of the FFT (c_ref/kernels/fft.c).
 * argv: n inverse mode word in_complex in_exp rounding overflow block
 *   (ref_fft_init's parameters after the table, in its order, then whether the input carries
 *   block exponents; see c_ref/kernels/fft.h)
 * stdin: 3n/4 interleaved int32 twiddles; with in_exp, an int32 count and that many int32 input
 * frame exponents; then int32 input words. stdout: int32 output words; stderr: "exp E" per
 * output frame and "saturations N" at the end. Calls of `block` samples. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/fft.h"

#define MAXW (2 * 8192)

int main(int argc, char **argv)
{
    static int32_t tw[3 * REF_FFT_MAX_N / 2], x[MAXW], y[MAXW + 2 * REF_FFT_MAX_N];
    static int32_t in_exp[1 << 16];
    static ref_fft k;
    int n, in_complex, has_exp, block, words, i, nexp = 0, used = 0;
    size_t got;
    if (argc != 10)
        return 2;
    n = atoi(argv[1]);
    in_complex = atoi(argv[5]);
    has_exp = atoi(argv[6]);
    block = atoi(argv[9]);
    if (n < 16 || n > REF_FFT_MAX_N || block < 1 || block > MAXW / 2)
        return 2;
    if (fread(tw, sizeof tw[0], (size_t)(3 * n / 2), stdin) != (size_t)(3 * n / 2))
        return 2;
    if (has_exp) {
        if (fread(&nexp, sizeof nexp, 1, stdin) != 1 || nexp < 0 || nexp > (1 << 16) ||
            fread(in_exp, sizeof in_exp[0], (size_t)nexp, stdin) != (size_t)nexp)
            return 2;
    }
    if (ref_fft_init(&k, tw, n, atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), in_complex,
                     atoi(argv[7]), atoi(argv[8])) != 0)
        return 2;
    words = in_complex ? 2 : 1;
    while ((got = fread(x, sizeof x[0], (size_t)(block * words), stdin)) > 0) {
        int m, frames_ahead = (k.fill + (int)got / words) / n;
        if (frames_ahead > REF_FFT_MAX_FRAMES)
            return 2;
        for (i = 0; i < frames_ahead; i++)   /* the exponents of the input frames this call ends */
            k.in_exp[i] = used + i < nexp ? in_exp[used + i] : 0;
        used += frames_ahead;
        m = ref_fft_process(&k, x, (int)got / words, y);
        fwrite(y, sizeof y[0], (size_t)(2 * m), stdout);
        for (i = 0; i < k.frames; i++)
            fprintf(stderr, "exp %d\n", k.exp[i]);
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)k.saturations);
    return 0;
}
