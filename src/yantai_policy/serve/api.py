"""The ``/v1`` endpoints: the plan, its queries and audit, parameters, evaluation, the ledger.

Each handler is thin: it calls the library and returns what the library's own
``to_dict`` (or `yantai_policy.serialize`) gives, so the HTTP shapes are the CLI's
``--json`` shapes. Read endpoints are open unless the server requires a token
(`ServeSettings.require_read_token`); writes need a bearer token (`access`).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal

from litestar import Request, Response, get, post, route
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.response import Stream

from yantai_policy import queries
from yantai_policy.audit import AuditConfig, Severity, audit
from yantai_policy.benefits import (
    APPLICANT_BENEFITS,
    BENEFITS,
    evaluate,
    evaluate_all,
    get_benefit,
)
from yantai_policy.benefits.batch import compare
from yantai_policy.benefits.records import applicant_schema, placement_schema
from yantai_policy.dates import china_today
from yantai_policy.errors import PolicyError, UnknownNameError
from yantai_policy.labels import Labels
from yantai_policy.model import Role, Text
from yantai_policy.serialize import (
    action_to_dict,
    bureau_to_dict,
    co_owners_to_dict,
    measure_to_dict,
    notice_to_dict,
    parameters_to_dict,
    unit_detail_to_dict,
    unit_task_to_dict,
    workload_to_dict,
)
from yantai_policy.serve import access, problems
from yantai_policy.serve.service import Served

__all__ = ["HANDLERS"]

Lang = Literal["zh", "en", "both"]
LangQuery = Annotated[Lang, QueryParameter(description="the languages of the text: zh, en or both")]
AsOf = Annotated[
    dt.date | None,
    QueryParameter(description="label units by the names in force on this day (YYYY-MM-DD)"),
]
On = Annotated[
    dt.date | None, QueryParameter(description="the day, YYYY-MM-DD (default: today in China)")
]
Json = dict[str, Any]
TaskFilter = Annotated[
    str | None, QueryParameter(description="only this task's entries", min_length=1)
]
UnitFilter = Annotated[
    str | None, QueryParameter(description="only this unit's entries", min_length=1)
]
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
"""The OpenAPI security of the endpoints that need a bearer token."""


def _endpoint(
    method: str,
    path: str,
    summary: str,
    *,
    io: bool = False,
    **more: Any,  # noqa: ANN401 - Litestar's own options
) -> Callable[[Callable[..., Any]], HTTPRouteHandler]:
    """Declare a ``/v1`` endpoint, with the problem documents it may answer.

    One that reads or writes the ledger (``io``: database I/O) runs in a worker thread;
    the others answer from the plan in memory, in the event loop. An async handler runs
    as it is.
    """

    def register(handler: Callable[..., Any]) -> HTTPRouteHandler:
        options: dict[str, Any] = {"summary": summary, "responses": problems.RESPONSES, **more}
        if not inspect.iscoroutinefunction(handler):
            options["sync_to_thread"] = io
        declare = get if method == "GET" else post
        return declare(path, **options)(handler)

    return register


def _labels(service: Served, as_of: dt.date | None) -> Labels | None:
    return Labels(service.policy, as_of) if as_of is not None else None


def _measure(service: Served, number: FromPath[int]) -> Any:  # noqa: ANN401 - a Measure
    try:
        return service.policy.measure(number)
    except UnknownNameError as error:
        raise NotFoundException(str(error), extra={"field": "number"}) from None


def _unit(service: Served, unit: str) -> Any:  # noqa: ANN401 - a Bureau
    try:
        return service.policy.bureau(unit)
    except UnknownNameError as error:
        raise NotFoundException(str(error), extra={"field": "id"}) from None


# ─── The plan ───────────────────────────────────────────────────────────────────


@_endpoint(
    "GET",
    "/v1",
    summary="The server: the library's version, the plan, whether a ledger is open",
)
def index(service: Served) -> Json:
    """What this server serves."""
    headers = service.headers
    return {
        "version": headers["X-Yantai-Policy-Version"],
        "plan": {"document_number": service.policy.notice.document_number,
                 "data_sha256": service.policy.data_sha256},
        "ledger": service.ledger is not None,
        "read_token_required": service.settings.require_read_token,
    }  # fmt: skip


@_endpoint(
    "GET",
    "/v1/notice",
    summary="The notice's particulars",
)
def notice(service: Served, lang: LangQuery = "both") -> Json:
    """The notice: document number, issuer, dates, title, and where it comes from."""
    return notice_to_dict(service.policy.notice, lang)


@_endpoint(
    "GET",
    "/v1/measures",
    summary="Every measure, with its tasks",
)
def measures(service: Served, lang: LangQuery = "both", as_of: AsOf = None) -> list[Json]:
    """The measures in order, each with its tasks and units."""
    labels = _labels(service, as_of)
    return [measure_to_dict(m, lang, labels=labels) for m in service.policy.measures]


@_endpoint(
    "GET",
    "/v1/measures/{number:int}",
    summary="One measure, with its tasks",
)
def measure(
    service: Served, number: FromPath[int], lang: LangQuery = "both", as_of: AsOf = None
) -> Json:
    """One measure by number."""
    return measure_to_dict(_measure(service, number), lang, labels=_labels(service, as_of))


@_endpoint(
    "GET",
    "/v1/measures/{number:int}/co-owners",
    summary="The units that share a measure",
)
def co_owners(
    service: Served, number: FromPath[int], lang: LangQuery = "both", as_of: AsOf = None
) -> Json:
    """Every unit with a task in the measure: ``{"measure": n, "bureaus": [...]}``, as ``co-owners --json``."""
    found = queries.co_owners(service.policy, _measure(service, number))
    return co_owners_to_dict(number, found, lang, labels=_labels(service, as_of))


@_endpoint(
    "GET",
    "/v1/measures/{number:int}/assistants",
    summary="The units that assist (配合) in a measure",
)
def assistants(
    service: Served, number: FromPath[int], lang: LangQuery = "both", as_of: AsOf = None
) -> list[Json]:
    """Every unit that assists in one of the measure's tasks."""
    labels = _labels(service, as_of)
    found = queries.assistants_of(service.policy, _measure(service, number))
    return [bureau_to_dict(b, lang, labels=labels) for b in found]


@_endpoint(
    "GET",
    "/v1/tasks",
    summary="Every task",
)
def tasks(service: Served, lang: LangQuery = "both", as_of: AsOf = None) -> list[Json]:
    """The tasks in order, with their units, roles, deadlines and sources."""
    labels = _labels(service, as_of)
    return [action_to_dict(a, lang, labels=labels) for a in service.policy.actions]


@_endpoint(
    "GET",
    "/v1/tasks/{task_id:str}",
    summary="One task",
)
def task(
    service: Served, task_id: FromPath[str], lang: LangQuery = "both", as_of: AsOf = None
) -> Json:
    """One task by id, such as 7.1."""
    try:
        found = service.policy.action(task_id)
    except UnknownNameError as error:
        raise NotFoundException(str(error), extra={"field": "task_id"}) from None
    return action_to_dict(found, lang, labels=_labels(service, as_of))


@_endpoint(
    "GET",
    "/v1/units",
    summary="Every unit",
)
def units(service: Served, lang: LangQuery = "both", as_of: AsOf = None) -> list[Json]:
    """The plan's units."""
    labels = _labels(service, as_of)
    return [bureau_to_dict(b, lang, labels=labels) for b in service.policy.bureaus]


@_endpoint(
    "GET",
    "/v1/units/{unit_id:str}",
    summary="One unit, with its tasks",
)
def unit(
    service: Served, unit_id: FromPath[str], lang: LangQuery = "both", as_of: AsOf = None
) -> Json:
    """One unit by id or name, with its tasks (and, on ``as_of``, those it took over), as ``bureau --json``."""
    return unit_detail_to_dict(
        service.policy, _unit(service, unit_id), lang, labels=_labels(service, as_of)
    )


@_endpoint(
    "GET",
    "/v1/units/{unit_id:str}/tasks",
    summary="A unit's tasks, by role",
)
def unit_tasks(
    service: Served,
    unit_id: FromPath[str],
    role: Annotated[
        Literal["lead", "assist", "responsible"] | None,
        QueryParameter(description="only this role"),
    ] = None,
    lang: LangQuery = "both",
    as_of: AsOf = None,
) -> list[Json]:
    """The tasks the unit holds, each with its own ``roles`` (and, on ``as_of``, those it took over)."""
    found = _unit(service, unit_id)
    held = queries.actions_of(service.policy, found, Role(role) if role else None, on=as_of)
    labels = _labels(service, as_of)
    return [unit_task_to_dict(a, found, lang, labels=labels) for a in held]


@_endpoint(
    "GET",
    "/v1/units/{unit_id:str}/collaborators",
    summary="The units a unit shares measures with",
)
def collaborators(
    service: Served, unit_id: FromPath[str], lang: LangQuery = "both", as_of: AsOf = None
) -> list[Json]:
    """Each other unit in a measure with this one, and the measures they share."""
    labels = _labels(service, as_of)
    found = queries.collaborators(service.policy, _unit(service, unit_id))
    return [
        {"bureau": bureau_to_dict(b, lang, labels=labels), "measures": list(m)}
        for b, m in found.items()
    ]


@_endpoint(
    "GET",
    "/v1/workload",
    summary="Tasks and measures per unit",
)
def workload(service: Served, lang: LangQuery = "both", as_of: AsOf = None) -> list[Json]:
    """Each unit's tasks, measures, share and exact load."""
    labels = _labels(service, as_of)
    return [workload_to_dict(r, lang, labels=labels) for r in queries.workload(service.policy)]


@_endpoint("GET", "/v1/audit", summary="The coverage audit", io=True)
def audit_report(
    service: Served,
    fail_on: Annotated[
        Literal["info", "warning", "error"], QueryParameter(description="the severity that fails")
    ] = "error",
    on: Annotated[
        dt.date | None,
        QueryParameter(description="the audit date (default: the notice's issue date)"),
    ] = None,
    ledger: Annotated[
        bool, QueryParameter(description="add the ledger's checks, as of on (default today)")
    ] = False,
) -> Json:
    """The audit's findings; ``passed`` is false where one is at or above ``fail_on``."""
    config = AuditConfig(on=on)
    if ledger:
        from yantai_policy.ledger.checks import audit_with_ledger  # noqa: PLC0415

        day = on or china_today()
        report = audit_with_ledger(
            service.policy, _ledger(service).status(day), AuditConfig(on=day)
        )
    else:
        report = audit(service.policy, config)
    return {
        **report.to_dict(),
        "fail_on": fail_on,
        "passed": not report.at_least(Severity(fail_on)),
    }


@_endpoint(
    "GET",
    "/v1/parameters",
    summary="The parameters in force on a day, with their sources",
)
def parameters(service: Served, on: On = None) -> Json:
    """Each parameter's value on the day, with the clause or regulation it comes from."""
    return parameters_to_dict(service.policy, on or china_today())


@_endpoint(
    "GET",
    "/v1/schemas/{kind:str}",
    summary="The JSON Schema of a record kind, or of the plan",
)
def schema(kind: Annotated[str, PathParameter(description="applicant, placement or plan")]) -> Json:
    """The JSON Schema of an applicant or placement record, or of the plan file."""
    if kind == "applicant":
        return applicant_schema()
    if kind == "placement":
        return placement_schema()
    if kind == "plan":
        from yantai_policy.export import plan_schema  # noqa: PLC0415

        return plan_schema()
    raise NotFoundException(
        f"no schema {kind!r}: applicant, placement or plan", extra={"field": "kind"}
    )


# ─── Evaluation ─────────────────────────────────────────────────────────────────


@_endpoint(
    "GET",
    "/v1/benefits",
    summary="Every benefit: name, title, measure, record kind",
)
def benefits() -> list[Json]:
    """The benefit formulas."""
    return [b.to_dict() for b in BENEFITS.values()]


def _day(on: dt.date | None) -> dt.date:
    return on or china_today()


@_endpoint(
    "POST",
    "/v1/benefits/{name:str}/evaluate",
    summary="Decide one benefit for one record",
    status_code=200,
)
def evaluate_one(service: Served, name: FromPath[str], data: JSONBody[Json], on: On = None) -> Json:
    """The full decision: eligible, amount, and every reason with its clause and values."""
    try:
        formula = get_benefit(name)
    except UnknownNameError as error:
        raise NotFoundException(str(error), extra={"field": "name"}) from None
    return evaluate(formula, data, on=_day(on), policy=service.policy).to_dict()


@_endpoint(
    "POST",
    "/v1/evaluate",
    summary="Decide every applicant benefit for one record",
    status_code=200,
)
def evaluate_every(service: Served, data: JSONBody[Json], on: On = None) -> Json:
    """Each applicant benefit's decision, by name."""
    decided = evaluate_all(data, on=_day(on), policy=service.policy)
    return {name: decision.to_dict() for name, decision in decided.items()}


@_endpoint(
    "POST",
    "/v1/evaluate/batch",
    summary="A JSONL batch in, one JSONL result row per input row out, streamed",
    status_code=200,
    media_type="application/x-ndjson",
    request_max_body_size=None,  # spool_body bounds it: ServeSettings.max_batch_bytes
)
async def evaluate_batch(
    request: Request[Any, Any, Any],
    service: Served,
    on: On = None,
    benefit: Annotated[
        list[str] | None,
        QueryParameter(description="the benefits (default: every applicant benefit)"),
    ] = None,
) -> Stream:
    """The body is read as it arrives (spooled), then each chunk of rows is sent as it is decided.

    A bad line is an error row in its place. See `yantai_policy.serve.streams` for why the
    body is read whole before the first row is answered.
    """
    from yantai_policy.benefits import batch_formulas  # noqa: PLC0415
    from yantai_policy.serve.streams import jsonl_results, spool_body  # noqa: PLC0415

    formulas = batch_formulas(benefit or None)
    body = await spool_body(request, service.settings.max_batch_bytes)
    rows = jsonl_results(body, service.policy, on=_day(on), names=[f.name for f in formulas],
                         kind=formulas[0].record, max_line_bytes=service.settings.max_line_bytes)  # fmt: skip
    return Stream(rows, media_type="application/x-ndjson")


@_endpoint(
    "POST",
    "/v1/compare",
    summary="A reform given as parameter overrides, against the plan",
    status_code=200,
)
def compare_reform(service: Served, data: JSONBody[Json], on: On = None) -> Json:
    """Body: ``{"overrides": {name: value}, "records": [...], "record": {...}}``; counts, totals, changed rows.

    ``records`` and ``record`` are both optional: ``record`` is one more record, after the list.
    """
    unknown = sorted(set(data) - {"overrides", "records", "record", "benefits"})
    if unknown:
        raise PolicyError(
            f"{unknown[0]}: not a field of a reform (overrides, records or record, benefits)"
        )
    overrides = data.get("overrides")
    if not isinstance(overrides, dict):
        raise PolicyError("overrides: give the parameters to change, as an object of name to value")
    records = data.get("records", [])
    if not isinstance(records, list):
        raise PolicyError("records: give the records to compare, as a list")
    if "record" in data:  # one more record, after the list
        records = [*records, data["record"]]
    for index, record in enumerate(records):  # a record's own faults are its row's errors
        if not isinstance(record, dict):
            where = f"records[{index}]" if index < len(data.get("records", [])) else "record"
            raise PolicyError(f"{where}: a record is an object, not {type(record).__name__}")
    names = data.get("benefits")
    if names is not None and not (
        isinstance(names, list) and all(isinstance(n, str) for n in names)
    ):
        raise PolicyError("benefits: a list of benefit names")
    reform = service.policy.with_parameters(overrides)
    result = compare(
        records, service.policy, reform, on=_day(on), benefits=names or list(APPLICANT_BENEFITS)
    )
    return {"on": _day(on).isoformat(), "overrides": overrides, **result.to_dict()}


# ─── The ledger ─────────────────────────────────────────────────────────────────


def _ledger(service: Served) -> Any:  # noqa: ANN401 - a Ledger
    if service.ledger is None:
        raise NotFoundException(
            "this server has no ledger: start it with --ledger DB", extra={"field": "ledger"}
        )
    return service.ledger


def _text(data: JSONBody[Json], name: FromPath[str] = "text") -> Text | str | None:
    zh, en = data.get(name), data.get(f"{name}_en")
    if isinstance(zh, str) and isinstance(en, str) and en:
        return Text(zh, en)
    if en is not None and not isinstance(en, str):
        raise PolicyError(f"{name}_en: words, not {type(en).__name__}")
    return zh


@_endpoint(
    "POST",
    "/v1/ledger/reports",
    summary="File a progress report (a bearer token of the unit, or the office)",
    security=BEARER,
    io=True,
)
def file_report(request: Request[Any, Any, Any], service: Served, data: JSONBody[Json]) -> Json:
    """Body: ``task``, ``unit``, ``status``, ``on``, ``text`` (and ``text_en``, ``evidence``, ``key``, ``supersedes``)."""
    ledger = _ledger(service)
    token = access.writer(request, ledger)
    access.may_file(token, data.get("unit"), ledger)
    entry = ledger.report(
        data.get("task"), data.get("unit"), data.get("status"), on=data.get("on"), text=_text(data),
        evidence=data.get("evidence") or (), by=access.recorded_by(token, data.get("by")),
        key=data.get("key"), supersedes=data.get("supersedes"),
    )  # fmt: skip
    return entry.to_dict()  # type: ignore[no-any-return]


@_endpoint(
    "GET",
    "/v1/ledger/whoami",
    summary="The token given: its unit (or the office) and the tasks it may report on",
    security=BEARER,
    io=True,
)
def whoami(request: Request[Any, Any, Any], service: Served) -> Json:
    """The token: its id, unit (``office`` for the office's), the unit's ``bureau`` and the tasks it may file on."""
    ledger = _ledger(service)
    token = access.writer(request, ledger)
    may = (
        [a.id for a in service.policy.actions]
        if token.unit is None
        else list(ledger.tasks_for(token.unit))
    )
    bureau = None if token.unit is None else bureau_to_dict(service.policy.bureau(token.unit))
    return {**token.to_dict(), "bureau": bureau, "tasks": may}


@_endpoint("GET", "/v1/ledger/reports", summary="The reports filed, in recording order", io=True)
def list_reports(
    service: Served,
    task: TaskFilter = None,
    unit: UnitFilter = None,
) -> list[Json]:
    """Every report (corrections included; each says what it supersedes)."""
    from yantai_policy.ledger import EntryKind  # noqa: PLC0415

    return [
        e.to_dict() for e in _ledger(service).history(kind=EntryKind.REPORT, task=task, unit=unit)
    ]


@_endpoint(
    "GET", "/v1/ledger/entries", summary="Every entry of the ledger, in recording order", io=True
)
def list_entries(service: Served, task: TaskFilter = None, unit: UnitFilter = None) -> list[Json]:
    """Reports, deadlines, delegations, reminders, close-outs, reopenings and bindings."""
    return [e.to_dict() for e in _ledger(service).history(task=task, unit=unit)]


@_endpoint(
    "GET",
    "/v1/ledger/status",
    summary="The 台账 as of a date: every task's light, or by unit or measure",
    io=True,
)
def ledger_status(
    service: Served,
    on: On = None,
    by: Annotated[
        Literal["task", "unit", "measure"],
        QueryParameter(description="one row per task, unit or measure"),
    ] = "task",
) -> Json:
    """Each row's light (green, yellow, red) with its reasons, last report and deadline."""
    status = _ledger(service).status(_day(on))
    return {
        "on": status.on.isoformat(),
        "by": by,
        "counts": status.counts(),
        "rows": status.records(by),
    }


@_endpoint(
    "GET",
    "/v1/ledger/sheet",
    summary="The 台账 as a sheet: CSV (with a BOM) or xlsx",
    media_type="text/csv",
    io=True,
)
def ledger_sheet(
    service: Served,
    on: On = None,
    by: FromQuery[Literal["task", "unit", "measure"]] = "task",
    format: FromQuery[Literal["csv", "xlsx"]] = "csv",  # noqa: A002 - the query parameter's name
) -> Response[bytes]:
    """The same table as ``ledger status --format csv|xlsx``."""
    from yantai_policy.export import csv_bytes, xlsx_bytes  # noqa: PLC0415

    status = _ledger(service).status(_day(on))
    rows = status.rows(by, "zh")
    if format == "csv":
        return Response(csv_bytes(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="ledger-{status.on}.csv"'})  # fmt: skip
    from yantai_policy.serve.contract import XLSX  # noqa: PLC0415

    return Response(xlsx_bytes(rows, f"台账 {status.on}"), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="ledger-{status.on}.xlsx"'})  # fmt: skip


def _office_entry(
    request: Request[Any, Any, Any], service: Served, data: JSONBody[Json], kind: str
) -> Json:
    ledger = _ledger(service)
    token = access.office(request, ledger)
    by = access.recorded_by(token, data.get("by"))
    task_id, on = data.get("task"), data.get("on")
    if kind == "reminder":
        entry = ledger.remind(task_id, data.get("unit"), on=on, text=_text(data), by=by)
    elif kind == "close":
        entry = ledger.close_out(task_id, on=on, reason=data.get("reason"), by=by)
    elif kind == "reopen":
        entry = ledger.reopen(task_id, on=on, reason=data.get("reason"), by=by)
    elif kind == "deadline":
        entry = ledger.set_deadline(
            task_id, data.get("deadline"), on=on, reason=data.get("reason"), by=by
        )
    else:
        entry = ledger.delegate(task_id, data.get("unit"), on=on, reason=data.get("reason"), by=by)
    return entry.to_dict()  # type: ignore[no-any-return]


def _office_endpoint(path: str, kind: str, summary: str, body: str) -> HTTPRouteHandler:
    """One of the office's endpoints: a POST that records one entry of ``kind``."""

    def handler(request: Request[Any, Any, Any], service: Served, data: JSONBody[Json]) -> Json:
        return _office_entry(request, service, data, kind)

    handler.__name__ = handler.__qualname__ = f"office_{kind}"
    handler.__doc__ = f"Body: {body}."
    return _endpoint("POST", path, summary, io=True, security=BEARER)(handler)


remind = _office_endpoint("/v1/ledger/reminders", "reminder", "Record a reminder sent to a unit (催办; the office's token)",
                          "``task``, ``unit``, ``on``, ``text``")  # fmt: skip
close_out = _office_endpoint("/v1/ledger/close-outs", "close", "Close a task out (销号; the office's token)",
                             "``task``, ``on``, ``reason``")  # fmt: skip
reopen = _office_endpoint("/v1/ledger/reopenings", "reopen", "Reopen a closed task (the office's token)",
                          "``task``, ``on``, ``reason``")  # fmt: skip
set_deadline = _office_endpoint("/v1/ledger/deadlines", "deadline", "Set or move a task's deadline (the office's token)",
                                "``task``, ``on``, ``deadline``, ``reason``")  # fmt: skip
delegate = _office_endpoint("/v1/ledger/delegations", "delegation",
                            "Let a unit report on a task not its own (the office's token)",
                            "``task``, ``unit``, ``on``, ``reason``")  # fmt: skip


@route("/v1/ledger/reports", http_method=["OPTIONS"], include_in_schema=False, sync_to_thread=False)
def reports_options() -> Response[None]:
    """OPTIONS of a path with a GET and a POST handler.

    Litestar's own OPTIONS answer names only the methods of the first handler
    registered for a path; this path has two.
    """
    return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})


HANDLERS = [
    index, notice, measures, measure, co_owners, assistants, tasks, task, units, unit,
    unit_tasks, collaborators, workload, audit_report, parameters, schema, benefits,
    evaluate_one, evaluate_every, evaluate_batch, compare_reform, reports_options, list_reports, file_report, whoami,
    list_entries, ledger_status, ledger_sheet, remind, close_out, reopen, set_deadline, delegate,
]  # fmt: skip
"""Every ``/v1`` handler."""
