"""Every failure the user can meet, each with its exit code and a next step.

The CLI turns these into one or two plain sentences on stderr; nothing else
in the package decides exit codes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INVALID_INPUT = 3
    NO_AUDIO_OUTPUT = 4
    NO_SPEECH_ENGINE = 5
    NO_RECOGNISER = 6
    SAFETY_STOP = 7
    INTERRUPTED = 130


class VoiceguideError(Exception):
    exit_code = ExitCode.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class UsageProblem(VoiceguideError):
    """Options that are each valid but do not make sense together."""

    exit_code = ExitCode.USAGE


class InvalidInput(VoiceguideError):
    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, message: str, hint: str = "", problems: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or []


class NoAudioOutput(VoiceguideError):
    exit_code = ExitCode.NO_AUDIO_OUTPUT


class NoSpeechEngine(VoiceguideError):
    exit_code = ExitCode.NO_SPEECH_ENGINE


class NoRecogniser(VoiceguideError):
    exit_code = ExitCode.NO_RECOGNISER


class SafetyStop(VoiceguideError):
    """The session must not go ahead, or must end, for the person's safety."""

    exit_code = ExitCode.SAFETY_STOP


class Interrupted(VoiceguideError):
    exit_code = ExitCode.INTERRUPTED


def shown(value: object, limit: int = 60) -> str:
    """A value from a user's file, quoted in a message: short, whatever the file held."""
    try:
        text = repr(value)
    except RecursionError:
        return "(nested too deeply)"
    return text if len(text) <= limit else text[: limit - 3] + "..."
