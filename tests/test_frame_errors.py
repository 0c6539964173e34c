"""evaluate_frame(errors="column"): a bad row gets its error, and every other row is evaluated."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

from yantai_policy.benefits.frame import FRAME_BENEFITS, evaluate_frame
from yantai_policy.benefits.records import RecordError
from yantai_policy.errors import PolicyError

ON = dt.date(2021, 8, 1)
MONTHS = ["2021-02", "2021-03", "2021-04"]


def good_row(i: int) -> dict[str, Any]:
    """An applicant that several benefits grant, varied by ``i``."""
    return {
        "id": f"P{i}",
        "groups": ["hard_to_employ", "graduate", "farmer"][i % 3],
        "business_type": ["individual_business", "enterprise"][i % 2],
        "first_license_on": f"2021-01-{1 + i % 28:02d}",
        "operating": True,
        "pays_employee_insurance": i % 5 != 0,
        "flexible_since": "2021-02-01",
        "left_school_on": "2020-07-01",
        "tax_due.vat": f"{100 + i}.50",
        "loan.kind": "individual" if i % 4 == 0 else None,
        "loan.amount": "150000" if i % 4 == 0 else None,
        "platform": "Meituan" if i % 7 == 0 else None,
    }


def register(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` good applicants and their long contributions frame."""
    df = pd.DataFrame([good_row(i) for i in range(n)])
    paid = pd.DataFrame(
        [
            {"id": f"P{i}", "month": month, "amount": f"{500 + i % 9}.30"}
            for i in range(n)
            for month in MONTHS
        ]
    )
    return df, paid


# One way to break a row per column (the cell, or the long frame's row), and the value.
BREAKS: list[tuple[str, Any]] = [
    ("id", None),
    ("id", ""),
    ("groups", "graduate;nobody"),
    ("business_type", "shop"),
    ("first_license_on", "2021-02-30"),
    ("operating", "maybe"),  # not a boolean, nor a CSV cell of one
    ("pays_employee_insurance", 1),
    ("flexible_since", "yesterday"),
    ("tax_due.vat", "-3"),
    ("tax_due.vat", "1.005"),
    ("loan.amount", None),  # a loan kind without an amount
    ("platform", "  "),
    ("paid.amount", "ten"),
    ("paid.month", "2021-13"),
    ("paid.month", "2021-02"),  # a month given twice
]


def broken(
    df: pd.DataFrame, paid: pd.DataFrame, breaks: dict[int, tuple[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames with row ``i`` broken as ``breaks[i]`` says."""
    df, paid = df.astype(object), paid.copy()
    orphans = []
    for row, (column, value) in breaks.items():
        if column.startswith("paid."):
            paid.loc[3 * row + 1, column.removeprefix("paid.")] = value
        elif column == "loan.amount":
            df.loc[row, "loan.kind"] = "individual"
            df.loc[row, "loan.amount"] = None
        else:
            df.loc[row, column] = value
        if column == "id":  # a long frame's row must name an applicant of the frame
            orphans.append(f"P{row}")
    return df, paid[~paid["id"].isin(orphans)].reset_index(drop=True)


def outcome_columns(out: pd.DataFrame) -> list[str]:
    """The benefit columns of a result."""
    return [c for c in out.columns if c.split(".")[0] in FRAME_BENEFITS]


def test_each_bad_row_gets_the_error_raise_would_give() -> None:
    """Each bad row's error is str() of the RecordError the same break alone raises."""
    df, paid = register(len(BREAKS) + 5)
    # The broken ids last: their applicants' long rows are dropped, after all the others.
    breaks = dict(enumerate(sorted(BREAKS, key=lambda spec: spec[0] == "id")))
    bad_df, bad_paid = broken(df, paid, breaks)
    out = evaluate_frame(bad_df, ON, contributions=bad_paid, errors="column")
    for row, spec in breaks.items():
        alone_df, alone_paid = broken(df, paid, {row: spec})
        with pytest.raises(RecordError) as caught:
            evaluate_frame(alone_df, ON, contributions=alone_paid)
        assert out["error"].iloc[row] == str(caught.value), spec
    assert out["error"].iloc[len(BREAKS) :].isna().all()


def test_other_rows_are_evaluated_as_without_the_bad_ones() -> None:
    """The good rows' results equal those of the frame without the bad rows."""
    df, paid = register(60)
    rng = random.Random(3)  # noqa: S311 - test data, not secrets
    breaks = {row: rng.choice(BREAKS) for row in rng.sample(range(60), 25)}
    bad_df, bad_paid = broken(df, paid, breaks)
    out = evaluate_frame(bad_df, ON, contributions=bad_paid, errors="column")
    assert set(np.flatnonzero(out["error"].notna().to_numpy())) == set(breaks)
    good = [row for row in range(60) if row not in breaks]
    good_ids = set(df["id"].iloc[good])
    clean = evaluate_frame(
        df.iloc[good], ON, contributions=paid[paid["id"].isin(good_ids)].reset_index(drop=True)
    )
    columns = outcome_columns(clean)
    assert out.loc[good, columns].equals(clean[columns])
    assert out.loc[good, "id"].tolist() == clean["id"].tolist()


def test_bad_rows_have_no_benefit() -> None:
    """A bad row is not eligible, its amounts are missing, and so are its unmet conditions."""
    df, paid = register(3)
    bad_df, bad_paid = broken(df, paid, {1: ("first_license_on", "2021-02-30")})
    out = evaluate_frame(bad_df, ON, contributions=bad_paid, errors="column")
    for name in FRAME_BENEFITS:
        assert not out[f"{name}.eligible"].iloc[1]
        assert out[f"{name}.amount_fen"].iloc[1] is pd.NA
        assert out[f"{name}.amount"].iloc[1] is None
        assert out[f"{name}.unmet"].iloc[1] is None
    assert out["startup_subsidy.unmet"].iloc[2] == ""  # eligible: nothing unmet
    assert out["error"].tolist()[0::2] == [None, None]


def test_many_bad_rows_in_many_columns() -> None:
    """Thousands of bad rows, many distinct bad values, in several columns: each is reported."""
    n = 3000
    df, paid = register(n)
    df = df.astype(object)
    bad_dates = np.arange(0, n, 3)  # 1,000 rows, each its own invalid date
    df.loc[bad_dates, "first_license_on"] = [f"2021-02-{30 + i % 70}" for i in bad_dates]
    bad_flags = np.arange(1, n, 3)  # 1,000 rows sharing one invalid value
    df.loc[bad_flags, "operating"] = "maybe"  # "yes" is a boolean's CSV cell
    bad_paid = np.arange(2, n, 6)  # 500 applicants with a bad contribution each
    paid.loc[3 * bad_paid, "amount"] = [f"-{i}" for i in bad_paid]
    out = evaluate_frame(df, ON, contributions=paid, errors="column")
    errors = out["error"]
    assert errors.iloc[bad_dates].str.contains("first_license_on: invalid date").all()
    assert (
        errors.iloc[bad_flags].str.endswith("operating: expected true or false, got 'maybe'").all()
    )
    assert errors.iloc[bad_paid].str.contains("contributions.amount: negative amount").all()
    assert errors.iloc[np.arange(5, n, 6)].isna().all()
    assert errors.notna().sum() == len(bad_dates) + len(bad_flags) + len(bad_paid)


def test_typed_columns_are_blanked_in_their_type() -> None:
    """Bad values in int, datetime64 and categorical columns are found and blanked."""
    df = pd.DataFrame(
        {
            "id": np.arange(4),
            "tax_due.vat": np.array([10, -1, 20, -2]),
            "first_license_on": pd.to_datetime(["2021-01-15"] * 4),
            "business_type": pd.Categorical(["individual_business"] * 3 + ["enterprise"]),
            "operating": np.array([True, True, False, True]),
            "pays_employee_insurance": np.array([True, True, True, True]),
        }
    )
    out = evaluate_frame(df, ON, errors="column")
    assert out["error"].tolist() == [
        None,
        "row 2: tax_due.vat: negative amount -1",
        None,
        "row 4: tax_due.vat: negative amount -2",
    ]
    assert out["startup_subsidy.eligible"].tolist() == [True, False, False, False]
    df["tax_due.vat"] = np.array([10, 1, 20, 2])
    df["first_license_on"] = pd.to_datetime(
        pd.Series(["2021-01-15", "2021-01-15 12:00", None, "2021-01-16"]), format="ISO8601"
    )
    df["business_type"] = pd.Categorical(["individual_business", None, None, "shop"])
    out = evaluate_frame(df, ON, errors="column")
    assert out["error"].tolist() == [
        None,
        "row 2: first_license_on: expected a date, got a date-time with a time of day",
        None,
        "row 4: business_type: invalid value 'shop'; expected one of individual_business, enterprise",
    ]
    assert out["startup_subsidy.eligible"].tolist() == [True, False, False, False]


def test_list_columns_and_wide_layout() -> None:
    """Bad entries of a contributions column and bad wide cells mark their rows."""
    lists = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E", "F"],
            "groups": "hard_to_employ",
            "flexible_since": "2021-02-01",
            "contributions": [
                [{"month": "2021-02", "amount": "100"}],
                [{"month": "2021-02", "amount": "x"}],
                [{"month": "2021-02", "amount": "1"}, {"month": "2021-02", "amount": "2"}],
                {"2021-02": "100"},
                "2021-02:100",  # the CSV cell of a list: good
                # The frame meets the bad month first; the record contract, the bad amount.
                [{"month": "2021-02", "amount": "x"}, {"month": "2021-13", "amount": "1"}],
            ],
        }
    )
    out = evaluate_frame(lists, ON, errors="column", benefits="social_insurance_subsidy")
    assert out["error"].tolist() == [
        None,
        "row 2: contributions[0].amount: invalid amount 'x' (expected a decimal such as 512.30)",
        "row 3: contributions[1].month: duplicate month 2021-02",
        "row 4: contributions: expected a list, got an object",
        None,
        "row 6: contributions[0].amount: invalid amount 'x' (expected a decimal such as 512.30)",
    ]
    for row in (1, 2, 3, 5):  # each message is the one the row alone raises
        with pytest.raises(RecordError) as caught:
            evaluate_frame(lists.iloc[[row]], ON, benefits="social_insurance_subsidy")
        assert str(caught.value).partition(": ")[2] == out["error"].iloc[row].partition(": ")[2]
    assert out["social_insurance_subsidy.amount_fen"].tolist()[0] == 6500
    assert out["social_insurance_subsidy.amount_fen"].tolist()[4] == 6500
    cells: dict[str, Any] = {"contributions.2021-02": ["100", "1.001", None, "-1", "100", "1"]}
    wide = lists.drop(columns="contributions").assign(**cells)
    out = evaluate_frame(wide, ON, errors="column", benefits="social_insurance_subsidy")
    assert out["error"].notna().tolist() == [False, True, False, True, False, False]
    assert out["error"].iloc[1].startswith("row 2: contributions.2021-02: ")


def test_object_cells_get_the_contract_first_error() -> None:
    """A bad object cell, or flattened object, gets the message the row alone raises."""
    objects = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E"],
            "loan": [
                {"kind": "individual", "amount": "1"},
                {"kind": "individual"},
                {"amount": "-5", "kind": "x"},
                [1],
                {"amount": "1", "kind": "partnership", "x": 1},
            ],
        }
    )
    # The frame reads loan.amount's bad value; the contract names the missing kind first.
    flat = pd.DataFrame({"id": ["A", "B"], "loan.amount": ["-1", "1"]})
    for df, expected in (
        (
            objects,
            [
                None,
                "row 2: loan.amount: missing required field",
                "row 3: loan.kind: invalid value 'x'; expected one of individual, partnership",
                "row 4: loan: expected an object, got a list",
                "row 5: loan.x: unknown field 'x'",
            ],
        ),
        (flat, [f"row {row}: loan.kind: missing required field" for row in (1, 2)]),
    ):
        out = evaluate_frame(df, ON, errors="column")
        assert out["error"].tolist() == expected
        for row, message in enumerate(out["error"]):
            if message is not None:
                with pytest.raises(RecordError) as caught:
                    evaluate_frame(df.iloc[[row]], ON)
                assert str(caught.value).partition(": ")[2] == message.partition(": ")[2]


def test_frame_level_problems_still_raise() -> None:
    """An unknown or repeated column, or a long frame's id no row has, raises in any mode."""
    df, paid = register(3)
    with pytest.raises(RecordError, match="unknown field 'group'"):
        evaluate_frame(df.rename(columns={"groups": "group"}), ON, errors="column")
    twice = pd.concat([df, df[["operating"]]], axis=1)
    with pytest.raises(RecordError, match="the column appears twice"):
        evaluate_frame(twice, ON, errors="column")
    stray = pd.concat([paid, pd.DataFrame([{"id": "Z", "month": "2021-02", "amount": "1"}])])
    with pytest.raises(RecordError, match="'Z' is not an id of the frame"):
        evaluate_frame(df, ON, contributions=stray, errors="column")
    with pytest.raises(PolicyError, match="errors must be"):
        evaluate_frame(df, ON, errors="ignore")  # type: ignore[arg-type]


def test_premiums_frame_rows_mark_their_applicant() -> None:
    """A bad row of the premiums= frame names that frame's row and marks its applicant."""
    df = pd.DataFrame({"id": ["A", "B"], "injury_pilot_covered": [True, True]})
    premiums = pd.DataFrame(
        {"id": ["A", "B", "B"], "paid_on": ["2021-03-01", "2021-03-01", "2021-02-30"]}
        | {"amount": ["100", "100", "100"]}
    )
    out = evaluate_frame(df, ON, premiums=premiums, errors="column")
    assert out["error"].tolist() == [
        None,
        "row 3: premiums.paid_on: invalid date '2021-02-30': February 2021 has 28 days",
    ]
    clean = evaluate_frame(df.iloc[:1], ON, premiums=premiums.iloc[:1])
    columns = outcome_columns(clean)
    assert out.loc[[0], columns].equals(clean[columns])


def test_no_errors_gives_the_raise_result() -> None:
    """Without a bad row, errors="column" adds an empty error column and changes nothing else."""
    df, paid = register(20)
    strict = evaluate_frame(df, ON, contributions=paid)
    lenient = evaluate_frame(df, ON, contributions=paid, errors="column")
    assert lenient["error"].isna().all()
    assert lenient.drop(columns="error").equals(strict)
