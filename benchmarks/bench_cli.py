"""The command line's start: ``trainplan --help`` (no pandas, no pint) and one estimate, wall clock per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(*argv: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "planner.cli", *argv], check=True, capture_output=True, env=env)


def test_trainplan_help(benchmark):
    benchmark.pedantic(_run, args=("--help",), rounds=7, iterations=1)


def test_trainplan_estimate_bert_base(benchmark):
    benchmark.pedantic(_run, args=("estimate", "bert-base"), rounds=5, iterations=1)
