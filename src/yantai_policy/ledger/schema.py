"""The ledger's tables, stated once: SQLAlchemy Core metadata that the migrations create.

One table, ``ledger_entries``, holds every entry in recording order. A trigger refuses
UPDATE and DELETE on it (and TRUNCATE on PostgreSQL), so the log is append-only in the
database itself, whoever connects to it. Two more, ``ledger_tokens`` and
``ledger_token_revocations``, hold the access tokens of the units and the office (their
SHA-256, never the token) and their revocations, append-only too (schema 0002).

Columns (the contract of docs/ledger.md):

=============  ===========  ===========================================================
column         type         meaning
=============  ===========  ===========================================================
id             integer      the entry's number, in recording order (primary key)
kind           text         bind, report, deadline, delegation, reminder, close, reopen
task           text         the task's id, such as ``7.1`` (null for bind)
unit           text         the unit's id
on_date        date         the day the entry is about
status         text         a report's status: not_started, in_progress, done, blocked
text_zh        text         the words of a report or reminder, in Chinese
text_en        text         the same in English, where given
evidence       text         a JSON array of references to evidence
reason         text         why (deadline, delegation, close, reopen)
deadline       date         the deadline a ``deadline`` entry sets
recorded_by    text         who recorded the entry
recorded_at    timestamp    when (UTC, with time zone)
supersedes     integer      the entry a correction replaces
entry_key      text         the writer's idempotency key, unique where given
plan           text         for bind: the plan's document number
plan_sha256    text         for bind: the SHA-256 of the plan's data
=============  ===========  ===========================================================
"""

from __future__ import annotations

import sqlalchemy as sa

from yantai_policy.ledger.model import EntryKind, Status

__all__ = [
    "APPEND_ONLY",
    "VERSION_TABLE",
    "append_only",
    "entries",
    "metadata",
    "revocations",
    "tokens",
]

VERSION_TABLE = "ledger_schema_version"
"""The table where Alembic keeps the schema's revision."""

metadata = sa.MetaData()

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite's rowid is INTEGER

entries = sa.Table(
    "ledger_entries",
    metadata,
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
        "kind IN (" + ", ".join(f"'{k.value}'" for k in EntryKind) + ")", name="kind_known"
    ),
    sa.CheckConstraint(
        "status IS NULL OR status IN (" + ", ".join(f"'{s.value}'" for s in Status) + ")",
        name="status_known",
    ),
    sa.CheckConstraint("kind <> 'report' OR status IS NOT NULL", name="report_has_status"),
    sa.Index("ledger_entries_by_task", "kind", "task", "unit", "on_date", "id"),
    sa.Index("ledger_entries_by_supersedes", "supersedes"),
)
"""Every entry, in recording order."""

tokens = sa.Table(
    "ledger_tokens",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(64)),
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("issued_by", sa.String(200), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("note", sa.Text),
)
"""The access tokens: the unit each speaks for (null: the office), the SHA-256 of the
token, who issued it and when."""

revocations = sa.Table(
    "ledger_token_revocations",
    metadata,
    sa.Column("token", _ID, sa.ForeignKey("ledger_tokens.id"), primary_key=True),
    sa.Column("revoked_by", sa.String(200), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text),
)
"""A token's revocation: once, for good."""


def append_only(table: str, dialect: str) -> list[str]:
    """The statements that make ``table`` append-only on ``dialect`` (sqlite, postgresql).

    On PostgreSQL they use the trigger function ``ledger_append_only``, which the first
    schema creates.
    """
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for what in ("UPDATE", "DELETE")
        ]
    return [
        (
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        ),
        (
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        ),
    ]


APPEND_ONLY = {
    "sqlite": [
        (
            "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries "
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END"
        ),
        (
            "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries "
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END"
        ),
    ],
    "postgresql": [
        (
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$"
        ),
        (
            "CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        ),
        (
            "CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        ),
    ],
}
"""The statements, per database, that make ``ledger_entries`` append-only."""
