"""The implementation ledger: its rules, lights, checks, sheets and storage.

Every test that touches a database runs twice, on SQLite and on a real PostgreSQL
server that the suite starts itself (the ``ledger_db`` fixture of conftest.py).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import yantai_policy as yp
from yantai_policy.export import policy_to_plan_dict, xlsx_bytes
from yantai_policy.ledger import (
    EntryKind,
    Ledger,
    LedgerError,
    LedgerMismatchError,
    Light,
    RefusedRowsError,
    Settings,
    Status,
)
from yantai_policy.ledger.checks import LEDGER_CHECKS, audit_with_ledger, ledger_findings
from yantai_policy.ledger.schema import entries
from yantai_policy.ledger.sheet import entry_rows, read_sheet
from yantai_policy.ledger.status import period
from yantai_policy.loading import policy_from_dict

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 1, 1)
"""The 'today' of the tests: reports after it are in the future."""


@pytest.fixture(scope="module")
def example() -> yp.Policy:
    """A plan with shared tasks, leads, deadlines and reporting rhythms (issued 2025-03-18)."""
    return yp.load_policy(DATA / "example-flexible-2025.toml")


@pytest.fixture
def ledger(ledger_db: str, example: yp.Policy) -> Any:
    """A fresh ledger on the example plan, on SQLite or PostgreSQL."""
    with Ledger.create(ledger_db, example, by="office", today=TODAY) as made:
        yield made


@pytest.fixture
def yantai_ledger(ledger_db: str, policy: yp.Policy) -> Any:
    """A fresh ledger on Yantai's plan."""
    with Ledger.create(ledger_db, policy, by="office", today=TODAY) as made:
        yield made


def _count(ledger: Ledger) -> int:
    with ledger.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one())


# ─── Binding and opening ────────────────────────────────────────────────────────


def test_a_ledger_is_bound_to_its_plan(ledger: Ledger, example: yp.Policy) -> None:
    """A ledger is bound to its plan."""
    assert ledger.bound_to() == (example.notice.document_number, example.data_sha256)
    (bind,) = ledger.history(kind=EntryKind.BIND)
    assert bind.by == "office"
    assert bind.recorded_at is not None
    assert bind.recorded_at.tzinfo is not None


def test_create_refuses_a_database_that_holds_a_ledger(ledger: Ledger, example: yp.Policy) -> None:
    """Create refuses a database that holds a ledger."""
    with pytest.raises(LedgerError, match="already holds a ledger") as caught:
        Ledger.create(ledger.db, example)
    assert caught.value.field == "db"


def test_open_refuses_another_plan_version_until_migrated(
    ledger: Ledger, example: yp.Policy
) -> None:
    """Open refuses another plan version until migrated."""
    ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    ledger.report("1.1", "amr", "in_progress", on="2025-04-01", today=TODAY)
    data = policy_to_plan_dict(example)
    data["measures"][0]["tasks"] = data["measures"][0]["tasks"][1:]  # task 1.1 is gone
    revised = policy_from_dict(data)
    assert revised.data_sha256 != example.data_sha256
    with pytest.raises(LedgerMismatchError, match="ledger migrate"):
        Ledger.open(ledger.db, revised)
    migrated, report = Ledger.migrate(ledger.db, revised, by="office", today=TODAY)
    migrated.close()
    assert "2.1" in report.mapped
    assert report.unmapped == ("1.1",)
    with Ledger.open(ledger.db, revised) as reopened:
        assert reopened.bound_to()[1] == revised.data_sha256
        assert len(reopened.history(kind=EntryKind.REPORT)) == 2  # nothing was dropped
        assert all(t.task != "1.1" for t in reopened.status("2025-05-01").tasks)
    with pytest.raises(LedgerMismatchError):
        Ledger.open(ledger.db, example)


def test_migrate_refuses_the_plan_of_another_notice(ledger: Ledger, policy: yp.Policy) -> None:
    """Migrate refuses the plan of another notice."""
    with pytest.raises(LedgerMismatchError, match="a version of its own plan"):
        Ledger.migrate(ledger.db, policy)


def test_open_refuses_a_database_without_a_ledger(tmp_path: Path, policy: yp.Policy) -> None:
    """Open refuses a database without a ledger, and a file that is not there (leaving none)."""
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(LedgerError, match="holds no ledger"):
        Ledger.open(str(empty), policy)
    with pytest.raises(LedgerError, match="no such ledger file"):
        Ledger.open(str(tmp_path / "none.db"), policy)
    assert not (tmp_path / "none.db").exists()


# ─── Append-only ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "statement",
    ["UPDATE ledger_entries SET status = 'done'", "DELETE FROM ledger_entries"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_an_entry(ledger: Ledger, statement: str) -> None:
    """The database refuses to change an entry."""
    ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), ledger.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert ledger.history(kind=EntryKind.REPORT)[0].status is Status.IN_PROGRESS


def test_a_correction_supersedes_and_the_status_follows_it(ledger: Ledger) -> None:
    """A correction supersedes and the status follows it."""
    first = ledger.report("2.2", "hrss", "done", on="2025-04-01", today=TODAY)
    fixed = ledger.report(
        "2.2", "hrss", "in_progress", on="2025-04-01", supersedes=first.id, today=TODAY
    )
    assert fixed.supersedes == first.id
    task = ledger.status("2025-04-10").task("2.2")
    assert task.status is Status.IN_PROGRESS
    assert not task.done_reported  # the done report no longer counts
    with pytest.raises(LedgerError, match="already superseded") as caught:
        ledger.report("2.2", "hrss", "blocked", on="2025-04-02", supersedes=first.id, today=TODAY)
    assert caught.value.field == "supersedes"
    with pytest.raises(LedgerError, match="same kind and task"):
        ledger.report("2.1", "hrss", "blocked", on="2025-04-02", supersedes=fixed.id, today=TODAY)
    assert len(ledger.history()) == 3  # bind and two reports: the refusals wrote nothing


def test_a_key_makes_a_retried_report_count_once(ledger: Ledger) -> None:
    """A key makes a retried report count once."""
    one = ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", key="k-1", today=TODAY)
    again = ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", key="k-1", today=TODAY)
    assert again.id == one.id
    with pytest.raises(LedgerError, match="other contents") as caught:
        ledger.report("2.1", "hrss", "done", on="2025-04-01", key="k-1", today=TODAY)
    assert caught.value.field == "key"
    assert len(ledger.history(kind=EntryKind.REPORT)) == 1


# ─── The rules ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("task", "unit", "status", "on", "field", "words"),
    [
        ("9.9", "hrss", "done", "2025-04-01", "task", "9.9"),
        ("2.1", "nobody", "done", "2025-04-01", "unit", "nobody"),
        ("2.1", "tax", "done", "2025-04-01", "unit", "no delegation"),
        ("2.1", "hrss", "finished", "2025-04-01", "status", "not one of"),
        ("2.1", "hrss", "done", "2026-06-01", "on", "in the future"),
        ("2.1", "hrss", "done", "2025-03-01", "on", "before the notice"),
        ("2.1", "hrss", "done", "2025-02-30", "on", "2025-02-30"),
        ("2.1", "hrss", "done", "", "on", "needs a date (on)"),
    ],
)
def test_a_bad_report_is_refused_and_names_its_field(
    ledger: Ledger, task: str, unit: str, status: str, on: str, field: str, words: str
) -> None:
    """A bad report is refused and names its field."""
    with pytest.raises(LedgerError) as caught:
        ledger.report(task, unit, status, on=on, today=TODAY)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert ledger.history(kind=EntryKind.REPORT) == ()


def test_a_delegation_lets_another_unit_report(ledger: Ledger) -> None:
    """A delegation lets another unit report."""
    with pytest.raises(LedgerError, match="no delegation"):
        ledger.report("2.1", "tax", "in_progress", on="2025-04-01", today=TODAY)
    ledger.delegate("2.1", "tax", on="2025-04-01", reason="市政府批示", today=TODAY)
    entry = ledger.report("2.1", "tax", "in_progress", on="2025-04-02", today=TODAY)
    assert entry.unit == "tax"


def test_an_assisting_unit_and_an_item_unit_may_report(ledger: Ledger) -> None:
    """An assisting unit and an item unit may report."""
    assert (
        ledger.report("2.1", "commerce", "in_progress", on="2025-04-01", today=TODAY).unit
        == "commerce"
    )


def test_close_out_and_reopen(ledger: Ledger) -> None:
    """Close out and reopen."""
    ledger.report("2.2", "hrss", "done", on="2025-05-01", today=TODAY)
    ledger.close_out("2.2", on="2025-05-10", reason="已完成", today=TODAY)
    with pytest.raises(LedgerError, match="already closed"):
        ledger.close_out("2.2", on="2025-05-11", reason="again", today=TODAY)
    with pytest.raises(
        LedgerError, match=r"closed out: a done \(已完成\) report is refused"
    ) as caught:
        ledger.report("2.2", "hrss", "done", on="2025-05-12", today=TODAY)
    assert caught.value.field == "status"
    ledger.report("2.2", "hrss", "in_progress", on="2025-05-12", today=TODAY)  # not done: taken
    with pytest.raises(LedgerError, match="needs a reason"):
        ledger.reopen("2.2", on="2025-05-13", reason=" ", today=TODAY)
    ledger.reopen("2.2", on="2025-05-13", reason="复查发现问题", today=TODAY)
    with pytest.raises(LedgerError, match="not closed out"):
        ledger.reopen("2.2", on="2025-05-14", reason="again", today=TODAY)
    assert ledger.report("2.2", "hrss", "done", on="2025-05-20", today=TODAY).status is Status.DONE
    assert not ledger.status("2025-05-21").task("2.2").closed
    assert ledger.status("2025-05-11").task("2.2").closed  # as of a day in between


def test_the_office_entries_check_their_task_and_date(ledger: Ledger) -> None:
    """The office entries check their task and date."""
    with pytest.raises(LedgerError) as caught:
        ledger.set_deadline("9.9", "2025-12-31", on="2025-04-01", reason="x", today=TODAY)
    assert caught.value.field == "task"
    with pytest.raises(LedgerError) as caught:
        ledger.set_deadline("2.1", "2025-13-31", on="2025-04-01", reason="x", today=TODAY)
    assert caught.value.field == "deadline"
    with pytest.raises(LedgerError) as caught:
        ledger.remind("2.1", "hrss", on="2027-01-01", today=TODAY)
    assert caught.value.field == "on"
    assert len(ledger.history()) == 1


# ─── Lights ─────────────────────────────────────────────────────────────────────


def test_periods_are_calendar_periods_from_the_notice() -> None:
    """Periods are calendar periods from the notice."""
    issued = dt.date(2025, 3, 18)
    assert period(dt.date(2025, 3, 20), 3, issued) == period(dt.date(2025, 1, 5), 3, issued)
    assert period(dt.date(2025, 3, 20), 3, issued).start == issued
    assert period(dt.date(2025, 12, 31), 6, issued).start == dt.date(2025, 7, 1)
    assert period(dt.date(2025, 2, 10), 1, dt.date(2024, 1, 1)).end == dt.date(2025, 2, 28)
    assert period(dt.date(2024, 2, 10), 1, dt.date(2024, 1, 1)).end == dt.date(2024, 2, 29)


def _held(task: Any) -> list[str]:
    return [c.code for c in task.reasons]


def test_a_silent_task_turns_yellow_then_red(ledger: Ledger) -> None:
    """A silent task turns yellow then red."""
    # 2.1 reports quarterly (the plan); the first period runs from 2025-03-18 to 03-31.
    assert ledger.status("2025-03-18").task("2.1").light is Light.YELLOW  # ends in 13 days
    assert _held(ledger.status("2025-03-18").task("2.1")) == ["period-ending"]
    april = ledger.status("2025-04-10").task("2.1")
    assert april.light is Light.RED
    missed = next(c for c in april.conditions if c.code == "report-missed")
    assert missed.values == {
        "period_start": "2025-03-18",
        "period_end": "2025-03-31",
        "last_report_on": None,
    }
    assert "reporting: the plan (quarterly)" in missed.source


def test_a_report_in_the_period_keeps_the_light_green(ledger: Ledger) -> None:
    """A report in the period keeps the light green."""
    ledger.report("2.1", "hrss", "in_progress", on="2025-03-25", today=TODAY)
    assert ledger.status("2025-04-10").task("2.1").light is Light.GREEN
    assert ledger.status("2025-06-20").task("2.1").light is Light.YELLOW  # Q2 ends, no report
    assert ledger.status("2025-07-02").task("2.1").light is Light.RED  # Q2 passed without one


def test_the_deadline_turns_the_light_yellow_then_red(ledger: Ledger) -> None:
    """The deadline turns the light yellow then red."""
    # 2.2: due 2025-09-30 (the plan); the reports keep the reporting conditions quiet.
    for day in ("2025-03-20", "2025-06-01", "2025-09-10"):
        ledger.report("2.2", "hrss", "in_progress", on=day, today=TODAY)
    assert ledger.status("2025-09-10").task("2.2").light is Light.GREEN
    near = ledger.status("2025-09-20").task("2.2")
    assert (near.light, _held(near)) == (Light.YELLOW, ["deadline-near"])
    late = ledger.status("2025-10-01").task("2.2")
    assert late.light is Light.RED
    assert "overdue" in _held(late)
    ledger.report("2.2", "hrss", "done", on="2025-09-29", today=TODAY)
    assert ledger.status("2025-10-01").task("2.2").light is Light.GREEN


def test_the_office_moves_a_deadline(ledger: Ledger) -> None:
    """The office moves a deadline."""
    ledger.report("2.2", "hrss", "in_progress", on="2025-09-25", today=TODAY)
    ledger.set_deadline("2.2", "2025-12-31", on="2025-09-26", reason="市政府同意延期", today=TODAY)
    task = ledger.status("2025-10-05").task("2.2")
    assert task.deadline == dt.date(2025, 12, 31)
    assert "overdue" not in _held(task)
    assert ledger.status("2025-09-25").task("2.2").deadline == dt.date(
        2025, 9, 30
    )  # before it moved
    overdue = next(
        c for c in ledger.status("2026-01-01").task("2.2").conditions if c.code == "overdue"
    )
    assert overdue.held
    assert "市政府同意延期" in overdue.source


def test_an_open_deadline_is_never_overdue(ledger: Ledger) -> None:
    """An open deadline is never overdue."""
    task = ledger.status("2025-12-31").task("1.3")  # 长期坚持
    assert task.deadline is None
    assert task.deadline_text == "长期坚持"
    assert "overdue" not in _held(task)


def test_blocked_is_yellow_and_closed_is_green(ledger: Ledger) -> None:
    """Blocked is yellow and closed is green."""
    ledger.report("2.1", "hrss", "blocked", on="2025-04-01", today=TODAY)
    assert ledger.status("2025-04-02").task("2.1").light is Light.YELLOW
    ledger.close_out("2.1", on="2025-04-03", reason="并入2.2", today=TODAY)
    assert ledger.status("2025-12-31").task("2.1").light is Light.GREEN


def test_a_task_takes_its_lead_units_report(ledger: Ledger) -> None:
    """A task takes its lead units report."""
    # 2.1: hrss leads, commerce assists.
    ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    ledger.report("2.1", "commerce", "done", on="2025-04-05", today=TODAY)
    task = ledger.status("2025-04-10").task("2.1")
    assert task.status is Status.IN_PROGRESS
    assert task.last_report_on == dt.date(2025, 4, 5)
    assert task.days_since_report == 5
    cells = {c.unit: c for c in task.cells}
    assert cells["commerce"].status is Status.DONE
    assert cells["hrss"].roles == ("lead",)


def test_settings_change_the_lights(ledger: Ledger) -> None:
    """Settings change the lights."""
    assert ledger.status("2025-03-18", Settings(warning_days=5)).task("2.1").light is Light.GREEN
    assert Settings.SOURCES["warning_days"].startswith("assumption")
    with pytest.raises(LedgerError) as caught:
        Settings(warning_days=-1)
    assert caught.value.field == "warning_days"


def test_the_views_agree_with_the_tasks(ledger: Ledger, example: yp.Policy) -> None:
    """The views agree with the tasks."""
    ledger.report("2.2", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    status = ledger.status("2025-04-10")
    assert sum(status.counts().values()) == len(example.actions)
    for measure in status.by_measure():
        tasks = [t for t in status.tasks if t.measure == measure.measure]
        assert measure.tasks == len(tasks)
        assert measure.light is max((t.light for t in tasks), key=lambda x: x.rank)
    hrss = next(u for u in status.by_unit() if u.unit == "hrss")
    cells = [c for t in status.tasks for c in t.cells if c.unit == "hrss"]
    assert hrss.tasks == len(cells)
    assert hrss.last_report_on == dt.date(2025, 4, 1)
    matrix = status.matrix()
    assert set(matrix) == {(t.measure, c.unit) for t in status.tasks for c in t.cells}


def test_status_json_rows_have_the_contract_fields(ledger: Ledger) -> None:
    """Status json rows have the contract fields."""
    ledger.report("2.2", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    records = ledger.status("2025-04-10").records()
    row = next(r for r in records if r["task"] == "2.2")
    assert {"task", "units", "status", "light", "last_report_on", "deadline"} <= set(row)
    assert (row["status"], row["light"], row["last_report_on"], row["deadline"]) == (
        "in_progress", "green", "2025-04-01", "2025-09-30",
    )  # fmt: skip


# ─── Checks ─────────────────────────────────────────────────────────────────────


def test_the_ledger_checks(ledger: Ledger, example: yp.Policy) -> None:
    """The ledger checks."""
    ledger.report("2.2", "hrss", "in_progress", on="2025-04-01", today=TODAY)
    ledger.close_out("1.1", on="2025-05-01", reason="已完成", today=TODAY)
    status = ledger.status("2025-10-15")
    found = ledger_findings(example, status)
    by_code: dict[str, set[str]] = {}
    for f in found:
        by_code.setdefault(f.code, set()).add(f.subject)
    assert "action:2.2" in by_code["ledger-overdue"]  # due 2025-09-30, in progress
    assert by_code["ledger-closed-without-done"] == {"action:1.1"}
    assert "action:2.1" in by_code["ledger-lead-never-reported"]  # hrss leads, never reported
    assert "bureau:union" in by_code["ledger-unit-silent"]  # never reported, 211 days
    assert "bureau:hrss" in by_code["ledger-unit-silent"]  # 197 days since its report
    quiet = ledger_findings(example, ledger.status("2025-06-01"), only=["ledger-unit-silent"])
    assert "bureau:hrss" not in {f.subject for f in quiet}  # 61 days: not yet silent
    report = audit_with_ledger(example, status)
    assert report.checks[-len(LEDGER_CHECKS) :] == LEDGER_CHECKS
    assert {f.code for f in report.findings} >= set(by_code)


def test_a_lead_is_not_chased_before_a_period_has_ended(ledger: Ledger, example: yp.Policy) -> None:
    """A lead is not chased before a period has ended."""
    found = ledger_findings(
        example, ledger.status("2025-03-25"), only=["ledger-lead-never-reported"]
    )
    assert found == ()


# ─── Sheets ─────────────────────────────────────────────────────────────────────


def _csv(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def test_an_import_lists_every_bad_row_and_writes_nothing(ledger: Ledger) -> None:
    """An import lists every bad row and writes nothing."""
    sheet = _csv(
        "任务,单位,进展状态,日期,进展情况",
        "2.1,hrss,推进中,2025-04-01,已启动",
        "2.1,tax,done,2025-04-01,",
        "9.9,hrss,done,2025-04-01,",
        "2.2,hrss,done,2025-04-31,",
    )
    rows = read_sheet(sheet, "s.csv")
    with pytest.raises(RefusedRowsError) as caught:
        ledger.report_many(rows, source="s.csv", today=TODAY)
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert problems == {(3, "unit"), (4, "task"), (5, "on")}
    assert "3 bad rows, nothing imported" in str(caught.value)
    assert ledger.history(kind=EntryKind.REPORT) == ()


def test_a_sheet_with_an_unknown_column_is_refused() -> None:
    """A sheet with an unknown column is refused."""
    with pytest.raises(LedgerError, match="unknown column 'colour'"):
        read_sheet(_csv("task,unit,status,on,colour"), "s.csv")
    with pytest.raises(LedgerError, match="no 'on' column"):
        read_sheet(_csv("task,unit,status"), "s.csv")
    with pytest.raises(LedgerError, match="not UTF-8"):
        read_sheet("task,unit\r\n市".encode("gb18030"), "s.csv")


def test_a_sheet_without_keys_imports_once_and_refuses_a_repeated_row(ledger: Ledger) -> None:
    """Rows without id or key are keyed by what they say: a second import files nothing."""
    sheet = _csv("task,unit,status,on,text", "2.1,hrss,in_progress,2025-04-01,已启动",
                 "2.2,hrss,done,2025-04-02,")  # fmt: skip
    first = ledger.report_many(read_sheet(sheet, "s.csv"), today=TODAY)
    second = ledger.report_many(read_sheet(sheet, "s.csv"), today=TODAY)
    assert [e.id for e in second] == [e.id for e in first]
    assert len(ledger.history(kind=EntryKind.REPORT)) == 2
    other = _csv("task,unit,status,on,text", "2.1,hrss,in_progress,2025-04-01,已启动，有变化")
    assert ledger.report_many(read_sheet(other, "s.csv"), today=TODAY)[0].id not in {
        e.id for e in first
    }
    repeated = _csv("task,unit,status,on", "2.2,hrss,done,2025-05-01", "2.2,hrss,done,2025-05-01")
    with pytest.raises(RefusedRowsError) as caught:
        read_sheet(repeated, "s.csv")
    assert [(p.row, p.message) for p in caught.value.problems] == [(3, "repeats row 2")]


def test_an_exported_sheet_imports_again_without_duplicates(ledger: Ledger) -> None:
    """An exported sheet imports again without duplicates."""
    ledger.report("2.1", "hrss", "in_progress", on="2025-04-01", text="已启动", today=TODAY)
    ledger.report(
        "2.2", "hrss", "done", on="2025-04-02", evidence=["烟人社发〔2025〕1号"], today=TODAY
    )
    rows = entry_rows(ledger.history(kind=EntryKind.REPORT))
    again = ledger.report_many(read_sheet(xlsx_bytes(rows, "台账"), "s.xlsx"), today=TODAY)
    assert [e.id for e in again] == [e.id for e in ledger.history(kind=EntryKind.REPORT)]
    assert again[1].evidence == ("烟人社发〔2025〕1号",)
    rows[1][rows[0].index("text")] = "改过"
    with pytest.raises(RefusedRowsError, match="has another text"):
        ledger.report_many(read_sheet(xlsx_bytes(rows, "台账"), "s.xlsx"), today=TODAY)
    assert len(ledger.history(kind=EntryKind.REPORT)) == 2


# ─── Yantai ─────────────────────────────────────────────────────────────────────


def test_yantai_ledger_uses_the_default_rhythm(yantai_ledger: Ledger) -> None:
    """Yantai ledger uses the default rhythm."""
    yantai_ledger.report("7.1", "市财政局", "in_progress", on="2021-03-01", today=TODAY)
    task = yantai_ledger.status("2021-04-20").task("7.1")
    assert task.light is Light.GREEN
    missed = next(c for c in task.conditions if c.code == "report-missed")
    assert "assumption" in missed.source
    assert yantai_ledger.status("2021-04-20").task("7.2").light is Light.RED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "进展\x00情况"}, "text"),
        ({"text": "长" * 20_001}, "text"),
        ({"by": "张三\n李四"}, "by"),
        ({"key": "k" * 201}, "key"),
        ({"evidence": [f"烟财〔2025〕{n}号" for n in range(101)]}, "evidence"),
        ({"evidence": ["a\x07b"]}, "evidence"),
    ],
)
def test_words_are_bounded_alike_on_both_databases(
    ledger: Ledger, fields: dict[str, Any], field: str
) -> None:
    """A NUL (which PostgreSQL cannot store), a control character or an oversized field is refused by name."""
    with pytest.raises(LedgerError) as caught:
        ledger.report("1.1", "amr", "in_progress", on="2025-04-01", today=TODAY, **fields)
    assert caught.value.field == field
    with pytest.raises(LedgerError) as office:
        ledger.close_out("1.1", on="2025-04-01", reason="原因\x00", today=TODAY)
    assert office.value.field == "reason"
    assert _count(ledger) == 1  # the binding alone
    made = ledger.report("1.1", "amr", "in_progress", on="2025-04-01", today=TODAY,
                         text="第一段\n\t第二段", by="张三", evidence=["x" * 2_000])  # fmt: skip
    assert made.text is not None
    assert made.text.zh == "第一段\n\t第二段"
