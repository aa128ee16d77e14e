/* preemph / deemph - reference C; see emphasis.h for the scaling statement. */
#include "emphasis.h"

#include "fxsim_prim.h"

void ref_emphasis_init(ref_emphasis *k, int32_t c, int x_align, int c_shift, int recursive,
                       int out_bits, int rounding, int overflow)
{
    k->c = c;
    k->x_align = x_align;
    k->c_shift = c_shift;
    k->recursive = recursive;
    k->out_bits = out_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    k->mem = 0;
    k->saturations = 0;
}

void ref_emphasis_process(ref_emphasis *k, const int32_t *x, int32_t *y, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        int64_t acc = fx_mac_exact(fx_shr_round(x[i], -k->x_align, k->rounding), k->c, k->mem);
        y[i] = (int32_t)fx_fit(fx_shr_round(acc, k->c_shift, k->rounding), k->out_bits,
                               k->overflow, &k->saturations);
        k->mem = k->recursive ? y[i] : x[i];
    }
}
