"""Shared helpers of tests/test_fir.py and tests/test_polyphase.py."""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from fxsim.codegen import build, verify
from fxsim import design as D
from fxsim.qformat import quantize

ROOT = Path(__file__).resolve().parent.parent


def make(kernel="fir", data="Q15", block=160, name="t", out=None, **keys):
    """A one-stage design built from keys."""
    stage = {"kernel": kernel, **keys}
    if out is not None:
        stage["data"] = out
    return D.from_dict({"name": name, "block": block, "defaults": {"data": data},
                        "stage": [stage]})


def noise(n, dbfs=-10.0, seed=0, fmt="Q15"):
    rng = np.random.default_rng(seed)
    x = np.clip(rng.standard_normal(n) * 10 ** (dbfs / 20), -1, 32767 / 32768)
    return quantize(x, fmt).astype(np.int64)


def edge_signal(n, fmt, seed=1):
    """Noise, full-scale runs of both signs (the most negative word included) and silence."""
    from fxsim.qformat import QFormat
    f = QFormat.parse(fmt)
    rng = np.random.default_rng(seed)
    x = rng.integers(f.min_int, f.max_int + 1, size=n, dtype=np.int64)
    x[n // 8: n // 8 + 80] = f.min_int
    x[n // 4: n // 4 + 80] = f.max_int
    x[n // 2: n // 2 + 40] = 0
    return x


def model(design, x, splits=None):
    """The model's output, in one call or in calls of the given lengths."""
    st = design.stages[0]
    state = st.init_state()
    if splits is None:
        return st.process(np.asarray(x, dtype=np.int64), state)[0]
    outs, pos = [], 0
    for n in splits:
        outs.append(st.process(np.asarray(x[pos:pos + n], dtype=np.int64), state)[0])
        pos += n
    outs.append(st.process(np.asarray(x[pos:], dtype=np.int64), state)[0])
    return np.concatenate(outs)


@functools.lru_cache(maxsize=None)
def ref_driver(opt="-O2", extra=()):
    c_ref = ROOT / "c_ref"
    return build.compile_host([c_ref / "kernels" / "fir.c", ROOT / "tests" / "c" / "fir_ref_driver.c"],
                              name="fir_ref_driver", opt=opt, extra_flags=extra)


def run_ref_c(design, x, block=0, opt="-O2", extra=()):
    """The c_ref reference C of the design's single stage on x (block 0: varying call sizes)."""
    from .c_ref_bindings import fir_args
    st = design.stages[0]
    args = fir_args(st) + [block]
    stdin = st.table.astype(np.int32).tobytes() + np.asarray(x).astype(np.int32).tobytes()
    out = build.run(ref_driver(opt, tuple(extra)), args, stdin)
    return np.frombuffer(out, dtype=np.int32).astype(np.int64)


def run_generated(design, x, unroll=4, opt="-O2", extra=()):
    return verify.outputs(design, x, "host", unroll, opt, tuple(extra))[0]
