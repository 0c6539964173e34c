"""evaluate_frame over a large synthetic register with Dask, partition by partition.

Each partition is built from its own seed inside the task that evaluates it
(`dask.dataframe.from_map`), so nothing is held but the partitions being worked
on: N applicants with 12 monthly contributions each (2021-01 to 2021-12, a long
``contributions`` frame with a categorical ``month`` and ``amount_fen``), every
applicant benefit decided on 2021-12-31 with ``decimals=False``. The result is
reduced per partition to each benefit's count of eligible rows and sum of fen, and
the partial sums are added up, so the client receives a few numbers, not N rows.

Run::

    pip install -e '.[analysis,dask]'
    python bench/dask_frame.py                      # 10,000,000 rows, 1,000,000 a partition
    python bench/dask_frame.py --rows 2000000 --partition-rows 500000 --scheduler processes

Reported: rows, partitions, seconds (wall clock of the Dask computation, generating
the data included), rows per second, and the time to generate one partition alone
(measured separately, to show what the evaluation costs on its own); peak RSS is
``ru_maxrss`` of this process and, with the processes scheduler, of the largest
worker child. The first partition's totals through Dask are checked against a
single-process ``evaluate_frame`` of the same rows, and each count against the number
of rows; the script exits 1 on a mismatch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import resource
import sys
import time
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd

from yantai_policy.benefits.frame import FRAME_BENEFITS, evaluate_frame
from yantai_policy.benefits.records import BUSINESS_TYPES

ON = dt.date(2021, 12, 31)
MONTHS = pd.Index([f"2021-{m:02d}" for m in range(1, 13)])
GROUP_LABELS = pd.Index(["hard_to_employ", "graduate", "hard_to_employ;graduate"])
BUSINESS = pd.Index(BUSINESS_TYPES)
ELIGIBLE = [f"{name}.eligible" for name in FRAME_BENEFITS]
FEN = [f"{name}.amount_fen" for name in FRAME_BENEFITS]


def applicants(start: int, rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows ``start`` .. ``start + rows - 1``: the applicants and their contributions."""
    rng = np.random.default_rng([seed, start])

    def days(first: str, last: str) -> Any:  # noqa: ANN401 - a datetime64 array
        low, high = np.datetime64(first, "D"), np.datetime64(last, "D")
        span = int((high - low).astype(np.int64)) + 1
        return low + rng.integers(0, span, size=rows).astype("timedelta64[D]")

    ids = np.arange(start, start + rows, dtype=np.int64)
    hard, graduate = rng.random(rows) < 0.3, rng.random(rows) < 0.4
    groups = hard.astype(np.int8) + 2 * graduate.astype(np.int8) - 1  # -1: none
    business = rng.choice(np.array([-1, 0, 1], dtype=np.int8), size=rows, p=[0.1, 0.7, 0.2])
    df = pd.DataFrame(
        {
            "id": ids,
            "groups": pd.Categorical.from_codes(groups, categories=GROUP_LABELS),
            "business_type": pd.Categorical.from_codes(business, categories=BUSINESS),
            "first_license_on": days("2019-01-01", "2022-06-30"),
            "operating": rng.random(rows) < 0.9,
            "pays_employee_insurance": rng.random(rows) < 0.8,
            "startup_subsidy_received": rng.random(rows) < 0.15,
            "left_school_on": days("2018-06-01", "2021-12-31"),
            "flexible_since": days("2019-01-01", "2022-06-30"),
        },
        index=pd.RangeIndex(start, start + rows),
    )
    paid = rng.integers(30_000, 300_001, size=(rows, 12), dtype=np.int64)  # 300 to 3,000 yuan
    paid[rng.random((rows, 12)) < 0.25] = 0  # a quarter of the months unpaid
    contributions = pd.DataFrame(
        {
            "id": np.repeat(ids, 12),
            "month": pd.Categorical.from_codes(
                np.tile(np.arange(12, dtype=np.int8), rows), categories=MONTHS
            ),
            "amount_fen": paid.ravel(),
        }
    )
    return df, contributions


def totals(result: pd.DataFrame) -> pd.DataFrame:
    """One row: each benefit's count of eligible rows and sum of fen (``<NA>`` skipped)."""
    sums = {name: [int(result[name].sum())] for name in ELIGIBLE}
    sums |= {name: [int(result[name].sum(skipna=True))] for name in FEN}
    return pd.DataFrame(sums, dtype=np.int64)


def partition(bounds: tuple[int, int], seed: int) -> pd.DataFrame:
    """Build one partition from its seed, evaluate it, and reduce it to its totals."""
    start, rows = bounds
    df, contributions = applicants(start, rows, seed)
    return totals(evaluate_frame(df, ON, contributions=contributions, decimals=False))


def peak_rss_mib(who: int) -> float:
    """``ru_maxrss`` in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; 1 if the totals are wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--partition-rows", type=int, default=1_000_000)
    parser.add_argument("--scheduler", choices=["threads", "processes", "sync"], default="threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows, size = args.rows, args.partition_rows
    bounds = [(start, min(size, rows - start)) for start in range(0, rows, size)]
    meta = pd.DataFrame({name: np.zeros(0, dtype=np.int64) for name in ELIGIBLE + FEN})

    print(
        f"python {platform.python_version()}, dask {importlib.metadata.version('dask')}, pandas {pd.__version__}"
    )
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs; scheduler {args.scheduler}, {args.workers} workers"
    )

    lazy = dd.from_map(  # type: ignore[no-untyped-call,unused-ignore]
        partition, bounds, seed=args.seed, meta=meta, enforce_metadata=False
    )
    start = time.perf_counter()
    got = lazy.sum().compute(scheduler=args.scheduler, num_workers=args.workers)
    seconds = time.perf_counter() - start

    first = bounds[0]
    start = time.perf_counter()
    df, contributions = applicants(*first, args.seed)
    generate = time.perf_counter() - start
    start = time.perf_counter()
    want_first = totals(evaluate_frame(df, ON, contributions=contributions, decimals=False))
    evaluate = time.perf_counter() - start
    first_by_dask = lazy.partitions[0].compute(scheduler="sync").reset_index(drop=True)
    ok = want_first.equals(first_by_dask) and all(0 <= got[name] <= rows for name in ELIGIBLE)

    print(f"rows {rows:,} in {len(bounds)} partitions of {size:,}")
    print(f"seconds {seconds:.2f}  rows/s {rows / seconds:,.0f}")
    print(
        f"one partition of {first[1]:,} in this process: generate {generate:.2f} s, "
        f"evaluate_frame {evaluate:.2f} s"
    )
    print(f"peak RSS: this process {peak_rss_mib(resource.RUSAGE_SELF):,.0f} MiB", end="")
    if args.scheduler == "processes":
        print(f", largest worker {peak_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB", end="")
    print()
    for name in FRAME_BENEFITS:
        print(f"  {name}: {got[f'{name}.eligible']:,} eligible, {got[f'{name}.amount_fen']:,} fen")
    if not ok:
        print("MISMATCH: the first partition's totals differ, or a count is out of range")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
