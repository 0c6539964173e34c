"""Evaluate a file of applicants in one pass, as a benefits office would.

For: an analyst or a case-handling system at the 人社局 (human resources and social security
bureau) with a register of applicants in a spreadsheet, who wants every applicant benefit
decided for a day of application and a results file to load back.

Run it::

    python examples/batch_evaluate.py                  # results go to a new temp folder
    python examples/batch_evaluate.py results.csv      # or to a file you name

It reads ``applicants.csv`` beside this script (22 applicants, one or more for each
benefit, and two rows with deliberate errors, in the CSV conventions of
docs/benefits-cli.md), decides every applicant benefit for 2021-07-16 with
[`yantai_policy.benefits.evaluate_many`][yantai_policy.benefits.evaluate_many], writes one result row per input row with
the readers and writers of [`yantai_policy.benefits.batch_io`][yantai_policy.benefits.batch_io], and prints the rows
with errors and the [`BatchSummary`][yantai_policy.benefits.BatchSummary]. The
command-line equivalent::

    yantai-policy evaluate examples/applicants.csv --on 2021-07-16 -o results.csv
"""

from __future__ import annotations

import datetime as dt
import pathlib
import sys
import tempfile

from yantai_policy import benefits
from yantai_policy.benefits import batch_io
from yantai_policy.outfile import open_output

APPLICANTS = pathlib.Path(__file__).with_name("applicants.csv")
"""The sample register shipped beside this script."""
ON = dt.date(2021, 7, 16)
"""The day of application: fixed, so the output is the same whenever it runs."""


def main(argv: list[str]) -> int:
    """Evaluate the sample file, write the results and print the summary."""
    if len(argv) > 1:
        print("usage: python batch_evaluate.py [RESULTS.csv]", file=sys.stderr)
        return 2
    out = (
        pathlib.Path(argv[0])
        if argv
        else pathlib.Path(tempfile.mkdtemp(prefix="yantai-batch-"), "results.csv")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    names = list(benefits.APPLICANT_BENEFITS)
    summary = benefits.BatchSummary()

    with (
        APPLICANTS.open(encoding="utf-8-sig", newline="") as source,
        open_output(out, newline="") as sink,  # replaced only once it is complete
    ):
        write = batch_io.csv_writer(sink, names)
        batch = benefits.evaluate_many(
            batch_io.csv_records(source, APPLICANTS.name),
            on=ON,
            benefits=names,
            parse=batch_io.RecordParser("applicant", "csv"),
        )
        for chunk in batch.chunks():  # one output row per input row, a chunk at a time
            write(summary.add_chunk(chunk))
            for error in chunk.errors.values():
                print(f"error: {error}")

    print(f"evaluated {APPLICANTS.name} on {ON.isoformat()}; results written to {out}")
    print(summary.to_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
