"""The yantai-policy evaluate and schema commands: formats, row errors, summary, exit codes."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import TYPE_CHECKING, Any

import pytest

from conftest import run_cli as _run
from yantai_policy import cli
from yantai_policy.cli import main

if TYPE_CHECKING:
    from pathlib import Path

ON = "2021-07-16"
HEADER = "id,groups,left_school_on,business_type,first_license_on,operating,pays_employee_insurance,flexible_since,contributions,loan.kind,loan.amount\n"
APPLICANTS = (
    HEADER
    + "A1,,,individual_business,2021-01-15,true,true,,,,\n"
    + "B2,hard_to_employ,,,,,,2021-02-01,2021-02:1000;2021-03:1000,,\n"
    + "C3,,,individual_business,2021-01-15,maybe,true,,,,\n"
    + "D4,veteran,,individual_business,2021-01-15,yes,1,,,individual,250000\n"
)
"""Four applicants: a start-up, a hard-to-employ contributor, a bad boolean, a borrower."""
BENEFITS = ("--benefit", "startup_subsidy", "--benefit", "social_insurance_subsidy")
PLACEMENT = {
    "id": "P1",
    "rural_labourer": True,
    "village_collective_intermediary": True,
    "employer_in_city": True,
    "contract_months": 12,
    "employee_insurance_paid": True,
}


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_csv_to_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """CSV in, CSV out: one row per record, the columns in order, amounts in yuan, a BOM."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    out = tmp_path / "out.csv"
    code, stdout, _ = _run(capsys, "evaluate", source, "--on", ON, *BENEFITS, "-o", str(out))
    assert (code, stdout) == (0, "")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrow,id,")  # as export csv: Excel reads it as UTF-8
    rows = _csv_rows(raw.decode("utf-8-sig"))
    assert list(rows[0]) == [
        "row",
        "id",
        "error",
        "startup_subsidy.eligible",
        "startup_subsidy.amount",
        "startup_subsidy.unmet",
        "social_insurance_subsidy.eligible",
        "social_insurance_subsidy.amount",
        "social_insurance_subsidy.unmet",
    ]
    assert [r["row"] for r in rows] == ["1", "2", "3", "4"]
    assert [r["id"] for r in rows] == ["A1", "B2", "C3", "D4"]
    assert rows[0]["startup_subsidy.eligible"] == "true"
    assert rows[0]["startup_subsidy.amount"] == "5000.00"
    assert rows[0]["social_insurance_subsidy.eligible"] == "false"
    assert rows[1]["social_insurance_subsidy.amount"] == "1300.00"  # 65% of 2000
    assert rows[2]["error"] == "row 3: operating: expected true or false, got 'maybe'"
    assert rows[2]["startup_subsidy.eligible"] == rows[2]["startup_subsidy.amount"] == ""
    assert rows[3]["startup_subsidy.amount"] == "5000.00"  # yes and 1 read as true


def test_csv_to_jsonl(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """CSV in, JSONL out: amounts are strings, error is null or the message, results null on error."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    out = tmp_path / "out.jsonl"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    lines = _jsonl(out.read_text(encoding="utf-8"))
    assert len(lines) == 4
    first = lines[0]
    assert (first["row"], first["id"], first["error"]) == (1, "A1", None)
    assert first["results"]["startup_subsidy"] == {
        "eligible": True,
        "amount": "5000.00",
        "unmet": "",
    }
    assert first["results"]["fee_exemptions"] == {"eligible": True, "amount": None, "unmet": ""}
    assert list(first["results"]) == [
        "startup_subsidy",
        "guaranteed_loan",
        "social_insurance_subsidy",
        "accident_insurance_subsidy",
        "tax_relief",
        "fee_exemptions",
        "skills_upgrading_subsidy",
        "vocational_training_subsidy",
    ]
    assert lines[2]["error"].startswith("row 3: operating:")
    assert lines[2]["results"] is None
    assert lines[3]["results"]["guaranteed_loan"] == {
        "eligible": True,
        "amount": "200000.00",
        "unmet": "",
    }
    amounts = [v["amount"] for line in lines if line["results"] for v in line["results"].values()]
    assert all(a is None or isinstance(a, str) for a in amounts)


def test_jsonl_to_jsonl(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """JSONL in, JSONL out: records as JSON objects, an integer id echoed as a string."""
    records = [
        {"id": 7, "groups": ["hard_to_employ"], "flexible_since": "2021-02-01",
         "contributions": [{"month": "2021-02", "amount": 1000.5}]},
        {"id": "F1", "groups": ["farmer"]},
    ]  # fmt: skip
    source = _write(tmp_path / "in.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out.jsonl"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    lines = _jsonl(out.read_text(encoding="utf-8"))
    assert [(line["row"], line["id"], line["error"]) for line in lines] == [
        (1, "7", None),
        (2, "F1", None),
    ]
    assert lines[0]["results"]["social_insurance_subsidy"]["amount"] == "650.33"  # 65% of 1000.50
    assert lines[1]["results"]["fee_exemptions"] == {"eligible": True, "amount": None, "unmet": ""}


def test_stdin_to_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-` reads stdin (a BOM is skipped) and writes stdout; only the rows go to stdout."""
    _stdin(monkeypatch, b"\xef\xbb\xbf" + APPLICANTS.encode("utf-8"))
    code, out, err = _run(
        capsys,
        "evaluate",
        "-",
        "--input-format",
        "csv",
        "--on",
        ON,
        *BENEFITS,
        "-o",
        "-",
        "--output-format",
        "jsonl",
    )
    assert code == 0
    lines = _jsonl(out)
    assert [line["id"] for line in lines] == ["A1", "B2", "C3", "D4"]
    assert err.startswith("rows: 4\n")


def test_dash_needs_a_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`-` without --input-format or --output-format, or an unknown suffix, exits 2 with one line."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    code, _, err = _run(capsys, "evaluate", "-", "--on", ON, "-o", str(tmp_path / "o.csv"))
    assert (code, err) == (
        2,
        "yantai-policy: error: --input-format is needed when the input is -\n",
    )
    code, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", "-")
    assert (code, err.count("\n")) == (2, 1)
    assert "--output-format" in err
    code, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", str(tmp_path / "o.xls"))
    assert (code, err.count("\n")) == (2, 1)
    assert "cannot tell the format of" in err
    assert not (tmp_path / "o.csv").exists()


def test_row_errors_keep_line_numbers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Bad JSON, a blank line, a non-object and a bad field each give a row error at its line."""
    lines = [
        json.dumps({"id": "A", "groups": ["farmer"]}),
        "{not json",
        "",
        "[1, 2]",
        json.dumps({"id": "B", "groups": "farmer"}),
        json.dumps({"id": "C", "groups": ["graduate"]}),
    ]
    source = _write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    rows = _jsonl(out.read_text(encoding="utf-8"))
    assert len(rows) == len(lines)
    assert [(r["row"], r["id"], r["error"]) for r in rows] == [
        (1, "A", None),
        (
            2,
            None,
            "row 2: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        (3, None, "row 3: empty line"),
        (4, None, "row 4: expected an object, got a list"),
        (5, "B", "row 5: groups: expected a list, got a string"),
        (6, "C", None),
    ]
    assert "errors: 4\n" in err


def test_csv_unknown_column_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unknown CSV column is a row error that names it and suggests the close match."""
    source = _write(tmp_path / "in.csv", "id,group\nA1,graduate\nA2,\n")
    out = tmp_path / "out.csv"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 1  # every row failed
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert rows[0]["error"] == "row 1: group: unknown field 'group'; did you mean 'groups'?"
    # Empty or not: an unknown column is refused in every row, as evaluate_frame refuses it.
    assert rows[1]["error"] == "row 2: group: unknown field 'group'; did you mean 'groups'?"


def test_output_rows_match_input_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every input row yields exactly one output row, in order, errors included."""
    body = "".join(
        f"R{i},{'graduate' if i % 3 else 'nobody'},2021-0{1 + i % 9}-01\n" for i in range(250)
    )
    source = _write(tmp_path / "in.csv", "id,groups,left_school_on\n" + body)
    out = tmp_path / "out.csv"
    code, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [f"R{i}" for i in range(250)]
    assert [r["row"] for r in rows] == [str(i) for i in range(1, 251)]
    errors = sum(1 for r in rows if r["error"])
    assert errors == 84  # groups 'nobody' at i = 0, 3, ..., 249
    assert err.startswith(f"rows: 250\nerrors: {errors}\n")


def test_summary_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The summary goes to stderr: rows, errors, and eligible count and total per benefit."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    code, out, err = _run(capsys, "evaluate", source, "--on", ON, "-o", str(tmp_path / "out.jsonl"))
    assert (code, out) == (0, "")
    assert err == (
        "rows: 4\n"
        "errors: 1\n"
        "startup_subsidy: 2 eligible, total 10000.00 yuan\n"
        "guaranteed_loan: 1 eligible, total 200000.00 yuan\n"
        "social_insurance_subsidy: 1 eligible, total 1300.00 yuan\n"
        "accident_insurance_subsidy: 0 eligible, total 0.00 yuan\n"
        "tax_relief: 1 eligible, total 0.00 yuan\n"
        "fee_exemptions: 2 eligible, total undetermined (2 undetermined)\n"
        "skills_upgrading_subsidy: 0 eligible, total 0.00 yuan\n"
        "vocational_training_subsidy: 0 eligible, total 0.00 yuan\n"
    )


def test_fail_on_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--fail-on-error exits 1 when a row has an error (the output is still written), else 0."""
    bad = _write(tmp_path / "bad.csv", APPLICANTS)
    out = tmp_path / "out.csv"
    code, _, _ = _run(capsys, "evaluate", bad, "--on", ON, "-o", str(out), "--fail-on-error")
    assert code == 1
    assert len(_csv_rows(out.read_text(encoding="utf-8"))) == 4
    good = _write(tmp_path / "good.csv", "id,groups\nG1,farmer\n")
    code, _, _ = _run(capsys, "evaluate", good, "--on", ON, "-o", str(out), "--fail-on-error")
    assert code == 0


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2021-13-01", "there is no month 13"),
        ("2021-02-30", "February 2021 has 28 days"),
        ("16/07/2021", "expected YYYY-MM-DD"),
        ("tomorrow", "expected YYYY-MM-DD"),
    ],
)
def test_bad_on_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, date: str, reason: str
) -> None:
    """A bad --on is a usage error (exit 2): one line naming the option and the reason."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    out = tmp_path / "out.csv"
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", source, "--on", date, "-o", str(out)])
    stdout, err = capsys.readouterr()
    assert (stop.value.code, stdout) == (2, "")
    assert err == (
        f"yantai-policy: error: argument --on: invalid date {date!r}: {reason} "
        "(see yantai-policy evaluate --help)\n"
    )
    assert not out.exists()


def test_unknown_benefit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unknown --benefit exits 2 with a one-line message suggesting the close name."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    out = tmp_path / "out.csv"
    code, _, err = _run(
        capsys, "evaluate", source, "--on", ON, "--benefit", "startup", "-o", str(out)
    )
    assert code == 2
    assert err == "yantai-policy: error: no benefit 'startup'; did you mean: startup_subsidy?\n"
    assert not out.exists()


def test_placement_benefit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """labour_intermediary_subsidy reads placement records, from CSV and JSONL alike."""
    source = _write(
        tmp_path / "in.csv",
        "id,rural_labourer,village_collective_intermediary,employer_in_city,contract_months,employee_insurance_paid\n"
        "P1,true,true,true,12,true\n"
        "P2,true,true,true,6,true\n"
        "P3,true,true,true,twelve,true\n",
    )
    out = tmp_path / "out.csv"
    argv = ("--on", ON, "--benefit", "labour_intermediary_subsidy", "-o", str(out))
    code, _, err = _run(capsys, "evaluate", source, *argv)
    assert code == 0
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert [r["labour_intermediary_subsidy.eligible"] for r in rows] == ["true", "false", ""]
    assert rows[0]["labour_intermediary_subsidy.amount"] == ""  # no standard in the plan
    assert rows[1]["labour_intermediary_subsidy.amount"] == "0.00"
    assert rows[2]["error"].startswith("row 3: contract_months: expected a whole number")
    assert "labour_intermediary_subsidy: 1 eligible, total undetermined (1 undetermined)" in err
    jsonl = _write(tmp_path / "in.jsonl", json.dumps(PLACEMENT) + "\n")
    code, _, _ = _run(capsys, "evaluate", jsonl, *argv)
    assert code == 0
    assert (
        _csv_rows(out.read_text(encoding="utf-8"))[0]["labour_intermediary_subsidy.eligible"]
        == "true"
    )


def test_mixed_record_kinds_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Placement and applicant benefits in one batch exit 2 with one line."""
    source = _write(tmp_path / "in.csv", APPLICANTS)
    code, _, err = _run(
        capsys,
        "evaluate",
        source,
        "--on",
        ON,
        "--benefit",
        "startup_subsidy",
        "--benefit",
        "labour_intermediary_subsidy",
        "-o",
        str(tmp_path / "out.csv"),
    )
    assert (code, err.count("\n")) == (2, 1)
    assert "do not mix placement and applicant benefits" in err


def test_plan_option_reaches_the_formulas(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--plan evaluates under that plan: a plan with a placement standard yields its amount."""
    plan = tmp_path / "plan.json"
    assert _run(capsys, "export", "json", "-o", str(plan))[0] == 0
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["parameters"]["labour_intermediary_subsidy.standard"]["values"] = {"2021-01-11": "300.00"}
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    source = _write(tmp_path / "in.jsonl", json.dumps(PLACEMENT) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, _ = _run(
        capsys,
        "evaluate",
        source,
        "--on",
        ON,
        "--benefit",
        "labour_intermediary_subsidy",
        "-o",
        str(out),
        "--plan",
        str(plan),
    )
    assert code == 0
    result = _jsonl(out.read_text(encoding="utf-8"))[0]["results"]
    assert result == {
        "labour_intermediary_subsidy": {"eligible": True, "amount": "300.00", "unmet": ""}
    }


def test_unreadable_input_and_overwriting_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A missing input, or an output that is the input, exits 2 with one line."""
    code, _, err = _run(
        capsys, "evaluate", str(tmp_path / "nope.csv"), "--on", ON, "-o", str(tmp_path / "o.csv")
    )
    assert (code, err.count("\n")) == (2, 1)
    assert "cannot read" in err
    source = _write(tmp_path / "in.csv", APPLICANTS)
    code, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", source)
    assert (code, err.count("\n")) == (2, 1)
    assert "is the input" in err
    assert (tmp_path / "in.csv").read_text(encoding="utf-8") == APPLICANTS


def test_formula_injection_is_neutralised_in_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Ids starting =, +, - or @ get a leading ' in CSV output, and stay verbatim in JSONL."""
    ids = ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "ok"]
    source = _write(tmp_path / "in.csv", "id,groups\n" + "".join(f"{i},farmer\n" for i in ids))
    out = tmp_path / "out.csv"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == ["'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "ok"]
    jsonl = tmp_path / "out.jsonl"
    _run(capsys, "evaluate", source, "--on", ON, "-o", str(jsonl))
    assert [r["id"] for r in _jsonl(jsonl.read_text(encoding="utf-8"))] == ids


def test_no_progress_when_stderr_is_not_a_tty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a TTY, stderr holds the summary and nothing else, whatever the row count."""
    monkeypatch.setattr(cli, "_PROGRESS_EVERY", 1)
    source = _write(tmp_path / "in.csv", APPLICANTS)
    _, _, err = _run(capsys, "evaluate", source, "--on", ON, "-o", str(tmp_path / "o.csv"))
    assert "\r" not in err
    assert "rows/s" not in err
    assert err.startswith("rows: 4\nerrors: 1\n")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_when_stderr_is_a_tty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a TTY, a progress line with rows and rows/s is redrawn every N rows, then the summary."""
    monkeypatch.setattr(cli, "_PROGRESS_EVERY", 2)
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    source = _write(tmp_path / "in.csv", APPLICANTS)
    assert main(["evaluate", source, "--on", ON, "-o", str(tmp_path / "o.csv")]) == 0
    capsys.readouterr()
    text = tty.getvalue()
    progress, summary = text.split("\n", 1)
    assert progress.count("\r") == 3  # after rows 2 and 4, and once at the end
    assert "\r2 rows, " in progress
    assert progress.rstrip().endswith("rows/s")
    assert summary.startswith("rows: 4\n")


def _validator(schema: dict[str, Any]) -> Any:
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`schema applicant|placement` print JSON Schemas that accept the sample records and reject a bad one."""
    code, out, _ = _run(capsys, "schema", "applicant")
    assert code == 0
    assert "烟政办字〔2021〕3号" in out  # UTF-8, not ASCII-escaped
    applicant = _validator(json.loads(out))
    sample = {
        "id": "A1",
        "groups": ["graduate"],
        "left_school_on": "2020-07-01",
        "contributions": [{"month": "2021-03", "amount": "512.30"}],
        "loan": {"kind": "individual", "amount": 100000},
        "tax_due": {"vat": "1200.00"},
        "x_note": "kept",
    }
    assert [e.message for e in applicant.iter_errors(sample)] == []
    assert not applicant.is_valid({"id": "A1", "group": ["graduate"]})
    code, out, _ = _run(capsys, "schema", "placement")
    assert code == 0
    assert [e.message for e in _validator(json.loads(out)).iter_errors(PLACEMENT)] == []


def test_schema_plan_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`schema plan -o PATH` writes the plan-format schema, which accepts the exported plan."""
    path = tmp_path / "plan.schema.json"
    code, out, err = _run(capsys, "schema", "plan", "-o", str(path))
    assert (code, out) == (0, "")
    assert str(path) in err
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "')  # indent 2
    plan = tmp_path / "plan.json"
    _run(capsys, "export", "json", "-o", str(plan))
    exported = json.loads(plan.read_text(encoding="utf-8"))
    assert [e.message for e in _validator(json.loads(text)).iter_errors(exported)] == []
    code, _, err = _run(capsys, "schema", "plan", "-o", str(tmp_path / "no" / "dir" / "s.json"))
    assert (code, err.count("\n")) == (2, 1)
    assert "cannot write" in err


def test_unreadable_bytes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A line that is not UTF-8 is a row error, in JSONL and in CSV: no row is lost."""
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(b'{"id": "A", "groups": ["farmer"]}\n{"id": "\xff"}\n')
    out = tmp_path / "out.jsonl"
    code, _, _ = _run(capsys, "evaluate", str(jsonl), "--on", ON, "-o", str(out))
    assert code == 0
    rows = _jsonl(out.read_text(encoding="utf-8"))
    assert [r["error"] for r in rows] == [None, "row 2: not UTF-8 (invalid start byte at byte 9)"]
    latin = tmp_path / "in.csv"
    latin.write_bytes("id,groups\nA,farmer\nZé,farmer\nC,farmer\n".encode("latin-1"))
    code, _, _ = _run(capsys, "evaluate", str(latin), "--on", ON, "-o", str(tmp_path / "o.csv"))
    assert code == 0
    rows = _csv_rows((tmp_path / "o.csv").read_text(encoding="utf-8"))
    assert [(r["row"], r["id"], r["error"]) for r in rows] == [
        ("1", "A", ""),
        ("2", "Z\ufffd", "row 2: id: not UTF-8 text"),
        ("3", "C", ""),
    ]


def test_csv_row_with_extra_cells(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A CSV row with more cells than the header is a row error; blank lines are not rows."""
    source = _write(tmp_path / "in.csv", "id,groups\nA,farmer,oops\n\nB,farmer\n")
    out = tmp_path / "out.csv"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert [(r["row"], r["id"], r["error"]) for r in rows] == [
        ("1", "A", "row 1: the row has more cells than the header has columns"),
        ("2", "B", ""),
    ]


def test_jsonl_lines_python_cannot_hold_are_row_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A 5,000-digit number or a 100,000-deep array is a row error; the rows after it survive."""
    lines = [
        json.dumps({"id": "A", "groups": ["farmer"]}),
        '{"id": "B", "x_n": ' + "1" * 5000 + "}",
        "[" * 100_000,
        json.dumps({"id": "C", "groups": ["farmer"]}),
    ]
    source = _write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(out))
    assert code == 0
    rows = _jsonl(out.read_text(encoding="utf-8"))
    assert [r["row"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["error"] is None
    assert rows[3]["error"] is None
    assert rows[1]["error"].startswith("row 2: invalid JSON")
    assert rows[2]["error"].startswith("row 3: invalid JSON")
