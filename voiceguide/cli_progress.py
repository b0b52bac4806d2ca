"""Commands about progress across sessions: history, routine, schedule, forget.

A thin Click layer like cli.py (which adds these commands to its group): parse, call the
application layer (voiceguide.app), print.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from voiceguide.cli_options import echo_err, person_option, plan_options

# --- history -----------------------------------------------------------------------------


@click.command()
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
    "--plot",
    "plot_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw a chart: .png, .jpg or .jpeg.",
)
@person_option
def history(
    as_json: bool, since: datetime | None, csv_out: Path | None, plot_out: Path | None, person
) -> None:
    """Past sessions: one row each, whether pain eases, how regular, and advice.

    Pain before and after are the first and last ratings of each session (0-10).
    """
    from voiceguide import history as hist
    from voiceguide.app import App, check_plot_path, write_text

    if plot_out:
        check_plot_path(plot_out)
    app = App(person, notify=echo_err)
    everything = app.history()
    records = hist.since(everything, since.date() if since else None)
    if csv_out:
        write_text(csv_out, hist.to_csv(records))
        click.echo(f"Wrote {csv_out} ({len(records)} sessions).", err=True)
    if plot_out:
        app.plot_history(records, plot_out)
        click.echo(f"Wrote {plot_out}.", err=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in records], indent=2, ensure_ascii=False))
        return
    ratings = app.pain_ratings()  # voiceguide pain N, on days without a session
    if not records:
        click.echo("No sessions yet. Start one with: voiceguide play")
        if ratings:
            click.echo(hist.ratings_line(ratings))
        return
    click.echo(hist.table(records))
    click.echo("")
    if ratings:
        click.echo(hist.ratings_line(ratings))
    today = date.today()
    plan = app.schedule()
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


@click.group()
def routine() -> None:
    """Saved routines: plan options under a name, and a therapist's prescription in one file."""


@routine.command("save")
@click.argument("name")
@plan_options
@person_option
def routine_save(name: str, person: str | None, **options) -> None:
    """Save these plan options as a routine; play it with: voiceguide play --routine NAME."""
    from voiceguide import routines
    from voiceguide.app import App, PlanOptions

    routines.check_name(name)  # a bad name is the first thing said
    saved = App(person, notify=echo_err).save_routine(name, PlanOptions(**options))
    click.echo(f"Saved routine {saved.name}: {saved.describe()}.")
    click.echo(f"Play it with: voiceguide play --routine {saved.name}")


@routine.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@person_option
def routine_list(as_json: bool, person: str | None) -> None:
    """The saved routines."""
    from voiceguide.app import App

    found = App(person, notify=echo_err).routines()
    if as_json:
        click.echo(json.dumps([r.to_table() for r in found], indent=2))
        return
    for r in found:
        click.echo(f"{r.name:<16} {r.describe()}")
    if not found:
        click.echo("No routines yet. Save one with: voiceguide routine save NAME [PLAN OPTIONS]")


@routine.command("delete")
@click.argument("name")
@person_option
def routine_delete(name: str, person: str | None) -> None:
    """Delete a saved routine."""
    from voiceguide.app import App

    found = App(person, notify=echo_err).delete_routine(name)
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
@person_option
def routine_export(name: str, output: Path, person: str | None) -> None:
    """Write a routine and your own technique files it can use into one TOML file to share."""
    from voiceguide.app import App

    found, tables = App(person, notify=echo_err).export_routine(name, output)
    ids = ", ".join(t["id"] for t in tables) or "none"
    click.echo(f"Wrote {output}: routine {found.name} and {len(tables)} technique file(s) ({ids}).")


@routine.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@person_option
def routine_import(file: Path, person: str | None) -> None:
    """Check a prescription file like technique files, then add its routine and techniques.

    Nothing is written unless the whole file is valid; every problem is listed.
    """
    from voiceguide.app import App

    done = App(person, notify=echo_err).import_routine(file)
    for tid, path, replaced in done.techniques:
        click.echo(f"{'replaced' if replaced else 'added   '} technique {tid}  ({path})")
    found = done.routine
    click.echo(f"{'Replaced' if done.replaced else 'Added'} routine {found.name}: {found.describe()}.")
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


@click.command()
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
@person_option
def schedule(days, at, routine_name: str | None, output: Path | None, person: str | None) -> None:
    """Plan your sessions: a repeating calendar event (iCalendar) for any phone calendar.

    The planned days are also kept, so that `history` can count the streak of planned days kept.
    """
    from voiceguide import schedule as sched
    from voiceguide.app import App, write_text

    app = App(person, notify=echo_err)
    minutes = 15.0
    if routine_name:
        found = app.routine(routine_name)
        routine_name, minutes = found.name, found.minutes
    plan = sched.Schedule(days=days, at=at, routine=routine_name, minutes=minutes)
    data = sched.calendar_bytes(plan, datetime.now(), datetime.now(UTC), app.person)
    app.save_schedule(plan)
    when = f"every {', '.join(d.capitalize() for d in days)} at {at:%H:%M}"
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        click.echo(f"Planned {when}.", err=True)
        return
    write_text(output, data.decode("utf-8"))
    click.echo(f"Wrote {output}: {when}. Open it on your phone or import it into your calendar.")


# --- privacy -----------------------------------------------------------------------------


@click.command()
@person_option
@click.option("--yes", is_flag=True, help="Really delete: without it, only say what would be deleted.")
def forget(person: str | None, yes: bool) -> None:
    """Delete one person's data for good: profile, journal (history), routines, schedule, voice.

    Shared things stay: the speech cache and technique files. Export first if you want a copy:
    voiceguide history --json > my-history.json
    """
    from voiceguide import privacy
    from voiceguide.app import App
    from voiceguide.errors import UsageProblem

    app = App(person, notify=echo_err)
    found = app.stored_files()
    if not found:
        click.echo(f"Nothing is stored for {app.person}.")
        return
    who = "the default person" if app.is_default_person else app.person
    if not yes:
        for path in found:
            click.echo(f"  {privacy.describe(path)}", err=True)
        again = "" if app.is_default_person else f" --person {app.person}"
        raise UsageProblem(
            f"Nothing deleted. These {len(found)} item(s) hold the data of {who} (listed above).",
            hint=f"To delete them for good: voiceguide forget{again} --yes",
        )
    deleted = app.forget()
    click.echo(f"Deleted {len(deleted)} item(s): the data of {who} is gone for good.")


#: Added to the `voiceguide` group by cli.py.
COMMANDS = (history, routine, schedule, forget)
