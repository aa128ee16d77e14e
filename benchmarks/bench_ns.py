"""The noise suppressor's cost and scale: instructions per 10 ms frame of the generated C (x86
callgrind, Cortex-M4 under QEMU) and its RAM; the numba model's speed beside the generated C's;
and 10 minutes and an hour of 8 kHz audio through `fxsim run` and `fxsim quantize` (both
streamed): peak memory and time, each in a fresh process (flat memory: the same peak for both
lengths).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fxsim import design as D  # noqa: E402
from fxsim.codegen import cortex_m4  # noqa: E402
from fxsim.codegen.measure import instructions_per_call, time_generated  # noqa: E402
from fxsim.signals import write_wav  # noqa: E402

EXAMPLE = ROOT / "examples" / "ns_q15.toml"
FRAMES_PER_CALL = 2                      # block 160 = two frames of 80


def cost():
    print("## ns: cost per 10 ms frame of the generated C (plain C, -O2)\n")
    print("| target | instructions per frame | RAM bytes (state) |")
    print("|---|---|---|")
    des = D.load(EXAMPLE)
    targets = ["host"] + (["cortex-m4"] if cortex_m4.available() else [])
    from fxsim.codegen import verify as V
    from fxsim.signals import builtin_signal_set
    for target in targets:
        ipc = instructions_per_call(des, target=target)
        res = V.verify(des, builtin_signal_set(des.sample_rate, n=800), target=target)
        ram = res["signals"][0].get("ram_bytes")
        print(f"| {target} | {'n/a' if ipc is None else f'{ipc / FRAMES_PER_CALL:,.0f}'} | "
              f"{ram} |")
    if len(targets) == 1:
        print("| cortex-m4 | n/a (arm-none-eabi-gcc and qemu-system-arm are not installed) | |")
    print()


def speed():
    print("## ns: the numba model against the generated C (host, same input, 60 s of noise)\n")
    des = D.load(EXAMPLE)
    x = np.random.default_rng(0).integers(-8000, 8000, 60 * 8000)
    step = 8000

    def stream():
        states = des.init_states()
        for i in range(0, x.size, step):
            des.run(x[i:i + step], states)
    stream()
    best = min(_timed(stream) for _ in range(5))
    tc = time_generated(des, x, repeats=5)
    print("| model s | C s | model / C | model x real time |")
    print("|---|---|---|---|")
    print(f"| {best:.3f} | {tc:.3f} | {best / tc:.2f} | {60 / best:,.0f} |")
    print()


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# peak RSS from VmHWM: ru_maxrss survives execve, so a child would report its parent's peak
CHILD = """
import sys, time
from click.testing import CliRunner
from fxsim.cli import main
t0 = time.perf_counter()
res = CliRunner().invoke(main, sys.argv[1:])
print(res.output[-300:], file=sys.stderr)
if res.exit_code:
    sys.exit(res.exit_code)
hwm = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0]
print(time.perf_counter() - t0, hwm)
"""


def scale(durations=(600, 3600)):
    print("## ns on long 8 kHz audio: peak memory and time (fresh process each)\n")
    print("| command | audio | seconds | x real time | peak RSS MB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        short = Path(tmp, "short.wav")                   # compile / load the numba cache first
        write_wav(short, np.zeros(8000), 8000)
        subprocess.run([sys.executable, "-c", CHILD, "run", str(EXAMPLE), "--input", str(short),
                        "-o", str(Path(tmp, "s.wav"))], capture_output=True, cwd=ROOT)
        for seconds in durations:
            wav = Path(tmp, "long.wav")
            rng = np.random.default_rng(1)
            t = np.arange(seconds * 8000) / 8000
            x = 0.05 * rng.standard_normal(t.size) + 0.2 * np.sin(2 * np.pi * 300 * t) * \
                ((t % 2) < 1)
            write_wav(wav, x, 8000)
            del x, t
            runs = {"fxsim run": ["run", str(EXAMPLE), "--input", str(wav), "-o",
                                  str(Path(tmp, "out.wav")), "--frames", str(Path(tmp, "f.csv"))],
                    "fxsim quantize": ["quantize", str(EXAMPLE), "--input", str(wav), "--json"]}
            for name, args in runs.items():
                res = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True,
                                     text=True, cwd=ROOT)
                if res.returncode != 0 or not res.stdout.strip():
                    print(f"| {name} | {seconds} s | failed: {res.stderr.strip()[-200:]} | | |")
                    continue
                sec, rss_kb = res.stdout.split()
                print(f"| {name} | {seconds / 60:g} min | {float(sec):.1f} | "
                      f"{seconds / float(sec):.0f} | {int(rss_kb) / 1024:,.0f} |")
    print()


def main():
    cost()
    speed()
    scale(tuple(map(int, sys.argv[1:])) or (600, 3600))


if __name__ == "__main__":
    main()
