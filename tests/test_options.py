"""Choosing among options: headline picks with deltas to a current choice, the current choice, the best per
region, and a report-sized subset of a comparison."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner.errors import PlanError
from planner.options import best_per_region, current_option, headline_options, report_subset


def _options():
    return pd.DataFrame({
        "provider": ["aws", "gcp", "azure"], "region": ["r1", "r2", "r3"],
        "cost_usd": [1000.0, 1200.0, 900.0], "co2e_kg": [40.0, 10.0, 80.0], "wall_hours": [10.0, 5.0, 10.0],
    })


def test_headline_options_pick_and_delta_to_current():
    picks = headline_options(_options(), current=_options().iloc[0]).set_index("pick")
    # cheapest: azure 900 $ → 900 − 1000 = −100 $; lowest carbon: gcp 10 kg → 10 − 40 = −30 kg;
    # fastest: gcp 5 h → 5 − 10 = −5 h, and it costs 1200 − 1000 = +200 $.
    assert picks.loc["cheapest", "region"] == "r3"
    assert picks.loc["cheapest", "delta_cost_usd"] == pytest.approx(-100)
    assert picks.loc["lowest_carbon", "region"] == "r2"
    assert picks.loc["lowest_carbon", "delta_co2e_kg"] == pytest.approx(-30)
    assert picks.loc["fastest", "region"] == "r2"
    assert picks.loc["fastest", "delta_wall_hours"] == pytest.approx(-5)
    assert picks.loc["fastest", "delta_cost_usd"] == pytest.approx(200)


def test_headline_options_break_ties_by_cost_and_skip_unpriced():
    table = _options().assign(wall_hours=10.0)
    table.loc[1, "cost_usd"] = math.nan
    picks = headline_options(table).set_index("pick")
    # All equally fast: the cheaper of the priced two (azure, 900 $) is "fastest"; gcp has no price.
    assert picks.loc["fastest", "region"] == "r3"
    assert picks.loc["lowest_carbon", "region"] == "r1"
    assert math.isnan(picks.loc["cheapest", "delta_cost_usd"])


def test_headline_options_empty_without_priced_rows():
    assert headline_options(_options().assign(cost_usd=math.nan)).empty


def test_headline_lowest_carbon_can_minimise_total_co2e():
    table = _options().assign(co2e_total_kg=[45.0, 60.0, 81.0])
    # Operational CO2e picks gcp (10 kg); with embodied added gcp is 60 kg and aws (45 kg) is the lowest.
    picks = headline_options(table, current=table.iloc[2], co2e_column="co2e_total_kg").set_index("pick")
    assert picks.loc["lowest_carbon", "region"] == "r1"
    assert picks.loc["lowest_carbon", "delta_co2e_total_kg"] == pytest.approx(45 - 81)
    assert "delta_co2e_kg" not in picks.columns


def _comparison():
    return pd.DataFrame({
        "provider": ["aws", "aws", "gcp", "owned", "gcp"],
        "region": ["us-east-1", "us-east-1", "us-central1", "USA", "europe-west4"],
        "pricing": ["spot", "on_demand", "on_demand", "owned", "on_demand"],
        "gpu": ["v100", "v100", "a100", "v100", "v100"],
        "cost_usd": [100.0, 300.0, 350.0, 400.0, 500.0],
        "co2e_total_kg": [50.0, 50.0, 40.0, 20.0, 5.0],
        "co2e_kg": [45.0, 45.0, 35.0, 10.0, 4.0],
        "wall_hours": [12.0, 10.0, 4.0, 20.0, 10.0],
        "pareto": [True, False, True, True, True],
        "assumption_ids": ["price_a;pue_aws", "price_b;pue_aws", "price_c;pue_gcp", "price_owned",
                           "price_d;pue_gcp;grid_intensity_gcp_europe-west4"],
    })


def test_current_option_is_the_cheapest_matching_row_or_none():
    table = _comparison()
    assert current_option(table, "aws", "us-east-1").name == 0  # spot, 100 $, is cheaper than on-demand
    assert current_option(table, "aws", "us-east-1", pricing="on_demand").name == 1
    assert current_option(table, "gcp", "us-central1", gpu="v100") is None  # only an a100 there
    assert current_option(table, None, "us-east-1") is None


def test_best_per_region_keeps_the_cheapest_row_of_each_region():
    best = best_per_region(_comparison())
    assert best[["provider", "region", "cost_usd"]].values.tolist() == [
        ["aws", "us-east-1", 100.0], ["gcp", "us-central1", 350.0], ["owned", "USA", 400.0],
        ["gcp", "europe-west4", 500.0]]
    assert len(best_per_region(_comparison(), top=2)) == 2


def test_report_subset_keeps_top_rows_front_picks_and_their_assumptions():
    table = _comparison()
    assumptions = pd.DataFrame({"name": ["price_a", "price_b", "price_c", "price_owned", "price_d", "pue_aws",
                                         "pue_gcp", "grid_intensity_gcp_europe-west4", "grid_intensity_aws_x",
                                         "workload_gpu_hours"], "value": range(10)})
    rows, kept, position = report_subset(table, assumptions, current_index=1, top=1)
    # top 1: row 0; Pareto: 0, 2, 3, 4; fastest is row 2; the current choice is row 1: every row is kept.
    assert len(rows) == 5 and position == 1
    rows, kept, position = report_subset(table.assign(pareto=[True, False, False, False, False]), assumptions,
                                         top=1)
    # Row 0 (cheapest), row 2 (fastest, 4 h) and row 4 (lowest total CO2e, 5 kg) are kept.
    assert rows["cost_usd"].tolist() == [100.0, 350.0, 500.0] and position is None
    # Kept: what rows 0, 2, 4 name, and workload_gpu_hours (no row names it and it is not per-row);
    # dropped: price_b and price_owned (other rows), grid_intensity_aws_x (per-row, a region not compared).
    assert kept["name"].tolist() == ["price_a", "price_c", "price_d", "pue_aws", "pue_gcp",
                                     "grid_intensity_gcp_europe-west4", "workload_gpu_hours"]


def test_report_subset_rejects_a_current_row_not_in_the_table():
    with pytest.raises(PlanError, match="current option 9"):
        report_subset(_comparison(), pd.DataFrame({"name": [], "value": []}), current_index=9)
