"""Every option's bad value is Click's usage error (exit 2) and says what is allowed.

The options are found by walking the real command tree, so a new option with a
constrained type is tried without anyone listing it here.
"""

from __future__ import annotations

import click
import pytest

from voiceguide.cli import cli as root

# Options checked by a callback rather than a type: a bad value and words the message must hold.
BY_CALLBACK = {
    "condition": ("flu", ["dvt", "anticoagulants", "pregnancy", "hip-replacement"]),
    "days": ("someday", ["mon", "sun", "daily", "weekdays"]),
    "at": ("25:99", ["HH:MM"]),
    "voice": ("zz-no-such-voice", ["espeak-ng --voices", "en-gb"]),
}


def commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def bad_values(option: click.Option) -> tuple[str, list[str]] | None:
    """A value the option must refuse, and what the refusal must mention."""
    kind = option.type
    if isinstance(kind, click.Choice):
        return "not-a-choice", list(kind.choices)
    if isinstance(kind, click.IntRange | click.FloatRange):
        low, high = kind.min, kind.max
        return str((high if high is not None else 0) + 1000), [
            f"{low:g}" if low is not None else "",
            f"{high:g}",
        ]
    if isinstance(kind, click.DateTime):
        return "not-a-date", list(kind.formats)
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return "many", ["many"]
    name = option.opts[0].lstrip("-")
    if name in BY_CALLBACK:
        value, words = BY_CALLBACK[name]
        return value, words
    return None


CASES = [
    pytest.param(path, option.opts[0], *found, id=f"{' '.join(path)} {option.opts[0]}")
    for path, command in commands(root)
    for option in command.params
    if isinstance(option, click.Option) and not option.is_flag and (found := bad_values(option))
]


def test_the_walk_finds_the_constrained_options():
    names = {case.values[1] for case in CASES}
    for option in ("--mode", "--stage", "--minutes", "--focus", "--max-pressure", "--condition", "--seed"):
        assert option in names
    for option in ("--feedback", "--answer-timeout", "--rate", "--voice", "--expect", "--include", "--since"):
        assert option in names
    assert len(CASES) >= 40


@pytest.mark.parametrize("path, option, value, allowed", CASES)
def test_a_bad_option_value_is_a_usage_error_that_lists_what_is_allowed(cli, path, option, value, allowed):
    result = cli(*path, option, value)
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.stderr and option in result.stderr, result.stderr
    for word in allowed:
        assert word in result.stderr, (word, result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "option, value, expected",
    [
        ("--minutes", "ten", ["a number of minutes", "like 15", "from 3 to 90", "'ten'"]),
        ("--minutes", "200", ["a number of minutes", "like 15", "from 3 to 90"]),
        ("--max-pressure", "hard", ["a whole number for the pressure", "from 1 to 5"]),
        ("--seed", "lucky", ["a whole number", "'lucky'"]),
        ("--rate", "fast", ["words per minute", "from 80 to 400"]),
    ],
)
def test_a_bad_number_is_refused_in_plain_words(cli, option, value, expected):
    result = cli("plan", option, value)
    assert result.exit_code == 2, result.output
    for words in expected:
        assert words in result.stderr, (words, result.stderr)
    assert "valid float range" not in result.stderr and "valid integer" not in result.stderr
    assert "Traceback" not in result.output


def test_answer_timeout_is_refused_in_plain_words(cli):
    result = cli("play", "--answer-timeout", "soon")
    assert result.exit_code == 2
    assert "a number of seconds from 2 to 60, like 8" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args, allowed",
    [
        (("play", "--output", "speakers.mp3"), ["device", "null", ".wav"]),
        (("render", "-o", "session.ogg"), [".wav", ".mp3"]),
        (("render", "-o", "s.wav", "--captions", "s.txt"), [".vtt", ".srt"]),
        (("render", "-o", "s.wav", "--script", "s.pdf"), [".html", ".md"]),
        (("play", "--person", "../../etc"), ["letters, digits"]),
        (("history", "--plot", "chart.svg"), [".png", ".jpg", ".jpeg"]),
        (("routine", "save", "no/slashes"), ["letters, digits"]),
    ],
)
def test_values_checked_by_the_command_are_usage_errors_too(cli, args, allowed):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    for word in allowed:
        assert word in result.stderr, (word, result.stderr)
    assert "Traceback" not in result.output
