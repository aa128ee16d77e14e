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
is bit-exact with the model); CMSIS's: the same measure, from the same November runs.
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

from fxsim import design as D  # noqa: E402
from fxsim.analysis.report import quantize_report  # noqa: E402
from fxsim.codegen import targets, verify as V  # noqa: E402

from common import noise  # noqa: E402

#: CMSIS-DSP on the M4: (DSP path, plain C, text bytes, RAM bytes "state + struct / with its
#: coefficients", SNR dB)
CMSIS = {
    "fir16": (16213, 59412, 732, f"{(64 + 160 - 1) * 2 + 12} / {(64 + 160 - 1) * 2 + 12 + 128}",
              78.9),
    "fir32": (25236, 25237, 632, f"{(64 + 160 - 1) * 4 + 12} / {(64 + 160 - 1) * 4 + 12 + 256}",
              None),
    "biquad": (4403, 9374, 292, f"{2 * 8 + 16} / {2 * (8 + 12) + 16}", 51.5),
    "fft": (12514, 27898, 2088, None, 54.8),
    "rfft": (9587, 18350, 2452, None, 50.5),
    "ns": (None, None, None, None, None),
}


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


def table(title, kernel, des, macs=None, per=None, levels=False):
    """One kernel: fxsim on every target, then CMSIS's rows. The input is noise at a quarter of
    full scale; ``levels`` adds the DSP path's rows at full scale (where the FFTs' first stage
    shifts and takes its 32-bit path instead of the packed one) and at 1/64 of it (where the
    block floating point first normalises the frame, a pass over it)."""
    snr = quantize_report(des, noise(16000))["snr_db"]
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
    for label, target, flags, *level in rows:
        c = cost(des, target, flags, *level)
        if c is None or "error" in c or c.get("instructions_per_call") is None:
            why = "n/a" if c is None or "error" not in c else c["error"]
            print(f"| {label} | {why} | | | | {snr:.1f} |")
            continue
        ipc = c["instructions_per_call"]
        rate = f"{ipc / macs:.2f}" if macs else (f"{ipc / per[1]:,.0f}" if per else "")
        print(f"| {label} | {ipc:,.0f} | {rate} | {c['text_bytes']:,} | {c['ram_bytes']:,} | "
              f"{snr:.1f} |")
    dsp, plain, text, ram, csnr = CMSIS[kernel]
    for label, ipc in (("CMSIS-DSP DSP path (cortex-m4)", dsp), ("CMSIS-DSP plain C", plain)):
        if ipc is None:
            continue
        rate = f"{ipc / macs:.2f}" if macs else (f"{ipc / per[1]:,.0f}" if per else "")
        print(f"| {label} | {ipc:,} | {rate} | {text if text else '-'} | "
              f"{ram if ram else '-'} | {csnr if csnr else '-'} |")
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
         "fir16", fir16, macs=64 * 160)
    show("FIR Q15, 64 taps x 160, 16-bit taps, acc_bits = 32 (the same design, 32-bit "
         "accumulator)", "fir16", design("examples/fir_q15_c16.toml", acc_bits=32),
         macs=64 * 160)
    show("FIR Q15, 64 taps x 160, 32-bit taps (examples/fir_q15.toml); CMSIS row: its Q31 FIR",
         "fir32", design("examples/fir_q15.toml"), macs=64 * 160)
    show("FIR Q15, 64 taps x 160, 32-bit taps, products shifted right 16 into a 32-bit "
         "accumulator (examples/fir_q15_pshift16.toml: SMLAWB); CMSIS row: its Q31 FIR", "fir32",
         design("examples/fir_q15_pshift16.toml"), macs=64 * 160)
    bq = {"name": "b_biquad", "block": 160, "sample_rate": 16000, "defaults": {"data": "Q15"},
          "stage": [{"kernel": "biquad", "design": {"method": "butter", "order": 4,
                                                     "wn": 0.25}}]}
    show("biquad Q15, butter(4, 0.25): 2 sections x 160, default", "biquad", D.from_dict(bq))
    bq["stage"][0]["error_feedback"] = False
    show("biquad Q15, butter(4, 0.25): 2 sections x 160, error_feedback = false (noisier: the "
         "gate's impulse falls to 49.6 dB, a failure)", "biquad", D.from_dict(bq))
    show("complex FFT Q15, N = 256, block floating point (examples/fft_q15.toml), one frame "
         "per call", "fft", design("examples/fft_q15.toml"), levels=True)
    show("real FFT Q15, N = 256, block floating point (examples/rfft_q15.toml)", "rfft",
         design("examples/rfft_q15.toml"), levels=True)
    show("ns, the channel-energy noise suppressor (examples/ns_q15.toml), 160 samples = two "
         "10 ms frames per call", "ns", design("examples/ns_q15.toml"),
         per=("per 10 ms frame", 2))
    print("sqrt Q15: benchmarks/bench_fxmath.py (M4 instructions per call beside CMSIS's 50.3)")


if __name__ == "__main__":
    main()
