"""What people's ordinary talk does to a session while it plays: real read sentences, offline,
through the listener.

    .venv/bin/python scripts/bench_talk.py [--speechocean DIR] [--librispeech DIR] [--every N] [--jobs J]
        [--stops DIR] [--stop-model FILE ...] [--try NAME=VALUE[,NAME=VALUE...] ...]

A partner and the person receiving talk while the massage goes on, mostly in the holds, when the
player is silent. None of it is an answer; a stop or a symptom word heard in it stops the sound and
asks ("Did you say stop?"), or ends the work at once. Issue 16 asks for false stops on other words
at 1 % or less; the benchmark's other words are single words, one second each. This is talk.

Each speaker's sentences, one after another with ROOM_GAP seconds of a room between them (pink
noise at ROOM_DB), are heard 30 ms at a time by `listen.Listener` running its own thread, as a
session's microphone is while nothing is played; every answer it gives is decided as the player
decides what is said while the session plays (`decision.at_question(.., "between")`,
`dialogue.doubtful_stop`, `playback.PauseAgain`). Stops heard while a word is said count too. A
sentence's outcome is the strongest of its answers: stopped, asked about a stop, a symptom acted
on, asked about a symptom, paused, repeated; else nothing (what `Player.between_questions` does: a
test holds the two to the same).

Sentences whose transcript holds a word a session hears between questions (stop, ow, enough, a
symptom word, pause, wait, continue, go, repeat, again...; `intents.meaning`) are counted apart:
there an action is not a false one. The stop word inside sentences ("... could not stop ...") is
also heard each sentence alone, and reported as stops heard.

With --stop-model, the shipped stop detector is the baseline and each FILE is heard beside it on the
same talk (the rules as they are); with --try, so is the shipped detector with levels of
voiceguide.feedback.recognise or stopword changed (each --try one more run: a level weighed on
talk). Without either, the baselines in the same run: the listener as it was before 2026-12-07
(recognise.WEAK_STOP_SPEECH set to infinity: the weak signs of a stop count at any length, and a
sure stop in a long answer is acted on, not asked about), and the plain engine, pocketsphinx with
every answer word in one JSGF grammar at its defaults (`bench_recognition.plain_baseline`), on each
whole sentence: a stop or symptom word in what it decodes is acted on, as a naive player would.

Sets (nothing is tuned on them, nothing made from them is shipped):
- **--speechocean DIR**: speechocean762 (github.com/jimbozhang/speechocean762; free for commercial
  and non-commercial use, OpenSLR SLR101): 5,000 read sentences of 1-10 words by 250 Mandarin-L1
  speakers of English, half of them children; 16 kHz WAV, Kaldi `text`, `wav.scp` and `utt2spk`
  files. Its test part only (2,500 sentences, 125 speakers): `train_stop.py --talk` fits the stop
  detector on its train part (from 2026-12-07; runs before then heard both parts).
- **--librispeech DIR**: a LibriSpeech folder (CC BY 4.0; e.g. mini LibriSpeech's train-clean-5,
  28 speakers, 1,519 long read sentences from audiobooks): `<speaker>/<chapter>/*.flac` with
  `*.trans.txt`.

With --stops DIR (Speech Commands' test part, the people's stops `bench_recognition.py --commands`
hears, each recording once), each of those stops is also said in the same breath as a sentence of
the talk (after it or before it, STOP_GAP apart, at its level: `stop_in_talk`) and heard the same
way, beside the same stop alone: how many the talk around them hides. A level that quiets talk must
not miss more of them. After each table, where its stops come from: each answer taken for a stop,
decided again alone (`why_a_stop`).

--every N hears every Nth sentence of each speaker (1: all). With both runs (the rules off and on)
a set takes about four minutes of one core per 10 minutes of speech, shared among --jobs
processes (--every 5 on both sets: 21 minutes on 2 cores; with --stops, 46 minutes, and 60 with the
baseline of the rules before).
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from voiceguide import settings  # noqa: E402

settings.one_blas_thread()

import numpy as np  # noqa: E402

ROOM_DB = -65.0  # an ordinary room (bench_level.py's ROOMS_DB)
ROOM_GAP = 1.5  # seconds of the room between sentences, and before the first
SPEECHOCEAN_SOURCE = "github.com/jimbozhang/speechocean762 (OpenSLR SLR101)"
LIBRISPEECH_SOURCE = "www.openslr.org/12 (mini LibriSpeech: www.openslr.org/31, train-clean-5)"
ASKED_STOP = 'asked "did you say stop?"'
OUTCOMES = (
    "stopped",
    ASKED_STOP,
    "a symptom acted on",
    "asked about a symptom",
    "paused",
    "repeated",
)


def speechocean(folder: str, parts: tuple[str, ...] = ("test",)) -> dict[str, list[tuple[str, str]]]:
    """{speaker: [(wav path, transcript)]} from speechocean762's lists (`utt2spk` names the speaker).
    The test part by default: train_stop.py --talk fits the stop detector on the train part."""
    out: dict[str, list[tuple[str, str]]] = {}
    for part in parts:
        lists: dict[str, dict[str, str]] = {}
        for name in ("text", "wav.scp", "utt2spk"):
            listing = os.path.join(folder, part, name)
            into = lists.setdefault(name, {})
            if os.path.exists(listing):
                for line in Path(listing).read_text().splitlines():
                    key, _, value = line.partition("\t") if "\t" in line else line.partition(" ")
                    into[key] = value.strip()
        texts, paths, speakers = lists["text"], lists["wav.scp"], lists["utt2spk"]
        for key, text in sorted(texts.items()):
            path = os.path.join(folder, paths.get(key, ""))
            if key in paths and os.path.exists(path):
                out.setdefault(speakers.get(key) or os.path.basename(os.path.dirname(path)), []).append(
                    (path, text)
                )
    return out


def librispeech(folder: str) -> dict[str, list[tuple[str, str]]]:
    """{speaker: [(flac path, transcript)]} from a LibriSpeech tree's *.trans.txt files."""
    out: dict[str, list[tuple[str, str]]] = {}
    for listing in sorted(glob.glob(os.path.join(folder, "**", "*.trans.txt"), recursive=True)):
        here = os.path.dirname(listing)
        for line in Path(listing).read_text().splitlines():
            key, _, text = line.partition(" ")
            path = os.path.join(here, key + ".flac")
            if os.path.exists(path):
                out.setdefault(key.split("-")[0], []).append((path, text.strip()))
    return out


def read_audio(path: str) -> np.ndarray:
    """Any file sox reads, as 16 kHz mono float samples (full scale 1)."""
    raw = subprocess.run(
        ["sox", path, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, "<i2").astype(np.float32) / 32768


def session_words(text: str) -> set[str]:
    """What a session would do with the words of `text` said between questions (stop, symptom,
    pause, continue, repeat), by each word's own meaning."""
    from voiceguide.feedback.intents import HEARD_BETWEEN_QUESTIONS, meaning

    words = text.lower().replace(",", " ").replace(".", " ").split()
    return {meaning(w)[0] for w in words} & HEARD_BETWEEN_QUESTIONS


class Stream:
    """A microphone that gives a prepared signal's frames as fast as they are taken, and says when
    the last has been taken (the listener's thread handles one frame at a time, so by then it has
    handled every frame before)."""

    def __init__(self, signal: np.ndarray, frame: int, rate: int) -> None:
        self.frames = [(signal[i : i + frame], i / rate) for i in range(0, len(signal) - frame + 1, frame)]
        self.next = 0
        self.done = threading.Event()

    def read(self, timeout: float):
        if self.next < len(self.frames):
            self.next += 1
            return self.frames[self.next - 1]
        self.done.set()
        time.sleep(0.005)
        return None

    def close(self) -> None:
        pass


def outcome(answer, pause_again, now: float) -> str | None:
    """What the player does with an answer heard while the session plays (Player.between_questions)."""
    from voiceguide.feedback.decision import ACT, at_question
    from voiceguide.feedback.intents import meaning
    from voiceguide.player.dialogue import doubtful_stop

    if doubtful_stop(answer):
        said = meaning(answer.text)[0]
        return ASKED_STOP if said == "stop" else "asked about a symptom"
    if pause_again(answer, now) == "pause":
        return "paused"
    decision = at_question(answer, "between")
    if decision.action != ACT:
        return None
    intent = decision.answer.intent
    return {
        "stop": "stopped",
        "symptom": "a symptom acted on",
        "pause": "paused",
        "repeat": "repeated",  # ("continue" while the session plays has nothing to resume: set aside)
    }.get(intent)


_RECS: dict = {}
_PLAIN = None


def worker_start() -> None:
    global _PLAIN
    from bench_recognition import plain_baseline

    _PLAIN = plain_baseline()


def stop_detector(model: str | None):
    """The recogniser with this stop detector (None: the shipped one), the detector named as a
    session names another (VOICEGUIDE_STOP_MODEL), so that the listener's own spotters load it too."""
    from voiceguide.feedback import stopword
    from voiceguide.feedback.recognise import Recogniser

    os.environ.pop("VOICEGUIDE_STOP_MODEL", None)
    if model:
        os.environ["VOICEGUIDE_STOP_MODEL"] = model
    stopword.network.cache_clear()
    if model not in _RECS:
        _RECS[model] = Recogniser()
    return _RECS[model]


Changes = dict[str, float]  # levels of feedback.recognise or stopword changed for a run ({}: none)


def heard_talk(job: tuple[str, list[tuple[str, str]], int, float, str | None, Changes]) -> list[dict]:
    """One speaker's sentences in a row through the listener, the weak signs of a stop counting up
    to `weak` seconds of speech (recognise.WEAK_STOP_SPEECH), with this stop detector (None: the
    shipped one) and these levels changed: per sentence, its transcript, seconds, the outcomes of
    the answers that ended within it (or in the gap after it), and the plain engine's (with the
    shipped detector and levels only)."""
    from bench_recognition import levels_changed

    from voiceguide.feedback import recognise
    from voiceguide.feedback.intents import meaning
    from voiceguide.feedback.listen import RATE

    speaker, sentences, seed, weak, model, changes = job
    as_shipped = model is None and not changes and weak == recognise.WEAK_STOP_SPEECH
    texts = [text for _, text in sentences]
    said = [read_audio(path) for path, _ in sentences]
    with levels_changed({"WEAK_STOP_SPEECH": weak, **changes}):
        rows = talk_heard(speaker, texts, said, seed, stop_detector(model))
    for row in rows:
        row["weak"] = weak
    if as_shipped:
        with tempfile.TemporaryDirectory() as folder:
            for row, x in zip(rows, said, strict=True):
                text, _ = _PLAIN({"samples": x, "rate": RATE}, folder)
                row["baseline"] = sorted({meaning(w)[0] for w in text.split()} & {"stop", "symptom"})
    return rows


def talk_heard(speaker: str, texts: list[str], said: list[np.ndarray], seed: int, rec) -> list[dict]:
    """heard_talk's listening and deciding, with the levels as they are now."""
    from bench_level import room

    from voiceguide.feedback.listen import FRAME, RATE, Listener, Reference
    from voiceguide.player.playback import PauseAgain

    rng = np.random.default_rng(seed)
    gap = int(ROOM_GAP * RATE)
    seconds = ROOM_GAP + sum(len(x) / RATE + ROOM_GAP for x in said) + 1.0
    signal = room(seconds, ROOM_DB, rng).astype(np.float32)
    spans, at = [], gap
    for x in said:
        signal[at : at + len(x)] += x
        spans.append((at / RATE, (at + len(x) + gap) / RATE))
        at += len(x) + gap
    mic = Stream(signal, FRAME, RATE)
    nothing = Reference(lambda start, end: (np.zeros(0), np.zeros(0, np.float32)), RATE)
    listener = Listener(mic, rec.hear, reference=nothing).start()
    try:
        mic.done.wait()
        time.sleep(0.05)
    finally:
        listener.stop()
    answers = []
    while not listener.heard.empty():
        answers.append(listener.heard.get())
    pause_again = PauseAgain()
    rows = [
        {"speaker": speaker, "text": text, "seconds": len(x) / RATE, "outcomes": []}
        | {"session_words": sorted(session_words(text))}
        for text, x in zip(texts, said, strict=True)
    ]
    for heard in answers:
        what = outcome(heard.answer, pause_again, heard.answer.at or 0.0)
        end = heard.answer.at or 0.0
        k = next((i for i, (lo, hi) in enumerate(spans) if lo <= end < hi), len(spans) - 1)
        if what is not None:
            rows[k]["outcomes"].append(what)
        if what in ("stopped", ASKED_STOP):
            rows[k].setdefault("why", []).append(why_a_stop(rec, heard.utterance.samples))
    return rows


def why_a_stop(rec, samples: np.ndarray) -> str:
    """Which sign of a stop the utterance carries, decided again alone (as `Recogniser.answer`
    weighs them; the first that holds), and whether it is long (over WEAK_STOP_SPEECH): an
    approximation for the breakdown, since the listener may have heard part of it while it was
    said, or a stop said twice."""
    from voiceguide.feedback import recognise, stopword
    from voiceguide.feedback.intents import meaning
    from voiceguide.feedback.listen import RATE

    info = rec.details(samples, RATE, "any")
    chance = info.get("stop_chance", 0.0)
    words = info.get("words") or {}
    length = "long" if not recognise.short_enough(info) else "short"
    if chance >= stopword.ASK_AT:
        sign = "detector sure"
    elif meaning(info.get("text", ""))[0] == "stop" and chance >= recognise.stop_veto(info):
        sign = "decoder, detector not vetoing"
    elif chance >= recognise.STOP_UNSURE:
        sign = "detector unsure"
    elif words and max(words, key=words.get) == "stop":
        sign = "word listener"
    else:
        sign = "none when heard alone"
    return f"{sign}, {length}"


def heard_alone(job: tuple[tuple[str, str], float, str | None, Changes]) -> bool:
    """One sentence alone: is it heard as a stop (acted on or asked about)?"""
    results = heard_talk(("alone", [job[0]], 0, *job[1:]))
    return any(o in ("stopped", ASKED_STOP) for o in results[0]["outcomes"])


STOP_GAP = 0.1  # seconds between a sentence's speech and a stop said in the same breath


def frame_rms(x: np.ndarray) -> np.ndarray:
    frame = 160  # 10 ms
    n = max(1, len(x) // frame)
    return np.sqrt(np.mean(np.resize(x, n * frame).reshape(n, frame) ** 2, axis=1)) + 1e-6


def spoken(x: np.ndarray) -> np.ndarray:
    """The stretch of a recording from its first to its last 10 ms frame within 35 dB of its
    loudest and 10 dB over its quietest (what lies around the speech is the recording's room)."""
    db = 20 * np.log10(frame_rms(x))
    loud = np.flatnonzero((db > db.max() - 35) & (db > np.percentile(db, 5) + 10))
    return x[loud[0] * 160 : (loud[-1] + 1) * 160] if len(loud) else x


def stop_in_talk(sentence: np.ndarray, stop: np.ndarray, after: bool) -> np.ndarray:
    """A person's stop said in the same breath as a sentence, after it or before it ("... and then,
    stop", "stop, that hurts"): the speech of each, STOP_GAP apart, the stop at the sentence's own
    speaking level (the 90th percentile of its frames' RMS)."""
    sentence, stop = spoken(sentence), spoken(stop)
    stop = stop * (np.percentile(frame_rms(sentence), 90) / np.percentile(frame_rms(stop), 90))
    gap = np.zeros(int(STOP_GAP * 16000), np.float32)
    parts = (sentence, gap, stop) if after else (stop, gap, sentence)
    return np.concatenate(parts).astype(np.float32)


def heard_stop_in_talk(job: tuple[str | None, np.ndarray, bool, int, float, str | None, Changes]) -> str:
    """One stop said with a sentence (with none: alone, the baseline), heard as the talk is:
    "stopped", ASKED_STOP or "missed"."""
    from bench_recognition import levels_changed

    path, stop, after, seed, weak, model, changes = job
    said = stop_in_talk(read_audio(path), stop, after) if path else spoken(stop).astype(np.float32)
    with levels_changed({"WEAK_STOP_SPEECH": weak, **changes}):
        rows = talk_heard("stop", ["stop"], [said], seed, stop_detector(model))
    return strongest([o for o in rows[0]["outcomes"] if o in ("stopped", ASKED_STOP)]) or "missed"


def people_stops(folder: str) -> list[np.ndarray]:
    """The benchmark's people's stops (bench_recognition.py --commands: Speech Commands' test part,
    each recording once), 16 kHz."""
    from bench_recognition import commands_clips, commands_picks

    from voiceguide.audio.pcm import resample

    found = commands_clips(folder) if os.path.isdir(folder) else {}
    if not found or not found["stop"]:
        return []
    return [
        resample(np.asarray(c["samples"], np.float32), c["rate"], 16000).astype(np.float32)
        for c in commands_picks(found)["stop"]
    ]


def strongest(outcomes: list[str]) -> str | None:
    return min(outcomes, key=OUTCOMES.index) if outcomes else None


def report(name: str, runs: dict[str, list[dict]], seconds: float) -> None:
    """One table: each outcome's sentences and rate, for each run of the same talk."""
    first = next(iter(runs.values()))
    plain = [not r["session_words"] for r in first]
    n = sum(plain)
    minutes = sum(r["seconds"] for r, p in zip(first, plain, strict=True) if p) / 60
    speakers = len({r["speaker"] for r, p in zip(first, plain, strict=True) if p})
    print(f"\n## {name}\n")
    print(
        f"{n} sentences by {speakers} speakers with no word a session hears between questions, "
        f"{minutes:.1f} minutes of speech ({seconds:.0f} s on this machine: wall time x processes). "
        "Each cell: sentences (% of them), and per 10 minutes of talk.\n"
    )
    print("| outcome | " + " | ".join(runs) + " |")
    print("|---|" + "---|" * len(runs))
    cells: dict[str, list[str]] = {o: [] for o in (*OUTCOMES, "stop")}
    for rows in runs.values():
        kept = [r for r, p in zip(rows, plain, strict=True) if p]
        counts = Counter(strongest(r["outcomes"]) for r in kept)
        events = Counter(o for r in kept for o in r["outcomes"])
        counts["stop"] = counts["stopped"] + counts[ASKED_STOP]
        events["stop"] = events["stopped"] + events[ASKED_STOP]
        for o in cells:
            cells[o].append(
                f"{counts[o]} ({100 * counts[o] / max(n, 1):.1f} %), {10 * events[o] / minutes:.1f}"
            )
    for o in OUTCOMES:
        print(f"| {o} | " + " | ".join(cells[o]) + " |")
    print("| **a stop, acted on or asked about** | " + " | ".join(f"**{c}**" for c in cells["stop"]) + " |")
    print(
        "\nWhere the stops come from (each answer taken for a stop, its utterance decided again alone: "
        "`why_a_stop`):\n"
    )
    for label, rows in runs.items():
        why = Counter(w for r, p in zip(rows, plain, strict=True) if p for w in r.get("why", []))
        print(f"- {label}: " + "; ".join(f"{w} {c}" for w, c in why.most_common()))
    shipped = next(rows for rows in runs.values() if "baseline" in rows[0])  # (made in one run only)
    base = Counter(k for r, p in zip(shipped, plain, strict=True) if p for k in r["baseline"])
    print(
        f"\nBaseline, the plain engine on each sentence whole: a stop in {base['stop']} "
        f"({100 * base['stop'] / max(n, 1):.1f} %), a symptom word in {base['symptom']} "
        f"({100 * base['symptom'] / max(n, 1):.1f} %), each acted on at once."
    )
    words = [r for r in first if r["session_words"]]
    if words:
        kinds = Counter(k for r in words for k in r["session_words"])
        acted = [sum(bool(r["outcomes"]) for r in rows if r["session_words"]) for rows in runs.values()]
        print(
            f"\nSentences with a word a session hears between questions ({len(words)}: "
            + ", ".join(f"{k} {c}" for k, c in kinds.most_common())
            + "): some action in "
            + " / ".join(str(a) for a in acted)
            + "."
        )


def report_stops_in_talk(
    with_talk: dict[str, list[str]], alone: dict[str, list[str]], after: list[bool]
) -> None:
    """People's stops said in the same breath as a sentence of talk: stopped, asked about, missed;
    beside the same stops said alone (the baseline: what the talk costs)."""
    n = len(after)
    print(
        f"\nPeople's stops (--stops, {n}) said in the same breath as a sentence of this talk, {STOP_GAP:g} s "
        f"apart, at its level: after it in {sum(after)}, before it in {n - sum(after)}. Baseline: each "
        "stop alone, heard the same way.\n"
    )
    print(
        "| levels | alone: stopped / asked / missed | in talk: stopped | asked about | missed "
        "| missed after / before |"
    )
    print("|---|---|---|---|---|---|")
    for label, outcomes in with_talk.items():
        got, by_itself = Counter(outcomes), Counter(alone[label])
        late = sum(o == "missed" and a for o, a in zip(outcomes, after, strict=True))
        print(
            f"| {label} | {by_itself['stopped']} / {by_itself[ASKED_STOP]} / {by_itself['missed']} | "
            f"{got['stopped']} | {got[ASKED_STOP]} | **{got['missed']}** ({100 * got['missed'] / n:.1f} %) | "
            f"{late} / {got['missed'] - late} |"
        )


def run_set(
    name: str,
    found: dict[str, list[tuple[str, str]]],
    every: int,
    jobs: int,
    models: list[str],
    tries: list[Changes],
    people_stop: list[np.ndarray] | None = None,
) -> None:
    from voiceguide.feedback import recognise

    def has_stop(text: str) -> bool:  # the word or its forms (stops, stopped...): counted apart
        return "stop" in session_words(text) or any(w.startswith("STOP") for w in text.upper().split())

    now = recognise.WEAK_STOP_SPEECH
    if models or tries:  # the shipped detector against others, the rules as they are
        levels = (
            {"shipped stop detector": (now, None, {})}
            | {f"stop detector {m}": (now, m, {}) for m in models}
            | {"shipped, " + ", ".join(f"{n} {v:g}" for n, v in c.items()): (now, None, c) for c in tries}
        )
    else:
        levels = {
            "weak signs of a stop at any length, a sure one acted on (before 2026-12-07)": (
                float("inf"),
                None,
                {},
            ),
            f"weak signs only in {now:g} s of speech or less, a sure one asked about "
            "in longer answers (now)": (now, None, {}),
        }
    talk = [
        (spk, [s for s in said if not has_stop(s[1])][::every], k)
        for k, (spk, said) in enumerate(found.items())
    ]
    stops = [s for said in found.values() for s in said if "STOP" in s[1].split()]
    carriers = [s[0] for _, said, _ in talk for s in said]
    said_with = [
        (carriers[(k * 7) % len(carriers)], x, k % 2 == 0, 1000 + k) for k, x in enumerate(people_stop or [])
    ]
    runs, heard, with_talk, heard_alone_stop = {}, {}, {}, {}
    with Pool(jobs, initializer=worker_start) as pool:
        started = time.time()
        for label, run in levels.items():
            rows = pool.map(heard_talk, [(*job, *run) for job in talk], chunksize=1)
            runs[label] = [r for rs in rows for r in rs]
            heard[label] = pool.map(heard_alone, [(s, *run) for s in stops], chunksize=1)
        wall = time.time() - started
        for label, run in levels.items():
            with_talk[label] = pool.map(heard_stop_in_talk, [(*job, *run) for job in said_with], chunksize=4)
            alone = [(None, x, True, seed, *run) for _, x, _, seed in said_with]
            heard_alone_stop[label] = pool.map(heard_stop_in_talk, alone, chunksize=4)
    report(name, runs, wall * jobs)
    if said_with:
        report_stops_in_talk(with_talk, heard_alone_stop, [after for _, _, after, _ in said_with])
    if stops:
        print(f"\nThe word stop inside a sentence, each sentence alone ({len(stops)}): heard as a stop")
        for label, h in heard.items():
            print(f"- {label}: {sum(h)}")
        for k, (_, text) in enumerate(stops):
            marks = " / ".join("heard" if h[k] else "missed" for h in heard.values())
            print(f"  - {marks}: {text.lower()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speechocean", help="speechocean762, cloned: " + SPEECHOCEAN_SOURCE)
    ap.add_argument("--librispeech", help="a LibriSpeech folder: " + LIBRISPEECH_SOURCE)
    ap.add_argument("--every", type=int, default=1, help="every Nth sentence of each speaker (1: all)")
    ap.add_argument("--speakers", type=int, default=0, help="only the first N speakers (0: all)")
    ap.add_argument("--jobs", type=int, default=2, help="processes (this machine has 2 cores)")
    ap.add_argument(
        "--stops",
        metavar="DIR",
        help="also people's stops said in the same breath as a sentence of the talk: the Speech Commands "
        "test part bench_recognition.py --commands hears",
    )
    ap.add_argument(
        "--stop-model",
        action="append",
        default=[],
        help="also this stop detector (npz), beside the shipped one",
    )
    ap.add_argument(
        "--try",
        dest="tries",
        action="append",
        default=[],
        metavar="NAME=VALUE[,NAME=VALUE]",
        help="also the shipped detector with these levels of feedback.recognise or stopword changed",
    )
    args = ap.parse_args()
    if not (args.speechocean or args.librispeech):
        ap.error(f"give --speechocean DIR ({SPEECHOCEAN_SOURCE}) or --librispeech DIR ({LIBRISPEECH_SOURCE})")
    from bench_recognition import tried  # noqa: PLC0415 (it loads the recogniser's modules)

    tries = [tried(t.split(",")) for t in args.tries]
    people_stop = people_stops(args.stops) if args.stops else []
    if args.stops and not people_stop:
        ap.error(f"no stop recordings found in {args.stops} (a Speech Commands folder with stop/*.wav)")
    print(f"# People's talk while a session plays ({time.strftime('%Y-%m-%d %H:%M')})")
    print(f"\nA room at {ROOM_DB:g} dBFS, {ROOM_GAP:g} s of it between sentences; nothing played.")
    for name, folder, read, source in (
        ("speechocean762's test part: 125 Mandarin-L1 speakers, half of them children", args.speechocean,
         speechocean,
         SPEECHOCEAN_SOURCE),
        ("LibriSpeech: read audiobooks", args.librispeech, librispeech, LIBRISPEECH_SOURCE),
    ):  # fmt: skip
        if not folder:
            continue
        found = read(folder) if os.path.isdir(folder) else {}
        if not found:
            print(f"\n({folder}: no recordings with transcripts found. Where to get them: {source})")
            continue
        if args.speakers:
            found = dict(list(found.items())[: args.speakers])
        run_set(name, found, args.every, args.jobs, args.stop_model, tries, people_stop)


if __name__ == "__main__":
    main()
