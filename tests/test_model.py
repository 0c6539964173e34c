"""The typed model: lookups, roles, text helpers and immutability."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import yantai_policy as yp


@pytest.mark.parametrize(
    "name",
    [
        "finance",
        "FINANCE",
        "市财政局",
        "财政局",
        " 财政局 ",
        "Yantai Municipal Finance Bureau",
        "yantai municipal finance bureau",
    ],
)
def test_bureau_lookup_accepts_every_name(policy: yp.Policy, name: str) -> None:
    """A unit is found by id, full name, name without 市, or English name, case-insensitively."""
    assert policy.bureau(name).id == "finance"


def test_bureau_lookup_by_short_name(policy: yp.Policy) -> None:
    """The short name the text uses (市人社局) finds the HRSS bureau."""
    assert policy.bureau("市人社局") is policy.bureau("市人力资源社会保障局")
    assert policy.bureau("人社局").id == "hrss"


def test_unknown_bureau_lists_close_matches(policy: yp.Policy) -> None:
    """An unknown unit raises UnknownNameError (a LookupError) naming close matches."""
    with pytest.raises(yp.UnknownNameError) as info:
        policy.bureau("市财政厅")
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, yp.PolicyError)
    assert "市财政局" in info.value.suggestions
    assert "did you mean" in str(info.value)
    assert "市财政厅" in str(info.value)


@pytest.mark.parametrize("number", [0, 21, -1])
def test_unknown_measure(policy: yp.Policy, number: int) -> None:
    """A measure number outside the plan raises UnknownNameError with the valid range."""
    with pytest.raises(yp.UnknownNameError, match=r"measures 1-20"):
        policy.measure(number)


def test_measure_and_action_lookup(policy: yp.Policy) -> None:
    """measure(n) and action(id) return the objects in the tuples."""
    assert policy.measure(7) is policy.measures[6]
    assert policy.action("7.3").bureau.id == "pboc"
    with pytest.raises(yp.UnknownNameError):
        policy.action("7.9")


def test_measure_seven_has_three_units(policy: yp.Policy) -> None:
    """Measure 7 (loan interest subsidies) is co-owned by finance, HRSS and the PBOC branch."""
    m = policy.measure(7)
    assert m.title.zh == "提供贷款贴息"
    assert [b.id for b in m.bureaus] == ["finance", "hrss", "pboc"]
    assert all(a.measure == 7 for a in m.actions)


def test_role_terms() -> None:
    """Each role pairs its Chinese term with an English gloss."""
    assert [(r.zh, r.en) for r in yp.Role] == [
        ("牵头", "leads"),
        ("配合", "assists"),
        ("负责", "responsible"),
    ]


def test_action_roles_include_item_roles(policy: yp.Policy) -> None:
    """Measure 14's HRSS action is responsible overall and leads in item 2."""
    action = policy.action("14.1")
    assert action.role is yp.Role.RESPONSIBLE
    assert action.items[1].role is yp.Role.LEAD
    assert action.roles == {yp.Role.RESPONSIBLE, yp.Role.LEAD}


def test_text_get_and_str() -> None:
    """Text.get picks a language; str() is the Chinese; a bad language is a ValueError."""
    text = yp.Text("配合", "assist")
    assert (text.get("zh"), text.get("en"), str(text)) == ("配合", "assist", "配合")
    with pytest.raises(ValueError, match="lang"):
        text.get("fr")


def test_objects_are_frozen(policy: yp.Policy) -> None:
    """Model objects cannot be changed after loading."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.measure(1).number = 2  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.bureaus[0].name = yp.Text("x", "y")  # type: ignore[misc]
    assert isinstance(policy.measures, tuple)
    assert isinstance(policy.actions, tuple)


def test_policy_equality_ignores_indexes(
    policy: yp.Policy, plan_text: str, tmp_path: object
) -> None:
    """Two loads of the same file are equal, and the caches do not take part."""
    path = Path(str(tmp_path)) / "plan.json"
    path.write_text(plan_text, encoding="utf-8")
    again = yp.load_policy(path)
    assert again == policy
    assert again is not policy
    assert again.data_sha256 == policy.data_sha256


def test_source_ref_str(policy: yp.Policy) -> None:
    """A SourceRef says which document and lines an object comes from."""
    assert str(policy.action("13.2").source) == "烟政办字〔2021〕3号, line 607"
    assert str(policy.measure(1).source).startswith("烟政办字〔2021〕3号, lines 104-")


def test_policy_iterates_over_measures(policy: yp.Policy) -> None:
    """Iterating a policy yields its measures; len is their number."""
    assert list(policy) == list(policy.measures)
    assert len(policy) == 20
