"""Measure 5, 减轻税费负担: the fee exemptions.

Measure 5 (provincial text): 个体工商户免征不动产登记费。对参加拖拉机（联合收割机）驾驶许可考试的农民，暂免收取考试费。
Actions 5.4 (市自然资源和规划局) and 5.5 (市农业农村局) carry them out.

An individual business pays no real-estate registration fee; a farmer pays no fee
for the tractor (combine-harvester) driving test. The decision is eligible where
either applies and says which. The fees themselves are set elsewhere, so the amount
cannot be determined and is ``None``.

References:
    烟政办字〔2021〕3号, measure 5, actions 5.4 and 5.5 (lines 335-340).

Examples:
    >>> import datetime as dt
    >>> from yantai_policy import benefits
    >>> d = benefits.evaluate("fee_exemptions", {"id": "F1", "groups": ["farmer"]}, on=dt.date(2021, 5, 1))
    >>> d.eligible, d.amount, [n.en for n in d.notes]
    (True, None, ['Exempt from the tractor (combine-harvester) driving-test fee.'])
"""

from __future__ import annotations

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Applicants
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

__all__ = ["FeeExemptions"]

_REGISTRATION = Text("免收不动产登记费。", "Exempt from the real-estate registration fee.")
_DRIVING_TEST = Text(
    "暂免收取拖拉机（联合收割机）驾驶许可考试费。",
    "Exempt from the tractor (combine-harvester) driving-test fee.",
)


class FeeExemptions(Benefit[Applicant, Applicants]):
    """The fee exemptions of measure 5; the fees are not in the notice, so no amount."""

    name = "fee_exemptions"
    title = Text("免收费用", "Fee exemptions")
    measure = 5
    parameters = ()
    specs = (
        Spec(
            "individual_business",
            Text(
                "个体工商户（免征不动产登记费）",
                "an individual business (no real-estate registration fee)",
            ),
            Clause(
                "要求各不动产登记机构在为个体工商户办理不动产登记时免收登记费",
                measure=5,
                action="5.4",
            ),
            group="exemption",
            detail=lambda f: f"business_type = {f.record.business_type}",
        ),
        Spec(
            "farmer",
            Text(
                "参加拖拉机（联合收割机）驾驶许可考试的农民",
                "a farmer taking the tractor (combine-harvester) driving test",
            ),
            Clause(
                "对参加拖拉机（联合收割机）驾驶许可考试的农民暂免收取考试费",
                measure=5,
                action="5.5",
            ),
            group="exemption",
            detail=lambda f: f"farmer = {'farmer' in f.record.groups}",
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the two exemptions; the notice does not state the fees, so no amount."""
        return Computed(
            held={
                "individual_business": x.is_business("individual_business"),
                "farmer": x.has("farmer"),
            },
            fen=None,
        )

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """List the exemptions that apply."""
        return tuple(
            text
            for text, code in ((_REGISTRATION, "individual_business"), (_DRIVING_TEST, "farmer"))
            if facts.held(code)
        )
