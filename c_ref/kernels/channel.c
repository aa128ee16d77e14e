/* vad / ns - reference C; see channel.h for the formats and argument order. */
#include "channel.h"

#include <string.h>

#include "fxsim_math.h"
#include "fxsim_prim.h"

/* the standard's tables (TIA/IS-127): channel bins, inclusive, and the voice metric */
static const int LO[REF_CH_CHAN] = {2, 4, 6, 8, 10, 12, 14, 17, 20, 23, 27, 31, 36, 42, 49, 56};
static const int HI[REF_CH_CHAN] = {3, 5, 7, 9, 11, 13, 16, 19, 22, 26, 30, 35, 41, 48, 55, 63};
static const int VM[90] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7, 8, 8, 9,
    9, 10, 10, 11, 12, 12, 13, 13, 14, 15, 15, 16, 17, 17, 18, 19, 20, 20, 21, 22, 23, 24, 24,
    25, 26, 27, 28, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 37, 38, 39, 40, 41, 42, 43, 44, 45,
    46, 47, 48, 49, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50};

/* the constants of channel_fixed.py */
#define PRE_EMP_Q30 858993459
#define PRE_FRAC 22
#define WIN_FRAC 24
#define DATA_FRAC 46
#define OLA_FRAC 8
#define SMOOTH_Q31 1181116006
#define NOISE_Q31 214748365
#define DB_FRAC 24
#define MIN_ENRG 4096
#define INE (16 << 16)
#define SNR_OFFSET (3 << 20)
#define SNR_STEP (3 << 21)
#define ALPHA_HIGH 2126008812
#define ALPHA_LOW (1 << 30)
#define ALPHA_SLOPE 52613349
#define HIGH_TCE_DB ((int64_t)50 << DB_FRAC)
#define DEV_THLD ((int64_t)28 << DB_FRAC)
#define GAIN_SLOPE 6543114
#define MIN_GAIN (-((int64_t)13 << DB_FRAC))
#define DB_2 50504453

int ref_channel_init(ref_channel *k, const int32_t *tw, const int32_t *win, int suppress,
                     int out_frac, int out_bits, int rounding)
{
    memset(k, 0, sizeof *k);
    if (ref_rfft_init(&k->fwd, tw, 128, 0, 1, 32, rounding, 0) != 0 ||
        ref_rfft_init(&k->inv, tw, 128, 1, 1, 32, rounding, 0) != 0)
        return -1;
    k->win = win;
    k->suppress = suppress;
    k->out_frac = out_frac;
    k->out_bits = out_bits;
    k->rounding = rounding;
    return 0;
}

static int64_t mul_q31(int64_t a, int64_t c, int r)
{
    return fx_shr_round((a >> 24) * c, 7, r) + fx_shr_round((a & ((1 << 24) - 1)) * c, 31, r);
}

static int64_t db(int64_t x)           /* 10 log10(x / 2^16) in Q24 */
{
    const int s = fx_bit_length(x) > 31 ? fx_bit_length(x) - 31 : 0;
    return fxm_log_q(x >> s, 31, 16, FXM_DB, DB_FRAC, 32) + s * (int64_t)DB_2;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static void frame(ref_channel *k, const int32_t *x, int32_t *y, int *flags)
{
    const int r = k->rounding, first = k->count == 0;
    int64_t buf[128] = {0}, bins64[130], m = 0, prev, tce = 0, tne = 0, dev = 0, alpha, tce_db;
    int32_t w[128], bins[130];
    int i, c, j, sh, e, ei, ex, back, vm_sum = 0, update = 0, q[REF_CH_CHAN];
    for (i = 0; i < 24; i++)
        buf[i] = k->hist[i];
    prev = k->pre_mem;
    for (i = 0; i < 80; i++) {
        buf[24 + i] = fx_shr_round(fx_shl64(x[i], 30) - PRE_EMP_Q30 * prev, 30 - PRE_FRAC, r);
        prev = x[i];
    }
    k->pre_mem = prev;
    for (i = 0; i < 24; i++)
        k->hist[i] = buf[80 + i];
    for (i = 0; i < 104; i++)
        buf[i] = i < 24 ? buf[i] * k->win[i] : i >= 80 ? buf[i] * k->win[103 - i]
                                                       : fx_shl64(buf[i], WIN_FRAC);
    for (i = 0; i < 104; i++)
        m = max64(m, buf[i] < 0 ? -buf[i] : buf[i]);
    sh = m > 0 ? 31 - fx_bit_length(m) : 0;
    for (i = 0; i < 128; i++)
        buf[i] = fx_saturate(fx_shr_round(buf[i], -sh, r), 32, &k->saturations);
    e = ref_rfft_forward(&k->fwd, buf, bins);
    ex = e + 8 - (DATA_FRAC + sh) - 6;
    for (c = 0; c < REF_CH_CHAN; c++) {
        int64_t acc = 0, v;
        for (j = LO[c]; j <= HI[c]; j++) {
            const int64_t br = fx_shr_round(bins[2 * j], 8, r), bi = fx_shr_round(bins[2 * j + 1], 8, r);
            acc += br * br + bi * bi;
        }
        v = fx_shr_round(fx_div_round(fx_shl64(acc, 12), HI[c] - LO[c] + 1, r), -4 - 2 * ex, r);
        k->ch_enrg[c] = max64(first ? v : k->ch_enrg[c] + mul_q31(v - k->ch_enrg[c], SMOOTH_Q31, r),
                              MIN_ENRG);
        if (k->count < 4)
            k->ch_noise[c] = max64(k->ch_enrg[c], INE);
    }
    for (c = 0; c < REF_CH_CHAN; c++) {
        const int64_t ed = db(k->ch_enrg[c]);
        const int64_t snr = max64(ed - db(k->ch_noise[c]), 0);
        q[c] = (int)((snr + SNR_OFFSET) / SNR_STEP);
        vm_sum += VM[q[c] < 89 ? q[c] : 89];
        tce += k->ch_enrg[c];
        tne += k->ch_noise[c];
        if (first)
            k->long_db[c] = ed;
        dev += k->long_db[c] > ed ? k->long_db[c] - ed : ed - k->long_db[c];
    }
    tce_db = db(tce);
    alpha = ALPHA_HIGH - fx_shr_round((HIGH_TCE_DB - tce_db) * ALPHA_SLOPE, DB_FRAC, r);
    alpha = alpha < ALPHA_LOW ? ALPHA_LOW : alpha > ALPHA_HIGH ? ALPHA_HIGH : alpha;
    for (c = 0; c < REF_CH_CHAN; c++)
        k->long_db[c] = fx_shr_round(alpha * k->long_db[c] + (((int64_t)1 << 31) - alpha) *
                                     db(k->ch_enrg[c]), 31, r);
    if (vm_sum <= 35) {
        update = 1;
        k->cnt_update = 0;
    } else if (tce > (1 << 16) && dev < DEV_THLD) {
        k->cnt_update++;
        update = k->cnt_update >= 50;
    }
    k->cnt_hyster = k->cnt_update == k->cnt_last ? k->cnt_hyster + 1 : 0;
    k->cnt_last = k->cnt_update;
    if (k->cnt_hyster > 6)
        k->cnt_update = 0;
    flags[0] = vm_sum > 35;
    flags[1] = vm_sum;
    flags[2] = update;
    flags[3] = (int)k->cnt_update;
    for (c = 0; c < REF_CH_CHAN; c++)
        flags[4 + c] = q[c];
    if (k->suppress) {
        int noise_like = 0;
        const int64_t g_floor = max64(-db(tne), MIN_GAIN);
        for (c = 5; c < REF_CH_CHAN; c++)
            noise_like += q[c] >= 12;
        for (c = 0; c < REF_CH_CHAN; c++) {
            int64_t qc = q[c], gain_db, g;
            if (noise_like < 5 && (vm_sum <= 45 || qc <= 12))
                qc = 1;
            gain_db = (max64(qc, 6) - 6) * GAIN_SLOPE + g_floor;
            if (gain_db >= 0)
                continue;
            g = fxm_db_to_lin_q(gain_db, DB_FRAC, 15, 17);
            for (j = LO[c]; j <= HI[c]; j++) {
                bins[2 * j] = (int32_t)fx_mul_round(bins[2 * j], g, 15, r);
                bins[2 * j + 1] = (int32_t)fx_mul_round(bins[2 * j + 1], g, 15, r);
            }
        }
    }
    if (update)
        for (c = 0; c < REF_CH_CHAN; c++)
            k->ch_noise[c] = max64(k->ch_noise[c] + mul_q31(k->ch_enrg[c] - k->ch_noise[c], NOISE_Q31, r),
                                   MIN_ENRG);
    for (i = 0; i < 130; i++)
        bins64[i] = bins[i];
    ei = ref_rfft_inverse(&k->inv, bins64, w);
    back = ei - 6 + e - (DATA_FRAC + sh) + OLA_FRAC;
    prev = k->de_mem;
    for (i = 0; i < 80; i++) {
        int64_t v = fx_shr_round(w[i], -back, r) + (i < 48 ? k->tail[i] : 0);
        prev = v + fx_shr_round(PRE_EMP_Q30 * prev, 30, r);
        y[i] = (int32_t)fx_saturate(fx_shr_round(prev, OLA_FRAC + 15 - k->out_frac, r), k->out_bits,
                                    &k->saturations);
    }
    k->de_mem = prev;
    for (i = 0; i < 48; i++)
        k->tail[i] = fx_shr_round(w[80 + i], -back, r);
    k->count++;
}

int ref_channel_process(ref_channel *k, const int32_t *x, int n, int32_t *y)
{
    int i, m = 0;
    k->frames = 0;
    for (i = 0; i < n; i++) {
        k->in[k->fill++] = x[i];
        if (k->fill == REF_CH_FRAME) {
            frame(k, k->in, y + m, k->flags[k->frames]);
            k->frames++;
            m += REF_CH_FRAME;
            k->fill = 0;
        }
    }
    return m;
}
