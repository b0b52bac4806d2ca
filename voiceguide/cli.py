"""The command line: parse, call the library, print. Nothing else lives here.

Heavy modules (pydantic, audio, recognition) are imported inside the commands
that need them, so `voiceguide --help` stays instant.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voiceguide import cli_progress, cli_sessions, cli_voice
from voiceguide.cli_options import (
    ANSWER_SECONDS,
    MODES,
    STAGES,
    PlainWhole,
    echo_err,
    person_option,
    plan_file_option,
    plan_options,
    progress_options,
    speech_options,
    typed_options,
)
from voiceguide.errors import ExitCode, VoiceguideError

if TYPE_CHECKING:
    from voiceguide.app import App, PlanOptions


def main() -> None:
    from voiceguide import settings

    settings.one_blas_thread()
    end_like_ctrl_c()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        with contextlib.suppress(OSError):  # (a closed terminal: nowhere to write; the code still says it)
            click.echo("voiceguide: interrupted.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except VoiceguideError as e:
        with contextlib.suppress(OSError):
            report(e)
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.OK)
    except Exception as e:  # the last net: a sentence, never a traceback
        click.echo(f"voiceguide: unexpected error: {type(e).__name__}: {e}", err=True)
        click.echo("Please report this; run with VOICEGUIDE_DEBUG=1 for details.", err=True)
        if settings.debug():
            raise
        sys.exit(ExitCode.ERROR)


def end_like_ctrl_c() -> None:
    """`kill` (SIGTERM) and a closed terminal (SIGHUP) end a session as Ctrl-C does: saved as
    interrupted, its sound and helpers closed, exit 130. By default they end the process on the
    spot, with no message, no "end" in the journal and the voice's temporary folder left behind."""
    import signal

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, signal.default_int_handler)


def report(e: VoiceguideError) -> None:
    click.echo(f"voiceguide: {e}", err=True)
    for problem in getattr(e, "problems", [])[:50]:
        if problem != str(e):
            click.echo(f"  {problem}", err=True)
    if e.hint:
        click.echo(e.hint, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="voiceguide")
def cli() -> None:
    """Voice-guided massage sessions for sciatica that listen and adapt.

    Not medical advice: see a clinician first. Say "stop" at any moment.
    """


# --- library ----------------------------------------------------------------


@cli.group()
def library() -> None:
    """List, show and check the massage and movement techniques."""


@library.command("list")
@click.option("--mode", type=click.Choice(MODES), help="Only techniques for this mode.")
@click.option("--stage", type=click.Choice(STAGES), help="Only techniques for this stage.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def library_list(mode: str | None, stage: str | None, as_json: bool) -> None:
    """List the techniques, bundled and your own."""
    from voiceguide import library as lib

    loaded = lib.load()
    warn_problems(loaded.problems)
    rows = [technique_summary(t, loaded.origins[t.id]) for t in loaded.select(mode, stage)]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        pressure = "-" if row["pressure"] is None else "{}-{}".format(*row["pressure"])
        origin = "" if row["origin"] == "bundled" else f"  [{row['origin']}]"
        click.echo(
            f"{row['id']:<5} {row['name'][:44]:<44} {'/'.join(row['modes']):<12} "
            f"{','.join(s[:3] for s in row['stages']):<12} pressure {pressure}{origin}"
        )
    click.echo(f"{len(rows)} techniques.")


def technique_summary(t, origin: str) -> dict:
    return {
        "id": t.id,
        "name": t.name,
        "kind": t.kind,
        "modes": t.modes,
        "stages": t.stages,
        "areas": t.areas,
        "positions": t.positions,
        "equipment": t.equipment,
        "pressure": [t.pressure.min, t.pressure.max] if t.pressure else None,
        "duration": t.duration,
        "per_side": t.per_side,
        "excluded_by": t.excluded_by,
        "pressure_caps": dict(t.conditions.caps),
        "sources": t.sources,
        "summary": t.summary,
        "origin": origin,
    }


def warn_problems(problems: list[str]) -> None:
    from voiceguide.app import problem_lines

    for line in problem_lines(problems):
        echo_err(line)


@library.command("show")
@click.argument("technique_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the body map (where the hands go) as SVG to this file.",
)
@click.option(
    "--step",
    type=PlainWhole("a step number", "2"),
    help="With --map: this step's map (1 = first; default: the first map).",
)
@click.option("--side", type=click.Choice(["left", "right"]), help="With --map: the side to show.")
def library_show(
    technique_id: str, as_json: bool, map_file: Path | None, step: int | None, side: str | None
) -> None:
    """Show one technique with its spoken steps (or write its body map with --map)."""
    from voiceguide import library as lib

    loaded = lib.load()
    warn_problems(loaded.problems)
    t = loaded.get(technique_id)
    if map_file is not None:
        from voiceguide.app import write_text
        from voiceguide.maps import for_technique

        write_text(map_file, for_technique(t, step, side))
        click.echo(f"Wrote the body map of {t.id} to {map_file}.", err=True)
        return
    if as_json:
        data = technique_summary(t, loaded.origins[t.id])
        data["steps"] = [s.model_dump(by_alias=True) for s in t.steps]
        data["checkin"] = [c.model_dump(by_alias=True) for c in t.checkin]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{t.id}  {t.name}")
    click.echo(f"  {t.summary}")
    click.echo(f"  modes: {', '.join(t.modes)}   stages: {', '.join(t.stages)}")
    click.echo(f"  areas: {', '.join(t.areas)}   positions: {', '.join(t.positions)}")
    if t.pressure:
        click.echo(f"  pressure: {t.pressure.min}-{t.pressure.max} of 5")
    click.echo(f"  about {t.duration:g} s{', each side' if t.per_side else ''}")
    if t.equipment:
        click.echo(f"  equipment: {', '.join(t.equipment)}")
    if t.excluded_by:
        click.echo(f"  not with: {', '.join(t.excluded_by)}")
    for mode in t.modes:
        click.echo(f"\n  Spoken ({mode}):")
        for i, step in enumerate(t.steps, 1):
            hold = f"  [hold {step.hold:g} s]" if step.hold else ""
            click.echo(f"   {i}. {step.for_mode(mode)}{hold}")
        for check in t.checkin:
            click.echo(f"   ? ({check.question}) {check.for_mode(mode)}")
    click.echo(f"\n  sources: {', '.join(t.sources)}   origin: {loaded.origins[t.id]}")


@library.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def library_check(paths: tuple[Path, ...]) -> None:
    """Validate technique files or folders; report every problem at once."""
    from voiceguide import library as lib
    from voiceguide.errors import InvalidInput

    valid, problems = lib.check_paths(paths)
    for technique, path in valid:
        click.echo(f"ok  {path.name}  ({technique.id})")
    if problems:
        raise InvalidInput(
            f"{len(problems)} problem(s) found.",
            hint="Fix them and run voiceguide library check again.",
            problems=problems,
        )
    click.echo(f"{len(valid)} file(s) valid.")


# --- plan ---------------------------------------------------------------------


def planning(options: dict, session: str | None = None) -> tuple[App, PlanOptions, tuple[str, ...]]:
    """The App for --person, the plan options with a named session's and --routine's applied
    (options typed on the command line win), and --include."""
    from voiceguide.app import App, PlanOptions
    from voiceguide.cli_sessions import apply_named

    person, routine, include = options.pop("person"), options.pop("routine"), options.pop("include")
    app = App(person, notify=echo_err)
    typed = typed_options(set(options))
    given = apply_named(session, PlanOptions(**options), typed)
    return app, app.with_routine(routine, given, typed), include


@cli.command()
@plan_options
@speech_options
@person_option
@progress_options
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the plan JSON to this file.",
)
@click.option(
    "--recording",
    is_flag=True,
    help="Plan a recording for render --plan: each question becomes what to do.",
)
def plan(
    as_json: bool, output: Path | None, recording: bool, voice: str | None, rate: int | None, **options
) -> None:
    """Build a timed session and print its timetable.

    Starts are the real starts of the spoken clips when a speech engine is
    installed (they are rendered and cached); otherwise they are estimated.
    """
    from voiceguide.app import write_text
    from voiceguide.session import Voice

    app, chosen, include = planning(options)
    announce = as_json or output is not None  # otherwise the timetable shows it as notes
    speech = Voice(voice=voice, rate=rate)
    session = app.plan(
        chosen, include, speech, estimate_without_engine=True, announce=announce, recording=recording
    ).plan
    if output:
        write_text(output, session.to_json() + "\n")
    if as_json:
        click.echo(session.to_json())
    elif not output:
        from voiceguide.timetable import timetable

        click.echo(timetable(session))
    else:
        click.echo(f"Wrote {output} ({session.total_seconds / 60:.1f} minutes).", err=True)


@cli.command()
@plan_file_option
@plan_options
@speech_options
@person_option
@progress_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The audio file to write: .wav or .mp3.",
)
@click.option(
    "--captions", type=click.Path(dir_okay=False, path_type=Path), help="Also write captions: .vtt or .srt."
)
@click.option(
    "--script",
    "script_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a printable script: .html or .md.",
)
@click.option(
    "--card",
    "card_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a one-page A4 card (.html): pressure, stop signs, answers, outline.",
)
def render(
    plan_file: Path | None,
    output: Path,
    captions: Path | None,
    script_file: Path | None,
    card_file: Path | None,
    voice: str | None,
    rate: int | None,
    **options,
) -> None:
    """Write the whole session as one audio file, for any phone or music player.

    Nobody answers a recording: each question becomes an if-then instruction, and
    without a current safety screen it opens with the red flags.
    """
    from voiceguide.app import check_render_paths
    from voiceguide.session import Voice

    check_render_paths(output, captions, script_file, card_file)
    app, chosen, include = planning(options)
    speech = Voice(voice=voice, rate=rate)
    if plan_file is not None:
        session, cache = app.load_plan(plan_file), None
        if any(s.kind == "checkpoint" for s in session.segments):
            click.echo(
                f"Note: {plan_file} was planned for play: its questions wait for answers and it says "
                '"stop" can be said, which a recording cannot hear. For a recording that says what to '
                "do, plan it with voiceguide plan --recording, or give plan options instead of --plan.",
                err=True,
            )
    else:
        session, cache = app.plan(chosen, include, speech, recording=True)  # nobody answers a recording
    seconds = app.render(
        session, output, speech, cache, captions=captions, script=script_file, card=card_file
    )
    click.echo(f"Wrote {output} ({seconds / 60:.1f} minutes).", err=True)


@cli.command()
@plan_file_option
@plan_options
@speech_options
@person_option
@progress_options
@click.option(
    "--feedback",
    type=click.Choice(["keys", "voice", "none"]),
    default="keys",
    show_default=True,
    help="How answers come in. keys: single keys on a terminal, or one line of stdin per question.",
)
@click.option(
    "--output",
    default="device",
    show_default=True,
    metavar="device|null|FILE.wav",
    help="device: the sound card, in real time. null or a .wav file: as fast as possible.",
)
@click.option(
    "--answer-timeout",
    type=ANSWER_SECONDS,
    default=8.0,
    show_default=True,
    help="Seconds to wait for an answer at each question.",
)
@click.option("--resume", is_flag=True, help="Continue the last unfinished session where it stopped.")
@click.option(
    "--companion",
    type=click.Choice(["local", "lan"]),
    is_flag=False,
    flag_value="local",
    default=None,
    help="Show the session live on a web page with tap answers: alone, on this machine; "
    "'lan', also on a phone on the same network (a QR code shows the link).",
)
@click.option("--json", "as_json", is_flag=True, help="Print every event as one JSON line, as it happens.")
@click.argument("session", required=False, metavar="[NAME]")
def play(
    session: str | None,
    plan_file: Path | None,
    voice: str | None,
    rate: int | None,
    feedback: str,
    output: str,
    answer_timeout: float,
    resume: bool,
    companion: str | None,
    as_json: bool,
    **options,
) -> None:
    """Play a guided session: it speaks each step, asks how it feels, and adapts.

    NAME is a named session (voiceguide sessions), e.g. quick-relief or evening-partner.

    \b
    Keys during a session (no Enter needed):
      space pause/resume   n next step   r repeat   s stop (always works)
      0-9 pain rating (t = ten)   + firmer   - lighter   g or Enter good   y yes   x no
    Say or press stop at any moment: everything stops at once.
    """
    from voiceguide import session as sess
    from voiceguide.app import ScreenNeeded
    from voiceguide.errors import Interrupted, SafetyStop, UsageProblem

    if output not in ("device", "null") and not output.lower().endswith(".wav"):
        raise UsageProblem(f"--output {output}: use device, null, or a file name ending in .wav.")
    app, chosen, include = planning(options, session)
    app.hold_session()  # before the sound device opens: a second session is refused at once
    try:
        app.check_screen()
    except ScreenNeeded:
        if not sys.stdin.isatty() or resume:
            raise
        click.echo("First, the safety screen.")
        ctx = click.get_current_context()
        ctx.invoke(screen, mode=chosen.mode or "self", stage=None, as_json=False, person=app.person)
        app.check_screen()
    speech = sess.voice_for(voice, rate)
    opener = sess.SinkOpener(output)  # the sound device starts while the session is prepared
    session_plan, cache = (None, None)
    try:
        if not resume:
            if plan_file is not None:
                session_plan = app.load_plan(plan_file)
            else:
                session_plan, cache = app.plan(chosen, include, speech)
            if cache is None:
                cache = sess.speech_for_plan(session_plan, speech)
        sink = opener.get()
    except BaseException:
        opener.discard()
        raise

    def emit_line(data: dict) -> None:
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False))
            sys.stdout.flush()

    display = None
    if not as_json and sys.stderr.isatty():

        def display(line: str) -> None:
            click.echo("\r\033[K" + line[: shutil.get_terminal_size().columns - 1], nl=False, err=True)

    request = sess.PlayRequest(
        output=output, feedback=feedback, answer_window=answer_timeout, resume=resume, person=app.person
    )
    outcome, _ = app.play(
        session_plan, request, emit_line, display, speech, sink=sink, cache=cache, companion=companion
    )
    if display:
        click.echo("", err=True)
    if outcome.reason == "interrupted":
        raise Interrupted("session saved. Resume with: voiceguide play --resume")
    if outcome.reason == "stopped":
        raise SafetyStop(
            f"The session stopped for safety: {outcome.stop_reason}.",
            hint="Rest. If symptoms spread down the leg or do not settle, see a clinician.",
        )
    if not as_json:
        click.echo(f"Session finished ({outcome.seconds / 60:.1f} minutes). Well done.", err=True)


HEAR_MAX_SECONDS = 60.0  # one spoken answer; a longer file is not an answer (and would take minutes)
HEAR_MAX_BYTES = 64_000_000


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--expect",
    type=click.Choice(
        ["number", "pressure", "yesno", "offer", "correction", "correction-pressure", "any", "between"]
    ),
    default="any",
    show_default=True,
    help="What the question can be answered with (offer: the yes/no question after a stop; "
    'correction: the reply to a rating read back; correction-pressure: to "I heard more"; '
    "between: no question, said while the session plays).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@person_option
def hear(files: tuple[Path, ...], expect: str, as_json: bool, person: str | None) -> None:
    """Recognise one spoken answer per WAV file, offline.

    Anything that is not clearly an answer comes out as "unknown": a wrong action
    is worse than asking again. Stop, symptom words, repeat and pause are heard
    whatever is expected. The decision is what a session would do with the answer
    at such a question: act on it, confirm it (read it back, "did you say stop?",
    "did you say numb?", or "did you ask to pause?"), or reject it (ask again).
    """
    from voiceguide import paths
    from voiceguide.audio.pcm import read_wav
    from voiceguide.errors import InvalidInput
    from voiceguide.feedback.decision import HEARD_AS, at_question
    from voiceguide.feedback.enroll import recogniser_for

    person = paths.resolve_person(person)  # whose enrolled voice to listen for
    recogniser = recogniser_for(person, helper=len(files) > 1)  # one file: done before it would load
    failed = []
    for path in files:
        try:
            samples, rate = read_wav(path, HEAR_MAX_BYTES, HEAR_MAX_SECONDS)
        except InvalidInput as e:
            failed.append(str(e))
            click.echo(f"voiceguide: {e}", err=True)
            continue
        heard = recogniser.hear(samples, rate, HEARD_AS.get(expect, expect))
        decision = at_question(heard, expect)  # what a session would do with it at such a question
        answer = decision.answer
        # like "stop" but not understood: said again at once, a session asks "did you say stop?"
        hint = heard.stop_hint and decision.action == "reject"
        if as_json:
            fields = {
                "file": str(path),
                "text": answer.text,
                "intent": answer.intent,
                "value": answer.value,
                "confidence": answer.confidence,
                "decision": decision.action,
            }
            # asked "did you say stop?", a "no" takes these words (recognise.stop_or_instead)
            instead = {"instead": answer.instead} if answer.instead is not None else {}
            # cut flat, or too quiet: a session asking again says so
            level = {"loud": True} if heard.loud else {"quiet": True} if heard.quiet else {}
            click.echo(json.dumps(fields | ({"stop_hint": True} if hint else {}) | instead | level))
        else:
            value = f" {answer.value}" if answer.value is not None else ""
            like_stop = "; like stop: said twice, it is asked about" if hint else ""
            if answer.instead is not None:
                like_stop = f"; a no to 'did you say stop?' takes {answer.instead!r}"
            level_note = "; cut flat: the microphone is too loud" if heard.loud else ""
            level_note = "; too quiet for the microphone" if heard.quiet else level_note
            click.echo(
                f"{path}: {answer.intent}{value} (confidence {answer.confidence:.2f}, {decision.action}"
                f"{like_stop}{level_note}) {answer.text!r}"
            )
    if failed:
        raise InvalidInput(
            f"{len(failed)} of {len(files)} file(s) could not be read as WAV audio.",
            hint=f"Give WAV files (8, 16, 24 or 32-bit PCM or 32-bit float, any rate and channels) "
            f"of at most {HEAR_MAX_SECONDS:g} s each.",
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--sound", is_flag=True, help="Also play a short chime on the sound output.")
def doctor(as_json: bool, sound: bool) -> None:
    """Check what works here: speech, sound, microphone, recogniser, data folder, screen.

    Exits 0 when a session can be played, 1 when something it needs is missing.
    """
    from voiceguide import doctor as doc

    results = doc.run_checks(sound=sound, progress=None if as_json else doc.terminal_progress())
    ready = doc.can_play(results)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "can_play": ready,
                    "checks": [r.to_dict() for r in results],
                    "environment": doc.environment(),
                },
                indent=2,
            )
        )
    else:
        click.echo("\n".join(doc.report(results)))
    if not ready:
        sys.exit(ExitCode.ERROR)


# --- screen -------------------------------------------------------------------


@cli.command()
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="self",
    show_default=True,
    help="partner: the questions are about the person receiving.",
)
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default=None,
    help="Save this stage in the profile as the default for sessions.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@person_option
def screen(mode: str, stage: str | None, as_json: bool, person: str | None = None) -> None:
    """The safety screen: red-flag and condition questions, answered yes or no.

    With stdin not a terminal, reads one yes/no answer per line in question
    order (after a yes to the skin or surgery question, an optional line may
    name the areas, e.g. "buttock, hip").
    """
    from voiceguide import safety
    from voiceguide.app import App
    from voiceguide.errors import InvalidInput, SafetyStop

    interactive = sys.stdin.isatty()
    if interactive:
        from voiceguide.feedback.terminal import KeyAsker

        asker = KeyAsker(echo=not as_json)
    else:
        asker = safety.LineAsker(sys.stdin.read().splitlines())
    try:
        result = safety.run_screen(asker, mode)
    except safety.Unanswered as e:
        raise InvalidInput(
            f"The screen needs an answer to every question; it ran out after {e.answered}.",
            hint="Give one yes or no per line, in question order. Nothing was saved.",
        ) from None
    saved = App(person, notify=echo_err).save_screen(result, stage, mode)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "outcome": result.outcome,
                    "may_play": result.may_play,
                    "conditions": result.conditions,
                    "emergency_flags": result.emergency_flags,
                    "clinician_flags": result.clinician_flags,
                    "cleared_by_clinician": result.cleared,
                    "message": result.message(),
                    "screened": saved.screened.isoformat() if saved.screened else None,
                }
            )
        )
    elif not interactive:
        click.echo(result.message())
    if not result.may_play:
        raise SafetyStop(result.message() if as_json or interactive else "No session today.")


# --- voice: learning one person's voice -------------------------------------------------


@cli.group()
def voice() -> None:
    """Learn a person's voice so that their spoken answers are understood."""


@voice.command("enroll")
@click.option("--person", default=None, metavar="NAME", help="Whose voice (default: the only person here).")
@click.option(
    "--from",
    "from_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Learn from recordings named <answer>_<anything>.wav (e.g. 7_a.wav, more_2.wav).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def voice_enroll(person: str | None, from_dir: Path | None, as_json: bool) -> None:
    """Say each answer word three times (spoken walk-through), or learn from recordings.

    Takes that are silent, too quiet, clipped, too short or long, or sound like
    another word are not kept. Words without takes keep the speaker-independent
    recogniser. Run it again to add words or to carry on after an interruption.
    """
    from voiceguide import paths
    from voiceguide.feedback import enroll

    person = paths.resolve_person(person)
    if from_dir is None:
        outcome = live_enroll(person)
        summary = enroll.status(person)
        if as_json:
            click.echo(json.dumps({"finished": outcome.finished, "paused": outcome.paused, **summary}))
        else:
            click.echo(voice_summary(summary))
        return
    from voiceguide.feedback.recognise import Recogniser

    reports, _ = enroll.enroll_from_dir(from_dir, person, Recogniser())
    summary = enroll.status(person)
    if as_json:
        files = [{"file": r.name, "answer": r.word, "kept": r.ok, "problems": r.problems} for r in reports]
        click.echo(json.dumps({"files": files, **summary}))
        return
    for r in reports:
        if not r.ok:
            click.echo(f"voiceguide: skipped {r.name}: {'; '.join(r.problems)}", err=True)
    kept = sum(r.ok for r in reports)
    click.echo(f"Kept {kept} of {len(reports)} recordings.")
    click.echo(voice_summary(summary))


def live_enroll(person: str):
    """The spoken walk-through on the default microphone and sound output."""
    from voiceguide.feedback import enroll_live

    click.echo("Learning your voice: say each word back after the guide. Ctrl-C pauses.", err=True)
    outcome = enroll_live.run(person, show=lambda line: click.echo(line, err=True))
    if outcome.paused:
        click.echo("Paused: run voiceguide voice enroll again to carry on.", err=True)
    return outcome


def voice_summary(summary: dict) -> str:
    if not summary["enrolled"]:
        return f"No voice learnt for {summary['person']}: run voiceguide voice enroll."
    lines = [f"{summary['person']}: {len(summary['words'])} words, {summary['takes']} takes."]
    lines.append("  " + ", ".join(f"{w} ({n})" for w, n in summary["words"].items()))
    if summary["own_accuracy"] is not None:
        lines.append(
            f"Accuracy on your own takes (each recognised from the others): "
            f"{100 * summary['own_accuracy']:.0f} % of {summary['own_accuracy_takes']}."
        )
    if summary["missing"]:
        lines.append(
            "Not learnt (the general recogniser hears these): " + ", ".join(summary["missing"]) + "."
        )
    return "\n".join(lines)


@voice.command("status")
@click.option("--person", default=None, metavar="NAME", help="Whose voice (default: the only person here).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def voice_status(person: str | None, as_json: bool) -> None:
    """Which words are learnt, how many takes, and the accuracy on the person's own takes."""
    from voiceguide.feedback import enroll

    summary = enroll.status(person)
    click.echo(json.dumps(summary) if as_json else voice_summary(summary))


@voice.command("forget")
@click.option("--person", default=None, metavar="NAME", help="Whose voice (default: the only person here).")
@click.option("--yes", is_flag=True, help="Really delete: without it, only say what would be deleted.")
def voice_forget(person: str | None, yes: bool) -> None:
    """Delete the person's recordings and everything learnt from them."""
    from voiceguide import privacy
    from voiceguide.app import App
    from voiceguide.errors import UsageProblem

    app = App(person, notify=echo_err)
    folder = app.voice_folder()
    if folder is None:
        click.echo(f"No voice learnt for {app.person}.")
        return
    if not yes:
        click.echo(f"  {privacy.describe(folder)}", err=True)
        again = "" if app.is_default_person else f" --person {app.person}"
        raise UsageProblem(
            f"Nothing deleted. This folder holds {app.person}'s voice recordings and what was learnt "
            "from them (listed above).",
            hint=f"To delete them for good: voiceguide voice forget{again} --yes",
        )
    app.forget_voice()
    click.echo(f"Forgot {app.person}'s voice.")


# The commands about progress across sessions (history, routine, schedule, forget) live in cli_progress.
for _command in cli_progress.COMMANDS + cli_sessions.COMMANDS:  # cli_sessions: sessions, pain
    cli.add_command(_command)
cli.add_command(cli_voice.voices)  # voiceguide voices (cli_voice)


if __name__ == "__main__":  # pragma: no cover
    main()
