"""Helpers for tests that spoil a plan: every key path in it, and a copy with one changed."""

from __future__ import annotations

import copy
import re
from typing import Any

DELETE = object()
"""Pass as the value to `mutate` to remove the key instead."""


def mutate(
    data: dict[str, Any], path: str | tuple[str | int, ...], value: object
) -> dict[str, Any]:
    """Return a copy of data with the value at path replaced (or deleted).

    A string path is split on dots; a tuple path names each key exactly (a parameter
    name such as ``startup_subsidy.amount`` is one key holding a dot).
    """
    data = copy.deepcopy(data)
    keys: list[str | int] = (
        [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
        if isinstance(path, str)
        else list(path)
    )
    *parents, last = keys
    node: Any = data
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


def paths(node: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Return the key path of every value below ``node``, as tuples of keys."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths(value, (*prefix, index))
    return out
