"""Measure 6, 发放创业补贴 (start-up subsidy): 5,000 yuan, once.

Action 6.1 (市人力资源社会保障局): 对首次领取营业执照、正常经营 6个月以上且申请补贴时仍正常经营的
个体工商户，在创办实体缴纳职工社会保险费 ... 的创业人员，给予 5000元一次性创业补贴。

An individual business qualifies with its first business licence, 6 months or more of
normal operation (from the day after the period's last day, Civil Code arts. 201-202),
still operating on the day of application, a founder who pays employee social
insurance, and no start-up subsidy received before.

References:
    烟政办字〔2021〕3号, measure 6, action 6.1 (lines 363-373).

Limitations:
    "Normal operation" (正常经营) is taken from the record's ``operating`` field and
    the licence date; interruptions in between are not modelled.

Examples:
    >>> import datetime as dt
    >>> from yantai_policy import benefits
    >>> record = {"id": "A1", "business_type": "individual_business",
    ...     "first_license_on": "2021-01-15", "operating": True, "pays_employee_insurance": True}
    >>> benefits.evaluate("startup_subsidy", record, on=dt.date(2021, 7, 15)).eligible
    False
    >>> benefits.evaluate("startup_subsidy", record, on=dt.date(2021, 7, 16)).amount
    Decimal('5000.00')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import NAT, Applicants, flat_fen, per_day, period_end_days
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

if TYPE_CHECKING:
    import numpy.typing as npt

    Days = npt.NDArray[np.datetime64]

__all__ = ["StartupSubsidy"]

_AMOUNT = "startup_subsidy.amount"
_MONTHS = "startup_subsidy.operating_months"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=6, action="6.1")


def _period(f: Facts) -> str:
    licensed, months = f.record.first_license_on, f.value(_MONTHS)
    if licensed is None:
        return "no licence date"
    if not isinstance(months, int):
        return f"parameter {_MONTHS} has no value"
    return f"{months} months from {licensed} hold from {f['holds_from']}"


class StartupSubsidy(Benefit[Applicant, Applicants]):
    """The one-off start-up subsidy of measure 6."""

    name = "startup_subsidy"
    title = Text("一次性创业补贴", "One-off start-up subsidy")
    measure = 6
    parameters = (_AMOUNT, _MONTHS)
    specs = (
        Spec(
            "individual_business",
            Text("个体工商户", "an individual business"),
            _clause("个体工商户"),
            detail=lambda f: f"business_type = {f.record.business_type}",
        ),
        Spec(
            "first_licence",
            Text("首次领取营业执照", "holds its first business licence"),
            _clause("首次领取营业执照"),
            detail=lambda f: f.dated("first_license_on", "first_licence"),
        ),
        Spec(
            "operated_long_enough",
            Text(
                "正常经营满规定期限（startup_subsidy.operating_months）",
                "has operated normally for the required months (startup_subsidy.operating_months)",
            ),
            _clause("正常经营 6个月以上"),
            detail=_period,
        ),
        Spec(
            "still_operating",
            Text("申请补贴时仍正常经营", "is still operating normally on the day of application"),
            _clause("申请补贴时仍正常经营"),
            detail=lambda f: f"operating = {f.record.operating}",
        ),
        Spec(
            "pays_employee_insurance",
            Text("创业人员缴纳职工社会保险费", "the founder pays employee social insurance"),
            _clause("缴纳职工社会保险费"),
            detail=lambda f: f"pays_employee_insurance = {f.record.pays_employee_insurance}",
        ),
        Spec(
            "first_subsidy",
            Text(
                "此前未领取过创业补贴（一次性）",
                "has not received a start-up subsidy before (it is one-off)",
            ),
            _clause("一次性创业补贴"),
            detail=lambda f: f"startup_subsidy_received = {f.record.startup_subsidy_received}",
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the six conditions of action 6.1; the amount is the parameter."""
        on = ctx.day
        licensed = x.dates["first_license_on"]
        months = ctx.values.get(_MONTHS)
        has_licence = licensed <= on  # NaT (no licence date) compares False
        if isinstance(months, int):

            def holds_from(day: Days) -> Days:
                # "months or more" holds from the day after the period's last day (arts. 201-202)
                after: Days = period_end_days(day, months) + np.timedelta64(1, "D")
                return after

            # one look-up per distinct day of the whole condition (no array of days per row)
            long_enough = has_licence & per_day(licensed, lambda day: on >= holds_from(day))
            facts: dict[str, object] = {"holds_from": lambda: per_day(licensed, holds_from)}
        else:
            long_enough = np.zeros(x.n, bool)
            facts = {"holds_from": np.full(x.n, NAT)}
        return Computed(
            held={
                "individual_business": x.is_business("individual_business"),
                "first_licence": has_licence,
                "operated_long_enough": long_enough,
                "still_operating": x.flags["operating"],
                "pays_employee_insurance": x.flags["pays_employee_insurance"],
                "first_subsidy": ~x.flags["startup_subsidy_received"],
            },
            fen=flat_fen(ctx.values, _AMOUNT, x.n),
            facts=facts,
        )
