"""How inputs are read: keys given twice, bounded lines and cells, encodings, Parquet nulls."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yantai_policy import jsonkeys, load_policy
from yantai_policy.benefits import batch_io
from yantai_policy.benefits.batch_io import BadInputError, BadLine, decode_jsonl
from yantai_policy.benefits.frame import evaluate_frame, read_applicants
from yantai_policy.benefits.records import RecordError
from yantai_policy.cli import main
from yantai_policy.errors import PolicyDataError, PolicyError
from yantai_policy.loading import BUILTIN_PLAN, read_data_file

ON = "2021-08-01"
PLAN = read_data_file(BUILTIN_PLAN).decode("utf-8")
GOOD = {"id": "G1", "groups": ["graduate"], "left_school_on": "2020-07-01"}
FLEX = {
    "id": "H1",
    "groups": ["hard_to_employ"],
    "flexible_since": "2021-02-01",
    "contributions": [{"month": "2021-03", "amount": "1000"}],
}
CASES = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(alphabet=st.sampled_from('ab:\\"é\n\u2028'), max_size=4)
"""Keys and strings with the characters the colon count must see through."""
SCALARS = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)
OBJECTS = st.dictionaries(TEXT, VALUES, min_size=1, max_size=4)


def run(argv: list[str]) -> tuple[int, str, str]:
    """Run the command line; return the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # a usage error, from argparse
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def evaluate_lines(tmp: Path, data: bytes, suffix: str, *options: str) -> list[dict[str, Any]]:
    """Evaluate an input file to JSONL; return the output rows (exit 0, or 1 if all are errors)."""
    source, target = tmp / f"in{suffix}", tmp / "out.jsonl"
    source.write_bytes(data)
    code, _, err = run(["evaluate", str(source), "--on", ON, "-o", str(target), *options])
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").split("\n")[:-1]]
    every_row_failed = bool(rows) and all(row.get("error") for row in rows)
    assert code == (1 if every_row_failed else 0), err
    return rows


def _objects_in(value: object, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every object in a JSON value, with its path, in document order."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, child in value.items():
            found += _objects_in(child, _child(path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _objects_in(child, f"{path}[{index}]")
    return found


def _dumps_repeating(value: object, target: dict[str, Any], first: object) -> str:
    """JSON text of the value, where ``target`` gives its first key twice (``first`` first)."""
    if isinstance(value, dict):
        items = [f"{json.dumps(k)}: {_dumps_repeating(v, target, first)}" for k, v in value.items()]
        if value is target:
            items.insert(0, f"{json.dumps(next(iter(value)))}: {json.dumps(first)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps_repeating(v, target, first) for v in value) + "]"
    return json.dumps(value)


@st.composite
def repeated_keys(draw: st.DrawFn) -> tuple[str, str]:
    """JSON text whose one object gives a key twice, and that key's path."""
    value = draw(OBJECTS)
    objects = [(p, o) for p, o in _objects_in(value) if o]
    path, target = draw(st.sampled_from(objects))
    text = _dumps_repeating(value, target, draw(SCALARS))
    return text, _child(path, next(iter(target)))


def _child(path: str, key: str) -> str:
    """A key's path as the readers write it: dotted, an empty key as ``""``."""
    name = key or '""'
    return f"{path}.{name}" if path else name


# --- keys given twice ---------------------------------------------------------------


@CASES
@given(OBJECTS)
def test_decode_jsonl_reads_distinct_keys_as_json_does(value: dict[str, Any]) -> None:
    """A line of distinct keys (colons, backslashes and quotes in strings) reads as json reads it."""
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False)):
        assert decode_jsonl(text.encode()) == json.loads(text, parse_float=Decimal)
        assert decode_jsonl(text) == json.loads(text, parse_float=Decimal)


@CASES
@given(repeated_keys())
def test_repeated_key_is_named_by_every_json_reader(case: tuple[str, str]) -> None:
    """A key given twice anywhere is refused by the line reader and by the JSON reader, by path."""
    text, path = case
    bad = decode_jsonl(text.encode())
    assert isinstance(bad, BadLine)
    assert (bad.field, bad.reason) == (path, jsonkeys.REASON)
    with pytest.raises(jsonkeys.DuplicateKeyError) as caught:
        jsonkeys.loads(text)
    assert caught.value.path == path


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(repeated_keys())
def test_repeated_key_in_a_plan_file_is_refused(tmp_path: Path, case: tuple[str, str]) -> None:
    """A JSON plan file with a key given twice raises PolicyDataError naming the key's path."""
    text, path = case
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyDataError) as caught:
        load_policy(plan)
    assert caught.value.path == path
    assert str(caught.value).endswith(f"{path}: {jsonkeys.REASON}")


def test_repeated_key_in_the_real_plan_is_refused(tmp_path: Path) -> None:
    """The built-in plan with a measure's key given twice is refused, naming the measure's key."""
    data = json.loads(PLAN)
    text = json.dumps(data, ensure_ascii=False).replace(
        '{"number": 7,', '{"number": 7, "number": 8,', 1
    )
    assert text != json.dumps(data, ensure_ascii=False)
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyDataError, match=r"measures\[6\]\.number: the key appears twice"):
        load_policy(plan)


def test_repeated_key_in_a_toml_plan_is_refused(tmp_path: Path) -> None:
    """TOML refuses a key given twice (tomllib), with the line."""
    plan = tmp_path / "other-city.toml"
    plan.write_text('format = "yantai-policy/plan"\nformat = "x"\n', encoding="utf-8")
    with pytest.raises(PolicyDataError) as caught:
        load_policy(plan)
    assert caught.value.line == 2


def test_repeated_keys_in_jsonl_are_row_errors(tmp_path: Path) -> None:
    """A JSONL line with a key given twice (top level or nested) is an error row; the run goes on."""
    lines = [
        json.dumps(GOOD),
        '{"id": "D1", "groups": ["graduate"], "groups": []}',
        '{"id": "D2", "contributions": [{"month": "2021-03", "month": "2021-04", "amount": "1"}]}',
        '{"id": "D3", "loan": {"kind": "individual", "amount": "1", "kind": "x"}}',
        json.dumps(FLEX),
    ]
    rows = evaluate_lines(tmp_path, "\n".join(lines).encode() + b"\n", ".jsonl")
    assert [row["error"] for row in rows] == [
        None,
        "row 2: groups: the key appears twice",
        "row 3: contributions[0].month: the key appears twice",
        "row 4: loan.kind: the key appears twice",
        None,
    ]


def test_repeated_key_in_explain_json_input(tmp_path: Path) -> None:
    """Explain refuses a .json record with a key given twice: exit 2, one line naming it."""
    source = tmp_path / "a.json"
    source.write_text('{"id": "A", "tax_due": {"vat": "1", "vat": "2"}}', encoding="utf-8")
    code, _, err = run(["explain", str(source), "--on", ON])
    assert code == 2
    assert err == "yantai-policy: error: tax_due.vat: the key appears twice\n"


def test_repeated_key_in_read_applicants_jsonl(tmp_path: Path) -> None:
    """read_applicants refuses a JSONL line with a key given twice, naming the line and key."""
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(GOOD) + '\n{"id": "A", "id": "B"}\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"line 2: id: the key appears twice"):
        read_applicants(source)


@pytest.mark.parametrize(
    ("header", "column", "reason"),
    [
        ("id,groups,groups", "groups", "the column appears twice"),
        ("id,x_note,id", "id", "the column appears twice"),
        ("id,groups,,", '""', "the column appears twice"),
        ("id,loan,loan.kind", "loan", "given both as a column of objects and as flattened columns"),
        (
            "id,tax_due.vat,tax_due",
            "tax_due",
            "given both as a column of objects and as flattened columns",
        ),
    ],
)
def test_csv_header_repeats_are_refused_everywhere(
    tmp_path: Path, header: str, column: str, reason: str
) -> None:
    """A CSV header naming a column twice (or an object both ways) stops the file everywhere."""
    source = tmp_path / "a.csv"
    source.write_text(f"{header}\nA,,\n", encoding="utf-8")
    code, _, err = run(["evaluate", str(source), "--on", ON, "-o", str(tmp_path / "o.csv")])
    assert code == 2
    assert err == f"yantai-policy: error: {source}: line 1: {column}: {reason}\n"
    with pytest.raises(BadInputError, match=f"line 1: {column}: {reason}"):
        list(batch_io.csv_records(io.StringIO(f"{header}\r\nA,,\r\n", newline=""), "a.csv"))
    with pytest.raises(PolicyError, match=f"line 1: {column}: {reason}"):
        read_applicants(source)


def test_repeated_dataframe_columns_say_the_same() -> None:
    """evaluate_frame's message for a repeated column is the CSV header's."""
    df = pd.DataFrame([["A", "graduate", "farmer"]], columns=["id", "groups", "groups"])
    with pytest.raises(RecordError, match=r"^groups: the column appears twice$"):
        evaluate_frame(df, dt.date.fromisoformat(ON))


# --- bounded lines and cells ------------------------------------------------------------


class _Reads(io.BytesIO):
    """A byte stream that remembers the longest piece any read returned."""

    longest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.longest = max(self.longest, len(line))
        return line


def test_jsonl_line_past_the_bound_is_never_held_whole() -> None:
    """A line past the bound is read in pieces no longer than the bound plus one, then skipped."""
    good = json.dumps(GOOD).encode() + b"\n"
    stream = _Reads(good + b'{"id": "' + b"x" * 5_000_000 + b'"}\n' + good)
    lines = list(batch_io.jsonl_lines(stream, max_line_bytes=1000))
    assert lines[0] == good
    assert lines[2] == good
    assert isinstance(lines[1], BadLine)
    assert lines[1].reason == "the line is longer than 1,000 bytes"
    assert stream.longest <= 1 << 16


def test_jsonl_line_at_the_bound_is_read() -> None:
    """A line of exactly the bound (without its newline) is a line, one byte more is not."""
    line = json.dumps({"id": "A" * 20}).encode()
    (read,) = batch_io.jsonl_lines(io.BytesIO(line + b"\n"), max_line_bytes=len(line))
    assert read == line + b"\n"
    (past,) = batch_io.jsonl_lines(io.BytesIO(line + b"\n"), max_line_bytes=len(line) - 1)
    assert isinstance(past, BadLine)


def test_cli_jsonl_line_past_max_line_bytes(tmp_path: Path) -> None:
    """Evaluate --max-line-bytes: a longer JSONL line is an error row and the file goes on."""
    data = b"\n".join(
        [json.dumps(GOOD).encode(), b'{"id": "' + b"y" * 3000 + b'"}', json.dumps(FLEX).encode()]
    )
    rows = evaluate_lines(tmp_path, data + b"\n", ".jsonl", "--max-line-bytes", "2000")
    assert [row["error"] for row in rows] == [
        None,
        "row 2: the line is longer than 2,000 bytes",
        None,
    ]
    assert [row["id"] for row in rows] == ["G1", None, "H1"]


LONG_RECORDS = [
    "B1," + "z" * 3000,  # one line past the bound
    'B1,"' + "z\n" * 1500 + '"',  # a quoted cell, over many short lines, past the bound
    'B1,"' + "z\n" * 10 + "z" * 2500 + '\n""x"" ",farmer',  # a line past the bound inside quotes
    'B1,"a",' + "z" * 2500,  # quotes closed before the line past the bound
]


@pytest.mark.parametrize("module_limit", [2001, 10**7])
@pytest.mark.parametrize("bad", LONG_RECORDS)
def test_csv_line_or_cell_past_the_bound(bad: str, module_limit: int) -> None:
    """A CSV line or cell past the bound is one error row, whatever the csv module's own limit."""
    before = csv.field_size_limit()
    csv.field_size_limit(module_limit)
    try:
        text = f"id,groups\r\nG1,graduate\r\n{bad}\r\nF1,farmer\r\nF2,farmer\r\n"
        rows = list(
            batch_io.csv_records(io.StringIO(text, newline=""), "a.csv", max_line_bytes=2000)
        )
    finally:
        csv.field_size_limit(before)
    assert [row.reason if isinstance(row, BadLine) else row["id"] for row in rows] == [
        "G1",
        "a line or cell is longer than 2,000 characters",
        "F1",
        "F2",
    ]


@pytest.mark.parametrize("bad", LONG_RECORDS)
def test_cli_csv_line_or_cell_past_max_line_bytes(tmp_path: Path, bad: str) -> None:
    """Evaluate --max-line-bytes: a longer CSV line or cell is an error row; the next rows read."""
    data = f"id,groups\nG1,graduate\n{bad}\nF1,farmer\nF2,farmer\n"
    rows = evaluate_lines(tmp_path, data.encode(), ".csv", "--max-line-bytes", "2000")
    assert [row["id"] for row in rows] == ["G1", None, "F1", "F2"]
    assert rows[1]["error"] == "row 2: a line or cell is longer than 2,000 characters"
    assert [row["error"] for row in rows[2:]] == [None, None]


def test_csv_ten_megabyte_cell_goes_on(tmp_path: Path) -> None:
    """A 10 MB CSV cell (past the csv module's 131,072) is read with the default bound."""
    data = "id,groups,x_note\nA1,graduate," + "n" * 10_000_000 + "\nF1,farmer,\n"
    rows = evaluate_lines(tmp_path, data.encode(), ".csv")
    assert [(row["id"], row["error"]) for row in rows] == [("A1", None), ("F1", None)]


def test_csv_header_past_the_bound_stops_the_file(tmp_path: Path) -> None:
    """A header line past the bound stops the file: exit 2 with one line."""
    source = tmp_path / "a.csv"
    source.write_text("id," + "x_" * 2000 + "\nA\n", encoding="utf-8")
    code, _, err = run(["evaluate", str(source), "--on", ON, "-o", "-", "--output-format", "csv",
                        "--max-line-bytes", "1000"])  # fmt: skip
    assert code == 2
    assert (
        err
        == f"yantai-policy: error: {source}: line 1: the header is longer than 1,000 characters\n"
    )


def test_max_line_bytes_must_be_positive(tmp_path: Path) -> None:
    """--max-line-bytes 0 is refused with one line."""
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    code, _, err = run(["evaluate", str(source), "--on", ON, "-o", "-", "--output-format", "csv",
                        "--max-line-bytes", "0"])  # fmt: skip
    assert code == 2
    assert err.startswith(
        "yantai-policy: error: argument --max-line-bytes: expected a whole number"
    )


def test_plan_past_the_bound_is_refused(tmp_path: Path) -> None:
    """A plan file past max_bytes is refused with PolicyDataError; the bound itself loads."""
    plan = tmp_path / "plan.json"
    plan.write_bytes(PLAN.encode())
    size = plan.stat().st_size
    assert load_policy(plan, max_bytes=size).measures
    with pytest.raises(PolicyDataError, match=f"the file is larger than {size - 1:,} bytes"):
        load_policy(plan, max_bytes=size - 1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_plan_that_is_no_regular_file_is_refused_at_once(tmp_path: Path) -> None:
    """--plan /dev/zero, a FIFO with no writer, or a directory: exit 2 with one line, no hang."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, reason in [
        ("/dev/zero", "not a regular file: a device or a pipe"),
        (str(fifo), "not a regular file: a device or a pipe"),
        (str(tmp_path), "Is a directory"),
    ]:
        code, _, err = run(["measures", "--plan", path])
        assert code == 2
        assert err == f"yantai-policy: error: {path}: cannot read the file ({reason})\n"


# --- encodings ------------------------------------------------------------------------


CSV_TEXT = "id,groups,left_school_on\nG1,graduate,2020-07-01\n中文,farmer,\n"
JSONL_TEXT = json.dumps(GOOD, ensure_ascii=False) + "\n" + json.dumps({"id": "中文", "groups": ["farmer"]}, ensure_ascii=False) + "\n"  # fmt: skip
MARKED = ("utf-16", "utf-16-be-bom", "utf-32", "utf-32-be-bom", "utf-8-sig")


def _encode(text: str, encoding: str) -> bytes:
    if encoding.endswith("-be-bom"):
        codec = encoding.removesuffix("-bom")
        return ("\ufeff" + text).encode(codec)
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", MARKED)
@pytest.mark.parametrize(("suffix", "text"), [(".csv", CSV_TEXT), (".jsonl", JSONL_TEXT)])
def test_marked_encodings_read_as_utf8(
    tmp_path: Path, encoding: str, suffix: str, text: str
) -> None:
    """UTF-16 and UTF-32 with a byte-order mark (either order) read as the same text in UTF-8."""
    expected = evaluate_lines(tmp_path, text.encode(), suffix)
    assert all(row["error"] is None for row in expected)
    assert evaluate_lines(tmp_path, _encode(text, encoding), suffix) == expected
    source = tmp_path / f"r{suffix}"
    source.write_bytes(_encode(text, encoding))
    frame = read_applicants(source)
    source.write_bytes(text.encode())
    pd.testing.assert_frame_equal(frame, read_applicants(source))


@pytest.mark.parametrize("encoding", MARKED)
@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv"])
def test_marked_encodings_in_explain(tmp_path: Path, encoding: str, suffix: str) -> None:
    """Explain reads one record in UTF-16 or UTF-32 with a mark as in UTF-8."""
    text = {".json": json.dumps(GOOD), ".jsonl": json.dumps(GOOD) + "\n",
            ".csv": "id,groups,left_school_on\nG1,graduate,2020-07-01\n"}[suffix]  # fmt: skip
    source = tmp_path / f"a{suffix}"
    source.write_bytes(text.encode())
    expected = run(["explain", str(source), "--on", ON, "--json"])
    assert expected[0] == 0
    source.write_bytes(_encode(text, encoding))
    assert run(["explain", str(source), "--on", ON, "--json"]) == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize(("suffix", "text"), [(".csv", CSV_TEXT), (".jsonl", JSONL_TEXT)])
def test_unmarked_wide_encodings_are_refused_up_front(
    tmp_path: Path, encoding: str, suffix: str, text: str
) -> None:
    """UTF-16 or UTF-32 without a mark is refused, before any row, everywhere it is read."""
    source, target = tmp_path / f"in{suffix}", tmp_path / "out.csv"
    source.write_bytes(text.encode(encoding))
    code, _, err = run(["evaluate", str(source), "--on", ON, "-o", str(target)])
    name = encoding.upper()[:6]
    assert code == 2
    assert f"looks like {name} (" in err
    assert err.endswith("without a byte-order mark: save it as UTF-8\n")
    assert not target.exists() or target.read_text(encoding="utf-8").count("\n") <= 1
    with pytest.raises(PolicyError, match="without a byte-order mark"):
        read_applicants(source)


def test_stdin_in_utf16(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """UTF-16 on stdin is read, and stdin is left open."""
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(CSV_TEXT.encode("utf-16"))))
    monkeypatch.setattr(sys, "stdin", stdin)
    target = tmp_path / "out.jsonl"
    code, _, err = run(["evaluate", "-", "--input-format", "csv", "--on", ON, "-o", str(target)])
    assert code == 0, err
    assert [json.loads(line)["id"] for line in target.read_text(encoding="utf-8").splitlines()] == [
        "G1",
        "中文",
    ]
    assert not stdin.buffer.closed


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_plans_in_marked_encodings_load(tmp_path: Path, encoding: str, suffix: str) -> None:
    """A plan in UTF-16 or UTF-32 with a mark loads as the same plan in UTF-8 (as records do)."""
    text = PLAN if suffix == ".json" else _toml_plan()
    plan = tmp_path / f"plan{suffix}"
    plan.write_bytes(text.encode())
    expected = load_policy(plan)
    plan.write_bytes(text.encode(encoding))
    assert load_policy(plan).measures == expected.measures


def _toml_plan() -> str:
    return (Path(__file__).parent / "data" / "other-city.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_plans_in_unmarked_encodings_are_refused(tmp_path: Path, encoding: str) -> None:
    """A plan in UTF-16 or UTF-32 without a mark is refused, saying so."""
    plan = tmp_path / "plan.json"
    plan.write_bytes(PLAN.encode(encoding))
    with pytest.raises(PolicyDataError, match="without a byte-order mark"):
        load_policy(plan)


def test_plan_bad_utf16_names_the_line(tmp_path: Path) -> None:
    """A UTF-16 plan with a bad code unit says it is not UTF-16 and names the line."""
    plan = tmp_path / "plan.json"
    plan.write_bytes('{\n"a":\n'.encode("utf-16") + b"\x00\xd8A\x00")
    with pytest.raises(PolicyDataError, match=r"plan.json:3: the file is not UTF-16-LE"):
        load_policy(plan)


# --- Parquet nulls --------------------------------------------------------------------


STRUCTS = pa.schema(
    [
        ("id", pa.string()),
        ("groups", pa.list_(pa.string())),
        ("flexible_since", pa.string()),
        ("business_type", pa.string()),
        ("tax_due", pa.struct([("vat", pa.string()), ("income_tax", pa.string())])),
        ("loan", pa.struct([("kind", pa.string()), ("amount", pa.string())])),
        ("contributions", pa.list_(pa.struct([("month", pa.string()), ("amount", pa.string()), ("x_note", pa.string())]))),
    ]
)  # fmt: skip
RECORDS: list[dict[str, Any]] = [
    {"id": "T1", "business_type": "individual_business", "tax_due": {"vat": "1200"}},
    {"id": "L1", "loan": {"kind": "individual", "amount": "150000"}},
    {"id": "C1", "groups": ["hard_to_employ"], "flexible_since": "2021-02-01",
     "contributions": [{"month": "2021-03", "amount": "1000"}, {"month": "2021-04", "amount": "1000"}]},
    {"id": "N1"},
    {"id": "B1", "loan": {"kind": "individual"}},
]  # fmt: skip


def test_parquet_struct_nulls_read_as_absent(tmp_path: Path) -> None:
    """Struct and list-of-struct columns from Parquet: a null member is an absent field."""
    source = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(RECORDS, schema=STRUCTS), source)
    frame = read_applicants(source)
    assert frame["tax_due"].iloc[0] == {"vat": "1200", "income_tax": None}  # as pyarrow gives it
    result = evaluate_frame(frame, dt.date.fromisoformat(ON), errors="column")
    assert result["error"].tolist() == [
        None,
        None,
        None,
        None,
        "row 5: loan.amount: missing required field",
    ]
    expected = evaluate_frame(pd.DataFrame(RECORDS[:4]).astype(object), dt.date.fromisoformat(ON))
    pd.testing.assert_frame_equal(result.iloc[:4].drop(columns="error"), expected)
    with pytest.raises(RecordError, match=r"^row 5: loan.amount: missing required field$"):
        evaluate_frame(frame, dt.date.fromisoformat(ON))


# --- the same properties, through the other entry points ------------------------------


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(repeated_keys())
def test_repeated_key_through_explain_and_read_applicants(
    tmp_path: Path, case: tuple[str, str]
) -> None:
    """Explain's .json and .jsonl readers and read_applicants name the same repeated key."""
    text, path = case
    line = text.replace("\n", "\\n").replace("\u2028", "\\u2028")  # one line: no raw newline
    for fmt in ("json", "jsonl"):
        with pytest.raises(RecordError) as caught:
            batch_io.one_record(io.BytesIO(line.encode() + b"\n"), fmt, "applicant", f"a.{fmt}")
        assert (caught.value.field, caught.value.reason) == (path, jsonkeys.REASON)
    source = tmp_path / "a.jsonl"
    source.write_bytes(line.encode() + b"\n")
    with pytest.raises(PolicyError, match=f"line 1: {re.escape(path)}: {jsonkeys.REASON}"):
        read_applicants(source)


NAMES = st.text(alphabet=st.sampled_from("abg_.x"), min_size=1, max_size=6)


@CASES
@given(st.lists(NAMES, min_size=1, max_size=6, unique=True), st.data())
def test_repeated_csv_column_is_named(names: list[str], data: st.DataObject) -> None:
    """A header with one name given again anywhere is refused by the CSV reader, naming it."""
    repeated = data.draw(st.sampled_from(names))
    header = list(names)
    header.insert(data.draw(st.integers(0, len(header))), repeated)
    first_twice = next(n for i, n in enumerate(header) if n in header[:i])
    text = ",".join(header) + "\r\n" + ",".join("v" for _ in header) + "\r\n"
    with pytest.raises(BadInputError) as caught:
        list(batch_io.csv_records(io.StringIO(text, newline=""), "a.csv"))
    assert str(caught.value).startswith("a.csv: line 1: ")
    assert first_twice in str(caught.value)


UNICODE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\x00"), max_size=30
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(UNICODE, min_size=1, max_size=4), st.sampled_from(MARKED), st.booleans())
def test_random_text_reads_alike_in_every_marked_encoding(
    tmp_path: Path, cells: list[str], encoding: str, as_csv: bool
) -> None:
    """Any text, as CSV cells or JSONL ids, gives the same output in UTF-16/32 with a mark."""
    if as_csv:
        sink = io.StringIO(newline="")
        csv.writer(sink).writerows([["id", "x_note"], *([cell, cell] for cell in cells)])
        text, suffix = sink.getvalue(), ".csv"
    else:
        text, suffix = (
            "".join(json.dumps({"id": c}, ensure_ascii=False) + "\n" for c in cells),
            ".jsonl",
        )
    expected = evaluate_lines(tmp_path, text.encode(), suffix)
    assert evaluate_lines(tmp_path, _encode(text, encoding), suffix) == expected
