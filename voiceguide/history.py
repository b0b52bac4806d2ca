"""Past sessions, read back from the journal: what happened, whether it helps, what to start from next.

Pure: journal rows and events in, records and advice out (no files, no clock; `today` is
passed in). `read` only asks a journal object for its rows. The rules follow the clinical
notes: a change of 2 points on the pain scale is the smallest that matters (nrs-mcid), an
area that needed a stop is left alone, and a stage change is only ever suggested.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from voiceguide import domain, plan
from voiceguide.adapt import Action, Kind, Rule
from voiceguide.domain import LOW_PAIN, MCID  # noqa: F401  (history.MCID is read by callers)

NO_BETTER_BELOW = 1.0  # eased by less than this over two weeks (mean of 2 sessions each end): "no better"
TREND_DAYS = 14  # "the last two weeks of regular sessions"
TREND_MIN_SESSIONS = 4  # regular: about twice a week over those two weeks
TREND_MIN_SPAN_DAYS = 10
STEADY_SESSIONS = 3  # "several" sessions of low pain and no stop before the next stage is suggested
KEPT_MIN_SECONDS = 300.0  # an interrupted session counts towards the habit after 5 minutes
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NEXT_STAGE = dict(zip(domain.STAGES, domain.STAGES[1:], strict=False))  # the stage after each


@dataclass
class SessionRecord:
    """One session as `history` shows it; `history --json` prints these (it doubles as the export)."""

    id: int
    started: str  # ISO 8601, UTC
    mode: str
    stage: str
    minutes_planned: float
    seconds_played: float
    ended: str  # finished | stopped | interrupted
    stop_reason: str | None
    resumed: int  # how many times it was resumed after an interruption
    pain_before: int | None
    pain_after: int | None
    answers: int
    highest_pressure: dict[str, int] = field(default_factory=dict)  # area -> highest pressure worked
    chosen_pressure: dict[str, int] = field(
        default_factory=dict
    )  # technique -> pressure the person settled on
    stopped_areas: list[str] = field(default_factory=list)  # areas where a stop rule (or the stop word) fired
    stopped_techniques: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The same as dataclasses.asdict (fields in order, containers copied), five times faster:
        `history --json` makes one per session."""
        out = dict(self.__dict__)
        for name in ("highest_pressure", "chosen_pressure"):
            out[name] = dict(out[name])
        for name in ("stopped_areas", "stopped_techniques"):
            out[name] = list(out[name])
        return out

    @property
    def local_start(self) -> datetime:
        return parse_time(self.started).astimezone()

    @property
    def day(self) -> date:
        return self.local_start.date()

    @property
    def kept(self) -> bool:
        """Counts towards the habit: played through, stopped for safety, or at least 5 minutes."""
        return self.ended in ("finished", "stopped") or self.seconds_played >= KEPT_MIN_SECONDS


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- from journal rows to records ------------------------------------------------


SUMMARY_VERSION = 4  # bump when summarise_events changes: stored summaries are then made again
# Ratings the rules took for the start and the end wherever they were said: a rating asked for
# again after a stop at the opening or the last question counts as that question's.
OPENING_RULES = {Rule.OPENING_PAIN, Rule.GENTLE_SESSION}
CLOSING_RULES = {Rule.CLOSING_PAIN, Rule.PAIN_HIGH_AT_END}


def summarise(row, events: list[dict]) -> SessionRecord:
    """One session from its journal row (journal.SessionRow) and its events, in order."""
    return record(row, summarise_events(events))


def summarise_events(events: list[dict]) -> dict:
    """What a session's events say, as plain JSON data: the journal keeps it per session, so that
    `history` and the next session's start need not read every past event again. Everything that
    comes from the session's row (times, status, why it stopped) is left to `record`."""
    segments: dict[int, dict] = {}  # index -> the segment event most recently played there
    highest: dict[str, int] = {}
    chosen: dict[str, int] = {}
    stopped_areas: list[str] = []
    stopped_techniques: list[str] = []
    answers = 0
    pain_before = pain_after = opening_at = None
    state: dict = {}
    played = 0.0
    run_seconds = 0.0
    runs = 0
    resumed = 0
    for e in events:
        kind = e["event"]
        if kind == "start":
            played += run_seconds  # each run (first play, then every resume) counts from 0
            run_seconds = 0.0
            runs += 1
            resumed += bool(e.get("resumed"))
        run_seconds = max(run_seconds, float(e.get("t") or 0.0))
        if kind in ("segment", "answered-ahead"):  # played, or a question answered before it was asked
            segments[e["index"]] = e
            if opening_at is None and e.get("kind") == "checkpoint" and e.get("question") == "pain":
                opening_at = e["index"]  # the first pain question is never the closing one
            area, pressure = e.get("area"), e.get("pressure")
            if e.get("kind") == "hold" and area and pressure:
                highest[area] = max(highest.get(area, 0), pressure)
        elif kind == "answer":
            answers += 1
        elif kind == "action":
            at = segments.get(e.get("at")) or {}  # type: ignore[arg-type]
            action = Action.from_dict(e)
            opening = opening_at is not None and at.get("index") == opening_at
            if action.pain is not None and (opening or action.rule in OPENING_RULES):
                pain_before = action.pain  # the rating acted on, not merely heard
            elif action.pain is not None and (is_closing(at) or action.rule in CLOSING_RULES):
                pain_after = action.pain  # (a first rating given later is a baseline, not the start)
            technique = at.get("technique")
            choice = chosen_pressure(action, at)
            if technique and choice is not None:
                chosen[technique] = choice
            if action.kind is Kind.STOP:
                if at.get("area") and at["area"] not in stopped_areas:
                    stopped_areas.append(at["area"])
                if technique:
                    chosen.pop(technique, None)  # never start again where it had to stop
                    if technique not in stopped_techniques:
                        stopped_techniques.append(technique)
        elif kind == "state":
            state = e.get("state") or {}
    played += run_seconds
    for area in state.get("avoid_areas", []):
        if area not in stopped_areas:
            stopped_areas.append(area)
    return {
        "v": SUMMARY_VERSION,
        "seconds_played": round(played, 1) if runs else None,  # None: no start event, the row knows
        "resumed": resumed,
        "pain_before": pain_before,
        "pain_after": pain_after,
        "answers": answers,
        "highest_pressure": {a: highest[a] for a in domain.AREAS if a in highest},
        "chosen_pressure": dict(sorted(chosen.items())),
        "stopped_areas": stopped_areas,
        "stopped_techniques": stopped_techniques,
    }


def record(row, summary: dict) -> SessionRecord:
    """The session as `history` shows it: its row (journal.SessionRow or SessionHead) and the
    summary of its events (summarise_events, which it takes over: not copied)."""
    played = summary["seconds_played"]
    return SessionRecord(
        id=row.id,
        started=row.started,
        mode=row.mode,
        stage=row.stage,
        minutes_planned=row.minutes,
        seconds_played=round(row.seconds_played, 1) if played is None else played,
        ended=row.status if row.status in ("finished", "stopped") else "interrupted",
        stop_reason=row.stop_reason,
        resumed=summary["resumed"],
        pain_before=summary["pain_before"],
        pain_after=summary["pain_after"],
        answers=summary["answers"],
        highest_pressure=summary["highest_pressure"],
        chosen_pressure=summary["chosen_pressure"],
        stopped_areas=summary["stopped_areas"],
        stopped_techniques=summary["stopped_techniques"],
    )


def is_closing(segment: dict) -> bool:
    return plan.is_closing(segment.get("kind"), segment.get("question"), segment.get("technique"))


def chosen_pressure(action: Action, at: dict) -> int | None:
    """The pressure an explicit answer settled on: firmer, lighter, 'good' at a pressure check,
    or 'more' at the limit. No answer is not a choice."""
    if action.pressure is None:
        return None
    if action.kind in (Kind.PRESSURE_UP, Kind.PRESSURE_DOWN):
        return action.pressure
    if action.rule is Rule.GOOD and at.get("question") == "pressure":
        return action.pressure
    if action.rule is Rule.FIRMER_AT_CAP:
        return action.pressure
    return None


def read(journal) -> list[SessionRecord]:
    """Every session in a journal.Journal, oldest first.

    From the summary the journal keeps per session; a session without one that is up to date
    (an older journal, a session killed mid-way, one that went on after it was summarised) is
    summarised from its events here, and the summary kept when the journal can be written.
    """
    records = []
    made: list[tuple[int, dict, int]] = []
    for head in journal.heads():
        summary = head.summary
        if summary is None or summary.get("v") != SUMMARY_VERSION:
            events, last = journal.events_upto(head.id)
            summary = summarise_events(events)
            made.append((head.id, summary, last))
        records.append(record(head, summary))
    if made:
        journal.keep_summaries(made)
    return records


def since(records: list[SessionRecord], day: date | None) -> list[SessionRecord]:
    return [r for r in records if day is None or r.day >= day]


# --- what the next session learns ----------------------------------------------------


@dataclass(frozen=True)
class Learnt:
    """What the planner is given: start pressures and areas to leave out (with why)."""

    pressures: dict[str, int] = field(default_factory=dict)
    avoid: dict[str, str] = field(default_factory=dict)  # area -> what happened there last time

    def without(self, areas: tuple[str, ...] | list[str]) -> Learnt:
        """--include AREA: bring an area back."""
        return Learnt(self.pressures, {a: why for a, why in self.avoid.items() if a not in areas})


def learn(records: list[SessionRecord]) -> Learnt:
    """The latest choice per technique wins; a stop there forgets it. Only the last session's
    stops leave an area out (for the next session, not for ever)."""
    pressures: dict[str, int] = {}
    for r in records:
        for technique in r.stopped_techniques:
            pressures.pop(technique, None)
        pressures.update(r.chosen_pressure)
    played = [r for r in records if r.seconds_played > 0 or r.answers]
    avoid: dict[str, str] = {}
    if played:
        last = played[-1]
        why = last.stop_reason or "stop"
        avoid = {area: why for area in last.stopped_areas}
    return Learnt(pressures, avoid)


# --- trends and advice -----------------------------------------------------------------


@dataclass(frozen=True)
class Advice:
    kind: str  # clinician | next-stage
    said: str  # spoken at the start of the next session
    printed: str  # shown in `history` and before a session


def advise(records: list[SessionRecord], today: date, stage: str) -> list[Advice]:
    """Trend advice (clinical notes): see a clinician when pain is no better after two weeks of
    regular sessions or after two stops in a row; suggest the next stage (never choose it) after
    several sessions of steady low pain with no stop."""
    done = [r for r in records if r.ended in ("finished", "stopped")]
    out: list[Advice] = []
    if len(done) >= 2 and done[-1].ended == done[-2].ended == "stopped":
        out.append(
            Advice(
                "clinician",
                "The last two sessions both had to stop for safety. Please see a clinician before you "
                "carry on.",
                "The last two sessions both stopped for safety: see a clinician before you carry on.",
            )
        )
    rated = [r for r in done if r.pain_before is not None and r.day > today - timedelta(days=TREND_DAYS)]
    if len(rated) >= TREND_MIN_SESSIONS and (rated[-1].day - rated[0].day).days >= TREND_MIN_SPAN_DAYS:
        early = (rated[0].pain_before + rated[1].pain_before) / 2  # type: ignore[operator]
        late = (rated[-2].pain_before + rated[-1].pain_before) / 2  # type: ignore[operator]
        if early - late < NO_BETTER_BELOW and late > LOW_PAIN:
            worse = "got worse" if late > early else "not got better"
            out.append(
                Advice(
                    "clinician",
                    f"Over two weeks of regular sessions, your pain has {worse}. "
                    "Please see a clinician about it.",
                    f"Pain has {worse} over two weeks of regular sessions "
                    f"(about {early:g} then {late:g} of 10 at the start): see a clinician.",
                )
            )
    nxt = NEXT_STAGE.get(stage)
    recent = done[-STEADY_SESSIONS:]
    steady = len(recent) == STEADY_SESSIONS and all(
        r.ended == "finished"
        and r.stage == stage
        and r.pain_before is not None
        and r.pain_before <= LOW_PAIN
        and (r.pain_after is None or r.pain_after <= LOW_PAIN)
        for r in recent
    )
    if nxt and steady and not out:
        out.append(
            Advice(
                "next-stage",
                f"Your pain has stayed low, with no stops, for {STEADY_SESSIONS} sessions. "
                f"If you feel ready, you could move on to the {nxt} stage. It only changes if you choose it.",
                f"Pain has stayed low with no stops for {STEADY_SESSIONS} sessions: you could move on to "
                f"the {nxt} stage. It is your choice: play with --stage {nxt}, or keep it as your default "
                f"with: voiceguide screen --stage {nxt}",
            )
        )
    return out


# --- regularity -------------------------------------------------------------------------


@dataclass(frozen=True)
class Regularity:
    this_week: int  # sessions kept since Monday
    streak: int  # planned days kept in a row, up to today
    planned: tuple[str, ...]  # the planned days (from `schedule`), or () for every day


def regularity(records: list[SessionRecord], today: date, planned_days: tuple[str, ...] = ()) -> Regularity:
    """Sessions this week and the current streak of planned days kept.

    Today counts once a session is kept; a planned day still to come today does not break it.
    """
    kept = {r.day for r in records if r.kept}
    monday = today - timedelta(days=today.weekday())
    this_week = sum(1 for r in records if r.kept and monday <= r.day <= today)
    planned = {DAY_NAMES.index(d) for d in planned_days} or set(range(7))
    streak = 0
    if kept:
        first = min(kept)
        day = today
        if day not in kept:
            day -= timedelta(days=1)  # today is not over yet
        while day >= first:
            if day.weekday() in planned:
                if day not in kept:
                    break
                streak += 1
            day -= timedelta(days=1)
    return Regularity(this_week, streak, tuple(planned_days))


def minutes_per_week(records: list[SessionRecord]) -> list[tuple[date, float]]:
    """(Monday, minutes played) for every week from the first session to the last, gaps included."""
    if not records:
        return []
    totals: dict[date, float] = {}
    for r in records:
        monday = r.day - timedelta(days=r.day.weekday())
        totals[monday] = totals.get(monday, 0.0) + r.seconds_played / 60
    week, last = min(totals), max(totals)
    out = []
    while week <= last:
        out.append((week, round(totals.get(week, 0.0), 1)))
        week += timedelta(days=7)
    return out


# --- text and CSV -------------------------------------------------------------------------


def how_it_ended(r: SessionRecord) -> str:
    if r.ended == "stopped":
        return f"stopped: {r.stop_reason}" if r.stop_reason else "stopped for safety"
    text = r.ended
    return f"{text} (resumed)" if r.resumed else text


def pressures_text(values: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in values.items())


def table(records: list[SessionRecord]) -> str:
    """The history as a table a person can read; how it ended comes last, in full."""
    lines = [
        f"{'date':<16}  {'mode':<7} {'stage':<8} {'min':>3} {'played':>6}  {'pain':<6} {'answers':>7}  "
        f"{'highest pressure':<34}  how it ended"
    ]
    for r in records:
        pain = f"{dash(r.pain_before):>2}→{dash(r.pain_after):<2}"
        lines.append(
            f"{r.local_start:%Y-%m-%d %H:%M}  {r.mode:<7} {r.stage:<8} {r.minutes_planned:>3g} "
            f"{r.seconds_played / 60:>5.1f}m  {pain:<6} {r.answers:>7}  "
            f"{pressures_text(r.highest_pressure) or '-':<34}  {how_it_ended(r)}"
        )
    return "\n".join(lines)


def dash(value: int | None) -> str:
    return "-" if value is None else str(value)


CSV_FIELDS = (
    "id",
    "started",
    "mode",
    "stage",
    "minutes_planned",
    "seconds_played",
    "ended",
    "stop_reason",
    "resumed",
    "pain_before",
    "pain_after",
    "answers",
    "highest_pressure",
    "chosen_pressure",
    "stopped_areas",
)


def to_csv(records: list[SessionRecord]) -> str:
    """One row per session; pressures as 'area=pressure; ...' so that a spreadsheet keeps one cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for r in records:
        data = r.to_dict()
        data["highest_pressure"] = "; ".join(f"{k}={v}" for k, v in r.highest_pressure.items())
        data["chosen_pressure"] = "; ".join(f"{k}={v}" for k, v in r.chosen_pressure.items())
        data["stopped_areas"] = "; ".join(r.stopped_areas)
        writer.writerow(["" if data[f] is None else data[f] for f in CSV_FIELDS])
    return out.getvalue()


# --- pain ratings between sessions (voiceguide pain N) ---------------------------------------------


@dataclass(frozen=True)
class PainRating:
    """A 0-10 rating given on a day without a session, so that progress between sessions shows."""

    at: datetime  # UTC
    pain: int

    @property
    def day(self) -> date:
        return self.at.astimezone().date()


def read_ratings(journal) -> list[PainRating]:
    return [PainRating(parse_time(at), pain) for at, pain in journal.pain_ratings()]


def ratings_line(ratings: list[PainRating]) -> str:
    """One line for the history table: the last few ratings given between sessions."""
    shown = ", ".join(f"{r.day.isoformat()} {r.pain}/10" for r in ratings[-6:])
    more = f" (and {len(ratings) - 6} earlier)" if len(ratings) > 6 else ""
    return f"Pain ratings between sessions: {shown}{more}."
