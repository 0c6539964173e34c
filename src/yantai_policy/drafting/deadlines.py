"""Deadlines and reporting rhythms, as a plan prints them after a task.

A responsibility plan gives a task's deadline (完成时限) in the parenthetical after it
(``（市市场监管局负责；2025年6月底前完成）``) or on a labelled line (``完成时限：2024年12月底前``),
and sometimes how often progress is reported (``每季度报送进展情况``). `deadline_value`
reads the first into a plan file's ``deadline`` and `reporting_value` the second into its
``reporting``.

Periods are calendar periods: the end of a month is its last day (`calendar.monthrange`),
a half-year ends on 30 June or 31 December, a quarter on the last day of its third month.
Where a phrase names several dates (2024年6月底前启动，2025年底前完成) the last one named is
the deadline. The printed words are kept as printed (traditional characters and
full-width digits included); matching is done on their folded form.

Examples:
    >>> deadline_value("2025年6月底前完成")
    {'on': datetime.date(2025, 6, 30), 'text': '2025年6月底前完成'}
    >>> deadline_value("2025年第一季度")["on"]
    datetime.date(2025, 3, 31)
    >>> deadline_value("长期坚持")
    '长期坚持'
    >>> deadline_value("每季度报送进展情况") is None
    True
    >>> reporting_value("每半年报送一次进展情况")
    'half_yearly'
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from yantai_policy.drafting.source import fold

__all__ = ["deadline_value", "reporting_value"]

_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# One dated phrase (folded). Named groups say which form it is; the alternatives are
# tried left to right, the most specific first.
_DATED = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:"
    r"(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日|(?P<part>上旬|中旬|下旬|底|末|份)?)"
    r"|(?P<half>上|下)半年"
    r"|第?(?P<quarter>[一二三四1-4])\s*季度"
    r"|(?P<yearend>年?(?:底|末)|内|度内|全年|(?=完成|建成|实现))"
    r")"
)
# Words that say a task has no end (folded): the printed words are the deadline.
_OPEN = re.compile(
    r"长期(?:坚持|推进|开展|实施|落实|执行)?|持续(?:推进|开展|实施|落实|做好|执行)"
    r"|常态化(?:推进|开展|实施|落实|执行)?|长效(?:推进|落实)|逐年(?:推进|落实)"
)
_TRAILING = "。；;，,. \u3000"
# 每月 / 每季度 / 每半年 / 每年 followed, in the same clause, by a word of reporting.
_REPORTING = re.compile(
    r"(?:每|按)个?(?P<period>月|季度|季|半年|年度|年)[^。;,]{0,20}?(?:报送|报告|上报|汇报|报)"
)
_PERIODS = {
    "月": "monthly",
    "季度": "quarterly",
    "季": "quarterly",
    "半年": "half_yearly",
    "年度": "yearly",
    "年": "yearly",
}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day(match: re.Match[str]) -> dt.date | None:  # noqa: PLR0911 - one return per form
    """The day a dated phrase means, or None where it names no real day."""
    year = int(match["year"])
    try:
        if match["month"] is not None:
            month = int(match["month"])
            if match["day"] is not None:
                return dt.date(year, month, int(match["day"]))
            part = match["part"]
            if part == "上旬":
                return dt.date(year, month, 10)
            if part == "中旬":
                return dt.date(year, month, 20)
            return _month_end(year, month)
        if match["half"] is not None:
            return dt.date(year, 6, 30) if match["half"] == "上" else dt.date(year, 12, 31)
        if match["quarter"] is not None:
            return _month_end(year, 3 * _QUARTERS[match["quarter"]])
    except ValueError:  # 2025年13月, 2025年2月30日
        return None
    return dt.date(year, 12, 31)  # 2025年底, 2025年年底, 2025年内


def _printed(text: str) -> str:
    return text.strip().rstrip(_TRAILING).strip()


def deadline_value(text: str) -> str | dict[str, Any] | None:
    """Return a plan file's ``deadline`` for a printed deadline phrase, or None.

    A phrase with a date gives ``{"on": date, "text": printed}``; an open-ended one
    (长期坚持, 持续推进, 常态化推进) gives the printed words alone; anything else (a
    reporting rhythm, words the drafter does not know) gives None.

    Args:
        text: The phrase as printed, such as ``2025年12月底前完成``.

    Examples:
        >>> deadline_value("2025年年底前")["on"], deadline_value("2025年9月30日前")["on"]
        (datetime.date(2025, 12, 31), datetime.date(2025, 9, 30))
        >>> deadline_value("2025年下半年")["on"], deadline_value("2024年2月")["on"]
        (datetime.date(2025, 12, 31), datetime.date(2024, 2, 29))
        >>> deadline_value("2025年13月底前") is None
        True
    """
    printed = _printed(text)
    if not printed:
        return None
    folded = fold(printed)
    days = [_day(m) for m in _DATED.finditer(folded)]
    if days:
        if any(day is None for day in days):
            return None
        last = days[-1]
        assert last is not None  # noqa: S101 - checked just above
        return {"on": last, "text": printed}
    if reporting_value(printed) is None and _OPEN.search(folded):
        return printed
    return None


def reporting_value(text: str) -> str | None:
    """Return a plan file's ``reporting`` for a phrase such as ``每季度报送进展情况``, or None.

    每月 gives monthly, 每季度 quarterly, 每半年 half_yearly and 每年 yearly, where the
    phrase says the progress is reported (报送, 报告, 上报).

    Examples:
        >>> reporting_value("每月报送"), reporting_value("每年12月10日前报送完成情况")
        ('monthly', 'yearly')
        >>> reporting_value("每季度开展一次检查") is None
        True
    """
    match = _REPORTING.search(fold(text))
    return _PERIODS[match["period"]] if match else None
