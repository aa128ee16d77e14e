"""The RISC-V target: generated C cross-compiled for RV32IMC with riscv64-unknown-elf-gcc and
picolibc, run bare metal on QEMU's virt board, is bit-exact with the model. CI installs the
toolchain; on a machine without it the tests that need it are skipped, except under CI=true where
a missing toolchain is a failure."""
import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from fxsim import design as D
from fxsim.cli import main
from fxsim.codegen import build, riscv32, targets, verify as V
from fxsim.errors import FxsimError
from fxsim.signals import builtin_signal_set

from .conftest import ROOT
from .test_skeleton import kernel_design, stress_signal

HAVE_TOOLCHAIN = riscv32.available()
if not HAVE_TOOLCHAIN and os.environ.get("CI") == "true":
    raise RuntimeError("CI: riscv64-unknown-elf-gcc, picolibc or qemu-system-riscv32 missing; "
                       ".ci/run installs them")
needs_toolchain = pytest.mark.skipif(
    not HAVE_TOOLCHAIN,
    reason="no RISC-V toolchain (riscv64-unknown-elf-gcc with picolibc, qemu-system-riscv32)")


# --- without the toolchain ------------------------------------------------------------------

def test_target_is_registered_without_capabilities():
    """RV32IMC has no DSP extension, no CLZ (that is Zbb) and no 32 x 32 -> 64 multiply-accumulate:
    the plain-C path, built and run by the riscv32 module."""
    t = targets.get("riscv32")
    assert t.caps == frozenset() and t.emulated and t.module() is riscv32
    assert t.size_tool == "riscv64-unknown-elf-size" and t.program_name == "prog.elf"
    assert not targets.get("host").emulated and targets.get("host").program_name == "prog"


def test_missing_toolchain_is_a_user_error(monkeypatch):
    monkeypatch.setattr(riscv32, "available", lambda: False)
    with pytest.raises(FxsimError, match="gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf "
                                         "qemu-system-misc"):
        riscv32.require()


def test_missing_toolchain_fails_verify_with_one_line(monkeypatch, tmp_path):
    """Without the toolchain ``fxsim verify --target riscv32`` names the packages and exits 2."""
    monkeypatch.setattr(riscv32, "available", lambda: False)
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))      # nothing cached: it must build
    res = CliRunner().invoke(main, ["verify", str(ROOT / "examples/emphasis.toml"),
                                    "--target", "riscv32"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fxsim: error: --target riscv32 needs")
    assert "apt-get install" in lines[0] and "qemu-system-misc" in lines[0]


def test_codegen_renders_the_plain_path(tmp_path):
    """``codegen --target riscv32`` only renders (no toolchain needed), without the DSP pairs."""
    res = CliRunner().invoke(main, ["codegen", str(ROOT / "examples/fir_q15_c16.toml"), "-o",
                                    str(tmp_path), "--target", "riscv32"])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "fir_q15_c16.c").read_text()
    assert "Target: riscv32" in text and "fx_mac16x2_exact" not in text


# --- on QEMU --------------------------------------------------------------------------------

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    char buf[64];
    size_t n;
    FILE *in, *out;
    if (argc != 4)
        return 5;
    if (!(in = fopen(argv[1], "rb")) || !(out = fopen(argv[2], "wb")))
        return 6;
    n = fread(buf, 1, sizeof buf, in);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(buf[i] ^ 0x20);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    printf("copied %u bytes\n", (unsigned)n);
    return atoi(argv[3]);
}
"""


@needs_toolchain
def test_semihosting_arguments_files_console_and_exit(tmp_path):
    """argv, host files relative to cwd, printed text and the exit status all come through."""
    b = build.build_program({"drv.c": DRIVER}, ["drv.c"], "riscv32", tag="rv32_semihost")
    (tmp_path / "in.txt").write_bytes(b"Hello, RISC-V")
    printed, count = build.run_program(b, ["in.txt", "out.txt", 0], cwd=tmp_path, count=True)
    assert printed == "copied 13 bytes\n" and count > 0
    assert (tmp_path / "out.txt").read_bytes() == b"hELLO\x0c\x00risc\rv"
    with pytest.raises(build.BuildError, match=r"exited with 7: copied 13 bytes"):
        build.run_program(b, ["in.txt", "out.txt", 7], cwd=tmp_path)


@needs_toolchain
def test_example_verifies_on_riscv32():
    des = D.load(ROOT / "examples/emphasis.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="riscv32")
    assert res["bit_exact"] and res["passed"] and res["target"] == "riscv32"


@needs_toolchain
@pytest.mark.parametrize("kernel,data,rounding,overflow", [
    ("gain", "Q15", "convergent", "saturate"), ("gain", "Q31", "floor", "wrap"),
    ("deemph", "Q31", "nearest", "saturate"), ("preemph", "Q15", "zero", "wrap")])
def test_kernels_bit_exact_on_riscv32(kernel, data, rounding, overflow):
    des = kernel_design(kernel, data, rounding, overflow)
    x = stress_signal(des.in_fmt, n=3000, seed=5)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, "riscv32")
    assert np.array_equal(got, want) and c_sats == sats


@needs_toolchain
def test_count_gives_instructions_code_and_ram():
    """``verify --count --json``: instructions per call (QEMU plugin), code and RAM bytes."""
    res = CliRunner().invoke(main, ["verify", str(ROOT / "examples/emphasis.toml"), "--target",
                                    "riscv32", "--count", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    des = D.load(ROOT / "examples/emphasis.toml")
    assert out["target"] == "riscv32" and out["passed"]
    assert out["instructions_per_call"] > des.block
    assert out["text_bytes"] > 0 and out["ram_bytes"] > 0 and "table_bytes" in out


@needs_toolchain
@pytest.mark.parametrize("example", ["fir_q15_c16", "fir_q15", "fir_q15_pshift16", "decimate_q15",
                                     "biquad", "biquad_q31", "fir_q31", "interpolate_q15"])
def test_filters_bit_exact_on_riscv32(example):
    des = D.load(ROOT / f"examples/{example}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="riscv32")
    assert res["bit_exact"] and res["passed"], res["failures"]


@needs_toolchain
@pytest.mark.parametrize("example", ["fft_lanes_q15", "rfft_lanes_q15"])
def test_lanes_fft_on_riscv32(example):
    """arithmetic = "lanes" through the packed primitives' plain-C twins (no DSP extension)."""
    des = D.load(ROOT / f"examples/{example}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=1024, complex_=des.in_port.complex),
                   target="riscv32")
    assert res["bit_exact"] and res["passed"], res["failures"]


@needs_toolchain
@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "gate").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_default_q15_designs_pass_on_riscv32(path):
    des = D.load(path)
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=2000), target="riscv32")
    assert res["passed"] and res["bit_exact"], res["failures"]


@needs_toolchain
def test_framed_complex_ports_on_riscv32(monkeypatch):
    """The contract's complex frames, block exponents and side outputs through the harness."""
    from fxsim.kernels import REGISTRY
    from .contract.probe import FrameProbe
    monkeypatch.setitem(REGISTRY, "frame_probe", FrameProbe)
    des = D.from_dict({"name": "probe", "block": 50,
                       "stage": [{"kernel": "gain", "gain": 0.5},
                                 {"kernel": "frame_probe", "n": 32}]})
    x = np.random.default_rng(2).uniform(-1, 1, 700)
    res = V.verify(des, {"noise": x}, target="riscv32", per_stage=True)
    assert res["bit_exact"], res["failures"]


@needs_toolchain
@pytest.mark.parametrize("name", ["fft_q15", "fft_roundtrip_q15", "fft_q31", "rfft_q15",
                                  "stft_q15", "fir_ols_q31"])
def test_fft_examples_on_riscv32(name):
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=1024, complex_=des.in_port.complex),
                   target="riscv32", per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]


@needs_toolchain
@pytest.mark.parametrize("name", ["ns_q15", "speech_ns", "ns_hpf_q15"])
def test_speech_front_end_on_riscv32(name):
    """The noise suppressor's samples and per-frame decisions, bit-exact on RV32IMC (its
    bit_length without a CLZ instruction, its 64-bit products in MUL/MULH pairs)."""
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=2400), target="riscv32",
                   per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]
