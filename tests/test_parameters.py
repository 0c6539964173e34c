"""Dated parameters: the built-in values and sources, parsing, loading, export and reforms."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yantai_policy as yp
from plan_mutation import DELETE, mutate, paths
from yantai_policy import export
from yantai_policy.formula_parameters import DECLARED, declared_by, out_of_bounds
from yantai_policy.loading import policy_from_dict
from yantai_policy.parameters import (
    Parameter,
    ParameterError,
    ParameterSet,
    Source,
    SourceKind,
    Unit,
    parse_value,
    plan_value,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

ISSUED = dt.date(2021, 1, 11)
RATE = "social_insurance_subsidy.rate"
AMOUNT = "startup_subsidy.amount"
SUBSIDY_164 = "财社〔2017〕164号"
TAX_21_22 = "财税〔2019〕21号、财税〔2019〕22号"
QUOTA = "tax_relief.annual_quota"
KEY_GROUPS_2023 = "财政部 税务总局 人力资源社会保障部 农业农村部公告2023年第15号"
VETERANS_2023 = "财政部 税务总局 退役军人事务部公告2023年第14号"


def _texts_of_measure(measure: yp.Measure) -> list[str]:
    """Every Chinese text printed under a measure: title, provincial text, actions, items."""
    texts = [measure.title.zh, measure.provincial_text.zh]
    for action in measure.actions:
        texts.append(action.text.zh)
        texts.extend(item.text.zh for item in action.items)
    return texts


# --- The built-in parameters -----------------------------------------------------------


def test_builtin_plan_has_parameters(policy: yp.Policy) -> None:
    """The built-in plan carries a non-empty parameter table, iterated in sorted order."""
    assert len(policy.parameters) > 0
    assert list(policy.parameters) == sorted(policy.parameters.by_name)
    for name in policy.parameters:
        assert policy.parameters[name].name == name


def test_every_parameter_is_described_and_sourced(policy: yp.Policy) -> None:
    """Each built-in parameter has zh and en descriptions and a source; regulations and assumptions a note."""
    for name in policy.parameters:
        param = policy.parameters[name]
        assert param.description.zh.strip(), name
        assert param.description.en.strip(), name
        assert isinstance(param.source, Source), name
        if param.source.kind in {SourceKind.REGULATION, SourceKind.ASSUMPTION}:
            assert param.source.note is not None, name
            assert param.source.note.zh.strip(), name
            assert param.source.note.en.strip(), name
        if param.source.kind is SourceKind.REGULATION:
            assert param.source.document, name
        assert param.source.kind is not SourceKind.REFORM, name


def test_every_notice_excerpt_is_verbatim_in_its_measure(policy: yp.Policy) -> None:
    """Each notice excerpt occurs character for character in its own measure's text."""
    notice_sourced = [
        policy.parameters[n]
        for n in policy.parameters
        if policy.parameters[n].source.kind is SourceKind.NOTICE
    ]
    assert len(notice_sourced) >= 9
    for param in notice_sourced:
        assert param.source.measure is not None
        assert param.source.excerpt
        texts = _texts_of_measure(policy.measure(param.source.measure))
        assert any(param.source.excerpt in text for text in texts), param.name


def test_values_have_exact_types(policy: yp.Policy) -> None:
    """Yuan are Decimal to the fen, ratios Fraction, periods int and dates date."""
    for name in policy.parameters:
        param = policy.parameters[name]
        for since, value in param.values:
            assert type(since) is dt.date
            if value is None:
                continue
            if param.unit is Unit.YUAN:
                assert isinstance(value, Decimal), name
                assert value.as_tuple().exponent == -2, name
            elif param.unit is Unit.RATIO:
                assert isinstance(value, Fraction), name
            elif param.unit in {Unit.MONTHS, Unit.YEARS}:
                assert type(value) is int, name
            else:
                assert type(value) is dt.date, name


NOTICE_FIGURES: dict[str, object] = {
    "startup_subsidy.amount": Decimal(5000),
    "startup_subsidy.operating_months": 6,
    "guaranteed_loan.cap_individual": Decimal(200000),
    "guaranteed_loan.cap_partnership": Decimal(600000),
    "guaranteed_loan.expanded_scope_until": dt.date(2020, 12, 31),
    "social_insurance_subsidy.rate": Fraction(65, 100),
    "social_insurance_subsidy.rate_cap": Fraction(2, 3),
    "accident_insurance_subsidy.annual_cap": Decimal(100),
    "social_insurance_subsidy.graduate_window_years": 2,
}


@pytest.mark.parametrize(("name", "expected"), NOTICE_FIGURES.items())
def test_the_notices_figures(policy: yp.Policy, name: str, expected: object) -> None:
    """The nine figures the notice states are there, from the issue date, citing the notice."""
    param = policy.parameters[name]
    assert param.source.kind is SourceKind.NOTICE
    assert param.values == ((ISSUED, expected),)
    assert param.at(ISSUED) == expected
    assert param.at(dt.date(2030, 1, 1)) == expected


def test_the_notices_units(policy: yp.Policy) -> None:
    """The notice's figures have the units they are printed in."""
    params = policy.parameters
    assert params["startup_subsidy.operating_months"].unit is Unit.MONTHS
    assert params["social_insurance_subsidy.graduate_window_years"].unit is Unit.YEARS
    assert params["guaranteed_loan.expanded_scope_until"].unit is Unit.DATE
    assert params[RATE].unit is params["social_insurance_subsidy.rate_cap"].unit is Unit.RATIO
    assert params[RATE].cap == "social_insurance_subsidy.rate_cap"


@pytest.mark.parametrize(
    ("name", "expected", "document"),
    [
        ("social_insurance_subsidy.max_months_hard_to_employ", 36, SUBSIDY_164),
        ("social_insurance_subsidy.max_months_graduate", 24, SUBSIDY_164),
        ("tax_relief.period_months", 36, TAX_21_22),
    ],
)
def test_defaults_from_other_regulations(
    policy: yp.Policy, name: str, expected: object, document: str
) -> None:
    """The periods the notice leaves out come from the regulations named, from the issue date through 2022."""
    param = policy.parameters[name]
    assert param.values[0] == (ISSUED, expected)
    for on in (ISSUED, dt.date(2022, 12, 31)):
        assert param.at(on) == expected
        assert param.source_at(on).kind is SourceKind.REGULATION
        assert param.source_at(on).document == document


def test_tax_quota_before_2023_is_the_assumed_shandong_uplift(policy: yp.Policy) -> None:
    """Until 2022 the quota is 12,000 yuan raised by 20% (14,400), marked an assumption citing 21 and 22."""
    param = policy.parameters[QUOTA]
    for on in (ISSUED, dt.date(2022, 12, 31)):
        assert param.at(on) == Decimal(12000) * Decimal("1.2")
        source = param.source_at(on)
        assert source.kind is SourceKind.ASSUMPTION
        assert source.note is not None
        assert "财税〔2019〕21号" in source.note.zh
        assert "22号" in source.note.zh
        assert "Shandong's decision" in source.note.en


def test_tax_quota_from_2023_cites_the_2023_announcements(policy: yp.Policy) -> None:
    """From 2023-01-01 the quota is 20,000 yuan raised by 20%, its own source naming both announcements."""
    param = policy.parameters[QUOTA]
    on = dt.date(2024, 3, 1)
    assert param.effective(on) == dt.date(2023, 1, 1)
    assert param.at(on) == Decimal(20000) * Decimal("1.2")
    source = param.source_at(on)
    assert source != param.source
    assert source.kind is SourceKind.ASSUMPTION
    assert source.note is not None
    assert KEY_GROUPS_2023 in source.note.zh
    assert VETERANS_2023 in source.note.zh
    assert "2027年12月31日" in source.note.zh


def test_tax_period_from_2023_cites_the_2023_announcements(policy: yp.Policy) -> None:
    """The 36-month period is restated from 2023-01-01, citing the 2023 announcements by number."""
    param = policy.parameters["tax_relief.period_months"]
    source = param.source_at(dt.date(2023, 1, 1))
    assert source.kind is SourceKind.REGULATION
    assert source.document == f"{KEY_GROUPS_2023}、{VETERANS_2023}"
    assert param.at(dt.date(2023, 1, 1)) == param.at(ISSUED)


def test_every_dated_source_names_a_value_date(policy: yp.Policy) -> None:
    """Each dated source of the built-in plan is keyed by a date on which a value takes effect."""
    dated = [p for p in policy.parameters.by_name.values() if p.sources]
    assert dated
    for param in dated:
        dates = {since for since, _ in param.values}
        for since, source in param.sources:
            assert since in dates, param.name
            assert param.source_at(since) is source


def test_graduate_period_note_says_where_the_window_comes_from(policy: yp.Policy) -> None:
    """The graduate cap's note says 164 set 2 years for graduates within 1 year, the 2-year window being 2020's."""
    note = policy.parameters["social_insurance_subsidy.max_months_graduate"].source.note
    assert note is not None
    assert "within 1 year of leaving school" in note.en
    assert "2020" in note.en
    assert "离校1年内" in note.zh
    assert "2020年" in note.zh


def test_accident_proportion_note_says_it_is_the_most_generous_reading(policy: yp.Policy) -> None:
    """The assumed 100% is called the most generous reading of 一定比例."""
    note = policy.parameters["accident_insurance_subsidy.proportion"].source.note
    assert note is not None
    assert "most generous reading" in note.en
    assert "最宽松的解读" in note.zh


def test_expanded_scope_reads_until_and_says_it_is_an_interpretation(policy: yp.Policy) -> None:
    """Measure 7's English says "Until 31 December 2020", and the parameter calls its reading an interpretation."""
    param = policy.parameters["guaranteed_loan.expanded_scope_until"]
    assert "interpretation" in param.description.en
    assert "解读" in param.description.zh
    english = policy.measure(7).provincial_text.en
    assert "Until 31 December 2020," in english
    assert "Before 31 December 2020" not in english


def test_accident_proportion_is_an_assumption(policy: yp.Policy) -> None:
    """The accident-insurance proportion, unstated in the notice, is assumed to be 100%."""
    param = policy.parameters["accident_insurance_subsidy.proportion"]
    assert param.values == ((ISSUED, Fraction(1)),)
    assert param.source.kind is SourceKind.ASSUMPTION
    assert param.render(param.at(ISSUED)) == "100%"


def test_labour_intermediary_standard_has_no_value(policy: yp.Policy) -> None:
    """The job-placement subsidy standard is cited but has no value on any day."""
    param = policy.parameters["labour_intermediary_subsidy.standard"]
    assert param.values == ()
    assert param.at(ISSUED) is None
    assert param.at(dt.date(2030, 1, 1)) is None
    assert param.source.kind is SourceKind.NOTICE


# --- Parameter.at ----------------------------------------------------------------------

_HAND_MADE = Parameter(
    name="demo.amount",
    description=yp.Text(zh="示例", en="Example"),
    unit=Unit.YUAN,
    values=(
        (dt.date(2021, 1, 1), Decimal("1.00")),
        (dt.date(2022, 1, 1), Decimal("2.00")),
        (dt.date(2023, 1, 1), None),
        (dt.date(2024, 1, 1), Decimal("3.00")),
    ),
    source=Source(kind=SourceKind.ASSUMPTION, note=yp.Text(zh="示例", en="Example")),
)


@pytest.mark.parametrize(
    ("on", "value", "since"),
    [
        (dt.date(2020, 12, 31), None, None),
        (dt.date(2021, 1, 1), Decimal("1.00"), dt.date(2021, 1, 1)),
        (dt.date(2021, 12, 31), Decimal("1.00"), dt.date(2021, 1, 1)),
        (dt.date(2022, 1, 1), Decimal("2.00"), dt.date(2022, 1, 1)),
        (dt.date(2022, 7, 1), Decimal("2.00"), dt.date(2022, 1, 1)),
        (dt.date(2023, 1, 1), None, dt.date(2023, 1, 1)),
        (dt.date(2023, 12, 31), None, dt.date(2023, 1, 1)),
        (dt.date(2024, 1, 1), Decimal("3.00"), dt.date(2024, 1, 1)),
        (dt.date(2099, 1, 1), Decimal("3.00"), dt.date(2024, 1, 1)),
    ],
)
def test_at_picks_the_value_in_force(on: dt.date, value: object, since: dt.date | None) -> None:
    """at() is None before the first date and after a null, else the latest value on or before the day."""
    assert _HAND_MADE.at(on) == value
    assert _HAND_MADE.effective(on) == since


# --- parse_value -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "raw", "expected"),
    [
        (Unit.RATIO, "65%", Fraction(13, 20)),
        (Unit.RATIO, "0.65", Fraction(13, 20)),
        (Unit.RATIO, "13/20", Fraction(13, 20)),
        (Unit.RATIO, "2/3", Fraction(2, 3)),
        (Unit.RATIO, 1, Fraction(1)),
        (Unit.RATIO, Fraction(1, 3), Fraction(1, 3)),
        (Unit.YUAN, "5000", Decimal("5000.00")),
        (Unit.YUAN, "0.5", Decimal("0.50")),
        (Unit.YUAN, 100, Decimal("100.00")),
        (Unit.YUAN, Decimal("12.5"), Decimal("12.50")),
        (Unit.YUAN, 10**30, Decimal(10**30)),
        (
            Unit.YUAN,
            "12345678901234567890123456789.12",
            Decimal("12345678901234567890123456789.12"),
        ),
        (Unit.MONTHS, 36, 36),
        (Unit.MONTHS, "6", 6),
        (Unit.YEARS, 2, 2),
        (Unit.DATE, "2020-12-31", dt.date(2020, 12, 31)),
        (Unit.DATE, dt.date(2020, 12, 31), dt.date(2020, 12, 31)),
    ],
)
def test_parse_value_accepts(unit: Unit, raw: object, expected: object) -> None:
    """Percentages, decimals, fractions, integers, Decimals and dates parse to exact values."""
    value = parse_value(unit, raw)
    assert value == expected
    assert type(value) is type(expected)
    if unit is Unit.YUAN:
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("unit", "raw", "message"),
    [
        (Unit.YUAN, 0.1, "floats are not exact; write the value as a string, such as '0.1'"),
        (Unit.RATIO, 0.65, "floats are not exact; write the value as a string, such as '0.65'"),
        (Unit.MONTHS, 6.0, "floats are not exact; write the value as a string, such as '6.0'"),
        (Unit.YUAN, True, "expected a yuan value, got a boolean"),
        (Unit.MONTHS, False, "expected a months value, got a boolean"),
        (Unit.YUAN, "-1", "expected a non-negative yuan value, got '-1'"),
        (Unit.YUAN, -5, "expected a non-negative yuan value, got -5"),
        (Unit.YUAN, "1.005", "yuan have at most two decimal places (the fen), got '1.005'"),
        (
            Unit.YUAN,
            Fraction(1, 3),
            "yuan have at most two decimal places (the fen), got Fraction(1, 3)",
        ),
        (Unit.YUAN, "lots", "expected a number, got 'lots'"),
        (Unit.RATIO, "-0.1", "expected a non-negative ratio value, got '-0.1'"),
        (Unit.RATIO, "1/0", "expected a number, got '1/0'"),
        (Unit.MONTHS, 0, "expected a positive whole number of months, got 0"),
        (Unit.MONTHS, -3, "expected a positive whole number of months, got -3"),
        (Unit.YEARS, "0", "expected a positive whole number of years, got '0'"),
        (Unit.DATE, "soon", "invalid date 'soon': expected YYYY-MM-DD"),
        (Unit.DATE, "2021-02-30", "invalid date '2021-02-30': February 2021 has 28 days"),
        (Unit.DATE, dt.datetime(2021, 1, 1, 9, 0), "expected a date, got a date-time"),  # noqa: DTZ001
        (Unit.DATE, 20210101, "expected a date, got int"),
    ],
)
def test_parse_value_refuses(unit: Unit, raw: object, message: str) -> None:
    """Floats, booleans, negative or too precise amounts, non-positive periods and bad dates are refused."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_value(unit, raw)


_YUAN_STRINGS = st.builds(
    lambda whole, fen: f"{whole}.{fen}" if fen else str(whole),
    st.integers(min_value=0, max_value=10**40),  # past the 28 digits of Decimal's context
    st.text(alphabet="0123456789", max_size=2),
)


@given(_YUAN_STRINGS)
def test_yuan_strings_parse_exactly(text: str) -> None:
    """Any yuan string with at most two decimals parses to its own Decimal, to the fen, and exports back."""
    value = parse_value(Unit.YUAN, text)
    assert value == Decimal(text)
    assert isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2
    written = plan_value(Unit.YUAN, value)
    assert isinstance(written, str)
    assert re.fullmatch(r"[0-9]+\.[0-9]{2}", written)
    assert parse_value(Unit.YUAN, written) == value


# --- The loader ------------------------------------------------------------------------


def _load_error(
    plan_data: dict[str, Any], spoil: Callable[[dict[str, Any]], None]
) -> yp.PolicyDataError:
    data = copy.deepcopy(plan_data)
    spoil(data["parameters"])
    with pytest.raises(yp.PolicyDataError) as info:
        policy_from_dict(data)
    return info.value


def _set(name: str, key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def spoil(params: dict[str, Any]) -> None:
        params[name][key] = value

    return spoil


def _set_source(name: str, key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def spoil(params: dict[str, Any]) -> None:
        params[name]["source"][key] = value

    return spoil


def _rename_field(params: dict[str, Any]) -> None:
    params[AMOUNT]["valeus"] = params[AMOUNT].pop("values")


@pytest.mark.parametrize(
    ("spoil", "path", "reason"),
    [
        pytest.param(
            _set(AMOUNT, "unit", "rmb"),
            f"parameters.{AMOUNT}.unit",
            "invalid value 'rmb'; expected one of 'yuan', 'ratio', 'months', 'years', 'date'",
            id="bad-unit",
        ),
        pytest.param(
            _rename_field,
            f"parameters.{AMOUNT}.valeus",
            "unknown field 'valeus'; did you mean 'values'?",
            id="unknown-field",
        ),
        pytest.param(
            _set_source(AMOUNT, "excerpt", "给予5000元一次性创业补贴"),
            f"parameters.{AMOUNT}.source.excerpt",
            "the excerpt does not occur verbatim in the text of measure 6",
            id="paraphrased-excerpt",
        ),
        pytest.param(
            _set_source(AMOUNT, "measure", 21),
            f"parameters.{AMOUNT}.source.measure",
            "no measure 21 in this plan",
            id="unknown-measure",
        ),
        pytest.param(
            _set(AMOUNT, "values", {"2021-13-01": "5000.00"}),
            f"parameters.{AMOUNT}.values.2021-13-01",
            "invalid date '2021-13-01': there is no month 13",
            id="bad-date-key",
        ),
        pytest.param(
            _set(RATE, "values", {"2021-01-11": 0.65}),
            f"parameters.{RATE}.values.2021-01-11",
            "floats are not exact; write the value as a string, such as '0.65'",
            id="float-value",
        ),
        pytest.param(
            _set(RATE, "cap", "social_insurance_subsidy.rate_ceiling"),
            f"parameters.{RATE}.cap",
            "no parameter 'social_insurance_subsidy.rate_ceiling' in this plan",
            id="unknown-cap",
        ),
        pytest.param(
            _set(AMOUNT, "cap", "guaranteed_loan.expanded_scope_until"),
            f"parameters.{AMOUNT}.cap",
            "the cap 'guaranteed_loan.expanded_scope_until' is in date, not yuan",
            id="cap-of-another-unit",
        ),
        pytest.param(
            _set(RATE, "values", {"2021-01-11": "70%"}),
            "parameters",
            (
                f"{RATE} = 70% from 2021-01-11 exceeds its cap social_insurance_subsidy.rate_cap"
                " = 2/3; pass allow_above_cap=True to allow it"
            ),
            id="above-cap",
        ),
        pytest.param(
            _set_source("tax_relief.period_months", "excerpt", "按规定限额"),
            "parameters.tax_relief.period_months.source.excerpt",
            "unknown field 'excerpt'",
            id="excerpt-on-a-regulation",
        ),
        pytest.param(
            _set(QUOTA, "sources", {"2022-01-01": {"kind": "assumption", "note": "x"}}),
            f"parameters.{QUOTA}.sources.2022-01-01",
            "no value takes effect on 2022-01-01: a dated source names one of values",
            id="dated-source-without-a-value",
        ),
        pytest.param(
            _set(QUOTA, "sources", {"2023-13-01": {"kind": "assumption", "note": "x"}}),
            f"parameters.{QUOTA}.sources.2023-13-01",
            "invalid date '2023-13-01': there is no month 13",
            id="dated-source-bad-date",
        ),
        pytest.param(
            _set(QUOTA, "sources", {"2023-01-01": {"kind": "rumour"}}),
            f"parameters.{QUOTA}.sources.2023-01-01.kind",
            "invalid value 'rumour'; expected one of 'notice', 'regulation', 'assumption', 'reform'",
            id="dated-source-bad-kind",
        ),
    ],
)
def test_loader_rejects_bad_parameters(
    plan_data: dict[str, Any],
    spoil: Callable[[dict[str, Any]], None],
    path: str,
    reason: str,
) -> None:
    """A spoilt parameter is a PolicyDataError whose path names the offending key."""
    error = _load_error(plan_data, spoil)
    assert error.path == path
    assert error.reason == reason


def test_loader_accepts_a_null_that_ends_a_value(plan_data: dict[str, Any]) -> None:
    """A null value in the file ends the previous one from its date."""
    data = copy.deepcopy(plan_data)
    data["parameters"][AMOUNT]["values"] = {"2023-01-01": None, "2021-01-11": "5000.00"}
    param = policy_from_dict(data).parameters[AMOUNT]
    assert param.values == ((ISSUED, Decimal("5000.00")), (dt.date(2023, 1, 1), None))
    assert param.at(dt.date(2022, 12, 31)) == Decimal("5000.00")
    assert param.at(dt.date(2023, 1, 1)) is None


def test_a_plan_without_parameters_loads(plan_data: dict[str, Any]) -> None:
    """The table is optional: a plan without it has an empty ParameterSet."""
    data = copy.deepcopy(plan_data)
    del data["parameters"]
    assert policy_from_dict(data).parameters == ParameterSet()


_NAMES = st.sampled_from(["startup_subsidy.amount", "guaranteed_loan.expanded_scope_until", "x.y"])
_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    _NAMES,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers()), max_size=2),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_parameters_raise_only_policy_data_error(
    plan_data: dict[str, Any], data: st.DataObject
) -> None:
    """Any value in the parameter table replaced or removed: the loader raises only PolicyDataError."""
    path = data.draw(st.sampled_from(paths(plan_data["parameters"])))
    value = data.draw(st.one_of(st.just(DELETE), _ANY_VALUE))
    spoilt = mutate(plan_data, ("parameters", *path), value)
    caught: yp.PolicyDataError | None = None
    try:
        policy_from_dict(spoilt)
    except yp.PolicyDataError as error:
        caught = error
    assert caught is None or caught.reason


# --- Export ----------------------------------------------------------------------------


def test_export_writes_the_parameter_table(policy: yp.Policy, plan_data: dict[str, Any]) -> None:
    """The export writes the shipped parameter table exactly, in the file's order."""
    exported = export.policy_to_plan_dict(policy)["parameters"]
    assert exported == plan_data["parameters"]
    assert list(exported) == list(plan_data["parameters"])
    assert exported[AMOUNT]["values"] == {"2021-01-11": "5000.00"}
    assert exported[RATE]["values"] == {"2021-01-11": "65%"}
    assert exported[RATE]["cap"] == "social_insurance_subsidy.rate_cap"
    assert "cap" not in exported[AMOUNT]
    assert exported["social_insurance_subsidy.rate_cap"]["values"] == {"2021-01-11": "2/3"}
    assert exported["startup_subsidy.operating_months"]["values"] == {"2021-01-11": 6}
    assert exported["guaranteed_loan.expanded_scope_until"]["values"] == {
        "2021-01-11": "2020-12-31"
    }
    assert exported["labour_intermediary_subsidy.standard"]["values"] == {}


def test_export_writes_each_source_kind_with_its_own_keys(policy: yp.Policy) -> None:
    """Notice sources keep measure and excerpt, regulations document and note, assumptions a note."""
    exported = export.policy_to_plan_dict(policy)["parameters"]
    keys = {SourceKind(p["source"]["kind"]): set(p["source"]) for p in exported.values()}
    assert keys == {
        SourceKind.NOTICE: {"kind", "measure", "excerpt"},
        SourceKind.REGULATION: {"kind", "document", "note"},
        SourceKind.ASSUMPTION: {"kind", "note"},
    }


def test_json_export_loads_back_as_an_equal_policy(policy: yp.Policy, tmp_path: Path) -> None:
    """The JSON export reads back as a Policy equal to the built-in one, parameters included."""
    path = tmp_path / "plan.json"
    export.write(policy, "json", path)
    again = yp.load_policy(path)
    assert again.parameters == policy.parameters
    assert attrs.evolve(again, data_sha256=policy.data_sha256) == policy


def test_export_writes_null_and_odd_values_in_plan_form(plan_data: dict[str, Any]) -> None:
    """A null, a ratio that is no whole percentage and a one-decimal amount are written in plan form."""
    data = copy.deepcopy(plan_data)
    data["parameters"][AMOUNT]["values"] = {
        "2021-01-11": 5000,
        "2022-01-01": "12.5",
        "2023-01-01": None,
    }
    data["parameters"][RATE]["values"] = {"2021-01-11": "0.625", "2022-01-01": "62%"}
    loaded = policy_from_dict(data)
    exported = export.policy_to_plan_dict(loaded)["parameters"]
    assert exported[AMOUNT]["values"] == {
        "2021-01-11": "5000.00",
        "2022-01-01": "12.50",
        "2023-01-01": None,
    }
    assert exported[RATE]["values"] == {"2021-01-11": "5/8", "2022-01-01": "62%"}
    assert policy_from_dict(export.policy_to_plan_dict(loaded)).parameters == loaded.parameters


def _schema_errors(plan: dict[str, Any]) -> list[str]:
    import jsonschema  # noqa: PLC0415 - a test dependency, only these tests need it

    validator = jsonschema.Draft202012Validator(
        export.plan_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [e.message for e in validator.iter_errors(plan)]


# --- with_parameters -------------------------------------------------------------------


def test_with_parameters_plain_value(policy: yp.Policy) -> None:
    """A plain value applies from the notice's issue date and cites the reform."""
    reform = policy.with_parameters({AMOUNT: "6000"})
    param = reform.parameters[AMOUNT]
    assert param.values == ((ISSUED, Decimal("6000.00")),)
    assert param.at(ISSUED) == Decimal("6000.00")
    assert param.at(dt.date(2021, 1, 10)) is None
    assert param.source.kind is SourceKind.REFORM
    assert param.source.note is not None
    assert param.description == policy.parameters[AMOUNT].description


def test_with_parameters_dated_mapping(policy: yp.Policy) -> None:
    """A mapping of dates replaces the dated values; None ends one."""
    reform = policy.with_parameters(
        {RATE: {"2021-01-11": "60%", dt.date(2022, 1, 1): "2/3", "2023-01-01": None}}
    )
    param = reform.parameters[RATE]
    assert param.values == (
        (ISSUED, Fraction(3, 5)),
        (dt.date(2022, 1, 1), Fraction(2, 3)),
        (dt.date(2023, 1, 1), None),
    )
    assert param.at(dt.date(2022, 6, 1)) == Fraction(2, 3)
    assert param.at(dt.date(2023, 6, 1)) is None


def test_with_parameters_unknown_name(policy: yp.Policy) -> None:
    """An unknown name is an UnknownNameError suggesting the close names."""
    with pytest.raises(yp.UnknownNameError) as info:
        policy.with_parameters({"startup_subsidy.amont": "6000"})
    assert AMOUNT in info.value.suggestions
    assert "did you mean" in str(info.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (AMOUNT, "6000.001", "yuan have at most two decimal places (the fen), got '6000.001'"),
        (AMOUNT, 6000.5, "floats are not exact"),
        ("startup_subsidy.operating_months", 0, "expected a positive whole number of months"),
        (RATE, {"someday": "60%"}, "invalid date 'someday': expected YYYY-MM-DD"),
    ],
)
def test_with_parameters_bad_value(
    policy: yp.Policy, name: str, value: object, message: str
) -> None:
    """A value that does not fit is a ParameterError (a ValueError) naming the parameter."""
    with pytest.raises(ParameterError, match=f"^{re.escape(name)}: ") as info:
        policy.with_parameters({name: value})
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, yp.PolicyError)


def test_with_parameters_above_cap(policy: yp.Policy) -> None:
    """A rate above its 2/3 cap is refused unless allow_above_cap is given."""
    with pytest.raises(
        ParameterError, match=re.escape("exceeds its cap social_insurance_subsidy.rate_cap")
    ):
        policy.with_parameters({RATE: "70%"})
    reform = policy.with_parameters({RATE: "70%"}, allow_above_cap=True)
    assert reform.parameters[RATE].at(ISSUED) == Fraction(7, 10)
    assert reform.parameters[RATE].source.kind is SourceKind.REFORM


def test_with_parameters_leaves_the_base_alone(policy: yp.Policy) -> None:
    """The reform has its own data_sha256 and REFORM source; the base and its structure are unchanged."""
    base_sha = policy.data_sha256
    base_params = dict(policy.parameters.by_name)
    reform = policy.with_parameters({RATE: "60%"})
    assert re.fullmatch(r"[0-9a-f]{64}", reform.data_sha256)
    assert policy.with_parameters({RATE: "0.6"}).data_sha256 == reform.data_sha256  # 60% again
    assert reform.data_sha256 != base_sha
    assert policy.data_sha256 == base_sha
    assert dict(policy.parameters.by_name) == base_params
    assert policy.parameters[RATE].at(ISSUED) == Fraction(13, 20)
    assert policy.parameters[RATE].source.kind is SourceKind.NOTICE
    assert reform.parameters[RATE].source.kind is SourceKind.REFORM
    unchanged = [n for n in reform.parameters if n != RATE]
    assert all(reform.parameters[n] == policy.parameters[n] for n in unchanged)
    assert reform != policy
    assert (reform.notice, reform.measures, reform.bureaus, reform.provenance) == (
        policy.notice,
        policy.measures,
        policy.bureaus,
        policy.provenance,
    )
    assert list(reform.graph.nodes) == list(policy.graph.nodes)
    assert list(reform.graph.edges(data=True)) == list(policy.graph.edges(data=True))
    assert yp.load_policy() is policy


def test_reformed_policy_round_trips_through_json(policy: yp.Policy, tmp_path: Path) -> None:
    """A reformed policy exports with reform sources, is schema-valid, and loads back equal."""
    reform = policy.with_parameters(
        {RATE: {"2021-01-11": "60%", "2022-01-01": None}, AMOUNT: "6000.5"}
    )
    text = export.to_json(reform)
    plan = json.loads(text)
    source = plan["parameters"][RATE]["source"]
    assert set(source) == {"kind", "note"}
    assert source["kind"] == "reform"
    assert plan["parameters"][RATE]["values"] == {"2021-01-11": "60%", "2022-01-01": None}
    assert plan["parameters"][AMOUNT]["values"] == {"2021-01-11": "6000.50"}
    assert _schema_errors(plan) == []
    path = tmp_path / "reform.json"
    path.write_text(text, encoding="utf-8")
    again = yp.load_policy(path)
    assert again.parameters == reform.parameters
    assert again.parameters[RATE].source.kind is SourceKind.REFORM
    assert attrs.evolve(again, data_sha256=reform.data_sha256) == reform


# --- The JSON Schema -------------------------------------------------------------------


def test_schema_units_and_sources_match_the_model() -> None:
    """The schema's unit enum and source kinds are the model's enums."""
    defs = export.plan_schema()["$defs"]
    assert set(defs["parameterUnit"]["enum"]) == {u.value for u in Unit}
    kinds: set[str] = set()
    for option in defs["parameterSource"]["oneOf"]:
        kind = option["properties"]["kind"]
        kinds |= set(kind.get("enum", [kind.get("const")]))
    assert kinds == {k.value for k in SourceKind}


@pytest.mark.parametrize(
    "spoil",
    [
        _set(AMOUNT, "unit", "rmb"),
        _rename_field,
        _set(AMOUNT, "values", {"2021-13-01": "5000.00"}),
        _set(AMOUNT, "values", {"2021-01-11": "1.005"}),
        _set(RATE, "values", {"2021-01-11": 0.65}),
        _set(AMOUNT, "values", {"2021-01-11": True}),
        _set("startup_subsidy.operating_months", "values", {"2021-01-11": 0}),
        _set_source("tax_relief.period_months", "excerpt", "按规定限额"),
        _set_source(AMOUNT, "kind", "rumour"),
        _set(QUOTA, "sources", {"2023-01-01": {"kind": "rumour"}}),
        _set(QUOTA, "sources", {"2023-01-01": {"kind": "notice", "measure": 5}}),
        _set(AMOUNT, "cap", "Not A Name"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    plan_data: dict[str, Any], spoil: Callable[[dict[str, Any]], None]
) -> None:
    """A parameter spoilt in a way the loader refuses is invalid against the schema too."""
    data = copy.deepcopy(plan_data)
    spoil(data["parameters"])
    assert _schema_errors(data) != []
    with pytest.raises(yp.PolicyDataError):
        policy_from_dict(data)


def test_schema_rejects_a_bad_parameter_name(plan_data: dict[str, Any]) -> None:
    """A name without a dot, or with capitals, is invalid against the schema and the loader."""
    for name in ("amount", "Startup.amount"):
        data = copy.deepcopy(plan_data)
        data["parameters"][name] = data["parameters"].pop(AMOUNT)
        assert _schema_errors(data) != []
        with pytest.raises(yp.PolicyDataError, match="invalid parameter name"):
            policy_from_dict(data)


def test_changing_a_cap_needs_the_allowance(policy: yp.Policy) -> None:
    """Raising the province's cap itself is refused unless allow_above_cap is given."""
    with pytest.raises(ParameterError, match=r"is the cap on social_insurance_subsidy\.rate"):
        policy.with_parameters({"social_insurance_subsidy.rate_cap": "100%"})
    allowed = policy.with_parameters(
        {"social_insurance_subsidy.rate_cap": "100%", "social_insurance_subsidy.rate": "90%"},
        allow_above_cap=True,
    )
    assert allowed.parameters["social_insurance_subsidy.rate"].at(ISSUED) == Fraction(9, 10)


def test_the_allowance_is_kept_by_later_reforms(policy: yp.Policy) -> None:
    """A policy made with allow_above_cap keeps it, so a second reform of it is accepted."""
    first = policy.with_parameters({"social_insurance_subsidy.rate": "70%"}, allow_above_cap=True)
    assert first.above_cap_allowed
    assert not policy.above_cap_allowed
    second = first.with_parameters({"accident_insurance_subsidy.proportion": "50%"})
    assert second.parameters["social_insurance_subsidy.rate"].at(ISSUED) == Fraction(7, 10)
    assert second.above_cap_allowed


# --- Declared units and bounds (issue 11, item 5) ----------------------------------------

MONTHS = "startup_subsidy.operating_months"
PROPORTION = "accident_insurance_subsidy.proportion"
WINDOW = "social_insurance_subsidy.graduate_window_years"
UNTIL = "guaranteed_loan.expanded_scope_until"


def test_every_formula_names_exactly_its_declared_parameters() -> None:
    """Each formula's parameters are the ones declared for it, and every declaration has a formula."""
    from yantai_policy.benefits import BENEFITS  # noqa: PLC0415
    from yantai_policy.benefits.pension_contribution_schedule import _RATE  # noqa: PLC0415

    readers = {name: benefit.parameters for name, benefit in BENEFITS.items()}
    readers["pension_contribution_schedule"] = (_RATE,)
    for formula, names in readers.items():
        assert sorted(declared_by(formula)) == sorted(names), formula
    assert {d.by for d in DECLARED.values()} <= set(readers)


def test_a_formula_that_reads_an_undeclared_parameter_is_refused() -> None:
    """Defining a Benefit whose parameters differ from its declarations is a TypeError."""
    from yantai_policy.benefits.base import Benefit  # noqa: PLC0415
    from yantai_policy.benefits.startup_subsidy import StartupSubsidy  # noqa: PLC0415

    with pytest.raises(TypeError, match="declares"):

        class Spoilt(Benefit[Any, Any]):  # pyright: ignore[reportUnusedClass]
            name = "startup_subsidy"
            specs = StartupSubsidy.specs
            parameters = (AMOUNT, MONTHS, "startup_subsidy.bonus")


def test_the_declarations_fit_the_builtin_plan(policy: yp.Policy) -> None:
    """Each declared parameter is in the plan, in its declared unit, its values within bounds."""
    for name, declared in DECLARED.items():
        param = policy.parameters[name]
        assert param.unit is declared.unit, name
        assert declared.low <= declared.high  # type: ignore[operator]
        assert parse_value(declared.unit, plan_value(declared.unit, declared.high))
        for since, value in param.values:
            assert out_of_bounds(name, param.unit, since, value) is None
        assert declared.why.startswith(("assumption: ", "the notice", "the province")), name


_OUT_OF_BOUNDS = [
    pytest.param(AMOUNT, "10000000.01", "10,000,000.00 yuan", id="yuan"),
    pytest.param(MONTHS, 1201, "1,200 months", id="months"),
    pytest.param(MONTHS, 10**6, "1,200 months", id="a million months"),
    pytest.param(WINDOW, 101, "100 years", id="years"),
    pytest.param(PROPORTION, "3/2", "100%", id="ratio"),
    pytest.param(PROPORTION, 10**50, "100%", id="a ratio of 10^50"),
    pytest.param(RATE, "100.5%", "100%", id="ratio above one"),
    pytest.param(UNTIL, "3000-01-01", "2999-12-31", id="date"),
    pytest.param(UNTIL, "1899-12-31", "1900-01-01", id="date below"),
]


@pytest.mark.parametrize(("name", "value", "bound"), _OUT_OF_BOUNDS)
def test_the_loader_refuses_a_value_outside_its_bounds(
    plan_data: dict[str, Any], name: str, value: object, bound: str
) -> None:
    """A well-formed value past its declared bound is a PolicyDataError naming the value's key."""
    error = _load_error(plan_data, _set(name, "values", {"2022-03-01": value}))
    assert error.path == f"parameters.{name}.values.2022-03-01"
    assert error.reason.startswith(f"{name} = ")
    assert f" from 2022-03-01 is {'below' if 'below' in error.reason else 'above'} " in error.reason
    assert f"its bound {bound} (declared by {DECLARED[name].by}; {DECLARED[name].why})" in (
        error.reason
    )


@pytest.mark.parametrize(("name", "value", "bound"), _OUT_OF_BOUNDS)
def test_with_parameters_refuses_the_same_values_with_the_same_message(
    plan_data: dict[str, Any], policy: yp.Policy, name: str, value: object, bound: str
) -> None:
    """with_parameters and the loader read one declaration: the same refusal, word for word."""
    loaded = _load_error(plan_data, _set(name, "values", {"2022-03-01": value}))
    with pytest.raises(ParameterError) as info:
        policy.with_parameters({name: {"2022-03-01": value}}, allow_above_cap=True)
    assert str(info.value) == loaded.reason
    assert bound in str(info.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (AMOUNT, "10000000.00"),
        (AMOUNT, "0"),
        (MONTHS, 1200),
        (MONTHS, 1),
        (WINDOW, 100),
        (PROPORTION, "100%"),
        (PROPORTION, "1/99999999999999999999999999999999999999999999999999999"),
        (UNTIL, "2999-12-31"),
        (UNTIL, "1900-01-01"),
    ],
)
def test_a_value_at_its_bound_is_accepted(
    plan_data: dict[str, Any], policy: yp.Policy, name: str, value: object
) -> None:
    """The bounds are inclusive, in the loader and in with_parameters."""
    data = copy.deepcopy(plan_data)
    data["parameters"][name]["values"] = {"2022-03-01": value}
    loaded = policy_from_dict(data).parameters[name]
    reformed = policy.with_parameters({name: {"2022-03-01": value}}).parameters[name]
    assert (
        loaded.values
        == reformed.values
        == ((dt.date(2022, 3, 1), parse_value(loaded.unit, value)),)
    )


def test_the_loader_refuses_a_declared_parameter_in_another_unit(
    plan_data: dict[str, Any],
) -> None:
    """A plan whose startup_subsidy.amount is a ratio is refused at its unit."""

    def spoil(params: dict[str, Any]) -> None:
        params[AMOUNT]["unit"] = "ratio"
        params[AMOUNT]["values"] = {"2021-01-11": "50%"}

    error = _load_error(plan_data, spoil)
    assert error.path == f"parameters.{AMOUNT}.unit"
    assert error.reason == f"{AMOUNT} is in ratio here, but startup_subsidy reads it in yuan"


def test_an_undeclared_parameter_has_no_bounds(plan_data: dict[str, Any]) -> None:
    """A parameter no formula reads loads with any value its unit allows."""
    data = copy.deepcopy(plan_data)
    data["parameters"]["other_city.bonus"] = {
        **copy.deepcopy(data["parameters"][AMOUNT]),
        "values": {"2021-01-11": "90000000000000000000.00"},
    }
    loaded = policy_from_dict(data).parameters["other_city.bonus"]
    assert loaded.at(ISSUED) == Decimal("90000000000000000000.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            "abc", "overrides must be a mapping of parameter names to values, not str", id="str"
        ),
        pytest.param(
            [AMOUNT],
            "overrides must be a mapping of parameter names to values, not list",
            id="list",
        ),
        pytest.param(None, "not NoneType", id="None"),
        pytest.param({5: "1"}, "parameter names are strings, not int: 5", id="int name"),
        pytest.param({None: "1"}, "parameter names are strings, not NoneType", id="None name"),
        pytest.param({(AMOUNT,): "1"}, "parameter names are strings, not tuple", id="tuple name"),
        pytest.param({AMOUNT: {20210111: "1"}}, f"{AMOUNT}: invalid date 20210111", id="int key"),
        pytest.param(
            {AMOUNT: {"2021-02-30": "1"}}, f"{AMOUNT}: invalid date '2021-02-30'", id="no such day"
        ),
        pytest.param(
            {AMOUNT: {"20210111": "1"}}, f"{AMOUNT}: invalid date '20210111'", id="basic ISO"
        ),
        pytest.param(
            {AMOUNT: {"2021-W02-1": "1"}}, f"{AMOUNT}: invalid date '2021-W02-1'", id="ISO week"
        ),
        pytest.param({AMOUNT: {"2021-01-11\n": "1"}}, f"{AMOUNT}: invalid date", id="newline"),
        pytest.param(
            {AMOUNT: {dt.datetime(2021, 1, 11, tzinfo=dt.UTC): "1"}},
            f"{AMOUNT}: invalid date datetime",
            id="datetime",
        ),
        pytest.param({AMOUNT: {None: "1"}}, f"{AMOUNT}: invalid date None", id="None key"),
        pytest.param(
            {AMOUNT: {"2021-01-11": "1", dt.date(2021, 1, 11): "2"}},
            f"{AMOUNT}: two values from 2021-01-11",
            id="one day twice",
        ),
        pytest.param({AMOUNT: True}, f"{AMOUNT}: expected a yuan value, got a boolean", id="bool"),
        pytest.param({AMOUNT: float("nan")}, f"{AMOUNT}: floats are not exact", id="NaN"),
        pytest.param({AMOUNT: Decimal("NaN")}, f"{AMOUNT}: expected a number", id="Decimal NaN"),
        pytest.param(
            {AMOUNT: [1]},
            f"{AMOUNT}: expected a number written as a string, got list",
            id="list value",
        ),
        pytest.param(
            {MONTHS: [1]}, f"{MONTHS}: expected a positive whole number of months", id="list months"
        ),
        pytest.param({UNTIL: [1]}, f"{UNTIL}: expected a date, got list", id="list date"),
        pytest.param(
            {AMOUNT: 10**5000},
            f"{AMOUNT}: expected a number of at most 60 digits, got about 10^5000",
            id="10^5000 yuan",
        ),
        pytest.param(
            {MONTHS: 10**5000},
            f"{MONTHS}: expected a number of at most 60 digits, got about 10^5000",
            id="10^5000 months",
        ),
        pytest.param(
            {PROPORTION: 10**5000},
            f"{PROPORTION}: expected a number of at most 60 digits",
            id="ratio of 10^5000",
        ),
        pytest.param(
            {PROPORTION: Fraction(1, 10**5000)},
            f"{PROPORTION}: expected a number of at most 60 digits, got Fraction whose denominator is about 10^5000",
            id="ratio of 1/10^5000",
        ),
    ],
)
def test_with_parameters_refuses_bad_arguments_with_a_parameter_error(
    policy: yp.Policy,
    overrides: Any,
    message: str,
) -> None:
    """Every bad argument is a ParameterError with a clear message, never an error from inside."""
    with pytest.raises(ParameterError) as info:
        policy.with_parameters(overrides)
    assert type(info.value) is ParameterError
    assert message in str(info.value)
    assert len(str(info.value)) < 300


def test_with_parameters_takes_any_mapping(policy: yp.Policy) -> None:
    """A read-only mapping is a mapping: of overrides, and of dated values."""
    from types import MappingProxyType  # noqa: PLC0415

    reform = policy.with_parameters(
        MappingProxyType({AMOUNT: MappingProxyType({"2022-01-01": "6000"})})
    )
    assert reform.parameters[AMOUNT].values == ((dt.date(2022, 1, 1), Decimal("6000.00")),)


def test_a_plan_without_a_formulas_parameters_still_decides(other_city_path: Path) -> None:
    """Another city's plan with no parameters: each decision is worded, none lists a parameter."""
    from yantai_policy import benefits  # noqa: PLC0415

    other = yp.load_policy(other_city_path)
    assert len(other.parameters) == 0
    on = other.notice.issued_on + dt.timedelta(days=400)
    record = {"id": "A1", "business_type": "individual_business", "operating": True}
    for name in benefits.APPLICANT_BENEFITS:
        decision = benefits.evaluate(name, record, on=on, policy=other)
        assert decision.parameters == ()
        assert decision.explain()
    placement = benefits.evaluate("labour_intermediary_subsidy", {"id": "P1"}, on=on, policy=other)
    assert placement.parameters == ()


@pytest.mark.parametrize(
    "value", [10**5000, Fraction(1, 10**5000), 10**61], ids=["10^5000", "1/10^5000", "10^61"]
)
def test_the_loader_refuses_a_figure_of_over_60_digits_at_its_key(
    plan_data: dict[str, Any], value: object
) -> None:
    """A 5,000-digit value in a plan dict is a PolicyDataError at its key, not a ValueError."""
    error = _load_error(plan_data, _set(AMOUNT, "values", {"2021-01-11": value}))
    assert error.path == f"parameters.{AMOUNT}.values.2021-01-11"
    assert error.reason.startswith("expected a number of at most 60 digits, got ")
