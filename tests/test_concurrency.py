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


def _at_once(call: Any, threads: int = THREADS) -> list[Any]:
    """Run call in `threads` threads released together by a barrier; return their results."""
    import threading  # noqa: PLC0415 - only these tests need it

    barrier = threading.Barrier(threads)

    def run() -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda _: run(), range(threads)))


def _slowed(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Make module.name slow (so a race would show) and count its calls."""
    import time  # noqa: PLC0415

    calls: list[int] = []
    original = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        time.sleep(0.05)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    return calls


def test_policy_graph_is_built_once_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """policy.graph asked for by 8 threads at once is built once: one object, not eight."""
    import yantai_policy.graph as graph_module  # noqa: PLC0415

    calls = _slowed(monkeypatch, graph_module, "responsibility_graph")
    policy = attrs.evolve(yp.load_policy())  # a fresh policy: no graph yet
    graphs = _at_once(lambda: policy.graph)
    assert len({id(g) for g in graphs}) == 1
    assert graphs[0] is policy.graph
    assert len(calls) == 1


def test_builtin_policy_is_loaded_once_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """load_policy() called by 8 threads before it is cached returns one object, loaded once."""
    from yantai_policy import loading  # noqa: PLC0415

    monkeypatch.setattr(loading, "_BUILTIN", [])
    calls = _slowed(monkeypatch, loading, "_load_bytes")
    policies = _at_once(loading.load_policy)
    assert len({id(p) for p in policies}) == 1
    assert len(calls) == 1
    assert policies[0] is loading.load_policy()


def test_lazy_submodules_are_one_module_under_threads() -> None:
    """8 threads touching yp.graph, yp.audit and yp.export first get one module object each."""
    code = (
        "import json, threading\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "import yantai_policy as yp\n"
        "barrier = threading.Barrier(8)\n"
        "def run(_):\n"
        "    barrier.wait()\n"
        "    return [id(getattr(yp, m)) for m in ('graph', 'audit', 'export', 'benefits')]\n"
        "with ThreadPoolExecutor(8) as pool:\n"
        "    found = list(pool.map(run, range(8)))\n"
        "print(json.dumps(len({tuple(f) for f in found})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"


def test_record_caches_under_threads_match_a_serial_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty amount and month caches filled by 8 threads at once give the serial run's rows."""
    from yantai_policy.benefits import records as records_module  # noqa: PLC0415

    data = records(300)
    serial = [_plain(r) for r in evaluate_many(data, on=ON)]
    monkeypatch.setattr(records_module, "AMOUNT_CACHE", {})
    monkeypatch.setattr(records_module, "MONTH_CACHE", {})
    import yantai_policy.benefits.reading as reading_module  # noqa: PLC0415

    monkeypatch.setattr(reading_module, "AMOUNT_CACHE", records_module.AMOUNT_CACHE)
    monkeypatch.setattr(reading_module, "MONTH_CACHE", records_module.MONTH_CACHE)
    results = _at_once(lambda: [_plain(r) for r in evaluate_many(data, on=ON)])
    assert all(result == serial for result in results)
    assert records_module.AMOUNT_CACHE  # the threads did fill the caches they shared


def test_contexts_under_threads_are_equal(policy: yp.Policy) -> None:
    """context(policy, day) from 8 threads at once gives equal contexts of that plan and day."""
    from yantai_policy.benefits.base import context  # noqa: PLC0415

    day = dt.date(2023, 3, 3)
    found = _at_once(lambda: context(policy, day))
    assert all(c == found[0] and c.policy is policy and c.on == day for c in found)
