"""HTML for notebooks: what Jupyter shows for a plan, a measure, a unit or a decision.

[`Policy`][yantai_policy.model.Policy], [`Measure`][yantai_policy.model.Measure],
[`Bureau`][yantai_policy.model.Bureau] and
[`Decision`][yantai_policy.benefits.Decision] have a ``_repr_html_`` method that calls the
functions here, so a notebook cell ending in one of them shows a table rather than
the attrs repr. The model imports this module only when a notebook asks for the
HTML, and it needs nothing beyond the standard library's `html`.

Every piece of text is escaped with `html.escape`, as the audit report's
``_repr_html_`` does; Chinese is marked ``lang="zh"`` and English ``lang="en"``.

Examples:
    >>> import yantai_policy as yp
    >>> html = yp.load_policy().measure(7)._repr_html_()
    >>> html.startswith('<div class="yantai-policy measure">')
    True
    >>> "提供贷款贴息" in html and "7.3" in html
    True
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from yantai_policy.benefits.decision import Decision
    from yantai_policy.model import Action, Bureau, Measure, Policy, SourceRef, Text

__all__ = ["bureau_html", "decision_html", "measure_html", "policy_html"]

# The kinds' Chinese names (BureauKind carries only the English value).
_KIND_ZH = {
    "municipal_department": "市政府组成部门",
    "vertical_agency": "垂直管理机构",
    "peoples_organisation": "人民团体",
    "office": "办公室",
}


def _e(value: object) -> str:
    """Escape anything for HTML, quotes included."""
    return escape(str(value))


def _text(text: Text, sep: str = "<br>") -> str:
    """A Text as its Chinese then its English, each escaped and marked with its language."""
    return f'<span lang="zh">{_e(text.zh)}</span>{sep}<span lang="en">{_e(text.en)}</span>'


def _lines(source: SourceRef) -> str:
    """The lines of the published text, without the document number."""
    if source.first_line == source.last_line:
        return _e(source.first_line)
    return f"{_e(source.first_line)}–{_e(source.last_line)}"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table; headers are escaped here, cells must already be HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _action_role(action: Action) -> str:
    role = f"{_e(action.role.zh)}<br>{_e(action.role.en)}"
    others = [i for i in action.items if i.role is not action.role]
    if others:  # measure 14, item 2 takes the lead although the action is 负责
        role += "".join(
            f"<br><small>item {_e(i.number)}: {_e(i.role.zh)} {_e(i.role.en)}</small>"
            for i in others
        )
    return role


def _action_text(action: Action) -> str:
    cell = _text(action.text)
    for erratum in action.text.errata:
        cell += (
            f"<br><small>erratum: printed “{_e(erratum.printed)}”, read “{_e(erratum.corrected)}”"
            f" ({_e(erratum.note)})</small>"
        )
    return cell


def _units_cells(action: Action) -> tuple[str, str]:
    """The unit and role cells: the task's one unit, or every unit of a shared task.

    A shared task lists its units one per line, each with its own role beside it in the
    role cell, in the same order.
    """
    if not action.is_shared:
        return _text(action.bureau.name), _action_role(action)
    from yantai_policy.labels import unit_roles  # noqa: PLC0415

    parts = unit_roles(action)
    units = "<hr>".join(_text(unit.name) for unit, _ in parts)
    roles = "<hr>".join(f"{_e(role.zh)}<br>{_e(role.en)}" for _, role in parts)
    return units, roles


def measure_html(measure: Measure) -> str:
    """Return a measure as HTML: number, title, provincial text, and a table of its actions.

    Every unit of a shared task shows, with its role.
    """
    rows = [
        (_e(a.id), *_units_cells(a), _action_text(a), _lines(a.source)) for a in measure.actions
    ]
    table = _table(("action", "unit", "role", "text", "lines"), rows)
    return (
        '<div class="yantai-policy measure">'
        f"<h4>第{_e(measure.number)}项 · measure {_e(measure.number)}: "
        f"{_text(measure.title, ' · ')}</h4>"
        f"<p><small>{_e(measure.source)}</small></p>"
        f"<p>{_text(measure.provincial_text)}</p>"
        f"{table}</div>"
    )


def policy_html(policy: Policy) -> str:
    """Return a plan as HTML: the notice's number, title and date, and a table of its measures.

    Each measure's row gives its number, title, units and how many actions it has; the
    measure's own HTML (`policy.measure(7)` in a cell) shows its actions in full.
    """
    notice = policy.notice
    rows = [
        (
            _e(m.number),
            _text(m.title),
            f'<span lang="zh">{_e("、".join(b.name.zh for b in m.bureaus))}</span>',
            _e(len(m.actions)),
        )
        for m in policy.measures
    ]
    table = _table(("measure", "title", "units", "actions"), rows)
    return (
        '<div class="yantai-policy policy">'
        f"<h4>{_e(notice.document_number)} · {_text(notice.title, ' · ')}</h4>"
        f"<p><small>{_text(notice.issuer, ' · ')}, {_e(notice.issued_on)}: "
        f"{_e(len(policy.measures))} measures, {_e(len(policy.actions))} actions, "
        f"{_e(len(policy.bureaus))} units</small></p>"
        f"{table}</div>"
    )


def bureau_html(bureau: Bureau) -> str:
    """Return a unit as HTML: its id, names, short names and kind.

    A [`Bureau`][yantai_policy.model.Bureau] does not know its actions (the plan holds them),
    so only its own fields are shown; ``actions_frame(policy)`` in
    [`yantai_policy.frames`][yantai_policy.frames] lists them.
    """
    short = "、".join(bureau.short_names) if bureau.short_names else "—"
    kind = bureau.kind.value
    rows = [
        ("id", f"<code>{_e(bureau.id)}</code>"),
        ("name (zh)", f'<span lang="zh">{_e(bureau.name.zh)}</span>'),
        ("name (en)", f'<span lang="en">{_e(bureau.name.en)}</span>'),
        ("short names", f'<span lang="zh">{_e(short)}</span>'),
        ("kind", f"{_e(_KIND_ZH.get(kind, ''))} {_e(kind)}".strip()),
    ]
    table = _table(("field", "value"), rows)
    return (
        '<div class="yantai-policy bureau">'
        f"<h4>{_text(bureau.name, ' · ')}</h4>{table}"
        "<p><small>A unit does not hold its actions: the plan does "
        "(<code>policy.actions</code>, <code>yantai_policy.frames.actions_frame</code>)."
        "</small></p></div>"
    )


def decision_html(decision: Decision) -> str:
    """Return a decision as HTML: verdict and amount, reasons, breakdown, parameters, notes."""
    verdict = "符合条件 · eligible" if decision.eligible else "不符合条件 · not eligible"
    amount = (
        "金额无法确定 · the amount cannot be determined"
        if decision.amount is None
        else f"{_e(decision.amount)} 元 yuan"
    )
    where = f"第{_e(decision.measure)}条 · measure {_e(decision.measure)}"
    record = f"record <code>{_e(decision.record_id)}</code>, on {_e(decision.on)}"
    parts = [
        '<div class="yantai-policy decision">',
        f"<h4>{_text(decision.title, ' · ')} <small>({where})</small></h4>",
        f"<p>{record}: <strong>{verdict}</strong>, <strong>{amount}</strong></p>",
    ]
    reasons = [
        (
            "✓" if r.held else "✗",
            _text(r.text)
            + ("" if r.group is None else "<br><small>(其一即可 · one of these suffices)</small>"),
            f'{_e(r.clause.cite("en"))}<br><span lang="zh">「{_e(r.clause.excerpt)}」</span>',
            _e(r.detail),
        )
        for r in decision.reasons
    ]
    parts.append(_table(("held", "condition", "clause", "detail"), reasons))
    if decision.lines:
        lines = [
            (
                _e(line.key),
                _text(line.text),
                _e(line.amount),
                "yes" if line.counted else "no (not part of the amount)",
                _e(line.detail),
            )
            for line in decision.lines
        ]
        parts.append(_table(("line", "what", "amount", "counted", "detail"), lines))
    if decision.parameters:
        uses = [
            (
                f"<code>{_e(p.name)}</code>",
                _e(p.value),
                "—" if p.effective is None else _e(p.effective),
                _e(p.source.cite("en")),
            )
            for p in decision.parameters
        ]
        parts.append(_table(("parameter", "value", "since", "source"), uses))
    if decision.notes:
        notes = "".join(f"<li>{_text(n)}</li>" for n in decision.notes)
        parts.append(f"<ul>{notes}</ul>")
    parts.append(f"<p><small>data sha256 <code>{_e(decision.policy_sha256)}</code></small></p>")
    parts.append("</div>")
    return "".join(parts)
