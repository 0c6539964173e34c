"""The record contract: what other systems send, checked field by field.

One applicant per record, as a dict (from JSON or JSONL), a CSV row or a DataFrame
row. The contract is one table, [`APPLICANT_CONTRACT`][yantai_policy.benefits.records.APPLICANT_CONTRACT] (and
[`PLACEMENT_CONTRACT`][yantai_policy.benefits.records.PLACEMENT_CONTRACT] for measure 11): each [`Field`][yantai_policy.benefits.records.Field]'s name, kind, bounds,
values and shape. Everything else is derived from it: the dict parser
([`parse_applicant`][yantai_policy.benefits.records.parse_applicant]), the CSV cell formats ([`applicant_from_csv_row`][yantai_policy.benefits.records.applicant_from_csv_row]), the
JSON Schema ([`applicant_schema`][yantai_policy.benefits.records.applicant_schema]), the page ``docs/records.md``
(`records_page`) and the value checks of
[`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame], which call the same per-value
parsers ([`field_parser`][yantai_policy.benefits.records.field_parser]) and so give the same messages.

Field names are fixed. Your own fields are welcome if their names start with ``x_``
(they are kept, and ignored by the formulas); any other unknown field is an error
that names it and suggests the close match, since a misspelt field would otherwise
silently count as absent. A ``None`` (JSON ``null``) value is an absent field.

Dates are ISO 8601 (``YYYY-MM-DD``, 1900 to 2999); months are ``YYYY-MM``. Amounts
are yuan, as decimal strings or numbers, with at most two decimal places and at most
[`MAX_FEN`][yantai_policy.benefits.records.MAX_FEN] fen; they are held as integer fen, so nothing passes through a float.

A record is checked in a fixed order, so every path names the same first error: the
record is an object; unknown fields (in the record's order); the ``id``; then each
field in the table's order, and inside a list entry by entry, each entry's keys in
the shape's order.

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
    >>> [(f.name, [s.name for s in f.shape]) for f in APPLICANT_CONTRACT if f.shape][:2]
    [('contributions', ['month', 'amount']), ('accident_premiums', ['paid_on', 'amount'])]
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import attrs

from yantai_policy import dates
from yantai_policy._reprs import clip, plural
from yantai_policy.benefits.periods import month_index
from yantai_policy.errors import PolicyError
from yantai_policy.parameters import EXACT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "AMOUNT_CACHE",
    "APPLICANT_CONTRACT",
    "APPLICANT_FIELDS",
    "BOTH_WAYS",
    "BUSINESS_TYPES",
    "DATE_RANGE",
    "GROUPS",
    "KINDS",
    "KNOWN_PLATFORMS",
    "LOAN_KINDS",
    "MAX_FEN",
    "MAX_YUAN",
    "MONTH_CACHE",
    "PLACEMENT_CONTRACT",
    "PLACEMENT_FIELDS",
    "PLATFORM_OCCUPATIONS",
    "REPEATED_COLUMN",
    "TAXES",
    "Applicant",
    "Field",
    "Placement",
    "RecordError",
    "applicant_entry_parser",
    "applicant_from_csv_row",
    "applicant_parser",
    "applicant_schema",
    "check_csv_header",
    "field_parser",
    "item_parser",
    "parse_applicant",
    "parse_date",
    "parse_fen",
    "parse_id",
    "parse_month",
    "parse_placement",
    "placement_schema",
    "read_cell",
    "to_csv_row",
    "unknown_field",
]

MAX_FEN = 2**53 - 1
"""The largest amount, in fen, that any entry point accepts (about 90 trillion yuan).

It is the exact integer range of float64 sums, which the columns
([`columns`][yantai_policy.benefits.columns]) and [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame]
use; far above any register's figure."""

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

Kind = Literal[
    "id",
    "date",
    "bool",
    "enum",
    "groups",
    "platform",
    "amount",
    "month",
    "whole_months",
    "list",
    "object",
]

MAX_YUAN = EXACT.scaleb(Decimal(MAX_FEN), -2)
"""The same bound in yuan: 90071992547409.91."""

_BOOL_CELLS = (("true", "false"), ("1", "0"), ("yes", "no"), ("y", "n"), ("t", "f"))
"""A CSV boolean cell's true and false texts, in any case."""

DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))
"""The first and last day a date of the contract may be (periods are added to dates: keep room)."""
KINDS: dict[str, tuple[str, str]] = {
    "id": ("a non-empty string or an integer (echoed back as its decimal text)", "the text"),
    "date": (f"`YYYY-MM-DD`, {DATE_RANGE[0]} to {DATE_RANGE[1]}", "`YYYY-MM-DD`"),
    "bool": (
        "`true` or `false`",
        ", ".join(f"`{true}`/`{false}`" for true, false in _BOOL_CELLS) + " (any case)",
    ),
    "enum": ("one of the values", "the value"),
    "groups": ("a list of group names", "names separated by `;`: `graduate;veteran`"),
    "platform": ("a non-empty string", "the text"),
    "amount": (
        f"yuan: a decimal string or a number, 0 to {MAX_YUAN}, at most two decimal places",
        "the decimal: `512.30`",
    ),
    "month": ("`YYYY-MM`", "`YYYY-MM`"),
    "whole_months": ("an integer, 0 or more", "digits"),
    "list": ("a list of objects", "`key:amount` pairs separated by `;`"),
    "object": ("an object", "one column per key, named `field.key`"),
}
"""For each kind of field: how JSON writes a value, and how a CSV cell does."""


@attrs.frozen
class Field:
    """One field of a record contract.

    Attributes:
        name: The field's name in JSON, CSV and DataFrame columns.
        kind: What the value is (a key of [`KINDS`][yantai_policy.benefits.records.KINDS]).
        doc: What it means, in English.
        zh: The notice's own term, where the field comes from it.
        choices: The allowed values (``enum`` and ``groups``); example values (``platform``).
        shape: A list's item keys, or an object's keys.
        required: Inside a list item or an object: the key must be given.
        unique: A list: the item key that must not repeat.
    """

    name: str
    kind: Kind
    doc: str
    zh: str = ""
    choices: tuple[str, ...] = ()
    shape: tuple[Field, ...] = ()
    required: bool = False
    unique: str = ""


def _amount(doc: str = "The amount, in yuan.") -> Field:
    return Field("amount", "amount", doc, required=True)


APPLICANT_CONTRACT: tuple[Field, ...] = (
    Field("id", "id", "The caller's identifier, echoed back in every result; required."),
    Field(
        "groups",
        "groups",
        "The groups the person belongs to: 就业困难人员 hard_to_employ, 高校毕业生 graduate, "
        "退役军人 veteran, 下岗人员 laid_off, 失业人员 unemployed, 农民工 migrant_worker, "
        "贫困人口 poverty, 农民 farmer.",
        choices=tuple(sorted(GROUPS)),
    ),
    Field("left_school_on", "date", "The day a graduate left school.", "离校"),
    Field("flexible_since", "date", "The day flexible employment began.", "灵活就业"),
    Field(
        "platform",
        "platform",
        "The platform worked through, if any; any name, the notice's four are examples.",
        "电子商务、网络预约出租汽车、外卖、快递",
        choices=KNOWN_PLATFORMS,
    ),
    Field("employment_registered", "bool", "Employment is registered.", "办理就业登记"),
    Field(
        "business_type",
        "enum",
        "The kind of business founded: individual business or enterprise.",
        "个体工商户 / 企业",
        choices=BUSINESS_TYPES,
    ),
    Field("first_license_on", "date", "The day of the first business licence.", "首次领取营业执照"),
    Field("operating", "bool", "The business is operating normally now.", "正常经营"),
    Field(
        "pays_employee_insurance",
        "bool",
        "The founder pays urban employee social insurance.",
        "缴纳职工社会保险",
    ),
    Field(
        "startup_subsidy_received",
        "bool",
        "A one-off start-up subsidy was received before.",
        "一次性创业补贴",
    ),
    Field(
        "contributions",
        "list",
        "Social insurance paid as a flexible worker: one entry per month.",
        "社会保险费",
        shape=(
            Field("month", "month", "The month paid for.", required=True),
            _amount("The amount paid, in yuan."),
        ),
        unique="month",
    ),
    Field(
        "accident_premiums",
        "list",
        "Accident-insurance premiums paid.",
        "意外伤害保险",
        shape=(
            Field("paid_on", "date", "The day paid.", required=True),
            _amount("The premium, in yuan."),
        ),
    ),
    Field(
        "injury_pilot_covered",
        "bool",
        "Covered by the occupational-injury protection pilot.",
        "职业伤害保障试点",
    ),
    Field(
        "tax_due",
        "object",
        "Taxes due, in yuan, each optional; the quota is deducted in this order.",
        "增值税、城市维护建设税、教育费附加、地方教育附加和个人所得税",
        shape=tuple(Field(tax, "amount", f"The {tax} due, in yuan.") for tax in TAXES),
    ),
    Field(
        "loan",
        "object",
        "The guaranteed loan requested: its kind and amount, both required.",
        "创业担保贷款",
        shape=(
            Field(
                "kind",
                "enum",
                "个人创业 individual or 合伙创业 partnership.",
                choices=LOAN_KINDS,
                required=True,
            ),
            _amount("The amount requested, in yuan."),
        ),
    ),
    Field(
        "training_completed_on",
        "date",
        "The day vocational training was completed.",
        "职业技能培训",
    ),
    Field(
        "training_certificate",
        "bool",
        "The training ended in a certificate.",
        "职业资格证书、职业技能等级证书或专项职业能力证书",
    ),
    Field(
        "pilot_area",
        "bool",
        "The person works in a pilot area of the skills-upgrading and employment-promotion "
        "projects for new forms of employment (measure 13).",
        "试点地区",
    ),
    Field(
        "platform_occupation",
        "enum",
        "The new form of employment measure 13 names; other for the rest of its 等.",
        "网约配送员、网约车驾驶员、直播带货员",
        choices=PLATFORM_OCCUPATIONS,
    ),
)
"""The applicant record contract: one [`Field`][yantai_policy.benefits.records.Field] per field, in contract order."""

PLACEMENT_CONTRACT: tuple[Field, ...] = (
    Field("id", "id", "The caller's identifier, echoed back in every result; required."),
    Field("rural_labourer", "bool", "The worker is rural labour.", "农村劳动力"),
    Field(
        "village_collective_intermediary",
        "bool",
        "Placed by an intermediary set up by the village collective.",
        "村集体设立劳务中介、劳务合作社",
    ),
    Field(
        "employer_in_city",
        "bool",
        "The employer is an enterprise or individual business in the city.",
        "市内企业、个体工商户",
    ),
    Field(
        "contract_months",
        "whole_months",
        "The length of the labour contract, in months.",
        "劳动合同",
    ),
    Field(
        "employee_insurance_paid",
        "bool",
        "Urban employee social insurance is paid.",
        "城镇职工社会保险",
    ),
)
"""The placement record contract (measure 11)."""

APPLICANT_FIELDS = tuple(f.name for f in APPLICANT_CONTRACT)
"""The fields of an applicant record, in contract order."""
PLACEMENT_FIELDS = tuple(f.name for f in PLACEMENT_CONTRACT)
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

    def __reduce__(self) -> tuple[Any, tuple[str, str, int | None]]:
        """Pickle the reason, field and row (a worker process sends errors back)."""
        return (_record_error, (self.reason, self.field, self.row))


def _record_error(reason: str, field: str, row: int | None) -> RecordError:
    return RecordError(reason, field=field, row=row)


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
    # A JSON number with a fraction is a float, or a Decimal from the JSONL reader: one name.
    names = {
        bool: "a boolean",
        str: "a string",
        dict: "an object",
        list: "a list",
        float: "a number",
        Decimal: "a number",
    }
    for cls, name in names.items():
        if isinstance(value, cls):
            return name
    return "null" if value is None else type(value).__name__


_AMOUNT = re.compile(r"(\d+)(?:\.(\d{1,2}))?", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?", re.ASCII)
_TOO_FINE = re.compile(r"\d+\.\d{3,}", re.ASCII)
_FIRST_DAY, _LAST_DAY = DATE_RANGE
_CENT = Decimal("0.01")
_SAFE_DIGITS = 13  # whole yuan of 13 digits or fewer are below MAX_FEN fen
_CACHE_LIMIT = 1 << 16
# Months and amounts repeat across a register (the same few dozen months, the same
# contribution bases), so a batch parses each distinct string once. Only strings are
# cached: no other key can equal a str, so True is never mistaken for "1".
AMOUNT_CACHE: dict[str, int] = {}
"""Amount strings the contract has read, as fen (a register repeats a few dozen bases)."""
MONTH_CACHE: dict[str, int] = {}
"""Month strings the contract has read, as month indexes."""


def _too_large(value: object, field: str) -> NoReturn:
    _fail(
        field,
        f"amount {_shown(value)} is too large (the limit is {MAX_YUAN} yuan, 2**53 - 1 fen)",
    )


def parse_fen(value: object, field: str) -> int:
    """Parse an amount of yuan into integer fen: never through a float's rounding.

    Args:
        value: A decimal string, an integer, a Decimal, or a float (read as the
            shortest decimal that prints it, so ``0.1`` is 10 fen).
        field: The field's name, for the error.

    Raises:
        RecordError: The value is not an amount, is negative, has more than two
            decimal places, or is above [`MAX_FEN`][yantai_policy.benefits.records.MAX_FEN] fen.

    Examples:
        >>> parse_fen("512.3", "amount"), parse_fen(7, "amount"), parse_fen(0.1, "amount")
        (51230, 700, 10)
        >>> parse_fen("90071992547410", "amount")
        Traceback (most recent call last):
        ...
        yantai_policy.benefits.records.RecordError: amount: amount 90071992547410 is too large (the limit is 90071992547409.91 yuan, 2**53 - 1 fen)
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
        amount = EXACT.create_decimal(text)
    except InvalidOperation:
        _fail(field, f"invalid amount {value!r}")
    if not amount.is_finite():
        _fail(field, f"invalid amount {value!r}")
    if amount < 0:
        _fail(field, f"negative amount {value}")
    if amount > MAX_YUAN:
        _too_large(value, field)
    # In EXACT, not the caller's context: amount * 100 would round to the context's
    # 28 digits (so 1.000...0001 passed), and a quantize in a context of 3 digits fails.
    cents = EXACT.quantize(amount, _CENT)
    if cents != amount:
        _fail(field, f"amount {value} has more than two decimal places (fen)")
    return int(EXACT.scaleb(cents, 2))


def _fen_int(value: int, field: str) -> int:
    """Whole yuan as fen."""
    if value < 0:
        _fail(field, f"negative amount {_shown(value)}")
    if value > MAX_FEN // 100:  # 10**5000 would not even print (int's 4,300-digit limit)
        _too_large(value, field)
    return value * 100


def _fen_text(value: str, field: str) -> int:
    """Parse a decimal string of yuan: ASCII digits, at most two places, nothing else."""
    match = _AMOUNT.fullmatch(value)
    if match is not None:
        whole, frac = match.groups()
        if len(whole) > _SAFE_DIGITS + 5:  # no int() of a 5,000-digit string
            _too_large(value, field)
        fen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
        if fen > MAX_FEN:
            _too_large(value, field)
        return fen
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
            value = dates.parse_date(value)  # YYYY-MM-DD only; the error says why not
        except ValueError as error:
            _fail(field, str(error))
    if type(value) is dt.date:
        if not _FIRST_DAY <= value <= _LAST_DAY:  # periods are added to dates: keep room
            _fail(field, f"date {value} is outside {_FIRST_DAY.year}-{_LAST_DAY.year}")
        return value
    _fail(field, f"expected a date (YYYY-MM-DD), got {_type(value)}")


def parse_month(value: object, field: str) -> int:
    """Parse a month ``YYYY-MM`` into a month index ([`month_index`][yantai_policy.benefits.periods.month_index]).

    Raises:
        RecordError: Anything else; the error names the field.
    """
    match = _MONTH.fullmatch(value) if type(value) is str else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        _fail(field, f"invalid month {value!r} (expected YYYY-MM)")
    return month_index(int(match.group(1)), int(match.group(2)))


def parse_id(value: object, field: str = "id") -> str:
    """Parse a record's id: a non-empty string, or an integer (as its decimal text).

    Raises:
        RecordError: The id is absent (``None``) or of another kind.
    """
    if type(value) is str and value:
        return value
    if type(value) is int:
        try:
            return str(value)
        except ValueError:  # more digits than int converts to text
            _fail(field, "integer id is too long")
    if value is None:
        _fail(field, "missing required field")
    _fail(field, f"expected a non-empty string or an integer, got {_type(value)}")


def _bool(value: object, field: str) -> bool:
    if value is True or value is False:
        return value
    shown = repr(_shown(value)) if isinstance(value, str) else _type(value)  # a CSV cell's text
    _fail(field, f"expected true or false, got {shown}")


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
            _unknown(key, keys, f"{field}.")
    for key in required:
        if key not in value:
            _fail(f"{field}.{key}", "missing required field")
    return value


def unknown_field(key: object, known: tuple[str, ...], prefix: str = "") -> RecordError:
    """Return the error for an unknown field, suggesting the close match among ``known``.

    Examples:
        >>> str(unknown_field("operatin", APPLICANT_FIELDS))
        "operatin: unknown field 'operatin'; did you mean 'operating'?"
    """
    import difflib  # noqa: PLC0415 - only the error path needs it

    shown = _shown(key)
    close = difflib.get_close_matches(shown, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    name = repr(key) if isinstance(key, str) else shown
    return RecordError(f"unknown field {name}{hint}", field=prefix + shown)


def _unknown(key: object, known: tuple[str, ...], prefix: str = "") -> NoReturn:
    raise unknown_field(key, known, prefix)


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


def _months(value: object, field: str) -> int:
    if type(value) is int and value >= 0:
        return value
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    shown = _shown(value) if number else _type(value)
    _fail(field, f"expected a whole number of months, got {shown}")


@functools.cache
def item_parser(field: Field) -> Callable[[object, str], tuple[Any, ...]]:
    """Return the parser of one item of a list field: ``parse(entry, where)``.

    It checks the item is an object of the field's shape and returns its values, in
    shape order: ``(month index, fen)`` for a contribution, ``(date, fen)`` for a premium.
    """
    keys = tuple(sub.name for sub in field.shape)
    required = tuple(sub.name for sub in field.shape if sub.required)
    parsers = tuple((sub.name, field_parser(sub)) for sub in field.shape)

    def item(entry: object, where: str) -> tuple[Any, ...]:
        value = _object(entry, where, keys, required)
        return tuple(parse(value[name], f"{where}.{name}") for name, parse in parsers)

    return item


def _items(field: Field) -> Callable[[object, str], Any]:
    """The parser of a list field: each item an object of the field's shape."""
    keys = tuple(sub.name for sub in field.shape)
    required = tuple(sub.name for sub in field.shape if sub.required)
    at = keys.index(field.unique) if field.unique else -1
    if keys != required:  # pragma: no cover - every list item of the contract is complete
        msg = f"{field.name}: a list item's keys must all be required"
        raise TypeError(msg)
    item = item_parser(field)

    if keys == ("month", "amount") and field.unique == "month":
        return _contributions_parser(item)

    def parse_list(value: object, name: str) -> tuple[Any, ...]:
        out = []
        seen = set()
        for index, entry in enumerate(_list(value, name)):
            parsed = item(entry, f"{name}[{index}]")
            if at >= 0:
                if parsed[at] in seen:
                    _fail(
                        f"{name}[{index}].{field.unique}",
                        f"duplicate {field.unique} {entry[field.unique]}",
                    )
                seen.add(parsed[at])
            out.append(parsed)
        return tuple(sorted(out))

    return parse_list


def _plain_fen(amount: str) -> int | None:
    """The fen of ``"512.30"``, the common shape, without a regex; None for any other."""
    whole, _, frac = amount.partition(".")
    if (
        len(frac) == 2
        and len(whole) <= _SAFE_DIGITS
        and whole.isdigit()
        and frac.isdigit()
        and amount.isascii()
    ):
        return int(whole + frac)
    return None


def _cached(entry: object) -> tuple[int | None, int | None]:
    """The fast path's month index and fen, or a None that sends the entry to the full check.

    The fast path takes a two-key dict whose month was seen before and whose amount
    is a plain decimal string.
    """
    if type(entry) is dict and len(entry) == 2:
        month, amount = entry.get("month"), entry.get("amount")
        if type(month) is str and type(amount) is str:
            fen = AMOUNT_CACHE.get(amount)
            return MONTH_CACHE.get(month), _plain_fen(amount) if fen is None else fen
    return None, None


def _contributions_parser(
    item: Callable[[object, str], tuple[Any, ...]],
) -> Callable[[object, str], tuple[tuple[int, int], ...]]:
    """The parser of ``{month, amount}`` lists, with a fast path for the common shape."""

    def contribution(entry: object, where: str) -> tuple[int, int]:
        key, fen = item(entry, where)
        month, amount = entry["month"], entry["amount"]  # type: ignore[index]
        if len(MONTH_CACHE) < _CACHE_LIMIT:
            MONTH_CACHE[month] = key
        if type(amount) is str and len(AMOUNT_CACHE) < _CACHE_LIMIT:
            AMOUNT_CACHE[amount] = fen
        return key, fen

    def parse_contributions(value: object, field: str) -> tuple[tuple[int, int], ...]:
        out: dict[int, int] = {}
        for index, entry in enumerate(_list(value, field)):
            key, fen = _cached(entry)
            if key is None or fen is None:
                key, fen = contribution(entry, f"{field}[{index}]")
            if key in out:
                _fail(f"{field}[{index}].month", f"duplicate month {entry['month']}")
            out[key] = fen
        return tuple(sorted(out.items()))

    return parse_contributions


def _members(field: Field) -> Callable[[object, str], Any]:
    """The parser of an object field.

    It returns ``(key, value)`` pairs of the keys given, in shape order; or, when
    every key is required, just the values.
    """
    keys = tuple(sub.name for sub in field.shape)
    required = tuple(sub.name for sub in field.shape if sub.required)
    parsers = tuple((sub.name, field_parser(sub)) for sub in field.shape)

    if keys == required:

        def parse_whole(value: object, name: str) -> tuple[Any, ...]:
            item = _object(value, name, keys, required)
            return tuple(parse(item[key], f"{name}.{key}") for key, parse in parsers)

        return parse_whole

    def parse_some(value: object, name: str) -> tuple[tuple[str, Any], ...]:
        item = _object(value, name, keys, required)
        return tuple(
            (key, parse(item[key], f"{name}.{key}")) for key, parse in parsers if key in item
        )

    return parse_some


@functools.cache
def field_parser(field: Field) -> Callable[[object, str], Any]:
    """Return the parser of one field's values: ``parse(value, where)``.

    ``where`` names the field in an error (a nested key's error names
    ``where.key`` or ``where[index].key``). [`parse_applicant`][yantai_policy.benefits.records.parse_applicant] and
    [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] both use it.

    Raises:
        TypeError: The field is of no kind a parser is known for.

    Examples:
        >>> parse = field_parser(APPLICANT_CONTRACT[1])
        >>> parse(["graduate"], "groups")
        frozenset({'graduate'})
        >>> field_parser(APPLICANT_CONTRACT[2])("2021-02-30", "left_school_on")
        Traceback (most recent call last):
        ...
        yantai_policy.benefits.records.RecordError: left_school_on: invalid date '2021-02-30': February 2021 has 28 days
    """
    kind = field.kind
    if kind == "enum":
        choices = field.choices
        return lambda value, where: _choice(value, where, choices)
    if kind == "list":
        return _items(field)
    if kind == "object":
        return _members(field)
    simple: dict[str, Callable[[object, str], Any]] = {
        "id": parse_id,
        "date": parse_date,
        "bool": _bool,
        "groups": _groups,
        "platform": _platform,
        "amount": parse_fen,
        "month": parse_month,
        "whole_months": _months,
    }
    return simple[kind]


def _record_repr(record: Applicant | Placement) -> str:
    """``<Applicant G1: 5 fields given>``: the id and how many fields differ from their default."""
    given = sum(
        1
        for a in attrs.fields(type(record))
        if a.name not in {"id", "extra"} and getattr(record, a.name) != a.default
    )
    extra = f", {len(record.extra)} x_ fields" if record.extra else ""
    return f"<{type(record).__name__} {clip(record.id)}: {plural(given, 'field')} given{extra}>"


@attrs.frozen(slots=True, repr=False)
class Applicant:
    """One applicant, checked against the contract.

    Absent fields are ``None`` (or empty). Amounts are integer fen; months are month
    indexes ([`month_index`][yantai_policy.benefits.periods.month_index]).

    Attributes:
        id: The caller's identifier, echoed back in every result.
        groups: Which of [`GROUPS`][yantai_policy.benefits.records.GROUPS] the person belongs to.
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
        tax_due: ``(tax, fen)`` pairs in [`TAXES`][yantai_policy.benefits.records.TAXES] order, for the taxes given.
        loan: ``(kind, fen)`` requested, if any.
        training_completed_on: The day vocational training was completed (职业技能培训).
        training_certificate: Whether the training ended in a certificate (职业资格证书、
            职业技能等级证书或专项职业能力证书).
        pilot_area: Whether the person works in a pilot area of the skills-upgrading and
            employment-promotion projects for new forms of employment (measure 13).
        platform_occupation: One of [`PLATFORM_OCCUPATIONS`][yantai_policy.benefits.records.PLATFORM_OCCUPATIONS].
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

    def __repr__(self) -> str:
        """Return ``<Applicant G1: 5 fields given>``; the fields are its attributes."""
        return _record_repr(self)


@attrs.frozen(slots=True, repr=False)
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

    def __repr__(self) -> str:
        """Return ``<Placement P1: 5 fields given>``; the fields are its attributes."""
        return _record_repr(self)


def applicant_parser(name: str) -> Callable[[object, str], Any]:
    """Return the contract's parser of one applicant field (see [`field_parser`][yantai_policy.benefits.records.field_parser])."""
    return _APPLICANT_PARSERS[name]


def applicant_entry_parser(name: str) -> Callable[[object, str], tuple[Any, ...]]:
    """Return the contract's parser of one item of an applicant list field ([`item_parser`][yantai_policy.benefits.records.item_parser])."""
    item = item_parser(_BY_NAME[name])
    return lambda entry, where: item(entry, f"{where}[]")


def _parsers(table: tuple[Field, ...]) -> dict[str, Callable[[object, str], Any]]:
    return {f.name: field_parser(f) for f in table if f.kind != "id"}


_APPLICANT_PARSERS = _parsers(APPLICANT_CONTRACT)
_PLACEMENT_PARSERS = _parsers(PLACEMENT_CONTRACT)


def _fields(
    record: object,
    parsers: Mapping[str, Callable[[object, str], object]],
    known: tuple[str, ...],
) -> dict[str, object]:
    """Parse a record's fields in the contract's order; ``x_`` ones are kept aside."""
    if not isinstance(record, dict):
        _fail("", f"expected an object, got {_type(record)}")
    extra = []
    for key in record:
        if key in parsers or key == "id":
            continue
        if type(key) is str and key.startswith("x_"):
            extra.append((key, record[key]))
        else:
            _unknown(key, known)
    fields: dict[str, object] = {"id": parse_id(record.get("id"), "id")}
    for key, parse in parsers.items():
        value = record.get(key)
        if value is not None:
            fields[key] = parse(value, key)
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


def parse_placement(record: Mapping[str, Any]) -> Placement:
    """Check one placement record against its contract and parse it.

    Raises:
        RecordError: The record breaks the contract; the error names the field.
    """
    return Placement(**_fields(record, _PLACEMENT_PARSERS, PLACEMENT_FIELDS))  # type: ignore[arg-type]


# ---------------------------------------------------------------- CSV cells

_WHOLE = re.compile(r"-?\d{1,18}", re.ASCII)
_TRUE = frozenset(true for true, _ in _BOOL_CELLS)
_FALSE = frozenset(false for _, false in _BOOL_CELLS)
_BY_NAME: dict[str, Field] = {f.name: f for f in (*APPLICANT_CONTRACT, *PLACEMENT_CONTRACT)}
_FLAT: dict[str, tuple[Field, Field]] = {
    f"{f.name}.{sub.name}": (f, sub)
    for f in _BY_NAME.values()
    if f.kind == "object"
    for sub in f.shape
}


def _pairs(text: str, key: str) -> list[dict[str, str]]:
    out = []
    for part in (p.strip() for p in text.split(";")):
        left, sep, right = part.rpartition(":")
        if sep:
            out.append({key: left.strip(), "amount": right.strip()})
        elif part:  # no amount: the parser names the entry's missing amount
            out.append({key: part})
    return out


def read_cell(field: Field, text: str) -> object:
    """Read one CSV cell (stripped, not empty) of a field into the dict contract's value.

    The value still goes through the field's parser, which refuses what is wrong
    with it (a boolean that is neither true nor false is left as text, an entry
    without ``:`` has no amount), in the contract's order; this only undoes the CSV
    flattening ([`KINDS`][yantai_policy.benefits.records.KINDS] gives each kind's cell format). It never raises.

    Examples:
        >>> read_cell(APPLICANT_CONTRACT[1], "graduate;veteran")
        ['graduate', 'veteran']
        >>> read_cell(APPLICANT_CONTRACT[5], "Yes")
        True
    """
    kind = field.kind
    if kind == "groups":
        return [g.strip() for g in text.split(";") if g.strip()]
    if kind == "list":
        return _pairs(text, field.shape[0].name)
    if kind == "bool":
        lowered = text.casefold()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if kind == "whole_months" and _WHOLE.fullmatch(text):
        return int(text)  # a negative one too, so the parser names it
    return text


def _known_column(column: str) -> bool:
    return column in _BY_NAME or column in _FLAT or column.startswith("x_")


REPEATED_COLUMN = "the column appears twice"
"""The reason a CSV header or a DataFrame that names a column twice is refused."""
BOTH_WAYS = "given both as a column of objects and as flattened columns"
"""The reason an object field given as ``loan`` and as ``loan.kind`` columns is refused."""


def check_csv_header(columns: Iterable[str | None]) -> None:
    """Refuse a CSV header that names a column twice, or an object field both ways.

    [applicant_from_csv_row][yantai_policy.benefits.records.applicant_from_csv_row]
    reads a row into a record dict, so two columns with one name (or a ``loan``
    column beside ``loan.kind``) would be one key: the last cell would win silently.

    Raises:
        RecordError: The header repeats a column, or gives an object field both as a
            column and flattened; the error names the column.

    Examples:
        >>> check_csv_header(["id", "groups", "groups"])
        Traceback (most recent call last):
        ...
        yantai_policy.benefits.records.RecordError: groups: the column appears twice
    """
    seen: set[str | None] = set()
    heads: set[str] = set()
    for column in columns:
        if column in seen:
            _fail(str(column) or '""', REPEATED_COLUMN)  # an empty name (``id,,``) shown
        seen.add(column)
        if column is None:
            continue
        head, dot, _ = column.partition(".")
        if dot and head in _BY_NAME and _BY_NAME[head].kind == "object":
            heads.add(head)
    for head in sorted(heads):
        if head in seen:
            _fail(head, BOTH_WAYS)


def applicant_from_csv_row(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Turn a CSV row (as from `csv.DictReader`) into a record dict.

    Empty cells of the contract's columns are absent (a column that is not the
    contract's is kept, so the parser reports it, empty or not); the list and nested
    fields are unflattened by [`read_cell`][yantai_policy.benefits.records.read_cell]. The result still goes through
    [`parse_applicant`][yantai_policy.benefits.records.parse_applicant] (or [`parse_placement`][yantai_policy.benefits.records.parse_placement]).

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
        text = "" if cell is None else cell.strip()
        if not text and _known_column(column):
            continue
        head, dot, tail = column.partition(".")
        if dot and head in _BY_NAME and _BY_NAME[head].kind == "object":
            out.setdefault(head, {})[tail] = text
        elif column in _BY_NAME and text:
            out[column] = read_cell(_BY_NAME[column], text)
        else:
            out[column] = text
    return out


def to_csv_row(record: Mapping[str, Any]) -> dict[str, str]:
    """Write a record dict as a CSV row in the contract's cell formats.

    The inverse of [`applicant_from_csv_row`][yantai_policy.benefits.records.applicant_from_csv_row] for records the contract accepts
    (absent and ``None`` fields are empty cells, omitted here).

    Examples:
        >>> to_csv_row({"id": "A1", "groups": ["graduate", "veteran"], "operating": False,
        ...     "loan": {"kind": "individual", "amount": "100"}})
        {'id': 'A1', 'groups': 'graduate;veteran', 'operating': 'false', 'loan.kind': 'individual', 'loan.amount': '100'}
    """
    out: dict[str, str] = {}
    for name, value in record.items():
        if value is None:
            continue
        field = _BY_NAME.get(name)
        kind = None if field is None else field.kind
        if field is not None and kind == "object" and isinstance(value, dict):
            for key, member in value.items():
                out[f"{name}.{key}"] = _text(member)
        elif field is not None and kind == "list" and isinstance(value, list | tuple):
            key = field.shape[0].name
            out[name] = ";".join(f"{_text(e[key])}:{_text(e['amount'])}" for e in value)
        elif kind == "groups" and isinstance(value, list | tuple):
            out[name] = ";".join(map(_text, value))
        else:
            out[name] = _text(value)
    return out


def _text(value: object) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------- JSON Schema

_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_EXTENSIONS: dict[str, Any] = {"^x_": {}}


def _schema_of(field: Field) -> dict[str, Any]:
    """The JSON Schema of one field's non-null values."""
    kind = field.kind
    if kind == "list":
        return {"type": "array", "items": _object_schema(field.shape)}
    if kind == "object":
        return _object_schema(field.shape)
    if kind == "groups":
        return {"type": "array", "items": {"enum": list(field.choices)}}
    if kind == "platform":
        return {"type": "string", "pattern": r"\S", "examples": list(field.choices)}
    schemas: dict[str, dict[str, Any]] = {
        "id": {"oneOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]},
        "date": _DATE_SCHEMA,
        "bool": {"type": "boolean"},
        "enum": {"enum": list(field.choices)},
        "amount": {
            "oneOf": [
                {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"},
                # No multipleOf 0.01: binary floats make 0.29 fail it; the parser checks the fen.
                {"type": "number", "minimum": 0, "maximum": float(MAX_YUAN)},
            ],
        },
        "month": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
        "whole_months": {"type": "integer", "minimum": 0},
    }
    return dict(schemas[kind])


def _described(field: Field, schema: dict[str, Any]) -> dict[str, Any]:
    doc = f"{field.doc} ({field.zh})" if field.zh else field.doc
    return {"description": doc, **schema}


def _object_schema(shape: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {sub.name: _described(sub, _schema_of(sub)) for sub in shape},
        "required": [sub.name for sub in shape if sub.required],
        "additionalProperties": False,
    }


def _record_schema(table: tuple[Field, ...], name: str, title: str, doc: str) -> dict[str, Any]:
    properties = {}
    for field in table:
        schema = _schema_of(field)
        if field.kind != "id":  # the parser reads null as an absent field
            schema = {"anyOf": [schema, {"type": "null"}]}
        properties[field.name] = _described(field, schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://yantai-policy.example/schema/{name}.json",
        "title": title,
        "description": doc,
        "type": "object",
        "properties": properties,
        "required": ["id"],
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
    }


def applicant_schema() -> dict[str, Any]:
    """Return the JSON Schema of an applicant record (``yantai-policy schema applicant``).

    It is derived from [`APPLICANT_CONTRACT`][yantai_policy.benefits.records.APPLICANT_CONTRACT]; the parser checks more than a
    schema can say (real calendar days, two decimal places of a number).
    """
    return _record_schema(
        APPLICANT_CONTRACT,
        "applicant",
        "yantai-policy applicant record",
        "One applicant for the benefits of 烟政办字〔2021〕3号. Fields starting x_ are the caller's own.",
    )


def placement_schema() -> dict[str, Any]:
    """Return the JSON Schema of a placement record (``yantai-policy schema placement``)."""
    return _record_schema(
        PLACEMENT_CONTRACT,
        "placement",
        "yantai-policy placement record (measure 11)",
        "One placement by a labour intermediary (measure 11). Fields starting x_ are the caller's own.",
    )
