"""Coefficients: one reader and one quantization policy for every kernel.

Reading. A kernel's coefficients come from exactly one of three keys: an inline array
(``taps = [...]``, ``sos = [[...]]``), a ``.npy`` file (``taps_file``, ``sos_file``; relative names
start at the design file's directory) or a scipy.signal design (``design = { method = ..., ... }``).
``read`` takes the three key names and the kernel's designer and returns a finite float64 array of
the dimension the kernel wants. A design's result is kept in the user's cache directory
(``designed``): scipy.signal's import (0.8 s) is then paid on a design's first run only.

Quantization policy (``quantize_coefs``), the same for gain, emphasis, fir and biquad:
  * ``coef`` given as a Q format fixes the format: values are rounded to nearest and must fit it;
  * otherwise the word size (``coef = 16``, or the kernel's default) is used whole: the most
    fraction bits (at most ``max_frac``) with which every value, rounded to nearest, stays within
    +-(2^(w-1) - 1). A gain of 0.01 in a 16-bit word gets 21 fraction bits (20972), not Q15 (328):
    small coefficients get a post-shift, as a DSP engineer would write them. The range is symmetric
    so the most negative word never appears and a negated coefficient always fits.
  * either way, coefficients whose rounding costs more than ``MIN_COEF_SNR_DB`` against the values
    as written (energy of the values over energy of the rounding error; for an IIR the kernel
    measures it on the frequency response) are refused, naming the stage, the coefficient that
    suffers most and the remedy: taps that all round to zero never reach the C silently.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from .errors import FxsimError
from .qformat import QFormat, quantize

#: refuse coefficients whose quantization alone costs more than this (dB)
MIN_COEF_SNR_DB = 60.0
#: designs kept in the cache at most (a few kB each); the least recently written go first
DESIGN_CACHE_ENTRIES = 512


def number(v: float) -> str:
    """A float as the shortest text that reads back as the same value (1 - 2^-31 stays
    0.9999999995343387, never "1")."""
    return repr(float(v))


def read(stage, opt: dict, inline: str, file: str, design: str,
         designer: Callable[[dict, str], np.ndarray], ndim: int, example: str) -> np.ndarray:
    """The coefficients of ``stage`` from exactly one of the keys ``inline``, ``file``, ``design``;
    a finite float64 array with ``ndim`` dimensions. ``designer(spec, field)`` turns the design
    table into coefficients; ``example`` shows the inline form in messages."""
    given = [k for k in (inline, file, design) if k in opt]
    if len(given) != 1:
        raise FxsimError(f"{stage.where}: give exactly one of {inline}, {file}, {design} "
                         f"(got {', '.join(given) or 'none'})")
    key = given[0]
    field = f"{stage.where}.{key}"
    if key == inline:
        v = opt[inline]
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
        if arr is None or not _all_numbers(v):
            raise FxsimError(f"{field}: {v!r} is not {'a list' if ndim == 1 else 'a table'} of "
                             f"numbers; write e.g. {inline} = {example}")
    elif key == file:
        arr = _read_npy(opt[file], stage.base_dir, field)
    else:
        arr = designed(designer, opt[design], field)
    if arr.ndim != ndim:
        raise FxsimError(f"{field}: an array of shape {arr.shape}; allowed: "
                         f"{'a 1-D list' if ndim == 1 else 'a 2-D table'} of numbers, e.g. "
                         f"{inline} = {example}")
    if arr.size == 0:
        raise FxsimError(f"{field}: no coefficients; give at least one")
    if not np.isfinite(arr).all():
        i = int(np.argmin(np.isfinite(arr.ravel())))
        raise FxsimError(f"{field}: coefficient {i} is {arr.ravel()[i]!r}; allowed: finite numbers")
    return arr


def design_cache_dir() -> Path:
    """``$FXSIM_DESIGN_CACHE``, else ``$XDG_CACHE_HOME/fxsim/designs`` (not created here)."""
    from .codegen.build import user_cache_home
    env = os.environ.get("FXSIM_DESIGN_CACHE")
    return Path(env) if env else user_cache_home() / "fxsim" / "designs"


def designed(designer: Callable[[dict, str], np.ndarray], spec, field: str) -> np.ndarray:
    """``designer(spec, field)`` as float64, through a cache (``design_cache_dir``) keyed by the
    spec, the designer's name and the source of its module (an edit of the designer designs
    again), and the fxsim, scipy and numpy versions; the same key gives the same bits (a file
    holds the array exactly). A spec that is not plain data, or a cache directory that cannot be
    written, just designs again; a designer's error is never cached. Files are written under
    unique names and renamed into place, so parallel runs are safe."""
    import scipy                             # its version only: scipy.signal stays unimported
    from . import __version__
    try:
        source = Path(sys.modules[designer.__module__].__file__).read_bytes()
        text = json.dumps([designer.__module__, designer.__qualname__, spec, __version__,
                           scipy.__version__, np.__version__], sort_keys=True)
    except (AttributeError, KeyError, OSError, TypeError, ValueError):
        return np.asarray(designer(spec, field), dtype=np.float64)
    home = design_cache_dir()
    key = hashlib.sha256(text.encode() + b"\0" + source).hexdigest()[:32]
    path = home / (key + ".npy")
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        pass
    arr = np.asarray(designer(spec, field), dtype=np.float64)
    tmp = None
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, arr, allow_pickle=False)
        os.replace(tmp, path)
        tmp = None
        entries = sorted(home.glob("*.npy"), key=lambda q: q.stat().st_mtime)
        stale = [q for q in home.glob("*.tmp") if q.stat().st_mtime < time.time() - 3600]
        for old in entries[:max(0, len(entries) - DESIGN_CACHE_ENTRIES)] + stale:
            old.unlink(missing_ok=True)     # the oldest, and what a killed run left behind
    except OSError:                          # a read-only or full cache: designing is enough
        if tmp:
            Path(tmp).unlink(missing_ok=True)
    return arr


def _all_numbers(v) -> bool:
    if isinstance(v, list):
        return all(_all_numbers(x) for x in v)
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _read_npy(name, base_dir: Path, field: str) -> np.ndarray:
    if not isinstance(name, str):
        raise FxsimError(f"{field}: {name!r} is not a file name")
    path = Path(name)
    if not path.is_absolute():
        path = Path(base_dir) / path
    if not path.is_file():
        raise FxsimError(f"{field}: file {str(path)!r} not found (relative paths are relative to "
                         f"the design file)")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "pickle" in msg:
            msg = "it holds Python objects, not numbers"
        raise FxsimError(f"{field}: {str(path)!r} is not a readable .npy array ({msg})") from None
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise FxsimError(f"{field}: {str(path)!r} has dtype {arr.dtype}; allowed: float or int")
    return arr.astype(np.float64)


class Coefs(NamedTuple):
    """Quantized coefficients: integers (int64, the input's shape), fraction bits, word bits and
    the format the design fixed (None for an automatic full-word format)."""
    ints: np.ndarray
    frac: int
    word: int
    fixed: QFormat | None

    @property
    def fmt(self) -> QFormat:
        """The coefficients' format (negative integer bits when there is a post-shift)."""
        return QFormat(self.word - 1 - self.frac, self.frac)

    def describe(self) -> str:
        if self.fixed is not None:
            return f"{self.fixed} (fixed by coef)"
        post = self.frac - (self.word - 1)
        base = f"Q{self.word - 1}" if self.word in (16, 32) else f"{self.word}-bit"
        if post > 0:
            return (f"{self.word}-bit words with {self.frac} fraction bits ({base} with "
                    f"post-shift {post}: the largest coefficient uses the full word)")
        return f"{self.word}-bit words with {self.frac} fraction bits (full word)"


def word_option(stage, opt: dict, default_word: int) -> tuple[int, QFormat | None]:
    """The ``coef`` key: a word size (2..32: fxsim picks the full-word format) or a signed Q format
    that fixes it. Returns (word bits, fixed format or None)."""
    coef = opt.get("coef")
    if coef is None:
        return default_word, None
    if isinstance(coef, int) and not isinstance(coef, bool):
        if not 2 <= coef <= 32:
            raise FxsimError(f"{stage.where}.coef: {coef}-bit words; allowed: 2 to 32 bits, or a "
                             f"Q format such as Q15")
        return coef, None
    fixed = QFormat.parse(coef, field=f"{stage.where}.coef")
    if fixed.scale_exp:
        raise FxsimError(f"{stage.where}.coef: {coef!r}; a coefficient format has no scale "
                         f"exponent: write Qm.n (more integer bits for larger coefficients)")
    if not fixed.signed:
        raise FxsimError(f"{stage.where}.coef: {coef!r} is unsigned; allowed: a signed format "
                         f"(Q15, Q31, Qm.n)")
    return fixed.word_bits, fixed


def quantize_coefs(values, word: int, fixed: QFormat | None, field: str,
                   max_frac: int = 62, check_snr: bool = True) -> Coefs:
    """The policy above. ``max_frac`` caps the fraction bits (a kernel's shifts must stay in
    range); ``check_snr`` off lets a kernel apply its own measure of the rounding cost."""
    v = np.asarray(values, dtype=np.float64)
    if fixed is not None:
        ints, count = quantize(v, fixed, "nearest", "saturate", return_count=True)
        if count:
            i = int(np.argmax(np.abs(v).ravel() * 2.0 ** fixed.frac_bits))
            lo, hi = fixed.min_int * fixed.lsb, fixed.max_int * fixed.lsb
            raise FxsimError(f"{field}: coefficient {i} = {number(v.ravel()[i])} does not fit "
                             f"{fixed} (range [{number(lo)}, {number(hi)}]); use a format with "
                             f"more integer bits, or omit coef for an automatic full-word format")
        out = Coefs(ints.astype(np.int64), fixed.frac_bits, fixed.word_bits, fixed)
    else:
        peak = float(np.max(np.abs(v))) if v.size else 0.0
        hi = (1 << (word - 1)) - 1
        if peak == 0.0:
            return Coefs(np.zeros(v.shape, dtype=np.int64), word - 1, word, None)
        frac = min(max_frac, word - math.ceil(math.log2(peak)))   # one more than fits; step down
        while frac >= 0 and peak * 2.0 ** frac >= hi + 0.5:       # nearest must stay <= hi
            frac -= 1
        if frac < 0:
            raise FxsimError(f"{field}: coefficient {number(peak)} does not fit a {word}-bit "
                             f"word; allowed: |c| < {number(2.0 ** (word - 1) - 0.5)}")
        # fraction bits beyond word - 1 (a post-shift) make int_bits negative: the word is the same
        ints = quantize(v, QFormat(word - 1 - frac, frac), "nearest", "saturate").astype(np.int64)
        out = Coefs(ints, frac, word, None)
    if check_snr:
        snr = rounding_snr(v, out)
        if snr < MIN_COEF_SNR_DB:
            refuse_rounding(field, v, out, snr)
    return out


def rounding_snr(values, c: Coefs) -> float:
    """Energy of the values over energy of their rounding error, in dB (300 when exact)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    err = v - np.ldexp(c.ints.ravel().astype(np.float64), -c.frac)
    pe, ps = float(np.dot(err, err)), float(np.dot(v, v))
    if pe == 0.0:
        return 300.0
    return 10 * math.log10(ps / pe) if ps > 0 else -300.0


def refuse_rounding(field: str, values, c: Coefs, snr: float) -> None:
    v = np.asarray(values, dtype=np.float64).ravel()
    q = c.ints.ravel()
    zero = np.flatnonzero((q == 0) & (v != 0))
    worst = (f"coefficient {int(zero[np.argmax(np.abs(v[zero]))])} = "
             f"{number(v[zero][np.argmax(np.abs(v[zero]))])} rounds to 0" if zero.size else
             "the rounding error is spread over all of them")
    remedy = ("use a format with more fraction bits, or omit coef for an automatic full-word "
              "format" if c.fixed is not None else "use a wider coef word")
    raise FxsimError(f"{field}: quantized to {c.describe()}, the coefficients' rounding error is "
                     f"only {snr:.1f} dB below them (needs >= {MIN_COEF_SNR_DB:g} dB): {worst}; "
                     f"{remedy}")
