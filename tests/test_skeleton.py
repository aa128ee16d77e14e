"""The walking skeleton: gain, preemph, deemph, three ways bit-exact (model == c_ref ==
generated C), streaming, and accurate against float64."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from codegen import build, render, verify as V
from fxsim import design as D
from fxsim.qformat import quantize
from fxsim.signals import builtin_signals

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


def c_ref_args(st):
    from fxsim.primitives import OVERFLOW_NAMES, ROUNDING_NAMES
    r, o = ROUNDING_NAMES.index(st.rounding_name), OVERFLOW_NAMES.index(st.overflow_name)
    if st.kernel == "gain":
        return ["gain", st.g_int, st.shift, st.out_fmt.word_bits, r, o]
    return [st.kernel, st.c_signed, st.x_align, st.c_shift, int(st.recursive), st.out_fmt.word_bits, r, o]


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
    raw = build.run(ref_exe, c_ref_args(st) + [97], x.astype(np.int32).tobytes())
    got = np.frombuffer(raw, dtype=np.int32).astype(np.int64)
    assert np.count_nonzero(got != want) == 0


def test_saturations_are_counted():
    des = kernel_design("gain", "Q15", "nearest", "saturate")
    _, sats = des.simulate(stress_signal(des.in_fmt))
    assert sats[0] > 100


@pytest.mark.parametrize("kernel,data,rounding,overflow", CASES[::3])
def test_generated_equals_model(kernel, data, rounding, overflow):
    des = kernel_design(kernel, data, rounding, overflow)
    exe = V.build_design(des)
    x = stress_signal(des.in_fmt, seed=1)
    want, sats = des.simulate(x)
    got, c_sats = V.run_c(exe, des, x, with_saturations=True)
    assert np.count_nonzero(got != want) == 0
    assert c_sats == sats


def test_generated_clean_under_sanitizers():
    des = D.load(ROOT / "examples/emphasis.toml")
    exe = V.build_design(des, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])
    x = stress_signal(des.in_fmt, seed=2)
    assert np.array_equal(V.run_c(exe, des, x), des.simulate(x)[0])


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
    res = V.verify(des, builtin_signals(des.sample_rate))
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
