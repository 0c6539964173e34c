"""The drafter on five test notices of the other layouts, held to their hand-written plans.

Each `tests/data/draft-*.txt` is an imaginary city's notice as copied from a PDF or a web page,
and `tests/data/draft-*.toml` beside it is its plan written by hand in format 2 (the header
comment of each says which real notices it is modelled on):

- `draft-inline-2024`: units in brackets after each task, marked 牵头/配合/负责/会同/按职责分工负责;
- `draft-first-listed-2023`: units in brackets with no markers; "排在第一位的为牵头单位";
- `draft-labelled-2024`: 牵头单位： / 配合单位： / 责任单位： / 完成时限： lines;
- `draft-no-lead-2022`: units with no lead marked and no convention stated;
- `draft-traditional-2024`: `draft-inline-2024` in traditional characters, as a mirror publishes it.

The first half checks the expected plans themselves against their texts, so that a failure of
the second half (the drafter against the expected plans) is the drafter's.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import yantai_policy as yp
from published_text import published_lines, squash

DATA = Path(__file__).parent / "data"

NOTICES = (
    "draft-inline-2024",
    "draft-first-listed-2023",
    "draft-labelled-2024",
    "draft-no-lead-2022",
    "draft-traditional-2024",
)

LEAD_RULES = {
    "draft-inline-2024": "explicit",
    "draft-first-listed-2023": "first_listed",
    "draft-labelled-2024": "explicit",
    "draft-no-lead-2022": "none",
    "draft-traditional-2024": "explicit",
}
"""The lead rule each notice states (or, for the no-lead notice, its silence)."""


@cache
def _source(name: str) -> bytes:
    return (DATA / f"{name}.txt").read_bytes()


@cache
def _expected(name: str) -> dict[str, Any]:
    """The hand-written plan, as TOML gives it (dates as datetime.date)."""
    return tomllib.loads((DATA / f"{name}.toml").read_text("utf-8"))


def _published(name: str) -> dict[int, str]:
    """Line number -> line of the notice's text, its furniture lines removed."""
    return published_lines(_source(name), _expected(name)["provenance"]["furniture_lines"])


def _joined(lines: dict[int, str], node: dict[str, Any]) -> str:
    """A node's lines as the drafter's contract joins them: each stripped, then concatenated."""
    first, last = node["lines"]
    return "".join(lines.get(n, "").strip() for n in range(first, last + 1))


def _tasks(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for measure in plan["measures"]:
        yield from measure["tasks"]


def _zh_nodes(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """Every node with lines, with the zh texts it holds, as (where, node, texts)."""
    notice = plan["notice"]
    keys = ("title", "issuer", "addressees", "preamble", "attachment", "annex_title")
    texts = [notice[k]["zh"] for k in keys if k in notice]
    texts += [notice[k]["zh"] for k in ("publication_note",) if k in notice]
    parents = notice.get("parents") or [notice["parent"]]
    texts += [p["title"]["zh"] for p in parents] + [p["document_number"] for p in parents]
    texts.append(notice["document_number"])
    yield "notice", notice, texts
    for section in notice.get("sections", []):
        yield (
            f"section {section['number']}",
            section,
            [section["heading"]["zh"], section["text"]["zh"]],
        )
    for measure in plan["measures"]:
        head = [measure["title"]["zh"], measure["provincial_text"]["zh"]]
        yield f"measure {measure['number']}", measure, head
        for task in measure["tasks"]:
            yield f"task {task['id']}", task, [task["text"]["zh"]] if "text" in task else []
            for item in task.get("items", []):
                yield f"task {task['id']} item {item['number']}", item, [item["text"]["zh"]]


# --- the expected plans against their texts ---------------------------------------------


@pytest.mark.parametrize("name", NOTICES)
def test_expected_plan_loads(name: str) -> None:
    """Each expected plan loads as a full plan, with its stated lead rule."""
    policy = yp.load_policy(DATA / f"{name}.toml")
    assert policy.lead_rule.value == LEAD_RULES[name]
    assert policy.provenance.source_file == f"{name}.txt"


@pytest.mark.parametrize("name", NOTICES)
def test_expected_plan_records_its_text(name: str) -> None:
    """The provenance records the sha256 of the text file beside the plan."""
    assert (
        hashlib.sha256(_source(name)).hexdigest() == _expected(name)["provenance"]["source_sha256"]
    )


@pytest.mark.parametrize("name", NOTICES)
def test_every_notice_is_big_enough(name: str) -> None:
    """Each notice has at least 15 tasks and 10 distinct units, as issue 13 asks."""
    plan = _expected(name)
    assert len(list(_tasks(plan))) >= 15
    assert len({b["id"] for b in plan["bureaus"]}) >= 10


@pytest.mark.parametrize("name", NOTICES)
def test_every_zh_is_a_slice_of_its_lines(name: str) -> None:
    """Every zh of the expected plan occurs verbatim in its node's lines, stripped and joined."""
    lines = _published(name)
    wrong = [
        where
        for where, node, texts in _zh_nodes(_expected(name))
        for text in texts
        if text not in _joined(lines, node)
    ]
    assert wrong == []


@pytest.mark.parametrize("name", NOTICES)
def test_spans_start_with_their_text(name: str) -> None:
    """A section is its lines; a measure, task or item's lines are its number, its text, then its units."""
    lines = _published(name)
    plan = _expected(name)
    number = r"^(?:[一二三四五六七八九十]+、|\d+\.|[（(][一二三四五六七八九十\d]+[）)])"
    wrong = []
    for where, node, texts in _zh_nodes(plan):
        if where == "notice" or not texts:
            continue
        joined = _joined(lines, node)
        if where.startswith("section"):
            if joined != "".join(texts):
                wrong.append(where)
        elif not re.sub(number, "", joined).startswith(
            texts[0] + "。" * where.startswith("measure")
        ):
            wrong.append(where)
    assert wrong == []


@pytest.mark.parametrize("name", NOTICES)
def test_spans_do_not_overlap(name: str) -> None:
    """Measures, and the tasks within them, cover disjoint lines in printed order."""
    plan = _expected(name)
    for nodes in (plan["measures"], list(_tasks(plan))):
        spans = [tuple(node["lines"]) for node in nodes]
        assert all(first <= last for first, last in spans)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


@pytest.mark.parametrize("name", NOTICES)
def test_every_unit_is_printed_in_its_task(name: str) -> None:
    """Each unit a task or item is assigned is printed (as its name or a short name) in its lines."""
    plan = _expected(name)
    lines = _published(name)
    names = {b["id"]: [b["name"]["zh"], *b.get("short_names", [])] for b in plan["bureaus"]}
    missing = []
    for task in _tasks(plan):
        for node in [task, *task.get("items", [])]:
            units = node.get("units") or [a["unit"] for a in node.get("assignments", [])]
            where = squash(_joined(lines, node))
            missing += [(task["id"], u) for u in units if not any(n in where for n in names[u])]
    assert missing == []
