"""Designs that mix formats and rates: either fxsim refuses them with a one-line reason, or the
model and the generated C (built with the sanitizers) agree bit for bit."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fxsim.codegen import build, render, verify as V
from fxsim import design as D
from fxsim.errors import FxsimError
from fxsim.qformat import QFormat, quantize

from .conftest import C_BUILDS, ROOT


def formats(word):
    return st.integers(0, word - 2).map(lambda m: str(QFormat(m, word - 1 - m)))


def extreme_signal(fmt: QFormat, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    ints = np.concatenate([[fmt.min_int, fmt.max_int, fmt.min_int, 0, -1, 1],
                           rng.integers(fmt.min_int, fmt.max_int, n, endpoint=True)])
    return ints.astype(np.int64)


@settings(max_examples=12)
@given(st.sampled_from(["gain", "preemph", "deemph"]), st.sampled_from([16, 32]).flatmap(formats),
       st.sampled_from([16, 32]).flatmap(formats), st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-3))
def test_cross_format_stages_are_refused_or_exact(kernel, fin, fout, value):
    key = {"gain": "gain"}.get(kernel, "coef")
    if kernel == "deemph":
        value = max(min(value, 0.95), -0.95)
    doc = {"name": "x", "block": 64, "defaults": {"data": fin},
           "stage": [{"kernel": kernel, key: value, "data": fout}]}
    try:
        des = D.from_dict(doc)
    except FxsimError as e:
        assert "\n" not in str(e)
        return
    x = extreme_signal(des.in_fmt)

    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])
    assert np.array_equal(got, want) and c_sats == sats


@pytest.mark.parametrize("chain", [[3, 3], [2, 5], [5, 2]])
def test_decimate_then_interpolate_fits_its_buffers(chain):
    """Each stage rounds its output count up: the buffers are sized stage by stage."""
    m, l = chain
    des = D.from_dict({"name": "di", "block": 160,
                       "stage": [{"kernel": "decimate", "factor": m},
                                 {"kernel": "interpolate", "factor": l, "data": "Q1.14"}]})
    assert des.max_lengths() == [160, -(-160 // m), -(-160 // m) * l]
    x = quantize(np.random.default_rng(1).uniform(-0.9, 0.9, 1607), des.in_fmt).astype(np.int64)
    got = V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])[0]
    assert np.array_equal(got, des.simulate(x)[0])


@pytest.mark.parametrize("doc,word", [
    ({"defaults": {"data": "UQ0.16"}, "stage": [{"kernel": "gain", "gain": 0.5}]}, "unsigned"),
    ({"stage": [{"kernel": "gain", "gain": 0.5, "data": "UQ1.15"}]}, "unsigned"),
    ({"stage": [{"kernel": "gain", "gain": -0.5, "coef": "UQ0.16"}]}, "unsigned"),
    ({"stage": [{"kernel": "gain", "gain": 1e300}]}, "does not fit"),
    ({"defaults": {"data": "Q31.0"}, "stage": [{"kernel": "gain", "gain": 3.0, "data": "Q31"}]},
     "product"),
    ({"stage": [1, 2]}, "not a table"),
    ({"stage": [{"kernel": ["fir"]}]}, "kernel"),
    ({"defaults": {"data": "Q31.0"}, "stage": [{"kernel": "deemph", "coef": 0.5, "data": "Q31"}]},
     "64-bit accumulator"),
    ({"stage": [{"kernel": "gain", "gain": float("nan")}]}, "finite"),
    ({"stage": [{"kernel": "gain", "gain": 0.5, "rounding": ["floor"]}]}, "rounding"),
    ({"defaults": {"overflow": {"a": 1}}, "stage": [{"kernel": "gain", "gain": 0.5}]}, "overflow"),
    ({"stage": [{"kernel": "fir", "design": {"method": "firwin", "numtaps": 10 ** 8,
                                             "cutoff": 0.2}}]}, "at most"),
])
def test_refused_designs_name_the_problem(doc, word):
    with pytest.raises(FxsimError, match=word):
        D.from_dict({"name": "x", **doc})


def test_coef_word_default_applies_to_every_kernel_that_takes_it():
    des = D.from_dict({"name": "x", "defaults": {"coef": 16},
                       "stage": [{"kernel": "gain", "gain": 0.3},
                                 {"kernel": "fir", "taps": [0.25, 0.5, 0.25]},
                                 {"kernel": "biquad", "sos": [[0.2, 0.4, 0.2, 1.0, -0.3, 0.1]]}]})
    assert des.stages[0].coef_fmt.word_bits == 16


def test_oversized_call_is_refused_by_generated_process(tmp_path):
    """n outside 0..BLOCK: process returns -1 and writes nothing."""
    des = D.load(ROOT / "examples/emphasis.toml")
    render.write(des, tmp_path)
    (tmp_path / "main.c").write_text(
        '#include "emphasis.h"\n'
        "static emphasis_state s;\n"
        "static int16_t x[EMPHASIS_BLOCK + 1], y[EMPHASIS_MAX_OUT + 1];\n"
        "int main(void)\n{\n"
        "    emphasis_init(&s);\n"
        "    y[0] = 77;\n"
        "    if (emphasis_process(&s, x, EMPHASIS_BLOCK + 1, y) != -1 || y[0] != 77)\n"
        "        return 1;\n"
        "    return emphasis_process(&s, x, -1, y) == -1 ? 0 : 1;\n}\n")
    exe = build.compile_host([tmp_path / "emphasis.c", tmp_path / "main.c"], "oversize",
                             include_dirs=[tmp_path])
    build.run(exe)                                         # exit status 0 or BuildError


def test_emphasis_narrows_its_coefficient_to_stay_exact():
    """Q31 pre-/de-emphasis through a Q1.30 node: the 64-bit accumulator holds the terms with a
    31-bit coefficient word, which fxsim picks itself."""
    des = D.from_dict({"name": "e31", "defaults": {"data": "Q31"},
                       "stage": [{"kernel": "preemph", "coef": 0.8, "data": "Q1.30"},
                                 {"kernel": "deemph", "coef": 0.8, "data": "Q31"}]})
    assert des.stages[1].coef_fmt.word_bits < 32
    x = extreme_signal(des.in_fmt)
    got = V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])[0]
    assert np.array_equal(got, des.simulate(x)[0])


# --- defects found by a random-design run, fixed with the port contract -----------------------

def test_fir_taps_that_round_to_zero_are_refused_like_biquad_coefficients():
    with pytest.raises(FxsimError, match=r"stage\[0\] \(fir\)\.coef: .*coefficient 1 = 2e-06 "
                                         r"rounds to 0; use a format with more fraction bits"):
        D.from_dict({"name": "z", "stage": [{"kernel": "fir", "taps": [1e-6, 2e-6, 1e-6],
                                             "coef": "Q15"}]})
    with pytest.raises(FxsimError, match=r"stage\[0\] \(biquad\)\.coef: .*rounds to 0"):
        D.from_dict({"name": "z", "stage": [{"kernel": "biquad", "coef": "Q1.14",
                                             "sos": [[1e-6, 2e-6, 1e-6, 1.0, -0.5, 0.0]]}]})


def test_q31_coefficient_range_is_printed_exactly():
    with pytest.raises(FxsimError, match=r"range \[-1\.0, 0\.9999999995343387\]"):
        D.from_dict({"name": "r", "defaults": {"data": "Q31"},
                     "stage": [{"kernel": "fir", "taps": [1.0, 0.5], "coef": "Q31"}]})


def test_biquad_with_a_64_bit_accumulator_is_not_advised_to_use_64_bits():
    with pytest.raises(FxsimError) as e:
        D.from_dict({"name": "b", "defaults": {"data": "Q31"},
                     "stage": [{"kernel": "biquad", "coef": "Q1.30", "acc_bits": 64,
                                "design": {"method": "butter", "order": 2, "wn": 0.8}}]})
    assert "acc_bits = 64" not in str(e.value) and "fewer fraction bits" in str(e.value)


def test_reserved_names_are_refused():
    for name in ("fxsim_prim", "string", "math"):
        with pytest.raises(FxsimError, match="collide"):
            D.from_dict({"name": name, "stage": [{"kernel": "gain", "gain": 0.5}]})


def test_concurrent_builds_of_one_design_both_succeed(tmp_path, monkeypatch):
    """No fixed temporary names: two processes building the same design at once both get a
    working program (one of the identical builds wins the rename)."""
    import concurrent.futures
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    from fxsim.codegen import build
    des = D.load(ROOT / "examples" / "fir_q15.toml")
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        builds = list(pool.map(lambda _: build.build_design(des, "host"), range(4)))
    assert len({b.program for b in builds}) == 1 and builds[0].program.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no leftovers
