"""Measure 11, 发展村级劳务中介 (village labour intermediaries): the service subsidy per placement.

Action 11.1 (市人力资源社会保障局): 支持村集体设立劳务中介、劳务合作社或劳务经纪人、招聘专员等，组织农村劳动力到
我市企业或个体工商户就业（签订一年以上劳动合同且缴纳城镇职工社会保险）的，按照职业介绍补贴标准和程序，给予就业创业服务补助。

A placement qualifies when a rural labourer is placed by an intermediary the village
collective set up, with an employer in the city, on a contract of one year (12
months) or more, with urban employee social insurance paid. The amount is the
job-placement subsidy standard (职业介绍补贴标准), which the notice does not state:
until the parameter ``labour_intermediary_subsidy.standard`` is given a value (with
[`yantai_policy.Policy.with_parameters`][yantai_policy.model.Policy.with_parameters]), the amount cannot be determined.

References:
    烟政办字〔2021〕3号, measure 11, action 11.1 (lines 533-538).

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> from yantai_policy import benefits
    >>> placement = {"id": "P1", "rural_labourer": True, "village_collective_intermediary": True,
    ...     "employer_in_city": True, "contract_months": 12, "employee_insurance_paid": True}
    >>> d = benefits.evaluate("labour_intermediary_subsidy", placement, on=dt.date(2021, 6, 1))
    >>> d.eligible, d.amount
    (True, None)
    >>> reform = yp.load_policy().with_parameters({"labour_intermediary_subsidy.standard": "300"})
    >>> benefits.evaluate("labour_intermediary_subsidy", placement, on=dt.date(2021, 6, 1), policy=reform).amount
    Decimal('300.00')
"""

from __future__ import annotations

import numpy as np

from yantai_policy.benefits.base import Benefit, Computed, Context, Facts, Spec
from yantai_policy.benefits.columns import Placements, flat_fen
from yantai_policy.benefits.decision import Clause
from yantai_policy.benefits.records import Placement
from yantai_policy.model import Text

__all__ = ["LabourIntermediarySubsidy"]

_STANDARD = "labour_intermediary_subsidy.standard"
_YEARS = "labour_intermediary_subsidy.min_contract_years"


def _clause(excerpt: str) -> Clause:
    return Clause(excerpt, measure=11, action="11.1")


class LabourIntermediarySubsidy(Benefit[Placement, Placements]):
    """The employment-service subsidy of measure 11, per placement."""

    name = "labour_intermediary_subsidy"
    title = Text(
        "村级劳务中介就业创业服务补助", "Service subsidy for village labour intermediaries"
    )
    measure = 11
    parameters = (_STANDARD, _YEARS)
    record = "placement"
    specs = (
        Spec(
            "rural_labourer",
            Text("农村劳动力", "a rural labourer"),
            _clause("组织农村劳动力"),
            detail=lambda f: f"rural_labourer = {f.record.rural_labourer}",
        ),
        Spec(
            "village_collective",
            Text(
                "村集体设立的劳务中介组织",
                "placed by an intermediary the village collective set up",
            ),
            _clause("支持村集体设立劳务中介、劳务合作社或劳务经纪人、招聘专员等"),
            detail=lambda f: (
                f"village_collective_intermediary = {f.record.village_collective_intermediary}"
            ),
        ),
        Spec(
            "employer_in_city",
            Text(
                "到我市企业或个体工商户就业",
                "employed by an enterprise or individual business in the city",
            ),
            _clause("到我市企业或个体工商户就业"),
            detail=lambda f: f"employer_in_city = {f.record.employer_in_city}",
        ),
        Spec(
            "contract",
            Text("签订一年以上劳动合同", "a labour contract of one year or more"),
            _clause("签订一年以上劳动合同"),
            detail=lambda f: (
                f"contract_months = {f.record.contract_months}, at least {f.value(_YEARS)} year(s)"
            ),
        ),
        Spec(
            "insured",
            Text("缴纳城镇职工社会保险", "urban employee social insurance paid"),
            _clause("缴纳城镇职工社会保险"),
            detail=lambda f: f"employee_insurance_paid = {f.record.employee_insurance_paid}",
        ),
    )

    def compute(self, x: Placements, ctx: Context) -> Computed:
        """Check the five conditions of action 11.1; the amount is the standard."""
        years = ctx.values.get(_YEARS)
        months = x.contract_months
        return Computed(
            held={
                "rural_labourer": x.flags["rural_labourer"],
                "village_collective": x.flags["village_collective_intermediary"],
                "employer_in_city": x.flags["employer_in_city"],
                "contract": (months >= 12 * years) & (months >= 0)
                if isinstance(years, int)
                else np.zeros(x.n, bool),
                "insured": x.flags["employee_insurance_paid"],
            },
            fen=flat_fen(ctx.values, _STANDARD, x.n),
        )

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """Say where the amount comes from."""
        if facts.value(_STANDARD) is None:
            return (
                Text(
                    "补助按职业介绍补贴标准发放；该标准未在通知中规定，尚未提供，金额无法确定。",
                    "The subsidy follows the job-placement subsidy standard, which the notice does not "
                    "state and which has not been supplied: the amount cannot be determined.",
                ),
            )
        return ()
