"""The saved screen answers (profile.toml): what `plan` and `play` build on."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from voiceguide import domain, paths
from voiceguide.errors import InvalidInput, shown
from voiceguide.safety import PROFILE_MAX_AGE_DAYS, ScreenResult

MAX_PROFILE_BYTES = 100_000  # a profile is under 1 kB


@dataclass
class Profile:
    screened: datetime | None = None
    outcome: str | None = None
    cleared: bool = False
    stage: str | None = None
    conditions: list[str] = field(default_factory=list)
    answers: dict[str, bool] = field(default_factory=dict)

    def is_current(self, now: datetime | None = None) -> bool:
        if self.screened is None:
            return False
        now = now or datetime.now(UTC)
        return now - self.screened <= timedelta(days=PROFILE_MAX_AGE_DAYS)

    @property
    def may_play(self) -> bool:
        return self.outcome in ("clear", "adjust")

    def to_dict(self) -> dict:
        return {
            "screened": self.screened.isoformat() if self.screened else None,
            "outcome": self.outcome,
            "cleared_by_clinician": self.cleared,
            "stage": self.stage,
            "conditions": self.conditions,
            "answers": self.answers,
        }


def from_screen(result: ScreenResult, stage: str | None, now: datetime | None = None) -> Profile:
    return Profile(
        screened=now or datetime.now(UTC),
        outcome=result.outcome,
        cleared=result.cleared,
        stage=stage,
        conditions=result.conditions,
        answers=dict(result.answers),
    )


def load(person: str | None = None) -> Profile:
    path = paths.person_dir(person, create=False) / "profile.toml"
    if not path.exists():
        return Profile()
    hint = "Run: voiceguide screen (it writes a fresh profile)."
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_PROFILE_BYTES + 1)
        if len(raw) > MAX_PROFILE_BYTES:
            raise InvalidInput(
                f"The profile {path} is larger than {MAX_PROFILE_BYTES // 1000} kB.", hint=hint
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InvalidInput(f"The profile {path} cannot be read: {e}.", hint=hint) from e
    except RecursionError:
        raise InvalidInput(f"The profile {path} cannot be read: nested too deeply.", hint=hint) from None
    problems = []
    screened = None
    if "screened" in data:
        try:
            screened = datetime.fromisoformat(str(data["screened"]))
            if screened.tzinfo is None:
                screened = screened.replace(tzinfo=UTC)
        except ValueError:
            problems.append(f"screened = {shown(data['screened'])}, must be a date and time")
        else:
            if screened > datetime.now(UTC) + timedelta(days=1):  # would count as current for ever
                problems.append(f"screened = {screened.isoformat()}, is in the future")
    cleared = data.get("cleared_by_clinician", False)
    if not isinstance(cleared, bool):  # "no" must never read as cleared
        problems.append(f"cleared_by_clinician = {shown(cleared)}, must be true or false")
    outcome = data.get("outcome")
    if outcome not in (None, "clear", "adjust", "see-clinician", "emergency"):
        problems.append(f"outcome = {shown(outcome)}, must be clear, adjust, see-clinician or emergency")
    stage = data.get("stage")
    if stage not in (None, *domain.STAGES):
        problems.append(f"stage = {shown(stage)}, must be one of {', '.join(domain.STAGES)}")
    conditions = data.get("conditions", [])
    if not isinstance(conditions, list):
        problems.append("conditions must be a list")
        conditions = []
    for c in conditions:
        try:
            domain.parse_condition(str(c))
        except ValueError as e:
            problems.append(f"conditions: {e}")
    answers = data.get("answers", {})
    if not isinstance(answers, dict) or not all(isinstance(v, bool) for v in answers.values()):
        problems.append("answers must be a table of true/false values")
        answers = {}
    if problems:
        raise InvalidInput(f"The profile {path} is not valid: {problems[0]}.", hint=hint, problems=problems)
    return Profile(
        screened=screened,
        outcome=outcome,
        cleared=cleared,
        stage=stage,
        conditions=[str(c) for c in conditions],
        answers=answers,
    )


def save(profile: Profile, person: str | None = None) -> None:
    lines = [
        "# voiceguide profile: the answers of the safety screen. Renew it with: voiceguide screen",
        "version = 1",
    ]
    if profile.screened:
        lines.append(f"screened = {json.dumps(profile.screened.isoformat())}")
    if profile.outcome:
        lines.append(f"outcome = {json.dumps(profile.outcome)}")
    lines.append(f"cleared_by_clinician = {'true' if profile.cleared else 'false'}")
    if profile.stage:
        lines.append(f"stage = {json.dumps(profile.stage)}")
    lines.append("conditions = [" + ", ".join(json.dumps(c) for c in profile.conditions) + "]")
    lines.append("")
    lines.append("[answers]")
    for key, value in profile.answers.items():
        lines.append(f"{json.dumps(key)} = {'true' if value else 'false'}")
    paths.write_private(paths.profile_path(person), "\n".join(lines) + "\n")
