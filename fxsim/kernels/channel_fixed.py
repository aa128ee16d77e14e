"""The channel-energy VAD and noise suppressor (``channel_ref.py`` gives the algorithm and its
constants) in fixed point, on fxsim's primitives, its real FFT and fxmath only.

Data: Q15 samples in; out in any signed 16- or 32-bit format (``out_frac``, ``out_bits``: Q15 by
default; Q1.30 keeps the output's precision and the float's overshoot). An integer input sample is
the standard's "16-bit integer unit". Formats (every constant rounded to nearest from
the standard's value):

  pre-emphasis      p = round((x[n] 2^30 - 858993459 x[n-1]) / 2^8): Q22 units (0.8 in Q30)
  window            its edges in Q24 (24 samples each side, sin^2), exactly 1 in the middle:
                    d = p w, Q46 units (int64, exact)
  normalisation     the 104 samples rounded into int32 words, the largest in [2^30, 2^31):
                    frame = d 2^sh
  FFT               the 128-point real FFT of fxsim (``rfft_frame``) on 32-bit words, block
                    floating point: DFT(frame) = B 2^e, so the standard's X = DFT(d 2^-46) / 64
  channel energy    E = mean over the channel's bins of |X|^2, from b = round(B / 2^8): the
                    exact sum of b_re^2 + b_im^2 (< 2^49), divided by the bin count (rounded),
                    scaled by the exponents: int64 in Q16 of the standard's units (energies span
                    2^-4 .. 2^33: 37 bits and the fraction)
  smoothing         ch_enrg += (E - ch_enrg) 0.55, ch_noise += (ch_enrg - ch_noise) 0.1, the
                    constants in Q31 (``mul_q31``), at least 0.0625 (4096)
  dB                10 log10 in Q24 (int32, +-128 dB): fxmath's table-based log of the energy's
                    top 31 bits, the dropped shift k added back as k 10 log10 2
  SNR index         q = floor((max(0, enrg_db - noise_db) + 0.1875) / 0.375), exact in Q24
  long-term dB      alpha = 0.99 - 0.0245 (50 - tce_db) in Q31, clamped to [0.5, 0.99];
                    long = round((alpha long + (1 - alpha) db) / 2^31)
  gain              gain_db = min(0, (q - 6) 0.39 + g_floor) in Q24, g_floor =
                    max(-13, -10 log10(tne)); linear gain by fxmath's 10^(x/20) in Q15 (1.0 is
                    32768, and a gain of 0 dB is not applied); each bin B' = round(B gain / 2^15)
  inverse           ``irfft_frame`` (32-bit words, block floating point), back to the standard's
                    units by the exponents in Q8; overlap-add in Q8 (int64)
  de-emphasis       o[n] = y[n] + round(0.8 o[n-1]) (0.8 in Q30), Q8; the output rounded to
                    Q(out_frac) and saturated

With every gain at 1 and a Q15 output (rounding to nearest) the output is the input delayed by 24
samples, exactly. Everything rounds by the design's rounding (fxmath's log and 10^(x/20) to
nearest) and the output saturates. The decisions (speech flag, vm_sum, update flag and count, SNR
indices) are integers; they equal the float64 reference's on every frame of the test material
(benchmarks/bench_vad.py).
"""
from __future__ import annotations

import numba as nb
import numpy as np

from .. import fxmath as M
from .. import primitives as P
from .. import tables as T
from . import channel_ref as R
from .fft import BFP, irfft_frame, rfft_frame, twiddles

Q15 = 1 << 15
WORD = 32                                             # the FFT's words
PRE_EMP_Q30 = 858993459                               # 0.8 in Q30
PRE_FRAC, WIN_FRAC = 22, 24                           # pre-emphasised samples, window
DATA_FRAC = PRE_FRAC + WIN_FRAC                       # the windowed samples' fraction bits
OLA_FRAC = 8                                          # overlap-add and de-emphasis
Q31 = 1 << 31
SMOOTH_Q31 = 1181116006                               # 0.55 (channel energy smoothing)
NOISE_Q31 = 214748365                                 # 0.1 (noise estimate smoothing)
DB_FRAC = 24                                          # dB values in Q24 (int32: +-128 dB)
MIN_ENRG_Q16 = 4096                                   # 0.0625
INE_Q16 = 16 << 16
SNR_OFFSET, SNR_STEP = 3 << (DB_FRAC - 4), 3 << (DB_FRAC - 3)   # 0.1875, 0.375 dB
ALPHA_HIGH, ALPHA_LOW = 2126008812, 1 << 30           # 0.99, 0.5 in Q31
ALPHA_SLOPE = 52613349                                # 0.0245 in Q31
HIGH_TCE_DB = 50 << DB_FRAC
DEV_THLD = 28 << DB_FRAC
NOISE_FLOOR_Q16 = 1 << 16
GAIN_SLOPE = 6543114                                  # 0.39 dB per index, Q24
MIN_GAIN = -13 << DB_FRAC
DB_2 = 50504453                                       # 10 log10 2 in Q24


@nb.njit(cache=True)
def mul_q31(a, k, rounding):
    """a k / 2^31 for |a| < 2^55 and a Q31 constant 0 <= k < 2^31: a split at 24 bits so that
    both partial products fit int64, each rounded (within 1 unit of the exact product)."""
    ah = a >> 24
    al = a & ((np.int64(1) << 24) - 1)
    return P.mul_round(ah, k, 7, rounding) + P.mul_round(al, k, 31, rounding)


#: state: scalars (frames, pre_mem, de_mem, update_cnt, last_update_cnt, hyster_cnt)
FRAMES, PRE_MEM, DE_MEM, UPDATE_CNT, LAST_CNT, HYSTER = range(6)


def window_edge() -> np.ndarray:
    """The window's rising edge in Q24 (the falling edge is its mirror, the middle exactly 1)."""
    return np.round(R.window()[: R.DELAY] * (1 << WIN_FRAC)).astype(np.int64)


@nb.njit(cache=True)
def db_q(x, log_table):
    """10 log10(x / 2^16) in Q24 for x > 0 (an energy in Q16, int64): the top 31 bits of x
    through fxmath's log, the dropped shift k added back as k 10 log10 2."""
    k = max(0, P.bit_length(x) - 31)
    return M.log_q(x >> k, 31, 16, M.DB, DB_FRAC, 32, log_table) + k * DB_2


@nb.njit(cache=True)
def ns_frame(x, out, flags, scal, hist, tail, ch_enrg, ch_noise, long_db, win, lo, hi,
             vm_table, tw, work, frame, bins, log_table, pow_table, suppress, rounding, out_frac,
             out_bits):
    """One frame: 80 Q15 samples x -> 80 samples out in Q(out_frac), out_bits; flags = (speech,
    vm_sum, update, update_cnt, 16 SNR indices). Returns the saturations."""
    n, rnd = R.FFT_LEN, rounding
    sat = 0
    buf = np.zeros(n, dtype=np.int64)
    buf[: R.DELAY] = hist                                   # 2. the kept samples, then new ones
    prev = scal[PRE_MEM]
    for i in range(R.FRM_LEN):                              # 1. pre-emphasis, Q22 units
        buf[R.DELAY + i] = P.shr_round(P.mac_exact(P.shr_round(x[i], -30, P.FLOOR),
                                                   -PRE_EMP_Q30, prev), 30 - PRE_FRAC, rnd)
        prev = x[i]
    scal[PRE_MEM] = prev
    hist[:] = buf[R.FRM_LEN: R.WINDOW_LEN]
    for i in range(R.WINDOW_LEN):                           # 3. window: Q(22 + 24) units
        if i < R.DELAY:
            buf[i] = P.mac_exact(0, buf[i], win[i])
        elif i >= R.FRM_LEN:
            buf[i] = P.mac_exact(0, buf[i], win[R.WINDOW_LEN - 1 - i])
        else:
            buf[i] = P.shr_round(buf[i], -WIN_FRAC, P.FLOOR)
    m = np.int64(0)                                         # normalise into int32 words
    for i in range(R.WINDOW_LEN):
        m = max(m, abs(buf[i]))
    sh = 31 - P.bit_length(m) if m > 0 else 0
    for i in range(n):
        v, o = P.saturate(P.shr_round(buf[i], -sh, rnd), WORD)
        frame[i] = v
        sat += o
    e, s = rfft_frame(frame, work, bins, tw, n, WORD, BFP, rnd, P.SATURATE)   # 4.
    sat += s
    # frame = units 2^(DATA_FRAC + sh); X = DFT(units) / 64 = round(B / 2^8) 2^ex
    ex = e + 8 - (DATA_FRAC + sh) - 6
    first = scal[FRAMES] == 0
    for c in range(R.NUM_CHAN):                             # 5. channel energies, Q16
        acc = np.int64(0)
        for k in range(lo[c], hi[c] + 1):
            br = P.shr_round(bins[2 * k], 8, rnd)
            bi = P.shr_round(bins[2 * k + 1], 8, rnd)
            acc = P.mac_exact(P.mac_exact(acc, br, br), bi, bi)   # < 2^49
        # E 2^16 = acc 2^(2 ex + 16) / bins: the exact quotient of acc 2^12, then the shift
        e_ch = P.shr_round(P.div_round(P.shr_round(acc, -12, P.FLOOR), hi[c] - lo[c] + 1, rnd),
                           -4 - 2 * ex, rnd)
        if first:
            ch_enrg[c] = max(e_ch, MIN_ENRG_Q16)
        else:
            ch_enrg[c] = max(ch_enrg[c] + mul_q31(e_ch - ch_enrg[c], SMOOTH_Q31, rnd),
                             MIN_ENRG_Q16)
        if scal[FRAMES] < R.INIT_FRAMES:
            ch_noise[c] = max(ch_enrg[c], INE_Q16)
    vm_sum = 0                                              # 6. SNR indices, voice metric
    tce = np.int64(0)
    tne = np.int64(0)
    dev = np.int64(0)
    for c in range(R.NUM_CHAN):
        enrg_db = db_q(ch_enrg[c], log_table)
        snr = max(0, enrg_db - db_q(ch_noise[c], log_table))
        q = (snr + SNR_OFFSET) // SNR_STEP
        flags[4 + c] = q
        vm_sum += vm_table[min(q, R.MAX_INDEX)]
        tce += ch_enrg[c]
        tne += ch_noise[c]
        if first:
            long_db[c] = enrg_db
        dev += abs(long_db[c] - enrg_db)
    tce_db = db_q(tce, log_table)                           # 7. the noise-update decision
    alpha = ALPHA_HIGH - P.mul_round(HIGH_TCE_DB - tce_db, ALPHA_SLOPE, DB_FRAC, rnd)
    alpha = min(max(alpha, ALPHA_LOW), ALPHA_HIGH)
    for c in range(R.NUM_CHAN):
        long_db[c] = P.shr_round(P.mac_exact(P.mac_exact(0, alpha, long_db[c]), Q31 - alpha,
                                             db_q(ch_enrg[c], log_table)), 31, rnd)
    update = 0
    if vm_sum <= R.UPDATE_THLD:
        update = 1
        scal[UPDATE_CNT] = 0
    elif tce > NOISE_FLOOR_Q16 and dev < DEV_THLD:
        scal[UPDATE_CNT] += 1
        update = 1 if scal[UPDATE_CNT] >= R.UPDATE_CNT_THLD else 0
    if scal[UPDATE_CNT] == scal[LAST_CNT]:
        scal[HYSTER] += 1
    else:
        scal[HYSTER] = 0
    scal[LAST_CNT] = scal[UPDATE_CNT]
    if scal[HYSTER] > R.HYSTER_CNT_THLD:
        scal[UPDATE_CNT] = 0
    flags[0] = 1 if vm_sum > R.UPDATE_THLD else 0
    flags[1] = vm_sum
    flags[2] = update
    flags[3] = scal[UPDATE_CNT]
    if suppress:                                            # 8. gains on the bins
        noise_like = 0
        for c in range(R.MID_CHAN, R.NUM_CHAN):
            if flags[4 + c] >= R.INDEX_THLD:
                noise_like += 1
        g_floor = max(MIN_GAIN, -db_q(tne, log_table))
        for c in range(R.NUM_CHAN):
            q = flags[4 + c]
            if noise_like < R.INDEX_CNT_THLD and (vm_sum <= R.METRIC_THLD or q <= R.SETBACK_THLD):
                q = 1
            gain_db = min(0, P.mac_exact(g_floor, max(q, R.SNR_THLD) - R.SNR_THLD, GAIN_SLOPE))
            if gain_db == 0:
                continue
            g = M.db_to_lin_q(gain_db, DB_FRAC, 15, 17, pow_table)
            for k in range(lo[c], hi[c] + 1):
                bins[2 * k] = P.mul_round(bins[2 * k], g, 15, rnd)
                bins[2 * k + 1] = P.mul_round(bins[2 * k + 1], g, 15, rnd)
    if update:                                              # 9. the noise estimate
        for c in range(R.NUM_CHAN):
            ch_noise[c] = max(ch_noise[c] + mul_q31(ch_enrg[c] - ch_noise[c], NOISE_Q31, rnd),
                              MIN_ENRG_Q16)
    ei, s = irfft_frame(bins, work, tw, n, WORD, BFP, rnd, P.SATURATE)     # 10. inverse
    sat += s
    # irfft_frame's words w give the inverse as w 2^(ei - 6) (n = 128: the inverse without
    # 1/(n/2)), in frame units: y = w 2^(ei - 6 + e - (DATA_FRAC + sh)) units, kept in Q(OLA_FRAC)
    back = ei - 6 + e - (DATA_FRAC + sh) + OLA_FRAC
    prev = scal[DE_MEM]                                     # de-emphasis memory, Q(OLA_FRAC)
    for i in range(R.FRM_LEN):
        y = P.shr_round(work[i], -back, rnd)
        if i < R.OVERLAP:
            y += tail[i]
        prev = y + P.mul_round(PRE_EMP_Q30, prev, 30, rnd)   # de-emphasis
        v, o = P.saturate(P.shr_round(prev, OLA_FRAC + 15 - out_frac, rnd), out_bits)
        out[i] = v
        sat += o
    scal[DE_MEM] = prev
    for i in range(R.OVERLAP):
        tail[i] = P.shr_round(work[R.FRM_LEN + i], -back, rnd)
    scal[FRAMES] += 1
    return sat


@nb.njit(cache=True)
def ns_stream(x, out, flags, scal, hist, tail, ch_enrg, ch_noise, long_db, win, lo, hi,
              vm_table, tw, work, frame, bins, log_table, pow_table, suppress, rounding, out_frac,
              out_bits):
    """``ns_frame`` on each of the len(x) / 80 frames of x. Returns the saturations."""
    sat = 0
    for f in range(x.size // R.FRM_LEN):
        a, b = f * R.FRM_LEN, (f + 1) * R.FRM_LEN
        sat += ns_frame(x[a:b], out[a:b], flags[f], scal, hist, tail, ch_enrg, ch_noise, long_db,
                        win, lo, hi, vm_table, tw, work, frame, bins, log_table, pow_table,
                        suppress, rounding, out_frac, out_bits)
    return sat


class ChannelNsFixed:
    """The fixed-point suppressor's state; ``process`` streams Q15 integers (frames of 80), as
    ``channel_ref.ChannelNs`` streams floats."""

    def __init__(self, suppress: bool = True, rounding: int = P.NEAREST, out_frac: int = 15,
                 out_bits: int = 16):
        self.suppress, self.rounding = suppress, rounding
        self.out_frac, self.out_bits = out_frac, out_bits
        self.scal = np.zeros(6, dtype=np.int64)
        self.hist = np.zeros(R.DELAY, dtype=np.int64)
        self.tail = np.zeros(R.OVERLAP, dtype=np.int64)
        self.ch_enrg = np.zeros(R.NUM_CHAN, dtype=np.int64)
        self.ch_noise = np.zeros(R.NUM_CHAN, dtype=np.int64)
        self.long_db = np.zeros(R.NUM_CHAN, dtype=np.int64)
        self.pending = np.zeros(0, dtype=np.int64)
        self.win = window_edge()
        self.lo = np.array([a for a, _ in R.CHANNELS], dtype=np.int64)
        self.hi = np.array([b for _, b in R.CHANNELS], dtype=np.int64)
        self.vm = np.array(R.VM_TABLE, dtype=np.int64)
        self.tw = twiddles(R.FFT_LEN, WORD - 1)
        self.work = np.zeros(R.FFT_LEN, dtype=np.int64)
        self.frame = np.zeros(R.FFT_LEN, dtype=np.int64)
        self.bins = np.zeros(R.FFT_LEN + 2, dtype=np.int64)
        self.saturations = 0

    def process(self, x_int) -> tuple[np.ndarray, np.ndarray]:
        """Q15 integers in; the output integers of every complete frame and one row of
        ``channel_ref.FRAME_COLUMNS`` per frame."""
        buf = np.concatenate([self.pending, np.asarray(x_int, dtype=np.int64)])
        nf = buf.size // R.FRM_LEN
        out = np.empty(nf * R.FRM_LEN, dtype=np.int64)
        flags = np.empty((nf, len(R.FRAME_COLUMNS)), dtype=np.int64)
        self.saturations += ns_stream(
            buf[: nf * R.FRM_LEN], out, flags, self.scal, self.hist, self.tail, self.ch_enrg,
            self.ch_noise, self.long_db, self.win, self.lo, self.hi, self.vm, self.tw,
            self.work, self.frame, self.bins, T.LOG2_POLY, T.POW2_POLY, self.suppress,
            self.rounding, self.out_frac, self.out_bits)
        self.pending = buf[nf * R.FRM_LEN:]
        return out, flags
