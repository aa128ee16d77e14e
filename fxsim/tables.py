"""Tables and constants of fxsim.fxmath, built here once for the Python model and the C header.

``python -m fxsim.tables`` writes ``c_ref/fxsim_tables.h``; a test checks that regenerating it
gives the committed file byte for byte, so the model and the C twin use the same integers.

Every number is computed with ``decimal`` at 60 digits (correctly rounded ln / exp / sqrt), never
with libm or LAPACK, so the tables are the same on every machine.

Piecewise cubic tables (``LOG2_POLY`` for log2(1 + f), ``POW2_POLY`` for 2**f, f in [0, 1)):
[0, 1) is cut into ``SEGMENTS`` = 2**SEG_BITS equal segments. On segment i, with centre
c_i = (i + 1/2) / SEGMENTS and local variable u = (f - c_i) * SEGMENTS in [-1/2, 1/2), the function
is the cubic a0 + a1 u + a2 u**2 + a3 u**3 that interpolates it at the four Chebyshev nodes
u = cos((2j + 1) pi / 8) / 2 (near-minimax). Row i holds a0, a1, a2, a3 rounded to nearest in
Q40 (int64). Approximation error: log2 < 2**-32, 2**f < 2**-36 (measured by ``max_poly_error``).

Constants (``CONSTANTS``), each a positive int64 K with its fraction bits chosen so that
2**40 <= K < 2**41.7, the range the wide multiply in fxmath accepts.

fxmath passes the tables to its numba kernels as arguments, but its compiled cache freezes the
constants and SEG_BITS / COEF_FRAC: after changing them, regenerate the header and delete
fxsim/__pycache__/fxmath*.nb[ci] (numba only watches fxmath.py itself).
"""
from __future__ import annotations

import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import numpy as np

SEG_BITS = 6                     # 64 segments
SEGMENTS = 1 << SEG_BITS
COEF_FRAC = 40                   # coefficients and polynomial values in Q40
#: the seed of the 32-bit integer square root: sqrt(m) ~ SQRT_SEED0 + (2/3) (m / 2**16) for m in
#: [2**30, 2**32), the minimax line of sqrt on [1/4, 1) in 2**16 units (within 4.2 % of sqrt(m));
#: 43691 = 2/3 in Q16, rounded up
SQRT_SEED0, SQRT_SEED_SLOPE = 23209, 43691
ORDER = 3                        # cubic

_PREC = 60


def _ctx():
    return localcontext(prec=_PREC)


def _ln2() -> Decimal:
    return Decimal(2).ln()


def _log2_1p(f: Decimal) -> Decimal:
    return (1 + f).ln() / _ln2()


def _exp2(f: Decimal) -> Decimal:
    return (f * _ln2()).exp()


def _nodes():
    """The four Chebyshev nodes of [-1/2, 1/2]: +-cos(pi/8)/2, +-cos(3 pi/8)/2."""
    s2 = Decimal(2).sqrt()
    c1 = (2 + s2).sqrt() / 4                       # cos(pi/8) / 2
    c3 = (2 - s2).sqrt() / 4                       # cos(3 pi/8) / 2
    return [-c1, -c3, c3, c1]


def _cubic_through(us, ys):
    """Monomial coefficients a0..a3 of the cubic through (us[j], ys[j]) (Newton form, expanded)."""
    n = len(us)
    dd = list(ys)
    coef = [dd[0]]
    for level in range(1, n):
        dd = [(dd[j + 1] - dd[j]) / (us[j + level] - us[j]) for j in range(n - level)]
        coef.append(dd[0])
    # expand c0 + c1 (u - u0) + c2 (u - u0)(u - u1) + c3 (u - u0)(u - u1)(u - u2)
    poly = [Decimal(0)] * n
    basis = [Decimal(1)] + [Decimal(0)] * (n - 1)   # running product of (u - u_j)
    for k in range(n):
        for d in range(n):
            poly[d] += coef[k] * basis[d]
        if k < n - 1:                                # basis *= (u - u_k)
            basis = [(basis[d - 1] if d > 0 else Decimal(0)) - us[k] * basis[d] for d in range(n)]
    return poly


def _to_int(v: Decimal, frac: int) -> int:
    return int((v * (Decimal(2) ** frac)).to_integral_value(rounding=ROUND_HALF_EVEN))


def _poly_table(func) -> np.ndarray:
    with _ctx():
        us = _nodes()
        rows = []
        for i in range(SEGMENTS):
            centre = (Decimal(i) + Decimal("0.5")) / SEGMENTS
            ys = [func(centre + u / SEGMENTS) for u in us]
            rows.extend(_to_int(a, COEF_FRAC) for a in _cubic_through(us, ys))
    return np.array(rows, dtype=np.int64)


def _const(value_fn, frac: int) -> tuple[int, int]:
    with _ctx():
        k = _to_int(value_fn(), frac)
    assert 2 ** 40 <= k < 2 ** 41.7, (k, frac)
    return k, frac


LOG2_POLY = _poly_table(_log2_1p)
POW2_POLY = _poly_table(_exp2)

# name -> (integer, fraction bits)
CONSTANTS = {
    "LOG10_2": _const(lambda: _ln2() / Decimal(10).ln(), 42),              # log10(2)
    "DB_2": _const(lambda: 10 * _ln2() / Decimal(10).ln(), 39),            # 10 log10(2)
    "LOG2_10_OVER_20": _const(lambda: Decimal(10).ln() / _ln2() / 20, 43),  # log2(10) / 20
}


def max_poly_error(table: np.ndarray, func, samples: int = 64) -> float:
    """Largest |cubic - func| over ``samples`` points per segment (float64; for documentation)."""
    worst = 0.0
    for i in range(SEGMENTS):
        a = table[4 * i: 4 * i + 4].astype(np.float64) / 2.0 ** COEF_FRAC
        u = (np.arange(samples) + 0.5) / samples - 0.5
        f = (i + 0.5 + u) / SEGMENTS
        p = a[0] + u * (a[1] + u * (a[2] + u * a[3]))
        worst = max(worst, float(np.max(np.abs(p - func(f)))))
    return worst


# ---------------------------------------------------------------------------------------------
# C header

HEADER_PATH = Path(__file__).resolve().parent.parent / "c_ref" / "fxsim_tables.h"


def _c_array(name: str, table: np.ndarray, what: str) -> str:
    lines = [f"/* {what} */", f"static const int64_t {name}[{table.size}] = {{"]
    for i in range(0, table.size, 4):
        vals = ", ".join(f"INT64_C({int(v)})" for v in table[i:i + 4])
        lines.append(f"    {vals},")
    lines.append("};")
    return "\n".join(lines)


def header_text() -> str:
    """The text of c_ref/fxsim_tables.h."""
    parts = [
        "/*",
        " * fxsim_tables.h - tables and constants of fxsim_math.c.",
        " * Generated by `python -m fxsim.tables` from fxsim/tables.py - do not edit.",
        " */",
        "#ifndef FXSIM_TABLES_H",
        "#define FXSIM_TABLES_H",
        "",
        "#include <stdint.h>",
        "",
        f"#define FXM_SEG_BITS {SEG_BITS}",
        f"#define FXM_COEF_FRAC {COEF_FRAC}",
        f"#define FXM_SQRT_SEED0 {SQRT_SEED0}u",
        f"#define FXM_SQRT_SEED_SLOPE {SQRT_SEED_SLOPE}u",
        "",
    ]
    for name, (k, frac) in CONSTANTS.items():
        parts.append(f"#define FXM_K_{name} INT64_C({k}) /* Q{frac} */")
        parts.append(f"#define FXM_K_{name}_FRAC {frac}")
    parts.append("")
    parts.append(_c_array("fxm_log2_poly", LOG2_POLY,
                          f"log2(1 + f): {SEGMENTS} segments x (a0, a1, a2, a3), Q{COEF_FRAC}"))
    parts.append("")
    parts.append(_c_array("fxm_pow2_poly", POW2_POLY,
                          f"2^f: {SEGMENTS} segments x (a0, a1, a2, a3), Q{COEF_FRAC}"))
    parts.append("")
    parts.append("#endif /* FXSIM_TABLES_H */")
    return "\n".join(parts) + "\n"


def main(argv=None) -> int:
    path = Path(argv[0]) if argv else HEADER_PATH
    path.write_text(header_text())
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
