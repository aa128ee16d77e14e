"""The channel-energy VAD and noise suppressor of the EVRC speech codec (TIA/IS-127, 3GPP2
C.S0014; reused as AMR-NB's VAD option 2, 3GPP TS 26.073), in float64: the reference the `vad`
and `ns` stages are measured against.

8 kHz, frames of 80 new samples (10 ms). Per frame, every constant as the standard gives it:

1. pre-emphasis y[n] = x[n] - 0.8 x[n-1] (memory across frames);
2. a 128-point buffer: the last 24 pre-emphasised samples of the previous frame, the 80 new ones,
   24 zeros;
3. the first 104 samples windowed by a smoothed trapezoid: sin^2((i + 0.5) pi / 48) rising over
   the first 24, 1 in the middle, the mirror image falling over the last 24;
4. a real FFT scaled as the standard scales it: X = DFT / 64 (2/N times the DFT); energies are in
   16-bit integer units (a sample in [-1, 1) times 32768);
5. channel energies E_ch = mean |X[k]|^2 over 16 channels of bins (``CHANNELS``), smoothed
   ch_enrg = 0.45 ch_enrg + 0.55 E_ch (the first frame: E_ch), at least 0.0625; for the first 4
   frames the noise estimate is ch_noise = max(ch_enrg, 16);
6. per channel SNR index q = floor((max(0, 10 log10(ch_enrg / ch_noise)) + 0.1875) / 0.375) and
   the voice metric vm_sum = sum of VM_TABLE[min(q, 89)];
7. the noise-update decision (the VAD): the spectral deviation dev = sum |long_db - enrg_db| of
   the channel energies in dB against their long-term average (initialised on the first frame;
   updated after dev with alpha = 0.99 - 0.0245 (50 - 10 log10(tce)) clamped to [0.5, 0.99]);
   update when vm_sum <= 35 (update_cnt = 0), or, when tce > 1 and dev < 28, once update_cnt
   (frames of stationary "speech") reaches 50; update_cnt returns to 0 when it has not changed
   for more than 6 frames. The frame is speech when vm_sum > 35;
8. the gains: when fewer than 5 of channels 5 .. 15 have q >= 12 (a noise-like frame), every
   channel with vm_sum <= 45 or q <= 12 gets q = 1; then q = max(q, 6) and the gain
   10^(min(0, 0.39 (q - 6) + g_floor) / 20), g_floor = max(-13, 10 log10(1 / tne)) dB, on every
   bin of the channel (bins 0, 1 and 64, in no channel, keep gain 1);
9. the noise estimate, on update: ch_noise = 0.9 ch_noise + 0.1 ch_enrg, at least 0.0625;
10. the inverse FFT (undoing the forward scaling), overlap-add: the first 48 samples plus the
    previous frame's last 48, and 80 samples out; de-emphasis y[n] = x[n] + 0.8 y[n-1].

The output trails the input by 24 samples (``DELAY``); with every gain at 1 it is the input,
delayed, to rounding (the window's rising and falling edges sum to 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

FRM_LEN, DELAY, FFT_LEN, NUM_CHAN = 80, 24, 128, 16
WINDOW_LEN = FRM_LEN + DELAY                   # 104 samples analysed per frame
OVERLAP = FFT_LEN - FRM_LEN                    # 48 samples overlap-added
PRE_EMP, DE_EMP = 0.8, 0.8
#: the FFT bins of each channel, inclusive (bins 0, 1 and 64 are in none)
CHANNELS = ((2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (12, 13), (14, 16), (17, 19), (20, 22),
            (23, 26), (27, 30), (31, 35), (36, 41), (42, 48), (49, 55), (56, 63))
#: voice metric per SNR index (0.375 dB steps; non-linear, a dead band near 0 dB)
VM_TABLE = (2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 7, 8, 8,
            9, 9, 10, 10, 11, 12, 12, 13, 13, 14, 15, 15, 16, 17, 17, 18, 19, 20, 20, 21, 22, 23,
            24, 24, 25, 26, 27, 28, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 37, 38, 39, 40, 41,
            42, 43, 44, 45, 46, 47, 48, 49, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50)
CEE_SM_FAC, CNE_SM_FAC = 0.55, 0.1             # channel energy / noise smoothing
MIN_CHAN_ENRG, INE, INIT_FRAMES = 0.0625, 16.0, 4
UPDATE_THLD, METRIC_THLD = 35, 45
NOISE_FLOOR, DEV_THLD, UPDATE_CNT_THLD, HYSTER_CNT_THLD = 1.0, 28.0, 50, 6
HIGH_ALPHA, LOW_ALPHA, HIGH_TCE_DB, LOW_TCE_DB = 0.99, 0.50, 50.0, 30.0
MID_CHAN, INDEX_THLD, INDEX_CNT_THLD, SETBACK_THLD = 5, 12, 5, 12
MIN_GAIN_DB, SNR_THLD, GAIN_SLOPE = -13.0, 6, 0.39
SNR_STEP, SNR_OFFSET, MAX_INDEX = 0.375, 0.1875, 89
#: the FFT's scale: X = DFT / FFT_SCALE
FFT_SCALE = FFT_LEN // 2
#: energies are in 16-bit integer units: a sample in [-1, 1) times this
SAMPLE_UNITS = 32768.0
#: the per-frame outputs, in the order of ``Frame.row``
FRAME_COLUMNS = ("speech", "vm_sum", "update", "update_cnt") + tuple(
    f"snr_index{c}" for c in range(NUM_CHAN))


def window() -> np.ndarray:
    """The smoothed trapezoid of the first 104 samples: sin^2 edges of 24 samples, flat 1."""
    w = np.ones(WINDOW_LEN)
    rise = np.sin((np.arange(DELAY) + 0.5) * np.pi / (2 * DELAY)) ** 2
    w[:DELAY] = rise
    w[-DELAY:] = rise[::-1]
    return w


def channel_of_bin() -> np.ndarray:
    """For each of the 65 bins its channel, or -1 (bins 0, 1 and 64)."""
    ch = np.full(FFT_LEN // 2 + 1, -1)
    for c, (lo, hi) in enumerate(CHANNELS):
        ch[lo: hi + 1] = c
    return ch


@dataclass
class Frame:
    """The decisions of one frame."""
    speech: bool
    vm_sum: int
    update: bool
    update_cnt: int
    snr_index: np.ndarray                      # q per channel, before the gain step changes it

    def row(self) -> tuple:
        return (int(self.speech), self.vm_sum, int(self.update), self.update_cnt,
                *(int(q) for q in self.snr_index))


@dataclass
class ChannelNs:
    """The float64 suppressor's state; ``process`` streams any number of samples (a frame is
    processed whenever 80 have arrived). ``suppress = False`` keeps every gain at 1 (the VAD
    alone: the output is then the input, delayed)."""
    suppress: bool = True
    frames: int = 0
    pre_mem: float = 0.0
    de_mem: float = 0.0
    pending: np.ndarray = field(default_factory=lambda: np.zeros(0))
    history: np.ndarray = field(default_factory=lambda: np.zeros(DELAY))
    tail: np.ndarray = field(default_factory=lambda: np.zeros(OVERLAP))
    ch_enrg: np.ndarray = field(default_factory=lambda: np.zeros(NUM_CHAN))
    ch_noise: np.ndarray = field(default_factory=lambda: np.zeros(NUM_CHAN))
    long_db: np.ndarray = field(default_factory=lambda: np.zeros(NUM_CHAN))
    update_cnt: int = 0
    last_update_cnt: int = 0
    hyster_cnt: int = 0
    #: the channel gains of the last frame (linear)
    last_gain: np.ndarray = field(default_factory=lambda: np.ones(NUM_CHAN))

    def process(self, x) -> tuple[np.ndarray, list[Frame]]:
        """Samples in [-1, 1) in; the suppressed samples of every complete frame (80 each) and
        the frames' decisions out."""
        buf = np.concatenate([self.pending, np.asarray(x, dtype=np.float64)])
        n = buf.size // FRM_LEN * FRM_LEN
        out, frames = np.empty(n), []
        for i in range(0, n, FRM_LEN):
            out[i: i + FRM_LEN], f = self.frame(buf[i: i + FRM_LEN])
            frames.append(f)
        self.pending = buf[n:]
        return out, frames

    def frame(self, x: np.ndarray) -> tuple[np.ndarray, Frame]:
        """One frame of 80 samples in [-1, 1): its 80 output samples and its decisions."""
        spec = self.spectrum(x)                                   # 1. - 4.
        f = self.analyse(spec)                                    # 5. - 7.
        gain = self.gains(f) if self.suppress else np.ones(NUM_CHAN)   # 8.
        if f.update:                                              # 9.
            self.ch_noise = np.maximum((1 - CNE_SM_FAC) * self.ch_noise + CNE_SM_FAC *
                                       self.ch_enrg, MIN_CHAN_ENRG)
        self.frames += 1
        self.last_gain = gain
        return self.synthesis(spec, gain), f                      # 10.

    def spectrum(self, x: np.ndarray) -> np.ndarray:
        """Steps 1 - 4 of a frame: pre-emphasis, buffer, window, X = DFT / 64 (the linear
        analysis; its state is the pre-emphasis memory and the overlap history)."""
        s = x * SAMPLE_UNITS
        pre = np.empty(FRM_LEN)                                   # 1. pre-emphasis
        prev = self.pre_mem
        for i in range(FRM_LEN):
            pre[i] = s[i] - PRE_EMP * prev
            prev = s[i]
        self.pre_mem = prev
        data = np.zeros(FFT_LEN)                                  # 2. buffer, 3. window
        data[:DELAY] = self.history
        data[DELAY: WINDOW_LEN] = pre
        self.history = pre[-DELAY:].copy()
        data[:WINDOW_LEN] *= WINDOW
        return np.fft.rfft(data) / FFT_SCALE                      # 4. X = DFT / 64

    def synthesis(self, spec: np.ndarray, gain: np.ndarray) -> np.ndarray:
        """Step 10: the channel gains applied to the spectrum, inverse DFT, overlap-add and
        de-emphasis (linear in the spectrum; its state is the overlap tail and the de-emphasis
        memory). A second instance fed another signal's spectrum with these gains is a shadow:
        what the suppressor does to that signal (the clean speech, to measure its loss)."""
        g = np.ones(spec.size)
        g[BIN_CHANNEL >= 0] = gain[BIN_CHANNEL[BIN_CHANNEL >= 0]]
        y = np.fft.irfft(spec * g, FFT_LEN) * FFT_SCALE           # 10. inverse, overlap-add
        y[:OVERLAP] += self.tail
        self.tail = y[FRM_LEN:].copy()
        out = np.empty(FRM_LEN)                                   # de-emphasis
        prev = self.de_mem
        for i in range(FRM_LEN):
            prev = y[i] + DE_EMP * prev
            out[i] = prev
        self.de_mem = prev
        return out / SAMPLE_UNITS

    def analyse(self, spec: np.ndarray) -> Frame:
        """Channel energies, SNR indices, the voice metric and the noise-update decision."""
        power = spec.real ** 2 + spec.imag ** 2
        e_ch = np.array([power[lo: hi + 1].mean() for lo, hi in CHANNELS])
        a = 1.0 if self.frames == 0 else CEE_SM_FAC
        self.ch_enrg = np.maximum((1 - a) * self.ch_enrg + a * e_ch, MIN_CHAN_ENRG)
        if self.frames < INIT_FRAMES:
            self.ch_noise = np.maximum(self.ch_enrg, INE)
        snr_db = np.maximum(0.0, 10 * np.log10(self.ch_enrg / self.ch_noise))
        q = np.floor((snr_db + SNR_OFFSET) / SNR_STEP).astype(int)
        vm_sum = int(sum(VM_TABLE[min(v, MAX_INDEX)] for v in q))
        tce = self.ch_enrg.sum()
        enrg_db = 10 * np.log10(self.ch_enrg)
        if self.frames == 0:
            self.long_db = enrg_db.copy()
        dev = np.abs(self.long_db - enrg_db).sum()
        alpha = HIGH_ALPHA - (HIGH_ALPHA - LOW_ALPHA) / (HIGH_TCE_DB - LOW_TCE_DB) * \
            (HIGH_TCE_DB - 10 * np.log10(tce))
        alpha = min(max(alpha, LOW_ALPHA), HIGH_ALPHA)
        self.long_db = alpha * self.long_db + (1 - alpha) * enrg_db
        update = False
        if vm_sum <= UPDATE_THLD:
            update = True
            self.update_cnt = 0
        elif tce > NOISE_FLOOR and dev < DEV_THLD:
            self.update_cnt += 1
            update = self.update_cnt >= UPDATE_CNT_THLD
        if self.update_cnt == self.last_update_cnt:
            self.hyster_cnt += 1
        else:
            self.hyster_cnt = 0
        self.last_update_cnt = self.update_cnt
        if self.hyster_cnt > HYSTER_CNT_THLD:
            self.update_cnt = 0
        return Frame(vm_sum > UPDATE_THLD, vm_sum, update, self.update_cnt, q)

    def gains(self, f: Frame) -> np.ndarray:
        """The channel gains (linear) of a frame from its SNR indices and voice metric."""
        q = f.snr_index.copy()
        if np.count_nonzero(q[MID_CHAN:] >= INDEX_THLD) < INDEX_CNT_THLD:   # noise-like frame
            q[(f.vm_sum <= METRIC_THLD) | (q <= SETBACK_THLD)] = 1
        g_floor = max(MIN_GAIN_DB, 10 * np.log10(NOISE_FLOOR / self.ch_noise.sum()))
        gain_db = np.minimum(0.0, (np.maximum(q, SNR_THLD) - SNR_THLD) * GAIN_SLOPE + g_floor)
        return 10 ** (gain_db / 20)


WINDOW = window()
BIN_CHANNEL = channel_of_bin()
