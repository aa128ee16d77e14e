"""``fxsim verify``: the gate. Generate a design's C, compile it with the harness for a target,
run signals through it and through the model, and check (on those signals: a check, not a proof)

* bit-exactness: every output sample, block exponent, side output and per-stage saturation count
  of the C equals the model's, on every signal; the first mismatch is reported with its signal,
  stage, port, index, model value and C value;
* precision: per signal (never pooled) the SNR of the model's output against the float64 reference
  of the design as written. With overflow = "saturate" each stage's reference is clipped to that
  stage's output range, so saturation is reported apart from precision (where it happened, and the
  format that would have held the signal); with overflow = "error" any saturation fails the check,
  naming stage and signal. The SNR gate (>= min_snr) applies to the gated signals: the built-in
  signals at nominal level and a user's input. Quieter built-in signals, whose SNR the output LSB
  bounds, are reported with that bound beside them.

An SNR of 300 dB (``SNR_CAP``) means the output equals the reference exactly: there is no error to
measure.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from fxsim.analysis.metrics import (SNR_CAP, energy_bound_db, energy_snr_db, lsb_noise)
from fxsim.analysis.report import input_ints
from fxsim.design import Design
from fxsim.ports import Chunk
from fxsim.qformat import dequantize

from . import build, targets

#: target names verify accepts (the same set as codegen)
TARGETS = targets.NAMES
#: a built-in signal at nominal level is gated on SNR unless the SNR its output's LSB allows (its
#: bound) is less than min_snr + this margin (a narrowband filter leaves little of a 997 Hz sine):
#: then no design could reliably reach the minimum on it, and it is reported with its bound
BOUND_MARGIN_DB = 10.0
#: the built-in signal that is always gated
NOMINAL = "noise -10 dBFS"


class CRun(NamedTuple):
    """What the compiled harness gave for one signal: per stage index the output chunk (only the
    last stage unless every stage was asked for), per-stage saturation counts, RAM bytes."""
    chunks: dict
    saturations: list
    ram_bytes: int


def _parse_stdout(stdout: str) -> tuple[list[int], int]:
    sats, ram = [], 0
    for line in stdout.splitlines():
        if line.startswith("saturations"):
            sats = [int(v) for v in line.split()[1:]]
        elif line.startswith("ram_bytes"):
            ram = int(line.split()[1])
    return sats, ram


def run_c(b: build.Build, design: Design, x_int, all_stages: bool = False) -> CRun:
    """Stream int words of the design's input port through the compiled harness."""
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "in.raw").write_bytes(np.asarray(x_int).astype(design.in_port.dtype).tobytes())
        args = ["run", "in.raw", "out", int(all_stages)]
        stdout, _ = build.run_program(b, args, cwd=tmp)
        chunks = {}
        stages = design.stages if all_stages else design.stages[-1:]
        for st in stages:
            port = st.out_port

            def read(name, dtype):
                return np.fromfile(Path(tmp, f"out{st.index}.{name}"), dtype=dtype).astype(np.int64)
            side = read("side", np.int32).reshape(-1, len(port.side)) if port.side else None
            chunks[st.index] = Chunk(read("data", port.dtype),
                                     read("exp", np.int16) if port.block_exp else None,
                                     {s.name: side[:, i] for i, s in enumerate(port.side)})
    sats, ram = _parse_stdout(stdout)
    return CRun(chunks, sats, ram)


def compile_for(design: Design, target: str = "host", unroll: int = 4, opt: str = "-O2",
                extra_flags=()):
    """Build the harness for ``target``; returns run(x_int, all_stages=False) -> CRun."""
    b = build.build_design(design, target, unroll, opt, extra_flags)
    return lambda x, all_stages=False: run_c(b, design, x, all_stages)


def outputs(design: Design, x_int, target: str = "host", unroll: int = 4, opt: str = "-O2",
            extra_flags=()) -> tuple[np.ndarray, list[int]]:
    """The generated C's output words (last stage) and per-stage saturation counts on ``x_int``."""
    c = compile_for(design, target, unroll, opt, extra_flags)(x_int)
    return c.chunks[design.stages[-1].index].data, c.saturations


def cost(design: Design, target: str = "host", unroll: int = 4, opt: str = "-O2",
         extra_flags=(), level_div: int = 4) -> dict:
    """Instructions per call of <name>_process (callgrind on the host, QEMU on an emulated
    target) on noise at full scale / ``level_div``, the code and constant-table bytes of the
    design's object file, and the RAM its state takes."""
    from . import measure
    out = {"instructions_per_call": measure.instructions_per_call(design, target, unroll, opt,
                                                                   extra_flags, level_div)}
    # sizes of the firmware build (no test hook); RAM as the harness reports sizeof(state)
    firmware = build.build_design(design, target, unroll, opt, extra_flags, tap=False)
    out.update(build.section_sizes(firmware.obj, firmware.target))
    b = build.build_design(design, target, unroll, opt, extra_flags)
    out["ram_bytes"] = run_c(b, design, np.zeros(design.block * design.in_port.words,
                                                 dtype=np.int64)).ram_bytes
    return out


def _first_mismatch(model: np.ndarray, c: np.ndarray) -> tuple[int, int | None]:
    """(number of mismatching words, index of the first) of two int arrays."""
    n = min(len(model), len(c))
    bad = np.flatnonzero(model[:n] != c[:n])
    count = int(bad.size) + abs(len(model) - len(c))
    if count == 0:
        return 0, None
    return count, int(bad[0]) if bad.size else n


def compare(design: Design, model: list[Chunk], model_sats: list[int], c: CRun) -> tuple[int, list]:
    """Mismatches between the model's chunks and the C's, port by port, for the stages the C
    wrote. Returns (total mismatching values, a list of the first mismatch of each bad port)."""
    total, found = 0, []
    for idx, cc in c.chunks.items():
        st, mc = design.stages[idx], model[idx]
        port = st.out_port
        ports = [("data", mc.data, cc.data, port.words)]
        if port.block_exp:
            ports.append(("exp", mc.exp, cc.exp, 1))
        ports += [(s.name, mc.side[s.name], cc.side[s.name], 1) for s in port.side]
        for name, m, cv, words in ports:
            count, i = _first_mismatch(m, cv)
            if count:
                total += count
                part = "" if words == 1 else (" (re)", " (im)")[i % 2]
                found.append({"stage": idx, "kernel": st.kernel, "port": name,
                              "index": i // words, "part": part.strip(" ()"),
                              "model": int(m[i]) if i < len(m) else None,
                              "c": int(cv[i]) if i < len(cv) else None})
    for idx, (ms, cs) in enumerate(zip(model_sats, c.saturations)):
        if ms != cs:
            total += 1
            found.append({"stage": idx, "kernel": design.stages[idx].kernel, "port": "saturations",
                          "index": 0, "part": "", "model": ms, "c": cs})
    return total, found


def describe_mismatch(signal: str, design: Design, m: dict) -> str:
    where = design.stages[m["stage"]].where
    if m["port"] == "saturations":
        return (f"{where} on {signal!r}: saturation count model {m['model']}, C {m['c']}")
    part = f" {m['part']}" if m["part"] else ""
    what = "sample" if m["port"] == "data" else f"frame ({m['port']})"
    return (f"{where} on {signal!r}: {what} {m['index']}{part}: model {m['model']}, "
            f"C {m['c']}")


def builtin_name(name: str) -> bool:
    from fxsim.signals import builtin_signals
    return name in builtin_signals(n=16)


def output_lsb(design: Design, chunk: Chunk, index: int = -1):
    """The LSB of every output word of stage ``index``: the format's, times 2^exp of its frame
    for block floating point."""
    port = design.stages[index].out_port
    if not port.block_exp or chunk.exp is None:
        return np.full(len(chunk.data), port.fmt.lsb)
    per = np.ldexp(port.fmt.lsb, chunk.exp.astype(np.int64))
    return np.repeat(per, port.frame * port.words)[: len(chunk.data)]


def check_signal(design: Design, run, name: str, x_float, gated: bool, all_stages: bool,
                 energies: dict | None = None) -> dict:
    """Model and C on one signal; the record of the signal in verify's result. ``energies``, if
    given, receives per checkpoint the energies of reference, error and LSB noise (a streamed
    input's segments pool them)."""
    x_int, input_sats = input_ints(design, x_float, return_count=True)
    model, sats = design.run(x_int, strict=False)
    try:
        c = run(x_int, all_stages)
    except build.BuildError as e:            # it compiled, but crashed or wrote past its output
        return {"signal": name, "samples": 0, "mismatches": 1, "first_mismatch": None,
                "snr_db": -SNR_CAP, "snr_bound_db": -SNR_CAP, "snr_stage": len(design.stages) - 1,
                "gated": gated,
                "input_saturations": int(input_sats), "saturations": sats, "c_saturations": [],
                "ram_bytes": 0, "notes": [],
                "failures": [f"run: the generated C failed on {name!r}: "
                             f"{str(e).splitlines()[0][:300]}"]}
    n_bad, mismatches = compare(design, model, sats, c)
    x_ref = dequantize(x_int, design.in_fmt)
    values = [design.values(c, i) for i, c in enumerate(model)]
    _, refs = design.reference(x_ref, trace=True, clip=True, model=values)
    # precision at every checkpoint: the last stage's output and the input of each stage that
    # decides (its reference runs on the model's input of it); the record keeps the lowest
    points, energies = [], {} if energies is None else energies
    for i in design.checkpoints():
        lat = design.latencies()[i] * design.stages[i].out_port.words
        fixed = values[i][lat:]
        ref = np.asarray(refs[i])[: len(fixed)]
        fixed = fixed[: len(ref)]
        err = ref - fixed
        # energies of reference, error and LSB noise: a streamed input's segments pool them
        energies[i] = (float(np.dot(ref, ref)), float(np.dot(err, err)),
                       lsb_noise(ref, output_lsb(design, model[i], i)[lat:][: len(ref)]))
        points.append((energy_snr_db(energies[i][0], energies[i][1]),
                       energy_bound_db(energies[i][0], energies[i][2]), i))
    snr, bound, at = min(points)          # apply_gate chooses among the gated ones
    if not builtin_name(name) and len(x_int) and not len(model[-1].data):
        raise design.no_output(name, len(x_int) // design.in_port.words)
    rec = {"signal": name, "samples": len(model[-1].data) // design.out_port.words,
           "mismatches": n_bad, "first_mismatch": mismatches[0] if mismatches else None,
           "snr_db": round(snr, 2), "snr_bound_db": round(bound, 2), "snr_stage": at,
           "gated": gated, "input_saturations": int(input_sats), "saturations": sats,
           "c_saturations": c.saturations, "ram_bytes": c.ram_bytes, "failures": [],
           "notes": [], "checkpoints": [{"stage": i, "snr_db": round(s, 2),
                                         "snr_bound_db": round(b, 2)} for s, b, i in points]}
    for m in mismatches:
        rec["failures"].append("mismatch: " + describe_mismatch(name, design, m))
    if any(sats):
        _, raw = design.reference(x_ref, trace=True, clip=False)
        for st, count, r in zip(design.stages, sats, raw):
            if not count:
                continue
            peak = float(np.max(np.abs(r))) if len(r) else 0.0
            hold = st.saturation_hint(peak)
            hint = f"; {hold}" if hold else ""
            if st.overflow_name == "error":
                rec["failures"].append(f"saturation: {st.where} on {name!r}: {count} value(s) "
                                       f"out of range of {st.out_fmt} and overflow = \"error\""
                                       f"{hint}")
            else:
                verb = "wrapped" if st.overflow_name == "wrap" else "saturated"
                rec["notes"].append(f"{st.where} {verb} {count} time(s) on {name!r} (reference "
                                    f"peak {peak:.6g}, range of {st.out_fmt}){hint}")
    return rec


def apply_gate(design: Design, recs: list, min_snr: float, builtin: bool) -> None:
    """The SNR gate on the gated signals, checkpoint by checkpoint (``Design.checkpoints``):
    each is gated unless it is too quiet (built-in signals), and fails below ``min_snr``; the
    record then shows its lowest gated checkpoint. Marks each record passed or not."""
    last = len(design.stages) - 1
    for r in recs:
        points = r.get("checkpoints") or [{"stage": r.get("snr_stage", last),
                                           "snr_db": r["snr_db"],
                                           "snr_bound_db": r["snr_bound_db"]}]
        gated = []
        for p in points if r["gated"] else []:
            st = design.stages[p["stage"]]
            if builtin and r["signal"] != NOMINAL and \
                    p["snr_bound_db"] < min_snr + BOUND_MARGIN_DB:
                where = "" if p["stage"] == last else f" at {st.where}"
                r["notes"].append(f"{r['signal']!r} is not gated: its output{where} is too quiet "
                                  f"for {st.out_port.fmt} (LSB bound {p['snr_bound_db']:.2f} dB < "
                                  f"{min_snr:g} + {BOUND_MARGIN_DB:g} dB)")
                continue
            gated.append(p)
            if p["snr_db"] < min_snr:
                r["failures"].append(f"precision: {st.where} output on {r['signal']!r}: SNR "
                                     f"{p['snr_db']:.2f} dB < {min_snr:g} dB")
        if r["gated"]:
            r["gated"] = bool(gated)
            if gated:
                low = min(gated, key=lambda p: p["snr_db"])
                r["snr_db"], r["snr_bound_db"] = low["snr_db"], low["snr_bound_db"]
                r["snr_stage"] = low["stage"]
        r["passed"] = not r["failures"]


def verify(design: Design, signals, target: str = "host", min_snr: float = 60.0,
           unroll: int = 4, opt: str = "-O2", extra_flags=(), per_stage: bool = False) -> dict:
    """Check the design on ``signals``: a dict name -> float samples (a user's signals, all
    gated) or the built-in set as a list of (name, samples, gated). Returns verify's result (the
    JSON of ``fxsim verify --json``)."""
    builtin = not isinstance(signals, dict)
    if not builtin:
        signals = [(k, v, True) for k, v in signals.items()]
    run = compile_for(design, target, unroll, opt, extra_flags)
    recs = [check_signal(design, run, name, x, gated, per_stage) for name, x, gated in signals]
    apply_gate(design, recs, min_snr, builtin)
    return _result(design, target, recs, min_snr)


#: a user's input is verified in segments of this many seconds (flat memory on any length)
SEGMENT_SECONDS = 60
#: notes kept per streamed input (the rest are counted)
MAX_NOTES = 8


def verify_stream(design: Design, name: str, blocks, target: str = "host", min_snr: float = 60.0,
                  unroll: int = 4, opt: str = "-O2", extra_flags=(),
                  per_stage: bool = False) -> dict:
    """``verify`` of a user's input given as float blocks (``audio.InputFile.blocks``), one
    segment each (``SEGMENT_SECONDS``; a last block shorter than half of the one before joins
    it): every segment runs through the model and the C from their initial states and is checked
    bit for bit on its own, so memory stays flat on any length. The signal's SNR pools the
    segments' energies (the SNR of the whole input, as one signal, never split), and it is gated
    once; mismatches and saturations are summed, each mismatch names its segment."""
    run = compile_for(design, target, unroll, opt, extra_flags)
    recs, energies, t0 = [], [], 0.0
    for x in _join_short_tail(blocks):
        t1 = t0 + len(x) / design.sample_rate
        energies.append({})
        recs.append(check_signal(design, run, f"{name} [{round(t0, 3):g} s, {round(t1, 3):g} s)",
                                 x, True, per_stage, energies[-1]))
        t0 = t1
    if not recs:
        raise design.no_output(name, 0)
    if len(recs) == 1:
        recs[0]["signal"] = name
        merged = recs[0]
    else:
        notes = [n for r in recs for n in r["notes"]]
        points = []
        measured = [e for e in energies if e]        # a segment whose C crashed has none
        for i in (measured[0] if measured else ()):
            ps, pe, noise = (sum(e[i][k] for e in measured) for k in range(3))
            points.append({"stage": i, "snr_db": round(energy_snr_db(ps, pe), 2),
                           "snr_bound_db": round(energy_bound_db(ps, noise), 2)})
        low = min(points, key=lambda p: p["snr_db"]) if points else \
            {"stage": len(design.stages) - 1, "snr_db": -SNR_CAP, "snr_bound_db": -SNR_CAP}
        first = next((dict(r["first_mismatch"], segment=r["signal"]) for r in recs
                      if r["first_mismatch"]), None)
        merged = {
            "signal": name, "segments": len(recs),
            "samples": sum(r["samples"] for r in recs),
            "mismatches": sum(r["mismatches"] for r in recs),
            "first_mismatch": first,
            "snr_db": low["snr_db"], "snr_bound_db": low["snr_bound_db"],
            "snr_stage": low["stage"], "gated": True,
            "input_saturations": sum(r["input_saturations"] for r in recs),
            "saturations": [sum(v) for v in zip(*(r["saturations"] for r in recs))],
            "c_saturations": [sum(v) for v in zip(*(r["c_saturations"] for r in recs))],
            "ram_bytes": recs[0]["ram_bytes"],
            "failures": [f for r in recs for f in r["failures"]],
            "notes": notes[:MAX_NOTES] + ([f"... {len(notes) - MAX_NOTES} more notes"]
                                          if len(notes) > MAX_NOTES else []),
            "checkpoints": points,
        }
    apply_gate(design, [merged], min_snr, False)
    return _result(design, target, [merged], min_snr)


def _join_short_tail(blocks):
    """The blocks, a last one shorter than half of the one before joined to it (a tail of a few
    samples would give no output, or an SNR of its own measured on almost nothing)."""
    held = None
    for b in blocks:
        if held is not None and len(b) < len(held) // 2:
            held = np.concatenate([held, b])
            continue
        if held is not None:
            yield held
        held = b
    if held is not None:
        yield held


def _result(design: Design, target: str, recs: list, min_snr: float) -> dict:
    mismatches = sum(r["mismatches"] for r in recs)
    gated = [r["snr_db"] for r in recs if r["gated"]]
    return {
        "design": design.name,
        "target": targets.get(target).name,
        "bit_exact": mismatches == 0,
        "mismatches": mismatches,
        "samples": sum(r["samples"] for r in recs),
        # the lowest SNR among the gated signals: the figure the gate decides on (never pooled)
        "snr_db": min(gated) if gated else SNR_CAP,
        "min_snr_db": float(min_snr),
        "passed": all(r["passed"] for r in recs),
        "failures": [f for r in recs for f in r["failures"]],
        "signals": recs,
    }


def junit_xml(runs, seconds: dict | None = None) -> str:
    """JUnit XML of verify results, for CI systems: one test suite per design x target, one test
    case per signal (classname design.target, name the signal), its failures (the first
    mismatching sample, an SNR shortfall, a saturation) as the failure's message and text. The
    signals not gated on SNR pass unless they mismatch. ``seconds``: per (design, target), the
    run's time, spread over its cases."""
    from xml.etree import ElementTree as ET
    top = ET.Element("testsuites", name="fxsim verify")
    total = failed = 0
    for res in runs:
        key = (res["design"], res["target"])
        cases = res["signals"]
        suite = ET.SubElement(top, "testsuite", name=f"{res['design']}.{res['target']}",
                              tests=str(len(cases)),
                              failures=str(sum(not c["passed"] for c in cases)),
                              errors="0", skipped="0")
        share = (seconds or {}).get(key, 0.0) / max(len(cases), 1)
        for c in cases:
            case = ET.SubElement(suite, "testcase", classname=f"{res['design']}.{res['target']}",
                                 name=str(c["signal"]), time=f"{share:.3f}")
            total += 1
            if not c["passed"]:
                failed += 1
                text = "\n".join(c["failures"]) or "failed"
                fail = ET.SubElement(case, "failure", message=c["failures"][0] if c["failures"]
                                     else "failed", type="fxsim.verify")
                fail.text = (f"{text}\nbit-exact mismatches: {c['mismatches']} of {c['samples']} "
                             f"samples; SNR {c['snr_db']:.2f} dB (min {res['min_snr_db']:g}, "
                             f"{'gated' if c['gated'] else 'not gated'})")
            else:
                out = ET.SubElement(case, "system-out")
                out.text = (f"bit-exact, {c['samples']} samples, SNR {c['snr_db']:.2f} dB"
                            f"{'' if c['gated'] else ' (not gated)'}")
    top.set("tests", str(total))
    top.set("failures", str(failed))
    ET.indent(top)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode") + "\n"
