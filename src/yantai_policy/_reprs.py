"""Short, one-line reprs: the one helper every public class's ``__repr__`` uses.

A repr names the object and says what it holds in a line: long text is clipped with
an ellipsis, and collections are counted, not listed. So ``repr(policy)`` is one line,
not 84,000 characters; the full contents are in the object's attributes, ``str()`` or
its ``to_dict()``.

Examples:
    >>> clip("支持灵活就业人员申请创业担保贷款，贷款额度最高 20 万元", 16)
    '支持灵活就业人员申请创业担保贷…'
    >>> clip("  two  words  ")
    'two words'
"""

from __future__ import annotations

__all__ = ["CLIP", "clip", "plural"]

CLIP = 24
"""Characters of text a repr shows before it clips."""


def clip(text: object, limit: int = CLIP) -> str:
    """Return text on one line (runs of whitespace made one space), at most ``limit`` long."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def plural(count: int, noun: str) -> str:
    """Return ``"1 action"`` or ``"3 actions"``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
