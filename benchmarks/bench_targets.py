"""fxsim's generated C on every target beside CMSIS-DSP, one table per kernel: instructions per
call (and per MAC where a kernel has MACs), code and RAM bytes, and the SNR each reaches.

Rows per kernel: fxsim's DSP path (Cortex-M4, QEMU mps2-an386), fxsim's plain C on the M4
(-DFXSIM_NO_DSP), fxsim on RISC-V RV32IMC (QEMU virt), fxsim on the host (x86, callgrind), then
CMSIS-DSP 1.10.3's DSP path and plain C on the same M4: figures measured on this setup (QEMU
mps2-an386, arm-none-eabi-gcc 12.2 -O2) in November 2026 and written in here, not re-run by this
script (CMSIS is not a dependency). CMSIS's RAM is computed from its instance structs: state and
struct, then with its coefficients (const: they may live in flash, as fxsim's always do).
Instruction counts are exact (QEMU and callgrind count instructions, not cycles: a UDIV, say,
is one instruction of 2 - 12 cycles on the M4). fxsim's SNR: its design on 16000 samples of
-10 dBFS Gaussian noise against the float64 design as written (the same on every target: the C
is bit-exact with the model). CMSIS's, where it has the kernel: its FIR Q15's arithmetic (taps
rounded to Q15, a 64-bit sum, the output truncated and saturated) simulated here on the same
noise against the same float64 design (its measured 78.9 dB is against its own Q15 taps, beside);
its biquad's and FFTs' are the measured figures of the November runs, the complex FFT's on its
own measure (64 frames of complex noise: benchmarks/bench_fft.py prints fxsim's on it). Under
each table: the goal we hold the kernel to, met or missed by the DSP path's figure (the FFTs':
its largest over the input levels measured), and the lowest SNR of verify's gated built-in
signals (the gate's own figure, on the host).
fxsim's code bytes are its whole design object (init and process, unrolled loops), CMSIS's its
kernel function; fxsim keeps small coefficient sets in the code and larger ones in tables
(flash), never in RAM.

Run: .venv/bin/python benchmarks/bench_targets.py [KERNEL ...]   (missing toolchains print "n/a";
KERNEL: fir16 fir32 biquad fft rfft ns, the tables to print, all by default)
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

from fxsim import design as D, signals  # noqa: E402
from fxsim.analysis.report import quantize_report  # noqa: E402
from fxsim.codegen import targets, verify as V  # noqa: E402

from common import noise  # noqa: E402

#: CMSIS-DSP on the M4: (DSP path, plain C, text bytes, RAM bytes "state + struct / with its
#: coefficients", SNR dB: a figure, or None where this script computes it or CMSIS has none)
CMSIS = {
    "fir16": (16213, 59412, 732, f"{(64 + 160 - 1) * 2 + 12} / {(64 + 160 - 1) * 2 + 12 + 128}",
              None),
    "fir32": (25236, 25237, 632, f"{(64 + 160 - 1) * 4 + 12} / {(64 + 160 - 1) * 4 + 12 + 256}",
              None),
    "biquad": (4403, 9374, 292, f"{2 * 8 + 16} / {2 * (8 + 12) + 16}", "51.5"),
    "fft": (12514, 27898, 2088, None, "54.8 (its measure)"),
    "rfft": (9587, 18350, 2452, None, "50.5"),
    "ns": (None, None, None, None, None),
}


def cmsis_fir_q15_snr(des, x) -> str:
    """SNR of arm_fir_q15's arithmetic on x against ``des``'s float64 design as written: taps
    rounded to Q15, products summed exactly (its 64-bit accumulator), the sum shifted right 15
    (truncation) and saturated to Q15. A simulation, not a CMSIS run."""
    from fxsim.analysis.metrics import snr_db
    from fxsim.qformat import QFormat, dequantize, quantize
    q15 = QFormat.parse("Q15")
    taps = des.stages[0].taps
    h = np.clip(np.round(np.asarray(taps) * 32768), -32768, 32767).astype(np.int64)
    xi = quantize(x, q15).astype(np.int64)
    y = np.clip(np.convolve(xi, h)[:xi.size] >> 15, -32768, 32767)
    ref = des.reference(dequantize(xi, q15))
    return f"{snr_db(ref, dequantize(y, q15)):.1f} (simulated; 78.9 vs its Q15 taps)"


def gate_low(des) -> tuple[str, bool]:
    """The lowest SNR among verify's gated built-in signals (host C, checked against the model)
    and that signal's name (the figure the gate decides on), and whether the design passes."""
    res = V.verify(des, signals.builtin_signal_set(des.sample_rate, signals.signal_length(des),
                                                   complex_=des.in_port.complex))
    low = min((r for r in res["signals"] if r["gated"]), key=lambda r: r["snr_db"])
    verdict = "passes" if res["passed"] else "FAILS"
    return f"{low['snr_db']:.1f} dB ({low['signal']}): the gate {verdict}", res["passed"]


def design(path: str, **stage_keys) -> D.Design:
    import tomllib
    doc = tomllib.loads((ROOT / path).read_text())
    doc["stage"][-1].update(stage_keys)
    return D.from_dict(doc, ROOT / path)


def cost(des, target, flags=(), level_div=4):
    tgt = targets.get(target)
    if tgt.emulated and not tgt.module().available():
        return None
    try:
        return V.cost(des, target, extra_flags=flags, level_div=level_div)
    except Exception as e:                       # a toolchain problem: shown, not hidden
        return {"error": str(e).splitlines()[0][:80]}


def table(title, kernel, des, macs=None, per=None, levels=False, goal=None):
    """One kernel: fxsim on every target, then CMSIS's rows. The input is noise at a quarter of
    full scale; ``levels`` adds the DSP path's rows at full scale (where the default arithmetic's first
    stage shifts and takes its 32-bit path instead of the packed one) and at 1/64 of it (where
    the block floating point first normalises the frame). ``goal``: (text, bound on the DSP path's
    instructions per call[, floor on the SNR]), printed under the table as met or missed: met
    only if the DSP path's figure at every level measured is within the bound."""
    x = noise(16000)
    snr = quantize_report(des, x)["snr_db"]
    print(f"## {title}")
    unit = "per MAC" if macs else (per[0] if per else "")
    print(f"| path | instructions per call | {unit} | text B | RAM B | SNR dB |")
    print("|---|---|---|---|---|---|")
    rows = [("fxsim DSP path (cortex-m4)", "cortex-m4", ()),
            ("fxsim plain C (cortex-m4)", "cortex-m4", ("-DFXSIM_NO_DSP",)),
            ("fxsim riscv32 (RV32IMC)", "riscv32", ()),
            ("fxsim host (x86-64)", "host", ())]
    if levels:
        rows[1:1] = [("fxsim DSP path (cortex-m4), full-scale input", "cortex-m4", (), 1),
                     ("fxsim DSP path (cortex-m4), input at 1/64 of full scale", "cortex-m4", (), 64)]
    measured = {}
    for label, target, flags, *level in rows:
        c = cost(des, target, flags, *level)
        if c is None or "error" in c or c.get("instructions_per_call") is None:
            why = "n/a" if c is None or "error" not in c else c["error"]
            print(f"| {label} | {why} | | | | {snr:.1f} |")
            continue
        ipc = measured[label] = c["instructions_per_call"]
        rate = f"{ipc / macs:.2f}" if macs else (f"{ipc / per[1]:,.0f}" if per else "")
        print(f"| {label} | {ipc:,.0f} | {rate} | {c['text_bytes']:,} | {c['ram_bytes']:,} | "
              f"{snr:.1f} |")
    dsp, plain, text, ram, csnr = CMSIS[kernel]
    for label, ipc in (("CMSIS-DSP DSP path (cortex-m4)", dsp), ("CMSIS-DSP plain C", plain)):
        if ipc is None:
            continue
        rate = f"{ipc / macs:.2f}" if macs else (f"{ipc / per[1]:,.0f}" if per else "")
        if csnr is None and kernel == "fir16":
            csnr = cmsis_fir_q15_snr(des, x)
        print(f"| {label} | {ipc:,} | {rate} | {f'{text:,}' if text else '-'} | "
              f"{ram if ram else '-'} | {csnr if csnr else '-'} |")
    dsp_ipc = measured.get("fxsim DSP path (cortex-m4)")
    if dsp_ipc is not None and dsp_ipc == measured.get("fxsim plain C (cortex-m4)"):
        print("(the DSP path has no DSP instruction here: the same code as the plain C)")
    gate, gate_passed = gate_low(des)
    if goal:
        text, bound, *floor = goal
        dsp_rows = [r[0] for r in rows if r[0].startswith("fxsim DSP path")]
        worst = max((measured[k] for k in dsp_rows if k in measured), default=None)
        verdict = "n/a" if any(k not in measured for k in dsp_rows) else \
            "met" if worst <= bound and snr >= (floor or [-np.inf])[0] else "missed"
        if levels and verdict != "n/a":
            text += f" (every input level: at most {worst:,.0f})"
        if verdict == "met" and floor and not gate_passed:
            verdict = "met on this noise, but the design fails the gate"
        print(f"goal: {text}: **{verdict}**")
    print(f"gate: lowest gated built-in signal {gate}")
    print()


def main():
    chosen = set(sys.argv[1:]) or set(CMSIS)
    unknown = chosen - set(CMSIS)
    if unknown:
        sys.exit(f"unknown kernel(s) {sorted(unknown)}; choose from {sorted(CMSIS)}")

    def show(title, kernel, *args, **kw):
        if kernel in chosen:
            table(title, kernel, *args, **kw)

    fir16 = design("examples/fir_q15_c16.toml")
    show("FIR Q15, 64 taps x 160, 16-bit taps, 40-bit accumulator (examples/fir_q15_c16.toml)",
         "fir16", fir16, macs=64 * 160, goal=("<= 1.1 per MAC (11,264)", 1.1 * 64 * 160))
    show("FIR Q15, 64 taps x 160, 16-bit taps, acc_bits = 32 (the same design, 32-bit "
         "accumulator)", "fir16", design("examples/fir_q15_c16.toml", acc_bits=32),
         macs=64 * 160, goal=("<= 1.1 per MAC (11,264)", 1.1 * 64 * 160))
    show("FIR Q15, 64 taps x 160, 32-bit taps (examples/fir_q15.toml); CMSIS row: its Q31 FIR",
         "fir32", design("examples/fir_q15.toml"), macs=64 * 160,
         goal=("<= 1.6 per MAC (16,384)", 1.6 * 64 * 160))
    show("FIR Q15, 64 taps x 160, 32-bit taps, products shifted right 16 into a 32-bit "
         "accumulator (examples/fir_q15_pshift16.toml: SMLAWB); CMSIS row: its Q31 FIR", "fir32",
         design("examples/fir_q15_pshift16.toml"), macs=64 * 160,
         goal=("<= 1.6 per MAC (16,384)", 1.6 * 64 * 160))
    bq = {"name": "b_biquad", "block": 160, "sample_rate": 16000, "defaults": {"data": "Q15"},
          "stage": [{"kernel": "biquad", "design": {"method": "butter", "order": 4,
                                                     "wn": 0.25}}]}
    show("biquad Q15, butter(4, 0.25): 2 sections x 160, default", "biquad", D.from_dict(bq),
         goal=("<= 6,600 (1.5 x CMSIS) at >= 75 dB", 6600, 75.0))
    bq["stage"][0]["error_feedback"] = False
    show("biquad Q15, butter(4, 0.25): 2 sections x 160, error_feedback = false", "biquad",
         D.from_dict(bq), goal=("<= 4,403 at >= 60 dB", 4403, 60.0))
    # rounding toward zero (magnitude truncation) ends the zero-input limit cycles that fail the
    # gate's impulse without error feedback, at a sign-dependent correction an output
    bq["stage"][0]["rounding"] = "zero"
    show("biquad Q15, butter(4, 0.25): 2 sections x 160, error_feedback = false, rounding = "
         "\"zero\"", "biquad", D.from_dict(bq), goal=("<= 4,403 at >= 60 dB", 4403, 60.0))
    show("complex FFT Q15, N = 256, block floating point (examples/fft_q15.toml), one frame "
         "per call", "fft", design("examples/fft_q15.toml"), levels=True,
         goal=("<= 12,514 (CMSIS's DSP path) at fxsim's accuracy", 12514))
    show("complex FFT Q15, N = 256, block floating point on 16-bit lanes "
         "(examples/fft_lanes_q15.toml: arithmetic = \"lanes\"), one frame per call", "fft",
         design("examples/fft_lanes_q15.toml"), levels=True,
         goal=("<= 12,514 (CMSIS's DSP path), at the lanes' accuracy", 12514))
    show("real FFT Q15, N = 256, block floating point (examples/rfft_q15.toml)", "rfft",
         design("examples/rfft_q15.toml"), levels=True,
         goal=("<= 9,587 (CMSIS's DSP path) at fxsim's accuracy", 9587))
    show("real FFT Q15, N = 256, its complex FFT on 16-bit lanes (examples/rfft_lanes_q15.toml: "
         "arithmetic = \"lanes\")", "rfft", design("examples/rfft_lanes_q15.toml"), levels=True,
         goal=("<= 9,587 (CMSIS's DSP path), at the lanes' accuracy", 9587))
    show("ns, the channel-energy noise suppressor (examples/ns_q15.toml), 160 samples = two "
         "10 ms frames per call", "ns", design("examples/ns_q15.toml"),
         per=("per 10 ms frame", 2))
    print("sqrt Q15: benchmarks/bench_fxmath.py (M4 instructions per call beside CMSIS's 50.3)")


if __name__ == "__main__":
    main()
