"""Who owns what: the questions a coordinator in the municipal office asks of the plan.

For: staff of the 市政府办公室 (or any reader of the notice) who want to know which units
answer for a measure, what one unit has to do, and where the work piles up.

Run it (after ``pip install yantai-policy``)::

    python examples/who_owns_what.py

It prints the co-owners of measure 7 (guaranteed start-up loans), every task in which the
municipal finance bureau (市财政局) assists (配合), and the workload ranking of the 20 units.
The same answers from the command line: ``yantai-policy co-owners 7``,
``yantai-policy actions --bureau 财政局 --role assist`` and ``yantai-policy workload``.
"""

from __future__ import annotations

import yantai_policy as yp
from yantai_policy import graph as g


def main() -> int:
    """Print the three answers; return the exit code."""
    policy = yp.load_policy()
    G = policy.graph

    measure = policy.measure(7)
    print(f"Co-owners of measure 7, {measure.title.zh} / {measure.title.en}:")
    for bureau in g.co_owners(G, 7):
        print(f"  {bureau.name.zh}  {bureau.name.en}")

    finance = policy.bureau("财政局")
    assists = g.actions_of(G, finance, role=yp.Role.ASSIST)
    print()
    print(f"Tasks where {finance.name.zh} ({finance.name.en}) assists (配合): {len(assists)}")
    for action in assists:
        title = policy.measure(action.measure).title
        print(f"  action {action.id:5} measure {action.measure:2}  {title.zh} / {title.en}")

    print()
    print("Workload, busiest first:")
    print(f"  {'unit':<30}  actions  measures  share")
    for row in g.workload(G):
        print(
            f"  {row.bureau.id:<30}  {row.actions:>7}  {row.measures:>8}  {row.share:>5}  {row.bureau.name.zh}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
