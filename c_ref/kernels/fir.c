/* fir / decimate / interpolate - reference C; see fir.h for the structure and scaling. */
#include "fir.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_fir_init(ref_fir *f, const int32_t *h, int rows, int q, int step, int shift, int rounding,
                 int out_bits, int acc_bits, int overflow, int exact)
{
    if (q < 1 || q > REF_FIR_MAX_Q)
        return -1;
    f->h = h;
    f->rows = rows;
    f->q = q;
    f->step = step;
    f->shift = shift;
    f->rounding = rounding;
    f->out_bits = out_bits;
    f->acc_bits = acc_bits;
    f->overflow = overflow;
    f->exact = exact;
    memset(f->window, 0, sizeof f->window);
    f->phase = 0;
    f->saturations = 0;
    return 0;
}

/* One output: row `p` of the table against the window, oldest sample first. */
static int32_t ref_fir_dot(ref_fir *f, int p)
{
    const int32_t *h = f->h + p * f->q;
    int64_t acc = 0;
    int j;
    for (j = 0; j < f->q; j++) {
        if (f->exact)
            acc = fx_mac_exact(acc, h[j], f->window[j]);
        else
            acc = fx_mac(acc, h[j], f->window[j], f->acc_bits, f->overflow, &f->saturations);
    }
    return (int32_t)fx_fit(fx_shr_round(acc, f->shift, f->rounding), f->out_bits, f->overflow,
                           &f->saturations);
}

int ref_fir_process(ref_fir *f, const int32_t *x, int n, int32_t *y)
{
    int i, p, m = 0;
    for (i = 0; i < n; i++) {
        /* slide the window: drop the oldest input, append x[i] */
        memmove(f->window, f->window + 1, (size_t)(f->q - 1) * sizeof f->window[0]);
        f->window[f->q - 1] = x[i];
        if (f->phase == 0)
            for (p = 0; p < f->rows; p++)
                y[m++] = ref_fir_dot(f, p);
        f->phase = (f->phase + 1) % f->step;
    }
    return m;
}
