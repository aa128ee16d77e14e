/* rfft / irfft - reference C; see rfft.h for the scaling statement and argument order. */
#include "rfft.h"

#include <string.h>

#include "fxsim_prim.h"

int ref_rfft_init(ref_rfft *k, const int32_t *tw, int n, int inverse, int mode, int word,
                  int rounding, int overflow)
{
    if (n < 16 || n > REF_FFT_MAX_N || (n & (n - 1)) != 0)
        return -1;
    memset(k, 0, sizeof *k);
    k->tw = tw;
    k->n = n;
    k->inverse = inverse;
    k->mode = mode;
    k->word = word;
    k->rounding = rounding;
    k->overflow = overflow;
    return 0;
}

/* The shift of a split / merge step over len words (the FFT's rule). */
static int step_shift(const ref_rfft *k, const int64_t *w, int len)
{
    const int64_t full = fx_max_int(k->word);
    int64_t m = 0;
    int i;
    if (k->mode != 1)
        return k->mode == 0 ? 1 : 0;
    for (i = 0; i < len; i++)
        if ((w[i] < 0 ? -w[i] : w[i]) > m)
            m = w[i] < 0 ? -w[i] : w[i];
    return m <= (full - 1) * 10000 / 24143 ? 0 : m <= (2 * full - 2) * 10000 / 24143 ? 1 : 2;
}

/* t = W p at F + G fraction bits: each exact product floored (two Q31 products may not sum
 * inside int64); W = sign exactly where edge. */
static void rotation(const ref_rfft *k, int64_t pr, int64_t pi, int64_t wr, int64_t wi, int edge,
                     int64_t sign, int64_t *tr, int64_t *ti)
{
    const int g = k->word - 3, f = k->word - 1;  /* sums fit int32 (Q15) and int64 (Q31) */
    if (edge) {
        *tr = fx_shl64(pr, g) * sign;
        *ti = fx_shl64(pi, g) * sign;
    } else {
        *tr = fx_shr_round(wr * pr, f - g, FX_FLOOR) - fx_shr_round(wi * pi, f - g, FX_FLOOR);
        *ti = fx_shr_round(wr * pi, f - g, FX_FLOOR) + fx_shr_round(wi * pr, f - g, FX_FLOOR);
    }
}

/* One output: (E2 2^G + t) / 2^(G + 1 + s), rounded, fitted. */
static void step_out(ref_rfft *k, int64_t er2, int64_t ei2, int64_t tr, int64_t ti, int s,
                     int64_t *re, int64_t *im)
{
    const int g = k->word - 3;
    *re = fx_fit(ref_fft_round_out(fx_shl64(er2, g) + tr, g + 1 + s, k->rounding), k->word,
                 k->overflow, &k->saturations);
    *im = fx_fit(ref_fft_round_out(fx_shl64(ei2, g) + ti, g + 1 + s, k->rounding), k->word,
                 k->overflow, &k->saturations);
}

int ref_rfft_forward(ref_rfft *k, const int64_t *frame, int32_t *y)
{
    const int h = k->n / 2;
    int64_t z[REF_FFT_MAX_N];
    int i, e, s;
    memcpy(z, frame, (size_t)k->n * sizeof z[0]);     /* x[2m] + i x[2m+1], natural order */
    e = ref_fft_transform(k->tw, 2, h, 0, k->mode, k->word, k->rounding, k->overflow, z,
                          &k->saturations);
    s = step_shift(k, z, k->n);
    /* bins i and h - i share E2 (conjugated) and t: X[h - i] = (E2 - t)* / 2 (rfft.h) */
    for (i = 0; i <= h; i++) {
        const int a = 2 * (i % h), b = 2 * ((h - i) % h);
        const int mirror = i > h / 2 && i < h;        /* from bin h - i's rotation */
        const int owner = mirror ? h - i : i;    /* the bin whose rotation serves */
        const int64_t er2 = z[a] + z[b], ei2 = z[a + 1] - z[b + 1];
        int64_t tr, ti, re, im;
        if (mirror) {       /* bin h - i's parts: A = Z[h - i], B = Z*[i] */
            rotation(k, z[b + 1] + z[a + 1], z[a] - z[b], k->tw[2 * owner],
                     k->tw[2 * owner + 1], 0, 1, &tr, &ti);
            step_out(k, er2, ei2, -tr, ti, s, &re, &im);
        } else {
            rotation(k, z[a + 1] + z[b + 1], z[b] - z[a], i < h ? k->tw[2 * i] : 0,
                     i < h ? k->tw[2 * i + 1] : 0, i == 0 || i == h, i == 0 ? 1 : -1, &tr, &ti);
            step_out(k, er2, ei2, tr, ti, s, &re, &im);
        }
        y[2 * i] = (int32_t)re;
        y[2 * i + 1] = (int32_t)im;
    }
    return e + (k->mode == 1 ? s : 0);
}

int ref_rfft_inverse(ref_rfft *k, const int64_t *bins, int32_t *y)
{
    const int h = k->n / 2;
    const int64_t *x = bins;
    int64_t z[REF_FFT_MAX_N];
    int i, e, s = step_shift(k, x, 2 * (h + 1));
    for (i = 0; i < h; i++) {
        const int64_t ar = x[2 * i], ai = x[2 * i + 1], br = x[2 * (h - i)],
                      bi = -x[2 * (h - i) + 1];
        /* Z = E + i O: the rotation by conj(W) applied to i (X[k] - X*[n/2-k]) */
        int64_t tr, ti;
        rotation(k, -(ai - bi), ar - br, k->tw[2 * i], -(int64_t)k->tw[2 * i + 1], i == 0, 1, &tr,
                 &ti);
        step_out(k, ar + br, ai + bi, tr, ti, s, &z[2 * i], &z[2 * i + 1]);
    }
    e = ref_fft_transform(k->tw, 2, h, 1, k->mode, k->word, k->rounding, k->overflow, z,
                          &k->saturations);
    for (i = 0; i < k->n; i++)
        y[i] = (int32_t)z[i];
    return e + (k->mode == 1 ? s : 0);
}

int ref_rfft_process(ref_rfft *k, const int32_t *x, int n, int32_t *y)
{
    const int per = k->inverse ? k->n / 2 + 1 : k->n;    /* input samples per frame */
    const int words = k->inverse ? 2 : 1;
    int i, j, m = 0;
    k->frames = 0;
    for (i = 0; i < n; i++) {
        for (j = 0; j < words; j++)
            k->frame[words * k->fill + j] = x[words * i + j];
        if (++k->fill == per) {
            if (k->inverse) {
                k->exp[k->frames] = ref_rfft_inverse(k, k->frame, y + m) + k->in_exp[k->frames];
                m += k->n;
            } else {
                k->exp[k->frames] = ref_rfft_forward(k, k->frame, y + 2 * m);
                m += k->n / 2 + 1;
            }
            k->frames++;
            k->fill = 0;
        }
    }
    return m;
}
