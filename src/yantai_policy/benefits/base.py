"""What every benefit formula shares: conditions, context, columns and decisions.

A formula is a [`Benefit`][yantai_policy.benefits.base.Benefit] subclass, written once. It declares its conditions
([`Spec`][yantai_policy.benefits.base.Spec]: code, wording, clause, group, and how to word the facts behind it)
and the parameters it reads, and implements one vectorised method,
[`Benefit.compute`][yantai_policy.benefits.base.Benefit.compute], over a batch of records as columns
([`columns`][yantai_policy.benefits.columns]). That one computation returns each
condition's result, the amount, and the facts behind them (the dates compared, the
months counted, the amounts paid).

Everything else is derived from it:

* [`Benefit.run`][yantai_policy.benefits.base.Benefit.run] gives a batch's eligibility, amounts and unmet conditions as
  arrays (what ``evaluate_many``, ``evaluate_frame``, ``compare`` and the CLI use);
* [`Benefit.decide`][yantai_policy.benefits.base.Benefit.decide] runs one record as a batch of one and words the full
  decision from the same results and facts: no second pass restates a rule.

The base class adds the first condition of every decision: that the notice is in
force on the day of application.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs
import numpy as np

from yantai_policy._reprs import clip, plural
from yantai_policy.benefits.decision import Clause, Condition, Decision, Line, ParameterUse
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.dates import parse_date
from yantai_policy.errors import PolicyError
from yantai_policy.formula_parameters import declared_by
from yantai_policy.model import Text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import numpy.typing as npt

    from yantai_policy.benefits.columns import Applicants, Placements
    from yantai_policy.benefits.records import Applicant, Placement
    from yantai_policy.model import Policy
    from yantai_policy.parameters import Value

    Bools = npt.NDArray[np.bool_]
    Ints = npt.NDArray[np.int64]

__all__ = [
    "IN_FORCE",
    "Benefit",
    "Computed",
    "Context",
    "Facts",
    "Outcomes",
    "Spec",
    "context",
    "day_of_application",
]

R = TypeVar("R", "Applicant", "Placement")
C = TypeVar("C", "Applicants", "Placements")


@attrs.frozen(repr=False)
class Spec:
    """A condition a formula checks (see [`Condition`][yantai_policy.benefits.Condition]).

    Attributes:
        code: A stable identifier, such as ``first_licence``.
        text: The condition, in Chinese and English.
        clause: The clause of the notice it comes from.
        group: ``None`` for a condition that must hold; otherwise a name shared by
            alternatives, of which at least one must hold.
        detail: Words the facts behind the answer for one record, from the
            computation's [`Facts`][yantai_policy.benefits.base.Facts]; no detail if ``None``.
    """

    code: str
    text: Text
    clause: Clause
    group: str | None = None
    detail: Callable[[Facts], str] | None = attrs.field(default=None, eq=False, repr=False)

    def __repr__(self) -> str:
        """Return ``<Spec first_licence: 首次领取…>``."""
        return f"<Spec {clip(self.code, 48)}: {clip(self.text.zh)}>"


IN_FORCE = Spec(
    "in_force",
    Text(
        "申请日在通知印发之日或之后",
        "the day of application is on or after the notice's issue date",
    ),
    Clause("2021 年 1月 11日"),
)
"""The condition every decision starts with: the notice is in force."""


@attrs.frozen(repr=False)
class Context:
    """A plan's parameters resolved for one day, shared by every record of a batch.

    Attributes:
        policy: The plan.
        on: The day of application.
        in_force: Whether the notice is in force on that day.
        values: Each parameter's value on that day (``None`` where none is in force).
    """

    policy: Policy
    on: dt.date
    in_force: bool
    values: Mapping[str, Value | None]

    def __repr__(self) -> str:
        """Return ``<Context 烟政办字〔2021〕3号 on 2021-05-01: in force, 19 values>``."""
        force = "in force" if self.in_force else "not in force"
        document = clip(self.policy.notice.document_number, 40)
        return f"<Context {document} on {self.on}: {force}, {plural(len(self.values), 'value')}>"

    @property
    def day(self) -> np.datetime64:
        """The day of application as a numpy day."""
        return np.datetime64(self.on, "D")

    def require(self, name: str) -> Value:
        """Return a parameter's value on the day, or raise if it has none.

        Raises:
            PolicyError: The plan has no value in force for the parameter.
        """
        value = self.values.get(name)
        if value is None:
            raise PolicyError(f"parameter {name} has no value in force on {self.on}")
        return value


_CONTEXTS: dict[tuple[int, dt.date], Context] = {}


def day_of_application(on: object) -> dt.date:
    """Return the day of application: a date, or an ISO string such as ``"2021-07-16"``.

    Every public function that takes ``on`` converts it here (through `context`), once.

    Raises:
        TypeError: ``on`` is neither a date nor a string (a datetime is not a day).
        ValueError: The string is not a day that exists; the message says why.

    Examples:
        >>> day_of_application("2021-07-16")
        datetime.date(2021, 7, 16)
        >>> day_of_application("2021-02-30")
        Traceback (most recent call last):
        ...
        ValueError: on: invalid date '2021-02-30': February 2021 has 28 days
    """
    if isinstance(on, dt.date) and not isinstance(on, dt.datetime):
        return on
    if isinstance(on, str):
        try:
            return parse_date(on)
        except ValueError as error:
            raise ValueError(f"on: {error}") from None
    raise TypeError(f"on must be a date or a string such as '2021-07-16', not {type(on).__name__}")


def context(policy: Policy, on: dt.date | str) -> Context:
    """Return the [`Context`][yantai_policy.benefits.base.Context] of a plan on a day (cached: a batch resolves it once).

    ``on`` is a date or an ISO string (see `day_of_application`).
    """
    on = day_of_application(on)
    key = (id(policy), on)
    found = _CONTEXTS.get(key)
    if found is not None and found.policy is policy:
        return found
    params = policy.parameters
    ctx = Context(
        policy=policy,
        on=on,
        in_force=on >= policy.notice.issued_on,
        values={name: params.by_name[name].at(on) for name in params.by_name},
    )
    if len(_CONTEXTS) > 64:
        _CONTEXTS.clear()
    _CONTEXTS[key] = ctx
    return ctx


@attrs.frozen
class Computed:
    """What [`Benefit.compute`][yantai_policy.benefits.base.Benefit.compute] returns for a batch: one array entry per record.

    Attributes:
        held: Each condition's result, by code (every code of `Benefit.specs`).
        fen: The amount in fen (read where eligible), or ``None`` where the amount
            cannot be determined for any record (a parameter with no value).
        unknown: The records whose amount cannot be determined, if only some.
        facts: The values behind the results, by name: arrays with one entry per
            record, or per entry or group of entries (only a batch of one is worded);
            a callable stands for a fact computed only when a decision is worded.
    """

    held: Mapping[str, Bools]
    fen: Ints | None
    unknown: Bools | None = None
    facts: Mapping[str, Any] = attrs.field(factory=dict)


def _python(value: object) -> object:
    """A numpy scalar as the Python value a decision shows (NaT: None)."""
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else value.astype("datetime64[D]").item()
    if isinstance(value, np.generic):
        return value.item()
    return value


@attrs.frozen
class Facts:
    """One record's results and facts, as [`Benefit.decide`][yantai_policy.benefits.base.Benefit.decide] words them.

    Attributes:
        record: The parsed record (its fields are the inputs).
        ctx: The day and the parameters.
        computed: The batch-of-one computation.
    """

    record: Any
    ctx: Context
    computed: Computed

    def __getitem__(self, name: str) -> Any:  # noqa: ANN401 - facts are dates, ints, bools
        """Return a fact of the record as a Python value (a date, int or bool; NaT is None)."""
        value = self.computed.facts[name]
        if callable(value):
            value = value()
        if isinstance(value, np.ndarray):
            return _python(value[0]) if value.ndim else _python(value[()])
        return _python(value)

    def all(self, name: str) -> list[Any]:
        """Return every entry of a per-entry fact, as Python values."""
        value = self.computed.facts[name]
        return [_python(v) for v in (value() if callable(value) else value)]

    def held(self, code: str) -> bool:
        """Return whether a condition held."""
        return bool(self.computed.held[code][0])

    def dated(self, field: str, code: str) -> str:
        """Word a date field that condition ``code`` holds when on or before the day.

        Returns ``"<field> not given"``, ``"<field> = <day>"``, or, where the condition
        did not hold, ``"<field> = <day>, after <on>"``.
        """
        day = getattr(self.record, field)
        if day is None:
            return f"{field} not given"
        return f"{field} = {day}" + ("" if self.held(code) else f", after {self.on}")

    def value(self, name: str) -> Value | None:
        """Return a parameter's value on the day (``None`` where none is in force)."""
        return self.ctx.values.get(name)

    @property
    def on(self) -> dt.date:
        """The day of application."""
        return self.ctx.on


@attrs.frozen(repr=False)
class Outcomes:
    """One benefit over a batch: eligibility, amounts and unmet conditions as arrays.

    Attributes:
        benefit: The benefit's name.
        eligible: Whether each record is eligible.
        fen: The amount in fen; 0 where not eligible or not determinable.
        unknown: Eligible records whose amount cannot be determined.
        unmet: Bits of the conditions that did not hold (bit ``i`` is ``codes[i]``).
        codes: ``in_force`` and the benefit's condition codes, in order.
    """

    benefit: str
    eligible: Bools
    fen: Ints
    unknown: Bools
    unmet: Ints
    codes: tuple[str, ...]

    def __repr__(self) -> str:
        """Return ``<Outcomes startup_subsidy: 1 of 4096 rows eligible>``."""
        eligible = int(np.count_nonzero(self.eligible))
        return (
            f"<Outcomes {clip(self.benefit, 40)}: {eligible} of {len(self.eligible)} rows eligible>"
        )

    def unmet_codes(self, bits: int) -> tuple[str, ...]:
        """Return the codes of a bit mask of `unmet`."""
        return _unmet_codes(self.codes, bits)

    def unmet_texts(self) -> npt.NDArray[np.object_]:
        """Return each record's unmet codes joined by ``;`` (empty where none), as an array.

        Each distinct combination is joined once, so this costs one pass of numpy.
        """
        unmet = self.unmet
        if len(unmet) == 0:
            return np.empty(0, dtype=object)
        top = int(unmet.max())
        if top < _TABLE_BITS:  # a table over the few combinations: a count, no sort
            present = np.flatnonzero(np.bincount(unmet, minlength=top + 1))
            table = np.empty(top + 1, dtype=object)
        else:
            present, inverse = np.unique(unmet, return_inverse=True)
            unmet = inverse.reshape(-1)
            table = np.empty(len(present), dtype=object)
        for at, bits in enumerate(present.tolist()):
            table[bits if top < _TABLE_BITS else at] = ";".join(_unmet_codes(self.codes, bits))
        texts: npt.NDArray[np.object_] = table[unmet]
        return texts

    def take(self, index: npt.NDArray[np.intp]) -> Outcomes:
        """Return the outcomes of some records, in the order given."""
        return Outcomes(
            self.benefit,
            self.eligible[index],
            self.fen[index],
            self.unknown[index],
            self.unmet[index],
            self.codes,
        )


_TABLE_BITS = 1 << 16
"""Unmet bit masks below this are looked up in a table indexed by the mask."""
_CODE_CACHE: dict[tuple[tuple[str, ...], int], tuple[str, ...]] = {}


def _unmet_codes(codes: tuple[str, ...], bits: int) -> tuple[str, ...]:
    key = (codes, bits)
    found = _CODE_CACHE.get(key)
    if found is None:
        found = tuple(code for i, code in enumerate(codes) if bits >> i & 1)
        if len(_CODE_CACHE) < 4096:
            _CODE_CACHE[key] = found
    return found


class Benefit(Generic[R, C]):
    """A benefit formula. Subclasses set the class attributes and [`compute`][yantai_policy.benefits.base.Benefit.compute].

    Attributes:
        name: The benefit's identifier, such as ``startup_subsidy``.
        title: Its name in Chinese and English.
        measure: The measure of the notice it implements.
        specs: Its conditions, in order (the in-force condition comes first, added here).
        parameters: The names of the parameters it reads.
        record: ``"applicant"`` or ``"placement"``: the record contract it takes.
    """

    name: ClassVar[str]
    title: ClassVar[Text]
    measure: ClassVar[int]
    specs: ClassVar[tuple[Spec, ...]]
    parameters: ClassVar[tuple[str, ...]]
    record: ClassVar[str] = "applicant"
    codes: ClassVar[tuple[str, ...]]

    def __repr__(self) -> str:
        """Return ``<Benefit startup_subsidy: 一次性创业补贴 (measure 6, applicant records)>``."""
        return (
            f"<Benefit {clip(self.name, 40)}: {clip(self.title.zh)} "
            f"(measure {self.measure}, {self.record} records)>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the benefit as listed by ``benefits --json`` and ``GET /v1/benefits``."""
        return {
            "name": self.name,
            "title": {"zh": self.title.zh, "en": self.title.en},
            "measure": self.measure,
            "record": self.record,
        }

    def __init_subclass__(cls) -> None:
        """Index the condition codes once, ``in_force`` first; check the declared parameters.

        Raises:
            TypeError: ``parameters`` are not exactly the parameters declared with
                this formula's name in `yantai_policy.formula_parameters` (their units
                and bounds, which the loader and ``with_parameters`` enforce).
        """
        super().__init_subclass__()
        cls.codes = (IN_FORCE.code, *(s.code for s in cls.specs))
        declared = declared_by(cls.name)
        if sorted(cls.parameters) != sorted(declared):
            raise TypeError(
                f"{cls.__name__} reads {sorted(cls.parameters)}, but "
                f"yantai_policy.formula_parameters declares {sorted(declared)} for {cls.name}"
            )

    def compute(self, x: C, ctx: Context) -> Computed:
        """Compute every condition, the amount and their facts over a batch (vectorised)."""
        raise NotImplementedError

    def lines(self, facts: Facts) -> tuple[Line, ...]:
        """Word the breakdown of an eligible record's amount from its facts."""
        return ()

    def notes(self, facts: Facts) -> tuple[Text, ...]:
        """Word further facts of a record's decision."""
        return ()

    def _eligible(self, held: Mapping[str, Bools], n: int) -> tuple[Bools, Ints]:
        """Combine the conditions: eligibility, and the bits of the unmet ones.

        The bits are gathered in the narrowest unsigned type that holds them (one
        byte for up to 7 conditions), then widened once to int64.
        """
        width = len(self.specs) + 1
        small = next(
            t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if width <= 8 * t().itemsize
        )
        unmet = np.zeros(n, small)
        bit = np.empty(n, small)
        none = np.empty(n, bool)
        groups: dict[str, list[int]] = {}
        for index, spec in enumerate(self.specs, 1):
            if spec.group is None:
                np.logical_not(held[spec.code], out=none)
                np.left_shift(none, index, out=bit, dtype=small)
                np.bitwise_or(unmet, bit, out=unmet)
            else:
                groups.setdefault(spec.group, []).append(index)
        for members in groups.values():
            some = np.zeros(n, bool)
            bits = 0
            for index in members:
                np.logical_or(some, held[self.specs[index - 1].code], out=some)
                bits |= 1 << index
            np.logical_not(some, out=none)
            np.multiply(none, small(bits), out=bit, dtype=small)
            np.bitwise_or(unmet, bit, out=unmet)
        eligible: Bools = unmet == 0
        return eligible, unmet.astype(np.int64)

    def run(self, x: C, ctx: Context) -> Outcomes:
        """Decide a batch: eligibility, amounts and unmet conditions as arrays."""
        n = x.n
        if not ctx.in_force:
            none = np.zeros(n, bool)
            return Outcomes(
                self.name, none, np.zeros(n, np.int64), none, np.ones(n, np.int64), self.codes
            )
        computed = self.compute(x, ctx)
        return self._outcomes(computed, n)

    def _outcomes(self, computed: Computed, n: int) -> Outcomes:
        eligible, unmet = self._eligible(computed.held, n)
        if computed.fen is None:
            return Outcomes(self.name, eligible, np.zeros(n, np.int64), eligible, unmet, self.codes)
        if computed.unknown is None:
            unknown = np.zeros(n, bool)
            paid = eligible
        else:
            unknown = computed.unknown & eligible
            paid = eligible & ~unknown
        fen = (computed.fen * paid).astype(np.int64, copy=False)  # 0 where not paid
        return Outcomes(self.name, eligible, fen, unknown, unmet, self.codes)

    def columns(self, records: Sequence[R]) -> C:
        """Return parsed records as the columns [`compute`][yantai_policy.benefits.base.Benefit.compute] takes."""
        from yantai_policy.benefits import columns  # noqa: PLC0415 - a sibling module

        if self.record == "placement":
            return columns.placements(records)  # type: ignore[arg-type,return-value]
        return columns.applicants(records)  # type: ignore[arg-type,return-value]

    def decide(self, record: R, ctx: Context, columns: C | None = None) -> Decision:
        """Return the full decision for one record: a batch of one, worded.

        Args:
            record: The parsed record.
            ctx: The day and the parameters.
            columns: The record as columns (a batch of one), if already built.
        """
        in_force = Condition(
            code=IN_FORCE.code,
            text=IN_FORCE.text,
            held=ctx.in_force,
            clause=IN_FORCE.clause,
            detail=f"{ctx.on} {'>=' if ctx.in_force else '<'} {ctx.policy.notice.issued_on}",
        )
        common = {
            "benefit": self.name,
            "title": self.title,
            "measure": self.measure,
            "record_id": record.id,
            "on": ctx.on,
            "policy_sha256": ctx.policy.data_sha256,
        }
        if not ctx.in_force:
            return Decision(
                eligible=False,
                amount=fen_to_yuan(0),
                reasons=(in_force,),
                parameters=(),
                lines=(),
                notes=(
                    Text(
                        f"通知于{ctx.policy.notice.issued_on}印发，申请日尚未施行。",
                        f"The notice was issued on {ctx.policy.notice.issued_on}; "
                        "it is not in force on the day of application.",
                    ),
                ),
                **common,  # type: ignore[arg-type]
            )
        computed = self.compute(self.columns([record]) if columns is None else columns, ctx)
        outcome = self._outcomes(computed, 1)
        facts = Facts(record, ctx, computed)
        reasons: tuple[Condition, ...] = tuple(
            Condition(
                code=spec.code,
                text=spec.text,
                held=bool(computed.held[spec.code][0]),
                clause=spec.clause,
                detail="" if spec.detail is None else spec.detail(facts),
                group=spec.group,
            )
            for spec in self.specs
        )
        eligible = bool(outcome.eligible[0])
        amount = None if outcome.unknown[0] else fen_to_yuan(int(outcome.fen[0]))
        return Decision(
            eligible=eligible,
            amount=amount,
            reasons=(in_force, *reasons),
            parameters=self.parameter_uses(ctx),
            lines=self.lines(facts) if eligible else (),
            notes=self.notes(facts),
            **common,  # type: ignore[arg-type]
        )

    def parameter_uses(self, ctx: Context) -> tuple[ParameterUse, ...]:
        """Return the parameters this formula reads, with their values on the day.

        A parameter the plan does not have (another city's plan may leave one out) is
        not listed: the formula reads it as having no value.
        """
        params = ctx.policy.parameters
        out = []
        for name in self.parameters:
            if name not in params:
                continue
            param = params[name]
            out.append(
                ParameterUse(
                    name=name,
                    value=param.render(ctx.values.get(name)),
                    effective=param.effective(ctx.on),
                    source=param.source_at(ctx.on),
                )
            )
        return tuple(out)
