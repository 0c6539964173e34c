"""The whole benchmark suite in one command: one table of figures, each against its anchor.

Runs, in this order (the children first, while this process is still small):

* ``evaluate_many`` over ``--applicants`` pre-built dicts, on one core and with
  ``jobs=2``, iterating rows and reading ``Batch.chunks()`` (``evaluate_many.py``, in
  a child process of its own);
* ``evaluate_frame`` against OpenFisca-Core: ``compare_openfisca.py`` in a child run by
  ``--openfisca-python`` (both speed ratios, exactness, each engine's peak memory);
* ``yantai-policy evaluate`` JSONL to JSONL on one core, over the same population,
  and its peak RSS on a ``--stream-mb`` input (``hostile_stream.py``);
* ``evaluate_frame`` on Dask (``dask_frame.py``, for information);
* ``evaluate`` of one record, each applicant benefit, and ``evaluate_all``
  (``evaluate_one.py``);
* a cold ``import yantai_policy`` + ``load_policy()`` against a bare ``python -c pass``
  (``import_load.medians``: fresh processes, interleaved);
* the CLI end to end, every read-only query command (``measures``, ``show 7``,
  ``bureaus``, ``bureau``, ``co-owners 7``, ``actions``, ``workload``; budget +60 ms each)
  and, for information, ``benefits`` and ``schema``, against a bare interpreter (fresh
  processes, interleaved);
* the graph build, each query and the full audit, on the built-in plan and on the 100x
  synthetic plan (``graph_audit.rows``);
* drafting a plan from Yantai's notice, warm and end to end (``draft.py``);
* the ledger on SQLite: 100,000 reports inserted, and the status over them
  (``ledger.py``);
* ``yantai-policy serve``: the co-owners and one-record latency budgets, a JSONL batch
  over HTTP against the CLI, and 20,000 requests from 32 concurrent clients with one and
  two workers, no errors and no report lost (``serve.py``, in a child process).

Each figure is a median over repeated runs (the row says how many: ``--repeats``
fresh processes, ``--batch-repeats`` runs of a large batch), except the 1 GB stream
and the Dask run, which are run once. The budgets are the ones in each script's
docstring. The table is printed and written, with the machine and the date, to
``--out``. Exits 1 if a budget is missed or a child fails. Child processes run with
``PYTHONDONTWRITEBYTECODE`` unset (``import_load.ENV``).

Run (the full run; OpenFisca in its own virtual environment)::

    python -m venv /tmp/ofvenv
    /tmp/ofvenv/bin/pip install -r bench/requirements-openfisca.txt -e '.[analysis]'
    python bench/run.py --openfisca-python /tmp/ofvenv/bin/python

``--quick`` for a smoke run with small sizes; ``--applicants N``, ``--repeats K``,
``--batch-repeats K``, ``--stream-mb M``, ``--calls N``, ``--out PATH``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from yantai_policy.model import Policy

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

QUICK_APPLICANTS = 20_000
QUICK_REPEATS = 3
QUICK_STREAM_MB = 16
STREAM_MB = 1024
"""The input size the stream's memory budget is stated for."""
STEP_KEYS = (
    "many", "openfisca", "stream", "dask", "one", "import", "cli", "graph", "draft", "ledger",
    "serve",
)  # fmt: skip
"""The names ``--only`` takes, in the order of the steps in `main`."""
NOT_INSTALLED = "not run: install bench/requirements-openfisca.txt"
NOTES: list[str] = []
"""Footnotes printed under the table."""


class Row(NamedTuple):
    """One line of the table."""

    what: str
    figure: str
    unit: str
    anchor: str
    verdict: str


def verdict(ok: bool | None) -> str:
    """``met`` / ``NOT met``, or a dash where there is no budget."""
    if ok is None:
        return "—"
    return "met" if ok else "NOT met"


# ---------------------------------------------------------------- evaluate_many, in a child


def _child(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a bench script in a child process (bytecode writing allowed)."""
    from import_load import ENV  # noqa: PLC0415

    return subprocess.run(command, capture_output=True, text=True, check=False, env=ENV)


def _tail(done: subprocess.CompletedProcess[str]) -> str:
    return ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1][-160:]


def evaluate_many_rows(n: int, repeats: int) -> list[Row]:
    """Run ``evaluate_many.py --json`` in a child process and turn its figures into rows."""
    from evaluate_many import JOBS, RATE_BUDGET, SCALING_BUDGET  # noqa: PLC0415

    done = _child([sys.executable, str(BENCH / "evaluate_many.py"), str(n), "--json",
                   "--repeats", str(repeats)])  # fmt: skip
    what = f"evaluate_many, {n:,} pre-built dicts x 12 months, every applicant benefit"
    if done.returncode != 0:
        return [Row(what, "failed", "", _tail(done), "NOT met")]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    runs = f"median of {repeats}"
    rows = []
    for way, how in (("rows", "iterating rows"), ("chunks", "reading Batch.chunks()")):
        one = n / got[f"tiers.{way}.one"]
        rows.append(
            Row(
                f"{what}, {how}, one core ({runs})",
                f"{one:,.0f}",
                "records/s",
                f"budget ≥ {RATE_BUDGET:,}",
                verdict(one >= RATE_BUDGET),
            )
        )
        two = got[f"tiers.{way}.jobs2"]
        if two is None:
            rows.append(Row(f"{what}, {how}, jobs={JOBS}", "jobs= not available", "", "", "—"))
            continue
        scaling = (n / two) / one
        rows.append(
            Row(
                f"{what}, {how}, jobs={JOBS} ({runs})",
                f"{scaling:.2f}",
                "x one core",
                f"{n / two:,.0f} records/s; one core {one:,.0f}; budget ≥ {SCALING_BUDGET}x",
                verdict(scaling >= SCALING_BUDGET),
            )
        )
    distinct = n / got["distinct.rows.one"]
    rows.append(
        Row(
            f"{what}, iterating rows, one core, every amount distinct ({runs})",
            f"{distinct:,.0f}",
            "records/s",
            "the parser's worst case; for information",
            "—",
        )
    )
    rows.append(
        Row(
            f"{what}: peak memory of the child process (the dicts included)",
            f"{got['peak_mib']:,.0f}",
            "MiB",
            f"dicts built in {got['tiers.build_s']:.1f} s, before timing; for information",
            "—",
        )
    )
    return rows


# ---------------------------------------------------------------- the CLI on a JSONL stream


def cli_stream_rows(n: int, repeats: int, size_mb: int) -> list[Row]:
    """``yantai-policy evaluate`` JSONL to JSONL: rows/s on one core, peak RSS on a big input."""
    from cores import one_core  # noqa: PLC0415
    from evaluate_many import applicants  # noqa: PLC0415
    from hostile_stream import LIMIT_MB, evaluate_file, run  # noqa: PLC0415

    rate_budget = 60_000
    what = "`yantai-policy evaluate` JSONL → JSONL"
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with source.open("w", encoding="utf-8") as sink:
            for record in applicants(n, distinct=False):
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        times = []
        with one_core():
            for _ in range(repeats):
                seconds, _peak = evaluate_file(source, out)
                times.append(seconds)
        with out.open("rb") as written:
            lines = sum(1 for _ in written)
    if lines != n:
        return [Row(what, "failed", "", f"{lines:,} output lines for {n:,}", "NOT met")]
    rate = n / statistics.median(times)
    figures = run(size_mb)
    peak = figures["peak_mb"]
    full = size_mb >= STREAM_MB
    return [
        Row(
            f"{what}, {n:,} applicants (evaluate_many's population), one core, whole "
            f"process (median of {repeats})",
            f"{rate:,.0f}",
            "rows/s",
            f"budget ≥ {rate_budget:,}",
            verdict(rate >= rate_budget),
        ),
        Row(
            f"{what}, {figures['size_mb']:,.0f} MB input ({figures['rows']:,.0f} rows, "
            "0.1% bad lines; `hostile_stream.py`, run once): peak RSS",
            f"{peak:,.1f}",
            "MB",
            f"budget ≤ {LIMIT_MB} MB on a {STREAM_MB:,} MB input"
            + ("" if full else f"; this input is {size_mb} MB, so no verdict")
            + f"; {figures['rows_per_s']:,.0f} rows/s on all cores",
            verdict(peak <= LIMIT_MB) if full else "—",
        ),
    ]


# ---------------------------------------------------------------- one record


def evaluate_one_rows(count: int) -> list[Row]:
    """``evaluate`` of one record, each applicant benefit, and ``evaluate_all``."""
    from evaluate_one import BUDGET_MS, medians  # noqa: PLC0415

    out = []
    for name, seconds in medians(count).items():
        call = "evaluate_all(record)" if name == "evaluate_all" else f"evaluate({name!r}, record)"
        out.append(
            Row(
                f"`{call}`, one dict with 12 months, full decision (median of {count:,} calls)",
                f"{seconds * 1000:.3f}",
                "ms",
                f"budget ≤ {BUDGET_MS:g} ms",
                verdict(seconds * 1000 <= BUDGET_MS),
            )
        )
    return out


# ---------------------------------------------------------------- the OpenFisca comparison


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1).replace(",", "")) if match else None


def openfisca_rows(python: str, n: int) -> list[Row]:
    """Run ``compare_openfisca.py`` with ``python``; parse the ratios, errors and memory."""
    what = f"evaluate_frame vs OpenFisca-Core, {n:,} applicants x 12 months"
    probe = subprocess.run(
        [python, "-c", "import openfisca_core"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return [Row(what, NOT_INSTALLED, "", f"interpreter: {python}", "—")]
    done = _child([python, str(BENCH / "compare_openfisca.py"), str(n)])
    text = done.stdout
    # The budgets and the repeats are the script's own (it runs in the other interpreter).
    repeats = _number(r"^timings \(median of (\d+)\)", text)
    budgets = re.search(r"at least\s+([\d.]+)x decimals=False, ([\d.]+)x with Decimal", text)
    ratio = _number(r"speed ratio OpenFisca / evaluate_frame, decimals=False\s+([\d.,]+) x", text)
    ratio_full = _number(
        r"speed ratio OpenFisca / evaluate_frame, with Decimal columns\s+([\d.,]+) x", text
    )
    rows_equal = [
        re.search(pattern + r"\s+([\d,]+) / ([\d,]+)", text)
        for pattern in (r"startup: rows equal to the independent integer computation",
                        r"social insurance: rows equal to it")
    ]  # fmt: skip
    eligibility = re.search(r"eligibility equal to it \(both benefits\)\s+(yes|NO)", text)
    sample = _number(r"evaluate_many sample: rows x benefits differing[^\n]*?\)\s+(\d+)", text)
    of_rounded = _number(r"max \|OpenFisca - exact, rounded to the fen\| \(fen\)\s+([\d.]+)", text)
    of_rational = _number(r"max \|OpenFisca - exact rational\| \(fen\)\s+([\d.]+)", text)
    of_total = _number(r"OpenFisca total\s+([\d.]+) s", text)
    frame = _number(r"evaluate_frame, 2 benefits, decimals=False\s+([\d.]+) s", text)
    frame_full = _number(
        r"evaluate_frame, 2 benefits, with Decimal columns \(default\)\s+([\d.]+) s", text
    )
    frame_peak = _number(r"evaluate_frame alone \(child[^)]*\)\s+([\d,]+) MiB", text)
    of_peak = _number(r"OpenFisca alone \(child[^)]*\)\s+([\d,]+) MiB", text)
    if (
        ratio is None
        or ratio_full is None
        or of_rounded is None
        or of_rational is None
        or sample is None
        or frame_peak is None
        or of_peak is None
        or eligibility is None
        or None in rows_equal
        or repeats is None
        or budgets is None
    ):
        return [Row(what, "failed", "", _tail(done), "NOT met")]
    differing = sum(
        int(m.group(2).replace(",", "")) - int(m.group(1).replace(",", ""))
        for m in rows_equal
        if m is not None
    )
    exact = differing == 0 and eligibility.group(1) == "yes" and sample == 0
    timing = f"median of {repeats:.0f}, the engines taking turns"
    speed_budget, decimals_budget = float(budgets.group(1)), float(budgets.group(2))
    return [
        Row(
            f"{what}: OpenFisca (build + set_input + calculate) / evaluate_frame (frames + "
            f"call), decimals=False ({timing})",
            f"{ratio:.2f}",
            "x",
            f"OpenFisca {of_total} s, evaluate_frame {frame} s; budget ≥ {speed_budget:g}x",
            verdict(ratio >= speed_budget),
        ),
        Row(
            f"{what}: the same, with the default Decimal columns ({timing})",
            f"{ratio_full:.2f}",
            "x",
            f"OpenFisca {of_total} s, evaluate_frame {frame_full} s; budget ≥ {decimals_budget:g}x",
            verdict(ratio_full >= decimals_budget),
        ),
        Row(
            f"{what}: evaluate_frame vs the independent integer reference (every row, both "
            "benefits, eligibility too; and evaluate_many on a 10,000-row sample)",
            "0" if exact else f"≠ on {differing:,} rows (sample: {sample:.0f})",
            "fen",
            "must be exact",
            verdict(exact),
        ),
        Row(
            f"{what}: peak memory, each engine alone in a child process (data + one run)",
            f"{frame_peak:,.0f}",
            "MiB",
            f"OpenFisca {of_peak:,.0f} MiB; budget: evaluate_frame ≤ OpenFisca",
            verdict(frame_peak <= of_peak),
        ),
        Row(
            f"{what}: OpenFisca (float32) worst error vs the exact fen",
            f"{of_rounded:.4f}",
            "fen",
            f"vs the unrounded rational: {of_rational:.4f} fen; for information",
            "—",
        ),
    ]


def dask_rows(rows: int, partition_rows: int) -> list[Row]:
    """Run ``dask_frame.py`` in a child and parse its throughput and peak memory."""
    what = f"evaluate_frame on Dask, {rows:,} rows in {partition_rows:,}-row partitions"
    probe = subprocess.run(
        [sys.executable, "-c", "import dask.dataframe"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return [Row(what, "not run: install the dask extra", "", "", "—")]
    done = _child(
        [
            sys.executable,
            str(BENCH / "dask_frame.py"),
            *("--rows", str(rows), "--partition-rows", str(partition_rows)),
        ]
    )
    rate = _number(r"rows/s\s+([\d,]+)", done.stdout)
    seconds = _number(r"^seconds\s+([\d.]+)", done.stdout)
    peak = _number(r"peak RSS: this process\s+([\d,]+) MiB", done.stdout)
    if done.returncode != 0 or rate is None:
        tail = ((done.stderr or done.stdout).strip().splitlines() or ["no output"])[-1]
        return [Row(what, "failed", "", tail[-160:], "NOT met")]
    return [
        Row(
            f"{what} (threads scheduler, run once)",
            f"{rate:,.0f}",
            "rows/s",
            f"{seconds} s including generating the data; peak RSS {peak:,.0f} MiB; no budget",
            "—",
        )
    ]


# ---------------------------------------------------------------- fresh processes


IMPORT_BUDGET_MS = 40
"""Issue 11: import plus ``load_policy()`` at most +40 ms over a bare interpreter."""


def import_rows(repeats: int) -> list[Row]:
    """A cold import + load against a bare interpreter (``import_load.medians``)."""
    from import_load import BARE, LOAD, medians  # noqa: PLC0415

    bare, load = medians([BARE, LOAD], repeats)
    return [
        Row(
            f"cold `import yantai_policy` + `load_policy()`, over bare `python -c pass` "
            f"(fresh processes, interleaved, median of {repeats})",
            f"{load - bare:+.1f}",
            "ms",
            f"bare {bare:.1f} ms, import + load {load:.1f} ms; budget ≤ +{IMPORT_BUDGET_MS} ms",
            verdict(load - bare <= IMPORT_BUDGET_MS),
        )
    ]


def draft_rows(repeats: int) -> list[Row]:
    """``bench/draft.py`` in a child: drafting Yantai's notice, warm and end to end."""
    done = _child([sys.executable, str(BENCH / "draft.py"), "--json", "--repeat", str(repeats)])
    if done.returncode not in (0, 1):
        return [Row("drafting Yantai's notice", "failed", "", _tail(done), "NOT met")]
    figures = json.loads(done.stdout)
    budget = figures["budget_s"]
    return [
        Row(
            f"`draft_plan` on Yantai's notice, warm process (median of {repeats})",
            f"{figures['warm_s'] * 1000:.1f}",
            "ms",
            f"budget ≤ {budget:.0f} s",
            verdict(figures["warm_s"] <= budget),
        ),
        Row(
            "`yantai-policy draft` of Yantai's notice to a TOML file, fresh process "
            f"(median of {max(3, repeats // 2)}, interleaved with bare python)",
            f"{figures['cli_s'] * 1000:.0f}",
            "ms",
            f"bare python {figures['bare_s'] * 1000:.0f} ms; budget ≤ {budget:.0f} s",
            verdict(figures["cli_s"] <= budget),
        ),
    ]


def ledger_rows(repeats: int) -> list[Row]:
    """``bench/ledger.py`` in a child: 100,000 reports into a SQLite ledger, and the status."""
    done = _child([sys.executable, str(BENCH / "ledger.py"), "--json", "--repeat", str(repeats)])
    if done.returncode not in (0, 1):
        return [Row("the ledger on SQLite", "failed", "", _tail(done), "NOT met")]
    figures = json.loads(done.stdout)
    f = figures["sqlite"]
    return [
        Row(
            f"ledger: {f['reports']:,} reports into a SQLite ledger, `report_many` in "
            f"batches of {f['batch']:,} (each a checked transaction)",
            f"{f['insert_per_s']:,.0f}",
            "reports/s",
            f"{f['insert_s']:.2f} s in all; one at a time (`report`) {f['single_per_s']:,.0f}/s; "
            f"budget ≥ {figures['insert_budget']:,}",
            verdict(f["insert_per_s"] >= figures["insert_budget"]),
        ),
        Row(
            f"ledger: status of every task as of a date over those reports (median of {f['repeat']})",
            f"{f['status_ms']:.1f}",
            "ms",
            f"budget ≤ {figures['status_budget_ms']:.0f} ms",
            verdict(f["status_ms"] <= figures["status_budget_ms"]),
        ),
    ]


def serve_rows() -> list[Row]:
    """``bench/serve.py`` in a child: the server's budgets, and its load with 1 and 2 workers."""
    from serve import rows  # noqa: PLC0415

    done = _child([sys.executable, str(BENCH / "serve.py"), "--json"])
    last = (done.stdout.strip().splitlines() or [""])[-1]
    if done.returncode not in (0, 1) or not last.startswith("{"):
        return [Row("`yantai-policy serve`", "failed", "", _tail(done), "NOT met")]
    return [
        Row(what, figure, unit, anchor, verdict(ok))
        for what, figure, unit, anchor, ok in rows(json.loads(last))
    ]


def _cli() -> list[str]:
    """The console script beside this interpreter, else ``python -m yantai_policy``."""
    script = Path(sys.executable).parent / "yantai-policy"
    if script.exists():
        return [str(script)]
    found = shutil.which("yantai-policy")
    return [found] if found else [sys.executable, "-m", "yantai_policy"]


def _run_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


QUERY_COMMANDS = (
    "measures",
    "show 7",
    "bureaus",
    "bureau hrss",
    "co-owners 7",
    "actions --bureau hrss --role lead",
    "workload",
)
"""The read-only query commands (issue 11: each at most +60 ms over a bare interpreter)."""
OTHER_COMMANDS = ("benefits", "schema applicant")
"""Read-only commands that need the formulas (numpy), shown for information."""
CLI_BUDGET_MS = 60


def cli_rows(repeats: int) -> list[Row]:
    """Each read-only CLI command end to end, against a bare interpreter, interleaved."""
    from import_load import ENV  # noqa: PLC0415

    cli = _cli()
    names = (*QUERY_COMMANDS, *OTHER_COMMANDS)
    commands = [[sys.executable, "-c", "pass"], *([*cli, *name.split()] for name in names)]
    for command in commands:  # warm the file cache and write bytecode
        _run_ms(command, ENV)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for index, command in enumerate(commands):
            times[index].append(_run_ms(command, ENV))
    bare, *medians = (statistics.median(t) for t in times)
    return [
        Row(
            f"CLI `yantai-policy {name}` end to end, over bare python "
            f"(fresh processes, interleaved, median of {repeats})",
            f"{ms - bare:+.1f}",
            "ms",
            f"bare {bare:.1f} ms, command {ms:.1f} ms"
            + (f"; budget ≤ +{CLI_BUDGET_MS} ms" if name in QUERY_COMMANDS else ""),
            verdict(ms - bare <= CLI_BUDGET_MS) if name in QUERY_COMMANDS else "—",
        )
        for name, ms in zip(names, medians, strict=True)
    ]


# ---------------------------------------------------------------- graph and audit

# Issue 3's budgets, in seconds: on the built-in plan the build and each query; on the
# 100x plan the build and the full audit. Other rows are for information.
QUERIES = (
    "co_owners",
    "actions_of",
    "actions_of(role)",
    "measures_of",
    "collaborators",
    "assistants_of",
    "single_owner_measures",
    "workload",
    "bureau_projection",
)


def _budget(label: str, name: str) -> float | None:
    if label == "yantai":
        return 5e-3 if name == "build graph" else 50e-6 if name in QUERIES else None
    return {"build graph": 0.5, "full audit": 1.0}.get(name)


def _time_unit(seconds: float) -> tuple[str, str]:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f}", "µs"
    return f"{seconds * 1e3:.2f}", "ms"


def synthetic_x100() -> tuple[Policy, str]:
    """``synthetic.synthetic_plan(100)``, and a footnote mark if it needed help.

    The synthetic plan keeps the built-in plan's parameters, whose source excerpts
    quote measure texts that the synthetic measures replace; where the loader rejects
    that, the plan is built again without the parameters (the graph and the audit do
    not read them) and a footnote says so.
    """
    import synthetic  # noqa: PLC0415

    from yantai_policy.errors import PolicyDataError  # noqa: PLC0415

    try:
        return synthetic.synthetic_plan(100), ""
    except PolicyDataError as error:
        reason = str(error)
    namespace = vars(synthetic)
    original = namespace["policy_from_dict"]

    def without_parameters(data: Mapping[str, Any], *, file: str) -> Policy:
        plan: Policy = original({k: v for k, v in data.items() if k != "parameters"}, file=file)
        return plan

    namespace["policy_from_dict"] = without_parameters
    try:
        plan = synthetic.synthetic_plan(100)
    finally:
        namespace["policy_from_dict"] = original
    NOTES.append(
        f"¹ `synthetic.synthetic_plan(100)` failed ({reason}); the 100x plan was built "
        "without the built-in plan's `parameters` block, which the graph and the audit "
        "do not read."
    )
    return plan, "¹"


def graph_rows(repeats: int) -> list[Row]:
    """``graph_audit.rows`` on the built-in plan and on the 100x synthetic plan."""
    from graph_audit import rows  # noqa: PLC0415

    import yantai_policy as yp  # noqa: PLC0415

    big, mark = synthetic_x100()
    size = f"{len(big.measures):,} measures, {len(big.actions):,} actions, {len(big.bureaus)} units"
    plans = [
        (yp.load_policy(), "yantai", "built-in plan", 5 * repeats),
        (big, "x100", f"100x plan{mark} ({size})", max(3, repeats // 4)),
    ]
    out = []
    for policy, label, title, repeat in plans:
        for key, seconds in rows(policy, label, repeat):
            name = key.split(": ", 1)[1]
            # graph_audit times the cheap queries over 10x or 50x as many calls.
            calls = repeat * (50 if name in QUERIES[:4] else 10 if name in QUERIES[4:6] else 1)
            figure, unit = _time_unit(seconds)
            budget = _budget(label, name)
            anchor = "no budget; for information"
            if budget is not None:
                anchor = "budget ≤ " + " ".join(_time_unit(budget)).replace(".00 ", " ").replace(
                    ".0 ", " "
                )
            out.append(
                Row(
                    f"{title}: {name} (median of {calls})",
                    figure,
                    unit,
                    anchor,
                    verdict(None if budget is None else seconds <= budget),
                )
            )
    return out


# ---------------------------------------------------------------- the report


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| what | figure | unit | anchor / budget (same run) | verdict |",
        "|---|--:|---|---|---|",
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "".join(f"\n\n{note}" for note in NOTES)


MEDIANS = (
    "Medians over the stated number of runs; each anchor was measured in the same run. "
    "Budgets are the ones in each bench script's docstring."
)


def header(args: argparse.Namespace, seconds: float) -> str:
    """The machine, the date and the command, above the table."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    argv = " ".join(["python bench/run.py", *sys.argv[1:]])
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"- date: {now}",
            f"- machine: {platform.platform()}, {os.cpu_count()} CPUs (`os.cpu_count()`)",
            f"- Python: {python} (`{sys.executable}`)",
            f"- OpenFisca interpreter: `{args.openfisca_python}`",
            (
                f"- command: `{argv}` ({args.applicants:,} applicants, {args.repeats} "
                f"fresh-process repeats, {args.batch_repeats} batch repeats, "
                f"{args.stream_mb:,} MB stream, {args.calls:,} calls of one record)"
            ),
            f"- whole run: {seconds:.0f} s",
            "",
            MEDIANS,
            "",
            "",
        ]
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small N and few repeats (smoke)")
    parser.add_argument("--applicants", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--repeats", type=int, default=None, help="fresh-process runs; default 20")
    parser.add_argument(
        "--batch-repeats", type=int, default=None, help="runs of each large batch; default 3"
    )
    parser.add_argument(
        "--stream-mb", type=int, default=None, help="the CLI stream's input, MB; default 1024"
    )
    parser.add_argument(
        "--calls", type=int, default=None, help="calls of evaluate on one record; default 2000"
    )
    parser.add_argument("--openfisca-python", default=sys.executable, help="interpreter path")
    parser.add_argument(
        "--dask-rows", type=int, help="rows for the Dask run, in 1M-row partitions (10M)"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results.md")
    parser.add_argument(
        "--only",
        default=None,
        help="comma-separated steps to run (import, cli, graph, many, openfisca, stream, dask, "
        "one, draft, ledger, serve); the table then holds only those",
    )
    args = parser.parse_args(argv)
    if args.applicants is None:
        args.applicants = QUICK_APPLICANTS if args.quick else 1_000_000
    if args.repeats is None:
        args.repeats = QUICK_REPEATS if args.quick else 20
    if args.batch_repeats is None:
        args.batch_repeats = 1 if args.quick else 3
    if args.stream_mb is None:
        args.stream_mb = QUICK_STREAM_MB if args.quick else STREAM_MB
    if args.calls is None:
        args.calls = 200 if args.quick else 2_000
    if args.dask_rows is None:
        args.dask_rows = 200_000 if args.quick else 10_000_000
    sizes = (args.applicants, args.repeats, args.batch_repeats, args.stream_mb, args.calls)
    if min(sizes) < 1:
        parser.error(
            "--applicants, --repeats, --batch-repeats, --stream-mb, --calls must be positive"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the table and write it; return 1 if a budget is missed."""
    args = parse(argv)
    start = time.perf_counter()
    # The children run first, while this process is still small; the table lists the
    # rows in reading order.
    steps: list[tuple[int, str, Callable[[], list[Row]]]] = [
        (
            3,
            "evaluate_many (child process)",
            lambda: evaluate_many_rows(args.applicants, args.batch_repeats),
        ),
        (
            4,
            "evaluate_frame vs OpenFisca-Core (child process)",
            lambda: openfisca_rows(args.openfisca_python, args.applicants),
        ),
        (
            5,
            "yantai-policy evaluate, JSONL to JSONL (child processes)",
            lambda: cli_stream_rows(args.applicants, args.batch_repeats, args.stream_mb),
        ),
        (
            6,
            "evaluate_frame on Dask (child process)",
            lambda: dask_rows(args.dask_rows, min(args.dask_rows, 1_000_000)),
        ),
        (7, "evaluate of one record", lambda: evaluate_one_rows(args.calls)),
        (0, "cold import + load_policy()", lambda: import_rows(args.repeats)),
        (1, "CLI end to end", lambda: cli_rows(args.repeats)),
        (2, "graph and audit", lambda: graph_rows(args.repeats)),
        (8, "drafting a plan from Yantai's notice", lambda: draft_rows(args.repeats)),
        (9, "the ledger on SQLite (child process)", lambda: ledger_rows(args.repeats)),
        (10, "yantai-policy serve under load (child process)", serve_rows),
    ]
    keys = dict(zip((3, 4, 5, 6, 7, 0, 1, 2, 8, 9, 10), STEP_KEYS, strict=True))
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - set(STEP_KEYS)
        if unknown:
            print(f"unknown --only steps: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        steps = [step for step in steps if keys[step[0]] in wanted]
    sections: dict[int, list[Row]] = {}
    for place, label, step in steps:
        print(f"running: {label} ...", file=sys.stderr, flush=True)
        sections[place] = step()
    rows = [row for place in sorted(sections) for row in sections[place]]
    report = header(args, time.perf_counter() - start) + table(rows) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return 1 if any(row.verdict == "NOT met" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
