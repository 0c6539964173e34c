"""Access tokens: who may write to a ledger over HTTP.

A token speaks for one unit of the plan, or for the office (the lead office that
supervises the plan: it closes out, sets deadlines, records delegations and reminders).
The ledger keeps each token's SHA-256, never the token itself: the token is shown once,
when it is issued. A revoked token stays revoked; revocation is a row of its own, so
nothing is updated in place (``ledger_tokens`` and ``ledger_token_revocations`` are
append-only, like the entries).

What a token may do is the HTTP layer's to enforce, by these rules:

* a unit's token files reports as its unit, on tasks the unit holds (or is delegated);
* only the office's token closes out, reopens, sets deadlines, delegates and reminds.

Examples:
    >>> import datetime as dt, tempfile, pathlib
    >>> import yantai_policy as yp
    >>> from yantai_policy.ledger import Ledger
    >>> db = str(pathlib.Path(tempfile.mkdtemp()) / "ledger.db")
    >>> ledger = Ledger.create(db, yp.load_policy(), by="office")
    >>> issued = issue(ledger, "finance", by="市政府办公室")
    >>> holder(ledger, issued.secret).unit
    'finance'
    >>> revoke(ledger, issued.token.id, by="市政府办公室").revoked_at is not None
    True
    >>> holder(ledger, issued.secret) is None
    True
    >>> ledger.close()
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

import attrs
import sqlalchemy as sa

from yantai_policy.errors import UnknownNameError
from yantai_policy.ledger import rules
from yantai_policy.ledger.model import LedgerError, recorder
from yantai_policy.ledger.schema import revocations, tokens

if TYPE_CHECKING:
    from yantai_policy.ledger.store import Ledger

__all__ = ["OFFICE", "PREFIX", "Issued", "Token", "holder", "issue", "listing", "revoke"]

OFFICE = "office"
"""How the office's tokens are named where a unit would be (``--office``, JSON)."""

PREFIX = "yp_"
"""Every token begins with it, so a leaked one is easy to find in logs and code."""


@attrs.frozen
class Token:
    """An access token, as the ledger keeps it (without the secret).

    Attributes:
        id: The token's number.
        unit: The unit it speaks for; ``None`` for the office.
        issued_by: Who issued it.
        issued_at: When (UTC).
        note: What it is for, where given.
        revoked_at: When it was revoked, or ``None``.
        revoked_by: Who revoked it.
    """

    id: int
    unit: str | None
    issued_by: str
    issued_at: dt.datetime
    note: str | None = None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None

    @property
    def is_office(self) -> bool:
        """Whether this is one of the office's tokens."""
        return self.unit is None

    @property
    def holder_name(self) -> str:
        """The unit's id, or `OFFICE`."""
        return self.unit or OFFICE

    def to_dict(self) -> dict[str, Any]:
        """The token as JSON-ready data (never the secret)."""
        return {
            "id": self.id, "unit": self.holder_name, "issued_by": self.issued_by,
            "issued_at": self.issued_at.isoformat(), "note": self.note,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }  # fmt: skip


@attrs.frozen(repr=False)
class Issued:
    """A token just issued: its record, and the secret, shown this once."""

    token: Token
    secret: str

    def __repr__(self) -> str:
        """Never the secret."""
        return f"Issued(token={self.token!r}, secret='{PREFIX}…')"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
        return value.replace(tzinfo=dt.UTC)
    return value


def _select() -> sa.Select[Any]:
    return sa.select(
        tokens.c.id, tokens.c.unit, tokens.c.issued_by, tokens.c.issued_at, tokens.c.note,
        revocations.c.revoked_at, revocations.c.revoked_by,
    ).select_from(tokens.outerjoin(revocations, revocations.c.token == tokens.c.id))  # fmt: skip


def _token(row: Any) -> Token:  # noqa: ANN401 - a Row
    return Token(
        id=int(row.id), unit=row.unit, issued_by=row.issued_by,
        issued_at=_utc(row.issued_at) or row.issued_at, note=row.note,
        revoked_at=_utc(row.revoked_at), revoked_by=row.revoked_by,
    )  # fmt: skip


def issue(
    ledger: Ledger, unit: str | None, *, by: str | None = None, note: str | None = None
) -> Issued:
    """Issue a token for a unit of the plan (by id or name), or for the office (``None``).

    Raises:
        LedgerError: The unit is not in the plan (field ``unit``), or ``by`` or ``note``
            break the rules of free text.
    """
    unit_id = None
    if unit is not None and unit != OFFICE:
        try:
            unit_id = rules.unit_of(ledger.policy, unit).id
        except UnknownNameError as error:
            raise LedgerError(f"unit: {error}", field="unit") from None
    problems = rules.words_problems({"by": by, "text": note})
    if problems:
        field, message = problems[0]
        raise LedgerError(f"{field}: {message}", field="note" if field == "text" else field)
    secret = PREFIX + secrets.token_urlsafe(32)
    issued_by, issued_at = recorder(by), dt.datetime.now(dt.UTC)
    values = {"unit": unit_id, "secret_sha256": _digest(secret), "issued_by": issued_by,
              "issued_at": issued_at, "note": note}  # fmt: skip
    with ledger.engine.connect().execution_options(write=True) as connection, connection.begin():
        made = connection.execute(tokens.insert().returning(tokens.c.id), values).scalar_one()
    token = Token(int(made), unit_id, issued_by, issued_at, note)
    return Issued(token, secret)


def revoke(
    ledger: Ledger, token_id: int, *, by: str | None = None, reason: str | None = None
) -> Token:
    """Revoke a token by its number; it is refused from then on.

    Raises:
        LedgerError: No such token, or it is revoked already (field ``token``).
    """
    problems = rules.words_problems({"by": by, "reason": reason})
    if problems:
        field, message = problems[0]
        raise LedgerError(f"{field}: {message}", field=field)
    with ledger.engine.connect().execution_options(write=True) as connection, connection.begin():
        row = connection.execute(_select().where(tokens.c.id == token_id)).first()
        if row is None:
            raise LedgerError(f"token: there is no token {token_id}", field="token")
        if row.revoked_at is not None:
            raise LedgerError(
                f"token: token {token_id} was revoked on {row.revoked_at:%Y-%m-%d}", field="token"
            )
        connection.execute(revocations.insert(), {"token": token_id, "revoked_by": recorder(by),
                           "revoked_at": dt.datetime.now(dt.UTC), "reason": reason})  # fmt: skip
        row = connection.execute(_select().where(tokens.c.id == token_id)).one()
    return _token(row)


def holder(ledger: Ledger, secret: str) -> Token | None:
    """Return the token a secret is, or ``None`` where it is unknown or revoked."""
    if not secret.startswith(PREFIX) or len(secret) > 200:  # no token is longer
        return None
    with ledger.engine.connect() as connection:
        row = connection.execute(_select().where(tokens.c.secret_sha256 == _digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _token(row)


def listing(ledger: Ledger) -> tuple[Token, ...]:
    """Every token the ledger has issued, revoked ones included, in issuing order."""
    with ledger.engine.connect() as connection:
        return tuple(map(_token, connection.execute(_select().order_by(tokens.c.id))))
