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


@pytest.mark.parametrize("name", ["ns_q15", "speech_ns"])
def test_examples_pass_the_gate_on_host(name):
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]


def test_q31_output_keeps_the_precision():
    des = ns_design(data="Q31")
    assert str(des.out_fmt) == "Q31" and des.stages[0].out_port.frame == 80


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
