"""Scenario and plan files -> validated models, with every problem named precisely.

A file goes through three gates, and each one reports in the same shape (`Problem`): the bytes
(exists, a file, not too large, UTF-8) and the document (YAML or JSON that parses, no alias bomb,
a mapping at the top), both in `sim.inputs.files`, then the model (pydantic, including the
scenario's cross-reference checks), here. `problems_from_validation` turns pydantic's errors
into Problems for every input module. Nothing here prints; the CLI renders `InputError`
however it likes.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sim.errors import InputError, Problem
from sim.inputs.files import file_error, load_document, value_repr
from sim.schema import IDENTIFIER_PATTERN, Plan, Scenario, check_plan

M = TypeVar("M", bound=BaseModel)

# Error types meaning "this is not even the right kind of value"; in a union (e.g. a skill given
# as a number or as a mapping) they are noise next to the branch that matched the kind.
_KIND_ERRORS = ("_type", "_parsing")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (YAML or JSON).

    Raises:
        InputError: listing every problem found, each naming file, field and value.
    """
    return load_model(path, Scenario)


def load_plan(ref: str | Path, scenario: Scenario) -> Plan:
    """A transfer plan: a plan file, or the name of a plan kept in the scenario.

    The plan is checked against the scenario (its people and classes).

    Raises:
        InputError: the file is bad, names what the scenario lacks, or no such plan exists.
    """
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
        plan = load_model(path, Plan)
        try:
            check_plan(plan, scenario)
        except ValidationError as error:
            raise InputError(problems_from_validation(str(path), error)) from None
        return plan
    plan = scenario.plan(str(ref))
    if plan is None:
        names = ", ".join(p.name for p in scenario.plans) or "none"
        raise InputError([Problem(
            "command line", "--plan", value_repr(str(ref)),
            f"no plan file of that name, and no plan called that in scenario "
            f"'{scenario.name}' (its plans: {names})",
        )])
    return plan


def is_plan_document(data: dict) -> bool:
    """A document with `actions` and no `services` is a plan file."""
    return "actions" in data and "services" not in data


def load_model(path: str | Path, model_cls: type[M]) -> M:
    """Load a YAML or JSON file and validate it as `model_cls`.

    Raises:
        InputError: listing every problem found, each naming file, field and value.
    """
    name = str(path)
    data = load_document(path)
    try:
        return model_cls.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from_validation(name, error, data, model_cls)) from None
    except RecursionError:
        raise file_error(name, "the document nests too deeply to validate") from None


def problems_from_validation(
    file: str, error: ValidationError, data: Any = None, model_cls: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn pydantic's errors into Problems, folding the noise of union branches.

    Args:
        file: The file name to report.
        error: The pydantic error.
        data: The raw document that was validated, used to tell real field names in an error's
            location from pydantic's union-branch tags (e.g. 'Skill', 'constrained-float').
        model_cls: The model validated, used to list the allowed fields next to an unknown one.
    """
    entries = [(_real_location(d["loc"], d["type"], data), d) for d in error.errors()]
    entries = _drop_kind_noise(entries)
    grouped: dict[tuple, list[dict]] = {}
    for loc, detail in entries:
        grouped.setdefault(loc, []).append(detail)
    problems = []
    for loc, details in grouped.items():
        messages = list(dict.fromkeys(_message(d, loc, model_cls) for d in details))
        first = details[0]
        value = None if first["type"] == "missing" else value_repr(first.get("input"))
        problems.append(Problem(file, format_path(loc), value, _either(messages)))
    return problems


def format_path(loc: tuple) -> str:
    """('rotation', 'primary', 'members', 2) -> 'rotation.primary.members[2]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _plain_key(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out


# -- validation errors -------------------------------------------------------------------------


def _real_location(loc: tuple, error_type: str, data: Any) -> tuple:
    """Drop pydantic's union-branch tags from a location, keeping the document's own keys."""
    real: list = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, list) and isinstance(part, int):
            real.append(part)
            current = current[part] if -len(current) <= part < len(current) else None
        elif isinstance(current, dict) and part in current:
            real.append(part)
            current = current[part]
        elif isinstance(current, dict) and error_type == "missing" and i == len(loc) - 1:
            real.append(part)  # a missing required field: absent from the document, yet real
        elif current is None:
            real.append(part)  # beyond what the document holds; trust pydantic
        # else: a union-branch tag such as 'Skill' or 'constrained-float', not a field
    return tuple(real)


def _drop_kind_noise(entries: list[tuple[tuple, dict]]) -> list[tuple[tuple, dict]]:
    """In a union, 'not a number' next to 'knowledge must be <= 1' is noise: keep the latter."""
    def is_kind(detail: dict) -> bool:
        return detail["type"].endswith(_KIND_ERRORS)

    substantive = [loc for loc, d in entries if not is_kind(d)]
    kept = []
    for loc, detail in entries:
        if is_kind(detail) and any(other[: len(loc)] == loc for other in substantive):
            continue
        kept.append((loc, detail))
    return kept


def _message(detail: dict, loc: tuple, model_cls: type[BaseModel] | None) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return _unknown_field_message(loc, model_cls)
    if kind == "string_pattern_mismatch" and detail.get("ctx", {}).get("pattern") == (
        IDENTIFIER_PATTERN
    ):
        return ("not a valid id: use letters, digits, '_', '.' and '-', starting with a letter "
                "or digit")
    message = detail["msg"]
    # pydantic prefixes errors raised in validators with "Value error, "; it adds nothing.
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _either(messages: list[str]) -> str:
    """Join the complaints of a union's branches: 'Input should be A, or B'."""
    rest = [m.removeprefix("Input should be ") for m in messages[1:]]
    return ", or ".join([messages[0], *rest])


def _unknown_field_message(loc: tuple, model_cls: type[BaseModel] | None) -> str:
    model = _model_at(model_cls, loc[:-1]) if model_cls and loc else None
    if model is None:
        return "unknown field (check the spelling; `herosim schema` lists the fields)"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown field; {hint}allowed here: {', '.join(allowed)}"


def _model_at(model_cls: Any, loc: tuple) -> type[BaseModel] | None:
    """The model class that validates the value at `loc`, when one does (best effort)."""
    annotation = model_cls
    for part in loc:
        annotation = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and pick the model (or container) out of a union such as `X | None`."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
            structured = [m for m in members if typing.get_origin(m) in (list, dict)
                          or (isinstance(m, type) and issubclass(m, BaseModel))]
            annotation = (structured or members)[0]
        else:
            return annotation


# -- helpers -----------------------------------------------------------------------------------


def _plain_key(key: str) -> bool:
    return key.replace("_", "a").replace("-", "a").isalnum()
