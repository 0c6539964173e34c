"""schemathesis over the OpenAPI document, against the real server.

Every operation of ``/openapi.json`` is called with generated requests (valid ones and
ones that break the schema), with the office's token, against `yantai-policy serve` on
127.0.0.1 over a SQLite ledger. No response may be a 5xx, and every response must match
the document: its status listed, its content type, its body's schema, its headers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.checks import negative_data_rejection

import yantai_policy as yp
from serving import serving
from yantai_policy.ledger import Ledger, tokens
from yantai_policy.serve import create_app

if TYPE_CHECKING:
    from collections.abc import Iterator

    from schemathesis import Case


@pytest.fixture(scope="module")
def office_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The server's address and the office's token, over a fresh ledger."""
    db = str(tmp_path_factory.mktemp("schema") / "ledger.db")
    ledger = Ledger.create(db, yp.load_policy(), by="office")
    secret = tokens.issue(ledger, None, by="office").secret
    ledger.close()
    with serving("--ledger", db) as running:
        yield running.url, secret


def _document() -> dict[str, Any]:
    """The OpenAPI document the server serves, built in this process to collect the tests."""
    with TestClient(create_app()) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return document


@schemathesis.serializer("application/x-ndjson")
def _jsonl(_context: schemathesis.SerializationContext, value: object) -> bytes:
    """A batch body: the generated text as it is (a line that is not JSON is an error row)."""
    return value.encode() if isinstance(value, str) else (json.dumps(value) + "\n").encode()


CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            # A request the schema allows may still break a rule no JSON Schema states: a
            # report dated in the future or before the notice, a task the unit does not
            # hold, a date outside 1900-2999. Those are 422 problems, by design.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "422"]},
        }
    }
)
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


def test_the_server_serves_this_document(office_token: tuple[str, str]) -> None:
    """The document the tests were generated from is the one the server serves."""
    url, _ = office_token
    assert httpx.get(f"{url}/openapi.json").json() == json.loads(json.dumps(DOCUMENT))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_by_its_document(
    case: Case[Any], office_token: tuple[str, str]
) -> None:
    """No 5xx, and each response conforms to the document (schemathesis's default checks)."""
    url, secret = office_token
    # A batch answers every line, a bad one with an error row in its place (200): by design,
    # so a body that is not JSONL is not refused, and that one check does not apply to it.
    excluded = [negative_data_rejection] if case.operation.path == "/v1/evaluate/batch" else []
    case.call_and_validate(
        base_url=url, headers={"Authorization": f"Bearer {secret}"}, excluded_checks=excluded
    )
