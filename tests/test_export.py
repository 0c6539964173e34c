"""Tests for the exports: every format is read back and checked against the plan."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy import export
from yantai_policy.loading import policy_from_dict

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP's list of how a cell a spreadsheet runs as a formula starts."""
WIDE_STARTS = ("＝", "＋", "－", "＠")
"""Full-width forms a spreadsheet reads the same way."""


def _formula_like(cell: str) -> bool:
    """Whether a cell starts like a formula: OWASP's list, the full-width forms, or either after white space."""
    stripped = cell.lstrip()
    return cell.startswith(FORMULA_STARTS) or stripped.startswith(
        ("=", "+", "-", "@", *WIDE_STARTS)
    )


def _same_plan(a: yp.Policy, b: yp.Policy) -> bool:
    return (a.notice, a.measures, a.bureaus, a.provenance) == (
        b.notice,
        b.measures,
        b.bureaus,
        b.provenance,
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))


def _assignments(G: nx.DiGraph[str]) -> Counter[tuple[str, str]]:
    """Count (measure node, unit node) pairs joined through an action in the graph."""
    pairs: Counter[tuple[str, str]] = Counter()
    for action, unit, data in G.edges(data=True):
        if data["relation"] == "assigned_to":
            (measure,) = (m for m in G.predecessors(action) if G.nodes[m]["kind"] == "measure")
            pairs[measure, unit] += 1
    return pairs


def _shown_role(action: yp.Action) -> yp.Role:
    return yp.Role.LEAD if yp.Role.LEAD in action.roles else action.role


# --- The plan-file format ------------------------------------------------------------


def test_plan_dict_reproduces_the_shipped_file(
    policy: yp.Policy, plan_data: dict[str, Any]
) -> None:
    """Exporting the built-in plan gives the shipped file's data, key for key, bar the comment."""
    exported = export.policy_to_plan_dict(policy)
    assert isinstance(exported.pop("comment"), list)
    plan_data.pop("comment")
    assert exported == plan_data
    assert list(exported) == list(plan_data)


def test_json_export_loads_back_equal(policy: yp.Policy, tmp_path: Path) -> None:
    """load_policy reads the JSON export as a plan equal to the original."""
    path = tmp_path / "plan.json"
    path.write_text(export.to_json(policy), encoding="utf-8")
    again = yp.load_policy(path)
    assert _same_plan(again, policy)
    assert again.notice.document_number == policy.notice.document_number


def test_json_export_of_another_plan_loads_back_equal(
    other_city_path: Path, tmp_path: Path
) -> None:
    """A TOML plan for another city survives export to JSON and loading back."""
    other = yp.load_policy(other_city_path)
    path = tmp_path / "other.json"
    export.write(other, "json", path)
    assert _same_plan(yp.load_policy(path), other)


def test_items_state_a_role_only_where_it_differs(policy: yp.Policy) -> None:
    """An exported item carries ``role`` exactly where its role is not its action's."""
    plan = export.policy_to_plan_dict(policy)
    exported = {a["id"]: a for m in plan["measures"] for a in m["tasks"]}
    for action in policy.actions:
        items = exported[action.id].get("items", [])
        assert len(items) == len(action.items)
        for item, data in zip(action.items, items, strict=True):
            assert ("role" in data) == (item.role is not action.role)
            assert data.get("role", action.role.value) == item.role.value


def test_json_export_keeps_errata(policy: yp.Policy) -> None:
    """Every erratum in the plan appears in the JSON export."""
    errata = [e for a in policy.actions for e in a.text.errata]
    assert errata
    text = export.to_json(policy)
    for erratum in errata:
        assert json.dumps(erratum.printed, ensure_ascii=False) in text
        assert json.dumps(erratum.note, ensure_ascii=False) in text


# --- The JSON Schema -------------------------------------------------------------------


def test_schema_enums_match_the_model() -> None:
    """The schema's roles, unit kinds and reference kinds are the model's enums."""
    defs = export.plan_schema()["$defs"]
    assert set(defs["role"]["enum"]) == {r.value for r in yp.Role}
    assert set(defs["bureau"]["properties"]["kind"]["enum"]) == {k.value for k in yp.BureauKind}
    kinds = defs["reference"]["properties"]["kind"]["enum"]
    assert set(kinds) == {k.value for k in yp.ReferenceKind}


OPTIONAL_TOP_LEVEL = {"comment", "lead_rule", "later_units", "review"}
"""The top-level keys a plan file may leave out (docs/data-format.md, "Top level")."""


def test_schema_top_level_keys_are_the_plan_files(plan_data: dict[str, Any]) -> None:
    """The schema allows the shipped plan's top-level keys and the optional ones, and requires the rest."""
    schema = export.plan_schema()
    assert set(plan_data) <= set(schema["properties"])
    assert set(schema["required"]) == set(schema["properties"]) - OPTIONAL_TOP_LEVEL
    assert set(schema["required"]) <= set(plan_data)
    assert schema["additionalProperties"] is False


def _validator() -> Any:
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    schema = export.plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_schema_accepts_the_shipped_plan_and_the_export(
    policy: yp.Policy, plan_data: dict[str, Any]
) -> None:
    """The shipped plan file and the JSON export are both valid against the schema."""
    validator = _validator()
    assert [e.message for e in validator.iter_errors(plan_data)] == []
    exported = json.loads(export.to_json(policy))
    assert [e.message for e in validator.iter_errors(exported)] == []


def _drop_measures(plan: dict[str, Any]) -> None:
    del plan["measures"]


def _unknown_action_role(plan: dict[str, Any]) -> None:
    plan["measures"][0]["tasks"][0]["assignments"][0]["role"] = "owner"


def _unknown_item_role(plan: dict[str, Any]) -> None:
    plan["measures"][0]["tasks"][0]["items"][0]["role"] = "supervises"


def _text_beside_items(plan: dict[str, Any]) -> None:
    action = plan["measures"][0]["tasks"][0]
    action["text"] = copy.deepcopy(action["items"][0]["text"])


def _unknown_top_level_key(plan: dict[str, Any]) -> None:
    plan["measure"] = []


def _bad_unit_id(plan: dict[str, Any]) -> None:
    plan["bureaus"][0]["id"] = "Commerce Bureau"


def _empty_chinese(plan: dict[str, Any]) -> None:
    plan["measures"][0]["title"]["zh"] = "  "


@pytest.mark.parametrize(
    "spoil",
    [
        _drop_measures,
        _unknown_action_role,
        _unknown_item_role,
        _text_beside_items,
        _unknown_top_level_key,
        _bad_unit_id,
        _empty_chinese,
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    plan_data: dict[str, Any], spoil: Callable[[dict[str, Any]], None]
) -> None:
    """A plan spoilt in a way the loader refuses is invalid against the schema too."""
    validator = _validator()
    spoil(plan_data)
    assert list(validator.iter_errors(plan_data)) != []
    with pytest.raises(yp.PolicyDataError):
        policy_from_dict(plan_data)


# --- The responsibility graph ----------------------------------------------------------


def test_node_link_reads_back_as_the_same_graph(policy: yp.Policy) -> None:
    """The node-link JSON reads back in networkx with the same nodes, edges and attributes."""
    G = policy.graph
    data = json.loads(export.to_node_link(policy))
    back = nx.node_link_graph(data, edges="edges")
    assert back.is_directed()
    assert list(back.nodes) == list(G.nodes)
    assert set(back.edges) == set(G.edges)
    for node, attrs in G.nodes(data=True):
        expected = {k: v for k, v in attrs.items() if k != "obj"}
        assert {k: v for k, v in back.nodes[node].items() if k != "ref"} == expected
    for u, v, attrs in G.edges(data=True):
        assert back.edges[u, v] == attrs  # lists such as ``actions`` stay lists
    assert back.graph["data_sha256"] == policy.data_sha256
    assert "policy" not in back.graph


def test_node_link_refs_name_the_model_objects(policy: yp.Policy) -> None:
    """Each node's ``ref`` is its unit's id, measure's number or action's id."""
    nodes = {n["id"]: n for n in json.loads(export.to_node_link(policy))["nodes"]}
    for bureau in policy.bureaus:
        assert nodes[f"bureau:{bureau.id}"]["ref"] == bureau.id
    for measure in policy.measures:
        assert nodes[f"measure:{measure.number}"]["ref"] == str(measure.number)
    for action in policy.actions:
        assert nodes[f"action:{action.id}"]["ref"] == action.id
    assert all("obj" not in n for n in nodes.values())


def _flat(value: object) -> object:
    return ",".join(map(str, value)) if isinstance(value, list) else value


@pytest.mark.parametrize(
    ("to_text", "read"),
    [(export.to_graphml, nx.read_graphml), (export.to_gexf, nx.read_gexf)],
    ids=["graphml", "gexf"],
)
def test_xml_graph_reads_back_with_the_same_nodes_edges_and_attributes(
    policy: yp.Policy, to_text: Callable[[yp.Policy], str], read: Callable[[Any], Any]
) -> None:
    """GraphML and GEXF read back with the graph's nodes, edges, labels, relations and roles."""
    G = policy.graph
    back = read(io.BytesIO(to_text(policy).encode("utf-8")))
    assert back.is_directed()
    assert set(back.nodes) == set(G.nodes)
    assert set(back.edges) == set(G.edges)
    for node, attrs in G.nodes(data=True):
        for key in ("kind", "label_zh", "label_en"):
            assert back.nodes[node][key] == attrs[key]
    for u, v, attrs in G.edges(data=True):
        for key in ("relation", "role", "actions", "kinds"):
            if key in attrs:
                assert back.edges[u, v][key] == _flat(attrs[key])
            else:
                assert key not in back.edges[u, v]


@pytest.mark.parametrize("to_text", [export.to_graphml, export.to_gexf], ids=["graphml", "gexf"])
def test_xml_graph_export_is_reproducible(
    policy: yp.Policy, to_text: Callable[[yp.Policy], str]
) -> None:
    """Two exports of the same plan are identical, with no date stamped in."""
    first = to_text(policy)
    assert first == to_text(policy)
    assert "lastmodifieddate" not in first
    assert policy.bureaus[0].name.zh in first  # UTF-8, not character references


# --- Diagrams --------------------------------------------------------------------------

_DOT_STRING = r'"((?:[^"\\]|\\.)*)"'
_DOT_EDGE = re.compile(rf"^\s*{_DOT_STRING} -> {_DOT_STRING} \[(.*)\];$")
_DOT_NODE = re.compile(rf"^\s*{_DOT_STRING} \[shape=(\w+), label={_DOT_STRING}\];$")


def _dot_unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _dot_nodes(dot: str) -> dict[str, tuple[str, str]]:
    found = (_DOT_NODE.match(line) for line in dot.splitlines())
    return {
        _dot_unescape(m[1]): (m[2], _dot_unescape(m[3].replace(r"\n", "\n"))) for m in found if m
    }


def test_dot_draws_every_measure_as_a_box_and_every_unit_as_an_ellipse(
    policy: yp.Policy,
) -> None:
    """Every measure and unit is a DOT node with its Chinese label and its shape."""
    nodes = _dot_nodes(export.to_dot(policy))
    for measure in policy.measures:
        label = f"{measure.number}. {measure.title.zh}"
        assert nodes[f"measure:{measure.number}"] == ("box", label)
    for bureau in policy.bureaus:
        assert nodes[f"bureau:{bureau.id}"] == ("ellipse", bureau.name.zh)
    assert len(nodes) == len(policy.measures) + len(policy.bureaus)


def test_dot_has_an_edge_per_assignment_in_the_graph(policy: yp.Policy) -> None:
    """The DOT edges are the graph's measure-to-unit assignments, one per action, styled by role."""
    dot = export.to_dot(policy)
    edges = [m for m in map(_DOT_EDGE.match, dot.splitlines()) if m]
    assert len(edges) == dot.count(" -> ")
    assert Counter((e[1], e[2]) for e in edges) == _assignments(policy.graph)
    roles = Counter(_shown_role(a) for a in policy.actions)
    assert sum("style=dashed" in e[3] for e in edges) == roles[yp.Role.ASSIST]
    assert sum("style=bold" in e[3] for e in edges) == roles[yp.Role.LEAD]
    assert roles[yp.Role.ASSIST] > 0
    assert roles[yp.Role.LEAD] > 0


def test_dot_escapes_quotes_and_backslashes(plan_data: dict[str, Any]) -> None:
    """A label with quotes, a backslash and a line break stays one valid DOT string."""
    name = '市"商务"\\局\n第二行'
    plan_data["bureaus"][0]["name"]["zh"] = name
    policy = policy_from_dict(plan_data)
    nodes = _dot_nodes(export.to_dot(policy))
    assert nodes[f"bureau:{policy.bureaus[0].id}"] == ("ellipse", name)


_MERMAID_NODE = re.compile(r'^\s*([A-Za-z0-9_]+)[\[(]"([^"]*)"[\])]$')
_MERMAID_EDGE = re.compile(r"^\s*([A-Za-z0-9_]+) -->(?:\|([^|]+)\|)? ([A-Za-z0-9_]+)$")


def test_mermaid_has_one_edge_per_action(policy: yp.Policy) -> None:
    """The flowchart has exactly one edge line per action, labelled with any role but 负责."""
    lines = export.to_mermaid(policy).splitlines()
    assert lines[0] == "flowchart LR"
    edges = [m for m in map(_MERMAID_EDGE.match, lines) if m]
    assert len(edges) == len(policy.actions) == sum("-->" in line for line in lines)
    for match, action in zip(edges, policy.actions, strict=True):
        assert match[1] == f"m{action.measure}"
        assert match[3] == f"u_{action.bureau.id}"
        role = _shown_role(action)
        assert match[2] == (None if role is yp.Role.RESPONSIBLE else role.zh)


def test_mermaid_nodes_have_ascii_ids_and_quoted_labels(policy: yp.Policy) -> None:
    """Every line is a node with an ASCII id and a quoted label, or an edge between them."""
    lines = export.to_mermaid(policy).splitlines()[1:]
    nodes = {m[1]: m[2] for m in map(_MERMAID_NODE.match, lines) if m}
    assert len(nodes) == len(policy.measures) + len(policy.bureaus)
    assert all(_MERMAID_NODE.match(line) or _MERMAID_EDGE.match(line) for line in lines)
    assert {b.name.zh for b in policy.bureaus} <= set(nodes.values())
    for match in filter(None, map(_MERMAID_EDGE.match, lines)):
        assert {match[1], match[3]} <= set(nodes)


def test_mermaid_escapes_quotes_in_labels(plan_data: dict[str, Any]) -> None:
    """A double quote in a label becomes Mermaid's #quot; entity, so the label stays quoted."""
    plan_data["measures"][0]["title"]["zh"] = '发展"小店"经济'
    text = export.to_mermaid(policy_from_dict(plan_data))
    assert 'm1["1. 发展#quot;小店#quot;经济"]' in [line.strip() for line in text.splitlines()]


# --- Spreadsheets ----------------------------------------------------------------------


def test_csv_has_a_row_per_action(policy: yp.Policy) -> None:
    """The CSV (UTF-8 with a BOM) has the header and one row per action, in order."""
    rows = _csv_rows(export.to_csv(policy))
    assert rows[0] == list(export.CSV_COLUMNS)
    assert len(rows) == len(policy.actions) + 1 == 50
    assert [r[0] for r in rows[1:]] == [a.id for a in policy.actions]


def test_csv_cells_carry_the_actions(policy: yp.Policy) -> None:
    """Each CSV row holds its action's measure, unit, role, texts and lines."""
    rows = _csv_rows(export.to_csv(policy))
    for row, action in zip(rows[1:], policy.actions, strict=True):
        cells = dict(zip(export.CSV_COLUMNS, row, strict=True))
        measure = policy.measure(action.measure)
        assert cells["measure"] == str(measure.number)
        assert (cells["measure_title_zh"], cells["measure_title_en"]) == (
            measure.title.zh,
            measure.title.en,
        )
        assert (cells["bureau_id"], cells["bureau_zh"], cells["bureau_en"]) == (
            action.bureau.id,
            action.bureau.name.zh,
            action.bureau.name.en,
        )
        assert cells["role"] == action.role.value
        assert (cells["text_zh"], cells["text_en"]) == (action.text.zh, action.text.en)
        first, last = map(int, cells["source_lines"].split("-"))
        assert (first, last) == (action.source.first_line, action.source.last_line)


@pytest.mark.parametrize("start", [*FORMULA_STARTS, *WIDE_STARTS, " =", "\u3000+", " ＠"])
def test_csv_neutralises_formulas_in_text(plan_data: dict[str, Any], start: str) -> None:
    """An action text that a spreadsheet would run as a formula gets a leading quote."""
    action = plan_data["measures"][0]["tasks"][1]
    action["text"]["zh"] = f"{start}1+1" + action["text"]["zh"]
    action["text"]["en"] = f"{start}HYPERLINK(0)" + action["text"]["en"]
    policy = policy_from_dict(plan_data)
    rows = _csv_rows(export.to_csv(policy))
    cells = dict(zip(export.CSV_COLUMNS, rows[2], strict=True))
    assert cells["action_id"] == action["id"]
    assert cells["text_zh"] == "'" + action["text"]["zh"]
    assert cells["text_en"] == "'" + action["text"]["en"]


def test_csv_leaves_harmless_cells_alone(policy: yp.Policy) -> None:
    """Cells that do not start like a formula are written exactly as they are."""
    rows = _csv_rows(export.to_csv(policy))
    texts = [a.text.zh for a in policy.actions]
    harmless = [t for t in texts if not _formula_like(t)]
    assert harmless
    assert {r[8] for r in rows[1:]} >= set(harmless)


_FORMULA_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
) | st.builds(
    "".join,
    st.tuples(
        st.text(" \t\r\n\u3000\x0b\x0c\x1c\x85\u2028", max_size=3),
        st.sampled_from(["=", "+", "-", "@", *WIDE_STARTS, "1", "a"]),
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=5),
    ),
)


@given(st.lists(_FORMULA_TEXT))
def test_csv_cells_never_start_like_a_formula(cells: list[str]) -> None:
    """Any cell reads back as itself, quoted where it would start a formula, never as one."""
    (row,) = _csv_rows(export.csv_bytes([cells]))
    assert row == [("'" + c if _formula_like(c) else c) for c in cells]
    assert not any(_formula_like(c) for c in row)


def test_matrix_is_measures_by_units(policy: yp.Policy) -> None:
    """The matrix has a row per measure and a column per unit, in the plan's order."""
    matrix = export.responsibility_matrix(policy)
    assert matrix.measures == policy.measures
    assert matrix.bureaus == policy.bureaus
    assert len(matrix.cells) == len(policy.measures) == 20
    assert {len(row) for row in matrix.cells} == {len(policy.bureaus)} == {20}


def test_matrix_cells_follow_the_actions(policy: yp.Policy) -> None:
    """A cell is empty exactly where the unit has no action, and lead where an item leads."""
    matrix = export.responsibility_matrix(policy)
    for measure in policy.measures:
        for bureau in policy.bureaus:
            own = [a for a in measure.actions if a.bureau.id == bureau.id]
            cell = matrix.cell(measure.number, bureau.id)
            if not own:
                assert cell is None
            elif any(yp.Role.LEAD in a.roles for a in own):
                assert cell == "lead"
            else:
                assert cell in {a.role.value for a in own}


def test_matrix_shows_finance_assisting_and_hrss_leading(policy: yp.Policy) -> None:
    """Finance assists (配合) under measures 6, 12, 13, 15 and 18; hrss leads 14 and 19."""
    matrix = export.responsibility_matrix(policy)
    column = {m.number: matrix.cell(m.number, "finance") for m in policy.measures}
    assisting = sorted(n for n, cell in column.items() if cell == "assist")
    finance = policy.bureau("finance")
    assert assisting == sorted(
        a.measure for a in policy.actions if a.bureau is finance and a.role is yp.Role.ASSIST
    )
    assert assisting == [6, 12, 13, 15, 18]
    leading = [m.number for m in policy.measures if matrix.cell(m.number, "hrss") == "lead"]
    assert leading == [14, 19]


def test_matrix_cell_rejects_unknown_names(policy: yp.Policy) -> None:
    """Asking for a measure or unit the matrix lacks raises KeyError."""
    matrix = export.responsibility_matrix(policy)
    with pytest.raises(KeyError):
        matrix.cell(len(policy.measures) + 1, "finance")
    with pytest.raises(KeyError):
        matrix.cell(1, "no_such_unit")


def test_matrix_csv_holds_the_matrix(policy: yp.Policy) -> None:
    """The matrix CSV has the unit ids as columns and the role values as cells."""
    matrix = export.responsibility_matrix(policy)
    rows = _csv_rows(export.matrix_to_csv(policy))
    assert rows[0] == ["measure", "title_zh", "title_en", *(b.id for b in policy.bureaus)]
    assert len(rows) == len(policy.measures) + 1
    for row, measure, cells in zip(rows[1:], matrix.measures, matrix.cells, strict=True):
        assert row[:3] == [str(measure.number), measure.title.zh, measure.title.en]
        assert row[3:] == [c or "" for c in cells]


def _markdown_cells(line: str) -> list[str]:
    assert line.startswith("| ")
    assert line.endswith(" |")
    return [c.replace("\\|", "|") for c in re.split(r" (?<!\\)\| ", line[2:-2])]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", {"responsible": "负责", "assist": "配合", "lead": "牵头"}),
        ("en", {"responsible": "R", "assist": "A", "lead": "L"}),
    ],
)
def test_matrix_markdown_is_a_table_in_the_language(
    policy: yp.Policy, lang: str, words: dict[str, str]
) -> None:
    """The Markdown table names the units in the language and spells roles its way."""
    matrix = export.responsibility_matrix(policy)
    lines = export.matrix_to_markdown(policy, lang=lang).splitlines()  # type: ignore[arg-type]
    header = _markdown_cells(lines[0])
    assert header[1:] == [b.name.get(lang) for b in policy.bureaus]
    assert lines[1] == "|" + "---|" * len(header)
    assert len(lines) == 2 + len(policy.measures)
    for line, measure, cells in zip(lines[2:], matrix.measures, matrix.cells, strict=True):
        row = _markdown_cells(line)
        assert row[0] == f"{measure.number}. {measure.title.get(lang)}"
        assert row[1:] == [words[c] if c else "" for c in cells]


def test_matrix_markdown_escapes_pipes(plan_data: dict[str, Any]) -> None:
    """A ``|`` in a unit's name is escaped, so the table keeps its columns."""
    plan_data["bureaus"][0]["name"]["en"] = "Commerce | Trade"
    policy = policy_from_dict(plan_data)
    header = export.matrix_to_markdown(policy, lang="en").splitlines()[0]
    assert "Commerce \\| Trade" in header
    assert _markdown_cells(header)[1] == "Commerce | Trade"
    assert len(_markdown_cells(header)) == len(policy.bureaus) + 1


def test_matrix_markdown_rejects_an_unknown_language(policy: yp.Policy) -> None:
    """A language other than zh or en is a ValueError."""
    with pytest.raises(ValueError, match="'fr'"):
        export.matrix_to_markdown(policy, lang="fr")  # type: ignore[arg-type]


# --- Writing files ---------------------------------------------------------------------

EXPORTERS: dict[str, Callable[[yp.Policy], str | bytes]] = {
    "json": export.to_json,
    "node-link": export.to_node_link,
    "graphml": export.to_graphml,
    "gexf": export.to_gexf,
    "dot": export.to_dot,
    "mermaid": export.to_mermaid,
    "csv": export.to_csv,
    "xlsx": export.to_xlsx,
    "matrix-csv": export.matrix_to_csv,
    "matrix-xlsx": export.matrix_to_xlsx,
    "matrix-md": export.matrix_to_markdown,
}


def _xlsx_cells(data: bytes | str) -> list[list[object]]:
    """The cells of a workbook's one sheet, read back with openpyxl."""
    import openpyxl  # noqa: PLC0415 - the xlsx extra

    assert isinstance(data, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_formats_are_the_documented_ones() -> None:
    """FORMATS lists the eleven format names, in order."""
    assert tuple(EXPORTERS) == export.FORMATS


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_write_writes_the_export(policy: yp.Policy, tmp_path: Path, fmt: str) -> None:
    """write() puts the named export in the file: text as UTF-8, CSV as its bytes."""
    path = tmp_path / f"plan.{fmt}"
    export.write(policy, fmt, path)
    if fmt.endswith("xlsx"):  # a workbook's bytes hold the time it was saved: compare cells
        assert _xlsx_cells(path.read_bytes()) == _xlsx_cells(EXPORTERS[fmt](policy))
        return
    content = EXPORTERS[fmt](policy)
    expected = content.encode("utf-8") if isinstance(content, str) else content
    assert path.read_bytes() == expected


def test_write_rejects_an_unknown_format(policy: yp.Policy, tmp_path: Path) -> None:
    """An unknown format is a ValueError naming every accepted format, and nothing is written."""
    path = tmp_path / "plan.xls"
    with pytest.raises(ValueError, match="xls") as caught:
        export.write(policy, "xls", path)
    assert all(fmt in str(caught.value) for fmt in export.FORMATS)
    assert not path.exists()
