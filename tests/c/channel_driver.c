/* Test driver for the reference C of the channel-energy VAD / noise suppressor
 * (c_ref/kernels/channel.c).
 * argv: suppress out_frac out_bits rounding block
 * stdin: 192 int32 twiddles (the 128-point table, Q31), 24 int32 window words (Q24), then int32
 * Q15 samples. stdout: int32 output samples; stderr: "flags f0 .. f19" per frame and
 * "saturations N" at the end. Calls of `block` samples. */
#include <stdio.h>
#include <stdlib.h>

#include "kernels/channel.h"

#define MAXN 8192

int main(int argc, char **argv)
{
    static int32_t tw[192], win[24], x[MAXN], y[MAXN + 80];
    static ref_channel k;
    int block, i, j;
    size_t got;
    if (argc != 6)
        return 2;
    block = atoi(argv[5]);
    if (block < 1 || block > MAXN)
        return 2;
    if (fread(tw, sizeof tw[0], 192, stdin) != 192 || fread(win, sizeof win[0], 24, stdin) != 24)
        return 2;
    if (ref_channel_init(&k, tw, win, atoi(argv[1]), atoi(argv[2]), atoi(argv[3]),
                         atoi(argv[4])) != 0)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        const int m = ref_channel_process(&k, x, (int)got, y);
        fwrite(y, sizeof y[0], (size_t)m, stdout);
        for (i = 0; i < k.frames; i++) {
            fprintf(stderr, "flags");
            for (j = 0; j < 4 + REF_CH_CHAN; j++)
                fprintf(stderr, " %d", k.flags[i][j]);
            fprintf(stderr, "\n");
        }
    }
    fprintf(stderr, "saturations %lu\n", (unsigned long)k.saturations);
    return 0;
}
