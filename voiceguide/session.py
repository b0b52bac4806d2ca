"""From options to a plan with real speech lengths, and from a plan to an audio file.

The glue between the pure planner/timeline and the speech cache and sinks.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voiceguide import library as lib
from voiceguide import planner
from voiceguide.audio.pcm import SAMPLE_RATE
from voiceguide.plan import Plan
from voiceguide.speechtime import EstimatedSpeech, GenerousSpeech

RENDER_BLOCK_SECONDS = 60.0  # render writes at most this much at a time: bounded memory


class SettlingTimer:
    """Real lengths for the texts of the plans built so far, estimates for every other text,
    whatever else the cache holds: the plan is the same on a cold cache and a warm one."""

    def __init__(self, cache, known: set[str]) -> None:
        self.cache = cache
        self.known = known
        self.estimate = EstimatedSpeech()

    def seconds(self, text: str) -> float:
        return self.cache.seconds(text) if text in self.known else self.estimate.seconds(text)


@dataclass
class Voice:
    engine: str | None = None
    voice: str | None = None
    rate: int | None = None
    fast_start: bool = False  # play: start once the first clip is ready, render the rest ahead


def voice_for(voice: str | None, rate: int | None) -> Voice:
    """The speech of a session played aloud; speech renders ahead as it plays. Spoken answers
    keep the default voice too: the listener finds the natural voice's echo again when it moves
    (listen.Listener.set_aside), which is what had let its own words through as answers."""
    return Voice(engine=None, voice=voice, rate=rate, fast_start=True)


class AheadTimer:
    """Real lengths where a clip is cached; elsewhere a generous estimate that the natural voice's
    clip does not exceed, so a segment's slot holds its clip and every start stays true."""

    def __init__(self, cache) -> None:
        self.cache = cache
        self.generous = GenerousSpeech()

    def seconds(self, text: str) -> float:
        if self.cache.has(text):
            return self.cache.seconds(text)
        return self.generous.seconds(text)


def plan_with_real_speech(library: lib.Library, request: planner.Request, voice: Voice):
    """Render the plan's clips first (in parallel), then plan with their true lengths. For play with a
    slow engine (fast_start), only the first clip: see plan_ahead."""
    from voiceguide.audio.speech import open_cache

    cache = open_cache(voice.engine, voice.voice, voice.rate)
    if voice.fast_start and renders_ahead(cache):
        return plan_ahead(library, request, cache), cache
    progress = progress_bar()
    known: set[str] = set()
    for _ in range(4):  # real lengths can change which techniques fit: look again
        plan = planner.build(library, request, timer=SettlingTimer(cache, known))
        # only this plan's texts: the planner also times techniques it then leaves out (rendering
        # those too took 40 % longer for a 20-minute session with the natural voice)
        texts = [s.text for s in plan.segments if s.text and s.text not in known]
        if not texts:
            return plan, cache
        cache.ensure(texts, progress=progress)
        known.update(texts)
    return planner.build(library, request, timer=cache), cache


def renders_ahead(cache) -> bool:
    """Play starts before all speech is rendered: a slow engine whose pace GenerousSpeech bounds
    (the packaged natural voice; another .onnx voice's pace is unknown, so it renders first)."""
    files = getattr(cache.engine, "files", None)
    return bool(cache.engine.slow and files is not None and files.packaged)


def plan_ahead(library: lib.Library, request: planner.Request, cache) -> Plan:
    """The fast start: the voice loads while planning, the first clip is rendered, the plan is
    timed with real lengths where known and generous ones elsewhere, and the rest is rendered in
    the background in the order it will be needed."""
    from voiceguide.audio import timeline

    for _ in range(3):
        plan = planner.build(library, request, timer=AheadTimer(cache))
        if not cache.has(next((s.text for s in plan.segments if s.text), "")):
            cache.engine.warm()  # the voice loads while the opening chime plays (not when cached:
            # loading it took CPU from the start of a session that needed nothing rendered)
        first, last = next(timeline.block_ranges(plan.segments, 0, max_seconds=AHEAD_BLOCK_SECONDS))
        needed = [s.text for s in plan.segments[first : last + 1] if s.text and not cache.has(s.text)]
        if not needed:
            break
        cache.ensure(needed)
    texts = [s.text for s in plan.segments if s.text]
    cache.render_ahead([*texts[:1], ONE_MOMENT, *texts[1:3], *extra_texts(plan.mode), *texts[3:]])
    return plan


ONE_MOMENT = "One moment."  # said at a block boundary when the next clip is not rendered yet
#: While speech renders ahead, the player cuts blocks after this much (at a segment's end, never
#: mid-sentence), so it needs only the clips of the next few seconds.
AHEAD_BLOCK_SECONDS = 1.0
AHEAD_GRACE_SECONDS = 0.4  # within playback.QUEUE_AHEAD: waiting this long leaves no gap


class AheadSpeech:
    """The speech cache as the player sees it while clips render in the background: small blocks
    until all are made, and a clip not made yet waits at that block boundary (said aloud)."""

    def __init__(self, cache, on_wait=None) -> None:
        self.cache = cache
        self.on_wait = on_wait

    def block_seconds(self) -> float | None:
        return AHEAD_BLOCK_SECONDS if self.cache.rendering_ahead() else None

    def clip(self, text: str):
        # the next block is mixed while the last half second of this one plays: a clip that is
        # nearly ready is waited for then, unheard, rather than announced with "One moment."
        deadline = time.monotonic() + AHEAD_GRACE_SECONDS
        while not self.cache.has(text) and self.cache.rendering_ahead() and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.on_wait is not None and not self.cache.has(text):
            self.on_wait()
        return self.cache.clip(text)

    def seconds(self, text: str) -> float:
        return self.cache.seconds(text)


def progress_bar():
    """A progress bar for rendering speech, on stderr when it is a terminal (else None)."""
    import sys

    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rPreparing speech [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def speech_for_plan(plan: Plan, voice: Voice):
    from voiceguide.audio.speech import open_cache

    cache = open_cache(voice.engine, voice.voice, voice.rate)
    cache.ensure((s.text for s in plan.segments if s.text), progress=progress_bar())
    return cache


def render_to_file(plan: Plan, cache, out: Path) -> float:
    """Write exactly the plan, block by block; returns the seconds written."""
    from voiceguide.audio import timeline
    from voiceguide.audio.sinks import FileSink
    from voiceguide.audio.tones import load_cue

    sink = FileSink(out)
    try:
        for block in timeline.blocks(plan.segments, cache.clip, load_cue, max_seconds=RENDER_BLOCK_SECONDS):
            sink.append(block.samples)
    except BaseException:
        sink.close(keep=False)
        raise
    sink.close(keep=True)
    return sink.samples / SAMPLE_RATE


# --- playing ---------------------------------------------------------------------


def extra_texts(mode: str) -> list[str]:
    """Everything the player may say besides the plan, rendered before the session starts."""
    from voiceguide.player import spoken_texts

    return spoken_texts(mode)


@dataclass
class PlayRequest:
    output: str = "device"
    feedback: str = "keys"
    answer_window: float = 8.0
    resume: bool = False
    person: str | None = None  # whose journal (None: the only person here)
    companion: Any = None  # the live page (voiceguide.companion.Companion): sees every event, adds taps


class SinkOpener:
    """Opens the sound output in the background while the session is prepared.

    A new output stream can take a second or more to start flowing (measured on a
    PulseAudio null sink), so it is started first and joined when the first block is ready.
    """

    def __init__(self, output: str) -> None:
        import threading

        self.result = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._open, args=(output,), daemon=True)
        self.thread.start()

    def _open(self, output: str) -> None:
        from voiceguide.audio.sinks import make_sink

        try:
            self.result = make_sink(output)
        except BaseException as e:  # re-raised in the main thread by get()
            self.error = e

    def get(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result

    def discard(self) -> None:
        self.thread.join()
        if self.result is not None:
            self.result.close(keep=False)


def run_unscreened(
    plan: Plan | None,
    cache,
    request: PlayRequest,
    emit_line,
    display=None,
    voice: Voice | None = None,
    sink=None,
):
    """Run a session (or resume the last one); returns (Outcome, session id).

    One session at a time per person: a second one is refused (SessionRunning). The name says
    what it lacks: it does not look at the safety screen. Play through voiceguide.app.App.play,
    which does; this is its engine.
    """
    from voiceguide.journal import claim_session, release_session

    lock = claim_session(request.person)
    try:
        return _play(plan, cache, request, emit_line, display, voice, sink)
    finally:
        release_session(lock)


def _play(plan, cache, request: PlayRequest, emit_line, display, voice, sink):
    import sys

    from voiceguide.adapt import State
    from voiceguide.audio.sinks import make_sink
    from voiceguide.audio.tones import load_cue
    from voiceguide.errors import InvalidInput, NoAudioOutput
    from voiceguide.journal import JournalWriteError, open_journal
    from voiceguide.plan_file import plan_from_dict
    from voiceguide.player import RECAP, SESSION_SAVED, Outcome, Player

    sink = sink or make_sink(request.output)  # no sound card: fail before anything is journaled
    feedback = make_feedback(request.feedback, sink, request.person)
    if request.companion is not None:
        feedback = request.companion.wrap(feedback)
    journal = open_journal(request.person)
    if journal.recovered_from:
        emit_line(
            {
                "event": "notice",
                "text": f"The journal was damaged; it was kept as "
                f"{journal.recovered_from} and a fresh one started.",
            }
        )
    start = 0
    state = None
    recap = None
    answered = None
    if request.resume:
        row = journal.last_unfinished()
        if row is None:
            raise InvalidInput(
                "There is no unfinished session to resume.", hint="Start a new one with: voiceguide play"
            )
        plan = plan_from_dict(row.plan, "the saved session", saved=True)
        session_id = row.id
        kinds = ("block", "state", "answered-ahead", "replan", "answer", "action", "reask")
        events = journal.events(session_id, kinds)
        states = [e for e in events if e["event"] == "state"]
        start = resume_point(events)
        answered = answer_kept_alone(events, plan.segments, start)
        state = State.from_dict(states[-1]["state"]) if states else None
        at = plan.segments[min(start, len(plan.segments) - 1)]
        what = next((s for s in plan.segments[start:] if s.technique), at)
        name = library_name(what.technique) if what.technique else "the next step"
        recap = RECAP.format(what=name)
        journal.mark_running(session_id)
        cache = speech_for_plan(plan, voice or Voice())
    else:
        assert plan is not None
        session_id = journal.start_session(plan.to_dict(), request.output, person=request.person or "")
    extras = extra_texts(plan.mode) + ([recap] if recap else [])
    speech = cache
    if cache.rendering_ahead():  # the fast start: extras are rendering too, in the background

        def one_moment() -> None:
            if not sink.realtime:  # a file or null output simply waits: nobody is listening
                return
            note = {"t": round(player.now(), 3), "text": "Speech is still being prepared: waiting."}
            record("notice", note)
            emit_line({"event": "notice", **note})
            player.play_now(cache.clip(ONE_MOMENT))

        speech = AheadSpeech(cache, one_moment)
    else:
        cache.ensure(extras)
    if state is None:
        state = State(cap=plan.max_pressure)

    held: list[tuple[str, dict]] | None = None  # journaled in a `together` block, shown after its commit

    def record(event: str, data: dict) -> None:
        journal.event(session_id, data.get("t", 0.0), event, {k: v for k, v in data.items() if k != "t"})
        if event == "replan":
            journal.update_plan(session_id, replace(plan, segments=player.segments).to_dict())
        if held is not None:
            held.append((event, data))
        else:
            show(event, data)

    def show(event: str, data: dict) -> None:
        """Journaled first, then shown on the page and printed."""
        if request.companion is not None:
            request.companion.observe(event, data, player.segments)
        if event in PRINTED_EVENTS:
            emit_line({"t": data.get("t"), "event": event, **{k: v for k, v in data.items() if k != "t"}})

    @contextlib.contextmanager
    def together() -> Iterator[None]:
        nonlocal held
        held = []
        try:
            with interrupts_held():
                with journal.together():
                    yield
                for event, data in held:
                    show(event, data)
        finally:
            held = None

    player = Player(
        plan,
        _library(),
        speech,
        load_cue,
        sink,
        feedback,
        record,
        state,
        answer_window=request.answer_window,
        reask=request.feedback != "none",
        display=display,
        together=together,
    )
    outcome = None
    try:
        record(
            "start",
            {
                "t": 0.0,
                "session": session_id,
                "resumed": request.resume,
                "from_index": start,
                "output": request.output,
            },
        )
        if recap:
            player.play_now(cache.clip(recap))
        outcome = player.run(start, answered)
    except KeyboardInterrupt:
        sink.flush()
        outcome = Outcome("interrupted", None, player.now())
        if sink.realtime:
            with contextlib.suppress(Exception):  # saying so is a courtesy; the save already happened
                player.play_now(cache.clip(SESSION_SAVED))
    except NoAudioOutput:
        outcome = Outcome("interrupted", "sound output failed", player.now())
        raise
    except Exception as e:  # saved as interrupted, so that --resume can go on
        outcome = Outcome("interrupted", f"error: {type(e).__name__}", player.now())
        raise
    finally:
        failing = sys.exc_info()[1] is not None
        if outcome is not None:
            # a journal that failed mid-session must not hide why: then closing it is best effort
            with contextlib.suppress(JournalWriteError) if failing else contextlib.nullcontext():
                record(
                    "end",
                    {
                        "t": outcome.seconds,
                        "reason": outcome.reason,
                        "stop_reason": outcome.stop_reason,
                        "session": session_id,
                        "underruns": sink.underruns,  # counted, never printed to the terminal
                    },
                )
                journal.end_session(
                    session_id, outcome.reason, outcome.reason, outcome.stop_reason, outcome.seconds
                )
        sink.close(keep=True)
        feedback.close()
        journal.close()
        sys.stdout.flush()
    return outcome, session_id


_LIBRARY = None
#: Events printed by `play --json` (design.md's four, plus what helps to follow a spoken session).
PRINTED_EVENTS = {
    "segment",
    "answer",
    "action",
    "end",
    "block",
    "readback",
    "reask",
    "ignored",
    "response",
    "waiting",
}


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Ctrl-C, `kill` or a closed terminal during writes that mean one thing takes effect just
    after them: an answer's actions are kept with the plan they rewrote, never cut between."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # handlers are the main thread's
        yield
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    numbers = [n for name in names if (n := getattr(signal, name, None)) is not None]
    caught: list[int] = []
    before = {n: signal.signal(n, lambda number, frame: caught.append(number)) for n in numbers}
    try:
        yield
    finally:
        for n, handler in before.items():
            signal.signal(n, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])  # now handled as it would have been


def resume_point(events: list[dict]) -> int:
    """Where a resumed session goes on: at the start of the block it was in (hands came off the
    back); after that block's question if a rating already answered it ahead; where an answer's
    rewrite of the plan sent it, if the next block had not started yet. (Asking again what was
    said is what the journal exists to prevent.)"""
    start = 0
    for e in events:
        if e["event"] == "block":
            start = e["first"]
        elif e["event"] == "answered-ahead" and e["index"] >= start:
            start = e["index"] + 1
        elif e["event"] == "replan":  # the session went on there at once
            start = e["from_index"]
    return start


def answer_kept_alone(events: list[dict], segments: list, start: int) -> tuple[Any, Any] | None:
    """(question, answer): an answer to the question of the block resumed in that was journaled
    and then cut off from its effects (a kill -9 or a power cut while it was being decided or read
    back). It is that question's answer: the question is not asked again. Not an answer the
    question was asked again after (not understood), a pause there, nor a reply to a read-back."""
    from voiceguide.feedback.intents import Answer
    from voiceguide.player.dialogue import doubtful_stop, given_aside

    question = next((s for s in segments[start:] if s.kind == "checkpoint"), None)
    # after the last event that settled where the session stands
    settled = [k for k, e in enumerate(events) if e["event"] in ("block", "replan", "answered-ahead")]
    if question is None or not settled:
        return None
    found = None
    for e in events[settled[-1] + 1 :]:
        if e["event"] == "answer" and e.get("at") in (question.index - 1, question.index):
            if not e.get("confirming"):
                found = e
        elif e["event"] in ("reask", "action"):
            found = None
    if found is None:
        return None
    answer = Answer(
        found["text"],
        found["intent"],
        found.get("value"),
        found.get("confidence", 1.0),
        found.get("source", ""),
        stop_hint=found.get("stop_hint", False),
        instead=found.get("instead"),
    )
    # as the question takes answers (Dialogue.ask): anything understood but a pause or a repeat,
    # a doubtful stop, and a rating or a change keyed at a question that asks something else
    taken = answer.intent not in ("unknown", "pause", "repeat") or doubtful_stop(answer)
    taken = taken or given_aside(answer, question) is not None
    return (question, answer) if taken else None


def _library():
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = lib.load()
    return _LIBRARY


def library_name(technique_id: str) -> str:
    t = _library().techniques.get(technique_id)
    return t.name if t else technique_id


def voice_feedback(sink, person: str | None = None):
    """Microphone + recogniser + the sink's record of what it played (to take out its own voice)."""
    import sys

    from voiceguide.errors import UsageProblem
    from voiceguide.feedback import room
    from voiceguide.feedback.listen import (
        Listener,
        RecogniserProcess,
        Reference,
        VoiceFeedback,
        open_microphone,
    )
    from voiceguide.feedback.sources import KeyFeedback

    if not sink.realtime:
        raise UsageProblem(
            "Spoken answers need a session played aloud.", hint="Use --output device with --feedback voice."
        )
    recogniser = RecogniserProcess(person=person)  # with the person's learnt voice, if any
    history = getattr(sink, "history", None)
    reference = Reference(history.between, history.rate) if history is not None else None
    # no record of what was played (the simpleaudio fallback): do not listen while it sounds
    busy = None if reference is not None else (lambda: sink.played() < sink.tape_end)
    mic = open_microphone()
    # the echo path the last session learnt: the player's voice is taken out from the first words
    earlier = room.load() if reference is not None else None
    playing = history.sounding_lately if history is not None else None
    listener = Listener(mic, recogniser.hear, reference, busy, echo_path=earlier, playing=playing).start()
    keys = KeyFeedback(sys.stdin) if sys.stdin.isatty() else None
    return VoiceFeedback(listener, keys, keep_path=room.save)


def make_feedback(kind: str, sink=None, person: str | None = None):
    import sys

    from voiceguide.feedback.sources import KeyFeedback, LineFeedback, NoFeedback

    if kind == "none":
        return NoFeedback()
    if kind == "voice":
        return voice_feedback(sink, person)
    if sys.stdin.isatty():
        return KeyFeedback(sys.stdin)
    return LineFeedback(sys.stdin)
