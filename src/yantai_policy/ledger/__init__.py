"""The implementation ledger (督办台账): progress on every task, on a real database.

Section 四 of the notice asks every unit to 加强工作督促检查 and 健全落实机制. The ledger
is where that happens: units file progress reports on their tasks; the office sets
deadlines, delegates, chases late units (催办), closes finished tasks out (销号) and
reopens them; and the status as of any date gives every task, unit and measure a light
(green on track, yellow due soon, red late), with the reasons.

* [`model`][yantai_policy.ledger.model]: the entries, statuses, lights, settings, errors;
* [`rules`][yantai_policy.ledger.rules]: what an entry must meet, stated once;
* [`schema`][yantai_policy.ledger.schema]: the table, and its Alembic migrations;
* [`store`][yantai_policy.ledger.store]: `Ledger`, on SQLite or PostgreSQL;
* [`status`][yantai_policy.ledger.status]: the lights as of a date;
* [`checks`][yantai_policy.ledger.checks]: the ledger's findings for the coverage audit;
* [`sheet`][yantai_policy.ledger.sheet]: 台账 sheets (CSV, xlsx) in and out.

It needs the ``ledger`` extra (SQLAlchemy and Alembic), and ``postgresql`` for a server.
"""

from __future__ import annotations

from yantai_policy.ledger.model import (
    Entry,
    EntryKind,
    LedgerError,
    LedgerMismatchError,
    Light,
    Problem,
    RefusedRowsError,
    Settings,
    Status,
)
from yantai_policy.ledger.status import LedgerStatus, TaskStatus
from yantai_policy.ledger.store import Ledger, MigrationReport

__all__ = [
    "Entry",
    "EntryKind",
    "Ledger",
    "LedgerError",
    "LedgerMismatchError",
    "LedgerStatus",
    "Light",
    "MigrationReport",
    "Problem",
    "RefusedRowsError",
    "Settings",
    "Status",
    "TaskStatus",
]
