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

import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import MAX_FEN, Applicants, param_fen, scaled, sum_by_row
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

if TYPE_CHECKING:
    from decimal import Decimal


__all__ = ["AccidentInsuranceSubsidy"]

_PROPORTION = "accident_insurance_subsidy.proportion"
_CAP = "accident_insurance_subsidy.annual_cap"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=18)


def _paid_detail(f: Facts) -> str:
    return (
        f"{fen_to_yuan(f['paid'])} yuan paid from {f.ctx.policy.notice.issued_on.year} to {f.on} "
        f"({len(f.record.accident_premiums)} premium(s) given)"
    )


class AccidentInsuranceSubsidy(Benefit[Applicant, Applicants]):
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
            detail=lambda f: f"platform = {f.record.platform}",
        ),
        Spec(
            "employment_registered",
            Text("办理就业登记", "has registered employment"),
            _clause("办理就业登记"),
            detail=lambda f: f"employment_registered = {f.record.employment_registered}",
        ),
        Spec(
            "not_in_injury_pilot",
            Text(
                "未参加职业伤害保障试点（避免重复补贴）",
                "not covered by the occupational-injury pilot (no double subsidy)",
            ),
            _clause("避免重复补贴"),
            detail=lambda f: f"injury_pilot_covered = {f.record.injury_pilot_covered}",
        ),
        Spec(
            "premium_paid",
            Text("购买意外伤害保险", "has paid accident-insurance premiums"),
            _clause("购买意外伤害保险"),
            detail=_paid_detail,
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the platform, registration, the pilot and premiums paid; subsidise each year."""
        entries = x.premiums
        # Whole calendar years from the year the notice was issued, up to the day.
        start = np.datetime64(dt.date(ctx.policy.notice.issued_on.year, 1, 1), "D")
        counted = (entries.keys >= start) & (entries.keys <= ctx.day)
        rows, days, fen = entries.rows()[counted], entries.keys[counted], entries.fen[counted]
        paid = sum_by_row(rows, fen, np.ones(len(rows), bool), x.n)
        # Each (record, calendar year) of premiums counted: min(proportion x paid, cap).
        years = days.astype("datetime64[Y]").astype(np.int64) + 1970
        low, span = (
            (int(years.min()), int(years.max()) - int(years.min()) + 1) if len(years) else (0, 1)
        )
        groups, group_of = np.unique(
            rows.astype(np.int64) * span + (years - low), return_inverse=True
        )
        year_paid = np.bincount(
            group_of, weights=fen.astype(np.float64), minlength=len(groups)
        ).astype(np.int64)
        proportion, cap = ctx.values.get(_PROPORTION), ctx.values.get(_CAP)
        total = None
        year_fen = None
        if isinstance(proportion, Fraction) and cap is not None:
            cap_fen = min(param_fen(cap, _CAP), MAX_FEN)
            year_fen = np.minimum(scaled(year_paid, proportion, half_up=True), cap_fen)
            total = np.zeros(x.n, np.int64)
            np.add.at(total, groups // span, year_fen)
        return Computed(
            held={
                "platform_worker": x.platform,
                "employment_registered": x.flags["employment_registered"],
                "not_in_injury_pilot": ~x.flags["injury_pilot_covered"],
                "premium_paid": paid > 0,
            },
            fen=total,
            facts={
                "paid": paid,
                "year": groups % span + low,
                "year_paid": year_paid,
                "year_fen": year_fen,
            },
        )

    def lines(self, facts: Facts) -> tuple[Line, ...]:
        """Show each calendar year's premiums and subsidy."""
        if facts.computed.facts["year_fen"] is None:
            return ()
        cap: Decimal | None = facts.value(_CAP)  # type: ignore[assignment]
        return tuple(
            Line(
                str(year),
                Text(f"{year}年补贴", f"subsidy for {year}"),
                fen_to_yuan(fen),
                detail=f"premiums {fen_to_yuan(paid)}; cap {cap} a year",
            )
            for year, paid, fen in zip(
                facts.all("year"), facts.all("year_paid"), facts.all("year_fen"), strict=True
            )
        )

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """Say who may be paid."""
        return (
            Text(
                "补贴可发给平台或个人。",
                "The subsidy may be paid to the platform or to the person.",
            ),
        )
