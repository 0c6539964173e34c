"""Hostile input: random bytes, cut plans, wrong encodings, huge numbers and the like.

Only the library's own errors may escape ([`PolicyDataError`][yantai_policy.errors.PolicyDataError] from the loader,
[`RecordError`][yantai_policy.benefits.records.RecordError] from the record parser, [`PolicyError`][yantai_policy.errors.PolicyError] in general), and
``yantai-policy evaluate`` exits 0 or 2, never with a traceback, writing exactly one
output row per input row when it exits 0. ``docs/hostile-input.md`` records how many
inputs these tests try.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yantai_policy import load_policy
from yantai_policy.benefits import evaluate_many
from yantai_policy.benefits.records import (
    APPLICANT_FIELDS,
    RecordError,
    applicant_from_csv_row,
    parse_applicant,
)
from yantai_policy.cli import main
from yantai_policy.errors import PolicyDataError, PolicyError
from yantai_policy.loading import BUILTIN_PLAN, read_data_file
from yantai_policy.textio import bom_encoding

PLAN = read_data_file(BUILTIN_PLAN)
TOML_PLAN = (Path(__file__).parent / "data" / "other-city.toml").read_bytes()
ON = "2021-12-31"
HUGE_DIGITS = "9" * 5000
ENCODINGS = ("gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32")
INJECTIONS = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("x")')

# Settings: every test runs in a few seconds; the totals are in docs/hostile-input.md.
FAST = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SLOW = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# --- helpers ------------------------------------------------------------------------


def load_bytes(tmp: Path, raw: bytes, suffix: str) -> None:
    """Load ``raw`` as a plan file; only PolicyDataError may escape."""
    path = tmp / f"plan{suffix}"
    path.write_bytes(raw)
    with contextlib.suppress(PolicyDataError):
        load_policy(path)


def parse_dict(record: object) -> None:
    """Parse one record; only RecordError may escape."""
    with contextlib.suppress(RecordError):
        parse_applicant(record)  # type: ignore[arg-type]


def jsonl_rows(data: bytes) -> int:
    """The rows the CLI reads from JSONL bytes: one per physical line, as a binary file."""
    codec = bom_encoding(data[:4])
    if codec != "utf-8-sig":  # UTF-16 or UTF-32 with a mark: lines of the decoded text
        return len(io.StringIO(data.decode(codec), newline="\n").readlines())
    return len(io.BytesIO(data).readlines())


def csv_rows(data: bytes) -> int:
    """The records the CLI reads from CSV bytes (the header excluded)."""
    codec = bom_encoding(data[:4])
    text = data.decode(codec, errors="surrogateescape" if codec == "utf-8-sig" else "strict")
    return sum(1 for _ in csv.DictReader(io.StringIO(text, newline="")))


def run_cli(tmp: Path, data: bytes, fmt: str, out_fmt: str | None = None) -> tuple[int, str]:
    """Run ``evaluate`` on the bytes; check the exit code, the row count and stderr."""
    source = tmp / f"in.{fmt}"
    target = tmp / f"out.{out_fmt or fmt}"
    source.write_bytes(data)
    target.unlink(missing_ok=True)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["evaluate", str(source), "--on", ON, "-o", str(target)])
    message = err.getvalue()
    assert code in {0, 1, 2}, message  # 1: every row has an error
    assert "Traceback" not in message
    if code == 2:
        assert message.startswith("yantai-policy: error:"), message
        return code, message
    expected = jsonl_rows(data) if fmt == "jsonl" else csv_rows(data)
    written = target.read_bytes()
    if (out_fmt or fmt) == "jsonl":
        # Split on \n only: ids may hold U+0085 or U+2028, which str.splitlines splits on.
        lines = [json.loads(line) for line in written.decode("utf-8").split("\n")[:-1]]
        assert [line["row"] for line in lines] == list(range(1, expected + 1))
        assert all((line["error"] is None) != (line["results"] is None) for line in lines)
        errors = [line["error"] is not None for line in lines]
    else:
        out = list(csv.reader(io.StringIO(written.decode("utf-8"), newline="")))
        assert len(out) - 1 == expected
        for row in out[1:]:
            assert not row[1].startswith(("=", "+", "-", "@")), row  # neutralised ids
        errors = [row[2] != "" for row in out[1:]]
    assert code == (1 if errors and all(errors) else 0), message  # exit 1: every row failed
    return code, message


# --- the plan loader ----------------------------------------------------------------


@FAST
@given(st.binary(max_size=2000))
def test_plan_random_bytes(tmp_path: Path, raw: bytes) -> None:
    """Random bytes as a JSON or TOML plan: a PolicyDataError at worst."""
    load_bytes(tmp_path, raw, ".json")
    load_bytes(tmp_path, raw, ".toml")


@FAST
@given(st.integers(0, len(PLAN.rstrip()) - 1))
def test_plan_truncated_json(tmp_path: Path, cut: int) -> None:
    """The built-in plan cut anywhere is refused with PolicyDataError."""
    with pytest.raises(PolicyDataError):
        load_policy(_write(tmp_path / "plan.json", PLAN[:cut]))


@FAST
@given(st.integers(0, len(TOML_PLAN) - 1))
def test_plan_truncated_toml(tmp_path: Path, cut: int) -> None:
    """A TOML plan cut anywhere loads (a cut at a table boundary) or raises PolicyDataError."""
    load_bytes(tmp_path, TOML_PLAN[:cut], ".toml")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_plan_wrong_encodings(tmp_path: Path, encoding: str, suffix: str) -> None:
    """GBK and UTF-16 without a BOM are refused; UTF-16/32 with a BOM and a UTF-8 BOM load."""
    source = PLAN if suffix == ".json" else TOML_PLAN
    raw = source.decode("utf-8").encode(encoding)
    path = _write(tmp_path / f"plan{suffix}", raw)
    if encoding in {"utf-8-sig", "utf-16", "utf-32"}:  # a byte-order mark, as records take
        assert load_policy(path).measures
    else:
        reason = "not UTF-8" if encoding == "gbk" else "without a byte-order mark"
        with pytest.raises(PolicyDataError, match=reason):
            load_policy(path)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": 1e400}',
        '{"format": NaN}',
        '{"format": Infinity}',
        '{"format": -Infinity}',
        '{"format": ' + HUGE_DIGITS + "}",
        '{"format": 1e99999999999999999999}',
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '"' + "x" * 10_000_000 + '"',
        '{"notice": {"date": "2021-02-30"}}',
    ],
    ids=[
        "1e400",
        "nan",
        "inf",
        "-inf",
        "5000-digits",
        "huge-exp",
        "deep-list",
        "deep-obj",
        "10MB",
        "feb30",
    ],
)
def test_plan_hostile_json(tmp_path: Path, text: str) -> None:
    """Huge numbers, NaN, deep nesting and 10 MB strings in a JSON plan: PolicyDataError."""
    with pytest.raises(PolicyDataError):
        load_policy(_write(tmp_path / "plan.json", text.encode()))


@pytest.mark.parametrize(
    "text",
    [
        "a = " + HUGE_DIGITS,
        "a = nan",
        "a = inf",
        "a = 1e400",
        "a = 2021-02-30",
        "a = " + "[" * 10_000 + "]" * 10_000,
        "a = " + "{b = " * 2_000 + "1" + "}" * 2_000,
        'a = "' + "x" * 10_000_000 + '"',
    ],
    ids=["5000-digits", "nan", "inf", "1e400", "feb30", "deep-array", "deep-table", "10MB"],
)
def test_plan_hostile_toml(tmp_path: Path, text: str) -> None:
    """The same in a TOML plan (a 5,000-digit integer used to escape as ValueError)."""
    with pytest.raises(PolicyDataError):
        load_policy(_write(tmp_path / "plan.toml", text.encode()))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals()
    | st.text(max_size=30)
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", HUGE_DIGITS, "2021-02-30"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(
    st.sampled_from(["notice", "bureaus", "measures", "parameters", "format_version"]), JSON_VALUES
)
def test_plan_hostile_values(tmp_path: Path, key: str, value: Any) -> None:
    """A top-level section of the built-in plan replaced by any value, through a file."""
    data = json.loads(PLAN)
    data[key] = value
    try:
        raw = json.dumps(data, default=str).encode()
    except ValueError:  # an int past the 4,300-digit limit: cannot be written as JSON
        return
    load_bytes(tmp_path, raw, ".json")


# --- the record parser --------------------------------------------------------------

FIELDS = st.sampled_from([*APPLICANT_FIELDS, "x_note"])  # every field, and an extension
SPECIALS: list[object] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("1e400"),
    Decimal("1e99999999999999999"),
    Decimal("1.000000000000000000000000000001"),
    10**5000,
    -(10**5000),
    10**4000,
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    HUGE_DIGITS,
    "2021-02-30",
    "2021-13-01",
    "0000-00-00",
    dt.date.max,
    dt.datetime(2021, 1, 1),  # noqa: DTZ001 - a naive date-time is the point
    *INJECTIONS,
    "\ud800",
    "\x00",
]


def _special(index: int) -> object:
    return SPECIALS[index]


# Drawn by index: hypothesis cannot print a strategy that holds a 5,000-digit int.
HOSTILE_SCALARS = st.one_of(
    st.integers(0, len(SPECIALS) - 1).map(_special),
    st.integers(),
    st.decimals(),
    st.floats(),
    st.text(max_size=20),
)
HOSTILE_VALUES = st.recursive(
    HOSTILE_SCALARS | st.none() | st.booleans(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["month", "amount", "paid_on", "kind", "vat"]), children)
    ),
    max_leaves=8,
)


@FAST
@given(st.dictionaries(FIELDS | st.integers() | st.text(max_size=8), HOSTILE_VALUES, max_size=6))
def test_parse_applicant_hostile_dicts(record: dict[Any, Any]) -> None:
    """Any dict of hostile values: an Applicant or a RecordError, nothing else."""
    parse_dict(record)


@FAST
@given(HOSTILE_VALUES)
def test_parse_applicant_hostile_records(record: Any) -> None:
    """Not even a dict: a RecordError."""
    parse_dict(record)


@pytest.mark.parametrize(
    "record",
    [
        {"id": 10**5000},
        {"id": "a", "loan": {"kind": "individual", "amount": 10**5000}},
        {"id": "a", "loan": {"kind": "individual", "amount": -(10**5000)}},
        {"id": "a", "tax_due": {"vat": Decimal("1.000000000000000000000000000001")}},
        {"id": "a", 10**5000: 1},
        {"id": "x" * 10_000_000},
        {"id": "a", "platform": "x" * 10_000_000},
        {"id": "a", "tax_due": {"vat": "9" * 10_000_000}},
    ],
    ids=[
        "huge-id",
        "huge-amount",
        "huge-negative",
        "31-digit-decimal",
        "huge-key",
        "10MB-id",
        "10MB-platform",
        "10MB-amount",
    ],
)
def test_parse_applicant_edge_records(record: dict[Any, Any]) -> None:
    """Each of these used to escape as ValueError or pass silently (see the docs page)."""
    if record.get("id") == "x" * 10_000_000 or "platform" in record:
        assert parse_applicant(record).id == record["id"]
        return
    with pytest.raises(RecordError):
        parse_applicant(record)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            ["id", "groups", "contributions", "loan.amount", "tax_due.vat", "operating"]
        )
        | st.text(max_size=8),
        st.text(max_size=30) | st.sampled_from([*INJECTIONS, HUGE_DIGITS, "NaN", "2021-02-30:1"]),
        max_size=6,
    )
)
def test_csv_row_hostile(row: dict[str, str]) -> None:
    """CSV rows: applicant_from_csv_row, then parse_applicant, raise only RecordError."""
    with contextlib.suppress(RecordError):
        parse_applicant(applicant_from_csv_row(row))


def test_evaluate_many_huge_int_id() -> None:
    """A 5,000-digit integer id is an error row (with no id), not a ValueError."""
    rows = list(evaluate_many([{"id": 10**5000}], on=dt.date(2021, 12, 31)))
    assert rows[0].error is not None
    assert rows[0].id is None


@FAST
@given(st.lists(HOSTILE_VALUES, max_size=20))
def test_evaluate_many_one_row_per_record(records: list[Any]) -> None:
    """evaluate_many yields exactly one row per input, with a result or an error."""
    rows = list(evaluate_many(records, on=dt.date(2021, 12, 31)))
    assert [r.row for r in rows] == list(range(1, len(records) + 1))
    assert all((r.error is None) == bool(r.outcomes) for r in rows)


# --- the command line ---------------------------------------------------------------

GOOD = b'{"id": "A1", "groups": ["graduate"], "left_school_on": "2020-07-01"}'
LINES = st.one_of(
    st.binary(max_size=200).map(lambda b: b.replace(b"\n", b"")),
    st.just(GOOD),
    st.sampled_from(
        [
            b'{"id": "a", "loan": {"kind": "individual", "amount": NaN}}',
            b'{"id": "a", "tax_due": {"vat": "Infinity"}}',
            b'{"id": "a", "tax_due": {"vat": 1e400}}',
            b'{"id": "a", "tax_due": {"vat": 1e99999999999999999999}}',
            b'{"id": "a", "tax_due": {"vat": ' + HUGE_DIGITS.encode() + b"}}",
            b'{"id": "a", "left_school_on": "2021-02-30"}',
            b"[" * 10_000 + b"]" * 10_000,
            b'{"id": "=cmd|\' /C calc\'!A0"}',
            b"\xef\xbb\xbf" + GOOD,
            GOOD.decode().encode("utf-16"),
            GOOD.decode().encode("gbk"),
            b"",
            b"   ",
            b"\r",
        ]
    ),
    JSON_VALUES.map(lambda v: json.dumps(v, default=str).encode()),
)


@SLOW
@given(st.lists(LINES, max_size=12), st.booleans())
def test_cli_jsonl_hostile(tmp_path: Path, lines: list[bytes], final_newline: bool) -> None:
    """Any JSONL file: exit 0 with one row per line (or 2 with a message)."""
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    run_cli(tmp_path, data, "jsonl")


CELLS = st.one_of(
    st.text(max_size=20),
    st.sampled_from([*INJECTIONS, "NaN", "Infinity", "1e400", HUGE_DIGITS, "2021-02-30"]),
)
COLUMNS = [
    "id",
    "groups",
    "left_school_on",
    "contributions",
    "loan.kind",
    "loan.amount",
    "tax_due.vat",
]


@SLOW
@given(
    st.lists(st.lists(CELLS, min_size=1, max_size=len(COLUMNS) + 1), max_size=10),
    st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le"]),
)
def test_cli_csv_hostile(tmp_path: Path, rows: list[list[str]], encoding: str) -> None:
    """Any CSV, in any encoding: exit 0 with one row per record (or 2 with a message)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    run_cli(tmp_path, data, "csv")
    run_cli(tmp_path, data, "csv", out_fmt="jsonl")


@FAST
@given(st.binary(max_size=500))
def test_cli_random_bytes(tmp_path: Path, data: bytes) -> None:
    """Random bytes as JSONL and as CSV."""
    run_cli(tmp_path, data, "jsonl")
    run_cli(tmp_path, data, "csv")


def test_cli_ten_megabyte_cells(tmp_path: Path) -> None:
    """A 10 MB JSONL line is one row; a 10 MB CSV cell is one row, and the file goes on."""
    big = "x" * 10_000_000
    code, _ = run_cli(tmp_path, json.dumps({"id": big}).encode() + b"\n" + GOOD + b"\n", "jsonl")
    assert code == 0
    code, _ = run_cli(tmp_path, f"id\r\n{big}\r\nA1\r\n".encode(), "csv")
    assert code == 0
    out = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8", newline="")))
    assert [row[1] for row in out[1:]] == [big, "A1"]


def test_cli_injection_csv_is_neutralised(tmp_path: Path) -> None:
    """Formula-like ids come back quoted so a spreadsheet shows them as text."""
    data = "id,groups\r\n" + "".join(f"{_csv_cell(i)},graduate\r\n" for i in INJECTIONS)
    code, _ = run_cli(tmp_path, data.encode(), "csv")
    assert code == 0
    out = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8", newline="")))
    assert [row[1] for row in out[1:]] == ["'" + i for i in INJECTIONS]


def _csv_cell(text: str) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow([text])
    return buffer.getvalue().rstrip("\r\n")


def _write(path: Path, raw: bytes) -> Path:
    path.write_bytes(raw)
    return path


# --- the regression corpus ----------------------------------------------------------

CORPUS = Path(__file__).parent / "corpus"
CORPUS_FILES = sorted(
    p for p in CORPUS.iterdir() if p.suffix in {".json", ".toml", ".jsonl", ".csv"}
)
LOADS = {"utf8-bom-plan.toml"}
"""Corpus plans that load; every other plan in the corpus must raise PolicyDataError."""
REFUSED = {"utf16le-nobom.csv": "UTF-16 (little-endian) without a byte-order mark"}
"""Corpus records refused up front, with exit 2 and this in the message."""


def test_corpus_is_small_and_present() -> None:
    """The corpus holds the cases the docs page lists, each under 50 KB."""
    assert len(CORPUS_FILES) >= 15
    assert all(p.stat().st_size < 50_000 for p in CORPUS_FILES)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus(tmp_path: Path, path: Path) -> None:
    """Each corpus file: plans raise PolicyDataError (or load); records keep one row each."""
    raw = path.read_bytes()
    if "plan" in path.name:
        if path.name in LOADS:
            assert load_policy(path).measures
        else:
            with pytest.raises(PolicyDataError):
                load_policy(path)
        return
    fmt = path.suffix.lstrip(".")
    code, message = run_cli(tmp_path, raw, fmt)
    if path.name in REFUSED:
        assert code == 2
        assert REFUSED[path.name] in message
        return
    assert code in {0, 1}  # 1 where every row has an error (run_cli checks which)
    run_cli(tmp_path, raw, fmt, out_fmt="csv" if fmt == "jsonl" else "jsonl")
    if fmt == "jsonl":  # the same lines, parsed as the CLI does, through evaluate_many
        records = [_line_value(line) for line in io.BytesIO(raw)]
        rows = list(evaluate_many(records, on=dt.date(2021, 12, 31)))
        assert len(rows) == len(records)
        assert all((r.error is None) == bool(r.outcomes) for r in rows)


def _line_value(line: bytes) -> object:
    """A JSONL line as a value for parse_applicant; an unreadable line as a plain string."""
    try:
        return json.loads(line, parse_float=Decimal)
    except (ValueError, RecursionError, ArithmeticError):
        return line.decode("utf-8", "replace")


EXPECTED_ERRORS = (PolicyDataError, RecordError, PolicyError)
"""What may escape the library's entry points."""
