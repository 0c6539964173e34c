"""The ASGI app: `create_app`, served by uvicorn (`yantai-policy serve`).

Litestar, because it reads attrs classes and msgspec natively, generates OpenAPI 3.1
from the handlers' annotations, and is small. Every response carries the plan's document
number (percent-encoded UTF-8), its data SHA-256 and the library's version in headers,
errors included. ``/openapi.json`` is the API description and ``/docs`` an interactive
page (Swagger UI, served from the package: no CDN).
"""

from __future__ import annotations

import os
from importlib import resources
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, get
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from yantai_policy import __version__
from yantai_policy.serve import access, api, contract, pages, problems
from yantai_policy.serve.service import ServeSettings, Service

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar.types import Message, Scope

__all__ = ["SETTINGS_VARIABLE", "create_app", "from_environment"]

_ASSETS = "/assets"

_OPEN = (_ASSETS, "/docs", "/openapi.json", "/report")
"""What answers without a token even where reads need one: no data of the plan or ledger."""

SETTINGS_VARIABLE = "YANTAI_POLICY_SERVE_SETTINGS"
"""The environment variable that carries the settings to uvicorn's worker processes."""


def create_app(settings: ServeSettings | Service | None = None) -> Litestar:
    """Build the app over a plan (and a ledger), from settings or a started `Service`."""
    service = (
        settings if isinstance(settings, Service) else Service.start(settings or ServeSettings())
    )
    headers = list(service.headers.items())

    async def add_headers(message: Message, _scope: Scope) -> None:
        if message["type"] == "http.response.start":
            mutable = MutableScopeHeaders.from_message(message)
            for name, value in headers:
                mutable[name] = value

    async def provide_service() -> Service:
        return service

    async def read_guard(
        connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
    ) -> None:
        path = connection.url.path
        if (
            service.settings.require_read_token
            and connection.scope.get("method") in {"GET", "HEAD"}
            and not path.startswith(_OPEN)
        ):
            access.reader(connection, service.ledger)

    swagger, openapi_json, document = _openapi(service)
    assets = resources.files("yantai_policy.serve") / "assets"
    openapi = OpenAPIConfig(
        title="yantai-policy",
        version=__version__,
        description=(
            f"The plan {service.policy.notice.document_number} as data: its measures, tasks and units, "
            "the graph queries and the audit, dated parameters, benefit decisions with their reasons, "
            "and the implementation ledger (督办台账). Errors are RFC 9457 problem documents."
        ),
        path="/docs",
        render_plugins=[
            swagger(
                js_url=f"{_ASSETS}/swagger-ui/swagger-ui-bundle.js",
                css_url=f"{_ASSETS}/swagger-ui/swagger-ui.css",
                standalone_preset_js_url=f"{_ASSETS}/swagger-ui/swagger-ui-standalone-preset.js",
                path="/",
                favicon="<link rel='icon' href='data:,'>",  # no CDN: Litestar's default is one
            )
        ],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
        ),
    )
    return Litestar(
        route_handlers=[
            *api.HANDLERS,
            *pages.HANDLERS,
            openapi_json,
            create_static_files_router(
                path=_ASSETS, directories=[str(assets)], include_in_schema=False
            ),
        ],
        dependencies={"service": Provide(provide_service)},
        guards=[read_guard],
        before_send=[add_headers],
        exception_handlers=problems.handlers(),
        request_max_body_size=service.settings.max_body_bytes,
        openapi_config=openapi,
        on_startup=[document],  # so /docs/openapi.json serves the same document
        on_shutdown=[service.close],
        debug=False,
    )


def from_environment() -> Litestar:
    """Build the app from the settings in `SETTINGS_VARIABLE` (uvicorn's factory, per worker)."""
    text = os.environ.get(SETTINGS_VARIABLE)
    return create_app(ServeSettings.from_json(text) if text else ServeSettings())


def _openapi(
    service: Service,
) -> tuple[type[SwaggerRenderPlugin], Any, Callable[[Litestar], object]]:
    """The /docs page's plugin and the /openapi.json handler, over one document.

    The document is Litestar's own (the one ``/docs/openapi.json`` serves too), with the
    request bodies stated (`contract.describe_bodies`) once, in place, before it is first
    served.
    """
    done: list[bool] = []

    def document(app: Litestar) -> dict[str, Any]:
        found: dict[str, Any] = app.plugins.get("OpenAPIPlugin").provide_openapi_schema()
        if not done:
            contract.describe_bodies(found, service.policy)
            done.append(True)
        return found

    class _Swagger(SwaggerRenderPlugin):
        def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
            return super().render(request, document(request.app))

    @get("/openapi.json", include_in_schema=False, media_type="application/vnd.oai.openapi+json",
         sync_to_thread=False)  # fmt: skip
    def openapi_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
        """The OpenAPI 3.1 description of the API."""
        return document(request.app)

    return _Swagger, openapi_json, document
