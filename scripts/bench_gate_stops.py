"""What the speech gate refuses, and what the stop detector hears in it (recognise.gate_unless_stop).

    python scripts/bench_gate_stops.py --commands DIR [--words DIR ...] [--person DIR]

The gate refuses a clip with no voice in it before anything is decoded. Since 2026-12-07 a clip it
refuses as not voiced, steady or too short is decoded all the same when the stop detector hears a
stop in it (from stopword.ASK_AT). For each set: its clips, those the gate refuses (the baseline:
the gate alone, as before), the stops among them, how many of those now pass, and the highest
detector chance among the refused clips that hold no stop, which must stay under ASK_AT or a
noise would be decoded as a stop.

Sets: Speech Commands' test set (--commands, as bench_recognition.py reads it), more folders of
Speech Commands takes laid out the same way (--words: mini_speech_commands, v0.01's folders), each
recording once (a copy under another name is left out: `bench_recognition.commands_once`), one
man's recordings and his room (--person), and bench_recognition.noise_clips for seeds 0-199
(synthetic noises, hums, clicks and silences), and the player's cue tones. The stop detector
learnt from the training part of mini_speech_commands, so the stops that pass there flatter it;
its other words do not. Half a minute on 2 cores; nothing is decoded.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recognition import commands_once, noise_clips, person_clips  # noqa: E402

from voiceguide.feedback import recognise, stopword  # noqa: E402


def row(name: str, clips: list[dict], net: stopword.Detector) -> str:
    refused = passing = refused_stops = 0
    highest, which = 0.0, ""
    for c in clips:
        x = stopword.mono(c["samples"])[: int(recognise.MAX_SECONDS * c["rate"])]
        gate = recognise.speech_gate(x, c["rate"])
        if gate is None:
            continue
        refused += 1
        is_stop = c["text"] == "stop"
        refused_stops += is_stop
        if gate not in recognise.STOP_PASSES:
            continue
        chance = stopword.stop_probability(x, c["rate"], net)
        if is_stop:
            passing += chance >= stopword.ASK_AT
        elif chance > highest:
            highest, which = chance, c["text"] or "no word"
    return (
        f"| {name} | {len(clips)} | {refused} | {refused_stops} | {passing} | "
        f"{highest:.2f}{f' ({which})' if which else ''} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", help="Speech Commands' test set, as bench_recognition.py --commands")
    parser.add_argument("--words", nargs="*", default=[], help="more folders of Speech Commands takes")
    parser.add_argument("--person", help="one man's recordings, as bench_recognition.py --person")
    args = parser.parse_args()
    net = stopword.network()
    print(f"\nThe stop detector's ASK_AT: {stopword.ASK_AT}\n")
    print(
        "| set | clips | refused by the gate | stops among them | stops that pass now "
        "| highest chance among the refused clips with no stop |"
    )
    print("|---|---|---|---|---|---|")
    for name, folder, read in (
        [("Speech Commands' test set", args.commands, commands_once)] * bool(args.commands)
        + [(f"Speech Commands takes in {f}", f, commands_once) for f in args.words]
        + [("one man's recordings and room", args.person, person_clips)] * bool(args.person)
    ):
        if not os.path.isdir(folder):
            sys.exit(f"no folder {folder}")
        clips = [c for kind in read(folder).values() for c in kind]
        print(row(name, clips, net), flush=True)
    synthetic = [c for seed in range(200) for c in noise_clips(seed)]
    print(row("synthetic noises, hums, clicks, silences (seeds 0-199)", synthetic, net))
    print(row("the player's cue tones, at three levels", cue_clips(), net))


def cue_clips() -> list[dict]:
    """Each cue tone alone at full level, -10 and -26 dB, with 0.3 s of near silence around it."""
    import numpy as np

    from voiceguide.audio.tones import SAMPLE_RATE, make_cue
    from voiceguide.cues import CUE_SECONDS

    pad = np.zeros(int(0.3 * SAMPLE_RATE), np.float32)
    rng = np.random.default_rng(0)
    clips = []
    for name in CUE_SECONDS:
        for gain in (1.0, 0.3, 0.05):
            x = np.concatenate([pad, (make_cue(name) * gain).astype(np.float32), pad])
            x += (rng.standard_normal(len(x)) * 1e-4).astype(np.float32)
            clips.append({"text": "", "samples": x, "rate": SAMPLE_RATE})
    return clips


if __name__ == "__main__":
    main()
