"""The benefit formulas: OpenFisca-style case tables, decisions, batches and comparisons.

Each formula has a table of cases (name / on / input / expected), run through
:func:`yantai_policy.benefits.evaluate`. The expected result may give:

* ``eligible``: whether the record is eligible;
* ``amount``: the amount as a ``"yuan.ff"`` string, or ``None``;
* ``failed``: exactly the reason codes that do not hold;
* ``held``: some reason codes and whether each holds;
* ``reasons``: exactly the reason codes, in order;
* ``detail``: reason code to a string its detail contains;
* ``lines``: exactly the breakdown, line key to ``"yuan.ff"``;
* ``line_detail``: line key to a string its detail contains;
* ``notes``: strings that the English notes (together) contain;
* ``no_notes``: strings that they do not.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

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


class Case(NamedTuple):
    """One case: its name, the day of application, the input record, the expected result."""

    name: str
    on: dt.date
    input: Mapping[str, Any]
    expected: Mapping[str, Any]
    reform: Mapping[str, object] | None = None


def _name(case: Case) -> str:
    return case.name


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


def _check(decision: Decision, expected: Mapping[str, Any]) -> None:
    """Assert that a decision matches an expected result (see the module docstring)."""
    why = decision.explain()
    if "eligible" in expected:
        assert decision.eligible is expected["eligible"], why
    if "amount" in expected:
        want = expected["amount"]
        got = None if decision.amount is None else str(decision.amount)
        assert got == want, why
    _check_reasons(decision, expected, why)
    _check_lines(decision, expected, why)
    notes = " ".join(note.en for note in decision.notes)
    for text in expected.get("notes", ()):
        assert text in notes, why
    for text in expected.get("no_notes", ()):
        assert text not in notes, why


def _check_reasons(decision: Decision, expected: Mapping[str, Any], why: str) -> None:
    held = {r.code: r.held for r in decision.reasons}
    if "failed" in expected:
        assert {code for code, ok in held.items() if not ok} == set(expected["failed"]), why
    for code, value in expected.get("held", {}).items():
        assert held[code] is value, why
    if "reasons" in expected:
        assert [r.code for r in decision.reasons] == list(expected["reasons"]), why
    details = {r.code: r.detail for r in decision.reasons}
    for code, text in expected.get("detail", {}).items():
        assert text in details[code], why


def _check_lines(decision: Decision, expected: Mapping[str, Any], why: str) -> None:
    if "lines" in expected:
        assert {line.key: str(line.amount) for line in decision.lines} == expected["lines"], why
    details = {line.key: line.detail for line in decision.lines}
    for key, text in expected.get("line_detail", {}).items():
        assert text in details[key], why


def _run(benefit: str, case: Case) -> Decision:
    decision = evaluate(benefit, case.input, on=case.on, policy=_policy(case.reform))
    _check(decision, case.expected)
    return decision


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
ELIGIBLE_STARTUP = {"eligible": True, "amount": "5000.00", "failed": ()}

STARTUP = [
    Case(
        "six-months-not-yet-on-the-corresponding-day",
        D(2021, 7, 15),
        STARTUP_BASE,
        {
            "eligible": False,
            "amount": "0.00",
            "failed": ("operated_long_enough",),
            "detail": {"operated_long_enough": "hold from 2021-07-16"},
        },
    ),
    Case("six-months-hold-the-day-after", D(2021, 7, 16), STARTUP_BASE, ELIGIBLE_STARTUP),
    Case(
        "month-end-without-corresponding-day-fails-on-feb-28",
        D(2022, 2, 28),
        _with(STARTUP_BASE, first_license_on="2021-08-31"),
        {
            "eligible": False,
            "failed": ("operated_long_enough",),
            "detail": {"operated_long_enough": "hold from 2022-03-01"},
        },
    ),
    Case(
        "month-end-without-corresponding-day-holds-mar-1",
        D(2022, 3, 1),
        _with(STARTUP_BASE, first_license_on="2021-08-31"),
        ELIGIBLE_STARTUP,
    ),
    Case(
        "month-end-to-leap-day-fails-on-feb-29",
        D(2024, 2, 29),
        _with(STARTUP_BASE, first_license_on="2023-08-31"),
        {
            "eligible": False,
            "failed": ("operated_long_enough",),
            "detail": {"operated_long_enough": "hold from 2024-03-01"},
        },
    ),
    Case(
        "month-end-to-leap-day-holds-mar-1",
        D(2024, 3, 1),
        _with(STARTUP_BASE, first_license_on="2023-08-31"),
        ELIGIBLE_STARTUP,
    ),
    Case(
        "leap-day-licence-period-ends-aug-29",
        D(2021, 6, 1),
        _with(STARTUP_BASE, first_license_on="2020-02-29"),
        {**ELIGIBLE_STARTUP, "detail": {"operated_long_enough": "hold from 2020-08-30"}},
    ),
    Case(
        "not-an-individual-business",
        D(2021, 8, 1),
        _with(STARTUP_BASE, business_type=None),
        {"eligible": False, "amount": "0.00", "failed": ("individual_business",)},
    ),
    Case(
        "enterprise-instead-of-individual-business",
        D(2021, 8, 1),
        _with(STARTUP_BASE, business_type="enterprise"),
        {
            "eligible": False,
            "failed": ("individual_business",),
            "detail": {"individual_business": "enterprise"},
        },
    ),
    Case(
        # The period cannot hold without a licence, so two conditions fail together.
        "no-licence-date",
        D(2021, 8, 1),
        _with(STARTUP_BASE, first_license_on=None),
        {
            "eligible": False,
            "failed": ("first_licence", "operated_long_enough"),
            "detail": {"first_licence": "first_license_on not given"},
        },
    ),
    Case(
        "licence-after-the-day-of-application",
        D(2021, 8, 1),
        _with(STARTUP_BASE, first_license_on="2021-08-02"),
        {
            "eligible": False,
            "failed": ("first_licence", "operated_long_enough"),
            "detail": {"first_licence": "after 2021-08-01"},
        },
    ),
    Case(
        "not-operating-now",
        D(2021, 8, 1),
        _with(STARTUP_BASE, operating=False),
        {"eligible": False, "failed": ("still_operating",)},
    ),
    Case(
        "operating-not-given",
        D(2021, 8, 1),
        _with(STARTUP_BASE, operating=None),
        {"eligible": False, "failed": ("still_operating",)},
    ),
    Case(
        "founder-pays-no-employee-insurance",
        D(2021, 8, 1),
        _with(STARTUP_BASE, pays_employee_insurance=False),
        {"eligible": False, "failed": ("pays_employee_insurance",)},
    ),
    Case(
        "subsidy-received-before",
        D(2021, 8, 1),
        _with(STARTUP_BASE, startup_subsidy_received=True),
        {"eligible": False, "failed": ("first_subsidy",)},
    ),
    Case(
        "subsidy-not-received-before",
        D(2021, 8, 1),
        _with(STARTUP_BASE, startup_subsidy_received=False),
        ELIGIBLE_STARTUP,
    ),
    Case(
        "before-the-notice-was-issued",
        D(2021, 1, 10),
        _with(STARTUP_BASE, first_license_on="2020-01-15"),
        {"eligible": False, "amount": "0.00", "reasons": ("in_force",), "failed": ("in_force",)},
    ),
    Case(
        "on-the-issue-date",
        ISSUED,
        _with(STARTUP_BASE, first_license_on="2020-01-15"),
        {**ELIGIBLE_STARTUP, "held": {"in_force": True}},
    ),
    Case(
        "amount-is-five-thousand-yuan",
        D(2023, 1, 1),
        STARTUP_BASE,
        {
            **ELIGIBLE_STARTUP,
            "reasons": (
                "in_force",
                "individual_business",
                "first_licence",
                "operated_long_enough",
                "still_operating",
                "pays_employee_insurance",
                "first_subsidy",
            ),
        },
    ),
    Case(
        "reform-of-the-amount",
        D(2021, 8, 1),
        STARTUP_BASE,
        {"eligible": True, "amount": "6000.50"},
        reform={"startup_subsidy.amount": "6000.50"},
    ),
]


@pytest.mark.parametrize("case", STARTUP, ids=_name)
def test_startup_subsidy(case: Case) -> None:
    """Each start-up subsidy case gives its expected decision."""
    _run("startup_subsidy", case)


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


LOAN = [
    Case(
        "individual-under-cap",
        LOAN_ON,
        _loan("individual", "150000"),
        {
            "eligible": True,
            "amount": "150000.00",
            "lines": {"requested": "150000.00", "granted": "150000.00"},
            "line_detail": {"granted": "within the individual cap of 200000.00"},
        },
    ),
    Case(
        "individual-equal-to-cap",
        LOAN_ON,
        _loan("individual", "200000"),
        {
            "eligible": True,
            "amount": "200000.00",
            "lines": {"requested": "200000.00", "granted": "200000.00"},
            "line_detail": {"granted": "within"},
        },
    ),
    Case(
        "individual-over-cap-is-cut",
        LOAN_ON,
        _loan("individual", "200000.01"),
        {
            "eligible": True,
            "amount": "200000.00",
            "lines": {"requested": "200000.01", "granted": "200000.00"},
            "line_detail": {"granted": "cut to the individual cap of 200000.00"},
        },
    ),
    Case(
        "partnership-under-cap",
        LOAN_ON,
        _loan("partnership", "450000"),
        {
            "eligible": True,
            "amount": "450000.00",
            "line_detail": {"granted": "within the partnership cap of 600000.00"},
        },
    ),
    Case(
        "partnership-equal-to-cap",
        LOAN_ON,
        _loan("partnership", "600000.00"),
        {"eligible": True, "amount": "600000.00", "line_detail": {"granted": "within"}},
    ),
    Case(
        "partnership-over-cap-is-cut",
        LOAN_ON,
        _loan("partnership", "750000"),
        {
            "eligible": True,
            "amount": "600000.00",
            "lines": {"requested": "750000.00", "granted": "600000.00"},
            "line_detail": {"granted": "cut to the partnership cap of 600000.00"},
        },
    ),
    *[
        Case(
            f"key-group-{group}",
            LOAN_ON,
            _with(LOAN_BASE, groups=[group], business_type=business),
            {
                "eligible": True,
                "amount": "150000.00",
                "failed": ("expanded_scope",),
                "detail": {"key_group_in_business": group},
            },
        )
        for group, business in [
            ("graduate", "individual_business"),
            ("veteran", "enterprise"),
            ("laid_off", "individual_business"),
            ("unemployed", "enterprise"),
            ("migrant_worker", "individual_business"),
        ]
    ],
    Case(
        "key-group-without-a-business",
        LOAN_ON,
        _with(LOAN_BASE, business_type=None),
        {"eligible": False, "failed": ("key_group_in_business", "expanded_scope")},
    ),
    *[
        Case(
            f"not-a-key-group-{group}",
            LOAN_ON,
            _with(LOAN_BASE, groups=[group]),
            {
                "eligible": False,
                "amount": "0.00",
                "failed": ("key_group_in_business", "expanded_scope"),
                "detail": {"key_group_in_business": "none of the key groups"},
                "lines": {},
            },
        )
        for group in ("poverty", "farmer", "hard_to_employ")
    ],
    Case(
        "no-groups",
        LOAN_ON,
        _with(LOAN_BASE, groups=None),
        {"eligible": False, "failed": ("key_group_in_business", "expanded_scope")},
    ),
    Case(
        "expanded-scope-ended-individual-business",
        ISSUED,
        _with(LOAN_BASE, groups=["farmer"]),
        {
            "eligible": False,
            "failed": ("key_group_in_business", "expanded_scope"),
            "detail": {"expanded_scope": "2020-12-31"},
        },
    ),
    Case(
        "expanded-scope-ended-platform-worker",
        D(2022, 3, 1),
        _with(LOAN_BASE, groups=None, business_type=None, platform="ride_hailing"),
        {
            "eligible": False,
            "failed": ("key_group_in_business", "expanded_scope"),
            "detail": {"expanded_scope": "ended on 2020-12-31"},
        },
    ),
    Case(
        "notes-counter-guarantee-and-interest",
        LOAN_ON,
        LOAN_BASE,
        {
            "eligible": True,
            "notes": ("counter-guarantee is waived", "per regulation (按规定)"),
        },
    ),
    Case(
        "no-loan-requested",
        LOAN_ON,
        _with(LOAN_BASE, loan=None),
        {
            "eligible": False,
            "amount": "0.00",
            "failed": ("loan_requested", "expanded_scope"),
            "detail": {"loan_requested": "loan not given"},
        },
    ),
    Case(
        "reform-of-the-individual-cap",
        LOAN_ON,
        _loan("individual", "250000"),
        {"eligible": True, "amount": "250000.00"},
        reform={"guaranteed_loan.cap_individual": "300000"},
    ),
]


@pytest.mark.parametrize("case", LOAN, ids=_name)
def test_guaranteed_loan(case: Case) -> None:
    """Each guaranteed-loan case gives its expected decision."""
    _run("guaranteed_loan", case)


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


SOCIAL = [
    Case(
        "hard-to-employ",
        D(2021, 3, 1),
        HARD_BASE,
        {
            "eligible": True,
            "amount": "650.00",
            "failed": ("recent_graduate",),
            "lines": {"2021-02": "1000.00", "subsidy": "650.00"},
            "line_detail": {"subsidy": "65% of 1000.00"},
        },
    ),
    Case(
        "graduate-flexible-on-the-last-day-of-the-window",
        D(2022, 4, 1),
        GRAD_BASE,
        {"eligible": True, "amount": "650.00", "failed": ("hard_to_employ",)},
    ),
    Case(
        "graduate-flexible-one-day-after-the-window",
        D(2022, 4, 1),
        _with(
            GRAD_BASE,
            flexible_since="2022-03-01",
            contributions=[{"month": "2022-03", "amount": "500"}],
        ),
        {
            "eligible": False,
            "amount": "0.00",
            "failed": ("hard_to_employ", "recent_graduate", "paid_first"),
        },
    ),
    Case(
        "graduate-flexible-before-leaving-school",
        D(2022, 4, 1),
        _with(GRAD_BASE, flexible_since="2020-02-28"),
        {"eligible": False, "held": {"recent_graduate": False}},
    ),
    Case(
        "graduate-without-left-school-date",
        D(2022, 4, 1),
        _with(GRAD_BASE, left_school_on=None),
        {"eligible": False, "held": {"recent_graduate": False}},
    ),
    Case(
        "left-school-but-not-in-the-graduate-group",
        D(2022, 4, 1),
        _with(GRAD_BASE, groups=["farmer"]),
        {"eligible": False, "failed": ("hard_to_employ", "recent_graduate", "paid_first")},
    ),
    Case(
        "hard-to-employ-counts-36-months",
        D(2024, 6, 30),
        _with(HARD_BASE, flexible_since="2021-02-15", contributions=FORTY_MONTHS),
        {
            "eligible": True,
            "amount": "2340.00",
            "detail": {"paid_first": "months 2021-02 to 2024-01; paid 3600.00"},
            "line_detail": {"subsidy": "4 month(s) outside"},
        },
    ),
    Case(
        "graduate-counts-24-months",
        D(2024, 6, 30),
        _with(
            GRAD_BASE,
            left_school_on="2020-07-01",
            flexible_since="2021-02-15",
            contributions=FORTY_MONTHS,
        ),
        {
            "eligible": True,
            "amount": "1560.00",
            "detail": {"paid_first": "months 2021-02 to 2023-01; paid 2400.00"},
        },
    ),
    Case(
        "both-groups-count-the-longer-36-months",
        D(2024, 6, 30),
        _with(
            GRAD_BASE,
            groups=["graduate", "hard_to_employ"],
            left_school_on="2020-07-01",
            flexible_since="2021-02-15",
            contributions=FORTY_MONTHS,
        ),
        {"eligible": True, "amount": "2340.00", "failed": ()},
    ),
    Case(
        "months-only-up-to-the-month-of-application",
        D(2021, 5, 10),
        _with(HARD_BASE, flexible_since="2021-02-15", contributions=FORTY_MONTHS),
        {
            "eligible": True,
            "amount": "260.00",
            "detail": {"paid_first": "months 2021-02 to 2021-05; paid 400.00"},
            "lines": {
                "2021-02": "100.00",
                "2021-03": "100.00",
                "2021-04": "100.00",
                "2021-05": "100.00",
                "subsidy": "260.00",
            },
        },
    ),
    Case(
        "months-before-flexible-employment-not-counted",
        D(2021, 3, 1),
        _with(
            HARD_BASE,
            contributions=[
                {"month": "2021-01", "amount": "1000"},
                {"month": "2021-02", "amount": "200"},
            ],
        ),
        {"eligible": True, "amount": "130.00", "lines": {"2021-02": "200.00", "subsidy": "130.00"}},
    ),
    Case(
        "only-months-before-flexible-employment",
        D(2021, 3, 1),
        _with(HARD_BASE, contributions=[{"month": "2021-01", "amount": "1000"}]),
        {"eligible": False, "failed": ("recent_graduate", "paid_first")},
    ),
    Case(
        "flexible-employment-after-the-day-of-application",
        D(2021, 1, 31),
        _with(HARD_BASE, contributions=[]),
        {"eligible": False, "failed": ("recent_graduate", "flexibly_employed", "paid_first")},
    ),
    Case(
        "zero-month-adds-nothing",
        D(2021, 3, 31),
        _with(
            HARD_BASE,
            contributions=[
                {"month": "2021-02", "amount": "0"},
                {"month": "2021-03", "amount": "100"},
            ],
        ),
        {"eligible": True, "amount": "65.00"},
    ),
    Case(
        "only-zero-months-pay-nothing",
        D(2021, 3, 31),
        _with(HARD_BASE, contributions=[{"month": "2021-02", "amount": "0.00"}]),
        {"eligible": False, "amount": "0.00", "failed": ("recent_graduate", "paid_first")},
    ),
    Case("rounding-half-up-0.30", D(2021, 3, 1), _paid("0.30"), {"amount": "0.20"}),
    Case("rounding-half-up-0.50", D(2021, 3, 1), _paid("0.50"), {"amount": "0.33"}),
    Case("rounding-up-1.01", D(2021, 3, 1), _paid("1.01"), {"amount": "0.66"}),
    Case("rounding-down-1.02", D(2021, 3, 1), _paid("1.02"), {"amount": "0.66"}),
    Case("rounding-exact-1.00", D(2021, 3, 1), _paid("1.00"), {"amount": "0.65"}),
    # 65% of 0.01 is 0.0065 and of 0.10 is 0.065: half-up would give 0.01 and 0.07,
    # but those exceed 2/3 of what was paid (0.0066..., 0.0666...), so the cap binds.
    Case("cap-binds-at-the-fen-0.01", D(2021, 3, 1), _paid("0.01"), {"amount": "0.00"}),
    Case("cap-binds-at-the-fen-0.10", D(2021, 3, 1), _paid("0.10"), {"amount": "0.06"}),
    Case(
        "reform-of-the-rate",
        D(2021, 3, 1),
        HARD_BASE,
        {"eligible": True, "amount": "500.00", "line_detail": {"subsidy": "50% of 1000.00"}},
        reform={"social_insurance_subsidy.rate": "50%"},
    ),
    Case(
        "reform-rate-exactly-two-thirds",
        D(2021, 3, 1),
        _paid("0.10"),
        {"eligible": True, "amount": "0.06"},
        reform={"social_insurance_subsidy.rate": "2/3"},
    ),
]


@pytest.mark.parametrize("case", SOCIAL, ids=_name)
def test_social_insurance_subsidy(case: Case) -> None:
    """Each social-insurance subsidy case gives its expected decision."""
    _run("social_insurance_subsidy", case)


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


ACCIDENT = [
    Case(
        "below-the-cap",
        D(2021, 12, 31),
        ACCIDENT_BASE,
        {"eligible": True, "amount": "60.00", "failed": (), "lines": {"2021": "60.00"}},
    ),
    Case(
        "above-the-cap",
        D(2021, 12, 31),
        _premiums(("2021-03-01", "150")),
        {"eligible": True, "amount": "100.00", "lines": {"2021": "100.00"}},
    ),
    Case(
        "premiums-of-one-year-add-up-to-the-cap",
        D(2021, 12, 31),
        _premiums(("2021-03-01", "70"), ("2021-09-01", "50")),
        {"eligible": True, "amount": "100.00", "lines": {"2021": "100.00"}},
    ),
    Case(
        "two-years-two-lines",
        D(2022, 6, 1),
        _premiums(("2021-03-01", "80"), ("2022-02-01", "130.50")),
        {
            "eligible": True,
            "amount": "180.00",
            "lines": {"2021": "80.00", "2022": "100.00"},
            "line_detail": {"2022": "premiums 130.50; cap 100.00 a year"},
        },
    ),
    Case(
        "premium-in-the-notice-year-before-its-day-counted",  # "premiums paid that year"
        D(2021, 12, 31),
        _premiums(("2021-01-10", "60")),
        {"eligible": True, "amount": "60.00", "lines": {"2021": "60.00"}},
    ),
    Case(
        "premium-in-a-year-before-the-notice-not-counted",
        D(2021, 12, 31),
        _premiums(("2020-12-31", "60")),
        {"eligible": False, "amount": "0.00", "failed": ("premium_paid",)},
    ),
    Case(
        "premiums-either-side-of-the-issue-date-counted-together",
        D(2021, 12, 31),
        _premiums(("2021-01-10", "60"), ("2021-01-11", "50")),
        {"eligible": True, "amount": "100.00", "lines": {"2021": "100.00"}},
    ),
    Case(
        "premium-after-the-day-of-application-not-counted",
        D(2021, 6, 1),
        _premiums(("2021-03-01", "60"), ("2021-06-02", "30")),
        {"eligible": True, "amount": "60.00", "lines": {"2021": "60.00"}},
    ),
    Case(
        "only-premium-after-the-day-of-application",
        D(2021, 6, 1),
        _premiums(("2021-06-02", "30")),
        {"eligible": False, "failed": ("premium_paid",)},
    ),
    Case(
        "covered-by-the-injury-pilot",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, injury_pilot_covered=True),
        {"eligible": False, "amount": "0.00", "failed": ("not_in_injury_pilot",)},
    ),
    Case(
        "not-covered-by-the-injury-pilot",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, injury_pilot_covered=False),
        {"eligible": True, "amount": "60.00"},
    ),
    Case(
        "employment-not-registered",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, employment_registered=False),
        {"eligible": False, "failed": ("employment_registered",)},
    ),
    Case(
        "employment-registration-not-given",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, employment_registered=None),
        {"eligible": False, "failed": ("employment_registered",)},
    ),
    Case(
        "no-platform",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, platform=None),
        {"eligible": False, "failed": ("platform_worker",)},
    ),
    Case(
        "other-platform",
        D(2021, 12, 31),
        _with(ACCIDENT_BASE, platform="livestreaming"),
        {"eligible": True, "amount": "60.00", "notes": ("platform or to the person",)},
    ),
    Case(
        "reform-half-below-the-cap",
        D(2021, 12, 31),
        ACCIDENT_BASE,
        {"eligible": True, "amount": "30.00"},
        reform={"accident_insurance_subsidy.proportion": "50%"},
    ),
    Case(
        "reform-half-rounds-half-up",
        D(2021, 12, 31),
        _premiums(("2021-03-01", "50.01")),
        {"eligible": True, "amount": "25.01"},
        reform={"accident_insurance_subsidy.proportion": "50%"},
    ),
    Case(
        "reform-half-rounds-half-up-each-year",
        D(2022, 12, 31),
        _premiums(("2021-03-01", "0.03"), ("2022-03-01", "0.01")),
        {"eligible": True, "amount": "0.03", "lines": {"2021": "0.02", "2022": "0.01"}},
        reform={"accident_insurance_subsidy.proportion": "50%"},
    ),
    Case(
        "reform-half-still-capped",
        D(2021, 12, 31),
        _premiums(("2021-03-01", "300")),
        {"eligible": True, "amount": "100.00"},
        reform={"accident_insurance_subsidy.proportion": "50%"},
    ),
]


@pytest.mark.parametrize("case", ACCIDENT, ids=_name)
def test_accident_insurance_subsidy(case: Case) -> None:
    """Each accident-insurance subsidy case gives its expected decision."""
    _run("accident_insurance_subsidy", case)


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


def _tax_lines(*cuts: str, left: str) -> dict[str, str]:
    keys = (
        "vat",
        "urban_maintenance",
        "education_surcharge",
        "local_education_surcharge",
        "individual_income",
    )
    return {**dict(zip(keys, cuts, strict=True)), "quota_left": left}


TAX = [
    Case(
        "quota-exhausted-part-way-through-in-order",
        TAX_ON,
        _with(TAX_BASE, tax_due=ALL_TAXES),
        {
            "eligible": True,
            "amount": "14400.00",
            "failed": (),
            "lines": _tax_lines("10000.00", "3000.00", "1400.00", "0.00", "0.00", left="0.00"),
            "line_detail": {"education_surcharge": "due 2000.00"},
        },
    ),
    Case(
        "quota-exhausted-exactly-at-the-end",
        TAX_ON,
        _with(
            TAX_BASE,
            tax_due={**ALL_TAXES, "vat": "3400", "individual_income": "5000"},
        ),
        {
            "amount": "14400.00",
            "lines": _tax_lines("3400.00", "3000.00", "2000.00", "1000.00", "5000.00", left="0.00"),
        },
    ),
    Case(
        "quota-larger-than-all-tax-due",
        TAX_ON,
        _with(TAX_BASE, tax_due={"vat": "1000", "individual_income": "500.50"}),
        {
            "eligible": True,
            "amount": "1500.50",
            "lines": _tax_lines("1000.00", "0.00", "0.00", "0.00", "500.50", left="12899.50"),
            "line_detail": {"urban_maintenance": "due 0.00"},
        },
    ),
    Case(
        "missing-taxes-count-as-nothing-due",
        TAX_ON,
        TAX_BASE,
        {
            "eligible": True,
            "amount": "0.00",
            "lines": _tax_lines("0.00", "0.00", "0.00", "0.00", "0.00", left="14400.00"),
        },
    ),
    Case(
        "income-tax-last",
        TAX_ON,
        _with(TAX_BASE, tax_due={"individual_income": "20000", "vat": "14000"}),
        {
            "amount": "14400.00",
            "lines": _tax_lines("14000.00", "0.00", "0.00", "0.00", "400.00", left="0.00"),
        },
    ),
    *[
        Case(
            f"group-{group}",
            TAX_ON,
            _with(TAX_BASE, groups=[group], tax_due={"vat": "100"}),
            {"eligible": True, "amount": "100.00", "failed": ()},
        )
        for group in ("veteran", "poverty", "unemployed", "laid_off", "graduate")
    ],
    *[
        Case(
            f"not-a-group-{group}",
            TAX_ON,
            _with(TAX_BASE, groups=[group], tax_due={"vat": "100"}),
            {"eligible": False, "amount": "0.00", "failed": ("key_group",), "lines": {}},
        )
        for group in ("farmer", "hard_to_employ", "migrant_worker")
    ],
    Case(
        "enterprise",
        TAX_ON,
        _with(TAX_BASE, business_type="enterprise", tax_due={"vat": "100"}),
        {"eligible": False, "amount": "0.00", "failed": ("individual_business",)},
    ),
    Case(
        "last-day-of-the-36th-month",
        D(2024, 2, 29),
        _with(TAX_BASE, tax_due={"vat": "100"}),
        {"eligible": True, "amount": "100.00"},
    ),
    Case(
        "first-day-after-36-months",
        D(2024, 3, 1),
        _with(TAX_BASE, tax_due={"vat": "100"}),
        {"eligible": False, "failed": ("within_period",), "detail": {"within_period": "36"}},
    ),
    Case(
        "licence-after-the-day-of-application",
        D(2021, 3, 14),
        _with(TAX_BASE, tax_due={"vat": "100"}),
        {"eligible": False, "failed": ("within_period",)},
    ),
    Case(
        "no-licence-date",
        TAX_ON,
        _with(TAX_BASE, first_license_on=None),
        {"eligible": False, "failed": ("within_period",)},
    ),
    Case(
        "reform-of-the-quota",
        TAX_ON,
        _with(TAX_BASE, tax_due=ALL_TAXES),
        {
            "amount": "12000.00",
            "lines": _tax_lines("10000.00", "2000.00", "0.00", "0.00", "0.00", left="0.00"),
        },
        reform={"tax_relief.annual_quota": "12000"},
    ),
]


@pytest.mark.parametrize("case", TAX, ids=_name)
def test_tax_relief(case: Case) -> None:
    """Each tax-relief case gives its expected decision."""
    decision = _run("tax_relief", case)
    counted = [line for line in decision.lines if line.counted]
    if decision.eligible:
        assert decision.amount == sum((line.amount for line in counted), Decimal(0))
        assert [line.key for line in decision.lines if not line.counted] == ["quota_left"]


# --- Measure 5: the fee exemptions -----------------------------------------------------

REGISTRATION = "real-estate registration fee"
DRIVING_TEST = "driving-test fee"
FEES = [
    Case(
        "individual-business",
        D(2021, 5, 1),
        {"id": "F1", "business_type": "individual_business"},
        {
            "eligible": True,
            "amount": None,
            "failed": ("farmer",),
            "notes": (REGISTRATION,),
            "no_notes": (DRIVING_TEST,),
        },
    ),
    Case(
        "farmer",
        D(2021, 5, 1),
        {"id": "F2", "groups": ["farmer"]},
        {
            "eligible": True,
            "amount": None,
            "failed": ("individual_business",),
            "notes": (DRIVING_TEST,),
            "no_notes": (REGISTRATION,),
        },
    ),
    Case(
        "both",
        D(2021, 5, 1),
        {"id": "F3", "groups": ["farmer"], "business_type": "individual_business"},
        {"eligible": True, "amount": None, "failed": (), "notes": (REGISTRATION, DRIVING_TEST)},
    ),
    Case(
        "neither",
        D(2021, 5, 1),
        {"id": "F4", "groups": ["graduate"], "business_type": "enterprise"},
        {
            "eligible": False,
            "amount": "0.00",
            "failed": ("individual_business", "farmer"),
            "no_notes": (REGISTRATION, DRIVING_TEST),
        },
    ),
    Case(
        "before-the-notice",
        D(2021, 1, 10),
        {"id": "F5", "groups": ["farmer"]},
        {"eligible": False, "amount": "0.00", "reasons": ("in_force",)},
    ),
]


@pytest.mark.parametrize("case", FEES, ids=_name)
def test_fee_exemptions(case: Case) -> None:
    """Each fee-exemption case gives its expected decision."""
    decision = _run("fee_exemptions", case)
    assert decision.parameters == ()


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

LABOUR = [
    Case(
        "eligible-without-a-standard",
        D(2021, 6, 1),
        PLACEMENT_BASE,
        {"eligible": True, "amount": None, "failed": (), "notes": ("cannot be determined",)},
    ),
    Case(
        "eligible-with-a-standard",
        D(2021, 6, 1),
        PLACEMENT_BASE,
        {"eligible": True, "amount": "300.00", "no_notes": ("cannot be determined",)},
        reform=STANDARD,
    ),
    Case(
        "standard-with-fen",
        D(2021, 6, 1),
        PLACEMENT_BASE,
        {"eligible": True, "amount": "250.55"},
        reform={"labour_intermediary_subsidy.standard": "250.55"},
    ),
    *[
        Case(
            f"{field}-fails-alone",
            D(2021, 6, 1),
            _with(PLACEMENT_BASE, **{field: value}),
            {"eligible": False, "amount": "0.00", "failed": (code,)},
            reform=STANDARD,
        )
        for field, value, code in [
            ("rural_labourer", False, "rural_labourer"),
            ("village_collective_intermediary", False, "village_collective"),
            ("employer_in_city", False, "employer_in_city"),
            ("contract_months", 11, "contract"),
            ("employee_insurance_paid", False, "insured"),
        ]
    ],
    Case(
        "contract-months-not-given",
        D(2021, 6, 1),
        _with(PLACEMENT_BASE, contract_months=None),
        {"eligible": False, "failed": ("contract",)},
    ),
    Case(
        "contract-of-36-months",
        D(2021, 6, 1),
        _with(PLACEMENT_BASE, contract_months=36),
        {"eligible": True, "amount": "300.00"},
        reform=STANDARD,
    ),
    Case(
        "insurance-not-given",
        D(2021, 6, 1),
        _with(PLACEMENT_BASE, employee_insurance_paid=None),
        {"eligible": False, "failed": ("insured",)},
    ),
]


@pytest.mark.parametrize("case", LABOUR, ids=_name)
def test_labour_intermediary_subsidy(case: Case) -> None:
    """Each labour-intermediary case gives its expected decision."""
    _run("labour_intermediary_subsidy", case)


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
    """Each ParameterUse names a parameter of the policy used, with that parameter's source."""
    for decision, policy in _corpus():
        if decision.reasons[0].held:
            names = BENEFITS[decision.benefit].parameters
            assert tuple(use.name for use in decision.parameters) == names
        else:
            assert decision.parameters == ()
        for use in decision.parameters:
            param = policy.parameters[use.name]
            assert use.source == param.source
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


def test_evaluate_all_returns_the_six_applicant_benefits() -> None:
    """evaluate_all decides each of the six applicant benefits, equal to evaluate's."""
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
    assert "fee_exemptions: 3 eligible, total 0.00 yuan, 3 undetermined" in text


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
