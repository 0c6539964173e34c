"""Batches: records parsed and computed a chunk at a time, rows built on demand, what-ifs.

[`evaluate_many`][yantai_policy.benefits.batch.evaluate_many] reads records in chunks ([`CHUNK_SIZE`][yantai_policy.benefits.batch.CHUNK_SIZE]), turns each into
columns ([`reading`][yantai_policy.benefits.reading] for dicts) and runs every formula's one
definition over them ([`run`][yantai_policy.benefits.Benefit.run]); a record that breaks
the contract becomes an error row. [`Batch`][yantai_policy.benefits.batch.Batch] yields one [`Row`][yantai_policy.benefits.batch.Row] per record, or
the results as arrays ([`Batch.chunks`][yantai_policy.benefits.batch.Batch.chunks]). [`compare`][yantai_policy.benefits.batch.compare] runs a baseline and a
reform over the same chunks; [`BatchSummary`][yantai_policy.benefits.batch.BatchSummary] counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
import numpy as np

from yantai_policy._reprs import clip, plural
from yantai_policy.benefits.base import Benefit, Context, Outcomes, context, day_of_application
from yantai_policy.benefits.gcpause import gc_paused
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.reading import applicant_chunk
from yantai_policy.benefits.records import (
    Applicant,
    Placement,
    RecordError,
    parse_applicant,
    parse_placement,
)
from yantai_policy.benefits.registry import APPLICANT_BENEFITS, get_benefit
from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy
from yantai_policy.parameters import EXACT
from yantai_policy.serialize import MAX_JOBS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import numpy.typing as npt

    from yantai_policy.model import Policy

__all__ = [
    "CHUNK_SIZE",
    "MAX_JOBS",
    "Batch",
    "BatchSummary",
    "BenefitComparison",
    "Chunk",
    "Comparison",
    "Outcome",
    "Row",
    "RowDifference",
    "batch_formulas",
    "compare",
    "evaluate_many",
]


class Outcome(NamedTuple):
    """One benefit's result for one row of a batch (the decision without its reasons).

    Two outcomes are equal when their benefit, eligibility and amount are: ``unmet``
    says why, and is left out of the comparison.
    """

    benefit: str
    eligible: bool
    fen: int | None
    """The amount in integer fen, or ``None`` where it cannot be determined."""
    unmet: tuple[str, ...] = ()
    """The codes of the conditions that did not hold (none for an eligible row)."""

    @property
    def amount(self) -> Decimal | None:
        """The amount in yuan, or ``None``."""
        return None if self.fen is None else fen_to_yuan(self.fen)

    def __eq__(self, other: object) -> bool:
        """Compare benefit, eligibility and amount."""
        if isinstance(other, tuple):
            return tuple.__eq__(self[:3], other[:3])
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        """The opposite of ``==``."""
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        """Hash what ``==`` compares."""
        return hash(self[:3])

    def __repr__(self) -> str:
        """Return ``<Outcome startup_subsidy: eligible, 5000.00 yuan>`` or ``…: not eligible (5 unmet)``."""
        if not self.eligible:
            return f"<Outcome {clip(self.benefit, 40)}: not eligible ({len(self.unmet)} unmet)>"
        amount = "amount undetermined" if self.fen is None else f"{self.amount} yuan"
        return f"<Outcome {clip(self.benefit, 40)}: eligible, {amount}>"


class Row(NamedTuple):
    """One output row of a batch: the outcomes, or the error, never neither."""

    row: int
    """The input's 1-based position."""
    id: str | None
    """The record's id, where it could be read."""
    outcomes: tuple[Outcome, ...]
    error: RecordError | None

    def __repr__(self) -> str:
        """Return ``<Row 1 G1: 2 of 9 eligible>``, or ``<Row 3 G7: error: …>``."""
        head = f"<Row {self.row} {clip(self.id)}"
        if self.error is not None:
            return f"{head}: error: {clip(self.error, 60)}>"
        eligible = sum(1 for o in self.outcomes if o.eligible)
        return f"{head}: {eligible} of {len(self.outcomes)} eligible>"


def _id_of(record: object) -> str | None:
    """The id of a record that failed to parse, for its error row (None if unreadable)."""
    value = record.get("id") if isinstance(record, dict) else getattr(record, "id", None)
    if value is None:
        return None
    try:
        return str(value)
    except ValueError:  # an int too long for str(): the error row names the problem
        return None


CHUNK_SIZE = 4096
"""How many records a batch parses and computes at a time."""


@attrs.frozen(repr=False)
class Chunk:
    """The results of a run of consecutive records of a batch, as columns.

    Attributes:
        start: The row number of the chunk's first record.
        ids: Each record's id (``None`` where it could not be read).
        errors: The records that broke the contract, by position in the chunk.
        parsed: The positions of the other records, in order.
        outcomes: Each benefit's results over the parsed records.
    """

    start: int
    ids: list[str | None]
    errors: dict[int, RecordError]
    parsed: npt.NDArray[np.intp]
    outcomes: tuple[Outcomes, ...]

    def __len__(self) -> int:
        """The number of records in the chunk."""
        return len(self.ids)

    def __repr__(self) -> str:
        """Return ``<Chunk of 4096 rows from row 1: 3 errors, 9 benefits>``."""
        return (
            f"<Chunk of {plural(len(self.ids), 'row')} from row {self.start}: "
            f"{plural(len(self.errors), 'error')}, {plural(len(self.outcomes), 'benefit')}>"
        )

    def rows(self) -> Iterator[Row]:
        """Yield the chunk's rows, in order (built when first asked for, for the chunk)."""
        with gc_paused():
            columns = [_distinct_outcomes(o) for o in self.outcomes]
            errors, ids, start = self.errors, self.ids, self.start
            new = tuple.__new__  # Row's own __new__, without its Python-level wrapper
            out: list[Row] = []
            j = 0
            for i in range(len(ids)):
                error = errors.get(i)
                if error is not None:
                    out.append(Row(start + i, ids[i], (), error))
                    continue
                out.append(
                    new(Row, (start + i, ids[i], tuple([t[x[j]] for t, x in columns]), None))
                )
                j += 1
        return iter(out)


def _distinct_outcomes(o: Outcomes) -> tuple[list[Outcome], list[int]]:
    """Each distinct outcome of a benefit over a chunk once, and which one each record has.

    Outcomes are immutable and repeat across a register, so rows share them.
    """
    flags = (o.unmet << 2) | (o.eligible.astype(np.int64) << 1) | o.unknown
    if len(flags) == 0:
        return [], []
    fens, fen_of = np.unique(o.fen, return_inverse=True)
    kinds, kind_of = np.unique(flags, return_inverse=True)
    keys, inverse = np.unique(fen_of * len(kinds) + kind_of, return_inverse=True)
    table = [
        Outcome(
            o.benefit,
            bool(flag >> 1 & 1),
            None if flag & 1 else fen,
            o.unmet_codes(flag >> 2) if flag >> 2 else (),
        )
        for fen, flag in zip(
            fens[keys // len(kinds)].tolist(), kinds[keys % len(kinds)].tolist(), strict=True
        )
    ]
    return table, inverse.reshape(-1).tolist()


class Batch:
    """The rows of [`evaluate_many`][yantai_policy.benefits.batch.evaluate_many]: an iterator of [`Row`][yantai_policy.benefits.batch.Row], computed by chunk.

    Iterate it for one [`Row`][yantai_policy.benefits.batch.Row] per record, or read [`chunks`][yantai_policy.benefits.batch.Batch.chunks] for the
    results as arrays, with no object per row.
    """

    def __repr__(self) -> str:
        """Return ``<Batch: rows computed by chunk as they are read>``."""
        return "<Batch: rows computed by chunk as they are read>"

    def __init__(self, chunks: Iterator[Chunk]) -> None:
        """Wrap the chunks (computed as they are read)."""
        self._chunks = chunks
        self._rows: Iterator[Row] = itertools.chain.from_iterable(c.rows() for c in chunks)

    def __iter__(self) -> Iterator[Row]:
        """Return the rows (one iterator: reading it advances the batch)."""
        return self._rows

    def __next__(self) -> Row:
        """Return the next row."""
        return next(self._rows)

    def chunks(self) -> Iterator[Chunk]:
        """Yield the remaining results chunk by chunk, as arrays."""
        return self._chunks

    def close(self) -> None:
        """Stop the batch early: no more chunks are computed (worker processes end)."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def evaluate_many(  # noqa: PLR0913 - keyword-only options of a batch
    records: Iterable[Any],
    *,
    on: dt.date | str,
    benefits: Iterable[str] | None = None,
    policy: Policy | None = None,
    parse: Callable[[Any], Applicant | Placement] | None = None,
    start: int = 1,
    chunk_size: int = CHUNK_SIZE,
    decode: Callable[[Any], Any] | None = None,
    jobs: int = 1,
) -> Batch:
    """Evaluate a stream of records, yielding exactly one row for each, in order.

    Nothing is dropped: a record that breaks the contract yields a row holding a
    [`RecordError`][yantai_policy.benefits.records.RecordError] with its row number and field; the others yield every
    benefit's [`Outcome`][yantai_policy.benefits.batch.Outcome]. Records are parsed and computed in chunks of
    ``chunk_size``, over the same vectorised definitions as [`evaluate`][yantai_policy.benefits.evaluate], so a
    stream of any length runs in constant memory.

    Args:
        records: Applicant dicts (or parsed records, or whatever ``parse`` takes).
        on: The day of application: a date, or an ISO string such as ``"2021-07-16"``.
        benefits: The benefits to run; [`APPLICANT_BENEFITS`][yantai_policy.benefits.registry.APPLICANT_BENEFITS] if not given.
        policy: The plan; the built-in one if not given.
        parse: Turns one input into a record; [`parse_applicant`][yantai_policy.benefits.records.parse_applicant] (or
            [`parse_placement`][yantai_policy.benefits.records.parse_placement] when every benefit takes placements) if not given.
        start: The row number of the first record.
        chunk_size: How many records are computed together.
        decode: Turns one raw input (a JSONL line, say) into what ``parse`` takes;
            run with the parsing, in the worker process when ``jobs`` > 1.
        jobs: How many worker processes parse and compute the chunks
            ([`parallel`][yantai_policy.benefits.parallel]); 1 computes them here. The rows
            are the same, in the same order, whatever the number. With more than
            one, ``parse`` and ``decode`` must be picklable where processes are not forked.
            At most [MAX_JOBS][yantai_policy.benefits.batch.MAX_JOBS].

    Returns:
        An iterator of one [`Row`][yantai_policy.benefits.batch.Row] per record (see [`Batch`][yantai_policy.benefits.batch.Batch]).

    Raises:
        UnknownNameError: A benefit does not exist (raised at the call, not on iteration).
        PolicyError: The benefits mix applicant and placement records.

    Examples:
        >>> import datetime as dt
        >>> rows = evaluate_many([{"id": "A", "groups": ["farmer"]}, {"id": "B", "groups": "farmer"}],
        ...     on=dt.date(2021, 6, 1), benefits=["fee_exemptions"])
        >>> for row in rows:
        ...     print(row.row, row.id, row.outcomes, row.error)
        1 A (<Outcome fee_exemptions: eligible, amount undetermined>,) None
        2 B () row 2: groups: expected a list, got a string
    """
    formulas, parse = _plan(benefits, parse)
    if type(chunk_size) is not int or chunk_size < 1:
        raise PolicyError(f"chunk_size must be a positive integer, not {chunk_size!r}")
    if type(jobs) is not int or not 1 <= jobs <= MAX_JOBS:
        raise PolicyError(f"jobs must be a positive integer, at most {MAX_JOBS}, not {jobs!r}")
    ctx = context(policy if policy is not None else load_policy(), on)
    if jobs > 1:
        from yantai_policy.benefits.parallel import parallel_chunks  # noqa: PLC0415

        return Batch(
            parallel_chunks(
                records,
                formulas=formulas,
                parse=parse,
                decode=decode,
                ctx=ctx,
                start=start,
                size=chunk_size,
                jobs=jobs,
            )
        )
    return Batch(
        _chunks(
            records,
            formulas=formulas,
            parse=parse,
            contexts=[ctx],
            start=start,
            size=chunk_size,
            decode=decode,
        )
    )


def _chunks(  # noqa: PLR0913 - the parts of a batch
    records: Iterable[Any],
    *,
    formulas: list[Benefit[Any, Any]],
    parse: Callable[[Any], Applicant | Placement],
    contexts: list[Context],
    start: int,
    size: int,
    decode: Callable[[Any], Any] | None = None,
) -> Iterator[Chunk]:
    """Parse records a chunk at a time and compute each chunk's columns (one per context)."""
    it = iter(records)
    number = start
    while True:
        raw = list(itertools.islice(it, size))
        if not raw:
            return
        with gc_paused():
            if decode is not None:
                raw = [decode(item) for item in raw]
            chunks = _chunk(raw, number, formulas=formulas, parse=parse, contexts=contexts)
        yield from chunks
        number += len(raw)


def _chunk(
    raw: list[Any],
    number: int,
    *,
    formulas: list[Benefit[Any, Any]],
    parse: Callable[[Any], Applicant | Placement],
    contexts: list[Context],
) -> list[Chunk]:
    """Parse and compute one chunk: one [`Chunk`][yantai_policy.benefits.batch.Chunk] per context."""
    kind = Placement if formulas[0].record == "placement" else Applicant
    # Dicts that parse_applicant would parse are read straight into columns (benefits.reading).
    columnar = parse is parse_applicant or getattr(parse, "reads_applicant_dicts", False) is True
    ids: list[str | None] = [None] * len(raw)
    errors: dict[int, RecordError] = {}
    groups: list[tuple[list[int], Callable[[], Any]]] = []
    done: set[int] = set()
    if columnar:
        x, positions, fast_ids = applicant_chunk(raw)
        for i, record_id in zip(positions, fast_ids, strict=True):
            ids[i] = record_id
        if positions:
            groups.append((positions, functools.partial(_same, x)))
        done.update(positions)
    parsed: list[Any] = []
    slow: list[int] = []
    for i, item in enumerate(raw):
        if i in done:
            continue
        try:
            record = item if isinstance(item, kind) else parse(item)
        except RecordError as error:
            errors[i] = error.at_row(number + i)
            ids[i] = _id_of(item)
            continue
        ids[i] = record.id
        parsed.append(record)
        slow.append(i)
    if slow:
        groups.append((slow, functools.partial(formulas[0].columns, parsed)))
    return list(
        _computed(
            number,
            raw=raw,
            ids=ids,
            errors=errors,
            groups=groups,
            formulas=formulas,
            contexts=contexts,
            parse=parse,
        )
    )


def _same(value: object) -> object:
    return value


def _computed(  # noqa: PLR0913 - the parts of a chunk
    number: int,
    *,
    raw: list[Any],
    ids: list[str | None],
    errors: dict[int, RecordError],
    groups: list[tuple[list[int], Callable[[], Any]]],
    formulas: list[Benefit[Any, Any]],
    contexts: list[Context],
    parse: Callable[[Any], Applicant | Placement],
) -> Iterator[Chunk]:
    """Compute a chunk's groups of columns and put the results back in input order.

    A record whose amounts overflow the exact range of the columns becomes an error row.
    """
    results: list[list[tuple[Outcomes, ...]]] = [[] for _ in contexts]
    positions: list[int] = []
    for group, columns in groups or [([], lambda: formulas[0].columns([]))]:
        try:
            x = columns()
            outs = [tuple(f.run(x, ctx) for f in formulas) for ctx in contexts]
        except PolicyError:
            # Some record's sums are beyond the exact range: compute them one by one.
            for i in group:
                item = raw[i]
                try:
                    one = formulas[0].columns(
                        [item if isinstance(item, Applicant | Placement) else parse(item)]
                    )
                    outs = [tuple(f.run(one, ctx) for f in formulas) for ctx in contexts]
                except PolicyError as error:
                    errors[i] = RecordError(str(error), row=number + i)
                    continue
                positions.append(i)
                for k, out in enumerate(outs):
                    results[k].append(out)
            continue
        positions.extend(group)
        for k, out in enumerate(outs):
            results[k].append(out)
    order = np.argsort(np.array(positions, dtype=np.intp), kind="stable")
    index = np.array(positions, dtype=np.intp)[order]
    for parts in results:
        if len(parts) == 1 and bool(np.all(order == np.arange(len(order)))):
            outcomes = parts[0]
        else:
            outcomes = tuple(_joined([p[b] for p in parts], order) for b in range(len(formulas)))
        yield Chunk(number, ids, errors, index, outcomes)


def _joined(parts: list[Outcomes], order: npt.NDArray[np.intp]) -> Outcomes:
    """Concatenate one benefit's outcomes over several groups, then reorder them."""
    first = parts[0]
    return Outcomes(
        first.benefit,
        np.concatenate([p.eligible for p in parts])[order],
        np.concatenate([p.fen for p in parts])[order],
        np.concatenate([p.unknown for p in parts])[order],
        np.concatenate([p.unmet for p in parts])[order],
        first.codes,
    )


def batch_formulas(benefits: Iterable[str] | str | None) -> list[Benefit[Any, Any]]:
    """Resolve the benefits a batch runs, by name or Chinese title, each once, in order.

    Args:
        benefits: Names or titles; [`APPLICANT_BENEFITS`][yantai_policy.benefits.registry.APPLICANT_BENEFITS] if ``None``.

    Raises:
        UnknownNameError: No benefit has a name given; the message suggests close ones.
        PolicyError: None is given, or they mix applicant and placement records.

    Examples:
        >>> [f.name for f in batch_formulas(["一次性创业补贴", "tax_relief", "startup_subsidy"])]
        ['startup_subsidy', 'tax_relief']
    """
    if isinstance(benefits, str):  # one name, not its letters
        benefits = [benefits]
    formulas = list(
        {
            f.name: f
            for f in (
                get_benefit(name)
                for name in (benefits if benefits is not None else APPLICANT_BENEFITS)
            )
        }.values()
    )
    if not formulas:
        raise PolicyError("no benefits to evaluate")
    if len({f.record for f in formulas}) > 1:
        raise PolicyError(
            "a batch takes one kind of record: do not mix placement and applicant benefits"
        )
    return formulas


def _plan(
    benefits: Iterable[str] | None, parse: Callable[[Any], Applicant | Placement] | None
) -> tuple[list[Benefit[Any, Any]], Callable[[Any], Applicant | Placement]]:
    """Resolve a batch's formulas and its parser."""
    formulas = batch_formulas(benefits)
    kinds = {f.record for f in formulas}
    if parse is None:
        parse = parse_placement if kinds == {"placement"} else parse_applicant
    return formulas, parse


@attrs.define(repr=False)
class BatchSummary:
    """Counts and totals over a batch's rows: feed it with [`add`][yantai_policy.benefits.batch.BatchSummary.add].

    Attributes:
        rows: Rows seen.
        errors: Rows with an error.
        eligible: Eligible rows per benefit.
        totals: Total fen per benefit (over determinable amounts).
        undetermined: Eligible rows whose amount cannot be determined, per benefit.
    """

    rows: int = 0
    errors: int = 0
    eligible: dict[str, int] = attrs.field(factory=dict)
    totals: dict[str, int] = attrs.field(factory=dict)
    undetermined: dict[str, int] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        """Return ``<BatchSummary 1000 rows, 3 errors, 9 benefits>``; `to_text` has the totals."""
        return (
            f"<BatchSummary {plural(self.rows, 'row')}, {plural(self.errors, 'error')}, "
            f"{plural(len(self.eligible), 'benefit')}>"
        )

    def add(self, row: Row) -> Row:
        """Count one row and return it (so this can sit in a pipeline)."""
        self.rows += 1
        if row.error is not None:
            self.errors += 1
            return row
        for o in row.outcomes:
            unknown = o.eligible and o.fen is None
            fen = o.fen if o.eligible and o.fen is not None else 0
            self._count(o.benefit, int(o.eligible), int(unknown), fen)
        return row

    def add_chunk(self, chunk: Chunk) -> Chunk:
        """Count a chunk's rows from its columns and return it (as [`add`][yantai_policy.benefits.batch.BatchSummary.add] does a row)."""
        self.rows += len(chunk)
        self.errors += len(chunk.errors)
        if len(chunk.parsed) == 0:
            return chunk
        for o in chunk.outcomes:
            # Python ints: a sum of many large amounts may pass the int64 range.
            self._count(
                o.benefit,
                int(np.count_nonzero(o.eligible)),
                int(np.count_nonzero(o.unknown)),
                sum(o.fen.tolist()),
            )
        return chunk

    def _count(self, name: str, eligible: int, undetermined: int, fen: int) -> None:
        """Add eligible rows, those with no determinable amount, and the fen of the others."""
        self.eligible[name] = self.eligible.get(name, 0) + eligible
        self.undetermined[name] = self.undetermined.get(name, 0) + undetermined
        self.totals[name] = self.totals.get(name, 0) + fen

    def to_text(self) -> str:
        """Return the summary as lines of text.

        A benefit with an eligible row whose amount cannot be determined (a parameter
        the plan leaves unknown) has no total: it says ``total undetermined``, with the
        sum over the other rows, never a total that reads as zero.

        Examples:
            >>> summary = BatchSummary(rows=3, eligible={"a": 2, "b": 3, "c": 1},
            ...     totals={"a": 100, "b": 50, "c": 0}, undetermined={"a": 0, "b": 1, "c": 1})
            >>> print(summary.to_text())
            rows: 3
            errors: 0
            a: 2 eligible, total 1.00 yuan
            b: 3 eligible, total undetermined (1 undetermined; 0.50 yuan for the other 2)
            c: 1 eligible, total undetermined (1 undetermined)
        """
        out = [f"rows: {self.rows}", f"errors: {self.errors}"]
        for name, eligible in self.eligible.items():
            total = _total(fen_to_yuan(self.totals[name]), self.undetermined[name], eligible)
            out.append(f"{name}: {eligible} eligible, total {total}")
        return "\n".join(out)


def _total(yuan: Decimal, undetermined: int, eligible: int) -> str:
    """A total as text: ``650.00 yuan``, or ``undetermined`` when an amount is unknown."""
    if not undetermined:
        return f"{yuan} yuan"
    rest = eligible - undetermined
    known = f"; {yuan} yuan for the other {rest}" if rest else ""
    return f"undetermined ({undetermined} undetermined{known})"


@attrs.frozen
class BenefitComparison:
    """One benefit under the baseline and the reform."""

    benefit: str
    eligible_baseline: int
    eligible_reform: int
    total_baseline: Decimal
    total_reform: Decimal
    undetermined_baseline: int = 0
    """Eligible rows under the baseline whose amount cannot be determined (not in the total)."""
    undetermined_reform: int = 0
    """Eligible rows under the reform whose amount cannot be determined (not in the total)."""

    @property
    def difference(self) -> Decimal:
        """Reform total minus baseline total (exact, whatever the caller's decimal context)."""
        return EXACT.subtract(self.total_reform, self.total_baseline)


@attrs.frozen
class RowDifference:
    """A row whose outcome for a benefit differs between baseline and reform."""

    row: int
    id: str | None
    benefit: str
    baseline: Outcome
    reform: Outcome


@attrs.frozen(repr=False)
class Comparison:
    """The result of [`compare`][yantai_policy.benefits.batch.compare].

    Attributes:
        rows: Rows compared.
        errors: The rows that broke the contract (they count under neither policy).
        benefits: Counts and totals per benefit.
        differences: Each row and benefit whose eligibility or amount changed.
    """

    rows: int
    errors: tuple[RecordError, ...]
    benefits: tuple[BenefitComparison, ...]
    differences: tuple[RowDifference, ...]

    def __repr__(self) -> str:
        """Return ``<Comparison 1000 rows, 2 errors, 9 benefits, 35 differences>``."""
        return (
            f"<Comparison {plural(self.rows, 'row')}, {plural(len(self.errors), 'error')}, "
            f"{plural(len(self.benefits), 'benefit')}, "
            f"{plural(len(self.differences), 'difference')}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as JSON-ready data: amounts as strings of yuan.

        Examples:
            >>> import datetime as dt
            >>> import yantai_policy as yp
            >>> base = yp.load_policy()
            >>> reform = base.with_parameters({"social_insurance_subsidy.rate": "50%"})
            >>> record = {"id": "H1", "groups": ["hard_to_employ"], "flexible_since": "2021-02-01",
            ...     "contributions": [{"month": "2021-02", "amount": "1000"}]}
            >>> data = compare([record], base, reform, on=dt.date(2021, 3, 1),
            ...     benefits=["social_insurance_subsidy"]).to_dict()
            >>> data["benefits"][0]["difference"], data["differences"][0]["reform"]["amount"]
            ('-150.00', '500.00')
        """

        def outcome(o: Outcome) -> dict[str, Any]:
            amount = o.amount
            return {"eligible": o.eligible, "amount": None if amount is None else str(amount),
                    "unmet": list(o.unmet)}  # fmt: skip

        return {
            "rows": self.rows,
            "errors": [{"row": e.row, "field": e.field, "reason": e.reason} for e in self.errors],
            "benefits": [
                {
                    "benefit": b.benefit,
                    "eligible_baseline": b.eligible_baseline,
                    "eligible_reform": b.eligible_reform,
                    "total_baseline": str(b.total_baseline),
                    "total_reform": str(b.total_reform),
                    "undetermined_baseline": b.undetermined_baseline,
                    "undetermined_reform": b.undetermined_reform,
                    "difference": None
                    if b.undetermined_baseline or b.undetermined_reform
                    else f"{b.difference}",
                }
                for b in self.benefits
            ],
            "differences": [
                {
                    "row": d.row,
                    "id": d.id,
                    "benefit": d.benefit,
                    "baseline": outcome(d.baseline),
                    "reform": outcome(d.reform),
                }
                for d in self.differences
            ],
        }

    def to_text(self) -> str:
        """Return the comparison as a table of text."""
        out = [
            f"rows: {self.rows}, errors: {len(self.errors)}, rows x benefits changed: {len(self.differences)}"
        ]
        for b in self.benefits:
            before = _total(b.total_baseline, b.undetermined_baseline, b.eligible_baseline)
            after = _total(b.total_reform, b.undetermined_reform, b.eligible_reform)
            known = not (b.undetermined_baseline or b.undetermined_reform)
            change = f"{b.difference:+}" if known else "difference undetermined"
            out.append(
                f"{b.benefit}: eligible {b.eligible_baseline} -> {b.eligible_reform}, "
                f"total {before.removesuffix(' yuan')} -> {after.removesuffix(' yuan')} ({change})"
            )
        return "\n".join(out)


def compare(  # noqa: PLR0913 - keyword-only options of a batch
    records: Iterable[Any],
    baseline: Policy,
    reform: Policy,
    *,
    on: dt.date | str,
    benefits: Iterable[str] | None = None,
    parse: Callable[[Any], Applicant | Placement] | None = None,
) -> Comparison:
    """Evaluate records under two policies and compare: a what-if.

    Each record is parsed once and evaluated under both. The records are read once,
    so a generator will do.

    Returns:
        Eligible counts and totals per benefit under each policy, and the rows that changed.

    Examples:
        >>> import datetime as dt
        >>> import yantai_policy as yp
        >>> base = yp.load_policy()
        >>> reform = base.with_parameters({"social_insurance_subsidy.rate": "50%"})
        >>> record = {"id": "H1", "groups": ["hard_to_employ"], "flexible_since": "2021-02-01",
        ...     "contributions": [{"month": "2021-02", "amount": "1000"}]}
        >>> result = compare([record], base, reform, on=dt.date(2021, 3, 1),
        ...     benefits=["social_insurance_subsidy"])
        >>> print(result.to_text())
        rows: 1, errors: 0, rows x benefits changed: 1
        social_insurance_subsidy: eligible 1 -> 1, total 650.00 -> 500.00 (-150.00)
    """
    formulas, parse = _plan(benefits, parse)
    day = day_of_application(on)  # once, for both contexts
    contexts = [context(baseline, day), context(reform, day)]
    left, right = BatchSummary(), BatchSummary()
    errors: list[RecordError] = []
    differences: list[RowDifference] = []
    chunks = _chunks(
        records, formulas=formulas, parse=parse, contexts=contexts, start=1, size=CHUNK_SIZE
    )
    for base_chunk in chunks:
        reform_chunk = next(chunks)
        for a, b in zip(base_chunk.rows(), reform_chunk.rows(), strict=True):
            left.add(a)
            if a.error is not None:
                errors.append(a.error)
                continue
            right.add(b)
            differences.extend(
                RowDifference(a.row, a.id, x.benefit, x, y)
                for x, y in zip(a.outcomes, b.outcomes, strict=True)
                if x != y
            )
    return Comparison(
        rows=left.rows,
        errors=tuple(errors),
        benefits=tuple(
            BenefitComparison(
                benefit=f.name,
                eligible_baseline=left.eligible.get(f.name, 0),
                eligible_reform=right.eligible.get(f.name, 0),
                total_baseline=fen_to_yuan(left.totals.get(f.name, 0)),
                total_reform=fen_to_yuan(right.totals.get(f.name, 0)),
                undetermined_baseline=left.undetermined.get(f.name, 0),
                undetermined_reform=right.undetermined.get(f.name, 0),
            )
            for f in formulas
        ),
        differences=tuple(differences),
    )
