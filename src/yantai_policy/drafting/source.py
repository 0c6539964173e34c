"""A notice's published text as numbered lines, and the one rule for matching it.

The drafter reads text as copied from a PDF or a web page. Two rules hold for every
layout:

- **Output is sliced from the text as printed.** A passage is its lines, each stripped of
  the whitespace around it, page furniture dropped, concatenated: line breaks and
  furniture removed and nothing else changed (`SourceText.passage`).
- **Matching is done on a folded copy** of the same length (`fold`): full-width ASCII
  becomes ASCII, the ideographic space a space, and traditional characters simplified
  ones (`data/t2s.txt`). So an offset found in the folded line is an offset in the line.

Examples:
    >>> fold("（市人力資源社會保障局牽頭）")
    '(市人力资源社会保障局牵头)'
    >>> len(fold("１２３：")) == 4
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from yantai_policy._text import is_blank, text_problem

__all__ = ["Line", "SourceText", "fold", "page_number"]

_DATA = Path(__file__).resolve().parent.parent / "data"


@functools.cache
def _fold_table() -> dict[int, str]:
    table = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    path = _DATA / "t2s.txt"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            traditional, _, simplified = line.partition("\t")
            if len(traditional) == 1 and len(simplified) == 1:
                table.setdefault(ord(traditional), simplified)
    return table


def fold(text: str) -> str:
    """Return the text as the drafter matches it: one character for one character.

    Full-width ASCII (U+FF01-U+FF5E) becomes ASCII, U+3000 a space, and each traditional
    character its simplified form. The result has the same length as the text.
    """
    return text.translate(_fold_table())


# A page number on a line of its own: "— 14 —", "-3-", "第 3 页", "3/12".
_PAGE_NUMBER = re.compile(
    r"[-—–―~_－]+\s*\d{1,4}\s*[-—–―~_－]+|第\s*\d{1,4}\s*页(\s*[,，]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
)


def page_number(folded: str) -> bool:
    """Return whether a (folded, stripped) line is a page number such as ``— 14 —``."""
    return _PAGE_NUMBER.fullmatch(folded) is not None


@attrs.frozen
class Line:
    """One line of the published text.

    Attributes:
        number: Its 1-based line number.
        text: The line stripped of the whitespace around it, as printed.
        folded: `fold` of `text` (the same length), for matching.
    """

    number: int
    text: str
    folded: str


class SourceError(ValueError):
    """Text the drafter cannot take at all (the drafting package wraps it in DraftError)."""


@attrs.frozen
class SourceText:
    """The text's non-blank lines, and the page furniture found in them.

    Attributes:
        lines: The non-blank lines (blank: only whitespace and invisible characters), in order.
        count: How many lines the text has, blank ones included.
        furniture: Line numbers of page furniture (running heads, repeated table
            headers, page numbers), which no passage includes.
    """

    lines: tuple[Line, ...]
    count: int
    furniture: frozenset[int] = frozenset()

    @classmethod
    def from_text(cls, text: str) -> SourceText:
        """Split a text into lines, as editors number them: at LF, CR LF and a lone CR.

        A text saved with CR line ends (classic Mac) is numbered as the same text
        with LF ends.

        Raises:
            SourceError: A line holds a character no plan file can hold (a control
                character, a lone surrogate); the message names the line and column.
        """
        raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = []
        for number, line in enumerate(raw, 1):
            stripped = line.strip()
            if is_blank(stripped):  # invisible characters too: a stray U+FEFF, U+200B
                continue
            problem = text_problem(stripped.replace("\t", " "))
            if problem is not None:
                raise SourceError(f"line {number}: {problem}")
            lines.append(Line(number, stripped, fold(stripped)))
        furniture = frozenset(n.number for n in lines if page_number(n.folded))
        return cls(tuple(lines), len(raw), furniture)

    def with_furniture(self, numbers: Iterable[int]) -> SourceText:
        """Return this text with more lines counted as furniture."""
        return attrs.evolve(self, furniture=self.furniture | frozenset(numbers))

    @property
    def content(self) -> tuple[Line, ...]:
        """The non-blank lines that are not furniture."""
        return tuple(line for line in self.lines if line.number not in self.furniture)

    @staticmethod
    def passage(lines: Sequence[Line], start: int = 0, end: int | None = None) -> str:
        """Return lines joined as one passage, from offset start of the first line to end of the last.

        Each line is already stripped; the passage is their concatenation, sliced by
        offsets that hold for the folded lines too.
        """
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0].text[start:end].strip()
        head = lines[0].text[start:]
        tail = lines[-1].text[:end]
        return "".join([head, *(line.text for line in lines[1:-1]), tail]).strip()
