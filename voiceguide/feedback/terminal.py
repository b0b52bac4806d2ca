"""Single-key answers on a terminal, for people whose hands are busy."""

from __future__ import annotations

import click

from voiceguide.safety import AREA_QUESTION, Asker, parse_areas


class KeyAsker(Asker):
    """y/n keys for the screen; the question is printed (and spoken once audio exists)."""

    def __init__(self, echo: bool = True) -> None:
        self.echo = echo

    def say(self, text: str) -> None:
        if self.echo:
            click.echo(text)

    def yes_no(self, text: str) -> bool | None:
        click.echo(f"{text} [y/n] ", nl=False)
        while True:
            key = click.getchar()
            if key in ("\x03", "\x04"):
                raise KeyboardInterrupt
            if key.lower() in ("y", "n"):
                click.echo("yes" if key.lower() == "y" else "no")
                return key.lower() == "y"

    def areas(self, text: str) -> list[str] | None:
        while True:
            answer = click.prompt(AREA_QUESTION, default="", show_default=False)
            if not answer.strip():
                return None
            areas = parse_areas(answer)
            if areas:
                return areas
            click.echo("Please name one or more of those areas, separated by commas.")
