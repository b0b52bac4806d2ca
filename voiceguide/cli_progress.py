"""Commands about progress across sessions: history, routine, schedule, forget.

A thin Click layer like cli.py (which imports this module to register the commands): parse,
call voiceguide.history / routines / schedule / privacy, print. Also the two helpers that
`plan`, `render` and `play` use: a saved routine's options, and what past sessions taught.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import click

from voiceguide import cli as base

# --- used by plan, render and play ----------------------------------------------------------


def with_routine(options: dict) -> dict:
    """Plan options from --routine NAME; options typed on the command line still win
    (--condition adds to the routine's conditions: they are about safety)."""
    from click.core import ParameterSource

    from voiceguide import routines

    options = dict(options)
    name = options.pop("routine", None)
    if not name:
        return options
    routine = routines.load(name, options.get("person"))
    ctx = click.get_current_context()
    merged = routine.options()
    for key, value in options.items():
        if key in merged and ctx.get_parameter_source(key) != ParameterSource.COMMANDLINE:
            continue
        if key == "conditions":
            value = tuple(dict.fromkeys(list(merged["conditions"]) + list(value)))
        merged[key] = value
    click.echo(f"Routine {routine.name}: {routine.describe()}.", err=True)
    return merged


def past_sessions(person: str | None, repair: bool = False) -> list:
    """The person's sessions from their journal; none when they have no journal yet (nothing is created).

    Planning only peeks: a damaged journal is left for `play` to set aside and say so. With
    repair (the history command), it is set aside here, with the same notice.
    """
    import sqlite3

    from voiceguide import history, paths
    from voiceguide.journal import Journal, sound

    path = paths.person_dir(person, create=False) / "journal.sqlite3"
    if not path.exists():
        return []
    if not repair:
        try:
            probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                if not sound(probe, path):
                    return []
                probe.execute("SELECT count(*) FROM sessions").fetchone()
            finally:
                probe.close()
        except sqlite3.DatabaseError:
            return []
    import os

    # a read-only data folder (a read-only disk): history is still shown, nothing is written
    journal = Journal(path) if os.access(path.parent, os.W_OK) else Journal.read_only(path)
    try:
        if journal.recovered_from:
            click.echo(
                f"voiceguide: the journal was damaged; it was kept as {journal.recovered_from} "
                "and a fresh one started.",
                err=True,
            )
        return history.read(journal)
    finally:
        journal.close()


def learnt_from_history(request, person: str | None, include: tuple[str, ...] = (), announce: bool = True):
    """The planner request with what past sessions taught: start pressures, areas to leave out,
    and trend advice to speak. With no past sessions the request is unchanged."""
    from voiceguide import domain, history

    records = past_sessions(person)
    for area in include:
        learnt_avoid = history.learn(records).avoid if records else {}
        if area not in learnt_avoid:
            click.echo(f"Note: --include {area}: the {domain.AREA_WORDS[area]} was not left out.", err=True)
    if not records:
        return request
    learnt = history.learn(records).without(include)
    advice = history.advise(records, date.today(), request.stage)
    if announce:
        for a in advice:
            click.echo(f"Advice: {a.printed}", err=True)
        for area, why in learnt.avoid.items():
            click.echo(
                f"Left out today: the {domain.AREA_WORDS[area]}, because the last session stopped there "
                f"({why}). To bring it back: --include {area}",
                err=True,
            )
        if learnt.pressures:
            chosen = ", ".join(f"{t} {p}" for t, p in sorted(learnt.pressures.items()))
            click.echo(
                f"Starting pressures chosen in past sessions (kept within today's limits): {chosen}.",
                err=True,
            )
    return replace(
        request,
        start_pressures=tuple(sorted(learnt.pressures.items())),
        avoid_areas=tuple(learnt.avoid.items()),
        advice=tuple(a.said for a in advice),
    )


# --- history -----------------------------------------------------------------------------


@base.cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON array, one object per session (the export)."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="Only sessions on or after this day (YYYY-MM-DD).",
)
@click.option(
    "--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write a CSV file."
)
@click.option(
    "--plot", "plot_out", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a chart (PNG)."
)
@base.person_option
def history(
    as_json: bool, since: datetime | None, csv_out: Path | None, plot_out: Path | None, person
) -> None:
    """Past sessions: one row each, whether pain eases, how regular, and advice.

    Pain before and after are the first and last ratings of each session (0-10).
    """
    from voiceguide import history as hist
    from voiceguide import paths
    from voiceguide import schedule as sched

    person = paths.resolve_person(person)
    everything = past_sessions(person, repair=True)
    records = hist.since(everything, since.date() if since else None)
    if csv_out:
        base.write_text_output(csv_out, hist.to_csv(records))
        click.echo(f"Wrote {csv_out} ({len(records)} sessions).", err=True)
    if plot_out:
        from voiceguide.plot import history_png

        history_png(records, plot_out, who="" if person == paths.DEFAULT_PERSON else person)
        click.echo(f"Wrote {plot_out}.", err=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("No sessions yet. Start one with: voiceguide play")
        return
    click.echo(hist.table(records))
    click.echo("")
    today = date.today()
    plan = sched.load(person)
    regular = hist.regularity(everything, today, plan.days if plan else ())
    if plan:
        streak = f"{plural(regular.streak, 'planned day')} kept in a row ({', '.join(plan.days)})"
    else:
        streak = (
            f"{plural(regular.streak, 'day')} in a row with a session (plan days with: voiceguide schedule)"
        )
    click.echo(f"This week: {plural(regular.this_week, 'session')}. Current streak: {streak}.")
    rated = [r for r in records if r.pain_before is not None]
    if len(rated) >= 2:
        first, last = rated[0].pain_before, rated[-1].pain_before
        change = "no change" if first == last else f"{'down' if last < first else 'up'} {abs(first - last)}"
        click.echo(
            f"Pain at the start of a session: {first} at first, {last} lately ({change}; "
            f"{hist.MCID} points is the smallest change that matters)."
        )
    for a in hist.advise(everything, today, everything[-1].stage):
        click.echo(f"Advice: {a.printed}")
    learnt = hist.learn(everything)
    if learnt.pressures:
        click.echo(
            "Next session starts at: "
            + ", ".join(f"{t} pressure {p}" for t, p in learnt.pressures.items())
            + "."
        )
    for area, why in learnt.avoid.items():
        click.echo(
            f"Next session leaves out the {area} ({why} last time); bring it back with --include {area}."
        )


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- routines ----------------------------------------------------------------------------


@base.cli.group()
def routine() -> None:
    """Saved routines: plan options under a name, and a therapist's prescription in one file."""


@routine.command("save")
@click.argument("name")
@base.plan_options
@base.person_option
def routine_save(name: str, person: str | None, **options) -> None:
    """Save these plan options as a routine; play it with: voiceguide play --routine NAME."""
    from voiceguide import routines
    from voiceguide.errors import UsageProblem

    table = {"name": routines.check_name(name), **options}
    table["focus"] = list(dict.fromkeys(options["focus"]))
    table["conditions"] = list(dict.fromkeys(options["conditions"]))
    table = {k: v for k, v in table.items() if v is not None}
    saved, problems = routines.parse_routine(table, "routine")
    if saved is None:
        raise UsageProblem(problems[0].removeprefix("routine: ") + ".")
    routines.save(saved, person)
    click.echo(f"Saved routine {saved.name}: {saved.describe()}.")
    click.echo(f"Play it with: voiceguide play --routine {saved.name}")


@routine.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@base.person_option
def routine_list(as_json: bool, person: str | None) -> None:
    """The saved routines."""
    from voiceguide import routines

    found = routines.load_all(person)
    if as_json:
        click.echo(json.dumps([r.to_table() for r in found], indent=2))
        return
    for r in found:
        click.echo(f"{r.name:<16} {r.describe()}")
    if not found:
        click.echo("No routines yet. Save one with: voiceguide routine save NAME [PLAN OPTIONS]")


@routine.command("delete")
@click.argument("name")
@base.person_option
def routine_delete(name: str, person: str | None) -> None:
    """Delete a saved routine."""
    from voiceguide import routines

    found = routines.load(name, person)
    (routines.folder(person) / f"{found.name}.toml").unlink()
    click.echo(f"Deleted routine {found.name}.")


@routine.command("export")
@click.argument("name")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write.",
)
@base.person_option
def routine_export(name: str, output: Path, person: str | None) -> None:
    """Write a routine and your own technique files it can use into one TOML file to share."""
    from voiceguide import library as lib
    from voiceguide import routines

    found = routines.load(name, person)
    loaded = lib.load()
    base.warn_problems(loaded.problems)
    tables = routines.technique_tables(found, loaded)
    base.write_text_output(output, routines.export_text(found, tables))
    ids = ", ".join(t["id"] for t in tables) or "none"
    click.echo(f"Wrote {output}: routine {found.name} and {len(tables)} technique file(s) ({ids}).")


@routine.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@base.person_option
def routine_import(file: Path, person: str | None) -> None:
    """Check a prescription file like technique files, then add its routine and techniques.

    Nothing is written unless the whole file is valid; every problem is listed.
    """
    from voiceguide import library as lib
    from voiceguide import routines

    found, tables = routines.read_export(file)
    replaced_routine = (routines.folder(person) / f"{found.name}.toml").exists()
    for tid, path, replaced in routines.install_techniques(tables, lib.load()):
        click.echo(f"{'replaced' if replaced else 'added   '} technique {tid}  ({path})")
    routines.save(found, person)
    click.echo(f"{'Replaced' if replaced_routine else 'Added'} routine {found.name}: {found.describe()}.")
    click.echo(f"Play it with: voiceguide play --routine {found.name}")


# --- reminders ---------------------------------------------------------------------------


def _days(ctx, param, value: str) -> tuple[str, ...]:
    from voiceguide.schedule import parse_days

    try:
        return parse_days(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def _at(ctx, param, value: str):
    from voiceguide.schedule import parse_at

    try:
        return parse_at(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@base.cli.command()
@click.option(
    "--days", required=True, callback=_days, help="Planned days, e.g. mon,wed,fri (or daily, weekdays)."
)
@click.option(
    "--at", "at", required=True, callback=_at, metavar="HH:MM", help="Time of day, 24-hour, e.g. 19:00."
)
@click.option(
    "--routine", "routine_name", default=None, metavar="NAME", help="The routine the reminder names."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The iCalendar file to write (.ics); default: print it.",
)
@base.person_option
def schedule(days, at, routine_name: str | None, output: Path | None, person: str | None) -> None:
    """Plan your sessions: a repeating calendar event (iCalendar) for any phone calendar.

    The planned days are also kept, so that `history` can count the streak of planned days kept.
    """
    from voiceguide import paths, routines
    from voiceguide import schedule as sched

    person = paths.resolve_person(person)
    minutes = 15.0
    if routine_name:
        found = routines.load(routine_name, person)
        routine_name, minutes = found.name, found.minutes
    plan = sched.Schedule(days=days, at=at, routine=routine_name, minutes=minutes)
    data = sched.calendar_bytes(plan, datetime.now(), datetime.now(UTC), person)
    sched.save(plan, person)
    when = f"every {', '.join(d.capitalize() for d in days)} at {at:%H:%M}"
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        click.echo(f"Planned {when}.", err=True)
        return
    base.write_text_output(output, data.decode("utf-8"))
    click.echo(f"Wrote {output}: {when}. Open it on your phone or import it into your calendar.")


# --- privacy -----------------------------------------------------------------------------


@base.cli.command()
@base.person_option
@click.option("--yes", is_flag=True, help="Really delete: without it, only say what would be deleted.")
def forget(person: str | None, yes: bool) -> None:
    """Delete one person's data for good: profile, journal (history), routines, schedule, voice.

    Shared things stay: the speech cache and technique files. Export first if you want a copy:
    voiceguide history --json > my-history.json
    """
    from voiceguide import paths, privacy
    from voiceguide.errors import UsageProblem

    person = paths.resolve_person(person)
    found = privacy.person_files(person)
    if not found:
        click.echo(f"Nothing is stored for {person}.")
        return
    if not yes:
        for path in found:
            click.echo(f"  {privacy.describe(path)}", err=True)
        who = "the default person" if person == paths.DEFAULT_PERSON else person
        again = "" if person == paths.DEFAULT_PERSON else f" --person {person}"
        raise UsageProblem(
            f"Nothing deleted. These {len(found)} item(s) hold the data of {who} (listed above).",
            hint=f"To delete them for good: voiceguide forget{again} --yes",
        )
    deleted = privacy.forget(person)
    who = "the default person" if person == paths.DEFAULT_PERSON else person
    click.echo(f"Deleted {len(deleted)} item(s): the data of {who} is gone for good.")
