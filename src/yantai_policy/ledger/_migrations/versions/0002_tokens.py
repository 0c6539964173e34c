"""Access tokens: ``ledger_tokens`` and ``ledger_token_revocations``, append-only.

Revision ID: 0002_tokens
Revises: 0001_initial
Create Date: 2026-12-04

A token speaks for one unit (or, with a null unit, for the office). The table keeps its
SHA-256, never the token. A revocation is a row of its own, so nothing is updated.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yantai_policy.ledger.schema import append_only

revision = "0002_tokens"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the two tables and their append-only triggers."""
    op.create_table(
        "ledger_tokens",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(64)),
        sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "ledger_token_revocations",
        sa.Column("token", _ID, sa.ForeignKey("ledger_tokens.id"), primary_key=True),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text),
    )
    dialect = op.get_bind().dialect.name
    for table in ("ledger_tokens", "ledger_token_revocations"):
        for statement in append_only(table, dialect):
            op.execute(statement)


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("ledger_token_revocations")
    op.drop_table("ledger_tokens")
