"""The record contract is one table: its page is current, and the classes and schemas follow it."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from yantai_policy.benefits import records
from yantai_policy.benefits.records import (
    APPLICANT_CONTRACT,
    PLACEMENT_CONTRACT,
    Applicant,
    Placement,
)
from yantai_policy.benefits.records_page import COMMAND, records_markdown

PAGE = Path(__file__).resolve().parent.parent / "docs" / "records.md"


def test_page_is_current() -> None:
    """The committed page equals the one generated from the contract's table."""
    assert PAGE.read_text(encoding="utf-8") == records_markdown(), (
        f"docs/records.md is stale: regenerate it with `{COMMAND}`"
    )


def test_page_names_every_field_key_and_value() -> None:
    """Every field, nested key and allowed value of both tables appears on the page."""
    page = records_markdown()
    for field in (*APPLICANT_CONTRACT, *PLACEMENT_CONTRACT):
        assert f"| `{field.name}` |" in page, field.name
        for value in field.choices:
            assert f"`{value}`" in page, value
        for sub in field.shape:
            assert f"`{field.name}.{sub.name}`" in page or f"`{field.name}[].{sub.name}`" in page
            for value in sub.choices:
                assert f"`{value}`" in page, value


@pytest.mark.parametrize(
    ("cls", "table"), [(Applicant, APPLICANT_CONTRACT), (Placement, PLACEMENT_CONTRACT)]
)
def test_classes_have_the_tables_fields(cls: type, table: tuple[records.Field, ...]) -> None:
    """The parsed classes hold exactly the table's fields, in its order, and the extras."""
    names = [a.name for a in attrs.fields(cls)]
    assert names == [f.name for f in table] + ["extra"]


def test_schema_properties_are_the_tables_fields() -> None:
    """The JSON Schemas list the table's fields and, for objects, its keys and required keys."""
    for schema, table in (
        (records.applicant_schema(), APPLICANT_CONTRACT),
        (records.placement_schema(), PLACEMENT_CONTRACT),
    ):
        assert list(schema["properties"]) == [f.name for f in table]
        for field in table:
            if field.kind == "object":
                obj = schema["properties"][field.name]["anyOf"][0]
                assert list(obj["properties"]) == [sub.name for sub in field.shape]
                assert obj["required"] == [sub.name for sub in field.shape if sub.required]
