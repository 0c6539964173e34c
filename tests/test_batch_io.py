"""Batch I/O in the library: readers, writers from chunks, unmet columns, jobs, titles as names."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import pathlib
import pickle
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yantai_policy import cli
from yantai_policy.benefits import (
    APPLICANT_BENEFITS,
    BENEFITS,
    BatchSummary,
    batch_io,
    evaluate,
    evaluate_many,
    get_benefit,
)
from yantai_policy.benefits.batch_io import BadLine, RecordParser, decode_jsonl
from yantai_policy.benefits.gcpause import gc_paused
from yantai_policy.cli import main
from yantai_policy.errors import PolicyError, UnknownNameError

if TYPE_CHECKING:
    from pathlib import Path

ON = dt.date(2021, 7, 16)
RECORDS: list[Any] = [
    {"id": "A1", "business_type": "individual_business", "first_license_on": "2021-01-15",
     "operating": True, "pays_employee_insurance": True},
    {"id": "A2", "business_type": "individual_business", "first_license_on": "2021-05-15",
     "operating": True, "pays_employee_insurance": False},
    {"id": "B1", "groups": "farmer"},
    {"id": "H1", "groups": ["hard_to_employ"], "flexible_since": "2021-02-01",
     "contributions": [{"month": "2021-02", "amount": "1000"}]},
    [1, 2],
    {"id": "G1", "groups": ["graduate"], "left_school_on": "2020-07-01"},
]  # fmt: skip
"""Eligible, two unmet conditions, a bad field, a contributor, a non-object, a graduate."""


def _lines(records: list[Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _write_chunks(records: list[Any], fmt: str, **options: Any) -> str:
    sink = io.StringIO(newline="")
    write = (batch_io.csv_writer if fmt == "csv" else batch_io.jsonl_writer)(
        sink, list(APPLICANT_BENEFITS)
    )
    for chunk in evaluate_many(records, on=ON, **options).chunks():
        write(chunk)
    return sink.getvalue()


def test_cli_holds_no_batch_io() -> None:
    """The readers and writers live in the library: the CLI module has none of its own."""
    for name in ("_csv_records", "_jsonl_lines", "_record_parser", "_csv_writer", "_cells"):
        assert not hasattr(cli, name)
    assert "csv" not in vars(cli)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            b"{not json",
            "invalid JSON: Expecting property name enclosed in double quotes at column 2",
        ),
        (b"", "empty line"),
        (b"  \r", "empty line"),
        (b'{"id": "\xff"}', "not UTF-8 (invalid start byte at byte 9)"),
        (b'{"a": 1e99999999999999999999}', "invalid JSON: a number out of range"),
        (b"[" * 10_000 + b"]" * 10_000, "invalid JSON: maximum recursion depth exceeded"),
    ],
    ids=["bad-json", "empty", "blank", "bad-utf8", "huge-exponent", "deep"],
)
def test_decode_jsonl_bad_lines(line: bytes, reason: str) -> None:
    """A line with no JSON value is a BadLine whose reason becomes the row's error."""
    value = decode_jsonl(line)
    assert isinstance(value, BadLine)
    assert value.reason.startswith(reason)


def test_decode_jsonl_keeps_json_acceptance() -> None:
    """Fractions are exact Decimals; NaN and huge integers read as the json module reads them."""
    assert decode_jsonl(b'{"a": 512.30}') == {"a": __import__("decimal").Decimal("512.30")}
    nan = decode_jsonl(b'{"a": NaN}')
    assert isinstance(nan, dict)
    assert nan["a"] != nan["a"]
    huge = decode_jsonl(b'{"a": ' + b"9" * 5000 + b"}")
    assert isinstance(huge, BadLine)
    assert "integer string conversion" in huge.reason


def test_jsonl_lines_skip_only_the_first_bom() -> None:
    """A byte-order mark is dropped from line 1; a BOM on a later line stays (and fails)."""
    source = io.BytesIO(b'\xef\xbb\xbf{"id": "A"}\n\xef\xbb\xbf{"id": "B"}\n')
    lines = list(batch_io.jsonl_lines(source))
    assert lines[0] == b'{"id": "A"}\n'
    assert isinstance(decode_jsonl(lines[1]), BadLine)


def test_parser_and_bad_line_pickle() -> None:
    """RecordParser and BadLine survive pickling, as worker processes need."""
    parser = pickle.loads(pickle.dumps(RecordParser("placement", "jsonl")))  # noqa: S301
    assert (parser.kind, parser.fmt) == ("placement", "jsonl")
    assert pickle.loads(pickle.dumps(BadLine("empty line"))).reason == "empty line"  # noqa: S301


def test_unmet_columns_come_from_the_outcomes() -> None:
    """<benefit>.unmet holds each row's Outcome.unmet joined by ;, empty when eligible."""
    rows = list(csv.DictReader(io.StringIO(_write_chunks(RECORDS, "csv"), newline="")))
    expected = list(evaluate_many(RECORDS, on=ON))
    assert len(rows) == len(expected)
    for got, row in zip(rows, expected, strict=True):
        if row.error is not None:
            assert all(got[f"{n}.unmet"] == "" for n in APPLICANT_BENEFITS)
            continue
        for outcome in row.outcomes:
            assert got[f"{outcome.benefit}.unmet"] == ";".join(outcome.unmet)
            assert (got[f"{outcome.benefit}.unmet"] == "") == outcome.eligible
    assert rows[1]["startup_subsidy.unmet"] == "operated_long_enough;pays_employee_insurance"


def test_unmet_codes_are_failed_conditions_of_the_decision() -> None:
    """Every unmet code is a condition that did not hold in the full decision."""
    line = json.loads(_write_chunks(RECORDS[1:2], "jsonl"))
    for name, result in line["results"].items():
        failed = {r.code for r in evaluate(name, RECORDS[1], on=ON).reasons if not r.held}
        unmet = set(filter(None, result["unmet"].split(";")))
        assert unmet <= failed
        assert bool(unmet) != result["eligible"]


def _csv_from_rows(records: list[Any]) -> str:
    """The CSV output built the slow way, one Row object at a time (a reference)."""
    sink = io.StringIO(newline="")
    sink.write("\ufeff")  # every CSV output starts with a BOM, as export csv does
    writer = csv.writer(sink)
    writer.writerow(batch_io.header(APPLICANT_BENEFITS))
    for row in evaluate_many(records, on=ON):
        cells = [str(row.row), row.id or "", "" if row.error is None else str(row.error)]
        if row.error is not None:
            cells += [""] * 3 * len(APPLICANT_BENEFITS)
        for o in row.outcomes:
            amount = "" if o.amount is None else str(o.amount)
            cells += [str(o.eligible).lower(), amount, ";".join(o.unmet)]
        writer.writerow(cells)
    return sink.getvalue()


@pytest.mark.parametrize("chunk_size", [1, 2, 4096])
def test_chunk_writer_matches_rows(chunk_size: int) -> None:
    """Written from columns a chunk at a time, the CSV equals one built row by row."""
    records = RECORDS * 5
    assert _write_chunks(records, "csv", chunk_size=chunk_size) == _csv_from_rows(records)


def _jsonl_from_rows(records: list[Any]) -> str:
    """The JSONL output built the slow way, json.dumps of one dict per Row (a reference)."""
    lines = []
    for row in evaluate_many(records, on=ON):
        results = None
        if row.error is None:
            results = {
                o.benefit: {
                    "eligible": o.eligible,
                    "amount": None if o.amount is None else str(o.amount),
                    "unmet": ";".join(o.unmet),
                }
                for o in row.outcomes
            }
        line = {
            "row": row.row,
            "id": None if row.id is None else batch_io.printable(row.id),
            "error": None if row.error is None else str(row.error),
            "results": results,
        }
        text = json.dumps(line, ensure_ascii=False)
        for separator in ("\x85", "\u2028", "\u2029"):  # escaped: a line stays one line
            text = text.replace(separator, f"\\u{ord(separator):04x}")
        lines.append(text + "\n")
    return "".join(lines)


@pytest.mark.parametrize("chunk_size", [1, 3, 4096])
def test_jsonl_writer_is_json_dumps_of_each_row(chunk_size: int) -> None:
    """The JSONL lines joined from cached pieces are byte for byte json.dumps of each row."""
    records = [
        *RECORDS,
        {"id": '名字\u2028"q"\x85\u2029', "groups": ["farmer"]},
        {"id": "B2", "groups": "x"},
        {"groups": ["farmer"]},
    ] * 3
    assert _write_chunks(records, "jsonl", chunk_size=chunk_size) == _jsonl_from_rows(records)


def test_summary_of_chunks_matches_rows() -> None:
    """BatchSummary.add_chunk counts as BatchSummary.add over the same rows does."""
    by_chunk, by_row = BatchSummary(), BatchSummary()
    for chunk in evaluate_many(RECORDS * 3, on=ON, chunk_size=4).chunks():
        by_chunk.add_chunk(chunk)
    for row in evaluate_many(RECORDS * 3, on=ON):
        by_row.add(row)
    assert by_chunk == by_row
    assert by_chunk.to_text() == by_row.to_text()


def test_summary_of_error_chunks_only() -> None:
    """A batch of error rows only has rows and errors in its summary, as row by row."""
    summary = BatchSummary()
    for chunk in evaluate_many([[1], [2]], on=ON).chunks():
        summary.add_chunk(chunk)
    assert summary.to_text() == "rows: 2\nerrors: 2"


def test_jobs_two_gives_the_same_rows_in_order() -> None:
    """jobs=2 yields exactly the rows of jobs=1 (errors, ids, row numbers), in order."""
    records = [dict(r, id=f"{r['id']}-{i}") if isinstance(r, dict) else r
               for i in range(40) for r in RECORDS]  # fmt: skip
    one = list(evaluate_many(records, on=ON, chunk_size=7))
    two = list(evaluate_many(records, on=ON, chunk_size=7, jobs=2))
    assert [r.row for r in two] == list(range(1, len(records) + 1))
    assert [(r.row, r.id, r.outcomes, str(r.error)) for r in two] == [
        (r.row, r.id, r.outcomes, str(r.error)) for r in one
    ]
    assert [r.outcomes[0].unmet for r in two if r.outcomes] == [
        r.outcomes[0].unmet for r in one if r.outcomes
    ]
    errors = [r.error for r in two if r.error is not None]
    assert errors
    assert [(e.row, e.field, e.reason) for e in errors] == [
        (r.error.row, r.error.field, r.error.reason) for r in one if r.error is not None
    ]


def test_jobs_two_with_decode_and_start() -> None:
    """Raw JSONL lines are decoded in the workers; start numbers the rows as with one process."""
    lines = list(batch_io.jsonl_lines(io.BytesIO(_lines(RECORDS) + b"{bad\n\n")))
    options: dict[str, Any] = {
        "on": ON,
        "decode": decode_jsonl,
        "parse": RecordParser("applicant", "jsonl"),
        "start": 10,
        "chunk_size": 3,
    }
    one = [(r.row, r.id, r.outcomes, str(r.error)) for r in evaluate_many(lines, **options)]
    two = [(r.row, r.id, r.outcomes, str(r.error)) for r in evaluate_many(lines, jobs=2, **options)]
    assert two == one
    assert [r[0] for r in two] == list(range(10, 10 + len(lines)))
    assert two[-1][3] == "row 17: empty line"


@pytest.mark.parametrize("jobs", [0, -1, 1.5, "2", 257, 10**9])
def test_bad_jobs(jobs: Any) -> None:
    """Jobs must be a positive integer, at most MAX_JOBS (a pool forks them all at once)."""
    with pytest.raises(PolicyError, match="jobs must be a positive integer"):
        evaluate_many(RECORDS, on=ON, jobs=jobs)


def test_cli_jobs_output_is_identical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Evaluate --jobs 2 writes byte for byte what --jobs 1 does, and the same summary."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(_lines(RECORDS * 30) + b"{bad\n")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.csv"
        assert main(["evaluate", str(source), "--on", str(ON), "-o", str(out), "--jobs", jobs]) == 0
        outputs.append((out.read_bytes(), capsys.readouterr().err))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].startswith("rows: 181\nerrors: 61\n")


def test_cli_bad_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--jobs 0 is a usage error: exit 2 with one line."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(_lines(RECORDS))
    with pytest.raises(SystemExit) as stop:
        main(
            ["evaluate", str(source), "--on", str(ON), "-o", str(tmp_path / "o.csv"), "--jobs", "0"]
        )
    assert stop.value.code == 2
    assert capsys.readouterr().err == (
        "yantai-policy: error: argument --jobs: expected a whole number from 1 to 256, got 0 "
        "(see yantai-policy evaluate --help)\n"
    )


# --- Chinese titles as names ---------------------------------------------------------


@pytest.mark.parametrize("name", list(BENEFITS))
def test_title_is_a_name(name: str) -> None:
    """Each benefit's Chinese title finds the same formula as its name."""
    assert get_benefit(BENEFITS[name].title.zh) is BENEFITS[name]


def test_title_near_miss_suggests() -> None:
    """A near miss of a title or a name raises UnknownNameError with the close ones."""
    with pytest.raises(UnknownNameError) as caught:
        get_benefit("一次性创业补助")
    assert caught.value.suggestions == ("一次性创业补贴",)
    with pytest.raises(UnknownNameError) as caught:
        get_benefit("startup_subsid")
    assert "startup_subsidy" in caught.value.suggestions


def test_titles_in_evaluate_and_evaluate_many() -> None:
    """Evaluate and evaluate_many take titles; the results carry the benefit's name."""
    assert evaluate("一次性创业补贴", RECORDS[0], on=ON).benefit == "startup_subsidy"
    (row,) = evaluate_many(RECORDS[:1], on=ON, benefits=["一次性创业补贴"])
    assert [o.benefit for o in row.outcomes] == ["startup_subsidy"]


def test_titles_in_evaluate_frame() -> None:
    """evaluate_frame takes a title too."""
    pandas = pytest.importorskip("pandas")
    from yantai_policy.benefits.frame import evaluate_frame  # noqa: PLC0415

    frame = pandas.DataFrame([RECORDS[0]])
    by_title = evaluate_frame(frame, on=ON, benefits=["一次性创业补贴"])
    by_name = evaluate_frame(frame, on=ON, benefits=["startup_subsidy"])
    assert by_title.equals(by_name)


def test_cli_title_names_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--benefit 一次性创业补贴 works, and the columns carry the benefit's name."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(_lines(RECORDS[:1]))
    out = tmp_path / "out.csv"
    code = main(
        ["evaluate", str(source), "--on", str(ON), "--benefit", "一次性创业补贴", "-o", str(out)]
    )
    assert code == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert (
        header
        == "row,id,error,startup_subsidy.eligible,startup_subsidy.amount,startup_subsidy.unmet"
    )
    assert "startup_subsidy: 1 eligible" in capsys.readouterr().err


# --- msgspec reads, json decides ----------------------------------------------------

_SPECIAL_LINES = [
    b'{"a": NaN}',
    b'{"a": Infinity, "b": -Infinity}',
    b'{"a": 1e400}',
    b'{"a": 1e99999999999999999999}',
    b'{"a": ' + b"9" * 4300 + b"}",
    b'{"a": ' + b"9" * 4301 + b"}",
    b"[" * 10_000 + b"]" * 10_000,
    b'"\\ud800"',
    b'{"a": 1,}',
    b"01",
    b'{"a": -0.0, "a": 2}',
    b'"\xe2\x80\xa8"',
    b"\xff\xfe{}",
]
_JSON_TEXT = st.recursive(
    st.none() | st.booleans() | st.integers() | st.decimals(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=8,
).map(lambda v: json.dumps(v, default=str).encode())
_LINES = st.one_of(
    st.binary(max_size=60), st.sampled_from(_SPECIAL_LINES), _JSON_TEXT,
    _JSON_TEXT.map(lambda b: b[:-1]),
)  # fmt: skip


def _shown(value: object) -> str:
    """A decoded value or bad line as comparable text (NaN equals NaN here)."""
    return f"BadLine({value.reason!r})" if isinstance(value, BadLine) else repr(value)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_decode_jsonl_accepts_and_refuses_as_json(line: bytes) -> None:
    """The msgspec fast path gives exactly the json module's value or message for any line."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        assert isinstance(decode_jsonl(line), BadLine)
        return
    reference = batch_io._json_line(text) if text.strip() else BadLine("empty line")
    assert _shown(decode_jsonl(line)) == _shown(reference)


def test_paused_gc_nests_and_restores() -> None:
    """Nested pauses keep the collector off until the last ends, then restore it."""
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


_CORPUS = sorted(
    p
    for p in (pathlib.Path(__file__).parent / "corpus").iterdir()
    if p.suffix in {".jsonl", ".csv"} and "plan" not in p.name
)


@pytest.mark.parametrize("path", _CORPUS, ids=[p.name for p in _CORPUS])
def test_corpus_jobs_two_matches_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: pathlib.Path
) -> None:
    """Each hostile corpus file: --jobs 2 exits, writes and summarises as --jobs 1 does."""
    results = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        code = main(["evaluate", str(path), "--on", "2021-12-31", "-o", str(out), "--jobs", jobs])
        results.append((code, out.read_bytes() if out.exists() else b"", capsys.readouterr().err))
    assert results[0] == results[1]
    assert results[0][0] in {0, 1, 2}  # 1: every row has an error


def test_unreadable_input_stops_alike_with_jobs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV the reader cannot go on with stops at the same row, exit 2, with --jobs 2 too.

    The run failed, so no output file is left (the rows before the stop are not kept).
    """
    source = tmp_path / "in.csv"
    text = "id,groups\n" + "".join(f"R{i},farmer\n" for i in range(9000))
    source.write_bytes(
        text.encode("utf-16") + "\ud800".encode("utf-16-le", "surrogatepass") + b"A\0"
    )
    results = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.csv"
        code = main(["evaluate", str(source), "--on", str(ON), "-o", str(out), "--jobs", jobs])
        results.append((code, out.exists(), capsys.readouterr().err))
    assert results[0] == results[1]
    code, written, err = results[0]
    assert (code, written) == (2, False)
    assert err.startswith("yantai-policy: error: ")
    assert "not UTF-16-LE text" in err


def test_jobs_read_ahead_is_bounded() -> None:
    """With jobs=2 the input is read at most IN_FLIGHT * jobs chunks ahead of the output."""
    from yantai_policy.benefits.parallel import IN_FLIGHT  # noqa: PLC0415

    pulled = 0

    def records() -> Any:
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield {"id": str(i), "groups": ["farmer"]}

    batch = evaluate_many(records(), on=ON, benefits=["fee_exemptions"], chunk_size=10, jobs=2)
    chunks = batch.chunks()
    first = next(chunks)
    assert (first.start, len(first)) == (1, 10)
    assert pulled <= IN_FLIGHT * 2 * 10
    batch.close()  # abandoning the batch stops the workers
    assert next(chunks, None) is None
    assert pulled < 10_000
