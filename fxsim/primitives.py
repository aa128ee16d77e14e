"""The integer primitive layer: one definition of every fixed-point operation.

Every kernel does its fixed-point arithmetic through these functions and nothing else; the C twin
is ``c_ref/fxsim_prim.h``, function for function, with the same names minus the ``fx_`` prefix.
All values travel as int64 and every result is defined with integer operations only.

Rounding modes (``shr_round``) for a right shift by ``s`` bits, i.e. division by 2**s:
  FLOOR       towards -inf (a plain arithmetic shift, what most DSPs do for free)
  CEIL        towards +inf
  ZERO        towards zero (truncation of the magnitude)
  NEAREST     to nearest, ties away from zero
  CONVERGENT  to nearest, ties to even
Overflow modes, when a value must fit ``bits`` signed bits:
  SATURATE    clamp to [-2**(bits-1), 2**(bits-1) - 1]
  WRAP        two's-complement wrap-around
  ERROR       the caller reports a RangeError (the primitives saturate and flag it)

Functions that may overflow return ``(value, overflowed)`` so callers can count saturations.
"""
import numba as nb
import numpy as np

FLOOR, CEIL, ZERO, NEAREST, CONVERGENT = 0, 1, 2, 3, 4
SATURATE, WRAP, ERROR = 0, 1, 2

ROUNDING_NAMES = ("floor", "ceil", "zero", "nearest", "convergent")
OVERFLOW_NAMES = ("saturate", "wrap", "error")

_jit = nb.njit(cache=True, inline="always")
_INT64_MIN = np.int64(-(1 << 63))


@nb.njit(cache=True)                          # the cold path: a call, not inlined into hot loops
def _shr_round_wide(x, s, mode):
    """shr_round for s >= 64, where 2**s and half = 2**(s-1) do not fit int64 (integers only).
    The floor quotient is 0 (x >= 0) or -1 (x < 0); x = 0 is the only exact case. Otherwise
    0 < |x| / 2**s <= 1/2, with 1/2 only for x = -2**63 and s = 64: to nearest, everything but
    that tie rounds to 0, and the tie -1/2 goes to -1 (NEAREST) or to the even 0 (CONVERGENT)."""
    if x == 0:
        return np.int64(0)
    if mode == FLOOR:
        return np.int64(-1) if x < 0 else np.int64(0)
    if mode == CEIL:
        return np.int64(1) if x > 0 else np.int64(0)
    if mode == NEAREST and s == 64 and x == _INT64_MIN:       # the tie -2**63 / 2**64
        return np.int64(-1)
    return np.int64(0)                         # ZERO, and NEAREST/CONVERGENT below 1/2


@_jit
def shr_round(x, s, mode):
    """x / 2**s rounded by ``mode``; s <= 0 is an exact left shift (the caller ensures it fits).

    Exact for every int64 x and every s >= 0. The remainder is taken from the low bits so nothing
    can overflow: the result has magnitude at most |x| / 2**s + 1. Shifts up to 63 take the fast
    path (for s = 63 the quotient is 0 or -1 and the remainder < 2**63 still fits int64);
    s >= 64 is ``_shr_round_wide``."""
    if s <= 0:
        return x << (-s)
    if s > 63:
        return _shr_round_wide(x, s, mode)
    q = x >> s
    r = x & ~(np.int64(-1) << s)               # 0 <= r < 2**s, exact for negative x too
    if mode == NEAREST and s < 63:
        # the carry without branches (as the C twin): r + 2^(s-1) - [x < 0] < 2^63 here
        return q + ((r + (np.int64(1) << (s - 1)) - np.int64(x < 0)) >> s)
    if r == 0 or mode == FLOOR:
        return q
    if mode == CEIL:
        return q + 1
    if mode == ZERO:
        return q + 1 if x < 0 else q
    half = np.int64(1) << (s - 1)
    if r > half:
        return q + 1
    if r < half:
        return q
    if mode == NEAREST:                        # tie: away from zero
        return q + 1 if x >= 0 else q
    return q + (q & 1)                         # CONVERGENT tie: to even


@_jit
def max_int(bits):
    """Largest value of a ``bits``-bit signed word (bits <= 64)."""
    return np.int64((np.uint64(1) << np.uint64(bits - 1)) - np.uint64(1))


@_jit
def min_int(bits):
    """Smallest value of a ``bits``-bit signed word (bits <= 64)."""
    return -max_int(bits) - 1


@_jit
def saturate(x, bits):
    """Clamp x to a ``bits``-bit signed word; returns (value, saturated)."""
    hi = max_int(bits)
    lo = -hi - 1
    if x > hi:
        return hi, True
    if x < lo:
        return lo, True
    return x, False


@_jit
def wrap(x, bits):
    """Two's-complement wrap of x to ``bits`` signed bits; returns (value, wrapped)."""
    if bits >= 64:
        return x, False
    sh = 64 - bits
    v = (x << sh) >> sh
    return v, v != x


@_jit
def fit(x, bits, overflow):
    """Make x fit ``bits`` signed bits by the overflow mode; returns (value, overflowed).
    ERROR saturates and flags: the caller turns the flag into a RangeError."""
    if overflow == WRAP:
        return wrap(x, bits)
    return saturate(x, bits)


@_jit
def add_sat64(a, b):
    """a + b saturated to int64 (an int64 sum that overflows is detected by its sign)."""
    s = np.int64(np.uint64(a) + np.uint64(b))
    if (a >= 0) == (b >= 0) and (s >= 0) != (a >= 0):
        return (max_int(64), True) if a >= 0 else (min_int(64), True)
    return s, False


@_jit
def add_wrap64(a, b):
    """a + b wrapped to int64."""
    return np.int64(np.uint64(a) + np.uint64(b))


@_jit
def add(a, b, bits, overflow):
    """a + b made to fit ``bits`` (<= 64) signed bits; returns (value, overflowed).
    Operands must already fit ``bits``."""
    if bits < 64:
        return fit(a + b, bits, overflow)
    if overflow == WRAP:
        return add_wrap64(a, b), False
    return add_sat64(a, b)


@_jit
def mul_round(a, b, shift, mode):
    """(a * b) / 2**shift rounded by ``mode``. Operands are at most 32 bits wide, so the exact
    product fits int64 (16x16 -> 32, 32x16 -> 48, 32x32 -> 63 bits)."""
    return shr_round(a * b, shift, mode)


@_jit
def mac(acc, a, b, acc_bits, overflow):
    """acc + a * b in an ``acc_bits``-bit accumulator (32, 40 or 64) that saturates or wraps;
    returns (acc, overflowed). The product of two <= 32-bit operands is exact."""
    return add(acc, a * b, acc_bits, overflow)


@_jit
def msu(acc, a, b, acc_bits, overflow):
    """acc - a * b in an ``acc_bits``-bit accumulator; returns (acc, overflowed)."""
    return add(acc, -(a * b), acc_bits, overflow)


@_jit
def bit_length(v):
    """Number of significant bits of v >= 0 (0 for 0): a branch-light binary search."""
    n = 0
    for step in (32, 16, 8, 4, 2, 1):
        if v >= (np.int64(1) << step):
            v >>= step
            n += step
    return n + v


@_jit
def norm(x, bits):
    """Redundant sign bits of x as a ``bits``-bit signed word: the left shift that normalises it.
    norm(0) = 0 and norm(-1) = bits - 1, as the ITU-T norm_s / norm_l define it."""
    if x == 0:
        return 0
    v = x if x >= 0 else ~x                    # both have the same number of sign bits
    return bits - 1 - bit_length(v)


@nb.njit(cache=True)
def shr_round_array(x, s, mode):
    """shr_round over an int64 array with per-element shifts (used by quantize)."""
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = shr_round(x[i], s[i], mode)
    return out


@_jit
def div_round(num, den, mode):
    """num / den rounded by ``mode`` (the same five modes as shr_round), integers only.
    Requires den != 0 and num, den > -2**63; the quotient's magnitude is at most |num|. The
    magnitudes are divided (so C's truncating ``/`` and Python's flooring ``//`` agree), then the
    remainder decides the rounding."""
    neg = (num < 0) != (den < 0)
    a = -num if num < 0 else num
    b = -den if den < 0 else den
    q = a // b
    r = a - q * b                              # 0 <= r < b
    if r != 0:
        if mode == FLOOR:
            q += 1 if neg else 0
        elif mode == CEIL:
            q += 0 if neg else 1
        elif mode == NEAREST:                  # tie (r == b - r): away from zero
            q += 1 if r >= b - r else 0
        elif mode == CONVERGENT:               # tie: to even
            q += 1 if (r > b - r or (r == b - r and (q & 1) == 1)) else 0
    return -q if neg else q


@_jit
def mac_exact(acc, a, b):
    """acc + a * b with no overflow handling: for loops where the caller has proved that every
    partial sum fits (e.g. sum |coef| * max |x| < 2**(acc_bits - 1)), so saturating or wrapping
    could never act. Same result as ``mac`` there, without its branches."""
    return acc + a * b


@_jit
def mac_exact32(acc, a, b):
    """acc + a * b in 32 bits (returns int32), for loops where the caller has proved every partial
    sum fits a signed 32-bit word; lets numba vectorise 16-bit dot products. Exact there."""
    return np.int32(np.int32(acc) + np.int32(a) * np.int32(b))


@_jit
def mac_shr(acc, a, b, n):
    """acc + floor(a b / 2^n) with no overflow handling (as ``mac_exact``: the caller has proved
    every partial sum fits). Each product loses its n low bits before it is added: with a 32-bit
    a, a 16-bit b and n = 16 this is the Cortex-M4's SMLAWB / SMLAWT (the top 32 bits of the
    48-bit product), one instruction a tap. Its C twins: fx_mac_shr (64-bit accumulator) and
    fx_mac_shr32 (32-bit)."""
    return acc + ((a * b) >> n)


@_jit
def mac_wide(acc, a, b):
    """acc + a b for a, b that fit 32 bits, exact (as ``mac_exact``); its C twin fx_mac_wide
    takes 32-bit operands into a 64-bit accumulator: ``smlal``, one SMLAL on the Cortex-M4."""
    return smlal(a, b, acc)


@_jit
def fit32(x, bits, overflow):
    """``fit`` for a value that fits 32 bits and bits <= 32, value only; its C twin fx_fit32 does
    32-bit compares (the saturation count: ``fit``'s flag)."""
    return fit(x, bits, overflow)[0]


@_jit
def shl32(x, s):
    """x 2**s for results that fit 32 bits; C twin fx_shl32."""
    return x << s


@_jit
def shr_half_up(x, s):
    """x / 2**s rounded to nearest with ties towards +inf: floor(x / 2**s + 1/2), the rounding
    of "add half an LSB, then shift" used by the ITU-T basic operators (mult_r, shr_r, round)
    and most DSPs. Computed as the floor shift plus the first dropped bit, so x + half never
    overflows; exact for every int64 x and every s (s <= 0 is an exact left shift)."""
    if s <= 0:
        return x << (-s)
    if s >= 64:
        return np.int64(0)                     # |x| / 2**s <= 1/2 rounds to 0
    return (x >> s) + ((x >> (s - 1)) & 1)


@_jit
def shr_round_small(x, s, mode):
    """``shr_round`` for operands with headroom, |x| <= 2**63 - 2**s and 0 <= s <= 62 (so that
    x + c cannot overflow): the rounding folded into one carry-in, x / 2**s = (x + c) >> s, with c = 0 (FLOOR), 2**s - 1 (CEIL),
    2**s - 1 for negative x (ZERO), 2**(s-1) - [x < 0] (NEAREST, ties away from zero) and
    2**(s-1) - 1 + [floor(x / 2**s) odd] (CONVERGENT). Equal to shr_round on that domain (the sum
    cannot overflow); one add and one shift where the generated C's sums are known to be small
    (the FFT butterflies)."""
    if s <= 0:
        return x
    one = np.int64(1)
    if mode == NEAREST:                        # the default first: one test in the hot loops
        c = (one << (s - 1)) + (x >> 63)
    elif mode == FLOOR:
        c = np.int64(0)
    elif mode == CEIL:
        c = (one << s) - 1
    elif mode == ZERO:
        c = (x >> 63) & ((one << s) - 1)
    else:
        c = (one << (s - 1)) - 1 + ((x >> s) & 1)
    return (x + c) >> s


@_jit
def round_preload(s, mode):
    """The part of ``shr_round_small(x, s, mode)``'s carry that does not depend on x, for a
    kernel to start its accumulator at: 2^s - 1 (CEIL), 2^(s-1) - 1 (NEAREST: the carry of a
    negative x), 0 (FLOOR, ZERO, CONVERGENT, and s <= 0). ``shr_preloaded`` finishes the
    rounding exactly; unlike ``round_carry`` no mode changes."""
    if s <= 0:
        return np.int64(0)
    if mode == CEIL:
        return (np.int64(1) << s) - 1
    if mode == NEAREST:
        return (np.int64(1) << (s - 1)) - 1
    return np.int64(0)


@_jit
def shr_preloaded(xc, s, mode):
    """``shr_round_small(x, s, mode)`` from xc = x + round_preload(s, mode), on the same domain:
    FLOOR, CEIL: xc >> s. NEAREST: (xc + [xc >= 0]) >> s: x's carry is 2^(s-1) - [x < 0], and
    [xc >= 0] differs from [x >= 0] only for -2^(s-1) < x < 0, where both round to 0. ZERO,
    CONVERGENT: nothing was preloaded, ``shr_round_small`` itself. On the Cortex-M4's 64-bit
    sums (NEAREST) one instruction fewer than ``shr_round_small``: the constant's ADDS / ADC go,
    and [xc >= 0] (MVN, LSR) costs one more than the sign word (ASR)."""
    if s <= 0:
        return xc
    if mode == NEAREST:
        return (xc + 1 + (xc >> 63)) >> s
    if mode == FLOOR or mode == CEIL:
        return xc >> s
    return shr_round_small(xc, s, mode)


@_jit
def round_carry(mode, s):
    """How a kernel rounds x / 2^s when it adds the rounding ahead of time: (c, m), the result
    being (x + c) >> s with mode m, so that c can be folded into a sum's first term or an
    accumulator's start (one shift per output, no sign test). nearest and convergent: c = 2^(s-1),
    m = FLOOR, to nearest with ties up; ceil: c = 2^s - 1, FLOOR; floor: 0, FLOOR; zero keeps its
    sign-dependent carry: 0, ZERO. Where the value has guard bits below its LSB's half the tie
    rule moves no statistic (the FFT, the biquad)."""
    if s <= 0 or mode == FLOOR or mode == ZERO:
        return np.int64(0), mode
    if mode == CEIL:
        return (np.int64(1) << s) - 1, FLOOR
    return np.int64(1) << (s - 1), FLOOR


def round_carry_name(mode: int) -> str:
    """``round_carry``'s rounding in words, for the stages' statements."""
    return "nearest, ties up" if mode in (NEAREST, CONVERGENT) else ROUNDING_NAMES[mode]


@_jit
def mac16x2_exact(acc, c0, x0, c1, x1):
    """acc + c0 x0 + c1 x1 for 16-bit operands, exact (no partial sum can overflow): two
    ``mac_exact``. Its C twin fx_mac16x2_exact is one SMLALD on the Cortex-M4."""
    return acc + c0 * x0 + c1 * x1


# --- Cortex-M4 DSP instructions -----------------------------------------------------------------
# Each instruction a template may emit is a primitive: its Python twin here, its C twin
# fx_<name> in fxsim_prim.h (the ACLE intrinsic under FXSIM_USE_DSP, plain C otherwise), tested
# bit-exact against each other on the host and on the M4, both paths. Registers are int32 values
# carried in int64; a "pair" register holds two int16 halves, bottom (bits 0-15) and top (16-31).
# Semantics as the ARMv7-M Architecture Reference Manual states them: 32-bit results wrap (the
# hardware sets the Q flag, which nothing here reads), 64-bit accumulators wrap at 64 bits.

@_jit
def wrap32(v):
    """v modulo 2**32 as a signed 32-bit value."""
    return ((v + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


@_jit
def bottom16(w):
    """The signed bottom half of a 32-bit register."""
    return ((w & 0xFFFF) ^ 0x8000) - 0x8000


@_jit
def top16(w):
    """The signed top half of a 32-bit register."""
    return wrap32(w) >> 16


@_jit
def pack16x2(bottom, top):
    """Two int16 values as one pair register (what a 32-bit load of int16 b, t gives)."""
    return wrap32((bottom & 0xFFFF) | (top << 16))


@_jit
def smuad(x, y):
    """SMUAD: x.b y.b + x.t y.t, wrapped to 32 bits (only -32768^2 * 2 overflows)."""
    return wrap32(bottom16(x) * bottom16(y) + top16(x) * top16(y))


@_jit
def smuadx(x, y):
    """SMUADX: x.b y.t + x.t y.b, wrapped to 32 bits."""
    return wrap32(bottom16(x) * top16(y) + top16(x) * bottom16(y))


@_jit
def smusd(x, y):
    """SMUSD: x.b y.b - x.t y.t (always fits 32 bits)."""
    return bottom16(x) * bottom16(y) - top16(x) * top16(y)


@_jit
def smusdx(x, y):
    """SMUSDX: x.b y.t - x.t y.b (always fits 32 bits)."""
    return bottom16(x) * top16(y) - top16(x) * bottom16(y)


@_jit
def smlad(x, y, acc):
    """SMLAD: acc + x.b y.b + x.t y.t, wrapped to 32 bits."""
    return wrap32(acc + bottom16(x) * bottom16(y) + top16(x) * top16(y))


@_jit
def smladx(x, y, acc):
    """SMLADX: acc + x.b y.t + x.t y.b, wrapped to 32 bits."""
    return wrap32(acc + bottom16(x) * top16(y) + top16(x) * bottom16(y))


@_jit
def smlsd(x, y, acc):
    """SMLSD: acc + x.b y.b - x.t y.t, wrapped to 32 bits."""
    return wrap32(acc + bottom16(x) * bottom16(y) - top16(x) * top16(y))


@_jit
def smlsdx(x, y, acc):
    """SMLSDX: acc + x.b y.t - x.t y.b, wrapped to 32 bits."""
    return wrap32(acc + bottom16(x) * top16(y) - top16(x) * bottom16(y))


@_jit
def smlald(x, y, acc):
    """SMLALD: acc (64-bit) + x.b y.b + x.t y.t."""
    return acc + bottom16(x) * bottom16(y) + top16(x) * top16(y)


@_jit
def smlaldx(x, y, acc):
    """SMLALDX: acc (64-bit) + x.b y.t + x.t y.b."""
    return acc + bottom16(x) * top16(y) + top16(x) * bottom16(y)


@_jit
def smlal(x, y, acc):
    """SMLAL: acc (64-bit) + x y, the 32 x 32-bit product exact."""
    return acc + x * y


@_jit
def smulbb(x, y):
    """SMULBB: x.b y.b (exact in 32 bits)."""
    return bottom16(x) * bottom16(y)


@_jit
def smulbt(x, y):
    """SMULBT: x.b y.t."""
    return bottom16(x) * top16(y)


@_jit
def smultb(x, y):
    """SMULTB: x.t y.b."""
    return top16(x) * bottom16(y)


@_jit
def smultt(x, y):
    """SMULTT: x.t y.t."""
    return top16(x) * top16(y)


@_jit
def smlawb(x, y, acc):
    """SMLAWB: acc + the top 32 bits of the 48-bit product x y.b (floor of x y.b / 2**16),
    wrapped to 32 bits."""
    return wrap32(acc + ((wrap32(x) * bottom16(y)) >> 16))


@_jit
def smlawt(x, y, acc):
    """SMLAWT: acc + floor(x y.t / 2**16), wrapped to 32 bits."""
    return wrap32(acc + ((wrap32(x) * top16(y)) >> 16))


@_jit
def qadd(a, b):
    """QADD: a + b saturated to 32 bits."""
    return min(max(wrap32(a) + wrap32(b), -(1 << 31)), (1 << 31) - 1)


@_jit
def qsub(a, b):
    """QSUB: a - b saturated to 32 bits."""
    return min(max(wrap32(a) - wrap32(b), -(1 << 31)), (1 << 31) - 1)


@_jit
def ssat(x, n):
    """SSAT: the 32-bit x saturated to n signed bits (1 <= n <= 32)."""
    lim = np.int64(1) << (n - 1)
    return min(max(wrap32(x), -lim), lim - 1)


@_jit
def _sat16(v):
    """v saturated to a signed halfword (the lanes of QADD16 and kin; C: fx_sat16_c)."""
    return min(max(v, -32768), 32767)


@_jit
def qadd16(x, y):
    """QADD16: both halves added, each saturated to 16 bits."""
    b = _sat16(bottom16(x) + bottom16(y))
    t = _sat16(top16(x) + top16(y))
    return pack16x2(b, t)


@_jit
def qsub16(x, y):
    """QSUB16: both halves subtracted, each saturated to 16 bits."""
    b = _sat16(bottom16(x) - bottom16(y))
    t = _sat16(top16(x) - top16(y))
    return pack16x2(b, t)


@_jit
def qasx(x, y):
    """QASX: top = x.top + y.bottom, bottom = x.bottom - y.top, each saturated to 16 bits (with
    y = (re, im) a complex pair, x + i y in one instruction)."""
    b = _sat16(bottom16(x) - top16(y))
    t = _sat16(top16(x) + bottom16(y))
    return pack16x2(b, t)


@_jit
def qsax(x, y):
    """QSAX: top = x.top - y.bottom, bottom = x.bottom + y.top, each saturated to 16 bits
    (x - i y)."""
    b = _sat16(bottom16(x) + top16(y))
    t = _sat16(top16(x) - bottom16(y))
    return pack16x2(b, t)


@_jit
def shadd16(x, y):
    """SHADD16: both halves added and halved (floor), never overflowing."""
    return pack16x2((bottom16(x) + bottom16(y)) >> 1, (top16(x) + top16(y)) >> 1)


@_jit
def shsub16(x, y):
    """SHSUB16: both halves subtracted and halved (floor)."""
    return pack16x2((bottom16(x) - bottom16(y)) >> 1, (top16(x) - top16(y)) >> 1)


@_jit
def shasx(x, y):
    """SHASX: top = (x.top + y.bottom) / 2, bottom = (x.bottom - y.top) / 2, each floored, never
    overflowing (with y = (re, im), (x + i y) / 2)."""
    return pack16x2((bottom16(x) - top16(y)) >> 1, (top16(x) + bottom16(y)) >> 1)


@_jit
def shsax(x, y):
    """SHSAX: top = (x.top - y.bottom) / 2, bottom = (x.bottom + y.top) / 2, floored
    ((x - i y) / 2)."""
    return pack16x2((bottom16(x) + top16(y)) >> 1, (top16(x) - bottom16(y)) >> 1)


@_jit
def max16x2(x, y):
    """SSUB16 then SEL: the lane-wise maximum of two pair registers."""
    return pack16x2(max(bottom16(x), bottom16(y)), max(top16(x), top16(y)))


@_jit
def min16x2(x, y):
    """SSUB16 then SEL (operands swapped): the lane-wise minimum."""
    return pack16x2(min(bottom16(x), bottom16(y)), min(top16(x), top16(y)))


@_jit
def umax16x2(x, y):
    """USUB16 then SEL: the lane-wise maximum of two pair registers, their halves unsigned."""
    return pack16x2(max(x & 0xFFFF, y & 0xFFFF), max((x >> 16) & 0xFFFF, (y >> 16) & 0xFFFF))


@_jit
def pkhbt(x, y, shift):
    """PKHBT: the bottom half of x, the top half of y << shift (0 <= shift <= 31)."""
    return wrap32((x & 0xFFFF) | ((y << shift) & 0xFFFF0000))


@_jit
def pkhtb(x, y, shift):
    """PKHTB: the top half of x, the bottom half of y >> shift (arithmetic, 0 <= shift <= 31)."""
    return wrap32((x & 0xFFFF0000) | ((wrap32(y) >> shift) & 0xFFFF))
