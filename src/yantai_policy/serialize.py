"""Plain, JSON-ready dictionaries for the model's objects.

These are the shapes the CLI prints with ``--json`` and that other systems consume:
a unit is ``{"id", "name": {"zh", "en"}, ...}`` and an action is
``{"id", "measure", "bureau", "role", "text": {"zh", "en"}, ...}``. Keys come in a
fixed order and every value is a str, int, list, dict or None.

Examples:
    >>> import json, yantai_policy as yp
    >>> from yantai_policy.serialize import bureau_to_dict
    >>> print(json.dumps(bureau_to_dict(yp.load_policy().bureau("finance"), lang="zh"), ensure_ascii=False))
    {"id": "finance", "name": {"zh": "市财政局"}, "short_names": [], "kind": "municipal_department"}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from yantai_policy.labels import Labels
    from yantai_policy.model import (
        Action,
        Assignment,
        Bureau,
        Deadline,
        Item,
        Measure,
        Notice,
        Policy,
        SourceRef,
        Text,
    )
    from yantai_policy.queries import WorkloadRow

__all__ = [
    "BATCH_FORMATS",
    "BATCH_OUTPUT_FORMATS",
    "MAX_BATCH_BYTES",
    "MAX_BODY_BYTES",
    "MAX_JOBS",
    "MAX_LINE_BYTES",
    "Lang",
    "action_to_dict",
    "bureau_to_dict",
    "co_owners_to_dict",
    "markdown_cell",
    "measure_to_dict",
    "neutralise_cell",
    "notice_to_dict",
    "parameters_to_dict",
    "source_to_dict",
    "text_to_dict",
    "unit_detail_to_dict",
    "unit_task_to_dict",
    "workload_to_dict",
]

Lang = Literal["zh", "en", "both"]
"""Which languages to include: Chinese, English or both."""

JSON = dict[str, object]

# How a cell a spreadsheet would read as a formula starts: OWASP's = + - @ tab and
# carriage return (CSV injection), the full-width ＝＋－＠, and either after white space.
_FORMULA_LIKE = re.compile(r"[\t\r]|\s*[=+\-@＝＋－＠]")


BATCH_FORMATS = ("csv", "jsonl")
"""The formats of a batch's records and results (``evaluate``): named here, where the
command line can read them without loading the benefits."""
BATCH_OUTPUT_FORMATS = (*BATCH_FORMATS, "xlsx")
"""What a batch's results can be written as, by suffix (``.xlsx`` needs openpyxl)."""

MAX_JOBS = 256
"""The most worker processes a batch starts (where processes are forked, the pool starts
them all at once, so a mistyped ``jobs=10**9`` would try to fork a billion)."""

MAX_LINE_BYTES = 16 * 1024 * 1024
"""The default bound on one input line: a JSONL line's bytes, a CSV record's characters.

A line past it is an error row, read in pieces and never held whole, and the file
goes on (``yantai-policy evaluate --max-line-bytes``)."""

MAX_BODY_BYTES = 1 << 20
"""The largest JSON request body the HTTP API reads (``serve --max-body-bytes``)."""

MAX_BATCH_BYTES = 64 << 20
"""The largest JSONL batch body the HTTP API reads (``serve --max-batch-bytes``)."""


def neutralise_cell(cell: str) -> str:
    r"""Prefix ``'`` to a cell a spreadsheet would read as a formula (CSV injection).

    The one rule for every CSV and ``.xlsx`` cell this library writes: a cell that begins
    with OWASP's ``=``, ``+``, ``-``, ``@``, tab or carriage return; with their full-width
    forms ``＝``, ``＋``, ``－``, ``＠``; or with either after white space (a space, a
    newline, an ideographic space).

    Examples:
        >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("市财政局")
        ("'=HYPERLINK(1)", '市财政局')
        >>> neutralise_cell(" =1"), neutralise_cell("\n@A1"), neutralise_cell("＝1+1"), neutralise_cell(" 1")
        ("' =1", "'\n@A1", "'＝1+1", ' 1')
    """
    return "'" + cell if _FORMULA_LIKE.match(cell) else cell


def markdown_cell(value: str) -> str:
    r"""Return a Markdown table cell on one line: ``\`` and ``|`` escaped, ``&`` and ``<`` as entities.

    The one rule for the cells of every Markdown table written from plan text (the
    responsibility matrix, plan diffs).

    Examples:
        >>> print(markdown_cell("a|b <c>\n& d"))
        a\|b &lt;c> &amp; d
    """
    value = " ".join(value.split()).replace("\\", "\\\\").replace("|", "\\|")
    return value.replace("&", "&amp;").replace("<", "&lt;")


def text_to_dict(text: Text, lang: Lang = "both") -> JSON:
    """Return ``{"zh", "en"}`` (or one of them), with any errata.

    Examples:
        >>> import yantai_policy as yp
        >>> text_to_dict(yp.Text("配合", "assist"))
        {'zh': '配合', 'en': 'assist'}
    """
    out: JSON = {}
    if lang in ("zh", "both"):
        out["zh"] = text.zh
    if lang in ("en", "both"):
        out["en"] = text.en
    if text.errata:
        out["errata"] = [
            {"printed": e.printed, "corrected": e.corrected, "note": e.note} for e in text.errata
        ]
    return out


def source_to_dict(source: SourceRef) -> JSON:
    """Return ``{"document", "lines": [first, last]}``."""
    return {"document": source.document, "lines": [source.first_line, source.last_line]}


def bureau_to_dict(bureau: Bureau, lang: Lang = "both", *, labels: Labels | None = None) -> JSON:
    """Return a unit as ``{"id", "name", "short_names", "kind"}``.

    ``name`` is the printed name. With ``labels`` on a day, ``as_of`` says how the unit
    stands that day (the rule of [`yantai_policy.labels`][yantai_policy.labels]):
    ``{"on", "name", "label", "exists", "successors"}``, the name in force, the label
    (``name → successors`` for a unit that has ended), whether it exists, and the ids of
    the units holding its duties.

    Examples:
        >>> import datetime as dt, yantai_policy as yp
        >>> from yantai_policy.labels import Labels
        >>> p = yp.load_policy()
        >>> bureau_to_dict(p.bureau("pboc"), "zh", labels=Labels(p, dt.date(2024, 1, 1)))["as_of"]
        {'on': '2024-01-01', 'name': {'zh': '中国人民银行烟台市分行'}, 'label': {'zh': '中国人民银行烟台市分行'}, 'exists': True, 'successors': ['pboc']}
    """
    out: JSON = {
        "id": bureau.id,
        "name": text_to_dict(bureau.name, lang),
        "short_names": list(bureau.short_names),
        "kind": bureau.kind.value,
    }
    state = None if labels is None else labels.state(bureau)
    if state is not None:
        out["as_of"] = {
            "on": state.on.isoformat(),
            "name": text_to_dict(state.name, lang),
            "label": text_to_dict(state.label, lang),
            "exists": state.exists,
            "successors": [s.id for s in state.successors],
        }
    return out


def _assignment_to_dict(assignment: Assignment, lang: Lang, labels: Labels | None) -> JSON:
    """Return ``{"unit", "name", "role"}``, and the unit's ``label`` on the labels' day."""
    out: JSON = {
        "unit": assignment.bureau.id,
        "name": text_to_dict(assignment.bureau.name, lang),
        "role": assignment.role.value,
    }
    if labels is not None and labels.on is not None:
        out["label"] = text_to_dict(labels.name(assignment.bureau), lang)
    return out


def _deadline_to_dict(deadline: Deadline | None) -> JSON | None:
    """Return ``{"on", "text"}`` (a ``YYYY-MM-DD`` or None, the printed words or None)."""
    if deadline is None:
        return None
    return {"on": None if deadline.on is None else deadline.on.isoformat(), "text": deadline.text}


def _item_to_dict(item: Item, lang: Lang, labels: Labels | None) -> JSON:
    return {
        "number": item.number,
        "role": item.role.value,
        "assignments": [_assignment_to_dict(a, lang, labels) for a in item.assignments],
        "text": text_to_dict(item.text, lang),
        "source": source_to_dict(item.source),
    }


def action_to_dict(action: Action, lang: Lang = "both", *, labels: Labels | None = None) -> JSON:
    """Return a task as ``{"id", "measure", "bureau", "role", "assignments", "text", ...}``.

    ``bureau`` and ``role`` are the task's lead, or else its first unit (so a reader of
    single-unit plans keeps working); ``bureau_name`` carries that unit's printed name.
    ``assignments`` lists every unit with its role (``{"unit", "name", "role"}``, with the
    unit's ``label`` when ``labels`` has a day); ``deadline`` is ``{"on", "text"}`` or
    None, ``reporting`` a rhythm or None, and ``districts`` whether the text charges the
    district governments. The text is always as printed.

    Examples:
        >>> import yantai_policy as yp
        >>> d = action_to_dict(yp.load_policy().action("7.1"), "en")
        >>> d["bureau"], d["role"], d["assignments"][0]["unit"], d["deadline"], d["districts"]
        ('finance', 'responsible', 'finance', None, False)
    """
    out: JSON = {
        "id": action.id,
        "measure": action.measure,
        "bureau": action.bureau.id,
        "bureau_name": text_to_dict(action.bureau.name, lang),
        "role": action.role.value,
        "assignments": [_assignment_to_dict(a, lang, labels) for a in action.assignments],
        "deadline": _deadline_to_dict(action.deadline),
        "reporting": None if action.reporting is None else action.reporting.value,
        "districts": action.districts,
        "text": text_to_dict(action.text, lang),
        "items": [_item_to_dict(i, lang, labels) for i in action.items],
        "references": [
            {"mention": r.mention, "kind": r.kind.value, "bureau": r.bureau}
            for r in action.references
        ],
        "source": source_to_dict(action.source),
    }
    if labels is not None and labels.on is not None:
        out["as_of"] = labels.on.isoformat()
    return out


def measure_to_dict(
    measure: Measure, lang: Lang = "both", *, actions: bool = True, labels: Labels | None = None
) -> JSON:
    """Return a measure with its units and (unless ``actions=False``) its actions.

    With ``labels`` on a day, each unit and task carries its ``as_of`` label.
    """
    out: JSON = {
        "number": measure.number,
        "title": text_to_dict(measure.title, lang),
        "bureaus": [bureau_to_dict(b, lang, labels=labels) for b in measure.bureaus],
    }
    if actions:
        out["provincial_text"] = text_to_dict(measure.provincial_text, lang)
        out["actions"] = [action_to_dict(a, lang, labels=labels) for a in measure.actions]
        out["source"] = source_to_dict(measure.source)
    return out


def workload_to_dict(
    row: WorkloadRow, lang: Lang = "both", *, labels: Labels | None = None
) -> JSON:
    """Return a row of `queries.workload`: the unit, its counts, and its exact ``load``.

    ``load`` is a fraction as text (``"3/2"``): a task of n units counts 1/n.
    """
    return {
        "bureau": bureau_to_dict(row.bureau, lang, labels=labels),
        "actions": row.actions,
        "measures": row.measures,
        "share": row.share,
        "shared": row.shared,
        "load": str(row.load),
    }


def co_owners_to_dict(
    number: int, bureaus: Sequence[Bureau], lang: Lang = "both", *, labels: Labels | None = None
) -> JSON:
    """Return a measure's co-owners (`queries.co_owners`): ``{"measure": n, "bureaus": [...]}``."""
    return {"measure": number, "bureaus": [bureau_to_dict(b, lang, labels=labels) for b in bureaus]}


def unit_task_to_dict(
    action: Action, unit: Bureau, lang: Lang = "both", *, labels: Labels | None = None
) -> JSON:
    """Return a task as a unit holds it: the task, and ``roles``, the unit's own roles.

    ``roles`` are the unit's roles in the task and its items, in the order of `Role`
    (a role filter matches any of them).
    """
    from yantai_policy.model import Role  # noqa: PLC0415 - the model, one way down

    held = action.roles_of(unit)
    return {
        **action_to_dict(action, lang, labels=labels),
        "roles": [r.value for r in Role if r in held],
    }


def unit_detail_to_dict(
    policy: Policy, unit: Bureau, lang: Lang = "both", *, labels: Labels | None = None
) -> JSON:
    """Return a unit with its tasks, and on ``labels.on`` the tasks of the units it took over.

    ``holds_duties_of`` lists, where ``labels`` has a day, each unit whose duties this one
    holds that day (`Policy.duties_held`), with that unit's tasks.
    """
    from yantai_policy.queries import actions_of  # noqa: PLC0415 - the graph's query

    out = bureau_to_dict(unit, lang, labels=labels)
    out["actions"] = [action_to_dict(a, lang, labels=labels) for a in actions_of(policy, unit)]
    held = () if labels is None or labels.on is None else policy.duties_held(unit, labels.on)
    if held:
        out["holds_duties_of"] = [
            {
                "bureau": bureau_to_dict(u, lang, labels=labels),
                "actions": [action_to_dict(a, lang, labels=labels) for a in actions_of(policy, u)],
            }
            for u in held
        ]
    return out


def parameters_to_dict(policy: Policy, on: dt.date) -> JSON:
    """Return the parameters in force on a day: ``{"on", "parameters": [InForce.to_dict()]}``."""
    return {
        "on": on.isoformat(),
        "parameters": [r.to_dict() for r in policy.parameters.in_force(on)],
    }


def notice_to_dict(notice: Notice, lang: Lang = "both") -> JSON:
    """Return the notice's particulars and body; a part the notice lacks is None.

    ``parents`` lists every parent document; ``parent`` is the first, or None.
    """

    def part(text: Text | None) -> JSON | None:
        return None if text is None else text_to_dict(text, lang)

    parents: list[object] = [
        {"document_number": p.document_number, "title": text_to_dict(p.title, lang)}
        for p in notice.parents
    ]
    return {
        "document_number": notice.document_number,
        "issuer": text_to_dict(notice.issuer, lang),
        "issued_on": notice.issued_on.isoformat(),
        "title": text_to_dict(notice.title, lang),
        "addressees": part(notice.addressees),
        "parent": parents[0] if parents else None,
        "parents": parents,
        "preamble": part(notice.preamble),
        "sections": [
            {
                "number": s.number,
                "heading": text_to_dict(s.heading, lang),
                "text": text_to_dict(s.text, lang),
                "source": source_to_dict(s.source),
            }
            for s in notice.sections
        ],
        "attachment": part(notice.attachment),
        "annex_title": part(notice.annex_title),
        "publication_note": part(notice.publication_note),
    }
