"""What a layout reads from the body of a plan, and the one way it becomes a plan file.

Every layout (table, inline, labelled) turns the plan's body into `MeasureDraft`
records: measures, tasks, numbered items and the units named for them, each with its
lines. `plan_body` turns those into the `bureaus` and `measures` of a format-2 plan:
it gives every unit its id from the catalogue (``unit_1``… for units it does not
know, each listed for review), writes roles only where the text marks them (the
plan's `lead_rule` gives the rest, in the loader: one rule), and finds the references
to other units inside each text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from yantai_policy._text import name_key as loader_key
from yantai_policy.drafting.source import fold
from yantai_policy.drafting.units import CityUnits, KnownUnit, guess_kind, key, looks_like_unit

__all__ = ["ItemDraft", "MeasureDraft", "Review", "TaskDraft", "UnitRef", "plan_body"]

Span = tuple[int, int]


@attrs.frozen
class Review:
    """One thing the drafter could not decide, for a person to check.

    Attributes:
        kind: What sort of doubt: unit-unknown, unit-boundary, role-convention,
            role-bold-lost, line-unplaced, particular-missing, no-tasks, layout-guess,
            deadline-unread.
        message: One line in English that names the thing.
        lines: The lines it concerns, [first, last], or None for the whole text.
        where: The key path in the draft, such as ``measures[2].tasks[0]``, or "".
    """

    kind: str
    message: str
    lines: Span | None = None
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a plan file's ``review`` table holds it."""
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.lines is not None:
            out["lines"] = list(self.lines)
        if self.where:
            out["where"] = self.where
        return out


@attrs.frozen
class UnitRef:
    """A unit named for a task or an item.

    Attributes:
        name: The name as printed.
        marker: The role its marker gives (lead, assist, responsible), or None.
        lines: Where the name is printed.
    """

    name: str
    marker: str | None
    lines: Span


@attrs.frozen
class ItemDraft:
    """A numbered item of a task (1. …, （1）…).

    Attributes:
        number: Its number.
        text: Its text, without the number.
        lines: Where it is printed.
        role: The role the item's own words give its task's unit (a leading 牵头 or
            配合), or None.
        units: Units named for this item alone.
    """

    number: int
    text: str
    lines: Span
    role: str | None = None
    units: tuple[UnitRef, ...] = ()


@attrs.frozen
class TaskDraft:
    """One task (a row of the table, a numbered paragraph).

    Attributes:
        lines: Where it is printed, its units included.
        text: Its text, where it has no items.
        items: Its numbered items.
        units: The units named for it, in printed order.
        deadline: Its deadline as the plan file writes it: the words as printed
            (长期坚持), or ``{"on": date, "text": "2025年6月底前完成"}``; None where none.
        reporting: Its reporting rhythm (monthly, quarterly, half_yearly, yearly).
        districts: Whether it charges the districts (各区市人民政府负责).
    """

    lines: Span
    text: str | None
    items: tuple[ItemDraft, ...] = ()
    units: tuple[UnitRef, ...] = ()
    deadline: str | Mapping[str, Any] | None = None
    reporting: str | None = None
    districts: bool = False


@attrs.frozen
class MeasureDraft:
    """One measure of the plan, with its tasks.

    Attributes:
        number: Its number.
        lines: Where it is printed.
        title: Its title.
        text: The measure's own text (the provincial measure in a table), or "".
        tasks: Its tasks.
    """

    number: int
    lines: Span
    title: str
    text: str
    tasks: tuple[TaskDraft, ...]


def _lines(span: Span) -> list[int]:
    return [span[0], span[1]]


def _zh(text: str) -> dict[str, str]:
    return {"zh": text, "en": ""}


# Who a text refers to besides the units named for it (mentions that are not units).
_GROUPS = re.compile(
    r"各[\u4e00-\u9fff]{1,10}?(?:主管部门|部门|机构)|辖区[\u4e00-\u9fff]{1,6}?机构"
    r"|各有关单位|有关部门|有关单位|各区县市|各县市区|各区市|各区县|各区|区市"
)
# 发挥 X 作用 (give play to X's role): a body named only here.
_ROLE_OF = re.compile(r"发挥([\u4e00-\u9fff]{4,30}?)作用")
_DIRECTS = ("督促指导", "指导督促", "指导", "督导", "督促", "要求", "组织")


def _reference_kind(before: str) -> str:
    if before.endswith("配合"):
        return "assists"  # 配合 X (assists X)
    if re.search(r"牵头(督促|协调|组织)?$", before):
        return "leads"  # 牵头督促 X (leads and urges X)
    if before.endswith(_DIRECTS):
        return "directs"  # 指导/督导/要求 X
    return "mentions"


class _Units:
    """The plan's units as they are found, with their ids."""

    def __init__(self, known: CityUnits) -> None:
        self.known = known
        self.order: list[str] = []
        self.entries: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, str] = {}
        self.review: list[Review] = []

    def id_of(self, ref: UnitRef, where: str) -> str:
        name_key = key(ref.name)
        if name_key in self.by_name:
            unit_id = self.by_name[name_key]
            self._short(unit_id, ref.name)
            return unit_id
        unit = self.known.lookup(ref.name)
        if unit is not None:
            unit_id = unit.id
            kind = unit.kind
        else:
            unit_id = f"unit_{sum(1 for u in self.order if u.startswith('unit_')) + 1}"
            kind = guess_kind(ref.name)
            self.review.append(
                Review(
                    "unit-unknown",
                    f"unit {ref.name} is not in the known list: check its name, and give "
                    f"it an id and a kind (guessed {kind})",
                    ref.lines,
                    where,
                )
            )
        self.by_name[name_key] = unit_id
        if unit_id not in self.entries:
            self.order.append(unit_id)
            self.entries[unit_id] = {
                "id": unit_id,
                "name": _zh(ref.name),
                "short_names": [],
                "kind": kind,
            }
        self._short(unit_id, ref.name)
        return unit_id

    def _short(self, unit_id: str, name: str) -> None:
        entry = self.entries[unit_id]
        if key(name) == key(entry["name"]["zh"]):
            return  # the same name printed otherwise (市財政局, 市 财政局): not a short form
        seen = {loader_key(n) for n in (entry["name"]["zh"], *entry["short_names"])}
        if loader_key(name) not in seen:  # the loader's rule: one name, however printed
            if self.known.is_short(name) or len(key(name)) < len(key(entry["name"]["zh"])):
                entry["short_names"].append(name)
            else:  # a full name seen after a short one: the full name is the name
                entry["short_names"].append(entry["name"]["zh"])
                entry["name"]["zh"] = name

    def known_in(self, text: str) -> list[tuple[int, int, str]]:
        """The plan's units and known units named inside a text: (start, end, id)."""
        plan_names = {n: self.entries[i] for n, i in self.by_name.items()}
        out = []
        for start, end, unit in self.known.extended({}).scan(text):
            out.append((start, end, self._id_for_known(unit, text[start:end])))
        found = {(s, e) for s, e, _ in out}
        folded = fold(text)
        for name_key, entry in plan_names.items():
            index = folded.find(name_key)
            while index >= 0:
                span = (index, index + len(name_key))
                if not any(s <= span[0] < e for s, e in found):
                    out.append((*span, entry["id"]))
                    found.add(span)
                index = folded.find(name_key, index + 1)
        return sorted(out)

    def _id_for_known(self, unit: KnownUnit, printed: str) -> str:
        if unit.id in self.entries:
            self._short(unit.id, printed)
        return unit.id


def _references(text: str, own: Sequence[str], units: _Units) -> list[dict[str, Any]]:
    """The references of a text to units other than its own, in printed order."""
    refs: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for start, end, unit_id in units.known_in(text):
        if unit_id in own:
            continue
        entry: dict[str, Any] = {"mention": text[start:end], "kind": ""}
        entry["kind"] = _reference_kind(fold(text[max(0, start - 4) : start]))
        if unit_id in units.entries:
            entry["bureau"] = unit_id
        refs.append(entry)
        taken.append((start, end))
    for match in _ROLE_OF.finditer(fold(text)):
        if looks_like_unit(match.group(1)) and not any(
            s < match.end(1) and match.start(1) < e for s, e in taken
        ):
            refs.append({"mention": text[match.start(1) : match.end(1)], "kind": "mentions"})
            taken.append(match.span(1))
    for match in _GROUPS.finditer(fold(text)):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        mention = text[match.start() : match.end()]
        kind = _reference_kind(fold(text[max(0, match.start() - 4) : match.start()]))
        refs.append({"mention": mention, "kind": kind})
        taken.append(match.span())
    order = sorted(range(len(refs)), key=lambda i: taken[i][0])
    seen: set[tuple[str, str]] = set()
    out = []
    for ref in (refs[i] for i in order):
        if (ref["mention"], ref["kind"]) not in seen:
            seen.add((ref["mention"], ref["kind"]))
            out.append(ref)
    return out


def _assignments(refs: Sequence[UnitRef], units: _Units, where: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ref in refs:
        unit_id = units.id_of(ref, where)
        if unit_id in seen:
            units.review.append(
                Review("unit-boundary", f"unit {ref.name} is named twice here", ref.lines, where)
            )
            continue
        seen.add(unit_id)
        entry: dict[str, Any] = {"unit": unit_id}
        if ref.marker is not None:
            entry["role"] = ref.marker
        out.append(entry)
    return out


def plan_body(  # noqa: C901, PLR0912 - one pass over measures, tasks and items
    measures: Sequence[MeasureDraft], known: CityUnits
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Review]]:
    """Return the plan's ``bureaus`` and ``measures``, and the review entries they raise."""
    units = _Units(known)
    out: list[dict[str, Any]] = []
    for m_index, measure in enumerate(measures):
        tasks = []
        for t_index, task in enumerate(measure.tasks):
            where = f"measures[{m_index}].tasks[{t_index}]"
            entry: dict[str, Any] = {"id": f"{measure.number}.{t_index + 1}"}
            entry["lines"] = _lines(task.lines)
            assignments = _assignments(task.units, units, where)
            entry["assignments"] = assignments
            own = [a["unit"] for a in assignments]
            if task.items:
                items = []
                for i_index, item in enumerate(task.items):
                    node: dict[str, Any] = {"number": item.number, "lines": _lines(item.lines)}
                    node["text"] = _zh(item.text)
                    if item.units:
                        item_where = f"{where}.items[{i_index}]"
                        node["assignments"] = _assignments(item.units, units, item_where)
                        own += [a["unit"] for a in node["assignments"]]
                    elif item.role is not None:
                        node["role"] = item.role
                    items.append(node)
                text = "".join(f"{i.number}.{i.text}" for i in task.items)
            else:
                text = task.text or ""
                entry["text"] = _zh(text)
            references = _references(text, own, units)
            if references:
                entry["references"] = references
            if task.items:
                entry["items"] = items
            if task.deadline is not None:
                entry["deadline"] = task.deadline
            if task.reporting is not None:
                entry["reporting"] = task.reporting
            if task.districts:
                entry["districts"] = True
            tasks.append(entry)
        out.append(
            {
                "number": measure.number,
                "lines": _lines(measure.lines),
                "title": _zh(measure.title),
                "provincial_text": _zh(measure.text or measure.title),
                "tasks": tasks,
            }
        )
    bureaus = [units.entries[u] for u in units.order]
    for bureau in bureaus:
        if not bureau["short_names"]:
            del bureau["short_names"]
    return bureaus, out, units.review
