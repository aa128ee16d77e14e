"""VAD quality and noise-suppression benefit of the channel-energy VAD / noise suppressor, on the
speech + noise set of benchmarks/speech_set.py (espeak-ng speech; white, pink, brown, babble-like
and non-stationary noise; SNR 0, 5, 10, 20 dB; speech at -10, -26 and -42 dBov; 5 s per file).

VAD: per file, speech recall (speech frames flagged), false alarms (silence frames flagged) and
balanced accuracy (the mean of speech recall and silence recall), beside webrtcvad (PyPI
``webrtcvad-wheels``, optional) in its modes 0 - 3 on the same 10 ms frames.
NS: segmental-SNR gain (output against the clean speech, minus input against it: per 10 ms speech
frame, clipped to [-10, 35] dB, averaged), the attenuation of speech-free frames (input power over
output power) and the speech loss: the clean speech's power after the suppressor over its power
before, in speech frames, by shadow filtering (the gains the suppressor computes from the noisy
signal applied to the clean speech alone through the same linear analysis and synthesis). The
fixed model's gains equal the float's to within its output SNR (>= 85 dB on this set), so the
shadow is run with the float's.

Float: the float64 reference (fxsim/kernels/channel_ref.py); fixed: the fixed-point model
(fxsim/kernels/channel_fixed.py), whose output is compared with the float's per file (SNR; the
output in Q1.30, whose range holds the float's overshoot, and in Q15 against the float clipped to
Q15's range) and whose per-frame speech flags are compared with the float's.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import speech_set as S  # noqa: E402
from fxsim import design as D  # noqa: E402
from fxsim.analysis.metrics import snr_db  # noqa: E402
from fxsim.analysis.report import input_ints  # noqa: E402
from fxsim.kernels import channel_fixed as F  # noqa: E402
from fxsim.kernels import channel_ref as C  # noqa: E402

#: the suppressor behind a 120 Hz high-pass, as EVRC runs it (the suppressor alone leaves its
#: two lowest bins, below 94 Hz, at gain 1)
HPF_DESIGN = D.load(Path(__file__).resolve().parent.parent / "examples/ns_hpf_q15.toml")

try:
    import webrtcvad
except ImportError:                                   # optional: its columns print n/a
    webrtcvad = None

SECONDS = 5.0
SKIP = 100                                            # the first second: noise estimate settling


def rates(flags, lab):
    f, lab = np.asarray(flags[SKIP:], bool), np.asarray(lab[SKIP: len(flags)], bool)
    recall = f[lab].mean() if lab.any() else np.nan
    false_alarm = f[~lab].mean() if (~lab).any() else np.nan
    return recall, false_alarm, (recall + 1 - false_alarm) / 2


def webrtc_flags(x, mode):
    v = webrtcvad.Vad(mode)
    ints = np.clip(np.round(x * 32768), -32768, 32767).astype("<i2")
    return [v.is_speech(ints[i: i + S.FRAME].tobytes(), S.RATE)
            for i in range(0, ints.size - S.FRAME + 1, S.FRAME)]


def shadow(noisy, clean):
    """(the suppressor's output on noisy, the clean speech through the same gains)."""
    ns, sh = C.ChannelNs(), C.ChannelNs()
    n = noisy.size // S.FRAME * S.FRAME
    out, speech = np.empty(n), np.empty(n)
    for i in range(0, n, S.FRAME):
        out[i: i + S.FRAME], _ = ns.frame(noisy[i: i + S.FRAME])
        speech[i: i + S.FRAME] = sh.synthesis(sh.spectrum(clean[i: i + S.FRAME]), ns.last_gain)
    return out, speech


def speech_loss(clean, speech_out, lab):
    """Power of the clean speech after the suppressor over before, in speech frames (dB)."""
    d = C.DELAY
    n = min(speech_out.size - d, clean.size) // S.FRAME * S.FRAME
    y = speech_out[d: d + n].reshape(-1, S.FRAME)
    c = clean[:n].reshape(-1, S.FRAME)
    sp = lab[: y.shape[0]].copy()
    sp[:SKIP] = False
    return 10 * np.log10(np.sum(y[sp] ** 2) / np.sum(c[sp] ** 2))


def ns_metrics(noisy, clean, out, lab):
    d = C.DELAY
    n = min(out.size - d, clean.size) // S.FRAME * S.FRAME
    y = out[d: d + n].reshape(-1, S.FRAME)
    c = clean[:n].reshape(-1, S.FRAME)
    x = noisy[:n].reshape(-1, S.FRAME)
    lab = lab[: y.shape[0]]
    sl = slice(SKIP, None)

    def seg(z):
        e = np.sum((z - c) ** 2, axis=1) + 1e-20
        s = np.clip(10 * np.log10(np.sum(c ** 2, axis=1) / e + 1e-20), -10, 35)
        return s[sl][lab[sl]].mean()
    quiet = ~lab[sl]
    px, py = np.sum(x[sl] ** 2, axis=1), np.sum(y[sl] ** 2, axis=1)
    atten = 10 * np.log10(px[quiet].sum() / py[quiet].sum())
    speech = 10 * np.log10(py[~quiet].sum() / px[~quiet].sum())
    return seg(y) - seg(x), atten, speech


def main():
    if not S.available():
        print("bench_vad: espeak-ng is not installed (apt-get install espeak-ng): skipped")
        return
    modes = range(4)
    print("## Channel-energy VAD against webrtcvad, and the noise suppressor's benefit\n")
    print("Per noise and SNR, the mean over speech levels -10 / -26 / -42 dBov. BA: balanced "
          "accuracy (%). Float: fxsim's float64 reference; fixed: the fixed-point model.\n")
    cols = (["noise", "SNR dB", "float recall %", "float false alarm %", "float BA",
             "fixed BA"] + [f"webrtc {m} BA" for m in modes]
            + ["segSNR gain dB", "fixed segSNR gain dB", "silence attenuation dB",
               "fixed silence attenuation dB", "speech loss dB",
               "ns_hpf_q15 (120 Hz high-pass first): silence attenuation float / fixed dB",
               "ns_hpf_q15 speech loss dB",
               "fixed vs float: min SNR, Q1.30 / Q15 out, dB", "flags agree %"])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    all_ba, all_web = [], {m: [] for m in modes}
    fixed_time, agree_all, worst = [0.0, 0.0], [], []
    F.ChannelNsFixed().process(np.zeros(160, dtype=np.int64))    # load (or compile) the model
    stationary_ok = []
    for kind in S.NOISES:
        for snr in S.SNRS:
            rows = []
            for level in S.LEVELS:
                noisy, clean, lab = S.mixture(kind, snr, level, seed=int(-level),
                                              seconds=SECONDS)
                xi = np.clip(np.round(noisy * 32768), -32768, 32767).astype(np.int64)
                out, frames = C.ChannelNs().process(xi / 32768)
                r = rates([f.speech for f in frames], lab)
                t0 = time.perf_counter()
                y30, flags = F.ChannelNsFixed(out_frac=30, out_bits=32).process(xi)
                fixed_time[0] += time.perf_counter() - t0
                fixed_time[1] += xi.size / S.RATE
                y15, _ = F.ChannelNsFixed().process(xi)
                fixed_ba = rates(flags[:, 0], lab)[2]
                agree = np.mean(flags[:, 0] == np.array([f.speech for f in frames]))
                agree_all.append(agree)
                # Q15 output against the float clipped to Q15's range, as fxsim verify compares
                snr31 = snr_db(out, y30 / 2.0 ** 30)
                snr15 = snr_db(np.clip(out, -1.0, 32767 / 32768), y15 / 32768)
                worst.append((snr31, kind, snr, level))
                web = [rates(webrtc_flags(noisy, m), lab)[2] if webrtcvad else np.nan
                       for m in modes]
                gain, atten, _ = ns_metrics(noisy, clean, out, lab)
                gain_x, atten_x, _ = ns_metrics(noisy, clean, y15 / 32768, lab)
                loss = speech_loss(clean, shadow(xi / 32768, clean)[1], lab)
                # the design with the high-pass: float chain, fixed model, and the shadow of the
                # clean speech through the float high-pass and the suppressor's gains
                hx = input_ints(HPF_DESIGN, noisy)
                hp_float = HPF_DESIGN.reference(hx / 32768)
                hp_fixed = HPF_DESIGN.values(HPF_DESIGN.run(hx)[0][-1])
                _, atten_hp, _ = ns_metrics(noisy, clean, hp_float, lab)
                _, atten_hpx, _ = ns_metrics(noisy, clean, hp_fixed, lab)
                front = HPF_DESIGN.stages[:-1]
                hp_in, hp_clean = hx / 32768, clean
                for st in front:
                    hp_in, hp_clean = st.reference(hp_in), st.reference(hp_clean)
                loss_hp = speech_loss(clean, shadow(hp_in, hp_clean)[1], lab)
                rows.append((*r, *web, gain, gain_x, atten, atten_x, loss, atten_hp, atten_hpx,
                             loss_hp, fixed_ba, snr31, snr15, agree))
            arr = np.array(rows, dtype=float)
            m = np.nanmean(arr, axis=0)
            fixed = 3 + len(modes) + 8
            all_ba.append(m[2])
            for i in modes:
                all_web[i].append(m[3 + i])
            gain, gain_x, atten, atten_x, loss, atten_hp, atten_hpx, loss_hp = \
                m[3 + len(modes): fixed]
            if kind in ("white", "pink", "brown") and snr <= 10:
                stationary_ok.append((atten >= 6.0, atten_x >= 6.0, loss >= -3.0,
                                      atten_hp >= 6.0, atten_hpx >= 6.0, loss_hp >= -3.0))
            web_cols = " | ".join("n/a" if np.isnan(v) else f"{100 * v:.1f}"
                                  for v in m[3: 3 + len(modes)])
            print(f"| {kind} | {snr:g} | {100 * m[0]:.1f} | {100 * m[1]:.1f} | "
                  f"{100 * m[2]:.1f} | {100 * m[fixed]:.1f} | {web_cols} | {gain:.1f} | {gain_x:.1f} | "
                  f"{atten:.1f} | {atten_x:.1f} | {loss:.1f} | {atten_hp:.1f} / "
                  f"{atten_hpx:.1f} | {loss_hp:.1f} | "
                  f"{arr[:, fixed + 1].min():.1f} / "
                  f"{arr[:, fixed + 2].min():.1f} | {100 * arr[:, fixed + 3].min():.2f} |")
    print()
    web2 = np.nanmean(all_web[2]) if webrtcvad else np.nan
    print(f"Mean balanced accuracy: float {100 * np.mean(all_ba):.1f} %, webrtcvad mode 2 "
          f"{'n/a' if np.isnan(web2) else f'{100 * web2:.1f} %'} (goal: no more than 5 points "
          f"below mode 2)")
    ok = np.array(stationary_ok)
    print(f"Stationary noise (white, pink, brown) at <= 10 dB SNR, {len(ok)} cases (goal: "
          f"silence >= 6 dB quieter, speech loss <= 3 dB): the suppressor alone attenuates "
          f"silence >= 6 dB in {ok[:, 0].sum()} (float) / {ok[:, 1].sum()} (fixed), loses <= 3 dB "
          f"of speech in {ok[:, 2].sum()} (the standard leaves bins 0 and 1, below 94 Hz, at "
          f"gain 1); with the 120 Hz high-pass first (examples/ns_hpf_q15.toml): "
          f"{ok[:, 3].sum()} / {ok[:, 4].sum()} and {ok[:, 5].sum()}")
    w = min(worst)
    print(f"Fixed-point model against the float: lowest output SNR {w[0]:.1f} dB (Q1.30 output; "
          f"{w[1]} noise, {w[2]:g} dB SNR, {w[3]:g} dBov), speech flags agree on "
          f"{100 * min(agree_all):.2f} % of frames or more per file; the model ran "
          f"{fixed_time[1] / fixed_time[0]:.0f} x real time (one core, numba)")
    print(f"Test set: {len(S.NOISES) * len(S.SNRS) * len(S.LEVELS)} files of {SECONDS:g} s "
          f"({len(S.NOISES) * len(S.SNRS) * len(S.LEVELS) * SECONDS:g} s)")


if __name__ == "__main__":
    main()
