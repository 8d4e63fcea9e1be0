"""Pydantic's validation errors -> Problems that say what to write instead.

Every input module turns a failed validation into `Problem`s here (`problems_from_validation`),
so that every file gets the same help:

- an unknown field names the closest *documented* key (`class`, `from`: the keys a user writes,
  not the attribute names behind them);
- a number or a list where a mapping belongs shows the mapping to write
  (`work_minutes: {median: 30}`, `secondary: {members: [sam]}`), once, not once per element;
- an unquoted comma that split a text in a `{...}` mapping is named as such, with the quoted
  text to write;
- the noise of union branches is folded away.

`reference_problems` finds the people, classes and services a document names that it does
not define, on the raw document: the model checks its references only once every field has
parsed, so without it a misspelt class appears only after every other error is fixed.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import Problem
from sim.inputs.files import kind_of, value_repr
from sim.schema import IDENTIFIER_PATTERN, unknown

# Error types meaning "this is not even the right kind of value"; in a union (e.g. a skill given
# as a number or as a mapping) they are noise next to the branch that matched the kind.
_KIND_ERRORS = ("_type", "_parsing")
# "Not a mapping" where a model belongs.
_NOT_A_MAPPING = ("model_type", "model_attributes_type", "dict_type")


def problems_from_validation(
    file: str, error: ValidationError, data: Any = None, model_cls: type[BaseModel] | None = None
) -> list[Problem]:
    """Turn pydantic's errors into Problems, folding the noise of union branches.

    Args:
        file: The file name to report.
        error: The pydantic error.
        data: The raw document that was validated, used to tell real field names in an error's
            location from pydantic's union-branch tags (e.g. 'Skill', 'constrained-float'), and
            to show what to write instead of what was written.
        model_cls: The model validated, used to list the allowed fields next to an unknown one
            and the fields of a mapping that was expected.
    """
    entries = [(_real_location(d["loc"], d["type"], data), d) for d in error.errors()]
    entries = _fold_lists_of_scalars(_drop_kind_noise(entries), data)
    grouped: dict[tuple, list[dict]] = {}
    for loc, detail in entries:
        grouped.setdefault(loc, []).append(detail)
    problems = []
    for loc, details in grouped.items():
        messages = list(dict.fromkeys(_message(d, loc, model_cls, data) for d in details))
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


def _fold_lists_of_scalars(entries: list[tuple[tuple, dict]], data: Any
                           ) -> list[tuple[tuple, dict]]:
    """`primary: [lee, kim]` where schedules belong is one mistake, not one per person: the
    errors of a list whose elements are all plain values become one, about the list."""
    folded: list[tuple[tuple, dict]] = []
    seen: set[tuple] = set()
    for loc, detail in entries:
        parent = _at(data, loc[:-1]) if loc and isinstance(loc[-1], int) else None
        if (detail["type"] in _NOT_A_MAPPING and isinstance(parent, list)
                and not any(isinstance(v, dict) for v in parent)):
            if loc[:-1] not in seen:
                seen.add(loc[:-1])
                folded.append((loc[:-1], {**detail, "input": parent}))
            continue
        folded.append((loc, detail))
    return folded


def _message(detail: dict, loc: tuple, model_cls: type[BaseModel] | None, data: Any) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return _unknown_field_message(loc, model_cls, data)
    if kind in _NOT_A_MAPPING or (kind == "list_type" and not isinstance(
            detail.get("input"), list | dict)):
        hint = _mapping_hint(loc, detail.get("input"), model_cls)
        if hint:
            return hint
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


def _unknown_field_message(loc: tuple, model_cls: type[BaseModel] | None, data: Any) -> str:
    key = str(loc[-1]) if loc else ""
    split = _split_text(loc, data)
    if split:
        return split
    model = _model_at(model_cls, loc[:-1], data) if model_cls and loc else None
    if model is None:
        return "unknown field (check the spelling; `herosim schema` lists the fields)"
    allowed = list(_keys(model))
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown field; {hint}allowed here: {', '.join(allowed)}"


def _split_text(loc: tuple, data: Any) -> str | None:
    """An unquoted comma in `{reason: spring holiday, two weeks}` makes 'two weeks' a key with
    no value: say so, and show the quoted text to write."""
    parent = _at(data, loc[:-1])
    key = loc[-1] if loc else None
    if not isinstance(parent, dict) or parent.get(key, "") is not None or not (
            isinstance(key, str) and " " in key.strip()):
        return None
    keys = list(parent)
    before = keys[keys.index(key) - 1] if keys.index(key) > 0 else None
    if before is None or not isinstance(parent[before], str):
        return None
    return (f"'{key}' reads as a field with no value: an unquoted comma inside {{...}} ends a "
            f"text; put the whole text in quotes: {before}: \"{parent[before]}, {key}\"")


def _mapping_hint(loc: tuple, value: Any, model_cls: type[BaseModel] | None) -> str | None:
    """What to write where a mapping (a model) belongs and a number, text or list was given."""
    model = _model_at(model_cls, loc) if model_cls else None
    if model is None:
        return None
    keys = _keys(model)
    required = [key for key, field in keys.items() if field.is_required()]
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "it")
    if len(required) == 1:
        field = keys[required[0]]
        listed = typing.get_origin(_unwrap(field.annotation)) is list
        shown = _yaml_value(value if not listed or isinstance(value, list) else [value])
        example = f"{name}: {{{required[0]}: {shown}}}"
    else:
        example = f"{name}: {{{', '.join(f'{k}: ...' for k in required or list(keys)[:2])}}}"
    return (f"a mapping of fields is needed here, not a {kind_of(value)}: write `{example}` "
            f"(fields: {', '.join(keys)})")


def _yaml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    return str(value)


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    """A model's fields by the key a user writes (its alias, when it has one)."""
    return {field.alias or name: field for name, field in model.model_fields.items()}


def _model_at(model_cls: Any, loc: tuple, data: Any = None) -> type[BaseModel] | None:
    """The model class that validates the value at `loc`, when one does (best effort); with
    the raw document `data`, a tagged union's branch is the one its `kind` names."""
    annotation = model_cls
    for depth, part in enumerate(loc):
        annotation = _unwrap(annotation, _at(data, loc[:depth]))
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _keys(annotation).get(str(part)) or annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation, _at(data, loc))
    if typing.get_origin(annotation) is list:  # a list of layers given as one plain value
        annotation = _unwrap(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any, value: Any = None) -> Any:
    """Strip Annotated and pick the model (or container) out of a union such as `X | None`:
    of a union tagged by `kind` (the plan's actions), the branch `value`'s kind names."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
            structured = [m for m in members if typing.get_origin(m) in (list, dict)
                          or (isinstance(m, type) and issubclass(m, BaseModel))]
            annotation = _tagged(structured, value) or (structured or members)[0]
        else:
            return annotation


def _tagged(members: list[Any], value: Any) -> type[BaseModel] | None:
    """The member of a union whose `kind` literal is `value`'s kind, if any."""
    kind = value.get("kind") if isinstance(value, dict) else None
    for member in members:
        field = member.model_fields.get("kind") if isinstance(member, type) and issubclass(
            member, BaseModel) else None
        if kind is not None and field is not None and kind in typing.get_args(field.annotation):
            return member
    return None


# -- references on the raw document ------------------------------------------------------------

ANY = "*"  # every element of a list, every value of a mapping
KEYS = "<keys>"  # the keys of a mapping are the references (skills: {class: level})
LAYER = "<layer>"  # one schedule, or a list of schedules (rotation.primary)

_PLAN = (
    (("actions", ANY, ("learners", "people"), ANY), "person"),
    (("actions", ANY, ("hero", "author")), "person"),
    (("actions", ANY, "classes", ANY), "class"),
    (("actions", ANY, "services", ANY), "service"),
    (("actions", ANY, ("schedule", "primary", "secondary"), LAYER, "members", ANY), "person"),
)
_SCENARIO = (
    (("heroes", ANY), "person"),
    (("classes", ANY, "service"), "service"),
    (("classes", ANY, "requires", ANY), "person"),
    (("people", ANY, "skills", KEYS), "class"),
    (("rotation", ("primary", "secondary", "shadow"), LAYER, "members", ANY), "person"),
    (("escalation", "levels", ANY, "people", ANY), "person"),
    (("services", ANY, "changes", ("leaders", "needs"), ANY), "person"),
    (("services", ANY, "changes", "rollback_class"), "class"),
    (("runbooks", ANY, "class"), "class"),
    (("events", ANY, ("join", "leave", "away")), "person"),
    (("events", ANY, "appears"), "class"),
    *((("plans", ANY, *pattern), kind) for pattern, kind in _PLAN),
)


def defined_ids(scenario: Any) -> dict[str, set[str]]:
    """The ids a raw scenario document defines: {"person": ..., "class": ..., "service": ...};
    a section that is not a list of mappings is left out (its references cannot be judged)."""
    ids = {}
    for kind, section in (("person", "people"), ("class", "classes"), ("service", "services")):
        items = scenario.get(section) if isinstance(scenario, dict) else None
        if isinstance(items, list) and items:
            ids[kind] = {str(i.get("id")) for i in items if isinstance(i, dict)}
    return ids


def reference_problems(file: str, document: Any, ids: dict[str, set[str]],
                       plan: bool = False) -> list[Problem]:
    """Every person, class and service `document` names that `ids` lacks, found on the raw
    document (so they are reported with the other problems of a file that does not parse).

    Args:
        file: the file name to report.
        document: the raw document (a scenario, or with `plan` a plan file).
        ids: what exists, as `defined_ids` gives it.
        plan: the document is a plan file (checked against a scenario's ids).
    """
    problems = []
    for pattern, kind in _PLAN if plan else _SCENARIO:
        if kind not in ids:
            continue
        for loc, value in _matches(document, pattern, ()):
            if isinstance(value, str) and value not in ids[kind]:
                problems.append(Problem(file, format_path(loc), value_repr(value),
                                        unknown(kind, value, ids[kind])))
    return problems


def _matches(node: Any, pattern: tuple, loc: tuple) -> Iterator[tuple[tuple, Any]]:
    """(location, value) of everything in `node` that `pattern` reaches."""
    if not pattern:
        yield loc, node
        return
    step, rest = pattern[0], pattern[1:]
    if step == LAYER:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _matches(item, rest, (*loc, i))
        else:
            yield from _matches(node, rest, loc)
    elif step == KEYS:
        if isinstance(node, dict):
            for key in node:
                yield (*loc, key), key
    elif step == ANY:
        items = enumerate(node) if isinstance(node, list) else (
            node.items() if isinstance(node, dict) else ())
        for key, item in items:
            yield from _matches(item, rest, (*loc, key))
    elif isinstance(node, dict):
        for key in step if isinstance(step, tuple) else (step,):
            if key in node:
                yield from _matches(node[key], rest, (*loc, key))


# -- helpers -----------------------------------------------------------------------------------


def _at(data: Any, loc: tuple) -> Any:
    """The value at `loc` in a raw document, or None."""
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and -len(data) <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _plain_key(key: str) -> bool:
    return key.replace("_", "a").replace("-", "a").isalnum()
