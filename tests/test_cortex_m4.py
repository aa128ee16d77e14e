"""The Cortex-M4 target: generated C cross-compiled with arm-none-eabi-gcc and run on QEMU
(mps2-an386) is bit-exact with the model. CI installs the toolchain; on a machine without it these
tests are skipped, except under CI=true where a missing toolchain is a failure."""
import os

import numpy as np
import pytest

from fxsim.codegen import cortex_m4, verify as V
from fxsim import design as D
from fxsim.errors import FxsimError
from fxsim.signals import builtin_signal_set

from .conftest import ROOT
from .test_skeleton import kernel_design, stress_signal

if not cortex_m4.available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI: arm-none-eabi-gcc / qemu-system-arm missing; .ci/run installs them")
    pytest.skip("no Cortex-M4 toolchain (arm-none-eabi-gcc, qemu-system-arm)", allow_module_level=True)


#: the DSP path, and the plain C built for the M4 (-DFXSIM_NO_DSP): the same C the host and RV32
#: tests run, so it is among the slow checks (CI runs them; ``make test`` elsewhere leaves them out)
BOTH_PATHS = [(), pytest.param(("-DFXSIM_NO_DSP",), marks=pytest.mark.slow)]


def test_example_verifies_on_cortex_m4():
    des = D.load(ROOT / "examples/emphasis.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="cortex-m4")
    assert res["bit_exact"] and res["passed"]


@pytest.mark.parametrize("kernel,data,rounding,overflow", [
    ("gain", "Q15", "convergent", "saturate"), ("gain", "Q31", "floor", "wrap"),
    ("deemph", "Q31", "nearest", "saturate"), ("preemph", "Q15", "zero", "wrap")])
def test_kernels_bit_exact_on_cortex_m4(kernel, data, rounding, overflow):
    des = kernel_design(kernel, data, rounding, overflow)
    x = stress_signal(des.in_fmt, n=3000, seed=5)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, "cortex-m4")
    assert np.array_equal(got, want) and c_sats == sats


def test_cost_is_counted():
    des = D.load(ROOT / "examples/emphasis.toml")
    c = V.cost(des, "cortex-m4")
    assert c["instructions_per_call"] > des.block and c["text_bytes"] > 0


def test_missing_toolchain_is_a_user_error(monkeypatch):
    monkeypatch.setattr(cortex_m4, "available", lambda: False)
    with pytest.raises(FxsimError, match="arm-none-eabi-gcc"):
        cortex_m4.require()


@pytest.mark.parametrize("example", ["fir_q15_c16", "fir_q15", "fir_q15_pshift16",
                                     "decimate_q15", "biquad"])
@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
def test_filters_bit_exact_on_cortex_m4_both_paths(example, flags):
    """The DSP-instruction path (SMLALD) and the plain-C path both equal the model."""
    des = D.load(ROOT / f"examples/{example}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="cortex-m4", extra_flags=flags)
    assert res["bit_exact"] and res["passed"], res


def test_dual_mac_path_is_emitted_for_16_bit_taps():
    from fxsim.codegen import render
    des = D.load(ROOT / "examples/fir_q15_c16.toml")
    m4 = render.render(des, "cortex-m4")["fir_q15_c16.c"]
    assert "fir_q15_c16_s0_four(" in m4 and "fx_smlald(" in m4 and "fx_round_preload(" in m4
    assert "fx_mac16x2_exact" in m4                       # the remainder outputs, one at a time
    host = render.render(des, "c99")["fir_q15_c16.c"]
    assert "fx_smlald" not in host and "fx_mac16x2_exact" not in host


@pytest.mark.parametrize("kernel,numtaps,coef,rounding,acc_bits,gain", [
    ("fir", 4, 16, "floor", 40, 1.0),           # the fewest taps the four-output function takes
    ("fir", 5, 16, "ceil", 40, 1.0),            # an odd tap after the pairs
    ("fir", 67, 16, "convergent", 40, 1.0),     # 33 pairs: a loop of four, then straight code
    ("fir", 130, 16, "zero", 64, 1.0),          # 65 pairs, odd tap; a 64-bit accumulator
    ("fir", 31, 16, "nearest", 32, 1.0),        # SMLAD on 32-bit sums, no preload
    ("fir", 24, 16, "nearest", 40, 3.0),        # outputs that saturate (counted in the function)
    ("interpolate", 99, 16, "nearest", 40, 3.0),    # three rows of 33 taps, outputs 3 apart
    ("fir", 4, 32, "ceil", 64, 1.0),            # 32-bit taps, SMLAL: the fewest taps
    ("fir", 5, 32, "floor", 64, 1.0),           # an odd count, 5 % 3 = 2: the last tap alone
    ("fir", 35, 32, "convergent", 64, 2.0),     # odd, 35 % 3 = 2, sums near the limit
    ("fir", 63, 32, "nearest", 64, 1.0),        # an odd count, a multiple of 3 (three registers)
    ("fir", 64, 32, "zero", 64, 3.0),           # the most taps it takes; saturating outputs
    ("interpolate", 90, 32, "convergent", 64, 1.0)])   # three rows of 30 taps
def test_four_output_fir_on_cortex_m4(kernel, numtaps, coef, rounding, acc_bits, gain):
    """The four-output functions (16-bit data; 16-bit taps through SMLALD / SMLAD, 32-bit taps
    through SMLAL) equal the model for every rounding (the sums preloaded with fx_round_preload
    where they are 64-bit), odd and even tap counts, their looped and straight forms, saturating
    outputs and polyphase tables; blocks of 37 leave remainder outputs every call. Tried: a
    NEAREST preload of 2^(s-1) instead of 2^(s-1) - 1 (wrong only on negative ties) fails it."""
    from fxsim.codegen import render
    from scipy.signal import firwin
    # taps on a grid of 2^-10, so that with the impulses below some outputs are exact ties
    h = np.round(firwin(numtaps, 0.3) * gain * 1024) / 1024
    stage = {"kernel": kernel, "taps": h.tolist(), "coef": coef, "acc_bits": acc_bits,
             "rounding": rounding, "data": "Q1.14" if gain == 1 else "Q15"}
    if kernel == "interpolate":
        stage["factor"] = 3
    des = D.from_dict({"name": "four", "block": 37, "defaults": {"data": "Q15"},
                       "stage": [stage]})
    ctx = des.stages[0].c_context()
    assert ctx["pairs"] == (coef == 16) and ctx["acc32"] == (acc_bits == 32)
    assert gain == 1 or not ctx["out_fits"]
    assert "four_s0_four(" in render.render(des, "cortex-m4")["four.c"]
    # and impulses of +-2^j, j = 0..15, apart: each sum is one tap times 2^j, so that for every
    # tap with its lowest set bit at s - 1 - j the output is an exact tie, of either sign (with
    # 32-bit taps too: their low bits are zero)
    gap = numtaps + 5
    ties = np.zeros(32 * gap, dtype=np.int64)
    ties[::gap] = [sg * min(1 << j, 32767) for j in range(16) for sg in (-1, 1)]
    x = np.concatenate([stress_signal(des.in_fmt, n=1500, seed=numtaps), ties])
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, "cortex-m4")
    assert np.array_equal(got, want) and c_sats == sats
    assert (sats[0] > 0) == (gain > 1)


@pytest.mark.parametrize("taps", [2, 3, 9, 64, 65, 71, 72, 75])
@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
def test_product_shift_16_on_cortex_m4(taps, flags):
    """16-bit data, 32-bit taps, products shifted right 16 into a 32-bit accumulator: SMLAWB /
    SMLAWT two taps a pass (the loop above 64 taps, straight code below; an odd tap left over),
    four outputs a group and the remainder one at a time (block 37), equal to the model; the
    plain-C path too. 71 and 72 taps: the loop and straight passes after it. The guard bits keep
    the accumulator's bound within a factor of two of 2^31; up to 9 taps the output provably
    fits Q2.13 (no saturation code), from 64 it may saturate (counted)."""
    from fxsim.codegen import render
    h = np.sin(np.arange(1, taps + 1)) * 0.9 / np.sqrt(taps)
    des = D.from_dict({"name": f"smlaw{taps}", "block": 37, "defaults": {"data": "Q15"},
                       "stage": [{"kernel": "fir", "taps": h.tolist(), "acc_bits": 32,
                                  "product_shift": 16, "data": "Q2.13"}]})
    st = des.stages[0]
    assert st.exact and st.c_context()["acc32"] and st.coef_word == 32
    c = render.render(des, "cortex-m4")[f"smlaw{taps}.c"]
    assert "fx_smlawb" in c
    assert ("fx_fit" not in c) == (taps <= 9) == bool(st.c_context()["out_fits"])
    x = stress_signal(des.in_fmt, n=1500, seed=taps)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, "cortex-m4", extra_flags=flags)
    assert np.array_equal(got, want) and c_sats == sats


@pytest.mark.parametrize("kernel,factor", [("decimate", 3), ("interpolate", 2)])
def test_product_shift_polyphase_on_cortex_m4(kernel, factor):
    des = D.from_dict({"name": f"ps_{kernel}", "block": 60, "defaults": {"data": "Q15"},
                       "stage": [{"kernel": kernel, "factor": factor, "acc_bits": 32,
                                  "product_shift": 16}]})
    x = stress_signal(des.in_fmt, n=1200, seed=factor)
    want, sats = des.simulate(x)
    got, c_sats = V.outputs(des, x, "cortex-m4")
    assert np.array_equal(got, want) and c_sats == sats


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "gate").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_default_q15_designs_pass_on_cortex_m4(path):
    des = D.load(path)
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="cortex-m4")
    assert res["passed"] and res["bit_exact"], res["failures"]


def test_framed_complex_ports_on_cortex_m4(monkeypatch):
    """The contract's complex frames, block exponents and side outputs through the M4 harness."""
    from fxsim.kernels import REGISTRY
    from .contract.probe import FrameProbe
    monkeypatch.setitem(REGISTRY, "frame_probe", FrameProbe)
    des = D.from_dict({"name": "probe", "block": 50,
                       "stage": [{"kernel": "gain", "gain": 0.5},
                                 {"kernel": "frame_probe", "n": 32}]})
    x = np.random.default_rng(2).uniform(-1, 1, 700)
    res = V.verify(des, {"noise": x}, target="cortex-m4", per_stage=True)
    assert res["bit_exact"], res["failures"]


@pytest.mark.parametrize("name", ["fft_q15", "fft_lanes_q15", "fft_roundtrip_q15", "fft_q31",
                                  "rfft_q15", "rfft_lanes_q15", "stft_q15", "fir_ols_q31"])
def test_fft_examples_on_cortex_m4(name):
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=1024, complex_=des.in_port.complex),
                   target="cortex-m4", per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fft_q15", "fft_roundtrip_q15", "rfft_q15", "stft_q15"])
def test_fft_plain_path_on_cortex_m4(name):
    """-DFXSIM_NO_DSP: the twiddle products in plain C, equal to the SMUSD / SMUADX path's."""
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=1024, complex_=des.in_port.complex),
                   target="cortex-m4", per_stage=True, extra_flags=("-DFXSIM_NO_DSP",))
    assert res["bit_exact"] and res["passed"], res["failures"]


@pytest.mark.parametrize("rounding", ["nearest", "zero", "floor"])
@pytest.mark.parametrize("n", [64, 128])
def test_fft_packed_first_stage_on_cortex_m4(n, rounding):
    """The first stage (radix 4 for n = 64, radix 2 for n = 128) on packed words where block
    floating point proves it needs no shift, and the 32-bit path where it shifts: a quiet input
    (|x| <= FS / 64: normalised, the first stage never shifts), a frame at the edge (largest
    component 8191: radix 4 just needs no shift) and a full-scale square (m = FS: it must),
    through fft then ifft (both directions' QSAX / QASX), bit-exact on the M4."""
    des = D.from_dict({"name": f"rt{n}", "block": n, "input": "complex",
                       "defaults": {"data": "Q15", "rounding": rounding},
                       "stage": [{"kernel": "fft", "n": n, "scaling": "bfp"},
                                 {"kernel": "ifft", "n": n, "scaling": "bfp"}]})
    rng = np.random.default_rng(n)
    quiet = (rng.uniform(-1, 1, 8 * n) + 1j * rng.uniform(-1, 1, 8 * n)) / 64
    square = np.where(np.arange(8 * n) % 10 < 5, 1.0, -1.0) * (1 + 1j) * (32767 / 32768)
    edge = np.where(np.arange(8 * n) % 3 == 0, 8191, -8191) * (1 - 1j) / 32768
    res = V.verify(des, {"quiet": quiet, "edge": edge, "square": square}, target="cortex-m4",
                   per_stage=True)
    assert res["bit_exact"], res["failures"]


def bfp_test_signals(n: int, complex_: bool) -> dict[str, np.ndarray]:
    """Inputs that take every branch of the FFTs' block floating point: noise at 1/64, 1/4 and
    full scale; constant frames of both signs (a real frame's whole energy in the bins the last
    stage's first butterflies make); frames holding only +-2^k, k = 0 .. 14 (normalised by up
    to 13 bits)."""
    rng = np.random.default_rng(n)
    size = 12 * n
    level = np.repeat([1 / 64, 0.25, 1.0], size // 3)
    noise = rng.uniform(-1, 1, size) * level
    constants = np.repeat([16384, -16384, 30000, -30000], 2 * n) / 32768
    spikes = np.zeros((15, 2 * n))
    for k in range(15):
        spikes[k, k % n] = 2.0 ** k
        spikes[k, (k + n // 2) % n + n] = -2.0 ** k
    sigs = {"levels": np.clip(noise, -1, 32767 / 32768), "constants": constants,
            "spikes": spikes.ravel() / 32768}
    if complex_:
        sigs = {k: v + 1j * np.roll(v, 1) for k, v in sigs.items()}
    return sigs


@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
@pytest.mark.parametrize("kernel,n", [("fft", 16), ("fft", 64), ("rfft", 16), ("rfft", 32),
                                      ("rfft", 128), ("stft", 16), ("stft", 32), ("stft", 64)])
def test_fft_whole_and_partial_frames_on_cortex_m4(kernel, n, flags):
    """Calls of 1.5 n + 1 samples: frames that arrive whole, which the transform reads from the
    input bit-reversed (measuring the peak on the way; the real FFT's from odd sample offsets,
    unaligned words), and frames filled across calls, copied and then permuted in place; the
    real FFT's split given its input's peak by the last stage (n = 16: a radix-2 stage, then a
    last stage of span 2; n = 32: the packed stage of span 1, then one of span 4); quiet to
    full-scale, constant and single-spike frames, bit-exact with the model."""
    des = D.from_dict({"name": f"wp_{kernel}", "block": 3 * n // 2 + 1,
                       "input": "complex" if kernel == "fft" else "real",
                       "defaults": {"data": "Q15"},
                       "stage": [{"kernel": kernel, "n": n, "scaling": "bfp"}]})
    res = V.verify(des, bfp_test_signals(n, kernel == "fft"), target="cortex-m4", per_stage=True,
                   extra_flags=flags)
    assert res["bit_exact"], res["failures"]


@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
@pytest.mark.parametrize("kernel,n", [("rfft", 16), ("rfft", 64), ("rfft", 256), ("stft", 32)])
def test_real_fft_round_trip_on_cortex_m4(kernel, n, flags):
    """The real FFT's split and its inverse's merge (on packed words with the DSP extension:
    SMUAD / SMUSD(X) products, SMLAD for the even part) on the same extreme frames, through
    rfft then irfft (stft then istft), bit-exact with the model, both paths."""
    inv = {"rfft": "irfft", "stft": "istft"}[kernel]
    des = D.from_dict({"name": f"rt_{kernel}", "block": 3 * n // 2 + 1,
                       "defaults": {"data": "Q15"},
                       "stage": [{"kernel": kernel, "n": n, "scaling": "bfp"},
                                 {"kernel": inv, "n": n, "scaling": "bfp"}]})
    res = V.verify(des, bfp_test_signals(n, False), target="cortex-m4", per_stage=True,
                   extra_flags=flags)
    assert res["bit_exact"], res["failures"]


@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
@pytest.mark.parametrize("kernel,n", [("fft", 16), ("fft", 32), ("fft", 64), ("fft", 256),
                                      ("rfft", 32), ("rfft", 64), ("rfft", 256), ("stft", 64)])
def test_lanes_fft_round_trip_on_cortex_m4(kernel, n, flags):
    """arithmetic = "lanes": fft then ifft (rfft then irfft, stft then istft: their n/2-point
    transforms, the twiddles at stride 2, the last stage giving the split its peak) on packed
    halfwords (SMLSD / SMLADX rotations, QADD16 or SHADD16 & co. as each stage shifts, the
    inputs halved in a stage that shifts by 3: the full-scale frames), whole frames and frames
    filled across calls, odd and even log2 n, bit-exact with the model through the instructions
    and through their plain-C twins."""
    inv = {"fft": "ifft", "rfft": "irfft", "stft": "istft"}[kernel]
    des = D.from_dict({"name": f"lanes_{kernel}{n}", "block": 3 * n // 2 + 1,
                       "input": "complex" if kernel == "fft" else "real",
                       "defaults": {"data": "Q15"},
                       "stage": [{"kernel": kernel, "n": n, "arithmetic": "lanes"},
                                 {"kernel": inv, "n": n, "arithmetic": "lanes"}]})
    sigs = bfp_test_signals(n, kernel == "fft")
    # m = 32768: the first stage halves its inputs; near full scale with arbitrary low bits: the
    # second stage shifts by 3, halving its rotations (PKHTB) on values of no special form
    sigs["most negative"] = np.full(4 * n, -1.0 - 1.0j if kernel == "fft" else -1.0)
    rng = np.random.default_rng(n)
    near = 0.97 + 0.03 * rng.uniform(-1, 1, (2, 8 * n))
    sigs["near full scale"] = near[0] + 1j * near[1] if kernel == "fft" else near[0]
    # an impulse of 0.9 (1 + i) each frame over faint noise: a flat spectrum near full scale, so
    # that the inverse's stages with twiddles shift by 3 and halve their rotations too
    imp = 0.003 * rng.uniform(-1, 1, (2, 8 * n))
    imp[:, ::n] = 0.9
    sigs["impulses"] = imp[0] + 1j * imp[1] if kernel == "fft" else imp[0]
    res = V.verify(des, sigs, target="cortex-m4", per_stage=True, extra_flags=flags)
    assert res["bit_exact"], res["failures"]


@pytest.mark.parametrize("name", ["ns_q15", "speech_ns", "ns_hpf_q15"])
def test_speech_front_end_on_cortex_m4(name):
    """The noise suppressor's samples and per-frame decisions, bit-exact on the M4."""
    des = D.load(ROOT / "examples" / f"{name}.toml")
    res = V.verify(des, builtin_signal_set(des.sample_rate, n=2400), target="cortex-m4",
                   per_stage=True)
    assert res["bit_exact"] and res["passed"], res["failures"]


@pytest.mark.parametrize("flags", BOTH_PATHS, ids=["dsp", "plain"])
@pytest.mark.parametrize("numtaps", [64, 63])
def test_fir_32_bit_accumulator_on_cortex_m4(flags, numtaps):
    """16-bit taps whose sum provably fits a 32-bit accumulator: SMLAD, four outputs a tap pair
    at a time (and the remainder tap of an odd count), bit-exact both paths."""
    import tomllib
    doc = tomllib.loads((ROOT / "examples/fir_q15_c16.toml").read_text())
    doc["stage"][0]["acc_bits"] = 32
    doc["stage"][0]["design"]["numtaps"] = numtaps
    des = D.from_dict(doc)
    assert des.stages[0].c_context()["acc32"]
    res = V.verify(des, builtin_signal_set(des.sample_rate), target="cortex-m4", extra_flags=flags)
    assert res["bit_exact"] and res["passed"], res["failures"]
