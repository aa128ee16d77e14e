/* Test driver for the reference C of the skeleton kernels (gain, preemph/deemph).
 * argv: kernel name, then its integer parameters; stdin: int32 samples; stdout: int32 outputs.
 * Samples are processed in calls of argv-given block length to exercise streaming. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/emphasis.h"
#include "kernels/gain.h"

#define MAXN 4096

int main(int argc, char **argv)
{
    static int32_t x[MAXN], y[MAXN];
    ref_gain g;
    ref_emphasis e;
    int block, is_gain;
    size_t got;
    if (argc < 2)
        return 2;
    is_gain = !strcmp(argv[1], "gain");
    if (is_gain && argc == 8) {
        ref_gain_init(&g, (int32_t)atol(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                      atoi(argv[6]));
        block = atoi(argv[7]);
    } else if (!is_gain && argc == 10) {
        ref_emphasis_init(&e, (int32_t)atol(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                          atoi(argv[6]), atoi(argv[7]), atoi(argv[8]));
        block = atoi(argv[9]);
    } else {
        return 2;
    }
    if (block < 1 || block > MAXN)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        if (is_gain)
            ref_gain_process(&g, x, y, (int)got);
        else
            ref_emphasis_process(&e, x, y, (int)got);
        fwrite(y, sizeof y[0], got, stdout);
    }
    return 0;
}
