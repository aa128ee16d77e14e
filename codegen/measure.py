"""Cost of generated C on the host: wall time (a timing harness) and exact instruction counts per
call (valgrind's callgrind). Used by the benchmarks; tests never assert on these numbers."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from fxsim.design import Design

from . import build, render


def _build(design: Design, harness: str, unroll: int, opt: str, **ctx) -> Path:
    files = render.render(design, "c99", unroll)
    env = render.environment()
    files["main.c"] = env.get_template(harness).render(
        name=design.name, NAME=design.name.upper(), in_type=design.in_fmt.ctype,
        out_type=design.out_fmt.ctype, **ctx)
    key = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
    d = build.cache_dir() / f"{design.name}-{harness.split('.')[0]}-{key}"
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text)
    extra = ("-D_POSIX_C_SOURCE=199309L",) if harness == "bench.c.j2" else ()
    return build.compile_host([d / f"{design.name}.c", d / "main.c"], f"{design.name}-meas", opt,
                              extra, include_dirs=[d])


def time_generated(design: Design, x_int, repeats: int = 7, unroll: int = 4, opt: str = "-O2") -> float:
    """Seconds for the fastest of ``repeats`` runs of the whole signal through the generated C."""
    exe = _build(design, "bench.c.j2", unroll, opt)
    with tempfile.NamedTemporaryFile(suffix=".raw") as f:
        f.write(np.asarray(x_int).astype(design.in_fmt.dtype).tobytes())
        f.flush()
        out = build.run(exe, [f.name, repeats]).split()
    return float(out[0]) * 1e-9


def instructions_per_call(design: Design, calls: int = 20, unroll: int = 4, opt: str = "-O2",
                          level_div: int = 4) -> float | None:
    """x86 instructions per call of <name>_process, counted by callgrind (None without valgrind).
    The input is pseudo-random noise at full scale / ``level_div``."""
    if shutil.which("valgrind") is None:
        return None
    exe = _build(design, "callgrind.c.j2", unroll, opt, calls=calls, level_div=level_div)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        f"--toggle-collect={design.name}_process", str(exe)],
                       capture_output=True, check=True)
        text = out.read_text()
    m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    return int(m.group(1)) / calls if m else None


def text_bytes(design: Design, unroll: int = 4, opt: str = "-O2") -> int | None:
    """Code size (.text) of the design's generated C compiled alone for the host (None without
    binutils' size)."""
    if shutil.which("size") is None:
        return None
    files = render.render(design, "c99", unroll)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            Path(tmp, name).write_text(text)
        obj = Path(tmp, f"{design.name}.o")
        cmd = ["gcc", *build.STRICT, opt, f"-I{build.c_ref_dir()}", f"-I{tmp}", "-c",
               str(Path(tmp, f"{design.name}.c")), "-o", str(obj)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise build.BuildError(f"gcc failed:\n{res.stderr.strip()}")
        out = subprocess.run(["size", str(obj)], capture_output=True, text=True, check=True)
    return int(out.stdout.splitlines()[1].split()[0])
