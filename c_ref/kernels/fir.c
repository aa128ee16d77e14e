/* fir / decimate / interpolate - reference C; see fir.h for the structure, scaling and argument
 * order. */
#include "fir.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_fir_init(ref_fir *k, const int32_t *h, int rows, int q, int step, int shift, int out_bits,
                 int acc_bits, int rounding, int overflow, int exact, int pshift)
{
    if (q < 1 || q > REF_FIR_MAX_Q)
        return -1;
    k->h = h;
    k->rows = rows;
    k->q = q;
    k->step = step;
    k->shift = shift;
    k->out_bits = out_bits;
    k->acc_bits = acc_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    k->exact = exact;
    k->pshift = pshift;
    memset(k->window, 0, sizeof k->window);
    k->phase = 0;
    k->saturations = 0;
    return 0;
}

/* One output: row `p` of the table against the window, oldest sample first. */
static int32_t ref_fir_dot(ref_fir *k, int p)
{
    const int32_t *h = k->h + p * k->q;
    int64_t acc = 0;
    int j;
    for (j = 0; j < k->q; j++) {
        if (k->exact)
            acc = fx_mac_shr(acc, h[j], k->window[j], k->pshift);
        else
            acc = fx_add(acc, fx_mul_round(h[j], k->window[j], k->pshift, FX_FLOOR), k->acc_bits,
                         k->overflow, &k->saturations);
    }
    return (int32_t)fx_fit(fx_shr_round(acc, k->shift, k->rounding), k->out_bits, k->overflow,
                           &k->saturations);
}

int ref_fir_process(ref_fir *k, const int32_t *x, int n, int32_t *y)
{
    int i, p, m = 0;
    for (i = 0; i < n; i++) {
        /* slide the window: drop the oldest input, append x[i] */
        memmove(k->window, k->window + 1, (size_t)(k->q - 1) * sizeof k->window[0]);
        k->window[k->q - 1] = x[i];
        if (k->phase == 0)
            for (p = 0; p < k->rows; p++)
                y[m++] = ref_fir_dot(k, p);
        k->phase = (k->phase + 1) % k->step;
    }
    return m;
}
