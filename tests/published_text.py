"""Helpers for tests that hold a plan's texts against its published notice, line by line."""

from __future__ import annotations

import re
from collections.abc import Iterable


def squash(text: str) -> str:
    """The text without any whitespace (line breaks, spaces, U+3000 indents)."""
    return re.sub(r"\s+", "", text)


def published_lines(source_bytes: bytes, furniture: Iterable[int]) -> dict[int, str]:
    """Line number (1-based) -> line of the published text, with the page furniture removed."""
    skip = set(furniture)
    lines = source_bytes.decode("utf-8").split("\n")
    return {n: line for n, line in enumerate(lines, 1) if n not in skip}


def span(lines: dict[int, str], first: int, last: int) -> str:
    """Lines first..last (inclusive) of published_lines, joined and squashed."""
    return squash("".join(lines.get(n, "") for n in range(first, last + 1)))
