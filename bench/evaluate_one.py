"""Latency of one full decision: ``evaluate`` of one record, and ``evaluate_all``.

Budget (issue "One definition of each rule"): at most 1 ms a call, the median over
many calls, for a typical applicant record (a dict, parsed on every call) with 12
monthly contributions, for each applicant benefit (``evaluate(name, record, on=...)``,
the full [`Decision`][yantai_policy.benefits.Decision] with its reasons, parameters and
breakdown) and for ``evaluate_all`` (every applicant benefit at once).

The record is the first of ``evaluate_many``'s population that belongs to a group
the social-insurance subsidy names (so its formula has months to count). Each call is
timed on its own (``time.perf_counter_ns``), the benefits taking turns, after ten
untimed calls each.

Run: ``python bench/evaluate_one.py [--calls N]`` (default 2,000).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

from evaluate_many import ON, applicants

from yantai_policy import benefits

if TYPE_CHECKING:
    from collections.abc import Callable

BUDGET_MS = 1.0
"""The median call: at most this many milliseconds."""
WARM_UP = 10
ALL = "evaluate_all"


def typical() -> dict[str, Any]:
    """A typical applicant: 12 months paid, a group measure 17 names, a business."""
    for record in applicants(1_000, distinct=False):
        if {"hard_to_employ", "graduate"} & set(record["groups"]):
            return record
    raise RuntimeError("the population has no hard-to-employ person or graduate")


def calls() -> dict[str, Callable[[], object]]:
    """One call per applicant benefit, and ``evaluate_all``, on the typical record."""
    record = typical()
    out: dict[str, Callable[[], object]] = {
        name: (lambda name=name: benefits.evaluate(name, record, on=ON))  # type: ignore[misc]
        for name in benefits.APPLICANT_BENEFITS
    }
    out[ALL] = lambda: benefits.evaluate_all(record, on=ON)
    return out


def medians(count: int) -> dict[str, float]:
    """The median seconds of ``count`` calls of each, the calls taking turns."""
    todo = calls()
    for call in todo.values():
        for _ in range(WARM_UP):
            call()
    times: dict[str, list[int]] = {name: [] for name in todo}
    clock = time.perf_counter_ns
    for _ in range(count):
        for name, call in todo.items():
            start = clock()
            call()
            times[name].append(clock() - start)
    return {name: statistics.median(ns) / 1e9 for name, ns in times.items()}


def main(argv: list[str] | None = None) -> int:
    """Print each median against the budget; return 1 if one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2_000)
    count = parser.parse_args(argv).calls
    got = medians(count)
    print(f"one record with 12 months, full decision, median of {count:,} calls")
    for name, seconds in got.items():
        ms = seconds * 1000
        print(f"  {name:<28} {ms:7.3f} ms  (budget {BUDGET_MS} ms)")
    ok = all(seconds * 1000 <= BUDGET_MS for seconds in got.values())
    print(f"budget: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
