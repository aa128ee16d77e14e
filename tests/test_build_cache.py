"""The build cache (codegen/build.py): its place (XDG), its bound (least recently used entries
evicted, never recent ones) and its safety when several processes build into it at once."""
import hashlib
import multiprocessing
import os
import time
from pathlib import Path

import numpy as np
import pytest

from fxsim import design as D
from fxsim.codegen import build, verify
from fxsim.errors import FxsimError

HOUR = 3600


def _gain(name: str, g: float) -> D.Design:
    return D.from_dict({"name": name, "stage": [{"kernel": "gain", "gain": g}]})


def _age(entry: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(entry, (t, t))


def _entries(d: Path) -> set:
    return {p.name for p in d.iterdir() if not p.name.startswith(".")}


# -- where it is -----------------------------------------------------------------------------------

def test_default_is_the_xdg_cache_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("FXSIM_BUILD_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert build.cache_dir() == tmp_path / "xdg" / "fxsim" / "build"
    assert build.cache_dir().is_dir()


def test_without_xdg_it_is_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("FXSIM_BUILD_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    for xdg in (None, "", "relative/dir"):          # unset, empty, relative: all ignored
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert build.cache_dir() == tmp_path / ".cache" / "fxsim" / "build"


def test_fxsim_build_cache_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path / "mine"))
    assert build.cache_dir() == tmp_path / "mine"
    b = build.build_design(_gain("g_override", 0.5))
    assert b.program.exists() and b.program.parent.parent == tmp_path / "mine"
    assert not (tmp_path / "xdg").exists()


def test_the_bound_setting(monkeypatch):
    monkeypatch.delenv("FXSIM_BUILD_CACHE_MB", raising=False)
    assert build.cache_limit_bytes() == 512 << 20
    monkeypatch.setenv("FXSIM_BUILD_CACHE_MB", "1.5")
    assert build.cache_limit_bytes() == 3 << 19
    for bad in ("lots", "-1", "nan", "inf"):
        monkeypatch.setenv("FXSIM_BUILD_CACHE_MB", bad)
        with pytest.raises(FxsimError, match="FXSIM_BUILD_CACHE_MB"):
            build.cache_limit_bytes()


# -- the bound ------------------------------------------------------------------------------------

def _old_entry(cache: Path, i: int, age: float, size: int = 100_000) -> Path:
    """A build of someone else's, last used ``age`` seconds ago."""
    e = cache / f"old{i}-harness-host-{i:016x}"
    e.mkdir()
    (e / "harness").write_bytes(os.urandom(size))
    _age(e, age)
    return e


def test_an_insert_evicts_the_least_recently_used(tmp_path, monkeypatch):
    """Four entries of 100 kB, last used 4, 3, 2 and 1 hours ago, and a bound that holds two of
    them and the new build with 50 kB to spare: the new build evicts the two oldest."""
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    monkeypatch.delenv("FXSIM_BUILD_CACHE_MB", raising=False)
    old = [_old_entry(tmp_path, i, (4 - i) * HOUR) for i in range(4)]
    des = _gain("g4", 0.5)
    new = build.build_design(des).program.parent                 # 512 MB: nothing evicted
    assert _entries(tmp_path) == {e.name for e in old} | {new.name}
    limit = 2 * 100_000 + build._size(new) + 50_000
    build._remove(new)
    monkeypatch.setenv("FXSIM_BUILD_CACHE_MB", str(limit / 2**20))
    assert build.build_design(des).program.parent == new           # built again, and trimmed
    assert _entries(tmp_path) == {old[2].name, old[3].name, new.name}
    assert build._size(tmp_path) <= limit


def test_a_hit_makes_an_entry_recent(tmp_path, monkeypatch):
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    designs = [_gain(f"h{i}", 0.1 * (i + 1)) for i in range(3)]
    entries = [build.build_design(d).program.parent for d in designs]
    for i, e in enumerate(entries):
        _age(e, (3 - i) * HOUR)
    assert build.build_design(designs[0]).program.parent == entries[0]   # a hit: touched
    assert time.time() - entries[0].stat().st_mtime < 60
    evicted = build.trim(limit=build._size(entries[0]))
    assert evicted == [entries[1].name, entries[2].name]               # oldest first
    assert _entries(tmp_path) == {entries[0].name}


def test_recent_entries_are_never_evicted(tmp_path, monkeypatch):
    """Another process may be about to run an entry used in the last minutes: a bound of zero
    leaves them, and takes them once they are older than KEEP_RECENT_S."""
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    monkeypatch.setenv("FXSIM_BUILD_CACHE_MB", "0")
    entries = [build.build_design(_gain(f"r{i}", 0.1 * (i + 1))).program.parent
               for i in range(3)]
    assert _entries(tmp_path) == {e.name for e in entries}
    assert build.trim() == []
    _age(entries[0], build.KEEP_RECENT_S + 60)
    assert build.trim() == [entries[0].name]
    assert _entries(tmp_path) == {e.name for e in entries[1:]}


def test_running_a_program_touches_its_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    des = _gain("t0", 0.5)
    b = build.build_design(des)
    _age(b.program.parent, 2 * HOUR)
    verify.run_c(b, des, np.arange(-100, 100, dtype=np.int16))
    assert time.time() - b.program.parent.stat().st_mtime < 60


def test_temporaries_are_swept_only_when_stale(tmp_path, monkeypatch):
    """A ``.``-name is another process's build in progress (or trash): kept while fresh."""
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    (tmp_path / ".g-inprogress").mkdir()
    (tmp_path / ".g-inprogress" / "g.c").write_text("int x;\n")
    (tmp_path / ".insncount-tmp").write_bytes(b"\0" * 100)
    build.trim(limit=0)
    assert {p.name for p in tmp_path.iterdir()} == {".g-inprogress", ".insncount-tmp"}
    build.trim(limit=0, now=time.time() + build.STALE_TEMP_S + 60)
    assert list(tmp_path.iterdir()) == []


def test_entries_vanishing_under_a_trim_are_tolerated(tmp_path, monkeypatch):
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(tmp_path))
    e = build.build_design(_gain("v0", 0.5)).program.parent
    _age(e, 2 * HOUR)
    mtime = e.stat().st_mtime
    build._remove(e)                                   # another process evicted it
    assert build._evict(e, mtime) == "gone"
    assert build._size(e) == 0 and build.trim(limit=0) == []


# -- several processes at once -------------------------------------------------------------------

X = (np.arange(-4000, 4000, 7) * 8).astype(np.int16)


def _output(b: build.Build, des: D.Design) -> str:
    return hashlib.sha256(verify.run_c(b, des, X).chunks[0].data.tobytes()).hexdigest()


def _worker(i: int, start, results) -> None:
    """One process: wait for the others, then build and run the shared design and its own."""
    try:
        gains = {"shared": -0.75, f"own{i}": 0.1 * (i + 1)}
        names = list(gains)[::1 if i % 2 else -1]     # half of them the other way round
        start.wait(timeout=60)
        out = {}
        for name in names:
            des = _gain(name, gains[name])
            b = build.build_design(des)
            out[name] = [str(b.program), _output(b, des)]
        results.put((i, out))
    except BaseException as e:                        # noqa: BLE001 (reported by the test)
        results.put((i, repr(e)))


def test_parallel_processes_share_one_cache(tmp_path, monkeypatch):
    """Six processes build a shared design and one of their own, at once, into one cache
    holding old entries and with a bound of zero (every insert trims, all at the same time): all
    succeed, agree, and leave no temporaries; only the old entries are evicted."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for i in range(6):
        _old_entry(cache, i, 2 * HOUR + i, 50_000)
    monkeypatch.setenv("FXSIM_BUILD_CACHE", str(cache))
    monkeypatch.setenv("FXSIM_BUILD_CACHE_MB", "0")
    n = 6
    ctx = multiprocessing.get_context("fork")         # the children start with fxsim imported
    start, queue = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(i, start, queue)) for i in range(n)]
    for p in procs:
        p.start()
    try:
        results = dict(queue.get(timeout=120) for _ in procs)
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    for i in range(n):
        assert isinstance(results[i], dict), results[i]
    assert all(p.exitcode == 0 for p in procs)
    assert len({tuple(r["shared"]) for r in results.values()}) == 1   # one program, one output
    assert len({r[f"own{i}"][0] for i, r in results.items()}) == n
    # built here, alone, the shared design is found in the same entry and gives the same output
    des = _gain("shared", -0.75)
    b = build.build_design(des)
    assert results[0]["shared"] == [str(b.program), _output(b, des)]
    assert _entries(cache) == {Path(p).parent.name for r in results.values() for p, _ in r.values()}
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []


# --- the design cache (fxsim.coefs.designed) ------------------------------------------------------

def _counting_designer(calls):
    def firwin_twice(spec, field):
        from scipy import signal
        calls.append(spec)
        if spec.get("numtaps", 0) < 1:
            raise FxsimError(f"{field}: numtaps must be >= 1")
        return signal.firwin(spec["numtaps"], spec["cutoff"])
    return firwin_twice


def test_design_cache_gives_the_same_bits_and_designs_once(tmp_path, monkeypatch):
    from scipy import signal
    from fxsim import coefs
    monkeypatch.delenv("FXSIM_DESIGN_CACHE", raising=False)    # the default place
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []
    designer = _counting_designer(calls)
    spec = {"numtaps": 33, "cutoff": 0.3}
    first = coefs.designed(designer, spec, "stage[0].design")
    again = coefs.designed(designer, dict(spec), "stage[0].design")
    assert len(calls) == 1 and len(list((tmp_path / "fxsim" / "designs").glob("*.npy"))) == 1
    want = signal.firwin(33, 0.3)
    assert first.tobytes() == want.tobytes() and again.tobytes() == want.tobytes()
    coefs.designed(designer, {"numtaps": 33, "cutoff": 0.31}, "f")      # another spec: designed
    assert len(calls) == 2


def test_design_cache_never_keeps_an_error_and_survives_no_cache(tmp_path, monkeypatch):
    from fxsim import coefs
    calls = []
    designer = _counting_designer(calls)
    monkeypatch.setenv("FXSIM_DESIGN_CACHE", str(tmp_path / "designs"))
    for _ in range(2):
        with pytest.raises(FxsimError, match="numtaps must be >= 1"):
            coefs.designed(designer, {"numtaps": 0, "cutoff": 0.3}, "stage[0].design")
    assert len(calls) == 2 and not list(tmp_path.rglob("*.npy"))
    blocker = tmp_path / "file"                  # a cache that cannot be a directory
    blocker.write_text("x")
    monkeypatch.setenv("FXSIM_DESIGN_CACHE", str(blocker / "designs"))
    assert coefs.designed(designer, {"numtaps": 5, "cutoff": 0.3}, "f").size == 5
    assert not list(tmp_path.rglob("*.tmp"))


def test_design_cache_is_bounded(tmp_path, monkeypatch):
    from fxsim import coefs
    monkeypatch.setenv("FXSIM_DESIGN_CACHE", str(tmp_path))
    monkeypatch.setattr(coefs, "DESIGN_CACHE_ENTRIES", 3)
    left = tmp_path / "killed.tmp"               # what a killed run left, an hour ago
    left.write_bytes(b"")
    os.utime(left, (time.time() - 4000, time.time() - 4000))
    designer = _counting_designer([])
    for k in range(6):
        coefs.designed(designer, {"numtaps": 9 + k, "cutoff": 0.3}, "f")
    assert len(list(tmp_path.glob("*.npy"))) == 3 and not left.exists()


def test_design_cache_key_follows_the_designers_source(tmp_path, monkeypatch):
    """An edit of the designer's module designs again (the version string alone would not)."""
    from fxsim import coefs
    monkeypatch.setenv("FXSIM_DESIGN_CACHE", str(tmp_path))
    calls = []
    designer = _counting_designer(calls)
    coefs.designed(designer, {"numtaps": 7, "cutoff": 0.3}, "f")
    real = Path.read_bytes

    def edited(p):                                # this module, as if edited since
        return real(p) + (b"# edited" if p.name == Path(__file__).name else b"")
    monkeypatch.setattr(Path, "read_bytes", edited)
    coefs.designed(designer, {"numtaps": 7, "cutoff": 0.3}, "f")
    assert len(calls) == 2
