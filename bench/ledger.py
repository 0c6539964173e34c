"""The implementation ledger on SQLite: inserting 100,000 reports, and the status over them.

Budgets (issue 14):

* 100,000 reports insert at ≥ 5,000 reports/s on SQLite (``Ledger.report_many``, in
  batches of ``--batch`` reports, each batch one checked transaction);
* the status of every task as of a date, over those 100,000 reports, takes ≤ 100 ms
  (``Ledger.status``: the query and the lights, median of ``--repeat`` runs).

For information: filing reports one at a time (``Ledger.report``, one transaction each),
and, with ``--postgresql URL`` (an empty database), the same two figures on PostgreSQL.
The reports are on Yantai's built-in plan: every (task, unit) it allows, dated over
2021, with a key each.

Run: ``python bench/ledger.py`` (``--json`` prints the figures for bench/run.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yantai_policy as yp
from yantai_policy.ledger import Ledger

INSERT_BUDGET = 5_000  # reports/s
STATUS_BUDGET_MS = 100.0
TODAY = dt.date(2026, 1, 1)
STATUS_ON = dt.date(2021, 12, 31)


def reports(policy: yp.Policy, count: int) -> list[dict[str, Any]]:
    """``count`` valid reports, spread over every (task, unit) and the days of 2021."""
    pairs = [(t.id, a.bureau.id) for t in policy.actions for a in t.assignments]
    start = policy.notice.issued_on
    statuses = ("not_started", "in_progress", "in_progress", "blocked", "done")
    return [
        {"task": pairs[n % len(pairs)][0], "unit": pairs[n % len(pairs)][1],
         "status": statuses[n % len(statuses)],
         "on": start + dt.timedelta(days=n % (STATUS_ON - start).days),
         "text": f"第{n}次报送进展", "key": f"bench-{n}", "by": "bench"}
        for n in range(count)
    ]  # fmt: skip


def measure(db: str, count: int, batch: int, singles: int, repeat: int) -> dict[str, float]:
    """Create a ledger at ``db``, file the reports, and time the inserts and the status."""
    policy = yp.load_policy()
    rows = reports(policy, count + singles)
    with Ledger.create(db, policy, by="bench", today=TODAY) as ledger:
        start = time.perf_counter()
        for first in range(0, count, batch):
            ledger.report_many(rows[first : first + batch], today=TODAY)
        bulk_s = time.perf_counter() - start
        start = time.perf_counter()
        for row in rows[count:]:
            ledger.report(row["task"], row["unit"], row["status"], on=row["on"], text=row["text"],
                          key=row["key"], by="bench", today=TODAY)  # fmt: skip
        single_s = time.perf_counter() - start
        ledger.status(STATUS_ON)  # warm
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            status = ledger.status(STATUS_ON)
            times.append(time.perf_counter() - start)
        if len(status.tasks) != len(policy.actions):
            raise SystemExit(
                f"the status has {len(status.tasks)} tasks, the plan {len(policy.actions)}"
            )
        filed = len(ledger.history())
    return {
        "reports": count, "batch": batch, "filed_entries": filed,
        "insert_per_s": count / bulk_s, "insert_s": bulk_s,
        "single_per_s": singles / single_s if singles else 0.0,
        "status_ms": statistics.median(times) * 1000, "repeat": repeat,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Print the figures; return 1 if a budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--singles", type=int, default=1_000, help="reports filed one at a time")
    parser.add_argument("--repeat", type=int, default=20, help="runs of the status")
    parser.add_argument("--postgresql", metavar="URL", help="an empty database, for information")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        figures = {"sqlite": measure(str(Path(tmp) / "bench.db"), args.reports, args.batch,
                                     args.singles, args.repeat)}  # fmt: skip
    if args.postgresql:
        figures["postgresql"] = measure(
            args.postgresql, args.reports, args.batch, args.singles, args.repeat
        )
    sqlite = figures["sqlite"]
    met = sqlite["insert_per_s"] >= INSERT_BUDGET and sqlite["status_ms"] <= STATUS_BUDGET_MS
    if args.json:
        print(
            json.dumps(
                {**figures, "insert_budget": INSERT_BUDGET, "status_budget_ms": STATUS_BUDGET_MS}
            )
        )
    else:
        for name, f in figures.items():
            print(f"{name}: {f['reports']:,} reports in batches of {f['batch']:,}: "
                  f"{f['insert_per_s']:,.0f} reports/s (budget ≥ {INSERT_BUDGET:,} on SQLite); "
                  f"one at a time {f['single_per_s']:,.0f}/s; status over them "
                  f"{f['status_ms']:.1f} ms (median of {f['repeat']}; budget ≤ {STATUS_BUDGET_MS:.0f} ms)")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
