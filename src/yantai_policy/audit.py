"""Audits of who is responsible for what: checks that report findings, never raise.

[`audit`][yantai_policy.audit.audit] runs every registered check over a plan and returns an
[`AuditReport`][yantai_policy.audit.AuditReport] of [`Finding`][yantai_policy.audit.Finding] records. Each finding has a code, a severity,
the id of its subject, a message in Chinese and English, and the evidence: the clause
of the notice it rests on. A report can gate CI: ``report.at_least(Severity.WARNING)``
lists what would fail the gate, and ``yantai-policy audit --fail-on warning`` exits 1
when it is not empty.

The built-in checks, and why each matters:

=========================== ======== ==================================================
code                        severity rationale
=========================== ======== ==================================================
``measure-without-unit``    error    a measure nobody owns will not be carried out.
``action-unit-count``       error    an action must have its units (at least one), each
                                     with an ``assigned_to`` edge in the graph, or nobody
                                     is answerable for it.
``all-assist``              error    if every unit under a measure only assists (配合),
                                     nobody carries it out.
``no-lead``                 warning  several units and no 牵头 (lead): RACI's rule of one
                                     accountable owner is broken, and co-owners can each
                                     wait for the other. A task shared by several units
                                     with no lead is reported as ``action:ID``; a measure
                                     whose units hold separate tasks, none leading, as
                                     ``measure:N`` (all a one-unit-per-task plan has).
``multiple-leads``          warning  a task with more than one 牵头 (lead) unit: RACI asks
                                     for exactly one accountable party.
``single-owner``            info     one unit alone: a single point of failure.
``concentration``           warning  one unit holds more than a set share of all actions
                                     (default 30%): the plan depends on its capacity.
``unit-not-in-plan``        warning  an action's text names a specific unit the plan
                                     does not list, so it has no actions and no one checks
                                     it (市就业和农民工工作领导小组办公室 in measure 19).
``named-differently``       info     the text calls a plan unit by another name
                                     (市人社局 for 市人力资源社会保障局): fine for people,
                                     a trap for text search.
``spent-date``              warning  a date in the text before the notice was issued: that
                                     provision had lapsed on the day it was published.
``money-without-formula``   info     a measure promises money that no benefit formula
                                     in this library computes yet.
``erratum``                 info     a typo recorded in the data (kept verbatim).
``deadline-overdue``        warning  a task's dated deadline is before the audit date
                                     (`AuditConfig.on`); completion is not tracked here.
                                     An open deadline (长期坚持) is never overdue.
``unit-defunct``            warning  a task is assigned to a unit that no longer exists on
                                     the audit date (merged, split or abolished); the
                                     finding names its successor(s).
``missing-translation``     warning  a text of the plan has no English yet (a draft's
                                     ``en = ""``): one finding for the notice, and per section,
                                     unit, measure, task and item, naming the fields.
``draft-review-open``       warning  an entry of a draft's ``review`` list: the drafter
                                     could not decide it, and the reviewer has not
                                     cleared (deleted) it yet.
=========================== ======== ==================================================

Register your own check with [`register_check`][yantai_policy.audit.register_check]; it receives the plan and the
[`AuditConfig`][yantai_policy.audit.AuditConfig] and yields findings.

Examples:
    >>> import yantai_policy as yp
    >>> report = audit(yp.load_policy())
    >>> report.counts()
    {'error': 0, 'warning': 15, 'info': 11}
    >>> [f.subject for f in report.findings if f.code == "spent-date"]
    ['measure:7']
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

import attrs

from yantai_policy import queries
from yantai_policy._reprs import clip, plural
from yantai_policy._severity import Severity
from yantai_policy.model import Action, Measure, Policy, ReferenceKind, Role, SourceRef, Text

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    import pandas as pd

__all__ = [
    "AuditConfig",
    "AuditReport",
    "Check",
    "Finding",
    "Severity",
    "audit",
    "checks",
    "register_check",
    "unregister_check",
]


@attrs.frozen(repr=False)
class Finding:
    """One thing an audit found.

    Attributes:
        code: The check's code, such as ``"no-lead"``.
        severity: Info, warning or error.
        subject: The id of what it is about: ``"measure:7"``, ``"action:13.1"``,
            ``"bureau:hrss"`` (the node ids of the responsibility graph).
        message: What was found, in Chinese and English.
        evidence: The clause it rests on, verbatim, with where it is printed.
    """

    code: str
    severity: Severity
    subject: str
    message: Text
    evidence: str

    def __repr__(self) -> str:
        """Return ``<Finding warning no-lead measure:1: measure 1 has 7 units…>``."""
        return (
            f"<Finding {self.severity.value} {clip(self.code, 40)} {clip(self.subject, 40)}: "
            f"{clip(self.message.en, 40)}>"
        )


@attrs.frozen
class AuditConfig:
    """Settings for the checks.

    Attributes:
        concentration_threshold: The largest share of all actions one unit may hold
            before ``concentration`` reports it (default 3/10).
        formula_measures: Measures whose money a benefit formula computes; ``None``
            asks [`yantai_policy.benefits.MEASURES`][yantai_policy.benefits.MEASURES].
        on: The audit date of ``deadline-overdue`` and ``unit-defunct``; ``None`` means
            the notice's issue date (so, by default, nothing the plan did not know then).
    """

    concentration_threshold: Fraction = Fraction(3, 10)
    formula_measures: frozenset[int] | None = None
    on: dt.date | None = None

    def date_of(self, policy: Policy) -> dt.date:
        """Return the audit date for a plan: ``on``, or the notice's issue date."""
        return self.on if self.on is not None else policy.notice.issued_on


class Check(Protocol):
    """A check: takes the plan and the settings, yields findings."""

    def __call__(self, policy: Policy, config: AuditConfig, /) -> Iterable[Finding]:
        """Yield the findings for this plan."""
        ...  # pragma: no cover


_CHECKS: dict[str, Check] = {}


def register_check(code: str) -> Callable[[Check], Check]:
    """Register a check under a code; use as a decorator. A code can be registered once.

    Examples:
        >>> import yantai_policy as yp
        >>> @register_check("subsidy-title")
        ... def subsidy_title(policy, config):
        ...     for m in policy.measures:
        ...         if "补贴" in m.title.zh:
        ...             yield Finding("subsidy-title", Severity.INFO, f"measure:{m.number}",
        ...                           yp.Text("标题含补贴", "a subsidy in the title"), m.title.zh)
        >>> [f.subject for f in audit(yp.load_policy(), only=["subsidy-title"]).findings]
        ['measure:6', 'measure:17', 'measure:18']
        >>> unregister_check("subsidy-title")
    """

    def decorate(check: Check) -> Check:
        if code in _CHECKS:
            raise ValueError(f"a check with code {code!r} is already registered")
        _CHECKS[code] = check
        return check

    return decorate


def unregister_check(code: str) -> None:
    """Remove a registered check (built-in ones too)."""
    _CHECKS.pop(code, None)


def checks() -> tuple[str, ...]:
    """Return the codes of the registered checks, in the order they run."""
    return tuple(_CHECKS)


@attrs.frozen(repr=False)
class AuditReport:
    """The findings of an audit, in the order the checks ran.

    Attributes:
        findings: Every finding.
        checks: The codes of the checks that ran.
        data_sha256: The SHA-256 of the audited plan's data.
    """

    findings: tuple[Finding, ...]
    checks: tuple[str, ...]
    data_sha256: str

    def __repr__(self) -> str:
        """Return ``<AuditReport: 12 findings (0 error, 9 warning, 3 info) from 8 checks>``."""
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        findings = plural(len(self.findings), "finding")
        return f"<AuditReport: {findings} ({counts}) from {plural(len(self.checks), 'check')}>"

    def at_least(self, severity: Severity) -> tuple[Finding, ...]:
        """Return the findings at or above a severity (what a CI gate at that level fails on)."""
        return tuple(f for f in self.findings if f.severity.rank >= severity.rank)

    def counts(self) -> dict[str, int]:
        """Return the number of findings per severity, most severe first."""
        return {
            s.value: sum(1 for f in self.findings if f.severity is s)
            for s in sorted(Severity, key=lambda s: -s.rank)
        }

    def to_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "data_sha256": self.data_sha256,
            "checks": list(self.checks),
            "counts": self.counts(),
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity.value,
                    "subject": f.subject,
                    "message": {"zh": f.message.zh, "en": f.message.en},
                    "evidence": f.evidence,
                }
                for f in self.findings
            ],
        }

    def to_text(self, lang: str = "both") -> str:
        """Return the report as plain text, one finding per block."""
        lines = []
        for f in self.findings:
            lines.append(f"{f.severity.value.upper():7} {f.code}  {f.subject}")
            lines.extend(f"        {f.message.get(c)}" for c in _langs(lang))
            lines.append(f"        evidence: {f.evidence}")
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        lines.append(f"{len(self.findings)} findings ({counts}) from {len(self.checks)} checks")
        return "\n".join(lines)

    def to_markdown(self, lang: str = "both") -> str:
        """Return the report as a GitHub Markdown table."""
        rows = ["| severity | code | subject | finding | evidence |", "|---|---|---|---|---|"]
        for f in self.findings:
            message = "<br>".join(f.message.get(c) for c in _langs(lang))
            cells = [f.severity.value, f"`{f.code}`", f"`{f.subject}`", message, f.evidence]
            rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
        counts = ", ".join(f"{n} {s}" for s, n in self.counts().items())
        return "\n".join([f"**{len(self.findings)} findings** ({counts})", "", *rows])

    def to_dataframe(self) -> pd.DataFrame:
        """Return the findings as a pandas DataFrame (extra ``analysis``).

        See [`yantai_policy.frames.findings_frame`][yantai_policy.frames.findings_frame].
        """
        from yantai_policy.frames import findings_frame  # noqa: PLC0415 - pandas on demand

        return findings_frame(self)

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        from html import escape  # noqa: PLC0415

        body = "".join(
            f"<tr><td>{f.severity.value}</td><td>{escape(f.code)}</td><td>{escape(f.subject)}</td>"
            f"<td>{escape(f.message.zh)}<br>{escape(f.message.en)}</td></tr>"
            for f in self.findings
        )
        return f"<table><tr><th>severity</th><th>code</th><th>subject</th><th>finding</th></tr>{body}</table>"


def _langs(lang: str) -> tuple[str, ...]:
    return ("zh", "en") if lang == "both" else (lang,)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def audit(
    policy: Policy,
    config: AuditConfig | None = None,
    *,
    only: Iterable[str] | None = None,
) -> AuditReport:
    """Run the registered checks over a plan and return the report.

    Args:
        policy: The plan.
        config: Settings for the checks; the defaults otherwise.
        only: Run just these check codes.

    Raises:
        ValueError: ``only`` names a check that is not registered.
    """
    config = config or AuditConfig()
    codes = tuple(only) if only is not None else checks()
    unknown = [c for c in codes if c not in _CHECKS]
    if unknown:
        raise ValueError(f"no such check: {', '.join(unknown)}; registered: {', '.join(checks())}")
    findings = [f for code in codes for f in _CHECKS[code](policy, config)]
    return AuditReport(findings=tuple(findings), checks=codes, data_sha256=policy.data_sha256)


# ─── The built-in checks ────────────────────────────────────────────────────────────


def _clause(text: str, source: object, limit: int = 80) -> str:
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"「{short}」 ({source})"


def _about_measure(code: str, severity: Severity, measure: Measure, zh: str, en: str) -> Finding:
    """A finding about a measure, with its provincial text as the evidence."""
    return Finding(
        code,
        severity,
        f"measure:{measure.number}",
        Text(zh, en),
        _clause(measure.provincial_text.zh, measure.source),
    )


def _about_action(code: str, severity: Severity, action: Action, zh: str, en: str) -> Finding:
    """A finding about an action, with its text as the evidence."""
    return Finding(
        code, severity, f"action:{action.id}", Text(zh, en), _clause(action.text.zh, action.source)
    )


@register_check("measure-without-unit")
def _measure_without_unit(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for m in policy.measures:
        if not m.actions:
            yield _about_measure(
                "measure-without-unit",
                Severity.ERROR,
                m,
                f"第{m.number}项没有责任单位",
                f"measure {m.number} has no responsible unit",
            )


@register_check("action-unit-count")
def _action_unit_count(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    graph = policy.graph
    for action in policy.actions:
        node = f"action:{action.id}"
        units = {t for t, d in graph.adj[node].items() if d["relation"] == "assigned_to"}
        listed = {f"bureau:{b.id}" for b in action.bureaus}
        if not units or units != listed:
            yield _about_action(
                "action-unit-count",
                Severity.ERROR,
                action,
                f"措施{action.id}在图中有{len(units)}个责任单位，计划列出{len(listed)}个",
                f"action {action.id} has {len(units)} units in the graph; the plan lists {len(listed)}",
            )


@register_check("all-assist")
def _all_assist(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for m in policy.measures:
        if m.actions and all(Role.ASSIST in a.roles and len(a.roles) == 1 for a in m.actions):
            yield _about_measure(
                "all-assist",
                Severity.ERROR,
                m,
                f"第{m.number}项的责任单位均为配合单位，无人主办",
                f"every unit under measure {m.number} only assists: nobody carries it out",
            )


def _leads(action: Action) -> bool:
    """Whether a unit leads the task or one of its items (a 牵头 role anywhere in it)."""
    return Role.LEAD in action.roles


@register_check("no-lead")
def _no_lead(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for m in policy.measures:
        reported = False
        for action in m.actions:
            if action.is_shared and not _leads(action):
                reported = True
                names = "、".join(b.name.zh for b in action.bureaus)
                yield _about_action(
                    "no-lead",
                    Severity.WARNING,
                    action,
                    f"任务{action.id}由{len(action.bureaus)}个单位（{names}）共同承担，未明确牵头单位",
                    f"task {action.id} is shared by {len(action.bureaus)} units and has no designated lead",
                )
        units = m.bureaus
        if reported or len(units) < 2 or any(_leads(a) for a in m.actions):
            continue  # a shared task without a lead is the finding; a measure is one otherwise
        names = "、".join(b.name.zh for b in units)
        yield _about_measure(
            "no-lead",
            Severity.WARNING,
            m,
            f"第{m.number}项有{len(units)}个责任单位（{names}），未明确牵头单位",
            f"measure {m.number} has {len(units)} units and no designated lead",
        )


@register_check("multiple-leads")
def _multiple_leads(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for action in policy.actions:
        places = [(f"任务{action.id}", f"task {action.id}", action.leads)]
        places += [
            (
                f"任务{action.id}第{item.number}项",
                f"item {item.number} of task {action.id}",
                tuple(a.bureau for a in item.assignments if a.role is Role.LEAD),
            )
            for item in action.items
        ]
        for zh, en, leads in places:
            if len(leads) > 1:
                yield _about_action(
                    "multiple-leads",
                    Severity.WARNING,
                    action,
                    f"{zh}有{len(leads)}个牵头单位（{'、'.join(b.name.zh for b in leads)}），应只有一个",
                    f"{en} has {len(leads)} lead units ({', '.join(b.name.get('en') for b in leads)}): "
                    "RACI asks for exactly one accountable party",
                )


@register_check("single-owner")
def _single_owner(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for m in policy.measures:
        if len(m.bureaus) == 1:
            (unit,) = m.bureaus
            yield _about_measure(
                "single-owner",
                Severity.INFO,
                m,
                f"第{m.number}项仅由{unit.name.zh}负责（单点依赖）",
                f"measure {m.number} rests on one unit alone ({unit.name.get('en')})",
            )


@register_check("concentration")
def _concentration(policy: Policy, config: AuditConfig) -> Iterable[Finding]:
    total = len(policy.actions)
    if not total:
        return
    counts = {row.bureau.id: row.actions for row in queries.workload(policy)}
    busiest = max(policy.bureaus, key=lambda b: counts.get(b.id, 0))
    share = Fraction(counts.get(busiest.id, 0), total)
    if share > config.concentration_threshold:
        percent = f"{float(share):.0%}"
        limit = f"{float(config.concentration_threshold):.0%}"
        yield Finding(
            "concentration",
            Severity.WARNING,
            f"bureau:{busiest.id}",
            Text(
                f"{busiest.name.zh}承担{counts[busiest.id]}/{total}项措施（{percent}），超过{limit}",
                f"{busiest.name.get('en')} holds {counts[busiest.id]} of {total} actions ({percent}), over {limit}",
            ),
            f"{counts[busiest.id]}/{total} actions",
        )


_SPECIFIC_UNIT = re.compile(r"^市.+(局|委|办|办公室|会)$")


@register_check("unit-not-in-plan")
def _unit_not_in_plan(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for action in policy.actions:
        for ref in action.references:
            if ref.bureau is None and _SPECIFIC_UNIT.match(ref.mention):
                yield _about_action(
                    "unit-not-in-plan",
                    Severity.WARNING,
                    action,
                    f"措施{action.id}提及的{ref.mention}不在责任单位之列",
                    f"action {action.id} names {ref.mention}, which is not a unit of the plan",
                )


@register_check("named-differently")
def _named_differently(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for action in policy.actions:
        for ref in action.references:
            if ref.bureau is None:
                continue
            unit = policy.bureau(ref.bureau)
            if ref.mention != unit.name.zh:
                kind = "配合" if ref.kind is ReferenceKind.ASSISTS else "提及"
                yield _about_action(
                    "named-differently",
                    Severity.INFO,
                    action,
                    f"措施{action.id}以“{ref.mention}”{kind}{unit.name.zh}",
                    f"action {action.id} calls {unit.name.get('en')} '{ref.mention}', not '{unit.name.zh}'",
                )


_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@register_check("spent-date")
def _spent_date(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    issued = policy.notice.issued_on
    places: list[tuple[str, str, object]] = []
    for m in policy.measures:
        places.append((f"measure:{m.number}", m.provincial_text.zh, m.source))
        places += [(f"action:{a.id}", a.text.zh, a.source) for a in m.actions]
    for subject, text, source in places:
        for match in _DATE.finditer(text):
            try:
                when = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue  # not a real date: nothing to compare
            if when < issued:
                start = max(0, match.start() - 10)
                yield Finding(
                    "spent-date",
                    Severity.WARNING,
                    subject,
                    Text(
                        f"文中日期{when.isoformat()}早于发文日期{issued.isoformat()}，相关规定印发时已到期",
                        f"the text's date {when.isoformat()} is before the issue date {issued.isoformat()}: "
                        "that provision had lapsed when the notice was issued",
                    ),
                    _clause(text[start : match.end() + 30], source),
                )


_MONEY = re.compile(r"\d+\s*万?元|补贴|贴息|补助|扣减|免征")


def _formula_measures(config: AuditConfig) -> frozenset[int]:
    if config.formula_measures is not None:
        return config.formula_measures
    try:
        from yantai_policy import benefits  # noqa: PLC0415
    except ImportError:
        return frozenset()
    return frozenset(getattr(benefits, "MEASURES", ()))


@register_check("money-without-formula")
def _money_without_formula(policy: Policy, config: AuditConfig) -> Iterable[Finding]:
    implemented = _formula_measures(config)
    for m in policy.measures:
        match = _MONEY.search(m.provincial_text.zh)
        if match and m.number not in implemented:
            start = max(0, match.start() - 20)
            yield Finding(
                "money-without-formula",
                Severity.INFO,
                f"measure:{m.number}",
                Text(
                    f"第{m.number}项涉及资金，尚无相应的计算公式",
                    f"measure {m.number} promises money that no benefit formula computes yet",
                ),
                _clause(m.provincial_text.zh[start : match.end() + 20], m.source),
            )


@register_check("erratum")
def _erratum(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for action in policy.actions:
        for e in action.text.errata:
            yield _about_action(
                "erratum",
                Severity.INFO,
                action,
                f"措施{action.id}原文“{e.printed}”应为“{e.corrected}”",
                f"action {action.id} prints '{e.printed}' for '{e.corrected}': {e.note}",
            )


@register_check("deadline-overdue")
def _deadline_overdue(policy: Policy, config: AuditConfig) -> Iterable[Finding]:
    on = config.date_of(policy)
    for action in policy.actions:
        deadline = action.deadline
        if deadline is None or deadline.on is None or deadline.on >= on:
            continue  # no deadline, an open one (长期坚持), or not yet due
        yield _about_action(
            "deadline-overdue",
            Severity.WARNING,
            action,
            f"任务{action.id}的完成时限为{deadline}，早于{on.isoformat()}（此处不记录完成情况）",
            f"task {action.id} was due before {on.isoformat()} (deadline {deadline}); "
            "completion is not tracked here",
        )


@register_check("unit-defunct")
def _unit_defunct(policy: Policy, config: AuditConfig) -> Iterable[Finding]:
    on = config.date_of(policy)
    for action in policy.actions:
        for unit in action.bureaus:
            ended = unit.ended_by(on)
            if ended is None:
                continue
            heirs = queries.successor_of(policy, unit, on)
            kind = ended.kind.value.removesuffix("_into")  # merged, split, abolished
            heirs_zh = "、".join(b.name_on(on).zh for b in heirs) or "无承接单位"
            heirs_en = (
                ", ".join(f"{b.name_on(on).get('en')} ({b.id})" for b in heirs) or "no successor"
            )
            yield Finding(
                "unit-defunct",
                Severity.WARNING,
                f"action:{action.id}",
                Text(
                    f"任务{action.id}的责任单位{unit.name.zh}于{ended.on.isoformat()}已不存在"
                    f"（{on.isoformat()}），现由{heirs_zh}承接",
                    f"task {action.id} is assigned to {unit.name.get('en')}, which was {kind} on "
                    f"{ended.on.isoformat()}; on {on.isoformat()} its duties are held by {heirs_en}",
                ),
                f"{_clause(action.text.zh, action.source)}; {kind} {ended.on.isoformat()}: {ended.source}",
            )


def _untranslated(
    subject: str, zh: str, en: str, fields: Sequence[tuple[str, Text]], source: SourceRef | None
) -> Iterable[Finding]:
    """A missing-translation finding for one object, where any of its texts has no English.

    ``zh`` and ``en`` name the object (第3项, measure 3); the evidence is the Chinese of
    its first untranslated text, clipped, with where it is printed.
    """
    missing = [(name, text) for name, text in fields if not text.translated]
    if not missing:
        return
    names = ", ".join(name for name, _ in missing)
    evidence = missing[0][1].zh
    yield Finding(
        "missing-translation",
        Severity.WARNING,
        subject,
        Text(
            f"{zh}缺少英文译文：{'、'.join(name for name, _ in missing)}",
            f"{en} has no English translation of {names}",
        ),
        _clause(evidence, source) if source is not None else f"「{clip(evidence, 80)}」",
    )


@register_check("missing-translation")
def _missing_translation(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    notice = policy.notice
    parts = ("addressees", "preamble", "attachment", "annex_title", "publication_note")
    fields: list[tuple[str, Text]] = [("title", notice.title), ("issuer", notice.issuer)]
    fields += [(key, part) for key in parts if (part := getattr(notice, key)) is not None]
    fields += [(f"parents[{i}].title", p.title) for i, p in enumerate(notice.parents)]
    yield from _untranslated("notice", "通知", "the notice", fields, notice.source)
    for s in notice.sections:
        yield from _untranslated(
            "notice",
            f"通知第{s.number}部分",
            f"section {s.number} of the notice",
            [("heading", s.heading), ("text", s.text)],
            s.source,
        )
    for unit in policy.units:
        names = [("name", unit.name)]
        names += [(f"events[{i}].name", e.name) for i, e in enumerate(unit.events) if e.name]
        yield from _untranslated(
            f"bureau:{unit.id}", f"单位{unit.name.zh}", f"unit {unit.id}", names, None
        )
    for m in policy.measures:
        yield from _untranslated(
            f"measure:{m.number}",
            f"第{m.number}项",
            f"measure {m.number}",
            [("title", m.title), ("provincial_text", m.provincial_text)],
            m.source,
        )
        for action in m.actions:
            subject = f"action:{action.id}"
            if not action.items:  # a task with items takes its text from them
                yield from _untranslated(
                    subject,
                    f"任务{action.id}",
                    f"task {action.id}",
                    [("text", action.text)],
                    action.source,
                )
            for item in action.items:
                yield from _untranslated(
                    subject,
                    f"任务{action.id}第{item.number}项",
                    f"item {item.number} of task {action.id}",
                    [("text", item.text)],
                    item.source,
                )


_WHERE = re.compile(r"(measures|bureaus)\[(\d+)\](?:\.tasks\[(\d+)\])?")


def _review_subject(policy: Policy, where: str) -> str:
    """The node id a review entry's key path points at: a task, measure or unit; else notice or plan."""
    match = _WHERE.match(where)
    if match is None:
        return "notice" if where.startswith("notice") else "plan"
    key, index, task = match.group(1), int(match.group(2)), match.group(3)
    if key == "bureaus":
        return f"bureau:{policy.bureaus[index].id}" if index < len(policy.bureaus) else "plan"
    if index >= len(policy.measures):
        return "plan"
    measure = policy.measures[index]
    if task is not None and int(task) < len(measure.actions):
        return f"action:{measure.actions[int(task)].id}"
    return f"measure:{measure.number}"


@register_check("draft-review-open")
def _draft_review_open(policy: Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
    for index, note in enumerate(policy.review):
        lines = "" if note.lines is None else f", lines {note.lines[0]}-{note.lines[1]}"
        where = f" at {note.where}" if note.where else ""
        yield Finding(
            "draft-review-open",
            Severity.WARNING,
            _review_subject(policy, note.where),
            Text(
                f"草稿审阅条目尚未处理（{note.kind}）：{note.message}",
                f"the draft's reviewer has not cleared this entry ({note.kind}): {note.message}",
            ),
            f"review[{index}]{where}{lines} ({policy.provenance.document_number})",
        )
