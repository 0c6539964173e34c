"""How serious an audit finding is.

One small module, so the command line can name the severities (``audit --fail-on``)
without loading the audit's checks.

[`yantai_policy.audit`][yantai_policy.audit] uses it and re-exports
[`Severity`][yantai_policy.audit.Severity].

Examples:
    >>> Severity("warning").rank > Severity.INFO.rank
    True
"""

from __future__ import annotations

import enum

__all__ = ["Severity"]


class Severity(enum.Enum):
    """How serious a finding is; severities compare by rank (info < warning < error)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
