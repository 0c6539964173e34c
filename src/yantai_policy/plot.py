"""Pictures of who does what: the responsibility graph, the workload and the matrix.

Needs matplotlib, the ``plot`` extra (``pip install 'yantai-policy[plot]'``). It is
imported only when a picture is drawn, so ``import yantai_policy`` never loads it. The
figures are `matplotlib.figure.Figure` objects made without pyplot: no backend is
chosen or changed, and they draw the same with or without a display.

Chinese labels (``lang="zh"``, the default) need a CJK font. The first installed family
of [`CJK_FAMILIES`][yantai_policy.plot.CJK_FAMILIES] is used (on Debian and Ubuntu, ``apt-get install fonts-noto-cjk``);
where there is none, the labels are drawn in English instead and a `UserWarning`
says so: a picture never shows empty boxes for missing glyphs.

Examples:
    >>> import yantai_policy as yp
    >>> from yantai_policy.plot import matrix, responsibility_graph, workload
    >>> policy = yp.load_policy()
    >>> fig = workload(policy, lang="en")
    >>> len(fig.axes), len(fig.axes[0].patches)
    (1, 20)
    >>> legend = responsibility_graph(policy, lang="en").axes[0].get_legend()
    >>> [t.get_text() for t in legend.get_texts()]
    ['responsible', 'assists', 'leads']
    >>> matrix(policy, lang="en").axes[0].images[0].get_array().shape
    (20, 20)
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from yantai_policy import queries
from yantai_policy.labels import ARROW, Labels, shown_role
from yantai_policy.model import Role

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from yantai_policy.ledger.status import LedgerStatus
    from yantai_policy.model import Bureau, Measure, Policy

__all__ = [
    "CJK_FAMILIES",
    "FORMATS",
    "INSTALL_HINT",
    "cjk_font",
    "ledger_matrix",
    "matrix",
    "responsibility_graph",
    "save",
    "workload",
]

PlotLang = Literal["zh", "en"]

FORMATS = (".png", ".svg")
"""The file suffixes [`save`][yantai_policy.plot.save] writes."""

INSTALL_HINT = "pip install 'yantai-policy[plot]'"
"""How to install what this module needs."""

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)
"""Font families that draw Chinese, in order of preference."""

# The fallback after the CJK family: matplotlib's own default (it has ×, … and digits).
_DEFAULT_FAMILY = "DejaVu Sans"

# Edge and cell styles per role: colour, line style, line width.
_ROLE_ORDER = (Role.RESPONSIBLE, Role.ASSIST, Role.LEAD)
_COLOUR = {Role.RESPONSIBLE: "#4c72b0", Role.ASSIST: "#dd8452", Role.LEAD: "#c44e52"}
_LINESTYLE: dict[Role, Literal["solid", "dashed"]] = {
    Role.RESPONSIBLE: "solid",
    Role.ASSIST: "dashed",
    Role.LEAD: "solid",
}
_LINEWIDTH = {Role.RESPONSIBLE: 1.2, Role.ASSIST: 1.2, Role.LEAD: 3.0}
# Where a unit has several roles under a measure, the strongest one shows.
# Short titles: at most this many characters, then an ellipsis.
_TITLE_CHARS = {"zh": 12, "en": 40}

_TEXTS = {
    "graph": {"zh": "措施与责任单位", "en": "Measures and responsible units"},
    "measures": {"zh": "措施", "en": "Measures"},
    "units": {"zh": "责任单位", "en": "Units"},
    "workload": {"zh": "各责任单位的具体推进措施数", "en": "Actions per unit"},
    "actions": {"zh": "具体推进措施（项）", "en": "Actions"},
    "matrix": {"zh": "责任矩阵：措施 × 责任单位", "en": "Responsibility matrix: measures × units"},
    "ledger": {"zh": "督办台账：措施 × 责任单位", "en": "Implementation ledger: measures × units"},
}
_LIGHT_COLOUR = {"green": "#3a9d5d", "yellow": "#f2c230", "red": "#d64541"}
_LIGHT_WORDS = {"zh": {"green": "绿灯：正常推进", "yellow": "黄灯：临近时限或报送期", "red": "红灯：超期或漏报"},
                "en": {"green": "green: on track", "yellow": "yellow: due soon or a report due",
                       "red": "red: overdue or a report missed"}}  # fmt: skip


def _matplotlib() -> None:
    """Raise a helpful ImportError where matplotlib is not installed."""
    try:
        import matplotlib as mpl  # noqa: F401, PLC0415 - only the pictures need it
    except ImportError as error:
        raise ImportError(f"yantai_policy.plot needs matplotlib: {INSTALL_HINT}") from error


def cjk_font() -> str | None:
    """Return the first installed font family of [`CJK_FAMILIES`][yantai_policy.plot.CJK_FAMILIES], or None.

    matplotlib caches the fonts it found; after installing one, clear the cache
    (``matplotlib.get_cachedir()``) or call
    ``matplotlib.font_manager._load_fontmanager(try_read_cache=False)``.

    Raises:
        ImportError: matplotlib is not installed.

    Examples:
        >>> cjk_font() in (None, *CJK_FAMILIES)
        True
    """
    _matplotlib()
    from matplotlib import font_manager  # noqa: PLC0415

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def _setup(lang: str) -> tuple[PlotLang, list[str]]:
    """Check ``lang`` and choose the fonts: English labels where Chinese cannot be drawn."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    _matplotlib()
    if lang == "en":
        return "en", [_DEFAULT_FAMILY]
    family = cjk_font()
    if family is None:
        warnings.warn(
            "no CJK font is installed, so the labels are drawn in English "
            "(install one, e.g. `apt-get install fonts-noto-cjk`, and clear matplotlib's "
            "font cache)",
            UserWarning,
            stacklevel=3,
        )
        return "en", [_DEFAULT_FAMILY]
    return "zh", [family, _DEFAULT_FAMILY]


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure  # noqa: PLC0415 - no pyplot, no backend

    return Figure(figsize=(width, height), dpi=100)


def _finish(fig: Figure, families: list[str], *, tight: bool) -> Figure:
    """Give every text of the figure the chosen fonts (tick labels included), then lay out."""
    from matplotlib.text import Text  # noqa: PLC0415

    for text in fig.findobj(Text):
        if isinstance(text, Text):
            text.set_fontfamily(families)
    if tight:
        fig.tight_layout()
    return fig


def _short(text: str, lang: PlotLang) -> str:
    limit = _TITLE_CHARS[lang]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _measure_label(measure: Measure, lang: PlotLang) -> str:
    return f"{measure.number} {_short(measure.title.get(lang), lang)}"


def _unit_label(bureau: Bureau, lang: PlotLang, labels: Labels) -> str:
    """A unit's label ([`yantai_policy.labels`][yantai_policy.labels]), shortened for a picture.

    A unit that has ended shows its successors on a second line.
    """
    name = labels.name(bureau)
    text = name.zh if lang == "zh" else name.get("en").removeprefix("Yantai Municipal ")
    return text.replace(ARROW, "\n→ ")


def _role_label(role: Role, lang: PlotLang) -> str:
    return role.zh if lang == "zh" else role.en


def _legend_handles(lang: PlotLang, *, lines: bool) -> list[Artist]:
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    if lines:
        return [
            Line2D(
                [],
                [],
                color=_COLOUR[role],
                linestyle=_LINESTYLE[role],
                linewidth=_LINEWIDTH[role],
                label=_role_label(role, lang),
            )
            for role in _ROLE_ORDER
        ]
    return [Patch(facecolor=_COLOUR[role], label=_role_label(role, lang)) for role in _ROLE_ORDER]


def responsibility_graph(
    policy: Policy, lang: PlotLang = "zh", ax: Axes | None = None, as_of: dt.date | None = None
) -> Figure:
    """Draw who does what: measures on the left, units on the right, an edge per task and unit.

    An edge joins a task's measure to each of its units and is styled by the unit's role:
    solid for responsible (负责), dashed for assists (配合), thick and red for leads (牵头,
    where the unit or one of its items takes the lead). Units are ordered to keep edges
    short (by the mean position of their measures).

    Args:
        policy: The plan.
        lang: ``"zh"`` or ``"en"``; Chinese falls back to English (with a
            `UserWarning`) where no CJK font is installed.
        ax: Axes to draw into; by default a new figure is made.
        as_of: A day: label the units by their names in force then, with their
            successors where they no longer exist ([`yantai_policy.labels`][yantai_policy.labels]).

    Returns:
        The figure drawn on.

    Raises:
        ValueError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        ImportError: matplotlib is not installed.

    Examples:
        >>> import yantai_policy as yp
        >>> fig = responsibility_graph(yp.load_policy(), lang="en")
        >>> ax = fig.axes[0]
        >>> len(ax.lines)  # 49 actions, drawn as edges
        49
    """
    shown, families = _setup(lang)
    if ax is None:
        rows = max(len(policy.measures), len(policy.bureaus))
        fig = _new_figure(13.0, 0.32 * rows + 1.6)
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.27, right=0.7, top=0.92, bottom=0.04)
    else:
        fig = ax.figure.figure  # the root figure, where ax is in a subfigure too

    measures = list(policy.measures)
    measure_y = {m.number: float(len(measures) - 1 - i) for i, m in enumerate(measures)}
    # Units: by the mean height of their measures (highest first), ties in the plan's order.
    mean: dict[str, float] = {}
    for bureau in policy.bureaus:
        ys = [measure_y[a.measure] for a in queries.actions_of(policy, bureau)]
        mean[bureau.id] = sum(ys) / len(ys) if ys else -1.0
    units = sorted(policy.bureaus, key=lambda b: -mean[b.id])
    span = max(len(measures) - 1, 1)
    step = span / max(len(units) - 1, 1)
    unit_y = {b.id: span - i * step for i, b in enumerate(units)}

    for action in policy.actions:
        for unit in action.bureaus:
            role = shown_role(action, unit)
            ax.plot(
                [0.0, 1.0],
                [measure_y[action.measure], unit_y[unit.id]],
                color=_COLOUR[role],
                linestyle=_LINESTYLE[role],
                linewidth=_LINEWIDTH[role],
                alpha=0.85,
                zorder=2 if role is Role.LEAD else 1,
            )
    ax.scatter([0.0] * len(measures), list(measure_y.values()), s=18, color="#333333", zorder=3)
    ax.scatter([1.0] * len(units), list(unit_y.values()), s=18, color="#333333", zorder=3)
    for measure in measures:
        ax.text(
            -0.03,
            measure_y[measure.number],
            _measure_label(measure, shown),
            ha="right",
            va="center",
            fontsize=9,
        )
    labels = Labels(policy, as_of)
    for bureau in units:
        label = _unit_label(bureau, shown, labels)
        ax.text(1.03, unit_y[bureau.id], label, ha="left", va="center", fontsize=9)
    ax.text(0.0, span + 1.0, _TEXTS["measures"][shown], ha="right", va="bottom", weight="bold")
    ax.text(1.0, span + 1.0, _TEXTS["units"][shown], ha="left", va="bottom", weight="bold")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.6, span + 1.6)
    ax.set_axis_off()
    ax.set_title(_TEXTS["graph"][shown], pad=14)
    ax.legend(
        handles=_legend_handles(shown, lines=True),
        loc="lower center",
        bbox_to_anchor=(0.5, -0.04),
        ncol=3,
    )
    return _finish(fig, families, tight=False)


def workload(policy: Policy, lang: PlotLang = "zh", as_of: dt.date | None = None) -> Figure:
    """Draw a horizontal bar per unit: its number of actions, busiest on top.

    The order is that of [`yantai_policy.graph.workload`][yantai_policy.graph.workload]; each bar is labelled with
    its actions and, in brackets, the number of measures they fall under.

    Args:
        policy: The plan.
        lang: ``"zh"`` or ``"en"``, as for [`responsibility_graph`][yantai_policy.plot.responsibility_graph].
        as_of: A day for the units' labels, as for [`responsibility_graph`][yantai_policy.plot.responsibility_graph].

    Returns:
        A new figure.

    Raises:
        ValueError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        ImportError: matplotlib is not installed.

    Examples:
        >>> import yantai_policy as yp
        >>> fig = workload(yp.load_policy(), lang="en")
        >>> [round(p.get_width()) for p in fig.axes[0].patches][:3]
        [16, 8, 3]
    """
    from yantai_policy.graph import workload as rows_of  # noqa: PLC0415

    shown, families = _setup(lang)
    rows = rows_of(policy.graph)
    fig = _new_figure(9.0, 0.32 * len(rows) + 1.4)
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    bars = ax.barh(positions, [r.actions for r in rows], color=_COLOUR[Role.RESPONSIBLE])
    ax.bar_label(bars, labels=[f"{r.actions} ({r.measures})" for r in rows], padding=3, fontsize=8)
    labels = Labels(policy, as_of)
    ax.set_yticks(
        positions, labels=[_unit_label(r.bureau, shown, labels) for r in rows], fontsize=9
    )
    ax.invert_yaxis()
    ax.set_xlabel(_TEXTS["actions"][shown])
    ax.set_title(_TEXTS["workload"][shown])
    ax.margins(x=0.12)
    ax.spines[["top", "right"]].set_visible(False)
    return _finish(fig, families, tight=True)


def matrix(policy: Policy, lang: PlotLang = "zh", as_of: dt.date | None = None) -> Figure:
    """Draw the responsibility matrix: measures (rows) by units (columns), coloured by role.

    A cell takes its role's colour from [`yantai_policy.export.responsibility_matrix`][yantai_policy.export.responsibility_matrix]
    (lead, then responsible, then assist where a unit has several actions) and stays
    white where the unit has no action under the measure.

    Args:
        policy: The plan.
        lang: ``"zh"`` or ``"en"``, as for [`responsibility_graph`][yantai_policy.plot.responsibility_graph].
        as_of: A day for the units' labels, as for [`responsibility_graph`][yantai_policy.plot.responsibility_graph].

    Returns:
        A new figure.

    Raises:
        ValueError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        ImportError: matplotlib is not installed.

    Examples:
        >>> import yantai_policy as yp
        >>> fig = matrix(yp.load_policy(), lang="en")
        >>> fig.axes[0].images[0].get_array().shape
        (20, 20)
    """
    from matplotlib.colors import ListedColormap  # noqa: PLC0415

    from yantai_policy.export import responsibility_matrix  # noqa: PLC0415

    shown, families = _setup(lang)
    table = responsibility_matrix(policy)
    labels = Labels(policy, as_of)
    code = {None: 0} | {role.value: 1 + i for i, role in enumerate(_ROLE_ORDER)}
    data = [[code[cell] for cell in row] for row in table.cells]
    colours = ListedColormap(["white", *(_COLOUR[role] for role in _ROLE_ORDER)])
    fig = _new_figure(0.42 * len(table.bureaus) + 4.5, 0.36 * len(table.measures) + 3.2)
    ax = fig.add_subplot()
    ax.imshow(data, cmap=colours, vmin=0, vmax=len(_ROLE_ORDER), aspect="auto")
    ax.set_yticks(
        range(len(table.measures)),
        labels=[_measure_label(m, shown) for m in table.measures],
        fontsize=8,
    )
    ax.set_xticks(
        range(len(table.bureaus)),
        labels=[_unit_label(b, shown, labels) for b in table.bureaus],
        fontsize=8,
        rotation=60,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_xticks([x - 0.5 for x in range(1, len(table.bureaus))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(table.measures))], minor=True)
    ax.grid(which="minor", color="#dddddd", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_title(_TEXTS["matrix"][shown])
    ax.legend(
        handles=_legend_handles(shown, lines=False), loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )
    return _finish(fig, families, tight=True)


def ledger_matrix(policy: Policy, status: LedgerStatus, lang: PlotLang = "zh") -> Figure:
    """Draw the ledger's matrix: measures (rows) by units (columns), coloured by light.

    A cell is the worst light of the unit's tasks under the measure
    ([`LedgerStatus.matrix`][yantai_policy.ledger.status.LedgerStatus.matrix]) and stays
    white where the unit has no task there.

    Raises:
        ValueError: ``lang`` is neither ``"zh"`` nor ``"en"``.
        ImportError: matplotlib is not installed.
    """
    from matplotlib.colors import ListedColormap  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    shown, families = _setup(lang)
    cells = status.matrix()
    measures = list(policy.measures)
    units = [b for b in policy.bureaus if any((m.number, b.id) in cells for m in measures)]
    order = ["green", "yellow", "red"]
    data = [
        [
            0 if (m.number, b.id) not in cells else 1 + order.index(cells[m.number, b.id].value)
            for b in units
        ]
        for m in measures
    ]
    colours = ListedColormap(["white", *(_LIGHT_COLOUR[x] for x in order)])
    fig = _new_figure(0.42 * len(units) + 4.5, 0.36 * len(measures) + 3.2)
    ax = fig.add_subplot()
    ax.imshow(data, cmap=colours, vmin=0, vmax=len(order), aspect="auto")
    ax.set_yticks(
        range(len(measures)), labels=[_measure_label(m, shown) for m in measures], fontsize=8
    )
    labels = Labels(policy, None)
    ax.set_xticks(range(len(units)), labels=[_unit_label(b, shown, labels) for b in units],
                  fontsize=8, rotation=60, ha="right", rotation_mode="anchor")  # fmt: skip
    ax.set_xticks([x - 0.5 for x in range(1, len(units))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(measures))], minor=True)
    ax.grid(which="minor", color="#dddddd", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_title(f"{_TEXTS['ledger'][shown]} ({status.on.isoformat()})")
    handles = [Patch(facecolor=_LIGHT_COLOUR[x], label=_LIGHT_WORDS[shown][x]) for x in order]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _finish(fig, families, tight=True)


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """Return the format a picture is written in: ``fmt``, or else by the path's suffix.

    Checked before anything is drawn, so a name that cannot be written costs nothing.

    Raises:
        ValueError: The format (or the suffix) is neither png nor svg.

    Examples:
        >>> format_of("matrix.SVG"), format_of("-", "png")
        ('svg', 'png')
        >>> format_of("matrix.pdf")
        Traceback (most recent call last):
        ...
        ValueError: cannot tell the format of matrix.pdf: name it .png or .svg
    """
    suffix = Path(path).suffix.lower() if fmt is None else f".{fmt}"
    if suffix not in FORMATS:
        raise ValueError(f"cannot tell the format of {path}: name it .png or .svg")
    return suffix[1:]


def save(fig: Figure, path: str | Path, fmt: str | None = None) -> Path:
    """Write a figure to a ``.png`` or ``.svg`` file, the format by the suffix.

    The whole drawing is kept (``bbox_inches="tight"``), labels outside the axes included.

    Args:
        fig: The figure.
        path: Where to write it; ``-`` for stdout.
        fmt: ``"png"`` or ``"svg"``, if not by the suffix (needed for ``-``).

    Returns:
        The path written.

    Raises:
        ValueError: The format (or the suffix) is neither png nor svg.
        OSError: The file cannot be written (an `yantai_policy.outfile.OutputError`);
            an existing file is kept.
    """
    shape = format_of(path, fmt)
    from yantai_policy.outfile import open_output  # noqa: PLC0415 - only saving needs it

    with open_output(path, binary=True) as out:  # the old file stays until the new is whole
        fig.savefig(out, format=shape, bbox_inches="tight", dpi=150)
    return Path(path)
