"""The application layer: the one way in for every front end (the CLI, Python callers, a web page).

It owns the person and their profile, the safety-screen gate, the planner request (options +
routine + profile conditions + what past sessions taught), planning, rendering, playing, and
every read and write of the person's journal (through voiceguide.journal: no SQL here). Front
ends parse, call it and present what it returns. Notes and warnings it wants the person to see go
to `notify`, one line at a time, so that a front end decides where they are shown.

    from voiceguide.app import App, PlanOptions

    app = App()                                   # the only person here; App("sam") for another
    planned = app.plan(PlanOptions(minutes=10))
    app.render(planned.plan, "session.wav", cache=planned.cache)
    records = app.history()
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from voiceguide import paths
from voiceguide.errors import InvalidInput, SafetyStop, UsageProblem

if TYPE_CHECKING:
    from voiceguide import planner
    from voiceguide.history import SessionRecord
    from voiceguide.library import Library
    from voiceguide.plan import Plan
    from voiceguide.profile import Profile
    from voiceguide.routines import Routine
    from voiceguide.safety import ScreenResult
    from voiceguide.schedule import Schedule
    from voiceguide.session import PlayRequest, Voice

#: Takes one line meant for the person (a note, a warning, a reminder).
Notify = Callable[[str], None]

PLOT_SUFFIXES = (".png", ".jpg", ".jpeg")


def to_stderr(line: str) -> None:
    """The default for Python callers: warnings about safety are never silent."""
    print(line, file=sys.stderr)


class ScreenNeeded(SafetyStop):
    """No current safety screen. A front end that can ask the questions (a terminal) runs the
    screen and tries again; any other gets this SafetyStop (exit 7)."""


@dataclass(frozen=True)
class PlanOptions:
    """What a session should be: the plan options of `plan`, `render`, `play` and routines."""

    mode: str | None = None  # None: the mode of the person's screen, else self
    stage: str | None = None  # None: the profile's stage, else acute
    minutes: float = 15
    focus: tuple[str, ...] = ()
    max_pressure: int | None = None
    conditions: tuple[str, ...] = ()
    seed: int = 0

    def merged_with(self, routine: Routine, typed: Iterable[str]) -> PlanOptions:
        """The routine's options, except those in `typed` (given by the person just now), which win;
        conditions add up, because they are about safety."""
        typed = set(typed)
        merged = routine.options()
        for key, value in vars(self).items():
            if key not in typed:
                continue
            if key == "conditions":
                value = tuple(dict.fromkeys(list(merged["conditions"]) + list(value)))
            merged[key] = value
        return PlanOptions(**merged)


class Planned(NamedTuple):
    plan: Plan
    cache: Any  # the speech cache the plan was timed with; None when speech lengths were estimated


@dataclass(frozen=True)
class Imported:
    """What `import_routine` added: the routine, whether it replaced one, and each technique file
    as (id, path, replaced)."""

    routine: Routine
    replaced: bool
    techniques: list[tuple[str, Path, bool]]


def problem_lines(problems: list[str]) -> list[str]:
    """Technique files left out of the library, as lines to show."""
    if not problems:
        return []
    head = f"voiceguide: {len(problems)} problem(s) in technique files; those files were left out:"
    return [head, *(f"  {p}" for p in problems[:20])]


class App:
    """One person's voiceguide: everything a front end can ask for, with the safety rules applied."""

    def __init__(self, person: str | None = None, notify: Notify = to_stderr) -> None:
        self.person = paths.resolve_person(person)  # several people here and no name: UsageProblem
        self.notify = notify
        self._library: Library | None = None

    @property
    def is_default_person(self) -> bool:
        return self.person == paths.DEFAULT_PERSON

    # --- person, profile and the screen gate ---------------------------------------------------

    def profile(self) -> Profile:
        from voiceguide import profile

        return profile.load(self.person)

    def previous_stage(self) -> str | None:
        """The stage saved before; a damaged profile is simply replaced by the next screen."""
        try:
            return self.profile().stage
        except InvalidInput:
            return None

    def save_screen(self, result: ScreenResult, stage: str | None = None, mode: str | None = None) -> Profile:
        """Keep the screen's answers as the profile (with this stage, else the one saved before, and
        the mode it was answered for, which plan, render and play then default to)."""
        from voiceguide import profile

        saved = profile.from_screen(result, stage or self.previous_stage(), mode=mode)
        profile.save(saved, self.person)
        return saved

    def check_screen(self) -> Profile:
        """The gate before any session: a current screen that allows one, or SafetyStop."""
        from voiceguide.safety import PROFILE_MAX_AGE_DAYS

        profile = self.profile()
        if not profile.is_current():
            raise ScreenNeeded(
                "No current safety screen: it is needed before a session "
                f"(and every {PROFILE_MAX_AGE_DAYS} days).",
                hint="Run: voiceguide screen",
            )
        if not profile.may_play:
            raise SafetyStop(
                f"Your safety screen said {profile.outcome}: no session until a clinician has seen you.",
                hint="When a clinician says massage is safe, run voiceguide screen again.",
            )
        return profile

    # --- the library ---------------------------------------------------------------------------

    def library(self) -> Library:
        """The techniques, bundled and the person's own; files with problems are left out (and said)."""
        from voiceguide import library

        if self._library is None:
            self._library = library.load()
            for line in problem_lines(self._library.problems):
                self.notify(line)
        return self._library

    def _techniques(self) -> Library:
        """The library to check a plan file against or to print from: not a new warning each time."""
        from voiceguide import library

        return self._library if self._library is not None else library.load()

    # --- routines --------------------------------------------------------------------------------

    def routine(self, name: str) -> Routine:
        from voiceguide import routines

        return routines.load(name, self.person)

    def routines(self) -> list[Routine]:
        from voiceguide import routines

        return routines.load_all(self.person)

    def with_routine(self, name: str | None, options: PlanOptions, typed: Iterable[str] = ()) -> PlanOptions:
        """The options of routine `name` (none: `options` as they are); options in `typed` win."""
        if not name:
            return options
        found = self.routine(name)
        self.notify(f"Routine {found.name}: {found.describe()}.")
        return options.merged_with(found, typed)

    def save_routine(self, name: str, options: PlanOptions) -> Routine:
        from voiceguide import routines

        table: dict[str, Any] = {"name": routines.check_name(name), **vars(options)}
        table["focus"] = list(dict.fromkeys(options.focus))
        table["conditions"] = list(dict.fromkeys(options.conditions))
        table = {k: v for k, v in table.items() if v is not None}
        saved, problems = routines.parse_routine(table, "routine")
        if saved is None:
            raise UsageProblem(problems[0].removeprefix("routine: ") + ".")
        routines.save(saved, self.person)
        return saved

    def delete_routine(self, name: str) -> Routine:
        from voiceguide import routines

        found = self.routine(name)
        (routines.folder(self.person) / f"{found.name}.toml").unlink()
        return found

    def export_routine(self, name: str, out: Path) -> tuple[Routine, list[dict]]:
        """Write the routine and the person's own technique files it can use into one file to
        share; returns the routine and those technique tables."""
        from voiceguide import routines

        found = self.routine(name)
        tables = routines.technique_tables(found, self.library())
        write_text(out, routines.export_text(found, tables))
        return found, tables

    def import_routine(self, file: Path) -> Imported:
        """Check a prescription file whole, then add its routine and technique files (if it has any:
        a routine alone creates no techniques folder)."""
        from voiceguide import routines

        found, tables = routines.read_export(file)
        replaced = (routines.folder(self.person) / f"{found.name}.toml").exists()
        installed = routines.install_techniques(tables, self._techniques()) if tables else []
        routines.save(found, self.person)
        return Imported(found, replaced, installed)

    # --- planning --------------------------------------------------------------------------------

    def request(
        self,
        options: PlanOptions,
        include: Iterable[str] = (),
        announce: bool = True,
        recording: bool = False,
    ) -> planner.Request:
        """The planner request: options + the profile's conditions and stage + what past sessions
        taught. With announce, what was learnt is told through notify (else the plan's notes hold it).
        A recording (render) turns questions into if-then instructions, and opens with the red flags
        when there is no current screen."""
        from voiceguide import planner

        profile = self.profile()
        if not profile.is_current():
            self.notify("Reminder: run 'voiceguide screen' before your first session.")
        elif not profile.may_play:
            self.notify(
                f"Warning: your last screen said {profile.outcome}: see a clinician before any session."
            )
        self.library()
        request = planner.Request(
            mode=options.mode or profile.mode or "self",
            stage=options.stage or profile.stage or "acute",
            minutes=options.minutes,
            focus=tuple(dict.fromkeys(options.focus)),
            max_pressure=options.max_pressure,
            conditions=tuple(dict.fromkeys(list(profile.conditions) + list(options.conditions))),
            seed=options.seed,
            recording=recording,
            red_flags_first=recording and not profile.is_current(),
        )
        return self._learnt(request, tuple(include), announce)

    def _learnt(self, request: planner.Request, include: tuple[str, ...], announce: bool) -> planner.Request:
        """Start pressures, areas to leave out and trend advice from past sessions; unchanged with none."""
        from voiceguide import domain, history

        records = self.history(repair=False)
        for area in include:
            learnt_avoid = history.learn(records).avoid if records else {}
            if area not in learnt_avoid:
                self.notify(f"Note: --include {area}: the {domain.AREA_WORDS[area]} was not left out.")
        if not records:
            return request
        learnt = history.learn(records).without(include)
        advice = history.advise(records, date.today(), request.stage)
        if announce:
            for a in advice:
                self.notify(f"Advice: {a.printed}")
            for area, why in learnt.avoid.items():
                self.notify(
                    f"Left out today: the {domain.AREA_WORDS[area]}, because the last session stopped "
                    f"there ({why}). To bring it back: --include {area}"
                )
        return replace(
            request,
            session_number=len(records) + 1,  # picks the phrasings; the first sessions explain more
            start_pressures=tuple(sorted(learnt.pressures.items())),
            avoid_areas=tuple(learnt.avoid.items()),
            advice=tuple(a.said for a in advice),
        )

    def plan(
        self,
        options: PlanOptions | None = None,
        include: Iterable[str] = (),
        voice: Voice | None = None,
        estimate_without_engine: bool = False,
        announce: bool = True,
        recording: bool = False,
    ) -> Planned:
        """A timed session for these options. Its clips are rendered first, so that starts are the
        real ones; with no speech engine, NoSpeechEngine, or estimated lengths if asked for."""
        from voiceguide import planner
        from voiceguide.errors import NoSpeechEngine
        from voiceguide.session import Voice, plan_with_real_speech

        request = self.request(options or PlanOptions(), include, announce, recording)
        try:
            planned = Planned(*plan_with_real_speech(self.library(), request, voice or Voice()))
        except NoSpeechEngine as e:
            if not estimate_without_engine:
                raise
            self.notify(f"Note: speech lengths are estimated ({e})")
            planned = Planned(planner.build(self.library(), request), None)
        if announce:
            self._announce_start_pressures(request, planned.plan)
        return planned

    def _announce_start_pressures(self, request: planner.Request, plan: Plan) -> None:
        """The pressures learnt from past sessions that this plan starts at (only its own
        techniques, each at the pressure it really starts at, which today's limits may lower)."""
        starts: dict[str, int] = {}
        for seg in plan.segments:
            if seg.technique and seg.pressure:
                starts.setdefault(seg.technique, seg.pressure)
        chosen = ", ".join(f"{t} {starts[t]}" for t, _ in request.start_pressures if t in starts)
        if chosen:
            self.notify(f"Starting pressures chosen in past sessions (kept within today's limits): {chosen}.")

    def load_plan(self, path: Path) -> Plan:
        """A plan file (from `plan -o`), checked, and checked against the techniques known here."""
        from voiceguide.plan_file import check_techniques, load_plan

        loaded = load_plan(path)
        check_techniques(loaded, set(self._techniques().techniques), path.name)
        return loaded

    # --- rendering and playing -------------------------------------------------------------------

    def render(
        self,
        plan: Plan,
        out: Path | str,
        voice: Voice | None = None,
        cache: Any = None,
        captions: Path | None = None,
        script: Path | None = None,
        card: Path | None = None,
    ) -> float:
        """Write the session as one audio file (.wav or .mp3), and captions (.vtt/.srt) and a
        printable script (.html/.md) if asked; returns the seconds of audio written."""
        from voiceguide.session import Voice, render_to_file, speech_for_plan

        out = Path(out)
        check_render_paths(out, captions, script, card)
        if cache is None:
            cache = speech_for_plan(plan, voice or Voice())
        seconds = render_to_file(plan, cache, out)
        if out.suffix.lower() == ".mp3":  # a chapter per technique, for podcast players
            from voiceguide.audio.chapters import add_chapters, technique_chapters

            known = self._techniques().techniques
            marks = technique_chapters(plan.segments, seconds, lambda t: known[t].name if t in known else t)
            add_chapters(out, marks, f"voiceguide: {plan.minutes:g}-minute {plan.mode} session")
        if captions:
            from voiceguide import export

            maker = export.captions_vtt if captions.suffix.lower() == ".vtt" else export.captions_srt
            write_text(captions, maker(plan, speech_seconds=cache.seconds))
        if script:
            from voiceguide import export

            writer = export.script_markdown if script.suffix.lower() == ".md" else export.script_html
            write_text(script, writer(plan, self._techniques(), recording=True))
        if card:
            from voiceguide import export

            write_text(card, export.card_html(plan, self._techniques(), recording=True))
        return seconds

    def hold_session(self) -> None:
        """Claim the person's one-session-at-a-time lock now (before a sound device is opened), so
        that a second session is refused at once; it is held until the process ends."""
        from voiceguide.journal import claim_session

        claim_session(self.person)

    def play(
        self,
        plan: Plan | None,
        request: PlayRequest,
        emit_line: Callable[[dict], None] = lambda data: None,
        display: Callable[[str], None] | None = None,
        voice: Voice | None = None,
        sink: Any = None,
        cache: Any = None,
        companion: str | None = None,
    ) -> tuple[Any, int]:
        """Play a session (plan None with request.resume: the last unfinished one), journaled as it
        goes; returns (player Outcome, session id). Refused (SafetyStop) without a screen that allows it.

        emit_line gets each event as a dict (what `play --json` prints); display, the status line;
        companion ("local" or "lan") serves the live page for the length of the session.
        """
        from voiceguide import session

        try:
            self.check_screen()
        except SafetyStop:
            if sink is not None:
                sink.close(keep=False)
            raise
        request = replace(request, person=self.person)
        if plan is not None and cache is None:
            cache = session.speech_for_plan(plan, voice or session.Voice())
        if companion is None:
            return session.run_unscreened(plan, cache, request, emit_line, display, voice, sink=sink)
        try:
            page = self.open_companion(companion, emit_line)
        except BaseException:
            if sink is not None:
                sink.close(keep=False)
            raise
        try:
            return session.run_unscreened(
                plan, cache, replace(request, companion=page), emit_line, display, voice, sink=sink
            )
        finally:
            page.close()  # the page's server ends with the session

    def open_companion(self, where: str, emit_line: Callable[[dict], None]) -> Any:
        """Serve the companion page ("local": this machine; "lan": also the local network, with
        its address as a QR code on stderr); its URL is an event, so `play --json` prints it."""
        from voiceguide import session
        from voiceguide.companion import Companion

        page = Companion.open(where, session._library())
        emit_line({"event": "companion", "url": page.url})
        if where == "lan":
            self.notify("Open this on the phone (same Wi-Fi), or scan the code:\n" + page.qr_text())
        self.notify(f"voiceguide: the companion page is at {page.url}")
        return page

    # --- history and plans of days ---------------------------------------------------------------

    def history(self, repair: bool = True) -> list[SessionRecord]:
        """The person's sessions from their journal, oldest first; none when they have no journal
        (nothing is created). With repair, a damaged journal is set aside (and said); without it
        (planning), it is only passed over, for `play` to set aside."""
        from voiceguide import history, journal

        found = journal.open_existing(self.person, repair)
        if found is None:
            return []
        try:
            if found.recovered_from:
                self.notify(
                    f"voiceguide: the journal was damaged; it was kept as {found.recovered_from} "
                    "and a fresh one started."
                )
            return history.read(found)
        finally:
            found.close()

    def rate_pain(self, pain: int) -> str:
        """Keep a pain rating given on a day without a session (voiceguide pain N); returns when."""
        from voiceguide import journal

        found = journal.open_journal(self.person)
        try:
            return found.add_pain_rating(pain)
        finally:
            found.close()

    def pain_ratings(self) -> list:
        """The ratings given between sessions (history.PainRating), oldest first; none without a journal."""
        from voiceguide import history, journal

        found = journal.open_existing(self.person, False)
        if found is None:
            return []
        try:
            return history.read_ratings(found)
        finally:
            found.close()

    def plot_history(self, records: list[SessionRecord], out: Path) -> None:
        """Draw the chart of these sessions as a PNG or JPEG picture, by the file's suffix."""
        from voiceguide.plot import history_png

        check_plot_path(out)
        suffix = out.suffix.lower()
        who = "" if self.is_default_person else self.person
        ratings = self.pain_ratings()
        if suffix == ".png":
            history_png(records, out, who=who, ratings=ratings)
            return
        drawn = out.with_name(out.name + ".part.png")
        try:
            history_png(records, drawn, who=who, ratings=ratings)
            from PIL import Image

            with Image.open(drawn) as picture:
                picture.convert("RGB").save(out, "JPEG", quality=92)
        except OSError as e:
            raise InvalidInput(f"Cannot write {out}: {e.strerror or e}.") from e
        finally:
            drawn.unlink(missing_ok=True)

    def schedule(self) -> Schedule | None:
        from voiceguide import schedule

        return schedule.load(self.person)

    def save_schedule(self, plan: Schedule) -> None:
        from voiceguide import schedule

        schedule.save(plan, self.person)

    # --- forgetting ------------------------------------------------------------------------------

    def stored_files(self) -> list[Path]:
        """Everything `forget` would delete for this person."""
        from voiceguide import privacy

        return privacy.person_files(self.person)

    def forget(self) -> list[Path]:
        """Delete the person's data for good (profile, journal, routines, schedule, voice)."""
        from voiceguide import privacy

        return privacy.forget(self.person)

    def voice_folder(self) -> Path | None:
        """The folder of the person's voice recordings and what was learnt from them, if any."""
        folder = paths.voice_dir(self.person, create=False)
        return folder if folder.exists() else None

    def forget_voice(self) -> bool:
        """Delete the person's voice recordings and what was learnt from them; False if none."""
        from voiceguide.feedback import enroll

        return enroll.forget(self.person)


def check_render_paths(
    out: Path, captions: Path | None = None, script: Path | None = None, card: Path | None = None
) -> None:
    """Output names `render` can write (checked before any work is done)."""
    if card and card.suffix.lower() not in (".html", ".htm"):
        raise UsageProblem(f"--card {card}: must end in .html.")
    if out.suffix.lower() not in (".wav", ".mp3"):
        raise UsageProblem(f"-o {out}: the audio file must end in .wav or .mp3.")
    if captions and captions.suffix.lower() not in (".vtt", ".srt"):
        raise UsageProblem(f"--captions {captions}: must end in .vtt or .srt.")
    if script and script.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageProblem(f"--script {script}: must end in .html or .md.")


def check_plot_path(out: Path) -> None:
    """A chart is a PNG or a JPEG picture."""
    if out.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageProblem(f"--plot {out}: the chart must end in .png, .jpg or .jpeg.")


def write_text(path: Path, text: str) -> None:
    """Write a text output file whole (never half), or to a pipe or /dev/stdout as it is."""
    if path.exists() and not path.is_file():  # /dev/stdout, a pipe: write to it, never rename over it
        try:
            with path.open("w", encoding="utf-8") as f:
                f.write(text)
            return
        except OSError as e:
            raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from e
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"Cannot write {path}: {e.strerror or e}.") from e
