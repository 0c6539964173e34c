"""The request bodies of the OpenAPI document, from the library's own definitions.

Litestar describes a handler's body from its annotation, and ours take plain JSON
objects that the library checks itself. So the document states each body here, built
from where its rules are stated once: the record contract's JSON Schemas
(`yantai_policy.benefits.records`), the plan's task and unit ids, the ledger's statuses
(`yantai_policy.ledger.model.Status`) and free-text bounds
(`yantai_policy.ledger.rules.WORD_LIMITS`, `MAX_EVIDENCE`). What a schema cannot say (a
report dated in the future, a task the unit does not hold) the ledger refuses with 422.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from yantai_policy.benefits.records import applicant_schema, placement_schema
from yantai_policy.ledger.model import Status
from yantai_policy.ledger.rules import MAX_EVIDENCE, WORD_LIMITS

if TYPE_CHECKING:
    from yantai_policy.model import Policy

__all__ = ["XLSX", "describe_bodies"]

Schema = dict[str, Any]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""The media type of an xlsx workbook."""

_DAY = r"^\d{4}-\d{2}-\d{2}$"
"""A date key, YYYY-MM-DD."""

_DATE: Schema = {"type": "string", "format": "date", "description": "YYYY-MM-DD"}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _record(schema: Schema) -> Schema:
    """A record's JSON Schema as a component (its ``$schema`` and ``$id`` are the file's)."""
    return {k: v for k, v in schema.items() if k not in {"$schema", "$id"}}


def _words(field: str) -> Schema:
    return {"type": "string", "maxLength": WORD_LIMITS[field]}


def _components(policy: Policy) -> dict[str, Schema]:
    tasks: Schema = {
        "type": "string",
        "enum": [a.id for a in policy.actions],
        "description": "a task's id",
    }
    units: Schema = {"type": "string", "enum": [b.id for b in policy.bureaus],
                     "description": "a unit's id (its names are taken too)"}  # fmt: skip
    office = {"task": tasks, "on": _DATE, "by": _words("by")}
    return {
        "ApplicantRecord": _record(applicant_schema()),
        "PlacementRecord": _record(placement_schema()),
        "LedgerReport": {
            "type": "object",
            "required": ["task", "unit", "status", "on"],
            "properties": {
                "task": tasks,
                "unit": units,
                "status": {"type": "string", "enum": [s.value for s in Status]},
                "on": _DATE,
                "text": _words("text"),
                "text_en": _words("text_en"),
                "evidence": {
                    "type": "array",
                    "items": _words("evidence"),
                    "maxItems": MAX_EVIDENCE,
                },
                "by": _words("by"),
                "key": _words("key"),
                "supersedes": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "the entry this one corrects",
                },
            },
        },
        "Reminder": {
            "type": "object",
            "required": ["task", "unit", "on"],
            "properties": {
                **office,
                "unit": units,
                "text": _words("text"),
                "text_en": _words("text_en"),
            },
        },
        "CloseOut": {
            "type": "object",
            "required": ["task", "on", "reason"],
            "properties": {**office, "reason": _words("reason")},
        },
        "Reopening": {
            "type": "object",
            "required": ["task", "on", "reason"],
            "properties": {**office, "reason": _words("reason")},
        },
        "Deadline": {
            "type": "object",
            "required": ["task", "on", "deadline", "reason"],
            "properties": {**office, "deadline": _DATE, "reason": _words("reason")},
        },
        "Delegation": {
            "type": "object",
            "required": ["task", "unit", "on", "reason"],
            "properties": {**office, "unit": units, "reason": _words("reason")},
        },
        "Reform": {
            "type": "object",
            "required": ["overrides"],
            "additionalProperties": False,
            "properties": {
                "overrides": {
                    "type": "object",
                    "propertyNames": {"enum": sorted(policy.parameters.by_name)},
                    "additionalProperties": {  # a value, or {date: value} (null ends one)
                        "anyOf": [
                            {"type": ["string", "number", "null"]},
                            {
                                "type": "object",
                                "patternProperties": {_DAY: {"type": ["string", "number", "null"]}},
                                "additionalProperties": False,
                            },
                        ]
                    },
                    "description": 'parameter name to value, as the plan file writes it: "6000.50", "50%", 36',
                },
                # A batch: a record that breaks the contract is an error row, not a refusal.
                "records": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "applicant records (ApplicantRecord); a bad one is an error row",
                },
                "record": {
                    "type": "object",
                    "description": "one more applicant record, after the list",
                },
                "benefits": {"type": ["array", "null"], "items": {"type": "string"}},
            },
        },
    }


_BODIES = {
    ("/v1/benefits/{name}/evaluate", "post"): {
        "oneOf": [_ref("ApplicantRecord"), _ref("PlacementRecord")]
    },
    ("/v1/evaluate", "post"): _ref("ApplicantRecord"),
    ("/v1/compare", "post"): _ref("Reform"),
    ("/v1/ledger/reports", "post"): _ref("LedgerReport"),
    ("/v1/ledger/reminders", "post"): _ref("Reminder"),
    ("/v1/ledger/close-outs", "post"): _ref("CloseOut"),
    ("/v1/ledger/reopenings", "post"): _ref("Reopening"),
    ("/v1/ledger/deadlines", "post"): _ref("Deadline"),
    ("/v1/ledger/delegations", "post"): _ref("Delegation"),
}
"""Each JSON body, by path and method."""


def describe_bodies(document: dict[str, Any], policy: Policy) -> None:
    """State every request body of ``document`` (an OpenAPI 3.1 dict), in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_components(policy))
    paths = document["paths"]
    for (path, method), schema in _BODIES.items():
        paths[path][method]["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    sheet = paths["/v1/ledger/sheet"]["get"]["responses"]["200"]
    sheet["content"] = {
        "text/csv": {"schema": {"type": "string", "description": "UTF-8 with a BOM"}},
        XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}},
    }
    paths["/v1/evaluate/batch"]["post"]["requestBody"] = {
        "required": True,
        "description": "one record per line (JSON Lines); a bad line is an error row in its place",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
