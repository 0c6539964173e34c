"""Measure 15, 完善社会保险制度: the basic-pension contribution schedule of the self-employed.

Measure 15 (provincial text): 以个人身份参加企业职工基本养老保险的个体工商户和各类灵活就业人员，可按月、季、
半年或年缴费，缴费基数在当地个人缴费基数上下限范围内自主确定。

This is a calculator, not a benefit: for a year, a frequency (monthly, quarterly,
half-yearly or yearly) and a monthly base the person chooses within the local lower
and upper limits (which the caller supplies: the notice does not state them), it
lists the payment periods (built with `dateutil.rrule`), the months each covers
and the amount due, at the rate ``pension.contribution_rate`` (20%, 国发〔2005〕38号;
the notice does not state it), rounded half-up to the fen for each period.

References:
    烟政办字〔2021〕3号, measure 15 (lines 643-699); 国发〔2005〕38号.

Examples:
    >>> import datetime as dt
    >>> s = pension_contribution_schedule(2021, "quarterly", "4000", lower="3500", upper="17000",
    ...     on=dt.date(2021, 2, 1))
    >>> [(p.first_month, p.months, str(p.amount)) for p in s.periods]
    [('2021-01', 3, '2400.00'), ('2021-04', 3, '2400.00'), ('2021-07', 3, '2400.00'), ('2021-10', 3, '2400.00')]
    >>> s.total
    Decimal('9600.00')
    >>> pension_contribution_schedule(2021, "monthly", "3000", lower="3500", upper="17000")
    Traceback (most recent call last):
    ...
    yantai_policy.benefits.records.RecordError: base: the monthly base 3000.00 is below the local lower limit 3500.00
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs
from dateutil.rrule import MONTHLY, rrule

from yantai_policy.benefits.base import context, day_of_application
from yantai_policy.benefits.decision import Clause, ParameterUse
from yantai_policy.benefits.periods import fen_to_yuan, round_half_up_fen
from yantai_policy.benefits.records import RecordError, parse_fen
from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy
from yantai_policy.model import Text

if TYPE_CHECKING:
    from decimal import Decimal

    from yantai_policy.model import Policy

__all__ = [
    "FREQUENCIES",
    "ContributionPeriod",
    "ContributionSchedule",
    "pension_contribution_schedule",
]

FREQUENCIES = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
"""按月、季、半年或年 (monthly, quarterly, half-yearly or yearly): months per payment."""
CLAUSE = Clause(
    "可按月、季、半年或年缴费，缴费基数在当地个人缴费基数上下限范围内自主确定", measure=15
)
"""The clause this calculator implements."""
_RATE = "pension.contribution_rate"


@attrs.frozen
class ContributionPeriod:
    """One payment of the schedule.

    Attributes:
        due_from: The first day of the period.
        first_month: The first month covered, ``YYYY-MM``.
        months: How many months it covers.
        amount: Yuan due for the period.
    """

    due_from: dt.date
    first_month: str
    months: int
    amount: Decimal


@attrs.frozen
class ContributionSchedule:
    """A year's pension contribution schedule.

    Attributes:
        year: The year.
        frequency: ``monthly``, ``quarterly``, ``half_yearly`` or ``yearly``.
        base: The monthly contribution base, in yuan.
        periods: The payments, in order.
        total: The year's total.
        parameters: The rate used, with its source.
        clause: The clause of the notice.
        policy_sha256: The SHA-256 of the plan data.
    """

    year: int
    frequency: str
    base: Decimal
    periods: tuple[ContributionPeriod, ...]
    total: Decimal
    parameters: tuple[ParameterUse, ...]
    clause: Clause
    policy_sha256: str


def pension_contribution_schedule(  # noqa: PLR0913 - the clause's inputs, all named
    year: int,
    frequency: str,
    base: object,
    *,
    lower: object,
    upper: object,
    on: dt.date | str | None = None,
    policy: Policy | None = None,
) -> ContributionSchedule:
    """Return the payment schedule of a year's pension contributions.

    Args:
        year: The year to schedule.
        frequency: One of [`FREQUENCIES`][yantai_policy.benefits.pension_contribution_schedule.FREQUENCIES].
        base: The monthly base, in yuan (a decimal string or number).
        lower: The local lower limit of the base, in yuan.
        upper: The local upper limit of the base, in yuan.
        on: The day whose parameter values apply (a date or an ISO string); if not given,
            January 1 of ``year`` or the notice's issue date, whichever is later.
        policy: The plan; the built-in one if not given.

    Returns:
        The schedule.

    Raises:
        RecordError: The frequency is unknown, an amount is invalid, or the base lies
            outside the limits; the error names the argument.
        PolicyError: The year or day is before the notice took effect.
    """
    if frequency not in FREQUENCIES:
        raise RecordError(
            f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}",
            field="frequency",
        )
    base_fen, lower_fen, upper_fen = (
        parse_fen(base, "base"),
        parse_fen(lower, "lower"),
        parse_fen(upper, "upper"),
    )
    if lower_fen > upper_fen:
        raise RecordError(
            f"the lower limit {fen_to_yuan(lower_fen)} is above the upper limit {fen_to_yuan(upper_fen)}",
            field="lower",
        )
    if base_fen < lower_fen:
        raise RecordError(
            f"the monthly base {fen_to_yuan(base_fen)} is below the local lower limit {fen_to_yuan(lower_fen)}",
            field="base",
        )
    if base_fen > upper_fen:
        raise RecordError(
            f"the monthly base {fen_to_yuan(base_fen)} is above the local upper limit {fen_to_yuan(upper_fen)}",
            field="base",
        )
    policy = policy if policy is not None else load_policy()
    on = max(dt.date(year, 1, 1), policy.notice.issued_on) if on is None else day_of_application(on)
    if year < policy.notice.issued_on.year or on < policy.notice.issued_on:
        raise PolicyError(
            f"the notice is in force from {policy.notice.issued_on}: no schedule for {year} on {on}"
        )
    ctx = context(policy, on)
    rate = ctx.require(_RATE)
    assert isinstance(rate, Fraction)  # noqa: S101 - a ratio parameter is a Fraction
    step = FREQUENCIES[frequency]
    starts = rrule(
        MONTHLY, interval=step, dtstart=dt.datetime(year, 1, 1, tzinfo=dt.UTC), count=12 // step
    )
    per_period = round_half_up_fen(base_fen * step * rate.numerator, rate.denominator)
    periods = tuple(
        ContributionPeriod(
            due_from=start.date(),
            first_month=f"{start.year:04d}-{start.month:02d}",
            months=step,
            amount=fen_to_yuan(per_period),
        )
        for start in starts
    )
    param = policy.parameters[_RATE]
    return ContributionSchedule(
        year=year,
        frequency=frequency,
        base=fen_to_yuan(base_fen),
        periods=periods,
        total=fen_to_yuan(per_period * len(periods)),
        parameters=(
            ParameterUse(
                name=_RATE,
                value=param.render(rate),
                effective=param.effective(ctx.on),
                source=param.source_at(ctx.on),
            ),
        ),
        clause=CLAUSE,
        policy_sha256=policy.data_sha256,
    )


TITLE = Text("灵活就业人员养老保险缴费计算", "Pension contribution schedule for the self-employed")
"""The calculator's name in Chinese and English."""
