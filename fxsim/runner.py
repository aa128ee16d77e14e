"""``fxsim run``: a design on a recording, block by block, its last stage's samples written out.

The fixed-point model reads the input a block at a time (``BLOCK`` samples), carries every stage's
state from block to block and appends each block's output to the output file, so memory stays
flat whatever the input's length. Inputs: what ``audio.InputFile`` reads (WAV, FLAC and the other
formats of libsndfile at the design's rate, or resampled to it; one channel of several; a 1-D
.npy of float in [-1, 1), int16 or complex). Outputs: the last
stage's true values (format and block exponents applied) as a .npy (float64, or complex128 for a
complex port) or, for a real stream, a 16-bit PCM WAV at the output rate (values rounded,
saturated to [-1, 1)). The per-frame side outputs of the last stage that has them (``--frames``:
a vad or ns stage) go to a CSV, one row per frame.

The float reference (``reference=True``) runs on the whole input at once: its stages do not
carry state across blocks.
"""
from __future__ import annotations

import csv
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from . import audio
from .analysis.report import input_ints
from .design import Design
from .errors import FxsimError

#: input samples per block
BLOCK = 1 << 16


def input_blocks(path, design: Design, block: int = BLOCK, channel: int | None = None,
                 resample: bool = False, span=(0.0, None)):
    """The input file's samples as float64 blocks (complex128 for a complex .npy), read by
    ``audio.InputFile``: a sound file must be at the design's rate unless ``resample``."""
    return audio.InputFile(path, design.sample_rate, channel, resample, block, span).blocks()


class OutputWriter:
    """Appends blocks of values to a .npy (float64 / complex128) or a 16-bit PCM WAV."""

    def __init__(self, path, port, rate: Fraction):
        self.path = Path(path)
        self.kind = self.path.suffix.lower()
        if self.kind not in (".wav", ".npy"):
            raise FxsimError(f"--output {str(path)!r}: write .wav or .npy")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.kind == ".wav":
            contiguous = port.frame == port.hop and not port.block_exp   # frames back to back
            if port.complex or (port.framed and not contiguous):
                raise FxsimError(f"--output {str(path)!r}: the design's output is "
                                 f"{port.describe()}; a WAV holds a real stream: write .npy")
            if rate.denominator != 1:
                raise FxsimError(f"--output {str(path)!r}: the output rate {float(rate)} Hz is not "
                                 f"an integer; write .npy")
            self.wav = wave.open(str(self.path), "wb")
            self.wav.setnchannels(1)
            self.wav.setsampwidth(2)
            self.wav.setframerate(int(rate))
        else:
            self.dtype = np.complex128 if port.complex else np.float64
            self.raw = self.path.with_name(self.path.name + ".part")
            self.file = open(self.raw, "wb")
        self.count = 0

    def write(self, values: np.ndarray) -> None:
        if self.kind == ".wav":
            ints = np.clip(np.round(values * 32768.0), -32768, 32767).astype("<i2")
            self.wav.writeframes(ints.tobytes())
        else:
            self.file.write(np.ascontiguousarray(values, dtype=self.dtype).tobytes())
        self.count += values.size

    def close(self) -> None:
        if self.kind == ".wav":
            self.wav.close()
            return
        self.file.close()
        if not self.raw.exists():
            return
        with open(self.path, "wb") as out, open(self.raw, "rb") as src:
            np.lib.format.write_array_header_1_0(
                out, {"descr": np.lib.format.dtype_to_descr(np.dtype(self.dtype)),
                      "fortran_order": False, "shape": (self.count,)})
            while chunk := src.read(1 << 20):
                out.write(chunk)
        self.raw.unlink()


def _as_values(port, v: np.ndarray) -> np.ndarray:
    """Interleaved re, im values of a complex port as complex samples."""
    return v[0::2] + 1j * v[1::2] if port.complex else v


def run(design: Design, input_path, output_path, reference: bool = False, frames_path=None,
        block: int = BLOCK, channel: int | None = None, resample: bool = False,
        span=(0.0, None)) -> dict:
    """Run the design on the input file and write its last stage's samples (and side outputs).
    Returns a summary: samples in and out, frames, saturations per stage."""
    port = design.out_port
    framer = max((st.index for st in design.stages if st.out_port.side), default=None)
    if frames_path and reference:
        raise FxsimError("--frames: the float reference has no per-frame outputs; run the "
                         "fixed-point model (without --reference)")
    if frames_path and framer is None:
        raise FxsimError(f"--frames: no stage of design {design.name!r} has per-frame outputs "
                         f"(vad and ns have)")
    side = design.stages[framer].out_port.side if framer is not None else ()
    rate = Fraction(design.sample_rate)
    for st in design.stages:
        rate *= st.rate
    # the input is checked before any output
    blocks = input_blocks(input_path, design, block, channel, resample, span)
    out = OutputWriter(output_path, port, rate)
    rows = None
    if frames_path:
        rows_file = open(frames_path, "w", newline="")
        rows = csv.writer(rows_file)
        rows.writerow([s.name for s in side])
    n_in, frames, sats = 0, 0, [0] * len(design.stages)
    ok = False
    try:
        if reference:
            x = np.concatenate(list(blocks))
            n_in = x.size
            out.write(_as_values(port, np.asarray(design.reference(x), dtype=np.float64)))
        else:
            states = design.init_states()
            for x in blocks:
                n_in += x.size
                chunks, s = design.run(input_ints(design, x), states)
                sats = [a + b for a, b in zip(sats, s)]
                out.write(_as_values(port, design.values(chunks[-1])))
                if rows is not None:
                    cols = [chunks[framer].side[s.name] for s in side]
                    for r in zip(*cols):
                        rows.writerow([int(v) for v in r])
                    frames += len(cols[0]) if cols else 0
        if n_in and not out.count:
            raise design.no_output(input_path, n_in)
        ok = True
    finally:
        out.close()
        if rows is not None:
            rows_file.close()
        if not ok:                                        # no partial files left behind
            for path in (out.path, frames_path):
                if path is not None:
                    Path(path).unlink(missing_ok=True)
    return {"design": design.name, "input": str(input_path), "output": str(output_path),
            "samples_in": n_in, "samples_out": out.count, "output_rate": float(rate),
            "frames": frames, "saturations": sats, "reference": reference}
