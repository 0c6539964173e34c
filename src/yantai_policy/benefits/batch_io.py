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
import io
import json
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, cast

import msgspec

from yantai_policy import jsonkeys
from yantai_policy.benefits.gcpause import gc_paused
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import (
    RecordError,
    applicant_from_csv_row,
    check_csv_header,
    parse_applicant,
    parse_placement,
)
from yantai_policy.errors import PolicyError
from yantai_policy.outfile import jsonl_safe, printable, start_csv, xlsx_sheet
from yantai_policy.serialize import (
    BATCH_FORMATS,
    BATCH_OUTPUT_FORMATS,
    MAX_LINE_BYTES,
    neutralise_cell,
)
from yantai_policy.textio import SNIFF_BYTES, bom_encoding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from yantai_policy.benefits.batch import Chunk
    from yantai_policy.benefits.records import Applicant, Placement

__all__ = [
    "COLUMNS",
    "FORMATS",
    "MAX_LINE_BYTES",
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
    "text_input",
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
_ENCODE = msgspec.json.Encoder().encode


_PIECE = 1 << 16
"""How much of a line past the bound is read at a time, to find its end."""


class BadInputError(PolicyError):
    """An input that cannot be read at all (not UTF-8, not CSV): the batch stops."""


def text_input(binary: IO[bytes], fmt: str, name: str) -> IO[Any]:
    r"""Open an input for the readers, in the encoding its byte-order mark tells.

    CSV is text (``newline=""``; UTF-8 read with ``surrogateescape``, so that
    undecodable bytes make their row an error row). JSON and JSONL in UTF-8 stay bytes,
    decoded line by line; in UTF-16 or UTF-32 (with a byte-order mark) they are text,
    split only at ``\n``. See [yantai_policy.textio][yantai_policy.textio].

    Args:
        binary: The input's bytes (a file opened ``"rb"``, or stdin's buffer).
        fmt: ``"csv"``, ``"json"`` or ``"jsonl"``.
        name: The input's name, for the error.

    Returns:
        ``binary`` itself, or a text stream over it (detach it to keep ``binary`` open).

    Raises:
        BadInputError: The input looks like UTF-16 or UTF-32 without a byte-order mark.

    Examples:
        >>> import io
        >>> text_input(io.BytesIO("id\nA\n".encode("utf-16")), "csv", "a.csv").read()
        'id\nA\n'
    """
    try:
        codec = bom_encoding(_head(binary))
    except ValueError as error:
        raise BadInputError(f"{name}: {error}") from None
    if fmt != "csv" and codec == "utf-8-sig":
        return binary
    return io.TextIOWrapper(
        binary,
        encoding=codec,
        errors="surrogateescape" if codec == "utf-8-sig" else "strict",
        newline="" if fmt == "csv" else "\n",
    )


def _head(binary: IO[bytes]) -> bytes:
    """The first bytes of a stream, left to be read (by peeking, or reading and seeking back)."""
    peek = getattr(binary, "peek", None)
    if peek is not None:  # one read of a pipe: a writer's first write holds the mark
        head: bytes = peek(SNIFF_BYTES)[:SNIFF_BYTES]
        return head
    if binary.seekable():
        at = binary.tell()
        head = binary.read(SNIFF_BYTES)
        binary.seek(at)
        return head
    return b""  # a stream that can neither peek nor seek: read as UTF-8


class _Oversized(Exception):  # noqa: N818 - a signal between the line feed and the reader
    """A CSV line past the bound, skipped: raised through the csv reader to its caller."""


class _CsvLines:
    """The physical lines of a CSV text for `csv.reader`, each read within the bound.

    A line past the bound is read on in pieces to its end and raises
    `_Oversized` (through the reader, whose state resets at its next row).
    The quotes of the current record's lines are counted, so that after a line or a
    cell past the bound `skip_record` finds where the record ends.
    """

    def __init__(self, source: IO[str] | Iterable[str], bound: int) -> None:
        readline = getattr(source, "readline", None)
        self.whole = readline is None  # lines from a list: each is already whole
        self.readline: Callable[[int], str] = (
            readline if readline is not None else _readline_of(iter(source))
        )
        self.bound = bound
        self.quotes = 0
        self.number = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.readline(self.bound + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.quotes += line.count('"')
        if len(line) > self.bound and len(line.rstrip("\r\n")) > self.bound:
            if not self.whole and not line.endswith(("\n", "\r")):
                self._to_line_end()
            raise _Oversized
        return line

    def new_record(self) -> None:
        """Note that the reader is about to read a new record."""
        self.quotes = 0

    def _to_line_end(self) -> None:
        while True:
            piece = self.readline(_PIECE)
            self.quotes += piece.count('"')
            if not piece or piece.endswith(("\n", "\r")):
                return

    def skip_record(self) -> None:
        """Skip the rest of a record that is past the bound: to a line end outside quotes."""
        while self.quotes % 2:
            piece = self.readline(_PIECE)
            if not piece:
                return
            self.quotes += piece.count('"')
            if piece.endswith(("\n", "\r")):
                self.number += 1
        self.quotes = 0


def _readline_of(lines: Iterator[str]) -> Callable[[int], str]:
    """A ``readline(size)`` over an iterator of lines (a list, in tests and doctests)."""

    def readline(size: int) -> str:  # noqa: ARG001 - the lines are already whole
        return next(lines, "")

    return readline


def csv_records(
    source: IO[Any] | Iterable[str], name: str, *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[dict[str | Any, str | Any] | BadLine]:
    r"""Yield the CSV's rows as dicts, lazily, as `csv.DictReader` makes them.

    A line or a cell (which may hold newlines, inside quotes) of more than
    ``max_line_bytes`` characters makes its record a
    [BadLine][yantai_policy.benefits.batch_io.BadLine] instead, its row an error row:
    the rest of the record is read on in pieces, never held whole, and the file goes on. (This raises the csv module's process-wide ``field_size_limit`` to
    the bound, where it is lower.)

    Args:
        source: The text, opened with ``newline=""`` (``surrogateescape`` keeps
            undecodable bytes, whose row [`RecordParser`][yantai_policy.benefits.batch_io.RecordParser] makes an error row).
        name: The file's name, for the messages.
        max_line_bytes: The bound on a line or cell, in characters.

    Raises:
        BadInputError: The header names a column twice (or an object field both as
            ``loan`` and ``loan.kind``) or is past the bound, the CSV reader cannot
            go on, or the text cannot be decoded.

    Examples:
        >>> rows = csv_records(["id,groups\r\n", "A1,farmer\r\n", "B1," + "x" * 99 + "\r\n"],
        ...     "a.csv", max_line_bytes=50)
        >>> [row if isinstance(row, dict) else row.reason for row in rows]
        [{'id': 'A1', 'groups': 'farmer'}, 'a line or cell is longer than 50 characters']
        >>> next(csv_records(["id,groups,groups\r\n"], "b.csv"))
        Traceback (most recent call last):
        ...
        yantai_policy.benefits.batch_io.BadInputError: b.csv: line 1: groups: the column appears twice
    """
    if csv.field_size_limit() <= max_line_bytes:
        csv.field_size_limit(max_line_bytes + 1)
    lines = _CsvLines(source, max_line_bytes)
    reader = csv.reader(lines)
    rows = 0
    try:
        names = _csv_header(reader, name, max_line_bytes)
        if names is None:
            return
        width = len(names)
        for row in _csv_rows(reader, lines, max_line_bytes):
            rows += 1
            if isinstance(row, BadLine):
                yield row
                continue
            record: dict[str | Any, str | Any] = dict(zip(names, row, strict=False))
            if width < len(row):
                record[None] = row[width:]
            elif width > len(row):
                for column in names[len(row) :]:
                    record[column] = None
            yield record
    except csv.Error as error:
        raise BadInputError(f"{name}: line {reader.line_num}: {error}") from None
    except UnicodeDecodeError as error:  # decoded in blocks: no line to point at
        raise BadInputError(
            f"{name}: not {error.encoding.upper()} text ({error.reason}); stopped after {rows} rows"
        ) from None


def _csv_header(reader: Iterator[list[str]], name: str, bound: int) -> list[str] | None:
    """The header's column names (``None`` for an empty file), checked."""
    try:
        names = next(reader)
    except StopIteration:
        return None
    except _Oversized:
        raise BadInputError(
            f"{name}: line 1: the header is longer than {bound:,} characters"
        ) from None
    try:
        check_csv_header(names)
    except RecordError as error:
        raise BadInputError(f"{name}: line 1: {error}") from None
    return names


def _csv_rows(
    reader: Iterator[list[str]], lines: _CsvLines, bound: int
) -> Iterator[list[str] | BadLine]:
    """The rows after the header (blank lines skipped, as csv.DictReader skips them)."""
    too_long = BadLine(f"a line or cell is longer than {bound:,} characters")
    while True:
        lines.new_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _Oversized:
            lines.skip_record()
            yield too_long
            continue
        except csv.Error as error:
            if "field larger than field limit" not in str(error):
                raise
            lines.skip_record()
            yield too_long
            continue
        if not row:
            continue
        if max(map(len, row)) > bound:  # the csv module's limit was higher
            yield too_long
            continue
        yield row


def jsonl_lines(
    source: Iterable[bytes | str], *, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[bytes | str | BadLine]:
    r"""Yield each line of a JSONL file as it is, a byte-order mark on the first skipped.

    A line of more than ``max_line_bytes`` (bytes; characters for text) without its
    newline is a [BadLine][yantai_policy.benefits.batch_io.BadLine] instead: read on in
    pieces to its end, never held whole (from a stream with ``readline``), and the
    file goes on.

    Raises:
        BadInputError: Text in UTF-16 or UTF-32 cannot be decoded.

    Examples:
        >>> import io
        >>> lines = jsonl_lines(io.BytesIO(b'{"id": "A"}\n' + b"x" * 99 + b'\n{"id": "B"}\n'),
        ...     max_line_bytes=20)
        >>> [line if isinstance(line, bytes) else line.reason for line in lines]
        [b'{"id": "A"}\n', 'the line is longer than 20 bytes', b'{"id": "B"}\n']
    """
    readline = getattr(source, "readline", None)
    lines = (
        _bounded_lines(readline, max_line_bytes)
        if readline is not None
        else _checked_lines(iter(source), max_line_bytes)
    )
    try:
        first = next(lines, None)
        if first is None:
            return
        if isinstance(first, bytes):
            yield first.removeprefix(_BOM)
        elif isinstance(first, str):
            yield first.removeprefix("\ufeff")
        else:
            yield first
        yield from lines
    except UnicodeDecodeError as error:  # UTF-16 or UTF-32 text, decoded in blocks
        raise BadInputError(
            f"not {error.encoding.upper()} text ({error.reason}); the input stops here"
        ) from None


def _too_long(line: bytes | str, bound: int) -> BadLine:
    unit = "bytes" if isinstance(line, bytes) else "characters"
    return BadLine(f"the line is longer than {bound:,} {unit}")


def _bounded_lines(
    readline: Callable[[int], bytes | str], bound: int
) -> Iterator[bytes | str | BadLine]:
    while True:
        line = readline(bound + 1)
        if not line:
            return
        if len(line) <= bound or _ends_line(line):
            yield line
            continue
        shown = _too_long(line, bound)
        while line and not _ends_line(line):
            line = readline(_PIECE)
        yield shown


def _ends_line(line: bytes | str) -> bool:
    return line.endswith(b"\n") if isinstance(line, bytes) else line.endswith("\n")


def _checked_lines(lines: Iterator[bytes | str], bound: int) -> Iterator[bytes | str | BadLine]:
    for line in lines:
        yield _too_long(line, bound) if len(line) - _ends_line(line) > bound else line


class BadLine:
    """An input line that holds no record: [`RecordParser`][yantai_policy.benefits.batch_io.RecordParser] makes it a row error.

    Attributes:
        reason: What is wrong, the row error's message.
        field: The field it is about (a repeated key's path), or ``""``.
    """

    __slots__ = ("field", "reason")

    def __init__(self, reason: str, field: str = "") -> None:
        """Keep the reason and the field."""
        self.reason = reason
        self.field = field

    def __getstate__(self) -> tuple[str, str]:
        """Pickle the reason and field (a worker process sends bad lines back as values)."""
        return self.reason, self.field

    def __setstate__(self, state: tuple[str, str]) -> None:
        """Restore the reason and field."""
        self.reason, self.field = state


def decode_jsonl(line: bytes | str | BadLine) -> object:
    """Return one JSONL line's JSON value (fractions as Decimal), or a [`BadLine`][yantai_policy.benefits.batch_io.BadLine].

    Examples:
        >>> decode_jsonl(b'{"amount": 1.10}')
        {'amount': Decimal('1.10')}
        >>> decode_jsonl(b"{not json").reason
        'invalid JSON: Expecting property name enclosed in double quotes at column 2'
        >>> bad = decode_jsonl(b'{"id": "A", "loan": {"kind": "x", "kind": "y"}}')
        >>> bad.field, bad.reason
        ('loan.kind', 'the key appears twice')
    """
    if isinstance(line, BadLine):  # a line past the bound (jsonl_lines)
        return line
    try:  # msgspec checks UTF-8 as strictly as bytes.decode (what it refuses is read again)
        value = _FAST_JSON.decode(line)
    except Exception:  # noqa: BLE001, S110 - json decides, and words, what msgspec refuses
        pass
    else:
        if _every_key_kept(line, value):
            return value
    if isinstance(line, bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            return BadLine(f"not UTF-8 ({error.reason} at byte {error.start + 1})")
    else:
        text = line
    if not text.strip():
        return BadLine("empty line")
    return _json_line(text)


def _every_key_kept(text: bytes | str, value: object) -> bool:
    r"""Whether msgspec's value holds every key the text gives (it keeps a repeated key's last).

    Exact, with no second parse for a line of distinct keys: in JSON text a ``:`` is
    either the one separator after a key or a character inside a string, so the text's
    ``:`` count is the number of keys given plus the colons inside its strings.
    Without a ``\`` in the text, no string holds an escaped colon, so the value
    encoded again has as many ``:`` exactly when no key (with its value's strings)
    was dropped, and fewer otherwise. With one, the value's keys are counted instead:
    as many as the text's colons means none was dropped (so too, at once, for an
    object with as many keys as colons). Where the counts cannot tell, `json`
    reads the line again and names the repeated key.
    """
    if not isinstance(value, (dict, list)):  # the tuple: a faster test
        return True
    if isinstance(text, bytes):
        colons, escaped = text.count(b":"), b"\\" in text
    else:
        colons, escaped = text.count(":"), "\\" in text
    if isinstance(value, dict) and len(value) == colons:  # a flat record: its keys are all
        return True
    if not escaped:
        return _ENCODE(value).count(b":") == colons
    return _count_keys(value) == colons


def _count_keys(value: object) -> int:
    """The number of keys of every object in a JSON value."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _json_line(text: str) -> object:
    """Read a line with `json`: the value, or the [`BadLine`][yantai_policy.benefits.batch_io.BadLine] that says why not."""
    try:
        return jsonkeys.loads(text, parse_float=Decimal)
    except jsonkeys.DuplicateKeyError as error:
        return BadLine(jsonkeys.REASON, field=error.path)
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
        if isinstance(item, BadLine):
            raise RecordError(item.reason, field=item.field)
        if self.fmt == "csv":
            for column, cell in item.items():
                if _undecodable(cell) or _undecodable(column):
                    raise RecordError("not UTF-8 text", field=printable(str(column)))
            return parse(applicant_from_csv_row(item))
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
        text = source.read(MAX_LINE_BYTES + 1)
        items = [decode_jsonl(next(jsonl_lines([text]), b""))]
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


def _result_rows(chunk: Chunk, names: Sequence[str]) -> list[list[str]]:
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
            writer.writerows(_result_rows(chunk, names))

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
            rows: list[list[object]] = [list(row) for row in _result_rows(chunk, names)]
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
