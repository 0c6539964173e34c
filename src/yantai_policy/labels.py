"""How views label units: the name on a date, who holds the duties, the role shown.

Every view (the CLI's ``--as-of``, the exports, the plots, the DataFrames, the JSON
records) labels units through [`Labels`][yantai_policy.labels.Labels]. The printed name
(`Bureau.name`) stays the key of the notice's text, and the text itself (tasks, items,
references' mentions) is never relabelled: only the units' labels change.

- Without a date, a unit's label is its printed name.
- On a date, it is the name in force that day ([`Bureau.name_on`][yantai_policy.model.Bureau.name_on],
  renames applied).
- For a unit that no longer exists that day (merged, split or abolished), the label is
  its name then, an arrow and the names of the units that hold its duties that day
  ([`Policy.successor_of`][yantai_policy.model.Policy.successor_of]):
  ``烟台银保监分局 → 国家金融监督管理总局烟台监管分局``; an abolished unit with no
  successor reads ``… → （已撤销）`` / ``… → (abolished)``.

A label in English is the unit's English name, or its Chinese name where the English is
empty (a draft not yet translated): [`Text.get`][yantai_policy.model.Text.get] makes that
choice for every view.

A view that shows one role per unit and task (a matrix cell, a diagram's edge) shows
[`shown_role`][yantai_policy.labels.shown_role]; a table of a unit's own role shows
[`own_role`][yantai_policy.labels.own_role].

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> labels = Labels(policy, dt.date(2024, 1, 1))
    >>> labels.name(policy.bureau("pboc")).zh
    '中国人民银行烟台市分行'
    >>> labels.name(policy.bureau("banking_insurance_regulation")).zh
    '烟台银保监分局 → 国家金融监督管理总局烟台监管分局'
    >>> Labels(policy).name(policy.bureau("pboc")).zh
    '人民银行市中心支行'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from yantai_policy.model import Role, Text

if TYPE_CHECKING:
    import datetime as dt

    from yantai_policy.model import Action, Bureau, Policy, UnitEvent

__all__ = ["ABOLISHED", "ARROW", "Labels", "UnitState", "own_role", "shown_role", "unit_roles"]

ABOLISHED = Text("（已撤销）", "(abolished)")
"""What follows the arrow for a unit abolished with no successor."""

ARROW = " → "
"""Between a unit's name and its successors' in a label."""


@attrs.frozen
class UnitState:
    """A unit as it stands on a day: its name then, whether it exists, its successors.

    Attributes:
        unit: The unit.
        on: The day.
        name: The name in force that day (renames applied).
        exists: Whether it exists that day (not yet merged, split or abolished; a later
            unit exists from the day it took over another's duties).
        successors: The units that hold its duties that day: itself while it exists.
        ended: The event that ended it, where one did on or before ``on``.
    """

    unit: Bureau
    on: dt.date
    name: Text
    exists: bool
    successors: tuple[Bureau, ...]
    ended: UnitEvent | None

    @property
    def label(self) -> Text:
        """The label: the name, or for a unit that has ended, ``name → successors``."""
        if self.ended is None:
            return self.name
        if not self.successors:
            return Text(
                f"{self.name.zh}{ARROW}{ABOLISHED.zh}",
                f"{self.name.get('en')}{ARROW}{ABOLISHED.en}",
            )
        names = [s.name_on(self.on) for s in self.successors]
        return Text(
            self.name.zh + ARROW + "、".join(n.zh for n in names),
            self.name.get("en") + ARROW + "; ".join(n.get("en") for n in names),
        )


class Labels:
    """Units' labels on one day (or, with no day, as printed), for one plan.

    Args:
        policy: The plan, whose later units and events the successors are found in.
        on: The day; None labels every unit by its printed name.
    """

    def __init__(self, policy: Policy, on: dt.date | None = None) -> None:
        """Label the plan's units on ``on``."""
        self.policy = policy
        self.on = on
        self._states: dict[str, UnitState] = {}

    def state(self, unit: Bureau) -> UnitState | None:
        """Return the unit's state on the day, or None where no day is given."""
        if self.on is None:
            return None
        found = self._states.get(unit.id)
        if found is None:
            ended = unit.ended_by(self.on)
            found = UnitState(
                unit=unit,
                on=self.on,
                name=unit.name_on(self.on),
                exists=self.policy.exists_on(unit, self.on),
                successors=self.policy.successor_of(unit, self.on),
                ended=ended,
            )
            self._states[unit.id] = found
        return found

    def name(self, unit: Bureau) -> Text:
        """Return the unit's label: its printed name, or its label on the day."""
        state = self.state(unit)
        return unit.name if state is None else state.label

    def in_force(self) -> tuple[Bureau, ...]:
        """The plan's units that exist on the day (every notice unit where there is no day)."""
        if self.on is None:
            return self.policy.bureaus
        states = (self.state(u) for u in self.policy.units)
        return tuple(s.unit for s in states if s is not None and s.exists)


def own_role(action: Action, unit: Bureau) -> Role:
    """Return a unit's own role in a task: its assignment's, else its first item's.

    For a single-unit task this is the task's `role`.

    Raises:
        ValueError: The unit has no part in the task.

    Examples:
        >>> import yantai_policy as yp
        >>> p = yp.load_policy()
        >>> own_role(p.action("14.1"), p.bureau("hrss")).value
        'responsible'
    """
    for assignment in (*action.assignments, *(a for i in action.items for a in i.assignments)):
        if assignment.bureau.id == unit.id:
            return assignment.role
    raise ValueError(f"{unit.id} has no part in task {action.id}")


def shown_role(action: Action, unit: Bureau) -> Role:
    """Return the one role to show for a unit in a task: lead where it or any item of its leads.

    Otherwise its own role (`own_role`).

    Examples:
        >>> import yantai_policy as yp
        >>> p = yp.load_policy()
        >>> shown_role(p.action("14.1"), p.bureau("hrss")).value
        'lead'
    """
    return Role.LEAD if Role.LEAD in action.roles_of(unit) else own_role(action, unit)


def unit_roles(action: Action) -> tuple[tuple[Bureau, Role], ...]:
    """Return every unit of a task with its own role, in printed order."""
    return tuple((unit, own_role(action, unit)) for unit in action.bureaus)
