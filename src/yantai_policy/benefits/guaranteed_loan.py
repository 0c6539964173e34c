"""Measure 7, 提供贷款贴息 (guaranteed start-up loans), with section 三 of the notice.

Measure 7 (provincial text): 对符合条件的个人创业、合伙创业，可分别申请最高 20 万元、60 万元的创业担保贷款，
财政按规定给予贴息。2020 年 12 月 31 日前，将符合贷款条件的个体工商户、…、平台就业人员 … 纳入创业担保贷款扶持范围。
对符合条件的借款人，免除反担保要求。

Section 三: 对高校毕业生、退役军人、下岗失业人员、农民工等重点群体从事个体经营的，… 提供创业担保贷款支持。

A borrower qualifies as one of the key groups of section 三 running a business, or,
on or before 2020-12-31 only, under the expanded scope (individual businesses and
platform workers). The notice was issued on 2021-01-11, so the expanded scope has
already ended whenever the notice is in force: the decision shows it as not holding,
with the dates. The amount is the loan granted: the request, cut to the cap (200,000
yuan for an individual, 600,000 for a partnership). The counter-guarantee is waived
for an eligible borrower; the interest subsidy is "按规定" (per regulation), so no
rate is computed.

References:
    烟政办字〔2021〕3号, measure 7 (lines 377-441) and section 三 (lines 55-72).

Limitations:
    Creditworthiness and the other "loan conditions" (符合贷款条件) are the bank's
    to judge and are not modelled; of the expanded scope, the taxi and ride-hailing
    car loans and incubator residents are not fields of the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yantai_policy.benefits.base import Benefit, Context, Spec
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.model import Text

if TYPE_CHECKING:
    from yantai_policy.benefits.records import Applicant

__all__ = ["KEY_GROUPS", "GuaranteedLoan"]

KEY_GROUPS = frozenset({"graduate", "veteran", "laid_off", "unemployed", "migrant_worker"})
"""Section 三: 高校毕业生、退役军人、下岗失业人员、农民工 (graduates, veterans, laid-off and unemployed people, migrant workers)."""

_CAP = {
    "individual": "guaranteed_loan.cap_individual",
    "partnership": "guaranteed_loan.cap_partnership",
}
_UNTIL = "guaranteed_loan.expanded_scope_until"
_SECTION_3 = "对高校毕业生、退役军人、下岗失业人员、农民工等重点群体从事个体经营的"


class GuaranteedLoan(Benefit["Applicant"]):
    """The guaranteed start-up loan of measure 7: the amount is the loan granted."""

    name = "guaranteed_loan"
    title = Text("创业担保贷款", "Guaranteed start-up loan")
    measure = 7
    parameters = (*_CAP.values(), _UNTIL)
    specs = (
        Spec(
            "loan_requested",
            Text("申请个人创业或合伙创业担保贷款", "applies for an individual or partnership loan"),
            Clause("对符合条件的个人创业、合伙创业，可分别申请", measure=7),
        ),
        Spec(
            "key_group_in_business",
            Text(
                "高校毕业生、退役军人、下岗失业人员、农民工等重点群体从事个体经营",
                "a graduate, veteran, laid-off or unemployed person or migrant worker in business",
            ),
            Clause(_SECTION_3, section=3),
            group="borrower",
        ),
        Spec(
            "expanded_scope",
            Text(
                "扩大扶持范围内（guaranteed_loan.expanded_scope_until 前）的个体工商户、平台就业人员",
                "an individual business or platform worker, within the expanded scope "
                "(until guaranteed_loan.expanded_scope_until)",
            ),
            Clause("2020 年 12 月 31 日前", measure=7),
            group="borrower",
        ),
    )

    def conditions(self, record: Applicant, ctx: Context) -> tuple[bool, ...]:
        """Check the request, and the two ways of being an eligible borrower."""
        until = ctx.values.get(_UNTIL)
        return (
            record.loan is not None,
            not KEY_GROUPS.isdisjoint(record.groups) and record.business_type is not None,
            until is not None
            and ctx.on <= until  # type: ignore[operator]
            and (record.business_type == "individual_business" or record.platform is not None),
        )

    def amount(self, record: Applicant, ctx: Context) -> int | None:
        """Return the loan granted in fen: the request, cut to the cap for its kind."""
        kind, requested = record.loan  # type: ignore[misc]
        cap = ctx.values.get(_CAP[kind])
        return None if cap is None else min(requested, int(cap * 100))  # type: ignore[operator]

    def details(self, record: Applicant, ctx: Context) -> tuple[str, ...]:
        """Say what the request, groups and dates were."""
        loan = (
            "loan not given"
            if record.loan is None
            else f"{record.loan[0]}, {fen_to_yuan(record.loan[1])} yuan"
        )
        groups = ", ".join(sorted(record.groups & KEY_GROUPS)) or "none of the key groups"
        until = ctx.values.get(_UNTIL)
        scope = (
            "no end date"
            if until is None
            else f"the expanded scope ended on {until}; on = {ctx.on}"
        )
        return (
            loan,
            f"{groups}; business_type = {record.business_type}",
            f"{scope}; business_type = {record.business_type}, platform = {record.platform}",
        )

    def lines(self, record: Applicant, ctx: Context) -> tuple[Line, ...]:
        """Show the request, the cap and the grant."""
        kind, requested = record.loan  # type: ignore[misc]
        cap = ctx.values.get(_CAP[kind])
        out = [
            Line("requested", Text("申请额度", "requested"), fen_to_yuan(requested), counted=False)
        ]
        if cap is not None:
            cap_fen = int(cap * 100)  # type: ignore[operator]
            cut = requested > cap_fen
            out.append(
                Line(
                    "granted",
                    Text("可贷额度", "granted"),
                    fen_to_yuan(min(requested, cap_fen)),
                    detail=f"cut to the {kind} cap of {cap}"
                    if cut
                    else f"within the {kind} cap of {cap}",
                )
            )
        return tuple(out)

    def notes(self, record: Applicant, ctx: Context) -> tuple[Text, ...]:
        """State the counter-guarantee waiver and the interest subsidy."""
        return (
            Text(
                "对符合条件的借款人，免除反担保要求。",
                "The counter-guarantee is waived for an eligible borrower.",
            ),
            Text(
                "财政按规定给予贴息：贴息比例按有关规定执行，本库不计算。",
                "The interest subsidy is paid per regulation (按规定); the notice sets no rate, so none is computed.",
            ),
        )
