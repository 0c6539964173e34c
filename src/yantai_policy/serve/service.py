"""What the server serves: one plan, optionally one ledger, and the settings.

Built once when the server starts (`Service.start`) and shared by every request.
Nothing in a request is read as a path on the server: the plan and the ledger are the
ones the server was started with.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Any

import attrs
from litestar.params import SkipValidation

from yantai_policy import __version__
from yantai_policy.loading import load_policy
from yantai_policy.serialize import MAX_BATCH_BYTES, MAX_BODY_BYTES, MAX_LINE_BYTES

if TYPE_CHECKING:
    from yantai_policy.ledger import Ledger
    from yantai_policy.model import Policy

__all__ = ["ServeSettings", "Served", "Service"]


@attrs.frozen
class ServeSettings:
    """How the server runs.

    Attributes:
        plan: The plan file; the built-in Yantai plan if ``None``.
        ledger: The ledger, a SQLite file or a ``postgresql://`` URL; no ledger endpoints
            answer without one.
        require_read_token: Whether reads need a bearer token too (any valid token).
        max_body_bytes: The largest JSON request body (1 MiB).
        max_batch_bytes: The largest JSONL batch body (64 MiB).
        max_line_bytes: The longest JSONL line of a batch (the CLI's bound).
    """

    plan: str | None = None
    ledger: str | None = None
    require_read_token: bool = False
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES
    max_line_bytes: int = MAX_LINE_BYTES

    def to_json(self) -> str:
        """The settings as JSON (for the worker processes)."""
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeSettings:
        """The settings from `to_json`."""
        values: dict[str, Any] = json.loads(text)
        return cls(**values)


@attrs.frozen
class Service:
    """The plan and ledger a server answers from, with its settings and response headers."""

    policy: Policy
    settings: ServeSettings
    ledger: Ledger | None = None

    @classmethod
    def start(cls, settings: ServeSettings) -> Service:
        """Load the plan and open the ledger (bound to this plan, or refused)."""
        return cls.over(load_policy(settings.plan), settings)

    @classmethod
    def over(cls, policy: Policy, settings: ServeSettings) -> Service:
        """Serve a plan already loaded, and open the ledger (bound to this plan, or refused)."""
        ledger = None
        if settings.ledger:
            from yantai_policy.ledger import Ledger  # noqa: PLC0415 - only with a ledger

            ledger = Ledger.open(settings.ledger, policy)
        return cls(policy, settings, ledger)

    def close(self) -> None:
        """Release the ledger's connections."""
        if self.ledger is not None:
            self.ledger.close()

    @property
    def headers(self) -> dict[str, str]:
        """The headers of every response: the plan's document number, data SHA-256, the version.

        The document number is Chinese, so it is sent percent-encoded (UTF-8), as
        RFC 8187 does for header parameters: ``%E7%83%9F%E6%94%BF…``.
        """
        number = urllib.parse.quote(self.policy.notice.document_number, safe="")
        return {
            "X-Plan-Document-Number": number,
            "X-Plan-Data-Sha256": self.policy.data_sha256,
            "X-Yantai-Policy-Version": __version__,
        }


Served = SkipValidation[Service]
"""A handler's ``service`` parameter: the `Service`, injected as it is (not validated)."""
