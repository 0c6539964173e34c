"""The ``yantai-policy`` command.

Built on :mod:`argparse` from the standard library: the core package keeps its
dependencies to attrs, networkx and python-dateutil, and argparse's sub-commands,
``--help`` and exit code 2 for usage errors are all this tool needs.

Exit codes: 0 on success, 2 for a usage error, an unknown measure or unit, or a bad
plan file (each with a one-line message on stderr).

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
from typing import TYPE_CHECKING, cast

from yantai_policy.errors import PolicyError
from yantai_policy.loading import load_policy
from yantai_policy.serialize import (
    Lang,
    action_to_dict,
    bureau_to_dict,
    measure_to_dict,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

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
        if args.command == "measures":
            return _measures(policy, lang, as_json=args.json)
        if args.command == "show":
            return _show(policy.measure(args.number), lang, as_json=args.json)
        if args.command == "bureaus":
            return _bureaus(policy, lang, as_json=args.json)
        return _bureau(policy, policy.bureau(args.name), lang, as_json=args.json)
    except PolicyError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


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
