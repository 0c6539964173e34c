"""The ``yantai-policy`` command.

Built on :mod:`argparse` from the standard library: the core package keeps its
dependencies to attrs, networkx and python-dateutil, and argparse's sub-commands,
``--help`` and exit code 2 for usage errors are all this tool needs.

Exit codes: 0 on success; 1 when ``audit`` finds something at or above ``--fail-on``;
2 for a usage error, an unknown measure or unit, or a bad plan file (each with a
one-line message on stderr).

Examples:
    >>> from yantai_policy.cli import main
    >>> main(["bureau", "文明办", "--lang", "en"])
    civilization_office  Office of the Yantai Spiritual Civilization Development Commission
    kind: office
    names: civilization_office, 市文明办
    <BLANKLINE>
    19.2  measure 19  responsible
      Guide the districts and county-level cities in the work of creating provincial-level civilised cities.
    0
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from yantai_policy.audit import AuditConfig, Severity, audit
from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy
from yantai_policy.model import Role
from yantai_policy.serialize import (
    Lang,
    action_to_dict,
    bureau_to_dict,
    measure_to_dict,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from yantai_policy.model import Action, Bureau, Measure, Policy, Text

__all__ = ["main"]

PROG = "yantai-policy"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON (UTF-8, not escaped)")
    common.add_argument(
        "--lang", choices=("zh", "en", "both"), default="both", help="language (default: both)"
    )
    common.add_argument(
        "--plan", metavar="PATH", help="a plan file to use instead of the built-in Yantai plan"
    )
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Yantai's division-of-labour plan for flexible employment "
        "(烟政办字〔2021〕3号), as data.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "measures", parents=[common], help="list the measures: number, title, units"
    )
    show = commands.add_parser(
        "show", parents=[common], help="show one measure in full, with its actions and units"
    )
    show.add_argument("number", type=int, help="the measure's number, 1-20")
    commands.add_parser("bureaus", parents=[common], help="list the responsible units")
    bureau = commands.add_parser("bureau", parents=[common], help="show one unit and its actions")
    bureau.add_argument("name", help="id, Chinese name, short name or English name")
    co_owners = commands.add_parser(
        "co-owners", parents=[common], help="the units with any action under a measure"
    )
    co_owners.add_argument("number", type=int, help="the measure's number")
    actions = commands.add_parser(
        "actions", parents=[common], help="a unit's actions, optionally in one role"
    )
    actions.add_argument("--bureau", required=True, help="the unit: any of its names")
    actions.add_argument("--role", choices=[r.value for r in Role], help="only this role")
    commands.add_parser("workload", parents=[common], help="actions and measures per unit")
    audit_cmd = commands.add_parser(
        "audit", parents=[common], help="coverage audit; exits 1 at or above --fail-on"
    )
    audit_cmd.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default="error",
        help="exit 1 when a finding at or above this severity exists (default: error)",
    )
    audit_cmd.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="report format"
    )
    audit_cmd.add_argument(
        "--threshold",
        type=Fraction,
        default=AuditConfig().concentration_threshold,
        help="largest share of all actions one unit may hold (default 3/10)",
    )
    export = commands.add_parser(
        "export", parents=[common], help="write the plan or its graph in another format"
    )
    export.add_argument(
        "format",
        help="json, node-link, graphml, gexf, dot, mermaid, csv, matrix-csv or matrix-md",
    )
    export.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code.

    Args:
        argv: The arguments, without the program name; ``None`` reads ``sys.argv``.

    Returns:
        0 on success, 2 for an unknown name or number or a bad plan file.
    """
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        sys.stderr.close()
        return 0


def _run(args: argparse.Namespace) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    lang = cast("Lang", args.lang)
    try:
        policy = load_policy(args.plan)
        return _COMMANDS[args.command](policy, args, lang)
    except PolicyError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


def _cmd_measures(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _measures(policy, lang, as_json=args.json)


def _cmd_show(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _show(policy.measure(args.number), lang, as_json=args.json)


def _cmd_bureaus(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _bureaus(policy, lang, as_json=args.json)


def _cmd_bureau(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _bureau(policy, policy.bureau(args.name), lang, as_json=args.json)


def _cmd_co_owners(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _co_owners(policy, args.number, lang, as_json=args.json)


def _cmd_actions(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    role = Role(args.role) if args.role else None
    return _actions(policy, args.bureau, role, lang, as_json=args.json)


def _cmd_workload(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    return _workload(policy, lang, as_json=args.json)


def _export(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:  # noqa: ARG001
    from yantai_policy.export import write  # noqa: PLC0415 - networkx only when needed

    try:
        write(policy, args.format, args.output)
    except ValueError as error:  # an unknown format
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    if args.json:
        _dump({"format": args.format, "output": args.output})
    else:
        print(f"wrote {args.format} to {args.output}")
    return 0


def _dump(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _say(text: Text, lang: Lang, indent: str = "") -> None:
    for code in ("zh", "en"):
        if lang in (code, "both"):
            print(f"{indent}{text.get(code)}")


def _label(zh: str, en: str, lang: Lang) -> str:
    return {"zh": zh, "en": en, "both": f"{zh} / {en}"}[lang]


def _name(bureau: Bureau, lang: Lang) -> str:
    return {
        "zh": bureau.name.zh,
        "en": bureau.name.en,
        "both": f"{bureau.name.zh} {bureau.name.en}",
    }[lang]


def _measures(policy: Policy, lang: Lang, *, as_json: bool) -> int:
    if as_json:
        _dump([measure_to_dict(m, lang, actions=False) for m in policy.measures])
        return 0
    for m in policy.measures:
        units = (
            "、".join(b.name.zh for b in m.bureaus)
            if lang != "en"
            else "; ".join(b.name.en for b in m.bureaus)
        )
        title = {"zh": m.title.zh, "en": m.title.en, "both": f"{m.title.zh} / {m.title.en}"}[lang]
        print(f"{m.number:>2}  {title}")
        print(f"    {units}")
    return 0


def _show(measure: Measure, lang: Lang, *, as_json: bool) -> int:
    if as_json:
        _dump(measure_to_dict(measure, lang))
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
        _print_action(action, lang, title=_name(action.bureau, lang))
    return 0


def _print_action(action: Action, lang: Lang, title: str) -> None:
    role = _label(action.role.zh, action.role.en, lang)
    print()
    print(f"[{action.id}] {title} · {role}")
    if not action.items:
        _say(action.text, lang, "  ")
    for item in action.items:
        mark = "" if item.role is action.role else f" ({_label(item.role.zh, item.role.en, lang)})"
        number = f"{item.number}.{mark}"
        for index, code in enumerate(c for c in ("zh", "en") if lang in (c, "both")):
            print(f"  {number if index == 0 else ' ' * len(number)} {item.text.get(code)}")
    for erratum in action.text.errata:
        print(f"  ! {_label('勘误', 'erratum', lang)}: {erratum.printed} → {erratum.corrected}")


def _bureaus(policy: Policy, lang: Lang, *, as_json: bool) -> int:
    if as_json:
        _dump([bureau_to_dict(b, lang) for b in policy.bureaus])
        return 0
    width = max(len(b.id) for b in policy.bureaus)
    for bureau in policy.bureaus:
        count = sum(1 for a in policy.actions if a.bureau is bureau)
        print(f"{bureau.id:<{width}}  {_name(bureau, lang)}  ({count})")
    return 0


def _bureau(policy: Policy, bureau: Bureau, lang: Lang, *, as_json: bool) -> int:
    actions = [a for a in policy.actions if a.bureau is bureau]
    if as_json:
        out = bureau_to_dict(bureau, lang)
        out["actions"] = [action_to_dict(a, lang) for a in actions]
        _dump(out)
        return 0
    print(f"{bureau.id}  {_name(bureau, lang)}")
    print(f"kind: {bureau.kind.value}")
    names = [bureau.id, bureau.name.zh, *bureau.short_names]
    print(f"names: {', '.join(names)}")
    for action in actions:
        role = _label(action.role.zh, action.role.en, lang)
        print()
        print(
            f"{action.id}  {_label(f'第{action.measure}项', f'measure {action.measure}', lang)}  {role}"
        )
        _say(action.text, lang, "  ")
    return 0


def _co_owners(policy: Policy, number: int, lang: Lang, *, as_json: bool) -> int:
    from yantai_policy.graph import co_owners  # noqa: PLC0415 - networkx only when needed

    units = co_owners(policy.graph, number)
    if as_json:
        _dump({"measure": number, "bureaus": [bureau_to_dict(b, lang) for b in units]})
        return 0
    for bureau in units:
        print(f"{bureau.id}  {_name(bureau, lang)}")
    return 0


def _actions(policy: Policy, name: str, role: Role | None, lang: Lang, *, as_json: bool) -> int:
    from yantai_policy.graph import actions_of  # noqa: PLC0415

    found = actions_of(policy.graph, name, role)
    if as_json:
        _dump([action_to_dict(a, lang) for a in found])
        return 0
    for action in found:
        print(f"[{action.id}] {_label(action.role.zh, action.role.en, lang)}")
        _say(action.text, lang, "  ")
    return 0


def _workload(policy: Policy, lang: Lang, *, as_json: bool) -> int:
    from yantai_policy.graph import workload  # noqa: PLC0415

    rows = workload(policy.graph)
    if as_json:
        _dump(
            [
                {
                    "bureau": bureau_to_dict(r.bureau, lang),
                    "actions": r.actions,
                    "measures": r.measures,
                    "share": r.share,
                }
                for r in rows
            ]
        )
        return 0
    width = max(len(r.bureau.id) for r in rows)
    print(f"{'unit':<{width}}  actions  measures  share")
    for r in rows:
        print(
            f"{r.bureau.id:<{width}}  {r.actions:>7}  {r.measures:>8}  {r.share:>5}  {_name(r.bureau, lang)}"
        )
    return 0


def _audit(policy: Policy, args: argparse.Namespace, lang: Lang) -> int:
    report = audit(policy, AuditConfig(concentration_threshold=args.threshold))
    if args.json or args.format == "json":
        _dump(report.to_dict())
    elif args.format == "markdown":
        print(report.to_markdown(lang))
    else:
        print(report.to_text(lang))
    return 1 if report.at_least(Severity(args.fail_on)) else 0


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
}
