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
    "date_problems",
    "day",
    "may_report",
    "office_problems",
    "reason_problems",
    "reopen_problems",
    "report_problems",
    "status_problems",
    "task_of",
    "task_problems",
    "today_problems",
    "unit_of",
    "unit_problems",
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


def _what(value: object) -> str:
    """How a message shows a value of the wrong type: ``the boolean True``, ``the number 2.1``."""
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return f"{type(value).__name__} {value!r}"[:80]


def _not_text(field: str, value: object, example: str) -> str:
    hint = (
        f": write {str(value)!r} as text (a number drops the trailing zero of an id such as 2.10;"
        " in a spreadsheet, format the column as text)"
        if field == "task" and isinstance(value, int | float) and not isinstance(value, bool)
        else ""
    )
    return f"{field} must be text such as {example!r}, not {_what(value)}{hint}"


def task_problems(policy: Policy, task: object, what: str = "report") -> Problems:
    """Return what is wrong with a task id: missing, not text, or not in the plan.

    Examples:
        >>> import yantai_policy as yp
        >>> task_problems(yp.load_policy(), 7.1)  # doctest: +NORMALIZE_WHITESPACE
        [('task', "task must be text such as '7.1', not the number 7.1: write '7.1' as text
          (a number drops the trailing zero of an id such as 2.10; in a spreadsheet, format
          the column as text)")]
        >>> task_problems(yp.load_policy(), "7.10")
        [('task', "no task '7.10' in the plan; did you mean: 7.1, 17.1?")]
    """
    if task is None or task == "":
        return [("task", f"a {what} needs a task")]
    if not isinstance(task, str):
        return [("task", _not_text("task", task, "7.1"))]
    try:
        policy.action(task)
    except UnknownNameError as error:
        shown = task.strip()
        more = f"; did you mean: {', '.join(error.suggestions)}?" if error.suggestions else ""
        return [("task", f"no task {shown!r} in the plan{more}")]
    return []


def unit_problems(policy: Policy, unit: object, what: str = "report") -> Problems:
    """Return what is wrong with a unit: missing, not text, or not in the plan (by id or name)."""
    if unit is None or unit == "":
        return [("unit", f"a {what} needs a unit")]
    if not isinstance(unit, str):
        return [("unit", _not_text("unit", unit, "finance"))]
    try:
        policy.bureau(unit)
    except UnknownNameError as error:
        return [("unit", str(error))]
    return []


def task_of(policy: Policy, task: object) -> Action:
    """Return the plan's task by id (text), or raise a LookupError that names it."""
    found = task_problems(policy, task)
    if found:
        raise UnknownNameError(found[0][1], name=task)
    return policy.action(str(task))


def unit_of(policy: Policy, unit: object) -> Bureau:
    """Return the plan's unit by id or any of its names (text), or raise a LookupError."""
    found = unit_problems(policy, unit)
    if found:
        raise UnknownNameError(found[0][1], name=unit)
    return policy.bureau(str(unit))


def day(value: object, field: str = "on") -> dt.date:  # noqa: ARG001 - the caller names the field
    """Return a date given as a date or as ``YYYY-MM-DD`` text; a ValueError says why not.

    Examples:
        >>> day(True)
        Traceback (most recent call last):
        ...
        yantai_policy.dates.DateError: invalid date 'True': expected a date or YYYY-MM-DD text, not the boolean True
    """
    if isinstance(value, dt.datetime):
        raise DateError(str(value), "expected a date, not a date and time")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError(str(value), f"expected a date or YYYY-MM-DD text, not {_what(value)}")
    return parse_date(value)


def today_problems(today: object) -> Problems:
    """Return what is wrong with the ``today`` a write is checked against (None: today in China)."""
    if today is None or (isinstance(today, dt.date) and not isinstance(today, dt.datetime)):
        return []
    return [("today", f"today must be a date (datetime.date), not {_what(today)}")]


def reason_problems(reason: object, what: str) -> Problems:
    """Return what is wrong with the reason an office entry gives: none, or not text."""
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        return [("reason", f"a {what} needs a reason")]
    if not isinstance(reason, str):
        return [("reason", f"reason must be text, not {_what(reason)}")]
    return []


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
_UNSEEN = re.compile("[\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What no field may hold: the bidirectional embeddings, overrides and isolates, which
reorder what a reader sees (the "Trojan Source" attack, CVE-2021-42574), and lone
surrogates, which are not text (no database stores them as UTF-8)."""
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
        values = list(value) if isinstance(value, list | tuple) else [value]
        if name == "evidence" and len(values) > MAX_EVIDENCE:
            problems.append(
                (name, f"{len(values)} evidence references; the most is {MAX_EVIDENCE}")
            )
            continue
        control = _CONTROL if name in _TEXTS else _ONE_LINE
        for text in values:
            if not isinstance(text, str):
                problems.append((name, f"{name} must be text, not {_what(text)}"))
                break
            if len(text) > WORD_LIMITS[name]:
                problems.append((name, f"{name} is {len(text):,} characters long; the most is {WORD_LIMITS[name]:,}"))  # fmt: skip
                break
            bad = control.search(text) or _UNSEEN.search(text)
            if bad:
                what = "a control character" if control.match(bad.group()) else (
                    "a lone surrogate (not text)" if "\ud800" <= bad.group() <= "\udfff"
                    else "a bidirectional control character"
                )  # fmt: skip
                problems.append((name, f"{name} holds {what} (U+{ord(bad.group()):04X}) at character {bad.start() + 1}"))  # fmt: skip
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


def report_problems(  # noqa: PLR0913 - the fields of a report, one check each
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
    problems: Problems = []
    action = unit_id = state = None
    found = task_problems(policy, task)
    problems += found
    if not found:
        action = policy.action(str(task))
    found = unit_problems(policy, unit)
    problems += found
    if not found:
        unit_id = policy.bureau(str(unit)).id
    if action is not None and unit_id is not None and not may_report(action, unit_id, facts):
        name = policy.bureau(unit_id).name.zh
        problems.append(
            (
                "unit",
                f"unit {unit_id} ({name}) does not hold task {action.id} and has no delegation for it",
            )
        )
    if status is None or status == "":
        problems.append(("status", "a report needs a status"))
    else:
        try:
            state = Status(status)
        except ValueError:
            known = ", ".join(f"{s.value} ({s.zh})" for s in Status)
            problems.append(
                ("status", f"status {status!r} is not one of {known}")
                if isinstance(status, str)
                else ("status", f"status must be one of {known}, not {_what(status)}")
            )
    problems += date_problems(policy, on, today, "report")
    if state is Status.DONE and action is not None and action.id in facts.closed:
        problems.append(
            ("status", f"task {action.id} is closed out: a done ({state.zh}) report is refused")
        )
    return problems


def status_problems(policy: Policy, on: object) -> Problems:
    """Return what is wrong with the day a status is asked for: not a date, or before the notice.

    Examples:
        >>> import yantai_policy as yp
        >>> status_problems(yp.load_policy(), "2020-12-31")
        [('on', 'a status as of 2020-12-31 is before the notice, issued on 2021-01-11')]
    """
    try:
        date = day(on)
    except ValueError as error:
        return [("on", str(error))]
    if date < policy.notice.issued_on:
        return [
            (
                "on",
                f"a status as of {date} is before the notice, issued on {policy.notice.issued_on}",
            )
        ]
    return []


def date_problems(policy: Policy, on: object, today: dt.date, what: str) -> Problems:
    """Return what is wrong with an entry's date (``on``): none, not a date, future, too early."""
    if on is None or on == "":
        return [("on", f"a {what} needs a date (on)")]
    try:
        date = day(on)
    except ValueError as error:
        return [("on", str(error))]
    return _when(policy, date, today, what)


def _closed(policy: Policy, facts: Facts, task: object) -> bool:
    return not task_problems(policy, task) and policy.action(str(task)).id in facts.closed


def close_problems(  # noqa: PLR0913 - the fields of a close-out
    policy: Policy, facts: Facts, *, task: object, on: object, reason: object, today: dt.date
) -> Problems:
    """Return what is wrong with closing a task out (销号): unknown, closed, no reason, date."""
    problems = office_problems(policy, task=task, on=on, today=today, what="close-out")
    problems += reason_problems(reason, "close-out")
    if _closed(policy, facts, task):
        problems.append(("task", f"task {task} is already closed out"))
    return problems


def reopen_problems(  # noqa: PLR0913 - the fields of a reopening
    policy: Policy, facts: Facts, *, task: object, on: object, reason: object, today: dt.date
) -> Problems:
    """Return what is wrong with reopening a task: unknown, not closed, no reason, date."""
    problems = office_problems(policy, task=task, on=on, today=today, what="reopening")
    problems += reason_problems(reason, "reopening")
    if not any(f == "task" for f, _ in problems) and not _closed(policy, facts, task):
        problems.append(("task", f"task {task} is not closed out"))
    return problems


def office_problems(
    policy: Policy, *, task: object, on: object, today: dt.date, what: str
) -> Problems:
    """Return what is wrong with an office entry on a task: an unknown task, a bad date."""
    return task_problems(policy, task, what) + date_problems(policy, on, today, what)
