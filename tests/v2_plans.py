"""A small v2 plan with shared tasks, built from other-city.toml, for the query and audit tests."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

OTHER_CITY = Path(__file__).parent / "data" / "other-city.toml"


def shared_plan() -> dict[str, Any]:
    """Return a v2 plan with shared tasks, deadlines and a merged unit.

    Task 1.1 has one lead and two assistants and a dated deadline; 1.2 is shared with
    no lead and has an open deadline (长期坚持); 2.1 has two leads; 2.2 is the merged
    unit's alone.
    """
    data: dict[str, Any] = tomllib.loads(OTHER_CITY.read_text("utf-8"))
    data["format_version"] = 2
    data["bureaus"] += [
        {
            "id": "edu",
            "name": {"zh": "示例市教育局", "en": "Example Education Bureau"},
            "kind": "municipal_department",
        },
        {
            "id": "old",
            "name": {"zh": "示例市旧局", "en": "Example Old Bureau"},
            "kind": "vertical_agency",
            "events": [
                {
                    "kind": "merged_into",
                    "on": dt.date(2023, 7, 20),
                    "into": ["new"],
                    "source": {"note": "a test fact", "assumption": True},
                }
            ],
        },
    ]
    data["later_units"] = [
        {
            "id": "new",
            "name": {"zh": "示例市新局", "en": "Example New Bureau"},
            "kind": "vertical_agency",
        }
    ]
    measure = data["measures"][0]
    template = measure.pop("actions")[0]
    del template["bureau"]
    template.pop("role", None)
    template.pop("references", None)

    def task(task_id: str, assignments: list[tuple[str, str]], **extra: object) -> dict[str, Any]:
        out: dict[str, Any] = copy.deepcopy(template)
        out["id"] = task_id
        out["assignments"] = [{"unit": u, "role": r} for u, r in assignments]
        out.update(extra)
        return out

    measure["tasks"] = [
        task(
            "1.1",
            [("labour", "lead"), ("money", "assist"), ("edu", "assist")],
            deadline=dt.date(2022, 12, 31),
        ),
        task("1.2", [("money", "responsible"), ("edu", "responsible")], deadline="长期坚持"),
    ]
    second = copy.deepcopy(measure)
    second["number"] = 2
    second["tasks"] = [
        task("2.1", [("labour", "lead"), ("old", "lead")]),
        task("2.2", [("old", "responsible")], deadline=dt.date(2030, 1, 1)),
    ]
    data["measures"].append(second)
    return data
