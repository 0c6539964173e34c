"""Graph build, query and audit timings on the built-in plan and a plan 100 times larger.

Budgets (issue 3): on the built-in plan the graph builds in at most 5 ms and each query
takes at most 50 µs; on the 100x plan (2,000 measures, ~4,900 actions, 500 units) the
build takes at most 500 ms and the full audit at most 1 s.

Run: ``python bench/graph_audit.py``.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import synthetic_plan

import yantai_policy as yp
from yantai_policy import graph as g
from yantai_policy.audit import audit

if TYPE_CHECKING:
    from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:9.2f} ms"


def rows(policy: yp.Policy, label: str, repeat: int) -> list[tuple[str, float]]:
    """Time the build, every query and the audit on one plan."""
    G = g.responsibility_graph(policy)
    busiest = g.workload(G)[0].bureau
    return [
        (f"{label}: build graph", median_seconds(lambda: g.responsibility_graph(policy), repeat)),
        (f"{label}: co_owners", median_seconds(lambda: g.co_owners(G, 7), repeat * 50)),
        (f"{label}: actions_of", median_seconds(lambda: g.actions_of(G, busiest), repeat * 50)),
        (
            f"{label}: actions_of(role)",
            median_seconds(
                lambda: g.actions_of(
                    G, "finance" if label == "yantai" else busiest, yp.Role.ASSIST
                ),
                repeat * 50,
            ),
        ),
        (f"{label}: measures_of", median_seconds(lambda: g.measures_of(G, busiest), repeat * 50)),
        (
            f"{label}: collaborators",
            median_seconds(lambda: g.collaborators(G, busiest), repeat * 10),
        ),
        (
            f"{label}: assistants_of",
            median_seconds(lambda: g.assistants_of(G, busiest), repeat * 10),
        ),
        (
            f"{label}: single_owner_measures",
            median_seconds(lambda: g.single_owner_measures(G), repeat),
        ),
        (f"{label}: workload", median_seconds(lambda: g.workload(G), repeat)),
        (f"{label}: bureau_projection", median_seconds(lambda: g.bureau_projection(G), repeat)),
        (f"{label}: full audit", median_seconds(lambda: audit(policy), repeat)),
    ]


def main() -> None:
    """Print the table."""
    print(f"python {platform.python_version()} on {platform.machine()}; medians")
    table = rows(yp.load_policy(), "yantai", 50)
    big = synthetic_plan(100)
    print(
        f"synthetic x100: {len(big.measures)} measures, {len(big.actions)} actions, {len(big.bureaus)} units"
    )
    table += rows(big, "x100", 5)
    for name, seconds in table:
        print(f"{name:<34} {_fmt(seconds)}")


if __name__ == "__main__":
    main()
