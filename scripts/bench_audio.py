#!/usr/bin/env python3
"""Audio benchmarks, each beside a baseline measured in the same run.

    python scripts/bench_audio.py [--minutes 10] [--skip-naive] [--quick]

(a) onset error of speech on the sound device over a session, p50/p95/max and drift at the end,
    recorded from the PulseAudio null sink's monitor; baseline: the naive way, pyttsx3 say() +
    runAndWait() + sleep() for the same plan.
(b) time from command start to first sound, cold and warm speech cache.
(c) render time of a 20-minute session, cold and warm, against raw `espeak-ng -w` for the same texts.
(d) peak RSS of a 90-minute render.
(e) the voices, natural (piper) beside espeak-ng in the same run: cold and warm render of 10- and
    20-minute sessions, command start to first sound and to first words on the device (cold and
    warm cache; the sound server's sink idle and awake), peak RSS, pace (words a minute), and
    pocketsphinx's word error rate on the rendered steps of a 20-minute plan (a rough stand-in
    for a listener).

Needs PulseAudio with a null sink "vg" (bash scripts/pulse.sh start) and parecord.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tests/audio_measure.py: not part of the package

from audio_measure import locate_speech, onset_errors  # noqa: E402

from voiceguide import library, planner  # noqa: E402
from voiceguide.audio.pcm import SAMPLE_RATE, read_clip  # noqa: E402
from voiceguide.plan import Plan  # noqa: E402

SCRIPT = str(Path(sys.executable).parent / "voiceguide")


def env_for(home: Path, cache: Path) -> dict:
    return dict(os.environ, VOICEGUIDE_HOME=str(home), VOICEGUIDE_CACHE=str(cache))


def screened(env: dict) -> None:
    subprocess.run([SCRIPT, "screen"], input="no\n" * 19, text=True, env=env, check=True, capture_output=True)


class Recorder:
    """parecord on the null sink's monitor; warmed up, since the first second may be lost."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.proc = subprocess.Popen(
            [
                "parecord",
                "-d",
                "vg.monitor",
                "--rate",
                str(SAMPLE_RATE),
                "--channels",
                "1",
                "--file-format=wav",
                str(path),
            ]
        )
        time.sleep(1.5)

    def stop(self) -> np.ndarray:
        time.sleep(1.0)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        return read_clip(self.path)


def speech_errors(plan: Plan, recording: np.ndarray, clip_for, reach: float) -> list[float]:
    return onset_errors(locate_speech(plan, recording, clip_for, reach))


def naive_session(plan: Plan) -> None:
    """The baseline a first attempt would write: pyttsx3 say() and sleep() chains."""
    import pyttsx3

    engine = pyttsx3.init()
    for seg in plan.segments:
        started = time.monotonic()
        if seg.kind in ("speech", "checkpoint") and seg.text:
            engine.say(seg.text)
            engine.runAndWait()
            rest = seg.duration - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
        else:
            time.sleep(seg.duration)


def bench_onsets(minutes: float, skip_naive: bool, work: Path) -> dict:
    cache = work / "cache"
    home = work / "home-a"
    env = env_for(home, cache)
    screened(env)
    plan_file = work / "plan.json"
    subprocess.run(
        [
            SCRIPT,
            "plan",
            "--mode",
            "partner",
            "--stage",
            "subacute",
            "--minutes",
            str(minutes),
            "-o",
            str(plan_file),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    plan_data = json.loads(plan_file.read_text())
    from voiceguide.plan_file import plan_from_dict

    plan = plan_from_dict(plan_data)
    os.environ["VOICEGUIDE_CACHE"] = str(cache)
    from voiceguide.audio.speech import EspeakEngine, Pyttsx3Engine, SpeechCache, open_cache

    ours = open_cache()
    result = {}
    rec = Recorder(work / "ours.wav")
    subprocess.run(
        [SCRIPT, "play", "--plan", str(plan_file), "--output", "device", "--feedback", "none"],
        env=env,
        check=True,
        capture_output=True,
    )
    result["voiceguide"] = speech_errors(plan, rec.stop(), ours.clip, reach=0.5)
    if not skip_naive:
        # the naive player's own voice: pyttsx3's rendering of each text, as reference
        import pyttsx3

        rate = pyttsx3.init().getProperty("rate")
        naive_clips = SpeechCache(Pyttsx3Engine(rate=rate), work / "naive-clips")
        naive_clips.ensure(s.text for s in plan.segments if s.text)
        rec = Recorder(work / "naive.wav")
        # a fresh process: after any save_to_file, pyttsx3 2.99 writes say() to that file instead
        subprocess.run([sys.executable, __file__, "--naive-run", str(plan_file)], check=True)
        result["naive pyttsx3 say()+sleep()"] = speech_errors(plan, rec.stop(), naive_clips.clip, reach=3.0)
    del EspeakEngine
    return result


FIRST_SOUND_RUNS = 3


def first_sound_and_words(env: dict) -> dict[str, float]:
    """Seconds from starting `voiceguide play` to its first segment (the opening chime reaching
    the device) and to its first spoken segment."""
    out: dict[str, float] = {}
    started = time.monotonic()
    proc = subprocess.Popen(
        [SCRIPT, "play", "--stage", "acute", "--minutes", "10", "--output", "device",
         "--feedback", "none", "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        if event.get("event") == "segment":
            out.setdefault("first sound", time.monotonic() - started)
            if event.get("kind") == "speech":
                out["first words"] = time.monotonic() - started
                break
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    return out


def first_sound(work: Path) -> dict:
    """Seconds from starting `voiceguide play` to its first segment event, which fires
    when the output stream has taken the first sample of the session."""
    out = {}
    cache = work / "cache-first"
    for label in ("cold", "warm"):
        env = env_for(work / f"home-first-{label}", cache)
        screened(env)
        out[label] = first_sound_and_words(env)["first sound"]
    return out


def render_times(work: Path) -> dict:
    cache = work / "cache-render"
    env = env_for(work / "home-render", cache)
    texts = [
        s.text
        for s in planner.build(
            library.load(), planner.Request(mode="partner", stage="subacute", minutes=20)
        ).segments
        if s.text
    ]
    unique = list(dict.fromkeys(texts))
    raw_dir = work / "raw"
    raw_dir.mkdir()
    t = time.monotonic()
    for i, text in enumerate(unique):
        subprocess.run(
            ["espeak-ng", "-v", "en-gb", "-s", "165", "-w", str(raw_dir / f"{i}.wav"), "--", text],
            check=True,
            capture_output=True,
        )
    raw = time.monotonic() - t
    out = {"raw espeak-ng -w, same texts, one by one": raw}
    for label in ("cold", "warm"):
        t = time.monotonic()
        subprocess.run(
            [
                SCRIPT,
                "render",
                "--mode",
                "partner",
                "--stage",
                "subacute",
                "--minutes",
                "20",
                "-o",
                str(work / f"render-{label}.wav"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        out[f"voiceguide render, {label} cache"] = time.monotonic() - t
    return out


def peak_rss_90(work: Path) -> float:
    """Measured in a fresh process that runs only the render, so no other child counts."""
    env = env_for(work / "home-rss", work / "cache-rss")
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            SCRIPT,
            "render",
            "--mode",
            "partner",
            "--stage",
            "chronic",
            "--minutes",
            "90",
            "-o",
            str(work / "r90.wav"),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip()) / 1024


VOICES = ("piper", "espeak-ng")
ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
TENS = {"20": "twenty", "30": "thirty", "40": "forty", "45": "forty five", "60": "sixty", "90": "ninety"}


def words_of(text: str) -> list[str]:
    """Lower-case words as a recogniser would write them (numbers spelled out, no punctuation)."""
    import re

    out = []
    for w in re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split():
        if w.isdigit():
            out += (ONES[int(w)] if int(w) < len(ONES) else TENS.get(w, w)).split()
        else:
            out.append(w)
    return out


def word_error_rate(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    """(edits, reference words): substitutions + deletions + insertions, by edit distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def voice_figures(work: Path, engine: str) -> dict:
    """Everything in (e) for one engine; the device parts under the sound server's lock."""
    import fcntl

    from voiceguide.audio.pcm import resample, to_int16
    from voiceguide.audio.speech import SpeechCache, make_engine

    out: dict = {}
    cache = work / f"voice-cache-{engine}"
    env = dict(env_for(work / f"voice-home-{engine}", cache), VOICEGUIDE_TTS=engine)
    for minutes in (10, 20):
        for label in ("cold", "warm"):
            if label == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            probe = (
                "import resource, subprocess, sys; "
                "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            )
            t = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-c", probe, SCRIPT, "render", "--mode", "partner", "--stage", "subacute",
                 "--minutes", str(minutes), "-o", str(work / f"voice-{engine}-{minutes}.wav")],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            out[f"render {minutes} min, {label} cache (s)"] = time.monotonic() - t
            if minutes == 20 and label == "cold":
                out["peak RSS, largest process, 20-min cold render (MB)"] = int(done.stdout.strip()) / 1024
    # first sound and first words on the device: with the sound server's sink idle, and awake
    # (another low-latency stream playing, as a sound card that is in use). An idle PulseAudio
    # null sink sleeps up to 2 s between renders and starts a new stream only when it wakes
    # (measured 1.1-1.9 s here); with a stream asking for 20 ms it starts one at once.
    with open("/tmp/vg-pulse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for sink in ("idle sink", "sink awake"):
            keeper = None
            if sink == "sink awake":
                keeper = subprocess.Popen(
                    ["sh", "-c", "exec pacat --playback --latency-msec=20 --format=s16le < /dev/zero"],
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.0)
            try:
                times: dict[str, list[float]] = {}
                for rep in range(FIRST_SOUND_RUNS):  # timings at start-up vary: the median of each
                    first_cache = work / f"voice-first-{engine}-{sink.split()[-1]}-{rep}"
                    for label in ("cold", "warm"):
                        home = work / f"voice-first-home-{engine}-{label}-{sink.split()[-1]}-{rep}"
                        penv = dict(env_for(home, first_cache), VOICEGUIDE_TTS=engine)
                        screened(penv)
                        for what, seconds in first_sound_and_words(penv).items():
                            times.setdefault(f"{what}, {label} cache, {sink} (median of runs, s)", []).append(
                                seconds
                            )
                out.update({k: float(np.median(v)) for k, v in times.items()})
            finally:
                if keeper is not None:
                    keeper.terminate()
                    keeper.wait()
    # pace and intelligibility of the rendered steps
    from pocketsphinx import Decoder

    plan = planner.build(library.load(), planner.Request(mode="partner", stage="subacute", minutes=20))
    texts = list(dict.fromkeys(s.text for s in plan.segments if s.text and s.kind == "speech"))
    os.environ["VOICEGUIDE_CACHE"] = str(cache)
    clips = SpeechCache(make_engine(engine), cache)
    clips.ensure(texts)
    spoken = sum(clips.seconds(t) for t in texts)
    out["pace (words a minute)"] = sum(len(t.split()) for t in texts) / spoken * 60
    decoder = Decoder(samprate=16000)
    edits = total = 0
    for text in texts:
        pcm = to_int16(resample(clips.clip(text), SAMPLE_RATE, 16000)).tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        e, n = word_error_rate(words_of(text), words_of(hyp.hypstr if hyp else ""))
        edits, total = edits + e, total + n
    out[f"pocketsphinx word error rate, {len(texts)} steps (%)"] = 100 * edits / total
    close = getattr(clips.engine, "close", None)
    if close:
        close()
    return out


def bench_voices(work: Path) -> dict[str, dict]:
    return {engine: voice_figures(work, engine) for engine in VOICES}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.abs(values), q)) * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="session length for (a)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive baseline in (a)")
    parser.add_argument("--keep", type=Path, help="keep recordings and plans in this folder")
    parser.add_argument(
        "--only", choices=["a", "b", "c", "d", "e"], action="append", help="run only these parts"
    )
    parser.add_argument("--naive-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # started in the background by a shell, SIGINT is ignored, and the players started here would
    # inherit that and never stop when (b) and (e) interrupt them: take it back
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if args.naive_run:
        from voiceguide.plan_file import load_plan

        naive_session(load_plan(args.naive_run))
        return
    if not shutil.which("parecord"):
        sys.exit(
            "parecord is missing: sudo apt-get install pulseaudio-utils, then bash scripts/pulse.sh start"
        )
    subprocess.run(["bash", str(ROOT / "scripts" / "pulse.sh"), "start"], check=True)
    print(
        f"# voiceguide audio benchmark — {time.strftime('%Y-%m-%d')} — {platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PulseAudio null sink, "
        f"load average {os.getloadavg()[0]:.1f} at the start (timings are only comparable when idle)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        only = set(args.only or "abcde")
        if "e" in only:
            voices = bench_voices(work)
            print("\n(e) the voices, same run (natural = piper en_US-joe-medium; espeak-ng en-gb)")
            print(f"| figure | {' | '.join(VOICES)} |\n|---|{'---|' * len(VOICES)}")
            for figure in voices[VOICES[0]]:
                row = " | ".join(f"{voices[v].get(figure, float('nan')):.2f}" for v in VOICES)
                print(f"| {figure} | {row} |")
            only.discard("e")
            if not only:
                return
        onsets = bench_onsets(args.minutes, args.skip_naive, work) if "a" in only else {}
        print(
            f"\n(a) speech onsets on the sound device, {args.minutes:g}-minute session"
            " (error = measured minus planned, after aligning the first)"
        )
        print("| player | onsets | p50 ms | p95 ms | max ms | drift at end ms |")
        print("|---|---|---|---|---|---|")
        for name, errors in onsets.items():
            drift = errors[-1] * 1000 if errors else float("nan")
            print(
                f"| {name} | {len(errors)} | {pct(errors, 50):.1f} | {pct(errors, 95):.1f} | "
                f"{pct(errors, 100):.1f} | {drift:+.1f} |"
            )
        if only == {"a"}:
            return
        firsts = first_sound(work)
        print("\n(b) command start to first sound (s)")
        print("| cache | seconds |\n|---|---|")
        for name, value in firsts.items():
            print(f"| {name} | {value:.2f} |")
        renders = render_times(work)
        raw = renders["raw espeak-ng -w, same texts, one by one"]
        print("\n(c) render of a 20-minute partner session to WAV (s)")
        print("| what | seconds | ratio to raw espeak-ng |\n|---|---|---|")
        for name, value in renders.items():
            print(f"| {name} | {value:.2f} | {value / raw:.2f} |")
        print(f"\n(d) peak RSS of a 90-minute render: {peak_rss_90(work):.0f} MB")


if __name__ == "__main__":
    main()
