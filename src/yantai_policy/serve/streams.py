"""JSONL batches over HTTP, streamed in and out.

The request body is read as it arrives into a spooled file (`spool_body`: memory up to
8 MiB, then a temporary file), then the rows are decided in chunks by the same
`evaluate_many` as the CLI, and each chunk's result lines are sent as soon as it is
decided (`jsonl_results`), one output line per input line, in the CLI's ``evaluate``
JSONL format.

The body is read whole before the first result is sent because most HTTP clients write
their whole request before they read the response: a server that answered while it
still read would fill the connection both ways and wait for a client that waits for it.

A body larger than the bound is refused with 413 when its ``Content-Length`` says so; a
chunked body that grows past the bound is read up to it, its rows are answered, and a
last line ``{"error": …}`` says where it stopped.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO, TYPE_CHECKING, Any

import attrs
from litestar.exceptions import HTTPException

from yantai_policy.benefits import batch_io, evaluate_many

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Sequence

    from litestar import Request

    from yantai_policy.model import Policy

__all__ = ["SPOOL_IN_MEMORY", "Spooled", "jsonl_results", "spool_body"]

SPOOL_IN_MEMORY = 8 << 20
"""A batch body is held in memory up to this many bytes, and in a temporary file beyond."""


@attrs.frozen
class Spooled:
    """A request body, read: the file, and whether it went past the bound (then cut there)."""

    file: IO[bytes]
    bound: int
    overflowed: bool


async def spool_body(request: Request[Any, Any, Any], bound: int) -> Spooled:
    """Read a request's body as it arrives, up to ``bound`` bytes; 413 if its length says more."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > bound:
        raise HTTPException(
            status_code=413, detail=f"the body is {int(length):,} bytes; the most is {bound:,}"
        )
    file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - closed by jsonl_results
    seen = 0
    overflowed = False
    async for piece in request.stream():
        room = bound - seen
        seen += len(piece)
        if len(piece) > room:  # the rows up to the bound are read; the rest is not
            file.write(piece[: max(room, 0)])
            overflowed = True
            break
        file.write(piece)
    file.seek(0)
    return Spooled(file, bound, overflowed)


def jsonl_results(  # noqa: PLR0913 - the parts of a batch
    body: Spooled,
    policy: Policy,
    *,
    on: dt.date,
    names: Sequence[str],
    kind: str,
    max_line_bytes: int,
) -> Iterator[bytes]:
    """Decide the body's rows in chunks, and yield each chunk's JSONL result lines."""
    from io import StringIO  # noqa: PLC0415

    with body.file as source:
        lines = batch_io.jsonl_lines(source, max_line_bytes=max_line_bytes)
        batch = evaluate_many(lines, on=on, benefits=names, policy=policy,
                              parse=batch_io.RecordParser(kind, "jsonl"), decode=batch_io.decode_jsonl)  # fmt: skip
        sink = StringIO()
        write = batch_io.jsonl_writer(sink, names)
        for chunk in batch.chunks():
            write(chunk)
            yield sink.getvalue().encode()
            sink.seek(0)
            sink.truncate()
    if body.overflowed:
        message = f"the body is larger than {body.bound:,} bytes; the rows after byte {body.bound:,} were not read"
        yield (json.dumps({"error": message}, ensure_ascii=False) + "\n").encode()
