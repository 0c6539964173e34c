"""The `yantai-policy parameters` command: the values in force on a day, with units and sources."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING

import pytest

import yantai_policy as yp
from conftest import run_cli as _run
from yantai_policy.cli import main
from yantai_policy.loading import BUILTIN_PLAN, read_data_file
from yantai_policy.parameters import InForce, plan_value

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

QUOTA = "tax_relief.annual_quota"


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = _run(capsys, "parameters", "--format", "json", *argv)
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("on", ["2021-03-01", "2022-12-31", "2024-03-01"])
def test_json_lists_every_parameter_with_the_value_in_force(
    capsys: pytest.CaptureFixture[str], on: str
) -> None:
    """--format json gives one row per parameter, sorted, with the value, date and source of that day."""
    day = dt.date.fromisoformat(on)
    params = yp.load_policy().parameters
    data = _json(capsys, "--on", on)
    assert data["on"] == on
    assert [row["name"] for row in data["parameters"]] == list(params)
    for row in data["parameters"]:
        param = params[row["name"]]
        assert row["value"] == plan_value(param.unit, param.at(day))
        assert row["unit"] == param.unit.value
        effective = param.effective(day)
        assert row["effective"] == (None if effective is None else effective.isoformat())
        assert row["source"] == param.source_at(day).to_dict()
        assert row["citation"]["en"] == param.source_at(day).cite("en")


def test_the_quota_changes_with_its_source_in_2023(capsys: pytest.CaptureFixture[str]) -> None:
    """The tax quota on 2022-12-31 and on 2024-03-01 differ in value, effective date and source."""
    before = {r["name"]: r for r in _json(capsys, "--on", "2022-12-31")["parameters"]}[QUOTA]
    after = {r["name"]: r for r in _json(capsys, "--on", "2024-03-01")["parameters"]}[QUOTA]
    assert before["value"] != after["value"]
    assert after["effective"] == "2023-01-01"
    assert "2023年第15号" in after["citation"]["zh"]
    assert "2023年第15号" not in before["citation"]["zh"]


def test_json_flag_is_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`parameters --json` prints exactly what `--format json` prints."""
    assert _run(capsys, "parameters", "--on", "2024-03-01", "--json") == _run(
        capsys, "parameters", "--on", "2024-03-01", "--format", "json"
    )


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_csv_has_the_library_columns_and_rows(
    capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """--format csv writes a BOM, the columns of InForce.columns(lang), and each row's cells."""
    day = dt.date(2024, 3, 1)
    code, out, _ = _run(
        capsys, "parameters", "--on", day.isoformat(), "--format", "csv", "--lang", lang
    )
    assert code == 0
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert tuple(rows[0]) == InForce.columns(lang)
    expected = [
        [row.cells(lang)[c] for c in InForce.columns(lang)]
        for row in yp.load_policy().parameters.in_force(day)
    ]
    assert rows[1:] == expected


def test_text_names_each_parameter_value_unit_and_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The text output has a line per parameter with its rendered value, unit and date, then its source."""
    day = dt.date(2024, 3, 1)
    code, out, _ = _run(capsys, "parameters", "--on", day.isoformat(), "--lang", "en")
    assert code == 0
    assert out.splitlines()[0] == f"Parameters in force on {day}"
    for row in yp.load_policy().parameters.in_force(day):
        cells = row.cells("en")
        since = cells["effective"] or "none"
        line = f"{cells['name']} = {cells['value']}  ({cells['unit']}; since {since})"
        assert line in out.splitlines()
        assert f"  {cells['source']}" in out.splitlines()
    quota = yp.load_policy().parameters[QUOTA]
    assert quota.description.zh not in out  # English only


def test_text_in_both_languages_shows_both_descriptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --lang both, each parameter shows its Chinese and English description and citation."""
    code, out, _ = _run(capsys, "parameters", "--on", "2024-03-01")
    assert code == 0
    quota = yp.load_policy().parameters[QUOTA]
    assert f"  {quota.description.zh}" in out.splitlines()
    assert f"  {quota.description.en}" in out.splitlines()
    assert f"  {quota.source_at(dt.date(2024, 3, 1)).cite('zh')}" in out.splitlines()


def test_output_file_and_status(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """-o writes the same bytes as stdout would hold, and nothing goes to stdout."""
    target = tmp_path / "params.json"
    code, out, _ = _run(capsys, "parameters", "--on", "2024-03-01", "--json", "-o", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8")) == _json(capsys, "--on", "2024-03-01")


def test_another_plan_is_read_with_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--plan lists that plan's parameters: a value changed in the file shows with its date."""
    plan: dict[str, Any] = json.loads(read_data_file(BUILTIN_PLAN))
    data = copy.deepcopy(plan)
    data["parameters"]["startup_subsidy.amount"]["values"]["2024-01-01"] = "6000.00"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rows = {
        r["name"]: r for r in _json(capsys, "--on", "2024-03-01", "--plan", str(path))["parameters"]
    }
    assert rows["startup_subsidy.amount"]["value"] == "6000.00"
    assert rows["startup_subsidy.amount"]["effective"] == "2024-01-01"


def test_a_day_before_the_notice_has_no_values(capsys: pytest.CaptureFixture[str]) -> None:
    """Before the notice's issue date no parameter has a value or an effective date."""
    rows = _json(capsys, "--on", "2020-12-31")["parameters"]
    assert rows
    assert {(r["value"], r["effective"]) for r in rows} == {(None, None)}


def test_a_bad_date_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An impossible --on date is a usage error: exit 2, one line on stderr, nothing on stdout."""
    with pytest.raises(SystemExit) as stop:
        main(["parameters", "--on", "2024-02-30"])
    out, err = capsys.readouterr()
    assert (stop.value.code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("yantai-policy: error: ")
    assert "2024-02-30" in err


def test_without_on_it_uses_today_in_china(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --on the rows are those of today in China (UTC+8)."""
    china = dt.timezone(dt.timedelta(hours=8))
    today = dt.datetime.now(tz=china).date()
    data = _json(capsys)
    if data["on"] != today.isoformat():  # midnight passed in between: ask again
        today = dt.datetime.now(tz=china).date()
        data = _json(capsys)
    assert data["on"] == today.isoformat()
