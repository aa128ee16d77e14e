"""stft / istft: the round trip reconstructs the input in fixed point (>= 65 dB, Q15), windows
meet the overlap-add condition or are refused, bad links are one-line errors."""
import numpy as np
import pytest

from fxsim import design as D
from fxsim.analysis.metrics import snr_db
from fxsim.analysis.report import input_ints
from fxsim.errors import FxsimError
from fxsim.kernels.stft import window_pair
from fxsim.qformat import dequantize


def chain(n=256, hop=None, window=None, data="Q15", scaling="bfp"):
    extra = {k: v for k, v in (("hop", hop), ("window", window)) if v is not None}
    return D.from_dict({"name": "s", "block": 160, "defaults": {"data": data},
                        "stage": [{"kernel": "stft", "n": n, "scaling": scaling, **extra},
                                  {"kernel": "istft", "n": n, "scaling": scaling, **extra}]})


def round_trip_snr(des, level_db=-10.0, seconds=1.0):
    n = des.stages[0].n
    x = np.clip(np.random.default_rng(0).standard_normal(int(16000 * seconds)) *
                10 ** (level_db / 20), -1, 0.99997)
    x_int = input_ints(des, x)
    xq = dequantize(x_int, des.in_fmt)
    outs, sats = des.run(x_int)
    y = des.values(outs[-1])
    # after the first n - hop samples every output sample sees the full overlap
    skip = n - des.stages[0].hop
    return snr_db(xq[skip:len(y)], y[skip:]), sats


@pytest.mark.parametrize("n,hop,window", [(256, None, None), (512, None, None),
                                          (256, 64, None), (256, None, "hann")])
def test_q15_round_trip_reconstructs_the_input(n, hop, window):
    snr, _ = round_trip_snr(chain(n, hop, window))
    assert snr >= 65.0


def test_q31_round_trip():
    assert round_trip_snr(chain(256, data="Q31"))[0] >= 140.0


def test_sqrt_hann_pair_sums_to_one():
    wa, ws = window_pair("sqrt-hann", 64, 32, "w")
    total = sum(np.roll(wa * ws, k) for k in range(0, 64, 32))
    np.testing.assert_allclose(total, 1.0, atol=1e-12)


@pytest.mark.parametrize("stage,match", [
    ({"kernel": "stft", "n": 256, "hop": 100}, r"stage\[0\] \(stft\)\.window: sqrt-hann with hop "
                                               r"100 breaks the overlap-add condition"),
    ({"kernel": "stft", "n": 64, "window": [1.0] * 63}, r"a list of 64 numbers"),
    ({"kernel": "stft", "n": 64, "window": "kaiser"}, r"'kaiser'; allowed: sqrt-hann \| hann"),
    ({"kernel": "stft", "n": 60}, r"stage\[0\] \(stft\)\.n: 60; allowed: a power of two"),
    ({"kernel": "istft", "n": 64}, r"stage\[0\] \(istft\) cannot follow the design input"),
])
def test_bad_stft_designs_are_one_line_errors(stage, match):
    with pytest.raises(FxsimError, match=match):
        D.from_dict({"name": "b", "stage": [stage]})


def test_stft_refuses_complex_data():
    with pytest.raises(FxsimError, match=r"stage\[0\] \(stft\) cannot follow the design input: "
                                         r".*complex"):
        D.from_dict({"name": "b", "input": "complex", "stage": [{"kernel": "stft", "n": 64}]})


def test_example_verifies():
    from fxsim.codegen import verify as V
    from fxsim.signals import builtin_signal_set

    from .conftest import ROOT
    des = D.load(ROOT / "examples" / "stft_q15.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), per_stage=True)
    assert res["passed"] and res["bit_exact"], res["failures"]


def test_synthesis_window_above_one_is_held_by_an_exponent():
    """A window whose overlap-add constant is below 1 gives w_s / C > 1: it must not clip."""
    des = chain(16, hop=16, window=[0.5] * 16)
    assert des.stages[1].ws_exp == 2          # 2.0 needs two bits: +1.0 is not a Q15 word
    snr, _ = round_trip_snr(des, seconds=0.1)
    assert snr >= 65.0


@pytest.mark.parametrize("kernel", ["rfft", "stft"])
def test_q31_unscaled_split_is_free_of_undefined_behaviour(kernel):
    """Q31 data, no scaling: the split step's sums stay inside int64 (sanitizer build)."""
    from fxsim.codegen import verify as V

    from .conftest import C_BUILDS
    stages = [{"kernel": kernel, "n": 64, "scaling": "none"}]
    des = D.from_dict({"name": "u", "block": 64, "defaults": {"data": "Q31"}, "stage": stages})
    rng = np.random.default_rng(3)
    x = input_ints(des, np.clip(rng.standard_normal(1024) * 0.5, -1, 0.99))
    want = des.run(x, strict=False)[0][-1].data
    got = V.outputs(des, x, opt="-O1", extra_flags=C_BUILDS["sanitize"][1])[0]
    np.testing.assert_array_equal(got, want)
