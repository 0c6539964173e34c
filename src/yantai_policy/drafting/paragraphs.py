"""Numbered paragraphs and their unit blocks: what the inline and labelled layouts share.

A plan that is not a table prints its body as numbered paragraphs: measures
(一、…), tasks (1. …, or （一）… where measures are numbered 一、 and tasks （一）),
numbered items (（1）…, ①…). Each task names its units in a **unit block**, either

- a parenthetical at the end of its paragraph (the inline layout):
  ``（市发展改革委牵头，市财政局配合；2025年12月底前完成）``, also in 〔…〕 or […], or
- labelled lines after it (the labelled layout): ``牵头单位：…``, ``配合单位：…``,
  ``责任单位：…`` and ``完成时限：…``, a value possibly split over lines.

Both forms are read wherever they occur, so a plan that mixes them is read whole; the
layouts differ only in the evidence `_pick_layout` counts. The reading goes:

1. Each line is a heading (a number of one of five levels, in sequence), a label
   line, or a continuation of the paragraph before. A paragraph ends where its unit
   block ends; the text after a closed paragraph starts an unnumbered one.
2. The level whose paragraphs carry most unit blocks, the highest such, is the task
   level; the level above it gives the measures and the level below the items.
3. An item's units are its own; a task's are its own and its items', in printed order.
   Where only the last of several items has a unit block, the block is the task's
   (the units printed after the items).

What it cannot place (a paragraph with no unit block, a heading above the measures) is
listed for review with its lines, as is every part of a unit block it cannot read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Any

import attrs

from yantai_policy._text import is_blank
from yantai_policy.drafting.build import ItemDraft, MeasureDraft, Review, TaskDraft, UnitRef
from yantai_policy.drafting.deadlines import deadline_value, reporting_value
from yantai_policy.drafting.particulars import read_particulars, section_number
from yantai_policy.drafting.source import Line, SourceText, fold, page_number
from yantai_policy.drafting.units import CityUnits, key, looks_like_unit, split_units

__all__ = ["UNIT_LABELS", "layout_evidence", "read_paragraphs"]

_ZH = "一二三四五六七八九十"
# The five heading levels (folded, at the start of a stripped line), highest first.
_HEADINGS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"([{_ZH}]{{1,3}})\s*、\s*"),
    re.compile(rf"\(\s*([{_ZH}]{{1,3}})\s*\)\s*"),
    re.compile(r"(\d{1,3})\s*[.、](?!\d)\s*"),
    re.compile(r"\(\s*(\d{1,3})\s*\)\s*|(\d{1,3})\)\s*"),
    re.compile(r"([\u2460-\u2473])\s*"),
)
UNIT_LABELS: dict[str, str] = {
    "牵头责任单位": "lead",
    "牵头单位": "lead",
    "牵头部门": "lead",
    "主办单位": "lead",
    "主责单位": "lead",
    "配合单位": "assist",
    "配合部门": "assist",
    "协办单位": "assist",
    "协同单位": "assist",
    "参与单位": "assist",
    "责任单位": "responsible",
    "责任部门": "responsible",
    "责任主体": "responsible",
}
"""The labels of a unit line and the role each gives its units (matched folded)."""
_TIME_LABELS = (
    "完成时限",
    "时间节点",
    "完成时间",
    "时限要求",
    "完成期限",
    "时间要求",
    "时间安排",
    "进度安排",
)
_LABEL = re.compile(
    "(" + "|".join(sorted((*UNIT_LABELS, *_TIME_LABELS), key=len, reverse=True)) + r")\s*:\s*"
)
_OPEN = {")": "(", "〕": "〔", "]": "[", "】": "【"}
_TRAILING = "。;,.，；： \u3000"
_CLAUSE = re.compile(r"[，,；;。]")
_PUNCT = re.compile(r"[。，,；;:：!?！？]")
# The district governments (folded): a flag of the task, not a unit.
_DISTRICT_AREAS = (
    r"区市|县市区|区县市|县区市|市区|区县|县区|县市|区|县|市"
    r"|县\(市、?区\)|县\(市,区\)|区\(市、?县\)|区\(县、?市\)|县\(区\)|区\(市\)|县\(市\)|区\(县\)"
)
_DISTRICTS = re.compile(
    rf"各(?:{_DISTRICT_AREAS})(?:人民政府|政府|党委政府|党委和政府)(?:\(管委\)|\(管委会\))?"
    r"|各(?:开发区|功能区|园区|管理区)(?:党工委)?管委会?"
    r"|各(?:区市|县市区|区县市|县区市|区县|县区)(?![\u4e00-\u9fff])"
    r"|各(?:区市|县市区|区县市|县区市|区县|县区)(?=负责|配合|牵头|按职责|分别)"
)
# A mention that names a group of units, not one (各有关单位, 市直有关部门).
_GROUP = re.compile(r"^(各|有关|相关|其他|其它|市直|市级|全市|县级|区级)|(有关|相关)(部门|单位)$")
# A unit's name as printed, where a label or marker says it is one: Chinese, 2 to 30 characters.
_NAME_SHAPE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff()]{1,29}")
_MAX_BLOCK = 600  # characters: the longest unit block looked for at a paragraph's end


@attrs.frozen
class _Block:
    """A unit block: the units, flags and time phrases it gives, and what it could not read."""

    units: tuple[UnitRef, ...] = ()
    deadline: str | dict[str, Any] | None = None
    deadline_text: str = ""
    reporting: str | None = None
    districts: bool = False
    review: tuple[Review, ...] = ()
    lines: tuple[int, int] | None = None

    def merged(self, other: _Block) -> _Block:
        """This block with another's units and phrases added (labels after a parenthetical)."""
        first = self.lines or other.lines
        last = other.lines or self.lines
        return _Block(
            units=self.units + other.units,
            deadline=self.deadline if self.deadline is not None else other.deadline,
            deadline_text=self.deadline_text or other.deadline_text,
            reporting=self.reporting or other.reporting,
            districts=self.districts or other.districts,
            review=self.review + other.review,
            lines=(first[0], last[1]) if first and last else None,
        )


@attrs.define
class _Para:
    """One paragraph as it is read: its heading, lines, and unit block."""

    level: int | None  # None: unnumbered
    number: int
    lines: list[Line]
    start: int  # offset in the first line after the number
    text_end: tuple[int, int] | None = None  # (index in lines, offset) where the text stops
    block: _Block | None = None
    extra: list[Line] = attrs.Factory(list)  # label lines and their continuations
    label: tuple[str, list[tuple[Line, int]]] | None = None  # the open label, its parts

    @property
    def closed(self) -> bool:
        return self.text_end is not None

    @property
    def last_line(self) -> int:
        return max(n.number for n in (*self.lines, *self.extra))

    def text(self) -> str:
        if self.text_end is None:
            return SourceText.passage(self.lines, self.start)
        index, offset = self.text_end
        return SourceText.passage(self.lines[: index + 1], self.start, offset)

    def full_text(self) -> str:
        """The paragraph with its number, as printed (for text merged into another)."""
        if self.text_end is None:
            return SourceText.passage(self.lines)
        index, offset = self.text_end
        return SourceText.passage(self.lines[: index + 1], 0, offset)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


class _Reader:
    """Reads unit blocks with the catalogue's names."""

    def __init__(self, units: CityUnits, *, first_listed: bool) -> None:
        self.units = units
        self.first_listed = first_listed

    def is_unit(self, name: str) -> bool:
        return self.units.lookup(name) is not None or looks_like_unit(name)

    def names(self, name: str) -> tuple[list[str], bool]:
        """A mention as one or more unit names, and whether it was cut (A和B, 市A局市B局)."""
        if self.units.lookup(name) is not None:
            return [name], False
        for sep in "和及与":
            parts = name.split(sep)
            if len(parts) > 1 and all(p and self.is_unit(p) for p in parts):
                return parts, True
        found = self.units.scan(name)
        if (
            len(found) > 1
            and found[0][0] == 0
            and found[-1][1] == len(name)
            and all(a[1] == b[0] for a, b in itertools.pairwise(found))
        ):
            return [name[s:e] for s, e, _ in found], True
        return [name], False

    def clauses(  # noqa: C901, PLR0912, PLR0915 - one pass over a block's clauses
        self, text: str, span: tuple[int, int], role: str | None = None, *, label_text: bool = False
    ) -> _Block | None:
        """Read a unit block's text; None where its first clause names no unit.

        ``role`` is the role of a label over the whole text (牵头单位：…); ``label_text``
        says the text is a label's value, so its first clause need not be units.
        """
        folded = fold(text)
        masked = list(text)
        district_spans = []
        for match in _DISTRICTS.finditer(folded):
            district_spans.append(match.span())
            masked[match.start() : match.end()] = "、" * (match.end() - match.start())
        districts = bool(district_spans)
        body = "".join(masked)
        units: list[UnitRef] = []
        review: list[Review] = []
        deadline_parts: list[tuple[int, int]] = []
        reporting = None
        start = 0
        first = True
        ends = [m.start() for m in _CLAUSE.finditer(folded)]
        for end in [*ends, len(text)]:
            clause = body[start:end]
            shown = text[start:end].strip()
            clause_start = start
            start = end + 1
            if not clause.strip():
                continue
            label = _LABEL.match(fold(clause.strip()))
            clause_role = role
            if label is not None:
                word = label.group(1)
                offset = len(clause) - len(clause.lstrip()) + label.end()
                clause = clause[offset:]
                shown = text[clause_start + offset : end].strip()
                clause_start += offset
                if word in _TIME_LABELS:
                    found = self._time(shown, (clause_start, end), span, review)
                    if found == "deadline":
                        deadline_parts.append((clause_start, end))
                    elif found is not None:
                        reporting = reporting or found
                    first = False
                    continue
                clause_role = UNIT_LABELS[word]
                if clause_role == "responsible" and self.first_listed:
                    clause_role = None
            mentions = split_units(clause)
            names: list[tuple[str, str | None]] = []
            odd = grouped = sure = False
            shaped: list[str] = []
            for mention in mentions:
                if not mention.name.strip("、"):
                    continue
                if _GROUP.search(key(mention.name)):
                    review.append(
                        Review(
                            "unit-unknown",
                            f"{mention.name} names a group of units, not one: not drafted as a unit",
                            span,
                        )
                    )
                    grouped = True
                    continue
                parts, cut = self.names(mention.name)
                if all(self.is_unit(p) for p in parts):
                    sure = True
                elif _NAME_SHAPE.fullmatch(fold(mention.name)) and (
                    mention.marker or clause_role or label is not None or role is not None
                ):
                    pass  # a name the label or marker vouches for (青州湾海关配合)
                else:
                    shaped.append(mention.name)
                    continue
                if cut:
                    review.append(
                        Review(
                            "unit-boundary",
                            f"read {mention.name} as {len(parts)} units: " + " / ".join(parts),
                            span,
                        )
                    )
                names += [(p, mention.marker or clause_role) for p in parts]
            has_district = any(s < end and clause_start < e for s, e in district_spans)
            # A name of a unit's shape beside known units is one (市发展改革委、青州湾港口集团).
            odd = bool(shaped) and not (
                sure and all(_NAME_SHAPE.fullmatch(fold(n)) for n in shaped)
            )
            if not odd:
                names += [(n, clause_role) for n in shaped]
            if not odd and (names or has_district or grouped or label is not None):
                units += [UnitRef(name, marker, span) for name, marker in names]
                first = False
                continue
            if first and not label_text:
                return None
            first = False
            found = self._time(shown, (clause_start, end), span, review)
            if found == "deadline":
                deadline_parts.append((clause_start, end))
            elif found is not None:
                reporting = reporting or found
        deadline: str | dict[str, Any] | None = None
        deadline_text = ""
        if deadline_parts:
            deadline_text = text[deadline_parts[0][0] : deadline_parts[-1][1]].strip()
            deadline = deadline_value(deadline_text)
        if not units and not districts and not label_text:
            return None
        return _Block(
            units=tuple(units),
            deadline=deadline,
            deadline_text=deadline_text,
            reporting=reporting,
            districts=districts,
            review=tuple(review),
            lines=span,
        )

    @staticmethod
    def _time(
        shown: str, where: tuple[int, int], span: tuple[int, int], review: list[Review]
    ) -> str | None:
        """Classify a clause that is not units: "deadline", a reporting rhythm, or None."""
        del where
        printed = shown.strip().rstrip(_TRAILING)
        if not printed:
            return None
        rhythm = reporting_value(printed)
        if rhythm is not None:
            return rhythm
        if deadline_value(printed) is not None:
            return "deadline"
        review.append(
            Review(
                "deadline-unread",
                f"{_clip(printed)} in a unit block is neither a unit nor a deadline the "
                "drafter reads: check it by hand",
                span,
            )
        )
        return None


def _heading(folded: str) -> tuple[int, int, int] | None:
    """(level, number, offset of the text) of a heading line, or None."""
    for level, pattern in enumerate(_HEADINGS):
        match = pattern.match(folded)
        if match is None:
            continue
        digits = next(g for g in match.groups() if g is not None)
        try:
            if level in {0, 1}:
                number = section_number(digits)
            elif level == 4:  # the circled numbers
                number = ord(digits) - 0x2460 + 1
            else:
                number = int(digits)
        except (KeyError, ValueError):
            return None
        if match.end() >= len(folded):
            return None  # a number alone on a line is no heading here
        return level, number, match.end()
    return None


def _label_at(folded: str) -> re.Match[str] | None:
    """The first unit or time label in a line: at its start, or after 。/space/；."""
    for match in _LABEL.finditer(folded):
        if match.start() == 0 or folded[match.start() - 1] in "。;； \u3000)":
            return match
    return None


def _unit_label_line(folded: str) -> bool:
    match = _LABEL.match(folded)
    return match is not None and match.group(1) in UNIT_LABELS


def _running_heads(source: SourceText) -> list[int]:
    """Lines repeated verbatim at the top of pages (after a page number, or first)."""
    by_text: dict[str, list[int]] = {}
    previous: Line | None = None
    placed: dict[str, bool] = {}
    for index, line in enumerate(source.lines):
        text = line.folded
        if len(text) <= 30 and not _PUNCT.search(text) and not page_number(text):
            top = index == 0 or (previous is not None and page_number(previous.folded))
            by_text.setdefault(text, []).append(line.number)
            placed[text] = placed.get(text, True) and top
        previous = line
    return [
        n for text, numbers in by_text.items() if len(numbers) > 1 and placed[text] for n in numbers
    ]


def _block_at_end(para: _Para, reader: _Reader) -> tuple[int, int, _Block] | None:  # noqa: C901 - tail, match, map back
    """The unit parenthetical that ends a paragraph: (line index, offset of its opener, block)."""
    lines = para.lines
    # The tail of the paragraph, at most _MAX_BLOCK characters, as (line index, offset) pieces.
    pieces: list[tuple[int, int]] = []
    size = 0
    for index in range(len(lines) - 1, -1, -1):
        begin = para.start if index == 0 else 0
        pieces.append((index, begin))
        size += len(lines[index].text) - begin
        if size >= _MAX_BLOCK:
            break
    pieces.reverse()
    folded = "".join(lines[i].folded[b:] for i, b in pieces)
    text = "".join(lines[i].text[b:] for i, b in pieces)
    stripped = folded.rstrip(_TRAILING)
    if not stripped or stripped[-1] not in _OPEN:
        return None
    close = len(stripped) - 1
    opener = _OPEN[stripped[-1]]
    depth = 0
    position = None
    for index in range(close, max(-1, close - _MAX_BLOCK), -1):
        char = stripped[index]
        if char == stripped[-1]:
            depth += 1
        elif char == opener:
            depth -= 1
            if depth == 0:
                position = index
                break
    if position is None:
        return None
    # Map the opener's offset back to its line.
    offset = position
    for line_index, begin in pieces:
        length = len(lines[line_index].text) - begin
        if offset < length:
            break
        offset -= length
    first = lines[line_index].number
    block = reader.clauses(text[position + 1 : close], (first, lines[-1].number))
    if block is None:
        return None
    return line_index, begin + offset, block


def _label_block(para: _Para, reader: _Reader) -> _Block | None:
    """The block of the paragraph's label being read (its value may span lines)."""
    if para.label is None:
        return None
    word, parts = para.label
    text = "".join(line.text[offset:] for line, offset in parts)
    span = (parts[0][0].number, parts[-1][0].number)
    if word in _TIME_LABELS:
        return reader.clauses(f"{word}:{text}", span, label_text=True)
    return reader.clauses(text, span, UNIT_LABELS[word], label_text=True)


def _finish_label(para: _Para, reader: _Reader) -> None:
    block = _label_block(para, reader)
    para.label = None
    if block is not None:
        para.block = block if para.block is None else para.block.merged(block)


def _continues(para: _Para, line: Line, reader: _Reader) -> bool:
    """Whether a plain line continues the label being read (a unit name split over lines)."""
    if para.label is None:
        return False
    word, parts = para.label
    if _PUNCT.search(line.folded):
        return False
    tail = "".join(n.text[o:] for n, o in parts) + line.text
    if word in _TIME_LABELS:
        return len(line.text) <= 8 and deadline_value(tail) is not None
    names = [m.name for m in split_units(tail) if m.name.strip("、")]
    return bool(names) and all(
        reader.is_unit(p) or _DISTRICTS.fullmatch(fold(p))
        for n in names
        for p in reader.names(n)[0]
    )


def _scan(lines: Sequence[Line], reader: _Reader) -> tuple[list[_Para], list[Review]]:  # noqa: C901, PLR0915 - one pass over the lines, in order
    """Split the body's lines into paragraphs, each with its unit block."""
    paras: list[_Para] = []
    review: list[Review] = []
    last: list[int | None] = [None] * len(_HEADINGS)
    restart = [True] * len(_HEADINGS)
    current: _Para | None = None

    def close() -> None:
        if current is not None:
            _finish_label(current, reader)
            paras.append(current)

    for line in lines:
        heading = _heading(line.folded)
        if heading is not None:
            level, number, offset = heading
            previous = last[level]
            if (number == 1 and (previous is None or restart[level])) or (
                previous is not None and number == previous + 1
            ):
                last[level] = number
                restart[level] = False
                for deeper in range(level + 1, len(_HEADINGS)):
                    restart[deeper] = True
                close()
                current = _Para(level, number, [line], offset)
                _inline_end(current, reader)
                continue
        label = _label_at(line.folded)
        if label is not None and current is not None:
            if label.start() > 0 and not current.closed:
                current.lines.append(line)
                current.text_end = (len(current.lines) - 1, label.start())
            elif label.start() > 0:
                close()
                current = _Para(None, 0, [line], 0, text_end=(0, label.start()))
            else:
                if not current.closed:
                    current.text_end = (len(current.lines) - 1, len(current.lines[-1].text))
                current.extra.append(line)
            _read_labels(current, line, label.start(), reader)
            continue
        if label is not None:  # a label before any paragraph
            review.append(
                Review(
                    "line-unplaced",
                    f"a unit label with no task before it: {_clip(line.text)}",
                    (line.number, line.number),
                )
            )
            continue
        if current is not None and _continues(current, line, reader):
            assert current.label is not None  # noqa: S101 - _continues checked it
            current.label[1].append((line, 0))
            current.extra.append(line)
            continue
        if current is not None and not current.closed:
            current.lines.append(line)
            _inline_end(current, reader)
            continue
        close()
        current = _Para(None, 0, [line], 0)
        _inline_end(current, reader)
    close()
    return paras, review


def _read_labels(para: _Para, line: Line, start: int, reader: _Reader) -> None:
    """Start reading the labels of a line from offset start (several may share the line)."""
    _finish_label(para, reader)
    matches = [m for m in _LABEL.finditer(line.folded, start) if m.start() >= start]
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line.text)
        _finish_label(para, reader)
        segment = Line(line.number, line.text[:end], line.folded[:end])
        para.label = (match.group(1), [(segment, match.end())])


def _inline_end(para: _Para, reader: _Reader) -> None:
    found = _block_at_end(para, reader)
    if found is None:
        return
    index, offset, block = found
    para.text_end = (index, offset)
    para.block = block


def _annex_head(head: str, annex: str) -> bool:
    """Whether the text before the first measure is the annex's title (folded, no spaces)."""
    if annex:
        return annex.startswith(head) or head.startswith(annex)
    return (
        "。" not in head
        and re.search(r"(方案|分工|清单|计划|措施|要点|任务|台账|安排)$", head) is not None
    )


def _merge_key(ref: UnitRef, units: CityUnits) -> str:
    unit = units.lookup(ref.name)
    return unit.id if unit is not None else key(ref.name)


def _title(para: _Para, width: int) -> tuple[str, str]:
    """A measure heading's title (up to its first 。) and its own text (the rest)."""
    text = para.text()
    first = para.lines[0].text[para.start :]
    if "。" not in first and len(para.lines) > 1 and len(para.lines[0].text) < 0.75 * width:
        title = SourceText.passage(para.lines[:1], para.start)
        rest = text[len(title) :].strip()
        return title.rstrip("。：:；;"), rest
    title, stop, rest = text.partition("。")
    if not stop:
        return text.rstrip("：:；;"), ""
    return title, rest.strip()


def _move_block(source: _Para, target: _Para) -> None:
    """Give a paragraph's unit block, and the lines it is printed on, to another."""
    target.block, source.block = source.block, None
    target.extra += source.extra
    source.extra = []
    if source.text_end is not None:
        index, offset = source.text_end
        if offset == 0 and index > 0:
            index -= 1
            source.text_end = (index, len(source.lines[index].text))
        target.extra += source.lines[index + 1 :]
        del source.lines[index + 1 :]


def _units_of(paras: Sequence[_Para], units: CityUnits) -> tuple[UnitRef, ...]:
    out: list[UnitRef] = []
    seen: set[str] = set()
    for para in paras:
        for ref in para.block.units if para.block else ():
            name = _merge_key(ref, units)
            if name not in seen:
                seen.add(name)
                out.append(ref)
    return tuple(out)


def _task(
    head: _Para, items: list[list[_Para]], units: CityUnits, where: str, review: list[Review]
) -> TaskDraft | None:
    """Build a task from its paragraph and its items (each an item and its deeper paragraphs)."""
    item_paras = [group[0] for group in items]
    if (
        len(item_paras) > 1
        and head.block is None
        and all(p.block is None for group in items[:-1] for p in group)
        and items[-1][-1].block is not None
    ):  # the units printed after the items are the task's
        _move_block(items[-1][-1], head)
    block = head.block or _Block()
    drafts: list[ItemDraft] = []
    districts = block.districts
    numbers = [group[0].number for group in items]
    in_sequence = numbers == list(range(1, len(items) + 1))  # a plan's items are 1, 2, …
    for index, group in enumerate(items):
        first = group[0]
        text = first.text() + "".join(p.full_text() for p in group[1:])
        own = _units_of(group, units)
        for para in group:
            if para.block is None:
                continue
            districts = districts or para.block.districts
            review.extend(para.block.review)
            if para.block.deadline_text or para.block.reporting:
                printed = para.block.deadline_text or para.block.reporting
                review.append(
                    Review(
                        "deadline-unread",
                        f"item {first.number} gives its own deadline or reporting ({printed}); "
                        "a plan gives them per task: not drafted",
                        para.block.lines,
                        f"{where}.items[{index}]",
                    )
                )
        if not in_sequence:
            continue
        drafts.append(
            ItemDraft(
                number=first.number,
                text=text,
                lines=(first.lines[0].number, max(p.last_line for p in group)),
                units=own,
            )
        )
    task_units = _units_of([head, *(p for group in items for p in group)], units)
    if not task_units:
        return None
    review.extend(block.review)
    if not in_sequence:
        review.append(
            Review(
                "line-unplaced",
                f"items numbered {', '.join(map(str, numbers))} (not from 1 in sequence): "
                "kept in the task's text",
                (items[0][0].lines[0].number, max(p.last_line for p in items[-1])),
                where,
            )
        )
    last = max([head.last_line, *(p.last_line for group in items for p in group)])
    return TaskDraft(
        lines=(head.lines[0].number, last),
        text=None if drafts else head.text() + "".join(p.full_text() for g in items for p in g),
        items=tuple(drafts),
        units=task_units,
        deadline=block.deadline,
        reporting=block.reporting,
        districts=districts,
    )


def _levels(paras: Sequence[_Para]) -> tuple[int | None, int | None, int | None]:
    """The measure, task and item levels: the task level carries the unit blocks."""
    carriers = [0] * len(_HEADINGS)
    used = sorted({p.level for p in paras if p.level is not None})
    for para in paras:
        if para.level is not None and para.block is not None and para.block.units:
            carriers[para.level] += 1
    total = sum(carriers)
    if total == 0:
        if any(p.block is not None and p.block.units for p in paras):  # unnumbered tasks
            return (used[-1] if used else None), len(_HEADINGS), None
        return None, None, None
    task = next(level for level in used if carriers[level] and carriers[level] >= 0.2 * total)
    above = [level for level in used if level < task]
    below = [level for level in used if level > task]
    return (above[-1] if above else None), task, (below[0] if below else None)


def read_paragraphs(  # noqa: C901, PLR0912, PLR0915 - one pass over the paragraphs, in order
    source: SourceText, start: int, units: CityUnits
) -> tuple[list[MeasureDraft], SourceText, list[Review]]:
    """Read a plan printed as numbered paragraphs with unit blocks, from content line start.

    Returns the measures, the source with the running heads it found added to its
    furniture, and the review entries.
    """
    from yantai_policy.drafting import _FIRST_LISTED  # noqa: PLC0415 - the one statement of it

    content = source.content  # start indexes these lines
    heads = _running_heads(source)
    if heads:
        source = source.with_furniture(heads)
    body = [n for n in content[start:] if n.number not in source.furniture]
    first_listed = _FIRST_LISTED.search("".join(n.folded for n in content)) is not None
    reader = _Reader(units, first_listed=first_listed)
    paras, review = _scan(body, reader)
    measure_level, task_level, item_level = _levels(paras)
    widths = sorted(len(n.text) for n in body) or [0]
    width = widths[int(len(widths) * 0.9)] if len(widths) > 1 else widths[0]
    annex = ""
    particulars = read_particulars(source)
    if "annex_title" in particulars.notice:
        annex = key(particulars.notice["annex_title"]["zh"])

    measures: list[MeasureDraft] = []
    measure: _Para | None = None
    tasks: list[TaskDraft] = []
    task: _Para | None = None
    items: list[list[_Para]] = []
    implicit = False

    def unplaced(para: _Para, why: str) -> None:
        review.append(
            Review(
                "line-unplaced",
                f"{why}: {_clip(para.full_text())}",
                (para.lines[0].number, para.last_line),
                f"measures[{len(measures)}]" if measure is not None else "",
            )
        )

    def close_task() -> None:
        nonlocal task, items
        if task is None:
            return
        where = f"measures[{len(measures)}].tasks[{len(tasks)}]"
        drafted = _task(task, items, units, where, review)
        if drafted is None:
            unplaced(task, "a task with no unit")
        elif not drafted.items and is_blank(drafted.text or ""):
            review.append(
                Review(
                    "line-unplaced",
                    "units with no task text before them: "
                    + _clip("".join(n.text for n in (*task.lines, *task.extra))),
                    drafted.lines,
                    f"measures[{len(measures)}]" if measure is not None else "",
                )
            )
        else:
            tasks.append(drafted)
        task, items = None, []

    def close_measure() -> None:
        nonlocal tasks
        close_task()
        if measure is None:
            return
        if not tasks:
            unplaced(measure, "a measure with no task")
        else:
            title, text = _title(measure, width) if not implicit else (annex_title, "")
            measures.append(
                MeasureDraft(
                    number=len(measures) + 1,
                    lines=(measure.lines[0].number, tasks[-1].lines[1]),
                    title=title,
                    text=text,
                    tasks=tuple(tasks),
                )
            )
        tasks = []

    # The one measure of a plan with no measure headings is titled as the plan (the
    # attachment's title), or as the notice where the attachment's title is not found.
    annex_title = next(
        (
            particulars.notice[name]["zh"]
            for name in ("annex_title", "title")
            if name in particulars.notice and not is_blank(particulars.notice[name]["zh"])
        ),
        "",
    )
    head_text = ""
    for para in paras:
        level = para.level
        if task_level is None:
            unplaced(para, "no unit block found")
            continue
        carrier = para.block is not None and (para.block.units or para.block.districts)
        if measure is None and task is None and not carrier and level != measure_level:
            head_text += key(para.full_text())
            head = re.sub(r"^附件\d*", "", head_text)
            if not head or _annex_head(head, annex):
                continue
        if level is not None and measure_level is not None and level < measure_level:
            close_measure()
            measure = None
            unplaced(para, "a heading above the measures")
            continue
        if level is not None and level == measure_level:
            close_measure()
            measure = para
            if para.block is not None and para.block.units:
                unplaced(para, "units after a measure's heading are not read")
            continue
        deeper = level is not None and level > task_level
        if (
            level == task_level
            or (level is None and carrier)
            # An item with no task above it is a task, and so are its siblings.
            or (deeper and (task is None or task.level == level))
        ):
            close_task()
            if measure is None:
                if measure_level is not None:
                    unplaced(para, "a task before the first measure")
                    continue
                implicit = True
                measure = para
                review.append(
                    Review(
                        "layout-guess",
                        "the plan has no measure headings: its tasks are drafted as one measure",
                        (para.lines[0].number, para.lines[0].number),
                    )
                )
            if deeper:
                review.append(
                    Review(
                        "layout-guess",
                        "an item with no task above it, drafted as a task: "
                        + _clip(para.full_text()),
                        (para.lines[0].number, para.last_line),
                    )
                )
            task = para
            continue
        if level is not None and level == item_level:
            items.append([para])
            continue
        if level is not None and items:
            items[-1].append(para)
            continue
        unplaced(para, "text outside any task")
    close_measure()
    return measures, source, review


def layout_evidence(lines: Sequence[Line]) -> dict[str, int]:
    """Count the evidence for each layout in a plan's body lines.

    ``labelled`` counts lines that start with a unit label (牵头单位：…); ``inline``
    counts lines that end a parenthetical whose first clause looks like a list of units.
    """
    labelled = sum(1 for n in lines if _unit_label_line(n.folded))
    inline = 0
    window = ""
    for line in lines:
        window = (window + line.folded)[-_MAX_BLOCK:]
        stripped = window.rstrip(_TRAILING)
        if not stripped or stripped[-1] not in _OPEN:
            continue
        opener = stripped.rfind(_OPEN[stripped[-1]])
        if opener < 0:
            continue
        inside = stripped[opener + 1 : -1]
        clause = _CLAUSE.split(inside, maxsplit=1)[0]
        label = _LABEL.match(clause)
        if label is not None:
            clause = clause[label.end() :]
        clause = _DISTRICTS.sub("、", clause)
        names = [m.name for m in split_units(clause) if m.name.strip("、")]
        if (names and all(looks_like_unit(n) for n in names)) or (not names and "、" in clause):
            inline += 1
            window = ""
    return {"labelled": labelled, "inline": inline}
