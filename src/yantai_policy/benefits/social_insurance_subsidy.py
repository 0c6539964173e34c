"""Measure 17, 发放灵活就业社会保险补贴 (social-insurance subsidy for flexible employment).

Action 17.1 (市人力资源社会保障局): 对就业困难人员、离校 2年内未就业的高校毕业生灵活就业后缴纳的
职工社会保险费，按其实际缴纳社会保险费的 65%给予补贴。 The provincial text caps it:
按照“先缴后补”的原则，按规定期限给予不超过其缴纳职工社会保险费2/3的社会保险补贴。

Eligible: people with employment difficulties, and graduates whose flexible employment
began within 2 years of leaving school. The months counted run from the month flexible
employment began, for at most the subsidy period (36 months for people with employment
difficulties, 24 for graduates: 财社〔2017〕164号; the longer applies to someone in both
groups), and only months up to the month of application (先缴后补: pay first, claim the
subsidy afterwards).
The amount is 65% of what was paid in those months, rounded half-up to the fen once,
on the total, and never above 2/3 of what was paid (rounded down) while the rate
keeps within that cap. Months of zero count for nothing.

References:
    烟政办字〔2021〕3号, measure 17, action 17.1 (lines 747-771); 财社〔2017〕164号.

Limitations:
    The extension to retirement for people with employment difficulties within 5 years of it
    (财社〔2017〕164号) is not modelled; subsidies already paid for earlier months
    are the caller's to subtract.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import (
    Applicants,
    entries_within,
    month_of,
    per_day,
    period_end_days,
    scaled,
    window_sums,
)
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan, month_label
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

__all__ = ["SocialInsuranceSubsidy"]

_RATE = "social_insurance_subsidy.rate"
_CAP = "social_insurance_subsidy.rate_cap"
_WINDOW = "social_insurance_subsidy.graduate_window_years"
_HARD = "social_insurance_subsidy.max_months_hard_to_employ"
_GRAD = "social_insurance_subsidy.max_months_graduate"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=17, action="17.1")


def _paid_detail(f: Facts) -> str:
    counted = (
        f"months {month_label(f['first_month'])} to {month_label(f['last_month'])}"
        if f["counted"]
        else "no months counted"
    )
    return f"{counted}; paid {fen_to_yuan(f['paid'])} yuan in them"


class SocialInsuranceSubsidy(Benefit[Applicant, Applicants]):
    """The social-insurance subsidy of measure 17: 65% of contributions paid."""

    name = "social_insurance_subsidy"
    title = Text("灵活就业社会保险补贴", "Social-insurance subsidy for flexible employment")
    measure = 17
    parameters = (_RATE, _CAP, _WINDOW, _HARD, _GRAD)
    specs = (
        Spec(
            "hard_to_employ",
            Text("就业困难人员", "a person with employment difficulties"),
            _clause("就业困难人员"),
            group="person",
            detail=lambda f: f"groups = {', '.join(sorted(f.record.groups)) or 'none'}",
        ),
        Spec(
            "recent_graduate",
            Text(
                "离校2年内灵活就业的高校毕业生",
                "a graduate in flexible employment within 2 years of leaving school",
            ),
            _clause("离校 2年内未就业的高校毕业生"),
            group="person",
            detail=lambda f: (
                f"graduate = {'graduate' in f.record.groups}, left_school_on = {f.record.left_school_on}, "
                f"flexible_since = {f.record.flexible_since}, window = {f.value(_WINDOW)} years"
            ),
        ),
        Spec(
            "flexibly_employed",
            Text("灵活就业", "in flexible employment"),
            _clause("灵活就业后缴纳的职工社会保险费"),
            detail=lambda f: f"flexible_since = {f.record.flexible_since}",
        ),
        Spec(
            "paid_first",
            Text(
                "已实际缴纳社会保险费（先缴后补）",
                "has paid contributions in months counted (pay first, claim the subsidy afterwards)",
            ),
            _clause("按其实际缴纳社会保险费"),
            detail=_paid_detail,
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the group, flexible employment, and contributions paid in counted months."""
        on = ctx.day
        hard = x.has("hard_to_employ")
        left, since = x.dates["left_school_on"], x.dates["flexible_since"]
        window = ctx.values.get(_WINDOW)
        if isinstance(window, int):
            graduate = x.has("graduate")
            graduate &= left <= since
            graduate &= since <= per_day(left, lambda day: period_end_days(day, 12 * window))
        else:
            graduate = np.zeros(x.n, bool)
        # The subsidy period: the longer of the periods that apply (0: none; a period
        # of no months or fewer counts no month either way).
        hard_months, graduate_months = ctx.values.get(_HARD), ctx.values.get(_GRAD)
        if isinstance(hard_months, int):
            longest = hard * np.int32(hard_months)
        else:
            longest = np.zeros(x.n, np.int32)
        if isinstance(graduate_months, int):
            np.maximum(longest, graduate * np.int32(graduate_months), out=longest)
        counted = longest > 0
        counted &= ~np.isnat(since)
        # 先缴后补 (pay first, claim the subsidy afterwards): months from flexible_since, up to the month of `on`
        on_month = np.int32(month_of(np.array([on]))[0])
        first = per_day(since, month_of)
        first *= counted  # not counted: an empty window, [1, 0] (arithmetic, not a masked write)
        first += ~counted
        last = first + longest
        last -= 1
        np.minimum(last, on_month, out=last)
        last *= counted
        paid = window_sums(x.contributions, x.n, first, last)
        rate, cap = ctx.values.get(_RATE), ctx.values.get(_CAP)
        fen = None
        if isinstance(rate, Fraction):
            fen = scaled(paid, rate, half_up=True)
            if isinstance(cap, Fraction) and rate <= cap:  # 不超过 2/3: never above the cap
                np.minimum(fen, scaled(paid, cap, half_up=False), out=fen)
        return Computed(
            held={
                "hard_to_employ": hard,
                "recent_graduate": graduate,
                "flexibly_employed": since <= on,
                "paid_first": paid > 0,
            },
            fen=fen,
            facts={
                "counted": counted,
                "first_month": first,
                "last_month": last,
                "paid": paid,
                "fen": fen,
                "in_window": lambda: entries_within(x.contributions, first, last),
            },
        )

    def lines(self, facts: Facts) -> tuple[Line, ...]:
        """Show each counted month's contribution and the subsidy on the total."""
        if not facts["counted"]:
            return ()
        contributions = facts.record.contributions
        inside = facts.all("in_window")
        months = [entry for entry, ok in zip(contributions, inside, strict=True) if ok]
        out = [
            Line(
                month_label(m),
                Text(f"{month_label(m)} 缴费", f"paid for {month_label(m)}"),
                fen_to_yuan(fen),
                counted=False,
            )
            for m, fen in months
        ]
        skipped = len(contributions) - len(months)
        rate = facts.value(_RATE)
        if isinstance(rate, Fraction):
            amount = facts.ctx.policy.parameters[_RATE].render(rate)
            out.append(
                Line(
                    "subsidy",
                    Text("补贴", "subsidy"),
                    fen_to_yuan(facts["fen"]),
                    detail=f"{amount} of {fen_to_yuan(facts['paid'])}, half-up to the fen"
                    + (f"; {skipped} month(s) outside the counted months" if skipped else ""),
                )
            )
        return tuple(out)
