r"""Batch files: read records from CSV or JSONL, write results to CSV or JSONL.

What ``yantai-policy evaluate`` reads and writes, as a library (the command only parses
its arguments and dispatches here). Reading is in two steps, so that a worker process
can do the costly one ([`parallel`][yantai_policy.benefits.parallel]):

* the reader ([`csv_records`][yantai_policy.benefits.batch_io.csv_records], [`jsonl_lines`][yantai_policy.benefits.batch_io.jsonl_lines]) yields one raw item per input
  row, lazily: a CSV row as a dict, a JSONL line as its bytes;
* [`decode_jsonl`][yantai_policy.benefits.batch_io.decode_jsonl] turns a line into its JSON value (or a [`BadLine`][yantai_policy.benefits.batch_io.BadLine]), and
  [`RecordParser`][yantai_policy.benefits.batch_io.RecordParser] turns the value into a record, raising
  [`RecordError`][yantai_policy.benefits.RecordError] naming the field.

The writers ([`csv_writer`][yantai_policy.benefits.batch_io.csv_writer], [`jsonl_writer`][yantai_policy.benefits.batch_io.jsonl_writer]) take the
[`Chunk`][yantai_policy.benefits.Chunk] objects of
[`chunks`][yantai_policy.benefits.Batch.chunks]: columns, turned into Python lists once
per chunk, with no object per row.

Examples:
    >>> import datetime as dt, io
    >>> from yantai_policy.benefits import evaluate_many
    >>> source = io.BytesIO(b'{"id": "A", "groups": ["farmer"]}\n{"id": "B", "groups": "farmer"}\n')
    >>> batch = evaluate_many(jsonl_lines(source), on=dt.date(2021, 6, 1),
    ...     benefits=["startup_subsidy"], decode=decode_jsonl,
    ...     parse=RecordParser("applicant", "jsonl"))
    >>> sink = io.StringIO(newline="")
    >>> write = csv_writer(sink, ["startup_subsidy"])
    >>> for chunk in batch.chunks():
    ...     write(chunk)
    >>> text = sink.getvalue()
    >>> text[0] == "\ufeff"  # a BOM, as every CSV output
    True
    >>> print(text[1:].replace("\r\n", "\n"), end="")
    row,id,error,startup_subsidy.eligible,startup_subsidy.amount,startup_subsidy.unmet
    1,A,,false,0.00,individual_business;first_licence;operated_long_enough;still_operating;pays_employee_insurance
    2,B,"row 2: groups: expected a list, got a string",,,
"""

from __future__ import annotations

import contextlib
import csv
import json
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, cast

import msgspec

from yantai_policy.benefits.gcpause import gc_paused
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import (
    RecordError,
    applicant_from_csv_row,
    parse_applicant,
    parse_placement,
)
from yantai_policy.errors import PolicyError
from yantai_policy.outfile import jsonl_safe, printable, start_csv, xlsx_sheet
from yantai_policy.serialize import BATCH_FORMATS, BATCH_OUTPUT_FORMATS, neutralise_cell

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from yantai_policy.benefits.batch import Chunk
    from yantai_policy.benefits.records import Applicant, Placement

__all__ = [
    "COLUMNS",
    "FORMATS",
    "OUTPUT_FORMATS",
    "BadInputError",
    "BadLine",
    "RecordParser",
    "csv_records",
    "csv_writer",
    "decode_jsonl",
    "header",
    "jsonl_lines",
    "jsonl_writer",
    "one_record",
    "printable",
    "xlsx_writer",
]

FORMATS = BATCH_FORMATS  # named in yantai_policy.serialize, for the command line
"""The batch file formats, by suffix."""
OUTPUT_FORMATS = BATCH_OUTPUT_FORMATS
"""What a batch's results can be written as, by suffix (``.xlsx`` needs openpyxl)."""
COLUMNS = ("eligible", "amount", "unmet")
"""The output columns of each benefit, ``<benefit>.<column>``, in order."""
_BOM = b"\xef\xbb\xbf"
_FAST_JSON = msgspec.json.Decoder(float_hook=Decimal)
"""msgspec reads a valid line about three times as fast as `json.loads`; whatever it
refuses is read again by `json`, whose acceptance and messages are the contract."""


class BadInputError(PolicyError):
    """An input that cannot be read at all (not UTF-8, not CSV): the batch stops."""


def csv_records(source: IO[Any], name: str) -> Iterator[dict[str | Any, str | Any]]:
    """Yield the CSV's rows as dicts, lazily.

    Args:
        source: The text, opened with ``newline=""`` (``surrogateescape`` keeps
            undecodable bytes, whose row [`RecordParser`][yantai_policy.benefits.batch_io.RecordParser] makes an error row).
        name: The file's name, for the messages.

    Raises:
        BadInputError: The CSV reader cannot go on, or the text is not UTF-8.
    """
    reader = csv.DictReader(source)
    rows = 0
    try:
        for rows, row in enumerate(reader, 1):  # noqa: B007 - rows is read after the loop
            yield row
    except csv.Error as error:
        raise BadInputError(f"{name}: line {reader.line_num}: {error}") from None
    except UnicodeDecodeError as error:  # decoded in blocks: no line to point at
        raise BadInputError(
            f"{name}: not UTF-8 text ({error.reason}); stopped after {rows} rows"
        ) from None


def jsonl_lines(source: Iterable[bytes | str]) -> Iterator[bytes | str]:
    """Yield each line of a JSONL file as it is, a byte-order mark on the first skipped."""
    it = iter(source)
    first = next(it, None)
    if first is None:
        return
    if isinstance(first, bytes):
        yield first.removeprefix(_BOM)
    else:
        yield first.removeprefix("\ufeff")
    yield from it


class BadLine:
    """A JSONL line that holds no JSON value: [`RecordParser`][yantai_policy.benefits.batch_io.RecordParser] makes it a row error."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        """Keep the reason, the row error's message."""
        self.reason = reason

    def __getstate__(self) -> str:
        """Pickle the reason (a worker process sends bad lines back as values)."""
        return self.reason

    def __setstate__(self, state: str) -> None:
        """Restore the reason."""
        self.reason = state


def decode_jsonl(line: bytes | str) -> object:
    """Return one JSONL line's JSON value (fractions as Decimal), or a [`BadLine`][yantai_policy.benefits.batch_io.BadLine].

    Examples:
        >>> decode_jsonl(b'{"amount": 1.10}')
        {'amount': Decimal('1.10')}
        >>> decode_jsonl(b"{not json").reason
        'invalid JSON: Expecting property name enclosed in double quotes at column 2'
    """
    if isinstance(line, bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            return BadLine(f"not UTF-8 ({error.reason} at byte {error.start + 1})")
    else:
        text = line
    if not text.strip():
        return BadLine("empty line")
    try:
        return _FAST_JSON.decode(text)
    except Exception:  # noqa: BLE001, S110 - json decides, and words, what msgspec refuses
        pass
    return _json_line(text)


def _json_line(text: str) -> object:
    """Read a line with `json`: the value, or the [`BadLine`][yantai_policy.benefits.batch_io.BadLine] that says why not."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        return BadLine(f"invalid JSON: {error.msg} at column {error.colno}")
    except (ValueError, RecursionError) as error:  # a 5,000-digit number, deep nesting
        return BadLine(f"invalid JSON: {error}"[:200])
    except ArithmeticError:  # decimal.InvalidOperation: 1e99999999999999999999
        return BadLine("invalid JSON: a number out of range")


class RecordParser:
    """Turn a CSV row or a JSONL value into a record (picklable, for worker processes).

    Args:
        kind: ``"applicant"`` or ``"placement"``: the record contract.
        fmt: ``"csv"`` (a row from [`csv_records`][yantai_policy.benefits.batch_io.csv_records]) or ``"jsonl"`` (a value from
            [`decode_jsonl`][yantai_policy.benefits.batch_io.decode_jsonl]).
    """

    __slots__ = ("fmt", "kind")

    def __init__(self, kind: str, fmt: str) -> None:
        """Choose the contract and the input format."""
        self.kind = kind
        self.fmt = fmt

    def __getstate__(self) -> tuple[str, str]:
        """Pickle the kind and format."""
        return self.kind, self.fmt

    def __setstate__(self, state: tuple[str, str]) -> None:
        """Restore the kind and format."""
        self.kind, self.fmt = state

    @property
    def reads_applicant_dicts(self) -> bool:
        """Whether a dict item is parsed exactly by [`parse_applicant`][yantai_policy.benefits.records.parse_applicant].

        Then [`evaluate_many`][yantai_policy.benefits.evaluate_many] reads such items straight into
        columns ([`reading`][yantai_policy.benefits.reading]), as it does for its default parser.
        """
        return self.kind == "applicant" and self.fmt == "jsonl"

    def __call__(self, item: Any) -> Applicant | Placement:  # noqa: ANN401 - a row or a value
        """Parse one item.

        Raises:
            RecordError: The item is not a record of the contract; the error names the field.
        """
        parse = parse_placement if self.kind == "placement" else parse_applicant
        if self.fmt == "csv":
            for column, cell in item.items():
                if _undecodable(cell) or _undecodable(column):
                    raise RecordError("not UTF-8 text", field=printable(str(column)))
            return parse(applicant_from_csv_row(item))
        if isinstance(item, BadLine):
            raise RecordError(item.reason)
        return parse(item)  # parse reports a non-object


def one_record(source: IO[Any], fmt: str, kind: str, name: str) -> Applicant | Placement:
    """Read and parse the one record of a JSON, one-line JSONL or one-row CSV input.

    Args:
        source: The input: text for CSV, bytes for JSON and JSONL (as the CLI opens them).
        fmt: ``"json"``, ``"jsonl"`` or ``"csv"``.
        kind: ``"applicant"`` or ``"placement"``.
        name: The input's name, for the error.

    Raises:
        PolicyError: The input holds no record or more than one.
        RecordError: The record breaks the contract; the error names the field.
    """
    if fmt == "csv":
        items: list[object] = list(csv_records(source, name))
    elif fmt == "jsonl":
        items = [decode_jsonl(line) for line in jsonl_lines(source)]
    else:
        items = [decode_jsonl(next(jsonl_lines([source.read()]), b""))]
    if len(items) != 1:
        raise PolicyError(f"{name}: expected one record, got {len(items)}")
    return RecordParser(kind, "csv" if fmt == "csv" else "jsonl")(items[0])


def _undecodable(text: object) -> bool:
    """Whether text read with ``surrogateescape`` held bytes that are not UTF-8."""
    if not isinstance(text, str):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def header(names: Iterable[str]) -> list[str]:
    """The CSV output's columns: ``row``, ``id``, ``error``, then each benefit's."""
    return ["row", "id", "error", *(f"{n}.{c}" for n in names for c in COLUMNS)]


def _amounts(fen: list[int], unknown: list[bool], cache: dict[int, str]) -> list[str | None]:
    """Each amount in yuan as text (``None`` where it cannot be determined)."""
    out: list[str | None] = []
    for value, missing in zip(fen, unknown, strict=True):
        if missing:
            out.append(None)
            continue
        text = cache.get(value)
        if text is None:
            text = cache[value] = str(fen_to_yuan(value))
        out.append(text)
    return out


def _columns(
    chunk: Chunk, names: Sequence[str]
) -> list[tuple[list[bool], list[str | None], list[str]]]:
    """Per benefit asked, over the chunk's parsed records: eligible, amount, unmet."""
    by_name = {o.benefit: o for o in chunk.outcomes}
    cache: dict[int, str] = {}
    out = []
    for name in names:
        o = by_name[name]
        out.append(
            (
                o.eligible.tolist(),
                _amounts(o.fen.tolist(), o.unknown.tolist(), cache),
                o.unmet_texts().tolist(),
            )
        )
    return out


def _csv_rows(chunk: Chunk, names: Sequence[str]) -> list[list[str]]:
    """A chunk's CSV rows: ids and errors made printable and neutralised against formulas."""
    columns = _columns(chunk, names)
    blank = ["", "", ""] * len(names)
    rows = []
    j = 0
    for i, record_id in enumerate(chunk.ids):
        row = str(chunk.start + i)
        shown = neutralise_cell(printable(record_id)) if record_id else ""
        error = chunk.errors.get(i)
        if error is not None:
            rows.append([row, shown, neutralise_cell(printable(str(error))), *blank])
            continue
        cells = [row, shown, ""]
        for eligible, amount, unmet in columns:
            cells += ("true" if eligible[j] else "false", amount[j] or "", unmet[j])
        rows.append(cells)
        j += 1
    return rows


def csv_writer(sink: IO[str], names: Sequence[str]) -> Callable[[Chunk], None]:
    """Write the BOM and the header now; return a function that writes a chunk's rows.

    UTF-8 with a BOM and RFC 4180 (quoted as needed, CRLF), as the export's CSV
    (`yantai_policy.outfile.start_csv`); an ``id`` or ``error`` that a spreadsheet would
    run as a formula gets a leading ``'`` (`yantai_policy.serialize.neutralise_cell`).
    """
    writer = start_csv(sink)
    writer.writerow(header(names))

    def write(chunk: Chunk) -> None:
        with gc_paused():
            writer.writerows(_csv_rows(chunk, names))

    return write


@contextlib.contextmanager
def xlsx_writer(sink: IO[bytes], names: Sequence[str]) -> Iterator[Callable[[Chunk], None]]:
    """Yield a function that writes a chunk's rows to an ``.xlsx`` sheet; save it at the end.

    The columns and cells are the CSV output's (`csv_writer`), streamed with
    `yantai_policy.outfile.xlsx_sheet`: ``row`` and the amounts are numbers, every other
    cell a string (never a formula). Needs openpyxl (the ``xlsx`` extra).

    Raises:
        OutputError: openpyxl is not installed.
    """
    amounts = range(4, 3 + len(COLUMNS) * len(names), len(COLUMNS))
    with xlsx_sheet(sink, "evaluate") as append:
        append([header(names)])

        def write(chunk: Chunk) -> None:
            rows: list[list[object]] = [list(row) for row in _csv_rows(chunk, names)]
            for row in rows:
                row[0] = int(cast("str", row[0]))
                for k in amounts:
                    row[k] = Decimal(cast("str", row[k])) if row[k] else None
            append(rows)

        yield write


def jsonl_writer(sink: IO[str], names: Sequence[str]) -> Callable[[Chunk], None]:
    """Return a function that writes a chunk's rows as JSON lines (amounts as strings).

    Each line is exactly ``json.dumps`` of ``{"row", "id", "error", "results"}`` (with
    ``ensure_ascii=False``), with U+0085, U+2028 and U+2029 escaped
    (`yantai_policy.outfile.jsonl_safe`) and undecodable text shown as U+FFFD
    (`printable`); a benefit's result, which repeats across a register, is
    encoded once per distinct value and the line is joined from those pieces.
    """
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    keys = [dumps(name) + ": " for name in names]

    def piece(key: str, eligible: bool, amount: str | None, unmet: str) -> str:
        return key + dumps({"eligible": eligible, "amount": amount, "unmet": unmet})

    def write(chunk: Chunk) -> None:
        with gc_paused():
            pieces = []
            for key, (eligible, amount, unmet) in zip(keys, _columns(chunk, names), strict=True):
                cache: dict[tuple[bool, str | None, str], str] = {}
                column = []
                for value in zip(eligible, amount, unmet, strict=True):
                    found = cache.get(value)
                    if found is None:
                        found = cache[value] = piece(key, *value)
                    column.append(found)
                pieces.append(column)
            results = iter([", ".join(row) for row in zip(*pieces, strict=True)])
            lines = []
            for i, record_id in enumerate(chunk.ids):
                shown = "null" if record_id is None else dumps(printable(record_id))
                error = chunk.errors.get(i)
                if error is not None:
                    lines.append(
                        f'{{"row": {chunk.start + i}, "id": {shown}, "error": {dumps(printable(str(error)))}, "results": null}}'
                    )
                else:
                    lines.append(
                        f'{{"row": {chunk.start + i}, "id": {shown}, "error": null, "results": {{{next(results)}}}}}'
                    )
            lines.append("")
            sink.write(jsonl_safe("\n".join(lines)))

    return write
