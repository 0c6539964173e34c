"""The loader: built-in and other plans, TOML and JSON, and precise errors for bad files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from plan_mutation import DELETE, mutate, paths
from yantai_policy.loading import policy_from_dict

DATA = Path(__file__).parent / "data"


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


# --- A draft's plan: empty English, optional notice parts, parents, review ------------------


def _blank_english(node: object) -> object:
    """Every bilingual text of a parsed plan with its English emptied (``en = ""``)."""
    if isinstance(node, dict):
        out = {k: _blank_english(v) for k, v in node.items()}
        if "zh" in out and "en" in out:
            out["en"] = ""
        return out
    if isinstance(node, list):
        return [_blank_english(v) for v in node]
    return node


@pytest.fixture
def untranslated(plan_data: dict[str, Any], tmp_path: Path) -> Path:
    """The built-in plan with all its English emptied, as a JSON file."""
    return _write_json(tmp_path, _blank_english(plan_data))  # type: ignore[arg-type]


def test_empty_english_loads_and_answers_the_same(policy: yp.Policy, untranslated: Path) -> None:
    """A plan whose English is all empty loads; its units, tasks and roles are the built-in plan's."""
    draft = yp.load_policy(untranslated)
    assert [a.id for a in draft.actions] == [a.id for a in policy.actions]
    assert [[(x.bureau.id, x.role) for x in a.assignments] for a in draft.actions] == [
        [(x.bureau.id, x.role) for x in a.assignments] for a in policy.actions
    ]
    assert not any(b.name.translated for b in draft.bureaus)
    assert draft.action("14.1").text.en == ""  # built from items that have no English
    assert draft.bureau("市财政局").id == "finance"
    with pytest.raises(yp.UnknownNameError):
        draft.bureau("")  # an empty English name names no unit


def test_empty_english_shows_the_chinese(untranslated: Path) -> None:
    """Where a view asks for the English of an untranslated text, it gets the Chinese."""
    draft = yp.load_policy(untranslated)
    title = draft.measure(7).title
    assert (title.en, title.get("en"), title.get("zh")) == ("", title.zh, title.zh)
    assert draft.graph.nodes["bureau:finance"]["label_en"] == "市财政局"


@pytest.mark.parametrize(
    "path",
    ["measures.0.title.zh", "bureaus.0.name.zh", "notice.title.zh"],
)
def test_empty_chinese_is_still_refused(
    plan_data: dict[str, Any], tmp_path: Path, path: str
) -> None:
    """The Chinese stays required: an empty zh fails at its key even where en is empty too."""
    data = mutate(_blank_english(plan_data), path, "")  # type: ignore[arg-type]
    error = _load_error(_write_json(tmp_path, data))
    assert (error.path, error.reason) == (path.replace(".0.", "[0]."), "must not be empty")


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["measures", "--lang", "en"], "提供贷款贴息"),
        (["show", "7", "--lang", "en"], "市财政局"),
        (["bureaus", "--lang", "en"], "人民银行市中心支行"),
        (["bureau", "finance", "--lang", "en"], "市财政局"),
        (["co-owners", "7", "--lang", "en"], "人民银行市中心支行"),
    ],
)
def test_cli_views_of_an_untranslated_plan(
    capsys: pytest.CaptureFixture[str], untranslated: Path, argv: list[str], shown: str
) -> None:
    """The CLI's English views of an untranslated plan print the Chinese in its place."""
    from yantai_policy.cli import main  # noqa: PLC0415

    assert main([*argv, "--plan", str(untranslated)]) == 0
    assert shown in capsys.readouterr().out


def test_cli_exports_of_an_untranslated_plan(
    capsys: pytest.CaptureFixture[str], untranslated: Path, tmp_path: Path
) -> None:
    """`export json` writes the empty English back, and reloads; graphml labels fall back to zh."""
    from yantai_policy.cli import main  # noqa: PLC0415

    plan = tmp_path / "again.json"
    assert main(["export", "json", "--plan", str(untranslated), "-o", str(plan)]) == 0
    again = yp.load_policy(plan)
    assert again.measures == yp.load_policy(untranslated).measures
    assert json.loads(plan.read_text("utf-8"))["measures"][6]["title"]["en"] == ""
    graphml = tmp_path / "plan.graphml"
    assert main(["export", "graphml", "--plan", str(untranslated), "-o", str(graphml)]) == 0
    assert "市人力资源社会保障局</data>" in graphml.read_text("utf-8")
    assert main(["export", "csv", "--lang", "en", "--plan", str(untranslated)]) == 0
    assert "市财政局" in capsys.readouterr().out


def _draft_notice(plan_data: dict[str, Any]) -> dict[str, Any]:
    """The built-in plan's notice cut down to what a draft must have."""
    notice = plan_data["notice"]
    keep = ("document_number", "issued_on", "lines", "title", "issuer")
    return {k: notice[k] for k in keep}


def test_notice_parts_are_optional_in_format_2(plan_data: dict[str, Any]) -> None:
    """A v2 notice may lack addressees, preamble, attachment, annex title, note, parent, sections."""
    plan = {**plan_data, "notice": _draft_notice(plan_data)}
    notice = policy_from_dict(plan).notice
    assert (notice.addressees, notice.preamble, notice.attachment) == (None, None, None)
    assert (notice.annex_title, notice.publication_note, notice.parent) == (None, None, None)
    assert (notice.sections, notice.parents) == ((), ())
    exported = yp.export.policy_to_plan_dict(policy_from_dict(plan))["notice"]
    assert exported == _draft_notice(plan_data)  # what it lacks, the export leaves out


def test_notice_parents_several(plan_data: dict[str, Any]) -> None:
    """`parents` lists several parent documents in order; `parent` is the first."""
    first = plan_data["notice"]["parent"]
    second = {
        "document_number": "国办发〔2020〕27号",
        "title": {"zh": "国务院办公厅关于支持多渠道灵活就业的意见", "en": ""},
    }
    notice = {**_draft_notice(plan_data), "parents": [first, second]}
    policy = policy_from_dict({**plan_data, "notice": notice})
    numbers = [p.document_number for p in policy.notice.parents]
    assert numbers == ["鲁政办发〔2020〕19号", "国办发〔2020〕27号"]
    assert policy.notice.parent is policy.notice.parents[0]
    again = yp.export.policy_to_plan_dict(policy)
    assert again["notice"]["parents"] == [first, second]
    assert policy_from_dict(again).notice == policy.notice


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        ({"parents": []}, "notice.parents", "either 'parent' or 'parents', not both"),
        ({"parents": [{"document_number": "x"}]}, "notice.parents", "not both"),
    ],
)
def test_parent_and_parents_together_fail(
    plan_data: dict[str, Any], change: dict[str, Any], where: str, reason: str
) -> None:
    """Giving both `parent` and `parents` is an error naming `parents`."""
    notice = {**plan_data["notice"], **change}
    with pytest.raises(yp.PolicyDataError) as info:
        policy_from_dict({**plan_data, "notice": notice})
    assert (info.value.path, reason in info.value.reason) == (where, True)


def test_version_1_keeps_every_notice_part() -> None:
    """A version 1 plan still needs its attachment (and one parent); `parents` is a v2 field."""
    v1 = json.loads(read_text_v1())
    del v1["notice"]["attachment"]
    with pytest.raises(yp.PolicyDataError, match="missing required field 'attachment'"):
        policy_from_dict(v1)
    v1 = json.loads(read_text_v1())
    v1["notice"]["parents"] = [v1["notice"].pop("parent")]
    with pytest.raises(yp.PolicyDataError, match="'parents' is a version 2 field"):
        policy_from_dict(v1)


def read_text_v1() -> str:
    """The built-in plan in format 1, as shipped for the version tests."""
    return (DATA / "yantai-2021-3.v1.json").read_text("utf-8")


REVIEW = [
    {
        "kind": "unit-unknown",
        "message": "unit 市数据局 is not in the known list",
        "lines": [40, 41],
        "where": "bureaus[3]",
    },
    {"kind": "no-tasks", "message": "no task found"},
]


def test_review_is_kept_on_the_policy(plan_data: dict[str, Any]) -> None:
    """A top-level `review` list loads into Policy.review, in order, lines as a pair."""
    policy = policy_from_dict({**plan_data, "review": REVIEW})
    assert [(r.kind, r.lines, r.where) for r in policy.review] == [
        ("unit-unknown", (40, 41), "bureaus[3]"),
        ("no-tasks", None, ""),
    ]
    assert policy.review[0].message == "unit 市数据局 is not in the known list"
    assert yp.load_policy().review == ()
    exported = yp.export.policy_to_plan_dict(policy)
    assert exported["review"] == REVIEW  # `export json` keeps a draft's open entries
    assert "review" not in yp.export.policy_to_plan_dict(yp.load_policy())


@pytest.mark.parametrize(
    ("entry", "where", "reason"),
    [
        ("x", "review[0]", "expected a table"),
        ({"message": "m"}, "review[0]", "missing required field 'kind'"),
        ({"kind": "k", "message": 3}, "review[0].message", "expected a string"),
        ({"kind": "k", "message": "m", "lines": [3]}, "review[0].lines", "[first, last]"),
        ({"kind": "k", "message": "m", "lines": [5, 2]}, "review[0].lines", "first <= last"),
        ({"kind": "k", "message": "m", "line": [1, 2]}, "review[0].line", "did you mean 'lines'"),
        ({"kind": "", "message": "m"}, "review[0].kind", "must not be empty"),
    ],
)
def test_bad_review_entries_fail_at_their_key(
    plan_data: dict[str, Any], entry: object, where: str, reason: str
) -> None:
    """Each malformed review entry is refused with its key path and why."""
    with pytest.raises(yp.PolicyDataError) as info:
        policy_from_dict({**plan_data, "review": [entry]})
    assert info.value.path == where
    assert reason in info.value.reason


def _schema_errors(plan: dict[str, Any]) -> list[str]:
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    validator = jsonschema.Draft202012Validator(yp.export.plan_schema())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(plan)]


def test_schema_accepts_a_draft_as_the_loader_does(plan_data: dict[str, Any]) -> None:
    """The JSON Schema accepts empty English, a cut-down notice with parents, and a review list."""
    draft: dict[str, Any] = _blank_english(plan_data)  # type: ignore[assignment]
    draft["notice"] = {**_draft_notice(draft), "parents": [draft["notice"]["parent"]]}
    draft["review"] = REVIEW
    policy_from_dict(draft)  # the loader accepts it
    assert _schema_errors(draft) == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p["notice"].update(parents=[p["notice"]["parent"]]),  # both parent and parents
        lambda p: p["measures"][0]["title"].pop("en"),  # the en key is still required
        lambda p: p.update(review=[{"kind": "k", "message": "m", "lines": [1]}]),
        lambda p: p.update(review=[{"kind": "k"}]),
    ],
)
def test_schema_refuses_what_the_loader_refuses(plan_data: dict[str, Any], spoil: Any) -> None:
    """Each of these the loader refuses, and so does the schema."""
    spoil(plan_data)
    with pytest.raises(yp.PolicyDataError):
        policy_from_dict(plan_data)
    assert _schema_errors(plan_data) != []
