"""Plan text and identifiers: what the loader refuses, which names are one, and --lang on export.

Regression tests for issue 11, items 1 (text that cannot be encoded, in plans) and 9
(identifiers), and for ``export --lang``. The exports' own validity under hostile text
is in ``test_hostile_exports.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest

import yantai_policy as yp
from export_checks import check_every_export
from plan_mutation import mutate
from yantai_policy import export
from yantai_policy.cli import main
from yantai_policy.loading import policy_from_dict

# One of each kind of character no output can hold, with the code point the error names.
FORBIDDEN = {
    chr(0xD800): "lone surrogate U+D800",
    chr(0xDFFF): "lone surrogate U+DFFF",
    "\x00": "control character U+0000",
    "\x08": "control character U+0008",
    "\x0b": "control character U+000B",
    "\x0c": "control character U+000C",
    "\x1b": "control character U+001B",
    "\x1f": "control character U+001F",
    "\x7f": "control character U+007F",
    "\x85": "control character U+0085",
    "\x9b": "control character U+009B",
    "\ufffe": "noncharacter U+FFFE",
    "\uffff": "noncharacter U+FFFF",
}

# Text fields of every kind the loader reads: (mutation path, the path the error names).
TEXT_FIELDS = [
    ("format", "format"),
    ("provenance.document_number", "provenance.document_number"),
    ("provenance.note", "provenance.note"),
    ("notice.title.zh", "notice.title.zh"),
    ("notice.sections.0.text.en", "notice.sections[0].text.en"),
    ("notice.parent.document_number", "notice.parent.document_number"),
    ("bureaus.0.name.zh", "bureaus[0].name.zh"),
    ("bureaus.0.short_names", "bureaus[0].short_names[0]"),
    ("measures.3.title.zh", "measures[3].title.zh"),
    ("measures.3.tasks.0.text.zh", "measures[3].tasks[0].text.zh"),
    ("measures.13.tasks.0.items.1.text.en", "measures[13].tasks[0].items[1].text.en"),
    ("measures.12.tasks.0.text.errata.0.note", "measures[12].tasks[0].text.errata[0].note"),
    (
        ("parameters", "startup_subsidy.amount", "description", "zh"),
        "parameters.startup_subsidy.amount.description.zh",
    ),
]

# Text that shows nothing: whitespace and invisible characters only.
BLANKS = ["\u200b", "\u200c\u200d", "\u2060", "\ufeff", "\u3000", " \u3000\u200b\t", "\u200e"]


def _spoil(data: dict[str, Any], path: str | tuple[str, ...], text: str) -> dict[str, Any]:
    """Put text at the end of the string at path (or as the only item of a list)."""
    node: Any = data
    keys = path if isinstance(path, tuple) else tuple(path.split("."))
    for key in keys:
        node = node[int(key) if key.isdigit() else key]
    value = [text] if isinstance(node, list) else node + text
    return mutate(data, path, value)


def _error(data: dict[str, Any]) -> yp.PolicyDataError:
    with pytest.raises(yp.PolicyDataError) as caught:
        policy_from_dict(data)
    return caught.value


# --- item 1: text no output can hold ---------------------------------------------------


@pytest.mark.parametrize(
    ("char", "reason"), FORBIDDEN.items(), ids=[hex(ord(c)) for c in FORBIDDEN]
)
@pytest.mark.parametrize(("path", "where"), TEXT_FIELDS, ids=[w for _, w in TEXT_FIELDS])
def test_forbidden_character_in_any_text_field_is_refused(
    plan_data: dict[str, Any], path: str, where: str, char: str, reason: str
) -> None:
    """A lone surrogate or control character in any text field: PolicyDataError at its path."""
    error = _error(_spoil(plan_data, path, char))
    assert error.path == where
    assert error.reason.startswith(reason + " at offset ")
    str(error).encode("utf-8")  # the message itself can be printed and written


def test_the_offset_is_in_code_points(plan_data: dict[str, Any]) -> None:
    """The error gives the offending character's offset in the text."""
    title = plan_data["measures"][3]["title"]["zh"]
    error = _error(mutate(plan_data, "measures.3.title.zh", title[:2] + "\ud800" + title[2:]))
    assert error.reason == "lone surrogate U+D800 at offset 2"


def test_surrogate_escape_in_a_json_file_is_refused(
    plan_data: dict[str, Any], tmp_path: Path
) -> None:
    r"""A JSON file with a "\ud800" escape in a title: PolicyDataError naming the file and path."""
    data = _spoil(plan_data, "measures.3.tasks.0.text.zh", "\ud800")
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="ascii")
    assert "\\ud800" in path.read_text(encoding="ascii")
    with pytest.raises(yp.PolicyDataError) as caught:
        yp.load_policy(path)
    assert caught.value.file == str(path)
    assert caught.value.path == "measures[3].tasks[0].text.zh"


def test_control_escape_in_a_toml_file_is_refused(other_city_path: Path, tmp_path: Path) -> None:
    r"""A TOML \u0000 or \u001b escape in a title is refused at its path; \uD800 is bad TOML."""
    text = other_city_path.read_text(encoding="utf-8")
    assert 'zh = "发放创业补贴"' in text
    for escape, reason in (("\\u0000", "U+0000"), ("\\u001b", "U+001B")):
        path = tmp_path / "plan.toml"
        path.write_text(text.replace('zh = "发放创业补贴"', f'zh = "发放{escape}"'), "utf-8")
        with pytest.raises(yp.PolicyDataError) as caught:
            yp.load_policy(path)
        assert caught.value.path == "measures[0].title.zh"
        assert reason in caught.value.reason
    path.write_text(text.replace('zh = "发放创业补贴"', 'zh = "发放\\uD800"'), "utf-8")
    with pytest.raises(yp.PolicyDataError, match="invalid TOML"):
        yp.load_policy(path)


def test_a_key_holding_a_surrogate_is_named_printably(plan_data: dict[str, Any]) -> None:
    """An unknown key with a surrogate or NUL: the error's path and message encode as UTF-8."""
    for key in ("ti\ud800tle", "ti\x00tle"):
        data = mutate(plan_data, ("measures", 0, key), {"zh": "x", "en": "y"})
        error = _error(data)
        assert "unknown field" in error.reason
        assert error.path in {"measures[0].ti\\ud800tle", "measures[0].ti\\u0000tle"}
        str(error).encode("utf-8")


def test_a_surrogate_in_the_ignored_comment_does_not_crash_the_hash(
    plan_data: dict[str, Any], policy: yp.Policy
) -> None:
    """policy_from_dict hashes data with a surrogate in its comment instead of crashing."""
    plan_data["comment"] = ["\ud800"]
    loaded = policy_from_dict(plan_data)
    assert loaded.measures == policy.measures
    assert len(loaded.data_sha256) == 64


def test_tab_newline_and_carriage_return_are_text(plan_data: dict[str, Any]) -> None:
    """Tab, LF and CR, which every format can hold, load; and every export stays valid."""
    data = _spoil(plan_data, "measures.3.title.zh", "\t第二行\r\n第三行\r")
    data = _spoil(data, "bureaus.1.name.en", '\n"quoted" \\ ] | <b> ` # %%')
    loaded = policy_from_dict(data)
    assert loaded.measure(4).title.zh.endswith("\t第二行\r\n第三行\r")
    assert check_every_export(loaded) > 9


@pytest.mark.parametrize("char", list(FORBIDDEN), ids=[hex(ord(c)) for c in FORBIDDEN])
@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_refuses_a_hand_built_policy_holding_forbidden_text(
    policy: yp.Policy, tmp_path: Path, fmt: str, char: str
) -> None:
    """A policy made with attrs.evolve bypasses the loader: each export refuses it by path."""
    measure = policy.measures[3]
    spoilt = attrs.evolve(measure, title=attrs.evolve(measure.title, zh=measure.title.zh + char))
    hand_built = attrs.evolve(policy, measures=(*policy.measures[:3], spoilt, *policy.measures[4:]))
    target = tmp_path / "out"
    with pytest.raises(yp.PolicyDataError) as caught:
        export.write(hand_built, fmt, target)
    assert caught.value.path == "measures[3].title.zh"
    assert FORBIDDEN[char] in caught.value.reason
    assert not target.exists()


def test_export_refuses_a_hand_built_unit_name_and_action_id(policy: yp.Policy) -> None:
    """The check covers every text a policy holds: a unit's name and an action's id too."""
    bureau = attrs.evolve(policy.bureaus[0], name=attrs.evolve(policy.bureaus[0].name, en="\x00"))
    with pytest.raises(yp.PolicyDataError) as caught:
        export.to_gexf(attrs.evolve(policy, bureaus=(bureau, *policy.bureaus[1:])))
    assert caught.value.path == "bureaus[0].name.en"
    action = attrs.evolve(policy.measures[0].actions[0], id="1.1\ud800")
    measure = attrs.evolve(policy.measures[0], actions=(action, *policy.measures[0].actions[1:]))
    with pytest.raises(yp.PolicyDataError) as caught:
        export.to_csv(attrs.evolve(policy, measures=(measure, *policy.measures[1:])))
    assert caught.value.path == "measures[0].tasks[0].id"


def test_mermaid_falls_back_for_a_unit_id_with_a_trailing_newline(policy: yp.Policy) -> None:
    """A hand-built unit id ending in a newline gets the u<n> Mermaid id, not a broken u_ id."""
    finance = policy.bureau("finance")
    odd = attrs.evolve(finance, id="finance\n")
    measures = tuple(
        attrs.evolve(
            m,
            actions=tuple(
                attrs.evolve(a, assignments=(yp.Assignment(odd, a.role),))
                if a.bureau is finance
                else a
                for a in m.actions
            ),
        )
        for m in policy.measures
    )
    bureaus = tuple(odd if b is finance else b for b in policy.bureaus)
    hand_built = attrs.evolve(policy, measures=measures, bureaus=bureaus)
    lines = export.to_mermaid(hand_built).splitlines()
    index = bureaus.index(odd) + 1
    assert f'    u{index}("市财政局")' in lines
    assert f"    m7 --> u{index}" in lines
    assert not any("u_finance" in line for line in lines)


def test_markdown_cell_escapes_a_backslash_before_a_pipe(plan_data: dict[str, Any]) -> None:
    """A backslash before a pipe in a unit's name keeps the matrix table's column count."""
    loaded = policy_from_dict(mutate(plan_data, "bureaus.0.name.en", "a\\|b <i>&"))
    header = export.matrix_to_markdown(loaded, lang="en").splitlines()[0]
    assert "a\\\\\\|b &lt;i>&amp;" in header
    assert check_every_export(loaded) > 9


def test_mermaid_label_escapes_a_backtick(plan_data: dict[str, Any]) -> None:
    """A backtick, which would start a Mermaid Markdown string, is written as #96;."""
    loaded = policy_from_dict(mutate(plan_data, "bureaus.0.name.zh", "`市商务局`"))
    assert '("#96;市商务局#96;")' in export.to_mermaid(loaded)


# --- item 9: identifiers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("bureaus.1.id", "finance\n", "invalid id"),
        (("parameters", "startup_subsidy.amount\n"), None, "invalid parameter name"),
    ],
    ids=["unit-id", "parameter-name"],
)
def test_ids_with_a_trailing_newline_are_refused(
    plan_data: dict[str, Any], path: str | tuple[str, ...], value: object, reason: str
) -> None:
    """Ids and parameter names are matched whole: a trailing newline no longer slips past $."""
    if isinstance(path, tuple):  # rename a parameter
        plan_data["parameters"][path[1]] = plan_data["parameters"].pop("startup_subsidy.amount")
        data = plan_data
    else:
        data = mutate(plan_data, path, value)
    assert reason in _error(data).reason


@pytest.mark.parametrize(
    "short_name",
    ["市商\u200b务局", "\ufeff市商务局", "市商务局\u2060", "市 商务局", "ＣＯＭＭＥＲＣＥ"],
    ids=["zwsp", "bom", "word-joiner", "space", "full-width"],
)
def test_unit_names_that_look_the_same_are_duplicates(
    plan_data: dict[str, Any], short_name: str
) -> None:
    """A name differing from another unit's only by invisible characters or width is shared."""
    if short_name == "市 商务局":  # a space against an ideographic space
        plan_data["bureaus"][0]["short_names"] = ["市\u3000商务局"]
    data = mutate(plan_data, "bureaus.1.short_names", [short_name])
    assert "share the name" in _error(data).reason


def test_action_ids_that_look_the_same_are_duplicates(plan_data: dict[str, Any]) -> None:
    """Two action ids differing only by a zero-width space are duplicates."""
    data = mutate(plan_data, "measures.0.tasks.1.id", "1.1\u200b")
    assert "duplicate task id" in _error(data).reason


@pytest.mark.parametrize(
    "name",
    [
        "市财\u200b政局",
        "\ufeff市财政局",
        "市财政局\u3000",
        "ＦＩＮＡＮＣＥ",
        "财政局\u200d",
        "Yantai\u3000Municipal  Finance Bureau",
    ],
)
def test_bureau_lookup_uses_the_same_key(policy: yp.Policy, name: str) -> None:
    """Policy.bureau finds a unit under invisible characters, U+3000, extra spaces and width."""
    assert policy.bureau(name).id == "finance"


def test_bureau_lookup_of_a_non_string_is_unknown(policy: yp.Policy) -> None:
    """A name that is not a string is an UnknownNameError, not a TypeError."""
    with pytest.raises(yp.UnknownNameError):
        policy.bureau(7)  # type: ignore[arg-type]


@pytest.mark.parametrize("blank", BLANKS, ids=[repr(b) for b in BLANKS])
def test_invisible_text_is_empty(plan_data: dict[str, Any], blank: str) -> None:
    """Text of only whitespace and invisible characters counts as empty wherever text is required."""
    error = _error(mutate(plan_data, "measures.0.title.zh", blank))
    assert (error.path, error.reason) == ("measures[0].title.zh", "must not be empty")
    error = _error(mutate(plan_data, "bureaus.0.short_names", [blank]))
    assert (error.path, error.reason) == (
        "bureaus[0].short_names[0]",
        "expected a non-empty string",
    )


# --- --lang on export ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_write_without_lang_is_the_format_default(
    policy: yp.Policy, tmp_path: Path, fmt: str
) -> None:
    """write(..., lang=None) writes what the format's function writes by default."""
    export.write(policy, fmt, tmp_path / "a")
    function = export._EXPORTERS[fmt]
    content = function(policy)
    expected = content.encode("utf-8") if isinstance(content, str) else content
    written = (tmp_path / "a").read_bytes()
    if fmt.endswith("xlsx"):  # openpyxl stamps the save time: compare the cells
        assert _cells(written) == _cells(expected)
    else:
        assert written == expected


def _cells(book: bytes) -> list[tuple[object, ...]]:
    """The values of an .xlsx workbook's first sheet, row by row."""
    import io  # noqa: PLC0415

    import openpyxl  # noqa: PLC0415 - the xlsx extra, only these formats need it

    sheet = openpyxl.load_workbook(io.BytesIO(book), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["json", "node-link", "graphml", "gexf"])
def test_data_formats_take_only_both(policy: yp.Policy, tmp_path: Path, fmt: str) -> None:
    """json, node-link, graphml and gexf carry both languages: zh or en is a ValueError."""
    for lang in ("zh", "en"):
        with pytest.raises(ValueError, match="carries both languages"):
            export.write(policy, fmt, tmp_path / "x", lang=lang)
    assert not (tmp_path / "x").exists()
    export.write(policy, fmt, tmp_path / "x", lang="both")
    assert (tmp_path / "x").read_bytes() == (
        export._EXPORTERS[fmt](policy).encode("utf-8")  # type: ignore[union-attr]
    )


def test_matrix_markdown_refuses_both(policy: yp.Policy, tmp_path: Path) -> None:
    """A Markdown table is in one language; lang='both' is a ValueError."""
    with pytest.raises(ValueError, match="written in zh or en"):
        export.write(policy, "matrix-md", tmp_path / "x", lang="both")


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_diagram_labels_are_in_the_language(policy: yp.Policy, lang: str) -> None:
    """DOT and Mermaid label every measure and unit in the chosen language."""
    dot = export.to_dot(policy, lang=lang)  # type: ignore[arg-type]
    mermaid = export.to_mermaid(policy, lang=lang)  # type: ignore[arg-type]

    def shown(text: yp.Text) -> str:
        return {"zh": text.zh, "en": text.en, "both": f"{text.zh} / {text.en}"}[lang]

    for measure in policy.measures:
        label = f"{measure.number}. {shown(measure.title)}"
        assert f'[shape=box, label="{label}"]' in dot
        assert f'm{measure.number}["{label}"]' in mermaid
    for bureau in policy.bureaus:
        assert f'[shape=ellipse, label="{shown(bureau.name)}"]' in dot
    other = {"zh": "en", "en": "zh"}.get(lang)
    if other is not None:
        assert policy.measures[0].title.get(other) not in dot + mermaid


def test_csv_in_one_language(policy: yp.Policy) -> None:
    """CSV in zh or en has that language's header, labels and role words, and not the other's."""
    for lang, header, role in (("zh", "措施名称", "配合"), ("en", "measure title", "assists")):
        text = export.to_csv(policy, lang=lang).decode("utf-8-sig")  # type: ignore[arg-type]
        assert header in text.splitlines()[0]
        assert role in text
        other = "en" if lang == "zh" else "zh"
        assert policy.measures[0].title.get(other) not in text


def test_matrix_csv_in_one_language_is_the_markdown_table(policy: yp.Policy) -> None:
    """matrix-csv in zh or en holds the same cells as matrix-md in that language."""
    import csv  # noqa: PLC0415

    for lang in ("zh", "en"):
        rows = list(
            csv.reader(export.matrix_to_csv(policy, lang=lang).decode("utf-8-sig").splitlines())
        )
        table = export.matrix_to_markdown(policy, lang=lang).splitlines()
        assert [" | ".join(row) for row in rows] == [line[2:-2] for line in (table[0], *table[2:])]


def test_cli_export_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`export dot --lang en` writes English labels; `export json --lang zh` exits 2, one line."""
    path = tmp_path / "plan.dot"
    assert main(["export", "dot", "--lang", "en", "-o", str(path)]) == 0
    assert "Provide loan interest subsidies" in path.read_text("utf-8")
    capsys.readouterr()
    assert main(["export", "json", "--lang", "zh", "-o", str(tmp_path / "p.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "carries both languages" in err
    assert not (tmp_path / "p.json").exists()
    assert main(["export", "dot", "-o", str(path)]) == 0
    assert path.read_text("utf-8") == export.to_dot(yp.load_policy())


def test_export_names_the_first_problem_in_file_order(policy: yp.Policy) -> None:
    """With text spoilt in two places, the export names the one a plan file holds first."""
    bureau = attrs.evolve(policy.bureaus[2], name=attrs.evolve(policy.bureaus[2].name, zh="\x00"))
    measure = attrs.evolve(
        policy.measures[3], title=attrs.evolve(policy.measures[3].title, en="\x01")
    )
    hand_built = attrs.evolve(
        policy,
        bureaus=(*policy.bureaus[:2], bureau, *policy.bureaus[3:]),
        measures=(*policy.measures[:3], measure, *policy.measures[4:]),
    )
    with pytest.raises(yp.PolicyDataError) as caught:
        export.to_dot(hand_built)
    assert caught.value.path == "bureaus[2].name.zh"


def test_export_refuses_a_hand_built_parameter_name(policy: yp.Policy) -> None:
    """A parameter renamed by hand to hold a surrogate: the exports refuse the key."""
    by_name = dict(policy.parameters.by_name)
    by_name["startup_subsidy.amount\ud800"] = by_name.pop("startup_subsidy.amount")
    hand_built = attrs.evolve(policy, parameters=attrs.evolve(policy.parameters, by_name=by_name))
    with pytest.raises(yp.PolicyDataError) as caught:
        export.to_json(hand_built)
    assert caught.value.path == "parameters"
    assert "a key holds a lone surrogate U+D800" in caught.value.reason
