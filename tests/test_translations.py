"""The English of the built-in plan: one term per Chinese term, and one style for unit names.

These pin the fixes of the bilingual review of issue 12. They walk the plan file itself, so
they hold for any shape of the file (format 1 or 2): every ``{"zh": ..., "en": ...}`` pair
is a text of the notice, the table, a unit's name or a parameter's description or note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

import yantai_policy as yp
from yantai_policy.benefits import BENEFITS

PLAN = json.loads(
    resources.files("yantai_policy").joinpath("data", "yantai-2021-3.json").read_text("utf-8")
)


def _texts(node: Any, path: str = "$") -> Iterator[tuple[str, str, str]]:
    """Every (path, zh, en) pair of the plan file, in file order, parameters' texts included."""
    if isinstance(node, dict):
        if isinstance(node.get("zh"), str) and isinstance(node.get("en"), str):
            yield path, node["zh"], node["en"]
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{path}[{i}]")


TEXTS = list(_texts(PLAN))

# (Chinese as printed, the one English rendering it has wherever the Chinese occurs)
TERMS = [
    ("站位", "higher political perspective"),
    (
        "阶段性减免国有房产租金",
        "temporary reduction of and exemption from rent on state-owned properties",
    ),
    ("普惠小微贷款", "inclusive loans to micro and small businesses"),
    ("经办银行", "designated lending banks"),
    ("适度放开、规范有序", "moderate opening-up, in a regulated and orderly way"),
    ("分时就业", "employment in flexible time slots"),
    ("经纪公司", "talent agencies (MCNs)"),
    ("即停即走", "can pull in briefly and leave straight away"),
    ("零工市场", "odd-job market"),
    ("人事代理机构", "personnel agencies"),
    ("兜底服务", "fallback services"),
    ("新业态行业集体协商", "industry-level collective bargaining in new-business-form sectors"),
    (
        "新业态领域行业推进集体协商",
        "industry-level collective bargaining in new-business-form sectors",
    ),
    ("宣讲集体协商知识", "brief them on collective bargaining"),
    ("依附烟台邮政集团公司", "under the umbrella of the Yantai branch of China Post Group"),
    ("先缴后补", "pay first, claim the subsidy afterwards"),
    ("就业困难人员", "employment difficulties"),
    ("分工方案", "Division of Responsibilities"),
]

# Renderings the review retired: none may come back.
RETIRED = [
    "political standing",
    "phased reduction",
    "handling banks",
    "appropriate relaxation",
    "time-shared",
    "agency companies",
    "stopping and leaving",
    "gig-work market",
    "personnel agency institutions",
    "safety-net",
    "explain knowledge",
    "relying on Yantai Postal",
    "subsidy later",
    "difficulty finding employment",
    "hard to employ",
    "Spiritual Civilization",
    "Division-of-Labour",
]


@pytest.mark.parametrize(("zh", "en"), TERMS, ids=[zh for zh, _ in TERMS])
def test_a_chinese_term_has_one_english_rendering(zh: str, en: str) -> None:
    """Every text whose Chinese holds the term renders it with the review's English."""
    hits = [(path, e) for path, z, e in TEXTS if zh in z]
    assert hits, f"{zh} occurs in no text: the table is stale"
    assert [path for path, e in hits if en.lower() not in e.lower()] == []


def test_no_retired_rendering_is_left() -> None:
    """No English text of the plan keeps a wording the bilingual review replaced."""
    left = [(path, old) for path, _, e in TEXTS for old in RETIRED if old.lower() in e.lower()]
    assert left == []


def test_three_parties_four_organisations_is_glossed_at_its_first_occurrence() -> None:
    """三方四家 is explained where it first occurs: the tripartite mechanism and its four members."""
    first = next(e for _, z, e in TEXTS if "三方四家" in z)
    gloss = first[first.index("three parties, four organisations") :]
    for member in (
        "tripartite",
        "human resources and social security department",
        "federation of trade unions",
        "enterprise confederation/entrepreneurs' association",
        "federation of industry and commerce",
    ):
        assert member in gloss


def test_17_1_attaches_flexible_employment_to_the_contributions() -> None:
    """Action 17.1 subsidises contributions paid after taking up flexible employment."""
    text = yp.load_policy().action("17.1").text
    assert "contributions paid after taking up flexible employment by" in text.en


def test_a_measure_title_matches_its_provincial_text() -> None:
    """Where the provincial text opens with the measure's title, so does its English."""
    opening = [
        m for m in yp.load_policy().measures if m.provincial_text.zh.startswith(m.title.zh + "。")
    ]
    assert len(opening) >= 12  # measure 12 among them
    assert [
        m.number for m in opening if not m.provincial_text.en.startswith(m.title.en + ".")
    ] == []


def test_a_municipal_bureau_is_named_yantai_municipal_x_bureau() -> None:
    """Each municipal 局 is "Yantai Municipal … Bureau" and each 委 "Yantai Municipal … Commission"."""
    wrong = []
    for b in yp.load_policy().bureaus:
        if not re.fullmatch(r"市.+[局委]", b.name.zh) or b.name.zh == "市税务局":
            continue  # a branch of a national agency, a people's organisation or an office
        ending = "Bureau" if b.name.zh.endswith("局") else "Commission"
        if not re.fullmatch(rf"Yantai Municipal [A-Z][\w ,-]+ {ending}", b.name.en):
            wrong.append((b.name.zh, b.name.en))
    assert wrong == []


def test_civilisation_office_has_its_english_name() -> None:
    """市文明办 is the Office of the Yantai Commission for Cultural and Ethical Progress."""
    office = yp.load_policy().bureau("市文明办")
    assert office.name.en == "Office of the Yantai Commission for Cultural and Ethical Progress"


def test_a_unit_mentioned_in_a_text_is_called_by_its_english_name() -> None:
    """Where a text names a unit of the plan, its English uses that unit's English name."""
    policy = yp.load_policy()
    checked = 0
    for action in policy.actions:
        en = " ".join([action.text.en, *(item.text.en for item in action.items)])
        for ref in action.references:
            if ref.bureau is not None:
                checked += 1
                assert policy.bureau(ref.bureau).name.en in en, (action.id, ref.mention)
    assert checked > 0


def test_line_22_is_called_the_masthead() -> None:
    """The plan's comment calls line 22 (烟台市人民政府办公室) the masthead, not a running head."""
    comment = " ".join(PLAN["comment"])
    assert "masthead (line 22)" in comment
    assert "running head" not in comment


def test_the_subsidy_conditions_use_the_plans_terms() -> None:
    """The social-insurance subsidy's conditions word 就业困难人员 and 先缴后补 as the plan does."""
    specs = {s.code: s.text.en for s in BENEFITS["social_insurance_subsidy"].specs}
    assert "employment difficulties" in specs["hard_to_employ"]
    assert "pay first, claim the subsidy afterwards" in specs["paid_first"]
