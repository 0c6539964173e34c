"""The drafter on Yantai's notice: the draft matches the shipped plan, piece by piece."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from yantai_policy.drafting import Draft, DraftError, draft_plan, read_notice
from yantai_policy.loading import policy_from_dict, read_data_file

DATA = Path(__file__).parent / "data"


@cache
def _yantai() -> Draft:
    return draft_plan(read_data_file("yantai-2021-3.txt").decode(), source_file="yantai-2021-3.txt")


@cache
def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_data_file("yantai-2021-3.json"))
    return data


def _tasks(plan: dict[str, Any] | Any) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for m in plan["measures"] for t in m["tasks"]}


def _roles(task: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a["unit"], a.get("role", "responsible")) for a in task["assignments"]]


def test_yantai_is_read_as_a_table_of_20_measures_and_49_tasks() -> None:
    """Yantai's notice is drafted in the table layout, with its 20 measures and 49 tasks."""
    draft = _yantai()
    assert draft.layout == "table"
    assert [m["number"] for m in draft.plan["measures"]] == list(range(1, 21))
    assert list(_tasks(draft.plan)) == list(_tasks(_shipped()))


@pytest.mark.parametrize("number", range(1, 21))
def test_each_measure_matches_the_shipped_plan(number: int) -> None:
    """Each measure's lines, title and provincial text are those of the shipped plan."""
    drafted = _yantai().plan["measures"][number - 1]
    shipped = _shipped()["measures"][number - 1]
    assert drafted["lines"] == shipped["lines"]
    assert drafted["title"]["zh"] == shipped["title"]["zh"]
    assert drafted["provincial_text"]["zh"] == shipped["provincial_text"]["zh"]


@pytest.mark.parametrize("task_id", list(_tasks(_shipped())))
def test_each_task_matches_the_shipped_plan(task_id: str) -> None:
    """Each task's lines, units, roles, text, items and references are those of the shipped plan."""
    drafted = _tasks(_yantai().plan)[task_id]
    shipped = _tasks(_shipped())[task_id]
    assert drafted["lines"] == shipped["lines"]
    assert _roles(drafted) == _roles(shipped)
    assert drafted.get("text", {}).get("zh") == shipped.get("text", {}).get("zh")

    def items(task: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (i["number"], i["lines"], i["text"]["zh"], i.get("role")) for i in task.get("items", [])
        ]

    assert items(drafted) == items(shipped)

    def refs(task: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(r["mention"], r["kind"], r.get("bureau")) for r in task.get("references", [])]

    assert refs(drafted) == refs(shipped)


def test_units_and_furniture_match_the_shipped_plan() -> None:
    """The units (ids, names, short forms, kinds, in order) and the furniture lines are the shipped ones."""
    draft = _yantai().plan
    shipped = _shipped()

    def units(bureaus: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(b["id"], b["name"]["zh"], b.get("short_names") or [], b["kind"]) for b in bureaus]

    assert units(draft["bureaus"]) == units(shipped["bureaus"])
    assert draft["provenance"]["furniture_lines"] == shipped["provenance"]["furniture_lines"]
    assert draft["provenance"]["source_sha256"] == shipped["provenance"]["source_sha256"]
    assert draft["lead_rule"] == shipped["lead_rule"]


def test_the_particulars_match_the_shipped_notice() -> None:
    """Number, issuer, date, title, addressees, sections, attachment and note match the shipped notice."""
    drafted = _yantai().plan["notice"]
    shipped = _shipped()["notice"]
    for key in ("title", "issuer", "addressees", "preamble", "attachment", "annex_title"):
        assert drafted[key]["zh"] == shipped[key]["zh"], key
    assert drafted["publication_note"]["zh"] == shipped["publication_note"]["zh"]
    assert drafted["document_number"] == shipped["document_number"]
    assert drafted["issued_on"].isoformat() == shipped["issued_on"]
    assert drafted["lines"] == shipped["lines"]
    assert [(p["document_number"], p["title"]["zh"]) for p in drafted["parents"]] == [
        (shipped["parent"]["document_number"], shipped["parent"]["title"]["zh"])
    ]
    sections = [
        (s["number"], s["lines"], s["heading"]["zh"], s["text"]["zh"]) for s in drafted["sections"]
    ]
    assert sections == [
        (s["number"], s["lines"], s["heading"]["zh"], s["text"]["zh"]) for s in shipped["sections"]
    ]


def test_english_is_left_empty() -> None:
    """Every English text of the draft is empty, for translation."""

    def walk(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["en"]] if "zh" in node and "en" in node else []
            return own + [e for v in node.values() for e in walk(v)]
        if isinstance(node, list):
            return [e for v in node for e in walk(v)]
        return []

    english = walk(_yantai().plan)
    assert english
    assert set(english) == {""}


def test_yantai_needs_no_review() -> None:
    """The drafter decides everything in Yantai's notice: its review list is empty."""
    assert _yantai().review == ()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe\x00\xd8garbage", "can't be decoded"),
        (bytes(range(256)) * 4, "can't be decoded"),
        (b"abc\x00def", "NUL"),
        (b"x" * (8 * 1024 * 1024 + 1), "at most"),
    ],
)
def test_unreadable_bytes_are_refused_with_a_clear_error(data: bytes, words: str) -> None:
    """Random bytes, binary data and an oversized file are refused with a DraftError saying why."""
    with pytest.raises(DraftError, match=words):
        read_notice(data, name="bad.txt")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "这是一段没有任何任务的文字。\n第二行。\n"])
def test_a_text_with_no_tasks_gives_an_empty_draft_with_a_review_entry(text: str) -> None:
    """An empty text, or one without tasks, gives a draft with no measures and a no-tasks entry."""
    draft = draft_plan(text, layout="table")
    assert draft.plan["measures"] == []
    assert "no-tasks" in {entry.kind for entry in draft.review}


def test_control_characters_are_refused_with_their_line() -> None:
    """A control character in the text is refused, naming its line."""
    with pytest.raises(DraftError, match="line 2"):
        draft_plan("一\n二\x07\n")


def test_a_table_with_several_units_per_cell_and_a_first_listed_convention() -> None:
    """Cells of several units (one per line, or split by 、 over lines) are read, under 列第一位的为牵头单位."""
    text = (DATA / "draft-table-cells.txt").read_text(encoding="utf-8")
    draft = draft_plan(text)
    assert draft.layout == "table"
    assert draft.plan["lead_rule"] == "first_listed"
    names = {b["id"]: b["name"]["zh"] for b in draft.plan["bureaus"]}
    cells = {
        t["id"]: [names[a["unit"]] for a in t["assignments"]] for t in _tasks(draft.plan).values()
    }
    assert cells == {
        "1.1": ["市商务局", "市财政局"],
        "2.1": ["市城市管理局", "市市场监管局", "市公安局"],
        "3.1": ["市发展改革委", "市商务局", "市交通运输局"],
        "4.1": ["市市场监管局"],
        "5.1": ["市人力资源社会保障局", "市财政局", "人民银行临川市中心支行"],
    }
    assert _tasks(draft.plan)["5.1"]["lines"] == [29, 31]
    assert draft.plan["provenance"]["furniture_lines"] == [12, 20, 21]
    assert draft.review == ()


def test_table_reads_a_deadline_column() -> None:
    """A 完成时限 column gives each task its deadline: own line, after the units, split, open."""
    text = (DATA / "draft-table-deadlines.txt").read_text(encoding="utf-8")
    draft = draft_plan(text)
    assert draft.layout == "table"
    tasks = _tasks(draft.plan)
    names = {b["id"]: b["name"]["zh"] for b in draft.plan["bureaus"]}
    assert {t: [names[a["unit"]] for a in task["assignments"]] for t, task in tasks.items()} == {
        "1.1": ["市行政审批服务局", "市市场监管局"],
        "2.1": ["市住房城乡建设局", "市自然资源和规划局"],
        "3.1": ["市税务局"],
        "4.1": ["市大数据局"],
    }
    assert tasks["1.1"]["deadline"] == {"on": dt.date(2024, 6, 30), "text": "2024年6月底前"}
    assert tasks["2.1"]["deadline"] == {"on": dt.date(2024, 12, 31), "text": "2024年12月底前"}
    assert tasks["3.1"]["deadline"]["on"] == dt.date(2024, 12, 31)
    assert tasks["3.1"]["lines"] == [21, 24]  # the split deadline cell is the task's
    assert tasks["4.1"]["deadline"] == "长期坚持"
    # A task that begins with a date keeps it as its text; the date is not its deadline.
    assert tasks["4.1"]["text"]["zh"].startswith("2025年底前建成")
    assert draft.review == ()
    policy = policy_from_dict(draft.plan)  # the draft loads as a plan, with its deadlines
    assert policy.measures[0].tasks[0].deadline is not None


def test_a_name_printed_in_traditional_characters_is_not_a_new_short_form() -> None:
    """A unit printed once as 市财政局 and once as 市財政局 keeps its first printing, with no short form."""
    lines = [
        "一、做好服务保障。",
        "1. 开展零工技能培训。（市人力资源社会保障局牵头，市财政局配合）",
        "2. 落实职业培训补贴。（市人力资源社会保障局牵头，市財政局配合）",
        "3. 做好资金保障。（市 财政局负责）",
    ]
    text = "\n".join(lines)
    bureaus = {b["id"]: b for b in draft_plan(text, layout="inline").plan["bureaus"]}
    assert bureaus["finance"]["name"]["zh"] == "市财政局"
    assert "short_names" not in bureaus["finance"]


@pytest.mark.parametrize(
    "convention",
    [
        "黑体字的为牵头单位",
        "以黑体字标注的为牵头单位",
        "用黑体标注的单位为牵头单位",
        "加粗显示的为牵头单位",
    ],
)
def test_a_bold_lead_convention_gives_no_lead_and_a_review_entry(convention: str) -> None:
    """A plan that marks its leads in bold drafts no lead, with a role-bold-lost entry on the convention's line."""
    lines = [
        f"各项任务所列单位中，{convention}。",
        "一、做好服务保障。",
        "1. 开展零工技能培训。（市人力资源社会保障局、市财政局）",
    ]
    draft = draft_plan("\n".join(lines), layout="inline")
    assert draft.plan["lead_rule"] == "explicit"
    assert draft.plan["measures"][0]["tasks"][0]["assignments"] == [
        {"unit": "hrss"},
        {"unit": "finance"},
    ]
    assert [(r.kind, r.lines) for r in draft.review if r.kind.startswith("role")] == [
        ("role-bold-lost", (1, 1))
    ]


def _loads(draft: Draft) -> None:
    """The draft, as the CLI writes it, loads as a plan."""
    import tomllib  # noqa: PLC0415

    policy_from_dict(tomllib.loads(draft.to_toml()))


def test_cr_and_crlf_line_ends_draft_as_lf() -> None:
    """Yantai's notice saved with CR LF or CR-only line ends drafts as with LF: same tasks, units, lines."""
    text = read_data_file("yantai-2021-3.txt").decode()
    for ends in ("\r\n", "\r"):
        draft = draft_plan(text.replace("\n", ends))
        assert draft.plan["measures"] == _yantai().plan["measures"]
        assert draft.plan["bureaus"] == _yantai().plan["bureaus"]
        assert draft.review == ()


def test_a_line_of_invisible_characters_is_blank() -> None:
    """A line holding only U+FEFF or U+200B (a pasted fragment) is blank, not a measure's title."""
    lines = (DATA / "draft-table-cells.txt").read_text(encoding="utf-8").split("\n")
    lines.insert(15, "\ufeff")
    lines.insert(20, "\u200b\u3000")
    draft = draft_plan("\n".join(lines))
    assert [m["title"]["zh"] for m in draft.plan["measures"]][:2] == [
        "发展小店经济",
        "支持夜经济等特色经营方式发展",
    ]
    assert draft.review == ()
    _loads(draft)


_HEAD = (
    "某市人民政府办公室\n关于印发某市若干措施任务分工方案的通知\n某政办发〔2024〕1号\n"
    "各区市人民政府：\n现印发给你们。\n某市人民政府办公室\n2024年1月2日\n"
    "一、措施一。\n1.任务一。（市财政局负责）\n（1）子项一。（市财政局牵头）\n"
)


def test_items_with_no_task_above_them_are_each_a_task() -> None:
    """Items （1）（2） under a measure with no task are each drafted as a task, for review."""
    draft = draft_plan(
        _HEAD + "二、措施二。\n（1）子项甲。（市财政局负责）\n（2）子项乙。（市商务局负责）\n"
    )
    tasks = draft.plan["measures"][1]["tasks"]
    assert [(t["id"], t["text"]["zh"], t["lines"]) for t in tasks] == [
        ("2.1", "子项甲。", [12, 12]),
        ("2.2", "子项乙。", [13, 13]),
    ]
    assert [(r.kind, r.lines) for r in draft.review] == [
        ("layout-guess", (12, 12)),
        ("layout-guess", (13, 13)),
    ]
    _loads(draft)


def test_items_out_of_sequence_stay_in_the_tasks_text() -> None:
    """A task whose items do not run 1, 2, … keeps them in its text, for review, and loads."""
    draft = draft_plan(_HEAD + "2.任务二。（市商务局负责）\n（2）子项二。（市商务局负责）\n")
    task = draft.plan["measures"][0]["tasks"][1]
    assert task["text"]["zh"] == "任务二。（2）子项二。"
    assert "items" not in task
    assert [(r.kind, r.lines, r.where) for r in draft.review] == [
        ("line-unplaced", (12, 12), "measures[0].tasks[1]")
    ]
    _loads(draft)


def test_units_with_no_task_text_before_them_are_listed_not_drafted() -> None:
    """A unit block on a line of its own, after a closed task, is listed for review, not an empty task."""
    head = _HEAD.removesuffix("（1）子项一。（市财政局牵头）\n")
    draft = draft_plan(head + "（市商务局负责；长期坚持）\n2.任务二。（市商务局负责）\n")
    tasks = draft.plan["measures"][0]["tasks"]
    assert [(t["id"], t["text"]["zh"]) for t in tasks] == [("1.1", "任务一。"), ("1.2", "任务二。")]
    assert [(r.kind, r.lines) for r in draft.review] == [("line-unplaced", (10, 10))]
    _loads(draft)


def test_a_plan_with_no_measure_headings_and_no_attachment_title_takes_the_notices_title() -> None:
    """Tasks with no measure heading, and no 附件： line, make one measure titled as the notice."""
    lines = (DATA / "example-flexible-2025.txt").read_text(encoding="utf-8").split("\n")
    lines = [n for n in lines if not n.startswith("附件：") and not n.strip().startswith("一、")]
    draft = draft_plan("\n".join(lines))
    title = draft.plan["measures"][0]["title"]["zh"]
    assert title == draft.plan["notice"]["title"]["zh"]
    assert title.endswith("任务分工方案的通知")
    assert "layout-guess" in {entry.kind for entry in draft.review}
    _loads(draft)


def test_a_unit_name_with_an_invisible_character_is_the_known_unit() -> None:
    """A unit name with a U+FEFF inside it is the known unit, not a second one the loader refuses."""
    text = (DATA / "example-flexible-2025.txt").read_text(encoding="utf-8")
    text = text.replace("（市发展改革委、", "（市\ufeff发展改革委、", 1)
    draft = draft_plan(text)
    ids = [b["id"] for b in draft.plan["bureaus"]]
    assert "development_reform" in ids
    assert not any(i.startswith("unit_") for i in ids)
    assert "unit-unknown" not in {entry.kind for entry in draft.review}
    _loads(draft)
