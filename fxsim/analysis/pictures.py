"""The report's pictures (matplotlib) and its self-contained HTML page.

One figure per report: per-stage SNR and the end-to-end error envelope; per stage, a filter's
magnitude response with its coefficients as written and as quantized (``Stage.response``) and the
stage's output spectra, float and fixed, with the spectrum of their difference (the quantization
noise); with a word-length sweep, SNR against data word length per stage.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np

from ..design import Design
from ..errors import FxsimError

#: frequency points of a response curve
RESPONSE_POINTS = 1024


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise FxsimError("pictures need matplotlib: pip install 'fxsim[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def figure(rep: dict, design: Design, sweep: dict | None = None):
    """The report's figure (a matplotlib Figure): ``rep`` from ``quantize_report(...,
    spectra=True)``, ``sweep`` from ``sweep.word_sweep``."""
    plt = _pyplot()
    stages = rep["stages"]
    rows = 1 + len(stages) + (sweep is not None)
    fig, axes = plt.subplots(rows, 2, figsize=(11, 2.8 * rows), squeeze=False)
    a, b = axes[0]
    a.bar([f"{s['index']}:{s['kernel']}" for s in stages], [s["snr_db"] for s in stages])
    a.set_ylabel("SNR vs float64 (dB)")
    a.set_title(f"{rep['design']}: SNR at each stage's output")
    at, lo, hi = rep["_envelope"]
    b.fill_between(at, lo, hi, step="post", lw=0.5)
    b.set_xlabel("output sample")
    b.set_ylabel("error (output LSB)")
    b.set_title(f"end-to-end error (min / max per {max(1, int(at[1] - at[0]) if len(at) > 1 else 1)} samples)")
    w = np.linspace(0, np.pi, RESPONSE_POINTS, endpoint=False)
    for st, s, spec, (ra, sa) in zip(design.stages, stages, rep["_spectra"], axes[1:]):
        name = f"{s['index']}:{s['kernel']} ({s['format']})"
        resp = st.response(w)
        if resp is None:
            ra.text(0.5, 0.5, f"{name}\nno fixed filter coefficients", ha="center", va="center",
                    transform=ra.transAxes)
            ra.set_axis_off()
        else:
            h_float, h_fixed = (20 * np.log10(np.maximum(np.abs(h), 1e-12)) for h in resp)
            ra.plot(w / np.pi, h_float, label="coefficients as written", lw=1.5)
            ra.plot(w / np.pi, h_fixed, "--", label="quantized", lw=1)
            floor = max(min(h_float.min(), h_fixed.min()), h_float.max() - 140)
            ra.set_ylim(floor - 5, max(h_float.max(), h_fixed.max()) + 5)
            ra.set_xlabel("frequency (1 = Nyquist of the filter's rate)")
            ra.set_ylabel("magnitude (dB)")
            ra.set_title(f"{name}: response")
            ra.legend(fontsize=8)
        if spec is None:
            sa.text(0.5, 0.5, "too few samples for a spectrum", ha="center", va="center",
                    transform=sa.transAxes)
            sa.set_axis_off()
            continue
        for key, style in (("float", "-"), ("fixed", "--"), ("error", "-")):
            sa.plot(spec["freq"], spec[key], style, lw=1, label=key if key != "error"
                    else "error (fixed - float)")
        sa.set_xlabel("Hz" if spec["unit"] == "Hz" else "bin")
        sa.set_ylabel("power (dB re full scale)")
        sa.set_title(f"{name}: output spectra, SNR {s['snr_db']:.1f} dB")
        sa.legend(fontsize=8)
    if sweep is not None:
        gs = axes[-1][0].get_gridspec()
        axes[-1][0].remove()
        axes[-1][1].remove()
        ax = fig.add_subplot(gs[-1, :])
        for i, label in enumerate(sweep["stages"]):
            ax.plot(sweep["words"], [r[i] if r else np.nan for r in sweep["snr_db"]], "o-",
                    ms=3, label=label)
        ax.set_xlabel("data word length (bits), every stage")
        ax.set_ylabel("SNR vs float64 (dB)")
        ax.set_title("SNR against word length (each stage's integer bits as designed)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


def write(fig, plot_file=None, html_page=None, html_file=None) -> None:
    """Write the figure to ``plot_file`` (format from its suffix) and/or the HTML page made by
    ``html_page(png bytes)`` to ``html_file``, rendering the figure once per format (a PNG plot
    and the page share one rendering); one-line
    errors when a file cannot be written. Closes the figure."""
    plt = _pyplot()
    png = None                                # the PNG bytes, once rendered
    try:
        if plot_file:
            try:
                Path(plot_file).parent.mkdir(parents=True, exist_ok=True)
                if Path(plot_file).suffix.lower() == ".png" and html_file:
                    png = _png(fig)
                    Path(plot_file).write_bytes(png)
                else:
                    fig.savefig(plot_file, dpi=90)
            except OSError as e:
                raise FxsimError(f"--plot: cannot write {str(plot_file)!r} ({e.strerror})") from None
            except ValueError as e:           # matplotlib: unknown image format
                raise FxsimError(f"--plot: {str(plot_file)!r}: {e}; use .png, .svg or .pdf") \
                    from None
        if html_file:
            png = png if png is not None else _png(fig)
            try:
                Path(html_file).parent.mkdir(parents=True, exist_ok=True)
                Path(html_file).write_text(html_page(png))
            except OSError as e:
                raise FxsimError(f"--html: cannot write {str(html_file)!r} ({e.strerror})") \
                    from None
    finally:
        plt.close(fig)


_CSS = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}th{background:#f0f0f0}td.l{text-align:left}img{max-width:100%}"
        "pre{white-space:pre-wrap;font-size:85%;background:#f8f8f8;padding:6px}")


def html_page(rep: dict, design: Design, png: bytes, sweep: dict | None = None,
              source: str = "") -> str:
    """A self-contained HTML report: the table, the scaling statements, the sweep and the
    picture inline (base64), no external file or script."""
    e = html.escape
    cols = ("index", "kernel", "format", "snr_db", "max_err_lsb", "saturations", "min", "max",
            "headroom_bits")
    rows = "".join(
        "<tr>" + "".join(f"<td class=l>{e(str(s[c]))}</td>" if c in ("kernel", "format") else
                         f"<td>{s[c]:.5g}</td>" if isinstance(s[c], float) else
                         f"<td>{e(str(s[c]))}</td>" for c in cols) + "</tr>"
        for s in rep["stages"])
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>fxsim report: {e(rep['design'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>fxsim quantization report: {e(rep['design'])}</h1>",
        f"<p>{rep['samples']} input samples{(' from ' + e(source)) if source else ''} at "
        f"{design.sample_rate} Hz. End-to-end SNR against float64 <b>{rep['snr_db']:.2f} dB</b>, "
        f"max error {rep['max_err_lsb']:.3f} LSB, {rep['saturations']} saturations "
        f"({rep['input_saturations']} in the input).</p>",
        "<table><tr>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>" + rows + "</table>",
    ]
    if sweep is not None:
        head = "".join(f"<th>{e(s)}</th>" for s in sweep["stages"])
        body = "".join(
            f"<tr><td>{wd}</td>" + ("".join(f"<td>{v:.2f}</td>" for v in r) if r else
                                      f"<td class=l colspan={len(sweep['stages'])}>"
                                      f"{e(err)}</td>") + "</tr>"
            for wd, r, err in zip(sweep["words"], sweep["snr_db"], sweep["errors"]))
        parts.append(f"<h2>SNR (dB) against data word length</h2><table><tr><th>bits</th>{head}"
                     f"</tr>{body}</table>")
    parts.append(f"<h2>Pictures</h2><img alt='report figure' "
                 f"src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
    parts.append("<h2>Scaling of each stage</h2>" + "".join(
        f"<h3>{s['index']}: {e(s['kernel'])}</h3><pre>{e(s['scaling'])}</pre>"
        for s in rep["stages"]))
    parts.append("</body></html>\n")
    return "\n".join(parts)
