"""The RISC-V target: build generated C with Debian's riscv64-unknown-elf-gcc for RV32IMC (ilp32)
and run it bare metal on QEMU's ``virt`` board (qemu-system-riscv32), with picolibc's semihosting
for file I/O, console output and exit status.

RV32IMC has neither a count-leading-zeros instruction (that is Zbb) nor a 32 x 32 -> 64-bit
multiply-accumulate (a 64-bit product takes MUL and MULH, and the accumulation two adds and a
carry), so the target has none of the capabilities templates query: it runs the plain-C path.

The design, its runtime and the harness are compiled for ``-march=rv32imc``; picolibc and libgcc
ship no rv32imc multilib, so gcc links their rv32im build (the same instructions, uncompressed).
Picolibc's semihosting start-up (``--crt0=semihost``) passes the semihosting command line as
argv[1:], exits through semihosting (exit(n) is QEMU's exit status, a trap prints the registers
and exits 1) and writes stdout through semihosting too: QEMU sends it to a chardev, a file that
``run_qemu`` reads back. Memory: 4 MiB of code at 0x80000000 and 4 MiB of RAM after it (1 MiB of
it stack), inside the board's 128 MiB of DRAM; picolibc's own linker script places the sections.

Instruction counts come from the QEMU plugin the Cortex-M4 uses too (codegen/qemu.py): exact,
helpers included, start-up excluded by taking the difference of two runs.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from fxsim.errors import FxsimError

from . import build, qemu

CC = "riscv64-unknown-elf-gcc"
QEMU = "qemu-system-riscv32"
ISA = ("-march=rv32imc", "-mabi=ilp32")
LIBC = ("--specs=picolibc.specs",)
MEMORY = {"__flash": 0x80000000, "__flash_size": 0x400000,
          "__ram": 0x80400000, "__ram_size": 0x400000, "__stack_size": 0x100000}
INSTALL_HINT = ("Debian: apt-get install --no-install-recommends gcc-riscv64-unknown-elf "
                "picolibc-riscv64-unknown-elf qemu-system-misc")


@functools.lru_cache(maxsize=None)
def _has_picolibc(cc: str) -> bool:
    """Whether the cross compiler at ``cc`` finds picolibc's spec file (its C library)."""
    res = subprocess.run([cc, "-print-file-name=picolibc.specs"], capture_output=True, text=True)
    return res.returncode == 0 and Path(res.stdout.strip()).is_file()


def available() -> bool:
    cc = shutil.which(CC)
    return cc is not None and shutil.which(QEMU) is not None and _has_picolibc(cc)


def require() -> None:
    if not available():
        raise FxsimError(f"--target riscv32 needs {CC} with picolibc, and {QEMU}; {INSTALL_HINT}")


def _cc(args, what):
    res = subprocess.run([CC, *map(str, args)], capture_output=True, text=True)
    if res.returncode != 0:
        raise build.BuildError(f"{CC} failed on {what}:\n{res.stderr.strip()}")


def compile_and_link(d: Path, sources, opt: str, flags, elf: Path, incs=()) -> None:
    """Compile ``sources`` (names in ``d``) with the strict flags for RV32IMC and link them with
    picolibc's semihosting start-up into a bare-metal ELF for QEMU's virt board."""
    require()
    objs = []
    for src in sources:
        obj = d / (Path(src).stem + ".o")
        _cc([*build.STRICT, opt, *ISA, *LIBC, *flags, "-ffunction-sections", "-fdata-sections",
             f"-I{d}", *(f"-I{i}" for i in incs), "-c", d / src, "-o", obj], src)
        objs.append(obj)
    _cc([opt, *ISA, *LIBC, "--crt0=semihost", "--oslib=semihost", *objs,
         *(f"-Wl,--defsym={k}={v:#x}" for k, v in MEMORY.items()), "-Wl,--gc-sections",
         "-o", elf], "the RISC-V program")


def run_qemu(elf: Path, args=(), cwd=None, count=False, timeout=120) -> tuple[str, int | None]:
    """Run an ELF on the emulated RV32 board; returns (what it printed, instructions executed or
    None). ``args`` become its argv[1:] through semihosting (argv[0] is picolibc's own; with no
    args QEMU passes the ELF's path as the command line); files are relative to ``cwd``."""
    with tempfile.TemporaryDirectory(prefix="fxsim-rv32-") as tmp:
        console = Path(tmp) / "console.txt"
        semi = ",".join(["enable=on", "target=native", "chardev=console",
                         *(f"arg={qemu.option(a)}" for a in args)])
        cmd = [QEMU, "-M", "virt", "-bios", "none", "-display", "none", "-monitor", "none",
               "-serial", "none", "-chardev", f"file,id=console,path={qemu.option(console)}",
               "-semihosting-config", semi, "-kernel", str(elf)]
        return qemu.run(cmd, elf, cwd=cwd, count=count, timeout=timeout, console=console)
