"""yantai-policy: Yantai notice 烟政办字〔2021〕3号 on flexible employment, as policy-as-code.

The notice splits Shandong's 20 measures for flexible employment (鲁政办发〔2020〕19号)
into 49 actions, each owned by one of 20 municipal units. This package holds the notice
as verbatim Chinese with an English translation beside it, typed and immutable.

Examples:
    >>> import yantai_policy as yp
    >>> policy = yp.load_policy()
    >>> m = policy.measure(7)
    >>> [(a.id, a.bureau.id, a.role.value) for a in m.actions]
    [('7.1', 'finance', 'responsible'), ('7.2', 'hrss', 'responsible'), ('7.3', 'pboc', 'responsible')]
"""

from typing import TYPE_CHECKING, Any

from yantai_policy.errors import PolicyDataError, PolicyError, UnknownNameError
from yantai_policy.loading import load_policy
from yantai_policy.model import (
    Action,
    Assignment,
    Bureau,
    BureauKind,
    Deadline,
    Erratum,
    EventSource,
    Item,
    LeadRule,
    Measure,
    Notice,
    ParentNotice,
    Policy,
    Provenance,
    Reference,
    ReferenceKind,
    Reporting,
    Role,
    Section,
    SourceRef,
    Task,
    Text,
    UnitEvent,
    UnitEventKind,
)

__all__ = [
    "Action",
    "Assignment",
    "Bureau",
    "BureauKind",
    "Deadline",
    "Erratum",
    "EventSource",
    "Item",
    "LeadRule",
    "Measure",
    "Notice",
    "ParentNotice",
    "PlanDiff",
    "Policy",
    "PolicyDataError",
    "PolicyError",
    "Provenance",
    "Reference",
    "ReferenceKind",
    "Reporting",
    "Role",
    "Section",
    "SourceRef",
    "Task",
    "Text",
    "UnitEvent",
    "UnitEventKind",
    "UnknownNameError",
    "__version__",
    "benefits",
    "diff",
    "load_policy",
    "responsibility_graph",
]

__version__ = "0.1.0"

_LAZY_MODULES = ("audit", "benefits", "export", "frames", "graph", "plot")
"""Submodules loaded on first access (``yp.graph``), so ``import yantai_policy`` stays light:
networkx, numpy, pandas and matplotlib load only when their module is used."""

if TYPE_CHECKING:
    from yantai_policy import audit, benefits, export, frames, graph, plot  # noqa: F401 - lazily, in __getattr__
    from yantai_policy.graph import responsibility_graph
    from yantai_policy.plan_diff import PlanDiff, diff


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes of any kind
    """Import a submodule of `_LAZY_MODULES`, `responsibility_graph`, `diff` or `PlanDiff` on first access (PEP 562).

    Python's import lock makes a first access from several threads import the module
    once; every thread gets the same module object.
    """
    if name in _LAZY_MODULES:
        import importlib  # noqa: PLC0415 - only on first access

        return importlib.import_module(f"yantai_policy.{name}")
    if name == "responsibility_graph":
        from yantai_policy.graph import responsibility_graph  # noqa: PLC0415

        return responsibility_graph
    if name in {"diff", "PlanDiff"}:  # yantai_policy.plan_diff: loaded when first used
        from yantai_policy import plan_diff  # noqa: PLC0415

        return getattr(plan_diff, name)
    raise AttributeError(f"module 'yantai_policy' has no attribute {name!r}")


def __dir__() -> list[str]:
    """List the public API: `__all__` and the lazily loaded submodules, sorted."""
    return sorted({*__all__, *_LAZY_MODULES})
