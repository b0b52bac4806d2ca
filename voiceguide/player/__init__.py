"""Playing a session: blocks on time (playback), every answer through one conversation
(conversation), asking and confirming (dialogue), session time (clock), the terminal line
(status) and how fast answers are acted on (latency)."""

from voiceguide.player.dialogue import FLOW_CHECK, REASK, STOP_CHECK, TOO_LOUD, TOO_QUIET, symptom_checks
from voiceguide.player.playback import RECAP, SESSION_SAVED, Outcome, Player

__all__ = ["REASK", "RECAP", "SESSION_SAVED", "STOP_CHECK", "Outcome", "Player", "spoken_texts"]


def spoken_texts(mode: str) -> list[str]:
    """Every sentence the player may say besides the plan: rendered before a session starts,
    so that no reply waits on the speech engine."""
    from voiceguide.adapt import READ_BACK
    from voiceguide.feedback.intents import NUMBER_WORDS
    from voiceguide.player.playback import PAUSED, RESUMED
    from voiceguide.replan import spoken_replies

    texts = [*REASK.values(), *FLOW_CHECK.values(), SESSION_SAVED, STOP_CHECK, *symptom_checks()]
    texts += [PAUSED, RESUMED, TOO_LOUD, TOO_QUIET]
    texts += spoken_replies(mode)
    texts += [READ_BACK.format(what=w) for w in (*NUMBER_WORDS, "more")]
    return list(dict.fromkeys(texts))
