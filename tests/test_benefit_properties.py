"""Properties of the benefit formulas and batches, checked with hypothesis.

Records are built from strategies: dates in 2019-2026, amounts as integer fen written
as ``"yuan.ff"`` strings, so every amount is exact.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy.benefits import APPLICANT_BENEFITS, Decision, evaluate, evaluate_many
from yantai_policy.benefits.records import GROUPS, TAXES
from yantai_policy.benefits.tax_relief import deduct
from yantai_policy.formula_parameters import DECLARED
from yantai_policy.parameters import Unit

FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
DATES = st.dates(FIRST_DAY, LAST_DAY)
FEN = st.integers(0, 5_000_000)
"""Up to 50,000 yuan."""
SMALL_FEN = st.integers(0, 30_000)
"""Up to 300 yuan: around the accident subsidy's cap."""
PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def yuan(fen: int) -> str:
    """Write integer fen as a ``yuan.ff`` string."""
    return f"{fen // 100}.{fen % 100:02d}"


def month_label(index: int) -> str:
    """Write a month index (year * 12 + month - 1) as ``YYYY-MM``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def amount_of(decision: Decision) -> Decimal:
    """Return a decision's amount, which these formulas always determine."""
    assert decision.amount is not None
    return decision.amount


@functools.cache
def reform(overrides: tuple[tuple[str, str], ...]) -> yp.Policy:
    """Return the built-in plan with some parameters changed (cached)."""
    return yp.load_policy().with_parameters(dict(overrides))


# --- Strategies ------------------------------------------------------------------------


@st.composite
def social_records(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    """A social-insurance applicant, with contributions around their flexible employment."""
    since = draw(st.dates(dt.date(2020, 10, 1), dt.date(2024, 12, 31)))
    first = since.year * 12 + since.month - 1
    paid = draw(st.dictionaries(st.integers(first - 3, first + 40), FEN, min_size=1, max_size=12))
    groups = draw(
        st.sampled_from(
            [["hard_to_employ"], ["graduate"], ["graduate", "hard_to_employ"], ["farmer"], []]
        )
    )
    record: dict[str, Any] = {
        "id": "S",
        "groups": groups,
        "flexible_since": since.isoformat(),
        "contributions": [{"month": month_label(m), "amount": yuan(f)} for m, f in paid.items()],
    }
    if draw(st.integers(0, 3)):
        left = since - dt.timedelta(days=draw(st.integers(0, 900)))
        record["left_school_on"] = max(left, FIRST_DAY).isoformat()
    on = min(since + dt.timedelta(days=draw(st.integers(-30, 1500))), LAST_DAY)
    return record, on


@st.composite
def premium_records(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    """A platform worker's premiums, and a day of application."""
    premiums = draw(st.lists(st.tuples(DATES, SMALL_FEN), max_size=8))
    record = {
        "id": "P",
        "platform": draw(st.sampled_from(["express", "food_delivery", "e_commerce", "other"])),
        "employment_registered": True,
        "accident_premiums": [{"paid_on": d.isoformat(), "amount": yuan(f)} for d, f in premiums],
    }
    return record, draw(st.dates(dt.date(2021, 1, 11), LAST_DAY))


TAX_DUE = st.dictionaries(st.sampled_from(TAXES), st.integers(0, 2_000_000))
"""Tax due, up to 20,000 yuan each: sometimes under the 14,400-yuan quota, sometimes over."""
QUOTAS = st.sampled_from(["14400", "12000", "5000.50", "0", "100000"])


def tax_record(due: dict[str, int]) -> dict[str, Any]:
    """A veteran's individual business within the relief period, with this tax due."""
    return {
        "id": "T",
        "groups": ["veteran"],
        "business_type": "individual_business",
        "first_license_on": "2021-06-15",
        "tax_due": {tax: yuan(fen) for tax, fen in due.items()},
    }


TAX_ON = dt.date(2022, 1, 1)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The strategy, or None (which the contract reads as absent)."""
    return st.none() | strategy


@st.composite
def applicants(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid applicant record."""
    iso = DATES.map(dt.date.isoformat)
    boolean = st.sampled_from([True, True, True, False, None])
    fields: dict[str, Any] = {
        "groups": st.lists(st.sampled_from(sorted(GROUPS)), unique=True, max_size=3),
        "left_school_on": iso,
        "flexible_since": iso,
        "platform": st.sampled_from(["express", "food_delivery", "livestream"]),
        "employment_registered": boolean,
        "business_type": st.sampled_from(["individual_business", "enterprise"]),
        "first_license_on": iso,
        "operating": boolean,
        "pays_employee_insurance": boolean,
        "startup_subsidy_received": boolean,
        "contributions": st.dictionaries(
            st.integers(2019 * 12, 2026 * 12 + 11), FEN, max_size=8
        ).map(lambda d: [{"month": month_label(m), "amount": yuan(f)} for m, f in d.items()]),
        "accident_premiums": st.lists(st.tuples(iso, SMALL_FEN), max_size=4).map(
            lambda ps: [{"paid_on": d, "amount": yuan(f)} for d, f in ps]
        ),
        "injury_pilot_covered": boolean,
        "tax_due": TAX_DUE.map(lambda d: {k: yuan(v) for k, v in d.items()}),
        "loan": optional(
            st.fixed_dictionaries(
                {
                    "kind": st.sampled_from(["individual", "partnership"]),
                    "amount": st.integers(0, 100_000_000).map(yuan),
                }
            )
        ),
    }
    record: dict[str, Any] = {"id": draw(st.integers(0, 10**6) | st.text(min_size=1, max_size=8))}
    for name, strategy in fields.items():
        if draw(st.integers(0, 3)):  # three fields in four are given
            record[name] = draw(strategy)
    return record


CORRUPTIONS: list[tuple[str, object, str]] = [
    ("groups", "graduate", "groups"),
    ("groups", ["graduate", "student"], "groups[1]"),
    ("operating", "yes", "operating"),
    ("contribution", [], "contribution"),
    ("first_license_on", "2021-02-30", "first_license_on"),
    ("loan", {"kind": "personal", "amount": "1"}, "loan.kind"),
    ("contributions", [{"month": "2021-01", "amount": "-1"}], "contributions[0].amount"),
    (
        "accident_premiums",
        [{"paid_on": "2021-03-01", "amount": True}],
        "accident_premiums[0].amount",
    ),
    ("tax_due", {"vatt": "1"}, "tax_due.vatt"),
    ("id", None, "id"),
]


@st.composite
def invalid_applicants(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """An applicant record with one field broken, and the field the error must name."""
    record = draw(applicants())
    key, value, field = draw(st.sampled_from(CORRUPTIONS))
    return {**record, key: value}, field


# --- Paying more never lowers a subsidy ------------------------------------------------


@PROPERTIES
@given(case=social_records(), month=st.integers(-3, 40), extra=st.integers(1, 1_000_000))
def test_paying_more_never_lowers_the_social_insurance_subsidy(
    case: tuple[dict[str, Any], dt.date], month: int, extra: int
) -> None:
    """Paying more in any month (or in one more month) never lowers the social-insurance subsidy."""
    record, on = case
    before = amount_of(evaluate("social_insurance_subsidy", record, on=on))
    since = dt.date.fromisoformat(record["flexible_since"])
    label = month_label(since.year * 12 + since.month - 1 + month)
    paid = {c["month"]: c["amount"] for c in record["contributions"]}
    fen = round(Decimal(paid.get(label, "0")) * 100)
    paid[label] = yuan(fen + extra)
    more = {**record, "contributions": [{"month": m, "amount": a} for m, a in paid.items()]}
    after = amount_of(evaluate("social_insurance_subsidy", more, on=on))
    assert after >= before


@PROPERTIES
@given(
    case=premium_records(),
    index=st.integers(0, 7),
    extra=st.integers(1, 30_000),
    day=DATES,
)
def test_paying_more_never_lowers_the_accident_subsidy(
    case: tuple[dict[str, Any], dt.date], index: int, extra: int, day: dt.date
) -> None:
    """A larger premium, or one more premium, never lowers the accident-insurance subsidy."""
    record, on = case
    before = amount_of(evaluate("accident_insurance_subsidy", record, on=on))
    premiums = [dict(p) for p in record["accident_premiums"]]
    if index < len(premiums):
        fen = round(Decimal(premiums[index]["amount"]) * 100)
        premiums[index]["amount"] = yuan(fen + extra)
    else:
        premiums.append({"paid_on": day.isoformat(), "amount": yuan(extra)})
    more = {**record, "accident_premiums": premiums}
    after = amount_of(evaluate("accident_insurance_subsidy", more, on=on))
    assert after >= before


@PROPERTIES
@given(due=TAX_DUE, tax=st.sampled_from(TAXES), extra=st.integers(1, 1_000_000))
def test_more_tax_due_never_lowers_the_relief(due: dict[str, int], tax: str, extra: int) -> None:
    """More tax due on any tax never lowers the total deducted."""
    before = amount_of(evaluate("tax_relief", tax_record(due), on=TAX_ON))
    more = {**due, tax: due.get(tax, 0) + extra}
    after = amount_of(evaluate("tax_relief", tax_record(more), on=TAX_ON))
    assert after >= before


# --- Caps ------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["65%", "2/3", "1/2", "0.6666"])
@PROPERTIES
@given(case=social_records())
def test_social_insurance_subsidy_never_exceeds_two_thirds_of_what_was_paid(
    rate: str, case: tuple[dict[str, Any], dt.date]
) -> None:
    """The social-insurance subsidy never exceeds 2/3 of everything paid, whatever rate up to 2/3."""
    record, on = case
    policy = reform((("social_insurance_subsidy.rate", rate),))
    decision = evaluate("social_insurance_subsidy", record, on=on, policy=policy)
    total = sum(Decimal(c["amount"]) for c in record["contributions"])
    assert amount_of(decision) * 3 <= total * 2
    subsidy = [line for line in decision.lines if line.key == "subsidy"]
    if decision.eligible:
        (line,) = subsidy
        assert line.amount == decision.amount
        counted = sum((line.amount for line in decision.lines if not line.counted), Decimal(0))
        assert decision.amount * 3 <= counted * 2
        ratio = policy.parameters["social_insurance_subsidy.rate"].at(on)
        assert isinstance(ratio, Fraction)
        half_up = int(Fraction(int(counted * 100)) * ratio + Fraction(1, 2))
        assert decision.amount * 100 <= half_up


@PROPERTIES
@given(case=premium_records())
def test_accident_subsidy_never_exceeds_100_yuan_a_year(
    case: tuple[dict[str, Any], dt.date],
) -> None:
    """Each calendar year's accident subsidy line is at most 100.00, and the lines add up."""
    record, on = case
    decision = evaluate("accident_insurance_subsidy", record, on=on)
    years = [int(line.key) for line in decision.lines]
    assert years == sorted(set(years))
    for line in decision.lines:
        assert Decimal(0) <= line.amount <= Decimal("100.00")
        assert 2021 <= int(line.key) <= on.year
    assert decision.amount == sum((line.amount for line in decision.lines), Decimal(0))
    assert amount_of(decision) <= 100 * len(decision.lines)


# --- Tax deductions --------------------------------------------------------------------


def check_deductions(
    cuts: list[tuple[str, int]], left: int, quota: int, due: dict[str, int]
) -> None:
    """Assert the deduction rules of measure 5 on one result."""
    assert [tax for tax, _ in cuts] == list(TAXES)
    assert sum(cut for _, cut in cuts) + left == quota
    assert left >= 0
    covered = True
    for tax, cut in cuts:
        assert 0 <= cut <= quota
        assert cut <= due.get(tax, 0)
        if cut > 0:
            assert covered, (tax, cuts, due)
        covered = covered and cut == due.get(tax, 0)
    if left > 0:
        assert all(cut == due.get(tax, 0) for tax, cut in cuts)


@settings(max_examples=200, deadline=None)
@given(quota=st.integers(0, 5_000_000), due=TAX_DUE)
def test_deduct_follows_the_order_and_the_quota(quota: int, due: dict[str, int]) -> None:
    """Deductions never exceed the quota nor each tax due, follow the order, and add up to the quota."""
    cuts, left = deduct(quota, due)
    check_deductions(cuts, left, quota, due)


@PROPERTIES
@given(due=TAX_DUE, quota=QUOTAS)
def test_tax_relief_lines_follow_the_deduction_rules(due: dict[str, int], quota: str) -> None:
    """A tax-relief decision's lines obey the deduction rules and the amount is their total."""
    policy = reform((("tax_relief.annual_quota", quota),))
    decision = evaluate("tax_relief", tax_record(due), on=TAX_ON, policy=policy)
    assert decision.eligible
    fen = {line.key: int(line.amount * 100) for line in decision.lines}
    left = fen.pop("quota_left")
    cuts = [(tax, fen[tax]) for tax in TAXES]
    check_deductions(cuts, left, int(Decimal(quota) * 100), due)
    assert amount_of(decision) * 100 == sum(cut for _, cut in cuts)


# --- Batches ---------------------------------------------------------------------------


@PROPERTIES
@given(
    batch=st.lists(
        st.one_of(
            applicants().map(lambda r: (r, None)),
            invalid_applicants(),
        ),
        max_size=15,
    ),
    start=st.integers(1, 1000),
    on=DATES,
)
def test_batch_yields_one_row_per_record(
    batch: list[tuple[dict[str, Any], str | None]], start: int, on: dt.date
) -> None:
    """A batch of valid and invalid records yields exactly one row per record, errors in place."""
    records = [record for record, _ in batch]
    rows = list(evaluate_many(records, on=on, start=start))
    assert len(rows) == len(records)
    for number, (row, (record, field)) in enumerate(zip(rows, batch, strict=True), start):
        assert row.row == number
        if field is None:
            assert row.error is None
            assert tuple(o.benefit for o in row.outcomes) == APPLICANT_BENEFITS
            assert row.id == str(record["id"])
        else:
            assert row.error is not None
            assert row.outcomes == ()
            assert row.error.row == number
            assert row.error.field == field


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(records=st.lists(applicants(), min_size=1, max_size=8), on=DATES)
def test_batch_outcomes_agree_with_evaluate(records: list[dict[str, Any]], on: dt.date) -> None:
    """Every outcome of a batch equals the evaluate decision's (eligible, amount)."""
    for row, record in zip(evaluate_many(records, on=on), records, strict=True):
        assert row.error is None
        for outcome in row.outcomes:
            decision = evaluate(outcome.benefit, record, on=on)
            assert (outcome.eligible, outcome.amount) == (decision.eligible, decision.amount)


# --- Parameter overrides: refused at with_parameters, or every formula runs ------------

_BASE = yp.load_policy()
_NUMBERS: st.SearchStrategy[Any] = st.one_of(
    st.integers(-(10**70), 10**70),
    st.integers(0, 2_000),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=0, max_value=10**8, places=2),
    st.fractions(min_value=0, max_value=2),
    st.fractions(min_value=0, max_value=1, max_denominator=10**70),
)
_HUGE: st.SearchStrategy[Any] = st.one_of(  # built lazily: over 4,300 digits, no repr
    st.builds(pow, st.just(10), st.just(5000)),
    st.builds(Fraction, st.just(1), st.builds(pow, st.just(10), st.just(5000))),
)
_WRITTEN: st.SearchStrategy[Any] = st.one_of(
    _NUMBERS.map(str),
    st.integers(0, 10**9).map(lambda n: f"{n / 100:.2f}"),
    st.integers(-10, 300).map(lambda n: f"{n}%"),
    st.from_regex(r"-?\d{1,80}(\.\d{1,5})?(/\d{1,80})?%?", fullmatch=True),
    st.dates().map(dt.date.isoformat),
    st.text(max_size=12),
)
_VALUES: st.SearchStrategy[Any] = st.one_of(
    _NUMBERS,
    _HUGE,
    _WRITTEN,
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.floats(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
_KEYS: st.SearchStrategy[Any] = st.one_of(
    st.dates(),
    st.dates().map(dt.date.isoformat),
    st.datetimes(),
    st.integers(),
    st.text(max_size=12),
    st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
)
_FITTING = {  # values of each unit around its declared bounds: mostly accepted
    Unit.YUAN: st.one_of(
        st.integers(0, 2 * 10**9).map(yuan),
        st.decimals(min_value=0, max_value=10**8, places=2),
        st.sampled_from(["0", "10000000.00", "100000000.00", "10000000.01"]),
        st.integers(0, 10**20).map(str),
    ),
    Unit.RATIO: st.one_of(
        st.fractions(min_value=0, max_value=Fraction(11, 10), max_denominator=10**59),
        st.integers(0, 110).map(lambda n: f"{n}%"),
        st.sampled_from(["0", "1", "2/3", "1/99999999999999999999999999999999999999999"]),
        st.integers(0, 10**20),
    ),
    Unit.MONTHS: st.integers(1, 1300) | st.integers(1, 10**20),
    Unit.YEARS: st.integers(1, 110) | st.integers(1, 10**20),
    Unit.DATE: st.dates(dt.date(1850, 1, 1), dt.date(3100, 12, 31)),
}


@st.composite
def fitting_overrides(draw: st.DrawFn) -> dict[str, Any]:
    """Overrides of declared parameters with values of their unit, near and past the bounds."""
    names = draw(st.lists(st.sampled_from(sorted(DECLARED)), unique=True, min_size=1, max_size=4))
    out: dict[str, Any] = {}
    for name in names:
        value = _FITTING[DECLARED[name].unit]
        if draw(st.booleans()):
            out[name] = draw(value)
        else:
            out[name] = draw(st.dictionaries(st.dates(), st.none() | value, max_size=3))
    return out


_OVERRIDES: st.SearchStrategy[Any] = st.one_of(
    fitting_overrides(),
    fitting_overrides(),
    st.dictionaries(
        st.one_of(st.sampled_from(sorted(_BASE.parameters)), st.text(max_size=20), st.integers()),
        st.one_of(_VALUES, st.dictionaries(_KEYS, _VALUES, max_size=3)),
        max_size=4,
    ),
    st.text(max_size=5),
    st.lists(st.text(max_size=5), max_size=2),
    st.none(),
)
_EXTREME: dict[str, Any] = {
    "id": "edge",
    "groups": ["graduate", "hard_to_employ"],
    "left_school_on": "2999-12-30",
    "flexible_since": "2999-12-31",
    "business_type": "individual_business",
    "first_license_on": "1900-01-01",
    "operating": True,
    "pays_employee_insurance": True,
    "contributions": [{"month": "2999-12", "amount": "90071992547409.91"}],
    "accident_premiums": [{"paid_on": "2999-12-31", "amount": "90071992547409.91"}],
    "tax_due": dict.fromkeys(TAXES, "90071992547409.91"),
    "loan": {"kind": "partnership", "amount": "90071992547409.91"},
}
_PLACEMENT = {
    "id": "P1",
    "rural_labourer": True,
    "village_collective_intermediary": True,
    "employer_in_city": True,
    "contract_months": 2**62,
    "employee_insurance_paid": True,
}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    overrides=_OVERRIDES,
    allow=st.booleans(),
    records=st.lists(applicants(), min_size=1, max_size=3),
    on=st.dates(dt.date(2021, 1, 11), dt.date(2999, 12, 31)),
)
def test_an_override_is_refused_at_once_or_every_formula_runs(
    overrides: Any,
    allow: bool,
    records: list[dict[str, Any]],
    on: dt.date,
) -> None:
    """with_parameters raises ParameterError (or UnknownNameError), or no formula fails later."""
    from yantai_policy.parameters import ParameterError  # noqa: PLC0415

    try:
        policy = _BASE.with_parameters(overrides, allow_above_cap=allow)
    except (ParameterError, yp.UnknownNameError) as error:
        event(f"refused: {type(error).__name__}")
        return
    event("accepted" if policy is not _BASE and overrides else "accepted, nothing changed")
    every_formula_runs(policy, records, on)


def every_formula_runs(policy: yp.Policy, records: list[dict[str, Any]], on: dt.date) -> None:
    """Run every formula through every path on the records and an extreme one: no error."""
    from yantai_policy.benefits import evaluate_all, pension_contribution_schedule  # noqa: PLC0415
    from yantai_policy.benefits.frame import evaluate_frame  # noqa: PLC0415

    applicants_ = [*records, _EXTREME]
    for record in applicants_:
        for decision in evaluate_all(record, on=on, policy=policy).values():
            decision.explain()
            decision.explain("zh")
            assert Decision.from_dict(decision.to_dict()) == decision
    rows = list(evaluate_many(applicants_, on=on, policy=policy))
    assert all(row.error is None for row in rows)
    evaluate("labour_intermediary_subsidy", _PLACEMENT, on=on, policy=policy).explain()
    import pandas as pd  # noqa: PLC0415 - pandas only where the frame path runs

    frame = evaluate_frame(pd.DataFrame(applicants_), on, policy=policy)
    assert len(frame) == len(applicants_)
    rate = policy.parameters["pension.contribution_rate"]
    year = max(on.year, 2022)
    if rate.at(dt.date(year, 1, 1)) is not None:
        schedule = pension_contribution_schedule(
            year, "monthly", "4567.89", lower="3000", upper="20000", policy=policy
        )
        assert len(schedule.periods) == 12


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    data=st.data(),
    records=st.lists(applicants(), min_size=1, max_size=2),
    on=st.dates(dt.date(2021, 1, 11), dt.date(2999, 12, 31)),
)
def test_a_plan_is_refused_at_load_or_every_formula_runs(
    plan_data: dict[str, Any],
    data: st.DataObject,
    records: list[dict[str, Any]],
    on: dt.date,
) -> None:
    """A plan with a declared parameter's values spoilt: PolicyDataError at load, or no failure later."""
    from yantai_policy.loading import policy_from_dict  # noqa: PLC0415

    spoilt = fitting_overrides() | st.dictionaries(
        st.sampled_from(sorted(DECLARED)),
        st.dictionaries(st.dates().map(dt.date.isoformat), _VALUES, max_size=2),
        max_size=2,
    )
    plan = copy.deepcopy(plan_data)
    for name, value in data.draw(spoilt).items():
        values = value if isinstance(value, dict) else {"2021-01-11": value}
        plan["parameters"][name]["values"] = {str(day): v for day, v in values.items()}
    try:
        policy = policy_from_dict(plan)
    except yp.PolicyDataError as error:
        event(f"refused at {error.path.split('.')[0]}")
        return
    event("loaded")
    every_formula_runs(policy, records, on)
