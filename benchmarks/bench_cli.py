"""The command line's start: ``trainplan --help`` (no pandas, no pint) and one estimate, wall clock per process.

Each round is a fresh process, as a user's shell starts it. The child runs without ``PYTHONDONTWRITEBYTECODE``
(this sandbox exports it; a user's Python writes ``__pycache__`` by default and installed wheels ship
bytecode) after one untimed warm-up run that writes the bytecode caches, so the rounds measure what a user
sees from the second run on. ``extra_info`` records that (``bytecode``) and the 1-minute load average.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(REPO)}


def _run(*argv: str, cpu: list[float] | None = None) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "planner.cli", *argv], check=True, capture_output=True, env=_env())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:  # the process's own CPU seconds (the wall clock on a shared machine includes waiting)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def _measure(benchmark, argv: tuple[str, ...], rounds: int) -> None:
    _run(*argv)  # untimed warm-up: writes the bytecode caches a user's second run finds
    cpu: list[float] = []
    benchmark.pedantic(_run, args=argv, kwargs={"cpu": cpu}, rounds=rounds, iterations=1)
    benchmark.extra_info["cpu_s"] = round(statistics.median(cpu), 4)
    benchmark.extra_info["cpu_s_min"] = round(min(cpu), 4)
    benchmark.extra_info["bytecode"] = "cached (warm-up run first; PYTHONDONTWRITEBYTECODE unset)"
    benchmark.extra_info["load_1min"] = round(os.getloadavg()[0], 2)


def test_trainplan_help(benchmark):
    _measure(benchmark, ("--help",), rounds=7)


def test_trainplan_estimate_bert_base(benchmark):
    _measure(benchmark, ("estimate", "bert-base"), rounds=7)
