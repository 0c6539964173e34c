"""The responsibility graph and its queries, checked by hand against the notice."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy.graph import (
    DISTRICTS,
    actions_of,
    assistants_of,
    bureau_projection,
    co_owners,
    collaborators,
    measures_of,
    policy_of,
    responsibility_graph,
    single_owner_measures,
    workload,
)
from yantai_policy.loading import policy_from_dict

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def G(policy: yp.Policy) -> nx.DiGraph[str]:
    """The built-in plan's graph."""
    return policy.graph


def _ids(bureaus: tuple[yp.Bureau, ...]) -> list[str]:
    return [b.id for b in bureaus]


def test_graph_is_cached_and_lazy(policy: yp.Policy) -> None:
    """policy.graph is built once; a fresh build is equal in nodes and edges."""
    assert policy.graph is policy.graph
    fresh = responsibility_graph(policy)
    assert set(fresh.nodes) == set(policy.graph.nodes)
    assert set(fresh.edges) == set(policy.graph.edges)
    assert policy_of(fresh) is policy


def test_nodes_and_kinds(G: nx.DiGraph[str], policy: yp.Policy) -> None:
    """Measures, actions, units and the district governments are nodes with kind and obj."""
    kinds = [G.nodes[n]["kind"] for n in G.nodes]
    assert kinds.count("measure") == 20
    assert kinds.count("action") == 49
    assert kinds.count("bureau") == 20
    assert kinds.count("government") == 1
    assert G.nodes["measure:7"]["obj"] is policy.measure(7)
    assert G.nodes["bureau:pboc"]["label_zh"] == "人民银行市中心支行"


def test_edges_and_relations(G: nx.DiGraph[str]) -> None:
    """Each relation has the expected count; reference edges carry their actions."""
    relations = [G.edges[e]["relation"] for e in G.edges]
    assert relations.count("has_action") == 49
    assert relations.count("assigned_to") == 49
    assert relations.count("overall_responsibility") == 20
    assert G.edges["bureau:finance", "bureau:hrss"]["actions"] == ["13.2"]
    assert G.edges["bureau:commerce", DISTRICTS]["actions"] == ["1.1", "3.2"]
    assert G.edges["bureau:commerce", DISTRICTS]["kinds"] == ["directs", "mentions"]
    assert G.edges["bureau:urban_management", DISTRICTS]["actions"] == ["1.3", "2.1"]
    assert G.has_edge("bureau:civilization_office", DISTRICTS)  # 指导区市 (19.2)
    assert not G.has_edge("bureau:hrss", "bureau:finance")


def test_every_action_has_exactly_one_unit(G: nx.DiGraph[str]) -> None:
    """Each action node has exactly one assigned_to edge, to a unit."""
    for node in G.nodes:
        if G.nodes[node]["kind"] == "action":
            units = [t for t, d in G.adj[node].items() if d["relation"] == "assigned_to"]
            assert len(units) == 1
            assert G.nodes[units[0]]["kind"] == "bureau"


def test_co_owners_of_measure_seven(G: nx.DiGraph[str]) -> None:
    """Measure 7 is co-owned by 市财政局, 市人力资源社会保障局 and 人民银行市中心支行."""
    assert [b.name.zh for b in co_owners(G, 7)] == [
        "市财政局",
        "市人力资源社会保障局",
        "人民银行市中心支行",
    ]
    assert _ids(co_owners(G, 1)) == [
        "commerce",
        "finance",
        "urban_management",
        "housing",
        "tax",
        "market_regulation",
        "banking_insurance_regulation",
    ]
    with pytest.raises(yp.UnknownNameError):
        co_owners(G, 99)


def test_actions_of_finance(G: nx.DiGraph[str]) -> None:
    """The finance bureau assists under measures 6, 12, 13, 15 and 18, and acts under eight."""
    assisting = actions_of(G, "财政局", role=yp.Role.ASSIST)
    assert [a.measure for a in assisting] == [6, 12, 13, 15, 18]
    assert [a.id for a in assisting] == ["6.2", "12.2", "13.2", "15.2", "18.2"]
    assert [a.measure for a in actions_of(G, "finance")] == [1, 5, 6, 7, 12, 13, 15, 18]
    assert [a.id for a in actions_of(G, "finance", yp.Role.RESPONSIBLE)] == ["1.2", "5.6", "7.1"]
    assert [a.id for a in actions_of(G, "hrss", yp.Role.LEAD)] == ["14.1", "19.1"]


def test_measures_of(G: nx.DiGraph[str]) -> None:
    """measures_of lists measure numbers in order, filtered by role."""
    assert [m.number for m in measures_of(G, "市人社局")] == [3, *range(6, 21)]
    assert [m.number for m in measures_of(G, "hrss", yp.Role.LEAD)] == [14, 19]
    assert [m.number for m in measures_of(G, "market_regulation")] == [1, 4, 5]


def test_collaborators(G: nx.DiGraph[str]) -> None:
    """Units sharing measures come with the measures they share."""
    assert {b.id: ms for b, ms in collaborators(G, "pboc").items()} == {
        "finance": (7,),
        "hrss": (7,),
    }
    finance = {b.id: ms for b, ms in collaborators(G, "finance").items()}
    assert finance["hrss"] == (6, 7, 12, 13, 15, 18)
    assert finance["tax"] == (1, 5)
    assert "finance" not in finance


def test_assistants_of(G: nx.DiGraph[str]) -> None:
    """The finance bureau assists HRSS (explicitly in 13, by 配合 role elsewhere); nobody assists finance."""
    assert _ids(assistants_of(G, "hrss")) == ["finance"]
    assert assistants_of(G, "finance") == ()


def test_single_owner_measures(G: nx.DiGraph[str]) -> None:
    """Measures 4, 8, 9, 11, 14, 17 and 20 have a single unit."""
    assert [m.number for m in single_owner_measures(G)] == [4, 8, 9, 11, 14, 17, 20]


def test_workload_ranking(G: nx.DiGraph[str], policy: yp.Policy) -> None:
    """HRSS has 16 actions, finance 8; ranks are by actions then measures; all units listed."""
    rows = workload(G)
    assert [(r.bureau.id, r.actions, r.measures, r.share) for r in rows[:2]] == [
        ("hrss", 16, 16, "16/49"),
        ("finance", 8, 8, "8/49"),
    ]
    assert sum(r.actions for r in rows) == len(policy.actions)
    assert [r.actions for r in rows] == sorted((r.actions for r in rows), reverse=True)
    assert len(rows) == 20


def test_bureau_projection(G: nx.DiGraph[str]) -> None:
    """The unit projection weighs each pair by the measures they share."""
    P = bureau_projection(G)
    assert P.number_of_nodes() == 20
    assert P.edges["finance", "hrss"]["weight"] == 6
    assert P.edges["pboc", "finance"]["measures"] == [7]
    assert not P.has_edge("trade_union", "finance")
    assert P.degree("agriculture") == 5  # measure 5 has six units


def test_queries_reject_a_foreign_graph() -> None:
    """A graph that was not built from a plan is refused with a clear TypeError."""
    with pytest.raises(TypeError, match="responsibility_graph"):
        co_owners(nx.DiGraph(), 1)


# ─── Hypothesis: invariants on generated plans ──────────────────────────────────────


@st.composite
def plans(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """A random plan: up to 8 units and 10 measures, each with 0-4 actions."""
    n_units = draw(st.integers(1, 8))
    plan = dict(base)
    plan["bureaus"] = [
        {"id": f"u{i}", "name": {"zh": f"单位{i}", "en": f"Unit {i}"}, "kind": "office"}
        for i in range(n_units)
    ]
    measures = []
    for number in range(1, draw(st.integers(1, 10)) + 1):
        actions = [
            {
                "id": f"{number}.{row}",
                "bureau": f"u{draw(st.integers(0, n_units - 1))}",
                "role": draw(st.sampled_from(["responsible", "assist", "lead"])),
                "lines": [1, 1],
                "text": {"zh": "工作", "en": "work"},
            }
            for row in range(1, draw(st.integers(0, 4)) + 1)
        ]
        measures.append(
            {
                "number": number,
                "lines": [1, 1],
                "title": {"zh": "题", "en": "t"},
                "provincial_text": {"zh": "文", "en": "x"},
                "actions": actions,
            }
        )
    plan["measures"] = measures
    return plan


def _base(other_city_path: Path) -> dict[str, Any]:
    return tomllib.loads(other_city_path.read_text("utf-8"))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_generated_plans_keep_the_invariants(data: st.DataObject) -> None:
    """Any plan: each action has one unit edge; co_owners(m) is the set of m's action units."""
    from pathlib import Path  # noqa: PLC0415

    base = _base(Path(__file__).parent / "data" / "other-city.toml")
    policy = policy_from_dict(data.draw(plans(base)))
    graph = responsibility_graph(policy)
    for action in policy.actions:
        out = [
            t for t, d in graph.adj[f"action:{action.id}"].items() if d["relation"] == "assigned_to"
        ]
        assert out == [f"bureau:{action.bureau.id}"]
    for measure in policy.measures:
        assert {b.id for b in co_owners(graph, measure)} == {a.bureau.id for a in measure.actions}
    assert sum(r.actions for r in workload(graph)) == len(policy.actions)


def test_top_level_responsibility_graph() -> None:
    """yp.responsibility_graph is the graph builder, reached lazily from the package."""
    assert yp.responsibility_graph is responsibility_graph
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = yp.nope
