"""`Document`: the base of every typed document an analysis returns (sim/analysis/types/).

A document is a dataclass whose fields are the keys of its JSON form, in the order they are
written; `to_json()` gives that JSON form (plain dicts, lists and numbers, key order kept) and
`from_json()` reads it back, so a renderer given a results folder's file reads the same fields
as one given the analysis's return value. Two field options, in `field(metadata=...)`:

- `json="class"`: the key when it is not a Python name (`class`);
- `optional=True`: the key is left out when the value is None (a key that only some rows have);
- `inline=True`: a nested document whose keys are written in place, among its parent's (a row
  that carries a shared group of figures, such as a candidate's `Reduction`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Self, get_args, get_origin, is_typeddict


def key(name: str) -> dict[str, Any]:
    """Field metadata: the field is written under the JSON key `name`."""
    return {"json": name}


OPTIONAL: dict[str, Any] = {"optional": True}
INLINE: dict[str, Any] = {"inline": True}


class Document:
    """A dataclass with a JSON form: fields are keys, nested documents are objects."""

    def to_json(self) -> dict[str, Any]:
        """The JSON form: a dict of plain values, keys in field order."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.metadata.get("optional"):
                continue
            if f.metadata.get("inline"):
                out.update(value.to_json())
                continue
            out[f.metadata.get("json", f.name)] = to_plain(value)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """The document from its JSON form; a key the JSON lacks reads as the field's default,
        or None (files written by older versions lack newer keys)."""
        kwargs = {}
        for f, hint in _fields(cls):
            name = f.metadata.get("json", f.name)
            if f.metadata.get("inline"):
                kwargs[f.name] = hint.from_json(data)
            elif name in data:
                kwargs[f.name] = from_plain(hint, data[name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                kwargs[f.name] = None
        return cls(**kwargs)


class Result:
    """What an analysis returns: its typed `document`, beside whatever else a caller needs
    (the check's spec, the advice's plan); `to_json()` is the document's JSON."""

    document: Document

    def to_json(self) -> dict[str, Any]:
        """The document's JSON form: the file docs/outputs.md describes."""
        return self.document.to_json()


def to_plain(value: Any) -> Any:
    """Documents, dicts, lists and tuples of them as plain JSON values."""
    if isinstance(value, Document):
        return value.to_json()
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def from_plain(hint: Any, value: Any) -> Any:
    """A plain JSON value as the type `hint` says (documents inside lists, dicts, unions)."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        documents = [a for a in options if _is_document(a)]
        if documents and isinstance(value, dict):
            return from_plain(documents[0], value)
        return from_plain(options[0], value) if len(options) == 1 else value
    if origin is list and isinstance(value, list):
        (item,) = get_args(hint) or (Any,)
        return [from_plain(item, v) for v in value]
    if origin is dict and isinstance(value, dict):
        _, item = get_args(hint) or (Any, Any)
        return {k: from_plain(item, v) for k, v in value.items()}
    if _is_document(hint) and isinstance(value, dict):
        return hint.from_json(value)
    return value


def _is_document(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Document) and not is_typeddict(hint)


@cache
def _fields(cls: type) -> tuple[tuple[dataclasses.Field, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f, hints[f.name]) for f in dataclasses.fields(cls))
