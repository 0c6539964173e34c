"""Queries over shared tasks (plan format 2), and their answers kept from v1 to v2."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from v2_plans import shared_plan
from yantai_policy import graph, queries
from yantai_policy.audit import AuditConfig, audit
from yantai_policy.cli import main
from yantai_policy.export import policy_to_plan_dict
from yantai_policy.loading import load_policy, policy_from_dict
from yantai_policy.model import Role

V1_FILE = Path(__file__).parent / "data" / "yantai-2021-3.v1.json"


@pytest.fixture(scope="module")
def shared() -> yp.Policy:
    """The small v2 plan with shared tasks."""
    return policy_from_dict(shared_plan())


def _ids(units: tuple[yp.Bureau, ...]) -> list[str]:
    return [b.id for b in units]


def test_co_owners_count_every_unit_of_a_shared_task(shared: yp.Policy) -> None:
    """A measure's co-owners are all the units of its tasks, in printed order."""
    assert _ids(queries.co_owners(shared, 1)) == ["labour", "money", "edu"]
    assert _ids(queries.co_owners(shared, 2)) == ["labour", "old"]


def test_actions_of_uses_each_units_own_role(shared: yp.Policy) -> None:
    """In a shared task the lead is found under LEAD and the assistants under ASSIST only."""
    assert [a.id for a in queries.actions_of(shared, "labour", Role.LEAD)] == ["1.1", "2.1"]
    assert [a.id for a in queries.actions_of(shared, "money", Role.LEAD)] == []
    assert [a.id for a in queries.actions_of(shared, "money", Role.ASSIST)] == ["1.1"]
    assert [a.id for a in queries.actions_of(shared, "money", Role.RESPONSIBLE)] == ["1.2"]
    assert [a.id for a in queries.actions_of(shared, "edu")] == ["1.1", "1.2"]


def test_assistants_of_a_task_and_a_measure(shared: yp.Policy) -> None:
    """assistants_of names the units with the assist role in a task (by object or id) or measure."""
    assert _ids(queries.assistants_of(shared, "1.1")) == ["money", "edu"]
    assert _ids(queries.assistants_of(shared, shared.action("1.2"))) == []
    assert _ids(queries.assistants_of(shared, 1)) == ["money", "edu"]
    assert _ids(queries.assistants_of(shared, 2)) == []
    assert _ids(graph.assistants_of(shared.graph, shared.measure(1))) == ["money", "edu"]


def test_graph_assistants_of_a_unit_reads_shared_tasks(shared: yp.Policy) -> None:
    """A unit's assistants include those assisting in a shared task under its measures."""
    assert _ids(graph.assistants_of(shared.graph, "labour")) == ["money", "edu"]
    assert _ids(graph.assistants_of(shared.graph, "old")) == []


def test_collaborators_include_the_partners_of_a_shared_task(shared: yp.Policy) -> None:
    """Units that share a task collaborate under its measure."""
    found = {b.id: ms for b, ms in queries.collaborators(shared, "labour").items()}
    assert found == {"money": (1,), "edu": (1,), "old": (2,)}
    assert {b.id: ms for b, ms in queries.collaborators(shared, "old").items()} == {"labour": (2,)}


def test_workload_counts_shared_tasks_and_their_shares(shared: yp.Policy) -> None:
    """A shared task counts for each unit; shared and load say how much is shared."""
    rows = {r.bureau.id: r for r in queries.workload(shared)}
    labour = rows["labour"]
    assert (labour.actions, labour.measures, labour.share, labour.shared) == (2, 2, "2/4", 2)
    assert labour.load == Fraction(1, 3) + Fraction(1, 2)
    assert (rows["old"].actions, rows["old"].shared, rows["old"].load) == (2, 1, Fraction(3, 2))
    assert isinstance(rows["edu"].load, Fraction)
    assert sum((r.load for r in rows.values()), Fraction(0)) == len(shared.actions)


def test_single_owner_measures_with_shared_tasks(shared: yp.Policy) -> None:
    """A measure with one shared task is not single-owner; one unit alone is."""
    data = shared_plan()
    data["measures"][1]["tasks"] = data["measures"][1]["tasks"][1:]  # only 2.2, old alone
    assert [m.number for m in queries.single_owner_measures(policy_from_dict(data))] == [2]
    assert queries.single_owner_measures(shared) == ()


def test_successor_of_follows_the_merger(shared: yp.Policy) -> None:
    """successor_of names the unit itself before a merger and the later unit after it."""
    assert _ids(queries.successor_of(shared, "old", dt.date(2023, 7, 19))) == ["old"]
    assert _ids(queries.successor_of(shared, "old", dt.date(2023, 7, 20))) == ["new"]
    assert _ids(graph.successor_of(shared.graph, "old", dt.date(2024, 1, 1))) == ["new"]


def test_graph_has_an_assigned_to_edge_per_assignment(shared: yp.Policy) -> None:
    """Each assignment is an assigned_to edge from the task to its unit, with that unit's role."""
    G = shared.graph
    edges = {
        (t, d["role"]) for t, d in G.adj["action:1.1"].items() if d["relation"] == "assigned_to"
    }
    assert edges == {
        ("bureau:labour", "lead"),
        ("bureau:money", "assist"),
        ("bureau:edu", "assist"),
    }


def test_item_units_get_their_own_edge() -> None:
    """A unit that only an item names is assigned_to the task with the item's role."""
    data = shared_plan()
    task = data["measures"][1]["tasks"][1]
    task.pop("text")
    task["items"] = [
        {"number": 1, "lines": [5, 5], "text": {"zh": "甲。", "en": "A."}},
        {
            "number": 2,
            "lines": [6, 6],
            "text": {"zh": "乙。", "en": "B."},
            "assignments": [{"unit": "edu", "role": "assist"}],
        },
    ]
    policy = policy_from_dict(data)
    assert policy.graph.edges["action:2.2", "bureau:edu"]["role"] == "assist"
    assert [a.id for a in queries.actions_of(policy, "edu", Role.ASSIST)] == ["1.1", "2.2"]


# ─── v1 → v2 keeps every answer ─────────────────────────────────────────────────────


def _answers(policy: yp.Policy) -> dict[str, Any]:
    """Every query's answer on a plan, as plain ids (comparable across two loads)."""
    out: dict[str, Any] = {
        "single_owner": [m.number for m in queries.single_owner_measures(policy)],
        "workload": [
            (r.bureau.id, r.actions, r.measures, r.share, r.shared, r.load)
            for r in queries.workload(policy)
        ],
        "co_owners": {m.number: _ids(queries.co_owners(policy, m)) for m in policy.measures},
        "assistants": {m.number: _ids(queries.assistants_of(policy, m)) for m in policy.measures},
        "audit": [
            (f.code, f.severity.value, f.subject, f.message.zh, f.evidence)
            for f in audit(policy, AuditConfig(formula_measures=frozenset())).findings
        ],
    }
    for unit in policy.bureaus:
        for role in (None, *Role):
            key = f"{unit.id}:{role}"
            out[f"actions_of {key}"] = [a.id for a in queries.actions_of(policy, unit, role)]
            out[f"measures_of {key}"] = [m.number for m in queries.measures_of(policy, unit, role)]
        out[f"collaborators {unit.id}"] = {
            b.id: ms for b, ms in queries.collaborators(policy, unit).items()
        }
        out[f"graph assistants {unit.id}"] = _ids(graph.assistants_of(policy.graph, unit))
    return out


V1 = load_policy(V1_FILE)
"""The built-in plan as git's v1 file (db56924), upgraded on read."""
V2 = load_policy()
"""The built-in plan as the shipped v2 file."""


def test_v1_fixture_is_a_v1_file() -> None:
    """The fixture is the v1 plan (actions with one bureau each), not a copy of the v2 file."""
    data = json.loads(V1_FILE.read_text("utf-8"))
    assert data["format_version"] == 1
    assert all("bureau" in a for m in data["measures"] for a in m["actions"])


def test_v1_and_v2_give_the_same_answers() -> None:
    """Every query and the audit answer alike on the v1 file and the shipped v2 file."""
    v1, v2 = V1, V2
    assert _ids(v1.bureaus) == _ids(v2.bureaus)
    assert _answers(v1) == _answers(v2)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_v1_and_v2_agree_per_unit_measure_and_role(data: st.DataObject) -> None:
    """For any unit, measure and role drawn, each query answers alike on v1 and v2."""
    v1, v2 = V1, V2
    unit = data.draw(st.sampled_from([b.id for b in v1.bureaus]))
    number = data.draw(st.sampled_from([m.number for m in v1.measures]))
    role = data.draw(st.sampled_from([None, *Role]))
    assert [a.id for a in queries.actions_of(v1, unit, role)] == [
        a.id for a in queries.actions_of(v2, unit, role)
    ]
    assert [m.number for m in queries.measures_of(v1, unit, role)] == [
        m.number for m in queries.measures_of(v2, unit, role)
    ]
    assert _ids(queries.co_owners(v1, number)) == _ids(queries.co_owners(v2, number))
    assert _ids(queries.assistants_of(v1, number)) == _ids(queries.assistants_of(v2, number))
    assert {b.id: ms for b, ms in queries.collaborators(v1, unit).items()} == {
        b.id: ms for b, ms in queries.collaborators(v2, unit).items()
    }


# ─── export and reload keeps the answers on a mutated v2 plan ───────────────────────

_SHIPPED: dict[str, Any] = policy_to_plan_dict(V2)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_export_and_reload_keeps_answers_on_a_mutated_plan(data: st.DataObject) -> None:
    """A plan with shuffled roles and added units exports and loads back with equal answers."""
    plan = json.loads(json.dumps(_SHIPPED))
    units = [b["id"] for b in plan["bureaus"]]
    tasks = [t for m in plan["measures"] for t in m["tasks"]]
    for index in data.draw(st.lists(st.integers(0, len(tasks) - 1), max_size=8, unique=True)):
        task = tasks[index]
        task["assignments"] = [
            {"unit": a["unit"], "role": data.draw(st.sampled_from([r.value for r in Role]))}
            for a in task["assignments"]
        ]
        have = {a["unit"] for a in task["assignments"]}
        extra = data.draw(st.lists(st.sampled_from(units), max_size=3, unique=True))
        task["assignments"] += [
            {"unit": u, "role": data.draw(st.sampled_from([r.value for r in Role]))}
            for u in extra
            if u not in have
        ]
    mutated = policy_from_dict(plan)
    reloaded = policy_from_dict(json.loads(json.dumps(policy_to_plan_dict(mutated), default=str)))
    assert _answers(mutated) == _answers(reloaded)


def test_workload_json_shows_shared_and_load(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`workload --json` gives each unit's shared count and exact load on a v2 plan."""
    plan = tmp_path / "shared.json"
    plan.write_text(json.dumps(shared_plan(), default=str), "utf-8")
    assert main(["workload", "--json", "--plan", str(plan)]) == 0
    rows = {r["bureau"]["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["labour"]["shared"], rows["labour"]["load"]) == (2, "5/6")
    assert (rows["old"]["shared"], rows["old"]["load"]) == (1, "3/2")
