"""Who does what, answered from the plan's own index: the one definition of each query.

Each question about the division of labour (the units under a measure, a unit's
actions in a role, each unit's workload) is defined here once, over the plan's
objects and its lookups, without networkx. The graph functions of
`yantai_policy.graph` (``co_owners(G, 7)``) answer the same questions for a
responsibility graph by asking them of the graph's plan, and the command line asks
them here directly, so ``yantai-policy co-owners 7`` never imports networkx.

Wherever a unit is an argument, any name `Policy.bureau` accepts will do, or the
`Bureau` itself; wherever a measure is, its number or the `Measure`.

Examples:
    >>> import yantai_policy as yp
    >>> from yantai_policy import queries
    >>> policy = yp.load_policy()
    >>> [b.id for b in queries.co_owners(policy, 7)]
    ['finance', 'hrss', 'pboc']
    >>> [a.id for a in queries.actions_of(policy, "人社局", role=yp.Role.LEAD)]
    ['14.1', '19.1']
    >>> [(r.bureau.id, r.actions, r.measures, r.share) for r in queries.workload(policy)[:2]]
    [('hrss', 16, 16, '16/49'), ('finance', 8, 8, '8/49')]

A task may be shared by several units (plan format 2): every query counts it for each
of its units (and the units of its items), and a unit's role in it is
`Action.roles_of` that unit.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from yantai_policy._reprs import clip
from yantai_policy.model import Action, Bureau, Measure, Policy, Role

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "WorkloadRow",
    "actions_of",
    "assistants_of",
    "co_owners",
    "collaborators",
    "measures_of",
    "single_owner_measures",
    "successor_of",
    "workload",
]


def _bureau(policy: Policy, bureau: str | Bureau) -> Bureau:
    return bureau if isinstance(bureau, Bureau) else policy.bureau(bureau)


def _measure(policy: Policy, measure: int | str | Measure) -> Measure:
    return measure if isinstance(measure, Measure) else policy.measure(measure)


def co_owners(policy: Policy, measure: int | str | Measure) -> tuple[Bureau, ...]:
    """Return the units with any action under a measure, in printed order, each once.

    Raises:
        UnknownNameError: The plan has no such measure.
    """
    return _measure(policy, measure).bureaus


def actions_of(
    policy: Policy, bureau: str | Bureau, role: Role | None = None, *, on: dt.date | None = None
) -> tuple[Action, ...]:
    """Return a unit's actions, in printed order; with ``role``, only those in that role.

    With ``on``, the unit also holds, after its own, the actions of the units whose duties
    it took over by that day (`Policy.duties_held`): a successor answers for them.

    An action matches a role when the unit has it in the action or one of its items
    (`Action.roles_of`), so ``role=Role.LEAD`` finds the actions where the unit leads
    the task or a 牵头 (lead) item. In a shared task each unit has its own role: the
    task is the lead's under ``Role.LEAD`` and its assistants' under ``Role.ASSIST``.

    Raises:
        UnknownNameError: No unit has that name.
    """
    unit = _bureau(policy, bureau)
    actions = policy._by_bureau.get(unit.id, ())  # noqa: SLF001 - the plan's index
    if role is not None:
        actions = tuple(a for a in actions if role in a.roles_of(unit))
    if on is None:
        return actions
    return actions + tuple(
        a for u in policy.duties_held(unit, on) for a in actions_of(policy, u, role)
    )


def assistants_of(policy: Policy, task: str | Action | int | Measure) -> tuple[Bureau, ...]:
    """Return the units that assist (配合) in a task or a measure, in printed order, each once.

    A task is an `Action` or its id (``"7.1"``); a measure is a `Measure` or its number.
    A unit assists where it has the ``assist`` role in the task or one of its items.

    Raises:
        UnknownNameError: The plan has no such task or measure.

    Examples:
        >>> import yantai_policy as yp
        >>> [b.id for b in assistants_of(yp.load_policy(), 13)]
        ['finance']
    """
    if isinstance(task, Action):
        tasks: tuple[Action, ...] = (task,)
    elif isinstance(task, str) and not task.strip().isdigit():
        tasks = (policy.action(task),)
    else:
        tasks = _measure(policy, task).actions
    found = {b.id: b for a in tasks for b in a.bureaus if Role.ASSIST in a.roles_of(b)}
    return tuple(found.values())


def measures_of(
    policy: Policy, bureau: str | Bureau, role: Role | None = None
) -> tuple[Measure, ...]:
    """Return the measures a unit has actions under (in that role, if given), in order."""
    numbers = sorted({a.measure for a in actions_of(policy, bureau, role)})
    return tuple(policy.measure(n) for n in numbers)


def collaborators(policy: Policy, bureau: str | Bureau) -> dict[Bureau, tuple[int, ...]]:
    """Return the units a unit shares a task or a measure with, each with the measure numbers.

    Two units collaborate under a measure where both have a task under it, or share one
    task of it (a shared task puts all its units, and its items' units, under its
    measure). The units come in the plan's order.
    """
    unit = _bureau(policy, bureau)
    shared: dict[str, list[int]] = {}
    for measure in measures_of(policy, unit):
        for other in measure.bureaus:
            if other.id != unit.id:
                shared.setdefault(other.id, []).append(measure.number)
    return {b: tuple(shared[b.id]) for b in policy.bureaus if b.id in shared}


def single_owner_measures(policy: Policy) -> tuple[Measure, ...]:
    """Return the measures that only one unit carries out, in order."""
    return tuple(m for m in policy.measures if len(m.bureaus) == 1)


@attrs.frozen(repr=False)
class WorkloadRow:
    """One unit's share of the plan.

    Attributes:
        bureau: The unit.
        actions: How many actions it has.
        measures: Under how many measures.
        share: Its actions as a fraction of all actions, as an exact ratio string ``"16/49"``
            (a shared task counts for each of its units).
        shared: How many of its actions it shares with other units.
        load: Its part of its actions, exactly: a task of n units counts 1/n for each
            (equal to ``actions`` where no task is shared).
    """

    bureau: Bureau
    actions: int
    measures: int
    share: str
    shared: int = 0
    load: Fraction = Fraction(0)

    def __repr__(self) -> str:
        """Return ``<WorkloadRow hrss: 16 actions under 16 measures (16/49)>``."""
        return (
            f"<WorkloadRow {clip(self.bureau.id, 40)}: {self.actions} actions under "
            f"{self.measures} measures ({self.share})>"
        )


def workload(policy: Policy) -> tuple[WorkloadRow, ...]:
    """Return each unit's actions and measures, busiest first.

    A shared task counts once for each of its units (``actions``), and ``shared`` and
    ``load`` say how many of them are shared and how much of them falls to the unit.
    Ties are broken by the number of measures, then by the plan's order.
    """
    total = len(policy.actions)
    rows = []
    for order, bureau in enumerate(policy.bureaus):
        actions = actions_of(policy, bureau)
        measures = len({a.measure for a in actions})
        sizes = [n for n in map(len, map(_units, actions)) if n > 1]  # the shared tasks
        shared = len(sizes)
        load = Fraction(len(actions) - shared)  # a task of n units counts 1/n to each
        if sizes:
            load += sum((Fraction(1, n) for n in sizes), Fraction(0))
        row = WorkloadRow(
            bureau, len(actions), measures, f"{len(actions)}/{total}", shared=shared, load=load
        )
        rows.append((-row.actions, -measures, order, row))
    rows.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in rows)


def _units(action: Action) -> tuple[Bureau, ...]:
    return action.bureaus


def successor_of(policy: Policy, unit: str | Bureau, on: dt.date) -> tuple[Bureau, ...]:
    """Return the units holding a unit's duties on a day (`Policy.successor_of`).

    Examples:
        >>> import datetime as dt
        >>> import yantai_policy as yp
        >>> [b.id for b in successor_of(yp.load_policy(), "hrss", dt.date(2025, 1, 1))]
        ['hrss']
    """
    return policy.successor_of(unit, on)
