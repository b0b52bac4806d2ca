"""Live listening without a sound card: frames in, utterances and answers out.

A fake microphone replays a mixture of what the player said (through a short echo
path) and what the person said; the reference is what the player played. Real
synthesised speech, the real echo canceller, VAD and endpointing.
"""

import queue
import sys
import time
from collections import deque
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from test_echo import room, speech

from voiceguide.audio import tones
from voiceguide.audio.pcm import SAMPLE_RATE, resample
from voiceguide.feedback import stopword
from voiceguide.feedback.decision import STOP_ASK, decide
from voiceguide.feedback.echo import CONVERGED_DB, REFERENCE_LEAD, EchoPath, level_db
from voiceguide.feedback.intents import Answer
from voiceguide.feedback.listen import (
    END_FRAMES,
    FRAME,
    RATE,
    RECORD_WRONG,
    TAIL_FRAMES,
    Endpointer,
    Heard,
    Listener,
    Microphone,
    Reference,
    Utterance,
    VoiceFeedback,
    adc_time,
    last_of,
    safety_first,
)
from voiceguide.feedback.recognise import Recogniser

pytestmark = pytest.mark.slow  # the listener on real and synthetic audio, seconds per test


class ArrayMicrophone:
    """Frames of a prepared signal, timed as if captured from t = 0."""

    def __init__(self, signal: np.ndarray) -> None:
        self.frames = [
            (signal[i : i + FRAME].astype(np.float32), i / RATE)
            for i in range(0, len(signal) - FRAME + 1, FRAME)
        ]

    def read(self, timeout):
        return self.frames.pop(0) if self.frames else None

    def close(self):
        pass


def reference_of(played: np.ndarray) -> Reference:
    """What the loudspeaker played, on the microphone's clock (16 kHz here)."""

    def between(start: float, end: float):
        k = np.arange(max(0, int(start * RATE)), min(len(played), int(end * RATE) + 1))
        return k / RATE, played[k]

    return Reference(between, RATE)


def utterances(
    mic_signal: np.ndarray, played: np.ndarray | None, checked: bool = True, echo_path: EchoPath | None = None
) -> list[Utterance]:
    mic = ArrayMicrophone(mic_signal)
    reference = reference_of(played) if played is not None else None
    listener = Listener(mic, recognise=None, reference=reference, echo_path=echo_path)
    found = []
    while (item := mic.read(0)) is not None:
        u = listener.process(*item)
        if u is not None and not (listener.set_aside(u) if checked else u.own_voice):
            found.append(u)  # as the listener does: its own voice is set aside
    return found


@pytest.fixture(scope="module")
def player():
    text = (
        "Welcome. Say stop, or press s, at any moment, and everything stops. "
        "Sharp, shooting or burning pain, or tingling down the leg, means stop."
    )
    return np.concatenate([np.zeros(RATE // 2), speech(text), np.zeros(RATE)])


def test_endpointer_finds_one_utterance_with_its_bounds():
    ep = Endpointer()
    flags = [False] * 10 + [True] * 20 + [False] * 10
    found = []
    for i, flag in enumerate(flags):
        frame = np.full(FRAME, 0.1 if flag else 0.0)
        u = ep.feed(frame, np.zeros(FRAME), i * FRAME / RATE, flag)
        if u is not None:
            found.append(u)
    assert len(found) == 1
    u = found[0]
    assert u.start == pytest.approx(5 * FRAME / RATE)  # the pre-roll reaches back before the start
    assert u.end == pytest.approx(30 * FRAME / RATE)  # speech ended with frame 29
    assert not u.own_voice


def test_the_last_of_an_utterance_keeps_its_end_and_when_it_began():
    u = Utterance(
        np.arange(RATE * 2, dtype=np.float32), 10.0, 12.0, -30.0, -20.0, 0.0, microphone=np.ones(RATE * 2)
    )
    end = last_of(u, 0.5)
    assert end.samples.tolist() == list(range(RATE * 3 // 2, RATE * 2))
    assert len(end.microphone) == RATE // 2 and end.start == pytest.approx(11.5) and end.end == 12.0
    assert last_of(u, 3.0) is u


def fed(flags: list[bool]) -> tuple[list, list]:
    """(frame index, draft) and (frame index, utterance) for frames of these speech flags, each
    frame's samples its own index, so that which frames an utterance holds can be checked."""
    ep = Endpointer()
    drafts, found = [], []
    for i, flag in enumerate(flags):
        u = ep.feed(np.full(FRAME, float(i)), np.zeros(FRAME), i * FRAME / RATE, flag)
        d = ep.draft()
        drafts += [(i, d)] if d is not None else []
        found += [(i, u)] if u is not None else []
    return drafts, found


def test_an_answer_is_drafted_once_before_its_end_is_found_exactly_as_it_ends():
    drafts, found = fed([False] * 10 + [True] * 20 + [False] * 10)
    assert len(drafts) == 1 and len(found) == 1
    (drafted_at, draft), (ended_at, u) = drafts[0], found[0]
    assert ended_at - drafted_at == END_FRAMES - TAIL_FRAMES  # decoded 120 ms sooner
    np.testing.assert_array_equal(draft.samples, u.samples)
    assert (draft.start, draft.end) == (u.start, u.end)
    # speech ended with frame 29: the kept tail's frames, then their sound again for the rest
    tail = list(range(30, 30 + TAIL_FRAMES))
    after = [tail[k % TAIL_FRAMES] for k in range(END_FRAMES)]
    assert u.samples[-END_FRAMES * FRAME :: FRAME].tolist() == after
    assert u.microphone[-END_FRAMES * FRAME :: FRAME].tolist() == list(range(30, 30 + END_FRAMES))


def test_a_draft_that_more_speech_follows_is_not_the_answer():
    drafts, found = fed([False] * 10 + [True] * 10 + [False] * (TAIL_FRAMES + 1) + [True] * 10 + [False] * 10)
    assert len(drafts) == 2 and len(found) == 1
    u = found[0][1]
    assert len(drafts[0][1].samples) < len(u.samples)
    np.testing.assert_array_equal(drafts[1][1].samples, u.samples)


class PacedMicrophone(ArrayMicrophone):
    """Frames at the pace a microphone gives them (30 ms each)."""

    def read(self, timeout):
        time.sleep(FRAME / RATE)
        return super().read(timeout)


def test_the_listener_starts_decoding_before_the_end_is_found_and_decodes_once():
    """The listener's thread: the draft's decoding is the answer (one decode, begun before the end
    of the answer was found, not a second one after it)."""
    calls = []

    def recognise(samples, rate, expect):
        calls.append((len(samples), expect, time.monotonic()))
        return Answer("pause", "pause", None, 0.95, "voice")

    signal = np.concatenate([np.zeros(RATE), speech("pause"), np.zeros(RATE)])
    listener = Listener(PacedMicrophone(signal), recognise=recognise)
    listener.expect = "pause-or-not"
    listener.start()
    try:
        heard = listener.heard.get(timeout=20)
    finally:
        listener.stop()
    assert heard.answer.intent == "pause"
    assert [c[:2] for c in calls] == [(len(heard.utterance.samples), "pause-or-not")]
    assert calls[0][2] < heard.utterance.detected  # (found END_FRAMES - TAIL_FRAMES frames later)


def test_a_draft_of_another_question_is_decoded_again():
    """A question asked between the draft and the end: the answer is decoded for that question."""
    listener = Listener(
        None, recognise=lambda samples, rate, expect: Answer(expect, expect, None, 1.0, "voice")
    )
    signal = np.concatenate([np.zeros(RATE // 2), speech("seven"), np.zeros(RATE)])
    u = None
    for i in range(0, len(signal) - FRAME + 1, FRAME):
        u = listener.process(signal[i : i + FRAME].astype(np.float32), i / RATE)
        if u is not None:
            break
        listener.decode_early()
    assert u is not None and listener.draft is not None
    assert listener.draft.fits(u, "any")
    assert not listener.draft.fits(u, "number")
    assert listener.draft.answer.result().intent == "any"
    listener.stop()


def test_a_click_is_not_an_utterance():
    ep = Endpointer()
    flags = [False] * 10 + [True] * 3 + [False] * 20
    assert all(ep.feed(np.zeros(FRAME), np.zeros(FRAME), 0.0, f) is None for f in flags)


def test_the_players_own_voice_is_never_an_utterance(player):
    assert utterances(room(player), played=player) == []


def echo_jumps(played: np.ndarray, at: float, by: float) -> np.ndarray:
    """The player heard through the room, its echo `by` seconds later from `at` on (an underrun, a
    re-timed stream): the canceller cancels little until it has found the echo again."""
    heard = room(played)
    k, shift = int(at * RATE), int(by * RATE)
    return np.concatenate([heard[:k], heard[k - shift : len(heard) - shift]])


@pytest.mark.parametrize(("at", "by"), [(8.0, 0.042), (8.0, -0.042), (6.5, 0.1)])  # measured live: 42 ms
def test_the_players_own_voice_is_not_an_utterance_when_its_echo_jumps(player, at, by):
    jumped = echo_jumps(player, at, by)
    assert utterances(jumped, played=player) == []
    # proof that this is not vacuous: the level check alone lets the jumped echo through
    assert len(utterances(jumped, played=player, checked=False)) >= 1


def cancelled_after_a_jump(player: np.ndarray, at: float, offered: bool) -> float:
    """dB of the player's echo the listener takes out 1.5-2.5 s after its echo jumped 42 samples
    at `at`; `offered`: the path known to cancel is offered back after the re-timing."""
    mic = echo_jumps(player, at, 42 / RATE)
    listener = Listener(None, recognise=None, reference=reference_of(player))
    if not offered:  # the adaptive filters learn it again on their own (no fitted start either)
        listener.canceller.offer_known = lambda: None
        listener.seed_canceller = lambda *args: None
    left = []
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
        left.append(listener.voice)
    window = slice(int((at + 1.5) * RATE), int((at + 2.5) * RATE))
    return level_db(mic[window]) - level_db(np.concatenate(left)[window])


def cancelled_after_the_start_cue(cue: np.ndarray) -> float:
    """dB of the player's echo the listener takes out over the first second of the first sentence,
    when the session began with `cue` (the echo unknown before it)."""
    cue = resample(cue, SAMPLE_RATE, RATE).astype(np.float64)
    sentence = speech("Glide your palms slowly down towards your hips, then back up, feather light.")
    played = np.concatenate([np.zeros(RATE // 4), cue, np.zeros(RATE // 2), sentence, np.zeros(RATE // 2)])
    mic = room(played)
    listener = Listener(None, recognise=None, reference=reference_of(played))
    left = []
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
        left.append(listener.voice)
    start = RATE // 4 + len(cue) + RATE // 2
    window = slice(start, start + RATE)
    return level_db(mic[window]) - level_db(np.concatenate(left)[window])


def test_the_start_cue_teaches_the_canceller_the_room_before_the_first_sentence(monkeypatch):
    """A stop said in a first session's first sentence was missed about one time in four, heard
    through an echo not yet learnt: the start cue's bell notes excite too few frequencies to learn
    it from. The swell of noise under them does (measured: 14.9 against 2.6 dB)."""
    assert cancelled_after_the_start_cue(tones.make_cue("start")) > 10
    monkeypatch.setattr(tones, "SWELL", {})
    assert cancelled_after_the_start_cue(tones.make_cue("start")) < 6  # the notes alone: not vacuous


@pytest.mark.parametrize("at", [5.0, 6.5])
def test_after_the_echo_jumps_the_path_that_cancelled_is_taken_up_again(player, at):
    """Measured live (2026-12-02, null sink): the stream re-timed by 2.6 ms early in a session and
    the canceller, which had cancelled 29 dB, took 3 s to learn the echo again. The re-timing puts
    the echo back where the path known to cancel has it: offered back, it takes over."""
    assert cancelled_after_a_jump(player, at, offered=True) > 25
    assert cancelled_after_a_jump(player, at, offered=False) < 15  # not vacuous: learning again alone


def test_stop_said_over_the_player_just_after_its_echo_jumped_is_not_set_aside(player):
    """The check that sets the jumped echo aside keeps the person's word for the recogniser (which
    then hears it with some of the echo still in it: not measured yet)."""
    person = speech("stop", "en-us+m3")
    at = int(8.3 * RATE)
    mic = echo_jumps(player, 8.0, 0.042)
    mic[at : at + len(person)] += 0.5 * person
    found = utterances(mic, played=player)
    assert len(found) == 1 and found[0].start < at / RATE < found[0].end


def test_without_cancelling_its_own_voice_would_be_heard(player):
    """The same signal with no reference: proof that the test above is not vacuous."""
    assert len(utterances(room(player), played=None)) >= 2


def test_the_person_saying_stop_over_the_player_is_heard_at_once(player):
    person = speech("stop", "en-us+m3")
    at = int(7.0 * RATE)  # mid-sentence, after the echo was found and the canceller has learnt it
    mic = room(player)
    mic[at : at + len(person)] += 0.5 * person
    found = utterances(mic, played=player)
    assert len(found) == 1
    u = found[0]
    assert not u.own_voice
    spoken_end = (at + np.flatnonzero(np.abs(person) > 0.01)[-1]) / RATE
    assert abs(u.end - spoken_end) < 0.1  # ends with the word, not with the player's sentence
    assert safety_first(Recogniser().hear(u.samples, RATE, "any")).intent == "stop"


class QueueListener:
    def __init__(self):
        self.heard = queue.Queue()
        self.expect = "any"
        self.error = None
        self.mic = ArrayMicrophone(np.zeros(0))
        self.recognise = None

    def stop(self):
        pass


def heard(answer: Answer) -> Heard:
    u = Utterance(np.zeros(10, np.float32), 0.0, 0.0, -120.0, -20.0, 0.0)
    return Heard(answer, u, 0.0)


def test_voice_feedback_passes_the_question_and_returns_the_answer():
    listener = QueueListener()
    fb = VoiceFeedback(listener)
    assert fb.answer("number", 0.05, True) is None
    assert listener.expect == "number"
    listener.heard.put(heard(Answer("three", "number", 3, 0.9, "voice")))
    got = fb.answer("number", 1.0, True)
    assert got.value == 3 and got.source == "voice"
    assert set(fb.timing(got)) == {
        "speech_end_to_endpoint_ms",
        "speech_end_to_answer_ms",
        "speech_end_to_use_ms",
    }


class Keys:
    def __init__(self, answers):
        self.answers = list(answers)

    def poll(self):
        return self.answers.pop(0) if self.answers else None

    def close(self):
        pass


def test_keys_work_at_the_same_time_as_voice():
    listener = QueueListener()
    fb = VoiceFeedback(listener, keys=Keys([Answer("s", "stop", source="keys")]))
    assert fb.poll().intent == "stop"
    listener.heard.put(heard(Answer("stop", "stop", None, 0.9, "voice")))
    assert fb.poll().source == "voice"
    assert fb.poll() is None


def test_a_stop_waiting_unread_is_seen_and_left_to_be_read():
    """What the dialogue says before it listens is cut short for a stop (sure or doubtful) that
    has come meanwhile; the stop itself stays to be read, after anything that came before it."""
    listener = QueueListener()
    fb = VoiceFeedback(listener)
    listener.heard.put(heard(Answer("three", "number", 3, 0.9, "voice")))
    assert not fb.stop_waiting()
    listener.heard.put(heard(Answer("stop", "unknown", None, STOP_ASK, "voice")))  # "did you say stop?"
    assert fb.stop_waiting() and fb.stop_waiting()
    assert fb.answer("number", 1.0, True).value == 3 and fb.answer("number", 1.0, True).text == "stop"
    assert not fb.stop_waiting()
    listener.heard.put(heard(Answer("stop", "unknown", None, STOP_ASK / 2, "voice")))  # too faint to ask
    assert not fb.stop_waiting()


def test_a_short_word_is_kept():
    """Six frames of speech (180 ms, a quick "eight") make an utterance; the pre-roll does not count."""
    ep = Endpointer()
    flags = [False] * 10 + [True] * 6 + [False] * 10
    found = [ep.feed(np.full(FRAME, 0.1), np.zeros(FRAME), 0.0, f) for f in flags]
    assert sum(u is not None for u in found) == 1


def test_the_loudspeakers_record_survives_an_underrun():
    """After the device plays silence of its own, what was played is still found at its real time."""
    from voiceguide.audio.sinks import OutputHistory

    history = OutputHistory(rate=1000, seconds=5)
    for k in range(70):  # 70 callbacks of 10 ms: the origin settles at 100.0 s
        history.add(np.full(10, k, dtype=np.float32), 100.0 + k * 0.01)
    history.add(np.full(10, 99, dtype=np.float32), 100.0 + 70 * 0.01 + 0.05)  # 50 ms late: an underrun
    assert history.underruns == 1
    times, played = history.between(100.75, 100.76)
    assert set(played.tolist()) == {99.0}
    times, played = history.between(100.30, 100.31)
    assert set(played.tolist()) <= {29.0, 30.0, 31.0}  # what came before stays where it was (not 25)


def test_the_loudspeakers_record_is_timed_by_callbacks_that_know_their_latency():
    """Measured on PulseAudio: a new stream first calls back in a burst, 1 ms apart, with the DAC
    time equal to the current time, for up to 1.7 s of audio, then every 12.5 ms with the DAC time
    62 ms ahead. Timed from the burst, the record was up to 6.9 s late; timed from the steady
    callbacks, it is where the sound was heard."""
    from voiceguide.audio.sinks import OutputHistory

    rate, block = 1000, 10
    history = OutputHistory(rate=rate, seconds=10)
    now = 100.0
    for k in range(140):  # the burst: 1.4 s of audio handed over in 0.14 s, DAC time = now
        history.add(np.full(block, k, dtype=np.float32), now, now)
        now += 0.001
    # steady: callback k's first sample is heard at 100.0 + k * 0.01 (the first 1.4 s never were)
    for k in range(140, 300):
        heard = 100.0 + (k - 140) * 0.01 + 0.062
        history.add(np.full(block, k, dtype=np.float32), heard, heard - 0.062)
    times, played = history.between(100.062 + 1.001, 100.062 + 1.007)
    assert set(played.tolist()) == {240.0}  # callback 240, heard 1 s into the steady run
    assert history.underruns == 0


def test_what_the_device_was_given_lately_is_known_whatever_its_times_say():
    """Listener.playing: by count, from the last samples handed over (DAC times wrong or not)."""
    from voiceguide.audio.sinks import OutputHistory

    history = OutputHistory(rate=1000, seconds=5)
    assert not history.sounding_lately()  # nothing given yet
    history.add(np.full(1000, 0.1, dtype=np.float32), 100.0)  # a second of sound (-20 dB)
    assert history.sounding_lately()
    history.add(np.zeros(400, dtype=np.float32), 50.0)  # 0.4 s of silence, timed anyhow
    assert history.sounding_lately()  # the last 0.5 s still hold 0.1 s of sound
    history.add(np.zeros(200, dtype=np.float32), 300.0)
    assert not history.sounding_lately()
    slow = OutputHistory(rate=1000, seconds=5)  # a device that plays 0.3 s after it is given sound
    slow.add(np.full(1000, 0.1, dtype=np.float32), 100.3, 100.0)
    slow.add(np.zeros(700, dtype=np.float32), 101.3, 101.0)
    assert slow.sounding_lately()  # its last sound is still being heard
    slow.add(np.zeros(200, dtype=np.float32), 102.0, 101.7)
    assert not slow.sounding_lately()


def test_a_device_that_never_knows_its_latency_is_timed_as_before():
    from voiceguide.audio.sinks import OutputHistory

    history = OutputHistory(rate=1000, seconds=5)
    for k in range(100):  # the DAC time is always the current time
        history.add(np.full(10, k, dtype=np.float32), 100.0 + k * 0.01, 100.0 + k * 0.01)
    times, played = history.between(100.501, 100.507)
    assert set(played.tolist()) == {50.0}


def test_the_stop_word_is_acted_on_below_the_read_back_level():
    assert safety_first(Answer("stop", "unknown", None, 0.3, "voice")).intent == "stop"
    assert safety_first(Answer("it is burning", "unknown", None, 0.25, "voice")).intent == "symptom"
    assert safety_first(Answer("stop", "unknown", None, 0.1, "voice")).intent == "unknown"
    assert safety_first(Answer("seven", "unknown", None, 0.5, "voice")).intent == "unknown"


def spotted(mic_signal: np.ndarray, played: np.ndarray, echo_path: EchoPath | None = None) -> list[Heard]:
    """The early stops the listener answers while utterances go on (as Listener._run does)."""
    mic = ArrayMicrophone(mic_signal)
    listener = Listener(mic, recognise=None, reference=reference_of(played), echo_path=echo_path)
    found = []
    while (item := mic.read(0)) is not None:
        u = listener.process(*item)
        early = listener.early(*item)
        if early is not None:
            found.append(early)
        if u is not None:
            listener.spotted = False
            listener.spotter.reset()
    return found


@pytest.mark.parametrize(("at", "by"), [(8.0, 0.042), (6.5, 0.1)])
def test_the_players_own_stop_is_not_answered_early_when_its_echo_jumps(player, at, by):
    assert spotted(echo_jumps(player, at, by), player) == []


def torn_stops(
    player: np.ndarray, tear_before: float, person_after: float | None, refit: bool = True
) -> list:
    """Stops the listener answers (replay_listen.stops_answered, the recogniser included) when the
    player's last own "stop" has its echo torn by an underrun `tear_before` s before the word, and a
    person says stop `person_after` s after the word began (None: nobody speaks)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from bench_torn_echo import own_stops, torn
    from replay_listen import stops_answered

    onset = own_stops(player)[-1]
    mic = torn(room(player), onset - tear_before)
    if person_after is not None:
        person = speech("stop", "en-us+m3")
        at = int((onset + person_after) * RATE)
        mic[at : at + len(person)] += person
    listener = Listener(None, recognise=None, reference=reference_of(player))
    listener.refit_torn = refit
    frames = (
        (mic[i : i + FRAME].astype(np.float32), i / RATE) for i in range(0, len(mic) - FRAME + 1, FRAME)
    )
    return [at - onset for at, _, _ in stops_answered(listener, frames, Recogniser())]


@pytest.mark.parametrize("tear_before", [0.3, 0.1])
def test_the_players_own_stop_is_not_a_persons_when_an_underrun_tears_its_echo(player, tear_before):
    """Measured on a busy machine (2026-12-07, tests/test_voice_live.py beside two busy loops): the
    sink underran as the player said "means stop.", and its torn echo was asked about as the
    person's stop; nobody answered, so the session stopped (scripts/bench_torn_echo.py)."""
    assert torn_stops(player, tear_before, None) == []
    assert torn_stops(player, tear_before, None, refit=False) != []  # not vacuous: the baseline's


def test_a_persons_stop_over_the_players_torn_own_stop_is_heard(player):
    heard = torn_stops(player, 0.1, 0.25)
    assert any(0.25 < t <= 1.75 for t in heard), heard


def test_a_loud_stop_over_the_jumped_echo_is_answered_while_it_is_said(player):
    """The early answer on the same jumped echo: a person's stop, said well over the player."""
    person = speech("stop", "en-us+m3")
    at = int(8.3 * RATE)
    mic = echo_jumps(player, 8.0, 0.042)
    mic[at : at + len(person)] += person
    found = spotted(mic, player)
    # silenced at once: acted on, or (the canceller falling back to learning the moved echo in the
    # middle of the word, heard at the unsure level) "did you say stop?"
    assert [h.answer.text for h in found] == ["stop"]
    assert found[0].answer.confidence >= STOP_ASK
    spoken_end = (at + np.flatnonzero(np.abs(person) > 0.01)[-1]) / RATE
    assert abs(found[0].answer.at - spoken_end) < 0.3


def remains(text: str, person_at: float | None) -> tuple[Listener, Utterance]:
    """An utterance of the player's barely cancelled sound (its remains about as loud as the person's
    word: measured live, 3 dB under what the microphone heard), with or without a person's "stop"
    in it, and a listener that played it."""
    played = np.concatenate([np.zeros(RATE // 2), speech(text), np.zeros(RATE)])
    mic = 0.5 * room(played)
    if person_at is not None:
        person = speech("stop", "en-us+m3")
        at = int(person_at * RATE)
        mic[at : at + len(person)] += 0.5 * person
    listener = Listener(ArrayMicrophone(np.zeros(0)), recognise=None, reference=reference_of(played))
    span = mic[RATE // 2 : len(mic) - RATE // 2].astype(np.float32)
    end = 0.5 + len(span) / RATE
    return listener, Utterance(span, 0.5, end, -21.0, -18.0, 0.0, microphone=span)


def test_a_stop_merged_with_the_players_remains_is_kept_for_the_recogniser():
    """Kept, and heard as a stop: acted on, or the session falls silent at once and asks "Did you
    say stop?" (the detector trained on people's takes too scores this one 0.978, just under
    acting on it at once)."""
    from voiceguide.player.dialogue import doubtful_stop

    text = "Glide your palms slowly down towards your hips, feather light."
    listener, u = remains(text, person_at=1.6)
    assert listener.set_aside(u) == ""
    heard = Recogniser().hear(u.samples, RATE, "any")
    assert safety_first(heard).intent == "stop" or doubtful_stop(heard), heard
    # proof that this is not vacuous: the same remains without the person are set aside
    listener, u = remains(text, person_at=None)
    assert listener.set_aside(u) != ""


def test_the_players_own_stop_in_its_remains_is_still_set_aside():
    listener, u = remains("Say stop, or press s, at any moment, and everything stops.", person_at=None)
    assert stopword.stop_probability(u.samples, RATE) >= stopword.ASK_AT  # a stop is heard in it
    assert listener.set_aside(u) != ""


@pytest.fixture(scope="module")
def session_start():
    """The start of a session as played: the start cue, then the first sentence."""
    from voiceguide.audio.pcm import SAMPLE_RATE, resample
    from voiceguide.audio.tones import load_cue

    cue = resample(load_cue("start"), SAMPLE_RATE, RATE)
    text = "Glide your palms slowly down towards your hips, then back up, feather light."
    return np.concatenate([np.zeros(RATE // 2), cue, np.zeros(RATE // 5), speech(text), np.zeros(RATE)])


@pytest.mark.parametrize(("voice", "when"), [("en-us+m3", 1.6), ("en-gb+f2", 2.2), ("en-029", 2.0)])
def test_a_stop_said_before_the_echo_is_learnt_is_heard_through_the_player(session_start, voice, when):
    """Until the echo is found and cancelled nothing said near the player's sound is speech; the
    stop word alone is listened for there. (scripts/bench_stop_start.py: a stop at seven moments
    of the first 8 s, two voices, two levels: 23 of 28 heard, 0 before; 27 of 28 since the swell
    under the start cue, the miss 6 dB under the echo over the cue itself.)"""
    person = speech("stop", voice)
    # the echo not learnt yet (measured live: lost, 4 of 4, before the change); since the fitted
    # start of the canceller (Listener.seed_canceller) the usual path hears a stop from 2.6 s
    at = int(when * RATE)
    mic = room(session_start)
    mic[at : at + len(person)] += person
    assert utterances(mic, played=session_start) == []  # the usual path hears nothing here
    # (en-029 at 2 s was set aside as the player's own while its check took 1.5 s of sound, most
    # of it the player's, instead of the last 0.8 s: THROUGH_CHECK_SECONDS)
    found = spotted(mic, session_start)
    assert [h.answer.text for h in found] == ["stop"]
    assert found[0].answer.confidence >= STOP_ASK  # silence at once (and "did you say stop?" if unsure)


def learnt_path(played: np.ndarray, delay: int = 0) -> EchoPath | None:
    """The echo path a listener learns over `played` heard through the room (nobody speaking),
    its echo `delay` samples later."""
    mic = ArrayMicrophone(np.concatenate([np.zeros(delay), room(played)])[: len(played)])
    listener = Listener(mic, recognise=None, reference=reference_of(played))
    while (item := mic.read(0)) is not None:
        listener.process(*item)
    return listener.learnt_path()


@pytest.fixture(scope="module")
def last_sessions_path():
    """What the session before learnt: another start, the same room."""
    from voiceguide.audio.pcm import SAMPLE_RATE, resample
    from voiceguide.audio.tones import load_cue

    cue = resample(load_cue("start"), SAMPLE_RATE, RATE)
    text = "Welcome. Lie on your side with a pillow between your knees."
    path = learnt_path(np.concatenate([np.zeros(RATE // 2), cue, np.zeros(RATE // 5), speech(text)]))
    assert path is not None and path.erle_db > 12
    return path


@pytest.mark.parametrize(("voice", "when"), [("en-us+m3", 2.2), ("en-gb+f2", 2.2)])
def test_a_stop_in_the_first_words_is_heard_from_the_swell_or_the_last_sessions_echo_path(
    session_start, last_sessions_path, voice, when, monkeypatch
):
    """A stop 6 dB under the echo, as the first sentence begins (1.9 s): missed while the echo was
    being learnt after the start cue's notes alone. Heard now from nothing, the swell under the cue
    having taught the canceller, and from the last session's path (scripts/bench_stop_start.py: 22
    of 28 heard cold with the notes alone, 27 of 28 with the swell, 28 of 28 from the last path)."""
    person = speech("stop", voice)
    at = int(when * RATE)

    def heard(start: np.ndarray, path: EchoPath | None = None) -> list[str]:
        mic = room(start)
        mic[at : at + len(person)] += 0.5 * person
        found = spotted(mic, start, path)
        assert all(h.answer.confidence >= STOP_ASK for h in found)
        return [h.answer.text for h in found]

    assert heard(session_start) == ["stop"]
    assert heard(session_start, last_sessions_path) == ["stop"]
    monkeypatch.setattr(tones, "SWELL", {})  # not vacuous: after the notes alone, it was missed
    notes = resample(tones.make_cue("start"), SAMPLE_RATE, RATE)
    assert heard(np.concatenate([np.zeros(RATE // 2), notes, session_start[RATE // 2 + len(notes) :]])) == []


def test_a_path_from_where_the_echo_no_longer_is_does_no_harm(player, last_sessions_path):
    """The echo 300 ms later than last session (another sound card, a re-timed stream): the old
    path is not trusted where it does not cancel; the player's own "say stop ... means stop" is
    still never taken for an answer, and the echo is found and cancelled where it now is."""
    later = np.concatenate([np.zeros(int(0.3 * RATE)), room(player)])[: len(player)]
    assert spotted(later, player, last_sessions_path) == []
    assert utterances(later, player, echo_path=last_sessions_path) == []
    found = learnt_path(player, delay=int(0.3 * RATE))
    assert found is not None and found.shift == pytest.approx(last_sessions_path.shift + 0.3, abs=0.002)
    # that far from the stream times, the next session fetches at the stream times, not there
    assert Listener(None, None, reference_of(player), echo_path=found).shift == -REFERENCE_LEAD


def test_a_path_kept_far_from_the_stream_times_still_cancels_once_the_echo_is_found(player):
    """Measured live: a null sink's echo sat 0.35 s off the stream times in one session, elsewhere
    in the next. The kept taps are offered once the echo is found, wherever it is."""
    kept = learnt_path(player, delay=int(0.35 * RATE))
    assert kept is not None and not kept.shift_usable()
    played = speech("Lie on your side with a pillow between your knees, and breathe out slowly.")
    played = np.concatenate([np.zeros(RATE // 2), played, np.zeros(RATE // 2)])
    taken = {}
    for path in (kept, None):
        mic = ArrayMicrophone(room(played))
        listener = Listener(mic, recognise=None, reference=reference_of(played), echo_path=path)
        heard, left = [], []
        while (item := mic.read(0)) is not None:
            listener.process(*item)
            heard.append(item[0])
            left.append(listener.voice)
        window = slice(int(2.5 * RATE), int(3.5 * RATE))  # about a second after the echo is found
        before, after = np.concatenate(heard)[window], np.concatenate(left)[window]
        taken[path is not None] = level_db(before) - level_db(after)
    assert taken[True] > 15
    assert taken[True] > taken[False] + 6  # not vacuous: from nothing, still learning there


def test_nothing_is_kept_from_a_session_that_learnt_no_echo(player):
    assert learnt_path(np.zeros(RATE * 3)) is None  # the player silent
    mic = ArrayMicrophone(np.zeros(len(player)))  # a microphone that does not hear the player
    listener = Listener(mic, recognise=None, reference=reference_of(player))
    while (item := mic.read(0)) is not None:
        listener.process(*item)
    assert listener.learnt_path() is None


def heard_late(player: np.ndarray, late: float) -> np.ndarray:
    """The player through the room, reaching the microphone `late` seconds after the record says
    it was played, and digital silence before it."""
    played = np.concatenate([player, np.zeros(int(late * RATE))])
    return np.concatenate([np.zeros(int(late * RATE)), room(played)])[: len(played)]


def test_a_microphone_that_hears_the_player_late_never_takes_its_stops_for_the_persons(player):
    """A sound stream late to start (digital silence first: a PulseAudio monitor may miss its
    first second), the echo 2 s late: the listener takes the microphone for one deaf to the
    player, but not for good. Before, it did for the whole session, and the player's own "stop"
    was the person's (24 recorded sessions replayed 2 s late: 7 stopped)."""
    mic = heard_late(player, 2.0)
    played = np.concatenate([player, np.zeros(2 * RATE)])
    assert spotted(mic, played) == []
    assert utterances(mic, played) == []
    listener = Listener(None, recognise=None, reference=reference_of(played))
    deaf_at = None
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        u = listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
        deaf_at = i / RATE if deaf_at is None and listener.deaf else deaf_at
        if u is not None:
            assert listener.set_aside(u), f"the player's own sound at {u.start:.2f} s taken for the person"
    assert deaf_at is not None and deaf_at < 3.0  # taken for deaf first, as before
    assert not listener.deaf and listener.tracker.lag is not None  # then its echo was found


@pytest.mark.parametrize("said_at", [3.0, 4.5, 6.0])
def test_a_persons_stop_over_the_player_heard_late_is_heard(player, said_at):
    """The other half of the late stream: the person's stop, said over the player a moment after
    the microphone started hearing it (2 s late), is still heard, as it was when the listener
    took such a microphone for deaf for good (and everything it heard for the person's)."""
    mic = heard_late(player, 2.0)
    person = speech("stop", "en-us+m3") * 0.7
    at = int(said_at * RATE)
    mic[at : at + len(person)] += person
    played = np.concatenate([player, np.zeros(2 * RATE)])
    early = [h.answer.at for h in spotted(mic, played)]
    recogniser = Recogniser()
    decoded = [
        u.start
        for u in utterances(mic, played)
        if safety_first(recogniser.hear(u.samples, RATE, "any")).intent == "stop"
    ]
    heard = [t for t in early + decoded if said_at - 0.3 < t < said_at + 1.5]
    assert heard, f"stops heard early {early}, decoded at the end of an utterance {decoded}"


def turned_up(player: np.ndarray, at: float, until: float | None = None) -> np.ndarray:
    """The player through the room, on time, heard only from `at` s on (a loudspeaker turned up
    then; until `until`, if given); a quiet room's sound throughout."""
    mic = room(player)
    mic[: int(at * RATE)] = 0.0
    if until is not None:
        mic[int(until * RATE) :] = 0.0
    return mic + np.random.default_rng(7).normal(0.0, 10 ** (-70 / 20), len(mic))


def deaf_run(mic: np.ndarray, player: np.ndarray) -> tuple[Listener, float | None, list[Utterance]]:
    """The listener over the whole microphone: when it was first taken for deaf, and the words it kept."""
    listener = Listener(None, recognise=None, reference=reference_of(player))
    deaf_at, kept = None, []
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        u = listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
        deaf_at = i / RATE if deaf_at is None and listener.deaf else deaf_at
        if u is not None and not listener.set_aside(u):
            kept.append(u)
    return listener, deaf_at, kept


def test_a_microphone_quiet_at_first_that_then_hears_the_player_is_no_longer_deaf(player):
    """A quiet room while the player talks, then the player heard (turned up 3 s in): taken for
    a headset, deaf to the player, until its echo is found twice at one place. Before, it stayed
    deaf, and the player's own "stop" was acted on for the rest of the session
    (scripts/replay_listen.py --turned-up 3 --floor-db -70: 15 of 18 recorded sessions)."""
    mic = turned_up(player, 3.0)
    listener, deaf_at, _ = deaf_run(mic, player)
    assert deaf_at is not None and deaf_at < 3.0
    assert not listener.deaf and listener.tracker.lag is not None
    # the player's "stops" 5 s in is still heard (turned up 2 s before: no echo twice yet), its
    # closing "means stop" no longer (the listener before answered both)
    assert [h.answer.at for h in spotted(mic, player) if h.answer.at > 6.0] == []


def test_one_likeness_of_the_player_does_not_end_the_deafness(player):
    """One stretch of sound like the player's at one place (a word said back in the guide's own
    voice, as the walk-through's test person does) leaves the microphone deaf and its words as
    they are: three tries that acted on one likeness lost that test's takes in CI."""
    mic = turned_up(player, 3.0, until=4.2)
    listener, deaf_at, _ = deaf_run(mic, player)
    assert deaf_at is not None and deaf_at < 3.0
    assert listener.likenesses  # found (not vacuous) ...
    assert listener.deaf and not listener.deaf_unsure  # ... once: still deaf, its words not looked at


@pytest.mark.parametrize("said_at", [4.0, 5.5, 7.0])
def test_a_persons_stop_over_the_player_turned_up_is_heard(player, said_at):
    """... and the person's stop said over the player around when it is turned up is answered:
    acted on, or "did you say stop?" (said just as the microphone comes to hear the player)."""
    mic = turned_up(player, 3.0)
    person = speech("stop", "en-us+m3") * 0.7
    at = int(said_at * RATE)
    mic[at : at + len(person)] += person
    early = [h.answer.at for h in spotted(mic, player)]
    recogniser = Recogniser()
    decoded = [
        u.start for u in utterances(mic, player) if stop_answered(recogniser.hear(u.samples, RATE, "any"))
    ]
    heard = [t for t in early + decoded if said_at - 0.3 < t < said_at + 1.5]
    assert heard, f"stops heard early {early}, decoded at the end of an utterance {decoded}"


def stop_answered(heard: Answer) -> bool:
    """A session stops for it, or asks "did you say stop?"."""
    d = decide(safety_first(heard), "any")
    return d.action != "reject" and d.answer.intent == "stop"


def record_gone_wrong() -> tuple[np.ndarray, np.ndarray, int]:
    """Three sentences with a 3 s pause before the last: (played, heard through the room, the first
    sample the record times `late` seconds later than it was played; see its test)."""
    first = speech("Place your palms flat on the lower back, either side of the spine, and lean in gently.")
    second = speech("Now let your thumbs glide slowly down towards the hips, then back up, and breathe out.")
    asked = speech("How strong is your pain now, from zero to ten? Say a number.")
    gap = np.zeros(RATE // 2)
    played = np.concatenate([gap, first, gap, second, np.zeros(3 * RATE), asked, np.zeros(4 * RATE)])
    return played, room(played), len(gap) * 2 + len(first) + len(second)


@pytest.mark.parametrize("late", [1.19, 2.5])
def test_a_microphone_that_heard_the_player_is_not_taken_for_deaf_when_the_record_goes_wrong(late):
    """Measured on a busy machine (2026-12-07, tests/test_voice_live.py beside two busy loops, the
    session kept and looked at offline): after 21 s of cancelling, the record of what was played
    put the player's sound 1.19 s later than the microphone heard it. Quiet frames where the record
    said the player sounded made the listener take the microphone for deaf, and its own words
    were then answers ("tingling" a symptom: the session stopped)."""
    played, mic, from_sample = record_gone_wrong()

    def between(start: float, end: float):
        times = np.arange(len(played)) / RATE
        times[from_sample:] += late
        k = np.nonzero((times >= start) & (times <= end))[0]
        return times[k], played[k]

    def heard(listener: Listener) -> list[Utterance]:
        found = []
        for i in range(0, len(mic) - FRAME + 1, FRAME):
            u = listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
            if u is not None and not listener.set_aside(u):
                found.append(u)
        return found

    listener = Listener(None, recognise=None, reference=Reference(between, RATE))
    assert heard(listener) == [] and not listener.deaf and listener.heard_the_player()
    before = Listener(None, recognise=None, reference=Reference(between, RATE))
    before.heard_the_player = lambda: False  # as it was: deaf, and its own question an answer
    assert len(heard(before)) == 1 and before.deaf


def test_what_is_said_over_the_player_while_its_echo_is_lost_is_not_an_answer():
    """The record 4 s late, beyond the widest look for the player's sound: what the player itself
    knows it is playing (its tape, `playing`) keeps its own question from being an answer; it is
    journaled as set aside. Without it, the question was an answer (the recogniser is a stand-in)."""
    played, mic, from_sample = record_gone_wrong()

    def between(start: float, end: float):
        times = np.arange(len(played)) / RATE
        times[from_sample:] += 4.0
        k = np.nonzero((times >= start) & (times <= end))[0]
        return times[k], played[k]

    def run(with_tape: bool) -> tuple[list[Heard], list[str]]:
        microphone = ArrayMicrophone(mic)
        now = {"at": 0.0}
        read = microphone.read

        def timed(timeout):
            frame = read(timeout)
            now["at"] = frame[1] if frame is not None else now["at"]
            return frame

        microphone.read = timed
        sounding = np.abs(played) > 1e-3

        def playing() -> bool:  # as OutputHistory.sounding_lately: the last 0.5 s given to the device
            k = int(now["at"] * RATE)
            return bool(np.any(sounding[max(0, k - RATE // 2) : k + 1]))

        listener = Listener(
            microphone,
            recognise=lambda *_: Answer("three", "number", 3, 0.9, "voice"),
            reference=Reference(between, RATE),
            playing=playing if with_tape else None,
        )
        listener.start()
        deadline = time.monotonic() + 60
        while microphone.frames and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # (the last frames, and what they end)
        listener.stop()
        heard = []
        while not listener.heard.empty():
            heard.append(listener.heard.get())
        why = []
        while not listener.ignored.empty():
            why.append(listener.ignored.get()[1])
        return heard, why

    heard, why = run(with_tape=True)
    assert heard == [] and RECORD_WRONG in why
    late = Listener(SimpleNamespace(offset=time.monotonic() - 100.0), recognise=None)
    assert late.in_time(99.9) and not late.in_time(99.0)  # a frame heard a second ago: not compared
    heard, _ = run(with_tape=False)
    assert len(heard) >= 1  # not vacuous: the question itself was an answer


@pytest.mark.parametrize(("room_db", "searched"), [(-70.0, False), (None, True)])
def test_a_microphone_that_never_hears_the_player_is_deaf_and_hears_the_person(player, room_db, searched):
    """A headset's microphone (a room's faint sound) or a pipe-source or noise gate (digital
    silence between words), quiet while the player talks: found deaf to it, and the person's word
    just after the prompt is heard where it was said. Only the second has its words searched for
    the player's sound (it may be a stream late to start); a headset is taken at its word, since
    that wide search would delay its stops."""
    mic = np.zeros(len(player))
    if room_db is not None:
        mic += np.random.default_rng(4).normal(0.0, 10 ** (room_db / 20), len(player))
    person = speech("stop", "en-us+m3") * 0.5
    at = len(player) - len(person) - RATE // 2
    mic[at : at + len(person)] += person
    listener = Listener(None, recognise=None, reference=reference_of(player))
    found = []
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        u = listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
        if u is not None and not listener.set_aside(u):
            found.append(u)
    assert listener.deaf and listener.deaf_unsure == searched
    assert len(found) == 1 and abs(found[0].start - at / RATE) < 0.3


def test_the_start_cue_is_not_taken_for_a_stop_before_the_echo_is_learnt(session_start, monkeypatch):
    assert spotted(room(session_start), session_start) == []
    # the cue's notes without the swell under them: the shipped detector does not take them for a
    # stop, but one leaning to it does (the first fit shipped on 2026-12-05 alone did); with that
    # one, the listening through the unlearnt echo still does not (not vacuous)
    monkeypatch.setattr(tones, "SWELL", {})
    notes = resample(tones.make_cue("start"), SAMPLE_RATE, RATE)
    assert stopword.stop_probability(notes, RATE) < stopword.ASK_AT
    shipped = stopword.network()

    def leaning(x: np.ndarray) -> np.ndarray:  # 2.5 more on the logit scale, everywhere
        p = np.clip(shipped(x), 1e-6, 1 - 1e-6)
        return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) + 2.5)))

    monkeypatch.setattr(stopword, "network", lambda: leaning)
    assert stopword.stop_probability(notes, RATE) >= stopword.ASK_AT
    start = np.concatenate([np.zeros(RATE // 2), notes, session_start[RATE // 2 + len(notes) :]])
    assert spotted(room(start), start) == []


def test_a_word_said_under_a_well_cancelled_player_is_not_its_own_voice():
    """Measured live: with the echo cancelled by 22 dB, "continue" said under the player's echo
    (echo -16.8 dB, left after cancelling -23.7 dB) was set aside as the player's own voice by a
    fixed 6 dB margin, and the paused session never resumed."""

    def heard(echo_db: float, voice_db: float, erle_db: float) -> Utterance:
        return Utterance(np.zeros(10, np.float32), 0.0, 1.0, echo_db, voice_db, 0.0, erle_db=erle_db)

    assert not heard(-16.8, -23.7, erle_db=22.0).own_voice
    assert heard(-16.8, -23.7, erle_db=0.0).own_voice  # cancelling unknown: the fixed margin
    assert heard(-16.8, -40.0, erle_db=22.0).own_voice  # no more than the echo's remains


def test_a_stop_peak_answers_a_sure_stop_at_once_and_an_unsure_one_at_its_best():
    from voiceguide.feedback.listen import THROUGH_WAIT, StopPeak

    peak = StopPeak()
    assert peak.step(0.99, 0.0) == 0.99  # sure: at once
    assert [peak.step(c, t) for c, t in [(0.91, 1.0), (0.95, 1.03), (0.5, 1.06)]] == [0.0, 0.0, 0.95]
    assert not peak.pending
    waited = [peak.step(0.92, 2.0 + k * 0.03) for k in range(int(THROUGH_WAIT / 0.03) + 2)]
    assert max(waited) == 0.92 and waited.count(0.92) == 1  # an unsure stop that goes on: answered once
    assert StopPeak().step(0.5, 9.0) == 0.0  # nothing heard: nothing answered


def pink_noise(seconds: float, seed: int = 2) -> np.ndarray:
    """Broadband but coloured, as speech is: the adaptive filter learns it slowly, a fit at once."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(int(seconds * RATE)))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    spectrum[0] = 0.0
    x = np.fft.irfft(spectrum, int(seconds * RATE))
    return 0.05 * x / x.std()


def seeded_listener(mic: np.ndarray, played: np.ndarray) -> Listener:
    """A listener that knows where the echo sits but has learnt nothing of it, given frames of
    microphone and reference (the reference fetched with the echo at the lead) one by one."""
    listener = Listener(None, recognise=None, reference=reference_of(played))
    listener.tracker.assume(REFERENCE_LEAD)
    for i in range(0, len(mic) - FRAME + 1, FRAME):
        listener.seed_canceller(mic[i : i + FRAME], played[i : i + FRAME], 0)
    return listener


def test_a_found_echo_not_yet_learnt_is_fitted_and_cancelled_at_once():
    from voiceguide.feedback.echo import cancelled_db
    from voiceguide.feedback.listen import SEED_FIRST_FRAMES

    played = pink_noise(1.5)
    lead = int(REFERENCE_LEAD * RATE)
    mic = np.concatenate([np.zeros(lead), room(played)])[: len(played)]
    held = SEED_FIRST_FRAMES * FRAME
    listener = seeded_listener(mic[:held], played[:held])
    assert listener.seeds == 1
    # on what came next: enough for the listener to count the echo as cancelled (fresh filters: 0 dB)
    assert cancelled_db(mic[held:], played[held:], listener.canceller.taps()) > CONVERGED_DB


def test_no_path_is_fitted_where_the_microphone_does_not_hear_the_player():
    played = pink_noise(1.5)
    someone_else = pink_noise(1.5, seed=3)
    assert seeded_listener(someone_else, played).seeds == 0


def test_a_session_heard_with_its_frames_kept_is_heard_again_the_same_offline(
    session_start, tmp_path, monkeypatch
):
    """VOICEGUIDE_RECORD_LISTEN keeps each frame and what was played then; scripts/replay_listen.py
    runs the listener over them again, so a stop missed live can be looked at offline."""
    import subprocess
    import sys
    from pathlib import Path

    from voiceguide.feedback.listen import read_recording

    person = speech("stop", "en-us+m3")
    at = int(1.6 * RATE)
    mic = room(session_start)
    mic[at : at + len(person)] += person
    monkeypatch.setenv("VOICEGUIDE_RECORD_LISTEN", str(tmp_path))
    live = spotted(mic, session_start)
    assert [h.answer.text for h in live] == ["stop"]
    (kept,) = tmp_path.glob("listen-*.frames")
    frames = read_recording(str(kept))
    assert len(frames) == len(mic) // FRAME
    assert np.array_equal(frames["mic"][10], mic[10 * FRAME : 11 * FRAME].astype(np.float32))
    assert np.abs(frames["played"].reshape(-1) - session_start[: len(frames) * FRAME]).max() < 0.05
    script = Path(__file__).resolve().parents[1] / "scripts" / "replay_listen.py"
    out = subprocess.run([sys.executable, str(script), str(kept)], capture_output=True, text=True, check=True)
    assert "echo +5 ms from the record" in out.stdout  # room(): its direct path, 5 ms
    said = out.stdout.split("stops answered: ")[1]
    assert said.endswith(" s early, acted on\n")  # one stop, heard while it was said, as live
    assert 1.6 < float(said.split(" s ")[0]) < 2.4


def test_a_session_that_started_from_a_kept_echo_path_is_replayed_from_it(
    session_start, last_sessions_path, tmp_path, monkeypatch
):
    """The recording keeps a copy of the path the session started from, and the replay starts
    from it (before, such sessions were replayed from nothing, and did not hear as they had)."""
    import subprocess
    import sys
    from pathlib import Path

    from voiceguide.feedback import room as kept_paths

    path = last_sessions_path
    person = speech("stop", "en-us+m3")
    at = int(1.6 * RATE)
    mic = room(session_start)
    mic[at : at + len(person)] += person
    monkeypatch.setenv("VOICEGUIDE_RECORD_LISTEN", str(tmp_path))
    assert [h.answer.text for h in spotted(mic, session_start, echo_path=path)] == ["stop"]
    (kept,) = tmp_path.glob("listen-*.frames")
    copy = kept_paths.load(Path(str(kept) + ".path.json"))
    assert copy is not None and np.allclose(copy.taps, path.taps, atol=1e-6) and copy.shift == path.shift
    script = Path(__file__).resolve().parents[1] / "scripts" / "replay_listen.py"
    out = subprocess.run([sys.executable, str(script), str(kept)], capture_output=True, text=True, check=True)
    assert f"from a kept echo path ({path.erle_db:.0f} dB)" in out.stdout
    assert out.stdout.split("stops answered: ")[1].endswith(" s early, acted on\n")


def test_a_session_from_nothing_keeps_no_echo_path_beside_its_frames(session_start, tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEGUIDE_RECORD_LISTEN", str(tmp_path))
    spotted(room(session_start), session_start)
    assert len(list(tmp_path.glob("listen-*.frames"))) == 1
    assert list(tmp_path.glob("*.path.json")) == []


def test_a_stop_said_well_under_the_unlearnt_echo_is_kept_as_the_persons(session_start):
    """The check that the stop is not the player's own compares the whole 1.5 s kept, where the
    player's sound lasts longer than the word: within 10 dB of it, a person some 5 dB under the
    player was set aside (measured live, replayed: a stop heard at 0.99 in the first sentence,
    then dropped). scripts/bench_stop_start.py, 12 dB under the echo: 14 of 14, 13 before."""
    person = speech("stop", "en-us+m3")
    at = int(2.2 * RATE)
    mic = room(session_start)
    mic[at : at + len(person)] += 0.25 * person
    found = spotted(mic, session_start)
    assert [h.answer.text for h in found] == ["stop"]


def test_an_echo_that_still_cancels_is_not_moved_by_an_unclear_likeness(player):
    """Measured live, replayed: a stop said as a sentence began made the delay tracker place the
    echo 16-24 ms off (likeness 0.61, 0.77) while the filters took out 28-31 dB; moved, they had to
    learn the echo again, and the stop was missed. A clear likeness still moves it (a real jump)."""
    mic = room(player)
    listener = Listener(None, recognise=None, reference=reference_of(player))
    half = (len(mic) // 2) // FRAME * FRAME
    for i in range(0, half, FRAME):
        listener.process(mic[i : i + FRAME].astype(np.float32), i / RATE)
    assert listener.canceller.converged and listener.canceller.erle > CONVERGED_DB
    shift = listener.shift
    listener.tracker.lag, listener.tracker.last_score = REFERENCE_LEAD + 0.02, 0.61  # as measured
    listener.process(mic[half : half + FRAME].astype(np.float32), half / RATE)
    assert listener.shift == shift and listener.canceller.converged
    listener.tracker.lag, listener.tracker.last_score = REFERENCE_LEAD + 0.02, 0.99
    listener.process(mic[half + FRAME : half + 2 * FRAME].astype(np.float32), (half + FRAME) / RATE)
    assert listener.shift == pytest.approx(shift + 0.02)


def test_blocks_without_an_adc_time_are_timed_from_the_streams_clock():
    """PortAudio's callback times, as a stream gives them (seconds since 1970), with no ADC time
    (0) in the first blocks: the frames are still timed within a block of the stream's clock, so
    an answer's end maps to the monotonic clock (Microphone.offset) and not decades back."""
    assert adc_time(0.0, 1.8e9, FRAME) == 1.8e9 - FRAME / RATE
    assert adc_time(1.8e9 - 5.0, 1.8e9, FRAME) == 1.8e9 - FRAME / RATE  # far off: not believed
    assert adc_time(1.8e9 - 0.03, 1.8e9, FRAME) == 1.8e9 - 0.03  # its own, when plausible

    mic = Microphone.__new__(Microphone)  # the callback alone: no stream is opened
    mic.frames, mic.overflows, mic.offset, mic.count = queue.Queue(), 0, 0.0, 0
    mic.origins, mic.origin = deque(maxlen=64), 0.0
    start = 1.8e9
    for k in range(80):
        now = start + (k + 1) * FRAME / RATE
        adc = 0.0 if k < 50 else now - FRAME / RATE  # most of the origin's first 64 without one
        told = SimpleNamespace(currentTime=now, inputBufferAdcTime=adc)
        mic._callback(np.zeros((FRAME, 1), np.float32), FRAME, told, None)
    times = [mic.frames.get_nowait()[1] for _ in range(80)]
    assert abs(times[-1] + mic.offset - (time.monotonic() - FRAME / RATE)) < 1.0
    assert np.allclose(np.diff(times), FRAME / RATE)  # still counted by samples, evenly


def quiet_room(seconds: float, db: float, seed: int = 0) -> np.ndarray:
    """Pink noise at `db` dBFS: a quiet room through a microphone's own hiss."""
    white = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    spectrum = np.fft.rfft(white)
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1.0))
    pink = np.fft.irfft(spectrum, len(white))
    return pink / np.std(pink) * 10 ** (db / 20)


def faint(text: str, loudest_db: float) -> np.ndarray:
    """Speech whose loudest 30 ms frame is at `loudest_db` dBFS: a voice from across the room."""
    x = speech(text)
    loudest = max(level_db(x[i : i + FRAME]) for i in range(0, len(x) - FRAME + 1, FRAME))
    return x * 10 ** ((loudest_db - loudest) / 20)


def said_in_room(sound: np.ndarray, room_db: float, seed: int = 0) -> np.ndarray:
    """Two seconds of the room, then `sound` in it, then a second more."""
    signal = quiet_room(3.0 + len(sound) / RATE, room_db, seed)
    signal[2 * RATE : 2 * RATE + len(sound)] += sound
    return signal


def kept_and_set_aside(signal: np.ndarray, lowest: float | None = None) -> tuple[list[Utterance], list[str]]:
    """What a session's listener keeps of `signal`, the player silent throughout."""
    silent = reference_of(np.zeros(len(signal)))
    listener = Listener(ArrayMicrophone(signal), recognise=None, reference=silent)
    if lowest is not None:
        listener.lowest_floor = lowest
    kept, aside = [], []
    while (item := listener.mic.read(0)) is not None:
        u = listener.process(*item)
        if u is not None:
            why = listener.set_aside(u)
            (aside.append(why) if why else kept.append(u))
    return kept, aside


def test_a_faint_answer_in_a_quiet_room_is_heard_and_understood():
    """A "three" from across the room (its loudest 30 ms at -58 dBFS) in a room at -80 dBFS: under
    the fixed floor of -55 dBFS nothing at all was heard; over the room's own floor it is an
    answer, and the recogniser's gate lets it through too."""
    from voiceguide.feedback.listen import SPEECH_FLOOR_DB

    signal = said_in_room(faint("three", -58.0), -80.0)
    assert kept_and_set_aside(signal, lowest=SPEECH_FLOOR_DB) == ([], [])
    kept, aside = kept_and_set_aside(signal)
    assert len(kept) == 1 and aside == []
    answer = Recogniser().hear(kept[0].samples, RATE, "number")
    assert (answer.intent, answer.value, answer.quiet) == ("number", 3, True)


def test_a_faint_whisper_in_a_quiet_room_is_set_aside_not_taken_as_a_try():
    """A whisper 20 dB over a quiet room: the lower floor hears it (random noise bursts the VAD
    refuses), the speech gate finds no voice in it, so it is journaled as set aside, not answered
    "unknown" (which would ask the question again at once)."""
    from voiceguide.feedback.listen import QUIET_NOISE, SPEECH_FLOOR_DB

    whisper = speech("seven", "en-us+whisper")
    loudest = max(level_db(whisper[i : i + FRAME]) for i in range(0, len(whisper) - FRAME + 1, FRAME))
    signal = said_in_room(whisper * 10 ** ((-58.0 - loudest) / 20), -80.0)
    assert kept_and_set_aside(signal) == ([], [QUIET_NOISE])
    assert kept_and_set_aside(signal, lowest=SPEECH_FLOOR_DB) == ([], [])


def test_the_floor_goes_down_only_in_a_quiet_room_while_the_player_is_silent(player):
    from voiceguide.feedback.listen import SPEECH_FLOOR_DB

    silent = reference_of(np.zeros(2 * RATE))
    quiet = Listener(ArrayMicrophone(quiet_room(2.0, -80.0)), recognise=None, reference=silent)
    loud = Listener(ArrayMicrophone(quiet_room(2.0, -58.0)), recognise=None, reference=silent)
    unknown = Listener(ArrayMicrophone(quiet_room(2.0, -80.0)), recognise=None)  # no record of the player
    for listener in (quiet, loud, unknown):
        while (item := listener.mic.read(0)) is not None:
            listener.process(*item)
    assert quiet.speech_floor(np.zeros(FRAME), 2.0, silent) < SPEECH_FLOOR_DB - 10  # (the room + 9 dB)
    assert loud.speech_floor(np.zeros(FRAME), 2.0, silent) == SPEECH_FLOOR_DB
    assert unknown.speech_floor(np.zeros(FRAME), 2.0, None) == SPEECH_FLOOR_DB
    # the player sounding (or its echo still in the room): the floor stays where its remains sit
    playing = Listener(ArrayMicrophone(np.zeros(FRAME)), recognise=None, reference=reference_of(player))
    playing.room.extend([-92.0] * 100)
    assert playing.speech_floor(np.zeros(FRAME), 1.5, playing.reference) == SPEECH_FLOOR_DB
    assert playing.speech_floor(np.zeros(FRAME), len(player) / RATE + 2.0, playing.reference) < -65.0


def test_the_room_is_heard_while_the_echo_is_still_learnt(player):
    """A session's first second of room, before its first words: while the echo is not learnt
    nothing near the player's sound is speech, but the room was heard all the same, so that an
    answer a second after the first question is heard over the room's own floor."""
    lead = int(1.2 * RATE)
    played = np.concatenate([np.zeros(lead), player[: 3 * RATE], np.zeros(2 * RATE)])
    mic = room(played) + quiet_room(len(played) / RATE, -80.0)
    listener = Listener(ArrayMicrophone(mic), recognise=None, reference=reference_of(played))
    after = (lead + 3 * RATE) / RATE + 1.1  # the player's last sound and its echo's second
    while (item := listener.mic.read(0)) is not None and item[1] < after:
        listener.process(*item)
    assert listener.speech_floor(np.zeros(FRAME), after, listener.reference) < -60.0


def test_a_faint_whispered_stop_in_a_quiet_room_is_heard_not_set_aside():
    """The same whisper, but of "stop": the speech gate finds no voice in it, the stop detector
    hears a stop, so it is kept and answered as one (a stop is never set aside as a rustle)."""
    whisper = speech("stop", "en-us+whisper")
    loudest = max(level_db(whisper[i : i + FRAME]) for i in range(0, len(whisper) - FRAME + 1, FRAME))
    signal = said_in_room(whisper * 10 ** ((-58.0 - loudest) / 20), -80.0)
    kept, aside = kept_and_set_aside(signal)
    assert len(kept) == 1 and aside == []
    assert Recogniser().hear(kept[0].samples, RATE, "any").intent == "stop"
