"""The notice's money clauses as exact, explained, date-aware formulas.

One module per formula, each citing the clause it implements and each written once over
columns ([`base`][yantai_policy.benefits.base], [`columns`][yantai_policy.benefits.columns]). [`BENEFITS`][yantai_policy.benefits.BENEFITS] lists them (so does
``yantai-policy benefits``; ``docs/formulas.md`` gives each clause by clause); the
pension contribution schedule of measure 15 is a calculator,
[`pension_contribution_schedule`][yantai_policy.benefits.pension_contribution_schedule].

Every number comes from the plan's dated parameters ([`yantai_policy.parameters`][yantai_policy.parameters]);
money is integer fen inside and Decimal yuan outside, rounded half-up to the fen.

Examples:
    >>> import datetime as dt
    >>> from yantai_policy import benefits
    >>> record = {"id": "G1", "groups": ["graduate"], "left_school_on": "2020-07-01",
    ...     "flexible_since": "2021-03-10",
    ...     "contributions": [{"month": "2021-03", "amount": "512.30"},
    ...                       {"month": "2021-04", "amount": "512.30"}]}
    >>> d = benefits.evaluate("social_insurance_subsidy", record, on=dt.date(2021, 5, 1))
    >>> d.eligible, d.amount  # 65% of 1024.60 = 665.99
    (True, Decimal('665.99'))
    >>> [(r.code, r.held) for r in d.reasons]  # doctest: +NORMALIZE_WHITESPACE
    [('in_force', True), ('hard_to_employ', False), ('recent_graduate', True),
     ('flexibly_employed', True), ('paid_first', True)]
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from yantai_policy.benefits.base import Benefit, Context, context
from yantai_policy.benefits.batch import (
    CHUNK_SIZE,
    Batch,
    BatchSummary,
    BenefitComparison,
    Chunk,
    Comparison,
    Outcome,
    Row,
    RowDifference,
    batch_formulas,
    compare,
    evaluate_many,
)
from yantai_policy.benefits.columns import applicants
from yantai_policy.benefits.decision import Clause, Condition, Decision, Line, ParameterUse
from yantai_policy.benefits.pension_contribution_schedule import (
    ContributionPeriod,
    ContributionSchedule,
    pension_contribution_schedule,
)
from yantai_policy.benefits.records import (
    Applicant,
    Placement,
    RecordError,
    parse_applicant,
    parse_placement,
)
from yantai_policy.benefits.registry import APPLICANT_BENEFITS, BENEFITS, MEASURES, get_benefit
from yantai_policy.loading import load_policy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from yantai_policy.benefits.frame import evaluate_frame  # noqa: F401 - lazily, in __getattr__
    from yantai_policy.model import Policy

__all__ = [
    "APPLICANT_BENEFITS",
    "BENEFITS",
    "CHUNK_SIZE",
    "MEASURES",
    "Applicant",
    "Batch",
    "BatchSummary",
    "Benefit",
    "BenefitComparison",
    "Chunk",
    "Clause",
    "Comparison",
    "Condition",
    "Context",
    "ContributionPeriod",
    "ContributionSchedule",
    "Decision",
    "Line",
    "Outcome",
    "ParameterUse",
    "Placement",
    "RecordError",
    "Row",
    "RowDifference",
    "batch_formulas",
    "compare",
    "evaluate",
    "evaluate_all",
    "evaluate_many",
    "get_benefit",
    "pension_contribution_schedule",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes of any kind
    """Load [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] (and pandas) on first use."""
    if name == "evaluate_frame":
        from yantai_policy.benefits.frame import evaluate_frame  # noqa: PLC0415

        return evaluate_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _record(benefit: Benefit[Any, Any], record: object) -> Applicant | Placement:
    if benefit.record == "placement":
        return record if isinstance(record, Placement) else parse_placement(record)  # type: ignore[arg-type]
    return record if isinstance(record, Applicant) else parse_applicant(record)  # type: ignore[arg-type]


def evaluate(
    benefit: str | Benefit[Any, Any],
    record: Mapping[str, Any] | Applicant | Placement,
    *,
    on: dt.date | str,
    policy: Policy | None = None,
) -> Decision:
    """Decide one benefit for one record on the day of application.

    Args:
        benefit: The benefit's name (see [`BENEFITS`][yantai_policy.benefits.BENEFITS]) or formula.
        record: An applicant record (a placement record for
            ``labour_intermediary_subsidy``), as a dict or already parsed.
        on: The day of application: a date, or an ISO string such as ``"2021-07-16"``.
        policy: The plan; the built-in one if not given (or a reform from
            [`with_parameters`][yantai_policy.model.Policy.with_parameters]).

    Returns:
        The decision, with its reasons, parameters and breakdown.

    Raises:
        UnknownNameError: No such benefit.
        RecordError: The record breaks the contract; the error names the field.
    """
    formula = get_benefit(benefit)
    ctx = context(policy if policy is not None else load_policy(), on)
    return formula.decide(_record(formula, record), ctx)


def evaluate_all(
    record: Mapping[str, Any] | Applicant, *, on: dt.date | str, policy: Policy | None = None
) -> dict[str, Decision]:
    """Decide every applicant benefit ([`APPLICANT_BENEFITS`][yantai_policy.benefits.APPLICANT_BENEFITS]) for one record.

    ``on`` is the day of application: a date, or an ISO string such as ``"2021-07-16"``.

    Raises:
        RecordError: The record breaks the contract.
    """
    applicant = record if isinstance(record, Applicant) else parse_applicant(record)
    ctx = context(policy if policy is not None else load_policy(), on)
    x = applicants([applicant])
    return {name: BENEFITS[name].decide(applicant, ctx, x) for name in APPLICANT_BENEFITS}
