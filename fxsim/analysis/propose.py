"""``fxsim propose``: choose each stage's data format for a target SNR.

Each stage's output range comes from the float64 reference on the user's input: the format gets
the fewest integer bits that hold its peak (with a 1/256 margin for the fixed-point error), but
never fewer than the design gave the stage (headroom a designer put there for other signals, a
lowpass's overshoot on full-scale steps say, is kept), and the rest of a 16-bit word as fraction
bits. While the end-to-end SNR misses the target (or
anything saturates), the 16-bit stage that loses the most SNR is widened to 32 bits, and the
design is measured again. The result is the cheapest word choice this greedy search finds; the
measured figures of the proposal come with it.
"""
from __future__ import annotations

import copy
import math
import os
from pathlib import Path

import numpy as np

from ..design import Design, from_dict
from ..errors import FxsimError
from ..qformat import QFormat, dequantize
from .metrics import SNR_CAP
from .report import input_ints, quantize_report

MARGIN = 1.0 + 1.0 / 256


def format_for_peak(peak: float, word_bits: int, min_int_bits: int = 0) -> QFormat:
    """The format of ``word_bits`` with the fewest integer bits (at least ``min_int_bits``)
    holding ``peak`` (times MARGIN)."""
    int_bits = max(0, math.ceil(math.log2(peak * MARGIN))) if peak > 0 else 0
    int_bits = max(int_bits, min_int_bits)
    if int_bits > word_bits - 2:
        raise FxsimError(f"a stage's output peaks at {peak:g}: too large for a {word_bits}-bit word")
    return QFormat(int_bits, word_bits - 1 - int_bits)


def propose(design: Design, x_float, target_snr: float) -> tuple[dict, dict]:
    """Returns (new design document, its quantization report)."""
    x_int = input_ints(design, x_float)
    _, routs = design.reference(dequantize(x_int, design.in_fmt), trace=True)
    peaks = [float(np.max(np.abs(r))) if len(r) else 0.0 for r in routs]
    words = [16] * len(design.stages)
    while True:
        doc = copy.deepcopy(design.doc)
        for spec, st, peak, word in zip(doc["stage"], design.stages, peaks, words):
            spec["data"] = str(format_for_peak(peak, word, st.out_fmt.int_bits))
        rep = quantize_report(from_dict(doc, design.path), x_float)
        if rep["snr_db"] >= target_snr and rep["saturations"] == 0:
            return doc, rep
        narrow = [i for i, w in enumerate(words) if w == 16]
        if not narrow:
            raise FxsimError(f"--target-snr: {target_snr:g} dB is out of reach by data formats alone: "
                             f"32-bit data everywhere gives {rep['snr_db']:.1f} dB; widen the "
                             f"coefficients or accumulators of the stage that loses most")
        snr = [SNR_CAP] + [s["snr_db"] for s in rep["stages"]]
        words[max(narrow, key=lambda i: snr[i] - snr[i + 1])] = 32


def rebase_files(doc: dict, from_dir: Path, to_dir: Path) -> dict:
    """The design with its relative file names (every stage key ending in ``_file``, e.g.
    taps_file, sos_file) made relative to ``to_dir`` (where the new design is written) instead
    of ``from_dir``."""
    for spec in doc.get("stage", []):
        for key, name in spec.items():
            if key.endswith("_file") and isinstance(name, str) and not Path(name).is_absolute():
                spec[key] = os.path.relpath(Path(from_dir) / name, Path(to_dir))
    return doc
