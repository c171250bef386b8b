"""Report generation per format, on the hand-made sample report (3 options + the estimate row)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from report_samples import sample_report  # noqa: E402

from planner.reports import REPORT_FORMATS, render  # noqa: E402


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_render(benchmark, fmt):
    report = sample_report(chosen_index=None)
    render(report, fmt)  # import the renderer outside the timing
    data = benchmark(render, report, fmt)
    benchmark.extra_info["bytes"] = len(data)


def test_build_report(benchmark):
    benchmark(sample_report, chosen_index=None)
