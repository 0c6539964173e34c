"""Synthetic plans, N times the size of the Yantai plan, for benchmarks."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from yantai_policy.loading import policy_from_dict, read_data_file

if TYPE_CHECKING:
    from yantai_policy.model import Policy

ROLES = ("responsible", "responsible", "responsible", "assist", "lead")


def synthetic_plan(scale: int = 100, seed: int = 2021) -> Policy:
    """Return a plan with 20*scale measures, about 49*scale actions and 5*scale units.

    The notice, provenance and texts are the built-in plan's; the structure is random
    but fixed by ``seed``.
    """
    import json  # noqa: PLC0415

    base: dict[str, Any] = json.loads(read_data_file("yantai-2021-3.json"))
    base.pop("parameters", None)  # their excerpts quote the real measures, which are replaced
    base.pop("later_units", None)  # the successors of units that are replaced
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not cryptography
    n_units = 5 * scale
    base["bureaus"] = [
        {
            "id": f"unit_{i}",
            "name": {"zh": f"市第{i}局", "en": f"Bureau {i}"},
            "kind": "municipal_department",
        }
        for i in range(n_units)
    ]
    text = {"zh": "做好相关工作。", "en": "Do the relevant work."}
    measures = []
    remaining = 49 * scale
    n_measures = 20 * scale
    for number in range(1, n_measures + 1):
        left = n_measures - number
        count = (
            remaining - left if left == 0 else min(remaining - left, rng.choice((1, 2, 2, 3, 4)))
        )
        remaining -= count
        measures.append(
            {
                "number": number,
                "lines": [1, 1],
                "title": text,
                "provincial_text": text,
                "tasks": [
                    {
                        "id": f"{number}.{row}",
                        "assignments": [
                            {"unit": f"unit_{rng.randrange(n_units)}", "role": rng.choice(ROLES)}
                        ],
                        "lines": [1, 1],
                        "text": text,
                    }
                    for row in range(1, count + 1)
                ],
            }
        )
    base["measures"] = measures
    return policy_from_dict(base, file=f"<synthetic x{scale}>")
