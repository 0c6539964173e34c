"""Money is exact whatever the caller's decimal context (issue 11, item 8).

Each path runs once in the default context and once in each hostile one, and the
results must be equal to the fen: the library's Decimal operations name their own
context (`yantai_policy.parameters.EXACT`), never `decimal.getcontext()`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest

import yantai_policy as yp
from yantai_policy import benefits
from yantai_policy.benefits import batch_io
from yantai_policy.benefits.decision import Decision
from yantai_policy.benefits.frame import evaluate_frame
from yantai_policy.benefits.periods import fen_to_yuan
from yantai_policy.benefits.records import MAX_YUAN, parse_applicant, parse_fen
from yantai_policy.export import to_json
from yantai_policy.loading import policy_from_dict
from yantai_policy.parameters import EXACT, Unit, parse_value

ON = dt.date(2021, 9, 1)

HOSTILE = {
    "prec=3": decimal.Context(prec=3),
    "ROUND_FLOOR": decimal.Context(prec=5, rounding=decimal.ROUND_FLOOR),
    "ROUND_DOWN": decimal.Context(prec=4, rounding=decimal.ROUND_DOWN),
    "traps": decimal.Context(
        traps=[
            decimal.Inexact,
            decimal.Rounded,
            decimal.FloatOperation,
            decimal.Clamped,
            decimal.Subnormal,
            decimal.Underflow,
            decimal.InvalidOperation,
            decimal.DivisionByZero,
            decimal.Overflow,
        ]
    ),
    "small Emax": decimal.Context(prec=28, Emax=3, Emin=-3),
    "everything": decimal.Context(
        prec=1,
        rounding=decimal.ROUND_05UP,
        Emax=1,
        Emin=-1,
        capitals=0,
        clamp=1,
        traps=[decimal.Inexact, decimal.Rounded, decimal.FloatOperation],
    ),
}

RECORDS: list[dict[str, Any]] = [
    {
        "id": "A1",
        "groups": ["graduate", "hard_to_employ"],
        "left_school_on": "2020-07-01",
        "flexible_since": "2021-03-10",
        "business_type": "individual_business",
        "first_license_on": "2021-01-15",
        "operating": True,
        "pays_employee_insurance": True,
        "contributions": [
            {"month": "2021-03", "amount": "512.33"},
            {"month": "2021-04", "amount": Decimal("1234567.89")},
            {"month": "2021-05", "amount": 987.65},
        ],
        "accident_premiums": [{"paid_on": "2021-03-01", "amount": Decimal("77.77")}],
        "tax_due": {"vat": "123456.78", "urban_maintenance": Decimal("9999.99")},
        "loan": {"kind": "individual", "amount": Decimal("199999.99")},
    },
    {
        "id": 2,
        "groups": ["graduate"],
        "left_school_on": "2020-06-30",
        "flexible_since": "2021-02-01",
        "contributions": [
            {"month": "2021-02", "amount": Decimal("90071992547.41")},
            {"month": "2021-03", "amount": "0.01"},
        ],
        "tax_due": {"vat": 0.1},
    },
]


def _everything() -> dict[str, Any]:
    """Every money path's result, as text or exact values."""
    policy = yp.load_policy()
    reform = policy.with_parameters(
        {"startup_subsidy.amount": Decimal("5000.01"), "social_insurance_subsidy.rate": "0.6"}
    )
    out: dict[str, Any] = {}
    for i, record in enumerate(RECORDS):
        decisions = benefits.evaluate_all(record, on=ON, policy=policy)
        for name, d in decisions.items():
            data = d.to_dict()
            out[f"{i}.{name}.dict"] = json.dumps(data, sort_keys=True)
            out[f"{i}.{name}.amount"] = d.amount
            out[f"{i}.{name}.explain"] = (d.explain(), d.explain("zh"))
            out[f"{i}.{name}.roundtrip"] = Decision.from_dict(data) == d
        out[f"{i}.reform"] = benefits.evaluate("startup_subsidy", record, on=ON, policy=reform)
    batch = list(benefits.evaluate_many(RECORDS, on=ON, policy=policy))
    out["many"] = [(r.row, r.error, [(o, o.amount) for o in r.outcomes or ()]) for r in batch]
    out["compare"] = benefits.compare(RECORDS, policy, reform, on=ON).to_text()
    frame = evaluate_frame(pd.DataFrame(RECORDS), ON, policy=policy)
    out["frame"] = frame.to_dict("list")
    line = (  # JSON numbers with a fraction: the JSONL reader makes them Decimals
        '{"id": "J1", "contributions": [{"month": "2021-03", "amount": 1234567.89}],'
        ' "tax_due": {"vat": 90071992547409.91}, "loan": {"kind": "individual", "amount": 0.10}}'
    )
    decoded = batch_io.decode_jsonl(line)
    assert isinstance(decoded, dict)
    out["jsonl"] = parse_applicant(decoded)
    out["fen"] = [
        parse_fen(v, "amount")
        for v in ("512.30", 7, 0.1, Decimal("1.000"), Decimal("90071992547409.91"), 1e13)
    ]
    out["yuan"] = [fen_to_yuan(f) for f in (0, 1, 66599, 2**53 - 1)]
    out["values"] = [
        parse_value(Unit.YUAN, v) for v in ("5000", Decimal("12345678901234.56"), 7)
    ] + [parse_value(Unit.RATIO, v) for v in ("0.65", "65.5%", "2/3", Decimal("0.123456789"))]
    plan = json.loads(to_json(reform))
    out["plan"] = plan["parameters"]
    out["reloaded"] = policy_from_dict(plan).parameters.by_name
    schedule = benefits.pension_contribution_schedule(
        2021, "monthly", "4567.89", lower="3000", upper="20000.01"
    )
    out["pension"] = (schedule.total, [p.amount for p in schedule.periods])
    return out


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    """Every path's result in the default context."""
    with decimal.localcontext(decimal.Context()):
        return _everything()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_money_is_the_same_in_a_hostile_decimal_context(
    name: str, expected: dict[str, Any]
) -> None:
    """Evaluate, batches, frames, explain, parsing, reforms and exports agree to the fen."""
    with decimal.localcontext(HOSTILE[name]):
        got = _everything()
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == value, key


def test_the_paths_produce_non_trivial_money(expected: dict[str, Any]) -> None:
    """The comparison above compares amounts that a low-precision context would round."""
    paid = parse_fen("90071992547.41", "amount") + 1  # 11 digits of yuan, and a fen
    rate = yp.load_policy().parameters["social_insurance_subsidy.rate"].at(ON)
    assert isinstance(rate, Fraction)
    half_up = (2 * paid * rate.numerator + rate.denominator) // (2 * rate.denominator)
    assert expected["1.social_insurance_subsidy.amount"] == fen_to_yuan(half_up)
    assert len(str(fen_to_yuan(half_up)).replace(".", "")) > 12
    assert expected["fen"][4] == 2**53 - 1


@pytest.mark.parametrize("name", list(HOSTILE))
def test_parse_fen_refuses_the_same_amounts_in_a_hostile_context(name: str) -> None:
    """Too many places, NaN and the non-numeric are refused with the same message."""
    bad: list[object] = [Decimal("1.001"), Decimal("NaN"), Decimal("sNaN"), Decimal(-1), 0.001]
    messages = []
    for value in bad:
        with pytest.raises(benefits.RecordError) as default:
            parse_fen(value, "amount")
        messages.append(str(default.value))
    with decimal.localcontext(HOSTILE[name]):
        for value, message in zip(bad, messages, strict=True):
            with pytest.raises(benefits.RecordError) as hostile:
                parse_fen(value, "amount")
            assert str(hostile.value) == message


def test_exact_context_takes_nothing_from_the_default_context() -> None:
    """A changed `decimal.DefaultContext` before import leaves EXACT and the bounds exact."""
    script = (
        "import decimal\n"
        "decimal.DefaultContext.prec = 3\n"
        "decimal.DefaultContext.rounding = decimal.ROUND_FLOOR\n"
        "decimal.DefaultContext.traps[decimal.Inexact] = True\n"
        "decimal.setcontext(decimal.DefaultContext.copy())\n"
        "from yantai_policy.parameters import EXACT\n"
        "from yantai_policy.benefits.records import MAX_YUAN\n"
        "print(MAX_YUAN, EXACT.rounding, EXACT.traps[decimal.Inexact])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [str(MAX_YUAN), "ROUND_HALF_UP", "False"]
    assert str(MAX_YUAN) == "90071992547409.91"
    assert EXACT.rounding == decimal.ROUND_HALF_UP
