"""What a ledger holds: its entries, the statuses and lights, its settings and its errors.

The implementation ledger (督办台账, 工作推进台账) is an append-only log of entries about
the plan's tasks: progress reports from the units, deadlines the office sets, delegations,
reminders (催办), close-outs (销号) and reopenings. Nothing is changed or removed: a
correction is a new entry that names the one it supersedes.

Examples:
    >>> Status("in_progress").zh
    '推进中'
    >>> Light.RED > Light.YELLOW > Light.GREEN
    True
"""

from __future__ import annotations

import datetime as dt
import enum
import getpass
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from yantai_policy.errors import PolicyError
from yantai_policy.model import Reporting, Text

__all__ = [
    "Entry",
    "EntryKind",
    "LedgerError",
    "LedgerMismatchError",
    "Light",
    "Problem",
    "RefusedRowsError",
    "Settings",
    "Status",
    "recorder",
]


class Status(enum.Enum):
    """A unit's progress on a task, as it reports it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"

    @property
    def zh(self) -> str:
        """The Chinese term a 台账 uses."""
        return _STATUS_ZH[self]


_STATUS_ZH = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.BLOCKED: "受阻",
}


class Light(enum.Enum):
    """The light of 三色督办: green on track, yellow due soon or a report due, red late."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for green, 1 for yellow, 2 for red: the worst of several is the highest."""
        return _LIGHT_RANK[self]

    @property
    def zh(self) -> str:
        """绿灯, 黄灯 or 红灯."""
        return _LIGHT_ZH[self]

    def __gt__(self, other: object) -> bool:
        """Compare by how bad the light is."""
        if not isinstance(other, Light):
            return NotImplemented
        return self.rank > other.rank

    def __lt__(self, other: object) -> bool:
        """Compare by how bad the light is."""
        if not isinstance(other, Light):
            return NotImplemented
        return self.rank < other.rank


_LIGHT_RANK = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
_LIGHT_ZH = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}


class EntryKind(enum.Enum):
    """What an entry records."""

    BIND = "bind"
    """The ledger is bound to a plan (at ``init``, and at each ``migrate``)."""
    REPORT = "report"
    """A unit's progress report on a task."""
    DEADLINE = "deadline"
    """The office sets (or moves) a task's deadline."""
    DELEGATION = "delegation"
    """The office lets a unit report on a task that is not its own."""
    REMINDER = "reminder"
    """The office chases a unit (催办)."""
    CLOSE = "close"
    """The office closes a task out (销号)."""
    REOPEN = "reopen"
    """The office reopens a closed task."""


@attrs.frozen
class Entry:
    """One entry of the ledger, as it was recorded.

    Attributes:
        id: Its number in the ledger, in recording order.
        kind: What it records.
        task: The task's id (``7.1``), for every kind but ``bind``.
        unit: The unit's id: who reported, was delegated to or reminded.
        on: The day it is about (a report's date, the day of a close-out).
        status: A report's status.
        text: A report's or reminder's words (zh, with en optional).
        evidence: References to evidence (document numbers, file names, links).
        reason: Why: for deadlines, delegations, close-outs and reopenings.
        deadline: The deadline a ``deadline`` entry sets.
        by: Who recorded it.
        recorded_at: When it was recorded (UTC).
        supersedes: The entry this one corrects, where it is a correction.
        key: The writer's idempotency key: a second entry with the same key is refused.
        plan: For ``bind``: the plan's document number.
        plan_sha256: For ``bind``: the SHA-256 of the plan's data.
    """

    id: int
    kind: EntryKind
    task: str | None
    unit: str | None
    on: dt.date
    status: Status | None = None
    text: Text | None = None
    evidence: tuple[str, ...] = ()
    reason: str | None = None
    deadline: dt.date | None = None
    by: str = ""
    recorded_at: dt.datetime | None = None
    supersedes: int | None = None
    key: str | None = None
    plan: str | None = None
    plan_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as JSON-ready values (dates in ISO form, absent values as None)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "task": self.task,
            "unit": self.unit,
            "on": self.on.isoformat(),
            "status": self.status.value if self.status else None,
            "text": {"zh": self.text.zh, "en": self.text.en} if self.text else None,
            "evidence": list(self.evidence),
            "reason": self.reason,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "by": self.by,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "supersedes": self.supersedes,
            "key": self.key,
            "plan": self.plan,
            "plan_sha256": self.plan_sha256,
        }


@attrs.frozen
class Settings:
    """How the lights are set. None of these is stated by the notice: each is an assumption.

    烟政办字〔2021〕3号 asks for 督促检查 (section 四) but sets no reporting rhythm and no
    warning period. These defaults follow the common practice of 三色督办 systems and are
    to be set by the supervising office.

    Attributes:
        warning_days: A deadline or the end of a reporting period this many days ahead
            (or fewer) turns the light yellow. Assumption: 15 days.
        silent_days: A unit with open tasks and no report for more than this many days
            has gone silent (the ``ledger-unit-silent`` check). Assumption: 90 days.
        reporting: The reporting rhythm of a task the plan gives none. Assumption:
            quarterly (每季度).
    """

    warning_days: int = 15
    silent_days: int = 90
    reporting: Reporting = Reporting.QUARTERLY

    def __attrs_post_init__(self) -> None:
        """Refuse day counts that are negative or not whole numbers, and an unknown rhythm."""
        for name in ("warning_days", "silent_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                msg = f"{name} must be a whole number of days, 0 or more, not {value!r}"
                raise LedgerError(msg, field=name)
        rhythm: object = self.reporting  # typed Reporting, but a caller may pass anything
        if not isinstance(rhythm, Reporting):
            msg = f"reporting must be a Reporting rhythm (such as Reporting.QUARTERLY), not {rhythm!r}"
            raise LedgerError(msg, field="reporting")

    SOURCES: ClassVar[Mapping[str, str]] = {
        "warning_days": "assumption: 三色督办 practice; the notice sets no warning period",
        "silent_days": "assumption: one quarter; the notice sets no reporting rhythm",
        "reporting": "assumption: quarterly reporting (每季度); the notice sets no rhythm",
    }
    """Where each default comes from (no regulation states them)."""


class LedgerError(PolicyError, ValueError):
    """An entry the ledger refuses, or a ledger that cannot be used; it names the field.

    Attributes:
        field: The refused field (``task``, ``unit``, ``on``, ``status``, ``key``, ``db`` …).
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        """Keep the field beside the message."""
        super().__init__(message)
        self.field = field


class LedgerMismatchError(LedgerError):
    """The ledger is bound to another plan, or another version of the plan."""


@attrs.frozen
class Problem:
    """One bad row of an import: its number (from 1, as given), the column and why."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        """Return ``row 3: on: …`` (``row 3: …`` where no column is to blame)."""
        column = f"{self.column}: " if self.column else ""
        return f"row {self.row}: {column}{self.message}"


class RefusedRowsError(LedgerError):
    """Rows a batch of reports refuses: nothing of the batch was written.

    Attributes:
        problems: Every bad row, by row number and column.
    """

    def __init__(self, problems: tuple[Problem, ...], *, source: str = "") -> None:
        """List the first problems in the message; all of them are in ``problems``."""
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        where = f"{source}: " if source else ""
        rows = len({p.row for p in problems})
        count = f"{rows} bad row{'s' * (rows != 1)}"
        super().__init__(
            f"{where}{count}, nothing imported: {shown}{more}", field=problems[0].column
        )


def recorder(by: str | None) -> str:
    """Who records an entry: ``by``, or else the operating system's user name."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or passwd
        return "unknown"
