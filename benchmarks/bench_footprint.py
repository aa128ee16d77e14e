"""Footprint of the generated C for every shipped example: code (.text), constant tables
(.rodata), RAM (sizeof the design's state: stage states and inter-stage buffers) and
instructions per call, on the host (callgrind) and on the Cortex-M4 (QEMU), the firmware build
(no test hook), gcc / arm-none-eabi-gcc -O2, unroll 4."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fxsim import design as D  # noqa: E402
from fxsim.codegen import cortex_m4, verify as V  # noqa: E402


def main():
    targets = ["host"] + (["cortex-m4"] if cortex_m4.available() else [])
    print("## Generated C footprint per example (bytes; instructions per block call)\n")
    print("| design | block | target | text | tables | RAM | instructions per call |")
    print("|---|---|---|---|---|---|---|")
    examples = sorted((ROOT / "examples").glob("*.toml")) + \
        sorted((ROOT / "examples" / "gate").glob("*.toml"))
    for path in examples:
        des = D.load(path)
        for t in targets:
            c = V.cost(des, t)
            ipc = c["instructions_per_call"]
            print(f"| {path.relative_to(ROOT / 'examples')} | {des.block} | {t} | "
                  f"{c.get('text_bytes', 'n/a')} | {c.get('table_bytes', 'n/a')} | "
                  f"{c['ram_bytes']} | {'n/a' if ipc is None else f'{ipc:,.0f}'} |")
    if "cortex-m4" not in targets:
        print("\n(no Cortex-M4 toolchain here: arm-none-eabi-gcc and qemu-system-arm)")


if __name__ == "__main__":
    main()
