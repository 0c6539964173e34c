"""A second plan written by hand in format 2: its texts, its roles and its schema.

`tests/data/example-flexible-2025.toml` is an imaginary city's plan in the inline layout of
many published plans: after each task, its units in brackets, marked 牵头 (lead), 配合 (assist),
负责 or 按职责分工负责 (responsible), with the deadline after a 「；」.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from published_text import published_lines, span, squash
from yantai_policy import export

DATA = Path(__file__).parent / "data"
PLAN = DATA / "example-flexible-2025.toml"

DISTRICTS = "各区市人民政府"
"""How the text charges the district governments; not a unit of the plan."""

MARKERS = {"牵头": "lead", "配合": "assist", "按职责分工负责": "responsible", "负责": "responsible"}
"""The role markers of the inline layout, longest first where one ends another."""


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The plan file as TOML gives it (dates as datetime.date)."""
    return tomllib.loads(PLAN.read_text("utf-8"))


@pytest.fixture
def plan(raw: dict[str, Any]) -> dict[str, Any]:
    """The plan as its JSON form (dates as YYYY-MM-DD strings), safe to mutate."""
    as_json: dict[str, Any] = json.loads(json.dumps(raw, ensure_ascii=False, default=str))
    return as_json


@pytest.fixture(scope="module")
def source() -> bytes:
    """The published text of the imaginary notice."""
    return (DATA / "example-flexible-2025.txt").read_bytes()


@pytest.fixture(scope="module")
def lines(raw: dict[str, Any], source: bytes) -> dict[int, str]:
    """The published lines, page furniture removed."""
    return published_lines(source, raw["provenance"]["furniture_lines"])


def _tasks(raw: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for measure in raw["measures"]:
        yield from measure["tasks"]


def _where(lines: dict[int, str], node: dict[str, Any]) -> str:
    """The squashed published lines a plan node points at."""
    first, last = node["lines"]
    return span(lines, first, last)


def _brackets(text: str) -> str:
    """The closing bracket of a task or item line: the units and the deadline."""
    match = re.search(r"（([^（）]*)）$", text)
    assert match is not None, text
    return match.group(1)


def _printed_roles(bracket: str, names: dict[str, str]) -> tuple[list[tuple[str, str]], bool]:
    """The (unit id, role) pairs a bracket prints, in order, and whether it charges the districts."""
    units_part = bracket.split("；", maxsplit=1)[0]
    pairs: list[tuple[str, str]] = []
    districts = False
    for clause in units_part.split("，"):
        marker = next(m for m in MARKERS if clause.endswith(m))
        for name in clause.removesuffix(marker).split("、"):
            if name == DISTRICTS:
                districts = True
            else:
                pairs.append((names[name], MARKERS[marker]))
    return pairs, districts


def _roles_as_written(node: dict[str, Any], lead_rule: str) -> list[tuple[str, str]]:
    if "units" in node:
        assert lead_rule == "explicit"
        return [(unit, "responsible") for unit in node["units"]]
    return [(a["unit"], a.get("role", "responsible")) for a in node["assignments"]]


# --- (a) every text is the published text, at its lines ---------------------------------


def test_source_hash_is_recorded(raw: dict[str, Any], source: bytes) -> None:
    """The plan's provenance records the sha256 of the text file beside it."""
    assert hashlib.sha256(source).hexdigest() == raw["provenance"]["source_sha256"]
    assert raw["provenance"]["source_file"] == "example-flexible-2025.txt"


def test_notice_texts_lie_within_the_notice(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """Every zh text of the notice occurs, whitespace aside, within the notice's lines."""
    notice = raw["notice"]
    where = _where(lines, notice)
    keys = ["title", "issuer", "addressees", "preamble", "attachment", "annex_title"]
    keys.append("publication_note")
    missing = [k for k in keys if squash(notice[k]["zh"]) not in where]
    missing += ["parent"] * (squash(notice["parent"]["title"]["zh"]) not in where)
    missing += ["document_number"] * (notice["document_number"] not in where)
    assert missing == []


def test_sections_are_their_lines(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """Each section's heading and text together are exactly its lines."""
    wrong = [
        s["number"]
        for s in raw["notice"]["sections"]
        if _where(lines, s) != squash(s["heading"]["zh"] + s["text"]["zh"])
    ]
    assert wrong == []


def test_measures_start_their_lines(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """A measure's lines start with its title and the provincial text, and hold its tasks."""
    wrong = []
    for m in raw["measures"]:
        where = _where(lines, m)
        head = squash(m["title"]["zh"] + "。" + m["provincial_text"]["zh"])
        if not re.sub(r"^[一二三四五六七八九十]+、", "", where).startswith(head):
            wrong.append(m["number"])
        first, last = m["lines"]
        wrong += [
            t["id"] for t in m["tasks"] if not first <= t["lines"][0] <= t["lines"][1] <= last
        ]
    assert wrong == []


def test_task_and_item_texts_are_their_lines(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """Each task's (or item's) lines are its number, its zh text verbatim, then its brackets."""
    wrong = []
    for number, task in enumerate(_tasks(raw), 1):
        where = _where(lines, task)
        if "text" in task:
            expected = squash(f"{number}.{task['text']['zh']}（")
            if not where.startswith(expected) or not where.endswith("）"):
                wrong.append(task["id"])
        elif not where.startswith(f"{number}."):
            wrong.append(task["id"])
        for item in task.get("items", []):
            item_where = _where(lines, item)
            expected = squash(f"（{item['number']}）{item['text']['zh']}（")
            if not item_where.startswith(expected) or item_where not in where:
                wrong.append(f"{task['id']} item {item['number']}")
    assert wrong == []


def test_unit_names_are_printed(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """Every unit of the notice is printed, under its name, in the brackets of a task."""
    whole = squash("".join(lines.values()))
    missing = [b["id"] for b in raw["bureaus"] if f"{b['name']['zh']}" not in whole]
    assert missing == []


def test_roles_are_the_printed_markers(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """Each task's and item's units, roles and districts flag are those its brackets print."""
    names = {b["name"]["zh"]: b["id"] for b in raw["bureaus"]}
    wrong = []
    for task in _tasks(raw):
        items = task.get("items", [])
        if items:
            printed: list[tuple[str, str]] = []
            districts = False
            for item in items:
                pairs, charged = _printed_roles(_brackets(_where(lines, item)), names)
                if pairs != _roles_as_written(item, raw["lead_rule"]):
                    wrong.append(f"{task['id']} item {item['number']}")
                printed += [p for p in pairs if p not in printed]
                districts |= charged
        else:
            printed, districts = _printed_roles(_brackets(_where(lines, task)), names)
        if printed != _roles_as_written(task, raw["lead_rule"]):
            wrong.append(task["id"])
        if districts != task.get("districts", False):
            wrong.append(f"{task['id']} districts")
    assert wrong == []


def test_deadlines_are_printed(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """A deadline's text is what the brackets print after 「；」, and its date is that month's end."""
    wrong = []
    for task in _tasks(raw):
        after = _brackets(_where(lines, task)).split("；")[1:] if "text" in task else []
        deadline = task.get("deadline")
        printed = [part for part in after if not part.startswith("每")]
        text = deadline if isinstance(deadline, str) else (deadline or {}).get("text")
        if printed != ([text] if text else []):
            wrong.append(task["id"])
        if isinstance(deadline, dict):
            year, month = map(int, re.findall(r"\d+", deadline["text"])[:2])
            next_month = dt.date(year + month // 12, month % 12 + 1, 1)
            if deadline["on"] != next_month - dt.timedelta(days=1):
                wrong.append(f"{task['id']} on")
    assert wrong == []


def test_reporting_is_printed(raw: dict[str, Any], lines: dict[int, str]) -> None:
    """A task reports at the rhythm its text or brackets print (每月, 每季度, 每半年)."""
    rhythm = {"每月": "monthly", "每季度": "quarterly", "每半年": "half_yearly"}
    wrong = []
    for task in _tasks(raw):
        where = _where(lines, task)
        printed = [value for word, value in rhythm.items() if f"{word}报送" in where]
        if printed != ([task["reporting"]] if "reporting" in task else []):
            wrong.append(task["id"])
    assert wrong == []


def test_the_plan_has_what_the_issue_asks(raw: dict[str, Any]) -> None:
    """The plan has 15+ tasks, 10+ units, shared, unled and district tasks, items and events."""
    tasks = list(_tasks(raw))
    assert len(tasks) >= 15
    assert len(raw["bureaus"]) >= 10
    assert raw["lead_rule"] == "explicit"
    roles = [[role for _, role in _roles_as_written(t, "explicit")] for t in tasks]
    assert any(r.count("lead") == 1 and r.count("assist") >= 2 for r in roles)
    assert any(len(r) > 1 and set(r) == {"responsible"} for r in roles)
    assert any(t.get("districts") for t in tasks)
    assert any("assignments" in i for t in tasks for i in t.get("items", []))
    assert {type(t["deadline"]) for t in tasks if "deadline" in t} == {str, dict}
    kinds = {e["kind"] for b in raw["bureaus"] for e in b.get("events", [])}
    assert {"renamed", "merged_into"} <= kinds


# --- (b) the JSON Schema of format 2 -------------------------------------------------------


def _errors(plan: dict[str, Any]) -> list[str]:
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    schema = export.plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(plan)]


def _json_of(path: Path) -> dict[str, Any]:
    raw = tomllib.loads(path.read_text("utf-8"))
    data: dict[str, Any] = json.loads(json.dumps(raw, ensure_ascii=False, default=str))
    return data


def test_schema_accepts_the_v2_plan(plan: dict[str, Any]) -> None:
    """The hand-written v2 plan is valid against the shipped schema."""
    assert _errors(plan) == []


def test_schema_still_accepts_a_v1_plan() -> None:
    """A format 1 plan (measures with actions) is valid against the schema too."""
    v1 = _json_of(DATA / "other-city.toml")
    assert v1["format_version"] == 1
    v1.setdefault("parameters", {})
    assert _errors(v1) == []


def _task(plan: dict[str, Any], task_id: str) -> dict[str, Any]:
    task: dict[str, Any] = next(t for t in _tasks(plan) if t["id"] == task_id)
    return task


def _bureau(plan: dict[str, Any], unit_id: str) -> dict[str, Any]:
    bureau: dict[str, Any] = next(b for b in plan["bureaus"] if b["id"] == unit_id)
    return bureau


def _both_units_and_assignments(plan: dict[str, Any]) -> None:
    _task(plan, "2.3")["assignments"] = [{"unit": "hrss", "role": "lead"}]


def _neither_units_nor_assignments(plan: dict[str, Any]) -> None:
    del _task(plan, "1.1")["assignments"]


def _empty_assignments(plan: dict[str, Any]) -> None:
    _task(plan, "1.1")["assignments"] = []


def _unknown_role(plan: dict[str, Any]) -> None:
    _task(plan, "1.2")["assignments"][0]["role"] = "owner"


def _unknown_lead_rule(plan: dict[str, Any]) -> None:
    plan["lead_rule"] = "first"


def _date_shaped_deadline_that_is_no_date(plan: dict[str, Any]) -> None:
    _task(plan, "1.1")["deadline"] = "2025-13-45"


def _empty_deadline(plan: dict[str, Any]) -> None:
    _task(plan, "1.1")["deadline"] = {}


def _unknown_reporting(plan: dict[str, Any]) -> None:
    _task(plan, "2.1")["reporting"] = "weekly"


def _districts_not_a_boolean(plan: dict[str, Any]) -> None:
    _task(plan, "1.3")["districts"] = "yes"


def _renamed_without_a_name(plan: dict[str, Any]) -> None:
    del _bureau(plan, "data")["events"][0]["name"]


def _merged_into_two(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["into"] = ["finance_office", "finance"]


def _event_without_a_source(plan: dict[str, Any]) -> None:
    del _bureau(plan, "finreg")["events"][0]["source"]


def _unknown_event_kind(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["kind"] = "moved"


def _actions_in_a_v2_measure(plan: dict[str, Any]) -> None:
    plan["measures"][0]["actions"] = plan["measures"][0].pop("tasks")


def _v1_with_a_lead_rule(plan: dict[str, Any]) -> None:
    plan.clear()
    plan.update(_json_of(DATA / "other-city.toml"), parameters={}, lead_rule="explicit")


def _v1_with_events(plan: dict[str, Any]) -> None:
    events = copy.deepcopy(_bureau(plan, "data")["events"])
    plan.clear()
    plan.update(_json_of(DATA / "other-city.toml"), parameters={})
    plan["bureaus"][0]["events"] = events


@pytest.mark.parametrize(
    "spoil",
    [
        _both_units_and_assignments,
        _neither_units_nor_assignments,
        _empty_assignments,
        _unknown_role,
        _unknown_lead_rule,
        _date_shaped_deadline_that_is_no_date,
        _empty_deadline,
        _unknown_reporting,
        _districts_not_a_boolean,
        _renamed_without_a_name,
        _merged_into_two,
        _event_without_a_source,
        _unknown_event_kind,
        _actions_in_a_v2_measure,
        _v1_with_a_lead_rule,
        _v1_with_events,
    ],
)
def test_schema_rejects_v2_mistakes(
    plan: dict[str, Any], spoil: Callable[[dict[str, Any]], None]
) -> None:
    """A v2 plan spoilt in one way (or a v1 plan given v2 keys) is invalid against the schema."""
    assert _errors(plan) == []
    spoil(plan)
    assert _errors(plan) != []
