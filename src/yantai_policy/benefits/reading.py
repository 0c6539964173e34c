"""Applicant dicts to columns, a chunk at a time, without a record object per row.

[`evaluate_many`][yantai_policy.benefits.evaluate_many] reads thousands of records at once. Most
are well formed, and most of their values repeat (the same months, the same dates, the
same contribution bases), so each field is gathered across the chunk and each distinct
value goes once through the record contract's own parser for that field
([`records`][yantai_policy.benefits.records]). Nothing here decides what is valid: a value
the parser refuses, or a record of any shape this reader does not take (an ``x_`` field,
a duplicate month, a non-dict), sends the whole record to
[`parse_applicant`][yantai_policy.benefits.records.parse_applicant], which gives its result or its
error exactly as for a single record.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from yantai_policy.benefits.columns import (
    BIT,
    BUSINESS_CODES,
    DATES,
    FLAGS,
    LOAN_CODES,
    NAT_INT,
    OCCUPATION_CODES,
    Applicants,
    Entries,
)
from yantai_policy.benefits.records import (
    AMOUNT_CACHE,
    APPLICANT_FIELDS,
    MONTH_CACHE,
    TAXES,
    RecordError,
    applicant_entry_parser,
    applicant_parser,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy.typing as npt

__all__ = ["applicant_chunk"]

_KNOWN = frozenset(APPLICANT_FIELDS)


_CACHE_LIMIT = 1 << 16


class _BadError(Exception):
    """A record this reader leaves to the record parser."""


class _Values:
    """Each distinct string of a field parsed once by the contract's parser, then cached."""

    def __init__(self, field: str, convert: Callable[[Any], Any]) -> None:
        self.parse = applicant_parser(field)
        self.field = field
        self.convert = convert
        self.cache: dict[str, Any] = {}

    def __call__(self, value: object) -> Any:  # noqa: ANN401 - a column's value
        if type(value) is str:
            found = self.cache.get(value)
            if found is not None:
                return found
        try:
            parsed = self.convert(self.parse(value, self.field))
        except RecordError:
            raise _BadError from None
        if type(value) is str and len(self.cache) < _CACHE_LIMIT:
            self.cache[value] = parsed
        return parsed


_EPOCH = dt.date(1970, 1, 1)
_DAYS = {name: _Values(name, lambda d: (d - _EPOCH).days) for name in DATES}  # numpy's day numbers


def applicant_chunk(
    raw: Sequence[object],
) -> tuple[Applicants, list[int], list[str]]:
    """Read the well-formed applicant dicts of a chunk into columns.

    Returns:
        The columns of the records read, their positions in ``raw``, and their ids;
        every other position is left for the record parser.
    """
    good = [
        i
        for i, r in enumerate(raw)
        if type(r) is dict and "id" in r and _KNOWN.issuperset(r)  # no x_ fields: see above
    ]
    records: list[dict[str, Any]] = [raw[i] for i in good]  # type: ignore[misc]
    bad: set[int] = set()  # positions in `records`
    ids = _ids(records, bad)
    x = _read(records, bad)
    if not bad:
        return x, good, ids
    keep = np.array([i for i in range(len(records)) if i not in bad], dtype=np.intp)
    kept = keep.tolist()
    return _take(x, keep), [good[i] for i in kept], [ids[i] for i in kept]


def _read(records: list[dict[str, Any]], bad: set[int]) -> Applicants:
    """Each field gathered across the records; a record with a value refused goes in ``bad``."""
    x = Applicants.blank(len(records))
    present: set[str] = set().union(*records) if records else set()
    scalars: list[tuple[str, Callable[[Any], Any], npt.DTypeLike, object]] = [
        ("groups", _groups, np.int64, 0),
        *((name, _DAYS[name], np.int64, NAT_INT) for name in DATES),
        *((name, _flag, bool, False) for name in FLAGS),
        ("platform", _platform, bool, False),
        ("business_type", _BUSINESS_TYPE, np.int8, 0),
        ("platform_occupation", _OCCUPATION, np.int8, 0),
    ]
    for name, read, dtype, missing in scalars:
        if name not in present:
            continue
        column = _column(records, name, read, bad, missing=missing, dtype=dtype)
        if name in DATES:
            x.dates[name] = column.view("datetime64[D]")
        elif name in FLAGS:
            x.flags[name] = column
        else:
            setattr(x, name, column)
    if "tax_due" in present:
        x.tax_due = _tax_due(records, bad)
    if "loan" in present:
        x.loan_kind, x.loan_fen = _loan(records, bad)
    if "contributions" in present:
        x.contributions = _entries(records, "contributions", "month", bad)
    if "accident_premiums" in present:
        x.premiums = _entries(records, "accident_premiums", "paid_on", bad)
    return x


def _ids(records: list[dict[str, Any]], bad: set[int]) -> list[str]:
    out = []
    for i, r in enumerate(records):
        value = r["id"]
        if type(value) is str and value:
            out.append(value)
        else:
            bad.add(i)  # an integer id, or a wrong one: the parser words it
            out.append("")
    return out


def _column(  # noqa: PLR0913 - one column's parts
    records: list[dict[str, Any]],
    field: str,
    read: Callable[[Any], Any],
    bad: set[int],
    *,
    dtype: npt.DTypeLike,
    missing: object,
) -> npt.NDArray[Any]:
    values = [r.get(field) for r in records]
    out: list[Any] = _cached(read, values)
    for i in [i for i, (v, o) in enumerate(zip(values, out, strict=True)) if o is None]:
        value = values[i]
        if value is None:
            out[i] = missing
            continue
        try:
            out[i] = read(value)
        except _BadError:
            bad.add(i)
            out[i] = missing
    return np.array(out, dtype=dtype)


def _cached(read: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """The values already parsed, by a C-level look-up (None where not known yet)."""
    if isinstance(read, _Values):
        try:
            return list(map(read.cache.get, values))  # strings only are ever cached
        except TypeError:  # an unhashable value: each value in turn
            pass
    elif read is _flag and set(map(type, values)) <= _BOOL_OR_NONE:
        return [None if v is None else v for v in values]
    return [None] * len(values)


_BOOL_OR_NONE = frozenset({bool, type(None)})


_GROUP_PARSER = applicant_parser("groups")
_GROUP_BITS: dict[tuple[str, ...], int] = {}


def _groups(value: object) -> int:
    if type(value) is list and all(type(g) is str for g in value):
        key = tuple(value)  # the names as given: the parser sees the list itself
        found = _GROUP_BITS.get(key)
        if found is not None:
            return found
        try:
            bits = sum(BIT[g] for g in _GROUP_PARSER(value, "groups"))
        except RecordError:
            raise _BadError from None
        if len(_GROUP_BITS) < _CACHE_LIMIT:
            _GROUP_BITS[key] = bits
        return bits
    raise _BadError


def _flag(value: object) -> bool:
    if value is True or value is False:
        return value
    raise _BadError


_PLATFORM = _Values("platform", lambda _: True)
_BUSINESS_TYPE = _Values("business_type", BUSINESS_CODES.__getitem__)
_OCCUPATION = _Values("platform_occupation", OCCUPATION_CODES.__getitem__)


def _platform(value: object) -> bool:
    return bool(_PLATFORM(value))


_TAXES = frozenset(TAXES)


def _remember(amount: object, fen: int) -> None:
    """Cache an amount string the contract's parser accepted."""
    if type(amount) is str and len(AMOUNT_CACHE) < _CACHE_LIMIT:
        AMOUNT_CACHE[amount] = fen


def _tax_due(records: list[dict[str, Any]], bad: set[int]) -> dict[str, npt.NDArray[np.int64]]:
    parse = applicant_parser("tax_due")
    n = len(records)
    out = {tax: np.zeros(n, np.int64) for tax in TAXES}
    given: set[str] = set()
    fen_of = AMOUNT_CACHE.get
    for i, r in enumerate(records):
        value = r.get("tax_due")
        if value is None:
            continue
        if type(value) is dict and _TAXES.issuperset(value):
            cached = [
                (tax, fen_of(amount) if type(amount) is str else None)
                for tax, amount in value.items()
            ]
            if all(fen is not None for _, fen in cached):
                for tax, known in cached:
                    out[tax][i] = known  # type: ignore[assignment]
                    given.add(tax)
                continue
        try:
            pairs = parse(value, "tax_due")
        except RecordError:
            bad.add(i)
            continue
        for tax, fen in pairs:
            out[tax][i] = fen
            given.add(tax)
            _remember(value[tax], fen)
    return {tax: out[tax] for tax in TAXES if tax in given}


def _loan(
    records: list[dict[str, Any]], bad: set[int]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    parse = applicant_parser("loan")
    n = len(records)
    kinds = np.zeros(n, np.int8)
    fens = np.zeros(n, np.int64)
    for i, r in enumerate(records):
        value = r.get("loan")
        if value is None:
            continue
        if type(value) is dict and len(value) == 2:
            kind = value.get("kind")
            code = LOAN_CODES.get(kind) if type(kind) is str else None
            amount = value.get("amount")
            known = AMOUNT_CACHE.get(amount) if type(amount) is str else None
            if code is not None and known is not None:
                kinds[i], fens[i] = code, known
                continue
        try:
            kind, fen = parse(value, "loan")
        except RecordError:
            bad.add(i)
            continue
        kinds[i], fens[i] = LOAN_CODES[kind], fen
        _remember(value["amount"], fen)
    return kinds, fens


def _entries(records: list[dict[str, Any]], field: str, key: str, bad: set[int]) -> Entries:
    """Read contributions (by month) or premiums (by day) across the chunk."""
    lists = [r.get(field) for r in records]
    for i, value in enumerate(lists):
        if value is not None and type(value) is not list:
            bad.add(i)
    lengths = [len(value) if type(value) is list else 0 for value in lists]
    flat: list[Any] = [e for value in lists if type(value) is list for e in value]
    month = key == "month"
    if not flat:
        return Entries.empty(np.int32 if month else "datetime64[D]")
    rows = np.repeat(np.arange(len(records), dtype=np.intp), lengths)
    cache = MONTH_CACHE if key == "month" else _DAYS_OF_ENTRIES
    # The common shape: two-key dicts of strings already seen, looked up at C speed;
    # anything else is parsed (and so checked) by the contract's own entry parser.
    keys: list[Any] = [None] * len(flat)
    fens: list[Any] = [None] * len(flat)
    if set(map(type, flat)) == _DICT and set(map(len, flat)) == _TWO:
        try:
            keys = list(map(cache.get, map(itemgetter(key), flat)))
            fens = list(map(AMOUNT_CACHE.get, map(itemgetter("amount"), flat)))
        except (KeyError, TypeError):  # another key, or an unhashable value
            keys, fens = [None] * len(flat), [None] * len(flat)
    parse = applicant_entry_parser(field)
    for j in [j for j, (k, f) in enumerate(zip(keys, fens, strict=True)) if k is None or f is None]:
        keys[j], fens[j] = _entry(flat[j], parse, key, cache, bad, row=int(rows[j]))
    key_array: Any = np.fromiter(keys, np.int32 if month else np.int64, len(keys))
    fen_array = np.fromiter(fens, np.int64, len(fens))
    # Each record's entries in order (by month, or by day then amount), as the parser
    # orders them; a month twice is left to the parser, which words the error.
    same_row = rows[1:] == rows[:-1]
    if not bool(np.all(~same_row | (key_array[1:] > key_array[:-1]))):
        order = np.lexsort((fen_array, key_array, rows))
        rows, key_array, fen_array = rows[order], key_array[order], fen_array[order]
        if month:
            repeated = (rows[1:] == rows[:-1]) & (key_array[1:] == key_array[:-1])
            bad.update(rows[1:][repeated].tolist())
    if not month:
        key_array = key_array.view("datetime64[D]")
    starts = _starts(rows)
    return Entries(
        key_array,
        fen_array,
        starts,
        rows[starts],
        unique=True,
        identity=len(starts) == len(records),
    )


def _entry(  # noqa: PLR0913 - one entry and where to note it
    entry: object,
    parse: Callable[[object, str], tuple[Any, ...]],
    key: str,
    cache: dict[str, Any],
    bad: set[int],
    *,
    row: int,
) -> tuple[Any, int]:
    """Parse one entry with the contract's parser, remembering its strings.

    An entry whose strings an earlier entry of the chunk taught the caches is not
    parsed again.
    """
    if type(entry) is dict and len(entry) == 2:
        text, amount = entry.get(key), entry.get("amount")
        if type(text) is str and type(amount) is str:
            known_key, known_fen = cache.get(text), AMOUNT_CACHE.get(amount)
            if known_key is not None and known_fen is not None:
                return known_key, known_fen
    try:
        parsed_key, fen = parse(entry, "")  # an error is worded by the record parser, later
    except RecordError:
        bad.add(row)
        return (0 if key == "month" else NAT_INT), 0
    assert isinstance(entry, dict)  # noqa: S101 - the parser accepted it
    if key != "month":
        parsed_key = (parsed_key - _EPOCH).days  # numpy's day number
    if len(cache) < _CACHE_LIMIT and type(entry.get(key)) is str:
        cache[entry[key]] = parsed_key
    _remember(entry.get("amount"), fen)
    return parsed_key, fen


def _starts(rows: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where each run of one row's entries starts."""
    boundary = np.empty(len(rows), bool)
    boundary[0] = True
    np.not_equal(rows[1:], rows[:-1], out=boundary[1:])
    starts: npt.NDArray[np.intp] = np.flatnonzero(boundary)
    return starts


_DICT = {dict}
_TWO = {2}
_DAYS_OF_ENTRIES: dict[str, Any] = {}


def _take(x: Applicants, keep: npt.NDArray[np.intp]) -> Applicants:
    """The columns of some records only."""
    out = Applicants.blank(len(keep))
    out.groups = x.groups[keep]
    out.dates = {name: days[keep] for name, days in x.dates.items()}
    out.flags = {name: flags[keep] for name, flags in x.flags.items()}
    out.platform = x.platform[keep]
    out.business_type = x.business_type[keep]
    out.platform_occupation = x.platform_occupation[keep]
    out.tax_due = {tax: due[keep] for tax, due in x.tax_due.items()}
    out.loan_kind, out.loan_fen = x.loan_kind[keep], x.loan_fen[keep]
    out.contributions = _take_entries(x.contributions, keep, x.n)
    out.premiums = _take_entries(x.premiums, keep, x.n)
    return out


def _take_entries(entries: Entries, keep: npt.NDArray[np.intp], n: int) -> Entries:
    if len(entries.fen) == 0:
        return entries
    new_row = np.full(n, -1, np.intp)
    new_row[keep] = np.arange(len(keep))
    rows = new_row[entries.rows()]
    kept = rows >= 0
    rows = rows[kept]
    if len(rows) == 0:
        return Entries.empty(entries.keys.dtype)
    starts = _starts(rows)
    return Entries(
        entries.keys[kept],
        entries.fen[kept],
        starts,
        rows[starts],
        unique=True,
        identity=len(starts) == len(keep),
    )
