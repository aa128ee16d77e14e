"""Stage ports: what flows between the stages of a design, and the model's container for it.

Every stage has an input port and an output port. A port says

* the sample format: a ``QFormat``, whose static scale exponent names outputs a stage has scaled by
  a known power of two (1/N for an FFT, a post-shift);
* real or complex: complex samples are interleaved re, im (as CMSIS-DSP stores them and as the
  Cortex-M4's dual-MAC instructions load them), two words per sample;
* streaming or framed: a framed port carries whole frames of ``frame`` samples, one every ``hop``
  input samples of the producing stage; a streaming port has ``frame = 0``;
* an optional block exponent per frame (block floating point): frame f's words stand for
  w 2^(exp[f]) in the port's format, i.e. the format's value times 2^exp[f];
* named per-frame side outputs (a VAD flag, a voice metric), each an integer of ``bits`` bits.

Between stages the model passes a ``Chunk``: the samples (int64, interleaved for complex ports,
frames one after another for framed ports), the block exponents and side outputs of the frames it
holds. The float reference passes float64 arrays in the same layout, scaling and exponents already
applied (real values), so the metrics of a complex or block-floating-point port are those of its
interleaved words: sum |z|^2 over complex samples is the sum of the squares of re and im.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import FxsimError
from .qformat import QFormat, dequantize


@dataclass(frozen=True)
class Side:
    """A named per-frame side output: an integer of ``bits`` bits (signed)."""
    name: str
    bits: int = 32

    @property
    def ctype(self) -> str:
        return "int16_t" if self.bits <= 16 else "int32_t"

    @property
    def dtype(self):
        return np.int16 if self.bits <= 16 else np.int32


@dataclass(frozen=True)
class Port:
    fmt: QFormat
    complex: bool = False
    frame: int = 0                 # samples per frame; 0: a plain stream
    hop: int = 0                   # input samples of the producing stage per frame
    block_exp: bool = False        # each frame carries a block exponent
    side: tuple[Side, ...] = ()    # per-frame side outputs

    @property
    def words(self) -> int:
        """Words per sample: 2 for complex (re, im interleaved), else 1."""
        return 2 if self.complex else 1

    @property
    def framed(self) -> bool:
        return self.frame > 0

    @property
    def ctype(self) -> str:
        return self.fmt.ctype

    @property
    def dtype(self):
        return self.fmt.dtype

    def describe(self) -> str:
        parts = [str(self.fmt), "complex (re, im interleaved)" if self.complex else "real"]
        if self.framed:
            parts.append(f"frames of {self.frame} (hop {self.hop})")
        else:
            parts.append("stream")
        if self.block_exp:
            parts.append("block exponent per frame")
        if self.side:
            parts.append("side outputs " + ", ".join(s.name for s in self.side))
        return ", ".join(parts)


@dataclass
class Chunk:
    """What one model call of a stage produces (or consumes): int64 words in the port's layout,
    and per frame the block exponents and side outputs of the frames it completes."""
    data: np.ndarray
    exp: np.ndarray | None = None
    side: dict = field(default_factory=dict)

    @classmethod
    def empty(cls, port: Port) -> "Chunk":
        return cls(np.zeros(0, dtype=np.int64),
                   np.zeros(0, dtype=np.int64) if port.block_exp else None,
                   {s.name: np.zeros(0, dtype=np.int64) for s in port.side})

    @staticmethod
    def concat(chunks: list["Chunk"], port: Port) -> "Chunk":
        if not chunks:
            return Chunk.empty(port)
        return Chunk(np.concatenate([c.data for c in chunks]),
                     np.concatenate([c.exp for c in chunks]) if port.block_exp else None,
                     {s.name: np.concatenate([c.side[s.name] for c in chunks]) for s in port.side})


def real_values(chunk: Chunk, port: Port) -> np.ndarray:
    """The words of a chunk as float64 values: the format (its scale exponent included) and each
    frame's block exponent applied."""
    v = dequantize(chunk.data, port.fmt)
    if port.block_exp and chunk.exp is not None and chunk.exp.size:
        per_frame = port.frame * port.words
        scale = np.ldexp(1.0, np.repeat(chunk.exp.astype(np.int64), per_frame))
        v = v[: scale.size] * scale
    return v


def check_link(up_where: str, out: Port, down_where: str, accepts: dict) -> None:
    """Raise an error naming both stages when the downstream stage cannot take the upstream's
    output port. ``accepts``: what the downstream stage takes (keys complex, real, framed,
    stream, block_exp, frame: a required frame length or None)."""
    def fail(what):
        raise FxsimError(f"{down_where} cannot follow {up_where}: {what}")
    if out.complex and not accepts.get("complex", False):
        fail(f"{up_where} gives complex samples and {down_where} takes real ones")
    if not out.complex and not accepts.get("real", True):
        fail(f"{up_where} gives real samples and {down_where} takes complex ones (put a "
             f"complex-producing stage first, or give complex input)")
    if out.block_exp and not accepts.get("block_exp", False):
        fail(f"{up_where} gives frames with a block exponent, which {down_where} does not apply")
    need = accepts.get("frame")
    if need and out.frame != need:
        got = f"frames of {out.frame}" if out.framed else "a stream that does not frame"
        fail(f"{down_where} takes frames of {need} samples and {up_where} gives {got}")
