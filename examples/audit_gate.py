"""Gate CI on the plan's coverage audit, through the exit code.

For: whoever maintains a plan file (this city's or another's in the same format) and wants
CI to fail when the audit finds something serious: a measure nobody owns, an action with
no unit, a measure where every unit only assists.

Run it::

    python examples/audit_gate.py            # fails (exit 1) on findings at "error" or above
    python examples/audit_gate.py warning    # stricter: fails on warnings too

It prints the audit report, then one line saying whether the gate passes, and exits 0 when
no finding is at or above the given severity (``info``, ``warning`` or ``error``; default
``error``) and 1 otherwise, so a CI step fails exactly when the gate does. The built-in
command does the same::

    yantai-policy audit --fail-on error
"""

from __future__ import annotations

import sys

import yantai_policy as yp
from yantai_policy.audit import Severity, audit

_USAGE = "usage: python audit_gate.py [info|warning|error]"


def main(argv: list[str]) -> int:
    """Run the audit, print it, and return 1 if the gate fails (2 on a usage error)."""
    if len(argv) > 1:
        print(_USAGE, file=sys.stderr)
        return 2
    try:
        level = Severity(argv[0] if argv else "error")
    except ValueError:
        print(f"unknown severity {argv[0]!r}; {_USAGE}", file=sys.stderr)
        return 2

    report = audit(yp.load_policy())
    print(report.to_text("en"))
    print()

    blocking = report.at_least(level)
    if blocking:
        codes = sorted({f.code for f in blocking})
        print(
            f"audit gate at {level.value!r}: FAILED, {len(blocking)} finding(s) at or above "
            f"{level.value} ({', '.join(codes)})"
        )
        print(f"(same as: yantai-policy audit --fail-on {level.value})")
        return 1
    print(f"audit gate at {level.value!r}: passed, no finding at or above {level.value}")
    print(f"(same as: yantai-policy audit --fail-on {level.value})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
