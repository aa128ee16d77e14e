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

/* The frame's peaks: *m the largest component magnitude, *m2 the top half (>> 16) of the largest
 * squared magnitude in units of 2^(2r), r = word - 16 (components rounded up to a multiple of
 * 2^r). */
static void peaks(const int64_t *w, int n, int word, int64_t *m, int64_t *m2)
{
    const int r = word - 16;
    int i;
    *m = 0;
    *m2 = 0;
    for (i = 0; i < 2 * n; i += 2) {
        int64_t a = w[i] < 0 ? -w[i] : w[i], b = w[i + 1] < 0 ? -w[i + 1] : w[i + 1];
        if (a > *m)
            *m = a;
        if (b > *m)
            *m = b;
        if (r > 0) {
            a = (a >> r) + 1;
            b = (b >> r) + 1;
        }
        if ((a * a + b * b) >> 16 > *m2)
            *m2 = (a * a + b * b) >> 16;
    }
}

/* Whether a stage's outputs fit the word after a right shift by s (fft.h). */
static int shift_fits(int64_t m, int64_t m2, int word, int s, int radix, int trivial)
{
    const int64_t full = fx_max_int(word);
    int64_t a, q;
    if (trivial)
        return radix * m <= (full << s);
    a = ((full << s) - 1) >> (word - 16);
    q = REF_FFT_ROT_SQ * ((m2 << 16) | 0xFFFF);   /* the square's bound 2^16 M2 + 2^16 - 1 */
    return q + (q >> REF_FFT_ROT_SQ_SHIFT) + 1 <= a * a;
}

static int stage_shift(int64_t m, int64_t m2, int word, int radix, int trivial, int mode)
{
    int s;
    if (mode != 1)
        return mode == 0 ? (radix == 2 ? 1 : 2) : 0;
    for (s = 0; s < 3; s++)
        if (shift_fits(m, m2, word, s, radix, trivial))
            return s;
    return 3;
}

/* An output y / 2^sh rounded as fxsim's FFT rounds (fft.h): nearest (ties up) for "nearest" and
 * "convergent", ceil, floor, or zero (its own rule). */
int64_t ref_fft_round_out(int64_t y, int sh, int rounding)
{
    return fx_shr_round(y + fx_round_carry(rounding, sh), sh, fx_round_carry_mode(rounding));
}

/* W x floored to F + G fraction bits (G = word - 3), or exactly x 2^G when j < 0 (W = 1). */
static void twiddle_mul(const int32_t *tw, int j, int inverse, int word,
                        int64_t xr, int64_t xi, int64_t *tr, int64_t *ti)
{
    const int g = word - 3, f = word - 1;
    int64_t wr, wi;
    if (j < 0) {
        *tr = fx_shl64(xr, g);
        *ti = fx_shl64(xi, g);
        return;
    }
    wr = tw[j];
    wi = inverse ? -(int64_t)tw[j + 1] : tw[j + 1];
    *tr = fx_shr_round(wr * xr - wi * xi, f - g, FX_FLOOR);
    *ti = fx_shr_round(wr * xi + wi * xr, f - g, FX_FLOOR);
}

/* One frame: bit-reverse, then a radix-2 stage when log2 n is odd and radix-4 stages (fft.h);
 * returns the exponent. */
int ref_fft_transform(const int32_t *tw, int stride, int n, int inverse, int mode, int word,
                      int rounding, int overflow, int64_t *w, uint32_t *sat)
{
    const int g = word - 3;
    int64_t tmp[2 * REF_FFT_MAX_N], m = 0, m2 = 0;
    int i, bits = 0, h = 1, e = 0, s;
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
        const int radix = bits & 1 ? 2 : 4;
        int sh = 0;
        peaks(w, n, word, &m, &m2);
        if (m > 0) {
            while (radix * (m << (sh + 1)) <= fx_max_int(word))
                sh++;
            for (i = 0; i < 2 * n; i++)
                w[i] = fx_shl64(w[i], sh);
            m <<= sh;
            e -= sh;
        }
    }
    if (bits & 1) {                  /* radix 2, span 1, twiddle 1 */
        s = stage_shift(m, m2, word, 2, 1, mode);
        for (i = 0; i < 2 * n; i += 4) {
            int c;
            for (c = 0; c < 2; c++) {
                const int64_t a = w[i + c], b = w[i + 2 + c];
                w[i + c] = fx_fit(ref_fft_round_out(a + b, s, rounding), word, overflow, sat);
                w[i + 2 + c] = fx_fit(ref_fft_round_out(a - b, s, rounding), word, overflow, sat);
            }
        }
        e += mode == 1 ? s : 0;
        if (mode == 1)
            peaks(w, n, word, &m, &m2);
        h = 2;
    }
    for (; h < n; h *= 4) {
        const int q = n / (4 * h) * stride;
        int k, grp;
        s = stage_shift(m, m2, word, 4, h == 1, mode);
        for (k = 0; k < h; k++) {
            const int j = 2 * k * q;     /* W^k at tw[j], W^2k at tw[2j], W^3k at tw[3j] */
            for (grp = 0; grp < n; grp += 4 * h) {
                int64_t *a = w + 2 * (grp + k), *b = a + 2 * h, *c = a + 4 * h, *d = a + 6 * h;
                int64_t br, bi, cr, ci, dr, di, y[8];
                const int64_t ar = fx_shl64(a[0], g), ai = fx_shl64(a[1], g);
                int t;
                twiddle_mul(tw, k ? 2 * j : -1, inverse, word, b[0], b[1], &br, &bi);
                twiddle_mul(tw, k ? j : -1, inverse, word, c[0], c[1], &cr, &ci);
                twiddle_mul(tw, k ? 3 * j : -1, inverse, word, d[0], d[1], &dr, &di);
                {
                    /* -i (C - D) forward, +i (C - D) inverse: (er, ei) below is C - D, negated
                     * for the inverse, and -i (er + i ei) = (ei, -er) */
                    const int64_t pr = ar + br, pi = ai + bi, mr = ar - br, mi = ai - bi;
                    const int64_t sr = cr + dr, si = ci + di;
                    const int64_t er = inverse ? dr - cr : cr - dr, ei = inverse ? di - ci : ci - di;
                    y[0] = pr + sr;
                    y[1] = pi + si;
                    y[2] = mr + ei;
                    y[3] = mi - er;
                    y[4] = pr - sr;
                    y[5] = pi - si;
                    y[6] = mr - ei;
                    y[7] = mi + er;
                }
                for (t = 0; t < 8; t++) {
                    int64_t *dst = (t < 2 ? a : t < 4 ? b : t < 6 ? c : d) + t % 2;
                    *dst = fx_fit(ref_fft_round_out(y[t], g + s, rounding), word, overflow, sat);
                }
            }
        }
        e += mode == 1 ? s : 0;
        if (mode == 1)
            peaks(w, n, word, &m, &m2);
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
