"""Typed documents <-> JSON: the one conversion for analyses whose results are dataclasses.

An analysis returns a dataclass whose fields are the JSON keys of its document (as
docs/outputs.md lists them); `to_json` writes it in field order and `from_json` reads it back
(a report built from a results folder reads the same types the analysis returned). Renderers read
fields, never string keys.

A field with `metadata={"omit_if_none": True}` is left out of the JSON while it is None (an arm
of a replay that was not run); a key missing from a document read back takes the field's
default, or None.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")

OMIT_IF_NONE = {"omit_if_none": True}


def to_json(value: Any) -> Any:
    """A typed document (or any nesting of dataclasses, dicts, lists and tuples) as plain JSON
    types, keys in field order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None and f.metadata.get("omit_if_none"):
                continue
            out[f.name] = to_json(item)
        return out
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type[T], data: Any) -> T:
    """Read a document written by `to_json` back into its type `cls`.

    Raises:
        ValueError: the data does not have the document's shape.
    """
    return _convert(cls, data)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise ValueError(f"expected an object for {kind.__name__}, got {type(data).__name__}")
        hints = _hints(kind)
        values = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                values[f.name] = _convert(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                values[f.name] = None
        return kind(**values)
    if origin in (list, tuple):
        args = typing.get_args(kind)
        item = args[0] if args else Any
        items = [_convert(item, v) for v in data]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        _, value = typing.get_args(kind) or (Any, Any)
        return {k: _convert(value, v) for k, v in data.items()}
    return data
