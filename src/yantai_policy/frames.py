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
    "assignments_frame",
    "bureaus_frame",
    "decisions_frame",
    "findings_frame",
    "measures_frame",
    "parameters_frame",
    "units_frame",
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


def actions_frame(policy: Policy, as_of: dt.date | None = None) -> pd.DataFrame:
    """Return one row per action (task), in the order printed.

    Columns: ``measure``, ``measure_title_zh``, ``measure_title_en``, ``action``,
    ``bureau_id``, ``bureau_zh``, ``bureau_en``, ``role`` (``lead``, ``assist`` or
    ``responsible``), ``text_zh``, ``text_en``, ``first_line``, ``last_line`` (the
    lines of the published text). ``bureau_*`` and ``role`` are the task's lead, or else
    its first unit; [`assignments_frame`][yantai_policy.frames.assignments_frame] has a
    row for every unit of a shared task. With ``as_of``, ``bureau_as_of_zh`` and
    ``bureau_as_of_en`` follow: that unit's label on the day
    ([`yantai_policy.labels`][yantai_policy.labels]); the texts stay as printed.
    """
    from yantai_policy.labels import Labels  # noqa: PLC0415

    rows = [(m, a) for m in policy.measures for a in m.actions]
    labels = Labels(policy, as_of)
    dated: dict[str, tuple[_Kind, list[object]]] = {}
    if as_of is not None:
        names = [labels.name(a.bureau) for _, a in rows]
        dated["bureau_as_of_zh"] = (None, [n.zh for n in names])
        dated["bureau_as_of_en"] = (None, [n.en for n in names])
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
            **dated,
        }
    )


def assignments_frame(policy: Policy, as_of: dt.date | None = None) -> pd.DataFrame:
    """Return one row per task and unit: every unit of a shared task has its row.

    Rows are in printed order: tasks as printed, a task's units as listed (its items'
    own units included).

    Columns: ``measure``, ``action``, ``bureau_id``, ``bureau_zh``, ``bureau_en`` (the
    printed name), ``role`` (the unit's own role), ``shown_role`` (lead where the unit or
    one of its items leads), ``shared`` (bool: the task has several units), ``units``
    (how many), ``deadline_on`` (a date or None), ``deadline_text`` (as printed, or
    None), ``reporting`` (a rhythm or None) and ``districts`` (bool). With ``as_of``:
    ``label_zh``, ``label_en`` (the unit's label that day,
    [`yantai_policy.labels`][yantai_policy.labels]) and ``exists`` (bool).

    Examples:
        >>> import yantai_policy as yp
        >>> frame = assignments_frame(yp.load_policy())
        >>> len(frame), frame["shared"].any()
        (49, np.False_)
    """
    from yantai_policy.labels import Labels, shown_role, unit_roles  # noqa: PLC0415

    rows = [(a, unit, role) for a in policy.actions for unit, role in unit_roles(a)]
    labels = Labels(policy, as_of)
    dated: dict[str, tuple[_Kind, list[object]]] = {}
    if as_of is not None:
        states = [labels.state(u) for _, u, _ in rows]
        dated["label_zh"] = (None, [labels.name(u).zh for _, u, _ in rows])
        dated["label_en"] = (None, [labels.name(u).en for _, u, _ in rows])
        dated["exists"] = ("bool", [s is not None and s.exists for s in states])
    return _frame(
        {
            "measure": ("int", [a.measure for a, _, _ in rows]),
            "action": (None, [a.id for a, _, _ in rows]),
            "bureau_id": (None, [u.id for _, u, _ in rows]),
            "bureau_zh": (None, [u.name.zh for _, u, _ in rows]),
            "bureau_en": (None, [u.name.en for _, u, _ in rows]),
            "role": (None, [r.value for _, _, r in rows]),
            "shown_role": (None, [shown_role(a, u).value for a, u, _ in rows]),
            "shared": ("bool", [a.is_shared for a, _, _ in rows]),
            "units": ("int", [len(a.bureaus) for a, _, _ in rows]),
            "deadline_on": ("object", [a.deadline and a.deadline.on for a, _, _ in rows]),
            "deadline_text": ("object", [a.deadline and a.deadline.text for a, _, _ in rows]),
            "reporting": ("object", [a.reporting and a.reporting.value for a, _, _ in rows]),
            "districts": ("bool", [a.districts for a, _, _ in rows]),
            **dated,
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


def units_frame(policy: Policy, as_of: dt.date | None = None) -> pd.DataFrame:
    """Return one row per unit: the notice's, then the later ones that took over duties.

    Columns: ``bureau_id``, ``name_zh``, ``name_en`` (the printed name), ``kind``,
    ``later`` (bool: a unit the notice does not name), ``actions`` (how many tasks it is
    assigned in the plan), ``name_as_of_zh``, ``name_as_of_en`` (the name in force on
    ``as_of``, renames applied), ``label_zh``, ``label_en`` (the label of
    [`yantai_policy.labels`][yantai_policy.labels]: for a unit that has ended, its name
    then and its successors), ``exists`` (bool, on ``as_of``) and ``successors`` (the ids
    of the units holding its duties that day, joined with ``,``). Without ``as_of`` the
    names and labels are the printed ones, ``exists`` is True for the notice's units and
    False for the later ones, and ``successors`` is the unit's own id (or empty).

    Examples:
        >>> import datetime as dt, yantai_policy as yp
        >>> frame = units_frame(yp.load_policy(), as_of=dt.date(2024, 1, 1)).set_index("bureau_id")
        >>> frame.loc["pboc", "name_as_of_zh"], bool(frame.loc["banking_insurance_regulation", "exists"])
        ('中国人民银行烟台市分行', False)
    """
    from yantai_policy.labels import Labels  # noqa: PLC0415

    labels = Labels(policy, as_of)
    us = policy.units
    later: list[object] = [u in policy.later_units for u in us]
    states = [labels.state(u) for u in us]
    names = [u.name if s is None else s.name for u, s in zip(us, states, strict=True)]
    exists: list[object] = [
        not lt if s is None else s.exists for lt, s in zip(later, states, strict=True)
    ]
    successors: list[object] = [
        ("" if lt else u.id) if s is None else ",".join(b.id for b in s.successors)
        for u, lt, s in zip(us, later, states, strict=True)
    ]
    return _frame(
        {
            "bureau_id": (None, [u.id for u in us]),
            "name_zh": (None, [u.name.zh for u in us]),
            "name_en": (None, [u.name.en for u in us]),
            "kind": (None, [u.kind.value for u in us]),
            "later": ("bool", later),
            "actions": ("int", [len(policy._by_bureau.get(u.id, ())) for u in us]),  # noqa: SLF001
            "name_as_of_zh": (None, [n.zh for n in names]),
            "name_as_of_en": (None, [n.en for n in names]),
            "label_zh": (None, [labels.name(u).zh for u in us]),
            "label_en": (None, [labels.name(u).en for u in us]),
            "exists": ("bool", exists),
            "successors": (None, successors),
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
