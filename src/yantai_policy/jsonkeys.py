"""JSON text whose objects give each key once: the one check for plan files and records.

`json.loads` keeps the last of a repeated key silently, so ``{"id": "A", "id": "B"}``
would read as ``{"id": "B"}``. [loads][yantai_policy.jsonkeys.loads] reads the same
text and refuses such an object, naming the key's path (``contributions[0].month``),
for the plan loader and for every record reader (JSON, JSONL).

Examples:
    >>> loads('{"a": {"b": 1}}')
    {'a': {'b': 1}}
    >>> loads('{"a": [{"b": 1, "b": 2}]}')
    Traceback (most recent call last):
    ...
    yantai_policy.jsonkeys.DuplicateKeyError: a[0].b: the key appears twice
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["REASON", "DuplicateKeyError", "loads"]

REASON = "the key appears twice"
"""The reason every reader gives for a repeated key (the path says which)."""


class DuplicateKeyError(ValueError):
    """A JSON object gives a key twice.

    Attributes:
        path: The repeated key's path, as the record contract names fields
            (``contributions[0].month``; a top-level key is its name, an empty key
            ``""``).
    """

    def __init__(self, path: str) -> None:
        """Keep the path; the message is ``<path>: the key appears twice``."""
        self.path = path
        super().__init__(f"{path}: {REASON}")


class _Repeated(dict[str, Any]):
    """An object that gave a key twice (the last value kept), marked with that key."""

    repeated: str


def loads(text: str, **kwargs: Any) -> Any:  # noqa: ANN401 - any JSON value
    """Read JSON text as `json.loads` does, refusing an object that gives a key twice.

    Args:
        text: The JSON text.
        **kwargs: Passed to `json.loads` (``parse_float``, ``parse_constant``), except
            ``object_pairs_hook``, which this function sets.

    Raises:
        DuplicateKeyError: An object gives a key twice; the first such object found
            from the top, in document order, is named.
        json.JSONDecodeError: The text is not JSON (as `json.loads` raises it).
    """
    found = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        out = dict(items)
        if len(out) == len(items):
            return out
        found = True
        marked = _Repeated(out)
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                marked.repeated = key
                break
            seen.add(key)
        return marked

    value = json.loads(text, object_pairs_hook=pairs, **kwargs)
    if found:
        raise DuplicateKeyError(_first_repeated(value))
    return value


def _child(path: str, key: str) -> str:
    """The path of a key of the object at ``path`` (an empty key shown as ``""``)."""
    name = key or '""'
    return f"{path}.{name}" if path else name


def _first_repeated(value: object) -> str:
    """The path of the first repeated key, walking from the top in document order."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, _Repeated):
            return _child(path, item.repeated)
        if isinstance(item, dict):
            stack.extend((_child(path, key), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in reversed(list(enumerate(item))))
    raise AssertionError("no repeated key")  # pragma: no cover - only called when one is
