"""Coverage audits: the built-in plan's findings one by one, and synthetic plans per check."""

from __future__ import annotations

import copy
import datetime as dt
import json
import tomllib
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pytest

import yantai_policy as yp
from v2_plans import shared_plan
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


# ─── Checks over shared tasks (plan format 2) ───────────────────────────────────────


def _shared(on: dt.date | None = None) -> yp.audit.AuditReport:
    return audit(policy_from_dict(shared_plan()), AuditConfig(on=on))


def test_no_lead_is_a_shared_task_without_a_lead() -> None:
    """A task shared with no lead is a no-lead finding; a measure with a lead task is not."""
    assert _pairs(_shared(), "no-lead") == ["action:1.2"]


def test_no_lead_clears_when_a_unit_of_the_task_leads() -> None:
    """Making one unit of the shared task lead clears its no-lead finding."""
    data = shared_plan()
    data["measures"][0]["tasks"][1]["assignments"][0]["role"] = "lead"
    assert _pairs(audit(policy_from_dict(data)), "no-lead") == []


def test_multiple_leads_flags_two_leads_in_one_task() -> None:
    """A task with two lead units is a multiple-leads finding naming both, in zh and en."""
    report = _shared()
    assert _pairs(report, "multiple-leads") == ["action:2.1"]
    (finding,) = [f for f in report.findings if f.code == "multiple-leads"]
    assert "示例市人社局、示例市旧局" in finding.message.zh
    assert "Example Old Bureau" in finding.message.en


def test_deadline_overdue_as_of_the_audit_date() -> None:
    """A dated deadline before the audit date is overdue; an open one (长期坚持) never is."""
    assert _pairs(_shared(dt.date(2022, 12, 31)), "deadline-overdue") == []
    assert _pairs(_shared(dt.date(2023, 1, 1)), "deadline-overdue") == ["action:1.1"]
    assert _pairs(_shared(dt.date(2031, 1, 1)), "deadline-overdue") == ["action:1.1", "action:2.2"]
    (finding,) = [f for f in _shared(dt.date(2023, 1, 1)).findings if f.code == "deadline-overdue"]
    assert "completion is not tracked here" in finding.message.en
    assert "2023-01-01" in finding.message.zh


def test_deadline_overdue_defaults_to_the_issue_date() -> None:
    """Without an audit date the checks use the notice's issue date (2022-03-01 here)."""
    assert _pairs(_shared(), "deadline-overdue") == []
    assert _pairs(_shared(), "unit-defunct") == []


def test_unit_defunct_names_the_successor() -> None:
    """An assignment to a merged unit is flagged after the merger, naming its successor."""
    assert _pairs(_shared(dt.date(2023, 7, 19)), "unit-defunct") == []
    report = _shared(dt.date(2023, 7, 20))
    assert _pairs(report, "unit-defunct") == ["action:2.1", "action:2.2"]
    finding = next(f for f in report.findings if f.code == "unit-defunct")
    assert "示例市新局" in finding.message.zh
    assert "Example New Bureau (new)" in finding.message.en
    assert "assumption: a test fact" in finding.evidence


def test_unit_defunct_on_the_builtin_plan(policy: yp.Policy) -> None:
    """On 2025-01-01 the actions of 烟台银保监分局 are flagged with the NFRA Yantai bureau."""
    cbirc = policy.bureau("banking_insurance_regulation")
    report = audit(policy, AuditConfig(on=dt.date(2025, 1, 1)), only=["unit-defunct"])
    assert _pairs(report, "unit-defunct") == [
        f"action:{a.id}" for a in yp.queries.actions_of(policy, cbirc)
    ]
    assert all("nfra_yantai" in f.message.en for f in report.findings)


def test_audit_on_flag_drives_the_dated_checks(capsys: pytest.CaptureFixture[str]) -> None:
    """`audit --on DATE` runs unit-defunct as of that day; without it nothing is defunct."""
    assert main(["audit", "--format", "json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert not [f for f in before["findings"] if f["code"] == "unit-defunct"]
    assert main(["audit", "--format", "json", "--on", "2025-01-01"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert [f for f in after["findings"] if f["code"] == "unit-defunct"]
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "--on", "2025-02-30"])
    assert exit_info.value.code == 2
    assert "argument --on: invalid date '2025-02-30'" in capsys.readouterr().err


def test_action_unit_count_accepts_shared_tasks() -> None:
    """A task with three units, each with its edge, is not an action-unit-count error."""
    assert _pairs(_shared(), "action-unit-count") == []
    assert _pairs(_shared(), "single-owner") == []


# ─── Drafts: missing translations and open review entries ───────────────────────────


def _blank(plan: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of the plan with the English of the text at a dotted key path emptied."""
    out = copy.deepcopy(plan)
    node: Any = out
    for key in path.split("."):
        node = node[int(key)] if key.isdigit() else node[key]
    node["en"] = ""
    return out


def _translations(plan: dict[str, Any]) -> list[Finding]:
    return list(audit(policy_from_dict(plan), only=["missing-translation"]).findings)


def test_new_checks_find_nothing_in_the_builtin_plan(report: yp.audit.AuditReport) -> None:
    """The built-in plan is translated and has no review list: the two draft checks are silent."""
    assert {"missing-translation", "draft-review-open"} <= set(report.checks)
    assert _pairs(report, "missing-translation") == _pairs(report, "draft-review-open") == []


@pytest.mark.parametrize(
    ("path", "subject", "en"),
    [
        ("measures.2.title", "measure:3", "measure 3 has no English translation of title"),
        (
            "measures.2.provincial_text",
            "measure:3",
            "measure 3 has no English translation of provincial_text",
        ),
        ("measures.2.tasks.0.text", "action:3.1", "task 3.1 has no English translation of text"),
        (
            "measures.13.tasks.0.items.1.text",
            "action:14.1",
            "item 2 of task 14.1 has no English translation of text",
        ),
        ("bureaus.0.name", "bureau:commerce", "unit commerce has no English translation of name"),
        (
            "notice.publication_note",
            "notice",
            "the notice has no English translation of publication_note",
        ),
        (
            "notice.parent.title",
            "notice",
            "the notice has no English translation of parents[0].title",
        ),
        (
            "notice.sections.1.heading",
            "notice",
            "section 2 of the notice has no English translation of heading",
        ),
    ],
)
def test_missing_translation_names_the_object_and_field(
    plan_data: dict[str, Any], path: str, subject: str, en: str
) -> None:
    """One empty English gives one warning: its object's node id, the field, the zh as evidence."""
    (finding,) = _translations(_blank(plan_data, path))
    assert (finding.severity, finding.subject, finding.message.en) == (
        Severity.WARNING,
        subject,
        en,
    )
    node: Any = plan_data
    for key in path.split("."):
        node = node[int(key)] if key.isdigit() else node[key]
    assert node["zh"][:20] in finding.evidence
    assert "缺少英文译文" in finding.message.zh


def test_missing_translation_one_finding_per_object(plan_data: dict[str, Any]) -> None:
    """Two empty texts of one measure make one finding naming both fields."""
    plan = _blank(_blank(plan_data, "measures.2.title"), "measures.2.provincial_text")
    (finding,) = _translations(plan)
    assert finding.message.en == "measure 3 has no English translation of title, provincial_text"


def _untranslated(plan: object) -> object:
    if isinstance(plan, dict):
        out = {k: _untranslated(v) for k, v in plan.items()}
        if "zh" in out and "en" in out:
            out["en"] = ""
        return out
    return [_untranslated(v) for v in plan] if isinstance(plan, list) else plan


def test_missing_translation_on_a_plan_with_no_english(plan_data: dict[str, Any]) -> None:
    """With all English empty, every unit, measure and task is reported, and nothing else changes."""
    plan: dict[str, Any] = _untranslated(plan_data)  # type: ignore[assignment]
    policy = policy_from_dict(plan)
    report = audit(policy)
    found = report.findings
    subjects = {f.subject for f in found if f.code == "missing-translation"}
    assert {f"bureau:{b.id}" for b in policy.units} <= subjects
    assert {f"measure:{m.number}" for m in policy.measures} <= subjects
    assert {f"action:{a.id}" for a in policy.actions} <= subjects
    notice = [f for f in found if f.code == "missing-translation" and f.subject == "notice"]
    assert len(notice) == 1 + len(policy.notice.sections)
    others = [(f.code, f.subject) for f in found if f.code != "missing-translation"]
    assert others == [(f.code, f.subject) for f in audit(yp.load_policy()).findings]
    assert all(f.message.en.strip() for f in found)  # no English message left blank


def test_cli_audit_fails_on_missing_translations(
    capsys: pytest.CaptureFixture[str], plan_data: dict[str, Any], tmp_path: Path
) -> None:
    """`audit --fail-on warning` exits 1 on an untranslated plan; --only runs just the check."""
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(_blank(plan_data, "measures.0.title"), ensure_ascii=False), "utf-8")
    args = ["audit", "--plan", str(path), "--format", "json"]
    assert main([*args, "--fail-on", "warning"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["subject"] for f in data["findings"] if f["code"] == "missing-translation"] == [
        "measure:1"
    ]


REVIEW = [
    {
        "kind": "unit-unknown",
        "message": "unit 市数据局 is not known",
        "lines": [40, 40],
        "where": "bureaus[1]",
    },
    {
        "kind": "unit-boundary",
        "message": "where does one name end?",
        "where": "measures[6].tasks[1]",
    },
    {"kind": "role-convention", "message": "no convention seen", "where": "measures[2]"},
    {"kind": "particular-missing", "message": "no publication note", "where": "notice"},
    {"kind": "no-tasks", "message": "no task found", "lines": [1, 9]},
]


def test_draft_review_open_reports_each_entry(plan_data: dict[str, Any]) -> None:
    """Each review entry is one warning about the node its key path names, in order."""
    report = audit(policy_from_dict({**plan_data, "review": REVIEW}), only=["draft-review-open"])
    assert [(f.severity, f.subject) for f in report.findings] == [
        (Severity.WARNING, "bureau:finance"),
        (Severity.WARNING, "action:7.2"),
        (Severity.WARNING, "measure:3"),
        (Severity.WARNING, "notice"),
        (Severity.WARNING, "plan"),
    ]
    first = report.findings[0]
    assert (
        "has not cleared this entry (unit-unknown): unit 市数据局 is not known" in first.message.en
    )
    assert "lines 40-40" in first.evidence
    assert "review[0] at bureaus[1]" in first.evidence


def test_cli_audit_gates_on_open_review(
    capsys: pytest.CaptureFixture[str], plan_data: dict[str, Any], tmp_path: Path
) -> None:
    """An open review entry fails `--fail-on warning`; with the list cleared the draft passes `--fail-on error`."""
    path = tmp_path / "draft.json"
    path.write_text(json.dumps({**plan_data, "review": REVIEW[:1]}, ensure_ascii=False), "utf-8")
    assert main(["audit", "--plan", str(path), "--fail-on", "warning"]) == 1
    assert "draft-review-open" in capsys.readouterr().out
    assert main(["audit", "--plan", str(path), "--fail-on", "error"]) == 0
