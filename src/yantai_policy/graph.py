"""The responsibility graph, and queries over it in the networkx idiom.

[`responsibility_graph`][yantai_policy.graph.responsibility_graph] turns a plan into a `networkx.DiGraph`; the queries
are plain functions that take the graph first, are named for what they return, and
return results in a deterministic order (the order the notice prints things in, unless
they say otherwise). Wherever a unit is an argument, any name
[`bureau`][yantai_policy.model.Policy.bureau] accepts will do, or the [`Bureau`][yantai_policy.model.Bureau] itself.

Each query is defined once, in `yantai_policy.queries`, over the plan's own index; the
functions here answer it for the graph's plan (``G.graph["policy"]``), which is what
the graph is built from. So the graph and the command line (which asks `queries`
without loading networkx) cannot disagree. ``assistants_of`` also reads the graph's
unit-to-unit ``assists`` edges.

Why a DiGraph and not a MultiDiGraph: every relation here joins a pair of nodes at most
once (a measure has an action once, an action has each of its units once), and where several actions'
texts relate the same two units, the one unit-to-unit edge lists all of those actions.
A simple graph exports cleanly to GraphML, GEXF and DOT and keeps queries simple.

Nodes are strings: ``"measure:7"``, ``"action:7.1"``, ``"bureau:finance"`` and
``"government:districts"`` (各区市政府（管委）, the district and county-level
governments, which section 四 of the notice makes responsible overall). Every node has
``kind`` (``measure``, ``action``, ``bureau`` or ``government``), ``obj`` (the model
object, or None for the governments), ``label_zh`` and ``label_en``. Every edge has a
``relation``:

- ``has_action``: measure to action;
- ``assigned_to``: action to unit, one edge per assignment (one per action in Yantai's
  plan, several for a shared task), with that unit's ``role``; a unit that only an
  item of the action names gets one too, with the item's role;
- ``assists``, ``directs``, ``leads``, ``mentions``: unit to unit (or to the district
  governments) where an action's text names the other; ``actions`` lists the actions
  that do, ``kinds`` how each does, and ``relation`` is the first of those kinds;
- ``overall_responsibility``: the district governments to every measure.

Examples:
    >>> import yantai_policy as yp
    >>> from yantai_policy.graph import co_owners, actions_of
    >>> G = yp.load_policy().graph
    >>> [b.name.zh for b in co_owners(G, 7)]
    ['市财政局', '市人力资源社会保障局', '人民银行市中心支行']
    >>> [a.measure for a in actions_of(G, "财政局", role=yp.Role.ASSIST)]
    [6, 12, 13, 15, 18]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from yantai_policy import queries
from yantai_policy.model import Action, Bureau, Measure, Policy, ReferenceKind, Role
from yantai_policy.queries import WorkloadRow

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "DISTRICTS",
    "WorkloadRow",
    "action_node",
    "actions_of",
    "assistants_of",
    "bureau_node",
    "bureau_projection",
    "co_owners",
    "collaborators",
    "measure_node",
    "measures_of",
    "policy_of",
    "responsibility_graph",
    "single_owner_measures",
    "successor_of",
    "workload",
]

DISTRICTS = "government:districts"
"""The node for 各区市政府（管委）, the district and county-level governments."""

# Words in a reference's mention that mean the district level (各区市, 区市, 各区...).
_DISTRICT_WORDS = ("区市", "各区")


def measure_node(number: int) -> str:
    """Return the node id of a measure: ``"measure:7"``."""
    return f"measure:{number}"


def action_node(action_id: str) -> str:
    """Return the node id of an action: ``"action:7.1"``."""
    return f"action:{action_id}"


def bureau_node(bureau_id: str) -> str:
    """Return the node id of a unit: ``"bureau:finance"``."""
    return f"bureau:{bureau_id}"


def responsibility_graph(policy: Policy) -> nx.DiGraph[str]:
    """Build the responsibility graph of a plan.

    Prefer ``policy.graph``, which builds it once and caches it.

    Args:
        policy: The plan.

    Returns:
        A new DiGraph; ``G.graph["policy"]`` is the plan it was built from.

    Examples:
        >>> import yantai_policy as yp
        >>> G = responsibility_graph(yp.load_policy())
        >>> sorted({k for _, k in G.nodes(data="kind")})
        ['action', 'bureau', 'government', 'measure']
        >>> G.edges["action:13.2", "bureau:finance"]["role"]
        'assist'
        >>> G.edges["bureau:finance", "bureau:hrss"]["relation"], G.edges["bureau:finance", "bureau:hrss"]["actions"]
        ('assists', ['13.2'])
    """
    graph: nx.DiGraph[str] = nx.DiGraph(policy=policy, name=policy.notice.document_number)
    graph.add_node(
        DISTRICTS,
        kind="government",
        obj=None,
        label_zh="各区市政府（管委）",
        label_en="District and county-level governments (and administrative committees)",
    )
    for bureau in policy.bureaus:
        graph.add_node(
            bureau_node(bureau.id),
            kind="bureau",
            obj=bureau,
            label_zh=bureau.name.zh,
            label_en=bureau.name.get("en"),
        )
    for measure in policy.measures:
        m = measure_node(measure.number)
        graph.add_node(
            m,
            kind="measure",
            obj=measure,
            label_zh=f"{measure.number}. {measure.title.zh}",
            label_en=f"{measure.number}. {measure.title.get('en')}",
        )
        graph.add_edge(DISTRICTS, m, relation="overall_responsibility")
        for action in measure.actions:
            a = action_node(action.id)
            graph.add_node(a, kind="action", obj=action, label_zh=action.id, label_en=action.id)
            graph.add_edge(m, a, relation="has_action")
            for assignment in (
                *action.assignments,
                *(x for item in action.items for x in item.assignments),
            ):
                target = bureau_node(assignment.bureau.id)
                if not graph.has_edge(a, target):  # the task's own role first, then an item's
                    graph.add_edge(a, target, relation="assigned_to", role=assignment.role.value)
            _add_references(graph, action)
    return graph


def _add_references(graph: nx.DiGraph[str], action: Action) -> None:
    # from the unit answerable for the task (its lead, else its first unit): the one
    # whose text the reference is read as, as in a plan with one unit per task
    source = bureau_node(action.bureau.id)
    for ref in action.references:
        if ref.bureau is not None:
            target = bureau_node(ref.bureau)
        elif any(word in ref.mention for word in _DISTRICT_WORDS):
            target = DISTRICTS
        else:
            continue  # a body outside the plan (an association, a bank): not a node
        if graph.has_edge(source, target):
            edge = graph.edges[source, target]
            edge["actions"].append(action.id)
            edge["kinds"].append(ref.kind.value)
        else:
            graph.add_edge(
                source, target, relation=ref.kind.value, actions=[action.id], kinds=[ref.kind.value]
            )


def policy_of(G: nx.DiGraph[str]) -> Policy:
    """Return the plan a responsibility graph was built from."""
    policy = G.graph.get("policy")
    if not isinstance(policy, Policy):
        raise TypeError("not a responsibility graph: build it with responsibility_graph(policy)")
    return policy


def _bureau(G: nx.DiGraph[str], bureau: str | Bureau) -> Bureau:
    return bureau if isinstance(bureau, Bureau) else policy_of(G).bureau(bureau)


def _measure(G: nx.DiGraph[str], measure: int | Measure) -> Measure:
    return measure if isinstance(measure, Measure) else policy_of(G).measure(measure)


def co_owners(G: nx.DiGraph[str], measure: int | Measure) -> tuple[Bureau, ...]:
    """Return the units with any action under a measure, in printed order.

    Raises:
        UnknownNameError: The plan has no such measure.

    Examples:
        >>> import yantai_policy as yp
        >>> [b.id for b in co_owners(yp.load_policy().graph, 18)]
        ['hrss', 'finance', 'banking_insurance_regulation']
    """
    return queries.co_owners(policy_of(G), _measure(G, measure))


def actions_of(
    G: nx.DiGraph[str],
    bureau: str | Bureau,
    role: Role | None = None,
) -> tuple[Action, ...]:
    """Return a unit's actions, in printed order; with ``role``, only those in that role.

    An action matches a role when the action or one of its items has it, so
    ``role=Role.LEAD`` finds the actions with a 牵头 (lead) item.

    Raises:
        UnknownNameError: No unit has that name.

    Examples:
        >>> import yantai_policy as yp
        >>> [a.id for a in actions_of(yp.load_policy().graph, "人社局", role=yp.Role.LEAD)]
        ['14.1', '19.1']
    """
    return queries.actions_of(policy_of(G), _bureau(G, bureau), role)


def measures_of(
    G: nx.DiGraph[str],
    bureau: str | Bureau,
    role: Role | None = None,
) -> tuple[Measure, ...]:
    """Return the measures a unit has actions under (in that role, if given), in order.

    Examples:
        >>> import yantai_policy as yp
        >>> [m.number for m in measures_of(yp.load_policy().graph, "finance", yp.Role.ASSIST)]
        [6, 12, 13, 15, 18]
    """
    return queries.measures_of(policy_of(G), _bureau(G, bureau), role)


def collaborators(G: nx.DiGraph[str], bureau: str | Bureau) -> dict[Bureau, tuple[int, ...]]:
    """Return the units a unit shares measures with, each with the shared measure numbers.

    The units come in the plan's order.

    Examples:
        >>> import yantai_policy as yp
        >>> {b.id: ms for b, ms in collaborators(yp.load_policy().graph, "pboc").items()}
        {'finance': (7,), 'hrss': (7,)}
    """
    return queries.collaborators(policy_of(G), _bureau(G, bureau))


def assistants_of(
    G: nx.DiGraph[str], bureau: str | Bureau | Action | Measure
) -> tuple[Bureau, ...]:
    """Return the units that assist a unit, or assist in a task or a measure, in the plan's order.

    Given a unit: a unit assists another where an action's text says so (配合市人社局,
    measure 13), or where it has a 配合 (assist) role in a task under a measure where the
    other has a role other than assist. Given an `Action` or a `Measure`: the units with
    the assist role in it (`yantai_policy.queries.assistants_of`).

    Examples:
        >>> import yantai_policy as yp
        >>> [b.id for b in assistants_of(yp.load_policy().graph, "hrss")]
        ['finance']
    """
    policy = policy_of(G)
    if isinstance(bureau, Action | Measure):
        return queries.assistants_of(policy, bureau)
    unit = _bureau(G, bureau)
    found: set[str] = set()
    target = bureau_node(unit.id)
    for source, _, data in G.in_edges(target, data=True):
        if data["relation"] == ReferenceKind.ASSISTS.value and G.nodes[source]["kind"] == "bureau":
            found.add(G.nodes[source]["obj"].id)
    for measure in queries.measures_of(policy, unit):
        actions = measure.actions
        if all(a.roles_of(unit) <= {Role.ASSIST} for a in actions):
            continue
        found.update(b.id for b in queries.assistants_of(policy, measure) if b.id != unit.id)
    return tuple(b for b in policy.bureaus if b.id in found)


def single_owner_measures(G: nx.DiGraph[str]) -> tuple[Measure, ...]:
    """Return the measures that only one unit carries out, in order.

    Examples:
        >>> import yantai_policy as yp
        >>> [m.number for m in single_owner_measures(yp.load_policy().graph)]
        [4, 8, 9, 11, 14, 17, 20]
    """
    return queries.single_owner_measures(policy_of(G))


def workload(G: nx.DiGraph[str]) -> tuple[WorkloadRow, ...]:
    """Return each unit's actions and measures, busiest first.

    Ties are broken by the number of measures, then by the plan's order.

    Examples:
        >>> import yantai_policy as yp
        >>> [(r.bureau.id, r.actions, r.measures) for r in workload(yp.load_policy().graph)[:3]]
        [('hrss', 16, 16), ('finance', 8, 8), ('market_regulation', 3, 3)]
    """
    return queries.workload(policy_of(G))


def bureau_projection(G: nx.DiGraph[str]) -> nx.Graph[str]:
    """Return the units as a weighted graph: an edge for every pair that shares a measure.

    Nodes are unit ids with ``obj`` (the Bureau) and labels; an edge's ``weight`` is the
    number of shared measures and ``measures`` lists them.

    Examples:
        >>> import yantai_policy as yp
        >>> P = bureau_projection(yp.load_policy().graph)
        >>> P.edges["finance", "hrss"]["weight"], P.edges["finance", "hrss"]["measures"]
        (6, [6, 7, 12, 13, 15, 18])
    """
    policy = policy_of(G)
    projection: nx.Graph[str] = nx.Graph(name=f"{policy.notice.document_number} units")
    for bureau in policy.bureaus:
        projection.add_node(
            bureau.id, obj=bureau, label_zh=bureau.name.zh, label_en=bureau.name.get("en")
        )
    for measure in policy.measures:
        owners = queries.co_owners(policy, measure)
        for i, first in enumerate(owners):
            for second in owners[i + 1 :]:
                if projection.has_edge(first.id, second.id):
                    edge = projection.edges[first.id, second.id]
                    edge["measures"].append(measure.number)
                    edge["weight"] += 1
                else:
                    projection.add_edge(first.id, second.id, weight=1, measures=[measure.number])
    return projection


def successor_of(G: nx.DiGraph[str], bureau: str | Bureau, on: dt.date) -> tuple[Bureau, ...]:
    """Return the units holding a unit's duties on a day (`yantai_policy.queries.successor_of`).

    Examples:
        >>> import datetime as dt
        >>> import yantai_policy as yp
        >>> [b.id for b in successor_of(yp.load_policy().graph, "finance", dt.date(2025, 1, 1))]
        ['finance']
    """
    return queries.successor_of(policy_of(G), bureau, on)
