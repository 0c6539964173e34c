"""The formulas, clause by clause: a Markdown page generated from the code and the data.

For each benefit formula in [`yantai_policy.benefits.BENEFITS`][yantai_policy.benefits.BENEFITS], and for the
pension calculator, the page gives the measure's provincial text and the text of each
action its clauses cite (Chinese and English), a table of its conditions with the
clause each comes from, and a table of its parameters with their values on the
notice's issue date and their sources. It opens with the conventions for dates (the
Civil Code's rules for periods) and money.

Regenerate the committed page with::

    python -m yantai_policy.benefits.reference docs/formulas.md

Examples:
    >>> import yantai_policy as yp
    >>> page = formulas_markdown(yp.load_policy())
    >>> page.splitlines()[0]
    '# Formulas, clause by clause'
    >>> "## 一次性创业补贴 / One-off start-up subsidy (`startup_subsidy`, measure 6)" in page
    True
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from yantai_policy.benefits import BENEFITS
from yantai_policy.benefits.base import IN_FORCE
from yantai_policy.benefits.pension_contribution_schedule import CLAUSE as PENSION_CLAUSE
from yantai_policy.benefits.pension_contribution_schedule import TITLE as PENSION_TITLE
from yantai_policy.formula_parameters import DECLARED
from yantai_policy.loading import load_policy

if TYPE_CHECKING:
    from collections.abc import Iterable

    from yantai_policy.benefits.base import Spec
    from yantai_policy.benefits.decision import Clause
    from yantai_policy.model import Policy, Text

__all__ = ["COMMAND", "formulas_markdown", "main", "write_page"]

COMMAND = "python -m yantai_policy.benefits.reference docs/formulas.md"
"""The command that regenerates the committed page."""

_CONVENTIONS = """\
## Conventions

### Dates: the Civil Code's rules for periods

Periods are counted as the PRC Civil Code counts them
(see `yantai_policy.benefits.periods`):

- **Art. 201**: a period counted in years, months or days does not count the
  starting day; it begins the next day.
- **Art. 202**: a period of N months (or years) ends on the corresponding day of the
  last month or, where that month has no such day, on the month's last day: 6 months
  from 2021-01-15 end on 2021-07-15, and 6 months from 2021-08-31 end on 2022-02-28.
- So a condition "N months or more" holds from the day **after** the period's last
  day: a first licence on 2021-01-15 meets "6 months or more" from 2021-07-16.
- **Art. 203** (a last day that falls on a public holiday moves to the next working
  day) governs deadlines for doing something, not lengths of operation or coverage,
  and needs a holiday calendar: it is **not applied**.

Every decision is for the day of application, and its first condition is that the
notice is in force on that day ({in_force}).

### Money

- Inside a formula, money is an integer number of **fen** (0.01 yuan): sums and
  comparisons are exact.
- Outside, in records and decisions, money is a `Decimal` number of **yuan** with two
  decimal places.
- A rate is applied to a **total**, and the result is rounded **half-up to the fen
  once**: 65% of 1024.60 yuan is 665.99 yuan.
- The province's cap on the social-insurance subsidy, "不超过其缴纳职工社会保险费2/3",
  is 2/3 of what was paid **rounded down** to the fen, so the cap is never exceeded
  (see `yantai_policy.benefits.social_insurance_subsidy`).
"""


def _cell(text: str) -> str:
    """Return text fit for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def _quote(text: str) -> str:
    """Return text as a Markdown block quote, line by line."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def _bilingual(label: str, text: Text) -> list[str]:
    """Return a labelled pair of block quotes: the Chinese, then the English."""
    return [f"{label}:", "", _quote(text.zh), "", _quote(text.en), ""]


def _cite(clause: Clause) -> str:
    """Return a clause's citation and its verbatim excerpt."""
    return f"{clause.cite('en')}「{clause.excerpt}」"


def _texts(policy: Policy, measure: int, clauses: Iterable[Clause]) -> list[str]:
    """Return the measure's provincial text and the text of each action the clauses cite."""
    out = _bilingual(f"Measure {measure}, provincial text", policy.measure(measure).provincial_text)
    actions = dict.fromkeys(c.action for c in clauses if c.action is not None)
    for action_id in actions:
        out += _bilingual(f"Action {action_id}", policy.action(action_id).text)
    return out


def _conditions(specs: Iterable[Spec]) -> list[str]:
    """Return the table of a formula's conditions."""
    out = [
        "| code | condition (zh) | condition (en) | clause | one of |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{s.code}` | {_cell(s.text.zh)} | {_cell(s.text.en)} | {_cell(_cite(s.clause))} "
        f"| {'' if s.group is None else f'`{s.group}`'} |"
        for s in specs
    ]
    return [*out, ""]


def _parameters(policy: Policy, names: Iterable[str]) -> list[str]:
    """Return the table of a formula's parameters, with their values on the issue date."""
    names = tuple(names)
    if not names:
        return ["This formula reads no parameters.", ""]
    on = policy.notice.issued_on
    out = [
        f"| parameter | value on {on} | unit | source | bounds |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        param = policy.parameters[name]
        declared = DECLARED[name]
        bounds = declared.range()
        out.append(
            f"| `{name}` | {_cell(param.render(param.at(on)))} | {param.unit.value} "
            f"| {_cell(param.source_at(on).cite('en'))} | {_cell(f'{bounds} ({declared.why})')} |"
        )
    return [*out, ""]


def formulas_markdown(policy: Policy) -> str:
    """Return the page of every formula, clause by clause, as Markdown.

    Args:
        policy: The plan whose texts and parameters the page quotes.

    Returns:
        The page: the conventions, then one section per benefit formula and one for
        the pension calculator.
    """
    lines = [
        "# Formulas, clause by clause",
        "",
        "<!-- Generated by `" + COMMAND + "`: do not edit by hand. -->",
        "",
        "For each formula of `yantai_policy.benefits`: the clauses it implements in Chinese",
        "and English, its conditions with the clause each comes from, and its parameters",
        f"with their values on the notice's issue date ({policy.notice.issued_on}) and their",
        "sources. Worked examples are on [Worked examples](formula-examples.md).",
        "",
        _CONVENTIONS.format(in_force=_cell(_cite(IN_FORCE.clause))),
    ]
    for benefit in BENEFITS.values():
        lines += [
            f"## {benefit.title.zh} / {benefit.title.en} (`{benefit.name}`, measure {benefit.measure})",
            "",
            *_texts(policy, benefit.measure, (s.clause for s in benefit.specs)),
            "### Conditions",
            "",
            "All conditions without a group must hold, and at least one of each group.",
            "",
            *_conditions(benefit.specs),
            "### Parameters",
            "",
            *_parameters(policy, benefit.parameters),
        ]
    clause = PENSION_CLAUSE
    lines += [
        (
            f"## {PENSION_TITLE.zh} / {PENSION_TITLE.en} "
            f"(`pension_contribution_schedule`, measure {clause.measure})"
        ),
        "",
        "A calculator, not a benefit: it lists a year's payments for a frequency and a",
        "monthly base within the local limits.",
        "",
        *_texts(policy, clause.measure or 15, (clause,)),
        f"Clause: {_cite(clause)}",
        "",
        "### Parameters",
        "",
        *_parameters(policy, ("pension.contribution_rate",)),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_page(page: str, argv: list[str] | None = None) -> int:
    """Write a generated page to the file named by the first argument (or print it).

    Args:
        page: The page's Markdown.
        argv: The arguments; ``sys.argv[1:]`` if not given.

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    if args:
        from yantai_policy.outfile import write_text  # noqa: PLC0415 - only writing needs it

        write_text(args[0], page, newline=None)  # replaced whole, only once it is complete
    else:
        sys.stdout.write(page)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Write the formulas page (`formulas_markdown`) with `write_page`.

    Returns:
        The exit status.
    """
    return write_page(formulas_markdown(load_policy()), argv)


if __name__ == "__main__":
    raise SystemExit(main())
