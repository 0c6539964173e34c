"""The ledger's checks, which join the coverage audit: what implementation shows.

=================================  ========  ==============================================
code                               severity  finds
=================================  ========  ==============================================
``ledger-overdue``                 error     a task past its deadline, not done, not closed
``ledger-unit-silent``             warning   a unit with open tasks and no report for more
                                             than ``silent_days`` (or none since the notice)
``ledger-lead-never-reported``     warning   a lead unit with no report on its task, once a
                                             reporting period has ended
``ledger-closed-without-done``     warning   a task closed out with no ``done`` report
=================================  ========  ==============================================

[`audit_with_ledger`][yantai_policy.ledger.checks.audit_with_ledger] runs the plan's
checks and these together, so one report (and one CI gate) covers both.

Examples:
    >>> import datetime as dt, os, tempfile
    >>> import yantai_policy as yp
    >>> from yantai_policy.ledger import Ledger
    >>> policy = yp.load_policy()
    >>> with Ledger.create(os.path.join(tempfile.mkdtemp(), "l.db"), policy, by="office") as ledger:
    ...     _ = ledger.close_out("7.1", on="2021-05-01", reason="资金已拨付", today=dt.date(2021, 6, 1))
    ...     status = ledger.status("2021-06-01")
    >>> [f.subject for f in ledger_findings(policy, status) if f.code == "ledger-closed-without-done"]
    ['action:7.1']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from yantai_policy._severity import Severity
from yantai_policy.audit import AuditConfig, AuditReport, Finding, audit
from yantai_policy.ledger.model import Settings, Status
from yantai_policy.model import Role, Text

if TYPE_CHECKING:
    from yantai_policy.ledger.status import LedgerStatus, TaskStatus
    from yantai_policy.model import Policy

__all__ = ["LEDGER_CHECKS", "audit_with_ledger", "ledger_findings"]

LEDGER_CHECKS = (
    "ledger-overdue",
    "ledger-unit-silent",
    "ledger-lead-never-reported",
    "ledger-closed-without-done",
)
"""The codes of the ledger's checks, in the order they run."""


def _evidence(policy: Policy, task: TaskStatus) -> str:
    action = policy.action(task.task)
    text = action.text.zh if len(action.text.zh) <= 60 else action.text.zh[:59] + "…"
    return f"「{text}」 ({action.source})"


def _overdue(policy: Policy, status: LedgerStatus) -> Iterable[Finding]:
    for task in status.tasks:
        if any(c.code == "overdue" and c.held for c in task.conditions) and not task.closed:
            state = task.status.value if task.status else "no report"
            yield Finding(
                "ledger-overdue",
                Severity.ERROR,
                f"action:{task.task}",
                Text(
                    f"任务{task.task}已超过完成时限{task.deadline}（{status.on}），进展：{task.status.zh if task.status else '未报送'}",
                    f"task {task.task} is past its deadline, {task.deadline}, on {status.on} ({state})",
                ),
                _evidence(policy, task),
            )


def _silent(policy: Policy, status: LedgerStatus) -> Iterable[Finding]:
    limit = status.settings.silent_days
    issued = policy.notice.issued_on
    for unit in status.by_unit():
        open_tasks = [
            t for t in status.tasks
            if unit.unit in t.units and not t.closed and t.status is not Status.DONE
        ]  # fmt: skip
        if not open_tasks:
            continue
        since = unit.last_report_on or issued
        days = (status.on - since).days
        if days <= limit:
            continue
        last_zh = f"最近报送于{unit.last_report_on}" if unit.last_report_on else "从未报送"
        last_en = (
            f"last reported on {unit.last_report_on}" if unit.last_report_on else "never reported"
        )
        yield Finding(
            "ledger-unit-silent",
            Severity.WARNING,
            f"bureau:{unit.unit}",
            Text(
                f"{unit.name.zh}有{len(open_tasks)}项未完成任务，{last_zh}，已{days}天未报送（超过{limit}天）",
                f"{unit.name.get('en')} has {len(open_tasks)} open tasks and has {last_en}: "
                f"{days} days without a report (more than {limit})",
            ),
            f"silent_days = {limit}: {Settings.SOURCES['silent_days']}",
        )


def _lead_never(policy: Policy, status: LedgerStatus) -> Iterable[Finding]:
    for task in status.tasks:
        if task.closed:
            continue
        period_ended = any(
            c.code == "report-missed" and c.values.get("period_end") for c in task.conditions
        )
        if not period_ended:
            continue  # no reporting period has ended yet
        for cell in task.cells:
            if Role.LEAD.value in cell.roles and cell.last_report_on is None:
                name = status.units[cell.unit]
                yield Finding(
                    "ledger-lead-never-reported",
                    Severity.WARNING,
                    f"action:{task.task}",
                    Text(
                        f"牵头单位{name.zh}从未报送任务{task.task}的进展（{status.on}）",
                        f"the lead unit, {name.get('en')}, has never reported on task {task.task} ({status.on})",
                    ),
                    _evidence(policy, task),
                )


def _closed_without_done(policy: Policy, status: LedgerStatus) -> Iterable[Finding]:
    for task in status.tasks:
        if task.closed and not task.done_reported:
            yield Finding(
                "ledger-closed-without-done",
                Severity.WARNING,
                f"action:{task.task}",
                Text(
                    f"任务{task.task}已销号，但没有任何单位报告完成",
                    f"task {task.task} is closed out, but no unit has reported it done",
                ),
                _evidence(policy, task),
            )


_RUN = {
    "ledger-overdue": _overdue,
    "ledger-unit-silent": _silent,
    "ledger-lead-never-reported": _lead_never,
    "ledger-closed-without-done": _closed_without_done,
}


def ledger_findings(
    policy: Policy, status: LedgerStatus, *, only: Iterable[str] | None = None
) -> tuple[Finding, ...]:
    """Return the ledger checks' findings on a status.

    Raises:
        ValueError: ``only`` names a code that is not a ledger check.
    """
    codes = tuple(only) if only is not None else LEDGER_CHECKS
    unknown = [c for c in codes if c not in _RUN]
    if unknown:
        raise ValueError(
            f"no such ledger check: {', '.join(unknown)}; there are {', '.join(LEDGER_CHECKS)}"
        )
    return tuple(f for code in codes for f in _RUN[code](policy, status))


def audit_with_ledger(
    policy: Policy, status: LedgerStatus, config: AuditConfig | None = None
) -> AuditReport:
    """Run the plan's checks and the ledger's together; the audit date is the status's."""
    config = config or AuditConfig(on=status.on)
    report = audit(policy, config)
    found = ledger_findings(policy, status)
    return AuditReport(
        findings=(*report.findings, *found),
        checks=(*report.checks, *LEDGER_CHECKS),
        data_sha256=report.data_sha256,
    )
