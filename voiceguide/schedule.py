"""Reminders: planned days and time, saved per person, and written as a standard iCalendar file.

The event repeats weekly on the planned days at local ("floating") time, so a phone calendar
shows it at 19:00 wherever the phone is. The planned days also feed the streak in `history`.
"""

from __future__ import annotations

import tomllib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import field_validator

from voiceguide import paths
from voiceguide.errors import InvalidInput
from voiceguide.history import DAY_NAMES
from voiceguide.validation import Minutes, Strict, check

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALIASES = {
    **{d: d for d in DAY_NAMES},
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
    "friday": "fri", "saturday": "sat", "sunday": "sun", "tues": "tue", "thur": "thu", "thurs": "thu",
}  # fmt: skip
REMIND_BEFORE = timedelta(minutes=10)
MAX_SCHEDULE_BYTES = 100_000  # a schedule is under 200 bytes


@dataclass(frozen=True)
class Schedule:
    days: tuple[str, ...]  # in week order: mon..sun
    at: time
    routine: str | None = None
    minutes: float = 15


def parse_days(text: str) -> tuple[str, ...]:
    """'mon,wed,fri' (also full names, 'daily', 'weekdays') -> days in week order.

    A ValueError names what is allowed."""
    words = [w.strip().lower() for w in text.replace(" ", ",").split(",") if w.strip()]
    days: set[str] = set()
    for word in words:
        if word in ("daily", "every-day", "everyday"):
            days |= set(DAY_NAMES)
        elif word == "weekdays":
            days |= set(DAY_NAMES[:5])
        elif word in ALIASES:
            days.add(ALIASES[word])
        else:
            raise ValueError(f"{word!r} is not a day; use {', '.join(DAY_NAMES)} (or daily, weekdays)")
    if not days:
        raise ValueError(f"name at least one day: {', '.join(DAY_NAMES)}")
    return tuple(d for d in DAY_NAMES if d in days)


def parse_at(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day; use 24-hour HH:MM, e.g. 19:00") from None


def first_start(schedule: Schedule, now: datetime) -> datetime:
    """The next planned day and time from now (local, naive): today when it is still to come."""
    wanted = {DAY_NAMES.index(d) for d in schedule.days}
    day = now.date()
    for _ in range(8):
        start = datetime.combine(day, schedule.at)
        if day.weekday() in wanted and start > now:
            return start
        day += timedelta(days=1)
    raise AssertionError("a week always holds a planned day")  # pragma: no cover


def calendar_bytes(schedule: Schedule, now: datetime, stamp: datetime, person: str) -> bytes:
    """One VEVENT repeating weekly on the planned days, with a reminder 10 minutes before.

    now: local naive time (where the repetition starts); stamp: UTC (DTSTAMP).
    """
    from icalendar import Alarm, Calendar, Event, vRecur

    what = f"the routine '{schedule.routine}'" if schedule.routine else "a session"
    command = f"voiceguide play --routine {schedule.routine}" if schedule.routine else "voiceguide play"
    if person != paths.DEFAULT_PERSON:
        command += f" --person {person}"
    cal = Calendar()
    cal.add("prodid", "-//voiceguide//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    event = Event()
    # the same person and routine always give the same UID: importing again updates the event
    event.add(
        "uid", f"{uuid.uuid5(uuid.NAMESPACE_URL, f'voiceguide:{person}:{schedule.routine}')}@voiceguide"
    )
    event.add("dtstamp", stamp)
    start = first_start(schedule, now)
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=schedule.minutes))
    event.add("rrule", vRecur(freq="WEEKLY", byday=[ICAL_DAYS[DAY_NAMES.index(d)] for d in schedule.days]))
    title = f"Sciatica session: {schedule.routine}" if schedule.routine else "Sciatica massage session"
    event.add("summary", title)
    event.add(
        "description",
        f"Time for {what} ({schedule.minutes:g} minutes). Play it with: {command}\n"
        "Stop at once if pain shoots down the leg, or tingling or numbness appears.",
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{title} in 10 minutes")
    alarm.add("trigger", -REMIND_BEFORE)
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()


# --- kept per person (for the streak) ----------------------------------------------------------


def save(schedule: Schedule, person: str | None) -> None:
    lines = [
        "# voiceguide schedule: the planned days, used for the streak in voiceguide history",
        "days = [" + ", ".join(f'"{d}"' for d in schedule.days) + "]",
        f'at = "{schedule.at:%H:%M}"',
        f"minutes = {schedule.minutes:g}",
    ]
    if schedule.routine:
        lines.append(f'routine = "{schedule.routine}"')
    paths.write_private(paths.person_dir(person) / "schedule.toml", "\n".join(lines) + "\n")


class ScheduleFile(Strict):
    """schedule.toml as `save` writes it."""

    days: tuple[str, ...]
    at: time
    routine: str | None = None
    minutes: Minutes = 15

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
            raise ValueError(f"must be a list of days: {', '.join(DAY_NAMES)}")
        return parse_days(",".join(value))

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: object) -> time:
        if not isinstance(value, str):
            raise ValueError("must be a time of day as text, 24-hour HH:MM, e.g. 19:00")
        return parse_at(value)

    @field_validator("routine")
    @classmethod
    def _routine_name(cls, name: str) -> str:
        from voiceguide.routines import NAME

        if not NAME.match(name):
            raise ValueError("must be a routine name: up to 32 lower-case letters, digits, '-' or '_'")
        return name


def load(person: str | None) -> Schedule | None:
    path = paths.person_dir(person, create=False) / "schedule.toml"
    if not path.exists():
        return None
    hint = "Write it again with: voiceguide schedule"
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_SCHEDULE_BYTES + 1)
        if len(raw) > MAX_SCHEDULE_BYTES:
            too_big = f"The schedule {path} is larger than {MAX_SCHEDULE_BYTES // 1000} kB."
            raise InvalidInput(too_big, hint=hint)
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(f"The schedule {path} cannot be read: {e}.", hint=hint) from e
    except RecursionError:
        raise InvalidInput(f"The schedule {path} cannot be read: nested too deeply.", hint=hint) from None
    checked, problems = check(ScheduleFile, data, "")
    if checked is None:
        raise InvalidInput(f"The schedule {path} is not valid: {problems[0]}.", hint=hint, problems=problems)
    return Schedule(days=checked.days, at=checked.at, routine=checked.routine, minutes=checked.minutes)


def today() -> date:
    return date.today()
