"""Measure 12, 扩大灵活就业人员培训规模: the Vocational Skills Upgrading Action subsidy.

Measure 12 (provincial text): 将符合条件的灵活就业人员纳入职业技能提升行动补贴范围。
Action 12.1, item 1 (市人力资源社会保障局): 积极推进灵活就业人员纳入职业技能提升行动补贴范围，并按规定发放
职业技能提升行动补贴。 Action 12.2 (市财政局): 配合做好职业技能提升行动补贴发放工作。

A person qualifies who is in flexible employment (``flexible_since`` on or before the
day of application), has completed vocational skills training on or before that day
(``training_completed_on``), and whose training ended in a certificate
(``training_certificate``: 职业资格证书、职业技能等级证书或专项职业能力证书), which is
what the subsidy rules pay on ("按规定发放"). The notice sets no amount: until the
parameter ``skills_upgrading_subsidy.standard`` is given a value (with
[`yantai_policy.Policy.with_parameters`][yantai_policy.model.Policy.with_parameters]), the amount cannot be determined.

References:
    烟政办字〔2021〕3号, measure 12, action 12.1 item 1 and action 12.2 (lines 540-564).
    The Vocational Skills Upgrading Action is the one of 国办发〔2019〕24号,
    《职业技能提升行动方案（2019—2021年）》.

Limitations:
    "符合条件" (eligible) is decided by the subsidy rules, not the notice. Beyond
    flexible employment, training and a certificate, nothing of them is modelled:
    the groups a local rule may favour, the occupations on its subsidised list, a
    deadline for claiming after the certificate, or a limit on claims per person and
    year. That a certificate is required is an assumption from how the subsidy is
    paid locally (取得证书后按规定给予补贴): the clause of 国办发〔2019〕24号 or of the
    subsidy rules that states it could not be verified from the sources at hand.
    One standard applies to every record, whereas local standards differ by
    occupation and certificate level; the local standard itself was not found, so
    the parameter has no value. The action plan ran from 2019 to 2021; its end is
    not applied (a reform may end the standard with a dated ``None``). Whether the
    person had to be in flexible employment when trained is not stated, so the
    order of the two dates is not checked.

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> from yantai_policy import benefits
    >>> record = {"id": "T1", "flexible_since": "2021-02-01",
    ...     "training_completed_on": "2021-05-20", "training_certificate": True}
    >>> d = benefits.evaluate("skills_upgrading_subsidy", record, on=dt.date(2021, 6, 1))
    >>> d.eligible, d.amount
    (True, None)
    >>> reform = yp.load_policy().with_parameters({"skills_upgrading_subsidy.standard": "1000"})
    >>> benefits.evaluate("skills_upgrading_subsidy", record, on=dt.date(2021, 6, 1),
    ...     policy=reform).amount
    Decimal('1000.00')
"""

from __future__ import annotations

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Applicants, flat_fen
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

__all__ = ["SkillsUpgradingSubsidy"]

_STANDARD = "skills_upgrading_subsidy.standard"


def _clause(excerpt: str, action: str | None = "12.1") -> Clause:
    return Clause(excerpt, measure=12, action=action)


class SkillsUpgradingSubsidy(Benefit[Applicant, Applicants]):
    """The Vocational Skills Upgrading Action subsidy of measure 12, for flexible workers."""

    name = "skills_upgrading_subsidy"
    title = Text("职业技能提升行动补贴", "Vocational Skills Upgrading Action subsidy")
    measure = 12
    parameters = (_STANDARD,)
    specs = (
        Spec(
            "flexibly_employed",
            Text("灵活就业人员", "in flexible employment"),
            _clause("积极推进灵活就业人员纳入职业技能提升行动补贴范围"),
            detail=lambda f: f.dated("flexible_since", "flexibly_employed"),
        ),
        Spec(
            "trained",
            Text(
                "已完成职业技能培训",
                "has completed vocational skills training by the day of application",
            ),
            _clause("扩大灵活就业人员培训规模", action=None),
            detail=lambda f: f.dated("training_completed_on", "trained"),
        ),
        Spec(
            "certificate",
            Text(
                "培训后取得职业资格证书、职业技能等级证书或专项职业能力证书（按规定发放）",
                "the training ended in a vocational qualification, skill-level or "
                "special-ability certificate (paid in accordance with the rules)",
            ),
            _clause("并按规定发放职业技能提升行动补贴"),
            detail=lambda f: f"training_certificate = {f.record.training_certificate}",
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check flexible employment, training and the certificate; the amount is the standard."""
        on = ctx.day
        return Computed(
            held={
                "flexibly_employed": x.dates["flexible_since"] <= on,  # NaT compares False
                "trained": x.dates["training_completed_on"] <= on,
                "certificate": x.flags["training_certificate"],
            },
            fen=flat_fen(ctx.values, _STANDARD, x.n),
        )

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """Say where the amount comes from."""
        if facts.value(_STANDARD) is None:
            return (
                Text(
                    "补贴按规定标准发放；该标准未在通知中规定，尚未提供，金额无法确定。",
                    "The subsidy follows the standard set by the rules, which the notice does not "
                    "state and which has not been supplied: the amount cannot be determined.",
                ),
            )
        return ()
