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

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Applicants, param_fen
from yantai_policy.benefits.decision import Clause, Line
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import LOAN_KINDS, Applicant
from yantai_policy.model import Text

__all__ = ["KEY_GROUPS", "GuaranteedLoan"]

KEY_GROUPS = frozenset({"graduate", "veteran", "laid_off", "unemployed", "migrant_worker"})
"""Section 三: 高校毕业生、退役军人、下岗失业人员、农民工 (graduates, veterans, laid-off and unemployed people, migrant workers)."""

_CAP = {
    "individual": "guaranteed_loan.cap_individual",
    "partnership": "guaranteed_loan.cap_partnership",
}
_UNTIL = "guaranteed_loan.expanded_scope_until"
_SECTION_3 = "对高校毕业生、退役军人、下岗失业人员、农民工等重点群体从事个体经营的"


def _loan_detail(f: Facts) -> str:
    loan = f.record.loan
    return "loan not given" if loan is None else f"{loan[0]}, {fen_to_yuan(loan[1])} yuan"


def _group_detail(f: Facts) -> str:
    groups = ", ".join(sorted(f.record.groups & KEY_GROUPS)) or "none of the key groups"
    return f"{groups}; business_type = {f.record.business_type}"


def _scope_detail(f: Facts) -> str:
    until = f.value(_UNTIL)
    scope = "no end date" if until is None else f"the expanded scope ended on {until}; on = {f.on}"
    return f"{scope}; business_type = {f.record.business_type}, platform = {f.record.platform}"


class GuaranteedLoan(Benefit[Applicant, Applicants]):
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
            detail=_loan_detail,
        ),
        Spec(
            "key_group_in_business",
            Text(
                "高校毕业生、退役军人、下岗失业人员、农民工等重点群体从事个体经营",
                "a graduate, veteran, laid-off or unemployed person or migrant worker in business",
            ),
            Clause(_SECTION_3, section=3),
            detail=_group_detail,
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
            detail=_scope_detail,
            group="borrower",
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the request and the two ways of being a borrower; cut the loan to its cap."""
        until = ctx.values.get(_UNTIL)
        in_business = x.business_type != 0
        expanded = (
            (x.is_business("individual_business") | x.platform)
            if until is not None and ctx.on <= until  # type: ignore[operator]
            else np.zeros(x.n, bool)
        )
        fen = x.loan_fen.copy()
        unknown = np.zeros(x.n, bool)
        caps = np.zeros(x.n, np.int64)
        for code, kind in enumerate(LOAN_KINDS, 1):
            cap = ctx.values.get(_CAP[kind])
            of_kind = x.loan_kind == code
            if cap is None:
                unknown |= of_kind
            else:
                cap_fen = param_fen(cap, _CAP[kind])
                caps = np.where(of_kind, cap_fen, caps)
                fen = np.where(of_kind, np.minimum(fen, cap_fen), fen)
        return Computed(
            held={
                "loan_requested": x.loan_kind != 0,
                "key_group_in_business": x.any_of(KEY_GROUPS) & in_business,
                "expanded_scope": expanded,
            },
            fen=fen,
            unknown=unknown,
            facts={"granted": fen, "cap": caps, "unknown": unknown},
        )

    def lines(self, facts: Facts) -> tuple[Line, ...]:
        """Show the request, the cap and the grant."""
        kind, requested = facts.record.loan
        out = [
            Line("requested", Text("申请额度", "requested"), fen_to_yuan(requested), counted=False)
        ]
        if not facts["unknown"]:
            cap = fen_to_yuan(facts["cap"])
            cut = requested > facts["cap"]
            out.append(
                Line(
                    "granted",
                    Text("可贷额度", "granted"),
                    fen_to_yuan(facts["granted"]),
                    detail=f"cut to the {kind} cap of {cap}"
                    if cut
                    else f"within the {kind} cap of {cap}",
                )
            )
        return tuple(out)

    def notes(self, facts: Facts) -> tuple[Text, ...]:
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
