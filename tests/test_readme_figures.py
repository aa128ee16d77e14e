"""The figures the README's tutorial states are the ones its commands give: the SNR of step 1,
the proposal's SNR on the unseen half (step 3) and its RAM on the Cortex-M4 (step 4). The
instruction count beside them is a speed figure (it moves with the compiler): it lives in the
benchmarks, not here. tests/test_docs_commands.py runs the same commands for their exit status."""
import json
import re

import pytest

from fxsim.codegen import targets

from .conftest import ROOT
from .test_cli import fxsim_in_process

README = (ROOT / "README.md").read_text()
WAV = ROOT / "examples" / "noisy_speech.wav"


def stated(pattern: str) -> str:
    m = re.search(pattern, README, re.S)
    assert m, f"README no longer states {pattern!r}"
    return m.group(1)


def same(measured: float, text: str) -> bool:
    """``measured`` is what ``text`` says, to the digits it gives."""
    digits = len(text.split(".")[1]) if "." in text else 0
    return abs(measured - float(text)) <= 0.5 * 10 ** -digits + 1e-9


@pytest.fixture(scope="module")
def proposal(tmp_path_factory):
    """Step 2 as the README runs it: its search breaks ties by instructions on the M4."""
    if not targets.get("cortex-m4").module().available():
        pytest.skip("the Cortex-M4 toolchain is not installed (.ci/run installs it)")
    out = tmp_path_factory.mktemp("tutorial") / "tutorial_q.toml"
    r = fxsim_in_process("propose", ROOT / "examples/tutorial.toml", "--input", WAV, "--duration",
                         "5", "--target-snr", "60", "--target", "cortex-m4", "-o", out)
    assert r.returncode == 0, r.stderr
    return out


def test_step_1_snr():
    r = fxsim_in_process("quantize", ROOT / "examples/tutorial.toml", "--input", WAV, "--json")
    snr, text = json.loads(r.stdout)["snr_db"], stated(r"(\d+\.\d+) dB end to end")
    assert same(snr, text), (snr, text)


def test_step_3_snr_on_the_unseen_half(proposal):
    r = fxsim_in_process("quantize", proposal, "--input", WAV, "--start", "5", "--json")
    snr, text = json.loads(r.stdout)["snr_db"], stated(r"step 3 measures (\d+\.\d+) dB")
    assert same(snr, text), (snr, text)


def test_step_4_ram_on_the_cortex_m4(proposal):
    r = fxsim_in_process("verify", proposal, "--input", WAV, "--start", "5", "--target",
                         "cortex-m4", "--json")
    res = json.loads(r.stdout)
    assert r.returncode == 0 and res["bit_exact"], r.stdout
    ram = stated(r"([\d,]+) bytes of RAM").replace(",", "")
    assert str(res["signals"][0]["ram_bytes"]) == ram
