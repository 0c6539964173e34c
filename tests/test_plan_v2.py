"""A second plan written by hand in format 2: its texts, its roles and its schema.

`tests/data/example-flexible-2025.toml` is an imaginary city's plan in the inline layout of
many published plans: after each task, its units in brackets, marked 牵头 (lead), 配合 (assist),
负责 or 按职责分工负责 (responsible), with the deadline after a 「；」.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import yantai_policy as yp
from published_text import published_lines, span, squash
from yantai_policy import export
from yantai_policy.loading import policy_from_dict, reads_as_date

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
    """A task's deadline text is what its brackets print after 「；」, and its date is that month's end.

    Tasks with items are left out: an item's brackets may print a deadline (6.1 item 1), but
    the format has no deadline for an item, and the task's would claim it for every item.
    """
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


def test_schema_enums_are_the_models() -> None:
    """The schema's lead rules, reporting rhythms and event kinds are the model's enums."""
    defs = export.plan_schema()["$defs"]
    assert set(defs["leadRule"]["enum"]) == {r.value for r in yp.LeadRule}
    written = {r.replace("-", "_") for r in defs["reporting"]["enum"]}
    assert written == {r.value for r in yp.Reporting}
    assert set(defs["unitEvent"]["properties"]["kind"]["enum"]) == {
        k.value for k in yp.UnitEventKind
    }


@pytest.mark.parametrize(
    "text",
    ["2025-12-31", "2025-1-5", " 2025-12-31", "2025-12-31前", "长期坚持", "2025年底前", "12-31"],
)
def test_schema_reads_a_deadline_text_as_the_loader_does(text: str) -> None:
    """A deadline string the loader reads as a date is no verbatim text for the schema, and back."""
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    as_text = jsonschema.Draft202012Validator(
        export.plan_schema()["$defs"]["deadlineText"]
    ).is_valid(text)
    assert as_text is not reads_as_date(text)


# --- (c) the plan as the loader reads it -----------------------------------------------------


@pytest.fixture(scope="module")
def policy() -> yp.Policy:
    """The v2 test plan, loaded."""
    return yp.load_policy(PLAN)


def _assignments(assignments: tuple[yp.Assignment, ...]) -> list[tuple[str, str]]:
    return [(a.bureau.id, a.role.value) for a in assignments]


def test_loads_every_task_in_order(policy: yp.Policy, raw: dict[str, Any]) -> None:
    """The loader reads every task of the file, in order, with its measure, and the lead rule."""
    assert [t.id for t in policy.tasks] == [t["id"] for t in _tasks(raw)]
    assert [t.measure for t in policy.tasks] == [
        m["number"] for m in raw["measures"] for _ in m["tasks"]
    ]
    assert policy.lead_rule is yp.LeadRule(raw["lead_rule"])


def test_roles_are_as_written(policy: yp.Policy, raw: dict[str, Any]) -> None:
    """Each task's and item's units and roles are the file's, unmarked ones responsible."""
    for task, data in zip(policy.tasks, _tasks(raw), strict=True):
        assert _assignments(task.assignments) == _roles_as_written(data, raw["lead_rule"])
        for item, item_data in zip(task.items, data.get("items", []), strict=True):
            assert _assignments(item.assignments) == _roles_as_written(item_data, raw["lead_rule"])


def test_shared_tasks(policy: yp.Policy, raw: dict[str, Any]) -> None:
    """Shared tasks have all their units, their leads, and a lead as their main unit."""
    for task, data in zip(policy.tasks, _tasks(raw), strict=True):
        written = _roles_as_written(data, raw["lead_rule"])
        assert [b.id for b in task.bureaus] == [unit for unit, _ in written]
        assert task.is_shared is (len(written) > 1)
        leads = [unit for unit, role in written if role == "lead"]
        assert [b.id for b in task.leads] == leads
        assert task.bureau.id == (leads or [written[0][0]])[0]
    unled = [t for t in policy.tasks if t.is_shared and not t.leads]
    assert unled
    assert all(t.roles == {yp.Role.RESPONSIBLE} for t in unled)


def test_roles_of_a_unit_in_a_task_with_items(policy: yp.Policy) -> None:
    """A unit's roles in a task with items are the ones it has in the task and its items."""
    for task in policy.tasks:
        for unit in task.bureaus:
            expected = {a.role for a in task.assignments if a.bureau is unit}
            expected |= {a.role for i in task.items for a in i.assignments if a.bureau is unit}
            assert task.roles_of(unit) == expected
            assert task.roles_of(unit.id) == expected


def test_deadlines_reporting_and_districts_are_as_written(
    policy: yp.Policy, raw: dict[str, Any]
) -> None:
    """Each task's deadline (date and verbatim words), reporting and districts flag are the file's."""
    for task, data in zip(policy.tasks, _tasks(raw), strict=True):
        deadline = data.get("deadline")
        if deadline is None:
            assert task.deadline is None
        elif isinstance(deadline, str):
            assert task.deadline == yp.Deadline(text=deadline)
            assert task.deadline.is_open
        else:
            assert task.deadline == yp.Deadline(on=deadline["on"], text=deadline["text"])
            assert not task.deadline.is_open
        reporting = data.get("reporting")
        assert task.reporting == (None if reporting is None else yp.Reporting(reporting))
        assert task.districts is data.get("districts", False)


def _events(raw: dict[str, Any], kind: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(b, e) for b in raw["bureaus"] for e in b.get("events", []) if e["kind"] == kind]


def test_renamed_unit(policy: yp.Policy, raw: dict[str, Any]) -> None:
    """A renamed unit keeps its printed name as its key, takes the new name from the event's day, and still exists."""
    ((data, event),) = _events(raw, "renamed")
    unit = policy.bureau(data["id"])
    day = event["on"]
    before = day - dt.timedelta(days=1)
    assert unit.name.zh == data["name"]["zh"]
    assert unit.name_on(before).zh == data["name"]["zh"]
    assert unit.name_on(day).zh == event["name"]["zh"]
    assert unit.name_on(day).en == event["name"]["en"]
    assert unit.exists_on(day)
    assert policy.bureau(event["name"]["zh"]) is unit
    assert policy.bureau(data["name"]["zh"], on=day) is unit
    assert policy.successor_of(unit, day) == (unit,)
    assert unit.events[0].source.assumption is event["source"]["assumption"]
    assert unit.events[0].source.note == event["source"]["note"]
    assert any(unit in t.bureaus for t in policy.tasks)


def test_merged_unit_and_its_later_unit(policy: yp.Policy, raw: dict[str, Any]) -> None:
    """A merged unit ends on its event's day, and its duties pass to the later unit in `into`."""
    ((data, event),) = _events(raw, "merged_into")
    unit = policy.bureau(data["id"])
    (target,) = event["into"]
    later = policy.bureau(target)
    day = event["on"]
    before = day - dt.timedelta(days=1)
    assert later in policy.later_units
    assert later not in policy.bureaus
    assert unit.exists_on(before)
    assert not unit.exists_on(day)
    assert policy.successor_of(unit, before) == (unit,)
    assert policy.successor_of(unit, day) == (later,)
    assert policy.bureau(data["name"]["zh"], on=day) is later
    with pytest.raises(yp.UnknownNameError, match="set up"):
        policy.bureau(target, on=before)


# --- (b) and (4): mistakes the schema and the loader both refuse, at their path ---------------


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


def _item_role_beside_its_assignments(plan: dict[str, Any]) -> None:
    _task(plan, "3.3")["items"][0]["role"] = "lead"


def _renamed_without_a_name(plan: dict[str, Any]) -> None:
    del _bureau(plan, "data")["events"][0]["name"]


def _renamed_into_a_unit(plan: dict[str, Any]) -> None:
    _bureau(plan, "data")["events"][0]["into"] = ["finance"]


def _merged_into_two(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["into"] = ["finance_office", "finance"]


def _event_without_a_source(plan: dict[str, Any]) -> None:
    del _bureau(plan, "finreg")["events"][0]["source"]


def _source_with_neither_document_nor_note(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["source"] = {"assumption": True}


def _unknown_event_kind(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["kind"] = "moved"


def _actions_in_a_v2_measure(plan: dict[str, Any]) -> None:
    plan["measures"][0]["actions"] = plan["measures"][0].pop("tasks")


def _v1_with_a_lead_rule(plan: dict[str, Any]) -> None:
    plan.clear()
    plan.update(_json_of(DATA / "other-city.toml"), parameters={}, lead_rule="explicit")


_UNIT = {
    b["id"]: f"bureaus[{n}]"
    for n, b in enumerate(tomllib.loads(PLAN.read_text("utf-8"))["bureaus"])
}
"""The key path of each unit of the test plan, by id."""

BOTH_REFUSE = [
    (_both_units_and_assignments, "measures[1].tasks[2].units", "not both"),
    (_neither_units_nor_assignments, "measures[0].tasks[0]", "'assignments' (or 'units')"),
    (_empty_assignments, "measures[0].tasks[0].assignments", "at least one unit"),
    (_unknown_role, "measures[0].tasks[1].assignments[0].role", "'owner'"),
    (_unknown_lead_rule, "lead_rule", "'first_listed'"),
    (_date_shaped_deadline_that_is_no_date, "measures[0].tasks[0].deadline", "no month 13"),
    (_empty_deadline, "measures[0].tasks[0].deadline", "'on', 'text' or both"),
    (_unknown_reporting, "measures[1].tasks[0].reporting", "'weekly'"),
    (_districts_not_a_boolean, "measures[0].tasks[2].districts", "true or false"),
    (_item_role_beside_its_assignments, "measures[2].tasks[2].items[0].role", "remove 'role'"),
    (_renamed_without_a_name, f"{_UNIT['data']}.events[0]", "needs the new 'name'"),
    (_renamed_into_a_unit, f"{_UNIT['data']}.events[0].into", "no unit ids"),
    (_merged_into_two, f"{_UNIT['finreg']}.events[0].into", "exactly one unit id"),
    (_event_without_a_source, f"{_UNIT['finreg']}.events[0]", "'source'"),
    (_source_with_neither_document_nor_note, f"{_UNIT['finreg']}.events[0].source", "'note'"),
    (_unknown_event_kind, f"{_UNIT['finreg']}.events[0].kind", "'moved'"),
    (_actions_in_a_v2_measure, "measures[0].actions", "'actions'"),
    (_v1_with_a_lead_rule, "lead_rule", "format_version = 2"),
]


@pytest.mark.parametrize(
    ("spoil", "path", "reason"), BOTH_REFUSE, ids=[s.__name__[1:] for s, _, _ in BOTH_REFUSE]
)
def test_schema_and_loader_refuse_v2_mistakes(
    plan: dict[str, Any], spoil: Callable[[dict[str, Any]], None], path: str, reason: str
) -> None:
    """A v2 plan spoilt in one way is invalid against the schema, and the loader names the key path."""
    assert _errors(plan) == []
    spoil(plan)
    assert _errors(plan) != []
    with pytest.raises(yp.PolicyDataError) as raised:
        policy_from_dict(plan, file="plan.toml")
    assert (raised.value.file, raised.value.path) == ("plan.toml", path)
    assert reason in raised.value.reason


def _unknown_unit_in_an_assignment(plan: dict[str, Any]) -> None:
    _task(plan, "1.2")["assignments"][2]["unit"] = "amrr"


def _later_unit_in_an_assignment(plan: dict[str, Any]) -> None:
    _task(plan, "1.2")["assignments"][2]["unit"] = "finance_office"


def _unit_twice_in_a_task(plan: dict[str, Any]) -> None:
    _task(plan, "1.2")["assignments"].append({"unit": "ndrc"})


def _event_into_an_unknown_unit(plan: dict[str, Any]) -> None:
    _bureau(plan, "finreg")["events"][0]["into"] = ["nowhere"]


def _deadline_on_no_real_day(plan: dict[str, Any]) -> None:
    _task(plan, "1.1")["deadline"] = {"on": "2025-02-30", "text": "2025年2月底前完成"}


def _events_out_of_date_order(plan: dict[str, Any]) -> None:
    abolished = {"kind": "abolished", "on": "2025-12-01", "source": {"note": "invented"}}
    _bureau(plan, "finreg")["events"].insert(0, abolished)


def _later_unit_nobody_merges_into(plan: dict[str, Any]) -> None:
    event = _bureau(plan, "finreg")["events"][0]
    event["kind"] = "abolished"
    del event["into"]


LOADER_REFUSES = [
    (_unknown_unit_in_an_assignment, "measures[0].tasks[1].assignments[2].unit", "'amrr'"),
    (_later_unit_in_an_assignment, "measures[0].tasks[1].assignments[2].unit", "later unit"),
    (_unit_twice_in_a_task, "measures[0].tasks[1].assignments[4]", "named twice"),
    (_event_into_an_unknown_unit, f"{_UNIT['finreg']}.events[0].into", "'nowhere'"),
    (_deadline_on_no_real_day, "measures[0].tasks[0].deadline.on", "28 days"),
    (_events_out_of_date_order, f"{_UNIT['finreg']}.events[1].on", "date order"),
    (_later_unit_nobody_merges_into, "later_units[0]", "no unit's successor"),
]


@pytest.mark.parametrize(
    ("spoil", "path", "reason"),
    LOADER_REFUSES,
    ids=[s.__name__[1:] for s, _, _ in LOADER_REFUSES],
)
def test_loader_names_the_path_of_v2_mistakes(
    plan: dict[str, Any], spoil: Callable[[dict[str, Any]], None], path: str, reason: str
) -> None:
    """A mistake only the loader can see (unknown ids, real dates, order) is refused at its key path."""
    spoil(plan)
    with pytest.raises(yp.PolicyDataError) as raised:
        policy_from_dict(plan, file="plan.toml")
    assert (raised.value.file, raised.value.path) == ("plan.toml", path)
    assert reason in raised.value.reason


def test_a_toml_mistake_names_the_file_and_path(tmp_path: Path) -> None:
    """Loading the TOML file with a v2 mistake names the file and the key path."""
    text = PLAN.read_text("utf-8").replace('lead_rule = "explicit"', 'lead_rule = "first"')
    path = tmp_path / PLAN.name
    path.write_text(text, "utf-8")
    with pytest.raises(yp.PolicyDataError) as raised:
        yp.load_policy(path)
    assert raised.value.path == "lead_rule"
    assert str(path) in str(raised.value)


def test_export_of_the_v2_plan_is_valid_and_reads_back(policy: yp.Policy) -> None:
    """`export json` of the test plan is valid against the schema and loads back as the same plan."""
    exported = json.loads(export.to_json(policy))
    assert exported["format_version"] == 2
    assert _errors(exported) == []
    back = policy_from_dict(exported)
    assert back.tasks == policy.tasks
    assert (back.bureaus, back.later_units) == (policy.bureaus, policy.later_units)
    assert back.lead_rule is policy.lead_rule
