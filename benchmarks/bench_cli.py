"""The command line's start: ``trainplan --help`` (no pandas, no pint) and one estimate, wall clock per process."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*argv: str, cpu: list[float] | None = None) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "planner.cli", *argv], check=True, capture_output=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:  # the process's own CPU seconds (the wall clock on a shared machine includes waiting)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def test_trainplan_help(benchmark):
    cpu: list[float] = []
    benchmark.pedantic(_run, args=("--help",), kwargs={"cpu": cpu}, rounds=7, iterations=1)
    benchmark.extra_info["cpu_s"] = round(statistics.median(cpu), 4)


def test_trainplan_estimate_bert_base(benchmark):
    cpu: list[float] = []
    benchmark.pedantic(_run, args=("estimate", "bert-base"), kwargs={"cpu": cpu}, rounds=5, iterations=1)
    benchmark.extra_info["cpu_s"] = round(statistics.median(cpu), 4)
