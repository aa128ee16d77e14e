"""Power spectra of a stage's output, float and fixed, and of their difference, accumulated block
by block in bounded memory (for the report's pictures).

A stream is measured as Welch does it: Hann-windowed segments of ``NFFT`` samples without overlap,
their periodograms averaged (one-sided for a real stream, two-sided for a complex one). A framed
complex port (an FFT's bins) is already a spectrum: its power is averaged per bin over frames.
The level is in dB relative to full scale: 0 dB is a sine of amplitude 1 in a real stream, a
complex exponential of amplitude 1 in a complex stream, and for an FFT's bins the bin of a
full-scale complex exponential (N); the float and fixed curves sit on the signal's level and the
error curve shows the quantization noise floor.
"""
from __future__ import annotations

import numpy as np

from ..ports import Port

#: samples per Welch segment
NFFT = 1024


class SpectrumMeter:
    def __init__(self, port: Port, rate: float):
        self.complex = port.complex
        self.per_bin = port.framed and port.complex
        self.n = port.frame if self.per_bin else NFFT
        self.rate = rate
        self.window = np.ones(self.n) if self.per_bin else np.hanning(self.n)
        bins = self.n if self.complex else self.n // 2 + 1
        self.power = np.zeros((3, bins))         # float, fixed, error
        self.segments = 0
        self.pending = np.zeros((2, 0), dtype=np.complex128 if self.complex else np.float64)

    def add(self, fixed: np.ndarray, ref: np.ndarray) -> None:
        """Adds paired values (interleaved re, im for a complex port)."""
        if self.complex:
            fixed = fixed[0::2] + 1j * fixed[1::2]
            ref = ref[0::2] + 1j * ref[1::2]
        buf = np.concatenate([self.pending, np.stack([ref, fixed])], axis=1)
        m = buf.shape[1] // self.n
        if m:
            seg = buf[:, : m * self.n].reshape(2, m, self.n)
            seg = np.concatenate([seg, (seg[0] - seg[1])[None]]) * self.window
            spec = seg if self.per_bin else (np.fft.fft(seg) if self.complex else np.fft.rfft(seg))
            self.power += np.sum(np.abs(spec) ** 2, axis=1)
            self.segments += m
        self.pending = buf[:, m * self.n:]

    def result(self) -> dict | None:
        """{"freq": Hz or bin index, "unit": "Hz" | "bin", and dB levels "float", "fixed",
        "error"}; None before the first full segment."""
        if not self.segments:
            return None
        if self.per_bin:
            # an FFT's bin of a full-scale complex exponential holds N
            freq, unit, scale = np.arange(self.n), "bin", float(self.n) ** 2
        else:
            # a sine of amplitude 1 puts (sum(window) / 2)^2 in its bin (one-sided: both
            # halves); a complex exponential of amplitude 1 puts sum(window)^2 in its one bin
            scale = self.window.sum() ** 2 if self.complex else (self.window.sum() / 2) ** 2
            freq = np.fft.fftfreq(self.n, 1 / self.rate) if self.complex else \
                np.fft.rfftfreq(self.n, 1 / self.rate)
            unit = "Hz"
        db = 10 * np.log10(np.maximum(self.power / (self.segments * scale), 1e-30))
        order = np.argsort(freq) if self.complex and not self.per_bin else slice(None)
        return {"freq": freq[order], "unit": unit, "float": db[0][order], "fixed": db[1][order],
                "error": db[2][order]}
