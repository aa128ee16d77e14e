"""The quantization report: what each stage of a design costs against its float64 reference.

The input is quantized once to the design's input format; the float reference runs on that same
quantized input, so the report measures the design, not the input's own quantization. Each stage's
figures compare its fixed output with the reference's output at the same point of the chain, so the
SNR column falls stage by stage as quantization costs accumulate.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..design import Design
from ..errors import FxsimError
from ..qformat import dequantize, quantize
from .metrics import headroom_bits, max_err_lsb, snr_db


def input_ints(design: Design, x_float, return_count=False):
    """Quantize float input to the design's input format: rounded to nearest and saturated
    whatever the design's overflow mode (the conversion of a signal is not a stage of the
    design: a full-scale input in a format with fewer fraction bits must not fail it); with
    ``return_count`` also how many samples were saturated, which the reports show."""
    x = np.asarray(x_float)
    if design.in_port.complex:                 # interleave re, im (a real signal: im = 0)
        z = x.astype(np.complex128)
        x = np.empty(2 * z.size)
        x[0::2], x[1::2] = z.real, z.imag
    elif np.iscomplexobj(x):
        raise FxsimError(f"the input is complex and design {design.name!r} takes real samples; "
                         f"write input = \"complex\" in the design")
    return quantize(x, design.in_fmt, "nearest", "saturate", return_count)


def aligned(design: Design, index: int, fixed_values, ref) -> tuple[np.ndarray, np.ndarray]:
    """A stage's fixed output values and its reference, the stage's latency removed and cut to a
    common length."""
    st = design.stages[index]
    lat = design.latencies()[index] * st.out_port.words
    fixed = np.asarray(fixed_values)[lat:]
    ref = np.asarray(ref)[: len(fixed)]
    return fixed[: len(ref)], ref


def quantize_report(design: Design, x_float) -> dict:
    x_int, input_sats = input_ints(design, x_float, return_count=True)
    outs, sats = design.run(x_int)
    _, routs = design.reference(dequantize(x_int, design.in_fmt), trace=True)
    stages = []
    fixed_all = []
    for i, (st, out, ref, nsat) in enumerate(zip(design.stages, outs, routs, sats)):
        fixed, ref = aligned(design, i, design.values(out, i), ref)
        fixed_all.append(fixed)
        stages.append({
            "index": st.index,
            "kernel": st.kernel,
            "snr_db": round(snr_db(ref, fixed), 2),
            "max_err_lsb": round(max_err_lsb(ref, fixed, st.out_fmt), 3),
            "saturations": nsat,
            "min": float(fixed.min()) if fixed.size else 0.0,
            "max": float(fixed.max()) if fixed.size else 0.0,
            "headroom_bits": round(headroom_bits(out.data, st.out_fmt), 2),
            "format": str(st.out_fmt),
            "port": st.out_port.describe(),
            "scaling": st.scaling(),
            # the stage's own figures (e.g. a biquad's limit cycle), through its one hook
            "extra": dict(st.extra_report()),
        })
    last = stages[-1]
    return {
        "design": design.name,
        "samples": int(len(x_int)) // design.in_port.words,
        "snr_db": last["snr_db"],
        "max_err_lsb": last["max_err_lsb"],
        "saturations": int(sum(sats)) + input_sats,
        "input_saturations": input_sats,
        "stages": stages,
        "_traces": (x_int, fixed_all, routs),
    }


def format_table(rep: dict) -> str:
    """The report as a text table."""
    lines = [f"design {rep['design']}: {rep['samples']} samples, end to end SNR "
             f"{rep['snr_db']:.2f} dB, max error {rep['max_err_lsb']:.3f} LSB, "
             f"{rep['saturations']} saturations ({rep['input_saturations']} in the input)",
             f"{'#':>2} {'kernel':<11} {'format':<8} {'SNR dB':>8} {'max LSB':>9} {'sat':>6} "
             f"{'min':>9} {'max':>9} {'headroom':>8}"]
    for s in rep["stages"]:
        lines.append(f"{s['index']:>2} {s['kernel']:<11} {s['format']:<8} {s['snr_db']:>8.2f} "
                     f"{s['max_err_lsb']:>9.3f} {s['saturations']:>6} {s['min']:>9.5f} "
                     f"{s['max']:>9.5f} {s['headroom_bits']:>8.2f}"
                     + "".join(f"  {k} {v}" for k, v in s["extra"].items()))
    return "\n".join(lines)


def plot(rep: dict, design: Design, path) -> None:
    """Per-stage SNR and the end-to-end error signal, as a PNG (needs matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x_int, fixed_all, routs = rep["_traces"]
    fixed, ref = aligned(design, len(design.stages) - 1, fixed_all[-1], routs[-1])
    err = (ref - fixed) / design.out_fmt.lsb
    fig, (a, b) = plt.subplots(2, 1, figsize=(8, 6))
    a.bar([f"{s['index']}:{s['kernel']}" for s in rep["stages"]], [s["snr_db"] for s in rep["stages"]])
    a.set_ylabel("SNR vs float64 (dB)")
    a.set_title(f"{rep['design']}: quantization cost per stage")
    b.plot(err, lw=0.5)
    b.set_xlabel("output sample")
    b.set_ylabel("error (LSB)")
    fig.tight_layout()
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    except OSError as e:
        raise FxsimError(f"--plot: cannot write {str(path)!r} ({e.strerror})") from None
    except ValueError as e:                   # matplotlib: unknown image format
        raise FxsimError(f"--plot: {str(path)!r}: {e}; use .png, .svg or .pdf") from None
    finally:
        plt.close(fig)
