"""What if the social-insurance subsidy rate changed? A costing over the sample register.

For: a policy analyst at the 财政局 (finance bureau) or 人社局 who has to cost a change in
the rate of the measure-17 social-insurance subsidy (65% of contributions in the notice,
never above the provincial cap of 2/3) before it is proposed.

Run it::

    python examples/what_if_rate.py

It reads ``applicants.csv`` beside this script, builds two reforms of the plan with
``policy.with_parameters`` (the rate cut to 60%, and raised to the cap, 2/3: the cap
itself, so ``allow_above_cap`` is not needed), runs each against the notice's 65% with
[`yantai_policy.benefits.compare`][yantai_policy.benefits.compare] on 2021-07-16, and prints the eligible counts, the
totals, the cost difference and the applicants whose subsidy changes. A reform can also
be written to a plan file and evaluated with ``yantai-policy evaluate --plan PATH``.
"""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
from typing import TYPE_CHECKING

import yantai_policy as yp
from yantai_policy import benefits
from yantai_policy.benefits.records import applicant_from_csv_row, parse_applicant

if TYPE_CHECKING:
    from collections.abc import Mapping

APPLICANTS = pathlib.Path(__file__).with_name("applicants.csv")
"""The sample register shipped beside this script."""
ON = dt.date(2021, 7, 16)
"""The day of application."""
RATE = "social_insurance_subsidy.rate"
REFORMS = {"cut to 60%": "60%", "raised to the cap, 2/3": "2/3"}
"""The reforms: a label and the new rate (a percentage or an exact fraction)."""


def parse_row(row: Mapping[str, str | None]) -> benefits.Applicant:
    """Turn one CSV row into an applicant (a bad cell becomes that row's error)."""
    return parse_applicant(applicant_from_csv_row(row))


def main() -> int:
    """Cost each reform against the notice and print the comparison."""
    with APPLICANTS.open(encoding="utf-8-sig", newline="") as source:
        records = list(csv.DictReader(source))  # read once, compared under every reform
    baseline = yp.load_policy()
    print(f"social-insurance subsidy, {len(records)} applicants, on {ON.isoformat()}")
    print(f"baseline: rate {baseline.parameters[RATE].render(baseline.parameters[RATE].at(ON))}")
    for label, rate in REFORMS.items():
        reform = baseline.with_parameters({RATE: rate})
        result = benefits.compare(
            records,
            baseline,
            reform,
            on=ON,
            benefits=["social_insurance_subsidy"],
            parse=parse_row,
        )
        (b,) = result.benefits
        print()
        print(f"reform: rate {label}")
        print(f"  eligible:        {b.eligible_baseline} -> {b.eligible_reform}")
        print(f"  total (yuan):    {b.total_baseline} -> {b.total_reform}")
        print(f"  cost difference: {b.difference:+} yuan")
        print(f"  rows with errors (counted under neither): {len(result.errors)}")
        for d in result.differences:
            print(f"  {d.id}: {d.baseline.amount} -> {d.reform.amount}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
