/* Test driver for the reference C of the skeleton kernels (gain, preemph/deemph).
 * argv: kernel name, then its init parameters in the init order (see c_ref/kernels/gain.h):
 *   gain:             g shift out_bits rounding overflow block
 *   preemph / deemph: c recursive feedback x_align c_shift out_bits rounding overflow block
 * stdin: int32 samples; stdout: int32 outputs; stderr: "saturations N" at the end.
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
    int block, is_gain, m;
    size_t got;
    if (argc < 2)
        return 2;
    is_gain = !strcmp(argv[1], "gain");
    if (is_gain && argc == 8) {
        ref_gain_init(&g, (int32_t)atol(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                      atoi(argv[6]));
        block = atoi(argv[7]);
    } else if (!is_gain && argc == 11) {
        ref_emphasis_init(&e, (int32_t)atol(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                          atoi(argv[6]), atoi(argv[7]), atoi(argv[8]), atoi(argv[9]));
        block = atoi(argv[10]);
    } else {
        return 2;
    }
    if (block < 1 || block > MAXN)
        return 2;
    while ((got = fread(x, sizeof x[0], (size_t)block, stdin)) > 0) {
        if (is_gain)
            m = ref_gain_process(&g, x, (int)got, y);
        else
            m = ref_emphasis_process(&e, x, (int)got, y);
        if (m != (int)got)
            return 3;
        fwrite(y, sizeof y[0], (size_t)m, stdout);
    }
    fprintf(stderr, "saturations %lu\n",
            (unsigned long)(is_gain ? g.saturations : e.saturations));
    return 0;
}
