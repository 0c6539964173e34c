"""The ledger on a database: SQLite by default, PostgreSQL for an office server.

A `Ledger` is opened on a database and a plan. Every write checks its entry against the
rules of [`yantai_policy.ledger.rules`][yantai_policy.ledger.rules] inside one
transaction that holds the ledger's write lock, so two writers never both pass a rule
that only one of them may pass (two close-outs of one task, say):

* on SQLite, the transaction is ``BEGIN IMMEDIATE`` (the file's single writer lock), in
  WAL mode, with a busy timeout, so readers never wait;
* on PostgreSQL, the transaction takes an advisory lock (``pg_advisory_xact_lock``).

A writer killed mid-transaction leaves nothing of it: the database rolls the
transaction back. An entry may carry a ``key`` (an idempotency key): filing it again
with the same contents returns the entry already recorded, so a retried write is never
recorded twice; the same key with other contents is refused.

Examples:
    >>> import datetime as dt, os, tempfile
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> folder = tempfile.mkdtemp()
    >>> ledger = Ledger.create(os.path.join(folder, "ledger.db"), policy, by="office")
    >>> entry = ledger.report("7.1", "finance", "in_progress", on=dt.date(2021, 3, 1),
    ...                       text="已拨付贴息资金", by="市财政局", today=dt.date(2021, 6, 1))
    >>> entry.kind.value, entry.task, entry.unit, entry.status.value
    ('report', '7.1', 'finance', 'in_progress')
    >>> ledger.report("7.1", "tax", "done", on=dt.date(2021, 3, 1), today=dt.date(2021, 6, 1))
    Traceback (most recent call last):
    ...
    yantai_policy.ledger.model.LedgerError: unit: unit tax (市税务局) does not hold task 7.1 and has no delegation for it
    >>> ledger.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import attrs
import sqlalchemy as sa
from sqlalchemy import event, exc

from yantai_policy.dates import china_today
from yantai_policy.ledger import rules
from yantai_policy.ledger.model import (
    Entry,
    EntryKind,
    LedgerError,
    LedgerMismatchError,
    Problem,
    RefusedRowsError,
    Status,
    recorder,
)
from yantai_policy.ledger.schema import VERSION_TABLE, entries
from yantai_policy.model import Text

if TYPE_CHECKING:
    from yantai_policy.ledger.model import Settings
    from yantai_policy.ledger.status import LedgerStatus
    from yantai_policy.model import Policy

__all__ = ["Ledger", "MigrationReport", "engine_for", "masked", "shown"]

_LOCK_KEY = 0x79616E746169  # "yantai": the advisory lock of every ledger writer on PostgreSQL
_RETRIES = 50
"""How many times a write is retried when the database is busy (SQLite) or a
serialisation failure occurs; each waits a little longer."""


def shown(db: str) -> str:
    """``--db`` as messages show it: a URL's password is masked.

    The password runs to the last ``@`` (a password may hold ``@`` and ``/`` unescaped),
    and a ``password=`` in the query string is masked too.

    Examples:
        >>> shown("postgresql://office:s3cret@db.example/ledger")
        'postgresql://office:***@db.example/ledger'
        >>> shown("postgresql://office:p@ss/w0rd@db.example/ledger?sslmode=require&password=x")
        'postgresql://office:***@db.example/ledger?sslmode=require&password=***'
        >>> shown("ledger.db")
        'ledger.db'
    """
    masked = re.sub(r"(://[^:/@]*:).*@", r"\1***@", db, count=1)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", masked, flags=re.IGNORECASE)


def masked(message: str, db: str) -> str:
    """A message with the URL and the password of ``--db`` in it masked (a driver may echo them).

    Examples:
        >>> masked("cannot parse 'postgresql://u:pa55@h/db' (pa55)", "postgresql://u:pa55@h/db")
        "cannot parse 'postgresql://u:***@h/db' (***)"
    """
    secrets = [m.group(1) for m in re.finditer(r"://[^:/@]*:(.*)@", db)]
    secrets += re.findall(r"[?&]password=([^&]*)", db, flags=re.IGNORECASE)
    out = message.replace(db, shown(db))
    for secret in (s for s in secrets if len(s) >= 3):  # shorter, it would mask other words
        out = out.replace(secret, "***")
    return out


def engine_for(db: str, *, create: bool = False) -> sa.Engine:
    """Return an engine for ``--db``: a file path (SQLite) or a database URL.

    ``postgresql://`` URLs use psycopg 3. A SQLite file is put in WAL mode with a busy
    timeout, and its transactions begin ``IMMEDIATE`` (see the module's notes). Unless
    ``create``, a SQLite file must exist already: opening a ledger never leaves an empty
    file behind.

    Raises:
        LedgerError: The URL names a database this library does not support, or the
            SQLite file is not there (field ``db``).
    """
    if "://" in db:
        if db.split("://", 1)[1].split("?", 1)[0].count("@") > 1:
            msg = f"--db {shown(db)!r}: the URL has more than one @; write an @ in the password as %40 (and a / as %2F)"
            raise LedgerError(msg, field="db")
        try:
            url = sa.engine.make_url(db)
        except (exc.ArgumentError, ValueError) as error:  # ValueError: a port that is no number
            msg = f"--db {shown(db)!r} is not a database URL: {masked(str(error), db)}"
            raise LedgerError(msg, field="db") from None
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            msg = f"--db: {url.get_backend_name()} is not supported; give a file path (SQLite) or a postgresql:// URL"
            raise LedgerError(msg, field="db")
    else:
        url = sa.engine.URL.create("sqlite+pysqlite", database=db)
    path = url.database if url.get_backend_name() == "sqlite" else None
    if path and Path(path).is_dir():
        msg = f"--db {shown(db)} is a directory; give the ledger's file"
        raise LedgerError(msg, field="db")
    if not create and path and path != ":memory:" and not Path(path).is_file():
        msg = f"{shown(db)}: no such ledger file; create one with `yantai-policy ledger init --db {shown(db)}`"
        raise LedgerError(msg, field="db")
    try:
        engine = sa.create_engine(url, pool_pre_ping=url.get_backend_name() == "postgresql")
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as error:
        raise LedgerError(f"--db {shown(db)!r}: {masked(str(error), db)}", field="db") from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: sa.Engine) -> None:
    """WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` (SQLAlchemy's own recipe)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - sqlite3
        dbapi_connection.isolation_level = None  # SQLAlchemy, not pysqlite, begins
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
        if not tables or VERSION_TABLE in tables:  # not another application's file: leave that be
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def _migrations() -> Any:  # noqa: ANN401 - alembic's Config
    from alembic.config import Config  # noqa: PLC0415 - only init, open and migrate

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("yantai_policy.ledger") / "_migrations")
    )
    return config


def _head() -> str:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    head = ScriptDirectory.from_config(_migrations()).get_current_head()
    assert head is not None  # noqa: S101 - the package ships its migrations
    return head


def _revisions() -> frozenset[str]:
    """Every schema revision this library's migrations know."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return frozenset(
        r.revision for r in ScriptDirectory.from_config(_migrations()).walk_revisions()
    )


def _known(db: str, revision: str) -> None:
    """Refuse a database whose schema revision this library does not know."""
    if revision not in _revisions():
        msg = (
            f"{shown(db)}: the schema revision {revision!r} is not one of this library's "
            f"(the latest is {_head()}): a ledger of a newer version, or another application's database"
        )
        raise LedgerMismatchError(msg, field="db")


def _foreign_tables(connection: sa.Connection) -> list[str]:
    """The tables of a database without a ledger (a new ledger needs an empty database)."""
    return sorted(sa.inspect(connection).get_table_names())


def _upgrade(connection: sa.Connection) -> None:
    from alembic import command  # noqa: PLC0415

    config = _migrations()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _revision(connection: sa.Connection) -> str | None:
    """Return the schema revision of the database, or None where it holds no ledger."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar()  # noqa: S608


@attrs.frozen
class MigrationReport:
    """What ``ledger migrate`` did.

    Attributes:
        schema_from: The schema revision before (None for a database without a ledger).
        schema_to: The schema revision after.
        plan_from: The document number and data SHA-256 the ledger was bound to.
        plan_to: The ones it is bound to now.
        mapped: The task ids of the ledger's entries that the new plan has.
        unmapped: The task ids it does not have: their entries stay in the ledger, but
            the status leaves them out.
    """

    schema_from: str | None
    schema_to: str
    plan_from: tuple[str, str]
    plan_to: tuple[str, str]
    mapped: tuple[str, ...]
    unmapped: tuple[str, ...]


_Row = dict[str, Any]
_Build = Callable[[sa.Connection, rules.Facts], list[_Row]]


@attrs.define(eq=False)
class Ledger:
    """A ledger bound to one plan, open on a database. Use `create` or `open`.

    Attributes:
        policy: The plan the ledger is bound to.
        engine: The database engine.
        db: The ``--db`` value it was opened with.
    """

    policy: Policy
    engine: sa.Engine
    db: str

    # ─── Opening ────────────────────────────────────────────────────────────────

    @classmethod
    def create(
        cls, db: str, policy: Policy, *, by: str | None = None, today: dt.date | None = None
    ) -> Ledger:
        """Create a ledger on an empty database and bind it to the plan.

        Raises:
            LedgerError: The database already holds a ledger or another application's
                tables, or cannot be opened; or ``by`` or ``today`` is not one (their
                field), checked before any file is made.
        """
        _check({"by": by}, today)
        engine = engine_for(db, create=True)
        ledger = cls(policy, engine, db)
        with ledger._opening(), ledger._connect() as connection:
            with connection.begin():
                if _revision(connection) is not None:
                    bound = _bound(connection)
                    msg = f"{shown(db)} already holds a ledger, bound to {bound[0]}"
                    raise LedgerError(msg, field="db")
                other = _foreign_tables(connection)
                if other:
                    msg = f"{shown(db)} holds another application's tables ({', '.join(other[:5])}); a ledger is created in a new file or an empty database"
                    raise LedgerError(msg, field="db")
                _upgrade(connection)
            ledger._bind(by=by, today=today, reason="init")
        return ledger

    @classmethod
    def open(cls, db: str, policy: Policy) -> Ledger:
        """Open an existing ledger; it must be bound to this plan at this version.

        Raises:
            LedgerError: There is no ledger, or its schema is older than this library's.
            LedgerMismatchError: The ledger is bound to another plan or plan version: run
                `migrate` to rebind it.
        """
        engine = engine_for(db)
        ledger = cls(policy, engine, db)
        with ledger._opening(), ledger._connect() as connection:
            revision = _revision(connection)
            if revision is None:
                msg = f"{shown(db)} holds no ledger; create one with `yantai-policy ledger init --db {shown(db)}`"
                raise LedgerError(msg, field="db")
            _known(db, revision)
            if revision != _head():
                msg = f"{shown(db)}: the ledger's schema is at {revision}, this library's at {_head()}; run `yantai-policy ledger migrate`"
                raise LedgerMismatchError(msg, field="db")
            number, sha = _bound(connection)
        ours = (policy.notice.document_number, policy.data_sha256)
        if (number, sha) != ours:
            msg = (
                f"{shown(db)} is bound to {number} (data sha256 {sha[:12]}), not to {ours[0]} "
                f"(data sha256 {ours[1][:12]}); run `yantai-policy ledger migrate` to rebind it"
            )
            raise LedgerMismatchError(msg, field="plan")
        return ledger

    @classmethod
    def migrate(
        cls, db: str, policy: Policy, *, by: str | None = None, today: dt.date | None = None
    ) -> tuple[Ledger, MigrationReport]:
        """Bring a ledger's schema up to date and rebind it to this plan's version.

        Tasks are mapped by id: entries on tasks the new plan has go on counting; the
        others stay in the ledger and are listed in the report.

        Raises:
            LedgerError: There is no ledger, or it is bound to another notice.
        """
        _check({"by": by}, today)
        engine = engine_for(db)
        ledger = cls(policy, engine, db)
        with ledger._opening(), ledger._connect() as connection, connection.begin():
            before = _revision(connection)
            if before is None:
                msg = f"{shown(db)} holds no ledger; create one with `yantai-policy ledger init --db {shown(db)}`"
                raise LedgerError(msg, field="db")
            _known(db, before)
            _upgrade(connection)
            bound = _bound(connection)
            used = connection.execute(
                sa.select(entries.c.task).where(entries.c.task.is_not(None)).distinct()
            ).scalars()
        if bound[0] != policy.notice.document_number:
            msg = f"{shown(db)} is bound to {bound[0]}, not {policy.notice.document_number}: a ledger is migrated to a version of its own plan"
            raise LedgerMismatchError(msg, field="plan")
        known = {a.id for a in policy.actions}
        tasks = sorted(set(used), key=_task_order)
        mapped = tuple(t for t in tasks if t in known)
        unmapped = tuple(t for t in tasks if t not in known)
        ours = (policy.notice.document_number, policy.data_sha256)
        if bound != ours:
            reason = "migrate" + (
                f"; tasks not in the plan: {', '.join(unmapped)}" if unmapped else ""
            )
            ledger._bind(by=by, today=today, reason=reason)
        report = MigrationReport(before, _head(), bound, ours, mapped, unmapped)
        return ledger, report

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        """Use the ledger in a ``with`` block; it is closed at the end."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the ledger."""
        self.close()

    def _connect(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except exc.OperationalError as error:
            msg = f"cannot open {shown(self.db)}: {masked(_reason(error), self.db)}"
            raise LedgerError(msg, field="db") from None

    @contextlib.contextmanager
    def _opening(self) -> Iterator[None]:
        """Turn a database that fails while it is opened (not a database at all) into a LedgerError."""
        try:
            yield
        except exc.DBAPIError as error:
            self.engine.dispose()
            msg = f"cannot open {shown(self.db)}: {masked(_reason(error), self.db)}"
            raise LedgerError(msg, field="db") from None
        except LedgerError:
            self.engine.dispose()
            raise

    # ─── Writing ────────────────────────────────────────────────────────────────

    def _write(self, build: _Build) -> list[Entry]:
        """Check and insert entries in one locked transaction; retry while the db is busy."""
        for attempt in range(_RETRIES):
            try:
                with self._connect() as plain:
                    connection = plain.execution_options(write=True)
                    with connection.begin():
                        if connection.dialect.name == "postgresql":
                            connection.execute(
                                sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY}
                            )
                        rows = build(connection, _facts(connection))
                        return self._insert(connection, rows)
            except exc.DBAPIError as error:
                if not _busy(error) or attempt == _RETRIES - 1:
                    msg = f"{shown(self.db)}: the write failed: {masked(_reason(error), self.db)}"
                    raise LedgerError(msg, field="db") from None
                time.sleep(min(0.01 * 2**attempt, 0.5))
        raise AssertionError("unreachable")  # pragma: no cover

    def _insert(self, connection: sa.Connection, rows: list[_Row]) -> list[Entry]:
        """Insert the fresh rows; a row ``{"_existing": entry}`` is one recorded already."""
        repeated = {i: r["_existing"] for i, r in enumerate(rows) if "_existing" in r}
        fresh = [r for r in rows if "_existing" not in r]
        ids: list[int] = []
        if fresh:
            ids = list(
                connection.execute(entries.insert().returning(entries.c.id), fresh).scalars()
            )
        made = iter(ids)
        out: list[Entry] = []
        fresh_rows = iter(fresh)
        for index in range(len(rows)):
            if index in repeated:
                out.append(repeated[index])
            else:
                out.append(_entry({**next(fresh_rows), "id": next(made)}))
        return out

    def _row(self, kind: EntryKind, by: str | None, **values: Any) -> _Row:  # noqa: ANN401
        text = values.pop("text", None)
        row: _Row = {
            "kind": kind.value,
            "task": None,
            "unit": None,
            "status": None,
            "text_zh": text.zh if isinstance(text, Text) else text,
            "text_en": (text.en or None) if isinstance(text, Text) else values.pop("text_en", None),
            "evidence": json.dumps(list(values.pop("evidence", ()) or ()), ensure_ascii=False),
            "reason": None,
            "deadline": None,
            "recorded_by": recorder(by),
            "recorded_at": dt.datetime.now(dt.UTC),
            "supersedes": None,
            "entry_key": None,
            "plan": None,
            "plan_sha256": None,
        }
        values.pop("text_en", None)
        row.update(values)
        return row

    def _bind(self, *, by: str | None, today: dt.date | None, reason: str) -> None:
        policy = self.policy

        def build(_connection: sa.Connection, _facts: rules.Facts) -> list[_Row]:
            return [
                self._row(
                    EntryKind.BIND,
                    by,
                    on_date=_today(today),
                    plan=policy.notice.document_number,
                    plan_sha256=policy.data_sha256,
                    reason=reason,
                )
            ]

        self._write(build)

    def report(  # noqa: PLR0913 - the fields of a report
        self,
        task: str,
        unit: str,
        status: Status | str,
        *,
        on: dt.date | str,
        text: Text | str | None = None,
        evidence: Sequence[str] = (),
        by: str | None = None,
        key: str | None = None,
        supersedes: int | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """File a unit's progress report on a task, and return the entry recorded.

        Args:
            task: The task's id, such as ``7.1``.
            unit: The reporting unit, by id or name.
            status: ``not_started``, ``in_progress``, ``done`` or ``blocked``.
            on: The day the report is about.
            text: What was done (zh, or a `Text` with its English).
            evidence: References to evidence: document numbers, file names, links.
            by: Who files it (the operating system's user name by default).
            key: An idempotency key: the same report filed again with it is recorded once.
            supersedes: The entry this report corrects.
            today: Today's date in China, for the check that nothing is dated in the future.

        Raises:
            LedgerError: The report is refused; the message says why and ``field`` names
                the field.
        """
        row = {"task": task, "unit": unit, "status": status, "on": on, "text": text,
               "evidence": evidence, "by": by, "key": key, "supersedes": supersedes}  # fmt: skip
        return self._file([row], today=today, source="", single=True)[0]

    def report_many(
        self, rows: Iterable[Mapping[str, Any]], *, today: dt.date | None = None, source: str = ""
    ) -> tuple[Entry, ...]:
        """File many reports in one transaction: all of them, or none.

        Each row is a mapping with the arguments of `report` (``task``, ``unit``,
        ``status``, ``on``, and optionally ``text``, ``text_en``, ``evidence``, ``by``,
        ``key``, ``supersedes``), and optionally ``row``: the number its problems are
        reported under (a sheet's row number); by default its place, from 1. A row with
        an ``id`` (from an exported sheet) must say what that entry of the ledger says:
        it is recognised, not filed again.

        Raises:
            RefusedRowsError: Some rows are refused: it lists every one by row number
                (from 1) and field, a batch of one row too, and nothing was written.
            LedgerError: ``today`` is not a date.
        """
        return self._file(rows, today=today, source=source, single=False)

    def _file(
        self, rows: Iterable[Mapping[str, Any]], *, today: object, source: str, single: bool
    ) -> tuple[Entry, ...]:
        batch = [dict(r) for r in rows]
        day = _today(today)
        policy = self.policy

        def build(connection: sa.Connection, facts: rules.Facts) -> list[_Row]:
            problems: list[Problem] = []
            out: list[_Row] = []
            numbers: list[object] = []
            targets = _targets(connection, [r.get("supersedes") for r in batch])
            recorded = _targets(connection, [_number(r.get("id")) for r in batch])
            for index, r in enumerate(batch, start=1):
                number = r.get("row", index)
                if r.get("id") not in (None, ""):
                    found = _recorded_problems(recorded, r)
                    entry_id = _number(r["id"])
                    if found or entry_id is None:
                        problems += [Problem(number, f, m) for f, m in found]
                    else:
                        out.append({"_existing": recorded[entry_id][0]})
                        numbers.append(number)
                    continue
                found = rules.report_problems(
                    policy, facts, task=r.get("task"), unit=r.get("unit"),
                    status=_status_value(r.get("status")), on=r.get("on"), today=day,
                )  # fmt: skip
                found += _supersede_problems(targets, r.get("supersedes"), EntryKind.REPORT, r)
                found += _text_problems(r)
                if found:
                    problems += [Problem(number, f, m) for f, m in found]
                    continue
                out.append(
                    self._row(
                        EntryKind.REPORT,
                        r.get("by"),
                        task=rules.task_of(policy, r["task"]).id,
                        unit=rules.unit_of(policy, r["unit"]).id,
                        status=_status_value(r["status"]),
                        on_date=rules.day(r["on"]),
                        text=_text(r.get("text"), r.get("text_en")),
                        evidence=_evidence(r.get("evidence")),
                        entry_key=r.get("key") or None,
                        supersedes=r.get("supersedes"),
                    )
                )
                numbers.append(number)
            problems += _key_problems(connection, out, numbers)
            if problems:
                if single:
                    first = problems[0]
                    raise LedgerError(f"{first.column}: {first.message}", field=first.column)
                problems.sort(key=lambda p: p.row if isinstance(p.row, int) else 0)
                raise RefusedRowsError(tuple(problems), source=source)
            return out

        return tuple(self._write(build))

    def _office(  # noqa: PLR0913 - the fields of an office entry
        self,
        kind: EntryKind,
        check: Callable[[rules.Facts, dt.date], rules.Problems],
        *,
        task: str,
        on: dt.date | str,
        by: str | None,
        today: dt.date | None,
        **values: Any,  # noqa: ANN401
    ) -> Entry:
        day = _today(today)
        policy = self.policy

        def build(connection: sa.Connection, facts: rules.Facts) -> list[_Row]:
            found = check(facts, day)
            said = values.get("text")
            words = {**values, "by": by}
            if isinstance(said, Text):
                words |= {"text": said.zh, "text_en": said.en or None}
            found += rules.words_problems(words)
            supersedes = values.get("supersedes")
            found += _supersede_problems(
                _targets(connection, [supersedes]), supersedes, kind, {"task": task}
            )
            if found:
                field, message = found[0]
                raise LedgerError(f"{field}: {message}", field=field)
            return [
                self._row(
                    kind, by, task=rules.task_of(policy, task).id, on_date=rules.day(on), **values
                )
            ]

        return self._write(build)[0]

    def set_deadline(  # noqa: PLR0913
        self,
        task: str,
        deadline: dt.date | str,
        *,
        on: dt.date | str,
        reason: str,
        by: str | None = None,
        supersedes: int | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """Set or move a task's deadline (it replaces the plan's from ``on``).

        Raises:
            LedgerError: An unknown task, a bad date, or no reason.
        """
        policy = self.policy

        def check(_facts: rules.Facts, day: dt.date) -> rules.Problems:
            found = rules.office_problems(policy, task=task, on=on, today=day, what="deadline")
            try:
                rules.day(deadline, "deadline")
            except ValueError as error:
                found.append(("deadline", str(error)))
            return found + rules.reason_problems(reason, "deadline set by the office")

        return self._office(
            EntryKind.DEADLINE, check, task=task, on=on, by=by, today=today,
            deadline=_maybe_day(deadline), reason=reason, supersedes=supersedes,
        )  # fmt: skip

    def delegate(  # noqa: PLR0913
        self,
        task: str,
        unit: str,
        *,
        on: dt.date | str,
        reason: str,
        by: str | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """Let a unit report on a task that is not its own (the office's delegation).

        Raises:
            LedgerError: An unknown task or unit, a bad date, or no reason.
        """
        policy = self.policy

        def check(_facts: rules.Facts, day: dt.date) -> rules.Problems:
            found = rules.office_problems(policy, task=task, on=on, today=day, what="delegation")
            found += rules.unit_problems(policy, unit, "delegation")
            return found + rules.reason_problems(reason, "delegation")

        unit_id = _unit_id(policy, unit)
        return self._office(
            EntryKind.DELEGATION,
            check,
            task=task,
            on=on,
            by=by,
            today=today,
            unit=unit_id,
            reason=reason,
        )

    def remind(  # noqa: PLR0913
        self,
        task: str,
        unit: str,
        *,
        on: dt.date | str,
        text: Text | str | None = None,
        by: str | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """Record a reminder sent to a unit about a task (催办).

        Raises:
            LedgerError: An unknown task or unit, or a bad date.
        """
        policy = self.policy

        def check(_facts: rules.Facts, day: dt.date) -> rules.Problems:
            found = rules.office_problems(policy, task=task, on=on, today=day, what="reminder")
            return found + rules.unit_problems(policy, unit, "reminder")

        unit_id = _unit_id(policy, unit)
        return self._office(
            EntryKind.REMINDER, check, task=task, on=on, by=by, today=today, unit=unit_id, text=text
        )

    def close_out(
        self,
        task: str,
        *,
        on: dt.date | str,
        reason: str,
        by: str | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """Close a task out (销号), with a reason.

        Raises:
            LedgerError: An unknown task, a task already closed, a bad date, no reason.
        """
        policy = self.policy

        def check(facts: rules.Facts, day: dt.date) -> rules.Problems:
            return rules.close_problems(policy, facts, task=task, on=on, reason=reason, today=day)

        return self._office(
            EntryKind.CLOSE, check, task=task, on=on, by=by, today=today, reason=reason
        )

    def reopen(
        self,
        task: str,
        *,
        on: dt.date | str,
        reason: str,
        by: str | None = None,
        today: dt.date | None = None,
    ) -> Entry:
        """Reopen a closed task, with a reason.

        Raises:
            LedgerError: An unknown task, a task not closed, a bad date, no reason.
        """
        policy = self.policy

        def check(facts: rules.Facts, day: dt.date) -> rules.Problems:
            return rules.reopen_problems(policy, facts, task=task, on=on, reason=reason, today=day)

        return self._office(
            EntryKind.REOPEN, check, task=task, on=on, by=by, today=today, reason=reason
        )

    # ─── Reading ────────────────────────────────────────────────────────────────

    def history(
        self, *, task: str | None = None, unit: str | None = None, kind: EntryKind | None = None
    ) -> tuple[Entry, ...]:
        """Return the entries, in recording order, for one task, unit or kind if given.

        Raises:
            LedgerError: The task or unit is not in the plan.
        """
        query = sa.select(entries).order_by(entries.c.id)
        if task is not None:
            found = rules.task_problems(self.policy, task)
            if found:
                raise LedgerError(f"task: {found[0][1]}", field="task")
            query = query.where(entries.c.task == self.policy.action(task).id)
        if unit is not None:
            query = query.where(entries.c.unit == _unit_id(self.policy, unit))
        if kind is not None:
            query = query.where(entries.c.kind == kind.value)
        with self._connect() as connection:
            return tuple(map(_entry, connection.execute(query)))

    def tasks_for(self, unit: str) -> tuple[str, ...]:
        """Return the tasks a unit may report on now: those it holds, and those delegated to it.

        Raises:
            LedgerError: The unit is not in the plan.
        """
        unit_id = _unit_id(self.policy, unit)
        with self._connect() as connection:
            facts = _facts(connection)
        return tuple(a.id for a in self.policy.actions if rules.may_report(a, unit_id, facts))

    def status(self, on: dt.date | str, settings: Settings | None = None) -> LedgerStatus:
        """Return the status of every task, unit and measure as of a date.

        See [`yantai_policy.ledger.status`][yantai_policy.ledger.status] for the lights.

        Raises:
            LedgerError: ``on`` is not a date, or is before the notice (field ``on``).
        """
        from yantai_policy.ledger.status import compute_status  # noqa: PLC0415 - one way down

        found = rules.status_problems(self.policy, on)
        if found:
            raise LedgerError(f"on: {found[0][1]}", field="on")
        with self._connect() as connection:
            return compute_status(self.policy, connection, rules.day(on), settings)

    def bound_to(self) -> tuple[str, str]:
        """Return the document number and data SHA-256 the ledger is bound to."""
        with self._connect() as connection:
            return _bound(connection)


# ─── Helpers ────────────────────────────────────────────────────────────────────


def _today(today: object) -> dt.date:
    """The day a write is checked against: ``today``, or today in China."""
    found = rules.today_problems(today)
    if found:
        raise LedgerError(f"today: {found[0][1]}", field="today")
    return today if isinstance(today, dt.date) else china_today()


def _check(words: Mapping[str, object], today: object) -> None:
    """Refuse bad words or a bad ``today`` before any database is touched."""
    found = rules.words_problems(words) + rules.today_problems(today)
    if found:
        field, message = found[0]
        raise LedgerError(f"{field}: {message}", field=field)


def _task_order(task: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in task.split("."))


def _busy(error: exc.DBAPIError) -> bool:
    if not isinstance(error, exc.OperationalError):
        return False
    text = str(error.orig).lower()
    return "locked" in text or "busy" in text or "could not serialize" in text or "deadlock" in text


def _reason(error: exc.DBAPIError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


def _bound(connection: sa.Connection) -> tuple[str, str]:
    row = connection.execute(
        sa.select(entries.c.plan, entries.c.plan_sha256)
        .where(entries.c.kind == EntryKind.BIND.value)
        .order_by(entries.c.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        raise LedgerError("the ledger is bound to no plan (no bind entry)", field="db")
    return str(row.plan), str(row.plan_sha256)


def _superseded() -> sa.ColumnElement[bool]:
    """Whether an entry has been corrected by a later one (then it no longer counts)."""
    later = entries.alias("later")
    return sa.exists().where(later.c.supersedes == entries.c.id)


def _facts(connection: sa.Connection) -> rules.Facts:
    """Read the closed tasks and the delegations, as they stand now."""
    kinds = [EntryKind.CLOSE.value, EntryKind.REOPEN.value, EntryKind.DELEGATION.value]
    found = connection.execute(
        sa.select(entries.c.kind, entries.c.task, entries.c.unit)
        .where(entries.c.kind.in_(kinds), ~_superseded())
        .order_by(entries.c.id)
    )
    closed: set[str] = set()
    delegations: set[tuple[str, str]] = set()
    for kind, task, unit in found:
        if kind == EntryKind.CLOSE.value:
            closed.add(task)
        elif kind == EntryKind.REOPEN.value:
            closed.discard(task)
        else:
            delegations.add((task, unit))
    return rules.Facts(frozenset(closed), frozenset(delegations))


_MAX_ID = 2**63 - 1
"""The largest entry number either database can hold (a larger one names no entry)."""


def _targets(connection: sa.Connection, ids: Sequence[object]) -> dict[int, tuple[Entry, bool]]:
    """Return the entries named by ``supersedes``, each with whether it is already superseded."""
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool) and 0 < i <= _MAX_ID}
    if not wanted:
        return {}
    found = connection.execute(
        sa.select(entries, _superseded().label("superseded")).where(entries.c.id.in_(wanted))
    )
    return {row.id: (_entry(row), bool(row.superseded)) for row in found}


def _supersede_problems(
    targets: Mapping[int, tuple[Entry, bool]],
    supersedes: object,
    kind: EntryKind,
    row: Mapping[str, Any],
) -> rules.Problems:
    if supersedes is None:
        return []
    if not isinstance(supersedes, int) or isinstance(supersedes, bool):
        return [("supersedes", f"supersedes must be an entry number, not {supersedes!r}")]
    if supersedes not in targets:
        return [("supersedes", f"there is no entry {supersedes}")]
    target, superseded = targets[supersedes]
    if superseded:
        return [
            ("supersedes", f"entry {supersedes} is already superseded; correct the latest entry")
        ]
    if target.kind is not kind or str(row.get("task")) != target.task:
        what = f"a {target.kind.value} entry" + (f" on task {target.task}" if target.task else "")
        return [
            (
                "supersedes",
                f"entry {supersedes} is {what}: a correction is of the same kind and task",
            )
        ]
    return []


def _key_problems(
    connection: sa.Connection, rows: list[_Row], numbers: Sequence[Any]
) -> list[Problem]:
    """Every row whose key was used before with other contents, or is given twice.

    A row whose key was used before for the same contents is a retried write: it is
    replaced, in ``rows``, by the entry already recorded.
    """
    keys = [r["entry_key"] for r in rows if r.get("entry_key")]
    if not keys:
        return []
    found = connection.execute(sa.select(entries).where(entries.c.entry_key.in_(keys)))
    existing = {e.key: e for e in map(_entry, found) if e.key}
    problems: list[Problem] = []
    seen: dict[str, Any] = {}
    for index, (row, number) in enumerate(zip(rows, numbers, strict=True)):
        key = row.get("entry_key")
        if not key or "_existing" in row:
            continue
        if key in seen:
            message = f"key {key!r} is given in row {seen[key]} too; each report has its own key"
            problems.append(Problem(number, "key", message))
            continue
        seen[key] = number
        if key in existing:
            if _same(existing[key], row):
                rows[index] = {"_existing": existing[key]}
            else:
                message = f"key {key!r} was already used for entry {existing[key].id}, with other contents"
                problems.append(Problem(number, "key", message))
    return problems


def _number(value: object) -> int | None:
    """The entry number a row's ``id`` names (a number, or digits in a sheet's cell), or None."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _recorded_problems(
    recorded: Mapping[int, tuple[Entry, bool]], row: Mapping[str, Any]
) -> rules.Problems:
    """A row that names an entry by ``id`` must say what the entry says (a re-import)."""
    number = _number(row["id"])
    if number is None or number not in recorded:
        return [("id", f"there is no entry {row['id']}; leave id empty for a new report")]
    entry = recorded[number][0]
    fresh = {
        "kind": EntryKind.REPORT.value, "task": row.get("task"), "unit": row.get("unit"),
        "status": _status_value(row.get("status")), "on": row.get("on"),
        "text": row.get("text") or None, "supersedes": row.get("supersedes"),
    }  # fmt: skip
    ours = {
        "kind": entry.kind.value, "task": entry.task, "unit": entry.unit,
        "status": entry.status.value if entry.status else None, "on": entry.on.isoformat(),
        "text": entry.text.zh if entry.text else None, "supersedes": entry.supersedes,
    }  # fmt: skip
    if isinstance(fresh["on"], dt.date):
        fresh["on"] = fresh["on"].isoformat()
    differ = [k for k in ours if str(ours[k] or "") != str(fresh[k] or "")]
    if differ:
        return [
            (
                "id",
                f"entry {number} in the ledger has another {differ[0]}; a correction is a new row (no id) with supersedes {number}",
            )
        ]
    return []


def _status_value(status: object) -> object:
    return status.value if isinstance(status, Status) else status


def _text(text: object, text_en: object) -> Text | None:
    if isinstance(text, Text):
        return text
    if text is None or text == "":
        return None
    return Text(str(text), str(text_en) if text_en else "")


def _text_problems(row: Mapping[str, Any]) -> rules.Problems:
    text = row.get("text")
    if row.get("text_en") and not text:
        return [("text_en", "an English text needs the Chinese text beside it")]
    evidence = row.get("evidence")
    if evidence is not None and not isinstance(evidence, str | list | tuple):
        return [("evidence", "evidence is a list of references")]
    if isinstance(evidence, str):
        evidence = _evidence(evidence)
    zh, en = (text.zh, text.en or None) if isinstance(text, Text) else (text, row.get("text_en"))
    return rules.words_problems({"text": zh or None, "text_en": en or None, "evidence": evidence,
                                 "by": row.get("by"), "key": row.get("key")})  # fmt: skip


def _evidence(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.replace("；", ";").split(";") if p.strip())
    return tuple(str(v) for v in value)  # type: ignore[attr-defined]


def _maybe_day(value: object) -> dt.date | None:
    try:
        return rules.day(value, "deadline")
    except ValueError:
        return None


def _unit_id(policy: Policy, unit: object) -> str:
    found = rules.unit_problems(policy, unit)
    if found:
        raise LedgerError(f"unit: {found[0][1]}", field="unit")
    return rules.unit_of(policy, unit).id


def _entry(row: Any) -> Entry:  # noqa: ANN401 - a Row or a dict
    m = row._mapping if hasattr(row, "_mapping") else row  # noqa: SLF001 - SQLAlchemy's API
    zh, en = m["text_zh"], m["text_en"]
    recorded = m["recorded_at"]
    if isinstance(recorded, dt.datetime) and recorded.tzinfo is None:  # SQLite keeps no zone
        recorded = recorded.replace(tzinfo=dt.UTC)
    evidence = m["evidence"]
    return Entry(
        id=m["id"],
        kind=EntryKind(m["kind"]),
        task=m["task"],
        unit=m["unit"],
        on=m["on_date"],
        status=Status(m["status"]) if m["status"] else None,
        text=Text(zh, en or "") if zh is not None else None,
        evidence=tuple(json.loads(evidence))
        if isinstance(evidence, str)
        else tuple(evidence or ()),
        reason=m["reason"],
        deadline=m["deadline"],
        by=m["recorded_by"],
        recorded_at=recorded,
        supersedes=m["supersedes"],
        key=m["entry_key"],
        plan=m["plan"],
        plan_sha256=m["plan_sha256"],
    )


def _same(entry: Entry, row: Mapping[str, Any]) -> bool:
    """Whether a retried row says what the entry recorded under its key says."""
    fresh = _entry({**row, "id": entry.id})
    return attrs.evolve(fresh, recorded_at=entry.recorded_at, by=entry.by) == entry
