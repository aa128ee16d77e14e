"""fxsim: a fixed-point embedded-DSP simulator and bit-exact C code generator."""
from pathlib import Path as _Path

__version__ = "0.1.0"

# In a checkout, codegen/, templates/ and c_ref/ sit at the top of the tree (the layout keeps them
# there) while an installed wheel carries them inside this package as fxsim.codegen,
# fxsim.templates and fxsim.c_ref. Searching the checkout's top for subpackages makes
# ``import fxsim.codegen`` work the same way in both.
_top = _Path(__file__).resolve().parent.parent
if (_top / "codegen" / "__init__.py").is_file() and not (_Path(__file__).parent / "codegen").exists():
    __path__.append(str(_top))  # noqa: F821 (the package's own __path__)
