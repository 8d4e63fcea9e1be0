"""Scenario files -> validated models, with every problem named precisely.

A file goes through three gates, and each one reports in the same shape (`Problem`): the bytes
(exists, a file, not too large, UTF-8), the document (YAML or JSON that parses, no alias bomb,
a mapping at the top) and the model (pydantic, including the scenario's cross-reference checks).
Nothing here prints; the CLI renders `InputError` however it likes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import InputError, Problem
from sim.schema import IDENTIFIER_PATTERN, Plan, Scenario, check_plan

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 5 * 1024 * 1024
# A scenario is a few hundred nodes; a document that expands (through aliases) to more than
# this is a mistake or a billion-laughs bomb, and validating it would exhaust memory.
MAX_EXPANDED_NODES = 200_000
# libyaml's composer recurses in C: a document nested thousands deep would crash the process
# rather than raise, so nesting is measured on the (iterative) event stream first.
MAX_NESTING = 100
MAX_VALUE_CHARS = 60
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
            "command line", "--plan", _short(str(ref)),
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
        raise _file_error(name, "the document nests too deeply to validate") from None


def load_document(path: str | Path) -> dict[str, Any]:
    """Read a file into a plain mapping, refusing anything that is not a sane document.

    Raises:
        InputError: the file is missing, unreadable, too large, not UTF-8, not YAML/JSON,
            an alias bomb, or not a mapping at the top level.
    """
    name = str(path)
    text = _read_text(Path(path), name)
    if not text.strip():
        raise _file_error(name, "the file is empty; expected a mapping such as 'name: my-team'")
    try:
        data = _parse(text, name)
    except RecursionError:
        raise _file_error(name, "the document nests too deeply") from None
    if data is None:
        raise _file_error(name, "the file holds no data (only comments?); expected a mapping "
                          "such as 'name: my-team'")
    if not isinstance(data, dict):
        raise InputError([Problem(
            name, "", _short(data),
            f"the top level is a {_kind(data)}; expected a mapping of fields "
            "(name, services, classes, people, rotation, ...)",
        )])
    return data


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
        value = None if first["type"] == "missing" else _short(first.get("input"))
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


# -- bytes -------------------------------------------------------------------------------------


def _read_text(path: Path, name: str) -> str:
    if not path.exists():
        raise _file_error(name, "no such file")
    if path.is_dir():
        raise _file_error(name, "this is a directory; expected a scenario file (.yaml or .json)")
    if not path.is_file():
        raise _file_error(name, "not a regular file (a device or pipe?); expected a scenario file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _file_error(name, f"the file is {size / 1e6:.1f} MB; the limit is "
                              f"{MAX_FILE_BYTES // (1024 * 1024)} MB for a scenario")
        raw = path.read_bytes()
    except OSError as error:
        raise _file_error(name, f"cannot read the file: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _file_error(name, f"the file is not UTF-8 text (byte {raw[error.start]:#04x} at "
                          f"offset {error.start}, line {line}); save it as UTF-8") from None


# -- document ----------------------------------------------------------------------------------


def _parse(text: str, name: str) -> Any:
    """JSON when it looks like JSON and parses as such; YAML otherwise."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as json_error:
            try:
                return _parse_yaml(text, name)
            except InputError:
                raise _file_error(name, f"invalid JSON at line {json_error.lineno}, column "
                                  f"{json_error.colno}: {json_error.msg}") from None
    return _parse_yaml(text, name)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader with YAML 1.2 booleans: only true/false are booleans.

    YAML 1.1 also reads yes/no/on/off as booleans, so the hour class `off` as a key would turn
    into False; a scenario means the word.
    """


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# YAML 1.1 also reads 10:05 as the base-60 integer 605; a game-day file means the clock time.
# Integers keep every other YAML 1.1 form (0x1f, 1_000, 017).
_INT = "tag:yaml.org,2002:int"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _INT]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _INT, re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)
                     |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789")
)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        _check_nesting(text, name)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):
            # PyYAML >= 6.0.4 stops absurd nesting itself, before our own count sees it.
            line = error.problem_mark.line + 1 if error.problem_mark else "?"
            raise _file_error(name, f"the document nests more than {MAX_NESTING} levels deep "
                              f"(at line {line}); a scenario needs a handful") from None
        raise _file_error(name, _yaml_message(error)) from None
    except yaml.YAMLError as error:
        raise _file_error(name, f"invalid YAML: {error}") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_node_graph(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise _file_error(name, _yaml_message(error)) from None
    except yaml.YAMLError as error:
        raise _file_error(name, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()


def _check_nesting(text: str, name: str) -> None:
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise _file_error(name, f"the document nests more than {MAX_NESTING} levels "
                                      f"deep (at line {line}); a scenario needs a handful")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _yaml_message(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    message = f"invalid YAML{where}: {error.problem or 'cannot parse'}"
    context_mark = error.context_mark
    if error.context and context_mark and context_mark is not mark:
        message += (f" ({error.context} that starts at line {context_mark.line + 1}, "
                    f"column {context_mark.column + 1})")
    elif error.context:
        message += f" ({error.context})"
    return message


def _check_node_graph(root: yaml.Node, name: str) -> None:
    """Refuse alias bombs, recursive aliases and duplicate keys before building anything.

    Aliases share nodes, so the graph is small while its expansion can be astronomically large;
    the expanded size is computed over the shared graph (memoised), never by expanding it.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # Iterative post-order walk: documents may nest deeper than Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                raise _file_error(name, f"the document expands to more than "
                                  f"{MAX_EXPANDED_NODES:,} values through YAML aliases "
                                  f"(*name); a scenario needs far fewer (alias bomb?)")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _file_error(name, f"a YAML alias refers to its own anchor (line "
                              f"{node.start_mark.line + 1}); recursive documents are not allowed")
        if isinstance(node, yaml.MappingNode):
            _check_duplicate_keys(node, name)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_duplicate_keys(node: yaml.MappingNode, name: str) -> None:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            raise _file_error(name, f"duplicate key '{key_node.value}' at line {line} (first at "
                              f"line {seen[key_node.value]}); the second would silently "
                              "replace the first")
        seen[key_node.value] = line


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


def _file_error(name: str, message: str) -> InputError:
    return InputError([Problem(name, "", None, message)])


def _short(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    try:
        text = repr(value)
    except RecursionError:
        text = "<recursive value>"
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number",
            bool: "boolean"}.get(type(value), type(value).__name__)


def _plain_key(key: str) -> bool:
    return key.replace("_", "a").replace("-", "a").isalnum()
