"""Things people expect from a guided-session app: named sessions to start from without options
(`voiceguide sessions`, `voiceguide play quick-relief`), a pain rating on a day without a session
(`voiceguide pain 6`), and the one-page card (`render --card`, written by voiceguide.export).

Named sessions are plan options under a name, made by the same planner as every other session;
the stage comes from the profile unless the name says otherwise, and options typed after the
name still win.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import click

from voiceguide.cli_options import echo_err, person_option


@dataclass(frozen=True)
class NamedSession:
    name: str
    mode: str
    minutes: float
    about: str
    stage: str | None = None  # None: the profile's stage

    def describe(self) -> str:
        stage = self.stage or "your stage"
        return f"{self.mode}, {stage}, {self.minutes:g} minutes: {self.about}"


NAMED = {
    s.name: s
    for s in (
        NamedSession("quick-relief", "self", 5, "a short check by hand, slow strokes and a gentle shake"),
        NamedSession("morning-self", "self", 10, "self-massage and a stretch to start the day"),
        NamedSession("bad-day", "self", 10, "light strokes, shaking and a position of relief", "acute"),
        NamedSession("partner-short", "partner", 10, "the whole order in ten minutes, hands guided"),
        NamedSession("evening-partner", "partner", 20, "a full partner massage with a stretch"),
        NamedSession("partner-long", "partner", 30, "every part at an easy pace, more movement"),
    )
}


def named(name: str) -> NamedSession:
    from voiceguide.errors import UsageProblem

    if name not in NAMED:
        raise UsageProblem(
            f"No session named {name!r}.", hint=f"Named sessions: {', '.join(NAMED)} (voiceguide sessions)."
        )
    return NAMED[name]


def apply_named(name: str | None, options, typed: set[str]):
    """PlanOptions with the named session's mode, minutes and stage, except options typed now."""
    if not name:
        return options
    found = named(name)
    changes = {"mode": found.mode, "minutes": found.minutes, "stage": found.stage or options.stage}
    return replace(options, **{k: v for k, v in changes.items() if k not in typed})


@click.command()
def sessions() -> None:
    """Named sessions to start from without options: voiceguide play NAME."""
    width = max(len(n) for n in NAMED)
    for s in NAMED.values():
        click.echo(f"{s.name:<{width}}  {s.describe()}")
    click.echo("\nPlay one with: voiceguide play NAME (options typed after the name still win).")


@click.command()
@click.argument("rating", type=click.IntRange(0, 10), metavar="0-10")
@person_option
def pain(rating: int, person: str | None) -> None:
    """Keep a pain rating (0-10) on a day without a session; history shows it."""
    from voiceguide.app import App

    App(person, notify=echo_err).rate_pain(rating)
    click.echo(f"Kept: pain {rating} out of 10 today. See it with: voiceguide history")


COMMANDS = (sessions, pain)
