"""Tests of the chunk reader: dicts straight into columns, equal to parsing them one by one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_benefit_properties import applicants as valid_applicants
from test_hostile import FIELDS, HOSTILE_VALUES
from yantai_policy import benefits
from yantai_policy.benefits import columns
from yantai_policy.benefits.reading import applicant_chunk
from yantai_policy.benefits.records import RecordError, parse_applicant

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_columns(left: columns.Applicants, right: columns.Applicants) -> None:
    """Assert two batches of columns hold the same records, field by field."""
    assert left.n == right.n
    assert np.array_equal(left.groups, right.groups)
    for name in columns.DATES:
        assert np.array_equal(left.dates[name], right.dates[name], equal_nan=True), name
    for name in columns.FLAGS:
        assert np.array_equal(left.flags[name], right.flags[name]), name
    assert np.array_equal(left.platform, right.platform)
    assert np.array_equal(left.business_type, right.business_type)
    assert np.array_equal(left.platform_occupation, right.platform_occupation)
    none = np.zeros(left.n, np.int64)  # a tax no record gives is nothing due
    for tax in {*left.tax_due, *right.tax_due}:
        assert np.array_equal(left.tax_due.get(tax, none), right.tax_due.get(tax, none)), tax
    assert np.array_equal(left.loan_kind, right.loan_kind)
    assert np.array_equal(left.loan_fen, right.loan_fen)
    for a, b in ((left.contributions, right.contributions), (left.premiums, right.premiums)):
        assert np.array_equal(a.month_keys() if a.table is not None else a.keys, b.keys)
        assert np.array_equal(a.fen, b.fen)
        assert np.array_equal(a.rows(), b.rows())


def parsed_or_none(record: object) -> Any:
    """Parse a record, or None where the contract refuses it."""
    try:
        return parse_applicant(record)  # type: ignore[arg-type]
    except RecordError:
        return None


def check_chunk(records: list[Any]) -> None:
    """The reader takes only records the contract accepts, and reads them as parsing would."""
    x, positions, ids = applicant_chunk(records)
    parsed = [parsed_or_none(records[i]) for i in positions]
    assert all(p is not None for p in parsed), "the reader took a record the contract refuses"
    assert ids == [p.id for p in parsed]
    assert positions == sorted(positions)
    assert_same_columns(x, columns.applicants(parsed))


@SETTINGS
@given(st.lists(valid_applicants(), max_size=12))
def test_reader_takes_valid_records_as_parsed(records: list[dict[str, Any]]) -> None:
    """Valid records with string ids and no x_ fields are all read, equal to their parse."""
    _, positions, _ = applicant_chunk(records)
    expected = [
        i
        for i, r in enumerate(records)
        if isinstance(r["id"], str) and not any(k.startswith("x_") for k in r)
    ]
    assert positions == expected
    check_chunk(records)


@SETTINGS
@given(
    st.lists(
        st.dictionaries(FIELDS | st.sampled_from(["id"]), HOSTILE_VALUES, max_size=6).map(
            lambda r: {"id": "A", **r}
        ),
        max_size=12,
    )
)
def test_reader_leaves_hostile_records_to_the_parser(records: list[dict[str, Any]]) -> None:
    """Hostile values never crash the reader, and every record it takes parses the same."""
    check_chunk(records)


def test_reader_leaves_odd_shapes_to_the_parser() -> None:
    """Unhashable months and amounts, duplicate months and huge amounts go to the parser."""
    records: list[Any] = [
        {"id": "a", "contributions": [{"month": ["2021-03"], "amount": "1"}]},
        {"id": "b", "tax_due": {"vat": ["1"]}},
        {"id": "c", "contributions": [{"month": "2021-03", "amount": "1"}] * 2},
        {"id": "d", "loan": {"kind": "individual", "amount": "99999999999999"}},
        {"id": 7},
        "not a record",
        {"id": "f", "groups": ["graduate;veteran"]},  # after the same names as a list
        {"id": "g", "groups": ["graduate"], "contributions": [{"month": "2021-03", "amount": "1"}]},
    ]
    applicant_chunk([{"id": "e", "groups": ["graduate", "veteran"]}])
    _, positions, _ = applicant_chunk(records)
    assert positions == [7]
    rows = list(benefits.evaluate_many(records, on=dt.date(2021, 6, 1)))
    assert [r.row for r in rows] == list(range(1, 9))
    assert [r.error is None for r in rows] == [False, False, False, False, True, False, False, True]
    assert rows[2].error is not None
    assert "duplicate month 2021-03" in str(rows[2].error)
    assert rows[3].error is not None
    assert str(rows[3].error).startswith("row 4: loan.amount: amount 99999999999999 is too large")
