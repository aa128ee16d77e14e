"""SNR, LSB error and headroom, as fxsim reports them.

SNR = 10 log10(sum ref^2 / sum (ref - out)^2) in dB, over the whole signal. When the error is zero
the SNR is reported as ``SNR_CAP`` (JSON has no infinity); when the reference is zero too, also.
"""
from __future__ import annotations

import math

import numpy as np

from ..qformat import QFormat

SNR_CAP = 300.0


def snr_db(ref, out) -> float:
    ref = np.asarray(ref, dtype=np.float64)
    err = ref - np.asarray(out, dtype=np.float64)
    return energy_snr_db(float(np.dot(ref, ref)), float(np.dot(err, err)))


def energy_snr_db(ps: float, pe: float) -> float:
    """``snr_db`` from the energies of the reference (ps) and of the error (pe), so that
    figures measured in parts can be pooled."""
    if pe == 0.0:
        return SNR_CAP
    ratio = ps / pe if math.isfinite(ps) and math.isfinite(pe) else 0.0
    if ps == 0.0 or not ratio > 0.0:          # no signal, or an error that swamps it
        return -SNR_CAP
    return max(-SNR_CAP, min(SNR_CAP, 10.0 * math.log10(ratio)))


def max_err_lsb(ref, out, fmt: QFormat) -> float:
    if len(ref) == 0:
        return 0.0
    return float(np.max(np.abs(np.asarray(ref) - np.asarray(out)))) / fmt.lsb


def lsb_noise(ref, lsb) -> float:
    """The energy of uniform rounding noise (lsb^2 / 12) on every sample of ``ref`` the output
    can hold as non-zero (|ref| >= lsb / 2; a sample that rounds to zero is exact in a quiet
    stretch). ``lsb`` may be an array, one value per sample (block floating point: each frame's
    LSB)."""
    ref = np.asarray(ref, dtype=np.float64)
    lsb = np.broadcast_to(np.asarray(lsb, dtype=np.float64), ref.shape)
    active = np.abs(ref) >= lsb / 2
    return float(np.sum(lsb[active] ** 2)) / 12.0


def energy_bound_db(ps: float, noise: float) -> float:
    """The SNR that rounding the output to its LSB alone allows for a reference of energy ``ps``:
    ps over ``lsb_noise``. A signal whose output is this quiet cannot score above it, whatever
    the design; verify does not gate the SNR of such signals and prints the bound beside them.
    Energies, so that a streamed input's segments pool them."""
    if noise == 0.0:
        return -SNR_CAP
    return min(SNR_CAP, 10.0 * math.log10(ps / noise))
