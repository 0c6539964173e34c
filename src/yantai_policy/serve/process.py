"""A real `yantai-policy serve` in a process of its own, for tests and benchmarks.

`running` starts the command on 127.0.0.1 on a free port (``--port 0``), reads the
address it prints on stderr, waits until ``/v1`` answers (any status: a server that wants
a token for reads says 401), and stops it with SIGTERM when the block ends (killing it
after 30 s). Its stderr is drained by a thread and kept, so a server that logs much never
blocks on a full pipe, and a failed start says what the server printed.

    with running("--ledger", "ledger.db") as server:
        urllib.request.urlopen(server.url + "/v1/measures/7/co-owners")
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Running", "ServerStartError", "running"]

_ADDRESS = re.compile(r" on (http://\S+:\d+) ")


class ServerStartError(RuntimeError):
    """The server exited, or printed no address, or did not answer in time."""


@attrs.frozen
class Running:
    """A server that answers: its base URL, its process, and what it printed on stderr."""

    url: str
    process: subprocess.Popen[str]
    stderr: list[str]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v1", timeout=5):  # noqa: S310 - our own http URL
            return True
    except urllib.error.HTTPError:  # an answer, if not a 200
        return True
    except OSError:
        return False


@contextlib.contextmanager
def running(*args: str, startup: float = 60) -> Iterator[Running]:
    """Run ``yantai-policy serve --host 127.0.0.1 --port 0 ARGS`` until the block ends."""
    command = [
        sys.executable,
        "-m",
        "yantai_policy",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        *args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 - our own command, with the caller's arguments
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )
    lines: list[str] = []
    try:
        stream = process.stderr
        if stream is None:  # pragma: no cover - stderr is a pipe
            msg = "serve has no stderr"
            raise ServerStartError(msg)
        found = None
        for _ in range(50):  # a warning may come before the address
            lines.append(stream.readline())
            found = _ADDRESS.search(lines[-1])
            if found is not None or not lines[-1]:
                break
        if found is None:
            msg = f"serve did not start: {''.join(lines)}{stream.read()}".strip()
            raise ServerStartError(msg)
        threading.Thread(target=lambda: lines.extend(stream), daemon=True).start()
        url = found.group(1)
        deadline = time.monotonic() + startup
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                msg = f"serve did not answer on {url}: {''.join(lines)}".strip()
                raise ServerStartError(msg)
            time.sleep(0.05)
        yield Running(url, process, lines)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
