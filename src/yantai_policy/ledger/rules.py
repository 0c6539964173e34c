"""The rules an entry must meet before the ledger records it, each stated once.

Every path that writes to a ledger (one report, a batch, a 台账 sheet, the command line,
HTTP) goes through these functions. Each returns the problems it finds as
``(field, message)`` pairs, so a batch can list every bad row and a single entry can
raise the first.

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> facts = Facts()
    >>> report_problems(policy, facts, task="7.1", unit="finance", status="done",
    ...                 on=dt.date(2021, 3, 1), today=dt.date(2021, 6, 1))
    []
    >>> report_problems(policy, facts, task="7.1", unit="tax", status="done",
    ...                 on=dt.date(2020, 3, 1), today=dt.date(2021, 6, 1))  # doctest: +NORMALIZE_WHITESPACE
    [('unit', 'unit tax (市税务局) does not hold task 7.1 and has no delegation for it'),
     ('on', 'report dated 2020-03-01 is before the notice, issued on 2021-01-11')]
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import attrs

from yantai_policy.dates import DateError, parse_date
from yantai_policy.errors import UnknownNameError
from yantai_policy.ledger.model import Status

if TYPE_CHECKING:
    from collections.abc import Mapping

    from yantai_policy.model import Action, Bureau, Policy

__all__ = [
    "MAX_EVIDENCE",
    "WORD_LIMITS",
    "Facts",
    "close_problems",
    "day",
    "may_report",
    "office_problems",
    "reason_problems",
    "reopen_problems",
    "report_problems",
    "task_of",
    "unit_of",
    "words_problems",
]

Problems = list[tuple[str, str]]


@attrs.frozen
class Facts:
    """What the ledger already holds that the rules depend on.

    Attributes:
        closed: The tasks closed out (and not reopened since).
        delegations: The (task, unit) pairs the office let report on a task not their own.
    """

    closed: frozenset[str] = frozenset()
    delegations: frozenset[tuple[str, str]] = frozenset()


def task_of(policy: Policy, task: object) -> Action:
    """Return the plan's task by id, or raise a LookupError that names it."""
    return policy.action(str(task))


def unit_of(policy: Policy, unit: object) -> Bureau:
    """Return the plan's unit by id or any of its names, or raise a LookupError."""
    return policy.bureau(str(unit))


def day(value: object, field: str = "on") -> dt.date:
    """Return a date given as a date or as ``YYYY-MM-DD`` text; a ValueError names the field."""
    if isinstance(value, dt.datetime):
        msg = f"{field}: expected a date, not a date and time"
        raise DateError(str(value), msg)
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))


WORD_LIMITS: dict[str, int] = {
    "text": 20_000, "text_en": 20_000, "reason": 20_000,
    "evidence": 2_000, "by": 200, "key": 200,
}  # fmt: skip
"""The most characters each free-text field of an entry may hold (each evidence
reference counts alone; at most `MAX_EVIDENCE` of them). These are this library's own
bounds (an assumption: no notice states one), large enough for any progress note."""

MAX_EVIDENCE = 100
"""The most evidence references one report may cite."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters no text may hold (a text keeps its tabs and line breaks). NUL,
which PostgreSQL cannot store, is among them, so both databases refuse the same entries."""
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f]")
"""A name, key or reference is one line: no control character at all."""
_TEXTS = frozenset({"text", "text_en", "reason"})


def words_problems(fields: Mapping[str, object]) -> Problems:
    r"""Return what is wrong with an entry's free-text fields: too long, or a control character.

    Examples:
        >>> words_problems({"text": "已完成\n第二段", "by": "市财政局"})
        []
        >>> words_problems({"by": "a\x00b", "key": "k" * 201})  # doctest: +NORMALIZE_WHITESPACE
        [('by', 'by holds a control character (U+0000) at character 2'),
         ('key', 'key is 201 characters long; the most is 200')]
    """
    problems: Problems = []
    for name, value in fields.items():
        if value is None or name not in WORD_LIMITS:
            continue
        values = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        if name == "evidence" and len(values) > MAX_EVIDENCE:
            problems.append(
                (name, f"{len(values)} evidence references; the most is {MAX_EVIDENCE}")
            )
            continue
        control = _CONTROL if name in _TEXTS else _ONE_LINE
        for text in values:
            if len(text) > WORD_LIMITS[name]:
                problems.append((name, f"{name} is {len(text):,} characters long; the most is {WORD_LIMITS[name]:,}"))  # fmt: skip
                break
            bad = control.search(text)
            if bad:
                problems.append((name, f"{name} holds a control character (U+{ord(bad.group()):04X}) at character {bad.start() + 1}"))  # fmt: skip
                break
    return problems


def _when(policy: Policy, on: dt.date, today: dt.date, what: str) -> Problems:
    problems: Problems = []
    if on > today:
        problems.append(("on", f"{what} dated {on} is in the future (today is {today})"))
    if on < policy.notice.issued_on:
        problems.append(
            ("on", f"{what} dated {on} is before the notice, issued on {policy.notice.issued_on}")
        )
    return problems


def may_report(action: Action, unit_id: str, facts: Facts) -> bool:
    """Whether a unit may report on a task: it holds it (a role in it or an item), or is delegated."""
    return bool(action.roles_of(unit_id)) or (action.id, unit_id) in facts.delegations


def report_problems(  # noqa: PLR0913, C901 - the fields of a report, one check each
    policy: Policy,
    facts: Facts,
    *,
    task: object,
    unit: object,
    status: object,
    on: object,
    today: dt.date,
) -> Problems:
    """Return what is wrong with a progress report (an empty list if it may be filed).

    A report is refused where its task or unit is unknown, the unit does not hold the task
    (a role in it or one of its items) and has no delegation for it, its status is not one
    of not_started, in_progress, done and blocked, it is dated in the future or before the
    notice, or it reports ``done`` on a task that is closed out.
    """
    problems: Problems = [
        (name, f"a report needs a {name}")
        for name, value in (("task", task), ("unit", unit), ("status", status), ("on", on))
        if value is None or value == ""
    ]
    missing = {name for name, _ in problems}
    action = unit_id = state = None
    if "task" not in missing:
        try:
            action = task_of(policy, task)
        except UnknownNameError as error:
            problems.append(("task", str(error)))
    if "unit" not in missing:
        try:
            unit_id = unit_of(policy, unit).id
        except UnknownNameError as error:
            problems.append(("unit", str(error)))
    if action is not None and unit_id is not None and not may_report(action, unit_id, facts):
        name = policy.bureau(unit_id).name.zh
        problems.append(
            (
                "unit",
                f"unit {unit_id} ({name}) does not hold task {action.id} and has no delegation for it",
            )
        )
    if "status" not in missing:
        try:
            state = Status(status)
        except ValueError:
            known = ", ".join(s.value for s in Status)
            problems.append(("status", f"status {status!r} is not one of {known}"))
    if "on" not in missing:
        try:
            date = day(on)
        except ValueError as error:
            problems.append(("on", str(error)))
        else:
            problems += _when(policy, date, today, "report")
    if state is Status.DONE and action is not None and action.id in facts.closed:
        problems.append(("status", f"task {action.id} is closed out: a done report is refused"))
    return problems


def _closed(policy: Policy, facts: Facts, task: object) -> bool:
    try:
        return task_of(policy, task).id in facts.closed
    except UnknownNameError:
        return False


def reason_problems(reason: object, what: str) -> Problems:
    """Return what is wrong with the reason an office entry gives: none, or not words."""
    if reason is not None and not isinstance(reason, str):
        return [("reason", f"{what} needs a reason in words, not {type(reason).__name__}")]
    if not reason or not reason.strip():
        return [("reason", f"{what} needs a reason")]
    return []


def close_problems(  # noqa: PLR0913 - the fields of a close-out
    policy: Policy, facts: Facts, *, task: object, on: object, reason: object, today: dt.date
) -> Problems:
    """Return what is wrong with closing a task out (销号): unknown, closed, no reason, date."""
    problems = office_problems(policy, task=task, on=on, today=today, what="close-out")
    problems += reason_problems(reason, "a close-out")
    if _closed(policy, facts, task):
        problems.append(("task", f"task {task} is already closed out"))
    return problems


def reopen_problems(  # noqa: PLR0913 - the fields of a reopening
    policy: Policy, facts: Facts, *, task: object, on: object, reason: object, today: dt.date
) -> Problems:
    """Return what is wrong with reopening a task: unknown, not closed, no reason, date."""
    problems = office_problems(policy, task=task, on=on, today=today, what="reopening")
    problems += reason_problems(reason, "a reopening")
    if not any(f == "task" for f, _ in problems) and not _closed(policy, facts, task):
        problems.append(("task", f"task {task} is not closed out"))
    return problems


def office_problems(
    policy: Policy, *, task: object, on: object, today: dt.date, what: str
) -> Problems:
    """Return what is wrong with an office entry on a task: an unknown task, a bad date."""
    problems: Problems = []
    try:
        task_of(policy, task)
    except UnknownNameError as error:
        problems.append(("task", str(error)))
    try:
        date = day(on)
    except ValueError as error:
        problems.append(("on", str(error)))
    else:
        problems += _when(policy, date, today, what)
    return problems
