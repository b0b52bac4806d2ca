"""The options that several commands share, and the small helpers both command modules print with.

cli.py and cli_progress.py import this; neither imports the other's commands (cli.py only adds
cli_progress's commands to its group), so there is no import circle.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from voiceguide import domain

AREAS = domain.AREAS
STAGES = domain.STAGES
MODES = domain.MODES
CONDITIONS = ", ".join(f"{c}[:AREA]" if c in domain.AREA_CONDITIONS else c for c in domain.CONDITIONS)


def echo_err(line: str) -> None:
    """What the application layer wants shown goes to stderr, like every note and warning."""
    click.echo(line, err=True)


# --- numbers refused in plain words ------------------------------------------------------------


class _Plain:
    """A number type whose refusal says what is expected ("a number of minutes, like 15"), not
    Click's "'ten' is not a valid float range". The range check and exit code 2 stay Click's."""

    what: str
    example: str

    def _range(self) -> str:
        low, high = getattr(self, "min", None), getattr(self, "max", None)
        if low is not None and high is not None:
            return f" from {low:g} to {high:g}"
        if low is not None:
            return f" of at least {low:g}"
        return f" of at most {high:g}" if high is not None else ""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)  # type: ignore[misc]
        except click.BadParameter:
            self.fail(f"expected {self.what}{self._range()}, like {self.example}; got {value!r}.", param, ctx)


class PlainFloat(_Plain, click.FloatRange):
    def __init__(self, what: str, example: str, min: float | None = None, max: float | None = None) -> None:
        super().__init__(min=min, max=max)
        self.what, self.example = what, example


class PlainInt(_Plain, click.IntRange):
    def __init__(self, what: str, example: str, min: int | None = None, max: int | None = None) -> None:
        super().__init__(min=min, max=max)
        self.what, self.example = what, example


class PlainWhole(_Plain, click.types.IntParamType):
    """Any whole number (no range)."""

    def __init__(self, what: str, example: str) -> None:
        self.what, self.example = what, example


MINUTES = PlainFloat("a number of minutes", "15", domain.MIN_MINUTES, domain.MAX_MINUTES)
PRESSURE = PlainInt("a whole number for the pressure", "3", domain.PRESSURE_MIN, domain.PRESSURE_MAX)
SEED = PlainWhole("a whole number", "7")
ANSWER_SECONDS = PlainFloat("a number of seconds", "8", 2, 60)
WORDS_PER_MINUTE = PlainInt("a whole number of words per minute", "165", 80, 400)


# --- shared options ------------------------------------------------------------------------------


def validate_condition(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    for value in values:
        try:
            domain.parse_condition(value)
        except ValueError as e:
            raise click.BadParameter(f"{e}. Allowed: {CONDITIONS}.") from None
    return values


def _stack(func: Callable, *decorators: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    for decorator in reversed(decorators):
        wrapper = decorator(wrapper)
    return wrapper


def plan_options(func: Callable) -> Callable:
    """--mode, --stage, --minutes, --focus, --max-pressure, --condition, --seed."""
    return _stack(
        func,
        click.option(
            "--mode",
            type=click.Choice(MODES),
            default=None,
            help="self: you massage yourself. partner: you massage someone else. "
            "Default: the mode of your safety screen, else self.",
        ),
        click.option(
            "--stage",
            type=click.Choice(STAGES),
            default=None,
            help="How long this episode has lasted. Default: from your profile, else acute.",
        ),
        click.option(
            "--minutes",
            type=MINUTES,
            default=15,
            show_default=True,
            help="Session length, 3 to 90 (acute: at most 20).",
        ),
        click.option(
            "--focus", type=click.Choice(AREAS), multiple=True, help="Give this area more time (repeatable)."
        ),
        click.option(
            "--max-pressure",
            type=PRESSURE,
            default=None,
            help="Highest pressure, 1 (feather light) to 5 (very deep); home cap is 4.",
        ),
        click.option(
            "--condition",
            "conditions",
            multiple=True,
            callback=validate_condition,
            metavar="ID",
            help=f"Adds to your profile's conditions: {CONDITIONS}.",
        ),
        click.option(
            "--seed", type=SEED, default=0, show_default=True, help="Same inputs and seed give the same plan."
        ),
    )


def person_option(func: Callable) -> Callable:
    """--person NAME: whose profile, history and routines (default: the only person here)."""
    return click.option(
        "--person",
        default=None,
        metavar="NAME",
        help="Whose profile, history and routines (several people in one home). Default: the only one.",
    )(func)


def progress_options(func: Callable) -> Callable:
    """--routine NAME and --include AREA: a saved routine, and an area the last session stopped in."""
    return _stack(
        func,
        click.option("--routine", default=None, metavar="NAME", help="Use a saved routine's plan options."),
        click.option(
            "--include",
            type=click.Choice(AREAS),
            multiple=True,
            help="Bring back an area left out because the last session stopped there (repeatable).",
        ),
    )


plan_file_option = click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A plan JSON file (from voiceguide plan -o); otherwise use the plan options.",
)


def validate_voice(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An espeak-ng voice that does not exist is a usage error, found before any work is done."""
    import subprocess

    from voiceguide import settings
    from voiceguide.audio.speech import EspeakEngine
    from voiceguide.errors import NoSpeechEngine

    if value is None or settings.tts() == "pyttsx3":
        return value
    from voiceguide.audio import piper

    if value in piper.NATURAL_NAMES:
        return value
    if value.lower().endswith(".onnx"):  # another Piper voice: checked now (InvalidInput, exit 3)
        piper.read_voice(Path(value).expanduser().resolve())
        return value
    try:
        binary = EspeakEngine().binary
    except NoSpeechEngine:
        return value  # no espeak-ng: the engine that is used reports its own voices
    try:
        done = subprocess.run([binary, "-q", "-v", value, ""], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return value
    if done.returncode != 0:
        languages = "en-gb, en-us, en-gb-scotland, en-029, en-gb-x-rp, en+f3 (a variant)"
        raise click.BadParameter(
            f"{value!r} is not an espeak-ng voice. Allowed: the names listed by "
            f"'espeak-ng --voices', e.g. {languages}."
        )
    return value


def speech_options(func: Callable) -> Callable:
    """--voice and --rate."""
    return _stack(
        func,
        click.option(
            "--voice",
            default=None,
            callback=validate_voice,
            help="Speech voice: natural (the default when installed), an espeak-ng voice "
            "(en-gb, en-us; all: espeak-ng --voices) or a Piper voice file PATH.onnx. See: voiceguide voices",
        ),
        click.option(
            "--rate",
            type=WORDS_PER_MINUTE,
            default=None,
            help="Speaking rate in words per minute (default 165).",
        ),
    )


def typed_options(names: set[str] | None = None) -> set[str]:
    """The parameters of the running command that were typed on the command line (they win over a
    routine's options)."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return {
        name
        for name in (names if names is not None else ctx.params)
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
    }
