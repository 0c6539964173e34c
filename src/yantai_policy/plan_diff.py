"""Plan diffs: what changed between two plans, task by task, unit by unit.

[`diff`][yantai_policy.plan_diff.diff] compares two [`Policy`][yantai_policy.model.Policy]
objects (two versions of one plan, or two cities' plans for the same provincial measures)
and returns a [`PlanDiff`][yantai_policy.plan_diff.PlanDiff]: one
[`Difference`][yantai_policy.plan_diff.Difference] per thing that changed, each with its
kind, its path, the old and the new value, and where each is printed.

How the two plans are lined up:

- **Measures** are matched by number: both plans implement the same provincial list
  (鲁政办发〔2020〕19号 numbers its measures 1-20), so measure 7 is measure 7.
- **Tasks** are matched by id within the same measure: ``7.1`` in one plan is ``7.1``
  in the other. A task only one plan has is added or removed.
- **Units** are matched by id first. A unit left over is then matched by name: first by
  its printed name (and the names it took later), then by any name, short names
  included; a pair is matched only where each is the other's one candidate, so the
  matching is the same whichever plan comes first. Names compare as
  `yantai_policy._text.name_key` compares them, after taking off the city's prefix:
  the issuing city's name (烟台市 or 烟台, read from the notice's issuer, 烟台市人民政府办公室)
  or the bare 市 (municipal) of 市财政局. So 示例市财政局 matches 市财政局, and 示例市人社局
  (short name 人社局) matches 市人力资源社会保障局 (short name 市人社局). A unit matched
  under another id shows in paths as ``unit:OLD=NEW`` (``unit:money=finance``).

What is compared: the notice's particulars (document number, issuer, title, issue date);
each unit's name (``unit_renamed``), its events (``unit_events_changed``), and its id,
short names and kind (``unit_changed``); each measure's title and provincial text; each
task's text, items, deadline, reporting, districts, references and the order of its units
(``task_changed``), and its assignments: a unit's role (``role_changed``), a unit added to or removed from a task
(``assignment_added``, ``assignment_removed``), also for an item that gives its units
roles of their own; and each parameter's dated values, source, unit, cap and description
(``parameter_changed``).

Examples:
    >>> import attrs
    >>> import yantai_policy as yp
    >>> base = yp.load_policy()
    >>> bool(yp.diff(base, base))
    False
    >>> reform = base.with_parameters({"startup_subsidy.amount": "6000"})
    >>> changes = yp.diff(base, reform)
    >>> [(d.kind.value, d.path, d.field) for d in changes]
    [('parameter_changed', 'parameter:startup_subsidy.amount', 'values'), ('parameter_changed', 'parameter:startup_subsidy.amount', 'source')]
    >>> changes.counts()["parameter_changed"]
    2
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import TYPE_CHECKING

import attrs

from yantai_policy._reprs import clip, plural
from yantai_policy._text import name_key
from yantai_policy.model import Text

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from yantai_policy.model import (
        Action,
        Assignment,
        Bureau,
        Item,
        Measure,
        Policy,
        SourceRef,
        UnitEvent,
    )
    from yantai_policy.parameters import Parameter
    from yantai_policy.serialize import Lang

__all__ = ["DiffKind", "DiffValue", "Difference", "PlanDiff", "UnitMatch", "diff"]

DiffValue = str | int | bool | dt.date | Text | tuple["DiffValue", ...] | None
"""An old or new value: text in both languages (`Text`), a string, a number, a flag, a
day, a tuple of these (a parameter's dated values, a task's references), or None where
the side has nothing (an added task's old value)."""


class DiffKind(enum.Enum):
    """What kind of difference a [`Difference`][yantai_policy.plan_diff.Difference] is."""

    NOTICE_CHANGED = "notice_changed"
    UNIT_ADDED = "unit_added"
    UNIT_REMOVED = "unit_removed"
    UNIT_RENAMED = "unit_renamed"
    UNIT_EVENTS_CHANGED = "unit_events_changed"
    UNIT_CHANGED = "unit_changed"
    MEASURE_ADDED = "measure_added"
    MEASURE_REMOVED = "measure_removed"
    MEASURE_CHANGED = "measure_changed"
    TASK_ADDED = "task_added"
    TASK_REMOVED = "task_removed"
    TASK_CHANGED = "task_changed"
    ROLE_CHANGED = "role_changed"
    ASSIGNMENT_ADDED = "assignment_added"
    ASSIGNMENT_REMOVED = "assignment_removed"
    PARAMETER_ADDED = "parameter_added"
    PARAMETER_REMOVED = "parameter_removed"
    PARAMETER_CHANGED = "parameter_changed"

    @property
    def mirror(self) -> DiffKind:
        """The kind the same difference has with the plans swapped: added ↔ removed.

        Examples:
            >>> DiffKind.TASK_ADDED.mirror.value, DiffKind.ROLE_CHANGED.mirror.value
            ('task_removed', 'role_changed')
        """
        name = self.value
        if name.endswith("_added"):
            return DiffKind(name.removesuffix("_added") + "_removed")
        if name.endswith("_removed"):
            return DiffKind(name.removesuffix("_removed") + "_added")
        return self


@attrs.frozen(repr=False)
class Difference:
    """One thing that differs between two plans.

    Attributes:
        kind: What kind of difference it is.
        path: What it is about, from the top: ``notice``, ``unit:hrss``,
            ``measure:7``, ``measure:7/task:7.1``, ``measure:14/task:14.1/item:2``,
            ``measure:7/task:7.1/unit:finance`` or ``parameter:startup_subsidy.amount``.
            A unit matched by name under another id is ``unit:OLD=NEW``.
        field: Which field differs (``text``, ``deadline``, ``name``, ``values``, ...),
            or None for an addition, a removal or a role.
        old: The value in the first plan (None where it has none).
        new: The value in the second plan (None where it has none).
        old_source: Where the old value is printed, where the plan says.
        new_source: Where the new value is printed, where the plan says.
    """

    kind: DiffKind
    path: str
    field: str | None
    old: DiffValue
    new: DiffValue
    old_source: SourceRef | None = None
    new_source: SourceRef | None = None

    def __repr__(self) -> str:
        """Return ``<Difference role_changed measure:7/task:7.1/unit:finance>``."""
        field = f" {self.field}" if self.field else ""
        return f"<Difference {self.kind.value} {clip(self.path, 60)}{field}>"

    def to_dict(self, lang: Lang = "both") -> dict[str, object]:
        """Return the difference as JSON-ready data (text values in ``lang``)."""
        from yantai_policy.serialize import source_to_dict  # noqa: PLC0415 - light, on demand

        return {
            "kind": self.kind.value,
            "path": self.path,
            "field": self.field,
            "old": _plain(self.old, lang),
            "new": _plain(self.new, lang),
            "old_source": None if self.old_source is None else source_to_dict(self.old_source),
            "new_source": None if self.new_source is None else source_to_dict(self.new_source),
        }


@attrs.frozen
class UnitMatch:
    """A unit of the first plan and the unit of the second it was matched with.

    Attributes:
        old: The unit's id in the first plan.
        new: Its id in the second.
        by: How they were matched: ``id``, ``name`` (the printed name) or ``short_name``
            (any name, short names included).
    """

    old: str
    new: str
    by: str


@attrs.frozen(repr=False)
class PlanDiff:
    """The differences between two plans, in order: notice, units, measure by measure, parameters.

    False when the plans do not differ (``bool(diff(a, a))`` is False); iterating
    yields the differences.

    Attributes:
        old: The first plan's document number.
        new: The second plan's document number.
        old_sha256: The SHA-256 of the first plan's data.
        new_sha256: The SHA-256 of the second plan's data.
        differences: Every difference.
        unit_matches: How the units were lined up: every pair matched, by id or by name.
    """

    old: str
    new: str
    old_sha256: str
    new_sha256: str
    differences: tuple[Difference, ...]
    unit_matches: tuple[UnitMatch, ...]

    def __bool__(self) -> bool:
        """Whether the plans differ at all."""
        return bool(self.differences)

    def __len__(self) -> int:
        """Return the number of differences."""
        return len(self.differences)

    def __iter__(self) -> Iterator[Difference]:
        """Iterate over the differences in order."""
        return iter(self.differences)

    def __repr__(self) -> str:
        """Return ``<PlanDiff 烟政办字〔2021〕3号 → 示例政办字〔2022〕1号: 3 differences>``."""
        return (
            f"<PlanDiff {clip(self.old, 40)} → {clip(self.new, 40)}: "
            f"{plural(len(self.differences), 'difference')}>"
        )

    def of_kind(self, kind: DiffKind | str) -> tuple[Difference, ...]:
        """Return the differences of one kind (a `DiffKind` or its value, ``"task_added"``)."""
        wanted = DiffKind(kind)
        return tuple(d for d in self.differences if d.kind is wanted)

    def counts(self) -> dict[str, int]:
        """Return the number of differences of every kind, in the order of `DiffKind` (zeros too)."""
        return {k.value: sum(1 for d in self.differences if d.kind is k) for k in DiffKind}

    @property
    def matched_by_name(self) -> tuple[UnitMatch, ...]:
        """The units lined up by name rather than by id."""
        return tuple(m for m in self.unit_matches if m.by != "id")

    def to_dict(self, lang: Lang = "both") -> dict[str, object]:
        """Return the diff as JSON-ready data: both plans, counts, unit matches, differences."""
        return {
            "old": {"document_number": self.old, "data_sha256": self.old_sha256},
            "new": {"document_number": self.new, "data_sha256": self.new_sha256},
            "equal": not self.differences,
            "counts": self.counts(),
            "units_matched_by_name": [
                {"old": m.old, "new": m.new, "by": m.by} for m in self.matched_by_name
            ],
            "differences": [d.to_dict(lang) for d in self.differences],
        }

    def _summary(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items() if n)
        found = plural(len(self.differences), "difference")
        return f"{found} ({counts})" if counts else "no differences"

    def to_text(self, lang: Lang = "both") -> str:
        """Return the diff as plain text: a block per difference, ``-`` old and ``+`` new lines.

        The differences are grouped as in the plan: the notice, the units, then measure
        by measure, then the parameters, each group under its heading.
        """
        lines = [f"--- {self.old} (sha256 {self.old_sha256[:12]})"]
        lines.append(f"+++ {self.new} (sha256 {self.new_sha256[:12]})")
        lines.extend(f"unit {m.old} = {m.new} (matched by {m.by})" for m in self.matched_by_name)
        group = None
        for d in self.differences:
            if _group(d.path) != group:
                group = _group(d.path)
                lines.extend(("", f"@@ {group} @@"))
            field = f"  {d.field}" if d.field else ""
            lines.append(f"{d.kind.value}  {d.path}{field}{_where(d)}")
            lines.extend(f"  - {v}" for v in _shown(d.old, lang))
            lines.extend(f"  + {v}" for v in _shown(d.new, lang))
        lines.extend(("", self._summary()))
        return "\n".join(lines)

    def to_markdown(self, lang: Lang = "both") -> str:
        """Return the diff as a GitHub Markdown table, one row per difference."""
        from yantai_policy.serialize import markdown_cell  # noqa: PLC0415 - light, on demand

        head = [f"**{self.old}** → **{self.new}**: {self._summary()}", ""]
        head.extend(
            f"- unit `{m.old}` = `{m.new}` (matched by {m.by})" for m in self.matched_by_name
        )
        if self.matched_by_name:
            head.append("")
        if not self.differences:
            return "\n".join(head).rstrip()
        rows = ["| kind | path | field | old | new | printed at |", "|---|---|---|---|---|---|"]
        for d in self.differences:
            where = " → ".join(str(s) if s else "-" for s in (d.old_source, d.new_source))
            if d.old_source is None and d.new_source is None:
                where = ""
            cells = [
                d.kind.value,
                f"`{markdown_cell(d.path)}`",
                markdown_cell(d.field or ""),
                "<br>".join(markdown_cell(v) for v in _shown(d.old, lang)),
                "<br>".join(markdown_cell(v) for v in _shown(d.new, lang)),
                markdown_cell(where),
            ]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join([*head, *rows])


def _group(path: str) -> str:
    """The heading a path is shown under: ``notice``, ``units``, ``measure 7``, ``parameters``."""
    top, _, key = path.partition("/")[0].partition(":")
    if top == "measure":
        return f"measure {key}"
    return {"unit": "units", "parameter": "parameters"}.get(top, top)


def _where(d: Difference) -> str:
    if d.old_source is None and d.new_source is None:
        return ""
    if d.old_source == d.new_source:
        return f"  [{d.old_source}]"
    return f"  [{d.old_source or '-'} → {d.new_source or '-'}]"


def _langs(lang: Lang) -> tuple[str, ...]:
    return ("zh", "en") if lang == "both" else (lang,)


def _one_line(value: DiffValue) -> str:
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dt.date):
        return f"{_one_line(value[1])} from {value[0]}"  # a parameter's dated value
    if isinstance(value, tuple):
        return "; ".join(_one_line(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Text):
        return value.zh
    return str(value)


def _shown(value: DiffValue, lang: Lang) -> list[str]:
    """The lines a value is shown as: one per language for text, else one (none for None)."""
    if value is None:
        return []
    if isinstance(value, Text):
        return [value.get(code) for code in _langs(lang)]
    if isinstance(value, tuple) and any(isinstance(v, Text) for v in value):
        return [
            "; ".join(v.get(code) if isinstance(v, Text) else _one_line(v) for v in value)
            for code in _langs(lang)
        ]
    return [_one_line(value)]


def _plain(value: DiffValue, lang: Lang) -> object:
    """A value as JSON-ready data: text as ``{"zh", "en"}``, days as ``YYYY-MM-DD``."""
    if isinstance(value, Text):
        from yantai_policy.serialize import text_to_dict  # noqa: PLC0415 - light, on demand

        return text_to_dict(value, lang)
    if isinstance(value, tuple):
        return [_plain(v, lang) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- lining the units up -----------------------------------------------------------------

_CITY = re.compile(r"^(.+?)市")


def _prefixes(policy: Policy) -> tuple[str, ...]:
    """The prefixes a unit's name may carry in this plan: the city (烟台市, 烟台) and 市."""
    found = _CITY.match(policy.notice.issuer.zh)
    if found is None:
        return ("市",)
    return (found.group(0), found.group(1), "市")


def _forms(name: str, prefixes: tuple[str, ...]) -> set[str]:
    """The keys a name matches under: as printed, and with one of the plan's prefixes off."""
    forms = {name_key(name)}
    for prefix in prefixes:
        rest = name.removeprefix(prefix)
        if rest != name and rest:
            forms.add(name_key(rest))
    return forms


def _keys(unit: Bureau, prefixes: tuple[str, ...], *, short: bool) -> set[str]:
    names = [unit.name.zh, *(t.zh for t in unit.later_names)]
    if short:
        names.extend(unit.short_names)
    return {key for name in names for key in _forms(name, prefixes)}


def _renamed(was: Bureau, now: Bureau, prefixes: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a unit's name differs, beyond the city's prefix (示例市财政局 is 市财政局).

    Between two plans of one city every change counts, a new English name too. Between
    two cities' plans, Chinese names that differ only by the city's prefix are the same
    name (their English names differ as the cities do).
    """
    if was.name == now.name:
        return False
    old, new = prefixes
    if was.name.zh == now.name.zh or old == new:  # one city: every change of name counts
        return True
    return not _forms(was.name.zh, old) & _forms(now.name.zh, new)


def _match_units(a: Policy, b: Policy) -> tuple[UnitMatch, ...]:
    """Pair the units of two plans: by id, then by printed name, then by any name.

    In each pass by name a pair is made only where each unit is the other's only
    candidate among the units still unpaired, so the pairing does not depend on which
    plan comes first.
    """
    left = {u.id: u for u in a.units}
    right = {u.id: u for u in b.units}
    matches = [UnitMatch(i, i, "id") for i in left if i in right]
    for match in matches:
        del left[match.old], right[match.new]
    pa, pb = _prefixes(a), _prefixes(b)
    for by, short in (("name", False), ("short_name", True)):
        keys_a = {i: _keys(u, pa, short=short) for i, u in left.items()}
        keys_b = {i: _keys(u, pb, short=short) for i, u in right.items()}
        found = []
        for i, ka in keys_a.items():
            candidates = [j for j, kb in keys_b.items() if ka & kb]
            if len(candidates) != 1:
                continue
            (j,) = candidates
            if [k for k, other in keys_a.items() if other & keys_b[j]] == [i]:
                found.append(UnitMatch(i, j, by))
        for match in found:
            del left[match.old], right[match.new]
        matches.extend(found)
    return tuple(matches)


class _Context:
    """What the comparison needs throughout: the unit pairing, both ways.

    A plain class, not attrs: private, built once per diff, and cheaper to define at import.
    """

    __slots__ = ("backward", "forward")

    def __init__(self, forward: Mapping[str, str], backward: Mapping[str, str]) -> None:
        self.forward = forward  # first plan's unit id → second's
        self.backward = backward

    def unit(self, old: str | None, new: str | None) -> str:
        """The path segment for a unit: its id, or ``OLD=NEW`` where the ids differ."""
        if old is None:
            assert new is not None  # noqa: S101 - one side is always given
            old = self.backward.get(new, new)
        if new is None:
            new = self.forward.get(old, old)
        return f"unit:{old}" if old == new else f"unit:{old}={new}"


# --- the comparison ------------------------------------------------------------------------


def diff(a: Policy, b: Policy) -> PlanDiff:
    """Return what differs from plan ``a`` to plan ``b``.

    Args:
        a: The first (old) plan.
        b: The second (new) plan.

    Returns:
        The differences, in order: the notice, the units, measure by measure (each
        measure, then its tasks, in the second plan's order, then the tasks only the first
        has), then the parameters. ``diff(b, a)`` holds the same differences mirrored:
        old and new swapped, added for removed.

    Examples:
        >>> import attrs
        >>> import yantai_policy as yp
        >>> base = yp.load_policy()
        >>> unit = base.bureau("finance")
        >>> renamed = attrs.evolve(unit, name=yp.Text("市财政局（新）", "Finance (new)"))
        >>> other = attrs.evolve(base, bureaus=tuple(renamed if u is unit else u for u in base.bureaus))
        >>> [(d.kind.value, d.path, d.old.zh, d.new.zh) for d in yp.diff(base, other)]
        [('unit_renamed', 'unit:finance', '市财政局', '市财政局（新）')]
    """
    matches = _match_units(a, b)
    context = _Context(
        forward={m.old: m.new for m in matches}, backward={m.new: m.old for m in matches}
    )
    found = [
        *_notice(a, b),
        *_units(a, b, matches, context),
        *_measures(a, b, context),
        *_parameters(a, b),
    ]
    return PlanDiff(
        old=a.notice.document_number,
        new=b.notice.document_number,
        old_sha256=a.data_sha256,
        new_sha256=b.data_sha256,
        differences=tuple(found),
        unit_matches=matches,
    )


def _notice(a: Policy, b: Policy) -> Iterator[Difference]:
    old, new = a.notice, b.notice
    fields: list[tuple[str, DiffValue, DiffValue]] = [
        ("document_number", old.document_number, new.document_number),
        ("issuer", old.issuer, new.issuer),
        ("title", old.title, new.title),
        ("issued_on", old.issued_on, new.issued_on),
    ]
    for field, was, now in fields:
        if was != now:
            yield Difference(
                DiffKind.NOTICE_CHANGED, "notice", field, was, now, old.source, new.source
            )


def _event(event: UnitEvent, ids: Mapping[str, str]) -> str:
    """An event as one comparable line: kind, day, new name or successors, source.

    ``ids`` renames successor ids (to compare under the other plan's ids).
    """
    into = "+".join(ids.get(i, i) for i in event.into)
    target = f"{event.name.zh} / {event.name.en}" if event.name is not None else into or "-"
    return f"{event.kind.value} {event.on}: {target} ({event.source})"


def _units(
    a: Policy, b: Policy, matches: tuple[UnitMatch, ...], context: _Context
) -> Iterator[Difference]:
    old_units = {u.id: u for u in a.units}
    new_units = {u.id: u for u in b.units}
    prefixes = (_prefixes(a), _prefixes(b))
    for match in matches:
        was, now = old_units[match.old], new_units[match.new]
        path = context.unit(match.old, match.new)
        if _renamed(was, now, prefixes):
            yield Difference(DiffKind.UNIT_RENAMED, path, "name", was.name, now.name)
        before = tuple(_event(e, {}) for e in was.events)
        after = tuple(_event(e, {}) for e in now.events)
        if tuple(_event(e, context.forward) for e in was.events) != after:
            yield Difference(DiffKind.UNIT_EVENTS_CHANGED, path, "events", before, after)
        changes: list[tuple[str, DiffValue, DiffValue]] = [
            ("id", was.id, now.id),
            ("short_names", was.short_names, now.short_names),
            ("kind", was.kind.value, now.kind.value),
        ]
        for field, old, new in changes:
            if old != new:
                yield Difference(DiffKind.UNIT_CHANGED, path, field, old, new)
    for unit in a.units:
        if unit.id not in context.forward:
            yield Difference(DiffKind.UNIT_REMOVED, f"unit:{unit.id}", None, unit.name, None)
    for unit in b.units:
        if unit.id not in context.backward:
            yield Difference(DiffKind.UNIT_ADDED, f"unit:{unit.id}", None, None, unit.name)


def _measures(a: Policy, b: Policy, context: _Context) -> Iterator[Difference]:
    old = {m.number: m for m in a.measures}
    new = {m.number: m for m in b.measures}
    for number in sorted(old.keys() | new.keys()):
        was, now = old.get(number), new.get(number)
        path = f"measure:{number}"
        if was is None or now is None:
            measure = now or was
            assert measure is not None  # noqa: S101 - the number came from one of them
            kind = DiffKind.MEASURE_ADDED if was is None else DiffKind.MEASURE_REMOVED
            yield _one_sided(kind, path, measure.title, measure.source, added=was is None)
            task_kind = DiffKind.TASK_ADDED if was is None else DiffKind.TASK_REMOVED
            for task in measure.actions:
                yield _one_sided(
                    task_kind, f"{path}/task:{task.id}", task.text, task.source, added=was is None
                )
            continue
        for field in ("title", "provincial_text"):
            if getattr(was, field) != getattr(now, field):
                yield Difference(
                    DiffKind.MEASURE_CHANGED,
                    path,
                    field,
                    getattr(was, field),
                    getattr(now, field),
                    was.source,
                    now.source,
                )
        yield from _tasks(was, now, context)


def _one_sided(
    kind: DiffKind, path: str, value: DiffValue, source: SourceRef | None, *, added: bool
) -> Difference:
    if added:
        return Difference(kind, path, None, None, value, None, source)
    return Difference(kind, path, None, value, None, source, None)


def _tasks(was: Measure, now: Measure, context: _Context) -> Iterator[Difference]:
    old = {t.id: t for t in was.actions}
    prefix = f"measure:{now.number}"
    for task in now.actions:
        path = f"{prefix}/task:{task.id}"
        before = old.pop(task.id, None)
        if before is None:
            yield _one_sided(DiffKind.TASK_ADDED, path, task.text, task.source, added=True)
        else:
            yield from _task(before, task, path, context)
    for task in old.values():
        path = f"{prefix}/task:{task.id}"
        yield _one_sided(DiffKind.TASK_REMOVED, path, task.text, task.source, added=False)


def _references(task: Action) -> tuple[DiffValue, ...]:
    return tuple(f"{r.kind.value} {r.mention} ({r.bureau or '-'})" for r in task.references)


def _task(was: Action, now: Action, path: str, context: _Context) -> Iterator[Difference]:
    mapped = attrs.evolve(
        was,
        references=tuple(
            attrs.evolve(r, bureau=context.forward.get(r.bureau, r.bureau) if r.bureau else None)
            for r in was.references
        ),
    )
    fields: list[tuple[str, DiffValue, DiffValue, bool]] = [
        # a task with items has the items' text: where both have items, the items carry it
        ("text", was.text, now.text, was.text != now.text and not (was.items and now.items)),
        ("deadline", _deadline(was), _deadline(now), was.deadline != now.deadline),
        ("reporting", _reporting(was), _reporting(now), was.reporting != now.reporting),
        ("districts", was.districts, now.districts, was.districts != now.districts),
        (
            "references",
            _references(was),
            _references(now),
            _references(mapped) != _references(now),
        ),
    ]
    for field, old, new, differs in fields:
        if differs:
            yield Difference(DiffKind.TASK_CHANGED, path, field, old, new, was.source, now.source)
    sources = (was.source, now.source)
    yield from _roles(was.assignments, now.assignments, path, sources, context)
    yield from _items(was, now, path, context)


def _deadline(task: Action) -> DiffValue:
    return None if task.deadline is None else str(task.deadline)


def _reporting(task: Action) -> DiffValue:
    return None if task.reporting is None else task.reporting.value


def _role_map(assignments: Iterable[Assignment], ids: Mapping[str, str]) -> dict[str, str]:
    """Unit id (in the second plan's ids where paired) → its role(s), ``+``-joined."""
    roles: dict[str, list[str]] = {}
    for assignment in assignments:
        unit = ids.get(assignment.bureau.id, assignment.bureau.id)
        roles.setdefault(unit, []).append(assignment.role.value)
    return {unit: "+".join(sorted(r)) for unit, r in roles.items()}


def _roles(
    was: Iterable[Assignment],
    now: Iterable[Assignment],
    path: str,
    sources: tuple[SourceRef, SourceRef],
    context: _Context,
) -> Iterator[Difference]:
    """Each unit whose role differs, each unit only one side charges, and a new order.

    The order matters: it is the order printed, and the first unit of a task without a
    lead is the one answerable for it (`yantai_policy.model.main_assignment`).
    """
    old_source, new_source = sources
    was, now = tuple(was), tuple(now)
    old = _role_map(was, context.forward)
    new = _role_map(now, {})
    old_order = tuple(dict.fromkeys(context.forward.get(a.bureau.id, a.bureau.id) for a in was))
    new_order = tuple(dict.fromkeys(a.bureau.id for a in now))
    if old == new and old_order != new_order:
        yield Difference(DiffKind.TASK_CHANGED, path, "units_order", old_order, new_order, *sources)
    for unit, role in new.items():  # in the second plan's printed order
        here = f"{path}/{context.unit(None, unit)}"
        if unit not in old:
            yield Difference(DiffKind.ASSIGNMENT_ADDED, here, None, None, role, None, new_source)
        elif old[unit] != role:
            yield Difference(
                DiffKind.ROLE_CHANGED, here, None, old[unit], role, old_source, new_source
            )
    for unit, role in old.items():
        if unit not in new:
            here = f"{path}/{context.unit(context.backward.get(unit, unit), None)}"
            yield Difference(DiffKind.ASSIGNMENT_REMOVED, here, None, role, None, old_source, None)


def _items(was: Action, now: Action, path: str, context: _Context) -> Iterator[Difference]:
    old = {i.number: i for i in was.items}
    new = {i.number: i for i in now.items}
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number), new.get(number)
        here = f"{path}/item:{number}"
        if before is None or after is None:
            item = after or before
            assert item is not None  # noqa: S101 - the number came from one of them
            kind = DiffKind.TASK_CHANGED
            if before is None:
                yield Difference(kind, here, "items", None, item.text, None, item.source)
            else:
                yield Difference(kind, here, "items", item.text, None, item.source, None)
            continue
        if before.text != after.text:
            yield Difference(
                DiffKind.TASK_CHANGED,
                here,
                "text",
                before.text,
                after.text,
                before.source,
                after.source,
            )
        if _own_roles(before, was, context.forward) or _own_roles(after, now, {}):
            sources = (before.source, after.source)
            yield from _roles(before.assignments, after.assignments, here, sources, context)


def _own_roles(item: Item, task: Action, ids: Mapping[str, str]) -> bool:
    """Whether an item gives its units roles other than the task's (14.1 item 2 leads)."""
    return _role_map(item.assignments, ids) != _role_map(task.assignments, ids)


# --- parameters ----------------------------------------------------------------------------


def _values(param: Parameter) -> tuple[DiffValue, ...]:
    return tuple((since, param.render(value)) for since, value in param.values)


def _source(param: Parameter) -> Text:
    return Text(zh=param.source.cite("zh"), en=param.source.cite("en"))


def _parameters(a: Policy, b: Policy) -> Iterator[Difference]:
    old, new = a.parameters.by_name, b.parameters.by_name
    for name in sorted(old.keys() | new.keys()):
        path = f"parameter:{name}"
        was, now = old.get(name), new.get(name)
        if was is None or now is None:
            param = now or was
            assert param is not None  # noqa: S101 - the name came from one of them
            kind = DiffKind.PARAMETER_ADDED if was is None else DiffKind.PARAMETER_REMOVED
            yield _one_sided(kind, path, _values(param), None, added=was is None)
            continue
        fields: list[tuple[str, DiffValue, DiffValue]] = [
            ("values", _values(was), _values(now)),
            ("source", _source(was), _source(now)),
            ("unit", was.unit.value, now.unit.value),
            ("cap", was.cap, now.cap),
            ("description", was.description, now.description),
        ]
        for field, before, after in fields:
            if before != after:
                yield Difference(DiffKind.PARAMETER_CHANGED, path, field, before, after)
