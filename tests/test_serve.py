"""The HTTP API, served for real: `yantai-policy serve` on 127.0.0.1, on a free port.

* Every response carries the plan's document number, its data SHA-256 and the version.
* Every error is an RFC 9457 problem document that names the field.
* Who may write what: a unit's token, the office's, a revoked one, none; nothing is
  written by a refused request (the ledger's entries are counted before and after).
* Bodies over their bound are refused with 413; nothing in a request is read as a path.
* The JSON of each endpoint is the CLI's ``--json`` for the same question.
* ``serve`` itself: workers, SIGTERM, and its one-line errors.

The ledger tests run on SQLite and on the PostgreSQL server the suite starts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import socket
import subprocess
import sys
import urllib.parse
from typing import TYPE_CHECKING, Any

import attrs
import pytest

import yantai_policy as yp
from conftest import fresh_database
from serving import Running, serving
from yantai_policy.cli import main
from yantai_policy.dates import china_today
from yantai_policy.ledger import Ledger, tokens

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import httpx

    from pgserver import Server

OFFICE_BY = "市政府办公室"


@attrs.frozen
class Site:
    """A server over a ledger, with tokens of two units, of the office, and a revoked one."""

    running: Running
    db: str
    token: dict[str, str]
    revoked: str

    def client(self, who: str | None = None) -> httpx.Client:
        """A client with the token of ``who`` (a unit, ``office``, or a raw token)."""
        return self.running.client(self.token.get(who, who) if who else None)

    def entries(self) -> int:
        """How many entries the ledger holds now."""
        with self.client() as client:
            return len(client.get("/v1/ledger/entries").json())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The server over a fresh ledger, on SQLite and then on PostgreSQL."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            db = str(tmp_path_factory.mktemp("serve") / "ledger.db")
        else:
            server: Server = request.getfixturevalue("postgresql_server")
            db = stack.enter_context(fresh_database(server))
        ledger = Ledger.create(db, yp.load_policy(), by=OFFICE_BY)
        issued = {
            unit: tokens.issue(ledger, unit, by=OFFICE_BY).secret for unit in ("finance", "hrss")
        }
        issued["office"] = tokens.issue(ledger, None, by=OFFICE_BY).secret
        gone = tokens.issue(ledger, "finance", by=OFFICE_BY, note="lost")
        tokens.revoke(ledger, gone.token.id, by=OFFICE_BY)
        ledger.close()
        running = stack.enter_context(serving("--ledger", db))
        yield Site(running, db, issued, gone.secret)


@pytest.fixture(scope="module")
def plain() -> Iterator[Running]:
    """A server of the built-in plan with no ledger, and small body bounds."""
    with serving("--max-body-bytes", "4096", "--max-batch-bytes", "20000") as running:
        yield running


def _report(**changes: Any) -> dict[str, Any]:
    body = {
        "task": "7.1",
        "unit": "finance",
        "status": "in_progress",
        "on": "2021-03-01",
        "text": "已拨付",
    }
    return {**body, **changes}


def _problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem of this status (naming ``field``); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    if field is not None:
        assert body.get("field") == field, body
    return body


# ─── Headers ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1"), ("GET", "/v1/measures/99"), ("POST", "/v1/ledger/reports"), ("GET", "/docs"),
     ("GET", "/"), ("GET", "/assets/app.css"), ("GET", "/openapi.json"), ("GET", "/no/such/page"),
     ("DELETE", "/v1/measures")],
)  # fmt: skip
def test_every_response_names_the_plan_and_version(
    site: Site, method: str, path: str, policy: yp.Policy
) -> None:
    """Successes and errors alike carry the document number, the data SHA-256 and the version."""
    with site.client() as client:
        response = client.request(method, path, json={} if method == "POST" else None)
    number = urllib.parse.unquote(response.headers["x-plan-document-number"])
    assert number == policy.notice.document_number == "烟政办字〔2021〕3号"
    assert response.headers["x-plan-data-sha256"] == policy.data_sha256
    assert response.headers["x-yantai-policy-version"] == yp.__version__
    assert "server" not in response.headers  # no version of uvicorn's to fingerprint


# ─── Errors ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("GET", "/v1/measures/99", None, 404, "number"),
        ("GET", "/v1/units/nobody", None, 404, "id"),
        ("GET", "/v1/tasks/99.9", None, 404, "task_id"),
        ("GET", "/v1/parameters?on=2021-13-01", None, 400, "on"),
        ("GET", "/v1/units/finance/tasks?role=boss", None, 400, "role"),
        ("GET", "/v1/measures?lang=fr", None, 400, "lang"),
        ("GET", "/v1/schemas/nothing", None, 404, "kind"),
        ("POST", "/v1/benefits/nothing/evaluate?on=2021-06-01", {"id": "A1"}, 404, "name"),
        ("POST", "/v1/benefits/startup_subsidy/evaluate?on=2021-06-01",
         {"id": "A1", "first_license_on": "the spring"}, 422, "first_license_on"),
        ("POST", "/v1/benefits/startup_subsidy/evaluate?on=2021-06-01", {"id": "A1", "colour": "red"}, 422, "colour"),
        ("POST", "/v1/compare?on=2021-06-01", {"records": []}, 400, None),
    ],
)  # fmt: skip
def test_errors_are_problem_documents_naming_the_field(
    site: Site, method: str, path: str, body: object, status: int, field: str | None
) -> None:
    """An unknown name, a bad query parameter or a record that breaks the contract: a problem."""
    with site.client() as client:
        response = client.request(method, path, json=body)
    _problem(response, status, field)


def test_a_body_that_is_not_json_is_a_problem(site: Site) -> None:
    """Broken JSON is a 400 problem, not a 500."""
    with site.client("finance") as client:
        response = client.post(
            "/v1/ledger/reports", content=b'{"task": ', headers={"Content-Type": "application/json"}
        )
    _problem(response, 400)


def test_the_ledger_refusing_an_entry_is_a_problem_naming_the_field(site: Site) -> None:
    """A report in the future is refused by the ledger's rule (422, field on), and nothing is written."""
    before = site.entries()
    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    with site.client("finance") as client:
        response = client.post("/v1/ledger/reports", json=_report(on=tomorrow))
    assert "future" in _problem(response, 422, "on")["detail"]
    assert site.entries() == before


# ─── Who may write what ─────────────────────────────────────────────────────────────


def test_a_unit_files_a_report_on_its_own_task(site: Site) -> None:
    """Finance's token files on 7.1: the entry says who, with which token; the status shows it."""
    before = site.entries()
    with site.client("finance") as client:
        response = client.post("/v1/ledger/reports", json=_report(by="市财政局 张三"))
        assert response.status_code == 201, response.text
        entry = response.json()
        assert entry["task"] == "7.1"
        assert entry["by"].startswith("市财政局 张三 [token ")
        status = client.get("/v1/ledger/status", params={"on": "2021-03-02"}).json()
    assert site.entries() == before + 1
    (row,) = [r for r in status["rows"] if r["task"] == "7.1"]
    assert row["last_report_on"] == "2021-03-01"


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        (None, _report(), 401, "Authorization"),
        ("yp_not-a-token", _report(), 401, "Authorization"),
        ("revoked", _report(), 401, "Authorization"),
        ("finance", _report(unit="hrss", task="7.2"), 403, "unit"),  # for another unit
        ("finance", _report(task="1.1"), 422, "unit"),  # a task finance does not hold
    ],
)
def test_a_refused_report_writes_nothing(
    site: Site, who: str | None, body: dict[str, Any], status: int, field: str
) -> None:
    """No token, an unknown or revoked one, another unit's report or task: refused, nothing written."""
    before = site.entries()
    with site.client(site.revoked if who == "revoked" else who) as client:
        response = client.post("/v1/ledger/reports", json=body)
    _problem(response, status, field)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert site.entries() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ledger/close-outs", {"task": "7.1", "on": "2021-09-30", "reason": "资金已拨付"}),
        ("/v1/ledger/reopenings", {"task": "7.1", "on": "2021-10-01", "reason": "复核"}),
        (
            "/v1/ledger/deadlines",
            {"task": "7.1", "on": "2021-03-01", "deadline": "2021-12-31", "reason": "调整"},
        ),
        (
            "/v1/ledger/delegations",
            {"task": "1.1", "unit": "finance", "on": "2021-03-01", "reason": "代报"},
        ),
        (
            "/v1/ledger/reminders",
            {"task": "7.2", "unit": "hrss", "on": "2021-03-01", "text": "请报送"},
        ),
    ],
)
def test_only_the_office_closes_out_sets_deadlines_and_delegates(
    site: Site, path: str, body: dict[str, Any]
) -> None:
    """A unit's token gets 403 on the office's endpoints, and no token 401; nothing is written."""
    before = site.entries()
    with site.client("finance") as unit, site.client() as nobody:
        _problem(unit.post(path, json=body), 403, "Authorization")
        _problem(nobody.post(path, json=body), 401, "Authorization")
    assert site.entries() == before


def test_the_office_delegates_and_the_unit_may_then_file(site: Site) -> None:
    """After the office's delegation of 1.1 to finance, finance's report on 1.1 is taken."""
    with site.client("office") as office, site.client("finance") as finance:
        assert "1.1" not in finance.get("/v1/ledger/whoami").json()["tasks"]
        delegated = office.post("/v1/ledger/delegations",
                                json={"task": "1.1", "unit": "finance", "on": "2021-03-01", "reason": "代为报送"})  # fmt: skip
        assert delegated.status_code == 201, delegated.text
        assert delegated.json()["by"].startswith("office [token ")
        assert "1.1" in finance.get("/v1/ledger/whoami").json()["tasks"]
        filed = finance.post("/v1/ledger/reports", json=_report(task="1.1"))
    assert filed.status_code == 201, filed.text


def test_the_office_closes_out_and_a_done_report_is_then_refused(site: Site) -> None:
    """A close-out by the office; a done report on the closed task is the ledger's refusal."""
    with site.client("office") as office, site.client("hrss") as hrss:
        closed = office.post(
            "/v1/ledger/close-outs", json={"task": "7.2", "on": "2021-09-30", "reason": "已完成"}
        )
        assert closed.status_code == 201, closed.text
        refused = hrss.post(
            "/v1/ledger/reports",
            json=_report(task="7.2", unit="hrss", status="done", on="2021-10-01"),
        )
    assert "closed" in _problem(refused, 422, "status")["detail"]


def test_whoami_names_the_token_and_its_tasks(site: Site, policy: yp.Policy) -> None:
    """A unit's token may report on the tasks the unit holds; the office's on every task."""
    with site.client("hrss") as hrss, site.client("office") as office:
        unit = hrss.get("/v1/ledger/whoami").json()
        everything = office.get("/v1/ledger/whoami").json()
    held = {a.id for a in yp.queries.actions_of(policy, "hrss")}
    assert unit["unit"] == "hrss"
    assert set(unit["tasks"]) == held
    assert "secret" not in json.dumps(unit)
    assert everything["unit"] == "office"
    assert everything["tasks"] == [a.id for a in policy.actions]


# ─── Bounds and paths ───────────────────────────────────────────────────────────────


def test_an_oversized_body_is_refused_with_413_and_writes_nothing(site: Site) -> None:
    """A JSON body over 1 MiB is refused before it is read, with a problem document."""
    before = site.entries()
    with site.client("finance") as client:
        response = client.post("/v1/ledger/reports", json=_report(text="进" * (1 << 20)))
    _problem(response, 413)
    assert site.entries() == before


def test_a_batch_over_its_bound_is_refused_or_cut_with_a_last_error_line(plain: Running) -> None:
    """A declared length over --max-batch-bytes is 413; a chunked body past it ends with an error line."""
    line = json.dumps({"id": "A1", "business_type": "individual_business", "first_license_on": "2021-01-15",
                       "operating": True}) + "\n"  # fmt: skip
    body = (line * (40_000 // len(line) + 1)).encode()
    with plain.client() as client:
        _problem(client.post("/v1/evaluate/batch?on=2021-07-16", content=body), 413)

        def pieces() -> Iterator[bytes]:
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        cut = client.post("/v1/evaluate/batch?on=2021-07-16", content=pieces())
    assert cut.status_code == 200
    rows = [json.loads(row) for row in cut.text.splitlines()]
    assert "20,000 bytes" in rows[-1]["error"]
    assert all(r["error"] is None for r in rows[:-2])  # the last row read may be a cut line
    assert 0 < len(rows) - 1 < body.count(b"\n")


def test_a_large_batch_from_a_client_that_sends_before_it_reads(site: Site) -> None:
    """60,000 rows from a client that writes its whole body first: every row answered, no stall.

    The answer is several times the body, more than the connection buffers hold: a server
    that answered while it still read would wait for the client, which waits for it.
    """
    line = json.dumps({"id": "A1", "business_type": "individual_business", "first_license_on": "2021-01-15",
                       "operating": True}) + "\n"  # fmt: skip
    with site.client() as client:
        response = client.post("/v1/evaluate/batch?on=2021-07-16", content=(line * 60_000).encode())
    assert response.status_code == 200
    assert response.text.count("\n") == 60_000
    assert len(response.content) > 5 * 60_000 * len(line)


def test_a_bad_batch_line_is_an_error_row_in_its_place(plain: Running) -> None:
    """One output row per input row: a line that is not JSON is an error row, and the rest go on."""
    good = json.dumps(
        {"id": "A1", "business_type": "individual_business", "first_license_on": "2021-01-15"}
    )
    with plain.client() as client:
        response = client.post("/v1/evaluate/batch?on=2021-07-16&benefit=startup_subsidy",
                               content=f"{good}\n{{not json\n{good}\n".encode())  # fmt: skip
    rows = [json.loads(row) for row in response.text.splitlines()]
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert [r["error"] is None for r in rows] == [True, False, True]


@pytest.mark.parametrize(
    "path",
    ["/assets/../pyproject.toml", "/assets/%2e%2e/%2e%2e/pyproject.toml", "/assets/..%2f..%2fpyproject.toml",
     "/assets/%2fetc%2fpasswd", "/v1/units/..%2F..%2Fetc%2Fpasswd", "/v1/schemas/..%2f..%2fpyproject.toml"],
)  # fmt: skip
def test_nothing_in_a_request_is_read_as_a_path(plain: Running, path: str) -> None:
    """Paths that climb out of the assets, or name files, find nothing (and never a 500)."""
    with plain.client() as client:
        response = client.get(path)
    assert response.status_code in {400, 404}, response.text
    assert "[project]" not in response.text
    assert "root:" not in response.text


def test_ledger_endpoints_without_a_ledger_say_so(plain: Running) -> None:
    """A server started without --ledger answers its ledger endpoints with a 404 problem."""
    with plain.client() as client:
        body = _problem(client.get("/v1/ledger/status"), 404, "ledger")
    assert "--ledger" in body["detail"]


# ─── The same answers as the CLI ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("path", "argv"),
    [
        ("/v1/measures/7/co-owners", ["co-owners", "7", "--json"]),
        ("/v1/measures/7", ["show", "7", "--json"]),
        ("/v1/units", ["bureaus", "--json"]),
        ("/v1/units/hrss", ["bureau", "hrss", "--json"]),
        ("/v1/units/nfra_yantai?as_of=2025-01-01", ["bureau", "nfra_yantai", "--json", "--as-of", "2025-01-01"]),
        ("/v1/units/hrss/tasks?role=lead", ["actions", "--bureau", "hrss", "--role", "lead", "--json"]),
        ("/v1/units/nfra_yantai/tasks?as_of=2025-01-01",
         ["actions", "--bureau", "nfra_yantai", "--as-of", "2025-01-01", "--json"]),
        ("/v1/workload", ["workload", "--json"]),
        ("/v1/parameters?on=2024-03-01", ["parameters", "--on", "2024-03-01", "--json"]),
        ("/v1/benefits", ["benefits", "--json"]),
        ("/v1/schemas/applicant", ["schema", "applicant"]),
    ],
)  # fmt: skip
def test_each_answer_is_the_cli_json(
    plain: Running, path: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An endpoint's JSON is the CLI's ``--json`` for the same question, to the byte of data."""
    assert main(argv) == 0
    expected = json.loads(capsys.readouterr().out)
    with plain.client() as client:
        response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_the_measures_are_each_measure(plain: Running) -> None:
    """``/v1/measures`` lists, in order, what ``/v1/measures/{n}`` answers for each."""
    with plain.client() as client:
        every = client.get("/v1/measures", params={"lang": "en"}).json()
        assert every == [
            client.get(f"/v1/measures/{m['number']}", params={"lang": "en"}).json() for m in every
        ]
    assert [m["number"] for m in every] == list(range(1, 21))


def test_the_audit_is_the_cli_audit_with_its_verdict(
    plain: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    """``/v1/audit?fail_on=`` is ``audit --format json``, with ``passed`` as the exit code says."""
    for level in ("info", "warning", "error"):
        code = main(["audit", "--format", "json", "--fail-on", level])
        expected = json.loads(capsys.readouterr().out)
        with plain.client() as client:
            body = client.get("/v1/audit", params={"fail_on": level}).json()
        assert body.pop("passed") is (code == 0)
        assert body.pop("fail_on") == level
        assert body == expected


def test_the_openapi_document_is_3_1_and_lists_the_paths_clients_rely_on(plain: Running) -> None:
    """/openapi.json is OpenAPI 3.1, with the paths the issue names, problems, and bearer security."""
    with plain.client() as client:
        document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in ("/v1/measures", "/v1/measures/{number}", "/v1/measures/{number}/co-owners", "/v1/units",
                 "/v1/units/{unit_id}", "/v1/units/{unit_id}/tasks", "/v1/audit", "/v1/parameters",
                 "/v1/benefits/{name}/evaluate", "/v1/ledger/reports", "/v1/ledger/status"):  # fmt: skip
        assert path in paths, path
    report = paths["/v1/ledger/reports"]["post"]
    assert report["security"] == [{"bearer": []}]
    assert "application/problem+json" in report["responses"]["401"]["content"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_copy_of_the_document_is_the_same(plain: Running) -> None:
    """/openapi.json and Litestar's own /docs/openapi.json serve one document, bodies stated."""
    with plain.client() as client:
        ours, theirs = client.get("/openapi.json").json(), client.get("/docs/openapi.json").json()
    assert ours == theirs
    body = ours["paths"]["/v1/ledger/reports"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/LedgerReport"}
    assert "7.1" in ours["components"]["schemas"]["LedgerReport"]["properties"]["task"]["enum"]


def test_the_docs_page_is_served_from_the_package(plain: Running) -> None:
    """/docs loads Swagger UI from /assets, never from a CDN."""
    with plain.client() as client:
        page = client.get("/docs").text
        script = client.get("/assets/swagger-ui/swagger-ui-bundle.js")
    assert "/assets/swagger-ui/swagger-ui-bundle.js" in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert script.status_code == 200
    assert len(script.content) > 100_000


# ─── Reads behind a token ───────────────────────────────────────────────────────────


def test_a_server_may_require_a_token_for_reads(site: Site) -> None:
    """With --require-read-token, reads and the data pages need a valid token; the docs stay open."""
    with serving("--ledger", site.db, "--require-read-token") as running:
        with running.client() as nobody:
            _problem(nobody.get("/v1/measures"), 401, "Authorization")
            assert nobody.get("/").status_code == 401
            assert nobody.get("/docs").status_code == 200
            assert nobody.get("/openapi.json").status_code == 200
        with running.client(site.token["hrss"]) as unit:
            assert unit.get("/v1/measures").status_code == 200
        with running.client(site.revoked) as revoked:
            _problem(revoked.get("/v1/measures"), 401, "Authorization")


# ─── The command ────────────────────────────────────────────────────────────────────


def test_serve_with_workers_answers_and_stops_on_sigterm() -> None:
    """--workers 2 serves on one socket; SIGTERM stops the workers and the command exits 0."""
    with serving("--workers", "2") as running:
        with running.client() as client:
            answers = {client.get("/v1/measures/7/co-owners").status_code for _ in range(20)}
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(30) == 0
    assert answers == {200}


def _serve(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "yantai_policy", "serve", "--port", "0", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, input=stdin
    )


def test_serve_refuses_what_it_cannot_do_in_one_line(tmp_path: Path) -> None:
    """A port in use, a missing ledger, a read token without a ledger: exit 2, one line, no traceback."""
    plan = tmp_path / "plan.json"
    assert main(["export", "json", "-o", str(plan)]) == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cases = [
            (["--port", str(port)], "cannot listen on 127.0.0.1"),
            (["--ledger", str(tmp_path / "missing.db")], "missing.db"),
            (["--require-read-token"], "--require-read-token needs --ledger"),
            (["--workers", "2", "--plan", "-"], "--workers needs a plan file"),
        ]
        for args, words in cases:
            done = _serve(*args, stdin=plan.read_text(encoding="utf-8"))
            assert done.returncode == 2, done.stderr
            assert done.stderr.count("\n") == 1, done.stderr
            assert words in done.stderr
            assert "Traceback" not in done.stderr
