"""Measure 13, 提升新就业形态从业人员技能水平: the vocational training subsidy in the pilot areas.

Measure 13 (provincial text): 开展新就业形态技能提升和就业促进项目试点，将试点地区通过企业平台提供服务获取
劳动报酬的网约配送员、网约车驾驶员、直播带货员等新就业形态重点群体纳入培训补贴范围，落实职业培训补贴。
Action 13.1 (市人力资源社会保障局): 积极推进新业形态从业人员职业技能培训，并按规定发放职业培训补贴。
(新业形态 is printed for 新就业形态; the erratum is kept verbatim.)

A person qualifies who works in a pilot area (``pilot_area``), provides services
through an enterprise platform for pay (``platform`` given), is one of the key
groups of new forms of employment (``platform_occupation``: a platform delivery
rider, ride-hailing driver or livestream seller, or ``other`` for the rest of the
notice's 等), and has completed vocational skills training on or before the day of
application (``training_completed_on``). The notice sets no amount: until the
parameter ``vocational_training_subsidy.standard`` is given a value (with
[`yantai_policy.Policy.with_parameters`][yantai_policy.model.Policy.with_parameters]), the amount cannot be determined.

References:
    烟政办字〔2021〕3号, measure 13 and its action 13.1 (lines 570-607).

Limitations:
    Which areas are pilot areas, and which other occupations count among the
    key groups (the ``other`` of [`PLATFORM_OCCUPATIONS`][yantai_policy.benefits.records.PLATFORM_OCCUPATIONS]),
    is for the caller's record to say. The pilot's own rules ("按规定") are not
    modelled: as reported for local pilots, they ask for a training-completion
    certificate from the platform's training rather than a vocational qualification
    certificate, so ``training_certificate`` is not required here and
    ``training_completed_on`` stands for completing the training; they may also ask
    for a period of paid service on the platform, and may pay the subsidy to the
    platform enterprise rather than the person. The national document setting up
    the pilot could not be verified from the sources at hand and is not cited.
    One standard applies to every record; the local standard was not found, so
    the parameter has no value.

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> from yantai_policy import benefits
    >>> record = {"id": "V1", "pilot_area": True, "platform": "food_delivery",
    ...     "platform_occupation": "delivery_rider", "training_completed_on": "2021-05-20"}
    >>> d = benefits.evaluate("vocational_training_subsidy", record, on=dt.date(2021, 6, 1))
    >>> d.eligible, d.amount
    (True, None)
    >>> reform = yp.load_policy().with_parameters({"vocational_training_subsidy.standard": "500"})
    >>> benefits.evaluate("vocational_training_subsidy", record, on=dt.date(2021, 6, 1),
    ...     policy=reform).amount
    Decimal('500.00')
"""

from __future__ import annotations

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Applicants, flat_fen
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.records import Applicant
from yantai_policy.model import Text

__all__ = ["VocationalTrainingSubsidy"]

_STANDARD = "vocational_training_subsidy.standard"


def _clause(excerpt: str, action: str | None = None) -> Clause:
    return Clause(excerpt, measure=13, action=action)


class VocationalTrainingSubsidy(Benefit[Applicant, Applicants]):
    """The vocational training subsidy of measure 13, for platform workers in the pilot areas."""

    name = "vocational_training_subsidy"
    title = Text(
        "新就业形态职业培训补贴", "Vocational training subsidy for new forms of employment"
    )
    measure = 13
    parameters = (_STANDARD,)
    specs = (
        Spec(
            "pilot_area",
            Text(
                "在新就业形态技能提升和就业促进项目试点地区",
                "works in a pilot area of the skills-upgrading and employment-promotion "
                "projects for new forms of employment",
            ),
            _clause("试点地区"),
            detail=lambda f: f"pilot_area = {f.record.pilot_area}",
        ),
        Spec(
            "platform_worker",
            Text(
                "通过企业平台提供服务获取劳动报酬",
                "provides services through an enterprise platform for pay",
            ),
            _clause("通过企业平台提供服务获取劳动报酬"),
            detail=lambda f: f"platform = {f.record.platform}",
        ),
        Spec(
            "key_group",
            Text(
                "网约配送员、网约车驾驶员、直播带货员等新就业形态重点群体",
                "one of the key groups of new forms of employment: a platform delivery rider, "
                "ride-hailing driver, livestream seller or the like",
            ),
            _clause("网约配送员、网约车驾驶员、直播带货员等新就业形态重点群体"),
            detail=lambda f: f"platform_occupation = {f.record.platform_occupation}",
        ),
        Spec(
            "trained",
            Text(
                "已完成职业技能培训",
                "has completed vocational skills training by the day of application",
            ),
            _clause("积极推进新业形态从业人员职业技能培训", action="13.1"),
            detail=lambda f: f.dated("training_completed_on", "trained"),
        ),
    )

    def compute(self, x: Applicants, ctx: Context) -> Computed:
        """Check the pilot area, the platform, the key group and training; the amount is the standard."""
        return Computed(
            held={
                "pilot_area": x.flags["pilot_area"],
                "platform_worker": x.platform,
                "key_group": x.platform_occupation > 0,  # 0: not given
                "trained": x.dates["training_completed_on"] <= ctx.day,  # NaT compares False
            },
            fen=flat_fen(ctx.values, _STANDARD, x.n),
        )

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """Say where the amount comes from."""
        if facts.value(_STANDARD) is None:
            return (
                Text(
                    "职业培训补贴按规定标准发放；该标准未在通知中规定，尚未提供，金额无法确定。",
                    "The vocational training subsidy follows the standard set by the rules, which "
                    "the notice does not state and which has not been supplied: the amount cannot "
                    "be determined.",
                ),
            )
        return ()
