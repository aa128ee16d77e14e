"""fft / ifft: complex radix-4 FFT of n points (16 ... 4096), Q15 or Q31, on the primitive layer.

Keys: ``n`` (a power of two, 16 to 4096), ``scaling = "stage" | "bfp" | "none"`` (default "bfp"),
``arithmetic = "guarded" | "lanes"`` (default "guarded", stated below; "lanes": Q15 and bfp only,
every value a 16-bit lane, stated at ``fft_frame_lanes``).
The stage keeps its input word: ``data`` may be omitted or must name the input's format.

Ports. Input: complex samples (interleaved re, im), or a real stream, promoted to complex with zero
imaginary parts; ``ifft`` takes frames of n (an FFT's output), ``fft`` a stream or frames of n. A
block exponent on the input travels on: the output's exponent adds the stage's own. Output:
complex frames of n (hop n); the DFT bins of each frame in natural order.

Algorithm. The frame is filled in natural order as its samples arrive, permuted into bit-reversed
order in place, then transformed in place: a radix-2 stage of span 1 (twiddle 1) when log2 n is odd, then radix-4 decimation-in-time
stages, each fusing two radix-2 levels (spans h and 2h: h = 1, 4, 16, ... or 2, 8, 32, ...).
Twiddles W = exp(-+2 pi i k / n), k < 3n/4, are quantized to nearest in the data word (Q15 or
Q31, +-1.0 as +-(2^F - 1)), one table for both directions.

A radix-4 butterfly, per real component, F = data fraction bits, G = word - 3 guard bits; for
k < h and a group of 4h, (a, b, c, d) at k + (0, h, 2h, 3h), W = exp(-+2 pi i / 4h):
  products:  B = W^2k b, C = W^k c, D = W^3k d, each component exact (wr xr - wi xi: 2F fraction
             bits), floored to F + G fraction bits (an error below 2^-G output LSB); k = 0 exact;
  sums:      y0 = a 2^G + B + (C + D), y2 = a 2^G + B - (C + D), y1 = a 2^G - B -+ i (C - D),
             y3 = a 2^G - B +- i (C - D) (upper signs forward), exact: |y| < 5.25 2^(word - 1 + G)
             fits 32 bits for Q15 and 64 for Q31;
  output:    (y + c) / 2^(G + s) floored, the carry c added once to the a term (``P.round_carry``:
             nearest and convergent round to nearest with ties up, ceil and floor as named, zero
             its own way), written to k + (0, h, 2h, 3h); saturated (or wrapped) and counted.
The radix-2 stage: (a +- b) / 2^s rounded the same way, fitted.
Which stages shift, and by how much:
  "stage"  one bit per radix-2 level (a radix-4 stage two): the output is DFT / n (IFFT: the
           inverse DFT / n, numpy.fft.ifft), its format carries the exponent (``Q15*2^8`` for
           n = 256: the DFT in Q15 words times 2^8). A complex input at full scale can exceed
           full scale at the output (|X / n| up to sqrt(2) per component): such frames
           saturate, counted.
  "bfp"    block floating point: each stage shifts by the smallest s of 0 .. 3 with which no
           output can overflow (the C omits the saturation it would never apply), from a peak
           of its input frame: m, the largest component, for the first stage, M, the largest
           complex magnitude (its square bounded in integers, ``frame_power``), for the others.
           An output component is at most the sum of its inputs' components or rotations of
           them: 2m for the radix-2 stage, 4m for the first radix-4 stage (twiddles 1),
           |a| + 3 |W| M <= 4 |W| M for the others, and must stay within FS 2^s
           (FS = 2^(w-1) - 1; ``shift_fits``). The frame is first normalised (shifted
           left, exactly, as far as the first stage needs no shift). The frame's exponent (the
           stages' shifts minus the normalising shift, plus any input exponent) goes with it:
           the bins are words 2^exp in the output format. Level-independent accuracy; never
           saturates.
  "none"   no stage shifts (pre-scaled data): the DFT itself, saturating where it overflows.
The output format's static scale exponent: fft "stage" +log2 n; ifft "none" and "bfp" -log2 n
(the inverse DFT without 1/n, so that every output compares with numpy.fft.ifft); others 0.

rfft / irfft: the real FFT of n samples through the n/2-point complex FFT above (of
x[2m] + i x[2m+1]; the n-point twiddle table with stride 2) and a split step (rfft: bins 0 .. n/2,
X = E + W^k O from Z[k] and Z*[n/2-k]) or merge step (irfft: Z = E + i O, then the inverse
n/2-point FFT). The split / merge step rounds and scales like a stage: t = W p, each product
floored to F + G fraction bits, G = word - 3 (a shift where W = +-1), out = (E2 2^G + t) /
2^(G + 1 + s) rounded as the butterflies' outputs, fitted; s = 1 under "stage", 0 under "none", and under
bfp 0, 1 or 2 as the largest component m of its input is <= T1, <= T2 or above, T1 = (FS - 1) / g,
T2 = (2 FS - 2) / g with g = 1 + sqrt 2 (its growth bound, as 24143 / 10000). rfft: input a real
stream (or frames), output complex frames of n/2 + 1 bins, hop n; static exponent "stage" +log2 n.
irfft: input frames of n/2 + 1 bins, output n real samples per frame; static exponent "stage" +1
(every step halves: x / 2), "none" and "bfp" -(log2 n - 1). References: numpy.fft.rfft / irfft.
"""
from __future__ import annotations


import numba as nb
import numpy as np

from .. import primitives as P
from ..errors import FxsimError
from ..ports import Chunk, Port
from ..qformat import QFormat
from .base import Stage

# numba's inline="always" copies the callee's IR into every call site, recursively, before typing:
# kept for the few helpers called at a handful of sites whose inlining the model's speed needs (a
# stage into its two compiled variants, the butterfly, the split step's output). Helpers called
# per output or per product (_out, rotate, _guarded, _rotation) are plain functions, which LLVM
# inlines at no cost to the compile: inlined at the IR level they made the first compile of an
# FFT design take minutes (docs/caches.md).
_inline = nb.njit(cache=True, inline="always")

SCALINGS = ("stage", "bfp", "none")
STAGE, BFP, NONE = 0, 1, 2
N_MIN, N_MAX = 16, 4096
#: 1 + sqrt(2) as an integer ratio just above it: the growth bound of the split / merge step under bfp
GROWTH_NUM, GROWTH_DEN = 24143, 10000


def twiddles(n: int, frac: int) -> np.ndarray:
    """exp(-2 pi i k / n), k = 0 .. 3n/4 - 1 (a radix-4 stage's W^3k), as interleaved (re, im) integers with ``frac``
    fraction bits, rounded to nearest (exact integer rounding of float64 cos / sin), in the
    symmetric range +-(2^frac - 1): +-1.0 become +-(2^frac - 1), so a twiddle negated for the
    inverse transform still fits its word."""
    from ..qformat import quantize
    k = np.arange(3 * n // 4)
    ang = -2.0 * np.pi * k / n
    tw = np.empty(2 * k.size, dtype=np.float64)
    tw[0::2], tw[1::2] = np.cos(ang), np.sin(ang)
    ints = quantize(tw, QFormat(0, frac), "nearest", "saturate").astype(np.int64)
    return np.clip(ints, -(1 << frac) + 1, (1 << frac) - 1)


#: 16 |W|^2 bounded in integers: a quantized twiddle has |W| <= 1 + 2^-15 (Q15; Q31 closer), and
#: 16 (1 + 2^-15)^2 S <= q + (q >> 13) + 1 with q = 16 S, S = 2^16 M2 + 2^16 - 1 the bound of the
#: largest squared magnitude: the bfp test of a radix-4 stage
ROT_SQ = 16
ROT_SQ_SHIFT = 13


@nb.njit(cache=True)
def frame_peak(work):
    """m: the largest component magnitude of a frame (interleaved words)."""
    m = np.int64(0)
    for i in range(work.size):
        m = max(m, abs(work[i]))
    return m


@nb.njit(cache=True)
def frame_power(work, word):
    """M2: the top half (>> 16) of the largest squared complex magnitude of a frame, in units of
    2^(2r), r = word - 16, each component's magnitude rounded up to a multiple of 2^r first
    (exact for Q15; for Q31 it stays within 32 bits), so that 2^16 M2 + 2^16 - 1 bounds that
    square. The top halves, at most 2^15 + 2, fit unsigned 16-bit lanes: the Cortex-M4 takes
    their largest two samples an instruction pair (USUB16 + SEL), and the bound is a 2^-10 part
    looser than the square itself near any stage's threshold, which it almost never crosses."""
    r = word - 16
    m2 = np.int64(0)
    for i in range(0, work.size, 2):
        a = abs(work[i])
        b = abs(work[i + 1])
        if r > 0:
            a = (a >> r) + 1
            b = (b >> r) + 1
        m2 = max(m2, (a * a + b * b) >> 16)
    return m2


@nb.njit(cache=True)
def shift_fits(m, m2, word, s, radix, trivial):
    """Whether every output of a stage fits the word after a right shift by s. A component of a
    butterfly output is at most the sum of its inputs' components, or rotations of them: with
    twiddles 1 (the first stage, radix 2 or 4) radix m, m the frame's largest component
    (``frame_peak``); in a radix-4 stage with twiddles, |a| + 3 |W| M <= 4 |W| M, M the largest
    complex magnitude (M^2 bounded by 2^16 M2 + 2^16 - 1, ``frame_power``; the roundings add less
    than 1 LSB).
    The test is that bound <= FS 2^s, FS = 2^(w-1) - 1, in integers and without a division: for
    the radix-4 stages A = (FS 2^s - 1) >> r and q + (q >> 13) + 1 <= A^2, q = 16 (2^16 M2 +
    2^16 - 1) (every term within 2^36)."""
    full = P.max_int(word)
    if trivial:
        return radix * m <= (full << s)
    a = ((full << s) - 1) >> (word - 16)
    q = ROT_SQ * ((m2 << 16) | 0xFFFF)
    return q + (q >> ROT_SQ_SHIFT) + 1 <= a * a


@nb.njit(cache=True)
def _smallest_shift(m, m2, word, radix, trivial):
    for s in range(3):
        if shift_fits(m, m2, word, s, radix, trivial):
            return s
    return 3


@nb.njit(cache=True)
def stage_shift(work, m, word, radix, trivial, mode):
    """A stage's right shift: "stage" one bit per radix-2 level (radix 4: 2), "none" 0, and under
    bfp the smallest s of 0 .. 3 that ``shift_fits``: from m, the largest component of the frame
    in ``work``, for the first stage (twiddles 1), from its M2 for the others."""
    if mode == STAGE:
        return 1 if radix == 2 else 2
    if mode == NONE:
        return 0
    if trivial:
        return _smallest_shift(m, 0, word, radix, True)
    return _smallest_shift(0, frame_power(work, word), word, radix, False)


@nb.njit(cache=True)
def _guarded(x, guard):
    """x with ``guard`` guard bits below it: an exact left shift."""
    return P.shr_round(x, -guard, P.FLOOR)


@nb.njit(cache=True)
def rotate(wr, wi, xr, xi):
    """W x, each component exact then floored to F + G fraction bits (G = word - 3): an error
    below 2^-G of an output LSB, so no rounding is spent on it."""
    sh = 2                                    # F - G
    tr = P.shr_round_small(P.mac_exact(P.mac_exact(0, wr, xr), -wi, xi), sh, P.FLOOR)
    ti = P.shr_round_small(P.mac_exact(P.mac_exact(0, wr, xi), wi, xr), sh, P.FLOOR)
    return tr, ti


@nb.njit(cache=True)
def radix2_first(work, n, word, s, rounding, overflow, check):
    """The first radix-2 stage (span 1, twiddle 1) of an odd-log2 transform: a +- b rounded by s
    (and fitted when ``check``). Returns the saturations."""
    sat = 0
    carry, mode = P.round_carry(rounding, s)
    for i in range(0, 2 * n, 4):
        for c in range(2):
            a, b = work[i + c] + carry, work[i + 2 + c]
            v0, o0 = _out(a + b, s, word, mode, overflow, check)
            v1, o1 = _out(a - b, s, word, mode, overflow, check)
            work[i + c], work[i + 2 + c] = v0, v1
            sat += o0 + o1
    return sat


@_inline
def radix4_stage(work, tw, stride, n, h, inverse, word, s, rounding, overflow, check):
    """One radix-4 DIT stage, two radix-2 levels of spans h and 2h fused: for each k < h and each
    group g of 4h, with (a, b, c, d) at g + k + (0, h, 2h, 3h) and W = exp(-+2 pi i / 4h),
    B = W^2k b, C = W^k c, D = W^3k d (``rotate``; k = 0 exact), then the exact sums
    y0 = a + B + (C + D), y2 = a + B - (C + D), y1 = a - B -+ i (C - D), y3 = a - B +- i (C - D)
    (upper signs forward), each rounded by G + s bits and fitted to the word when ``check``.
    Returns the saturations."""
    guard = word - 3
    q = n // (4 * h) * stride               # table step of W
    sh = guard + s
    # y1 = a - B - i (C - D) goes to k + h forward; the inverse's +i swaps it with y3 (k + 3h)
    o1, o3 = (6 * h, 2 * h) if inverse else (2 * h, 6 * h)
    sat = 0
    carry, mode = P.round_carry(rounding, sh)
    for g in range(0, n, 4 * h):            # k = 0: W = 1, exact
        ia = 2 * g
        sat += butterfly4(work, ia, ia + o1, ia + 4 * h, ia + o3,
                          _guarded(work[ia], guard) + carry, _guarded(work[ia + 1], guard) + carry,
                          _guarded(work[ia + 2 * h], guard), _guarded(work[ia + 2 * h + 1], guard),
                          _guarded(work[ia + 4 * h], guard), _guarded(work[ia + 4 * h + 1], guard),
                          _guarded(work[ia + 6 * h], guard), _guarded(work[ia + 6 * h + 1], guard),
                          word, sh, mode, overflow, check)
    for k in range(1, h):
        j = 2 * k * q                          # W^k at tw[j], W^2k at tw[2j], W^3k at tw[3j]
        w1r, w1i = tw[j], tw[j + 1]
        w2r, w2i = tw[2 * j], tw[2 * j + 1]
        w3r, w3i = tw[3 * j], tw[3 * j + 1]
        if inverse:
            w1i, w2i, w3i = -w1i, -w2i, -w3i
        for g in range(0, n, 4 * h):
            ia = 2 * (g + k)
            ib, ic, id_ = ia + 2 * h, ia + 4 * h, ia + 6 * h
            br, bi = rotate(w2r, w2i, work[ib], work[ib + 1])
            cr, ci = rotate(w1r, w1i, work[ic], work[ic + 1])
            dr, di = rotate(w3r, w3i, work[id_], work[id_ + 1])
            sat += butterfly4(work, ia, ia + o1, ic, ia + o3, _guarded(work[ia], guard) + carry,
                              _guarded(work[ia + 1], guard) + carry, br, bi, cr, ci, dr, di, word,
                              sh, mode, overflow, check)
    return sat


@nb.njit(cache=True)
def _out(x, sh, word, rounding, overflow, check):
    """x / 2^sh rounded, fitted to the word when ``check`` (else the caller has proved it fits).
    Returns (value, overflowed)."""
    v = P.shr_round_small(x, sh, rounding)
    if check:
        return P.fit(v, word, overflow)
    return v, False


@_inline
def butterfly4(work, i0, i1, i2, i3, ar, ai, br, bi, cr, ci, dr, di, word, sh, rounding,
               overflow, check):
    """The exact sums of a radix-4 butterfly, y0 = a + B + (C + D), y1 = a - B - i (C - D),
    y2 = a + B - (C + D), y3 = a - B + i (C - D), each rounded by sh bits (and fitted when
    ``check``), written to i0 .. i3 (re, im each). Returns the saturations."""
    pr, pi = ar + br, ai + bi           # a + B
    mr, mi = ar - br, ai - bi           # a - B
    sr, si = cr + dr, ci + di           # C + D
    er, ei = cr - dr, ci - di           # C - D; -i (C - D) = (ei, -er)
    work[i0], o0 = _out(pr + sr, sh, word, rounding, overflow, check)
    work[i0 + 1], o1 = _out(pi + si, sh, word, rounding, overflow, check)
    work[i1], o2 = _out(mr + ei, sh, word, rounding, overflow, check)
    work[i1 + 1], o3 = _out(mi - er, sh, word, rounding, overflow, check)
    work[i2], o4 = _out(pr - sr, sh, word, rounding, overflow, check)
    work[i2 + 1], o5 = _out(pi - si, sh, word, rounding, overflow, check)
    work[i3], o6 = _out(mr - ei, sh, word, rounding, overflow, check)
    work[i3 + 1], o7 = _out(mi + er, sh, word, rounding, overflow, check)
    return o0 + o1 + o2 + o3 + o4 + o5 + o6 + o7


@nb.njit(cache=True)
def radix4_checked(work, tw, stride, n, h, inverse, word, s, rounding, overflow):
    """``radix4_stage`` fitting every output (static scaling, or overflow = "error")."""
    return radix4_stage(work, tw, stride, n, h, inverse, word, s, rounding, overflow, True)


@nb.njit(cache=True)
def radix4_unchecked(work, tw, stride, n, h, inverse, word, s, rounding, overflow):
    """``radix4_stage`` under bfp, whose shift proves every output fits (compiled apart, so that
    the loop carries no test)."""
    return radix4_stage(work, tw, stride, n, h, inverse, word, s, rounding, overflow, False)


@nb.njit(cache=True)
def bit_reverse_frame(work, n):
    """Permute a frame of n complex samples (interleaved) into bit-reversed order, in place: swap
    each i with its reversed index j > i (j counted up in reversed order)."""
    j = 0
    for i in range(n):
        if i < j:
            work[2 * i], work[2 * j] = work[2 * j], work[2 * i]
            work[2 * i + 1], work[2 * j + 1] = work[2 * j + 1], work[2 * i + 1]
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit


@nb.njit(cache=True)
def normalise_frame(work, n, radix, word):
    """Block floating point's first step: the frame (n complex samples) shifted left, exactly,
    by the largest sh with radix m 2^sh <= FS, m its largest component, so that a first stage of
    that radix needs no shift (none if radix m > FS already). Returns (m 2^sh, sh)."""
    m = frame_peak(work)
    sh = 0
    if m > 0:
        while radix * (m << (sh + 1)) <= P.max_int(word):
            sh += 1
        if sh > 0:
            for i in range(2 * n):
                work[i] = P.shr_round(work[i], -sh, P.FLOOR)
    return m << sh, sh


@nb.njit(cache=True)
def fft_frame(work, tw, stride, n, inverse, word, mode, rounding, overflow):
    """In place on ``work`` (2n interleaved words, natural order in and out): the bit-reversal
    permutation, a radix-2 stage first when log2 n is odd, then radix-4 stages, the twiddle W^j of a stage at tw[2 j stride] (the
    table of exp(-2 pi i j / n), j < 3n/4; stride 2: an n-point transform on the table of a
    2n-point one, as the real FFT's). Returns (exponent, saturations): under bfp the stages'
    shifts minus the normalising shift; 0 otherwise ("stage" scaling is the format's static
    exponent)."""
    exp = 0
    sat = 0
    bits = 0
    while (1 << bits) < n:
        bits += 1
    odd = bits & 1
    # under bfp no output can overflow (shift_fits): like the C, skip the fitting, unless the
    # design asks to be told of any overflow (overflow = "error"), which checks it after all
    check = mode != BFP or overflow == P.ERROR
    bit_reverse_frame(work, n)
    first_radix = 2 if odd else 4
    m = np.int64(0)
    if mode == BFP:                       # normalised as far as the first stage needs no shift
        m, sh = normalise_frame(work, n, first_radix, word)
        exp -= sh
    h = 1
    if odd:
        s = stage_shift(work, m, word, 2, True, mode)
        sat += radix2_first(work, n, word, s, rounding, overflow, check)
        exp += s if mode == BFP else 0
        h = 2
    while h < n:
        s = stage_shift(work, m, word, 4, h == 1, mode)
        if check:
            sat += radix4_checked(work, tw, stride, n, h, inverse, word, s, rounding, overflow)
        else:
            sat += radix4_unchecked(work, tw, stride, n, h, inverse, word, s, rounding, overflow)
        exp += s if mode == BFP else 0
        h *= 4
    return exp, sat


# --- the 16-bit-lane arithmetic (arithmetic = "lanes"; Q15, block floating point) --------------
#: fft_stream's mode for block floating point on 16-bit lanes
LANES = 3
ARITHMETICS = ("guarded", "lanes")
#: the rounding constant of a lane product: 2^14, half of the 15 fraction bits dropped
_HALF_LSB = 1 << 14
#: two lanes of 1: SHADD16 with it halves both rounded half up, (v + 1) >> 1
_ONES = 0x00010001


@nb.njit(cache=True)
def _word(work, i):
    """The complex sample at work[i], work[i + 1] as one pair register (re bottom, im top)."""
    return P.pack16x2(work[i], work[i + 1])


@nb.njit(cache=True)
def _put(work, i, v):
    work[i], work[i + 1] = P.bottom16(v), P.top16(v)


@nb.njit(cache=True)
def rotate_lanes(wp, x, inverse, half):
    """W x (the inverse: conj(W) x) on pair registers, each component the exact sum of two
    products (SMLSD / SMLADX; the inverse SMLAD / SMLSDX) rounded half up to Q15, the rounding
    constant the instruction's accumulator: plus 2^14, shifted right 15, packed by PKHBT (the
    imaginary part's bits 30..15 to the top half). With ``half``, W x / 2: plus 2^15, the top
    halves packed by PKHTB. The stage's shift test keeps each rounded component in its
    halfword."""
    if half:
        if inverse:
            re, im = P.smlad(wp, x, 2 * _HALF_LSB), P.smlsdx(wp, x, 2 * _HALF_LSB)
        else:
            re, im = P.smlsd(wp, x, 2 * _HALF_LSB), P.smladx(wp, x, 2 * _HALF_LSB)
        return P.pkhtb(im, re, 16)
    if inverse:
        re, im = P.smlad(wp, x, _HALF_LSB), P.smlsdx(wp, x, _HALF_LSB)
    else:
        re, im = P.smlsd(wp, x, _HALF_LSB), P.smladx(wp, x, _HALF_LSB)
    return P.pkhbt(re >> 15, im, 1)


@nb.njit(cache=True)
def _halved(x, half):
    """x / 2 rounded half up per lane (SHADD16 with lanes of 1) when ``half``, else x."""
    return P.shadd16(x, _ONES) if half else x


#: a butterfly's lane ops, on complex pair registers
ADD, SUB, MINUS_I, PLUS_I = 0, 1, 2, 3


@nb.njit(cache=True)
def _lane(op, x, y, half):
    """x + y, x - y, x - i y or x + i y per lane, halved and floored (SHADD16, SHSUB16, SHSAX,
    SHASX) or saturating (QADD16, QSUB16, QSAX, QASX)."""
    if op == ADD:
        return P.shadd16(x, y) if half else P.qadd16(x, y)
    if op == SUB:
        return P.shsub16(x, y) if half else P.qsub16(x, y)
    if op == MINUS_I:
        return P.shsax(x, y) if half else P.qsax(x, y)
    return P.shasx(x, y) if half else P.qasx(x, y)


@nb.njit(cache=True)
def radix2_lanes(work, n, s):
    """The first radix-2 stage on pair registers, shifting by s = 0 .. 2: a +- b, halved (floor)
    when s >= 1, a and b first halved (rounded half up) when s = 2."""
    for i in range(0, 2 * n, 4):
        a, b = _halved(_word(work, i), s == 2), _halved(_word(work, i + 2), s == 2)
        _put(work, i, _lane(ADD, a, b, s >= 1))
        _put(work, i + 2, _lane(SUB, a, b, s >= 1))


@nb.njit(cache=True)
def radix4_lanes(work, tw, stride, n, h, inverse, s):
    """One radix-4 stage on pair registers, shifting by s = 0 .. 3: B = W^2k b, C = W^k c,
    D = W^3k d (``rotate_lanes``; k = 0: b, c, d), then two levels of lane adds,
    P = a + B, M = a - B, S = C + D, E = C - D (halved, floor, when s >= 2), y0 = P + S,
    y2 = P - S, y1 = M -+ i E, y3 = M +- i E (upper signs forward; halved when s >= 1); when
    s = 3 the inputs are first halved, rounded half up (a rotation rounds W x / 2). W^j at
    tw[2 j stride]."""
    q = n // (4 * h) * stride
    pre, l1, l2 = s == 3, s >= 2, s >= 1
    # M - i E goes to k + h forward; the inverse's y1 = M + i E, so M - i E is its y3 (k + 3h)
    o1, o3 = (6 * h, 2 * h) if inverse else (2 * h, 6 * h)
    for k in range(h):
        j = 2 * k * q
        w1, w2, w3 = _word(tw, j), _word(tw, 2 * j), _word(tw, 3 * j)
        for g in range(0, n, 4 * h):
            ia = 2 * (g + k)
            a, b = _halved(_word(work, ia), pre), _word(work, ia + 2 * h)
            c, d = _word(work, ia + 4 * h), _word(work, ia + 6 * h)
            if k > 0:
                b, c, d = rotate_lanes(w2, b, inverse, pre), rotate_lanes(w1, c, inverse, pre), \
                    rotate_lanes(w3, d, inverse, pre)
            else:
                b, c, d = _halved(b, pre), _halved(c, pre), _halved(d, pre)
            pab, mab = _lane(ADD, a, b, l1), _lane(SUB, a, b, l1)     # P, M
            scd, ecd = _lane(ADD, c, d, l1), _lane(SUB, c, d, l1)     # S, E
            _put(work, ia, _lane(ADD, pab, scd, l2))
            _put(work, ia + 4 * h, _lane(SUB, pab, scd, l2))
            _put(work, ia + o1, _lane(MINUS_I, mab, ecd, l2))
            _put(work, ia + o3, _lane(PLUS_I, mab, ecd, l2))


@nb.njit(cache=True)
def fft_frame_lanes(work, tw, stride, n, inverse):
    """``fft_frame`` under block floating point with 16-bit lanes (Q15): the same permutation,
    stages and shift test, each stage's shift s taken by halving lane adds: a radix-4 stage
    halves its second level when s >= 1, its first when s >= 2, and its inputs (rounded half up)
    when s = 3; the radix-2 stage halves its sums when s >= 1 and its inputs when s = 2. The
    normalisation stops at 4 m <= FS for either parity of log2 n: a radix-2 first stage then
    leaves the next one room (its outputs <= 2 m <= FS / 2). The twiddles at stride as
    ``fft_frame``'s. Returns the exponent."""
    exp = 0
    bits = 0
    while (1 << bits) < n:
        bits += 1
    bit_reverse_frame(work, n)
    m, sh = normalise_frame(work, n, 4, 16)
    exp -= sh
    h = 1
    if bits & 1:
        s = stage_shift(work, m, 16, 2, True, BFP)
        radix2_lanes(work, n, s)
        exp += s
        h = 2
    while h < n:
        s = stage_shift(work, m, 16, 4, h == 1, BFP)
        radix4_lanes(work, tw, stride, n, h, inverse, s)
        exp += s
        h *= 4
    return exp


@nb.njit(cache=True)
def fft_stream(x, complex_in, state, tw, n, inverse, word, mode, rounding, overflow, in_exp,
               has_in_exp):
    """Frame the input samples (interleaved if complex_in) into n-point frames, transform each
    complete frame. state = (work (2n), fill (1)). Returns (y, exps, saturations)."""
    work, fill = state
    count = x.size // 2 if complex_in else x.size
    nf = (fill[0] + count) // n
    y = np.empty(2 * n * nf, dtype=np.int64)
    exps = np.empty(nf, dtype=np.int64)
    sat = 0
    f = 0
    i = 0
    while i < count:
        take = min(count - i, n - fill[0])
        j = 2 * fill[0]
        if complex_in:
            work[j: j + 2 * take] = x[2 * i: 2 * (i + take)]
        else:                                # a real stream: zero imaginary parts
            for t in range(take):
                work[j + 2 * t] = x[i + t]
                work[j + 2 * t + 1] = 0
        i += take
        fill[0] += take
        if fill[0] == n:
            out = y[2 * n * f: 2 * n * (f + 1)]
            out[:] = work
            if mode == LANES:
                e, s = fft_frame_lanes(out, tw, 1, n, inverse), 0
            else:
                e, s = fft_frame(out, tw, 1, n, inverse, word, mode, rounding, overflow)
            sat += s
            exps[f] = e + (in_exp[f] if has_in_exp else 0)
            f += 1
            fill[0] = 0
    return y, exps, sat


def radix_plan(n: int) -> str:
    """The stages of an n-point transform, in words (for the scaling statements)."""
    bits = n.bit_length() - 1
    r4 = f"{bits // 2} radix-4"
    return f"radix-2 then {r4} DIT stages" if bits & 1 else f"{r4} DIT stages"


def core_context(word: int) -> dict:
    """What the shared C core (templates/c99/fft_core.c.j2) and the split / merge steps need
    to know of the arithmetic, for every stage built on them (fft, rfft, stft, overlap-save);
    ``lanes`` is the default arithmetic's 0 (fft / ifft set it for ``arithmetic = "lanes"``)."""
    full = (1 << (word - 1)) - 1
    return {"word": word, "frac": word - 1, "guard": word - 3, "full": full, "rot_sq": ROT_SQ,
            "rot_sq_shift": ROT_SQ_SHIFT,
            "acc_type": "int32_t" if word == 16 else "int64_t", "lanes": 0,
            "sguard": split_guard(word), "t1": (full - 1) * GROWTH_DEN // GROWTH_NUM,
            "t2": (2 * full - 2) * GROWTH_DEN // GROWTH_NUM}


def read_arithmetic(stage, opt, fmt) -> bool:
    """A transform stage's ``arithmetic`` key (fft, ifft, rfft, irfft, stft, istft): True for
    "lanes", which needs 16-bit data and block floating point (the stage's ``word``, ``mode``,
    ``scaling_name`` read already), False for "guarded", the default."""
    arith = opt.get("arithmetic", "guarded")
    if arith not in ARITHMETICS:
        raise FxsimError(f"{stage.where}.arithmetic: {arith!r}; allowed: "
                         f"{' | '.join(ARITHMETICS)}")
    lanes = arith == "lanes"
    if lanes and (stage.word != 16 or stage.mode != BFP):
        raise FxsimError(f"{stage.where}.arithmetic: 'lanes' keeps every value in a 16-bit lane: "
                         f"it needs Q15 data and scaling = \"bfp\" (here {fmt}, scaling = "
                         f"\"{stage.scaling_name}\")")
    return lanes


class _FftBase(Stage):
    data_follows_input = True
    keys = frozenset({"n", "scaling", "arithmetic"})
    template = "c99/fft.c.j2"
    inverse = False
    example = {"n": 64}
    example_input = "complex"

    def configure(self, opt):
        n = self.key(opt, "n", int)
        if n < N_MIN or n > N_MAX or n & (n - 1):
            raise FxsimError(f"{self.where}.n: {n}; allowed: a power of two from {N_MIN} to {N_MAX}")
        self.n, self.log2n = n, n.bit_length() - 1
        self.scaling_name = opt.get("scaling", "bfp")
        if self.scaling_name not in SCALINGS:
            raise FxsimError(f"{self.where}.scaling: {self.scaling_name!r}; allowed: "
                             f"{' | '.join(SCALINGS)}")
        self.mode = SCALINGS.index(self.scaling_name)
        fmt = self.in_fmt
        if fmt.word_bits not in (16, 32) or fmt.int_bits != 0:
            raise FxsimError(f"{self.where}: input format {fmt}; allowed: Q15 or Q31 (an FFT "
                             f"keeps the full word as fraction bits)")
        if "data" in self.spec and QFormat.parse(self.spec["data"]) != \
                QFormat(fmt.int_bits, fmt.frac_bits):
            raise FxsimError(f"{self.where}.data: {self.spec['data']!r}; an FFT keeps its input "
                             f"format ({QFormat(fmt.int_bits, fmt.frac_bits)}): omit data")
        self.word = fmt.word_bits
        self.out_fmt = fmt.scaled(self.static_exp())
        self.tw = twiddles(n, self.word - 1)
        self.in_exp = self.in_port.block_exp
        self.lanes = read_arithmetic(self, opt, self.in_fmt)
        #: the model's mode: the scaling's, or LANES (block floating point on 16-bit lanes)
        self.model_mode = LANES if self.lanes else self.mode

    @property
    def accepts(self):
        # a stream, or frames of exactly n (their exponents belong to whole frames)
        return {"real": True, "complex": True, "block_exp": True,
                "frame": self.n if self.inverse or self.in_port.framed else None}

    def static_exp(self) -> int:
        if self.inverse:
            return 0 if self.mode == STAGE else -self.log2n
        return self.log2n if self.mode == STAGE else 0

    def output_port(self):
        return Port(self.out_fmt, complex=True, frame=self.n, hop=self.n,
                    block_exp=self.mode == BFP or self.in_exp)

    def max_out(self, n):
        return (self.n - 1 + n) // self.n * self.n

    def saturation_hint(self, peak):
        return 'scaling = "bfp" (or "stage") would hold it; an FFT keeps its input format'

    def min_input(self):
        return self.n


    def init_state(self):
        return (np.zeros(2 * self.n, dtype=np.int64), np.zeros(1, dtype=np.int64))

    def run(self, x, state):
        in_exp = x.exp if self.in_exp and x.exp is not None else np.zeros(0, dtype=np.int64)
        y, exps, sat = fft_stream(x.data, self.in_port.complex, state, self.tw, self.n,
                                  self.inverse, self.word, self.model_mode, self.rounding,
                                  self.overflow, in_exp, self.in_exp)
        return Chunk(y, exps if self.out_port.block_exp else None), int(sat)

    def ref_framing(self):
        words = self.n * (2 if self.in_port.complex else 1)
        return words, words

    def reference(self, x):
        x = np.asarray(x, dtype=np.float64)
        z = x[0::2] + 1j * x[1::2] if self.in_port.complex else x.astype(np.complex128)
        frames = z[: z.size // self.n * self.n].reshape(-1, self.n)
        out = np.fft.ifft(frames, axis=1) if self.inverse else np.fft.fft(frames, axis=1)
        y = np.empty(2 * out.size)
        y[0::2], y[1::2] = out.real.ravel(), out.imag.ravel()
        return y

    def scaling(self):
        if self.lanes:
            return (f"{'inverse ' if self.inverse else ''}complex FFT, n = {self.n} "
                    f"({radix_plan(self.n)}), input {self.in_port.describe()}, output "
                    f"{self.out_fmt}; 16-bit lanes: twiddles Q15, W x per component exact, "
                    f"rounded half up to Q15 (twiddle 1 exact); a butterfly's two levels of "
                    f"sums each halved (floor) or not as the stage's shift asks, and its inputs "
                    f"halved (rounded half up, a rotation W x / 2 rounded) when it shifts by 3; block "
                    f"floating point (normalise the frame as far as 4 m <= FS; each stage shifts "
                    f"by the smallest of 0 .. 3 bits its growth bound allows: no lane can "
                    f"overflow; exponent per frame); the design's rounding is not used")
        what = {STAGE: f"every radix-2 level halves (output = "
                       f"{'inverse DFT' if self.inverse else 'DFT'} / {self.n})",
                BFP: "block floating point (normalise the frame; each stage shifts right by the "
                     "smallest of 0 .. 3 bits its growth bound allows, from the frame's largest "
                     "component (first stage) or largest magnitude: no output can overflow, "
                     "nothing is saturated; exponent per frame)",
                NONE: "no stage scales (saturating)"}[self.mode]
        return (f"{'inverse ' if self.inverse else ''}complex FFT, n = {self.n} ({radix_plan(self.n)}"
                f"), input {self.in_port.describe()}, output {self.out_fmt}; twiddles "
                f"Q{self.word - 1}; per butterfly W x exact, floored to "
                f"{2 * self.word - 4} fraction bits (twiddle 1 exact); the butterfly's sums exact, "
                f"rounded ({P.round_carry_name(self.rounding)}) to the output"
                f"{'' if self.mode == BFP else f', {self.overflow_name} to {self.word} bits'}; "
                f"{what}")

    def c_context(self):
        return {"n": self.n, "log2n": self.log2n, "tw": [int(v) for v in self.tw],
                "inverse": int(self.inverse), "mode": self.mode, "in_exp": int(self.in_exp),
                "in_complex": int(self.in_port.complex), **core_context(self.word),
                "lanes": int(self.lanes)}


class Fft(_FftBase):
    kernel = "fft"


class Ifft(_FftBase):
    kernel = "ifft"
    inverse = True
    example_before = ({"kernel": "fft", "n": 64},)

    @property
    def accepts(self):
        return {"real": False, "complex": True, "block_exp": True, "frame": self.n}


# --- real FFT: an n/2-point complex FFT and a split step ---------------------------------------

@nb.njit(cache=True)
def _shift_for(m, word, mode):
    """A split or merge step's right shift: 1 under "stage", 0 under "none", and under bfp 0, 1
    or 2 as the largest component m allows (growth at most 1 + sqrt 2, as a butterfly)."""
    if mode == STAGE:
        return 1
    if mode == NONE:
        return 0
    full = P.max_int(word)
    if m <= (full - 1) * GROWTH_DEN // GROWTH_NUM:
        return 0
    return 1 if m <= (2 * full - 2) * GROWTH_DEN // GROWTH_NUM else 2


@nb.njit(cache=True)
def split_guard(word):
    """Guard bits G of the split / merge step, as a butterfly's: G = word - 3, so that its sums
    E2 2^G + t (E2 and p have word + 1 bits, each product floored by 2 bits before the sum) fit
    32 bits for Q15 data and 64 for Q31."""
    return word - 3


@nb.njit(cache=True)
def _rotation(dr, di, wr, wi, k0, sign, word):
    """t = W (dr, di) at F + G fraction bits: each exact product floored to F + G fraction bits
    before the sum (for Q31 data two products might not fit int64 together); exact for W = +-1
    (k0 = 1 at k = 0 and k = n/2, whose twiddle is ``sign``)."""
    guard = split_guard(word)
    if k0:
        return P.shr_round(dr, -guard, P.FLOOR) * sign, P.shr_round(di, -guard, P.FLOOR) * sign
    sh = word - 1 - guard
    tr = P.shr_round_small(wr * dr, sh, P.FLOOR) - P.shr_round_small(wi * di, sh, P.FLOOR)
    ti = P.shr_round_small(wr * di, sh, P.FLOOR) + P.shr_round_small(wi * dr, sh, P.FLOOR)
    return tr, ti


@_inline
def _step_out(er2, ei2, tr, ti, word, s, rounding, overflow):
    """A split / merge output from twice its even part (er2, ei2) and its odd part rotated (tr,
    ti, at F + G fraction bits): out = (E2 2^G + t) / 2^(G+1+s), rounded as a butterfly's outputs
    (``P.round_carry``), fitted. Returns (re, im, saturations)."""
    guard = split_guard(word)
    carry, mode = P.round_carry(rounding, guard + 1 + s)
    vr, o1 = P.fit(P.shr_round_small(P.shr_round(er2, -guard, P.FLOOR) + carry + tr,
                                     guard + 1 + s, mode), word, overflow)
    vi, o2 = P.fit(P.shr_round_small(P.shr_round(ei2, -guard, P.FLOOR) + carry + ti,
                                     guard + 1 + s, mode), word, overflow)
    return vr, vi, o1 + o2


@nb.njit(cache=True)
def rfft_split(z, out, tw, n, word, mode, rounding, overflow):
    """Bins 0 .. n/2 of the real n-point DFT from Z, the n/2-point FFT of x[2m] + i x[2m+1]
    (natural order in ``z``): X[k] = E + W^k O, E = (Z[k] + Z*[n/2-k]) / 2,
    O = -i (Z[k] - Z*[n/2-k]) / 2. Bins k and n/2 - k share their parts, E(n/2-k) = E*(k),
    O(n/2-k) = O*(k), and W^(n/2-k) = -W^-k, so that X[n/2-k] = (E - W^k O)*: one rotation,
    t = W^k (2 O), serves both (bin n/2 - k takes (E2 - t)* before its rounding). Returns (shift,
    saturations)."""
    h = n // 2
    s = _shift_for(frame_peak(z), word, mode)
    sat = 0
    for k in range(h // 2 + 1):
        ar, ai = z[2 * k], z[2 * k + 1]
        j = (h - k) % h
        br, bi = z[2 * j], -z[2 * j + 1]               # conj(Z[n/2 - k])
        # 2E = A + B; 2O = -i (A - B) = (ai - bi, -(ar - br))
        er2, ei2 = ar + br, ai + bi
        dr, di = ai - bi, br - ar
        if k == 0:                                     # bins 0 and n/2: W = 1 and -1, exact
            tr, ti = _rotation(dr, di, 0, 0, 1, 1, word)
            vr, vi, o = _step_out(er2, ei2, tr, ti, word, s, rounding, overflow)
            out[0], out[1] = vr, vi
            tr, ti = _rotation(dr, di, 0, 0, 1, -1, word)
            vr, vi, o2 = _step_out(er2, ei2, tr, ti, word, s, rounding, overflow)
            out[2 * h], out[2 * h + 1] = vr, vi
            sat += o + o2
            continue
        tr, ti = _rotation(dr, di, tw[2 * k], tw[2 * k + 1], 0, 1, word)
        vr, vi, o = _step_out(er2, ei2, tr, ti, word, s, rounding, overflow)
        out[2 * k], out[2 * k + 1] = vr, vi
        sat += o
        if j != k:                                     # X[n/2-k] = (E2 - t)* / 2
            vr, vi, o = _step_out(er2, -ei2, -tr, ti, word, s, rounding, overflow)
            out[2 * j], out[2 * j + 1] = vr, vi
            sat += o
    return s, sat


@nb.njit(cache=True)
def irfft_merge(x, work, tw, n, word, mode, rounding, overflow):
    """Z[k], k < n/2, of the inverse real FFT from bins X[0 .. n/2] (natural order in ``x``):
    Z = E + i O with E = (X[k] + X*[n/2-k]) / 2, O = W^-k (X[k] - X*[n/2-k]) / 2, written to
    ``work`` for the inverse n/2-point FFT. Returns (shift, saturations)."""
    h = n // 2
    s = _shift_for(frame_peak(x[: 2 * (h + 1)]), word, mode)
    sat = 0
    for k in range(h):
        ar, ai = x[2 * k], x[2 * k + 1]
        br, bi = x[2 * (h - k)], -x[2 * (h - k) + 1]   # conj(X[n/2 - k])
        er2, ei2 = ar + br, ai + bi
        # i W^-k D, D = A - B: rotate D by conj(W), then by i: (dr, di) -> (-di, dr)
        dr, di = ar - br, ai - bi
        wr, wi = tw[2 * k], -tw[2 * k + 1]
        # i (W D) = (-(W D)_im, (W D)_re): feed the rotation with i D = (-di, dr) instead
        tr, ti = _rotation(-di, dr, wr, wi, 1 if k == 0 else 0, 1, word)
        vr, vi, o = _step_out(er2, ei2, tr, ti, word, s, rounding, overflow)
        work[2 * k], work[2 * k + 1] = vr, vi
        sat += o
    return s, sat


@nb.njit(cache=True)
def rfft_frame(frame, work, out, tw, n, word, mode, rounding, overflow):
    """One real frame: n words (natural order) -> n/2 + 1 bins in ``out`` (interleaved).
    Returns (exponent, saturations)."""
    work[:n] = frame[:n]                 # x[2m] + i x[2m+1]
    if mode == LANES:                    # the complex FFT on lanes, the split as under bfp
        e, s1 = fft_frame_lanes(work, tw, 2, n // 2, False), 0
        mode = BFP
    else:
        e, s1 = fft_frame(work, tw, 2, n // 2, False, word, mode, rounding, overflow)
    s, s2 = rfft_split(work, out, tw, n, word, mode, rounding, overflow)
    return e + (s if mode == BFP else 0), s1 + s2


@nb.njit(cache=True)
def irfft_frame(bins, work, tw, n, word, mode, rounding, overflow):
    """One frame of n/2 + 1 bins -> n real words in ``work`` (natural order).
    Returns (exponent, saturations)."""
    lanes = mode == LANES                # the merge as under bfp, the complex FFT on lanes
    if lanes:
        mode = BFP
    s, s1 = irfft_merge(bins, work, tw, n, word, mode, rounding, overflow)
    if lanes:
        e, s2 = fft_frame_lanes(work, tw, 2, n // 2, True), 0
    else:
        e, s2 = fft_frame(work, tw, 2, n // 2, True, word, mode, rounding, overflow)
    return e + (s if mode == BFP else 0), s1 + s2


@nb.njit(cache=True)
def rfft_stream(x, state, wa, tw, n, hop, word, mode, rounding, overflow):
    """Real samples into frames of n, one every ``hop`` inputs once n have arrived (hop = n:
    back to back), each windowed by ``wa`` (Q(word - 1); empty: no window, the samples as they
    are) and transformed. state = (buf (n), frame (n), work (n), fill (1)). Returns (bins
    (n/2 + 1 per frame, interleaved), exponents, saturations). The rfft and stft stages."""
    buf, frame, work, fill = state
    h = n // 2
    frac = word - 1
    nf = (fill[0] + x.size) // hop + 1      # at most this many frames complete
    y = np.empty(2 * (h + 1) * nf, dtype=np.int64)
    exps = np.empty(nf, dtype=np.int64)
    out = np.empty(2 * (h + 1), dtype=np.int64)
    sat = 0
    f = 0
    for i in range(x.size):
        buf[fill[0]] = x[i]
        fill[0] += 1
        if fill[0] == n:
            for j in range(n):
                if wa.size:
                    v, o = P.fit(P.shr_round(buf[j] * wa[j], frac, rounding), word, overflow)
                    frame[j] = v
                    sat += o
                else:
                    frame[j] = buf[j]
            exps[f], s = rfft_frame(frame, work, out, tw, n, word, mode, rounding, overflow)
            sat += s
            y[2 * (h + 1) * f: 2 * (h + 1) * (f + 1)] = out
            f += 1
            buf[: n - hop] = buf[hop:].copy()
            fill[0] = n - hop
    return y[: 2 * (h + 1) * f], exps[:f], sat


@nb.njit(cache=True)
def irfft_stream(x, state, tw, n, word, mode, rounding, overflow, in_exp, has_in_exp):
    """Frames of n/2 + 1 bins into n real samples each; returns (samples, exponents, sats)."""
    buf, work, fill = state
    h = n // 2
    count = x.size // 2
    nf = (fill[0] + count) // (h + 1)
    y = np.empty(n * nf, dtype=np.int64)
    exps = np.empty(nf, dtype=np.int64)
    sat = 0
    f = 0
    for i in range(count):
        buf[2 * fill[0]], buf[2 * fill[0] + 1] = x[2 * i], x[2 * i + 1]
        fill[0] += 1
        if fill[0] == h + 1:
            e, s = irfft_frame(buf, work, tw, n, word, mode, rounding, overflow)
            sat += s
            exps[f] = e + (in_exp[f] if has_in_exp else 0)
            y[n * f: n * (f + 1)] = work
            f += 1
            fill[0] = 0
    return y, exps, sat


class _RealFftBase(_FftBase):
    template = "c99/rfft.c.j2"
    example = {"n": 64}
    example_input = "real"

    def configure(self, opt):
        super().configure(opt)
        self.half = self.n // 2

    def static_exp(self):
        if self.inverse:
            return 1 if self.mode == STAGE else -(self.log2n - 1)
        return self.log2n if self.mode == STAGE else 0

    def c_context(self):
        ctx = super().c_context()
        ctx.update({"half": self.half, "sguard": split_guard(self.word)})
        return ctx

    def scaling(self):
        if self.lanes:
            step = "merge" if self.inverse else "split"
            return (f"{'inverse ' if self.inverse else ''}real FFT, n = {self.n}: "
                    f"{'merge step, then ' if self.inverse else ''}a {self.half}-point complex "
                    f"FFT on 16-bit lanes ({radix_plan(self.half)}, twiddle products rounded "
                    f"half up to Q15, sums halved (floor) where a stage shifts, block floating "
                    f"point){'' if self.inverse else ', then a split step'}, input "
                    f"{self.in_port.describe()}, output {self.out_fmt}; the {step} step as "
                    f"under bfp: W x exact, floored to {2 * self.word - 4} fraction bits, sums "
                    f"exact, rounded ({P.round_carry_name(self.rounding)}), shifted by 0, 1 or "
                    f"2 as its largest input component allows; exponent per frame")
        what = {STAGE: "every stage and the " + ("merge" if self.inverse else "split") +
                       " step halve",
                BFP: "block floating point (normalise, shift each stage by 0 .. 3 bits as the "
                     "frame's largest component and magnitude allow, the " +
                     ("merge" if self.inverse else "split") + " step by 0, 1 or 2 as its largest "
                     "component allows; nothing can overflow; exponent per frame)",
                NONE: "nothing scales (saturating)"}[self.mode]
        io = (f"{self.half + 1} bins -> {self.n} real samples" if self.inverse else
              f"{self.n} real samples -> {self.half + 1} bins")
        return (f"{'inverse ' if self.inverse else ''}real FFT, n = {self.n} ({io}): "
                f"{'merge step, then ' if self.inverse else ''}a {self.half}-point complex FFT "
                f"({radix_plan(self.half)}){'' if self.inverse else ', then a split step'}"
                f", input {self.in_port.describe()}, output {self.out_fmt}; twiddles "
                f"Q{self.word - 1}; W x exact, floored to "
                f"{2 * self.word - 4} fraction bits (the split / merge step: each product); sums "
                f"exact, rounded ({P.round_carry_name(self.rounding)}) to "
                f"the output{'' if self.mode == BFP else f', {self.overflow_name} to {self.word} bits'}; "
                f"{what}")

    def saturation_hint(self, peak):
        return 'scaling = "bfp" (or "stage") would hold it; a real FFT keeps its input format'

    def min_input(self):
        return self.n if not self.inverse else self.half + 1


class Rfft(_RealFftBase):
    """Real FFT of n samples: bins 0 .. n/2 (n/2 + 1 complex samples per frame), through an
    n/2-point complex FFT of x[2m] + i x[2m+1] and a split step that rounds and scales like a
    stage (under "stage" it halves: bins = DFT / n)."""
    kernel = "rfft"

    @property
    def accepts(self):
        return {"real": True, "complex": False, "block_exp": False, "frame": None}

    def output_port(self):
        return Port(self.out_fmt, complex=True, frame=self.half + 1, hop=self.n,
                    block_exp=self.mode == BFP)

    def max_out(self, n):
        return (self.n - 1 + n) // self.n * (self.half + 1)

    @property
    def rate(self):
        from fractions import Fraction
        return Fraction(self.half + 1, self.n)

    def init_state(self):
        z = np.zeros(self.n, dtype=np.int64)
        return (z.copy(), z.copy(), z.copy(), np.zeros(1, dtype=np.int64))

    def run(self, x, state):
        y, exps, sat = rfft_stream(x.data, state, np.zeros(0, dtype=np.int64), self.tw, self.n,
                                   self.n, self.word, self.model_mode, self.rounding,
                                   self.overflow)
        return Chunk(y, exps if self.out_port.block_exp else None), int(sat)

    def ref_framing(self):
        return self.n, self.n

    def reference(self, x):
        x = np.asarray(x, dtype=np.float64)
        frames = x[: x.size // self.n * self.n].reshape(-1, self.n)
        out = np.fft.rfft(frames, axis=1)
        y = np.empty(2 * out.size)
        y[0::2], y[1::2] = out.real.ravel(), out.imag.ravel()
        return y


class Irfft(_RealFftBase):
    """Inverse real FFT: frames of n/2 + 1 bins (an rfft's output) to n real samples (numpy's
    irfft: the bins of a real signal), through a merge step and an n/2-point inverse FFT."""
    kernel = "irfft"
    inverse = True
    example_before = ({"kernel": "rfft", "n": 64},)

    @property
    def accepts(self):
        return {"real": False, "complex": True, "block_exp": True, "frame": self.half + 1}

    def output_port(self):
        return Port(self.out_fmt, complex=False, frame=self.n, hop=self.n,
                    block_exp=self.mode == BFP or self.in_exp)

    def max_out(self, n):
        return (self.half + n) // (self.half + 1) * self.n

    @property
    def rate(self):
        from fractions import Fraction
        return Fraction(self.n, self.half + 1)

    def init_state(self):
        return (np.zeros(2 * (self.half + 1), dtype=np.int64), np.zeros(self.n, dtype=np.int64),
                np.zeros(1, dtype=np.int64))

    def run(self, x, state):
        in_exp = x.exp if self.in_exp and x.exp is not None else np.zeros(0, dtype=np.int64)
        y, exps, sat = irfft_stream(x.data, state, self.tw, self.n, self.word, self.model_mode,
                                    self.rounding, self.overflow, in_exp, self.in_exp)
        return Chunk(y, exps if self.out_port.block_exp else None), int(sat)

    def ref_framing(self):
        return 2 * (self.half + 1), 2 * (self.half + 1)

    def reference(self, x):
        x = np.asarray(x, dtype=np.float64)
        z = x[0::2] + 1j * x[1::2]
        frames = z[: z.size // (self.half + 1) * (self.half + 1)].reshape(-1, self.half + 1)
        return np.fft.irfft(frames, n=self.n, axis=1).ravel()
