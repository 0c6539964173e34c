"""The Python API for a newcomer: short reprs, forgiving lookups, ISO days, lazy modules."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import attrs
import pytest

import yantai_policy as yp
from yantai_policy import benefits, queries
from yantai_policy.audit import audit
from yantai_policy.benefits.base import context
from yantai_policy.benefits.records import parse_applicant, parse_placement
from yantai_policy.dates import parse_date
from yantai_policy.graph import actions_of, co_owners, workload

LONGEST_REPR = 300
"""No repr of a public object is longer than this (a test walks them)."""

RECORD: dict[str, Any] = {
    "id": "G1",
    "groups": ["graduate"],
    "left_school_on": "2020-07-01",
    "flexible_since": "2021-03-10",
    "platform": "express",
    "employment_registered": True,
    "business_type": "individual_business",
    "first_license_on": "2021-03-01",
    "operating": True,
    "contributions": [{"month": f"2021-{m:02}", "amount": "512.30"} for m in range(3, 13)],
}
PLACEMENT: dict[str, Any] = {
    "id": "P1",
    "rural_labourer": True,
    "village_collective_intermediary": True,
    "employer_in_city": True,
    "contract_months": 12,
    "employee_insurance_paid": True,
}


def _walk(root: object, seen: dict[int, object], depth: int = 0) -> None:
    """Collect every object reachable from root through attrs fields, tuples, lists and dicts."""
    if id(root) in seen or depth > 12 or isinstance(root, str | int | Decimal | dt.date):
        return
    seen[id(root)] = root
    if isinstance(root, dict):
        children: list[object] = [*root.keys(), *root.values()]
    elif isinstance(root, tuple | list | frozenset | set):
        children = list(root)
    elif attrs.has(type(root)):
        children = [getattr(root, f.name) for f in attrs.fields(type(root))]  # type: ignore[arg-type]
    else:
        children = []
    for child in children:
        _walk(child, seen, depth + 1)


def _public_objects(policy: yp.Policy) -> list[object]:
    """The plan, the parameters, decisions, batches, comparisons and audit of the built-in plan."""
    on = dt.date(2021, 12, 1)
    reform = policy.with_parameters({"social_insurance_subsidy.rate": "60%"})
    batch = list(benefits.evaluate_many([RECORD, {"id": "bad"}, {"id": 7}], on=on))
    chunks = list(benefits.evaluate_many([RECORD, {"id": "bad"}], on=on).chunks())
    summary = benefits.BatchSummary()
    for row in batch:
        summary.add(row)
    roots: list[object] = [
        policy,
        reform,
        policy.graph,
        dict(policy.parameters.by_name),
        list(benefits.BENEFITS.values()),
        benefits.evaluate_all(RECORD, on=on),
        benefits.evaluate("labour_intermediary_subsidy", PLACEMENT, on=on),
        parse_applicant(RECORD),
        parse_placement(PLACEMENT),
        batch,
        chunks,
        summary,
        benefits.compare([RECORD], policy, reform, on=on),
        context(policy, on),
        audit(policy),
        queries.workload(policy),
    ]
    seen: dict[int, object] = {}
    for root in roots:
        _walk(root, seen)
    return [obj for obj in seen.values() if type(obj).__module__.startswith("yantai_policy")]


def test_policy_repr_is_one_short_line(policy: yp.Policy) -> None:
    """repr(policy) names the notice and counts its measures, actions and units."""
    counts = f"{len(policy.measures)} measures, {len(policy.actions)} actions, {len(policy.bureaus)} units"
    assert repr(policy) == f"<Policy {policy.notice.document_number}: {counts}>"
    assert repr(policy) == "<Policy 烟政办字〔2021〕3号: 20 measures, 49 actions, 20 units>"


def test_a_reform_says_so_in_its_repr(policy: yp.Policy) -> None:
    """A policy made by with_parameters counts the parameters its reform set."""
    reform = policy.with_parameters({"social_insurance_subsidy.rate": "60%"})
    assert repr(reform).endswith("; 1 parameter set by a reform>")


def test_every_public_repr_is_short_and_one_line(policy: yp.Policy) -> None:
    """No object of the built-in plan, its benefits or its audit has a repr over 300 characters."""
    objects = _public_objects(policy)
    kinds = {type(obj).__name__ for obj in objects}
    expected = {"Policy", "Measure", "Action", "Bureau", "Text", "Notice", "Parameter", "Decision"}
    assert expected | {"Row", "Outcome", "Finding", "AuditReport", "Comparison", "Chunk"} <= kinds
    for obj in objects:
        text = repr(obj)
        assert len(text) <= LONGEST_REPR, (type(obj).__name__, len(text), text[:120])
        assert "\n" not in text, text


@pytest.mark.parametrize(
    ("get", "start"),
    [
        (lambda p: p.measure(7), "<Measure 7: 提供贷款贴息 (3 actions)>"),
        (lambda p: p.action("7.1"), "<Action 7.1 finance responsible: "),
        (lambda p: p.bureau("finance"), "<Bureau finance 市财政局>"),
        (lambda p: p.notice, "<Notice 烟政办字〔2021〕3号 of 2021-01-11: 4 sections>"),
        (lambda p: p.parameters, f"<ParameterSet: {len(yp.load_policy().parameters)} parameters>"),
    ],
)
def test_reprs_say_what_the_object_is(policy: yp.Policy, get: Any, start: str) -> None:
    """Each repr names the kind of object and what identifies it."""
    assert repr(get(policy)).startswith(start)


def test_reprs_clip_long_text_with_an_ellipsis(policy: yp.Policy) -> None:
    """An action's long text is clipped, ending in an ellipsis, not printed whole."""
    action = max(policy.actions, key=lambda a: len(a.text.zh))
    assert len(action.text.zh) > 200
    assert repr(action).endswith("…>")
    assert action.text.zh[:10] in repr(action)


def test_decision_repr_gives_the_verdict() -> None:
    """A decision's repr gives its benefit, record, day, verdict and amount (or what failed)."""
    on = dt.date(2021, 12, 1)
    yes = benefits.evaluate("social_insurance_subsidy", RECORD, on=on)
    assert (
        repr(yes) == f"<Decision social_insurance_subsidy G1 on {on}: eligible, {yes.amount} yuan>"
    )
    no = benefits.evaluate("startup_subsidy", {"id": "N"}, on=on)
    unmet = [r.code for r in no.reasons if not r.held]
    assert repr(no).startswith(
        f"<Decision startup_subsidy N on {on}: not eligible (unmet: {unmet[0]}"
    )


def test_custom_reprs_keep_evolve_and_equality(policy: yp.Policy) -> None:
    """attrs.evolve and == still work on the classes whose repr is written by hand."""
    measure = policy.measure(7)
    assert attrs.evolve(measure) == measure
    changed = attrs.evolve(measure, number=70)
    assert changed != measure
    assert repr(changed).startswith("<Measure 70: ")
    assert attrs.evolve(policy) == policy
    text = attrs.evolve(measure.title, zh="新标题")
    assert repr(text).startswith("<Text 新标题 / ")
    assert hash(policy.bureau("hrss")) == hash(attrs.evolve(policy.bureau("hrss")))


def test_policy_html_lists_every_measure(policy: yp.Policy) -> None:
    """Policy._repr_html_ shows the notice and one escaped row per measure."""
    html = policy._repr_html_()
    assert html.startswith('<div class="yantai-policy policy">')
    assert policy.notice.document_number in html
    for measure in policy.measures:
        assert measure.title.zh in html
    assert html.count("<tr>") == len(policy.measures) + 1
    hostile = attrs.evolve(
        policy, notice=attrs.evolve(policy.notice, document_number="<script>x</script>")
    )
    assert "<script>" not in hostile._repr_html_()


@pytest.mark.parametrize("number", ["7", " 7 ", "07", 7])
def test_measure_lookup_takes_a_number_or_its_digits(policy: yp.Policy, number: object) -> None:
    """measure("7") (as typed, or read from a file) finds the measure measure(7) does."""
    assert policy.measure(number) is policy.measure(7)  # type: ignore[arg-type]


@pytest.mark.parametrize("number", [True, False, 7.0, None, b"7", [7]])
def test_measure_lookup_refuses_non_numbers(policy: yp.Policy, number: object) -> None:
    """A bool, a float, None or bytes is a TypeError, not measure 1 or an odd lookup."""
    with pytest.raises(TypeError, match="a measure number is an int or a string of digits"):
        policy.measure(number)  # type: ignore[arg-type]


@pytest.mark.parametrize("number", ["seven", "７", "7.0", "-7", "", "99", 99, 0])
def test_measure_lookup_unknown_names_the_span(policy: yp.Policy, number: object) -> None:
    """A string that is no measure number, or a number not in the plan, is UnknownNameError."""
    with pytest.raises(yp.UnknownNameError, match="the plan has measures 1-20"):
        policy.measure(number)  # type: ignore[arg-type]


@pytest.mark.parametrize(("given", "asked"), [(7.1, "7.1"), (13.2, "13.2"), (7, "7")])
def test_action_lookup_asks_for_the_string(policy: yp.Policy, given: object, asked: str) -> None:
    """action(7.1) is a TypeError that asks for the string "7.1"."""
    with pytest.raises(TypeError, match=f'write "{asked}"'):
        policy.action(given)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [None, True, b"7.1", ("7", "1")])
def test_action_lookup_refuses_other_types(policy: yp.Policy, given: object) -> None:
    """An action id that is not a string at all is a TypeError naming the type."""
    with pytest.raises(TypeError, match="an action id is a string"):
        policy.action(given)  # type: ignore[arg-type]


def test_action_lookup_strips_spaces(policy: yp.Policy) -> None:
    """An id with spaces around finds the action; an unknown id still suggests close ones."""
    assert policy.action(" 7.1 ") is policy.action("7.1")
    with pytest.raises(yp.UnknownNameError) as caught:
        policy.action("7.9")
    assert "7.1" in caught.value.suggestions


def _outcomes(rows: Any) -> list[tuple[Any, ...]]:
    return [(r.row, r.id, r.outcomes, str(r.error)) for r in rows]


def test_the_day_may_be_an_iso_string(policy: yp.Policy) -> None:
    """Every entry that takes the day of application accepts "2021-07-16" as that date."""
    text, day = "2021-07-16", dt.date(2021, 7, 16)
    name = "social_insurance_subsidy"
    assert benefits.evaluate(name, RECORD, on=text) == benefits.evaluate(name, RECORD, on=day)
    assert benefits.evaluate_all(RECORD, on=text) == benefits.evaluate_all(RECORD, on=day)
    assert _outcomes(benefits.evaluate_many([RECORD], on=text)) == _outcomes(
        benefits.evaluate_many([RECORD], on=day)
    )
    reform = policy.with_parameters({"social_insurance_subsidy.rate": "60%"})
    assert benefits.compare([RECORD], policy, reform, on=text) == benefits.compare(
        [RECORD], policy, reform, on=day
    )
    assert context(policy, text) is context(policy, day)
    schedule = benefits.pension_contribution_schedule(
        2021, "monthly", "4000", lower="3000", upper="20000", on=text
    )
    assert schedule == benefits.pension_contribution_schedule(
        2021, "monthly", "4000", lower="3000", upper="20000", on=day
    )


def test_the_day_as_a_string_in_evaluate_frame() -> None:
    """evaluate_frame takes the day as an ISO string too."""
    pd = pytest.importorskip("pandas")
    from yantai_policy.benefits.frame import evaluate_frame  # noqa: PLC0415 - needs pandas

    frame = pd.DataFrame([{"id": "G1", "groups": ["graduate"], "left_school_on": "2020-07-01"}])
    by_text = evaluate_frame(frame, on="2021-07-16")
    assert by_text.equals(evaluate_frame(frame, on=dt.date(2021, 7, 16)))


@pytest.mark.parametrize(
    ("on", "error", "message"),
    [
        ("2021-02-30", ValueError, "on: invalid date '2021-02-30': February 2021 has 28 days"),
        ("2021-13-01", ValueError, "on: invalid date '2021-13-01': there is no month 13"),
        ("2021-7-16", ValueError, "expected YYYY-MM-DD"),
        ("2021-07-16\n", ValueError, "expected YYYY-MM-DD"),
        ("20210716", ValueError, "expected YYYY-MM-DD"),
        (dt.datetime(2021, 7, 16, 12, tzinfo=dt.UTC), TypeError, "not datetime"),
        (20210716, TypeError, "not int"),
        (None, TypeError, "not NoneType"),
    ],
)
def test_a_bad_day_is_refused_with_its_reason(on: object, error: type, message: str) -> None:
    """A day that does not exist, or is not a date or a string, is refused naming why."""
    with pytest.raises(error, match=message.replace("(", r"\(")):
        benefits.evaluate("social_insurance_subsidy", RECORD, on=on)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021-02-29", "February 2021 has 28 days"),
        ("2021-04-31", "April 2021 has 30 days"),
        ("2021-00-01", "there is no month 0"),
        ("0000-01-01", "there is no year 0"),
        ("2021-01-00", "there is no day 0"),
        ("２０２１-07-16", "expected YYYY-MM-DD"),
    ],
)
def test_parse_date_names_the_reason(text: str, reason: str) -> None:
    """parse_date refuses a day that does not exist, saying why."""
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text", ["2020-02-29", "2021-01-11", "0001-01-01", "9999-12-31"])
def test_parse_date_reads_every_real_day(text: str) -> None:
    """parse_date agrees with date.fromisoformat on YYYY-MM-DD days that exist."""
    assert parse_date(text) == dt.date.fromisoformat(text)


LAZY = ("audit", "benefits", "export", "frames", "graph", "plot")


def _python(code: str) -> Any:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_submodules_load_on_first_access() -> None:
    """Importing yantai_policy loads no heavy submodule; yp.graph loads graph (and networkx)."""
    found = _python(
        "import json, sys; import yantai_policy as yp; yp.load_policy();"
        f"before = [m for m in {LAZY!r} if 'yantai_policy.' + m in sys.modules];"
        "g = yp.graph; after = 'yantai_policy.graph' in sys.modules and 'networkx' in sys.modules;"
        "print(json.dumps([before, after, g.__name__]))"
    )
    assert found == [[], True, "yantai_policy.graph"]


def test_every_lazy_module_is_reachable() -> None:
    """yp.<name> returns the submodule for each lazy name; an unknown name is AttributeError."""
    for name in LAZY:
        assert getattr(yp, name) is sys.modules[f"yantai_policy.{name}"]
    with pytest.raises(AttributeError, match="no attribute 'grpah'"):
        _ = yp.grpah


def test_dir_lists_only_the_public_api() -> None:
    """dir(yp) is __all__ and the lazy modules, sorted: no private or imported helper names."""
    assert dir(yp) == sorted({*yp.__all__, *LAZY})
    assert not [name for name in dir(yp) if name.startswith("_") and name != "__version__"]


def test_graph_queries_answer_through_the_one_definition(other_city_path: Any) -> None:
    """The graph functions give what yantai_policy.queries gives, for the built-in and another plan."""
    for policy in (yp.load_policy(), yp.load_policy(other_city_path)):
        graph = yp.responsibility_graph(policy)
        for measure in policy.measures:
            assert co_owners(graph, measure.number) == queries.co_owners(policy, measure)
            assert co_owners(graph, measure.number) == measure.bureaus
        for bureau in policy.bureaus:
            for role in (None, *yp.Role):
                assert actions_of(graph, bureau, role) == queries.actions_of(policy, bureau, role)
            mine = [a for a in policy.actions if a.bureau is bureau]
            assert list(queries.actions_of(policy, bureau)) == mine
        assert workload(graph) == queries.workload(policy)
        assert sum(row.actions for row in workload(graph)) == len(policy.actions)


@pytest.mark.parametrize(
    "argv",
    [
        ["measures"],
        ["show", "7"],
        ["bureaus"],
        ["bureau", "hrss"],
        ["co-owners", "7"],
        ["actions", "--bureau", "hrss", "--role", "lead"],
        ["workload", "--json"],
    ],
)
def test_query_commands_do_not_load_networkx_or_numpy(argv: list[str]) -> None:
    """The read-only query commands answer from the plan's index: no networkx, numpy or formulas."""
    found = _python(
        "import contextlib, io, json, sys\n"
        "from yantai_policy.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main({argv!r})\n"
        "heavy = ('networkx', 'numpy', 'yantai_policy.benefits', 'yantai_policy.graph')\n"
        "print(json.dumps([code, [m for m in heavy if m in sys.modules]]))"
    )
    assert found == [0, []]


@pytest.mark.parametrize("kind", ["applicant", "placement"])
def test_record_schema_does_not_load_networkx(kind: str) -> None:
    """Schema of a record reads the record contract only: the graph and networkx stay unloaded."""
    found = _python(
        "import contextlib, io, json, sys\n"
        "from yantai_policy.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): code = main(['schema', {kind!r}])\n"
        "print(json.dumps([code, [m for m in ('networkx', 'yantai_policy.export') if m in sys.modules]]))"
    )
    assert found == [0, []]


def test_reprs_stay_short_on_hostile_text(policy: yp.Policy) -> None:
    """Huge titles, ids and names from a custom plan are clipped: reprs stay one bounded line."""
    huge = "很长的标题\n" * 20_000
    bureau = attrs.evolve(policy.bureaus[0], id="x" * 10_000, name=yp.Text(huge, huge))
    action = attrs.evolve(
        policy.actions[0],
        id="9" * 10_000,
        assignments=(yp.Assignment(bureau, yp.Role.RESPONSIBLE),),
        text=yp.Text(huge, huge),
    )
    measure = attrs.evolve(policy.measures[0], title=yp.Text(huge, huge), actions=(action,))
    notice = attrs.evolve(policy.notice, document_number=huge)
    hostile = attrs.evolve(policy, notice=notice, measures=(measure,), bureaus=(bureau,))
    for obj in (bureau, action, measure, notice, hostile, measure.title, action.text):
        text = repr(obj)
        assert len(text) <= LONGEST_REPR, (type(obj).__name__, len(text))
        assert "\n" not in text
