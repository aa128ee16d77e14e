/*
 * vad / ns - reference C of the channel-energy VAD and noise suppressor (fxsim/kernels/channel.py,
 * channel_fixed.py): plain, one frame at a time; the generated C (templates/c99/channel.c.j2)
 * must equal it bit for bit, samples and per-frame decisions.
 *
 * Argument order, the same in every c_ref/kernels header (state first, named k):
 *   ref_channel_init(k, tw, win, suppress, out_frac, out_bits, rounding)
 *   int ref_channel_process(k, const int32_t *x, int n, int32_t *y): n Q15 samples in, the
 *       samples of the frames completed out (80 each, Q(out_frac) in out_bits); frame f's
 *       decisions in k->flags[f][0 .. 19] (speech, vm_sum, update, update_cnt, 16 SNR indices).
 *
 * Formats (channel_fixed.py): pre-emphasis Q22 units (0.8 in Q30); window edges Q24; the frame
 * normalised into 32-bit words and transformed by the real FFT of 128 (ref_rfft, block floating
 * point); energies int64 Q16 from the bins' top 24 bits, divided exactly by the bin count;
 * smoothing constants Q31 (split products); dB Q24 by fxm_log_q; gains Q15 by fxm_db_to_lin_q;
 * overlap-add and de-emphasis Q8; everything rounded by the design's rounding, the output
 * saturated.
 */
#ifndef FXSIM_REF_CHANNEL_H
#define FXSIM_REF_CHANNEL_H

#include <stdint.h>

#include "rfft.h"

#define REF_CH_FRAME 80
#define REF_CH_CHAN 16
#define REF_CH_MAX_FRAMES 1024

typedef struct {
    ref_rfft fwd, inv;
    const int32_t *win;                  /* the window's rising edge, 24 words Q24 */
    int suppress, out_frac, out_bits, rounding;
    int32_t in[REF_CH_FRAME];
    int fill, frames;
    int64_t count, pre_mem, de_mem, cnt_update, cnt_last, cnt_hyster;
    int64_t hist[24], tail[48], ch_enrg[REF_CH_CHAN], ch_noise[REF_CH_CHAN], long_db[REF_CH_CHAN];
    int flags[REF_CH_MAX_FRAMES][4 + REF_CH_CHAN];
    uint32_t saturations;
} ref_channel;

int ref_channel_init(ref_channel *k, const int32_t *tw, const int32_t *win, int suppress,
                     int out_frac, int out_bits, int rounding);
int ref_channel_process(ref_channel *k, const int32_t *x, int n, int32_t *y);

#endif
