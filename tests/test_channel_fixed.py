"""The fixed-point channel-energy VAD / noise suppressor (fxsim/kernels/channel_fixed.py) against
its float64 reference: exact reconstruction at unit gains, the same decisions, the output within
the floors, and streaming in any chunks."""
import numpy as np
import pytest

from fxsim.analysis.metrics import snr_db
from fxsim.kernels import channel_fixed as F
from fxsim.kernels import channel_ref as R
from tests.test_channel_ref import voiced_bursts


def q15(x):
    return np.clip(np.round(x * 32768), -32768, 32767).astype(np.int64)


def test_unit_gains_reconstruct_the_input_exactly():
    x = q15(np.random.default_rng(1).uniform(-0.9, 0.9, 4000))
    y, flags = F.ChannelNsFixed(suppress=False).process(x)
    assert flags.shape == (50, len(R.FRAME_COLUMNS))
    assert np.array_equal(y[R.DELAY:], x[: y.size - R.DELAY])


@pytest.mark.parametrize("level", [-10.0, -26.0, -42.0])
@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_decisions_and_output_match_the_float_reference(level, snr):
    x, _ = voiced_bursts(4.0, snr, level_db=level)
    xi = q15(x)
    yr, fr = R.ChannelNs().process(xi / 32768)
    y31, flags = F.ChannelNsFixed(out_frac=31, out_bits=32).process(xi)
    assert np.array_equal(flags, np.array([f.row() for f in fr]))
    assert snr_db(yr, y31 / 2.0 ** 31) >= 80.0
    y15, _ = F.ChannelNsFixed().process(xi)
    assert np.abs(y15 - np.round(yr * 32768)).max() <= 1      # Q15: within one output LSB


def test_streaming_in_any_chunks_equals_one_call():
    x = q15(voiced_bursts(2.0, 5.0)[0])
    y1, f1 = F.ChannelNsFixed().process(x)
    ns, ys, fs = F.ChannelNsFixed(), [], []
    rng = np.random.default_rng(4)
    i = 0
    while i < x.size:
        k = int(rng.integers(1, 250))
        y, f = ns.process(x[i: i + k])
        ys.append(y)
        fs.append(f)
        i += k
    assert np.array_equal(np.concatenate(ys), y1)
    assert np.array_equal(np.concatenate(fs), f1)


def test_full_scale_input_keeps_its_precision():
    """A full-scale square: nothing inside overflows; the suppressed output itself exceeds full
    scale (as the float's does), so it is read in Q1.30 here."""
    t = np.arange(8000)
    x = q15(np.where((t // 400) % 2 == 0, 0.999, -1.0))
    yr, _ = R.ChannelNs().process(x / 32768)
    ns = F.ChannelNsFixed(out_frac=30, out_bits=32)
    y, _ = ns.process(x)
    assert np.abs(yr).max() > 1.0 and ns.saturations == 0
    assert snr_db(yr, y / 2.0 ** 30) >= 80.0
