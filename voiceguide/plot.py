"""The history as a picture: pain before and after each session, and minutes per week.

matplotlib is imported here, inside the function, with the Agg backend (no display needed),
so that the rest of the program never pays for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from voiceguide.errors import InvalidInput
from voiceguide.history import SessionRecord, minutes_per_week

BEFORE = "#7a8fa6"  # muted blue-grey: how it was
AFTER = "#1b7f5f"  # green: how it ended up
WORSE = "#d9822b"
STOP = "#c62828"
BARS = "#5b8cc0"
RATING = "#6a1b9a"  # purple: a rating between sessions
STOP_ROW = 11.2  # height of the row of stop marks, above the 0-10 scale
MAX_STOP_LABELS = 12  # beyond this the reasons would overlap: the marks stay, the table has the reasons


def history_png(records: list[SessionRecord], out: Path, who: str = "", ratings: list = ()) -> None:
    """Write the chart; raises InvalidInput when there is nothing to plot or the file cannot be written."""
    fig = history_figure(records, who, ratings)
    import matplotlib.pyplot as plt

    try:
        fig.savefig(out, format="png")
    except OSError as e:
        raise InvalidInput(f"Cannot write {out}: {e.strerror or e}.") from e
    finally:
        plt.close(fig)


def history_figure(records: list[SessionRecord], who: str = "", ratings: list = ()):
    """The chart as a matplotlib Figure (the caller closes it).

    Sessions are stored in UTC and drawn at their local wall-clock time, as naive datetimes.
    matplotlib reads a naive datetime as UTC, so every locator and formatter is told tz=UTC:
    then a tick labelled "Tue 01 Dec" sits at local midnight of that day, whatever the
    person's matplotlib `timezone` setting, and a session at 00:30 falls on its local day
    (also across a daylight-saving change, which a fixed local offset would get wrong).
    """
    if not records:
        raise InvalidInput("There are no sessions to plot yet.", hint="Play a session first: voiceguide play")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    when = [r.local_start.replace(tzinfo=None) for r in records]  # local wall-clock time
    fig, (pain_ax, week_ax) = plt.subplots(
        2, 1, figsize=(10, 7.5), dpi=100, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.45}
    )
    title = "Pain before and after each session" + (f" ({who})" if who else "")
    fig.suptitle(title, fontsize=15, fontweight="bold", x=0.06, ha="left")
    fig.text(0.06, 0.915, summary_line(records), fontsize=10.5, color="#444444", ha="left")

    # top: one vertical stroke per session from the pain before to the pain after
    pain_ax.axhspan(0, 2, color="#e8f5e9", zorder=0)
    pain_ax.text(
        0.995,
        1.0,
        "low pain",
        transform=pain_ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=9,
        color="#2e7d32",
    )
    for t, r in zip(when, records, strict=True):
        if r.pain_before is not None and r.pain_after is not None:
            colour = AFTER if r.pain_after <= r.pain_before else WORSE
            pain_ax.plot([t, t], [r.pain_before, r.pain_after], color=colour, linewidth=2.5, zorder=2)
    pairs_before = [
        (t, r.pain_before) for t, r in zip(when, records, strict=True) if r.pain_before is not None
    ]
    pairs_after = [(t, r.pain_after) for t, r in zip(when, records, strict=True) if r.pain_after is not None]
    if pairs_before:
        pain_ax.plot(*zip(*pairs_before, strict=True), linestyle=":", color=BEFORE, linewidth=1.2, zorder=1)
        pain_ax.scatter(
            *zip(*pairs_before, strict=True),
            s=130,
            facecolor="white",
            edgecolor=BEFORE,
            linewidth=2,
            zorder=3,
        )
    if pairs_after:
        pain_ax.scatter(
            *zip(*pairs_after, strict=True), s=50, color=AFTER, zorder=4
        )  # inside a ring when equal
    # stops sit on a row of their own above the scale, so that they hide no rating
    stops = [(t, r) for t, r in zip(when, records, strict=True) if r.ended == "stopped"]
    if stops:
        pain_ax.scatter(
            [t for t, _ in stops], [STOP_ROW] * len(stops), marker="X", s=150, color=STOP, zorder=5
        )
        for t, r in stops if len(stops) <= MAX_STOP_LABELS else []:
            pain_ax.annotate(
                short_reason(r.stop_reason),
                (t, STOP_ROW),
                xytext=(0, -15),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8.5,
                color=STOP,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=6,
            )
    # ratings given between sessions (voiceguide pain N): small diamonds, so progress between shows
    rated = [(r.at.astimezone().replace(tzinfo=None), r.pain) for r in ratings]
    if rated:
        pain_ax.scatter(*zip(*rated, strict=True), marker="D", s=45, color=RATING, zorder=3)
        when = when + [t for t, _ in rated]
    pain_ax.set_ylim(-0.5, STOP_ROW + 0.8)
    pain_ax.set_yticks(range(0, 11, 2))
    pain_ax.set_ylabel("Pain (0 none, 10 worst)", fontsize=11)
    weeks = minutes_per_week(records)
    first_monday = datetime.combine(weeks[0][0], datetime.min.time())
    last_sunday = datetime.combine(weeks[-1][0], datetime.min.time()) + timedelta(days=7)
    pad = timedelta(days=0.5)
    xlim = (min(min(when), first_monday) - pad, max(max(when), last_sunday) + pad)
    pain_ax.set_xlim(*xlim)
    pain_ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=10, tz=UTC))
    pain_ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b", tz=UTC))
    pain_ax.grid(axis="y", color="#dddddd")
    pain_ax.set_axisbelow(True)
    legend = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor=BEFORE,
            markeredgewidth=2,
            markersize=9,
            label="pain before",
        ),
        Line2D([], [], marker="o", linestyle="", color=AFTER, markersize=9, label="pain after"),
        Line2D([], [], color=AFTER, linewidth=2.5, label="eased"),
        Line2D([], [], color=WORSE, linewidth=2.5, label="worse"),
        Line2D(
            [], [], marker="X", linestyle="", color=STOP, markersize=11, label="stopped for safety\n(and why)"
        ),
    ]
    if rated:
        legend.append(
            Line2D(
                [], [], marker="D", linestyle="", color=RATING, markersize=7, label="pain between\nsessions"
            )
        )
    pain_ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=10)

    # bottom: minutes per week, on the same dates as the sessions above
    starts = [datetime.combine(w, datetime.min.time()) for w, _ in weeks]
    minutes = [m for _, m in weeks]
    week_ax.bar(starts, minutes, width=6.6, align="edge", color=BARS)
    for x, m in zip(starts, minutes, strict=True):
        if m:
            week_ax.annotate(
                f"{m:.0f}",
                (x + timedelta(days=3.3), m),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
    week_ax.set_ylabel("Minutes per week", fontsize=11)
    week_ax.set_xlabel("Week starting (Monday)", fontsize=11)
    week_ax.set_ylim(0, max(minutes + [10]) * 1.2)
    week_ax.set_xlim(*xlim)
    week_ax.set_xticks(starts if len(starts) <= 12 else starts[:: -(-len(starts) // 12)])
    week_ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=UTC))
    week_ax.grid(axis="y", color="#dddddd")
    week_ax.set_axisbelow(True)
    for ax in (pain_ax, week_ax):
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=10)
    fig.subplots_adjust(left=0.08, right=0.8, top=0.86, bottom=0.09)
    return fig


def summary_line(records: list[SessionRecord]) -> str:
    rated = [r for r in records if r.pain_before is not None]
    stops = sum(r.ended == "stopped" for r in records)
    text = f"{len(records)} session{'s' if len(records) != 1 else ''}"
    if len(rated) >= 2:
        text += f" · pain at the start: {rated[0].pain_before} then {rated[-1].pain_before} of 10"
    eased = [
        r.pain_before - r.pain_after
        for r in records
        if r.pain_before is not None and r.pain_after is not None
    ]
    if eased:
        text += f" · eased by {sum(eased) / len(eased):.1f} points per session on average"
    if stops:
        text += f" · {stops} stopped for safety"
    return text


def short_reason(reason: str | None) -> str:
    if not reason:
        return "stop"
    return reason if len(reason) <= 22 else reason[:21] + "…"
