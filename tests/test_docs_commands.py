"""Every command the documentation shows is run, so that README.md and docs/*.md cannot rot.

At collection time README.md and every docs/*.md are parsed for fenced code blocks marked ``sh``,
``bash``, ``shell`` or ``console`` (in ``console`` blocks only ``$ `` lines are commands), and
``text`` blocks holding ``$ `` lines (a transcript: read as a ``console`` block). A
command is a logical line: backslash continuations and quoted strings that span lines are joined,
a trailing ``# comment`` is stripped, and a line that is only a comment (for instance the
continuation of the previous line's comment) is no command. Every command is classified:

* an **fxsim command** (``.venv/bin/fxsim ...``, ``fxsim ...``, ``[.venv/bin/]python -m fxsim...``)
  or a **python snippet** (``.venv/bin/python -c '...'``): one test case each (id ``file:line``),
  run with the checkout's sources (``.venv/bin/fxsim`` / ``fxsim`` become ``sys.executable -m
  fxsim.cli``, ``.venv/bin/python`` becomes ``sys.executable``, PYTHONPATH is the checkout) in a
  fresh temporary directory where the repository directories the block names (``examples/``, ...)
  are mirrored as symlinks to their files, so that outputs (``out/...``, ``new.toml``, even
  ``examples/new.toml``) land there; ``/tmp/`` becomes that directory's ``tmp/``;
* a **set-up command** (SETUP: mkdir, sed, cat, printf, ...): not a test case, but run before
  every later fxsim command of the same block, as the reader would (the block's python snippets
  too, and an earlier fxsim command whose ``-o`` output the command names: its output is copied
  from that command's own test case when it passed in this session, else it is run again);
* a command of the **skip set** (SKIP, each with its reason): never run;
* anything else is **unclassified**: a test case that fails, so that a new command cannot slip
  through untested (classify it here: make it runnable, or add it to SETUP or SKIP with a reason).

The expected exit status is 0 unless the documentation shows otherwise:
  * a trailing comment that starts with ``exit N`` / ``exits N`` / ``exit status N``: N;
  * a trailing comment that starts with ``FAILED`` (the verdict ``verify`` prints): 1, ``PASSED``: 0;
  * the output shown with the command, that is the lines below it in the same block that start
    with ``fxsim: `` (``console`` blocks: every line up to the next ``$``), or, for the last command
    of a block, a ``text`` (or unmarked) block right after it: a line ``fxsim: error: ...`` means 2
    (and each such line must appear in the command's stderr, ``...`` matching anything), a line
    starting with ``FAILED`` means 1.

The lines shown that way are checked too: an ``fxsim: error: ...`` line must appear in stderr, a
``PASSED: ...`` / ``FAILED: ...`` verdict (its SNR to the digits shown) and a ``cost: ...`` line
of an emulated target (exact instruction counts and bytes: only where its gcc is the version the
figures were measured with, ``DOC_GCC``; the host's count includes glibc's CPU-dependent
memmove) in stdout.

A command that names an emulated ``--target`` (cortex-m4, riscv32; ``codegen`` only renders C and
needs no toolchain) is skipped when that target's cross toolchain is absent, as in
test_cortex_m4.py / test_riscv32.py: under CI=true a missing toolchain is a failure instead. Such
runs (QEMU) are marked ``slow`` (long, compile-heavy: they still run in CI, as ``make test`` runs
every test).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGS = {"sh", "bash", "shell", "console"}
OUTPUT_LANGS = {"", "text", "txt", "console"}
TIMEOUT = 1800          # s per command: a cold numba cache compiles for minutes on a loaded machine

#: commands of the documentation that are not run, and why (regular expressions, full match)
SKIP = {
    r"make demo": "the whole demo job: it (re)installs .venv from the checkout, which other tests "
                  "run from, then runs quantize --plot, codegen, verify and run on "
                  "examples/speech_ns.toml; the README's `run examples/speech_ns.toml` command is "
                  "run here",
    r"make test": "runs this test suite (this file included)",
    r"make bench": "the benchmarks: minutes of speed and accuracy tables, no pass / fail; it "
                   "(re)installs .venv like make demo",
    r"make( install)?": "creates .venv and installs the package: the environment these tests "
                        "run in",
    r"(sudo )?apt(-get)? .*": "installs system packages",
    r"(\.venv/bin/)?(python3? -m )?pip3? install .*": "installs packages into the environment",
    r"git .*": "repository operations",
}

#: shell commands that prepare files for the fxsim commands after them in the same block
SETUP = re.compile(r"^\(?\s*(mkdir|sed|cat|printf|echo|cp|touch|head|tail|ls)(\s|$)")

#: a repository-relative directory a command names that is not in the repository, and what stands
#: in for it
STAND_INS = {
    # docs/ci.md: `fxsim verify designs/*.toml ...` in a firmware repository; the five Q15
    # designs of examples/gate are the ones the gate must pass on every target
    "designs": "examples/gate",
}
#: directories that commands write to, never linked from the repository
OUTPUT_DIRS = {"out", "build", "reports", "tmp"}

FXSIM_CLI = re.compile(r"^(?:\.venv/bin/)?fxsim(?=\s|$)")
PY = re.compile(r"^(?:\.venv/bin/)?python3?(?=\s|$)")
PY_MODULE = re.compile(r"^(?:\.venv/bin/)?python3?\s+-m\s+fxsim\b")
PY_SNIPPET = re.compile(r"^(?:\.venv/bin/)?python3?\s+-c(?=\s)")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
EXIT_MARKER = re.compile(r"^\(?exit(?:s|\s+status)?\s+(\d+)\b", re.I)
TMP = re.compile(r"(?<![\w./~-])/tmp/")
REPO_DIR = re.compile(r"(?:^|[\s'\"=(<>])([A-Za-z_][\w.-]*)/")
OUT_OPT = re.compile(r"(?:^|\s)(?:-o|--output)(?:=|\s+)(\S+)")
TARGET_OPT = re.compile(r"--target(?:=|\s+)([\w.-]+)")


# --- parsing ------------------------------------------------------------------------------------

@dataclass
class Block:
    lang: str
    start: int                        # line number of the opening fence
    end: int                          # line number of the closing fence
    lines: list                       # (line number, text without the fence's indentation)


@dataclass
class Command:
    doc: str                          # path relative to the repository
    line: int
    code: str                         # the command without its trailing comment
    comment: str = ""
    output: list = field(default_factory=list)   # the output the documentation shows with it
    kind: str = ""                    # fxsim | python | setup | skip | unclassified
    reason: str = ""                  # skip: why
    setup: list = field(default_factory=list)    # commands of the block to run first

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def fenced_blocks(text: str) -> list[Block]:
    blocks, cur, fence, indent = [], None, "", 0
    for n, line in enumerate(text.splitlines(), 1):
        if cur is None:
            m = FENCE.match(line)
            if m:
                fence, indent = m["fence"], len(m["indent"])
                cur = Block(m["info"].lower(), n, n, [])
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            cur.end = n
            blocks.append(cur)
            cur = None
        else:
            strip = min(indent, len(line) - len(line.lstrip()))
            cur.lines.append((n, line[strip:]))
    return blocks


def _scan(line: str, quote: str | None):
    """Split one physical line into (code, comment, open quote at its end, continued by a
    backslash), shell-style: ``#`` starts a comment only at the start of a word, outside quotes."""
    code, i = [], 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"' and i + 1 < len(line):
                code.append(c)
                i += 1
                c = line[i]
        elif c == "#" and (i == 0 or line[i - 1].isspace()):
            return "".join(code), line[i + 1:].strip(), None, False
        elif c in "'\"":
            quote = c
        elif c == "\\":
            if i + 1 == len(line):
                return "".join(code), "", None, True
            code.append(c)
            i += 1
            c = line[i]
        code.append(c)
        i += 1
    return "".join(code), "", quote, False


def block_commands(block: Block, doc: str) -> list[Command]:
    """The commands of a shell block, each with the output lines shown below it."""
    console = block.lang == "console"
    cmds, parts, comments, quote, first = [], [], [], None, None
    for n, raw in block.lines:
        if first is None:
            s = raw.strip()
            if not s:
                continue
            if console and not s.startswith("$"):
                if cmds:
                    cmds[-1].output.append(s)
                continue
            if not console and s.startswith("fxsim: "):       # output shown below a command
                if cmds:
                    cmds[-1].output.append(s)
                continue
            raw, first = (s[1:].lstrip() if console else raw), n
        elif console and not quote:
            raw = re.sub(r"^\s*>\s?", "", raw)
        code, comment, quote, cont = _scan(raw, quote)
        if comment:
            comments.append(comment)
        if quote:
            parts.append(code + "\n")
            continue
        if cont:
            parts.append(code + " ")
            continue
        parts.append(code)
        text = "".join(parts).strip()
        if text:                      # a comment-only line is no command
            cmds.append(Command(doc, first, text, " ".join(comments)))
        parts, comments, first = [], [], None
    if first is not None:
        cmds.append(Command(doc, first, "".join(parts).strip(), " ".join(comments)))
    return cmds


def classify(cmd: Command) -> None:
    code = cmd.code
    if FXSIM_CLI.match(code) or PY_MODULE.match(code):
        cmd.kind = "fxsim"
    elif PY_SNIPPET.match(code):
        cmd.kind = "python"
    elif any(re.fullmatch(rx, code) for rx in SKIP):
        cmd.kind = "skip"
        cmd.reason = next(r for rx, r in SKIP.items() if re.fullmatch(rx, code))
    elif "fxsim" not in code.lower() and SETUP.match(code):
        cmd.kind = "setup"
    else:
        cmd.kind = "unclassified"


def doc_commands(path: Path) -> list[Command]:
    return parse_doc(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def parse_doc(text: str, doc: str) -> list[Command]:
    blocks = fenced_blocks(text)
    for b in blocks:        # a transcript (``$ fxsim ...`` and its output) is a console session
        if b.lang in ("", "text", "txt") and any(t.lstrip().startswith("$ ") for _, t in b.lines):
            b.lang = "console"
    text_lines = text.splitlines()
    out = []
    for i, block in enumerate(blocks):
        if block.lang not in SHELL_LANGS:
            continue
        cmds = block_commands(block, doc)
        for c in cmds:
            classify(c)
        # the output shown in the block right after this one belongs to the block's last command
        runnable = [c for c in cmds if c.kind in ("fxsim", "python")]
        if runnable and i + 1 < len(blocks):
            nxt = blocks[i + 1]
            between = text_lines[block.end:nxt.start - 1]
            body = [t.strip() for _, t in nxt.lines if t.strip()]
            if (nxt.lang in OUTPUT_LANGS and not any(t.strip() for t in between) and body
                    and not body[0].startswith("$") and runnable[-1] is cmds[-1]):
                cmds[-1].output.extend(body)
        # what runs before each command: the block's set-up commands and python snippets above it,
        # and an earlier fxsim command whose -o output it names
        for j, c in enumerate(cmds):
            for prev in cmds[:j]:
                if prev.kind in ("setup", "python"):
                    c.setup.append(prev)
                elif prev.kind == "fxsim" and any(
                        o in c.code.split() or o in shlex_words(c.code)
                        for o in OUT_OPT.findall(prev.code)):
                    c.setup.append(prev)
        out.extend(cmds)
    return out


def shlex_words(code: str) -> list[str]:
    try:
        return shlex.split(code)
    except ValueError:
        return code.split()


def expected_status(cmd: Command) -> int:
    m = EXIT_MARKER.match(cmd.comment)
    if m:
        return int(m[1])
    if cmd.comment.startswith("FAILED"):
        return 1
    if cmd.comment.startswith("PASSED"):
        return 0
    if any(o.startswith("fxsim: error:") for o in cmd.output):
        return 2
    if any(o.startswith("FAILED") for o in cmd.output):
        return 1
    return 0


def _fxsim_args(code: str) -> list[str]:
    m = FXSIM_CLI.match(code) or PY_MODULE.match(code)
    rest = code[m.end():]
    if not FXSIM_CLI.match(code):
        rest = re.sub(r"^[\w.]*", "", rest)          # the rest of the module name
    return rest.split()


def emulated_targets(cmd: Command, setup: bool = True) -> list[str]:
    """The emulated targets (cross toolchain and QEMU) a command (and with ``setup`` the commands
    it needs) run on; codegen only renders C."""
    from fxsim.codegen import targets
    names = []
    for c in [*cmd.setup, cmd] if setup else [cmd]:
        if c.kind != "fxsim":
            continue
        if next((a for a in _fxsim_args(c.code) if not a.startswith("-")), "") == "codegen":
            continue
        for name in TARGET_OPT.findall(c.code):
            t = targets.TARGETS.get(targets.ALIASES.get(name, name))
            if t is not None and t.emulated and t.name not in names:
                names.append(t.name)
    return names


ALL = {str(p.relative_to(ROOT)): doc_commands(p) for p in DOCS}
CASES = [c for cmds in ALL.values() for c in cmds if c.kind in ("fxsim", "python", "unclassified")]


def _param(c: Command):
    marks = [pytest.mark.slow] if emulated_targets(c, setup=False) else []
    return pytest.param(c, id=c.id, marks=marks)


# --- running ------------------------------------------------------------------------------------

def _runnable(code: str, tmp: Path) -> str:
    # the documentation's /tmp/ first: the interpreter's own path may lie under /tmp (a CI clone)
    code = TMP.sub(str(tmp / "tmp") + "/", code)
    py = shlex.quote(sys.executable)
    if FXSIM_CLI.match(code):
        return FXSIM_CLI.sub(f"{py} -m fxsim.cli", code, count=1)
    return PY.sub(py, code, count=1)


def _mirror(src: Path, dst: Path) -> None:
    """``dst`` a directory of symlinks to the files of ``src`` (recursively): the repository's
    files are read in place, and a file a command writes there lands in the temporary directory."""
    dst.mkdir()
    for p in src.iterdir():
        if p.is_dir():
            if p.name != "__pycache__":
                _mirror(p, dst / p.name)
        else:
            (dst / p.name).symlink_to(p)


def _workdir(cmd: Command, tmp: Path) -> None:
    """The repository directories the commands name, under ``tmp``; ``tmp/tmp`` for ``/tmp``."""
    (tmp / "tmp").mkdir()
    for c in [*cmd.setup, cmd]:
        for name in REPO_DIR.findall(c.code):
            if name in OUTPUT_DIRS or (tmp / name).exists():
                continue
            if (ROOT / name).is_dir():
                _mirror(ROOT / name, tmp / name)
            elif name in STAND_INS:
                _mirror(ROOT / STAND_INS[name], tmp / name)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run(code: str, tmp: Path):
    return subprocess.run(["bash", "-c", code], cwd=tmp, env=_env(), capture_output=True,
                          text=True, timeout=TIMEOUT)


#: fxsim commands that passed in this session, and their directories: a later command of the
#: block that reads a command's -o output takes it from there instead of running it again
_DONE: dict[str, Path] = {}


def _reuse(cmd: Command, done: Path, tmp: Path) -> bool:
    """Copy the -o outputs of ``cmd``, run in ``done``, into ``tmp``; False if one is missing."""
    outs = [Path(o) for o in OUT_OPT.findall(cmd.code)]
    srcs = [o if o.is_absolute() else done / o for o in outs]
    if not outs or any(o.is_absolute() for o in outs) or not all(p.exists() for p in srcs):
        return False
    for o, src in zip(outs, srcs):
        (tmp / o).parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, tmp / o, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy2(src, tmp / o)
    return True


def _shown_in(line: str, text: str) -> bool:
    """``line`` appears in ``text``, whitespace-insensitive, ``...`` matching anything."""
    norm = " ".join(text.split())
    pieces = [" ".join(p.split()) for p in re.split(r"\.\.\.|\u2026", line)]
    return re.search(".*?".join(map(re.escape, pieces)), norm) is not None


def _tail(s: str, n: int = 3000) -> str:
    return s if len(s) <= n else "..." + s[-n:]


@pytest.mark.parametrize("cmd", [_param(c) for c in CASES])
def test_doc_command(cmd: Command, tmp_path: Path):
    check_command(cmd, tmp_path)


def check_command(cmd: Command, tmp_path: Path) -> None:
    if cmd.kind == "unclassified":
        pytest.fail(f"{cmd.id}: `{cmd.code}` is neither an fxsim command nor in this test's SETUP "
                    "or SKIP set: make it runnable here or add it to SKIP with a reason")
    for name in emulated_targets(cmd):
        from fxsim.codegen import targets
        if not targets.get(name).module().available():
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI: the {name} toolchain is missing; .ci/run installs it")
            pytest.skip(f"no {name} toolchain")
    _workdir(cmd, tmp_path)
    for s in cmd.setup:
        if s.id in _DONE and _reuse(s, _DONE[s.id], tmp_path):
            continue
        res = _run(_runnable(s.code, tmp_path), tmp_path)
        assert res.returncode == 0, (f"set-up command {s.id} `{s.code}` exited "
                                     f"{res.returncode}:\n{_tail(res.stdout)}\n{_tail(res.stderr)}")
    want = expected_status(cmd)
    res = _run(_runnable(cmd.code, tmp_path), tmp_path)
    assert res.returncode == want, (
        f"{cmd.id}: `{cmd.code}` exited {res.returncode}, the documentation shows {want}\n"
        f"--- stdout\n{_tail(res.stdout)}\n--- stderr\n{_tail(res.stderr)}")
    if cmd.kind == "fxsim" and want == 0:
        _DONE[cmd.id] = tmp_path
    for line in cmd.output:
        if line.startswith("fxsim: error:"):
            assert _shown_in(line, res.stderr), (
                f"{cmd.id}: the documentation shows\n  {line}\nstderr:\n{_tail(res.stderr)}")
        elif line.startswith(("PASSED:", "FAILED:")) or \
                (line.startswith("cost:") and _documented_toolchain(cmd)):
            assert _shown_in(line, res.stdout), (
                f"{cmd.id}: the documentation shows\n  {line}\nstdout:\n{_tail(res.stdout)}")


#: the compilers the documented instruction counts and code sizes were measured with (a `cost:`
#: line is compared only where the command's target compiles with this version: another gcc
#: schedules differently)
DOC_GCC = "12.2"


def _documented_toolchain(cmd: Command) -> bool:
    """Whether the command's `cost:` line is exact here: an emulated target (QEMU counts the
    program's own instructions; the host's callgrind count includes glibc's memmove, whose
    variant depends on the CPU) built by the documented gcc."""
    names = TARGET_OPT.findall(cmd.code) or ["host"]
    cc = {"cortex-m4": "arm-none-eabi-gcc", "riscv32": "riscv64-unknown-elf-gcc"}
    for name in names:
        try:
            v = subprocess.run([cc[name], "-dumpfullversion"], capture_output=True, text=True,
                               check=True).stdout.strip()
        except (KeyError, OSError, subprocess.CalledProcessError):
            return False
        if not v.startswith(DOC_GCC + "."):
            return False
    return True


def test_the_documentation_has_fxsim_commands():
    """The parser finds the README's tour: if this fails, the parser (or the docs' layout) broke."""
    assert sum(c.kind == "fxsim" for c in ALL["README.md"]) >= 5


# --- the parser itself --------------------------------------------------------------------------

SAMPLE = """\
text
```sh
make demo   # the demo
.venv/bin/fxsim verify a.toml \\
    --json          # one object
                    # (a comment continued: no command)
fxsim quantize 'x # y.toml'     # exit 2
fxsim: error: x # y.toml: No such file
mkdir -p out
.venv/bin/python -c '
print("# not a comment")
'
.venv/bin/python -m fxsim.cli verify out/b.toml   # FAILED: precision ... 60 dB
fxsim verify /tmp/c.toml
```

```text
FAILED: c on host
```
"""


def test_parser(tmp_path):
    blocks = fenced_blocks(SAMPLE)
    assert [b.lang for b in blocks] == ["sh", "text"]
    cmds = block_commands(blocks[0], "x.md")
    for c in cmds:
        classify(c)
    got = [(c.line, c.kind, c.code) for c in cmds]
    assert got == [
        (3, "skip", "make demo"),
        (4, "fxsim", ".venv/bin/fxsim verify a.toml      --json"),
        (7, "fxsim", "fxsim quantize 'x # y.toml'"),
        (9, "setup", "mkdir -p out"),
        (10, "python", ".venv/bin/python -c '\nprint(\"# not a comment\")\n'"),
        (13, "fxsim", ".venv/bin/python -m fxsim.cli verify out/b.toml"),
        (14, "fxsim", "fxsim verify /tmp/c.toml"),
    ]
    assert [expected_status(c) for c in cmds[1:3]] == [0, 2]
    assert cmds[2].output == ["fxsim: error: x # y.toml: No such file"]
    assert expected_status(cmds[5]) == 1
    assert _fxsim_args(cmds[5].code) == ["verify", "out/b.toml"]
    assert _runnable(cmds[6].code, tmp_path) == (
        f"{shlex.quote(sys.executable)} -m fxsim.cli verify {tmp_path}/tmp/c.toml")


def test_parser_output_block_and_setup():
    cmds = parse_doc(SAMPLE, "x.md")
    last = cmds[-1]
    assert last.output == ["FAILED: c on host"] and expected_status(last) == 1
    assert [s.line for s in last.setup] == [9, 10]


def test_a_shown_error_is_checked(tmp_path):
    """The check itself: a command shown with its error passes when that error is printed, and
    fails when another one is."""
    text = ("```sh\nfxsim verify examples/none.toml\n"
            "fxsim: error: design file ... not found\n"
            "fxsim quantize examples/none.toml --input x.wav\nfxsim: error: something else\n```\n")
    good, bad = [c for c in parse_doc(text, "x.md") if c.kind == "fxsim"]
    assert expected_status(good) == expected_status(bad) == 2
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    check_command(good, tmp_path / "good")
    with pytest.raises(AssertionError, match="something else"):
        check_command(bad, tmp_path / "bad")
