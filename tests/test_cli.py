"""The command line: JSON contracts, exit codes, and one-line errors (exit 2) for bad input."""
import json
import os
import subprocess
import sys
import wave

import numpy as np
import pytest

from .conftest import ROOT

EXAMPLE = ROOT / "examples/emphasis.toml"
WAV = ROOT / "examples/speechlike.wav"


def fxsim(*args, cwd=None):
    """Run the checkout's command line (PYTHONPATH points at it, whatever the cwd)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "fxsim.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env)


def test_quantize_json_contract():
    r = fxsim("quantize", EXAMPLE, "--input", WAV, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"design", "samples", "snr_db", "max_err_lsb", "saturations", "stages"}
    assert out["input_saturations"] == 0
    assert out["design"] == "emphasis" and out["samples"] == 16000 and out["snr_db"] > 60
    for i, s in enumerate(out["stages"]):
        assert set(s) >= {"index", "kernel", "snr_db", "max_err_lsb", "saturations", "min", "max",
                          "headroom_bits"}
        assert s["index"] == i


def test_quantize_plot(tmp_path):
    pytest.importorskip("matplotlib")
    r = fxsim("quantize", EXAMPLE, "--input", WAV, "--plot", tmp_path / "q.png")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "q.png").read_bytes()[:4] == b"\x89PNG"


def test_verify_json_contract_and_exit_codes():
    r = fxsim("verify", EXAMPLE, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"target", "bit_exact", "mismatches", "samples", "snr_db", "min_snr_db", "passed"} <= set(out)
    assert out["bit_exact"] and out["passed"] and out["target"] == "host"
    r = fxsim("verify", EXAMPLE, "--json", "--min-snr", "200")      # SNR gate fails: exit 1
    assert r.returncode == 1 and json.loads(r.stdout)["passed"] is False


def test_codegen_writes_compilable_files(tmp_path):
    r = fxsim("codegen", EXAMPLE, "-o", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["emphasis.c", "emphasis.h", "fxsim_prim.h"]
    cc = subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-c",
                         str(tmp_path / "out/emphasis.c"), "-o", str(tmp_path / "e.o")],
                        capture_output=True, text=True)
    assert cc.returncode == 0, cc.stderr


class _Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def fxsim_in_process(*args):
    """The same command line run in this process (fast: no interpreter and numba start-up)."""
    from click.testing import CliRunner

    from fxsim.cli import main
    r = CliRunner().invoke(main, [str(a) for a in args])
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return _Result(r.exit_code, r.stdout, r.stderr)


def write_design(tmp_path, text, name="d.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


GOOD_STAGE = '[[stage]]\nkernel = "gain"\ngain = 0.5\n'


def bad_designs():
    return {
        "bad format Q1.40": ('name = "x"\n[defaults]\ndata = "Q1.40"\n' + GOOD_STAGE, "Q1.40"),
        "bad format P15": ('name = "x"\n[defaults]\ndata = "P15"\n' + GOOD_STAGE, "P15"),
        "bad format Q-1.3": ('name = "x"\n' + GOOD_STAGE + 'data = "Q-1.3"\n', "Q-1.3"),
        "unknown rounding": ('name = "x"\n[defaults]\nrounding = "up"\n' + GOOD_STAGE, "rounding"),
        "unknown overflow": ('name = "x"\n' + GOOD_STAGE + 'overflow = "clip"\n', "overflow"),
        "unknown top key": ('name = "x"\ncolour = 1\n' + GOOD_STAGE, "colour"),
        "unknown stage key": ('name = "x"\n' + GOOD_STAGE + 'gian = 2\n', "gian"),
        "unknown kernel": ('name = "x"\n[[stage]]\nkernel = "reverb"\n', "reverb"),
        "invalid name": ('name = "Low-Pass"\n' + GOOD_STAGE, "name"),
        "toml syntax": ('name = "x\n' + GOOD_STAGE, "TOML"),
        "no stages": ('name = "x"\n', "stage"),
        "gain not a number": ('name = "x"\n[[stage]]\nkernel = "gain"\ngain = "half"\n', "gain"),
        "unstable deemph": ('name = "x"\n[[stage]]\nkernel = "deemph"\ncoef = 1.2\n', "coef"),
    }


@pytest.mark.parametrize("case", list(bad_designs()))
def test_bad_design_one_line_exit_2(tmp_path, case):
    text, word = bad_designs()[case]
    r = fxsim_in_process("quantize", write_design(tmp_path, text), "--input", WAV)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fxsim: error:"), r.stderr
    assert word in lines[0] and "Traceback" not in r.stderr


def _wav(path, channels=1, width=2, n=100):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(8000)
        w.writeframes(b"\x01" * (n * channels * width))
    return path


def bad_inputs(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([0.1, np.nan]))
    np.save(tmp_path / "loud.npy", np.array([0.1, 1.5]))
    (tmp_path / "text.wav").write_text("hello, not a wav")
    (tmp_path / "a_dir.wav").mkdir()
    return {
        "missing file": (tmp_path / "nope.wav", "not found"),
        "directory": (tmp_path / "a_dir.wav", "is a directory"),
        "not a wav": (tmp_path / "text.wav", "not an audio file"),
        "stereo wav": (_wav(tmp_path / "st.wav", channels=2), "2 channels; choose one with --channel"),
        "rate": (_wav(tmp_path / "w24.wav", width=3), "8000 Hz, but the design runs at 16000 Hz"),
        "empty wav": (_wav(tmp_path / "empty.wav", n=0), "no samples"),
        "npy with NaN": (tmp_path / "nan.npy", "NaN"),
    }


@pytest.mark.parametrize("case", ["missing file", "directory", "not a wav", "stereo wav", "rate",
                                  "empty wav", "npy with NaN"])
def test_bad_input_one_line_exit_2(tmp_path, case):
    path, word = bad_inputs(tmp_path)[case]
    r = fxsim_in_process("quantize", EXAMPLE, "--input", path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in r.stderr, r.stderr


def test_missing_design_file():
    r = fxsim("verify", "no/such/design.toml")
    assert r.returncode == 2 and "not found" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_overflow_error_mode_refuses_out_of_range(tmp_path):
    bad_inputs(tmp_path)
    d = write_design(tmp_path, 'name = "x"\n[defaults]\noverflow = "error"\n' + GOOD_STAGE)
    # converting the input is not a stage: a loud input is saturated and reported, not refused
    r = fxsim("quantize", d, "--input", tmp_path / "loud.npy", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["input_saturations"] > 0
    loud = write_design(tmp_path, 'name = "y"\n[defaults]\noverflow = "error"\n'
                        '[[stage]]\nkernel = "gain"\ngain = 4.0\n', "y.toml")
    r = fxsim("quantize", loud, "--input", WAV)
    assert r.returncode == 2 and "out of range" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_unwritable_outputs_are_one_line_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    for args in (["codegen", EXAMPLE, "-o", blocker / "out"],
                 ["propose", EXAMPLE, "--input", WAV, "--target-snr", 60, "-o", blocker / "x.toml"],
                 ["quantize", EXAMPLE, "--input", WAV, "--plot", blocker / "q.png"]):
        r = fxsim_in_process(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "fxsim: error:" in r.stderr


def test_plot_creates_its_directory(tmp_path):
    pytest.importorskip("matplotlib")
    r = fxsim_in_process("quantize", EXAMPLE, "--input", WAV, "--plot", tmp_path / "new/dir/q.png")
    assert r.returncode == 0 and (tmp_path / "new/dir/q.png").is_file()


def test_input_clipping_is_counted(tmp_path):
    np.save(tmp_path / "loud.npy", np.array([0.1, 3.0, -2.0, 0.2]))
    r = fxsim_in_process("quantize", EXAMPLE, "--input", tmp_path / "loud.npy", "--json")
    out = json.loads(r.stdout)
    assert out["input_saturations"] == 2 and out["saturations"] >= 2


def test_verify_count_reports_cost():
    r = fxsim_in_process("verify", EXAMPLE, "--count", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["passed"]
    assert out["instructions_per_call"] > 160 and out["text_bytes"] > 0


def test_verify_several_designs_writes_junit(tmp_path):
    """verify takes several designs; --junit writes a test case per design x target x signal,
    a failure's text naming what failed (here an SNR shortfall), and the exit status is 1 when
    any case failed."""
    import xml.etree.ElementTree as ET
    out = tmp_path / "ci" / "verify.xml"
    r = fxsim("verify", EXAMPLE, ROOT / "examples/fir_q15.toml", "--min-snr", 75,
              "--junit", out, "--json")
    assert r.returncode == 1, r.stderr
    runs = json.loads(r.stdout)
    assert [x["design"] for x in runs] == ["emphasis", "fir_q15"]
    top = ET.parse(out).getroot()
    cases = top.findall("testsuite/testcase")
    assert len(cases) == sum(len(x["signals"]) for x in runs) == int(top.get("tests"))
    failed = [c for c in cases if c.find("failure") is not None]
    expected = [(x["design"], s["signal"]) for x in runs for s in x["signals"] if not s["passed"]]
    assert [(c.get("classname").split(".")[0], c.get("name")) for c in failed] == expected
    assert failed and all("precision:" in c.find("failure").get("message") and "< 75 dB"
                          in c.find("failure").text for c in failed)
    assert int(top.get("failures")) == len(failed)


def test_verify_junit_to_a_directory_is_a_one_line_error(tmp_path):
    r = fxsim("verify", EXAMPLE, "--junit", tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "is a directory" in r.stderr


def test_verify_names_the_bad_file_among_several_designs(tmp_path):
    """With several designs, a design file's error starts with its path (which of them is bad);
    with one it is the design's own message."""
    bad = write_design(tmp_path, 'name = "b"\nsample_rate = 16000\nblock = 160\n'
                       '[[stage]]\nkernel = "preemph"\ncoeff = 0.5\n', "bad.toml")
    r = fxsim_in_process("verify", EXAMPLE, bad)
    assert r.returncode == 2
    assert r.stderr.startswith(f"fxsim: error: {bad}: stage[0] (preemph): unknown key 'coeff'")
    r = fxsim_in_process("verify", bad)
    assert r.returncode == 2
    assert r.stderr.startswith("fxsim: error: stage[0] (preemph): unknown key 'coeff'")


def test_progress_bar_only_for_long_inputs_on_a_terminal(monkeypatch, capsys):
    """quantize's progress bar: on stderr for an input of 5 s or more when stderr is a terminal,
    never with --json, on a pipe, or for a short input."""
    from fxsim import cli
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with cli._progress(16000 * 5, 16000, "quantize", True) as p:
        assert callable(p)
        p(40000)
        p(80000)
    for total, wanted in ((16000 * 4, True), (16000 * 60, False)):
        with cli._progress(total, 16000, "quantize", wanted) as p:
            assert p is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with cli._progress(16000 * 60, 16000, "quantize", True) as p:
        assert p is None
