"""What every kernel stage provides, and the helpers stages share.

A stage is built from one ``[[stage]]`` table of a design and the output port of the stage before
it (``fxsim.ports``). It declares its input and output ports (format, real or complex, stream or
frames, block exponent, side outputs), runs the bit-exact integer model (``process`` or, for
stages whose output carries exponents or side outputs, ``run``; streaming: state is carried
across calls), runs the float64 reference of the design as written (``reference``, whole signal; streamed block
by block with its own state through ``ref_state`` / ``reference_block``),
states its scaling (the text that is both its documentation and the comment in the generated C),
says how many outputs n inputs can give (``max_out``) and by how many samples its output trails
the reference (``latency``), and hands the C template the values it needs (``c_context``).
Everything else (the chain, the report, the renderer, the harness, verify) derives from these.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numba as nb
import numpy as np

from .. import coefs
from ..errors import FxsimError
from ..ports import Chunk, Port
from ..qformat import QFormat, overflow_mode, rounding_mode

#: keys every stage accepts besides its own
COMMON_KEYS = frozenset({"kernel", "data", "rounding", "overflow"})


class Stage:
    """Base class of a design stage. Subclasses set ``kernel``, ``keys`` (their own keys),
    ``template`` (the jinja2 file under templates/) and implement the methods below."""

    kernel: str = ""
    keys: frozenset = frozenset()
    template: str = ""
    #: where ``template`` lives when the stage kind is registered from outside fxsim (a plug-in
    #: kernel, a test); None: fxsim's templates/
    template_dir: Path | None = None
    #: which of the design's [defaults] beyond data/rounding/overflow apply (e.g. coef, acc_bits)
    default_keys: frozenset = frozenset()
    #: output samples per input sample, on average (sample-rate bookkeeping)
    rate: Fraction = Fraction(1)
    #: output samples by which the model trails the float reference (framed stages)
    latency: int = 0
    #: the output format follows the input's (an FFT keeps its word): ``data`` is not the
    #: stage's to choose (``fxsim propose`` leaves it out)
    data_follows_input: bool = False
    #: the knobs ``fxsim propose`` searches, as the built stage took them (None: no such knob):
    #: the coefficient word in bits (set by ``coef_option``), the accumulator width, the FFT scaling
    coef_word: int | None = None
    acc_bits: int | None = None
    scaling_name: str | None = None
    #: the one input sample rate (Hz) the stage runs at, or None for any (the design checks it)
    sample_rate: int | None = None
    #: the stage makes hard decisions (thresholds, counters: vad, ns): a difference of one LSB in
    #: its input can flip one, so its reference is run on the model's own input of the stage
    #: ("anchored"), and the stages before it are measured at its input (docs/gate.md)
    decides: bool = False
    #: what the input port takes (see ``ports.check_link``): real/complex samples, frames with a
    #: block exponent, a required frame length
    accepts: dict = {"real": True, "complex": False, "block_exp": False, "frame": None}
    #: runtime C the generated code needs besides fxsim_prim.h: c_ref-relative paths of headers
    #: (shipped with the design) and of sources (shipped and compiled with it)
    runtime: tuple = ()
    #: the stage's own keys for a small working design: the conformance tests build one per
    #: registered kind and data format, so a new kernel is checked by registering
    example: dict = {}
    #: the data formats the kernel supports (conformance tests run each)
    formats: tuple = ("Q15", "Q31")
    #: stages that must precede the kernel in its example design (an inverse FFT needs frames),
    #: and the example design's input ("real" or "complex")
    example_before: tuple = ()
    example_input: str = "real"

    def __init__(self, index: int, spec: dict, defaults: dict, in_port: Port | QFormat,
                 base_dir: Path | None = None):
        self.index = index
        #: directory that relative file names in the stage (taps_file, sos_file) start from:
        #: the design file's, or the working directory for a design built in memory
        self.base_dir = Path(base_dir) if base_dir is not None else Path.cwd()
        self.where = f"stage[{index}] ({self.kernel})"
        unknown = sorted(set(spec) - COMMON_KEYS - self.keys)
        if unknown:
            allowed = ", ".join(sorted(COMMON_KEYS | self.keys))
            raise FxsimError(f"{self.where}: unknown key {unknown[0]!r}; allowed: {allowed}")
        self.spec = spec
        opt = {**defaults, **spec}
        self.in_port = in_port if isinstance(in_port, Port) else Port(in_port)
        self.in_fmt = self.in_port.fmt
        self.out_fmt = signed_data_format(opt.get("data", "Q15"), f"{self.where}.data")
        self.rounding_name = opt.get("rounding", "nearest")
        self.overflow_name = opt.get("overflow", "saturate")
        self.rounding = rounding_mode(self.rounding_name, f"{self.where}.rounding")
        self.overflow = overflow_mode(self.overflow_name, f"{self.where}.overflow")
        self.configure(opt)
        self.out_port = self.output_port()

    # --- to implement -------------------------------------------------------------------------
    def configure(self, opt: dict) -> None:
        """Read and validate the stage's own keys (``opt`` = defaults overridden by the stage)."""

    def output_port(self) -> Port:
        """The output port; by default a real stream of ``out_fmt``."""
        return Port(self.out_fmt)

    def max_out(self, n: int) -> int:
        """The most output samples one call with ``n`` input samples can give, in any state."""
        return n

    def init_state(self):
        """A fresh state (numpy arrays) for ``process``."""
        return np.zeros(1, dtype=np.int64)

    def process(self, x: np.ndarray, state) -> tuple[np.ndarray, int]:
        """Integer model: int64 words of the input port -> (int64 words of the output port,
        saturation count). Updates ``state`` so that any split of the input gives the same output."""
        raise NotImplementedError

    def run(self, x: Chunk, state) -> tuple[Chunk, int]:
        """The model on a chunk of the input port; stages whose output carries block exponents or
        side outputs override this, plain streaming stages implement ``process``."""
        y, n = self.process(x.data, state)
        return Chunk(y), n

    def reference(self, x: np.ndarray) -> np.ndarray:
        """float64 reference of the stage as written (unquantized coefficients), whole signal,
        real values in the layout of the ports (interleaved re, im for complex)."""
        raise NotImplementedError

    def ref_framing(self) -> tuple[int, int] | None:
        """(frame, hop) in input values when the reference works on frames with no memory beyond
        them (an FFT, an STFT): the default ``reference_block`` buffers input for it. None: the
        reference is memoryless sample by sample, or the stage overrides ``reference_block``."""
        return None

    def ref_state(self) -> dict:
        """A fresh state for ``reference_block``."""
        return {}

    def reference_block(self, x: np.ndarray, state: dict) -> np.ndarray:
        """The float64 reference streamed: the output for the next block of input values.
        ``state`` carries what the reference remembers, so that the outputs of any split of the
        input, concatenated, equal ``reference`` of the whole (to float rounding): reports run in
        blocks with flat memory. Filters override this with their filter state."""
        framing = self.ref_framing()
        x = np.asarray(x, dtype=np.float64)
        if framing is None:
            return self.reference(x)
        frame, hop = framing
        buf = np.concatenate([state.get("pending", np.zeros(0)), x])
        frames = (buf.size - frame) // hop + 1 if buf.size >= frame else 0
        state["pending"] = buf[frames * hop:]
        return self.reference(buf[: (frames - 1) * hop + frame] if frames else buf[:0])

    def scaling(self) -> str:
        """The stage's scaling statement: formats of input, coefficients, products, accumulator,
        output; where it rounds; where it saturates or wraps."""
        raise NotImplementedError

    def c_context(self) -> dict:
        """Values the C template needs beyond the common ones (see ``codegen.render``)."""
        return {}

    def min_input(self) -> int:
        """Input samples the stage needs before its first output (a frame, a block)."""
        return 1

    def saturation_hint(self, peak: float) -> str | None:
        """What would hold a signal whose reference peaks at ``peak`` at this stage's output
        (verify prints it beside a saturation): by default the output format of the same word
        with enough integer bits."""
        from ..analysis.propose import format_for_peak
        try:
            fmt = format_for_peak(peak, self.out_fmt.word_bits, self.out_fmt.int_bits + 1)
        except FxsimError:
            return None
        return f'data = "{fmt}" would hold it'

    def response(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """A filter's frequency response at ``w`` (radians per sample of the rate the filter runs
        at) with its coefficients as written and as quantized: (float, quantized), for the
        report's pictures. None: the stage is not a fixed linear filter."""
        return None

    def extra_report(self) -> dict:
        """Extra figures of this stage for ``fxsim quantize`` (JSON fields), e.g. a biquad's
        zero-input limit cycle. The one hook through which a stage reports its own metrics."""
        return {}

    # --- shared helpers -----------------------------------------------------------------------
    def key(self, opt: dict, name: str, kind=float, required=True, default=None):
        """Read ``opt[name]`` as ``kind`` with an actionable error naming the field."""
        if name not in opt:
            if required:
                raise FxsimError(f"{self.where}: missing key {name!r}")
            return default
        v = opt[name]
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) if kind is float else \
            isinstance(v, int) and not isinstance(v, bool) if kind is int else isinstance(v, kind)
        if not ok:
            what = {float: "a number", int: "an integer", bool: "true or false"}.get(
                kind, f"a {kind.__name__}")
            raise FxsimError(f"{self.where}.{name}: {v!r} is not {what}")
        if kind is float and not np.isfinite(v):
            raise FxsimError(f"{self.where}.{name}: {v!r}; allowed: a finite number")
        return float(v) if kind is float else v

    def coef_option(self, opt: dict, default_word: int) -> tuple[int, QFormat | None]:
        """The ``coef`` key (see ``fxsim.coefs.word_option``); the word is kept in ``coef_word``."""
        self.coef_word, fixed = coefs.word_option(self, opt, default_word)
        return self.coef_word, fixed

    def check_overflow(self, count: int) -> None:
        """With overflow = "error", an overflow is a RangeError naming the stage (the design's
        chain calls this after every stage; ``fxsim verify`` turns it into a failed check)."""
        from ..errors import RangeError
        if count and self.overflow_name == "error":
            raise RangeError(f"{self.where}: {count} value(s) out of range of {self.out_fmt} "
                             f"(accumulator or output) and overflow = \"error\"")

    @property
    def overflow_c(self) -> str:
        return {"saturate": "FX_SATURATE", "wrap": "FX_WRAP", "error": "FX_SATURATE"}[self.overflow_name]

    @property
    def rounding_c(self) -> str:
        return f"FX_{self.rounding_name.upper()}"


@nb.njit(cache=True)
def _lfilter_df2t(b, a, x, z):
    """y = lfilter(b, a, x) in float64 from the state z (updated in place): the transposed
    direct form II recursion of scipy.signal.lfilter (its terms summed in another order: equal to
    within float64 rounding); b and a normalised (a[0] = 1), both of length z.size + 1 >= 2."""
    m = z.size
    y = np.empty(x.size)
    for i in range(x.size):
        xi = x[i]
        yi = b[0] * xi + z[0]
        for k in range(m - 1):
            z[k] = b[k + 1] * xi - a[k + 1] * yi + z[k + 1]
        z[m - 1] = b[m] * xi - a[m] * yi
        y[i] = yi
    return y


def sosfilt(sos, x, zi=None) -> np.ndarray:
    """``scipy.signal.sosfilt(sos, x, zi=zi)`` for sections with a0 = 1 (zi, n x 2, is updated
    in place): each section is ``_lfilter_df2t`` of its row, so the IIR planning and the streamed
    reference need no scipy.signal import. Tested against scipy (tests/test_report.py)."""
    sos = np.ascontiguousarray(sos, dtype=np.float64).reshape(-1, 6)
    if not (sos[:, 3] == 1.0).all():
        raise ValueError("sosfilt: every section needs a0 = 1 (normalise the rows first)")
    x = np.ascontiguousarray(x, dtype=np.float64)
    if zi is None:
        zi = np.zeros((sos.shape[0], 2))
    for row, z in zip(sos, zi):             # z: a row of zi, a view updated in place
        x = _lfilter_df2t(row[:3], row[3:], x, z)
    return x


def lfilter_block(b, a, x, state: dict) -> np.ndarray:
    """``scipy.signal.lfilter(b, a, x)`` continued from ``state`` (its zi, kept in ``state``), by
    the same recursion compiled with numba: the streamed float reference of quantize and propose
    then needs no import of scipy.signal (0.8 s of a command's start-up). Tested against
    scipy.signal.lfilter (tests/test_report.py)."""
    if "zi" not in state:
        m = max(len(a), len(b))
        state["zi"] = np.zeros(m - 1)
        state["ba"] = tuple(np.pad(np.asarray(v, dtype=np.float64), (0, m - len(v))) / a[0]
                            for v in (b, a))
    if not np.size(x):                      # a block in which the stage before gave nothing
        return np.zeros(0)
    if not state["zi"].size:
        return np.asarray(b[0] / a[0] * x, dtype=np.float64)
    return _lfilter_df2t(*state["ba"], np.ascontiguousarray(x, dtype=np.float64), state["zi"])


def signed_data_format(text, field: str) -> QFormat:
    """A stage's data format: signed (samples are signed; the kernels saturate to signed words)."""
    fmt = QFormat.parse(text, field=field)
    if not fmt.signed:
        raise FxsimError(f"{field}: {fmt} is unsigned; samples between stages are signed: "
                         f"write Qm.n")
    if fmt.scale_exp:
        raise FxsimError(f"{field}: {text!r}; a scale exponent (*2^e) is set by the stage that "
                         f"scales (an FFT), not by the design: write Qm.n")
    return fmt
