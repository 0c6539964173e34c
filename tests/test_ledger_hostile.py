"""Hostile input against the implementation ledger: the API, its sheets and ``yantai-policy ledger``.

What every case checks: bad input is refused with a message that names the field (and, for
a batch or a sheet, the row and column); a refused entry writes nothing; a sheet imports
whole or not at all; a command exits 2 with one line on stderr, no traceback, and leaves no
output file behind. The refusals run against one ledger per database (module-scoped: a
refusal writes nothing, and each case checks that it did not), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
import sqlalchemy as sa

import yantai_policy as yp
from conftest import fresh_database
from conftest import run_cli as _run
from yantai_policy.ledger import EntryKind, Ledger, LedgerError, RefusedRowsError, Settings
from yantai_policy.ledger.schema import entries
from yantai_policy.ledger.sheet import read_sheet
from yantai_policy.model import Text

if TYPE_CHECKING:
    from pgserver import Server

DATA = Path(__file__).parent / "data"
PLAN = str(DATA / "example-flexible-2025.toml")
TODAY = dt.date(2026, 1, 1)
"""The 'today' of the tests: reports after it are in the future."""


@pytest.fixture(scope="module")
def example() -> yp.Policy:
    """A plan with shared tasks, leads, deadlines and reporting rhythms (issued 2025-03-18)."""
    return yp.load_policy(PLAN)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One ``--db`` per database for the whole module: a SQLite file, a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("hostile") / "ledger.db")
        return
    server: Server = request.getfixturevalue("postgresql_server")
    with fresh_database(server) as url:
        yield url


@pytest.fixture(scope="module")
def shared(shared_db: str, example: yp.Policy) -> Iterator[Ledger]:
    """A ledger with a bind and one keyed report; the refusals must leave it as it is."""
    with Ledger.create(shared_db, example, by="office", today=TODAY) as made:
        made.report("2.1", "hrss", "in_progress", on="2025-04-01", key="k-1", today=TODAY)
        yield made


@pytest.fixture
def ledger(ledger_db: str, example: yp.Policy) -> Iterator[Ledger]:
    """A fresh ledger on the example plan, for the cases that write."""
    with Ledger.create(ledger_db, example, by="office", today=TODAY) as made:
        yield made


def _count(ledger: Ledger) -> int:
    with ledger.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one())


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _xlsx(*rows: list[object], formats: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ─── One report, by the API ─────────────────────────────────────────────────────

GOOD: dict[str, Any] = {"task": "2.2", "unit": "hrss", "status": "in_progress", "on": "2025-04-02"}

BAD_REPORTS = [
    ({"task": True}, "task", "not the boolean True"),
    ({"task": 2.1}, "task", "write '2.1' as text"),
    ({"task": 7}, "task", "not the number 7"),
    ({"task": "2.10"}, "task", "no task '2.10' in the plan; did you mean: 2.1"),
    ({"task": ""}, "task", "a report needs a task"),
    ({"unit": True}, "unit", "not the boolean True"),
    ({"unit": 5}, "unit", "not the number 5"),
    ({"unit": "市财务局"}, "unit", "no unit named '市财务局'"),
    ({"unit": "tax"}, "unit", "no delegation"),
    ({"status": True}, "status", "not the boolean True"),
    ({"status": "finished"}, "status", "done (已完成)"),
    ({"status": None}, "status", "a report needs a status"),
    ({"on": True}, "on", "not the boolean True"),
    ({"on": 20250402}, "on", "not the number 20250402"),
    ({"on": None}, "on", "a report needs a date (on)"),
    ({"on": dt.datetime(2025, 4, 2, 9, 30, tzinfo=dt.UTC)}, "on", "not a date and time"),
    ({"on": "2025-02-29"}, "on", "February 2025 has 28 days"),
    ({"on": "2025/04/02"}, "on", "expected YYYY-MM-DD"),
    ({"on": "２０２５-０４-０２"}, "on", "expected YYYY-MM-DD"),
    ({"on": "2026-01-02"}, "on", "in the future (today is 2026-01-01)"),
    ({"on": "2025-03-17"}, "on", "before the notice, issued on 2025-03-18"),
    ({"key": 5}, "key", "key must be text, not the number 5"),
    ({"key": True}, "key", "key must be text, not the boolean True"),
    ({"key": "k-1"}, "key", "already used for entry"),
    ({"by": True}, "by", "by must be text, not the boolean True"),
    ({"by": "张\u202e三"}, "by", "bidirectional control character (U+202E)"),
    ({"by": "\udcff"}, "by", "lone surrogate"),
    ({"text": True}, "text", "text must be text, not the boolean True"),
    ({"text": "进展\u202e情况"}, "text", "bidirectional control character (U+202E) at character 3"),
    ({"text": "进展\u2066情况"}, "text", "(U+2066)"),
    ({"text": "进展\ud800"}, "text", "lone surrogate"),
    ({"text": "进展\x00情况"}, "text", "control character (U+0000)"),
    ({"text": "长" * 20_001}, "text", "20,001 characters long"),
    ({"text": Text("进展", "a\x1bb")}, "text_en", "control character (U+001B)"),
    ({"evidence": [1]}, "evidence", "evidence must be text, not the number 1"),
    ({"evidence": ["烟财\u202e1号"]}, "evidence", "(U+202E)"),
    ({"supersedes": True}, "supersedes", "not True"),
    ({"supersedes": 1.0}, "supersedes", "not 1.0"),
    ({"supersedes": 10**30}, "supersedes", "there is no entry 1000000000000000000000000000000"),
    ({"supersedes": 2**63}, "supersedes", "there is no entry 9223372036854775808"),
    ({"supersedes": -1}, "supersedes", "there is no entry -1"),
    ({"today": True}, "today", "not the boolean True"),
    ({"today": "2026-01-01"}, "today", "not str '2026-01-01'"),
    ({"today": dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)}, "today", "not datetime"),
]


@pytest.mark.parametrize(("change", "field", "says"), BAD_REPORTS)
def test_a_bad_report_is_refused_by_field_and_writes_nothing(
    shared: Ledger, change: dict[str, Any], field: str, says: str
) -> None:
    """A boolean, a number, a bad date or a hidden character is refused, never coerced."""
    fields = {**GOOD, "today": TODAY, **change}
    before = _count(shared)
    with pytest.raises(LedgerError) as caught:
        shared.report(fields.pop("task"), fields.pop("unit"), fields.pop("status"), **fields)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert says in str(caught.value)
    assert "None" not in str(caught.value)
    assert _count(shared) == before


@pytest.mark.parametrize(
    ("call", "field", "says"),
    [
        (lambda lg: lg.close_out(True, on="2025-04-01", reason="x", today=TODAY), "task", "boolean"),  # noqa: FBT003 - the boolean is the hostile input
        (lambda lg: lg.close_out("2.1", on="2025-04-01", reason=None, today=TODAY), "reason", "needs a reason"),
        (lambda lg: lg.close_out("2.1", on="2025-04-01", reason=5, today=TODAY), "reason", "not the number 5"),
        (lambda lg: lg.reopen("2.1", on="2025-04-01", reason="x", today="2026-01-01"), "today", "not str"),
        (lambda lg: lg.set_deadline("2.1", True, on="2025-04-01", reason="x", today=TODAY), "deadline", "boolean"),  # noqa: FBT003
        (lambda lg: lg.set_deadline("2.1", "2025-12-31", on="2025-04-01", reason=" ", today=TODAY), "reason", "needs a reason"),
        (lambda lg: lg.delegate("2.1", 5, on="2025-04-01", reason="x", today=TODAY), "unit", "not the number 5"),
        (lambda lg: lg.delegate("2.1", "tax", on="2025-04-01", reason=None, today=TODAY), "reason", "needs a reason"),
        (lambda lg: lg.remind("2.1", "hrss", on="2025-04-01", text=5, today=TODAY), "text", "not the number 5"),
        (lambda lg: lg.remind("2.1", "hrss", on=None, today=TODAY), "on", "needs a date (on)"),
        (lambda lg: lg.history(task=2.1), "task", "write '2.1' as text"),
        (lambda lg: lg.status("2025-02-29"), "on", "February 2025 has 28 days"),
        (lambda lg: lg.status(True), "on", "boolean"),  # noqa: FBT003
    ],
)  # fmt: skip
def test_the_office_entries_and_the_reads_check_their_arguments(
    shared: Ledger, call: Any, field: str, says: str
) -> None:
    """Close-outs, deadlines, delegations, reminders, history and status refuse wrong types by field."""
    before = _count(shared)
    with pytest.raises(LedgerError) as caught:
        call(shared)
    assert (caught.value.field, says in str(caught.value)) == (field, True), str(caught.value)
    assert _count(shared) == before


BAD_CREATES: list[tuple[Any, Any, str]] = [
    (True, TODAY, "by"), ("张\x00三", TODAY, "by"), ("a" * 201, TODAY, "by"),
    ("张\u202e三", TODAY, "by"), ("office", "2026-01-01", "today"), ("office", True, "today"),
    ("office", dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC), "today"),
]  # fmt: skip


def test_create_checks_by_and_today_before_it_makes_anything(
    ledger_db: str, example: yp.Policy
) -> None:
    """``Ledger.create`` refuses a bad ``by`` or ``today`` by field, and no ledger is made."""
    for by, today, field in BAD_CREATES:
        with pytest.raises(LedgerError) as caught:
            Ledger.create(ledger_db, example, by=by, today=today)
        assert caught.value.field == field, (by, today)
        if "://" not in ledger_db:
            assert not Path(ledger_db).exists()
    with Ledger.create(ledger_db, example, by="office", today=TODAY) as made:  # still empty
        assert len(made.history()) == 1


# ─── Batches ────────────────────────────────────────────────────────────────────


def test_a_batch_of_one_row_keeps_its_row_number(shared: Ledger) -> None:
    """One bad row of ``report_many`` (or of a sheet) is reported by its row, not as a bare error."""
    before = _count(shared)
    with pytest.raises(RefusedRowsError) as caught:
        shared.report_many([{**GOOD, "task": "9.9", "row": 7}], today=TODAY, source="batch")
    assert [(p.row, p.column) for p in caught.value.problems] == [(7, "task")]
    assert (
        str(caught.value)
        == "batch: 1 bad row, nothing imported: row 7: task: no task '9.9' in the plan"
    )
    sheet = read_sheet(_csv("task,unit,status,on", "2.2,hrss,done,2025-02-29"), "s.csv")
    with pytest.raises(
        RefusedRowsError, match=r"^s\.csv: 1 bad row, nothing imported: row 2: on: "
    ):
        shared.report_many(sheet, today=TODAY, source="s.csv")
    assert _count(shared) == before


def test_a_reused_key_is_listed_for_every_row(shared: Ledger) -> None:
    """Each row that reuses a key (with other contents, or twice in the batch) is listed by its row."""
    rows = [
        {**GOOD, "key": "k-1", "row": 2},  # used for entry 2 with other contents
        {**GOOD, "key": "k-2", "row": 3},
        {**GOOD, "key": "k-2", "on": "2025-04-03", "row": 4},  # given twice
        {**GOOD, "key": "k-1", "status": "done", "row": 5},  # and again
    ]
    before = _count(shared)
    with pytest.raises(RefusedRowsError) as caught:
        shared.report_many(rows, today=TODAY)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "key"),
        (4, "key"),
        (5, "key"),
    ]
    assert "given in row 3 too" in caught.value.problems[1].message
    assert "4 bad rows" not in str(caught.value)
    assert "3 bad rows" in str(caught.value)
    assert _count(shared) == before


def test_a_retried_keyed_report_is_still_recorded_once(ledger: Ledger) -> None:
    """The same keyed report, filed again alone or in a batch, returns the entry already recorded."""
    first = ledger.report("2.2", "hrss", "done", on="2025-04-02", key="r-1", today=TODAY)
    again = ledger.report_many([{**GOOD, "status": "done", "key": "r-1"},
                                {**GOOD, "key": "r-2"}], today=TODAY)  # fmt: skip
    assert again[0].id == first.id
    assert len(ledger.history(kind=EntryKind.REPORT)) == 2


def test_a_unit_is_filed_by_its_id_whatever_name_it_is_given(ledger: Ledger) -> None:
    """A unit given by id or any of its names is filed by its id; an unknown one is refused by name."""
    names = ("hrss", " HRSS ", "人力资源社会保障局", "市人力资源社会保障局", "hrss\u202e")
    for name in names:  # invisible characters in a name are ignored: the id is what is filed
        made = ledger.report("2.2", name, "in_progress", on="2025-04-02", today=TODAY)
        assert made.unit == "hrss"
    refused = [("hrs", "did you mean: hrss?"), ("市人社局x", "no unit named '市人社局x'"),
               ("", "a report needs a unit")]  # fmt: skip
    for unit, says in refused:
        with pytest.raises(LedgerError) as caught:
            ledger.report("2.2", unit, "in_progress", on="2025-04-02", today=TODAY)
        assert (caught.value.field, says in str(caught.value)) == ("unit", True), str(caught.value)
    assert [e.unit for e in ledger.history(kind=EntryKind.REPORT)] == ["hrss"] * len(names)


# ─── Sheets ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("header", "says"),
    [("task,unit,status,on,task", "column E ('task') repeats column A ('task')"),
     ("任务,unit,status,on,task", "column E ('task') repeats column A ('任务')"),
     ("task,unit,status,on,日期", "column E ('日期') repeats column D ('on')")],
)  # fmt: skip
def test_a_sheet_with_a_column_twice_is_refused(header: str, says: str) -> None:
    """A header that names a column twice (by its key or its Chinese header) is refused, naming it."""
    with pytest.raises(LedgerError) as caught:
        read_sheet(_csv(header, "2.1,hrss,done,2025-04-01,2.2"), "s.csv")
    assert says in str(caught.value)
    assert str(caught.value).startswith("s.csv: row 1: ")


@pytest.mark.parametrize(
    ("data", "row", "column", "says"),
    [
        (_csv("task,unit,status,on,text", "2.1,hrss,done"), 2, "", "3 cells, but the header has 5"),
        (_csv("task,unit,status,on", "2.1,hrss,done,2025-04-01", "2.2,hrss,done,2025-04-01,x"),
         3, "", "5 cells, but the header has 4; column E has no header"),
        (_csv("task,unit,status,on,,text", "2.1,hrss,done,2025-04-01,x,"), 2, "column E", "no column header"),
        (b'task,unit,status,on,text\r\n2.1,hrss,done,2025-04-01,"unterminated\r\n', 2, "", "not readable CSV"),
        (b'task,unit,status,on,text\r\n2.1,hrss,done,2025-04-01,"a"b\r\n', 2, "", "not readable CSV"),
        (_csv("task,unit,status,on,text", "2.1,hrss,done,2025-04-01,a\x00b"), 2, "text", "NUL byte"),
        ("task,unit,status,on\r\n".encode("utf-16-le"), 1, "column A", "NUL byte"),
        ("task,unit,status,on\r\n".encode("utf-16"), 1, "column A", "not UTF-8 (byte 0xFF)"),
        ("任务,单位\r\n".encode("gb18030"), 1, "column A", "not UTF-8"),
        (_csv("task,unit,status,on,text", "2.1,hrss,done,2025-04-01,ok",
              "2.2,hrss,done,2025-04-01,好") .replace("好".encode(), "好".encode("gbk")),
         3, "text", "not UTF-8"),
        (b'task,unit,status,on,text\r\n2.1,hrss,done,2025-04-01,"two\r\nlines"\r\n2.2,\xff', 3, "unit", "not UTF-8"),
    ],
)  # fmt: skip
def test_a_csv_sheet_is_read_strictly_and_refused_by_row(
    data: bytes, row: int, column: str, says: str
) -> None:
    """Ragged rows, broken quotes, NUL bytes and other encodings are refused at their row and column."""
    with pytest.raises(RefusedRowsError) as caught:
        read_sheet(data, "s.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [(row, column)]
    assert says in str(caught.value)
    assert str(caught.value).startswith("s.csv: 1 bad row, nothing imported: ")


def test_a_huge_csv_cell_is_refused_at_its_row(shared: Ledger) -> None:
    """A 200,000-character cell is refused at row 2, whatever the csv module's field limit.

    The limit is process-wide (the batch reader raises it): below it the reader refuses
    the cell, above it the rules refuse a text of more than 20,000 characters.
    """
    data = _csv("task,unit,status,on,text", "2.1,hrss,done,2025-04-01," + "长" * 200_000)
    before = _count(shared)
    with pytest.raises(RefusedRowsError) as caught:
        shared.report_many(read_sheet(data, "s.csv"), today=TODAY, source="s.csv")
    assert [p.row for p in caught.value.problems] == [2]
    assert "field larger than field limit" in str(caught.value) or "200,000 characters" in str(
        caught.value
    )
    assert _count(shared) == before


def test_a_trailing_empty_cell_and_a_blank_row_are_not_ragged() -> None:
    """A row that ends in an empty cell (a trailing comma) and a blank line are read as usual."""
    rows = read_sheet(_csv("task,unit,status,on", "2.1,hrss,done,2025-04-01,", ""), "s.csv")
    assert [(r["row"], r["task"], r["on"]) for r in rows] == [(2, "2.1", "2025-04-01")]


def test_a_ledger_file_given_as_a_sheet_is_refused(tmp_path: Path) -> None:
    """``ledger import ledger.db`` is told that the file is a database, not a sheet."""
    path = tmp_path / "l.db"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    with pytest.raises(LedgerError, match="is a SQLite database"):
        read_sheet(path.read_bytes(), "l.db")


def test_an_xlsx_formula_without_a_saved_value_is_refused_by_cell() -> None:
    """A formula cell never calculated (no saved value) is refused, naming each cell."""
    data = _xlsx(["task", "unit", "status", "on", "text"],
                 ["2.1", "hrss", "done", "2025-04-01", "=A2&B2"],
                 ['="2."&"2"', "hrss", "done", "2025-04-01", "ok"])  # fmt: skip
    with pytest.raises(RefusedRowsError) as caught:
        read_sheet(data, "s.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "text"), (3, "task")]
    assert "cell E2 holds a formula (=A2&B2) with no saved value" in str(caught.value)
    assert "cell A3" in str(caught.value)


@pytest.mark.parametrize(
    ("cell", "field", "says"),
    [(2.1, "task", "write '2.1' as text"), (2, "task", "not the number 2"),
     (True, "task", "not the boolean True")],
)  # fmt: skip
def test_a_number_in_an_xlsx_task_cell_is_refused_not_read_as_another_task(
    shared: Ledger, cell: object, field: str, says: str
) -> None:
    """Task 2.10 saved as the number 2.1 (shown 2.10) is refused: never filed as task 2.1."""
    data = _xlsx(["task", "unit", "status", "on"], [cell, "hrss", "in_progress", "2025-04-01"],
                 formats={"A2": "0.00"})  # fmt: skip
    rows = read_sheet(data, "s.xlsx")
    assert rows[0]["task"] == cell  # read as it is, not turned into other text
    before = _count(shared)
    with pytest.raises(RefusedRowsError) as caught:
        shared.report_many(rows, today=TODAY, source="s.xlsx")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, field)]
    assert says in str(caught.value)
    assert _count(shared) == before


def test_an_xlsx_boolean_cell_in_a_text_column_is_refused(shared: Ledger) -> None:
    """A TRUE cell where a unit, status, date or key is due is refused by row and column."""
    data = _xlsx(["task", "unit", "status", "on", "key"], ["2.1", True, "done", "2025-04-01", "a"],
                 ["2.2", "hrss", True, True, True])  # fmt: skip
    with pytest.raises(RefusedRowsError) as caught:
        shared.report_many(read_sheet(data, "s.xlsx"), today=TODAY)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "unit"), (3, "status"), (3, "on"), (3, "key"),
    ]  # fmt: skip


# ─── The status ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("on", ["2025-03-18", "2025-06-25", "2025-10-01", "2026-12-31"])
def test_no_status_text_says_none(shared: Ledger, on: str) -> None:
    """A task without a deadline (长期坚持) is described without a 'None' anywhere."""
    status = shared.status(on)
    texts = [
        value
        for task in status.tasks
        for condition in (*task.conditions, *(c for cell in task.cells for c in cell.conditions))
        for value in (condition.text.zh, condition.text.en, condition.source)
    ]
    assert texts
    assert not [t for t in texts if "None" in t]
    assert not [c for row in status.rows("task") for c in row if "None" in str(c)]
    no_deadline = status.task("1.3")  # 长期坚持
    overdue = next(c for c in no_deadline.conditions if c.code == "overdue")
    assert (overdue.text.zh, overdue.text.en) == ("无完成时限", "no deadline")


@pytest.mark.parametrize(
    ("on", "says"),
    [("2025-03-17", "before the notice, issued on 2025-03-18"), ("0001-01-01", "before the notice"),
     ("2025-02-29", "February 2025 has 28 days"), (True, "not the boolean True")],
)  # fmt: skip
def test_a_status_before_the_notice_is_refused(shared: Ledger, on: object, says: str) -> None:
    """A 台账 as of a day before the notice (every light green, meaninglessly) is refused."""
    with pytest.raises(LedgerError) as caught:
        shared.status(on)  # type: ignore[arg-type]
    assert (caught.value.field, says in str(caught.value)) == ("on", True), str(caught.value)


def test_a_status_on_the_last_day_of_the_calendar_is_computed(shared: Ledger) -> None:
    """``--on 9999-12-31``: the reporting period that holds it ends on that day, no overflow."""
    status = shared.status("9999-12-31")
    assert status.task("2.1").light.value == "red"
    ending = next(c for c in status.task("2.1").conditions if c.code == "period-ending")
    assert ending.values["period_end"] == "9999-12-31"


@pytest.mark.parametrize(
    ("settings", "field"),
    [({"warning_days": True}, "warning_days"), ({"warning_days": 1.5}, "warning_days"),
     ({"silent_days": -1}, "silent_days"), ({"silent_days": "90"}, "silent_days"),
     ({"reporting": "monthly"}, "reporting")],
)  # fmt: skip
def test_settings_refuse_booleans_and_wrong_types(settings: dict[str, Any], field: str) -> None:
    """``Settings(warning_days=True)`` and the like are refused by field, not read as 1."""
    with pytest.raises(LedgerError) as caught:
        Settings(**settings)
    assert caught.value.field == field


# ─── The command line ───────────────────────────────────────────────────────────


def _refused(result: tuple[int, str, str], says: str) -> None:
    code, out, err = result
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert says in err, err


@pytest.mark.parametrize("name", ["matrix.pdf", "matrix.jpg", "matrix", "matrix.svg.txt"])
def test_ledger_plot_checks_its_suffix_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """An unsupported picture suffix: exit 2, one line, no file, before the ledger is even opened."""
    out = tmp_path / name
    result = _run(capsys, "ledger", "plot", "--db", str(tmp_path / "none.db"), "-o", str(out))
    _refused(result, "name it .png or .svg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [("status", "--format", "csv"), ("status", "--format", "xlsx"), ("export",), ("plot",)],
)
def test_an_output_into_a_missing_directory_leaves_nothing(
    shared: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """``-o`` into a folder that is not there: exit 2, one line naming the file, nothing written."""
    command, *rest = argv
    out = tmp_path / "missing" / ("out.svg" if command == "plot" else "out.csv")
    result = _run(capsys, "ledger", command, "--db", shared.db, "--plan", PLAN, *rest,
                  "--on" if command != "export" else "--kind", "2025-05-01" if command != "export" else "report",
                  "-o", str(out))  # fmt: skip
    _refused(result, str(out))
    assert not out.parent.exists()


def test_an_output_onto_the_ledger_itself_is_refused(
    tmp_path: Path, example: yp.Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status -o ledger.db`` would replace the ledger with a table: it is refused first."""
    db = str(tmp_path / "ledger.db")
    Ledger.create(db, example, by="office", today=TODAY).close()
    before = Path(db).read_bytes()
    _refused(_run(capsys, "ledger", "status", "--db", db, "--plan", PLAN, "-o", db), "is the input")
    assert Path(db).read_bytes() == before
    with Ledger.open(db, example) as again:
        assert len(again.history()) == 1


@pytest.mark.parametrize(
    ("on", "says"),
    [("2025-5-1", "two-digit month and day"), ("2025/05/01", "expected YYYY-MM-DD"),
     ("20250501", "expected YYYY-MM-DD"), ("２０２５-０５-０１", "expected YYYY-MM-DD"),
     ("2025-02-29", "February 2025 has 28 days"), ("2100-02-29", "February 2100 has 28 days"),
     ("2025-04-01T00:00", "not a date and time"), ("", "expected YYYY-MM-DD"),
     (" 2025-04-01", "expected YYYY-MM-DD"), ("0000-01-01", "there is no year 0")],
)  # fmt: skip
def test_on_in_odd_forms_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, on: str, says: str
) -> None:
    """``--on`` that is not a YYYY-MM-DD day that exists: exit 2, one line that says why."""
    result = _run(capsys, "ledger", "report", "--db", str(tmp_path / "l.db"), "--task", "1.1",
                  "--unit", "amr", "--status", "done", "--on", on)  # fmt: skip
    _refused(result, "--on")
    assert says in result[2]


@pytest.mark.parametrize(
    ("extra", "says"),
    [(("--text", "进展\u202e情况"), "bidirectional"), (("--text", "\udcff"), "lone surrogate"),
     (("--by", "张\u2067三"), "bidirectional"), (("--key", "k\x00"), "control character"),
     (("--text", "长" * 20_001), "20,001 characters"), (("--unit", "市财务局"), "no unit named"),
     (("--task", "1.10"), "no task '1.10' in the plan"), (("--on", "2099-01-01"), "in the future"),
     (("--on", "2025-03-17"), "before the notice")],
)  # fmt: skip
def test_a_hostile_report_on_the_command_line_exits_2_and_writes_nothing(
    shared: Ledger, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], says: str
) -> None:
    """Hidden characters, undecodable bytes, huge text, unknown names and odd dates: one line, exit 2."""
    fields = {"--task": "1.1", "--unit": "amr", "--status": "done", "--on": "2025-04-01"}
    fields |= dict(zip(extra[::2], extra[1::2], strict=True))
    before = _count(shared)
    argv = [a for pair in fields.items() for a in pair]
    _refused(_run(capsys, "ledger", "report", "--db", shared.db, "--plan", PLAN, *argv), says)
    assert _count(shared) == before


def test_a_one_row_sheet_is_refused_by_file_and_row(
    shared: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ledger import`` of a sheet with one bad row names the file, the row and the column."""
    sheet = tmp_path / "台账.csv"
    sheet.write_bytes(_csv("task,unit,status,on", "9.9,amr,done,2025-04-01"))
    before = _count(shared)
    result = _run(capsys, "ledger", "import", "--db", shared.db, "--plan", PLAN, str(sheet))
    _refused(result, f"{sheet}: 1 bad row, nothing imported: row 2: task: no task '9.9'")
    sheet.write_bytes(_csv("task,unit,status,on,任务", "1.1,amr,done,2025-04-01,1.2"))
    _refused(_run(capsys, "ledger", "import", "--db", shared.db, "--plan", PLAN, str(sheet)),
             "repeats column A")  # fmt: skip
    assert _count(shared) == before


def _sqlite_file(path: Path, kind: str) -> None:
    if kind == "text":
        path.write_text("not a database\n", encoding="utf-8")
    elif kind == "other-app":
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE moz_places (url TEXT)")
        connection.execute("INSERT INTO moz_places VALUES ('https://example.org')")
        connection.commit()
        connection.close()
    elif kind == "newer-ledger":  # a ledger of a later version of this library, in WAL mode
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE ledger_schema_version (version_num TEXT)")
        connection.execute("INSERT INTO ledger_schema_version VALUES ('0099_future')")
        connection.commit()
        connection.close()
    else:
        path.mkdir()


@pytest.mark.parametrize(
    ("kind", "command", "says"),
    [("directory", "status", "is a directory"), ("directory", "init", "is a directory"),
     ("text", "status", "file is not a database"), ("text", "init", "file is not a database"),
     ("other-app", "status", "holds no ledger"), ("other-app", "init", "another application's tables (moz_places)"),
     ("newer-ledger", "status", "'0099_future' is not one of this library's"),
     ("newer-ledger", "migrate", "'0099_future' is not one of this library's")],
)  # fmt: skip
def test_a_db_that_is_not_a_ledger_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str, says: str
) -> None:
    """A directory, a text file, another application's SQLite file, a newer schema: one line, untouched."""
    path = tmp_path / "ledger.db"
    _sqlite_file(path, kind)
    before = sorted(p.name for p in tmp_path.iterdir())
    data = path.read_bytes() if path.is_file() else None
    _refused(_run(capsys, "ledger", command, "--db", str(path), "--plan", PLAN), says)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (path.read_bytes() if path.is_file() else None) == data


def test_a_database_url_never_shows_its_password(
    postgresql_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong passwords, a password with @ or in the query, a bad port: one line, the password masked."""
    url = postgresql_server.url("no_such_ledger")
    base = url.split("://", 1)[1]
    user, rest = base.split("@", 1)
    urls = [
        f"postgresql://{user.split(':')[0]}:Wr0ngPassw0rd@{rest}",  # a server that is there
        f"postgresql://{user.split(':')[0]}:Wr0ng@Pass/w0rd@{rest}",
        f"postgresql://{user.split(':')[0]}@{rest}?password=Wr0ngPassw0rd",
        "postgresql://office:Wr0ngPassw0rd@127.0.0.1:notaport/ledger",
        "postgresql://office:Wr0ngPassw0rd@127.0.0.1:1/ledger",
        "mysql://office:Wr0ngPassw0rd@127.0.0.1/ledger",
    ]
    for db in urls:
        code, out, err = _run(capsys, "ledger", "status", "--db", db, "--on", "2025-04-01")
        assert (code, out, err.count("\n")) == (2, "", 1), err
        assert "Wr0ng" not in err
        assert "w0rd" not in err
        assert "Traceback" not in err
        assert "***" in err or "mysql" in err


@pytest.fixture
def read_only_db(ledger_db: str, example: yp.Policy) -> Iterator[str]:
    """A ledger that may not be written: a read-only file, or a read-only PostgreSQL session."""
    Ledger.create(ledger_db, example, by="office", today=TODAY).close()
    if "://" in ledger_db:
        yield f"{ledger_db}?options=-c%20default_transaction_read_only%3Don"
        return
    path = Path(ledger_db)
    path.chmod(0o444)
    immutable = os.geteuid() == 0  # root writes a read-only file: make it immutable too
    if immutable:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)  # noqa: S607
        if made.returncode != 0:
            pytest.skip(f"root cannot make a read-only file here (chattr: {made.stderr!r})")
    try:
        yield ledger_db
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)  # noqa: S607
        path.chmod(0o644)


def test_a_read_only_ledger_refuses_a_write_in_one_line(
    read_only_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger that may not be written: the report exits 2 with one line; the status still reads."""
    argv = ("--plan", PLAN, "--task", "1.1", "--unit", "amr", "--status", "done",
            "--on", "2025-04-01")  # fmt: skip
    code, out, err = _run(capsys, "ledger", "report", "--db", read_only_db, *argv)
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert "Traceback" not in err
    assert "readonly" in err or "read-only" in err, err
    code, out, err = _run(capsys, "ledger", "status", "--db", read_only_db, "--plan", PLAN,
                          "--on", "2025-04-02", "--json")  # fmt: skip
    assert (code, err) == (0, ""), err
    assert {r["task"]: r for r in json.loads(out)}["1.1"]["status"] is None


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [(("status", "--on", "9999-12-31"), 0, "19 tasks as of 9999-12-31"),
     (("status", "--on", "9999-12-31", "--audit"), 0, "ledger findings as of 9999-12-31"),
     (("status", "--on", "2025-03-17"), 2, "before the notice"),
     (("plot", "--on", "2025-03-17", "-o", "m.svg"), 2, "before the notice")],
)  # fmt: skip
def test_a_status_at_the_ends_of_the_calendar(
    shared: Ledger, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], code: int, says: str
) -> None:
    """The last day there is gives a status; a day before the notice is refused in one line."""
    command, *rest = argv
    result = _run(capsys, "ledger", command, "--db", shared.db, "--plan", PLAN, *rest)
    if code:
        _refused(result, says)
        assert not Path("m.svg").exists()
    else:
        assert (result[0], result[2]) == (0, ""), result[2]
        assert says in result[1]
