"""Plan diffs: yp.diff, PlanDiff's formats, and `yantai-policy diff`."""

from __future__ import annotations

import collections
import contextlib
import copy
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from yantai_policy.cli import main
from yantai_policy.plan_diff import Difference, DiffKind

# --- building plans to compare -------------------------------------------------------


def _load(data: dict[str, Any], tmp_path: Path, name: str = "plan.json") -> yp.Policy:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return yp.load_policy(path)


def _measure(data: dict[str, Any], number: int) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in data["measures"] if m["number"] == number)
    return found


def _task(data: dict[str, Any], task_id: str) -> dict[str, Any]:
    measure = _measure(data, int(task_id.split(".", maxsplit=1)[0]))
    found: dict[str, Any] = next(t for t in measure["tasks"] if t["id"] == task_id)
    return found


def _unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(u for u in data["bureaus"] if u["id"] == unit_id)
    return found


@pytest.fixture
def changed(plan_data: dict[str, Any], tmp_path: Path) -> yp.Policy:
    """The built-in plan with five changes: a role, a task added, a task removed, a unit renamed, a parameter."""
    _task(plan_data, "7.1")["assignments"][0]["role"] = "lead"
    added = copy.deepcopy(_task(plan_data, "7.3"))
    added.update(id="7.4", text={"zh": "新增的任务。", "en": "A task added."})
    added.pop("items", None)
    _measure(plan_data, 7)["tasks"].append(added)
    six = _measure(plan_data, 6)
    six["tasks"] = [t for t in six["tasks"] if t["id"] != "6.2"]
    _unit(plan_data, "finance")["name"] = {"zh": "市财政局（新）", "en": "Finance Bureau (new)"}
    return _load(plan_data, tmp_path).with_parameters({"startup_subsidy.amount": "6000"})


def _keys(found: yp.PlanDiff) -> set[tuple[str, str, str | None]]:
    return {(d.kind.value, d.path, d.field) for d in found}


# --- what is reported ------------------------------------------------------------------


def test_the_built_in_plan_against_itself_is_empty(policy: yp.Policy) -> None:
    """diff(p, p) of the built-in plan finds nothing, is falsy, and counts zero of every kind."""
    found = yp.diff(policy, policy)
    assert not found
    assert len(found) == 0
    assert set(found.counts().values()) == {0}
    assert set(found.counts()) == {k.value for k in DiffKind}


def test_a_plan_read_back_from_its_export_is_equal(policy: yp.Policy, tmp_path: Path) -> None:
    """The built-in plan written by export json and loaded again has no differences."""
    out = tmp_path / "plan.json"
    yp.export.write(policy, "json", out)
    assert not yp.diff(policy, yp.load_policy(out))


def test_exactly_the_changes_made_are_reported(policy: yp.Policy, changed: yp.Policy) -> None:
    """A role, an added task, a removed task, a renamed unit and a parameter: those and no more."""
    found = yp.diff(policy, changed)
    assert _keys(found) == {
        ("role_changed", "measure:7/task:7.1/unit:finance", None),
        ("task_added", "measure:7/task:7.4", None),
        ("task_removed", "measure:6/task:6.2", None),
        ("unit_renamed", "unit:finance", "name"),
        ("parameter_changed", "parameter:startup_subsidy.amount", "values"),
        ("parameter_changed", "parameter:startup_subsidy.amount", "source"),
    }


def test_each_difference_carries_old_new_and_where_printed(
    policy: yp.Policy, changed: yp.Policy
) -> None:
    """The old and new values are the plans' own, with the SourceRef of each side where printed."""
    found = {(d.kind, d.path): d for d in yp.diff(policy, changed)}
    role = found[DiffKind.ROLE_CHANGED, "measure:7/task:7.1/unit:finance"]
    assert (role.old, role.new) == (policy.task("7.1").role.value, "lead")
    assert role.old_source == policy.task("7.1").source
    assert role.new_source == changed.task("7.1").source
    removed = found[DiffKind.TASK_REMOVED, "measure:6/task:6.2"]
    assert removed.old == policy.task("6.2").text
    assert (removed.new, removed.new_source) == (None, None)
    assert removed.old_source == policy.task("6.2").source
    added = found[DiffKind.TASK_ADDED, "measure:7/task:7.4"]
    assert added.new == changed.task("7.4").text
    assert added.new_source == changed.task("7.4").source
    renamed = found[DiffKind.UNIT_RENAMED, "unit:finance"]
    assert (renamed.old, renamed.new) == (
        policy.bureau("finance").name,
        changed.bureau("finance").name,
    )
    values = next(d for d in yp.diff(policy, changed) if d.field == "values")
    param = changed.parameters["startup_subsidy.amount"]
    assert values.new == tuple((since, param.render(v)) for since, v in param.values)


def test_task_fields_deadline_reporting_districts_and_text(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """A deadline, a reporting rhythm, the districts flag and an item's text each show as task_changed."""
    task = _task(plan_data, "7.1")
    task.update(deadline="长期坚持", reporting="quarterly", districts=True)
    task["items"][1]["text"] = {"zh": "改过的第二项。", "en": "Item two, changed."}
    found = yp.diff(policy, _load(plan_data, tmp_path))
    assert _keys(found) == {
        ("task_changed", "measure:7/task:7.1", "deadline"),
        ("task_changed", "measure:7/task:7.1", "reporting"),
        ("task_changed", "measure:7/task:7.1", "districts"),
        ("task_changed", "measure:7/task:7.1/item:2", "text"),
    }
    by_field = {d.field: d for d in found}
    assert (by_field["deadline"].old, by_field["deadline"].new) == (None, "长期坚持")
    assert (by_field["reporting"].new, by_field["districts"].new) == ("quarterly", True)


def test_a_shared_task_reports_each_unit_added_removed_or_recast(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """Sharing a task: a unit added to it, one removed from it and a role changed are each named."""
    before = _task(plan_data, "7.2")
    before["assignments"] = [
        {"unit": "hrss", "role": "lead"},
        {"unit": "finance", "role": "assist"},
    ]
    old = _load(plan_data, tmp_path, "old.json")
    before["assignments"] = [
        {"unit": "hrss", "role": "responsible"},
        {"unit": "pboc", "role": "assist"},
    ]
    new = _load(plan_data, tmp_path, "new.json")
    found = yp.diff(old, new)
    assert {(d.kind.value, d.path, d.old, d.new) for d in found} == {
        ("role_changed", "measure:7/task:7.2/unit:hrss", "lead", "responsible"),
        ("assignment_added", "measure:7/task:7.2/unit:pboc", None, "assist"),
        ("assignment_removed", "measure:7/task:7.2/unit:finance", "assist", None),
    }
    assert not yp.diff(policy, policy.with_parameters({}))


def test_an_items_own_role_is_compared(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """14.1 item 2 leads (牵头) on its own: taking that role away is a role change at the item."""
    item = next(i for i in _task(plan_data, "14.1")["items"] if i["number"] == 2)
    assert item.pop("role") == "lead"
    found = yp.diff(policy, _load(plan_data, tmp_path))
    unit = policy.task("14.1").bureau.id
    assert {(d.kind.value, d.path, d.old, d.new) for d in found} == {
        ("role_changed", f"measure:14/task:14.1/item:2/unit:{unit}", "lead", "responsible"),
    }


def test_unit_events_and_notice_particulars(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """A unit's events, and the notice's document number, title and date, are compared."""
    unit = next(u for u in plan_data["bureaus"] if u.get("events"))
    unit["events"][0]["on"] = "2024-01-01"
    notice = plan_data["notice"]
    notice["document_number"] = "烟政办字〔2021〕4号"
    notice["issued_on"] = "2021-02-01"
    notice["title"] = {"zh": "另一个标题", "en": "Another title"}
    plan_data["provenance"]["document_number"] = notice["document_number"]
    plan_data["provenance"]["issued_on"] = notice["issued_on"]
    found = yp.diff(policy, _load(plan_data, tmp_path))
    assert {(d.kind.value, d.path, d.field) for d in found} >= {
        ("unit_events_changed", f"unit:{unit['id']}", "events"),
        ("notice_changed", "notice", "document_number"),
        ("notice_changed", "notice", "issued_on"),
        ("notice_changed", "notice", "title"),
    }
    dated = next(d for d in found if d.field == "issued_on")
    assert (dated.old, dated.new) == (policy.notice.issued_on, dt.date(2021, 2, 1))


# --- two cities --------------------------------------------------------------------------


def test_two_cities_compare_measure_by_measure(policy: yp.Policy, other_city_path: Path) -> None:
    """The other city's plan lines up with Yantai's by measure number, task id and unit name."""
    other = yp.load_policy(other_city_path)
    found = yp.diff(other, policy)
    shared = {m.number for m in other.measures} & {m.number for m in policy.measures}
    only_yantai = [m for m in policy.measures if m.number not in shared]
    assert [d.path for d in found.of_kind("measure_added")] == [
        f"measure:{m.number}" for m in only_yantai
    ]
    assert len(found.of_kind("task_added")) >= sum(len(m.actions) for m in only_yantai)
    groups = [d.path.split("/")[0] for d in found if d.path.startswith("measure:")]
    numbers = [int(g.split(":")[1]) for g in groups]
    assert numbers == sorted(numbers)  # measure by measure, in order
    for number in shared:  # each shared measure's tasks are compared, not added and removed
        for task in other.measure(number).actions:
            path = f"measure:{number}/task:{task.id}"
            kinds = {d.kind for d in found if d.path == path}
            assert DiffKind.TASK_ADDED not in kinds
            assert DiffKind.TASK_REMOVED not in kinds


def test_two_cities_match_units_by_name_without_the_city_prefix(
    policy: yp.Policy, other_city_path: Path
) -> None:
    """示例市财政局 is 市财政局 (no rename reported); 示例市人社局 is 市人力资源社会保障局 by its short name."""
    other = yp.load_policy(other_city_path)
    found = yp.diff(other, policy)
    matched = {(m.old, m.new, m.by) for m in found.matched_by_name}
    assert matched == {("money", "finance", "name"), ("labour", "hrss", "short_name")}
    renamed = {d.path for d in found.of_kind("unit_renamed")}
    assert "unit:money=finance" not in renamed  # the same name but for the city
    assert "unit:labour=hrss" in renamed  # 示例市人社局 is not 市人力资源社会保障局
    paths = [d.path for d in found]
    assert not any("unit:money/" in p or p.endswith("unit:money") for p in paths)


def test_within_one_city_dropping_the_prefix_is_a_rename(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """In two versions of one city's plan, 市财政局 → 财政局 is a rename, though names match without 市."""
    _unit(plan_data, "finance")["name"]["zh"] = "财政局"
    found = yp.diff(policy, _load(plan_data, tmp_path))
    assert _keys(found) == {("unit_renamed", "unit:finance", "name")}


def test_a_unit_with_a_new_id_is_matched_by_its_name(
    plan_data: dict[str, Any], policy: yp.Policy, tmp_path: Path
) -> None:
    """Renumbering a unit's id keeps its tasks: one unit_changed id, no task or assignment change."""
    text = json.dumps(plan_data, ensure_ascii=False).replace('"finance"', '"money"')
    found = yp.diff(policy, _load(json.loads(text), tmp_path))
    assert [(d.kind.value, d.path, d.old, d.new) for d in found] == [
        ("unit_changed", "unit:finance=money", "finance", "money")
    ]


def test_an_ambiguous_name_is_not_matched(policy: yp.Policy) -> None:
    """Two units that could both be 市财政局 are left unmatched rather than guessed between."""
    unit = policy.bureau("finance")
    twins = tuple(
        attrs.evolve(unit, id=i, name=yp.Text(zh, unit.name.en))
        for i, zh in (("money_a", "烟台市财政局"), ("money_b", "财政局"))
    )
    other = attrs.evolve(policy, bureaus=(*[u for u in policy.bureaus if u is not unit], *twins))
    found = yp.diff(policy, other)
    assert not found.matched_by_name
    assert {d.path for d in found.of_kind("unit_added")} == {"unit:money_a", "unit:money_b"}
    assert {d.path for d in found.of_kind("unit_removed")} == {"unit:finance"}


# --- mirror property -----------------------------------------------------------------------


def _swap(path: str) -> str:
    return re.sub(r"unit:([^/=]+)=([^/]+)", r"unit:\2=\1", path)


def _mirrored(d: Difference) -> Difference:
    return Difference(
        d.kind.mirror, _swap(d.path), d.field, d.new, d.old, d.new_source, d.old_source
    )


def _assert_mirror(a: yp.Policy, b: yp.Policy) -> None:
    forward = collections.Counter(_mirrored(d) for d in yp.diff(a, b))
    backward = collections.Counter(yp.diff(b, a))
    assert forward == backward


def test_two_cities_mirror(policy: yp.Policy, other_city_path: Path) -> None:
    """diff(other, yantai) is diff(yantai, other) with old and new, added and removed swapped."""
    _assert_mirror(policy, yp.load_policy(other_city_path))


BASE = yp.load_policy()
TASKS = len(BASE.actions)
UNITS = len(BASE.bureaus)


def _variant(
    drop: set[int], roles: dict[int, yp.Role], renamed: set[int], deadline: set[int], rate: int
) -> yp.Policy:
    """The built-in plan with tasks dropped, roles recast, units renamed and a deadline set."""
    index = {a.id: i for i, a in enumerate(BASE.actions)}
    measures = []
    for m in BASE.measures:
        tasks = []
        for printed in m.actions:
            i = index[printed.id]
            if i in drop:
                continue
            task = printed
            if i in roles:
                first = attrs.evolve(task.assignments[0], role=roles[i])
                task = attrs.evolve(task, assignments=(first, *task.assignments[1:]))
            if i in deadline:
                task = attrs.evolve(task, deadline=yp.Deadline(text="长期坚持"))
            tasks.append(task)
        measures.append(attrs.evolve(m, actions=tuple(tasks)))
    units = tuple(
        attrs.evolve(u, name=yp.Text(u.name.zh + "（改）", u.name.en)) if i in renamed else u
        for i, u in enumerate(BASE.bureaus)
    )
    plan = attrs.evolve(BASE, measures=tuple(measures), bureaus=units)
    return plan.with_parameters({"social_insurance_subsidy.rate": f"{rate}%"}) if rate else plan


_variants = st.builds(
    _variant,
    st.sets(st.integers(0, TASKS - 1), max_size=6),
    st.dictionaries(st.integers(0, TASKS - 1), st.sampled_from(list(yp.Role)), max_size=6),
    st.sets(st.integers(0, UNITS - 1), max_size=3),
    st.sets(st.integers(0, TASKS - 1), max_size=3),
    st.sampled_from([0, 50, 60]),
)


@settings(max_examples=40, deadline=None)
@given(_variants, _variants)
def test_diff_is_empty_on_itself_and_mirrors_when_swapped(a: yp.Policy, b: yp.Policy) -> None:
    """diff(a, a) is empty; diff(b, a) is diff(a, b) with added ↔ removed and old ↔ new."""
    assert not yp.diff(a, a)
    assert not yp.diff(b, b)
    _assert_mirror(a, b)


# --- the formats -----------------------------------------------------------------------


def test_to_dict_is_json_with_counts_and_every_difference(
    policy: yp.Policy, changed: yp.Policy
) -> None:
    """to_dict holds both plans, the counts per kind, and each difference's values and sources."""
    found = yp.diff(policy, changed)
    data = json.loads(json.dumps(found.to_dict("zh"), ensure_ascii=False))
    assert data["equal"] is False
    assert data["counts"] == found.counts()
    assert data["old"]["data_sha256"] == policy.data_sha256
    assert len(data["differences"]) == len(found)
    removed = next(d for d in data["differences"] if d["kind"] == "task_removed")
    source = policy.task("6.2").source
    assert removed["old"] == {"zh": policy.task("6.2").text.zh}
    assert removed["old_source"] == {
        "document": source.document,
        "lines": [source.first_line, source.last_line],
    }
    values = next(d for d in data["differences"] if d["field"] == "values")
    assert values["new"] == [["2021-01-11", "6000.00"]]


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_to_text_shows_old_and_new_in_the_language(
    policy: yp.Policy, changed: yp.Policy, lang: str
) -> None:
    """to_text has a block per difference: the path, then - old and + new lines in the language(s)."""
    found = yp.diff(policy, changed)
    text = found.to_text(lang)  # type: ignore[arg-type]
    old, new = policy.bureau("finance").name, changed.bureau("finance").name
    for code in ("zh", "en"):
        shown = lang in (code, "both")
        assert (f"  - {old.get(code)}" in text) is shown
        assert (f"  + {new.get(code)}" in text) is shown
    assert "@@ measure 7 @@" in text
    assert "role_changed  measure:7/task:7.1/unit:finance" in text
    assert text.endswith(
        f"{len(found)} differences ({', '.join(f'{n} {k}' for k, n in found.counts().items() if n)})"
    )


def test_to_markdown_is_a_table_of_the_differences(policy: yp.Policy, changed: yp.Policy) -> None:
    """to_markdown has one table row per difference, with pipes in cells escaped."""
    found = yp.diff(policy, changed)
    rows = [line for line in found.to_markdown("en").splitlines() if line.startswith("| ")]
    assert rows[0] == "| kind | path | field | old | new | printed at |"
    assert len(rows) == 1 + len(found)
    piped = attrs.evolve(changed.bureau("finance"), name=yp.Text("市财政局|甲", "Finance | A"))
    other = attrs.evolve(
        policy, bureaus=tuple(piped if u.id == "finance" else u for u in policy.bureaus)
    )
    table = yp.diff(policy, other).to_markdown("en")
    assert "Finance \\| A" in table


def test_an_equal_diff_says_so_in_every_format(policy: yp.Policy) -> None:
    """Equal plans: the text and Markdown say no differences, the JSON says equal."""
    found = yp.diff(policy, policy)
    assert found.to_text().endswith("no differences")
    assert "no differences" in found.to_markdown()
    assert found.to_dict()["equal"] is True


# --- the command -------------------------------------------------------------------------


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def test_cli_exits_0_when_equal(capsys: pytest.CaptureFixture[str]) -> None:
    """`diff builtin builtin` prints no differences and exits 0."""
    code = main(["diff", "builtin", "builtin"])
    assert code == 0
    assert capsys.readouterr().out.rstrip().endswith("no differences")


def test_cli_exits_1_when_they_differ(other_city_path: Path, policy: yp.Policy) -> None:
    """`diff` of two cities' plans exits 1; --format json prints the library's to_dict."""
    code, out = _run(["diff", str(other_city_path), "builtin", "--format", "json", "--lang", "en"])
    assert code == 1
    expected = yp.diff(yp.load_policy(other_city_path), policy).to_dict("en")
    assert json.loads(out) == json.loads(json.dumps(expected, ensure_ascii=False))


def test_cli_writes_markdown_to_a_file(other_city_path: Path, tmp_path: Path) -> None:
    """-o PATH writes the report there (stdout stays empty) and the exit code still says it differs."""
    target = tmp_path / "diff.md"
    code, out = _run(
        ["diff", "builtin", str(other_city_path), "--format", "markdown", "-o", str(target)]
    )
    assert (code, out) == (1, "")
    assert "| kind | path | field | old | new | printed at |" in target.read_text(encoding="utf-8")


def test_cli_reads_one_plan_from_stdin(policy: yp.Policy, tmp_path: Path) -> None:
    """- reads a JSON plan from stdin: the exported built-in plan against builtin exits 0."""
    out = tmp_path / "plan.json"
    yp.export.write(policy, "json", out)
    done = subprocess.run(
        [sys.executable, "-m", "yantai_policy", "diff", "-", "builtin"],
        input=out.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "-", "-"], "cannot both be -"),
        (["diff", "no/such/plan.toml", "builtin"], "no/such/plan.toml: cannot read the file"),
    ],
)
def test_cli_exits_2_with_one_line_on_error(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both plans on stdin, or a plan that cannot be read: exit 2 and one line on stderr."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("yantai-policy: error: ")
    assert message in err


def test_cli_refuses_to_overwrite_a_plan(other_city_path: Path, tmp_path: Path) -> None:
    """-o naming one of the plans is refused (exit 2) and the plan is left as it was."""
    plan = tmp_path / "other.toml"
    plan.write_bytes(other_city_path.read_bytes())
    assert main(["diff", "builtin", str(plan), "-o", str(plan)]) == 2
    assert plan.read_bytes() == other_city_path.read_bytes()


def test_cli_json_flag_is_format_json(other_city_path: Path) -> None:
    """`diff --json` prints what `diff --format json` prints, as in audit."""
    argv = ["diff", "builtin", str(other_city_path)]
    assert _run([*argv, "--json"]) == _run([*argv, "--format", "json"])


def test_cli_diff_does_not_load_networkx() -> None:
    """The diff command compares the model only: networkx, numpy and the formulas stay unloaded."""
    code = (
        "import contextlib, io, json, sys\n"
        "from yantai_policy.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): code = main(['diff', 'builtin', 'builtin'])\n"
        "heavy = ('networkx', 'numpy', 'yantai_policy.benefits', 'yantai_policy.graph')\n"
        "print(json.dumps([code, [m for m in heavy if m in sys.modules]]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [0, []]


def test_a_new_order_of_a_tasks_units_is_a_change() -> None:
    """Swapping the printed order of a task's units (same roles) is reported, both ways."""
    import copy  # noqa: PLC0415

    from yantai_policy.export import policy_to_plan_dict  # noqa: PLC0415
    from yantai_policy.loading import policy_from_dict  # noqa: PLC0415

    data = policy_to_plan_dict(yp.load_policy())
    data["measures"][0]["tasks"][0]["assignments"] = [
        {"unit": "commerce", "role": "lead"},
        {"unit": "finance", "role": "assist"},
    ]
    swapped = copy.deepcopy(data)
    swapped["measures"][0]["tasks"][0]["assignments"].reverse()
    a, b = policy_from_dict(data), policy_from_dict(swapped)
    (found,) = yp.diff(a, b)
    assert (found.kind, found.field) == (DiffKind.TASK_CHANGED, "units_order")
    assert (found.old, found.new) == (("commerce", "finance"), ("finance", "commerce"))
    (back,) = yp.diff(b, a)
    assert (back.old, back.new) == (found.new, found.old)
