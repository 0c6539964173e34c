"""The TOML writer for plan files: tomllib reads back what it writes, in the hand-written style."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy.export import policy_to_plan_dict
from yantai_policy.toml_text import dumps

DATA = Path(__file__).parent / "data"

HOSTILE = ['"', "\\", "\n", "\r\n", "\t", "\u2028", "\u2029", "😀", '"""', "'''", "\x00", "\x7f"]
HOSTILE += ["\x85", "\ufeff", "", " ", "a = 1", "[x]", "# not a comment", "\\u0041", "zh"]

strings = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(),
    st.lists(st.sampled_from([*HOSTILE, "中文", "x"]), max_size=6).map("".join),
)
keys = st.one_of(st.sampled_from(["zh", "en", "id", "lines", "a.b", "", "数", "x y"]), strings)
scalars = st.one_of(
    strings,
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.dates(),
)
texts = st.fixed_dictionaries({"zh": strings, "en": st.one_of(st.just(""), strings)})


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
        st.lists(st.dictionaries(keys, children, max_size=5), min_size=1, max_size=3),
    )


values = st.recursive(
    st.one_of(scalars, texts, st.lists(scalars, max_size=4)), _values, max_leaves=25
)
documents = st.dictionaries(keys, values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(strings, max_size=3))
def test_round_trip(data: dict[str, Any], comments: list[str]) -> None:
    """Whatever plan-like dict is written, tomllib reads back an equal dict, comments and all."""
    assert tomllib.loads(dumps(data, comments=comments)) == data


@settings(max_examples=200, deadline=None)
@given(strings)
def test_strings_are_basic_strings_with_non_ascii_literal(text: str) -> None:
    """A string round-trips; what is neither a quote, a backslash nor a control is kept literal."""
    out = dumps({"s": text})
    assert tomllib.loads(out) == {"s": text}
    literal = [c for c in text if c not in '"\\' and not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]
    body = out.removeprefix('s = "').removesuffix('"\n')
    assert all(c in body for c in literal)
    assert "\n" not in body


def _with_dates(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan with its issue dates as datetime.date, as a draft holds them."""
    for part in ("provenance", "notice"):
        plan[part]["issued_on"] = dt.date.fromisoformat(plan[part]["issued_on"])
    return plan


def test_builtin_plan_round_trips_and_loads_the_same(policy: yp.Policy, tmp_path: Path) -> None:
    """The built-in plan written as TOML reads back equal and loads into the same plan."""
    plan = _with_dates(policy_to_plan_dict(policy))
    text = dumps(plan, comments=["The built-in plan, written by yantai_policy.toml_text."])
    assert tomllib.loads(text) == plan
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    again = yp.load_policy(path)
    assert again.measures == policy.measures
    assert again.actions == policy.actions
    assert [[(x.bureau.id, x.role) for x in a.assignments] for a in again.actions] == [
        [(x.bureau.id, x.role) for x in a.assignments] for a in policy.actions
    ]
    assert (again.notice, again.units, again.lead_rule) == (
        policy.notice,
        policy.units,
        policy.lead_rule,
    )
    assert again.parameters == policy.parameters


def test_builtin_plan_takes_the_hand_written_layout(policy: yp.Policy) -> None:
    """Texts and assignments are inline; measures, tasks and items are arrays of tables."""
    text = dumps(policy_to_plan_dict(policy))
    lines = text.splitlines()
    for header in ("[provenance]", "[notice]", "[[notice.sections]]", "[[bureaus]]"):
        assert header in lines
    for header in ("[[measures]]", "[[measures.tasks]]", "[[measures.tasks.items]]"):
        assert header in lines
    assert 'title = { zh = "提供贷款贴息", en = "Provide loan interest subsidies" }' in lines
    assert '[parameters."startup_subsidy.amount"]' in lines
    assert any(line.startswith('assignments = [{ unit = "') for line in lines)


def test_hand_written_plan_round_trips(tmp_path: Path) -> None:
    """The hand-written v2 example, parsed and written again, parses equal and loads the same."""
    source = DATA / "example-flexible-2025.toml"
    plan = tomllib.loads(source.read_text("utf-8"))
    text = dumps(plan)
    assert tomllib.loads(text) == plan
    path = tmp_path / "again.toml"
    path.write_text(text, encoding="utf-8")
    assert yp.load_policy(path).actions == yp.load_policy(source).actions
    assert "parameters = {}" in text.splitlines()
    assert 'deadline = { on = 2025-06-30, text = "2025年6月底前完成" }' in text


def test_header_comments_and_ordering() -> None:
    """Comments come first, each line marked; plain keys precede the tables, each in given order."""
    data = {"t": {"a": 1, "b": 2, "c": 3, "d": 4}, "z": 1, "a": "x"}
    out = dumps(data, comments=["line one\nline two", "bad \x00 char"])
    assert out.splitlines()[:5] == [
        "# line one",
        "# line two",
        "# bad \\u0000 char",
        "",
        "z = 1",
    ]
    assert out.index('a = "x"') < out.index("[t]")
    assert tomllib.loads(out) == data


def test_keys_are_quoted_where_not_bare() -> None:
    """A key with a dot, a space, Chinese or nothing at all is quoted; a bare one is not."""
    out = dumps({"a.b": 1, "x y": 2, "数": 3, "": 4, "ok_key-1": 5})
    assert out.splitlines() == ['"a.b" = 1', '"x y" = 2', '"数" = 3', '"" = 4', "ok_key-1 = 5"]


def test_scalars() -> None:
    """Booleans, integers, floats, dates, date-times and times are written as TOML reads them."""
    data = {
        "yes": True,
        "n": -3,
        "f": 0.5,
        "inf": float("inf"),
        "day": dt.date(2021, 1, 11),
        "at": dt.datetime(2021, 1, 11, 9, 30, 0, 5, tzinfo=dt.UTC),
        "local": dt.datetime(2021, 1, 11, 9, 30),  # noqa: DTZ001 - TOML's local date-time
        "time": dt.time(9, 30),
    }
    assert tomllib.loads(dumps(data)) == data
    assert "day = 2021-01-11" in dumps(data).splitlines()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({"a": None}, TypeError, "a: TOML cannot hold None"),
        ({"m": [{"x": 1}, {"y": {1, 2}}]}, TypeError, "m[1].y: TOML cannot hold set"),
        ({"m": {1: "x"}}, TypeError, "m: a TOML key is a string, not int"),
        ({"s": "a\ud800"}, ValueError, "s: lone surrogate U+D800 at offset 1"),
        ({"t": dt.time(1, tzinfo=dt.UTC)}, TypeError, "t: TOML cannot hold a time of day"),
    ],
)
def test_what_toml_cannot_hold_is_refused_by_its_path(
    data: dict[str, Any], error: type[Exception], message: str
) -> None:
    """None, other types, non-string keys and lone surrogates raise, naming the key path."""
    with pytest.raises(error, match="^" + re.escape(message)):
        dumps(data)


def test_empty_document() -> None:
    """An empty dict is empty text; with comments, only the comments."""
    assert dumps({}) == ""
    assert dumps({}, comments=["x"]) == "# x\n"
    assert tomllib.loads(dumps({"t": {}})) == {"t": {}}


def _answers(policy: yp.Policy) -> list[tuple[object, ...]]:
    """What a plan says of each task, English aside: id, lines, units and roles, text, items."""
    return [
        (
            a.id,
            a.source,
            [(x.bureau.id, x.role) for x in a.assignments],
            a.text.zh,
            [(i.number, i.text.zh, i.role, i.source) for i in a.items],
        )
        for a in policy.actions
    ]


def test_yantai_draft_written_as_toml_loads_audits_and_exports(
    policy: yp.Policy, tmp_path: Path
) -> None:
    """Yantai's notice drafted, written by dumps, loads with the shipped plan's answers, audits, exports."""
    from yantai_policy.audit import audit  # noqa: PLC0415
    from yantai_policy.drafting import draft_plan  # noqa: PLC0415
    from yantai_policy.loading import read_data_file  # noqa: PLC0415

    draft = draft_plan(read_data_file(policy.provenance.source_file).decode("utf-8"))
    path = tmp_path / "draft.toml"
    path.write_text(dumps(draft.plan, comments=["A draft."]), encoding="utf-8")
    loaded = yp.load_policy(path)
    assert _answers(loaded) == _answers(policy)
    codes = {f.code for f in audit(loaded).findings}
    assert "missing-translation" in codes
    assert "<graphml" in yp.export.to_graphml(loaded)
