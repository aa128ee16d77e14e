"""Kernel stages, one module per kernel family, registered here by their design-file name.

A kernel's module is imported when a design first names it: a design of three kernels does not
pay for importing the others (their tables, their numba functions) on every command line."""
from collections.abc import MutableMapping
from importlib import import_module

#: design-file ``kernel`` name -> "module:Class" in this package
_WHERE = {
    "gain": "gain:Gain",
    "preemph": "emphasis:Preemph", "deemph": "emphasis:Deemph",
    "biquad": "biquad:Biquad",
    "fir": "fir:Fir", "decimate": "fir:Decimate", "interpolate": "fir:Interpolate",
    "fft": "fft:Fft", "ifft": "fft:Ifft", "rfft": "fft:Rfft", "irfft": "fft:Irfft",
    "stft": "stft:Stft", "istft": "stft:Istft",
    "vad": "channel:Vad", "ns": "channel:Ns",
}


def _load(where: str):
    module, cls = where.split(":")
    return getattr(import_module(f"{__name__}.{module}"), cls)


class Registry(MutableMapping):
    """kernel name -> Stage class, the class's module imported on the first lookup of a name
    (every way of reading the mapping gives classes: lookups, views, copies)."""

    def __init__(self, where: dict):
        self._entries = dict(where)

    def __getitem__(self, name):
        entry = self._entries[name]
        if isinstance(entry, str):
            entry = self._entries[name] = _load(entry)
        return entry

    def __setitem__(self, name, cls):
        self._entries[name] = cls

    def __delitem__(self, name):
        del self._entries[name]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"Registry({sorted(self._entries)})"


REGISTRY = Registry(_WHERE)

#: Kernels named here (none at present) are refused with a message saying they are not built yet.
PLANNED = ()

#: the Stage classes by class name (``from fxsim.kernels import Fir``), loaded as they are named
_CLASSES = {where.split(":")[1]: where for where in _WHERE.values()}


def __getattr__(name):
    if name in _CLASSES:
        return _load(_CLASSES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
