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

from yantai_policy.benefits.base import Benefit, Context, Spec
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.periods import holds_after
from yantai_policy.model import Text

if TYPE_CHECKING:
    from yantai_policy.benefits.records import Applicant

__all__ = ["StartupSubsidy"]

_AMOUNT = "startup_subsidy.amount"
_MONTHS = "startup_subsidy.operating_months"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=6, action="6.1")


class StartupSubsidy(Benefit["Applicant"]):
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
        ),
        Spec(
            "first_licence",
            Text("首次领取营业执照", "holds its first business licence"),
            _clause("首次领取营业执照"),
        ),
        Spec(
            "operated_long_enough",
            Text(
                "正常经营满规定期限（startup_subsidy.operating_months）",
                "has operated normally for the required months (startup_subsidy.operating_months)",
            ),
            _clause("正常经营 6个月以上"),
        ),
        Spec(
            "still_operating",
            Text("申请补贴时仍正常经营", "is still operating normally on the day of application"),
            _clause("申请补贴时仍正常经营"),
        ),
        Spec(
            "pays_employee_insurance",
            Text("创业人员缴纳职工社会保险费", "the founder pays employee social insurance"),
            _clause("缴纳职工社会保险费"),
        ),
        Spec(
            "first_subsidy",
            Text(
                "此前未领取过创业补贴（一次性）",
                "has not received a start-up subsidy before (it is one-off)",
            ),
            _clause("一次性创业补贴"),
        ),
    )

    def conditions(self, record: Applicant, ctx: Context) -> tuple[bool, ...]:
        """Check the six conditions of action 6.1."""
        licensed = record.first_license_on
        months = ctx.values.get(_MONTHS)
        has_licence = licensed is not None and licensed <= ctx.on
        return (
            record.business_type == "individual_business",
            has_licence,
            has_licence
            and isinstance(months, int)
            and ctx.on >= holds_after(licensed, months=months),  # type: ignore[arg-type]
            record.operating is True,
            record.pays_employee_insurance is True,
            record.startup_subsidy_received is not True,
        )

    def amount(self, record: Applicant, ctx: Context) -> int | None:
        """Return the subsidy in fen: the parameter, or None if it has no value."""
        value = ctx.values.get(_AMOUNT)
        return None if value is None else int(value * 100)  # type: ignore[operator]

    def details(self, record: Applicant, ctx: Context) -> tuple[str, ...]:
        """Say which fields and dates each answer rests on."""
        licensed = record.first_license_on
        months = ctx.values.get(_MONTHS)
        if licensed is None:
            licence = "first_license_on not given"
            period = "no licence date"
        else:
            licence = f"first_license_on = {licensed}"
            if licensed > ctx.on:
                licence += f", after {ctx.on}"
            period = (
                f"{months} months from {licensed} hold from {holds_after(licensed, months=months)}"
                if isinstance(months, int)
                else f"parameter {_MONTHS} has no value"
            )
        return (
            f"business_type = {record.business_type}",
            licence,
            period,
            f"operating = {record.operating}",
            f"pays_employee_insurance = {record.pays_employee_insurance}",
            f"startup_subsidy_received = {record.startup_subsidy_received}",
        )
