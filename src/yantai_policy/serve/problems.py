"""Errors over HTTP: RFC 9457 ``application/problem+json``, naming the field.

Every error the server sends is a problem document::

    {"type": "https://github.com/yantai-policy/problems#record",
     "title": "The record breaks the contract", "status": 422,
     "detail": "contributions[0].amount: not a number: 'abc'",
     "instance": "/v1/benefits/startup_subsidy/evaluate", "field": "contributions[0].amount"}

``field`` (an extension member) names the offending field, query parameter or header
where there is one; ``errors`` lists every problem where there are several (a request's
query parameters, a batch's rows). The mapping from the library's errors to statuses
is stated here once (`PROBLEMS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec

from yantai_policy.benefits.records import RecordError
from yantai_policy.errors import PolicyError, UnknownNameError
from yantai_policy.ledger.model import LedgerError, RefusedRowsError
from yantai_policy.parameters import ParameterError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MEDIA_TYPE", "PROBLEMS", "RESPONSES", "TYPE_BASE", "Problem", "handlers", "problem"]

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://github.com/yantai-policy/problems#"
"""The ``type`` of each problem is this and its slug: a stable name for clients."""

PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    RefusedRowsError: (422, "rows", "Rows were refused; nothing was written"),
    LedgerError: (422, "ledger", "The ledger refuses the entry; nothing was written"),
    RecordError: (422, "record", "The record breaks the contract"),
    ParameterError: (422, "parameter", "A parameter's value cannot be used"),
    UnknownNameError: (404, "unknown-name", "No such name in the plan"),
    PolicyError: (400, "bad-request", "The request cannot be used"),
}
"""The library's errors, most specific first: status, type slug and title."""

_HTTP_TITLES = {
    400: ("bad-request", "The request cannot be used"),
    401: ("unauthorized", "A bearer token is needed"),
    403: ("forbidden", "The token may not do this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


@dataclass
class Problem:
    """A problem document (RFC 9457), as the OpenAPI description shows it."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


RESPONSES: dict[int, ResponseSpec] = {
    status: ResponseSpec(data_container=Problem, description=title, media_type=MEDIA_TYPE, generate_examples=False)
    for status, (_, title) in {**_HTTP_TITLES, 422: ("", "The ledger or the record contract refuses it"),
                               500: ("", "Internal server error")}.items()
    if status not in {405, 415}
}  # fmt: skip
"""The error responses every endpoint documents: each a `Problem`."""


def problem(  # noqa: PLR0913 - the members of a problem document
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str = "",
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """Return a problem response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=dict(headers or {}))


def _library(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    status, slug, title = next(v for k, v in PROBLEMS.items() if isinstance(error, k))
    field = getattr(error, "field", None) or None
    errors = None
    if isinstance(error, RefusedRowsError):
        errors = [{"row": p.row, "field": p.column, "detail": p.message} for p in error.problems]
    return problem(
        status, slug, title, str(error), instance=request.url.path, field=field, errors=errors
    )


def _validation(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[dict[str, Any]]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [
        {
            "field": str(e.get("key") or ""),
            "source": str(e.get("source") or ""),
            "detail": str(e.get("message") or ""),
        }
        for e in extra
        if isinstance(e, dict)
    ]
    field = errors[0]["field"] if errors else None
    detail = "; ".join(
        f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors
    )
    return problem(400, "validation", "The request does not validate", detail or str(error.detail),
                   instance=request.url.path, field=field, errors=errors)  # fmt: skip


def _http(request: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    status = error.status_code
    slug, title = _HTTP_TITLES.get(status, ("http", "HTTP error"))
    extra = error.extra if isinstance(error.extra, dict) else {}
    headers = dict(error.headers or {})
    return problem(status, slug, title, str(error.detail), instance=request.url.path,
                   field=extra.get("field"), headers=headers)  # fmt: skip


def _internal(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    request.logger.error("unhandled error", exc_info=error)
    return problem(500, "internal", "Internal server error", "the server failed to answer; the error is logged",
                   instance=request.url.path)  # fmt: skip


def handlers() -> dict[type[Exception] | int, Any]:
    """The exception handlers of the app: every error becomes a problem document."""
    return {
        ValidationException: _validation,
        HTTPException: _http,
        PolicyError: _library,
        Exception: _internal,
    }
