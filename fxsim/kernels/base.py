"""What every kernel stage provides, and the helpers stages share.

A stage is built from one ``[[stage]]`` table of a design. It knows its input and output Q formats,
runs the bit-exact integer model (``process``, streaming: state is carried across calls), runs the
float64 reference of the design as written (``reference``, whole signal), states its scaling (the
text that is both its documentation and the comment in the generated C), and hands the C template
the values it needs (``c_context``).
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from ..errors import FxsimError
from ..qformat import QFormat, overflow_mode, rounding_mode

#: keys every stage accepts besides its own
COMMON_KEYS = frozenset({"kernel", "data", "rounding", "overflow"})


class Stage:
    """Base class of a design stage. Subclasses set ``kernel``, ``keys`` (their own keys),
    ``template`` (the jinja2 file under templates/) and implement the methods below."""

    kernel: str = ""
    keys: frozenset = frozenset()
    template: str = ""
    #: which of the design's [defaults] beyond data/rounding/overflow apply (e.g. coef, acc_bits)
    default_keys: frozenset = frozenset()
    #: output samples per input sample (decimators and interpolators change it)
    rate: Fraction = Fraction(1)

    def __init__(self, index: int, spec: dict, defaults: dict, in_fmt: QFormat,
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
        self.in_fmt = in_fmt
        self.out_fmt = signed_data_format(opt.get("data", "Q15"), f"{self.where}.data")
        self.rounding_name = opt.get("rounding", "nearest")
        self.overflow_name = opt.get("overflow", "saturate")
        self.rounding = rounding_mode(self.rounding_name, f"{self.where}.rounding")
        self.overflow = overflow_mode(self.overflow_name, f"{self.where}.overflow")
        self.configure(opt)

    # --- to implement -------------------------------------------------------------------------
    def configure(self, opt: dict) -> None:
        """Read and validate the stage's own keys (``opt`` = defaults overridden by the stage)."""

    def init_state(self):
        """A fresh state (numpy arrays) for ``process``."""
        return np.zeros(1, dtype=np.int64)

    def process(self, x: np.ndarray, state) -> tuple[np.ndarray, int]:
        """Integer model: int64 samples of ``in_fmt`` -> (int64 samples of ``out_fmt``,
        saturation count). Updates ``state`` so that any split of the input gives the same output."""
        raise NotImplementedError

    def reference(self, x: np.ndarray) -> np.ndarray:
        """float64 reference of the stage as written (unquantized coefficients), whole signal."""
        raise NotImplementedError

    def scaling(self) -> str:
        """The stage's scaling statement: formats of input, coefficients, products, accumulator,
        output; where it rounds; where it saturates or wraps."""
        raise NotImplementedError

    def c_context(self) -> dict:
        """Values the C template needs beyond the common ones (see ``codegen.render``)."""
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
            raise FxsimError(f"{self.where}.{name}: {v!r} is not a {kind.__name__}")
        if kind is float and not np.isfinite(v):
            raise FxsimError(f"{self.where}.{name}: {v!r}; allowed: a finite number")
        return float(v) if kind is float else v

    def coef_option(self, opt: dict, default_word: int) -> tuple[int, QFormat | None]:
        """The ``coef`` key: a word size (an integer, 2..32: fxsim picks the full-word format) or
        a signed Q format that fixes it. Returns (word bits, fixed format or None)."""
        coef = opt.get("coef")
        if coef is None:
            return default_word, None
        if isinstance(coef, int) and not isinstance(coef, bool):
            if not 2 <= coef <= 32:
                raise FxsimError(f"{self.where}.coef: {coef}-bit words; allowed: 2 to 32 bits, "
                                 f"or a Q format such as Q15")
            return coef, None
        fixed = QFormat.parse(coef, field=f"{self.where}.coef")
        if not fixed.signed:
            raise FxsimError(f"{self.where}.coef: {coef!r} is unsigned; allowed: a signed "
                             f"format (Q15, Q31, Qm.n)")
        return fixed.word_bits, fixed

    def check_overflow(self, count: int, what: str = "output") -> None:
        """With overflow = "error", an overflow is a RangeError naming the stage."""
        from ..errors import RangeError
        if count and self.overflow_name == "error":
            raise RangeError(f"{self.where}: {count} {what} value(s) out of range of "
                             f"{self.out_fmt} and overflow = \"error\"")

    @property
    def overflow_c(self) -> str:
        return {"saturate": "FX_SATURATE", "wrap": "FX_WRAP", "error": "FX_SATURATE"}[self.overflow_name]

    @property
    def rounding_c(self) -> str:
        return f"FX_{self.rounding_name.upper()}"



def signed_data_format(text, field: str) -> QFormat:
    """A stage's data format: signed (samples are signed; the kernels saturate to signed words)."""
    fmt = QFormat.parse(text, field=field)
    if not fmt.signed:
        raise FxsimError(f"{field}: {fmt} is unsigned; samples between stages are signed: "
                         f"write Qm.n")
    return fmt


def coef_format(values, word_bits: int, field: str, fixed: QFormat | None = None) -> QFormat:
    """The coefficient format that uses the whole word: the fewest integer bits that hold every
    value (the rest are fraction bits), unless the design fixes it (``fixed``, signed), in which
    case the values must fit it. Values no signed word of ``word_bits`` can hold are refused."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    peak = float(v.max()) if v.size else 0.0
    if fixed is not None:
        if not fixed.signed:
            raise FxsimError(f"{field}: coefficient format {fixed} is unsigned; write Qm.n")
        if peak >= 2.0 ** fixed.int_bits:
            raise FxsimError(f"{field}: coefficient {peak:g} does not fit {fixed} "
                             f"(|c| < {2.0 ** fixed.int_bits:g}); use a format with more integer bits")
        return fixed
    int_bits = 0
    while peak >= 2.0 ** int_bits - 2.0 ** (int_bits - word_bits + 1) / 2:
        if int_bits == word_bits - 1:
            raise FxsimError(f"{field}: coefficient {peak:g} does not fit a {word_bits}-bit word "
                             f"(|c| < {2.0 ** (word_bits - 1):g})")
        int_bits += 1
    return QFormat(int_bits, word_bits - 1 - int_bits)
