"""The walking skeleton: gain, preemph, deemph, three ways bit-exact (model == c_ref ==
generated C), streaming, and accurate against float64."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from fxsim.codegen import build, render, verify as V
from fxsim import design as D
from fxsim.qformat import quantize
from fxsim.signals import builtin_signal_set

from .c_ref_bindings import skeleton_args
from .conftest import C_BUILDS, ROOT

ROUNDINGS = ["floor", "ceil", "zero", "nearest", "convergent"]


def make(kernel, data="Q15", rounding="nearest", overflow="saturate", **keys):
    stage = {"kernel": kernel, **keys}
    return D.from_dict({"name": f"t_{kernel}", "block": 64,
                        "defaults": {"data": data, "rounding": rounding, "overflow": overflow},
                        "stage": [stage]})


def stress_signal(fmt, n=6000, seed=0):
    """Full scale, the most negative value, saturating steps, tiny values and noise."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-1, 1, n // 2), rng.standard_normal(n // 4) * 1e-3,
                        np.tile([-1.0, 1.0, -1.0, -1.0, 1.0, 1.0], n // 24),
                        np.full(n // 8 - n // 8 % 2, -1.0)])
    return quantize(x, fmt, "nearest", "saturate").astype(np.int64)


CASES = [(k, data, r, o) for k in ("gain", "preemph", "deemph") for data in ("Q15", "Q31")
         for r in ROUNDINGS for o in ("saturate", "wrap")]


def kernel_design(kernel, data, rounding, overflow):
    value = {"gain": {"gain": -1.37}, "preemph": {"coef": 0.8}, "deemph": {"coef": 0.9}}[kernel]
    return make(kernel, data, rounding, overflow, **value)


@pytest.fixture(scope="module", params=list(C_BUILDS))
def ref_exe(request):
    opt, flags = C_BUILDS[request.param]
    return build.compile_host([ROOT / "tests/c/skeleton_driver.c", ROOT / "c_ref/kernels/gain.c",
                               ROOT / "c_ref/kernels/emphasis.c"], "skeleton_driver", opt, flags)


@pytest.mark.parametrize("kernel,data,rounding,overflow", CASES)
def test_model_equals_c_ref(ref_exe, kernel, data, rounding, overflow):
    des = kernel_design(kernel, data, rounding, overflow)
    st = des.stages[0]
    x = stress_signal(st.in_fmt)
    want, _ = des.simulate(x)
    raw = build.run(ref_exe, skeleton_args(st) + [97], x.astype(np.int32).tobytes())
    got = np.frombuffer(raw, dtype=np.int32).astype(np.int64)
    assert np.count_nonzero(got != want) == 0


def test_saturations_are_counted():
    des = kernel_design("gain", "Q15", "nearest", "saturate")
    _, sats = des.simulate(stress_signal(des.in_fmt))
    assert sats[0] > 100


@pytest.mark.parametrize("kernel,data,rounding,overflow", CASES[::3])
def test_generated_equals_model(kernel, data, rounding, overflow):
    des = kernel_design(kernel, data, rounding, overflow)
    x = stress_signal(des.in_fmt, seed=1)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x)
    assert np.count_nonzero(got != want) == 0
    assert c_sats == sats


@pytest.mark.parametrize("kernel,data_in,data_out", [("preemph", "Q7", "Q7"), ("deemph", "Q7", "Q7"),
                                                   ("deemph", "Q7", "Q1.6"),
                                                   ("preemph", "Q3.4", "Q7")])
@pytest.mark.parametrize("coef", [0.999, -0.999, 0.5])
def test_emphasis_bound_is_the_largest_sum(kernel, data_in, data_out, coef):
    """The bound that decides the 32-bit path is exact, not only safe: on 8-bit words every
    (x, memory) pair and the residual's extremes give a largest |acc| equal to it."""
    des = D.from_dict({"name": "t_b", "block": 64, "defaults": {"data": data_in},
                       "stage": [{"kernel": kernel, "coef": coef, "data": data_out}]})
    st = des.stages[0]
    mem = st.out_fmt if kernel == "deemph" else st.in_fmt
    x = np.arange(st.in_fmt.min_int, st.in_fmt.max_int + 1)[:, None] << st.x_align
    m = np.arange(mem.min_int, mem.max_int + 1)[None, :] * st.c_signed
    e = (1 << st.c_shift) - 1 if st.feedback else 0
    assert int(np.abs(x + m).max()) + e == st.acc_bound


@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("kernel", ["gain", "preemph", "deemph"])
@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
def test_32_bit_paths_equal_the_model(tmp_path, kernel, rounding, overflow):
    """Q15 gain / preemph / deemph: the stage's bound puts the generated C's sums in 32 bits
    (int32_t, the 32-bit primitives), and on full-scale steps between the extremes, where the
    sums reach their bound, the C still equals the model word for word."""
    des = kernel_design(kernel, "Q15", rounding, overflow)
    ctx = des.stages[0].c_context()
    assert ctx.get("prod32", ctx.get("acc32")) == 1
    c = next(p for p in render.write(des, tmp_path, "host", 4) if p.name == f"{des.name}.c")
    body = c.read_text().split("_s0_process(")[1].split("\n}\n")[0]
    assert "int64_t" not in body
    assert ("fx_mul_round32" if kernel == "gain" else "fx_mac_exact32") in body
    x = stress_signal(des.in_fmt, seed=3)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x)
    assert np.count_nonzero(got != want) == 0
    assert c_sats == sats


def test_wide_sums_stay_64_bits_where_32_cannot_hold_them():
    """deemph from Q1.14 to Q15 aligns x[n] by 16 bits: x << 16 alone needs 32 bits, so its sum
    stays 64 bits wide (its rounded value and residual 32); a Q31 gain's product is 64 bits."""
    des = D.from_dict({"name": "t_wide", "block": 64, "defaults": {"data": "Q15"},
                       "stage": [{"kernel": "deemph", "coef": 0.8, "data": "Q1.14"},
                                 {"kernel": "deemph", "coef": 0.8, "data": "Q15"}]})
    assert des.stages[0].c_context()["acc32"] == 1
    ctx = des.stages[1].c_context()
    assert ctx["acc32"] == 0 and ctx["q32"] == 1
    assert kernel_design("gain", "Q31", "nearest", "saturate").stages[0].c_context()["prod32"] == 0
    x = stress_signal(des.in_fmt, seed=4)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x)
    assert np.count_nonzero(got != want) == 0 and c_sats == sats


def test_generated_clean_under_sanitizers():
    des = D.load(ROOT / "examples/emphasis.toml")

    x = stress_signal(des.in_fmt, seed=2)
    got = V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])[0]
    assert np.array_equal(got, des.simulate(x)[0])


@given(st.lists(st.integers(1, 700), min_size=1, max_size=12))
def test_block_split_invariance(splits):
    des = D.load(ROOT / "examples/emphasis.toml")
    x = stress_signal(des.in_fmt, n=3000, seed=3)
    whole, _ = des.simulate(x)
    states = des.init_states()
    parts, i = [], 0
    for n in splits + [len(x)]:
        parts.append(des.simulate(x[i:i + n], states)[0])
        i += n
        if i >= len(x):
            break
    assert np.array_equal(np.concatenate(parts), whole[:sum(len(p) for p in parts)])


def test_example_verifies_on_builtin_signals():
    des = D.load(ROOT / "examples/emphasis.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate))
    assert res["bit_exact"] and res["mismatches"] == 0
    assert res["snr_db"] >= 60 and res["passed"]


@pytest.mark.parametrize("data,floor_db", [("Q15", 85), ("Q31", 170)])
def test_gain_accuracy(data, floor_db):
    des = make("gain", data, gain=0.7071)
    rng = np.random.default_rng(4)
    x = np.clip(rng.standard_normal(16000) * 10 ** (-10 / 20), -1, 0.999)
    res = V.verify(des, {"noise": x})
    assert res["passed"] and res["snr_db"] >= floor_db


def test_generated_files_are_deterministic_and_bannered():
    des = D.load(ROOT / "examples/emphasis.toml")
    a, b = render.render(des), render.render(des)
    assert a == b
    for text in a.values():
        assert "generated by fxsim" in text and "do not edit" in text
