"""The quantization report streams (any block size gives the same figures, memory stays flat) and
anchors a deciding stage's reference on the model's input of it."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import signal

from fxsim import design as D
from fxsim.analysis.metrics import snr_db
from fxsim.analysis.report import Envelope, quantize_report
from fxsim.errors import FxsimError
from fxsim.qformat import dequantize
from fxsim.analysis.report import input_ints
from fxsim.signals import read_input

from .conftest import ROOT

FIGURES = ("snr_db", "max_err_lsb", "saturations", "min", "max", "headroom_bits")


def speech8k(gain=1.0):
    x = signal.resample_poly(read_input(ROOT / "examples/noisy_speech.wav"), 1, 2)
    return np.clip(x * gain, -1.0, 32767 / 32768)


def whole_figures(des: D.Design, x) -> list[float]:
    """Per stage SNR computed on whole arrays, the way the report defines it (anchored)."""
    xi = input_ints(des, x)
    outs, _ = des.run(xi)
    values = [des.values(c, i) for i, c in enumerate(outs)]
    _, refs = des.reference(dequantize(xi, des.in_fmt), trace=True, model=values)
    snrs = []
    for i, st in enumerate(des.stages):
        lat = des.latencies()[i] * st.out_port.words
        f = values[i][lat:]
        r = refs[i][: len(f)]
        snrs.append(snr_db(r, f[: len(r)]))
    return snrs


@pytest.mark.parametrize("example,x", [
    ("emphasis.toml", lambda: read_input(ROOT / "examples/speechlike.wav")),
    ("ns_hpf_q15.toml", lambda: speech8k()[:12000]),
    ("stft_q15.toml", lambda: read_input(ROOT / "examples/speechlike.wav")),
])
def test_streamed_report_is_the_whole_signals(example, x):
    des = D.load(ROOT / "examples" / example)
    x = x()
    reps = [quantize_report(des, x, block=b) for b in (65536, 4001, 160, 97)]
    for rep in reps[1:]:
        for a, b in zip(rep["stages"], reps[0]["stages"]):
            for k in FIGURES:
                assert a[k] == pytest.approx(b[k], abs=0.011), (example, a["index"], k)
    for s, snr in zip(reps[0]["stages"], whole_figures(des, x)):
        assert s["snr_db"] == pytest.approx(snr, abs=0.006)


def test_blocks_from_an_iterator_give_the_same_report():
    des = D.load(ROOT / "examples/emphasis.toml")
    x = read_input(ROOT / "examples/speechlike.wav")
    rep = quantize_report(des, iter([x[:3000], x[3000:3001], x[3001:]]))
    assert rep["samples"] == x.size
    assert rep["snr_db"] == quantize_report(des, x)["snr_db"]


def test_deciding_stage_reference_runs_on_the_models_input():
    des = D.load(ROOT / "examples/ns_hpf_q15.toml")
    assert des.anchors() == [2] and des.checkpoints() == [1, 2]
    xi = input_ints(des, speech8k()[:8000])
    outs, _ = des.run(xi)
    values = [des.values(c, i) for i, c in enumerate(outs)]
    _, refs = des.reference(dequantize(xi, des.in_fmt), trace=True, model=values)
    np.testing.assert_array_equal(refs[2], des.stages[2].reference(values[1]))
    # and the stages before it are measured against the float chain as usual
    _, plain = des.reference(dequantize(xi, des.in_fmt), trace=True)
    np.testing.assert_array_equal(refs[1], plain[1])


def test_high_pass_then_suppressor_meets_the_gate_on_speech():
    """A design a user would call correct: the high-pass is within 60 dB of float at its output,
    and the suppressor within 60 dB of its float on the same input."""
    des = D.load(ROOT / "examples/ns_hpf_q15.toml")
    for gain in (1.0, 2.0):
        rep = quantize_report(des, speech8k(gain)[:40000])
        assert all(s["snr_db"] >= 60 for s in rep["stages"]), rep["stages"]


def test_input_shorter_than_a_frame_is_an_error():
    des = D.load(ROOT / "examples/ns_q15.toml")
    with pytest.raises(FxsimError, match="79 samples give no output.*needs 80"):
        quantize_report(des, np.zeros(79), source="short.wav")


def test_envelope_keeps_bounded_points_and_the_extremes():
    env = Envelope()
    rng = np.random.default_rng(1)
    e = rng.standard_normal(300_000)
    e[123_457] = 50.0
    for i in range(0, e.size, 7919):
        env.add(e[i: i + 7919])
    at, lo, hi = env.arrays()
    assert Envelope.POINTS <= lo.size < 2 * Envelope.POINTS
    assert hi.max() == 50.0 and lo.min() == e.min()
    k = int(np.argmax(hi))
    assert at[k] <= 123_457 < at[k] + env.bucket


def test_anchor_input_removes_the_latency_before_the_deciding_stage():
    des = D.load(ROOT / "examples/ns_hpf_q15.toml")
    des.stages[1].latency = 3                  # as a stage whose output trails its reference
    assert des.latencies()[1] == 3
    v = np.arange(10.0)
    np.testing.assert_array_equal(des.anchor_input(2, v), v[3:])
    skip, parts = {}, []
    for lo in range(0, 10, 2):                 # streamed: the skip spans two blocks
        parts.append(des.anchor_input(2, v[lo: lo + 2], skip))
    np.testing.assert_array_equal(np.concatenate(parts), v[3:])


def test_speech_ns_streams_through_blocks_in_which_ns_gives_nothing():
    """Blocks shorter than the suppressor's frame leave the interpolator's reference nothing to
    filter in some blocks."""
    des = D.load(ROOT / "examples/speech_ns.toml")
    x = read_input(ROOT / "examples/noisy_speech.wav")[:8000]
    a, b = quantize_report(des, x, block=97), quantize_report(des, x)
    assert a["snr_db"] == pytest.approx(b["snr_db"], abs=0.01) and a["samples"] == 8000


@settings(max_examples=40, deadline=None)
@given(nb=st.integers(1, 70), poles=st.lists(st.floats(-0.95, 0.95), max_size=6),
       cuts=st.lists(st.integers(0, 400), max_size=6), seed=st.integers(0, 2 ** 16))
def test_streamed_float_reference_equals_scipy_lfilter(nb, poles, cuts, seed):
    """lfilter_block (the numba recursion the streamed reports use instead of importing
    scipy.signal) equals scipy.signal.lfilter on the whole signal, over any split into blocks."""
    from fxsim.kernels.base import lfilter_block
    rng = np.random.default_rng(seed)
    b = rng.standard_normal(nb)
    a = np.poly(poles) * rng.uniform(0.5, 2.0) if poles else np.array([rng.uniform(0.5, 2.0)])
    x = rng.standard_normal(400)
    want = signal.lfilter(b, a, x)
    state, parts, pos = {}, [], 0
    for c in sorted(cuts) + [x.size]:
        parts.append(lfilter_block(b, a, x[pos:c], state))
        pos = max(pos, c)
    np.testing.assert_allclose(np.concatenate(parts), want, rtol=1e-9,
                               atol=1e-12 * np.abs(want).max())


@settings(max_examples=30, deadline=None)
@given(order=st.integers(1, 8), wn=st.floats(0.02, 0.9),
       cuts=st.lists(st.integers(0, 500), max_size=6), seed=st.integers(0, 2 ** 16))
def test_streamed_sos_reference_equals_scipy_sosfilt(order, wn, cuts, seed):
    """base.sosfilt (the biquad's planning and streamed reference, without scipy.signal) equals
    scipy.signal.sosfilt, whole and over any split into blocks."""
    from fxsim.kernels.base import sosfilt
    sos = signal.butter(order, wn, output="sos")
    x = np.random.default_rng(seed).standard_normal(500)
    want = signal.sosfilt(sos, x)
    np.testing.assert_allclose(sosfilt(sos, x), want, rtol=1e-12, atol=1e-14)
    zi, parts, pos = np.zeros((len(sos), 2)), [], 0
    for c in sorted(cuts) + [x.size]:
        parts.append(sosfilt(sos, x[pos:c], zi))
        pos = c
    np.testing.assert_allclose(np.concatenate(parts), want, rtol=1e-12, atol=1e-14)
