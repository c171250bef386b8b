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

#: Targets of issues 18 (engine, CLI) and 16 (the app), each printed beside its figure: benchmark -> (what is compared, limit, unit).
#: ``extra:KEY`` compares an ``extra_info`` value instead of the median.
TARGETS: dict[str, list[tuple[str, float, str]]] = {
    "bench_compare.py::test_api_compare_warm_full_catalog": [("median", 0.020, "s")],
    "bench_compare.py::test_scalar_loop_full_catalog": [("extra:loop_over_engine_arithmetic", -50.0, "x")],
    "bench_compare.py::test_monte_carlo_10000_draws": [("median", 1.5, "s"), ("extra:peak_mb", 300.0, "MB")],
    "bench_compare.py::test_monte_carlo_100000_draws": [("median", 20.0, "s"), ("extra:peak_mb", 1024.0, "MB")],
    "bench_compare.py::test_compare_100x_offers": [("median", 1.0, "s")],
    "bench_cli.py::test_trainplan_help": [("median", 0.3, "s")],
    "bench_cli.py::test_trainplan_estimate_bert_base": [("median", 0.6, "s")],
    "bench_app.py::test_first_render_new_tab": [("median", 3.0, "s")],
    "bench_app.py::test_first_render_fresh_server": [("median", 3.0, "s")],
    "bench_app.py::test_interaction_round_trip": [("median", 0.3, "s")],
    "bench_app.py::test_interaction_round_trip_computed_before": [("median", 0.3, "s")],
}


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
    print("| benchmark | median | IQR | rounds | extra | target |")
    print("|---|---:|---:|---:|---|---|")
    for bench in sorted(data["benchmarks"], key=lambda b: b["fullname"]):
        stats = bench["stats"]
        extra = ", ".join(f"{k}={_value(v)}" for k, v in (bench.get("extra_info") or {}).items())
        name = bench["fullname"].split("/")[-1]
        target = "; ".join(_target(stats, bench.get("extra_info") or {}, t) for t in TARGETS.get(name, []))
        print(f"| {name} | {_fmt(stats['median'])} | {_fmt(stats['iqr'])} | {stats['rounds']} | {extra} | {target} |")
    if result.returncode != 0:
        sys.stderr.write("some benchmarks failed:\n" + result.stdout[-2000:])
    return result.returncode


def _target(stats: dict, extra: dict, target: tuple[str, float, str]) -> str:
    """'< 20 ms: met' / '>= 50x: not met (31.5x)': a negative limit is a lower bound."""
    what, limit, unit = target
    value = float(stats["median"]) if what == "median" else extra.get(what.split(":", 1)[1])
    bound = f">= {-limit:g} {unit}" if limit < 0 else (f"< {_fmt(limit)}" if unit == "s" else f"< {limit:g} {unit}")
    if value is None:
        return f"{bound}: not measured"
    met = value >= -limit if limit < 0 else value < limit
    shown = _fmt(value) if unit == "s" else f"{value:g} {unit}"
    return f"{bound}: {'met' if met else 'NOT met'} ({shown})"


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
