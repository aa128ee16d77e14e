"""Skeleton stages (gain, preemph, deemph): the numba model vs the generated C at -O2 on the host,
on 160000 samples, and x86 instructions per 160-sample call (callgrind). Prints a markdown table."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fxsim.codegen.measure import instructions_per_call, time_generated  # noqa: E402
from fxsim import design as D  # noqa: E402
from fxsim.qformat import quantize  # noqa: E402

from common import model_time, noise  # noqa: E402


def main():
    xf = noise(160000)
    rows = []
    for kernel, keys in [("gain", {"gain": 0.7071}), ("preemph", {"coef": 0.8}),
                         ("deemph", {"coef": 0.8})]:
        for data in ("Q15", "Q31"):
            des = D.from_dict({"name": f"b_{kernel}", "block": 160, "defaults": {"data": data},
                               "stage": [{"kernel": kernel, **keys,
                                          **({"data": "Q2.13" if data == "Q15" else "Q2.29"}
                                             if kernel == "deemph" else {})}]})
            x = quantize(xf, des.in_fmt).astype(np.int64)
            tm, tc = model_time(des, x), time_generated(des, x)
            ipc = instructions_per_call(des)
            rows.append((kernel, data, tm * 1e3, tc * 1e3, tm / tc, ipc))
    print("| stage | data | numba model ms | generated C -O2 ms | model/C | x86 instr per 160-sample call |")
    print("|---|---|---|---|---|---|")
    for k, d, tm, tc, r, ipc in rows:
        print(f"| {k} | {d} | {tm:.3f} | {tc:.3f} | {r:.2f} | {ipc if ipc is None else f'{ipc:,.0f}'} |")
    print("(160000 samples of -10 dBFS noise; fastest of 7 runs; C timed inside its own process)")


if __name__ == "__main__":
    main()
