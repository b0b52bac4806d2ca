"""The saved screen answers (profile.toml): what `plan` and `play` build on."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator

from voiceguide import domain, paths
from voiceguide.errors import InvalidInput
from voiceguide.safety import PROFILE_MAX_AGE_DAYS, ScreenResult
from voiceguide.validation import ConditionId, Strict, check

MAX_PROFILE_BYTES = 100_000  # a profile is under 1 kB


@dataclass
class Profile:
    screened: datetime | None = None
    outcome: str | None = None
    cleared: bool = False
    stage: str | None = None
    conditions: list[str] = field(default_factory=list)
    answers: dict[str, bool] = field(default_factory=dict)
    mode: str | None = None  # who the screen was about: plan, render and play default to it

    def is_current(self, now: datetime | None = None) -> bool:
        if self.screened is None:
            return False
        now = now or datetime.now(UTC)
        return now - self.screened <= timedelta(days=PROFILE_MAX_AGE_DAYS)

    @property
    def may_play(self) -> bool:
        return self.outcome in domain.MAY_PLAY

    def to_dict(self) -> dict:
        return {
            "screened": self.screened.isoformat() if self.screened else None,
            "outcome": self.outcome,
            "cleared_by_clinician": self.cleared,
            "stage": self.stage,
            "conditions": self.conditions,
            "answers": self.answers,
        }


def from_screen(
    result: ScreenResult, stage: str | None, now: datetime | None = None, mode: str | None = None
) -> Profile:
    return Profile(
        mode=mode,
        screened=now or datetime.now(UTC),
        outcome=result.outcome,
        cleared=result.cleared,
        stage=stage,
        conditions=result.conditions,
        answers=dict(result.answers),
    )


class ProfileFile(Strict):
    """profile.toml as `save` writes it; a file edited by hand is checked field by field."""

    version: int = 1
    screened: datetime | None = None
    outcome: Literal[domain.SCREEN_OUTCOMES] | None = None
    cleared_by_clinician: bool = False  # strict: "no" must never read as cleared
    stage: Literal[domain.STAGES] | None = None
    conditions: list[ConditionId] = Field(default_factory=list)
    answers: dict[str, bool] = Field(default_factory=dict)
    mode: Literal[domain.MODES] | None = None

    @field_validator("screened", mode="before")
    @classmethod
    def _when(cls, value: object) -> datetime:
        """An ISO date and time (TOML's own or a string); one without a zone is UTC."""
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError("must be a date and time") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        if when > datetime.now(UTC) + timedelta(days=1):  # would count as current for ever
            raise ValueError("is in the future")
        return when


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
    checked, problems = check(ProfileFile, data, "")
    if checked is None:
        raise InvalidInput(f"The profile {path} is not valid: {problems[0]}.", hint=hint, problems=problems)
    return Profile(
        screened=checked.screened,
        outcome=checked.outcome,
        cleared=checked.cleared_by_clinician,
        stage=checked.stage,
        conditions=list(checked.conditions),
        answers=dict(checked.answers),
        mode=checked.mode,
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
    if profile.mode:
        lines.append(f"mode = {json.dumps(profile.mode)}")
    lines.append("conditions = [" + ", ".join(json.dumps(c) for c in profile.conditions) + "]")
    lines.append("")
    lines.append("[answers]")
    for key, value in profile.answers.items():
        lines.append(f"{json.dumps(key)} = {'true' if value else 'false'}")
    paths.write_private(paths.profile_path(person), "\n".join(lines) + "\n")
