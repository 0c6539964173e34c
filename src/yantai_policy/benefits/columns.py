"""Records as columns: the one form every formula computes on.

Each formula ([`yantai_policy.benefits`][yantai_policy.benefits]) is written once, over numpy arrays of a
batch of records: [`Applicants`][yantai_policy.benefits.columns.Applicants] (or [`Placements`][yantai_policy.benefits.columns.Placements] for measure 11). One
record is a batch of one. The arrays come from parsed records
([`applicants`][yantai_policy.benefits.columns.applicants], [`placements`][yantai_policy.benefits.columns.placements]: what [`evaluate`][yantai_policy.benefits.evaluate]
and [`evaluate_many`][yantai_policy.benefits.evaluate_many] use) or straight from a DataFrame
([`yantai_policy.benefits.frame`][yantai_policy.benefits.frame]).

The arithmetic here is exact: money is int64 fen, ratios are Fractions applied to
whole fen with half-up rounding, and Civil Code periods are computed with
``datetime64[M]`` arithmetic and the day clipped to the month's end (art. 202), which
equals [`period_end`][yantai_policy.benefits.periods.period_end] day for day.

Bounds: each amount, and each applicant's sum of contributions or premiums, must be
at most [`MAX_FEN`][yantai_policy.benefits.records.MAX_FEN] (2**53 - 1 fen, about 90
trillion yuan). The record contract refuses a larger amount; a larger sum raises
[`PolicyError`][yantai_policy.errors.PolicyError] rather than lose a fen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs
import numpy as np

from yantai_policy.benefits.periods import month_index
from yantai_policy.benefits.records import (
    APPLICANT_CONTRACT,
    BUSINESS_TYPES,
    GROUPS,
    LOAN_KINDS,
    MAX_FEN,
    PLACEMENT_CONTRACT,
    PLATFORM_OCCUPATIONS,
    TAXES,
)
from yantai_policy.errors import PolicyError
from yantai_policy.parameters import EXACT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from fractions import Fraction

    import numpy.typing as npt

    from yantai_policy.benefits.records import Applicant, Placement

    Bools = npt.NDArray[np.bool_]
    Ints = npt.NDArray[np.int64]
    Days = npt.NDArray[np.datetime64]

__all__ = [
    "BIT",
    "FLAGS",
    "MAX_FEN",
    "Applicants",
    "Entries",
    "Placements",
    "applicants",
    "entries_within",
    "flat_fen",
    "group_mask",
    "month_of",
    "per_day",
    "period_end_days",
    "placements",
    "scaled",
    "sum_by_row",
    "window_sums",
]

I64_MAX = 2**63 - 1
NAT = np.datetime64("NaT", "D")
NAT_INT = np.iinfo(np.int64).min  # NaT's integer value
EPOCH_MONTH = month_index(1970, 1)  # numpy's month 0 as a month index
BIT = {name: 1 << index for index, name in enumerate(sorted(GROUPS))}
"""Each group's bit in `Applicants.groups`."""
FLAGS = tuple(f.name for f in APPLICANT_CONTRACT if f.kind == "bool")
"""The applicant's boolean fields."""
DATES = tuple(f.name for f in APPLICANT_CONTRACT if f.kind == "date")
"""The applicant's date fields."""


def choice_codes(choices: tuple[str, ...]) -> dict[str, int]:
    """Each choice's code in a column of choices: 1 + its index (0 is absent)."""
    return {choice: code for code, choice in enumerate(choices, 1)}


BUSINESS_CODES = choice_codes(BUSINESS_TYPES)
"""``business_type`` codes in `Applicants.business_type`."""
OCCUPATION_CODES = choice_codes(PLATFORM_OCCUPATIONS)
"""``platform_occupation`` codes in `Applicants.platform_occupation`."""
LOAN_CODES = choice_codes(LOAN_KINDS)
"""``loan.kind`` codes in `Applicants.loan_kind`."""


def group_mask(names: Iterable[str]) -> int:
    """Return the bits of some groups in `Applicants.groups`."""
    out = 0
    for name in names:
        out |= BIT[name]
    return out


class Entries(NamedTuple):
    """Dated amounts (contributions, premiums), grouped in runs of one applicant's entries."""

    keys: Any
    """Month indexes (int32) for contributions, days (datetime64[D]) for premiums."""
    fen: Ints
    starts: npt.NDArray[np.intp]
    """The position of each run's first entry."""
    run_rows: npt.NDArray[np.intp]
    """The applicant (row) of each run."""
    unique: bool
    """Whether each applicant has at most one run."""
    identity: bool
    """Whether the runs are the rows 0, 1, ... n - 1, in order."""
    table: npt.NDArray[np.int32] | None = None
    """For months given as codes: the month of each code (rising), else None."""
    aligned: bool = False
    """Whether every run is each code of [`table`][yantai_policy.benefits.columns.Entries.table] once, in order: a (runs, k) matrix."""

    def lengths(self) -> npt.NDArray[np.intp]:
        """The number of entries of each run."""
        lengths: npt.NDArray[np.intp] = np.diff(self.starts, append=len(self.fen))
        return lengths

    def rows(self) -> npt.NDArray[np.intp]:
        """The applicant of each entry."""
        return np.repeat(self.run_rows, self.lengths())

    def month_keys(self) -> npt.NDArray[np.int32]:
        """The month index of each entry (the codes resolved)."""
        keys: npt.NDArray[np.int32] = self.keys if self.table is None else self.table[self.keys]
        return keys

    @classmethod
    def empty(cls, dtype: npt.DTypeLike) -> Entries:
        """No entries at all."""
        none = np.zeros(0, np.intp)
        return cls(
            np.zeros(0, dtype), np.zeros(0, np.int64), none, none, unique=True, identity=False
        )


@attrs.define
class Applicants:
    """A batch of applicant records as arrays, one entry per record.

    Absent values are NaT (dates), False (flags, platform) or 0 (codes, amounts).

    Attributes:
        n: The number of records.
        ids: Each record's id, where known (``None`` for a frame read column-wise).
        groups: The groups as bits ([`BIT`][yantai_policy.benefits.columns.BIT]).
        dates: Each date field of the contract ([`DATES`][yantai_policy.benefits.columns.DATES]): NaT where absent.
        flags: Each boolean field: True where the record says True.
        platform: Whether a platform is given.
        business_type: 1 + the index in ``BUSINESS_TYPES``; 0 where absent.
        platform_occupation: 1 + the index in ``PLATFORM_OCCUPATIONS``; 0 where absent.
        tax_due: The fen due for each tax given (absent taxes: nothing due).
        loan_kind: 1 + the index in ``LOAN_KINDS``; 0 where no loan is asked for.
        loan_fen: The loan requested.
        contributions: The social-insurance contributions paid, by month.
        premiums: The accident-insurance premiums paid, by day.
    """

    n: int
    groups: Ints
    dates: dict[str, Days]
    flags: dict[str, Bools]
    platform: Bools
    business_type: npt.NDArray[np.int8]
    platform_occupation: npt.NDArray[np.int8]
    tax_due: dict[str, Ints]
    loan_kind: npt.NDArray[np.int8]
    loan_fen: Ints
    contributions: Entries
    premiums: Entries

    @classmethod
    def blank(cls, n: int) -> Applicants:
        """Return ``n`` records with every field absent.

        The absent dates are one read-only array of NaT (nothing to write for a
        field a reader then fills); the other fields are zeros (allocated lazily).
        """
        none = np.broadcast_to(NAT, (n,))
        return cls(
            n=n,
            groups=np.zeros(n, np.int64),
            dates=dict.fromkeys(DATES, none),
            flags={name: np.zeros(n, bool) for name in FLAGS},
            platform=np.zeros(n, bool),
            business_type=np.zeros(n, np.int8),
            platform_occupation=np.zeros(n, np.int8),
            tax_due={},
            loan_kind=np.zeros(n, np.int8),
            loan_fen=np.zeros(n, np.int64),
            contributions=Entries.empty(np.int32),
            premiums=Entries.empty("datetime64[D]"),
        )

    def has(self, group: str) -> Bools:
        """Whether each record belongs to a group."""
        found: Bools = (self.groups & BIT[group]) != 0
        return found

    def any_of(self, groups: Iterable[str]) -> Bools:
        """Whether each record belongs to at least one of some groups."""
        found: Bools = (self.groups & group_mask(groups)) != 0
        return found

    def is_business(self, kind: str) -> Bools:
        """Whether each record's ``business_type`` is ``kind``."""
        found: Bools = self.business_type == BUSINESS_CODES[kind]
        return found


@attrs.define
class Placements:
    """A batch of placement records (measure 11) as arrays.

    Attributes:
        n: The number of records.
        flags: Each boolean field: True where the record says True.
        contract_months: The contract's length in months; -1 where absent.
    """

    n: int
    flags: dict[str, Bools]
    contract_months: Ints


def _entries(
    runs: list[tuple[int, tuple[tuple[Any, int], ...]]], n: int, dtype: npt.DTypeLike
) -> Entries:
    """One run of entries per record that has any, in row order."""
    if not runs:
        return Entries.empty(dtype)
    lengths = np.fromiter((len(entries) for _, entries in runs), np.intp, len(runs))
    starts = np.zeros(len(runs), np.intp)
    np.cumsum(lengths[:-1], out=starts[1:])
    keys = np.array([key for _, entries in runs for key, _ in entries], dtype=dtype)
    fen = np.array([_exact(f) for _, entries in runs for _, f in entries], dtype=np.int64)
    run_rows = np.fromiter((row for row, _ in runs), np.intp, len(runs))
    return Entries(keys, fen, starts, run_rows, unique=True, identity=len(runs) == n)


def applicants(records: Sequence[Applicant]) -> Applicants:
    """Return parsed applicant records as columns.

    Examples:
        >>> from yantai_policy.benefits.records import parse_applicant
        >>> x = applicants([parse_applicant({"id": "A", "groups": ["graduate"]})])
        >>> x.n, bool(x.has("graduate")[0])
        (1, True)
    """
    n = len(records)
    bits = BIT
    x = Applicants.blank(n)
    x.groups = np.fromiter(
        (sum(bits[g] for g in r.groups) if r.groups else 0 for r in records), np.int64, n
    )
    x.dates = {
        name: np.array([getattr(r, name) for r in records], dtype="datetime64[D]") for name in DATES
    }
    x.flags = {
        name: np.fromiter((getattr(r, name) is True for r in records), bool, n) for name in FLAGS
    }
    x.platform = np.fromiter((r.platform is not None for r in records), bool, n)
    x.business_type = np.fromiter(
        (BUSINESS_CODES.get(r.business_type or "", 0) for r in records), np.int8, n
    )
    x.platform_occupation = np.fromiter(
        (OCCUPATION_CODES.get(r.platform_occupation or "", 0) for r in records), np.int8, n
    )
    x.tax_due = _taxes(records)
    loans = [(row, r.loan) for row, r in enumerate(records) if r.loan is not None]
    if loans:
        rows = np.array([row for row, _ in loans], np.intp)
        x.loan_kind[rows] = [LOAN_CODES[kind] for _, (kind, _) in loans]
        x.loan_fen[rows] = [_exact(fen) for _, (_, fen) in loans]
    x.contributions = _entries(
        [(row, r.contributions) for row, r in enumerate(records) if r.contributions],
        n,
        np.int32,
    )
    x.premiums = _entries(
        [(row, r.accident_premiums) for row, r in enumerate(records) if r.accident_premiums],
        n,
        "datetime64[D]",
    )
    return x


def _exact(fen: int) -> int:
    if fen > MAX_FEN:
        raise PolicyError(f"an amount exceeds {MAX_FEN} fen, beyond the exact range")
    return fen


def _taxes(records: Sequence[Applicant]) -> dict[str, Ints]:
    given = {tax for r in records for tax, _ in r.tax_due}
    out = {}
    for tax in TAXES:
        if tax in given:
            out[tax] = np.fromiter(
                (_exact(dict(r.tax_due).get(tax, 0)) for r in records), np.int64, len(records)
            )
    return out


PLACEMENT_FLAGS = tuple(f.name for f in PLACEMENT_CONTRACT if f.kind == "bool")
"""The placement's boolean fields."""


def placements(records: Sequence[Placement]) -> Placements:
    """Return parsed placement records as columns."""
    n = len(records)
    flags = {
        name: np.fromiter((getattr(r, name) is True for r in records), bool, n)
        for name in PLACEMENT_FLAGS
    }
    months = np.fromiter(
        (-1 if r.contract_months is None else min(r.contract_months, I64_MAX) for r in records),
        np.int64,
        n,
    )
    return Placements(n=n, flags=flags, contract_months=months)


# ---------------------------------------------------------------- arithmetic


def period_end_days(start: Days, months: int) -> Days:
    """Vectorised [`period_end`][yantai_policy.benefits.periods.period_end]: add months, clip the day.

    Args:
        start: Days (``datetime64[D]``); NaT gives NaT.
        months: The period's length in months.

    Returns:
        The last day of each period: the same day ``months`` later, or the last day
        of that month where it has no such day (Civil Code art. 202).

    Examples:
        >>> import numpy as np
        >>> period_end_days(np.array(["2021-08-31", "2020-02-29", "NaT"], "datetime64[D]"), 6)
        array(['2022-02-28', '2020-08-29', 'NaT'], dtype='datetime64[D]')
    """
    month = start.astype("datetime64[M]")
    offset = (start - month.astype("datetime64[D]")).astype(np.int64)  # day of month - 1
    target = month + np.timedelta64(months, "M")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    clipped = np.minimum(offset, length - 1)
    clipped[np.isnat(start)] = 0
    end: Days = first + clipped.astype("timedelta64[D]")
    return end


def month_of(days: Days) -> npt.NDArray[np.int32]:
    """Month indexes (``year * 12 + month - 1``) of days; garbage where NaT."""
    out: npt.NDArray[np.int32] = (
        days.astype("datetime64[M]").astype(np.int64) + EPOCH_MONTH
    ).astype(np.int32)
    return out


def per_day(days: Days, compute: Callable[[Days], npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """Apply a function of days through a table over the range of days present.

    Calendar arithmetic (datetime64[D] to [M]) costs far more than a look-up, and a
    register's dates span a few thousand days, so each day in the range is computed
    once. A range much wider than the array is computed directly instead.
    """
    if len(days) < 64:
        return compute(days)
    ints = days.view(np.int64)
    low = int(ints.min())
    some_missing = low == NAT_INT  # NaT is the smallest int64
    if some_missing:
        missing = np.isnat(days)
        if missing.all():
            return compute(days)
        low = int(ints[~missing].min())
    span = int(ints.max()) - low + 1
    if span > 2 * len(days) + 4096:
        return compute(days)
    table_days = np.empty(span + 1, "datetime64[D]")
    table_days[:span] = np.arange(low, low + span).astype("datetime64[D]")
    table_days[span] = NAT
    index = ints - low
    if some_missing:
        index[missing] = span
    table = compute(table_days)
    return table[index]


def scaled(values: Ints, ratio: Fraction, *, half_up: bool) -> Ints:
    """``values * ratio`` in whole fen: rounded half-up, or down; exact in any range.

    Runs in int64 when the intermediate fits, else in Python integers.
    """
    num, den = ratio.numerator, ratio.denominator
    top = max(int(values.max(initial=0)), 1)
    if half_up and 2 * top * num + 2 * den <= I64_MAX:
        up: Ints = values * (2 * num)  # in place from here: one array, not three
        up += den
        up //= 2 * den
        return up
    if not half_up and top * num + den <= I64_MAX:
        down: Ints = values * num
        down //= den
        return down
    big = values.astype(object)
    exact = (2 * num * big + den) // (2 * den) if half_up else big * num // den
    if len(exact) and max(exact) > I64_MAX:
        raise PolicyError("an amount exceeds the int64 range of the columns")
    result: Ints = exact.astype(np.int64)
    return result


def param_fen(value: object, name: str) -> int:
    """A parameter's yuan as fen, refused if beyond int64.

    Exact whatever the caller's decimal context: the product is taken in
    [`EXACT`][yantai_policy.parameters.EXACT].
    """
    fen = int(EXACT.multiply(value, 100))  # type: ignore[arg-type]
    if fen > I64_MAX:
        raise PolicyError(f"parameter {name} = {value} exceeds the int64 range of the columns")
    return fen


def flat_fen(values: Mapping[str, object], name: str, n: int) -> Ints | None:
    """The same amount for every record, from a yuan parameter; ``None`` where it has no value.

    A formula whose amount is a fixed sum (5,000 yuan, or a standard the notice leaves to
    other rules) reads it this way, so an unsupplied standard means "not determinable".
    """
    value = values.get(name)
    return None if value is None else np.full(n, param_fen(value, name), np.int64)


def checked(sums: Ints) -> Ints:
    """Refuse sums beyond [`MAX_FEN`][yantai_policy.benefits.columns.MAX_FEN]."""
    if len(sums) and int(sums.max()) > MAX_FEN:
        raise PolicyError(
            f"an applicant's amounts sum to more than {MAX_FEN} fen, beyond the exact range"
        )
    return sums


def sum_by_row(rows: npt.NDArray[np.intp], fen: Ints, counted: Bools, n: int) -> Ints:
    """Sum the counted entries' fen per row, exactly (float64 sums below 2**53)."""
    if len(rows) == 0:
        return np.zeros(n, np.int64)
    weights = np.where(counted, fen, 0).astype(np.float64)
    sums = np.bincount(rows, weights=weights, minlength=n)
    if n and sums.max() > MAX_FEN:  # float sums are exact below 2**53, and so is this test
        checked(np.array([MAX_FEN + 1]))
    result: Ints = sums.astype(np.int64)
    return result


def _codes_of(
    months: npt.NDArray[np.int32], table: npt.NDArray[np.int32], side: Literal["left", "right"]
) -> Ints:
    """``numpy.searchsorted(table, months, side)``, through a table over the months' range."""
    if len(months) == 0:
        return np.zeros(0, np.int64)
    low = int(months.min())
    span = int(months.max()) - low + 1
    if span > len(months):
        found: Ints = np.searchsorted(table, months, side=side)
        return found
    lookup = np.searchsorted(table, np.arange(low, low + span), side=side)
    result: Ints = lookup[months - low]
    return result


def entries_within(
    entries: Entries, first: npt.NDArray[np.int32], last: npt.NDArray[np.int32]
) -> Bools:
    """Whether each entry's month is in ``[first, last]`` of its row (what [`window_sums`][yantai_policy.benefits.columns.window_sums] adds)."""
    rows = entries.rows()
    months = entries.month_keys()
    inside: Bools = (months >= first[rows]) & (months <= last[rows])
    return inside


def window_sums(
    entries: Entries, n: int, first: npt.NDArray[np.int32], last: npt.NDArray[np.int32]
) -> Ints:
    """Per applicant, the fen of the entries whose month is in ``[first, last]`` of its row.

    Each applicant's entries in one run (the usual layout) take the fast path: int64
    sums per run, over a (runs, k) matrix when every run has k entries (with a
    look-up of each row's window mask when the runs are the same k months in
    order). Otherwise, or where an int64 sum could overflow, the float64 bincount
    of [`sum_by_row`][yantai_policy.benefits.columns.sum_by_row].
    """
    months, fen = entries.keys, entries.fen
    runs = len(entries.starts)
    if runs == 0:
        return np.zeros(n, np.int64)
    if entries.aligned and entries.table is not None and len(entries.table) <= _MASK_WIDTH:
        run_sums = _aligned_sums(entries, first, last)
        return _placed(entries, run_sums, n)
    if entries.table is not None:  # months as codes: the window as a range of codes
        first = _codes_of(first, entries.table, "left").astype(months.dtype)
        last = (_codes_of(last, entries.table, "right") - 1).astype(months.dtype)
    lengths = entries.lengths()
    longest = int(lengths.max())
    if not entries.unique or longest * MAX_FEN > I64_MAX:  # a run of over 1023 entries
        rows = entries.rows()
        inside = (months >= first[rows]) & (months <= last[rows])
        return sum_by_row(rows, fen, inside, n)
    identity = entries.identity
    low = (first if identity else first[entries.run_rows]).astype(months.dtype)
    high = (last if identity else last[entries.run_rows]).astype(months.dtype)
    if longest * runs == len(fen):  # every run has the same number of entries: a matrix
        grid = months.reshape(runs, longest)
        inside = (grid >= low[:, None]) & (grid <= high[:, None])
        run_sums = np.einsum("ij,ij->i", fen.reshape(runs, longest), inside)  # int64, exact
    else:
        inside = (months >= np.repeat(low, lengths)) & (months <= np.repeat(high, lengths))
        run_sums = np.add.reduceat(np.where(inside, fen, 0), entries.starts)
    return _placed(entries, run_sums, n)


def _placed(entries: Entries, run_sums: Ints, n: int) -> Ints:
    """Each run's sum at its applicant's row (0 for an applicant without entries), checked."""
    if entries.identity:
        return checked(run_sums.astype(np.int64, copy=False))
    out = np.zeros(n, np.int64)
    out[entries.run_rows] = run_sums
    return checked(out)


_MASK_WIDTH = 16
"""The most months a row's window mask is looked up for (a mask is 16 bytes)."""
_BLOCK = 32_768
"""Rows per block of the aligned matrix sum: the masks of a block stay in cache."""
_MASKS: dict[int, npt.NDArray[np.complex128]] = {}


def _window_masks(k: int) -> npt.NDArray[np.complex128]:
    """The mask of each window ``[lo, hi]`` of k columns, at ``lo * (k + 1) + hi + 1``.

    A mask is 16 bytes (1 where the column is in the window), held as one 16-byte
    item so that a row's mask is one look-up.
    """
    found = _MASKS.get(k)
    if found is None:
        masks = np.zeros((k + 1, k + 1, _MASK_WIDTH), np.uint8)
        for lo in range(k + 1):
            for hi in range(lo, k):
                masks[lo, hi + 1, lo : hi + 1] = 1
        found = masks.reshape(-1, _MASK_WIDTH).view(np.complex128).reshape(-1)
        _MASKS[k] = found
    return found


def _aligned_sums(
    entries: Entries, first: npt.NDArray[np.int32], last: npt.NDArray[np.int32]
) -> Ints:
    """The window sums of runs that are each code of the table once, in order."""
    table = entries.table
    assert table is not None  # noqa: S101 - checked by the caller
    k = len(table)
    runs = len(entries.starts)
    if not entries.identity:
        first, last = first[entries.run_rows], last[entries.run_rows]
    # The window in columns: lo = the months of the table before first (0..k),
    # hi + 1 = the months up to last (0..k); an empty window has hi + 1 <= lo.
    if int(table[-1]) - int(table[0]) == k - 1:  # consecutive months: arithmetic, in place
        lo: npt.NDArray[np.integer[Any]] = first - np.int32(table[0])
        np.clip(lo, 0, k, out=lo)
        upto: npt.NDArray[np.integer[Any]] = last - np.int32(table[0] - 1)
        np.clip(upto, 0, k, out=upto)
    else:
        lo = _codes_of(first, table, "left")
        upto = _codes_of(last, table, "right")
    np.maximum(upto, lo, out=upto)  # empty windows: the all-zero mask at hi + 1 == lo
    return _masked_sums(entries.fen.reshape(runs, k), lo, upto, k)


def _masked_sums(
    grid: Ints, lo: npt.NDArray[np.integer[Any]], upto: npt.NDArray[np.integer[Any]], k: int
) -> Ints:
    """Each row's sum of its columns ``lo`` to ``upto - 1`` (``lo`` is overwritten), by blocks."""
    window = lo
    window *= k + 1
    window += upto
    masks = _window_masks(k)
    runs = len(grid)
    out = np.empty(runs, np.int64)
    for start in range(0, runs, _BLOCK):
        stop = min(start + _BLOCK, runs)
        inside = masks[window[start:stop]].view(np.uint8).reshape(stop - start, _MASK_WIDTH)
        np.einsum("ij,ij->i", grid[start:stop], inside[:, :k], out=out[start:stop])  # int64, exact
    return out
