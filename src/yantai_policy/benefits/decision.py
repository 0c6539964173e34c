"""Decisions that explain themselves: conditions, clauses, parameters and data.

Each condition says whether it held and the clause it comes from; each parameter
value used says where it comes from; the decision names the data it was made from.

A [`Decision`][yantai_policy.benefits.decision.Decision] is what [`yantai_policy.benefits.evaluate`][yantai_policy.benefits.evaluate] returns. It is
frozen, renders itself in prose ([`Decision.explain`][yantai_policy.benefits.decision.Decision.explain]) and round-trips through
JSON ([`Decision.to_dict`][yantai_policy.benefits.decision.Decision.to_dict], [`Decision.from_dict`][yantai_policy.benefits.decision.Decision.from_dict]).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from yantai_policy._reprs import clip
from yantai_policy.dates import parse_date
from yantai_policy.model import Text
from yantai_policy.parameters import EXACT, Source, SourceKind

__all__ = ["Clause", "Condition", "Decision", "Line", "ParameterUse"]


@attrs.frozen(repr=False)
class Clause:
    """A clause of the notice, quoted verbatim.

    Attributes:
        excerpt: The words, exactly as published.
        measure: The measure whose text holds them, if any.
        action: The action (such as ``"6.1"``) whose text holds them, if any.
        section: The notice's numbered section (1-4) that holds them, if any.
    """

    excerpt: str
    measure: int | None = None
    action: str | None = None
    section: int | None = None

    def __repr__(self) -> str:
        """Return ``<Clause measure 6, action 6.1: 「给予 5000元…」>``, clipped."""
        return f"<Clause {self.cite()}: 「{clip(self.excerpt)}」>"

    def cite(self, lang: str = "en") -> str:
        """Return where the clause is: ``measure 6, action 6.1``, ``section 3``, ``notice``."""
        zh = lang == "zh"
        if self.measure is not None:
            where = f"第{self.measure}条" if zh else f"measure {self.measure}"
            if self.action is not None:
                where += f" {self.action}" if zh else f", action {self.action}"
            return where
        if self.section is not None:
            return f"第{'一二三四'[self.section - 1]}部分" if zh else f"section {self.section}"
        return "通知" if zh else "notice"


@attrs.frozen(repr=False)
class Condition:
    """One condition of a decision, and whether it held.

    Attributes:
        code: A stable identifier, such as ``first_licence``.
        text: The condition, in Chinese and English.
        held: Whether it held for this record on this day.
        clause: The clause it comes from.
        detail: The facts behind the answer (the dates compared, the field missing).
        group: ``None`` for a condition that must hold; otherwise a name shared by
            alternatives, of which at least one must hold.
    """

    code: str
    text: Text
    held: bool
    clause: Clause
    detail: str = ""
    group: str | None = None

    def __repr__(self) -> str:
        """Return ``<Condition first_licence: held>`` or ``… not held``."""
        return f"<Condition {clip(self.code, 48)}: {'held' if self.held else 'not held'}>"


@attrs.frozen(repr=False)
class ParameterUse:
    """A parameter value a decision used.

    Attributes:
        name: The parameter's name.
        value: The value, rendered (``5000.00``, ``65%``, ``2/3``, ``36 months``), or
            ``none`` where no value is in force.
        effective: The date that value took effect, if any.
        source: Where it comes from.
    """

    name: str
    value: str
    effective: dt.date | None
    source: Source

    def __repr__(self) -> str:
        """Return ``<ParameterUse startup_subsidy.amount = 5000.00>``."""
        return f"<ParameterUse {clip(self.name, 60)} = {clip(self.value)}>"


@attrs.frozen(repr=False)
class Line:
    """One line of a decision's breakdown: a tax's deduction, a year's subsidy.

    Attributes:
        key: A stable identifier, such as ``vat`` or ``2021``.
        text: What the line is, in Chinese and English.
        amount: Yuan.
        counted: Whether the line is part of the decision's amount (a quota left
            over, say, is not).
        detail: How the amount was reached.
    """

    key: str
    text: Text
    amount: Decimal
    counted: bool = True
    detail: str = ""

    def __repr__(self) -> str:
        """Return ``<Line vat: 1200.00>`` (``not counted`` where it is not part of the amount)."""
        counted = "" if self.counted else " not counted"
        return f"<Line {clip(self.key, 40)}: {self.amount}{counted}>"


@attrs.frozen(repr=False)
class Decision:
    """A benefit decision for one record on one day, with its reasons.

    Attributes:
        benefit: The benefit's name, such as ``startup_subsidy``.
        title: The benefit's name in Chinese and English.
        measure: The measure of the notice it implements.
        record_id: The record's ``id``, echoed back.
        on: The day of application.
        eligible: Whether every condition held.
        amount: Yuan, or ``None`` where the amount cannot be determined (a standard
            the notice leaves to other rules and no one has supplied).
        reasons: Every condition, in order, whether it held, and its clause.
        parameters: The parameter values used, with their sources.
        lines: The breakdown of the amount, where there is one.
        notes: Further facts of the decision (who may be paid, what is per regulation).
        policy_sha256: The SHA-256 of the plan data the decision was made from.
    """

    benefit: str
    title: Text
    measure: int
    record_id: str
    on: dt.date
    eligible: bool
    amount: Decimal | None
    reasons: tuple[Condition, ...]
    parameters: tuple[ParameterUse, ...]
    lines: tuple[Line, ...]
    notes: tuple[Text, ...]
    policy_sha256: str

    def __repr__(self) -> str:
        """Return ``<Decision social_insurance_subsidy G1 on 2021-05-01: eligible, 665.99 yuan>``.

        A decision that is not eligible names the first conditions that failed; `explain`
        gives it in full.
        """
        head = f"<Decision {clip(self.benefit, 40)} {clip(self.record_id)} on {self.on}"
        amount = "amount undetermined" if self.amount is None else f"{self.amount} yuan"
        if self.eligible:
            return f"{head}: eligible, {amount}>"
        unmet = [r.code for r in self.reasons if not r.held]
        return f"{head}: not eligible (unmet: {clip(', '.join(unmet), 60)})>"

    def explain(self, lang: str = "en") -> str:
        """Render the decision in prose, in ``"en"`` or ``"zh"``.

        Raises:
            ValueError: ``lang`` is neither.
        """
        if lang not in {"en", "zh"}:
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        zh = lang == "zh"
        out = [self._headline(zh), "条件：" if zh else "Conditions:"]
        for reason in self.reasons:
            alt = ""
            if reason.group is not None:
                alt = "（其一即可）" if zh else " (one of these suffices)"
            detail = f" [{reason.detail}]" if reason.detail else ""
            out.append(
                f"  {'✓' if reason.held else '✗'} {reason.text.get(lang)}{alt} — "
                f"{reason.clause.cite(lang)}「{reason.clause.excerpt}」{detail}"
            )
        if self.lines:
            out.append("明细：" if zh else "Breakdown:")
            out.extend(_line(line, zh) for line in self.lines)
        if self.parameters:
            out.append("参数：" if zh else "Parameters:")
            for use in self.parameters:
                since = f", {'自' if zh else 'since'} {use.effective}" if use.effective else ""
                out.append(f"  {use.name} = {use.value}{since} ({use.source.cite(lang)})")
        if self.notes:
            out.append("说明：" if zh else "Notes:")
            out.extend(f"  {note.get(lang)}" for note in self.notes)
        out.append(f"{'数据' if zh else 'Data'} sha256: {self.policy_sha256}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        """Return the decision as HTML for notebooks (see [`yantai_policy.display`][yantai_policy.display])."""
        from yantai_policy.display import decision_html  # noqa: PLC0415 - only notebooks need it

        return decision_html(self)

    def _headline(self, zh: bool) -> str:
        if zh:
            amount = "金额无法确定" if self.amount is None else f"{self.amount} 元"
            verdict = "符合条件" if self.eligible else "不符合条件"
            return f"{self.title.zh}（第{self.measure}条），申请日 {self.on}，记录 {self.record_id}：{verdict}，{amount}。"
        amount = "the amount cannot be determined" if self.amount is None else f"{self.amount} yuan"
        verdict = "eligible" if self.eligible else "not eligible"
        return (
            f"{self.title.en} (measure {self.measure}) on {self.on} for record "
            f"{self.record_id}: {verdict}, {amount}."
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as JSON-ready data (amounts as strings)."""
        return {
            "benefit": self.benefit,
            "title": _text(self.title),
            "measure": self.measure,
            "record_id": self.record_id,
            "on": self.on.isoformat(),
            "eligible": self.eligible,
            "amount": None if self.amount is None else str(self.amount),
            "reasons": [
                {
                    "code": r.code,
                    "text": _text(r.text),
                    "held": r.held,
                    "clause": attrs.asdict(r.clause),
                    "detail": r.detail,
                    "group": r.group,
                }
                for r in self.reasons
            ],
            "parameters": [
                {
                    "name": p.name,
                    "value": p.value,
                    "effective": None if p.effective is None else p.effective.isoformat(),
                    "source": p.source.to_dict(),
                }
                for p in self.parameters
            ],
            "lines": [
                {
                    "key": line.key,
                    "text": _text(line.text),
                    "amount": str(line.amount),
                    "counted": line.counted,
                    "detail": line.detail,
                }
                for line in self.lines
            ],
            "notes": [_text(n) for n in self.notes],
            "policy_sha256": self.policy_sha256,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Rebuild a decision from [`to_dict`][yantai_policy.benefits.decision.Decision.to_dict] output.

        Raises:
            KeyError: A field is missing.
            ValueError: A value does not parse.
        """
        return cls(
            benefit=data["benefit"],
            title=Text(**data["title"]),
            measure=data["measure"],
            record_id=data["record_id"],
            on=parse_date(data["on"]),
            eligible=data["eligible"],
            amount=None if data["amount"] is None else EXACT.create_decimal(data["amount"]),
            reasons=tuple(
                Condition(
                    code=r["code"],
                    text=Text(**r["text"]),
                    held=r["held"],
                    clause=Clause(**r["clause"]),
                    detail=r["detail"],
                    group=r["group"],
                )
                for r in data["reasons"]
            ),
            parameters=tuple(
                ParameterUse(
                    name=p["name"],
                    value=p["value"],
                    effective=None if p["effective"] is None else parse_date(p["effective"]),
                    source=_source_from(p["source"]),
                )
                for p in data["parameters"]
            ),
            lines=tuple(
                Line(
                    key=line["key"],
                    text=Text(**line["text"]),
                    amount=EXACT.create_decimal(line["amount"]),
                    counted=line["counted"],
                    detail=line["detail"],
                )
                for line in data["lines"]
            ),
            notes=tuple(Text(**n) for n in data["notes"]),
            policy_sha256=data["policy_sha256"],
        )


def _line(line: Line, zh: bool) -> str:
    suffix = ""
    if not line.counted:
        suffix = "（不计入金额）" if zh else " (not part of the amount)"
    detail = f" [{line.detail}]" if line.detail else ""
    return f"  {line.text.get('zh' if zh else 'en')}: {line.amount}{suffix}{detail}"


def _text(text: Text) -> dict[str, str]:
    return {"zh": text.zh, "en": text.en}


def _source_from(data: dict[str, Any]) -> Source:
    note = data.get("note")
    return Source(
        kind=SourceKind(data["kind"]),
        measure=data.get("measure"),
        excerpt=data.get("excerpt"),
        document=data.get("document"),
        note=None if note is None else Text(**note),
    )
