"""Tiny helpers that print C literals (used as jinja2 filters).

>>> c_int(-2147483648)
'(-2147483647 - 1)'
>>> c_int(5000000000)
'INT64_C(5000000000)'
>>> c_array([1, -2, 3], per_line=2)
'1, -2,\\n    3'
>>> bit_reversal_pairs(8)
[1, 4, 3, 6]
>>> comment("a */ b")
'a * / b'
"""
from __future__ import annotations


def c_int(v) -> str:
    """An integer literal with the right type: INT32_MIN / INT64 values spelled without overflow."""
    v = int(v)
    if v == -(1 << 31):
        return "(-2147483647 - 1)"
    if v == -(1 << 63):
        return "(-INT64_C(9223372036854775807) - 1)"
    if -(1 << 31) < v < (1 << 31):
        return str(v)
    return f"INT64_C({v})"


def c_array(values, per_line: int = 8) -> str:
    """Comma-separated integer literals, ``per_line`` to a line (for a const table body)."""
    items = [c_int(v) for v in values]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n    ".join(lines)


def _reverse_bits(i: int, bits: int) -> int:
    """i with its ``bits`` low bits reversed."""
    return int(f"{i:0{bits}b}"[::-1], 2) if bits else 0


def bit_reversal_pairs(n: int) -> list[int]:
    """The index pairs (i, j), i < j, that the bit-reversal permutation of n = 2^b points swaps
    (j is i with its b bits reversed), flattened: the table an in-place reversal walks."""
    bits = n.bit_length() - 1
    out = []
    for i in range(n):
        j = _reverse_bits(i, bits)
        if i < j:
            out += [i, j]
    return out


def bit_reversal_kept(n: int) -> list[int]:
    """The indices that the bit-reversal permutation of n = 2^b points keeps in place (i equal to
    i with its b bits reversed): with bit_reversal_pairs, every index once.

    >>> bit_reversal_kept(8)
    [0, 2, 5, 7]
    """
    bits = n.bit_length() - 1
    return [i for i in range(n) if _reverse_bits(i, bits) == i]


def comment(text: str) -> str:
    """Text safe inside a C block comment."""
    return str(text).replace("*/", "* /")
