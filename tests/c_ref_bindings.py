"""How each stage kind's reference C (c_ref/kernels) is driven from the tests: the driver in
tests/c and the arguments (init parameters in the header's order, then the block length) and
stdin prefix (tables) it takes. Every driver reads int32 samples on stdin, writes int32 outputs
on stdout and "saturations N" on stderr. The conformance test checks model == c_ref for every
registered kind through this table: a new kernel binds its reference C here."""
from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np

from fxsim.codegen import build
from fxsim.primitives import OVERFLOW_NAMES, ROUNDING_NAMES

ROOT = Path(__file__).resolve().parent.parent


def _modes(st):
    return ROUNDING_NAMES.index(st.rounding_name), OVERFLOW_NAMES.index(st.overflow_name)


def skeleton_args(st):
    """skeleton_driver: gain or preemph/deemph, init parameters in order (no block)."""
    r, o = _modes(st)
    if st.kernel == "gain":
        return ["gain", st.g_int, st.shift, st.out_fmt.word_bits, r, o]
    return [st.kernel, st.c_signed, int(st.recursive), int(st.feedback), st.x_align, st.c_shift,
            st.out_fmt.word_bits, r, o]


def fir_args(st):
    """fir_ref_driver: rows q step shift out_bits acc_bits rounding overflow exact pshift (no
    block);
    for an overlap-save fir, fir_ols_driver: n taps word const_exp out_bits rounding overflow."""
    r, o = _modes(st)
    if getattr(st, "ols", None):
        ols = st.ols
        return [ols.n, ols.t, ols.word, ols.const_exp, st.out_fmt.word_bits, r, o]
    return [st.rows, st.q, st.c_context()["step"], st.shift, st.out_fmt.word_bits, st.acc_bits,
            r, o, int(st.exact), st.product_shift]


def biquad_args(st):
    """biquad_driver: nsec, per section 7 constants, ps, shift, bits; rounding overflow."""
    args = [len(st.sections)]
    for pos, sec in enumerate(st.sections):
        args += [*sec.constants(), sec.ps, sec.shift, int(st.out_bits[pos])]
    r, o = _modes(st)
    return args + [r, o]


def fft_args(st):
    """fft_driver: n inverse mode word in_complex in_exp rounding overflow (no block)."""
    r, o = _modes(st)
    return [st.n, int(st.inverse), st.mode, st.word, int(st.in_port.complex), int(st.in_exp), r, o]


def rfft_args(st):
    """rfft_driver: n inverse mode word in_exp rounding overflow (no block)."""
    r, o = _modes(st)
    return [st.n, int(st.inverse), st.mode, st.word, int(st.in_exp), r, o]


def stft_args(st):
    """stft_driver: n hop inverse mode word static_exp out_frac out_bits in_exp rounding
    overflow (no block)."""
    r, o = _modes(st)
    inv = st.kernel == "istft"
    return [st.n, st.hop, int(inv), st.mode, st.word, st.static_exp + st.ws_exp if inv else 0,
            st.out_fmt.frac_bits, st.out_fmt.word_bits, int(inv and st.in_exp), r, o]


def stft_prefix(st, x):
    """Twiddles and the window, then (an input with block exponents) the exponents."""
    inv = st.kernel == "istft"
    head = st.tw.astype(np.int32).tobytes() + (st.ws if inv else st.wa).astype(np.int32).tobytes()
    if inv and st.in_exp:
        exp = np.asarray(x.exp, dtype=np.int32)
        head += np.int32(exp.size).tobytes() + exp.tobytes()
    return head


def fft_prefix(st, x):
    """The twiddle table, then (an input with block exponents) the count and the exponents."""
    head = st.tw.astype(np.int32).tobytes()
    if st.in_exp:
        exp = np.asarray(x.exp, dtype=np.int32)
        head += np.int32(exp.size).tobytes() + exp.tobytes()
    return head


SKELETON = ("tests/c/skeleton_driver.c", "c_ref/kernels/gain.c", "c_ref/kernels/emphasis.c")
FIR = ("tests/c/fir_ref_driver.c", "c_ref/kernels/fir.c")
BIQUAD = ("tests/c/biquad_driver.c", "c_ref/kernels/biquad.c")
FFT = ("tests/c/fft_driver.c", "c_ref/kernels/fft.c")
FIR_OLS = ("tests/c/fir_ols_driver.c", "c_ref/kernels/fir_ols.c", "c_ref/kernels/rfft.c",
           "c_ref/kernels/fft.c")
RFFT = ("tests/c/rfft_driver.c", "c_ref/kernels/rfft.c", "c_ref/kernels/fft.c")
STFT = ("tests/c/stft_driver.c", "c_ref/kernels/stft.c", "c_ref/kernels/rfft.c",
        "c_ref/kernels/fft.c")
CHANNEL = ("tests/c/channel_driver.c", "c_ref/kernels/channel.c", "c_ref/kernels/rfft.c",
           "c_ref/kernels/fft.c", "c_ref/fxsim_math.c")


def channel_args(st):
    """channel_driver: suppress out_frac out_bits rounding (no block)."""
    r, _ = _modes(st)
    return [int(st.suppress), st.out_fmt.frac_bits, st.out_fmt.word_bits, r]


def channel_prefix(st):
    """The 128-point Q31 twiddles, then the window's rising edge (Q24)."""
    from fxsim.kernels import channel_fixed as F
    return (F.twiddles(128, F.WORD - 1).astype(np.int32).tobytes() +
            F.window_edge().astype(np.int32).tobytes())


#: kinds whose stdin prefix needs the input chunk (its block exponents), not only the stage
TAKES_CHUNK = ("fft", "ifft", "rfft", "irfft", "stft", "istft")

#: kernel -> (driver sources, argv builder, stdin prefix builder)
BINDINGS = {
    "gain": (SKELETON, skeleton_args, None),
    "preemph": (SKELETON, skeleton_args, None),
    "deemph": (SKELETON, skeleton_args, None),
    "fir": (FIR, fir_args, lambda st: st.table.astype(np.int32).tobytes()),
    "decimate": (FIR, fir_args, lambda st: st.table.astype(np.int32).tobytes()),
    "interpolate": (FIR, fir_args, lambda st: st.table.astype(np.int32).tobytes()),
    "biquad": (BIQUAD, biquad_args, None),
    "fft": (FFT, fft_args, fft_prefix),
    "ifft": (FFT, fft_args, fft_prefix),
    "rfft": (RFFT, rfft_args, fft_prefix),
    "irfft": (RFFT, rfft_args, fft_prefix),
    "stft": (STFT, stft_args, stft_prefix),
    "istft": (STFT, stft_args, stft_prefix),
    "vad": (CHANNEL, channel_args, channel_prefix),
    "ns": (CHANNEL, channel_args, channel_prefix),
}


@functools.lru_cache(maxsize=None)
def driver(sources: tuple, opt: str = "-O2", flags: tuple = ()) -> Path:
    name = Path(sources[0]).stem
    return build.compile_host([ROOT / s for s in sources], name, opt, flags)


def run_c_ref(st, x, block: int = 97, opt: str = "-O2", flags: tuple = ()):
    """The kind's reference C on x (words of its input port, or a Chunk) in calls of ``block``
    samples (0: calls of 1, 2, ... 17 where the driver supports it); returns (outputs as int64,
    saturation count, block exponents or None)."""
    sources, args, prefix = BINDINGS[st.kernel]
    if getattr(st, "ols", None):             # fir by overlap-save: its own reference C
        sources, prefix = FIR_OLS, lambda s: (s.ols.tw.astype(np.int32).tobytes() +
                                              s.ols.hq.astype(np.int32).tobytes())
    data = x.data if hasattr(x, "data") else x
    head = prefix(st, x) if prefix is not None and st.kernel in TAKES_CHUNK else \
        (prefix(st) if prefix else b"")
    stdin = head + np.asarray(data).astype(np.int32).tobytes()
    res = subprocess.run([str(driver(sources, opt, tuple(flags))), *map(str, args(st)),
                          str(block)], input=stdin, capture_output=True, timeout=300)
    if res.returncode != 0:
        raise build.BuildError(f"{sources[0]} exited with {res.returncode}: {res.stderr[:500]!r}")
    lines = res.stderr.decode().splitlines()
    sats = [int(ln.split()[1]) for ln in lines if ln.startswith("saturations")]
    exps = [int(ln.split()[1]) for ln in lines if ln.startswith("exp ")]
    return (np.frombuffer(res.stdout, dtype=np.int32).astype(np.int64),
            sats[-1] if sats else None,
            np.array(exps, dtype=np.int64) if st.out_port.block_exp else None)
