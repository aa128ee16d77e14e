"""Q formats, rounding and overflow modes, and exact float <-> integer conversion.

Formats are written ``Q15`` (= Q0.15, 16-bit signed), ``Q31``, ``Qm.n`` (signed: m integer bits,
n fraction bits, word m + n + 1) and ``UQm.n`` (unsigned, word m + n). Data words are 2..32 bits,
accumulators up to 64 (``QFormat.parse(text, max_word=64)``).

A format can carry a static scale exponent e (``scale_exp``, written ``Q15*2^8``): a word w then
stands for w 2^(e - n). It names outputs that a stage has scaled by a known power of two (an FFT
that halves at each of 8 stages gives DFT / 256 in Q15, i.e. the DFT in ``Q15*2^8``), so the
scaling is part of the format rather than prose.

``quantize`` is integer-exact: a float64 is split into its 53-bit integer mantissa and exponent and
shifted with ``primitives.shr_round``, so every rounding mode resolves ties exactly as it says,
never through float rounding.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import primitives as P
from .errors import FxsimError, RangeError

ROUNDING = {name: i for i, name in enumerate(P.ROUNDING_NAMES)}
OVERFLOW = {name: i for i, name in enumerate(P.OVERFLOW_NAMES)}

_QRE = re.compile(r"^(U?)Q(\d+)(?:\.(\d+))?(?:\*2\^(-?\d+))?$")


def rounding_mode(name: str, field: str = "rounding") -> int:
    """Rounding mode code for its name; FxsimError naming the allowed values otherwise."""
    if not isinstance(name, str) or name not in ROUNDING:
        raise FxsimError(f"{field}: unknown rounding {name!r}; allowed: {' | '.join(ROUNDING)}")
    return ROUNDING[name]


def overflow_mode(name: str, field: str = "overflow") -> int:
    """Overflow mode code for its name; FxsimError naming the allowed values otherwise."""
    if not isinstance(name, str) or name not in OVERFLOW:
        raise FxsimError(f"{field}: unknown overflow {name!r}; allowed: {' | '.join(OVERFLOW)}")
    return OVERFLOW[name]


@dataclass(frozen=True)
class QFormat:
    """A fixed-point format: ``int_bits`` integer bits, ``frac_bits`` fraction bits, signed or not,
    and a static scale exponent (a word w stands for w 2^(scale_exp - frac_bits)).
    The word is int_bits + frac_bits (+1 sign bit when signed)."""

    int_bits: int
    frac_bits: int
    signed: bool = True
    scale_exp: int = 0

    @property
    def word_bits(self) -> int:
        return self.int_bits + self.frac_bits + (1 if self.signed else 0)

    @property
    def min_int(self) -> int:
        return -(1 << (self.word_bits - 1)) if self.signed else 0

    @property
    def max_int(self) -> int:
        return (1 << (self.word_bits - 1)) - 1 if self.signed else (1 << self.word_bits) - 1

    @property
    def lsb(self) -> float:
        """Value of one least significant bit (the scale exponent included)."""
        return 2.0 ** (self.scale_exp - self.frac_bits)

    def scaled(self, exp: int) -> "QFormat":
        """The same word with ``exp`` added to the scale exponent."""
        return QFormat(self.int_bits, self.frac_bits, self.signed, self.scale_exp + exp)

    @property
    def dtype(self):
        """Smallest numpy integer type holding the word (int16, int32 or int64)."""
        bits = self.word_bits + (0 if self.signed else 1)
        return np.int16 if bits <= 16 else np.int32 if bits <= 32 else np.int64

    @property
    def ctype(self) -> str:
        """The C type of the word: int16_t, int32_t or int64_t."""
        return {np.int16: "int16_t", np.int32: "int32_t", np.int64: "int64_t"}[self.dtype]

    @classmethod
    def parse(cls, text, max_word: int = 32, field: str = "format") -> "QFormat":
        """Parse ``Q15``, ``Q31``, ``Qm.n`` or ``UQm.n``; words of 2..``max_word`` bits."""
        if isinstance(text, QFormat):
            return text
        m = _QRE.match(str(text).strip()) if isinstance(text, str) else None
        if m is None:
            raise FxsimError(f"{field}: {text!r} is not a Q format; write Q15, Q31, Qm.n or UQm.n")
        unsigned, a, b = m.group(1) == "U", int(m.group(2)), m.group(3)
        int_bits, frac_bits = (0, a) if b is None else (a, int(b))
        fmt = cls(int_bits, frac_bits, not unsigned, int(m.group(4) or 0))
        lo = 2 if fmt.signed else 1
        if not lo <= fmt.word_bits <= max_word:
            raise FxsimError(f"{field}: {text!r} has a {fmt.word_bits}-bit word; "
                             f"allowed: {lo} to {max_word} bits")
        return fmt

    def __str__(self) -> str:
        if self.signed and self.int_bits == 0:
            text = f"Q{self.frac_bits}"
        else:
            text = f"{'' if self.signed else 'U'}Q{self.int_bits}.{self.frac_bits}"
        return text + (f"*2^{self.scale_exp}" if self.scale_exp else "")

    def fits(self, ints) -> bool:
        a = np.asarray(ints)
        return bool(a.size == 0 or (a.min() >= self.min_int and a.max() <= self.max_int))


def _as_format(fmt) -> QFormat:
    return fmt if isinstance(fmt, QFormat) else QFormat.parse(fmt, max_word=64)


def fit_range(ints, fmt: QFormat, overflow: int, what: str = "value"):
    """Make int64 values fit ``fmt`` by the overflow mode; returns (values, overflow count).
    ERROR raises RangeError naming the first offending value."""
    ints = np.ascontiguousarray(ints, dtype=np.int64)
    lo, hi = fmt.min_int, fmt.max_int
    bad = (ints < lo) | (ints > hi)
    n = int(np.count_nonzero(bad))
    if n == 0:
        return ints, 0
    if overflow == P.ERROR:
        v = ints[np.argmax(bad)]
        raise RangeError(f"{what} {v} does not fit {fmt} [{lo}, {hi}] and overflow = \"error\"")
    if overflow == P.SATURATE:
        return np.clip(ints, lo, hi), n
    span = hi - lo + 1                                    # WRAP, signed or unsigned
    return ((ints - lo) % span) + lo, n


def quantize(x, fmt, rounding="nearest", overflow="saturate", return_count=False):
    """float -> integers of ``fmt``, exactly: x * 2**frac_bits rounded by ``rounding`` (a name or
    mode code), then made to fit by ``overflow``. NaN is refused; +-inf saturates (or errors).
    Returns an array of ``fmt.dtype`` (and the overflow count when ``return_count``)."""
    fmt = _as_format(fmt)
    rmode = rounding_mode(rounding) if isinstance(rounding, str) else int(rounding)
    omode = overflow_mode(overflow) if isinstance(overflow, str) else int(overflow)
    x = np.asarray(x, dtype=np.float64)
    if np.isnan(x).any():
        raise FxsimError("input holds NaN; only finite values can be quantized")
    shape = x.shape
    flat = x.ravel()
    inf = np.isinf(flat)
    mant, exp = np.frexp(np.where(inf, 0.0, flat))        # x = mant * 2**exp, 0.5 <= |mant| < 1
    m_int = np.ldexp(mant, 53).astype(np.int64)           # exact 53-bit integer mantissa
    # x / lsb = x * 2**(frac - scale_exp) = m_int / 2**shift
    shift = 53 - exp.astype(np.int64) - (fmt.frac_bits - fmt.scale_exp)
    huge = ~inf & (shift < -9)                            # m_int << -shift would leave int64
    beyond = inf | huge                                   # surely out of range, handled apart
    ints = P.shr_round_array(m_int, np.where(beyond, 0, shift), rmode)
    if beyond.any():
        if omode == P.ERROR:
            raise RangeError(f"quantized value {flat[np.argmax(beyond)]:g} does not fit {fmt} and "
                             f"overflow = \"error\"")
        for i in np.flatnonzero(beyond):
            if omode == P.WRAP and huge[i]:               # only the value modulo 2**word matters
                v = int(m_int[i]) << int(-shift[i])
                ints[i] = (v - fmt.min_int) % (fmt.max_int - fmt.min_int + 1) + fmt.min_int
            else:                                         # saturate (infinities always do)
                ints[i] = fmt.max_int if flat[i] > 0 else fmt.min_int
    ints, count = fit_range(ints, fmt, omode, what="quantized value")
    count += int(np.count_nonzero(beyond))
    out = ints.astype(fmt.dtype).reshape(shape)
    return (out, count) if return_count else out


def dequantize(ints, fmt) -> np.ndarray:
    """integers of ``fmt`` -> float64 (exact for words up to 53 bits), the scale exponent
    applied."""
    fmt = _as_format(fmt)
    return np.ldexp(np.asarray(ints, dtype=np.float64), fmt.scale_exp - fmt.frac_bits)
