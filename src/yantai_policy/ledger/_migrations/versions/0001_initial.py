"""The first ledger schema: the append-only ``ledger_entries`` table.

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-03

A migration records what the schema was at its revision, so it states the table as it
was then rather than importing `yantai_policy.ledger.schema` (which states it as it is
now); tests/test_ledger.py checks that the migrations arrive at the current schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yantai_policy.ledger.schema import APPEND_ONLY

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KINDS = ("bind", "report", "deadline", "delegation", "reminder", "close", "reopen")
_STATUSES = ("not_started", "in_progress", "done", "blocked")


def upgrade() -> None:
    """Create the table, its indexes and the append-only triggers."""
    op.create_table(
        "ledger_entries",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("task", sa.String(64)),
        sa.Column("unit", sa.String(64)),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16)),
        sa.Column("text_zh", sa.Text),
        sa.Column("text_en", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False, server_default="[]"),
        sa.Column("reason", sa.Text),
        sa.Column("deadline", sa.Date),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", _ID, sa.ForeignKey("ledger_entries.id")),
        sa.Column("entry_key", sa.String(200), unique=True),
        sa.Column("plan", sa.String(200)),
        sa.Column("plan_sha256", sa.String(64)),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in _KINDS) + ")", name="kind_known"
        ),
        sa.CheckConstraint(
            "status IS NULL OR status IN (" + ", ".join(f"'{s}'" for s in _STATUSES) + ")",
            name="status_known",
        ),
        sa.CheckConstraint("kind <> 'report' OR status IS NOT NULL", name="report_has_status"),
    )
    op.create_index(
        "ledger_entries_by_task", "ledger_entries", ["kind", "task", "unit", "on_date", "id"]
    )
    op.create_index("ledger_entries_by_supersedes", "ledger_entries", ["supersedes"])
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    """Drop the table (and, on PostgreSQL, its trigger function)."""
    op.drop_table("ledger_entries")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_append_only()")
