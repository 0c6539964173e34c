"""A real `yantai-policy serve` for the tests: a process on 127.0.0.1, on a free port.

`serving` starts the CLI's own command (``--port 0``), reads the address it prints on
stderr, waits until ``/v1`` answers, and stops it with SIGTERM (then checks it ended).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import attrs
import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Running", "serving"]

_ADDRESS = re.compile(r"on (http://127\.0\.0\.1:\d+) ")


@attrs.frozen
class Running:
    """A server that answers: its base URL, and the process."""

    url: str
    process: subprocess.Popen[str]

    def client(self, token: str | None = None) -> httpx.Client:
        """A client of this server, with a bearer token if given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@contextlib.contextmanager
def serving(*args: str, startup: float = 60) -> Iterator[Running]:
    """Run ``yantai-policy serve --port 0 ARGS`` until the block ends."""
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
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = _ADDRESS.search(line)
        if found is None:
            rest = process.stderr.read() if process.poll() is not None else ""
            msg = f"serve did not start: {line}{rest}"
            raise AssertionError(msg)
        url = found.group(1)
        deadline = time.monotonic() + startup
        while True:  # any answer will do (a server that wants a token for reads says 401)
            try:
                httpx.get(f"{url}/v1", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield Running(url, process)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
