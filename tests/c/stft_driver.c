/* Test driver for the reference C of the STFT (c_ref/kernels/stft.c).
 * argv: n hop inverse mode word static_exp out_frac out_bits in_exp rounding overflow block
 *   (ref_stft_init's parameters after the tables, in its order, with whether the input carries
 *   block exponents before rounding; see c_ref/kernels/stft.h)
 * stdin: 3n/4 interleaved int32 twiddles, n int32 window values; with in_exp, an int32 count and
 * that many input frame exponents; then int32 input words. stdout: int32 output words; stderr:
 * "exp E" per output frame (stft) and "saturations N" at the end. Calls of `block` samples. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/stft.h"

#define MAXW (2 * 8192)

int main(int argc, char **argv)
{
    static int32_t tw[3 * REF_FFT_MAX_N / 2], win[REF_FFT_MAX_N], x[MAXW], y[MAXW + 4 * REF_FFT_MAX_N];
    static int32_t in_exp[1 << 16];
    static ref_stft k;
    int n, hop, inv, has_exp, block, words, i, nexp = 0, used = 0;
    size_t got;
    if (argc != 13)
        return 2;
    n = atoi(argv[1]);
    hop = atoi(argv[2]);
    inv = atoi(argv[3]);
    has_exp = atoi(argv[9]);
    block = atoi(argv[12]);
    if (n < 16 || n > REF_FFT_MAX_N || block < 1 || block > MAXW / 2)
        return 2;
    if (fread(tw, sizeof tw[0], (size_t)(3 * n / 2), stdin) != (size_t)(3 * n / 2) ||
        fread(win, sizeof win[0], (size_t)n, stdin) != (size_t)n)
        return 2;
    if (has_exp && (fread(&nexp, sizeof nexp, 1, stdin) != 1 || nexp < 0 || nexp > (1 << 16) ||
                    fread(in_exp, sizeof in_exp[0], (size_t)nexp, stdin) != (size_t)nexp))
        return 2;
    if (ref_stft_init(&k, tw, win, n, hop, inv, atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
                      atoi(argv[7]), atoi(argv[8]), atoi(argv[10]), atoi(argv[11])) != 0)
        return 2;
    words = inv ? 2 : 1;
    while ((got = fread(x, sizeof x[0], (size_t)(block * words), stdin)) > 0) {
        int m, ahead = inv ? (k.fill + (int)got / words) / (n / 2 + 1) : 0;
        if (ahead > REF_FFT_MAX_FRAMES || (!inv && (int)got / hop + 1 > REF_FFT_MAX_FRAMES))
            return 2;
        for (i = 0; i < ahead; i++)
            k.in_exp[i] = used + i < nexp ? in_exp[used + i] : 0;
        used += ahead;
        m = ref_stft_process(&k, x, (int)got / words, y);
        fwrite(y, sizeof y[0], (size_t)(inv ? m : 2 * m), stdout);
        if (!inv)
            for (i = 0; i < k.frames; i++)
                fprintf(stderr, "exp %d\n", k.exp[i]);
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)(k.saturations + k.fft.saturations));
    return 0;
}
