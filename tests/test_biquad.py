"""biquad: three ways bit-exact (model == c_ref == generated C, every unroll factor), streaming,
the design as written (ordering and gain scaling keep the transfer function), no intermediate
overflow, stability checks, the accuracy floors of the issue, the limit-cycle report field, and
one-line errors for bad input."""
import functools
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import signal

from fxsim.codegen import build, verify as V
from fxsim import design as D
from fxsim.analysis import stability as S
from fxsim.analysis.metrics import snr_db
from fxsim.errors import FxsimError
from fxsim.qformat import dequantize, quantize
from fxsim.signals import builtin_signal_set

from .c_ref_bindings import biquad_args
from .conftest import C_BUILDS, ROOT
from .test_cli import fxsim


def cli(*args):
    """The command line in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from fxsim.cli import main
    r = CliRunner().invoke(main, [str(a) for a in args])
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr

BUTTER6 = signal.butter(6, 0.25, output="sos")
NARROW = signal.butter(4, 0.01, output="sos")
ELLIP = signal.ellip(5, 0.5, 60, [0.2, 0.4], btype="bandpass", output="sos")
#: 10 sections of narrow, high-Q bandpass: greedy ordering and 32-bit nodes for 16-bit data
ELLIP_NARROW = signal.ellip(10, 0.5, 70, [0.2, 0.25], btype="bandpass", output="sos")


def make(sos=None, data="Q15", out=None, rounding="nearest", overflow="saturate", block=64, **keys):
    stage = {"kernel": "biquad", **keys}
    if sos is not None:
        stage["sos"] = np.asarray(sos).tolist()
    if out:
        stage["data"] = out
    return D.from_dict({"name": "t_biquad", "block": block,
                        "defaults": {"data": data, "rounding": rounding, "overflow": overflow},
                        "stage": [stage]})


def noise(n, dbfs=-10.0, seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(rng.standard_normal(n) * 10 ** (dbfs / 20), -1.0, 1.0 - 2.0 ** -15)


def stress(fmt, n=6000, seed=0):
    """Full scale, -1, saturating steps, tiny values and noise (as the skeleton tests use)."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-1, 1, n // 2), rng.standard_normal(n // 4) * 1e-3,
                        np.tile([-1.0, 1.0, -1.0, -1.0, 1.0, 1.0], n // 24),
                        np.full(n // 8, -1.0), np.zeros(n // 8)])
    return quantize(x, fmt, "nearest", "saturate").astype(np.int64)


def snr_of(des, x):
    xi = quantize(x, des.in_fmt).astype(np.int64)
    y, _ = des.simulate(xi)
    return snr_db(des.reference(dequantize(xi, des.in_fmt)), dequantize(y, des.out_fmt))


# --- three ways bit-exact ------------------------------------------------------------------------
CASES = [(sos_name, data, out, r, o)
         for sos_name in ("butter6", "narrow", "ellip")
         for data, out in (("Q15", "Q15"), ("Q15", "Q1.14"), ("Q31", "Q31"))
         for r, o in (("nearest", "saturate"), ("floor", "wrap"), ("convergent", "saturate"),
                      ("zero", "saturate"), ("ceil", "wrap"))]
CASES += [("ellip_narrow", "Q15", "Q15", "nearest", "saturate"),
          ("ellip_narrow", "Q15", "Q1.14", "floor", "wrap")]
SOS = {"butter6": BUTTER6, "narrow": NARROW, "ellip": ELLIP, "ellip_narrow": ELLIP_NARROW}


def case_design(sos_name, data, out, rounding, overflow):
    return make(SOS[sos_name], data, out, rounding, overflow)


@pytest.fixture(scope="module", params=list(C_BUILDS))
def ref_exe(request):
    opt, flags = C_BUILDS[request.param]
    return build.compile_host([ROOT / "tests/c/biquad_driver.c", ROOT / "c_ref/kernels/biquad.c"],
                              "biquad_driver", opt, flags)


@pytest.mark.parametrize("sos_name,data,out,rounding,overflow", CASES)
def test_model_equals_c_ref(ref_exe, sos_name, data, out, rounding, overflow):
    des = case_design(sos_name, data, out, rounding, overflow)
    st_ = des.stages[0]
    x = stress(des.in_fmt)
    want, sats = des.simulate(x)
    raw = build.run(ref_exe, biquad_args(st_) + [97], x.astype(np.int32).tobytes())
    got = np.frombuffer(raw, dtype=np.int32).astype(np.int64)
    assert np.count_nonzero(got != want) == 0


@functools.lru_cache(maxsize=None)
def sanitized_driver():
    return build.compile_host([ROOT / "tests/c/biquad_driver.c", ROOT / "c_ref/kernels/biquad.c"],
                              "biquad_driver", *C_BUILDS["sanitize"])


@st.composite
def random_sos(draw):
    """1 to 4 stable sections: pole radius up to 0.995 at any angle, zeros anywhere up to radius
    1.5, gains from 1e-3 to 10."""
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        r, th = draw(st.floats(0.0, 0.995)), draw(st.floats(0.0, np.pi))
        zr, zth = draw(st.floats(0.0, 1.5)), draw(st.floats(0.0, np.pi))
        g = 10 ** draw(st.floats(-3.0, 1.0))
        rows.append([g, -2 * g * zr * np.cos(zth), g * zr * zr, 1.0, -2 * r * np.cos(th), r * r])
    return rows


@settings(max_examples=30)
@given(sos=random_sos(), data=st.sampled_from(["Q15", "Q31"]),
       rounding=st.sampled_from(["floor", "ceil", "zero", "nearest", "convergent"]),
       overflow=st.sampled_from(["saturate", "wrap"]))
def test_random_designs_model_equals_c_ref_under_sanitizers(sos, data, rounding, overflow):
    """Any stable design: the formats fxsim picks never overflow the accumulator (the sanitized
    C would abort on a signed overflow) and the model equals the reference C."""
    exe = sanitized_driver()
    try:
        des = make(sos, data, rounding=rounding, overflow=overflow)
    except FxsimError as e:                      # refused designs must say why, on one line
        assert "\n" not in str(e)
        return
    x = stress(des.in_fmt, n=1200, seed=7)
    want, _ = des.simulate(x)
    raw = build.run(exe, biquad_args(des.stages[0]) + [61], x.astype(np.int32).tobytes())
    assert np.array_equal(np.frombuffer(raw, dtype=np.int32).astype(np.int64), want)


@pytest.mark.parametrize("unroll", [1, 2, 4, 8])
@pytest.mark.parametrize("sos_name,data,out,rounding,overflow", CASES[::4] + CASES[-1:])
def test_generated_equals_model(sos_name, data, out, rounding, overflow, unroll):
    des = case_design(sos_name, data, out, rounding, overflow)

    x = stress(des.in_fmt, seed=1)
    want, _ = des.simulate(x)
    got = V.outputs(des, x, unroll=unroll)[0]
    assert np.count_nonzero(got != want) == 0


@pytest.mark.parametrize("name", ["biquad.toml", "biquad_q31.toml", "biquad_narrow.toml"])
def test_generated_clean_under_sanitizers(name):
    des = D.load(ROOT / "examples" / name)

    x = stress(des.in_fmt, n=2000, seed=2)
    assert np.array_equal(V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])[0],
                          des.simulate(x)[0])


# --- fxsim verify --------------------------------------------------------------------------------
@pytest.mark.parametrize("unroll", [1, 2, 4, 8])
@pytest.mark.parametrize("name", ["biquad.toml", "biquad_q31.toml", "biquad_narrow.toml"])
def test_verify_examples(name, unroll):
    des = D.load(ROOT / "examples" / name)
    res = V.verify(des, builtin_signal_set(des.sample_rate), unroll=unroll)
    assert res["bit_exact"] and res["snr_db"] >= 60.0 and res["passed"], res


# --- streaming -----------------------------------------------------------------------------------
@settings(max_examples=40)
@given(cuts=st.lists(st.integers(0, 3000), max_size=12), which=st.sampled_from(["Q15", "Q31"]))
def test_any_block_split_gives_the_same_output(cuts, which):
    des = make(ELLIP, which, rounding="convergent")
    x = stress(des.in_fmt, n=3000, seed=3)
    whole, _ = des.simulate(x)
    states = des.init_states()
    parts, prev = [], 0
    for c in sorted(cuts) + [len(x)]:
        parts.append(des.simulate(x[prev:c], states)[0])
        prev = max(prev, c)
    assert np.array_equal(np.concatenate(parts), whole)


# --- the design as written -----------------------------------------------------------------------
@pytest.mark.parametrize("sos", [BUTTER6, NARROW, ELLIP, signal.cheby1(8, 1, 0.3, output="sos")])
def test_ordering_and_scaling_keep_the_transfer_function(sos):
    st_ = make(sos).stages[0]
    assert sorted(st_.order) == list(range(len(sos)))
    h_user = np.prod([r for r, _ in S.section_responses(st_.sos_user)], axis=0)
    h_plan = np.prod([r for r, _ in S.section_responses(st_.sos_plan)], axis=0)
    assert np.max(np.abs(h_plan - h_user)) <= 1e-9 * np.max(np.abs(h_user))
    assert abs(np.prod(st_.gains) - 1.0) < 1e-12


@pytest.mark.parametrize("sos", [BUTTER6, ELLIP, signal.cheby2(6, 40, 0.1, output="sos")])
def test_no_intermediate_node_overflows_on_its_worst_input(sos):
    """The input that drives an intermediate node to its L1 bound: sign(h[N - n]) at full scale.
    The output format has room for the design's own gain, so nothing may saturate."""
    peak = S.l1_norm(sos)
    int_bits = max(0, int(np.ceil(np.log2(peak + 1e-9))))
    des = make(sos, out=f"Q{int_bits}.{15 - int_bits}")
    st_ = des.stages[0]
    n_imp = S.impulse_length(st_.sos_plan)
    for k in range(1, len(st_.sections)):
        h = S.impulse_response(st_.sos_plan[:k], n_imp)
        x = np.where(h[::-1] >= 0, 32767, -32768).astype(np.int64)
        y, sats = des.simulate(np.concatenate([x, np.zeros(64, dtype=np.int64)]))
        assert sats == [0]


@pytest.mark.parametrize("acc_bits", [32, 40])
def test_accumulator_bound_holds_for_every_section(acc_bits):
    """The chosen formats keep sum |coef| * full scale + the error-feedback term inside the
    accumulator, so the exact adds of the model and the C never need to saturate."""
    for sos in (BUTTER6, ELLIP, NARROW):
        st_ = make(sos, acc_bits=acc_bits).stages[0]
        for pos, sec in enumerate(st_.sections):
            x_max = 1 << 15
            c = sec.constants()
            limit = 1 << ((acc_bits if sec.word <= 16 else 64) - 1)
            numerator = sum(map(abs, c[:3])) * x_max
            bound = (numerator >> sec.ps) + 1 + sum(map(abs, c[3:5])) * x_max + \
                (abs(c[5]) + abs(c[6])) * (1 << (sec.shift - 1)) + (1 << sec.shift)
            assert numerator < limit and bound < limit


@pytest.mark.parametrize("coef,acc_bits", [("Q2.13", 32), ("Q1.14", 40), ("Q1.30", 64)])
def test_fixed_coefficient_format_is_used_and_bit_exact(coef, acc_bits):
    des = make(signal.butter(4, 0.25, output="sos"), coef=coef, acc_bits=acc_bits)
    st_ = des.stages[0]
    assert all(sec.fa == sec.fb == int(coef.split(".")[1]) for sec in st_.sections)
    x = stress(des.in_fmt, n=3000, seed=5)
    assert np.array_equal(V.outputs(des, x, unroll=2)[0], des.simulate(x)[0])
    assert snr_of(des, noise(8000)) > 60.0


def test_mixed_formats_q15_in_q31_out_bit_exact():
    des = D.from_dict({"name": "t_mixed", "block": 64, "defaults": {"data": "Q15"},
                       "stage": [{"kernel": "biquad", "sos": ELLIP.tolist(), "data": "Q1.30"}]})
    assert all(sec.word == 32 for sec in des.stages[0].sections)
    x = stress(des.in_fmt, n=3000, seed=6)
    assert np.array_equal(V.outputs(des, x)[0], des.simulate(x)[0])
    assert snr_of(des, noise(8000)) > 120.0


def test_overflow_error_mode_is_a_range_error(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text('name = "f"\n[defaults]\noverflow = "error"\n[[stage]]\nkernel = "biquad"\n'
                 'sos = [[2.0, 0.0, 0.0, 1.0, 0.0, 0.0]]\n')
    np.save(tmp_path / "loud.npy", np.full(100, 0.9))
    code, _, stderr = cli("quantize", p, "--input", tmp_path / "loud.npy")
    assert code == 2 and "out of range" in stderr and len(stderr.strip().splitlines()) == 1


def test_sos_file_is_relative_to_the_design(tmp_path):
    np.save(tmp_path / "lp.npy", BUTTER6)
    (tmp_path / "d.toml").write_text('name = "f"\n[[stage]]\nkernel = "biquad"\nsos_file = "lp.npy"\n')
    des = D.load(tmp_path / "d.toml")
    assert np.allclose(des.stages[0].sos_user, BUTTER6)


def test_design_methods():
    for method, extra in (("butter", {}), ("cheby1", {"rp": 1}), ("cheby2", {"rs": 40}),
                          ("ellip", {"rp": 1, "rs": 40}), ("bessel", {})):
        des = make(design={"method": method, "order": 4, "wn": 0.3, **extra})
        want = signal.iirfilter(4, 0.3, rp=extra.get("rp"), rs=extra.get("rs"), ftype=method, btype="low",
                                output="sos")
        assert np.allclose(des.stages[0].sos_user, want)
        assert snr_of(des, noise(4000)) > 60.0
    des = make(design={"method": "butter", "order": 2, "wn": [0.1, 0.3], "btype": "bandpass"})
    assert len(des.stages[0].sections) == 2


# --- accuracy floors (issue 3, item 4) -----------------------------------------------------------
def test_accuracy_q15_butter6_as_given():
    assert snr_of(make(BUTTER6), noise(16000)) >= 75.0


def test_accuracy_q31_butter6_as_given():
    assert snr_of(make(BUTTER6, "Q31"), noise(16000)) >= 160.0


def lowpass_signal(n=16000, seed=4):
    rng = np.random.default_rng(seed)
    lp = signal.sosfilt(signal.butter(4, 0.005, output="sos"), rng.standard_normal(n))
    return 0.5 * lp / np.max(np.abs(lp))


def test_accuracy_narrowband_q15():
    des = make(NARROW)
    assert all(sec.stable for sec in des.stages[0].sections)
    assert snr_of(des, lowpass_signal()) >= 60.0


# --- stability -----------------------------------------------------------------------------------
def test_unstable_quantized_section_names_row_and_remedy():
    sos = signal.butter(2, 0.001, output="sos")
    with pytest.raises(FxsimError, match=r"sos row 0 is unstable or marginal .*wider coefficient"):
        make(sos, coef="Q1.14")
    assert all(s.stable for s in make(sos).stages[0].sections)   # widened automatically


def test_wider_state_for_a_high_q_cascade():
    st_ = make(ELLIP_NARROW).stages[0]
    assert st_.wide_state and str(st_.node_fmt) == "Q31" and len(st_.order) == 10
    assert snr_of(make(ELLIP_NARROW), noise(8000)) > 50.0
    assert not make(BUTTER6).stages[0].wide_state


def test_refuses_coefficients_that_cannot_reach_60_db():
    """The narrowband design forced into 16-bit Q1.14 coefficients: a one-line refusal that says
    what would work."""
    with pytest.raises(FxsimError, match=r"move the response 35.8 dB from the design \(needs >= "
                                         r"60\).* use 32-bit coefficients \(drop coef\)"):
        make(NARROW, coef="Q1.14")


def test_unstable_float_design():
    with pytest.raises(FxsimError, match="float design is unstable: sos row 1"):
        make([[1, 0, 0, 1, -0.5, 0.1], [1, 0, 0, 1, -1.5, 1.2]])


def test_limit_cycle_probe():
    """A lightly damped resonator with rounding to nearest keeps a 1-LSB zero-input cycle; with
    magnitude truncation (rounding = "zero") it decays to 0; a well-damped pole never cycles."""
    resonator = [[0.05, 0.0, 0.0, 1.0, -1.8, 0.95]]
    res = make(resonator).stages[0].extra_report()
    assert res == {"limit_cycle": True, "limit_cycle_lsb": 1}
    assert make(resonator, rounding="zero").stages[0].extra_report() == \
        {"limit_cycle": False, "limit_cycle_lsb": 0}
    assert make([[0.01, 0.0, 0.0, 1.0, 0.0, 0.98]]).stages[0].extra_report()["limit_cycle"] is False


def test_quantize_json_has_limit_cycle_field():
    code, stdout, stderr = cli("quantize", ROOT / "examples/biquad.toml", "--input",
                               ROOT / "examples/speechlike.wav", "--json")
    assert code == 0, stderr
    out = json.loads(stdout)
    stage = out["stages"][0]
    assert {"index", "kernel", "snr_db", "max_err_lsb", "saturations", "min", "max",
            "headroom_bits", "limit_cycle"} <= set(stage)
    assert isinstance(stage["limit_cycle"], bool)


# --- bad input: one line, exit 2 -----------------------------------------------------------------
BAD = {
    "sos_shape": ('sos = [[1.0, 2.0, 1.0, 1.0, -0.5]]', "shape (1, 5)"),
    "sos_1d": ('sos = [1.0, 2.0, 1.0, 1.0, -0.5, 0.1]', "shape (6,)"),
    "coef_too_narrow": ('sos = [[3.0, 2.0, 1.0, 1.0, -0.5, 0.1]]\ncoef = "Q15"', "does not fit Q15"),
    "unstable_float": ('sos = [[1.0, 0.0, 0.0, 1.0, -1.5, 1.2]]', "float design is unstable"),
    "unknown_method": ('design = { method = "chebyshev", order = 4, wn = 0.2 }',
                       "method: 'chebyshev'; allowed: butter | cheby1 | cheby2 | ellip"),
    "unstable_quantized": ('design = { method = "butter", order = 2, wn = 0.001 }\ncoef = "Q1.14"',
                           "unstable or marginal once quantized"),
    "acc_bits": ('sos = [[1.0, 2.0, 1.0, 1.0, -0.5, 0.1]]\nacc_bits = 48', "acc_bits: 48"),
    "two_sources": ('sos = [[1.0, 2.0, 1.0, 1.0, -0.5, 0.1]]\nsos_file = "x.npy"', "exactly one of"),
    "missing_rp": ('design = { method = "cheby1", order = 4, wn = 0.2 }', "needs rp"),
    "sos_file_missing": ('sos_file = "nope.npy"', "not found"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_exit_2(tmp_path, case):
    body, needle = BAD[case]
    p = tmp_path / "bad.toml"
    p.write_text(f'name = "bad"\n[[stage]]\nkernel = "biquad"\n{body}\n')
    code, stdout, stderr = cli("verify", p)
    assert code == 2, (stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr
    assert lines[0].startswith("fxsim: error: stage[0] (biquad)")
    assert needle in lines[0], lines[0]


def test_bad_input_through_a_real_process(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('name = "bad"\n[[stage]]\nkernel = "biquad"\nsos = [[1.0, 2.0, 1.0]]\n')
    r = fxsim("quantize", p, "--input", ROOT / "examples/speechlike.wav")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        "fxsim: error: stage[0] (biquad).sos: shape (1, 3); allowed: (n, 6) with n >= 1, rows "
        "[b0, b1, b2, a0, a1, a2] as scipy.signal gives (output=\"sos\")"]


@pytest.mark.parametrize("order,wn", [(4, 0.25), (6, 0.1), (2, 0.45)])
def test_sections_proven_never_to_saturate_hold_on_their_worst_input(order, wn):
    """A section the analysis proves never to saturate (``never_saturates``: the C omits its
    saturation) stays in range on the input that drives it hardest: full scale with the signs of
    its reversed impulse response. The model still saturates where it must, so any overflow
    there would show as a mismatch between the model and the C."""
    des = D.from_dict({"name": "ns_bq", "block": 160, "sample_rate": 16000,
                       "defaults": {"data": "Q15"},
                       "stage": [{"kernel": "biquad", "error_feedback": False,
                                  "design": {"method": "butter", "order": order, "wn": wn}}]})
    st_ = des.stages[0]
    fits = st_.never_saturates()
    assert not fits[-1]
    for k in [i for i, f in enumerate(fits) if f]:
        rows = np.array([sec.quantized_row() for sec in st_.sections[:k + 1]])
        h = signal.sosfilt(rows, np.r_[1.0, np.zeros(3999)])
        worst = np.sign(h[::-1]) * (32767 / 32768)
        x = np.concatenate([worst, -worst, worst])
        res = V.verify(des, {"worst": x}, "host", per_stage=True)
        assert res["bit_exact"], res["failures"]
        # the node's peak on it reaches most of the bound: the bound is not vacuous
        y = signal.sosfilt(rows, x)
        assert 0.5 < np.abs(y).max() < 1.0
    if order == 4:
        assert fits == [True, False]          # the benchmark's design: its first section
