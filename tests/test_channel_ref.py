"""The float64 reference of the channel-energy VAD / noise suppressor (fxsim/kernels/channel_ref.py):
its tables, perfect reconstruction with unit gains, streaming in any chunks, and its behaviour on
stationary noise and on voiced bursts in noise (the floors the fixed-point stages are held to)."""
import numpy as np
import pytest

from fxsim.kernels import channel_ref as C

RATE = 8000


def voiced_bursts(seconds, snr_db, seed=0, level_db=-26.0):
    """Harmonic 'voiced' bursts (150 Hz, 14 harmonics falling as 1/k) 0.4 s on, 0.4 s off, in
    white noise at snr_db below the bursts' power; returns (signal, per-sample speech label)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    on = (t % 0.8) < 0.4
    v = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 15)) * on
    v *= 10 ** (level_db / 20) / np.sqrt(np.mean(v[on] ** 2))
    noise = rng.standard_normal(t.size) * 10 ** ((level_db - snr_db) / 20)
    return v + noise, on


def test_tables_follow_the_standard():
    assert len(C.VM_TABLE) == C.MAX_INDEX + 1 == 90
    assert C.CHANNELS[0][0] == 2 and C.CHANNELS[-1][1] == 63
    assert all(b[0] == a[1] + 1 for a, b in zip(C.CHANNELS, C.CHANNELS[1:]))
    assert list(np.flatnonzero(C.BIN_CHANNEL < 0)) == [0, 1, 64]
    w = C.window()
    assert w.size == 104 and w[24:80].min() == 1.0
    assert np.allclose(w[:24] + w[80:], 1.0)       # rising and falling edges overlap-add to 1


def test_unit_gains_reconstruct_the_input_delayed():
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 4000)
    y, frames = C.ChannelNs(suppress=False).process(x)
    assert len(frames) == 50 and y.size == 4000
    assert np.max(np.abs(y[C.DELAY:] - x[: y.size - C.DELAY])) < 1e-12


def test_streaming_in_any_chunks_equals_one_call():
    x, _ = voiced_bursts(2.0, 10.0)
    y1, f1 = C.ChannelNs().process(x)
    ns, ys, fs = C.ChannelNs(), [], []
    rng = np.random.default_rng(2)
    i = 0
    while i < x.size:
        k = int(rng.integers(1, 300))
        y, f = ns.process(x[i: i + k])
        ys.append(y)
        fs += f
        i += k
    assert np.array_equal(np.concatenate(ys), y1)
    assert [f.row() for f in fs] == [f.row() for f in f1]


def test_stationary_noise_is_attenuated_and_updates_the_noise_estimate():
    x = np.random.default_rng(3).standard_normal(5 * RATE) * 10 ** (-30 / 20)
    y, frames = C.ChannelNs().process(x)
    after = frames[100:]                           # past the first second
    assert not any(f.speech for f in after) and all(f.update for f in after)
    atten = 10 * np.log10(np.mean(x[RATE:] ** 2) / np.mean(y[RATE:] ** 2))
    assert atten >= 6.0


@pytest.mark.parametrize("snr_db", [5.0, 10.0, 20.0])
def test_voiced_bursts_are_detected(snr_db):
    x, on = voiced_bursts(6.0, snr_db)
    _, frames = C.ChannelNs().process(x)
    speech = np.array([f.speech for f in frames])
    label = on[C.FRM_LEN // 2:: C.FRM_LEN][: speech.size]
    skip = 10                                      # the noise estimate's first frames
    recall = speech[skip:][label[skip:]].mean()
    false_alarm = speech[skip:][~label[skip:]].mean()
    assert recall >= 0.8 and false_alarm <= 0.2, (recall, false_alarm)


def test_frame_rows_name_their_columns():
    _, frames = C.ChannelNs().process(np.zeros(160))
    assert len(frames[0].row()) == len(C.FRAME_COLUMNS) == 4 + C.NUM_CHAN
