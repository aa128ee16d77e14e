"""fxsim.basicop: the ITU-T G.191 STL basic operators.

Checked three ways: explicit corner values of the standard; a plain-Python transliteration of the
standard's definitions (word masks, the L_shl loop, the 15-step division) compared on every
crossing of corner operands and on hypothesis examples; and the C twin (c_ref/basicop.h) compared
with the Python model on the corner crossings plus 10^6 random operands per operator, results and
overflow counts, at -O0, -O2 and under the sanitizers.
"""
import itertools
from pathlib import Path

import numba as nb
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from fxsim.codegen import build
from fxsim import basicop as B
from fxsim import primitives as P
from fxsim.errors import FxsimError

from .conftest import C_BUILDS, ROOT

MIN16, MAX16 = -(1 << 15), (1 << 15) - 1
MIN32, MAX32 = -(1 << 31), (1 << 31) - 1
SHIFT_OPS = {"shl", "shr", "shr_r", "L_shl", "L_shr", "L_shr_r"}


# ---------------------------------------------------------------------------------------------
# The standard's definitions, written out with Python integers. Each returns (value, overflowed).

def _s32(x):
    """x wrapped to a signed 32-bit word (what a Word32 cast of the standard's C does)."""
    return ((x + (1 << 31)) % (1 << 32)) - (1 << 31)


def _sat16(x):
    return (MAX16, True) if x > MAX16 else (MIN16, True) if x < MIN16 else (x, False)


def ref_shl(a, n):
    if n < 0:
        return ref_shr(a, -max(n, -16))
    result = a * (1 << n)
    if (n > 15 and a != 0) or not MIN16 <= result <= MAX16:
        return (MAX16 if a > 0 else MIN16), True
    return result, False


def ref_shr(a, n):
    if n < 0:
        return ref_shl(a, -max(n, -16))
    if n >= 15:
        return (-1 if a < 0 else 0), False
    return a >> n, False


def ref_L_add(a, b):
    s = _s32(a + b)
    if (a < 0) == (b < 0) and (s < 0) != (a < 0):
        return (MIN32 if a < 0 else MAX32), True
    return s, False


def ref_L_sub(a, b):
    s = _s32(a - b)
    if (a < 0) != (b < 0) and (s < 0) != (a < 0):
        return (MIN32 if a < 0 else MAX32), True
    return s, False


def ref_L_mult(a, b):
    p = a * b
    if p == 0x40000000:
        return MAX32, True
    return p * 2, False


def _chain(first, second):
    """Apply second to first's value; the overflow flag is set if either step set it."""
    v, o1 = first
    w, o2 = second(v)
    return w, o1 or o2


def ref_L_shl(a, n):
    if n <= 0:
        return ref_L_shr(a, -max(n, -32))
    out, ovf = 0, False
    for _ in range(n):                  # the standard doubles one bit at a time
        if a > 0x3fffffff:
            out, ovf = MAX32, True
            break
        if a < -0x40000000:
            out, ovf = MIN32, True
            break
        a *= 2
        out = a
    return out, ovf


def ref_L_shr(a, n):
    if n < 0:
        return ref_L_shl(a, -max(n, -32))
    if n >= 31:
        return (-1 if a < 0 else 0), False
    return a >> n, False


def ref_mult(a, b):
    p = _s32(_s32(a * b) & 0xffff8000) >> 15
    if p & 0x10000:
        p = _s32(p | 0xffff0000)
    return _sat16(p)


def ref_mult_r(a, b):
    p = _s32(_s32(a * b + 0x4000) & 0xffff8000) >> 15
    if p & 0x10000:
        p = _s32(p | 0xffff0000)
    return _sat16(p)


def ref_round(a):
    return _chain(ref_L_add(a, 0x8000), lambda v: (v >> 16, False))


def ref_shr_r(a, n):
    if n > 15:
        return 0, False
    v, o = ref_shr(a, n)
    if n > 0 and a & (1 << (n - 1)):
        v += 1
    return v, o


def ref_L_shr_r(a, n):
    if n > 31:
        return 0, False
    v, o = ref_L_shr(a, n)
    if n > 0 and a & (1 << (n - 1)):
        v += 1
    return v, o


def ref_norm(a, bits):
    if a == 0:
        return 0, False
    if a == -1:
        return bits - 1, False
    if a < 0:
        a = ~a
    n = 0
    while a < (1 << (bits - 2)):
        a <<= 1
        n += 1
    return n, False


def ref_div_s(a, b):
    if a > b or a < 0 or b < 0 or b == 0:
        raise ValueError("div_s domain")
    if a == 0:
        return 0, False
    if a == b:
        return MAX16, False
    num, out = a, 0
    for _ in range(15):
        out <<= 1
        num <<= 1
        if num >= b:
            num -= b
            out += 1
    return out, False


REF = {
    "add": lambda a, b: _sat16(a + b),
    "sub": lambda a, b: _sat16(a - b),
    "abs_s": lambda a: (MAX16 if a == MIN16 else abs(a), False),
    "shl": ref_shl,
    "shr": ref_shr,
    "mult": ref_mult,
    "mult_r": ref_mult_r,
    "L_mult": ref_L_mult,
    "L_mac": lambda c, a, b: _chain(ref_L_mult(a, b), lambda p: ref_L_add(c, p)),
    "L_msu": lambda c, a, b: _chain(ref_L_mult(a, b), lambda p: ref_L_sub(c, p)),
    "L_add": ref_L_add,
    "L_sub": ref_L_sub,
    "L_negate": lambda a: (MAX32 if a == MIN32 else -a, False),
    "negate": lambda a: (MAX16 if a == MIN16 else -a, False),
    "extract_h": lambda a: (a >> 16, False),
    "extract_l": lambda a: (((a + 0x8000) & 0xffff) - 0x8000, False),
    "round_fx": ref_round,
    "mac_r": lambda c, a, b: _chain(_chain(ref_L_mult(a, b), lambda p: ref_L_add(c, p)), ref_round),
    "msu_r": lambda c, a, b: _chain(_chain(ref_L_mult(a, b), lambda p: ref_L_sub(c, p)), ref_round),
    "L_shl": ref_L_shl,
    "L_shr": ref_L_shr,
    "shr_r": ref_shr_r,
    "L_shr_r": ref_L_shr_r,
    "L_deposit_h": lambda a: (a * 65536, False),
    "L_deposit_l": lambda a: (a, False),
    "L_abs": lambda a: (MAX32 if a == MIN32 else abs(a), False),
    "norm_s": lambda a: ref_norm(a, 16),
    "norm_l": lambda a: ref_norm(a, 32),
    "div_s": ref_div_s,
    "L_mult0": lambda a, b: (a * b, False),
    "L_mac0": lambda c, a, b: ref_L_add(c, a * b),
    "L_msu0": lambda c, a, b: ref_L_sub(c, a * b),
}


def kinds(name):
    """Operand kinds of an operator: 16, 32 or "shift" (a Word16 shift count)."""
    bits = B._OPS[name].bits
    return tuple("shift" if (k == 1 and name in SHIFT_OPS) else b for k, b in enumerate(bits))


def call(name, *args):
    """(value, overflows counted) of one basicop call."""
    before = B.overflow_count()
    v = getattr(B, name)(*args)
    return v, B.overflow_count() - before


# ---------------------------------------------------------------------------------------------
# Explicit values of the standard


def test_operator_set_is_complete():
    assert set(B.OPERATORS) == set(REF) and len(B.OPERATORS) == 32
    for name in B.OPERATORS:
        assert callable(getattr(B, name)) and getattr(B, name).__doc__


@pytest.mark.parametrize("name,args,value,overflows", [
    ("add", (32767, 1), 32767, 1), ("add", (-32768, -1), -32768, 1), ("add", (100, -200), -100, 0),
    ("sub", (-32768, 1), -32768, 1), ("sub", (0, -32768), 32767, 1),
    ("abs_s", (-32768,), 32767, 0), ("abs_s", (-5,), 5, 0), ("negate", (-32768,), 32767, 0),
    ("mult", (-32768, -32768), 32767, 1), ("mult", (32767, 32767), 32766, 0),
    ("mult", (-1, 1), -1, 0), ("mult_r", (-1, 1), 0, 0), ("mult_r", (16384, 1), 1, 0),
    ("mult_r", (-16384, 1), 0, 0), ("mult_r", (-16385, 1), -1, 0),
    ("mult_r", (-32768, -32768), 32767, 1),
    ("L_mult", (-32768, -32768), 0x7fffffff, 1), ("L_mult", (-32768, 32767), -0x7fff0000, 0),
    ("L_mac", (0, -32768, -32768), 0x7fffffff, 1),
    ("L_mac", (-1, -32768, -32768), 0x7ffffffe, 1),       # saturated product, then the sum
    ("L_mac", (1, -32768, -32768), 0x7fffffff, 1),        # both saturate: counted once
    ("L_mac", (0x7fffffff, 1, 1), 0x7fffffff, 1), ("L_mac", (5, 3, -2), -7, 0),
    ("L_msu", (0, -32768, -32768), -0x7fffffff, 1), ("L_msu", (-2, -32768, -32768), MIN32, 1),
    ("L_msu", (MIN32, 1, 1), MIN32, 1),
    ("L_add", (MAX32, 1), MAX32, 1), ("L_add", (MIN32, -1), MIN32, 1),
    ("L_add", (MAX32, MIN32), -1, 0), ("L_sub", (MIN32, 1), MIN32, 1),
    ("L_sub", (0, MIN32), MAX32, 1), ("L_sub", (-1, MIN32), MAX32, 0),
    ("L_negate", (MIN32,), MAX32, 0), ("L_abs", (MIN32,), MAX32, 0), ("L_abs", (-7,), 7, 0),
    ("extract_h", (-1,), -1, 0), ("extract_h", (0x7fffffff,), 32767, 0),
    ("extract_h", (0x12345678,), 0x1234, 0),
    ("extract_l", (0x12345678,), 0x5678, 0), ("extract_l", (0x8000,), -32768, 0),
    ("extract_l", (MIN32,), 0, 0),
    ("round_fx", (0x7fffffff,), 32767, 1), ("round_fx", (0x8000,), 1, 0),
    ("round_fx", (0x7fff,), 0, 0), ("round_fx", (-0x8000,), 0, 0),      # -0.5 LSB rounds up
    ("round_fx", (-0x8001,), -1, 0), ("round_fx", (MIN32,), -32768, 0),
    ("mac_r", (0x7fff0000, 1, 32767), 32767, 1), ("mac_r", (0, 16384, 16384), 8192, 0),
    ("mac_r", (0x8000, 0, 0), 1, 0), ("msu_r", (MIN32, 1, 1), -32768, 1),
    ("msu_r", (0x18000, 1, 1), 1, 0),
    ("shl", (1, 15), 32767, 1), ("shl", (-1, 15), -32768, 0), ("shl", (1, 14), 16384, 0),
    ("shl", (-2, 15), -32768, 1), ("shl", (0, 32767), 0, 0), ("shl", (5, -1), 2, 0),
    ("shl", (-5, -1), -3, 0), ("shl", (-1, -100), -1, 0), ("shl", (32767, -32768), 0, 0),
    ("shl", (3, 16), 32767, 1), ("shl", (-3, 40), -32768, 1),
    ("shr", (1, -15), 32767, 1), ("shr", (-32768, 15), -1, 0), ("shr", (32767, 100), 0, 0),
    ("shr", (1, -32768), 32767, 1), ("shr", (-7, 1), -4, 0), ("shr", (0, -40), 0, 0),
    ("L_shl", (1, 31), MAX32, 1), ("L_shl", (-1, 31), MIN32, 0), ("L_shl", (-1, 32), MIN32, 1),
    ("L_shl", (0, 32767), 0, 0), ("L_shl", (MAX32, -33), 0, 0), ("L_shl", (MIN32, -100), -1, 0),
    ("L_shl", (0x12345, 8), 0x1234500, 0), ("L_shl", (0x40000000, 1), MAX32, 1),
    ("L_shl", (-0x40000000, 1), MIN32, 0), ("L_shl", (-0x40000001, 1), MIN32, 1),
    ("L_shr", (-1, 31), -1, 0), ("L_shr", (MIN32, 31), -1, 0), ("L_shr", (1, -31), MAX32, 1),
    ("L_shr", (MAX32, 30), 1, 0), ("L_shr", (-1, -32768), MIN32, 1), ("L_shr", (5, 0), 5, 0),
    ("shr_r", (3, 1), 2, 0), ("shr_r", (-3, 1), -1, 0), ("shr_r", (-32768, 15), -1, 0),
    ("shr_r", (-16384, 15), 0, 0), ("shr_r", (32767, 16), 0, 0), ("shr_r", (-32768, 16), 0, 0),
    ("shr_r", (1, -15), 32767, 1), ("shr_r", (32767, 1), 16384, 0), ("shr_r", (-5, 0), -5, 0),
    ("L_shr_r", (3, 1), 2, 0), ("L_shr_r", (-3, 1), -1, 0), ("L_shr_r", (MIN32, 31), -1, 0),
    ("L_shr_r", (-(1 << 30), 31), 0, 0), ("L_shr_r", (MAX32, 32), 0, 0),
    ("L_shr_r", (MAX32, 1), 1 << 30, 0), ("L_shr_r", (1, -31), MAX32, 1),
    ("L_deposit_h", (-32768,), MIN32, 0), ("L_deposit_h", (32767,), 0x7fff0000, 0),
    ("L_deposit_l", (-1,), -1, 0),
    ("norm_s", (0,), 0, 0), ("norm_s", (-1,), 15, 0), ("norm_s", (1,), 14, 0),
    ("norm_s", (-32768,), 0, 0), ("norm_s", (16384,), 0, 0), ("norm_s", (-16384,), 1, 0),
    ("norm_s", (16383,), 1, 0), ("norm_l", (0,), 0, 0), ("norm_l", (-1,), 31, 0),
    ("norm_l", (1,), 30, 0), ("norm_l", (MIN32,), 0, 0), ("norm_l", (MAX32,), 0, 0),
    ("norm_l", (-0x40000000,), 1, 0),
    ("div_s", (1, 2), 16384, 0), ("div_s", (7, 7), 32767, 0), ("div_s", (32767, 32767), 32767, 0),
    ("div_s", (0, 5), 0, 0), ("div_s", (1, 3), 10922, 0), ("div_s", (2, 3), 21845, 0),
    ("div_s", (1, 32767), 1, 0), ("div_s", (32766, 32767), 32766, 0),
    ("L_mult0", (-32768, -32768), 1 << 30, 0), ("L_mult0", (-32768, 32767), -1073709056, 0),
    ("L_mac0", (MAX32, 1, 1), MAX32, 1), ("L_mac0", (MAX32, -32768, -32768), MAX32, 1),
    ("L_mac0", (-(1 << 30), -32768, -32768), 0, 0), ("L_msu0", (MIN32, 1, 1), MIN32, 1),
    ("L_msu0", (0, -32768, -32768), -(1 << 30), 0),
])
def test_standard_values(name, args, value, overflows):
    got, counted = call(name, *args)
    assert (int(got), counted) == (value, overflows)
    assert REF[name](*args) == (value, bool(overflows))       # the transliteration agrees


@pytest.mark.parametrize("args", [(-1, 5), (0, 0), (3, 2), (1, -5), (-5, -5), (5, 0)])
def test_div_s_domain_raises(args):
    before = B.overflow_count()
    with pytest.raises(ValueError, match="div_s"):
        B.div_s(*args)
    with pytest.raises(ValueError, match="div_s"):
        B.div_s(np.array([1, args[0]]), np.array([2, args[1]]))
    assert B.overflow_count() == before


def test_div_s_all_numerators_against_the_15_steps():
    for den in (1, 2, 3, 7, 100, 12345, 16384, 32766, 32767):
        num = np.arange(0, den + 1)
        want = [ref_div_s(int(a), den)[0] for a in num]
        assert B.div_s(num, den).tolist() == want


# ---------------------------------------------------------------------------------------------
# Every crossing of corner operands against the transliteration

W16_CORNERS = [0, 1, -1, 2, -2, 3, -3, 0x3fff, 0x4000, -0x4000, -0x4001, 0x100, -0x100,
               32766, -32767, MAX16, MIN16]
W32_CORNERS = [0, 1, -1, 2, -3, 0x7fff, 0x8000, -0x8000, -0x8001, 0xffff, 0x10000, 0x3fffffff,
               0x40000000, -0x40000000, -0x40000001, 0x7fff7fff, 0x7fff8000, -0x7fff8000,
               MAX32 - 1, MIN32 + 1, MAX32, MIN32]
SHIFT_CORNERS = list(range(-40, 41)) + [-32768, -1000, -64, 63, 64, 1000, 32767]


def corner_grid(name):
    """Every crossing of the corner values of the operator's operands (valid ones for div_s)."""
    pools = [{16: W16_CORNERS, 32: W32_CORNERS, "shift": SHIFT_CORNERS}[k] for k in kinds(name)]
    if len(pools) == 3:                               # keep the 3-operand crossings modest
        pools = [pools[0], pools[1], pools[2][::2]]
    rows = list(itertools.product(*pools))
    if name == "div_s":
        rows = [(a, b) for a, b in rows if 0 <= a <= b and b > 0]
    return rows


@pytest.mark.parametrize("name", B.OPERATORS)
def test_corner_crossings_match_the_standard(name):
    bad = []
    for args in corner_grid(name):
        got, counted = call(name, *args)
        want = REF[name](*args)
        if (int(got), counted) != (want[0], int(want[1])):
            bad.append((args, (int(got), counted), want))
    assert not bad, f"{name}: {len(bad)} mismatches, first {bad[:3]}"


# ---------------------------------------------------------------------------------------------
# Hypothesis: random operands against the transliteration, and algebraic properties

def operand(kind):
    if kind == 16:
        return st.one_of(st.integers(MIN16, MAX16), st.sampled_from(W16_CORNERS))
    if kind == 32:
        return st.one_of(st.integers(MIN32, MAX32), st.sampled_from(W32_CORNERS),
                         st.integers(-1 << 16, 1 << 16))
    return st.one_of(st.integers(-40, 40), st.integers(MIN16, MAX16))


@pytest.mark.parametrize("name", [n for n in B.OPERATORS if n != "div_s"])
@given(data=st.data())
def test_random_operands_match_the_standard(name, data):
    args = tuple(data.draw(operand(k)) for k in kinds(name))
    got, counted = call(name, *args)
    assert (int(got), counted) == tuple(map(int, REF[name](*args)))


@given(st.integers(1, MAX16), st.data())
def test_div_s_matches_the_15_steps(den, data):
    num = data.draw(st.integers(0, den))
    assert int(B.div_s(num, den)) == ref_div_s(num, den)[0]


def L_eq(x, y):
    return int(x) == int(y)


@given(st.integers(MIN32, MAX32), operand(16), operand(16))
def test_composite_operators(acc, a, b):
    assert L_eq(B.L_mac(acc, a, b), B.L_add(acc, B.L_mult(a, b)))
    assert L_eq(B.L_msu(acc, a, b), B.L_sub(acc, B.L_mult(a, b)))
    assert L_eq(B.mac_r(acc, a, b), B.round_fx(B.L_mac(acc, a, b)))
    assert L_eq(B.msu_r(acc, a, b), B.round_fx(B.L_msu(acc, a, b)))
    assert L_eq(B.L_mac0(acc, a, b), B.L_add(acc, B.L_mult0(a, b)))
    assert L_eq(B.L_msu0(acc, a, b), B.L_sub(acc, B.L_mult0(a, b)))
    assert L_eq(B.round_fx(acc), B.extract_h(B.L_add(acc, 0x8000)))


@given(operand(16), operand(32), st.integers(MIN16 + 1, MAX16))
def test_shift_directions_mirror(x, lx, n):
    assert call("shl", x, n) == call("shr", x, -n)
    assert call("L_shl", lx, n) == call("L_shr", lx, -n)


@given(operand(16), operand(32))
def test_norm_normalises(x, lx):
    if x not in (0, -1):
        v, o = call("shl", x, int(B.norm_s(x)))
        assert o == 0 and (0x4000 <= v <= MAX16 or MIN16 <= v < -0x4000)
    if lx not in (0, -1):
        v, o = call("L_shl", lx, int(B.norm_l(lx)))
        assert o == 0 and (0x40000000 <= v <= MAX32 or MIN32 <= v < -0x40000000)


@given(st.integers(-(1 << 63), (1 << 63) - 1), st.integers(1, 80))
def test_shr_half_up_primitive(x, s):
    assert P.shr_half_up(np.int64(x), s) == (x + (1 << (s - 1))) >> s   # exact: Python ints


@pytest.mark.parametrize("name", B.OPERATORS)
@settings(max_examples=25)
@given(data=st.data())
def test_arrays_equal_scalars(name, data):
    pools = {16: W16_CORNERS, 32: W32_CORNERS, "shift": SHIFT_CORNERS}
    n = data.draw(st.integers(1, 40))
    cols = [data.draw(st.lists(st.sampled_from(pools[k]), min_size=n, max_size=n))
            for k in kinds(name)]
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32)))
    cols = [c + _shift(rng, n).tolist() if k == "shift" else c + _word(rng, n, k).tolist()
            for c, k in zip(cols, kinds(name))]                  # corners and random operands
    if name == "div_s":
        mag = [[min(abs(v), MAX16) for v in c] for c in cols]
        cols = [[min(a, b) for a, b in zip(*mag)], [max(a, b, 1) for a, b in zip(*mag)]]
    scalar = [call(name, *args) for args in zip(*cols)]
    before = B.overflow_count()
    got = getattr(B, name)(*(np.array(c, dtype=np.int64) for c in cols))
    assert got.tolist() == [int(v) for v, _ in scalar]
    assert B.overflow_count() - before == sum(o for _, o in scalar)


# ---------------------------------------------------------------------------------------------
# Calling convention: types, broadcasting, counter, errors


def test_result_types_and_shapes():
    assert type(B.add(1, 2)) is np.int16 and type(B.L_add(1, 2)) is np.int32
    assert type(B.norm_l(5)) is np.int16 and type(B.L_mult(3, 4)) is np.int32
    assert type(B.add(np.int16(1), np.int64(2))) is np.int16
    assert type(B.add(np.array(1), 2)) is np.int16                  # 0-d arrays act as scalars
    a = np.arange(12, dtype=np.int16).reshape(3, 4)
    assert B.add(a, 1).dtype == np.int16 and B.add(a, 1).shape == (3, 4)
    assert B.L_mac(np.zeros((2, 1, 1), np.int32), a, 3).shape == (2, 3, 4)
    col, row = np.arange(3).reshape(3, 1), np.arange(4)
    assert B.mult(col * 10000, row * 5000).tolist() == [[int(B.mult(int(c) * 10000, int(r) * 5000))
                                                         for r in row] for c in col[:, 0]]
    assert B.L_shl(np.arange(4, dtype=np.int32), -1).dtype == np.int32
    t = np.arange(20, dtype=np.int16).reshape(4, 5).T                   # non-contiguous input
    assert np.array_equal(B.negate(t), -t)
    assert B.add([1, 2, 3], [4, 5, 6]).tolist() == [5, 7, 9]             # lists become arrays
    assert B.add(np.array([], np.int16), 1).shape == (0,)
    assert B.add(np.array([5], np.uint8), np.array([7], np.uint64)).tolist() == [12]


def test_overflow_counter():
    B.reset_overflow()
    assert B.overflow_count() == 0
    x = np.array([32767, 32767, 0, -32768], np.int16)
    B.add(x, np.array([1, 0, 1, -1], np.int16))
    assert B.overflow_count() == 2
    B.mult(-32768, -32768)
    assert B.overflow_count() == 3
    B.L_mac(np.int32(1), np.full(5, -32768, np.int16), -32768)       # 5 elements, each once
    assert B.overflow_count() == 8
    B.reset_overflow()
    assert B.overflow_count() == 0


@pytest.mark.parametrize("call_,message", [
    (lambda: B.add(40000, 1), r"add: var1 = 40000 is outside the Word16 range"),
    (lambda: B.add(1, -32769), r"add: var2 = -32769"),
    (lambda: B.L_add(1 << 31, 0), r"L_add: L_var1 = 2147483648 is outside the Word32 range"),
    (lambda: B.L_mac(0, 1, np.array([1, 2, 1 << 15])), r"L_mac: var2 = 32768"),
    (lambda: B.shl(1, 1 << 15), r"shl: var2 = 32768"),
    (lambda: B.L_shr(np.array([1, 2]), np.array([0, -40000])), r"L_shr: var2 = -40000"),
    (lambda: B.add(np.array([2 ** 64 - 1], np.uint64), 1), r"add: var1 = 18446744073709551615"),
    (lambda: B.add(2 ** 70, 1), r"add: var1 = 1180591620717411303424"),
    (lambda: B.add([1, 2 ** 70], 1), r"add: var1 = 1180591620717411303424"),
])
def test_out_of_range_operands_raise(call_, message):
    before = B.overflow_count()
    with pytest.raises(FxsimError, match=message):
        call_()
    assert B.overflow_count() == before


@pytest.mark.parametrize("bad", [1.5, np.array([1.0]), "3", None, True])
def test_non_integer_operands_raise(bad):
    with pytest.raises(TypeError, match="add: var1 must be integers"):
        B.add(bad, 1)


# ---------------------------------------------------------------------------------------------
# The C twin


def _word(rng, n, bits):
    """Random Word16 / Word32 operands: a mix of uniform, log-uniform small, corner values and
    values next to both ends of the range (where saturation happens)."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    corners = np.array(W16_CORNERS if bits == 16 else W32_CORNERS, dtype=np.int64)
    uniform = rng.integers(lo, hi + 1, n, dtype=np.int64)
    mag = rng.integers(0, bits, n)
    small = rng.integers(0, 1 << (bits - 1), n, dtype=np.int64) >> (bits - 1 - mag)
    small = np.where(rng.random(n) < 0.5, -small - 1, small)
    corner = corners[rng.integers(0, len(corners), n)]
    edge = np.where(rng.random(n) < 0.5, hi - rng.integers(0, 64, n), lo + rng.integers(0, 64, n))
    pick = rng.integers(0, 4, n)
    return np.choose(pick, [uniform, small, corner, edge])


def _shift(rng, n):
    pick = rng.integers(0, 10, n)
    return np.where(pick < 7, rng.integers(-40, 41, n),
                    np.where(pick < 9, rng.integers(MIN16, MAX16 + 1, n),
                             np.array(SHIFT_CORNERS)[rng.integers(0, len(SHIFT_CORNERS), n)]))


def operands(name, n, rng):
    """(n, 3) int64 records: the corner crossings, then n random operand tuples."""
    grid = np.array(corner_grid(name), dtype=np.int64).reshape(-1, len(kinds(name)))
    if name == "div_s":
        den = np.where(rng.random(n) < 0.2, rng.integers(1, 64, n), rng.integers(1, MAX16 + 1, n))
        num = np.minimum((rng.random(n) * (den + 1)).astype(np.int64), den)
        rnd = np.stack([num, den], 1)
    else:
        rnd = np.stack([_shift(rng, n) if k == "shift" else _word(rng, n, k)
                        for k in kinds(name)], 1)
    rec = np.zeros((len(grid) + n, 3), dtype=np.int64)
    rec[:len(grid), :grid.shape[1]] = grid
    rec[len(grid):, :rnd.shape[1]] = rnd
    return rec, len(grid)


@pytest.fixture(scope="module", params=list(C_BUILDS))
def driver(request):
    opt, flags = C_BUILDS[request.param]
    exe = build.compile_host([ROOT / "tests/c/basicop_driver.c", ROOT / "c_ref/basicop.c"],
                             "basicop_driver", opt, flags)
    return request.param, exe


@pytest.mark.parametrize("name", B.OPERATORS)
def test_c_twin_bit_exact(driver, name):
    kind, exe = driver
    n = 100_000 if kind == "sanitize" else 1_000_000
    rec, n_grid = operands(name, n, np.random.default_rng(B.OPERATORS.index(name)))
    cols = [rec[:, k] for k in range(len(kinds(name)))]
    before = B.overflow_count()
    want = getattr(B, name)(*cols).astype(np.int64)
    want_overflows = B.overflow_count() - before
    got = np.frombuffer(build.run(exe, [name], rec.tobytes()), dtype=np.int64).reshape(-1, 2)
    assert got.shape == (len(rec), 2)
    mismatches = int(np.count_nonzero(got[:, 0] != want))
    c_overflows = int(got[:, 1].sum())
    # per element on the corner crossings: the overflow of each call, not only the total
    grid_flags = [call(name, *map(int, r[:len(cols)]))[1] for r in rec[:n_grid]]
    flag_mismatches = int(np.count_nonzero(got[:n_grid, 1] != np.array(grid_flags)))
    print(f"basicop C twin [{kind}] {name}: {mismatches} mismatches of {len(rec)}, overflows "
          f"C {c_overflows} / Python {want_overflows}, corner flag mismatches {flag_mismatches}")
    assert mismatches == 0
    assert c_overflows == want_overflows
    assert flag_mismatches == 0


@nb.njit(cache=True)
def _shr_half_up_all(x, s):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = P.shr_half_up(x[i], s[i])
    return out


def test_c_twin_shr_half_up(driver):
    kind, exe = driver
    rng = np.random.default_rng(99)
    n = 200_000
    x = rng.integers(-(1 << 63), (1 << 63) - 1, n, dtype=np.int64, endpoint=True)
    x[: n // 4] >>= rng.integers(0, 63, n // 4)                    # small magnitudes too
    s = rng.integers(1, 70, n)
    s[-1000:] = rng.integers(-3, 1, 1000)                          # exact left shifts
    x[-1000:] >>= 8
    rec = np.stack([x, s, np.zeros(n, np.int64)], 1)
    got = np.frombuffer(build.run(exe, ["shr_half_up"], rec.tobytes()), dtype=np.int64)
    mismatches = int(np.count_nonzero(got.reshape(-1, 2)[:, 0] != _shr_half_up_all(x, s)))
    print(f"shr_half_up C twin [{kind}]: {mismatches} mismatches of {n}")
    assert mismatches == 0


def test_c_header_names(root):
    text = Path(root / "c_ref/basicop.h").read_text()
    for name in B.OPERATORS:
        assert f" {name}(" in text, name
