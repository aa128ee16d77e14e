"""Kernel stages, one module per kernel family, registered here by their design-file name.

A kernel's module is imported when a design first names it: a design of three kernels does not
pay for importing the others (their tables, their numba functions) on every command line."""
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


class Registry(dict):
    """kernel name -> Stage class, the class's module imported on the first lookup of a name."""

    def __getitem__(self, name):
        where = super().__getitem__(name)
        if isinstance(where, str):
            module, cls = where.split(":")
            where = getattr(import_module(f"{__name__}.{module}"), cls)
            super().__setitem__(name, where)
        return where

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[name] for name in self]

    def items(self):
        return [(name, self[name]) for name in self]


REGISTRY = Registry(_WHERE)

#: Kernels named here (none at present) are refused with a message saying they are not built yet.
PLANNED = ()
