"""fxsim run: a design on a recording, streamed in blocks, equals the model on the whole input;
outputs as WAV or .npy; the float reference; one-line errors."""
import re
import wave

import numpy as np
import pytest
from click.testing import CliRunner

from fxsim import runner
from fxsim.analysis.report import input_ints
from fxsim.cli import main
from fxsim.design import load
from fxsim.signals import write_wav

EMPHASIS = "examples/emphasis.toml"          # 16 kHz, preemph -> gain -> deemph
FFT = "examples/fft_q15.toml"


@pytest.fixture
def wav16k(tmp_path):
    x = 0.3 * np.sin(2 * np.pi * 440 * np.arange(20000) / 16000)
    x += 0.05 * np.random.default_rng(0).standard_normal(x.size)
    path = tmp_path / "in.wav"
    write_wav(path, x, 16000)
    return path


def test_blocks_equal_the_whole_input(tmp_path, wav16k):
    des = load(EMPHASIS)
    res = runner.run(des, wav16k, tmp_path / "out.npy", block=777)
    x = np.concatenate(list(runner.input_blocks(wav16k, des)))
    outs, _ = des.run(input_ints(des, x))
    want = des.values(outs[-1])
    got = np.load(tmp_path / "out.npy")
    assert res["samples_in"] == x.size and np.array_equal(got, want)


def test_wav_output_at_the_output_rate(tmp_path, wav16k):
    runner.run(load(EMPHASIS), wav16k, tmp_path / "out.wav")
    with wave.open(str(tmp_path / "out.wav")) as w:
        assert w.getframerate() == 16000 and w.getnframes() == 20000 and w.getsampwidth() == 2


def test_reference_and_complex_npy_output(tmp_path, wav16k):
    des = load(EMPHASIS)
    runner.run(des, wav16k, tmp_path / "ref.npy", reference=True)
    x = np.concatenate(list(runner.input_blocks(wav16k, des)))
    assert np.allclose(np.load(tmp_path / "ref.npy"), des.reference(x), rtol=0, atol=1e-12)
    z = np.exp(2j * np.pi * 0.01 * np.arange(1024)) * 0.5
    np.save(tmp_path / "z.npy", z)
    res = runner.run(load(FFT), tmp_path / "z.npy", tmp_path / "bins.npy", block=300)
    bins = np.load(tmp_path / "bins.npy")
    assert bins.dtype == np.complex128 and bins.size == res["samples_out"] == 1024


@pytest.mark.parametrize("args,match", [
    (["examples/interpolate_q15.toml", "--input", "examples/speechlike.wav", "-o", "o.wav"],
     r"speechlike.wav: 16000 Hz, but the design runs at 8000 Hz \(give --resample"),
    ([FFT, "--input", "IN", "-o", "o.wav"], r"a WAV holds a real stream: write .npy"),
    ([EMPHASIS, "--input", "IN", "-o", "o.npy", "--frames", "f.csv"],
     r"no stage of design 'emphasis' has per-frame outputs"),
    ([EMPHASIS, "--input", "IN", "-o", "o.mp3"], r"write .wav or .npy"),
])
def test_bad_runs_are_one_line_errors(tmp_path, wav16k, args, match):
    args = [str(wav16k) if a == "IN" else str(tmp_path / a) if a.startswith("o.") or a == "f.csv"
            else a for a in args]
    res = CliRunner().invoke(main, ["run", *args])
    assert res.exit_code == 2 and res.output.count("\n") == 1
    assert re.search(match, res.output), res.output


def test_ns_frames_to_wav_and_csv(tmp_path):
    """A stage whose frames follow one another (ns: 80 samples every 80) writes a WAV; its
    per-frame decisions go to the CSV, one row per frame under a header."""
    x = 0.1 * np.sin(2 * np.pi * 300 * np.arange(8000) / 8000)
    write_wav(tmp_path / "in.wav", x, 8000)
    res = runner.run(load("examples/ns_q15.toml"), tmp_path / "in.wav", tmp_path / "out.wav",
                     frames_path=tmp_path / "f.csv", block=1000)
    lines = (tmp_path / "f.csv").read_text().splitlines()
    assert res["frames"] == 100 and len(lines) == 101
    assert lines[0].split(",")[:4] == ["speech", "vm_sum", "update", "update_cnt"]
    with wave.open(str(tmp_path / "out.wav")) as w:
        assert w.getnframes() == 8000


def test_input_shorter_than_a_frame_is_an_error_and_leaves_no_files(tmp_path):
    write_wav(tmp_path / "short.wav", np.full(79, 0.1), 8000)
    res = CliRunner().invoke(main, ["run", "examples/ns_q15.toml", "--input",
                                    str(tmp_path / "short.wav"), "-o", str(tmp_path / "o.wav"),
                                    "--frames", str(tmp_path / "f.csv")])
    assert res.exit_code == 2
    assert "79 samples give no output: stage[0] (ns) needs 80 input samples" in res.output
    assert not (tmp_path / "o.wav").exists() and not (tmp_path / "f.csv").exists()
