"""Notebook HTML (display.py) and the DataFrame helpers (frames.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from html import escape
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import yantai_policy as yp
from yantai_policy.audit import audit
from yantai_policy.benefits import (
    APPLICANT_BENEFITS,
    Clause,
    Condition,
    Decision,
    Line,
    ParameterUse,
    evaluate,
    evaluate_all,
)
from yantai_policy.display import bureau_html, decision_html, measure_html
from yantai_policy.frames import (
    actions_frame,
    bureaus_frame,
    decisions_frame,
    findings_frame,
    measures_frame,
    parameters_frame,
)
from yantai_policy.parameters import Source, SourceKind

if TYPE_CHECKING:
    from collections.abc import Mapping

ISSUED = dt.date(2021, 1, 11)
HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"
ALLOWED_TAGS = {
    "div",
    "h4",
    "p",
    "small",
    "span",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "strong",
    "ul",
    "li",
}
TAX_RECORD: Mapping[str, object] = {
    "id": "A1",
    "groups": ["graduate"],
    "business_type": "individual_business",
    "first_license_on": "2021-02-01",
    "tax_due": {"vat": "3000"},
}


class _Tags(HTMLParser):
    """Collects the start tags of a document and the text between them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def _hostile_text() -> yp.Text:
    return yp.Text(zh=HOSTILE, en=HOSTILE, errata=(yp.Erratum(HOSTILE, HOSTILE, HOSTILE),))


def _hostile_decision() -> Decision:
    text = _hostile_text()
    return Decision(
        benefit=HOSTILE,
        title=text,
        measure=6,
        record_id=HOSTILE,
        on=ISSUED,
        eligible=False,
        amount=None,
        reasons=(
            Condition(HOSTILE, text, held=False, clause=Clause(HOSTILE, measure=6), detail=HOSTILE),
        ),
        parameters=(
            ParameterUse(HOSTILE, HOSTILE, None, Source(SourceKind.ASSUMPTION, note=text)),
        ),
        lines=(Line(HOSTILE, text, Decimal("1.00"), counted=False, detail=HOSTILE),),
        notes=(text,),
        policy_sha256=HOSTILE,
    )


# ─── HTML ───────────────────────────────────────────────────────────────────────────


def test_measure_html_shows_the_measure_and_its_actions(policy: yp.Policy) -> None:
    """A measure's HTML holds its number, titles, provincial text and every action's row."""
    m = policy.measure(7)
    html = m._repr_html_()
    assert html == measure_html(m)
    for piece in (m.title.zh, m.title.en, m.provincial_text.zh, m.provincial_text.en):
        assert escape(piece) in html
    assert escape(str(m.source)) in html
    for a in m.actions:
        assert f"<td>{a.id}</td>" in html
        for piece in (a.bureau.name.zh, a.bureau.name.en, a.role.zh, a.role.en, a.text.zh):
            assert escape(piece) in html
        assert escape(a.text.en) in html
        assert f"{a.source.first_line}–{a.source.last_line}" in html
    assert html.count("<tr>") == len(m.actions) + 1  # the header row and one per action


def test_measure_html_notes_an_item_with_its_own_role(policy: yp.Policy) -> None:
    """Measure 14's second item takes the lead (牵头) though the action is 负责; the HTML says so."""
    html = policy.measure(14)._repr_html_()
    assert "item 2: 牵头 leads" in html


def test_measure_html_shows_errata(policy: yp.Policy) -> None:
    """An action's recorded typo appears with its correction."""
    action = next(a for a in policy.actions if a.text.errata)
    erratum = action.text.errata[0]
    html = policy.measure(action.measure)._repr_html_()
    assert f"printed “{escape(erratum.printed)}”, read “{escape(erratum.corrected)}”" in html


def test_every_measure_and_unit_renders_well_formed_html(policy: yp.Policy) -> None:
    """Every built-in measure and unit renders with only the expected tags."""
    for m in policy.measures:
        assert _parse(m._repr_html_()).tags <= ALLOWED_TAGS
    for b in policy.bureaus:
        assert _parse(b._repr_html_()).tags <= ALLOWED_TAGS


def test_bureau_html_shows_its_own_fields(policy: yp.Policy) -> None:
    """A unit's HTML has its id, both names, short names and kind, and says where its actions are."""
    b = policy.bureau("hrss")
    html = b._repr_html_()
    assert html == bureau_html(b)
    for piece in (
        "hrss",
        b.name.zh,
        b.name.en,
        "市人社局",
        "municipal_department",
        "市政府组成部门",
    ):
        assert escape(piece) in html
    assert "actions_frame" in html
    assert "—" in policy.bureau("finance")._repr_html_()  # no short names


def test_decision_html_shows_reasons_parameters_lines_and_sha(policy: yp.Policy) -> None:
    """A decision's HTML has the verdict, a ✓/✗ per reason with its clause, parameters, lines and sha256."""
    d = evaluate("tax_relief", TAX_RECORD, on=dt.date(2021, 6, 1), policy=policy)
    html = d._repr_html_()
    assert html == decision_html(d)
    assert escape(d.title.zh) in html
    assert escape(d.title.en) in html
    assert "eligible" in html
    assert f"{d.amount} 元 yuan" in html
    assert html.count("<td>✓</td>") == sum(r.held for r in d.reasons)
    assert html.count("<td>✗</td>") == sum(not r.held for r in d.reasons)
    for r in d.reasons:
        assert escape(r.text.en) in html
        assert escape(r.clause.cite("en")) in html
        assert f"「{escape(r.clause.excerpt)}」" in html
        assert escape(r.detail) in html
    for p in d.parameters:
        assert f"<code>{p.name}</code>" in html
        assert escape(p.source.cite("en")) in html
    for line in d.lines:
        assert escape(line.text.en) in html
        assert f"<td>{line.amount}</td>" in html
    assert "not part of the amount" in html  # the quota left over
    assert d.policy_sha256 in html
    assert _parse(html).tags <= ALLOWED_TAGS


def test_decision_html_ineligible_and_undetermined(policy: yp.Policy) -> None:
    """A failed condition shows ✗ and "not eligible"; an amount of None says it cannot be determined."""
    d = evaluate("startup_subsidy", {"id": "X"}, on=dt.date(2021, 6, 1), policy=policy)
    html = d._repr_html_()
    assert not d.eligible
    assert "not eligible" in html
    assert "<td>✗</td>" in html
    fee = evaluate("fee_exemptions", TAX_RECORD, on=dt.date(2021, 6, 1), policy=policy)
    assert fee.amount is None
    assert "cannot be determined" in fee._repr_html_()


def test_html_escapes_everything() -> None:
    """A <script> in any text, name or id is escaped, never emitted as markup."""
    text = _hostile_text()
    measure = yp.Measure(
        number=1,
        title=text,
        provincial_text=text,
        actions=(
            yp.Action(
                id=HOSTILE,
                measure=1,
                assignments=(
                    yp.Assignment(
                        yp.Bureau(HOSTILE, text, (HOSTILE,), yp.BureauKind.OFFICE), yp.Role.ASSIST
                    ),
                ),
                text=text,
                items=(),
                references=(),
                source=yp.SourceRef(HOSTILE, 1, 2),
            ),
        ),
        source=yp.SourceRef(HOSTILE, 1, 2),
    )
    bureau = yp.Bureau(HOSTILE, text, (HOSTILE,), yp.BureauKind.OFFICE)
    for html in (measure._repr_html_(), bureau._repr_html_(), _hostile_decision()._repr_html_()):
        assert "<script" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quoted&#x27;" in html
        parsed = _parse(html)
        assert parsed.tags <= ALLOWED_TAGS
        assert HOSTILE in "".join(parsed.text)  # the text survives, as text


# ─── DataFrames ─────────────────────────────────────────────────────────────────────


def _no_float(frame: pd.DataFrame) -> None:
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    assert floats == []


def test_actions_frame_agrees_with_the_model(policy: yp.Policy) -> None:
    """actions_frame has one row per action, in order, with the model's values."""
    df = actions_frame(policy)
    assert df.shape == (49, 12)
    assert list(df.columns) == [
        "measure",
        "measure_title_zh",
        "measure_title_en",
        "action",
        "bureau_id",
        "bureau_zh",
        "bureau_en",
        "role",
        "text_zh",
        "text_en",
        "first_line",
        "last_line",
    ]
    for column in ("measure", "first_line", "last_line"):
        assert df[column].dtype == "int64"
    rows = list(df.itertuples(index=False, name=None))
    expected = [
        (
            a.measure,
            policy.measure(a.measure).title.zh,
            policy.measure(a.measure).title.en,
            a.id,
            a.bureau.id,
            a.bureau.name.zh,
            a.bureau.name.en,
            a.role.value,
            a.text.zh,
            a.text.en,
            a.source.first_line,
            a.source.last_line,
        )
        for a in policy.actions
    ]
    assert rows == expected
    assert df.equals(actions_frame(policy))


def test_measures_frame_agrees_with_the_model(policy: yp.Policy) -> None:
    """measures_frame has the 20 measures in order, with action and unit counts."""
    df = measures_frame(policy)
    assert df.shape == (20, 9)
    assert df["measure"].tolist() == list(range(1, 21))
    assert df["title_en"].tolist() == [m.title.en for m in policy.measures]
    assert df["provincial_text_zh"].tolist() == [m.provincial_text.zh for m in policy.measures]
    assert df["actions"].tolist() == [len(m.actions) for m in policy.measures]
    assert df["bureaus"].tolist() == [len(m.bureaus) for m in policy.measures]
    assert df["actions"].sum() == 49
    seven = df.set_index("measure").loc[7]
    assert (seven["first_line"], seven["last_line"]) == (377, 441)
    assert df["actions"].dtype == "int64"


def test_bureaus_frame_agrees_with_the_model(policy: yp.Policy) -> None:
    """bureaus_frame has the 20 units in table order with their action and measure counts."""
    df = bureaus_frame(policy)
    assert df.shape == (20, 7)
    assert list(df.columns) == [
        "bureau_id",
        "name_zh",
        "name_en",
        "short_names",
        "kind",
        "actions",
        "measures",
    ]
    assert df["bureau_id"].tolist() == [b.id for b in policy.bureaus]
    assert df["kind"].tolist() == [b.kind.value for b in policy.bureaus]
    for row in df.itertuples(index=False):
        mine = [a for a in policy.actions if a.bureau.id == row.bureau_id]
        assert row.actions == len(mine)
        assert row.measures == len({a.measure for a in mine})
    assert df["actions"].sum() == 49
    hrss = df.set_index("bureau_id").loc["hrss"]
    assert hrss["short_names"] == "市人社局"
    assert hrss["actions"] == 16
    assert df.set_index("bureau_id").loc["finance", "short_names"] == ""


def _history_rows(policy: yp.Policy) -> int:
    """The rows of a parameter history: one per dated value, one for a parameter without any."""
    return sum(max(1, len(policy.parameters[n].values)) for n in policy.parameters)


def test_parameters_frame_cites_each_values_own_source(policy: yp.Policy) -> None:
    """A value with its own dated source cites it, in the history and on a day it is in force."""
    quota = policy.parameters["tax_relief.annual_quota"]
    assert quota.sources
    dates = [since for since, _ in quota.values]  # noqa: PD011 - Parameter.values, not pandas
    history = parameters_frame(policy)
    rows = history[history["name"] == quota.name]
    assert rows["effective"].tolist() == dates
    assert rows["source"].tolist() == [quota.source_at(since).cite("en") for since in dates]
    assert len(set(rows["source"])) == len(dates)
    on = dt.date(2024, 3, 1)
    today = parameters_frame(policy, on).set_index("name").loc[quota.name]
    assert today["source"] == quota.source_at(on).cite("en")
    assert today["source_kind"] == quota.source_at(on).kind.value


def test_parameters_frame_history(policy: yp.Policy) -> None:
    """Without a day, parameters_frame lists every dated value, sorted by name, with sources."""
    df = parameters_frame(policy)
    assert df.shape == (_history_rows(policy), 9)  # a row per dated value, or one for none
    assert df["name"].tolist() == sorted(df["name"].tolist())
    assert set(df["name"]) == set(policy.parameters)
    _no_float(df)
    amount = df.set_index("name").loc["startup_subsidy.amount"]
    assert amount["value"] == "5000.00"
    assert amount["exact"] == Decimal("5000.00")
    assert type(amount["exact"]) is Decimal
    assert amount["effective"] == ISSUED
    assert amount["unit"] == "yuan"
    assert amount["source_kind"] == "notice"
    assert amount["source"] == policy.parameters["startup_subsidy.amount"].source.cite("en")
    rate = df.set_index("name").loc["social_insurance_subsidy.rate"]
    assert (rate["value"], rate["exact"]) == ("65%", Fraction(13, 20))
    standard = df.set_index("name").loc["labour_intermediary_subsidy.standard"]
    assert standard["value"] == "none"
    assert standard["exact"] is None
    assert standard["effective"] is None
    assert df["exact"].dtype == object
    yuan = df[df["unit"] == "yuan"]["exact"].dropna().tolist()
    assert yuan
    assert all(type(v) is Decimal for v in yuan)


def test_parameters_frame_on_a_day_and_after_a_reform(policy: yp.Policy) -> None:
    """With a day, one row per parameter holds the value then in force; a reform's values show dated."""
    before = parameters_frame(policy, dt.date(2020, 12, 31))
    assert before.shape == (len(policy.parameters), 9)
    assert set(before["value"]) == {"none"}
    reform = policy.with_parameters(
        {"startup_subsidy.amount": {"2021-01-11": "5000", "2022-01-01": "6000"}}
    )
    history = parameters_frame(reform)
    assert history.shape == (_history_rows(policy) + 1, 9)
    rows = history[history["name"] == "startup_subsidy.amount"]
    assert rows["exact"].tolist() == [Decimal("5000.00"), Decimal("6000.00")]
    assert rows["effective"].tolist() == [ISSUED, dt.date(2022, 1, 1)]
    assert set(rows["source_kind"]) == {"reform"}
    later = parameters_frame(reform, dt.date(2022, 6, 1)).set_index("name")
    assert later.loc["startup_subsidy.amount", "value"] == "6000.00"
    assert later.loc["startup_subsidy.amount", "effective"] == dt.date(2022, 1, 1)


def test_decisions_frame_agrees_with_the_decisions(policy: yp.Policy) -> None:
    """decisions_frame has one row per decision, amounts as Decimal (or None), never float."""
    decisions = evaluate_all(TAX_RECORD, on=dt.date(2021, 6, 1), policy=policy)
    df = decisions_frame(decisions)
    assert df.shape == (len(APPLICANT_BENEFITS), 7)
    assert list(df.columns) == [
        "benefit",
        "measure",
        "record_id",
        "on",
        "eligible",
        "amount",
        "policy_sha256",
    ]
    assert df["benefit"].tolist() == list(APPLICANT_BENEFITS)
    assert df["amount"].tolist() == [d.amount for d in decisions.values()]
    assert df["eligible"].tolist() == [d.eligible for d in decisions.values()]
    assert df["amount"].dtype == object
    assert df["eligible"].dtype == bool
    _no_float(df)
    assert all(v is None or type(v) is Decimal for v in df["amount"])
    assert None in df["amount"].tolist()  # fee_exemptions: cannot be determined
    assert set(df["on"]) == {dt.date(2021, 6, 1)}
    assert set(df["policy_sha256"]) == {policy.data_sha256}
    assert df.equals(decisions_frame(list(decisions.values())))


def test_decisions_frame_empty() -> None:
    """No decisions give an empty frame that still has the columns."""
    df = decisions_frame([])
    assert df.shape == (0, 7)
    assert df["amount"].dtype == object


def test_findings_frame_agrees_with_the_report(policy: yp.Policy) -> None:
    """findings_frame has one row per finding, in report order, and the report's counts."""
    report = audit(policy)
    df = findings_frame(report)
    assert df.shape == (len(report.findings), 6)
    assert list(df.columns) == [
        "code",
        "severity",
        "subject",
        "message_zh",
        "message_en",
        "evidence",
    ]
    assert df["subject"].tolist() == [f.subject for f in report.findings]
    assert df["message_en"].tolist() == [f.message.en for f in report.findings]
    counts = df["severity"].value_counts().to_dict()
    assert {s: counts.get(s, 0) for s in report.counts()} == report.counts()


def test_frames_without_pandas_name_the_extra(
    policy: yp.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pandas, a frame function raises ImportError naming the analysis extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'yantai-policy\[analysis\]'"):
        actions_frame(policy)


# ─── Import cost ────────────────────────────────────────────────────────────────────


def _modules_after(code: str) -> list[str]:
    probe = (
        f"import sys, yantai_policy as yp; {code}; "
        "print(*(m in sys.modules for m in "
        "('pandas', 'yantai_policy.display', 'yantai_policy.frames')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_import_does_not_load_display_frames_or_pandas() -> None:
    """Importing yantai_policy and loading the plan load neither display, frames nor pandas."""
    assert _modules_after("p = yp.load_policy(); p.measure(7); p.bureau('hrss')") == [
        "False",
        "False",
        "False",
    ]


def test_repr_html_loads_display_but_not_pandas() -> None:
    """Showing a measure as HTML loads display.py, and still not pandas or frames."""
    assert _modules_after("yp.load_policy().measure(7)._repr_html_()") == [
        "False",
        "True",
        "False",
    ]


def test_policy_and_report_to_dataframe(policy: yp.Policy) -> None:
    """policy.to_dataframe() and report.to_dataframe() are the actions and findings frames."""
    from yantai_policy.audit import audit  # noqa: PLC0415

    actions = policy.to_dataframe()
    assert len(actions) == len(policy.actions)
    assert list(actions["action"]) == [a.id for a in policy.actions]
    report = audit(policy)
    findings = report.to_dataframe()
    assert list(findings["code"]) == [f.code for f in report.findings]
