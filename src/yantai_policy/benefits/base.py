"""What every benefit formula shares: conditions, context, and building decisions.

A formula is a :class:`Benefit` subclass. It declares its conditions (each with the
clause it comes from) and the parameters it reads, and implements two fast methods,
:meth:`Benefit.conditions` and :meth:`Benefit.amount`, that batches call for every
record, plus slower ones that only :func:`~yantai_policy.benefits.evaluate` calls to
explain a decision (:meth:`Benefit.details`, :meth:`Benefit.lines`,
:meth:`Benefit.notes`). The base class adds the first condition of every decision:
that the notice is in force on the day of application.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import attrs

from yantai_policy.benefits.decision import Clause, Condition, Decision, Line, ParameterUse
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.errors import PolicyError
from yantai_policy.model import Text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from yantai_policy.benefits.records import Applicant, Placement
    from yantai_policy.model import Policy
    from yantai_policy.parameters import Value

__all__ = ["IN_FORCE", "Benefit", "Context", "Spec", "context"]

R = TypeVar("R", "Applicant", "Placement")


@attrs.frozen
class Spec:
    """A condition a formula checks: its code, wording, clause and group (see :class:`Condition`)."""

    code: str
    text: Text
    clause: Clause
    group: str | None = None


IN_FORCE = Spec(
    "in_force",
    Text(
        "申请日在通知印发之日或之后",
        "the day of application is on or after the notice's issue date",
    ),
    Clause("2021 年 1月 11日"),
)
"""The condition every decision starts with: the notice is in force."""


@attrs.frozen
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


def context(policy: Policy, on: dt.date) -> Context:
    """Return the :class:`Context` of a plan on a day (cached: a batch resolves it once)."""
    key = (id(policy), on)
    found = _CONTEXTS.get(key)
    if found is not None and found.policy is policy:
        return found
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise TypeError(f"on must be a date, not {type(on).__name__}")
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


class Benefit(Generic[R]):
    """A benefit formula. Subclasses set the class attributes and the fast methods.

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
    _required: ClassVar[tuple[int, ...]]
    _groups: ClassVar[tuple[tuple[int, ...], ...]]

    def __init_subclass__(cls) -> None:
        """Index the conditions once: which must hold, and which are alternatives."""
        super().__init_subclass__()
        cls._required = tuple(i for i, s in enumerate(cls.specs) if s.group is None)
        names = sorted({s.group for s in cls.specs if s.group is not None})
        cls._groups = tuple(
            tuple(i for i, s in enumerate(cls.specs) if s.group == g) for g in names
        )

    def conditions(self, record: R, ctx: Context) -> tuple[bool, ...]:
        """Return whether each condition in :attr:`specs` held (fast path)."""
        raise NotImplementedError

    def amount(self, record: R, ctx: Context) -> int | None:
        """Return the amount in fen for an eligible record, or ``None`` if undeterminable."""
        raise NotImplementedError

    def details(self, record: R, ctx: Context) -> tuple[str, ...]:
        """Return the facts behind each condition, aligned with :attr:`specs`."""
        return ("",) * len(self.specs)

    def lines(self, record: R, ctx: Context) -> tuple[Line, ...]:
        """Return the breakdown of the amount, if there is one."""
        return ()

    def notes(self, record: R, ctx: Context) -> tuple[Text, ...]:
        """Return further facts of the decision."""
        return ()

    def eligible(self, held: tuple[bool, ...]) -> bool:
        """Return whether the conditions make a record eligible."""
        for index in self._required:
            if not held[index]:
                return False
        return all(any(held[i] for i in group) for group in self._groups)

    def quick(self, record: R, ctx: Context) -> tuple[bool, int | None]:
        """Return ``(eligible, amount in fen)``: what a batch needs, without the reasons."""
        if not ctx.in_force:
            return False, 0
        if not self.eligible(self.conditions(record, ctx)):
            return False, 0
        return True, self.amount(record, ctx)

    def decide(self, record: R, ctx: Context) -> Decision:
        """Return the full decision, with every reason, parameter and line."""
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
        held = self.conditions(record, ctx)
        details = self.details(record, ctx)
        checked: tuple[Condition, ...] = tuple(
            Condition(
                code=spec.code,
                text=spec.text,
                held=ok,
                clause=spec.clause,
                detail=detail,
                group=spec.group,
            )
            for spec, ok, detail in zip(self.specs, held, details, strict=True)
        )
        eligible = self.eligible(held)
        fen = self.amount(record, ctx) if eligible else 0
        return Decision(
            eligible=eligible,
            amount=None if fen is None else fen_to_yuan(fen),
            reasons=(in_force, *checked),
            parameters=self.parameter_uses(ctx),
            lines=self.lines(record, ctx) if eligible else (),
            notes=self.notes(record, ctx),
            **common,  # type: ignore[arg-type]
        )

    def parameter_uses(self, ctx: Context) -> tuple[ParameterUse, ...]:
        """Return the parameters this formula reads, with their values on the day."""
        params = ctx.policy.parameters
        out = []
        for name in self.parameters:
            param = params[name]
            out.append(
                ParameterUse(
                    name=name,
                    value=param.render(ctx.values.get(name)),
                    effective=param.effective(ctx.on),
                    source=param.source,
                )
            )
        return tuple(out)
