"""Draft a plan file from a notice's published text.

`draft_plan` reads a responsibility plan (分工方案) as copied from a PDF or a web
page and writes a format-2 plan draft: the notice's particulars, its measures, tasks
and numbered items with their line spans, and the units named for each with the roles
the text marks. Chinese is kept verbatim; English is left empty for translation. What
the drafter cannot decide is listed in a review list, with its lines, rather than
guessed.

Three layouts are read: the table of Yantai's notice (序号 | 省政策内容 | 具体推进措施
| 责任单位), inline parentheses after each task (（市发展改革委牵头，市财政局配合）),
and labelled lines (牵头单位：…, 配合单位：…, 责任单位：…).

Examples:
    >>> from yantai_policy.loading import read_data_file
    >>> draft = draft_plan(read_data_file("yantai-2021-3.txt").decode())
    >>> draft.layout, len(draft.plan["measures"]), sum(len(m["tasks"]) for m in draft.plan["measures"])
    ('table', 20, 49)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from yantai_policy.drafting.build import MeasureDraft, Review, plan_body
from yantai_policy.drafting.particulars import read_particulars
from yantai_policy.drafting.source import SourceError, SourceText
from yantai_policy.drafting.units import Catalogue, CityUnits
from yantai_policy.errors import PolicyDataError

__all__ = [
    "LAYOUTS",
    "MAX_NOTICE_BYTES",
    "Draft",
    "DraftError",
    "Review",
    "draft_plan",
    "read_notice",
]

MAX_NOTICE_BYTES = 8 * 1024 * 1024
"""The largest notice the drafter reads: published plans run to a few hundred kilobytes."""

LAYOUTS = ("table", "inline", "labelled")
"""The layouts the drafter reads (``auto`` picks one)."""

LEAD_RULES = ("explicit", "first_listed", "none")


class DraftError(PolicyDataError):
    """A text the drafter cannot read at all: not UTF-8, binary, or too large."""


Layout = Callable[[SourceText, int, CityUnits], tuple[list[MeasureDraft], SourceText, list[Review]]]


def _layouts() -> dict[str, Layout]:
    from yantai_policy.drafting.inline import read_inline  # noqa: PLC0415 - each layout on demand
    from yantai_policy.drafting.labelled import read_labelled  # noqa: PLC0415
    from yantai_policy.drafting.table import read_table  # noqa: PLC0415

    return {"table": read_table, "inline": read_inline, "labelled": read_labelled}


@attrs.frozen
class Draft:
    """A plan drafted from a notice's text.

    Attributes:
        plan: The format-2 plan as a dict (dates as `datetime.date`), its ``review``
            list included; `yantai_policy.loading.policy_from_dict` loads it once
            what the review list gives as not found (a particular, every task, a
            measure's task) is filled in, and refuses it until then.
        review: What the drafter could not decide, for a person to check.
        layout: The layout it read: table, inline or labelled.
    """

    plan: Mapping[str, Any]
    review: tuple[Review, ...]
    layout: str

    def to_toml(self) -> str:
        """Return the draft as a TOML plan file: the review list as header comments and a table."""
        from yantai_policy.toml_text import dumps  # noqa: PLC0415 - only for writing

        comments = [
            f"A plan drafted by yantai-policy from the notice's published text ({self.layout} layout).",
            "Chinese is verbatim from the text; every English text is empty, for translation.",
            "Check each entry of `review` (below), then delete it: `yantai-policy audit`",
            "lists the entries still open, and the missing translations.",
        ]
        if self.review:
            comments += ["", f"To review ({len(self.review)}):"]
            comments += [f"  {_review_line(entry)}" for entry in self.review]
        return dumps(self.plan, comments=comments)


def _review_line(entry: Review) -> str:
    where = f"lines {entry.lines[0]}-{entry.lines[1]}: " if entry.lines else ""
    return f"{where}{entry.kind}: {entry.message}"


def review_line(entry: Review) -> str:
    """Return a review entry as one line: ``lines 151-153: unit-boundary: …``."""
    return _review_line(entry)


def read_notice(data: bytes, *, name: str = "<text>") -> str:
    """Decode a notice's bytes: UTF-8 (a byte-order mark allowed), or UTF-16/32 with its mark.

    Raises:
        DraftError: The bytes are too many, not text (NUL bytes), or not valid in
            their encoding; the message gives the byte offset and line.
    """
    from yantai_policy.textio import bom_encoding  # noqa: PLC0415

    if len(data) > MAX_NOTICE_BYTES:
        raise DraftError(
            f"the notice is {len(data):,} bytes; the drafter reads at most "
            f"{MAX_NOTICE_BYTES:,} (a published plan is a few hundred kilobytes)",
            file=name,
        )
    try:
        encoding = bom_encoding(data[:4])
    except ValueError as error:
        raise DraftError(str(error), file=name) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DraftError(
            f"not {encoding.removesuffix('-sig').upper()} text: byte 0x{data[error.start]:02x} "
            f"at offset {error.start} can't be decoded",
            file=name,
            line=line,
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        raise DraftError(
            f"not text: a NUL character at offset {offset}",
            file=name,
            line=text.count("\n", 0, offset) + 1,
        )
    return text


# How a plan states its lead convention (folded).
_FIRST_LISTED = re.compile(
    r"(列|排|名)(在|于)?(第一位|第一|首位|前面|最前)(的|者)?(单位|部门)?(为|是)(牵头|主办|主责)"
    r"|第一(个|家)?(单位|部门)(为|是)牵头"
)
_BOLD = re.compile(
    r"(黑体|加粗|粗体|字体加黑)字?(标注|标明|标出|显示)?(的|者)?(单位|部门)?(为|是)(牵头|主办)"
)


def _lead_rule(
    source: SourceText, measures: list[MeasureDraft], given: str | None
) -> tuple[str, list[Review]]:
    if given is not None:
        rule = given.replace("-", "_")
        if rule not in LEAD_RULES:
            raise ValueError(
                f"unknown lead rule {given!r}; expected one of {', '.join(LEAD_RULES)}"
            )
        return rule, []
    text = "".join(line.folded for line in source.content)
    for line in source.content:
        if _BOLD.search(line.folded):
            return "explicit", [
                Review(
                    "role-bold-lost",
                    "the plan marks its lead units in bold (" + line.text[:40] + "), which the "
                    "text does not keep: the draft gives no unit the lead; mark the leads by hand",
                    (line.number, line.number),
                )
            ]
    match = _FIRST_LISTED.search(text)
    if match:
        return "first_listed", []
    markers = {
        ref.marker
        for m in measures
        for t in m.tasks
        for ref in (*t.units, *(u for i in t.items for u in i.units))
    }
    roles = {i.role for m in measures for t in m.tasks for i in t.items}
    if markers & {"lead", "assist"} or roles & {"lead", "assist"}:
        return "explicit", []
    shared = [t for m in measures for t in m.tasks if len(t.units) > 1]
    if shared:
        return "none", [
            Review(
                "role-convention",
                f"no lead convention found: {len(shared)} shared tasks mark no lead, so every "
                "unit is drafted as responsible (lead_rule = none)",
            )
        ]
    return "none", []


def _pick_layout(source: SourceText, start: int) -> tuple[str, list[Review]]:
    from yantai_policy.drafting.paragraphs import layout_evidence  # noqa: PLC0415
    from yantai_policy.drafting.table import find_header  # noqa: PLC0415

    body = source.content[start:]
    scores = layout_evidence(body)  # lines starting with a unit label; unit parentheticals
    if find_header(body) is not None and max(scores.values()) < 3:
        return "table", []
    layout = max(scores, key=lambda k: scores[k])
    review = []
    if scores[layout] == 0:
        layout = "inline"
        review.append(
            Review(
                "layout-guess",
                "no table header, unit labels or unit parentheses found; read as inline",
            )
        )
    return layout, review


def draft_plan(  # noqa: PLR0913 - keyword-only options
    text: str,
    *,
    layout: str = "auto",
    lead_rule: str | None = None,
    source_file: str = "notice.txt",
    city: str | None = None,
    catalogue: Catalogue | None = None,
) -> Draft:
    """Draft a format-2 plan from a notice's published text.

    Args:
        text: The notice as copied from a PDF or a web page.
        layout: ``auto`` (the default), ``table``, ``inline`` or ``labelled``.
        lead_rule: The plan's lead convention, where the text does not state it:
            ``explicit``, ``first_listed`` (or ``first-listed``) or ``none``.
        source_file: The text's file name, recorded in the draft's provenance.
        city: The city's name, for the units' names (烟台); taken from the issuer
            when not given.
        catalogue: The known unit names; the built-in catalogue when not given.

    Returns:
        The draft. A text with no tasks gives a draft with no measures and a
        ``no-tasks`` review entry.

    Raises:
        DraftError: The text holds characters no plan file can hold.
        ValueError: An unknown layout or lead rule.
    """
    if layout != "auto" and layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected auto or one of {', '.join(LAYOUTS)}")
    try:
        source = SourceText.from_text(text)
    except SourceError as error:
        raise DraftError(str(error), file=source_file) from None
    first = read_particulars(source)
    source = source.with_furniture(first.furniture)
    particulars = read_particulars(source)
    review = list(particulars.review)
    chosen = layout
    if layout == "auto":
        chosen, guessed = _pick_layout(source, particulars.body)
        review += guessed
    units = (catalogue or Catalogue.builtin()).for_city(city or particulars.city)
    readers = _layouts()
    if chosen not in readers:
        raise ValueError(f"the {chosen} layout is not available")
    measures, source, found = readers[chosen](source, particulars.body, units)
    review += found
    rule, ruled = _lead_rule(source, measures, lead_rule)
    review += ruled
    bureaus, plan_measures, unit_review = plan_body(measures, units)
    review += unit_review
    if not plan_measures:
        review.append(Review("no-tasks", "no measure with a task and a unit was found"))
    notice = dict(particulars.notice)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    provenance: dict[str, Any] = {
        "document_number": notice.get("document_number", ""),
        "issuer": particulars.issuer,
    }
    if particulars.issued_on is not None:
        provenance["issued_on"] = particulars.issued_on
    provenance |= {
        "source_file": source_file,
        "source_sha256": sha,
        "furniture_lines": sorted(source.furniture),
        "note": f"Drafted by yantai-policy from the published text ({chosen} layout); "
        "to be reviewed. Chinese verbatim; English to be translated.",
    }
    if particulars.issued_on is not None:
        notice.setdefault("issued_on", particulars.issued_on)
    plan: dict[str, Any] = {
        "format": "yantai-policy/plan",
        "format_version": 2,
        "lead_rule": rule,
        "provenance": provenance,
        "notice": notice,
        "bureaus": bureaus,
        "measures": plan_measures,
        "parameters": {},
        "review": [entry.to_dict() for entry in review],
    }
    return Draft(plan=plan, review=tuple(review), layout=chosen)
