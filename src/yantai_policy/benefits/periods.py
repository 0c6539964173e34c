"""Periods and rounding: the PRC Civil Code's rules for periods, and money to the fen.

Civil Code art. 201: a period counted in years, months or days does not count the
starting day; it begins the next day. Art. 202: a period of months or years ends on
the corresponding day of the last month, or, where that month has no such day, on
the month's last day. So a condition "N months or more" holds from the day *after*
the period's last day.

Limitations:
    Art. 203 (a last day that falls on a public holiday moves to the next working
    day) governs deadlines for doing something, not lengths of operation or
    coverage, and needs a holiday calendar; it is not applied.

Examples:
    >>> import datetime as dt
    >>> period_end(dt.date(2021, 1, 15), months=6)
    datetime.date(2021, 7, 15)
    >>> period_end(dt.date(2021, 8, 31), months=6)  # no 31 February: the month's last day
    datetime.date(2022, 2, 28)
    >>> holds_after(dt.date(2021, 1, 15), months=6)  # "6 months or more" holds from
    datetime.date(2021, 7, 16)
    >>> round_half_up_fen(1, 2)  # half a fen rounds up
    1
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from yantai_policy.parameters import EXACT

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "fen_to_yuan",
    "fens_to_yuan",
    "holds_after",
    "month_index",
    "month_label",
    "period_end",
    "round_half_up_fen",
]

_ONE_DAY = dt.timedelta(days=1)
# fen * 0.01 in a context of the largest precision: exact, and the same whatever the
# caller's context (one of low precision, decimal.getcontext().prec = 6, would round).
_TO_YUAN = functools.partial(EXACT.multiply, Decimal("0.01"))


def period_end(start: dt.date, *, months: int = 0, years: int = 0) -> dt.date:
    """Return the last day of a period of months or years that starts on ``start``.

    The starting day itself is not counted (Civil Code art. 201); the period ends on
    the corresponding day, or the last day of the month where none exists (art. 202).
    """
    return _period_end(start, months + 12 * years)


@functools.lru_cache(maxsize=1 << 16)
def _period_end(start: dt.date, months: int) -> dt.date:
    # Cached: a register holds a few thousand distinct dates, and relativedelta is slow.
    return start + relativedelta(months=months)


def holds_after(start: dt.date, *, months: int = 0, years: int = 0) -> dt.date:
    """Return the first day on which "``months`` or more since ``start``" holds."""
    return period_end(start, months=months, years=years) + _ONE_DAY


def month_index(year: int, month: int) -> int:
    """Return a month as one integer (``year * 12 + month - 1``), for month arithmetic."""
    return year * 12 + month - 1


def month_label(index: int) -> str:
    """Return the ``YYYY-MM`` label of a month index.

    Examples:
        >>> month_label(month_index(2021, 12))
        '2021-12'
    """
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def round_half_up_fen(numerator: int, denominator: int) -> int:
    """Return ``numerator / denominator`` fen rounded half-up to a whole fen.

    Both are non-negative integers, so the rounding is exact: no float is involved.
    """
    return (2 * numerator + denominator) // (2 * denominator)


def fen_to_yuan(fen: int) -> Decimal:
    """Return an integer number of fen as Decimal yuan with two places.

    Exact whatever the caller's decimal context: the product ``fen * 0.01`` is taken
    in a context of the largest precision, not the current one.

    Examples:
        >>> fen_to_yuan(500000)
        Decimal('5000.00')
        >>> import decimal
        >>> with decimal.localcontext(prec=3):
        ...     fen_to_yuan(123456)
        Decimal('1234.56')
    """
    result: Decimal = _TO_YUAN(fen)
    return result


def fens_to_yuan(fens: Iterable[int]) -> list[Decimal]:
    """Return [`fen_to_yuan`][yantai_policy.benefits.periods.fen_to_yuan] of each value (one loop, for tables of many amounts).

    Examples:
        >>> fens_to_yuan([0, 66599])
        [Decimal('0.00'), Decimal('665.99')]
    """
    return list(map(_TO_YUAN, fens))
