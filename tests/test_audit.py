"""Coverage audits: the built-in plan's findings one by one, and synthetic plans per check."""

from __future__ import annotations

import copy
import json
import tomllib
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pytest

import yantai_policy as yp
from yantai_policy.audit import (
    AuditConfig,
    Finding,
    Severity,
    audit,
    checks,
    register_check,
    unregister_check,
)
from yantai_policy.cli import main
from yantai_policy.graph import responsibility_graph
from yantai_policy.loading import policy_from_dict

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


def _pairs(report: yp.audit.AuditReport, code: str) -> list[str]:
    return [f.subject for f in report.findings if f.code == code]


@pytest.fixture(scope="module")
def report(policy: yp.Policy) -> yp.audit.AuditReport:
    """The default audit of the built-in plan."""
    return audit(policy)


def test_builtin_findings_one_by_one(report: yp.audit.AuditReport) -> None:
    """Each check's findings on the built-in plan, as read from the notice by hand."""
    assert _pairs(report, "measure-without-unit") == []
    assert _pairs(report, "action-unit-count") == []
    assert _pairs(report, "all-assist") == []
    # several units and no 牵头: every multi-unit measure except 19 (HRSS leads item 1)
    assert _pairs(report, "no-lead") == [
        f"measure:{n}" for n in (1, 2, 3, 5, 6, 7, 10, 12, 13, 15, 16, 18)
    ]
    assert _pairs(report, "single-owner") == [f"measure:{n}" for n in (4, 8, 9, 11, 14, 17, 20)]
    assert _pairs(report, "concentration") == ["bureau:hrss"]  # 16 of 49 actions > 30%
    assert _pairs(report, "unit-not-in-plan") == ["action:19.1"]  # 市就业和农民工工作领导小组办公室
    assert _pairs(report, "named-differently") == ["action:13.2"]  # 市人社局
    assert _pairs(report, "spent-date") == ["measure:7"]  # 2020 年 12 月 31 日前
    assert _pairs(report, "money-without-formula") == [
        "measure:9"  # 5, 6, 7, 11, 12, 13, 17, 18 have formulas
    ]
    assert _pairs(report, "erratum") == ["action:13.1", "action:19.1"]
    assert report.counts() == {"error": 0, "warning": 15, "info": 11}
    assert report.checks == checks()


def test_findings_carry_bilingual_messages_and_evidence(
    report: yp.audit.AuditReport, policy: yp.Policy
) -> None:
    """Every finding has zh and en messages and evidence quoting the notice with its lines."""
    for f in report.findings:
        assert f.message.zh
        assert f.message.en
        assert f.evidence
    (spent,) = [f for f in report.findings if f.code == "spent-date"]
    assert "2020 年 12 月 31 日前" in spent.evidence
    assert str(policy.measure(7).source) in spent.evidence


def test_at_least_and_serialisations(report: yp.audit.AuditReport) -> None:
    """at_least filters by rank; JSON, text and Markdown carry every finding."""
    assert report.at_least(Severity.ERROR) == ()
    assert len(report.at_least(Severity.WARNING)) == 15
    assert len(report.at_least(Severity.INFO)) == len(report.findings)
    data = report.to_dict()
    assert len(data["findings"]) == len(report.findings)  # type: ignore[arg-type]
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert report.to_text("en").count("\n") == 3 * len(report.findings)
    assert report.to_markdown().count("\n| ") == len(report.findings) + 1  # and the header


def _plan(other_city_path: Path) -> dict[str, Any]:
    return tomllib.loads(other_city_path.read_text("utf-8"))


def test_all_assist_and_measure_without_unit(other_city_path: Path) -> None:
    """A measure whose only unit assists, and one with no actions, are errors."""
    data = _plan(other_city_path)
    data["measures"][0]["actions"] = data["measures"][0]["actions"][1:]  # only the 配合 row
    empty = copy.deepcopy(data["measures"][0])
    empty.update(number=2, actions=[])
    data["measures"].append(empty)
    found = audit(policy_from_dict(data))
    assert _pairs(found, "all-assist") == ["measure:1"]
    assert _pairs(found, "measure-without-unit") == ["measure:2"]
    assert len(found.at_least(Severity.ERROR)) == 2


def test_action_unit_count_on_a_broken_graph(other_city_path: Path) -> None:
    """An action node without its unit edge (a graph built by other code) is an error."""
    policy = policy_from_dict(_plan(other_city_path))
    graph = responsibility_graph(policy)
    graph.remove_edge("action:1.1", "bureau:labour")
    object.__setattr__(policy, "_graph", graph)
    assert _pairs(audit(policy, only=["action-unit-count"]), "action-unit-count") == ["action:1.1"]


def test_no_lead_clears_with_a_lead(other_city_path: Path) -> None:
    """Two units and no lead is a warning; marking one row 牵头 (lead) clears it."""
    data = _plan(other_city_path)
    assert _pairs(audit(policy_from_dict(data)), "no-lead") == ["measure:1"]
    data["measures"][0]["actions"][0]["role"] = "lead"
    assert _pairs(audit(policy_from_dict(data)), "no-lead") == []


def test_concentration_threshold_is_settable(policy: yp.Policy) -> None:
    """HRSS's 16/49 is reported over 30% but not over a threshold of 1/3 or more."""
    assert (
        _pairs(audit(policy, AuditConfig(concentration_threshold=Fraction(1, 3))), "concentration")
        == []
    )
    assert (
        _pairs(
            audit(policy, AuditConfig(concentration_threshold=Fraction(16, 49))), "concentration"
        )
        == []
    )
    assert _pairs(
        audit(policy, AuditConfig(concentration_threshold=Fraction(15, 49))), "concentration"
    ) == ["bureau:hrss"]


def test_spent_date_ignores_later_and_impossible_dates(other_city_path: Path) -> None:
    """Dates before the issue date are found; later dates and 2月30日 are not."""
    data = _plan(other_city_path)
    data["measures"][0]["provincial_text"]["zh"] = (
        "2019年1月1日前执行；2023 年 5 月 1 日起；2021年2月30日。"
    )
    found = audit(policy_from_dict(data), only=["spent-date"])
    assert [(f.subject, "2019-01-01" in f.message.zh) for f in found.findings] == [
        ("measure:1", True)
    ]


def test_money_formula_measures_are_configurable(policy: yp.Policy) -> None:
    """Measures with an implemented formula drop out of money-without-formula."""
    config = AuditConfig(formula_measures=frozenset({5, 6, 7}))
    assert _pairs(audit(policy, config), "money-without-formula") == [
        f"measure:{n}" for n in (9, 11, 12, 13, 17, 18)
    ]


def test_custom_checks_register_and_run(policy: yp.Policy) -> None:
    """A user's check runs with the others; codes are unique; unknown codes are refused."""

    @register_check("test-no-vertical")
    def no_vertical(p: yp.Policy, config: AuditConfig) -> Iterable[Finding]:  # noqa: ARG001
        for b in p.bureaus:
            if b.kind is yp.BureauKind.VERTICAL_AGENCY:
                yield Finding(
                    "test-no-vertical",
                    Severity.INFO,
                    f"bureau:{b.id}",
                    yp.Text("垂管", "vertical"),
                    b.name.zh,
                )

    try:
        assert "test-no-vertical" in checks()
        assert _pairs(audit(policy), "test-no-vertical") == [
            "bureau:tax",
            "bureau:banking_insurance_regulation",
            "bureau:pboc",
        ]
        with pytest.raises(ValueError, match="already registered"):
            register_check("test-no-vertical")(no_vertical)
    finally:
        unregister_check("test-no-vertical")
    assert "test-no-vertical" not in checks()
    with pytest.raises(ValueError, match="no such check"):
        audit(policy, only=["nope"])


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1), ("info", 1)])
def test_cli_audit_gates_on_severity(
    capsys: pytest.CaptureFixture[str], fail_on: str, code: int
) -> None:
    """`audit --fail-on` exits 1 exactly when a finding at or above that severity exists."""
    assert main(["audit", "--fail-on", fail_on, "--format", "json"]) == code
    assert len(json.loads(capsys.readouterr().out)["findings"]) == 26


def test_cli_audit_markdown_and_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    """--format markdown prints a table; --threshold 1/2 drops the concentration warning."""
    assert main(["audit", "--format", "markdown", "--threshold", "1/2"]) == 0
    out = capsys.readouterr().out
    assert "| severity | code |" in out
    assert "concentration" not in out
