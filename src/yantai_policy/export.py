"""Export a plan: back to the plan-file format, as a graph, a diagram, or a spreadsheet.

Every export is a plain function that takes the [`Policy`][yantai_policy.model.Policy]
first and returns the file's contents: ``str`` for text formats, ``bytes`` for CSV
(UTF-8 with a byte-order mark, so that Excel shows the Chinese). [`write`][yantai_policy.export.write]
picks one by name (see [`FORMATS`][yantai_policy.export.FORMATS]) and writes the file.

- ``json``: the whole plan in the plan-file format ([`to_json`][yantai_policy.export.to_json]), which
  [`yantai_policy.load_policy`][yantai_policy.loading.load_policy] reads back and [`plan_schema`][yantai_policy.export.plan_schema] describes;
- ``node-link``, ``graphml``, ``gexf``: the responsibility graph
  ([`Policy.graph`][yantai_policy.model.Policy.graph]) for networkx, Gephi, yEd
  and the like;
- ``dot``, ``mermaid``: diagrams of which unit acts under which measure, for Graphviz
  and for Markdown on GitHub;
- ``csv``: one row per task and unit (a shared task has a row for each of its units);
  ``matrix-csv``, ``matrix-md``: the responsibility matrix, measures by units.

Every export but ``json`` takes ``as_of``: the units are then labelled by the names in
force that day, with their successors where they no longer exist (the rule of
[`yantai_policy.labels`][yantai_policy.labels]); the texts stay as printed.

Examples:
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> print(to_mermaid(policy).splitlines()[0])
    flowchart LR
    >>> matrix = responsibility_matrix(policy)
    >>> matrix.cell(7, "pboc"), matrix.cell(6, "finance"), matrix.cell(6, "pboc")
    ('responsible', 'assist', None)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from typing import TYPE_CHECKING, Any, Literal

import attrs
import networkx as nx

from yantai_policy._text import text_problem
from yantai_policy.errors import PolicyDataError
from yantai_policy.labels import Labels, shown_role, unit_roles
from yantai_policy.loading import FORMAT, FORMAT_VERSION, read_data_file, reads_as_date
from yantai_policy.model import Action, Assignment, Bureau, Measure, Role
from yantai_policy.outfile import start_csv, write_bytes, xlsx_sheet
from yantai_policy.parameters import plan_value
from yantai_policy.serialize import Lang, markdown_cell, neutralise_cell, text_to_dict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from yantai_policy.model import (
        Deadline,
        Item,
        Notice,
        Policy,
        ReviewNote,
        SourceRef,
        Text,
        UnitEvent,
    )
    from yantai_policy.parameters import Parameter

__all__ = [
    "FORMATS",
    "PLAN_SCHEMA",
    "ResponsibilityMatrix",
    "csv_bytes",
    "matrix_to_csv",
    "matrix_to_markdown",
    "matrix_to_xlsx",
    "plan_schema",
    "policy_to_plan_dict",
    "responsibility_matrix",
    "to_csv",
    "to_dot",
    "to_gexf",
    "to_graphml",
    "to_json",
    "to_mermaid",
    "to_node_link",
    "to_xlsx",
    "write",
    "xlsx_bytes",
]

PLAN_SCHEMA = "plan.schema.json"
"""The file name of the plan format's JSON Schema inside ``yantai_policy/data``."""

CSV_COLUMNS = (
    "action_id",
    "measure",
    "measure_title_zh",
    "measure_title_en",
    "bureau_id",
    "bureau_zh",
    "bureau_en",
    "role",
    "text_zh",
    "text_en",
    "source_lines",
)
"""The header of [`to_csv`][yantai_policy.export.to_csv]."""

_MATRIX_WORDS = {
    "zh": {Role.RESPONSIBLE: "负责", Role.ASSIST: "配合", Role.LEAD: "牵头"},
    "en": {Role.RESPONSIBLE: "R", Role.ASSIST: "A", Role.LEAD: "L"},
}


# The attribute that holds the model object on the responsibility graph's nodes.
_OBJ = "obj"


# --- The plan-file format ------------------------------------------------------------


def _lines(source: SourceRef) -> list[int]:
    return [source.first_line, source.last_line]


def _text(text: Text) -> dict[str, Any]:
    return text_to_dict(text, "both")


def _assignments(assignments: tuple[Assignment, ...]) -> list[dict[str, str]]:
    return [{"unit": a.bureau.id, "role": a.role.value} for a in assignments]


def _item(item: Item, action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"number": item.number}
    in_role = tuple(Assignment(a.bureau, item.role) for a in action.assignments)
    if item.assignments == action.assignments and item.role is action.role:
        pass  # an item states its units or role only where they differ from its task's
    elif item.assignments == in_role:
        out["role"] = item.role.value
    else:
        out["assignments"] = _assignments(item.assignments)
    out["lines"] = _lines(item.source)
    out["text"] = _text(item.text)
    return out


def _deadline(deadline: Deadline) -> str | dict[str, str]:
    """A deadline as the file writes it: a date, the printed words, or both in a table."""
    if deadline.text is None:
        return str(deadline.on)
    if deadline.on is None and not reads_as_date(deadline.text):
        return deadline.text  # 长期坚持: words that cannot be read as a date
    out = {"text": deadline.text}
    if deadline.on is not None:
        out = {"on": str(deadline.on), **out}
    return out


def _action(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": action.id,
        "assignments": _assignments(action.assignments),
        "lines": _lines(action.source),
    }
    if action.deadline is not None:
        out["deadline"] = _deadline(action.deadline)
    if action.reporting is not None:
        out["reporting"] = action.reporting.value
    if action.districts:
        out["districts"] = True
    if action.items:  # the action's text is built from its items, so it is not written
        out["items"] = [_item(item, action) for item in action.items]
    else:
        out["text"] = _text(action.text)
    if action.references:
        refs = []
        for ref in action.references:
            entry: dict[str, Any] = {"mention": ref.mention, "kind": ref.kind.value}
            if ref.bureau is not None:
                entry["bureau"] = ref.bureau
            refs.append(entry)
        out["references"] = refs
    return out


def _measure(measure: Measure) -> dict[str, Any]:
    return {
        "number": measure.number,
        "lines": _lines(measure.source),
        "title": _text(measure.title),
        "provincial_text": _text(measure.provincial_text),
        "tasks": [_action(a) for a in measure.actions],
    }


def _event(event: UnitEvent) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": event.kind.value, "on": event.on.isoformat()}
    if event.name is not None:
        out["name"] = _text(event.name)
    if event.into:
        out["into"] = list(event.into)
    source: dict[str, Any] = {}
    if event.source.document is not None:
        source["document"] = event.source.document
    if event.source.note or event.source.document is None:
        source["note"] = event.source.note
    if event.source.assumption:
        source["assumption"] = True
    out["source"] = source
    return out


def _unit(unit: Bureau) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": unit.id,
        "name": _text(unit.name),
        "short_names": list(unit.short_names),
        "kind": unit.kind.value,
    }
    if unit.events:
        out["events"] = [_event(e) for e in unit.events]
    return out


def _parameter(param: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": _text(param.description),
        "unit": param.unit.value,
        "values": {
            since.isoformat(): plan_value(param.unit, value) for since, value in param.values
        },
        "source": param.source.to_dict(),
    }
    if param.cap is not None:
        out["cap"] = param.cap
    if param.sources:
        out["sources"] = {since.isoformat(): src.to_dict() for since, src in param.sources}
    return out


def _notice(notice: Notice) -> dict[str, Any]:
    """The notice as the file writes it: the parts it has; one parent as ``parent``, else ``parents``."""
    out: dict[str, Any] = {
        "document_number": notice.document_number,
        "issued_on": notice.issued_on.isoformat(),
        "lines": _lines(notice.source),
        "title": _text(notice.title),
        "issuer": _text(notice.issuer),
    }
    for key in ("addressees", "preamble", "attachment", "annex_title", "publication_note"):
        part: Text | None = getattr(notice, key)
        if part is not None:
            out[key] = _text(part)
    parents = [
        {"document_number": p.document_number, "title": _text(p.title)} for p in notice.parents
    ]
    if len(parents) == 1:
        out["parent"] = parents[0]
    elif parents:
        out["parents"] = parents
    if notice.sections:
        out["sections"] = [
            {
                "number": s.number,
                "lines": _lines(s.source),
                "heading": _text(s.heading),
                "text": _text(s.text),
            }
            for s in notice.sections
        ]
    return out


def policy_to_plan_dict(policy: Policy) -> dict[str, Any]:
    """Return the whole plan as a plan-file dictionary, ready for `json.dump`.

    The keys are those of the shipped plan file (see docs/data-format.md): provenance,
    notice, the lead convention, units (with their later events, and the later units),
    measures with their tasks, and parameters. It writes format version 2: each task
    lists its units with their roles (``assignments``), and its deadline, reporting
    rhythm and districts where it has them. A task with numbered items is written as its
    items; an item states its role, or its own units, only where they differ from its
    task's, and every text keeps its errata. Parameters keep the plan's order and are
    written as the file writes them: yuan as ``"5000.00"``, ratios as ``"65%"`` or
    ``"2/3"``, months and years as integers, dates as ``YYYY-MM-DD``, each under the date
    it takes effect; a changed parameter ([`with_parameters`][yantai_policy.model.Policy.with_parameters])
    cites its ``reform`` source. ``comment`` says where the file came from.

    Args:
        policy: The plan.

    Returns:
        A new dictionary of str, int, list, dict and None values; dates are
        ``YYYY-MM-DD``.

    Examples:
        >>> import yantai_policy as yp
        >>> plan = policy_to_plan_dict(yp.load_policy())
        >>> list(plan)
        ['comment', 'format', 'format_version', 'provenance', 'notice', 'lead_rule', 'bureaus', 'later_units', 'measures', 'parameters']
        >>> plan["measures"][13]["tasks"][0]["items"][1]["role"]
        'lead'
        >>> plan["parameters"]["social_insurance_subsidy.rate"]["values"]
        {'2021-01-11': '65%'}
        >>> yp.loading.policy_from_dict(plan).measures == yp.load_policy().measures
        True
    """
    notice = policy.notice
    provenance = policy.provenance
    return {
        "comment": [
            (
                f"yantai-policy plan file for {notice.document_number}, exported from the "
                f"plan data with SHA-256 {policy.data_sha256}."
            ),
            (
                "The format is documented in docs/data-format.md and its JSON Schema, "
                f"yantai_policy/data/{PLAN_SCHEMA}."
            ),
        ],
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "provenance": {
            "document_number": provenance.document_number,
            "issuer": provenance.issuer,
            "issued_on": provenance.issued_on.isoformat(),
            "source_file": provenance.source_file,
            "source_sha256": provenance.source_sha256,
            "furniture_lines": list(provenance.furniture_lines),
            "note": provenance.note,
        },
        "notice": _notice(notice),
        "lead_rule": policy.lead_rule.value,
        "bureaus": [_unit(b) for b in policy.bureaus],
        **({"later_units": [_unit(b) for b in policy.later_units]} if policy.later_units else {}),
        "measures": [_measure(m) for m in policy.measures],
        "parameters": {name: _parameter(p) for name, p in policy.parameters.by_name.items()},
        **({"review": [_review(r) for r in policy.review]} if policy.review else {}),
    }


def _review(note: ReviewNote) -> dict[str, Any]:
    """A draft's open review entry as the file writes it: ``{kind, message, lines?, where?}``."""
    out: dict[str, Any] = {"kind": note.kind, "message": note.message}
    if note.lines is not None:
        out["lines"] = list(note.lines)
    if note.where:
        out["where"] = note.where
    return out


def _check_writable(policy: Policy, plan: dict[str, Any] | None = None) -> None:
    """Refuse a policy holding text that no export can hold, naming where it is.

    A plan that loads never does: the loader refuses lone surrogates and control
    characters (see `yantai_policy._text.text_problem`). A policy built by hand (with
    ``attrs.evolve``, say) did not pass the loader, so every export checks it here, by
    the key path the plan file would have, before writing anything.

    Raises:
        PolicyDataError: Some text holds a lone surrogate, a control character other than
            tab, LF and CR, U+FFFE or U+FFFF; the message names the key path.
    """
    stack: list[tuple[str, object]] = [("", policy_to_plan_dict(policy) if plan is None else plan)]
    while stack:  # children are pushed last first, so the first problem in the file is named
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                raise PolicyDataError(
                    f"{problem}; no export can hold it", file="<policy>", path=path
                )
        elif isinstance(value, dict):
            for key in value:
                key_problem = text_problem(str(key))
                if key_problem is not None:
                    raise PolicyDataError(
                        f"a key holds a {key_problem}; no export can hold it",
                        file="<policy>",
                        path=path,
                    )
            stack.extend(
                (f"{path}.{key}" if path else str(key), child)
                for key, child in reversed(value.items())
            )
        elif isinstance(value, list):
            stack.extend(
                (f"{path}[{index}]", value[index]) for index in reversed(range(len(value)))
            )


def to_json(policy: Policy) -> str:
    """Return the whole plan as a plan file: UTF-8 JSON, Chinese unescaped.

    Examples:
        >>> import json, yantai_policy as yp
        >>> data = json.loads(to_json(yp.load_policy()))
        >>> data["format"], data["bureaus"][1]["name"]["zh"]
        ('yantai-policy/plan', '市财政局')
    """
    plan = policy_to_plan_dict(policy)
    _check_writable(policy, plan)
    return json.dumps(plan, ensure_ascii=False, indent=2) + "\n"


def plan_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of the plan-file format.

    The schema ships as ``yantai_policy/data/plan.schema.json``. It describes plan files
    in JSON; the loader checks a few more things than a schema can (see its
    ``description``).

    Examples:
        >>> schema = plan_schema()
        >>> schema["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
        >>> schema["$defs"]["role"]["enum"]
        ['responsible', 'assist', 'lead']
    """
    schema: dict[str, Any] = json.loads(read_data_file(PLAN_SCHEMA).decode("utf-8"))
    return schema


# --- The responsibility graph ----------------------------------------------------------


_DROP = object()  # what a converter returns for an attribute the file format cannot hold


def _ref(obj: object) -> str | None:
    """Return the model object's own key: a unit's id, a measure's number, an action's id."""
    if isinstance(obj, (Bureau, Action)):
        return obj.id
    if isinstance(obj, Measure):
        return str(obj.number)
    return None


def _json_value(value: object) -> object:
    """Return a JSON-friendly copy of a graph attribute, or ``_DROP`` for anything else."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)) and all(
        isinstance(v, (str, int, float, bool)) for v in value
    ):
        return list(value)
    return _DROP


def _flat_value(value: object) -> object:
    """Return a GraphML/GEXF-friendly attribute: lists joined with ``,``; None is dropped."""
    value = _json_value(value)
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return _DROP if value is None else value


def _attributes(data: dict[str, Any], convert: Callable[[object], object]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == _OBJ:
            ref = _ref(value)
            if ref is not None:
                out["ref"] = ref
            continue
        converted = convert(value)
        if converted is not _DROP:
            out[key] = converted
    return out


def _plain_graph(
    policy: Policy, convert: Callable[[object], object], as_of: dt.date | None = None
) -> nx.DiGraph[str]:
    """Copy ``policy.graph`` with every attribute made file-friendly by ``convert``.

    Each node's ``obj`` (the model object) becomes ``ref``, its own key (``finance``,
    ``7``, ``7.1``); the plan object on the graph is replaced by ``data_sha256``. Every
    unit of a task has its ``assigned_to`` edge, with its own role. With ``as_of``, the
    graph has an ``as_of`` attribute and each unit's node ``label_as_of_zh``,
    ``label_as_of_en`` (its label that day, [`yantai_policy.labels`][yantai_policy.labels])
    and ``exists``; ``label_zh`` and ``label_en`` stay the printed names.
    """
    _check_writable(policy)
    G = policy.graph
    plain: nx.DiGraph[str] = nx.DiGraph()
    plain.graph.update(_attributes(G.graph, convert))
    plain.graph["data_sha256"] = policy.data_sha256
    labels = Labels(policy, as_of)
    if as_of is not None:
        plain.graph["as_of"] = as_of.isoformat()
    for node, data in G.nodes(data=True):
        plain.add_node(node, **_attributes(data, convert))
        state = labels.state(data[_OBJ]) if isinstance(data.get(_OBJ), Bureau) else None
        if state is not None:
            plain.nodes[node].update(
                label_as_of_zh=state.label.zh, label_as_of_en=state.label.en, exists=state.exists
            )
    for source, target, data in G.edges(data=True):
        plain.add_edge(source, target, **_attributes(data, convert))
    return plain


def to_node_link(policy: Policy, as_of: dt.date | None = None) -> str:
    """Return the responsibility graph as networkx node-link JSON.

    The shape is `networkx.node_link_data`'s, with edges under ``"edges"``: read it
    back with ``nx.node_link_graph(data, edges="edges")``. Each node's model object is
    replaced by ``ref``, its own key; lists (an edge's ``actions`` and ``kinds``) stay lists.
    Every unit of a shared task has its ``assigned_to`` edge. With ``as_of``, the graph
    carries ``as_of`` and each unit's node ``label_as_of_zh``, ``label_as_of_en`` (its
    label that day, [`yantai_policy.labels`][yantai_policy.labels]) and ``exists``.

    Examples:
        >>> import json, yantai_policy as yp
        >>> data = json.loads(to_node_link(yp.load_policy()))
        >>> [n for n in data["nodes"] if n["id"] == "bureau:finance"]
        [{'id': 'bureau:finance', 'kind': 'bureau', 'ref': 'finance', 'label_zh': '市财政局', 'label_en': 'Yantai Municipal Finance Bureau'}]
        >>> [e["actions"] for e in data["edges"] if e["relation"] == "assists"]
        [['13.2']]
    """
    G = _plain_graph(policy, _json_value, as_of)
    data = {
        "directed": True,
        "multigraph": False,
        "graph": dict(G.graph),
        "nodes": [{"id": node, **attrs_} for node, attrs_ in G.nodes(data=True)],
        "edges": [
            {"source": source, "target": target, **attrs_}
            for source, target, attrs_ in G.edges(data=True)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_graphml(policy: Policy, as_of: dt.date | None = None) -> str:
    """Return the responsibility graph as GraphML.

    Node and edge attributes are kept as strings; an edge's ``actions`` and ``kinds``
    are joined with ``,`` and each node's model object becomes ``ref``, its own key.
    ``as_of`` adds the attributes of [`to_node_link`][yantai_policy.export.to_node_link].

    Examples:
        >>> import io, networkx as nx, yantai_policy as yp
        >>> G = nx.read_graphml(io.BytesIO(to_graphml(yp.load_policy()).encode("utf-8")))
        >>> G.nodes["bureau:pboc"]["label_zh"], G.edges["action:6.2", "bureau:finance"]["role"]
        ('人民银行市中心支行', 'assist')
    """
    stream = io.BytesIO()
    # The standard-library writer, not lxml's: the same output wherever it runs.
    nx.readwrite.graphml.write_graphml_xml(_plain_graph(policy, _flat_value, as_of), stream)
    return stream.getvalue().decode("utf-8")


def to_gexf(policy: Policy, as_of: dt.date | None = None) -> str:
    """Return the responsibility graph as GEXF 1.2, for Gephi.

    Attributes are as in [`to_graphml`][yantai_policy.export.to_graphml]; each node's GEXF ``label`` (what Gephi
    shows) is its Chinese label (with ``as_of``, a unit's label on that day).

    Examples:
        >>> import io, networkx as nx, yantai_policy as yp
        >>> G = nx.read_gexf(io.BytesIO(to_gexf(yp.load_policy()).encode("utf-8")))
        >>> G.nodes["measure:7"]["label"], G.nodes["measure:7"]["kind"]
        ('7. 提供贷款贴息', 'measure')
    """
    G = _plain_graph(policy, _flat_value, as_of)
    for _, data in G.nodes(data=True):
        data["label"] = data.get("label_as_of_zh", data["label_zh"])
    stream = io.BytesIO()
    nx.write_gexf(G, stream)
    # networkx stamps today's date on the file; leave it out, so an export is reproducible.
    return _GEXF_DATE.sub("", stream.getvalue().decode("utf-8"), count=1)


_GEXF_DATE = re.compile(r' lastmodifieddate="[^"]*"')


# --- Diagrams --------------------------------------------------------------------------


def _in(text: Text, lang: Lang) -> str:
    """Return a label in ``lang``: the Chinese, the English, or both as ``zh / en``."""
    if lang == "both":
        return f"{text.zh} / {text.en}"
    return text.get(lang)


def _role_word(role: Role, lang: Lang) -> str:
    """Return 负责/配合/牵头, responsible/assists/leads, or both as ``zh / en``."""
    return {"zh": role.zh, "en": role.en, "both": f"{role.zh} / {role.en}"}[lang]


def _measure_label(measure: Measure, lang: Lang = "zh") -> str:
    return f"{measure.number}. {_in(measure.title, lang)}"


def _check_lang(lang: str, allowed: tuple[str, ...] = ("zh", "en", "both")) -> None:
    if lang not in allowed:
        names = " or ".join(repr(a) for a in allowed)
        raise ValueError(f"lang must be {names}, not {lang!r}")


def _dot_string(value: str) -> str:
    """Return a DOT double-quoted string: backslashes and quotes escaped, LF as DOT's line break."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(policy: Policy, lang: Lang = "zh", as_of: dt.date | None = None) -> str:
    """Return a Graphviz DOT digraph of the measures and the units that act under them.

    Measures are boxes and units ellipses, labelled in ``lang`` (``both`` reads
    ``zh / en``), a unit by its label on ``as_of`` where given
    ([`yantai_policy.labels`][yantai_policy.labels]); there is one edge from a measure to
    a unit per task and unit (each unit of a shared task has one), labelled with the
    task's id (and the unit's role, where it is not 负责, responsible). 配合 (assist)
    edges are dashed and 牵头 (lead) edges bold; a unit leads where any of its items does. The
    district governments and the references between units are left out:
    [`to_graphml`][yantai_policy.export.to_graphml] has the whole graph. Every label is a quoted DOT string, with quotes, backslashes
    and line ends escaped.

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.

    Examples:
        >>> import yantai_policy as yp
        >>> dot = to_dot(yp.load_policy())
        >>> print(dot.splitlines()[0])
        digraph "烟政办字〔2021〕3号" {
        >>> print(next(line for line in dot.splitlines() if '[label="6.2' in line))
          "measure:6" -> "bureau:finance" [label="6.2 配合", style=dashed];
        >>> print(next(line for line in to_dot(yp.load_policy(), lang="en").splitlines() if '[label="6.2' in line))
          "measure:6" -> "bureau:finance" [label="6.2 assists", style=dashed];
    """
    _check_lang(lang)
    _check_writable(policy)
    lines = [
        f"digraph {_dot_string(policy.notice.document_number)} {{",
        "  graph [rankdir=LR];",
        "  // measures",
    ]
    lines.extend(
        f"  {_dot_string(f'measure:{m.number}')} [shape=box, label={_dot_string(_measure_label(m, lang))}];"
        for m in policy.measures
    )
    lines.append("  // units (责任单位)")
    labels = Labels(policy, as_of)
    lines.extend(
        f"  {_dot_string(f'bureau:{b.id}')} [shape=ellipse, label={_dot_string(_in(labels.name(b), lang))}];"
        for b in policy.bureaus
    )
    lines.append("  // one edge per action")
    drawn = {b.id for b in policy.bureaus}  # a hand-built plan's stale unit has no node
    for action in policy.actions:
        for unit in (u for u in action.bureaus if u.id in drawn):
            role = shown_role(action, unit)
            word = _role_word(role, lang)
            label = action.id if role is Role.RESPONSIBLE else f"{action.id} {word}"
            style = {Role.ASSIST: ", style=dashed", Role.LEAD: ", style=bold"}.get(role, "")
            lines.append(
                f"  {_dot_string(f'measure:{action.measure}')} -> "
                f"{_dot_string(f'bureau:{unit.id}')} [label={_dot_string(label)}{style}];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


_ASCII_ID = re.compile(r"[A-Za-z0-9_]+")
_MERMAID_WORD = re.compile(r"\w+")


def _mermaid_ids(bureaus: Iterable[Bureau]) -> dict[str, str]:
    """Return an ASCII Mermaid node id for each unit: ``u_<id>``, or ``u<n>`` as a fallback."""
    return {
        b.id: f"u_{b.id}" if _ASCII_ID.fullmatch(b.id) else f"u{index}"
        for index, b in enumerate(bureaus, start=1)
    }


# Mermaid's entity codes for what would end a quoted label, start a comment or markup.
_MERMAID_ENTITIES = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("`", "#96;"),
)


def _mermaid_label(value: str) -> str:
    """Return a quoted Mermaid label on one line, with ``# " < > ``` as entity codes."""
    for char, entity in _MERMAID_ENTITIES:
        value = value.replace(char, entity)
    return '"' + " ".join(value.split()) + '"'


def to_mermaid(policy: Policy, lang: Lang = "zh", as_of: dt.date | None = None) -> str:
    """Return a Mermaid ``flowchart LR`` of the measures and the units that act under them.

    GitHub renders it inside a ```` ```mermaid ```` block. Each measure (``m7``) has an
    edge to a unit (``u_finance``) per task and unit (each unit of a shared task has
    one), labelled 配合 (assists) or 牵头 (leads) where the unit is not simply 负责
    (responsible); units are labelled by their labels on ``as_of`` where given
    ([`yantai_policy.labels`][yantai_policy.labels]); labels are quoted, in ``lang``
    (``both`` reads ``zh / en``), on one line, with ``#``, ``"``, ``<``, ``>`` and the
    backtick written as Mermaid entity codes.

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.

    Examples:
        >>> import yantai_policy as yp
        >>> lines = to_mermaid(yp.load_policy()).splitlines()
        >>> [line.strip() for line in lines if line.strip().startswith("m7 ")]
        ['m7 --> u_finance', 'm7 --> u_hrss', 'm7 --> u_pboc']
        >>> [line.strip() for line in lines if line.strip().startswith(("m7[", "u_pboc("))]
        ['m7["7. 提供贷款贴息"]', 'u_pboc("人民银行市中心支行")']
        >>> [line.strip() for line in to_mermaid(yp.load_policy(), lang="en").splitlines() if "m6 -->|" in line]
        ['m6 -->|assists| u_finance']
    """
    _check_lang(lang)
    _check_writable(policy)
    ids = _mermaid_ids(policy.bureaus)
    lines = ["flowchart LR"]
    lines.extend(
        f"    m{m.number}[{_mermaid_label(_measure_label(m, lang))}]" for m in policy.measures
    )
    labels = Labels(policy, as_of)
    lines.extend(
        f"    {ids[b.id]}({_mermaid_label(_in(labels.name(b), lang))})" for b in policy.bureaus
    )
    for action in policy.actions:
        for unit in (u for u in action.bureaus if u.id in ids):  # the units drawn as nodes
            role = shown_role(action, unit)
            word = _role_word(role, lang)
            shown = word if _MERMAID_WORD.fullmatch(word) else _mermaid_label(word)
            arrow = "-->" if role is Role.RESPONSIBLE else f"-->|{shown}|"
            lines.append(f"    m{action.measure} {arrow} {ids[unit.id]}")
    return "\n".join(lines) + "\n"


# --- Spreadsheets ----------------------------------------------------------------------


def csv_bytes(rows: Iterable[Iterable[object]]) -> bytes:
    """Return rows as CSV: UTF-8 with a BOM, RFC 4180, formula-like cells neutralised."""
    buffer = io.StringIO(newline="")
    writer = start_csv(buffer)  # UTF-8 with a BOM; RFC 4180: quoted as needed, CRLF line ends
    for row in rows:
        writer.writerow([neutralise_cell(str(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: Iterable[Iterable[object]], title: str) -> bytes:
    """The CSV's rows as one sheet: numbers stay numbers, text is neutralised as in CSV."""
    buffer = io.BytesIO()
    with xlsx_sheet(buffer, title) as append:
        append(
            [c if isinstance(c, int) else neutralise_cell(str(c)) if c != "" else None for c in row]
            for row in rows
        )
    return buffer.getvalue()


# The header of `to_csv` in one language: the columns of CSV_COLUMNS without the other's.
_CSV_HEADERS = {
    "both": CSV_COLUMNS,
    "zh": ("编号", "措施", "措施名称", "单位代码", "单位", "职责", "内容", "原文行"),
    "en": ("action", "measure", "measure title", "unit id", "unit", "role", "text", "source lines"),
}


_AS_OF_HEADERS = {
    "both": ("as_of", "bureau_as_of_zh", "bureau_as_of_en"),
    "zh": ("日期", "当日单位"),
    "en": ("as of", "unit on that day"),
}
"""The columns `to_csv` adds for ``as_of``: the day, and the unit's label on it."""


def _csv_row(
    measure: Measure, action: Action, part: tuple[Bureau, Role], lang: Lang, labels: Labels
) -> tuple[object, ...]:
    unit, role = part
    lines = f"{action.source.first_line}-{action.source.last_line}"
    label = labels.name(unit)
    dated = labels.on is not None
    if lang == "both":
        return (
            action.id,
            measure.number,
            measure.title.zh,
            measure.title.en,
            unit.id,
            unit.name.zh,
            unit.name.en,
            role.value,
            action.text.zh,
            action.text.en,
            lines,
            *((str(labels.on), label.zh, label.en) if dated else ()),
        )
    return (
        action.id,
        measure.number,
        measure.title.get(lang),
        unit.id,
        unit.name.get(lang),
        _role_word(role, lang),
        action.text.get(lang),
        lines,
        *((str(labels.on), label.get(lang)) if dated else ()),
    )


def to_csv(policy: Policy, lang: Lang = "both", as_of: dt.date | None = None) -> bytes:
    """Return one CSV row per task and unit (columns: [`CSV_COLUMNS`][yantai_policy.export.CSV_COLUMNS]), UTF-8 with a BOM.

    A task of one unit is one row; a shared task has a row for each of its units, in
    printed order (its items' own units included), so ``action_id`` repeats. ``bureau_*``
    is the row's unit, by its printed name, and ``role`` that unit's own role in the
    task; ``source_lines`` is ``first-last``. With ``as_of``, three columns follow
    (``as_of``, ``bureau_as_of_zh``, ``bureau_as_of_en``; in one language ``日期, 当日单位``
    or ``as of, unit on that day``): the unit's label on that day (the rule of
    [`yantai_policy.labels`][yantai_policy.labels]); the texts stay as printed. A cell that
    begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` so that a spreadsheet does not run it as a formula.

    With ``lang="zh"`` or ``"en"`` the sheet is for reading in that language: the header
    is in it (``编号, 措施, 措施名称, 单位代码, 单位, 职责, 内容, 原文行`` or ``action,
    measure, measure title, unit id, unit, role, text, source lines``), the other
    language's columns are left out and the role is a word (负责/配合/牵头 or
    responsible/assists/leads).

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.

    Examples:
        >>> import csv, yantai_policy as yp
        >>> text = to_csv(yp.load_policy()).decode("utf-8-sig")
        >>> rows = list(csv.reader(text.splitlines()))
        >>> rows[0][:4], rows[1][:2], len(rows)
        (['action_id', 'measure', 'measure_title_zh', 'measure_title_en'], ['1.1', '1'], 50)
        >>> zh = list(csv.reader(to_csv(yp.load_policy(), lang="zh").decode("utf-8-sig").splitlines()))
        >>> zh[0][:3], next(row for row in zh if row[0] == "6.2")[4:6]
        (['编号', '措施', '措施名称'], ['市财政局', '配合'])
    """
    return csv_bytes(_action_rows(policy, lang, as_of))


def to_xlsx(policy: Policy, lang: Lang = "both", as_of: dt.date | None = None) -> bytes:
    """Return the rows of [`to_csv`][yantai_policy.export.to_csv] as an ``.xlsx`` workbook.

    Needs openpyxl (the ``xlsx`` extra). The cells are the CSV's (with ``as_of``, its
    label columns too): the measure is a number, every other cell a string, never a formula.

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.
        OutputError: openpyxl is not installed.
    """
    return xlsx_bytes(_action_rows(policy, lang, as_of), "actions")


def _action_rows(policy: Policy, lang: Lang, as_of: dt.date | None) -> list[tuple[object, ...]]:
    _check_lang(lang)
    _check_writable(policy)
    labels = Labels(policy, as_of)
    rows: list[tuple[object, ...]] = [
        (*_CSV_HEADERS[lang], *(_AS_OF_HEADERS[lang] if as_of is not None else ()))
    ]
    rows.extend(
        _csv_row(measure, action, part, lang, labels)
        for measure in policy.measures
        for action in measure.actions
        for part in unit_roles(action)
    )
    return rows


@attrs.frozen
class ResponsibilityMatrix:
    """Who does what: measures (rows) by units (columns).

    Attributes:
        measures: The rows, in the plan's order.
        bureaus: The columns, in the plan's order.
        cells: ``cells[row][column]`` is the unit's role under the measure as a role value
            (``"responsible"``, ``"assist"`` or ``"lead"``), or None where it has no action.
    """

    measures: tuple[Measure, ...]
    bureaus: tuple[Bureau, ...]
    cells: tuple[tuple[str | None, ...], ...]

    def cell(self, measure: int, bureau: str) -> str | None:
        """Return the role value of a unit (by id) under a measure (by number), or None.

        Raises:
            KeyError: The matrix has no such measure or unit.
        """
        rows = {m.number: i for i, m in enumerate(self.measures)}
        columns = {b.id: i for i, b in enumerate(self.bureaus)}
        if measure not in rows or bureau not in columns:
            raise KeyError((measure, bureau))
        return self.cells[rows[measure]][columns[bureau]]


# Where a unit has several actions under one measure, the strongest role shows.
_STRENGTH = {Role.ASSIST: 0, Role.RESPONSIBLE: 1, Role.LEAD: 2}


def responsibility_matrix(policy: Policy) -> ResponsibilityMatrix:
    """Return the measures-by-units matrix of roles.

    A cell is ``"lead"`` where the unit leads a task (or one of its items) under the
    measure (牵头), ``"assist"`` where its role is 配合 (assists), ``"responsible"``
    otherwise, and None where the unit has no task under the measure. Every unit of a
    shared task has its cell ([`shown_role`][yantai_policy.labels.shown_role]). Where a
    unit has several tasks under a measure, the strongest role shows (lead, then
    responsible, then assist).

    Examples:
        >>> import yantai_policy as yp
        >>> m = responsibility_matrix(yp.load_policy())
        >>> len(m.cells), len(m.bureaus)
        (20, 20)
        >>> m.cell(14, "hrss"), m.cell(13, "finance"), m.cell(13, "pboc")
        ('lead', 'assist', None)
    """
    cells = []
    for measure in policy.measures:
        roles: dict[str, Role] = {}
        for action in measure.actions:
            for unit in action.bureaus:
                role = shown_role(action, unit)
                held = roles.get(unit.id)
                if held is None or _STRENGTH[role] > _STRENGTH[held]:
                    roles[unit.id] = role
        cells.append(tuple(roles[b.id].value if b.id in roles else None for b in policy.bureaus))
    return ResponsibilityMatrix(
        measures=policy.measures, bureaus=policy.bureaus, cells=tuple(cells)
    )


def _matrix_table(policy: Policy, lang: Lang, as_of: dt.date | None) -> list[list[str]]:
    """Return the matrix for reading in one language: a header row, then a row per measure.

    The header is 措施/Measure and the units' labels in ``lang`` (on ``as_of``, where
    given); a row is the measure's
    number and title, then per unit 负责/配合/牵头 (``zh``) or R/A/L (responsible,
    assists, leads; ``en``), or empty where the unit has no action.
    """
    words = _MATRIX_WORDS[lang]
    matrix = responsibility_matrix(policy)
    labels = Labels(policy, as_of)
    header = [
        "措施" if lang == "zh" else "Measure",
        *(labels.name(b).get(lang) for b in matrix.bureaus),
    ]
    rows = [header]
    for measure, cells in zip(matrix.measures, matrix.cells, strict=True):
        rows.append(
            [
                _measure_label(measure, lang),
                *(words[Role(c)] if c is not None else "" for c in cells),
            ]
        )
    return rows


def matrix_to_csv(policy: Policy, lang: Lang = "both", as_of: dt.date | None = None) -> bytes:
    """Return the responsibility matrix as CSV, UTF-8 with a BOM.

    The header is ``measure``, ``title_zh``, ``title_en`` and then the units' ids; a cell
    is a role value or empty. Cells are neutralised against formulas as in [`to_csv`][yantai_policy.export.to_csv].
    With ``lang="zh"`` or ``"en"`` it is the table
    [`matrix_to_markdown`][yantai_policy.export.matrix_to_markdown] draws, in that
    language: units by name, cells 负责/配合/牵头 or R/A/L. With ``as_of``, the units'
    names are their labels on that day (in ``both``, the header keeps the ids).

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.

    Examples:
        >>> import csv, yantai_policy as yp
        >>> rows = list(csv.reader(matrix_to_csv(yp.load_policy()).decode("utf-8-sig").splitlines()))
        >>> rows[0][:5], rows[7][:2]
        (['measure', 'title_zh', 'title_en', 'commerce', 'finance'], ['7', '提供贷款贴息'])
        >>> zh = list(csv.reader(matrix_to_csv(yp.load_policy(), lang="zh").decode("utf-8-sig").splitlines()))
        >>> zh[0][:3], zh[7][:3]
        (['措施', '市商务局', '市财政局'], ['7. 提供贷款贴息', '', '负责'])
    """
    return csv_bytes(_matrix_rows(policy, lang, as_of))


def matrix_to_xlsx(policy: Policy, lang: Lang = "both", as_of: dt.date | None = None) -> bytes:
    """Return the rows of [`matrix_to_csv`][yantai_policy.export.matrix_to_csv] as an ``.xlsx`` workbook.

    Needs openpyxl (the ``xlsx`` extra); an empty cell is empty, a measure a number.

    Raises:
        ValueError: ``lang`` is not ``"zh"``, ``"en"`` or ``"both"``.
        OutputError: openpyxl is not installed.
    """
    return xlsx_bytes(_matrix_rows(policy, lang, as_of), "matrix")


def _matrix_rows(policy: Policy, lang: Lang, as_of: dt.date | None) -> list[list[object]]:
    _check_lang(lang)
    _check_writable(policy)
    if lang != "both":
        return [list[object](row) for row in _matrix_table(policy, lang, as_of)]
    matrix = responsibility_matrix(policy)
    rows: list[list[object]] = [
        ["measure", "title_zh", "title_en", *(b.id for b in matrix.bureaus)]
    ]
    for measure, cells in zip(matrix.measures, matrix.cells, strict=True):
        rows.append([measure.number, measure.title.zh, measure.title.en, *(c or "" for c in cells)])
    return rows


def matrix_to_markdown(
    policy: Policy, lang: Literal["zh", "en"] = "zh", as_of: dt.date | None = None
) -> str:
    """Return the responsibility matrix as a GitHub Markdown table.

    The header names the units in ``lang`` (by their labels on ``as_of``, where given);
    a cell reads 负责/配合/牵头 (``zh``) or R/A/L (responsible, assists, leads; ``en``),
    and is empty where the unit has no action.
    A table is in one language: ``"both"`` is refused.

    Raises:
        ValueError: ``lang`` is not ``"zh"`` or ``"en"``.

    Examples:
        >>> import yantai_policy as yp
        >>> table = matrix_to_markdown(yp.load_policy(), lang="en").splitlines()
        >>> table[0].split(" | ")[:2], table[1][:12]
        (['| Measure', 'Yantai Municipal Commerce Bureau'], '|---|---|---')
        >>> table[8].split(" | ")[:4]
        ['| 7. Provide loan interest subsidies', '', 'R', '']
    """
    _check_lang(lang, ("zh", "en"))
    _check_writable(policy)
    header, *rows = _matrix_table(policy, lang, as_of)
    lines = [
        "| " + " | ".join(markdown_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    lines.extend("| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


# --- Writing files ---------------------------------------------------------------------

_EXPORTERS: dict[str, Callable[..., str | bytes]] = {
    "json": to_json,
    "node-link": to_node_link,
    "graphml": to_graphml,
    "gexf": to_gexf,
    "dot": to_dot,
    "mermaid": to_mermaid,
    "csv": to_csv,
    "xlsx": to_xlsx,
    "matrix-csv": matrix_to_csv,
    "matrix-xlsx": matrix_to_xlsx,
    "matrix-md": matrix_to_markdown,
}

FORMATS: tuple[str, ...] = tuple(_EXPORTERS)
"""The format names [`write`][yantai_policy.export.write] accepts."""

# The languages a format can be written in. The others (json, node-link, graphml, gexf)
# carry both languages as data, so they take only "both".
_LANGS: dict[str, tuple[str, ...]] = {
    "dot": ("zh", "en", "both"),
    "mermaid": ("zh", "en", "both"),
    "csv": ("zh", "en", "both"),
    "xlsx": ("zh", "en", "both"),
    "matrix-csv": ("zh", "en", "both"),
    "matrix-xlsx": ("zh", "en", "both"),
    "matrix-md": ("zh", "en"),
}


def write(
    policy: Policy,
    fmt: str,
    path: str | os.PathLike[str],
    lang: Lang | None = None,
    as_of: dt.date | None = None,
) -> None:
    """Export the plan in a format (one of [`FORMATS`][yantai_policy.export.FORMATS]) and write it to a file.

    Text is written as UTF-8 with LF line ends; CSV and ``.xlsx`` as the bytes
    [`to_csv`][yantai_policy.export.to_csv] and [`to_xlsx`][yantai_policy.export.to_xlsx]
    return. An existing file is replaced only once the new one is complete
    (`yantai_policy.outfile.write_bytes`); ``-`` is stdout.

    Args:
        policy: The plan.
        fmt: The format's name, such as ``"graphml"``.
        path: The file to write, or ``-`` for stdout.
        lang: The language of the labels, ``"zh"``, ``"en"`` or ``"both"``, for
            ``dot``, ``mermaid``, ``csv``, ``xlsx``, ``matrix-csv`` and ``matrix-xlsx`` (``matrix-md``: ``"zh"`` or
            ``"en"``). ``json``, ``node-link``, ``graphml`` and ``gexf`` carry both
            languages as data and take only ``"both"``. None (the default) is each
            format's own default: Chinese for ``dot``, ``mermaid`` and ``matrix-md``,
            both for the rest.
        as_of: A day: label the units by their names in force that day, with their
            successors where they no longer exist ([`yantai_policy.labels`][yantai_policy.labels]),
            in every format but ``json`` (the plan file keeps the printed names and the
            units' events; ``as_of`` is refused for it). The texts stay as printed.

    Raises:
        ValueError: ``fmt`` is not one of [`FORMATS`][yantai_policy.export.FORMATS], ``lang`` is not one the
            format can be written in, or ``as_of`` is given for ``json``; nothing is written.
        PolicyDataError: The policy, built by hand, holds text no export can hold (a
            lone surrogate, a control character); nothing is written.
        OutputError: The file cannot be written (an `OSError`); an existing file is kept.

    Examples:
        >>> import os, tempfile, yantai_policy as yp
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "plan.json")
        ...     write(yp.load_policy(), "json", path)
        ...     yp.load_policy(path).measures == yp.load_policy().measures
        True
        >>> write(yp.load_policy(), "xls", "plan.xls")
        Traceback (most recent call last):
        ...
        ValueError: unknown format 'xls'; expected one of: json, node-link, graphml, gexf, dot, mermaid, csv, xlsx, matrix-csv, matrix-xlsx, matrix-md
    """
    try:
        exporter = _EXPORTERS[fmt]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}") from None
    langs = _LANGS.get(fmt, ("both",))
    if lang is not None and lang not in langs:
        if langs == ("both",):
            raise ValueError(
                f"{fmt} carries both languages as data; lang applies to {', '.join(_LANGS)}"
            )
        raise ValueError(f"{fmt} is written in {' or '.join(langs)}, not {lang!r}")
    if as_of is not None and fmt == "json":
        raise ValueError(
            "json is the plan file: it keeps the printed names and the units' events; "
            "as_of applies to the other formats"
        )
    options: dict[str, object] = {} if as_of is None else {"as_of": as_of}
    if lang is not None and fmt in _LANGS:
        options["lang"] = lang
    content = exporter(policy, **options)
    data = content.encode("utf-8") if isinstance(content, str) else content
    write_bytes(path, data)
