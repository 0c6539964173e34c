"""JSONL batches over HTTP, streamed in and out.

The request body is read as it arrives (`BodyReader`, a file the batch reads from a
worker thread, pulling each piece from the event loop), the rows are decided in chunks
by the same `evaluate_many` as the CLI, and each chunk's result lines are sent as soon
as it is decided (`jsonl_results`), one output line per input line, in the CLI's
``evaluate`` JSONL format. A body larger than the bound is refused with 413 when its
``Content-Length`` says so; a chunked body that grows past the bound ends with a last
line ``{"error": …}`` saying where it stopped.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import TYPE_CHECKING, Any

from litestar.exceptions import HTTPException
from litestar.response import Stream
from litestar.response.streaming import ASGIStreamingResponse

from yantai_policy.benefits import batch_io, evaluate_many

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import AsyncIterator, Iterator, Sequence

    from litestar import Request

    from yantai_policy.model import Policy

__all__ = ["BodyReader", "DuplexStream", "jsonl_results"]


class _Duplex(ASGIStreamingResponse):
    """A streamed response that leaves the request's body to the handler.

    Litestar's own streamed response listens on ``receive`` for a disconnect while it
    sends, which takes the request's body pieces too: a response that is written while
    its request is still being read must not. A client that goes away shows as the end
    of the body (the reader's ``http.disconnect``).
    """

    __slots__ = ()

    async def send_body(self, send: Any, receive: Any) -> None:  # noqa: ANN401 - ASGI's
        """Send the chunks as they come; never read ``receive``."""
        await self._stream(send)


class DuplexStream(Stream):
    """A `Stream` answered while its request body is still arriving (see `_Duplex`)."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - Litestar's
        """Litestar's streamed response, made duplex."""
        response = super().to_asgi_response(*args, **kwargs)
        response.__class__ = _Duplex  # the same slots: only send_body differs
        return response


class BodyReader(io.RawIOBase):
    """A request body as a binary file, read from a worker thread while it arrives."""

    def __init__(
        self, pieces: AsyncIterator[bytes], bound: int, loop: asyncio.AbstractEventLoop
    ) -> None:
        """Read ``pieces`` (the request's stream, on ``loop``) up to ``bound`` bytes."""
        super().__init__()
        self._pieces = pieces
        self._loop = loop
        self._buffer = bytearray()
        self._done = False
        self.bound = bound
        self.seen = 0
        self.overflowed = False

    @classmethod
    async def start(cls, request: Request[Any, Any, Any], bound: int) -> BodyReader:
        """Begin reading a request's body; 413 where its declared length is over the bound."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > bound:
            raise HTTPException(
                status_code=413, detail=f"the body is {int(length):,} bytes; the most is {bound:,}"
            )
        return cls(request.stream().__aiter__(), bound, asyncio.get_running_loop())

    async def _next(self) -> bytes | None:
        try:
            return await self._pieces.__anext__()
        except StopAsyncIteration:
            return None

    def readable(self) -> bool:
        """A body is read, never written."""
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401 - a writable buffer
        """Fill ``buffer`` from the body, waiting for the next piece where none is here."""
        while not self._buffer and not self._done:
            piece = asyncio.run_coroutine_threadsafe(self._next(), self._loop).result()
            if not piece:
                self._done = piece is None
                continue
            room = self.bound - self.seen
            self.seen += len(piece)
            if len(piece) > room:  # the rows up to the bound are read; the rest is not
                self._buffer += piece[: max(room, 0)]
                self.overflowed = True
                self._done = True
                break
            self._buffer += piece
        count = min(len(buffer), len(self._buffer))
        buffer[:count] = self._buffer[:count]
        del self._buffer[:count]
        return count


def jsonl_results(  # noqa: PLR0913 - the parts of a batch
    reader: BodyReader,
    policy: Policy,
    *,
    on: dt.date,
    names: Sequence[str],
    kind: str,
    max_line_bytes: int,
) -> Iterator[bytes]:
    """Decide the body's rows in chunks, and yield each chunk's JSONL result lines."""
    source = io.BufferedReader(reader, buffer_size=1 << 16)
    lines = batch_io.jsonl_lines(source, max_line_bytes=max_line_bytes)
    batch = evaluate_many(lines, on=on, benefits=names, policy=policy,
                          parse=batch_io.RecordParser(kind, "jsonl"), decode=batch_io.decode_jsonl)  # fmt: skip
    sink = io.StringIO()
    write = batch_io.jsonl_writer(sink, names)
    for chunk in batch.chunks():
        write(chunk)
        yield sink.getvalue().encode()
        sink.seek(0)
        sink.truncate()
    if reader.overflowed:
        message = f"the body is larger than {reader.bound:,} bytes; the rows after byte {reader.bound:,} were not read"
        yield (json.dumps({"error": message}, ensure_ascii=False) + "\n").encode()
