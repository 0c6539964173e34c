"""Dates as the library reads them: ``YYYY-MM-DD``, and a clear reason when one does not exist.

Examples:
    >>> parse_date("2021-07-16")
    datetime.date(2021, 7, 16)
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ...
    ValueError: 2021-02-30: February 2021 has 28 days
"""

from __future__ import annotations

import datetime as dt

__all__ = ["parse_date"]


def parse_date(text: str) -> dt.date:
    """Return the date written ``YYYY-MM-DD`` (ASCII digits, nothing around them).

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: The text is not of that form, or names a day that does not exist;
            the message says which, such as ``2021-02-30: February 2021 has 28 days``.
    """
    if not isinstance(text, str):
        raise TypeError(f"a date is a string such as '2021-07-16', not {type(text).__name__}")
    parts = text.split("-")
    if (
        len(text) != 10
        or [len(p) for p in parts] != [4, 2, 2]
        or not all(p.isascii() and p.isdigit() for p in parts)
    ):
        raise ValueError(f"{text!r}: expected a date as YYYY-MM-DD")
    year, month, day = (int(p) for p in parts)
    if not 1 <= month <= 12:
        raise ValueError(f"{text}: there is no month {month}")
    if year < 1:
        raise ValueError(f"{text}: there is no year 0")
    first = dt.date(year, month, 1)
    days = 31 if month == 12 else (dt.date(year, month + 1, 1) - first).days
    if not 1 <= day <= days:
        raise ValueError(f"{text}: {first:%B} {year} has {days} days")
    return dt.date(year, month, day)
