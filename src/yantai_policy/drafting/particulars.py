"""A notice's particulars: number, issuer, title, addressees, sections, date, annex.

Chinese government notices share one head and one foot (GB/T 9704, the layout of
official documents): the issuer and title (…关于印发…的通知), the document number
(烟政办字〔2021〕3号), the addressees ending in a colon, a preamble citing the parent
documents as 《title》（number）, numbered sections 一、二、…, the attachment line
(附件：…), the issuer's signature over the date, and the publication note
(（此件公开发布）). The plan itself follows as the annex.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs

from yantai_policy.drafting.build import Review
from yantai_policy.drafting.source import Line, SourceText, fold

__all__ = ["Particulars", "document_number", "read_particulars"]

# 烟政办字〔2021〕3号, 鲁政办发〔2020〕19 号, 国办发[2020]27号 (folded brackets).
_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*第?\s*\d{1,4}\s*号"
)
_DIGITS = "〇○零一二三四五六七八九"
_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ZH = re.compile(
    rf"([{_DIGITS}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_SECTION = re.compile(r"([一二三四五六七八九十]{1,3})、")
_TITLE_END = re.compile(r"(通知|意见|方案|决定|办法|通报|函|批复|规定|细则)$")
_ATTACHMENT = re.compile(r"附\s*件\s*\d*\s*[:：]")
_NOTE = re.compile(r"\((此件[^()]*)\)")
_CITED = re.compile(r"《([^《》]{4,120})》\s*\(\s*([^()]{4,40}?)\s*\)")
_ZH_NUMBERS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}


def document_number(text: str) -> str:
    """Return a document number as plans key it: the printed form without whitespace."""
    return re.sub(r"\s+", "", text)


def _zh_number(text: str) -> int:
    """一 -> 1, 十一 -> 11, 二十 -> 20, 二十三 -> 23."""
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_ZH_NUMBERS[tens] if tens else 1) * 10 + (_ZH_NUMBERS[units] if units else 0)
    return _ZH_NUMBERS[text]


def section_number(text: str) -> int:
    """Return the number of a section heading's numeral (一 -> 1, 十二 -> 12)."""
    return _zh_number(text)


def _date(folded: str) -> dt.date | None:
    match = _DATE.fullmatch(folded)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups()))
        match = _DATE_ZH.fullmatch(folded)
        if match:
            year = int("".join(str(_ZH_NUMBERS[c]) for c in match.group(1)))
            return dt.date(year, _zh_number(match.group(2)), _zh_number(match.group(3)))
    except (ValueError, KeyError):
        return None
    return None


@attrs.frozen
class Particulars:
    """What the head and foot of a notice say, and where the plan's body starts.

    Attributes:
        notice: The plan file's ``notice`` table (texts with empty English).
        issuer: The issuer's name, or "".
        issued_on: The date of the signature, or None.
        city: The city's name taken from the issuer (烟台), or None.
        body: Index in the content lines where the annexed plan's body starts.
        furniture: Line numbers of running heads found (the issuer's name repeated
            at page breaks).
        review: What is missing.
    """

    notice: dict[str, Any]
    issuer: str
    issued_on: dt.date | None
    city: str | None
    body: int
    furniture: frozenset[int]
    review: tuple[Review, ...]


def _text(zh: str) -> dict[str, str]:
    return {"zh": zh, "en": ""}


def _span(lines: list[Line]) -> list[int]:
    return [lines[0].number, lines[-1].number]


def read_particulars(source: SourceText) -> Particulars:  # noqa: C901, PLR0912, PLR0915 - one pass over the head and foot, in document order
    """Read the notice's head and foot; a part it cannot find gets a review entry."""
    lines = source.content
    review: list[Review] = []
    notice: dict[str, Any] = {}
    head = lines[:20]
    # The document number: the first line in the head that holds one.
    number_line = next((n for n in head if _NUMBER.search(n.folded)), None)
    number = ""
    if number_line is not None:
        match = _NUMBER.search(number_line.folded)
        assert match is not None  # noqa: S101 - found just above
        number = document_number(number_line.text[match.start() : match.end()])
        notice["document_number"] = number
    # The title: from the issuer's line down to the line that ends 通知 (or 意见, 方案 …).
    title_lines: list[Line] = []
    start = next((i for i, n in enumerate(head) if "关于" in n.folded), None)
    title_end = None
    first_title = 0
    if start is not None:
        first = start
        while (
            first > 0
            and head[first - 1] is not number_line
            and not head[first - 1].folded.endswith((":", "。", "文件"))
            and len(head[first - 1].folded) <= 30
            and first > start - 2
        ):
            first -= 1
        # A title of a 印发 notice ends at 通知; a line ending 方案 or 意见 may be its middle.
        window = range(start, min(len(head), start + 5))
        ends = [i for i in window if _TITLE_END.search(head[i].folded.rstrip(" 。"))]
        notices = [i for i in ends if head[i].folded.rstrip(" 。").endswith("通知")]
        title_end = next(iter(notices or ends), None)
        if title_end is not None:
            title_lines = [n for n in head[first : title_end + 1] if n is not number_line]
            first_title = first
    title = "".join(n.text for n in title_lines)
    issuer = ""
    if title:
        notice["title"] = _text(title)
        # The fold is one character to one, so the folded text's index cuts the printed text.
        issuer = title[: "".join(n.folded for n in title_lines).find("关于")]
    else:
        review.append(Review("particular-missing", "the title (…关于…的通知) was not found"))
    # Addressees: the line after the title and number that ends with a colon.
    title_next = title_end + 1 if title_end is not None else 0  # a bare plan has no head
    after = max(title_next, head.index(number_line) + 1 if number_line in head else 0)
    cursor = after
    addressee_lines: list[Line] = []
    for index in range(after, min(len(lines), after + 4)):
        if lines[index].folded.endswith(":"):
            addressee_lines = list(lines[after : index + 1])
            cursor = index + 1
            break
    if addressee_lines:
        zh = "".join(n.text for n in addressee_lines)
        notice["addressees"] = _text(zh[:-1])
    # The foot: the attachment line, the signature's date, the publication note.
    attachment = next(
        (i for i, n in enumerate(lines) if i >= cursor and _ATTACHMENT.match(n.folded)), None
    )
    date_index = None
    issued_on = None
    for index in range(cursor, len(lines)):
        found = _date(lines[index].folded)
        if found is not None:
            date_index, issued_on = index, found
            break
    note_index = None
    for index in range(date_index or cursor, min(len(lines), (date_index or cursor) + 4)):
        match = _NOTE.fullmatch(lines[index].folded)
        if match:
            note_index = index
            notice["publication_note"] = _text(lines[index].text[1:-1])
            break
    signature = None
    if date_index is not None and date_index > 0:
        signature = date_index - 1
        if not issuer:
            issuer = lines[signature].text
    if issuer:
        notice["issuer"] = _text(issuer)
    else:
        review.append(Review("particular-missing", "the issuer was not found"))
    if issued_on is not None:
        notice["issued_on"] = issued_on
    else:
        review.append(
            Review("particular-missing", "the date of issue (the signature's date) was not found")
        )
    if "document_number" not in notice:
        review.append(Review("particular-missing", "the document number was not found"))
    # The body of the notice: the preamble, then the numbered sections.
    end = min(i for i in (attachment, signature, len(lines)) if i is not None)
    sections: list[dict[str, Any]] = []
    preamble: list[Line] = []
    current: list[Line] = []
    for line in lines[cursor:end]:
        match = _SECTION.match(line.folded)
        if match and _zh_number(match.group(1)) == len(sections) + 1:
            if sections:
                sections[-1]["_lines"] = current
            sections.append({"_heading": line})
            current = [line]
        elif sections:
            current.append(line)
        else:
            preamble.append(line)
    if sections:
        sections[-1]["_lines"] = current
    if preamble:
        notice["preamble"] = _text("".join(n.text for n in preamble))
    notice_sections = []
    for number_, section in enumerate(sections, 1):
        body_lines: list[Line] = section["_lines"]
        heading = body_lines[0].text
        rest = "".join(n.text for n in body_lines[1:])
        if "。" in heading[:-1] or not rest:
            cut = heading.find("。") + 1 or len(heading)
            heading, rest = heading[:cut], heading[cut:] + rest
        notice_sections.append(
            {
                "number": number_,
                "lines": _span(body_lines),
                "heading": _text(heading),
                "text": _text(rest or heading),
            }
        )
    if notice_sections:
        notice["sections"] = notice_sections
    parents = []
    printed = "".join(n.text for n in preamble)  # matched folded, kept as printed
    for match in _CITED.finditer("".join(n.folded for n in preamble)):
        cited = document_number(printed[match.start(2) : match.end(2)])
        if _NUMBER.fullmatch(fold(cited)) and cited != number:
            title_zh = printed[match.start(1) : match.end(1)]
            parents.append({"document_number": cited, "title": _text(title_zh)})
    if parents:
        notice["parents"] = parents
    # The annex: 附件 (alone) then its title, or the attachment's title repeated.
    body = note_index + 1 if note_index is not None else cursor
    if note_index is None and date_index is not None:
        body = date_index + 1
    annex_title = ""
    if attachment is not None:
        # The attachment's title may wrap onto the lines before the signature.
        stop = signature if signature is not None and 0 < signature - attachment <= 4 else None
        attached = "".join(n.text for n in lines[attachment : stop or attachment + 1])
        notice["attachment"] = _text(attached)
        annex_title = re.sub(r"^附\s*件\s*\d*\s*[:：]\s*", "", attached)
    for index in range(body, min(len(lines), body + 4)):
        text = lines[index].folded
        if annex_title and re.sub(r"\s", "", text) == re.sub(r"\s", "", annex_title):
            body = index + 1
            break
    if annex_title:
        notice["annex_title"] = _text(annex_title)
    if lines:
        notice["lines"] = [lines[0].number, lines[-1].number]
    # Running heads: the issuer's name alone on a line, other than in the title and over
    # the date; and the masthead (版头, "…文件") over the title.
    furniture = frozenset(
        n.number
        for i, n in enumerate(lines)
        if issuer
        and (n.text == issuer or (i < first_title and n.folded == fold(issuer) + "文件"))
        and i != signature
        and n not in title_lines
    )
    city_match = re.match(r"([\u4e00-\u9fff]{2,4}?)市", issuer)
    city = city_match.group(1) if city_match else None
    return Particulars(
        notice=notice,
        issuer=issuer,
        issued_on=issued_on,
        city=city,
        body=body,
        furniture=furniture,
        review=tuple(review),
    )
