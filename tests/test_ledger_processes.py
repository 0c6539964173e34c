"""The ledger under processes, on SQLite and PostgreSQL.

8 writers at once lose and duplicate nothing, and a writer killed inside its transaction
leaves the ledger as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

import yantai_policy as yp
from yantai_policy.ledger import EntryKind, Ledger
from yantai_policy.ledger.schema import entries

WRITER = str(Path(__file__).parent / "ledger_writer.py")
PLAN = str(Path(__file__).parent / "data" / "example-flexible-2025.toml")
TODAY = dt.date(2026, 1, 1)
PROCESSES = 8
EACH = 1250  # 8 x 1,250 = 10,000 reports
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


@pytest.fixture(scope="module")
def example() -> yp.Policy:
    """The example plan the writers file on."""
    return yp.load_policy(PLAN)


def _reports(ledger: Ledger) -> list[tuple[str | None, str | None]]:
    with ledger.engine.connect() as connection:
        found = connection.execute(
            sa.select(entries.c.entry_key, entries.c.text_zh).where(
                entries.c.kind == EntryKind.REPORT.value
            )
        )
        return [(key, text) for key, text in found]


def test_eight_processes_file_ten_thousand_reports(
    ledger_db: str, example: yp.Policy, tmp_path: Path
) -> None:
    """8 processes, 1,250 reports each, retries included: 10,000 entries, each once."""
    Ledger.create(ledger_db, example, by="office", today=TODAY).close()
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, WRITER, "file", ledger_db, PLAN, str(w), str(EACH), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for w in range(PROCESSES)
    ]
    deadline = time.monotonic() + 300
    while len(list(tmp_path.glob("ready-*"))) < PROCESSES:  # all have opened the ledger
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(w.poll() is None for w in writers), [w.communicate() for w in writers]
        time.sleep(0.01)
    go.touch()  # now all at once
    outcomes = [w.communicate(timeout=600) for w in writers]
    assert [w.returncode for w in writers] == [0] * PROCESSES, [e for _, e in outcomes]
    given = sum(int(out) for out, _ in outcomes)
    assert given > PROCESSES * EACH  # the retries were given entries back too
    with Ledger.open(ledger_db, example) as ledger:
        found = _reports(ledger)
        keys = Counter(key for key, _ in found)
        expected = {f"{w}-{n}" for w in range(PROCESSES) for n in range(EACH)}
        assert len(found) == PROCESSES * EACH
        assert set(keys) == expected  # none lost
        assert max(keys.values()) == 1  # none twice
        assert all(text == f"进展 {key}" for key, text in found)
        ids = [e.id for e in ledger.history()]
        assert ids == sorted(set(ids))
        assert len(ledger.status(dt.date(2025, 12, 31)).tasks) == len(example.actions)


def test_a_writer_killed_inside_its_transaction_leaves_the_ledger_consistent(
    ledger_db: str, example: yp.Policy
) -> None:
    """SIGKILL after the insert, before the commit: the report is not there, and writes go on."""
    with Ledger.create(ledger_db, example, by="office", today=TODAY) as ledger:
        ledger.report("1.2", "ndrc", "in_progress", on="2025-04-01", today=TODAY)
        before = [e.to_dict() for e in ledger.history()]
    child = subprocess.Popen(
        [sys.executable, WRITER, "hang", ledger_db, PLAN],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "inserted", (
            child.stderr.read() if child.stderr else ""
        )
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with Ledger.open(ledger_db, example) as ledger:
        assert [e.to_dict() for e in ledger.history()] == before  # the insert never happened
        again = ledger.report("1.1", "amr", "done", on="2025-04-01", today=TODAY, key="killed")
        assert again.key == "killed"
        assert [e.id for e in ledger.history()][-1] == again.id
        assert ledger.status(dt.date(2025, 4, 2)).task("1.1").status is not None
