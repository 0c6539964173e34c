"""Every applicant benefit over a pandas DataFrame at once: vectorised, and exact.

:func:`evaluate_frame` takes one row per applicant and returns, for each applicant
benefit, whether the row is eligible and the amount. It computes the same thing as
:func:`~yantai_policy.benefits.evaluate_many` (the reference; the test suite checks
the two agree on every benefit, row by row), with numpy over whole columns instead of
a loop over records, so it suits registers of millions of rows.

It needs pandas and numpy (the ``analysis`` extra: ``pip install 'yantai-policy[analysis]'``).
The package :mod:`yantai_policy.benefits` does not import them, so import this
module by name::

    from yantai_policy.benefits.frame import evaluate_frame

Input:
    One row per applicant, the columns named as the record contract's fields
    (:data:`~yantai_policy.benefits.records.APPLICANT_CONTRACT`, ``docs/records.md``);
    a missing column, and an empty cell (``None``, ``NaN``, ``NaT``, ``pd.NA``), is
    an absent field. Columns whose names start with ``x_`` are yours and are
    ignored; any other unknown column is an error that suggests the close match.

    Each distinct value of a column goes through the contract's own parser
    (:func:`~yantai_policy.benefits.records.field_parser`), so it is accepted or
    refused, with the same message, as :func:`~yantai_policy.benefits.records.parse_applicant`
    would; the fields are read in the contract's order. A frame also takes each
    field's CSV cell format (a string in a boolean, groups or list column is read
    as its CSV cell: ``yes``, ``graduate;veteran``, ``2021-03:512.30;2021-04:512.30``),
    so ``evaluate_frame(pd.read_csv(path), on)`` reads a contract CSV file.

    * ``id``: required, a non-empty string or an integer.
    * ``groups``: a list of group names, or its CSV cell, names separated by ``;``.
    * dates (``left_school_on``, ``flexible_since``, ``first_license_on``): ISO
      strings, :class:`datetime.date` objects, or a ``datetime64`` column
      (a value with a time of day other than midnight, or a time zone, is refused).
    * booleans: ``True``/``False`` (a ``bool`` or nullable ``boolean`` column, or
      objects), or the CSV cell's ``true``/``false``, ``1``/``0``, ``yes``/``no``.
    * ``business_type``, ``platform``, ``loan.kind``: strings (object, ``str`` or
      categorical columns).
    * ``tax_due``: a column of objects (dicts), or one flattened column per tax,
      ``tax_due.vat`` ...; ``loan``: a column of objects, or ``loan.kind`` and
      ``loan.amount``.
    * ``contributions``: a column of lists of ``{"month", "amount"}`` objects (or
      their CSV cells, ``month:amount;...``), or instead a long frame passed as ``contributions=``, one row per month paid,
      with columns ``id``, ``month`` (``YYYY-MM`` strings, categorical, or a
      ``period[M]`` column) and ``amount``. Likewise ``accident_premiums``: a column
      of lists of ``{"paid_on", "amount"}`` objects (or ``paid_on:amount;...``), or a long frame ``premiums=``
      with ``id``, ``paid_on`` and ``amount``. A long frame's ``id`` values must be
      ids of the main frame (whose ids must then be unique); an integer id matches
      its decimal string, as in the record contract. Rows of one id need not be
      adjacent, but the usual layout (each applicant's months together, in month
      order, applicants in the frame's order) with a categorical ``month`` column
      takes the fastest path.

    Amounts are yuan, as in the record contract: decimal strings, integers,
    :class:`~decimal.Decimal`, or floats (read as the shortest decimal that prints
    them, as :func:`~yantai_policy.benefits.records.parse_fen` does). They become
    integer fen by parsing, never through a float's arithmetic; a negative amount or
    one with more than two decimal places is refused. A long frame may instead give
    ``amount_fen``, an integer column already in fen.

    A value that breaks the contract raises :class:`~yantai_policy.benefits.RecordError`
    naming the column and the 1-based row (the row of the long frame, for a value
    in ``contributions=`` or ``premiums=``). Unlike ``evaluate_many``, which yields
    an error row and carries on, the whole frame is refused.

    Beyond :func:`~yantai_policy.benefits.records.parse_applicant`, a frame may
    hold the CSV cell formats, midnight date-times (pandas turns dates into
    them), numpy scalars, and ``amount_fen``; and, since pandas counts
    ``Decimal("NaN")`` as missing, such a cell is an absent value rather than an
    invalid amount.

Output:
    A DataFrame with the input's index, the ``id`` column, and for each benefit:

    * ``<benefit>.eligible``: ``bool``;
    * ``<benefit>.amount_fen``: ``Int64``, the amount in integer fen; 0 where not
      eligible (as :class:`~yantai_policy.benefits.Outcome` has it), ``<NA>`` where
      eligible but the amount cannot be determined (``fee_exemptions`` always,
      others when a parameter has no value on the day);
    * ``<benefit>.amount``: :class:`~decimal.Decimal` yuan with two places, or
      ``None`` where the fen are ``<NA>`` (object dtype), equal to
      :attr:`Outcome.amount <yantai_policy.benefits.Outcome.amount>`. Building a
      million Decimal objects costs far more than the rest of the computation, so
      ``decimals=False`` leaves these columns out.

Exactness:
    Money is int64 fen throughout; ratios are the parameters' Fractions, and a rate
    is applied as ``(2 * paid * numerator + denominator) // (2 * denominator)``
    (half-up, on whole fen, as the formulas do). Bounds: each amount is at most
    :data:`~yantai_policy.benefits.records.MAX_FEN` (2**53 - 1 fen, about 90 trillion
    yuan; the record contract refuses a larger one), and so must each applicant's
    sum of contributions or premiums be (checked; :class:`PolicyError` otherwise). Sums run in int64 for the usual layout (a run of at most 1,023
    entries per applicant cannot overflow) and otherwise through
    :func:`numpy.bincount` in float64, which is exact for integers below 2**53. The
    half-up product runs in int64 when ``2 * max(paid) * numerator + 2 *
    denominator`` is below 2**63 (with the notice's 65% = 13/20, any paid total
    below 2**53 fen) and in Python integers otherwise: exact either way.

    Civil Code periods (:mod:`~yantai_policy.benefits.periods`) are computed with
    ``datetime64[M]`` arithmetic and the day clipped to the month's end, which is
    :func:`~yantai_policy.benefits.periods.period_end` (dateutil's relativedelta)
    exactly (:func:`period_end_days`).

Speed:
    Each column is checked and converted once per distinct value (a categorical
    column once per category), calendar arithmetic is done once per distinct day
    through a table over the days present, and the usual layout of a long frame is
    summed as a matrix. ``bench/compare_openfisca.py`` measures it against
    OpenFisca-Core on 1,000,000 applicants with 12 months each.

Examples:
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from yantai_policy.benefits.frame import evaluate_frame
    >>> df = pd.DataFrame({
    ...     "id": ["A1", "G1"],
    ...     "groups": [None, "graduate"],
    ...     "business_type": ["individual_business", None],
    ...     "first_license_on": ["2021-01-15", None],
    ...     "operating": [True, None],
    ...     "pays_employee_insurance": [True, None],
    ...     "left_school_on": [None, "2020-07-01"],
    ...     "flexible_since": [None, "2021-03-10"],
    ... })
    >>> paid = pd.DataFrame({"id": ["G1", "G1"], "month": ["2021-03", "2021-04"],
    ...     "amount": ["512.30", "512.30"]})
    >>> out = evaluate_frame(df, dt.date(2021, 7, 16), contributions=paid,
    ...     benefits=["startup_subsidy", "social_insurance_subsidy"])
    >>> out[["startup_subsidy.eligible", "startup_subsidy.amount"]]
       startup_subsidy.eligible startup_subsidy.amount
    0                      True                5000.00
    1                     False                   0.00
    >>> out["social_insurance_subsidy.amount_fen"].tolist()  # 65% of 1024.60 = 665.99
    [0, 66599]
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import numpy as np
import pandas as pd

from yantai_policy.benefits import APPLICANT_BENEFITS, BENEFITS, get_benefit
from yantai_policy.benefits.base import context
from yantai_policy.benefits.columns import (
    BIT,
    NAT,
    NAT_INT,
    Applicants,
    Entries,
    period_end_days,
)
from yantai_policy.benefits.records import (
    APPLICANT_CONTRACT,
    APPLICANT_FIELDS,
    DATE_RANGE,
    MAX_FEN,
    Field,
    RecordError,
    field_parser,
    parse_date,
    parse_fen,
    parse_id,
    parse_month,
    read_cell,
    unknown_field,
)
from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import numpy.typing as npt

    from yantai_policy.model import Policy

    Bools = npt.NDArray[np.bool_]
    Ints = npt.NDArray[np.int64]
    Codes = npt.NDArray[np.integer[Any]]
    Days = npt.NDArray[np.datetime64]
    Series = pd.Series[Any]

__all__ = ["FRAME_BENEFITS", "MAX_FEN", "evaluate_frame", "period_end_days"]

FRAME_BENEFITS = tuple(APPLICANT_BENEFITS)
"""The benefits :func:`evaluate_frame` computes: every applicant benefit."""
_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
_MIXED = frozenset({"mixed", "mixed-integer", "mixed-integer-float", "unknown-array"})
_CENT = Decimal("0.01")
_UNUSED = object()  # an invalid category that no row uses
T = TypeVar("T")
_FLAT = tuple(
    f"{f.name}.{sub.name}" for f in APPLICANT_CONTRACT if f.kind == "object" for sub in f.shape
)
_COLUMNS = (*APPLICANT_FIELDS, *_FLAT)
_OBJECTS = {
    f.name: tuple(sub.name for sub in f.shape) for f in APPLICANT_CONTRACT if f.kind == "object"
}
_CELL_KINDS = frozenset({"bool", "groups", "list"})  # a string there is its CSV cell


# ---------------------------------------------------------------- reading values


class _InvalidError(Exception):
    """One value breaks the contract; ``suffix`` extends the field (``[2]``)."""

    def __init__(self, reason: str, suffix: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.suffix = suffix


class _BadValueError(Exception):
    """The value at ``position`` of a column breaks the contract."""

    def __init__(self, position: int, reason: str, suffix: str = "") -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason
        self.suffix = suffix


def _is_na(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(value != value)  # noqa: PLR0124 - NaN is the one value unequal to itself
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _first(flags: Bools) -> int:
    return int(np.argmax(flags))


def _key(value: object) -> object:
    """A hashable key that keeps apart values that compare equal across types."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return (list, tuple(value))
    return (type(value), value)


def _distinct(series: Series, convert: Callable[[Any], T]) -> tuple[Codes, list[T]]:
    """Factorise a column and convert each distinct value once.

    Returns the codes (-1 where the value is absent) and the converted distinct
    values. True and 1 (equal in Python) stay apart, and lists are read as tuples.

    Raises:
        _BadValueError: A value does not convert; the position is its first row.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _categories(series, convert)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in _MIXED:
        raw_codes, typed = pd.factorize(_typed_keys(series, convert))
        distinct = [list(value) if kind is list else value for kind, value in typed]
    else:
        raw_codes, uniques = pd.factorize(series)
        distinct = list(uniques)
    codes = np.asarray(raw_codes, dtype=np.intp)
    out = []
    for number, value in enumerate(distinct):
        try:
            out.append(convert(value))
        except _InvalidError as error:
            raise _BadValueError(_first(codes == number), error.reason, error.suffix) from None
    return codes, out


def _categories(series: Series, convert: Callable[[Any], T]) -> tuple[Codes, list[Any]]:
    """A categorical column's codes and converted categories (they are distinct already)."""
    codes: Codes = series.array.codes  # type: ignore[attr-defined]
    converted: list[Any] = []
    for number, value in enumerate(series.cat.categories):
        try:
            converted.append(convert(value))
        except _InvalidError as error:
            used = codes == number
            if used.any():
                raise _BadValueError(_first(used), error.reason, error.suffix) from None
            converted.append(_UNUSED)
    return codes, converted


def _typed_keys(series: Series, convert: Callable[[Any], object]) -> npt.NDArray[np.object_]:
    """Keys ``(type, value)`` for a column of values of several types; None where absent."""
    values = series.to_numpy()
    keys = np.empty(len(values), dtype=object)
    for index, value in enumerate(values):
        if _is_na(value):
            continue
        key = _key(value)
        try:
            hash(key)
        except TypeError:  # a dict, say: let the conversion say what is wrong with it
            try:
                convert(value)
            except _InvalidError as error:
                raise _BadValueError(index, error.reason, error.suffix) from None
            raise _BadValueError(index, f"unexpected {type(value).__name__}") from None
        keys[index] = key
    return keys


def _object_array(values: list[object]) -> npt.NDArray[np.object_]:
    """A 1-D object array of the values, even when they are lists or tuples."""
    out: npt.NDArray[np.object_] = np.fromiter(values, dtype=object, count=len(values))
    return out


def _take(
    codes: Codes, values: list[Any], missing: object, dtype: npt.DTypeLike
) -> npt.NDArray[Any]:
    """Expand distinct values back to rows; ``missing`` where the code is -1."""
    table = np.array([missing if v is _UNUSED else v for v in values] + [missing], dtype=dtype)
    return table[codes]


def _is_int(series: Series) -> bool:
    return pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


def _py(value: object) -> object:
    """A numpy scalar as the Python value the record contract reads (int64 -> int ...)."""
    if isinstance(value, np.bool_ | np.number | np.str_):
        return value.item()
    return value


def _checked(parse: Callable[[object, str], T], value: object) -> T:
    """Run the contract's parser on one value; its error becomes an ``_InvalidError``."""
    try:
        return parse(value, "")
    except RecordError as error:
        raise _InvalidError(error.reason, error.field) from None


def _as_record_value(field: Field, value: object) -> object:
    """A frame cell as the dict contract's value.

    Numpy scalars and arrays become Python values, and a string in a boolean, groups
    or list field is read as its CSV cell.
    """
    value = _py(value)
    if isinstance(value, str) and field.kind in _CELL_KINDS:
        text = value.strip()
        if not text:  # an empty cell is absent: no groups, no entries, not True
            return False if field.kind == "bool" else []
        return read_cell(field, text)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def _plain(value: object) -> object:
    """A cell's lists and objects with numpy values made Python values, all the way down."""
    value = _py(value)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict):
        return {key: _plain(member) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _cell_reader(field: Field) -> Callable[[object], Any]:
    """The contract's parser of a field, for one frame cell (see :func:`_as_record_value`)."""
    parse = field_parser(field)

    def read(value: object) -> Any:  # noqa: ANN401 - the field's parsed value
        try:
            return parse(_as_record_value(field, value), "")
        except RecordError as error:
            raise _InvalidError(error.reason, error.field) from None

    return read


def _grouper(field: Field) -> Callable[[object], int]:
    read = _cell_reader(field)

    def group(value: object) -> int:
        bits = 0
        for name in read(value):
            bits |= BIT[name]
        return bits

    return group


def _day(value: object) -> np.datetime64:
    """A day, through the contract's :func:`parse_date`; a frame also takes midnight date-times."""
    if isinstance(value, np.datetime64):
        day: np.datetime64 = value.astype("datetime64[D]")
        if day != value:
            raise _InvalidError("expected a date, got a date-time with a time of day")
        item = day.item()
        value = item if isinstance(item, dt.date) else str(day)  # years past 9999: refused
    elif isinstance(value, dt.datetime):  # pandas Timestamps too
        if value.tzinfo is not None or value.time() != dt.time():
            raise _InvalidError("expected a date, got a date-time with a time of day or time zone")
        value = value.date()
    elif isinstance(value, dt.date) and type(value) is not dt.date:
        value = dt.date(value.year, value.month, value.day)
    return np.datetime64(_checked(parse_date, _py(value)), "D")


def _days(series: Series) -> Days:
    """Read a date column: datetime64[D], NaT where absent."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise _BadValueError(
            _first(series.notna().to_numpy()), "expected a date, got a time-zone-aware date-time"
        )
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        values = series.to_numpy()
        unit, count = np.datetime_data(values.dtype)
        per_day = _PER_DAY.get(unit)
        if per_day is None or count != 1:
            days: Days = values.astype("datetime64[D]")
            bad = (values != days) & ~np.isnat(values)
        else:  # integer arithmetic: the day, and the time of day that must be 0
            ints = values.view(np.int64)
            whole, rest = np.divmod(ints, per_day)
            missing = ints == NAT_INT
            bad = rest != 0
            if missing.any():
                whole[missing] = NAT_INT
                bad &= ~missing
            days = whole.view("datetime64[D]")
        if bad.any():
            raise _BadValueError(_first(bad), "expected a date, got a date-time with a time of day")
        first, last = (np.datetime64(day, "D") for day in DATE_RANGE)
        outside = ((days < first) | (days > last)) & ~np.isnat(days)
        if outside.any():  # the contract's message for the first such day
            position = _first(outside)
            try:
                _day(days[position])
            except _InvalidError as error:
                raise _BadValueError(position, error.reason) from None
        return days
    codes, distinct = _distinct(series, _day)
    result: Days = _take(codes, distinct, NAT, "datetime64[D]")
    return result


def _flags(series: Series, field: Field) -> Bools:
    """Read a boolean column: True where the value is True (False or absent otherwise)."""
    if series.dtype == bool:
        return series.to_numpy(dtype=bool)
    if isinstance(series.dtype, pd.BooleanDtype):
        return series.to_numpy(dtype=bool, na_value=False)
    codes, distinct = _distinct(series, _cell_reader(field))
    result: Bools = _take(codes, distinct, False, bool)  # noqa: FBT003 - the missing value
    return result


def _chooser(field: Field) -> Callable[[object], int]:
    """1 + the index of the value among the field's choices, checked by the contract."""
    read, choices = _cell_reader(field), field.choices

    def choose(value: object) -> int:
        return choices.index(read(value)) + 1

    return choose


def _choices(series: Series, field: Field) -> npt.NDArray[np.int8]:
    """Read a column of choices: 1 + the choice's index, 0 where absent."""
    codes, distinct = _distinct(series, _chooser(field))
    result: npt.NDArray[np.int8] = _take(codes, distinct, 0, np.int8)
    return result


def _fen(value: object) -> int:
    return _checked(parse_fen, _py(value))


def _refuse(position: int, value: object) -> NoReturn:
    """Raise the contract's error for an amount the fast path found bad."""
    try:
        _fen(value)
    except _InvalidError as error:
        raise _BadValueError(position, error.reason) from None
    raise AssertionError(value)  # pragma: no cover - the fast path found it bad


def _fens(series: Series) -> tuple[Ints, Bools]:
    """Read a column of yuan amounts: the fen (0 where absent), and where given."""
    if _is_int(series):
        given: Bools = series.notna().to_numpy()
        values: Ints = series.to_numpy(dtype=np.int64, na_value=0)
        bad = (values < 0) | (values > MAX_FEN // 100)
        if bad.any():
            _refuse(_first(bad), int(values[_first(bad)]))
        return values * 100, given
    codes, distinct = _distinct(series, _fen)
    fen: Ints = _take(codes, distinct, 0, np.int64)
    return fen, codes >= 0


def _exact_fens(series: Series) -> Ints:
    """Read a column of whole fen (``amount_fen``): integers, none absent."""
    if len(series) == 0:
        return np.zeros(0, np.int64)
    if not _is_int(series):
        given = series.notna().to_numpy()
        raise _BadValueError(
            _first(given) if given.any() else 0,
            f"expected whole fen (integers), got {series.dtype}",
        )
    if not isinstance(series.dtype, np.dtype):  # a nullable Int column
        missing = series.isna().to_numpy()
        if missing.any():
            raise _BadValueError(_first(missing), "missing required field")
    values: Ints = series.to_numpy(dtype=np.int64)
    if not (values.view(np.uint64) > MAX_FEN).any():  # one pass: negatives wrap to huge
        return values
    negative = values < 0
    if negative.any():
        raise _BadValueError(_first(negative), f"negative amount {values[_first(negative)]} fen")
    large = _first(values > MAX_FEN)
    raise _BadValueError(
        large, f"amount {values[large]} fen is too large (the limit is {MAX_FEN} fen, 2**53 - 1)"
    )


def _month(value: object) -> int:
    """A month index, through the contract's :func:`parse_month`; also a ``period[M]``."""
    if isinstance(value, pd.Period) and value.freqstr == "M":
        value = f"{value.year:04d}-{value.month:02d}"
    return _checked(parse_month, _py(value))


def _months(series: Series) -> tuple[npt.NDArray[Any], npt.NDArray[np.int32] | None]:
    """Read a column of months (required).

    Returns month indexes and ``None``; or, for a categorical column whose
    categories are months in strictly rising order, the category codes and the
    months they stand for (codes compare as their months do, and are smaller).
    """
    codes, distinct = _distinct(series, _month)
    missing = codes < 0
    if missing.any():
        raise _BadValueError(_first(missing), "missing required field")
    if isinstance(series.dtype, pd.CategoricalDtype) and _UNUSED not in distinct:
        table = np.array(distinct, dtype=np.int32)
        if len(table) and bool(np.all(table[1:] > table[:-1])):
            return codes, table
    result: npt.NDArray[np.int32] = _take(codes, distinct, 0, np.int32)
    return result, None


def _required_days(series: Series) -> Days:
    days = _days(series)
    missing = np.isnat(days)
    if missing.any():
        raise _BadValueError(_first(missing), "missing required field")
    return days


def _required_fens(series: Series) -> Ints:
    fen, given = _fens(series)
    if not given.all():
        raise _BadValueError(_first(~given), "missing required field")
    return fen


# ---------------------------------------------------------------- the facts


def _runs(keys: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Where each run of equal keys starts."""
    if len(keys) == 0:
        return np.zeros(0, np.intp)
    boundary = np.empty(len(keys), bool)
    boundary[0] = True
    np.not_equal(keys[1:], keys[:-1], out=boundary[1:])
    return np.flatnonzero(boundary)


def _fail(reason: str, field: str, row: int | None = None) -> NoReturn:
    raise RecordError(reason, field=field, row=row)


def _column(series: Series, field: str, read: Callable[[Series], T]) -> T:
    """Read a column, turning a bad value into a RecordError naming the field and row."""
    try:
        return read(series)
    except _BadValueError as bad:
        raise RecordError(bad.reason, field=field + bad.suffix, row=bad.position + 1) from None


def _check_columns(
    columns: Iterable[object], known: tuple[str, ...], where: str, fields: tuple[str, ...] = ()
) -> None:
    """Refuse a repeated or unknown column; the suggestion is among ``fields`` if given."""
    seen: set[object] = set()
    for column in columns:
        if column in seen:
            _fail("the column appears twice", f"{where}{column}")
        seen.add(column)
        if isinstance(column, str) and (column in known or column.startswith("x_")):
            continue
        if fields and str(column).partition(".")[0] in _OBJECTS:
            continue  # a flattened column of an object: its reader checks the key, in turn
        raise unknown_field(column, fields or known, where)


def _check_ids(series: Series) -> None:
    """Check the id column: the contract's id in every row (absent: missing)."""
    if _is_int(series):
        missing = series.isna().to_numpy()
        if missing.any():
            _fail("missing required field", "id", _first(missing) + 1)
        return
    for index, value in enumerate(series.to_numpy(dtype=object)):
        if isinstance(value, str) and value:
            continue
        try:
            parse_id(None if _is_na(value) else _py(value), "id")
        except RecordError as error:
            raise error.at_row(index + 1) from None


def _id_keys(series: Series, *, text: bool) -> npt.NDArray[Any]:
    """The ids as comparable keys: int64, or strings (an integer id is its decimal string)."""
    if not text:
        keys: npt.NDArray[Any] = series.to_numpy(dtype=np.int64)
        return keys
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return np.array([v if isinstance(v, str) else str(int(v)) for v in values], dtype=object)


def _read(
    df: pd.DataFrame, contributions: pd.DataFrame | None, premiums: pd.DataFrame | None
) -> Applicants:
    """Check the frame against the record contract and read it into arrays.

    The fields are read in the contract's order, each column once per distinct value
    by the contract's own parser, so the first error is the one the dict path names
    first (for the first row that has it).
    """
    _check_columns(df.columns, _COLUMNS, "", APPLICANT_FIELDS)  # the contract's message
    if "id" not in df.columns:
        _fail("missing required field", "id")
    _check_ids(df["id"])
    facts = Applicants.blank(len(df))
    long_frames = {"contributions": contributions, "accident_premiums": premiums}
    for field in APPLICANT_CONTRACT:
        name = field.name
        if field.kind == "list":
            entries = _read_entries(df, long_frames[name], field=field)
            if name == "contributions":
                facts.contributions = entries
            else:
                facts.premiums = entries
        elif field.kind == "object":
            _read_object(df, field, facts)
        elif name in df.columns and field.kind != "id":
            _READERS[field.kind](df[name], field, facts)
    return facts


def _read_groups(series: Series, field: Field, facts: Applicants) -> None:
    codes, bits = _column(series, field.name, lambda s: _distinct(s, _grouper(field)))
    facts.groups = _take(codes, bits, 0, np.int64)


def _read_days(series: Series, field: Field, facts: Applicants) -> None:
    facts.dates[field.name] = _column(series, field.name, _days)


def _read_flags(series: Series, field: Field, facts: Applicants) -> None:
    facts.flags[field.name] = _column(series, field.name, lambda s: _flags(s, field))


def _read_platform(series: Series, field: Field, facts: Applicants) -> None:
    codes, _ = _column(series, field.name, lambda s: _distinct(s, _cell_reader(field)))
    facts.platform = codes >= 0


def _read_choices(series: Series, field: Field, facts: Applicants) -> None:
    setattr(facts, field.name, _column(series, field.name, lambda s: _choices(s, field)))


_READERS: dict[str, Callable[[Series, Field, Applicants], None]] = {
    "groups": _read_groups,
    "date": _read_days,
    "bool": _read_flags,
    "platform": _read_platform,
    "enum": _read_choices,
}


def _recheck(field: Field, cell: object, error: RecordError) -> NoReturn:
    """Raise the dict path's first error for a cell the frame found bad.

    The frame reads a column of lists or objects key by key, so the error it meets
    first may not be the one the contract names first; the contract's parser, run on
    the bad row's cell alone, says which that is.
    """
    try:
        field_parser(field)(_plain(_as_record_value(field, cell)), field.name)
    except RecordError as first:
        raise RecordError(first.reason, field=first.field, row=error.row) from None
    raise error


def _objects(series: Series, field: Field) -> dict[str, Series]:
    """Split a column of objects (dicts) into one object column per key."""
    n = len(series)
    out = {sub.name: np.full(n, None, dtype=object) for sub in field.shape}
    required = [sub.name for sub in field.shape if sub.required]
    for index, cell in enumerate(series.to_numpy(dtype=object)):
        if _is_na(cell):
            continue
        if (
            not isinstance(cell, dict)
            or not out.keys() >= cell.keys()
            or any(value is None for value in cell.values())
            or not cell.keys() >= set(required)
        ):
            _recheck(field, cell, RecordError("unexpected value", field=field.name, row=index + 1))
        for key, value in cell.items():
            out[key][index] = value
    return {key: pd.Series(values, dtype=object) for key, values in out.items()}


def _read_object(df: pd.DataFrame, field: Field, facts: Applicants) -> None:
    """Read ``tax_due`` or ``loan``: a column of objects, or one flattened column per key."""
    name = field.name
    flat = [f"{name}.{sub.name}" for sub in field.shape]
    if name in df.columns:
        if any(str(column).startswith(f"{name}.") for column in df.columns):
            _fail("given both as a column of objects and as flattened columns", name)
        columns = {f"{name}.{key}": s for key, s in _objects(df[name], field).items()}

        def cell(row: int) -> object:
            return df[name].iloc[row]

    else:
        for column in df.columns:  # as the CSV reader reads them: unknown keys first
            head, _, tail = str(column).partition(".")
            if head == name and column not in flat:
                raise unknown_field(tail, _OBJECTS[name], f"{name}.")
        columns = {column: df[column] for column in flat if column in df.columns}
        if not columns:
            return

        def cell(row: int) -> object:
            return {
                column.partition(".")[2]: series.iloc[row]
                for column, series in columns.items()
                if not _is_na(series.iloc[row])
            }

    try:
        _read_members(field, columns, facts, len(df))
    except RecordError as error:
        if error.row is None:
            raise
        _recheck(field, cell(error.row - 1), error)


def _read_members(field: Field, columns: dict[str, Series], facts: Applicants, n: int) -> None:
    """Read the member columns of an object field into the facts."""
    if field.name == "tax_due":
        for column, series in columns.items():
            facts.tax_due[column.partition(".")[2]], _ = _column(series, column, _fens)
        return
    empty = pd.Series(np.full(n, None, dtype=object), dtype=object)
    kind_field = field.shape[0]
    kind = _column(columns.get("loan.kind", empty), "loan.kind", lambda s: _choices(s, kind_field))
    fen, given = _column(columns.get("loan.amount", empty), "loan.amount", _fens)
    lone = (kind != 0) != given
    if lone.any():
        row = _first(lone)
        _fail("missing required field", "loan.amount" if kind[row] else "loan.kind", row + 1)
    facts.loan_kind, facts.loan_fen = kind, fen


def _list_entries(
    series: Series, field: Field
) -> tuple[list[int], list[int], list[object], list[object]]:
    """Flatten a column of lists of ``{key, amount}`` objects: rows, places, keys, amounts.

    A string cell is the CSV cell format (``2021-03:512.30;2021-04:512.30``).
    """
    rows: list[int] = []
    places: list[int] = []
    keys: list[object] = []
    amounts: list[object] = []
    key = field.shape[0].name
    fields = (key, "amount")
    for row, cell in enumerate(series.to_numpy(dtype=object)):
        if _is_na(cell):
            continue
        entries = _as_record_value(field, cell)
        if not isinstance(entries, list | tuple):
            _fail("unexpected value", field.name, row + 1)  # _recheck names it
        for place, entry in enumerate(entries):
            if not (
                isinstance(entry, dict) and len(entry) == 2 and all(f in entry for f in fields)
            ):
                _fail("unexpected value", f"{field.name}[{place}]", row + 1)  # _recheck names it
            rows.append(row)
            places.append(place)
            keys.append(entry[key])
            amounts.append(entry["amount"])
    return rows, places, keys, amounts


def _read_entries(df: pd.DataFrame, frame: pd.DataFrame | None, *, field: Field) -> Entries:
    """Read contributions or premiums, from a column of lists or from a long frame."""
    column = field.name
    key = field.shape[0].name
    name = "contributions" if key == "month" else "premiums"
    read_key: Callable[[Series], Any] = (
        _months if key == "month" else lambda series: (_required_days(series), None)
    )
    if frame is not None:
        if column in df.columns:
            _fail(f"given both as a column and as the {name}= frame; give one", column)
        return _long_entries(df, frame, name=name, key=key, read_key=read_key)
    if column not in df.columns:
        return Entries.empty(np.int32 if key == "month" else "datetime64[D]")
    try:
        return _column_entries(df, field, read_key)
    except RecordError as error:
        if error.row is None:
            raise
        _recheck(field, df[column].iloc[error.row - 1], error)


def _column_entries(df: pd.DataFrame, field: Field, read_key: Callable[[Series], Any]) -> Entries:
    """Read a column of lists of dated amounts (or of their CSV cells)."""
    column = field.name
    key = field.shape[0].name
    rows, places, keys, amounts = _list_entries(df[column], field)
    row_array = np.array(rows, dtype=np.intp)
    for part, values in ((key, keys), ("amount", amounts)):
        read = read_key if part == key else _required_fens
        try:
            parsed = read(pd.Series(_object_array(values), dtype=object))
        except _BadValueError as bad:
            raise RecordError(
                bad.reason,
                field=f"{column}[{places[bad.position]}].{part}{bad.suffix}",
                row=rows[bad.position] + 1,
            ) from None
        if part == key:
            key_values, _ = parsed
        else:
            fen = parsed
    starts = _runs(row_array)
    entries = Entries(
        key_values, fen, starts, row_array[starts], unique=True, identity=len(starts) == len(df)
    )
    if field.unique:
        dup = _duplicate(entries)
        if dup is not None:
            month = keys[dup]
            _fail(f"duplicate month {month}", f"{column}[{places[dup]}].month", rows[dup] + 1)
    return entries


def _long_entries(
    df: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    name: str,
    key: str,
    read_key: Callable[[Series], Any],
) -> Entries:
    """Read a long frame (``id``, the key, ``amount`` or ``amount_fen``) of dated amounts."""
    _check_columns(frame.columns, ("id", key, "amount", "amount_fen"), f"{name}.")
    for required in ("id", key):
        if required not in frame.columns:
            _fail("missing column", f"{name}.{required}")
    if ("amount" in frame.columns) == ("amount_fen" in frame.columns):
        _fail("give exactly one of the columns amount (yuan) and amount_fen", f"{name}.amount")
    keys, table = _column(frame[key], f"{name}.{key}", read_key)
    if "amount" in frame.columns:
        fen = _column(frame["amount"], f"{name}.amount", _required_fens)
    else:
        fen = _column(frame["amount_fen"], f"{name}.amount_fen", _exact_fens)
    starts, run_rows, unique, identity = _rows_of(df["id"], frame["id"], name)
    entries = Entries(keys, fen, starts, run_rows, unique, identity, table)
    if key == "month":
        dup = _duplicate(entries)
        if dup is not None:
            month = int(keys[dup] if table is None else table[keys[dup]])
            label = f"{month // 12:04d}-{month % 12 + 1:02d}"
            _fail(
                f"duplicate month {label} for id {frame['id'].iloc[dup]!r}",
                f"{name}.{key}",
                dup + 1,
            )
    return entries


def _rows_of(
    main: Series, ids: Series, name: str
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], bool, bool]:
    """Map a long frame's ids to rows of the main frame.

    Returns where each run of one id starts, each run's row, whether each id has a
    single run, and whether the runs are the frame's rows in order.
    """
    n_long = len(ids)
    if n_long == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp), True, False
    if not (_is_int(ids) and isinstance(ids.dtype, np.dtype)):  # numpy ints cannot be missing
        missing = ids.isna().to_numpy()
        if missing.any():
            _fail("missing required field", f"{name}.id", _first(missing) + 1)
    if not _is_int(ids):
        _column(ids, f"{name}.id", lambda s: _distinct(s, _id_value))
    text = not (_is_int(main) and _is_int(ids))
    main_keys, long_keys = _id_keys(main, text=text), _id_keys(ids, text=text)
    if (
        not (not text and len(main_keys) > 0 and bool(np.all(main_keys[1:] > main_keys[:-1])))
        and not pd.Index(main_keys).is_unique
    ):
        dup = _first(pd.Index(main_keys).duplicated())
        _fail(
            f"duplicate id {main_keys[dup]!r}: the {name}= frame cannot tell the rows apart",
            "id",
            dup + 1,
        )
    n_main = len(main_keys)
    width = n_long // n_main if n_main else 0
    if (
        width
        and width * n_main == n_long
        and bool((long_keys.reshape(n_main, width) == main_keys[:, None]).all())
    ):  # the usual layout: each applicant's k entries together, in the frame's order
        rows = np.arange(n_main, dtype=np.intp)
        return rows * width, rows, True, True
    starts = _runs(long_keys)
    run_ids = long_keys[starts]
    if len(run_ids) == n_main and np.array_equal(run_ids, main_keys):
        return starts, np.arange(n_main, dtype=np.intp), True, True
    run_rows = np.asarray(pd.Index(main_keys).get_indexer(run_ids), dtype=np.intp)
    unknown = run_rows < 0
    if unknown.any():
        at = _first(unknown)
        _fail(f"id {run_ids[at]!r} is not an id of the frame", f"{name}.id", int(starts[at]) + 1)
    unique = bool(np.bincount(run_rows, minlength=n_main).max(initial=0) <= 1)
    return starts, run_rows, unique, False


def _id_value(value: object) -> object:
    try:
        parse_id(_py(value), "")
    except RecordError as error:
        raise _InvalidError(error.reason) from None
    return value


def _duplicate(entries: Entries) -> int | None:
    """Return the position of the first entry repeating an applicant's month, or None."""
    months = entries.keys
    if len(months) < 2:
        return None
    rising = np.empty(len(months), bool)
    np.greater(months[1:], months[:-1], out=rising[1:])
    rising[entries.starts] = True
    if entries.unique and bool(rising.all()):
        return None  # each applicant's months come together and strictly rise
    rows = entries.rows()
    low = int(months.min())
    span = int(months.max()) - low + 1
    key = rows.astype(np.int64) * span + (months.astype(np.int64) - low)
    repeated = pd.Series(key).duplicated().to_numpy()
    return _first(repeated) if repeated.any() else None


# ---------------------------------------------------------------- arithmetic


def _decimals(fen: Ints, unknown: Bools) -> npt.NDArray[np.object_]:
    """Decimal yuan for each fen value (None where unknown), each distinct value built once."""
    raw_codes, uniques = pd.factorize(fen)
    codes = np.asarray(raw_codes, dtype=np.intp)
    codes[unknown] = -1
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = list(map(_CENT.__mul__, map(Decimal, np.asarray(uniques).tolist())))
    table[-1] = None
    out: npt.NDArray[np.object_] = table[codes]
    return out


def _benefit_names(benefits: Iterable[str] | None) -> list[str]:
    if benefits is None:
        return list(FRAME_BENEFITS)
    if isinstance(benefits, str):
        benefits = [benefits]
    names = [get_benefit(name).name for name in benefits]
    for name in names:
        if name not in FRAME_BENEFITS:
            raise PolicyError(
                f"evaluate_frame computes the applicant benefits ({', '.join(FRAME_BENEFITS)}), not {name}"
            )
    if not names:
        raise PolicyError("no benefits to evaluate")
    return names


def evaluate_frame(  # noqa: PLR0913 - keyword-only options of a batch
    df: pd.DataFrame,
    on: dt.date,
    *,
    benefits: Iterable[str] | None = None,
    policy: Policy | None = None,
    contributions: pd.DataFrame | None = None,
    premiums: pd.DataFrame | None = None,
    decimals: bool = True,
) -> pd.DataFrame:
    """Decide the applicant benefits for every row of a DataFrame, vectorised and exact.

    The results equal :func:`~yantai_policy.benefits.evaluate_many`'s outcomes row by
    row; see the module documentation for the input columns, the output columns and
    the bounds of the integer arithmetic.

    Args:
        df: One row per applicant, columns named as the record contract's fields.
        on: The day of application.
        benefits: The benefits to compute; :data:`FRAME_BENEFITS` (all six
            applicant benefits) if not given.
        policy: The plan; the built-in one if not given (or a reform from
            :meth:`~yantai_policy.Policy.with_parameters`).
        contributions: A long frame of contributions (``id``, ``month``, and
            ``amount`` or ``amount_fen``), instead of a ``contributions`` column.
        premiums: A long frame of accident-insurance premiums (``id``, ``paid_on``,
            and ``amount`` or ``amount_fen``), instead of an ``accident_premiums`` column.
        decimals: Add the ``<benefit>.amount`` columns of Decimal yuan (slow for
            millions of rows with many distinct amounts; the ``.amount_fen``
            columns hold the same values).

    Returns:
        A frame with ``df``'s index: ``id``, then ``<benefit>.eligible``,
        ``<benefit>.amount_fen`` and (with ``decimals``) ``<benefit>.amount`` for
        each benefit.

    Raises:
        RecordError: A value breaks the record contract; the error names the column
            and the row.
        UnknownNameError: No benefit has a name given.
        PolicyError: A benefit is not an applicant benefit, or an amount is beyond
            the exact range.
        TypeError: ``on`` is not a date.
    """
    names = _benefit_names(benefits)
    ctx = context(policy if policy is not None else load_policy(), on)
    facts = _read(df, contributions, premiums)
    columns: dict[str, Any] = {"id": df["id"].array}
    for name in names:
        result = BENEFITS[name].run(facts, ctx)
        columns[f"{name}.eligible"] = result.eligible
        columns[f"{name}.amount_fen"] = pd.arrays.IntegerArray(result.fen, result.unknown)
        if decimals:
            columns[f"{name}.amount"] = _decimals(result.fen, result.unknown)
    return pd.DataFrame(columns, index=df.index, copy=False)
