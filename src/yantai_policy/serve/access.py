"""Who may do what over HTTP: bearer tokens of the units and of the office.

* Reads are open, unless the server requires a token (any valid one).
* A unit's token files reports as its own unit; the ledger's rules then refuse a task
  the unit does not hold (unless the office delegated it).
* Only the office's token closes out, reopens, sets deadlines, delegates and reminds.

A request without a token gets 401, with ``WWW-Authenticate: Bearer``; a token that is
unknown or revoked gets 401 too; a token that may not do this gets 403. Either way,
nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from yantai_policy.errors import UnknownNameError
from yantai_policy.ledger import tokens

if TYPE_CHECKING:
    from yantai_policy.ledger import Ledger

__all__ = ["bearer", "may_file", "office", "reader", "recorded_by", "writer"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="yantai-policy"'}


def bearer(request: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The bearer token of a request, or ``None``."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def writer(request: ASGIConnection[Any, Any, Any, Any], ledger: Ledger) -> tokens.Token:
    """The valid token of a request that writes, or 401."""
    secret = bearer(request)
    if secret is None:
        raise NotAuthorizedException("this request writes: give a bearer token (Authorization: Bearer yp_…)",
                                     headers=_CHALLENGE, extra={"field": "Authorization"})  # fmt: skip
    token = tokens.holder(ledger, secret)
    if token is None:
        raise NotAuthorizedException("the bearer token is unknown or revoked", headers=_CHALLENGE,
                                     extra={"field": "Authorization"})  # fmt: skip
    return token


def reader(request: ASGIConnection[Any, Any, Any, Any], ledger: Ledger | None) -> None:
    """Refuse a read without a valid token (for a server that requires one)."""
    if ledger is None:
        raise NotAuthorizedException(
            "this server requires a token for reads, but has no ledger to check it"
        )
    writer(request, ledger)


def office(request: ASGIConnection[Any, Any, Any, Any], ledger: Ledger) -> tokens.Token:
    """The office's token, or 401 / 403."""
    token = writer(request, ledger)
    if not token.is_office:
        raise PermissionDeniedException(
            f"only the office's token may do this; token {token.id} is {token.unit}'s",
            extra={"field": "Authorization"},
        )
    return token


def may_file(token: tokens.Token, unit: object, ledger: Ledger) -> None:
    """Refuse (403) a unit's token that files for another unit; the office may file for any."""
    if token.is_office or unit is None:
        return
    try:
        unit_id = ledger.policy.bureau(str(unit)).id
    except UnknownNameError:
        return  # the ledger's rules name the unknown unit (422)
    if unit_id != token.unit:
        raise PermissionDeniedException(
            f"token {token.id} is {token.unit}'s: it files reports for {token.unit} only, not {unit_id}",
            extra={"field": "unit"},
        )


def recorded_by(token: tokens.Token, by: object) -> str:
    """Who an entry is recorded as: the name given, and the token it came with."""
    name = by.strip() if isinstance(by, str) and by.strip() else token.holder_name
    return f"{name} [token {token.id}]"
