"""The notice as typed, immutable objects.

Everything here is a frozen attrs class built by [`yantai_policy.load_policy`][yantai_policy.loading.load_policy]
from the plan file. Chinese is the key and English the translation: every piece of
text is a [`Text`][yantai_policy.model.Text] holding both, and every object that comes from the notice
says where (a [`SourceRef`][yantai_policy.model.SourceRef] with the document number and the lines of the
published text).

Examples:
    >>> import yantai_policy as yp
    >>> m = yp.load_policy().measure(7)
    >>> m.title.zh
    '提供贷款贴息'
    >>> [b.name.zh for b in m.bureaus]
    ['市财政局', '市人力资源社会保障局', '人民银行市中心支行']
    >>> print(m.source)
    烟政办字〔2021〕3号, lines 377-441
"""

from __future__ import annotations

import _thread
import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from yantai_policy._reprs import clip, plural
from yantai_policy._text import is_blank, name_key
from yantai_policy.errors import UnknownNameError
from yantai_policy.parameters import ParameterSet, SourceKind

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import networkx as nx
    import pandas as pd

__all__ = [
    "Action",
    "Assignment",
    "Bureau",
    "BureauKind",
    "Deadline",
    "Erratum",
    "EventSource",
    "Item",
    "LeadRule",
    "Measure",
    "Notice",
    "ParentNotice",
    "Policy",
    "Provenance",
    "Reference",
    "ReferenceKind",
    "Reporting",
    "ReviewNote",
    "Role",
    "Section",
    "SourceRef",
    "Task",
    "Text",
    "UnitEvent",
    "UnitEventKind",
    "main_assignment",
]


class Role(enum.Enum):
    """What a unit does for an action.

    Examples:
        >>> Role("assist").zh
        '配合'
        >>> sorted(r.value for r in Role)
        ['assist', 'lead', 'responsible']
    """

    LEAD = "lead"  # 牵头 (takes the lead)
    ASSIST = "assist"  # 配合 (assists)
    RESPONSIBLE = "responsible"  # 责任单位 (responsible unit), the default

    @property
    def zh(self) -> str:
        """The Chinese term: 牵头, 配合 or 负责."""
        return _ROLE_ZH[self]

    @property
    def en(self) -> str:
        """The English gloss."""
        return _ROLE_EN[self]


_ROLE_ZH = {Role.LEAD: "牵头", Role.ASSIST: "配合", Role.RESPONSIBLE: "负责"}
_ROLE_EN = {Role.LEAD: "leads", Role.ASSIST: "assists", Role.RESPONSIBLE: "responsible"}


class LeadRule(enum.Enum):
    """How a plan marks the lead unit of a shared task (its 牵头 convention).

    Examples:
        >>> LeadRule("first_listed").zh
        '列第一位者为牵头单位'
    """

    EXPLICIT = "explicit"  # roles written per unit: 牵头 / 配合 markers, labelled lines
    FIRST_LISTED = "first_listed"  # 列第一位者为牵头单位 (the unit listed first leads)
    NONE = "none"  # 按职责分工负责 (each responsible for its own duties; no lead)

    @property
    def zh(self) -> str:
        """The convention as plans print it."""
        return _LEAD_RULE_ZH[self]

    def role_of(self, index: int, count: int) -> Role:
        """The role this convention gives the unit at ``index`` of a task's ``count`` units.

        Only for units whose role the plan does not write out: under ``FIRST_LISTED`` the
        first unit of a shared task leads and the others assist; a task's only unit, and
        every unit under ``EXPLICIT`` or ``NONE``, is responsible.

        Examples:
            >>> [LeadRule.FIRST_LISTED.role_of(i, 3).value for i in range(3)]
            ['lead', 'assist', 'assist']
            >>> LeadRule.FIRST_LISTED.role_of(0, 1).value
            'responsible'
        """
        if self is LeadRule.FIRST_LISTED and count > 1:
            return Role.LEAD if index == 0 else Role.ASSIST
        return Role.RESPONSIBLE


_LEAD_RULE_ZH = {
    LeadRule.EXPLICIT: "逐项标明牵头、配合单位",
    LeadRule.FIRST_LISTED: "列第一位者为牵头单位",
    LeadRule.NONE: "按职责分工负责",
}


class Reporting(enum.Enum):
    """How often units report progress on a task (报送频次).

    Examples:
        >>> Reporting("quarterly").months
        3
    """

    MONTHLY = "monthly"  # 每月 (monthly)
    QUARTERLY = "quarterly"  # 每季度 (quarterly)
    HALF_YEARLY = "half_yearly"  # 每半年 (half-yearly)
    YEARLY = "yearly"  # 每年 (yearly)

    @property
    def months(self) -> int:
        """The length of one reporting period in months."""
        return _REPORTING_MONTHS[self]

    @property
    def zh(self) -> str:
        """The Chinese term."""
        return _REPORTING_ZH[self]


_REPORTING_MONTHS = {
    Reporting.MONTHLY: 1,
    Reporting.QUARTERLY: 3,
    Reporting.HALF_YEARLY: 6,
    Reporting.YEARLY: 12,
}
_REPORTING_ZH = {
    Reporting.MONTHLY: "每月",
    Reporting.QUARTERLY: "每季度",
    Reporting.HALF_YEARLY: "每半年",
    Reporting.YEARLY: "每年",
}


class UnitEventKind(enum.Enum):
    """What happened to a unit after the notice was issued."""

    RENAMED = "renamed"  # 更名: the same unit under a new name from a date
    MERGED_INTO = "merged_into"  # 并入 / 整合: its duties pass to another unit
    SPLIT_INTO = "split_into"  # 拆分: its duties pass to two or more units
    ABOLISHED = "abolished"  # 撤销: it ends, with no successor named


class BureauKind(enum.Enum):
    """The kind of body a responsible unit is."""

    MUNICIPAL_DEPARTMENT = "municipal_department"  # 市政府组成部门 (municipal department)
    VERTICAL_AGENCY = "vertical_agency"  # 垂直管理机构 (vertically managed agency)
    PEOPLES_ORGANISATION = "peoples_organisation"  # 人民团体 (people's organisation)
    OFFICE = "office"  # 办公室 (office of a commission)


class ReferenceKind(enum.Enum):
    """How an action's text refers to another unit."""

    ASSISTS = "assists"  # 配合 X (assists X)
    DIRECTS = "directs"  # 指导/督导/要求 X (guides, supervises or requires X)
    LEADS = "leads"  # 牵头督促 X (leads and urges X)
    MENTIONS = "mentions"  # 发挥 X 作用 and other mentions


@attrs.frozen(repr=False)
class Erratum:
    """A typo in the published text, kept verbatim, with its correction beside it.

    Attributes:
        printed: The characters exactly as printed.
        corrected: What was evidently meant.
        note: Why we read it as a typo.
    """

    printed: str
    corrected: str
    note: str

    def __repr__(self) -> str:
        """Return ``<Erratum printed → corrected>``, clipped to one line."""
        return f"<Erratum {clip(self.printed)} → {clip(self.corrected)}>"


@attrs.frozen(repr=False)
class Text:
    """A piece of the notice: verbatim Chinese, its English translation, and errata.

    The Chinese is the authority. It is kept exactly as published, typos included;
    line breaks and page furniture are removed, nothing else.

    Examples:
        >>> t = Text("配合做好创业补贴发放工作。", "Assist in disbursing start-up subsidies.")
        >>> t.get("zh")
        '配合做好创业补贴发放工作。'
        >>> t.corrected_zh == t.zh
        True
    """

    zh: str
    en: str
    errata: tuple[Erratum, ...] = ()

    def get(self, lang: str) -> str:
        """Return the text to show in ``"zh"`` or ``"en"``.

        Where the English is empty (a draft not yet translated, see `translated`), ``"en"``
        gives the Chinese: every view that shows a text in English asks here, so none
        shows nothing. The attributes ``zh`` and ``en`` hold the text as given.

        Examples:
            >>> Text("市财政局", "").get("en")
            '市财政局'
        """
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en if self.translated else self.zh
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")

    @property
    def translated(self) -> bool:
        """Whether the English is given: not empty, nor only whitespace or invisible characters."""
        return not is_blank(self.en)

    @property
    def corrected_zh(self) -> str:
        """The Chinese with every erratum's correction applied (the published text is `zh`)."""
        text = self.zh
        for erratum in self.errata:
            text = text.replace(erratum.printed, erratum.corrected)
        return text

    def __str__(self) -> str:
        """Return the Chinese, the authoritative text."""
        return self.zh

    def __repr__(self) -> str:
        """Return ``<Text 中文… / English…>``, each side clipped (`str` gives the whole Chinese)."""
        errata = f" ({plural(len(self.errata), 'erratum')})" if self.errata else ""
        return f"<Text {clip(self.zh)} / {clip(self.en)}{errata}>"


@attrs.frozen
class SourceRef:
    """Where in the published notice something comes from.

    Attributes:
        document: The document number, such as 烟政办字〔2021〕3号.
        first_line: The first line (1-based) in the published text file.
        last_line: The last line, inclusive.
    """

    document: str
    first_line: int
    last_line: int

    def __str__(self) -> str:
        """Return the reference as ``document, lines a-b``."""
        if self.first_line == self.last_line:
            return f"{self.document}, line {self.first_line}"
        return f"{self.document}, lines {self.first_line}-{self.last_line}"


@attrs.frozen(repr=False)
class EventSource:
    """Where a fact about a unit's history comes from.

    Attributes:
        document: The document that states it, by number, where there is one.
        note: Where the fact comes from: the document's title, or the page that reports it.
        assumption: True where only a secondary source (a news report, an official
            website's page) says it, and no document has been cited.
    """

    document: str | None
    note: str
    assumption: bool = False

    def __str__(self) -> str:
        """Return the document number, or the note; marked where it is an assumption."""
        text = self.document or self.note
        return f"assumption: {text}" if self.assumption else text

    def __repr__(self) -> str:
        """Return ``<EventSource 国发〔2023〕5号>`` or the note's start, marked where assumed."""
        return f"<EventSource {clip(str(self))}>"


@attrs.frozen(repr=False)
class UnitEvent:
    """A change to a unit after the notice: renamed, merged, split or abolished.

    Attributes:
        kind: What happened.
        on: The day it took effect.
        source: Where the fact comes from.
        name: For ``RENAMED``, the new name.
        into: For ``MERGED_INTO``, the one unit id its duties pass to; for ``SPLIT_INTO``,
            two or more.
    """

    kind: UnitEventKind
    on: dt.date
    source: EventSource
    name: Text | None = None
    into: tuple[str, ...] = ()

    def __repr__(self) -> str:
        """Return ``<UnitEvent merged_into nfra_yantai on 2023-07-20>``."""
        target = clip(self.name.zh if self.name is not None else "+".join(self.into) or "-", 40)
        return f"<UnitEvent {self.kind.value} {target} on {self.on}>"

    @property
    def ends(self) -> bool:
        """Whether the unit ceases to exist with this event (every kind but ``RENAMED``)."""
        return self.kind is not UnitEventKind.RENAMED


@attrs.frozen(repr=False)
class Bureau:
    """A responsible unit (责任单位): a bureau, agency, organisation or office.

    Attributes:
        id: A stable ASCII id, such as ``"finance"``.
        name: The full name exactly as printed in the table, and its English name.
        short_names: Other names the notice's text uses for the unit (e.g. 市人社局).
        kind: Municipal department, vertically managed agency, people's organisation or office.
    """

    id: str
    name: Text
    short_names: tuple[str, ...]
    kind: BureauKind
    events: tuple[UnitEvent, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the unit is known by: id, Chinese name, short names, English name (if given)."""
        english = (self.name.en,) if self.name.translated else ()
        return (self.id, self.name.zh, *self.short_names, *english)

    @property
    def later_names(self) -> tuple[Text, ...]:
        """The names it took after the notice (its ``renamed`` events), oldest first."""
        return tuple(e.name for e in self.events if e.name is not None)

    def name_on(self, on: dt.date | None) -> Text:
        """Return the name in force on a day: the printed name, or a later ``renamed`` one.

        The printed name (``name``) stays the key of the notice's text; this is for labels.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> pboc = yp.load_policy().bureau("pboc")
            >>> pboc.name_on(None).zh == pboc.name.zh
            True
        """
        name = self.name
        if on is None:
            return name
        for event in self.events:
            if event.on <= on and event.name is not None:
                name = event.name
        return name

    def ended_by(self, on: dt.date) -> UnitEvent | None:
        """Return the event that ended the unit on or before ``on``, or None while it exists."""
        return next((e for e in self.events if e.ends and e.on <= on), None)

    def exists_on(self, on: dt.date) -> bool:
        """Whether the unit has not ended by a day: not merged, split or abolished (a rename keeps it).

        A later unit also needs to have been set up by then: ask
        [`Policy.exists_on`][yantai_policy.model.Policy.exists_on], which knows both.
        """
        return self.ended_by(on) is None

    def __repr__(self) -> str:
        """Return ``<Bureau finance 市财政局>``."""
        return f"<Bureau {clip(self.id, 40)} {clip(self.name.zh, 40)}>"

    def _repr_html_(self) -> str:
        """Return the unit as HTML for notebooks (see [`yantai_policy.display`][yantai_policy.display])."""
        from yantai_policy.display import bureau_html  # noqa: PLC0415 - only notebooks need it

        return bureau_html(self)


@attrs.frozen(repr=False)
class Reference:
    """A mention, in an action's text, of another unit.

    Attributes:
        mention: The words exactly as printed (such as 市人社局).
        kind: How the text relates the action's unit to the one mentioned.
        bureau: The id of the plan's unit meant, or None where the unit is not in the plan.
    """

    mention: str
    kind: ReferenceKind
    bureau: str | None = None

    def __repr__(self) -> str:
        """Return ``<Reference assists 市人社局 → hrss>``."""
        return f"<Reference {self.kind.value} {clip(self.mention)} → {clip(self.bureau, 40)}>"


@attrs.frozen(repr=False)
class Item:
    """A numbered sub-item ("1. … 2. …") of an action.

    Attributes:
        number: The item's number as printed.
        text: The item's text, without its number.
        role: The role for this item: the action's role unless the item says otherwise
            (measure 14, item 2 says 牵头, takes the lead). In a shared task, the role of
            the item's lead, else of its first unit (`main_assignment`).
        source: Where it is printed.
        assignments: The item's units and their roles: the task's units, each in the
            item's role where the item states one, unless the item names its own.
    """

    number: int
    text: Text
    role: Role
    source: SourceRef
    assignments: tuple[Assignment, ...] = ()

    def __repr__(self) -> str:
        """Return ``<Item 2 lead: 牵头…>``: number, role and the text's start."""
        return f"<Item {self.number} {self.role.value}: {clip(self.text.zh)}>"


def main_assignment(assignments: tuple[Assignment, ...]) -> Assignment:
    """Return the assignment answerable for a task or item: its lead, else its first unit.

    The one rule behind `Action.bureau`, `Action.role` and `Item.role`.
    """
    return next((a for a in assignments if a.role is Role.LEAD), assignments[0])


@attrs.frozen
class Assignment:
    """One unit charged with a task, and its role in it.

    Attributes:
        bureau: The unit.
        role: 牵头 (lead), 负责 (responsible) or 配合 (assist).
    """

    bureau: Bureau
    role: Role


@attrs.frozen
class Deadline:
    """When a task is due (完成时限): a date, the words as printed, or both.

    Attributes:
        on: The day, where the text gives one or the office set one.
        text: The deadline exactly as printed, such as 长期坚持 (ongoing) or 2021年底前.

    Examples:
        >>> Deadline(text="长期坚持").is_open
        True
    """

    on: dt.date | None = None
    text: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether the deadline has no date (长期坚持, 持续推进): it can never be overdue."""
        return self.on is None

    def __str__(self) -> str:
        """Return the date, the printed words, or both."""
        if self.on is not None and self.text:
            return f"{self.on} ({self.text})"
        return str(self.on) if self.on is not None else str(self.text)


@attrs.frozen(repr=False)
class Action:
    """One task of the plan (具体推进措施): what the text asks, and the units charged with it.

    In Yantai's table every task is one row with one unit; in other plans a task is
    shared by several units, one of which may lead. ``Task`` is another name for it.

    Attributes:
        id: A stable id, ``"<measure>.<row>"``, such as ``"7.1"``.
        measure: The number of the measure it belongs to.
        assignments: The units charged with it and their roles, in the order printed.
        text: The whole cell's text.
        items: The numbered sub-items, where the cell has them.
        references: Other units its text names.
        source: Where the row is printed (text and unit cell).
        deadline: When it is due, where the plan says (完成时限).
        reporting: How often progress is reported, where the plan says.
        districts: Whether the text also charges the district governments (各区市).
    """

    id: str
    measure: int
    assignments: tuple[Assignment, ...]
    text: Text
    items: tuple[Item, ...]
    references: tuple[Reference, ...]
    source: SourceRef
    deadline: Deadline | None = None
    reporting: Reporting | None = None
    districts: bool = False
    _units: tuple[Bureau, ...] = attrs.field(init=False, eq=False, repr=False)
    _roles_by_unit: Mapping[str, frozenset[Role]] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Index the units and each unit's roles once: the queries ask for them often."""
        every = (*self.assignments, *(a for item in self.items for a in item.assignments))
        roles: dict[str, set[Role]] = {}
        units: dict[str, Bureau] = {}
        for assignment in every:
            units.setdefault(assignment.bureau.id, assignment.bureau)
            roles.setdefault(assignment.bureau.id, set()).add(assignment.role)
        object.__setattr__(self, "_units", tuple(units.values()))
        object.__setattr__(self, "_roles_by_unit", {u: frozenset(r) for u, r in roles.items()})

    @property
    def bureau(self) -> Bureau:
        """The unit answerable for the task: its lead, or else the first unit listed."""
        return self._main.bureau

    @property
    def role(self) -> Role:
        """That unit's role: ``ASSIST`` where the text says 配合, ``LEAD`` where it says 牵头."""
        return self._main.role

    @property
    def _main(self) -> Assignment:
        return main_assignment(self.assignments)

    @property
    def bureaus(self) -> tuple[Bureau, ...]:
        """Every unit charged with the task or one of its items, in printed order, each once."""
        return self._units

    @property
    def leads(self) -> tuple[Bureau, ...]:
        """The units that lead the task (牵头), in printed order."""
        return tuple(a.bureau for a in self.assignments if a.role is Role.LEAD)

    @property
    def is_shared(self) -> bool:
        """Whether more than one unit is charged with the task."""
        return len(self.bureaus) > 1

    @property
    def roles(self) -> frozenset[Role]:
        """Every role in the task: its units' and its items'."""
        return frozenset(
            {a.role for a in self.assignments}
            | {item.role for item in self.items}
            | {a.role for item in self.items for a in item.assignments}
        )

    def roles_of(self, bureau: Bureau | str) -> frozenset[Role]:
        """Return one unit's roles in the task and its items (empty where it has none).

        Examples:
            >>> import yantai_policy as yp
            >>> sorted(r.value for r in yp.load_policy().action("14.1").roles_of("hrss"))
            ['lead', 'responsible']
        """
        unit = bureau if isinstance(bureau, str) else bureau.id
        return self._roles_by_unit.get(unit, frozenset())

    def __repr__(self) -> str:
        """Return ``<Action 7.1 finance responsible: 对符合条件的…>`` (units joined by ``+``)."""
        units = "+".join(clip(a.bureau.id, 40) for a in self.assignments)
        role = "/".join(dict.fromkeys(a.role.value for a in self.assignments))
        return f"<Action {clip(self.id, 40)} {units} {role}: {clip(self.text.zh)}>"


Task = Action
"""A task of the plan: the v2 format's word for an action (`Action`)."""


@attrs.frozen(repr=False)
class Measure:
    """One of the province's 20 measures, with the city's actions for it.

    Attributes:
        number: The measure's number (序号).
        title: Its short title, the first sentence of the provincial text.
        provincial_text: The provincial measure in full (省政策内容).
        actions: The city's actions for it, in the order printed.
        source: Where it is printed.
    """

    number: int
    title: Text
    provincial_text: Text
    actions: tuple[Action, ...]
    source: SourceRef

    @property
    def bureaus(self) -> tuple[Bureau, ...]:
        """The units with an action under the measure, in the order printed, each once."""
        return tuple({b.id: b for a in self.actions for b in a.bureaus}.values())

    @property
    def tasks(self) -> tuple[Action, ...]:
        """The measure's tasks: another name for ``actions``."""
        return self.actions

    def __repr__(self) -> str:
        """Return ``<Measure 7: 提供贷款贴息 (3 actions)>``."""
        return f"<Measure {self.number}: {clip(self.title.zh)} ({plural(len(self.actions), 'action')})>"

    def _repr_html_(self) -> str:
        """Return the measure as HTML for notebooks (see [`yantai_policy.display`][yantai_policy.display])."""
        from yantai_policy.display import measure_html  # noqa: PLC0415 - only notebooks need it

        return measure_html(self)


@attrs.frozen(repr=False)
class Section:
    """A numbered section (一、二、三、四) of the notice's body.

    Attributes:
        number: 1 to 4.
        heading: The heading, with its numeral as printed (一、提高站位…).
        text: The section's text.
        source: Where it is printed.
    """

    number: int
    heading: Text
    text: Text
    source: SourceRef

    def __repr__(self) -> str:
        """Return ``<Section 1: 一、提高站位…>``."""
        return f"<Section {self.number}: {clip(self.heading.zh)}>"


@attrs.frozen(repr=False)
class ParentNotice:
    """A parent document the notice implements or cites (the provincial notice, for Yantai).

    Attributes:
        document_number: Its document number, such as 鲁政办发〔2020〕19号.
        title: Its title.
    """

    document_number: str
    title: Text

    def __repr__(self) -> str:
        """Return ``<ParentNotice 鲁政办发〔2020〕19号: 山东省…>``."""
        return f"<ParentNotice {clip(self.document_number, 40)}: {clip(self.title.zh)}>"


@attrs.frozen(repr=False)
class Notice:
    """The notice itself: its number, issuer, date, addressees and body.

    Attributes:
        document_number: 烟政办字〔2021〕3号.
        issuer: The issuing office.
        issued_on: The date it was issued.
        title: The notice's title.
        source: Where it is printed.
        addressees: To whom it is addressed (主送); None where the text has none.
        preamble: The opening paragraph, or None.
        sections: The numbered sections (Yantai's four), or none.
        attachment: The attachment line (附件), or None.
        annex_title: The title of the annexed plan, or None.
        publication_note: The publication note (此件公开发布), or None.
        parents: The parent documents it cites, in order (Yantai's one provincial notice).

    A draft of another city's notice may lack any of the optional parts; the built-in
    plan has them all.
    """

    document_number: str
    issuer: Text
    issued_on: dt.date
    title: Text
    source: SourceRef
    addressees: Text | None = None
    preamble: Text | None = None
    sections: tuple[Section, ...] = ()
    attachment: Text | None = None
    annex_title: Text | None = None
    publication_note: Text | None = None
    parents: tuple[ParentNotice, ...] = ()

    @property
    def parent(self) -> ParentNotice | None:
        """The first parent document, or None where the notice cites none.

        Examples:
            >>> import yantai_policy as yp
            >>> yp.load_policy().notice.parent.document_number
            '鲁政办发〔2020〕19号'
        """
        return self.parents[0] if self.parents else None

    def __repr__(self) -> str:
        """Return ``<Notice 烟政办字〔2021〕3号 of 2021-01-11: 4 sections>``."""
        sections = plural(len(self.sections), "section")
        return f"<Notice {clip(self.document_number, 40)} of {self.issued_on}: {sections}>"


@attrs.frozen(repr=False)
class Provenance:
    """Where the data came from, so it can be checked against the published text.

    Attributes:
        document_number: The notice's document number.
        issuer: The issuer, in Chinese.
        issued_on: The issue date.
        source_file: The file name of the published text, shipped beside the data.
        source_sha256: The SHA-256 of that file.
        furniture_lines: Lines of the published text that are page furniture (a masthead
            or running heads, the repeated table header, page numbers), not content.
        note: How the text was transcribed.
    """

    document_number: str
    issuer: str
    issued_on: dt.date
    source_file: str
    source_sha256: str
    furniture_lines: tuple[int, ...]
    note: str

    def __repr__(self) -> str:
        """Return ``<Provenance 烟政办字〔2021〕3号 from yantai-2021-3.txt, sha256 1a2b3c4d…>``."""
        return (
            f"<Provenance {clip(self.document_number, 40)} from {clip(self.source_file, 40)}, "
            f"sha256 {clip(self.source_sha256, 9)}>"
        )


@attrs.frozen(repr=False)
class ReviewNote:
    """An entry of a draft plan's ``review`` list: something its drafter could not decide.

    The drafter's reviewer deletes an entry from the file once it is cleared; until then
    the audit reports it (``draft-review-open``).

    Attributes:
        kind: What sort of question it is, such as ``unit-unknown`` or ``unit-boundary``.
        message: The question, naming the thing (in English).
        lines: The lines of the published text it is about, ``(first, last)``, or None.
        where: The key path in the plan it is about, such as ``measures[2].tasks[0]``, or "".
    """

    kind: str
    message: str
    lines: tuple[int, int] | None = None
    where: str = ""

    def __repr__(self) -> str:
        """Return ``<ReviewNote unit-unknown lines 12-12: unit 市数据局 is not…>``."""
        lines = "" if self.lines is None else f" lines {self.lines[0]}-{self.lines[1]}"
        return f"<ReviewNote {clip(self.kind, 40)}{lines}: {clip(self.message, 40)}>"


def _close_matches(word: str, candidates: list[str], cutoff: float = 0.6) -> list[str]:
    import difflib  # noqa: PLC0415 - only the error path needs it

    return difflib.get_close_matches(word, candidates, n=3, cutoff=cutoff)


_GRAPH_LOCK = _thread.allocate_lock()
"""Held while a policy's graph is built, so threads asking at once get one graph."""


def _measure_number(number: object) -> int | None:
    """The measure number asked for: an int, or a string of ASCII digits (spaces around allowed).

    None for a string that is not a number: no measure has it.
    """
    if isinstance(number, str):
        digits = number.strip()
        return int(digits) if digits.isascii() and digits.isdigit() else None
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(
            f'a measure number is an int or a string of digits, such as 7 or "7", '
            f"not {type(number).__name__} {number!r}"
        )
    return number


def _action_id(action_id: object) -> str:
    """The action id asked for: a string such as ``"7.1"`` (spaces around allowed)."""
    if isinstance(action_id, str):
        return action_id.strip()
    if isinstance(action_id, int | float) and not isinstance(action_id, bool):
        raise TypeError(f'an action id is a string: write "{action_id}", not {action_id!r}')
    raise TypeError(
        f'an action id is a string such as "7.1", not {type(action_id).__name__} {action_id!r}'
    )


@attrs.frozen(repr=False)
class Policy:
    """A whole plan: the notice, its measures and actions, and its units.

    Build it with [`yantai_policy.load_policy`][yantai_policy.loading.load_policy].

    Attributes:
        notice: The notice.
        measures: The measures, in order.
        bureaus: The units, in the order they first appear in the table.
        provenance: Where the data came from.
        data_sha256: The SHA-256 of the plan file's bytes, to tie results to the data;
            a policy made by [`with_parameters`][yantai_policy.model.Policy.with_parameters] has its own, derived from both.
        parameters: The dated parameters the benefit formulas use.
        above_cap_allowed: Whether a reform was allowed to set values above their caps
            (later reforms of this policy keep the allowance).
        lead_rule: How the plan marks the lead of a shared task; the loader applied it
            where the file gives no role.
        later_units: Units that are not in the notice but took over a unit's duties later
            (a ``merged_into`` or ``split_into`` event names them).
        review: A draft's open review entries (its top-level ``review`` list), empty for
            a finished plan.
        actions: Every action (task), in the order printed.

    Examples:
        >>> import yantai_policy as yp
        >>> policy = yp.load_policy()
        >>> len(policy.measures), len(policy.actions), len(policy.bureaus)
        (20, 49, 20)
        >>> policy.bureau("财政局").id
        'finance'
        >>> policy.bureau("市人社局").name.en
        'Yantai Municipal Human Resources and Social Security Bureau'
    """

    notice: Notice
    measures: tuple[Measure, ...]
    bureaus: tuple[Bureau, ...]
    provenance: Provenance
    data_sha256: str
    parameters: ParameterSet = attrs.field(factory=ParameterSet, repr=False)
    above_cap_allowed: bool = attrs.field(default=False, repr=False)
    lead_rule: LeadRule = attrs.field(default=LeadRule.EXPLICIT, repr=False)
    later_units: tuple[Bureau, ...] = attrs.field(default=(), repr=False)
    review: tuple[ReviewNote, ...] = attrs.field(default=(), repr=False)
    actions: tuple[Action, ...] = attrs.field(init=False, eq=False, repr=False)
    _by_number: Mapping[int, Measure] = attrs.field(init=False, eq=False, repr=False)
    _by_name: Mapping[str, Bureau] = attrs.field(init=False, eq=False, repr=False)
    _by_id: Mapping[str, Action] = attrs.field(init=False, eq=False, repr=False)
    _by_bureau: Mapping[str, tuple[Action, ...]] = attrs.field(init=False, eq=False, repr=False)
    _graph: nx.DiGraph[str] | None = attrs.field(init=False, eq=False, repr=False, default=None)

    def __attrs_post_init__(self) -> None:
        """Index the measures, actions, units' names and units' actions once."""
        by_name: dict[str, Bureau] = {}
        units = self.units
        for bureau in units:
            for name in (*bureau.names, *(n for t in bureau.later_names for n in (t.zh, t.en))):
                if key := name_key(name):  # an English name not yet given names no unit
                    by_name.setdefault(key, bureau)
        for bureau in units:  # 财政局 finds 市财政局: the 市 (municipal) prefix is optional
            later = (t.zh for t in bureau.later_names)
            for key in map(name_key, (bureau.name.zh, *bureau.short_names, *later)):
                if key.startswith("市"):
                    by_name.setdefault(name_key(key[1:]), bureau)
        object.__setattr__(self, "actions", tuple(a for m in self.measures for a in m.actions))
        object.__setattr__(self, "_by_number", {m.number: m for m in self.measures})
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_id", {a.id: a for a in reversed(self.actions)})
        by_bureau: dict[str, list[Action]] = {}
        for action in self.actions:  # a unit's tasks in printed order (yantai_policy.queries)
            for bureau in action.bureaus:
                by_bureau.setdefault(bureau.id, []).append(action)
        object.__setattr__(self, "_by_bureau", {b: tuple(a) for b, a in by_bureau.items()})

    @property
    def units(self) -> tuple[Bureau, ...]:
        """Every unit: the notice's (``bureaus``), then the later ones (``later_units``)."""
        return (*self.bureaus, *self.later_units)

    @property
    def tasks(self) -> tuple[Action, ...]:
        """Every task in printed order: another name for ``actions``."""
        return self.actions

    def __repr__(self) -> str:
        """Return ``<Policy 烟政办字〔2021〕3号: 20 measures, 49 actions, 20 units>``.

        A policy made by `with_parameters` also says how many parameters the reform set.

        Examples:
            >>> import yantai_policy as yp
            >>> yp.load_policy()
            <Policy 烟政办字〔2021〕3号: 20 measures, 49 actions, 20 units>
        """
        counts = ", ".join(
            (
                plural(len(self.measures), "measure"),
                plural(len(self.actions), "action"),
                plural(len(self.bureaus), "unit"),
            )
        )
        reformed = sum(
            1 for p in self.parameters.by_name.values() if p.source.kind is SourceKind.REFORM
        )
        reform = f"; {plural(reformed, 'parameter')} set by a reform" if reformed else ""
        return f"<Policy {clip(self.notice.document_number, 40)}: {counts}{reform}>"

    def _repr_html_(self) -> str:
        """Return the plan as HTML for notebooks: the notice and a table of its measures."""
        from yantai_policy.display import policy_html  # noqa: PLC0415 - only notebooks need it

        return policy_html(self)

    @property
    def graph(self) -> nx.DiGraph[str]:
        """The responsibility graph, built on first use and cached (networkx loads then).

        See [`yantai_policy.graph.responsibility_graph`][yantai_policy.graph.responsibility_graph]. Treat it as read-only: it
        is shared by every caller of this property, in every thread (threads that ask
        at once wait for the one build).
        """
        graph = self._graph
        if graph is None:
            with _GRAPH_LOCK:  # double-checked: another thread may have built it meanwhile
                graph = self._graph
                if graph is None:
                    from yantai_policy.graph import responsibility_graph  # noqa: PLC0415 - lazy

                    graph = responsibility_graph(self)
                    object.__setattr__(self, "_graph", graph)
        return graph

    def measure(self, number: int | str) -> Measure:
        """Return the measure with this number: ``7``, or ``"7"`` as typed or read from a file.

        Raises:
            UnknownNameError: The plan has no such measure.
            TypeError: ``number`` is neither an int nor a string (a bool is not a number).

        Examples:
            >>> import yantai_policy as yp
            >>> yp.load_policy().measure(6).title.en
            'Grant start-up subsidies'
            >>> yp.load_policy().measure("7")
            <Measure 7: 提供贷款贴息 (3 actions)>
        """
        key = _measure_number(number)
        found = None if key is None else self._by_number.get(key)
        if found is not None:
            return found
        numbers = sorted(self._by_number)
        span = f"{numbers[0]}-{numbers[-1]}" if numbers else "none"
        shown = number if isinstance(number, int) else repr(number)
        raise UnknownNameError(f"no measure {shown}; the plan has measures {span}", name=number)

    def bureau(self, name: str, on: dt.date | None = None) -> Bureau:
        """Return the unit known by this name; with ``on``, the one holding its duties that day.

        Any of its names will do, case-insensitively: the id, the full Chinese name,
        a short name the text uses, the English name, a name it took later (a ``renamed``
        event), or the Chinese name without the 市 (municipal) prefix. A later unit (one
        that took over another's duties) is found by its names too.

        Args:
            name: A name of the unit.
            on: A day: return the unit that carries the named unit's duties on it
                (`successor_of`), which must be exactly one unit.

        Raises:
            UnknownNameError: No unit has that name (the message lists close matches);
                or, with ``on``, the unit was not yet set up that day, or its duties
                went to several units or to none.

        Examples:
            >>> import yantai_policy as yp
            >>> p = yp.load_policy()
            >>> p.bureau("FINANCE") is p.bureau("市财政局")
            True
            >>> p.bureau("财务局")
            Traceback (most recent call last):
            ...
            yantai_policy.errors.UnknownNameError: no unit named '财务局'; did you mean: 财政局, 税务局, 商务局?
        """
        try:
            found = self._by_name[name_key(name)]
        except (KeyError, TypeError):  # TypeError: a name that is not a string
            candidates = {
                n
                for b in self.units
                for n in (*b.names, b.name.zh.removeprefix("市"), *(t.zh for t in b.later_names))
            }
            close = _close_matches(str(name), sorted(candidates), cutoff=0.5)
            raise UnknownNameError(
                f"no unit named {name!r}", name=name, suggestions=tuple(close)
            ) from None
        if on is None:
            return found
        born = self.set_up_on(found)
        if born is not None and on < born:
            raise UnknownNameError(
                f"{found.name.zh} ({found.id}) was set up on {born}, after {on}", name=name
            )
        successors = self.successor_of(found, on)
        if len(successors) == 1:
            return successors[0]
        ended = found.ended_by(on)
        assert ended is not None  # noqa: S101 - a unit that exists is its own one successor
        held = ", ".join(b.name_on(on).zh for b in successors) or "no unit"
        how = " ".join((ended.kind.value, *ended.into))
        raise UnknownNameError(
            f"{found.name.zh} ({found.id}) ended on {ended.on} ({how}); "
            f"on {on} its duties are held by {held}",
            name=name,
            suggestions=tuple(b.id for b in successors),
        )

    def set_up_on(self, unit: Bureau) -> dt.date | None:
        """Return the day a later unit took over another's duties (None for the notice's units).

        Examples:
            >>> import yantai_policy as yp
            >>> p = yp.load_policy()
            >>> p.set_up_on(p.bureau("nfra_yantai")), p.set_up_on(p.bureau("finance"))
            (datetime.date(2023, 7, 20), None)
        """
        if any(unit.id == b.id for b in self.bureaus):
            return None
        days = [e.on for b in self.units for e in b.events if unit.id in e.into]
        return min(days, default=None)

    def exists_on(self, unit: Bureau | str, on: dt.date) -> bool:
        """Whether a unit exists on a day: set up by then (a later unit) and not yet ended.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> p = yp.load_policy()
            >>> [p.exists_on("nfra_yantai", dt.date(y, 1, 1)) for y in (2022, 2024)]
            [False, True]
        """
        found = unit if isinstance(unit, Bureau) else self.bureau(unit)
        born = self.set_up_on(found)
        return (born is None or born <= on) and found.exists_on(on)

    def duties_held(self, unit: Bureau | str, on: dt.date) -> tuple[Bureau, ...]:
        """Return the other units whose duties ``unit`` holds on a day (it took them over).

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> p = yp.load_policy()
            >>> [b.id for b in p.duties_held("nfra_yantai", dt.date(2025, 1, 1))]
            ['banking_insurance_regulation']
        """
        found = unit if isinstance(unit, Bureau) else self.bureau(unit)
        return tuple(
            u for u in self.units if u.id != found.id and found in self.successor_of(u, on)
        )

    def successor_of(self, unit: Bureau | str, on: dt.date) -> tuple[Bureau, ...]:
        """Return the units holding a unit's duties on a day, following merges and splits.

        A unit that still exists on ``on`` (renamed or not) is its own successor. One
        that was merged into another, or split, is followed along the chain to the
        units that exist that day; an abolished unit has none, and neither has a later
        unit asked about before it was set up.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> p = yp.load_policy()
            >>> [b.id for b in p.successor_of("finance", dt.date(2025, 1, 1))]
            ['finance']
        """
        start = unit if isinstance(unit, Bureau) else self.bureau(unit)
        by_id = {b.id: b for b in self.units}
        found: dict[str, Bureau] = {}
        seen: set[str] = set()
        todo = [start]
        while todo:
            current = todo.pop(0)
            if current.id in seen:
                continue  # a cycle in the events: the loader refuses them, a hand-built plan may not
            seen.add(current.id)
            ended = current.ended_by(on)
            if ended is None:
                if self.exists_on(current, on):  # a later unit set up after ``on`` holds nothing
                    found.setdefault(current.id, current)
            else:
                todo.extend(by_id[i] for i in ended.into if i in by_id)
        return tuple(found.values())

    def action(self, action_id: str) -> Action:
        """Return the action with this id (such as ``"7.1"``).

        Raises:
            UnknownNameError: No action has that id.
            TypeError: ``action_id`` is not a string (``7.1`` is a float: write ``"7.1"``).

        Examples:
            >>> import yantai_policy as yp
            >>> yp.load_policy().action(" 7.1 ")
            <Action 7.1 finance responsible: 1.通过公开招标优选邮储银行、建设银行、中信银…>
            >>> yp.load_policy().action(7.1)
            Traceback (most recent call last):
            ...
            TypeError: an action id is a string: write "7.1", not 7.1
        """
        action_id = _action_id(action_id)
        found = self._by_id.get(action_id)
        if found is not None:
            return found
        close = _close_matches(action_id, [a.id for a in self.actions])
        raise UnknownNameError(f"no action {action_id!r}", name=action_id, suggestions=tuple(close))

    def task(self, task_id: str) -> Action:
        """Return the task with this id: another name for `action`."""
        return self.action(task_id)

    def with_parameters(
        self, overrides: Mapping[str, object], *, allow_above_cap: bool = False
    ) -> Policy:
        """Return a new policy with some parameters changed: a reform, or a what-if.

        Args:
            overrides: Parameter name to new value. A plain value applies from the
                notice's issue date on; a mapping of ``{date: value}`` replaces the
                parameter's dated values (``None`` ends one). Values are written as in
                the plan file: ``"0.7"``, ``"70%"``, ``"2/3"``, ``"6000"``, ``36``.
            allow_above_cap: Allow a value above its cap (the province's 2/3 ceiling
                on the social-insurance rate), or a change to a cap itself. Refused by
                default; a policy made with it keeps the allowance.

        Returns:
            A policy whose changed parameters cite the reform as their source and
            whose ``data_sha256`` is derived from this one's and the overrides.

        Raises:
            UnknownNameError: No parameter has that name.
            ParameterError: ``overrides`` is not a mapping, a name is not a string, a
                date key is not a date or ``YYYY-MM-DD`` (or names a day twice), a
                value does not fit the parameter's unit, is outside the bounds its
                formula declares (`yantai_policy.formula_parameters`), or exceeds its cap.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> base = yp.load_policy()
            >>> reform = base.with_parameters({"social_insurance_subsidy.rate": "60%"})
            >>> reform.parameters["social_insurance_subsidy.rate"].at(dt.date(2022, 1, 1))
            Fraction(3, 5)
            >>> reform.data_sha256 != base.data_sha256
            True
            >>> base.with_parameters({"social_insurance_subsidy.rate": "0.7"})
            Traceback (most recent call last):
            ...
            yantai_policy.parameters.ParameterError: social_insurance_subsidy.rate = 70% from 2021-01-11 exceeds its cap social_insurance_subsidy.rate_cap = 2/3; pass allow_above_cap=True to allow it
        """
        import hashlib  # noqa: PLC0415 - only reforms need these
        import json  # noqa: PLC0415
        from collections.abc import Mapping  # noqa: PLC0415

        from yantai_policy.formula_parameters import override_values  # noqa: PLC0415
        from yantai_policy.parameters import (  # noqa: PLC0415
            Parameter,
            ParameterError,
            Source,
            SourceKind,
        )

        if not isinstance(overrides, Mapping):
            raise ParameterError(
                "overrides must be a mapping of parameter names to values, "
                f"not {type(overrides).__name__}"
            )
        allow = allow_above_cap or self.above_cap_allowed
        changed = dict(self.parameters.by_name)
        canonical: dict[str, object] = {}
        caps = {p.cap: p.name for p in self.parameters.by_name.values() if p.cap is not None}
        for name, raw in overrides.items():
            if not isinstance(name, str):
                raise ParameterError(
                    f"parameter names are strings, not {type(name).__name__}: {name!r:.60}"
                )
            param = self.parameters[name]
            if name in caps and not allow:
                raise ParameterError(
                    f"{name} is the cap on {caps[name]}; pass allow_above_cap=True to change it"
                )
            values = override_values(param, raw, self.notice.issued_on)
            note = f"Set by with_parameters; the plan's value came from: {param.source}"
            changed[name] = Parameter(
                name=name,
                description=param.description,
                unit=param.unit,
                values=tuple(values),
                source=Source(kind=SourceKind.REFORM, note=Text(zh=note, en=note)),
                cap=param.cap,
            )
            canonical[name] = {str(d): None if v is None else param.render(v) for d, v in values}
        parameters = ParameterSet(changed)
        parameters.check_caps(allow_above_cap=allow)
        digest = json.dumps(
            {"base": self.data_sha256, "overrides": canonical, "above_cap": allow},
            sort_keys=True,
        )
        return attrs.evolve(
            self,
            parameters=parameters,
            above_cap_allowed=allow,
            data_sha256=hashlib.sha256(digest.encode()).hexdigest(),
        )

    def to_dataframe(self) -> pd.DataFrame:
        """Return the actions as a pandas DataFrame, one row each (extra ``analysis``).

        See [`yantai_policy.frames.actions_frame`][yantai_policy.frames.actions_frame]; ``frames`` also has measures,
        units, parameters, decisions and findings.
        """
        from yantai_policy.frames import actions_frame  # noqa: PLC0415 - pandas on demand

        return actions_frame(self)

    def __iter__(self) -> Iterator[Measure]:
        """Iterate over the measures in order."""
        return iter(self.measures)

    def __len__(self) -> int:
        """Return the number of measures."""
        return len(self.measures)
