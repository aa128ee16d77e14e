"""decimate / interpolate: polyphase FIR against an independent zero-stuffing / keep-every-M-th
integer reference, the scipy.signal.upfirdn phase convention, streaming across calls that are
not multiples of the factor, three-way bit-exactness and `fxsim verify` on the examples."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hs
from scipy import signal

from fxsim.codegen.verify import verify
from fxsim import design as D
from fxsim.analysis.metrics import snr_db
from fxsim.qformat import dequantize
from fxsim.signals import builtin_signal_set

from .conftest import C_BUILDS
from .fir_helpers import ROOT, edge_signal, make, model, noise, run_generated, run_ref_c
from .test_fir import py_fir

CONFIGS = [
    ("decimate", "Q15", {"factor": 3}),
    ("decimate", "Q15", {"factor": 2, "taps": [0.9, 0.9, -0.9, 0.9, 0.9], "coef": "Q15",
                         "acc_bits": 32, "rounding": "floor"}),
    ("decimate", "Q31", {"factor": 4, "overflow": "wrap", "rounding": "convergent"}),
    ("decimate", "Q15", {"factor": 5, "design": {"method": "remez", "numtaps": 41,
                                                  "bands": [0, 0.08, 0.12, 0.5],
                                                  "desired": [1, 0]}, "coef": 16}),
    ("interpolate", "Q15", {"factor": 2, "out": "Q1.14"}),
    ("interpolate", "Q15", {"factor": 3, "taps": [0.9, 0.9, -0.9, 0.9, 0.9, 0.9, 0.9],
                            "coef": "Q15", "acc_bits": 32, "overflow": "wrap"}),
    ("interpolate", "Q31", {"factor": 4, "out": "Q1.30", "rounding": "zero"}),
    ("interpolate", "Q15", {"factor": 3, "taps": [0.9, 0.9, -0.9, 0.9, 0.9, 0.9, 0.9],
                            "coef": "Q15", "acc_bits": 32}),
]


def _design(i, block=160):
    kernel, data, keys = CONFIGS[i]
    return make(kernel, data=data, block=block, name=f"poly{i}", **keys)


def py_resample(st, x):
    """decimate: the full-rate integer FIR, kept at inputs 0, M, 2M, ...; interpolate: the
    integer FIR of the zero-stuffed input (x[i] at i L). The accumulator order (oldest first)
    matches the model's because stuffed zeros add nothing."""
    m = st.factor
    args = (st.shift, st.out_fmt.word_bits, st.acc_bits, st.rounding_name, st.overflow_name)
    if st.kernel == "decimate":
        return py_fir(x, st.h_int, *args)[::m]
    up = np.zeros(len(x) * m, dtype=np.int64)
    up[::m] = x
    return py_fir(up, st.h_int, *args)


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_model_equals_integer_reference(i):
    d = _design(i)
    x = edge_signal(500, str(d.in_fmt))
    np.testing.assert_array_equal(model(d, x), py_resample(d.stages[0], x))


@pytest.mark.parametrize("kernel,factor", [("decimate", 2), ("decimate", 3), ("interpolate", 2),
                                           ("interpolate", 5)])
def test_phase_and_length_match_upfirdn(kernel, factor):
    d = make(kernel, factor=factor, out="Q2.13")
    x = noise(1001, -12.0, seed=4)
    y = model(d, x)
    ref = signal.upfirdn(d.stages[0].taps, dequantize(x, d.in_fmt), *(
        (1, factor) if kernel == "decimate" else (factor, 1)))
    n = -(-1001 // factor) if kernel == "decimate" else 1001 * factor
    assert len(y) == n and len(d.reference(dequantize(x, d.in_fmt))) == n
    assert snr_db(ref[:n], dequantize(y, d.out_fmt)) > 70


def test_default_filters_and_rate():
    dec = make("decimate", factor=3).stages[0]
    np.testing.assert_allclose(dec.taps, signal.firwin(48, 1 / 3))
    assert dec.rate == Fraction(1, 3)
    itp = make("interpolate", factor=4, out="Q1.14").stages[0]
    np.testing.assert_allclose(itp.taps, 4 * signal.firwin(64, 1 / 4))
    assert itp.rate == Fraction(4) and itp.rows == 4 and itp.q == 16


def test_factor_one_is_the_identity():
    for kernel in ("decimate", "interpolate"):
        d = make(kernel, factor=1)
        x = edge_signal(300, "Q15")
        np.testing.assert_array_equal(model(d, x), x)


@settings(max_examples=60)
@given(i=hs.integers(0, len(CONFIGS) - 1), cuts=hs.lists(hs.integers(0, 400), max_size=10))
def test_any_split_gives_the_same_output(i, cuts):
    d = _design(i)
    x = edge_signal(400, str(d.in_fmt), seed=2)
    splits = np.diff([0, *sorted(cuts)]).tolist()
    np.testing.assert_array_equal(model(d, x, splits), model(d, x))


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_reference_c_equals_model(i):
    d = _design(i)
    x = edge_signal(1200, str(d.in_fmt), seed=5)
    expect = model(d, x)
    np.testing.assert_array_equal(run_ref_c(d, x, block=0), expect)


@pytest.mark.parametrize("i,unroll", [(i, 4) for i in range(len(CONFIGS))] +
                         [(i, u) for i in (0, 1, 4, 5) for u in (1, 2, 8)])
def test_generated_c_equals_model(i, unroll):
    for block in (37, 160, 301):          # not multiples of the factors; 301 > one C pass
        d = _design(i, block=block)
        x = edge_signal(1200, str(d.in_fmt), seed=7)
        np.testing.assert_array_equal(run_generated(d, x, unroll), model(d, x))


@pytest.mark.parametrize("i", [1, 5])
def test_sanitized_builds(i):
    opt, extra = C_BUILDS["sanitize"]
    d = _design(i, block=41)
    x = edge_signal(600, str(d.in_fmt), seed=9)
    expect = model(d, x)
    np.testing.assert_array_equal(run_generated(d, x, 4, opt, extra), expect)
    np.testing.assert_array_equal(run_ref_c(d, x, 0, opt, extra), expect)


@pytest.mark.parametrize("unroll", [1, 4, 8])
@pytest.mark.parametrize("example", ["decimate_q15", "decimate_q31", "interpolate_q15",
                                     "interpolate_q31"])
def test_verify_examples(example, unroll):
    d = D.load(ROOT / "examples" / f"{example}.toml")
    res = verify(d, builtin_signal_set(d.sample_rate, n=2000), unroll=unroll)
    assert res["passed"] and res["bit_exact"] and res["snr_db"] >= 60, res


@pytest.mark.parametrize("block", [7, 160])
def test_chain_interpolate_fir_decimate(block):
    """Stages of different rates in one design: buffers, phases and call sizes line up."""
    d = D.from_dict({"name": "chain", "block": block, "defaults": {"data": "Q15"},
                     "stage": [{"kernel": "interpolate", "factor": 3, "data": "Q1.14"},
                               {"kernel": "fir", "taps": [0.25, 0.5, 0.25], "coef": 16, "data": "Q1.14"},
                               {"kernel": "decimate", "factor": 2, "data": "Q1.14"}]})
    assert d.rate == Fraction(3, 2)
    res = verify(d, builtin_signal_set(d.sample_rate, n=1001), unroll=2)
    assert res["passed"] and res["bit_exact"], res
