"""`voiceguide schedule`: an iCalendar file that a calendar app can import, read back by the library."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from icalendar import Calendar

SCREEN = "no\n" * 19


def read_calendar(data: bytes):
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def test_a_weekly_event_on_the_planned_days(cli, tmp_path):
    assert (
        cli(
            "routine", "save", "evening", "--mode", "partner", "--stage", "subacute", "--minutes", "20"
        ).exit_code
        == 0
    )
    out = tmp_path / "sessions.ics"
    result = cli("schedule", "--days", "mon,wed,fri", "--at", "19:00", "--routine", "evening", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "every Mon, Wed, Fri at 19:00" in result.stdout
    cal, event = read_calendar(out.read_bytes())
    assert str(cal["version"]) == "2.0" and "voiceguide" in str(cal["prodid"])
    rule = event["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO", "WE", "FR"]
    start = event.decoded("dtstart")
    assert start.tzinfo is None  # floating: 19:00 wherever the phone is
    assert (start.hour, start.minute) == (19, 0) and start.weekday() in (0, 2, 4)
    assert datetime.now() < start < datetime.now() + timedelta(days=7)
    assert event.decoded("duration") == timedelta(minutes=20)
    assert "evening" in str(event["summary"])
    assert "voiceguide play --routine evening" in str(event["description"])
    alarm = next(iter(event.walk("VALARM")))
    assert alarm.decoded("trigger") == timedelta(minutes=-10)
    # the repetition a calendar app computes from it: the next two weeks, Mon/Wed/Fri at 19:00
    occurrences = list(rrulestr(event["rrule"].to_ical().decode(), dtstart=start))[:6]
    assert [d.weekday() for d in occurrences] == [d.weekday() for d in occurrences[:3]] * 2
    assert {d.weekday() for d in occurrences} == {0, 2, 4} and {d.hour for d in occurrences} == {19}
    assert occurrences[3] - occurrences[0] == timedelta(days=7)
    assert event["uid"]  # stable for this person and routine: importing again updates it
    again = tmp_path / "again.ics"
    cli("schedule", "--days", "tue", "--at", "07:30", "--routine", "evening", "-o", str(again))
    assert read_calendar(again.read_bytes())[1]["uid"] == event["uid"]


def test_without_a_file_the_calendar_goes_to_stdout(cli):
    result = cli("schedule", "--days", "weekdays", "--at", "7:05")
    assert result.exit_code == 0
    _, event = read_calendar(result.stdout.encode())
    assert event["rrule"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    assert "voiceguide play" in str(event["description"]) and "Planned every" in result.stderr


def test_bad_days_or_time_are_usage_errors(cli):
    result = cli("schedule", "--days", "mon,funday", "--at", "19:00")
    assert result.exit_code == 2 and "'funday' is not a day" in result.stderr and "mon, tue" in result.stderr
    result = cli("schedule", "--days", "mon", "--at", "7pm")
    assert result.exit_code == 2 and "HH:MM" in result.stderr
    assert cli("schedule", "--days", "mon", "--at", "25:00").exit_code == 2
    assert cli("schedule", "--days", "mon", "--at", "19:00", "--routine", "nope").exit_code == 2


def test_the_planned_days_feed_the_streak_in_history(cli, tmp_path):
    assert cli("screen", input=SCREEN).exit_code == 0
    assert (
        cli("play", "--stage", "acute", "--minutes", "3", "--output", "null", "--feedback", "none").exit_code
        == 0
    )
    assert "day in a row with a session" in cli("history").stdout
    assert (
        cli("schedule", "--days", "daily", "--at", "19:00", "-o", str(tmp_path / "daily.ics")).exit_code == 0
    )
    assert (
        "Current streak: 1 planned day kept in a row (mon, tue, wed, thu, fri, sat, sun)"
        in cli("history").stdout
    )


def test_a_pipe_as_the_output_is_written_to_not_replaced(cli, tmp_path):
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = cli("schedule", "--days", "mon", "--at", "19:00", "-o", str(fifo))
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert got and got[0].startswith(b"BEGIN:VCALENDAR")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
