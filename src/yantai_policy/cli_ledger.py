"""``yantai-policy ledger …``: the implementation ledger (督办台账) on the command line.

The commands are thin: each opens the ledger (`yantai_policy.ledger.Ledger`), calls one
method, and prints the result. A refused entry exits 2 with one line (from the
`LedgerError` the ledger raises) and writes nothing. ``--db`` is a file path (SQLite) or
a ``postgresql://`` URL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from yantai_policy.errors import PolicyError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from yantai_policy.audit import AuditConfig, AuditReport
    from yantai_policy.ledger import Ledger
    from yantai_policy.model import Policy

__all__ = ["add_ledger_command", "audit_ledger", "run_ledger"]

_REPORTING = ("monthly", "quarterly", "half_yearly", "yearly")


def add_ledger_command(  # noqa: PLR0915 - one statement per option
    commands: argparse._SubParsersAction[Any],
    parents: Mapping[str, argparse.ArgumentParser],
    day: Callable[[str], object],
) -> None:
    """Add ``ledger`` and its subcommands to the command line's parser."""
    ledger = commands.add_parser(
        "ledger",
        help="the implementation ledger (督办台账): reports, lights, reminders, close-outs",
        description="Track the plan's implementation: units report progress on their tasks, "
        "the office sets deadlines, chases (催办), closes out (销号) and reopens; status gives "
        "every task a light (green, yellow, red) as of a date. --db is a file (SQLite) or a "
        "postgresql:// URL. A refused entry exits 2 with one line and writes nothing.",
    )
    sub = ledger.add_subparsers(dest="ledger_command", required=True, metavar="SUBCOMMAND")
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db", metavar="DB", help="the ledger: a file path (SQLite) or a postgresql:// URL"
    )
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument(
        "--by", dest="recorded_by", metavar="NAME", help="who records it (default: your user name)"
    )
    base = [db, parents["plan"], parents["json"]]

    def command(name: str, text: str, *, writes: bool = True) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, parents=[*base, who] if writes else base, help=text, description=text
        )
        parser.set_defaults(lang="both", recorded_by=None)
        return parser

    def task(parser: argparse.ArgumentParser, *, unit: bool = False) -> None:
        parser.add_argument("--task", required=True, help="the task's id, such as 7.1")
        if unit:
            parser.add_argument("--unit", required=True, help="the unit, by id or name")
        parser.add_argument(
            "--on", required=True, type=day, metavar="DATE", help="the day, YYYY-MM-DD"
        )

    init = command("init", "create a ledger bound to the plan (--plan, or the built-in one)")
    init.add_argument("db_path", nargs="?", metavar="DB", help="the ledger, as --db")
    report = command("report", "file a unit's progress report on a task")
    task(report, unit=True)
    report.add_argument(
        "--status", required=True, choices=("not_started", "in_progress", "done", "blocked")
    )
    report.add_argument("--text", help="what was done, in Chinese")
    report.add_argument("--text-en", help="the same in English")
    report.add_argument("--evidence", action="append", default=[], metavar="REF",
                        help="a reference to evidence (a document number, file, link); repeat for more")  # fmt: skip
    report.add_argument(
        "--key", help="an idempotency key: the same report filed again is recorded once"
    )
    report.add_argument(
        "--supersedes", type=int, metavar="ENTRY", help="the entry this report corrects"
    )
    status = command(
        "status", "the 台账 as of a date: every task's last report and light", writes=False
    )
    status.add_argument("--on", type=day, metavar="DATE", help="the day (default: today in China)")
    status.add_argument("--by", dest="view", choices=("task", "unit", "measure"), default="task",
                        help="one row per task (default), unit or measure")  # fmt: skip
    status.add_argument(
        "--format", dest="report_format", choices=("text", "json", "csv", "xlsx"), default="text"
    )
    status.add_argument(
        "-o", "--output", default="-", metavar="PATH", help="the file to write; - is stdout"
    )
    status.add_argument(
        "--warning-days", type=int, metavar="N", help="days ahead that turn a light yellow (15)"
    )
    status.add_argument(
        "--silent-days",
        type=int,
        metavar="N",
        help="days without a report before a unit is silent (90)",
    )
    status.add_argument(
        "--reporting",
        choices=_REPORTING,
        help="the reporting rhythm where the plan gives none (quarterly)",
    )
    status.add_argument(
        "--audit", action="store_true", help="print the ledger checks' findings instead"
    )
    remind = command("remind", "record a reminder sent to a unit (催办)")
    task(remind, unit=True)
    remind.add_argument("--text", help="what the reminder said")
    close = command("close", "close a task out (销号), with a reason")
    task(close)
    close.add_argument("--reason", required=True)
    reopen = command("reopen", "reopen a closed task, with a reason")
    task(reopen)
    reopen.add_argument("--reason", required=True)
    deadline = command("deadline", "set or move a task's deadline")
    task(deadline)
    deadline.add_argument("--deadline", required=True, type=day, metavar="DATE")
    deadline.add_argument("--reason", required=True)
    delegate = command("delegate", "let a unit report on a task that is not its own")
    task(delegate, unit=True)
    delegate.add_argument("--reason", required=True)
    imported = command(
        "import", "file the reports of a 台账 sheet (CSV or xlsx): all of them, or none"
    )
    imported.add_argument("sheet", metavar="SHEET", help="the sheet: .csv (UTF-8) or .xlsx")
    export = command("export", "write the ledger's entries as a sheet", writes=False)
    export.add_argument(
        "--format", dest="sheet_format", choices=("csv", "xlsx", "json"), default="csv"
    )
    export.add_argument(
        "-o", "--output", default="-", metavar="PATH", help="the file to write; - is stdout"
    )
    export.add_argument(
        "--kind",
        choices=("bind", "report", "deadline", "delegation", "reminder", "close", "reopen"),
    )
    history = command("history", "the ledger's entries, in recording order", writes=False)
    history.add_argument("--task", help="only this task's")
    history.add_argument("--unit", help="only this unit's")
    history.add_argument("--format", dest="report_format", choices=("text", "json"), default=None)
    command("migrate", "bring the ledger's schema up to date and rebind it to this plan version")
    token = command("token", "issue, revoke or list the access tokens of the units and the office")
    token.add_argument("what", choices=("issue", "revoke", "list"), metavar="issue|revoke|list")
    holder = token.add_mutually_exclusive_group()
    holder.add_argument("--unit", help="issue: the unit the token speaks for, by id or name")
    holder.add_argument("--office", action="store_true",
                        help="issue: a token of the office (closes out, sets deadlines, delegates)")  # fmt: skip
    token.add_argument(
        "--id", dest="token_id", type=int, metavar="N", help="revoke: the token's number"
    )
    token.add_argument("--note", help="issue: what the token is for")
    token.add_argument("--reason", help="revoke: why")
    plot = command("plot", "draw the measure-by-unit matrix coloured by light", writes=False)
    plot.add_argument("--on", type=day, metavar="DATE", help="the day (default: today in China)")
    plot.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="the picture: .svg or .png"
    )
    plot.add_argument("--lang", choices=("zh", "en"), default="zh")


def _settings(args: argparse.Namespace) -> Any:  # noqa: ANN401 - a Settings
    from yantai_policy.ledger import Settings  # noqa: PLC0415
    from yantai_policy.model import Reporting  # noqa: PLC0415

    values: dict[str, Any] = {}
    if args.warning_days is not None:
        values["warning_days"] = args.warning_days
    if args.silent_days is not None:
        values["silent_days"] = args.silent_days
    if args.reporting is not None:
        values["reporting"] = Reporting(args.reporting)
    return Settings(**values)


def _db(args: argparse.Namespace) -> str:
    db = args.db or getattr(args, "db_path", None)
    if not db:
        raise PolicyError("--db is needed: a file path (SQLite) or a postgresql:// URL")
    return str(db)


def _say(args: argparse.Namespace, entry: Any) -> None:  # noqa: ANN401 - an Entry
    if args.report_format == "json":
        print(json.dumps(entry.to_dict(), ensure_ascii=False, indent=2))
        return
    what = f"{entry.kind.value} {entry.task or ''} {entry.unit or ''}".split()
    status = f" {entry.status.value}" if entry.status else ""
    print(f"recorded entry {entry.id}: {' '.join(what)}{status} on {entry.on}")


def run_ledger(policy: Policy, args: argparse.Namespace) -> int:
    """Run one ``ledger`` subcommand; a `PolicyError` (a refusal) is the caller's to print."""
    from sqlalchemy import exc  # noqa: PLC0415 - only the ledger commands load SQLAlchemy

    from yantai_policy.ledger import Ledger, LedgerError  # noqa: PLC0415
    from yantai_policy.ledger.store import masked, shown  # noqa: PLC0415

    db = _db(args)
    _check_output(args, db)
    try:
        if args.ledger_command == "init":
            with Ledger.create(db, policy, by=args.recorded_by) as ledger:
                number, sha = ledger.bound_to()
            print(f"created the ledger {shown(db)}, bound to {number} (data sha256 {sha[:12]})")
            return 0
        if args.ledger_command == "migrate":
            ledger, report = Ledger.migrate(db, policy, by=args.recorded_by)
            ledger.close()
            print(json.dumps(_migration(report), ensure_ascii=False, indent=2) if args.report_format == "json"
                  else _migration_text(report))  # fmt: skip
            return 0
        with Ledger.open(db, policy) as ledger:
            return _COMMANDS[args.ledger_command](ledger, args)
    except exc.SQLAlchemyError as error:  # a database that fails under us: one line, exit 2
        raise LedgerError(f"{shown(db)}: {masked(_reason(error), db)}", field="db") from None


def _check_output(args: argparse.Namespace, db: str) -> None:
    """Refuse an output that cannot be written, before the ledger is opened.

    A picture's suffix must name its format; no output may be the ledger's own file or
    the sheet being read.
    """
    from yantai_policy.outfile import refuse_input  # noqa: PLC0415

    output = getattr(args, "output", None)
    if output is None:
        return
    if args.ledger_command == "plot":
        from yantai_policy import plot  # noqa: PLC0415 - matplotlib is loaded only to draw

        try:
            plot.format_of(output)
        except ValueError as error:
            raise PolicyError(str(error)) from None
    refuse_input(output, [None if "://" in db else db, getattr(args, "sheet", None)])


def audit_ledger(policy: Policy, db: str, config: AuditConfig) -> AuditReport:
    """The coverage audit with the ledger's checks, as of ``config.on`` (default: today in China)."""
    import attrs  # noqa: PLC0415
    from sqlalchemy import exc  # noqa: PLC0415

    from yantai_policy.dates import china_today  # noqa: PLC0415
    from yantai_policy.ledger import Ledger, LedgerError  # noqa: PLC0415
    from yantai_policy.ledger.checks import audit_with_ledger  # noqa: PLC0415
    from yantai_policy.ledger.store import masked, shown  # noqa: PLC0415

    on = config.on or china_today()
    try:
        with Ledger.open(db, policy) as ledger:
            status = ledger.status(on)
    except exc.SQLAlchemyError as error:
        raise LedgerError(f"{shown(db)}: {masked(_reason(error), db)}", field="db") from None
    return audit_with_ledger(policy, status, attrs.evolve(config, on=on))


def _reason(error: Exception) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def _migration(report: Any) -> dict[str, Any]:  # noqa: ANN401 - a MigrationReport
    return {
        "schema_from": report.schema_from, "schema_to": report.schema_to,
        "plan_from": list(report.plan_from), "plan_to": list(report.plan_to),
        "mapped": list(report.mapped), "unmapped": list(report.unmapped),
    }  # fmt: skip


def _migration_text(report: Any) -> str:  # noqa: ANN401 - a MigrationReport
    lines = [f"schema: {report.schema_from} -> {report.schema_to}",
             f"plan: {report.plan_from[0]} {report.plan_from[1][:12]} -> {report.plan_to[0]} {report.plan_to[1][:12]}",
             f"tasks mapped by id: {len(report.mapped)}"]  # fmt: skip
    if report.unmapped:
        lines.append(
            f"tasks not in the plan (their entries are kept, and left out of the status): {', '.join(report.unmapped)}"
        )
    return "\n".join(lines)


def _report(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy.model import Text  # noqa: PLC0415

    text = Text(args.text, args.text_en or "") if args.text else None
    if args.text_en and not args.text:
        raise PolicyError("--text-en needs --text (the Chinese text) beside it")
    entry = ledger.report(args.task, args.unit, args.status, on=args.on, text=text, evidence=args.evidence,
                          by=args.recorded_by, key=args.key, supersedes=args.supersedes)  # fmt: skip
    _say(args, entry)
    return 0


def _office(ledger: Ledger, args: argparse.Namespace) -> int:
    name = args.ledger_command
    by = args.recorded_by
    if name == "remind":
        entry = ledger.remind(args.task, args.unit, on=args.on, text=args.text, by=by)
    elif name == "close":
        entry = ledger.close_out(args.task, on=args.on, reason=args.reason, by=by)
    elif name == "reopen":
        entry = ledger.reopen(args.task, on=args.on, reason=args.reason, by=by)
    elif name == "deadline":
        entry = ledger.set_deadline(args.task, args.deadline, on=args.on, reason=args.reason, by=by)
    else:
        entry = ledger.delegate(args.task, args.unit, on=args.on, reason=args.reason, by=by)
    _say(args, entry)
    return 0


def _on(args: argparse.Namespace) -> Any:  # noqa: ANN401 - a date
    from yantai_policy.dates import china_today  # noqa: PLC0415

    return args.on or china_today()


def _status(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy.export import csv_bytes, xlsx_bytes  # noqa: PLC0415
    from yantai_policy.outfile import open_output  # noqa: PLC0415

    status = ledger.status(_on(args), _settings(args))
    if args.audit:
        from yantai_policy.ledger.checks import ledger_findings  # noqa: PLC0415

        found = ledger_findings(ledger.policy, status)
        if args.report_format == "json":
            text = json.dumps([{"code": f.code, "severity": f.severity.value, "subject": f.subject,
                                "message": {"zh": f.message.zh, "en": f.message.en}, "evidence": f.evidence}
                               for f in found], ensure_ascii=False, indent=2)  # fmt: skip
        else:
            text = "\n".join(
                f"{f.severity.value.upper():7} {f.code}  {f.subject}\n        {f.message.zh}\n        {f.message.en}"
                for f in found
            )
            text += f"\n{len(found)} ledger findings as of {status.on}"
        with open_output(args.output) as out:
            out.write(text + "\n")
        return 0
    view = args.view
    fmt = args.report_format
    if fmt == "json":
        payload = json.dumps(status.records(view), ensure_ascii=False, indent=2) + "\n"
        with open_output(args.output) as out:
            out.write(payload)
    elif fmt in {"csv", "xlsx"}:
        rows = status.rows(view, "zh")
        data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, f"台账 {status.on}")
        with open_output(args.output, binary=True) as sink:
            sink.write(data)
    else:
        with open_output(args.output) as out:
            out.write(_table(status.rows(view, "zh")))
            counts = ", ".join(f"{n} {light}" for light, n in status.counts().items())
            out.write(f"{len(status.tasks)} tasks as of {status.on}: {counts}\n")
    return 0


def _width(text: str) -> int:
    import unicodedata  # noqa: PLC0415

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[object]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "".join(
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in cells
    )


def _import(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy.ledger.sheet import MAX_SHEET_BYTES, read_sheet  # noqa: PLC0415
    from yantai_policy.loading import read_regular_file  # noqa: PLC0415

    data = read_regular_file(args.sheet, MAX_SHEET_BYTES)
    rows = read_sheet(data, args.sheet)
    if args.recorded_by:
        for row in rows:
            row["by"] = row.get("by") or args.recorded_by
    start = dt.datetime.now(dt.UTC)
    filed = ledger.report_many(rows, source=args.sheet)
    new = [e.id for e in filed if e.recorded_at is not None and e.recorded_at >= start]
    if args.report_format == "json":
        print(json.dumps({"rows": len(rows), "new": new, "entries": [e.id for e in filed]}))
    else:
        print(
            f"imported {args.sheet}: {len(new)} new reports, {len(rows) - len(new)} already in the ledger (by id or key)"
        )
    return 0


def _export(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy.export import csv_bytes, xlsx_bytes  # noqa: PLC0415
    from yantai_policy.ledger import EntryKind  # noqa: PLC0415
    from yantai_policy.ledger.sheet import entry_rows  # noqa: PLC0415
    from yantai_policy.outfile import open_output  # noqa: PLC0415

    found = ledger.history(kind=EntryKind(args.kind) if args.kind else None)
    if args.sheet_format == "json":
        with open_output(args.output) as out:
            out.write(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=2) + "\n")
        return 0
    rows = entry_rows(found)
    data = csv_bytes(rows) if args.sheet_format == "csv" else xlsx_bytes(rows, "台账")
    with open_output(args.output, binary=True) as sink:
        sink.write(data)
    return 0


def _history(ledger: Ledger, args: argparse.Namespace) -> int:
    found = ledger.history(task=args.task, unit=args.unit)
    if args.report_format == "json":
        print(json.dumps([e.to_dict() for e in found], ensure_ascii=False, indent=2))
        return 0
    for e in found:
        what = " ".join(
            x for x in (e.kind.value, e.task, e.unit, e.status.value if e.status else None) if x
        )
        extra = (
            e.text.zh
            if e.text
            else e.reason or (f"{e.plan} {e.plan_sha256[:12]}" if e.plan and e.plan_sha256 else "")
        )
        fix = f" (corrects {e.supersedes})" if e.supersedes else ""
        print(
            f"{e.id:>6}  {e.on}  {what}{fix}  {extra}  [{e.by}, {e.recorded_at:%Y-%m-%d %H:%M}]".rstrip()
        )
    return 0


def _plot(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy import plot  # noqa: PLC0415

    status = ledger.status(_on(args))
    try:
        figure = plot.ledger_matrix(ledger.policy, status, lang=args.lang)
    except ImportError:
        raise PolicyError(f"the plot needs matplotlib: {plot.INSTALL_HINT}") from None
    plot.save(figure, args.output)
    print(f"wrote the matrix as of {status.on} to {args.output}", file=sys.stderr)
    return 0


def _token(ledger: Ledger, args: argparse.Namespace) -> int:
    from yantai_policy.ledger import tokens  # noqa: PLC0415

    if args.what == "issue":
        if not (args.unit or args.office):
            raise PolicyError("ledger token issue needs --unit UNIT or --office")
        issued = tokens.issue(
            ledger, None if args.office else args.unit, by=args.recorded_by, note=args.note
        )
        if args.report_format == "json":
            print(json.dumps(issued.token.to_dict(), ensure_ascii=False))
        else:
            print(
                f"token {issued.token.id} for {issued.token.holder_name}; it is shown once, keep it safe:"
            )
        print(issued.secret)
        return 0
    if args.what == "revoke":
        if args.token_id is None:
            raise PolicyError("ledger token revoke needs --id N (ledger token list shows them)")
        token = tokens.revoke(ledger, args.token_id, by=args.recorded_by, reason=args.reason)
        print(json.dumps(token.to_dict(), ensure_ascii=False) if args.report_format == "json"
              else f"revoked token {token.id} of {token.holder_name}")  # fmt: skip
        return 0
    found = tokens.listing(ledger)
    if args.report_format == "json":
        print(json.dumps([t.to_dict() for t in found], ensure_ascii=False, indent=2))
        return 0
    for t in found:
        state = f"revoked {t.revoked_at:%Y-%m-%d} by {t.revoked_by}" if t.revoked_at else "active"
        print(
            f"{t.id:>4}  {t.holder_name:<12} issued {t.issued_at:%Y-%m-%d} by {t.issued_by}  {state}  {t.note or ''}".rstrip()
        )
    return 0


_COMMANDS: dict[str, Callable[[Ledger, argparse.Namespace], int]] = {
    "report": _report,
    "status": _status,
    "remind": _office,
    "close": _office,
    "reopen": _office,
    "deadline": _office,
    "delegate": _office,
    "import": _import,
    "export": _export,
    "history": _history,
    "plot": _plot,
    "token": _token,
}
