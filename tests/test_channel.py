"""The vad / ns stages: the reference C's per-frame decisions equal the model's, the examples pass
the gate (samples and side outputs bit-exact), and bad designs are one-line errors."""
import subprocess

import numpy as np
import pytest

from fxsim import design as D
from fxsim.codegen import verify as V
from fxsim.errors import FxsimError
from fxsim.signals import builtin_signal_set

from .c_ref_bindings import BINDINGS, channel_prefix, driver
from .conftest import ROOT
from .test_channel_ref import voiced_bursts


def ns_design(kernel="ns", **keys):
    return D.from_dict({"name": "n", "sample_rate": 8000, "block": 160,
                        "defaults": {"data": "Q15"}, "stage": [{"kernel": kernel, **keys}]})


@pytest.mark.parametrize("kernel", ["ns", "vad"])
def test_reference_c_decisions_equal_the_model(kernel):
    des = ns_design(kernel)
    st = des.stages[0]
    x = np.clip(np.round(voiced_bursts(3.0, 5.0)[0] * 32768), -32768, 32767).astype(np.int64)
    outs, _ = des.run(x)
    sources, args, _ = BINDINGS[kernel]
    res = subprocess.run([str(driver(sources)), *map(str, args(st)), "53"],
                         input=channel_prefix(st) + x.astype(np.int32).tobytes(),
                         capture_output=True, check=True)
    rows = np.array([[int(v) for v in ln.split()[1:]] for ln in res.stderr.decode().splitlines()
                     if ln.startswith("flags")])
    model = np.stack([outs[0].side[s.name] for s in st.out_port.side], axis=1)
    assert rows.shape == model.shape == (300, 20)
    np.testing.assert_array_equal(rows, model)
    np.testing.assert_array_equal(np.frombuffer(res.stdout, dtype=np.int32), outs[0].data)


def test_vad_passes_its_input_through_exactly():
    des = ns_design("vad")
    x = np.random.default_rng(0).integers(-30000, 30000, 1600)
    outs, _ = des.run(x)
    np.testing.assert_array_equal(outs[0].data[24:], x[: 1600 - 24])
    assert set(outs[0].side) == {s.name for s in des.stages[0].out_port.side}


@pytest.mark.parametrize("name", ["ns_q15", "speech_ns", "ns_hpf_q15"])
def test_examples_pass_the_gate_on_host(name):
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]


def test_q31_output_keeps_the_precision():
    des = ns_design(data="Q31")
    assert str(des.out_fmt) == "Q31" and des.stages[0].out_port.frame == 80


@pytest.mark.parametrize("rate,before,match", [
    (16000, [], r"stage\[0\] \(ns\) runs at 8000 Hz and its input here is 16000 Hz: decimate by 2 "
                r"first \(a decimate stage with factor = 2\)"),
    (4000, [], r"its input here is 4000 Hz: interpolate by 2 first"),
    (48000, [{"kernel": "decimate", "factor": 3}], r"stage\[1\] \(ns\) runs at 8000 Hz and its "
                                                   r"input here is 16000 Hz: decimate by 2"),
])
def test_a_stage_at_another_rate_says_what_would_work(rate, before, match):
    with pytest.raises(FxsimError, match=match):
        D.from_dict({"name": "n", "sample_rate": rate, "block": 160,
                     "defaults": {"data": "Q15"}, "stage": [*before, {"kernel": "ns"}]})


def test_silence_and_full_scale_squares_and_short_inputs():
    """Silence gives silence and no speech; a full-scale square is suppressed without internal
    overflow (the output may saturate where the float exceeds full scale, counted); an input
    shorter than a frame gives no output, and fxsim verify says why."""
    des = ns_design()
    outs, sats = des.run(np.zeros(800, dtype=np.int64))
    assert not outs[0].data.any() and not outs[0].side["speech"].any() and sats == [0]
    t = np.arange(1600)
    sq = np.where((t // 40) % 2 == 0, 32767, -32768)
    outs, _ = des.run(sq)
    ref = des.stages[0].reference(sq / 32768)
    assert np.abs(outs[0].data / 32768 - np.clip(ref, -1, 32767 / 32768)).max() < 2e-4
    outs, _ = des.run(np.ones(79, dtype=np.int64))
    assert outs[0].data.size == 0
    with pytest.raises(FxsimError, match=r"79 samples give no output: stage\[0\] \(ns\) needs 80"):
        V.verify(des, {"short": np.full(79, 0.1)})


@pytest.mark.parametrize("stage,defaults,match", [
    ({"kernel": "ns"}, {"data": "Q31"}, r"stage\[0\] \(ns\): input format Q31; allowed: Q15"),
    ({"kernel": "ns", "data": "Q7.16"}, {"data": "Q15"}, r"stage\[0\] \(ns\)\.data: .*16- or 32-bit"),
    ({"kernel": "vad", "overflow": "wrap"}, {"data": "Q15"}, r"stage\[0\] \(vad\)\.overflow: 'wrap'"),
    ({"kernel": "ns", "n": 128}, {"data": "Q15"}, r"stage\[0\] \(ns\): unknown key 'n'"),
])
def test_bad_designs_are_one_line_errors(stage, defaults, match):
    with pytest.raises(FxsimError, match=match):
        D.from_dict({"name": "n", "sample_rate": 8000, "block": 160, "defaults": defaults,
                     "stage": [stage]})
