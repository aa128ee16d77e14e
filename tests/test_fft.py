"""fft / ifft: accuracy floors against numpy.fft (the figures bench_fft.py prints), the round
trip, block exponents through the chain, real input promoted to complex, and bad designs."""
import numpy as np
import pytest

from fxsim import design as D
from fxsim.analysis.metrics import snr_db
from fxsim.analysis.report import input_ints
from fxsim.errors import FxsimError
from fxsim.kernels.fft import twiddles
from fxsim.qformat import dequantize


def fft_design(n, data="Q15", scaling="bfp", then=None, input_="complex", arithmetic="guarded"):
    stages = [{"kernel": "fft", "n": n, "scaling": scaling, "arithmetic": arithmetic}]
    if then:
        stages.append({"kernel": then, "n": n, "scaling": scaling, "arithmetic": arithmetic})
    return D.from_dict({"name": "f", "block": n, "input": input_, "defaults": {"data": data},
                        "stage": stages})


def complex_noise(n, level_db, frames=16, seed=0):
    rng = np.random.default_rng(seed)
    g = 10 ** (level_db / 20)
    return (np.clip(rng.standard_normal(n * frames) * g, -1, 0.99997) +
            1j * np.clip(rng.standard_normal(n * frames) * g, -1, 0.99997))


def snr_vs_numpy(des, x, inverse_after=False):
    x_int = input_ints(des, x)
    xq = dequantize(x_int, des.in_fmt)
    z = (xq[0::2] + 1j * xq[1::2]).reshape(-1, des.stages[0].n)
    ref_c = np.fft.fft(z, axis=1)
    if inverse_after:
        ref_c = np.fft.ifft(ref_c, axis=1)
    ref = np.empty(2 * ref_c.size)
    ref[0::2], ref[1::2] = ref_c.real.ravel(), ref_c.imag.ravel()
    outs, sats = des.run(x_int)
    return snr_db(ref, des.values(outs[-1])), sats


@pytest.mark.parametrize("n", [16, 64, 256, 1024, 4096])
@pytest.mark.parametrize("level", [-10.0, -40.0])
def test_q15_bfp_floor_is_level_independent(n, level):
    snr, sats = snr_vs_numpy(fft_design(n), complex_noise(n, level, frames=max(16, 32768 // n)))
    assert snr >= (70.0 if level == -10.0 else 65.0) and sats == [0]


@pytest.mark.parametrize("n,cmsis", [(16, 66.9), (256, 54.8), (4096, 42.7)])
def test_q15_stage_scaling_beats_truncation_by_3_db(n, cmsis):
    snr, _ = snr_vs_numpy(fft_design(n, scaling="stage"),
                          complex_noise(n, -10.0, frames=max(2, 4096 // n)))
    assert snr >= cmsis + 3.0


def test_q31_and_round_trip_floors():
    assert snr_vs_numpy(fft_design(1024, "Q31"), complex_noise(1024, -10.0, 4))[0] >= 145.0
    snr, _ = snr_vs_numpy(fft_design(256, then="ifft"), complex_noise(256, -10.0), True)
    assert snr >= 65.0


def test_stage_scaling_names_the_dft_over_n_in_the_format():
    des = fft_design(256, scaling="stage")
    assert str(des.out_fmt) == "Q15*2^8" and not des.out_port.block_exp
    assert str(fft_design(256, scaling="none", then="ifft").out_fmt) == "Q15*2^-8"
    assert fft_design(256).out_port.block_exp and fft_design(256).out_port.frame == 256


def test_real_input_is_promoted_and_matches_the_complex_path():
    x = np.random.default_rng(1).uniform(-0.5, 0.5, 512)
    real = fft_design(64, input_="real")
    cplx = fft_design(64)
    yr, _ = real.run(input_ints(real, x))
    yc, _ = cplx.run(input_ints(cplx, x.astype(complex)))
    np.testing.assert_array_equal(yr[0].data, yc[0].data)
    np.testing.assert_array_equal(yr[0].exp, yc[0].exp)


def adversarial_frames(n, word, rng):
    """Frames that drive butterflies to their growth bounds: full-scale complex exponentials at
    every bin and several phases (all the energy ends in one bin), full-scale constants and
    alternations, the most negative word everywhere, and random extremes."""
    lo, hi = -(1 << (word - 1)), (1 << (word - 1)) - 1
    t = np.arange(n)
    frames = []
    for k in range(n):
        for phase in (0.0, np.pi / 4, np.pi / 7):
            z = np.exp(1j * (2 * np.pi * k * t / n + phase))
            z = z / np.max(np.abs(np.concatenate([z.real, z.imag])))
            frames.append(z)
    for v in (1 + 1j, 1 - 1j, -1 - 1j, 1j):
        frames += [v * np.ones(n), v * (-1.0) ** t, v * 1j ** t]
    out = []
    for z in frames:
        w = np.empty(2 * n, dtype=np.int64)
        w[0::2] = np.clip(np.round(z.real * (hi + 1)), lo, hi)
        w[1::2] = np.clip(np.round(z.imag * (hi + 1)), lo, hi)
        out.append(w)
    out.append(np.full(2 * n, lo, dtype=np.int64))
    for _ in range(50):
        out.append(rng.choice(np.array([lo, hi, lo + 1, hi - 1, 0]), 2 * n))
    return out


@pytest.mark.parametrize("word", [16, 32])
@pytest.mark.parametrize("n", [16, 32, 64, 128])
@pytest.mark.parametrize("inverse", [False, True])
def test_bfp_never_saturates_on_frames_at_the_growth_bounds(n, word, inverse):
    """The bfp shift rule (stage_shift / shift_fits) must hold every output in the word. With
    overflow = "error" the model fits and counts every stage's outputs even under bfp (where the
    C omits the saturation it proves it never needs), so it must count none."""
    from fxsim import primitives as P
    from fxsim.kernels.fft import BFP, fft_frame
    tw = twiddles(n, word - 1)
    for mode in (P.NEAREST, P.CEIL, P.FLOOR):
        for frame in adversarial_frames(n, word, np.random.default_rng(n + word)):
            work = frame.copy()
            _, sat = fft_frame(work, tw, 1, n, inverse, word, BFP, mode, P.ERROR)
            assert sat == 0


@pytest.mark.parametrize("word", [16, 32])
@pytest.mark.parametrize("n", [32, 64, 256])
def test_real_fft_bfp_never_saturates_on_frames_at_the_growth_bounds(n, word):
    """The split and merge steps under bfp omit the saturation in C too: the model (checking
    every stage with overflow = "error") must count
    none, forward (real frames at the bounds) and inverse (bins at the bounds)."""
    from fxsim import primitives as P
    from fxsim.kernels.fft import BFP, irfft_frame, rfft_frame
    tw = twiddles(n, word - 1)
    work, out = np.empty(n, dtype=np.int64), np.empty(n + 2, dtype=np.int64)
    for frame in adversarial_frames(n // 2, word, np.random.default_rng(n)):
        _, sat = rfft_frame(frame, work, out, tw, n, word, BFP, P.NEAREST, P.ERROR)
        assert sat == 0
        bins = np.concatenate([frame, frame[:2]])
        _, sat = irfft_frame(bins, work, tw, n, word, BFP, P.NEAREST, P.ERROR)
        assert sat == 0


def test_twiddles_are_symmetric_so_negation_fits():
    tw = twiddles(64, 15)
    assert tw.max() <= 32767 and tw.min() >= -32767 and tw[0] == 32767


@pytest.mark.parametrize("stage,match", [
    ({"kernel": "fft", "n": 100}, r"stage\[0\] \(fft\)\.n: 100; allowed: a power of two"),
    ({"kernel": "fft", "n": 8192}, r"allowed: a power of two from 16 to 4096"),
    ({"kernel": "fft", "n": 64, "scaling": "half"}, r"stage\[0\] \(fft\)\.scaling: 'half'; allowed: stage \| bfp \| none"),
    ({"kernel": "fft", "n": 64, "data": "Q1.14"}, r"an FFT keeps its input format"),
    ({"kernel": "ifft", "n": 64}, r"stage\[0\] \(ifft\) cannot follow the design input: .*takes complex"),
    ({"kernel": "fft", "n": 64, "arithmetic": "fast"}, r"\.arithmetic: 'fast'; allowed: guarded \| lanes"),
    ({"kernel": "fft", "n": 64, "arithmetic": "lanes", "scaling": "stage"},
     r"'lanes' keeps every value in a 16-bit lane: it needs Q15 data and scaling = \"bfp\" \(here "
     r"Q15, scaling = \"stage\"\)"),
    ({"kernel": "irfft", "n": 64, "arithmetic": "lanes", "scaling": "none"}, r"'lanes' keeps every value"),
    ({"kernel": "stft", "n": 64, "arithmetic": "lanes", "scaling": "stage"}, r"stage\[0\] \(stft\)\.arithmetic: 'lanes' keeps"),
])
def test_bad_fft_designs_are_one_line_errors(stage, match):
    with pytest.raises(FxsimError, match=match):
        D.from_dict({"name": "b", "stage": [stage]})


def test_inverse_fed_a_stream_that_does_not_frame():
    with pytest.raises(FxsimError, match=r"stage\[1\] \(ifft\) cannot follow stage\[0\] \(fft\): "
                                         r"stage\[1\] \(ifft\) takes frames of 128 samples and "
                                         r"stage\[0\] \(fft\) gives frames of 64"):
        D.from_dict({"name": "b", "input": "complex",
                     "stage": [{"kernel": "fft", "n": 64}, {"kernel": "ifft", "n": 128}]})
    with pytest.raises(FxsimError, match=r"a stream that does not frame"):
        D.from_dict({"name": "b", "input": "complex", "stage": [{"kernel": "ifft", "n": 64}]})


def test_complex_input_into_a_real_design_is_refused():
    des = D.from_dict({"name": "r", "stage": [{"kernel": "gain", "gain": 0.5}]})
    with pytest.raises(FxsimError, match='write input = "complex"'):
        input_ints(des, np.ones(4, dtype=complex))


FFT_EXAMPLES = ["fft_q15", "fft_lanes_q15", "fft_roundtrip_q15", "fft_q31", "rfft_q15",
                "rfft_lanes_q15", "stft_q15", "fir_ols_q31"]


@pytest.mark.parametrize("name", FFT_EXAMPLES)
def test_examples_verify_on_host_with_complex_builtin_signals(name):
    from fxsim.codegen import verify as V
    from fxsim.signals import builtin_signal_set

    from .conftest import ROOT
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, complex_=des.in_port.complex),
                   per_stage=True)
    assert res["passed"] and res["bit_exact"], res["failures"]


@pytest.mark.parametrize("scaling", ["stage", "none"])
@pytest.mark.parametrize("data", ["Q15", "Q31"])
def test_saturating_scalings_match_the_c_on_full_scale_frames(scaling, data):
    """Full-scale complex squares: the unscaled DFT overflows, and the C saturates (and counts)
    exactly where the model does; with stage scaling the same input stays bit-exact."""
    from fxsim.codegen import verify as V
    des = fft_design(64, data, scaling, then="ifft")
    t = np.arange(64 * 8)
    sq = np.where(np.sin(2 * np.pi * t / 37) >= 0, 0.99997, -1.0)
    res = V.verify(des, {"square": sq + 1j * sq}, per_stage=True)
    assert res["bit_exact"], res["failures"]
    assert scaling == "stage" or sum(res["signals"][0]["saturations"]) > 0


def test_bfp_frames_into_a_stage_scaled_inverse_keep_their_exponents():
    """fft bfp -> ifft stage: the inverse carries the input frames' exponents only (its own
    halving is in its format), so the round trip reproduces the input."""
    from fxsim.codegen import verify as V
    des = D.from_dict({"name": "rt", "block": 64, "input": "complex",
                       "stage": [{"kernel": "fft", "n": 64, "scaling": "bfp"},
                                 {"kernel": "ifft", "n": 64, "scaling": "stage"}]})
    x = complex_noise(64, -10.0, frames=8)
    res = V.verify(des, {"noise": x}, per_stage=True)
    assert res["bit_exact"] and res["signals"][0]["snr_db"] > 55, res["signals"][0]


def test_input_shorter_than_a_frame_is_a_user_error(tmp_path):
    import subprocess
    import sys
    from .conftest import ROOT
    np.save(tmp_path / "short.npy", np.full(50, 0.1 + 0.1j))
    r = subprocess.run([sys.executable, "-m", "fxsim.cli", "verify", ROOT / "examples/fft_q15.toml",
                        "--input", tmp_path / "short.npy"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "needs 256 input samples before its first output" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


# --- the real FFT -------------------------------------------------------------------------------

def real_noise(n, level_db=-10.0, frames=16, seed=0):
    g = 10 ** (level_db / 20)
    return np.clip(np.random.default_rng(seed).standard_normal(n * frames) * g, -1, 0.99997)


def rfft_snr(n, data="Q15", scaling="bfp", level=-10.0, arithmetic="guarded"):
    des = D.from_dict({"name": "r", "block": n, "defaults": {"data": data},
                       "stage": [{"kernel": "rfft", "n": n, "scaling": scaling,
                                  "arithmetic": arithmetic}]})
    x_int = input_ints(des, real_noise(n, level, frames=max(16, 16384 // n)))
    ref = des.reference(dequantize(x_int, des.in_fmt))
    outs, sats = des.run(x_int)
    return snr_db(ref, des.values(outs[0])), sats


@pytest.mark.parametrize("n", [256, 512, 1024])
def test_q15_real_fft_floor(n):
    snr, sats = rfft_snr(n)
    assert snr >= 68.0 and sats == [0]                       # CMSIS: 50.5 / 51.9 / 44.8


def test_real_fft_formats_and_round_trip():
    des = D.from_dict({"name": "r", "block": 256,
                       "stage": [{"kernel": "rfft", "n": 256, "scaling": "stage"},
                                 {"kernel": "irfft", "n": 256, "scaling": "stage"}]})
    assert str(des.stages[0].out_fmt) == "Q15*2^8" and str(des.out_fmt) == "Q15*2^9"
    assert des.stages[0].out_port.frame == 129 and des.stages[0].out_port.hop == 256
    bfp = D.from_dict({"name": "r", "block": 256,
                       "stage": [{"kernel": "rfft", "n": 256}, {"kernel": "irfft", "n": 256}]})
    x_int = input_ints(bfp, real_noise(256))
    outs, _ = bfp.run(x_int)
    assert snr_db(dequantize(x_int, bfp.in_fmt), bfp.values(outs[-1])) >= 65.0


def test_real_fft_refuses_complex_data():
    with pytest.raises(FxsimError, match=r"stage\[0\] \(rfft\) cannot follow the design input: "
                                         r".*complex"):
        D.from_dict({"name": "r", "input": "complex", "stage": [{"kernel": "rfft", "n": 64}]})
    with pytest.raises(FxsimError, match=r"stage\[1\] \(irfft\) .*takes frames of 33"):
        D.from_dict({"name": "r", "input": "complex",
                     "stage": [{"kernel": "fft", "n": 64}, {"kernel": "irfft", "n": 64}]})


def test_arithmetic_study_simulates_the_model_bit_for_bit(capsys):
    """benchmarks/study_fft_arithmetic.py's first row is fxsim's arithmetic: its main() asserts
    that row equal to the model, frame by frame, so the study's other rows stay comparable."""
    import runpy
    from pathlib import Path
    study = runpy.run_path(str(Path(__file__).resolve().parent.parent / "benchmarks"
                               / "study_fft_arithmetic.py"))
    study["main"]()
    rows = [r for r in capsys.readouterr().out.splitlines()
            if r.startswith("| ") and "SNR dB" not in r]
    snrs = [float(r.split("|")[2]) for r in rows]
    assert len(snrs) == 5 and snrs[0] > 73 and snrs[0] == max(snrs)


# --- arithmetic = "lanes" -------------------------------------------------------------------------

def lanes_reference(frame, n, inverse):
    """The 16-bit-lane FFT written again, whole stages at once on unbounded integers (numpy int64,
    nothing saturates or wraps), from its statement in fxsim/kernels/fft.py: equal to the model
    only if no lane of the model ever saturated or wrapped. Returns (words, exponent)."""
    from fxsim.kernels import fft as F
    bits = n.bit_length() - 1
    rev = np.array([int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)])
    xr, xi = frame[0::2][rev].astype(np.int64), frame[1::2][rev].astype(np.int64)
    tw = twiddles(n, 15)
    twr, twi = tw[0::2], (-1 if inverse else 1) * tw[1::2]
    odd, e, fs = bits & 1, 0, 32767

    def packed():
        w = np.empty(2 * n, dtype=np.int64)
        w[0::2], w[1::2] = xr, xi
        return w

    m = max(np.abs(xr).max(), np.abs(xi).max())
    sh = 0
    while m and 4 * (m << (sh + 1)) <= fs:       # 4 m <= FS whatever the parity
        sh += 1
    xr, xi, e, m = xr << sh, xi << sh, -sh, m << sh
    h, radix = 1, 2 if odd else 4
    while h < n:
        trivial = h == 1 or radix == 2
        s = F.stage_shift(packed(), m, 16, radix, trivial, F.BFP)
        pre = int(s > (1 if radix == 2 else 2))     # the inputs halved, rounded half up
        yr, yi = xr.copy(), xi.copy()
        if radix == 2:
            ar, ai = (xr[0::2] + pre) >> pre, (xi[0::2] + pre) >> pre
            br, bi = (xr[1::2] + pre) >> pre, (xi[1::2] + pre) >> pre
            l1 = int(s >= 1)
            yr[0::2], yr[1::2] = (ar + br) >> l1, (ar - br) >> l1
            yi[0::2], yi[1::2] = (ai + bi) >> l1, (ai - bi) >> l1
            h = 2
        else:
            g = (np.arange(0, n, 4 * h)[:, None] + np.arange(h)[None, :]).ravel()
            k = g % h * (n // (4 * h))

            def rot(i, j):                  # k = 0: the sample itself (halved when pre)
                sh = 15 + pre
                pr = (twr[j] * xr[i] - twi[j] * xi[i] + (1 << (sh - 1))) >> sh
                pi = (twr[j] * xi[i] + twi[j] * xr[i] + (1 << (sh - 1))) >> sh
                return (np.where(j == 0, (xr[i] + pre) >> pre, pr),
                        np.where(j == 0, (xi[i] + pre) >> pre, pi))

            (br, bi), (cr, ci), (dr, di) = rot(g + h, 2 * k), rot(g + 2 * h, k), rot(g + 3 * h, 3 * k)
            assert all(-32768 <= v.min() and v.max() <= 32767 for v in (br, bi, cr, ci, dr, di))
            ar, ai = (xr[g] + pre) >> pre, (xi[g] + pre) >> pre
            l1, l2 = int(s >= 2), int(s >= 1)
            pr, pi, mr, mi = (ar + br) >> l1, (ai + bi) >> l1, (ar - br) >> l1, (ai - bi) >> l1
            sr, si, er, ei = (cr + dr) >> l1, (ci + di) >> l1, (cr - dr) >> l1, (ci - di) >> l1
            sign = -1 if inverse else 1     # y1 = M -+ i E (forward: minus), y3 the other
            yr[g], yi[g] = (pr + sr) >> l2, (pi + si) >> l2
            yr[g + 2 * h], yi[g + 2 * h] = (pr - sr) >> l2, (pi - si) >> l2
            yr[g + h], yi[g + h] = (mr + sign * ei) >> l2, (mi - sign * er) >> l2
            yr[g + 3 * h], yi[g + 3 * h] = (mr - sign * ei) >> l2, (mi + sign * er) >> l2
            h *= 4
        assert -32768 <= min(yr.min(), yi.min()) and max(yr.max(), yi.max()) <= 32767
        xr, xi, e, radix = yr, yi, e + s, 4
    return packed(), e


@pytest.mark.parametrize("n", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("inverse", [False, True])
def test_lanes_model_is_the_arithmetic_on_unbounded_integers(n, inverse):
    """On the frames at the growth bounds (and -32768 everywhere), the model's lanes (QADD16 &
    co. saturating, PKHBT truncating) equal the same arithmetic on unbounded integers: the block
    floating point keeps every value in its halfword, so nothing saturates or wraps."""
    from fxsim.kernels.fft import fft_frame_lanes
    tw = twiddles(n, 15)
    rng = np.random.default_rng(n)
    # and frames near full scale with arbitrary low bits: constants of either sign plus noise,
    # whose first stage leaves magnitudes near sqrt 2 FS, so the next shifts by 3, rotating
    # values whose rounding is not special
    noisy = [np.clip(np.round(32767 * (0.97 * v + 0.03 * rng.uniform(-1, 1, 2 * n))), -32768,
                     32767).astype(np.int64)
             for v in (1, -1, np.resize([1, -1], 2 * n)) for _ in range(10)]
    for frame in adversarial_frames(n, 16, rng) + noisy:
        work = frame.copy()
        e = fft_frame_lanes(work, tw, 1, n, inverse)
        want, e_want = lanes_reference(frame, n, inverse)
        assert e == e_want and np.array_equal(work, want)


@pytest.mark.parametrize("n", [16, 32, 256, 1024, 4096])
@pytest.mark.parametrize("level", [-10.0, -40.0])
def test_lanes_floor_is_level_independent(n, level):
    """About 5 dB below the guarded arithmetic's floor, and far above CMSIS's (54.8 dB at 256)."""
    snr, sats = snr_vs_numpy(fft_design(n, arithmetic="lanes"),
                             complex_noise(n, level, frames=max(16, 32768 // n)))
    assert snr >= (66.0 if n <= 256 else 64.0) and sats == [0]


def test_lanes_needs_q15():
    with pytest.raises(FxsimError, match=r"needs Q15 data and scaling = \"bfp\" \(here Q31, "):
        fft_design(64, "Q31", arithmetic="lanes")


def test_lanes_round_trip_floor():
    snr, _ = snr_vs_numpy(fft_design(256, then="ifft", arithmetic="lanes"),
                          complex_noise(256, -10.0), True)
    assert snr >= 62.0


@pytest.mark.parametrize("n", [32, 256, 1024])
@pytest.mark.parametrize("level", [-10.0, -40.0])
def test_lanes_real_fft_floor(n, level):
    """The real FFT on lanes: its n/2-point complex FFT on 16-bit lanes, the split step as under
    bfp."""
    snr, sats = rfft_snr(n, level=level, arithmetic="lanes")
    assert snr >= 67.0 and sats == [0]                       # CMSIS at 256: 50.5


def test_lanes_real_fft_round_trip():
    des = D.from_dict({"name": "r", "block": 256,
                       "stage": [{"kernel": "rfft", "n": 256, "arithmetic": "lanes"},
                                 {"kernel": "irfft", "n": 256, "arithmetic": "lanes"}]})
    x_int = input_ints(des, real_noise(256))
    outs, _ = des.run(x_int)
    assert snr_db(dequantize(x_int, des.in_fmt), des.values(outs[-1])) >= 63.0
