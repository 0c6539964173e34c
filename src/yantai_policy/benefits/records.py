"""The record contract: what other systems send, checked field by field.

One applicant per record, as a dict (from JSON or JSONL) or a CSV row. Field names are
fixed; :data:`APPLICANT_FIELDS` lists them. Your own fields are welcome if their names
start with ``x_`` (they are kept, and ignored by the formulas); any other unknown
field is an error that names it and suggests the close match, since a misspelt
field would otherwise silently count as absent.

Dates are ISO 8601 (``YYYY-MM-DD``); months are ``YYYY-MM``. Amounts are yuan, as
decimal strings or numbers, with at most two decimal places; they are held as
integer fen, so nothing passes through a float.

CSV rows carry the same fields, flattened:

* ``groups``: names separated by ``;`` (``graduate;veteran``);
* ``contributions``: ``month:amount`` pairs separated by ``;`` (``2021-03:500;2021-04:500``);
* ``accident_premiums``: ``paid_on:amount`` pairs separated by ``;``;
* ``tax_due.vat``, ``tax_due.urban_maintenance`` ... and ``loan.kind``, ``loan.amount``:
  one column for each field of the nested object;
* booleans: ``true``/``false`` (also ``1``/``0``, ``yes``/``no``); an empty cell is absent.

Examples:
    >>> a = parse_applicant({"id": "A1", "groups": ["graduate"], "contributions": [
    ...     {"month": "2021-03", "amount": "512.30"}]})
    >>> a.groups, a.contributions
    (frozenset({'graduate'}), ((24254, 51230),))
    >>> parse_applicant({"id": "A1", "group": ["graduate"]})
    Traceback (most recent call last):
    ...
    yantai_policy.benefits.records.RecordError: group: unknown field 'group'; did you mean 'groups'?
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from yantai_policy.benefits.periods import month_index
from yantai_policy.errors import PolicyError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "APPLICANT_FIELDS",
    "BUSINESS_TYPES",
    "GROUPS",
    "KNOWN_PLATFORMS",
    "LOAN_KINDS",
    "PLACEMENT_FIELDS",
    "PLATFORM_OCCUPATIONS",
    "TAXES",
    "Applicant",
    "Placement",
    "RecordError",
    "applicant_from_csv_row",
    "applicant_schema",
    "parse_applicant",
    "parse_date",
    "parse_fen",
    "parse_placement",
    "placement_schema",
]

GROUPS = frozenset(
    {
        "hard_to_employ",  # 就业困难人员
        "graduate",  # 高校毕业生
        "veteran",  # 退役军人 / 退役士兵
        "laid_off",  # 下岗人员
        "unemployed",  # 失业人员
        "migrant_worker",  # 农民工
        "poverty",  # 贫困人口
        "farmer",  # 农民
    }
)
"""The groups an applicant may belong to."""
KNOWN_PLATFORMS = ("e_commerce", "ride_hailing", "food_delivery", "express")
"""The platforms measure 18 names (电子商务、网络预约出租汽车、外卖、快递); others are allowed."""
BUSINESS_TYPES = ("individual_business", "enterprise")
"""个体工商户 (individual business) or 企业 (enterprise)."""
LOAN_KINDS = ("individual", "partnership")
"""个人创业 (individual) or 合伙创业 (partnership) guaranteed loans."""
PLATFORM_OCCUPATIONS = ("delivery_rider", "ride_hailing_driver", "livestream_seller", "other")
"""The new forms of employment measure 13 names: 网约配送员 (platform delivery riders),
网约车驾驶员 (ride-hailing drivers), 直播带货员 (livestream sellers); ``other`` for the
rest of its 等 (and others)."""
TAXES = (
    "vat",
    "urban_maintenance",
    "education_surcharge",
    "local_education_surcharge",
    "individual_income",
)
"""The taxes of measure 5, in the order the quota is deducted from them."""

APPLICANT_FIELDS = (
    "id",
    "groups",
    "left_school_on",
    "flexible_since",
    "platform",
    "employment_registered",
    "business_type",
    "first_license_on",
    "operating",
    "pays_employee_insurance",
    "startup_subsidy_received",
    "contributions",
    "accident_premiums",
    "injury_pilot_covered",
    "tax_due",
    "loan",
    "training_completed_on",
    "training_certificate",
    "pilot_area",
    "platform_occupation",
)
"""The fields of an applicant record, in contract order."""
PLACEMENT_FIELDS = (
    "id",
    "rural_labourer",
    "village_collective_intermediary",
    "employer_in_city",
    "contract_months",
    "employee_insurance_paid",
)
"""The fields of a placement record (measure 11)."""


class RecordError(PolicyError, ValueError):
    """A record breaks the contract.

    Attributes:
        field: The offending field's path, such as ``contributions[3].amount``.
        reason: What is wrong.
        row: The 1-based row (or line) number in a batch, where known.
    """

    def __init__(self, reason: str, *, field: str = "", row: int | None = None) -> None:
        """Build the error; the message leads with the row and field."""
        self.field = field
        self.reason = reason
        self.row = row
        where = [f"row {row}"] if row is not None else []
        if field:
            where.append(field)
        super().__init__(": ".join([*where, reason]))

    def at_row(self, row: int) -> RecordError:
        """Return this error located at a batch row."""
        return RecordError(self.reason, field=self.field, row=row)


def _fail(field: str, reason: str) -> NoReturn:
    raise RecordError(reason, field=field)


def _shown(value: object) -> str:
    """``str(value)`` for a message, cut short; a 5,000-digit int cannot be printed."""
    try:
        text = str(value)
    except ValueError:  # int's 4,300-digit limit on conversion to text
        return f"<{type(value).__name__} too long to show>"
    return text if len(text) <= 40 else f"{text[:37]}..."


def _type(value: object) -> str:
    names = {bool: "a boolean", str: "a string", dict: "an object", list: "a list"}
    for cls, name in names.items():
        if isinstance(value, cls):
            return name
    return "null" if value is None else type(value).__name__


_AMOUNT = re.compile(r"(\d+)(?:\.(\d{1,2}))?", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?", re.ASCII)
_TOO_FINE = re.compile(r"\d+\.\d{3,}", re.ASCII)
_TOO_LARGE = Decimal(10) ** 15  # yuan: far above any register's figure, well inside 28 digits
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_FIRST_DAY = dt.date(1900, 1, 1)
_LAST_DAY = dt.date(2999, 12, 31)
_CENT = Decimal("0.01")
_MAX_DIGITS = 15  # whole yuan: 10**15 is far above any register's figure
_CACHE_LIMIT = 1 << 16
# Months and amounts repeat across a register (the same few dozen months, the same
# contribution bases), so a batch parses each distinct string once. Only strings are
# cached: no other key can equal a str, so True is never mistaken for "1".
_FEN_CACHE: dict[str, int] = {}
_MONTH_CACHE: dict[str, int] = {}


def parse_fen(value: object, field: str) -> int:
    """Parse an amount of yuan into integer fen: never through a float's rounding.

    Args:
        value: A decimal string, an integer, a Decimal, or a float (read as the
            shortest decimal that prints it, so ``0.1`` is 10 fen).
        field: The field's name, for the error.

    Raises:
        RecordError: The value is not an amount, is negative, or has more than two
            decimal places.

    Examples:
        >>> parse_fen("512.3", "amount"), parse_fen(7, "amount"), parse_fen(0.1, "amount")
        (51230, 700, 10)
    """
    if type(value) is str:
        return _fen_text(value, field)
    if type(value) is int:
        return _fen_int(value, field)
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        _fail(field, f"expected an amount in yuan, got {_type(value)}")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        _fail(field, f"invalid amount {value!r}")
    if not amount.is_finite():
        _fail(field, f"invalid amount {value!r}")
    if amount < 0:
        _fail(field, f"negative amount {value}")
    if amount >= _TOO_LARGE:
        _fail(field, f"amount {value} is too large")
    # Exact: amount * 100 would round to the context's 28 digits, so 1.000...0001 passed.
    cents = amount.quantize(_CENT)
    if cents != amount:
        _fail(field, f"amount {value} has more than two decimal places (fen)")
    return int(cents.scaleb(2))


def _fen_int(value: int, field: str) -> int:
    """Whole yuan as fen; as for text, 10**15 yuan or more is too large."""
    if value < 0:
        _fail(field, f"negative amount {_shown(value)}")
    if value >= _TOO_LARGE:  # 10**5000 would not even print (int's 4,300-digit limit)
        _fail(field, f"amount {_shown(value)} is too large")
    return value * 100


def _fen_text(value: str, field: str) -> int:
    """Parse a decimal string of yuan: ASCII digits, at most two places, nothing else."""
    match = _AMOUNT.fullmatch(value)
    if match is not None:
        whole, frac = match.groups()
        if len(whole) > _MAX_DIGITS:
            _fail(field, f"amount {value[:20]}... is too large")
        return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    if _NEGATIVE.fullmatch(value):
        _fail(field, f"negative amount {value}")
    if _TOO_FINE.fullmatch(value):
        _fail(field, f"amount {value} has more than two decimal places (fen)")
    _fail(field, f"invalid amount {value!r} (expected a decimal such as 512.30)")


def parse_date(value: object, field: str) -> dt.date:
    """Parse a date of the contract: ``YYYY-MM-DD`` text or a date, from 1900 to 2999.

    Raises:
        RecordError: Anything else; the error names the field.
    """
    if type(value) is str:
        try:
            if _ISO_DATE.fullmatch(value):  # not 3.11's other ISO forms, such as 20210215
                value = dt.date.fromisoformat(value)
        except ValueError:
            pass
        if type(value) is str:
            _fail(field, f"invalid date {value!r} (expected YYYY-MM-DD)")
    if type(value) is dt.date:
        if not _FIRST_DAY <= value <= _LAST_DAY:  # periods are added to dates: keep room
            _fail(field, f"date {value} is outside {_FIRST_DAY.year}-{_LAST_DAY.year}")
        return value
    _fail(field, f"expected a date (YYYY-MM-DD), got {_type(value)}")


def _bool(value: object, field: str) -> bool:
    if value is True or value is False:
        return value
    _fail(field, f"expected true or false, got {_type(value)}")


def _choice(value: object, field: str, choices: tuple[str, ...]) -> str:
    if value in choices:
        return str(value)
    if not isinstance(value, str):
        _fail(field, f"expected one of {', '.join(choices)}; got {_type(value)}")
    _fail(field, f"invalid value {value!r}; expected one of {', '.join(choices)}")


def _list(value: object, field: str) -> list[Any]:
    if type(value) is list or type(value) is tuple:
        return list(value)
    _fail(field, f"expected a list, got {_type(value)}")


def _object(
    value: object, field: str, keys: tuple[str, ...], required: tuple[str, ...]
) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        _fail(field, f"expected an object, got {_type(value)}")
    for key in value:
        if key not in keys:
            _unknown(key, keys, f"{field}.{key}")
    for key in required:
        if key not in value:
            _fail(f"{field}.{key}", "missing required field")
    return value


def _unknown(key: object, known: tuple[str, ...], field: str) -> NoReturn:
    import difflib  # noqa: PLC0415 - only the error path needs it

    shown = _shown(key)
    close = difflib.get_close_matches(shown, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    name = repr(key) if isinstance(key, str) else shown
    _fail(field, f"unknown field {name}{hint}")


@attrs.frozen(slots=True)
class Applicant:
    """One applicant, checked against the contract.

    Absent fields are ``None`` (or empty). Amounts are integer fen; months are month
    indexes (:func:`~yantai_policy.benefits.periods.month_index`).

    Attributes:
        id: The caller's identifier, echoed back in every result.
        groups: Which of :data:`GROUPS` the person belongs to.
        left_school_on: The day a graduate left school.
        flexible_since: The day flexible employment began.
        platform: The platform worked through, if any.
        employment_registered: Whether employment is registered (办理就业登记).
        business_type: ``individual_business`` or ``enterprise``.
        first_license_on: The day of the first business licence (首次领取营业执照).
        operating: Whether the business is operating normally now.
        pays_employee_insurance: Whether the founder pays employee social insurance.
        startup_subsidy_received: Whether a start-up subsidy was received before.
        contributions: ``(month index, fen)`` pairs, one per month, in month order.
        accident_premiums: ``(paid on, fen)`` pairs, in date order.
        injury_pilot_covered: Whether covered by the occupational-injury pilot.
        tax_due: ``(tax, fen)`` pairs in :data:`TAXES` order, for the taxes given.
        loan: ``(kind, fen)`` requested, if any.
        training_completed_on: The day vocational training was completed (职业技能培训).
        training_certificate: Whether the training ended in a certificate (职业资格证书、
            职业技能等级证书或专项职业能力证书).
        pilot_area: Whether the person works in a pilot area of the skills-upgrading and
            employment-promotion projects for new forms of employment (measure 13).
        platform_occupation: One of :data:`PLATFORM_OCCUPATIONS`.
        extra: The caller's own ``x_`` fields.
    """

    id: str
    groups: frozenset[str] = frozenset()
    left_school_on: dt.date | None = None
    flexible_since: dt.date | None = None
    platform: str | None = None
    employment_registered: bool | None = None
    business_type: str | None = None
    first_license_on: dt.date | None = None
    operating: bool | None = None
    pays_employee_insurance: bool | None = None
    startup_subsidy_received: bool | None = None
    contributions: tuple[tuple[int, int], ...] = ()
    accident_premiums: tuple[tuple[dt.date, int], ...] = ()
    injury_pilot_covered: bool | None = None
    tax_due: tuple[tuple[str, int], ...] = ()
    loan: tuple[str, int] | None = None
    training_completed_on: dt.date | None = None
    training_certificate: bool | None = None
    pilot_area: bool | None = None
    platform_occupation: str | None = None
    extra: tuple[tuple[str, object], ...] = attrs.field(default=(), eq=False)


def _groups(value: object, field: str) -> frozenset[str]:
    out = set()
    for index, name in enumerate(_list(value, field)):
        if type(name) is not str or name not in GROUPS:
            where = f"{field}[{index}]"
            if not isinstance(name, str):
                _fail(where, f"expected a group name, got {_type(name)}")
            _fail(where, f"unknown group {name!r}; expected one of {', '.join(sorted(GROUPS))}")
        out.add(name)
    return frozenset(out)


def _platform(value: object, field: str) -> str:
    if type(value) is str and value.strip():
        return value
    _fail(field, f"expected a platform name, got {_type(value)}")


def _contributions(value: object, field: str) -> tuple[tuple[int, int], ...]:
    out: dict[int, int] = {}
    months, fens = _MONTH_CACHE, _FEN_CACHE
    for index, entry in enumerate(_list(value, field)):
        # The fast path: a two-key dict whose month was seen before and whose amount
        # is a plain decimal string; anything else takes the full check below.
        key = fen = None
        if type(entry) is dict and len(entry) == 2:
            month, amount = entry.get("month"), entry.get("amount")
            if type(month) is str and type(amount) is str:
                key = months.get(month)
                fen = fens.get(amount)
                if fen is None:
                    whole, _, frac = amount.partition(".")
                    if (
                        len(frac) == 2
                        and len(whole) <= _MAX_DIGITS
                        and whole.isdigit()
                        and frac.isdigit()
                        and amount.isascii()
                    ):
                        fen = int(whole + frac)  # "512.30": the common shape, without a regex
        if key is None or fen is None:
            key, fen = _contribution(entry, f"{field}[{index}]")
        if key in out:
            _fail(f"{field}[{index}].month", f"duplicate month {entry['month']}")
        out[key] = fen
    return tuple(sorted(out.items()))


def _contribution(entry: object, where: str) -> tuple[int, int]:
    """Parse one ``{month, amount}`` entry, remembering its strings for the fast path."""
    item = _object(entry, where, ("month", "amount"), ("month", "amount"))
    month = item["month"]
    match = _MONTH.fullmatch(month) if type(month) is str else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        _fail(f"{where}.month", f"invalid month {month!r} (expected YYYY-MM)")
    key = month_index(int(match.group(1)), int(match.group(2)))
    amount = item["amount"]
    fen = parse_fen(amount, f"{where}.amount")
    if len(_MONTH_CACHE) < _CACHE_LIMIT:
        _MONTH_CACHE[month] = key
    if type(amount) is str and len(_FEN_CACHE) < _CACHE_LIMIT:
        _FEN_CACHE[amount] = fen
    return key, fen


def _premiums(value: object, field: str) -> tuple[tuple[dt.date, int], ...]:
    return tuple(
        sorted(
            _premium(entry, f"{field}[{index}]") for index, entry in enumerate(_list(value, field))
        )
    )


def _premium(entry: object, where: str) -> tuple[dt.date, int]:
    item = _object(entry, where, ("paid_on", "amount"), ("paid_on", "amount"))
    return (
        parse_date(item["paid_on"], f"{where}.paid_on"),
        parse_fen(item["amount"], f"{where}.amount"),
    )


def _tax_due(value: object, field: str) -> tuple[tuple[str, int], ...]:
    item = _object(value, field, TAXES, ())
    return tuple((tax, parse_fen(item[tax], f"{field}.{tax}")) for tax in TAXES if tax in item)


def _loan(value: object, field: str) -> tuple[str, int]:
    item = _object(value, field, ("kind", "amount"), ("kind", "amount"))
    return (
        _choice(item["kind"], f"{field}.kind", LOAN_KINDS),
        parse_fen(item["amount"], f"{field}.amount"),
    )


def _business_type(value: object, field: str) -> str:
    return _choice(value, field, BUSINESS_TYPES)


_APPLICANT_PARSERS: dict[str, Callable[[object, str], object]] = {
    "groups": _groups,
    "left_school_on": parse_date,
    "flexible_since": parse_date,
    "platform": _platform,
    "employment_registered": _bool,
    "business_type": _business_type,
    "first_license_on": parse_date,
    "operating": _bool,
    "pays_employee_insurance": _bool,
    "startup_subsidy_received": _bool,
    "contributions": _contributions,
    "accident_premiums": _premiums,
    "injury_pilot_covered": _bool,
    "tax_due": _tax_due,
    "loan": _loan,
    "training_completed_on": parse_date,
    "training_certificate": _bool,
    "pilot_area": _bool,
    "platform_occupation": lambda value, field: _choice(value, field, PLATFORM_OCCUPATIONS),
}


def applicant_parser(field: str) -> Callable[[object, str], Any]:
    """Return the contract's parser of one applicant field (value, field path) -> parsed."""
    return _APPLICANT_PARSERS[field]


def applicant_entry_parser(field: str) -> Callable[[object, str], tuple[Any, int]]:
    """Return the contract's parser of one entry of a list field (contributions, premiums).

    It takes the entry and the list's field name, and returns ``(key, fen)``: a month
    index for contributions, a date for premiums.
    """
    if field == "contributions":
        return lambda entry, where: _contribution(entry, f"{where}[]")
    return lambda entry, where: _premium(entry, f"{where}[]")


def _id(record: Mapping[str, Any]) -> str:
    if "id" not in record:
        _fail("id", "missing required field")
    value = record["id"]
    if type(value) is str and value:
        return value
    if type(value) is int:
        try:
            return str(value)
        except ValueError:  # more digits than int converts to text
            _fail("id", "integer id is too long")
    _fail("id", f"expected a non-empty string or an integer, got {_type(value)}")


def _fields(
    record: object,
    parsers: Mapping[str, Callable[[object, str], object]],
    known: tuple[str, ...],
) -> dict[str, object]:
    """Parse a record's fields: known ones by their parser, ``x_`` ones kept aside."""
    if not isinstance(record, dict):
        _fail("", f"expected an object, got {_type(record)}")
    fields: dict[str, object] = {"id": _id(record)}
    extra = []
    for key, value in record.items():
        parser = parsers.get(key)
        if parser is not None:
            if value is not None:
                fields[key] = parser(value, key)
        elif key == "id":
            continue
        elif type(key) is str and key.startswith("x_"):
            extra.append((key, value))
        else:
            _unknown(key, known, _shown(key))
    if extra:
        fields["extra"] = tuple(extra)
    return fields


def parse_applicant(record: Mapping[str, Any]) -> Applicant:
    """Check one applicant record against the contract and parse it.

    Args:
        record: The record as a mapping, such as a parsed JSON object. A ``None``
            value is the same as an absent field.

    Returns:
        The parsed applicant.

    Raises:
        RecordError: The record breaks the contract; the error names the field.
    """
    return Applicant(**_fields(record, _APPLICANT_PARSERS, APPLICANT_FIELDS))  # type: ignore[arg-type]


_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
_CSV_BOOLEANS = frozenset(
    {
        "employment_registered",
        "operating",
        "pays_employee_insurance",
        "startup_subsidy_received",
        "injury_pilot_covered",
        "training_certificate",
        "pilot_area",
        "rural_labourer",
        "village_collective_intermediary",
        "employer_in_city",
        "employee_insurance_paid",
    }
)


def _pairs(text: str, field: str, key: str) -> list[dict[str, str]]:
    out = []
    for index, part in enumerate(p for p in text.split(";") if p.strip()):
        left, sep, right = part.strip().rpartition(":")
        if not sep:
            _fail(f"{field}[{index}]", f"expected {key}:amount, got {part.strip()!r}")
        out.append({key: left.strip(), "amount": right.strip()})
    return out


def applicant_from_csv_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Turn a CSV row (as from :class:`csv.DictReader`) into a record dict.

    Empty cells are absent; the list and nested fields are unflattened as the module
    documentation describes. The result still goes through :func:`parse_applicant`.

    Raises:
        RecordError: A cell cannot be read (a boolean that is not true or false, say).

    Examples:
        >>> applicant_from_csv_row({"id": "A1", "groups": "graduate;veteran",
        ...     "contributions": "2021-03:500", "loan.kind": "individual", "loan.amount": "1",
        ...     "operating": "true", "platform": ""})  # doctest: +NORMALIZE_WHITESPACE
        {'id': 'A1', 'groups': ['graduate', 'veteran'],
         'contributions': [{'month': '2021-03', 'amount': '500'}],
         'loan': {'kind': 'individual', 'amount': '1'}, 'operating': True}
    """
    out: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None:
            _fail("", "the row has more cells than the header has columns")
        if cell is None or not cell.strip():
            continue
        head, dot, tail = column.partition(".")
        if dot and head in {"tax_due", "loan"}:
            out.setdefault(head, {})[tail] = cell.strip()
        else:
            out[column] = _cell(column, cell.strip())
    return out


def _cell(column: str, text: str) -> object:
    """Read one CSV cell of a flat field."""
    if column == "groups":
        return [g.strip() for g in text.split(";") if g.strip()]
    if column == "contributions":
        return _pairs(text, column, "month")
    if column == "accident_premiums":
        return _pairs(text, column, "paid_on")
    if column in _CSV_BOOLEANS:
        lowered = text.casefold()
        if lowered not in _TRUE | _FALSE:
            _fail(column, f"expected true or false, got {text!r}")
        return lowered in _TRUE
    if column == "contract_months" and text.isdecimal():
        return int(text)
    return text


@attrs.frozen(slots=True)
class Placement:
    """One placement by a labour intermediary (measure 11), checked against its contract.

    Attributes:
        id: The caller's identifier.
        rural_labourer: The worker is rural labour (农村劳动力).
        village_collective_intermediary: Placed by an intermediary set up by the village
            collective (村集体设立劳务中介、劳务合作社 ...).
        employer_in_city: The employer is an enterprise or individual business in the city.
        contract_months: The length of the labour contract, in months.
        employee_insurance_paid: Urban employee social insurance is paid.
        extra: The caller's own ``x_`` fields.
    """

    id: str
    rural_labourer: bool | None = None
    village_collective_intermediary: bool | None = None
    employer_in_city: bool | None = None
    contract_months: int | None = None
    employee_insurance_paid: bool | None = None
    extra: tuple[tuple[str, object], ...] = attrs.field(default=(), eq=False)


def _months(value: object, field: str) -> int:
    if type(value) is int and value >= 0:
        return value
    shown = (
        value if isinstance(value, int | Decimal) and not isinstance(value, bool) else _type(value)
    )
    _fail(field, f"expected a whole number of months, got {shown}")


_PLACEMENT_PARSERS: dict[str, Callable[[object, str], object]] = {
    "rural_labourer": _bool,
    "village_collective_intermediary": _bool,
    "employer_in_city": _bool,
    "contract_months": _months,
    "employee_insurance_paid": _bool,
}


def parse_placement(record: Mapping[str, Any]) -> Placement:
    """Check one placement record against its contract and parse it.

    Raises:
        RecordError: The record breaks the contract; the error names the field.
    """
    return Placement(**_fields(record, _PLACEMENT_PARSERS, PLACEMENT_FIELDS))  # type: ignore[arg-type]


_AMOUNT_SCHEMA = {
    "description": "yuan, at most two decimal places",
    "oneOf": [
        {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
        # No multipleOf 0.01: binary floats make 0.29 fail it; the parser checks the fen.
        {"type": "number", "minimum": 0},
    ],
}
_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_EXTENSIONS: dict[str, Any] = {"^x_": {}}


_ID_SCHEMA: dict[str, Any] = {"oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}
_NULLABLE_BOOL: dict[str, Any] = {"type": ["boolean", "null"]}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Allow ``null`` as well: the parser reads null as an absent field."""
    return {"anyOf": [schema, {"type": "null"}]}


def applicant_schema() -> dict[str, Any]:
    """Return the JSON Schema of an applicant record (``yantai-policy schema applicant``)."""

    def obj(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://yantai-policy.example/schema/applicant.json",
        "title": "yantai-policy applicant record",
        "description": "One applicant for the benefits of 烟政办字〔2021〕3号. Fields starting x_ are the caller's own.",
        "type": "object",
        "properties": {
            "id": _ID_SCHEMA,
            "groups": _nullable({"type": "array", "items": {"enum": sorted(GROUPS)}}),
            "left_school_on": _nullable(_DATE_SCHEMA),
            "flexible_since": _nullable(_DATE_SCHEMA),
            "platform": _nullable(
                {"type": "string", "minLength": 1, "examples": list(KNOWN_PLATFORMS)}
            ),
            "employment_registered": _NULLABLE_BOOL,
            "business_type": {"enum": [*BUSINESS_TYPES, None]},
            "first_license_on": _nullable(_DATE_SCHEMA),
            "operating": _NULLABLE_BOOL,
            "pays_employee_insurance": _NULLABLE_BOOL,
            "startup_subsidy_received": _NULLABLE_BOOL,
            "contributions": _nullable(
                {
                    "type": "array",
                    "items": obj(
                        {
                            "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
                            "amount": _AMOUNT_SCHEMA,
                        },
                        ["month", "amount"],
                    ),
                }
            ),
            "accident_premiums": _nullable(
                {
                    "type": "array",
                    "items": obj(
                        {"paid_on": _DATE_SCHEMA, "amount": _AMOUNT_SCHEMA}, ["paid_on", "amount"]
                    ),
                }
            ),
            "injury_pilot_covered": _NULLABLE_BOOL,
            "tax_due": _nullable(obj(dict.fromkeys(TAXES, _AMOUNT_SCHEMA), [])),
            "loan": _nullable(
                obj(
                    {"kind": {"enum": list(LOAN_KINDS)}, "amount": _AMOUNT_SCHEMA},
                    ["kind", "amount"],
                )
            ),
            "training_completed_on": _nullable(_DATE_SCHEMA),
            "training_certificate": _NULLABLE_BOOL,
            "pilot_area": _NULLABLE_BOOL,
            "platform_occupation": {"enum": [*PLATFORM_OCCUPATIONS, None]},
        },
        "required": ["id"],
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
    }


def placement_schema() -> dict[str, Any]:
    """Return the JSON Schema of a placement record (``yantai-policy schema placement``)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://yantai-policy.example/schema/placement.json",
        "title": "yantai-policy placement record (measure 11)",
        "type": "object",
        "properties": {
            "id": _ID_SCHEMA,
            "rural_labourer": _NULLABLE_BOOL,
            "village_collective_intermediary": _NULLABLE_BOOL,
            "employer_in_city": _NULLABLE_BOOL,
            "contract_months": {"type": ["integer", "null"], "minimum": 0},
            "employee_insurance_paid": _NULLABLE_BOOL,
        },
        "required": ["id"],
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
    }
