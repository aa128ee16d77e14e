/* preemph / deemph - reference C; see emphasis.h for the scaling statement and argument order. */
#include "emphasis.h"

#include "fxsim_prim.h"

void ref_emphasis_init(ref_emphasis *k, int32_t c, int recursive, int feedback, int x_align,
                       int c_shift, int out_bits, int rounding, int overflow)
{
    k->c = c;
    k->recursive = recursive;
    k->feedback = feedback;
    k->x_align = x_align;
    k->c_shift = c_shift;
    k->out_bits = out_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    k->mem = 0;
    k->err = 0;
    k->saturations = 0;
}

int ref_emphasis_process(ref_emphasis *k, const int32_t *x, int n, int32_t *y)
{
    int i;
    for (i = 0; i < n; i++) {
        int64_t acc = fx_mac_exact(fx_shr_round(x[i], -k->x_align, k->rounding), k->c, k->mem);
        int64_t q;
        if (k->feedback)
            acc += k->err;
        q = fx_shr_round(acc, k->c_shift, k->rounding);
        k->err = acc - fx_shl64(q, k->c_shift);
        y[i] = (int32_t)fx_fit(q, k->out_bits, k->overflow, &k->saturations);
        k->mem = k->recursive ? y[i] : x[i];
    }
    return n;
}
