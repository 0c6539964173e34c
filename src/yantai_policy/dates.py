"""The one parser of ``YYYY-MM-DD`` dates, which says why a date does not exist.

Every date the project reads as text goes through [parse_date][yantai_policy.dates.parse_date]:
the command line's ``--on``, the record contract's date fields, the plan file's dates and
the dated keys of parameters. Python's ``datetime.date.fromisoformat`` accepts other ISO
forms too (``20210215``, ``2021-W07-1``) and says only "invalid isoformat string"; this
accepts ``YYYY-MM-DD`` alone and names the reason.

Examples:
    >>> parse_date("2021-07-16")
    datetime.date(2021, 7, 16)
    >>> parse_date("2021-02-30")
    Traceback (most recent call last):
    ...
    yantai_policy.dates.DateError: invalid date '2021-02-30': February 2021 has 28 days
    >>> parse_date("20210230")
    Traceback (most recent call last):
    ...
    yantai_policy.dates.DateError: invalid date '20210230': expected YYYY-MM-DD
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

__all__ = ["CHINA", "DateError", "china_today", "parse_date"]

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (UTC+8, no daylight saving): the day the notice's offices keep."""

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_LOOSE = re.compile(r"(\d{1,4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_MONTHS = (
    "",
    *[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
)
"""English month names, fixed (``calendar.month_name`` follows the process's locale)."""
_SHOWN = 40
"""Characters of a bad text quoted in the message; the rest is cut."""


class DateError(ValueError):
    """A text that is not a date that exists, as ``YYYY-MM-DD``.

    The message is ``invalid date '<text>': <reason>``; ``text`` and ``reason`` are kept.

    Attributes:
        text: The text given.
        reason: Why it is not a date, such as ``February 2021 has 28 days``.
    """

    def __init__(self, text: str, reason: str) -> None:
        """Keep the text and the reason; the message joins them."""
        shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
        super().__init__(f"invalid date {shown!r}: {reason}")
        self.text = text
        self.reason = reason


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` (ASCII digits, two-digit month and day) into a date.

    Args:
        text: The text to read.

    Returns:
        The date.

    Raises:
        DateError: The text is not in that form, or names a day that does not exist;
            the message says which (``there is no month 13``, ``February 2021 has 28 days``,
            ``there is no year 0``, ``expected YYYY-MM-DD, not a date and time``).

    Examples:
        >>> parse_date("2024-02-29")
        datetime.date(2024, 2, 29)
        >>> for text in ("2021-13-01", "2021-00-10", "2021-04-31", "0000-01-01", "2021-2-3"):
        ...     try:
        ...         parse_date(text)
        ...     except ValueError as error:
        ...         print(error)
        invalid date '2021-13-01': there is no month 13
        invalid date '2021-00-10': there is no month 0
        invalid date '2021-04-31': April 2021 has 30 days
        invalid date '0000-01-01': there is no year 0
        invalid date '2021-2-3': expected YYYY-MM-DD, with a two-digit month and day
    """
    if not isinstance(text, str):
        raise DateError(str(text), f"expected text YYYY-MM-DD, got {type(text).__name__}")
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        raise DateError(text, _form(text))
    with contextlib.suppress(ValueError):  # the common case, fast; the reason otherwise
        return dt.date.fromisoformat(text)
    year, month, day = (int(g) for g in match.groups())
    if year == 0:
        raise DateError(text, "there is no year 0")
    if not 1 <= month <= 12:
        raise DateError(text, f"there is no month {month}")
    if day == 0:
        raise DateError(text, "there is no day 0")
    days = 31 if month == 12 else (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days
    if day > days:
        raise DateError(text, f"{_MONTHS[month]} {year} has {days} days")
    return dt.date(year, month, day)  # pragma: no cover - fromisoformat took every real day


def _form(text: str) -> str:
    """Why a text is not of the form ``YYYY-MM-DD``."""
    if _LOOSE.fullmatch(text):
        return "expected YYYY-MM-DD, with a two-digit month and day"
    if _ISO_DATE.match(text) and text[10:11] in ("T", " "):
        return "expected YYYY-MM-DD, not a date and time"
    return "expected YYYY-MM-DD"


def china_today() -> dt.date:
    """Return today's date in China (UTC+8), the default day of the command line and the ledger."""
    return dt.datetime.now(tz=CHINA).date()
