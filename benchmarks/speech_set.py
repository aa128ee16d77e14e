"""The speech + noise test set of the VAD / noise-suppressor benchmarks, made here, never
downloaded: speech from espeak-ng (Debian: apt-get install espeak-ng), resampled to 8 kHz, with
pauses between utterances; noises synthesised (white, pink, brown, babble-like from other
espeak-ng voices, and a non-stationary one: white noise whose level swings by 20 dB at 0.5 Hz).

Ground truth: a 10 ms frame is speech when the clean speech's energy in it is within 30 dB of the
clean speech's active level (the mean power of its frames above -50 dB of the loudest). Levels
are dBov (0 dBov: a full-scale square wave, RMS 1); the SNR is the speech's active level over the
noise's power.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import signal

RATE = 8000
FRAME = 80
SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "A fixed point processor has no exponent, so every number must know its scale.",
    "Please call me back before noon tomorrow, the meeting has moved.",
    "Seven silver ships sailed slowly south under a grey sky.",
    "She sells sea shells by the sea shore every summer morning.",
    "Turn left at the second light and park behind the red building.",
    "We measured the noise floor twice and the numbers did not agree.",
    "How much wood would a woodchuck chuck if a woodchuck could chuck wood?",
)
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+f2", "en-gb-scotland")
NOISES = ("white", "pink", "brown", "babble", "nonstationary")
SNRS = (0.0, 5.0, 10.0, 20.0)
LEVELS = (-10.0, -26.0, -42.0)


def available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: str) -> np.ndarray:
    """One utterance from espeak-ng at 8 kHz, float in [-1, 1)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text],
                       check=True, capture_output=True)
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32768.0
    g = np.gcd(rate, RATE)
    return signal.resample_poly(x, RATE // g, rate // g)


@lru_cache(maxsize=64)
def speech_track(seed: int, seconds: float) -> np.ndarray:
    """Utterances of several voices separated by 0.4 - 1.2 s pauses, at least ``seconds`` long
    (read only: cached)."""
    rng = np.random.default_rng(seed)
    parts, total = [np.zeros(int(0.5 * RATE))], 0.5
    while total < seconds:
        s = speak(SENTENCES[rng.integers(len(SENTENCES))], VOICES[rng.integers(len(VOICES))])
        pause = np.zeros(int(rng.uniform(0.4, 1.2) * RATE))
        parts += [s, pause]
        total += (s.size + pause.size) / RATE
    return np.concatenate(parts)


def frame_power(x: np.ndarray) -> np.ndarray:
    n = x.size // FRAME * FRAME
    return np.mean(x[:n].reshape(-1, FRAME) ** 2, axis=1)


def active_level(x: np.ndarray) -> float:
    """Mean power of the frames above -50 dB of the loudest."""
    p = frame_power(x)
    return float(np.mean(p[p > p.max() * 1e-5]))


def labels(clean: np.ndarray) -> np.ndarray:
    """Per 10 ms frame: speech (True) where the clean power is within 30 dB of its active level."""
    return frame_power(clean) > active_level(clean) * 1e-3


def noise(kind: str, n: int, seed: int) -> np.ndarray:
    """Unit-power noise of the kind."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n)
    if kind == "pink":                                   # 1/f power: shape the spectrum
        f = np.fft.rfftfreq(n)
        f[0] = f[1]
        w = np.fft.irfft(np.fft.rfft(w) / np.sqrt(f), n)
    elif kind == "brown":                                # 1/f^2: integrate, leaky
        w = signal.lfilter([1.0], [1.0, -0.995], w)
    elif kind == "babble":                               # six talkers at once
        w = np.zeros(n)
        for k in range(6):
            t = speech_track(1000 + seed * 10 + k, n / RATE + 1.0)
            t = t[int(rng.integers(0, RATE)):][:n]
            w[: t.size] += t / np.sqrt(active_level(t))
    elif kind == "nonstationary":                        # level swinging by 20 dB at 0.5 Hz
        t = np.arange(n) / RATE
        w *= 10 ** (np.sin(2 * np.pi * 0.5 * t) * 10 / 20)
    w -= w.mean()
    return w / np.sqrt(np.mean(w ** 2))


def mixture(kind: str, snr_db: float, level_db: float, seed: int = 0, seconds: float = 5.0):
    """(noisy, clean speech at its level, per-frame labels) for one file of the set."""
    clean = speech_track(seed, seconds)
    clean = clean * 10 ** (level_db / 20) / np.sqrt(active_level(clean))
    n = noise(kind, clean.size, seed + 17)
    n *= 10 ** ((level_db - snr_db) / 20)
    noisy = np.clip(clean + n, -1.0, 32767 / 32768)
    return noisy, clean, labels(clean)
