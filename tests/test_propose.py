"""fxsim propose: formats chosen per stage meet the target SNR, measured again independently."""
import json
import re
import tomllib

import pytest
from hypothesis import given, strategies as st

from fxsim import design as D
from fxsim.analysis.report import quantize_report
from fxsim.signals import read_input

from .conftest import ROOT
from .test_cli import fxsim_in_process

EXAMPLE = ROOT / "examples/emphasis.toml"
WAV = ROOT / "examples/speechlike.wav"


@pytest.mark.parametrize("target,words", [(60, {16}), (100, {32})])
def test_proposal_meets_target(tmp_path, target, words):
    out = tmp_path / "new.toml"
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", target, "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["snr_db"] >= target
    new = D.load(out)
    assert {s.out_fmt.word_bits for s in new.stages} == words
    rep = quantize_report(new, read_input(WAV))           # measured again from the written file
    assert rep["snr_db"] >= target and rep["saturations"] == 0


def test_unreachable_target_is_a_one_line_error(tmp_path):
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", 400, "-o", tmp_path / "x.toml")
    assert r.returncode == 2 and "out of reach" in r.stderr and len(r.stderr.strip().splitlines()) == 1


keys = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
scalars = st.one_of(st.integers(-2**40, 2**40), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=10), st.booleans())


@given(st.dictionaries(keys.filter(lambda k: k not in ("defaults", "stage")),
                       st.one_of(scalars, st.lists(scalars, max_size=4),
                                 st.dictionaries(keys, scalars, max_size=3)), max_size=5),
       st.lists(st.dictionaries(keys, scalars, min_size=1, max_size=4), min_size=1, max_size=3))
def test_to_toml_roundtrip(top, stages):
    doc = {**top, "defaults": {"data": "Q15"}, "stage": stages}
    assert tomllib.loads(D.to_toml(doc)) == doc


def test_proposal_keeps_headroom_and_relocates_files(tmp_path):
    """Integer bits the designer gave a stage are kept, so the proposal still passes verify; a
    relative taps_file still resolves from the new design's directory."""
    import numpy as np

    from fxsim.codegen import verify as V
    from fxsim.signals import builtin_signal_set
    src = tmp_path / "src"
    src.mkdir()
    np.save(src / "h.npy", np.array([0.25, 0.5, 0.25]))
    (src / "d.toml").write_text('name = "d"\n[[stage]]\nkernel = "fir"\ntaps_file = "h.npy"\n'
                                'data = "Q1.14"\n')
    out = tmp_path / "elsewhere" / "new.toml"
    r = fxsim_in_process("propose", src / "d.toml", "--input", WAV, "--target-snr", 60, "-o", out)
    assert r.returncode == 0, r.stderr
    new = D.load(out)
    assert new.stages[0].out_fmt.int_bits >= 1
    assert V.verify(new, builtin_signal_set(new.sample_rate))["passed"]


def test_search_narrows_coefficients_and_accumulator(tmp_path):
    """The 32-bit taps and 40-bit accumulator of examples/fir_q15.toml are more than 65 dB
    needs: the search narrows both, says why, and the proposal measures what it claims."""
    out = tmp_path / "fir.toml"
    r = fxsim_in_process("propose", ROOT / "examples/fir_q15.toml", "--input", WAV,
                         "--target-snr", 65, "-o", out, "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    spec = res["stages"][0]
    assert spec["coef"] == 16 and spec["acc_bits"] == 32 and res["verified"]
    assert any("coef 16: 32 -> 16" in line for line in res["reasons"])
    new = D.load(out)
    rep = quantize_report(new, read_input(WAV))
    assert rep["snr_db"] >= 65 + 1 and rep["saturations"] == 0      # target + the SNR margin
    assert "# stage 0 (fir)" in out.read_text()                      # the reasons, in the file


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "new.toml"
    out.write_text("# mine\n")
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", 60, "-o", out)
    assert r.returncode == 2 and "--force" in r.stderr and out.read_text() == "# mine\n"
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", 60, "-o", out,
                         "--force", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("# proposed by fxsim")


def test_an_input_that_clips_is_blamed_not_the_formats(tmp_path):
    import numpy as np
    x = np.sin(np.linspace(0, 200, 8000)) * 1.5            # beyond full scale
    np.save(tmp_path / "loud.npy", x)
    r = fxsim_in_process("propose", EXAMPLE, "--input", tmp_path / "loud.npy", "--target-snr", 60,
                         "-o", tmp_path / "x.toml")
    assert r.returncode == 2 and "too loud" in r.stderr and "loud.npy" in r.stderr
    assert not (tmp_path / "x.toml").exists()


def test_a_proposal_that_fails_verify_is_not_written(tmp_path, monkeypatch):
    from fxsim.codegen import verify as V
    real = V.verify

    def failing(*a, **k):
        res = real(*a, **k)
        return {**res, "passed": False, "failures": ["mismatch at stage 0, index 3"]}
    monkeypatch.setattr(V, "verify", failing)
    out = tmp_path / "x.toml"
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", 60, "-o", out,
                         "--jobs", "1")
    assert r.returncode == 1 and "failed verify" in r.stderr and not out.exists()


@pytest.mark.parametrize("opt,value", [("--headroom-db", "-1"), ("--snr-margin", "inf")])
def test_bad_margins_are_one_line_errors(tmp_path, opt, value):
    r = fxsim_in_process("propose", EXAMPLE, "--input", WAV, "--target-snr", 60, opt, value,
                         "-o", tmp_path / "x.toml")
    assert r.returncode == 2 and opt in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_fft_keeps_its_word_and_scaling_is_searched(tmp_path):
    """An FFT has no data knob; its scaling is: 'stage' (cheaper) is measured and, at 60 dB,
    misses, so the kernel's 'bfp' stays, with the reason in the report."""
    out = tmp_path / "fft.toml"
    r = fxsim_in_process("propose", ROOT / "examples/fft_q15.toml", "--input", WAV, "--resample",
                         "--target-snr", 60, "-o", out, "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["stages"] == [{"kernel": "fft"}]                 # no data key, scaling left as is
    assert re.search(r"scaling bfp: the kernel's choice; stage gives [0-9.]+ dB", res["reasons"][0])
    assert D.load(out).stages[0].scaling_name == "bfp"


def test_a_refused_starting_point_is_widened_together(tmp_path):
    """biquad_narrow (Q15 in, Q31 out) refuses 16-bit words written out: the search leaves the
    coefficient word and accumulator to the kernel and widens the data with them."""
    out = tmp_path / "bn.toml"
    r = fxsim_in_process("propose", ROOT / "examples/biquad_narrow.toml", "--input", WAV,
                         "--target-snr", 60, "-o", out, "--json", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["snr_db"] >= 61


def test_exchange_trades_a_narrower_knob_for_a_wider_one(monkeypatch):
    """Where no single narrowing meets the target, a pair does: stage 0's coefficients 32 -> 16
    bits (-16) with stage 1's accumulator 32 -> 40 (+8). The simulations are replaced by a rule
    that passes a design iff stage 0 keeps 32-bit coefficients or stage 1 has a 40-bit or wider
    accumulator, so the search's own moves are what is tested."""
    from fxsim.analysis import propose as PR
    from fxsim.analysis.sweep import Source
    fir = {"kernel": "fir", "design": {"method": "firwin", "numtaps": 16, "cutoff": 0.3}}
    des = D.from_dict({"name": "two", "block": 160, "sample_rate": 16000,
                       "defaults": {"data": "Q15"}, "stage": [dict(fir), dict(fir)]})

    def rule(self, cands):
        return [{"error": "refused"} if c.effective is None else
                {"snr_db": 70.0 if c.effective[0]["coef"] == 32 or c.effective[1]["acc_bits"] >= 40
                 else 50.0, "saturations": 0} for c in cands]
    monkeypatch.setattr(PR.Search, "measure", rule)
    search = PR.Search(des, Source(str(WAV)), 60.0, 3.0, 1.0, jobs=1, cluster=None)
    start = PR.Candidate(search, [{"data": 16, "coef": 32, "acc_bits": 64},
                                  {"data": 16, "coef": 16, "acc_bits": 32}])
    assert start.effective is not None
    reasons = {}
    cur, rep = search.exchange(start, reasons)
    assert cur.effective[0]["coef"] == 16 and cur.effective[1]["acc_bits"] == 40
    assert cur.bits == start.bits - 8 and "traded with stage 1's acc_bits" in reasons[0]["coef"]
    # a rule nothing cheaper passes: no exchange
    monkeypatch.setattr(PR.Search, "measure", lambda self, cands: [{"error": "x"} for _ in cands])
    assert search.exchange(start, {}) is None
