"""Design files (TOML) -> stages; run the fixed-point model and the float64 reference.

A design (keys in docs/design-file.md) is a chain of stages. The first stage reads samples in the
format ``[defaults] data`` (Q15 unless given); each stage's output port (``fxsim.ports``: format,
real or complex, stream or frames, block exponent, side outputs) is the next stage's input port,
and the design refuses a link the next stage cannot take, naming both stages.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from .errors import FxsimError
from .kernels import PLANNED, REGISTRY
from .kernels.base import Stage, signed_data_format
from .ports import Chunk, Port, check_link, real_values
from .qformat import QFormat, overflow_mode, rounding_mode

TOP_KEYS = {"name", "sample_rate", "block", "input", "defaults", "stage"}
INPUTS = ("real", "complex")
DEFAULT_KEYS = {"data", "rounding", "overflow", "coef", "acc_bits"}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: names a design may not take: its <name>.h / <name>.c would overwrite fxsim's runtime files or
#: the build's main program, or shadow a C standard header
RESERVED_NAMES = frozenset({
    "fxsim_prim", "fxsim_math", "fxsim_tables", "basicop", "main", "harness", "prog",
    "assert", "complex", "ctype", "errno", "fenv", "float", "inttypes", "iso646", "limits",
    "locale", "math", "setjmp", "signal", "stdarg", "stdbool", "stddef", "stdint", "stdio",
    "stdlib", "string", "tgmath", "time", "wchar", "wctype", "arm_acle", "arm_math"})


@dataclass
class Design:
    name: str
    sample_rate: int
    block: int
    in_fmt: QFormat
    stages: list[Stage]
    path: Path | None = None
    overflow_name: str = "saturate"
    rounding_name: str = "nearest"
    defaults: dict = field(default_factory=dict)
    #: the parsed design file as written (``fxsim propose`` rewrites it)
    doc: dict = field(default_factory=dict)

    @property
    def in_port(self) -> Port:
        return self.stages[0].in_port

    @property
    def out_port(self) -> Port:
        return self.stages[-1].out_port

    @property
    def out_fmt(self) -> QFormat:
        return self.stages[-1].out_fmt

    @property
    def rate(self) -> Fraction:
        """Output samples per input sample, on average."""
        r = Fraction(1)
        for s in self.stages:
            r *= s.rate
        return r

    def max_lengths(self, n: int | None = None) -> list[int]:
        """The most samples each point of the chain (input, then every stage's output) can carry
        in one call of ``n`` (default ``block``) input samples, taken stage by stage."""
        lengths = [self.block if n is None else n]
        for st in self.stages:
            lengths.append(st.max_out(lengths[-1]))
        return lengths

    def latencies(self) -> list[int]:
        """Per stage output: samples by which the model's output trails the float reference."""
        out, lat = [], Fraction(0)
        for st in self.stages:
            lat = lat * st.rate + st.latency
            out.append(int(lat))
        return out

    def init_states(self):
        return [s.init_state() for s in self.stages]

    def run(self, x_int, states=None, strict=True) -> tuple[list[Chunk], list[int]]:
        """Run the integer model on int words of the input port. Returns every stage's output
        chunk and the per-stage saturation counts. A stage with overflow = "error" that
        overflowed raises RangeError, unless ``strict`` is off (``fxsim verify`` reports it as a
        failed check instead)."""
        states = self.init_states() if states is None else states
        chunk = Chunk(np.ascontiguousarray(x_int, dtype=np.int64))
        outs, sats = [], []
        for st, state in zip(self.stages, states):
            chunk, n = st.run(chunk, state)
            if strict:
                st.check_overflow(int(n))
            outs.append(chunk)
            sats.append(int(n))
        return outs, sats

    def simulate(self, x_int, states=None, trace=False):
        """The model's output words (int64) and per-stage saturation counts; with ``trace`` also
        every stage's output words."""
        outs, sats = self.run(x_int, states)
        y = outs[-1].data
        return (y, sats, [c.data for c in outs]) if trace else (y, sats)

    def anchors(self) -> list[int]:
        """Indices of the stages (after the first) that decide (``Stage.decides``): their
        reference runs on the model's input of the stage, not on the reference chain's."""
        return [i for i, st in enumerate(self.stages) if st.decides and i > 0]

    def checkpoints(self) -> list[int]:
        """The stage outputs the precision of a design is judged at: the input of every
        anchored stage (the end of the chain before it) and the last stage's output."""
        return [i - 1 for i in self.anchors()] + [len(self.stages) - 1]

    def anchor_input(self, index: int, model_values, skip_state: dict | None = None):
        """The model's output values of stage ``index - 1`` with its latency removed: the input
        of anchored stage ``index``'s reference, on the reference's time line. Streamed: pass
        one dict per stage, kept across blocks (``skip_state``)."""
        lat = self.latencies()[index - 1] * self.stages[index - 1].out_port.words
        v = np.asarray(model_values, dtype=np.float64)
        if skip_state is None:
            return v[lat:]
        done = skip_state.get("skipped", 0)
        cut = min(v.size, lat - done)
        skip_state["skipped"] = done + cut
        return v[cut:]

    def reference(self, x_float, trace=False, clip=False, model=None):
        """Run the float64 reference on float samples; with ``trace`` every stage's output.
        With ``clip``, each stage's reference output is clipped to the range of its output format
        where the stage saturates (overflow = "saturate"): saturation is then measured apart from
        precision, as ``fxsim verify`` does. ``model``: every stage's output values from the
        model; given, a deciding stage's reference runs on the model's input of it
        (``anchors``)."""
        y = np.asarray(x_float, dtype=np.float64)
        outs, anchors = [], self.anchors() if model is not None else ()
        for i, st in enumerate(self.stages):
            if i in anchors:
                y = self.anchor_input(i, model[i - 1])
            y = np.asarray(st.reference(y), dtype=np.float64)
            port = st.out_port
            if clip and st.overflow_name == "saturate" and not port.block_exp:
                y = np.clip(y, port.fmt.min_int * port.fmt.lsb, port.fmt.max_int * port.fmt.lsb)
            outs.append(y)
        return (y, outs) if trace else y

    def no_output(self, source: str, n: int) -> FxsimError:
        """The error for an input of ``n`` samples that gives no output, naming the stage that
        waits for more."""
        waits = [st for st in self.stages if st.min_input() > 1]
        return FxsimError(f"--input {source}: {n} samples give no output" +
                          (f": {waits[0].where} needs {waits[0].min_input()} input samples "
                           f"before its first output" if waits else ""))

    def ref_states(self) -> list[dict]:
        return [s.ref_state() for s in self.stages]

    def reference_block(self, x_float, states, clip=False, model=None) -> list[np.ndarray]:
        """The float64 reference streamed: every stage's output for the next block of input
        (``states`` from ``ref_states``, carried from block to block); ``clip`` and ``model``
        (this block's model output values) as in ``reference``. Any split of the input gives
        the outputs of ``reference(trace=True)``."""
        y = np.asarray(x_float, dtype=np.float64)
        outs, anchors = [], self.anchors() if model is not None else ()
        for i, (st, state) in enumerate(zip(self.stages, states)):
            if i in anchors:
                y = self.anchor_input(i, model[i - 1], state.setdefault("_anchor", {}))
            y = np.asarray(st.reference_block(y, state), dtype=np.float64)
            port = st.out_port
            if clip and st.overflow_name == "saturate" and not port.block_exp:
                y = np.clip(y, port.fmt.min_int * port.fmt.lsb, port.fmt.max_int * port.fmt.lsb)
            outs.append(y)
        return outs

    def values(self, chunk: Chunk, index: int = -1) -> np.ndarray:
        """A stage's output chunk as float64 values (format and block exponents applied)."""
        return real_values(chunk, self.stages[index].out_port)


def _fail(msg):
    raise FxsimError(msg)


def _check_rate(st, sample_rate: int, before: list) -> None:
    """A stage that runs at one sample rate only (``Stage.sample_rate``) must get it: the design's
    rate times the rate changes of the stages before it."""
    if st.sample_rate is None:
        return
    rate = Fraction(sample_rate)
    for b in before:
        rate *= b.rate
    if rate != st.sample_rate:
        ratio = rate / st.sample_rate
        hint = (f"decimate by {ratio} first (a decimate stage with factor = {ratio})"
                if ratio.denominator == 1 else
                f"interpolate by {1 / ratio} first" if ratio.numerator == 1 else
                f"resample to {st.sample_rate} Hz first")
        _fail(f"{st.where} runs at {st.sample_rate} Hz and its input here is {float(rate):g} Hz: "
              f"{hint}")


def load(path) -> Design:
    """Read and validate a design file."""
    path = Path(path)
    if not path.is_file():
        _fail(f"design file {str(path)!r} not found")
    try:
        doc = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        _fail(f"{path}: TOML syntax error: {e}")
    except UnicodeDecodeError:
        _fail(f"{path}: not a text (TOML) file")
    return from_dict(doc, path)


def from_dict(doc: dict, path: Path | None = None) -> Design:
    """Validate a parsed design and build its stages."""
    unknown = sorted(set(doc) - TOP_KEYS)
    if unknown:
        _fail(f"design: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(TOP_KEYS))}")
    name = doc.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        _fail(f"design.name: {name!r} is not a C identifier prefix; allowed: [a-z][a-z0-9_]* (a "
              f"leading underscore would make reserved C identifiers)")
    if name in RESERVED_NAMES or name == "fxsim" or name.startswith("fxsim_"):
        _fail(f"design.name: {name!r} would collide with a runtime file or a C standard header "
              f"({name}.h); choose another name")
    sample_rate = doc.get("sample_rate", 16000)
    if not isinstance(sample_rate, int) or isinstance(sample_rate, bool) or sample_rate <= 0:
        _fail(f"design.sample_rate: {sample_rate!r}; allowed: a positive integer (Hz)")
    block = doc.get("block", 160)
    if not isinstance(block, int) or isinstance(block, bool) or not 1 <= block <= 1 << 16:
        _fail(f"design.block: {block!r}; allowed: an integer from 1 to 65536")
    kind = doc.get("input", "real")
    if kind not in INPUTS:
        _fail(f"design.input: {kind!r}; allowed: {' | '.join(INPUTS)} (complex samples are "
              f"interleaved re, im)")
    defaults = doc.get("defaults", {})
    if not isinstance(defaults, dict):
        _fail("design.defaults: must be a table")
    unknown = sorted(set(defaults) - DEFAULT_KEYS)
    if unknown:
        _fail(f"defaults: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(DEFAULT_KEYS))}")
    in_fmt = signed_data_format(defaults.get("data", "Q15"), "defaults.data")
    rounding_mode(defaults.get("rounding", "nearest"), "defaults.rounding")
    overflow_mode(defaults.get("overflow", "saturate"), "defaults.overflow")
    specs = doc.get("stage")
    if not isinstance(specs, list) or not specs:
        _fail("design: no [[stage]] tables; a design needs at least one stage")
    # defaults meaningful to only some kernels (coef format, acc_bits) reach the stages that say so
    stage_defaults = {k: v for k, v in defaults.items() if k in ("data", "rounding", "overflow")}
    stages, port = [], Port(in_fmt, complex=kind == "complex")
    for i, spec in enumerate(specs):
        if not isinstance(spec, dict):
            _fail(f"stage[{i}]: {spec!r} is not a table; write [[stage]] tables")
        kernel = spec.get("kernel")
        if not isinstance(kernel, str):
            _fail(f"stage[{i}].kernel: {kernel!r}; allowed: {', '.join(sorted(REGISTRY))}")
        if kernel not in REGISTRY:
            if kernel in PLANNED:
                _fail(f"stage[{i}].kernel: {kernel!r} is not implemented yet; available: "
                      f"{', '.join(sorted(REGISTRY))}")
            _fail(f"stage[{i}].kernel: unknown kernel {kernel!r}; allowed: "
                  f"{', '.join(sorted(REGISTRY))}")
        cls = REGISTRY[kernel]
        extra = {k: v for k, v in defaults.items() if k in cls.default_keys}
        st = cls(i, spec, {**stage_defaults, **extra}, port, path.parent if path else None)
        check_link(stages[-1].where if stages else "the design input", port, st.where,
                   st.accepts)
        _check_rate(st, sample_rate, stages)
        stages.append(st)
        port = st.out_port
    return Design(name=name, sample_rate=sample_rate, block=block, in_fmt=in_fmt, stages=stages,
                  path=path, overflow_name=defaults.get("overflow", "saturate"),
                  rounding_name=defaults.get("rounding", "nearest"), defaults=defaults, doc=doc)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(doc: dict) -> str:
    """A design dict as TOML text (the subset designs use: scalars, arrays, inline tables,
    [defaults] and [[stage]]). ``tomllib.loads(to_toml(d)) == d``."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in doc.items() if k not in ("defaults", "stage")]
    if "defaults" in doc:
        lines += ["", "[defaults]"] + [f"{k} = {_toml_value(v)}" for k, v in doc["defaults"].items()]
    for st in doc.get("stage", []):
        lines += ["", "[[stage]]"] + [f"{k} = {_toml_value(v)}" for k, v in st.items()]
    return "\n".join(lines) + "\n"
