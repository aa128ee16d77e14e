"""ITU-T G.191 STL basic operators (basop32), bit-exact, under their standard names.

The operators model a 16/32-bit DSP: ``Word16`` operands are integers in [-32768, 32767],
``Word32`` operands integers in [-2**31, 2**31 - 1]. Read as fractions, Word16 is Q15 (Q0.15),
Word32 is Q31 (Q0.31), and the doubling multiply ``L_mult`` turns Q15 x Q15 into Q31. The C twin
is ``c_ref/basicop.h`` (same names, ``Word16`` / ``Word32`` types).

Calling convention
    Every operator takes Python ints, numpy integer scalars or integer numpy arrays (any integer
    dtype, broadcast against each other like a ufunc). It returns ``np.int16`` / ``np.int32``
    values: a numpy scalar when every operand is a scalar (or a 0-d array), otherwise an array
    of the broadcast shape. An operand outside its Word16 / Word32 range raises ``FxsimError``
    (a ``ValueError``) naming the operator, the argument and the value; a non-integer operand
    raises ``TypeError``. Shift counts (``var2`` of the shifts) are Word16.

Overflow counter
    The standard sets a global ``Overflow`` flag; here it is a counter: every element-operation
    that saturates adds 1 (at most 1 per element, even when ``L_mac`` saturates both its product
    and its sum). Read it with :func:`overflow_count`, clear it with :func:`reset_overflow`. As in
    the standard, ``abs_s``, ``negate``, ``L_abs`` and ``L_negate`` saturate -32768 / -2**31
    silently, and ``extract_l`` wraps (it is a type cast), without counting.

Rounding and saturation (integers only, through ``fxsim.primitives``)
    ``mult``              Q15 x Q15 -> Q30 product, floor shift by 15, saturate to Q15.
    ``mult_r``            Q30 product, round half towards +inf (add 2**14, floor), saturate.
    ``L_mult``            Q30 product doubled to Q31, saturated (only -32768 * -32768 saturates).
    ``L_mac`` / ``L_msu`` L_mult product (saturated), then a saturating 32-bit add / subtract.
    ``L_mult0``           Q15 x Q15 -> Q30 product, exact (no doubling, cannot overflow).
    ``L_mac0/L_msu0``     exact Q30 product, then a saturating 32-bit add / subtract.
    ``round_fx``          Q31 -> Q15: saturating add of 2**15, then the high half (floor).
    ``mac_r`` / ``msu_r`` L_mac / L_msu, then round_fx.
    ``shr_r`` / ``L_shr_r`` right shift rounding half towards +inf; counts above 15 / 31 give 0.
    ``shl`` / ``L_shl``   saturating left shift; a negative count shifts right (counts below -16
                          / -32 act as -16 / -32). ``shr`` / ``L_shr`` mirror them; right shifts
                          are arithmetic (floor), counts of 15 / 31 or more leave the sign.
    ``norm_s/norm_l``     left shift that normalises (0 -> 0, -1 -> 15 / 31).
    ``div_s``             Q15 quotient var1 / var2 of 0 <= var1 <= var2, var2 > 0, truncated
                          (the standard's 15-step restoring division); div_s(x, x) = 32767.
                          Other operands raise ``FxsimError`` (the standard aborts).

Speed: the scalar semantics are numba functions; arrays run through one compiled loop per
operator (1-2 ms per 10**6 elements for most operators, about 10 ms for norm_s / norm_l, whose
primitive counts bits in a loop); a scalar call costs about 2 microseconds.
"""
from __future__ import annotations

import numba as nb
import numpy as np

from fxsim import primitives as P
from fxsim.errors import FxsimError

_jit = nb.njit(cache=True)

# status of one element-operation, returned next to its value by every scalar operator
_OK, _OVERFLOW, _DOMAIN = 0, 1, 2

_W16_MIN, _W16_MAX = -(1 << 15), (1 << 15) - 1
_W32_MIN, _W32_MAX = -(1 << 31), (1 << 31) - 1

_overflows = 0


def overflow_count() -> int:
    """Number of element-operations that saturated since the last :func:`reset_overflow`."""
    return _overflows


def reset_overflow() -> None:
    """Clear the overflow counter."""
    global _overflows
    _overflows = 0


# ---------------------------------------------------------------------------------------------
# Scalar semantics: int64 operands (already checked to fit their Word16 / Word32 range) in,
# (int64 value, status) out. Helpers without a status never overflow.


@_jit
def _sat16(x):
    v, o = P.saturate(x, 16)
    return v, np.int64(o)


@_jit
def _sat32(x):
    v, o = P.saturate(x, 32)
    return v, np.int64(o)


@_jit
def _shl16(x, n):
    """Word16 x shifted left by n >= 0 and saturated; counts above 16 saturate like 16 does."""
    return _sat16(P.shr_round(x, -min(n, 16), P.FLOOR))


@_jit
def _shr16(x, n):
    """Word16 x shifted right (floor) by n >= 0; 15 or more leaves the sign (0 or -1)."""
    return P.shr_round(x, min(n, 15), P.FLOOR)


@_jit
def _shl32(x, n):
    """Word32 x shifted left by n >= 0 and saturated; counts above 32 saturate like 32 does."""
    return _sat32(P.shr_round(x, -min(n, 32), P.FLOOR))


@_jit
def _shr32(x, n):
    """Word32 x shifted right (floor) by n >= 0; 31 or more leaves the sign (0 or -1)."""
    return P.shr_round(x, min(n, 31), P.FLOOR)


@_jit
def _add(var1, var2):
    return _sat16(var1 + var2)


@_jit
def _sub(var1, var2):
    return _sat16(var1 - var2)


@_jit
def _abs_s(var1):
    v, _ = P.saturate(-var1 if var1 < 0 else var1, 16)   # silent, as in the standard
    return v, np.int64(_OK)


@_jit
def _negate(var1):
    v, _ = P.saturate(-var1, 16)                           # silent, as in the standard
    return v, np.int64(_OK)


@_jit
def _shl(var1, var2):
    if var2 < 0:
        return _shr16(var1, -var2), np.int64(_OK)
    return _shl16(var1, var2)


@_jit
def _shr(var1, var2):
    if var2 < 0:
        return _shl16(var1, -var2)
    return _shr16(var1, var2), np.int64(_OK)


@_jit
def _mult(var1, var2):
    return _sat16(P.mul_round(var1, var2, 15, P.FLOOR))


@_jit
def _mult_r(var1, var2):
    return _sat16(P.shr_half_up(var1 * var2, 15))


@_jit
def _L_mult(var1, var2):
    return _sat32(P.mul_round(var1, var2, -1, P.FLOOR))


@_jit
def _L_mac(L_var3, var1, var2):
    product, o1 = _L_mult(var1, var2)
    v, o2 = P.add(L_var3, product, 32, P.SATURATE)
    return v, o1 | np.int64(o2)


@_jit
def _L_msu(L_var3, var1, var2):
    product, o1 = _L_mult(var1, var2)
    v, o2 = P.add(L_var3, -product, 32, P.SATURATE)
    return v, o1 | np.int64(o2)


@_jit
def _L_add(L_var1, L_var2):
    return _sat32(L_var1 + L_var2)


@_jit
def _L_sub(L_var1, L_var2):
    return _sat32(L_var1 - L_var2)


@_jit
def _L_negate(L_var1):
    v, _ = P.saturate(-L_var1, 32)                         # silent, as in the standard
    return v, np.int64(_OK)


@_jit
def _L_abs(L_var1):
    v, _ = P.saturate(-L_var1 if L_var1 < 0 else L_var1, 32)
    return v, np.int64(_OK)


@_jit
def _extract_h(L_var1):
    return P.shr_round(L_var1, 16, P.FLOOR), np.int64(_OK)


@_jit
def _extract_l(L_var1):
    v, _ = P.wrap(L_var1, 16)                              # a cast: keeps the low 16 bits
    return v, np.int64(_OK)


@_jit
def _round_fx(L_var1):
    v, o = _sat32(L_var1 + 0x8000)
    return P.shr_round(v, 16, P.FLOOR), o


@_jit
def _mac_r(L_var3, var1, var2):
    acc, o1 = _L_mac(L_var3, var1, var2)
    v, o2 = _round_fx(acc)
    return v, o1 | o2


@_jit
def _msu_r(L_var3, var1, var2):
    acc, o1 = _L_msu(L_var3, var1, var2)
    v, o2 = _round_fx(acc)
    return v, o1 | o2


@_jit
def _L_shl(L_var1, var2):
    if var2 <= 0:
        return _shr32(L_var1, -var2), np.int64(_OK)
    return _shl32(L_var1, var2)


@_jit
def _L_shr(L_var1, var2):
    if var2 < 0:
        return _shl32(L_var1, -var2)
    return _shr32(L_var1, var2), np.int64(_OK)


@_jit
def _shr_r(var1, var2):
    if var2 > 15:
        return np.int64(0), np.int64(_OK)
    if var2 <= 0:
        return _shr(var1, var2)
    return P.shr_half_up(var1, var2), np.int64(_OK)


@_jit
def _L_shr_r(L_var1, var2):
    if var2 > 31:
        return np.int64(0), np.int64(_OK)
    if var2 <= 0:
        return _L_shr(L_var1, var2)
    return P.shr_half_up(L_var1, var2), np.int64(_OK)


@_jit
def _L_deposit_h(var1):
    return P.shr_round(var1, -16, P.FLOOR), np.int64(_OK)


@_jit
def _L_deposit_l(var1):
    return var1, np.int64(_OK)


@_jit
def _norm_s(var1):
    return np.int64(P.norm(var1, 16)), np.int64(_OK)


@_jit
def _norm_l(L_var1):
    return np.int64(P.norm(L_var1, 32)), np.int64(_OK)


@_jit
def _div_s(var1, var2):
    if var1 < 0 or var2 <= 0 or var1 > var2:
        return np.int64(0), np.int64(_DOMAIN)
    if var1 == var2:
        return np.int64(_W16_MAX), np.int64(_OK)
    # 15 restoring-division steps produce exactly the truncated quotient var1 * 2**15 / var2
    return P.div_round(var1 << 15, var2, P.FLOOR), np.int64(_OK)


@_jit
def _L_mult0(var1, var2):
    return P.mul_round(var1, var2, 0, P.FLOOR), np.int64(_OK)


@_jit
def _L_mac0(L_var3, var1, var2):
    v, o = P.mac(L_var3, var1, var2, 32, P.SATURATE)
    return v, np.int64(o)


@_jit
def _L_msu0(L_var3, var1, var2):
    v, o = P.msu(L_var3, var1, var2, 32, P.SATURATE)
    return v, np.int64(o)


# ---------------------------------------------------------------------------------------------
# Operator table: name -> (scalar function, operand widths, result width). The position in the
# table is the operator's code, which _unary / _binary / _ternary switch on (a constant in each
# compiled loop): keep the order, append new operators at the end.

_TABLE = [
    ("add", _add, (16, 16), 16), ("sub", _sub, (16, 16), 16), ("abs_s", _abs_s, (16,), 16),
    ("shl", _shl, (16, 16), 16), ("shr", _shr, (16, 16), 16), ("mult", _mult, (16, 16), 16),
    ("mult_r", _mult_r, (16, 16), 16), ("L_mult", _L_mult, (16, 16), 32),
    ("L_mac", _L_mac, (32, 16, 16), 32), ("L_msu", _L_msu, (32, 16, 16), 32),
    ("L_add", _L_add, (32, 32), 32), ("L_sub", _L_sub, (32, 32), 32),
    ("L_negate", _L_negate, (32,), 32), ("negate", _negate, (16,), 16),
    ("extract_h", _extract_h, (32,), 16), ("extract_l", _extract_l, (32,), 16),
    ("round_fx", _round_fx, (32,), 16), ("mac_r", _mac_r, (32, 16, 16), 16),
    ("msu_r", _msu_r, (32, 16, 16), 16), ("L_shl", _L_shl, (32, 16), 32),
    ("L_shr", _L_shr, (32, 16), 32), ("shr_r", _shr_r, (16, 16), 16),
    ("L_shr_r", _L_shr_r, (32, 16), 32), ("L_deposit_h", _L_deposit_h, (16,), 32),
    ("L_deposit_l", _L_deposit_l, (16,), 32), ("L_abs", _L_abs, (32,), 32),
    ("norm_s", _norm_s, (16,), 16), ("norm_l", _norm_l, (32,), 16), ("div_s", _div_s, (16, 16), 16),
    ("L_mult0", _L_mult0, (16, 16), 32), ("L_mac0", _L_mac0, (32, 16, 16), 32),
    ("L_msu0", _L_msu0, (32, 16, 16), 32),
]
_CODE = {name: i for i, (name, *_rest) in enumerate(_TABLE)}
OPERATORS = tuple(name for name, *_rest in _TABLE)
"""The standard names of all operators, in a fixed order."""


@_jit
def _unary(code, a):
    if code == 2:
        return _abs_s(a)
    if code == 12:
        return _L_negate(a)
    if code == 13:
        return _negate(a)
    if code == 14:
        return _extract_h(a)
    if code == 15:
        return _extract_l(a)
    if code == 16:
        return _round_fx(a)
    if code == 23:
        return _L_deposit_h(a)
    if code == 24:
        return _L_deposit_l(a)
    if code == 25:
        return _L_abs(a)
    if code == 26:
        return _norm_s(a)
    return _norm_l(a)


@_jit
def _binary(code, a, b):
    if code == 0:
        return _add(a, b)
    if code == 1:
        return _sub(a, b)
    if code == 3:
        return _shl(a, b)
    if code == 4:
        return _shr(a, b)
    if code == 5:
        return _mult(a, b)
    if code == 6:
        return _mult_r(a, b)
    if code == 7:
        return _L_mult(a, b)
    if code == 10:
        return _L_add(a, b)
    if code == 11:
        return _L_sub(a, b)
    if code == 19:
        return _L_shl(a, b)
    if code == 20:
        return _L_shr(a, b)
    if code == 21:
        return _shr_r(a, b)
    if code == 22:
        return _L_shr_r(a, b)
    if code == 28:
        return _div_s(a, b)
    return _L_mult0(a, b)


@_jit
def _ternary(code, a, b, c):
    if code == 8:
        return _L_mac(a, b, c)
    if code == 9:
        return _L_msu(a, b, c)
    if code == 17:
        return _mac_r(a, b, c)
    if code == 18:
        return _msu_r(a, b, c)
    if code == 30:
        return _L_mac0(a, b, c)
    return _L_msu0(a, b, c)


def _bounds(bits):
    return (_W16_MIN, _W16_MAX) if bits == 16 else (_W32_MIN, _W32_MAX)


# Array loops. Each is a closure over its operator's code and operand bounds: numba treats them
# as constants (the switch above folds away) and caches one entry per operator and signature.
# A loop returns (overflows, index of the first bad element or -1, what was bad: 1 + operand
# position for an operand out of range, 0 for a domain error).

def _loop1(code, bits):
    lo0, hi0 = _bounds(bits[0])

    @nb.njit(cache=True)
    def loop(a0, out):
        n = 0
        for i in range(out.size):
            x0 = np.int64(a0[i])
            if x0 < lo0 or x0 > hi0:
                return n, i, 1
            v, st = _unary(code, x0)
            out[i] = v
            n += st
        return n, -1, 0
    return loop


def _loop2(code, bits):
    (lo0, hi0), (lo1, hi1) = _bounds(bits[0]), _bounds(bits[1])

    @nb.njit(cache=True)
    def loop(a0, a1, out):
        n = 0
        for i in range(out.size):
            x0 = np.int64(a0[i])
            x1 = np.int64(a1[i])
            if x0 < lo0 or x0 > hi0:
                return n, i, 1
            if x1 < lo1 or x1 > hi1:
                return n, i, 2
            v, st = _binary(code, x0, x1)
            if st == _DOMAIN:
                return n, i, 0
            out[i] = v
            n += st
        return n, -1, 0
    return loop


def _loop3(code, bits):
    (lo0, hi0), (lo1, hi1), (lo2, hi2) = (_bounds(b) for b in bits)

    @nb.njit(cache=True)
    def loop(a0, a1, a2, out):
        n = 0
        for i in range(out.size):
            x0 = np.int64(a0[i])
            x1 = np.int64(a1[i])
            x2 = np.int64(a2[i])
            if x0 < lo0 or x0 > hi0:
                return n, i, 1
            if x1 < lo1 or x1 > hi1:
                return n, i, 2
            if x2 < lo2 or x2 > hi2:
                return n, i, 3
            v, st = _ternary(code, x0, x1, x2)
            out[i] = v
            n += st
        return n, -1, 0
    return loop


class _Op:
    """One operator: its scalar function, array loop, operand names and bounds."""

    __slots__ = ("name", "scalar", "loop", "args", "bits", "bounds", "out_dtype", "box")

    def __init__(self, name, scalar, bits, out_bits, args):
        self.name, self.scalar, self.bits, self.args = name, scalar, bits, args
        self.bounds = tuple(_bounds(b) for b in bits)
        self.loop = (_loop1, _loop2, _loop3)[len(bits) - 1](_CODE[name], bits)
        self.out_dtype = np.dtype(np.int16 if out_bits == 16 else np.int32)
        # scalar results are boxed through a 1-element array: 4x cheaper than np.int16(v)
        self.box = np.zeros(1, self.out_dtype)


def _arg_names(name, bits):
    if len(bits) == 3:
        return ("L_var3", "var1", "var2")
    first = "L_var1" if bits[0] == 32 else "var1"
    if len(bits) == 1:
        return (first,)
    return (first, "L_var2" if bits[1] == 32 else "var2")


_OPS = {name: _Op(name, f, bits, out, _arg_names(name, bits)) for name, f, bits, out in _TABLE}


def _range_error(op, k, value):
    lo, hi = op.bounds[k]
    word = "Word16" if op.bits[k] == 16 else "Word32"
    return FxsimError(f"{op.name}: {op.args[k]} = {value} is outside the {word} range [{lo}, {hi}]")


def _domain_error(var1, var2):
    return FxsimError(f"div_s: needs 0 <= var1 <= var2 and var2 > 0, got var1 = {var1}, "
                      f"var2 = {var2}")


def _as_int(x):
    """x as a Python int if it is an integer scalar, else None."""
    if type(x) is int:
        return x
    if isinstance(x, np.integer):
        return int(x)
    return None


def _as_array(op, k, x):
    a = np.asarray(x)
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "O" and all(type(v) is int for v in a.flat):   # ints beyond int64
            for v in a.flat:
                if not op.bounds[k][0] <= v <= op.bounds[k][1]:
                    raise _range_error(op, k, v)
            return a.astype(np.int64)
        raise TypeError(f"{op.name}: {op.args[k]} must be integers, got {a.dtype} data")
    if a.dtype == np.uint64:                  # numba would wrap values above 2**63 to negatives
        if a.size and int(a.max()) > op.bounds[k][1]:
            raise _range_error(op, k, int(a.max()))
        a = a.astype(np.int64)
    return a


def _flat(a, shape, n):
    """a as a 1-d array of n elements following the broadcast ``shape`` (a view when possible)."""
    if a.shape == shape:
        return a.reshape(-1)
    if a.size == 1:
        return np.broadcast_to(a.reshape(1), (n,))
    return np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1)


def _apply_arrays(op, args):
    global _overflows
    arrays = [_as_array(op, k, x) for k, x in enumerate(args)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    n = 1
    for d in shape:
        n *= d
    flat = [_flat(a, shape, n) for a in arrays]
    out = np.empty(n, op.out_dtype)
    count, bad, what = op.loop(*flat, out)
    if bad >= 0:
        if what == 0:
            raise _domain_error(int(flat[0][bad]), int(flat[1][bad]))
        raise _range_error(op, what - 1, int(flat[what - 1][bad]))
    _overflows += count
    return out[0] if shape == () else out.reshape(shape)


def _apply(op, *args):
    """Run op on scalars (fast path) or arrays."""
    global _overflows
    ints = []
    for k, x in enumerate(args):
        v = x if type(x) is int else _as_int(x)
        if v is None:
            return _apply_arrays(op, args)
        lo, hi = op.bounds[k]
        if not lo <= v <= hi:
            raise _range_error(op, k, v)
        ints.append(v)
    v, st = op.scalar(*ints)
    if st:
        if st == _DOMAIN:
            raise _domain_error(*ints)
        _overflows += 1
    box = op.box
    box[0] = v
    return box[0]


# ---------------------------------------------------------------------------------------------
# The public operators. Q formats read Word16 as Q15 and Word32 as Q31.

def add(var1, var2):
    """var1 + var2, saturated to Word16 (counts an overflow when it saturates)."""
    return _apply(_OPS["add"], var1, var2)


def sub(var1, var2):
    """var1 - var2, saturated to Word16."""
    return _apply(_OPS["sub"], var1, var2)


def abs_s(var1):
    """|var1| as Word16; abs_s(-32768) = 32767 without counting an overflow (as the standard)."""
    return _apply(_OPS["abs_s"], var1)


def shl(var1, var2):
    """var1 shifted left by var2, saturated to Word16; var2 < 0 shifts right by -var2
    (counts below -16 act as -16)."""
    return _apply(_OPS["shl"], var1, var2)


def shr(var1, var2):
    """var1 shifted right arithmetically (floor) by var2; 15 or more leaves the sign (0 / -1).
    var2 < 0 is a saturating left shift by -var2 (counts below -16 act as -16)."""
    return _apply(_OPS["shr"], var1, var2)


def mult(var1, var2):
    """Q15 x Q15 -> Q15: (var1 * var2) >> 15 with floor, saturated; mult(-32768, -32768) =
    32767 with an overflow."""
    return _apply(_OPS["mult"], var1, var2)


def mult_r(var1, var2):
    """Q15 x Q15 -> Q15 rounded: (var1 * var2 + 2**14) >> 15 (half towards +inf), saturated."""
    return _apply(_OPS["mult_r"], var1, var2)


def L_mult(var1, var2):
    """Q15 x Q15 -> Q31: 2 * var1 * var2 saturated to Word32; L_mult(-32768, -32768) =
    0x7fffffff with an overflow."""
    return _apply(_OPS["L_mult"], var1, var2)


def L_mac(L_var3, var1, var2):
    """L_add(L_var3, L_mult(var1, var2)): Q31 accumulate, saturating after the product and after
    the sum (one overflow counted per element even if both saturate)."""
    return _apply(_OPS["L_mac"], L_var3, var1, var2)


def L_msu(L_var3, var1, var2):
    """L_sub(L_var3, L_mult(var1, var2)), saturating after the product and after the
    difference."""
    return _apply(_OPS["L_msu"], L_var3, var1, var2)


def L_add(L_var1, L_var2):
    """L_var1 + L_var2, saturated to Word32."""
    return _apply(_OPS["L_add"], L_var1, L_var2)


def L_sub(L_var1, L_var2):
    """L_var1 - L_var2, saturated to Word32."""
    return _apply(_OPS["L_sub"], L_var1, L_var2)


def L_negate(L_var1):
    """-L_var1 as Word32; L_negate(-2**31) = 0x7fffffff without counting (as the standard)."""
    return _apply(_OPS["L_negate"], L_var1)


def negate(var1):
    """-var1 as Word16; negate(-32768) = 32767 without counting (as the standard)."""
    return _apply(_OPS["negate"], var1)


def extract_h(L_var1):
    """The high 16 bits of L_var1 (L_var1 >> 16, floor): Q31 -> Q15 truncated."""
    return _apply(_OPS["extract_h"], L_var1)


def extract_l(L_var1):
    """The low 16 bits of L_var1 as a signed Word16 (a wrapping cast, never counted)."""
    return _apply(_OPS["extract_l"], L_var1)


def round_fx(L_var1):
    """Q31 -> Q15 rounded: extract_h(L_add(L_var1, 0x8000)) (the standard's ``round``); the add
    saturates, so round_fx(0x7fffffff) = 32767 with an overflow."""
    return _apply(_OPS["round_fx"], L_var1)


def mac_r(L_var3, var1, var2):
    """round_fx(L_mac(L_var3, var1, var2)): accumulate in Q31, round to Q15."""
    return _apply(_OPS["mac_r"], L_var3, var1, var2)


def msu_r(L_var3, var1, var2):
    """round_fx(L_msu(L_var3, var1, var2))."""
    return _apply(_OPS["msu_r"], L_var3, var1, var2)


def L_shl(L_var1, var2):
    """L_var1 shifted left by var2, saturated to Word32; var2 <= 0 shifts right by -var2
    (counts below -32 act as -32)."""
    return _apply(_OPS["L_shl"], L_var1, var2)


def L_shr(L_var1, var2):
    """L_var1 shifted right arithmetically (floor) by var2; 31 or more leaves the sign.
    var2 < 0 is a saturating left shift by -var2 (counts below -32 act as -32)."""
    return _apply(_OPS["L_shr"], L_var1, var2)


def shr_r(var1, var2):
    """var1 >> var2 rounded half towards +inf (shr plus the last bit shifted out) for
    1 <= var2 <= 15; 0 for var2 > 15; shr(var1, var2) for var2 <= 0."""
    return _apply(_OPS["shr_r"], var1, var2)


def L_shr_r(L_var1, var2):
    """L_var1 >> var2 rounded half towards +inf for 1 <= var2 <= 31; 0 for var2 > 31;
    L_shr(L_var1, var2) for var2 <= 0."""
    return _apply(_OPS["L_shr_r"], L_var1, var2)


def L_deposit_h(var1):
    """var1 << 16 as Word32 (Q15 -> Q31, exact)."""
    return _apply(_OPS["L_deposit_h"], var1)


def L_deposit_l(var1):
    """var1 sign-extended to Word32."""
    return _apply(_OPS["L_deposit_l"], var1)


def L_abs(L_var1):
    """|L_var1| as Word32; L_abs(-2**31) = 0x7fffffff without counting (as the standard)."""
    return _apply(_OPS["L_abs"], L_var1)


def norm_s(var1):
    """Left shift that normalises var1 (redundant sign bits): norm_s(0) = 0, norm_s(-1) = 15."""
    return _apply(_OPS["norm_s"], var1)


def norm_l(L_var1):
    """Left shift that normalises L_var1: norm_l(0) = 0, norm_l(-1) = 31 (a Word16 result)."""
    return _apply(_OPS["norm_l"], L_var1)


def div_s(var1, var2):
    """Q15 quotient var1 / var2 truncated, for 0 <= var1 <= var2 and var2 > 0 (the standard's
    15-step division); div_s(x, x) = 32767. Other operands raise ``FxsimError``."""
    return _apply(_OPS["div_s"], var1, var2)


def L_mult0(var1, var2):
    """var1 * var2 exactly, as Word32 (no doubling: Q15 x Q15 -> Q30; cannot overflow)."""
    return _apply(_OPS["L_mult0"], var1, var2)


def L_mac0(L_var3, var1, var2):
    """L_var3 + var1 * var2 (no doubling), the sum saturated to Word32."""
    return _apply(_OPS["L_mac0"], L_var3, var1, var2)


def L_msu0(L_var3, var1, var2):
    """L_var3 - var1 * var2 (no doubling), the difference saturated to Word32."""
    return _apply(_OPS["L_msu0"], L_var3, var1, var2)
