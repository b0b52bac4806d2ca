"""Answers at the microphone's level: how often they are understood as the voice gets fainter,
with the speech floor lowered in a quiet room (floor.over_room) against the fixed floor of -55 dBFS
before, and how often `recognise.too_quiet` marks an answer too quiet (then a session asking again
says "That came through too quietly for the microphone..."); offline, prints markdown.

    .venv/bin/python scripts/bench_level.py [--data DIR] [--commands DIR] [--person DIR]
        [--no-listener | --listener-only | --choose]

- **--data DIR** (default ../shared/data/fsdd-tune): FSDD digits (takes 7-9, no rule was chosen on
  them; QUIET_DB was chosen on takes 3 and 5) as recorded and 10, 20 and 30 dB quieter, at a
  number question: understood, and marked too quiet among those understood and among the rest.
  Where to get it: https://github.com/Jakobovski/free-spoken-digit-dataset.
- **--commands DIR**: 156 people's own takes (Speech Commands' test set) at their own level, its
  background noises, and every fourth of their other words, each recording once
  (`bench_recognition.commands_once`): how often a real person's answer, or
  a room with nobody talking, is marked, and whether the lower floor acts on anything more.
- **--person DIR**: one man's takes and his room, the same.
- Always: the benchmark's synthetic noises and hums (`bench_recognition.noise_clips`).
- **Through the listener** (unless --no-listener): the same FSDD digits, and with --commands the
  156 people's stops made 20 and 30 dB quieter, said in a quiet room (pink noise at -75 and -65
  dBFS, 1.5 s of it first), heard frame by frame by `listen.Listener` as a session's microphone is
  while the player is silent, then decided at a question (a stop also counts when heard while it
  was said); and the people's background noises made as quiet as such a room, heard the same way:
  how many utterances they make that a question would take as a try (asked again), and how many
  stops.
- **--choose**: the sweep that chose `floor.ROOM_MARGIN_DB`, on FSDD takes 3 and 5.
- **--after-question [ROOM ...]**: FSDD digits 10 and 20 dB quieter said 0.3 and 0.6 s after one
  of five questions (espeak-ng, through an echo room: short, with a quiet reverberant tail, or
  with a loud one), and the questions alone: what the floor's second of wait after the player's
  last sound costs, and the tries and stops the player's own voice brings.

The baseline in the same run: the same clips with the fixed floor (recognise.LOWEST_ACTIVE_DB and
Listener.lowest_floor at -55 dBFS, as shipped before 2026-12-07); and each set at the level it was
recorded.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_recognition as bench  # noqa: E402
import numpy as np  # noqa: E402

from voiceguide.feedback import floor, recognise  # noqa: E402
from voiceguide.feedback.decision import ACT, CONFIRM_IT, REJECT, at_question  # noqa: E402

QUIETER_DB = (0, 10, 20, 30)
ROOMS_DB = (-75.0, -65.0)  # a quiet room through a good microphone; an ordinary one
ROOM_LEAD = 1.5  # seconds of the room heard before each clip (the listener needs one)
FIXED = recognise.MIN_ACTIVE_DB  # the floor before 2026-12-07, in every room
LOWEST = recognise.LOWEST_ACTIVE_DB  # ... and now, in a quiet room


def quieted(c: dict, quieter: float) -> np.ndarray:
    return (c["samples"] * 10 ** (-quieter / 20)).astype(np.float32)


def one_pass(clips: list[dict], rec, quieter: float, lowest: float) -> Counter:
    """Each clip heard with the speech gate's floor going down to `lowest` in a quiet clip:
    understood, marked quiet (among the understood and the rest), acted on, asked about, and acted
    on or asked about as a stop."""
    shipped, recognise.LOWEST_ACTIVE_DB = recognise.LOWEST_ACTIVE_DB, lowest
    out: Counter = Counter()
    try:
        for c in clips:
            answer = rec.hear(quieted(c, quieter), c["rate"], c["expect"])
            ok = bool(c["text"]) and bench.session_outcome(answer, c["text"], c["expect"]) in ("ac", "cc")
            decided = at_question(answer, c["expect"])
            out["understood"] += ok
            out["quiet understood" if ok else "quiet rest"] += answer.quiet
            out["acted"] += decided.action == ACT
            out["asked"] += decided.action == CONFIRM_IT
            out["stop"] += decided.action != REJECT and decided.answer.intent == "stop"
    finally:
        recognise.LOWEST_ACTIVE_DB = shipped
    return out


def row(name: str, clips: list[dict], rec, quieter: float = 0.0) -> str:
    """One set, with the gate's floor fixed (the baseline) and as shipped."""
    before, now = (one_pass(clips, rec, quieter, lowest) for lowest in (FIXED, recognise.LOWEST_ACTIVE_DB))
    n, understood = len(clips), now["understood"]

    def pc(count: int, of: int) -> str:
        return f"{100 * count / max(1, of):.1f}"

    changes = " | ".join(f"{before[k]} -> {now[k]}" for k in ("acted", "asked", "stop"))
    return (
        f"| {name} | {n} | {pc(before['understood'], n)} | {pc(understood, n)} | "
        f"{pc(now['quiet understood'], understood)} | {pc(now['quiet rest'], n - understood)} | {changes} |"
    )


def room(seconds: float, db: float, rng: np.random.Generator) -> np.ndarray:
    """Pink noise at `db` dBFS: a quiet room and its microphone's hiss."""
    return bench.colour_noise("pink", int(seconds * 16000), rng) * 10 ** (db / 20)


def in_room(samples: np.ndarray, rate: int, db: float, seed: int) -> np.ndarray:
    """A clip at 16 kHz said in a room at `db`, with ROOM_LEAD seconds of the room before it and one after."""
    from voiceguide.audio.pcm import resample

    x = resample(samples.astype(np.float32), rate, 16000) if rate != 16000 else samples.astype(np.float64)
    lead = int(ROOM_LEAD * 16000)
    out = room(ROOM_LEAD + len(x) / 16000 + 1.0, db, np.random.default_rng(seed))
    out[lead : lead + len(x)] += x
    return out.astype(np.float32)


def heard_by_listener(
    signal: np.ndarray, rec, expect: str, lowest: float, played: np.ndarray | None = None, after: float = 0.0
) -> tuple[list, int, int]:
    """What a session's listener makes of `signal`, its floor going down to `lowest` (and the speech
    gate's), the player having played `played` (None: nothing): the answers of the utterances it
    keeps that end `after` seconds in or later, how many of those it set aside, and how many stops
    it heard while they were said."""
    import bench_stop_start as offline

    from voiceguide.feedback.listen import FRAME, Listener, Reference

    shipped, recognise.LOWEST_ACTIVE_DB = recognise.LOWEST_ACTIVE_DB, lowest
    if played is None:  # nothing played
        reference = Reference(lambda start, end: (np.zeros(0), np.zeros(0, np.float32)), 16000)
    else:
        reference = offline.reference_of(played)
    listener = Listener(None, recognise=None, reference=reference)
    listener.lowest_floor = lowest
    answers, aside, early = [], 0, 0
    try:
        for i in range(0, len(signal) - FRAME + 1, FRAME):
            frame, at = signal[i : i + FRAME].astype(np.float32), i / 16000
            u = listener.process(frame, at)
            early += listener.early(frame, at) is not None
            if u is None or u.end < after:
                continue
            if listener.set_aside(u):
                aside += 1
            else:
                answers.append(rec.hear(u.samples, 16000, expect))
    finally:
        recognise.LOWEST_ACTIVE_DB = shipped
        listener.decoder.shutdown()
    return answers, aside, early


def through_listener(clips: list[dict], room_db: float, lowest: float, rec) -> Counter:
    """Each clip said in a room at `room_db` and heard by a listener whose floor goes down to
    `lowest`: understood (a stop: also when heard while it was said), acted on wrongly, utterances
    taken as a try, set aside as too quiet, and stops heard."""
    out: Counter = Counter()
    for k, c in enumerate(clips):
        x = quieted(c, c.get("quieter", 0.0)) if c["text"] else as_quiet_as(c["samples"], c["rate"], room_db)
        answers, aside, early = heard_by_listener(in_room(x, c["rate"], room_db, k), rec, c["expect"], lowest)
        outcomes = [bench.session_outcome(a, c["text"], c["expect"]) for a in answers]
        right = any(o in ("ac", "cc") for o in outcomes) or (c["text"] == "stop" and early > 0)
        out["understood"] += bool(c["text"]) and right
        out["wrong"] += "aw" in outcomes
        out["tries"] += len(answers)
        out["aside"] += aside
        out["stops"] += early + sum(at_question(a, c["expect"]).answer.intent == "stop" for a in answers)
    return out


def listener_rows(digits: list[dict], stops: list[dict], noises: list[dict], rec) -> None:
    """FSDD digits and people's stops in quiet rooms, and people's background noises made as quiet,
    through the listener: the fixed floor (before) and the floor over the room (now)."""
    print("\n## Through the listener, the player silent\n")
    print(
        "| room | set | clips | understood %, floor fixed (before) | understood % now | acted on wrongly, "
        "before -> now | utterances taken as a try (asked again), before -> now | set aside as too quiet "
        "| stops heard, before -> now |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    sets = [(f"FSDD digits, takes 7-9, {q} dB quieter" if q else "FSDD digits, takes 7-9, as recorded",
             [dict(c, quieter=q) for c in digits]) for q in QUIETER_DB if digits]  # fmt: skip
    sets += [
        (f"156 people's stops, {q} dB quieter, `any`", [dict(c, quieter=q) for c in stops]) for q in (20, 30)
    ]
    sets += [("156 people's background noises, as quiet as the room, `number`", noises)]
    for room_db in ROOMS_DB:
        for name, clips in sets:
            if not clips:
                continue
            before, now = (through_listener(clips, room_db, lowest, rec) for lowest in (FIXED, LOWEST))
            n = len(clips)
            pc = f"{100 * before['understood'] / n:.1f} | {100 * now['understood'] / n:.1f}"
            pc = pc if clips[0]["text"] else "- | -"
            changes = " | ".join(f"{before[k]} -> {now[k]}" for k in ("wrong", "tries"))
            stopped = f"{before['stops']} -> {now['stops']}"
            print(
                f"| {room_db:g} dBFS | {name} | {n} | {pc} | {changes} | {now['aside']} | {stopped} |",
                flush=True,
            )


def choose(data: str, rec) -> None:
    """The sweep that chose floor.ROOM_MARGIN_DB: FSDD takes 3 and 5 (every second clip) made quieter
    in each room, and the synthetic noises of seed 200 (not the reported seed 100) as quiet as the
    room, through the listener, for each margin and lowest floor."""
    tuning = [dict(c, expect="number") for c in bench.fsdd_takes(data, 10) if c["index"] in (3, 5)][::2]
    noises = [dict(c, rate=16000, text="") for c in bench.noise_clips(200)]
    print("| margin dB | lowest dBFS | room dBFS | understood, 10 / 20 / 30 dB quieter | noises as a try |")
    print("|---|---|---|---|---|")
    shipped = floor.ROOM_MARGIN_DB
    try:
        for margin, lowest in ((0.0, FIXED), (6.0, -70.0), (9.0, -70.0), (12.0, -70.0), (9.0, -80.0)):
            floor.ROOM_MARGIN_DB = recognise.ROOM_MARGIN_DB = margin
            for room_db in ROOMS_DB:
                heard = []
                for q in QUIETER_DB[1:]:
                    ok = 0
                    for k, c in enumerate(tuning):
                        answers, _, _ = heard_by_listener(
                            in_room(quieted(c, q), c["rate"], room_db, k), rec, "number", lowest
                        )
                        ok += any(
                            bench.session_outcome(a, c["text"], "number") in ("ac", "cc") for a in answers
                        )
                    heard.append(f"{ok}")
                quiet_noises = [as_quiet_as(c["samples"], 16000, room_db) for c in noises]
                tries = 0
                for k, x in enumerate(quiet_noises):
                    tries += len(heard_by_listener(in_room(x, 16000, room_db, k), rec, "number", lowest)[0])
                label = "fixed" if lowest == FIXED else f"{margin:g}"
                cells = f"{' / '.join(heard)} of {len(tuning)} | {tries} of {len(noises)}"
                print(f"| {label} | {lowest:g} | {room_db:g} | {cells} |", flush=True)
    finally:
        floor.ROOM_MARGIN_DB = recognise.ROOM_MARGIN_DB = shipped


def as_quiet_as(samples: np.ndarray, rate: int, room_db: float) -> np.ndarray:
    """A room's own sounds made as quiet as the room: their quietest tenth at `room_db`."""
    _, db, _ = recognise._frames_db(samples, rate)
    quietest = float(np.percentile(db, 10))
    if quietest < -110:  # digital silence: nothing to scale
        return samples
    return samples * 10 ** ((room_db - quietest) / 20)


QUESTIONS = (
    "How strong is the pain now, from zero to ten?",
    "How is the pressure: more, less, or good?",
    "Any tingling, numbness or sharp pain?",
    "Shall we go on to the next area?",
    "Breathe out slowly, and rest.",
)
# the rooms of --after-question: (name, seconds of reverberant tail, its level against the direct path)
ECHO_ROOMS = {
    "short": ("the offline benches' short echo path", 0.0, 0.0),
    "tail": ("the same + a reverberant tail, RT60 0.5 s, 16 dB under", 1.0, 0.01),
    "reverberant": ("the same + a reverberant tail, RT60 0.5 s, 4 dB over", 0.6, 0.03),
}


def echo_room(x: np.ndarray, room_key: str, seed: int) -> np.ndarray:
    """What a microphone hears of `x` played in one of ECHO_ROOMS."""
    import bench_stop_start as offline

    _, seconds, level = ECHO_ROOMS[room_key]
    if not seconds:
        return offline.room(x)
    t = np.arange(int(seconds * 16000)) / 16000
    h = np.random.default_rng(seed).standard_normal(len(t)) * np.exp(-6.9 * t / 0.5) * level
    h[:200] = 0.0
    h[80], h[95], h[140] = h[80] + 0.4, h[95] + 0.15, h[140] - 0.08
    return np.convolve(x, h)[: len(x)]


def after_question(
    q: np.ndarray, answer: np.ndarray | None, delay: float, room_key: str, seed: int, lowest: float, rec
):
    """A question played after 2 s of a room at -75 dBFS, and `answer` said `delay` seconds after
    its end (None: nobody answers), heard by a session's listener whose floor goes down to `lowest`:
    the answers of the utterances it keeps after the question ended, and the stops it heard."""
    lead, end = 32000, 32000 + len(q)
    n = 0 if answer is None else len(answer)
    total = end + int(delay * 16000) + n + 16000
    played = np.zeros(total)
    played[lead:end] = q
    mic = echo_room(played, room_key, seed) + room(total / 16000, -75.0, np.random.default_rng(seed))[:total]
    if answer is not None:
        at = end + int(delay * 16000)
        mic[at : at + n] += answer
    answers, _, stops = heard_by_listener(mic, rec, "number", lowest, played, after=end / 16000)
    return answers, stops


def after_question_rows(data: str, rooms: list[str], rec) -> None:
    """Faint answers said 0.3 and 0.6 s after a question, where the floor stays at -55 dBFS for a
    second after the player's last sound; and the questions alone (tries and stops they bring).
    FSDD takes 3 and 5, every third clip (40), as the one-off try of 2026-12-07 had them."""
    import bench_stop_start as offline

    from voiceguide.audio.pcm import resample

    questions = [offline.speech(text) for text in QUESTIONS]
    digits = [c for c in bench.fsdd_takes(data, 10) if c["index"] in (3, 5)][::3]
    print("\n## Faint answers just after a question (room at -75 dBFS)\n")
    print(
        "| echo | floor | the question alone: tries, stops (of 20) "
        "| 10 dB quieter, said after 0.3 / 0.6 s | 20 dB quieter, the same |"
    )
    print("|---|---|---|---|---|")
    for key in rooms:
        for lowest in (FIXED, LOWEST):
            alone = [after_question(questions[k % 5], None, 0.5, key, k, lowest, rec) for k in range(20)]
            cells = [f"{sum(len(a) for a, _ in alone)}, {sum(s for _, s in alone)}"]
            for quieter in (10, 20):
                heard = []
                for delay in (0.3, 0.6):
                    ok = 0
                    for k, c in enumerate(digits):
                        said = resample(quieted(c, quieter), c["rate"], 16000).astype(np.float64)
                        answers, _ = after_question(questions[k % 5], said, delay, key, k, lowest, rec)
                        ok += any(
                            bench.session_outcome(a, c["text"], "number") in ("ac", "cc") for a in answers
                        )
                    heard.append(str(ok))
                cells.append(" / ".join(heard) + f" of {len(digits)}")
            label = "fixed -55 dBFS" if lowest == FIXED else "over the room"
            print(f"| {ECHO_ROOMS[key][0]} | {label} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fsdd-tune"))
    parser.add_argument("--commands", help="Speech Commands' test set: " + bench.COMMANDS_SOURCE)
    parser.add_argument("--person", help="one man's recordings: " + bench.PERSON_SOURCE)
    parser.add_argument("--no-listener", action="store_true", help="the recogniser's rows only")
    parser.add_argument("--listener-only", action="store_true", help="the listener's rows only")
    parser.add_argument("--choose", action="store_true", help="the sweep that chose floor.ROOM_MARGIN_DB")
    parser.add_argument(
        "--after-question", nargs="*", choices=sorted(ECHO_ROOMS), metavar="ROOM",
        help="faint answers just after a question, in these echo rooms (all when none named)",
    )  # fmt: skip
    args = parser.parse_args()
    rec = recognise.Recogniser()
    if args.choose:
        choose(args.data, rec)
        return
    if args.after_question is not None:
        after_question_rows(args.data, args.after_question or list(ECHO_ROOMS), rec)
        return
    digits = [dict(c, expect="number") for c in bench.fsdd_takes(args.data, 10) if c["index"] >= 7]
    found = bench.commands_once(args.commands) if args.commands and os.path.isdir(args.commands) else None
    if args.commands and found is None:
        print(f"\n({args.commands} is missing: {bench.COMMANDS_SOURCE})")
    if not args.listener_only:
        recogniser_rows(digits, found, args.person, rec)
    if not args.no_listener:
        stops = [dict(c, expect="any") for c in found["stop"]] if found else []
        background = [dict(c, expect="number") for c in found["none"]] if found else []
        listener_rows(digits, stops, background, rec)


def recogniser_rows(digits: list[dict], found: dict | None, person: str | None, rec) -> None:
    """Each clip as a whole, through the recogniser alone (as `voiceguide hear` hears a file)."""
    print(
        f"# Answers at the microphone's level (too_quiet: loudest 20 ms under {recognise.QUIET_DB:g} dBFS)\n"
    )
    print(
        f"| set | clips | understood %, floor fixed at {FIXED:g} dBFS (before) | understood % now "
        "| marked too quiet: of those understood % | of the rest % "
        "| acted on, before -> now | asked about | acted on or asked about as a stop |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for quieter in QUIETER_DB if digits else ():
        label = "as recorded" if quieter == 0 else f"{quieter} dB quieter"
        print(row(f"FSDD digits, takes 7-9, {label}", digits, rec, quieter), flush=True)
    noise = [dict(c, rate=16000, expect="any") for c in bench.noise_clips(100)]
    print(row("synthetic noises, hums, silence (no word)", noise, rec), flush=True)
    if found:
        people = [dict(c, expect="any") for c in found["stop"]] + [
            dict(c, expect="yesno") for kind in ("yes", "no") for c in found[kind]
        ]
        people += [dict(c, expect="number") for c in found["digit"]]
        print(row("156 people's stop, yes, no and digits, their own level", people, rec), flush=True)
        background = [dict(c, expect="any") for c in found["none"]]
        print(row("their background noises (no word)", background, rec), flush=True)
        other = [dict(c, expect="any") for c in found["other"][::4]]  # no question takes these
        print(row("every fourth of their other words (go, up, off...), --expect any", other, rec), flush=True)
    if person and os.path.isdir(person):
        his_clips = bench.person_clips(person)
        his = [dict(c, expect="any") for c in his_clips["stop"]]
        his += [dict(c, expect="number") for c in his_clips["other"] if c["text"] in bench.DIGITS]
        print(row("one man's stops and digits, his own level", his, rec), flush=True)
        print(row("his room (no word)", [dict(c, expect="any") for c in his_clips["none"]], rec), flush=True)
    elif person:
        print(f"\n({person} is missing: {bench.PERSON_SOURCE})")


if __name__ == "__main__":
    main()
