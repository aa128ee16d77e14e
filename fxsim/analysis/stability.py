"""IIR (second-order-section) analysis: poles and stability, norms of partial cascades, noise
gains on a frequency grid, and the zero-input limit-cycle probe of a fixed-point stage.

All functions work on float64 ``sos`` arrays of shape (n, 6) with a0 = 1 (rows [b0 b1 b2 1 a1 a2]),
except ``quantized_stable`` (integer a1, a2 with a fraction-bit count) and ``limit_cycle`` (a Stage).
"""
from __future__ import annotations

import math

import numpy as np

from ..kernels.base import sosfilt

#: frequency grid (0 .. pi) the noise and response estimates use
GRID = 1024


def section_pole_radius(a1: float, a2: float) -> float:
    """Largest pole magnitude of 1 + a1 z^-1 + a2 z^-2."""
    return float(np.max(np.abs(np.roots([1.0, a1, a2])))) if (a1 or a2) else 0.0


def quantized_stable(a1_int: int, a2_int: int, frac_bits: int) -> bool:
    """The triangle test on quantized integers, exactly (no float): |a2| < 1, |a1| < 1 + a2."""
    one = 1 << frac_bits
    return abs(a2_int) < one and abs(a1_int) < one + a2_int


def impulse_length(sos: np.ndarray, tol: float = 1e-12, cap: int = 1 << 16) -> int:
    """Samples until the slowest pole has decayed below ``tol`` (for L1 norms)."""
    r = max([section_pole_radius(s[4], s[5]) for s in sos] + [0.0])
    if r <= 0.0:
        return 64
    n = math.ceil(math.log(tol) / math.log(r)) if r < 1.0 else cap
    return int(min(cap, max(64, n)))


def impulse_response(sos: np.ndarray, n: int) -> np.ndarray:
    x = np.zeros(n)
    x[0] = 1.0
    return sosfilt(sos, x) if len(sos) else x


def l1_norm(sos: np.ndarray, n: int | None = None) -> float:
    """sum |h[n]|: the largest output magnitude for any input bounded by 1."""
    return float(np.abs(impulse_response(sos, n or impulse_length(sos))).sum())


def grid() -> np.ndarray:
    return np.linspace(0.0, np.pi, GRID, endpoint=False) + np.pi / (2 * GRID)


def section_responses(sos: np.ndarray):
    """Per section: (H_k, A_k) on the grid, H_k = B_k / A_k."""
    w = grid()
    z1 = np.exp(-1j * w)
    out = []
    for s in sos:
        b = s[0] + s[1] * z1 + s[2] * z1 * z1
        a = 1.0 + s[4] * z1 + s[5] * z1 * z1
        out.append((b / a, a))
    return out


def power_gain(resp: np.ndarray) -> float:
    """sum h^2 of the filter with frequency response ``resp`` on the grid (Parseval)."""
    return float(np.mean(np.abs(resp) ** 2))


def coef_error_snr(sos_exact: np.ndarray, sos_quant: np.ndarray) -> float:
    """10 log10(|H|^2 / |H_q - H|^2) over the grid: the response error that quantizing the
    coefficients costs, for a white input."""
    h = np.prod([r for r, _ in section_responses(sos_exact)], axis=0)
    hq = np.prod([r for r, _ in section_responses(sos_quant)], axis=0)
    pe = float(np.sum(np.abs(hq - h) ** 2))
    ps = float(np.sum(np.abs(h) ** 2))
    return 300.0 if pe == 0.0 else 10.0 * math.log10(ps / pe)


def limit_cycle(stage, excitation: int = 2048, seed: int = 7) -> dict:
    """Run the stage's fixed-point model on -10 dBFS noise, then on silence long enough for the
    slowest pole of the design to decay far below one LSB. A non-zero output at the end of the
    silence (in a last window that does not decay) is a zero-input limit cycle. Returns
    ``{"limit_cycle": bool, "limit_cycle_lsb": peak amplitude in output LSBs}``."""
    fmt = stage.in_fmt
    rng = np.random.default_rng(seed)
    burst = np.clip(rng.standard_normal(excitation) * 10 ** (-10 / 20), -1.0, 1.0 - fmt.lsb)
    from ..qformat import quantize
    x_burst = quantize(burst, fmt, "nearest", "saturate").astype(np.int64)
    decay = impulse_length(stage.sos_plan, tol=2.0 ** -64, cap=1 << 18)
    window = 4096
    x = np.concatenate([x_burst, np.zeros(decay + 2 * window, dtype=np.int64)])
    y, _ = stage.process(x, stage.init_state())
    tail = np.abs(y[-2 * window:])
    peak_first, peak_last = int(tail[:window].max()), int(tail[window:].max())
    cycling = peak_last > 0 and peak_last >= peak_first
    return {"limit_cycle": bool(cycling), "limit_cycle_lsb": peak_last if cycling else 0}
