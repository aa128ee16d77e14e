"""QFormat parsing and printing; quantize is integer-exact in every rounding and overflow mode."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, strategies as st

from fxsim.errors import FxsimError, RangeError
from fxsim.qformat import QFormat, dequantize, quantize

from .test_primitives import exact_round

MODES = ["floor", "ceil", "zero", "nearest", "convergent"]


@pytest.mark.parametrize("text,m,n,signed,word", [
    ("Q15", 0, 15, True, 16), ("Q31", 0, 31, True, 32), ("Q1.14", 1, 14, True, 16),
    ("Q3.12", 3, 12, True, 16), ("UQ1.15", 1, 15, False, 16), ("UQ0.8", 0, 8, False, 8),
    ("Q0.1", 0, 1, True, 2), ("Q8.23", 8, 23, True, 32)])
def test_parse(text, m, n, signed, word):
    f = QFormat.parse(text)
    assert (f.int_bits, f.frac_bits, f.signed, f.word_bits) == (m, n, signed, word)
    assert QFormat.parse(str(f)) == f


@pytest.mark.parametrize("bad", ["Q1.40", "P15", "Q-1.3", "Q", "q15", "Q15.", "UQ40", "", "Q0"])
def test_parse_rejects(bad):
    with pytest.raises(FxsimError, match="format"):
        QFormat.parse(bad)


def test_accumulator_formats_up_to_64_bits():
    assert QFormat.parse("Q33.30", max_word=64).word_bits == 64
    with pytest.raises(FxsimError):
        QFormat.parse("Q33.30")


fmts = st.sampled_from(["Q15", "Q31", "Q3.12", "Q7.8", "UQ1.15", "UQ0.16", "Q0.3", "Q10.21"])


@given(st.floats(-300, 300, allow_nan=False), fmts, st.sampled_from(MODES),
       st.sampled_from(["saturate", "wrap"]))
def test_quantize_is_exact(x, fmt_text, mode, overflow):
    f = QFormat.parse(fmt_text)
    exact = Fraction(x) * (1 << f.frac_bits)
    r = exact_round(exact.numerator, exact.denominator, MODES.index(mode))
    if overflow == "saturate":
        want = min(max(r, f.min_int), f.max_int)
    else:
        span = 1 << f.word_bits
        want = (r - f.min_int) % span + f.min_int
    got = quantize(x, f, mode, overflow)
    assert int(got) == want and got.dtype == f.dtype


@pytest.mark.parametrize("mode,expect", [
    ("floor", [0, 1, -1, -2]), ("ceil", [1, 2, 0, -1]), ("zero", [0, 1, 0, -1]),
    ("nearest", [1, 2, -1, -2]), ("convergent", [0, 2, 0, -2])])
def test_ties_at_half_lsb(mode, expect):
    lsb = 2.0 ** -15
    assert quantize(np.array([0.5, 1.5, -0.5, -1.5]) * lsb, "Q15", mode).tolist() == expect


@given(st.integers(-(1 << 31), (1 << 31) - 1))
def test_dequantize_roundtrip(v):
    assert quantize(dequantize(v, "Q31"), "Q31", "floor") == v


def test_overflow_error_names_value():
    with pytest.raises(RangeError, match="does not fit Q15"):
        quantize([0.5, 1.0], "Q15", overflow="error")


def test_nan_refused_inf_saturates():
    with pytest.raises(FxsimError, match="NaN"):
        quantize([np.nan], "Q15")
    assert quantize([np.inf, -np.inf], "Q15").tolist() == [32767, -32768]


@pytest.mark.parametrize("bad,kind", [("round", "rounding"), ("clip", "overflow")])
def test_unknown_mode_names(bad, kind):
    with pytest.raises(FxsimError, match=f"unknown {kind}"):
        quantize([0.1], "Q15", **{kind: bad})
