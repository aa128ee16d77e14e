/* fir overlap-save - reference C; see fir_ols.h for the scaling statement and argument order. */
#include "fir_ols.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_fir_ols_init(ref_fir_ols *k, const int32_t *tw, const int32_t *h, int n, int taps,
                     int word, int const_exp, int out_bits, int rounding, int overflow)
{
    memset(k, 0, sizeof *k);
    if (taps < 1 || taps >= n || ref_rfft_init(&k->fwd, tw, n, 0, 1, word, rounding, overflow) ||
        ref_rfft_init(&k->inv, tw, n, 1, 1, word, rounding, overflow))
        return -1;
    k->h = h;
    k->n = n;
    k->taps = taps;
    k->word = word;
    k->const_exp = const_exp;
    k->out_bits = out_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    return 0;
}

/* One block: the k->n inputs in k->buf -> n - taps + 1 outputs in y. */
static void block(ref_fir_ols *k, int32_t *y)
{
    const int half = k->n / 2, blk = k->n - k->taps + 1;
    const int64_t full = fx_max_int(k->word);
    int32_t bins[REF_FFT_MAX_N + 2], out[REF_FFT_MAX_N];
    int64_t prod[REF_FFT_MAX_N + 2], hi = 0, lo = 0;
    int i, e, s_y;
    e = ref_rfft_forward(&k->fwd, k->buf, bins);
    for (i = 0; i <= half; i++) {
        const int64_t xr = bins[2 * i], xi = bins[2 * i + 1], hr = k->h[2 * i], hm = k->h[2 * i + 1];
        prod[2 * i] = xr * hr - xi * hm;
        prod[2 * i + 1] = xr * hm + xi * hr;
        hi = prod[2 * i] > hi ? prod[2 * i] : hi;
        hi = prod[2 * i + 1] > hi ? prod[2 * i + 1] : hi;
        lo = prod[2 * i] < lo ? prod[2 * i] : lo;
        lo = prod[2 * i + 1] < lo ? prod[2 * i + 1] : lo;
    }
    s_y = fx_bit_length(hi > -lo ? hi : -lo) - (k->word - 1);
    if (s_y < 0)
        s_y = 0;
    while (fx_shr_round(hi, s_y, k->rounding) > full || fx_shr_round(lo, s_y, k->rounding) < -full - 1)
        s_y++;
    {
        int64_t ybins[REF_FFT_MAX_N + 2];
        for (i = 0; i < 2 * (half + 1); i++)
            ybins[i] = fx_shr_round(prod[i], s_y, k->rounding);
        e += s_y + k->const_exp + ref_rfft_inverse(&k->inv, ybins, out);
    }
    for (i = 0; i < blk; i++)
        y[i] = (int32_t)fx_fit(fx_shr_round(out[k->taps - 1 + i], -e, k->rounding), k->out_bits,
                               k->overflow, &k->saturations);
}

int ref_fir_ols_process(ref_fir_ols *k, const int32_t *x, int n, int32_t *y)
{
    const int blk = k->n - k->taps + 1;
    int i, m = 0;
    for (i = 0; i < n; i++) {
        k->buf[k->taps - 1 + k->fill] = x[i];
        if (++k->fill == blk) {
            block(k, y + m);
            m += blk;
            memmove(k->buf, k->buf + blk, (size_t)(k->taps - 1) * sizeof k->buf[0]);
            k->fill = 0;
        }
    }
    return m;
}
