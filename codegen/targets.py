"""The targets fxsim generates C for, builds and runs on: one set of names for ``codegen`` and
``verify``.

A target is a set of capabilities that templates query (``"dsp" in s.caps``), never a name
compared in them:
  dsp    the ARMv7E-M DSP extension (SMLALD, SMLAD, QADD, ...), used under FXSIM_USE_DSP with the
         plain-C path beside it (both bit-exact with the model)
  clz    a count-leading-zeros instruction (fx_bit_length)
  mac64  a 32 x 32 -> 64-bit multiply-accumulate instruction (SMLAL, x86 imul)
``host`` is portable C99 built with gcc and run on this machine (``c99`` is accepted as its old
name); ``cortex-m4`` is the same C built with arm-none-eabi-gcc and run on QEMU's mps2-an386;
``riscv32`` is the same C built with riscv64-unknown-elf-gcc for RV32IMC and run on QEMU's virt
board (no DSP extension, no CLZ without Zbb, no 64-bit multiply-accumulate: the plain-C path).

Nor is a name compared where C is built and run (codegen/build.py, verify.py, measure.py): they
read the target's properties. An emulated target names its ``toolchain``, a module of this
package that provides
  available() -> bool                 its cross compiler and emulator are installed
  require()                           FxsimError naming the Debian packages otherwise
  compile_and_link(d, sources, opt, flags, elf, incs)
                                      compile ``sources`` in directory ``d`` and link ``elf``
  run_qemu(elf, args, cwd=None, count=False, timeout=120) -> (printed text, instructions|None)
                                      run it (argv[1:] = args, files relative to ``cwd``) and,
                                      with ``count``, count every executed instruction
and ``size_tool`` is its binutils' ``size``. The host (``toolchain`` None) is built with $CC
(gcc) and runs here; its instructions are counted by valgrind. Adding a target is one module and
one entry in TARGETS.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from fxsim.errors import FxsimError


@dataclass(frozen=True)
class Target:
    name: str
    caps: frozenset
    description: str
    #: the module of this package that cross-builds for it and runs it under QEMU; None: the host
    toolchain: str | None = None
    #: binutils' ``size`` for its object files (code and table bytes)
    size_tool: str = "size"

    @property
    def emulated(self) -> bool:
        """Built with a cross compiler and run under QEMU (not on this machine)."""
        return self.toolchain is not None

    @property
    def program_name(self) -> str:
        """The file name of a linked program in its build directory."""
        return "prog.elf" if self.emulated else "prog"

    def module(self) -> ModuleType:
        """The toolchain module of an emulated target (see above)."""
        if self.toolchain is None:
            raise ValueError(f"target {self.name} is not emulated")
        return importlib.import_module(f".{self.toolchain}", __package__)


TARGETS = {
    "host": Target("host", frozenset({"clz", "mac64"}),
                   "portable C99, built with gcc and run on this machine"),
    "cortex-m4": Target("cortex-m4", frozenset({"dsp", "clz", "mac64"}),
                        "ARM Cortex-M4 (arm-none-eabi-gcc, run on QEMU mps2-an386)",
                        toolchain="cortex_m4", size_tool="arm-none-eabi-size"),
    "riscv32": Target("riscv32", frozenset(),
                      "RISC-V RV32IMC (riscv64-unknown-elf-gcc, picolibc, run on QEMU virt)",
                      toolchain="riscv32", size_tool="riscv64-unknown-elf-size"),
}
ALIASES = {"c99": "host"}
NAMES = tuple(TARGETS)


def get(name: str) -> Target:
    """The target called ``name`` (or an alias); a user error naming the allowed ones otherwise."""
    key = ALIASES.get(name, name)
    if key not in TARGETS:
        raise FxsimError(f"--target: {name!r}; allowed: {' | '.join(NAMES)}")
    return TARGETS[key]
