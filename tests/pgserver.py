"""A throwaway PostgreSQL server for the test suite: ``initdb`` and ``pg_ctl`` in a temp dir.

The server's binaries come from the OS packages (Debian's ``postgresql``, which ``.ci/run``
installs). Where the suite runs as root, the server runs as an unprivileged user (``postgres``
where the package made one, else ``nobody``), since PostgreSQL refuses to run as root. It
listens on 127.0.0.1 on a free port, with a Unix socket in its own directory, trusts local
connections, and is stopped (``-m immediate``) and deleted at the end.

Nothing here is imported by the package: it is a test fixture's helper, run by hand as
``python tests/pgserver.py`` to see that a server starts.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs

_DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class ServerUnavailableError(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start: the message says which."""


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``.

    Looked for in this order: ``$YP_PG_BINDIR``; Debian's ``/usr/lib/postgresql/<version>/bin``
    (the newest); ``pg_config --bindir``; ``initdb`` on ``$PATH``.

    Raises:
        ServerUnavailableError: None of them has both programs.
    """
    candidates: list[Path] = []
    if os.environ.get("YP_PG_BINDIR"):
        candidates.append(Path(os.environ["YP_PG_BINDIR"]))
    if _DEBIAN_BINARIES.is_dir():
        versions = sorted(
            (p for p in _DEBIAN_BINARIES.iterdir() if p.name.replace(".", "").isdigit()),
            key=lambda p: [int(part) for part in p.name.split(".")],
            reverse=True,
        )
        candidates.extend(version / "bin" for version in versions)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            )
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    msg = "no PostgreSQL server binaries (initdb, pg_ctl): install the OS package, e.g. apt-get install postgresql"
    raise ServerUnavailableError(msg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as, when we are root (else None: run as us)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    msg = (
        "running as root and there is no unprivileged user (postgres, nobody) to run the server as"
    )
    raise ServerUnavailableError(msg)


@attrs.frozen
class Server:
    """A running server: its port and superuser, and how to reach it."""

    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql://`` URL for a database on this server."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """Start a fresh server in a temporary directory; stop and delete it on exit.

    Raises:
        ServerUnavailableError: No binaries, or the server did not start (with its log's tail).
    """
    bindir = find_bindir()
    account = _server_user()
    base = Path(tempfile.mkdtemp(prefix="yp-pg-"))
    data, sockets, log = base / "data", base / "sockets", base / "server.log"
    sockets.mkdir()
    if account is not None:
        for path in (base, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}

    def run(*args: str, check: bool = False) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [str(bindir / args[0]), *args[1:]],
            capture_output=True, env=env, cwd=base, timeout=120, check=check,
            user=account.pw_uid if account else None, group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
        )  # fmt: skip

    started = False
    try:
        run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            check=True,
        )
        for _attempt in range(5):
            port = _free_port()
            options = (
                f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -F -c max_connections=100"
            )
            result = run(
                "pg_ctl", "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"
            )
            if result.returncode == 0:
                started = True
                break
        if not started:
            tail = log.read_text("utf-8", "replace")[-2000:] if log.exists() else ""
            msg = f"the PostgreSQL server in {base} did not start: {tail or result.stderr.decode(errors='replace')}"
            raise ServerUnavailableError(msg)
        yield Server(port=port)
    except subprocess.CalledProcessError as error:
        msg = f"initdb failed: {error.stderr.decode(errors='replace')[-2000:]}"
        raise ServerUnavailableError(msg) from None
    finally:
        if started:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - a manual check
    with running_server() as server:
        print(server.url())  # noqa: T201
