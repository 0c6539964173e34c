"""One contract, every path: dict, JSONL, CSV and DataFrame accept and refuse the same records.

Hypothesis draws applicant records from the contract's table: a valid record, then
up to three breaches of one class. Each record goes through

* the dict path: [`parse_applicant`][yantai_policy.benefits.records.parse_applicant];
* the JSONL path: ``json.dumps`` and the CLI's line reader (numbers with a fraction
  become Decimal there), then [`parse_applicant`][yantai_policy.benefits.records.parse_applicant];
* the CSV path: [`to_csv_row`][yantai_policy.benefits.records.to_csv_row] (the table's cell formats), a real CSV file
  through `csv`, [`applicant_from_csv_row`][yantai_policy.benefits.records.applicant_from_csv_row], [`parse_applicant`][yantai_policy.benefits.records.parse_applicant];
* the DataFrame paths: a one-row frame of the record's values, and one with the
  objects flattened into columns (``tax_due.vat`` ...), through [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame];
* the DataFrame-of-CSV paths: the same CSV file through ``pd.read_csv(dtype=str)``,
  and through [`read_applicants`][yantai_policy.benefits.frame.read_applicants], then [`evaluate_frame`][yantai_policy.benefits.frame.evaluate_frame].

Every DataFrame path also runs with ``errors="column"``, which must give the same
outcomes, or the row the error ``errors="raise"`` raises, as its message.

Paths agree when both accept with equal outcomes, or both refuse with the same
field and message. Which paths must agree depends on the class of the breaches,
because not every value has a representation in every format:

* ``everywhere``: the value means the same in every format (bad date text, bad
  amounts, unknown fields and keys, bad choices, duplicate months, missing keys and
  id ...): all seven paths agree.
* ``typed``: the value's JSON type is the breach (an integer for a boolean, a list
  for a date, a blank string ...). A CSV cell is text, so the type is lost and a
  blank cell is an absent field: the CSV paths have no representation of it, and
  only dict, JSONL and DataFrame are compared.
* ``cell``: a string where the contract wants a boolean, groups or a list. The dict
  contract refuses it; the CSV reader and the DataFrame read it as that field's CSV
  cell (``yes``, ``a;b``, ``2021-03:5``), so dict agrees with JSONL and every CSV and
  DataFrame path agrees with the others.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yantai_policy.benefits import BENEFITS, batch_io, evaluate_many
from yantai_policy.benefits.frame import FRAME_BENEFITS, evaluate_frame, read_applicants
from yantai_policy.benefits.records import (
    APPLICANT_CONTRACT,
    MAX_FEN,
    PLACEMENT_CONTRACT,
    Field,
    RecordError,
    applicant_from_csv_row,
    parse_applicant,
    parse_placement,
    to_csv_row,
)

ON = dt.date(2021, 7, 16)
FIELDS = {f.name: f for f in APPLICANT_CONTRACT}
Result = tuple[str, Any]  # ("ok", outcomes) or ("error", (field, reason))

# ---------------------------------------------------------------- valid values

MONTHS = [f"{y}-{m:02d}" for y in (2020, 2021) for m in range(1, 13)]
AMOUNTS = st.one_of(
    st.integers(0, 10**6).map(lambda fen: f"{fen // 100}.{fen % 100:02d}"),  # "512.30"
    st.integers(0, 10**5).map(str),  # whole yuan as text
    st.integers(0, 10**5),  # a JSON integer
    st.integers(0, 10**4).map(lambda fen: fen / 100),  # a JSON number with a fraction
)
# The bound itself, for a lone amount only: a sum above MAX_FEN fen is refused by the
# arithmetic (PolicyError), not by the contract.
BOUND = st.sampled_from([MAX_FEN // 100, "90071992547409.91"])
DAYS = st.dates(dt.date(2019, 1, 1), dt.date(2022, 12, 31)).map(dt.date.isoformat)


def valid_value(field: Field) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911 - one per kind
    """A value of the field that the contract accepts, drawn from the field's kind."""
    kind = field.kind
    if kind == "id":
        return st.one_of(st.from_regex(r"[A-Z][0-9]{1,3}", fullmatch=True), st.integers(0, 999))
    if kind == "date":
        return st.one_of(DAYS, st.sampled_from(["1900-01-01", "2999-12-31"]))
    if kind == "bool":
        return st.booleans()
    if kind in {"enum", "platform"}:
        return st.sampled_from(field.choices)
    if kind == "groups":
        return st.lists(st.sampled_from(field.choices), max_size=3)
    if kind == "whole_months":
        return st.integers(0, 60)
    if kind == "amount":
        return st.one_of(AMOUNTS, BOUND) if field.name == "amount" else AMOUNTS
    if kind == "list":
        key = field.shape[0].name
        keys = st.sampled_from(MONTHS) if key == "month" else DAYS
        if field.unique:
            return st.lists(keys, max_size=4, unique=True).flatmap(
                lambda ks: st.tuples(*(AMOUNTS for _ in ks)).map(
                    lambda amounts: [
                        {key: k, "amount": a} for k, a in zip(ks, amounts, strict=True)
                    ]
                )
            )
        return st.lists(st.fixed_dictionaries({key: keys, "amount": AMOUNTS}), max_size=3)
    if kind == "object":
        required = {s.name: valid_value(s) for s in field.shape if s.required}
        optional = {s.name: valid_value(s) for s in field.shape if not s.required}
        return st.fixed_dictionaries(required, optional=optional)
    raise AssertionError(kind)


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    """A record the contract accepts: the id, some fields, perhaps an x_ field."""
    names = draw(st.lists(st.sampled_from(list(FIELDS)[1:]), unique=True, max_size=8))
    record: dict[str, Any] = {"id": draw(valid_value(FIELDS["id"]))}
    for name in names:
        record[name] = draw(valid_value(FIELDS[name]))
    if draw(st.booleans()):
        record["x_note"] = "mine"
    return record


# ---------------------------------------------------------------- breaches

BAD_DAYS = ["2021-02-30", "1899-12-31", "3000-01-01", "20210215", "2021-13-01", "tomorrow"]
BAD_AMOUNTS: list[Any] = [
    "1.234",
    "-5",
    "-0.5",
    "12,5",
    "1e3",
    "90071992547410",  # one yuan above MAX_FEN fen
    "90071992547409.92",  # one fen above
    "99999999999999999999",
    10**15,
    MAX_FEN // 100 + 1,
    -3,
    1.234,
    -0.5,
]
# Per kind: values that break the contract, by class (see the module's documentation).
BREACHES: dict[str, dict[str, list[Any]]] = {
    "everywhere": {
        "date": BAD_DAYS,
        "amount": BAD_AMOUNTS,
        "enum": ["shop", "Individual_business"],
        "groups": [["graduat"], ["graduate", "GRADUATE"]],
        "object": ["individual", "5"],
    },
    "typed": {
        "id": ["", True, 1.5, ["A"]],
        "date": [20210101, 2021.5, True, ["2021-01-01"], {"day": 1}],
        "bool": [1, 0, 5, 1.5, [], {"yes": 1}],
        "enum": [5, True, ""],
        "platform": [5, "   ", "", ["x"]],
        "groups": [5, {"graduate": 1}, [5], [None], [["graduate"]]],
        "amount": [True, [], ""],
        "list": [5, {"month": "2021-03"}, [5], ["2021-03"]],
        "object": [[], 5],
    },
    "cell": {
        "bool": ["yes", "No", "maybe", "TRUE", "2", ""],
        "groups": ["graduate;veteran", "graduate;alien", "", " "],
        "list": [
            "2021-03:512.30;2021-04:1",
            "2021-03",
            "2021-03:1;2021-03:2",
            "x:1",
            "2021-03-01:60",
        ],
    },
}
UNKNOWN_KEYS = ["group", "operatin", "zzz", "loan_amount", "contribution"]


@st.composite
def breach(draw: st.DrawFn, record: dict[str, Any], cls: str) -> None:
    """Break the record once, in place, with a value of the class ``cls``."""
    table = BREACHES[cls]
    fields = [f.name for f in APPLICANT_CONTRACT if f.kind in table]
    places = {
        "everywhere": [fields, ["nested"], ["unknown"], ["drop id"]],
        "typed": [fields, ["entry"], ["loan amount"]],
        "cell": [fields],
    }
    where = draw(st.sampled_from(places[cls]).flatmap(st.sampled_from))
    if where == "drop id":
        record.pop("id", None)
        record.setdefault("x_note", "mine")  # a CSV row of no cells is no row at all
    elif where == "unknown":
        record[draw(st.sampled_from(UNKNOWN_KEYS))] = draw(st.sampled_from(["1", "graduate"]))
    elif where == "nested":  # inside a list entry or an object
        draw(nested_breach(record))
    elif where == "entry":  # a list entry's shape: no CSV pair can write these
        draw(entry_breach(record))
    elif where == "loan amount":  # an amount of the wrong JSON type
        record["loan"] = {"kind": "individual", "amount": draw(st.sampled_from(table["amount"]))}
    else:
        record[where] = draw(st.sampled_from(table[FIELDS[where].kind]))


@st.composite
def nested_breach(draw: st.DrawFn, record: dict[str, Any]) -> None:
    """Break a list entry or an object of the record, in a way every format can write."""
    how = draw(
        st.sampled_from(
            [
                ("contributions", "key"),
                ("contributions", "amount"),
                ("contributions", "duplicate"),
                ("accident_premiums", "key"),
                ("accident_premiums", "amount"),
                ("tax_due", "amount"),
                ("tax_due", "unknown"),  # a flattened CSV column too
                ("loan", "key"),
                ("loan", "amount"),
                ("loan", "unknown"),
                ("loan", "missing"),
            ]
        )
    )
    name, what = how
    field = FIELDS[name]
    value = draw(valid_value(field))
    if field.kind == "list" and not value:
        value.append(
            {
                field.shape[0].name: "2021-03-01" if name != "contributions" else "2021-03",
                "amount": "1",
            }
        )
    item = value[0] if field.kind == "list" else value
    if what == "key" and field.kind == "list":
        key = field.shape[0].name
        bad = ["2021-13", "2021-3", "202103"] if key == "month" else BAD_DAYS
        item[key] = draw(st.sampled_from(bad))
    elif what == "key":
        item["kind"] = draw(st.sampled_from(["solo", "Individual"]))
    elif what == "amount":
        key = draw(st.sampled_from([s.name for s in field.shape if s.kind == "amount"]))
        item[key] = draw(st.sampled_from(BAD_AMOUNTS))
    elif what == "unknown":
        item["vta" if name == "tax_due" else "knd"] = "1"
    elif what == "missing":
        del item[draw(st.sampled_from(["kind", "amount"]))]
    else:
        value.append({"month": item["month"], "amount": "1"})
    record[name] = value


@st.composite
def entry_breach(draw: st.DrawFn, record: dict[str, Any]) -> None:
    """Add a list entry of the wrong shape or type, which no CSV pair can write."""
    name = draw(st.sampled_from(["contributions", "accident_premiums"]))
    key = FIELDS[name].shape[0].name
    entry = draw(
        st.sampled_from(
            [
                {key: "2021-03-01" if key == "paid_on" else "2021-03"},
                {key: "2021-03", "amount": "1", "note": "x"},
                {"amount": "1"},
                {key: 202103, "amount": "1"},
                {key: "2021-03-01" if key == "paid_on" else "2021-03", "amount": True},
                {key: "2021-03-01" if key == "paid_on" else "2021-03", "amount": ""},
                {key: "2021-03-01" if key == "paid_on" else "2021-03", "amount": []},
            ]
        )
    )
    record[name] = [*draw(valid_value(FIELDS[name])), entry]


@st.composite
def records(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A record and the class of its breaches (``valid`` for none)."""
    record = draw(valid_records())
    count = draw(st.integers(0, 3))
    if count == 0:
        return "valid", record
    cls = draw(st.sampled_from(sorted(BREACHES)))
    for _ in range(count):
        draw(breach(record, cls))
    return cls, record


# ---------------------------------------------------------------- the paths


def _outcomes(record: object) -> Result:
    try:
        parse_applicant(record)  # type: ignore[arg-type]
    except RecordError as error:
        return "error", (error.field, error.reason, "row", 1)
    rows = list(evaluate_many([record], on=ON, benefits=list(FRAME_BENEFITS)))
    assert rows[0].error is None
    return "ok", [(o.benefit, o.eligible, o.fen) for o in rows[0].outcomes]


def dict_path(record: dict[str, Any]) -> Result:
    """parse_applicant on the record itself."""
    return _outcomes(record)


def jsonl_path(record: dict[str, Any]) -> Result:
    """The record as a JSONL line, read by the CLI's line reader."""
    (line,) = batch_io.jsonl_lines(io.StringIO(json.dumps(record) + "\n"))
    return _outcomes(batch_io.decode_jsonl(line))


def csv_text(record: dict[str, Any]) -> str:
    """The record as a CSV file of one row, in the table's cell formats."""
    row = to_csv_row(record)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def csv_path(record: dict[str, Any]) -> Result:
    """The record written as CSV and read back by applicant_from_csv_row."""
    (row,) = csv.DictReader(io.StringIO(csv_text(record)))
    try:
        parsed = applicant_from_csv_row(row)
    except RecordError as error:
        return "error", (error.field, error.reason, "row", 1)
    return _outcomes(parsed)


def _frame_result(df: pd.DataFrame) -> Result:
    """evaluate_frame's answer; errors="column" must give the same (the row's message)."""
    try:
        out = evaluate_frame(df, ON, decimals=False)
    except RecordError as error:
        _column_agrees(df, error)
        row = error.row
        return "error", (error.field, error.reason, "row", 1 if row is None else row)
    result = _frame_outcomes(out)
    column = evaluate_frame(df, ON, decimals=False, errors="column")
    assert column["error"].tolist() == [None]
    assert _frame_outcomes(column) == result
    return "ok", result


def _frame_outcomes(out: pd.DataFrame) -> list[tuple[str, bool, int | None]]:
    return [
        (name, bool(out[f"{name}.eligible"].iloc[0]), _fen(out[f"{name}.amount_fen"].iloc[0]))
        for name in FRAME_BENEFITS
    ]


def _column_agrees(df: pd.DataFrame, error: RecordError) -> None:
    """With errors="column" the row gets str() of the error; a frame's own problem still raises.

    A problem of the frame itself is the error raised (an unknown column), or one the
    frame meets after the row's error (an unknown flattened key such as
    ``tax_due.vta``, read in the contract's order, as the CSV reader reads it).
    """
    out, raised = _column_mode(df)
    if raised is not None:
        assert raised.row is None, raised
        assert error.row is not None or str(raised) == str(error)
        return
    assert out is not None
    assert out["error"].tolist() == [str(error)]


def _column_mode(df: pd.DataFrame) -> tuple[pd.DataFrame | None, RecordError | None]:
    try:
        return evaluate_frame(df, ON, decimals=False, errors="column"), None
    except RecordError as error:
        return None, error


def _fen(value: Any) -> int | None:
    return None if value is pd.NA else int(value)


def frame_path(record: dict[str, Any]) -> Result:
    """A one-row DataFrame of the record's values (pandas infers the dtypes)."""
    return _frame_result(pd.DataFrame({k: [v] for k, v in record.items()}, index=[0]))


def flat_frame_path(record: dict[str, Any]) -> Result:
    """A one-row frame with the objects flattened (``tax_due.vat``, ``loan.amount`` ...).

    The members keep their values, so pandas gives integer amounts an int64 column
    and fractions a float64 one: the frame's numeric fast paths.
    """
    columns: dict[str, list[Any]] = {}
    for name, value in record.items():
        field = FIELDS.get(name)
        if field is not None and field.kind == "object" and isinstance(value, dict):
            columns.update({f"{name}.{key}": [member] for key, member in value.items()})
        else:
            columns[name] = [value]
    return _frame_result(pd.DataFrame(columns, index=[0]))


def frame_csv_path(record: dict[str, Any]) -> Result:
    """The CSV file through pd.read_csv, every cell as text (an empty one as NaN).

    With pandas' own dtype inference a cell changes meaning (``20210215`` becomes an
    integer, ``1e3`` a float), so the cells are kept as text, as the CSV reader keeps them.
    """
    text = csv_text(record)
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    return _frame_result(df)


def read_applicants_path(record: dict[str, Any], folder: Path) -> Result:
    """The CSV file through read_applicants (each cell through the contract's cell reader)."""
    path = folder / "register.csv"
    path.write_text(csv_text(record), encoding="utf-8")
    return _frame_result(read_applicants(path))


def _ordered(result: Result) -> Result:
    """Outcomes in benefit order (evaluate_many and evaluate_frame may list them differently)."""
    kind, value = result
    return (kind, sorted(value)) if kind == "ok" else result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=records())
def test_every_path_accepts_and_refuses_alike(drawn: tuple[str, dict[str, Any]]) -> None:
    """Every path that can represent the record accepts it with equal outcomes, or refuses it alike."""
    check_paths(*drawn)


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [
        (MAX_FEN // 100, True),
        (MAX_FEN // 100 + 1, False),
        ("90071992547409.91", True),
        ("90071992547409.92", False),
        (10**15, False),
        (10**20, False),
        (-1, False),
        (0.29, True),
        (1.005, False),
    ],
)
@pytest.mark.parametrize("where", ["loan", "tax_due"])
def test_the_amount_bound_is_one_on_every_path(amount: object, accepted: bool, where: str) -> None:
    """MAX_FEN fen is the bound, with one message, on every path (int64 and float64 columns too)."""
    record: dict[str, Any] = {"id": "A", where: {"amount" if where == "loan" else "vat": amount}}
    if where == "loan":
        record["loan"]["kind"] = "individual"
    check_paths("valid" if accepted else "everywhere", record)


def check_paths(cls: str, record: dict[str, Any]) -> None:
    """Assert the paths that can represent the record agree on it (see the module's documentation)."""
    results = {
        "dict": dict_path(record),
        "jsonl": jsonl_path(record),
        "frame": frame_path(record),
        "flat frame": flat_frame_path(record),
    }
    if cls != "typed":  # a typed breach has no CSV cell (see the module's documentation)
        results["csv"] = csv_path(record)
        results["frame of csv"] = frame_csv_path(record)
        with tempfile.TemporaryDirectory() as folder:
            results["read_applicants"] = read_applicants_path(record, Path(folder))
    results = {name: _ordered(result) for name, result in results.items()}
    if cls == "valid":
        assert results["dict"][0] == "ok", results["dict"]
    elif cls != "cell":
        assert results["dict"][0] == "error", record  # every breach is refused
    groups = (
        [["dict", "jsonl"], ["csv", "frame", "flat frame", "frame of csv", "read_applicants"]]
        if cls == "cell"
        else [list(results)]
    )
    for group in groups:
        first = results[group[0]]
        for name in group[1:]:
            assert results[name] == first, (name, group[0], record)


def test_the_example_csv_file_reads_as_a_frame() -> None:
    """pd.read_csv of examples/applicants.csv (NaN cells, bool and object columns) is a valid frame.

    Its two deliberately bad rows are refused as the CSV reader refuses them; the
    others give evaluate_many's outcomes on the CSV rows.
    """
    with open("examples/applicants.csv", encoding="utf-8", newline="") as source:  # noqa: PTH123
        rows = list(csv.DictReader(source))
    df = pd.read_csv("examples/applicants.csv")
    bad = [i for i, row in enumerate(rows) if row["id"].startswith("E")]
    assert bad
    with pytest.raises(RecordError) as caught:
        evaluate_frame(df, ON)
    error = caught.value
    assert (error.row, error.field, error.reason) == (bad[0] + 1, *parse_error(rows[bad[0]]))
    good = df.drop(index=bad).reset_index(drop=True)
    out = evaluate_frame(good, ON, decimals=False)
    want = evaluate_many(
        [applicant_from_csv_row(r) for i, r in enumerate(rows) if i not in bad],
        on=ON,
        benefits=list(FRAME_BENEFITS),
    )
    for index, row in enumerate(want):
        for o in row.outcomes:
            assert bool(out[f"{o.benefit}.eligible"].iloc[index]) == o.eligible, (row.id, o)
            assert _fen(out[f"{o.benefit}.amount_fen"].iloc[index]) == o.fen, (row.id, o)


PLACEMENT_BENEFITS = [name for name, b in BENEFITS.items() if b.record == "placement"]
PLACEMENT_BREACHES: dict[str, list[Any]] = {
    # Every format writes these alike.
    "everywhere": [("contract_months", -1), ("contract_months", "twelve"), ("contrat_months", "1")],
    # No CSV cell: the JSON type is the breach, or "12" and "yes" are CSV cells that read.
    "typed": [("contract_months", 1.5), ("contract_months", True), ("rural_labourer", 1)],
    "cell": [("contract_months", "12"), ("rural_labourer", "yes"), ("employer_in_city", "maybe")],
}


@st.composite
def placements(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A placement record and the class of its breach (``valid`` for none)."""
    record = {"id": draw(valid_value(PLACEMENT_CONTRACT[0]))}
    for field in PLACEMENT_CONTRACT[1:]:
        if draw(st.booleans()):
            record[field.name] = draw(valid_value(field))
    cls = draw(st.sampled_from(["valid", *sorted(PLACEMENT_BREACHES)]))
    if cls != "valid":
        name, value = draw(st.sampled_from(PLACEMENT_BREACHES[cls]))
        record[name] = value
    return cls, record


def _placement(record: object) -> Result:
    try:
        parse_placement(record)  # type: ignore[arg-type]
    except RecordError as error:
        return "error", (error.field, error.reason)
    (row,) = evaluate_many([record], on=ON, benefits=PLACEMENT_BENEFITS, parse=parse_placement)
    return "ok", [(o.benefit, o.eligible, o.fen) for o in row.outcomes]


@settings(max_examples=150, deadline=None)
@given(drawn=placements())
def test_placement_paths_agree(drawn: tuple[str, dict[str, Any]]) -> None:
    """Placements (no DataFrame reader): dict, JSONL and CSV agree as for applicants."""
    cls, record = drawn
    (raw,) = batch_io.jsonl_lines(io.StringIO(json.dumps(record) + "\n"))
    line = batch_io.decode_jsonl(raw)
    (row,) = csv.DictReader(io.StringIO(csv_text(record)))
    results = {"dict": _placement(record), "jsonl": _placement(line)}
    if cls != "typed":
        results["csv"] = _placement(applicant_from_csv_row(row))
    assert results["dict"][0] == ("ok" if cls == "valid" else "error"), record
    assert results["jsonl"] == results["dict"]
    if cls in {"valid", "everywhere"}:
        assert results["csv"] == results["dict"]


def parse_error(row: dict[str, str]) -> tuple[str, str]:
    """The field and message the CSV path refuses a row with."""
    try:
        parse_applicant(applicant_from_csv_row(row))
    except RecordError as error:
        return error.field, error.reason
    raise AssertionError(row)
