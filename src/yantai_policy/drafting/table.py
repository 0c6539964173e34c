"""The table layout: 序号 | 省政策内容 | 具体推进措施 | 责任单位, as a PDF extraction prints it.

Yantai's notice prints its plan as a table. Text copied from the PDF gives each
cell's lines one after the other: the measure's number alone on a line, the
provincial measure in a narrow column, then each task's lines followed by its
responsibility cell, either on a line of its own (a name the extraction may split
over two lines: 市人力资源社 / 会保障局) or after a space at the end of the task's last
line (… 市税务局). The table header (序 / 号 / 省政策内容 具体推进措施 责任单位) repeats
on every page and is furniture.

Where the header has a deadline column (完成时限, 时间节点, 完成时间), the cell after a
task's units is its deadline: on a line of its own (or two, where the extraction split
it), or after a space at the end of the units' line (… 市财政局 2024年底前). A deadline
cell is short (at most `_DEADLINE_CELL` characters), so a task that begins with a date
is not taken for one.

A task's own words may state its unit's role: a task that begins 配合 (assists) is
the unit's assisting part, one that begins 牵头 its lead; a numbered item that begins
so gives that item the role.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import attrs

from yantai_policy.drafting.build import ItemDraft, MeasureDraft, Review, TaskDraft, UnitRef
from yantai_policy.drafting.deadlines import deadline_value
from yantai_policy.drafting.source import Line, SourceText, fold
from yantai_policy.drafting.units import CityUnits, key, looks_like_unit, split_units

__all__ = ["HEADER_WORDS", "find_header", "read_table"]

# The words of a table header: any line made of two or more of them is a header line.
HEADER_WORDS = (
    "序号",
    "省政策内容",
    "政策内容",
    "政策措施",
    "文件内容",
    "具体推进措施",
    "具体措施",
    "推进措施",
    "工作措施",
    "主要任务",
    "重点任务",
    "工作任务",
    "任务内容",
    "责任单位",
    "牵头单位",
    "配合单位",
    "责任部门",
    "完成时限",
    "时间节点",
    "备注",
)
_POLICY_COLUMNS = ("省政策内容", "政策内容", "政策措施", "文件内容")
_DEADLINE_COLUMNS = ("完成时限", "时间节点", "完成时间")
_DEADLINE_CELL = 16  # characters in the longest deadline cell (2024年12月底前完成并长期坚持)
_Cell = tuple[str, list[tuple[str, str | None]], int, bool]  # see `_Cells.cell`
_DEADLINE_TAIL = 6  # characters of a deadline cell's second line (底前完成)
_NUMBER = re.compile(r"\d{1,3}")
_ROW = re.compile(r"(\d{1,3})(?:\s+(\S.*))?")  # a row's number, alone or before its words
_ITEM = re.compile(r"(\d{1,2})\s*[.．、]\s*")
_SENTENCE = re.compile(r"[。；;，,：:！？!?“”\"]")
_NARROW = 30  # display width of the widest line of a narrow (provincial) column


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _header_words(folded: str) -> int:
    squashed = re.sub(r"\s", "", folded)
    count = 0
    for word in sorted(HEADER_WORDS, key=len, reverse=True):
        if word in squashed:
            count += 1
            squashed = squashed.replace(word, "")
    return count if not re.sub(r"[序号]", "", squashed) else 0


def find_header(lines: Sequence[Line]) -> tuple[int, set[str]] | None:
    """Return the index of the first header line and the header's lines (squashed, folded)."""
    for index, line in enumerate(lines):
        if _header_words(line.folded) >= 2:  # two cells make a header row
            texts = {re.sub(r"\s", "", line.folded)}
            for near in lines[max(0, index - 3) : index]:
                if re.fullmatch(r"[序号]+", re.sub(r"\s", "", near.folded)):
                    texts.add(re.sub(r"\s", "", near.folded))
            return index, texts
    return None


class _Cells:
    """Reads responsibility cells, given the catalogue of known names."""

    def __init__(self, units: CityUnits) -> None:
        self.units = units

    def names(self, text: str) -> tuple[list[tuple[str, str | None]], bool] | None:
        """The units of a cell text, and whether every one is known; None if not a cell."""
        if not text or (_SENTENCE.search(text.replace("、", "")) and not re.search(r"[(（]", text)):
            return None
        mentions = split_units(text)
        if not mentions:
            return None
        known = True
        for mention in mentions:
            if self.units.lookup(mention.name) is None:
                known = False
                if not looks_like_unit(mention.name):
                    return None
        return [(m.name, m.marker) for m in mentions], known

    def cell(
        self, lines: Sequence[Line], index: int
    ) -> tuple[str, list[tuple[str, str | None]], int, bool] | None:
        """A cell that starts at lines[index]: (text before it, units, lines used, certain).

        The cell is the whole line, the line joined with the next one or two (a name
        split by the extraction), or the tail of the line after its last space.
        """
        line = lines[index]
        options: list[tuple[str, str, int]] = [("", line.text, 1)]
        for extra in (1, 2):
            joined_lines = lines[index : index + extra + 1]
            if (
                index + extra < len(lines)
                and all(_width(n.text) <= _NARROW for n in joined_lines[:-1])
                and not any(_SENTENCE.search(n.folded) for n in joined_lines)
            ):
                joined = "".join(n.text for n in joined_lines)
                options.append(("", joined, extra + 1))
        space = re.search(r"\s+(\S+)$", line.text)
        if space:
            head = line.text[: space.start()]
            options.append((head, space.group(1), 1))
            if index + 1 < len(lines) and _width(lines[index + 1].text) <= _NARROW:
                options.append((head, space.group(1) + lines[index + 1].text, 2))
        best = None
        for head, text, used in options:
            found = self.names(text)
            if found is None:
                continue
            names, known = found
            # A known reading beats a guessed one; of two, the one that uses more lines.
            rank = (known, used if known else -used)
            if best is None or rank > best[0]:
                best = (rank, head, names, used, known)
        if best is None:
            return None
        _, head, names, used, known = best
        return head, names, used, known


def _items(lines: list[tuple[Line, str]]) -> list[ItemDraft] | None:
    """Split a task's lines at 1. 2. 3.; None where the task has no numbered items."""
    starts: list[tuple[int, int]] = []
    for index, (_, text) in enumerate(lines):
        match = _ITEM.match(fold(text))
        if match and int(match.group(1)) == len(starts) + 1:
            starts.append((index, match.end()))
    if not starts or starts[0][0] != 0:
        return None
    items = []
    for number, (index, offset) in enumerate(starts, 1):
        stop = starts[number][0] if number < len(starts) else len(lines)
        chunk = lines[index:stop]
        text = "".join(t for _, t in chunk)[offset:]
        items.append(
            ItemDraft(
                number=number,
                text=text,
                lines=(chunk[0][0].number, chunk[-1][0].number),
                role=_leading_role(text),
            )
        )
    return items


def _leading_role(text: str) -> str | None:
    """The role a text's first words give: 牵头… (lead), 配合… (assist)."""
    if text.startswith("牵头"):
        return "lead"
    if text.startswith("配合"):
        return "assist"
    return None


def read_table(  # noqa: C901, PLR0912, PLR0915 - one pass over the table's lines, in order
    source: SourceText, start: int, units: CityUnits
) -> tuple[list[MeasureDraft], SourceText, list[Review]]:
    """Read the table that starts at content line ``start``.

    Returns the measures, the source with the header lines added to its furniture,
    and the review entries.
    """
    content = source.content[start:]
    review: list[Review] = []
    header = find_header(content)
    columns: tuple[str, ...] = ()
    deadline_column = False
    if header is not None:
        _, texts = header
        furniture = [n.number for n in content if re.sub(r"\s", "", n.folded) in texts]
        source = source.with_furniture(furniture)
        header_line = content[header[0]]
        squashed = re.sub(r"\s", "", header_line.folded)
        policy_column = any(w in squashed for w in _POLICY_COLUMNS)
        deadline_column = any(w in squashed for w in _DEADLINE_COLUMNS)
        if "牵头单位" in squashed and "配合单位" in squashed:
            columns = ("lead", "assist")
        body = [n for n in content if n.number not in source.furniture]
        body = [n for n in body if n.number > header_line.number]
    else:
        policy_column = True
        body = [n for n in content if n.number not in source.furniture]
    cells = _Cells(units)
    measures: list[MeasureDraft] = []
    number_line: Line | None = None
    policy: list[Line] = []
    tasks: list[TaskDraft] = []
    pending: list[tuple[Line, str]] = []
    in_policy = False

    def close_measure() -> None:
        nonlocal pending
        if number_line is None:
            return
        if pending:
            first, last = pending[0][0].number, pending[-1][0].number
            review.append(
                Review(
                    "line-unplaced",
                    f"text with no responsible unit after it: {_clip(pending)}",
                    (first, last),
                    f"measures[{len(measures)}]",
                )
            )
            pending = []
        text = SourceText.passage(policy)
        if not text and tasks:  # no measure column: the first task's first sentence
            opening = tasks[0].text or (tasks[0].items[0].text if tasks[0].items else "")
            title = re.split(r"[。；;]", opening, maxsplit=1)[0]
        else:
            title = text.partition("。")[0] if text else ""
        last = (
            tasks[-1].lines[1] if tasks else (policy[-1].number if policy else number_line.number)
        )
        if not tasks:
            review.append(
                Review(
                    "no-tasks",
                    f"measure {len(measures) + 1} has no task with a unit",
                    (number_line.number, last),
                    f"measures[{len(measures)}]",
                )
            )
        measures.append(
            MeasureDraft(
                number=len(measures) + 1,
                lines=(number_line.number, last),
                title=title,
                text=text,
                tasks=tuple(tasks),
            )
        )

    def cell_at(
        at: int, *, headed: bool | None
    ) -> tuple[_Cell | None, str | dict[str, object] | None]:
        """The cell at body[at], and the deadline after its units on the same line.

        With a deadline column, a line that ends with a deadline (… 市财政局 2024年底前)
        is read without it, where the rest is a cell with text before it (``headed``
        True), without (False), or either (None).
        """
        trailing = _trailing_deadline(body[at]) if deadline_column else None
        if trailing is not None:
            line = body[at]
            body[at] = Line(line.number, trailing[0], fold(trailing[0]))
            found = cells.cell(body, at)
            if found is not None and headed in (None, bool(found[0])):
                return found, trailing[1]
            body[at] = line
        return cells.cell(body, at), None

    index = 0
    while index < len(body):
        line = body[index]
        row = _ROW.fullmatch(line.folded)
        if (
            row
            and int(row.group(1)) == len(measures) + (1 if number_line is None else 2)
            and not pending
        ):
            close_measure()
            number_line, policy, tasks, in_policy = line, [], [], policy_column
            if not row.group(2):
                index += 1
                continue
            # The number and the row's first words share the line: read on from the words.
            rest = line.text[row.start(2) :]
            line = Line(line.number, rest, fold(rest))
            body[index] = line
        if number_line is None:
            review.append(
                Review(
                    "line-unplaced",
                    f"line before the first measure: {line.text[:40]}",
                    (line.number, line.number),
                )
            )
            index += 1
            continue
        if in_policy:
            if _width(line.text) <= _NARROW and not _ITEM.match(line.folded):
                policy.append(line)
                index += 1
                continue
            in_policy = False
        found, trailing = cell_at(index, headed=None if pending else True)
        if found is not None and (pending or found[0]):
            head, names, used, known = found
            if head:
                pending.append((line, head.strip()))
            parts = [(body[index : index + used], names)]
            index += used
            # More lines of the same cell: further units, one line (or a split name) each.
            while (
                trailing is None and index < len(body) and not _NUMBER.fullmatch(body[index].folded)
            ):
                more, trailing = cell_at(index, headed=False)
                if more is None or more[0]:
                    break
                known = known and more[3]
                parts.append((body[index : index + more[2]], more[1]))
                index += more[2]
            where = (len(measures), len(tasks))
            task = _task(pending, parts, known=known, columns=columns, review=review, where=where)
            if trailing is not None:
                task = attrs.evolve(task, deadline=trailing)
            elif deadline_column:
                cell = _deadline_cell(body, index)
                if cell is not None:
                    used, deadline = cell
                    task = attrs.evolve(
                        task,
                        deadline=deadline,
                        lines=(task.lines[0], body[index + used - 1].number),
                    )
                    index += used
            tasks.append(task)
            pending = []
            continue
        pending.append((line, line.text))
        index += 1
    close_measure()
    return measures, source, review


def _deadline(text: str) -> str | dict[str, object] | None:
    """The deadline a short cell text states, or None."""
    if len(text.strip()) > _DEADLINE_CELL or _SENTENCE.search(fold(text).rstrip("。")):
        return None
    return deadline_value(text)


def _trailing_deadline(line: Line) -> tuple[str, str | dict[str, object]] | None:
    """A line that ends with a deadline cell after a space: (the line before it, the deadline)."""
    space = re.search(r"\s+(\S+)$", line.text)
    if space is None:
        return None
    deadline = _deadline(space.group(1))
    return None if deadline is None else (line.text[: space.start()], deadline)


def _deadline_cell(lines: Sequence[Line], index: int) -> tuple[int, str | dict[str, object]] | None:
    """A deadline cell that starts at lines[index] (one line, or two the extraction split)."""
    for used in (2, 1):  # 2024年12月 / 底前: the longer reading, where its tail is short
        chunk = lines[index : index + used]
        if len(chunk) < used or any(_NUMBER.fullmatch(n.folded) for n in chunk):
            continue
        if used == 2 and len(chunk[1].text.strip()) > _DEADLINE_TAIL:
            continue
        deadline = _deadline("".join(n.text.strip() for n in chunk))
        if deadline is not None:
            return used, deadline
    return None


def _task(  # noqa: PLR0913 - the reader's state for one row
    pending: list[tuple[Line, str]],
    parts: Sequence[tuple[Sequence[Line], Sequence[tuple[str, str | None]]]],
    *,
    known: bool,
    columns: tuple[str, ...],
    review: list[Review],
    where: tuple[int, int],
) -> TaskDraft:
    """One row: its text (or items), and the units of its responsibility cell's lines."""
    first, last = parts[0][0][0].number, parts[-1][0][-1].number
    path = f"measures[{where[0]}].tasks[{where[1]}]"
    items = _items(pending)
    text = "".join(t for _, t in pending)
    role = None if items else _leading_role(text)
    refs = []
    marked = any(marker for _, names in parts for _, marker in names)
    for index, (chunk, names) in enumerate(parts):
        # 牵头单位 | 配合单位 columns: the first line of the cell leads, the later ones assist.
        column = None
        if columns and len(parts) > 1 and not marked:
            column = columns[0] if index == 0 else columns[-1]
        span = (chunk[0].number, chunk[-1].number)
        refs += [UnitRef(name, marker or column or role, span) for name, marker in names]
        if not known and len(chunk) > 1:
            review.append(
                Review(
                    "unit-boundary",
                    "read lines as one unit name: " + " / ".join(n.text for n in chunk),
                    span,
                    path,
                )
            )
    return TaskDraft(
        lines=(pending[0][0].number if pending else first, last),
        text=None if items else text,
        items=tuple(items or ()),
        units=tuple(refs),
    )


def _clip(lines: list[tuple[Line, str]]) -> str:
    text = "".join(t for _, t in lines)
    return text if len(text) <= 40 else text[:39] + "…"


def unit_key(name: str) -> str:
    """The comparison form of a unit name (re-exported for the layouts)."""
    return key(name)
