"""The yantai-policy command: measures, show, bureaus, bureau; text and JSON; exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from conftest import run_cli as _run
from yantai_policy import load_policy
from yantai_policy.loading import BUILTIN_PLAN, read_data_file

if TYPE_CHECKING:
    from pathlib import Path


def test_show_seven_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """`show 7` prints measure 7 in zh and en with its three units and their actions."""
    code, out, _ = _run(capsys, "show", "7")
    assert code == 0
    assert "提供贷款贴息" in out
    assert "Provide loan interest subsidies" in out
    for unit in ("市财政局", "市人力资源社会保障局", "人民银行市中心支行"):
        assert unit in out
    assert out.index("[7.1]") < out.index("[7.2]") < out.index("[7.3]")
    assert "免除反担保要求" in out


def test_show_json_shapes(capsys: pytest.CaptureFixture[str]) -> None:
    """`show --json` gives units as {id, name{zh,en}} and actions as {id, measure, bureau, role, text}."""
    code, out, _ = _run(capsys, "show", "13", "--json")
    assert code == 0
    data = json.loads(out)
    assert "新业形态" in out  # UTF-8, not ASCII-escaped, and verbatim
    assert [b["id"] for b in data["bureaus"]] == ["hrss", "finance"]
    assert data["bureaus"][0]["name"] == {
        "zh": "市人力资源社会保障局",
        "en": "Yantai Municipal Human Resources and Social Security Bureau",
    }
    action = data["actions"][1]
    assert {k: action[k] for k in ("id", "measure", "bureau", "role")} == {
        "id": "13.2",
        "measure": 13,
        "bureau": "finance",
        "role": "assist",
    }
    assert set(action["text"]) == {"zh", "en"}
    assert data["actions"][0]["text"]["errata"][0]["corrected"] == "新就业形态"


def test_lang_filters_text(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang zh prints no English, --lang en no Chinese title, and JSON follows suit."""
    _, zh, _ = _run(capsys, "show", "6", "--lang", "zh")
    assert "发放创业补贴" in zh
    assert "Grant start-up subsidies" not in zh
    _, en, _ = _run(capsys, "show", "6", "--lang", "en")
    assert "Grant start-up subsidies" in en
    assert "发放创业补贴" not in en
    _, js, _ = _run(capsys, "show", "6", "--lang", "en", "--json")
    assert set(json.loads(js)["title"]) == {"en"}


def test_measures_lists_all_twenty(capsys: pytest.CaptureFixture[str]) -> None:
    """`measures` lists numbers 1-20 with titles and units; --json has the same."""
    code, out, _ = _run(capsys, "measures", "--json")
    data = json.loads(out)
    assert code == 0
    assert [m["number"] for m in data] == list(range(1, 21))
    assert [b["id"] for b in data[6]["bureaus"]] == ["finance", "hrss", "pboc"]
    _, text, _ = _run(capsys, "measures")
    assert text.count("\n") == 40
    title = load_policy().measure(20).title
    assert f"\n20  {title.zh} / {title.en}\n    市人力资源社会保障局\n" in text


def test_bureaus_and_bureau(capsys: pytest.CaptureFixture[str]) -> None:
    """`bureaus` lists 20 units; `bureau 财政局` shows the finance bureau's eight actions."""
    code, out, _ = _run(capsys, "bureaus", "--json")
    assert code == 0
    assert len(json.loads(out)) == 20
    code, out, _ = _run(capsys, "bureau", "财政局", "--json")
    data = json.loads(out)
    assert data["id"] == "finance"
    assert [a["measure"] for a in data["actions"]] == [1, 5, 6, 7, 12, 13, 15, 18]
    code, out, _ = _run(capsys, "bureau", "hrss", "--lang", "zh")
    assert code == 0
    assert out.startswith("hrss  市人力资源社会保障局")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "21"], "no measure 21"),
        (["bureau", "财务局"], "no unit named '财务局'; did you mean"),
    ],
)
def test_unknown_exits_two_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """An unknown number or name exits 2 with a one-line error and no output."""
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_bad_plan_exits_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--plan with a bad file exits 2 and names the file."""
    path = tmp_path / "bad.toml"
    path.write_text("format = ", encoding="utf-8")
    code, _, err = _run(capsys, "measures", "--plan", str(path))
    assert code == 2
    assert str(path) in err


def test_console_script_runs_in_a_subprocess() -> None:
    """`python -m yantai_policy show 7` works end to end and prints UTF-8."""
    result = subprocess.run(
        [sys.executable, "-m", "yantai_policy", "show", "7", "--lang", "zh"],
        capture_output=True,
        check=False,
        env={"PYTHONIOENCODING": "ascii", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "人民银行市中心支行" in result.stdout.decode("utf-8")


def test_co_owners_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`co-owners 7` lists the three units; --json gives unit objects."""
    code, out, _ = _run(capsys, "co-owners", "7", "--lang", "zh")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["finance", "hrss", "pboc"]
    _, js, _ = _run(capsys, "co-owners", "7", "--json")
    assert [b["id"] for b in json.loads(js)["bureaus"]] == ["finance", "hrss", "pboc"]


def test_actions_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`actions --bureau 财政局 --role assist` gives the five assist actions as action objects."""
    code, out, _ = _run(capsys, "actions", "--bureau", "财政局", "--role", "assist", "--json")
    assert code == 0
    data = json.loads(out)
    assert [a["measure"] for a in data] == [6, 12, 13, 15, 18]
    assert {a["role"] for a in data} == {"assist"}
    code, _, err = _run(capsys, "actions", "--bureau", "nobody")
    assert code == 2
    assert "no unit named 'nobody'" in err


def test_workload_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`workload --json` ranks units by actions, HRSS first with 16."""
    code, out, _ = _run(capsys, "workload", "--json")
    rows = json.loads(out)
    assert code == 0
    assert (rows[0]["bureau"]["id"], rows[0]["actions"]) == ("hrss", 16)
    assert sum(r["actions"] for r in rows) == 49


@pytest.mark.parametrize(
    "fmt",
    ["json", "graphml", "gexf", "csv", "matrix-md", "mermaid", "dot", "node-link", "matrix-csv"],
)
def test_export_command_writes_each_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    """`export FORMAT -o PATH` writes the library's export; the status line goes to stderr."""
    from yantai_policy import export  # noqa: PLC0415

    path = tmp_path / f"out.{fmt}"
    code, out, err = _run(capsys, "export", fmt, "-o", str(path))
    assert (code, out) == (0, "")
    assert str(path) in err
    expected = tmp_path / "expected"
    export.write(load_policy(), fmt, expected)
    assert path.read_bytes() == expected.read_bytes()
    assert path.stat().st_size > 0


def test_export_command_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unknown format or an unwritable path exits 2 with one line."""
    code, _, err = _run(capsys, "export", "xls", "-o", str(tmp_path / "x"))
    assert (code, err.count("\n")) == (2, 1)
    assert "unknown format 'xls'" in err
    code, _, err = _run(capsys, "export", "json", "-o", str(tmp_path / "no" / "dir" / "x.json"))
    assert code == 2
    assert "cannot write" in err


def test_exported_json_plan_loads_through_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A plan exported as JSON is usable as --plan and answers the same questions."""
    path = tmp_path / "plan.json"
    assert _run(capsys, "export", "json", "-o", str(path))[0] == 0
    code, out, _ = _run(capsys, "co-owners", "7", "--plan", str(path), "--json")
    assert code == 0
    assert [b["id"] for b in json.loads(out)["bureaus"]] == ["finance", "hrss", "pboc"]


def _cli(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "yantai_policy", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )


def test_plan_dash_reads_a_json_plan_from_stdin() -> None:
    """`--plan -` reads the plan from stdin, as `-` means stdin for every input."""
    plan = read_data_file(BUILTIN_PLAN)
    done = _cli(["co-owners", "7", "--plan", "-", "--json"], plan)
    assert done.returncode == 0, done.stderr
    assert done.stdout == _cli(["co-owners", "7", "--json"], b"").stdout


def test_plan_dash_refuses_a_key_given_twice_on_stdin() -> None:
    """A plan on stdin is read as a file is: a key given twice is one line, exit 2."""
    done = _cli(["measures", "--plan", "-"], b'{"format": 1, "format": 2}')
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "yantai-policy: error: <stdin>: format: the key appears twice"
    ]


def test_plan_dash_and_input_dash_are_refused_together(tmp_path: Path) -> None:
    """`--plan -` with an input of `-` is refused: stdin can be read only once."""
    done = _cli(
        ["evaluate", "-", "--on", "2021-07-16", "--plan", "-", "-o", str(tmp_path / "o.csv")], b""
    )
    assert done.returncode == 2
    assert b"both read stdin" in done.stderr
    assert not (tmp_path / "o.csv").exists()
