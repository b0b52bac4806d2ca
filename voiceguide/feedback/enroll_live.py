"""The walk-through on real hardware: prompts through the speech cache and the sound output,
takes from the default microphone (voiceguide.feedback.listen).

Only glue: the logic is voiceguide.feedback.walkthrough, tested with fakes. The
factories are parameters so that tests can put fakes at the device edges.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from voiceguide.feedback.enroll import ENROLL_WORDS, save_take, stored_takes
from voiceguide.feedback.walkthrough import Outcome, Store, walk_through

FIXED_PROMPTS = [
    "Let's learn your voice. I say a word, you say it back, each word three times over. About two minutes.",
    "Let's carry on learning your voice. I say a word, you say it back, each word three times over. "
    "About two minutes.",
    "Once more, each word.",
    "Last round.",
    "I didn't hear that.",
    "I'll stop here. Run voice enroll again to carry on.",
    "Done. I know your voice now.",
    "Done, but some words need another try.",
    "Your voice is already learnt for every word.",
]


def prompts() -> list[str]:
    """Every sentence the walk-through may say except re-ask reasons: rendered before it starts."""
    return FIXED_PROMPTS + list(ENROLL_WORDS)


def trim_end(clip: np.ndarray, rate: int, keep: float = 0.05) -> np.ndarray:
    """A prompt without its trailing silence (espeak-ng adds about 0.3 s): the person answers sooner."""
    x = np.asarray(clip)
    loud = np.flatnonzero(np.abs(x) > 0.02 * float(np.max(np.abs(x), initial=0.0)))
    if len(loud) == 0:
        return x
    return x[: min(len(x), int(loud[-1]) + 1 + int(keep * rate))]


def run(
    person: str,
    show: Callable[[str], None] | None = None,
    open_cache: Callable[[], object] | None = None,
    make_sink: Callable[[str], object] | None = None,
    open_microphone: Callable[[], object] | None = None,
    recogniser: object | None = None,
) -> Outcome:
    """The spoken walk-through for one person; good takes are saved as they come (resumable)."""
    from voiceguide.audio.pcm import SAMPLE_RATE
    from voiceguide.feedback import listen

    if open_cache is None:
        from voiceguide.audio.speech import open_cache
    if make_sink is None:
        from voiceguide.audio.sinks import make_sink
    if open_microphone is None:
        open_microphone = listen.open_microphone

    cache = open_cache()
    cache.ensure(prompts())
    sink = make_sink("device")
    mic = None
    started = None  # a recogniser process started here
    try:
        if recogniser is None:
            # in its own process, as in a session: pocketsphinx holds the GIL while it decodes,
            # and the sound output, its callback starved, underran and lost the next prompt
            recogniser = started = listen.RecogniserProcess(general=True)
        mic = open_microphone()
        history = getattr(sink, "history", None)
        reference = listen.Reference(history.between, history.rate) if history is not None else None
        # one listener for the whole walk-through, as in a session: it learns where the prompts'
        # echo sits (or that the microphone does not hear them) and keeps it from take to take
        listener = listen.Listener(mic, recognise=lambda *_: None, reference=reference)

        def keep_up(wait: float) -> None:
            """The microphone's frames so far go through the listener, so that it learns the
            prompts' echo (or that the microphone does not hear them); none of them is a take.
            Done while each prompt plays, not after it: that backlog took up to 1.5 s to process
            under load, and an answer that came meanwhile was lost with it."""
            item = mic.read(wait)
            while item is not None:
                listener.process(*item)
                item = mic.read(0)

        def say(text: str) -> None:
            clip = trim_end(cache.clip(text), SAMPLE_RATE)
            end = sink.append(clip) + len(clip)
            deadline = time.monotonic() + len(clip) / SAMPLE_RATE + 3.0
            while sink.played() < end and time.monotonic() < deadline:
                keep_up(0.02)

        def capture(timeout: float) -> np.ndarray | None:
            keep_up(0.0)
            utterance = listen.next_utterance(listener, timeout)
            return None if utterance is None else utterance.samples

        def heard(samples: np.ndarray, rate: int) -> str | None:
            answer = recogniser.hear(samples, rate, "any")
            words = answer.text.split()
            return words[-1] if answer.intent != "unknown" and words else None

        store = Store(
            load=lambda: [(w, s, r) for w, s, r, _ in stored_takes(person)],
            save=lambda word, samples, rate: save_take(person, word, samples, rate),
        )
        return walk_through(say, capture, listen.RATE, store, heard=heard, show=show)
    finally:
        if mic is not None:
            mic.close()
        sink.close()
        if started is not None:
            started.close()
