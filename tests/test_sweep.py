"""Sweeps: word-length curves, and the same results in this process, in worker processes and on
a Dask cluster."""
import pickle

import numpy as np
import pytest

from fxsim import design as D
from fxsim.analysis import sweep

from .conftest import ROOT

BIQUAD = ROOT / "examples/biquad.toml"
WAV = ROOT / "examples/speechlike.wav"


def test_snr_grows_about_6_db_per_bit():
    r = sweep.word_sweep(D.load(BIQUAD), sweep.Source(str(WAV)), [12, 14, 16, 18], jobs=1)
    snr = [row[0] for row in r["snr_db"]]
    steps = np.diff(snr) / 2
    assert all(4.5 < s < 7.5 for s in steps), snr


def test_refused_words_are_reported_not_raised():
    # the ns kernel takes Q15 only: other words are refused with the kernel's reason
    r = sweep.word_sweep(D.load(ROOT / "examples/speech_ns.toml"),
                         sweep.Source(str(ROOT / "examples/noisy_speech.wav")), [12, 16], jobs=1)
    assert r["snr_db"][0] is None and "Q15" in r["errors"][0]
    assert r["snr_db"][1] is not None and r["errors"][1] == ""


def test_an_fft_first_design_sweeps_its_input_word():
    """The FFT keeps its input's word: the sweep sets the design input's format instead (else
    every row would be the same design), Q15 and Q31 measured, other words refused."""
    r = sweep.word_sweep(D.load(ROOT / "examples/fft_q15.toml"), sweep.Source(str(WAV)),
                         [16, 24, 32], jobs=1)
    assert r["input_word"] is True
    assert r["snr_db"][1] is None and "Q15 or Q31" in r["errors"][1]
    assert r["snr_db"][2][0] > r["snr_db"][0][0] + 60, r["snr_db"]
    assert sweep.word_sweep(D.load(BIQUAD), sweep.Source(str(WAV)), [16], jobs=1)["input_word"] is False


def test_jobs_are_picklable_and_give_the_same_results_in_workers():
    des = D.load(BIQUAD)
    src = sweep.Source(str(WAV))
    pickle.dumps((sweep.evaluate, sweep.with_word(des, 16), str(des.path), src))
    local = sweep.word_sweep(des, src, [14, 16], jobs=1)
    assert sweep.word_sweep(des, src, [14, 16], jobs=2) == local


def test_a_dask_cluster_gives_the_same_results():
    distributed = pytest.importorskip("dask.distributed")
    des = D.load(BIQUAD)
    src = sweep.Source(str(WAV))
    local = sweep.word_sweep(des, src, [14, 16, 18], jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_cluster = sweep.word_sweep(des, src, [14, 16, 18], cluster=cluster.scheduler_address)
    assert on_cluster == local


def test_unreachable_cluster_is_a_one_line_error(monkeypatch):
    from fxsim.errors import FxsimError
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", 1)
    with pytest.raises(FxsimError, match="--cluster"):
        sweep.parallel_map(sweep.evaluate, [(None, None, None)], cluster="tcp://127.0.0.1:9")


def test_in_memory_source_equals_the_file():
    from fxsim.signals import read_input
    des = D.load(BIQUAD)
    a = sweep.evaluate(des.doc, str(des.path), sweep.Source(str(WAV)))
    b = sweep.evaluate(des.doc, str(des.path), sweep.Source(samples=read_input(WAV)))
    assert a == b


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_bad_jobs_is_a_one_line_error(jobs):
    from .test_cli import fxsim_in_process
    r = fxsim_in_process("quantize", BIQUAD, "--input", WAV, "--sweep", "14:16", "--jobs", jobs)
    assert r.returncode == 2 and r.stderr.startswith("fxsim: error: --jobs")


def test_workers_without_this_fxsim_are_refused():
    """A worker that cannot import the jobs' module would leave the cluster waiting: refused."""
    from fxsim.errors import FxsimError

    class Client:                                   # what Client.run returns for such a worker
        def run(self, fn, module):
            return {"tcp://10.0.0.7:40000": None, "tcp://10.0.0.8:40000": fn(module)}
    with pytest.raises(FxsimError, match="10.0.0.7.*cannot import fxsim.analysis.sweep"):
        sweep.check_workers(Client(), "fxsim.analysis.sweep", "tcp://10.0.0.5:8786")
    sweep.check_workers(type("Ok", (), {"run": lambda self, fn, m: {"w": fn(m)}})(),
                        "fxsim.analysis.sweep", "x")
