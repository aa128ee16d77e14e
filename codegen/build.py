"""Compile C and run it: the one build path of fxsim, for every target.

``build_design`` renders a design, its runtime C and a main program (the harness, or the timing
main of the benchmarks) into a directory of the build cache and compiles it for a target; builds
are keyed by a hash of the sources, flags and target, so a test session or a repeated
``fxsim verify`` compiles each variant once. Parallel-safe: every build happens in a fresh
temporary directory that is renamed into place when complete (a concurrent identical build just
finds it there), and no file name is shared between runs.

The cache (``cache_dir``: ``$FXSIM_BUILD_CACHE``, else ``$XDG_CACHE_HOME/fxsim/build``) is bounded
(``FXSIM_BUILD_CACHE_MB``, default 512): after each insert ``trim`` evicts the least recently used
entries (by mtime; a hit or a run touches its entry) until the cache fits, but never an entry used
in the last ``KEEP_RECENT_S`` seconds, which another process may be about to run. An entry is
evicted by renaming it to a unique ``.trash-`` name first and then deleting that, so no process
ever sees half an entry; ``.``-names (other processes' builds in progress, trash) are swept only
when an hour old. See docs/caches.md.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from fxsim.errors import FxsimError
from fxsim.resources import c_ref_dir

if TYPE_CHECKING:                                    # importing the model is slow: not needed here
    from fxsim.design import Design

STRICT = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic")
SANITIZE = ("-fsanitize=undefined,address", "-fno-sanitize-recover=all")


class BuildError(FxsimError):
    """The C compiler or the compiled program failed."""


#: the bound on the build cache's size when FXSIM_BUILD_CACHE_MB is not set, in MB (2^20 bytes)
DEFAULT_CACHE_MB = 512
#: an entry used (inserted, found or run) less than this many seconds ago is never evicted
KEEP_RECENT_S = 15 * 60
#: a ``.``-name in the cache (a build in progress, a temporary file, trash) is swept when older
STALE_TEMP_S = 60 * 60


def user_cache_home() -> Path:
    """``$XDG_CACHE_HOME`` (an absolute path; a relative one is ignored, as the XDG base directory
    specification says), else ``~/.cache``: the build cache's and fxsim.warmup's stamp's parent."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"


def cache_dir() -> Path:
    """The build cache: ``$FXSIM_BUILD_CACHE``, else ``$XDG_CACHE_HOME/fxsim/build`` (created)."""
    env = os.environ.get("FXSIM_BUILD_CACHE")
    d = Path(env) if env else user_cache_home() / "fxsim" / "build"
    d.mkdir(parents=True, exist_ok=True)
    return d


def cache_limit_bytes() -> int:
    """The cache's bound: ``FXSIM_BUILD_CACHE_MB`` megabytes (a number >= 0), default 512."""
    raw = os.environ.get("FXSIM_BUILD_CACHE_MB", "").strip()
    if not raw:
        return DEFAULT_CACHE_MB << 20
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if not mb >= 0 or mb == float("inf"):
        raise FxsimError(f"FXSIM_BUILD_CACHE_MB = {raw!r}: expected a size in megabytes, a number "
                         f">= 0 (default {DEFAULT_CACHE_MB})")
    return int(mb * (1 << 20))


def touch(entry: Path) -> bool:
    """Mark a cache entry (a build directory or a cached file) as just used, so that ``trim``
    keeps it; False when it is not there (never built, or evicted)."""
    try:
        os.utime(entry)
        return True
    except FileNotFoundError:
        return False
    except OSError:                                  # not ours to touch (a shared, read-only cache)
        return os.path.exists(entry)


def _entry_of(path: Path) -> Path | None:
    """The cache entry that ``path`` (a program or object of a build) lies in, if it is in the
    cache."""
    try:
        rel = Path(path).resolve().relative_to(cache_dir().resolve())
    except (ValueError, OSError):
        return None
    return cache_dir() / rel.parts[0] if rel.parts else None


def _size(path: Path) -> int:
    """Bytes of the files under ``path`` (or of the file ``path``); what vanishes meanwhile
    counts 0."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return 0
    if not path.is_dir() or path.is_symlink():
        return st.st_size
    total = 0
    for root, dirs, files in os.walk(path, onerror=lambda e: None):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _evict(entry: Path, seen_mtime: float) -> str:
    """Remove one entry whose mtime was ``seen_mtime``: rename it to a unique trash name (atomic:
    other processes then find either the whole entry or none of it), then delete the trash. If it
    was touched meanwhile (a process found it between our look and the rename), put it back.
    Returns "evicted", "gone" (another process removed it) or "used" (kept)."""
    try:
        if entry.stat().st_mtime > seen_mtime:
            return "used"
        trash = entry.with_name(f".trash-{os.getpid()}-{uuid.uuid4().hex}")
        os.rename(entry, trash)
    except OSError:
        return "gone"
    try:
        touched = trash.stat().st_mtime > seen_mtime
    except OSError:
        touched = False
    if touched:
        try:
            os.rename(trash, entry)                  # back: someone is about to use it
            return "used"
        except OSError:                              # rebuilt meanwhile: the new one stays
            pass
    _remove(trash)
    return "evicted"


def trim(limit: int | None = None, now: float | None = None) -> list[str]:
    """Bound the cache: sweep ``.``-names older than ``STALE_TEMP_S`` (crashed builds, trash),
    then evict entries least recently used first until the entries total at most ``limit`` bytes
    (default ``cache_limit_bytes()``), skipping entries used in the last ``KEEP_RECENT_S``
    seconds. Safe with other processes using the cache; when another process is trimming, this
    one returns at once. Returns the names evicted."""
    d = cache_dir()
    limit = cache_limit_bytes() if limit is None else limit
    now = time.time() if now is None else now
    evicted = []
    with _trim_lock(d) as locked:
        if not locked:
            return evicted
        entries = []
        for p in d.iterdir():
            try:
                st = p.lstat()
            except FileNotFoundError:
                continue
            if p.name.startswith("."):
                if now - max(st.st_mtime, st.st_ctime) > STALE_TEMP_S:
                    _remove(p)
                continue
            entries.append((st.st_mtime, p))
        sizes = {p: _size(p) for _, p in entries}
        total = sum(sizes.values())
        for mtime, p in sorted(entries, key=lambda e: (e[0], e[1].name)):
            if total <= limit:
                break
            if now - mtime < KEEP_RECENT_S:
                break                                # this and every later one: in use
            status = _evict(p, mtime)
            if status == "evicted":
                evicted.append(p.name)
            if status != "used":
                total -= sizes[p]
    return evicted


@contextlib.contextmanager
def _trim_lock(d: Path):
    """An exclusive, non-blocking flock on the cache directory itself (no lock file to leave
    behind): yields False when another process holds it (it is trimming: nothing to wait for).
    Where there is no flock, trims may overlap, which is still safe, only wasteful."""
    try:
        import fcntl
        fd = os.open(d, os.O_RDONLY)
    except (ImportError, OSError):
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            got = True
        except BlockingIOError:
            got = False
        except OSError:                              # no locks here (some network file systems)
            got = True
        yield got
    finally:
        os.close(fd)


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
    """Run a compiled host program; returns its stdout. A non-zero exit raises BuildError. A
    program of the build cache has its entry touched first (it is in use: ``trim`` keeps it)."""
    entry = _entry_of(exe)
    if entry is not None:
        touch(entry)
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
    if touch(final) and program.exists():
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
    touch(final)
    trim()
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
        touch(b.program.parent)                      # in use: trim keeps it (run() does, here)
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
