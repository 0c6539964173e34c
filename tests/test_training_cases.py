"""The data-driven cases of measures 12 and 13 (tests/cases/*.yaml) hold through evaluate and evaluate_many.

Temporary: remove this file once the shared runner of ``tests/cases`` lands; it
checks only the two training subsidies' files, in the same format.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import yantai_policy as yp
from yantai_policy import benefits

CASES = Path(__file__).resolve().parent / "cases"
FILES = ("skills_upgrading_subsidy.yaml", "vocational_training_subsidy.yaml")
CASE_KEYS = {"name", "on", "policy", "input", "expected"}
EXPECTED_KEYS = {"eligible", "amount", "held", "unmet", "detail"}


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without yes/no/on/off as booleans: ``on:`` is the day's key, not True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((CASES / name).read_text(encoding="utf-8"), _Loader)  # noqa: S506 - a SafeLoader
    return data


def _cases() -> list[Any]:
    out: list[Any] = []
    for name in FILES:
        data = _load(name)
        out.extend(
            pytest.param(data["benefit"], case, id=f"{data['benefit']}: {case['name']}")
            for case in data["cases"]
        )
    return out


def _policy(case: dict[str, Any]) -> yp.Policy:
    base = yp.load_policy()
    return base.with_parameters(case["policy"]) if "policy" in case else base


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@pytest.mark.parametrize("name", FILES)
def test_files_have_the_shared_format(name: str) -> None:
    """Each file names its benefit and holds only the keys of the shared case format."""
    data = _load(name)
    assert set(data) == {"benefit", "cases"}
    assert f"{data['benefit']}.yaml" == name
    assert data["benefit"] in benefits.BENEFITS
    for case in data["cases"]:
        assert {"name", "on", "input", "expected"} <= set(case) <= CASE_KEYS, case["name"]
        assert type(case["on"]) is dt.date, case["name"]
        assert set(case["expected"]) <= EXPECTED_KEYS, case["name"]
        assert "eligible" in case["expected"], case["name"]


@pytest.mark.parametrize("name", FILES)
def test_files_cover_each_condition_the_date_and_a_reform(name: str) -> None:
    """Each condition fails alone in some case, as does in_force; some case supplies a standard."""
    data = _load(name)
    formula = benefits.BENEFITS[data["benefit"]]
    alone = {tuple(case["expected"].get("unmet", ())) for case in data["cases"]}
    for code in formula.codes:
        assert (code,) in alone, code
    standard = f"{formula.name}.standard"
    assert any(
        standard in case.get("policy", {}) and case["expected"].get("amount") is not None
        for case in data["cases"]
    )


@pytest.mark.parametrize(("benefit", "case"), _cases())
def test_case_through_evaluate(benefit: str, case: dict[str, Any]) -> None:
    """Through evaluate: the expected eligibility, amount, conditions and details."""
    expected = case["expected"]
    d = benefits.evaluate(benefit, case["input"], on=case["on"], policy=_policy(case))
    assert d.eligible is expected["eligible"]
    if "amount" in expected:
        assert d.amount == _amount(expected["amount"])
    reasons = {r.code: r for r in d.reasons}
    for code, held in expected.get("held", {}).items():
        assert reasons[code].held is held, code
    if "unmet" in expected:
        assert [r.code for r in d.reasons if not r.held] == expected["unmet"]
    for code, words in expected.get("detail", {}).items():
        assert words in reasons[code].detail, (code, reasons[code].detail)


@pytest.mark.parametrize(("benefit", "case"), _cases())
def test_case_through_evaluate_many(benefit: str, case: dict[str, Any]) -> None:
    """evaluate_many's outcome has the expected eligibility, amount and unmet codes."""
    expected = case["expected"]
    (row,) = benefits.evaluate_many(
        [case["input"]], on=case["on"], benefits=[benefit], policy=_policy(case)
    )
    assert row.error is None
    (outcome,) = row.outcomes
    assert outcome.eligible is expected["eligible"]
    if "amount" in expected:
        assert outcome.amount == _amount(expected["amount"])
    if "unmet" in expected:
        assert list(outcome.unmet) == expected["unmet"]
