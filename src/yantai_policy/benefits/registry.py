"""The benefit formulas, by name: the one registry every path looks a benefit up in.

A formula is one module (see ``docs/formula-engine.md``); registering it here is what
makes [`evaluate`][yantai_policy.benefits.evaluate], batches, ``evaluate_frame``, the CLI, the
audit's ``money-without-formula`` check and ``yantai-policy benefits`` know it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yantai_policy.benefits.accident_insurance_subsidy import AccidentInsuranceSubsidy
from yantai_policy.benefits.base import Benefit
from yantai_policy.benefits.fee_exemptions import FeeExemptions
from yantai_policy.benefits.guaranteed_loan import GuaranteedLoan
from yantai_policy.benefits.labour_intermediary_subsidy import LabourIntermediarySubsidy
from yantai_policy.benefits.skills_upgrading_subsidy import SkillsUpgradingSubsidy
from yantai_policy.benefits.social_insurance_subsidy import SocialInsuranceSubsidy
from yantai_policy.benefits.startup_subsidy import StartupSubsidy
from yantai_policy.benefits.tax_relief import TaxRelief
from yantai_policy.benefits.vocational_training_subsidy import VocationalTrainingSubsidy
from yantai_policy.errors import UnknownNameError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["APPLICANT_BENEFITS", "BENEFITS", "MEASURES", "get_benefit"]

BENEFITS: Mapping[str, Benefit[Any, Any]] = {
    b.name: b
    for b in (
        StartupSubsidy(),
        GuaranteedLoan(),
        SocialInsuranceSubsidy(),
        AccidentInsuranceSubsidy(),
        TaxRelief(),
        FeeExemptions(),
        LabourIntermediarySubsidy(),
        SkillsUpgradingSubsidy(),
        VocationalTrainingSubsidy(),
    )
}
"""Every benefit formula, by name."""
APPLICANT_BENEFITS = tuple(name for name, b in BENEFITS.items() if b.record == "applicant")
"""The benefits that take an applicant record: what [`evaluate_all`][yantai_policy.benefits.evaluate_all] runs."""
MEASURES = frozenset({*(b.measure for b in BENEFITS.values()), 15})
"""The measures with a formula here (15 is the pension calculator); the audit reads it."""


_BY_TITLE: Mapping[str, Benefit[Any, Any]] = {b.title.zh: b for b in BENEFITS.values()}
"""Every benefit formula by its Chinese title (derived from [`BENEFITS`][yantai_policy.benefits.registry.BENEFITS])."""


def get_benefit(name: str | Benefit[Any, Any]) -> Benefit[Any, Any]:
    """Return a benefit formula by name or by its Chinese title.

    Raises:
        UnknownNameError: No benefit has that name; the message suggests close ones.

    Examples:
        >>> get_benefit("一次性创业补贴").name
        'startup_subsidy'
        >>> get_benefit("一次性创业补助")
        Traceback (most recent call last):
        ...
        yantai_policy.errors.UnknownNameError: no benefit '一次性创业补助'; did you mean: 一次性创业补贴?
    """
    if isinstance(name, Benefit):
        return name
    try:
        return BENEFITS[name]
    except (KeyError, TypeError):
        pass
    try:
        return _BY_TITLE[name]
    except (KeyError, TypeError):
        import difflib  # noqa: PLC0415 - only the error path needs it

        close = difflib.get_close_matches(str(name), [*BENEFITS, *_BY_TITLE], n=3)
        raise UnknownNameError(
            f"no benefit {name!r}", name=name, suggestions=tuple(close)
        ) from None
