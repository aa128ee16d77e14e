"""Compiling the model's kernels ahead of their first use.

The fixed-point model is compiled by numba on first call and cached on disk (``cache=True``), so
the first command after an install (or an upgrade) that runs the model spends a while compiling.
``first_run_notice`` says so, once per installation, and compiles the kernels of the common
designs (``COMMON``) in one go; a stamp file in ``$XDG_CACHE_HOME/fxsim/`` (``~/.cache/fxsim/``)
keyed by fxsim's version, numba's version, the Python version and the package's location records
that it was done, so a new install or an upgrade warms again. ``python -m fxsim.warmup`` (for an
installer) warms unconditionally, and more kernels (``DESIGNS``: ``COMMON`` and ``MORE``).
``FXSIM_NO_WARMUP=1`` turns the notice off.
See docs/caches.md.

This module imports nothing heavy until it has to warm: the check is one ``stat``.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

MESSAGE = ("fxsim: first run: compiling the common fixed-point kernels with numba (once; later "
           "runs use the cache; the FFTs and the noise suppressor compile on their first use, "
           "up to two minutes when cold; `python -m fxsim.warmup` compiles them all ahead)")

#: the kernels the first run does not warm (MORE's): a design with one of them is told that it
#: compiles next, so that the wait after "compiled in" is not a silent one
LATER = ("fft", "ifft", "rfft", "irfft", "stft", "istft", "vad", "ns")

#: the designs the first run warms: their model runs compile the kernels' entry points for the
#: data words the common designs use: emphasis (preemph, gain, deemph), the direct FIR on Q15 and
#: on Q31 words (also the polyphase decimate and interpolate), the FIR with 16-bit coefficients
#: (split multiplies) and the biquad cascade: seconds when cold (docs/caches.md)
COMMON = [
    {"name": "warm_emphasis", "stage": [
        {"kernel": "preemph", "coef": 0.8, "data": "Q1.14"},
        {"kernel": "gain", "gain": 0.5, "data": "Q1.14"},
        {"kernel": "deemph", "coef": 0.8, "data": "Q15"}]},
    {"name": "warm_fir_q15", "stage": [
        {"kernel": "fir", "design": {"method": "firwin", "numtaps": 16, "cutoff": 0.25},
         "data": "Q1.14"}]},
    {"name": "warm_fir_q31", "defaults": {"data": "Q31"}, "stage": [
        {"kernel": "fir", "design": {"method": "firwin", "numtaps": 16, "cutoff": 0.25},
         "data": "Q1.30"}]},
    {"name": "warm_fir_c16", "stage": [
        {"kernel": "fir", "design": {"method": "firwin", "numtaps": 16, "cutoff": 0.25},
         "coef": 16, "acc_bits": 40, "data": "Q1.14"}]},
    {"name": "warm_biquad", "stage": [
        {"kernel": "biquad", "design": {"method": "butter", "order": 4, "wn": 0.25,
                                        "btype": "low"}, "data": "Q1.14"}]},
]
#: warmed too by ``python -m fxsim.warmup`` (an installer can afford them; the first run of a
#: command does not wait for them): the complex FFT, the real FFT, its inverse and overlap-add
#: (rfft, irfft, stft, istft) and the channel-energy noise suppressor (vad, ns), 10 s to a minute
#: each when cold
MORE = [
    {"name": "warm_fft", "block": 64, "input": "complex", "stage": [
        {"kernel": "fft", "n": 64, "scaling": "bfp"}]},
    {"name": "warm_stft", "stage": [
        {"kernel": "stft", "n": 64}, {"kernel": "istft", "n": 64}]},
    {"name": "warm_ns", "sample_rate": 8000, "stage": [{"kernel": "ns"}]},
]
#: every design ``python -m fxsim.warmup`` runs
DESIGNS = COMMON + MORE


def cache_home() -> Path:
    """``$XDG_CACHE_HOME/fxsim`` (``~/.cache/fxsim``): the stamp's directory (and the build
    cache's parent unless ``FXSIM_BUILD_CACHE`` says otherwise)."""
    from .codegen.build import user_cache_home
    return user_cache_home() / "fxsim"


def stamp_key() -> dict:
    """What a warm numba cache is valid for: this fxsim, this numba, this Python, this place."""
    import fxsim
    numba = sys.modules.get("numba")
    if numba is not None:
        numba_version = numba.__version__
    else:
        from importlib.metadata import PackageNotFoundError, version
        try:
            numba_version = version("numba")
        except PackageNotFoundError:
            numba_version = "?"
    return {"fxsim": fxsim.__version__, "numba": numba_version,
            "python": "%d.%d" % sys.version_info[:2],
            "path": str(Path(fxsim.__file__).resolve().parent)}


def stamp_path(key: dict | None = None) -> Path:
    """The stamp file of ``key`` (default: this installation's)."""
    key = stamp_key() if key is None else key
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_home() / f"warmup-{digest}.json"


def write_stamp(path: Path, key: dict, seconds: float) -> None:
    """Write the stamp atomically (a unique temporary file renamed into place): parallel first
    runs each write a whole stamp, and the last rename wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({**key, "seconds": round(seconds, 2), "written": time.time()}, f)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def warm_all(echo=None, designs=None) -> dict:
    """Run the model of every design of ``designs`` (default ``DESIGNS``: all) on a short signal
    through the quantization report (the model and the float reference), which compiles their
    kernels or loads them from numba's cache. Returns seconds per design; ``echo`` (a callable
    taking a str), when given, is told each design's time."""
    import numpy as np

    from .analysis.report import quantize_report
    from .design import from_dict
    from .signals import signal_length

    rng = np.random.default_rng(1)
    times = {}
    for doc in DESIGNS if designs is None else designs:
        t = time.perf_counter()
        des = from_dict(doc)
        n = signal_length(des, 1024)
        x = np.clip(0.25 * rng.standard_normal(n), -1.0, 0.999)
        if des.in_port.complex:
            x = x + 1j * np.clip(0.25 * rng.standard_normal(n), -1.0, 0.999)
        quantize_report(des, x)
        times[doc["name"]] = time.perf_counter() - t
        if echo is not None:
            echo(f"fxsim: warm-up: {doc['name']}: {times[doc['name']]:.1f} s")
    return times


def first_run_notice(echo, design=None) -> bool:
    """On the first run of this fxsim installation (no stamp for its key), tell ``echo`` (a
    callable taking a str, e.g. one writing to stderr) that the kernels are being compiled,
    compile those of the common designs (``warm_all(designs=COMMON)``), tell how long it took and
    write the stamp; when ``design`` (the command's) has a kernel of ``LATER``, say that it
    compiles next (overlap-save FIRs included: their FFTs). Later runs: nothing
    (one ``stat``). Returns whether it warmed. Never fails the command it precedes: when the
    stamp's directory cannot be written it does nothing (the command then compiles what it
    needs, silently, as without it), and when warming fails it says so and goes on."""
    if os.environ.get("FXSIM_NO_WARMUP", "") not in ("", "0"):
        return False
    key = stamp_key()
    stamp = stamp_path(key)
    if stamp.exists():
        return False
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(stamp.parent, os.W_OK):
            return False
    except OSError:
        return False
    echo(MESSAGE)
    t = time.perf_counter()
    try:
        warm_all(designs=COMMON)
    except Exception as e:                       # noqa: BLE001 (the command itself will report)
        echo(f"fxsim: the warm-up stopped ({type(e).__name__}: {e}); going on")
        return True
    seconds = time.perf_counter() - t
    echo(f"fxsim: compiled in {seconds:.1f} s")
    later = [] if design is None else sorted(
        {f"{st.kernel} (overlap-save)" if getattr(st, "ols", None) else st.kernel
         for st in design.stages if st.kernel in LATER or getattr(st, "ols", None)})
    if later:
        echo(f"fxsim: this design's {', '.join(later)} compile(s) now, on first use (up to two "
             f"minutes when cold)")
    try:
        write_stamp(stamp, key, seconds)
    except OSError:
        pass
    return True


def main() -> int:
    """``python -m fxsim.warmup``: warm unconditionally, print the time per design and in all,
    and write this installation's stamp (so the first command is silent)."""
    def echo(s):
        print(s, file=sys.stderr, flush=True)
    t = time.perf_counter()
    warm_all(echo)
    seconds = time.perf_counter() - t
    echo(f"fxsim: warm-up: {seconds:.1f} s in all")
    key = stamp_key()
    write_stamp(stamp_path(key), key, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
