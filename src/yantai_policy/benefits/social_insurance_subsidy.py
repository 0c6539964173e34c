"""Measure 17, 发放灵活就业社会保险补贴 (social-insurance subsidy for flexible employment).

Action 17.1 (市人力资源社会保障局): 对就业困难人员、离校 2年内未就业的高校毕业生灵活就业后缴纳的
职工社会保险费，按其实际缴纳社会保险费的 65%给予补贴。 The provincial text caps it:
按照“先缴后补”的原则，按规定期限给予不超过其缴纳职工社会保险费2/3的社会保险补贴。

Eligible: people who are hard to employ, and graduates whose flexible employment began
within 2 years of leaving school. The months counted run from the month flexible
employment began, for at most the subsidy period (36 months for the hard to employ,
24 for graduates: 财社〔2017〕164号; the longer applies to someone in both groups),
and only months up to the month of application (先缴后补: pay first, then claim).
The amount is 65% of what was paid in those months, rounded half-up to the fen once,
on the total, and never above 2/3 of what was paid (rounded down) while the rate
keeps within that cap. Months of zero count for nothing.

References:
    烟政办字〔2021〕3号, measure 17, action 17.1 (lines 747-771); 财社〔2017〕164号.

Limitations:
    The extension to retirement for the hard to employ within 5 years of it
    (财社〔2017〕164号) is not modelled; subsidies already paid for earlier months
    are the caller's to subtract.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from yantai_policy.benefits.base import Benefit, Context, Spec
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import (
    fen_to_yuan,
    month_index,
    month_label,
    period_end,
    round_half_up_fen,
)
from yantai_policy.model import Text

if TYPE_CHECKING:
    from yantai_policy.benefits.records import Applicant

__all__ = ["SocialInsuranceSubsidy"]

_RATE = "social_insurance_subsidy.rate"
_CAP = "social_insurance_subsidy.rate_cap"
_WINDOW = "social_insurance_subsidy.graduate_window_years"
_HARD = "social_insurance_subsidy.max_months_hard_to_employ"
_GRAD = "social_insurance_subsidy.max_months_graduate"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=17, action="17.1")


class SocialInsuranceSubsidy(Benefit["Applicant"]):
    """The social-insurance subsidy of measure 17: 65% of contributions paid."""

    name = "social_insurance_subsidy"
    title = Text("灵活就业社会保险补贴", "Social-insurance subsidy for flexible employment")
    measure = 17
    parameters = (_RATE, _CAP, _WINDOW, _HARD, _GRAD)
    specs = (
        Spec(
            "hard_to_employ",
            Text("就业困难人员", "hard to employ"),
            _clause("就业困难人员"),
            group="person",
        ),
        Spec(
            "recent_graduate",
            Text(
                "离校2年内灵活就业的高校毕业生",
                "a graduate in flexible employment within 2 years of leaving school",
            ),
            _clause("离校 2年内未就业的高校毕业生"),
            group="person",
        ),
        Spec(
            "flexibly_employed",
            Text("灵活就业", "in flexible employment"),
            _clause("灵活就业后缴纳的职工社会保险费"),
        ),
        Spec(
            "paid_first",
            Text(
                "已实际缴纳社会保险费（先缴后补）",
                "has paid contributions in months counted (pay first, then claim)",
            ),
            _clause("按其实际缴纳社会保险费"),
        ),
    )

    def _graduate(self, record: Applicant, ctx: Context) -> bool:
        window = ctx.values.get(_WINDOW)
        left, since = record.left_school_on, record.flexible_since
        return (
            "graduate" in record.groups
            and left is not None
            and since is not None
            and isinstance(window, int)
            and left <= since <= period_end(left, years=window)
        )

    def _max_months(self, record: Applicant, ctx: Context) -> int | None:
        periods = []
        if "hard_to_employ" in record.groups:
            periods.append(ctx.values.get(_HARD))
        if self._graduate(record, ctx):
            periods.append(ctx.values.get(_GRAD))
        known = [p for p in periods if isinstance(p, int)]
        return max(known) if known else None

    def _window(self, record: Applicant, ctx: Context) -> tuple[int, int] | None:
        """Return the counted months as ``[first, last]`` month indexes, or None."""
        since, months = record.flexible_since, self._max_months(record, ctx)
        if since is None or months is None:
            return None
        first = month_index(since.year, since.month)
        return first, min(first + months - 1, month_index(ctx.on.year, ctx.on.month))

    def _paid(self, record: Applicant, ctx: Context) -> int:
        window = self._window(record, ctx)
        if window is None:
            return 0
        first, last = window
        return sum(fen for month, fen in record.contributions if first <= month <= last)

    def conditions(self, record: Applicant, ctx: Context) -> tuple[bool, ...]:
        """Check the group, flexible employment, and contributions paid in counted months."""
        since = record.flexible_since
        return (
            "hard_to_employ" in record.groups,
            self._graduate(record, ctx),
            since is not None and since <= ctx.on,
            self._paid(record, ctx) > 0,
        )

    def amount(self, record: Applicant, ctx: Context) -> int | None:
        """Return the rate times what was paid in counted months, half-up to the fen."""
        rate, cap = ctx.values.get(_RATE), ctx.values.get(_CAP)
        if not isinstance(rate, Fraction):
            return None
        paid = self._paid(record, ctx)
        fen = round_half_up_fen(paid * rate.numerator, rate.denominator)
        if isinstance(cap, Fraction) and rate <= cap:  # 不超过 2/3: never above the cap
            fen = min(fen, paid * cap.numerator // cap.denominator)
        return fen

    def details(self, record: Applicant, ctx: Context) -> tuple[str, ...]:
        """Say what the groups, dates and counted months were."""
        window = self._window(record, ctx)
        counted = (
            "no months counted"
            if window is None
            else f"months {month_label(window[0])} to {month_label(window[1])}"
        )
        return (
            f"groups = {', '.join(sorted(record.groups)) or 'none'}",
            (
                f"graduate = {'graduate' in record.groups}, left_school_on = {record.left_school_on}, "
                f"flexible_since = {record.flexible_since}, window = {ctx.values.get(_WINDOW)} years"
            ),
            f"flexible_since = {record.flexible_since}",
            f"{counted}; paid {fen_to_yuan(self._paid(record, ctx))} yuan in them",
        )

    def lines(self, record: Applicant, ctx: Context) -> tuple[Line, ...]:
        """Show each counted month's contribution and the subsidy on the total."""
        window = self._window(record, ctx)
        if window is None:
            return ()
        first, last = window
        rate = ctx.values.get(_RATE)
        months = [(m, fen) for m, fen in record.contributions if first <= m <= last]
        out = [
            Line(
                month_label(m),
                Text(f"{month_label(m)} 缴费", f"paid for {month_label(m)}"),
                fen_to_yuan(fen),
                counted=False,
            )
            for m, fen in months
        ]
        skipped = len(record.contributions) - len(months)
        fen = self.amount(record, ctx)
        if fen is not None:
            out.append(
                Line(
                    "subsidy",
                    Text("补贴", "subsidy"),
                    fen_to_yuan(fen),
                    detail=f"{ctx.policy.parameters[_RATE].render(rate)} of {fen_to_yuan(sum(f for _, f in months))}, half-up to the fen"
                    + (f"; {skipped} month(s) outside the counted months" if skipped else ""),
                )
            )
        return tuple(out)
