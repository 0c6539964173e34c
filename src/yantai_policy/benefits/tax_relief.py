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

from yantai_policy.benefits.base import Benefit, Context, Spec
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan, month_index
from yantai_policy.benefits.records import TAXES
from yantai_policy.model import Text

if TYPE_CHECKING:
    from yantai_policy.benefits.records import Applicant

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


def deduct(
    quota: int, due: dict[str, int] | tuple[tuple[str, int], ...]
) -> tuple[list[tuple[str, int]], int]:
    """Deduct a quota from taxes due, in the order of measure 5 (依次扣减).

    Args:
        quota: The quota, in fen.
        due: Tax name to the amount due, in fen; taxes not given are taken as nothing due.

    Returns:
        The deduction for each tax in :data:`~yantai_policy.benefits.records.TAXES`
        order, and the quota left.

    Examples:
        >>> deduct(100, {"vat": 60, "individual_income": 70})
        ([('vat', 60), ('urban_maintenance', 0), ('education_surcharge', 0), ('local_education_surcharge', 0), ('individual_income', 40)], 0)
    """
    table = dict(due)
    out = []
    left = quota
    for tax in TAXES:
        cut = min(left, table.get(tax, 0))
        out.append((tax, cut))
        left -= cut
    return out, left


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=5)


class TaxRelief(Benefit["Applicant"]):
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
        ),
        Spec(
            "individual_business",
            Text("从事个体经营", "runs an individual business"),
            _clause("从事个体经营"),
        ),
        Spec(
            "within_period",
            Text(
                "在规定扣减期限内（tax_relief.period_months，自登记当月起算）",
                "within the relief period (tax_relief.period_months, from the month of registration)",
            ),
            _clause("按规定限额依次扣减"),
        ),
    )

    def _within(self, record: Applicant, ctx: Context) -> bool:
        licensed, months = record.first_license_on, ctx.values.get(_PERIOD)
        if licensed is None or not isinstance(months, int) or licensed > ctx.on:
            return False
        start = month_index(licensed.year, licensed.month)
        return month_index(ctx.on.year, ctx.on.month) < start + months

    def conditions(self, record: Applicant, ctx: Context) -> tuple[bool, ...]:
        """Check the group, the business and the period."""
        return (
            not GROUPS.isdisjoint(record.groups),
            record.business_type == "individual_business",
            self._within(record, ctx),
        )

    def amount(self, record: Applicant, ctx: Context) -> int | None:
        """Return the total deducted, in fen."""
        quota = ctx.values.get(_QUOTA)
        if quota is None:
            return None
        cuts, _ = deduct(int(quota * 100), record.tax_due)  # type: ignore[operator]
        return sum(cut for _, cut in cuts)

    def details(self, record: Applicant, ctx: Context) -> tuple[str, ...]:
        """Say what the groups, business and licence date were."""
        return (
            f"groups = {', '.join(sorted(record.groups)) or 'none'}",
            f"business_type = {record.business_type}",
            f"first_license_on = {record.first_license_on}, period = {ctx.values.get(_PERIOD)} months, on = {ctx.on}",
        )

    def lines(self, record: Applicant, ctx: Context) -> tuple[Line, ...]:
        """Show the deduction from each tax, in order, and the quota left."""
        quota = ctx.values.get(_QUOTA)
        if quota is None:
            return ()
        cuts, left = deduct(int(quota * 100), record.tax_due)  # type: ignore[operator]
        due = dict(record.tax_due)
        out = [
            Line(
                tax, TAX_NAMES[tax], fen_to_yuan(cut), detail=f"due {fen_to_yuan(due.get(tax, 0))}"
            )
            for tax, cut in cuts
        ]
        out.append(
            Line("quota_left", Text("剩余限额", "quota left"), fen_to_yuan(left), counted=False)
        )
        return tuple(out)
