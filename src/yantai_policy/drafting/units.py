"""Known unit names, and reading a list of units with its role markers.

The catalogue is a reviewable data file shipped with the package,
`data/known_units.toml`: the usual municipal departments, agencies, offices and
people's organisations under their common names and short forms, across the 2018
and 2023 reforms. A name holds a `{city}` slot and optional parts in brackets:
``[中国]人民银行{city}中心支行`` matches 人民银行市中心支行 and 中国人民银行烟台市中心支行.
The slot takes the city's forms as a notice prints them: ``市`` (the notice's own
city, as in 市商务局), ``烟台市`` and ``烟台``.

Examples:
    >>> units = Catalogue.builtin().for_city("烟台")
    >>> units.lookup("市人力资源社会保障局").id, units.lookup("烟台银保监分局").id
    ('hrss', 'banking_insurance_regulation')
    >>> [(m.name, m.marker) for m in split_units("市发展改革委、市人社局牵头，市财政局配合")]
    [('市发展改革委', 'lead'), ('市人社局', 'lead'), ('市财政局', 'assist')]
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs

from yantai_policy._text import without_invisible
from yantai_policy.drafting.source import fold

__all__ = [
    "Catalogue",
    "CityUnits",
    "KnownUnit",
    "UnitMention",
    "guess_kind",
    "looks_like_unit",
    "split_units",
]

_DATA = Path(__file__).resolve().parent.parent / "data"
_SPACE = re.compile(r"\s+")


@attrs.frozen
class KnownUnit:
    """One unit of the catalogue.

    Attributes:
        id: Its id in plan files, such as ``"hrss"``.
        kind: municipal_department, vertical_agency, peoples_organisation or office.
        names: Its full names, as templates with the `{city}` slot.
        short_names: Its common short forms, as templates.
        since: The year the names came into use, where a reform set it.
        until: The year they went out of use.
        successor: The id of the unit that took over, where one did.
        note: The source of since, until and successor.
    """

    id: str
    kind: str
    names: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    successor: str | None = None
    note: str = ""


def _expand(template: str, forms: tuple[str, ...]) -> Iterator[str]:
    """Every name a template stands for: each optional part in or out, each city form."""
    parts = re.split(r"(\[[^\]]*\])", template)
    choices = [(p[1:-1], "") if p.startswith("[") else (p,) for p in parts]
    for combination in itertools.product(*choices):
        text = "".join(combination)
        if "{city}" in text:
            for form in forms:
                yield text.replace("{city}", form)
        else:
            yield text


def key(name: str) -> str:
    """Return the form in which names are compared: folded, without whitespace or invisible characters."""
    return _SPACE.sub("", fold(without_invisible(name)))


@attrs.frozen
class CityUnits:
    """The catalogue with its `{city}` slot filled: names to units, for one notice.

    Attributes:
        city: The city's name (烟台), or None where the notice does not say.
        by_name: Each name's `key` to its unit and whether it is a short form.
    """

    city: str | None
    by_name: dict[str, tuple[KnownUnit, bool]]

    def lookup(self, name: str) -> KnownUnit | None:
        """Return the unit of this name (full or short form), or None."""
        found = self.by_name.get(key(name))
        return found[0] if found else None

    def is_short(self, name: str) -> bool:
        """Return whether a known name is one of its unit's short forms."""
        found = self.by_name.get(key(name))
        return bool(found and found[1])

    def extended(self, names: dict[str, KnownUnit]) -> CityUnits:
        """Return these names with more, such as the plan's own (以下简称…) short forms."""
        more = {key(n): (u, True) for n, u in names.items()}
        return CityUnits(self.city, {**self.by_name, **more})

    @functools.cached_property
    def _longest(self) -> int:
        return max((len(k) for k in self.by_name), default=0)

    def scan(self, text: str) -> list[tuple[int, int, KnownUnit]]:
        """Return the known names in a text: (start, end, unit), longest first, not overlapping.

        Offsets are those of the text (folding keeps lengths); whitespace inside a
        name is not bridged.
        """
        folded = fold(text)
        out = []
        index = 0
        longest = self._longest
        while index < len(folded):
            for end in range(min(len(folded), index + longest), index, -1):
                found = self.by_name.get(folded[index:end])
                if found is not None:
                    out.append((index, end, found[0]))
                    index = end
                    break
            else:
                index += 1
        return out


@attrs.frozen
class Catalogue:
    """The known unit names (`data/known_units.toml`)."""

    units: tuple[KnownUnit, ...]

    @classmethod
    @functools.cache
    def builtin(cls) -> Catalogue:
        """Return the catalogue shipped with the package (read once)."""
        data = tomllib.loads((_DATA / "known_units.toml").read_text(encoding="utf-8"))
        return cls(
            tuple(
                KnownUnit(
                    id=entry["id"],
                    kind=entry["kind"],
                    names=tuple(entry.get("names", ())),
                    short_names=tuple(entry.get("short_names", ())),
                    since=entry.get("from"),
                    until=entry.get("until"),
                    successor=entry.get("successor"),
                    note=entry.get("note", ""),
                )
                for entry in data.get("units", ())
            )
        )

    def unit(self, unit_id: str) -> KnownUnit | None:
        """Return the unit of this id, or None."""
        return next((u for u in self.units if u.id == unit_id), None)

    @functools.cache  # noqa: B019 - the catalogue is one immutable object per process
    def for_city(self, city: str | None) -> CityUnits:
        """Fill the `{city}` slot with the city's forms (市, 烟台市, 烟台) and index every name.

        A name two units share keeps the first unit listed.
        """
        forms: tuple[str, ...] = ("市",)
        if city:
            forms = ("市", f"{city}市", city)
        by_name: dict[str, tuple[KnownUnit, bool]] = {}
        for unit in self.units:
            for templates, short in ((unit.names, False), (unit.short_names, True)):
                for template in templates:
                    for name in _expand(template, forms):
                        by_name.setdefault(key(name), (unit, short))
        return CityUnits(city, by_name)


# The role markers, folded. Longer ones first, so 按职责分工负责 is not read as 负责.
_MARKERS: tuple[tuple[str, str], ...] = (
    ("按职责分工负责", "responsible"),  # 按职责分工负责 (each responsible by its duties)
    ("按职责分工落实", "responsible"),
    ("按职责分别负责", "responsible"),
    ("分别负责", "responsible"),
    ("共同负责", "responsible"),
    ("负责落实", "responsible"),
    ("牵头负责", "lead"),
    ("牵头", "lead"),  # 牵头 (takes the lead)
    ("配合", "assist"),  # 配合 (assists)
    ("协助", "assist"),
    ("参与", "assist"),
    ("负责", "responsible"),  # 负责 (responsible)
)
_LABELS: tuple[tuple[str, str], ...] = (
    ("牵头单位", "lead"),
    ("牵头部门", "lead"),
    ("配合单位", "assist"),
    ("配合部门", "assist"),
    ("协办单位", "assist"),
    ("责任单位", "responsible"),
    ("责任部门", "responsible"),
    ("主办单位", "lead"),
)
_CLAUSE = re.compile(r"[，,；;。]")
_ITEM = re.compile(r"[、/]|\s+")

# A unit's shape: how its name starts and ends (folded).
_UNIT_HEAD = re.compile(
    r"(市|区|县|团市委|共青团|中共|中国|国家|人民银行|[\u4e00-\u9fff]{2,4}(市|海关|调查队|银保监|银监|金融监管))"
)
_UNIT_TAIL = re.compile(
    r"(局|委|办|厅|会|院|行|中心|联|队|处|所|社|署|部|室|馆|台|团|站|公司|集团|分局|支行|法院|检察院|政府|管委|组)$"
)


def looks_like_unit(name: str) -> bool:
    """Return whether a name has a unit's shape: 市…局, 团市委, 人民银行…支行 and the like."""
    folded = key(name)
    if not 3 <= len(folded) <= 30 or re.search(r"[。，,；;：:！？]", folded):
        return False
    return _UNIT_HEAD.match(folded) is not None and _UNIT_TAIL.search(folded) is not None


def guess_kind(name: str) -> str:
    """Return the likely kind of a unit the catalogue does not know, from its name."""
    folded = key(name)
    vertical = (
        "税务",
        "人民银行",
        "海关",
        "调查队",
        "金融监管",
        "银保监",
        "银监",
        "气象",
        "邮政管理",
    )
    if any(word in folded for word in vertical):
        return "vertical_agency"
    people = (
        "工会",
        "团市委",
        "共青团",
        "妇联",
        "妇女联合会",
        "工商联",
        "科协",
        "残联",
        "侨联",
        "文联",
    )
    if any(word in folded for word in people):
        return "peoples_organisation"
    if folded.endswith(("办", "办公室")):
        return "office"
    return "municipal_department"


@attrs.frozen
class UnitMention:
    """A unit named in a responsibility list.

    Attributes:
        name: The name as printed (stripped).
        start: Its offset in the list's text.
        end: The offset after it.
        marker: The role its marker gives (lead, assist, responsible), or None where
            it has no marker.
    """

    name: str
    start: int
    end: int
    marker: str | None


def _marker_at_end(folded: str) -> tuple[str, str | None]:
    for word, role in _MARKERS:
        if folded.endswith(word):
            return folded[: -len(word)], role
    return folded, None


def split_units(text: str) -> list[UnitMention]:
    """Split a list of units such as ``市发展改革委牵头，市财政局、市商务局配合`` into its units.

    Clauses are cut at ，；; a clause's trailing marker (牵头, 配合, 负责, 按职责分工负责,
    …) or leading label (牵头单位：, 配合单位：, 责任单位：) governs every unit in it;
    ``(牵头)`` after one name governs that name alone; in ``A会同B负责`` A leads and B
    assists. Names are cut at 、 / and whitespace. Offsets are those of `text`.
    """
    folded = fold(text)
    out: list[UnitMention] = []
    start = 0
    for end in [*(m.start() for m in _CLAUSE.finditer(folded)), len(folded)]:
        _clause(text, folded, start, end, out)
        start = end + 1
    return out


def _clause(text: str, folded: str, start: int, end: int, out: list[UnitMention]) -> None:
    body = folded[start:end]
    marker: str | None = None
    for label, label_role in _LABELS:
        head = re.match(rf"\s*{label}\s*[:：]?\s*", body)
        if head:
            marker = label_role
            start += head.end()
            body = body[head.end() :]
            break
    stripped, trailing = _marker_at_end(body.rstrip())
    if trailing is not None:
        marker = trailing
        body = stripped
    together = body.find("会同")  # A会同B (A leads, with B)
    pieces: list[tuple[int, int, str | None]] = []
    if together > 0:
        pieces.append((start, start + together, "lead"))
        pieces.append((start + together + 2, start + len(body), "assist"))
    else:
        pieces.append((start, start + len(body), marker))
    for low, high, role in pieces:
        index = low
        for name_end in [*(low + m.start() for m in _ITEM.finditer(folded[low:high])), high]:
            _name(text, folded, index, name_end, role, out)
            index = name_end + 1
            while index < high and folded[index].isspace():
                index += 1


def _name(  # noqa: PLR0913, PLR0917 - the clause's state, passed down
    text: str, folded: str, start: int, end: int, role: str | None, out: list[UnitMention]
) -> None:
    raw = folded[start:end]
    lead = re.fullmatch(r"(.*?)\s*\((牵头|配合|负责)\)\s*", raw)
    if lead:
        role = {"牵头": "lead", "配合": "assist", "负责": "responsible"}[lead.group(2)]
        end = start + len(lead.group(1))
    while start < end and folded[start].isspace():
        start += 1
    while end > start and folded[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(UnitMention(text[start:end], start, end, role))
