"""Run every benchmark under benchmarks/ and print one table (median, IQR, rounds) for the README.

    python benchmarks/run_all.py            # prints a Markdown table, with date, cores and command
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        command = [sys.executable, "-m", "pytest", str(REPO / "benchmarks"), "-q", "-p", "no:cacheprovider",
                   "--benchmark-enable", "--benchmark-only", f"--benchmark-json={out}", "-o", "addopts=",
                   "-o", "python_files=bench_*.py"]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        if not out.exists():
            sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
            return 1
        data = json.loads(out.read_text())
    print(f"Measured {dt.date.today().isoformat()} on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          "with `python benchmarks/run_all.py`.\n")
    print("| benchmark | median | IQR | rounds | extra |")
    print("|---|---:|---:|---:|---|")
    for bench in sorted(data["benchmarks"], key=lambda b: b["fullname"]):
        stats = bench["stats"]
        extra = ", ".join(f"{k}={_value(v)}" for k, v in (bench.get("extra_info") or {}).items())
        name = bench["fullname"].split("/")[-1]
        print(f"| {name} | {_fmt(stats['median'])} | {_fmt(stats['iqr'])} | {stats['rounds']} | {extra} |")
    if result.returncode != 0:
        sys.stderr.write("some benchmarks failed:\n" + result.stdout[-2000:])
    return result.returncode


def _value(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


if __name__ == "__main__":
    raise SystemExit(main())
