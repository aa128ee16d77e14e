"""The verify gate as a user meets it: Q15 designs with default settings that saturate on the
full-scale square as designed pass; the same designs with overflow = "error" fail naming stage and
signal; SNR is per signal, quiet signals are reported with their bound, exit statuses 0 / 1 / 2."""
import json
import subprocess
import sys

import numpy as np
import pytest

from fxsim import design as D
from fxsim.codegen import build, verify as V
from fxsim.signals import GATED, builtin_signal_set, read_input

from .conftest import ROOT

GATE_DESIGNS = sorted((ROOT / "examples" / "gate").glob("*.toml"))


def fxsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fxsim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or ROOT)


def with_error_mode(path, tmp_path):
    text = path.read_text() + '\n[defaults]\noverflow = "error"\n'
    out = tmp_path / path.name
    out.write_text(text)
    return out


def test_there_are_five_gate_designs():
    assert len(GATE_DESIGNS) == 5


@pytest.mark.parametrize("path", GATE_DESIGNS, ids=lambda p: p.stem)
def test_default_q15_designs_pass_although_they_saturate(path):
    des = D.load(path)
    res = V.verify(des, builtin_signal_set(des.sample_rate))
    assert res["passed"] and res["bit_exact"], res["failures"]
    square = next(s for s in res["signals"] if s["signal"] == "square full scale")
    assert sum(square["saturations"]) > 0               # it saturates, as designed
    assert any("would hold it" in n for n in square["notes"])
    gated = [s["signal"] for s in res["signals"] if s["gated"]]
    assert set(gated) <= set(GATED) and "noise -10 dBFS" in gated
    assert res["snr_db"] == min(s["snr_db"] for s in res["signals"] if s["gated"])


@pytest.mark.parametrize("path", GATE_DESIGNS, ids=lambda p: p.stem)
def test_error_mode_fails_naming_stage_and_signal(path, tmp_path):
    r = fxsim("verify", with_error_mode(path, tmp_path))
    assert r.returncode == 1, r.stdout + r.stderr
    fails = [ln for ln in r.stdout.splitlines() if ln.startswith("FAILED: saturation: ")]
    assert fails and all("stage[" in ln and " on '" in ln for ln in fails), r.stdout
    assert any("'square full scale'" in ln for ln in fails)
    assert r.stdout.rstrip().splitlines()[-1].startswith("FAILED")


def test_cli_table_json_and_exit_codes(tmp_path):
    path = ROOT / "examples" / "gate" / "lowpass_fir_q15.toml"
    r = fxsim("verify", path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "300.00 dB: the output equals the float reference exactly" in r.stdout
    assert "bound" in r.stdout.splitlines()[0] and r.stdout.rstrip().splitlines()[-1].startswith("PASSED")
    r = fxsim("verify", path, "--json")
    out = json.loads(r.stdout)
    assert {"target", "bit_exact", "mismatches", "samples", "snr_db", "min_snr_db", "passed",
            "signals"} <= set(out)
    sig = out["signals"][0]
    assert {"signal", "samples", "mismatches", "first_mismatch", "snr_db", "snr_bound_db", "gated",
            "saturations", "c_saturations", "passed", "failures", "notes"} <= set(sig)
    quiet = next(s for s in out["signals"] if s["signal"] == "noise -50 dBFS")
    assert not quiet["gated"] and quiet["snr_db"] <= quiet["snr_bound_db"] + 1
    r = fxsim("verify", path, "--min-snr", 90)               # SNR shortfall: a failed check
    assert r.returncode == 1 and "FAILED: precision: stage[0] (fir) output on 'noise -10 dBFS'" \
        in r.stdout
    r = fxsim("verify", path, "--target", "nowhere")         # user error: one line, exit 2
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "cortex-m4" in r.stderr
    r = fxsim("verify", path, "--target", "c99")             # the old name of the host target
    assert r.returncode == 0


def test_user_input_is_gated(tmp_path):
    path = ROOT / "examples" / "gate" / "lowpass_fir_q15.toml"
    x = np.random.default_rng(0).standard_normal(3000) * 1e-3   # quiet: the output LSB bounds it
    np.save(tmp_path / "quiet.npy", x)
    r = fxsim("verify", path, "--input", tmp_path / "quiet.npy", "--json")
    sig = json.loads(r.stdout)["signals"][0]
    assert sig["gated"] and r.returncode == 1


def test_input_conversion_never_fails_a_valid_design(tmp_path):
    """Q0.11 data under overflow = "error": the built-in full-scale signals round past the input's
    full scale; that is counted, not an error."""
    d = tmp_path / "q11.toml"
    d.write_text('name = "q11"\n[defaults]\ndata = "Q0.11"\noverflow = "error"\n'
                 '[[stage]]\nkernel = "gain"\ngain = 0.5\ndata = "Q15"\n')
    r = fxsim("verify", d, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["passed"]
    assert any(s["input_saturations"] for s in out["signals"])


def test_a_crash_of_the_generated_c_is_a_failed_check(monkeypatch):
    des = D.load(ROOT / "examples" / "gate" / "lowpass_fir_q15.toml")

    def crash(*a, **k):
        def run(x, all_stages=False):
            raise build.BuildError("prog exited with 3: lowpass_fir_q15_process wrote past its outputs")
        return run
    monkeypatch.setattr(V, "compile_for", crash)
    res = V.verify(des, builtin_signal_set(des.sample_rate))
    assert not res["passed"] and res["failures"][0].startswith("run: the generated C failed")


def test_interpolate_with_fewer_taps_than_factor():
    des = D.from_dict({"name": "i", "stage": [{"kernel": "interpolate", "factor": 2,
                                               "taps": [1.0]}]})
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=500))
    assert res["passed"], res["failures"]


def test_a_long_input_is_verified_in_segments(monkeypatch, tmp_path):
    """verify --input streams: each segment is checked bit for bit on its own, and the signal's
    SNR pools the segments' energies: the whole input's SNR, gated once."""
    import json as _json

    from fxsim.codegen import verify as V

    from .test_cli import fxsim_in_process
    wav = ROOT / "examples/speechlike.wav"
    design = D.load(ROOT / "examples/emphasis.toml")
    whole = V.verify(design, {"x": read_input(wav, 16000)})["signals"][0]
    monkeypatch.setattr(V, "SEGMENT_SECONDS", 0.25)      # 4 segments of the 1 s file
    r = fxsim_in_process("verify", ROOT / "examples/emphasis.toml", "--input", wav, "--json")
    assert r.returncode == 0, r.stderr
    res = _json.loads(r.stdout)
    rec = res["signals"][0]
    assert rec["segments"] == 4 and rec["samples"] == 16000 and res["bit_exact"]
    # the merged record carries every field of a signal's record (verify_stream builds it)
    assert {k for k in whole if not k.startswith("_")} <= set(rec), set(whole) - set(rec)
    # the same SNR as the whole input in one piece, up to the segments' restarts
    assert abs(rec["snr_db"] - whole["snr_db"]) < 0.5 and rec["checkpoints"]
    r = fxsim_in_process("verify", ROOT / "examples/emphasis.toml", "--input", wav, "--json",
                         "--min-snr", "200")
    res = _json.loads(r.stdout)
    assert r.returncode == 1 and len(res["failures"]) == 1 and "SNR" in res["failures"][0]


def test_a_short_tail_joins_the_last_segment(monkeypatch, tmp_path):
    """A tail too short for a frame (or too short to measure) joins the segment before it."""
    import json as _json

    from fxsim.codegen import verify as V

    from .test_cli import fxsim_in_process
    t = np.arange(16000 + 100) / 16000
    np.save(tmp_path / "iq.npy", 0.5 * np.exp(2j * np.pi * 997 * t))
    monkeypatch.setattr(V, "SEGMENT_SECONDS", 0.5)
    r = fxsim_in_process("verify", ROOT / "examples/fft_q15.toml", "--input", tmp_path / "iq.npy",
                         "--json")
    assert r.returncode == 0, r.stderr
    assert _json.loads(r.stdout)["signals"][0]["segments"] == 2


def test_input_options_need_input():
    from .test_cli import fxsim_in_process
    r = fxsim_in_process("verify", ROOT / "examples/emphasis.toml", "--start", "1")
    assert r.returncode == 2 and "need --input" in r.stderr


def test_a_segment_whose_c_crashes_fails_the_stream_and_the_rest_still_pool(monkeypatch):
    """The C crashing on one segment of a streamed input: a failure naming that segment, the
    other segments' SNR still pooled (no exception for the record without energies)."""
    wav = ROOT / "examples/speechlike.wav"
    design = D.load(ROOT / "examples/emphasis.toml")
    real = V.compile_for

    def flaky(*args, **kwargs):
        run, calls = real(*args, **kwargs), []

        def once_broken(x_int, all_stages):
            calls.append(1)
            if len(calls) == 2:
                raise build.BuildError("simulated crash")
            return run(x_int, all_stages)
        return once_broken
    monkeypatch.setattr(V, "compile_for", flaky)
    x = read_input(wav, 16000)
    res = V.verify_stream(design, "speech", [x[:4000], x[4000:8000], x[8000:12000]])
    rec = res["signals"][0]
    assert not res["passed"] and rec["segments"] == 3
    assert any("simulated crash" in f and "[0.25 s, 0.5 s)" in f for f in rec["failures"])
    assert rec["snr_db"] > 60 and rec["checkpoints"]


def _documented_snrs():
    """(doc, design path, SNR text) of every row of the docs' tables whose last column is
    "lowest gated SNR" (docs/gate.md, docs/kernels.md): the figures `verify` prints on the host."""
    import re
    rows = []
    for doc in ("docs/gate.md", "docs/kernels.md"):
        cols = None
        for line in (ROOT / doc).read_text().splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if \
                line.startswith("|") else None
            if cells is None:
                cols = None
            elif cells[-1] == "lowest gated SNR":
                cols = cells
            elif cols and not set(cells[0]) <= {"-"}:
                name = cells[0].strip("`")
                path = name if name.endswith(".toml") else f"examples/gate/{name}.toml"
                rows.append((doc, path, re.match(r"[\d.]+ dB", cells[-1]).group(0)))
    return rows


def test_the_docs_tables_of_gate_figures_are_found():
    """The parser of the test below finds the tables (a renamed column would else leave it no
    cases: skipped, not failed)."""
    assert len(_documented_snrs()) >= 16


@pytest.mark.parametrize("doc,path,snr", _documented_snrs(), ids=lambda v: str(v))
def test_documented_gate_figures_are_what_verify_prints(doc, path, snr):
    """The lowest gated SNR the docs' tables give for each example design is the one `fxsim
    verify` reaches on the host today (the tables cannot drift from the tool)."""
    from fxsim.signals import signal_length
    des = D.load(ROOT / path)
    res = V.verify(des, builtin_signal_set(des.sample_rate, signal_length(des),
                                           complex_=des.in_port.complex))
    assert res["passed"] and f"{res['snr_db']:.2f} dB" == snr, (doc, path, res["snr_db"])
