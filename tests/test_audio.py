"""The input reader (fxsim/audio.py): every format libsndfile reads gives the same samples, one
channel of several, the rate check and the streamed resampler, and a one-line error for each bad
file (never a traceback), fuzzed."""
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings, strategies as st
from scipy import signal

from fxsim import audio
from fxsim.errors import FxsimError

from .conftest import ROOT

RATE = 16000
EMPHASIS = ROOT / "examples/emphasis.toml"          # a 16 kHz design


def ints(n=5000, seed=0):
    return np.random.default_rng(seed).integers(-20000, 20000, n).astype(np.int16)


@pytest.mark.parametrize("fmt,subtype,ext", [
    ("WAV", "PCM_16", "wav"), ("WAV", "PCM_24", "wav"), ("WAV", "PCM_32", "wav"),
    ("WAV", "FLOAT", "wav"), ("WAV", "DOUBLE", "wav"), ("WAVEX", "PCM_16", "wav"),
    ("FLAC", "PCM_16", "flac"), ("AIFF", "PCM_16", "aiff"),
])
def test_every_format_gives_the_same_samples(tmp_path, fmt, subtype, ext):
    x = ints()
    path = tmp_path / f"x.{ext}"
    sf.write(path, x / 32768.0 if subtype in ("FLOAT", "DOUBLE") else x, RATE, format=fmt,
             subtype=subtype)
    y = np.concatenate(list(audio.InputFile(path, RATE, block=777).blocks()))
    np.testing.assert_array_equal(y, x / 32768.0)


def test_8_bit_wav_reads_its_steps(tmp_path):
    x = np.arange(-128, 128, dtype=np.int16) * 256
    sf.write(tmp_path / "u8.wav", x, RATE, subtype="PCM_U8")
    np.testing.assert_array_equal(audio.read(tmp_path / "u8.wav", RATE), x / 32768.0)


def test_npy_int16_float_complex(tmp_path):
    x = ints()
    np.save(tmp_path / "i.npy", x)
    np.save(tmp_path / "f.npy", x / 32768.0)
    z = (x + 1j * x[::-1]) / 32768.0
    np.save(tmp_path / "z.npy", z)
    np.testing.assert_array_equal(audio.read(tmp_path / "i.npy", RATE), x / 32768.0)
    np.testing.assert_array_equal(audio.read(tmp_path / "f.npy", RATE), x / 32768.0)
    np.testing.assert_array_equal(audio.read(tmp_path / "z.npy"), z)


def test_a_channel_of_several(tmp_path):
    x = np.stack([ints(seed=1), ints(seed=2), ints(seed=3)], axis=1)
    sf.write(tmp_path / "three.flac", x, RATE)
    for c in (1, 2, 3):
        np.testing.assert_array_equal(audio.read(tmp_path / "three.flac", RATE, channel=c),
                                      x[:, c - 1] / 32768.0)
    with pytest.raises(FxsimError, match=r"3 channels; choose one with --channel N \(1 \.\. 3\)"):
        audio.read(tmp_path / "three.flac", RATE)
    with pytest.raises(FxsimError, match=r"--channel 4; the file has 3 channels"):
        audio.read(tmp_path / "three.flac", RATE, channel=4)


def test_a_rate_mismatch_names_both_rates(tmp_path):
    sf.write(tmp_path / "x8k.wav", ints(), 8000, subtype="PCM_16")
    with pytest.raises(FxsimError, match=r"x8k.wav: 8000 Hz, but the design runs at 16000 Hz "
                                         r"\(give --resample to convert it\)"):
        audio.InputFile(tmp_path / "x8k.wav", RATE)


@pytest.mark.parametrize("inp,out,block", [(8000, 16000, 1000), (44100, 16000, 4096),
                                           (48000, 16000, 65536), (16000, 11025, 333)])
def test_streamed_resampling_equals_resample_poly(tmp_path, inp, out, block):
    x = ints(9001, seed=inp)
    sf.write(tmp_path / "x.wav", x, inp, subtype="PCM_16")
    y = np.concatenate(list(audio.InputFile(tmp_path / "x.wav", out, resample=True,
                                            block=block).blocks()))
    g = np.gcd(inp, out)
    ref = signal.resample_poly(x / 32768.0, out // g, inp // g)
    assert y.size == ref.size
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-12)


def test_bad_files_are_one_line_errors(tmp_path):
    sf.write(tmp_path / "ok.wav", ints(1000), RATE, subtype="PCM_16")
    whole = (tmp_path / "ok.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(whole[:-301])              # truncated mid-sample
    (tmp_path / "zero.npy").write_bytes(b"")
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "2d.npy", np.zeros((3, 4)))
    np.save(tmp_path / "i32.npy", np.zeros(10, dtype=np.int32))
    (tmp_path / "dir").mkdir()
    cases = {
        "cut.wav": "truncated: its header declares 2000 bytes of samples, the file holds 1699",
        "zero.npy": "an empty file, not a .npy array",
        "obj.npy": "not a readable .npy array",
        "2d.npy": "array of shape (3, 4)",
        "i32.npy": "dtype int32",
        "dir": "is a directory",
        "none.wav": "not found",
    }
    for name, message in cases.items():
        with pytest.raises(FxsimError) as e:
            audio.read(tmp_path / name, RATE)
        assert message in str(e.value) and "\n" not in str(e.value)
        assert "allow_pickle" not in str(e.value)       # never advise loading pickles


def test_a_truncated_wav_through_the_cli(tmp_path):
    sf.write(tmp_path / "ok.wav", ints(1000), RATE, subtype="PCM_16")
    (tmp_path / "cut.wav").write_bytes((tmp_path / "ok.wav").read_bytes()[:-1])
    r = subprocess.run([sys.executable, "-m", "fxsim.cli", "quantize", str(EMPHASIS), "--input",
                        str(tmp_path / "cut.wav")], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"fxsim: error: {tmp_path / 'cut.wav'}: truncated: its header declares 2000 bytes of "
        f"samples, the file holds 1999"]


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".wav", ".npy", ".flac", ".raw"]),
       keep_header=st.booleans())
def test_fuzzed_files_read_or_fail_in_one_line(tmp_path_factory, data, suffix, keep_header):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    if keep_header and suffix == ".wav":                  # a valid header, then noise
        sf.write(path, ints(50), RATE, subtype="PCM_16")
        data = path.read_bytes()[:44] + data
    elif keep_header and suffix == ".npy":
        np.save(path, np.zeros(50))
        data = path.read_bytes()[:128] + data
    path.write_bytes(data)
    try:
        x = audio.read(path, RATE)
    except FxsimError as e:
        assert "\n" not in str(e) and "allow_pickle" not in str(e)
    else:
        assert x.ndim == 1 and x.size > 0 and np.isfinite(x).all()


def test_start_and_duration_read_a_span(tmp_path):
    """--start / --duration: the frames of that span, from a sound file and from a .npy."""
    import soundfile as sf
    from fxsim import audio
    x = (np.arange(16000) % 1000 - 500) / 1024.0
    sf.write(tmp_path / "a.wav", x, 8000, subtype="PCM_16")
    np.save(tmp_path / "a.npy", x)
    for name in ("a.wav", "a.npy"):
        f = audio.InputFile(tmp_path / name, 8000, block=300, span=(0.5, 0.25))
        got = np.concatenate(list(f.blocks()))
        assert f.frames == 2000 and np.allclose(got, x[4000:6000], atol=2 ** -15), name
    f = audio.InputFile(tmp_path / "a.wav", 8000, span=(1.5, None))
    assert np.concatenate(list(f.blocks())).size == 4000
    with pytest.raises(FxsimError, match="past the end"):
        audio.InputFile(tmp_path / "a.wav", 8000, span=(2.0, None))
