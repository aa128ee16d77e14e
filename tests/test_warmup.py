"""The first-run notice (fxsim/warmup.py): said and done once per installation, keyed by fxsim's
and numba's versions, the Python version and the package's place; parallel first runs all work.
The warm-up itself is replaced by a stub here (cold, it compiles for minutes), except for one
small real run."""
import json
import threading

import numba
import pytest

import fxsim
from fxsim import design as D
from fxsim import warmup


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh XDG cache directory, the notice enabled, and warm_all stubbed (its calls kept)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("FXSIM_NO_WARMUP", raising=False)
    calls = []
    monkeypatch.setattr(warmup, "warm_all", lambda echo=None, designs=None: calls.append(designs))
    return tmp_path, calls


def _notice():
    lines = []
    return warmup.first_run_notice(lines.append), lines


def test_first_run_says_so_warms_and_writes_the_stamp(cache):
    tmp_path, calls = cache
    stamp = warmup.stamp_path()
    assert stamp.parent == tmp_path / "fxsim" and not stamp.exists()
    warmed, lines = _notice()
    assert warmed and calls == [warmup.COMMON]
    assert lines[0] == warmup.MESSAGE
    assert len(lines) == 2
    assert lines[1].startswith("fxsim: compiled in ") and lines[1].endswith(" s")
    saved = json.loads(stamp.read_text())
    assert {k: saved[k] for k in ("fxsim", "numba", "python", "path")} == warmup.stamp_key()
    assert [p.name for p in stamp.parent.iterdir()] == [stamp.name]       # no temporary left


def test_first_run_names_the_kernels_that_compile_next(cache):
    """A design with kernels the first run does not warm (an FFT, the noise suppressor, an
    overlap-save FIR) is told they compile next, so the wait after "compiled in" is not silent."""
    from fxsim import design as D
    des = D.from_dict({"name": "d", "sample_rate": 8000, "stage": [
        {"kernel": "ns"}, {"kernel": "fir", "design": {"method": "firwin", "numtaps": 16,
                                                       "cutoff": 0.25},
                           "method": "overlap-save", "nfft": 64}]})
    lines = []
    assert warmup.first_run_notice(lines.append, des)
    assert len(lines) == 3 and lines[2] == ("fxsim: this design's fir (overlap-save), ns "
                                            "compile(s) now, on first use (up to two minutes when "
                                            "cold)")


def test_later_runs_are_silent(cache):
    _, calls = cache
    _notice()
    warmed, lines = _notice()
    assert not warmed and lines == [] and len(calls) == 1


def test_the_key_names_this_installation():
    key = warmup.stamp_key()
    assert key["fxsim"] == fxsim.__version__ and key["numba"] == numba.__version__
    assert key["path"] == str(warmup.Path(fxsim.__file__).resolve().parent)


@pytest.mark.parametrize("field, value", [("fxsim", "99.0"), ("numba", "0.1"),
                                          ("path", "/elsewhere/fxsim"), ("python", "3.99")])
def test_another_installation_warms_again(cache, monkeypatch, field, value):
    """An upgrade of fxsim or numba, another Python or another install place: a new stamp."""
    _, calls = cache
    _notice()
    key = {**warmup.stamp_key(), field: value}
    monkeypatch.setattr(warmup, "stamp_key", lambda: key)
    warmed, lines = _notice()
    assert warmed and lines[0] == warmup.MESSAGE and len(calls) == 2
    assert len(list(warmup.cache_home().glob("warmup-*.json"))) == 2
    assert _notice() == (False, [])


def test_parallel_first_runs_all_work(cache, monkeypatch):
    """Four first runs at once: each warms (none found a stamp) and the stamp is whole."""
    tmp_path, calls = cache
    start = threading.Barrier(4)
    monkeypatch.setattr(warmup, "warm_all",
                        lambda echo=None, designs=None: calls.append(start.wait(timeout=10)))
    results = [None] * 4

    def first(i):
        results[i] = _notice()
    threads = [threading.Thread(target=first, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert all(r == (True, r[1]) and r[1][0] == warmup.MESSAGE for r in results)
    assert json.loads(warmup.stamp_path().read_text())["fxsim"] == fxsim.__version__
    assert [p.name for p in (tmp_path / "fxsim").iterdir()] == [warmup.stamp_path().name]
    assert _notice() == (False, [])


def test_a_failed_warm_up_goes_on_and_tries_again_next_time(cache, monkeypatch):
    def broken(echo=None, designs=None):
        raise RuntimeError("no compiler")
    monkeypatch.setattr(warmup, "warm_all", broken)
    warmed, lines = _notice()
    assert warmed and lines[0] == warmup.MESSAGE and "no compiler" in lines[1]
    assert not warmup.stamp_path().exists()


def test_it_can_be_turned_off(cache, monkeypatch):
    _, calls = cache
    monkeypatch.setenv("FXSIM_NO_WARMUP", "1")
    assert _notice() == (False, []) and calls == [] and not warmup.stamp_path().exists()


def test_the_module_warms_everything_and_writes_the_stamp(cache, capsys):
    _, calls = cache
    assert warmup.main() == 0
    assert calls == [None]                       # warm_all's default: every design
    assert "s in all" in capsys.readouterr().err
    assert _notice() == (False, [])


def test_the_warm_up_designs_are_valid():
    names = [doc["name"] for doc in warmup.DESIGNS]
    assert len(set(names)) == len(names)
    kernels = {st.kernel for doc in warmup.DESIGNS for st in D.from_dict(doc).stages}
    assert {"preemph", "gain", "deemph", "fir", "biquad", "fft", "stft", "istft", "ns"} <= kernels


def test_warm_all_runs_the_model(monkeypatch):
    """The real thing on the smallest design (its kernels are cached after the first time)."""
    lines = []
    times = warmup.warm_all(lines.append, designs=warmup.COMMON[:1])
    assert list(times) == ["warm_emphasis"] and lines[0].startswith("fxsim: warm-up: warm_emphasis")
