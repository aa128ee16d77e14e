"""One conformance test over the whole registry: every stage kind, in every data format it
supports, built from its ``example`` keys, must

* give the same output (samples, block exponents, side outputs, saturations) for any split of
  the input into calls, and never more than ``max_out`` samples per call;
* have consistent ports: each stage's input port is the previous stage's output port, and
  ``check_link`` accepts it;
* state its scaling (naming its input and output formats) and carry that statement into the C;
* refuse an unknown key, naming it;
* be bit-exact three ways: model == its reference C (c_ref, through the kind's driver in
  tests/c, registered in tests/c_ref_bindings.py) == the generated C on the host.

A new kernel gets all of this by registering (``fxsim.kernels.REGISTRY``) with an ``example``;
the c_ref check fails until its reference C is bound.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fxsim import design as D
from fxsim.codegen import render, verify as V
from fxsim.errors import FxsimError
from fxsim.kernels import REGISTRY
from fxsim.ports import Chunk, Port, check_link
from fxsim.qformat import QFormat

from .c_ref_bindings import BINDINGS, run_c_ref
from .contract.probe import FrameProbe

KINDS = sorted(REGISTRY)
CASES = [(k, f) for k in KINDS for f in REGISTRY[k].formats]


def test_registry_names_its_classes_and_loads_them_lazily():
    """Every registered name resolves to the Stage class of that name; a fresh interpreter that
    loads a gain-only design imports no other kernel's module (the lazy registry)."""
    import subprocess
    import sys
    from fxsim.kernels.base import Stage
    for name in REGISTRY:
        cls = REGISTRY[name]
        assert issubclass(cls, Stage) and cls.kernel == name
    assert all(isinstance(c, type) for c in {**REGISTRY}.values()) and dict(REGISTRY) == REGISTRY
    from fxsim.kernels import Fir, channel_fixed  # noqa: F401  (classes by name, modules still)
    assert Fir is REGISTRY["fir"]
    code = ("import sys; from fxsim import design as D; "
            "D.from_dict({'name': 'g', 'block': 8, 'stage': [{'kernel': 'gain', 'gain': 0.5}]}); "
            "print(sorted(m for m in sys.modules if m.startswith('fxsim.kernels.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    assert out.strip() == "['fxsim.kernels.base', 'fxsim.kernels.gain']", out


def design_for(kind: str, data: str, block: int = 64, **extra) -> D.Design:
    """The kind's example design: the stages it needs before it, then the kind itself (last)."""
    cls = REGISTRY[kind]
    return D.from_dict({"name": f"c_{kind}", "block": block, "input": cls.example_input,
                        "sample_rate": cls.sample_rate or 16000,
                        "defaults": {"data": data},
                        "stage": [*cls.example_before, {"kernel": kind, **cls.example, **extra}]})


def stress(fmt: QFormat, n: int = 3000, seed: int = 0) -> np.ndarray:
    """Noise at several levels, full-scale runs of both signs (the most negative word included),
    alternating full-scale steps and silence."""
    rng = np.random.default_rng(seed)
    lo, hi = fmt.min_int, fmt.max_int
    parts = [rng.integers(lo, hi + 1, n // 4), (rng.standard_normal(n // 4) * hi * 0.1),
             np.full(n // 16, lo), np.full(n // 16, hi), np.tile([lo, hi], n // 16),
             np.zeros(n // 16), (rng.standard_normal(n // 4) * 30)]
    x = np.clip(np.concatenate(parts), lo, hi).astype(np.int64)
    return x[: len(x) // 2 * 2]                  # whole complex samples for complex inputs


def run_split(des: D.Design, x: np.ndarray, sizes) -> tuple[list[Chunk], list[int]]:
    """The model on x in calls of the given sizes (cycled); checks max_out on every call."""
    states = des.init_states()
    outs, sats = [[] for _ in des.stages], [0] * len(des.stages)
    words = des.in_port.words
    pos, i = 0, 0
    while pos < len(x):
        n = sizes[i % len(sizes)] * words
        i += 1
        chunks, s = des.run(x[pos:pos + n], states)
        lengths = des.max_lengths(len(x[pos:pos + n]) // words)
        for k, (c, st) in enumerate(zip(chunks, des.stages)):
            assert len(c.data) <= lengths[k + 1] * st.out_port.words, (st.where, n)
            outs[k].append(c)
            sats[k] += s[k]
        pos += n
    return [Chunk.concat(o, st.out_port) for o, st in zip(outs, des.stages)], sats


def assert_chunks_equal(a: Chunk, b: Chunk):
    np.testing.assert_array_equal(a.data, b.data)
    if a.exp is not None or b.exp is not None:
        np.testing.assert_array_equal(a.exp, b.exp)
    assert a.side.keys() == b.side.keys()
    for k in a.side:
        np.testing.assert_array_equal(a.side[k], b.side[k])


@pytest.mark.parametrize("kind,data", CASES)
def test_block_split_invariance(kind, data):
    des = design_for(kind, data)
    x = stress(des.in_fmt)
    whole, sats = des.run(x)
    for sizes in ([1], [7, 1, 64, 3], [64], [13, 50]):
        parts, psats = run_split(des, x, sizes)
        for a, b in zip(parts, whole):
            assert_chunks_equal(a, b)
        assert psats == sats


@pytest.mark.parametrize("kind,data", CASES)
def test_reference_streams(kind, data):
    """The float reference run block by block (reports stream) equals it on the whole signal."""
    des = design_for(kind, data)
    x = stress(des.in_fmt, n=2000, seed=3) * des.in_fmt.lsb
    _, whole = des.reference(x, trace=True)
    words = des.in_port.words
    for sizes in ([1, 7, 64, 3], [250], [13, 50]):
        states, parts, pos, i = des.ref_states(), [[] for _ in des.stages], 0, 0
        while pos < len(x):
            n = sizes[i % len(sizes)] * words
            for k, y in enumerate(des.reference_block(x[pos:pos + n], states)):
                parts[k].append(y)
            pos, i = pos + n, i + 1
        for k, ref in enumerate(whole):
            got = np.concatenate(parts[k])
            assert got.size == ref.size, (des.stages[k].where, sizes)
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * max(1.0, np.abs(ref).max()))


@pytest.mark.parametrize("kind,data", CASES)
def test_ports_are_consistent(kind, data):
    cls = REGISTRY[kind]
    before = list(cls.example_before) or \
        ([{"kernel": "gain", "gain": 0.5}] if cls.example_input == "real" else [])
    des = D.from_dict({"name": "c", "block": 64, "input": cls.example_input,
                       "sample_rate": cls.sample_rate or 16000, "defaults": {"data": data},
                       "stage": [*before, {"kernel": kind, **cls.example}]})
    assert des.stages[0].in_port == Port(des.in_fmt, complex=cls.example_input == "complex")
    for up, st in zip(des.stages, des.stages[1:]):
        assert st.in_port == up.out_port and st.in_fmt == up.out_fmt
        check_link(up.where, up.out_port, st.where, st.accepts)
    st = des.stages[-1]
    assert isinstance(st.out_port, Port) and st.out_port.fmt == st.out_fmt
    assert st.max_out(0) >= 0 and all(st.max_out(n) >= st.max_out(n - 1) for n in range(1, 70))
    assert st.latency >= 0


@pytest.mark.parametrize("kind,data", CASES)
def test_scaling_statement_is_stated_and_rendered(kind, data):
    des = design_for(kind, data)
    st = des.stages[-1]
    text = st.scaling()
    assert str(st.in_fmt) in text and str(st.out_fmt) in text, text
    def words(s):                     # the C comment wraps lines and starts them with " * "
        return " ".join(s.replace("*", " ").split())
    c = render.render(des)[f"{des.name}.c"]
    assert words(text) in words(c)


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_key_is_refused(kind):
    with pytest.raises(FxsimError, match=r"stage\[\d\] .*unknown key 'no_such_key'"):
        design_for(kind, "Q15", no_such_key=1)


@pytest.mark.parametrize("kind,data", CASES)
def test_model_equals_generated_c(kind, data):
    des = design_for(kind, data)
    x = stress(des.in_fmt, seed=1)
    outs, sats = des.run(x, strict=False)
    c = V.compile_for(des)(x, all_stages=True)
    n, found = V.compare(des, outs, sats, c)
    assert n == 0, found[:3]


@pytest.mark.parametrize("kind,data", CASES)
def test_model_equals_c_ref(kind, data):
    assert kind in BINDINGS, f"kernel {kind!r} has no reference C bound in tests/c_ref_bindings.py"
    des = design_for(kind, data)
    x = stress(des.in_fmt, seed=2)
    outs, sats = des.run(x)
    st = des.stages[-1]
    x_in = outs[-2] if len(outs) > 1 else Chunk(x)          # what the kind itself receives
    got, c_sats, c_exp = run_c_ref(st, x_in)
    np.testing.assert_array_equal(got, outs[-1].data)
    assert c_sats == sats[-1]
    if st.out_port.block_exp:
        np.testing.assert_array_equal(c_exp, outs[-1].exp)


# --- the contract's framed, complex, block-exponent and side-output paths, through a test kind ---

@pytest.fixture
def probe(monkeypatch):
    monkeypatch.setitem(REGISTRY, "frame_probe", FrameProbe)
    return D.from_dict({"name": "probe", "block": 50,
                        "stage": [{"kernel": "gain", "gain": 0.5},
                                  {"kernel": "frame_probe", "n": 32}]})


def test_framed_complex_port_end_to_end(probe):
    """Complex frames with a block exponent and a side output: split-invariant, and the C equals
    the model on every port of every stage."""
    port = probe.out_port
    assert port.complex and port.frame == 32 and port.block_exp and port.side[0].name == "peak"
    assert probe.max_lengths() == [50, 50, 64]
    x = stress(probe.in_fmt, n=2000, seed=3)
    whole, sats = probe.run(x)
    parts, _ = run_split(probe, x, [1, 31, 50, 5])
    assert_chunks_equal(parts[1], whole[1])
    assert len(whole[1].exp) == len(x) // 32 and len(whole[1].data) == 2 * 32 * (len(x) // 32)
    res = V.verify(probe, {"stress": x / 32768.0}, per_stage=True)
    assert res["bit_exact"], res["failures"]
    # values with the block exponent applied are the reference's (the probe is exact)
    assert res["signals"][0]["snr_db"] > 80


def test_mismatch_in_a_block_exponent_is_reported(probe, monkeypatch):
    x = stress(probe.in_fmt, n=640, seed=4)
    outs, sats = probe.run(x)
    c = V.compile_for(probe)(x, all_stages=True)
    outs[1].exp[3] += 1                                  # the model now disagrees on frame 3
    n, found = V.compare(probe, outs, sats, c)
    assert n == 1 and found[0]["port"] == "exp" and found[0]["index"] == 3 and \
        found[0]["stage"] == 1
    text = V.describe_mismatch("stress", probe, found[0])
    assert "stage[1] (frame_probe)" in text and "frame (exp) 3" in text


def test_link_that_does_not_fit_names_both_stages(monkeypatch):
    monkeypatch.setitem(REGISTRY, "frame_probe", FrameProbe)
    with pytest.raises(FxsimError, match=r"stage\[1\] \(fir\) cannot follow stage\[0\] "
                                         r"\(frame_probe\): .*complex"):
        D.from_dict({"name": "bad", "stage": [{"kernel": "frame_probe", "n": 16},
                                              {"kernel": "fir", "taps": [1.0]}]})


def test_declared_runtime_is_shipped_and_linked(monkeypatch, tmp_path):
    """A stage that declares runtime C (here the math library) gets it written by codegen and
    compiled and linked by the build."""
    class MathProbe(FrameProbe):
        runtime = ("fxsim_math.h", "fxsim_tables.h", "fxsim_math.c")
    monkeypatch.setitem(REGISTRY, "frame_probe", MathProbe)
    des = D.from_dict({"name": "mprobe", "block": 32,
                       "stage": [{"kernel": "frame_probe", "n": 16}]})
    names = {p.name for p in render.write(des, tmp_path)}
    assert {"mprobe.c", "mprobe.h", "fxsim_prim.h", "fxsim_math.h", "fxsim_tables.h",
            "fxsim_math.c"} <= names
    assert '#include "fxsim_math.h"' in (tmp_path / "mprobe.c").read_text()
    assert render.runtime_sources(des) == ["fxsim_math.c"]
    x = stress(des.in_fmt, n=320)
    assert V.verify(des, {"x": x / 32768.0})["bit_exact"]
