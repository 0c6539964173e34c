"""Every applicant benefit over a pandas DataFrame at once: vectorised, and exact.

[`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] takes one row per applicant and returns, for each applicant
benefit, whether the row is eligible, the amount and the conditions not met. This module
is only a reader: it turns the frame's columns into the columns every formula computes on
([`columns`][yantai_policy.benefits.columns]), and each benefit's one definition
([`run`][yantai_policy.benefits.Benefit.run]) does the rest, exactly as for
[`evaluate_many`][yantai_policy.benefits.evaluate_many] (the tests check the two agree row by row).

It needs pandas (the ``analysis`` extra: ``pip install 'yantai-policy[analysis]'``). The
package [`yantai_policy.benefits`][yantai_policy.benefits] does not import pandas, so import this module by
name::

    from yantai_policy.benefits.frame import evaluate_frame

[`read_applicants`][yantai_policy.benefits.frame.read_applicants] reads a CSV, JSONL or Parquet register into the frame it takes.

Input:
    One row per applicant, the columns named as the record contract's fields
    ([`APPLICANT_CONTRACT`][yantai_policy.benefits.records.APPLICANT_CONTRACT], ``docs/records.md``);
    a missing column, and an empty cell (``None``, ``NaN``, ``NaT``, ``pd.NA``), is
    an absent field. Columns whose names start with ``x_`` are yours and are
    ignored; any other unknown column is an error that suggests the close match.

    Each distinct value of a column goes through the contract's own parser
    ([`field_parser`][yantai_policy.benefits.records.field_parser]), so it is accepted or
    refused, with the same message, as [`parse_applicant`][yantai_policy.benefits.records.parse_applicant]
    would; the fields are read in the contract's order. A frame also takes each
    field's CSV cell format (a string in a boolean, groups or list column is read
    as its CSV cell: ``yes``, ``graduate;veteran``, ``2021-03:512.30;2021-04:512.30``),
    so ``evaluate_frame(pd.read_csv(path), on)`` reads a contract CSV file.

    * ``id``: required, a non-empty string or an integer.
    * ``groups``: a list of group names, or its CSV cell, names separated by ``;``.
    * dates (``left_school_on``, ``flexible_since``, ``first_license_on``): ISO
      strings, `datetime.date` objects, or a ``datetime64`` column
      (a value with a time of day other than midnight, or a time zone, is refused).
    * booleans: ``True``/``False`` (a ``bool`` or nullable ``boolean`` column, or
      objects), or the CSV cell's ``true``/``false``, ``1``/``0``, ``yes``/``no``.
    * ``business_type``, ``platform``, ``loan.kind``: strings (object, ``str`` or
      categorical columns).
    * ``tax_due``: a column of objects (dicts), or one flattened column per tax,
      ``tax_due.vat`` ...; ``loan``: a column of objects, or ``loan.kind`` and
      ``loan.amount``.
    * ``contributions``: a column of lists of ``{"month", "amount"}`` objects (or
      their CSV cells, ``month:amount;...``); or the wide layout, one column per
      month named ``contributions.YYYY-MM`` (``contributions.2021-03``), holding
      the amount paid that month, an empty cell where none was (read as a (rows,
      months) matrix: the fastest layout); or instead a long frame passed as
      ``contributions=``, one row per month paid,
      with columns ``id``, ``month`` (``YYYY-MM`` strings, categorical, or a
      ``period[M]`` column) and ``amount``. Likewise ``accident_premiums``: a column
      of lists of ``{"paid_on", "amount"}`` objects (or ``paid_on:amount;...``), or a long frame ``premiums=``
      with ``id``, ``paid_on`` and ``amount``. A long frame's ``id`` values must be
      ids of the main frame (whose ids must then be unique); an integer id matches
      its decimal string, as in the record contract. Rows of one id need not be
      adjacent, but the usual layout (each applicant's months together, in month
      order, applicants in the frame's order) with a categorical ``month`` column
      takes the fast path. Give one of the three layouts: two are refused.

    Amounts are yuan, as in the record contract: decimal strings, integers,
    `Decimal`, or floats (read as the shortest decimal that prints
    them, as [`parse_fen`][yantai_policy.benefits.records.parse_fen] does). They become
    integer fen by parsing, never through a float's arithmetic; a negative amount or
    one with more than two decimal places is refused. A long frame may instead give
    ``amount_fen``, an integer column already in fen.

    A value that breaks the contract raises [`RecordError`][yantai_policy.benefits.RecordError]
    naming the column and the 1-based row (the row of the long frame, for a value
    in ``contributions=`` or ``premiums=``): by default (``errors="raise"``) the
    whole frame is refused. With ``errors="column"``, as ``evaluate_many`` does,
    each bad row gets that message (``str`` of the error the row alone would
    raise; the first of the row's problems, in the order the columns are read) in
    an ``error`` column and no benefit, and every other row is evaluated; a bad
    row of a long frame marks its applicant's row. What is wrong with the frame
    itself still raises: an unknown or repeated column, two layouts of
    contributions, a long frame's row whose id is no applicant's (it has no row to
    be reported on; so a row whose own id is bad cannot have long-frame rows
    either). The bad rows of a column are found from its distinct values, read
    once each through the column's own reader, so the cost grows with the distinct
    bad values, not with the rows; a frame with no bad row costs what it costs
    with ``errors="raise"``.

    Beyond [`parse_applicant`][yantai_policy.benefits.records.parse_applicant], a frame may
    hold the CSV cell formats, midnight date-times (pandas turns dates into
    them), numpy scalars, and ``amount_fen``; and, since pandas counts
    ``Decimal("NaN")`` as missing, such a cell is an absent value rather than an
    invalid amount.

Output:
    A DataFrame with the input's index, the ``id`` column, the ``error`` column
    (``errors="column"`` only: the message, ``None`` for a good row), and for each
    benefit:

    * ``<benefit>.eligible``: ``bool``;
    * ``<benefit>.amount_fen``: ``Int64``, the amount in integer fen; 0 where not
      eligible (as [`Outcome`][yantai_policy.benefits.Outcome] has it), ``<NA>`` where
      eligible but the amount cannot be determined (``fee_exemptions`` always,
      others when a parameter has no value on the day);
    * ``<benefit>.amount``: `Decimal` yuan with two places, or
      ``None`` where the fen are ``<NA>`` (object dtype), equal to
      [`Outcome.amount`][yantai_policy.benefits.Outcome.amount]. Each
      distinct amount is built once, by
      [`fen_to_yuan`][yantai_policy.benefits.periods.fen_to_yuan] (exact whatever the
      caller's decimal context), and rows of one amount share it; still, a
      register of many distinct amounts pays for them, and ``decimals=False``
      leaves these columns out;
    * ``<benefit>.unmet``: the codes of the conditions that did not hold, joined
      by ``;`` ([`Outcomes.unmet_texts`][yantai_policy.benefits.base.Outcomes.unmet_texts], as ``Outcome.unmet``
      has them), an empty string where eligible (object dtype).

    A bad row (``errors="column"``) is not eligible, and its ``amount_fen``,
    ``amount`` and ``unmet`` are missing (``<NA>``, ``None``, ``None``).

Exactness:
    Money is int64 fen throughout; ratios are the parameters' Fractions, and a rate
    is applied as ``(2 * paid * numerator + denominator) // (2 * denominator)``
    (half-up, on whole fen, as the formulas do). Bounds: each amount is at most
    [`MAX_FEN`][yantai_policy.benefits.records.MAX_FEN] (2**53 - 1 fen, about 90 trillion
    yuan; the record contract refuses a larger one), and so must each applicant's
    sum of contributions or premiums be (checked; [`PolicyError`][yantai_policy.errors.PolicyError] otherwise). Sums run in int64 for the usual layout (a run of at most 1,023
    entries per applicant cannot overflow) and otherwise through
    `numpy.bincount` in float64, which is exact for integers below 2**53. The
    half-up product runs in int64 when ``2 * max(paid) * numerator + 2 *
    denominator`` is below 2**63 (with the notice's 65% = 13/20, any paid total
    below 2**53 fen) and in Python integers otherwise: exact either way.

    Civil Code periods ([`periods`][yantai_policy.benefits.periods]) are computed with
    ``datetime64[M]`` arithmetic and the day clipped to the month's end, which is
    [`period_end`][yantai_policy.benefits.periods.period_end] (dateutil's relativedelta)
    exactly ([`period_end_days`][yantai_policy.benefits.frame.period_end_days]).

Speed:
    Each column is checked and converted once per distinct value (a categorical
    column once per category), calendar arithmetic is done once per distinct day
    through a table over the days present, and the wide layout and the usual
    layout of a long frame are summed as a matrix: when every applicant has the
    same months in order (the wide layout always; a long frame with a
    categorical ``month`` column, each applicant's rows together, one per
    category in the categories' order), each row's window of counted months is
    one look-up of a mask. ``bench/compare_openfisca.py`` measures it
    against OpenFisca-Core on 1,000,000 applicants with 12 months each.

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
    >>> out["social_insurance_subsidy.unmet"].tolist()
    ['hard_to_employ;recent_graduate;flexibly_employed;paid_first', '']

    With ``errors="column"`` a bad row is reported on its row, and the rest evaluated:

    >>> df.loc[0, "first_license_on"] = "2021-02-30"
    >>> out = evaluate_frame(df, dt.date(2021, 7, 16), contributions=paid,
    ...     benefits=["social_insurance_subsidy"], errors="column")
    >>> out["error"].tolist()
    ["row 1: first_license_on: invalid date '2021-02-30': February 2021 has 28 days", None]
    >>> out["social_insurance_subsidy.amount"].tolist()
    [None, Decimal('665.99')]
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime as dt
import itertools
import os
import pathlib
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import numpy as np
import pandas as pd

from yantai_policy.benefits import APPLICANT_BENEFITS, BENEFITS, batch_formulas
from yantai_policy.benefits.base import Outcomes, context
from yantai_policy.benefits.columns import (
    BIT,
    NAT,
    NAT_INT,
    Applicants,
    Entries,
    choice_codes,
    period_end_days,
)
from yantai_policy.benefits.periods import fens_to_yuan
from yantai_policy.benefits.records import (
    APPLICANT_CONTRACT,
    APPLICANT_FIELDS,
    BOTH_WAYS,
    DATE_RANGE,
    MAX_FEN,
    REPEATED_COLUMN,
    Field,
    RecordError,
    check_csv_header,
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
from yantai_policy.textio import SNIFF_BYTES, bom_encoding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import numpy.typing as npt

    from yantai_policy.model import Policy

    Bools = npt.NDArray[np.bool_]
    Ints = npt.NDArray[np.int64]
    Codes = npt.NDArray[np.integer[Any]]
    Days = npt.NDArray[np.datetime64]
    Series = pd.Series[Any]

__all__ = ["FRAME_BENEFITS", "MAX_FEN", "evaluate_frame", "period_end_days", "read_applicants"]

FRAME_BENEFITS = tuple(APPLICANT_BENEFITS)
"""The benefits [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] computes: every applicant benefit."""
_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
_NESTED = tuple(f.name for f in APPLICANT_CONTRACT if f.kind in {"object", "list"})
"""The fields whose cells hold objects: ``tax_due``, ``loan`` and the lists of entries."""
_MIXED = frozenset({"mixed", "mixed-integer", "mixed-integer-float", "unknown-array"})
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
_FIELDS = {f.name: f for f in APPLICANT_CONTRACT}
_WIDE = "contributions."  # contributions.YYYY-MM: the wide layout, one column per month


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
    """The contract's parser of a field, for one frame cell (see `_as_record_value`)."""
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
    """A day, through the contract's [`parse_date`][yantai_policy.benefits.records.parse_date]; a frame also takes midnight date-times."""
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
            whole = ints // per_day  # a division by a constant: far cheaper than divmod
            bad = whole * per_day != ints
            if len(ints) and int(ints.min()) == NAT_INT:  # NaT is the smallest int64
                missing = ints == NAT_INT
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
    read, codes = _cell_reader(field), choice_codes(field.choices)

    def choose(value: object) -> int:
        return codes[read(value)]

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
    if int(values.view(np.uint64).max()) <= MAX_FEN:  # one pass: negatives wrap to huge
        return values
    negative = values < 0
    if negative.any():
        raise _BadValueError(_first(negative), f"negative amount {values[_first(negative)]} fen")
    large = _first(values > MAX_FEN)
    raise _BadValueError(
        large, f"amount {values[large]} fen is too large (the limit is {MAX_FEN} fen, 2**53 - 1)"
    )


def _month(value: object) -> int:
    """A month index, through the contract's [`parse_month`][yantai_policy.benefits.records.parse_month]; also a ``period[M]``."""
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
    if len(codes) and int(codes.min()) < 0:
        raise _BadValueError(_first(codes < 0), "missing required field")
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


class _Errors:
    """The row errors of ``errors="column"``: each bad row's first message.

    Attributes:
        rows: The position in the caller's frame of each row being read (the rows
            read may be a subset: those whose id is valid).
        messages: Each bad row's message, by its position in the caller's frame.
        recheck: While a list or object field is read (`_rechecked`): a row's
            error, given its position, as the dict path names it.
    """

    def __init__(self, rows: npt.NDArray[np.intp]) -> None:
        self.rows = rows
        self.messages: dict[int, str] = {}
        self.recheck: Callable[[int, RecordError], RecordError] | None = None

    def add(self, position: int, reason: str, field: str, row: int | None = None) -> None:
        """Record a problem of the row at ``position`` (``row``: the row to name, if not it)."""
        at = int(self.rows[position])
        if at not in self.messages:
            error = RecordError(reason, field=field, row=at + 1 if row is None else row)
            if self.recheck is not None:
                error = self.recheck(position, error)
            self.messages[at] = str(error)


_ERRORS: contextvars.ContextVar[_Errors | None] = contextvars.ContextVar(
    "yantai_policy_frame_errors", default=None
)
"""The row errors being collected (``errors="column"``), or None: raise the first."""


def _reject(reason: str, field: str, position: int) -> None:
    """A problem of one row: raise it, or record it when collecting row errors."""
    errors = _ERRORS.get()
    if errors is None:
        _fail(reason, field, position + 1)
    errors.add(position, reason, field)


def _column(series: Series, field: str, read: Callable[[Series], T]) -> T:
    """Read a column, turning a bad value into a RecordError naming the field and row.

    When collecting row errors, every bad row is recorded instead and the column is
    read with those cells blank.
    """
    try:
        return read(series)
    except _BadValueError as bad:
        errors = _ERRORS.get()
        if errors is None:
            raise RecordError(bad.reason, field=field + bad.suffix, row=bad.position + 1) from None
    return _read_around(series, field, read, errors)


def _read_around(series: Series, field: str, read: Callable[[Series], T], errors: _Errors) -> T:
    """Record every bad row of a column, and read it with those cells blank."""
    found = _bad_rows(series, read)
    for position, (reason, suffix) in found.items():
        errors.add(position, reason, field + suffix)
    blank = np.zeros(len(series), bool)
    blank[list(found)] = True
    try:
        return read(_blank(series, blank))
    except _BadValueError:  # the column's type itself is refused (time-zone-aware dates)
        return read(pd.Series(np.full(len(series), None, dtype=object), dtype=object))


def _blank(series: Series, where: Bools) -> Series:
    """The column with some cells made absent, in a dtype that can hold the absence."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":
        series = series.astype("boolean" if series.dtype.kind == "b" else "Int64")
    return series.mask(where)


def _bad_rows(series: Series, read: Callable[[Series], object]) -> dict[int, tuple[str, str]]:
    """Every row of a column that ``read`` refuses, with the reason and field suffix.

    The column's distinct values (absent ones included) are read once each, through
    ``read`` itself, so a value is bad exactly when the column reader says so. A
    failing piece gives its bad value and is split in two, so ``b`` distinct bad
    values cost about ``2 * b + 1`` reads of pieces that halve, not a read per row.
    """
    labels, firsts = _factor(series)
    distinct = series.iloc[firsts]
    reasons: dict[int, tuple[str, str]] = {}
    pending = [np.arange(len(firsts))]
    while pending:
        piece = pending.pop()
        try:
            read(distinct.iloc[piece])
        except _BadValueError as bad:
            reasons[int(piece[bad.position])] = (bad.reason, bad.suffix)
            rest = np.delete(piece, bad.position)
            half = len(rest) // 2
            pending += [part for part in (rest[:half], rest[half:]) if len(part)]
    if not reasons:
        return {}
    is_bad = np.zeros(len(firsts), bool)
    is_bad[list(reasons)] = True
    rows = np.flatnonzero(is_bad[labels])
    return {
        row: reasons[label] for row, label in zip(rows.tolist(), labels[rows].tolist(), strict=True)
    }


def _factor(series: Series) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Label each row by its distinct value (an absent value too); each label's first row.

    Values that compare equal across types (``True`` and ``1``) and unhashable ones
    (each its own value) are kept apart, as `_distinct` keeps them.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw: Any = series.array.codes  # type: ignore[attr-defined]
    elif series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in _MIXED:
        keys = np.empty(len(series), dtype=object)
        for index, value in enumerate(series.to_numpy()):
            key: object = ("absent",) if _is_na(value) else _key(value)
            try:
                hash(key)
            except TypeError:
                key = ("unhashable", index)
            keys[index] = key
        raw = keys
    else:
        raw = series.to_numpy()
    codes, _ = pd.factorize(raw, use_na_sentinel=False)
    labels = np.asarray(codes, dtype=np.intp)
    _, firsts = np.unique(labels, return_index=True)
    return labels, np.asarray(firsts, dtype=np.intp)


def _check_columns(
    columns: Iterable[object],
    known: tuple[str, ...],
    where: str,
    fields: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
) -> None:
    """Refuse a repeated or unknown column; the suggestion is among ``fields`` if given.

    A column whose name starts with ``x_`` or one of ``prefixes`` is let through.
    """
    seen: set[object] = set()
    for column in columns:
        if column in seen:
            _fail(REPEATED_COLUMN, f"{where}{column}")
        seen.add(column)
        if isinstance(column, str) and (column in known or column.startswith(("x_", *prefixes))):
            continue
        if fields and str(column).partition(".")[0] in _OBJECTS:
            continue  # a flattened column of an object: its reader checks the key, in turn
        raise unknown_field(column, fields or known, where)


def _check_ids(series: Series) -> None:
    """Check the id column: the contract's id in every row (absent: missing)."""
    _column(series, "id", _ids)


def _ids(series: Series) -> None:
    """Read the id column (raising at the first row that is not the contract's id)."""
    if _is_int(series):
        missing = series.isna().to_numpy()
        if missing.any():
            raise _BadValueError(_first(missing), "missing required field")
        return
    for index, value in enumerate(series.to_numpy(dtype=object)):
        if isinstance(value, str) and value:
            continue
        try:
            parse_id(None if _is_na(value) else _py(value), "id")
        except RecordError as error:
            raise _BadValueError(index, error.reason) from None


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
    _check_columns(df.columns, _COLUMNS, "", APPLICANT_FIELDS, (_WIDE,))  # the contract's words
    if "id" not in df.columns:
        _fail("missing required field", "id")
    _check_ids(df["id"])
    df = _struct_nulls_absent(df)
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


def _struct_nulls_absent(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with null members of its objects (and list entries) left out: absent.

    A struct column (from Parquet, say) cannot leave a key out of one row: it holds a
    null there. So ``loan`` ``{"kind": "individual", "amount": None}`` reads as
    ``{"kind": "individual"}``, and a contributions entry's null ``note`` as no note.
    """
    cleaned = {}
    for name in _NESTED:
        if name in df.columns:
            values = df[name].to_numpy(dtype=object)
            out = [_members(cell) for cell in values]
            if any(new is not old for new, old in zip(out, values, strict=True)):
                cleaned[name] = pd.Series(_object_array(out), index=df.index, dtype=object)
    if not cleaned:
        return df
    df = df.copy(deep=False)
    for name, series in cleaned.items():
        df[name] = series
    return df


def _members(cell: object) -> object:
    """A cell with the null members of its objects left out (the cell itself if it has none)."""
    if isinstance(cell, dict):
        if any(_is_na(value) for value in cell.values()):
            return {key: value for key, value in cell.items() if not _is_na(value)}
        return cell
    if isinstance(cell, list | tuple | np.ndarray):
        items = [_members(item) for item in cell]
        if any(new is not old for new, old in zip(items, cell, strict=True)):
            return items
    return cell


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


def _first_error(field: Field, cell: object, error: RecordError) -> RecordError:
    """The dict path's first error for a cell the frame found bad, on the error's row.

    The frame reads a column of lists or objects key by key, so the error it meets
    first may not be the one the contract names first; the contract's parser, run on
    the bad row's cell alone, says which that is.
    """
    try:
        field_parser(field)(_plain(_as_record_value(field, cell)), field.name)
    except RecordError as first:
        return RecordError(first.reason, field=first.field, row=error.row)
    return error


@contextlib.contextmanager
def _rechecked(field: Field, cell: Callable[[int], object]) -> Iterator[None]:
    """Report a bad row of a list or object field with `_first_error`'s message.

    ``cell`` gives the field's cell at a row's position. With ``errors="raise"`` the
    first error raised is replaced; with ``errors="column"`` each bad row's message
    is recorded as that one, so a row gets the message it alone would raise.
    """
    errors = _ERRORS.get()
    if errors is None:
        try:
            yield
        except RecordError as error:
            if error.row is None:
                raise
            raise _first_error(field, cell(error.row - 1), error) from None
        return
    outer = errors.recheck
    errors.recheck = lambda position, error: _first_error(field, cell(position), error)
    try:
        yield
    finally:
        errors.recheck = outer


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
            _reject("unexpected value", field.name, index)  # _rechecked names the problem
            continue  # errors="column": the row is bad, and its cell is left absent
        for key, value in cell.items():
            out[key][index] = value
    return {key: pd.Series(values, dtype=object) for key, values in out.items()}


def _read_object(df: pd.DataFrame, field: Field, facts: Applicants) -> None:
    """Read ``tax_due`` or ``loan``: a column of objects, or one flattened column per key."""
    name = field.name
    flat = [f"{name}.{sub.name}" for sub in field.shape]
    if name in df.columns:
        if any(str(column).startswith(f"{name}.") for column in df.columns):
            _fail(BOTH_WAYS, name)

        def cell(row: int) -> object:
            return df[name].iloc[row]

        with _rechecked(field, cell):
            columns = {f"{name}.{key}": s for key, s in _objects(df[name], field).items()}
            _read_members(field, columns, facts, len(df))
        return
    for column in df.columns:  # as the CSV reader reads them: unknown keys first
        head, _, tail = str(column).partition(".")
        if head == name and column not in flat:
            raise unknown_field(tail, _OBJECTS[name], f"{name}.")
    given = {column: df[column] for column in flat if column in df.columns}
    if not given:
        return

    def members(row: int) -> object:
        return {
            column.partition(".")[2]: series.iloc[row]
            for column, series in given.items()
            if not _is_na(series.iloc[row])
        }

    with _rechecked(field, members):
        _read_members(field, given, facts, len(df))


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
    for row in np.flatnonzero(lone).tolist():
        _reject("missing required field", "loan.amount" if kind[row] else "loan.kind", row)
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
            _reject("unexpected value", field.name, row)  # _rechecked names the problem
            continue  # errors="column": the row is bad, and its entries are left out
        odd = [
            place
            for place, entry in enumerate(entries)
            if not (isinstance(entry, dict) and len(entry) == 2 and all(f in entry for f in fields))
        ]
        if odd:
            _reject("unexpected value", f"{field.name}[{odd[0]}]", row)  # _rechecked names it
            continue
        for place, entry in enumerate(entries):
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
    wide = _wide_columns(df, frame, column, name) if key == "month" else []
    if wide:
        return _wide_entries(df, wide)
    if frame is not None:
        if column in df.columns:
            _fail(f"given both as a column and as the {name}= frame; give one", column)
        return _long_entries(df, frame, name=name, key=key, read_key=read_key)
    if column not in df.columns:
        return Entries.empty(np.int32 if key == "month" else "datetime64[D]")
    with _rechecked(field, lambda row: df[column].iloc[row]):
        return _column_entries(df, field, read_key)


def _column_entries(df: pd.DataFrame, field: Field, read_key: Callable[[Series], Any]) -> Entries:
    """Read a column of lists of dated amounts (or of their CSV cells)."""
    column = field.name
    key = field.shape[0].name
    rows, places, keys, amounts = _list_entries(df[column], field)
    errors = _ERRORS.get()
    if errors is not None:
        rows, places, keys, amounts = _drop_bad_entries(
            (rows, places, keys, amounts), column, key, read_key, errors
        )
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
        for dup in _repeats(entries).tolist():
            where = f"{column}[{places[dup]}].{field.unique}"
            _reject(f"duplicate {field.unique} {keys[dup]}", where, rows[dup])
    return entries


def _drop_bad_entries(
    flat: tuple[list[int], list[int], list[object], list[object]],
    column: str,
    key: str,
    read_key: Callable[[Series], Any],
    errors: _Errors,
) -> tuple[list[int], list[int], list[object], list[object]]:
    """Record the rows of the entries whose key or amount is bad, and leave those entries out."""
    rows, places, keys, amounts = flat
    keep = np.ones(len(rows), bool)
    for field, values in ((key, keys), ("amount", amounts)):
        read = read_key if field == key else _required_fens
        series = pd.Series(_object_array(values), dtype=object)
        try:
            read(series)
        except _BadValueError:
            for at, (reason, suffix) in _bad_rows(series, read).items():
                errors.add(rows[at], reason, f"{column}[{places[at]}].{field}{suffix}")
                keep[at] = False
    if keep.all():
        return flat
    kept = np.flatnonzero(keep).tolist()
    return (
        [rows[i] for i in kept],
        [places[i] for i in kept],
        [keys[i] for i in kept],
        [amounts[i] for i in kept],
    )


def _wide_columns(
    df: pd.DataFrame, frame: pd.DataFrame | None, column: str, name: str
) -> list[str]:
    """The ``contributions.YYYY-MM`` columns, refused beside another layout."""
    wide = [c for c in df.columns if isinstance(c, str) and c.startswith(_WIDE)]
    if wide and (frame is not None or column in df.columns):
        given = f"the {name}= frame" if frame is not None else f"a {column} column"
        _fail(f"given both as {_WIDE}YYYY-MM columns and as {given}; give one", column)
    return wide


def _wide_entries(df: pd.DataFrame, names: list[str]) -> Entries:
    """Read ``contributions.YYYY-MM`` columns (yuan; empty: not paid that month).

    Every applicant gets one run of the same months, in month order, so the
    contributions are a (rows, months) matrix: [`window_sums`][yantai_policy.benefits.columns.window_sums]' fastest path. A
    month not paid is an entry of 0 fen, which adds nothing to any sum.
    """
    months = []
    for name in names:
        try:
            months.append(_month(name.removeprefix(_WIDE)))
        except _InvalidError as error:
            _fail(error.reason, name)
    order = np.argsort(np.array(months, dtype=np.int32), kind="stable")
    n, k = len(df), len(names)
    if n == 0:
        return Entries.empty(np.int32)
    fen = np.empty((k, n), np.int64)
    for place, at in enumerate(order.tolist()):
        fen[place], _ = _column(df[names[at]], names[at], _fens)
    table = np.array(months, dtype=np.int32)[order]
    codes = np.tile(np.arange(k, dtype=np.int16 if k < 2**15 - 1 else np.int32), n)
    rows = np.arange(n, dtype=np.intp)
    return Entries(
        codes, fen.T.ravel(), rows * k, rows, unique=True, identity=True, table=table, aligned=True
    )


def _long_entries(
    df: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    name: str,
    key: str,
    read_key: Callable[[Series], Any],
) -> Entries:
    """Read a long frame (``id``, the key, ``amount`` or ``amount_fen``) of dated amounts.

    When collecting row errors, a bad row of the long frame is recorded on its
    applicant's row and left out; a row whose id is no applicant's still raises.
    """
    _check_columns(frame.columns, ("id", key, "amount", "amount_fen"), f"{name}.")
    for required in ("id", key):
        if required not in frame.columns:
            _fail("missing column", f"{name}.{required}")
    if ("amount" in frame.columns) == ("amount_fen" in frame.columns):
        _fail("give exactly one of the columns amount (yuan) and amount_fen", f"{name}.amount")
    amount = "amount" if "amount" in frame.columns else "amount_fen"
    readers = {key: read_key, amount: _required_fens if amount == "amount" else _exact_fens}
    errors = _ERRORS.get()
    token = _ERRORS.set(None)  # the long frame's rows are not the applicants' rows
    try:
        try:
            return _long_read(df, frame, name, readers, errors=errors, kept=None)
        except RecordError:
            if errors is None:
                raise
        frame, kept = _drop_bad_long(df, frame, name, readers, errors)
        return _long_read(df, frame, name, readers, errors=errors, kept=kept)
    finally:
        _ERRORS.reset(token)


def _long_read(  # noqa: PLR0913 - the pieces of one read, two keyword-only
    df: pd.DataFrame,
    frame: pd.DataFrame,
    name: str,
    readers: dict[str, Callable[[Series], Any]],
    *,
    errors: _Errors | None,
    kept: npt.NDArray[np.intp] | None,
) -> Entries:
    """Read a long frame's columns; ``kept``: each row's row in the frame as given."""
    (key, read_key), (amount, read_amount) = readers.items()
    keys, table = _column(frame[key], f"{name}.{key}", read_key)
    fen = _column(frame[amount], f"{name}.{amount}", read_amount)
    starts, run_rows, unique, identity = _rows_of(df["id"], frame["id"], name)
    entries = Entries(keys, fen, starts, run_rows, unique, identity, table)
    if key == "month":
        rising = _rising(entries)
        repeats = _repeats(entries, rising=rising)
        if rising and table is not None and len(table) * len(starts) == len(keys):
            # each run: k rising codes of a table of k months, so every month once, in order
            entries = entries._replace(aligned=bool((entries.lengths() == len(table)).all()))
        owners = entries.rows() if len(repeats) else run_rows
        for dup in repeats.tolist():
            month = int(keys[dup] if table is None else table[keys[dup]])
            label = f"{month // 12:04d}-{month % 12 + 1:02d}"
            reason = f"duplicate month {label} for id {frame['id'].iloc[dup]!r}"
            row = (dup if kept is None else int(kept[dup])) + 1
            if errors is None:
                _fail(reason, f"{name}.{key}", row)
            errors.add(int(owners[dup]), reason, f"{name}.{key}", row)
    return entries


def _drop_bad_long(
    df: pd.DataFrame,
    frame: pd.DataFrame,
    name: str,
    readers: dict[str, Callable[[Series], Any]],
    errors: _Errors,
) -> tuple[pd.DataFrame, npt.NDArray[np.intp] | None]:
    """Record the long frame's bad rows on their applicants, and leave them out."""
    bad: dict[int, tuple[str, str]] = {}
    for column, read in readers.items():
        series = frame[column]
        try:
            read(series)
        except _BadValueError:
            for at, (reason, suffix) in _bad_rows(series, read).items():
                bad.setdefault(at, (reason, f"{name}.{column}{suffix}"))
    if not bad:
        return frame, None
    starts, run_rows, _, _ = _rows_of(df["id"], frame["id"], name)
    owners = np.repeat(run_rows, np.diff(starts, append=len(frame)))
    for at, (reason, field) in sorted(bad.items()):
        errors.add(int(owners[at]), reason, field, at + 1)
    keep = np.ones(len(frame), bool)
    keep[list(bad)] = False
    kept = np.flatnonzero(keep)
    return frame.iloc[kept], kept


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


def _rising(entries: Entries) -> bool:
    """Whether each applicant's entries come in one run whose months strictly rise."""
    months = entries.keys
    if len(months) < 2:
        return entries.unique
    rising = np.empty(len(months), bool)
    np.greater(months[1:], months[:-1], out=rising[1:])
    rising[entries.starts] = True
    return entries.unique and bool(rising.all())


def _repeats(entries: Entries, *, rising: bool | None = None) -> npt.NDArray[np.intp]:
    """Return the positions of the entries repeating an earlier entry's applicant and month.

    ``rising``: `_rising` of the entries, if already known.
    """
    months = entries.keys
    none = np.zeros(0, np.intp)
    if len(months) < 2:
        return none
    if _rising(entries) if rising is None else rising:
        return none  # each applicant's months come together and strictly rise
    rows = entries.rows()
    low = int(months.min())
    span = int(months.max()) - low + 1
    key = rows.astype(np.int64) * span + (months.astype(np.int64) - low)
    return np.flatnonzero(pd.Series(key).duplicated().to_numpy())


# ---------------------------------------------------------------- arithmetic


def _decimals(fen: Ints, unknown: Bools) -> npt.NDArray[np.object_]:
    """Decimal yuan for each fen value (None where unknown), each distinct value built once.

    The Decimals are [`fen_to_yuan`][yantai_policy.benefits.periods.fen_to_yuan]'s, exact
    whatever the caller's decimal context; rows of one amount share one object.
    """
    raw_codes, uniques = pd.factorize(fen)
    codes = np.asarray(raw_codes, dtype=np.intp)
    if unknown.any():
        codes[unknown] = -1
    amounts = fens_to_yuan(np.asarray(uniques).tolist())
    # fromiter stores the objects as they are: assigning a list to an object array
    # would first inspect each Decimal as a possible sequence, at several times the cost
    table = np.fromiter(itertools.chain(amounts, (None,)), dtype=object, count=len(amounts) + 1)
    out: npt.NDArray[np.object_] = table[codes]
    return out


# ---------------------------------------------------------------- reading files


def read_applicants(path: str | os.PathLike[str]) -> pd.DataFrame:
    r"""Read applicants from a CSV, JSONL or Parquet file into the frame [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] takes.

    The format is the file's suffix: ``.csv``, ``.jsonl`` (or ``.ndjson``), or
    ``.parquet`` (``.pq``).

    * **CSV**: every cell is read as text, as `csv.DictReader` reads it (pandas
      guesses no numbers, so an id ``007`` and an amount ``512.30`` stay as written),
      and each cell goes through the record contract's CSV cell reader,
      [`read_cell`][yantai_policy.benefits.records.read_cell]: an empty cell is absent,
      booleans are ``true``/``false`` (``1``/``0``, ``yes``/``no``), ``groups`` are
      ``;``-separated, ``contributions`` and ``accident_premiums`` are
      ``month:amount`` pairs separated by ``;``; ``tax_due.*`` and ``loan.*`` are
      flattened columns and the wide layout's ``contributions.YYYY-MM`` columns are
      amounts, kept as text. A cell the contract refuses is left for
      [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame] to report on its row, with the contract's message (with
      ``errors="column"``, in the row's ``error``). Each distinct cell of a column
      is read once.
    * **JSONL**: one JSON object per line, read by the command line's own line reader
      ([`decode_jsonl`][yantai_policy.benefits.batch_io.decode_jsonl]: numbers with a fraction
      are `Decimal`); blank lines are skipped; columns are
      object columns of the values as given (no integer column becomes a float
      because a row lacks it).
    * **Parquet** (needs pyarrow, in the ``analysis`` extra): read with pyarrow;
      integers with nulls stay integers and dates are `datetime.date`
      objects, never floats or guesses.

    Raises:
        PolicyError: The suffix is none of these, or the file cannot be parsed
            (a JSONL line that is not a JSON object names its line).
        OSError: The file cannot be read.

    Examples:
        >>> import datetime as dt, pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "a.csv").write_text(
        ...     "id,groups,flexible_since,contributions.2021-03,contributions.2021-04\n"
        ...     "007,hard_to_employ,2021-02-01,1000,1000\n", encoding="utf-8")
        >>> df = read_applicants(folder / "a.csv")
        >>> df["id"].tolist(), df["contributions.2021-03"].tolist()
        (['007'], ['1000'])
        >>> evaluate_frame(df, dt.date(2021, 8, 1))["social_insurance_subsidy.amount"].tolist()
        [Decimal('1300.00')]
    """
    where = pathlib.Path(path)
    suffix = where.suffix.lower()
    if suffix == ".csv":
        return _read_csv(where)
    if suffix in {".jsonl", ".ndjson"}:
        return _read_jsonl(where)
    if suffix in {".parquet", ".pq"}:
        import pyarrow.parquet as pq  # noqa: PLC0415 - an optional dependency, read when needed

        table = pq.read_table(where)
        frame: pd.DataFrame = table.to_pandas(integer_object_nulls=True, date_as_object=True)
        return frame
    raise PolicyError(f"cannot tell the format of {where}: name it .csv, .jsonl or .parquet")


def _read_csv(where: pathlib.Path) -> pd.DataFrame:
    codec = _encoding(where)
    try:
        with where.open(encoding=codec, errors="replace", newline="") as header:
            check_csv_header(next(csv.reader(header), []))
        text = pd.read_csv(where, dtype=str, keep_default_na=False, na_filter=False, encoding=codec)
    except RecordError as error:
        raise PolicyError(f"{where}: line 1: {error}") from None
    except (pd.errors.ParserError, UnicodeError, csv.Error) as error:
        raise PolicyError(f"{where}: {error}") from None
    return pd.DataFrame(
        {
            column: pd.Series(_csv_column(str(column), text[column]), dtype=object)
            for column in text.columns
        },
    )


def _encoding(where: pathlib.Path) -> str:
    """The file's encoding, by its byte-order mark ([yantai_policy.textio][yantai_policy.textio])."""
    with where.open("rb") as binary:
        head = binary.read(SNIFF_BYTES)
    try:
        return bom_encoding(head)
    except ValueError as error:
        raise PolicyError(f"{where}: {error}") from None


def _csv_column(column: str, cells: Series) -> npt.NDArray[np.object_]:
    """Read a column of CSV text through the contract's CSV reader, each distinct cell once."""
    raw_codes, uniques = pd.factorize(cells)
    codes = np.asarray(raw_codes, dtype=np.intp)
    table = _object_array([_csv_cell(column, str(cell)) for cell in uniques])
    out: npt.NDArray[np.object_] = table[codes]
    return out


def _csv_cell(column: str, cell: str) -> object:
    """One CSV cell as the contract reads it ([`read_cell`][yantai_policy.benefits.records.read_cell]); an empty one is absent.

    A column that is not a field of the contract (``loan.amount``,
    ``contributions.2021-03``, ``x_note``) keeps its text, as the CSV reader keeps it.
    """
    text = cell.strip()
    if not text:
        return None
    field = _FIELDS.get(column)
    return text if field is None else read_cell(field, text)


def _read_jsonl(where: pathlib.Path) -> pd.DataFrame:
    """Read a JSONL register with the command line's own line reader ([`batch_io`][yantai_policy.benefits.batch_io])."""
    from yantai_policy.benefits.batch_io import (  # noqa: PLC0415
        BadLine,
        decode_jsonl,
        jsonl_lines,
        text_input,
    )

    values: dict[str, list[object]] = {}
    count = 0
    with where.open("rb") as binary:
        lines = text_input(binary, "jsonl", str(where))
        for number, line in enumerate(jsonl_lines(lines), 1):
            if not isinstance(line, BadLine) and not line.strip():  # no record, no row: skipped
                continue
            record = decode_jsonl(line)
            if isinstance(record, BadLine):
                field = f"{record.field}: " if record.field else ""
                raise PolicyError(f"{where}: line {number}: {field}{record.reason}"[:300])
            if not isinstance(record, dict):
                raise PolicyError(f"{where}: line {number}: expected a JSON object")
            for key, value in record.items():
                values.setdefault(key, [None] * count).append(value)
            count += 1
            for column in values.values():
                if len(column) < count:
                    column.append(None)
    return pd.DataFrame(
        {key: pd.Series(_object_array(column), dtype=object) for key, column in values.items()}
    )


def _benefit_names(benefits: Iterable[str] | None) -> list[str]:
    names = [f.name for f in batch_formulas(benefits)]
    for name in names:
        if name not in FRAME_BENEFITS:
            raise PolicyError(
                f"evaluate_frame computes the applicant benefits ({', '.join(FRAME_BENEFITS)}), not {name}"
            )
    return names


def evaluate_frame(  # noqa: PLR0913 - keyword-only options of a batch
    df: pd.DataFrame,
    on: dt.date | str,
    *,
    benefits: Iterable[str] | None = None,
    policy: Policy | None = None,
    contributions: pd.DataFrame | None = None,
    premiums: pd.DataFrame | None = None,
    decimals: bool = True,
    errors: Literal["raise", "column"] = "raise",
) -> pd.DataFrame:
    """Decide the applicant benefits for every row of a DataFrame, vectorised and exact.

    The results equal [`evaluate_many`][yantai_policy.benefits.evaluate_many]'s outcomes row by
    row; see the module documentation for the input columns, the output columns and
    the bounds of the integer arithmetic.

    Args:
        df: One row per applicant, columns named as the record contract's fields.
        on: The day of application: a date, or an ISO string such as ``"2021-07-16"``.
        benefits: The benefits to compute; [`FRAME_BENEFITS`][yantai_policy.benefits.frame.FRAME_BENEFITS] (every
            applicant benefit) if not given.
        policy: The plan; the built-in one if not given (or a reform from
            [`with_parameters`][yantai_policy.model.Policy.with_parameters]).
        contributions: A long frame of contributions (``id``, ``month``, and
            ``amount`` or ``amount_fen``), instead of a ``contributions`` column or
            ``contributions.YYYY-MM`` columns.
        premiums: A long frame of accident-insurance premiums (``id``, ``paid_on``,
            and ``amount`` or ``amount_fen``), instead of an ``accident_premiums`` column.
        decimals: Add the ``<benefit>.amount`` columns of Decimal yuan (the
            ``.amount_fen`` columns hold the same values).
        errors: ``"raise"``: a value that breaks the record contract raises. ``"column"``:
            each bad row gets its message in an ``error`` column and no benefit,
            and every other row is evaluated.

    Returns:
        A frame with ``df``'s index: ``id``, (with ``errors="column"``) ``error``,
        then ``<benefit>.eligible``, ``<benefit>.amount_fen``, (with ``decimals``)
        ``<benefit>.amount`` and ``<benefit>.unmet`` for each benefit.

    Raises:
        RecordError: A value breaks the record contract (with ``errors="raise"``),
            or the frame itself does (an unknown or repeated column, a long frame's
            id that is no applicant's); the error names the column and the row.
        UnknownNameError: No benefit has a name given.
        PolicyError: A benefit is not an applicant benefit, ``errors`` is neither
            ``"raise"`` nor ``"column"``, or an amount is beyond the exact range.
        TypeError: ``on`` is neither a date nor a string.
        ValueError: ``on`` is a string that is not a day that exists.
    """
    names = _benefit_names(benefits)
    if errors not in {"raise", "column"}:
        raise PolicyError(f"errors must be 'raise' or 'column', not {errors!r}")
    ctx = context(policy if policy is not None else load_policy(), on)
    n = len(df)
    bad: Bools | None = None
    if errors == "raise":
        facts = _read(df, contributions, premiums)
        columns: dict[str, Any] = {"id": df["id"].array}
    else:
        facts, found = _read_collecting(df, contributions, premiums)
        columns = {"id": df["id"].array}
        bad = np.zeros(n, bool)
        bad[list(found.messages)] = True
        messages = np.full(n, None, dtype=object)
        for at, message in found.messages.items():
            messages[at] = message
        columns["error"] = _texts(messages, df.index)
    for name in names:
        result = BENEFITS[name].run(facts, ctx)
        if bad is not None:
            result = _spread(result, found.rows, bad)
        columns[f"{name}.eligible"] = result.eligible
        columns[f"{name}.amount_fen"] = pd.arrays.IntegerArray(result.fen, result.unknown)
        if decimals:
            columns[f"{name}.amount"] = _decimals(result.fen, result.unknown)
        unmet = result.unmet_texts()
        if bad is not None:
            unmet[bad] = None
        columns[f"{name}.unmet"] = _texts(unmet, df.index)
    return pd.DataFrame(columns, index=df.index, copy=False)


def _texts(values: npt.NDArray[np.object_], index: pd.Index[Any]) -> Series:
    """A column of text (``None`` where missing) that stays object dtype on any pandas."""
    return pd.Series(values, index=index, dtype=object, copy=False)


def _read_collecting(
    df: pd.DataFrame, contributions: pd.DataFrame | None, premiums: pd.DataFrame | None
) -> tuple[Applicants, _Errors]:
    """Read the frame, recording each bad row's error instead of raising it.

    Rows whose id is bad are left out of the reading (a long frame could not be
    matched to them); the errors' ``rows`` are the positions of the rows read.
    """
    _check_columns(df.columns, _COLUMNS, "", APPLICANT_FIELDS, (_WIDE,))
    if "id" not in df.columns:
        _fail("missing required field", "id")
    found = _Errors(np.arange(len(df), dtype=np.intp))
    bad_ids = _bad_rows(df["id"], _ids)
    for at, (reason, _) in bad_ids.items():
        found.add(at, reason, "id")
    if bad_ids:
        keep = np.ones(len(df), bool)
        keep[list(bad_ids)] = False
        found.rows = np.flatnonzero(keep)
        df = df.iloc[found.rows]
    token = _ERRORS.set(found)
    try:
        facts = _read(df, contributions, premiums)
    finally:
        _ERRORS.reset(token)
    return facts, found


def _spread(result: Outcomes, rows: npt.NDArray[np.intp], bad: Bools) -> Outcomes:
    """The outcomes of the rows read, placed at their rows; bad rows: no benefit, no amount."""
    n = len(bad)

    def put(values: npt.NDArray[Any], dtype: npt.DTypeLike) -> npt.NDArray[Any]:
        if len(rows) == n:
            return values.copy()
        out = np.zeros(n, dtype)
        out[rows] = values
        return out

    eligible = put(result.eligible, bool) & ~bad
    fen = put(result.fen, np.int64)
    fen[bad] = 0
    unknown = put(result.unknown, bool) | bad
    return Outcomes(
        result.benefit, eligible, fen, unknown, put(result.unmet, np.int64), result.codes
    )
