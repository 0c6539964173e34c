"""The benefit formulas beyond their case tables: periods, decisions, batches, comparisons.

The table-driven cases (name / on / input / expected) are data, in
``tests/cases/<benefit>.yaml``, and ``tests/test_cases.py`` runs each of them through
every path (evaluate, evaluate_many, evaluate_frame and the command); the properties
are in ``tests/test_benefit_properties.py``. This module keeps what a case cannot
state: errors, the pension calculator, serialisation, provenance and batches.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pytest

import yantai_policy as yp
from yantai_policy.benefits import (
    APPLICANT_BENEFITS,
    BENEFITS,
    BatchSummary,
    Clause,
    Decision,
    Outcome,
    RecordError,
    Row,
    compare,
    evaluate,
    evaluate_all,
    evaluate_many,
    pension_contribution_schedule,
)
from yantai_policy.benefits.periods import holds_after, period_end
from yantai_policy.benefits.records import GROUPS, TAXES
from yantai_policy.errors import PolicyError, UnknownNameError
from yantai_policy.parameters import ParameterError, SourceKind

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

ISSUED = dt.date(2021, 1, 11)
D = dt.date


@functools.cache
def _reform(overrides: str, *, allow_above_cap: bool = False) -> yp.Policy:
    """Return the built-in plan with the JSON-encoded overrides applied (cached)."""
    return yp.load_policy().with_parameters(json.loads(overrides), allow_above_cap=allow_above_cap)


def _policy(reform: Mapping[str, object] | None) -> yp.Policy:
    if reform is None:
        return yp.load_policy()
    return _reform(json.dumps(reform, sort_keys=True))


def _with(base: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """Return a copy of a record with some fields changed; a change to None removes the field."""
    out = {**base, **changes}
    return {key: value for key, value in out.items() if value is not None}


def _months(first: str, count: int, amount: str) -> list[dict[str, str]]:
    """Return ``count`` monthly contributions of ``amount`` from the month ``first``."""
    year, month = (int(part) for part in first.split("-"))
    out = []
    for offset in range(count):
        y, m = divmod(year * 12 + month - 1 + offset, 12)
        out.append({"month": f"{y:04d}-{m + 1:02d}", "amount": amount})
    return out


# --- Measure 6: the start-up subsidy ---------------------------------------------------

STARTUP_BASE: dict[str, Any] = {
    "id": "S1",
    "business_type": "individual_business",
    "first_license_on": "2021-01-15",
    "operating": True,
    "pays_employee_insurance": True,
}


@pytest.mark.parametrize(
    ("start", "months", "end", "holds"),
    [
        pytest.param(D(2021, 1, 15), 6, D(2021, 7, 15), D(2021, 7, 16), id="corresponding-day"),
        pytest.param(D(2021, 8, 31), 6, D(2022, 2, 28), D(2022, 3, 1), id="no-feb-31"),
        pytest.param(D(2023, 8, 31), 6, D(2024, 2, 29), D(2024, 3, 1), id="leap-feb-29"),
        pytest.param(D(2020, 2, 29), 6, D(2020, 8, 29), D(2020, 8, 30), id="from-leap-day"),
    ],
)
def test_period_end_follows_civil_code(
    start: dt.date, months: int, end: dt.date, holds: dt.date
) -> None:
    """A period of months ends on the corresponding day or the month's last (arts. 201-202)."""
    assert period_end(start, months=months) == end
    assert holds_after(start, months=months) == holds


# --- Measure 7: the guaranteed loan ----------------------------------------------------

LOAN_BASE: dict[str, Any] = {
    "id": "L1",
    "groups": ["graduate"],
    "business_type": "individual_business",
    "loan": {"kind": "individual", "amount": "150000"},
}
LOAN_ON = D(2021, 6, 1)


def _loan(kind: str, amount: str) -> dict[str, Any]:
    return _with(LOAN_BASE, loan={"kind": kind, "amount": amount})


@pytest.mark.parametrize(
    "on",
    [ISSUED, D(2021, 1, 12), D(2021, 12, 31), D(2024, 2, 29), D(2030, 1, 1)],
    ids=str,
)
def test_expanded_scope_never_holds_while_the_notice_is_in_force(on: dt.date) -> None:
    """The expanded loan scope (until 2020-12-31) is False on every day the notice is in force."""
    record = _with(LOAN_BASE, groups=None, platform="food_delivery")
    decision = evaluate("guaranteed_loan", record, on=on)
    held = {r.code: r for r in decision.reasons}
    assert held["in_force"].held is True
    assert held["expanded_scope"].held is False
    assert "2020-12-31" in held["expanded_scope"].detail
    assert decision.eligible is False


def test_guaranteed_loan_notes_in_chinese() -> None:
    """The loan notes state the counter-guarantee waiver and the interest subsidy 按规定."""
    decision = evaluate("guaranteed_loan", LOAN_BASE, on=LOAN_ON)
    notes = " ".join(note.zh for note in decision.notes)
    assert "免除反担保要求" in notes
    assert "按规定" in notes


# --- Measure 17: the social-insurance subsidy ------------------------------------------

HARD_BASE: dict[str, Any] = {
    "id": "H1",
    "groups": ["hard_to_employ"],
    "flexible_since": "2021-02-01",
    "contributions": [{"month": "2021-02", "amount": "1000"}],
}
GRAD_BASE: dict[str, Any] = {
    "id": "G1",
    "groups": ["graduate"],
    "left_school_on": "2020-02-29",
    "flexible_since": "2022-02-28",
    "contributions": [
        {"month": "2022-02", "amount": "500"},
        {"month": "2022-03", "amount": "500"},
    ],
}
FORTY_MONTHS = _months("2021-02", 40, "100")


def _paid(amount: str) -> dict[str, Any]:
    return _with(HARD_BASE, contributions=[{"month": "2021-02", "amount": amount}])


@pytest.mark.parametrize(
    ("contributions", "field"),
    [
        pytest.param(
            [{"month": "2021-02", "amount": "1"}, {"month": "2021-02", "amount": "2"}],
            "contributions[1].month",
            id="duplicate-month",
        ),
        pytest.param(
            [
                {"month": "2021-02", "amount": "1"},
                {"month": "2021-03", "amount": "2"},
                {"month": "2021-02", "amount": "3"},
            ],
            "contributions[2].month",
            id="duplicate-month-later",
        ),
        pytest.param(
            [{"month": "2021-02", "amount": "1"}, {"month": "2021-03", "amount": "-2"}],
            "contributions[1].amount",
            id="negative-amount",
        ),
        pytest.param(
            [{"month": "2021-02", "amount": -2}], "contributions[0].amount", id="negative-int"
        ),
    ],
)
def test_social_insurance_bad_contributions(contributions: list[Any], field: str) -> None:
    """A duplicate month or a negative amount raises RecordError naming the field."""
    record = _with(HARD_BASE, contributions=contributions)
    with pytest.raises(RecordError) as caught:
        evaluate("social_insurance_subsidy", record, on=D(2021, 6, 1))
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


def test_social_insurance_rate_above_cap_is_refused() -> None:
    """A reform raising the rate above 2/3 raises ParameterError naming the cap."""
    with pytest.raises(ParameterError, match="rate_cap"):
        yp.load_policy().with_parameters({"social_insurance_subsidy.rate": "70%"})


def test_social_insurance_rate_above_cap_allowed() -> None:
    """With allow_above_cap=True a 70% rate applies, without the 2/3 clamp."""
    reform = yp.load_policy().with_parameters(
        {"social_insurance_subsidy.rate": "70%"}, allow_above_cap=True
    )
    decision = evaluate("social_insurance_subsidy", HARD_BASE, on=D(2021, 3, 1), policy=reform)
    assert decision.amount == Decimal("700.00")
    tiny = evaluate("social_insurance_subsidy", _paid("0.10"), on=D(2021, 3, 1), policy=reform)
    assert tiny.amount == Decimal("0.07")


def test_social_insurance_rate_two_thirds_never_exceeds_floor() -> None:
    """With the rate exactly 2/3 the amount is never above floor(2/3 of what was paid)."""
    reform = _policy({"social_insurance_subsidy.rate": "2/3"})
    for fen in [*range(1, 200), 99_999, 100_000, 100_001, 123_457, 9_999_999]:
        amount = f"{fen // 100}.{fen % 100:02d}"
        decision = evaluate(
            "social_insurance_subsidy", _paid(amount), on=D(2021, 3, 1), policy=reform
        )
        assert decision.amount is not None
        assert decision.amount * 100 == fen * 2 // 3, amount


# --- Measure 18: the accident-insurance subsidy ----------------------------------------

ACCIDENT_BASE: dict[str, Any] = {
    "id": "P1",
    "platform": "food_delivery",
    "employment_registered": True,
    "accident_premiums": [{"paid_on": "2021-03-01", "amount": "60"}],
}


def _premiums(*pairs: tuple[str, str]) -> dict[str, Any]:
    return _with(ACCIDENT_BASE, accident_premiums=[{"paid_on": d, "amount": a} for d, a in pairs])


# --- Measure 5: the tax relief ---------------------------------------------------------

TAX_BASE: dict[str, Any] = {
    "id": "T1",
    "groups": ["graduate"],
    "business_type": "individual_business",
    "first_license_on": "2021-03-15",
}
TAX_ON = D(2021, 6, 1)
ALL_TAXES = {
    "vat": "10000",
    "urban_maintenance": "3000",
    "education_surcharge": "2000",
    "local_education_surcharge": "1000",
    "individual_income": "5000",
}

BIG_TAXES = {**ALL_TAXES, "vat": "30000"}
"""More tax due than any year's quota, so the relief is the whole quota."""
TAX_2022 = _with(TAX_BASE, first_license_on="2022-01-15", tax_due=BIG_TAXES)
"""Registered in January 2022: within its 36 months from then until the end of 2024."""


@pytest.mark.parametrize("on", [D(2022, 6, 1), D(2022, 12, 31), D(2023, 1, 1), D(2024, 3, 1)])
def test_tax_relief_uses_the_quota_in_force_on_the_day(on: dt.date) -> None:
    """A decision deducts the quota in force on its day, and cites that value's own source."""
    policy = yp.load_policy()
    quota = policy.parameters["tax_relief.annual_quota"]
    decision = evaluate("tax_relief", TAX_2022, on=on)
    assert decision.eligible
    assert decision.amount == quota.at(on)
    use = {u.name: u for u in decision.parameters}["tax_relief.annual_quota"]
    assert use.value == quota.render(quota.at(on))
    assert use.effective == quota.effective(on)
    assert use.source == quota.source_at(on)


def test_a_decision_in_2024_uses_the_2023_values_not_the_2021_ones() -> None:
    """On 2024-03-01 the tax relief is the 2023 quota (cited to the 2023 announcements), above 2022's."""
    before = evaluate("tax_relief", TAX_2022, on=D(2022, 12, 31))
    after = evaluate("tax_relief", TAX_2022, on=D(2024, 3, 1))
    assert before.amount is not None
    assert after.amount is not None
    assert after.amount > before.amount
    cited = {u.name: u for u in after.parameters}["tax_relief.annual_quota"].source
    assert cited.note is not None
    assert "2023年第15号" in cited.note.zh
    assert "2023年第14号" in cited.note.zh
    period = {u.name: u for u in after.parameters}["tax_relief.period_months"]
    assert period.effective == D(2023, 1, 1)
    assert period.source.document is not None
    assert "2023年第15号" in period.source.document


# --- Measure 5: the fee exemptions -----------------------------------------------------


# --- Measure 11: the labour-intermediary subsidy ---------------------------------------

PLACEMENT_BASE: dict[str, Any] = {
    "id": "P1",
    "rural_labourer": True,
    "village_collective_intermediary": True,
    "employer_in_city": True,
    "contract_months": 12,
    "employee_insurance_paid": True,
}
STANDARD = {"labour_intermediary_subsidy.standard": "300"}


def test_labour_standard_parameter_use() -> None:
    """Without a standard the parameter use says 'none'; with one it cites the reform."""
    base = evaluate("labour_intermediary_subsidy", PLACEMENT_BASE, on=D(2021, 6, 1))
    uses = {use.name: use for use in base.parameters}
    assert uses["labour_intermediary_subsidy.standard"].value == "none"
    assert uses["labour_intermediary_subsidy.standard"].effective is None
    reform = _policy(STANDARD)
    changed = evaluate(
        "labour_intermediary_subsidy", PLACEMENT_BASE, on=D(2021, 6, 1), policy=reform
    )
    use = {u.name: u for u in changed.parameters}["labour_intermediary_subsidy.standard"]
    assert use.value == "300.00"
    assert use.effective == ISSUED
    assert use.source.kind is SourceKind.REFORM


# --- Measure 15: the pension contribution schedule -------------------------------------


@pytest.mark.parametrize(
    ("frequency", "count", "firsts"),
    [
        pytest.param("monthly", 12, [f"2022-{m:02d}" for m in range(1, 13)], id="monthly"),
        pytest.param("quarterly", 4, ["2022-01", "2022-04", "2022-07", "2022-10"], id="quarterly"),
        pytest.param("half_yearly", 2, ["2022-01", "2022-07"], id="half-yearly"),
        pytest.param("yearly", 1, ["2022-01"], id="yearly"),
    ],
)
def test_pension_schedule_periods(frequency: str, count: int, firsts: list[str]) -> None:
    """Each frequency gives 12/4/2/1 periods covering 12 months, starting in the right months."""
    schedule = pension_contribution_schedule(2022, frequency, "4000", lower="3500", upper="17000")
    periods = schedule.periods
    assert len(periods) == count
    assert [p.first_month for p in periods] == firsts
    assert sum(p.months for p in periods) == 12
    assert [p.due_from for p in periods] == [dt.date(2022, int(first[5:]), 1) for first in firsts]
    per_period = Decimal(4000) * periods[0].months / 5
    assert all(p.amount == per_period for p in periods)
    assert schedule.total == Decimal("9600.00")
    assert schedule.frequency == frequency
    assert schedule.year == 2022


@pytest.mark.parametrize(
    ("frequency", "base", "amount", "total"),
    [
        pytest.param("monthly", "3333.33", "666.67", "8000.04", id="monthly-rounds-up"),
        pytest.param("quarterly", "3333.33", "2000.00", "8000.00", id="quarterly"),
        pytest.param("half_yearly", "3333.33", "4000.00", "8000.00", id="half-yearly"),
        pytest.param("yearly", "3333.33", "7999.99", "7999.99", id="yearly-rounds-down"),
        pytest.param("monthly", "3500.02", "700.00", "8400.00", id="monthly-rounds-down"),
        pytest.param("monthly", "3500.03", "700.01", "8400.12", id="monthly-0.006-up"),
        pytest.param("monthly", "3500.025", None, None, id="three-decimals-refused"),
    ],
)
def test_pension_schedule_rounding(
    frequency: str, base: str, amount: str | None, total: str | None
) -> None:
    """The amount per period is base x months x 20%, rounded half-up to the fen."""
    if amount is None:
        with pytest.raises(RecordError) as caught:
            pension_contribution_schedule(2022, frequency, base, lower="3000", upper="17000")
        assert caught.value.field == "base"
        return
    schedule = pension_contribution_schedule(2022, frequency, base, lower="3000", upper="17000")
    assert {str(p.amount) for p in schedule.periods} == {amount}
    assert str(schedule.total) == total


def test_pension_schedule_cites_the_rate_and_clause() -> None:
    """The schedule names the rate with its source, the clause of measure 15 and the data."""
    policy = yp.load_policy()
    schedule = pension_contribution_schedule(2022, "monthly", "4000", lower="3500", upper="17000")
    (use,) = schedule.parameters
    assert use.name == "pension.contribution_rate"
    assert use.value == "20%"
    assert use.source == policy.parameters["pension.contribution_rate"].source
    assert schedule.clause.measure == 15
    assert schedule.clause.excerpt in policy.measure(15).provincial_text.zh
    assert schedule.policy_sha256 == policy.data_sha256


def test_pension_schedule_reform_of_the_rate() -> None:
    """A reform of the pension rate changes the amounts and the schedule's data hash."""
    reform = _policy({"pension.contribution_rate": "16%"})
    schedule = pension_contribution_schedule(
        2022, "yearly", "5000", lower="3500", upper="17000", policy=reform
    )
    assert schedule.periods[0].amount == Decimal("9600.00")
    assert schedule.policy_sha256 == reform.data_sha256


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"base": "3499.99"}, "base", id="base-below-lower"),
        pytest.param({"base": "17000.01"}, "base", id="base-above-upper"),
        pytest.param({"frequency": "weekly"}, "frequency", id="unknown-frequency"),
        pytest.param({"frequency": "Monthly"}, "frequency", id="frequency-case"),
        pytest.param({"lower": "18000", "base": "17500"}, "lower", id="lower-above-upper"),
        pytest.param({"base": "-1"}, "base", id="negative-base"),
        pytest.param({"base": "abc"}, "base", id="base-not-an-amount"),
        pytest.param({"lower": True}, "lower", id="lower-boolean"),
        pytest.param({"upper": "1.234"}, "upper", id="upper-three-decimals"),
    ],
)
def test_pension_schedule_bad_arguments(kwargs: dict[str, Any], field: str) -> None:
    """A base outside the limits, an unknown frequency or bad limits raise RecordError naming the argument."""
    args: dict[str, Any] = {
        "frequency": "monthly",
        "base": "4000",
        "lower": "3500",
        "upper": "17000",
        **kwargs,
    }
    with pytest.raises(RecordError) as caught:
        pension_contribution_schedule(
            2022, args["frequency"], args["base"], lower=args["lower"], upper=args["upper"]
        )
    assert caught.value.field == field


def test_pension_schedule_base_on_the_limits() -> None:
    """A base equal to either limit is accepted."""
    low = pension_contribution_schedule(2022, "monthly", "3500", lower="3500", upper="17000")
    high = pension_contribution_schedule(2022, "monthly", "17000", lower="3500", upper="17000")
    assert low.periods[0].amount == Decimal("700.00")
    assert high.periods[0].amount == Decimal("3400.00")


# --- Decisions: serialisation, explanation, provenance ---------------------------------

APPLICANTS: list[dict[str, Any]] = [
    STARTUP_BASE,
    _with(STARTUP_BASE, id="S2", first_license_on=None, operating=False),
    LOAN_BASE,
    _loan("partnership", "900000"),
    HARD_BASE,
    GRAD_BASE,
    _with(HARD_BASE, id="H2", flexible_since="2021-02-15", contributions=FORTY_MONTHS),
    ACCIDENT_BASE,
    _premiums(("2021-03-01", "80"), ("2022-02-01", "130.50")),
    _with(TAX_BASE, tax_due=ALL_TAXES),
    {"id": "F3", "groups": ["farmer"], "business_type": "individual_business"},
    {"id": "E1"},
    {"id": 42, "x_note": "kept", "groups": ["poverty", "veteran"]},
    {
        "id": "T1",
        "flexible_since": "2021-02-01",
        "training_completed_on": "2021-05-20",
        "training_certificate": True,
    },
    {
        "id": "V1",
        "pilot_area": True,
        "platform": "food_delivery",
        "platform_occupation": "delivery_rider",
        "training_completed_on": "2021-05-20",
    },
]
PLACEMENTS: list[dict[str, Any]] = [
    PLACEMENT_BASE,
    _with(PLACEMENT_BASE, id="P2", contract_months=11),
]
DAYS = (D(2021, 1, 10), D(2021, 7, 16), D(2022, 6, 1), D(2024, 3, 1))
REFORM: dict[str, object] = {
    "social_insurance_subsidy.rate": "60%",
    "accident_insurance_subsidy.proportion": "50%",
    "labour_intermediary_subsidy.standard": "300",
    "startup_subsidy.amount": "6000",
    "skills_upgrading_subsidy.standard": "1000",
    "vocational_training_subsidy.standard": "500",
}


@functools.cache
def _corpus() -> tuple[tuple[Decision, yp.Policy], ...]:
    """Every benefit for a range of records and days, under the plan and a reform."""
    out: list[tuple[Decision, yp.Policy]] = []
    for policy in (yp.load_policy(), _policy(REFORM)):
        for on in DAYS:
            for name, formula in BENEFITS.items():
                records = PLACEMENTS if formula.record == "placement" else APPLICANTS
                out.extend(
                    (evaluate(name, record, on=on, policy=policy), policy) for record in records
                )
    return tuple(out)


def test_corpus_covers_eligible_and_ineligible_decisions() -> None:
    """The decisions checked below include eligible ones of every benefit, and ineligible ones."""
    eligible = {d.benefit for d, _ in _corpus() if d.eligible}
    assert eligible == set(BENEFITS)
    assert any(not d.eligible for d, _ in _corpus())
    assert any(d.amount is None for d, _ in _corpus())


def test_decisions_round_trip_through_json() -> None:
    """Every decision equals Decision.from_dict of its to_dict after a JSON round trip."""
    for decision, _ in _corpus():
        data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
        assert Decision.from_dict(data) == decision
        assert data["amount"] == (None if decision.amount is None else str(decision.amount))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_explain_mentions_every_excerpt_and_the_amount(lang: str) -> None:
    """explain() in zh and en mentions every condition's excerpt and the amount."""
    for decision, _ in _corpus():
        text = decision.explain(lang)
        for reason in decision.reasons:
            assert f"「{reason.clause.excerpt}」" in text
            assert reason.text.get(lang) in text
        if decision.amount is None:
            assert ("金额无法确定" if lang == "zh" else "cannot be determined") in text
        else:
            unit = "元" if lang == "zh" else "yuan"
            assert f"{decision.amount} {unit}" in text
        verdict = decision.eligible
        if lang == "en":
            assert ("not eligible" not in text.splitlines()[0]) is verdict
        else:
            assert ("不符合条件" not in text.splitlines()[0]) is verdict
        assert decision.policy_sha256 in text


@pytest.mark.parametrize("lang", ["fr", "", "EN", "zh-CN"])
def test_explain_refuses_other_languages(lang: str) -> None:
    """explain() in a language other than zh and en raises ValueError."""
    decision = evaluate("startup_subsidy", STARTUP_BASE, on=D(2021, 8, 1))
    with pytest.raises(ValueError, match="lang"):
        decision.explain(lang)


def test_decisions_carry_the_data_hash() -> None:
    """Each decision carries its policy's data_sha256; a reform's differ from the plan's."""
    base = yp.load_policy()
    reform = _policy(REFORM)
    assert base.data_sha256 != reform.data_sha256
    seen = set()
    for decision, policy in _corpus():
        assert decision.policy_sha256 == policy.data_sha256
        seen.add(decision.policy_sha256)
    assert seen == {base.data_sha256, reform.data_sha256}


def _clause_texts(policy: yp.Policy, clause: Clause, notice: str) -> list[str]:
    """Return the published texts a clause cites."""
    if clause.action is not None:
        action = policy.action(clause.action)
        assert action.measure == clause.measure
        return [action.text.zh, *(item.text.zh for item in action.items)]
    if clause.measure is not None:
        measure = policy.measure(clause.measure)
        return [measure.title.zh, measure.provincial_text.zh]
    if clause.section is not None:
        section = policy.notice.sections[clause.section - 1]
        assert section.number == clause.section
        return [section.heading.zh, section.text.zh]
    return [notice]


def test_every_clause_excerpt_is_verbatim_in_the_notice(source_bytes: bytes) -> None:
    """Every reason's clause excerpt occurs verbatim in the text of what it cites."""
    notice = source_bytes.decode("utf-8")
    policy = yp.load_policy()
    checked = set()
    for decision, _ in _corpus():
        for reason in decision.reasons:
            texts = _clause_texts(policy, reason.clause, notice)
            assert any(reason.clause.excerpt in text for text in texts), (
                decision.benefit,
                reason.code,
                reason.clause,
            )
            checked.add((decision.benefit, reason.code))
    expected = {(name, s.code) for name, b in BENEFITS.items() for s in b.specs}
    assert expected | {(name, "in_force") for name in BENEFITS} == checked


def test_every_parameter_use_names_a_plan_parameter_with_its_source() -> None:
    """Each ParameterUse names a parameter of the policy used, with the source of its value that day."""
    for decision, policy in _corpus():
        if decision.reasons[0].held:
            names = BENEFITS[decision.benefit].parameters
            assert tuple(use.name for use in decision.parameters) == names
        else:
            assert decision.parameters == ()
        for use in decision.parameters:
            param = policy.parameters[use.name]
            assert use.source == param.source_at(decision.on)
            assert use.value == param.render(param.at(decision.on))
            assert use.effective == param.effective(decision.on)


def test_reform_parameter_uses_cite_the_reform() -> None:
    """Under a reform, changed parameters cite the reform and the others keep their source."""
    reform = _policy(REFORM)
    decision = evaluate("social_insurance_subsidy", HARD_BASE, on=D(2021, 3, 1), policy=reform)
    uses = {use.name: use for use in decision.parameters}
    assert uses["social_insurance_subsidy.rate"].source.kind is SourceKind.REFORM
    assert uses["social_insurance_subsidy.rate"].value == "60%"
    assert uses["social_insurance_subsidy.rate_cap"].source.kind is SourceKind.NOTICE
    assert decision.amount == Decimal("600.00")


def test_evaluate_all_returns_every_applicant_benefit() -> None:
    """evaluate_all decides each of the eight applicant benefits, equal to evaluate's."""
    record = {**STARTUP_BASE, **LOAN_BASE, "tax_due": ALL_TAXES, "first_license_on": "2021-03-15"}
    on = D(2021, 10, 1)
    result = evaluate_all(record, on=on)
    assert set(result) == {
        "startup_subsidy",
        "guaranteed_loan",
        "social_insurance_subsidy",
        "accident_insurance_subsidy",
        "tax_relief",
        "fee_exemptions",
        "skills_upgrading_subsidy",
        "vocational_training_subsidy",
    }
    assert tuple(result) == APPLICANT_BENEFITS
    for name, decision in result.items():
        assert decision.benefit == name
        assert decision == evaluate(name, record, on=on)
    assert result["startup_subsidy"].amount == Decimal("5000.00")
    assert result["tax_relief"].amount == Decimal("14400.00")


def test_evaluate_all_rejects_a_bad_record() -> None:
    """evaluate_all raises RecordError for a record that breaks the contract."""
    with pytest.raises(RecordError) as caught:
        evaluate_all({"id": "X", "groups": "graduate"}, on=D(2021, 6, 1))
    assert caught.value.field == "groups"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        pytest.param("startup_subsidi", "startup_subsidy", id="typo"),
        pytest.param("tax_reliefs", "tax_relief", id="plural"),
        pytest.param("guaranteed-loan", "guaranteed_loan", id="hyphen"),
    ],
)
def test_unknown_benefit_suggests_a_close_name(name: str, suggestion: str) -> None:
    """An unknown benefit name raises UnknownNameError with a suggestion."""
    with pytest.raises(UnknownNameError) as caught:
        evaluate(name, {"id": "A"}, on=D(2021, 6, 1))
    assert caught.value.name == name
    assert suggestion in caught.value.suggestions
    assert f"did you mean: {suggestion}" in str(caught.value)


def test_unknown_benefit_without_suggestion() -> None:
    """A name like no benefit raises UnknownNameError with no suggestions."""
    with pytest.raises(UnknownNameError) as caught:
        evaluate("xyzzy", {"id": "A"}, on=D(2021, 6, 1))
    assert caught.value.suggestions == ()


def test_evaluate_refuses_a_datetime() -> None:
    """The day of application must be a date, not a date-time."""
    with pytest.raises(TypeError, match="date"):
        evaluate("startup_subsidy", STARTUP_BASE, on=dt.datetime(2021, 8, 1, tzinfo=dt.UTC))


# --- Batches: evaluate_many, BatchSummary, compare -------------------------------------


def test_evaluate_many_one_row_per_input_in_order() -> None:
    """evaluate_many yields one row per record, in order, numbered from 1, with the ids."""
    records = [*APPLICANTS, *APPLICANTS[:3]]
    rows = list(evaluate_many(records, on=D(2022, 6, 1)))
    assert [row.row for row in rows] == list(range(1, len(records) + 1))
    assert [row.id for row in rows] == [str(r["id"]) for r in records]
    for row in rows:
        assert row.error is None
        assert tuple(o.benefit for o in row.outcomes) == APPLICANT_BENEFITS


def test_evaluate_many_errors_carry_row_and_field() -> None:
    """A bad record yields a row whose RecordError carries the 1-based row and the field."""
    records: list[Any] = [
        {"id": "A", "groups": ["farmer"]},
        {"id": "B", "groups": "farmer"},
        {"id": "C", "contributions": [{"month": "2021-13", "amount": "1"}]},
        {"groups": ["farmer"]},
        {"id": "E", "contribution": []},
        ["not", "a", "record"],
        {"id": "G", "business_type": "individual_business"},
    ]
    rows = list(evaluate_many(records, on=D(2021, 6, 1), benefits=["fee_exemptions"]))
    assert len(rows) == len(records)
    expected: list[tuple[str | None, str | None]] = [
        ("A", None),
        ("B", "groups"),
        ("C", "contributions[0].month"),
        (None, "id"),
        ("E", "contribution"),
        (None, ""),
        ("G", None),
    ]
    for number, (row, (ident, field)) in enumerate(zip(rows, expected, strict=True), 1):
        assert isinstance(row, Row)
        assert row.row == number
        assert row.id == ident
        if field is None:
            assert row.error is None
            assert row.outcomes == (Outcome("fee_exemptions", eligible=True, fen=None),)
        else:
            assert row.error is not None
            assert row.outcomes == ()
            assert row.error.row == number
            assert row.error.field == field
            assert str(row.error).startswith(f"row {number}: {field}")


def test_evaluate_many_start_offsets_row_numbers() -> None:
    """start= numbers the first row; errors carry the offset row number."""
    records = [{"id": "A"}, {"id": "B", "operating": "yes"}, {"id": "C"}]
    rows = list(evaluate_many(records, on=D(2021, 6, 1), start=101))
    assert [row.row for row in rows] == [101, 102, 103]
    assert rows[1].error is not None
    assert rows[1].error.row == 102
    assert rows[1].error.field == "operating"
    assert rows[0].error is None
    assert rows[2].error is None


def test_evaluate_many_is_lazy() -> None:
    """evaluate_many reads no further than the chunk it yields from (a chunk of one: one record)."""
    seen: list[int] = []

    def stream() -> Iterator[dict[str, str]]:
        for number in range(3):
            seen.append(number)
            yield {"id": str(number)}

    rows = evaluate_many(stream(), on=D(2021, 6, 1), chunk_size=1)
    first = next(rows)
    assert first.row == 1
    assert seen == [0]
    seen.clear()
    rows = evaluate_many(stream(), on=D(2021, 6, 1), chunk_size=2)
    assert [next(rows).row, next(rows).row] == [1, 2]
    assert seen == [0, 1]


def _random_record(rng: random.Random, number: int) -> dict[str, Any]:
    """Return a random valid applicant record."""
    groups = sorted(GROUPS)

    def day() -> str:
        return (D(2019, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))).isoformat()

    def yuan() -> str:
        fen = rng.randrange(0, 30_000_00)
        return f"{fen // 100}.{fen % 100:02d}"

    record: dict[str, Any] = {"id": f"R{number}", "groups": rng.sample(groups, rng.randrange(3))}
    if rng.random() < 0.7:
        record["business_type"] = rng.choice(["individual_business", "enterprise"])
    for key in ("left_school_on", "flexible_since", "first_license_on"):
        if rng.random() < 0.7:
            record[key] = day()
    for key in (
        "employment_registered",
        "operating",
        "pays_employee_insurance",
        "startup_subsidy_received",
        "injury_pilot_covered",
    ):
        if rng.random() < 0.7:
            record[key] = rng.random() < 0.7
    if rng.random() < 0.5:
        record["platform"] = rng.choice(["express", "food_delivery", "other"])
    months = rng.sample(range(2019 * 12, 2027 * 12), rng.randrange(12))
    record["contributions"] = [
        {"month": f"{m // 12:04d}-{m % 12 + 1:02d}", "amount": yuan()} for m in months
    ]
    record["accident_premiums"] = [
        {"paid_on": day(), "amount": yuan()} for _ in range(rng.randrange(4))
    ]
    record["tax_due"] = {tax: yuan() for tax in TAXES if rng.random() < 0.5}
    if rng.random() < 0.6:
        record["loan"] = {"kind": rng.choice(["individual", "partnership"]), "amount": yuan()}
    return record


def test_evaluate_many_agrees_with_evaluate() -> None:
    """For random records, each outcome equals the evaluate decision's (eligible, amount)."""
    rng = random.Random(20210111)  # noqa: S311 - reproducible test data, not cryptography
    records = [_random_record(rng, n) for n in range(150)]
    eligible = 0
    for on in (D(2020, 12, 31), D(2021, 9, 1), D(2023, 3, 1), D(2025, 7, 31)):
        for row, record in zip(evaluate_many(records, on=on), records, strict=True):
            assert row.error is None
            for outcome in row.outcomes:
                decision = evaluate(outcome.benefit, record, on=on)
                assert (outcome.eligible, outcome.amount) == (decision.eligible, decision.amount)
                eligible += outcome.eligible
    assert eligible > 100


def test_evaluate_many_placements() -> None:
    """A placement batch parses placements and agrees with evaluate."""
    reform = _policy(STANDARD)
    records = [*PLACEMENTS, {"id": "P3", "contract_months": "12"}]
    rows = list(
        evaluate_many(
            records, on=D(2021, 6, 1), benefits=["labour_intermediary_subsidy"], policy=reform
        )
    )
    assert rows[0].outcomes == (Outcome("labour_intermediary_subsidy", eligible=True, fen=30000),)
    assert rows[0].outcomes[0].amount == Decimal("300.00")
    assert rows[1].outcomes == (Outcome("labour_intermediary_subsidy", eligible=False, fen=0),)
    assert rows[2].error is not None
    assert rows[2].error.field == "contract_months"


def test_evaluate_many_refuses_mixed_record_kinds() -> None:
    """Mixing placement and applicant benefits in one batch raises PolicyError."""
    with pytest.raises(PolicyError, match="one kind of record"):
        list(
            evaluate_many(
                [{"id": "A"}],
                on=D(2021, 6, 1),
                benefits=["startup_subsidy", "labour_intermediary_subsidy"],
            )
        )
    with pytest.raises(PolicyError, match="one kind of record"):
        compare(
            [{"id": "A"}],
            yp.load_policy(),
            yp.load_policy(),
            on=D(2021, 6, 1),
            benefits=["labour_intermediary_subsidy", "tax_relief"],
        )


def test_evaluate_many_refuses_no_benefits_and_unknown_ones() -> None:
    """An empty benefit list raises PolicyError; an unknown name raises UnknownNameError."""
    with pytest.raises(PolicyError, match="no benefits"):
        list(evaluate_many([{"id": "A"}], on=D(2021, 6, 1), benefits=[]))
    with pytest.raises(UnknownNameError):
        list(evaluate_many([{"id": "A"}], on=D(2021, 6, 1), benefits=["tax_relif"]))


def test_batch_summary_counts() -> None:
    """BatchSummary counts rows, errors, eligible rows, totals and undetermined amounts."""
    records: list[Any] = [
        {"id": "A", "groups": ["farmer"], "business_type": "individual_business"},
        {"id": "B", "groups": "farmer"},
        {"id": "C", "groups": ["graduate"]},
        STARTUP_BASE,
        _with(STARTUP_BASE, id="S9"),
        {"id": "D", "loan": {"kind": "personal", "amount": "1"}},
    ]
    summary = BatchSummary()
    rows = [
        summary.add(row)
        for row in evaluate_many(
            records, on=D(2021, 8, 1), benefits=["fee_exemptions", "startup_subsidy"]
        )
    ]
    assert len(rows) == 6
    assert summary.rows == 6
    assert summary.errors == 2
    assert summary.eligible == {"fee_exemptions": 3, "startup_subsidy": 2}
    assert summary.totals == {"fee_exemptions": 0, "startup_subsidy": 1_000_000}
    assert summary.undetermined == {"fee_exemptions": 3, "startup_subsidy": 0}
    text = summary.to_text()
    assert "rows: 6" in text
    assert "errors: 2" in text
    assert "startup_subsidy: 2 eligible, total 10000.00 yuan" in text
    assert "fee_exemptions: 3 eligible, total undetermined (3 undetermined)" in text


def test_batch_summary_add_returns_the_row() -> None:
    """BatchSummary.add returns the row it counted, so it can sit in a pipeline."""
    summary = BatchSummary()
    (row,) = evaluate_many([{"id": "A"}], on=D(2021, 6, 1))
    assert summary.add(row) is row
    assert summary.rows == 1
    assert summary.errors == 0
    assert summary.eligible == dict.fromkeys(APPLICANT_BENEFITS, 0)


SOCIAL_BATCH: list[Any] = [
    HARD_BASE,
    _with(HARD_BASE, id="H2", contributions=[{"month": "2021-02", "amount": "300"}]),
    {"id": "H3", "groups": ["farmer"]},
    {"id": "BAD", "contributions": [{"month": "2021-02", "amount": "-1"}]},
    _with(GRAD_BASE, id="G2", left_school_on="2020-07-01", flexible_since="2021-02-01"),
]


def test_compare_rate_reform() -> None:
    """A rate reform changes the totals and lists each row whose outcome changed."""
    base = yp.load_policy()
    reform = _policy({"social_insurance_subsidy.rate": "50%"})
    result = compare(
        SOCIAL_BATCH, base, reform, on=D(2021, 3, 1), benefits=["social_insurance_subsidy"]
    )
    assert result.rows == 5
    (summary,) = result.benefits
    assert summary.benefit == "social_insurance_subsidy"
    assert (summary.eligible_baseline, summary.eligible_reform) == (2, 2)
    assert summary.total_baseline == Decimal("845.00")
    assert summary.total_reform == Decimal("650.00")
    assert summary.difference == Decimal("-195.00")
    assert [(d.row, d.id) for d in result.differences] == [(1, "H1"), (2, "H2")]
    first = result.differences[0]
    assert first.benefit == "social_insurance_subsidy"
    assert (first.baseline.fen, first.reform.fen) == (65000, 50000)
    assert [(e.row, e.field) for e in result.errors] == [(4, "contributions[0].amount")]
    text = result.to_text()
    assert "rows: 5, errors: 1, rows x benefits changed: 2" in text
    assert "total 845.00 -> 650.00 (-195.00)" in text


def test_compare_identical_policies_has_no_differences() -> None:
    """Comparing a policy with itself (or an equal reform) gives no differences."""
    base = yp.load_policy()
    for other in (base, base.with_parameters({"social_insurance_subsidy.rate": "65%"})):
        result = compare(SOCIAL_BATCH, base, other, on=D(2021, 3, 1))
        assert result.differences == ()
        for summary in result.benefits:
            assert summary.total_baseline == summary.total_reform
            assert summary.eligible_baseline == summary.eligible_reform
        assert len(result.errors) == 1


def test_compare_keeps_bad_rows_as_errors() -> None:
    """Bad rows appear in compare's errors with their row numbers and count among the rows."""
    records: list[Any] = [{"id": "A"}, {"id": "B", "groups": 1}, {"x": 1}, {"id": "D"}]
    base = yp.load_policy()
    reform = _policy(REFORM)
    result = compare(records, base, reform, on=D(2021, 6, 1))
    assert result.rows == 4
    # Unknown fields are named before a missing id (the contract's order of checks).
    assert [(e.row, e.field) for e in result.errors] == [(2, "groups"), (3, "x")]
    assert {b.benefit for b in result.benefits} == set(APPLICANT_BENEFITS)


def test_compare_accepts_a_generator() -> None:
    """A generator of records will do: compare reads its records once."""
    base = yp.load_policy()
    reform = _policy({"startup_subsidy.amount": "6000"})
    result = compare(
        (r for r in [STARTUP_BASE, STARTUP_BASE]),
        base,
        reform,
        on=D(2021, 8, 1),
        benefits=["startup_subsidy"],
    )
    assert result.benefits[0].total_reform - result.benefits[0].total_baseline == Decimal(2000)
    assert len(result.differences) == 2


def test_social_rate_parameter_is_exact() -> None:
    """The plan's social-insurance rate and cap are exact fractions (65% and 2/3)."""
    params = yp.load_policy().parameters
    assert params["social_insurance_subsidy.rate"].at(ISSUED) == Fraction(13, 20)
    assert params["social_insurance_subsidy.rate_cap"].at(ISSUED) == Fraction(2, 3)


def test_evaluate_many_takes_one_benefit_name_as_a_string() -> None:
    """benefits="fee_exemptions" means that benefit, not its letters."""
    rows = list(
        evaluate_many(
            [{"id": "F", "groups": ["farmer"]}], on=D(2021, 6, 1), benefits="fee_exemptions"
        )
    )
    assert [o.benefit for o in rows[0].outcomes] == ["fee_exemptions"]


def test_pension_schedule_refuses_a_year_before_the_notice() -> None:
    """A schedule for 2020, before the notice was issued, is a PolicyError that says so."""
    with pytest.raises(PolicyError, match="in force from 2021-01-11"):
        pension_contribution_schedule(2020, "monthly", "4000", lower="3500", upper="17000")


def test_compare_difference_is_exact_in_a_low_precision_context() -> None:
    """A comparison's difference is exact to the fen even when the caller's context has prec=2."""
    import decimal  # noqa: PLC0415

    base = yp.load_policy()
    reform = base.with_parameters({"social_insurance_subsidy.rate": "50%"})
    record = {
        "id": "H1",
        "groups": ["hard_to_employ"],
        "flexible_since": "2021-02-01",
        "contributions": [{"month": "2021-02", "amount": "123456.78"}],
    }
    with decimal.localcontext(prec=2):
        result = compare(
            [record], base, reform, on=D(2021, 3, 1), benefits=["social_insurance_subsidy"]
        )
        difference = result.benefits[0].difference
    assert difference == Decimal("-18518.52")  # 61728.39 - 80246.91


def test_parameter_amounts_are_exact_in_a_low_precision_context() -> None:
    """A parameter's amount reaches the decision exact even when the caller's context has prec=3."""
    import decimal  # noqa: PLC0415

    reform = yp.load_policy().with_parameters({"startup_subsidy.amount": "12345.67"})
    record = {
        "id": "A1",
        "business_type": "individual_business",
        "first_license_on": "2021-01-15",
        "operating": True,
        "pays_employee_insurance": True,
    }
    with decimal.localcontext(prec=3) as ctx:
        ctx.traps[decimal.Inexact] = True
        decision = evaluate("startup_subsidy", record, on=D(2021, 7, 16), policy=reform)
    assert decision.amount == Decimal("12345.67")
