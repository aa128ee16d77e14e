"""The quantization report: what each stage of a design costs against its float64 reference.

The input is quantized once to the design's input format; the float reference runs on that same
quantized input, so the report measures the design, not the input's own quantization. Each stage's
figures compare its fixed output with the reference's output at the same point of the chain, so the
SNR column falls stage by stage as quantization costs accumulate.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..design import Design
from ..errors import FxsimError
from ..qformat import dequantize, quantize
from .metrics import SNR_CAP, energy_snr_db
from .spectra import SpectrumMeter


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


#: input samples per block of a streamed report
BLOCK = 1 << 16


class Envelope:
    """The error signal's envelope in bounded memory: (min, max) per bucket of samples; when
    there are 2 * POINTS buckets, neighbours merge and the bucket doubles, so a picture of any
    length keeps POINTS .. 2 * POINTS points."""
    POINTS = 2048

    def __init__(self):
        self.bucket, self.count = 1, 0
        self.start, self.lo, self.hi = np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        self.part = np.zeros(0)

    def add(self, err: np.ndarray) -> None:
        buf = np.concatenate([self.part, err])
        n = buf.size // self.bucket * self.bucket
        if n:
            b = buf[:n].reshape(-1, self.bucket)
            self.start = np.concatenate([self.start, self.count + np.arange(b.shape[0]) * self.bucket])
            self.lo = np.concatenate([self.lo, b.min(axis=1)])
            self.hi = np.concatenate([self.hi, b.max(axis=1)])
            self.count += n
        self.part = buf[n:]
        while self.lo.size >= 2 * self.POINTS:
            m = self.lo.size // 2 * 2
            self.start = np.concatenate([self.start[:m:2], self.start[m:]])
            self.lo = np.concatenate([np.minimum(self.lo[:m:2], self.lo[1:m:2]), self.lo[m:]])
            self.hi = np.concatenate([np.maximum(self.hi[:m:2], self.hi[1:m:2]), self.hi[m:]])
            self.bucket *= 2

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first sample of each bucket, min, max)."""
        return self.start, self.lo, self.hi


class StageMeter:
    """One stage's figures, accumulated block by block: the model's values and the reference's
    are paired in order (the model's first ``lat`` values, its latency, dropped)."""

    def __init__(self, lat: int, spectrum=None):
        self.skip = lat
        #: a ``spectra.SpectrumMeter`` fed the paired values, or None
        self.spectrum = spectrum
        self.fixed, self.ref = np.zeros(0), np.zeros(0)
        self.sig = self.err = 0.0
        self.max_err = 0.0
        self.lo, self.hi = np.inf, -np.inf
        self.peak_int = 0
        self.paired = 0

    def add(self, fixed_values, ref, words) -> np.ndarray:
        """Adds one block; returns the errors (ref - fixed) of the values paired in it."""
        if words.size:
            self.peak_int = max(self.peak_int, int(np.max(np.abs(words))))
        cut = min(self.skip, len(fixed_values))
        self.skip -= cut
        f = np.concatenate([self.fixed, np.asarray(fixed_values, dtype=np.float64)[cut:]])
        r = np.concatenate([self.ref, np.asarray(ref, dtype=np.float64)])
        n = min(f.size, r.size)
        self.fixed, self.ref = f[n:], r[n:]
        f, r = f[:n], r[:n]
        e = r - f
        if n:
            self.sig += float(np.dot(r, r))
            self.err += float(np.dot(e, e))
            self.max_err = max(self.max_err, float(np.max(np.abs(e))))
            self.lo, self.hi = min(self.lo, float(f.min())), max(self.hi, float(f.max()))
            if self.spectrum is not None:
                self.spectrum.add(f, r)
        self.paired += n
        return e


def _blocks(x_float, block: int):
    if isinstance(x_float, np.ndarray) or not hasattr(x_float, "__next__"):
        x = np.asarray(x_float)
        return (x[i: i + block] for i in range(0, max(x.size, 1), block))
    return x_float


def stage_rates(design: Design) -> list[float]:
    """Each stage's output rate in samples per second (frames: their samples' rate)."""
    rates, r = [], Fraction(design.sample_rate)
    for st in design.stages:
        r *= st.rate
        rates.append(float(r))
    return rates


def quantize_report(design: Design, x_float, block: int = BLOCK, progress=None,
                    source: str = "the input", spectra: bool = False) -> dict:
    """The report on a signal: an array, or an iterator of float blocks (``runner.input_blocks``),
    processed block by block through the model and the reference side by side with every figure
    accumulated, so memory stays flat whatever the input's length. A deciding stage's reference
    runs on the model's input of it (``Design.anchors``). ``progress(samples)`` is called after
    every block. With ``spectra`` each stage's output spectra (float, fixed, error) are measured too
    (``_spectra``, for the pictures)."""
    states, rstates = design.init_states(), design.ref_states()
    lats = design.latencies()
    meters = [StageMeter(lat * st.out_port.words,
                         SpectrumMeter(st.out_port, rate) if spectra else None)
              for lat, st, rate in zip(lats, design.stages, stage_rates(design))]
    env = Envelope()
    sats = [0] * len(design.stages)
    n_in = input_sats = 0
    for xb in _blocks(x_float, block):
        x_int, ns = input_ints(design, xb, return_count=True)
        input_sats += ns
        n_in += len(x_int) // design.in_port.words
        outs, s = design.run(x_int, states)
        sats = [a + b for a, b in zip(sats, s)]
        values = [design.values(c, i) for i, c in enumerate(outs)]
        refs = design.reference_block(dequantize(x_int, design.in_fmt), rstates, model=values)
        for i, (m, v, r, c) in enumerate(zip(meters, values, refs, outs)):
            e = m.add(v, r, c.data)
            if i == len(meters) - 1:
                env.add(e / design.out_fmt.lsb)
        if progress:
            progress(n_in)
    if n_in and not meters[-1].paired:
        raise design.no_output(source, n_in)
    stages = []
    for st, m, nsat in zip(design.stages, meters, sats):
        full = 2.0 ** (st.out_fmt.word_bits - 1)
        stages.append({
            "index": st.index,
            "kernel": st.kernel,
            "snr_db": round(energy_snr_db(m.sig, m.err), 2),
            "max_err_lsb": round(m.max_err / st.out_fmt.lsb, 3),
            "saturations": nsat,
            "min": m.lo if m.paired else 0.0,
            "max": m.hi if m.paired else 0.0,
            "headroom_bits": round(math.log2(full / m.peak_int) if m.peak_int
                                   else float(st.out_fmt.word_bits - 1), 2),
            "format": str(st.out_fmt),
            "port": st.out_port.describe(),
            "scaling": st.scaling(),
            # the stage's own figures (e.g. a biquad's limit cycle), through its one hook
            "extra": dict(st.extra_report()),
        })
    last = stages[-1]
    return {
        "design": design.name,
        "samples": n_in,
        "snr_db": last["snr_db"],
        "max_err_lsb": last["max_err_lsb"],
        "saturations": int(sum(sats)) + input_sats,
        "input_saturations": input_sats,
        "stages": stages,
        "_envelope": env.arrays(),
        "_spectra": [m.spectrum.result() if m.spectrum else None for m in meters],
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
