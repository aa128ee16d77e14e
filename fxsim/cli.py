"""The ``fxsim`` command line: quantize, codegen, verify, propose (docs/cli.md).

User errors (FxsimError) print one line, ``fxsim: error: ...``, and exit with status 2.
"""
from __future__ import annotations

import contextlib
import functools
import json
import sys

import click

from .errors import FxsimError


def _first_run(design=None):
    """Once per installation, before the model first runs: say that numba compiles, and warm the
    common kernels (fxsim.warmup); name the design's kernels that compile on their first use."""
    from .warmup import first_run_notice
    first_run_notice(lambda s: click.echo(s, err=True), design)


def _user_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except FxsimError as e:
            msg = str(e).strip().replace("\n", " | ")
        except OSError as e:                   # a file the user named cannot be read or written
            msg = f"{e.filename or ''}: {e.strerror or e}".lstrip(": ")
        else:
            return None
        click.echo(f"fxsim: error: {msg}", err=True)
        sys.exit(2)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fxsim")
def main():
    """fxsim: fixed-point DSP models, quantization reports and bit-exact C."""


INPUT_HELP = ("A sound file libsndfile reads (WAV 8/16/24/32-bit PCM or float, FLAC, AIFF, ...) "
              "at the design's rate, or a 1-D .npy (float in [-1, 1), int16 or complex).")


def input_options(fn):
    """--channel, --resample, --start and --duration, for every command that reads an input
    file; the command receives ``channel``, ``resample`` and ``span`` = (start, duration)."""
    @functools.wraps(fn)
    def wrapper(*args, start, duration, **kwargs):
        return fn(*args, span=(start, duration), **kwargs)
    wrapper = click.option("--duration", type=click.FloatRange(min=0, min_open=True),
                           metavar="S", help="Read only S seconds of the input.")(wrapper)
    wrapper = click.option("--start", type=click.FloatRange(min=0), default=0.0, metavar="S",
                           help="Skip the input's first S seconds.")(wrapper)
    wrapper = click.option("--resample", is_flag=True,
                           help="Convert a file at another rate to the design's (polyphase, as "
                                "scipy.signal.resample_poly); without it a rate mismatch is an "
                                "error.")(wrapper)
    return click.option("--channel", type=click.IntRange(min=1), metavar="N",
                        help="The channel to read (1-based) of a multi-channel file.")(wrapper)


def parallel_options(fn):
    """--jobs and --cluster, for every command that runs many simulations."""
    fn = click.option("--cluster", metavar="ADDRESS",
                      help="Run the simulations on an existing Dask cluster (its scheduler's "
                           "address, e.g. tcp://10.0.0.5:8786); the input file must be readable "
                           "at the same path on the workers.")(fn)
    return click.option("--jobs", type=int, metavar="N",
                        help="Worker processes for the simulations (-1: all cores; default: all "
                             f"cores for inputs of {PARALLEL_MIN_SECONDS:g} s or more, else 1: "
                             "starting workers costs seconds).")(fn)


#: inputs shorter than this (seconds) run their simulations in this process unless --jobs says
#: otherwise: a worker's start (imports, the numba cache) costs more than it saves on them
PARALLEL_MIN_SECONDS = 30.0


def _jobs(jobs, f, rate: int) -> int:
    """--jobs, or its default for the input file ``f`` (an audio.InputFile)."""
    if jobs is not None:
        if jobs == 0 or jobs < -1:
            raise FxsimError(f"--jobs: {jobs}; allowed: a positive number of processes, or -1 "
                             f"for all cores")
        return jobs
    seconds = f.frames / (f.rate or rate)
    return -1 if seconds >= PARALLEL_MIN_SECONDS else 1


@main.command()
@click.argument("design_file", metavar="DESIGN")
@click.option("--input", "input_file", required=True, metavar="FILE", help=INPUT_HELP)
@input_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--plot", "plot_file", metavar="PNG",
              help="Write the pictures (matplotlib; .png, .svg or .pdf): SNR per stage, error, "
                   "filter responses, output and error spectra per stage, the sweep.")
@click.option("--html", "html_file", metavar="HTML",
              help="Write a self-contained HTML report (tables and pictures inline).")
@click.option("--sweep", "sweep_words", metavar="LO:HI",
              help="Also measure SNR per stage against the data word length of every stage, "
                   "e.g. 12:32 (each stage keeps its integer bits).")
@parallel_options
@_user_errors
def quantize(design_file, input_file, channel, resample, span, as_json, plot_file, html_file,
             sweep_words, jobs, cluster):
    """Measure what quantization costs, stage by stage, against float64."""
    from . import audio, design as D
    from .analysis import report

    des = D.load(design_file)
    pictures = bool(plot_file or html_file)
    if (jobs is not None or cluster) and not sweep_words:
        raise FxsimError("--jobs and --cluster run the simulations of --sweep: give --sweep")
    words = None
    if sweep_words:
        from .analysis.sweep import parse_words
        words = parse_words(sweep_words)
    if pictures:
        from .analysis import pictures as P
        P._pyplot()                              # matplotlib missing: say so before any work
    # streamed: the file is read, run and measured a block at a time (flat memory)
    f = audio.InputFile(input_file, des.sample_rate, channel, resample, report.BLOCK, span)
    jobs = _jobs(jobs, f, des.sample_rate)
    _first_run(des)                              # after every check: errors come first
    total = f.frames if f.resampler is None else int(f.frames * f.resampler.ratio)
    with _progress(total, des.sample_rate, "quantize", not as_json) as progress:
        rep = report.quantize_report(des, f.blocks(), progress=progress, source=input_file,
                                     spectra=pictures)
    sweep = None
    if words:
        from .analysis.sweep import Source, word_sweep
        sweep = word_sweep(des, Source(input_file, channel, resample, span), words, jobs,
                           cluster)
    if pictures:
        P.write(P.figure(rep, des, sweep), plot_file,
                lambda png: P.html_page(rep, des, png, sweep, input_file), html_file)
    out = {k: v for k, v in rep.items() if not k.startswith("_")}
    if as_json:
        out["stages"] = [{k: s[k] for k in ("index", "kernel", "snr_db", "max_err_lsb",
                                              "saturations", "min", "max", "headroom_bits",
                                              "format", "port")}
                         | s["extra"] for s in out["stages"]]
        if sweep:
            out["sweep"] = sweep
        click.echo(json.dumps(out))
    else:
        click.echo(report.format_table(rep))
        if sweep:
            click.echo(format_sweep(sweep))


def format_sweep(sweep: dict) -> str:
    """The word-length sweep as a text table."""
    also = "; the design input's too, which the first stage follows" if sweep.get("input_word") else ""
    lines = [f"SNR (dB) per stage with every stage's data in a word of `bits` (integer bits as "
             f"designed{also}):", f"{'bits':>4} " + " ".join(f"{s:>13}" for s in sweep["stages"])]
    for w, row, err in zip(sweep["words"], sweep["snr_db"], sweep["errors"]):
        lines.append(f"{w:>4} " + (" ".join(f"{v:>13.2f}" for v in row) if row
                                   else f"refused: {err}"))
    return "\n".join(lines)


#: inputs shorter than this (seconds) run without a progress bar
PROGRESS_MIN_SECONDS = 5.0


@contextlib.contextmanager
def _progress(total: int, rate: int, label: str, wanted: bool):
    """A progress bar on stderr for a long input, as a callback of the samples done; nothing
    when not wanted (--json), when stderr is not a terminal, or for a short input."""
    if not wanted or not sys.stderr.isatty() or total < PROGRESS_MIN_SECONDS * rate:
        yield None
        return
    with click.progressbar(length=total, label=f"{label}: {total / rate:.0f} s of audio",
                           file=sys.stderr, show_eta=True) as bar:
        done = [0]

        def update(samples):
            bar.update(samples - done[0])
            done[0] = samples
        yield update


TARGET_HELP = ("host (portable C99, run here; alias c99) | cortex-m4 (QEMU) | "
               "riscv32 (RV32IMC, QEMU)")


@main.command()
@click.argument("design_file", metavar="DESIGN")
@click.option("--input", "input_file", required=True, metavar="FILE", help=INPUT_HELP)
@input_options
@click.option("-o", "--output", "output_file", required=True, metavar="OUT",
              help="OUT.wav (a real stream, 16-bit PCM) or OUT.npy (float64 / complex128).")
@click.option("--reference", is_flag=True, help="Run the float64 reference, not the fixed-point model.")
@click.option("--frames", "frames_file", metavar="CSV",
              help="Write the last stage's per-frame outputs, one row per frame.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@_user_errors
def run(design_file, input_file, channel, resample, span, output_file, reference, frames_file, as_json):
    """Run DESIGN on a recording, block by block, and write its output samples."""
    from . import runner
    from .audio import check_input_path
    from .design import load
    des = load(design_file)
    check_input_path(input_file)                 # a missing input is said before any compiling
    _first_run(des)
    res = runner.run(des, input_file, output_file, reference, frames_file,
                     channel=channel, resample=resample, span=span)
    if as_json:
        click.echo(json.dumps(res))
        return
    what = "float reference" if reference else "fixed-point model"
    frames = f", {res['frames']} frames -> {frames_file}" if frames_file else ""
    click.echo(f"design {res['design']} ({what}): {res['samples_in']} samples in, "
               f"{res['samples_out']} out -> {output_file} at {res['output_rate']:g} Hz{frames}, "
               f"saturations per stage {res['saturations']}")


@main.command()
@click.argument("design_file", metavar="DESIGN")
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR")
@click.option("--target", default="host", show_default=True, help=TARGET_HELP)
@click.option("--unroll", default=4, show_default=True, type=int, help="Inner-loop unroll factor.")
@_user_errors
def codegen(design_file, out_dir, target, unroll):
    """Write DIR/<name>.h, DIR/<name>.c and the runtime files they include."""
    from fxsim.codegen import render

    from . import design as D

    for p in render.write(D.load(design_file), out_dir, target, unroll):
        click.echo(str(p))


def _load_named(D, path, several: bool):
    """D.load(path); with several designs on the command line an error names the file first."""
    try:
        return D.load(path)
    except FxsimError as e:
        if not several:
            raise
        raise type(e)(f"{path}: {e}") from None


SNR_NOTE = ("300.00 dB: the output equals the float reference exactly (no error to measure). "
            "bound: the SNR that rounding to the output's LSB alone would give that signal. "
            "Signals marked - are checked bit for bit but not gated on SNR.")


def _print_verify(res, des, count):
    click.echo(f"{'signal':<22} {'samples':>8} {'mismatch':>8} {'SNR dB':>8} {'bound':>8} "
               f"{'gate':>4}  saturations per stage")
    for s in res["signals"]:
        sats = " ".join(map(str, s["saturations"])) + \
            (f" (+{s['input_saturations']} in the input)" if s["input_saturations"] else "")
        click.echo(f"{s['signal']:<22} {s['samples']:>8} {s['mismatches']:>8} "
                   f"{s['snr_db']:>8.2f} {s['snr_bound_db']:>8.2f} "
                   f"{('yes' if s['gated'] else '-'):>4}  {sats}")
    for s in res["signals"]:
        for note in s["notes"]:
            click.echo(f"note: {note}")
    click.echo(SNR_NOTE)
    for f in res["failures"]:
        click.echo(f"FAILED: {f}")
    verdict = "PASSED" if res["passed"] else "FAILED"
    click.echo(f"{verdict}: {des.name} on {res['target']}: bit-exact {res['bit_exact']} "
               f"({res['mismatches']} mismatches in {res['samples']} samples), lowest gated SNR "
               f"{res['snr_db']:.2f} dB (min {res['min_snr_db']:g})")
    if count:
        parts = [f"{res['instructions_per_call']} instructions per {des.block}-sample call"]
        for key, label in (("text_bytes", "bytes of code"), ("table_bytes", "bytes of tables"),
                           ("ram_bytes", "bytes of RAM")):
            if key in res:
                parts.append(f"{res[key]} {label}")
        click.echo("cost: " + ", ".join(parts))


@main.command()
@click.argument("design_files", metavar="DESIGN...", nargs=-1, required=True)
@click.option("--input", "input_file", metavar="FILE",
              help="Default: the built-in signal set. " + INPUT_HELP)
@input_options
@click.option("--target", "targets", multiple=True, default=("host",), show_default=True,
              help=TARGET_HELP + "; repeat it for several.")
@click.option("--min-snr", default=60.0, show_default=True, type=float)
@click.option("--unroll", default=4, show_default=True, type=int)
@click.option("--per-stage", is_flag=True, help="Compare every stage's ports, not only the last's.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object (a list of them for several designs or targets).")
@click.option("--junit", "junit_file", metavar="XML",
              help="Also write JUnit XML: a test case per design x target x signal.")
@click.option("--count", is_flag=True,
              help="Also count instructions per call (callgrind on host, QEMU on cortex-m4 and "
                   "riscv32) and report code, table and RAM bytes.")
@_user_errors
def verify(design_files, input_file, channel, resample, span, targets, min_snr, unroll, per_stage,
           as_json, junit_file, count):
    """Generate, compile and run the C; check it bit for bit against the model and its SNR
    against float64 per signal, for each DESIGN on each target. Exit 0 all passed, 1 a check
    failed, 2 a user error."""
    import math
    import time
    from pathlib import Path

    from fxsim.codegen import verify as V

    from . import audio, design as D
    from .signals import builtin_signal_set, signal_length

    if not math.isfinite(min_snr):
        raise FxsimError(f"--min-snr: {min_snr}; allowed: a finite number of dB")
    if not input_file and (span != (0.0, None) or channel or resample):
        raise FxsimError("--channel, --resample, --start and --duration need --input")
    if junit_file and Path(junit_file).is_dir():
        raise FxsimError(f"--junit {junit_file!r} is a directory; give a file name")
    designs = [_load_named(D, f, len(design_files) > 1) for f in design_files]  # all before any run
    runs, seconds = [], {}
    for des in designs:
        if input_file:       # a user's input: streamed in segments (errors before any run)
            f = audio.InputFile(input_file, des.sample_rate, channel, resample, span=span)
            segment = int(V.SEGMENT_SECONDS * (f.rate or des.sample_rate))   # in file samples
        else:
            signals = builtin_signal_set(des.sample_rate, signal_length(des),
                                         complex_=des.in_port.complex)
        _first_run(des)                               # (once per installation)
        for target in targets:
            t0 = time.perf_counter()
            if input_file:
                segments = audio.InputFile(input_file, des.sample_rate, channel, resample,
                                           segment, span).blocks()
                res = V.verify_stream(des, input_file, segments, target, min_snr, unroll,
                                      per_stage=per_stage)
            else:
                res = V.verify(des, signals, target, min_snr, unroll, per_stage=per_stage)
            if count:
                res.update(V.cost(des, target, unroll))
            seconds[(res["design"], res["target"])] = time.perf_counter() - t0
            runs.append(res)
            if not as_json:
                _print_verify(res, des, count)
    if junit_file:
        Path(junit_file).parent.mkdir(parents=True, exist_ok=True)
        Path(junit_file).write_text(V.junit_xml(runs, seconds))
    if as_json:
        click.echo(json.dumps(runs[0] if len(runs) == 1 else runs))
    sys.exit(0 if all(r["passed"] for r in runs) else 1)


#: seconds of the input on which propose verifies its design before writing it
PROPOSE_VERIFY_SECONDS = 30


@main.command()
@click.argument("design_file", metavar="DESIGN")
@click.option("--input", "input_file", required=True, metavar="FILE", help=INPUT_HELP)
@input_options
@click.option("--target-snr", required=True, type=float, metavar="DB")
@click.option("-o", "--output", "out_file", required=True, metavar="NEW_DESIGN")
@click.option("--target", default=None, metavar="TARGET",
              help="Verify the proposal on this target (default host) and break ties between "
                   "equally cheap designs by its instruction counts. " + TARGET_HELP)
@click.option("--headroom-db", default=3.0, show_default=True, type=float, metavar="DB",
              help="Margin above each stage's measured peak, for unseen signals of the kind.")
@click.option("--snr-margin", default=1.0, show_default=True, type=float, metavar="DB",
              help="Reach --target-snr plus this on the input.")
@click.option("--force", is_flag=True, help="Replace NEW_DESIGN if it exists.")
@parallel_options
@click.option("--json", "as_json", is_flag=True)
@_user_errors
def propose(design_file, input_file, channel, resample, span, target_snr, out_file, target,
            headroom_db, snr_margin, force, jobs, cluster, as_json):
    """Search formats, accumulators, coefficient words and FFT scaling for the cheapest design
    that reaches --target-snr on FILE without saturating; verify it; write NEW_DESIGN."""
    import math
    from pathlib import Path

    from fxsim.codegen import verify as V

    from . import audio, design as D
    from .analysis import report
    from .analysis.propose import propose as run_propose, rebase_files
    from .analysis.sweep import Source

    for name, v in (("--target-snr", target_snr), ("--headroom-db", headroom_db),
                    ("--snr-margin", snr_margin)):
        if not math.isfinite(v) or (name != "--target-snr" and v < 0):
            raise FxsimError(f"{name}: {v}; allowed: a finite number of dB"
                             + (" >= 0" if name != "--target-snr" else ""))
    out = Path(out_file)
    if out.is_dir():
        raise FxsimError(f"-o {out_file!r} is a directory; give a file name")
    if out.exists() and not force:
        raise FxsimError(f"-o {out_file!r} exists; give --force to replace it")
    des = D.load(design_file)
    f = audio.InputFile(input_file, des.sample_rate, channel, resample, span=span)  # errors first
    _first_run(des)
    jobs = _jobs(jobs, f, des.sample_rate)
    if target is not None:
        from fxsim.codegen import targets as T
        tgt = T.get(target)
        if tgt.emulated:
            tgt.module().require()             # a missing toolchain is said before the search
    counter = None
    if target is not None:
        def counter(doc):
            return V.cost(D.from_dict(doc, des.path), target, 4)["instructions_per_call"]
    doc, rep, reasons = run_propose(des, Source(input_file, channel, resample, span), target_snr,
                                    headroom_db, snr_margin, jobs, cluster, counter)
    # the proposal passes the gate (bit-exact, SNR >= the target) on the input before it is written
    new = D.from_dict(doc, des.path)
    f = audio.InputFile(input_file, des.sample_rate, channel, resample,
                        PROPOSE_VERIFY_SECONDS * (f.rate or des.sample_rate), span)
    x = next(iter(f.blocks()))
    res = V.verify(new, {input_file: x}, target or "host", target_snr, 4)
    if not res["passed"]:
        click.echo(f"fxsim: the proposal failed verify on {res['target']}: "
                   f"{'; '.join(res['failures'])}; {out_file} not written", err=True)
        sys.exit(1)
    rebase_files(doc, Path(design_file).resolve().parent, out.resolve().parent)
    header = (f"# proposed by fxsim propose from {Path(design_file).name} for {target_snr:g} dB "
              f"on {Path(input_file).name}: measured {rep['snr_db']:.2f} dB\n")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(header + "".join(f"# {r}\n" for r in reasons) + D.to_toml(doc))
    except OSError as e:
        raise FxsimError(f"-o {out_file!r}: cannot write ({e.strerror})") from None
    verified = (f"verified on {res['target']}: bit-exact on {res['samples']} samples, "
                f"SNR {res['snr_db']:.2f} dB")
    if as_json:
        click.echo(json.dumps({"design": des.name, "snr_db": rep["snr_db"],
                               "formats": [s["format"] for s in rep["stages"]],
                               "stages": [{k: v for k, v in spec.items()
                                           if k in ("kernel", "data", "coef", "acc_bits", "scaling")}
                                          for spec in doc["stage"]],
                               "reasons": reasons, "verified": res["passed"],
                               "verify_snr_db": res["snr_db"], "output": out_file}))
    else:
        click.echo(report.format_table(rep))
        for r in reasons:
            click.echo(r)
        click.echo(verified)
        click.echo(f"wrote {out_file}")


if __name__ == "__main__":
    main()
