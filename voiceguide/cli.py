"""The command line: parse, call the library, print. Nothing else lives here.

Heavy modules (pydantic, audio, recognition) are imported inside the commands
that need them, so `voiceguide --help` stays instant.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
from pathlib import Path

import click

from voiceguide.errors import ExitCode, VoiceguideError

AREAS = ("lower-back", "sacrum", "buttock", "piriformis", "hip", "hamstring")
STAGES = ("acute", "subacute", "chronic")
MODES = ("self", "partner")
CONDITIONS = (
    "dvt, anticoagulants, skin[:AREA], recent-surgery[:AREA], osteoporosis, pregnancy, hip-replacement"
)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        click.echo("voiceguide: interrupted.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("voiceguide: interrupted.", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    except VoiceguideError as e:
        report(e)
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(ExitCode.OK)
    except Exception as e:  # the last net: a sentence, never a traceback
        click.echo(f"voiceguide: unexpected error: {type(e).__name__}: {e}", err=True)
        click.echo("Please report this; run with VOICEGUIDE_DEBUG=1 for details.", err=True)
        import os

        if os.environ.get("VOICEGUIDE_DEBUG"):
            raise
        sys.exit(ExitCode.ERROR)


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
    if problems:
        click.echo(
            f"voiceguide: {len(problems)} problem(s) in technique files; those files were left out:",
            err=True,
        )
        for p in problems[:20]:
            click.echo(f"  {p}", err=True)


@library.command("show")
@click.argument("technique_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def library_show(technique_id: str, as_json: bool) -> None:
    """Show one technique with its spoken steps."""
    from voiceguide import library as lib

    loaded = lib.load()
    warn_problems(loaded.problems)
    t = loaded.get(technique_id)
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


def validate_condition(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    from voiceguide import domain

    for value in values:
        try:
            domain.parse_condition(value)
        except ValueError as e:
            raise click.BadParameter(f"{e}. Allowed: {CONDITIONS}.") from None
    return values


def plan_options(func):
    @click.option(
        "--mode",
        type=click.Choice(MODES),
        default="self",
        show_default=True,
        help="self: you massage yourself. partner: you massage someone else.",
    )
    @click.option(
        "--stage",
        type=click.Choice(STAGES),
        default=None,
        help="How long this episode has lasted. Default: from your profile, else acute.",
    )
    @click.option(
        "--minutes",
        type=click.FloatRange(3, 90),
        default=15,
        show_default=True,
        help="Session length, 3 to 90 (acute: at most 20).",
    )
    @click.option(
        "--focus", type=click.Choice(AREAS), multiple=True, help="Give this area more time (repeatable)."
    )
    @click.option(
        "--max-pressure",
        type=click.IntRange(1, 5),
        default=None,
        help="Highest pressure, 1 (feather light) to 5 (very deep); home cap is 4.",
    )
    @click.option(
        "--condition",
        "conditions",
        multiple=True,
        callback=validate_condition,
        metavar="ID",
        help=f"Adds to your profile's conditions: {CONDITIONS}.",
    )
    @click.option(
        "--seed", type=int, default=0, show_default=True, help="Same inputs and seed give the same plan."
    )
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def person_option(func):
    """--person NAME: whose profile, history and routines (default: the only person here)."""
    return click.option(
        "--person",
        default=None,
        metavar="NAME",
        help="Whose profile, history and routines (several people in one home). Default: the only one.",
    )(func)


def progress_options(func):
    """--routine NAME and --include AREA: a saved routine, and an area the last session stopped in."""

    @click.option("--routine", default=None, metavar="NAME", help="Use a saved routine's plan options.")
    @click.option(
        "--include",
        type=click.Choice(AREAS),
        multiple=True,
        help="Bring back an area left out because the last session stopped there (repeatable).",
    )
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


plan_file_option = click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A plan JSON file (from voiceguide plan -o); otherwise use the plan options.",
)


def validate_voice(ctx, param, value: str | None) -> str | None:
    """An espeak-ng voice that does not exist is a usage error, found before any work is done."""
    import os
    import subprocess

    from voiceguide.audio.speech import EspeakEngine
    from voiceguide.errors import NoSpeechEngine

    if value is None or os.environ.get("VOICEGUIDE_TTS") == "pyttsx3":
        return value
    try:
        binary = EspeakEngine().binary
    except NoSpeechEngine:
        return value  # no espeak-ng: the engine that is used reports its own voices
    try:
        done = subprocess.run([binary, "-q", "-v", value, ""], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return value
    if done.returncode != 0:
        languages = "en-gb, en-us, en-gb-scotland, en-029, en-gb-x-rp, en+f3 (a variant)"
        raise click.BadParameter(
            f"{value!r} is not an espeak-ng voice. Allowed: the names listed by "
            f"'espeak-ng --voices', e.g. {languages}."
        )
    return value


def speech_options(func):
    @click.option(
        "--voice",
        default=None,
        callback=validate_voice,
        help="Speech voice (espeak-ng: e.g. en-gb, en-us; all: espeak-ng --voices).",
    )
    @click.option(
        "--rate",
        type=click.IntRange(80, 400),
        default=None,
        help="Speaking rate in words per minute (default 165).",
    )
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def build_plan(
    mode,
    stage,
    minutes,
    focus,
    max_pressure,
    conditions,
    seed,
    voice=None,
    speech="real",
    person=None,
    include=(),
    announce=True,
):
    """The plan for these options, shaped by the person's past sessions.

    speech: 'real' (needs an engine), 'try' (estimate if none). announce: print what was
    learnt from past sessions on stderr (the timetable of `plan` shows it as notes instead).
    """
    from voiceguide import library as lib
    from voiceguide import planner
    from voiceguide import profile as prof
    from voiceguide.cli_progress import learnt_from_history
    from voiceguide.errors import NoSpeechEngine

    profile = prof.load(person)
    if not profile.is_current():
        click.echo("Reminder: run 'voiceguide screen' before your first session.", err=True)
    elif not profile.may_play:
        click.echo(
            f"Warning: your last screen said {profile.outcome}: see a clinician before any session.",
            err=True,
        )
    loaded = lib.load()
    warn_problems(loaded.problems)
    request = planner.Request(
        mode=mode,
        stage=stage or profile.stage or "acute",
        minutes=minutes,
        focus=tuple(dict.fromkeys(focus)),
        max_pressure=max_pressure,
        conditions=tuple(dict.fromkeys(list(profile.conditions) + list(conditions))),
        seed=seed,
    )
    request = learnt_from_history(request, person, include, announce)
    if speech == "estimate":
        return planner.build(loaded, request), None
    from voiceguide.session import Voice, plan_with_real_speech

    try:
        return plan_with_real_speech(loaded, request, voice or Voice())
    except NoSpeechEngine as e:
        if speech != "try":
            raise
        click.echo(f"Note: speech lengths are estimated ({e})", err=True)
        return planner.build(loaded, request), None


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
def plan(as_json: bool, output: Path | None, voice: str | None, rate: int | None, **options) -> None:
    """Build a timed session and print its timetable.

    Starts are the real starts of the spoken clips when a speech engine is
    installed (they are rendered and cached); otherwise they are estimated.
    """
    from voiceguide.cli_progress import with_routine
    from voiceguide.session import Voice

    options = with_routine(options)
    announce = as_json or output is not None  # otherwise the timetable shows it as notes
    session, _ = build_plan(**options, voice=Voice(voice=voice, rate=rate), speech="try", announce=announce)
    if output:
        write_text_output(output, session.to_json() + "\n")
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
def render(
    plan_file: Path | None,
    output: Path,
    captions: Path | None,
    script_file: Path | None,
    voice: str | None,
    rate: int | None,
    **options,
) -> None:
    """Write the whole session as one audio file, for any phone or music player.

    Checkpoints become a short pause after the spoken question.
    """
    from voiceguide import library as lib
    from voiceguide.errors import UsageProblem
    from voiceguide.session import Voice, render_to_file, speech_for_plan

    if output.suffix.lower() not in (".wav", ".mp3"):
        raise UsageProblem(f"-o {output}: the audio file must end in .wav or .mp3.")
    if captions and captions.suffix.lower() not in (".vtt", ".srt"):
        raise UsageProblem(f"--captions {captions}: must end in .vtt or .srt.")
    if script_file and script_file.suffix.lower() not in (".html", ".htm", ".md"):
        raise UsageProblem(f"--script {script_file}: must end in .html or .md.")
    from voiceguide.cli_progress import with_routine

    speech = Voice(voice=voice, rate=rate)
    session, cache = load_or_build(plan_file, with_routine(options), speech)
    if cache is None:
        cache = speech_for_plan(session, speech)
    seconds = render_to_file(session, cache, output)
    if captions:
        from voiceguide import export

        text = (export.captions_vtt if captions.suffix.lower() == ".vtt" else export.captions_srt)(
            session, speech_seconds=cache.seconds
        )
        write_text_output(captions, text)
    if script_file:
        from voiceguide import export

        maker = export.script_markdown if script_file.suffix.lower() == ".md" else export.script_html
        write_text_output(script_file, maker(session, lib.load()))
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
    type=click.FloatRange(2, 60),
    default=8.0,
    show_default=True,
    help="Seconds to wait for an answer at each question.",
)
@click.option("--resume", is_flag=True, help="Continue the last unfinished session where it stopped.")
@click.option("--json", "as_json", is_flag=True, help="Print every event as one JSON line, as it happens.")
def play(
    plan_file: Path | None,
    voice: str | None,
    rate: int | None,
    feedback: str,
    output: str,
    answer_timeout: float,
    resume: bool,
    as_json: bool,
    **options,
) -> None:
    """Play a guided session: it speaks each step, asks how it feels, and adapts.

    \b
    Keys during a session (no Enter needed):
      space pause/resume   n next step   r repeat   s stop (always works)
      0-9 pain rating (t = ten)   + firmer   - lighter   g or Enter good   y yes   x no
    Say or press stop at any moment: everything stops at once.
    """
    from voiceguide import paths
    from voiceguide import profile as prof
    from voiceguide import session as sess
    from voiceguide.cli_progress import with_routine
    from voiceguide.errors import SafetyStop, UsageProblem

    if output not in ("device", "null") and not output.lower().endswith(".wav"):
        raise UsageProblem(f"--output {output}: use device, null, or a file name ending in .wav.")
    options = with_routine(options)
    person = paths.resolve_person(options["person"])
    options["person"] = person
    from voiceguide.journal import claim_session

    claim_session(person)  # before the sound device opens: a second session is refused at once
    profile = prof.load(person)
    if not profile.is_current():
        if sys.stdin.isatty() and not resume:
            click.echo("First, the safety screen.")
            ctx = click.get_current_context()
            ctx.invoke(screen, mode=options.get("mode", "self"), stage=None, as_json=False, person=person)
            profile = prof.load(person)
        else:
            raise SafetyStop(
                "No current safety screen: it is needed before a session (and every 90 days).",
                hint="Run: voiceguide screen",
            )
    if not profile.may_play:
        raise SafetyStop(
            f"Your safety screen said {profile.outcome}: no session until a clinician has seen you.",
            hint="When a clinician says massage is safe, run voiceguide screen again.",
        )
    speech = sess.Voice(voice=voice, rate=rate)
    opener = sess.SinkOpener(output)  # the sound device starts while the session is prepared
    session_plan, cache = (None, None)
    try:
        if not resume:
            session_plan, cache = load_or_build(plan_file, options, speech)
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
        output=output, feedback=feedback, answer_window=answer_timeout, resume=resume, person=person
    )
    outcome, session_id = sess.play(session_plan, cache, request, emit_line, display, speech, sink=sink)
    if display:
        click.echo("", err=True)
    if outcome.reason == "interrupted":
        click.echo("voiceguide: session saved. Resume with: voiceguide play --resume", err=True)
        sys.exit(130)
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
    type=click.Choice(["number", "pressure", "yesno", "any"]),
    default="any",
    show_default=True,
    help="What the question can be answered with.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, one per line.")
@person_option
def hear(files: tuple[Path, ...], expect: str, as_json: bool, person: str | None) -> None:
    """Recognise one spoken answer per WAV file, offline.

    Anything that is not clearly an answer comes out as "unknown": a wrong action
    is worse than asking again. Stop, symptom words, repeat and pause are heard
    whatever is expected.
    """
    from voiceguide import paths
    from voiceguide.audio.pcm import read_wav
    from voiceguide.errors import InvalidInput
    from voiceguide.feedback.enroll import recogniser_for

    person = paths.resolve_person(person)  # whose enrolled voice to listen for
    recogniser = recogniser_for(person)
    failed = []
    for path in files:
        try:
            samples, rate = read_wav(path, HEAR_MAX_BYTES, HEAR_MAX_SECONDS)
        except InvalidInput as e:
            failed.append(str(e))
            click.echo(f"voiceguide: {e}", err=True)
            continue
        answer = recogniser.hear(samples, rate, expect)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "file": str(path),
                        "text": answer.text,
                        "intent": answer.intent,
                        "value": answer.value,
                        "confidence": answer.confidence,
                    }
                )
            )
        else:
            value = f" {answer.value}" if answer.value is not None else ""
            click.echo(f"{path}: {answer.intent}{value} (confidence {answer.confidence:.2f}) {answer.text!r}")
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


def load_or_build(plan_file: Path | None, options: dict, speech):
    """A plan from a file (validated) or from the options; with its speech cache when built."""
    if plan_file is not None:
        from voiceguide import library as lib
        from voiceguide.plan import check_techniques, load_plan

        loaded = load_plan(plan_file)
        check_techniques(loaded, set(lib.load().techniques), plan_file.name)
        return loaded, None
    return build_plan(**options, voice=speech)


def write_text_output(path: Path, text: str) -> None:
    from voiceguide.errors import InvalidInput

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
    from voiceguide import profile as prof
    from voiceguide import safety
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
    saved = prof.from_screen(result, stage or _previous_stage(person))
    prof.save(saved, person)
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


def _previous_stage(person: str | None = None) -> str | None:
    """Keep the stage a user saved before; a damaged profile is simply replaced."""
    from voiceguide import profile as prof
    from voiceguide.errors import InvalidInput

    try:
        return prof.load(person).stage
    except InvalidInput:
        return None


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
def voice_forget(person: str | None) -> None:
    """Delete the person's recordings and everything learnt from them."""
    from voiceguide import paths
    from voiceguide.feedback import enroll

    name = paths.resolve_person(person)
    removed = enroll.forget(name)
    click.echo(f"Forgot {name}'s voice." if removed else f"No voice learnt for {name}.")


# The commands about progress across sessions (history, routine, schedule, forget) live in
# cli_progress; importing it registers them on the group above.
import voiceguide.cli_progress  # noqa: E402, F401, I001


if __name__ == "__main__":  # pragma: no cover
    main()
