"""One Policy shared by threads, and byte-identical output whatever the hash seed."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

import yantai_policy as yp
from yantai_policy.benefits import APPLICANT_BENEFITS, Row, evaluate, evaluate_many

ON = dt.date(2021, 12, 31)
THREADS = 8
SEEDS = ("0", "1", "12345", "random")


def records(count: int = 500) -> list[dict[str, Any]]:
    """A fixed, varied batch, with a few bad records among them."""
    rng = random.Random(3)  # noqa: S311 - test data
    out: list[dict[str, Any]] = []
    for number in range(count):
        record: dict[str, Any] = {
            "id": f"A{number}",
            "groups": rng.sample(["graduate", "veteran", "farmer", "hard_to_employ"], 2),
            "left_school_on": f"20{rng.randint(17, 21)}-0{rng.randint(1, 9)}-15",
            "flexible_since": "2021-01-01",
            "platform": rng.choice(["ride_hailing", "express"]),
            "employment_registered": rng.random() < 0.7,
            "business_type": "individual_business",
            "first_license_on": "2021-03-01",
            "operating": True,
            "contributions": [
                {"month": f"2021-{m:02d}", "amount": f"{rng.randint(300, 900)}.00"}
                for m in range(1, 13)
            ],
            "tax_due": {"vat": "1200.00"},
            "loan": {"kind": rng.choice(["individual", "partnership"]), "amount": "150000"},
        }
        if number % 50 == 0:
            record["left_school_on"] = "2021-02-30"
        out.append(record)
    return out


def batch(policy: yp.Policy, data: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    """evaluate_many over the batch; errors as text (exceptions compare by identity)."""
    return [_plain(row) for row in evaluate_many(data, on=ON, policy=policy)]


def _plain(row: Row) -> tuple[object, ...]:
    return (row.row, row.id, row.outcomes, None if row.error is None else str(row.error))


def decide(policy: yp.Policy, data: list[dict[str, Any]]) -> list[object]:
    """Evaluate (the decide path) per record and benefit: the decision or the error text."""
    out: list[object] = []
    for record in data:
        for name in APPLICANT_BENEFITS:
            try:
                out.append(evaluate(name, record, on=ON, policy=policy))
            except yp.PolicyError as error:
                out.append(str(error))
    return out


def test_threads_share_one_policy(policy: yp.Policy) -> None:
    """8 threads, one Policy: the same rows and decisions as one thread, the plan untouched."""
    data = records()
    before = attrs.asdict(policy, recurse=False)
    expected_rows, expected_decisions = batch(policy, data), decide(policy, data)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        rows = [pool.submit(batch, policy, data) for _ in range(THREADS)]
        decisions = [pool.submit(decide, policy, data) for _ in range(THREADS)]
        assert all(f.result() == expected_rows for f in rows)
        assert all(f.result() == expected_decisions for f in decisions)
    assert attrs.asdict(policy, recurse=False) == before
    assert sum(r[3] is not None for r in expected_rows) == len(data) // 50


def test_policy_is_frozen(policy: yp.Policy) -> None:
    """No thread can change the shared plan: every field refuses assignment."""
    for field in attrs.fields(type(policy)):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(policy, field.name, None)


def _cli(args: list[str], seed: str, cwd: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "yantai_policy", *args],
        cwd=cwd,
        env=env,
        check=False,
        capture_output=True,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "in.jsonl", "--on", "2021-12-31", "-o", "OUT.jsonl"],
        ["evaluate", "in.jsonl", "--on", "2021-12-31", "-o", "OUT.csv"],
        ["evaluate", "in.csv", "--on", "2021-12-31", "-o", "OUT.jsonl"],
        ["export", "json", "-o", "OUT.json"],
        ["audit", "--format", "json"],
    ],
    ids=["jsonl-to-jsonl", "jsonl-to-csv", "csv-to-jsonl", "export-json", "audit-json"],
)
def test_output_is_the_same_under_every_hash_seed(tmp_path: Path, command: list[str]) -> None:
    """PYTHONHASHSEED 0, 1, 12345 and random: byte-identical output (sets never leak order)."""
    import json  # noqa: PLC0415

    data = records(200)
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in data), encoding="utf-8"
    )
    (tmp_path / "in.csv").write_text(
        "id,groups,left_school_on,loan.kind,loan.amount\n"
        + "".join(
            f"{r['id']},{';'.join(r['groups'])},{r['left_school_on']},{r['loan']['kind']},1\n"
            for r in data
        ),
        encoding="utf-8",
    )
    outputs = set()
    for seed in SEEDS:
        args = [a.replace("OUT", f"out-{seed}") for a in command]
        if "-o" in args:
            _cli(args, seed, tmp_path)
            outputs.add((tmp_path / args[args.index("-o") + 1]).read_bytes())
        else:
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run(
                [sys.executable, "-m", "yantai_policy", *args],
                cwd=tmp_path,
                env=env,
                check=False,
                capture_output=True,
            )
            outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop()) > 100
