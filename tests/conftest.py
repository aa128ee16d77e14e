import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# the first-run warm-up (fxsim.warmup) has its own tests; elsewhere it would only add output
os.environ.setdefault("FXSIM_NO_WARMUP", "1")
os.environ.setdefault("FXSIM_BUILD_CACHE", str(ROOT / ".pytest_cache" / "fxsim-build"))
os.environ.setdefault("FXSIM_DESIGN_CACHE", str(ROOT / ".pytest_cache" / "fxsim-designs"))

#: compiler settings every C comparison runs under
C_BUILDS = {
    "O0": ("-O0", ()),
    "O2": ("-O2", ()),
    "sanitize": ("-O1", ("-fsanitize=undefined,address", "-fno-sanitize-recover=all")),
}


@pytest.fixture(scope="session")
def root():
    return ROOT

from hypothesis import settings  # noqa: E402

# numba compiles on a function's first call, so per-example deadlines mean nothing here
settings.register_profile("fxsim", deadline=None, max_examples=200)
settings.load_profile("fxsim")
