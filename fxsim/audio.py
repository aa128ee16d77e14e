"""Signal files in: the one reader of fxsim, block by block, so that memory stays flat whatever
the file's length.

Formats: everything libsndfile reads, through ``soundfile`` (WAV with 8/16/24/32-bit PCM or float
samples, WAVE_FORMAT_EXTENSIBLE, FLAC, AIFF, OGG, ...), as float64 in [-1, 1) (PCM: the integer
over 2^(bits-1)); and .npy, a 1-D array of float in [-1, 1), int16 (over 32768) or complex, read
through a memory map.

Checks, each a one-line ``FxsimError``: the path must be a file; a WAV must hold at least as many
bytes as its header says (libsndfile would read a truncated file silently); a file with several
channels needs ``channel`` (1-based); the file's rate must be the design's, unless ``resample``:
then a streaming polyphase resampler (``Resampler``) converts it to the design's rate.
"""
from __future__ import annotations

import struct
from fractions import Fraction
from math import gcd
from pathlib import Path

import numpy as np

from .errors import FxsimError

#: samples per block
BLOCK = 1 << 16


def check_input_path(path) -> Path:
    """``path`` as a Path, when it names an existing file."""
    path = Path(path)
    if path.is_dir():
        raise FxsimError(f"input {str(path)!r} is a directory, not a signal file")
    if not path.is_file():
        raise FxsimError(f"input file {str(path)!r} not found")
    return path


class InputFile:
    """A signal file opened for reading: ``rate`` (None for .npy, which has none), ``channels``,
    ``frames`` (samples per channel) and ``blocks()``, the samples of the chosen channel at the
    wanted rate, float64 (complex128 for a complex .npy), ``block`` at a time."""

    def __init__(self, path, rate: int | None = None, channel: int | None = None,
                 resample: bool = False, block: int = BLOCK, span=(0.0, None)):
        self.path = check_input_path(path)
        self.block = block
        self.want_rate = rate
        if self.path.suffix.lower() == ".npy":
            self._open_npy()
        else:
            self._open_sound()
        if channel is not None and not 1 <= channel <= self.channels:
            raise FxsimError(f"{self.path}: --channel {channel}; the file has {self.channels} "
                             f"channel{'s' if self.channels > 1 else ''} (1 .. {self.channels})")
        if self.channels > 1 and channel is None:
            raise FxsimError(f"{self.path}: {self.channels} channels; choose one with --channel N "
                             f"(1 .. {self.channels})")
        self.channel = (channel or 1) - 1
        self.resampler = None
        if rate is not None and self.rate is not None and self.rate != rate:
            if not resample:
                raise FxsimError(f"{self.path}: {self.rate} Hz, but the design runs at {rate} Hz "
                                 f"(give --resample to convert it)")
            self.resampler = Resampler(self.rate, rate)
        self._span(*span)

    def _span(self, start: float, duration: float | None) -> None:
        """--start / --duration: the frames [first, first + frames) of the file, in seconds at
        the file's rate (a .npy, which has none, at the design's)."""
        rate = self.rate or self.want_rate or 1
        self.first = int(round(start * rate))
        if self.first >= self.frames:
            raise FxsimError(f"{self.path}: --start {start:g} s is past the end "
                             f"({self.frames / rate:g} s)")
        left = self.frames - self.first
        self.frames = left if duration is None else min(left, max(1, int(round(duration * rate))))

    def _open_npy(self):
        if self.path.stat().st_size == 0:
            raise FxsimError(f"{self.path}: an empty file, not a .npy array")
        try:
            x = np.load(self.path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError, EOFError):
            # numpy's own message may advise loading pickles: never pass that on
            raise FxsimError(f"{self.path}: not a readable .npy array (a 1-D array of numbers "
                             f"is needed)") from None
        if x.ndim != 1 or x.size == 0:
            raise FxsimError(f"{self.path}: array of shape {x.shape}; fxsim reads a non-empty 1-D "
                             f"signal")
        if not (x.dtype == np.int16 or np.issubdtype(x.dtype, np.floating)
                or np.iscomplexobj(x)):
            raise FxsimError(f"{self.path}: dtype {x.dtype}; allowed: float in [-1, 1), complex "
                             f"(real and imaginary parts in [-1, 1)), or int16")
        self.array, self.rate, self.channels, self.frames = x, None, 1, x.size

    def _open_sound(self):
        import soundfile as sf
        _check_riff(self.path)
        try:
            info = sf.info(str(self.path))
        except (sf.LibsndfileError, RuntimeError, TypeError):
            raise FxsimError(f"{self.path}: not an audio file libsndfile reads (WAV, FLAC, AIFF, "
                             f"OGG, ...) nor a .npy array") from None
        if info.frames <= 0:
            raise FxsimError(f"{self.path}: the file holds no samples")
        self.rate, self.channels, self.frames = int(info.samplerate), int(info.channels), info.frames

    def blocks(self):
        """The samples, ``block`` at a time (the last block shorter)."""
        raw = self._npy_blocks() if self.rate is None else self._sound_blocks()
        if self.resampler is None:
            return raw
        return self.resampler.stream(raw)

    def _npy_blocks(self):
        x = self.array[self.first: self.first + self.frames]
        for i in range(0, x.size, self.block):
            b = np.asarray(x[i: i + self.block])
            if b.dtype == np.int16:
                yield b.astype(np.float64) / 32768.0
                continue
            if not np.isfinite(b).all():
                bad = "NaN" if np.isnan(b).any() else "inf"
                raise FxsimError(f"{self.path}: the signal holds {bad} at sample "
                                 f"{self.first + i + int(np.argmin(np.isfinite(b)))}")
            yield b.astype(np.complex128 if np.iscomplexobj(b) else np.float64)

    def _sound_blocks(self):
        import soundfile as sf
        try:
            with sf.SoundFile(str(self.path)) as f:
                f.seek(self.first)
                for b in f.blocks(blocksize=self.block, frames=self.frames, dtype="float64",
                                  always_2d=True):
                    x = np.ascontiguousarray(b[:, self.channel])
                    if not np.isfinite(x).all():
                        raise FxsimError(f"{self.path}: the signal holds NaN or inf")
                    yield x
        except sf.LibsndfileError as e:
            raise FxsimError(f"{self.path}: unreadable ({e})") from None


def read(path, rate: int | None = None, channel: int | None = None,
         resample: bool = False) -> np.ndarray:
    """The whole signal of a file at once (for the few users that need it in memory)."""
    blocks = list(InputFile(path, rate, channel, resample).blocks())
    return np.concatenate(blocks) if blocks else np.zeros(0)


def _check_riff(path: Path) -> None:
    """A WAV (RIFF) file must hold the sample bytes its 'data' chunk declares: libsndfile reads
    a truncated one silently, as if it had ended there."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
            return
        little = head[:4] == b"RIFF"
        size = path.stat().st_size
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            cid, n = struct.unpack("<4sI" if little else ">4sI", f.read(8))
            if cid == b"data":
                held = size - pos - 8
                if n != 0xFFFFFFFF and held < n:
                    raise FxsimError(f"{path}: truncated: its header declares {n} bytes of "
                                     f"samples, the file holds {held}")
                return
            pos += 8 + n + (n & 1)
        raise FxsimError(f"{path}: a WAV file without its 'data' chunk (truncated?)")


class Resampler:
    """Rational-rate conversion, streamed: y at rate ``out`` from x at rate ``inp``, by a polyphase
    FIR (the upsample-filter-downsample of ``scipy.signal.resample_poly``: a Kaiser-windowed
    low-pass, ``scipy.signal.firwin``, cutting at the lower Nyquist frequency), with its delay
    removed, so that y[m] lines up with x at time m / out. State: the last input samples the filter
    still needs, and the position of the next output."""

    HALF = 10        # filter half-length, in input samples of the slower side (resample_poly's)

    def __init__(self, inp: int, out: int):
        from scipy import signal
        g = gcd(inp, out)
        self.up, self.down = out // g, inp // g
        big = max(self.up, self.down)
        taps = signal.firwin(2 * self.HALF * big + 1, 1.0 / big, window=("kaiser", 5.0))
        self.h = taps * self.up
        self.delay = self.HALF * big                 # of the filter, in upsampled samples
        self.ratio = Fraction(out, inp)

    def stream(self, blocks):
        """Resample a stream of blocks (float64), flushing the filter at its end."""
        up, down, h, d = self.up, self.down, self.h, self.delay
        width = -(-h.size // up) + 1                  # input samples one output can reach
        hist = np.zeros(width)                        # x[start - width .. start - 1]
        start = 0                                     # index of the next block's first sample
        m = 0                                         # next output
        total = 0
        pad = np.zeros(-(-d // up) + 1)               # the filter's look-ahead, at the end

        def outputs(x, final):
            nonlocal hist, start, m
            buf = np.concatenate([hist, x])
            base = start - width                      # input index of buf[0]
            end = start + x.size
            # output m needs inputs up to (m down + d) / up
            if final:
                last = -(-total * up // down)         # ceil(total up / down) outputs in all
            else:                                     # those whose inputs have all arrived
                last = max(m, (end * up - d - 1) // down + 1 if end * up > d else 0)
            y = np.empty(last - m)
            k = np.arange(width)
            for c in range(m, last, 8192):            # outputs x width index matrices, bounded
                ms = np.arange(c, min(c + 8192, last))
                t = ms * down + d                     # upsampled index of output m's centre
                j0 = t // up                          # newest input sample it reads
                idx = j0[:, None] - k[None, :] - base
                coef_i = (t - j0 * up)[:, None] + k[None, :] * up
                ok = (coef_i < h.size) & (idx >= 0) & (idx < buf.size)
                vals = np.where(ok, buf[np.clip(idx, 0, buf.size - 1)], 0.0)
                y[c - m: c - m + ms.size] = (vals * np.where(ok, h[np.minimum(coef_i, h.size - 1)],
                                                             0.0)).sum(axis=1)
            m = last
            keep = buf[-width:] if buf.size >= width else np.concatenate([np.zeros(width - buf.size), buf])
            hist = keep
            start = end
            return y

        for x in blocks:
            x = np.asarray(x, dtype=np.float64)
            total += x.size
            y = outputs(x, False)
            if y.size:
                yield y
        y = outputs(pad, True)
        if y.size:
            yield y
