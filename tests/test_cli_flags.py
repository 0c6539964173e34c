"""One way to say things: every flag has one meaning, usage errors are one line, numbers and dates are checked."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from fractions import Fraction
from importlib import metadata
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from conftest import run_cli as _run
from yantai_policy import cli
from yantai_policy.benefits import BatchSummary, compare
from yantai_policy.benefits.records import RecordError, parse_applicant
from yantai_policy.cli import main
from yantai_policy.dates import DateError, parse_date
from yantai_policy.errors import PolicyError
from yantai_policy.export import to_json

if TYPE_CHECKING:
    from pathlib import Path

# Options added by a helper (one definition of the text, its choices per command).
PER_COMMAND_CHOICES = {"--input-format", "--format"}  # the format of this command's input or output
# export's --lang has the same choices and meaning, but its default is each format's own
# (dot, mermaid and matrix-md in Chinese, csv and matrix-csv in both; matrix-md has no both).
# parameters' --on is optional (default: today in China), where evaluate's and explain's is required.
# audit's --on is a day too (YYYY-MM-DD, the same parser), but optional: the audit date of
# deadline-overdue and unit-defunct, by default the notice's issue date.
OWN_DEFAULT = {("export", "--lang"), ("parameters", "--on"), ("audit", "--on")}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command line that must be a usage error; return its stderr."""
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    out, err = capsys.readouterr()
    assert (stop.value.code, out, err.count("\n")) == (2, "", 1), err
    assert err.startswith("yantai-policy: error: ")
    return err


# --- 1. one meaning per flag ------------------------------------------------------------


def test_shared_flags_are_one_definition() -> None:
    """A flag taken by several commands is the same argparse action in each: one declaration."""
    seen: dict[str, tuple[str, argparse.Action]] = {}
    for name, parser in _subcommands().items():
        for action in parser._actions:
            for flag in action.option_strings:
                if flag in ("-h", "--help") or flag in PER_COMMAND_CHOICES:
                    continue
                if (name, flag) in OWN_DEFAULT:
                    continue
                first, earlier = seen.setdefault(flag, (name, action))
                assert earlier is action, f"{flag} of {name} is declared apart from {first}'s"
    assert {"--json", "--lang", "--plan", "-o", "--on", "--benefit"} <= set(seen)


def test_each_flag_has_one_help_text_in_every_help_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every subcommand's --help runs, and a flag shows the same help, default and metavar in each."""
    texts: dict[str, set[tuple[object, ...]]] = {}
    for name, parser in _subcommands().items():
        with pytest.raises(SystemExit) as stop:
            main([name, "--help"])
        page = capsys.readouterr().out
        assert stop.value.code == 0
        assert page.startswith(f"usage: yantai-policy {name} ")
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in page
                if (name, flag) in OWN_DEFAULT or flag == "--format":  # per command (see above)
                    continue
                shown = (action.help, action.default, action.metavar, action.required)
                texts.setdefault(flag, set()).add(shown)
    for flag, shown_as in texts.items():
        assert len(shown_as) == 1, f"{flag} means different things: {shown_as}"


def test_lang_choices_and_default_are_the_same_everywhere() -> None:
    """--lang takes zh, en and both, default both, in every command that takes it."""
    langs = {
        (name, a)
        for name, parser in _subcommands().items()
        for a in parser._actions
        if "--lang" in a.option_strings
    }
    assert len(langs) >= 10
    assert {
        (tuple(a.choices or ()), a.default)
        for name, a in langs
        if (name, "--lang") not in OWN_DEFAULT
    } == {(("zh", "en", "both"), "both")}
    assert {(tuple(a.choices or ()), a.default) for name, a in langs if name == "export"} == {
        (("zh", "en", "both"), None)
    }


def test_input_format_has_one_help_text() -> None:
    """--input-format, whose formats differ by command, has one help text."""
    helps = {
        a.help
        for parser in _subcommands().values()
        for a in parser._actions
        if "--input-format" in a.option_strings
    }
    assert helps == {"the input's format (needed for -)"}


def test_audit_json_is_format_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`audit --json` prints exactly what `audit --format json` prints: one option, one format."""
    by_flag = _run(capsys, "audit", "--json")
    by_format = _run(capsys, "audit", "--format", "json")
    assert by_flag == by_format
    assert json.loads(by_flag[1])["findings"]
    # The last one given wins, as for any option with one destination.
    assert "| severity | code |" in _run(capsys, "audit", "--json", "--format", "markdown")[1]


def test_explain_lang_both_prints_chinese_then_english(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The explain command's default language is both, as everywhere: each decision in zh, then in en."""
    source = tmp_path / "a.json"
    source.write_text('{"id": "A1", "groups": ["farmer"]}', encoding="utf-8")
    argv = ("explain", str(source), "--on", "2021-07-16", "--benefit", "fee_exemptions")
    code, out, _ = _run(capsys, *argv)
    zh, en = (_run(capsys, *argv, "--lang", lang)[1] for lang in ("zh", "en"))
    assert code == 0
    assert out == zh.rstrip("\n") + "\n\n" + en


def test_schema_output_dash_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """`-o -` is stdout, the same as giving no -o."""
    assert _run(capsys, "schema", "plan", "-o", "-") == _run(capsys, "schema", "plan")


# --- 2. --version and did you mean --------------------------------------------------------


def test_version_is_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the installed distribution's version."""
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"yantai-policy {metadata.version('yantai-policy')}\n"


@pytest.mark.parametrize(
    ("argv", "bad", "hint"),
    [
        (["meausres"], "meausres", "did you mean 'measures'?"),
        (["co-owner", "7"], "co-owner", "did you mean 'co-owners'?"),
        (["actions", "--bureau", "人社局", "--role", "leed"], "leed", "did you mean 'lead'?"),
        (["show", "7", "--lang", "eng"], "eng", "did you mean 'en'?"),
        (["audit", "--fail-on", "warn"], "warn", "did you mean 'warning'?"),
        (["schema", "aplicant"], "aplicant", "did you mean 'applicant'"),
    ],
)
def test_misspelt_choice_suggests(
    capsys: pytest.CaptureFixture[str], argv: list[str], bad: str, hint: str
) -> None:
    """A misspelt subcommand or choice is one line on stderr, exit 2, with the close match."""
    err = _usage_error(capsys, *argv)
    assert f"invalid choice {bad!r}; {hint}" in err


def test_choice_with_no_close_match_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    """With no close match, the one line lists the choices instead."""
    err = _usage_error(capsys, "show", "7", "--lang", "fr")
    assert "invalid choice 'fr'; choose from zh, en, both" in err


# --- 3. exit status of batches and undetermined totals ------------------------------------


def _evaluate(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, *more: str) -> int:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    argv = ("evaluate", str(source), "--on", "2021-07-16", "-o", str(tmp_path / "out.csv"))
    return _run(capsys, *argv, *more)[0]


def test_batch_where_every_row_fails_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every row an error: exit 1 even without --fail-on-error; one good row: exit 0."""
    assert _evaluate(capsys, tmp_path, "id,groups\nA1,nobody\nA2,nobody\n") == 1
    assert _evaluate(capsys, tmp_path, "id,groups\nA1,nobody\nA2,farmer\n") == 0
    assert _evaluate(capsys, tmp_path, "id,groups\nA1,nobody\nA2,farmer\n", "--fail-on-error") == 1


def test_empty_batch_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An input with no rows is not a batch where every row failed: exit 0, with or without the gate."""
    assert _evaluate(capsys, tmp_path, "id,groups\n") == 0
    assert _evaluate(capsys, tmp_path, "id,groups\n", "--fail-on-error") == 0


def test_summary_says_undetermined_not_zero() -> None:
    """A benefit with an unknown amount says 'total undetermined', not a zero total."""
    summary = BatchSummary()
    rows = [{"id": "F1", "groups": ["farmer"]}, {"id": "F2", "groups": ["farmer"]}]
    batch = yp.benefits.evaluate_many(rows, on=dt.date(2021, 7, 16), benefits=["fee_exemptions"])
    for chunk in batch.chunks():
        summary.add_chunk(chunk)
    text = summary.to_text()
    assert "fee_exemptions: 2 eligible, total undetermined (2 undetermined)" in text
    assert "0.00" not in text


def test_comparison_says_undetermined_not_zero() -> None:
    """The compare table says the totals and the difference are undetermined where amounts are."""
    base = yp.load_policy()
    record = {"id": "F1", "groups": ["farmer"]}
    result = compare([record], base, base, on=dt.date(2021, 7, 16), benefits=["fee_exemptions"])
    (line,) = result.to_text().splitlines()[1:]
    assert line == (
        "fee_exemptions: eligible 1 -> 1, total undetermined (1 undetermined) -> "
        "undetermined (1 undetermined) (difference undetermined)"
    )
    assert result.benefits[0].undetermined_baseline == 1


# --- 4. actions --role lead shows the item-level lead -------------------------------------


def test_actions_role_lead_shows_the_lead_items(capsys: pytest.CaptureFixture[str]) -> None:
    """An action found by a 牵头 item shows that item with its role, in text and in JSON."""
    policy = yp.load_policy()
    found = [
        a
        for a in policy.actions
        if a.bureau.id == "hrss" and yp.Role.LEAD in a.roles and a.role is not yp.Role.LEAD
    ]
    assert found  # actions whose own role is not lead, found by an item
    code, out, _ = _run(capsys, "actions", "--bureau", "hrss", "--role", "lead", "--lang", "zh")
    assert code == 0
    for action in found:
        assert f"[{action.id}]" in out
        for item in action.items:
            if item.role is yp.Role.LEAD:
                assert f"{item.number}. (牵头) {item.text.zh}" in out
    code, out, _ = _run(capsys, "actions", "--bureau", "hrss", "--role", "lead", "--json")
    data = {a["id"]: a for a in json.loads(out)}
    for action in found:
        assert "lead" in data[action.id]["roles"]
        assert [i["role"] for i in data[action.id]["items"]] == [i.role.value for i in action.items]


# --- 5. dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2021-02-30", "February 2021 has 28 days"),
        ("2024-02-30", "February 2024 has 29 days"),
        ("2021-04-31", "April 2021 has 30 days"),
        ("2021-13-01", "there is no month 13"),
        ("2021-00-10", "there is no month 0"),
        ("2021-01-00", "there is no day 0"),
        ("0000-01-01", "there is no year 0"),
        ("20210230", "expected YYYY-MM-DD"),
        ("2021-2-3", "expected YYYY-MM-DD, with a two-digit month and day"),
        ("2021-02-03T00:00", "expected YYYY-MM-DD, not a date and time"),
        ("２０２１-０２-０３", "expected YYYY-MM-DD"),
        ("2021-W07-1", "expected YYYY-MM-DD"),
        ("", "expected YYYY-MM-DD"),
        ("2021-02-03\n", "expected YYYY-MM-DD"),
    ],
)
def test_parse_date_names_the_reason(text: str, reason: str) -> None:
    """A date that does not exist, or is not YYYY-MM-DD, is refused with the reason."""
    with pytest.raises(DateError) as error:
        parse_date(text)
    assert (error.value.text, error.value.reason) == (text, reason)
    assert str(error.value) == f"invalid date {text!r}: {reason}"


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_parse_date_agrees_with_the_calendar(year: int, month: int, day: int) -> None:
    """Any YYYY-MM-DD text parses exactly when the day exists, and to that day."""
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        expected: dt.date | None = dt.date(year, month, day)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(DateError):
            parse_date(text)
    else:
        assert parse_date(text) == expected


def test_record_date_names_field_and_reason() -> None:
    """The record contract's date fields say which field and why."""
    with pytest.raises(RecordError) as error:
        parse_applicant({"id": "A1", "left_school_on": "2021-02-29"})
    assert (
        str(error.value) == "left_school_on: invalid date '2021-02-29': February 2021 has 28 days"
    )


def test_plan_date_names_the_reason(tmp_path: Path) -> None:
    """The plan loader's dates, and parameters' dated keys, say why a date does not exist."""
    plan = json.loads(to_json(yp.load_policy()))
    plan["provenance"]["issued_on"] = "2021-02-29"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"invalid date '2021-02-29': February 2021 has 28 days"):
        yp.load_policy(path)
    with pytest.raises(PolicyError, match=r"invalid date '2021-13-01': there is no month 13"):
        yp.load_policy().with_parameters({"startup_subsidy.amount": {"2021-13-01": "6000"}})
    # Python 3.11's fromisoformat took the basic form, so this key used to be accepted.
    with pytest.raises(PolicyError, match=r"invalid date '20210301': expected YYYY-MM-DD"):
        yp.load_policy().with_parameters({"startup_subsidy.amount": {"20210301": "6000"}})


# --- 6. number options ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["50%", "1/2", "0.5", " 0.50 ", "50.0%", "+1/2"])
def test_threshold_accepts_every_form(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """--threshold takes a decimal, a percentage or a fraction, exactly: 50%, 1/2 and 0.5 agree."""
    assert cli._share(text) == Fraction(1, 2)
    assert _run(capsys, "audit", "--threshold", text) == _run(capsys, "audit", "--threshold", "1/2")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1/0", "'1/0' divides by zero"),
        ("2", "2 is not a share from 0 to 1"),
        ("101%", "101% is not a share from 0 to 1"),
        ("-0.1", "-0.1 is not a share from 0 to 1"),
        ("nan", "expected a share from 0 to 1, such as 0.3, 30% or 3/10, got 'nan'"),
        ("inf", "expected a share"),
        ("1e99999999", "expected a share"),
        ("0.5.5", "expected a share"),
        ("1" * 31, "expected a share"),
        ("%", "expected a share"),
    ],
)
def test_threshold_refuses_at_once(
    capsys: pytest.CaptureFixture[str], text: str, reason: str
) -> None:
    """A bad --threshold is a one-line usage error naming the option, before any work."""
    err = _usage_error(capsys, "audit", "--threshold", text)
    assert f"argument --threshold: {reason}" in err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--jobs", "0"], "argument --jobs: expected a whole number from 1 to 256, got 0"),
        (["--jobs", str(10**9)], "from 1 to 256, got 1000000000"),
        (["--jobs", "two"], "argument --jobs: expected a whole number from 1 to 256, got 'two'"),
        (["--jobs", "1.5"], "got '1.5'"),
    ],
)
def test_jobs_is_bounded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], reason: str
) -> None:
    """--jobs takes a whole number from 1 to 256; anything else is a one-line usage error."""
    out = tmp_path / "out.csv"
    err = _usage_error(capsys, "evaluate", "in.csv", "--on", "2021-07-16", "-o", str(out), *argv)
    assert reason in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["show", "co-owners"])
@pytest.mark.parametrize(
    ("number", "usage"),
    [("0", True), ("-3", True), ("x", True), ("1" * 31, True), ("99999999999999999999", False)],
)
def test_measure_number_is_checked(
    capsys: pytest.CaptureFixture[str], command: str, number: str, *, usage: bool
) -> None:
    """A measure number is a whole number from 1; one past the plan names the plan's range."""
    if usage:
        err = _usage_error(capsys, command, number)
        assert "argument number: expected a whole number 1 or more" in err
    else:
        code, out, err = _run(capsys, command, number)
        assert (code, out) == (2, "")
        assert err == f"yantai-policy: error: no measure {number}; the plan has measures 1-20\n"
