"""Dated parameters: every number the benefit formulas use, with its source.

A parameter is data, not code (the OpenFisca model). It has a description in Chinese
and English, a unit, values keyed by the date each takes effect (``None`` ends the
previous value), and a source: a clause of the notice quoted verbatim, another
regulation by document number, or an assumption; the last two carry a note saying why.

Values are exact: money is `Decimal` yuan with at most two decimal
places (the fen), ratios are `Fraction` (so 2/3 is 2/3), periods are
whole months or years, and dates are dates.

Examples:
    >>> import datetime as dt
    >>> import yantai_policy as yp
    >>> p = yp.load_policy().parameters["social_insurance_subsidy.rate"]
    >>> p.at(dt.date(2021, 3, 1))
    Fraction(13, 20)
    >>> p.render(p.at(dt.date(2021, 3, 1)))
    '65%'
    >>> p.source.kind.value, p.source.measure, p.source.excerpt
    ('notice', 17, '按其实际缴纳社会保险费的 65%给予补贴')
    >>> p.at(dt.date(2020, 12, 31)) is None  # before the notice took effect
    True
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from yantai_policy._reprs import clip, plural
from yantai_policy.dates import parse_date
from yantai_policy.errors import PolicyError, UnknownNameError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from yantai_policy.model import Text

__all__ = [
    "EXACT",
    "InForce",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Source",
    "SourceKind",
    "Unit",
    "Value",
    "parse_value",
    "plan_value",
    "ratio_text",
]

Value = Decimal | Fraction | int | dt.date
"""A parameter value: yuan (Decimal), ratio (Fraction), months or years (int), or a date."""


class ParameterError(PolicyError, ValueError):
    """A parameter value or override is invalid (the message names the parameter)."""


class Unit(enum.Enum):
    """The unit of a parameter's values."""

    YUAN = "yuan"
    """Money in yuan: a Decimal with at most two decimal places."""
    RATIO = "ratio"
    """A proportion: a Fraction, written ``"0.65"``, ``"65%"`` or ``"2/3"``."""
    MONTHS = "months"
    """A whole number of months."""
    YEARS = "years"
    """A whole number of years."""
    DATE = "date"
    """A calendar date."""


class SourceKind(enum.Enum):
    """Where a parameter's value comes from."""

    NOTICE = "notice"
    """Stated in the notice: the source quotes the clause."""
    REGULATION = "regulation"
    """Stated in another regulation, named by document number."""
    ASSUMPTION = "assumption"
    """Not stated anywhere we cite: a documented default, to be overridden."""
    REFORM = "reform"
    """Set by [`yantai_policy.Policy.with_parameters`][yantai_policy.model.Policy.with_parameters] (a what-if)."""


@attrs.frozen(repr=False)
class Source:
    """Where a parameter's value comes from.

    Attributes:
        kind: Notice, regulation, assumption or reform.
        measure: For the notice: the measure whose text holds the excerpt.
        excerpt: For the notice: the clause, verbatim as published.
        document: For a regulation: its document number, such as 财社〔2017〕164号.
        note: For a regulation, assumption or reform: why this value.
    """

    kind: SourceKind
    measure: int | None = None
    excerpt: str | None = None
    document: str | None = None
    note: Text | None = None

    def cite(self, lang: str = "en") -> str:
        """Return a one-line citation in ``"en"`` or ``"zh"``, with the note where there is one.

        Examples:
            >>> import yantai_policy as yp
            >>> yp.load_policy().parameters["startup_subsidy.amount"].source.cite("zh")
            '通知第6条「给予 5000元一次性创业补贴」'
        """
        zh = lang == "zh"
        if self.kind is SourceKind.NOTICE:
            return f"通知第{self.measure}条「{self.excerpt}」" if zh else str(self)
        label = {"regulation": "", "assumption": "假设", "reform": "改革方案"}[self.kind.value]
        head = (
            str(self.document)
            if self.kind is SourceKind.REGULATION
            else (label if zh else self.kind.value)
        )
        note = "" if self.note is None else self.note.get(lang)
        return f"{head}: {note}" if note else head

    def to_dict(self) -> dict[str, Any]:
        """Return the source as the plan file writes it: only its kind's keys."""
        out: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is SourceKind.NOTICE:
            out["measure"] = self.measure
            out["excerpt"] = self.excerpt
            return out
        if self.kind is SourceKind.REGULATION:
            out["document"] = self.document
        out["note"] = None if self.note is None else {"zh": self.note.zh, "en": self.note.en}
        return out

    def __str__(self) -> str:
        """Return a one-line citation."""
        if self.kind is SourceKind.NOTICE:
            return f"notice, measure {self.measure}: 「{self.excerpt}」"
        if self.kind is SourceKind.REGULATION:
            return str(self.document)
        return str(self.kind.value)

    def __repr__(self) -> str:
        """Return ``<Source notice, measure 6: 「给予 5000元一次性创业补贴」>``, clipped."""
        return f"<Source {clip(self, 48)}>"


EXACT = Context(
    prec=MAX_PREC,
    rounding=ROUND_HALF_UP,
    Emin=MIN_EMIN,
    Emax=MAX_EMAX,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
"""A decimal context in which money arithmetic is exact, whatever the caller's context.

Every field is given, so nothing is copied from `decimal.DefaultContext` (which a
caller may have changed before this module was imported). The library's Decimal
operations name it (``EXACT.multiply(...)``) or run inside
``decimal.localcontext(EXACT)``; none reads `decimal.getcontext()`.
"""


def ratio_text(value: Fraction) -> str:
    """Write a ratio as the plan file does: ``65%`` where the percentage is whole, else ``2/3``.

    Examples:
        >>> ratio_text(Fraction(13, 20)), ratio_text(Fraction(2, 3))
        ('65%', '2/3')
    """
    percent = value * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{value.numerator}/{value.denominator}"


_DIGITS = 60
"""The most digits of a figure: its text, and a ratio's numerator and denominator."""


def magnitude(number: int) -> str:
    """Return the order of magnitude of a non-negative integer, without printing it.

    A 5,000-digit integer cannot even be converted to text (Python's limit on int
    to str conversion), so messages show such numbers this way.

    Examples:
        >>> magnitude(10**5000), magnitude(999), magnitude(0)
        ('about 10^5000', 'about 10^2', 'about 10^0')
    """
    digits = int(number.bit_length() * 0.30103)  # log10(2), rounded down or one over
    while digits and 10**digits > number:
        digits -= 1
    while 10 ** (digits + 1) <= number:
        digits += 1
    return f"about 10^{digits}"


def _short(value: Fraction, raw: object) -> Fraction:
    """Refuse a number with more than 60 digits above or below its fraction bar."""
    limit = 10**_DIGITS
    if abs(value.numerator) >= limit:
        shown = magnitude(abs(value.numerator) // value.denominator)
        raise ValueError(f"expected a number of at most {_DIGITS} digits, got {shown}")
    if value.denominator >= limit:
        shown = magnitude(value.denominator)
        raise ValueError(
            f"expected a number of at most {_DIGITS} digits, got {type(raw).__name__} "
            f"whose denominator is {shown}"
        )
    return value


def _exact(raw: str | int | Decimal | Fraction) -> Fraction:
    """Read ``"0.65"``, ``"65%"``, ``"2/3"``, an int, a Decimal or a Fraction exactly."""
    if isinstance(raw, Fraction | int):
        return _short(Fraction(raw), raw)
    text = str(raw).strip()
    if len(text) > _DIGITS:  # a plan's figures are short; a long one is a typo or an attack
        raise ValueError(f"expected a number of at most 60 characters, got {len(text)}")
    if "e" in text.casefold():
        raise ValueError(f"write numbers without exponents, got {raw!r}")
    try:
        if text.endswith("%"):
            return Fraction(EXACT.create_decimal(text[:-1])) / 100
        if "/" in text:
            num, _, den = text.partition("/")
            return Fraction(int(num), int(den))
        return Fraction(EXACT.create_decimal(text))
    except (ArithmeticError, ValueError):
        raise ValueError(f"expected a number, got {raw!r}") from None


def _date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise ValueError("expected a date, got a date-time")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        return parse_date(raw)
    raise ValueError(f"expected a date, got {type(raw).__name__}")


def _count(unit: Unit, raw: object) -> int:
    if isinstance(raw, int) and raw > 0:
        return int(_short(Fraction(raw), raw))
    text = raw.strip() if isinstance(raw, str) else ""
    if text.isdecimal() and len(text) <= _DIGITS and int(text) > 0:
        return int(text)
    raise ValueError(f"expected a positive whole number of {unit.value}, got {raw!r}")


def parse_value(unit: Unit, raw: object) -> Value:
    """Parse one parameter value written in a plan file or an override.

    Args:
        unit: The parameter's unit.
        raw: The value as written: a string, an integer, a Decimal, a Fraction or a date.
            Floats are refused, since they cannot hold most decimal fractions exactly.

    Returns:
        The exact value.

    Raises:
        ValueError: The value does not fit the unit (the message says why).

    Examples:
        >>> parse_value(Unit.RATIO, "2/3")
        Fraction(2, 3)
        >>> parse_value(Unit.YUAN, "100")
        Decimal('100.00')
        >>> parse_value(Unit.YUAN, 0.1)
        Traceback (most recent call last):
        ...
        ValueError: floats are not exact; write the value as a string, such as '0.1'
    """
    if isinstance(raw, bool):
        raise ValueError(f"expected a {unit.value} value, got a boolean")
    if isinstance(raw, float):
        raise ValueError(f"floats are not exact; write the value as a string, such as '{raw!r}'")
    if unit is Unit.DATE:
        return _date(raw)
    if unit in {Unit.MONTHS, Unit.YEARS}:
        return _count(unit, raw)
    if not isinstance(raw, str | int | Decimal | Fraction):
        raise ValueError(f"expected a number written as a string, got {type(raw).__name__}")
    value = _exact(raw)
    if value < 0:
        raise ValueError(f"expected a non-negative {unit.value} value, got {raw!r}")
    if unit is Unit.RATIO:
        return value
    if 100 % value.denominator:
        raise ValueError(f"yuan have at most two decimal places (the fen), got {raw!r}")
    # Exact: the default context (28 digits) would round a large amount.
    return Decimal(value.numerator * (100 // value.denominator)).scaleb(-2, EXACT)


@attrs.frozen(repr=False)
class Parameter:
    """A dated parameter.

    Attributes:
        name: The dotted name, such as ``startup_subsidy.amount``.
        description: What it is, in Chinese and English.
        unit: The unit of its values.
        values: ``(effective date, value)`` pairs in date order; a ``None`` value
            ends the previous one.
        source: Where the value comes from: of every value that ``sources`` does not name.
        cap: The name of a parameter that this one may not exceed (the province's
            2/3 ceiling on the social-insurance rate, say), or ``None``.
        sources: ``(effective date, source)`` pairs in date order, for values that a
            later document set (a 2023 announcement, say): each date is one of
            ``values``' dates. Empty where ``source`` holds for every value.
    """

    name: str
    description: Text
    unit: Unit
    values: tuple[tuple[dt.date, Value | None], ...]
    source: Source
    cap: str | None = None
    sources: tuple[tuple[dt.date, Source], ...] = ()

    def __repr__(self) -> str:
        """Return ``<Parameter startup_subsidy.amount: 5000.00 from 2021-01-11>``: the last value."""
        if not self.values:
            return f"<Parameter {clip(self.name, 60)}: no values>"
        since, value = self.values[-1]
        earlier = len(self.values) - 1
        more = f" ({plural(earlier, 'earlier value')})" if earlier else ""
        return f"<Parameter {clip(self.name, 60)}: {clip(self.render(value))} from {since}{more}>"

    def at(self, on: dt.date) -> Value | None:
        """Return the value in force on a date, or ``None`` if none is."""
        index = bisect.bisect_right(self.values, on, key=lambda pair: pair[0])
        return None if index == 0 else self.values[index - 1][1]

    def effective(self, on: dt.date) -> dt.date | None:
        """Return the date the value in force on ``on`` took effect, or ``None``."""
        index = bisect.bisect_right(self.values, on, key=lambda pair: pair[0])
        return None if index == 0 else self.values[index - 1][0]

    def source_at(self, on: dt.date) -> Source:
        """Return the source of the value in force on a date (``source`` where none is dated).

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> quota = yp.load_policy().parameters["tax_relief.annual_quota"]
            >>> quota.source_at(dt.date(2024, 3, 1)).kind.value
            'assumption'
        """
        since = self.effective(on)
        for date, source in self.sources:
            if date == since:
                return source
        return self.source

    def render(self, value: Value | None) -> str:
        """Return a value as text: ``5000.00``, ``65%``, ``2/3``, ``36 months``, a date."""
        if value is None:
            return "none"
        if isinstance(value, Fraction):
            return ratio_text(value)
        if self.unit in {Unit.MONTHS, Unit.YEARS}:
            return f"{value} {self.unit.value}"
        return str(value)


def plan_value(unit: Unit, value: Value | None) -> str | int | None:
    """Return a parameter value as the plan file writes it (see docs/data-format.md).

    Examples:
        >>> plan_value(Unit.YUAN, Decimal("14400")), plan_value(Unit.RATIO, Fraction(2, 3))
        ('14400.00', '2/3')
    """
    if value is None:
        return None
    if unit is Unit.YUAN and isinstance(value, Decimal):
        with localcontext(EXACT):  # the format rounds in the current context
            return f"{value:.2f}"
    if unit is Unit.RATIO and isinstance(value, Fraction):
        return ratio_text(value)
    if unit in {Unit.MONTHS, Unit.YEARS} and isinstance(value, int):
        return value
    if unit is Unit.DATE and isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"a {unit.value} parameter cannot hold {value!r}")


@attrs.frozen
class InForce:
    """A parameter's value in force on a day, with its unit and source: a row of ``parameters --on``.

    Attributes:
        parameter: The parameter.
        on: The day asked about.
        value: Its value that day, or ``None`` where it has none.
        effective: The date that value took effect, or ``None``.
        source: The source of that value.
    """

    parameter: Parameter
    on: dt.date
    value: Value | None
    effective: dt.date | None
    source: Source

    @classmethod
    def of(cls, parameter: Parameter, on: dt.date) -> InForce:
        """Return the row of a parameter on a day."""
        return cls(
            parameter=parameter,
            on=on,
            value=parameter.at(on),
            effective=parameter.effective(on),
            source=parameter.source_at(on),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data: the value as the plan file writes it, both languages.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> rate = yp.load_policy().parameters["social_insurance_subsidy.rate"]
            >>> row = InForce.of(rate, dt.date(2024, 3, 1)).to_dict()
            >>> row["value"], row["unit"], row["effective"], row["source"]["kind"]
            ('65%', 'ratio', '2021-01-11', 'notice')
        """
        param = self.parameter
        return {
            "name": param.name,
            "description": {"zh": param.description.zh, "en": param.description.en},
            "on": self.on.isoformat(),
            "value": plan_value(param.unit, self.value),
            "unit": param.unit.value,
            "effective": None if self.effective is None else self.effective.isoformat(),
            "source": self.source.to_dict(),
            "citation": {"zh": self.source.cite("zh"), "en": self.source.cite("en")},
        }

    @staticmethod
    def columns(lang: str = "both") -> tuple[str, ...]:
        """Return the names of [`cells`][yantai_policy.parameters.InForce.cells], in order.

        Examples:
            >>> InForce.columns("en")
            ('name', 'value', 'unit', 'effective', 'source_kind', 'description', 'source')
        """
        fixed = ("name", "value", "unit", "effective", "source_kind")
        if lang != "both":
            return (*fixed, "description", "source")
        return (*fixed, "description_zh", "source_zh", "description_en", "source_en")

    def cells(self, lang: str = "both") -> dict[str, str]:
        """Return the row as flat text cells (CSV and text), descriptions and citation in ``lang``.

        ``lang`` is ``"zh"``, ``"en"`` or ``"both"`` (a column each, suffixed ``_zh``, ``_en``).
        The value is rendered (``24000.00``, ``65%``, ``36 months``, ``none``); ``effective``
        is empty where no value is in force.
        """
        param = self.parameter
        out = {
            "name": param.name,
            "value": param.render(self.value),
            "unit": param.unit.value,
            "effective": "" if self.effective is None else self.effective.isoformat(),
            "source_kind": self.source.kind.value,
        }
        for code in ("zh", "en") if lang == "both" else (lang,):
            suffix = f"_{code}" if lang == "both" else ""
            out[f"description{suffix}"] = param.description.get(code)
            out[f"source{suffix}"] = self.source.cite(code)
        return out


@attrs.frozen(repr=False)
class ParameterSet:
    """A plan's parameters, by name. Iterating yields the names in sorted order.

    Examples:
        >>> import yantai_policy as yp
        >>> params = yp.load_policy().parameters
        >>> "startup_subsidy.amount" in params
        True
        >>> params["startup_subsid.amount"]
        Traceback (most recent call last):
        ...
        yantai_policy.errors.UnknownNameError: no parameter 'startup_subsid.amount'; did you mean: startup_subsidy.amount, startup_subsidy.operating_months?
    """

    by_name: Mapping[str, Parameter] = attrs.field(factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        """Return the parameter with this name."""
        try:
            return self.by_name[name]
        except KeyError:
            import difflib  # noqa: PLC0415 - only the error path needs it

            close = difflib.get_close_matches(name, list(self.by_name), n=3)
            raise UnknownNameError(
                f"no parameter {name!r}", name=name, suggestions=tuple(close)
            ) from None

    def __contains__(self, name: object) -> bool:
        """Return whether the plan has a parameter of this name."""
        return name in self.by_name

    def __iter__(self) -> Iterator[str]:
        """Iterate over the names, sorted."""
        return iter(sorted(self.by_name))

    def __len__(self) -> int:
        """Return the number of parameters."""
        return len(self.by_name)

    def __repr__(self) -> str:
        """Return ``<ParameterSet: 25 parameters>``; iterate or index it for the parameters."""
        return f"<ParameterSet: {plural(len(self.by_name), 'parameter')}>"

    def in_force(self, on: dt.date) -> tuple[InForce, ...]:
        """Return each parameter's value in force on a day, with its source, sorted by name.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> rows = yp.load_policy().parameters.in_force(dt.date(2021, 3, 1))
            >>> [(r.parameter.name, r.parameter.render(r.value)) for r in rows][:1]
            [('accident_insurance_subsidy.annual_cap', '100.00')]
        """
        return tuple(InForce.of(self.by_name[name], on) for name in self)

    def check_caps(self, *, allow_above_cap: bool = False) -> None:
        """Refuse any value above its cap in force on the same day.

        Raises:
            ParameterError: A value exceeds its cap and ``allow_above_cap`` is false.
        """
        if allow_above_cap:
            return
        for param in self.by_name.values():
            if param.cap is None:
                continue
            cap = self[param.cap]
            for since in sorted({d for d, _ in param.values} | {d for d, _ in cap.values}):
                value, limit = param.at(since), cap.at(since)
                if value is not None and limit is not None and value > limit:  # type: ignore[operator]
                    raise ParameterError(
                        f"{param.name} = {param.render(value)} from {since} exceeds its cap "
                        f"{cap.name} = {cap.render(limit)}; pass allow_above_cap=True to allow it"
                    )
