"""A ledger writer in a process of its own, for tests/test_ledger_processes.py.

``python tests/ledger_writer.py file DB PLAN WORKER COUNT GO`` opens the ledger, makes
the file ``ready-WORKER`` beside GO, waits for GO to appear, then files COUNT reports as
worker WORKER, each with the key ``WORKER-n``: a third one at a time, the rest in
batches of 50; every tenth single report and every tenth batch is filed twice (a
client's retry). It prints how many entries it was given back.

``python tests/ledger_writer.py hang DB PLAN`` files one report and, inside the same
transaction after the insert, prints ``inserted`` and sleeps, to be killed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import yantai_policy as yp
from yantai_policy.ledger import Ledger

TODAY = dt.date(2026, 1, 1)
BATCH = 50


def pairs(policy: yp.Policy) -> list[tuple[str, str]]:
    """Every (task, unit) the plan allows a report on."""
    return [(task.id, a.bureau.id) for task in policy.actions for a in task.assignments]


def report(policy: yp.Policy, worker: int, number: int) -> dict[str, Any]:
    """The report ``number`` of ``worker``: a valid one, with its own key."""
    allowed = pairs(policy)
    task, unit = allowed[(worker * 7 + number) % len(allowed)]
    on = dt.date(2025, 4, 1) + dt.timedelta(days=number % 200)
    return {"task": task, "unit": unit, "status": "in_progress", "on": on,
            "text": f"进展 {worker}-{number}", "key": f"{worker}-{number}", "by": f"w{worker}"}  # fmt: skip


def file_reports(db: str, plan: str, worker: int, count: int, go: str) -> None:
    """File ``count`` reports once ``go`` exists."""
    policy = yp.load_policy(plan)
    rows = [report(policy, worker, n) for n in range(count)]
    given = 0
    with Ledger.open(db, policy) as ledger:
        Path(go).with_name(f"ready-{worker}").touch()
        while not Path(go).exists():
            time.sleep(0.005)
        single, batched = rows[: count // 3], rows[count // 3 :]
        for n, row in enumerate(single):
            for _ in range(2 if n % 10 == 0 else 1):
                args = {k: v for k, v in row.items() if k not in {"task", "unit", "status"}}
                ledger.report(row["task"], row["unit"], row["status"], today=TODAY, **args)
                given += 1
        for start in range(0, len(batched), BATCH):
            chunk = batched[start : start + BATCH]
            given += len(ledger.report_many(chunk, today=TODAY))
            if start % (BATCH * 10) == 0:
                given += len(ledger.report_many(chunk, today=TODAY))  # a retry of the batch
    sys.stdout.write(f"{given}\n")


def hang(db: str, plan: str) -> None:
    """File a report, and sleep inside its transaction after the insert."""
    policy = yp.load_policy(plan)
    original = Ledger._insert

    def insert_then_hang(self: Ledger, connection: Any, rows: Any) -> Any:
        made = original(self, connection, rows)
        sys.stdout.write("inserted\n")
        sys.stdout.flush()
        time.sleep(600)
        return made

    Ledger._insert = insert_then_hang  # type: ignore[method-assign]
    with Ledger.open(db, policy) as ledger:
        ledger.report("1.1", "amr", "done", on="2025-04-01", today=TODAY, key="killed")


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "file":
        file_reports(rest[0], rest[1], int(rest[2]), int(rest[3]), rest[4])
    else:
        hang(rest[0], rest[1])
