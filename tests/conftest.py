"""Shared fixtures: the built-in plan, its raw file, and the published text."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import yantai_policy as yp
from pgserver import Server, ServerUnavailableError, running_server
from yantai_policy.cli import main
from yantai_policy.loading import BUILTIN_PLAN


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``yantai-policy ARGV`` in this process: its exit code, stdout and stderr.

    A usage error (argparse's one line and exit 2) is returned as its code, not raised.
    """
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="session")
def policy() -> yp.Policy:
    """The built-in Yantai plan."""
    return yp.load_policy()


@pytest.fixture(scope="session")
def plan_text() -> str:
    """The built-in plan file's text, as shipped in the package."""
    return resources.files("yantai_policy").joinpath("data", BUILTIN_PLAN).read_text("utf-8")


@pytest.fixture
def plan_data(plan_text: str) -> dict[str, Any]:
    """A fresh parse of the built-in plan file, safe to mutate."""
    data: dict[str, Any] = json.loads(plan_text)
    return data


@pytest.fixture(scope="session")
def source_bytes(policy: yp.Policy) -> bytes:
    """The published notice, as carried in the repository (inside the package)."""
    name = policy.provenance.source_file
    return resources.files("yantai_policy").joinpath("data", name).read_bytes()


@pytest.fixture(scope="session")
def other_city_path() -> Path:
    """A small plan for another city, written in TOML."""
    return Path(__file__).parent / "data" / "other-city.toml"


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[Server]:
    """A real PostgreSQL server, started for this test run (see tests/pgserver.py).

    Where the server's binaries are missing or it will not start, the tests that need it skip
    and say why, unless ``YP_REQUIRE_POSTGRESQL=1`` (as ``.ci/run`` sets): then they fail.
    """
    try:
        with running_server() as server:
            yield server
    except ServerUnavailableError as error:
        if os.environ.get("YP_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"YP_REQUIRE_POSTGRESQL=1 but {error}")
        pytest.skip(f"PostgreSQL tests skipped: {error}")


_databases = itertools.count(1)


@contextlib.contextmanager
def fresh_database(server: Server) -> Iterator[str]:
    """A ``postgresql://`` URL of a fresh, empty database on the test server, dropped after."""
    name = f"ledger_test_{os.getpid()}_{next(_databases)}"
    admin = sa.create_engine(server.url().replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")  # fmt: skip
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgresql_url(postgresql_server: Server) -> Iterator[str]:
    """A ``postgresql://`` URL of a fresh, empty database on the test server, dropped after."""
    with fresh_database(postgresql_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ``--db`` value for a fresh ledger: a SQLite file, then a database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    url: str = request.getfixturevalue("postgresql_url")
    return url
