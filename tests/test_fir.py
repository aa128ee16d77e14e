"""fir: the model against an independent integer convolution, streaming, three-way bit-exactness
(model == c_ref C == generated C), the accuracy floor, `fxsim verify` on the examples, bad input."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hs
from scipy import signal

from fxsim.codegen.verify import verify
from fxsim import design as D
from fxsim.analysis.metrics import max_err_lsb, snr_db
from fxsim.qformat import dequantize
from fxsim.signals import builtin_signal_set

from .conftest import C_BUILDS
from .fir_helpers import ROOT, edge_signal, make, model, noise, run_generated, run_ref_c

FIRWIN = {"method": "firwin", "numtaps": 64, "cutoff": 0.25}


# --- an independent integer reference (Python ints, no numba, no primitives) -------------------

def py_shr_round(v: int, s: int, mode: str) -> int:
    if s <= 0:
        return v << -s
    q, r = divmod(v, 1 << s)                        # floor division, 0 <= r < 2^s
    half = 1 << (s - 1)
    if r == 0 or mode == "floor":
        return q
    if mode == "ceil":
        return q + 1
    if mode == "zero":
        return q + 1 if v < 0 else q
    if r != half:
        return q + (r > half)
    return q + (v >= 0) if mode == "nearest" else q + (q & 1)


def py_fit(v: int, bits: int, overflow: str) -> int:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if overflow == "wrap":
        return ((v - lo) % (1 << bits)) + lo
    return min(max(v, lo), hi)


def py_fir(x, h_int, shift, out_bits, acc_bits, rounding, overflow, pshift=0):
    """y[n] = fit(round(sum_k h[k] x[n-k])), the accumulator fitted after every addition, taps
    applied oldest sample first (k = T-1 .. 0); each product floored to a multiple of 2^pshift
    first (Python's >> on ints is floor division)."""
    x = [int(v) for v in x]
    h = [int(v) for v in h_int]
    t = len(h)
    y = []
    for n in range(len(x)):
        acc = 0
        for k in range(t - 1, -1, -1):
            xv = x[n - k] if n - k >= 0 else 0
            acc = py_fit(acc + ((h[k] * xv) >> pshift), acc_bits, overflow)
        y.append(py_fit(py_shr_round(acc, shift, rounding), out_bits, overflow))
    return np.array(y, dtype=np.int64)


def py_stage(st, x):
    return py_fir(x, st.h_int, st.shift, st.out_fmt.word_bits, st.acc_bits, st.rounding_name,
                  st.overflow_name, st.product_shift)


CONFIGS = [
    # (data, keys) - default (32-bit full-word coefficients), 16-bit words, fixed formats,
    # accumulators that can overflow (saturating and wrapping), all rounding modes
    ("Q15", {"design": FIRWIN}),
    ("Q15", {"design": FIRWIN, "coef": 16, "acc_bits": 40, "rounding": "floor"}),
    ("Q15", {"taps": [0.5, -0.25, 0.125, 0.7], "coef": "Q15", "acc_bits": 32,
             "rounding": "convergent"}),
    ("Q15", {"taps": [0.99, 0.99, 0.99, 0.99, -0.9, 0.99], "coef": "Q15", "acc_bits": 32,
             "overflow": "wrap", "rounding": "zero"}),
    ("Q15", {"taps": [0.99, 0.99, 0.99, 0.99, -0.9, 0.99], "coef": "Q15", "acc_bits": 32,
             "overflow": "saturate", "rounding": "ceil"}),
    ("Q31", {"design": FIRWIN}),
    ("Q31", {"taps": [0.9, 0.9, 0.9, -0.9], "coef": "Q31", "acc_bits": 64, "rounding": "convergent"}),
    ("Q31", {"taps": [0.99] * 5, "coef": "Q31", "acc_bits": 64, "overflow": "wrap"}),
    ("Q1.14", {"taps": [1.5, -0.75, 0.3], "coef": "Q2.13", "acc_bits": 32, "out": "Q15"}),
    # tap counts that leave 3 and 2 taps after the C's 4-tap unrolled loop, exact and saturating
    ("Q15", {"taps": [0.1, -0.2, 0.3, 0.9, 0.3, -0.2, 0.1]}),
    ("Q31", {"taps": [0.99, 0.99, 0.99, -0.99, 0.99, 0.99], "coef": "Q31", "acc_bits": 64}),
    # products shifted right (product_shift): the SMLAWB form (16-bit data, 32-bit taps, 32-bit
    # accumulator, exact), the same saturating and wrapping, and a 64-bit accumulator's
    ("Q15", {"design": FIRWIN, "acc_bits": 32, "product_shift": 16}),
    ("Q15", {"taps": [0.99, 0.99, 0.99, 0.99, -0.9, 0.99, 0.5], "coef": "Q31", "acc_bits": 32,
             "product_shift": 16, "rounding": "floor"}),
    ("Q15", {"taps": [0.99, 0.99, 0.99, 0.99, -0.9, 0.99, 0.5], "coef": "Q31", "acc_bits": 32,
             "product_shift": 16, "overflow": "wrap"}),
    ("Q31", {"design": FIRWIN, "product_shift": 21, "rounding": "convergent"}),
]


def _design(i, block=160, name="fir_t"):
    data, keys = CONFIGS[i]
    return make("fir", data=data, block=block, name=f"{name}{i}", **keys)


@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_model_equals_integer_convolution(i):
    d = _design(i)
    st = d.stages[0]
    x = edge_signal(600, str(d.in_fmt))
    np.testing.assert_array_equal(model(d, x), py_stage(st, x))


def test_paths_cover_exact_and_checked():
    assert _design(0).stages[0].exact and _design(5).stages[0].exact
    assert not _design(3).stages[0].exact and not _design(7).stages[0].exact
    assert _design(9).stages[0].exact and not _design(10).stages[0].exact
    assert _design(1).stages[0].path == "split16"
    assert _design(11).stages[0].exact and _design(11).stages[0].c_context()["acc32"]
    assert not _design(12).stages[0].exact and _design(14).stages[0].exact


def test_saturating_accumulator_counts_and_error_mode():
    d = _design(4)
    x = np.full(64, 32767, dtype=np.int64)
    y, n = d.stages[0].process(x, d.stages[0].init_state())
    assert n > 0 and y.max() == 32767
    derr = make("fir", taps=[0.99] * 6, coef="Q15", acc_bits=32, overflow="error")
    from fxsim.errors import RangeError
    with pytest.raises(RangeError):
        derr.simulate(x)            # the chain raises after the stage that overflowed


@settings(max_examples=60)
@given(i=hs.sampled_from([0, 1, 3, 5, 7]),
       cuts=hs.lists(hs.integers(0, 700), max_size=8))
def test_any_split_gives_the_same_output(i, cuts):
    d = _design(i)
    x = edge_signal(700, str(d.in_fmt), seed=3)
    cuts = sorted(cuts)
    splits = np.diff([0, *cuts]).tolist()
    np.testing.assert_array_equal(model(d, x, splits), model(d, x))


# --- full-word coefficient scaling ------------------------------------------------------------

def test_full_word_scaling_uses_the_word():
    st = make("fir", design=FIRWIN).stages[0]
    assert st.coef_word == 32 and st.coef_frac == 33                    # peak 0.244: 2 extra bits
    assert 2 ** 30 < np.abs(st.h_int).max() < 2 ** 31
    st16 = make("fir", design=FIRWIN, coef=16).stages[0]
    assert st16.coef_word == 16 and st16.coef_frac == 17
    assert "post-shift 2" in st16.scaling()
    fixed = make("fir", design=FIRWIN, coef="Q15").stages[0]
    assert fixed.coef_frac == 15 and "fixed by coef" in fixed.scaling()


def test_scaling_statement_names_every_format():
    s = make("fir", design=FIRWIN).stages[0].scaling()
    for word in ("Q15", "32-bit words", "33 fraction bits", "64-bit accumulator",
                 "shift right 33", "nearest", "saturate"):
        assert word in s


def test_taps_file_is_relative_to_the_design(tmp_path):
    sub = tmp_path / "designs"
    sub.mkdir()
    taps = signal.firwin(21, 0.3)
    np.save(sub / "h.npy", taps)
    (sub / "d.toml").write_text('name = "tf"\n[[stage]]\nkernel = "fir"\ntaps_file = "h.npy"\n')
    st = D.load(sub / "d.toml").stages[0]
    np.testing.assert_array_equal(st.taps, taps)


def test_remez_design():
    st = make("fir", design={"method": "remez", "numtaps": 31, "bands": [0, 0.1, 0.2, 0.5],
                             "desired": [1, 0]}).stages[0]
    np.testing.assert_allclose(st.taps, signal.remez(31, [0, 0.1, 0.2, 0.5], [1, 0]))


# --- three-way bit-exactness --------------------------------------------------------------------

@pytest.mark.parametrize("i", range(len(CONFIGS)))
def test_reference_c_equals_model(i):
    d = _design(i)
    x = edge_signal(2000, str(d.in_fmt), seed=5)
    expect = model(d, x)
    np.testing.assert_array_equal(run_ref_c(d, x, block=0), expect)
    np.testing.assert_array_equal(run_ref_c(d, x, block=160), expect)


@pytest.mark.parametrize("i,unroll", [(i, 4) for i in range(len(CONFIGS))] +
                         [(i, u) for i in (0, 1, 3, 7, 9, 10) for u in (1, 2, 8)])
def test_generated_c_equals_model_and_reference_c(i, unroll):
    # block 37: calls that do not line up with anything; 300 > the C's 256-sample pass
    for block in (37, 300):
        d = _design(i, block=block)
        x = edge_signal(1500, str(d.in_fmt), seed=7)
        expect = model(d, x)
        np.testing.assert_array_equal(run_generated(d, x, unroll), expect)
    np.testing.assert_array_equal(run_ref_c(d, x), expect)


@pytest.mark.parametrize("build", ["O0", "sanitize"])
@pytest.mark.parametrize("i", [1, 3, 7, 9, 10])
def test_generated_and_reference_c_clean_under_other_builds(i, build):
    opt, extra = C_BUILDS[build]
    d = _design(i, block=50)
    x = edge_signal(800, str(d.in_fmt), seed=9)
    expect = model(d, x)
    np.testing.assert_array_equal(run_generated(d, x, 4, opt, extra), expect)
    np.testing.assert_array_equal(run_ref_c(d, x, 0, opt, extra), expect)


# --- accuracy floor (the reference workload: 16000 samples of -10 dBFS Gaussian noise) ----------------

def _accuracy(data):
    d = make("fir", data=data, design=FIRWIN)
    x = noise(16000, -10.0, seed=0, fmt=data)
    y = model(d, x)
    ref = d.reference(dequantize(x, d.in_fmt))
    out = dequantize(y, d.out_fmt)
    return snr_db(ref, out), max_err_lsb(ref, out, d.out_fmt)


def test_accuracy_floor_q15():
    snr, err = _accuracy("Q15")
    assert snr >= 82.0 and err <= 1.0, (snr, err)          # CMSIS arm_fir_q15: 74.7 dB


def test_accuracy_q31():
    snr, err = _accuracy("Q31")
    assert snr >= 165.0 and err <= 4.0, (snr, err)


# --- fxsim verify on the example designs ----------------------------------------------------------

@pytest.mark.parametrize("unroll", [1, 4, 8])
@pytest.mark.parametrize("example", ["fir_q15", "fir_q15_c16", "fir_q15_pshift16", "fir_q31"])
def test_verify_examples(example, unroll):
    d = D.load(ROOT / "examples" / f"{example}.toml")
    res = verify(d, builtin_signal_set(d.sample_rate, n=2000), unroll=unroll)
    assert res["passed"] and res["bit_exact"] and res["snr_db"] >= 60, res


# --- bad input: one line, exit 2 ------------------------------------------------------------------

def _cli(tmp_path, stage_toml, name="bad"):
    p = tmp_path / f"{name}.toml"
    p.write_text(f'name = "{name}"\n[defaults]\ndata = "Q15"\n[[stage]]\n{stage_toml}\n')
    from click.testing import CliRunner

    from fxsim.cli import main
    r = CliRunner().invoke(main, ["verify", str(p)])
    return r.exit_code, r.stderr


def test_bad_input_through_a_real_process(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('name = "bad"\n[[stage]]\nkernel = "decimate"\nfactor = 0\n')
    res = subprocess.run([sys.executable, "-m", "fxsim.cli", "quantize", str(p), "--input",
                          str(ROOT / "examples" / "speechlike.wav")], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "factor" in res.stderr


BAD = [
    ('kernel = "fir"\ntaps = [1.5, 0.2]\ncoef = "Q15"', "does not fit Q15"),
    ('kernel = "fir"\ntaps = []', "no coefficients"),
    ('kernel = "fir"\ntaps = ["a"]', "not a list of numbers"),
    ('kernel = "fir"', "needs one of taps, taps_file or design"),
    ('kernel = "fir"\ntaps = [0.5]\ndesign = { method = "firwin", numtaps = 5, cutoff = 0.2 }',
     "give exactly one of taps, taps_file, design"),
    ('kernel = "fir"\ndesign = "firwin"', "is not a table"),
    ('kernel = "fir"\ndesign = { numtaps = 5 }', "allowed: firwin | remez"),
    ('kernel = "fir"\ndesign = { method = "butter", numtaps = 5 }',
     "allowed: firwin | remez"),
    ('kernel = "fir"\ndesign = { method = "firwin", numtaps = 5, cutoff = 1.5 }',
     "scipy.signal.firwin"),
    ('kernel = "fir"\ndesign = { method = "firwin", numtaps = 5, cutof = 0.2 }',
     "scipy.signal.firwin"),
    ('kernel = "fir"\ntaps_file = "missing.npy"', "not found"),
    ('kernel = "fir"\ntaps_file = "h2d.npy"', "allowed: a 1-D list"),
    ('kernel = "fir"\ntaps = [0.5]\nacc_bits = 48', "allowed: 32, 40, 64"),
    ('kernel = "fir"\ntaps = [0.5]\ncoef = 32\nacc_bits = 32', "cannot hold the 47-bit products"),
    ('kernel = "fir"\ntaps = [0.5]\ncoef = 40', "allowed: 2 to 32 bits"),
    ('kernel = "fir"\ntaps = [0.5]\nfactor = 2', "unknown key 'factor'"),
    ('kernel = "fir"\ntaps = [0.5]\nproduct_shift = 32', "allowed: an integer from 0 to 31"),
    ('kernel = "fir"\ntaps = [0.5]\nproduct_shift = true', "allowed: an integer from 0 to 31"),
    ('kernel = "fir"\ntaps = [0.5]\ncoef = 32\nacc_bits = 32\nproduct_shift = 8',
     "cannot hold the 39-bit products of Q15 data and 32-bit coefficients shifted right 8"),
    ('kernel = "fir"\ntaps = [0.5]\ncoef = "Q15"\nproduct_shift = 16\ndata = "Q15"',
     "more fraction bits than the products (14)"),
    ('kernel = "fir"\ntaps = [0.5]\nmethod = "overlap-save"\nproduct_shift = 16',
     "only with method = \"direct\""),
    ('kernel = "decimate"\nfactor = 0', "allowed: an integer >= 1"),
    ('kernel = "decimate"\nfactor = -3', "allowed: an integer >= 1"),
    ('kernel = "interpolate"\nfactor = 2.5', "allowed: an integer >= 1"),
    ('kernel = "interpolate"\nfactor = "2"', "allowed: an integer >= 1"),
    ('kernel = "decimate"', "missing key 'factor'"),
]


@pytest.mark.parametrize("stage,needle", BAD)
def test_bad_input_one_line_exit_2(tmp_path, stage, needle):
    np.save(tmp_path / "h2d.npy", np.zeros((3, 3)))
    code, stderr = _cli(tmp_path, stage)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fxsim: error:"), stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in stderr


@pytest.mark.parametrize("i", [2, 3, 4, 7])
def test_generated_c_counts_the_same_saturations(i):
    from fxsim.codegen.verify import outputs
    d = _design(i, block=64)
    x = edge_signal(1000, str(d.in_fmt), seed=11)
    st = d.stages[0]
    expect, n_model = st.process(x, st.init_state())
    y, sats = outputs(d, x, unroll=4)
    np.testing.assert_array_equal(y, expect)
    assert n_model > 0 and sats == [n_model]


# --- overlap-save --------------------------------------------------------------------------------

def ols_design(taps=256, data="Q15", nfft=None, block=160):
    spec = {"kernel": "fir", "method": "overlap-save",
            "design": {"method": "firwin", "numtaps": taps, "cutoff": 0.2}}
    if nfft:
        spec["nfft"] = nfft
    return make(block=block, data=data, **{k: v for k, v in spec.items() if k != "kernel"})


@pytest.mark.parametrize("taps,data,nfft", [(256, "Q15", None), (100, "Q31", None),
                                            (1024, "Q15", None), (31, "Q15", 64)])
def test_overlap_save_three_ways_bit_exact(taps, data, nfft):
    from .c_ref_bindings import run_c_ref
    d = ols_design(taps, data, nfft)
    x = edge_signal(3000, data, seed=5)
    want, sats = d.simulate(x)
    got, c_sats, _ = run_c_ref(d.stages[0], x, block=97)
    np.testing.assert_array_equal(got, want)
    assert c_sats == sats[0]
    np.testing.assert_array_equal(run_generated(d, x), want)
    assert len(want) == 3000 // d.stages[0].ols.block * d.stages[0].ols.block


@pytest.mark.parametrize("taps", [256, 1024])
def test_overlap_save_accuracy_floor(taps):
    from fxsim.analysis.metrics import snr_db
    from fxsim.qformat import dequantize
    d = ols_design(taps)
    x_int = noise(16000, -10.0, seed=2)
    y = dequantize(d.simulate(x_int)[0], d.out_fmt)
    ref = d.stages[0].reference(dequantize(x_int, d.in_fmt))[: len(y)]
    assert snr_db(ref, y) >= 65.0


def test_overlap_save_bad_keys():
    from fxsim.errors import FxsimError
    with pytest.raises(FxsimError, match=r"stage\[0\] \(fir\)\.nfft: 128; allowed: a power of two "
                                         r"from 64 to 4096 and more than the 200 taps"):
        make(method="overlap-save", nfft=128, design={"method": "firwin", "numtaps": 200,
                                                      "cutoff": 0.2})
    with pytest.raises(FxsimError, match=r"method: 'fast'; allowed: direct \| overlap-save"):
        make(method="fast", taps=[1.0])
    with pytest.raises(FxsimError, match=r"nfft: only with method"):
        make(nfft=256, taps=[1.0])
