"""Many simulations of one design's variants, on all cores or on a Dask cluster.

A job is ``evaluate(doc, base_dir, source)``: build a design from its document, stream the input
through the model and the float reference (``report.quantize_report``) and return the report. Jobs
carry no state but their arguments, all picklable (a design document is a dict, a ``Source``
names a file or holds samples), so joblib can hand them to local worker processes (``jobs``) or,
through its ``dask`` backend, to the workers of a ``dask.distributed`` cluster (``cluster``: the
scheduler's address, or a Cluster object). A worker on another machine opens the input file by
its path: the file (and any taps_file / sos_file) must be readable there at the same path.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FxsimError


@dataclass(frozen=True)
class Source:
    """The input of a job: a file read a block at a time (``path``, with the reader's options),
    or samples in memory (``samples``, for small inputs and tests)."""
    path: str | None = None
    channel: int | None = None
    resample: bool = False
    span: tuple = (0.0, None)             # (start, duration) in seconds; duration None: to the end
    samples: np.ndarray | None = None

    def __post_init__(self):
        # a worker may run in another directory (a cluster's): the file by its absolute path
        if self.path is not None:
            object.__setattr__(self, "path", str(Path(self.path).resolve()))

    def blocks(self, sample_rate: int, block: int):
        from .. import audio
        if self.samples is not None:
            x = self.samples
            return (x[i: i + block] for i in range(0, max(x.size, 1), block))
        return audio.InputFile(self.path, sample_rate, self.channel, self.resample,
                               block, self.span).blocks()


def evaluate(doc: dict, path: str | None, source: Source, spectra: bool = False) -> dict:
    """The quantization report of the design ``doc`` on ``source``; a design the kernels refuse
    gives {"error": message}. ``path``: the design file's (relative file names start at its
    directory). The unit of work of every sweep (picklable, no global state)."""
    from ..design import from_dict
    from .report import BLOCK, quantize_report
    try:
        des = from_dict(doc, Path(path) if path else None)
    except FxsimError as e:          # a format a kernel refuses: a result, not a failure
        return {"error": str(e)}
    rep = quantize_report(des, source.blocks(des.sample_rate, BLOCK), spectra=spectra)
    return {k: v for k, v in rep.items() if not k.startswith("_")}


#: seconds to wait for a Dask scheduler
CONNECT_TIMEOUT = 10


def parallel_map(fn, arg_tuples: list[tuple], jobs: int = -1, cluster=None) -> list:
    """``[fn(*a) for a in arg_tuples]``, in parallel: joblib worker processes (``jobs``: -1 all
    cores, 1 in this process), or a Dask cluster's workers (``cluster``: address or Cluster)."""
    from joblib import Parallel, delayed, parallel_config
    if not arg_tuples:
        return []
    if cluster is None:
        if jobs == 1 or len(arg_tuples) == 1:
            return [fn(*a) for a in arg_tuples]
        return Parallel(n_jobs=jobs)(delayed(fn)(*a) for a in arg_tuples)
    try:
        from dask.distributed import Client
    except ImportError:
        raise FxsimError("--cluster needs dask.distributed: pip install 'fxsim[cluster]'") from None
    try:
        client = Client(cluster, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise FxsimError(f"--cluster {cluster!r}: cannot reach the scheduler ({e})") from None
    try:
        check_workers(client, fn.__module__, cluster)
        with parallel_config(backend="dask"):
            return Parallel()(delayed(fn)(*a) for a in arg_tuples)
    finally:
        client.close()


def check_workers(client, module: str, address) -> None:
    """Every worker can import ``module`` (a worker with another fxsim, or none, would fail to
    load the jobs, and the cluster would wait for them forever)."""
    import importlib.util
    missing = sorted(w for w, spec in client.run(importlib.util.find_spec, module).items()
                     if spec is None)
    if missing:
        raise FxsimError(f"--cluster {address!r}: worker {missing[0]} (and {len(missing) - 1} "
                         f"more) cannot import {module}: install this fxsim on every worker")


def parse_words(text: str) -> list[int]:
    """"LO:HI" (inclusive) or "LO:HI:STEP" as data word lengths, each 4 .. 32."""
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError:
        parts = []
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] <= 0):
        raise FxsimError(f"--sweep: {text!r}; allowed: LO:HI or LO:HI:STEP word lengths, e.g. 12:32")
    lo, hi, step = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
    if not 4 <= lo <= hi <= 32:
        raise FxsimError(f"--sweep: {text!r}; word lengths must satisfy 4 <= LO <= HI <= 32")
    return list(range(lo, hi + 1, step))


def with_word(design, word: int) -> dict:
    """The design's document with every stage's data in ``word``-bit words, each stage keeping
    its integer bits (its headroom as designed) and taking the rest as fraction bits; a stage
    that keeps its input's word (``data_follows_input``: fft, stft) follows the stage before,
    and where the first stage does, the design input's format is the one set to ``word`` bits
    (else nothing would vary; the kernel refuses words it does not take: an error row)."""
    doc = copy.deepcopy(design.doc)
    if design.stages and design.stages[0].data_follows_input:
        fmt = design.in_fmt
        doc.setdefault("defaults", {})["data"] = f"Q{fmt.int_bits}.{word - 1 - fmt.int_bits}"
    for spec, st in zip(doc["stage"], design.stages):
        if not st.data_follows_input:           # an FFT keeps the word it is given
            spec["data"] = f"Q{st.out_fmt.int_bits}.{word - 1 - st.out_fmt.int_bits}"
    return doc


def word_sweep(design, source: Source, words: list[int], jobs: int = -1, cluster=None) -> dict:
    """SNR at every stage's output against the data word length of all stages: {"words",
    "stages" (labels), "snr_db" (per word a list per stage, or None), "errors" (per word the
    reason a design was refused, or ""), "input_word" (whether the design input's word varies
    too: where the first stage follows it, ``with_word``)}."""
    path = str(design.path.resolve()) if design.path else None
    reps = parallel_map(evaluate, [(with_word(design, w), path, source) for w in words],
                        jobs, cluster)
    return {"words": words,
            "stages": [f"{st.index}:{st.kernel}" for st in design.stages],
            "snr_db": [[s["snr_db"] for s in r["stages"]] if "error" not in r else None
                       for r in reps],
            "errors": [r.get("error", "") for r in reps],
            "input_word": bool(design.stages and design.stages[0].data_follows_input)}
