"""The spoken enrollment walk-through: say a word, hear it back, check it, keep it.

Hands-free: every instruction is spoken; the screen is optional. The words are
asked in rounds (each word once, then each again), not three times in a row:
takes spread over a few minutes vary the way real answers do, and on FSDD that
raised the hardest speaker's enrolled accuracy (scripts/bench_recognition.py
--enrollment). Every good take is saved at once, so an interrupted walk-through
resumes where it stopped.

The logic only sees two callables, so tests drive it with fakes:
`say(text)` speaks (returns when done) and `capture(timeout)` returns the next
utterance as float samples at `rate`, or None when nothing was said in time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voiceguide.feedback.enroll import ENROLL_WORDS, TAKES_PER_WORD, WRONG_WORD_RATIO, VoiceModel, check_take

ANSWER_SECONDS = 5.0
RETRIES = 2  # a take that fails its checks is asked again this many times
SILENT_TURNS = 2  # this many unanswered prompts in a row pause the walk-through


@dataclass
class Outcome:
    finished: bool  # every word has its takes
    paused: bool  # stopped early (no answers or interrupted); run again to resume
    saved: dict[str, int] = field(default_factory=dict)  # takes kept this run, per word
    refused: list[tuple[str, str]] = field(default_factory=list)  # (word, why) for each refused take


@dataclass
class Store:
    """Where takes go: the real one writes the person's voice folder; tests pass a dict-backed one."""

    load: Callable[[], list[tuple[str, np.ndarray, int]]]
    save: Callable[[str, np.ndarray, int], None]


def problems_with(
    word: str, samples: np.ndarray, rate: int, model: VoiceModel | None, heard: str | None, last_try: bool
) -> list[str]:
    """Why a take should be asked again (empty: keep it). Pure.

    `heard`: what the speaker-independent decoder was sure of, if anything. It only
    counts against a take that has no own-word takes to compare with, and never on
    the last try: the decoder mishearing this person is why they enroll.
    """
    problems = check_take(samples, rate)
    if problems or model is None or not model.labels:
        return problems
    found = model.match(samples, rate)
    labels = model.labels
    own = [d for d, w in zip(found["all"], labels, strict=True) if w == word and np.isfinite(d)]
    other = [(d, w) for d, w in zip(found["all"], labels, strict=True) if w != word]
    if own and other:
        nearest, near_word = min(other)
        if nearest < WRONG_WORD_RATIO * min(own):
            return [f"that sounded like {near_word}"]
    elif not own and heard and heard != word and not last_try:
        return [f"that sounded like {heard}"]
    return []


def walk_through(
    say: Callable[[str], None],
    capture: Callable[[float], np.ndarray | None],
    rate: int,
    store: Store,
    words: list[str] | None = None,
    heard: Callable[[np.ndarray, int], str | None] | None = None,
    show: Callable[[str], None] | None = None,
    takes: int = TAKES_PER_WORD,
) -> Outcome:
    """Ask each word until it has `takes` good takes; resumable; KeyboardInterrupt pauses it cleanly."""
    words = list(words or ENROLL_WORDS)
    show = show or (lambda _text: None)
    stored = store.load()
    counts = {w: sum(1 for s in stored if s[0] == w) for w in words}
    model = VoiceModel.build([(w, s, r) for w, s, r in stored]) if stored else None
    outcome = Outcome(finished=False, paused=False)
    left = sum(max(0, takes - counts[w]) for w in words)
    if left == 0:
        say("Your voice is already learnt for every word.")
        outcome.finished = True
        return outcome
    resuming = bool(stored)
    say(
        ("Let's carry on learning your voice. " if resuming else "Let's learn your voice. ")
        + "I say a word, you say it back, each word three times over. About two minutes."
    )
    silent = 0
    try:
        for round_ in range(1, takes + 1):
            due = [w for w in words if counts[w] < round_]
            if not due:
                continue
            if round_ > 1:
                say("Once more, each word." if round_ < takes else "Last round.")
            for word in due:
                for attempt in range(RETRIES + 1):
                    show(f"[{round_}/{takes}] say: {word}")
                    say(word)  # the word alone: the shortest prompt keeps 75 takes under three minutes
                    samples = capture(ANSWER_SECONDS)
                    if samples is None or len(samples) == 0:
                        silent += 1
                        if silent >= SILENT_TURNS:
                            say("I'll stop here. Run voice enroll again to carry on.")
                            outcome.paused = True
                            return outcome
                        say("I didn't hear that.")
                        continue
                    silent = 0
                    samples = np.asarray(samples, dtype=np.float32)
                    last = attempt == RETRIES
                    # the decoder is only asked about a word's first take (later ones are compared with it)
                    first = counts[word] == 0 and model is not None
                    guess = heard(samples, rate) if heard is not None and first else None
                    bad = problems_with(word, samples, rate, model, guess, last)
                    if bad:
                        outcome.refused.append((word, bad[0]))
                        show(f"  not kept: {bad[0]}")
                        if not last:
                            say(_short(bad[0]) + " Again.")
                        continue
                    store.save(word, samples, rate)
                    counts[word] += 1
                    outcome.saved[word] = outcome.saved.get(word, 0) + 1
                    model = _add(model, word, samples, rate)
                    break
    except KeyboardInterrupt:
        outcome.paused = True
        return outcome
    outcome.finished = all(counts[w] >= takes for w in words)
    say("Done. I know your voice now." if outcome.finished else "Done, but some words need another try.")
    return outcome


def _short(problem: str) -> str:
    """The spoken form of a problem: its first clause."""
    return problem.split(":")[0].split("(")[0].strip().capitalize() + "."


def _add(model: VoiceModel | None, word: str, samples: np.ndarray, rate: int) -> VoiceModel:
    from voiceguide.feedback.templates import features

    if model is None:
        return VoiceModel([word], [features(samples, rate)])
    return VoiceModel(
        model.labels + [word], model.feats + [features(samples, rate)], model.reference, model.peak_reference
    )
