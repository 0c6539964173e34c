"""Cold-start cost: a fresh ``import yantai_policy`` plus ``load_policy()``.

Compares, in the same run, the median wall time of a bare ``python -c pass`` with a
fresh interpreter that imports the package and loads the built-in plan. The budget
(issue 11; issue 2 set 100 ms) is 40 ms over the bare interpreter on the project's
2-core machines.

Run: ``python bench/import_load.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

BARE = "pass"
ATTRS = "import attrs"
LOAD = "import yantai_policy; yantai_policy.load_policy()"


# An installed package has its bytecode compiled by pip; let the warm-up write it here
# too (some machines set PYTHONDONTWRITEBYTECODE, which would time the compiler instead).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time_ms(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
    return (time.perf_counter() - start) * 1000


def medians(codes: list[str], runs: int) -> list[float]:
    """Median wall time of each snippet in a fresh interpreter, runs interleaved.

    Interleaving (bare, attrs, load, bare, ...) keeps a drifting machine from
    favouring whichever snippet ran first.
    """
    for code in codes:  # warm the file cache and write bytecode
        _time_ms(code)
    times: list[list[float]] = [[] for _ in codes]
    for _ in range(runs):
        for index, code in enumerate(codes):
            times[index].append(_time_ms(code))
    return [statistics.median(t) for t in times]


def main() -> None:
    """Print the medians and the difference."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    bare, attrs, load = medians([BARE, ATTRS, LOAD], runs)
    print(f"python {platform.python_version()} on {platform.machine()}, {runs} runs each (median)")
    print(f"bare interpreter              {bare:7.1f} ms")
    print(f"import attrs (a core dep)     {attrs:7.1f} ms  ({attrs - bare:+.1f} over bare)")
    print(
        f"import + load_policy()        {load:7.1f} ms  ({load - bare:+.1f} over bare, budget +40)"
    )
    print(f"  of which yantai_policy own  {load - attrs:7.1f} ms")


if __name__ == "__main__":
    main()
