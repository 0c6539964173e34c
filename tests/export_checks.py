"""Helpers for tests that check every export is valid in its format, whatever the plan holds.

Each check reads the export back with a reader of its own (json, networkx, csv) or a
strict scanner (DOT, Mermaid, Markdown) and compares it with the policy, so that a
label that broke out of its quotes or a row split in two fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING

import networkx as nx

from yantai_policy import export
from yantai_policy.loading import policy_from_dict
from yantai_policy.serialize import neutralise_cell

if TYPE_CHECKING:
    from yantai_policy.model import Policy, Text

LANGS = {
    "dot": ("zh", "en", "both"),
    "mermaid": ("zh", "en", "both"),
    "csv": ("zh", "en", "both"),
    "matrix-csv": ("zh", "en", "both"),
    "matrix-md": ("zh", "en"),
    # A sheet holds the CSV's rows (one row function per table), so one language reads
    # the .xlsx cell writer back; the rows of each language are checked through the CSV.
    "xlsx": ("both",),
    "matrix-xlsx": ("both",),
}


def shown(text: Text, lang: str) -> str:
    """A label as the exports show it in a language: zh, en (zh where en is empty), or ``zh / en``."""
    return {"zh": text.zh, "en": text.get("en"), "both": f"{text.zh} / {text.en}"}[lang]


def _xml_text(value: str) -> str:
    """An XML parser reads CR LF and a lone CR as LF: what a label reads back as."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check_json(policy: Policy, *, loads_back: bool = True) -> None:
    """The plan-file JSON parses strictly and (for a plan that loaded) loads back the same."""
    data = json.loads(export.to_json(policy), strict=True)
    assert data["measures"][0]["number"] == policy.measures[0].number
    if loads_back:
        assert policy_from_dict(data).measures == policy.measures


def check_node_link(policy: Policy) -> None:
    """The node-link JSON reads back in networkx with the graph's nodes and labels."""
    G = nx.node_link_graph(json.loads(export.to_node_link(policy), strict=True), edges="edges")
    assert set(G.nodes) == set(policy.graph.nodes)
    for node, data in policy.graph.nodes(data=True):
        assert G.nodes[node]["label_zh"] == data["label_zh"]


def check_xml(policy: Policy, fmt: str) -> None:
    """GraphML or GEXF is well-formed, and networkx reads it back with the same nodes."""
    if fmt == "graphml":
        G = nx.read_graphml(io.BytesIO(export.to_graphml(policy).encode("utf-8")))
    else:
        G = nx.read_gexf(io.BytesIO(export.to_gexf(policy).encode("utf-8")))
    assert G.number_of_nodes() == policy.graph.number_of_nodes()
    assert G.number_of_edges() == policy.graph.number_of_edges()
    for node, data in policy.graph.nodes(data=True):
        assert _xml_text(G.nodes[node]["label_zh"]) == _xml_text(data["label_zh"])


def _lines(text: str) -> list[str]:
    """Split on LF only: DOT, Mermaid and Markdown do not end a line at U+2028 or U+0085."""
    assert text.endswith("\n")
    return text[:-1].split("\n")


def _dot_strings(line: str) -> list[str]:
    """Return the DOT quoted strings of one line, unescaped; fail on one left open."""
    out: list[str] = []
    current: list[str] | None = None
    chars = iter(line)
    for char in chars:
        if current is None:
            if char == '"':
                current = []
            continue
        if char == "\\":
            escaped = next(chars, None)
            assert escaped is not None, f"a backslash ends the line: {line!r}"
            current.append("\n" if escaped == "n" else escaped)
        elif char == '"':
            out.append("".join(current))
            current = None
        else:
            current.append(char)
    assert current is None, f"an unclosed string: {line!r}"
    return out


def check_dot(policy: Policy, lang: str) -> None:
    """Every DOT statement is on one line with balanced quotes, and labels read back."""
    lines = _lines(export.to_dot(policy, lang=lang))  # type: ignore[arg-type]
    assert len(lines) == 6 + len(policy.measures) + len(policy.bureaus) + len(policy.actions)
    assert lines[0].endswith("{")
    assert lines[-1] == "}"
    strings = [s for line in lines for s in _dot_strings(line)]
    assert strings[0] == policy.notice.document_number.replace("\r", "")
    for measure in policy.measures:
        title = shown(measure.title, lang)
        expected = f"{measure.number}. {title}".replace("\r", "")
        assert any(expected in s for s in strings)


_MERMAID_LABEL = r'"[^"<>`\n]*"'
_MERMAID_LINE = re.compile(
    rf"flowchart LR|    m\d+\[{_MERMAID_LABEL}\]|    u\w+\({_MERMAID_LABEL}\)"
    rf"|    m\d+ -->(\|(\w+|{_MERMAID_LABEL})\|)? u\w+"
)


def check_mermaid(policy: Policy, lang: str) -> None:
    """Every Mermaid line is a node with a quoted, escaped label or an edge; one per object."""
    lines = _lines(export.to_mermaid(policy, lang=lang))  # type: ignore[arg-type]
    assert len(lines) == 1 + len(policy.measures) + len(policy.bureaus) + len(policy.actions)
    for line in lines:
        assert _MERMAID_LINE.fullmatch(line), line
        for entity in re.findall(r"#[^;\s\"]*;?", line):
            assert re.fullmatch(r"#(35|quot|lt|gt|96);", entity), line


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cells(row: list[object]) -> list[str]:
    return [neutralise_cell(str(cell)) for cell in row]


def check_csv(policy: Policy, lang: str) -> None:
    """The action CSV reads back with the csv module to one row per action, cell for cell."""
    rows = _csv(export.to_csv(policy, lang=lang))  # type: ignore[arg-type]
    assert len(rows) == 1 + len(policy.actions)
    for row, action in zip(rows[1:], policy.actions, strict=True):
        measure = policy.measure(action.measure)
        if lang == "both":
            texts = [measure.title.zh, measure.title.en, action.bureau.id]
            texts += [action.bureau.name.zh, action.bureau.name.en, action.role.value]
            texts += [action.text.zh, action.text.en]
        else:
            texts = [measure.title.get(lang), action.bureau.id, action.bureau.name.get(lang)]
            texts += [action.role.zh if lang == "zh" else action.role.en, action.text.get(lang)]
        expected = [action.id, measure.number, *texts]
        expected.append(f"{action.source.first_line}-{action.source.last_line}")
        assert row == _cells(expected)


def check_matrix_csv(policy: Policy, lang: str) -> None:
    """The matrix CSV reads back to a header and one row per measure, titles intact."""
    rows = _csv(export.matrix_to_csv(policy, lang=lang))  # type: ignore[arg-type]
    assert len(rows) == 1 + len(policy.measures)
    width = len(policy.bureaus) + (3 if lang == "both" else 1)
    assert all(len(row) == width for row in rows)
    for row, measure in zip(rows[1:], policy.measures, strict=True):
        if lang == "both":
            assert row[:3] == _cells([measure.number, measure.title.zh, measure.title.en])
        else:
            assert row[0] == neutralise_cell(f"{measure.number}. {measure.title.get(lang)}")


def _xlsx(data: bytes) -> list[list[str]]:
    """A workbook's one sheet read back with openpyxl, as text cells; no cell is a formula."""
    import openpyxl  # noqa: PLC0415 - the xlsx extra

    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    rows = []
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)
        rows.append(["" if cell.value is None else str(cell.value) for cell in row])
    width = max(map(len, rows))  # read-only mode leaves out a row's trailing empty cells
    return [row + [""] * (width - len(row)) for row in rows]


def _as_read_from_xml(rows: list[list[str]]) -> list[list[str]]:
    """The CSV's cells as a sheet's XML reads them back (CR LF and a lone CR as LF)."""
    return [[_xml_text(cell) for cell in row] for row in rows]


def check_xlsx(policy: Policy, lang: str) -> None:
    """The action sheet reads back with openpyxl to the CSV's cells, none a formula."""
    sheet = _xlsx(export.to_xlsx(policy, lang=lang))  # type: ignore[arg-type]
    assert sheet == _as_read_from_xml(_csv(export.to_csv(policy, lang=lang)))  # type: ignore[arg-type]


def check_matrix_xlsx(policy: Policy, lang: str) -> None:
    """The matrix sheet reads back with openpyxl to the matrix CSV's cells, none a formula."""
    sheet = _xlsx(export.matrix_to_xlsx(policy, lang=lang))  # type: ignore[arg-type]
    assert sheet == _as_read_from_xml(_csv(export.matrix_to_csv(policy, lang=lang)))  # type: ignore[arg-type]


def _markdown_cells(line: str) -> list[str]:
    """Split a GitHub Markdown table row on its unescaped pipes."""
    assert line.startswith("| "), line
    assert line.endswith(" |"), line
    cells, current, chars = [], [], iter(line[1:-1])
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    return cells


def check_matrix_md(policy: Policy, lang: str) -> None:
    """The Markdown table has a line per measure and every row as many cells as the header."""
    lines = _lines(export.matrix_to_markdown(policy, lang=lang))  # type: ignore[arg-type]
    assert len(lines) == 2 + len(policy.measures)
    width = 1 + len(policy.bureaus)
    assert lines[1] == "|" + "---|" * width
    for line in [lines[0], *lines[2:]]:
        assert len(_markdown_cells(line)) == width, line
        assert "<" not in line


def check_every_export(policy: Policy, *, loads_back: bool = True) -> int:
    """Check every format in every language it takes; return how many exports were read.

    ``loads_back=False`` for a policy built by hand: its JSON must parse, but it need not
    be a plan the loader accepts (an empty name, say).
    """
    check_json(policy, loads_back=loads_back)
    check_node_link(policy)
    check_xml(policy, "graphml")
    check_xml(policy, "gexf")
    checks = {
        "dot": check_dot,
        "mermaid": check_mermaid,
        "csv": check_csv,
        "xlsx": check_xlsx,
        "matrix-csv": check_matrix_csv,
        "matrix-xlsx": check_matrix_xlsx,
        "matrix-md": check_matrix_md,
    }
    assert set(checks) | {"json", "node-link", "graphml", "gexf"} == set(export.FORMATS)
    count = 4
    for fmt, check in checks.items():
        for lang in LANGS[fmt]:
            check(policy, lang)
            count += 1
    return count
