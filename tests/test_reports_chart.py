"""The cost-vs-CO2e chart: which options it plots, and stable bytes."""

from __future__ import annotations

import pandas as pd
from report_samples import options_table, sample_report

from planner.reports.chart import chart_png, chart_svg, plotted_points


def test_chart_plots_only_options_with_a_positive_cost_and_co2e():
    options = options_table()
    options.loc[0, "cost_usd"] = float("nan")
    options.loc[2, "co2e_kg"] = 0.0
    report = sample_report(chosen_index=1, options_table=options)
    assert plotted_points(report)["option"].tolist() == ["gcp us-central1 a2-ultragpu-8g spot"]


def test_chart_is_none_when_nothing_can_be_plotted():
    empty = pd.DataFrame({"cost_usd": [float("nan")], "co2e_kg": [1.0]})
    report = sample_report(chosen_index=0, options_table=empty)
    assert chart_png(report) is None and chart_svg(report) is None


def test_chart_svg_has_no_date_and_the_same_bytes_twice():
    report = sample_report()
    first = chart_svg(report)
    assert first.startswith("<svg") and "<dc:date>" not in first
    assert first == chart_svg(report)
