"""One way to check a file that a person or another tool wrote: a strict pydantic model.

Techniques, plans, routines, profiles and schedules are each a model that forbids unknown
fields; `check` turns pydantic's errors into the lines the user reads,
`file: field = value, must be …`, every problem at once.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainValidator, ValidationError

from voiceguide import domain
from voiceguide.errors import shown

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """No unknown fields, no silent conversions ("15" is not a number, 1 is not true)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class Problems(ValueError):
    """Several problems found by one check across fields (a timeline, a cap): a line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _condition(text: str) -> str:
    domain.parse_condition(text)
    return text


def number(low: float, high: float, unit: str = "", above_low: bool = False) -> Any:
    """A number from a file within low-high, kept as written (15 stays 15, for a plan to round-trip).

    true/false, text, NaN and infinity are refused, each with its own message.
    """
    span = f"above {low} and at most {high}" if above_low else f"{low}-{high}"
    span += f" {unit}" if unit else ""

    def checked(value: object) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, {span}")
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, {span}")
        if not low <= value <= high or (above_low and value == low):
            raise ValueError(f"must be {span}")
        return value

    return Annotated[int | float, PlainValidator(checked)]


def whole(low: int, high: int) -> Any:
    """A whole number within low-high (true/false and 2.0 are not whole numbers here)."""

    def checked(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number {low}-{high}")
        return value

    return Annotated[int, PlainValidator(checked)]


#: A condition id, with an area when it takes one ("skin:buttock").
ConditionId = Annotated[str, AfterValidator(_condition)]
#: A pressure level of the 1-5 scale.
PressureLevel = whole(domain.PRESSURE_MIN, domain.PRESSURE_MAX)
#: The length of a session in minutes.
Minutes = number(domain.MIN_MINUTES, domain.MAX_MINUTES)


# pydantic's wording for a wrong type, in the words of someone editing a JSON or TOML file
PLAIN = {
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a table of names and values",
    "model_type": "must be an object with fields (a table)",
}


def where(loc: tuple) -> str:
    """('segments', 3, 'kind') -> 'segments[3].kind'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part).replace("self_", "self")
    return text


def describe(err: dict, allowed: tuple[str, ...] = ()) -> str:
    """One pydantic error as 'field = value, must be ...' (allowed: the model's field names)."""
    field = where(err["loc"]) or "(file)"
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return f"{field} is missing (required)"
    if kind == "extra_forbidden":
        if allowed and len(err["loc"]) == 1:
            return f"unknown field {field}; allowed: {', '.join(allowed)}"
        return f"unknown field {field}; remove it or check its spelling"
    message = re.sub(r"^\w+ should (be|have|match)", r"must \1", err["msg"].replace("Value error, ", ""))
    message = message.replace(" after validation", "")
    message = PLAIN.get(kind, message)
    if not err["loc"]:
        return message
    if kind == "value_error" and isinstance(value, dict):  # a check across a table's fields
        return f"{field}: {message}"
    return f"{field} = {shown(value)}, {message}"


def problems(error: ValidationError, model: type[BaseModel] | None = None) -> list[str]:
    """Every problem of a failed validation, one line each, in the order of the model's fields."""
    allowed = tuple(f.alias or name for name, f in model.model_fields.items()) if model else ()
    lines: list[str] = []
    for err in error.errors():
        found = (err.get("ctx") or {}).get("error")
        if isinstance(found, Problems):
            lines += [f"{where(err['loc'])}.{line}" if err["loc"] else line for line in found.problems]
        else:
            lines.append(describe(err, allowed))
    return lines


def check(model: type[M], data: object, name: str) -> tuple[M | None, list[str]]:
    """The model from data, or None and each problem as 'name: …' (just '…' when name is empty)."""
    prefix = f"{name}: " if name else ""
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, [prefix + line for line in problems(e, model)]
    except RecursionError:
        return None, [prefix + "nested too deeply"]
