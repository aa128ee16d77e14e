"""``fxsim propose``: the cheapest formats that meet a target SNR on the user's input.

1. Ranges. One streamed pass of the float reference over the input gives each stage's output peak.
   The input itself must fit the design's input format: when it clips there, no stage format can
   help, and propose says so instead of widening formats.
2. Knobs. Per stage: its data word (16 or 32 bits; the integer bits hold the peak times the
   headroom margin, never fewer than the design gave the stage, the rest are fraction bits), and
   where the kernel has them its coefficient word (``coef``: 16 or 32), its accumulator
   (``acc_bits``: 32, 40, 64) and its FFT scaling (``scaling``: stage, bfp, none). The search
   starts from 16-bit data with the kernels' own defaults for the rest.
3. Search. While the design misses the target (end-to-end SNR below target + SNR margin, any
   saturation, or a design the kernels refuse), every one-step change of one knob is measured (in
   parallel: joblib, or a Dask cluster) and the one with the most SNR per added bit is taken.
   Then every one-step narrowing is measured and the cheapest that still meets the target is
   taken, until none does. Cost: the sum of the data, coefficient and accumulator bits of every
   stage; among equally cheap designs, the fewest instructions per call on the target when a
   target was named (counted by ``fxsim verify --count``'s machinery), else the higher SNR.
4. Every knob's value comes with the reason it was chosen (``reasons``).

Margins for unseen signals of the same kind: HEADROOM_DB above the measured peak in every
format (default 3 dB: a 41 % louder passage still fits) and SNR_MARGIN_DB above the target.
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
from .report import BLOCK, input_ints
from .sweep import Source, evaluate, parallel_map

#: default margins for unseen signals of the same kind
HEADROOM_DB = 3.0
SNR_MARGIN_DB = 1.0

#: a knob's values, cheapest first; a kernel that has the key takes part
KNOBS = {"data": (16, 32), "coef": (16, 32), "acc_bits": (32, 40, 64),
         "scaling": ("stage", "bfp", "none")}

MARGIN = 1.0 + 1.0 / 256     # saturation_hint's margin for the fixed-point error


def format_for_peak(peak: float, word_bits: int, min_int_bits: int = 0,
                    margin: float = MARGIN) -> QFormat:
    """The format of ``word_bits`` with the fewest integer bits (at least ``min_int_bits``)
    holding ``peak`` times ``margin``."""
    int_bits = max(0, math.ceil(math.log2(peak * margin))) if peak > 0 else 0
    int_bits = max(int_bits, min_int_bits)
    if int_bits > word_bits - 2:
        raise FxsimError(f"a stage's output peaks at {peak:g}: too large for a {word_bits}-bit word")
    return QFormat(int_bits, word_bits - 1 - int_bits)


def reference_peaks(design: Design, source: Source) -> list[float]:
    """Each stage's output peak of the float reference on the input (streamed); an input that
    clips in the design's input format is an error naming the input."""
    rstates = design.ref_states()
    peaks = [0.0] * len(design.stages)
    clipped = 0
    for xb in source.blocks(design.sample_rate, BLOCK):
        x_int, n = input_ints(design, xb, return_count=True)
        clipped += n
        for i, r in enumerate(design.reference_block(dequantize(x_int, design.in_fmt), rstates)):
            if r.size:
                peaks[i] = max(peaks[i], float(np.max(np.abs(r))))
    if clipped:
        raise FxsimError(f"{source.path or 'the input'}: {clipped} input samples clip in the "
                         f"design's input format {design.in_fmt}: the recording itself is too "
                         f"loud, no stage format can fix that; scale it below full scale")
    return peaks


def _knobs(design: Design) -> list[dict]:
    """The starting point: per stage {knob: value} for the knobs its kernel has: 16-bit data and
    None (the kernel's own choice, not written into the design) for the rest."""
    out = []
    for st in design.stages:
        k = {} if st.data_follows_input else {"data": 16}
        for key in ("coef", "acc_bits", "scaling"):
            if key in (st.default_keys if key == "coef" else st.keys):
                k[key] = None
        out.append(k)
    return out


def _chosen(st) -> dict:
    """A built stage's effective coefficient word, accumulator and scaling (the knobs' values
    when the kernel chose them)."""
    return {"coef": st.coef_word, "acc_bits": st.acc_bits, "scaling": st.scaling_name}


def _doc(design: Design, knobs: list[dict], peaks: list[float], margin: float) -> dict | None:
    """The design document of a knob setting (None: a peak does not fit a word)."""
    doc = copy.deepcopy(design.doc)
    for spec, st, k, peak in zip(doc["stage"], design.stages, knobs, peaks):
        if "data" in k:
            try:
                spec["data"] = str(format_for_peak(peak, k["data"], st.out_fmt.int_bits, margin))
            except FxsimError:
                return None
        for key, v in k.items():
            if key != "data":
                if v is None:
                    spec.pop(key, None)        # the kernel's choice
                else:
                    spec[key] = v
    return doc


class Candidate:
    """A knob setting, its design document and the values the kernels took for the knobs left
    to them (``effective``; None when a kernel refuses the setting)."""

    def __init__(self, search: "Search", knobs: list[dict]):
        self.knobs = knobs
        self.doc = _doc(search.design, knobs, search.peaks, search.margin)
        self.effective = None
        if self.doc is not None:
            try:
                built = from_dict(self.doc, search.design.path)
            except FxsimError:
                return
            self.effective = [{key: (v if v is not None else _chosen(st)[key])
                               for key, v in k.items()} for k, st in zip(knobs, built.stages)]

    @property
    def bits(self) -> int:
        """Data, coefficient and accumulator bits of every stage (the cost)."""
        return sum(v for k in self.effective for v in k.values() if isinstance(v, int))

    def steps(self, direction: int):
        """Every knob one value up (1) or down (-1): (stage, knob, old, new, knobs). Widening a
        stage's data or coefficients leaves its accumulator and the next stage's to the kernels
        (a wider product needs a wider accumulator)."""
        for i, k in enumerate(self.knobs):
            for key in k:
                values, old = KNOBS[key], self.effective[i][key]
                if old not in values:
                    continue
                j = values.index(old) + direction
                if not 0 <= j < len(values):
                    continue
                new = copy.deepcopy(self.knobs)
                new[i][key] = values[j]
                if direction > 0 and key in ("data", "coef"):
                    for n in (i, i + 1):
                        if n < len(new) and "acc_bits" in new[n] and (n, key) != (i, "acc_bits"):
                            new[n]["acc_bits"] = None
                yield i, key, old, values[j], new


class Search:
    def __init__(self, design: Design, source: Source, target_snr: float, headroom_db: float,
                 snr_margin_db: float, jobs: int, cluster, counter=None):
        self.design, self.source = design, source
        self.target_snr, self.need = target_snr, target_snr + snr_margin_db
        self.margin = 10.0 ** (headroom_db / 20.0)
        self.jobs, self.cluster, self.counter = jobs, cluster, counter
        self.path = str(design.path.resolve()) if design.path else None
        self.peaks = reference_peaks(design, source)
        self.measured = 0
        #: repr(design document) -> its report: every design is simulated once
        self.reports = {}
        #: (stage, knob): what the next narrower value gave, when it missed the target
        self.misses = {}

    def measure(self, cands: list[Candidate]) -> list[dict]:
        """Reports of the candidates the kernels accept (the others: {"error"}); a design
        measured before is not simulated again (narrowing after an exchange meets its
        neighbours a second time)."""
        keys = [repr(c.doc) for c in cands]
        todo = {k: c.doc for k, c in zip(keys, cands)
                if c.effective is not None and k not in self.reports}
        reps = parallel_map(evaluate, [(d, self.path, self.source) for d in todo.values()],
                            self.jobs, self.cluster)
        self.reports.update(zip(todo, reps))
        self.measured += len(todo)
        return [self.reports[k] if c.effective is not None else {"error": "refused by a kernel"}
                for k, c in zip(keys, cands)]

    def shortfall(self, rep: dict) -> str:
        """Why a measured design misses the target, briefly."""
        if "error" in rep:
            return "is refused by the kernel"
        if rep["saturations"]:
            return f"saturates ({rep['saturations']} times)"
        return f"gives {rep['snr_db']:.2f} dB"

    def meets(self, rep: dict) -> bool:
        return "error" not in rep and rep["snr_db"] >= self.need and rep["saturations"] == 0

    def _ties(self, ok: list) -> tuple:
        """The cheapest of several equally cheap (step, candidate, report): fewest instructions
        on the target when counts are known, else the higher SNR."""
        if len(ok) > 1 and self.counter is not None:
            counts = [self.counter(c.doc) for _, c, _ in ok]
            if all(n is not None for n in counts):
                return ok[counts.index(min(counts))]
        return max(ok, key=lambda t: t[2]["snr_db"])

    def run(self) -> tuple[Candidate, dict, dict]:
        cur = Candidate(self, _knobs(self.design))
        if cur.effective is None:
            from_dict(cur.doc or self.design.doc, self.design.path)   # the kernel's own error
        rep = self.measure([cur])[0]
        reasons = {}
        while not self.meets(rep):
            steps = list(cur.steps(1))
            cands = [Candidate(self, s[4]) for s in steps]
            if not any(c.effective is not None for c in cands):
                got = f"{rep['snr_db']:.1f} dB" if "error" not in rep else rep["error"]
                raise FxsimError(f"--target-snr: {self.target_snr:g} dB (+ a margin of "
                                 f"{self.need - self.target_snr:g} dB) is out of reach: the "
                                 f"widest formats give {got}")
            reps = self.measure(cands)
            now = rep["snr_db"] if "error" not in rep else -math.inf

            def score(t):
                _, c, r = t
                if "error" in r:
                    return (-1, 0.0)
                if self.meets(r):
                    return (3, -c.bits)
                return (int(r["saturations"] == 0), (r["snr_db"] - now) / max(1, c.bits - cur.bits))
            (i, key, old, new, _), cur, rep = max(zip(steps, cands, reps), key=score)
            reasons.setdefault(i, {})[key] = (
                f"{old} -> {new}: end-to-end SNR {now:.2f} -> {rep['snr_db']:.2f} dB, "
                f"{rep['saturations']} saturations (best gain per added bit of {len(steps)} "
                f"one-step changes)")
        while True:
            cur, rep = self.narrow(cur, rep, reasons)
            moved = self.exchange(cur, reasons)
            if moved is None:
                return cur, rep, reasons
            cur, rep = moved

    def narrow(self, cur: Candidate, rep: dict, reasons: dict) -> tuple[Candidate, dict]:
        """Narrow one knob a step at a time, the cheapest change that still meets the target,
        until every narrowing misses it."""
        while True:
            steps = list(cur.steps(-1))
            cands = [Candidate(self, s[4]) for s in steps]
            reps = self.measure(cands)
            for (i, key, old, new, _), r in zip(steps, reps):
                if not self.meets(r):
                    self.misses[(i, key)] = f"{new} {self.shortfall(r)}"
            ok = [(s, c, r) for s, c, r in zip(steps, cands, reps) if self.meets(r)]
            if not ok:
                return cur, rep
            cheapest = min(c.bits for _, c, _ in ok)
            (i, key, old, new, _), cur, rep = self._ties([t for t in ok if t[1].bits == cheapest])
            self.misses.pop((i, key), None)
            reasons.setdefault(i, {})[key] = (f"{old} -> {new} when narrowing: still "
                                              f"{rep['snr_db']:.2f} dB, no saturation")

    def exchange(self, cur: Candidate, reasons: dict) -> tuple[Candidate, dict] | None:
        """Where no single narrowing meets the target: one knob a step narrower and another a
        step wider, fewer bits together (a 32-bit accumulator bought with 32-bit coefficients,
        say), the cheapest pair that meets it; None if none does."""
        pairs, seen = [], set()
        for i, key, old, new, knobs in cur.steps(-1):
            down = Candidate(self, knobs)
            if down.effective is None:
                continue
            for j, key2, old2, new2, knobs2 in down.steps(1):
                c = Candidate(self, knobs2)
                sig = repr(c.doc)
                if (j, key2) == (i, key) or c.effective is None or c.bits >= cur.bits or sig in seen:
                    continue
                seen.add(sig)
                pairs.append(((i, key, old, new), (j, key2, old2, new2), c))
        reps = self.measure([c for *_, c in pairs])
        ok = [(p, c, r) for (*p, c), r in zip(pairs, reps) if self.meets(r)]
        if not ok:
            return None
        cheapest = min(c.bits for _, c, _ in ok)
        ((i, key, old, new), (j, key2, old2, new2)), cur, rep = \
            self._ties([t for t in ok if t[1].bits == cheapest])
        why = (f"traded with stage {{}}'s {{}} ({{}} -> {{}}): {rep['snr_db']:.2f} dB, no saturation, "
               f"{cheapest} bits in all (no single narrowing met the target)")
        reasons.setdefault(i, {})[key] = f"{old} -> {new}, " + why.format(j, key2, old2, new2)
        reasons.setdefault(j, {})[key2] = f"{old2} -> {new2}, " + why.format(i, key, old, new)
        return cur, rep


def explain(design: Design, cand: Candidate, peaks: list[float], rep: dict, reasons: dict,
            misses: dict, headroom_db: float) -> list[str]:
    """One line per stage: each knob's value and why."""
    lines = []
    for i, (st, k, eff, peak, s) in enumerate(zip(design.stages, cand.knobs, cand.effective,
                                                   peaks, rep["stages"])):
        kept = st.out_fmt.int_bits and QFormat.parse(s["format"]).int_bits == st.out_fmt.int_bits
        parts = [f"output {s['format']}: " + ("the kernel keeps its input's word" if
                                              "data" not in k else
                                              f"peak {peak:.4g} + {headroom_db:g} dB headroom"
                                              + (f" (the design's {st.out_fmt.int_bits} "
                                                 f"integer bit{'s' * (st.out_fmt.int_bits > 1)} "
                                                 f"kept)" if kept else ""))]
        for key, v in eff.items():
            why = reasons.get(i, {}).get(key) or (
                "the kernel's choice" if k[key] is None else
                "the narrowest option" if KNOBS[key].index(v) == 0 else "as set")
            if (i, key) in misses:
                why += f"; {misses[(i, key)]}"
            parts.append(f"{key} {v}: {why}")
        lines.append(f"stage {st.index} ({st.kernel}): " + "; ".join(parts))
    return lines


def propose(design: Design, source: Source, target_snr: float, headroom_db: float = HEADROOM_DB,
            snr_margin_db: float = SNR_MARGIN_DB, jobs: int = -1, cluster=None,
            counter=None) -> tuple[dict, dict, list[str]]:
    """Returns (new design document, its quantization report, the reasons, one line per
    stage). ``counter(doc)``: instructions per call of a design document (ties)."""
    search = Search(design, source, target_snr, headroom_db, snr_margin_db, jobs, cluster,
                    counter)
    cand, rep, reasons = search.run()
    words = sum(QFormat.parse(s["format"]).word_bits for s in rep["stages"]) + \
        sum(v for k in cand.effective for key, v in k.items()
            if key != "data" and isinstance(v, int))
    return cand.doc, rep, explain(design, cand, search.peaks, rep, reasons, search.misses,
                                  headroom_db) + \
        [f"{search.measured} designs measured (target {target_snr:g} dB + {snr_margin_db:g} dB "
         f"margin, {headroom_db:g} dB headroom); cost {words} bits of output, coefficient and "
         f"accumulator words"]


def rebase_files(doc: dict, from_dir: Path, to_dir: Path) -> dict:
    """The design with its relative file names (every stage key ending in ``_file``, e.g.
    taps_file, sos_file) made relative to ``to_dir`` (where the new design is written) instead
    of ``from_dir``."""
    for spec in doc.get("stage", []):
        for key, name in spec.items():
            if key.endswith("_file") and isinstance(name, str) and not Path(name).is_absolute():
                spec[key] = os.path.relpath(Path(from_dir) / name, Path(to_dir))
    return doc
