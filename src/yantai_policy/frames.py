"""The plan, its parameters, decisions and audit findings as pandas DataFrames.

Each function returns a new DataFrame with one row per object, in a fixed order (the
order printed in the notice, or the order given), so two calls give equal frames.
Money is `Decimal` yuan in an ``object`` column, never a float;
dates are `datetime.date` objects; counts and line numbers are ``int64``.

It needs pandas (the ``analysis`` extra: ``pip install 'yantai-policy[analysis]'``).
``import yantai_policy`` does not import this module or pandas; pandas loads when a
function here is first called.

Examples:
    >>> import yantai_policy as yp
    >>> from yantai_policy.frames import actions_frame, bureaus_frame
    >>> policy = yp.load_policy()
    >>> actions_frame(policy).shape
    (49, 12)
    >>> actions_frame(policy).query("measure == 7")["bureau_id"].tolist()
    ['finance', 'hrss', 'pboc']
    >>> bureaus_frame(policy).set_index("bureau_id").loc["hrss", ["actions", "measures"]].tolist()
    [16, 16]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    import pandas as pd

    from yantai_policy.audit import AuditReport
    from yantai_policy.benefits.decision import Decision
    from yantai_policy.model import Policy
    from yantai_policy.parameters import Value

__all__ = [
    "actions_frame",
    "bureaus_frame",
    "decisions_frame",
    "findings_frame",
    "measures_frame",
    "parameters_frame",
]

_NEEDS_PANDAS = (
    "yantai_policy.frames needs pandas, which is in the 'analysis' extra: "
    "pip install 'yantai-policy[analysis]'"
)

# Column kinds: "int" is int64, "bool" is bool, "object" keeps Python objects as they
# are (Decimal money, dates, None); None lets pandas choose (text columns).
_Kind = str | None


def _frame(columns: Mapping[str, tuple[_Kind, list[object]]]) -> pd.DataFrame:
    """Build a DataFrame from ``name -> (kind, values)``, importing pandas on first use."""
    try:
        import pandas as pd  # noqa: PLC0415 - pandas is optional (the analysis extra)
    except ImportError as error:
        raise ImportError(_NEEDS_PANDAS, name="pandas") from error
    dtypes = {"int": "int64", "bool": "bool", "object": "object"}
    data = {
        name: pd.Series(values, dtype=None if kind is None else dtypes[kind])
        for name, (kind, values) in columns.items()
    }
    return pd.DataFrame(data)


def actions_frame(policy: Policy) -> pd.DataFrame:
    """Return one row per action, in the order printed.

    Columns: ``measure``, ``measure_title_zh``, ``measure_title_en``, ``action``,
    ``bureau_id``, ``bureau_zh``, ``bureau_en``, ``role`` (``lead``, ``assist`` or
    ``responsible``), ``text_zh``, ``text_en``, ``first_line``, ``last_line`` (the
    lines of the published text).
    """
    rows = [(m, a) for m in policy.measures for a in m.actions]
    return _frame(
        {
            "measure": ("int", [m.number for m, _ in rows]),
            "measure_title_zh": (None, [m.title.zh for m, _ in rows]),
            "measure_title_en": (None, [m.title.en for m, _ in rows]),
            "action": (None, [a.id for _, a in rows]),
            "bureau_id": (None, [a.bureau.id for _, a in rows]),
            "bureau_zh": (None, [a.bureau.name.zh for _, a in rows]),
            "bureau_en": (None, [a.bureau.name.en for _, a in rows]),
            "role": (None, [a.role.value for _, a in rows]),
            "text_zh": (None, [a.text.zh for _, a in rows]),
            "text_en": (None, [a.text.en for _, a in rows]),
            "first_line": ("int", [a.source.first_line for _, a in rows]),
            "last_line": ("int", [a.source.last_line for _, a in rows]),
        }
    )


def measures_frame(policy: Policy) -> pd.DataFrame:
    """Return one row per measure, in order.

    Columns: ``measure``, ``title_zh``, ``title_en``, ``provincial_text_zh``,
    ``provincial_text_en``, ``actions`` (how many), ``bureaus`` (how many distinct
    units have an action under it), ``first_line``, ``last_line``.
    """
    ms = policy.measures
    return _frame(
        {
            "measure": ("int", [m.number for m in ms]),
            "title_zh": (None, [m.title.zh for m in ms]),
            "title_en": (None, [m.title.en for m in ms]),
            "provincial_text_zh": (None, [m.provincial_text.zh for m in ms]),
            "provincial_text_en": (None, [m.provincial_text.en for m in ms]),
            "actions": ("int", [len(m.actions) for m in ms]),
            "bureaus": ("int", [len(m.bureaus) for m in ms]),
            "first_line": ("int", [m.source.first_line for m in ms]),
            "last_line": ("int", [m.source.last_line for m in ms]),
        }
    )


def bureaus_frame(policy: Policy) -> pd.DataFrame:
    """Return one row per unit, in the order they first appear in the table.

    Columns: ``bureau_id``, ``name_zh``, ``name_en``, ``short_names`` (joined with
    ``、``; empty where there are none), ``kind``, ``actions`` (how many actions it
    is assigned) and ``measures`` (under how many measures).
    """
    from yantai_policy.queries import workload  # noqa: PLC0415 - the one definition of the counts

    counts = {row.bureau.id: row for row in workload(policy)}
    bs = policy.bureaus
    return _frame(
        {
            "bureau_id": (None, [b.id for b in bs]),
            "name_zh": (None, [b.name.zh for b in bs]),
            "name_en": (None, [b.name.en for b in bs]),
            "short_names": (None, ["、".join(b.short_names) for b in bs]),
            "kind": (None, [b.kind.value for b in bs]),
            "actions": ("int", [counts[b.id].actions for b in bs]),
            "measures": ("int", [counts[b.id].measures for b in bs]),
        }
    )


def parameters_frame(policy: Policy, on: dt.date | None = None) -> pd.DataFrame:
    """Return the parameters, sorted by name.

    Args:
        policy: The plan (or a reform of it).
        on: A day: one row per parameter, with the value in force that day. ``None``
            (the default): one row per dated value, in date order within each
            parameter, so the whole history shows.

    A parameter with no value (in force, or at all) has one row whose ``value`` is
    ``"none"`` and whose ``exact`` and ``effective`` are ``None``.

    Columns: ``name``, ``description_zh``, ``description_en``, ``unit``, ``value``
    (rendered: ``5000.00``, ``65%``, ``2/3``, ``36 months``), ``exact`` (the value
    itself: Decimal yuan, Fraction, int or date; object dtype), ``effective`` (the
    date it took effect), ``source_kind`` and ``source`` (the citation of that value).
    """
    rows: list[tuple[str, dt.date | None, Value | None]] = []
    for name in policy.parameters:
        param = policy.parameters[name]
        if on is not None:
            rows.append((name, param.effective(on), param.at(on)))
        elif dated := param.values:  # noqa: PD011 - Parameter.values, not pandas
            rows.extend((name, since, value) for since, value in dated)
        else:
            rows.append((name, None, None))
    params = [policy.parameters[name] for name, _, _ in rows]
    sources = [
        p.source if since is None else p.source_at(since)
        for p, (_, since, _) in zip(params, rows, strict=True)
    ]
    return _frame(
        {
            "name": (None, [p.name for p in params]),
            "description_zh": (None, [p.description.zh for p in params]),
            "description_en": (None, [p.description.en for p in params]),
            "unit": (None, [p.unit.value for p in params]),
            "value": (None, [p.render(v) for p, (_, _, v) in zip(params, rows, strict=True)]),
            "exact": ("object", [v for _, _, v in rows]),
            "effective": ("object", [since for _, since, _ in rows]),
            "source_kind": (None, [s.kind.value for s in sources]),
            "source": (None, [s.cite("en") for s in sources]),
        }
    )


def decisions_frame(decisions: Iterable[Decision] | Mapping[str, Decision]) -> pd.DataFrame:
    """Return one row per decision, in the order given.

    Args:
        decisions: Decisions, or the mapping [`evaluate_all`][yantai_policy.benefits.evaluate_all]
            returns (its values are used).

    Columns: ``benefit``, ``measure``, ``record_id``, ``on`` (a date), ``eligible``
    (bool), ``amount`` (Decimal yuan, or ``None`` where it cannot be determined;
    object dtype) and ``policy_sha256``.
    """
    ds = list(decisions.values() if isinstance(decisions, Mapping) else decisions)
    return _frame(
        {
            "benefit": (None, [d.benefit for d in ds]),
            "measure": ("int", [d.measure for d in ds]),
            "record_id": (None, [d.record_id for d in ds]),
            "on": ("object", [d.on for d in ds]),
            "eligible": ("bool", [d.eligible for d in ds]),
            "amount": ("object", [d.amount for d in ds]),
            "policy_sha256": (None, [d.policy_sha256 for d in ds]),
        }
    )


def findings_frame(report: AuditReport) -> pd.DataFrame:
    """Return one row per audit finding, in the order the checks ran.

    Columns: ``code``, ``severity`` (``info``, ``warning`` or ``error``), ``subject``
    (``measure:7``, ``action:13.1``, ``bureau:hrss``), ``message_zh``, ``message_en``
    and ``evidence``.
    """
    fs = report.findings
    return _frame(
        {
            "code": (None, [f.code for f in fs]),
            "severity": (None, [f.severity.value for f in fs]),
            "subject": (None, [f.subject for f in fs]),
            "message_zh": (None, [f.message.zh for f in fs]),
            "message_en": (None, [f.message.en for f in fs]),
            "evidence": (None, [f.evidence for f in fs]),
        }
    )
