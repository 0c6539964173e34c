"""evaluate_frame per Dask partition gives exactly the single-process result, on a cluster too."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import random
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import yantai_policy as yp
from yantai_policy.benefits.frame import FRAME_BENEFITS, evaluate_frame
from yantai_policy.benefits.records import LOAN_KINDS, TAXES

ON = dt.date(2022, 3, 31)
N = 2_000
REFORM = yp.load_policy().with_parameters(
    {
        "social_insurance_subsidy.rate": "60%",
        "startup_subsidy.amount": "6000.50",
        "accident_insurance_subsidy.proportion": "7/9",
        "skills_upgrading_subsidy.standard": "1000",
        "vocational_training_subsidy.standard": "500.50",
    }
)
GROUPS: tuple[list[str] | None, ...] = (
    ["hard_to_employ"],
    ["graduate"],
    ["hard_to_employ", "graduate"],
    ["veteran"],
    ["laid_off", "migrant_worker"],
    [],
    None,
)


def day(rng: random.Random, first: str, last: str) -> str | None:
    """An ISO day between two days, or (one time in ten) none."""
    if rng.random() < 0.1:
        return None
    start, stop = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return (start + dt.timedelta(days=rng.randrange((stop - start).days + 1))).isoformat()


def yuan(rng: random.Random, high: int) -> str:
    """A decimal string of yuan, up to ``high`` fen."""
    fen = rng.randrange(high + 1)
    return f"{fen // 100}.{fen % 100:02d}"


def applicant(i: int, rng: random.Random) -> dict[str, Any]:
    """One synthetic applicant in the record contract's forms (lists and dicts as objects)."""
    months = sorted(rng.sample(range(24), rng.randrange(13)))
    return {
        "id": f"P{i}",
        "groups": rng.choice(GROUPS),
        "business_type": rng.choice(
            ["individual_business", "individual_business", "enterprise", None]
        ),
        "first_license_on": day(rng, "2019-01-01", "2022-03-31"),
        "operating": rng.choice([True, True, True, False, None]),
        "pays_employee_insurance": rng.choice([True, True, False, None]),
        "employment_registered": rng.choice([True, True, False, None]),
        "startup_subsidy_received": rng.choice([False, False, True, None]),
        "injury_pilot_covered": rng.choice([False, True, None]),
        "platform": rng.choice(["food_delivery", "a local app", None]),
        "left_school_on": day(rng, "2018-06-01", "2021-12-31"),
        "flexible_since": day(rng, "2019-01-01", "2022-03-31"),
        "contributions": [
            {"month": f"{2020 + m // 12}-{m % 12 + 1:02d}", "amount": yuan(rng, 300_000)}
            for m in months
        ],
        "accident_premiums": [
            {
                "paid_on": day(rng, "2021-01-01", "2022-03-31") or "2021-06-30",
                "amount": yuan(rng, 20_000),
            }
            for _ in range(rng.randrange(3))
        ],
        "tax_due": {tax: yuan(rng, 1_000_000) for tax in TAXES if rng.random() < 0.5},
        "loan": rng.choice(
            [None, {"kind": rng.choice(LOAN_KINDS), "amount": yuan(rng, 60_000_000)}]
        ),
        "training_completed_on": day(rng, "2020-06-01", "2022-03-31"),
        "training_certificate": rng.choice([True, True, False, None]),
        "pilot_area": rng.choice([True, False, None]),
        "platform_occupation": rng.choice(["delivery_rider", "livestream_seller", "other", None]),
    }


@pytest.fixture(scope="module")
def applicants() -> pd.DataFrame:
    """Two thousand applicants, with object columns of lists and dicts."""
    rng = random.Random(2021)  # noqa: S311 - test data, not secrets
    frame = pd.DataFrame([applicant(i, rng) for i in range(N)])
    frame.index = pd.RangeIndex(100, 100 + N)  # not 0..N-1: the index must survive
    return frame


def assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same index, columns, dtypes and values (Decimal amounts compared exactly)."""
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    for name in FRAME_BENEFITS:
        column = f"{name}.amount"
        if column in want:
            assert got[column].tolist() == want[column].tolist()


def by_dask(frame: pd.DataFrame, scheduler: str | Client, **kwargs: Any) -> pd.DataFrame:
    """evaluate_frame over 4 Dask partitions, computed on a scheduler (a name or a Client)."""
    meta = evaluate_frame(frame.iloc[:0], ON, **kwargs)
    with dask.config.set({"dataframe.convert-string": False}):
        parts = dd.from_pandas(frame, npartitions=4, sort=False)  # type: ignore[no-untyped-call,unused-ignore]
        assert parts.npartitions == 4
        lazy = parts.map_partitions(evaluate_frame, ON, meta=meta, **kwargs)
        out: pd.DataFrame = lazy.compute(scheduler=scheduler)
    return out


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_partitions_agree_with_one_frame(applicants: pd.DataFrame, scheduler: str) -> None:
    """Four partitions on a local scheduler concatenate to the one-frame result."""
    want = evaluate_frame(applicants, ON)
    assert_identical(by_dask(applicants, scheduler), want)
    granted = [want[f"{name}.eligible"].sum() for name in FRAME_BENEFITS]
    assert all(0 < count < N for count in granted), granted


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
def test_reform_reaches_every_partition(applicants: pd.DataFrame, scheduler: str) -> None:
    """A reform passed through map_partitions gives the one-frame reform result."""
    want = evaluate_frame(applicants, ON, policy=REFORM)
    got = by_dask(applicants, scheduler, policy=REFORM)
    assert_identical(got, want)
    base = evaluate_frame(applicants, ON)
    column = "social_insurance_subsidy.amount_fen"
    assert not got[column].equals(base[column])


def test_fen_without_decimals(applicants: pd.DataFrame) -> None:
    """With decimals=False the partitions give the same Int64 fen columns."""
    want = evaluate_frame(applicants, ON, decimals=False)
    got = by_dask(applicants, "threads", decimals=False)
    assert_identical(got, want)
    assert all(str(got[f"{name}.amount_fen"].dtype) == "Int64" for name in FRAME_BENEFITS)


def test_policy_pickles() -> None:
    """The policy and a reform survive pickling, as Dask ships them to workers."""
    base = yp.load_policy()
    assert pickle.loads(pickle.dumps(base)) == base  # noqa: S301 - our own object
    assert pickle.loads(pickle.dumps(REFORM)) == REFORM  # noqa: S301 - our own object


def worker_pid(partition: pd.DataFrame) -> pd.DataFrame:
    """The id of the process that computed a partition."""
    return pd.DataFrame({"pid": [os.getpid()]}, index=partition.index[:1])


def test_local_cluster_of_two_processes(applicants: pd.DataFrame) -> None:
    """Two worker processes of a distributed LocalCluster give the one-frame result, reform too."""
    cluster = LocalCluster(  # type: ignore[no-untyped-call,unused-ignore]
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    try:
        with Client(cluster) as client:  # type: ignore[no-untyped-call,unused-ignore]
            assert len(client.scheduler_info()["workers"]) == 2
            base = by_dask(applicants, client)
            reform = by_dask(applicants, client, policy=REFORM, decimals=False)
            workers = set(client.run(os.getpid).values())
            parts = dd.from_pandas(applicants[["id"]], npartitions=4, sort=False)  # type: ignore[no-untyped-call,unused-ignore]
            meta = pd.DataFrame({"pid": pd.Series([], dtype=int)})
            ran_on = set(parts.map_partitions(worker_pid, meta=meta).compute()["pid"])
    finally:
        cluster.close()
    assert_identical(base, evaluate_frame(applicants, ON))
    assert_identical(reform, evaluate_frame(applicants, ON, policy=REFORM, decimals=False))
    assert len(workers) == 2
    assert os.getpid() not in workers
    assert ran_on <= workers
