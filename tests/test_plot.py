"""The pictures (yantai_policy.plot) and the `plot` command: files, fonts, fallbacks."""

from __future__ import annotations

import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import matplotlib.image
import pytest
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.text import Text

from yantai_policy import plot
from yantai_policy.cli import main

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import yantai_policy as yp

DRAW: dict[str, Callable[..., Figure]] = {
    "graph": plot.responsibility_graph,
    "workload": plot.workload,
    "matrix": plot.matrix,
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _has_cjk(text: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" for char in text)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text) and t.get_text()]


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]


def _check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 0
    assert image.shape[1] > 0


def _check_svg(path: Path) -> None:
    root = ET.parse(path).getroot()  # noqa: S314 - our own output
    assert root.tag in {"svg", "{http://www.w3.org/2000/svg}svg"}
    assert len(list(root.iter())) > 10


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", sorted(DRAW))
def test_renders_png_and_svg_without_missing_glyphs(
    policy: yp.Policy, tmp_path: Path, kind: str, lang: str
) -> None:
    """Each picture, in each language, saves as a valid PNG and SVG with no missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = DRAW[kind](policy, lang=lang)
        png = plot.save(fig, tmp_path / f"{kind}.png")
        svg = plot.save(fig, tmp_path / f"{kind}.SVG")
    assert _glyph_warnings(caught) == []
    _check_png(png)
    _check_svg(svg)


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_chinese_labels_or_english_with_a_warning(policy: yp.Policy, kind: str) -> None:
    """With lang="zh", labels are Chinese where a CJK font exists, else English with a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = _texts(DRAW[kind](policy, lang="zh"))
    fallback = [w for w in caught if "no CJK font" in str(w.message)]
    if plot.cjk_font() is not None:
        assert fallback == []
        assert any(_has_cjk(t) for t in texts)
        assert "市人力资源社会保障局" in texts
    else:
        assert len(fallback) == 1
        assert issubclass(fallback[0].category, UserWarning)
        assert not any(_has_cjk(t) for t in texts)


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_no_cjk_font_falls_back_to_english(
    policy: yp.Policy, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """When no CJK font is found, lang="zh" warns (UserWarning) and draws only English."""
    monkeypatch.setattr(plot, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="no CJK font"):
        fig = DRAW[kind](policy, lang="zh")
    texts = _texts(fig)
    assert texts
    assert not any(_has_cjk(t) for t in texts)
    assert any("Human Resources and Social Security" in t for t in texts)


def test_english_has_no_chinese(policy: yp.Policy) -> None:
    """lang="en" draws no Chinese character and raises no font warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [draw(policy, lang="en") for draw in DRAW.values()]
    assert [str(w.message) for w in caught] == []
    assert not any(_has_cjk(t) for fig in figs for t in _texts(fig))


def test_cjk_font_is_installed_when_found() -> None:
    """cjk_font() names one of CJK_FAMILIES that matplotlib knows, or None."""
    from matplotlib import font_manager  # noqa: PLC0415

    family = plot.cjk_font()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    if family is None:
        assert not installed & set(plot.CJK_FAMILIES)
    else:
        assert family in installed
        assert family in plot.CJK_FAMILIES


def test_graph_edges_are_styled_by_role(policy: yp.Policy) -> None:
    """One edge per action; assist edges are dashed, lead edges thick, with a 3-entry legend."""
    fig = plot.responsibility_graph(policy, lang="en")
    ax = fig.axes[0]
    assert len(ax.lines) == len(policy.actions) == 49
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    thick = [line for line in ax.lines if line.get_linewidth() >= 3]
    assert len(dashed) == 5  # finance assists under measures 6, 12, 13, 15 and 18
    assert len(thick) == 2  # hrss leads (牵头) under measures 14 and 19
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["responsible", "assists", "leads"]
    labels = _texts(fig)
    assert "1 Develop the small-shop economy" in labels
    assert "Finance Bureau" in labels


def test_graph_draws_into_given_axes(policy: yp.Policy) -> None:
    """With ax=, the graph is drawn into that axes and its figure is returned."""
    fig = Figure()
    ax = fig.add_subplot()
    assert plot.responsibility_graph(policy, lang="en", ax=ax) is fig
    assert len(ax.lines) == 49
    sub = Figure().add_subfigure(GridSpec(1, 2)[0, 1])
    assert plot.responsibility_graph(policy, lang="en", ax=sub.add_subplot()) is sub.figure


def test_workload_bars_follow_graph_workload(policy: yp.Policy) -> None:
    """The bars are the units' action counts, busiest first, as graph.workload orders them."""
    from yantai_policy.graph import workload  # noqa: PLC0415

    ax = plot.workload(policy, lang="en").axes[0]
    widths = [round(p.get_width()) for p in ax.patches]  # type: ignore[attr-defined]
    assert widths == [r.actions for r in workload(policy.graph)]
    assert widths == sorted(widths, reverse=True)
    assert ax.get_yticklabels()[0].get_text() == "Human Resources and Social Security Bureau"


def test_matrix_cells_follow_responsibility_matrix(policy: yp.Policy) -> None:
    """The heat map's codes match export.responsibility_matrix: 0 none, 1-3 by role."""
    from yantai_policy.export import responsibility_matrix  # noqa: PLC0415

    table = responsibility_matrix(policy)
    data = plot.matrix(policy, lang="en").axes[0].images[0].get_array()
    assert data is not None
    code = {None: 0, "responsible": 1, "assist": 2, "lead": 3}
    assert data.tolist() == [[code[c] for c in row] for row in table.cells]


def test_bad_lang_and_bad_suffix(policy: yp.Policy, tmp_path: Path) -> None:
    """An unknown lang and a suffix other than .png/.svg are ValueErrors."""
    with pytest.raises(ValueError, match="lang must be"):
        plot.workload(policy, lang="fr")  # type: ignore[arg-type]
    fig = plot.workload(policy, lang="en")
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plot.save(fig, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_missing_matplotlib_gives_install_hint(
    policy: yp.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without matplotlib, drawing raises ImportError naming the plot extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"yantai-policy\[plot\]"):
        plot.matrix(policy, lang="en")


@pytest.mark.parametrize(
    ("kind", "suffix"), [("graph", ".svg"), ("workload", ".png"), ("matrix", ".png")]
)
def test_cli_writes_pictures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, suffix: str
) -> None:
    """`plot KIND -o FILE` writes a valid PNG or SVG and exits 0; the status goes to stderr."""
    out = tmp_path / f"{kind}{suffix}"
    assert main(["plot", kind, "-o", str(out), "--lang", "en"]) == 0
    assert capsys.readouterr().err.endswith(f"wrote the {kind} picture to {out}\n")
    if suffix == ".png":
        _check_png(out)
    else:
        _check_svg(out)


def test_cli_chinese_default_or_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`plot graph` defaults to Chinese; without a CJK font it says so on stderr."""
    out = tmp_path / "graph.png"
    assert main(["plot", "graph", "-o", str(out)]) == 0
    _check_png(out)
    err = capsys.readouterr().err
    if plot.cjk_font() is not None:  # only the status line, on stderr: no warning
        assert err == f"wrote the graph picture to {out}\n"
    else:
        assert "warning: no CJK font" in err


def test_cli_bad_suffix_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file name that is neither .png nor .svg is a usage error (exit 2), nothing written."""
    out = tmp_path / "graph.pdf"
    assert main(["plot", "graph", "-o", str(out)]) == 2
    assert "name it .png or .svg" in capsys.readouterr().err
    assert not out.exists()


def test_cli_without_matplotlib_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without matplotlib, `plot` exits 2 with the install hint."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["plot", "matrix", "-o", str(tmp_path / "m.png")]) == 2
    assert "pip install 'yantai-policy[plot]'" in capsys.readouterr().err


def test_cli_unwritable_output_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An output in a missing directory is exit 2 with a one-line message."""
    out = tmp_path / "missing" / "w.png"
    assert main(["plot", "workload", "-o", str(out), "--lang", "en"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_import_does_not_load_matplotlib() -> None:
    """`import yantai_policy` (and its plot module) leaves matplotlib unimported."""
    code = (
        "import sys, yantai_policy, yantai_policy.plot, yantai_policy.cli; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
