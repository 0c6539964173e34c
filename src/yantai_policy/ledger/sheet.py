r"""台账 sheets: the ledger's entries as rows, and progress reports read from CSV or xlsx.

One list of columns, [`SHEET_COLUMNS`][yantai_policy.ledger.sheet.SHEET_COLUMNS], is
both what ``ledger export`` writes and what ``ledger import`` reads, so an exported
sheet of reports imports again (rows with an ``id`` are recognised, not filed twice).
A row with neither ``id`` nor ``key`` is keyed by what it says (task, unit, status, date,
text, evidence, who): importing the same sheet twice files each report once, and a row
that says the same as an earlier row of the sheet is refused as a repeat.
A sheet's header may use the column keys or their Chinese headers; a status may be
given as ``done`` or as 已完成.

Import reads every row, then files them with
[`Ledger.report_many`][yantai_policy.ledger.store.Ledger.report_many]: the whole sheet,
or, where any row is bad, nothing, with every bad row listed by its row number in the
sheet (the header is row 1) and its column.

Examples:
    >>> sheet = "task,unit,status,on\r\n7.1,finance,已完成,2021-03-01\r\n".encode()
    >>> rows = read_sheet(sheet, "s.csv")
    >>> rows[0]["status"], rows[0]["on"]
    ('done', '2021-03-01')
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import TYPE_CHECKING, Any

from yantai_policy.ledger.model import EntryKind, LedgerError, Problem, RefusedRowsError, Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from yantai_policy.ledger.model import Entry

__all__ = ["IMPORTED", "SHEET_COLUMNS", "content_key", "entry_rows", "read_sheet"]

SHEET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "序号"),
    ("kind", "类型"),
    ("task", "任务"),
    ("unit", "单位"),
    ("status", "进展状态"),
    ("on", "日期"),
    ("text", "进展情况"),
    ("text_en", "进展情况（英文）"),
    ("evidence", "佐证材料"),
    ("reason", "理由"),
    ("deadline", "完成时限"),
    ("by", "填报人"),
    ("recorded_at", "记录时间"),
    ("supersedes", "更正条目"),
    ("key", "幂等键"),
)
"""The sheet's columns: each key, and its Chinese header."""

IMPORTED = (
    "id",
    "task",
    "unit",
    "status",
    "on",
    "text",
    "text_en",
    "evidence",
    "by",
    "supersedes",
    "key",
)
"""The columns an import reads. A row with an ``id`` is an exported entry: it must match
the ledger's and is not filed again. ``recorded_at`` and the office's columns are the
ledger's own and are not read (``kind``, where present, must be ``report``)."""

_REQUIRED = ("task", "unit", "status", "on")
_BY_HEADER = {h: k for k, h in SHEET_COLUMNS} | {k: k for k, _ in SHEET_COLUMNS}
_STATUS_ZH = {s.zh: s.value for s in Status}
MAX_SHEET_BYTES = 64 * 1024 * 1024
"""The largest sheet read (64 MiB)."""


def entry_rows(entries: Iterable[Entry]) -> list[list[object]]:
    """Return the entries as a sheet: the header of column keys, then one row each."""
    rows: list[list[object]] = [[k for k, _ in SHEET_COLUMNS]]
    for entry in entries:
        data = entry.to_dict()
        text = data.pop("text") or {}
        flat = {
            **data,
            "text": text.get("zh"),
            "text_en": text.get("en") or None,
            "evidence": "; ".join(entry.evidence),
        }
        rows.append(["" if flat.get(k) is None else flat[k] for k, _ in SHEET_COLUMNS])
    return rows


def content_key(row: dict[str, Any]) -> str:
    """Return the key of a sheet row that has none: ``sheet:`` and a digest of what it says.

    Examples:
        >>> row = {"task": "7.1", "unit": "finance", "status": "done", "on": "2021-03-01"}
        >>> content_key(row) == content_key(dict(row, key=None)), content_key(row)[:6]
        (True, 'sheet:')
    """
    said = [
        row.get(c) for c in ("task", "unit", "status", "on", "text", "text_en", "evidence", "by")
    ]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False, default=str).encode())
    return f"sheet:{digest.hexdigest()[:32]}"


def _keyed(row: dict[str, Any], number: int, said: dict[str, int]) -> Problem | None:
    """Key a row that has neither id nor key by its content; a repeat of an earlier row is a problem."""
    if row["id"] is not None or row["key"] is not None:
        return None
    key = content_key(row)
    if key in said:
        return Problem(number, "", f"repeats row {said[key]}")
    said[key] = number
    row["key"] = key
    return None


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _letter(index: int) -> str:
    """The spreadsheet letter of a column, from 0: A, B, …, Z, AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column(header: Sequence[object] | None, index: int) -> str:
    """How a problem names column ``index``: its key where the header names one, else its letter."""
    if header is not None and index < len(header):
        key = _BY_HEADER.get(str(header[index] or "").strip().lstrip("\ufeff"))
        if key:
            return key
    return f"column {_letter(index)}"


def _stop(name: str, row: int, column: str, message: str) -> RefusedRowsError:
    return RefusedRowsError((Problem(row, column, message),), source=name)


def _xlsx_grid(data: bytes, name: str) -> list[list[object]]:
    """The first sheet's cells, by their saved values; a formula with no saved value is refused."""
    try:
        from openpyxl import load_workbook  # noqa: PLC0415 - only xlsx sheets need it
    except ImportError:
        raise LedgerError(
            f"{name}: reading .xlsx needs openpyxl (pip install openpyxl)", field="file"
        ) from None
    grids: list[list[list[object]]] = []
    for saved in (True, False):  # the values, then the formulas
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=saved)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a bad zip
            raise LedgerError(
                f"{name}: not a readable .xlsx workbook ({error})", field="file"
            ) from None
        try:
            grids.append([list(row) for row in book.worksheets[0].iter_rows(values_only=True)])
        finally:
            book.close()
    values, formulas = grids
    problems = [
        Problem(r, _column(values[0] if values else None, c),
                f"cell {_letter(c)}{r} holds a formula ({str(f)[:40]}) with no saved value; "
                "open the sheet in a spreadsheet and save it, or paste its values")
        for r, (row, written) in enumerate(zip(values, formulas, strict=False), start=1)
        for c, (v, f) in enumerate(zip(row, written, strict=False))
        if v is None and f is not None
    ]  # fmt: skip
    if problems:
        raise RefusedRowsError(tuple(problems), source=name)
    width = max(map(len, values), default=0)  # a row's empty cells at its end may be left out
    return [row + [None] * (width - len(row)) for row in values]


def _csv_grid(data: bytes, name: str) -> list[list[object]]:
    """The rows of a CSV file in UTF-8, read strictly: every flaw is refused by its row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row, column = _locate(data[: error.start])
        message = (
            f"not UTF-8 (byte 0x{data[error.start]:02X}); save the sheet as CSV UTF-8 or .xlsx"
        )
        raise _stop(name, row, column, message) from None
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise _stop(name, len(rows) + 1, "", f"not readable CSV ({error})") from None
    for number, cells in enumerate(rows, start=1):
        for index, cell in enumerate(cells):
            if "\x00" in cell:
                message = "holds a NUL byte: the file is not a CSV text (UTF-16?); save the sheet as CSV UTF-8 or .xlsx"
                raise _stop(name, number, _column(rows[0], index), message)
    return [list(r) for r in rows]


def _locate(before: bytes) -> tuple[int, str]:
    """The row and column of the sheet where the text that begins after ``before`` starts."""
    marker = "\ue000"
    found = list(csv.reader(io.StringIO(before.decode("utf-8-sig") + marker, newline="")))
    for number, row in enumerate(found, start=1):
        for index, cell in enumerate(row):
            if marker in cell:
                return number, _column(found[0] if number > 1 else None, index)
    return len(found), ""  # pragma: no cover - the marker is always in a cell


def _grid(data: bytes, name: str) -> list[list[object]]:
    if data.startswith(b"SQLite format 3\x00"):
        msg = f"{name} is a SQLite database (a ledger?), not a sheet: give a CSV or .xlsx file"
        raise LedgerError(msg, field="file")
    if data[:4] == b"PK\x03\x04":  # a zip: an .xlsx workbook
        return _xlsx_grid(data, name)
    return _csv_grid(data, name)


def read_sheet(data: bytes, name: str) -> list[dict[str, Any]]:  # noqa: C901, PLR0912 - one check per kind of bad row
    """Read a 台账 sheet's report rows (CSV in UTF-8, or .xlsx, its first sheet).

    Returns one mapping per row, with the `IMPORTED` columns and ``row`` (its row
    number in the sheet). Blank rows are skipped.

    Raises:
        LedgerError: The file is not a sheet, or its header lacks a required column.
        RefusedRowsError: Rows that are not reports, or a cell of the wrong kind.
    """
    grid = _grid(data, name)
    if not grid or not any(c not in (None, "") for c in grid[0]):
        raise LedgerError(f"{name}: the sheet is empty; it needs a header row", field="file")
    header = [str(c).strip() if c is not None else "" for c in grid[0]]
    columns = [_BY_HEADER.get(h.lstrip("\ufeff")) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c is None and h]
    if unknown:
        known = ", ".join(k for k, _ in SHEET_COLUMNS)
        raise LedgerError(
            f"{name}: row 1: unknown column {unknown[0]!r}; the columns are {known}",
            field=unknown[0],
        )
    twice = [(i, c) for i, c in enumerate(columns) if c is not None and columns.index(c) < i]
    if twice:
        index, key = twice[0]
        first = columns.index(key)
        raise LedgerError(
            f"{name}: row 1: column {_letter(index)} ({header[index]!r}) repeats column "
            f"{_letter(first)} ({header[first]!r}): both are {key!r}; give each column once",
            field=key,
        )
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise LedgerError(
            f"{name}: row 1: no {missing[0]!r} column (a report needs {', '.join(_REQUIRED)})",
            field=missing[0],
        )
    width = max(i for i, h in enumerate(header) if h) + 1  # the header's last named column
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    said: dict[str, int] = {}
    for number, raw in enumerate(grid[1:], start=2):
        if all(v in (None, "") for v in raw):
            continue  # a blank row
        cells = {c: _cell(v) for c, v in zip(columns, raw, strict=False) if c is not None}
        stray = [i for i, v in enumerate(raw) if v not in (None, "")
                 and (i >= len(columns) or columns[i] is None)]  # fmt: skip
        if len(raw) < width or stray:
            where = f"; column {_letter(stray[0])} has no header" if stray else ""
            problems.append(
                Problem(number, "", f"{len(raw)} cells, but the header has {width}{where}")
                if len(raw) != width
                else Problem(number, f"column {_letter(stray[0])}", "a cell under no column header")
            )
            continue
        if all(v is None for v in cells.values()):
            continue
        kind = cells.get("kind")
        if kind not in (None, EntryKind.REPORT.value):
            problems.append(
                Problem(
                    number,
                    "kind",
                    f"only reports are imported, not {kind!r} entries (ledger export --kind report writes a sheet of reports)",
                )
            )
            continue
        row: dict[str, Any] = {c: cells.get(c) for c in IMPORTED}
        status = row["status"]
        row["status"] = _STATUS_ZH.get(status, status) if isinstance(status, str) else status
        # A number where text is due (task 2.10 saved as the number 2.1) is left as it is,
        # for the rules to refuse: it is never turned into other text.
        for field in ("supersedes", "id"):
            if isinstance(row[field], str) and row[field].isdigit():
                row[field] = int(row[field])
        repeat = _keyed(row, number, said)
        if repeat is not None:
            problems.append(repeat)
            continue
        row["row"] = number
        rows.append(row)
    if problems:
        raise RefusedRowsError(tuple(problems), source=name)
    return rows
