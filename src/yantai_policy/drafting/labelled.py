r"""The labelled layout: the units on labelled lines after each task.

Some plans print each task as a paragraph followed by lines that name its units:

    1.实施传统产业绿色化改造工程，年内完成重点行业企业技术改造项目100个以上。
    牵头单位：市工业和信息化局
    配合单位：市发展改革委、市生态环境局、市财政局
    完成时限：2024年12月底前

The labels give the roles: 牵头单位 (also 牵头部门, 主办单位, 主责单位) lead, 配合单位
(协办单位, 协同单位, 参与单位) assist, 责任单位 (责任部门, 责任主体) responsible, written
with ``：`` or ``:``, several units separated by 、 or ，, a list possibly split over
lines (a line that continues a list is one whose names are all units). A marker in the
list still counts (责任单位：市发展改革委牵头，市财政局配合). Where the plan states a
first-listed convention (列第一位者为牵头单位), a 责任单位 list is written without roles,
so that the plan's ``lead_rule`` makes the first one the lead. 完成时限, 时间节点 and
完成时间 give the deadline, its text as printed after the label. The labels may also
stand inside a parenthetical (（牵头单位：…；配合单位：…）) or after the task's text on
its line. Labels after the last of a task's items, where no item names units, are the
task's. Measures are read as in the inline layout (`yantai_policy.drafting.paragraphs`).

Examples:
    >>> from yantai_policy.drafting import draft_plan
    >>> text = "\n".join([
    ...     "一、优化服务。提升服务水平。",
    ...     "1.推行“一网通办”。",
    ...     "牵头单位：市市场监管局",
    ...     "配合单位：市大数据局、市司法局",
    ...     "完成时限：2025年6月底前",
    ... ])
    >>> task = draft_plan(text, layout="labelled").plan["measures"][0]["tasks"][0]
    >>> task["lines"], [a["role"] for a in task["assignments"]], task["deadline"]["text"]
    ([2, 5], ['lead', 'assist', 'assist'], '2025年6月底前')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yantai_policy.drafting.paragraphs import read_paragraphs

if TYPE_CHECKING:
    from yantai_policy.drafting.build import MeasureDraft, Review
    from yantai_policy.drafting.source import SourceText
    from yantai_policy.drafting.units import CityUnits

__all__ = ["read_labelled"]


def read_labelled(
    source: SourceText, start: int, units: CityUnits
) -> tuple[list[MeasureDraft], SourceText, list[Review]]:
    """Read a plan that names each task's units on labelled lines after it.

    Args:
        source: The notice's lines.
        start: The index in ``source.content`` where the annexed plan starts.
        units: The known unit names, for the notice's city.

    Returns:
        The measures, the source with any running heads it found added to its
        furniture, and the review entries.
    """
    return read_paragraphs(source, start, units)
