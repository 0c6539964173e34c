"""The 台账 as of a date: every task's last report and light, by unit and by measure.

One function, [`light`][yantai_policy.ledger.status.light], sets every light: a task's,
and each (task, unit) cell's. It weighs these conditions, and lists each with whether it
held, where its rule comes from, and the values it used:

=================  ======  ==============================================================
condition          light   holds when
=================  ======  ==============================================================
``closed``         green   the office has closed the task out (销号)
``done``           green   the latest report says ``done``
``overdue``        red     the deadline has passed and the task is not done
``report-missed``  red     no report since the start of the last reporting period that
                           has ended (the first period starts on the notice's date)
``deadline-near``  yellow  the deadline falls within ``warning_days``
``period-ending``  yellow  the current reporting period ends within ``warning_days``
                           and nothing has been reported in it
``blocked``        yellow  the latest report says ``blocked``
=================  ======  ==============================================================

``closed`` and ``done`` make the light green whatever else holds; otherwise it is red if
a red condition holds, yellow if a yellow one does, and green if none does. Reporting
periods are calendar periods (months, quarters from January, halves, years) of the
task's reporting rhythm, or of `Settings.reporting` where the plan gives none.

A task's status is its lead's latest report where a lead has reported, and otherwise
the latest report of any of its units; its last report is the latest of any unit's.

Examples:
    >>> import datetime as dt
    >>> period(dt.date(2021, 5, 20), 3, dt.date(2021, 1, 11))
    Period(start=datetime.date(2021, 4, 1), end=datetime.date(2021, 6, 30))
    >>> period(dt.date(2021, 2, 1), 3, dt.date(2021, 1, 11))
    Period(start=datetime.date(2021, 1, 11), end=datetime.date(2021, 3, 31))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import sqlalchemy as sa

from yantai_policy.ledger.model import EntryKind, Light, Settings, Status
from yantai_policy.ledger.schema import entries
from yantai_policy.model import Role, Text

if TYPE_CHECKING:
    from yantai_policy.model import Action, Policy

__all__ = [
    "STATUS_COLUMNS",
    "Condition",
    "LedgerStatus",
    "MeasureStatus",
    "Period",
    "TaskStatus",
    "UnitCell",
    "UnitStatus",
    "compute_status",
    "light",
    "period",
]


@attrs.frozen
class Period:
    """A reporting period: its first and last day."""

    start: dt.date
    end: dt.date


def _first_of(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def period(day: dt.date, months: int, begins: dt.date) -> Period:
    """Return the calendar reporting period of ``months`` months that holds ``day``.

    The first period starts on ``begins`` (the notice's date), not before.
    """
    start = _first_of(day, months)
    year, month = divmod(start.month - 1 + months, 12)
    if start.year + year > dt.MAXYEAR:  # the period of 9999-12-31 ends on that day
        return Period(max(start, begins), dt.date.max)
    end = dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)
    return Period(max(start, begins), end)


@attrs.frozen
class Condition:
    """One condition a light weighs.

    Attributes:
        code: ``closed``, ``done``, ``overdue``, ``report-missed``, ``deadline-near``,
            ``period-ending`` or ``blocked``.
        held: Whether it held.
        light: The light it sets when it holds.
        text: What it says, in Chinese and English, with the values filled in.
        source: Where its rule comes from (the plan, the office's entry, or a setting
            that is an assumption).
        values: The values it used, JSON-ready.
    """

    code: str
    held: bool
    light: Light
    text: Text
    source: str
    values: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the condition as JSON-ready values."""
        return {
            "code": self.code,
            "held": self.held,
            "light": self.light.value,
            "text": {"zh": self.text.zh, "en": self.text.en},
            "source": self.source,
            "values": dict(self.values),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


_NO_DEADLINE = Text("无完成时限", "no deadline")
"""What the deadline conditions say of a task without a deadline (长期坚持, or none given)."""


def light(  # noqa: PLR0913 - the facts a light weighs
    *,
    on: dt.date,
    status: Status | None,
    last_report_on: dt.date | None,
    deadline: dt.date | None,
    deadline_source: str,
    closed: bool,
    months: int,
    months_source: str,
    begins: dt.date,
    settings: Settings,
) -> tuple[Light, tuple[Condition, ...]]:
    """Return the light for these facts, and every condition with whether it held.

    Examples:
        >>> import datetime as dt
        >>> shade, why = light(on=dt.date(2021, 7, 20), status=Status.IN_PROGRESS,
        ...     last_report_on=dt.date(2021, 3, 1), deadline=None, deadline_source="none",
        ...     closed=False, months=3, months_source="assumption", begins=dt.date(2021, 1, 11),
        ...     settings=Settings())
        >>> shade.value, [c.code for c in why if c.held]
        ('red', ['report-missed'])
    """
    current = period(on, months, begins)
    ended = (
        period(current.start - dt.timedelta(days=1), months, begins)
        if current.start > begins
        else None
    )
    done = status is Status.DONE
    warn = settings.warning_days
    last = _iso(last_report_on)
    silent = last_report_on is None or (ended is not None and last_report_on < ended.start)
    conditions = [
        Condition("closed", closed, Light.GREEN, Text("已销号", "closed out by the office"),
                  "ledger: the office's close-out (销号)", {"closed": closed}),
        Condition("done", done, Light.GREEN, Text("已报告完成", "reported done"),
                  "ledger: the latest report", {"status": status.value if status else None}),
        Condition(
            "overdue", deadline is not None and deadline < on and not done, Light.RED,
            Text(f"已超过完成时限 {deadline}", f"past its deadline, {deadline}") if deadline
            else _NO_DEADLINE,
            deadline_source, {"deadline": _iso(deadline), "on": on.isoformat()},
        ),
        Condition(
            "report-missed", ended is not None and silent, Light.RED,
            Text(
                f"报送期 {ended.start if ended else '-'} 至 {ended.end if ended else '-'} 未报送",
                f"no report in the period {ended.start if ended else '-'} to {ended.end if ended else '-'}",
            ),
            months_source,
            {"period_start": _iso(ended.start if ended else None),
             "period_end": _iso(ended.end if ended else None), "last_report_on": last},
        ),
        Condition(
            "deadline-near",
            deadline is not None and 0 <= (deadline - on).days <= warn and not done,
            Light.YELLOW,
            Text(f"完成时限 {deadline} 临近（{warn} 天内）", f"the deadline, {deadline}, is within {warn} days")
            if deadline else _NO_DEADLINE,
            f"{deadline_source}; warning_days: {Settings.SOURCES['warning_days']}",
            {"deadline": _iso(deadline), "warning_days": warn},
        ),
        Condition(
            "period-ending",
            (current.end - on).days <= warn and (last_report_on is None or last_report_on < current.start),
            Light.YELLOW,
            Text(f"本报送期 {current.end} 结束，尚未报送", f"the period ends on {current.end} with no report yet"),
            f"{months_source}; warning_days: {Settings.SOURCES['warning_days']}",
            {"period_start": current.start.isoformat(), "period_end": current.end.isoformat(),
             "last_report_on": last, "warning_days": warn},
        ),
        Condition("blocked", status is Status.BLOCKED, Light.YELLOW, Text("报告受阻", "reported blocked"),
                  "ledger: the latest report", {"status": status.value if status else None}),
    ]  # fmt: skip
    held = [c for c in conditions if c.held]
    if closed or done:
        return Light.GREEN, tuple(conditions)
    worst = max((c.light for c in held), default=Light.GREEN, key=lambda x: x.rank)
    return worst, tuple(conditions)


@attrs.frozen
class UnitCell:
    """One unit's part of a task: its latest report and light.

    Attributes:
        unit: The unit's id.
        roles: Its roles in the task (``lead``, ``responsible``, ``assist``).
        status: Its latest report's status, or None.
        last_report_on: The day of its latest report, or None.
        last_reminder_on: The day it was last reminded about the task (催办), or None.
        light: Its light.
        conditions: Every condition its light weighed.
    """

    unit: str
    roles: tuple[str, ...]
    status: Status | None
    last_report_on: dt.date | None
    last_reminder_on: dt.date | None
    light: Light
    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the cell as JSON-ready values."""
        return {
            "unit": self.unit,
            "roles": list(self.roles),
            "status": self.status.value if self.status else None,
            "last_report_on": _iso(self.last_report_on),
            "last_reminder_on": _iso(self.last_reminder_on),
            "light": self.light.value,
            "reasons": [c.code for c in self.conditions if c.held],
        }


@attrs.frozen
class TaskStatus:
    """A task as of a date.

    Attributes:
        task: The task's id.
        measure: Its measure's number.
        units: Its units' ids, in printed order.
        status: Its status (its lead's latest report, else any unit's), or None.
        last_report_on: The latest report of any unit, or None.
        days_since_report: Days from that report to the date, or None.
        deadline: Its deadline (the office's latest, else the plan's), or None.
        deadline_text: The deadline as printed, such as 长期坚持, where the plan has it.
        closed: Whether it is closed out.
        done_reported: Whether any unit has reported it done.
        light: Its light.
        conditions: Every condition its light weighed.
        cells: Each unit's part.
    """

    task: str
    measure: int
    units: tuple[str, ...]
    status: Status | None
    last_report_on: dt.date | None
    days_since_report: int | None
    deadline: dt.date | None
    deadline_text: str | None
    closed: bool
    done_reported: bool
    light: Light
    conditions: tuple[Condition, ...]
    cells: tuple[UnitCell, ...]

    @property
    def reasons(self) -> tuple[Condition, ...]:
        """The conditions that held."""
        return tuple(c for c in self.conditions if c.held)

    def to_dict(self) -> dict[str, Any]:
        """Return the task's status as JSON-ready values (the ``status --format json`` rows)."""
        return {
            "task": self.task,
            "measure": self.measure,
            "units": list(self.units),
            "status": self.status.value if self.status else None,
            "light": self.light.value,
            "last_report_on": _iso(self.last_report_on),
            "days_since_report": self.days_since_report,
            "deadline": _iso(self.deadline),
            "deadline_text": self.deadline_text,
            "closed": self.closed,
            "done_reported": self.done_reported,
            "reasons": [c.code for c in self.reasons],
            "conditions": [c.to_dict() for c in self.conditions],
            "cells": [c.to_dict() for c in self.cells],
        }


@attrs.frozen
class UnitStatus:
    """A unit's tasks as of a date: how many of each light, its worst, its latest report."""

    unit: str
    name: Text
    tasks: int
    lights: Mapping[str, int]
    light: Light
    last_report_on: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Return the unit's status as JSON-ready values."""
        return {
            "unit": self.unit, "name": {"zh": self.name.zh, "en": self.name.en},
            "tasks": self.tasks, "lights": dict(self.lights), "light": self.light.value,
            "last_report_on": _iso(self.last_report_on),
        }  # fmt: skip


@attrs.frozen
class MeasureStatus:
    """A measure's tasks as of a date: how many of each light, and its worst."""

    measure: int
    title: Text
    tasks: int
    lights: Mapping[str, int]
    light: Light
    last_report_on: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """Return the measure's status as JSON-ready values."""
        return {
            "measure": self.measure, "title": {"zh": self.title.zh, "en": self.title.en},
            "tasks": self.tasks, "lights": dict(self.lights), "light": self.light.value,
            "last_report_on": _iso(self.last_report_on),
        }  # fmt: skip


STATUS_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "task": (("task", "任务"), ("measure", "措施"), ("units", "责任单位"), ("status", "进展"),
             ("light", "督办灯"), ("last_report_on", "最近报送"), ("days_since_report", "距今天数"),
             ("deadline", "完成时限"), ("closed", "销号"), ("reasons", "原因")),
    "unit": (("unit", "单位代码"), ("name", "单位"), ("tasks", "任务数"), ("green", "绿灯"),
             ("yellow", "黄灯"), ("red", "红灯"), ("light", "督办灯"), ("last_report_on", "最近报送")),
    "measure": (("measure", "措施"), ("title", "措施名称"), ("tasks", "任务数"), ("green", "绿灯"),
                ("yellow", "黄灯"), ("red", "红灯"), ("light", "督办灯"), ("last_report_on", "最近报送")),
}  # fmt: skip
"""The columns of the 台账 table per view (``--by``): its key, and its Chinese header."""


def _cell(value: object) -> object:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict) and "zh" in value:
        return value["zh"]
    if isinstance(value, bool):
        return "是" if value else ""
    return "" if value is None else value


@attrs.frozen
class LedgerStatus:
    """The 台账 as of a date.

    Attributes:
        on: The date.
        tasks: Every task of the plan, in plan order.
        settings: The settings the lights used.
        units: Unit names by id (for the tables).
        titles: Measure titles by number.
    """

    on: dt.date
    tasks: tuple[TaskStatus, ...]
    settings: Settings
    units: Mapping[str, Text]
    titles: Mapping[int, Text]

    def task(self, task_id: str) -> TaskStatus:
        """Return one task's status."""
        for task in self.tasks:
            if task.task == task_id:
                return task
        raise KeyError(task_id)

    def by_unit(self) -> tuple[UnitStatus, ...]:
        """Return each unit's lights over its cells, in the plan's unit order."""
        cells: dict[str, list[UnitCell]] = {u: [] for u in self.units}
        for task in self.tasks:
            for cell in task.cells:
                cells.setdefault(cell.unit, []).append(cell)
        return tuple(
            UnitStatus(unit, self.units[unit], len(found), _counts(c.light for c in found),
                       _worst(c.light for c in found), _latest(c.last_report_on for c in found))
            for unit, found in cells.items() if found
        )  # fmt: skip

    def by_measure(self) -> tuple[MeasureStatus, ...]:
        """Return each measure's lights over its tasks, in measure order."""
        grouped: dict[int, list[TaskStatus]] = {}
        for task in self.tasks:
            grouped.setdefault(task.measure, []).append(task)
        return tuple(
            MeasureStatus(number, self.titles[number], len(found), _counts(t.light for t in found),
                          _worst(t.light for t in found), _latest(t.last_report_on for t in found))
            for number, found in grouped.items()
        )  # fmt: skip

    def matrix(self) -> dict[tuple[int, str], Light]:
        """Return the worst cell light of each (measure, unit) that has a task."""
        out: dict[tuple[int, str], Light] = {}
        for task in self.tasks:
            for cell in task.cells:
                key = (task.measure, cell.unit)
                out[key] = _worst((out.get(key, Light.GREEN), cell.light))
        return out

    def records(self, by: str = "task") -> list[dict[str, Any]]:
        """Return the JSON-ready rows of a view: ``task``, ``unit`` or ``measure``."""
        if by == "task":
            return [t.to_dict() for t in self.tasks]
        rows = self.by_unit() if by == "unit" else self.by_measure() if by == "measure" else None
        if rows is None:
            raise ValueError(f"--by must be task, unit or measure, not {by!r}")
        return [r.to_dict() for r in rows]

    def rows(self, by: str = "task", lang: str = "zh") -> list[list[object]]:
        """Return the 台账 table of a view: a header, then one row each.

        With ``lang="zh"`` the header, units, statuses and lights are in Chinese (市财政局,
        推进中, 红灯); with ``"en"`` the header is the JSON keys and the values are ids.
        """
        columns = STATUS_COLUMNS[by]
        header: list[object] = [zh if lang == "zh" else key for key, zh in columns]
        body = []
        for record in self.records(by):
            flat = {**record, **record.get("lights", {})}
            if lang == "zh":
                flat = self._in_chinese(flat)
            body.append([_cell(flat.get(key)) for key, _ in columns])
        return [header, *body]

    def _in_chinese(self, flat: dict[str, Any]) -> dict[str, Any]:
        out = dict(flat)
        if isinstance(out.get("units"), list):
            out["units"] = [self.units[u].zh for u in out["units"]]
        if out.get("status"):
            out["status"] = Status(out["status"]).zh
        if out.get("light"):
            out["light"] = Light(out["light"]).zh
        return out

    def counts(self) -> dict[str, int]:
        """Return how many tasks have each light."""
        return dict(_counts(t.light for t in self.tasks))


def _counts(lights: Iterable[Light]) -> dict[str, int]:
    found = Counter(x.value for x in lights)
    return {x.value: found.get(x.value, 0) for x in Light}


def _worst(lights: Iterable[Light]) -> Light:
    return max(lights, default=Light.GREEN, key=lambda x: x.rank)


def _latest(days: Iterable[dt.date | None]) -> dt.date | None:
    return max((d for d in days if d is not None), default=None)


# ─── Reading the ledger ─────────────────────────────────────────────────────────


def _counted(on: dt.date) -> sa.ColumnElement[bool]:
    """Entries that count as of a date: dated on or before it, and not corrected since."""
    later = entries.alias("later")
    return sa.and_(entries.c.on_date <= on, ~sa.exists().where(later.c.supersedes == entries.c.id))


def _latest_per(
    connection: sa.Connection,
    kind: EntryKind,
    on: dt.date,
    groups: Iterable[tuple[str, ...]],
    columns: tuple[str, ...],
) -> dict[tuple[str, ...], sa.Row[Any]]:
    """The latest counted entry of a kind for each group (by date, then number).

    One indexed lookup per group (``ledger_entries_by_task`` walked backwards from the
    date), which stays fast however many entries the ledger holds.
    """
    query = (
        sa.select(entries)
        .where(entries.c.kind == kind.value, _counted(on),
               *(entries.c[c] == sa.bindparam(f"g_{c}") for c in columns))
        .order_by(entries.c.on_date.desc(), entries.c.id.desc())
        .limit(1)
    )  # fmt: skip
    out = {}
    for group in groups:
        row = connection.execute(
            query, {f"g_{c}": v for c, v in zip(columns, group, strict=True)}
        ).first()
        if row is not None:
            out[group] = row
    return out


def _done(connection: sa.Connection, on: dt.date, tasks: Iterable[str]) -> set[str]:
    """The tasks that some unit has reported done, as of the date."""
    query = (
        sa.select(entries.c.id)
        .where(entries.c.kind == EntryKind.REPORT.value, entries.c.task == sa.bindparam("task"),
               entries.c.status == Status.DONE.value, _counted(on))
        .limit(1)
    )  # fmt: skip
    return {t for t in tasks if connection.execute(query, {"task": t}).first() is not None}


def compute_status(
    policy: Policy, connection: sa.Connection, on: dt.date, settings: Settings | None = None
) -> LedgerStatus:
    """Read the ledger as of ``on`` and return the status of every task.

    Four queries read the latest report per (task, unit), the latest reminder per
    (task, unit), the latest deadline and close-out or reopening per task, and the tasks
    reported done; everything else is computed over the plan's tasks.
    """
    settings = settings or Settings()
    pairs = [(a.id, u.id) for a in policy.actions for u in a.bureaus]
    tasks = [(a.id,) for a in policy.actions]
    reports = _latest_per(connection, EntryKind.REPORT, on, pairs, ("task", "unit"))
    reminders = {
        g: r.on_date
        for g, r in _latest_per(connection, EntryKind.REMINDER, on, pairs, ("task", "unit")).items()
    }
    deadlines = {
        g[0]: r
        for g, r in _latest_per(connection, EntryKind.DEADLINE, on, tasks, ("task",)).items()
    }
    closing = (
        sa.select(entries.c.task, entries.c.kind)
        .where(entries.c.kind.in_([EntryKind.CLOSE.value, EntryKind.REOPEN.value]), _counted(on))
        .order_by(entries.c.on_date, entries.c.id)
    )
    closed: set[str] = set()
    for task, kind in connection.execute(closing):
        (closed.add if kind == EntryKind.CLOSE.value else closed.discard)(task)
    done = _done(connection, on, (a.id for a in policy.actions))
    statuses = tuple(
        _task_status(policy, action, on, settings, reports, reminders, deadlines.get(action.id),
                     closed=action.id in closed, done=action.id in done)
        for action in policy.actions
    )  # fmt: skip
    return LedgerStatus(
        on=on,
        tasks=statuses,
        settings=settings,
        units={b.id: b.name for b in policy.bureaus},
        titles={m.number: m.title for m in policy.measures},
    )


def _task_status(  # noqa: PLR0913, PLR0917 - the facts of one task
    policy: Policy,
    action: Action,
    on: dt.date,
    settings: Settings,
    reports: Mapping[tuple[str, ...], Any],
    reminders: Mapping[tuple[str, ...], dt.date],
    deadline_entry: Any,  # noqa: ANN401 - a Row
    *,
    closed: bool,
    done: bool,
) -> TaskStatus:
    begins = policy.notice.issued_on
    if action.reporting is not None:
        months, months_source = (
            action.reporting.months,
            f"reporting: the plan ({action.reporting.value})",
        )
    else:
        months = settings.reporting.months
        months_source = f"reporting: {Settings.SOURCES['reporting']} ({settings.reporting.value})"
    if deadline_entry is not None:
        deadline, deadline_text = deadline_entry.deadline, None
        deadline_source = (
            f"deadline: the office's entry {deadline_entry.id} ({deadline_entry.reason})"
        )
    elif action.deadline is not None:
        deadline, deadline_text = action.deadline.on, action.deadline.text
        deadline_source = f"deadline: the plan (完成时限 {action.deadline})"
    else:
        deadline, deadline_text, deadline_source = (
            None,
            None,
            "deadline: none in the plan or the ledger",
        )
    facts = {
        "on": on, "deadline": deadline, "deadline_source": deadline_source, "closed": closed,
        "months": months, "months_source": months_source, "begins": begins, "settings": settings,
    }  # fmt: skip
    cells = []
    for unit in action.bureaus:
        report = reports.get((action.id, unit.id))
        status = Status(report.status) if report is not None else None
        last = report.on_date if report is not None else None
        shade, conditions = light(status=status, last_report_on=last, **facts)
        roles = tuple(sorted(r.value for r in action.roles_of(unit.id)))
        cells.append(
            UnitCell(
                unit.id, roles, status, last, reminders.get((action.id, unit.id)), shade, conditions
            )
        )
    leads = {u.id for u in action.leads} or {
        u.id for u in action.bureaus if Role.LEAD in action.roles_of(u.id)
    }
    reported = [r for u in action.bureaus if (r := reports.get((action.id, u.id))) is not None]
    by_lead = [r for r in reported if r.unit in leads]
    chosen = max(by_lead or reported, key=lambda r: (r.on_date, r.id), default=None)
    status = Status(chosen.status) if chosen is not None else None
    last = max((r.on_date for r in reported), default=None)
    shade, conditions = light(status=status, last_report_on=last, **facts)
    return TaskStatus(
        task=action.id,
        measure=action.measure,
        units=tuple(u.id for u in action.bureaus),
        status=status,
        last_report_on=last,
        days_since_report=(on - last).days if last is not None else None,
        deadline=deadline,
        deadline_text=deadline_text,
        closed=closed,
        done_reported=done,
        light=shade,
        conditions=conditions,
        cells=tuple(cells),
    )
