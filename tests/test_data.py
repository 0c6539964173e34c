"""Integrity and fidelity of the shipped plan: every character comes from the notice."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

import yantai_policy as yp
from published_text import published_lines, span
from published_text import squash as _squash


def _published_lines(policy: yp.Policy, source_bytes: bytes) -> dict[int, str]:
    """Line number -> line, with the recorded page furniture removed."""
    return published_lines(source_bytes, policy.provenance.furniture_lines)


def _span(policy: yp.Policy, source_bytes: bytes, ref: yp.SourceRef) -> str:
    return span(_published_lines(policy, source_bytes), ref.first_line, ref.last_line)


def _all_texts(policy: yp.Policy) -> list[tuple[str, yp.Text]]:
    n = policy.notice
    parts = ("addressees", "preamble", "attachment", "annex_title", "publication_note")
    texts: list[tuple[str, yp.Text]] = [("notice.title", n.title), ("notice.issuer", n.issuer)]
    for key in parts:  # the built-in plan has every optional part
        part = getattr(n, key)
        assert part is not None, key
        texts.append((f"notice.{key}", part))
    texts += [(f"section {s.number}", t) for s in n.sections for t in (s.heading, s.text)]
    texts += [(f"bureau {b.id}", b.name) for b in policy.bureaus]
    for m in policy.measures:
        texts += [(f"measure {m.number}", m.title), (f"measure {m.number}", m.provincial_text)]
        for a in m.actions:
            texts.append((f"action {a.id}", a.text))
            texts += [(f"action {a.id} item {i.number}", i.text) for i in a.items]
    return texts


def test_source_is_carried_byte_identical(policy: yp.Policy, source_bytes: bytes) -> None:
    """The in-repo notice hashes to the sha256 recorded in the data's provenance."""
    assert hashlib.sha256(source_bytes).hexdigest() == policy.provenance.source_sha256


def test_provenance_particulars(policy: yp.Policy) -> None:
    """Provenance and notice agree on the document number, issuer and issue date."""
    p, n = policy.provenance, policy.notice
    assert p.document_number == n.document_number == "烟政办字〔2021〕3号"
    assert p.issuer == n.issuer.zh == "烟台市人民政府办公室"
    assert p.issued_on.isoformat() == n.issued_on.isoformat() == "2021-01-11"
    assert [p.document_number for p in n.parents] == ["鲁政办发〔2020〕19号"]
    assert n.parent is n.parents[0]
    assert [s.number for s in n.sections] == [1, 2, 3, 4]
    assert n.publication_note is not None
    assert n.publication_note.zh == "此件公开发布"


def test_counts(policy: yp.Policy) -> None:
    """The notice has 20 measures, 49 actions (table rows) and 20 units."""
    assert len(policy.measures) == 20
    assert len(policy.actions) == 49
    assert len(policy.bureaus) == 20
    assert [m.number for m in policy.measures] == list(range(1, 21))


def test_every_chinese_text_is_in_the_published_notice(
    policy: yp.Policy, source_bytes: bytes
) -> None:
    """Whitespace-stripped, each zh text occurs in the furniture-stripped published text."""
    whole = _squash("".join(_published_lines(policy, source_bytes).values()))
    missing = [where for where, text in _all_texts(policy) if _squash(text.zh) not in whole]
    assert missing == []


def test_every_text_lies_within_its_recorded_lines(policy: yp.Policy, source_bytes: bytes) -> None:
    """Each object's SourceRef covers its own text, so 'where it comes from' is true."""
    wrong = []
    for m in policy.measures:
        span = _span(policy, source_bytes, m.source)
        if not span.startswith(str(m.number)) or _squash(m.provincial_text.zh) not in span:
            wrong.append(f"measure {m.number}")
        for a in m.actions:
            action_span = _span(policy, source_bytes, a.source)
            if not action_span.startswith(_squash(a.text.zh)):
                wrong.append(f"action {a.id}")
            if not action_span.endswith(_squash(a.bureau.name.zh)):
                wrong.append(f"action {a.id} unit")
            wrong += [
                f"action {a.id} item {i.number}"
                for i in a.items
                if not _span(policy, source_bytes, i.source).startswith(
                    _squash(f"{i.number}.{i.text.zh}")
                )
            ]
    for s in policy.notice.sections:
        span = _span(policy, source_bytes, s.source)
        if span != _squash(s.heading.zh + s.text.zh):
            wrong.append(f"section {s.number}")
    assert wrong == []


def test_furniture_lines_are_furniture(policy: yp.Policy, source_bytes: bytes) -> None:
    """Only the masthead, table headers and page numbers are listed as furniture."""
    lines = source_bytes.decode("utf-8").split("\n")
    allowed = {"烟台市人民政府办公室", "序", "号", "省政策内容具体推进措施责任单位", "—14—"}
    assert {_squash(lines[n - 1]) for n in policy.provenance.furniture_lines} == allowed


def test_measure_units_in_printed_order(policy: yp.Policy) -> None:
    """Actions, and so each measure's units, run in the order the notice prints them."""
    firsts = [a.source.first_line for a in policy.actions]
    assert firsts == sorted(firsts)
    assert len(set(firsts)) == len(firsts)
    assert [b.name.zh for b in policy.measure(7).bureaus] == [
        "市财政局",
        "市人力资源社会保障局",
        "人民银行市中心支行",
    ]


def test_every_text_has_an_english_translation(policy: yp.Policy) -> None:
    """No text lacks English, and no English still contains Chinese characters."""
    missing = [
        w for w, t in _all_texts(policy) if not t.en.strip() or re.search(r"[\u4e00-\u9fff]", t.en)
    ]
    assert missing == []


def test_ids_are_unique(policy: yp.Policy) -> None:
    """Unit ids, unit names, action ids and measure numbers are unique."""
    for values in (
        [b.id for b in policy.bureaus],
        [b.name.zh for b in policy.bureaus],
        [b.name.en for b in policy.bureaus],
        [a.id for a in policy.actions],
        [m.number for m in policy.measures],
    ):
        assert [v for v, c in Counter(values).items() if c > 1] == []


def test_action_ids_follow_measure_and_row(policy: yp.Policy) -> None:
    """An action's id is '<measure>.<row>' and its measure field agrees."""
    for m in policy.measures:
        assert [a.id for a in m.actions] == [
            f"{m.number}.{i}" for i in range(1, len(m.actions) + 1)
        ]
        assert {a.measure for a in m.actions} == {m.number}


def test_roles_match_the_text(policy: yp.Policy) -> None:
    """ASSIST exactly where the text opens with 配合; LEAD items exactly where they say 牵头."""
    for a in policy.actions:
        assert (a.role is yp.Role.ASSIST) == a.text.zh.startswith("配合"), a.id
        for i in a.items:
            assert (i.role is yp.Role.LEAD) == i.text.zh.startswith("牵头"), (a.id, i.number)
    finance_assists = [
        a.measure for a in policy.actions if a.bureau.id == "finance" and a.role is yp.Role.ASSIST
    ]
    assert finance_assists == [6, 12, 13, 15, 18]
    leads = [(a.id, i.number) for a in policy.actions for i in a.items if i.role is yp.Role.LEAD]
    assert leads == [("14.1", 2), ("19.1", 1)]


def test_items_match_the_numbered_text(policy: yp.Policy) -> None:
    """An action has items exactly when its text is numbered '1.'; numbering runs 1..n."""
    for a in policy.actions:
        assert bool(a.items) == a.text.zh.startswith("1."), a.id
        assert [i.number for i in a.items] == list(range(1, len(a.items) + 1))


def test_bureau_kinds(policy: yp.Policy) -> None:
    """Vertical agencies, people's organisations and the office are classified as such."""
    by_kind: dict[yp.BureauKind, set[str]] = {}
    for b in policy.bureaus:
        by_kind.setdefault(b.kind, set()).add(b.id)
    assert by_kind[yp.BureauKind.VERTICAL_AGENCY] == {"tax", "banking_insurance_regulation", "pboc"}
    assert by_kind[yp.BureauKind.PEOPLES_ORGANISATION] == {
        "trade_union",
        "industry_commerce_federation",
    }
    assert by_kind[yp.BureauKind.OFFICE] == {"civilization_office"}


def test_short_names_are_used_in_the_text(policy: yp.Policy) -> None:
    """Each recorded short name occurs in some action's text (市人社局 in measure 13)."""
    texts = "".join(a.text.zh for a in policy.actions)
    for b in policy.bureaus:
        for short in b.short_names:
            assert short in texts, (b.id, short)
    assert policy.bureau("hrss").short_names == ("市人社局",)


def test_references_are_kept(policy: yp.Policy) -> None:
    """Measure 13's finance action records that it assists 市人社局 (the HRSS bureau)."""
    (ref,) = policy.action("13.2").references
    assert (ref.mention, ref.kind, ref.bureau) == ("市人社局", yp.ReferenceKind.ASSISTS, "hrss")
    unresolved = {r.mention for a in policy.actions for r in a.references if r.bureau is None}
    assert "市就业和农民工工作领导小组办公室" in unresolved


@pytest.mark.parametrize(
    ("action_id", "printed", "corrected"),
    [("13.1", "新业形态", "新就业形态"), ("19.1", "难度", "难点")],
)
def test_errata_are_recorded_beside_the_verbatim_text(
    policy: yp.Policy, action_id: str, printed: str, corrected: str
) -> None:
    """A typo stays as printed in zh; its correction sits beside it as an erratum."""
    text = policy.action(action_id).text
    assert printed in text.zh
    assert (printed, corrected) in [(e.printed, e.corrected) for e in text.errata]
    assert corrected in text.corrected_zh


def test_all_errata_are_listed(policy: yp.Policy) -> None:
    """Exactly the two known typos are recorded, so a new one is a reviewed change."""
    errata = [(w, e.printed) for w, t in _all_texts(policy) for e in t.errata]
    assert sorted({e for _, e in errata}) == ["新业形态", "难度"]
