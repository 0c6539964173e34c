"""The generated page of formulas (docs/formulas.md) is current and complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from yantai_policy import load_policy
from yantai_policy.benefits import BENEFITS
from yantai_policy.benefits.base import IN_FORCE
from yantai_policy.benefits.pension_contribution_schedule import CLAUSE as PENSION_CLAUSE
from yantai_policy.benefits.reference import COMMAND, formulas_markdown

PAGE = Path(__file__).resolve().parent.parent / "docs" / "formulas.md"


@pytest.fixture(scope="module")
def page() -> str:
    """The committed page."""
    return PAGE.read_text(encoding="utf-8")


def test_page_is_current(page: str) -> None:
    """The committed page equals the one generated from the code and the data."""
    assert page == formulas_markdown(load_policy()), (
        f"docs/formulas.md is stale: regenerate it with `{COMMAND}`"
    )


def test_every_benefit_and_parameter_appears(page: str) -> None:
    """Every benefit's name and every parameter it reads appear on the page."""
    for name, benefit in BENEFITS.items():
        assert f"`{name}`" in page, name
        for parameter in benefit.parameters:
            assert f"`{parameter}`" in page, parameter
    assert "`pension.contribution_rate`" in page


def test_every_parameter_of_the_plan_appears(page: str) -> None:
    """Every parameter of the plan appears on the page."""
    for name in load_policy().parameters:
        assert f"`{name}`" in page, name


def test_every_clause_excerpt_appears(page: str) -> None:
    """Every clause a formula cites appears verbatim, in corner brackets."""
    clauses = [IN_FORCE.clause, PENSION_CLAUSE]
    clauses += [spec.clause for benefit in BENEFITS.values() for spec in benefit.specs]
    for clause in clauses:
        assert f"「{clause.excerpt}」" in page, clause
