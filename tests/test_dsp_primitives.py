"""The Cortex-M4 DSP-instruction primitives: the Python twin of each (fxsim.primitives) equals its
C twin (fx_<name> in c_ref/fxsim_prim.h) on the host (plain C), and on the M4 under QEMU both
through the instruction (FXSIM_USE_DSP) and through the plain C (-DFXSIM_NO_DSP): the twins agree
with the instructions as the emulated core executes them."""
from __future__ import annotations

import os

import numpy as np
import pytest

from fxsim import primitives as P
from fxsim.codegen import build

from .conftest import ROOT

#: the order of OPS in tests/c/dsp_driver.c
DSP_OPS = ["smuad", "smuadx", "smusd", "smusdx", "smlad", "smladx", "smlald", "smlaldx",
           "smulbb", "smulbt", "smultb", "smultt", "smlawb", "smlawt", "qadd", "qsub", "qadd16",
           "qsub16", "shadd16", "shsub16", "ssat", "pkhbt", "pkhtb", "max16x2", "min16x2",
           "qasx", "qsax", "umax16x2", "smlsd", "smlsdx", "shasx", "shsax", "smlal"]
SSAT_BITS = (1, 2, 8, 12, 15, 16, 17, 24, 31, 32)
DRIVER = ROOT / "tests" / "c" / "dsp_driver.c"
#: register values at the edges: halves at 0, +-1, the int16 extremes, and whole-word extremes
HALVES = [0, 1, -1, 2, 0x4000, 0x7FFF, -0x8000, -0x7FFF, 0x1234, -0x1235]
CORNER_WORDS = [P.pack16x2(b, t) for b in HALVES for t in HALVES] + [
    (1 << 31) - 1, -(1 << 31), 0x7FFF0000, -0x10000, 0xFFFF]
LONG_ACCS = [0, 1, -1, (1 << 62), -(1 << 62), (1 << 63) - 1, -(1 << 63), (1 << 31), -(1 << 40)]


def _twin(op: str, x: int, y: int, acc: int, p: int) -> int:
    fn = getattr(P, op)
    if op in ("smlad", "smladx", "smlsd", "smlsdx", "smlald", "smlaldx", "smlawb", "smlawt",
              "smlal"):
        return int(fn(x, y, acc))
    if op == "ssat":
        return int(fn(x, p))
    if op in ("pkhbt", "pkhtb"):
        return int(fn(x, y, p))
    return int(fn(x, y))


def records(n_random: int = 3000, seed: int = 0) -> np.ndarray:
    """(op index, x, y, acc, parameter) rows: every op on corner words crossed, then random
    words (32-bit accumulators for the 32-bit ops, 64-bit for SMLALD/X)."""
    rng = np.random.default_rng(seed)
    rows = []
    corners = np.array(CORNER_WORDS, dtype=np.int64)
    for k, op in enumerate(DSP_OPS):
        long_acc = op in ("smlald", "smlaldx", "smlal")
        accs = LONG_ACCS if long_acc else [0, 1, -1, (1 << 31) - 1, -(1 << 31), 0x40000000]
        params = SSAT_BITS if op == "ssat" else (0, 1, 5, 15, 16, 17, 31) if op.startswith("pkh") else (0,)
        for x in corners:
            for y in corners[:: 3]:
                rows.append((k, x, y, accs[(x + y) % len(accs)], params[(x ^ y) % len(params)]))
        words = rng.integers(-(1 << 31), 1 << 31, (n_random, 2))
        acc = (rng.integers(-(1 << 62), 1 << 62, n_random) if long_acc else
               rng.integers(-(1 << 31), 1 << 31, n_random))
        par = rng.choice(np.array(params), n_random)
        rows += [(k, int(a), int(b), int(c), int(d)) for (a, b), c, d in zip(words, acc, par)]
    return np.array(rows, dtype=np.int64)


def expected(rec: np.ndarray) -> np.ndarray:
    return np.array([_twin(DSP_OPS[r[0]], *map(int, r[1:])) for r in rec], dtype=np.int64)


@pytest.fixture(scope="module")
def cases():
    rec = records()
    return rec, expected(rec)


def test_twin_definitions_on_examples():
    """A few values worked by hand from the ARMv7-M reference manual's pseudocode."""
    w = P.pack16x2
    assert P.smuad(w(-32768, -32768), w(-32768, -32768)) == -(1 << 31)      # 2^31 wraps
    assert P.smlad(w(3, 4), w(5, 6), 7) == 7 + 15 + 24
    assert P.smladx(w(3, 4), w(5, 6), 0) == 3 * 6 + 4 * 5
    assert P.smusdx(w(3, 4), w(5, 6)) == 3 * 6 - 4 * 5
    assert P.smlald(w(-32768, -32768), w(-32768, -32768), (1 << 62)) == (1 << 62) + (1 << 31)
    assert P.smlawb((1 << 31) - 1, w(-32768, 0), 0) == -(1 << 30)           # top 32 of 48 bits
    assert P.smlawb(-1, w(1, 0), 0) == -1                                      # floor
    assert P.qadd((1 << 31) - 1, 1) == (1 << 31) - 1 and P.qsub(-(1 << 31), 1) == -(1 << 31)
    assert P.qadd16(w(32767, -32768), w(1, -1)) == w(32767, -32768)
    assert P.shadd16(w(-1, 3), w(0, 0)) == w(-1, 1)
    assert P.qasx(w(10, 20), w(3, 4)) == w(6, 23) and P.qsax(w(10, 20), w(3, 4)) == w(14, 17)
    assert P.qasx(w(-32768, 32767), w(1, 1)) == w(-32768, 32767)
    assert P.smlsd(w(3, 4), w(5, 6), 7) == 7 + 15 - 24 and P.smlsdx(w(3, 4), w(5, 6), 1) == 1 + 18 - 20
    assert P.shasx(w(10, 20), w(3, 5)) == w(2, 11) and P.shsax(w(10, 20), w(3, 5)) == w(7, 8)
    assert P.shasx(w(-32768, 32767), w(32767, 32767)) == w(-32768, 32767)      # 17-bit sums
    assert P.ssat(40000, 16) == 32767 and P.ssat(-40000, 16) == -32768 and P.ssat(5, 1) == -1 + 1
    assert P.pkhbt(0x1234, 0x5678, 16) == 0x56781234
    assert P.pkhbt(0x1234, 0x5678 << 15, 1) == 0x56781234
    assert P.max16x2(w(-1, 5), w(3, -7)) == w(3, 5) and P.min16x2(w(-1, 5), w(3, -7)) == w(-1, -7)
    assert P.pkhtb(0x12340000, -0x10000, 16) == w(-1, 0x1234)
    assert P.umax16x2(w(-1, 5), w(3, -7)) == w(-1, -7)                        # 0xFFFF, 0xFFF9
    assert P.umax16x2(w(0x7FFF, 2), w(-0x8000, 1)) == w(-0x8000, 2)


def test_host_plain_c_equals_the_twins(cases):
    rec, want = cases
    exe = build.compile_host([DRIVER], "dsp_driver")
    got = np.frombuffer(build.run(exe, (), rec.tobytes()), dtype=np.int64)
    bad = [(DSP_OPS[r[0]], *r[1:], w, g) for r, w, g in zip(rec, want, got) if w != g]
    assert got.shape == want.shape and not bad, bad[:5]


@pytest.mark.parametrize("flags", [(), ("-DFXSIM_NO_DSP",)], ids=["dsp", "plain"])
def test_cortex_m4_equals_the_twins(cases, flags, tmp_path):
    from fxsim.codegen import cortex_m4
    if not cortex_m4.available():
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI: arm-none-eabi-gcc / qemu-system-arm missing")
        pytest.skip("no Cortex-M4 toolchain")
    rec, want = cases
    elf = build.build_program({"dsp_driver.c": DRIVER.read_text()}, ["dsp_driver.c"],
                              "cortex-m4", flags=flags, tag="dsp_driver").program
    (tmp_path / "in.raw").write_bytes(rec.tobytes())
    cortex_m4.run_qemu(elf, ["-f", "in.raw", "out.raw"], cwd=tmp_path)
    got = np.frombuffer((tmp_path / "out.raw").read_bytes(), dtype=np.int64)
    bad = [(DSP_OPS[r[0]], *r[1:], w, g) for r, w, g in zip(rec, want, got) if w != g]
    assert got.shape == want.shape and not bad, bad[:5]
