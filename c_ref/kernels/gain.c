/* gain - reference C; see gain.h for the scaling statement and the argument order. */
#include "gain.h"

#include "fxsim_prim.h"

void ref_gain_init(ref_gain *k, int32_t g, int shift, int out_bits, int rounding, int overflow)
{
    k->g = g;
    k->shift = shift;
    k->out_bits = out_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    k->saturations = 0;
}

int ref_gain_process(ref_gain *k, const int32_t *x, int n, int32_t *y)
{
    int i;
    for (i = 0; i < n; i++) {
        int64_t p = fx_mul_round(x[i], k->g, k->shift, k->rounding);
        y[i] = (int32_t)fx_fit(p, k->out_bits, k->overflow, &k->saturations);
    }
    return n;
}
