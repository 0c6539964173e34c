"""The scripts and the notebook in examples/ run, exit as documented and print what they say."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest

import yantai_policy as yp
from yantai_policy import benefits
from yantai_policy.audit import checks
from yantai_policy.benefits.records import applicant_from_csv_row, parse_applicant

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))
NOTEBOOK = EXAMPLES / "policy_analysis.ipynb"


def run(
    script: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run an example script with this interpreter, in ``cwd``, and capture its output."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=120,
        check=False,
    )


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``yantai-policy`` with this interpreter, for comparison with an example."""
    return subprocess.run(
        [sys.executable, "-m", "yantai_policy", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )


def test_the_examples_are_all_here() -> None:
    """Every example the docs promise is shipped, with its sample register."""
    assert SCRIPTS == [
        "audit_gate.py",
        "batch_evaluate.py",
        "gephi_export.py",
        "what_if_rate.py",
        "who_owns_what.py",
    ]
    assert (EXAMPLES / "applicants.csv").is_file()
    assert NOTEBOOK.is_file()


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_says_who_it_is_for_and_how_to_run_it(script: str) -> None:
    """Each script's module docstring names its audience and the command that runs it."""
    doc = ast.get_docstring(ast.parse((EXAMPLES / script).read_text(encoding="utf-8")))
    assert doc is not None
    assert "For:" in doc
    assert f"python examples/{script}" in doc


def test_who_owns_what(tmp_path: Path) -> None:
    """who_owns_what.py names measure 7's three co-owners, the finance bureau's assists and the ranking."""
    result = run("who_owns_what.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("Co-owners of measure 7, 提供贷款贴息 / Provide loan interest subsidies:")
    owners = [line.split()[0] for line in lines[start + 1 : start + 4]]
    assert owners == ["市财政局", "市人力资源社会保障局", "人民银行市中心支行"]
    assists = re.findall(r"^  action (\S+)", result.stdout, re.MULTILINE)
    assert assists == ["6.2", "12.2", "13.2", "15.2", "18.2"]
    ranking = re.findall(r"^  (\w+) +(\d+) +(\d+) +(\d+/49)  ", result.stdout, re.MULTILINE)
    assert len(ranking) == 20
    assert ranking[:2] == [("hrss", "16", "16", "16/49"), ("finance", "8", "8", "8/49")]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("level", "code", "verdict"),
    [("error", 0, "passed"), ("warning", 1, "FAILED"), ("info", 1, "FAILED")],
)
def test_audit_gate(tmp_path: Path, level: str, code: int, verdict: str) -> None:
    """audit_gate.py exits 0 at "error" and 1 at "warning", as `yantai-policy audit --fail-on` does."""
    result = run("audit_gate.py", level, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    ran = len(checks())  # every registered check (the dated ones find nothing by default)
    assert f"26 findings (0 error, 15 warning, 11 info) from {ran} checks" in result.stdout
    assert f"audit gate at {level!r}: {verdict}" in result.stdout
    assert f"yantai-policy audit --fail-on {level}" in result.stdout
    assert cli("audit", "--fail-on", level, cwd=tmp_path).returncode == code


def test_audit_gate_defaults_to_error(tmp_path: Path) -> None:
    """Without an argument the gate is at "error", which the built-in plan passes."""
    result = run("audit_gate.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "audit gate at 'error': passed" in result.stdout


def test_audit_gate_rejects_an_unknown_severity(tmp_path: Path) -> None:
    """A severity that does not exist is a usage error (exit 2), not a pass."""
    result = run("audit_gate.py", "fatal", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown severity 'fatal'" in result.stderr


def test_the_sample_register_covers_every_applicant_benefit() -> None:
    """applicants.csv has about 20 rows, someone eligible for each benefit, and 2 bad rows."""
    with (EXAMPLES / "applicants.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    assert 18 <= len(rows) <= 25
    assert len({row["id"] for row in rows}) == len(rows)

    def parse_row(row: dict[str, str]) -> benefits.Applicant:
        return parse_applicant(applicant_from_csv_row(row))

    summary = benefits.BatchSummary()
    for row in benefits.evaluate_many(rows, on=dt.date(2021, 7, 16), parse=parse_row):
        summary.add(row)
    assert summary.errors == 2
    assert all(summary.eligible[name] > 0 for name in benefits.APPLICANT_BENEFITS)


def test_batch_evaluate(tmp_path: Path) -> None:
    """batch_evaluate.py writes one result row per input row, in order, and reports 2 errors."""
    out = tmp_path / "out" / "results.csv"
    result = run("batch_evaluate.py", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with (EXAMPLES / "applicants.csv").open(encoding="utf-8", newline="") as source:
        ids = [row["id"] for row in csv.DictReader(source)]
    with out.open(encoding="utf-8-sig", newline="") as sink:  # the CSV output has a BOM
        results = list(csv.DictReader(sink))
    assert [r["id"] for r in results] == ids
    assert [r["row"] for r in results] == [str(n) for n in range(1, len(ids) + 1)]
    bad = [r["id"] for r in results if r["error"]]
    assert bad == ["E01", "E02"]
    assert f"rows: {len(ids)}\nerrors: 2\n" in result.stdout
    assert "startup_subsidy: 1 eligible, total 5000.00 yuan" in result.stdout
    assert "fee_exemptions: 9 eligible, total undetermined (9 undetermined)" in result.stdout
    assert result.stdout.count("error: row ") == 2


def test_batch_evaluate_matches_the_cli(tmp_path: Path) -> None:
    """The script's results file is byte for byte what `yantai-policy evaluate` writes."""
    assert run("batch_evaluate.py", "script.csv", cwd=tmp_path).returncode == 0
    applicants = str(EXAMPLES / "applicants.csv")
    done = cli("evaluate", applicants, "--on", "2021-07-16", "-o", "cli.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "script.csv").read_bytes() == (tmp_path / "cli.csv").read_bytes()


def test_batch_evaluate_without_a_path_writes_to_a_temp_folder(tmp_path: Path) -> None:
    """With no argument the results go to a new folder under the temp directory."""
    result = run("batch_evaluate.py", cwd=tmp_path, env={"TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.glob("yantai-batch-*/results.csv")
    assert f"results written to {written}" in result.stdout


def test_what_if_rate(tmp_path: Path) -> None:
    """what_if_rate.py: 60% costs less than the notice's 65%, 2/3 costs more; eligibility is unchanged."""
    result = run("what_if_rate.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "baseline: rate 65%" in result.stdout
    totals = re.findall(r"total \(yuan\): +([\d.]+) -> ([\d.]+)", result.stdout)
    differences = re.findall(r"cost difference: ([+-][\d.]+) yuan", result.stdout)
    eligible = re.findall(r"eligible: +(\d+) -> (\d+)", result.stdout)
    assert len(totals) == len(differences) == len(eligible) == 2
    (base_cut, cut), (base_cap, cap) = [(Decimal(a), Decimal(b)) for a, b in totals]
    assert base_cut == base_cap == Decimal("6298.96")
    assert cut < base_cut < cap
    assert [Decimal(d) for d in differences] == [cut - base_cut, cap - base_cap]
    assert all(a == b != "0" for a, b in eligible)
    assert result.stdout.count("rows with errors (counted under neither): 2") == 2


def test_gephi_export(tmp_path: Path, policy: yp.Policy) -> None:
    """gephi_export.py writes GEXF and GraphML that networkx reads back with every node."""
    gexf = tmp_path / "graphs" / "plan.gexf"
    result = run("gephi_export.py", str(gexf), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    nodes, edges = policy.graph.number_of_nodes(), policy.graph.number_of_edges()
    assert f"nodes: {nodes}\nedges: {edges}\n" in result.stdout
    G = nx.read_gexf(gexf)
    assert (G.number_of_nodes(), G.number_of_edges()) == (nodes, edges)
    assert G.nodes["measure:7"]["label"] == "7. 提供贷款贴息"
    graphml = nx.read_graphml(gexf.with_suffix(".graphml"))
    assert set(graphml.nodes) == set(G.nodes)
    assert f"  measure nodes: {len(policy.measures)}" in result.stdout


def test_the_stored_notebook_has_no_outputs() -> None:
    """The notebook is committed stripped: no outputs, no execution counts."""
    import nbformat  # noqa: PLC0415 - a test dependency only this test needs

    nb = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


def test_the_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    """policy_analysis.ipynb executes without an error, with its charts drawn."""
    import nbclient  # noqa: PLC0415 - test dependencies only this test needs
    import nbformat  # noqa: PLC0415

    shutil.copy(EXAMPLES / "applicants.csv", tmp_path)
    nb = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # workload, graph, matrix, what-if
    assert sorted(p.name for p in tmp_path.iterdir()) == ["applicants.csv"]
