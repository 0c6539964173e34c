r"""Writing output: ``-`` for stdout, a file replaced whole or not at all, and safe text.

Every command that writes a file (``evaluate``, ``export``, ``schema``, ``plot``) and
every library function that does (`yantai_policy.export.write`, `yantai_policy.plot.save`)
goes through [`open_output`][yantai_policy.outfile.open_output]:

* ``-`` means stdout;
* otherwise the output is written to a hidden temporary file beside the target and
  renamed onto it (`os.replace`) only once it is complete. A failure or an interruption
  (an exception, Ctrl-C, SIGTERM) removes the temporary file and leaves an existing
  target as it was;
* a write that fails (a full disk, EIO) raises [`OutputError`][yantai_policy.outfile.OutputError],
  whose message names the file.

[`refuse_input`][yantai_policy.outfile.refuse_input] refuses an output that is one of the
inputs before anything is opened for writing. The cell and line helpers make what a
writer puts in a cell or a line safe in its format:
[`printable`][yantai_policy.outfile.printable] (valid UTF-8),
[`jsonl_safe`][yantai_policy.outfile.jsonl_safe] (one JSON value per line),
[`start_csv`][yantai_policy.outfile.start_csv] (the BOM and the dialect of every CSV
output) and [`xlsx_sheet`][yantai_policy.outfile.xlsx_sheet] (cells that are never
formulas). Formula-like cells are neutralised by `yantai_policy.serialize.neutralise_cell`.

Examples:
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "out.txt")
    ...     write_text(path, "old\n")
    ...     try:
    ...         with open_output(path) as out:
    ...             _ = out.write("half of the new")
    ...             raise KeyboardInterrupt
    ...     except KeyboardInterrupt:
    ...         pass
    ...     open(path).read(), os.listdir(folder)
    ('old\n', ['out.txt'])
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, overload

from yantai_policy.errors import PolicyError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = [
    "BOM",
    "STDOUT",
    "XLSX_HINT",
    "OutputError",
    "jsonl_safe",
    "open_output",
    "printable",
    "refuse_input",
    "start_csv",
    "write_bytes",
    "write_text",
    "xlsx_sheet",
]

STDOUT = "-"
"""The output name that means stdout (and the input name that means stdin)."""
BOM = "\ufeff"
"""The byte-order mark every CSV output starts with, so that Excel reads it as UTF-8."""
XLSX_HINT = "pip install 'yantai-policy[xlsx]'"
"""How to install what ``.xlsx`` output needs (openpyxl)."""


class OutputError(PolicyError, OSError):
    """An output that cannot be written, or that would overwrite an input."""


# --- Which file an output is ------------------------------------------------------------


def _identity(path: str | os.PathLike[str], std: IO[Any]) -> tuple[int, int] | None:
    """The (device, inode) of a regular file (``-``: the file behind ``std``), else None."""
    try:  # stat follows symbolic links; a hard link has the same inode
        found = os.fstat(std.fileno()) if os.fspath(path) == STDOUT else Path(path).stat()
    except (OSError, ValueError, io.UnsupportedOperation):  # absent, or no file behind it
        return None
    if not stat.S_ISREG(found.st_mode):  # a terminal or a pipe is no file to overwrite
        return None
    return found.st_dev, found.st_ino


def refuse_input(
    output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None]
) -> None:
    r"""Refuse an output that is one of the inputs, before anything is truncated.

    The same file is the same path, a hard link or a symbolic link to it (compared by
    device and inode), or, for ``-``, the file that stdin reads (an input) or stdout
    writes (the output).

    Args:
        output: The output's path, or ``-``.
        inputs: The inputs' paths (``-`` for stdin); ``None`` entries are skipped.

    Raises:
        OutputError: The output is one of the inputs.

    Examples:
        >>> import os, tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "in.csv")
        ...     write_text(path, "id\n")
        ...     os.link(path, os.path.join(folder, "link.csv"))
        ...     refuse_input(os.path.join(folder, "link.csv"), [path])
        Traceback (most recent call last):
        ...
        yantai_policy.outfile.OutputError: the output ... is the input: it would be overwritten
    """
    target = _identity(output, sys.stdout)
    if target is None:
        return
    for source in inputs:
        if source is not None and _identity(source, sys.stdin) == target:
            shown = "- (stdout)" if os.fspath(output) == STDOUT else os.fspath(output)
            raise OutputError(f"the output {shown} is the input: it would be overwritten")


# --- Writing a file whole or not at all -------------------------------------------------


class _Raw(io.FileIO):
    """A file whose failed writes raise [`OutputError`][yantai_policy.outfile.OutputError]."""

    shown = ""

    def write(self, data: Any, /) -> int:  # noqa: ANN401 - a buffer, as io.FileIO takes
        try:
            return super().write(data)
        except OSError as error:
            raise _write_error(self.shown, error) from None


def _write_error(path: str, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {error.strerror or error}")


def _mode(target: Path) -> int:
    """The permissions of the file to write: the target's, or the default for a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


@overload
def open_output(
    path: str | os.PathLike[str], *, binary: Literal[False] = ..., newline: str | None = ...
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def open_output(
    path: str | os.PathLike[str], *, binary: Literal[True], newline: str | None = ...
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def open_output(
    path: str | os.PathLike[str], *, binary: bool = False, newline: str | None = None
) -> contextlib.AbstractContextManager[IO[Any]]:
    """Open an output for writing: ``-`` is stdout; a file is replaced only on success.

    A file is written to a hidden temporary file in the same folder (``.NAME.*.tmp``),
    which is flushed to disk and renamed onto the target when the block ends without an
    error; on any error or interruption it is removed and the target is left as it was.
    A symbolic link is followed (the file it names is replaced); a device or a FIFO
    (``/dev/null``) is written in place.

    Args:
        path: The file, or ``-`` for stdout.
        binary: Bytes (``sys.stdout.buffer`` for ``-``) instead of UTF-8 text.
        newline: As for `open` (text only); ``""`` for CSV.

    Raises:
        OutputError: The file cannot be created, written or renamed; the message names it.
    """
    return _open_output(os.fspath(path), binary=binary, newline=newline)


@contextlib.contextmanager
def _open_output(path: str, *, binary: bool, newline: str | None) -> Iterator[IO[Any]]:
    if path == STDOUT:
        if binary:
            sys.stdout.flush()  # text printed before comes before the bytes
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    fd, temp, target = _create(path)
    raw = _Raw(fd, "w")
    raw.shown = path
    handle: IO[Any] = io.BufferedWriter(raw)
    if not binary:
        handle = io.TextIOWrapper(handle, encoding="utf-8", newline=newline)
    try:
        yield handle
        handle.flush()
        if temp is not None:
            os.fsync(fd)
        handle.close()
        if temp is not None:
            temp.replace(target)
    except BaseException as error:
        with contextlib.suppress(Exception):
            handle.close()
        if temp is not None:
            temp.unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, OutputError):
            raise _write_error(path, error) from None
        raise


def _create(path: str) -> tuple[int, Path | None, Path]:
    """Open what to write: a new temporary file beside the target, or a device in place.

    Returns:
        The descriptor, the temporary file (None for a device) and the target.
    """
    import tempfile  # noqa: PLC0415 - only writing a file needs it

    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory")
        if target.exists() and not target.is_file():  # a device or a FIFO: nothing to replace
            return os.open(target, os.O_WRONLY | os.O_TRUNC), None, target
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            os.fchmod(fd, _mode(target))
    except OSError:
        os.close(fd)
        Path(temp).unlink(missing_ok=True)
        raise
    return fd, Path(temp), target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to a file (replaced whole, only on success) or, for ``-``, to stdout.

    Raises:
        OutputError: The file cannot be written.
    """
    with open_output(path, binary=True) as out:
        out.write(data)


def write_text(path: str | os.PathLike[str], text: str, newline: str | None = "\n") -> None:
    """Write UTF-8 text to a file (replaced whole, only on success) or to stdout.

    Raises:
        OutputError: The file cannot be written.
    """
    with open_output(path, newline=newline) as out:
        out.write(text)


# --- Text that is safe in its format ----------------------------------------------------

_LONE_SURROGATE = "[\ud800-\udc7f\udd00-\udfff]"
"""A surrogate that is not an undecodable byte kept by ``surrogateescape`` (U+DC80-U+DCFF)."""


def printable(text: str) -> str:
    r"""Text safe to write as UTF-8: undecodable bytes and lone surrogates shown as U+FFFD.

    Bytes kept by ``surrogateescape`` (a CSV file that is not UTF-8) and lone surrogates
    (a JSON ``"\ud800"`` escape) cannot be encoded; every writer passes text it did not
    make (ids, unknown keys, messages that quote them) through this function.

    Examples:
        >>> printable("A1"), printable("\ud800x"), printable(b"\xff-1".decode("utf-8", "surrogateescape"))
        ('A1', '�x', '�-1')
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = re.sub(_LONE_SURROGATE, "\ufffd", text)
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}
"""What JSON leaves raw but a line reader (``str.splitlines``, JavaScript) takes as a line end."""


def jsonl_safe(line: str) -> str:
    r"""Escape U+0085, U+2028 and U+2029 in JSON text, so that it stays one line.

    ``json.dumps(..., ensure_ascii=False)`` leaves them raw; outside a string JSON text
    is ASCII, so each one found is inside a string, where ``\uXXXX`` means the same.

    Examples:
        >>> import json
        >>> line = jsonl_safe(json.dumps({"id": "a\u2028b"}, ensure_ascii=False))
        >>> line, json.loads(line)["id"] == "a\u2028b", len(line.splitlines())
        ('{"id": "a\\u2028b"}', True, 1)
    """
    if "\u2028" in line or "\u2029" in line or "\x85" in line:
        return line.translate(_LINE_BREAKS)
    return line


def start_csv(sink: IO[str]) -> Any:  # noqa: ANN401 - csv's writer type is private
    r"""Write the BOM to a CSV output and return its writer (RFC 4180: quoted as needed, CRLF).

    Every CSV output (``evaluate``, ``export csv``, ``export matrix-csv``) starts this way.

    Examples:
        >>> sink = io.StringIO(newline="")
        >>> _ = start_csv(sink).writerow(["a", "b c"])
        >>> sink.getvalue()
        '\ufeffa,b c\r\n'
    """
    sink.write(BOM)
    return csv.writer(sink)


# Characters XML 1.0 cannot hold at all (the .xlsx cells are XML).
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_XLSX_CELL = 32767
"""The most characters a spreadsheet cell holds."""
_XLSX_EXACT = 2**53
"""The largest integer a spreadsheet's double-precision numbers hold exactly."""


@contextlib.contextmanager
def xlsx_sheet(
    sink: IO[bytes], title: str = "Sheet1"
) -> Iterator[Callable[[Iterable[Iterable[object]]], None]]:
    """Yield a function that appends rows to one sheet of an ``.xlsx`` workbook.

    The workbook is streamed (openpyxl's write-only mode) and saved to ``sink`` when the
    block ends without an error. A ``str`` is always a string cell, never a formula
    (neutralise formula-like text first, as CSV does); ``int`` and ``Decimal`` are
    numbers (an integer beyond 2**53, which a spreadsheet's doubles cannot hold exactly, is
    written as its digits in a string cell); ``None`` is an empty cell. Text that XML cannot hold (control characters,
    undecodable bytes) is shown as U+FFFD, and text longer than a cell holds is cut short.

    Args:
        sink: The binary output (as [`open_output`][yantai_policy.outfile.open_output] opens it).
        title: The sheet's name.

    Raises:
        OutputError: openpyxl is not installed (the ``xlsx`` extra).
    """
    try:
        from openpyxl import Workbook  # noqa: PLC0415 - only .xlsx output needs it
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    except ImportError:
        raise OutputError(f".xlsx output needs openpyxl: {XLSX_HINT}") from None
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    not_xml = re.compile(_NOT_XML)

    def cell(value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _XLSX_EXACT:
            return str(value)  # a spreadsheet number is a double: keep every digit as text
        if not isinstance(value, str):
            return value
        text = not_xml.sub("\ufffd", printable(value))
        if len(text) > _XLSX_CELL:
            text = text[: _XLSX_CELL - 1] + "…"
        if not text.startswith("="):
            return text
        out = WriteOnlyCell(sheet, value=text)
        out.data_type = "s"  # openpyxl would read a leading = as a formula
        return out

    def append(rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            sheet.append([cell(value) for value in row])

    try:
        yield append
        _save(book, sink)
    except BaseException:
        _abandon(book)
        raise


def _save(book: Any, sink: IO[bytes]) -> None:  # noqa: ANN401 - an openpyxl Workbook
    """Save the workbook to ``sink`` as `openpyxl.Workbook.save` does, closing the zip on failure."""
    import zipfile  # noqa: PLC0415

    from openpyxl.writer.excel import ExcelWriter  # noqa: PLC0415

    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).save()
    except BaseException:
        with contextlib.suppress(Exception):  # the sink failed: nothing more reaches it
            archive.close()
        raise


def _abandon(book: Any) -> None:  # noqa: ANN401 - an openpyxl Workbook
    """Close what a failed workbook holds open, so that nothing complains when it is collected."""
    for sheet in book.worksheets:
        for part in (getattr(sheet, "_rows", None), getattr(sheet, "_writer", None)):
            with contextlib.suppress(Exception):
                if part is not None:
                    part.close()
        with contextlib.suppress(Exception):
            sheet._writer.cleanup()  # noqa: SLF001 - openpyxl's temporary file of the rows
