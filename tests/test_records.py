"""The record contract: bad applicant and placement records, CSV rows, and the JSON Schemas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from yantai_policy.benefits import records
from yantai_policy.benefits.records import (
    APPLICANT_FIELDS,
    PLACEMENT_FIELDS,
    Applicant,
    Placement,
    RecordError,
    applicant_from_csv_row,
    parse_applicant,
    parse_fen,
    parse_placement,
)
from yantai_policy.errors import PolicyError


def _error(record: object, parse: Any = parse_applicant) -> RecordError:
    """Return the RecordError that parsing the record raises."""
    with pytest.raises(RecordError) as caught:
        parse(record)
    return caught.value


def _amount_record(where: str, amount: object) -> dict[str, Any]:
    """Return a record with ``amount`` in one of the four places amounts go."""
    if where == "contributions":
        return {"id": "A", "contributions": [{"month": "2021-03", "amount": amount}]}
    if where == "accident_premiums":
        return {"id": "A", "accident_premiums": [{"paid_on": "2021-03-01", "amount": amount}]}
    if where == "tax_due":
        return {"id": "A", "tax_due": {"urban_maintenance": amount}}
    return {"id": "A", "loan": {"kind": "individual", "amount": amount}}


AMOUNT_FIELDS = {
    "contributions": "contributions[0].amount",
    "accident_premiums": "accident_premiums[0].amount",
    "tax_due": "tax_due.urban_maintenance",
    "loan": "loan.amount",
}
VALID: dict[str, Any] = {
    "id": "A1",
    "groups": ["graduate", "veteran"],
    "left_school_on": "2020-07-01",
    "flexible_since": "2021-02-15",
    "platform": "express",
    "employment_registered": True,
    "business_type": "individual_business",
    "first_license_on": "2021-03-15",
    "operating": True,
    "pays_employee_insurance": False,
    "startup_subsidy_received": False,
    "contributions": [
        {"month": "2021-03", "amount": "512.30"},
        {"month": "2021-02", "amount": 500},
    ],
    "accident_premiums": [{"paid_on": "2021-03-01", "amount": "60"}],
    "injury_pilot_covered": False,
    "tax_due": {"vat": "1000.5", "individual_income": 20},
    "loan": {"kind": "partnership", "amount": "600000.00"},
    "x_source": "crm",
}


# --- A wrong type in every field -------------------------------------------------------

WRONG_TYPES: dict[str, list[object]] = {
    "id": ["", [], {"a": 1}, 1.5, True, None],
    "groups": ["graduate", {"graduate": True}, 1, True],
    "left_school_on": [20200701, True, ["2020-07-01"], dt.datetime(2020, 7, 1, tzinfo=dt.UTC)],
    "flexible_since": [20210215, False, {"on": "2021-02-15"}],
    "platform": [1, "", "   ", True, ["express"]],
    "employment_registered": ["true", 1, 0, "yes", []],
    "business_type": [1, True, ["individual_business"], {"kind": "enterprise"}],
    "first_license_on": [2021, 1.5, ["2021-03-15"]],
    "operating": ["false", 0, 1.0],
    "pays_employee_insurance": ["no", 1, {}],
    "startup_subsidy_received": ["True", 0],
    "contributions": [{"month": "2021-03", "amount": "1"}, "2021-03:1", 5, True],
    "accident_premiums": [{"paid_on": "2021-03-01", "amount": "1"}, "2021-03-01:1", 1.5],
    "injury_pilot_covered": ["false", 0],
    "tax_due": [[], "1000", 5, [["vat", "1"]]],
    "loan": [[], "individual", 200000, ["individual", 1]],
    "training_completed_on": [20210301, True, ["2021-03-01"]],
    "training_certificate": ["true", 1],
    "pilot_area": ["yes", 0, []],
    "platform_occupation": [1, True, "driver", ["delivery_rider"]],
}


def test_wrong_types_cover_every_applicant_field() -> None:
    """The wrong-type table below has entries for every field of the applicant contract."""
    assert set(WRONG_TYPES) == set(APPLICANT_FIELDS)
    assert all(WRONG_TYPES.values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param(field, value, id=f"{field}-{type(value).__name__}-{index}")
        for field, values in WRONG_TYPES.items()
        for index, value in enumerate(values)
    ],
)
def test_wrong_type_names_the_field(field: str, value: object) -> None:
    """A wrong type in any applicant field gives a RecordError whose field names it."""
    error = _error({**VALID, field: value})
    assert error.field == field
    assert str(error).startswith(f"{field}: ")
    assert error.row is None
    assert isinstance(error, PolicyError)
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("record", "field"),
    [
        pytest.param({"id": "A", "groups": [1]}, "groups[0]", id="group-int"),
        pytest.param({"id": "A", "groups": ["graduate", None]}, "groups[1]", id="group-null"),
        pytest.param({"id": "A", "contributions": ["2021-03:1"]}, "contributions[0]", id="c-str"),
        pytest.param(
            {"id": "A", "contributions": [{"month": 202103, "amount": "1"}]},
            "contributions[0].month",
            id="c-month-int",
        ),
        pytest.param(
            {"id": "A", "contributions": [{"month": "2021-03", "amount": ["1"]}]},
            "contributions[0].amount",
            id="c-amount-list",
        ),
        pytest.param(
            {"id": "A", "accident_premiums": [{"paid_on": 20210301, "amount": "1"}]},
            "accident_premiums[0].paid_on",
            id="p-date-int",
        ),
        pytest.param(
            {"id": "A", "accident_premiums": [[]]}, "accident_premiums[0]", id="p-entry-list"
        ),
        pytest.param({"id": "A", "tax_due": {"vat": None}}, "tax_due.vat", id="tax-null"),
        pytest.param({"id": "A", "loan": {"kind": 1, "amount": "1"}}, "loan.kind", id="kind-int"),
        pytest.param(
            {"id": "A", "loan": {"kind": "individual", "amount": None}},
            "loan.amount",
            id="loan-amount-null",
        ),
        pytest.param(["id", "A"], "", id="record-list"),
        pytest.param("A", "", id="record-str"),
    ],
)
def test_wrong_nested_type_names_the_path(record: object, field: str) -> None:
    """A wrong type inside a list or object gives a RecordError naming the full path."""
    assert _error(record).field == field


# --- Dates, months and amounts ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2021-02-30", "2021-13-01", "2021-00-10", "yesterday", "2021-1-5", "", "2021-02-29"],
)
@pytest.mark.parametrize("field", ["left_school_on", "flexible_since", "first_license_on"])
def test_impossible_dates(field: str, value: str) -> None:
    """An impossible or malformed date gives a RecordError naming the field."""
    error = _error({"id": "A", field: value})
    assert error.field == field
    assert "invalid date" in error.reason


def test_impossible_premium_date() -> None:
    """An impossible premium date names the premium's paid_on."""
    error = _error({"id": "A", "accident_premiums": [{"paid_on": "2021-02-30", "amount": "1"}]})
    assert error.field == "accident_premiums[0].paid_on"


def test_dates_parse() -> None:
    """Valid ISO dates, and date objects, parse to dates (29 February in a leap year too)."""
    applicant = parse_applicant(
        {"id": "A", "left_school_on": "2020-02-29", "first_license_on": dt.date(2021, 3, 15)}
    )
    assert applicant.left_school_on == dt.date(2020, 2, 29)
    assert applicant.first_license_on == dt.date(2021, 3, 15)


@pytest.mark.parametrize(
    "month", ["2021-13", "21-01", "2021-00", "2021-1", "2021/01", "", "2021-01-01", "２０２１-０１"]
)
def test_invalid_months(month: str) -> None:
    """An invalid contribution month gives a RecordError naming contributions[i].month."""
    error = _error(
        {
            "id": "A",
            "contributions": [
                {"month": "2021-01", "amount": "1"},
                {"month": month, "amount": "1"},
            ],
        }
    )
    assert error.field == "contributions[1].month"
    assert "invalid month" in error.reason


def test_months_parse_to_indexes_in_order() -> None:
    """Contribution months parse to month indexes, sorted, with their amounts in fen."""
    applicant = parse_applicant(
        {
            "id": "A",
            "contributions": [
                {"month": "2021-12", "amount": "1.5"},
                {"month": "2021-01", "amount": 2},
            ],
        }
    )
    assert applicant.contributions == ((2021 * 12, 200), (2021 * 12 + 11, 150))


def test_duplicate_months() -> None:
    """A month given twice names the second entry's month, whatever the amounts' types."""
    record = {
        "id": "A",
        "contributions": [{"month": "2021-01", "amount": "1"}, {"month": "2021-01", "amount": 1}],
    }
    error = _error(record)
    assert error.field == "contributions[1].month"
    assert "duplicate month" in error.reason


AMOUNT_PLACES = list(AMOUNT_FIELDS)


@pytest.mark.parametrize(
    "amount", ["-1", -1, "-0.01", Decimal(-1), -0.5, Decimal("-1e2")], ids=repr
)
@pytest.mark.parametrize("where", AMOUNT_PLACES)
def test_negative_amounts(where: str, amount: object) -> None:
    """A negative amount gives a RecordError naming the amount's field."""
    error = _error(_amount_record(where, amount))
    assert error.field == AMOUNT_FIELDS[where]
    assert "negative" in error.reason


@pytest.mark.parametrize(
    "amount", ["1.005", "0.001", 1.005, Decimal("12.345"), "100.999"], ids=repr
)
@pytest.mark.parametrize("where", AMOUNT_PLACES)
def test_amounts_with_three_decimals(where: str, amount: object) -> None:
    """An amount with a third, non-zero decimal place gives a RecordError naming the field."""
    error = _error(_amount_record(where, amount))
    assert error.field == AMOUNT_FIELDS[where]
    assert "more than two decimal places" in error.reason


@pytest.mark.parametrize(
    "amount",
    ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", float("nan"), float("inf")],
    ids=repr,
)
@pytest.mark.parametrize("where", AMOUNT_PLACES)
def test_nan_and_infinity(where: str, amount: object) -> None:
    """NaN and infinite amounts give a RecordError naming the field."""
    error = _error(_amount_record(where, amount))
    assert error.field == AMOUNT_FIELDS[where]


@pytest.mark.parametrize("amount", [True, False], ids=str)
@pytest.mark.parametrize("where", AMOUNT_PLACES)
def test_booleans_are_not_amounts(where: str, amount: bool) -> None:
    """A boolean where an amount is expected gives a RecordError naming the field."""
    error = _error(_amount_record(where, amount))
    assert error.field == AMOUNT_FIELDS[where]
    assert "boolean" in error.reason


@pytest.mark.parametrize(
    "amount", ["", "abc", "1,000", "0x10", "¥5", "1 000", "1.2.3", "--1"], ids=repr
)
def test_strings_that_are_not_amounts(amount: str) -> None:
    """Strings that are not decimal numbers give a RecordError naming the field."""
    assert _error(_amount_record("loan", amount)).field == "loan.amount"


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        (0.1, 10),
        (0.29, 29),
        (512.3, 51230),
        (19.99, 1999),
        (1e-2, 1),
        (1.0, 100),
        (100, 10000),
        (0, 0),
        (Decimal("0.10"), 10),
        (Decimal(7), 700),
        ("512.3", 51230),
        ("0.07", 7),
        ("00012.50", 1250),
        ("1234567890.12", 123456789012),
    ],
    ids=repr,
)
def test_amounts_parse_to_exact_fen(amount: object, fen: int) -> None:
    """Amounts, floats included, parse to exact integer fen (0.1 is 10 fen)."""
    assert parse_fen(amount, "amount") == fen
    applicant = parse_applicant(_amount_record("tax_due", amount))
    assert applicant.tax_due == (("urban_maintenance", fen),)


def test_float_sum_that_is_not_two_places_is_refused() -> None:
    """A float such as 0.1 + 0.2 (0.30000000000000004) is not read as 30 fen."""
    with pytest.raises(RecordError, match="more than two decimal places"):
        parse_fen(0.1 + 0.2, "amount")


def test_contribution_amounts_parse_the_same_on_every_path() -> None:
    """A contribution amount string parses to the same fen the first time and when seen again."""
    for _ in range(2):
        applicant = parse_applicant(
            {
                "id": "A",
                "contributions": [
                    {"month": "2031-07", "amount": "98765.4"},
                    {"month": "2031-08", "amount": "0.05"},
                ],
            }
        )
        assert applicant.contributions == ((2031 * 12 + 6, 9876540), (2031 * 12 + 7, 5))


# --- Unknown fields, values and missing fields ------------------------------------------


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("contribution", "contributions"),
        ("group", "groups"),
        ("first_licence_on", "first_license_on"),
        ("flexible_from", "flexible_since"),
        ("Operating", "operating"),
        ("tax", "tax_due"),
    ],
)
def test_unknown_field_suggests_the_close_one(key: str, suggestion: str) -> None:
    """An unknown field gives a RecordError naming it and suggesting the close field."""
    error = _error({"id": "A", key: "x"})
    assert error.field == key
    assert f"did you mean {suggestion!r}?" in error.reason


def test_unknown_field_without_a_close_one() -> None:
    """An unknown field like no other gives a RecordError without a suggestion."""
    error = _error({"id": "A", "zzzz_qqqq": 1})
    assert error.field == "zzzz_qqqq"
    assert "did you mean" not in error.reason


@pytest.mark.parametrize(
    ("record", "field", "suggestion"),
    [
        pytest.param({"id": "A", "tax_due": {"vatt": "1"}}, "tax_due.vatt", "vat", id="vatt"),
        pytest.param(
            {"id": "A", "tax_due": {"individual_incom": "1"}},
            "tax_due.individual_incom",
            "individual_income",
            id="income",
        ),
        pytest.param(
            {"id": "A", "loan": {"kindd": "individual", "amount": "1"}},
            "loan.kindd",
            "kind",
            id="kindd",
        ),
        pytest.param(
            {"id": "A", "contributions": [{"months": "2021-01", "amount": "1"}]},
            "contributions[0].months",
            "month",
            id="months",
        ),
        pytest.param(
            {"id": "A", "accident_premiums": [{"paid": "2021-01-01", "amount": "1"}]},
            "accident_premiums[0].paid",
            "paid_on",
            id="paid",
        ),
    ],
)
def test_unknown_nested_fields(record: dict[str, Any], field: str, suggestion: str) -> None:
    """An unknown field inside a nested object names its path and suggests the close one."""
    error = _error(record)
    assert error.field == field
    assert f"did you mean {suggestion!r}?" in error.reason


@pytest.mark.parametrize("group", ["student", "Graduate", "retiree", ""])
def test_unknown_group(group: str) -> None:
    """An unknown group gives a RecordError naming groups[i] and listing the groups."""
    error = _error({"id": "A", "groups": ["farmer", group]})
    assert error.field == "groups[1]"
    assert "unknown group" in error.reason
    assert "hard_to_employ" in error.reason


@pytest.mark.parametrize("kind", ["personal", "Individual", "company", ""])
def test_unknown_loan_kind(kind: str) -> None:
    """An unknown loan kind gives a RecordError naming loan.kind."""
    error = _error({"id": "A", "loan": {"kind": kind, "amount": "1"}})
    assert error.field == "loan.kind"
    assert "individual, partnership" in error.reason


def test_unknown_business_type() -> None:
    """An unknown business type gives a RecordError naming business_type."""
    assert _error({"id": "A", "business_type": "company"}).field == "business_type"


@pytest.mark.parametrize(
    ("record", "field"),
    [
        pytest.param({}, "id", id="id"),
        pytest.param({"groups": ["farmer"]}, "id", id="id-with-others"),
        pytest.param({"id": "A", "loan": {"amount": "1"}}, "loan.kind", id="loan-kind"),
        pytest.param({"id": "A", "loan": {"kind": "individual"}}, "loan.amount", id="loan-amount"),
        pytest.param(
            {"id": "A", "contributions": [{"month": "2021-01"}]},
            "contributions[0].amount",
            id="contribution-amount",
        ),
        pytest.param(
            {"id": "A", "accident_premiums": [{"amount": "1"}]},
            "accident_premiums[0].paid_on",
            id="premium-date",
        ),
    ],
)
def test_missing_required_fields(record: dict[str, Any], field: str) -> None:
    """A missing required field gives a RecordError naming it."""
    error = _error(record)
    assert error.field == field
    assert "missing required field" in error.reason


def test_ids() -> None:
    """An id is a non-empty string or an integer (kept as a string)."""
    assert parse_applicant({"id": "A-1"}).id == "A-1"
    assert parse_applicant({"id": 42}).id == "42"


def test_extension_fields_are_kept() -> None:
    """Fields starting x_ are accepted, kept in .extra in order, and ignored by equality."""
    applicant = parse_applicant({"id": "A", "x_note": "hi", "groups": [], "x_n": [1, 2]})
    assert applicant.extra == (("x_note", "hi"), ("x_n", [1, 2]))
    assert applicant == parse_applicant({"id": "A"})
    placement = parse_placement({"id": "P", "x_village": "东村"})
    assert placement.extra == (("x_village", "东村"),)


def test_null_is_absent() -> None:
    """A None value is the same as an absent field."""
    record: dict[str, Any] = dict.fromkeys(APPLICANT_FIELDS)
    record["id"] = "A"
    assert parse_applicant(record) == Applicant(id="A")


def test_valid_record_parses() -> None:
    """A full valid record parses to the expected values."""
    applicant = parse_applicant(VALID)
    assert applicant.groups == frozenset({"graduate", "veteran"})
    assert applicant.flexible_since == dt.date(2021, 2, 15)
    assert applicant.contributions == ((2021 * 12 + 1, 50000), (2021 * 12 + 2, 51230))
    assert applicant.accident_premiums == ((dt.date(2021, 3, 1), 6000),)
    assert applicant.tax_due == (("vat", 100050), ("individual_income", 2000))
    assert applicant.loan == ("partnership", 60000000)
    assert applicant.extra == (("x_source", "crm"),)


# --- CSV rows --------------------------------------------------------------------------


def test_csv_lists() -> None:
    """CSV list cells split on ';', strip spaces and skip empty parts."""
    out = applicant_from_csv_row(
        {
            "id": "A",
            "groups": " graduate ; ;veteran ",
            "contributions": "2021-03:500; 2021-04 : 512.30;",
            "accident_premiums": "2021-03-01:50",
        }
    )
    assert out == {
        "id": "A",
        "groups": ["graduate", "veteran"],
        "contributions": [
            {"month": "2021-03", "amount": "500"},
            {"month": "2021-04", "amount": "512.30"},
        ],
        "accident_premiums": [{"paid_on": "2021-03-01", "amount": "50"}],
    }
    applicant = parse_applicant(out)
    assert applicant.contributions == ((2021 * 12 + 2, 50000), (2021 * 12 + 3, 51230))


@pytest.mark.parametrize(
    ("column", "cell", "field"),
    [
        ("contributions", "2021-03", "contributions[0]"),
        ("contributions", "2021-03:1;2021-04", "contributions[1]"),
        ("accident_premiums", "2021-03-01", "accident_premiums[0]"),
    ],
)
def test_csv_pairs_without_amount(column: str, cell: str, field: str) -> None:
    """A CSV pair without ':amount' is an entry without its amount, named in the contract's order."""
    error = _error({"id": "A", column: cell}, _csv_parse)
    assert (error.field, error.reason) == (f"{field}.amount", "missing required field")


def _csv_parse(row: dict[str, str]) -> Applicant:
    """The CSV path: the row's cells read, then the record parsed."""
    return parse_applicant(applicant_from_csv_row(row))


def test_csv_nested_columns() -> None:
    """CSV columns tax_due.* and loan.* become nested objects."""
    out = applicant_from_csv_row(
        {
            "id": "A",
            "tax_due.vat": " 1000 ",
            "tax_due.individual_income": "20.5",
            "tax_due.urban_maintenance": "",
            "loan.kind": "individual",
            "loan.amount": "150000",
        }
    )
    assert out == {
        "id": "A",
        "tax_due": {"vat": "1000", "individual_income": "20.5"},
        "loan": {"kind": "individual", "amount": "150000"},
    }
    applicant = parse_applicant(out)
    assert applicant.tax_due == (("vat", 100000), ("individual_income", 2050))
    assert applicant.loan == ("individual", 15000000)


def test_csv_unknown_nested_column() -> None:
    """A misspelt nested CSV column is refused by parse_applicant, naming the path."""
    out = applicant_from_csv_row({"id": "A", "loan.kindd": "individual", "loan.amount": "1"})
    assert _error(out).field == "loan.kindd"


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("TRUE", True),
        ("No", False),
        (" yes ", True),
    ],
)
@pytest.mark.parametrize("column", ["operating", "injury_pilot_covered", "employment_registered"])
def test_csv_booleans(column: str, cell: str, value: bool) -> None:
    """CSV boolean cells read true/false, 1/0 and yes/no, in any case."""
    out = applicant_from_csv_row({"id": "A", column: cell})
    assert out[column] is value
    assert getattr(parse_applicant(out), column) is value


@pytest.mark.parametrize("cell", ["maybe", "2", "-1", "on", "truee", "是"])
def test_csv_bad_booleans(cell: str) -> None:
    """A CSV boolean cell that is not true or false gives a RecordError naming the column and cell."""
    error = _error({"id": "A", "operating": cell}, _csv_parse)
    assert (error.field, error.reason) == ("operating", f"expected true or false, got {cell!r}")


def test_csv_empty_cells_are_absent() -> None:
    """Empty, blank and missing CSV cells are absent, not empty strings."""
    out = applicant_from_csv_row(
        {"id": "A", "platform": "", "operating": "   ", "groups": None, "loan.kind": ""}
    )
    assert out == {"id": "A"}
    assert parse_applicant(out) == Applicant(id="A")


def test_csv_extra_cells() -> None:
    """A CSV row with more cells than columns gives a RecordError."""
    row: dict[Any, Any] = {"id": "A", None: ["surplus"]}
    with pytest.raises(RecordError, match="more cells"):
        applicant_from_csv_row(row)


def test_csv_through_dict_reader() -> None:
    """Rows read by csv.DictReader convert and parse, including x_ columns."""
    text = (
        "id,groups,flexible_since,contributions,operating,tax_due.vat,loan.kind,loan.amount,x_note\n"
        "A1,hard_to_employ,2021-02-01,2021-02:1000;2021-03:1000,yes,,,,first\n"
        "A2,graduate;farmer,,,0,12.5,partnership,600000,\n"
    )
    parsed = [
        parse_applicant(applicant_from_csv_row(row)) for row in csv.DictReader(io.StringIO(text))
    ]
    assert parsed[0].groups == frozenset({"hard_to_employ"})
    assert parsed[0].contributions == ((2021 * 12 + 1, 100000), (2021 * 12 + 2, 100000))
    assert parsed[0].operating is True
    assert parsed[0].extra == (("x_note", "first"),)
    assert parsed[0].loan is None
    assert parsed[1].operating is False
    assert parsed[1].tax_due == (("vat", 1250),)
    assert parsed[1].loan == ("partnership", 60000000)
    assert parsed[1].flexible_since is None


def test_csv_placement_row() -> None:
    """A placement CSV row reads its booleans and the contract months as an integer."""
    out = applicant_from_csv_row(
        {
            "id": "P1",
            "rural_labourer": "yes",
            "village_collective_intermediary": "1",
            "employer_in_city": "true",
            "contract_months": "12",
            "employee_insurance_paid": "no",
        }
    )
    placement = parse_placement(out)
    assert placement == Placement(
        id="P1",
        rural_labourer=True,
        village_collective_intermediary=True,
        employer_in_city=True,
        contract_months=12,
        employee_insurance_paid=False,
    )
    bad = applicant_from_csv_row({"id": "P2", "contract_months": "twelve"})
    assert _error(bad, parse_placement).field == "contract_months"


# --- The placement contract ------------------------------------------------------------

PLACEMENT: dict[str, Any] = {
    "id": "P1",
    "rural_labourer": True,
    "village_collective_intermediary": True,
    "employer_in_city": False,
    "contract_months": 12,
    "employee_insurance_paid": True,
}
PLACEMENT_WRONG: dict[str, list[object]] = {
    "id": ["", [], 1.5, False],
    "rural_labourer": ["yes", 1],
    "village_collective_intermediary": ["true", 0],
    "employer_in_city": [1.0, "false"],
    "contract_months": [-1, True, 12.5, 12.0, "12", [12]],
    "employee_insurance_paid": ["no", {}],
}


def test_placement_wrong_types_cover_every_field() -> None:
    """The placement wrong-type table has entries for every placement field."""
    assert set(PLACEMENT_WRONG) == set(PLACEMENT_FIELDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param(field, value, id=f"{field}-{index}")
        for field, values in PLACEMENT_WRONG.items()
        for index, value in enumerate(values)
    ],
)
def test_placement_wrong_type_names_the_field(field: str, value: object) -> None:
    """A wrong type in any placement field gives a RecordError whose field names it."""
    assert _error({**PLACEMENT, field: value}, parse_placement).field == field


def test_placement_unknown_and_missing_fields() -> None:
    """Unknown placement fields are named with a suggestion; a missing id is named."""
    error = _error({"id": "P", "contract_month": 12}, parse_placement)
    assert error.field == "contract_month"
    assert "did you mean 'contract_months'?" in error.reason
    assert _error({"rural_labourer": True}, parse_placement).field == "id"
    # An unknown field is named before a missing id, as evaluate_frame names its columns.
    assert _error({"groups": []}, parse_placement).field == "groups"
    assert _error({"id": "P", "groups": ["farmer"]}, parse_placement).field == "groups"
    assert _error([PLACEMENT], parse_placement).field == ""


def test_placement_parses() -> None:
    """A valid placement parses; a zero-month contract and nulls are accepted."""
    assert parse_placement(PLACEMENT) == Placement(
        id="P1",
        rural_labourer=True,
        village_collective_intermediary=True,
        employer_in_city=False,
        contract_months=12,
        employee_insurance_paid=True,
    )
    assert parse_placement({"id": 7, "contract_months": 0}).contract_months == 0
    assert parse_placement(dict.fromkeys(PLACEMENT_FIELDS) | {"id": "P"}) == Placement(id="P")


# --- The JSON Schemas ------------------------------------------------------------------

APPLICANT_VALIDATOR = Draft202012Validator(records.applicant_schema())
PLACEMENT_VALIDATOR = Draft202012Validator(records.placement_schema())


def test_schemas_are_valid_draft_2020_12() -> None:
    """Both record schemas are valid JSON Schema (draft 2020-12) and list every field."""
    for schema, fields in (
        (records.applicant_schema(), APPLICANT_FIELDS),
        (records.placement_schema(), PLACEMENT_FIELDS),
    ):
        Draft202012Validator.check_schema(schema)
        assert set(schema["properties"]) == set(fields)
        assert schema["required"] == ["id"]


VALID_RECORDS: list[dict[str, Any]] = [
    {"id": "A"},
    {"id": 7},
    {**VALID, "contributions": [{"month": "2021-03", "amount": "512.30"}]},
    {"id": "B", "groups": [], "contributions": [], "accident_premiums": [], "tax_due": {}},
    {"id": "C", "loan": {"kind": "individual", "amount": 150000}, "x_any": {"nested": [1]}},
    {"id": "D", "operating": None, "business_type": None, "employment_registered": None},
    {"id": "E", "tax_due": {"vat": "0", "individual_income": 12}, "platform": "其他平台"},
    {"id": "F", "accident_premiums": [{"paid_on": "2024-02-29", "amount": "100.5"}]},
]


@pytest.mark.parametrize("record", VALID_RECORDS, ids=lambda r: str(r["id"]))
def test_valid_records_validate(record: dict[str, Any]) -> None:
    """Records that parse also validate against the applicant schema."""
    parse_applicant(record)
    errors = [e.message for e in APPLICANT_VALIDATOR.iter_errors(record)]
    assert errors == []


TYPE_REJECTED: list[Any] = [
    {"id": "A", "groups": "graduate"},
    {"id": "A", "groups": [1]},
    {"id": "A", "operating": "true"},
    {"id": "A", "operating": 1},
    {"id": "A", "left_school_on": 20200701},
    {"id": "A", "platform": 5},
    {"id": "A", "platform": ""},
    {"id": "A", "business_type": 1},
    {"id": "A", "contributions": {"month": "2021-03", "amount": "1"}},
    {"id": "A", "contributions": [{"month": 202103, "amount": "1"}]},
    {"id": "A", "accident_premiums": [{"paid_on": "2021-03-01", "amount": True}]},
    {"id": "A", "tax_due": [["vat", "1"]]},
    {"id": "A", "tax_due": {"vat": False}},
    {"id": "A", "loan": {"kind": "individual", "amount": True}},
    {"id": "A", "loan": "individual"},
    {"id": []},
    {"id": True},
    {"id": ""},
    {"id": "A", "contributions": [{"month": "2021-03", "amount": "-1"}]},
    {"id": "A", "contributions": [{"month": "2021-03", "amount": -1}]},
    {"id": "A", "contributions": [{"month": "2021-13", "amount": "1"}]},
    {"id": "A", "tax_due": {"vat": "1.005"}},
    {"id": "A", "contribution": []},
    {"id": "A", "loan": {"kindd": "individual", "amount": "1"}},
    {"groups": []},
    ["A"],
]


@pytest.mark.parametrize("record", TYPE_REJECTED, ids=repr)
def test_schema_rejects_what_the_parser_rejects(record: Any) -> None:
    """Records that parse_applicant rejects for type (and shape) reasons the schema rejects too."""
    with pytest.raises(RecordError):
        parse_applicant(record)
    assert not APPLICANT_VALIDATOR.is_valid(record)


@pytest.mark.parametrize(
    ("record", "valid"),
    [
        pytest.param(PLACEMENT, True, id="valid"),
        pytest.param({"id": "P", "contract_months": None}, True, id="null-months"),
        pytest.param({"id": "P", "contract_months": True}, False, id="bool-months"),
        pytest.param({"id": "P", "contract_months": -1}, False, id="negative-months"),
        pytest.param({"id": "P", "contract_months": "12"}, False, id="string-months"),
        pytest.param({"id": "P", "rural_labourer": "yes"}, False, id="string-bool"),
        pytest.param({"id": "P", "contract_month": 12}, False, id="unknown"),
        pytest.param({"id": "P", "x_note": 1}, True, id="extension"),
        pytest.param({"rural_labourer": True}, False, id="no-id"),
    ],
)
def test_placement_schema_agrees_with_the_parser(record: dict[str, Any], valid: bool) -> None:
    """The placement schema accepts exactly the placements the parser accepts (these cases)."""
    assert PLACEMENT_VALIDATOR.is_valid(record) is valid
    if valid:
        parse_placement(record)
    else:
        with pytest.raises(RecordError):
            parse_placement(record)


# --- Library bugs these tests expose (see the report) ----------------------------------


def test_unhashable_group_names_give_a_record_error() -> None:
    """A list or object inside groups gives a RecordError naming groups[i], not a TypeError."""
    for value in (["graduate"], {"name": "graduate"}):
        error = _error({"id": "A", "groups": ["farmer", value]})
        assert error.field == "groups[1]"


def test_numeric_amounts_that_parse_validate() -> None:
    """Numeric amounts with two decimals (512.3, 0.29, 19.99) that parse also validate."""
    rejected = []
    for amount in (0.1, 0.29, 512.3, 19.99, 1.15, 100.5):
        record = _amount_record("contributions", amount)
        parse_applicant(record)
        if not APPLICANT_VALIDATOR.is_valid(record):
            rejected.append(amount)
    assert rejected == []


def test_null_optional_fields_validate() -> None:
    """Null optional fields, which parse_applicant treats as absent, validate against the schema."""
    rejected = []
    for field in APPLICANT_FIELDS[1:]:
        record = {"id": "A", field: None}
        parse_applicant(record)
        if not APPLICANT_VALIDATOR.is_valid(record):
            rejected.append(field)
    assert rejected == []


def test_dates_must_be_yyyy_mm_dd() -> None:
    """Dates in other ISO 8601 forms (20210215, 2021-W05-1) are refused, as the contract says."""
    accepted = []
    for value in ("20210215", "2021-W05-1", "2021W051"):
        record = {"id": "A", "first_license_on": value}
        assert not APPLICANT_VALIDATOR.is_valid(record)
        try:
            parse_applicant(record)
        except RecordError:
            continue
        accepted.append(value)
    assert accepted == []


def test_amount_strings_outside_the_contract_are_refused() -> None:
    """Amount strings the schema refuses (exponents, full-width digits, signs, 3 places) are refused."""
    accepted = []
    for value in ("1e2", "１２", "+5", "1.", ".5", "1.000", "2.500"):
        record = _amount_record("loan", value)
        if value.isascii():  # Python's re reads the schema's \d as any Unicode digit
            assert not APPLICANT_VALIDATOR.is_valid(record)
        try:
            parse_applicant(record)
        except RecordError:
            continue
        accepted.append(value)
    assert accepted == []


@pytest.mark.parametrize("day", ["1899-12-31", "3000-01-01", "9999-02-01"])
def test_dates_outside_the_supported_range_are_refused(day: str) -> None:
    """Dates before 1900 or after 2999 are refused, so no period runs past year 9999."""
    error = _error({**VALID, "flexible_since": day})
    assert error.field == "flexible_since"
    assert "outside 1900-2999" in error.reason


@pytest.mark.parametrize("where", ["contributions", "loan"])
def test_amounts_with_too_many_digits_are_refused(where: str) -> None:
    """A 5,000-digit amount is a RecordError, not Python's int-conversion limit."""
    huge = "9" * 5000 + ".00"
    record: dict[str, Any] = {"id": "A"}
    if where == "loan":
        record["loan"] = {"kind": "individual", "amount": huge}
    else:
        record["contributions"] = [{"month": "2021-01", "amount": huge}]
    error = _error(record)
    assert error.field.endswith("amount")
    assert "too large" in error.reason


def test_record_error_pickles_with_its_field_and_row() -> None:
    """A RecordError survives pickling (worker processes send them back) with field and row."""
    import pickle  # noqa: PLC0415

    error = RecordError("invalid date 'x'", field="left_school_on", row=7)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.reason, copy.field, copy.row, str(copy)) == (
        error.reason,
        error.field,
        error.row,
        "row 7: left_school_on: invalid date 'x'",
    )
