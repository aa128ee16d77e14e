"""Compile C and run it: the one build path of fxsim, for every target.

``build_design`` renders a design, its runtime C and a main program (the harness, or the timing
main of the benchmarks) into a directory of the build cache and compiles it for a target; builds
are keyed by a hash of the sources, flags and target, so a test session or a repeated
``fxsim verify`` compiles each variant once. Parallel-safe: every build happens in a fresh
temporary directory that is renamed into place when complete (a concurrent identical build just
finds it there), and no file name is shared between runs.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

from fxsim.design import Design
from fxsim.errors import FxsimError
from fxsim.resources import c_ref_dir

STRICT = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")
SANITIZE = ("-fsanitize=undefined,address", "-fno-sanitize-recover=all")


class BuildError(FxsimError):
    """The C compiler or the compiled program failed."""


def cache_dir() -> Path:
    d = Path(os.environ.get("FXSIM_BUILD_CACHE", Path(tempfile.gettempdir()) / "fxsim-build"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
    return h.hexdigest()[:16]


def _publish(tmp: Path, final: Path) -> Path:
    """Move a finished build directory into place; if a concurrent build got there first, keep
    theirs (identical by construction) and drop ours."""
    try:
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not final.exists():
            raise
    return final


def compile_host(sources, name="prog", opt="-O2", extra_flags=(), include_dirs=()) -> Path:
    """Compile C source files (paths) for the host with the strict flags; returns the executable.
    c_ref/ and the sources' own directories are on the include path (``build_program``)."""
    files = {Path(s).name: Path(s).read_text() for s in sources}
    dirs = [*include_dirs, *sorted({str(Path(s).resolve().parent) for s in sources})]
    return build_program(files, list(files), "host", opt, extra_flags, name,
                         include_dirs=dirs).program


def run(exe, args=(), stdin: bytes = b"", timeout: float = 300, cwd=None) -> bytes:
    """Run a compiled host program; returns its stdout. A non-zero exit raises BuildError."""
    res = subprocess.run([str(exe), *map(str, args)], input=stdin, capture_output=True,
                         timeout=timeout, cwd=cwd)
    if res.returncode != 0:
        msg = (res.stderr or res.stdout).decode(errors="replace").strip()[:2000]
        raise BuildError(f"{Path(exe).name} exited with {res.returncode}: {msg}")
    return res.stdout


class Build(NamedTuple):
    """A compiled design: the program (host executable or target ELF), the design's own object
    file (for code and table sizes) and the target it runs on."""
    target: str
    program: Path
    obj: Path


def build_program(files: dict, sources: list, target: str = "host", opt: str = "-O2",
                  flags=(), tag: str = "prog", include_dirs=(), obj: str | None = None) -> Build:
    """The one build path: write ``files`` (name -> text) into a fresh build directory, compile
    ``sources`` (names among them) for ``target`` with the strict flags (c_ref/ and
    ``include_dirs`` on the include path) and link them; cached by content, parallel-safe.
    ``obj`` names the source whose object file the Build reports (for sizes)."""
    from . import targets
    tgt = targets.get(target)
    incs = [str(c_ref_dir()), *map(str, include_dirs)]
    headers = [(str(p), p.read_bytes()) for inc in incs for p in sorted(Path(inc).rglob("*.h"))]
    key = _digest(sorted(files.items()), sources, tgt.name, opt, list(flags), incs, headers,
                  os.environ.get("CC", "gcc"))
    final = cache_dir() / f"{tag}-{tgt.name}-{key}"
    program = final / tgt.program_name
    obj_name = (Path(obj).stem if obj else Path(sources[0]).stem) + ".o"
    if program.exists():
        return Build(tgt.name, program, final / obj_name)
    tmp = Path(tempfile.mkdtemp(dir=cache_dir(), prefix=f".{tag}-"))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text)
        link = tgt.module().compile_and_link if tgt.emulated else _host_compile_and_link
        link(tmp, sources, opt, list(flags), tmp / program.name, incs)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    final = _publish(tmp, final)
    return Build(tgt.name, final / program.name, final / obj_name)


def run_program(b: Build, args=(), cwd=None, count: bool = False,
                timeout: float | None = None) -> tuple[str, int | None]:
    """Run a built program on its target: here, or under QEMU for an emulated target. Returns
    (what it printed, instructions executed or None); ``count`` counts every executed
    instruction of an emulated run (the host's are counted by callgrind, codegen/measure.py).
    A non-zero exit raises BuildError; ``timeout`` (seconds) defaults to the runner's own."""
    from . import targets
    tgt = targets.get(b.target)
    limit = {} if timeout is None else {"timeout": timeout}
    if tgt.emulated:
        return tgt.module().run_qemu(b.program, list(args), cwd=cwd, count=count, **limit)
    return run(b.program, args, cwd=cwd, **limit).decode(), None


def build_design(design: Design, target: str = "host", unroll: int = 4, opt: str = "-O2",
                 extra_flags=(), main: str = "harness", tap: bool = True) -> Build:
    """Render ``design`` for ``target`` with a main program (``"harness"``: the test harness,
    ``"bench"``: the host timing main) and compile it. ``tap`` builds the harness with every
    stage's output visible (-DFXSIM_TAP); instruction counts are taken without it."""
    from . import render, targets
    tgt = targets.get(target)
    files = {**render.render(design, tgt.name, unroll), **render.runtime(design)}
    if main == "harness":
        files["main.c"] = render.render_harness(design, tgt.name)
    else:
        files["main.c"] = render.environment().get_template(f"{main}.c.j2").render(
            render.design_context(design, tgt.name, unroll))
    flags = [*extra_flags, *(["-DFXSIM_TAP"] if tap else [])]
    sources = [f"{design.name}.c", *render.runtime_sources(design), "main.c"]
    return build_program(files, sources, tgt.name, opt, flags, f"{design.name}-{main}",
                         obj=f"{design.name}.c")


def _host_compile_and_link(d: Path, sources, opt, flags, out: Path, incs):
    cc = os.environ.get("CC", "gcc")
    if shutil.which(cc) is None:
        raise BuildError(f"C compiler {cc!r} not found; Debian: apt-get install gcc libc6-dev "
                         f"(or set CC)")
    objs = []
    for src in sources:
        obj = d / (Path(src).stem + ".o")
        cmd = [cc, *STRICT, opt, *flags, f"-I{d}", *(f"-I{i}" for i in incs), "-c",
               str(d / src), "-o", str(obj)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise BuildError(f"gcc failed on {src}:\n{res.stderr.strip()}")
        objs.append(str(obj))
    san = [f for f in flags if f.startswith("-fsanitize") or f.startswith("-fno-sanitize")]
    res = subprocess.run([cc, opt, *san, *objs, "-o", str(out), "-lm"], capture_output=True,
                         text=True)
    if res.returncode != 0:
        raise BuildError(f"linking failed:\n{res.stderr.strip()}")


def section_sizes(obj: Path, target: str) -> dict:
    """Code and constant-table bytes of an object file: the .text* and .rodata* sections (and
    RISC-V's small constants, .srodata*), by the target's ``size``."""
    from . import targets
    tool = targets.get(target).size_tool
    if shutil.which(tool) is None:
        return {}
    res = subprocess.run([tool, "-A", str(obj)], capture_output=True, text=True, check=True)
    text = table = 0
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            if parts[0].startswith(".text"):
                text += int(parts[1])
            elif parts[0].startswith((".rodata", ".srodata")):
                table += int(parts[1])
    return {"text_bytes": text, "table_bytes": table}
