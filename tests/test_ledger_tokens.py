"""Access tokens of a ledger, on SQLite and PostgreSQL, in Python and on the command line.

Tokens are issued per unit or for the office, stored hashed, and revoked for good.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import yantai_policy as yp
from yantai_policy.cli import main
from yantai_policy.ledger import Ledger, LedgerError, LedgerMismatchError
from yantai_policy.ledger import tokens as tk
from yantai_policy.ledger.schema import metadata

PLAN = str(Path(__file__).parent / "data" / "example-flexible-2025.toml")


@pytest.fixture
def ledger(ledger_db: str) -> Any:
    """A fresh ledger on the example plan."""
    with Ledger.create(ledger_db, yp.load_policy(PLAN), by="office") as made:
        yield made


def test_a_token_is_stored_hashed_and_names_its_unit(ledger: Ledger) -> None:
    """The database holds the SHA-256, never the token; the token finds its unit."""
    issued = tk.issue(ledger, "市人力资源社会保障局", by="市政府办公室", note="月报")
    assert issued.secret.startswith(tk.PREFIX)
    assert issued.token.unit == "hrss"
    assert issued.secret not in repr(issued)
    with ledger.engine.connect() as connection:
        stored = [tuple(r) for r in connection.execute(sa.text("SELECT * FROM ledger_tokens"))]
    assert not any(issued.secret in str(cell) for row in stored for cell in row)
    assert hashlib.sha256(issued.secret.encode()).hexdigest() in {str(c) for c in stored[0]}
    found = tk.holder(ledger, issued.secret)
    assert found is not None
    assert (found.unit, found.is_office, found.note, found.issued_by) == (
        "hrss",
        False,
        "月报",
        "市政府办公室",
    )
    assert tk.holder(ledger, issued.secret + "x") is None
    assert tk.holder(ledger, "not-a-token") is None


def test_the_office_token_and_revocation(ledger: Ledger) -> None:
    """An office token has no unit; a revoked token is refused, and cannot be revoked twice."""
    office = tk.issue(ledger, None)
    unit = tk.issue(ledger, "amr")
    assert tk.holder(ledger, office.secret).is_office  # type: ignore[union-attr]
    revoked = tk.revoke(ledger, unit.token.id, by="市政府办公室", reason="人员调整")
    assert revoked.revoked_by == "市政府办公室"
    assert tk.holder(ledger, unit.secret) is None
    with pytest.raises(LedgerError, match="was revoked") as caught:
        tk.revoke(ledger, unit.token.id)
    assert caught.value.field == "token"
    with pytest.raises(LedgerError, match="no token 99"):
        tk.revoke(ledger, 99)
    assert [(t.id, t.holder_name, t.revoked_at is not None) for t in tk.listing(ledger)] == [
        (office.token.id, "office", False),
        (unit.token.id, "amr", True),
    ]


def test_a_token_for_an_unknown_unit_is_refused(ledger: Ledger) -> None:
    """Issue names the unit it cannot find, and writes nothing."""
    with pytest.raises(LedgerError) as caught:
        tk.issue(ledger, "nobody")
    assert caught.value.field == "unit"
    assert tk.listing(ledger) == ()


@pytest.mark.parametrize("statement", ["UPDATE ledger_tokens SET unit = 'amr'", "DELETE FROM ledger_tokens",
                                       "DELETE FROM ledger_token_revocations"])  # fmt: skip
def test_tokens_are_append_only(ledger: Ledger, statement: str) -> None:
    """The database refuses to change or delete a token or a revocation."""
    issued = tk.issue(ledger, "amr")
    tk.revoke(ledger, issued.token.id)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), ledger.engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert tk.holder(ledger, issued.secret) is None


def test_the_migrations_arrive_at_every_table_stated_in_code(ledger: Ledger) -> None:
    """Every table, column and index of schema.py, as the migrations made them."""
    inspector = sa.inspect(ledger.engine)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in inspector.get_columns(table.name)} == {
            c.name for c in table.columns
        }
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            assert indexes[index.name] == [c.name for c in index.columns]


def test_a_ledger_of_the_first_schema_needs_migrate(ledger_db: str) -> None:
    """A ledger made at schema 0001 opens only after migrate, which adds the token tables."""
    from alembic import command  # noqa: PLC0415

    from yantai_policy.ledger.store import _migrations  # noqa: PLC0415 - the test drives Alembic

    policy = yp.load_policy(PLAN)
    with Ledger.create(ledger_db, policy, by="office") as made:
        made.report("1.1", "amr", "in_progress", on="2025-04-01")
        with made.engine.begin() as connection:
            config = _migrations()
            config.attributes["connection"] = connection
            command.downgrade(config, "0001_initial")
    with pytest.raises(LedgerMismatchError, match="0001_initial"):
        Ledger.open(ledger_db, policy)
    ledger, report = Ledger.migrate(ledger_db, policy)
    with ledger:
        assert (report.schema_from, report.schema_to) == ("0001_initial", "0002_tokens")
        assert len(ledger.history()) == 2  # the binding and the report, kept
        assert tk.holder(ledger, tk.issue(ledger, "amr").secret) is not None


def test_token_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ledger token issue`` prints the token alone on the last line; revoke and list."""
    db = str(tmp_path / "ledger.db")
    assert main(["ledger", "init", db, "--plan", PLAN]) == 0
    capsys.readouterr()
    assert main(["ledger", "token", "issue", "--db", db, "--plan", PLAN, "--unit", "finance"]) == 0
    out = capsys.readouterr().out
    secret = out.splitlines()[-1]
    assert secret.startswith(tk.PREFIX)
    assert secret == secret.strip()
    with Ledger.open(db, yp.load_policy(PLAN)) as ledger:
        found = tk.holder(ledger, secret)
        assert found is not None
        assert found.unit == "finance"
    assert (
        main(["ledger", "token", "revoke", "--db", db, "--plan", PLAN, "--id", str(found.id)]) == 0
    )
    assert "revoked token" in capsys.readouterr().out
    assert (
        main(["ledger", "token", "revoke", "--db", db, "--plan", PLAN, "--id", str(found.id)]) == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "was revoked" in err
    assert main(["ledger", "token", "issue", "--db", db, "--plan", PLAN]) == 2
    assert "--unit UNIT or --office" in capsys.readouterr().err
    assert main(["ledger", "token", "list", "--db", db, "--plan", PLAN, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["unit"], t["revoked_at"] is not None) for t in listed] == [("finance", True)]
