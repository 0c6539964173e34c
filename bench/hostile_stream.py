"""Stream a large JSONL file through ``yantai-policy evaluate`` and measure its memory.

Writes about ``--size-mb`` megabytes of applicant records (about 0.1% of them bad
lines: invalid JSON, NaN amounts, impossible dates, formula-like ids) to a temporary
directory, streaming, then runs ``yantai-policy evaluate big.jsonl --on 2021-12-31
-o out.jsonl`` as a subprocess, polling its peak resident memory (VmHWM), and checks
that the output has one line per input line and that the peak stays within budget.

Budget (issue "One definition of each rule"): peak RSS at most 300 MB on a 1 GB
input. The command's throughput budget (at least 60,000 rows/s on one core, JSONL to
JSONL, on ``evaluate_many``'s population) is measured by ``bench/run.py`` with
`evaluate_file` here.

Run: ``python bench/hostile_stream.py --size-mb 1024`` (about 3-4 minutes here);
``--size-mb 16`` for a quick run.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from import_load import ENV

LIMIT_MB = 300
BAD_LINES = (
    b"{not json",
    b'{"id": "bad-nan", "tax_due": {"vat": NaN}}',
    b'{"id": "bad-date", "left_school_on": "2021-02-30"}',
    b'{"id": "=cmd|\' /C calc\'!A0", "groups": ["graduate"]}',
    b'{"id": "bad-huge", "loan": {"kind": "individual", "amount": 1e400}}',
    b"\xff\xfe not utf-8",
)


def record(rng: random.Random, number: int) -> bytes:
    """One applicant line of about 700 bytes: a year of contributions and the rest."""
    months = [
        {"month": f"2021-{m:02d}", "amount": f"{rng.randint(300, 900)}.{rng.randint(0, 99):02d}"}
        for m in range(1, 13)
    ]
    data = {
        "id": f"A{number:09d}",
        "groups": rng.sample(["graduate", "veteran", "farmer", "hard_to_employ"], 2),
        "left_school_on": f"20{rng.randint(15, 21)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "flexible_since": "2021-01-01",
        "platform": rng.choice(["ride_hailing", "food_delivery", "express"]),
        "employment_registered": rng.random() < 0.8,
        "business_type": "individual_business",
        "first_license_on": "2021-03-01",
        "operating": True,
        "contributions": months,
        "tax_due": {"vat": "1200.00", "individual_income": "300.50"},
        "loan": {"kind": "individual", "amount": "150000"},
    }
    return json.dumps(data, ensure_ascii=False).encode()


def generate(path: Path, size_mb: int, seed: int = 2021) -> int:
    """Write the file line by line (a few kilobytes in memory at a time); return its lines."""
    rng = random.Random(seed)  # noqa: S311 - a benchmark's data, not a secret
    target = size_mb * 1024 * 1024
    written = lines = 0
    with path.open("wb", buffering=1 << 20) as out:
        while written < target:
            lines += 1
            line = rng.choice(BAD_LINES) if rng.random() < 0.001 else record(rng, lines)
            out.write(line + b"\n")
            written += len(line) + 1
    return lines


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB, or None once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def evaluate_file(source: Path, out: Path) -> tuple[float, float]:
    """Run ``yantai-policy evaluate SOURCE --on 2021-12-31 -o OUT``; seconds and peak MB.

    The command runs on the CPUs this process may use (pin it with
    ``cores.one_core()``), with bytecode writing allowed (``import_load.ENV``).
    Raises SystemExit if it fails.
    """
    command = [sys.executable, "-m", "yantai_policy", "evaluate", str(source)]
    command += ["--on", "2021-12-31", "-o", str(out)]
    started = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env=ENV)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.05)
    seconds = time.monotonic() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"evaluate exited {process.returncode}: {stderr}")
    return seconds, peak


def run(size_mb: int) -> dict[str, float]:
    """Generate, evaluate and measure; return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        big, out = Path(tmp) / "big.jsonl", Path(tmp) / "out.jsonl"
        started = time.monotonic()
        rows = generate(big, size_mb)
        generated = time.monotonic() - started
        seconds, peak = evaluate_file(big, out)
        with out.open("rb") as stream:
            written = sum(1 for _ in stream)
        return {
            "size_mb": big.stat().st_size / 1024 / 1024,
            "rows": rows,
            "written": written,
            "generate_s": generated,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "peak_mb": peak,
        }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and check its two limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mb", type=int, default=1024, help="input size (default 1024)")
    args = parser.parse_args(argv)
    figures = run(args.size_mb)
    print(
        f"input {figures['size_mb']:,.0f} MB, {figures['rows']:,.0f} rows "
        f"(generated in {figures['generate_s']:.0f} s); evaluate: {figures['seconds']:.1f} s, "
        f"{figures['rows_per_s']:,.0f} rows/s, peak RSS {figures['peak_mb']:.1f} MB"
    )
    assert figures["written"] == figures["rows"], figures  # noqa: S101 - a benchmark's check
    assert figures["peak_mb"] <= LIMIT_MB, figures  # noqa: S101
    print(f"ok: one output line per input line; peak at most {LIMIT_MB} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
