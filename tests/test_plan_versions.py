"""Plan format version 2 and units over time, as the loader and the model read them."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from plan_mutation import mutate
from yantai_policy import export
from yantai_policy.loading import policy_from_dict, reads_as_date

AFTER_REFORM = dt.date(2024, 1, 1)
BEFORE_REFORM = dt.date(2022, 1, 1)


def _v1(plan_data: dict[str, Any]) -> dict[str, Any]:
    """The shipped plan written back in version 1: one unit and role per action."""
    data = copy.deepcopy(plan_data)
    data["format_version"] = 1
    del data["lead_rule"], data["later_units"]
    for unit in data["bureaus"]:
        unit.pop("events", None)
    for measure in data["measures"]:
        actions = []
        for task in measure.pop("tasks"):
            (assignment,) = task.pop("assignments")
            actions.append({"id": task.pop("id"), "bureau": assignment["unit"], **task})
            actions[-1]["role"] = assignment["role"]
        measure["actions"] = actions
    return data


def _shape(action: yp.Action) -> tuple[object, ...]:
    """A task's id, units, roles, items and source, without the units' later history."""
    units = tuple((a.bureau.id, a.role) for a in action.assignments)
    items = tuple(
        (i.number, i.role, tuple((a.bureau.id, a.role) for a in i.assignments))
        for i in action.items
    )
    return (action.id, action.measure, units, items, action.references, action.source)


def _shared(plan_data: dict[str, Any], lead_rule: str, task: dict[str, Any]) -> yp.Policy:
    """The shipped plan with its lead rule set and task 1.1's units replaced."""
    data = copy.deepcopy(plan_data)
    data["lead_rule"] = lead_rule
    first = data["measures"][0]["tasks"][0]
    del first["assignments"]
    first.update(task)
    return policy_from_dict(data)


def test_a_version_1_file_loads_as_the_same_plan(
    policy: yp.Policy, plan_data: dict[str, Any]
) -> None:
    """A v1 file (bureau + role per action) gives the same tasks, units and roles as v2."""
    old = policy_from_dict(_v1(plan_data))
    assert [_shape(a) for a in old.actions] == [_shape(a) for a in policy.actions]
    assert [a.text for a in old.actions] == [a.text for a in policy.actions]
    assert old.lead_rule is yp.LeadRule.EXPLICIT


def test_export_writes_version_2(policy: yp.Policy, plan_data: dict[str, Any]) -> None:
    """`export json` writes a v2 plan even from a v1 file, and it loads back equal."""
    written = export.policy_to_plan_dict(policy_from_dict(_v1(plan_data)))
    assert written["format_version"] == 2
    assert all("tasks" in m and "actions" not in m for m in written["measures"])
    again = policy_from_dict(written)
    assert [_shape(a) for a in again.actions] == [_shape(a) for a in policy.actions]


def test_v1_paths_stay_in_errors(plan_data: dict[str, Any]) -> None:
    """An error in a v1 file names the v1 key path (actions, bureau), not the upgraded one."""
    data = mutate(_v1(plan_data), "measures.6.actions.0.bureau", "treasury")
    with pytest.raises(yp.PolicyDataError) as caught:
        policy_from_dict(data)
    assert caught.value.path == "measures[6].actions[0].bureau"


@pytest.mark.parametrize(
    ("rule", "roles"),
    [
        ("explicit", ["responsible", "responsible", "responsible"]),
        ("first_listed", ["lead", "assist", "assist"]),
        ("none", ["responsible", "responsible", "responsible"]),
    ],
)
def test_lead_rule_gives_roles_to_listed_units(
    plan_data: dict[str, Any], rule: str, roles: list[str]
) -> None:
    """Units listed without roles take them from the plan's lead_rule."""
    policy = _shared(plan_data, rule, {"units": ["commerce", "finance", "hrss"]})
    task = policy.action("1.1")
    assert [a.bureau.id for a in task.assignments] == ["commerce", "finance", "hrss"]
    assert [a.role.value for a in task.assignments] == roles
    assert policy.lead_rule is yp.LeadRule(rule)


def test_first_listed_leaves_a_single_unit_responsible(plan_data: dict[str, Any]) -> None:
    """Under first_listed, a task's only unit is responsible, not a lead of nobody."""
    task = _shared(plan_data, "first_listed", {"units": ["commerce"]}).action("1.1")
    assert task.role is yp.Role.RESPONSIBLE


def test_a_role_written_beats_the_rule(plan_data: dict[str, Any]) -> None:
    """An assignment's own role wins; a unit without one takes the rule's."""
    assignments = [{"unit": "finance", "role": "assist"}, {"unit": "hrss"}]
    task = _shared(plan_data, "first_listed", {"assignments": assignments}).action("1.1")
    assert [(a.bureau.id, a.role.value) for a in task.assignments] == [
        ("finance", "assist"),
        ("hrss", "assist"),
    ]


def test_shared_task_properties(plan_data: dict[str, Any]) -> None:
    """A shared task names its lead as `bureau`, lists every unit, and says it is shared."""
    assignments = [
        {"unit": "finance", "role": "assist"},
        {"unit": "hrss", "role": "lead"},
        {"unit": "commerce", "role": "assist"},
    ]
    policy = _shared(plan_data, "explicit", {"assignments": assignments})
    task = policy.action("1.1")
    assert task.bureau.id == "hrss"
    assert task.role is yp.Role.LEAD
    assert [b.id for b in task.leads] == ["hrss"]
    assert [b.id for b in task.bureaus] == ["finance", "hrss", "commerce"]
    assert task.is_shared
    assert task.roles_of("finance") == {yp.Role.ASSIST}
    assert task in policy._by_bureau["finance"]
    assert [b.id for b in policy.measure(1).bureaus][:3] == ["finance", "hrss", "commerce"]


def test_items_take_the_tasks_units_in_their_own_role(plan_data: dict[str, Any]) -> None:
    """An item's role applies to its task's units; an item may name units of its own."""
    data = copy.deepcopy(plan_data)
    task = data["measures"][13]["tasks"][0]  # 14.1: item 2 says 牵头 (takes the lead)
    task["assignments"].append({"unit": "finance", "role": "assist"})
    task["items"][0]["assignments"] = [{"unit": "commerce", "role": "assist"}]
    action = policy_from_dict(data).action("14.1")
    first, second = action.items[:2]
    assert [(a.bureau.id, a.role.value) for a in first.assignments] == [("commerce", "assist")]
    assert [(a.bureau.id, a.role.value) for a in second.assignments] == [
        ("hrss", "lead"),
        ("finance", "lead"),
    ]
    assert "commerce" in [b.id for b in action.bureaus]
    again = policy_from_dict(export.policy_to_plan_dict(policy_from_dict(data)))
    assert again.action("14.1") == action


@pytest.mark.parametrize(
    ("written", "on", "text"),
    [
        ("2021-12-31", dt.date(2021, 12, 31), None),
        ("长期坚持", None, "长期坚持"),
        ({"on": "2021-06-30", "text": "2021年6月底前"}, dt.date(2021, 6, 30), "2021年6月底前"),
        ({"text": "2021-12-31 前后"}, None, "2021-12-31 前后"),
    ],
)
def test_deadlines_are_dates_or_verbatim_words(
    plan_data: dict[str, Any], written: object, on: dt.date | None, text: str | None
) -> None:
    """A deadline is a date, the printed words, or both; it survives the export."""
    data = mutate(plan_data, "measures.0.tasks.0.deadline", written)
    policy = policy_from_dict(data)
    deadline = policy.action("1.1").deadline
    assert deadline == yp.Deadline(on=on, text=text)
    assert deadline is not None
    assert deadline.is_open is (on is None)
    assert policy_from_dict(export.policy_to_plan_dict(policy)).action("1.1").deadline == deadline


def test_reporting_and_districts(plan_data: dict[str, Any]) -> None:
    """Reporting accepts half-yearly and half_yearly; districts is a boolean."""
    data = mutate(plan_data, "measures.0.tasks.0.reporting", "half-yearly")
    data = mutate(data, "measures.0.tasks.0.districts", value=True)
    task = policy_from_dict(data).action("1.1")
    assert task.reporting is yp.Reporting.HALF_YEARLY
    assert task.reporting.months == 6
    assert task.districts is True
    assert policy_from_dict(data).action("1.2").districts is False


@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        ("measures.0.tasks.0.units", ["finance"], "measures[0].tasks[0].units", "not both"),
        ("measures.0.tasks.0.assignments", [], "measures[0].tasks[0].assignments", "at least"),
        (
            "measures.0.tasks.0.assignments",
            [{"unit": "finance"}, {"unit": "finance"}],
            "measures[0].tasks[0].assignments[1]",
            "named twice",
        ),
        (
            "measures.0.tasks.0.assignments.0.unit",
            "nfra_yantai",
            "measures[0].tasks[0].assignments[0].unit",
            "later unit",
        ),
        ("measures.0.tasks.0.deadline", "2021-02-30", "measures[0].tasks[0].deadline", "28 days"),
        ("measures.0.tasks.0.deadline", {}, "measures[0].tasks[0].deadline", "needs"),
        ("measures.0.tasks.0.deadline", 5, "measures[0].tasks[0].deadline", "words as printed"),
        (
            "measures.0.tasks.0.deadline",
            "2025-12-31前",
            "measures[0].tasks[0].deadline",
            "{text = ...}",
        ),
        ("measures.0.tasks.0.reporting", "weekly", "measures[0].tasks[0].reporting", "monthly"),
        ("measures.0.tasks.0.districts", "yes", "measures[0].tasks[0].districts", "true or"),
        ("lead_rule", "first", "lead_rule", "first_listed"),
        ("bureaus.6.events.0.into", ["nobody"], "bureaus[6].events[0].into", "unknown unit"),
        ("bureaus.6.events.0.into", [], "bureaus[6].events[0].into", "exactly one"),
        ("bureaus.6.events.0.kind", "renamed", "bureaus[6].events[0]", "needs the new"),
        ("bureaus.6.events.0.source", {}, "bureaus[6].events[0].source", "'document'"),
    ],
)
def test_v2_mistakes_name_their_path(
    plan_data: dict[str, Any], path: str, value: object, where: str, says: str
) -> None:
    """Each v2 mistake is refused at its key path, with a reason that says what is wrong."""
    assert plan_data["bureaus"][6]["id"] == "banking_insurance_regulation"
    with pytest.raises(yp.PolicyDataError) as caught:
        policy_from_dict(mutate(plan_data, path, value))
    assert caught.value.path == where
    assert says in caught.value.reason


def test_version_1_refuses_version_2_fields(plan_data: dict[str, Any]) -> None:
    """lead_rule in a v1 file is refused: the file must say it is version 2."""
    data = _v1(plan_data)
    data["lead_rule"] = "none"
    with pytest.raises(yp.PolicyDataError, match="set format_version = 2"):
        policy_from_dict(data)


def test_events_out_of_order_are_refused(plan_data: dict[str, Any]) -> None:
    """A unit's events are in date order, and nothing follows the event that ended it."""
    data = copy.deepcopy(plan_data)
    pboc = data["bureaus"][15]
    assert pboc["id"] == "pboc"
    rename = pboc["events"][0]
    pboc["events"].append({**rename, "on": "2023-01-01"})
    with pytest.raises(yp.PolicyDataError, match="date order"):
        policy_from_dict(data)
    data["bureaus"][15]["events"].pop()
    data["bureaus"][6]["events"].append({**data["bureaus"][6]["events"][0], "on": "2024-01-01"})
    with pytest.raises(yp.PolicyDataError, match="already ended") as caught:
        policy_from_dict(data)
    assert caught.value.path == "bureaus[6].events[1]"


def test_a_later_unit_must_succeed_a_unit(plan_data: dict[str, Any]) -> None:
    """A later unit that no event names is refused: it would be a unit with no past."""
    data = copy.deepcopy(plan_data)
    data["later_units"].append({**data["later_units"][0], "id": "orphan", "short_names": []})
    data["later_units"][1]["name"] = {"zh": "孤立局", "en": "Orphan"}
    with pytest.raises(yp.PolicyDataError, match="no unit's successor") as caught:
        policy_from_dict(data)
    assert caught.value.path == "later_units[1]"


# --- Units over time -----------------------------------------------------------------


def test_the_printed_name_stays_the_key(policy: yp.Policy) -> None:
    """Pboc keeps its printed name; its name in force changes on 2023-08-18."""
    pboc = policy.bureau("pboc")
    assert pboc.name.zh == "人民银行市中心支行"
    assert pboc.name_on(dt.date(2023, 8, 17)).zh == "人民银行市中心支行"
    assert pboc.name_on(dt.date(2023, 8, 18)).zh == "中国人民银行烟台市分行"
    assert pboc.exists_on(AFTER_REFORM)


def test_old_and_new_names_find_the_unit(policy: yp.Policy) -> None:
    """bureau() finds a unit by its later name, and a later unit by its own names."""
    assert policy.bureau("中国人民银行烟台市分行") is policy.bureau("pboc")
    assert policy.bureau("国家金融监督管理总局烟台监管分局").id == "nfra_yantai"
    assert policy.bureau("nfra_yantai") in policy.later_units


def test_who_holds_the_duties_today(policy: yp.Policy) -> None:
    """烟台银保监分局's duties are held by the NFRA Yantai bureau from 2023-07-20."""
    cbirc = policy.bureau("烟台银保监分局")
    assert policy.successor_of(cbirc, dt.date(2023, 7, 19)) == (cbirc,)
    assert [b.id for b in policy.successor_of(cbirc, dt.date(2023, 7, 20))] == ["nfra_yantai"]
    assert policy.bureau("烟台银保监分局", on=dt.date(2025, 1, 1)).id == "nfra_yantai"
    assert policy.bureau("烟台银保监分局", on=BEFORE_REFORM) is cbirc
    assert not cbirc.exists_on(AFTER_REFORM)
    assert cbirc.ended_by(AFTER_REFORM) == cbirc.events[0]


def test_a_later_unit_did_not_exist_before(policy: yp.Policy) -> None:
    """Asking for a later unit on a day before it was set up is an error saying when it was."""
    with pytest.raises(yp.UnknownNameError, match="set up on 2023-07-20"):
        policy.bureau("nfra_yantai", on=BEFORE_REFORM)


def test_split_and_abolished_units(plan_data: dict[str, Any]) -> None:
    """A split unit's duties pass to each part; an abolished one's to no unit."""
    data = copy.deepcopy(plan_data)
    source = {"note": "assumption: a test plan", "assumption": True}
    data["later_units"].append(
        {"id": "part_b", "name": {"zh": "乙局", "en": "B"}, "kind": "vertical_agency"}
    )
    data["later_units"][0]["events"] = [
        {"kind": "split_into", "on": "2025-01-01", "into": ["part_b", "tax"], "source": source}
    ]
    data["bureaus"][0]["events"] = [{"kind": "abolished", "on": "2024-01-01", "source": source}]
    policy = policy_from_dict(data)
    assert [b.id for b in policy.successor_of("banking_insurance_regulation", AFTER_REFORM)] == [
        "nfra_yantai"
    ]
    later = dt.date(2025, 6, 1)
    assert {b.id for b in policy.successor_of("banking_insurance_regulation", later)} == {
        "part_b",
        "tax",
    }
    with pytest.raises(yp.UnknownNameError, match="its duties are held by 乙局") as caught:
        policy.bureau("烟台银保监分局", on=later)
    assert set(caught.value.suggestions) == {"part_b", "tax"}
    assert policy.successor_of(policy.bureaus[0], AFTER_REFORM) == ()
    again = policy_from_dict(export.policy_to_plan_dict(policy))
    assert again.units == policy.units


def test_event_sources_say_whether_they_are_assumptions(policy: yp.Policy) -> None:
    """Both built-in events rest on secondary sources, so both are marked assumptions."""
    events = [e for b in policy.units for e in b.events]
    assert len(events) == 2
    assert all(e.source.assumption and str(e.source).startswith("assumption: ") for e in events)
    assert all(e.source.note for e in events)


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1))
def test_any_printed_deadline_survives_the_export(policy: yp.Policy, text: str) -> None:
    """A deadline of printed words is written so that it reads back as the same words."""
    if not text.strip():
        return
    task = attrs.evolve(policy.actions[0], deadline=yp.Deadline(text=text))
    measure = attrs.evolve(policy.measures[0], actions=(task, *policy.measures[0].actions[1:]))
    changed = attrs.evolve(policy, measures=(measure, *policy.measures[1:]))
    again = policy_from_dict(export.policy_to_plan_dict(changed))
    assert again.action(task.id).deadline == yp.Deadline(text=text)
    assert reads_as_date(text) == isinstance(
        export.policy_to_plan_dict(changed)["measures"][0]["tasks"][0]["deadline"], dict
    )


def test_merges_that_go_round_are_refused(plan_data: dict[str, Any]) -> None:
    """A merged into B and B merged into A is refused, naming the circle."""
    data = copy.deepcopy(plan_data)
    source = {"note": "a test", "assumption": True}
    data["bureaus"][0]["events"] = [
        {"kind": "merged_into", "on": "2022-01-01", "into": ["finance"], "source": source}
    ]
    data["bureaus"][1]["events"] = [
        {"kind": "merged_into", "on": "2022-01-01", "into": ["commerce"], "source": source}
    ]
    assert [data["bureaus"][i]["id"] for i in (0, 1)] == ["commerce", "finance"]
    with pytest.raises(yp.PolicyDataError, match="circle: commerce → finance → commerce"):
        policy_from_dict(data)


def test_a_later_unit_cannot_reuse_a_notice_units_id(plan_data: dict[str, Any]) -> None:
    """A later unit with the id of one of the notice's units is a duplicate id."""
    data = copy.deepcopy(plan_data)
    data["later_units"][0]["id"] = "finance"
    data["bureaus"][6]["events"][0]["into"] = ["finance"]
    with pytest.raises(yp.PolicyDataError, match="duplicate unit id 'finance'") as caught:
        policy_from_dict(data)
    assert caught.value.path == "later_units[0].id"


def test_an_items_role_is_its_lead_whether_or_not_it_names_units(
    plan_data: dict[str, Any],
) -> None:
    """Two items with the same units and roles have the same role: the lead's (one rule)."""
    data = copy.deepcopy(plan_data)
    task = data["measures"][13]["tasks"][0]
    units = [{"unit": "commerce", "role": "assist"}, {"unit": "hrss", "role": "lead"}]
    task["assignments"] = units
    task["items"][0].pop("role", None)
    task["items"][1].pop("role", None)
    task["items"][1]["assignments"] = units
    first, second = policy_from_dict(data).action("14.1").items[:2]
    assert first.assignments == second.assignments
    assert first.role is second.role is yp.Role.LEAD


def test_a_later_unit_exists_only_from_its_set_up(policy: yp.Policy) -> None:
    """Before 2023-07-20 the NFRA bureau neither exists nor holds any unit's duties."""
    nfra = policy.bureau("nfra_yantai")
    assert not policy.exists_on(nfra, BEFORE_REFORM)
    assert policy.exists_on(nfra, AFTER_REFORM)
    assert policy.successor_of(nfra, BEFORE_REFORM) == ()
    assert policy.duties_held(nfra, BEFORE_REFORM) == ()
    assert [b.id for b in policy.duties_held(nfra, AFTER_REFORM)] == [
        "banking_insurance_regulation"
    ]
