"""What every input file goes through before it is a model: its bytes, then its document.

Each input module (the scenario and plan loader, game-day observations, ...) reads its files
here, so that every file gets the same two gates and the same error shape (`sim.errors.Problem`:
file, field path, value, what to write):

- **bytes** (`read_text`): the path exists, is a regular file, is not too large, and is UTF-8;
- **document** (`parse_document`, `load_document`): JSON, or YAML read by `YamlLoader` (a safe
  loader with YAML 1.2 booleans and clock times), with no alias bomb, no recursive alias, no
  absurd nesting and no duplicate key, and (`load_document`) a mapping at the top.

The third gate, the model (pydantic), is each input's own (`sim.inputs.scenario.load_model`).
Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
# A scenario is a few hundred nodes; a document that expands (through aliases) to more than
# this is a mistake or a billion-laughs bomb, and validating it would exhaust memory.
MAX_EXPANDED_NODES = 200_000
# libyaml's composer recurses in C: a document nested thousands deep would crash the process
# rather than raise, so nesting is measured on the (iterative) event stream first.
MAX_NESTING = 100
MAX_VALUE_CHARS = 60


def file_error(name: str, message: str) -> InputError:
    """An `InputError` about a file as a whole (no field path, no single value).

    Args:
        name: the file as the user named it.
        message: what is wrong and what would be valid.
    """
    return InputError([Problem(name, "", None, message)])


def value_repr(value: Any) -> str:
    """The offending value as a `Problem` shows it: its repr, cut to `MAX_VALUE_CHARS`.

    Dates show as ISO text (as they were written); a self-referencing value does not recurse.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    try:
        text = repr(value)
    except RecursionError:
        text = "<recursive value>"
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


def kind_of(value: Any) -> str:
    """What a parsed value is, in a user's words: list, string, number, boolean, ..."""
    return {list: "list", str: "string", int: "number", float: "number",
            bool: "boolean"}.get(type(value), type(value).__name__)


def foreign_delimiter(name: str, header: list[str], where: str) -> InputError | None:
    """The error for a CSV written with another delimiter (`;` from a spreadsheet set to a
    European locale, or tabs), whose header then reads as one long column; else None."""
    if len(header) != 1:
        return None
    for delimiter, label in ((";", "semicolons"), ("\t", "tabs")):
        if delimiter in header[0]:
            columns = [c.strip() for c in header[0].split(delimiter)]
            return InputError([Problem(
                name, where, value_repr(", ".join(columns[:6])),
                f"the columns are separated by {label}; herosim reads comma-separated CSV: "
                "export again with commas (in a spreadsheet: CSV, field separator ',') or "
                "replace the delimiter")])
    return None


# -- bytes -------------------------------------------------------------------------------------


def read_text(path: str | Path, name: str | None = None) -> str:
    """The text of an input file, refusing what is not a small UTF-8 file.

    Args:
        path: the file.
        name: the file as the user named it, for messages (default: `str(path)`).

    Raises:
        InputError: no such file, a directory or device, larger than `MAX_FILE_BYTES`,
            unreadable, or not UTF-8 (the message gives the byte, offset and line).
    """
    path = Path(path)
    name = str(path) if name is None else name
    if not path.exists():
        raise file_error(name, "no such file")
    if path.is_dir():
        raise file_error(name, "this is a directory; expected a scenario file (.yaml or .json)")
    if not path.is_file():
        raise file_error(name, "not a regular file (a device or pipe?); expected a scenario file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise file_error(name, f"the file is {size / 1e6:.1f} MB; the limit is "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} MB for a scenario")
        raw = path.read_bytes()
    except OSError as error:
        raise file_error(name, f"cannot read the file: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise file_error(name, f"the file is not UTF-8 text (byte {raw[error.start]:#04x} at "
                         f"offset {error.start}, line {line}); save it as UTF-8") from None


# -- document ----------------------------------------------------------------------------------


def load_document(path: str | Path) -> dict[str, Any]:
    """Read a file into a plain mapping, refusing anything that is not a sane document.

    Raises:
        InputError: the file is missing, unreadable, too large, not UTF-8, not YAML/JSON,
            an alias bomb, or not a mapping at the top level.
    """
    name = str(path)
    text = read_text(path, name)
    if not text.strip():
        raise file_error(name, "the file is empty; expected a mapping such as 'name: my-team'")
    try:
        data = parse_document(text, name)
    except RecursionError:
        raise file_error(name, "the document nests too deeply") from None
    if data is None:
        raise file_error(name, "the file holds no data (only comments?); expected a mapping "
                         "such as 'name: my-team'")
    if not isinstance(data, dict):
        raise InputError([Problem(
            name, "", value_repr(data),
            f"the top level is a {kind_of(data)}; expected a mapping of fields "
            "(name, services, classes, people, rotation, ...)",
        )])
    return data


def parse_document(text: str, name: str) -> Any:
    """JSON when it looks like JSON and parses as such; YAML (`parse_yaml`) otherwise.

    Args:
        text: the document.
        name: the file it came from, for messages.

    Raises:
        InputError: neither valid JSON nor valid, sane YAML (the JSON error is reported when
            the text looked like JSON).
    """
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as json_error:
            try:
                return parse_yaml(text, name)
            except InputError:
                raise file_error(name, f"invalid JSON at line {json_error.lineno}, column "
                                 f"{json_error.colno}: {json_error.msg}") from None
    return parse_yaml(text, name)


class YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader with YAML 1.2 booleans and clock times, for every herosim input.

    YAML 1.1 also reads yes/no/on/off as booleans, so the hour class `off` as a key would turn
    into False; and it reads 10:05 as the base-60 integer 605 where a game-day file means the
    clock time. Only true/false are booleans here, and integers keep every other YAML 1.1 form
    (0x1f, 1_000, 017). Use it through `parse_yaml` (which adds the safety checks), or
    directly to compose a node tree (`yaml.compose(text, Loader=YamlLoader)`).
    """


_BOOL = "tag:yaml.org,2002:bool"
YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_INT = "tag:yaml.org,2002:int"
YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _INT]
    for first, resolvers in YamlLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _INT, re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)
                     |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789")
)

# What each typed scalar is, in a user's words, for the message when its conversion fails.
_SCALAR_KINDS = {
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date that exists",
    "tag:yaml.org,2002:binary": "base64 data",
}


def _guarded(tag: str, construct):
    """A scalar constructor whose conversion errors become YAML errors with a line: PyYAML
    raises a bare ValueError (a date that does not exist, `!!int ninety`) with no position."""
    def constructor(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, OverflowError) as error:
            # Only a date's error says something a user can act on ("day is out of range").
            detail = f" ({error})" if tag.endswith("timestamp") and str(error) else ""
            # A plain scalar that merely looks typed (2026-02-30) vs an explicit `!!int` tag.
            implicit = loader.resolve(yaml.ScalarNode, node.value, (True, False)) == tag
            fix = ("correct it, or put it in quotes to keep it as text" if implicit else
                   f"write {_SCALAR_KINDS[tag]}, or drop the tag")
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not {_SCALAR_KINDS[tag]}{detail}; {fix}",
                node.start_mark) from None
    return constructor


for _tag in _SCALAR_KINDS:
    YamlLoader.add_constructor(_tag, _guarded(_tag, YamlLoader.yaml_constructors[_tag]))


def parse_yaml(text: str, name: str) -> Any:
    """A YAML document as plain data, refusing what would hang, crash or mislead.

    Nesting is measured on the event stream before anything is composed; the node graph is
    checked for alias bombs, recursive aliases and duplicate keys before it is constructed.

    Args:
        text: the document.
        name: the file it came from, for messages.

    Raises:
        InputError: invalid YAML (with line and column), or one of the refusals above.
    """
    try:
        _check_nesting(text, name)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):
            # PyYAML >= 6.0.4 stops absurd nesting itself, before our own count sees it.
            line = error.problem_mark.line + 1 if error.problem_mark else "?"
            raise file_error(name, f"the document nests more than {MAX_NESTING} levels deep "
                             f"(at line {line}); a scenario needs a handful") from None
        raise file_error(name, _yaml_message(error, text)) from None
    except yaml.YAMLError as error:
        raise file_error(name, f"invalid YAML: {error}") from None
    loader = YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_node_graph(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise file_error(name, _yaml_message(error, text)) from None
    except yaml.YAMLError as error:
        raise file_error(name, f"invalid YAML: {error}") from None
    finally:
        loader.dispose()


def _check_nesting(text: str, name: str) -> None:
    loader = YamlLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    line = event.start_mark.line + 1 if event.start_mark else "?"
                    raise file_error(name, f"the document nests more than {MAX_NESTING} levels "
                                     f"deep (at line {line}); a scenario needs a handful")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


def _yaml_message(error: yaml.MarkedYAMLError, text: str = "") -> str:
    mark = error.problem_mark or error.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in _indent(lines[mark.line]):
        # libyaml says "found character that cannot start any token" of a tab.
        return (f"invalid YAML{where}: a tab character indents this line; YAML indents "
                "with spaces only: replace the tab with spaces")
    message = f"invalid YAML{where}: {error.problem or 'cannot parse'}"
    context_mark = error.context_mark
    if error.context and context_mark and context_mark is not mark:
        message += (f" ({error.context} that starts at line {context_mark.line + 1}, "
                    f"column {context_mark.column + 1})")
    elif error.context:
        message += f" ({error.context})"
    return message


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


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
                raise file_error(name, f"the document expands to more than "
                                 f"{MAX_EXPANDED_NODES:,} values through YAML aliases "
                                 f"(*name); a scenario needs far fewer (alias bomb?)")
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise file_error(name, f"a YAML alias refers to its own anchor (line "
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
            raise file_error(name, f"duplicate key '{key_node.value}' at line {line} (first at "
                             f"line {seen[key_node.value]}); the second would silently "
                             "replace the first")
        seen[key_node.value] = line
