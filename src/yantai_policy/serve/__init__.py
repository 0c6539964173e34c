"""The plan, its decisions and the ledger over HTTP, and web pages for the ledger.

``yantai-policy serve`` runs `create_app` under uvicorn (the ``serve`` extra):

* ``/v1/…``: the plan, the graph queries, the audit, dated parameters, benefit
  decisions (one record, all benefits, a streamed JSONL batch, a reform), and the
  ledger, every shape the CLI's ``--json`` shape (`yantai_policy.serve.api`);
* ``/openapi.json`` (OpenAPI 3.1) and ``/docs`` (Swagger UI from the package);
* ``/``, ``/ledger`` and ``/report``: the plan browser, the 台账 and a unit's report
  form, HTML rendered on the server (`yantai_policy.serve.pages`).

Errors are RFC 9457 problem documents (`yantai_policy.serve.problems`); who may write
what is `yantai_policy.serve.access`.

>>> from yantai_policy.serve import ServeSettings
>>> ServeSettings().max_body_bytes
1048576
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from yantai_policy.serve.service import ServeSettings, Service

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["ServeSettings", "Service", "create_app", "listen", "run"]


def create_app(settings: ServeSettings | Service | None = None) -> Litestar:
    """Build the ASGI app (see `yantai_policy.serve.app.create_app`)."""
    from yantai_policy.serve.app import create_app as build  # noqa: PLC0415 - loads Litestar

    return build(settings)


def listen(host: str, port: int) -> socket.socket:
    """Bind the server's socket (port 0 picks a free one); an `OSError` says why it can't."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)  # the worker processes serve on it too
    return sock


def run(service: Service, sock: socket.socket, *, workers: int = 1) -> None:
    """Serve on a bound socket (`listen`) until stopped (Ctrl-C or SIGTERM), with uvicorn.

    With more than one worker, each worker process builds its own app from the same
    settings (passed in the environment as JSON), so the plan must be a file.
    """
    import uvicorn  # noqa: PLC0415 - the serve extra

    from yantai_policy.serve.app import SETTINGS_VARIABLE  # noqa: PLC0415

    common: dict[str, Any] = {"log_level": "warning", "server_header": False, "access_log": False}
    if workers <= 1:
        config = uvicorn.Config(create_app(service), **common)
        uvicorn.Server(config).run(sockets=[sock])
        return
    import os  # noqa: PLC0415

    from uvicorn.supervisors import Multiprocess  # noqa: PLC0415

    service.close()  # each worker opens its own
    os.environ[SETTINGS_VARIABLE] = service.settings.to_json()
    config = uvicorn.Config(
        "yantai_policy.serve.app:from_environment", factory=True, workers=workers, **common
    )
    Multiprocess(config, sockets=[sock]).run()
