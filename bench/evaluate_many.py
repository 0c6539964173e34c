"""Throughput and memory of ``evaluate_many`` over a synthetic register.

Budget (issue 4): 1,000,000 synthetic applicants, each with 12 monthly contributions,
every applicant benefit through ``evaluate_many``: at least 200,000 records/s and at
most 1 GB of memory.

The register is generated lazily, so memory measures the batch's own streaming, not
a list held in advance. Generation is timed on its own and reported beside the total,
so the batch's share is the difference. Two populations:

* ``tiers``: contributions drawn from 40 contribution bases (as real registers are:
  people choose among a few bases), so the parser's string cache helps;
* ``distinct``: every amount a fresh random figure, the parser's worst case.

Both are also run from records already parsed (``Applicant`` objects), which is the
cost of the formulas alone.

Run: ``python bench/evaluate_many.py [N]`` (default 1,000,000).
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import resource
import sys
import time
from typing import TYPE_CHECKING, Any

from yantai_policy import benefits
from yantai_policy.benefits.records import parse_applicant

if TYPE_CHECKING:
    from collections.abc import Iterator

ON = dt.date(2021, 12, 31)
GROUPS = (
    "hard_to_employ",
    "graduate",
    "veteran",
    "laid_off",
    "unemployed",
    "migrant_worker",
    "poverty",
    "farmer",
)
BASES = [f"{3500 + 250 * k}.00" for k in range(40)]


def applicants(n: int, *, distinct: bool, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic applicant records, each with 12 monthly contributions."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    for i in range(n):
        if distinct:
            amounts = [f"{rng.randrange(0, 200_000) / 100:.2f}" for _ in range(12)]
        else:
            amounts = [rng.choice(BASES) for _ in range(12)]
        licensed = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
        yield {
            "id": f"P{i:07d}",
            "groups": rng.sample(GROUPS, rng.randrange(0, 3)),
            "left_school_on": "2020-06-30",
            "flexible_since": (
                dt.date(2020, 6, 1) + dt.timedelta(days=rng.randrange(0, 500))
            ).isoformat(),
            "platform": "food_delivery" if i % 3 == 0 else None,
            "employment_registered": i % 2 == 0,
            "business_type": "individual_business" if i % 4 else "enterprise",
            "first_license_on": licensed.isoformat(),
            "operating": i % 10 != 0,
            "pays_employee_insurance": i % 7 != 0,
            "startup_subsidy_received": i % 11 == 0,
            "contributions": [
                {"month": f"2021-{m + 1:02d}", "amount": a} for m, a in enumerate(amounts)
            ],
            "accident_premiums": [{"paid_on": "2021-03-01", "amount": "120.00"}],
            "tax_due": {"vat": "3000.00", "individual_income": "800.00"},
            "loan": {"kind": "individual" if i % 2 else "partnership", "amount": "150000"},
        }


def timed(label: str, n: int, run: Iterator[object]) -> float:
    """Drain ``run`` and print its rate; return the seconds taken."""
    start = time.perf_counter()
    count = sum(1 for _ in run)
    seconds = time.perf_counter() - start
    assert count == n, (count, n)  # noqa: S101 - one output per input, or the bench is wrong
    print(f"  {label:<44} {seconds:8.2f} s  {n / seconds:>10,.0f} records/s")
    return seconds


def main(n: int) -> int:
    """Run the bench and report against the budget; return 1 if it is missed."""
    print(
        f"evaluate_many, {n:,} applicants, on {ON} ({platform.python_implementation()} {platform.python_version()})"
    )
    best = 0.0
    for distinct in (False, True):
        name = "distinct" if distinct else "tiers"
        print(f"{name}:")
        generate = timed("generate records only", n, applicants(n, distinct=distinct))
        total = timed(
            "generate + evaluate_many (all benefits)",
            n,
            benefits.evaluate_many(applicants(n, distinct=distinct), on=ON),
        )
        batch = total - generate
        print(
            f"  {'evaluate_many alone (difference)':<44} {batch:8.2f} s  {n / batch:>10,.0f} records/s"
        )
        best = max(best, n / batch)
    parsed_n = min(n, 200_000)
    parsed = [parse_applicant(r) for r in applicants(parsed_n, distinct=True)]
    print("from parsed Applicant objects (formulas alone):")
    formulas = timed(
        "evaluate_many (all benefits)", parsed_n, benefits.evaluate_many(parsed, on=ON)
    )
    del parsed
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory (ru_maxrss): {peak_mb:,.0f} MB  (budget 1,024 MB; includes {parsed_n:,} parsed records held at once)"
    )
    print(f"formulas alone: {parsed_n / formulas:,.0f} records/s")
    ok = best >= 200_000 and peak_mb <= 1024
    print(
        f"budget 200,000 records/s: {'met' if best >= 200_000 else 'NOT met'}; 1 GB: {'met' if peak_mb <= 1024 else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
