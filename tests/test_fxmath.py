"""fxsim.fxmath: accuracy against float64 (exhaustive Q15, sampled Q31), exact integer properties,
edge cases, argument errors, the generated table header, and the C twin (c_ref/fxsim_math.c)
bit for bit against the model at -O0, -O2 and under the sanitizers."""
from __future__ import annotations

import math
from pathlib import Path

import numba as nb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fxsim.codegen.build import SANITIZE, compile_host, run
from fxsim import fxmath as M
from fxsim import primitives as P
from fxsim import tables
from fxsim.errors import FxsimError
from fxsim.qformat import QFormat
from fxsim.resources import c_ref_dir

ROOT = Path(__file__).resolve().parent.parent
Q31_SAMPLES = 1_000_000


# ---------------------------------------------------------------------------------------------
# inputs

def corners(fmt: QFormat) -> np.ndarray:
    """Edge inputs of a format: 0, +-1, small values, the extremes, and every power of two with
    its neighbours."""
    lo, hi = fmt.min_int, fmt.max_int
    vals = set(range(-40, 41)) | {lo, lo + 1, lo + 2, hi, hi - 1, hi - 2}
    for b in range(fmt.word_bits + 1):
        for s in (1, -1):
            for d in (-1, 0, 1):
                vals.add(s * (1 << b) + d)
    return np.array(sorted(v for v in vals if lo <= v <= hi), dtype=np.int64)


def q31_inputs(n=Q31_SAMPLES, seed=0, positive=False) -> np.ndarray:
    """Corners, uniform random and log-uniform random (every magnitude) Q31 integers."""
    rng = np.random.default_rng(seed)
    fmt = QFormat.parse("Q31")
    lo = 1 if positive else fmt.min_int
    uni = rng.integers(lo, fmt.max_int, n // 2, endpoint=True)
    mag = rng.integers(1 << 30, 1 << 31, n // 2) >> rng.integers(0, 31, n // 2)
    if not positive:
        mag = np.where(rng.integers(0, 2, n // 2) == 1, mag, -mag)
    c = corners(fmt)
    return np.concatenate([c[c >= lo], uni, mag]).astype(np.int64)


def all_ints(fmt) -> np.ndarray:
    f = QFormat.parse(fmt)
    return np.arange(f.min_int, f.max_int + 1, dtype=np.int64)


def errors(name, x, fmt, y, of):
    """Signed errors in output LSB against float64 (saturated reference where it saturates)."""
    ref = np.clip(M.reference(name, x, fmt, of), of.min_int, of.max_int)
    return y.astype(np.float64) - ref


def exact_sqrt_round(n: np.ndarray) -> np.ndarray:
    """round(sqrt(n)) of int64 n >= 0 in exact integer arithmetic (float guess, then fixed)."""
    r = np.floor(np.sqrt(n.astype(np.float64))).astype(np.int64)
    r = np.where(r * r > n, r - 1, r)
    r = np.where((r + 1) * (r + 1) <= n, r + 1, r)
    return np.where(n - r * r > r, r + 1, r)


# ---------------------------------------------------------------------------------------------
# formats

@pytest.mark.parametrize("fn,fmt,out", [
    (M.sqrt, "Q15", "Q15"), (M.sqrt, "Q31", "Q31"), (M.sqrt, "Q3.12", "Q2.13"),
    (M.sqrt, "UQ0.16", "UQ0.16"),
    (M.log2, "Q15", "Q4.11"), (M.log2, "Q31", "Q5.26"), (M.log2, "Q3.12", "Q4.11"),
    (M.log10, "Q15", "Q3.12"), (M.log10, "Q31", "Q4.27"),
    (M.db, "Q15", "Q6.9"), (M.db, "Q31", "Q7.24"),
    (M.pow2, "Q15", "Q1.14"), (M.pow2, "Q31", "Q1.30"), (M.pow2, "Q2.13", "Q4.11"),
    (M.pow2, "UQ0.16", "UQ1.15"),
    (M.db_to_lin, "Q7.8", "Q1.14"), (M.db_to_lin, "Q31", "Q1.30"),
    (M.reciprocal, "Q15", "Q16.15"), (M.reciprocal, "Q31", "Q32.31"),
])
def test_output_formats(fn, fmt, out):
    y, of = fn(np.array([1, 2, 3]), fmt)
    assert str(of) == out
    assert y.dtype == of.dtype


def test_scalar_and_shape():
    y, of = M.sqrt(16384, "Q15")
    assert y.shape == () and int(y) == 23170          # sqrt(0.5) = 0.70711 -> 23170.475
    y, _ = M.log2(np.full((2, 3), 16384), "Q15")
    assert y.shape == (2, 3) and np.all(y == -(1 << 11))


# ---------------------------------------------------------------------------------------------
# accuracy: sqrt

@pytest.mark.parametrize("method", ["newton", "bisection"])
def test_sqrt_q15_exhaustive_correctly_rounded(method):
    x = all_ints("Q15")
    y, of = M.sqrt(x, "Q15", method)
    pos = np.maximum(x, 0)
    assert np.array_equal(y, exact_sqrt_round(pos << 15))
    e = errors("sqrt", x, "Q15", y, of)
    assert np.abs(e).max() <= 0.5 + 1e-9
    assert np.all(y[x <= 0] == 0)


@pytest.mark.parametrize("method", ["newton", "bisection"])
def test_sqrt_q31_sampled_correctly_rounded(method):
    x = q31_inputs()
    y, of = M.sqrt(x, "Q31", method)
    pos = np.maximum(x, 0)
    assert np.array_equal(y, exact_sqrt_round(pos << 31))
    e = errors("sqrt", x, "Q31", y, of)
    assert np.abs(e).max() <= 0.5 + 1e-6


@pytest.mark.parametrize("fmt", ["Q3.12", "UQ0.16", "UQ3.13", "Q7.8"])
def test_sqrt_other_formats_exhaustive(fmt):
    f = QFormat.parse(fmt)
    x = all_ints(f)
    y, of = M.sqrt(x, f, "bisection")
    k = 2 * of.frac_bits - f.frac_bits
    assert np.array_equal(y, np.minimum(exact_sqrt_round(np.maximum(x, 0) << k), of.max_int))
    assert np.array_equal(y, M.sqrt(x, f, "newton")[0])


def test_isqrt_exact():
    rng = np.random.default_rng(3)
    x64 = np.concatenate([np.arange(0, 5000), rng.integers(0, 2 ** 63 - 1, 200000, endpoint=True),
                          [2 ** 63 - 1, 2 ** 62, 2 ** 62 - 1, (2 ** 31) ** 2, (2 ** 31) ** 2 - 1]])
    x64 = x64.astype(np.int64)
    ref = np.array([math.isqrt(int(v)) for v in x64], dtype=np.int64)
    for method in ("newton", "bisection"):
        assert np.array_equal(M.isqrt64(x64, method), ref)
    x32 = np.concatenate([np.arange(0, 5000), rng.integers(0, 2 ** 32, 100000),
                          [2 ** 32 - 1, 2 ** 32 - 2, 65535 ** 2, 65536 ** 2 - 1]])
    ref32 = np.array([math.isqrt(int(v)) for v in x32], dtype=np.int64)
    assert np.array_equal(M.isqrt32(x32), ref32)
    assert np.array_equal(M.isqrt32(x32, "newton"), ref32)
    assert np.all(M.isqrt64(np.array([-1, -5, np.iinfo(np.int64).min])) == 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2 ** 63 - 1))
def test_isqrt64_property(n):
    r = int(M.isqrt64(n))
    assert r * r <= n < (r + 1) * (r + 1)
    assert int(M.isqrt64(n, "newton")) == r


# ---------------------------------------------------------------------------------------------
# accuracy: logs

@pytest.mark.parametrize("name", ["log2", "log10", "db"])
def test_log_q15_exhaustive(name):
    fn = getattr(M, name)
    x = all_ints("Q15")
    y, of = fn(x, "Q15")
    pos = x > 0
    e = errors(name, x[pos], "Q15", y[pos], of)
    assert np.abs(e).max() <= 0.5 + 1e-3              # measured 0.50000
    assert abs(e.mean()) < 0.005                       # no bias
    assert np.all(y[~pos] == of.min_int)               # log of x <= 0: the output minimum


@pytest.mark.parametrize("name,bound", [("log2", 0.52), ("log10", 0.52), ("db", 0.52)])
def test_log_q31_sampled(name, bound):
    fn = getattr(M, name)
    x = np.unique(q31_inputs(positive=True))
    y, of = fn(x, "Q31")
    e = errors(name, x, "Q31", y, of)
    assert np.abs(e).max() <= bound                    # measured 0.511 / 0.507 / 0.508
    assert abs(e.mean()) < 0.005
    assert np.mean(np.abs(e) <= 0.5) > 0.99            # correctly rounded almost everywhere


@pytest.mark.parametrize("fmt", ["Q3.12", "Q7.8", "UQ0.16", "Q2.29"])
def test_log2_other_formats(fmt):
    f = QFormat.parse(fmt)
    x = all_ints(f) if f.word_bits <= 16 else np.unique(
        np.random.default_rng(5).integers(1, f.max_int, 200000))
    x = x[x > 0]
    for name in ("log2", "log10", "db"):
        y, of = getattr(M, name)(x, f)
        e = errors(name, x, f, y, of)
        assert np.abs(e).max() <= 0.52, (name, fmt)


def test_log2_exact_at_powers_of_two():
    x = np.array([1 << k for k in range(31)], dtype=np.int64)
    y, of = M.log2(x, "Q31")
    assert np.array_equal(y, (np.arange(31) - 31) << of.frac_bits)


# ---------------------------------------------------------------------------------------------
# accuracy: pow2, db_to_lin

def test_pow2_q15_exhaustive():
    x = all_ints("Q15")
    y, of = M.pow2(x, "Q15")
    e = errors("pow2", x, "Q15", y, of)
    assert np.abs(e).max() <= 0.5 + 1e-3
    assert abs(e.mean()) < 0.005
    assert np.all(np.diff(y) >= 0)                     # monotonic


def test_pow2_q31_sampled():
    x = np.unique(q31_inputs())
    y, of = M.pow2(x, "Q31")
    e = errors("pow2", x, "Q31", y, of)
    assert np.abs(e).max() <= 0.52                      # measured 0.510
    assert abs(e.mean()) < 0.005
    assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("fmt", ["Q2.13", "Q4.11", "UQ0.16", "Q5.26"])
def test_pow2_other_formats(fmt):
    f = QFormat.parse(fmt)
    x = all_ints(f) if f.word_bits <= 16 else np.random.default_rng(6).integers(
        f.min_int, f.max_int, 200000)
    y, of = M.pow2(x, f)
    e = errors("pow2", x, f, y, of)
    assert np.abs(e).max() <= 0.52, fmt


def test_db_to_lin():
    x = all_ints("Q7.8")
    y, of = M.db_to_lin(x, "Q7.8")
    e = errors("db_to_lin", x, "Q7.8", y, of)
    assert np.abs(e).max() <= 0.5 + 1e-3
    assert int(y[x == 0][0]) == 1 << 14                 # 0 dB -> 1.0
    assert int(y[x == -6 * 256][0]) == round(10 ** (-6 / 20) * 2 ** 14)
    assert y[-1] == of.max_int                          # +127.99 dB saturates
    x = np.unique(q31_inputs())
    y, of = M.db_to_lin(x, "Q31")
    e = errors("db_to_lin", x, "Q31", y, of)
    assert np.abs(e).max() <= 0.52                      # measured 0.506
    y, of = M.db_to_lin(np.array([-20 << 8, -40 << 8]), "Q7.8", out="Q31")
    assert np.array_equal(y, [round(0.1 * 2 ** 31), round(0.01 * 2 ** 31)])


# ---------------------------------------------------------------------------------------------
# reciprocal and division: exact

def test_reciprocal_exact():
    x = all_ints("Q15")
    y, of = M.reciprocal(x, "Q15")
    nz = x != 0
    num = 1 << 30
    q = np.abs(num // np.abs(x[nz]))
    r = num - q * np.abs(x[nz])
    ref = np.sign(x[nz]) * (q + (2 * r >= np.abs(x[nz])))
    assert np.array_equal(y[nz], ref)
    assert y[~nz][0] == of.max_int
    x31 = q31_inputs(200000)
    y31, of31 = M.reciprocal(x31, "Q31")
    for v, w in zip(x31[:20000].tolist(), y31[:20000].tolist()):
        if v:
            assert 2 * abs(w * v - (1 << 62)) <= abs(v)      # |w - 2**62 / v| <= 1/2, exactly


def test_div32_16():
    rng = np.random.default_rng(7)
    num = rng.integers(-2 ** 31, 2 ** 31, 200000)
    den = rng.integers(-2 ** 15, 2 ** 15, 200000)
    den[den == 0] = 1
    y, of = M.div32_16(num, den)
    assert str(of) == "Q15"
    exact = num / (2.0 * den)                           # Q31 / Q15 -> Q15: num 2**-1 / den
    ref = np.clip(exact, -32768, 32767)
    assert np.abs(y - ref).max() <= 0.5 + 1e-9
    assert int(M.div32_16(5, 0)[0]) == 32767 and int(M.div32_16(-5, 0)[0]) == -32768
    assert int(M.div32_16(2 ** 30, 2 ** 15 - 1)[0]) == round(2 ** 30 / (2 * 32767))
    for rnd, v in [("floor", -2), ("ceil", -1), ("zero", -1), ("nearest", -2), ("convergent", -2)]:
        assert int(M.div32_16(-3, 1, rounding=rnd)[0]) == v   # -3 / 2 = -1.5
    y, of = M.div32_16(np.array([100]), np.array([7]), num_fmt="Q15.16", den_fmt="Q15",
                       out="Q15.16")
    assert int(y[0]) == round(100 * 2 ** 15 / 7)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2 ** 62), 2 ** 62), st.integers(-(2 ** 40), 2 ** 40).filter(bool),
       st.sampled_from(range(5)))
def test_div_round_primitive(a, b, mode):
    from fractions import Fraction
    q = Fraction(a, b)
    fl = math.floor(q)
    frac = q - fl
    if mode == P.FLOOR:
        ref = fl
    elif mode == P.CEIL:
        ref = math.ceil(q)
    elif mode == P.ZERO:
        ref = int(q)
    elif frac != Fraction(1, 2):
        ref = fl + (frac > Fraction(1, 2))
    elif mode == P.NEAREST:
        ref = fl + 1 if q > 0 else fl
    else:
        ref = fl + (fl & 1)
    assert int(M.div_q(a, b, 0, 64, mode)) == ref


# ---------------------------------------------------------------------------------------------
# errors, tables

def test_argument_errors():
    with pytest.raises(FxsimError, match="does not fit Q15"):
        M.sqrt([40000], "Q15")
    with pytest.raises(FxsimError, match="method"):
        M.sqrt([1], "Q15", method="cordic")
    with pytest.raises(FxsimError, match="value bits"):
        M.log2([1], "UQ0.32")
    with pytest.raises(FxsimError, match="Q format"):
        M.pow2([1], "Q1.2.3")
    with pytest.raises(FxsimError, match="signed"):
        M.reciprocal([1], "UQ0.16")
    with pytest.raises(FxsimError, match="isqrt32"):
        M.isqrt32([2 ** 32])
    with pytest.raises(FxsimError, match="expected integers"):
        M.log2(np.array([0.5]), "Q15")


def test_out_override():
    y, of = M.log2(np.array([1 << 14]), "Q15", out="Q7.24")
    assert int(y[0]) == -(1 << 24)
    y, of = M.sqrt(np.array([1 << 30]), "Q31", out="Q1.30")
    assert int(y[0]) == round(math.sqrt(0.5) * 2 ** 30)
    with pytest.raises(FxsimError, match="out"):
        M.sqrt([1], "Q31", out="Q20.11")


def test_tables_header_is_generated():
    """c_ref/fxsim_tables.h is exactly what `python -m fxsim.tables` writes."""
    assert (c_ref_dir() / "fxsim_tables.h").read_text() == tables.header_text()


def test_table_accuracy():
    assert tables.max_poly_error(tables.LOG2_POLY, lambda f: np.log2(1 + f)) < 2.0 ** -32
    assert tables.max_poly_error(tables.POW2_POLY, np.exp2) < 2.0 ** -36


# ---------------------------------------------------------------------------------------------
# the C twin

DRIVER = [ROOT / "tests" / "c" / "fxmath_driver.c", c_ref_dir() / "fxsim_math.c"]


@pytest.fixture(scope="module")
def drivers():
    return {"-O0": compile_host(DRIVER, "fxmath_driver", opt="-O0"),
            "-O2": compile_host(DRIVER, "fxmath_driver", opt="-O2"),
            "sanitize": compile_host(DRIVER, "fxmath_driver_san", opt="-O1",
                                     extra_flags=SANITIZE)}


def c_run(exe, args, x):
    out = run(exe, [str(a) for a in args], np.ascontiguousarray(x, dtype="<i8").tobytes())
    return np.frombuffer(out, dtype="<i8")


def _cases(n, seed):
    """(name, C args, input int64, model output) for every function over several formats:
    corner inputs plus n random ones per case."""
    rng = np.random.default_rng(seed)
    cases = []

    def inputs(f):
        return np.concatenate([corners(f), rng.integers(f.min_int, f.max_int, n, endpoint=True)])

    for fmt in ("Q15", "Q31", "Q3.12", "UQ0.16", "Q2.29", "Q7.8"):
        f = QFormat.parse(fmt)
        vb = f.word_bits - 1 if f.signed else f.word_bits
        x = inputs(f)
        for method, code in (("newton", M.NEWTON), ("bisection", M.BISECTION)):
            y, of = M.sqrt(x, f, method)
            sat = of.word_bits + (0 if of.signed else 1)
            cases.append((f"sqrt-{method} {fmt}", ["sqrt", 2 * of.frac_bits - f.frac_bits, sat,
                                                    code], x, y))
        for name, base in (("log2", M.LOG2), ("log10", M.LOG10), ("db", M.DB)):
            y, of = getattr(M, name)(x, f)
            cases.append((f"{name} {fmt}", ["log", vb, f.frac_bits, base, of.frac_bits,
                                            of.word_bits], x, y))
        y, of = M.pow2(x, f)
        sat = of.word_bits + (0 if of.signed else 1)
        cases.append((f"pow2 {fmt}", ["pow2", f.frac_bits, of.frac_bits, sat], x, y))
        y, of = M.db_to_lin(x, f)
        sat = of.word_bits + (0 if of.signed else 1)
        cases.append((f"db_to_lin {fmt}", ["db_to_lin", f.frac_bits, of.frac_bits, sat], x, y))
        if f.signed:
            y, of = M.reciprocal(x, f)
            cases.append((f"reciprocal {fmt}", ["reciprocal", f.word_bits], x, y))
    # db_to_lin into a wider output; log into a chosen output
    f = QFormat.parse("Q7.8")
    x = inputs(f)
    y, of = M.db_to_lin(x, f, out="Q31")
    cases.append(("db_to_lin Q7.8->Q31", ["db_to_lin", 8, 31, 32], x, y))
    # division: pairs
    nf, df = QFormat.parse("Q31"), QFormat.parse("Q15")
    num = np.concatenate([corners(nf), rng.integers(nf.min_int, nf.max_int, 5 * n)])
    den = np.concatenate([corners(df), rng.integers(-32768, 32768, num.size)])[:num.size]
    for mode_name in ("nearest", "floor", "convergent"):
        y, of = M.div32_16(num, den, rounding=mode_name)
        pairs = np.stack([num, den], axis=1).ravel()
        cases.append((f"div32_16 {mode_name}",
                      ["div", -1, 16, P.ROUNDING_NAMES.index(mode_name)], pairs, y))
    # integer square roots
    x64 = np.concatenate([np.arange(-10, 5000), rng.integers(0, 2 ** 63 - 1, 5 * n, endpoint=True),
                          [2 ** 63 - 1, -(2 ** 63)]]).astype(np.int64)
    for method, code in (("newton", M.NEWTON), ("bisection", M.BISECTION)):
        cases.append((f"isqrt {method}", ["isqrt", code], x64, M.isqrt64(x64, method)))
    cases.append(("isqrt64", ["isqrt64"], x64, M.isqrt64(x64)))
    x32 = np.concatenate([np.arange(0, 5000), rng.integers(0, 2 ** 32, 5 * n),
                          [2 ** 32 - 1]]).astype(np.int64)
    cases.append(("isqrt32", ["isqrt32"], x32, M.isqrt32(x32)))
    x16 = np.arange(-32768, 32768, dtype=np.int64)          # every Q15 input
    cases.append(("sqrt_q15", ["sqrt_q15"], x16, M.sqrt(x16, "Q15", "newton")[0]))
    return cases


def _compare(exe, cases, label=""):
    """{function: mismatches} of the C driver against the model (empty when bit-exact); prints
    the totals (visible with pytest -s)."""
    bad, compared = {}, 0
    for name, args, x, y in cases:
        got = c_run(exe, args, x)
        want = y.astype(np.int64).ravel()
        mism = int(np.count_nonzero(got != want)) if got.size == want.size else max(got.size, want.size)
        compared += want.size
        if mism:
            bad[name] = mism
    print(f"fxmath C twin [{label}]: {sum(bad.values())} mismatches of {compared} outputs")
    return bad


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_c_twin_bit_exact(drivers, opt):
    cases = _cases(Q31_SAMPLES // 5, seed=11)           # 6 formats x 200k >= 10^6 per function
    assert _compare(drivers[opt], cases, opt) == {}


def test_c_twin_sanitized(drivers):
    assert _compare(drivers["sanitize"], _cases(5000, seed=12), "sanitize") == {}


# ---------------------------------------------------------------------------------------------
# the C twin on the Cortex-M4 (arm-none-eabi-gcc, QEMU mps2-an386): 32-bit core, 64-bit math
# through libgcc, so a different code path from the host's

def m4_driver_elf(opt="-O2") -> Path:
    """The driver cross-compiled for the Cortex-M4 (strict flags), through the one build path."""
    from fxsim.codegen import build

    files = {Path(p).name: Path(p).read_text() for p in DRIVER}
    return build.build_program(files, list(files), "cortex-m4", opt, tag="fxmath_driver").program


def m4_run(elf, args, x, count=False):
    """Run the M4 driver on x through files; returns (outputs, instructions executed or None)."""
    import tempfile

    from fxsim.codegen import cortex_m4

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "in.raw").write_bytes(np.ascontiguousarray(x, dtype="<i8").tobytes())
        _, n = cortex_m4.run_qemu(elf, ["-f", "in.raw", "out.raw", *map(str, args)], cwd=tmp,
                                  count=count)
        return np.frombuffer(Path(tmp, "out.raw").read_bytes(), dtype="<i8"), n


def test_c_twin_bit_exact_on_cortex_m4():
    import os

    from fxsim.codegen import cortex_m4
    if not cortex_m4.available():
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI: arm-none-eabi-gcc / qemu-system-arm missing")
        pytest.skip("no Cortex-M4 toolchain")
    elf = m4_driver_elf()
    bad = {}
    for name, args, x, y in _cases(2000, seed=13):
        got, _ = m4_run(elf, args, x)
        if got.size != y.size or np.any(got != y.astype(np.int64).ravel()):
            bad[name] = int(np.count_nonzero(got != y.astype(np.int64).ravel()))
    assert bad == {}


# ---------------------------------------------------------------------------------------------
# any format: random Q formats, model against the exact / float reference and against C

@st.composite
def q_formats(draw):
    signed = draw(st.booleans())
    word = draw(st.integers(3, 32 if signed else 31))
    int_bits = draw(st.integers(0, word - (1 if signed else 0)))
    return QFormat(int_bits, word - int_bits - (1 if signed else 0), signed)


def _format_inputs(f: QFormat, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.unique(np.concatenate([corners(f), rng.integers(f.min_int, f.max_int, 3000,
                                                              endpoint=True)]))


@settings(max_examples=40, deadline=None)
@given(q_formats(), st.integers(0, 2 ** 32 - 1))
def test_any_format_accuracy(f, seed):
    x = _format_inputs(f, seed)
    y, of = M.sqrt(x, f)
    k = 2 * of.frac_bits - f.frac_bits
    assert np.array_equal(y, np.minimum(exact_sqrt_round(np.maximum(x, 0) << k), of.max_int))
    pos = x[x > 0]
    for name in ("log2", "log10", "db"):
        y, of = getattr(M, name)(pos, f)
        assert np.abs(errors(name, pos, f, y, of)).max() <= 0.52, (name, str(f))
    y, of = M.pow2(x, f)
    assert np.abs(errors("pow2", x, f, y, of)).max() <= 0.52, str(f)
    y, of = M.db_to_lin(x, f)
    assert np.abs(errors("db_to_lin", x, f, y, of)).max() <= 0.52, str(f)


@settings(max_examples=15, deadline=None)
@given(q_formats(), st.integers(0, 2 ** 32 - 1))
def test_any_format_c_twin(drivers, f, seed):
    x = _format_inputs(f, seed)
    vb = f.word_bits - (0 if not f.signed else 1)
    exe = drivers["-O2"]
    for method, code in (("newton", M.NEWTON), ("bisection", M.BISECTION)):
        y, of = M.sqrt(x, f, method)
        sat = of.word_bits + (0 if of.signed else 1)
        assert np.array_equal(c_run(exe, ["sqrt", 2 * of.frac_bits - f.frac_bits, sat, code], x),
                              y)
    for name, base in (("log2", M.LOG2), ("log10", M.LOG10), ("db", M.DB)):
        y, of = getattr(M, name)(x, f)
        args = ["log", vb, f.frac_bits, base, of.frac_bits, of.word_bits]
        assert np.array_equal(c_run(exe, args, x), y), name
    for name in ("pow2", "db_to_lin"):
        y, of = getattr(M, name)(x, f)
        sat = of.word_bits + (0 if of.signed else 1)
        assert np.array_equal(c_run(exe, [name, f.frac_bits, of.frac_bits, sat], x), y), name


@nb.njit(cache=True, parallel=True)
def _isqrt32_mismatches(lo, hi):
    chunks = 64
    bad = np.zeros(chunks, dtype=np.int64)
    size = (hi - lo + chunks - 1) // chunks
    for c in nb.prange(chunks):
        for n in range(lo + c * size, min(hi, lo + (c + 1) * size)):
            if M.isqrt32_newton(np.int64(n)) != np.int64(math.floor(math.sqrt(float(n)))):
                bad[c] += 1
    return int(bad.sum())


@pytest.mark.slow
def test_isqrt32_newton_exhaustive():
    """The seeded two-step Newton square root equals floor(sqrt(n)) for every n in [1, 2^32)
    (floor of the double sqrt is exact there: sqrt(k^2 - 1) is 2^-17 k or more below k)."""
    assert _isqrt32_mismatches(1, 1 << 32) == 0
