"""A real `yantai-policy serve` for the tests (`yantai_policy.serve.process.running`).

`serving` starts the CLI's own command on 127.0.0.1 on a free port and stops it with
SIGTERM; `Running.client` gives an httpx client of it, with a bearer token if given.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import attrs
import httpx

from yantai_policy.serve.process import running

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator

__all__ = ["Running", "serving"]


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
    with running(*args, startup=startup) as server:
        yield Running(server.url, server.process)
