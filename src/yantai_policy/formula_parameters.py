"""The parameters the formulas read: each one's unit and bounds, declared once.

A plan's parameter table is data, and a plan may hold any well-formed value: 10^6
months, a ratio of 10^50, an amount in the wrong unit. A formula cannot do anything
sensible with those, so each parameter a formula reads is declared here, with its
unit, the least and the greatest value it accepts, and where those bounds come
from (the notice, the province's cap, or an assumption: a sanity bound). The
loader ([load_policy][yantai_policy.loading.load_policy]) and
[Policy.with_parameters][yantai_policy.model.Policy.with_parameters] read the same
declarations and refuse a value outside them, naming the parameter, the date and
the bound; a parameter in another unit than declared is refused at load. Nothing
can then fail later, inside a formula.

The declarations live here, not in the formula modules, because data flows one
way: the loader and the model sit below the formulas, and loading a plan does
not import the formulas (nor numpy). Each formula names the parameters it reads
(its ``parameters``), and the formula base class checks at class creation that
they are exactly the ones declared here with its name in ``by``: a formula cannot
read a parameter nobody declared, and a declaration cannot outlive its formula.

Examples:
    >>> import datetime as dt
    >>> from decimal import Decimal
    >>> declared = DECLARED["startup_subsidy.amount"]
    >>> declared.unit.value, str(declared.high), declared.by
    ('yuan', '10000000.00', 'startup_subsidy')
    >>> yuan, day = Unit.YUAN, dt.date(2021, 1, 11)
    >>> print(out_of_bounds("startup_subsidy.amount", yuan, day, Decimal(10**50)))
    startup_subsidy.amount = about 10^50 yuan from 2021-01-11 is above its bound 10,000,000.00 yuan (declared by startup_subsidy; assumption: a sanity bound, far above the notice's one-off subsidy)
    >>> out_of_bounds("startup_subsidy.amount", yuan, day, Decimal(6000)) is None
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING

import attrs

from yantai_policy.dates import parse_date
from yantai_policy.parameters import (
    EXACT,
    ParameterError,
    Unit,
    Value,
    magnitude,
    parse_value,
    ratio_text,
)

if TYPE_CHECKING:
    from yantai_policy.parameters import Parameter

__all__ = [
    "DECLARED",
    "Declared",
    "declared_by",
    "out_of_bounds",
    "override_values",
    "unit_mismatch",
]


@attrs.frozen
class Declared:
    """One parameter a formula reads: its unit, its bounds, and why those bounds.

    Attributes:
        name: The parameter's dotted name.
        unit: The unit the formula reads it in.
        low: The least value accepted (inclusive).
        high: The greatest value accepted (inclusive).
        why: Where the bounds come from: the notice, the province's cap, or
            ``"assumption: a sanity bound, ..."``.
        by: The formula that reads it (a benefit's name, or
            ``pension_contribution_schedule``).
    """

    name: str
    unit: Unit
    low: Value
    high: Value
    why: str
    by: str

    def shown(self, value: Value) -> str:
        """Return a value of this unit for a message: ``5,000.00 yuan``, ``36 months``, ``2/3``."""
        return _shown(self.unit, value, grouped=True)

    def range(self) -> str:
        """Return the bounds as text: ``1 to 1,200 months``, ``0% to 100%``.

        Examples:
            >>> DECLARED["tax_relief.period_months"].range()
            '1 to 1,200 months'
        """
        low, high = _figure(self.low, grouped=True), _figure(self.high, grouped=True)
        return f"{low} to {high}{_unit(self.unit)}"


_MONEY = Decimal("10000000.00")
_LOANS = Decimal("100000000.00")
_MONTHS = 1200
_YEARS = 100
_SHARE = "assumption: a share of what was paid, at most all of it"
_PERIOD = "assumption: a sanity bound of 100 years"
_NO_STANDARD = "assumption: a sanity bound; the notice states no standard"
# The reasons say where each bound comes from; they do not restate the plan's values,
# which are data (the plan file) and may be reformed.


def _yuan(name: str, by: str, why: str, high: Decimal = _MONEY) -> Declared:
    return Declared(name, Unit.YUAN, Decimal("0.00"), high, why, by)


def _ratio(name: str, by: str, why: str = _SHARE) -> Declared:
    return Declared(name, Unit.RATIO, Fraction(0), Fraction(1), why, by)


def _months(name: str, by: str) -> Declared:
    return Declared(name, Unit.MONTHS, 1, _MONTHS, _PERIOD, by)


def _years(name: str, by: str) -> Declared:
    return Declared(name, Unit.YEARS, 1, _YEARS, _PERIOD, by)


_ALL = (
    _yuan(
        "startup_subsidy.amount",
        "startup_subsidy",
        "assumption: a sanity bound, far above the notice's one-off subsidy",
    ),
    _months("startup_subsidy.operating_months", "startup_subsidy"),
    _yuan(
        "guaranteed_loan.cap_individual",
        "guaranteed_loan",
        "assumption: a sanity bound, far above the notice's loan caps",
        _LOANS,
    ),
    _yuan(
        "guaranteed_loan.cap_partnership",
        "guaranteed_loan",
        "assumption: a sanity bound, far above the notice's loan caps",
        _LOANS,
    ),
    Declared(
        "guaranteed_loan.expanded_scope_until",
        Unit.DATE,
        dt.date(1900, 1, 1),
        dt.date(2999, 12, 31),
        "assumption: a sanity bound",
        "guaranteed_loan",
    ),
    _ratio(
        "social_insurance_subsidy.rate",
        "social_insurance_subsidy",
        f"{_SHARE}; the province's cap, social_insurance_subsidy.rate_cap, bounds it further",
    ),
    _ratio("social_insurance_subsidy.rate_cap", "social_insurance_subsidy"),
    _years("social_insurance_subsidy.graduate_window_years", "social_insurance_subsidy"),
    _months("social_insurance_subsidy.max_months_hard_to_employ", "social_insurance_subsidy"),
    _months("social_insurance_subsidy.max_months_graduate", "social_insurance_subsidy"),
    _ratio("accident_insurance_subsidy.proportion", "accident_insurance_subsidy"),
    _yuan(
        "accident_insurance_subsidy.annual_cap",
        "accident_insurance_subsidy",
        "assumption: a sanity bound, far above the notice's yearly cap",
    ),
    _yuan(
        "tax_relief.annual_quota",
        "tax_relief",
        "assumption: a sanity bound, far above the quota of 财税〔2019〕21号 and 22号",
    ),
    _months("tax_relief.period_months", "tax_relief"),
    _ratio(
        "pension.contribution_rate",
        "pension_contribution_schedule",
        "assumption: a share of the contribution base, at most all of it",
    ),
    _yuan("labour_intermediary_subsidy.standard", "labour_intermediary_subsidy", _NO_STANDARD),
    _years("labour_intermediary_subsidy.min_contract_years", "labour_intermediary_subsidy"),
    _yuan("skills_upgrading_subsidy.standard", "skills_upgrading_subsidy", _NO_STANDARD),
    _yuan("vocational_training_subsidy.standard", "vocational_training_subsidy", _NO_STANDARD),
)

DECLARED: Mapping[str, Declared] = {d.name: d for d in _ALL}
"""Every parameter a formula reads, by name."""


def declared_by(formula: str) -> tuple[str, ...]:
    """Return the names of the parameters declared for a formula, in declaration order.

    Examples:
        >>> declared_by("startup_subsidy")
        ('startup_subsidy.amount', 'startup_subsidy.operating_months')
    """
    return tuple(d.name for d in _ALL if d.by == formula)


def unit_mismatch(name: str, unit: Unit) -> str | None:
    """Return why a parameter of this unit is refused, or ``None`` if it is not.

    Examples:
        >>> print(unit_mismatch("startup_subsidy.amount", Unit.RATIO))
        startup_subsidy.amount is in ratio here, but startup_subsidy reads it in yuan
    """
    declared = DECLARED.get(name)
    if declared is None or declared.unit is unit:
        return None
    return f"{name} is in {unit.value} here, but {declared.by} reads it in {declared.unit.value}"


def out_of_bounds(name: str, unit: Unit, since: dt.date, value: Value | None) -> str | None:
    """Return why a dated value is refused, or ``None`` if it is within its bounds.

    A parameter no formula declares, one in another unit (see `unit_mismatch`), and
    a ``None`` (which ends a value) are never refused here.
    """
    declared = DECLARED.get(name)
    if declared is None or declared.unit is not unit or value is None:
        return None
    if value < declared.low:  # type: ignore[operator]
        side, bound = "below", declared.low
    elif value > declared.high:  # type: ignore[operator]
        side, bound = "above", declared.high
    else:
        return None
    shown = _shown(declared.unit, value, grouped=False)
    return (
        f"{name} = {shown} from {since} is {side} its bound {declared.shown(bound)} "
        f"(declared by {declared.by}; {declared.why})"
    )


def _since(name: str, key: object) -> dt.date:
    """An override's date key: a date (not a date-time) or ``YYYY-MM-DD`` text."""
    if isinstance(key, dt.date) and not isinstance(key, dt.datetime):
        return key
    if not isinstance(key, str):
        raise ParameterError(f"{name}: invalid date {key!r:.60} (expected a date or YYYY-MM-DD)")
    try:
        return parse_date(key)
    except ValueError as error:
        raise ParameterError(f"{name}: {error}") from None


def override_values(
    param: Parameter, raw: object, issued_on: dt.date
) -> tuple[tuple[dt.date, Value | None], ...]:
    """Parse one override of [Policy.with_parameters][yantai_policy.model.Policy.with_parameters].

    Args:
        param: The parameter overridden.
        raw: A plain value (in force from ``issued_on``), or a mapping of dates
            (or ``YYYY-MM-DD`` text) to values, ``None`` ending one.
        issued_on: The notice's issue date.

    Returns:
        The ``(date, value)`` pairs, in date order.

    Raises:
        ParameterError: A key is not a date, two keys are the same day, a value does
            not fit the unit, or it is outside the bounds its formula declares.
    """
    dated = raw if isinstance(raw, Mapping) else {issued_on: raw}
    by_day: dict[dt.date, object] = {}
    for key, value in dated.items():
        since = _since(param.name, key)
        if since in by_day:
            raise ParameterError(f"{param.name}: two values from {since}")
        by_day[since] = value
    values = []
    for since, value in sorted(by_day.items()):
        try:
            parsed = None if value is None else parse_value(param.unit, value)
        except ValueError as error:
            raise ParameterError(f"{param.name}: {error}") from None
        refused = out_of_bounds(param.name, param.unit, since, parsed)
        if refused is not None:
            raise ParameterError(refused)
        values.append((since, parsed))
    return tuple(values)


_SHORT = 10**30
"""Beyond this, a number is shown by its order of magnitude."""


def _figure(value: Value, *, grouped: bool) -> str:
    """A value without its unit: ``5,000.00``, ``36``, ``2/3``, a date."""
    if isinstance(value, dt.date):
        return value.isoformat()
    number = Fraction(value)
    if number >= _SHORT:
        return magnitude(int(number))
    if isinstance(value, Fraction):
        return ratio_text(value)
    if isinstance(value, Decimal):
        with localcontext(EXACT):  # the format rounds in the current context
            return f"{value:,.2f}" if grouped else f"{value:.2f}"
    return f"{value:,}" if grouped else str(value)


def _unit(unit: Unit) -> str:
    return "" if unit in {Unit.RATIO, Unit.DATE} else f" {unit.value}"


def _shown(unit: Unit, value: Value, *, grouped: bool) -> str:
    return _figure(value, grouped=grouped) + _unit(unit)
