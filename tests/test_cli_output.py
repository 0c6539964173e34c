"""How every command writes: `-`, whole files or none, write failures, signals and safe cells."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli as _run
from yantai_policy import export, load_policy, outfile
from yantai_policy.benefits import batch_io, evaluate_many
from yantai_policy.cli import main
from yantai_policy.serialize import neutralise_cell

if TYPE_CHECKING:
    from collections.abc import Iterator

ON = "2021-07-16"
ONE = ("--benefit", "startup_subsidy")
RECORD = {
    "id": "A1",
    "groups": ["farmer"],
    "business_type": "individual_business",
    "first_license_on": "2021-01-15",
    "operating": True,
    "pays_employee_insurance": True,
}
SRC = str(Path(__file__).resolve().parents[1] / "src")
BOM = b"\xef\xbb\xbf"


def _cli(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """Run the command in a fresh interpreter (real file descriptors, real signals)."""
    return subprocess.run(
        [sys.executable, "-m", "yantai_policy", *argv],
        capture_output=kwargs.pop("capture_output", "stdout" not in kwargs),
        check=False,
        env={**os.environ, "PYTHONPATH": SRC},
        **kwargs,
    )


def _jsonl(path: Path, records: list[Any]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return str(path)


def _one_line_error(err: bytes | str) -> str:
    """The one stderr line of a failed command; never a traceback or 'Exception ignored'."""
    text = err.decode("utf-8") if isinstance(err, bytes) else err
    assert "Traceback" not in text
    assert "Exception ignored" not in text
    lines = [line for line in text.splitlines() if line.startswith("yantai-policy: error: ")]
    assert len(lines) == 1, text
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- An output that is the input --------------------------------------------------------


@pytest.mark.parametrize("link", ["same", "hard", "symbolic"])
def test_output_that_is_the_input_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, link: str
) -> None:
    """The input itself, a hard link or a symbolic link to it is refused; the input is intact."""
    source = Path(_jsonl(tmp_path / "in.jsonl", [RECORD]))
    before = source.read_bytes()
    target = tmp_path / "out.jsonl"
    if link == "same":
        target = source
    elif link == "hard":
        target.hardlink_to(source)
    else:
        target.symlink_to(source)
    code, out, err = _run(capsys, "evaluate", str(source), "--on", ON, "-o", str(target))
    assert (code, out) == (2, "")
    assert _one_line_error(err).endswith("is the input: it would be overwritten")
    assert source.read_bytes() == before


def test_output_that_stdin_reads_is_refused(tmp_path: Path) -> None:
    """`evaluate - -o FILE < FILE` is refused before FILE is truncated."""
    source = Path(_jsonl(tmp_path / "in.jsonl", [RECORD, RECORD]))
    before = source.read_bytes()
    with source.open("rb") as stdin:
        result = _cli("evaluate", "-", "--input-format", "jsonl", "--on", ON, "-o", str(source),
                      stdin=stdin)  # fmt: skip
    assert result.returncode == 2
    assert "is the input" in _one_line_error(result.stderr)
    assert source.read_bytes() == before


def test_stdout_that_is_the_input_is_refused(tmp_path: Path) -> None:
    """`evaluate FILE -o - >> FILE` is refused: stdout is the file being read."""
    source = Path(_jsonl(tmp_path / "in.jsonl", [RECORD]))
    before = source.read_bytes()
    with source.open("ab") as stdout:
        result = _cli("evaluate", str(source), "--output-format", "jsonl", "--on", ON, "-o", "-",
                      stdout=stdout, stderr=subprocess.PIPE)  # fmt: skip
    assert result.returncode == 2
    assert "- (stdout) is the input" in _one_line_error(result.stderr)
    assert source.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "json", "-o", "{plan}"),
        ("plot", "graph", "-o", "{plan}", "--format", "svg"),
        ("evaluate", "{records}", "--on", ON, "--output-format", "jsonl", "-o", "{plan}"),
    ],
)
def test_output_that_is_the_plan_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    """A command that reads --plan refuses to write over that plan file."""
    plan = tmp_path / "plan.json"
    export.write(load_policy(), "json", plan)
    before = plan.read_bytes()
    records = _jsonl(tmp_path / "in.jsonl", [RECORD])
    args = [a.format(plan=plan, records=records) for a in argv]
    code, _, err = _run(capsys, *args, "--plan", str(plan))
    assert code == 2
    assert "is the input" in _one_line_error(err)
    assert plan.read_bytes() == before


def test_refuse_input_ignores_other_files_and_pipes(tmp_path: Path) -> None:
    """Different files, a missing output and a terminal or pipe behind - are not refused."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("a")
    b.write_text("b")
    outfile.refuse_input(b, [a, None, "-"])
    outfile.refuse_input(tmp_path / "new", [a])
    outfile.refuse_input("-", [a])


# --- Whole files or none ----------------------------------------------------------------


def test_a_failed_batch_leaves_the_old_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An input that stops the batch half-way leaves the old output as it was, and no temp file."""
    source = tmp_path / "in.csv"  # UTF-16 that breaks off after 5,000 rows: the batch stops
    text = "id,groups\n" + "".join(f"R{i},farmer\n" for i in range(5000))
    source.write_bytes(
        text.encode("utf-16") + "\ud800".encode("utf-16-le", "surrogatepass") + b"A\0"
    )
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    code, _, err = _run(capsys, "evaluate", str(source), "--on", ON, "-o", str(target))
    assert code == 2
    _one_line_error(err)
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


def test_a_complete_output_replaces_the_old_and_keeps_its_mode(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A complete run replaces the old file whole; the file keeps its permissions."""
    source = _jsonl(tmp_path / "in.jsonl", [RECORD])
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    code, _, _ = _run(capsys, "evaluate", source, "--on", ON, *ONE, "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text("utf-8"))["id"] == "A1"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _leftovers(tmp_path) == []


def test_a_symbolic_link_output_writes_the_file_it_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """-o through a symbolic link replaces the file it points to, and the link stays a link."""
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, _ = _run(capsys, "export", "csv", "-o", str(link))
    assert code == 0
    assert link.is_symlink()
    assert real.read_bytes() == export.to_csv(load_policy())


def test_open_output_keeps_the_target_on_an_error(tmp_path: Path) -> None:
    """An exception (here EIO from the buffer) inside the block keeps the target, removes the temp."""
    target = tmp_path / "t.txt"
    target.write_text("old")
    failed = pytest.raises(outfile.OutputError, match=r"cannot write .*t\.txt: Input/output error")
    with failed, outfile.open_output(target) as out:
        out.write("new")
        raise OSError(errno.EIO, "Input/output error")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_unwritable_places_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A missing folder or a directory as -o gives one line naming it, for every writing command."""
    source = _jsonl(tmp_path / "in.jsonl", [RECORD])
    for target in (str(tmp_path / "no" / "x.csv"), str(tmp_path)):
        for argv in (
            ("evaluate", source, "--on", ON, "--output-format", "csv", "-o", target),
            ("export", "csv", "-o", target),
            ("schema", "plan", "-o", target),
            ("plot", "graph", "--format", "svg", "-o", target),
        ):
            code, _, err = _run(capsys, *argv)
            assert code == 2
            assert _one_line_error(err).startswith(f"yantai-policy: error: cannot write {target}")


# --- Write failures ---------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "argv",
    [
        ("measures",),
        ("show", "7", "--json"),
        ("audit",),
        ("export", "json", "-o", "-"),
        ("schema", "applicant"),
        ("benefits", "--json"),
    ],
)
def test_a_full_disk_on_stdout_exits_2_with_one_line(argv: tuple[str, ...]) -> None:
    """A stdout on /dev/full (ENOSPC): exit 2, one line, no traceback, nothing at exit."""
    with Path("/dev/full").open("wb") as full:
        result = _cli(*argv, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert "No space left on device" in _one_line_error(result.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_a_full_disk_as_the_output_file_exits_2(tmp_path: Path, fmt: str) -> None:
    """`evaluate -o /dev/full`: exit 2 with one line naming it."""
    source = _jsonl(tmp_path / "in.jsonl", [RECORD] * 3000)
    result = _cli("evaluate", source, "--on", ON, "--output-format", fmt, "-o", "/dev/full")
    assert result.returncode == 2
    assert _one_line_error(result.stderr).endswith(
        "cannot write /dev/full: No space left on device"
    )


def _closed_pipe(*argv: str, read: int = 10) -> subprocess.CompletedProcess[bytes]:
    """Run a command whose reader takes a few bytes, or none, and goes away (`| head -c 10`)."""
    with subprocess.Popen(
        [sys.executable, "-m", "yantai_policy", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC},
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        if read:
            process.stdout.read(read)
        process.stdout.close()
        err = process.stderr.read()
        code = process.wait()
    return subprocess.CompletedProcess(argv, code, b"", err)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_pipe_during_evaluate_exits_2(tmp_path: Path, jobs: str) -> None:
    """`evaluate -o - | head`: exit 2 with one line, no traceback, no 'Exception ignored'."""
    source = _jsonl(tmp_path / "in.jsonl", [RECORD] * 20_000)
    result = _closed_pipe(
        "evaluate", source, "--on", ON, "--output-format", "csv", "-o", "-", "--jobs", jobs
    )
    assert result.returncode == 2
    assert "cannot write to stdout: Broken pipe" in _one_line_error(result.stderr)


@pytest.mark.parametrize(
    "argv", [("measures",), ("show", "7", "--json"), ("explain", "{record}", "--on", ON)]
)
def test_a_closed_pipe_during_a_printing_command_exits_2(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    """A printing command whose reader has gone (`| true`): exit 2 with one line, nothing at exit."""
    record = tmp_path / "one.json"
    record.write_text(json.dumps(RECORD))
    result = _closed_pipe(*(a.format(record=record) for a in argv), read=0)
    assert result.returncode == 2
    assert "cannot write to stdout: Broken pipe" in _one_line_error(result.stderr)


def test_a_closed_pipe_during_export_exits_2() -> None:
    """`export json -o - | true`: exit 2 with one line."""
    result = _closed_pipe("export", "json", "-o", "-", read=0)
    assert result.returncode == 2
    assert "Broken pipe" in _one_line_error(result.stderr)


class _Failing(io.StringIO):
    """A stdout whose every write fails with EIO."""

    def write(self, _text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("argv", [("measures",), ("show", "7", "--json"), ("schema", "plan")])
def test_eio_on_stdout_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """A write to stdout failing with EIO exits 2 with one line on stderr."""
    monkeypatch.setattr(sys, "stdout", _Failing())
    assert main(list(argv)) == 2
    assert _one_line_error(capsys.readouterr().err).endswith(
        "cannot write to stdout: Input/output error"
    )


# --- Signals ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300,000 applicants: long enough to be interrupted mid-way."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    line = json.dumps(RECORD).encode() + b"\n"
    path.write_bytes(line * 300_000)
    return path


def _wait_for_temp(folder: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait until the output's temporary file holds rows: the run is writing."""
    for _ in range(6000):
        if process.poll() is not None:
            return
        for name in _leftovers(folder):
            with contextlib.suppress(OSError):
                if (folder / name).stat().st_size > 0:
                    return
        time.sleep(0.01)


@pytest.mark.parametrize(
    ("sig", "code", "word", "jobs", "group"),
    [
        (signal.SIGINT, 130, "interrupted", "1", False),
        (signal.SIGTERM, 143, "terminated", "1", False),
        (signal.SIGTERM, 143, "terminated", "2", False),
        (signal.SIGINT, 130, "interrupted", "2", True),  # Ctrl-C reaches the workers too
    ],
)
def test_a_signal_leaves_the_old_output(
    tmp_path: Path,
    big_input: Path,
    sig: signal.Signals,
    code: int,
    word: str,
    jobs: str,
    group: bool,
) -> None:
    """SIGINT/SIGTERM mid-run: exit 130/143, one line, the old output intact, no temp file."""
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with subprocess.Popen(
        [sys.executable, "-m", "yantai_policy", "evaluate", str(big_input), "--on", ON,
         "-o", str(target), "--jobs", jobs],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": SRC},
        start_new_session=group,
    ) as process:  # fmt: skip
        _wait_for_temp(tmp_path, process)
        assert process.poll() is None, "the run ended before the signal"
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        assert process.stderr is not None
        err = process.stderr.read()
        assert process.wait() == code, err
    assert _one_line_error(err) == f"yantai-policy: error: {word}"
    assert target.read_text() == "old\n"
    assert _leftovers(tmp_path) == []


# --- Status lines and - -----------------------------------------------------------------


def test_dash_writes_only_the_data_to_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`-o -` puts only the data on stdout for export, schema, plot and evaluate."""
    code, out, err = _run(capsys, "export", "json", "-o", "-")
    assert code == 0
    assert json.loads(out)["format"] == "yantai-policy/plan"
    assert "wrote json to -" in err
    code, out, _ = _run(capsys, "schema", "applicant", "-o", "-")
    assert (code, json.loads(out)["type"]) == (0, "object")
    code, out, err = _run(capsys, "export", "csv", "-o", str(tmp_path / "a.csv"), "--json")
    assert (code, out) == (0, "")
    assert json.loads(err)["format"] == "csv"
    source = _jsonl(tmp_path / "in.jsonl", [RECORD])
    code, out, _ = _run(capsys, "evaluate", source, "--on", ON, *ONE, "--output-format", "jsonl", "-o", "-")  # fmt: skip
    assert (code, json.loads(out)["id"]) == (0, "A1")


def test_plot_to_stdout_is_only_the_picture() -> None:
    """`plot graph -o - --format svg` writes only the SVG to stdout; the status goes to stderr."""
    result = _cli("plot", "graph", "-o", "-", "--format", "svg", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith(b"<?xml")
    assert result.stdout.rstrip().endswith(b"</svg>")
    assert b"wrote the graph picture to -" in result.stderr


# --- The BOM, and cells that are not formulas -------------------------------------------


def test_evaluate_csv_starts_with_a_bom_as_export_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CSV of evaluate, to a file and to stdout, starts with the BOM that export csv starts with."""
    source = _jsonl(tmp_path / "in.jsonl", [RECORD])
    out = tmp_path / "out.csv"
    assert _run(capsys, "evaluate", source, "--on", ON, *ONE, "-o", str(out))[0] == 0
    assert out.read_bytes().startswith(BOM + b"row,id,error,")
    result = _cli("evaluate", source, "--on", ON, *ONE, "--output-format", "csv", "-o", "-")
    assert result.stdout == out.read_bytes()
    assert export.to_csv(load_policy()).startswith(BOM)


TRICKY_IDS = [
    "=HYPERLINK(1)",
    " =1+1",
    "\n@SUM(A1)",
    "\u3000+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
    "\t-2",
    " ok",
    "ok",
]


def test_formula_like_ids_are_neutralised_in_csv_and_xlsx(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Ids a spreadsheet would run get a leading ' in CSV and .xlsx; JSONL keeps them verbatim."""
    source = _jsonl(tmp_path / "in.jsonl", [dict(RECORD, id=i) for i in TRICKY_IDS])
    expected = ["'" + i for i in TRICKY_IDS[:-2]] + TRICKY_IDS[-2:]
    for fmt in ("csv", "xlsx", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        assert _run(capsys, "evaluate", source, "--on", ON, *ONE, "-o", str(out))[0] == 0
        if fmt == "csv":
            ids = [r["id"] for r in _csv(out.read_bytes())]
        elif fmt == "xlsx":
            ids = [row[1] for row in _xlsx(out)[1:]]
        else:
            ids = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
        assert ids == (TRICKY_IDS if fmt == "jsonl" else expected)


@given(st.text())
@settings(max_examples=300)
def test_no_cell_starts_like_a_formula(text: str) -> None:
    """After neutralise_cell, no cell starts (after white space) with = + - @ or their full-width forms."""
    cell = neutralise_cell(text)
    assert not cell.lstrip().startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠"))
    assert not cell.startswith(("\t", "\r"))
    assert cell in (text, "'" + text)


# --- XLSX -------------------------------------------------------------------------------


def _csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _xlsx(source: Path | bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source)
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row)  # never a formula
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _same_cell(value: object, text: str) -> bool:
    """Whether a cell read back from .xlsx is the CSV's cell (a number equal to its text)."""
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) == Decimal(text)
    return ("" if value is None else value) == text


def test_evaluate_xlsx_has_the_csv_cells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`evaluate -o out.xlsx` has the CSV's columns and cells; row and amounts are numbers."""
    records = [
        RECORD,
        dict(RECORD, id="B2", groups="farmer"),
        dict(RECORD, id="=C3", contributions=[{"month": "2021-02", "amount": "1234.56"}]),
        {"id": "D4", "groups": ["hard_to_employ"], "flexible_since": "2021-01-01",
         "contributions": [{"month": "2021-02", "amount": "1000.05"}]},
    ]  # fmt: skip
    source = _jsonl(tmp_path / "in.jsonl", records)
    for fmt in ("csv", "xlsx"):
        code, _, _ = _run(capsys, "evaluate", source, "--on", ON, "-o", str(tmp_path / f"o.{fmt}"))
        assert code == 0
    rows = _xlsx(tmp_path / "o.xlsx")
    table = _csv((tmp_path / "o.csv").read_bytes())
    assert rows[0] == list(table[0])
    assert len(rows) - 1 == len(table) == 4
    for row, line in zip(rows[1:], table, strict=True):
        assert all(_same_cell(v, t) for v, t in zip(row, line.values(), strict=True)), (row, line)
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4]
    amounts = [i for i, name in enumerate(rows[0]) if name.endswith(".amount")]
    numbers = [rows[1][i] for i in amounts if rows[1][i] is not None]
    assert numbers
    assert {type(n) for n in numbers} <= {int, float}
    assert isinstance(rows[2][2], str)  # the error row
    assert all(rows[2][i] is None for i in amounts)


@pytest.mark.parametrize(("fmt", "like"), [("xlsx", "csv"), ("matrix-xlsx", "matrix-csv")])
@pytest.mark.parametrize("lang", ["both", "zh", "en"])
def test_export_xlsx_has_the_csv_cells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str, like: str, lang: str
) -> None:
    """`export xlsx` / `matrix-xlsx` hold the cells of export csv / matrix-csv, in each --lang."""
    out = tmp_path / "out.xlsx"
    assert _run(capsys, "export", fmt, "-o", str(out), "--lang", lang)[0] == 0
    rows = _xlsx(out)
    exporter = export.to_csv if like == "csv" else export.matrix_to_csv
    data = exporter(load_policy(), lang=lang)  # type: ignore[arg-type]
    expected = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [["" if v is None else str(v) for v in row] for row in rows] == expected
    if lang == "both" or like == "csv":  # the measure's number is a number cell
        assert isinstance(rows[1][1 if like == "csv" else 0], int)


def test_xlsx_cells_hold_hostile_text_as_strings(tmp_path: Path) -> None:
    """Control characters, lone surrogates, formulas and huge text stay string cells; the file opens."""
    path = tmp_path / "t.xlsx"
    hostile = ["=1+1", "a\x00b\x1fc", "\ud800x", "\ufffe", "x" * 40_000, "@A1"]
    with outfile.open_output(path, binary=True) as sink, outfile.xlsx_sheet(sink) as append:
        append([hostile, [1, Decimal("2.50"), None]])
    rows = _xlsx(path)
    assert rows[0][:5] == ["=1+1", "a\ufffdb\ufffdc", "\ufffdx", "\ufffd", "x" * 32766 + "…"]
    assert rows[1] == [1, 2.5, None, None, None, None]


def test_xlsx_without_openpyxl_says_how_to_install(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without openpyxl, .xlsx output is one line naming the extra, and nothing is written."""
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    source = _jsonl(tmp_path / "in.jsonl", [RECORD])
    for argv in (
        ("evaluate", source, "--on", ON, "-o", str(tmp_path / "o.xlsx")),
        ("export", "xlsx", "-o", str(tmp_path / "o.xlsx")),
        ("export", "matrix-xlsx", "-o", str(tmp_path / "o.xlsx")),
    ):
        code, _, err = _run(capsys, *argv)
        assert code == 2
        assert "pip install 'yantai-policy[xlsx]'" in _one_line_error(err)
    assert list(tmp_path.iterdir()) == [Path(source)]


# --- Line separators and text that cannot be encoded ------------------------------------

SEPARATORS = "\x85\u2028\u2029"


def test_jsonl_escapes_line_separators(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """U+0085, U+2028 and U+2029 in an id or an unknown key are escaped: one line per row."""
    records = [dict(RECORD, id=f"a{SEPARATORS}b"), {"id": "B", f"k{SEPARATORS}": 1}]
    source = _jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    assert _run(capsys, "evaluate", source, "--on", ON, *ONE, "-o", str(out))[0] == 0
    text = out.read_text("utf-8")
    assert not any(s in text for s in SEPARATORS)
    lines = text.splitlines()
    assert len(lines) == 2
    assert "\\u2028" in lines[0]
    assert json.loads(lines[0])["id"] == f"a{SEPARATORS}b"
    assert SEPARATORS in json.loads(lines[1])["error"]


def _surrogate_inputs(folder: Path) -> Iterator[tuple[str, str]]:
    """Inputs whose id or key holds a lone surrogate or undecodable bytes: (path, format)."""
    lines = [
        '{"id": "\\ud800", "groups": ["farmer"]}',
        '{"id": "B\\udfff", "groups": "farmer"}',
        '{"id": "C", "groups": ["farmer"], "x\\ud800": 1}',
        '{"id": "D", "groups": ["farmer"], "\\udc80": "\\ud83d"}',
    ]
    path = folder / "sur.jsonl"
    path.write_text("\n".join(lines) + "\n", "ascii")
    yield str(path), "jsonl"
    path = folder / "bytes.csv"
    path.write_bytes(b"id,groups\n\xff\xfe,farmer\nB,farmer\n")
    yield str(path), "csv"
    path = folder / "header.csv"
    path.write_bytes(b"id,gr\xffoups\nA,farmer\n")
    yield str(path), "csv"


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_lone_surrogates_never_crash_a_writer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    """Lone surrogates or undecodable bytes in ids and keys: valid UTF-8 output, one row each."""
    shown: list[str] = []
    for source, in_format in _surrogate_inputs(tmp_path):
        records = len(Path(source).read_bytes().splitlines()) - (in_format == "csv")
        out = tmp_path / f"out.{fmt}"
        code, _, err = _run(capsys, "evaluate", source, "--on", ON, *ONE, "-o", str(out))
        assert code in (0, 1), err  # 1 where the input's one row is an error row
        rows: list[Any]
        if fmt == "xlsx":
            rows = _xlsx(out)[1:]
        elif fmt == "csv":
            rows = [list(r.values()) for r in _csv(out.read_bytes())]  # strict UTF-8 decode
        else:
            rows = [json.loads(line) for line in out.read_bytes().decode("utf-8").splitlines()]
        assert len(rows) == records
        shown.extend(str(row) for row in rows)
    assert sum("\ufffd" in row for row in shown) == 6


def test_error_rows_name_the_row_and_field_despite_surrogates(tmp_path: Path) -> None:
    """The error row of a key with a lone surrogate names the row and shows the key as U+FFFD."""
    source = next(_surrogate_inputs(tmp_path))[0]
    with Path(source).open("rb") as lines:
        chunks = list(
            evaluate_many(
                batch_io.jsonl_lines(lines),
                on=dt.date.fromisoformat(ON),
                benefits=["startup_subsidy"],
                parse=batch_io.RecordParser("applicant", "jsonl"),
                decode=batch_io.decode_jsonl,
            ).chunks()
        )
    sink = io.StringIO()
    write = batch_io.jsonl_writer(sink, ["startup_subsidy"])
    for chunk in chunks:
        write(chunk)
    rows = [json.loads(line) for line in sink.getvalue().encode("utf-8").decode().splitlines()]
    assert [r["id"] for r in rows] == ["\ufffd", "B\ufffd", "C", "D"]
    assert rows[2]["error"].startswith("row 3: x\ufffd: unknown field")
    assert rows[3]["error"].startswith("row 4: \ufffd: unknown field")


@pytest.mark.parametrize("as_json", [False, True])
def test_explain_shows_a_lone_surrogate_id_as_replacement(tmp_path: Path, as_json: bool) -> None:
    """`explain` (text and --json) of a record whose id is a lone surrogate prints valid UTF-8."""
    path = tmp_path / "one.json"
    path.write_text('{"id": "\\ud800A", "groups": ["farmer"]}', "ascii")
    result = _cli("explain", str(path), "--on", ON, *ONE, *(["--json"] if as_json else []))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    if as_json:
        assert json.loads(text)[0]["record_id"] == "\ufffdA"
    else:
        assert "record \ufffdA" in text


_ANY_TEXT = st.text(
    st.characters(codec=None)  # every code point, lone surrogates and line separators included
    | st.sampled_from(["\ud800", "\udc80", "\udfff", "\x85", "\u2028", "\u2029", "=", "＠", " "]),
    min_size=1,
)


@given(ids=st.lists(_ANY_TEXT, min_size=1, max_size=5), key=_ANY_TEXT)
@settings(max_examples=200, deadline=None)
def test_writers_take_any_text(ids: list[str], key: str) -> None:
    """Any id or unknown key: CSV, JSONL and .xlsx stay valid, one row per record, the id shown."""
    records: list[Any] = [dict(RECORD, id=i) for i in ids] + [{"id": "K", key: 1}]
    chunks = list(
        evaluate_many(records, on=dt.date(2021, 7, 16), benefits=["startup_subsidy"]).chunks()
    )
    text, lines = io.StringIO(newline=""), io.StringIO()
    write_csv = batch_io.csv_writer(text, ["startup_subsidy"])
    write_jsonl = batch_io.jsonl_writer(lines, ["startup_subsidy"])
    book = io.BytesIO()
    with batch_io.xlsx_writer(book, ["startup_subsidy"]) as write_xlsx:
        for chunk in chunks:
            write_csv(chunk)
            write_jsonl(chunk)
            write_xlsx(chunk)
    shown = [outfile.printable(i) for i in ids]
    table = _csv(text.getvalue().encode("utf-8"))  # strict: valid UTF-8
    jsonl = lines.getvalue().encode("utf-8").decode("utf-8")
    assert len(jsonl.splitlines()) == len(table) == len(records)  # no raw line separator
    rows = [json.loads(line) for line in jsonl.splitlines()]
    for expected, row, cells in zip(shown, rows, table, strict=False):
        if row["error"] is None:  # a valid id is echoed (an id the parser refuses may not be)
            assert (row["id"], cells["id"]) == (expected, neutralise_cell(expected))
        else:
            assert row["id"] in (None, expected)
    assert rows[-1]["error"] is not None
    assert rows[-1]["error"].startswith("row ")
    sheet = _xlsx(book.getvalue())
    assert len(sheet) == len(records) + 1
    assert [row[0] for row in sheet[1:]] == list(range(1, len(records) + 1))


def test_xlsx_keeps_integers_a_double_cannot_hold(tmp_path: Path) -> None:
    """An integer beyond 2**53 is written as its digits, not rounded to a double."""
    import openpyxl  # noqa: PLC0415 - the xlsx extra

    from yantai_policy.outfile import open_output, xlsx_sheet  # noqa: PLC0415

    path = tmp_path / "big.xlsx"
    with open_output(str(path), binary=True) as sink, xlsx_sheet(sink) as append:
        append([[2**53 + 1, 7, True]])
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == ("9007199254740993", 7, True)
