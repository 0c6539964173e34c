"""Every case of ``tests/cases/*.yaml``, run through every path that decides a benefit.

The cases are data (the format is in ``tests/cases/README.md``); this module loads
them, refusing a file that breaks the format, and runs each case through:

* [`evaluate`][yantai_policy.benefits.evaluate]: the full decision, every expectation;
* [`evaluate_many`][yantai_policy.benefits.evaluate_many]: eligibility, the amount in fen and
  [`Outcome.unmet`][yantai_policy.benefits.Outcome.unmet], which must be exactly
  the failed conditions of the full decision;
* [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame]: eligibility and the amount in
  fen, for the applicant benefits (the frame takes no placement records), in a frame
  of the one record and in a frame of all the records of its group;
* the ``yantai-policy evaluate`` command, JSONL in and JSONL out: one run for all the
  cases of a group (a day, a policy and a kind of record), in this process through
  `yantai_policy.cli.main`, with real input and output files.

Each path must give what the case expects and what the full decision says.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Hashable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd
import pytest
import yaml

import yantai_policy as yp
from serving import Running, serving
from yantai_policy.benefits import BENEFITS, Decision, evaluate, evaluate_many
from yantai_policy.benefits.frame import evaluate_frame
from yantai_policy.cli import main
from yantai_policy.errors import PolicyError
from yantai_policy.export import write

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = frozenset({"name", "on", "policy", "input", "expected"})
YUAN = re.compile(r"\d+\.\d\d")
"""An amount as the cases write it: yuan with exactly two decimal places."""


class CaseFileError(ValueError):
    """A case file that breaks the format: the message names the file, case and key."""


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans (so ``on:`` is a key, not ``True``) and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        """Build a mapping, refusing a key that occurs twice (YAML would keep the last)."""
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable):
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date:
        """Build a date, refusing an impossible one (such as 2021-13-01) with its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date {node.value!r}: {error}", node.start_mark
            ) from None


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@attrs.frozen
class Case:
    """One case of a case file, normalised.

    Attributes:
        file: The case file's name, such as ``startup_subsidy.yaml``.
        name: The case's name, unique in its file.
        benefit: The benefit it decides.
        on: The day of application.
        policy: The overrides for [`with_parameters`][yantai_policy.model.Policy.with_parameters], as
            canonical JSON (``"{}"`` for the built-in plan).
        input: The record; dates are ISO strings.
        expected: The expectations, by key of `EXPECTATIONS`.
    """

    file: str
    name: str
    benefit: str
    on: dt.date
    policy: str
    input: dict[str, Any] = attrs.field(eq=False)
    expected: dict[str, Any] = attrs.field(eq=False)

    @property
    def id(self) -> str:
        """The test id: the file and the case's name."""
        return f"{self.file}:{self.name}"

    @property
    def kind(self) -> str:
        """The kind of record the benefit takes: ``applicant`` or ``placement``."""
        return BENEFITS[self.benefit].record


def _plain(value: object, where: str) -> object:
    """Return a YAML value with dates as ISO strings; refuse floats (money is never a float)."""
    if isinstance(value, dt.datetime):
        raise CaseFileError(f"{where}: a date-time ({value}); write a date or a string")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        raise CaseFileError(f"{where}: a float ({value!r}); write amounts as quoted strings")
    if isinstance(value, dict):
        return {
            str(_plain(k, where)): _plain(v, f"{where}.{_plain(k, where)}")
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, str | int):
        return value
    raise CaseFileError(f"{where}: unexpected {type(value).__name__}")


def _day(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseFileError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseFileError(f"{where}: expected a list of strings, got {value!r}")
    return value


def _mapping(
    value: object, where: str, check: Callable[[object], bool], what: str
) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and check(v) for k, v in value.items()
    ):
        raise CaseFileError(f"{where}: expected a mapping of {what}, got {value!r}")
    return value


def _is_yuan(value: object) -> bool:
    return isinstance(value, str) and YUAN.fullmatch(value) is not None


def _codes(codes: Iterable[str], benefit: str, where: str) -> None:
    known = BENEFITS[benefit].codes
    for code in codes:
        if code not in known:
            raise CaseFileError(
                f"{where}: {benefit} has no condition {code!r} (it has {', '.join(known)})"
            )


def _check_eligible(item: object, _benefit: str, at: str) -> None:
    if not isinstance(item, bool):
        raise CaseFileError(f"{at}: expected true or false, got {item!r}")


def _check_amount(item: object, _benefit: str, at: str) -> None:
    if item is not None and not _is_yuan(item):
        raise CaseFileError(f'{at}: expected null or a string of yuan like "5000.00"')


def _check_codes(item: object, benefit: str, at: str) -> None:
    _codes(_strings(item, at), benefit, at)


def _check_texts(item: object, _benefit: str, at: str) -> None:
    _strings(item, at)


def _check_held(item: object, benefit: str, at: str) -> None:
    _codes(_mapping(item, at, lambda v: isinstance(v, bool), "code: true/false"), benefit, at)


def _check_detail(item: object, benefit: str, at: str) -> None:
    _codes(_mapping(item, at, lambda v: isinstance(v, str), "code: text"), benefit, at)


def _check_line_detail(item: object, _benefit: str, at: str) -> None:
    _mapping(item, at, lambda v: isinstance(v, str), "line: text")


def _check_lines(item: object, _benefit: str, at: str) -> None:
    _mapping(item, at, _is_yuan, 'line: "yuan.ff"')


EXPECTATIONS: dict[str, Callable[[object, str, str], None]] = {
    "eligible": _check_eligible,
    "amount": _check_amount,
    "failed": _check_codes,
    "held": _check_held,
    "reasons": _check_codes,
    "unmet": _check_codes,
    "detail": _check_detail,
    "line_detail": _check_line_detail,
    "lines": _check_lines,
    "notes": _check_texts,
    "no_notes": _check_texts,
}
"""The keys an ``expected`` mapping may hold (see ``tests/cases/README.md``), each with its check."""


def _expected(value: object, benefit: str, where: str) -> dict[str, Any]:
    """Check an ``expected`` mapping: known keys, the right types, the benefit's codes."""
    if not isinstance(value, dict) or not value:
        raise CaseFileError(f"{where}: expected a non-empty mapping of expectations")
    for key, item in value.items():
        check = EXPECTATIONS.get(key)
        if check is None:
            raise CaseFileError(
                f"{where}: unknown expectation {key!r} (known: {', '.join(EXPECTATIONS)})"
            )
        check(item, benefit, f"{where}.{key}")
    return value


def _case(data: object, file: str, benefit: str, index: int) -> Case:
    where = f"{file}: cases[{index}]"
    if not isinstance(data, dict):
        raise CaseFileError(f"{where}: expected a mapping")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseFileError(f"{where}: name: expected a non-empty string")
    where = f"{where} ({name})"
    unknown = sorted(set(data) - CASE_KEYS, key=str)
    if unknown:
        raise CaseFileError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("on", "input", "expected"):
        if key not in data:
            raise CaseFileError(f"{where}: {key} is required")
    record = _plain(data["input"], f"{where}: input")
    if not isinstance(record, dict):
        raise CaseFileError(f"{where}: input: expected a mapping (the record)")
    overrides = _plain(data.get("policy", {}), f"{where}: policy")
    if not isinstance(overrides, dict):
        raise CaseFileError(f"{where}: policy: expected a mapping of parameter overrides")
    return Case(
        file=file,
        name=name,
        benefit=benefit,
        on=_day(data["on"], f"{where}: on"),
        policy=json.dumps(overrides, sort_keys=True),
        input=record,
        expected=_expected(
            _plain(data["expected"], f"{where}: expected"), benefit, f"{where}: expected"
        ),
    )


def load_cases(path: Path) -> list[Case]:
    """Load and check one case file.

    Raises:
        CaseFileError: The file breaks the format; the message names the case and key.
    """
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise CaseFileError(f"{path.name}: {error}") from None
    if not isinstance(data, dict) or set(data) != {"benefit", "cases"}:
        raise CaseFileError(f"{path.name}: expected exactly the keys benefit and cases")
    benefit = data["benefit"]
    if not isinstance(benefit, str) or benefit not in BENEFITS:
        raise CaseFileError(f"{path.name}: benefit: no benefit {benefit!r}")
    if path.stem != benefit:
        raise CaseFileError(f"{path.name}: holds {benefit} cases: name it {benefit}.yaml")
    if not isinstance(data["cases"], list) or not data["cases"]:
        raise CaseFileError(f"{path.name}: cases: expected a non-empty list")
    cases = [_case(item, path.name, benefit, i) for i, item in enumerate(data["cases"])]
    names = [case.name for case in cases]
    for name in names:
        if names.count(name) > 1:
            raise CaseFileError(f"{path.name}: two cases are named {name!r}")
    return cases


CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))
CASES = [case for path in CASE_FILES for case in load_cases(path)]
APPLICANT_CASES = [case for case in CASES if case.kind == "applicant"]


def _ids(case: Case) -> str:
    return case.id


@functools.cache
def _policy(overrides: str) -> yp.Policy:
    """Return the built-in plan with a case's overrides applied (cached)."""
    changes = json.loads(overrides)
    base = yp.load_policy()
    return base.with_parameters(changes) if changes else base


@functools.cache
def _decision(case: Case) -> Decision:
    return evaluate(case.benefit, case.input, on=case.on, policy=_policy(case.policy))


def _fen(amount: str | Decimal | None) -> int | None:
    """Return an amount in yuan as integer fen (None stays None)."""
    return None if amount is None else int(Decimal(amount) * 100)


def _unmet(decision: Decision) -> list[str]:
    """The failed conditions: required ones that did not hold, and all of a group none of which did."""
    some: dict[str, bool] = {}
    for reason in decision.reasons:
        if reason.group is not None:
            some[reason.group] = some.get(reason.group, False) or reason.held
    return [
        r.code for r in decision.reasons if not r.held and (r.group is None or not some[r.group])
    ]


# --- The case files themselves -----------------------------------------------------------


def test_every_benefit_has_cases() -> None:
    """Each benefit has a case file with cases; nothing else lies there (a .yml would be missed)."""
    assert {path.name for path in CASES_DIR.iterdir()} == {
        "README.md",
        *(path.name for path in CASE_FILES),
    }
    assert {case.benefit for case in CASES} == set(BENEFITS)
    assert [path.stem for path in CASE_FILES] == sorted({case.benefit for case in CASES})


def test_every_case_expects_a_verdict_or_an_amount() -> None:
    """Every case states its eligibility or its amount, so every path checks something of it."""
    for case in CASES:
        assert {"eligible", "amount"} & set(case.expected), case.id


def _write_case_file(tmp_path: Path, body: str, name: str = "startup_subsidy") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """\
benefit: startup_subsidy
cases:
  - name: a case
    on: {on}
    input: {{id: A1, first_license_on: {licence}}}
    expected: {{eligible: false}}
"""


def test_loader_normalises_dates(tmp_path: Path) -> None:
    """YAML dates and ISO strings load the same: on as a date, input dates as ISO strings."""
    dates = _write_case_file(tmp_path, GOOD.format(on="2021-07-16", licence="2021-01-15"))
    (tmp_path / "quoted").mkdir()
    strings = _write_case_file(
        tmp_path / "quoted", GOOD.format(on='"2021-07-16"', licence='"2021-01-15"')
    )
    (one,) = load_cases(dates)
    (other,) = load_cases(strings)
    assert one == other
    assert one.input == other.input == {"id": "A1", "first_license_on": "2021-01-15"}
    assert one.on == dt.date(2021, 7, 16)
    assert one.id == "startup_subsidy.yaml:a case"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{amount: 5000.00}}"),
            "float",
            id="amount-as-a-float",
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", '{{amount: "5000"}}'),
            "string of yuan",
            id="amount-without-fen",
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{eligble: false}}"),
            "unknown expectation 'eligble'",
            id="misspelt-expectation",
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{unmet: [first_license]}}"),
            "no condition 'first_license'",
            id="unknown-condition-code",
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{held: {{in_force: yes}}}}"),
            "true/false",
            id="yes-is-not-a-boolean",
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{eligible: false, eligible: true}}"),
            "duplicate key 'eligible'",
            id="duplicate-key",
        ),
        pytest.param(GOOD.replace("    on: {on}\n", ""), "on is required", id="no-day"),
        pytest.param(GOOD.replace("{on}", "2021-13-01"), "invalid date '2021-13-01'", id="bad-day"),
        pytest.param(GOOD.replace("{on}", '"2021-7-16"'), "expected a date", id="bad-day-string"),
        pytest.param(
            GOOD.replace("    on:", "    when: 2021-07-16\n    on:"), "unknown key 'when'", id="key"
        ),
        pytest.param(
            GOOD.replace("{{eligible: false}}", "{{}}"), "non-empty mapping", id="no-expectation"
        ),
        pytest.param(GOOD.replace("startup_subsidy", "startup"), "no benefit", id="benefit"),
        pytest.param(
            GOOD + GOOD.split("cases:\n")[1], "two cases are named 'a case'", id="same-name"
        ),
    ],
)
def test_loader_refuses_a_bad_case_file(tmp_path: Path, body: str, message: str) -> None:
    """A case file that breaks the format is refused, naming the file and what is wrong."""
    path = _write_case_file(tmp_path, body.format(on="2021-07-16", licence="2021-01-15"))
    with pytest.raises(CaseFileError, match=re.escape(message)) as caught:
        load_cases(path)
    assert str(caught.value).startswith("startup_subsidy.yaml:")


def test_loader_wants_the_file_named_for_its_benefit(tmp_path: Path) -> None:
    """A file of start-up subsidy cases must be startup_subsidy.yaml."""
    path = _write_case_file(
        tmp_path, GOOD.format(on="2021-07-16", licence="2021-01-15"), name="loan"
    )
    with pytest.raises(CaseFileError, match=r"name it startup_subsidy\.yaml"):
        load_cases(path)


# --- Path 1: evaluate, the full decision ----------------------------------------------------


def _check_decision(decision: Decision, expected: Mapping[str, Any]) -> None:
    """Assert every expectation of a case against the full decision."""
    why = decision.explain()
    _check_verdict(decision, expected, why)
    _check_breakdown(decision, expected, why)


def _check_verdict(decision: Decision, expected: Mapping[str, Any], why: str) -> None:
    """Eligibility, the amount and the conditions."""
    held = {r.code: r.held for r in decision.reasons}
    if "eligible" in expected:
        assert decision.eligible is expected["eligible"], why
    if "amount" in expected:
        assert (None if decision.amount is None else str(decision.amount)) == expected["amount"], (
            why
        )
    if "failed" in expected:
        assert [r.code for r in decision.reasons if not r.held] == expected["failed"], why
    for code, value in expected.get("held", {}).items():
        assert held[code] is value, why
    if "reasons" in expected:
        assert [r.code for r in decision.reasons] == expected["reasons"], why
    if "unmet" in expected:
        assert _unmet(decision) == expected["unmet"], why
    details = {r.code: r.detail for r in decision.reasons}
    for code, text in expected.get("detail", {}).items():
        assert text in details[code], why


def _check_breakdown(decision: Decision, expected: Mapping[str, Any], why: str) -> None:
    """The breakdown lines and the notes."""
    if "lines" in expected:
        assert {line.key: str(line.amount) for line in decision.lines} == expected["lines"], why
    line_details = {line.key: line.detail for line in decision.lines}
    for key, text in expected.get("line_detail", {}).items():
        assert text in line_details[key], why
    notes = " ".join(note.en for note in decision.notes)
    for text in expected.get("notes", ()):
        assert text in notes, why
    for text in expected.get("no_notes", ()):
        assert text not in notes, why


def _tax_lines_add_up(decision: Decision) -> None:
    """An eligible tax relief is the sum of its counted lines; only quota_left is not counted."""
    if decision.eligible:
        counted = [line.amount for line in decision.lines if line.counted]
        assert decision.amount == sum(counted, Decimal(0))
        assert [line.key for line in decision.lines if not line.counted] == ["quota_left"]


def _reads_no_parameters(decision: Decision) -> None:
    """The fee exemptions have no amount, so they read no parameter."""
    assert decision.parameters == ()


INVARIANTS: dict[str, Callable[[Decision], None]] = {
    "tax_relief": _tax_lines_add_up,
    "fee_exemptions": _reads_no_parameters,
}
"""What holds of every decision of a benefit, checked for each of its cases."""


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_evaluate(case: Case) -> None:
    """The full decision is what the case expects: verdict, amount, reasons, lines, notes."""
    decision = _decision(case)
    _check_decision(decision, case.expected)
    invariant = INVARIANTS.get(case.benefit)
    if invariant is not None:
        invariant(decision)


# --- Path 2: evaluate_many ------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_evaluate_many(case: Case) -> None:
    """evaluate_many's outcome has the expected verdict, fen and unmet codes, as the decision has."""
    decision = _decision(case)
    (row,) = evaluate_many(
        [case.input], on=case.on, benefits=[case.benefit], policy=_policy(case.policy)
    )
    assert row.error is None
    (outcome,) = row.outcomes
    assert outcome.benefit == case.benefit
    if "eligible" in case.expected:
        assert outcome.eligible is case.expected["eligible"]
    if "amount" in case.expected:
        assert outcome.fen == _fen(case.expected["amount"])
    if "unmet" in case.expected:
        assert list(outcome.unmet) == case.expected["unmet"]
    assert list(outcome.unmet) == _unmet(decision)
    assert (outcome.eligible, outcome.amount) == (decision.eligible, decision.amount)


# --- Path 3: evaluate_frame -----------------------------------------------------------------


Group = tuple[dt.date, str, str]
"""The cases run together (one command run, one frame): the day, the policy overrides, the kind of record."""


def _group(case: Case) -> Group:
    return (case.on, case.policy, case.kind)


GROUPS: dict[Group, list[Case]] = {}
for _case_of_group in CASES:
    GROUPS.setdefault(_group(_case_of_group), []).append(_case_of_group)


def _group_benefits(cases: list[Case]) -> list[str]:
    """The benefits of a group's cases, in the order of BENEFITS."""
    return [name for name in BENEFITS if name in {case.benefit for case in cases}]


def _frame_result(out: pd.DataFrame, benefit: str, position: int) -> tuple[bool, int | None]:
    """A frame row's verdict and amount in fen (None for <NA>)."""
    eligible = out[f"{benefit}.eligible"].iloc[position]
    cell = out[f"{benefit}.amount_fen"].iloc[position]
    assert isinstance(eligible, bool | np.bool_)
    return bool(eligible), None if cell is pd.NA else int(cell)


@pytest.fixture(scope="module")
def frame_rows() -> Callable[[Case], tuple[bool, int | None]]:
    """Return a case's result in one frame of all its group's records, computed once a group.

    In a frame of many records a field one record leaves out is an empty cell
    (NaN or None) of a column the others fill: the frame must read it as absent.
    """
    frames: dict[Group, pd.DataFrame] = {}

    def result_of(case: Case) -> tuple[bool, int | None]:
        group = _group(case)
        cases = GROUPS[group]
        if group not in frames:
            frames[group] = evaluate_frame(
                pd.DataFrame([c.input for c in cases]),
                case.on,
                benefits=_group_benefits(cases),
                policy=_policy(case.policy),
            )
        return _frame_result(frames[group], case.benefit, cases.index(case))

    return result_of


@pytest.mark.parametrize("case", APPLICANT_CASES, ids=_ids)
def test_evaluate_frame(case: Case, frame_rows: Callable[[Case], tuple[bool, int | None]]) -> None:
    """evaluate_frame gives the expected verdict, fen and unmet codes, as the decision has.

    Only applicant cases: evaluate_frame takes applicant records, and the placement
    benefit (labour_intermediary_subsidy) is not a frame benefit (see the next test).
    """
    decision = _decision(case)
    alone = evaluate_frame(
        pd.DataFrame([case.input]), case.on, benefits=[case.benefit], policy=_policy(case.policy)
    )
    for eligible, fen in (_frame_result(alone, case.benefit, 0), frame_rows(case)):
        if "eligible" in case.expected:
            assert eligible is case.expected["eligible"]
        if "amount" in case.expected:
            assert fen == _fen(case.expected["amount"])
        assert (eligible, fen) == (decision.eligible, _fen(decision.amount))
    assert alone[f"{case.benefit}.unmet"].iloc[0] == ";".join(_unmet(decision))


def test_placement_benefits_are_not_frame_benefits() -> None:
    """The placement cases are left out of the frame path: evaluate_frame refuses their benefit."""
    placement = {case.benefit for case in CASES if case.kind == "placement"}
    assert placement == {"labour_intermediary_subsidy"}
    frame = pd.DataFrame([{"id": "P1"}])
    for benefit in placement:
        with pytest.raises(PolicyError, match=f"not {benefit}"):
            evaluate_frame(frame, dt.date(2021, 6, 1), benefits=[benefit])


# --- Path 4: the yantai-policy evaluate command ----------------------------------------------


def _run_command(group: Group, cases: list[Case], folder: Path) -> list[dict[str, Any]]:
    """Run ``yantai-policy evaluate`` once over a group's records; return its output rows.

    A group with policy overrides is run with ``--plan``, a plan file holding the
    reform, written by the writer of ``yantai-policy export json``.
    """
    on, overrides, _ = group
    source = folder / "in.jsonl"
    source.write_text("".join(json.dumps(case.input) + "\n" for case in cases), encoding="utf-8")
    output = folder / "out.jsonl"
    argv = ["evaluate", str(source), "--on", on.isoformat(), "-o", str(output)]
    for name in _group_benefits(cases):
        argv += ["--benefit", name]
    if json.loads(overrides):
        plan = folder / "plan.json"
        write(_policy(overrides), "json", plan)
        argv += ["--plan", str(plan)]
    assert main(argv) == 0
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [row["row"] for row in rows] == list(range(1, len(cases) + 1))
    return rows


@pytest.fixture(scope="module")
def command_rows(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], dict[str, Any]]:
    """Return a case's output row of the command, running each group's command once."""
    runs: dict[Group, list[dict[str, Any]]] = {}

    def row_of(case: Case) -> dict[str, Any]:
        group = _group(case)
        if group not in runs:
            runs[group] = _run_command(group, GROUPS[group], tmp_path_factory.mktemp("evaluate"))
        return runs[group][GROUPS[group].index(case)]

    return row_of


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_command(case: Case, command_rows: Callable[[Case], dict[str, Any]]) -> None:
    """yantai-policy evaluate writes the expected verdict, amount and unmet codes, as the decision has."""
    decision = _decision(case)
    row = command_rows(case)
    assert row["error"] is None
    assert row["id"] == str(case.input["id"])
    result = row["results"][case.benefit]
    if "eligible" in case.expected:
        assert result["eligible"] is case.expected["eligible"]
    if "amount" in case.expected:
        assert result["amount"] == case.expected["amount"]
    amount = None if decision.amount is None else str(decision.amount)
    assert (result["eligible"], result["amount"]) == (decision.eligible, amount)
    assert result["unmet"] == ";".join(_unmet(decision))


def test_command_runs_once_per_group() -> None:
    """The cases share command runs: fewer runs than cases, and every kind of group is run."""
    assert len(GROUPS) < len(CASES)
    assert any(json.loads(overrides) for _, overrides, _ in GROUPS)
    assert {kind for _, _, kind in GROUPS} == {"applicant", "placement"}


# --- Path 5: the HTTP API (yantai-policy serve) ------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    """`yantai-policy serve`, for real, on 127.0.0.1 on a free port (the built-in plan)."""
    with serving() as running:
        yield running


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_http(case: Case, server: Running) -> None:
    """The API's decision is the full decision, field by field; a reform goes through /v1/compare.

    Without overrides, ``POST /v1/benefits/{name}/evaluate`` must answer exactly
    ``Decision.to_dict()``: eligible, amount, every reason with its clause and values.
    With them, ``POST /v1/compare`` must give the case's verdict and amount under the reform.
    """
    decision = _decision(case)
    overrides = json.loads(case.policy)
    with server.client() as client:
        if not overrides:
            response = client.post(f"/v1/benefits/{case.benefit}/evaluate",
                                   params={"on": case.on.isoformat()}, json=case.input)  # fmt: skip
            assert response.status_code == 200, response.text
            assert response.json() == json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
            return
        response = client.post("/v1/compare", params={"on": case.on.isoformat()},
                               json={"overrides": overrides, "records": [case.input], "benefits": [case.benefit]})  # fmt: skip
    assert response.status_code == 200, response.text
    (total,) = response.json()["benefits"]
    assert total["benefit"] == case.benefit
    assert total["eligible_reform"] == int(decision.eligible)
    if decision.amount is not None:
        assert total["total_reform"] == str(decision.amount)


@pytest.mark.parametrize("group", [g for g in GROUPS if not json.loads(g[1])], ids=str)
def test_http_batch(
    group: Group, server: Running, command_rows: Callable[[Case], dict[str, Any]]
) -> None:
    """``POST /v1/evaluate/batch`` answers a group's JSONL with the command's rows, line for line."""
    cases = GROUPS[group]
    body = "".join(json.dumps(case.input) + "\n" for case in cases)
    params: list[tuple[str, str | int | float | bool | None]] = [("on", group[0].isoformat())]
    params += [("benefit", name) for name in _group_benefits(cases)]
    with server.client() as client:
        response = client.post("/v1/evaluate/batch", params=params, content=body.encode(),
                               headers={"Content-Type": "application/x-ndjson"})  # fmt: skip
    assert response.status_code == 200, response.text
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert rows == [command_rows(case) for case in cases]
