"""The history chart puts each session on its local day, whatever the time zones involved."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from voiceguide.history import SessionRecord


@pytest.fixture
def auckland(monkeypatch):
    """Local time 13 hours ahead of UTC in December: 00:30 local is the day before in UTC."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def record(i: int, started_utc: str) -> SessionRecord:
    return SessionRecord(i, started_utc, "self", "acute", 15, 900, "finished", None, 0, 5, 3, 3)


def day_under(ax, x: float) -> str:
    """The label of the last day tick at or before x: the day a reader sees the point on."""
    ticks = [(t, label.get_text()) for t, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)]
    return max((t, text) for t, text in ticks if t <= x)[1]


def test_a_session_after_local_midnight_sits_on_its_local_day(auckland):
    import matplotlib
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from voiceguide.plot import history_figure

    records = [
        record(1, "2026-11-30T11:30:00+00:00"),  # Tue 1 Dec, 00:30 in Auckland
        record(2, "2026-12-03T10:30:00+00:00"),  # Thu 3 Dec, 23:30 in Auckland
    ]
    assert [r.day.isoformat() for r in records] == ["2026-12-01", "2026-12-03"]
    # a person's matplotlib setting for its own time zone must not move the ticks
    with matplotlib.rc_context({"timezone": "America/New_York"}):
        fig = history_figure(records)
        try:
            fig.canvas.draw()
            pain_ax, week_ax = fig.axes[:2]
            xs = [line.get_xdata()[0] for line in pain_ax.get_lines()[:2]]  # one stroke per session
            xs = [mdates.date2num(x) if isinstance(x, datetime) else float(x) for x in xs]
            assert [day_under(pain_ax, x) for x in xs] == ["Tue 01 Dec", "Thu 03 Dec"]
            # the week's bar starts on the local Monday, labelled as such
            week_labels = [label.get_text() for label in week_ax.get_xticklabels()]
            assert week_labels == ["30 Nov"]
            monday = mdates.num2date(week_ax.get_xticks()[0], tz=UTC)
            assert (monday.hour, monday.minute) == (0, 0)
        finally:
            plt.close(fig)
