"""Whole input files (through ``audio``, the one reader), writing a test WAV, and the built-in
test-signal set. Everything is float64 in [-1, 1); the design quantizes it to its input format.
"""
from __future__ import annotations

import wave

import numpy as np

from . import audio


def read_input(path, rate: int | None = None, channel: int | None = None,
               resample: bool = False) -> np.ndarray:
    """The whole signal of a file, float64 in [-1, 1) (complex128 for a complex .npy), read by
    ``audio.read`` (a sound file at ``rate`` when given, unless ``resample``)."""
    return audio.read(path, rate, channel, resample)


def write_wav(path, x, sample_rate: int) -> None:
    """Write float samples in [-1, 1) as 16-bit PCM mono (rounded, saturated)."""
    ints = np.clip(np.round(np.asarray(x) * 32768.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(ints.tobytes())


#: the built-in signals at nominal level, on which ``fxsim verify`` gates the SNR; the others
#: (quiet noise, whose SNR the output LSB bounds; silence; a full-scale square, which saturates
#: many designs as designed) are reported, and checked bit for bit, but not gated on SNR
GATED = ("noise -10 dBFS", "sine full scale", "chirp -6 dBFS", "impulse")


def builtin_signal_set(sample_rate: int = 16000, n: int = 4000,
                       complex_: bool = False) -> list[tuple[str, np.ndarray, bool]]:
    """The built-in signals as (name, samples, gated) for ``codegen.verify``; complex versions
    (complex128) for a design whose input is complex. ``n``: samples per signal (see
    ``signal_length`` for a design's)."""
    sig = complex_signals(sample_rate, n) if complex_ else builtin_signals(sample_rate, n)
    return [(k, v, k in GATED) for k, v in sig.items()]


def signal_length(design, n: int = 4000) -> int:
    """Samples per built-in signal for a design: at least ``n`` and at least 4 first frames (or
    blocks) of every stage that waits for them, counted at the design's input."""
    import math
    rate = 1.0
    for st in design.stages:
        n = max(n, math.ceil(4 * st.min_input() / rate))
        rate *= float(st.rate)
    return n


def complex_signals(sample_rate: int = 16000, n: int = 4000, seed: int = 1) -> dict[str, np.ndarray]:
    """The built-in set for complex inputs, under the same names: complex Gaussian noise (real and
    imaginary parts each at the level), a full-scale complex exponential (both parts full scale),
    a complex chirp, an impulse, silence and a square in both parts."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sample_rate
    full = 32767 / 32768
    sig = {}
    for dbfs in (-10, -30, -50):
        g = 10 ** (dbfs / 20)
        sig[f"noise {dbfs} dBFS"] = (np.clip(rng.standard_normal(n) * g, -1, full) +
                                     1j * np.clip(rng.standard_normal(n) * g, -1, full))
    sig["sine full scale"] = full * np.exp(2j * np.pi * 997 * t + 0.3j)
    f0, f1 = 50.0, 0.45 * sample_rate
    sig["chirp -6 dBFS"] = 0.5 * np.exp(2j * np.pi * (f0 * t + (f1 - f0) / (2 * t[-1]) * t ** 2))
    imp = np.zeros(n, dtype=np.complex128)
    imp[n // 4] = full
    sig["impulse"] = imp
    sig["silence"] = np.zeros(n, dtype=np.complex128)
    sq = np.where(np.sin(2 * np.pi * 311 * t) >= 0, full, -1.0)
    sig["square full scale"] = sq + 1j * sq
    return sig


def builtin_signals(sample_rate: int = 16000, n: int = 4000, seed: int = 1) -> dict[str, np.ndarray]:
    """The signal set ``fxsim verify`` uses without --input: noise at several levels, a
    full-scale sine, a chirp, an impulse, silence and a full-scale square."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sample_rate
    full = 32767 / 32768
    sig = {}
    for dbfs in (-10, -30, -50):
        sig[f"noise {dbfs} dBFS"] = np.clip(rng.standard_normal(n) * 10 ** (dbfs / 20), -1, full)
    sig["sine full scale"] = full * np.sin(2 * np.pi * 997 * t + 0.3)
    f0, f1 = 50.0, 0.45 * sample_rate
    sig["chirp -6 dBFS"] = 0.5 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) / (2 * t[-1]) * t ** 2))
    imp = np.zeros(n)
    imp[n // 4] = full
    sig["impulse"] = imp
    sig["silence"] = np.zeros(n)
    sq = np.where(np.sin(2 * np.pi * 311 * t) >= 0, full, -1.0)
    sig["square full scale"] = sq
    return sig
