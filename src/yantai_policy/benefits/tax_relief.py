"""Measure 5, 减轻税费负担 (tax relief for key groups in business).

Measure 5 (provincial text): 退役士兵、贫困人口、失业人员、高校毕业生等从事个体经营的，按规定限额依次扣减
增值税、城市维护建设税、教育费附加、地方教育附加和个人所得税。

For veterans, people in poverty, unemployed or laid-off people and graduates running
an individual business, within the relief period (36 months from the month of
registration), the annual quota is deducted in order (依次扣减): VAT, then urban
maintenance and construction tax, then education surcharge, then local education
surcharge, then individual income tax, each up to what is due. The decision gives
each deduction, the total (its amount) and the quota left. The notice says only
"按规定限额" (the prescribed quota): 14,400 yuan a year comes from 财税〔2019〕21号
and 22号 with Shandong's 20% uplift, and can be overridden.

References:
    烟政办字〔2021〕3号, measure 5 (lines 298-345); 财税〔2019〕21号; 财税〔2019〕22号.

Limitations:
    The quota is annual: ``tax_due`` is taken to be one year's tax. Pro-rating the
    quota for a part year (财税〔2019〕22号) is not modelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Applicants, month_of, param_fen, per_day
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import TAXES, Applicant
from yantai_policy.model import Text

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    Ints = npt.NDArray[np.int64]

__all__ = ["TAX_NAMES", "TaxRelief", "deduct"]

GROUPS = frozenset({"veteran", "poverty", "unemployed", "laid_off", "graduate"})
"""退役士兵、贫困人口、失业人员（含下岗）、高校毕业生."""
TAX_NAMES = {
    "vat": Text("增值税", "VAT"),
    "urban_maintenance": Text("城市维护建设税", "urban maintenance and construction tax"),
    "education_surcharge": Text("教育费附加", "education surcharge"),
    "local_education_surcharge": Text("地方教育附加", "local education surcharge"),
    "individual_income": Text("个人所得税", "individual income tax"),
}
_QUOTA = "tax_relief.annual_quota"
_PERIOD = "tax_relief.period_months"


def deduct_columns(quota: int, due: Mapping[str, Ints], n: int) -> tuple[dict[str, Ints], Ints]:
    """Deduct a quota from taxes due, in the order of measure 5 (依次扣减), over columns.

    Args:
        quota: The quota, in fen.
        due: Tax name to each record's amount due, in fen; taxes not given are nothing due.
        n: The number of records.

    Returns:
        The deduction from each tax, in [`TAXES`][yantai_policy.benefits.records.TAXES]
        order, and the quota left.
    """
    left = np.full(n, min(quota, 2**62), np.int64)
    cuts = {}
    for tax in TAXES:  # 依次扣减: in the order of TAXES (absent: nothing due)
        cut = np.minimum(left, due[tax]) if tax in due else np.zeros(n, np.int64)
        left -= cut
        cuts[tax] = cut
    return cuts, left


def deduct(
    quota: int, due: dict[str, int] | tuple[tuple[str, int], ...]
) -> tuple[list[tuple[str, int]], int]:
    """Deduct a quota from taxes due, for one record ([`deduct_columns`][yantai_policy.benefits.tax_relief.deduct_columns] on a batch of one).

    Args:
        quota: The quota, in fen.
        due: Tax name to the amount due, in fen; taxes not given are taken as nothing due.

    Returns:
        The deduction for each tax in [`TAXES`][yantai_policy.benefits.records.TAXES]
        order, and the quota left.

    Examples:
        >>> deduct(100, {"vat": 60, "individual_income": 70})
        ([('vat', 60), ('urban_maintenance', 0), ('education_surcharge', 0), ('local_education_surcharge', 0), ('individual_income', 40)], 0)
    """
    columns = {tax: np.array([fen], np.int64) for tax, fen in dict(due).items()}
    cuts, left = deduct_columns(quota, columns, 1)
    return [(tax, int(cut[0])) for tax, cut in cuts.items()], int(left[0])


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=5)


class TaxRelief(Benefit[Applicant, Applicants]):
    """The tax relief of measure 5: a quota deducted from five taxes in a fixed order."""

    name = "tax_relief"
    title = Text("重点群体创业税收扣减", "Tax relief for key groups in business")
    measure = 5
    parameters = (_QUOTA, _PERIOD)
    specs = (
        Spec(
            "key_group",
            Text(
                "退役士兵、贫困人口、失业人员、高校毕业生等",
                "a veteran, poor, unemployed or laid-off person, or a graduate",
            ),
            _clause("退役士兵、贫困人口、失业人员、高校毕业生等从事个体经营的"),
            detail=lambda f: f"groups = {', '.join(sorted(f.record.groups)) or 'none'}",
        ),
        Spec(
            "individual_business",
            Text("从事个体经营", "runs an individual business"),
            _clause("从事个体经营"),
            detail=lambda f: f"business_type = {f.record.business_type}",
        ),
        Spec(
            "within_period",
            Text(
                "在规定扣减期限内（tax_relief.period_months，自登记当月起算）",
                "within the relief period (tax_relief.period_months, from the month of registration)",
            ),
            _clause("按规定限额依次扣减"),
            detail=lambda f: (
                f"first_license_on = {f.record.first_license_on}, period = {f.value(_PERIOD)} months, on = {f.on}"
            ),
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the group, the business and the period; deduct the quota in order."""
        on = ctx.day
        licensed = x.dates["first_license_on"]
        months = ctx.values.get(_PERIOD)
        on_month = month_of(np.array([on]))[0]
        # From the month of registration, for the period's months, up to the day.
        within = (
            per_day(licensed, lambda day: (day <= on) & (on_month < month_of(day) + months))
            if isinstance(months, int)
            else np.zeros(x.n, bool)
        )
        quota = ctx.values.get(_QUOTA)
        facts = {}
        total = None
        if quota is not None:
            cuts, left = deduct_columns(param_fen(quota, _QUOTA), x.tax_due, x.n)
            total = sum(cuts.values(), np.zeros(x.n, np.int64))
            facts = {**{f"cut.{tax}": cut for tax, cut in cuts.items()}, "quota_left": left}
        return Computed(
            held={
                "key_group": x.any_of(GROUPS),
                "individual_business": x.is_business("individual_business"),
                "within_period": within,
            },
            fen=total,
            facts=facts,
        )

    def lines(self, facts: Facts) -> tuple[Line, ...]:
        """Show the deduction from each tax, in order, and the quota left."""
        if facts.value(_QUOTA) is None:
            return ()
        due = dict(facts.record.tax_due)
        out = [
            Line(
                tax,
                TAX_NAMES[tax],
                fen_to_yuan(facts[f"cut.{tax}"]),
                detail=f"due {fen_to_yuan(due.get(tax, 0))}",
            )
            for tax in TAXES
        ]
        out.append(
            Line(
                "quota_left",
                Text("剩余限额", "quota left"),
                fen_to_yuan(facts["quota_left"]),
                counted=False,
            )
        )
        return tuple(out)
