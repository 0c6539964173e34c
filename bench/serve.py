"""`yantai-policy serve` under load, and its latency budgets, on this machine.

A real server (``yantai-policy serve --port 0``, a process of its own, a SQLite ledger in a
temporary directory, tokens for several units) answers a client in this process, on
127.0.0.1 only.

Load (for information, but errors and lost reports must be 0): exactly ``--requests``
requests (20,000) from ``--clients`` (32) concurrent clients, each an `httpx.AsyncClient`
with one kept-alive connection, on one asyncio loop. The mix: the co-owners of a measure, a
unit's tasks by role, the ledger's status on a day, one benefit decided for one record (the
records of ``tests/cases/*.yaml``), and progress reports, each filed with a unit's own token
on a task its unit holds (``/v1/ledger/whoami``), on a day of 2021 and with a unique
``key``. Latency is measured by the client (send to last byte, the client's own loop
included): p50 and p99, overall and per kind, and requests/s over the whole run. An error
is any non-2xx answer or transport error. After the run the server is stopped and the
ledger read back (``yantai-policy ledger history --format json``): every report answered
2xx must be there once (lost: acknowledged but missing; duplicates: a key twice). Run with
``--workers 1`` and ``2`` (``--workers 1,2``). The CPU each side used during the load (the
client's ``time.process_time``, the server's from /proc) and the machine's load average are
shown beside, so a run on a shared machine says so.

Budgets (issue 15), on a server with one worker, sequentially from one client with one
kept-alive connection, after ``--warmup`` requests, medians over ``--calls`` (≥ 500):

* ``GET /v1/measures/7/co-owners``: p50 ≤ 2 ms;
* ``POST /v1/benefits/startup_subsidy/evaluate`` of one record: p50 ≤ 5 ms;
* ``POST /v1/evaluate/batch`` of a JSONL file of ``--rows`` rows (50,000, built from the
  cases' applicant records): at least half the rows/s of ``yantai-policy evaluate in.jsonl
  --on DAY -o out.jsonl`` on the same file (a fresh process, start-up included), the two
  run in turn ``--batch-repeats`` times in the same run (medians); the two outputs must be
  the same bytes.

``GET /v1`` (the framework's floor: routing, headers, the client) is timed the same way,
for information.

Run: ``python bench/serve.py`` prints a Markdown section (exit 1 if a budget is missed,
there is an error, or a report is lost); ``--json`` prints the figures for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import yaml

import yantai_policy as yp
from yantai_policy.benefits import BENEFITS, evaluate, get_benefit
from yantai_policy.serve.process import Running, running

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
COOWNERS_BUDGET_MS = 2.0
EVALUATE_BUDGET_MS = 5.0
BATCH_RATIO_BUDGET = 0.5
DAY = dt.date(2021, 12, 31)
"""The day of application of every evaluation here."""
UNITS = ("hrss", "finance", "tax", "market_regulation", "commerce", "civil_affairs")
"""The units that get a token and file reports (hrss holds 16 tasks, the others 2 to 8)."""
KINDS = ("co-owners", "unit tasks", "status", "evaluate", "report")
MIX = {"co-owners": 5, "unit tasks": 4, "status": 2, "evaluate": 5, "report": 4}
"""Requests of each kind in every 20 (25%, 20%, 10%, 25%, 20%)."""
JSON = {"Content-Type": "application/json"}


# ---------------------------------------------------------------- the server


def _cli() -> list[str]:
    return [sys.executable, "-m", "yantai_policy"]


def serving(
    ledger: Path, workers: int, startup: float = 60
) -> contextlib.AbstractContextManager[Running]:
    """Run ``yantai-policy serve --port 0 --ledger LEDGER --workers N`` until the block ends."""
    return running("--ledger", str(ledger), "--workers", str(workers), startup=startup)


def run_cli(*args: str) -> str:
    """Run ``yantai-policy ARGS``; its stdout (exit on failure, with its stderr)."""
    done = subprocess.run([*_cli(), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"yantai-policy {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def new_ledger(directory: Path) -> tuple[Path, dict[str, str]]:
    """A fresh SQLite ledger in ``directory``, and a token for each of `UNITS`."""
    db = directory / "ledger.db"
    run_cli("ledger", "init", "--db", str(db), "--by", "bench")
    tokens = {
        unit: run_cli("ledger", "token", "issue", "--db", str(db), "--unit", unit, "--by", "bench")
        .strip()
        .splitlines()[-1]
        for unit in UNITS
    }
    return db, tokens


# ---------------------------------------------------------------- the requests


def case_records() -> list[tuple[str, dict[str, Any]]]:
    """``(benefit, record)`` of every case in ``tests/cases/*.yaml`` (dates as ISO strings)."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            record = json.loads(json.dumps(case["input"], default=str))
            out.append((str(data["benefit"]), record))
    return out


class Call(NamedTuple):
    """One request of the load: its kind, method, path, query, body and headers."""

    kind: str
    method: str
    path: str
    params: dict[str, str]
    body: bytes | None
    headers: dict[str, str]
    key: str | None


def calls(  # noqa: PLR0913 - the parts of the mix
    count: int,
    *,
    policy: yp.Policy,
    tokens: dict[str, str],
    tasks: dict[str, list[str]],
    singles: list[tuple[str, bytes]],
    run: str,
) -> list[Call]:
    """``count`` requests in `MIX`'s proportions, shuffled (seeded)."""
    rng = random.Random(15)  # noqa: S311 - a benchmark's mix, not a secret
    pattern = [kind for kind in KINDS for _ in range(MIX[kind])]
    kinds = [pattern[n % len(pattern)] for n in range(count)]
    rng.shuffle(kinds)
    measures = [m.number for m in policy.measures]
    units = [b.id for b in policy.bureaus]
    roles = ("lead", "assist", "responsible", None)
    start = policy.notice.issued_on
    days = (DAY - start).days
    statuses = ("in_progress", "in_progress", "blocked", "not_started", "done")
    out = []
    for n, kind in enumerate(kinds):
        if kind == "co-owners":
            path = f"/v1/measures/{measures[n % len(measures)]}/co-owners"
            out.append(Call(kind, "GET", path, {}, None, {}, None))
        elif kind == "unit tasks":
            role = roles[n % len(roles)]
            out.append(Call(kind, "GET", f"/v1/units/{units[n % len(units)]}/tasks",
                            {"role": role} if role else {}, None, {}, None))  # fmt: skip
        elif kind == "status":
            on = start + dt.timedelta(days=rng.randrange(days))
            out.append(Call(kind, "GET", "/v1/ledger/status", {"on": on.isoformat()}, None, {},
                            None))  # fmt: skip
        elif kind == "evaluate":
            name, body = singles[n % len(singles)]
            out.append(Call(kind, "POST", f"/v1/benefits/{name}/evaluate",
                            {"on": DAY.isoformat()}, body, JSON, None))  # fmt: skip
        else:
            unit = UNITS[n % len(UNITS)]
            key = f"bench-serve-{run}-{n}"
            report = {
                "task": tasks[unit][(n // len(UNITS)) % len(tasks[unit])],
                "unit": unit,
                "status": statuses[n % len(statuses)],
                "on": (start + dt.timedelta(days=n % days)).isoformat(),
                "text": f"第{n}次报送进展（压测）",
                "key": key,
            }
            headers = {**JSON, "Authorization": f"Bearer {tokens[unit]}"}
            out.append(Call(kind, "POST", "/v1/ledger/reports", {},
                            json.dumps(report, ensure_ascii=False).encode(), headers, key))  # fmt: skip
    return out


def single_records() -> list[tuple[str, bytes]]:
    """The cases' records that their benefit decides without an error, as JSON bodies."""
    policy = yp.load_policy()
    out = []
    for name, record in case_records():
        try:
            evaluate(get_benefit(name), record, on=DAY, policy=policy)
        except (ValueError, LookupError):
            continue
        out.append((name, json.dumps(record, ensure_ascii=False).encode()))
    return out


# ---------------------------------------------------------------- the load


class Outcome(NamedTuple):
    """What the clients saw: latencies by kind, errors, and the keys answered 2xx."""

    seconds: float
    latencies: dict[str, list[float]]
    errors: list[str]
    filed: list[str]


async def _client(url: str, plan: list[Call], outcome: Outcome) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        for call in plan:
            start = time.perf_counter()
            try:
                response = await client.request(call.method, call.path, params=call.params,
                                                content=call.body, headers=call.headers)  # fmt: skip
            except httpx.TransportError as error:
                outcome.errors.append(f"{call.kind}: {type(error).__name__}: {error}")
                continue
            outcome.latencies[call.kind].append(time.perf_counter() - start)
            if not response.is_success:
                outcome.errors.append(f"{call.kind}: {response.status_code} {response.text[:200]}")
            elif call.key is not None:
                outcome.filed.append(call.key)


async def _load(url: str, plan: list[Call], clients: int, limit: float) -> Outcome:
    outcome = Outcome(0.0, {kind: [] for kind in KINDS}, [], [])
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(_client(url, plan[i::clients], outcome) for i in range(clients))), limit
    )
    return outcome._replace(seconds=time.perf_counter() - start)


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a process and its live children, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    below = [cpu_seconds(child) for child in children]
    return own + sum(b for b in below if b is not None)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile of ``values`` (0 < q ≤ 100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"count": len(values), "p50_ms": percentile(values, 50) * 1000,
            "p99_ms": percentile(values, 99) * 1000}  # fmt: skip


def load(workers: int, requests: int, clients: int, singles: list[tuple[str, bytes]],
         limit: float) -> dict[str, Any]:  # fmt: skip
    """Start a server with ``workers`` on a fresh ledger, load it, then count the reports."""
    policy = yp.load_policy()
    with tempfile.TemporaryDirectory() as tmp:
        db, tokens = new_ledger(Path(tmp))
        with serving(db, workers) as server:
            tasks = {}
            for unit, token in tokens.items():
                who = httpx.get(f"{server.url}/v1/ledger/whoami",
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
                who.raise_for_status()
                tasks[unit] = list(who.json()["tasks"])
            plan = calls(requests, policy=policy, tokens=tokens, tasks=tasks, singles=singles,
                         run=f"w{workers}")  # fmt: skip
            server_cpu, client_cpu = cpu_seconds(server.process.pid), time.process_time()
            outcome = asyncio.run(_load(server.url, plan, clients, limit))
            client_cpu = time.process_time() - client_cpu
            after = cpu_seconds(server.process.pid)
            server_cpu = after - server_cpu if after is not None and server_cpu else None
            over_http = httpx.get(f"{server.url}/v1/ledger/reports", timeout=60).json()
        entries = json.loads(run_cli("ledger", "history", "--db", str(db), "--format", "json"))
    keys = [e["key"] for e in entries if e["kind"] == "report"]
    sent = [c.key for c in plan if c.key is not None]
    every = [t for values in outcome.latencies.values() for t in values]
    return {
        "workers": workers, "requests": len(plan), "clients": clients,
        "answered": len(every), "seconds": outcome.seconds,
        "rps": len(plan) / outcome.seconds, "errors": len(outcome.errors),
        "error_sample": outcome.errors[:5],
        "client_cpu_s": client_cpu, "server_cpu_s": server_cpu,
        "overall": _ms(every),
        "kinds": {kind: _ms(values) for kind, values in outcome.latencies.items() if values},
        "reports_sent": len(sent), "reports_2xx": len(outcome.filed),
        "reports_in_ledger": len(keys), "reports_over_http": len(over_http),
        "lost": len(set(outcome.filed) - set(keys)),
        "duplicates": len(keys) - len(set(keys)),
        "unacknowledged_in_ledger": len(set(keys) - set(outcome.filed)),
    }  # fmt: skip


# ---------------------------------------------------------------- the budgets


def _sequential(client: httpx.Client, call: Call, warmup: int, count: int) -> list[float]:
    for _ in range(warmup):
        client.request(call.method, call.path, params=call.params, content=call.body,
                       headers=call.headers).raise_for_status()  # fmt: skip
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.request(call.method, call.path, params=call.params,
                                  content=call.body, headers=call.headers)  # fmt: skip
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return times


def batch_file(path: Path, rows: int) -> int:
    """Write ``rows`` applicant records (the cases', ids made unique) to ``path``; its bytes."""
    records = [r for name, r in case_records() if BENEFITS[name].record == "applicant"]
    with path.open("w", encoding="utf-8") as sink:
        for n in range(rows):
            record = {**records[n % len(records)], "id": f"R{n:06d}"}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _cli_batch(source: Path, out: Path) -> float:
    start = time.perf_counter()
    run_cli("evaluate", str(source), "--on", DAY.isoformat(), "-o", str(out))
    return time.perf_counter() - start


def _http_batch(client: httpx.Client, body: bytes) -> tuple[float, bytes]:
    start = time.perf_counter()
    with client.stream("POST", "/v1/evaluate/batch", params={"on": DAY.isoformat()},
                       content=body, headers={"Content-Type": "application/x-ndjson"}) as answer:  # fmt: skip
        answer.raise_for_status()
        got = answer.read()
    return time.perf_counter() - start, got


def budgets(
    singles: list[tuple[str, bytes]], warmup: int, count: int, rows: int, repeats: int
) -> dict[str, Any]:
    """Sequential latencies on a one-worker server, and the batch against the CLI."""
    startup = next(b for name, b in singles if name == "startup_subsidy")
    probes = {
        "index": Call("index", "GET", "/v1", {}, None, {}, None),
        "co-owners": Call("co-owners", "GET", "/v1/measures/7/co-owners", {}, None, {}, None),
        "evaluate": Call(
            "evaluate",
            "POST",
            "/v1/benefits/startup_subsidy/evaluate",
            {"on": DAY.isoformat()},
            startup,
            JSON,
            None,
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        db, _tokens = new_ledger(directory)
        source, out = directory / "in.jsonl", directory / "out.jsonl"
        size = batch_file(source, rows)
        body = source.read_bytes()
        with serving(db, 1) as server, httpx.Client(base_url=server.url, timeout=300) as client:
            sequential = {k: _ms(_sequential(client, c, warmup, count)) for k, c in probes.items()}
            _http_batch(client, body[: len(body) // 20])  # warm the batch path
            cli_s, http_s, same = [], [], True
            for _ in range(repeats):
                cli_s.append(_cli_batch(source, out))
                seconds, got = _http_batch(client, body)
                http_s.append(seconds)
                same = same and got == out.read_bytes()
            lines = out.read_bytes().count(b"\n")
            with out.open("rb") as written:
                errors = sum(1 for line in written if json.loads(line)["error"] is not None)
    cli_rate, http_rate = rows / statistics.median(cli_s), rows / statistics.median(http_s)
    return {
        "calls": count, "warmup": warmup, "sequential": sequential,
        "rows": rows, "batch_bytes": size, "batch_repeats": repeats,
        "output_lines": lines, "error_rows": errors, "same_output": same,
        "cli_rows_per_s": cli_rate, "http_rows_per_s": http_rate, "ratio": http_rate / cli_rate,
        "cli_s": statistics.median(cli_s), "http_s": statistics.median(http_s),
    }  # fmt: skip


# ---------------------------------------------------------------- the report


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure: the budgets first (a quiet machine), then the load per worker count."""
    singles = single_records()
    before = os.getloadavg()[0]
    figures: dict[str, Any] = {
        "budgets": budgets(singles, args.warmup, args.calls, args.rows, args.batch_repeats),
        "load": [load(w, args.requests, args.clients, singles, args.limit) for w in args.workers],
        "budget_ms": {"co-owners": COOWNERS_BUDGET_MS, "evaluate": EVALUATE_BUDGET_MS},
        "batch_ratio_budget": BATCH_RATIO_BUDGET,
        "cpus": os.cpu_count(),
        "loadavg": [before, os.getloadavg()[0]],
    }
    figures["met"] = all(ok for *_, ok in rows(figures) if ok is not None)
    return figures


def rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str, bool | None]]:
    """``(what, figure, unit, anchor, ok)`` of every figure: the table's rows (bench/run.py's too)."""
    b = figures["budgets"]
    seq = b["sequential"]
    runs = f"one client, kept alive, sequential, median of {b['calls']:,} after {b['warmup']}"
    before, after = figures["loadavg"]
    busy = (
        f"{after:.2f} at the end, on {figures['cpus']} CPUs; above the CPUs, other work "
        "shared the machine; for information"
    )
    what = "serve: the machine's 1-minute load average as serve.py started (and ended)"
    out: list[tuple[str, str, str, str, bool | None]] = [
        (what, f"{before:.2f}", "runnable", busy, None)
    ]
    probes = (
        ("co-owners", "`GET /v1/measures/7/co-owners`"),
        ("evaluate", "`POST /v1/benefits/startup_subsidy/evaluate` (one record)"),
    )
    for kind, what in probes:
        budget = figures["budget_ms"][kind]
        p50, p99 = seq[kind]["p50_ms"], seq[kind]["p99_ms"]
        anchor = f"p99 {p99:.2f} ms; budget p50 ≤ {budget:g} ms"
        out.append((f"serve, 1 worker: {what} ({runs})", f"{p50:.2f}", "ms p50", anchor,
                    p50 <= budget))  # fmt: skip
    floor = seq["index"]
    out.append((f"serve, 1 worker: `GET /v1`, the framework's floor ({runs})",
                f"{floor['p50_ms']:.2f}", "ms p50",
                f"p99 {floor['p99_ms']:.2f} ms; for information", None))  # fmt: skip
    same = "identical" if b["same_output"] else "DIFFERENT"
    what = (
        f"serve, 1 worker: `POST /v1/evaluate/batch`, {b['rows']:,} JSONL rows "
        f"({b['batch_bytes'] / 1e6:.1f} MB, the cases' records) vs `yantai-policy evaluate` "
        f"of the same file (fresh process; median of {b['batch_repeats']}, in turn)"
    )
    anchor = (
        f"HTTP {b['http_rows_per_s']:,.0f} rows/s, CLI {b['cli_rows_per_s']:,.0f} rows/s; "
        f"outputs {same} ({b['output_lines']:,} lines, {b['error_rows']:,} error rows); "
        f"budget ≥ {figures['batch_ratio_budget']:g}x"
    )
    ok = b["ratio"] >= figures["batch_ratio_budget"] and b["same_output"]
    out.append((what, f"{b['ratio']:.2f}", "x the CLI", anchor, ok))
    for run in figures["load"]:
        out += _load_rows(run)
    return out


def _load_rows(run: dict[str, Any]) -> list[tuple[str, str, str, str, bool | None]]:
    w = f"serve, {run['workers']} worker{'s' if run['workers'] > 1 else ''}, load"
    mix = ", ".join(f"{k} {v['count']:,}" for k, v in run["kinds"].items())
    server = (
        "not measured"
        if run["server_cpu_s"] is None
        else f"{run['server_cpu_s'] / run['seconds']:.0%} of a core"
    )
    anchor = (
        f"{run['seconds']:.1f} s; p50 {run['overall']['p50_ms']:.1f} ms, p99 "
        f"{run['overall']['p99_ms']:.1f} ms (client-side); CPU busy: client "
        f"{run['client_cpu_s'] / run['seconds']:.0%} of a core, server {server}; for information"
    )
    what = f"{w}: {run['requests']:,} requests from {run['clients']} concurrent clients ({mix})"
    out: list[tuple[str, str, str, str, bool | None]] = [
        (what, f"{run['rps']:,.0f}", "requests/s", anchor, None)
    ]
    for kind, v in run["kinds"].items():
        out.append((f"{w}: {kind} latency (of {v['count']:,})", f"{v['p50_ms']:.1f}",
                    "ms p50", f"p99 {v['p99_ms']:.1f} ms; for information", None))  # fmt: skip
    sample = f" (first: {run['error_sample'][0][:80]})" if run["errors"] else ""
    out.append((f"{w}: errors (non-2xx or transport){sample}", f"{run['errors']:,}",
                "requests", "must be 0", run["errors"] == 0))  # fmt: skip
    what = (
        f"{w}: reports answered 2xx but not in the ledger (`ledger history`), and keys "
        "recorded twice"
    )
    anchor = (
        f"{run['reports_2xx']:,} of {run['reports_sent']:,} answered 2xx; "
        f"{run['reports_in_ledger']:,} in the ledger ({run['reports_over_http']:,} over "
        "`GET /v1/ledger/reports`); must be 0 and 0"
    )
    ok = (
        run["lost"] == 0
        and run["duplicates"] == 0
        and run["reports_in_ledger"] == run["reports_2xx"]
    )
    out.append((what, f"{run['lost']} lost, {run['duplicates']} duplicated", "reports", anchor, ok))
    return out


def section(figures: dict[str, Any]) -> str:
    """The figures as a Markdown section, each with its verdict."""
    lines = ["## `yantai-policy serve` (bench/serve.py)", "",
             f"{os.cpu_count()} CPUs; server and client on the same machine, over 127.0.0.1.", "",
             "| what | figure | unit | anchor / budget (same run) | verdict |",
             "|---|--:|---|---|---|"]  # fmt: skip
    for what, figure, unit, anchor, ok in rows(figures):
        verdict = "—" if ok is None else "met" if ok else "NOT met"
        cells = (what, figure, unit, anchor, verdict)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    met = "every budget met" if figures["met"] else "a budget is NOT met"
    return "\n".join([*lines, "", f"Verdict: {met}."])


def main(argv: list[str] | None = None) -> int:
    """Print the section (or ``--json``); return 1 if a budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="worker counts to load, comma-separated")
    parser.add_argument("--calls", type=int, default=1_000, help="sequential calls per budget")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the JSONL batch")
    parser.add_argument("--batch-repeats", type=int, default=3)
    parser.add_argument("--limit", type=float, default=900, help="seconds the load may take")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",")]
    if (
        min(args.requests, args.clients, args.calls, args.rows, args.batch_repeats, *args.workers)
        < 1
    ):
        parser.error("every size must be positive")
    figures = measure(args)
    print(json.dumps(figures, ensure_ascii=False) if args.json else section(figures))
    return 0 if figures["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
