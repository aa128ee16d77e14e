"""Cost of generated C: exact instruction counts per call (valgrind's callgrind on the host, the
QEMU plugin on the emulated targets, Cortex-M4 and RISC-V, both through the harness's ``count``
mode) and wall time on the host (the benchmarks' timing main). Used by ``verify --count`` and the
benchmarks; tests never assert on these numbers."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from fxsim.design import Design

from . import build, targets


def time_generated(design: Design, x_int, repeats: int = 7, unroll: int = 4, opt: str = "-O2") -> float:
    """Seconds for the fastest of ``repeats`` runs of the whole signal through the generated C."""
    b = build.build_design(design, "host", unroll, opt, main="bench", tap=False)
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp, "in.raw")
        f.write_bytes(np.asarray(x_int).astype(design.in_port.dtype).tobytes())
        out = build.run(b.program, [f, repeats]).split()
    return float(out[0]) * 1e-9


def instructions_per_call(design: Design, target: str = "host", unroll: int = 4, opt: str = "-O2",
                          extra_flags=(), level_div: int = 4) -> float | None:
    """Instructions per call of <name>_process on a block of noise at full scale / ``level_div``:
    callgrind's count inside the function on the host (None without valgrind); on an emulated
    target (QEMU) the difference of two whole-program runs making 12 and 4 calls, divided by 8
    (exact, helpers included, start-up excluded)."""
    b = build.build_design(design, target, unroll, opt, extra_flags, tap=False)
    if targets.get(b.target).emulated:
        totals = {}
        for calls in (4, 12):
            _, totals[calls] = build.run_program(b, ["count", calls, level_div], count=True)
        return (totals[12] - totals[4]) / 8
    if shutil.which("valgrind") is None:
        return None
    calls = 20
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        f"--toggle-collect={design.name}_process", str(b.program), "count",
                        str(calls), str(level_div)], capture_output=True, check=True)
        text = out.read_text()
    m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    return int(m.group(1)) / calls if m else None


def text_bytes(design: Design, target: str = "host", unroll: int = 4, opt: str = "-O2") -> int | None:
    """Code size (.text) of the design's object file."""
    b = build.build_design(design, target, unroll, opt, tap=False)
    return build.section_sizes(b.obj, b.target).get("text_bytes")
