"""`voice enroll` end to end: the spoken walk-through answered through a PulseAudio pipe-source microphone.

The real console script runs the whole walk-through (every word, three rounds) on the null sink
and listens on the default source, a pipe-source fed by this test (tests/micfeed.py): a separate
microphone, as a headset is. The test reads the guide's progress lines from stderr, hears the
prompt on the null sink's monitor, and answers once the word has ended, in an espeak-ng voice
whose speed and pitch change from take to take. Once it stays silent and once it says the wrong
word, and checks that the guide asks for that word again, and for nothing else twice. No fakes:
the speech cache, the sound output, PortAudio, listening, the take checks and the person's voice
folder are the real ones.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from micfeed import RATE as MIC_RATE
from micfeed import PipeMicrophone

from voiceguide.audio.pcm import decode_wav, resample
from voiceguide.audio.speech import open_cache
from voiceguide.feedback import enroll_live
from voiceguide.feedback.enroll import ENROLL_WORDS, TAKES_PER_WORD

pytestmark = pytest.mark.slow  # live audio through a fake microphone, a whole walk-through

SCRIPT = str(Path(sys.executable).parent / "voiceguide")
PERSON = "pipe"
ASKED = re.compile(r"^\[(\d+)/(\d+)\] say: (\S+)$")  # the line `show` prints before each prompt
REPLY_AFTER = 0.2  # seconds after the prompt's end was heard (itself 0.2 s of silence on)
SOUND_DB = -45.0  # a 20 ms frame of the monitor louder than this: the guide is talking
SILENT = (1, "two")  # asked for "two" in round 1, the first time: no answer at all
WRONG = (2, "three", "seven")  # asked for "three" in round 2, the first time: "seven" instead
LOOKBACK = 0.8  # seconds before a progress line in which its word may already have been playing
WORD_DUE = 0.5  # the word starts this soon after its progress line is printed (append, then latency)
LIMIT = 180.0  # the issue: the whole walk-through takes under three minutes


def spoken(word: str, take: int) -> np.ndarray:
    """The word in espeak-ng's en-us voice, a little faster or slower and higher or lower each take
    (the same voice every time would make takes no real person gives), at the microphone's rate."""
    speed, pitch = 150 + 9 * (take % 5), 42 + 4 * (take % 4)
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(speed), "-p", str(pitch), "--stdout", word],
        capture_output=True,
        check=True,
    ).stdout
    samples, rate = decode_wav(wav)
    return (resample(samples, rate, MIC_RATE) * 0.7).astype(np.float32)


def sound_runs(heard: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """(start, end) of each stretch of frames louder than SOUND_DB, pauses shorter than `gap` inside."""
    runs: list[tuple[float, float]] = []
    for t, db in heard:
        if db <= SOUND_DB:
            continue
        if runs and t - runs[-1][1] < gap:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def lines_of(stream) -> queue.Queue[tuple[float, str | None]]:
    """The stream's lines as they come, each with the time it arrived; None at its end."""
    out: queue.Queue[tuple[float, str | None]] = queue.Queue()

    def read() -> None:
        for line in stream:
            out.put((time.monotonic(), line.rstrip("\n")))
        out.put((time.monotonic(), None))

    threading.Thread(target=read, daemon=True).start()
    return out


class Ear:
    """The person's ear: the null sink's monitor (what the guide's loudspeaker plays), as 20 ms
    levels with the time each was heard. The person answers when the word has ended, however
    late the sound output was, as a person does."""

    def __init__(self, sink: str) -> None:
        self.proc = subprocess.Popen(
            ["parec", "-d", f"{sink}.monitor", "--rate=16000", "--channels=1", "--format=s16le"]
            + ["--latency-msec=20"],
            stdout=subprocess.PIPE,
        )
        self.levels: list[tuple[float, float]] = []  # (monotonic time heard, dB)
        self.lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while chunk := self.proc.stdout.read(640):
            x = np.frombuffer(chunk, "<i2").astype(np.float64) / 32768
            with self.lock:
                self.levels.append((time.monotonic(), 10 * np.log10(np.mean(x**2) + 1e-12)))

    def word_end(self, after: float, timeout: float = 10.0, gap: float = 0.2) -> float | None:
        """When the guide's word ended (followed by `gap` s of silence).

        `after` is when the guide's progress line reached this test; under load the line can come
        later than the word itself (CI, 2026-12-04: "burning" not found after its line), so sounds
        from LOOKBACK before it count too, except one already going on then. A sound still going on
        at `after`, or starting later, is the word; if none has come by WORD_DUE after the line, the
        last sound before the line was the word. The sound before the word is at least the person's
        answer away (over a second of silence on this loudspeaker), or runs into it ("... Again.").
        The other way round too: the recording's levels are timed as they are read, and a reader
        held back (CI, 2026-12-05: "burning" heard 5.1-6.0 s after its line, 6 s allowed) times the
        word late; `timeout` leaves room for that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                heard = self.levels[bisect.bisect_right(self.levels, (after - LOOKBACK, math.inf)) :]
            runs = [r for r in sound_runs(heard, gap) if r[0] > after - LOOKBACK + 0.02 or r[1] > after]
            later = [r for r in runs if r[1] > after]
            now = heard[-1][0] if heard else after
            if later and now - later[0][1] >= gap:
                return later[0][1]
            if runs and not later and now >= after + WORD_DUE:
                return runs[-1][1]
            time.sleep(0.01)
        return None

    def story(self, around: float) -> str:
        """The sounds heard from 3 s before `around` on (for a failing test: late line or no sound)."""
        with self.lock:
            heard = self.levels[bisect.bisect_right(self.levels, (around - 3.0, math.inf)) :]
        runs = ", ".join(f"{a - around:+.2f}..{b - around:+.2f}" for a, b in sound_runs(heard, 0.2))
        last = f"{heard[-1][0] - around:+.2f}" if heard else "none"
        return f"sounds heard (s from the line): {runs or 'none'}; last level read {last}"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def test_the_walk_through_learns_every_word_through_a_pipe_source_microphone(
    pulse, tmp_path, voiceguide_home, shared_speech_cache
):
    """Real audio on a loaded machine: one fresh attempt (a new data folder) if the first fails,
    said as a warning in the summary, as tests/test_voice_live.py does. It failed 2 of the 4 CI runs
    of 2026-12-05 that followed new tests around it (a word heard 5 s late; a "less" taken for
    "good"), after about 20 runs without a failure."""
    for tool in ("pactl", "parec", "espeak-ng"):  # a machine without them fails here: no skipping
        assert shutil.which(tool), f"{tool} is needed (bash scripts/setup.sh test installs it)"
    try:
        walk_through_once(pulse, tmp_path / "first", voiceguide_home, shared_speech_cache)
    except AssertionError as first:
        # the story runs first and the failed check comes last: keep the end (CI, 2026-12-06: the
        # first 2,000 characters showed the prompts of round two and not what went wrong)
        end = str(first)[-3000:]
        warnings.warn(f"walk-through: first attempt failed, trying once more: …{end}", stacklevel=1)
        home = tmp_path / "second-home"  # not made yet, like a first run
        walk_through_once(pulse, tmp_path / "second", home, shared_speech_cache)


def walk_through_once(pulse, tmp_path: Path, voiceguide_home: Path, shared_speech_cache: Path) -> None:
    tmp_path.mkdir()
    cache = open_cache()
    cache.ensure(enroll_live.prompts())  # rendered once here, so the timing below is the walk-through's
    env = dict(os.environ, VOICEGUIDE_HOME=str(voiceguide_home), VOICEGUIDE_CACHE=str(shared_speech_cache))

    # a name of its own: a source left behind by a killed run would take "vgmic", and this one
    # would become "vgmic.2" while the default source named the dead one
    mic = PipeMicrophone(tmp_path, name=f"vgenroll{os.getpid()}{tmp_path.name}")
    ear = Ear(pulse)
    proc = None
    log: list[str] = []  # stderr with the time of each line, for a failing test
    said: list[str] = []  # stderr as it is
    asked: list[tuple[int, str]] = []
    try:
        started = time.monotonic()
        proc = subprocess.Popen(
            [SCRIPT, "voice", "enroll", "--person", PERSON, "--json"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        lines = lines_of(proc.stderr)
        while True:
            try:
                arrived, line = lines.get(timeout=30)
            except queue.Empty:
                raise AssertionError("the guide said nothing for 30 s:\n" + "\n".join(log[-20:])) from None
            if line is None:
                break
            said.append(line)
            log.append(f"{arrived - started:6.1f} {line}")
            found = ASKED.match(line)
            if found is None:
                continue
            round_, word = int(found[1]), found[3]
            asked.append((round_, word))
            first = asked.count((round_, word)) == 1
            end = ear.word_end(after=arrived)
            if end is None:
                raise AssertionError(
                    "the guide did not say the word:\n" + "\n".join([*log[-20:], ear.story(arrived)])
                )
            log[-1] += f"  (its end heard {end - arrived:.2f} s later)"
            time.sleep(max(0.0, end + REPLY_AFTER - time.monotonic()))
            if first and (round_, word) == SILENT:
                continue
            answer = WRONG[2] if first and (round_, word) == WRONG[:2] else word
            mic.say(spoken(answer, len(asked)))
        out = proc.stdout.read()
        code = proc.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        mic.close()
        ear.close()
    story = "\n".join(log) + f"\nwalk-through: {took:.1f} s, {len(asked)} prompts"
    print(story)  # shown when the test fails; with -s, the timing of a good run too

    assert code == 0, story
    outcome = json.loads(out)
    assert outcome["finished"] and not outcome["paused"], story
    # each word once a round, in order; the silent and the wrong answer asked for again at once,
    # and nothing else asked twice: every other answer was heard and kept the first time
    expected = []
    for step in ((r, w) for r in range(1, TAKES_PER_WORD + 1) for w in ENROLL_WORDS):
        expected += [step, step] if step in (SILENT, WRONG[:2]) else [step]
    assert asked == expected, story
    assert [line for line in said if "not kept" in line] == [f"  not kept: that sounded like {WRONG[2]}"], (
        story
    )
    assert took < LIMIT, story

    status = subprocess.run(
        [SCRIPT, "voice", "status", "--person", PERSON, "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    summary = json.loads(status.stdout)
    print(f"own accuracy {summary['own_accuracy']} of {summary['own_accuracy_takes']} takes")
    assert summary["words"] == {w: TAKES_PER_WORD for w in ENROLL_WORDS}
    # each take recognised from the others (1.0 in every run so far): the takes are the words asked
    # for, not the wrong answer, a prompt or a clipped half word
    assert summary["own_accuracy"] >= 0.9, summary
    assert summary["missing"] == [] and summary["takes"] == TAKES_PER_WORD * len(ENROLL_WORDS)
    takes = sorted((voiceguide_home / "people" / PERSON / "voice" / "takes").glob("*.wav"))
    assert len(takes) == TAKES_PER_WORD * len(ENROLL_WORDS)
    assert {stat.S_IMODE(p.stat().st_mode) for p in takes} == {0o600}
    assert stat.S_IMODE(takes[0].parent.stat().st_mode) == 0o700
