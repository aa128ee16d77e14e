/* fft / ifft - reference C; see fft.h for the scaling statement and argument order. */
#include "fft.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_fft_init(ref_fft *k, const int32_t *tw, int n, int inverse, int mode, int word,
                 int in_complex, int rounding, int overflow)
{
    if (n < 16 || n > REF_FFT_MAX_N || (n & (n - 1)) != 0)
        return -1;
    memset(k, 0, sizeof *k);
    k->tw = tw;
    k->n = n;
    k->inverse = inverse;
    k->mode = mode;
    k->word = word;
    k->in_complex = in_complex;
    k->rounding = rounding;
    k->overflow = overflow;
    return 0;
}

static int64_t peak(const int64_t *w, int len)
{
    int64_t m = 0;
    int i;
    for (i = 0; i < len; i++) {
        int64_t v = w[i] < 0 ? -w[i] : w[i];
        if (v > m)
            m = v;
    }
    return m;
}

/* One frame: bit-reverse, then the radix-2 stages in place; returns the exponent. */
int ref_fft_transform(const int32_t *tw, int stride, int n, int inverse, int mode, int word,
                      int rounding, int overflow, int64_t *w, uint32_t *sat)
{
    const int guard = word - 2, frac = word - 1;
    const int64_t full = fx_max_int(word);
    const int64_t t1 = (full - 1) * 10000 / 24143, t2 = (2 * full - 2) * 10000 / 24143;
    int64_t tmp[2 * REF_FFT_MAX_N];
    int i, bits = 0, h, e = 0;
    while ((1 << bits) < n)
        bits++;
    for (i = 0; i < n; i++) {           /* natural order -> bit-reversed order */
        int r = 0, b, v = i;
        for (b = 0; b < bits; b++, v >>= 1)
            r = (r << 1) | (v & 1);
        tmp[2 * r] = w[2 * i];
        tmp[2 * r + 1] = w[2 * i + 1];
    }
    memcpy(w, tmp, (size_t)(2 * n) * sizeof w[0]);
    if (mode == 1) {                 /* block floating point: normalise the frame first */
        int64_t m = peak(w, 2 * n);
        int sh = 0;
        if (m > 0) {
            while ((m << (sh + 1)) <= (full - 1) / 2)
                sh++;
            for (i = 0; i < 2 * n; i++)
                w[i] = fx_shl64(w[i], sh);
            e -= sh;
        }
    }
    for (h = 1; h < n; h *= 2) {
        int g, j, s = mode == 0 ? 1 : 0;
        if (mode == 1) {
            int64_t m = peak(w, 2 * n);
            if (h <= 2) /* twiddles 1 and -i: a component at most doubles */
                s = m <= (full - 1) / 2 ? 0 : m <= full - 1 ? 1 : 2;
            else
                s = m <= t1 ? 0 : m <= t2 ? 1 : 2;
        }
        if (mode == 1)
            e += s;   /* "stage" scaling is static: in the format, not the exponent */
        for (g = 0; g < n; g += 2 * h) {
            for (j = 0; j < h; j++) {
                int idx = 2 * j * (n / (2 * h)) * stride;
                int64_t wr = tw[idx], wi = inverse ? -(int64_t)tw[idx + 1] : tw[idx + 1];
                int64_t *a = w + 2 * (g + j), *b = w + 2 * (g + j + h);
                int64_t tr = fx_shr_round(wr * b[0] - wi * b[1], frac - guard, rounding);
                int64_t ti = fx_shr_round(wr * b[1] + wi * b[0], frac - guard, rounding);
                int64_t ar = fx_shl64(a[0], guard), ai = fx_shl64(a[1], guard);
                a[0] = fx_fit(fx_shr_round(ar + tr, guard + s, rounding), word, overflow,
                              sat);
                a[1] = fx_fit(fx_shr_round(ai + ti, guard + s, rounding), word, overflow,
                              sat);
                b[0] = fx_fit(fx_shr_round(ar - tr, guard + s, rounding), word, overflow,
                              sat);
                b[1] = fx_fit(fx_shr_round(ai - ti, guard + s, rounding), word, overflow,
                              sat);
            }
        }
    }
    return e;
}

int ref_fft_process(ref_fft *k, const int32_t *x, int n, int32_t *y)
{
    int i, j, m = 0;
    k->frames = 0;
    for (i = 0; i < n; i++) {
        k->frame[2 * k->fill] = k->in_complex ? x[2 * i] : x[i];
        k->frame[2 * k->fill + 1] = k->in_complex ? x[2 * i + 1] : 0;
        if (++k->fill == k->n) {
            k->exp[k->frames] = ref_fft_transform(k->tw, 1, k->n, k->inverse, k->mode, k->word,
                                                  k->rounding, k->overflow, k->frame,
                                                  &k->saturations) + k->in_exp[k->frames];
            for (j = 0; j < 2 * k->n; j++)
                y[2 * m + j] = (int32_t)k->frame[j];
            k->frames++;
            m += k->n;
            k->fill = 0;
        }
    }
    return m;
}
