"""The report's pictures: spectra measured in blocks, filter responses, the PNG and the HTML."""
import base64
import re

import numpy as np
import pytest

from fxsim import design as D
from fxsim.analysis import spectra
from fxsim.analysis.report import quantize_report
from fxsim.ports import Port
from fxsim.qformat import QFormat

from .conftest import ROOT
from .test_cli import fxsim_in_process

EXAMPLE = ROOT / "examples/emphasis.toml"
WAV = ROOT / "examples/speechlike.wav"


def test_spectrum_of_a_sine_and_its_error():
    rate, n = 8000.0, 1 << 15
    t = np.arange(n)
    ref = 0.5 * np.sin(2 * np.pi * 1000.0 / rate * t)
    fixed = ref + 1e-4 * np.random.default_rng(1).standard_normal(n)
    m = spectra.SpectrumMeter(Port(QFormat(0, 15)), rate)
    for i in range(0, n, 777):                      # blocks that split segments anywhere
        m.add(fixed[i: i + 777], ref[i: i + 777])
    r = m.result()
    k = int(np.argmax(r["float"]))
    assert r["freq"][k] == pytest.approx(1000.0, abs=rate / spectra.NFFT)
    assert r["float"][k] == pytest.approx(20 * np.log10(0.5), abs=0.2)   # dB re full-scale sine
    # white noise of variance s^2: s^2 sum(w^2) / (sum(w)/2)^2 per bin, on average
    w = np.hanning(spectra.NFFT)
    expect = 10 * np.log10(1e-8 * np.sum(w ** 2) / (np.sum(w) / 2) ** 2)
    got = 10 * np.log10(np.mean(10 ** (r["error"][5:-5] / 10)))
    assert got == pytest.approx(expect, abs=0.5)


def test_spectrum_is_the_same_in_any_blocks():
    x = np.random.default_rng(2).standard_normal(5000)
    a, b = (spectra.SpectrumMeter(Port(QFormat(0, 15)), 16000.0) for _ in range(2))
    a.add(x, x * 0.9)
    for i in range(0, x.size, 313):
        b.add(x[i: i + 313], 0.9 * x[i: i + 313])
    assert np.array_equal(a.result()["error"], b.result()["error"])


def test_framed_complex_port_is_measured_per_bin():
    m = spectra.SpectrumMeter(Port(QFormat(0, 15), complex=True, frame=8, hop=8), 16000.0)
    z = np.zeros(16)
    z[2 * 3] = 0.25                                    # bin 3, real part, in both frames
    z[16 // 2 + 2 * 3 - 8] = 0.25
    m.add(z, z)
    r = m.result()
    assert r["unit"] == "bin" and int(np.argmax(r["float"])) == 3


def test_filter_responses_float_and_quantized():
    w = np.linspace(0, np.pi, 256)
    for f in ("biquad.toml", "fir_q15_c16.toml", "emphasis.toml", "decimate_q15.toml"):
        for st in D.load(ROOT / "examples" / f).stages:
            resp = st.response(w)
            if st.kernel == "gain":
                assert resp is None
                continue
            h, hq = resp
            assert np.max(np.abs(h - hq)) < 0.01 * np.max(np.abs(h)), (f, st.kernel)
    # 12-bit taps: the quantized response differs measurably
    coarse = D.from_dict({"name": "c", "stage": [{"kernel": "fir", "coef": 12, "design": {
        "method": "firwin", "numtaps": 31, "cutoff": 0.3}}]})
    h, hq = coarse.stages[0].response(w)
    assert np.max(np.abs(h - hq)) > 1e-5


def test_quantize_report_spectra_per_stage():
    des = D.load(EXAMPLE)
    from fxsim.signals import read_input
    rep = quantize_report(des, read_input(WAV), spectra=True)
    assert len(rep["_spectra"]) == len(des.stages)
    for s, spec in zip(rep["stages"], rep["_spectra"]):
        # the error's power sits well below the signal's, by about the stage's SNR
        gap = 10 * np.log10(np.sum(10 ** (spec["float"] / 10)) / np.sum(10 ** (spec["error"] / 10)))
        assert gap == pytest.approx(s["snr_db"], abs=3.0)


def test_plot_and_html(tmp_path):
    pytest.importorskip("matplotlib")
    png, page = tmp_path / "r.png", tmp_path / "r.html"
    r = fxsim_in_process("quantize", ROOT / "examples/biquad.toml", "--input", WAV, "--plot", png,
                         "--html", page, "--sweep", "14:18:2", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:4] == b"\x89PNG"
    text = page.read_text()
    # self-contained: the picture inline, nothing fetched
    img = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    assert img and base64.b64decode(img.group(1))[:4] == b"\x89PNG"
    assert not re.search(r"(src|href)=['\"]?(https?:|//)", text)
    assert "SNR (dB) against data word length" in text and "biquad" in text


@pytest.mark.parametrize("bad", ["12", "32:12", "2:8", "a:b", "12:32:0"])
def test_bad_sweep_is_a_one_line_error(bad):
    r = fxsim_in_process("quantize", EXAMPLE, "--input", WAV, "--sweep", bad)
    assert r.returncode == 2 and r.stderr.startswith("fxsim: error: --sweep")
    assert len(r.stderr.strip().splitlines()) == 1


def test_html_to_a_directory_is_a_one_line_error(tmp_path):
    r = fxsim_in_process("quantize", EXAMPLE, "--input", WAV, "--html", tmp_path)
    assert r.returncode == 2 and "--html" in r.stderr and len(r.stderr.strip().splitlines()) == 1
