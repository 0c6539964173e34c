"""read_applicants: CSV, JSONL and Parquet registers read as the record contract reads them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from yantai_policy import benefits
from yantai_policy.benefits.frame import FRAME_BENEFITS, evaluate_frame, read_applicants
from yantai_policy.benefits.records import applicant_from_csv_row
from yantai_policy.errors import PolicyError

if TYPE_CHECKING:
    import pandas as pd

ON = dt.date(2021, 8, 1)
CSV = (
    "id,groups,business_type,first_license_on,operating,pays_employee_insurance,"
    "flexible_since,left_school_on,contributions,tax_due.vat,loan.kind,loan.amount,x_note\n"
    "007,,individual_business,2021-01-15,true,yes,,,,1200.5,individual,150000,keep\n"
    "8,graduate;hard_to_employ,,,,,2021-03-10,2020-07-01,2021-03:512.30;2021-04:512.30,,,,\n"
    " 9 ,farmer,,,0,no,,,,,,,\n"
)


def outcomes(result: pd.DataFrame) -> list[list[tuple[bool, object]]]:
    """Each row's (eligible, amount) per benefit."""
    return [
        [(bool(row[f"{n}.eligible"]), row[f"{n}.amount"]) for n in FRAME_BENEFITS]
        for _, row in result.iterrows()
    ]


def reference(records: list[dict[str, Any]]) -> list[list[tuple[bool, object]]]:
    """evaluate_many's (eligible, amount) per benefit, for the same records."""
    out: list[list[tuple[bool, object]]] = []
    for row in benefits.evaluate_many(records, on=ON, benefits=list(FRAME_BENEFITS)):
        assert row.error is None, row.error
        out.append([(o.eligible, o.amount) for o in row.outcomes])
    return out


def test_csv_cells_are_read_as_the_csv_reader_reads_them(tmp_path: Path) -> None:
    """Ids and amounts stay text, booleans and lists are the CSV contract's, and results agree."""
    path = tmp_path / "register.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")  # a BOM, as spreadsheets write
    df = read_applicants(path)
    assert df["id"].tolist() == ["007", "8", "9"]  # stripped, as the CSV reader strips
    assert df["tax_due.vat"].tolist() == ["1200.5", None, None]
    assert df["operating"].tolist() == [True, None, False]
    assert df["groups"].tolist() == [None, ["graduate", "hard_to_employ"], ["farmer"]]
    assert df["contributions"].iloc[1] == [
        {"month": "2021-03", "amount": "512.30"},
        {"month": "2021-04", "amount": "512.30"},
    ]
    with path.open(encoding="utf-8-sig", newline="") as source:
        records = [applicant_from_csv_row(row) for row in csv.DictReader(source)]
    assert outcomes(evaluate_frame(df, ON)) == reference(records)


def test_jsonl_keeps_the_values_as_given(tmp_path: Path) -> None:
    """Integers stay integers where other rows lack them, and fractions are Decimals."""
    records: list[dict[str, Any]] = [
        {"id": 1, "business_type": "enterprise", "first_license_on": "2021-01-15"},
        {
            "id": 2,
            "groups": ["hard_to_employ"],
            "flexible_since": "2021-02-01",
            "contributions": [{"month": "2021-02", "amount": 1000.5}],
            "tax_due": {"vat": "10"},
        },
        {"id": "C3", "loan": {"kind": "individual", "amount": 150000}},
    ]
    path = tmp_path / "register.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n", encoding="utf-8")
    df = read_applicants(path)
    assert df["id"].tolist() == [1, 2, "C3"]
    assert df["contributions"].iloc[1] == [{"month": "2021-02", "amount": Decimal("1000.5")}]
    assert df["business_type"].tolist() == ["enterprise", None, None]
    assert outcomes(evaluate_frame(df, ON)) == reference(records)


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    """A line that is not a JSON object names its line."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "A"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="line 2: expected a JSON object"):
        read_applicants(path)
    path.write_text('{"id": "A"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(PolicyError, match="line 2: invalid JSON"):
        read_applicants(path)


def test_parquet_lists_of_structs_and_nullable_integers(tmp_path: Path) -> None:
    """Parquet lists of structs, dates and integers with nulls read without floats."""
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "groups": pa.array([["hard_to_employ"], None, ["graduate"]]),
            "flexible_since": pa.array([dt.date(2021, 2, 1), None, dt.date(2021, 3, 10)]),
            "left_school_on": pa.array([None, None, dt.date(2020, 7, 1)], pa.date32()),
            "contributions": pa.array(
                [[{"month": "2021-02", "amount": "1000"}], None, []],
                pa.list_(pa.struct([("month", pa.string()), ("amount", pa.string())])),
            ),
            "loan.kind": pa.array([None, "individual", None]),
            "loan.amount": pa.array([None, 150000, None], pa.int64()),
        }
    )
    path = tmp_path / "register.parquet"
    pq.write_table(table, path)
    df = read_applicants(path)
    assert df["loan.amount"].tolist() == [None, 150000, None]  # not 150000.0
    records = [
        {"id": 1, "groups": ["hard_to_employ"], "flexible_since": "2021-02-01"}
        | {"contributions": [{"month": "2021-02", "amount": "1000"}]},
        {"id": 2, "loan": {"kind": "individual", "amount": "150000"}},
        {"id": 3, "groups": ["graduate"], "flexible_since": "2021-03-10"}
        | {"left_school_on": "2020-07-01", "contributions": []},
    ]
    assert outcomes(evaluate_frame(df, ON)) == reference(records)


def test_unknown_suffix(tmp_path: Path) -> None:
    """A file named neither .csv, .jsonl nor .parquet is refused by name."""
    with pytest.raises(PolicyError, match=r"name it \.csv, \.jsonl or \.parquet"):
        read_applicants(tmp_path / "register.xlsx")


def test_csv_cell_the_reader_refuses_is_kept_for_its_row(tmp_path: Path) -> None:
    """A boolean that is neither true nor false stays text, and evaluate_frame reports its row."""
    path = tmp_path / "bad.csv"
    path.write_text("id,operating\nA,true\nB,maybe\n", encoding="utf-8")
    df = read_applicants(path)
    assert df["operating"].tolist() == [True, "maybe"]
    out = evaluate_frame(df, ON, errors="column")
    assert out["error"].tolist() == [None, "row 2: operating: expected true or false, got 'maybe'"]
