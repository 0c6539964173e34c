"""Hostile text for the drafter: arbitrary text, mutated notices, odd encodings, huge files.

``draft_plan`` either returns a draft or raises `DraftError` (a `PolicyDataError`, one line
naming the file and line); nothing else escapes. A draft, written as TOML by
`Draft.to_toml` (what ``yantai-policy draft`` writes), parses as TOML, and `load_policy`
either loads it or refuses it with a `PolicyDataError` for a reason its review list gives:
a particular not found, no measure at all, or a measure with no task (`_explained`).
``yantai-policy draft`` exits 0 with a draft, its review entries on stderr, or 2 with one
line on stderr, never a traceback, and then writes no output file. A notice is UTF-8
(a BOM allowed) or UTF-16/32 with its mark, with LF, CR LF or CR line ends; GBK is
refused, naming UTF-8 and the line; a file over `MAX_NOTICE_BYTES` (8 MiB) is refused
after reading at most that many bytes and one.

`tests/test_cli_draft.py` and `tests/test_drafting.py` hold the first case of each
(unreadable bytes, the size bound, no tasks, stdin); this file is the campaign. What it
found, each fixed with a regression test in `tests/test_drafting.py`: CR-only line ends
read as one line; a line of only U+FEFF or U+200B taken as a measure's title; an item
（1） with no task above it (its text dropped) and items not numbered from 1, both
drafted as items the loader refuses; a unit block on a line of its own drafted as a task
with no text; the one measure of a plan with no headings and no attachment title left
untitled; and a unit name with a U+FEFF inside it drafted as a second, unknown unit of the
same name. Each draft the loader refused, with an empty or unrelated review list.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli as _run
from yantai_policy import load_policy
from yantai_policy.cli import main
from yantai_policy.drafting import MAX_NOTICE_BYTES, Draft, DraftError, draft_plan
from yantai_policy.errors import PolicyDataError
from yantai_policy.loading import read_data_file

DATA = Path(__file__).parent / "data"
YANTAI_BYTES = read_data_file("yantai-2021-3.txt")
YANTAI = YANTAI_BYTES.decode("utf-8")
NOTICES = {path.stem: path.read_text(encoding="utf-8") for path in sorted(DATA.glob("*.txt"))}
"""The test notices of the other layouts (tests/data/*.txt), by name."""

SOURCES = {"yantai-2021-3": YANTAI, **NOTICES}

# Every property is kept small: the whole file runs in a few seconds.
CAMPAIGN = settings(max_examples=25, deadline=None)

# --- helpers ------------------------------------------------------------------------


def _load(toml: str) -> PolicyDataError | None:
    """Load a TOML draft as ``load_policy`` loads a file: None, or the error it refuses it with."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.toml"
        path.write_text(toml, encoding="utf-8")
        try:
            load_policy(path)
        except PolicyDataError as error:
            return error
    return None


def _explained(error: PolicyDataError, draft: Draft) -> bool:
    """Whether the draft's review list says why the loader refuses it.

    The loader refuses a draft only for what the drafter lists: a particular not found
    (the notice's and the provenance's fields), no measure at all, a table row whose
    measure has no task with a unit (an empty title), or a plan with no measure headings
    and no title to give its one measure.
    """
    kinds = {entry.kind for entry in draft.review}
    if error.path.split(".")[0] in {"provenance", "notice"}:
        return "particular-missing" in kinds
    if error.path == "measures":
        return "no-tasks" in kinds
    title = re.fullmatch(r"(measures\[\d+\])\.title\.zh", error.path)
    if title is None:
        return False
    untitled = {"layout-guess", "particular-missing"} <= kinds
    return untitled or any(
        entry.kind == "no-tasks" and entry.where == title.group(1) for entry in draft.review
    )


def check_text(text: str, **options: Any) -> Draft | None:
    """Draft a text: a draft that round-trips through TOML, or a one-line DraftError (None)."""
    try:
        draft = draft_plan(text, **options)
    except DraftError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert "\n" not in message
        assert message.startswith("notice.txt")
        return None
    toml = draft.to_toml()
    data = tomllib.loads(toml)  # the writer writes TOML
    assert data["format_version"] == 2
    assert len(data["review"]) == len(draft.review)
    refused = _load(toml)
    if refused is not None:
        assert _explained(refused, draft), (refused, draft.review)
    if not draft.plan["measures"]:
        assert "no-tasks" in {entry.kind for entry in draft.review}
    return draft


def _noise(seed: int, size: int) -> bytes:
    """Random-looking bytes, the same at every run."""
    return hashlib.shake_256(seed.to_bytes(4, "big")).digest(size)


def _capture_main(argv: list[str]) -> tuple[int, str]:
    """Run main with stderr and stdout captured (hypothesis cannot take capsys)."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(argv)
    return code, err.getvalue()


def _assert_one_line_error(code: int, out: str, err: str) -> None:
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("yantai-policy: error: ")
    assert "Traceback" not in err


# --- mutations of the real notices --------------------------------------------------

_HALF_TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in "():;,.!?[]%-0123456789"}
_HALF_TO_FULL[" "] = "\u3000"
_FULL_TO_HALF = {
    "（": "(",
    "）": ")",
    "：": ":",
    "；": ";",
    "，": ",",
    "。": ".",
    "、": ",",
    "〔": "[",
    "〕": "]",
    "\u3000": " ",
}


@cache
def _to_traditional() -> dict[int, str]:
    """Simplified -> traditional, the first traditional form of each (the fold's table reversed)."""
    table: dict[int, str] = {}
    for line in read_data_file("t2s.txt").decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, _, simplified = line.partition("\t")
            if len(traditional) == 1 and len(simplified) == 1 and traditional != simplified:
                table.setdefault(ord(simplified), traditional)
    return table


HOSTILE_CHARACTERS = (
    "\x00\r\t\v\f\x1b\x7f\x85\u2028\u2029\ufeff\u200b\u200d\u0301\u0308\u20dd"
    "\ud800\udfff\ufffe\uffff（）：；，。、〔〕【】“”《》—－·\u3000０１２３牵头配合负责市局委"
)
"""Characters a pasted text may carry: NUL and other controls, CR, line and paragraph
separators, a byte-order mark, zero-width and combining marks, lone surrogates,
noncharacters, full-width punctuation and the words the drafter looks for."""


def _mutate(text: str, rng: random.Random, kind: str) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "shuffle":
        j = min(len(lines), i + rng.randint(2, 12))
        part = lines[i:j]
        rng.shuffle(part)
        lines[i:j] = part
    elif kind == "truncate":
        return text[: rng.randrange(len(text) + 1)]
    elif kind == "insert":
        at = rng.randrange(len(text) + 1)
        junk = "".join(rng.choice(HOSTILE_CHARACTERS) for _ in range(rng.randint(1, 4)))
        return text[:at] + junk + text[at:]
    elif kind == "to-half-width":
        return "".join(_FULL_TO_HALF.get(c, c) if rng.random() < 0.5 else c for c in text)
    elif kind == "to-full-width":
        return "".join(_HALF_TO_FULL.get(c, c) if rng.random() < 0.5 else c for c in text)
    elif kind == "traditional":
        return text.translate(_to_traditional())
    elif kind == "blank-lines":
        lines.insert(i, rng.choice(["", " ", "\u3000", "\t", "\ufeff"]))
    return "\n".join(lines)


MUTATIONS = (
    "delete",
    "duplicate",
    "shuffle",
    "truncate",
    "insert",
    "to-half-width",
    "to-full-width",
    "traditional",
    "blank-lines",
)


@st.composite
def mutated(draw: st.DrawFn, sources: tuple[str, ...]) -> str:
    """A source text with one to six random mutations."""
    text = SOURCES[draw(st.sampled_from(sources))]
    rng = draw(st.randoms(use_true_random=False))
    for kind in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=6)):
        text = _mutate(text, rng, kind)
    return text


# --- properties ---------------------------------------------------------------------


@CAMPAIGN
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300))
def test_arbitrary_text_drafts_or_gives_a_draft_error(text: str) -> None:
    """Any text at all (controls, surrogates, combining marks) gives a draft or a DraftError."""
    check_text(text)


@CAMPAIGN
@given(st.lists(st.text(st.sampled_from(HOSTILE_CHARACTERS + "一二三1.（）"), max_size=30)))
def test_lines_of_hostile_characters_draft_or_give_a_draft_error(lines: list[str]) -> None:
    """Lines of full-width punctuation, controls, separators and markers give a draft or a DraftError."""
    check_text("\n".join(lines))


@CAMPAIGN
@given(mutated(("yantai-2021-3",)), st.sampled_from(["auto", "table", "inline", "labelled"]))
def test_mutated_yantai_notice_drafts_or_gives_a_draft_error(text: str, layout: str) -> None:
    """Yantai's notice with lines deleted, doubled, shuffled, cut or junk inserted drafts, in any layout."""
    check_text(text, layout=layout)


@CAMPAIGN
@given(mutated(tuple(NOTICES)), st.sampled_from([None, "explicit", "first-listed", "none"]))
def test_mutated_test_notices_draft_or_give_a_draft_error(text: str, lead_rule: str | None) -> None:
    """The test notices, mutated, draft or give a DraftError, under any lead rule."""
    check_text(text, lead_rule=lead_rule)


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize(
    "kind", ["to-half-width", "to-full-width", "traditional", "blank-lines", "truncate"]
)
def test_each_mutation_of_each_notice_drafts(name: str, kind: str) -> None:
    """Each kind of mutation of each notice, at a fixed seed, gives a draft that round-trips."""
    rng = random.Random(3)  # noqa: S311 - a fixed seed: the same mutation at every run
    assert check_text(_mutate(SOURCES[name], rng, kind)) is not None


# --- random bytes through the command line ------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.binary(min_size=1, max_size=2000))
def test_random_bytes_never_give_a_traceback(data: bytes) -> None:
    """Random bytes give a draft (exit 0) or one error line (exit 2) and then no output file."""
    with tempfile.TemporaryDirectory() as tmp:
        notice, out = Path(tmp) / "n.txt", Path(tmp) / "o.toml"
        notice.write_bytes(data)
        code, stderr = _capture_main(["draft", str(notice), "-o", str(out)])
        assert "Traceback" not in stderr
        if code == 2:
            assert stderr.count("\n") == 1
            assert stderr.startswith("yantai-policy: error: ")
            assert not out.exists()
        else:
            assert code == 0
            assert all(line.startswith("yantai-policy: review: ") for line in stderr.splitlines())
            tomllib.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", range(4))
def test_random_binary_files_exit_2_without_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: int
) -> None:
    """64 kB of random bytes (not UTF-8) exit 2 with one line, and no draft is written."""
    notice = tmp_path / "random.bin"
    notice.write_bytes(_noise(seed, 65536))
    out = tmp_path / "o.toml"
    _assert_one_line_error(*_run(capsys, "draft", str(notice), "-o", str(out)))
    assert not out.exists()


def test_random_bytes_on_stdin_exit_2_in_a_real_process() -> None:
    """Random bytes on stdin, in a real process, exit 2 with one line and no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "yantai_policy", "draft", "-"],
        input=_noise(7, 4096),
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")},
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.count(b"\n") == 1
    assert b"Traceback" not in done.stderr


# --- encodings and line ends ----------------------------------------------------------


@cache
def _yantai_plan() -> dict[str, Any]:
    """Yantai's notice drafted from its own UTF-8 file (LF), by the CLI, as TOML."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "p.toml"
        notice = Path(tmp) / "yantai-2021-3.txt"
        notice.write_bytes(YANTAI_BYTES)
        assert _capture_main(["draft", str(notice), "-o", str(out)]) == (0, "")
        return tomllib.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(lambda t: b"\xff\xfe" + t.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(lambda t: b"\xfe\xff" + t.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda t: t.encode("utf-32"), id="utf-32-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r").encode(), id="cr-only"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-16"), id="utf-16-crlf"),
    ],
)
def test_encodings_and_line_ends_draft_the_same_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encode: Any
) -> None:
    """Yantai's notice with a BOM, in UTF-16/32, or with CR LF or CR ends drafts the same plan as LF UTF-8."""
    notice = tmp_path / "yantai-2021-3.txt"
    notice.write_bytes(encode(YANTAI))
    out = tmp_path / "p.toml"
    assert _run(capsys, "draft", str(notice), "-o", str(out)) == (0, "", "")
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    expected = _yantai_plan()
    for key in ("measures", "bureaus", "notice", "lead_rule", "review"):
        assert plan[key] == expected[key], key
    assert plan["provenance"]["furniture_lines"] == expected["provenance"]["furniture_lines"]
    assert len(load_policy(out).actions) == len(load_policy().actions)


@pytest.mark.parametrize("codec", ["gb18030", "gbk", "big5"])
def test_a_gbk_notice_is_refused_naming_the_encoding_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str
) -> None:
    """GBK, GB18030 or Big5 text is not read as UTF-8: one line naming UTF-8 and the line, no file.

    The notice's text is UTF-8 (the command's help says so); the drafter does not guess
    a legacy encoding. The error names the first undecodable byte and its line.
    """
    notice = tmp_path / "gbk.txt"
    text = "\n".join(["Yantai notice", "", *YANTAI.splitlines()[:40]])
    notice.write_bytes(text.encode(codec, errors="replace"))
    out = tmp_path / "o.toml"
    code, stdout, err = _run(capsys, "draft", str(notice), "-o", str(out))
    _assert_one_line_error(code, stdout, err)
    assert f"{notice}:3: not UTF-8 text: byte 0x" in err
    assert not out.exists()


def test_utf16_without_a_mark_is_refused_naming_utf16(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """UTF-16 text without a byte-order mark is refused with one line that names UTF-16."""
    notice = tmp_path / "n.txt"
    notice.write_bytes("No. 3\n".encode("utf-16-le") + YANTAI.encode("utf-16-le"))
    out = tmp_path / "o.toml"
    code, stdout, err = _run(capsys, "draft", str(notice), "-o", str(out))
    _assert_one_line_error(code, stdout, err)
    assert "UTF-16 (little-endian) without a byte-order mark" in err
    assert not out.exists()


# --- huge files -----------------------------------------------------------------------

_PEAK = """
import resource, sys
from yantai_policy.cli import main
code = main(sys.argv[1:])
print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.__stdout__)
"""


def _peak(*argv: str) -> tuple[int, int, str, float]:
    """Run the CLI in a fresh process: its exit code, peak RSS (kB), stderr and seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *argv],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent / "src")},
    )
    elapsed = time.perf_counter() - start
    code, rss = map(int, done.stdout.split())
    return code, rss, done.stderr.decode("utf-8"), elapsed


@pytest.mark.parametrize("shape", ["repeated-notice", "one-line"])
def test_a_50_mb_notice_is_refused_at_once_in_bounded_memory(tmp_path: Path, shape: str) -> None:
    """50 MB of real notice text, or one 50 MB line, exits 2 with one line, fast, in bounded memory.

    The file is read only up to the bound (8 MiB and one byte), once: the process's peak
    memory grows by far less than the file's size over that of drafting a tiny notice.
    """
    size = 50 * 1024 * 1024
    chunk = YANTAI_BYTES if shape == "repeated-notice" else YANTAI_BYTES.replace(b"\n", b"")
    notice = tmp_path / "big.txt"
    with notice.open("wb") as f:
        for _ in range(size // len(chunk) + 1):
            f.write(chunk)
        f.truncate(size)
    small = tmp_path / "small.txt"
    small.write_bytes(b"\xe4\xb8\x80\n")
    _, baseline, _, _ = _peak("draft", str(small), "-o", str(tmp_path / "small.toml"))
    out = tmp_path / "o.toml"
    code, rss, err, elapsed = _peak("draft", str(notice), "-o", str(out))
    assert code == 2
    assert (
        err
        == f"yantai-policy: error: {notice}: the file is larger than {MAX_NOTICE_BYTES:,} bytes\n"
    )
    assert not out.exists()
    assert elapsed < 10
    assert rss - baseline < 25 * 1024, (rss, baseline)  # kB: well under the 50 MB file
    notice.unlink()


def test_one_line_just_under_the_bound_drafts_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A single line of notice text just under the bound (no newline) drafts, with no tasks, in seconds."""
    chunk = YANTAI_BYTES.replace(b"\n", b"")
    data = (chunk * (MAX_NOTICE_BYTES // len(chunk) + 1))[:MAX_NOTICE_BYTES]
    data = data.decode("utf-8", errors="ignore").encode("utf-8")  # a whole last character
    notice = tmp_path / "line.txt"
    notice.write_bytes(data)
    out = tmp_path / "o.toml"
    start = time.perf_counter()
    code, _, err = _run(capsys, "draft", str(notice), "-o", str(out))
    assert time.perf_counter() - start < 10
    assert code == 0
    assert "Traceback" not in err
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    assert plan["measures"] == []
    assert "no-tasks" in {entry["kind"] for entry in plan["review"]}


# --- texts with nothing to draft ----------------------------------------------------------

_NOTHING_FOUND = [
    "particular-missing",  # title
    "particular-missing",  # issuer
    "particular-missing",  # date of issue
    "particular-missing",  # document number
    "layout-guess",
    "no-tasks",
]


@pytest.mark.parametrize(
    ("content", "kinds", "refused"),
    [
        pytest.param(
            b"", _NOTHING_FOUND, "provenance.document_number: must not be empty", id="empty"
        ),
        pytest.param(
            " \n\t\r\n\u3000\n\ufeff\u200b\n\n".encode(),
            _NOTHING_FOUND,
            "provenance.document_number: must not be empty",
            id="whitespace-only",
        ),
        pytest.param(
            "烟台市人民政府办公室文件\n烟政办字〔2021〕3号\n".encode(),
            [k for i, k in enumerate(_NOTHING_FOUND) if i != 3],
            "provenance.issuer: must not be empty",
            id="document-number-only",
        ),
        pytest.param(
            "烟台市人民政府办公室\n关于印发烟台市某项措施责任分工的通知\n烟政办字〔2021〕3号\n".encode(),
            ["particular-missing", "layout-guess", "no-tasks"],
            "provenance: missing required field 'issued_on'",
            id="title-and-number",
        ),
    ],
)
def test_a_text_with_nothing_to_draft_gives_an_empty_draft_to_review(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    kinds: list[str],
    refused: str,
) -> None:
    """An empty, blank or title-only notice exits 0 with an empty draft and its review; the loader refuses it.

    The draft has no measures; its review list (also printed on stderr, one line
    each) says what was not found. Until a person fills those in, `load_policy`
    refuses the draft with a PolicyDataError naming the first missing field.
    """
    notice = tmp_path / "n.txt"
    notice.write_bytes(content)
    out = tmp_path / "n.toml"
    code, stdout, err = _run(capsys, "draft", str(notice), "-o", str(out))
    assert (code, stdout) == (0, "")
    assert [line.split(": ")[2] for line in err.splitlines()] == kinds
    assert all(line.startswith("yantai-policy: review: ") for line in err.splitlines())
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    assert plan["measures"] == []
    assert plan["bureaus"] == []
    assert [entry["kind"] for entry in plan["review"]] == kinds
    with pytest.raises(PolicyDataError) as refusal:
        load_policy(out)
    assert str(refusal.value) == f"{out}: {refused}"
