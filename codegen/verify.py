"""``fxsim verify``: generate a design's C, compile it with a streaming harness, run it and
compare it bit for bit with the model; measure SNR against the float64 reference."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np

from fxsim.analysis.metrics import SNR_CAP, snr_db
from fxsim.analysis.report import input_ints
from fxsim.design import Design
from fxsim.errors import FxsimError
from fxsim.qformat import dequantize

from . import build, cortex_m4, measure, render

TARGETS = ("host", "cortex-m4")


def build_design(design: Design, unroll: int = 4, opt: str = "-O2", extra_flags=()) -> Path:
    """Render the design and its harness into a cache directory and compile them."""
    files = render.render(design, "c99", unroll)
    files["harness.c"] = render.render_harness(design)
    key = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
    d = build.cache_dir() / f"{design.name}-{key}"
    d.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (d / name).write_text(text)
    return build.compile_host([d / f"{design.name}.c", d / "harness.c"], name=design.name,
                              opt=opt, extra_flags=extra_flags, include_dirs=[d])


def run_c(exe: Path, design: Design, x_int, with_saturations=False):
    """Stream int samples through the compiled harness; returns its outputs as int64 (and the
    per-stage saturation counts the C kept, with ``with_saturations``)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.raw", Path(tmp) / "out.raw"
        src.write_bytes(np.asarray(x_int).astype(design.in_fmt.dtype).tobytes())
        stdout = build.run(exe, [src, dst]).decode()
        y = np.frombuffer(dst.read_bytes(), dtype=design.out_fmt.dtype).astype(np.int64)
    if not with_saturations:
        return y
    return y, parse_saturations(stdout)


def parse_saturations(stdout: str) -> list[int]:
    """The per-stage counts from the harness's "saturations ..." line."""
    line = next(ln for ln in stdout.splitlines() if ln.startswith("saturations"))
    return [int(v) for v in line.split()[1:]]


def compile_for(design: Design, target: str, unroll: int = 4, opt: str = "-O2", extra_flags=()):
    """Build the design's harness for ``target``; returns run(x_int) -> (outputs, saturations)."""
    if target not in TARGETS:
        raise FxsimError(f"--target: {target!r}; allowed: {' | '.join(TARGETS)}")
    if target == "host":
        exe = build_design(design, unroll, opt, extra_flags)
        return lambda x: run_c(exe, design, x, with_saturations=True)
    main_c = render.render_harness(design)
    elf, _ = cortex_m4.build_elf(design, main_c, unroll, opt, extra_flags=extra_flags)

    def run_m4(x):
        y, stdout = cortex_m4.run_design(elf, design, x)
        return y, parse_saturations(stdout)
    return run_m4


def cost(design: Design, target: str, unroll: int = 4) -> dict:
    """Instructions per call of <name>_process (callgrind on the host, QEMU on the M4) and the
    design's code size (.text of its object file)."""
    if target == "host":
        return {"instructions_per_call": measure.instructions_per_call(design, unroll=unroll),
                "text_bytes": measure.text_bytes(design, unroll)}
    _, obj = cortex_m4.build_elf(design, render.render_harness(design), unroll)
    return {"instructions_per_call": cortex_m4.instructions_per_call(design, unroll),
            "text_bytes": cortex_m4.text_bytes(obj)}


def verify(design: Design, signals: dict, target: str = "host", min_snr: float = 60.0,
           unroll: int = 4, opt: str = "-O2", extra_flags=()) -> dict:
    """Run every signal (float, in [-1, 1)) through the model and the compiled C."""
    run = compile_for(design, target, unroll, opt, extra_flags)
    mismatches, samples, ps, pe = 0, 0, 0.0, 0.0
    sat_agree = True
    per_signal = []
    for name, x in signals.items():
        x_int = input_ints(design, x)
        model, model_sats = design.simulate(x_int)
        c_out, c_sats = run(x_int)
        n_bad = int(np.count_nonzero(model != c_out)) if len(model) == len(c_out) else \
            max(len(model), len(c_out))
        ref = np.asarray(design.reference(dequantize(x_int, design.in_fmt)))[: len(model)]
        fixed = dequantize(model, design.out_fmt)
        ps += float(np.dot(ref, ref))
        pe += float(np.dot(ref - fixed, ref - fixed))
        mismatches += n_bad
        samples += len(model)
        sat_agree &= c_sats == model_sats
        per_signal.append({"signal": name, "samples": len(model), "mismatches": n_bad,
                           "snr_db": round(snr_db(ref, fixed), 2), "saturations": model_sats,
                           "c_saturations": c_sats})
    total_snr = SNR_CAP if pe == 0 else min(SNR_CAP, 10 * np.log10(ps / pe)) if ps > 0 else -SNR_CAP
    result = {
        "target": target,
        "bit_exact": mismatches == 0 and sat_agree,
        "mismatches": mismatches,
        "samples": samples,
        "snr_db": round(float(total_snr), 2),
        "min_snr_db": float(min_snr),
        "passed": bool(mismatches == 0 and sat_agree and total_snr >= min_snr),
        "saturation_counts_agree": sat_agree,
        "signals": per_signal,
    }
    return result
