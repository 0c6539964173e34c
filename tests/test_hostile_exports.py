"""Hostile input, carried to the exports: every export of every plan that loads is valid.

Plans are spoilt with hostile text (lone surrogates, control characters, quotes, ``<&>``,
``]]>``, line breaks, direction marks, emoji, very long text) in any of their strings,
or mutated anywhere; a plan the loader accepts must then export validly in every format
and language (``export_checks.check_every_export``). Text no output can hold is refused
by the loader at its path, and by the exports for a policy built by hand.
``docs/hostile-input.md`` records how many inputs these tests try.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from export_checks import check_every_export
from plan_mutation import DELETE, mutate, paths
from yantai_policy import export
from yantai_policy._text import text_problem
from yantai_policy.loading import BUILTIN_PLAN, policy_from_dict, read_data_file

PLAN: dict[str, Any] = json.loads(read_data_file(BUILTIN_PLAN))
SMALL: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent / "data" / "other-city.toml").read_text("utf-8")
)

# Pieces of hostile text; hypothesis's own text (C0 controls included) fills the gaps.
PIECES = [
    "\ud800",
    "\udfff",
    "\x00",
    "\x0b",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\x9b",
    "\ufffe",
    "\uffff",
    '"',
    "'",
    "\\",
    "\\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "]]>",
    "<![CDATA[",
    "<&>",
    "&amp;",
    "&#0;",
    "]",
    "[",
    "|",
    "`",
    "#",
    "#quot;",
    "%%",
    ";",
    "-->",
    "{}",
    "\u202e",
    "\u200f",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u200b",
    "\ufeff",
    "😀",
    "👨\u200d👩\u200d👧",
    "=cmd|' /C calc'!A0",
    "x" * 5_000,
]
# The same, without what no output can hold: text a plan may carry.
ENCODABLE_TEXT = (
    st.lists(
        st.one_of(
            st.text(
                st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n\r"),
                max_size=12,
            ),
            st.sampled_from([p for p in PIECES if text_problem(p) is None]),
        ),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda text: text_problem(text) is None)
)  # U+FFFE, U+FFFF
HOSTILE_TEXT = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(PIECES)), min_size=1, max_size=6
).map("".join)

FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _string_paths(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Every path to a string the loader reads (the ignored ``comment`` left out)."""
    out = []
    for path in paths(data):
        node: Any = data
        for key in path:
            node = node[key]
        if isinstance(node, str) and path[0] != "comment":
            out.append(path)
    return out


def _where(path: tuple[str | int, ...]) -> str:
    """The key path as the loader's errors write it: ``measures[3].title.zh``."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _at(data: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    node: Any = data
    for key in path:
        node = node[key]
    return node


EXPORTS = 20  # json, node-link, graphml, gexf; dot, mermaid, csv, matrix-csv in 3 languages; matrix-md in 2; xlsx, matrix-xlsx
SMALL_STRINGS = _string_paths(SMALL)
PLAN_STRINGS = _string_paths(PLAN)


def _spoil_and_check(
    data: dict[str, Any], path: tuple[str | int, ...], text: str, *, append: bool
) -> None:
    """Put hostile text at path; a plan that loads exports validly, one that can't is refused."""
    value = _at(data, path) + text if append else text
    spoilt = mutate(data, path, value)
    try:
        policy = policy_from_dict(spoilt)
    except yp.PolicyDataError as error:
        refused = error
    else:
        event("loaded: every export checked")
        assert text_problem(value) is None, f"{_where(path)} loaded with {value!r}"
        assert check_every_export(policy) == EXPORTS
        return
    event("refused" if text_problem(value) is None else "refused: text no output can hold")
    str(refused).encode("utf-8")  # every message can be printed and written
    if text_problem(value) is not None:
        assert refused.path == _where(path)


@FAST
@given(st.sampled_from(SMALL_STRINGS), HOSTILE_TEXT, st.booleans())
def test_hostile_text_in_a_small_plan(path: tuple[str | int, ...], text: str, append: bool) -> None:
    """Hostile text in any string of a small plan: refused at its path, or every export valid."""
    _spoil_and_check(SMALL, path, text, append=append)


@SLOW
@given(st.sampled_from(PLAN_STRINGS), HOSTILE_TEXT, st.booleans())
def test_hostile_text_in_the_builtin_plan(
    path: tuple[str | int, ...], text: str, append: bool
) -> None:
    """The same in the built-in plan: refused at its path, or every export valid."""
    _spoil_and_check(PLAN, path, text, append=append)


@settings(FAST, max_examples=150)
@given(
    st.lists(
        st.tuples(st.sampled_from(SMALL_STRINGS), ENCODABLE_TEXT),
        min_size=1,
        max_size=8,
    )
)
def test_many_hostile_texts_that_load_export_validly(
    changes: list[tuple[tuple[str | int, ...], str]],
) -> None:
    """Several strings appended with encodable hostile text: a plan that loads exports validly."""
    data = SMALL
    for path, text in changes:
        data = mutate(data, path, _at(data, path) + text)
    try:
        policy = policy_from_dict(data)
    except yp.PolicyDataError:
        event("refused")
        return
    event("loaded: every export checked")
    assert check_every_export(policy) == EXPORTS


_VALUES = st.one_of(
    st.just(DELETE),
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(),
    HOSTILE_TEXT,
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    st.lists(st.integers(1, 900), min_size=2, max_size=2),
    st.lists(HOSTILE_TEXT, max_size=2),
    st.dictionaries(st.sampled_from(["zh", "en"]), HOSTILE_TEXT, max_size=2),
)


@settings(FAST, max_examples=1000)
@given(st.sampled_from(paths(SMALL)), _VALUES)
def test_mutated_small_plans_that_load_export_validly(
    path: tuple[str | int, ...], value: object
) -> None:
    """Any value anywhere in a small plan replaced or removed: if it loads, exports are valid."""
    _check_mutated(SMALL, path, value)


@SLOW
@given(st.sampled_from(paths(PLAN)), _VALUES)
def test_mutated_builtin_plans_that_load_export_validly(
    path: tuple[str | int, ...], value: object
) -> None:
    """The same in the built-in plan: if it loads, every export is valid."""
    _check_mutated(PLAN, path, value)


def _check_mutated(plan: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    """Load the plan with one value changed: a printable refusal, or every export valid."""
    try:
        policy = policy_from_dict(mutate(plan, path, value))
    except yp.PolicyDataError as error:
        str(error).encode("utf-8")
        event("refused")
        return
    event("loaded: every export checked")
    assert check_every_export(policy) == EXPORTS


SMALL_POLICY = policy_from_dict(SMALL)
ANY_TEXT = st.one_of(HOSTILE_TEXT, ENCODABLE_TEXT)


@FAST
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT, st.sampled_from(export.FORMATS))
def test_hand_built_policies_are_refused_or_export_validly(
    title: str, name: str, action_id: str, fmt: str
) -> None:
    """A policy built with attrs.evolve (no loader): each export refuses it by path or is valid."""
    policy = SMALL_POLICY
    bureau = attrs.evolve(policy.bureaus[0], name=attrs.evolve(policy.bureaus[0].name, zh=name))
    measure = policy.measures[0]
    first = measure.actions[0]
    action = attrs.evolve(first, id=action_id, assignments=(yp.Assignment(bureau, first.role),))
    measure = attrs.evolve(
        measure,
        title=attrs.evolve(measure.title, en=title),
        actions=(action, *measure.actions[1:]),
    )
    hand_built = attrs.evolve(
        policy,
        measures=(measure, *policy.measures[1:]),
        bureaus=(bureau, *policy.bureaus[1:]),
    )
    bad = {
        "measures[0].title.en": text_problem(title),
        "bureaus[0].name.zh": text_problem(name),
        "measures[0].tasks[0].id": text_problem(action_id),
    }
    event(f"refused {fmt}" if any(bad.values()) else "every export checked")
    if any(bad.values()):
        with pytest.raises(yp.PolicyDataError) as caught:
            export._EXPORTERS[fmt](hand_built)
        assert bad[caught.value.path] is not None
        str(caught.value).encode("utf-8")
    else:
        assert check_every_export(hand_built, loads_back=False) == EXPORTS
