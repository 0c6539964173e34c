"""Write a plan dict as TOML 1.0 text that `tomllib` reads back as the same dict.

The drafter writes its plan files with [`dumps`][yantai_policy.toml_text.dumps]; the
layout is that of a plan written by hand (``tests/data/example-flexible-2025.toml``):

- the header comments, then each table's plain keys in the order given, then its
  sub-tables and arrays of tables in the order given (TOML puts a table's keys before
  its sub-tables, so a plain key after a sub-table moves up);
- a small table is inline: one of at most three keys whose values are all inline,
  such as ``{ zh = "…", en = "" }`` or ``{ unit = "hrss", role = "lead" }``; an empty
  table is ``{}``;
- a larger table is a ``[table]`` section; a table holding only sub-tables gets no
  header of its own (``[parameters."a.b"]`` implies ``parameters``);
- a list of flat tables (only plain values: strings, numbers, dates, lists of them) is
  an inline array, such as ``assignments = [{ unit = "hrss", role = "lead" }]``, one
  table per line when it is long; a list of tables any of which holds a table is an
  array of tables: ``[[measures]]``, ``[[measures.tasks]]``, ``[[measures.tasks.items]]``;
- strings are basic strings: quotes, backslashes and control characters (C0, DEL and
  C1) escaped, everything else (Chinese, U+2028, emoji) kept literal; keys that are not
  bare keys (``A-Za-z0-9_-``) are quoted.

Values may be `str`, `bool`, `int`, `float`, `datetime.date`, `datetime.datetime`,
`datetime.time`, lists (a tuple is written as a list) and mappings with `str` keys. TOML has no null: a ``None``
anywhere is a `TypeError` naming its key path, as is any other type; a lone surrogate
(which no UTF-8 file can hold) is a `ValueError`.

Examples:
    >>> import tomllib
    >>> plan = {"format_version": 2, "title": {"zh": "标题", "en": ""}, "units": ["hrss"]}
    >>> print(dumps(plan, comments=["A draft."]), end="")
    # A draft.
    format_version = 2
    title = { zh = "标题", en = "" }
    units = ["hrss"]
    >>> tomllib.loads(dumps(plan)) == plan
    True
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

__all__ = ["dumps"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
# What a basic string must escape, and what it escapes to be readable: C0, DEL, C1.
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_INLINE_KEYS = 3
"""The most keys a table written inline has."""
_LINE = 100
"""An inline array of tables longer than this is written one table per line."""


def dumps(data: Mapping[str, Any], *, comments: Sequence[str] = ()) -> str:
    r"""Return ``data`` as TOML text: header comments, then the tables as described above.

    Args:
        data: The document: a mapping with `str` keys.
        comments: Lines of the header comment, each written after ``# ``; a comment with
            line breaks becomes several lines, and control characters in it are written
            as ``\uXXXX``.

    Returns:
        TOML 1.0 text ending in a newline, which `tomllib.loads` reads back as ``data``.

    Raises:
        TypeError: A value TOML cannot hold (``None``, a set, an object) or a key that is
            not a string; the message names its key path.
        ValueError: A string or key holds a lone surrogate; the message names its key path.
    """
    lines = [f"# {_comment(line)}".rstrip() for text in comments for line in text.splitlines()]
    body: list[str] = []
    _table(data, (), body, header=False)
    if lines and body:
        lines.append("")
    return "\n".join([*lines, *body]).rstrip("\n") + "\n" if lines or body else ""


def _comment(text: str) -> str:
    return _TO_ESCAPE.sub(
        lambda m: m.group() if m.group() in '"\\' else f"\\u{ord(m.group()):04x}",
        _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text),
    )


_Path = tuple[str | int, ...]
"""Where a value is: its keys, and its index where it is in a list."""


def _where(path: _Path) -> str:
    """A key path for messages: ``measures[2].tasks[0].text``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out or "the top level"


def _header(path: _Path) -> str:
    """A table's header path: its keys, quoted where not bare (an array's element is its last)."""
    return ".".join(_key(k, path) for k in path if isinstance(k, str))


def _key(key: object, path: _Path) -> str:
    if not isinstance(key, str):
        raise TypeError(f"{_where(path)}: a TOML key is a string, not {type(key).__name__}")
    if _BARE_KEY.fullmatch(key):
        return key
    return _string(key, path)


def _string(text: str, path: _Path) -> str:
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise ValueError(
            f"{_where(path)}: lone surrogate U+{ord(surrogate.group()):04X} at offset "
            f"{surrogate.start()}: no TOML file can hold it"
        )
    body = _TO_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)
    return f'"{body}"'


def _scalar(value: object, path: _Path) -> str | None:
    """The TOML for a plain value, or None where the value is a table or a list."""
    if isinstance(value, str):
        return _string(value, path)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, dt.time) and value.tzinfo is not None:
        raise TypeError(f"{_where(path)}: TOML cannot hold a time of day with an offset")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return None
    what = "None" if value is None else type(value).__name__
    raise TypeError(f"{_where(path)}: TOML cannot hold {what}")


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _is_table(value: object) -> TypeGuard[Mapping[str, Any]]:
    return isinstance(value, Mapping)


def _is_table_list(value: object) -> TypeGuard[Sequence[Mapping[str, Any]]]:
    return isinstance(value, list | tuple) and bool(value) and all(map(_is_table, value))


def _flat(table: Mapping[str, Any]) -> bool:
    """Whether a table holds only plain values and lists of them (no table anywhere)."""
    return not any(_holds_table(v) for v in table.values())


def _holds_table(value: object) -> bool:
    if _is_table(value):
        return True
    return isinstance(value, list | tuple) and any(map(_holds_table, value))


def _inline_table(table: Mapping[str, Any]) -> bool:
    """Whether a table (the value of a key) is written inline: small, and all of it inline."""
    if not table:
        return True
    return len(table) <= _INLINE_KEYS and all(_inline_value(v) for v in table.values())


def _inline_value(value: object) -> bool:
    if _is_table(value):
        return _inline_table(value)
    if _is_table_list(value):
        return all(_flat(t) for t in value)
    return True


def _inline(value: object, path: _Path) -> str:
    """Any value as inline TOML (one line): the form a value inside an inline one takes."""
    scalar = _scalar(value, path)
    if scalar is not None:
        return scalar
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = (f"{_key(k, path)} = {_inline(v, (*path, k))}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    assert isinstance(value, list | tuple)  # noqa: S101 - what _scalar leaves
    items = [_inline(v, (*path, i)) for i, v in enumerate(value)]
    return "[" + ", ".join(items) + "]"


def _array(key: str, value: Sequence[Any], path: _Path) -> str:
    """An inline array as the value of ``key``: one line, or a table or string per line when long."""
    one_line = f"{key} = {_inline(value, path)}"
    if (
        len(one_line) <= _LINE
        or len(value) < 2
        or not all(_is_table(v) or isinstance(v, str) for v in value)
    ):
        return one_line
    items = "".join(f"  {_inline(v, (*path, i))},\n" for i, v in enumerate(value))
    return f"{key} = [\n{items}]"


def _table(table: Mapping[str, Any], path: _Path, out: list[str], *, header: bool) -> None:
    """Write a table's keys, then its sub-tables and arrays of tables, after its header."""
    plain: list[str] = []
    later: list[tuple[str, Any]] = []
    for key, value in table.items():
        here = (*path, key)
        shown = _key(key, path)
        if not _inline_value(value):
            later.append((key, value))
        elif isinstance(value, list | tuple):
            plain.append(_array(shown, value, here))
        else:
            plain.append(f"{shown} = {_inline(value, here)}")
    if header and (plain or not later):
        out.extend((f"[{_header(path)}]", *plain, ""))
    elif plain:
        out.extend((*plain, ""))
    for key, value in later:
        here = (*path, key)
        if _is_table(value):
            _table(value, here, out, header=True)
            continue
        for index, element in enumerate(value):
            out.append(f"[[{_header(here)}]]")
            _table(element, (*here, index), out, header=False)
            if out[-1] != "":
                out.append("")
