"""The ``yantai-policy`` command.

Built on `argparse` from the standard library: its sub-commands, ``--help`` and
exit code 2 for usage errors are all this tool needs, so the command adds no dependency.
It parses arguments and dispatches; reading, computing and writing are the library's.
Each option that several commands take is declared once, in a parent parser, so it means
the same everywhere (``--json`` is ``audit --format json``); a usage error is one line,
with "did you mean" for a near miss.

Exit codes: 0 on success; 1 when ``audit`` finds something at or above ``--fail-on``,
when ``diff`` finds the two plans differ (as diff(1) does), when every row of an ``evaluate`` batch has an error (an empty input is a success), or
when ``evaluate --fail-on-error`` meets a row with an error; 2 for a usage error, an
unknown measure, unit or benefit, a bad date, an unreadable input, a record ``explain``
cannot read or a bad plan file (each with a one-line message on stderr).

``evaluate`` decides the benefits of [`yantai_policy.benefits`][yantai_policy.benefits] for every record of
a CSV or JSONL file, streaming, one output row per input row (the reading and writing
is [`yantai_policy.benefits.batch_io`][yantai_policy.benefits.batch_io]; ``--jobs N`` computes in N processes);
``explain`` prints the full decision for one record; ``benefits`` lists the benefits;
``schema`` prints the JSON Schema of a record or of the plan format. See
``docs/benefits-cli.md``.

Examples:
    >>> from yantai_policy.cli import main
    >>> main(["bureau", "文明办", "--lang", "en"])
    civilization_office  Office of the Yantai Commission for Cultural and Ethical Progress
    kind: office
    names: civilization_office, 市文明办
    <BLANKLINE>
    19.2  measure 19  responsible
      Guide the districts and county-level cities in the work of creating provincial-level civilised cities.
    0
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import re
import sys
import time
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

from yantai_policy import queries
from yantai_policy._severity import Severity
from yantai_policy.dates import parse_date
from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy
from yantai_policy.model import Role
from yantai_policy.serialize import (
    BATCH_FORMATS,
    BATCH_OUTPUT_FORMATS,
    MAX_BATCH_BYTES,
    MAX_BODY_BYTES,
    MAX_JOBS,
    MAX_LINE_BYTES,
    Lang,
    bureau_to_dict,
    co_owners_to_dict,
    measure_to_dict,
    parameters_to_dict,
    unit_detail_to_dict,
    unit_task_to_dict,
    workload_to_dict,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from yantai_policy.benefits.batch import Chunk
    from yantai_policy.labels import Labels
    from yantai_policy.model import Action, Bureau, Measure, Policy, Text
    from yantai_policy.parameters import InForce

__all__ = ["main"]

PROG = "yantai-policy"


def _columns() -> int:
    """The terminal's width, as `shutil.get_terminal_size` tells it, without importing shutil.

    argparse asks shutil for it at every ``add_argument``, and shutil imports bz2, lzma and
    zlib: about 3 ms of every command's start-up.
    """
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, at the width `_columns` measures (no shutil)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        super().__init__(
            prog, indent_increment, max_help_position, _columns() - 2 if width is None else width
        )


class _Parser(argparse.ArgumentParser):
    """argparse, with "did you mean" for a misspelt choice and a one-line usage error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - argparse's own
        """Lay out help with `_Formatter` unless told otherwise."""
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(c) for c in choices]
        import difflib  # noqa: PLC0415 - only a misspelt choice needs it

        close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.6)
        hint = (
            f"did you mean {' or '.join(map(repr, close))}?"
            if close
            else f"choose from {', '.join(names)}"
        )
        raise argparse.ArgumentError(action, f"invalid choice {value!r}; {hint}")

    def error(self, message: str) -> NoReturn:
        """Exit 2 with one line on stderr, naming the command's --help."""
        self.exit(2, f"{PROG}: error: {message} (see {self.prog} --help)\n")


# --- options: each declared once, with one meaning, and shared by the commands ------------

LANGS = ("zh", "en", "both")
"""The choices of ``--lang``: Chinese, English or both, in every command."""

THRESHOLD_FORMS = "a share from 0 to 1, such as 0.3, 30% or 3/10"
_INTEGER = re.compile(r"[+-]?\d{1,30}", re.ASCII)
_SHARE = re.compile(r"([+-]?)(?:(\d{1,30})/(\d{1,30})|(\d{0,30}(?:\.\d{1,30})?)(%?))", re.ASCII)


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (or more), in digits."""
    span = f"{low} or more" if high is None else f"from {low} to {high}"

    def whole(text: str) -> int:
        if not _INTEGER.fullmatch(text.strip()):
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text!r}")
        value = int(text)
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected a whole number {span}, got {text}")
        return value

    return whole


def _share(text: str) -> Fraction:
    """An argparse type: an exact share from 0 to 1, as ``0.3``, ``30%`` or ``3/10``.

    Examples:
        >>> [str(_share(t)) for t in ("50%", "1/2", "0.5", "12.5%", "1")]
        ['1/2', '1/2', '1/2', '1/8', '1']
        >>> _share("1/0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: '1/0' divides by zero
    """
    match = _SHARE.fullmatch(text.strip())
    if match is None or not any(match.group(2, 4)):
        raise argparse.ArgumentTypeError(f"expected {THRESHOLD_FORMS}, got {text!r}")
    sign, numerator, denominator, decimal, percent = match.groups()
    if numerator is not None:
        if int(denominator) == 0:
            raise argparse.ArgumentTypeError(f"{text!r} divides by zero")
        value = Fraction(int(numerator), int(denominator))
    else:
        value = Fraction(decimal) / (100 if percent else 1)
    if sign == "-":
        value = -value
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share from 0 to 1")
    return value


def _day(text: str) -> dt.date:
    """An argparse type: a day, ``YYYY-MM-DD`` (the reason named when it does not exist)."""
    try:
        return parse_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _options() -> dict[str, _Parser]:
    """The options that more than one command takes, each in its own parent parser."""

    def parent() -> _Parser:
        return _Parser(add_help=False)

    plan, lang, as_json, on, benefit, output, report, as_of, ledger = (parent() for _ in range(9))
    plan.add_argument(
        "--plan",
        metavar="PATH",
        help="a plan file to use instead of the built-in Yantai plan; - reads a JSON plan "
        "from stdin",
    )
    lang.add_argument(
        "--lang",
        choices=LANGS,
        default="both",
        help="the language of the text: zh, en or both (default: both)",
    )
    as_json.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="report_format",
        help="print JSON (UTF-8, not escaped) instead of text (in audit and diff: --format json)",
    )
    as_json.set_defaults(report_format="text")
    report.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        dest="report_format",
        default="text",
        help="report format (default: text); --json is the same as --format json",
    )
    on.add_argument(
        "--on", required=True, type=_day, metavar="DATE", help="the day of application, YYYY-MM-DD"
    )
    benefit.add_argument(
        "--benefit",
        action="append",
        dest="benefits",
        metavar="NAME",
        help="a benefit, by name or Chinese title; repeat for more (default: every applicant "
        "benefit; labour_intermediary_subsidy takes placement records)",
    )
    output.add_argument(
        "-o", "--output", metavar="PATH", default="-", help="the file to write; - is stdout"
    )
    as_of.add_argument(
        "--as-of",
        type=_day,
        metavar="DATE",
        help="label the units by their names in force on this day, YYYY-MM-DD, with their "
        "successors where they no longer exist (the texts stay as printed)",
    )
    ledger.add_argument(
        "--ledger",
        metavar="DB",
        help="a ledger: a file path (SQLite) or a postgresql:// URL; audit adds the ledger's "
        "checks (overdue tasks, silent units, leads that never reported, tasks closed without "
        "a done report) as of --on, serve serves it",
    )
    return {
        "as_of": as_of,
        "ledger": ledger,
        "plan": plan,
        "lang": lang,
        "json": as_json,
        "on": on,
        "benefit": benefit,
        "output": output,
        "report": report,
    }


def _input_format(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """Add ``--input-format``: the input's format, by name, where the input is ``-``."""
    parser.add_argument("--input-format", choices=formats, help="the input's format (needed for -)")


def _measure_number(parser: argparse.ArgumentParser) -> None:
    """Add the positional measure number of ``show`` and ``co-owners``."""
    parser.add_argument(
        "number", type=_whole(1), help="the measure's number (a plan numbers them from 1)"
    )


def _parser() -> _Parser:
    o = _options()
    plan_text = [o["json"], o["lang"], o["plan"]]
    units = [*plan_text, o["as_of"]]  # the commands that show units
    parser = _Parser(
        prog=PROG,
        description="Yantai's plan for the division of responsibilities in supporting flexible employment "
        "(烟政办字〔2021〕3号), as data.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("measures", parents=units, help="list the measures: number, title, units")
    show = commands.add_parser(
        "show", parents=units, help="show one measure in full, with its actions and units"
    )
    _measure_number(show)
    commands.add_parser(
        "bureaus",
        parents=units,
        help="list the responsible units",
        description="List the responsible units. With --as-of, each is labelled by its name "
        "that day, a unit that no longer exists is marked with its successors, and the later "
        "units in force that day follow.",
    )
    bureau = commands.add_parser("bureau", parents=units, help="show one unit and its actions")
    bureau.add_argument(
        "name", help="id, Chinese name, short name or English name, or a name it took later"
    )
    co_owners = commands.add_parser(
        "co-owners", parents=units, help="the units with any action under a measure"
    )
    _measure_number(co_owners)
    actions = commands.add_parser(
        "actions",
        parents=units,
        help="a unit's actions, optionally in one role",
        description="A unit's actions. With --role, those in which the action or one of its "
        "items has that role; each item shows its own role where it differs.",
    )
    actions.add_argument("--bureau", required=True, help="the unit: any of its names")
    actions.add_argument(
        "--role",
        choices=[r.value for r in Role],
        help="only the actions with this role, the action's own or an item's",
    )
    commands.add_parser("workload", parents=units, help="actions and measures per unit")
    audit_cmd = commands.add_parser(
        "audit",
        parents=[*plan_text, o["report"], o["ledger"]],
        help="coverage audit; exits 1 at or above --fail-on",
    )
    audit_cmd.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default="error",
        help="exit 1 when a finding at or above this severity exists (default: error)",
    )
    audit_cmd.add_argument(
        "--threshold",
        type=_share,
        default=None,  # AuditConfig's own (the audit is loaded only by this command)
        help="the largest share of all actions one unit may hold: "
        f"{THRESHOLD_FORMS.replace('%', '%%')} "
        "(default: 3/10)",
    )
    audit_cmd.add_argument(
        "--on",
        type=_day,
        default=None,
        metavar="DATE",
        help="the audit date of deadline-overdue and unit-defunct, YYYY-MM-DD "
        "(default: the notice's issue date; with --ledger, today in China)",
    )
    export = commands.add_parser(
        "export",
        parents=[o["json"], o["plan"], o["output"], o["as_of"]],
        help="write the plan or its graph in another format",
        epilog="--lang sets the labels of dot, mermaid, csv, matrix-csv (zh, en or both) "
        "and matrix-md (zh or en); by default diagrams and matrix-md are in Chinese, csv "
        "and matrix-csv in both. The data formats (json, graphml, gexf and node-link) "
        "always carry both languages: they take only --lang both. --as-of labels the units "
        "by their names that day in every format but json (the plan file).",
    )
    export.add_argument(  # not the shared --lang: each format has its own default (epilog)
        "--lang",
        choices=LANGS,
        default=None,
        help="the labels' language: zh, en or both (default: each format's own, see below)",
    )
    export.add_argument(
        "format",
        help="json, node-link, graphml, gexf, dot, mermaid, csv, xlsx, matrix-csv, "
        "matrix-xlsx or matrix-md",
    )
    _add_diff_command(commands, o)
    _add_draft_command(commands, o)
    from yantai_policy.cli_ledger import add_ledger_command  # noqa: PLC0415 - argparse only

    add_ledger_command(commands, o, _day)
    _add_benefit_commands(commands, o)
    _add_plot_command(commands, o)
    _add_parameters_command(commands, o)
    _add_serve_command(commands, o)
    return parser


def _add_serve_command(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[o["plan"], o["ledger"]],
        help="serve the plan, its decisions and a ledger over HTTP, with web pages",
        description="Serve the plan over HTTP (the serve extra: Litestar under uvicorn): /v1 "
        "endpoints, OpenAPI 3.1 at /openapi.json, an interactive page at /docs, and the web "
        "pages / (the plan), /ledger (the 台账) and /report (a unit files a report with its "
        "token). It prints the address on stderr and serves until Ctrl-C or SIGTERM.",
        epilog="Writes need a bearer token: `ledger token issue --db DB --unit UNIT`.",
    )
    serve.set_defaults(lang="both", report_format="text")
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=_whole(0, 65535),
        default=8000,
        help="the port (default: 8000; 0 picks a free one)",
    )
    serve.add_argument(
        "--workers", type=_whole(1, 64), default=1, help="worker processes (default: 1)"
    )
    serve.add_argument(
        "--max-body-bytes",
        type=_whole(1),
        default=MAX_BODY_BYTES,
        help=f"the largest JSON request body (default: {MAX_BODY_BYTES:,})",
    )
    serve.add_argument(
        "--max-batch-bytes",
        type=_whole(1),
        default=MAX_BATCH_BYTES,
        help=f"the largest JSONL batch body (default: {MAX_BATCH_BYTES:,})",
    )
    serve.add_argument(
        "--require-read-token",
        action="store_true",
        help="reads need a valid token too (needs --ledger, which holds the tokens)",
    )


BUILTIN = "builtin"
"""The name ``diff`` gives the built-in plan (a file of that name is ``./builtin``)."""


def _add_diff_command(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    diff = commands.add_parser(
        "diff",
        parents=[o["json"], o["report"], o["lang"], o["output"]],
        help="compare two plans: tasks, units, roles, parameters; exits 1 when they differ",
        description="Compare two plans (two versions of one plan, or two cities' plans for "
        "the same provincial measures): the notice's particulars, units added, removed or "
        "renamed, tasks added, removed or changed, roles, and parameters. Measures are "
        "matched by number, tasks by id within their measure, units by id and else by "
        "name (without the city's prefix: 示例市财政局 is 市财政局). Exits 0 when the plans "
        "are the same, 1 when they differ, 2 on an error.",
        epilog=f"A file named {BUILTIN} is given as ./{BUILTIN}. The text report shows each "
        "difference's path, then - the old and + the new value, grouped by measure; json "
        "and markdown hold the same.",
    )
    for name, which in (("A", "first (old)"), ("B", "second (new)")):
        diff.add_argument(
            name.lower(),
            metavar=name,
            help=f"the {which} plan: a file, {BUILTIN} for the built-in plan, or - for a "
            "JSON plan on stdin",
        )
    diff.set_defaults(plan=None)


def _add_draft_command(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    draft = commands.add_parser(
        "draft",
        parents=[o["json"], o["output"]],
        help="draft a plan file from a notice's published text",
        description="Draft a format-2 plan from a notice's text, as copied from a PDF or a "
        "web page: its particulars, measures, tasks, items and units with their roles and "
        "line spans. Chinese is kept verbatim and English left empty; what the drafter "
        "cannot decide is printed on stderr (review: ...) and kept in the draft's review "
        "list. Exits 0 with a draft, 2 on an error.",
        epilog="The layouts: table (序号 | 省政策内容 | 具体推进措施 | 责任单位), inline "
        "(units in parentheses after each task) and labelled (牵头单位：… lines). The draft "
        "is TOML; --json writes it as JSON.",
    )
    draft.add_argument("notice", metavar="NOTICE", help="the notice's text (UTF-8); - for stdin")
    draft.add_argument(
        "--layout",
        choices=["auto", "table", "inline", "labelled"],
        default="auto",
        help="the plan's layout (default: auto, found from the text)",
    )
    draft.add_argument(
        "--lead-rule",
        choices=["explicit", "first-listed", "none"],
        default=None,
        help="how the plan marks its lead units, where the text does not say "
        "(default: found from the text)",
    )
    draft.add_argument(
        "--city", default=None, help="the city's name for unit names (default: from the issuer)"
    )
    draft.set_defaults(plan=None, lang="both")


class _Version(argparse.Action):
    """``--version``: print the installed version and exit.

    The version is read only when asked: `importlib.metadata` costs about 10 ms, which
    argparse's own ``version`` action would spend at every start.
    """

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        """A flag with no value, shown in --help."""
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show the version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        """Print ``yantai-policy VERSION`` and exit 0."""
        sys.stdout.write(f"{PROG} {_version()}\n")  # on stdout, as argparse's version action
        parser.exit()


def _version() -> str:
    """The installed package's version (the source tree's when it is not installed)."""
    from importlib import metadata  # noqa: PLC0415 - only --help and --version need it

    try:
        return metadata.version("yantai-policy")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        from yantai_policy import __version__  # noqa: PLC0415

        return __version__


def _add_benefit_commands(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        parents=[o["plan"], o["on"], o["benefit"], o["output"]],
        help="decide benefits for every record of a CSV or JSONL file",
        description="Decide benefits for every record of a CSV or JSONL file, one output "
        "row per input row; a summary goes to stderr. Exits 1 when every row has an error "
        "(an empty input exits 0), or with --fail-on-error when any row has one.",
    )
    evaluate.add_argument("input", metavar="INPUT", help="a .csv or .jsonl file, or - for stdin")
    _input_format(evaluate, BATCH_FORMATS)
    evaluate.add_argument(
        "--output-format",
        choices=BATCH_OUTPUT_FORMATS,
        help="the output's format (needed for -)",
    )
    evaluate.add_argument(
        "--fail-on-error", action="store_true", help="exit 1 if any row has an error"
    )
    evaluate.add_argument(
        "--max-line-bytes",
        type=_whole(1),
        default=MAX_LINE_BYTES,
        metavar="N",
        help="a JSONL line of more bytes, or a CSV line or cell of more characters, is an "
        f"error row and the file goes on (default: {MAX_LINE_BYTES:,}, 16 MiB)",
    )
    evaluate.add_argument(
        "--jobs",
        type=_whole(1, MAX_JOBS),
        default=1,
        metavar="N",
        help=f"compute in N worker processes, 1 to {MAX_JOBS}; the output keeps the input's "
        "order (default: 1)",
    )
    evaluate.set_defaults(lang="both", report_format="text")
    explain = commands.add_parser(
        "explain",
        parents=[o["plan"], o["on"], o["benefit"], o["lang"], o["json"]],
        help="explain every decision for one record: conditions, clauses, amounts",
        description="Print the full decision of each benefit for one record: every "
        "condition with its clause, the breakdown of the amount and the parameters used.",
    )
    explain.add_argument(
        "input", metavar="FILE", help="a .json object, a one-line .jsonl or a one-row .csv, or -"
    )
    _input_format(explain, _EXPLAIN_FORMATS)
    benefits = commands.add_parser(
        "benefits",
        parents=[o["json"]],
        help="list the benefits: name, titles, measure and record kind",
        description="List every benefit formula: its name, its Chinese and English titles, "
        "the measure it implements and the kind of record it takes.",
    )
    benefits.set_defaults(lang="both", plan=None)
    schema = commands.add_parser(
        "schema",
        parents=[o["output"]],
        help="print the JSON Schema of a record or of the plan format",
    )
    schema.add_argument("kind", choices=("applicant", "placement", "plan"), help="which schema")
    schema.set_defaults(lang="both", report_format="text", plan=None)


def _add_plot_command(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    plot = commands.add_parser(
        "plot",
        parents=[o["output"], o["lang"], o["plan"], o["as_of"]],
        help="draw who does what as a PNG or SVG picture (needs the plot extra)",
        description="Draw the responsibility graph, the workload per unit or the "
        "measures-by-units matrix; needs matplotlib (pip install 'yantai-policy[plot]'). "
        "The labels are in one language: both draws Chinese, as zh does, and either "
        "falls back to English where no CJK font is installed.",
    )
    plot.add_argument("kind", choices=("graph", "workload", "matrix"), help="which picture")
    plot.add_argument(
        "--format", choices=("png", "svg"), help="the picture's format (default: by the suffix)"
    )
    plot.set_defaults(report_format="text")


def _add_parameters_command(
    commands: argparse._SubParsersAction[_Parser],
    o: dict[str, _Parser],
) -> None:
    params = commands.add_parser(
        "parameters",
        parents=[o["json"], o["lang"], o["plan"], o["output"]],
        help="the parameters' values in force on a day, with unit and source",
        description="List every parameter of the plan with the value in force on a day, its "
        "unit, the date that value took effect and its source: a clause of the notice, a "
        "document number, or an assumption (with the note saying why).",
        epilog="A value that a later document set cites that document: on 2024-03-01, "
        "tax_relief.annual_quota is the 2023 value with its own source. csv columns: name, "
        "value (rendered: 24000.00, 65%, 36 months; none where no value is in force), unit, "
        "effective, source_kind, then description and source (with --lang both, "
        "description_zh, source_zh, description_en, source_en). json: {on, parameters: "
        "[{name, description, on, value (as the plan file writes it), unit, effective, "
        "source, citation}]}.",
    )
    params.add_argument(
        "--on",
        type=_day,
        metavar="DATE",
        help="the day, YYYY-MM-DD (default: today in China, UTC+8)",
    )
    params.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        dest="report_format",
        default="text",
        help="output format (default: text); --json is the same as --format json",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    Args:
        argv: The arguments, without the program name; ``None`` reads ``sys.argv``.

    Returns:
        0 on success, 2 for an unknown name or number, a bad plan file or an output
        that cannot be written (a full disk, a closed pipe), 130 after Ctrl-C and 143
        after SIGTERM (an output file being written is then left as it was).
    """
    args = _parser().parse_args(argv)
    with _stop_signals():
        try:
            code = _run(args)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        except KeyboardInterrupt:
            return _fail("interrupted", 130)
        except _Terminated:
            return _fail("terminated", 143)
        except OSError as error:  # writing stdout failed: `| head` went away, a full disk
            return _fail(_os_error(error), 2)
    return code


class _Terminated(BaseException):
    """SIGTERM arrived: unwind (removing a partial output) and exit 143."""


_SIGNALLED: list[int] = []
"""The process that installed the handlers (a forked worker inherits them)."""


def _on_signal(signum: int, frame: object) -> None:  # noqa: ARG001 - a signal handler's signature
    import signal  # noqa: PLC0415 - loaded by _stop_signals

    if _SIGNALLED and os.getpid() != _SIGNALLED[-1]:  # a worker not yet started: not ours
        if signum == signal.SIGTERM:
            os._exit(128 + signum)
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # one message, however often it is sent
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if signum == signal.SIGTERM:
        raise _Terminated
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into exceptions while the command runs (main thread only)."""
    import signal  # noqa: PLC0415 - about 0.4 ms, kept off the import of the module

    try:
        before = {n: signal.signal(n, _on_signal) for n in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread (main() called from a thread): leave them be
        before = {}
    _SIGNALLED.append(os.getpid())
    try:
        yield
    finally:
        _SIGNALLED.pop()
        for number, handler in before.items():
            signal.signal(number, handler)


def _os_error(error: OSError) -> str:
    import errno  # noqa: PLC0415 - only a failed write needs it

    if error.filename is not None:
        return f"{error.filename}: {error.strerror}"
    if error.errno in (errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO):
        return f"cannot write to stdout: {error.strerror}"
    return str(error.strerror or error)


def _fail(message: str, code: int) -> int:
    """Say why the command stopped, on one line, and silence stdout (nothing more reaches it)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"{PROG}: error: {message}", file=sys.stderr)
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation, AttributeError):
        # What stays buffered would fail again at exit ("Exception ignored ..."): the
        # Python documentation's recipe for a broken pipe is to point stdout at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return code


def _plan(args: argparse.Namespace) -> Policy:
    """The plan: built in, from a file, or (``--plan -``) a JSON plan on stdin."""
    if args.plan == "-" and getattr(args, "input", None) == "-":
        raise _CommandError("--plan - and an input of - would both read stdin: name a file")
    return _load_plan(args.plan, "--plan -")


def _load_plan(path: str | None, shown: str) -> Policy:
    """A plan: built in (None), a JSON plan on stdin (``-``, called ``shown``), or a file."""
    if path != "-":
        return load_policy(path)
    from yantai_policy.loading import read_policy  # noqa: PLC0415 - only for -

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stand-in for stdin
        raise _CommandError(f"{shown}: stdin gives no bytes to read")
    return read_policy(stream)


def _diff(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    from yantai_policy.outfile import open_output, printable, refuse_input  # noqa: PLC0415
    from yantai_policy.plan_diff import diff  # noqa: PLC0415 - only this command needs it

    if args.a == args.b == "-":
        raise _CommandError("A and B cannot both be - (stdin): name a file for one of them")
    plans = [_load_plan(None if n == BUILTIN else n, n) for n in (args.a, args.b)]
    refuse_input(args.output, [n for n in (args.a, args.b) if n != BUILTIN])
    found = diff(*plans)
    if args.report_format == "json":
        text = json.dumps(found.to_dict(lang), ensure_ascii=False, indent=2)
    elif args.report_format == "markdown":
        text = found.to_markdown(lang)
    else:
        text = found.to_text(lang)
    with open_output(args.output) as out:
        out.write(printable(text) + "\n")
    return 1 if found else 0


def _draft(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    from yantai_policy.drafting import MAX_NOTICE_BYTES, draft_plan, read_notice, review_line  # noqa: PLC0415
    from yantai_policy.loading import read_bytes, read_regular_file  # noqa: PLC0415
    from yantai_policy.outfile import open_output, printable, refuse_input  # noqa: PLC0415

    if args.notice == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise _CommandError("-: stdin gives no bytes to read")
        data = read_bytes(stream, "<stdin>", MAX_NOTICE_BYTES, "the notice")
        name = "<stdin>"
    else:
        data = read_regular_file(args.notice, MAX_NOTICE_BYTES)
        name = args.notice
    refuse_input(args.output, [args.notice] if args.notice != "-" else [])
    draft = draft_plan(
        read_notice(data, name=name),
        layout=args.layout,
        lead_rule=args.lead_rule,
        source_file=os.path.basename(name),  # noqa: PTH119 - pathlib costs import time
        city=args.city,
    )
    text = (
        json.dumps(draft.plan, ensure_ascii=False, indent=2, default=str)
        if args.json
        else draft.to_toml()
    )
    with open_output(args.output) as out:
        out.write(text if text.endswith("\n") else text + "\n")
    for entry in draft.review:
        print(f"{PROG}: review: {printable(review_line(entry))}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    lang = cast("Lang", args.lang)
    args.json = args.report_format == "json"  # --json, or audit's --format json
    try:
        policy = _plan(args)
        return _COMMANDS[args.command](policy, args, lang)
    except PolicyError as error:
        from yantai_policy.outfile import printable  # noqa: PLC0415 - only the error path

        print(f"{PROG}: error: {printable(str(error))}", file=sys.stderr)
        return 2


def _labels(policy: Policy, args: argparse.Namespace) -> Labels:
    """The units' labels: on ``--as-of``, or as printed."""
    from yantai_policy.labels import Labels  # noqa: PLC0415 - attrs is loaded already

    return Labels(policy, args.as_of)


def _cmd_measures(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _measures(policy, lang, _labels(policy, args), as_json=args.json)


def _cmd_show(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    labels = _labels(policy, args)
    return _show(policy.measure(args.number), lang, labels, as_json=args.json)


def _cmd_bureaus(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _bureaus(policy, lang, _labels(policy, args), as_json=args.json)


def _cmd_bureau(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    labels = _labels(policy, args)
    return _bureau(policy, policy.bureau(args.name), lang, labels, as_json=args.json)


def _cmd_co_owners(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _co_owners(policy, args.number, lang, _labels(policy, args), as_json=args.json)


def _cmd_actions(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _actions(policy, args, lang, _labels(policy, args))


def _cmd_workload(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _workload(policy, lang, _labels(policy, args), as_json=args.json)


def _export(policy: Policy, args: argparse.Namespace, lang: Lang | None) -> int:
    from yantai_policy.export import write  # noqa: PLC0415 - networkx only when needed
    from yantai_policy.outfile import refuse_input  # noqa: PLC0415 - only writing needs it

    refuse_input(args.output, [args.plan])
    try:
        write(policy, args.format, args.output, lang=lang, as_of=args.as_of)
    except ValueError as error:  # an unknown format, or a language the format is not in
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        _dump({"format": args.format, "output": args.output}, file=sys.stderr)
    else:
        print(f"wrote {args.format} to {args.output}", file=sys.stderr)
    return 0


def _dump(value: object, file: IO[str] | None = None) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2), file=file)


def _codes(text: Text, lang: Lang) -> tuple[str, ...]:
    """The languages a text is printed in: ``both`` prints an untranslated text once, in zh."""
    if lang == "both":
        return ("zh", "en") if text.translated else ("zh",)
    return (lang,)


def _say(text: Text, lang: Lang, indent: str = "") -> None:
    for code in _codes(text, lang):
        print(f"{indent}{text.get(code)}")


def _label(zh: str, en: str, lang: Lang) -> str:
    return {"zh": zh, "en": en, "both": f"{zh} / {en}"}[lang]


def _name(bureau: Bureau, lang: Lang, labels: Labels) -> str:
    """A unit's label (`yantai_policy.labels`): its printed name, or its label on --as-of."""
    name = labels.name(bureau)
    return " ".join(name.get(code) for code in _codes(name, lang))


def _measures(policy: Policy, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    if as_json:
        _dump([measure_to_dict(m, lang, actions=False, labels=labels) for m in policy.measures])
        return 0
    for m in policy.measures:
        units = (
            "、".join(labels.name(b).zh for b in m.bureaus)
            if lang != "en"
            else "; ".join(labels.name(b).get("en") for b in m.bureaus)
        )
        title = " / ".join(m.title.get(code) for code in _codes(m.title, lang))
        print(f"{m.number:>2}  {title}")
        print(f"    {units}")
    return 0


def _show(measure: Measure, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    if as_json:
        _dump(measure_to_dict(measure, lang, labels=labels))
        return 0
    print(_label(f"第{measure.number}项", f"Measure {measure.number}", lang))
    _say(measure.title, lang)
    print(_label("出处", "Source", lang) + f": {measure.source}")
    print()
    print(_label("省政策内容", "Provincial measure", lang))
    _say(measure.provincial_text, lang, "  ")
    print()
    units = len(measure.bureaus)
    print(
        _label(
            f"具体推进措施（{units}个责任单位）",
            f"Actions ({units} unit{'' if units == 1 else 's'})",
            lang,
        )
    )
    for action in measure.actions:
        if action.is_shared:  # every unit with its role in the heading
            _print_action(action, lang, _units(action, lang, labels), labels)
        else:
            title = _name(action.bureau, lang, labels)
            _print_action(action, lang, _titled(title, action.role, lang), labels)
    return 0


def _titled(title: str, role: Role, lang: Lang) -> str:
    """A task's heading after its id: ``title · role``."""
    return f"{title} · {_label(role.zh, role.en, lang)}"


def _units(action: Action, lang: Lang, labels: Labels) -> str:
    """Every unit of a task with its own role: ``市发展改革委 · 牵头; 市教育局 · 配合``."""
    from yantai_policy.labels import unit_roles  # noqa: PLC0415

    return "; ".join(
        f"{_name(unit, lang, labels)} · {_label(role.zh, role.en, lang)}"
        for unit, role in unit_roles(action)
    )


def _print_action(
    action: Action, lang: Lang, heading: str, labels: Labels, *, units: bool = False
) -> None:
    """Print a task: ``[id] heading``, text, items, and the deadline, reporting, districts.

    ``units``: a line listing a shared task's units (where the heading names only one).
    """
    print()
    print(f"[{action.id}] {heading}")
    if units and action.is_shared:
        print(f"  {_label('责任单位', 'units', lang)}: {_units(action, lang, labels)}")
    if not action.items:
        _say(action.text, lang, "  ")
    for item in action.items:
        mark = "" if item.role is action.role else f" ({_label(item.role.zh, item.role.en, lang)})"
        number = f"{item.number}.{mark}"
        for index, code in enumerate(_codes(item.text, lang)):
            print(f"  {number if index == 0 else ' ' * len(number)} {item.text.get(code)}")
    for erratum in action.text.errata:
        print(f"  ! {_label('勘误', 'erratum', lang)}: {erratum.printed} → {erratum.corrected}")
    _print_plan_fields(action, lang)


def _print_plan_fields(action: Action, lang: Lang) -> None:
    """Print a task's deadline, reporting rhythm and districts, where the plan gives them."""
    if action.deadline is not None:
        print(f"  {_label('完成时限', 'deadline', lang)}: {action.deadline}")
    if action.reporting is not None:
        rhythm = _label(action.reporting.zh, action.reporting.value.replace("_", "-"), lang)
        print(f"  {_label('报送', 'reporting', lang)}: {rhythm}")
    if action.districts:
        print(f"  {_label('各区市', 'districts', lang)}: {_label('是', 'yes', lang)}")


def _ended(labels: Labels, bureau: Bureau) -> str:
    """`` — merged_into on 2023-07-20`` for a unit that no longer exists on --as-of, else ``""``."""
    state = labels.state(bureau)
    if state is None or state.ended is None:
        return ""
    return f"  — {state.ended.kind.value} on {state.ended.on}"


def _held(policy: Policy, unit: Bureau, labels: Labels) -> tuple[Bureau, ...]:
    """The other units whose duties ``unit`` holds on --as-of (`Policy.duties_held`)."""
    return () if labels.on is None else policy.duties_held(unit, labels.on)


def _bureaus(policy: Policy, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    later = tuple(u for u in labels.in_force() if u in policy.later_units)
    if as_json:
        _dump([bureau_to_dict(b, lang, labels=labels) for b in (*policy.bureaus, *later)])
        return 0
    width = max(len(b.id) for b in (*policy.bureaus, *later))
    for bureau in policy.bureaus:
        count = len(queries.actions_of(policy, bureau))
        print(
            f"{bureau.id:<{width}}  {_name(bureau, lang, labels)}  ({count}){_ended(labels, bureau)}"
        )
    if later:  # the units in force that day that the notice does not name
        print(
            _label(f"{labels.on} 在任的后继单位", f"later units in force on {labels.on}", lang)
            + ":"
        )
    for unit in later:
        held = sum(len(queries.actions_of(policy, u)) for u in _held(policy, unit, labels))
        print(f"{unit.id:<{width}}  {_name(unit, lang, labels)}  ({held})")
    return 0


def _bureau(policy: Policy, bureau: Bureau, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    actions = queries.actions_of(policy, bureau)
    held = _held(policy, bureau, labels)
    if as_json:
        _dump(unit_detail_to_dict(policy, bureau, lang, labels=labels))
        return 0
    print(f"{bureau.id}  {_name(bureau, lang, labels)}")
    print(f"kind: {bureau.kind.value}")
    names = [bureau.id, bureau.name.zh, *bureau.short_names]
    print(f"names: {', '.join(names)}")
    state = labels.state(bureau)
    if state is not None and state.ended is not None:
        print(f"{state.ended.kind.value} on {state.ended.on}; source: {state.ended.source}")
    _bureau_actions(bureau, actions, lang, labels)
    for unit in held:
        print()
        print(
            _label("承接", "holds the duties of", lang)
            + f": {unit.id}  {_name(unit, lang, labels)}"
        )
        _bureau_actions(unit, queries.actions_of(policy, unit), lang, labels)
    return 0


def _bureau_actions(bureau: Bureau, actions: Sequence[Action], lang: Lang, labels: Labels) -> None:
    from yantai_policy.labels import own_role  # noqa: PLC0415

    for action in actions:
        own = own_role(action, bureau)
        role = _label(own.zh, own.en, lang)
        print()
        print(
            f"{action.id}  {_label(f'第{action.measure}项', f'measure {action.measure}', lang)}  {role}"
        )
        if action.is_shared:
            print(f"  {_label('责任单位', 'units', lang)}: {_units(action, lang, labels)}")
        _say(action.text, lang, "  ")
        _print_plan_fields(action, lang)


def _co_owners(policy: Policy, number: int, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    units = queries.co_owners(policy, number)
    if as_json:
        _dump(co_owners_to_dict(number, units, lang, labels=labels))
        return 0
    for bureau in units:
        print(f"{bureau.id}  {_name(bureau, lang, labels)}")
    return 0


def _actions(policy: Policy, args: argparse.Namespace, lang: Lang, labels: Labels) -> int:
    from yantai_policy.labels import own_role  # noqa: PLC0415

    unit = policy.bureau(args.bureau)
    role = Role(args.role) if args.role else None
    found = queries.actions_of(policy, unit, role, on=labels.on)  # with the duties it took over
    if args.json:
        _dump([unit_task_to_dict(a, unit, lang, labels=labels) for a in found])
        return 0
    for action in found:  # each item with its own role where it differs (a 牵头 item)
        title = _label(f"第{action.measure}项", f"measure {action.measure}", lang)
        heading = _titled(title, own_role(action, unit), lang)
        _print_action(action, lang, heading, labels, units=True)
    return 0


def _workload(policy: Policy, lang: Lang, labels: Labels, *, as_json: bool) -> int:
    rows = queries.workload(policy)
    if as_json:
        _dump([workload_to_dict(r, lang, labels=labels) for r in rows])
        return 0
    width = max(len(r.bureau.id) for r in rows)
    print(f"{'unit':<{width}}  actions  measures  share")
    for r in rows:
        print(
            f"{r.bureau.id:<{width}}  {r.actions:>7}  {r.measures:>8}  {r.share:>5}  "
            f"{_name(r.bureau, lang, labels)}"
        )
    return 0


def _audit(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    from yantai_policy.audit import AuditConfig, audit  # noqa: PLC0415 - only this command

    config = AuditConfig(on=args.on)
    if args.threshold is not None:
        config = AuditConfig(concentration_threshold=args.threshold, on=args.on)
    if args.ledger:
        _needs_sqlalchemy()
        from yantai_policy.cli_ledger import audit_ledger  # noqa: PLC0415

        report = audit_ledger(policy, args.ledger, config)
    else:
        report = audit(policy, config)
    if args.report_format == "json":
        _dump(report.to_dict())
    elif args.report_format == "markdown":
        print(report.to_markdown(lang))
    else:
        print(report.to_text(lang))
    return 1 if report.at_least(Severity(args.fail_on)) else 0


# --- evaluate and schema ---------------------------------------------------------------

_PROGRESS_EVERY = 1000
"""Rows between two updates of the progress line (shown only when stderr is a TTY)."""


class _CommandError(PolicyError):
    """A bad option or an unreadable file: exit 2 with this one-line message."""


def _schema(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001

    schema: Callable[[], dict[str, Any]]
    if args.kind == "plan":  # the plan's schema ships with the exports (networkx)
        from yantai_policy.export import plan_schema as schema  # noqa: PLC0415
    else:  # a record's, with the record contract (the formulas)
        from yantai_policy.benefits import records  # noqa: PLC0415

        schema = records.applicant_schema if args.kind == "applicant" else records.placement_schema
    text = json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
    from yantai_policy.outfile import STDOUT, write_text  # noqa: PLC0415 - only writing needs it

    if args.output == STDOUT:
        sys.stdout.write(text)
        return 0
    write_text(args.output, text)
    print(f"wrote the {args.kind} schema to {args.output}", file=sys.stderr)
    return 0


def _evaluate(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    from yantai_policy.benefits import (  # noqa: PLC0415 - only this command needs them
        BatchSummary,
        batch_io,
        evaluate_many,
    )

    names, kind = _benefit_names(args.benefits)
    in_format = _format_of(args.input, args.input_format, "input")
    from yantai_policy.outfile import refuse_input  # noqa: PLC0415 - only writing needs it

    out_format = _format_of(args.output, args.output_format, "output", BATCH_OUTPUT_FORMATS)
    refuse_input(args.output, [args.input, args.plan])
    summary = BatchSummary()
    with contextlib.ExitStack() as stack:
        source = _open_input(args.input, in_format, stack)
        csv_input = in_format == "csv"
        bound = args.max_line_bytes
        records = (
            batch_io.csv_records(source, args.input, max_line_bytes=bound)
            if csv_input
            else batch_io.jsonl_lines(source, max_line_bytes=bound)
        )
        write = _open_output(args.output, out_format, names, stack)
        progress = _Progress() if sys.stderr.isatty() else None
        batch = evaluate_many(
            records,
            on=args.on,
            benefits=names,
            policy=policy,
            parse=batch_io.RecordParser(kind, in_format),
            decode=None if csv_input else batch_io.decode_jsonl,
            jobs=args.jobs,
        )
        for chunk in batch.chunks():
            write(summary.add_chunk(chunk))
            if progress is not None:
                progress.add(len(chunk))
        if progress is not None:
            progress.done()
    print(summary.to_text(), file=sys.stderr)
    every_row_failed = summary.rows > 0 and summary.errors == summary.rows
    return 1 if every_row_failed or (args.fail_on_error and summary.errors) else 0


def _benefit_names(given: Sequence[str] | None) -> tuple[list[str], str]:
    """The benefits asked for (by name or Chinese title), as names, and their record kind."""
    from yantai_policy.benefits import batch_formulas  # noqa: PLC0415

    formulas = batch_formulas(given or None)
    return [f.name for f in formulas], formulas[0].record


def _format_of(path: str, given: str | None, what: str, formats: Sequence[str] = ()) -> str:
    """The format of the input or output: as given, else by the file's suffix (batch formats)."""
    from pathlib import Path  # noqa: PLC0415 - pathlib costs start-up time; queries skip it

    formats = formats or BATCH_FORMATS
    if given is not None:
        return given
    if path == "-":
        raise _CommandError(f"--{what}-format is needed when the {what} is -")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        names = ", .".join(formats[:-1])
        raise _CommandError(
            f"cannot tell the format of {path}: name it .{names} or .{formats[-1]}, "
            f"or give --{what}-format"
        )
    return suffix


def _open_input(path: str, fmt: str, stack: contextlib.ExitStack) -> IO[Any]:
    """Open the input: text for CSV, bytes for UTF-8 JSON and JSONL (decoded per line).

    The encoding is told by a byte-order mark (UTF-8, UTF-16 or UTF-32), by
    `batch_io.text_input`.
    """
    from pathlib import Path  # noqa: PLC0415 - pathlib costs start-up time; queries skip it

    from yantai_policy.benefits import batch_io  # noqa: PLC0415 - only the batch commands

    if path == "-":
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:  # a text-only stand-in for stdin
            return sys.stdin
    else:
        try:
            binary = stack.enter_context(Path(path).open("rb"))  # noqa: SIM115 - the stack closes it
        except OSError as error:
            raise _CommandError(f"cannot read {path}: {error.strerror}") from None
    source = batch_io.text_input(binary, fmt, path)
    if isinstance(source, io.TextIOWrapper):
        stack.callback(source.detach)  # leave stdin itself open; the stack closes a file
    return source


def _open_output(
    path: str, fmt: str, names: Sequence[str], stack: contextlib.ExitStack
) -> Callable[[Chunk], None]:
    """Open the output (replaced only when the batch completes) and its writer of chunks."""
    from yantai_policy.benefits import batch_io  # noqa: PLC0415
    from yantai_policy.outfile import open_output  # noqa: PLC0415

    if fmt == "xlsx":
        return stack.enter_context(
            batch_io.xlsx_writer(stack.enter_context(open_output(path, binary=True)), names)
        )
    sink = stack.enter_context(open_output(path, newline=""))
    return (batch_io.csv_writer if fmt == "csv" else batch_io.jsonl_writer)(sink, names)


# --- explain and benefits ----------------------------------------------------------------

_EXPLAIN_FORMATS = ("json", "jsonl", "csv")
"""What ``explain`` reads: a JSON object besides the batch formats."""


def _explain(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    from yantai_policy.benefits import batch_io, evaluate  # noqa: PLC0415 - only this command
    from yantai_policy.outfile import printable  # noqa: PLC0415

    names, kind = _benefit_names(args.benefits)
    fmt = _format_of(args.input, args.input_format, "input", _EXPLAIN_FORMATS)
    with contextlib.ExitStack() as stack:
        record = batch_io.one_record(_open_input(args.input, fmt, stack), fmt, kind, args.input)
    decisions = [evaluate(name, record, on=args.on, policy=policy) for name in names]
    if args.json:  # an id or a key that is not text (a lone surrogate) is shown as U+FFFD
        print(printable(json.dumps([d.to_dict() for d in decisions], ensure_ascii=False, indent=2)))
    else:
        codes = ("zh", "en") if lang == "both" else (lang,)
        print(printable("\n\n".join(d.explain(code) for d in decisions for code in codes)))
    return 0


def _benefits(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    from yantai_policy.benefits import BENEFITS  # noqa: PLC0415 - only this command needs it

    listed = [b.to_dict() for b in BENEFITS.values()]
    if args.json:
        _dump(listed)
        return 0
    width = max(len(name) for name in BENEFITS)
    for b in BENEFITS.values():
        print(
            f"{b.name:<{width}}  measure {b.measure:>2}  {b.record:<9}  {b.title.zh} / {b.title.en}"
        )
    return 0


class _Progress:
    """A one-line progress report on stderr: rows done and rows per second."""

    def __init__(self) -> None:
        self.every = _PROGRESS_EVERY
        self.rows = 0
        self.started = time.monotonic()

    def add(self, rows: int) -> None:
        """Count rows; redraw at every multiple of ``every`` they pass."""
        before, self.rows = self.rows, self.rows + rows
        for mark in range((before // self.every + 1) * self.every, self.rows + 1, self.every):
            self._show(mark)

    def done(self) -> None:
        if self.rows:
            self._show(self.rows)
            sys.stderr.write("\n")

    def _show(self, rows: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        sys.stderr.write(f"\r{rows:,} rows, {rows / elapsed:,.0f} rows/s   ")
        sys.stderr.flush()


def _plot(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    import warnings  # noqa: PLC0415 - only this command needs it

    from yantai_policy import plot  # noqa: PLC0415 - matplotlib only when drawing
    from yantai_policy.outfile import refuse_input  # noqa: PLC0415

    refuse_input(args.output, [args.plan])
    try:
        plot.format_of(args.output, args.format)
    except ValueError as error:
        raise _CommandError(f"{error}, or give --format") from None
    draw: dict[str, Callable[..., Any]] = {
        "graph": plot.responsibility_graph,
        "workload": plot.workload,
        "matrix": plot.matrix,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            figure = draw[args.kind](policy, lang="en" if lang == "en" else "zh", as_of=args.as_of)
        except ImportError:
            raise _CommandError(f"the plot command needs matplotlib: {plot.INSTALL_HINT}") from None
        plot.save(figure, args.output, args.format)
    for warning in caught:
        print(f"{PROG}: warning: {warning.message}", file=sys.stderr)
    print(f"wrote the {args.kind} picture to {args.output}", file=sys.stderr)
    return 0


def _parameters(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    from yantai_policy.dates import china_today  # noqa: PLC0415
    from yantai_policy.outfile import open_output, refuse_input, start_csv  # noqa: PLC0415
    from yantai_policy.parameters import InForce  # noqa: PLC0415 - only this command
    from yantai_policy.serialize import neutralise_cell  # noqa: PLC0415

    on = china_today() if args.on is None else args.on
    rows = policy.parameters.in_force(on)
    refuse_input(args.output, [args.plan])
    with open_output(args.output, newline="" if args.report_format == "csv" else None) as out:
        if args.report_format == "json":
            _dump(parameters_to_dict(policy, on), file=out)
        elif args.report_format == "csv":
            writer = start_csv(out)
            columns = InForce.columns(lang)
            writer.writerow(columns)
            for row in rows:
                cells = row.cells(lang)
                writer.writerow([neutralise_cell(cells[c]) for c in columns])
        else:
            _parameters_text(rows, on, lang, out)
    return 0


def _parameters_text(rows: Sequence[InForce], on: dt.date, lang: Lang, out: IO[str]) -> None:
    print(_label(f"{on} 施行的参数", f"Parameters in force on {on}", lang), file=out)
    for row in rows:
        cells = row.cells(lang)
        since = cells["effective"] or _label("无", "none", lang)
        head = f"{cells['name']} = {cells['value']}  ({cells['unit']}; "
        print(f"\n{head}{_label('起', 'since', lang)} {since})", file=out)
        for key in ("_zh", "_en") if lang == "both" else ("",):
            print(f"  {cells['description' + key]}", file=out)
            print(f"  {cells['source' + key]}", file=out)


def _needs_sqlalchemy() -> None:
    try:
        import sqlalchemy  # noqa: F401, PLC0415 - the ledger extra, and only these commands load it
    except ImportError:
        hint = "pip install 'yantai-policy[ledger]' (and 'yantai-policy[postgresql]' for postgresql:// URLs)"
        raise _CommandError(f"the ledger commands need SQLAlchemy and Alembic: {hint}") from None


def _ledger(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    _needs_sqlalchemy()
    from yantai_policy.cli_ledger import run_ledger  # noqa: PLC0415

    return run_ledger(policy, args)


def _serve(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    try:
        import litestar  # noqa: F401, PLC0415 - the serve extra
        import uvicorn  # noqa: F401, PLC0415
    except ImportError:
        raise _CommandError(
            "serve needs Litestar and uvicorn: pip install 'yantai-policy[serve]'"
        ) from None
    if args.ledger:
        _needs_sqlalchemy()
    if args.require_read_token and not args.ledger:
        raise _CommandError("--require-read-token needs --ledger: the ledger holds the tokens")
    if args.workers > 1 and args.plan == "-":
        raise _CommandError("--workers needs a plan file: each worker loads it (not --plan -)")
    from yantai_policy.serve import ServeSettings, Service, listen, run  # noqa: PLC0415

    settings = ServeSettings(
        plan=args.plan,
        ledger=args.ledger,
        require_read_token=args.require_read_token,
        max_body_bytes=args.max_body_bytes,
        max_batch_bytes=args.max_batch_bytes,
    )
    service = Service.over(policy, settings)
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        service.close()
        raise _CommandError(
            f"cannot listen on {args.host}:{args.port}: {error.strerror or error}"
        ) from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(
        f"{PROG}: serving {policy.notice.document_number} on http://{shown}:{port} "
        f"(API /v1, /docs; pages /, /ledger, /report){' with a ledger' if args.ledger else ''}",
        file=sys.stderr,
        flush=True,
    )
    import signal  # noqa: PLC0415

    for number in (signal.SIGINT, signal.SIGTERM):  # uvicorn stops on them, then raises them again
        signal.signal(number, lambda *_: None)
    try:
        run(service, sock, workers=args.workers)
    finally:
        sock.close()
        service.close()
    return 0


_COMMANDS: dict[str, Callable[[Policy, argparse.Namespace, Lang], int]] = {
    "measures": _cmd_measures,
    "show": _cmd_show,
    "bureaus": _cmd_bureaus,
    "bureau": _cmd_bureau,
    "co-owners": _cmd_co_owners,
    "actions": _cmd_actions,
    "workload": _cmd_workload,
    "audit": _audit,
    "export": _export,
    "evaluate": _evaluate,
    "schema": _schema,
    "explain": _explain,
    "benefits": _benefits,
    "plot": _plot,
    "diff": _diff,
    "draft": _draft,
    "parameters": _parameters,
    "ledger": _ledger,
    "serve": _serve,
}
