"""``yantai-policy ledger …`` on the command line, on SQLite and on PostgreSQL.

The contract scripts rely on: a refused entry exits 2 with one line and writes nothing;
``status --format json`` gives one object per task with ``task``, ``units``, ``status``,
``light``, ``last_report_on`` and ``deadline``; CSV carries a BOM; xlsx opens; history,
import, migrate and the office's entries work end to end.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

import yantai_policy as yp
from conftest import run_cli as _run
from yantai_policy.ledger.schema import entries

DATA = Path(__file__).parent / "data"
PLAN = str(DATA / "example-flexible-2025.toml")
EXAMPLE = yp.load_policy(PLAN)


def _count(db: str) -> int:
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.fixture
def db(ledger_db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A ledger made by ``ledger init`` on the example plan."""
    code, out, err = _run(capsys, "ledger", "init", "--db", ledger_db, "--plan", PLAN)
    assert (code, err) == (0, "")
    assert "示例政办发〔2025〕7号" in out
    return ledger_db


def _ledger(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    command, *rest = argv
    return _run(capsys, "ledger", command, "--db", db, "--plan", PLAN, *rest)


def test_init_takes_the_database_as_an_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ledger init ledger.db`` is the same as ``--db ledger.db``; a second init is refused."""
    path = str(tmp_path / "ledger.db")
    assert _run(capsys, "ledger", "init", path, "--plan", PLAN)[0] == 0
    code, out, err = _run(capsys, "ledger", "init", path, "--plan", PLAN)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "already holds a ledger" in err


def test_a_report_is_recorded_and_shows_in_the_status(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report, then ``status --format json``: the contract's fields, per task."""
    code, out, err = _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr",
                             "--status", "in_progress", "--on", "2025-04-01",
                             "--text", "已部署", "--by", "张三")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("recorded entry ")
    assert "1.1 amr in_progress on 2025-04-01" in out
    code, out, err = _ledger(capsys, db, "status", "--on", "2025-04-10", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [row["task"] for row in rows] == [task.id for task in EXAMPLE.actions]
    by_task = {row["task"]: row for row in rows}
    assert {"task", "units", "status", "light", "last_report_on", "deadline"} <= set(rows[0])
    first = by_task["1.1"]
    assert first["status"] == "in_progress"
    assert first["last_report_on"] == "2025-04-01"
    assert first["deadline"] == "2025-06-30"
    assert first["units"] == ["amr"]
    assert by_task["1.2"]["units"] == ["ndrc", "hrss", "amr", "justice"]
    assert {row["light"] for row in rows} <= {"green", "yellow", "red"}
    assert by_task["1.2"]["last_report_on"] is None


def test_the_light_follows_the_deadline(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Task 1.1 is due 2025-06-30: yellow within the warning days, red after, if not done."""
    _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "in_progress",
            "--on", "2025-06-01")  # fmt: skip

    def light(on: str, *extra: str) -> str:
        code, out, _ = _ledger(capsys, db, "status", "--on", on, "--format", "json", *extra)
        assert code == 0
        return str({r["task"]: r for r in json.loads(out)}["1.1"]["light"])

    assert light("2025-06-20") == "yellow"
    assert light("2025-06-20", "--warning-days", "5") == "green"
    assert light("2025-07-01") == "red"
    _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "done",
            "--on", "2025-07-02")  # fmt: skip
    assert light("2025-07-03") == "green"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--task", "1.1", "--unit", "hrss", "--status", "done", "--on", "2025-04-01"), "hrss"),
        (("--task", "9.9", "--unit", "amr", "--status", "done", "--on", "2025-04-01"), "9.9"),
        (("--task", "1.1", "--unit", "nobody", "--status", "done", "--on", "2025-04-01"), "nobody"),
        (("--task", "1.1", "--unit", "amr", "--status", "done", "--on", "2099-01-01"), "future"),
        (("--task", "1.1", "--unit", "amr", "--status", "done", "--on", "2025-01-01"), "notice"),
        (("--task", "1.1", "--unit", "amr", "--status", "done", "--on", "2025-02-30"), "2025-02-30"),
        (("--task", "1.1", "--unit", "amr", "--status", "finished", "--on", "2025-04-01"), "finished"),
    ],
)  # fmt: skip
def test_a_refused_report_exits_2_with_one_line_and_writes_nothing(
    db: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], says: str
) -> None:
    """Not the unit's task, unknown task or unit, future, before the notice, bad values."""
    before = _count(db)
    code, out, err = _ledger(capsys, db, "report", *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert says in err
    assert _count(db) == before


def test_done_on_a_closed_task_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Close out, then a ``done`` report is refused; reopen, and it is accepted."""
    _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "done",
            "--on", "2025-05-01")  # fmt: skip
    code, out, err = _ledger(capsys, db, "close", "--task", "1.1", "--on", "2025-05-02",
                             "--reason", "任务完成")  # fmt: skip
    assert (code, err) == (0, "")
    assert "close 1.1" in out
    before = _count(db)
    code, out, err = _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr",
                             "--status", "done", "--on", "2025-05-03")  # fmt: skip
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "closed" in err
    assert _count(db) == before
    assert _ledger(capsys, db, "reopen", "--task", "1.1", "--on", "2025-05-04",
                   "--reason", "复查发现问题")[0] == 0  # fmt: skip
    assert _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "done",
                   "--on", "2025-05-05")[0] == 0  # fmt: skip


def test_a_delegation_lets_another_unit_file(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Hrss may not file on 1.1 until the office delegates it."""
    refused = _ledger(capsys, db, "report", "--task", "1.1", "--unit", "hrss",
                      "--status", "in_progress", "--on", "2025-04-01")  # fmt: skip
    assert refused[0] == 2
    assert _ledger(capsys, db, "delegate", "--task", "1.1", "--unit", "hrss", "--on", "2025-04-01",
                   "--reason", "市场监管局委托")[0] == 0  # fmt: skip
    assert _ledger(capsys, db, "report", "--task", "1.1", "--unit", "hrss",
                   "--status", "in_progress", "--on", "2025-04-02")[0] == 0  # fmt: skip


def test_the_office_moves_a_deadline_and_chases(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``deadline`` moves 1.1's deadline; ``remind`` records a 催办; both are in history."""
    assert _ledger(capsys, db, "deadline", "--task", "1.1", "--on", "2025-06-01",
                   "--deadline", "2025-09-30", "--reason", "延期")[0] == 0  # fmt: skip
    assert _ledger(capsys, db, "remind", "--task", "1.1", "--unit", "amr", "--on", "2025-06-02",
                   "--text", "请报送进展")[0] == 0  # fmt: skip
    code, out, _ = _ledger(capsys, db, "status", "--on", "2025-07-01", "--format", "json")
    assert code == 0
    assert {r["task"]: r for r in json.loads(out)}["1.1"]["deadline"] == "2025-09-30"
    code, out, err = _ledger(capsys, db, "history", "--task", "1.1", "--format", "json")
    assert (code, err) == (0, "")
    kinds = [e["kind"] for e in json.loads(out)]
    assert kinds == ["deadline", "reminder"]
    code, out, _ = _ledger(capsys, db, "history", "--task", "1.1")
    assert code == 0
    assert len(out.splitlines()) == 2
    assert "请报送进展" in out


def test_status_as_csv_with_a_bom_and_as_xlsx(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 台账 by unit and by measure, as CSV (UTF-8 with a BOM) and as xlsx."""
    _ledger(capsys, db, "report", "--task", "2.2", "--unit", "hrss", "--status", "in_progress",
            "--on", "2025-04-01")  # fmt: skip
    units = {a.bureau.id for task in EXAMPLE.actions for a in task.assignments}
    for view, rows in (("task", len(EXAMPLE.actions)), ("unit", len(units)), ("measure", 6)):
        out_csv = tmp_path / f"{view}.csv"
        code, _, err = _ledger(capsys, db, "status", "--on", "2025-04-10", "--by", view,
                               "--format", "csv", "-o", str(out_csv))  # fmt: skip
        assert (code, err) == (0, "")
        data = out_csv.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(table) == rows + 1
        out_xlsx = tmp_path / f"{view}.xlsx"
        code, _, _ = _ledger(capsys, db, "status", "--on", "2025-04-10", "--by", view,
                             "--format", "xlsx", "-o", str(out_xlsx))  # fmt: skip
        assert code == 0
        sheet = openpyxl.load_workbook(out_xlsx).active
        assert sheet is not None
        got = [
            [("" if c is None else str(c)) for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        assert got[0] == table[0]
        assert len(got) == len(table)


def test_a_refused_status_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger that is not there: exit 2, one line, and no output file."""
    out = tmp_path / "status.csv"
    code, _, err = _run(capsys, "ledger", "status", "--db", str(tmp_path / "none.db"),
                        "--format", "csv", "-o", str(out))  # fmt: skip
    assert (code, err.count("\n")) == (2, 1)
    assert not out.exists()
    assert not (tmp_path / "none.db").exists()


def test_import_is_whole_or_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sheet with one bad row imports nothing and names the row and column; fixed, it imports."""
    sheet = tmp_path / "台账.csv"
    good = "task,unit,status,on,text\n1.1,amr,in_progress,2025-04-01,已部署\n2.2,hrss,done,2025-04-02,完成\n"
    sheet.write_text(good + "3.1,data,doing,2025-04-03,\n", encoding="utf-8")
    before = _count(db)
    code, out, err = _ledger(capsys, db, "import", str(sheet))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "row 4" in err
    assert "status" in err
    assert _count(db) == before
    sheet.write_text(good, encoding="utf-8-sig")
    code, out, err = _ledger(capsys, db, "import", str(sheet), "--by", "录入员")
    assert (code, err) == (0, "")
    assert "2 new reports" in out
    assert _count(db) == before + 2
    code, out, _ = _ledger(capsys, db, "import", str(sheet), "--json")
    assert code == 0
    assert json.loads(out)["new"] == []  # the same sheet again adds nothing
    assert _count(db) == before + 2


def test_export_then_import_adds_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exported reports sheet, as CSV or xlsx, imports again without duplicates."""
    _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "in_progress",
            "--on", "2025-04-01", "--text", "进行中")  # fmt: skip
    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"reports.{fmt}"
        code, _, err = _ledger(capsys, db, "export", "--kind", "report", "--format", fmt,
                               "-o", str(path))  # fmt: skip
        assert (code, err) == (0, "")
        before = _count(db)
        code, out, err = _ledger(capsys, db, "import", str(path))
        assert (code, err) == (0, ""), err
        assert "0 new reports" in out
        assert _count(db) == before


def test_another_plan_version_needs_migrate(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed plan file is refused until ``ledger migrate``, which lists unmapped tasks."""
    changed = tmp_path / "plan.toml"
    text = Path(PLAN).read_text(encoding="utf-8")
    assert 'id = "6.3"' in text
    changed.write_text(text.replace('id = "6.3"', 'id = "6.4"'), encoding="utf-8")
    _ledger(capsys, db, "report", "--task", "6.3", "--unit", "stats", "--status", "in_progress",
            "--on", "2025-04-01")  # fmt: skip
    _ledger(capsys, db, "report", "--task", "1.1", "--unit", "amr", "--status", "in_progress",
            "--on", "2025-04-01")  # fmt: skip
    code, out, err = _run(capsys, "ledger", "status", "--db", db, "--plan", str(changed))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "migrate" in err
    code, out, err = _run(capsys, "ledger", "migrate", "--db", db, "--plan", str(changed),
                          "--json")  # fmt: skip
    assert (code, err) == (0, ""), err
    report = json.loads(out)
    assert report["unmapped"] == ["6.3"]
    assert report["mapped"] == ["1.1"]  # the tasks with entries that the new plan has
    code, out, _ = _run(capsys, "ledger", "status", "--db", db, "--plan", str(changed),
                        "--format", "json", "--on", "2025-04-10")  # fmt: skip
    assert code == 0
    assert "6.4" in {r["task"] for r in json.loads(out)}


def test_status_audit_lists_the_ledger_findings(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``status --audit --json``: overdue tasks, among others, with their codes."""
    code, out, err = _ledger(capsys, db, "status", "--on", "2026-01-01", "--audit", "--json")
    assert (code, err) == (0, "")
    findings = json.loads(out)
    codes = {f["code"] for f in findings}
    assert "ledger-overdue" in codes or any("overdue" in c for c in codes)
    assert all({"code", "severity", "subject", "message"} <= set(f) for f in findings)


def test_audit_takes_the_ledger_checks(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``audit --ledger DB`` adds the ledger's findings to the coverage audit, and gates on them."""
    plain = _run(capsys, "audit", "--plan", PLAN, "--json", "--on", "2026-01-01")
    code, out, err = _run(capsys, "audit", "--plan", PLAN, "--ledger", db, "--json",
                          "--on", "2026-01-01", "--fail-on", "warning")  # fmt: skip
    assert (code, err) == (1, "")
    report = json.loads(out)
    codes = {f["code"] for f in report["findings"]}
    assert {"ledger-overdue", "ledger-lead-never-reported"} <= codes
    assert {f["code"] for f in json.loads(plain[1])["findings"]} <= codes
    assert not any(
        c.startswith("ledger-") for c in {f["code"] for f in json.loads(plain[1])["findings"]}
    )
    code, _, err = _run(capsys, "audit", "--plan", PLAN, "--ledger", str(tmp_path / "no.db"))
    assert (code, err.count("\n")) == (2, 1)
    assert "no such ledger file" in err


@pytest.mark.parametrize(
    "db",
    ["postgresql://office:s3cret@127.0.0.1:1/ledger", "mysql://office:s3cret@host/ledger",
     "postgresql://office:s3cret@[bad/ledger"],
)  # fmt: skip
def test_a_database_that_cannot_be_opened_gives_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    """A server that refuses, an unsupported or a broken URL: exit 2, one line, the password masked."""
    code, out, err = _run(capsys, "ledger", "status", "--db", db, "--on", "2021-06-30")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "s3cret" not in err
    assert "Traceback" not in err
