"""User-facing errors.

An ``FxsimError`` is a mistake in a design, an input or an argument that the user can fix. The
command line prints its message on one line and exits with status 2, never a traceback. Its
message names the field, the value and what is allowed.
"""


class FxsimError(ValueError):
    """A problem with the user's design, input or arguments (exit status 2 on the command line)."""


class RangeError(FxsimError):
    """A value fell outside its format while the design says ``overflow = "error"``."""
