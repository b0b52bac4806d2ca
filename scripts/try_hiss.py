"""Does a hiss before the vowel tell people's "stop" from their "off" and "up"? Tried, not shipped.

    python scripts/try_hiss.py --commands DIR [--words DIR ...] [--dump DUMP]

People's "off" and "up" bring most of the stop detector's false stops. Both lack what begins
"stop": the /s/, a hiss of 4-8 kHz with little below 1.5 kHz, just before the vowel. This looks
for that hiss in each clip, with no learning, and asks what a rule "a clip with no hiss before any
of its vowels is not a stop" would cost and give, among the clips the detector hears a stop in
(from STOP_VETO 0.2, where its "stop" counts for anything, and from ASK_AT 0.9, where it is asked
about). The baseline is the detector alone: every such clip kept.

A clip is not judged (always kept) when its high band never rises 20 dB over its own floor (a
recording with nothing over 4 kHz: the phone or the line cut it, and a stop there has no hiss to
find), or when its first loud frame comes within 50 ms of its start (the word may begin before the
clip does). Otherwise, before each rise of the low band to within 15 dB of its loudest (a vowel
begins), the highest high-band level over the floor in the 300 ms before ("any frame"), or the
highest held for 40 ms in a row, ending at least 20 ms before the vowel ("held 40 ms"), is that
vowel's hiss; the clip's hiss is its best vowel's.

Sets: Speech Commands' test set (--commands, every file, copies too) and more folders laid out the
same way (--words: mini_speech_commands; the stop detector learnt from its training part, so its
stops there flatter the detector, not this rule). Nothing is shipped from this; a minute and a
half on 2 cores.

With --dump (a `bench_recognition.py --commands DIR --commands-only --dump` of the same folder):
the test set's stops and other words that run asked again at `any` carrying the stop hint
(recognise.stop_hint), and how many of each have a hiss held 40 ms from each level. Asking "did you
say stop?" at once on the hint with such a hiss is a lead for the stop word's first-time figure,
not a rule: no level is chosen here.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recognition import commands_clips, commands_picks, decode_wav  # noqa: E402

from voiceguide.feedback import recognise, stopword  # noqa: E402

RATE = 16000
WIN, HOP, NFFT = 400, 160, 512  # 25 ms frames every 10 ms
SPAN_DB = 20.0  # the high band must rise this much over its floor somewhere, or the clip is not judged
LEAD_FRAMES = 5  # a clip loud within 50 ms of its start is not judged
VOWEL_DB = 15.0  # a vowel: the low band within this of its loudest
LOOK_FRAMES = 30  # how far before a vowel the hiss is looked for
HIDES = (6.0, 10.0, 15.0, 20.0)  # a clip whose hiss is under this is taken for "no hiss"
HINT_HISS = (10.0, 20.0, 30.0)  # the hiss levels counted among the clips asked again with the hint
WAYS = {"any frame": (1, 0), "held 40 ms": (4, 2)}  # frames held in a row, frames left before the vowel


def bands(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per 10 ms: the level (dB) of 150-1500 Hz (a vowel) and of 4-8 kHz (a hiss)."""
    if len(x) < WIN:
        x = np.pad(x, (0, WIN - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, WIN)[::HOP] * np.hanning(WIN)
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2
    hz = np.fft.rfftfreq(NFFT, 1 / RATE)

    def level(lo: float, hi: float) -> np.ndarray:
        return 10 * np.log10(power[:, (hz >= lo) & (hz < hi)].sum(axis=1) + 1e-12)

    return level(150, 1500), level(4000, 8000)


def bands_of(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """`bands` of a clip as read (any rate, integer or float samples), at 16 kHz and full scale 1."""
    y = stopword.to_16k(stopword.mono(samples), rate).astype(np.float64)
    return bands(y / 32768 if np.abs(y).max() > 2 else y)


def cut_above_4k(high: np.ndarray) -> bool:
    """A recording whose high band never rises SPAN_DB over its floor: nothing over 4 kHz came."""
    return bool(high.max() - np.percentile(high, 10) < SPAN_DB)


def hiss(low: np.ndarray, high: np.ndarray, held: int, gap: int) -> float | None:
    """The clip's hiss (dB over its high band's floor) before its best vowel; None: not judged."""
    if cut_above_4k(high):
        return None
    floor = np.percentile(high, 10)
    loud = low >= low.max() - VOWEL_DB
    if int(np.flatnonzero(loud)[0]) < LEAD_FRAMES:
        return None
    over = high - floor
    best = -np.inf
    for t in range(LEAD_FRAMES, len(low)):
        if loud[t] and not loud[t - 1]:
            stretch = over[max(0, t - LOOK_FRAMES) : max(0, t - gap)]
            if len(stretch) >= held:
                runs = np.lib.stride_tricks.sliding_window_view(stretch, held).min(axis=1)
                best = max(best, float(runs.max()))
    return best


def clips(folder: str) -> list[dict]:
    """Every take of a Speech Commands-style folder (not its background noises): its word, the
    stop detector's chance, its bands."""
    net = stopword.network()
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*", "*.wav"))):
        word = os.path.basename(os.path.dirname(path))
        if word == "_unknown_":
            word = os.path.basename(path).partition("_")[0]
        if word == "_silence_":
            continue
        samples, rate = decode_wav(Path(path).read_bytes())
        x = stopword.mono(samples)
        if len(x) == 0:
            continue
        chance = stopword.stop_probability(x, rate, net)
        low, high = bands_of(x, rate)
        out.append({"word": word, "chance": chance, "low": low, "high": high})
    return out


def table(name: str, heard: list[dict]) -> None:
    print(f"\n{name}: the clips the detector hears a stop in, and what each rule keeps of them\n")
    print(
        "| from | way | stops / not judged | other words / not judged | "
        + " | ".join(f"no hiss under {h:g} dB: stops lost, other words kept" for h in HIDES)
        + " |"
    )
    print("|---|---|---|---|" + "---|" * len(HIDES))
    for level in (recognise.STOP_VETO, stopword.ASK_AT):
        stops = [c for c in heard if c["word"] == "stop" and c["chance"] >= level]
        others = [c for c in heard if c["word"] != "stop" and c["chance"] >= level]
        for way, (held, gap) in WAYS.items():
            s = [hiss(c["low"], c["high"], held, gap) for c in stops]
            o = [hiss(c["low"], c["high"], held, gap) for c in others]
            cells = []
            for h in HIDES:
                lost = sum(v is not None and v < h for v in s)
                kept = sum(v is None or v >= h for v in o)
                cells.append(f"{lost}, {kept}")
            print(
                f"| {level:g} | {way} | {len(stops)} / {s.count(None)} | {len(others)} / {o.count(None)} | "
                + " | ".join(cells)
                + " |"
            )
    print()
    sure = stopword.ASK_AT
    for name, said in (
        ("stops", [c for c in heard if c["word"] == "stop"]),
        ("other words", [c for c in heard if c["word"] != "stop"]),
        ('"off" and "up"', [c for c in heard if c["word"] in ("off", "up")]),
    ):
        cut = [c for c in said if cut_above_4k(c["high"])]
        whole = [c for c in said if not cut_above_4k(c["high"])]
        print(
            f"- {name}: {len(cut)} of {len(said)} with nothing over 4 kHz; from {sure:g} the detector hears a"
            f" stop in {sum(c['chance'] >= sure for c in cut)} of those, and in"
            f" {sum(c['chance'] >= sure for c in whole)} of the {len(whole)} others"
        )


def hinted(folder: str, dump: str) -> None:
    """The stops and other words the dumped run asked again at `any` with the stop hint, by hiss."""
    import json  # noqa: PLC0415

    picked = commands_picks(commands_clips(folder))
    try:
        with open(dump) as f:
            rows = [json.loads(line) for line in f]
    except (OSError, ValueError) as e:
        sys.exit(f"Cannot read the dump {dump}: {e}")
    print("\nAsked again at `any` with the stop hint, and among them a hiss held 40 ms from each level\n")
    print(
        "| said | clips | asked again with the hint | not judged | "
        + " | ".join(f"from {h:g} dB" for h in HINT_HISS)
        + " |"
    )
    print("|---|---|---|---|" + "---|" * len(HINT_HISS))
    for kind, name in (("stop", "stop word"), ("other", "other words")):
        dumped = [r for r in rows if r["set"] == f"{name}, many people (--commands), --expect any"]
        clips = picked[kind]
        if [r["text"] for r in dumped] != [c["text"] for c in clips]:
            sys.exit(
                f"{dump} was not made from {folder} as bench_recognition.py hears it now: make it again."
            )
        levels = []
        for r, c in zip(dumped, clips, strict=True):
            if r["action"] == "reject" and recognise.stop_hint(r["info"]):
                levels.append(hiss(*bands_of(c["samples"], c["rate"]), *WAYS["held 40 ms"]))
        print(
            f"| {name} | {len(clips)} | {len(levels)} | {levels.count(None)} | "
            + " | ".join(str(sum(v is not None and v >= h for v in levels)) for h in HINT_HISS)
            + " |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", required=True, help="Speech Commands' test set, a folder per word")
    parser.add_argument("--words", action="append", default=[], help="more folders laid out the same way")
    parser.add_argument("--dump", help="a bench_recognition.py --commands dump of the same test set")
    args = parser.parse_args()
    missing = [f for f in [args.commands, *args.words] if not os.path.isdir(f)]
    if missing:
        sys.exit(f"Not a folder: {', '.join(missing)} (where to get them: docs/recognition.md).")
    table("Speech Commands' test set", clips(args.commands))
    for folder in args.words:
        table(f"Speech Commands takes in {folder}", clips(folder))
    if args.dump:
        hinted(args.commands, args.dump)


if __name__ == "__main__":
    main()
