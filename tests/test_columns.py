"""planner.columns: one display format per column, shared by the app, the CLI and the reports."""

from __future__ import annotations

import math

import pandas as pd

from planner.columns import column_format, display_table, header, readable, text_table, with_option_columns


def test_headers_carry_units_and_bounds_take_their_base_format():
    assert header("cost_usd") == "Cost (USD)"
    assert header("cost_usd_low") == "Cost, low (USD)"
    assert header("co2e_kg_p95") == "CO2e, operational, 95th percentile (kg)"
    assert header("wall_hours") == "Wall-clock (h)"
    assert header("electricity_usd_per_kwh") == "Electricity (USD/kWh)"  # from the unit suffix


def test_cells_read_as_money_whole_numbers_and_blanks():
    assert column_format("cost_usd").show(3280770.4) == "$3,280,770"
    # below $1,000 a whole-dollar column keeps its cents: $3.90, not $4 (a 1-GPU hour is not rounded away)
    assert column_format("cost_usd").show(-541.2) == "-$541.20" and column_format("cost_usd").show(3.904) == "$3.90"
    assert column_format("cost_usd").show(999.996) == "$1,000.00" and column_format("cost_usd").show(1000.4) == "$1,000"
    assert column_format("gpu_count").show(8.0) == "8"
    assert column_format("wall_hours").show(1112.04) == "1,112.0"
    assert column_format("spot_overhead_fraction").show(0.125) == "12.5%"
    # small values keep two significant figures rather than rounding to 0
    assert column_format("co2e_kg").show(0.43) == "0.43" and column_format("energy_kwh").show(3.21) == "3.2"
    for missing in (None, math.nan, pd.NA):
        assert column_format("cost_usd").show(missing) == ""
        assert column_format("server").show(missing) == ""
    assert column_format("pareto").show(True) == "yes" and column_format("pareto").show(False) == ""


def test_display_table_and_text_table_fit_a_width():
    table = pd.DataFrame({"provider": ["aws", "owned"], "instance_type": ["p4d.24xlarge", None],
                          "server": [None, "a-very-long-owned-server-name-x8"], "accounting_mode": [None, "shared"],
                          "pricing": ["on_demand", "owned"], "gpu_count": [8.0, 16.0], "cost_usd": [1614.2, None]})
    shown = display_table(table, ["provider", "gpu_count", "cost_usd"])
    assert shown.to_dict("list") == {"Provider": ["aws", "owned"], "GPUs": ["8", "16"], "Cost (USD)": ["$1,614", ""]}
    listed = with_option_columns(table)
    assert listed["machine"].tolist() == ["p4d.24xlarge", "a-very-long-owned-server-name-x8"]
    assert listed["terms"].tolist() == ["on_demand", "owned, shared"]
    text = text_table(listed, ["provider", "machine", "terms", "gpu_count", "cost_usd"], width=60)
    lines = text.splitlines()
    # 60 characters: the headers wrap onto two lines first ("Instance /" over "server"), then text is cut
    assert len(lines) == 4 and lines[1].split()[:2] == ["Provider", "server"]
    assert max(map(len, lines)) <= 60 and "…" in lines[3] and lines[2].rstrip().endswith("$1,614")
    # wide enough: one header line, nothing cut
    roomy = text_table(listed, ["provider", "machine", "terms", "gpu_count", "cost_usd"], width=120).splitlines()
    assert len(roomy) == 3 and roomy[0].startswith("Provider  Instance / server") and "…" not in "".join(roomy)


def test_a_year_shows_without_a_thousands_separator():
    from planner.columns import column_format

    # `trainplan catalog grid` showed the grid's year 2023 as "2,023"
    assert column_format("year").show(2023.0) == "2023" and column_format("year").printf == "%d"
    assert column_format("breakeven_year").show(3) == "3"


def test_pricing_words_replace_whole_words_only():
    # one map for the app, the reports and the estimate's note: ids and notes read in words
    assert readable("aws us-west-2 p4de.24xlarge on_demand") == "aws us-west-2 p4de.24xlarge on-demand"
    assert readable("gcp us-central1 a3-highgpu-8g reserved_1y") == "gcp us-central1 a3-highgpu-8g 1-year reserved"
    # a column name that merely contains a pricing word is left as it is
    assert readable("on_demand_cost_usd and spot_statistic") == "on_demand_cost_usd and spot_statistic"
