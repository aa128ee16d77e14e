"""Compile C with gcc and run the result: the one place fxsim invokes a compiler.

Builds are cached by a hash of the sources, flags and compiler, so a test session or a repeated
``fxsim verify`` compiles each variant once.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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


def compile_host(sources, name="prog", opt="-O2", extra_flags=(), include_dirs=(), cc=None) -> Path:
    """Compile C sources (paths) to an executable with the strict flags; returns its path.
    The runtime directory c_ref/ is always on the include path."""
    cc = cc or os.environ.get("CC", "gcc")
    if shutil.which(cc) is None:
        raise BuildError(f"C compiler {cc!r} not found; install gcc or set CC")
    incs = [str(c_ref_dir()), *map(str, include_dirs)]
    flags = [*STRICT, opt, *extra_flags]
    h = hashlib.sha256()
    h.update(repr((cc, flags, incs)).encode())
    for s in sources:
        h.update(Path(s).read_bytes())
    for inc in incs:                                   # headers may change under the same sources
        for p in sorted(Path(inc).rglob("*.h")):
            h.update(p.name.encode() + p.read_bytes())
    exe = cache_dir() / f"{name}-{h.hexdigest()[:16]}"
    if exe.exists():
        return exe
    cmd = [cc, *flags, *(f"-I{i}" for i in incs), *map(str, sources), "-o", str(exe) + ".tmp", "-lm"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise BuildError(f"gcc failed ({' '.join(cmd)}):\n{res.stderr.strip()}")
    os.replace(str(exe) + ".tmp", exe)
    return exe


def run(exe, args=(), stdin: bytes = b"", timeout: float = 120) -> bytes:
    """Run a compiled program; returns its stdout. A non-zero exit raises BuildError."""
    res = subprocess.run([str(exe), *map(str, args)], input=stdin, capture_output=True,
                         timeout=timeout)
    if res.returncode != 0:
        msg = (res.stderr or res.stdout).decode(errors="replace").strip()[:2000]
        raise BuildError(f"{Path(exe).name} exited with {res.returncode}: {msg}")
    return res.stdout
