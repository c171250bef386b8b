"""Water: on-site WUE and off-site water of electricity, per option (planner.water, api.with_water)."""

from __future__ import annotations

import numpy as np
import pytest

from planner import api, water
from planner.api import grid_water
from planner.errors import PlanError


def test_water_of_one_option_from_its_wue_and_its_grids_water_factor():
    # 1,150 kWh from the grid at PUE 1.15 -> 1,000 kWh of IT energy; WUE 0.06 L/kWh (AWS us-east-1, 2025);
    # EWIF 7.6 L/kWh (USA, LBNL 2016): on-site 1000 * 0.06 = 60 L, off-site 1150 * 7.6 = 8,740 L, total 8,800 L.
    onsite, offsite = water.water_l(1150.0 / 1.15, 0.06, 1150.0, 7.6)
    assert onsite == pytest.approx(60.0) and offsite == pytest.approx(8740.0)


def test_shipped_aws_us_east_1_factors(data):
    wue = water.cloud_wue(data["wue_onsite"], data["wue_region"], "aws", "us-east-1")
    # Published 2024: 0.12, 2025: 0.06 -> central the latest (0.06), range 0.06-0.12.
    assert (wue.low, wue.central, wue.high, wue.as_of) == (0.06, 0.06, 0.12, "2025")
    ewif = water.grid_ewif(data["ewif_by_zone"], "USA")
    assert (ewif.central, ewif.low, ewif.high) == (7.6, 0.82, 7.6)
    world = water.grid_ewif(data["ewif_by_zone"], "DEU")
    assert world.central == 0.82 and "no published grid water factor for DEU: world average used" in world.note


def test_compare_row_water_equals_its_energy_times_the_factors(data):
    workload, _ = api.make_workload(gpu="h100-sxm5-80gb", gpu_count=8, hours=100)
    result = api.compare(workload, providers=["aws"], regions=["us-east-1"], pricing=["on_demand"], servers=[])
    row = result.table.iloc[0]
    # water = E / PUE_aws * WUE + E * EWIF with PUE 1.15, WUE 0.06, EWIF 7.6
    e = row["energy_kwh"]
    assert row["water_onsite_l"] == pytest.approx(e / 1.15 * 0.06)
    assert row["water_offsite_l"] == pytest.approx(e * 7.6)
    assert row["water_l"] == pytest.approx(e / 1.15 * 0.06 + e * 7.6)
    # low end: the low energy with the low factors (0.06, 0.82); high: high energy, (0.12, 7.6)
    assert row["water_l_low"] == pytest.approx(row["energy_kwh_low"] * (0.06 / 1.15 + 0.82))
    assert row["water_l_high"] == pytest.approx(row["energy_kwh_high"] * (0.12 / 1.15 + 7.6))
    assert row["water_l_low"] <= row["water_l"] <= row["water_l_high"]
    ids = row["assumption_ids"].split(";")
    assert "wue_aws_us-east-1" in ids and "ewif_USA" in ids
    named = result.assumptions.set_index("name")
    assert named.at["wue_aws_us-east-1", "as_of"] == "2025" and named.at["ewif_USA", "source"]


def test_a_region_without_published_wue_uses_the_fleet_value_and_says_so(data):
    wue = water.cloud_wue(data["wue_onsite"], data["wue_region"], "aws", "ap-south-1")
    assert wue.central == 0.12 and wue.as_of == "2025" and "no published region WUE" in wue.note
    assert wue.low <= 0.02 and wue.high >= 2.85
    gcp = water.cloud_wue(data["wue_onsite"], data["wue_region"], "gcp", "us-central1")
    # 23,091 ML / 24 TWh x PUE 1.10 = 1.06 L per IT kWh (data_src/wue_derived.csv)
    assert gcp.central == pytest.approx(1.06) and "derived" in gcp.source.lower()


def test_single_year_region_wue_range_scales_by_the_fleets_change(data):
    wue = water.cloud_wue(data["wue_onsite"], data["wue_region"], "azure", "westus3")
    # 2.24 (2022); Microsoft fleet 0.49 (2021, the latest at or before 2022) -> 0.27 (2025): low 2.24*0.27/0.49
    assert wue.central == 2.24 and wue.high == 2.24
    assert wue.low == pytest.approx(2.24 * 0.27 / 0.49)


def test_owned_room_wue_by_cooling_type_and_user_value(data):
    air = water.owned_wue(data["wue_onsite"], "air")
    assert (air.low, air.central, air.high) == pytest.approx((0.0, 0.015, 0.03))
    unknown = water.owned_wue(data["wue_onsite"], "unknown")
    assert unknown.central == 1.8 and unknown.low == 0.0 and unknown.high == 2.85
    assert water.owned_wue(data["wue_onsite"], value=0.5).central == 0.5


def test_negative_wue_and_unknown_cooling_are_one_line_errors(data):
    with pytest.raises(PlanError, match="wue_l_per_kwh -0.1 L/kWh: must be >= 0"):
        water.owned_wue(data["wue_onsite"], value=-0.1)
    with pytest.raises(PlanError, match="cooling 'swamp': unknown; allowed: .*air"):
        water.owned_wue(data["wue_onsite"], "swamp")


def test_pareto_with_water_keeps_rows_best_in_any_objective():
    points = np.array([[1, 5, 5], [2, 1, 5], [3, 3, 1], [3, 3, 2], [1, 5, 5]], float)
    # row 3 is dominated by row 2; row 4 duplicates row 0 (the first kept)
    assert grid_water.pareto_front_nd(points).tolist() == [True, True, True, False, False]
