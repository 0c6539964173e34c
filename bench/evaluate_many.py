"""Throughput of ``evaluate_many`` over pre-built applicant dicts, on one core and two.

Budgets (issue "One definition of each rule"): 1,000,000 applicant dicts, each with
12 monthly contributions, every applicant benefit, full validation (each dict is
parsed against the record contract):

* at least 100,000 records/s on one core (this process pinned to one CPU);
* with ``jobs=2`` (two CPUs), at least 1.7x the one-core rate. ``jobs=`` is used only
  if [`evaluate_many`][yantai_policy.benefits.evaluate_many] takes it (its signature is
  inspected); otherwise the figure is "jobs= not available".

The dicts are all built, and frozen out of the garbage collector's sight
(`gc.freeze`: they are the input, not the work), before the clock starts; the
clock covers creating the batch and consuming it, both ways a caller can: iterating
its [`Row`][yantai_policy.benefits.Row] objects, and reading
[`chunks`][yantai_policy.benefits.Batch.chunks] (columns, no object per row). Each
figure is the median of ``--repeats`` runs, the ways taking turns. Two populations:

* ``tiers`` (the budgets): contributions drawn from 40 contribution bases, as real
  registers are (people choose among a few bases);
* ``distinct`` (for information): every amount a fresh random figure.

Run: ``python bench/evaluate_many.py [N] [--repeats K] [--json]`` (default 1,000,000
and 3); ``bench/run.py`` runs it in a child process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import inspect
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cores import cores, one_core

from yantai_policy import benefits
from yantai_policy.benefits.records import GROUPS as CONTRACT_GROUPS

if TYPE_CHECKING:
    from collections.abc import Iterator

ON = dt.date(2021, 12, 31)
GROUPS = tuple(sorted(CONTRACT_GROUPS))
BASES = [f"{3500 + 250 * k}.00" for k in range(40)]
RATE_BUDGET = 100_000
"""Records per second on one core: at least this."""
JOBS = 2
SCALING_BUDGET = 1.7
"""With ``jobs=2``: at least this times the one-core rate."""
WAYS = ("rows", "chunks")


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


def jobs_available() -> bool:
    """Whether ``evaluate_many`` takes ``jobs=`` (another change is adding it)."""
    return "jobs" in inspect.signature(benefits.evaluate_many).parameters


def consume(records: list[dict[str, Any]], way: str, jobs: int | None) -> float:
    """Evaluate the records, consuming the batch ``way``; return the seconds taken."""
    options: dict[str, Any] = {} if jobs is None else {"jobs": jobs}
    start = time.perf_counter()
    batch = benefits.evaluate_many(records, on=ON, **options)
    rows = way == "rows"
    count = sum(1 for _ in batch) if rows else sum(len(chunk) for chunk in batch.chunks())
    seconds = time.perf_counter() - start
    if count != len(records):  # one result per input, or the bench is wrong
        raise RuntimeError(f"{way}: {count} results for {len(records)} records")
    return seconds


def peak_mib() -> float:
    """This process's own peak resident memory (``VmHWM``), in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(n: int, repeats: int) -> dict[str, Any]:
    """Build each population, then time each way on one core and with ``jobs=2``.

    Returns the median seconds by ``<population>.<way>.<cores>`` (``jobs2`` is
    ``None`` when ``jobs=`` is not available), the build time and the peak memory.
    """
    out: dict[str, Any] = {"n": n, "repeats": repeats, "jobs": jobs_available()}
    out["cpus"] = len(cores())
    for distinct in (False, True):
        population = "distinct" if distinct else "tiers"
        start = time.perf_counter()
        records = list(applicants(n, distinct=distinct))
        out[f"{population}.build_s"] = time.perf_counter() - start
        gc.collect()
        gc.freeze()
        times: dict[str, list[float]] = {}
        for _ in range(repeats):
            for way in WAYS if not distinct else ("rows",):
                with one_core():
                    times.setdefault(f"{way}.one", []).append(consume(records, way, None))
                if out["jobs"] and not distinct:
                    times.setdefault(f"{way}.jobs2", []).append(consume(records, way, JOBS))
        for key, seconds in times.items():
            out[f"{population}.{key}"] = statistics.median(seconds)
        for way in WAYS:
            out.setdefault(f"{population}.{way}.jobs2", None)
        del records
        gc.unfreeze()
        gc.collect()
    out["peak_mib"] = peak_mib()
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the bench and report against the budgets; return 1 if one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000, help="applicants")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    got = measure(args.n, args.repeats)
    if args.json:
        print(json.dumps(got))
        return 0
    n = args.n
    print(
        f"evaluate_many, {n:,} pre-built applicant dicts x 12 months, every applicant "
        f"benefit, on {ON} ({platform.python_implementation()} {platform.python_version()}, "
        f"{got['cpus']} CPUs; median of {args.repeats})"
    )
    ok = True
    for population in ("tiers", "distinct"):
        print(f"{population} (dicts built in {got[f'{population}.build_s']:.1f} s, not timed):")
        for way in WAYS:
            one = got.get(f"{population}.{way}.one")
            if one is None:
                continue
            rate = n / one
            print(f"  {way:<7} one core   {rate:>10,.0f} records/s  (budget {RATE_BUDGET:,})")
            ok &= population == "distinct" or rate >= RATE_BUDGET
            two = got[f"{population}.{way}.jobs2"]
            if population == "tiers" and two is None:
                print(f"  {way:<7} jobs={JOBS}     jobs= not available")
            elif two is not None:
                scaling = one / two
                print(
                    f"  {way:<7} jobs={JOBS}     {n / two:>10,.0f} records/s  "
                    f"({scaling:.2f}x one core; budget {SCALING_BUDGET}x)"
                )
                ok &= scaling >= SCALING_BUDGET
    print(f"peak memory (VmHWM, the dicts included): {got['peak_mib']:,.0f} MiB")
    print(f"budgets: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
