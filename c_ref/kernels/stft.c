/* stft / istft - reference C; see stft.h for the scaling statement and argument order. */
#include "stft.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_stft_init(ref_stft *k, const int32_t *tw, const int32_t *win, int n, int hop, int inverse,
                  int mode, int word, int static_exp, int out_frac, int out_bits, int rounding,
                  int overflow)
{
    memset(k, 0, sizeof *k);
    if (ref_rfft_init(&k->fft, tw, n, inverse, mode, word, rounding, overflow) != 0 || hop < 1 ||
        hop > n)
        return -1;
    k->win = win;
    k->n = n;
    k->hop = hop;
    k->inverse = inverse;
    k->word = word;
    k->static_exp = static_exp;
    k->out_frac = out_frac;
    k->out_bits = out_bits;
    k->rounding = rounding;
    k->overflow = overflow;
    return 0;
}

int ref_stft_process(ref_stft *k, const int32_t *x, int n, int32_t *y)
{
    const int f = k->word - 1, h = k->n / 2;
    int i, j, m = 0;
    k->frames = 0;
    for (i = 0; i < n; i++) {
        if (!k->inverse) {
            k->buf[k->fill++] = x[i];
            if (k->fill == k->n) {
                int64_t frame[REF_FFT_MAX_N];
                for (j = 0; j < k->n; j++)
                    frame[j] = fx_fit(fx_shr_round(k->buf[j] * k->win[j], f, k->rounding),
                                      k->word, k->overflow, &k->saturations);
                k->exp[k->frames++] = ref_rfft_forward(&k->fft, frame, y + 2 * m);
                m += h + 1;
                memmove(k->buf, k->buf + k->hop, (size_t)(k->n - k->hop) * sizeof k->buf[0]);
                k->fill = k->n - k->hop;
            }
        } else {
            k->buf[2 * k->fill] = x[2 * i];
            k->buf[2 * k->fill + 1] = x[2 * i + 1];
            if (++k->fill == h + 1) {
                int32_t out[REF_FFT_MAX_N];
                int e = ref_rfft_inverse(&k->fft, k->buf, out) + k->in_exp[k->frames] +
                        k->static_exp;
                int shift = 2 * f - e - k->out_frac - REF_STFT_GUARD;
                for (j = 0; j < k->n; j++)
                    k->acc[j] += fx_shr_round((int64_t)out[j] * k->win[j], shift, k->rounding);
                for (j = 0; j < k->hop; j++)
                    y[m + j] = (int32_t)fx_fit(fx_shr_round(k->acc[j], REF_STFT_GUARD, k->rounding),
                                               k->out_bits, k->overflow, &k->saturations);
                memmove(k->acc, k->acc + k->hop, (size_t)(k->n - k->hop) * sizeof k->acc[0]);
                memset(k->acc + k->n - k->hop, 0, (size_t)k->hop * sizeof k->acc[0]);
                m += k->hop;
                k->frames++;
                k->fill = 0;
            }
        }
    }
    return m;
}
