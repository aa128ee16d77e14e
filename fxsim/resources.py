"""Where the C runtime (c_ref/) and the templates live: inside the installed package
(fxsim.c_ref, fxsim.templates) or, in a checkout, at the top of the tree."""
from __future__ import annotations

import importlib.util
from pathlib import Path

_TOP = Path(__file__).resolve().parent.parent


def _locate(package: str, top_name: str) -> Path:
    spec = importlib.util.find_spec(package) if importlib.util.find_spec("fxsim") else None
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return _TOP / top_name


def c_ref_dir() -> Path:
    """Directory of the hand-written C runtime and reference kernels."""
    return _locate("fxsim.c_ref", "c_ref")


def templates_dir() -> Path:
    """Directory of the jinja2 templates."""
    return _locate("fxsim.templates", "templates")
