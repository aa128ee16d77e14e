"""The Cortex-M4 target: build generated C with arm-none-eabi-gcc for an ARM Cortex-M4 and run it
on QEMU's mps2-an386 board, bare metal, with newlib semihosting for file I/O and exit status.

Exact instruction counts come from a small QEMU TCG plugin (c_ref/targets/qemu_plugin) that counts
every guest instruction: a kernel's cost per call is the difference between two runs that call it
a different number of times, so helpers and inlined code are included and start-up is not.
QEMU counts instructions, not cycles (it does not model the M4's timing).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from fxsim.design import Design
from fxsim.errors import FxsimError
from fxsim.resources import c_ref_dir

from . import build, render

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


def build_elf(design: Design, main_c: str, unroll: int = 4, opt: str = "-O2",
              tag: str = "verify", extra_flags=()) -> tuple[Path, Path]:
    """Compile the design's generated C (strict flags, plus ``extra_flags``, e.g.
    -DFXSIM_NO_DSP for the plain-C path) and ``main_c`` into a bare-metal ELF.
    Returns (elf, object file of the design)."""
    require()
    files = render.render(design, "cortex-m4", unroll)
    files["main.c"] = main_c
    key = hashlib.sha256(repr((sorted(files.items()), opt, tuple(extra_flags))).encode()).hexdigest()[:16]
    d = build.cache_dir() / f"{design.name}-m4-{tag}-{key}"
    elf, obj = d / "prog.elf", d / f"{design.name}.o"
    if elf.exists():
        return elf, obj
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text)
    inc = [f"-I{c_ref_dir()}", f"-I{d}"]
    _cc([*build.STRICT, opt, *CPU, *extra_flags, "-ffunction-sections", "-fdata-sections", *inc, "-c",
         d / f"{design.name}.c", "-o", obj], f"{design.name}.c")
    m4 = _target_dir() / "cortex_m4"
    _cc([opt, *CPU, "-std=c99", "-ffunction-sections", "-fdata-sections", *inc, d / "main.c", obj,
         m4 / "startup_cm4.c", "-T", m4 / "mps2.ld", "--specs=nano.specs", "--specs=rdimon.specs",
         "-lc", "-lrdimon", "-Wl,--gc-sections", "-o", str(elf) + ".tmp"], "the M4 program")
    os.replace(str(elf) + ".tmp", elf)
    return elf, obj


def _plugin() -> Path:
    """The instruction-counting QEMU plugin, built once for the host."""
    src = _target_dir() / "qemu_plugin" / "insncount.c"
    key = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    lib = build.cache_dir() / f"libinsncount-{key}.so"
    if not lib.exists():
        res = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-o",
                              str(lib) + ".tmp", str(src)], capture_output=True, text=True)
        if res.returncode != 0:
            raise build.BuildError(f"building the QEMU plugin failed:\n{res.stderr.strip()}")
        os.replace(str(lib) + ".tmp", lib)
    return lib


def run_qemu(elf: Path, args=(), cwd=None, count=False, timeout=120) -> tuple[str, int | None]:
    """Run an ELF on the emulated Cortex-M4; returns (its stdout, instructions executed or None).
    ``args`` become its argv[1:] through semihosting; files are relative to ``cwd``."""
    semi = ",".join(["enable=on", "target=native", "arg=prog", *(f"arg={a}" for a in args)])
    cmd = [QEMU, "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic", "-monitor", "none",
           "-serial", "none", "-semihosting-config", semi, "-kernel", str(elf)]
    if count:
        cmd += ["-plugin", str(_plugin()), "-d", "plugin"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise build.BuildError(f"QEMU run of {elf.name} timed out after {timeout} s") from None
    if res.returncode != 0:
        raise build.BuildError(f"{elf.name} on QEMU exited with {res.returncode}: "
                               f"{(res.stdout + res.stderr).strip()[:2000]}")
    total = None
    if count:
        m = re.search(r"insncount total=(\d+)", res.stderr + res.stdout)
        total = int(m.group(1)) if m else None
    return res.stdout, total


def run_design(elf: Path, design: Design, x_int) -> tuple[np.ndarray, str]:
    """Stream int samples through the harness ELF; returns (outputs as int64, its stdout)."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "in.raw").write_bytes(np.asarray(x_int).astype(design.in_fmt.dtype).tobytes())
        stdout, _ = run_qemu(elf, ["in.raw", "out.raw"], cwd=tmp)
        y = np.frombuffer(Path(tmp, "out.raw").read_bytes(), dtype=design.out_fmt.dtype)
    return y.astype(np.int64), stdout


def text_bytes(obj: Path) -> int:
    """Code size (.text) of the design's object file."""
    res = subprocess.run(["arm-none-eabi-size", str(obj)], capture_output=True, text=True, check=True)
    return int(res.stdout.splitlines()[1].split()[0])


def instructions_per_call(design: Design, unroll: int = 4, opt: str = "-O2", extra_flags=()) -> float:
    """Exact Cortex-M4 instructions per call of <name>_process on a block of noise: the difference
    of two runs making 12 and 4 calls, divided by 8."""
    env = render.environment()
    totals = {}
    for calls in (4, 12):
        main_c = env.get_template("callgrind.c.j2").render(
            name=design.name, NAME=design.name.upper(), in_type=design.in_fmt.ctype,
            out_type=design.out_fmt.ctype, calls=calls, level_div=4)
        elf, _ = build_elf(design, main_c, unroll, opt, f"count{calls}", extra_flags)
        _, totals[calls] = run_qemu(elf, count=True)
    return (totals[12] - totals[4]) / 8
