"""``yantai-policy draft``: a notice's text to a plan file, then load, audit and export it."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import run_cli as _run
from yantai_policy import load_policy
from yantai_policy.audit import audit
from yantai_policy.drafting import MAX_NOTICE_BYTES

ROOT = Path(__file__).resolve().parent.parent
YANTAI = ROOT / "src" / "yantai_policy" / "data" / "yantai-2021-3.txt"
CELLS = Path(__file__).parent / "data" / "draft-table-cells.txt"


def test_draft_audit_export_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Draft -> load_policy -> audit -> export graphml works on Yantai's notice, with the shipped answers."""
    plan = tmp_path / "plan.toml"
    code, out, err = _run(capsys, "draft", str(YANTAI), "-o", str(plan))
    assert (code, out, err) == (0, "", "")
    drafted = load_policy(plan)
    shipped = load_policy()
    assert [(a.id, a.bureau.id, a.role) for a in drafted.actions] == [
        (a.id, a.bureau.id, a.role) for a in shipped.actions
    ]
    assert [a.text.zh for a in drafted.actions] == [a.text.zh for a in shipped.actions]
    codes = {f.code for f in audit(drafted).findings}
    assert "missing-translation" in codes
    assert "draft-review-open" not in codes  # Yantai's draft leaves nothing to review
    code, _, _ = _run(capsys, "audit", "--plan", str(plan))
    assert code == 0
    graphml = tmp_path / "plan.graphml"
    code, _, _ = _run(capsys, "export", "graphml", "--plan", str(plan), "-o", str(graphml))
    assert code == 0
    assert "市人力资源社会保障局" in graphml.read_text(encoding="utf-8")


def test_draft_json_is_the_same_plan_as_the_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Draft --json writes the same plan as the TOML draft, as JSON."""
    toml_path, json_path = tmp_path / "p.toml", tmp_path / "p.json"
    assert _run(capsys, "draft", str(CELLS), "-o", str(toml_path))[0] == 0
    assert _run(capsys, "draft", str(CELLS), "--json", "-o", str(json_path))[0] == 0
    from_toml = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    from_json = json.loads(json_path.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(from_toml, default=str)) == from_json
    assert load_policy(json_path).actions == load_policy(toml_path).actions


def test_review_entries_go_to_stderr_and_into_the_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each review entry is printed on stderr, one line each, and kept in the draft's review table."""
    notice = tmp_path / "n.txt"
    text = CELLS.read_text(encoding="utf-8").replace("市公安局", "市无名协调中心")
    notice.write_text(text, encoding="utf-8")
    plan = tmp_path / "n.toml"
    code, _, err = _run(capsys, "draft", str(notice), "-o", str(plan))
    assert code == 0
    lines = err.splitlines()
    assert lines
    assert all(line.startswith("yantai-policy: review: ") for line in lines)
    assert any("unit-unknown" in line and "市无名协调中心" in line for line in lines)
    review = tomllib.loads(plan.read_text(encoding="utf-8"))["review"]
    assert [r["kind"] for r in review] == ["unit-unknown"]
    assert review[0]["lines"] == [19, 19]
    findings = [f for f in audit(load_policy(plan)).findings if f.code == "draft-review-open"]
    assert len(findings) == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe\x00\xd8\x00\x00\xff\xff", "can't be decoded"),
        (b"\x00\x01\x02\x03" * 100, "NUL"),
        (b"\xc3\x28" * 50, "not UTF-8"),
    ],
)
def test_unreadable_notices_exit_2_with_one_line_and_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, words: str
) -> None:
    """Bytes that are not text exit 2 with one line naming the file, and write no draft."""
    notice = tmp_path / "bad.txt"
    notice.write_bytes(content)
    out = tmp_path / "out.toml"
    code, stdout, err = _run(capsys, "draft", str(notice), "-o", str(out))
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert err.startswith("yantai-policy: error: ")
    assert words in err
    assert not out.exists()


def test_a_notice_over_the_size_bound_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 50 MB file is refused at once with one line that gives the bound."""
    notice = tmp_path / "big.txt"
    with notice.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    code, _, err = _run(capsys, "draft", str(notice), "-o", str(tmp_path / "o.toml"))
    assert code == 2
    assert f"{MAX_NOTICE_BYTES:,} bytes" in err
    assert err.count("\n") == 1


def test_a_notice_with_no_tasks_gives_a_draft_with_a_review_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Text with no tasks gives a draft with no measures and a no-tasks review entry, exit 0."""
    notice = tmp_path / "none.txt"
    notice.write_text("关于做好某项工作的通知\n各单位：\n请认真做好有关工作。\n", encoding="utf-8")
    plan = tmp_path / "none.toml"
    code, _, err = _run(capsys, "draft", str(notice), "--layout", "table", "-o", str(plan))
    assert code == 0
    assert "no-tasks" in err
    data = tomllib.loads(plan.read_text(encoding="utf-8"))
    assert data["measures"] == []
    assert "no-tasks" in {r["kind"] for r in data["review"]}


def test_draft_reads_stdin_and_writes_stdout() -> None:
    """Draft - reads the notice from stdin and, without -o, writes the draft to stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "yantai_policy", "draft", "-"],
        input=CELLS.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = tomllib.loads(done.stdout.decode("utf-8"))
    assert data["notice"]["document_number"] == "临政办字〔2022〕5号"
    assert data["provenance"]["source_file"] == "<stdin>"
