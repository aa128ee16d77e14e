"""The targets fxsim generates C for, builds and runs on: one set of names for ``codegen`` and
``verify``.

A target is a set of capabilities that templates query (``"dsp" in s.caps``), never a name
compared in them:
  dsp    the ARMv7E-M DSP extension (SMLALD, SMLAD, QADD, ...), used under FXSIM_USE_DSP with the
         plain-C path beside it (both bit-exact with the model)
  clz    a count-leading-zeros instruction (fx_bit_length)
  mac64  a 32 x 32 -> 64-bit multiply-accumulate instruction (SMLAL, x86 imul)
``host`` is portable C99 built with gcc and run on this machine (``c99`` is accepted as its old
name); ``cortex-m4`` is the same C built with arm-none-eabi-gcc and run on QEMU's mps2-an386.
"""
from __future__ import annotations

from dataclasses import dataclass

from fxsim.errors import FxsimError


@dataclass(frozen=True)
class Target:
    name: str
    caps: frozenset
    description: str


TARGETS = {
    "host": Target("host", frozenset({"clz", "mac64"}),
                   "portable C99, built with gcc and run on this machine"),
    "cortex-m4": Target("cortex-m4", frozenset({"dsp", "clz", "mac64"}),
                        "ARM Cortex-M4 (arm-none-eabi-gcc, run on QEMU mps2-an386)"),
}
ALIASES = {"c99": "host"}
NAMES = tuple(TARGETS)


def get(name: str) -> Target:
    """The target called ``name`` (or an alias); a user error naming the allowed ones otherwise."""
    key = ALIASES.get(name, name)
    if key not in TARGETS:
        raise FxsimError(f"--target: {name!r}; allowed: {' | '.join(NAMES)}")
    return TARGETS[key]
