"""The yantai-policy explain and benefits commands."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from typing import TYPE_CHECKING

import pytest

from conftest import run_cli as _run
from test_cli_evaluate import PLACEMENT
from yantai_policy.benefits import APPLICANT_BENEFITS, BENEFITS, evaluate

if TYPE_CHECKING:
    from pathlib import Path

ON = "2021-07-16"
RECORD = {
    "id": "A1",
    "business_type": "individual_business",
    "first_license_on": "2021-01-15",
    "operating": True,
    "pays_employee_insurance": False,
}


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_explain_one_benefit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Explain prints Decision.explain for the benefit asked, in the language asked."""
    source = _file(tmp_path, "a.json", json.dumps(RECORD))
    decision = evaluate("startup_subsidy", RECORD, on=dt.date(2021, 7, 16))
    for lang in ("en", "zh"):
        code, out, err = _run(
            capsys, "explain", source, "--on", ON, "--benefit", "startup_subsidy", "--lang", lang
        )
        assert (code, err) == (0, "")
        assert out == decision.explain(lang) + "\n"


def test_explain_every_applicant_benefit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without --benefit, every applicant benefit is explained, in order."""
    source = _file(tmp_path, "a.jsonl", json.dumps(RECORD) + "\n")
    code, out, _ = _run(capsys, "explain", source, "--on", ON, "--json")
    assert code == 0
    decisions = json.loads(out)
    assert [d["benefit"] for d in decisions] == list(APPLICANT_BENEFITS)
    expected = evaluate("startup_subsidy", RECORD, on=dt.date(2021, 7, 16)).to_dict()
    assert decisions[0] == expected


def test_explain_csv_and_title(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A one-row CSV works, and --benefit takes the Chinese title."""
    source = _file(
        tmp_path,
        "a.csv",
        "id,business_type,first_license_on,operating,pays_employee_insurance\n"
        "A1,individual_business,2021-01-15,true,false\n",
    )
    code, out, _ = _run(
        capsys, "explain", source, "--on", ON, "--benefit", "一次性创业补贴", "--lang", "en"
    )
    assert code == 0
    assert out.startswith(
        "One-off start-up subsidy (measure 6) on 2021-07-16 for record A1: not eligible"
    )
    assert "✗ the founder pays employee social insurance" in out


def test_explain_placement_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """- reads stdin; labour_intermediary_subsidy reads a placement record."""
    data = json.dumps(PLACEMENT).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, _ = _run(
        capsys,
        "explain",
        "-",
        "--input-format",
        "json",
        "--on",
        ON,
        "--benefit",
        "labour_intermediary_subsidy",
        "--json",
    )
    assert code == 0
    (decision,) = json.loads(out)
    assert (decision["benefit"], decision["record_id"], decision["eligible"]) == (
        "labour_intermediary_subsidy",
        "P1",
        True,
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "a.json",
            '{"id": "A1", "operating": "maybe"}',
            "operating: expected true or false, got 'maybe'",
        ),
        ("a.csv", "id,operating\nA1,maybe\n", "operating: expected true or false, got 'maybe'"),
        ("a.jsonl", '{"id": "A1"}\n{"id": "A2"}\n', "a.jsonl: expected one record, got 2"),
        ("a.csv", "id,operating\n", "a.csv: expected one record, got 0"),
        ("a.json", "[1]", "expected an object, got a list"),
        ("a.json", "{bad", "invalid JSON: Expecting property name"),
        ("a.txt", "{}", "cannot tell the format of"),
    ],
    ids=[
        "bad-field",
        "bad-csv-field",
        "two-records",
        "no-record",
        "not-object",
        "bad-json",
        "suffix",
    ],
)
def test_explain_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, message: str
) -> None:
    """Bad input exits 2 with one line naming the field or the problem."""
    source = _file(tmp_path, name, text)
    code, out, err = _run(capsys, "explain", source, "--on", ON)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("yantai-policy: error: ")
    assert message in err


def test_explain_mixed_kinds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An applicant and a placement benefit together exit 2 with one line."""
    source = _file(tmp_path, "a.json", json.dumps(RECORD))
    code, _, err = _run(
        capsys, "explain", source, "--on", ON, "--benefit", "startup_subsidy",
        "--benefit", "labour_intermediary_subsidy",
    )  # fmt: skip
    assert (code, err.count("\n")) == (2, 1)
    assert "do not mix" in err


def test_benefits_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Benefits --json lists every benefit with its name, titles, measure and record kind."""
    code, out, _ = _run(capsys, "benefits", "--json")
    assert code == 0
    assert json.loads(out) == [
        {
            "name": b.name,
            "title": {"zh": b.title.zh, "en": b.title.en},
            "measure": b.measure,
            "record": b.record,
        }
        for b in BENEFITS.values()
    ]


def test_benefits_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Benefits prints one line per benefit: name, measure, record kind, both titles."""
    code, out, _ = _run(capsys, "benefits")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(BENEFITS)
    for line, b in zip(lines, BENEFITS.values(), strict=True):
        assert line.split()[:4] == [b.name, "measure", str(b.measure), b.record]
        assert line.endswith(f"{b.title.zh} / {b.title.en}")
