"""Measure 18, 新就业形态灵活就业意外伤害保险补贴 (accident-insurance subsidy for platform workers).

Measure 18 (provincial text): 对依托电子商务、网络预约出租汽车、外卖、快递等新业态平台灵活就业且办理就业登记
人员购买意外伤害保险的，按照购买保险费数额一定比例给予平台或个人补贴，每人每年不高于100 元 …
各市出台的意外伤害保险补贴政策要与职业伤害保障试点政策相衔接，避免重复补贴。

A platform worker with employment registration who is not covered by the
occupational-injury pilot (no double subsidy) gets, for each calendar year, the
proportion (an assumption: "一定比例" is not stated; default 100%) of the premiums
paid that year, rounded half-up to the fen, and at most 100 yuan. The years counted
run from the year the notice was issued (2021, all of it) to the day of application;
premiums paid after that day are not counted.
The subsidy may be paid to the platform or to the person.

References:
    烟政办字〔2021〕3号, measure 18 (lines 775-799).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from yantai_policy.benefits.base import Benefit, Context, Spec
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan, round_half_up_fen
from yantai_policy.model import Text

if TYPE_CHECKING:
    from decimal import Decimal

    from yantai_policy.benefits.records import Applicant

__all__ = ["AccidentInsuranceSubsidy"]

_PROPORTION = "accident_insurance_subsidy.proportion"
_CAP = "accident_insurance_subsidy.annual_cap"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=18)


class AccidentInsuranceSubsidy(Benefit["Applicant"]):
    """The accident-insurance subsidy of measure 18: per calendar year, at most 100 yuan."""

    name = "accident_insurance_subsidy"
    title = Text("意外伤害保险补贴", "Accident-insurance subsidy")
    measure = 18
    parameters = (_PROPORTION, _CAP)
    specs = (
        Spec(
            "platform_worker",
            Text("依托新业态平台灵活就业", "works flexibly through a platform"),
            _clause("依托电子商务、网络预约出租汽车、外卖、快递等新业态平台灵活就业"),
        ),
        Spec(
            "employment_registered",
            Text("办理就业登记", "has registered employment"),
            _clause("办理就业登记"),
        ),
        Spec(
            "not_in_injury_pilot",
            Text(
                "未参加职业伤害保障试点（避免重复补贴）",
                "not covered by the occupational-injury pilot (no double subsidy)",
            ),
            _clause("避免重复补贴"),
        ),
        Spec(
            "premium_paid",
            Text("购买意外伤害保险", "has paid accident-insurance premiums"),
            _clause("购买意外伤害保险"),
        ),
    )

    def _years(self, record: Applicant, ctx: Context) -> dict[int, int]:
        first_year = ctx.policy.notice.issued_on.year
        years: dict[int, int] = {}
        for paid_on, fen in record.accident_premiums:
            if first_year <= paid_on.year and paid_on <= ctx.on:
                years[paid_on.year] = years.get(paid_on.year, 0) + fen
        return years

    def _per_year(self, paid: int, ctx: Context) -> int | None:
        proportion, cap = ctx.values.get(_PROPORTION), ctx.values.get(_CAP)
        if not isinstance(proportion, Fraction) or cap is None:
            return None
        return min(
            round_half_up_fen(paid * proportion.numerator, proportion.denominator),
            int(cap * 100),  # type: ignore[operator]
        )

    def conditions(self, record: Applicant, ctx: Context) -> tuple[bool, ...]:
        """Check the platform, registration, the pilot, and premiums paid."""
        return (
            record.platform is not None,
            record.employment_registered is True,
            record.injury_pilot_covered is not True,
            any(fen > 0 for fen in self._years(record, ctx).values()),
        )

    def amount(self, record: Applicant, ctx: Context) -> int | None:
        """Return the sum over calendar years of min(proportion x premiums, cap)."""
        total = 0
        for paid in self._years(record, ctx).values():
            fen = self._per_year(paid, ctx)
            if fen is None:
                return None
            total += fen
        return total

    def details(self, record: Applicant, ctx: Context) -> tuple[str, ...]:
        """Say what the fields and the premiums counted were."""
        years = self._years(record, ctx)
        counted = sum(years.values())
        return (
            f"platform = {record.platform}",
            f"employment_registered = {record.employment_registered}",
            f"injury_pilot_covered = {record.injury_pilot_covered}",
            (
                f"{fen_to_yuan(counted)} yuan paid from {ctx.policy.notice.issued_on.year} to {ctx.on} "
                f"({len(record.accident_premiums)} premium(s) given)"
            ),
        )

    def lines(self, record: Applicant, ctx: Context) -> tuple[Line, ...]:
        """Show each calendar year's premiums and subsidy."""
        out = []
        cap: Decimal | None = ctx.values.get(_CAP)  # type: ignore[assignment]
        for year, paid in sorted(self._years(record, ctx).items()):
            fen = self._per_year(paid, ctx)
            if fen is None:
                continue
            out.append(
                Line(
                    str(year),
                    Text(f"{year}年补贴", f"subsidy for {year}"),
                    fen_to_yuan(fen),
                    detail=f"premiums {fen_to_yuan(paid)}; cap {cap} a year",
                )
            )
        return tuple(out)

    def notes(self, record: Applicant, ctx: Context) -> tuple[Text, ...]:
        """Say who may be paid."""
        return (
            Text(
                "补贴可发给平台或个人。",
                "The subsidy may be paid to the platform or to the person.",
            ),
        )
