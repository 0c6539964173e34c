"""Compute a batch's chunks in worker processes, in order, in constant memory.

What ``evaluate_many(..., jobs=N)`` (and ``yantai-policy evaluate --jobs N``) runs.
The parent reads the raw records (CSV rows, JSONL lines) a chunk at a time and sends
each chunk to a worker; the worker decodes, parses and computes the whole chunk with
the same code as ``jobs=1`` and sends back its columns (a
[`Chunk`][yantai_policy.benefits.Chunk]). At most ``2 * jobs`` chunks are in flight, so
memory stays constant however long the input; the chunks come back in the input's
order, with the same row numbers and error rows.

The plan and the formulas reach each worker once, when it starts.

Examples:
    >>> import datetime as dt
    >>> from yantai_policy.benefits import evaluate_many
    >>> records = [{"id": str(i), "groups": ["farmer"] if i % 2 else "farmer"} for i in range(5)]
    >>> rows = evaluate_many(records, on=dt.date(2021, 6, 1), benefits=["fee_exemptions"],
    ...     jobs=2, chunk_size=2)
    >>> [(row.row, row.id, row.error is None) for row in rows]
    [(1, '0', False), (2, '1', True), (3, '2', False), (4, '3', True), (5, '4', False)]
"""

from __future__ import annotations

import collections
import itertools
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from yantai_policy.benefits.base import Benefit, Context
    from yantai_policy.benefits.batch import Chunk
    from yantai_policy.benefits.records import Applicant, Placement

__all__ = ["IN_FLIGHT", "parallel_chunks"]

IN_FLIGHT = 2
"""Chunks in flight per worker: one being computed, one waiting."""


@attrs.frozen
class _Job:
    """What every worker needs, sent once when it starts."""

    formulas: list[Benefit[Any, Any]]
    parse: Callable[[Any], Applicant | Placement]
    decode: Callable[[Any], Any] | None
    ctx: Context


_JOB: list[_Job] = []
"""The worker's job, set by `_start`."""


def _start(job: _Job) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the batch, and a
    # worker, which may have inherited the command's handlers, neither stops on it nor
    # prints a traceback; SIGTERM ends a worker quietly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _JOB[:] = [job]


def _work(number: int, raw: list[Any]) -> Chunk:
    """Decode, parse and compute one chunk in a worker (its errors pickle whole)."""
    from yantai_policy.benefits.batch import _chunks  # noqa: PLC0415 - the one definition of a chunk

    job = _JOB[0]
    (chunk,) = _chunks(
        raw,
        formulas=job.formulas,
        parse=job.parse,
        contexts=[job.ctx],
        start=number,
        size=len(raw),
        decode=job.decode,
    )
    return chunk


def parallel_chunks(  # noqa: PLR0913 - the parts of a batch
    records: Iterable[Any],
    *,
    formulas: list[Benefit[Any, Any]],
    parse: Callable[[Any], Applicant | Placement],
    decode: Callable[[Any], Any] | None,
    ctx: Context,
    start: int,
    size: int,
    jobs: int,
) -> Iterator[Chunk]:
    """Yield the batch's chunks, computed in ``jobs`` worker processes, in order.

    Raises:
        PolicyError: As with one process (a worker's error is raised here).
    """
    job = _Job(formulas, parse, decode, ctx)
    it = iter(records)
    pool = ProcessPoolExecutor(jobs, initializer=_start, initargs=(job,))
    pending: collections.deque[Future[Chunk]] = collections.deque()
    number = start
    try:
        while True:
            while len(pending) < IN_FLIGHT * jobs:
                try:
                    raw = list(itertools.islice(it, size))
                except Exception:
                    # An unreadable input: the chunks read before it come out first.
                    while pending:
                        yield pending.popleft().result()
                    raise
                if not raw:
                    break
                pending.append(pool.submit(_work, number, raw))
                number += len(raw)
            if not pending:
                return
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
