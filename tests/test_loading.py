"""The loader: built-in and other plans, TOML and JSON, and precise errors for bad files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from plan_mutation import DELETE, mutate, paths
from yantai_policy.loading import policy_from_dict

if TYPE_CHECKING:
    from pathlib import Path


def _write_json(tmp_path: Path, data: dict[str, Any], name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def _load_error(path: Path) -> yp.PolicyDataError:
    with pytest.raises(yp.PolicyDataError) as info:
        yp.load_policy(path)
    assert str(path) in str(info.value)
    return info.value


def test_builtin_is_cached(policy: yp.Policy) -> None:
    """The built-in plan is parsed once: later calls return the same object."""
    assert yp.load_policy() is policy


def test_another_city_loads_and_works(other_city_path: Path) -> None:
    """A different plan in the same format, here in TOML, loads and answers the same questions."""
    other = yp.load_policy(other_city_path)
    assert other.notice.document_number == "示例政办字〔2022〕1号"
    assert other.notice.issued_on.isoformat() == "2022-03-01"
    assert other.action("1.2").references[0].bureau == "labour"
    assert [a.role for a in other.measure(1).actions] == [yp.Role.RESPONSIBLE, yp.Role.ASSIST]
    assert other.bureau("示例市财政局") is other.bureau("MONEY")
    with pytest.raises(yp.UnknownNameError):
        other.measure(2)


def test_rewritten_plan_loads_equal(
    policy: yp.Policy, plan_data: dict[str, Any], tmp_path: Path
) -> None:
    """The plan re-serialised (new whitespace, same data) loads into equal objects."""
    again = yp.load_policy(_write_json(tmp_path, plan_data))
    assert (again.notice, again.measures, again.bureaus, again.provenance) == (
        policy.notice,
        policy.measures,
        policy.bureaus,
        policy.provenance,
    )


def test_policy_from_dict_without_a_file(plan_data: dict[str, Any], policy: yp.Policy) -> None:
    """Data already in memory validates the same way, with a hash of its canonical form."""
    built = policy_from_dict(plan_data)
    assert built.measures == policy.measures
    assert re.fullmatch(r"[0-9a-f]{64}", built.data_sha256)


def test_syntax_error_names_file_and_line(other_city_path: Path, tmp_path: Path) -> None:
    """A TOML syntax error reports the file and the parser's line."""
    lines = other_city_path.read_text("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("format_version"))
    lines[number - 1] = "format_version = = 1"
    path = tmp_path / "plan.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    error = _load_error(path)
    assert error.line == number
    assert f"{path}:{number}:" in str(error)
    assert "invalid TOML" in str(error)


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    """A JSON syntax error reports the line."""
    path = tmp_path / "plan.json"
    path.write_text(
        '{\n"format": "yantai-policy/plan",\n"format_version": 1,,\n}', encoding="utf-8"
    )
    assert _load_error(path).line == 3


def test_not_utf8(plan_text: str, tmp_path: Path) -> None:
    """A file in GBK is rejected as not UTF-8, with the line of the first bad byte."""
    path = tmp_path / "plan.toml"
    path.write_bytes(plan_text.encode("gbk", errors="replace"))
    error = _load_error(path)
    assert "not UTF-8" in str(error)
    assert (
        error.line
        == plan_text.split("\n").index(
            next(x for x in plan_text.split("\n") if re.search(r"[^\x00-\x7f]", x))
        )
        + 1
    )


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a PolicyDataError, not an OSError."""
    assert "cannot read" in str(_load_error(tmp_path / "nope.toml"))


@pytest.mark.parametrize(
    ("path", "value", "where", "reason"),
    [
        ("measures.6.title", DELETE, "measures[6]", "missing required field 'title'"),
        ("provenance", DELETE, "", "missing required field 'provenance'"),
        ("measures.0.number", "one", "measures[0].number", "expected an integer, got a string"),
        ("measures.0.number", True, "measures[0].number", "expected an integer, got a boolean"),
        ("measures.0.tasks", {}, "measures[0].tasks", "expected a list, got a table"),
        ("bureaus.0.short_names", [""], "bureaus[0].short_names[0]", "non-empty string"),
        (
            "measures.6.tasks.0.assignments.0.unit",
            "treasury",
            "measures[6].tasks[0].assignments[0].unit",
            "unknown unit 'treasury'",
        ),
        ("measures.1.number", 1, "measures[1].number", "duplicate measure number 1"),
        ("bureaus.1.id", "commerce", "bureaus[1].id", "duplicate unit id 'commerce'"),
        ("bureaus.1.id", "Finance Bureau", "bureaus[1].id", "invalid id"),
        ("measures.0.title.zh", "  ", "measures[0].title.zh", "must not be empty"),
        ("measures.0.title.en", DELETE, "measures[0].title", "missing required field 'en'"),
        ("measures.0.title.en", "a\x00", "measures[0].title.en", "control character U+0000"),
        ("provenance.issued_on", "2021-02-30", "provenance.issued_on", "invalid date '2021-02-30'"),
        ("notice.issued_on", 20210111, "notice.issued_on", "expected a date, got int"),
        (
            "measures.0.titel",
            {"zh": "x", "en": "y"},
            "measures[0].titel",
            "unknown field 'titel'; did you mean 'title'?",
        ),
        (
            "measures.0.tasks.0.assignments.0.role",
            "owner",
            "measures[0].tasks[0].assignments[0].role",
            "invalid value 'owner'",
        ),
        ("measures.0.lines", [5, 1], "measures[0].lines", "1 <= first <= last"),
        (
            "measures.0.tasks.1.id",
            "1.1",
            "measures[0].tasks[1].id",
            "duplicate task id '1.1'",
        ),
        (
            "measures.12.tasks.1.references.0.bureau",
            "nobody",
            "measures[12].tasks[1].references[0].bureau",
            "unknown unit",
        ),
        (
            "measures.12.tasks.1.references.0.mention",
            "市民政局",
            "measures[12].tasks[1].references[0].mention",
            "does not occur",
        ),
        (
            "measures.12.tasks.0.text.errata.0.printed",
            "不存在",
            "measures[12].tasks[0].text.errata",
            "does not occur in zh",
        ),
        (
            "measures.13.tasks.0.items.1.number",
            3,
            "measures[13].tasks[0].items[1].number",
            "expected item 2, got 3",
        ),
        ("format_version", 3, "format_version", "versions 1 and 2, the file is version 3"),
        ("format", "other", "format", "expected 'yantai-policy/plan'"),
        ("provenance.source_sha256", "abc", "provenance.source_sha256", "64 lowercase"),
        ("notice.sections.1.number", 3, "notice.sections[1].number", "expected section 2, got 3"),
        ("measures", [], "measures", "at least one measure"),
    ],
)
def test_invalid_plan_errors_name_the_location(
    plan_data: dict[str, Any], tmp_path: Path, path: str, value: object, where: str, reason: str
) -> None:
    """Each kind of bad data raises PolicyDataError naming the file, key path and reason."""
    error = _load_error(_write_json(tmp_path, mutate(plan_data, path, value)))
    assert error.path == where
    assert reason in error.reason
    assert f": {where}: " in str(error) if where else True


def test_names_shared_by_two_units(plan_data: dict[str, Any], tmp_path: Path) -> None:
    """Two units answering to the same name would make lookups ambiguous: rejected."""
    data = mutate(plan_data, "bureaus.1.short_names", ["市商务局"])
    assert "share the name" in _load_error(_write_json(tmp_path, data)).reason


def test_action_with_both_text_and_items(plan_data: dict[str, Any], tmp_path: Path) -> None:
    """An itemised action takes its text from its items; a second text is rejected."""
    data = mutate(plan_data, "measures.0.tasks.0.text", {"zh": "x", "en": "y"})
    assert "remove 'text'" in _load_error(_write_json(tmp_path, data)).reason


def test_nan_is_rejected_in_json(tmp_path: Path) -> None:
    """JSON's NaN and Infinity are not numbers a plan can hold."""
    path = tmp_path / "plan.json"
    path.write_text('{"format": NaN}', encoding="utf-8")
    assert "NaN" in str(_load_error(path))


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    """A JSON array at the top level is rejected."""
    path = tmp_path / "plan.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert "top level" in str(_load_error(path))


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_text_mutations_raise_only_policy_data_error(
    plan_text: str, other_city_path: Path, fmt: str, data: st.DataObject
) -> None:
    """Deleting, duplicating, replacing or truncating lines: only PolicyDataError escapes."""
    raw = plan_text.encode("utf-8") if fmt == "json" else other_city_path.read_bytes()
    lines = raw.split(b"\n")
    op = data.draw(st.sampled_from(["delete", "duplicate", "replace", "truncate", "bytes"]))
    index = data.draw(st.integers(0, len(lines) - 1))
    if op == "delete":
        del lines[index]
    elif op == "duplicate":
        lines.insert(index, lines[index])
    elif op == "replace":
        lines[index] = data.draw(st.text(max_size=40)).encode("utf-8")
    elif op == "bytes":
        lines[index] = data.draw(st.binary(max_size=40))
    mutated = b"\n".join(lines)
    if op == "truncate":
        mutated = raw[: data.draw(st.integers(0, len(raw)))]
    caught: yp.PolicyDataError | None = None
    try:
        yp.loading._load_bytes(mutated, "<mutated>", json_format=fmt == "json")
    except yp.PolicyDataError as error:
        caught = error
    assert caught is None or caught.file == "<mutated>"


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_structural_mutations_raise_only_policy_data_error(
    plan_data: dict[str, Any], data: st.DataObject
) -> None:
    """Any value anywhere replaced by any other, or removed: only PolicyDataError escapes."""
    path = data.draw(st.sampled_from(paths(plan_data)))
    value = data.draw(st.one_of(st.just(DELETE), _VALUES))
    caught: yp.PolicyDataError | None = None
    try:
        policy_from_dict(mutate(plan_data, path, value))
    except yp.PolicyDataError as error:
        caught = error
    assert caught is None or caught.reason


def test_import_and_load_do_not_import_networkx() -> None:
    """Import and load leave networkx, numpy (the formulas' columns) and the TOML parser unimported."""
    code = (
        "import sys, yantai_policy; yantai_policy.load_policy(); "
        "print('networkx' in sys.modules, 'tomllib' in sys.modules, 'numpy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "False"]
