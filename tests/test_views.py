"""Every view shows shared tasks and labels units by the name in force on a date (--as-of)."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest

import yantai_policy as yp
from yantai_policy import export, frames, plot
from yantai_policy.cli import main
from yantai_policy.display import measure_html
from yantai_policy.labels import Labels, own_role, shown_role
from yantai_policy.loading import policy_from_dict
from yantai_policy.serialize import action_to_dict, bureau_to_dict

if TYPE_CHECKING:
    from pathlib import Path

AS_OF = dt.date(2024, 1, 1)
BEFORE = dt.date(2023, 1, 1)  # before both the NFRA bureau and the PBOC rename
SHARED = "7.3"  # made shared below: 人民银行 leads, 财政局 and 银保监分局 assist
SHARED_UNITS = ("pboc", "finance", "banking_insurance_regulation")


def _shared_data(plan_data: dict[str, Any]) -> dict[str, Any]:
    """The shipped plan with task 7.3 shared by three units, with a deadline and reporting."""
    data = copy.deepcopy(plan_data)
    task = next(t for m in data["measures"] for t in m["tasks"] if t["id"] == SHARED)
    task["assignments"] = [
        {"unit": "pboc", "role": "lead"},
        {"unit": "finance", "role": "assist"},
        {"unit": "banking_insurance_regulation", "role": "assist"},
    ]
    task["deadline"] = {"on": "2021-12-31", "text": "2021年底前"}
    task["reporting"] = "quarterly"
    task["districts"] = True
    return data


@pytest.fixture
def shared(plan_data: dict[str, Any]) -> yp.Policy:
    """The shipped plan with one shared task (7.3)."""
    return policy_from_dict(_shared_data(plan_data))


@pytest.fixture
def shared_path(plan_data: dict[str, Any], tmp_path: Path) -> str:
    """That plan as a JSON file, for the CLI's --plan."""
    path = tmp_path / "shared.json"
    path.write_text(json.dumps(_shared_data(plan_data), ensure_ascii=False), "utf-8")
    return str(path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def _names(policy: yp.Policy, unit: str, on: dt.date | None) -> tuple[str, str]:
    label = Labels(policy, on).name(policy.bureau(unit))
    return label.zh, label.en


# --- the one rule -----------------------------------------------------------------------


def test_without_a_day_every_label_is_the_printed_name(policy: yp.Policy) -> None:
    """Labels with no day give each unit its printed name."""
    labels = Labels(policy)
    assert all(labels.name(b) == b.name for b in policy.bureaus)
    assert labels.in_force() == policy.bureaus


def test_a_renamed_unit_is_labelled_by_its_new_name(policy: yp.Policy) -> None:
    """On 2024-01-01 pboc is 中国人民银行烟台市分行; before the rename, its printed name."""
    pboc = policy.bureau("pboc")
    assert Labels(policy, AS_OF).name(pboc).zh == "中国人民银行烟台市分行"
    assert Labels(policy, BEFORE).name(pboc) == pboc.name
    assert Labels(policy, AS_OF).state(pboc).exists  # type: ignore[union-attr]


def test_a_merged_unit_is_labelled_with_its_successor(policy: yp.Policy) -> None:
    """A unit that no longer exists reads 'its name then → its successors' names'."""
    cbirc = policy.bureau("banking_insurance_regulation")
    (successor,) = policy.successor_of(cbirc, AS_OF)
    state = Labels(policy, AS_OF).state(cbirc)
    assert state is not None
    assert not state.exists
    assert state.label.zh == f"{cbirc.name_on(AS_OF).zh} → {successor.name_on(AS_OF).zh}"
    assert state.label.en == f"{cbirc.name_on(AS_OF).en} → {successor.name_on(AS_OF).en}"
    assert Labels(policy, BEFORE).name(cbirc) == cbirc.name


def test_an_abolished_unit_without_successor_says_so(plan_data: dict[str, Any]) -> None:
    """An abolished unit's label ends with （已撤销） / (abolished)."""
    unit = next(u for u in plan_data["bureaus"] if u["id"] == "commerce")
    unit["events"] = [{"kind": "abolished", "on": "2023-01-01", "source": {"note": "a test"}}]
    policy = policy_from_dict(plan_data)
    assert _names(policy, "commerce", AS_OF) == (
        "市商务局 → （已撤销）",
        f"{unit['name']['en']} → (abolished)",
    )


def test_later_units_are_in_force_only_from_their_day(policy: yp.Policy) -> None:
    """The NFRA bureau is in force on 2024-01-01, not before; the merged unit is not then."""
    assert "nfra_yantai" in [u.id for u in Labels(policy, AS_OF).in_force()]
    assert "banking_insurance_regulation" not in [u.id for u in Labels(policy, AS_OF).in_force()]
    assert "nfra_yantai" not in [u.id for u in Labels(policy, BEFORE).in_force()]


def test_own_and_shown_roles_of_a_shared_task(shared: yp.Policy) -> None:
    """Each unit of a shared task has its own role; a single-unit task's is the task's role."""
    task = shared.action(SHARED)
    assert [own_role(task, u).value for u in task.bureaus] == ["lead", "assist", "assist"]
    assert all(own_role(a, a.bureau) is a.role for a in shared.actions if not a.is_shared)
    hrss = shared.bureau("hrss")
    item_leads = shared.action("14.1")
    assert shown_role(item_leads, hrss).value == "lead"
    assert own_role(item_leads, hrss) is item_leads.role


# --- records (JSON) -----------------------------------------------------------------------


def test_a_record_lists_every_unit_with_its_role(shared: yp.Policy) -> None:
    """action_to_dict has assignments, deadline, reporting, districts; bureau/role is the lead."""
    record = action_to_dict(shared.action(SHARED))
    assert [(a["unit"], a["role"]) for a in record["assignments"]] == [  # type: ignore[attr-defined]
        ("pboc", "lead"),
        ("finance", "assist"),
        ("banking_insurance_regulation", "assist"),
    ]
    assert (record["bureau"], record["role"]) == ("pboc", "lead")
    assert record["deadline"] == {"on": "2021-12-31", "text": "2021年底前"}
    assert (record["reporting"], record["districts"]) == ("quarterly", True)
    assert "as_of" not in record


def test_a_dated_record_labels_units_and_keeps_the_text(shared: yp.Policy) -> None:
    """With labels on a day, assignments gain labels; every other key is unchanged."""
    task = shared.action(SHARED)
    plain = action_to_dict(task)
    dated = action_to_dict(task, labels=Labels(shared, AS_OF))
    labels = [a["label"]["zh"] for a in dated["assignments"]]  # type: ignore[attr-defined]
    assert labels == [_names(shared, u, AS_OF)[0] for u in SHARED_UNITS]
    assert dated["as_of"] == "2024-01-01"
    for key in ("text", "items", "references", "bureau_name", "source"):
        assert dated[key] == plain[key]


def test_a_dated_unit_record_says_how_it_stands(policy: yp.Policy) -> None:
    """bureau_to_dict's as_of gives the name then, the label, exists and the successors' ids."""
    cbirc = policy.bureau("banking_insurance_regulation")
    record = bureau_to_dict(cbirc, labels=Labels(policy, AS_OF))
    as_of = record["as_of"]
    assert as_of["exists"] is False  # type: ignore[index]
    assert as_of["successors"] == [b.id for b in policy.successor_of(cbirc, AS_OF)]  # type: ignore[index]
    assert record["name"] == {"zh": cbirc.name.zh, "en": cbirc.name.en}
    assert "as_of" not in bureau_to_dict(cbirc, labels=Labels(policy))


# --- the CLI --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("measures",),
        ("show", "7"),
        ("bureaus",),
        ("bureau", "pboc"),
        ("co-owners", "7"),
        ("actions", "--bureau", "pboc"),
        ("workload",),
    ],
)
def test_as_of_relabels_units_and_nothing_else(
    capsys: pytest.CaptureFixture[str], policy: yp.Policy, argv: tuple[str, ...]
) -> None:
    """--as-of changes only the units' names: the printed pboc name becomes its new one."""
    for lang in ("zh", "en"):
        plain = _run(capsys, *argv, "--lang", lang)
        dated = _run(capsys, *argv, "--lang", lang, "--as-of", str(AS_OF))
        pboc = policy.bureau("pboc")
        printed, later = pboc.name.get(lang), pboc.name_on(AS_OF).get(lang)
        if argv != ("bureaus",):  # bureaus --as-of also marks the merged unit and lists NFRA
            cbirc = policy.bureau("banking_insurance_regulation")
            label = Labels(policy, AS_OF).name(cbirc).get(lang)
            expected = plain.replace(printed, later).replace(cbirc.name.get(lang), label)
            if argv[0] == "bureau":  # the names line lists the printed names as they are
                expected = expected.replace(f"pboc, {later}", f"pboc, {printed}")
            assert dated == expected
        if argv[0] != "actions":  # actions names no unit of a single-unit task
            assert printed in plain
            assert later in dated


def test_show_as_of_keeps_every_text_byte_identical(
    capsys: pytest.CaptureFixture[str], policy: yp.Policy
) -> None:
    """Show --json --as-of carries the same texts as without it."""
    plain = json.loads(_run(capsys, "show", "7", "--json"))
    dated = json.loads(_run(capsys, "show", "7", "--json", "--as-of", str(AS_OF)))
    assert [a["text"] for a in dated["actions"]] == [a["text"] for a in plain["actions"]]
    pboc = next(b for b in dated["bureaus"] if b["id"] == "pboc")
    assert pboc["as_of"]["name"]["zh"] == policy.bureau("pboc").name_on(AS_OF).zh


def test_bureaus_as_of_marks_ended_units_and_lists_later_ones(
    capsys: pytest.CaptureFixture[str], policy: yp.Policy
) -> None:
    """Bureaus --as-of marks the merged unit and lists the NFRA bureau with the tasks it holds."""
    out = _run(capsys, "bureaus", "--as-of", str(AS_OF), "--lang", "zh")
    cbirc_line = next(line for line in out.splitlines() if line.startswith("banking_insurance"))
    assert "merged_into on 2023-07-20" in cbirc_line
    nfra = policy.bureau("nfra_yantai")
    held = len(yp.queries.actions_of(policy, "banking_insurance_regulation"))
    assert f"{nfra.name.zh}  ({held})" in out
    before = _run(capsys, "bureaus", "--as-of", str(BEFORE), "--lang", "zh")
    assert "nfra_yantai" not in before
    data = json.loads(_run(capsys, "bureaus", "--json", "--as-of", str(AS_OF)))
    assert [b["id"] for b in data][-1] == "nfra_yantai"


def test_bureau_accepts_a_later_name_and_shows_the_duties_held(
    capsys: pytest.CaptureFixture[str], policy: yp.Policy
) -> None:
    """Bureau takes a unit's later name; the NFRA bureau shows the tasks it took over."""
    renamed = _run(capsys, "bureau", "中国人民银行烟台市分行", "--as-of", str(AS_OF))
    assert renamed.startswith("pboc  ")
    out = json.loads(
        _run(capsys, "bureau", "国家金融监督管理总局烟台监管分局", "--as-of", str(AS_OF), "--json")
    )
    (held,) = out["holds_duties_of"]
    assert held["bureau"]["id"] == "banking_insurance_regulation"
    expected = [a.id for a in yp.queries.actions_of(policy, "banking_insurance_regulation")]
    assert [a["id"] for a in held["actions"]] == expected


def test_show_prints_every_unit_of_a_shared_task(
    capsys: pytest.CaptureFixture[str], shared: yp.Policy, shared_path: str
) -> None:
    """Show names each unit of a shared task with its role, and its deadline and reporting."""
    out = _run(capsys, "show", "7", "--plan", shared_path, "--lang", "zh")
    heading = next(line for line in out.splitlines() if line.startswith(f"[{SHARED}]"))
    units = [shared.bureau(u).name.zh for u in SHARED_UNITS]
    assert heading == f"[{SHARED}] {units[0]} · 牵头; {units[1]} · 配合; {units[2]} · 配合"
    assert "完成时限: 2021-12-31 (2021年底前)" in out
    assert "报送: 每季度" in out
    assert "各区市: 是" in out


def test_actions_prints_the_units_role_and_every_unit(
    capsys: pytest.CaptureFixture[str], shared: yp.Policy, shared_path: str
) -> None:
    """Actions shows an assisting unit's own role, and lists the task's units, on --as-of."""
    out = _run(
        capsys, "actions", "--bureau", "finance", "--plan", shared_path, "--lang", "en",
        "--as-of", str(AS_OF),
    )  # fmt: skip
    block = out.split(f"[{SHARED}] ")[1].split("\n\n")[0]
    assert block.startswith("measure 7 · assists")
    for unit in SHARED_UNITS:
        assert _names(shared, unit, AS_OF)[1] in block
    assert shared.action(SHARED).text.en in block
    assert "deadline: 2021-12-31 (2021年底前)" in block


def test_bureau_prints_a_shared_tasks_units_and_deadline(
    capsys: pytest.CaptureFixture[str], shared: yp.Policy, shared_path: str
) -> None:
    """Bureau lists an assisting unit's shared task with its role, every unit and its deadline."""
    out = _run(capsys, "bureau", "finance", "--plan", shared_path, "--lang", "zh")
    block = out.split(f"\n{SHARED}  ")[1].split("\n\n")[0]
    assert block.startswith("第7项  配合")
    assert f"责任单位: {_units_zh(shared)}" in block
    assert "报送: 每季度" in block


def _units_zh(policy: yp.Policy) -> str:
    roles = ("牵头", "配合", "配合")
    return "; ".join(
        f"{policy.bureau(u).name.zh} · {r}" for u, r in zip(SHARED_UNITS, roles, strict=True)
    )


def test_as_of_is_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad --as-of is a one-line usage error, exit 2."""
    with pytest.raises(SystemExit) as stop:
        main(["bureaus", "--as-of", "2024-02-30"])
    assert stop.value.code == 2
    assert "--as-of" in capsys.readouterr().err


# --- exports ------------------------------------------------------------------------------


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(data.decode("utf-8-sig").splitlines()))


def test_csv_has_a_row_per_unit_of_a_shared_task(shared: yp.Policy) -> None:
    """to_csv writes one row for each unit of a shared task, with its own role."""
    rows = [r for r in _csv(export.to_csv(shared)) if r[0] == SHARED]
    assert [(r[4], r[7]) for r in rows] == [
        ("pboc", "lead"),
        ("finance", "assist"),
        ("banking_insurance_regulation", "assist"),
    ]
    assert len({r[8] for r in rows}) == 1  # the one task's text on each row


def test_csv_as_of_adds_labels_and_keeps_the_columns(policy: yp.Policy) -> None:
    """With as_of, the columns are as before and the units' labels follow."""
    for lang in ("both", "zh", "en"):
        plain = _csv(export.to_csv(policy, lang))
        dated = _csv(export.to_csv(policy, lang, as_of=AS_OF))
        width = len(plain[0])
        assert [r[:width] for r in dated] == plain
        row = next(r for r in dated if r[0] == "7.3")
        assert row[width] == str(AS_OF)
        assert row[width + 1] == _names(policy, "pboc", AS_OF)[0 if lang != "en" else 1]


def test_matrix_has_a_cell_for_each_unit_of_a_shared_task(shared: yp.Policy) -> None:
    """The matrix gives every unit of a shared task its role under the measure."""
    matrix = export.responsibility_matrix(shared)
    assert matrix.cell(7, "pboc") == "lead"
    assert matrix.cell(7, "banking_insurance_regulation") == "assist"
    assert matrix.cell(7, "finance") == "responsible"  # its own 7.1 is stronger than 配合


def test_matrix_as_of_labels_the_columns(policy: yp.Policy) -> None:
    """matrix-md's header names the units by their labels on the day; the cells are the same."""
    plain = export.matrix_to_markdown(policy, "zh").splitlines()
    dated = export.matrix_to_markdown(policy, "zh", as_of=AS_OF).splitlines()
    assert dated[2:] == plain[2:]
    assert _names(policy, "pboc", AS_OF)[0] in dated[0]
    assert policy.bureau("pboc").name.zh not in dated[0]


@pytest.mark.parametrize("exporter", [export.to_dot, export.to_mermaid])
def test_diagrams_draw_each_unit_of_a_shared_task(
    shared: yp.Policy, policy: yp.Policy, exporter: Any
) -> None:
    """Dot and mermaid draw an edge to every unit of a shared task, and label units on as_of."""
    text = exporter(shared)
    for unit in SHARED_UNITS:
        edge = f'"measure:7" -> "bureau:{unit}"' if exporter is export.to_dot else f"u_{unit}"
        assert any(edge in line and "->" in line for line in text.splitlines())
    plain, dated = exporter(policy), exporter(policy, as_of=AS_OF)
    pboc = policy.bureau("pboc")
    assert dated == plain.replace(pboc.name.zh, pboc.name_on(AS_OF).zh).replace(
        policy.bureau("banking_insurance_regulation").name.zh,
        _names(policy, "banking_insurance_regulation", AS_OF)[0],
    )


def test_graph_exports_have_an_edge_per_assignment(shared: yp.Policy) -> None:
    """node-link has an assigned_to edge to every unit of a shared task, and as_of labels."""
    data = json.loads(export.to_node_link(shared, as_of=AS_OF))
    edges = {(e["target"], e["role"]) for e in data["edges"] if e["source"] == f"action:{SHARED}"}
    assert {t for t, _ in edges} == {f"bureau:{u}" for u in SHARED_UNITS}
    node = next(n for n in data["nodes"] if n["id"] == "bureau:pboc")
    assert node["label_as_of_zh"] == _names(shared, "pboc", AS_OF)[0]
    assert node["label_zh"] == shared.bureau("pboc").name.zh
    assert data["graph"]["as_of"] == str(AS_OF)
    G = nx.read_graphml(io.BytesIO(export.to_graphml(shared, as_of=AS_OF).encode("utf-8")))
    assert G.nodes["bureau:banking_insurance_regulation"]["exists"] is False


def test_graph_exports_without_as_of_are_unchanged(policy: yp.Policy) -> None:
    """Without as_of, node-link carries no as-of attributes."""
    data = json.loads(export.to_node_link(policy))
    assert "as_of" not in data["graph"]
    assert all("label_as_of_zh" not in n for n in data["nodes"])


def test_write_passes_as_of_and_refuses_it_for_json(policy: yp.Policy, tmp_path: Path) -> None:
    """export.write labels units with as_of, and json (the plan file) refuses it."""
    path = tmp_path / "plan.dot"
    export.write(policy, "dot", path, as_of=AS_OF)
    assert path.read_text("utf-8") == export.to_dot(policy, as_of=AS_OF)
    with pytest.raises(ValueError, match="json is the plan file"):
        export.write(policy, "json", tmp_path / "plan.json", as_of=AS_OF)


# --- DataFrames, HTML, plots --------------------------------------------------------------


def test_assignments_frame_has_a_row_per_task_and_unit(shared: yp.Policy) -> None:
    """assignments_frame: three rows for the shared task, with its deadline and labels."""
    frame = frames.assignments_frame(shared, as_of=AS_OF)
    rows = frame[frame["action"] == SHARED]
    assert rows["bureau_id"].tolist() == list(SHARED_UNITS)
    assert rows["role"].tolist() == ["lead", "assist", "assist"]
    assert rows["deadline_on"].tolist() == [dt.date(2021, 12, 31)] * 3
    assert rows["exists"].tolist() == [True, True, False]
    assert len(frame) == sum(len(a.bureaus) for a in shared.actions)


def test_actions_frame_as_of_adds_labels_only(policy: yp.Policy) -> None:
    """actions_frame with as_of has the same columns as before, then the lead unit's label."""
    plain = frames.actions_frame(policy)
    dated = frames.actions_frame(policy, as_of=AS_OF)
    assert dated[list(plain.columns)].equals(plain)
    pboc = dated[dated["bureau_id"] == "pboc"]
    assert set(pboc["bureau_as_of_zh"]) == {_names(policy, "pboc", AS_OF)[0]}


def test_units_frame_has_later_units_and_exists(policy: yp.Policy) -> None:
    """units_frame lists the later units; exists and names follow as_of."""
    frame = frames.units_frame(policy, as_of=AS_OF).set_index("bureau_id")
    assert list(frame.index) == [u.id for u in policy.units]
    assert not frame.loc["banking_insurance_regulation", "exists"]
    assert frame.loc["banking_insurance_regulation", "successors"] == "nfra_yantai"
    assert frame.loc["nfra_yantai", "exists"]
    plain = frames.units_frame(policy).set_index("bureau_id")
    assert plain.loc["pboc", "name_as_of_zh"] == policy.bureau("pboc").name.zh
    assert not plain.loc["nfra_yantai", "exists"]


def test_html_shows_every_unit_of_a_shared_task(shared: yp.Policy) -> None:
    """A measure's HTML lists each unit of a shared task with its role."""
    html = measure_html(shared.measure(7))
    row = html.split(f"<td>{SHARED}</td>")[1].split("</tr>")[0]
    for unit in SHARED_UNITS:
        assert shared.bureau(unit).name.zh in row
    assert "牵头" in row
    assert "配合" in row


def test_plots_draw_each_unit_and_label_as_of(shared: yp.Policy, policy: yp.Policy) -> None:
    """The graph picture has an edge per task and unit; its labels follow as_of."""
    figure = plot.responsibility_graph(shared, lang="en")
    assert len(figure.axes[0].lines) == sum(len(a.bureaus) for a in shared.actions)
    dated = plot.workload(policy, lang="en", as_of=AS_OF)
    ticks = [t.get_text() for t in dated.axes[0].get_yticklabels()]
    expected = _names(policy, "pboc", AS_OF)[1].removeprefix("Yantai Municipal ")
    assert expected in ticks
    ended = _names(policy, "banking_insurance_regulation", AS_OF)[1].split(" → ")
    assert "\n→ ".join(ended) in ticks  # the successor on a second line


def test_actions_json_gives_the_units_own_roles(capsys: pytest.CaptureFixture[str]) -> None:
    """In a shared task, actions --json lists the asked unit's roles, not every unit's."""
    import pathlib  # noqa: PLC0415

    plan = str(pathlib.Path(__file__).parent / "data" / "example-flexible-2025.toml")
    policy = yp.load_policy(plan)
    assert main(["actions", "--bureau", "amr", "--plan", plan, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    for row in rows:
        task = policy.action(row["id"])
        assert row["roles"] == [r.value for r in yp.Role if r in task.roles_of("amr")]


def test_actions_as_of_lists_the_duties_a_successor_took_over(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Actions --as-of for the NFRA bureau lists the tasks it holds for 烟台银保监分局."""
    from yantai_policy.cli import main  # noqa: PLC0415

    policy = yp.load_policy()
    held = [a.id for a in policy.actions if a.bureau.id == "banking_insurance_regulation"]
    assert main(["actions", "--bureau", "nfra_yantai", "--as-of", "2025-01-01", "--json"]) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == held
    assert main(["actions", "--bureau", "nfra_yantai", "--as-of", "2022-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
