"""Drafting Yantai's notice: in a warm process, and end to end in a fresh one.

Budget (issue 13): drafting Yantai's notice takes at most 1 s.

Run: ``python bench/draft.py`` (``--json`` prints the figures for bench/run.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from yantai_policy.drafting import draft_plan
from yantai_policy.loading import read_data_file

BUDGET_S = 1.0
ROOT = Path(__file__).resolve().parent.parent
NOTICE = ROOT / "src" / "yantai_policy" / "data" / "yantai-2021-3.txt"


def warm(repeat: int) -> float:
    """Median seconds of `draft_plan` on Yantai's text, once the catalogue is loaded."""
    text = read_data_file("yantai-2021-3.txt").decode()
    draft_plan(text)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        draft_plan(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold(repeat: int, out: Path) -> tuple[float, float]:
    """Median seconds of ``yantai-policy draft`` in a fresh process, and of a bare interpreter."""
    command = [sys.executable, "-m", "yantai_policy", "draft", str(NOTICE), "-o", str(out)]
    bare = [sys.executable, "-c", "pass"]
    runs: dict[str, list[float]] = {"draft": [], "bare": []}
    for _ in range(repeat):  # interleaved, so both see the same machine
        for name, argv in (("draft", command), ("bare", bare)):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            runs[name].append(time.perf_counter() - start)
    return statistics.median(runs["draft"]), statistics.median(runs["bare"])


def main(argv: list[str] | None = None) -> int:
    """Print the figures; return 1 if the budget is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "yantai-draft-bench.toml"
    )
    args = parser.parse_args(argv)
    in_process = warm(args.repeat)
    end_to_end, bare = cold(max(3, args.repeat // 2), args.out)
    figures = {"warm_s": in_process, "cli_s": end_to_end, "bare_s": bare, "budget_s": BUDGET_S}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"draft_plan (warm): {in_process * 1000:.1f} ms")
        print(
            f"yantai-policy draft, fresh process: {end_to_end * 1000:.0f} ms (bare python {bare * 1000:.0f} ms)"
        )
        print(f"budget: {BUDGET_S:.0f} s")
    return 0 if max(in_process, end_to_end) <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
