"""What the emulated targets share: the instruction-counting QEMU TCG plugin
(c_ref/targets/qemu_plugin, built once for the host into the build cache) and running one QEMU
system emulator to completion.

The plugin counts every guest instruction QEMU executes and prints ``insncount total=N`` on
stderr when the guest exits; it knows nothing of the guest's instruction set, so one build serves
every ``qemu-system-*``. A kernel's cost per call is the difference between two runs that call it
a different number of times (codegen/measure.py).
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

from fxsim.resources import c_ref_dir

from . import build


def plugin() -> Path:
    """The instruction-counting QEMU plugin, built once for the host."""
    src = c_ref_dir() / "targets" / "qemu_plugin" / "insncount.c"
    key = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    lib = build.cache_dir() / f"libinsncount-{key}.so"
    if not build.touch(lib):                         # a hit marks it used: trim keeps it
        fd, tmp = tempfile.mkstemp(dir=build.cache_dir(), prefix=".insncount-")
        os.close(fd)
        res = subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-fvisibility=hidden", "-o",
                              tmp, str(src)], capture_output=True, text=True)
        if res.returncode != 0:
            os.unlink(tmp)
            raise build.BuildError(f"building the QEMU plugin failed:\n{res.stderr.strip()}")
        os.replace(tmp, lib)
        build.touch(lib)
        build.trim()
    return lib


def option(value) -> str:
    """``value`` as one field of a QEMU option list (a comma is written twice)."""
    return str(value).replace(",", ",,")


def run(cmd: list, elf: Path, cwd=None, count=False, timeout=120,
        console: Path | None = None) -> tuple[str, int | None]:
    """Run the QEMU command line ``cmd`` (which boots ``elf``), with the plugin when ``count``.
    The guest's output is QEMU's stdout, or the file ``console`` when its C library writes there
    (semihosting to a chardev). Returns (that output, instructions executed or None); a non-zero
    exit status of the guest, or a run longer than ``timeout`` seconds, raises BuildError."""
    if count:
        cmd = [*cmd, "-plugin", str(plugin()), "-d", "plugin"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise build.BuildError(f"QEMU run of {elf.name} timed out after {timeout} s") from None
    out = res.stdout
    if console is not None:
        out = console.read_text(errors="replace") if console.exists() else ""
    if res.returncode != 0:
        raise build.BuildError(f"{elf.name} on QEMU exited with {res.returncode}: "
                               f"{(out + res.stderr).strip()[:2000]}")
    total = None
    if count:
        m = re.search(r"insncount total=(\d+)", res.stderr + res.stdout)
        total = int(m.group(1)) if m else None
    return out, total
