"""evaluate_frame: the vectorised path agrees exactly with evaluate_many, row by row."""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy import benefits
from yantai_policy.benefits.columns import MAX_FEN, period_end_days
from yantai_policy.benefits.columns import scaled as _scaled
from yantai_policy.benefits.frame import FRAME_BENEFITS, _read, evaluate_frame
from yantai_policy.benefits.periods import fen_to_yuan, fens_to_yuan, holds_after, period_end
from yantai_policy.benefits.records import LOAN_KINDS, TAXES, RecordError
from yantai_policy.errors import PolicyError, UnknownNameError

BASE = yp.load_policy()
REFORMS = {
    "baseline": BASE,
    "generous": BASE.with_parameters(
        {
            "social_insurance_subsidy.rate": "60%",
            "startup_subsidy.amount": "6000.50",
            "startup_subsidy.operating_months": 12,
            "tax_relief.period_months": 12,
            "guaranteed_loan.expanded_scope_until": "2023-06-30",
            "accident_insurance_subsidy.proportion": "7/9",
            "social_insurance_subsidy.max_months_graduate": 6,
            "skills_upgrading_subsidy.standard": "1000",
            "vocational_training_subsidy.standard": "500.50",
        }
    ),
    "ended": BASE.with_parameters(
        {
            "social_insurance_subsidy.rate": {"2021-01-11": "65%", "2022-01-01": None},
            "startup_subsidy.amount": {"2021-01-11": None},
            "startup_subsidy.operating_months": {"2021-01-11": 6, "2023-01-01": None},
            "social_insurance_subsidy.graduate_window_years": {"2021-01-11": None},
            "social_insurance_subsidy.max_months_hard_to_employ": {"2021-01-11": None},
            "accident_insurance_subsidy.annual_cap": {"2021-01-11": None},
            "tax_relief.annual_quota": {"2021-01-11": None},
            "guaranteed_loan.cap_partnership": {"2021-01-11": None},
            # A standard supplied, then ended: undetermined again from 2022.
            "skills_upgrading_subsidy.standard": {"2021-01-11": "800", "2022-01-01": None},
        }
    ),
    # A rate with a large numerator takes the Python-integer path of the rounding.
    "odd_rate": BASE.with_parameters(
        {
            "social_insurance_subsidy.rate": "0.65432109876",
            "accident_insurance_subsidy.proportion": "1/3",
        }
    ),
    # Above the 2/3 cap (allowed explicitly): the cap no longer applies.
    "above_cap": BASE.with_parameters(
        {"social_insurance_subsidy.rate": "0.7"}, allow_above_cap=True
    ),
}

# ---------------------------------------------------------------- generating applicants
#
# Random records are mostly ineligible, which would test little; these sit near the
# formulas' boundaries instead: licences about 6, 12 or 36 months before the day of
# application, school-leaving about 2 years before flexible employment, months around
# the counted window's ends, premiums around the issue date and the day, loans and
# taxes around the caps and quota. ``pick`` and ``integer`` come from Hypothesis (or
# from a seeded Random, for the register test), so one generator serves both.

Pick = Callable[[Sequence[Any]], Any]
Integer = Callable[[int, int], int]
ABSENT = object()
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2026, 12, 31)
MONTH_ENDS = [
    period_end(dt.date(year, month, 1), months=1) - dt.timedelta(days=1)
    for year in range(2019, 2027)
    for month in range(1, 13)
]
SPECIAL_DAYS = [
    *MONTH_ENDS,
    dt.date(2020, 2, 29),
    dt.date(2024, 2, 29),
    dt.date(2021, 1, 10),
    dt.date(2021, 1, 11),
]
ISSUED = dt.date(2021, 1, 11)
days = st.one_of(st.dates(FIRST_DAY, LAST_DAY), st.sampled_from(SPECIAL_DAYS))
on_days = st.one_of(st.dates(dt.date(2020, 6, 1), LAST_DAY), st.sampled_from(SPECIAL_DAYS))


def make_facts(pick: Pick, integer: Integer, on: dt.date) -> dict[str, Any]:
    """One applicant's facts (amounts in fen), near the boundaries as often as not."""

    def clamp(day: dt.date) -> dt.date:
        return min(max(day, FIRST_DAY), LAST_DAY)

    def near(day: dt.date, months: int = 0) -> dt.date:
        return clamp(period_end(day, months=months) + dt.timedelta(days=integer(-2, 2)))

    def any_day() -> dt.date:
        day: dt.date = pick(
            [
                lambda: FIRST_DAY + dt.timedelta(days=integer(0, (LAST_DAY - FIRST_DAY).days)),
                lambda: pick(SPECIAL_DAYS),
            ]
        )()
        return day

    def fen() -> int:
        amount: int = pick(
            [
                lambda: integer(0, 10),
                lambda: integer(0, 300_000),
                lambda: integer(0, 10**10),
                lambda: pick([1_440_000, 20_000_000, 60_000_000, 10_000]) + integer(-2, 2),
            ]
        )()
        return amount

    out: dict[str, Any] = {}
    groups = pick(
        [
            ["hard_to_employ"],
            ["graduate"],
            ["hard_to_employ", "graduate"],
            ["veteran"],
            ["farmer", "poverty"],
            ["laid_off", "migrant_worker"],
            ["unemployed"],
            [],
            ABSENT,
        ]
    )
    out["groups"] = groups
    out["business_type"] = pick(
        ["individual_business", "individual_business", "enterprise", ABSENT]
    )
    out["first_license_on"] = pick(
        [
            lambda: near(on, -6),
            lambda: near(on, -12),
            lambda: near(on, -36),
            any_day,
            lambda: ABSENT,
        ]
    )()
    left = pick([lambda: near(on, -24), any_day, lambda: ABSENT])()
    out["left_school_on"] = left
    since_choices = [any_day, lambda: near(on, -integer(0, 40)), lambda: ABSENT]
    if left is not ABSENT:
        since_choices += [lambda: near(left, 24), lambda: near(left)]
    since = pick(since_choices)()
    out["flexible_since"] = since
    for name in ("operating", "pays_employee_insurance", "employment_registered"):
        out[name] = pick([True, True, True, False, ABSENT])
    for name in ("startup_subsidy_received", "injury_pilot_covered"):
        out[name] = pick([False, False, True, ABSENT])
    out["platform"] = pick(["food_delivery", "a local app", ABSENT])
    # The training subsidies (measures 12, 13): training completed about the day.
    out["training_completed_on"] = pick([lambda: near(on), any_day, lambda: ABSENT])()
    for name in ("training_certificate", "pilot_area"):
        out[name] = pick([True, True, False, ABSENT])
    out["platform_occupation"] = pick(["delivery_rider", "livestream_seller", "other", ABSENT])
    anchors = [on] + ([since] if since is not ABSENT else [])
    paid: dict[str, int] = {}
    for _ in range(integer(0, 8)):
        anchor = pick(anchors)
        month = period_end(dt.date(anchor.year, anchor.month, 1), months=integer(-3, 40))
        paid[f"{month.year:04d}-{month.month:02d}"] = fen()
    out["contributions"] = pick([sorted(paid.items()), list(paid.items()), ABSENT])
    premium_days = [lambda: near(ISSUED), lambda: near(on), any_day]
    out["accident_premiums"] = pick(
        [[(pick(premium_days)(), fen()) for _ in range(integer(0, 4))], ABSENT]
    )
    out["tax_due"] = pick([{tax: fen() for tax in TAXES if integer(0, 1)}, ABSENT])
    out["loan"] = pick([(pick(LOAN_KINDS), fen()), ABSENT])
    return {name: value for name, value in out.items() if value is not ABSENT}


@st.composite
def batches(draw: st.DrawFn) -> tuple[dt.date, list[dict[str, Any]]]:
    """A day of application and a few applicants."""
    on = draw(on_days)

    def pick(values: Sequence[Any]) -> Any:
        return draw(st.sampled_from(values))

    def integer(low: int, high: int) -> int:
        return draw(st.integers(low, high))

    return on, [make_facts(pick, integer, on) for _ in range(draw(st.integers(1, 12)))]


def yuan(fen: int, style: str) -> object:
    """Write fen as yuan in one of the record contract's forms."""
    whole, cents = divmod(fen, 100)
    if style == "decimal":
        return Decimal(fen).scaleb(-2)
    if style == "int" and cents == 0:
        return whole
    if cents % 10 == 0 and style == "short":
        return f"{whole}.{cents // 10}" if cents else str(whole)
    return f"{whole}.{cents:02d}"


STYLES = st.fixed_dictionaries(
    {
        "ids": st.sampled_from(["str", "int"]),
        "dates": st.sampled_from(["str", "date", "datetime64"]),
        "groups": st.sampled_from(["list", "string"]),
        "nested": st.sampled_from(["dict", "flat"]),
        "entries": st.sampled_from(["column", "frame", "shuffled", "fen", "wide"]),
        "amounts": st.sampled_from(["str", "short", "int", "decimal"]),
    }
)


def record(i: int, f: dict[str, Any], style: dict[str, str]) -> dict[str, Any]:
    """The record dict that evaluate_many takes (the contract's plain JSON forms)."""
    r: dict[str, Any] = {"id": i if style["ids"] == "int" else f"P{i}"}
    for name, value in f.items():
        if isinstance(value, dt.date):
            r[name] = value.isoformat()
        elif name == "contributions":
            r[name] = [{"month": m, "amount": yuan(a, "str")} for m, a in value]
        elif name == "accident_premiums":
            r[name] = [{"paid_on": d.isoformat(), "amount": yuan(a, "str")} for d, a in value]
        elif name == "tax_due":
            r[name] = {tax: yuan(a, "str") for tax, a in value.items()}
        elif name == "loan":
            r[name] = {"kind": value[0], "amount": yuan(value[1], "str")}
        else:
            r[name] = value
    return r


def nested(name: str, value: Any, money: str, *, flat: bool) -> dict[str, Any]:
    """``tax_due`` or ``loan`` as one column of objects, or as flattened columns."""
    if name == "tax_due":
        due = {tax: yuan(a, money) for tax, a in value.items()}
        return {f"tax_due.{tax}": a for tax, a in due.items()} if flat else {name: due}
    loan = {"kind": value[0], "amount": yuan(value[1], money)}
    return {f"loan.{key}": v for key, v in loan.items()} if flat else {name: loan}


def cells(
    ident: object, f: dict[str, Any], style: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One applicant as a row of the frame, and its long-frame rows (when long)."""
    money = style["amounts"]
    wide = style["entries"] == "wide"  # contributions.YYYY-MM columns, premiums as lists
    long = style["entries"] not in {"column", "wide"}
    amount = "amount_fen" if style["entries"] == "fen" else "amount"

    def put(a: int) -> object:
        return a if amount == "amount_fen" else yuan(a, money)

    row: dict[str, Any] = {"id": ident}
    flat = style["nested"] == "flat"
    contributions = [{"month": m, "amount": a} for m, a in f.get("contributions", [])]
    premiums = [{"paid_on": d, "amount": a} for d, a in f.get("accident_premiums", [])]
    for name, value in f.items():
        if isinstance(value, dt.date):
            row[name] = value.isoformat() if style["dates"] == "str" else value
        elif name == "groups":
            row[name] = value if style["groups"] == "list" else ";".join(value)
        elif name in {"contributions", "accident_premiums"}:
            entries = contributions if name == "contributions" else premiums
            if wide and name == "contributions":
                row.update(
                    {f"contributions.{e['month']}": yuan(e["amount"], money) for e in entries}
                )
            elif not long:
                row[name] = [{**e, "amount": yuan(e["amount"], money)} for e in entries]
        elif name in {"tax_due", "loan"}:
            row.update(nested(name, value, money, flat=flat))
        else:
            row[name] = value
    if not long:
        return row, [], []
    return (
        row,
        [{"id": ident, "month": e["month"], amount: put(e["amount"])} for e in contributions],
        [
            {"id": ident, "paid_on": e["paid_on"].isoformat(), amount: put(e["amount"])}
            for e in premiums
        ],
    )


def frames(
    all_facts: list[dict[str, Any]], style: dict[str, str], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]:
    """The same applicants as a DataFrame (and long frames), in the chosen forms."""
    rows: list[dict[str, Any]] = []
    contributions: list[dict[str, Any]] = []
    premiums: list[dict[str, Any]] = []
    for i, f in enumerate(all_facts):
        row, paid, insured = cells(i if style["ids"] == "int" else f"P{i}", f, style)
        rows.append(row)
        contributions += paid
        premiums += insured
    df = pd.DataFrame(rows)
    if style["dates"] == "datetime64":
        for name in (
            "left_school_on",
            "flexible_since",
            "first_license_on",
            "training_completed_on",
        ):
            if name in df.columns:
                df[name] = pd.to_datetime(df[name])
    if style["entries"] in {"column", "wide"}:
        return df, None, None
    if style["entries"] == "shuffled":
        shuffle = random.Random(seed).shuffle  # noqa: S311 - test data, not secrets
        shuffle(contributions)
        shuffle(premiums)
    amount = "amount_fen" if style["entries"] == "fen" else "amount"
    return (
        df,
        pd.DataFrame(contributions, columns=["id", "month", amount]),
        pd.DataFrame(premiums, columns=["id", "paid_on", amount]),
    )


def expected(records: list[dict[str, Any]], on: dt.date, policy: yp.Policy) -> dict[str, list[Any]]:
    """evaluate_many's outcomes, as columns."""
    out: dict[str, list[Any]] = {}
    for row in benefits.evaluate_many(records, on=on, policy=policy):
        assert row.error is None, row.error
        for o in row.outcomes:
            out.setdefault(f"{o.benefit}.eligible", []).append(o.eligible)
            out.setdefault(f"{o.benefit}.amount_fen", []).append(o.fen)
            out.setdefault(f"{o.benefit}.amount", []).append(o.amount)
            out.setdefault(f"{o.benefit}.unmet", []).append(";".join(o.unmet))
    return out


def actual(result: pd.DataFrame) -> dict[str, list[Any]]:
    """evaluate_frame's results, as the same plain columns."""
    out: dict[str, list[Any]] = {}
    for name in FRAME_BENEFITS:
        out[f"{name}.eligible"] = [bool(v) for v in result[f"{name}.eligible"]]
        out[f"{name}.amount_fen"] = [
            None if v is pd.NA else int(v) for v in result[f"{name}.amount_fen"]
        ]
        out[f"{name}.amount"] = list(result[f"{name}.amount"])
        out[f"{name}.unmet"] = list(result[f"{name}.unmet"])
    return out


# ---------------------------------------------------------------- agreement


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batch=batches(),
    policy=st.sampled_from(sorted(REFORMS)),
    style=STYLES,
    seed=st.integers(0, 1000),
)
def test_agrees_with_evaluate_many(
    batch: tuple[dt.date, list[dict[str, Any]]], policy: str, style: dict[str, str], seed: int
) -> None:
    """Every benefit's eligibility and amount equal evaluate_many's, in any input form."""
    on, all_facts = batch
    check_agreement(on, all_facts, policy, style, seed)


def check_agreement(
    on: dt.date, all_facts: list[dict[str, Any]], policy: str, style: dict[str, str], seed: int
) -> dict[str, list[Any]]:
    """Assert evaluate_frame equals evaluate_many on these applicants; return the outcomes."""
    records = [record(i, f, style) for i, f in enumerate(all_facts)]
    df, contributions, premiums = frames(all_facts, style, seed)
    result = evaluate_frame(
        df, on, policy=REFORMS[policy], contributions=contributions, premiums=premiums
    )
    want = expected(records, on, REFORMS[policy])
    got = actual(result)
    for column, values in want.items():
        assert got[column] == values, column
    # The Decimals are the same to the exponent: 5000.00, not 5E+3.
    for name in FRAME_BENEFITS:
        assert [str(v) for v in got[f"{name}.amount"]] == [str(v) for v in want[f"{name}.amount"]]
    assert list(result["id"]) == list(df["id"])
    return want


@pytest.mark.parametrize("seed", range(4))
def test_agrees_on_a_register(seed: int) -> None:
    """A few thousand applicants per policy: every benefit both granted and refused."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    style_values = {
        "ids": ["str", "int"],
        "dates": ["str", "date", "datetime64"],
        "groups": ["list", "string"],
        "nested": ["dict", "flat"],
        "entries": ["column", "frame", "shuffled", "fen", "wide"],
        "amounts": ["str", "short", "int", "decimal"],
    }
    for policy in sorted(REFORMS):
        on = rng.choice(
            [
                rng.choice(SPECIAL_DAYS[24:]),
                dt.date(2021, 1, 11) + dt.timedelta(days=rng.randrange(2000)),
            ]
        )
        style = {key: rng.choice(values) for key, values in style_values.items()}
        all_facts = [make_facts(rng.choice, rng.randint, on) for _ in range(1500)]
        want = check_agreement(on, all_facts, policy, style, seed)
        if policy == "baseline" and on >= ISSUED:
            for name in FRAME_BENEFITS:
                granted = sum(want[f"{name}.eligible"])
                assert 0 < granted < len(all_facts), (name, on, granted)


@settings(max_examples=100, deadline=None)
@given(
    licensed=days,
    on=on_days,
    operating=st.booleans(),
    policy=st.sampled_from(sorted(REFORMS)),
)
def test_startup_agrees_on_dates(
    licensed: dt.date, on: dt.date, operating: bool, policy: str
) -> None:
    """The 6-month Civil Code condition agrees with the scalar formula on any pair of days."""
    record = {
        "id": "A",
        "business_type": "individual_business",
        "first_license_on": licensed.isoformat(),
        "operating": operating,
        "pays_employee_insurance": True,
    }
    want = benefits.evaluate("startup_subsidy", record, on=on, policy=REFORMS[policy])
    got = evaluate_frame(
        pd.DataFrame([record]), on, benefits=["startup_subsidy"], policy=REFORMS[policy]
    )
    assert bool(got["startup_subsidy.eligible"].iloc[0]) == want.eligible
    assert got["startup_subsidy.amount"].iloc[0] == want.amount


def test_period_end_days_is_period_end() -> None:
    """The vectorised period end is relativedelta's, for every day of 2019-2026."""
    start = dt.date(2019, 1, 1)
    dates = [start + dt.timedelta(days=k) for k in range(365 * 8 + 2)]
    array = np.array(dates, dtype="datetime64[D]")
    for months in (0, 1, 2, 6, 11, 12, 13, 24, 36, 38):
        got = period_end_days(array, months).tolist()
        assert got == [period_end(d, months=months) for d in dates], months
        after = (period_end_days(array, months) + np.timedelta64(1, "D")).tolist()
        assert after == [holds_after(d, months=months) for d in dates], months


def test_period_end_days_keeps_nat() -> None:
    """An absent date stays absent."""
    got = period_end_days(np.array(["NaT", "2021-01-31"], dtype="datetime64[D]"), 1)
    assert np.isnat(got[0])
    assert got[1] == np.datetime64("2021-02-28")


# ---------------------------------------------------------------- edge tables

STARTUP = {
    "business_type": "individual_business",
    "operating": True,
    "pays_employee_insurance": True,
}


@pytest.mark.parametrize(
    ("licensed", "on", "eligible"),
    [
        ("2021-01-15", "2021-07-15", False),
        ("2021-01-15", "2021-07-16", True),
        ("2021-08-31", "2022-02-28", False),  # no 31 February: the period ends on the 28th
        ("2021-08-31", "2022-03-01", True),
        ("2023-08-31", "2024-02-29", False),  # leap year: ends on the 29th
        ("2023-08-31", "2024-03-01", True),
        ("2024-02-29", "2024-08-29", False),
        ("2024-02-29", "2024-08-30", True),
        ("2020-08-31", "2021-02-28", False),  # licensed before the notice; in force from 2021-01-11
        ("2020-08-31", "2021-03-01", True),
        ("2021-01-31", "2021-07-31", False),
        ("2021-01-31", "2021-08-01", True),
        ("2021-12-31", "2021-12-31", False),
        ("2022-01-01", "2021-12-31", False),  # licensed after the day of application
    ],
)
def test_startup_edges(licensed: str, on: str, eligible: bool) -> None:
    """The start-up subsidy's first day, at month ends and leap days."""
    day = dt.date.fromisoformat(on)
    record = {"id": "A", "first_license_on": licensed, **STARTUP}
    got = evaluate_frame(pd.DataFrame([record]), day)
    assert bool(got["startup_subsidy.eligible"].iloc[0]) is eligible
    assert got["startup_subsidy.amount_fen"].iloc[0] == (500000 if eligible else 0)
    assert benefits.evaluate("startup_subsidy", record, on=day).eligible is eligible


EVERYTHING = {
    "id": "E",
    "groups": ["hard_to_employ", "graduate", "veteran", "farmer"],
    "left_school_on": "2020-06-30",
    "flexible_since": "2020-09-01",
    "platform": "food_delivery",
    "employment_registered": True,
    "business_type": "individual_business",
    "first_license_on": "2020-03-01",
    "operating": True,
    "pays_employee_insurance": True,
    "contributions": [{"month": "2021-01", "amount": "500"}],
    "accident_premiums": [{"paid_on": "2021-01-11", "amount": "120"}],
    "tax_due": {"vat": "3000"},
    "loan": {"kind": "individual", "amount": "150000"},
    "training_completed_on": "2020-12-01",
    "training_certificate": True,
    "pilot_area": True,
    "platform_occupation": "delivery_rider",
}


def test_not_in_force_before_issue() -> None:
    """Nothing is granted before the issue date; everything can be on it."""
    frame = pd.DataFrame([EVERYTHING])
    before = evaluate_frame(frame, dt.date(2021, 1, 10))
    for name in FRAME_BENEFITS:
        assert not before[f"{name}.eligible"].iloc[0]
        assert before[f"{name}.amount_fen"].iloc[0] == 0
        assert before[f"{name}.amount"].iloc[0] == Decimal("0.00")
    issued = evaluate_frame(frame, dt.date(2021, 1, 11))
    assert issued.filter(like=".eligible").iloc[0].to_dict() == {
        "startup_subsidy.eligible": True,
        "guaranteed_loan.eligible": True,
        "social_insurance_subsidy.eligible": True,
        "accident_insurance_subsidy.eligible": True,
        "tax_relief.eligible": True,
        "fee_exemptions.eligible": True,
        "skills_upgrading_subsidy.eligible": True,
        "vocational_training_subsidy.eligible": True,
    }
    assert issued["accident_insurance_subsidy.amount"].iloc[0] == Decimal("100.00")  # capped
    assert issued["social_insurance_subsidy.amount"].iloc[0] == Decimal("325.00")
    assert issued["fee_exemptions.amount_fen"].iloc[0] is pd.NA
    assert issued["fee_exemptions.amount"].iloc[0] is None
    for name in ("skills_upgrading_subsidy", "vocational_training_subsidy"):  # no standard
        assert issued[f"{name}.amount_fen"].iloc[0] is pd.NA


@pytest.mark.parametrize("policy", sorted(REFORMS))
@pytest.mark.parametrize("on", ["2021-01-11", "2021-06-30", "2022-03-01", "2023-07-01"])
def test_reforms(policy: str, on: str) -> None:
    """Reformed and ended parameters give the scalar path's results."""
    day = dt.date.fromisoformat(on)
    got = actual(evaluate_frame(pd.DataFrame([EVERYTHING]), day, policy=REFORMS[policy]))
    assert got == expected([EVERYTHING], day, REFORMS[policy])


@pytest.mark.parametrize(("on", "eligible"), [("2023-06-30", True), ("2023-07-01", False)])
def test_expanded_loan_scope_ends_on_its_day(on: str, eligible: bool) -> None:
    """The expanded loan scope holds on its last day and not after."""
    record = {"id": "L", "platform": "express", "loan": {"kind": "individual", "amount": "250000"}}
    day = dt.date.fromisoformat(on)
    got = evaluate_frame(pd.DataFrame([record]), day, policy=REFORMS["generous"])
    assert bool(got["guaranteed_loan.eligible"].iloc[0]) is eligible
    assert got["guaranteed_loan.amount_fen"].iloc[0] == (
        20_000_000 if eligible else 0
    )  # cut to the cap
    assert (
        benefits.evaluate("guaranteed_loan", record, on=day, policy=REFORMS["generous"]).eligible
        is eligible
    )


def test_reform_changes_the_amount() -> None:
    """A reform's rate reaches the amount."""
    frame = pd.DataFrame([EVERYTHING])
    day = dt.date(2021, 6, 1)
    base = evaluate_frame(frame, day, benefits=["social_insurance_subsidy"])
    reform = evaluate_frame(
        frame, day, benefits=["social_insurance_subsidy"], policy=REFORMS["generous"]
    )
    assert base["social_insurance_subsidy.amount"].iloc[0] == Decimal("325.00")
    assert reform["social_insurance_subsidy.amount"].iloc[0] == Decimal("300.00")


def test_cap_binds_on_small_amounts() -> None:
    """The 2/3 cap, rounded down, binds on a few fen as in the scalar formula."""
    # 65% of 4 fen is 2.6, half-up 3; 2/3 of 4 fen is 2.67, down 2: the cap binds.
    record = {
        "id": "S",
        "groups": ["hard_to_employ"],
        "flexible_since": "2021-02-01",
        "contributions": [{"month": "2021-02", "amount": "0.04"}],
    }
    got = evaluate_frame(pd.DataFrame([record]), dt.date(2021, 3, 1))
    assert got["social_insurance_subsidy.amount_fen"].iloc[0] == 2
    assert benefits.evaluate(
        "social_insurance_subsidy", record, on=dt.date(2021, 3, 1)
    ).amount == Decimal("0.02")


def test_python_integer_path_of_rounding() -> None:
    """A rate with a large numerator rounds exactly through Python integers."""
    paid = np.array([0, 1, 10**12, MAX_FEN], dtype=np.int64)
    rate = REFORMS["odd_rate"].parameters["social_insurance_subsidy.rate"].at(dt.date(2022, 1, 1))
    assert isinstance(rate, Fraction)
    huge = Fraction(2**70 + 1, 2**71)  # a numerator beyond int64 itself
    for ratio in (rate, huge, Fraction(13, 20)):
        num, den = ratio.numerator, ratio.denominator
        want = [(2 * int(p) * num + den) // (2 * den) for p in paid]
        assert _scaled(paid, ratio, half_up=True).tolist() == want
        assert _scaled(paid, ratio, half_up=False).tolist() == [int(p) * num // den for p in paid]


def test_dates_far_apart_are_computed_directly() -> None:
    """Dates spanning centuries skip the per-day table and still agree."""
    days = np.array(["1900-08-31", "2100-02-28", "NaT", "2024-02-29"], dtype="datetime64[D]")
    ends = period_end_days(days, 6)
    assert ends.tolist() == [dt.date(1901, 2, 28), dt.date(2100, 8, 28), None, dt.date(2024, 8, 29)]
    records = [
        {"id": "A", "first_license_on": "1900-08-31", **STARTUP},
        {"id": "B", "first_license_on": "2099-02-28", **STARTUP},
    ]
    got = evaluate_frame(pd.DataFrame(records), dt.date(2100, 1, 1), benefits=["startup_subsidy"])
    assert actual_one(got, "startup_subsidy") == [
        (o.eligible, o.fen)
        for row in benefits.evaluate_many(
            records, on=dt.date(2100, 1, 1), benefits=["startup_subsidy"]
        )
        for o in row.outcomes
    ]


def actual_one(result: pd.DataFrame, name: str) -> list[tuple[bool, int | None]]:
    """One benefit's (eligible, fen) per row."""
    return [
        (bool(e), None if f is pd.NA else int(f))
        for e, f in zip(result[f"{name}.eligible"], result[f"{name}.amount_fen"], strict=True)
    ]


# ---------------------------------------------------------------- shapes of input and output


def test_long_frames_in_any_order_and_ids_matched_as_text() -> None:
    """Long-frame rows may come in any order, with ids as integers or their text."""
    df = pd.DataFrame(
        {
            "id": [7, "G2"],
            "groups": ["hard_to_employ", ["graduate"]],
            "left_school_on": [None, "2020-07-01"],
            "flexible_since": ["2021-01-01", "2021-03-10"],
        }
    )
    paid = pd.DataFrame(
        {
            "id": ["G2", "7", "G2", 7, "7"],
            "month": ["2021-04", "2021-02", "2021-03", "2021-01", "2021-03"],
            "amount": ["512.30", 100, Decimal("512.3"), "100", 100.5],
        }
    )
    got = evaluate_frame(
        df, dt.date(2021, 5, 1), contributions=paid, benefits="social_insurance_subsidy"
    )
    assert got["social_insurance_subsidy.amount_fen"].tolist() == [
        19533,
        66599,
    ]  # 65% of 300.50, of 1024.60


def test_categorical_and_period_columns() -> None:
    """Categorical, datetime64, nullable boolean and period[M] columns read as their values."""
    df = pd.DataFrame(
        {
            "id": pd.Series([1, 2, 3]),
            "groups": pd.Categorical(["hard_to_employ", "graduate;farmer", None]),
            "business_type": pd.Categorical(["individual_business", "enterprise", None]),
            "first_license_on": pd.to_datetime(pd.Series(["2020-01-01", None, "2020-02-01"])),
            "flexible_since": np.array(["2021-01-01", "2021-01-01", "NaT"], dtype="datetime64[D]"),
            "operating": pd.array([True, None, False], dtype="boolean"),
            "pays_employee_insurance": [True, True, True],
        }
    )
    paid = pd.DataFrame(
        {
            "id": [1, 1, 2],
            "month": pd.PeriodIndex(["2021-01", "2021-02", "2021-01"], freq="M"),
            "amount_fen": [10000, 10000, 5],
        }
    )
    got = evaluate_frame(df, dt.date(2021, 3, 1), contributions=paid)
    records = [
        {
            "id": 1,
            "groups": ["hard_to_employ"],
            "business_type": "individual_business",
            "first_license_on": "2020-01-01",
            "flexible_since": "2021-01-01",
            "operating": True,
            "pays_employee_insurance": True,
            "contributions": [
                {"month": "2021-01", "amount": "100"},
                {"month": "2021-02", "amount": "100"},
            ],
        },
        {
            "id": 2,
            "groups": ["graduate", "farmer"],
            "business_type": "enterprise",
            "flexible_since": "2021-01-01",
            "pays_employee_insurance": True,
            "contributions": [{"month": "2021-01", "amount": "0.05"}],
        },
        {
            "id": 3,
            "first_license_on": "2020-02-01",
            "operating": False,
            "pays_employee_insurance": True,
        },
    ]
    assert actual(got) == expected(records, dt.date(2021, 3, 1), BASE)
    assert got["fee_exemptions.eligible"].tolist() == [True, True, False]


def test_output_shape() -> None:
    """The output keeps the index, orders the columns by benefit, and types them."""
    df = pd.DataFrame([EVERYTHING, {"id": "F"}], index=["x", "y"])
    got = evaluate_frame(df, dt.date(2021, 6, 1), benefits=["tax_relief", "startup_subsidy"])
    assert list(got.index) == ["x", "y"]
    assert list(got.columns) == [
        "id",
        "tax_relief.eligible",
        "tax_relief.amount_fen",
        "tax_relief.amount",
        "tax_relief.unmet",
        "startup_subsidy.eligible",
        "startup_subsidy.amount_fen",
        "startup_subsidy.amount",
        "startup_subsidy.unmet",
    ]
    assert got["tax_relief.eligible"].dtype == bool
    assert str(got["tax_relief.amount_fen"].dtype) == "Int64"
    assert got["tax_relief.amount"].dtype == object
    assert got["tax_relief.amount"].tolist() == [Decimal("3000.00"), Decimal("0.00")]
    lean = evaluate_frame(df, dt.date(2021, 6, 1), benefits=["tax_relief"], decimals=False)
    assert list(lean.columns) == [
        "id",
        "tax_relief.eligible",
        "tax_relief.amount_fen",
        "tax_relief.unmet",
    ]
    # The eligible row meets every condition; the empty one none of those it needs facts for.
    assert got["tax_relief.unmet"].tolist() == ["", "key_group;individual_business;within_period"]


def test_empty_frame() -> None:
    """An empty frame gives an empty result with every column."""
    got = evaluate_frame(pd.DataFrame({"id": pd.Series([], dtype=object)}), dt.date(2021, 6, 1))
    assert len(got) == 0
    assert "social_insurance_subsidy.amount_fen" in got.columns


def test_x_columns_are_ignored() -> None:
    """The caller's x_ columns are kept out of the formulas."""
    df = pd.DataFrame([{"id": "A", "x_branch": "north", "groups": "farmer"}])
    assert evaluate_frame(df, dt.date(2021, 6, 1))["fee_exemptions.eligible"].iloc[0]


# ---------------------------------------------------------------- errors


def error_of(df: pd.DataFrame, **kwargs: Any) -> RecordError:
    """The RecordError evaluate_frame raises for this input."""
    with pytest.raises(RecordError) as caught:
        evaluate_frame(df, dt.date(2021, 6, 1), **kwargs)
    return caught.value


def test_negative_amount_names_column_and_row() -> None:
    """A negative amount names the long frame's column and row."""
    df = pd.DataFrame({"id": ["A", "B"]})
    paid = pd.DataFrame(
        {
            "id": ["A", "B", "B"],
            "month": ["2021-01", "2021-01", "2021-02"],
            "amount": ["1", "2", "-3"],
        }
    )
    error = error_of(df, contributions=paid)
    assert (error.row, error.field) == (3, "contributions.amount")
    assert str(error) == "row 3: contributions.amount: negative amount -3"


def test_too_many_decimals_names_column_and_row() -> None:
    """An amount finer than the fen, or negative, names the column and row."""
    error = error_of(pd.DataFrame({"id": ["A", "B"], "tax_due.vat": ["1.5", "2.345"]}))
    assert str(error) == "row 2: tax_due.vat: amount 2.345 has more than two decimal places (fen)"
    error = error_of(pd.DataFrame({"id": ["A"], "loan.kind": ["individual"], "loan.amount": [-5]}))
    assert str(error) == "row 1: loan.amount: negative amount -5"
    error = error_of(pd.DataFrame({"id": ["A", "B"], "tax_due.vat": [1.5, 0.001]}))
    assert str(error) == "row 2: tax_due.vat: amount 0.001 has more than two decimal places (fen)"


def test_nested_list_errors_name_the_entry() -> None:
    """An error inside a list names the entry, as the record contract does."""
    df = pd.DataFrame(
        {
            "id": ["A", "B"],
            "contributions": [
                None,
                [{"month": "2021-01", "amount": "1"}, {"month": "2021-02", "amount": "1.001"}],
            ],
        }
    )
    assert (
        str(error_of(df))
        == "row 2: contributions[1].amount: amount 1.001 has more than two decimal places (fen)"
    )
    df = pd.DataFrame(
        {
            "id": ["A"],
            "contributions": [
                [{"month": "2021-01", "amount": "1"}, {"month": "2021-01", "amount": "2"}]
            ],
        }
    )
    assert str(error_of(df)) == "row 1: contributions[1].month: duplicate month 2021-01"
    df = pd.DataFrame(
        {"id": ["A"], "accident_premiums": [[{"paid_on": "2021-13-01", "amount": "1"}]]}
    )
    assert (
        str(error_of(df))
        == "row 1: accident_premiums[0].paid_on: invalid date '2021-13-01': there is no month 13"
    )
    df = pd.DataFrame({"id": ["A"], "contributions": [[{"month": "2021-01", "amont": "1"}]]})
    assert (
        str(error_of(df))
        == "row 1: contributions[0].amont: unknown field 'amont'; did you mean 'amount'?"
    )


def test_duplicate_month_in_long_frame() -> None:
    """A month paid twice for one id is refused, wherever the rows are."""
    df = pd.DataFrame({"id": ["A", "B"]})
    paid = pd.DataFrame(
        {"id": ["B", "A", "B"], "month": ["2021-01", "2021-01", "2021-01"], "amount_fen": [1, 2, 3]}
    )
    assert (
        str(error_of(df, contributions=paid))
        == "row 3: contributions.month: duplicate month 2021-01 for id 'B'"
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            {"id": ["A"], "group": ["farmer"]},
            "group: unknown field 'group'; did you mean 'groups'?",
        ),
        ({"groups": ["farmer"]}, "id: missing required field"),
        ({"id": ["A", None]}, "row 2: id: missing required field"),
        (
            {"id": ["A", True]},
            "row 2: id: expected a non-empty string or an integer, got a boolean",
        ),
        (
            {"id": ["A"], "groups": [["graduate", "alien"]]},
            "row 1: groups[1]: unknown group 'alien'; expected one of farmer, graduate, hard_to_employ, laid_off, migrant_worker, poverty, unemployed, veteran",
        ),
        (
            {"id": ["A", "B"], "operating": [True, "maybe"]},
            "row 2: operating: expected true or false, got 'maybe'",
        ),
        (
            {"id": ["A", "B"], "operating": [True, 1]},
            "row 2: operating: expected true or false, got int",
        ),
        (
            {"id": ["A", "B"], "operating": [0, 1]},
            "row 1: operating: expected true or false, got int",
        ),
        (
            {"id": ["A"], "business_type": ["shop"]},
            "row 1: business_type: invalid value 'shop'; expected one of individual_business, enterprise",
        ),
        (
            {"id": ["A"], "platform": [" "]},
            "row 1: platform: expected a platform name, got a string",
        ),
        (
            {"id": ["A"], "first_license_on": ["2021-02-30"]},
            "row 1: first_license_on: invalid date '2021-02-30': February 2021 has 28 days",
        ),
        (
            {
                "id": ["A", "B"],
                "first_license_on": pd.to_datetime(["2021-02-03 00:00", "2021-02-03 12:00"]),
            },
            "row 2: first_license_on: expected a date, got a date-time with a time of day",
        ),
        ({"id": ["A"], "loan.kind": ["individual"]}, "row 1: loan.amount: missing required field"),
        (
            {"id": ["A"], "loan": [{"kind": "solo", "amount": 1}]},
            "row 1: loan.kind: invalid value 'solo'; expected one of individual, partnership",
        ),
        (
            {"id": ["A"], "loan": [{"kind": "individual"}]},
            "row 1: loan.amount: missing required field",
        ),
        (
            {"id": ["A"], "tax_due": [{"vta": "1"}]},
            "row 1: tax_due.vta: unknown field 'vta'; did you mean 'vat'?",
        ),
        (
            {"id": ["A", "B"], "tax_due.vat": ["1", True]},
            "row 2: tax_due.vat: expected an amount in yuan, got a boolean",
        ),
        (
            {"id": ["A"], "tax_due.vat": ["100000000000000"]},
            "row 1: tax_due.vat: amount 100000000000000 is too large (the limit is 90071992547409.91 yuan, 2**53 - 1 fen)",
        ),
        (
            {"id": ["A"], "contributions": ["2021-01"]},
            "row 1: contributions[0].amount: missing required field",
        ),
    ],
)
def test_contract_errors(columns: dict[str, Any], message: str) -> None:
    """Each breach of the record contract is refused with the column and row."""
    assert str(error_of(pd.DataFrame(columns))) == message


def test_long_frame_errors() -> None:
    """Long frames: unknown ids, missing or doubled columns, bad months, float fen."""
    df = pd.DataFrame({"id": ["A", "B"]})
    unknown = pd.DataFrame(
        {"id": ["A", "C"], "month": ["2021-01", "2021-01"], "amount": ["1", "1"]}
    )
    assert (
        str(error_of(df, contributions=unknown))
        == "row 2: contributions.id: id 'C' is not an id of the frame"
    )
    both = pd.DataFrame({"id": ["A"], "month": ["2021-01"], "amount": ["1"], "amount_fen": [100]})
    assert "give exactly one of the columns amount" in str(error_of(df, contributions=both))
    no_month = pd.DataFrame({"id": ["A"], "amount": ["1"]})
    assert str(error_of(df, contributions=no_month)) == "contributions.month: missing column"
    bad_month = pd.DataFrame({"id": ["A"], "month": ["2021-13"], "amount": ["1"]})
    assert (
        str(error_of(df, contributions=bad_month))
        == "row 1: contributions.month: invalid month '2021-13' (expected YYYY-MM)"
    )
    floats = pd.DataFrame({"id": ["A"], "month": ["2021-01"], "amount_fen": [1.5]})
    assert (
        str(error_of(df, contributions=floats))
        == "row 1: contributions.amount_fen: expected whole fen (integers), got float64"
    )
    twice = pd.DataFrame({"id": ["A", "A"]})
    ok = pd.DataFrame({"id": ["A"], "month": ["2021-01"], "amount": ["1"]})
    assert (
        str(error_of(twice, contributions=ok))
        == "row 2: id: duplicate id 'A': the contributions= frame cannot tell the rows apart"
    )
    column = pd.DataFrame({"id": ["A"], "contributions": [[]]})
    assert (
        str(error_of(column, contributions=ok))
        == "contributions: given both as a column and as the contributions= frame; give one"
    )
    premium = pd.DataFrame({"id": ["A"], "paid_on": [None], "amount": ["1"]})
    assert str(error_of(df, premiums=premium)) == "row 1: premiums.paid_on: missing required field"


def test_benefit_names() -> None:
    """Unknown names, placement benefits, no benefits and a non-date day are refused."""
    df = pd.DataFrame({"id": ["A"]})
    with pytest.raises(UnknownNameError):
        evaluate_frame(df, dt.date(2021, 6, 1), benefits=["startup_subsidi"])
    with pytest.raises(PolicyError, match="applicant benefits"):
        evaluate_frame(df, dt.date(2021, 6, 1), benefits=["labour_intermediary_subsidy"])
    with pytest.raises(PolicyError, match="no benefits"):
        evaluate_frame(df, dt.date(2021, 6, 1), benefits=[])
    with pytest.raises(TypeError):
        evaluate_frame(df, dt.datetime(2021, 6, 1), benefits=["startup_subsidy"])  # noqa: DTZ001


def test_benefits_package_does_not_import_pandas() -> None:
    """Importing yantai_policy.benefits loads numpy (the formulas' columns) but not pandas."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys, yantai_policy.benefits; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_amounts_are_exact_in_any_decimal_context() -> None:
    """A caller's low-precision decimal context cannot round the Decimal amounts."""
    df = pd.DataFrame([EVERYTHING])
    with decimal.localcontext(prec=2):
        got = evaluate_frame(df, dt.date(2021, 6, 1), benefits=["tax_relief", "startup_subsidy"])
        assert got["startup_subsidy.amount"].tolist() == [Decimal("5000.00")]
        assert str(got["tax_relief.amount"].iloc[0]) == "3000.00"
    rough = decimal.Context(prec=1, rounding=decimal.ROUND_DOWN, traps=[decimal.Inexact])
    with decimal.localcontext(rough):
        assert str(fen_to_yuan(123456789012345678)) == "1234567890123456.78"
        assert [str(v) for v in fens_to_yuan([0, 5, MAX_FEN])] == [
            "0.00",
            "0.05",
            f"{MAX_FEN // 100}.{MAX_FEN % 100:02d}",
        ]


# ---------------------------------------------------------------- the wide contributions layout


def test_wide_contributions_equal_the_long_frame() -> None:
    """contributions.YYYY-MM columns, in any column order and with gaps, read as the long frame."""
    df = pd.DataFrame(
        {
            "id": ["G1", "H1", "X"],
            "groups": ["graduate", "hard_to_employ", None],
            "left_school_on": ["2020-07-01", None, None],
            "flexible_since": ["2021-03-10", "2021-02-01", None],
        }
    )
    months: dict[str, Any] = {
        "contributions.2021-04": ["512.30", None, "1"],
        "contributions.2021-03": ["512.30", "1000", np.nan],
        "contributions.2022-01": [None, "7", None],
    }
    wide = df.assign(**months)
    paid = pd.DataFrame(
        {
            "id": ["G1", "G1", "H1", "H1", "X"],
            "month": ["2021-03", "2021-04", "2021-03", "2022-01", "2021-04"],
            "amount": ["512.30", "512.30", "1000", "7", "1"],
        }
    )
    on = dt.date(2022, 3, 1)
    got = evaluate_frame(wide, on)
    assert got.equals(evaluate_frame(df, on, contributions=paid))
    assert got["social_insurance_subsidy.amount_fen"].tolist()[:2] == [66599, 65455]


def test_wide_contributions_errors() -> None:
    """A bad month label, a bad cell, or a second layout beside the wide one is refused."""
    df = pd.DataFrame({"id": ["A", "B"], "contributions.2021-03": ["1", "-2"]})
    assert str(error_of(df)) == "row 2: contributions.2021-03: negative amount -2"
    label = error_of(df.assign(**{"contributions.2021-13": ["1", "2"]}))
    assert str(label) == "contributions.2021-13: invalid month '2021-13' (expected YYYY-MM)"
    paid = pd.DataFrame({"id": ["A"], "month": ["2021-04"], "amount": ["1"]})
    both = error_of(df.assign(**{"contributions.2021-03": ["1", "2"]}), contributions=paid)
    assert both.field == "contributions"
    assert "give one" in both.reason
    column = df.assign(contributions=pd.Series([None, None], dtype=object))
    assert error_of(column).field == "contributions"


def test_wide_contributions_are_one_matrix() -> None:
    """The wide layout is one run of every month per row, in month order: the matrix path."""
    df = pd.DataFrame(
        {
            "id": ["A", "B"],
            "contributions.2021-05": ["1", None],
            "contributions.2021-03": [None, "2"],
        }
    )
    entries = _read(df, None, None).contributions
    assert entries.identity
    assert entries.unique
    assert entries.lengths().tolist() == [2, 2]
    assert [f"{m // 12}-{m % 12 + 1:02d}" for m in entries.month_keys()[:2]] == [
        "2021-03",
        "2021-05",
    ]
    assert entries.fen.tolist() == [0, 100, 200, 0]


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(1, 16),
    gaps=st.booleans(),
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_aligned_window_sums_equal_the_entry_sums(k: int, gaps: bool, n: int, seed: int) -> None:
    """The mask look-up of an aligned matrix sums exactly the entries within each window."""
    from yantai_policy.benefits.columns import Entries, window_sums  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    start = 24_240
    months = (
        np.arange(start, start + k) if not gaps else rng.choice(np.arange(start, start + 3 * k), k)
    )
    table = np.unique(months).astype(np.int32)
    k = len(table)
    run_rows = np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False))
    runs = len(run_rows)
    codes = np.tile(np.arange(k, dtype=np.int8), runs)
    fen = rng.integers(0, 10**9, size=runs * k, dtype=np.int64)
    first = rng.integers(start - 5, start + 3 * k + 5, size=n).astype(np.int32)
    last = (first + rng.integers(-3, 3 * k, size=n)).astype(np.int32)
    starts = np.arange(runs, dtype=np.intp) * k
    identity = runs == n
    aligned = Entries(
        codes, fen, starts, run_rows, unique=True, identity=identity, table=table, aligned=True
    )
    got = window_sums(aligned, n, first, last)
    rows = np.repeat(run_rows, k)
    inside = (table[codes] >= first[rows]) & (table[codes] <= last[rows])
    expected = [0] * n
    for row, paid, counted in zip(rows.tolist(), fen.tolist(), inside.tolist(), strict=True):
        expected[row] += paid if counted else 0
    assert got.tolist() == expected
    assert window_sums(aligned._replace(aligned=False), n, first, last).tolist() == expected


def test_usual_long_frame_is_an_aligned_matrix() -> None:
    """Each applicant's months of a categorical column, together and in order: the aligned path."""
    df = pd.DataFrame({"id": [1, 2]})
    months = pd.Categorical(["2021-01", "2021-02"] * 2, categories=["2021-01", "2021-02"])
    paid = pd.DataFrame({"id": [1, 1, 2, 2], "month": months, "amount_fen": [1, 2, 3, 4]})
    assert _read(df, paid, None).contributions.aligned
    swapped = paid.iloc[[1, 0, 2, 3]].reset_index(drop=True)
    assert not _read(df, swapped, None).contributions.aligned
    short = paid.iloc[:3]
    assert not _read(df, short, None).contributions.aligned
