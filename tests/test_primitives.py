"""The primitive layer: Python semantics checked against exact big-integer definitions, and the
C twin (c_ref/fxsim_prim.h) checked against Python on corners plus 10^6 random inputs per op."""
from fractions import Fraction

import numba as nb
import numpy as np
import pytest
from hypothesis import given, strategies as st

from fxsim.codegen import build
from fxsim import primitives as P

from .conftest import C_BUILDS, ROOT


def exact_round(num: int, den: int, mode: int) -> int:
    """num / den rounded by mode, with Python's exact integers (the definition, not the code)."""
    q = Fraction(num, den)
    fl = q.numerator // q.denominator
    if q == fl:
        return fl
    if mode == P.FLOOR:
        return fl
    if mode == P.CEIL:
        return fl + 1
    if mode == P.ZERO:
        return fl + 1 if q < 0 else fl
    frac = q - fl
    if frac != Fraction(1, 2):
        return fl + 1 if frac > Fraction(1, 2) else fl
    if mode == P.NEAREST:
        return fl + 1 if q > 0 else fl
    return fl if fl % 2 == 0 else fl + 1


@given(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(0, 70), st.integers(0, 4))
def test_shr_round_matches_exact_definition(x, s, mode):
    assert P.shr_round(np.int64(x), s, mode) == exact_round(x, 1 << s, mode)


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def edge_values(n_random=200, seed=5):
    """0, +-1, +-2^k and +-(2^k +- 1) for every k that fits, both int64 ends, and random values
    (uniform over int64 and log-uniform in magnitude)."""
    vals = {0, 1, -1, INT64_MIN, INT64_MAX}
    for k in range(64):
        for d in (-1, 0, 1):
            vals.update(v for v in ((1 << k) + d, -((1 << k) + d)) if INT64_MIN <= v <= INT64_MAX)
    rng = np.random.default_rng(seed)
    vals.update(int(v) for v in rng.integers(INT64_MIN, INT64_MAX, n_random, dtype=np.int64,
                                             endpoint=True))
    vals.update(int(v) for v in _signed(rng, n_random, 64))
    return sorted(vals)


@nb.njit(cache=True)
def _shr_round_grid(xs, shifts, mode):
    out = np.empty((xs.size, shifts.size), dtype=np.int64)
    for i in range(xs.size):
        for j in range(shifts.size):
            out[i, j] = P.shr_round(xs[i], shifts[j], mode)
    return out


@nb.njit(cache=True)
def _shr_half_up_grid(xs, shifts):
    out = np.empty((xs.size, shifts.size), dtype=np.int64)
    for i in range(xs.size):
        for j in range(shifts.size):
            out[i, j] = P.shr_half_up(xs[i], shifts[j])
    return out


def exact_half_up(x: int, s: int) -> int:
    """floor(x / 2^s + 1/2) with exact integers."""
    return (2 * x + (1 << s)) // (1 << (s + 1))


@pytest.mark.parametrize("mode", range(5), ids=P.ROUNDING_NAMES)
def test_shr_round_exact_for_every_shift(mode):
    """Every edge value, every shift 0..70 (past 63, where 2^s and half an LSB leave int64),
    against Fraction: called from Python and compiled into a loop (the inlined hot path)."""
    xs, shifts = edge_values(), list(range(71))
    want = [[exact_round(x, 1 << s, mode) for s in shifts] for x in xs]
    got = _shr_round_grid(np.array(xs, dtype=np.int64), np.array(shifts, dtype=np.int64), mode)
    bad = [(x, s, int(got[i, j]), want[i][j]) for i, x in enumerate(xs)
           for j, s in enumerate(shifts) if got[i, j] != want[i][j]]
    assert not bad, f"{len(bad)} mismatches, e.g. (x, s, got, want) = {bad[:5]}"
    for x in (0, 1, -1, 1 << 62, -(1 << 62), INT64_MIN, INT64_MAX):
        for s in (62, 63, 64, 65, 70, 200):
            assert P.shr_round(np.int64(x), s, mode) == exact_round(x, 1 << s, mode), (x, s)


@pytest.mark.parametrize("x,s,mode,want", [
    (1 << 62, 63, P.FLOOR, 0), (1 << 62, 63, P.CEIL, 1), (1 << 62, 63, P.ZERO, 0),
    (1 << 62, 63, P.NEAREST, 1), (1 << 62, 63, P.CONVERGENT, 0),           # +1/2
    (-(1 << 62), 63, P.NEAREST, -1), (-(1 << 62), 63, P.CONVERGENT, 0),    # -1/2
    (INT64_MAX, 63, P.FLOOR, 0), (INT64_MAX, 63, P.NEAREST, 1), (INT64_MAX, 64, P.NEAREST, 0),
    (INT64_MIN, 63, P.FLOOR, -1), (INT64_MIN, 63, P.CEIL, -1), (INT64_MIN, 63, P.ZERO, -1),
    (INT64_MIN, 64, P.FLOOR, -1), (INT64_MIN, 64, P.CEIL, 0), (INT64_MIN, 64, P.ZERO, 0),
    (INT64_MIN, 64, P.NEAREST, -1), (INT64_MIN, 64, P.CONVERGENT, 0),      # -1/2
    (INT64_MIN, 65, P.NEAREST, 0), (INT64_MIN, 65, P.FLOOR, -1),
    (1, 64, P.CEIL, 1), (1, 70, P.FLOOR, 0), (-1, 70, P.FLOOR, -1), (-1, 70, P.CEIL, 0),
    (-1, 70, P.ZERO, 0), (0, 70, P.CEIL, 0)])
def test_shr_round_wide_shift_corners(x, s, mode, want):
    assert exact_round(x, 1 << s, mode) == want
    assert P.shr_round(np.int64(x), s, mode) == want


@pytest.mark.parametrize("mode", range(5))
def test_shr_round_small_is_shr_round_on_its_domain(mode):
    """The one-add-one-shift rounding equals the exact one wherever |x| <= 2^63 - 2^s, s <= 62."""
    rng = np.random.default_rng(mode)
    a = records("shr_round_small", 200_000, rng)
    a = a[a[:, 2] == mode]
    small = _apply(OPS.index("shr_round_small"), a)[:, 0]
    exact = _apply(OPS.index("shr_round"), a)[:, 0]
    assert np.array_equal(small, exact)


@pytest.mark.parametrize("mode", range(5))
def test_preloaded_rounding_is_shr_round_small(mode):
    """Starting a sum at round_preload and finishing with shr_preloaded rounds as shr_round_small
    does, on its whole domain: the ties of NEAREST on both sides of 0 included."""
    rng = np.random.default_rng(10 + mode)
    a = records("shr_preloaded", 200_000, rng)
    a = a[a[:, 2] == mode]
    assert np.array_equal(_apply(OPS.index("shr_preloaded"), a)[:, 0],
                          _apply(OPS.index("shr_round_small"), a)[:, 0])
    for s in (1, 2, 18, 62):                   # every x near the ties at -1/2, +1/2, -3/2, 3/2
        for x in range(-3 << (s - 1), (3 << (s - 1)) + 1, max(1, (1 << s) >> 2)):
            for dx in (-1, 0, 1):
                if abs(x + dx) > (1 << 63) - (1 << s):      # outside the domain
                    continue
                v = np.int64(x + dx)
                assert P.shr_preloaded(v + P.round_preload(s, mode), s, mode) == \
                    P.shr_round_small(v, s, mode), (x + dx, s, mode)


def test_shr_half_up_exact_for_every_shift():
    """shr_half_up = floor(x / 2^s + 1/2) for every edge value and every shift 0..70, and it
    agrees with NEAREST / CEIL-on-ties wherever those coincide (it is nearest, ties to +inf)."""
    xs, shifts = edge_values(), list(range(71))
    got = _shr_half_up_grid(np.array(xs, dtype=np.int64), np.array(shifts, dtype=np.int64))
    bad = [(x, s, int(got[i, j])) for i, x in enumerate(xs) for j, s in enumerate(shifts)
           if got[i, j] != exact_half_up(x, s)]
    assert not bad, f"{len(bad)} mismatches, e.g. (x, s, got) = {bad[:5]}"
    near = _shr_round_grid(np.array(xs, dtype=np.int64), np.array(shifts, dtype=np.int64),
                           P.NEAREST)
    for i, x in enumerate(xs):                  # ties away from zero == ties up for x >= 0
        if x >= 0:
            assert np.array_equal(got[i], near[i]), x
    assert P.shr_half_up(np.int64(INT64_MIN), 63) == -1      # -1 + 1/2 floors to -1
    assert P.shr_half_up(np.int64(INT64_MIN), 64) == 0       # -1/2 + 1/2 = 0
    assert P.shr_half_up(np.int64(-(1 << 62)), 63) == 0      # -1/2 + 1/2 = 0
    assert P.shr_half_up(np.int64(1 << 62), 63) == 1         # 1/2 + 1/2 = 1
    assert P.shr_half_up(np.int64(INT64_MAX), 64) == 0


@pytest.mark.parametrize("mode,expect", [
    (P.FLOOR, [1, -2, 2, -3]), (P.CEIL, [2, -1, 3, -2]), (P.ZERO, [1, -1, 2, -2]),
    (P.NEAREST, [2, -2, 3, -3]), (P.CONVERGENT, [2, -2, 2, -2])])
def test_ties(mode, expect):
    # 1.5, -1.5, 2.5, -2.5 as x / 2
    assert [P.shr_round(np.int64(v), 1, mode) for v in (3, -3, 5, -5)] == expect


@given(st.integers(-(1 << 62), (1 << 62)), st.integers(2, 64))
def test_saturate_and_wrap(x, bits):
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    v, o = P.saturate(np.int64(x), bits)
    assert v == min(max(x, lo), hi) and o == (not lo <= x <= hi)
    w, o = P.wrap(np.int64(x), bits)
    assert w == ((x - lo) % (1 << bits)) + lo and o == (not lo <= x <= hi)


@given(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(-(1 << 63), (1 << 63) - 1))
def test_add_sat64(a, b):
    v, o = P.add_sat64(np.int64(a), np.int64(b))
    exact = a + b
    assert v == min(max(exact, -(1 << 63)), (1 << 63) - 1)
    assert o == (exact != v)


@pytest.mark.parametrize("bits", [16, 32, 40, 64])
def test_norm_corners(bits):
    assert P.norm(0, bits) == 0 and P.norm(-1, bits) == bits - 1
    assert P.norm(1, bits) == bits - 2
    assert P.norm(-(1 << (bits - 1)), bits) == 0 if bits < 64 else True
    assert P.norm((1 << (bits - 2)) - 1, bits) == 1


# ---------------------------------------------------------------------------------------------
# C twin


@nb.njit(cache=True)
def _apply(op, a):
    n = a.shape[0]
    out = np.empty((n, 2), dtype=np.int64)
    for i in range(n):
        o = False
        if op == 0:
            v = P.shr_round(a[i, 0], a[i, 1], a[i, 2])
        elif op == 1:
            v, o = P.saturate(a[i, 0], a[i, 1])
        elif op == 2:
            v, o = P.wrap(a[i, 0], a[i, 1])
        elif op == 3:
            v, o = P.add(a[i, 0], a[i, 1], a[i, 2], a[i, 3])
        elif op in (4, 17):                    # its C twin in 64 and in 32 bits
            v = P.mul_round(a[i, 0], a[i, 1], a[i, 2], a[i, 3])
        elif op == 5:
            v, o = P.mac(a[i, 0], a[i, 1], a[i, 2], a[i, 3], a[i, 4])
        elif op == 6:
            v, o = P.msu(a[i, 0], a[i, 1], a[i, 2], a[i, 3], a[i, 4])
        elif op == 7:
            v = P.norm(a[i, 0], a[i, 1])
        elif op == 9:
            v = P.shr_half_up(a[i, 0], a[i, 1])
        elif op in (10, 11):                   # its C twin in 64 and in 32 bits
            v = P.shr_round_small(a[i, 0], a[i, 1], a[i, 2])
        elif op == 18:                         # x preloaded with the carry's constant part
            v = P.shr_preloaded(a[i, 0] + P.round_preload(a[i, 1], a[i, 2]), a[i, 1], a[i, 2])
        elif op == 12:
            v = P.mac_wide(a[i, 0], a[i, 1], a[i, 2])
        elif op == 13:
            v, o = P.fit(a[i, 0], a[i, 1], a[i, 2])
            v = P.fit32(a[i, 0], a[i, 1], a[i, 2])
        elif op == 14:
            v = P.shl32(a[i, 0], a[i, 1])
        elif op in (15, 16):                   # its C twins with 64- and 32-bit accumulators
            v = P.mac_shr(a[i, 0], a[i, 1], a[i, 2], a[i, 3])
        else:
            v = P.mac16x2_exact(a[i, 0], a[i, 1], a[i, 2], a[i, 3], a[i, 4])
        out[i, 0] = v
        out[i, 1] = o
    return out


OPS = ["shr_round", "saturate", "wrap", "add", "mul_round", "mac", "msu", "norm", "mac16x2_exact",
       "shr_half_up", "shr_round_small", "shr_round_small32", "mac_wide", "fit32", "shl32",
       "mac_shr", "mac_shr32", "mul_round32", "shr_preloaded"]
CORNERS = [0, 1, -1, 2, -2, 32767, -32768, 32768, -32769, (1 << 31) - 1, -(1 << 31),
           (1 << 39) - 1, -(1 << 39), (1 << 62), -(1 << 62), (1 << 63) - 1, -(1 << 63)]


def _signed(rng, n, bits):
    """Random values that fit ``bits`` signed bits, log-uniform in magnitude (so small values
    and both ends of the range all occur)."""
    mag = rng.integers(0, bits, n)
    v = rng.integers(0, 1 << 62, n, dtype=np.int64) >> (62 - np.minimum(mag, 62))
    v = np.where(rng.random(n) < 0.5, -v - 1, v)
    return v


def records(op, n, rng):
    """Argument records for op: corners crossed with every parameter, then random ones."""
    c = np.array(CORNERS, dtype=np.int64)
    rows = []
    if op in ("shr_round", "shr_half_up"):
        # shifts past 63 too (2^s and half an LSB leave int64; in C a shift by >= 64 bits is
        # undefined), and the edge values of the exact tests on top of the corners
        ce = np.array(sorted(set(CORNERS) | set(edge_values(50))), dtype=np.int64)
        modes = range(5) if op == "shr_round" else (0,)
        for s in range(-2, 71):
            for m in modes:
                xs = ce if s > 0 else ce[np.abs(ce) < (1 << 40)]
                rows += [[x, s, m, 0, 0] for x in xs]
        # random shifts mostly in 0..63, one in eight in 63..70
        shifts = np.where(rng.random(n) < 0.125, rng.integers(63, 71, n), rng.integers(0, 64, n))
        rnd = np.stack([_signed(rng, n, 64), shifts, rng.integers(0, 5, n),
                        np.zeros(n, np.int64), np.zeros(n, np.int64)], 1)
    elif op in ("shr_round_small", "shr_preloaded"):
        # its domain: |x| <= 2^63 - 2^s, 0 <= s <= 62
        for s in range(63):
            lim = (1 << 63) - (1 << s)
            xs = sorted({v for v in CORNERS + edge_values(50) if abs(v) <= lim} | {lim, -lim})
            rows += [[x, s, m, 0, 0] for m in range(5) for x in xs]
        shifts = rng.integers(0, 63, n)
        lim = (np.int64(1) << np.int64(62)) - (np.int64(1) << shifts) + (np.int64(1) << np.int64(62))
        xs = np.clip(_signed(rng, n, 64), -lim, lim)
        rnd = np.stack([xs, shifts, rng.integers(0, 5, n), np.zeros(n, np.int64),
                        np.zeros(n, np.int64)], 1)
    elif op == "shr_round_small32":
        # its domain: |x| <= 2^31 - 2^s, 0 <= s <= 30
        for s in range(31):
            lim = (1 << 31) - (1 << s)
            xs = sorted({v for v in CORNERS + edge_values(50) if abs(v) <= lim} | {lim, -lim})
            rows += [[x, s, m, 0, 0] for m in range(5) for x in xs]
        shifts = rng.integers(0, 31, n)
        xs = np.clip(_signed(rng, n, 32), -((1 << 31) - (1 << shifts)), (1 << 31) - (1 << shifts))
        rnd = np.stack([xs, shifts, rng.integers(0, 5, n), np.zeros(n, np.int64),
                        np.zeros(n, np.int64)], 1)
    elif op == "mac_wide":                 # 32-bit operands, sums that fit int64
        c32 = c[(c >= -(1 << 31)) & (c < (1 << 31))]
        rows += [[acc, x, y, 0, 0] for acc in c[np.abs(c) <= (1 << 62)] for x in c32 for y in c32]
        rnd = np.stack([_signed(rng, n, 62), _signed(rng, n, 32), _signed(rng, n, 32),
                        np.zeros(n, np.int64), np.zeros(n, np.int64)], 1)
    elif op in ("mac_shr", "mac_shr32"):   # 32-bit operands, shifts 0..31; the shifted
        bits = 64 if op == "mac_shr" else 32  # product and the sum fit (the FIR's proof)
        c32 = c[(c >= -(1 << 31)) & (c < (1 << 31))]
        rows += [[acc, x, y, s, 0] for s in (0, 1, 15, 16, 31) for x in c32 for y in c32
                 for acc in (0, 1, -1)
                 if max(abs((x * y) >> s), abs(acc + ((x * y) >> s))) < (1 << (bits - 1))]
        shifts = rng.integers(0, 32, n)
        x, y = _signed(rng, n, 32), _signed(rng, n, 16)        # |x y| <= 2^46
        acc = _signed(rng, n, bits - 2)
        keep = np.abs(acc + ((x * y) >> shifts)) < (1 << (bits - 2))   # the sum fits
        rnd = np.stack([acc, np.where(keep, x, 0), y, shifts, np.zeros(n, np.int64)], 1)
    elif op == "fit32":                    # 32-bit values, 2..32 bits, saturate / wrap / error
        c32 = c[(c >= -(1 << 31)) & (c < (1 << 31))]
        rows += [[x, b, ov, 0, 0] for x in c32 for b in (2, 15, 16, 17, 24, 31, 32) for ov in (0, 1, 2)]
        rnd = np.stack([_signed(rng, n, 32), rng.integers(2, 33, n), rng.integers(0, 3, n),
                        np.zeros(n, np.int64), np.zeros(n, np.int64)], 1)
    elif op == "shl32":                    # results that fit 32 bits
        shifts = rng.integers(0, 31, n)
        xs = _signed(rng, n, 32) >> shifts
        rows += [[x, s, 0, 0, 0] for s in range(31) for x in (0, 1, -1, (1 << (31 - s)) - 1, -(1 << (31 - s)))]
        rnd = np.stack([xs, shifts] + [np.zeros(n, np.int64)] * 3, 1)
    elif op in ("saturate", "wrap"):
        rows += [[x, b, 0, 0, 0] for x in c for b in (2, 16, 17, 32, 40, 63, 64)]
        rnd = np.stack([_signed(rng, n, 64), rng.integers(2, 65, n)] + [np.zeros(n, np.int64)] * 3, 1)
    elif op == "add":
        for b in (16, 32, 40, 64):
            cb = c[(c >= -(1 << (b - 1))) & (c <= (1 << (b - 1)) - 1)]
            rows += [[x, y, b, ov, 0] for x in cb for y in cb for ov in (0, 1)]
        bits = rng.choice([16, 32, 40, 64], n)
        rnd = np.stack([_signed(rng, n, 64) >> (64 - bits), _signed(rng, n, 64) >> (64 - bits),
                        bits, rng.integers(0, 2, n), np.zeros(n, np.int64)], 1)
    elif op == "mul_round":
        c32 = c[(c >= -(1 << 31)) & (c < (1 << 31))]
        rows += [[x, y, s, m, 0] for x in c32 for y in c32 for s in (0, 15, 31) for m in range(5)]
        rnd = np.stack([_signed(rng, n, 32), _signed(rng, n, 32), rng.integers(0, 40, n),
                        rng.integers(0, 5, n), np.zeros(n, np.int64)], 1)
    elif op == "mul_round32":
        # its domain: |a b| <= 2^31 - 2^s, 0 <= s <= 30
        c16 = c[(c >= -32768) & (c <= 32768)]
        rows += [[x, y, s, m, 0] for x in c16 for y in c16 for s in (0, 1, 14, 15, 16, 30)
                 for m in range(5) if abs(x * y) <= (1 << 31) - (1 << s)]
        shifts = rng.integers(0, 31, n)
        x, y = _signed(rng, n, 17), _signed(rng, n, 16)
        keep = np.abs(x * y) <= (np.int64(1) << np.int64(31)) - (np.int64(1) << shifts)
        rnd = np.stack([np.where(keep, x, 0), y, shifts, rng.integers(0, 5, n),
                        np.zeros(n, np.int64)], 1)
    elif op in ("mac", "msu"):
        c32 = c[(c >= -(1 << 31)) & (c < (1 << 31))]
        for b in (32, 40, 64):
            cb = c[(c >= -(1 << (b - 1))) & (c <= (1 << (b - 1)) - 1)]
            rows += [[acc, x, y, b, ov] for acc in cb for x in c32 for y in c32[:6] for ov in (0, 1)]
        bits = rng.choice([32, 40, 64], n)
        rnd = np.stack([_signed(rng, n, 64) >> (64 - bits), _signed(rng, n, 32), _signed(rng, n, 16),
                        bits, rng.integers(0, 2, n)], 1)
    elif op == "mac16x2_exact":
        c16 = c[(c >= -32768) & (c <= 32767)]
        rows += [[acc, a, b, a, b] for acc in c[(c >= -(1 << 61)) & (c <= (1 << 61))] for a in c16 for b in c16]
        rnd = np.stack([_signed(rng, n, 62)] + [_signed(rng, n, 16) for _ in range(4)], 1)
    else:  # norm
        rows += [[x, b, 0, 0, 0] for b in (16, 32, 40, 64) for x in c
                 if -(1 << (b - 1)) <= x <= (1 << (b - 1)) - 1]
        bits = rng.choice([16, 32, 40, 64], n)
        rnd = np.stack([_signed(rng, n, 64) >> (64 - bits), bits] + [np.zeros(n, np.int64)] * 3, 1)
    return np.concatenate([np.array(rows, dtype=np.int64).reshape(-1, 5), rnd.astype(np.int64)])


#: the primitives also have a portable path for compilers without GCC's builtins
PRIM_BUILDS = {**C_BUILDS, "portable": ("-O2", ("-DFXSIM_PORTABLE",))}


@pytest.fixture(scope="module", params=list(PRIM_BUILDS))
def prim_exe(request):
    opt, flags = PRIM_BUILDS[request.param]
    return request.param, build.compile_host([ROOT / "tests/c/prim_driver.c"], "prim_driver",
                                             opt, flags)


@pytest.mark.parametrize("op", OPS)
def test_c_twin_bit_exact(prim_exe, op):
    kind, exe = prim_exe
    n = 100_000 if kind == "sanitize" else 1_000_000
    a = records(op, n, np.random.default_rng(OPS.index(op)))
    want = _apply(OPS.index(op), a)
    got = np.frombuffer(build.run(exe, [op], a.tobytes()), dtype=np.int64).reshape(-1, 2)
    assert got.shape == want.shape
    mismatches = int(np.count_nonzero(np.any(got != want, axis=1)))
    print(f"primitive C twin [{kind}] {op}: {mismatches} mismatches of {len(a)}")
    assert mismatches == 0, f"{op} ({kind}): {mismatches} mismatches of {len(a)}"


@given(st.integers(2, 64).flatmap(lambda b: st.tuples(st.just(b), st.integers(-(1 << (b - 1)), (1 << (b - 1)) - 1))))
def test_norm_is_the_normalising_shift(bits_x):
    bits, x = bits_x
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    want = 0 if x == 0 else max(k for k in range(bits) if lo <= x * (1 << k) <= hi)
    assert P.norm(np.int64(x), bits) == want
