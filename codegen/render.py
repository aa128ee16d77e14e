"""Render a design to C with jinja2.

Each kernel has one template (``templates/c99/<kernel>.c.j2``) that defines four macros, called
with the stage's context ``s``:
  ``state_fields(s)``  members of the stage's state struct (``uint32_t saturations`` is always there)
  ``tables(s)``        const tables at file scope (may be empty)
  ``init(s)``          statements that reset ``st`` (a pointer to the stage state) besides zeroing
  ``process(s)``       the body of ``static int <prefix>_process(<prefix>_state *st,
                       const int32_t *x, int n, int32_t *y)``, returning the number of outputs
The design templates (``design.h.j2``, ``design.c.j2``) place them; samples travel between stages
in int32_t buffers inside the design's state struct, so the generated code never allocates.
"""
from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fxsim.design import Design
from fxsim.errors import FxsimError
from fxsim.resources import c_ref_dir, templates_dir

from . import cgen

#: code generation targets. cortex-m4 is the same portable C99, built with the M4's compiler
#: flags; kernels add ACLE-intrinsic paths under __ARM_FEATURE_DSP where the M4 has an instruction
#: for what they do (always with the plain-C path beside it, both bit-exact).
TARGETS = ("c99", "cortex-m4")
#: runtime headers every generated file includes, copied next to it by ``write``
RUNTIME_HEADERS = ("fxsim_prim.h",)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir())), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["c_array"] = cgen.c_array
    env.filters["c_int"] = cgen.c_int
    env.filters["comment"] = cgen.comment
    return env


def stage_context(design: Design, st, unroll: int, target: str = "c99") -> dict:
    ctx = {
        "prefix": f"{design.name}_s{st.index}",
        "index": st.index,
        "kernel": st.kernel,
        "in_fmt": str(st.in_fmt),
        "out_fmt": str(st.out_fmt),
        "in_bits": st.in_fmt.word_bits,
        "out_bits": st.out_fmt.word_bits,
        "rounding": st.rounding_c,
        "overflow": st.overflow_c,
        "scaling": st.scaling(),
        "unroll": unroll,
        "target": target,
    }
    ctx.update(st.c_context())
    return ctx


def stage_lengths(design: Design) -> list[int]:
    """The most samples each point of the chain can carry in one call of ``block`` inputs: each
    stage rounds its own output count up (a decimator by M gives at most ceil(n / M) outputs for
    n inputs, whatever its phase), so the bound is taken stage by stage."""
    lengths = [design.block]
    for st in design.stages:
        lengths.append(math.ceil(lengths[-1] * st.rate))
    return lengths


def buffer_length(design: Design) -> int:
    """Samples the inter-stage buffers must hold for one call of ``block`` input samples."""
    return max(stage_lengths(design))


def render(design: Design, target: str = "c99", unroll: int = 4) -> dict[str, str]:
    """The generated files, name -> text: ``<name>.h`` and ``<name>.c``."""
    if target not in TARGETS:
        raise FxsimError(f"--target: {target!r}; allowed: {' | '.join(TARGETS)}")
    if unroll not in (1, 2, 4, 8):
        raise FxsimError(f"--unroll: {unroll}; allowed: 1, 2, 4, 8")
    env = environment()
    stages = []
    for st in design.stages:
        module = env.get_template(st.template).module
        s = stage_context(design, st, unroll, target)
        stages.append({
            "ctx": s,
            "state_fields": module.state_fields(s),
            "tables": module.tables(s),
            "init": module.init(s),
            "process": module.process(s),
        })
    ctx = {
        "name": design.name,
        "NAME": design.name.upper(),
        "block": design.block,
        "buflen": buffer_length(design),
        "max_out": stage_lengths(design)[-1],
        "in_type": design.in_fmt.ctype,
        "out_type": design.out_fmt.ctype,
        "in_fmt": str(design.in_fmt),
        "out_fmt": str(design.out_fmt),
        "sample_rate": design.sample_rate,
        "source": design.path.name if design.path else "<memory>",
        "stages": stages,
        "target": target,
    }
    return {
        f"{design.name}.h": env.get_template("c99/design.h.j2").render(ctx),
        f"{design.name}.c": env.get_template("c99/design.c.j2").render(ctx),
    }


def write(design: Design, out_dir, target: str = "c99", unroll: int = 4) -> list[Path]:
    """Render and write the design's C files plus the runtime headers they include."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = render(design, target, unroll)
    for name in RUNTIME_HEADERS:
        files[name] = (c_ref_dir() / name).read_text()
    written = []
    for name, text in files.items():
        p = out / name
        p.write_text(text)
        written.append(p)
    return written


def render_harness(design: Design) -> str:
    """A host program that streams raw samples from stdin through ``<name>_process`` in
    ``block``-sized calls and writes the outputs to stdout, checking a guard band after the
    output buffer on every call (exit 3 if the kernel wrote past its outputs)."""
    return environment().get_template("harness.c.j2").render(
        name=design.name, NAME=design.name.upper(), in_type=design.in_fmt.ctype,
        out_type=design.out_fmt.ctype, stage_indices=[st.index for st in design.stages])
