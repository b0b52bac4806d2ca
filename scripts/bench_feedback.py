"""How fast voiceguide acts on an answer: keys and spoken words, end to end; prints markdown.

    .venv/bin/python scripts/bench_feedback.py [--rounds N] [--stops N] [--warm-stops N]
        [--skip-voice] [--skip-keys] [--listen-logs DIR]

Needs the PulseAudio null sink (bash scripts/pulse.sh start). Every figure is taken
on the sound device's own clock from the journal's `response` events: from the
moment a key is read, or a spoken answer ends, to the moment the response is
heard (its first sample at the loudspeaker) or, for stop and pause, the moment
the loudspeaker falls silent.

Baselines in the same run:
- keys: the floor of the output path, a click queued on a bare output stream and
  timed the same way (no voiceguide code in between);
- voice, offline on the same synthesised words: pocketsphinx's own Endpointer at
  its defaults, against voiceguide's endpointer (the time from the end of the word
  to the end being found), and decoding in-process with every decode in one process against
  decoding as a session does, in the recogniser process with its helper process loaded;
- a stop in the first sentence, each in a session of its own: starting from nothing (--stops)
  against starting from the echo path an earlier session learnt in the same room (--warm-stops:
  one session plays for 12 s and ends as `kill` ends it, which keeps its path; each warm
  session's data folder gets a copy).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import fcntl
import json
import os
import platform
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voiceguide.audio.pcm import SAMPLE_RATE, decode_wav, resample  # noqa: E402
from voiceguide.audio.sinks import StreamSink  # noqa: E402
from voiceguide.audio.speech import open_cache  # noqa: E402
from voiceguide.cues import CUE_SECONDS  # noqa: E402
from voiceguide.plan import Plan, Segment, renumber  # noqa: E402
from voiceguide.player.playback import PAUSED  # noqa: E402

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
PERSON_VOICE = "en-us+m3"
LOGS: Path | None = None  # --listen-logs: each session's listener log and recording, named by session
WORDS = ["stop", "pause", "continue", "less", "three", "harder", "yes"]


def spoken(text: str, rate: int = SAMPLE_RATE, voice: str = PERSON_VOICE) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True).stdout
    x, r = decode_wav(wav)
    return (resample(x, r, rate) * 0.7).astype(np.float32)


def spread(values: list[float]) -> str:
    if not values:
        return "–"
    v = sorted(values)
    p95 = v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]
    return f"{statistics.median(v):.0f} / {p95:.0f} / {v[-1]:.0f}"


def screened_home(folder: Path) -> dict:
    env = dict(os.environ, VOICEGUIDE_HOME=str(folder))
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)
    return env


def long_plan(minutes_of_speech: int = 6) -> Plan:
    """Steps with pressure and holds, again and again: room for keys and words at any moment."""
    cache = open_cache()
    s01 = {"technique": "S01", "area": "lower-back"}
    texts = [
        "Glide your palms slowly down towards your hips, then back up, feather light.",
        "Keep the strokes slow and even, and let your breathing stay easy and calm.",
        "Move a hand's width further out from the spine, and glide slowly again.",
    ]
    segments = [Segment(0, 0, CUE_SECONDS["start"], "cue", sound="start")]
    for i in range(minutes_of_speech * 4):
        text = texts[i % len(texts)]
        segments.append(Segment(0, 0, cache.seconds(text) + 0.6, "speech", text=text, pressure=2, **s01))
        segments.append(Segment(0, 0, 6.0, "hold", pressure=2, **s01))
    segments.append(Segment(0, 0, CUE_SECONDS["end"], "cue", sound="end"))
    return Plan("self", "chronic", 15, 4, [], renumber(segments))


def lock_pulse():
    lock = open("/tmp/vg-pulse.lock", "w")  # noqa: SIM115 (held for the whole run)
    fcntl.flock(lock, fcntl.LOCK_EX)
    subprocess.run(["bash", str(ROOT / "scripts" / "pulse.sh"), "start"], check=True, capture_output=True)
    return lock


# --- the floor: a bare output stream ---------------------------------------------------


def output_floor(rounds: int) -> list[float]:
    sink = StreamSink()
    click = np.zeros(400, dtype=np.float32)
    click[:40] = 0.3
    out = []
    try:
        for _ in range(rounds):
            time.sleep(0.25)
            asked = time.monotonic()
            pos = sink.append(click)
            sink.watch(pos)
            while (heard := sink.heard_at(pos)) is None:
                time.sleep(0.001)
            out.append((heard - asked) * 1000)
    finally:
        sink.close()
    return out


# --- keys ------------------------------------------------------------------------------


def key_responses(rounds: int, folder: Path) -> dict[str, list[float]]:
    env = screened_home(folder)
    plan_file = folder / "plan.json"
    plan_file.write_text(long_plan().to_json())
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen(
        [SCRIPT, "play", "--plan", str(plan_file), "--output", "device", "--json"],
        env=env,
        stdin=child_fd,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    os.close(child_fd)
    found: dict[str, list[float]] = {}
    events: list[dict] = []
    reader = threading.Thread(
        target=lambda: events.extend(json.loads(line) for line in proc.stdout), daemon=True
    )
    reader.start()

    def wait(pred, timeout=30.0):
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for e in events[seen:]:
                if pred(e):
                    return e
            seen = len(events)
            time.sleep(0.01)
        raise RuntimeError(f"no such event; last: {events[-3:]}")

    try:
        wait(lambda e: e["event"] == "segment" and e["kind"] == "speech")
        for _ in range(rounds):
            for key, name in ((b" ", "pause"), (b" ", "resume"), (b"-", "less"), (b"r", "repeat")):
                before = len(events)
                time.sleep(1.5)
                os.write(main_fd, key)
                e = wait(lambda e, b=before: e["event"] == "response" and events.index(e) >= b)
                found.setdefault(name, []).append(e["ms"])
        before = len(events)
        os.write(main_fd, b"s")
        e = wait(lambda e: e["event"] == "response" and events.index(e) >= before)
        found.setdefault("stop", []).append(e["ms"])
    finally:
        proc.kill()
        proc.wait()
        os.close(main_fd)
    return found


# --- voice -----------------------------------------------------------------------------


# the listener's own stages, timed from the end of speech as it found it; and the response timed from
# the end of the word as the person's stream played it (its last sample above 1 %)
STAGES = (
    "speech_end_to_endpoint_ms",
    "speech_end_to_answer_ms",
    "speech_end_to_use_ms",
    "word_end_to_response_ms",
)


class Stalled(Exception):
    """The session stopped speaking (a missed "continue" leaves it paused)."""


class Session:
    """`voiceguide play --feedback voice` on the long plan, its microphone the sink's monitor (so it
    hears its own voice too), and a person's voice played into the same sink."""

    def __init__(self, folder: Path) -> None:
        env = screened_home(folder)
        if LOGS is not None:
            env["VOICEGUIDE_DEBUG_LISTEN"] = str(LOGS / f"{folder.name}.log")
            env["VOICEGUIDE_RECORD_LISTEN"] = str(LOGS / folder.name)
        self.name = folder.name
        plan_file = folder / "plan.json"
        plan_file.write_text(long_plan().to_json())
        self.person = StreamSink()
        self.proc = subprocess.Popen(
            [SCRIPT, "play", "--plan", str(plan_file), "--output", "device", "--json", "--feedback", "voice"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.events: list[dict] = []
        threading.Thread(
            target=lambda: self.events.extend(map(json.loads, self.proc.stdout)), daemon=True
        ).start()

    def speech_started(self, after: int, timeout: float = 90.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:  # paused and its "continue" missed: no more speech comes
                raise Stalled(f"the session said nothing for {timeout:g} s")
            for i, e in enumerate(self.events[after:], after):
                if e["event"] == "segment" and e["kind"] == "speech":
                    return i
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read()[-1500:])
            time.sleep(0.01)

    def say(self, word: str, wait: float = 6.0) -> tuple[dict | None, dict]:
        """Say a word; the response it got (None: none within `wait` s) and its answer event."""
        before = len(self.events)
        said = spoken(word)
        end = self.person.append(said) + int(np.flatnonzero(np.abs(said) > 0.01)[-1]) + 1
        self.person.watch(end)
        deadline = time.monotonic() + wait
        got = None
        while time.monotonic() < deadline and got is None:
            got = next((e for e in self.events[before:] if e["event"] == "response"), None)
            time.sleep(0.01)
        answer = next((e for e in self.events[before:] if e["event"] == "answer"), {})
        ended = self.person.heard_at(end)
        if got is not None and ended is not None and "monotonic" in got:
            answer = dict(answer, word_end_to_response_ms=round((got["monotonic"] - ended) * 1000, 1))
        if LOGS is not None:
            with open(LOGS / "said.txt", "a") as f:
                print(self.name, word, None if got is None else got.get("ms"), json.dumps(answer), file=f)
        return got, answer

    def close(self, saved: bool = False) -> None:
        """Killed outright; or, `saved`, ended as `kill` (SIGTERM) ends it: journal and echo path kept."""
        if saved:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
        self.proc.kill()
        self.proc.wait()
        self.person.close()


def learnt_path(home: Path) -> Path:
    """One session played for 12 s and ended as `kill` ends it: the echo path it learnt."""
    session = Session(home)
    try:
        session.speech_started(0)
        time.sleep(12.0)
    finally:
        session.close(saved=True)
    kept = home / "echo-path.json"
    if not kept.exists():
        raise RuntimeError("the learning session kept no echo path (is the microphone the sink's monitor?)")
    return kept


def default_source(name: str | None = None) -> str:
    now = subprocess.run(["pactl", "get-default-source"], capture_output=True, text=True).stdout.strip()
    if name:
        subprocess.run(["pactl", "set-default-source", name], check=True)
    return now


def voice_responses(
    rounds: int, stops: int, folder: Path, warm_stops: int = 0
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, int], dict[str, int]]:
    """Pause and continue said mid-sentence over the player, `rounds` times in one session (a pause
    not taken said again at once, as a person would: its own row); then
    "stop" said over the player `stops` times, each in a session of its own, at a different moment
    of the sentence; then `warm_stops` times in the first sentence of a session that starts from
    the echo path an earlier one learnt. Returns the responses, the stages, how many of each word
    were said, and how many of those were silenced and asked about ("did you say stop?")."""
    responses: dict[str, list[float]] = {}
    stages: dict[str, list[float]] = {}
    said: dict[str, int] = {}
    asked: dict[str, int] = {}

    def record(word: str, got: dict | None, answer: dict) -> None:
        said[word] = said.get(word, 0) + 1
        if got is None:
            return
        responses.setdefault(word, []).append(got["ms"])
        if got.get("asked"):  # silenced, then "did you say stop?"
            asked[word] = asked.get(word, 0) + 1
        for k in STAGES:
            if k in answer:
                stages.setdefault(f"{word}: {k}", []).append(answer[k])

    before_source = default_source("vg.monitor")
    try:
        session = Session(folder / "words")
        try:
            at = session.speech_started(0)
            for _ in range(rounds):
                at = session.speech_started(at + 1, timeout=30.0)
                time.sleep(1.2)  # mid-sentence
                got, answer = session.say("pause")
                record("pause", got, answer)
                if got is None:  # not taken: said again, as a person would (playback.PauseAgain)
                    time.sleep(1.0)
                    record("pause, said again", *session.say("pause"))
                time.sleep(
                    open_cache().seconds(PAUSED) + 0.3
                )  # told "Say continue": after it, as a person would
                record("continue", *session.say("continue"))
                at = len(session.events) - 1
        except Stalled as e:
            print(f"(round stopped early: {e})", file=sys.stderr)
            said["continue"] = said.get("continue", 0) + 1
        finally:
            session.close()
        for i in range(stops):
            session = Session(folder / f"stop{i}")
            try:
                at = session.speech_started(0)
                if i % 2:  # later, the echo long learnt: the third sentence
                    at = session.speech_started(session.speech_started(at + 1) + 1)
                    where = "stop, later"
                else:  # the first sentence, while the echo is still being learnt
                    where = "stop, first sentence"
                time.sleep(1.0 + 0.2 * (i % 5))
                record(where, *session.say("stop"))
                time.sleep(1.0)  # the listener's log, if kept, is written to the end
            finally:
                session.close()
        learnt = learnt_path(folder / "learn") if warm_stops else None
        for i in range(warm_stops):
            home = folder / f"warm{i}"
            home.mkdir(parents=True)
            shutil.copy(learnt, home / learnt.name)
            session = Session(home)
            try:
                session.speech_started(0)
                time.sleep(1.0 + 0.2 * (i % 5))
                record("stop, first sentence, from the last session's echo path", *session.say("stop"))
                time.sleep(1.0)
            finally:
                session.close()
    finally:
        if before_source:
            default_source(before_source)
    return responses, stages, said, asked


# --- voice, offline: endpointing and decoding against pocketsphinx's own ------------------


HELPER_LOADS = 3.0  # seconds: ample for the recogniser's helper process to load its model


def offline_baselines() -> dict[str, list[float]]:
    import pocketsphinx

    from voiceguide.feedback.listen import FRAME, RATE, Listener, RecogniserProcess
    from voiceguide.feedback.recognise import Recogniser

    out: dict[str, list[float]] = {k: [] for k in ("ours", "pocketsphinx", "decode_in", "decode_proc")}
    recogniser = Recogniser(helper=False)  # the baseline: every decode in one process, no hop
    remote = RecogniserProcess()  # as a session decodes: its own process, and its helper beside it
    try:
        remote.hear(spoken(WORDS[0], RATE), RATE, "any")
        time.sleep(HELPER_LOADS)  # the helper loads its model in the background: time it loaded
        for word in WORDS:
            x = spoken(word, RATE)
            true_end = (RATE + np.flatnonzero(np.abs(x) > 0.01)[-1]) / RATE
            signal = np.concatenate([np.zeros(RATE), x, np.zeros(RATE)]).astype(np.float32)
            listener = Listener(None, recognise=None)
            for i in range(0, len(signal) - FRAME + 1, FRAME):
                if listener.process(signal[i : i + FRAME], i / RATE) is not None:
                    out["ours"].append(((i + FRAME) / RATE - true_end) * 1000)
                    break
            ep = pocketsphinx.Endpointer()
            pcm = (signal * 32767).astype("<i2").tobytes()
            n = ep.frame_bytes
            for k in range(0, len(pcm) - n + 1, n):
                was = ep.in_speech
                ep.process(pcm[k : k + n])
                if was and not ep.in_speech:
                    out["pocketsphinx"].append(((k + n) / 2 / RATE - true_end) * 1000)
                    break
            t = time.perf_counter()
            recogniser.hear(x, RATE, "any")
            out["decode_in"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            remote.hear(x, RATE, "any")
            out["decode_proc"].append((time.perf_counter() - t) * 1000)
    finally:
        remote.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--stops", type=int, default=5, help="stop words said, each in a session of its own")
    ap.add_argument(
        "--warm-stops", type=int, default=0, help="stops in the first sentence, from a learnt echo path"
    )
    ap.add_argument("--skip-voice", action="store_true")
    ap.add_argument("--skip-keys", action="store_true")
    ap.add_argument(
        "--listen-logs",
        type=Path,
        help="keep each session's listener log and recording here (said.txt: what got which response)",
    )
    args = ap.parse_args()
    if args.listen_logs:
        global LOGS
        LOGS = args.listen_logs
        LOGS.mkdir(parents=True, exist_ok=True)
    print(f"# Feedback latency — {datetime.date.today()} — {platform.machine()}, {os.cpu_count()} cores\n")
    offline = offline_baselines()
    print("## Spoken answers, offline (the same synthesised words; ms, median / p95 / max)\n")
    print("| stage | voiceguide | baseline | ratio (median) |")
    print("|---|---|---|---|")
    ratio = statistics.median(offline["ours"]) / max(1e-9, statistics.median(offline["pocketsphinx"]))
    print(
        f"| end of word → end found | {spread(offline['ours'])} | pocketsphinx Endpointer defaults "
        f"{spread(offline['pocketsphinx'])} | {ratio:.2f} |"
    )
    ratio = statistics.median(offline["decode_proc"]) / max(1e-9, statistics.median(offline["decode_in"]))
    print(
        f"| decoding one answer | recogniser process, its helper loaded {spread(offline['decode_proc'])} | "
        f"in-process, all three decodes in one process {spread(offline['decode_in'])} | {ratio:.2f} |\n"
    )
    lock = lock_pulse()
    try:
        floor = output_floor(20)
        with tempfile.TemporaryDirectory() as tmp:
            if not args.skip_keys:
                keys = key_responses(args.rounds, Path(tmp) / "keys")
                print("## Keys on a terminal → audible response (ms, median / p95 / max; target ≤ 100)\n")
                print(f"Floor, a click on a bare output stream: {spread(floor)}\n")
                print("| key | response | n | ratio to the floor (median) |")
                print("|---|---|---|---|")
                for name, values in keys.items():
                    ratio = statistics.median(values) / statistics.median(floor)
                    print(f"| {name} | {spread(values)} | {len(values)} | {ratio:.2f} |")
                print()
            if not args.skip_voice:
                voice, stages, said, asked = voice_responses(
                    args.rounds, args.stops, Path(tmp) / "voice", args.warm_stops
                )
                print("## Spoken words over the player → response (ms, median / p95 / max)\n")
                print("Targets: end of answer → action ≤ 400; stop: end of word → silence ≤ 300.\n")
                print("| word | response (sound; silence for stop, pause) | acted on (or silenced, asked) |")
                print("|---|---|---|")
                for name, count in said.items():
                    values = voice.get(name, [])
                    how = f' ({asked[name]} silenced and asked "did you say stop?")' if name in asked else ""
                    print(f"| {name} | {spread(values)} | {len(values)} of {count}{how} |")
                for name, values in stages.items():
                    print(f"| ({name.replace('_', ' ')}) | {spread(values)} | {len(values)} |")
                print(f"\nWords not acted on: {sum(said.values()) - sum(len(v) for v in voice.values())}.")
    finally:
        lock.close()


if __name__ == "__main__":
    main()
