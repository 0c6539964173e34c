r"""The inline layout: the units in a parenthetical after each task.

Many plans print each task as a numbered paragraph followed by its units, their role
markers and its deadline in brackets:

    1. 推行个体工商户登记“一网通办”……（市市场监管局负责；2025年6月底前完成）
    2. 清理取消对灵活就业的不合理限制……（市发展改革委、市人力资源社会保障局牵头，
    市市场监管局、市司法局配合；2025年12月底前完成）

Measures are headings 一、 (or （一） where the tasks are 1.), tasks numbered 1. / 1、 /
（一）, items （1） / (1) / ①. The parenthetical is not part of the task's text. Its units
are split by `yantai_policy.drafting.units.split_units`, with the markers 牵头, 配合,
负责, 会同 and 按职责分工负责; 各区市人民政府 and its like set the task's ``districts``;
the clauses after the units give its ``deadline`` and ``reporting``
(`yantai_policy.drafting.deadlines`). A parenthetical that names no unit (（以下简称…）,
（含）) is text. The reading is shared with the labelled layout
(`yantai_policy.drafting.paragraphs`), so a plan that puts some units on labelled lines
is read whole.

Examples:
    >>> from yantai_policy.drafting import draft_plan
    >>> text = "\n".join([
    ...     "一、优化服务。提升服务水平。",
    ...     "1. 推行“一网通办”。（市市场监管局牵头，市大数据局配合；2025年6月底前完成）",
    ...     "2. 建设零工市场。（市人力资源社会保障局负责，各区市人民政府负责）",
    ... ])
    >>> draft = draft_plan(text, layout="inline")
    >>> task = draft.plan["measures"][0]["tasks"][0]
    >>> task["text"]["zh"], task["deadline"]["on"], [a.get("role") for a in task["assignments"]]
    ('推行“一网通办”。', datetime.date(2025, 6, 30), ['lead', 'assist'])
    >>> draft.plan["measures"][0]["tasks"][1]["districts"]
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yantai_policy.drafting.paragraphs import read_paragraphs

if TYPE_CHECKING:
    from yantai_policy.drafting.build import MeasureDraft, Review
    from yantai_policy.drafting.source import SourceText
    from yantai_policy.drafting.units import CityUnits

__all__ = ["read_inline"]


def read_inline(
    source: SourceText, start: int, units: CityUnits
) -> tuple[list[MeasureDraft], SourceText, list[Review]]:
    """Read a plan that prints its units in a parenthetical after each task.

    Args:
        source: The notice's lines.
        start: The index in ``source.content`` where the annexed plan starts.
        units: The known unit names, for the notice's city.

    Returns:
        The measures, the source with any running heads it found added to its
        furniture, and the review entries.
    """
    return read_paragraphs(source, start, units)
