"""The Cortex-M4 target: build generated C with arm-none-eabi-gcc for an ARM Cortex-M4 and run it
on QEMU's mps2-an386 board, bare metal, with newlib semihosting for file I/O and exit status.

Exact instruction counts come from a small QEMU TCG plugin (c_ref/targets/qemu_plugin, shared with
the other emulated targets through codegen/qemu.py) that counts every guest instruction: a
kernel's cost per call is the difference between two runs that call it a different number of
times, so helpers and inlined code are included and start-up is not. QEMU counts instructions,
not cycles (it does not model the M4's timing).

The interface of an emulated target's module (codegen/targets.py names the module in the
target's registry entry): ``available()``, ``require()``, ``compile_and_link(...)`` and
``run_qemu(...)`` below.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fxsim.errors import FxsimError
from fxsim.resources import c_ref_dir

from . import build, qemu

ARM_CC = "arm-none-eabi-gcc"
QEMU = "qemu-system-arm"
CPU = ("-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=soft")
INSTALL_HINT = ("Debian: apt-get install --no-install-recommends gcc-arm-none-eabi "
                "libnewlib-arm-none-eabi qemu-system-arm")


def available() -> bool:
    return shutil.which(ARM_CC) is not None and shutil.which(QEMU) is not None


def require() -> None:
    if not available():
        raise FxsimError(f"--target cortex-m4 needs {ARM_CC} and {QEMU}; {INSTALL_HINT}")


def _target_dir() -> Path:
    return c_ref_dir() / "targets"


def _cc(args, what):
    res = subprocess.run([ARM_CC, *map(str, args)], capture_output=True, text=True)
    if res.returncode != 0:
        raise build.BuildError(f"{ARM_CC} failed on {what}:\n{res.stderr.strip()}")


def compile_and_link(d: Path, sources, opt: str, flags, elf: Path, incs=()) -> None:
    """Compile ``sources`` (names in ``d``) with the strict flags for the M4 and link them with the
    board's start-up code into a bare-metal ELF (newlib semihosting for file I/O)."""
    require()
    objs = []
    for src in sources:
        obj = d / (Path(src).stem + ".o")
        _cc([*build.STRICT, opt, *CPU, *flags, "-ffunction-sections", "-fdata-sections", f"-I{d}",
             *(f"-I{i}" for i in incs), "-c", d / src, "-o", obj], src)
        objs.append(obj)
    m4 = _target_dir() / "cortex_m4"
    _cc([opt, *CPU, "-std=c99", "-ffunction-sections", "-fdata-sections", *objs,
         m4 / "startup_cm4.c", "-T", m4 / "mps2.ld", "--specs=nano.specs", "--specs=rdimon.specs",
         "-lc", "-lrdimon", "-Wl,--gc-sections", "-o", elf], "the M4 program")


def run_qemu(elf: Path, args=(), cwd=None, count=False, timeout=120) -> tuple[str, int | None]:
    """Run an ELF on the emulated Cortex-M4; returns (its stdout, instructions executed or None).
    ``args`` become its argv[1:] through semihosting; files are relative to ``cwd``."""
    semi = ",".join(["enable=on", "target=native", "arg=prog",
                     *(f"arg={qemu.option(a)}" for a in args)])
    cmd = [QEMU, "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none",
           "-serial", "none", "-semihosting-config", semi, "-kernel", str(elf)]
    return qemu.run(cmd, elf, cwd=cwd, count=count, timeout=timeout)
