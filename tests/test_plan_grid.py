"""A multi-year plan under a changing grid: each calendar year's intensity on that year's energy (plan_grid)."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import api, grid_time, plan_grid
from planner.errors import PlanError
from planner.water import WaterFactor


def _place(trajectory):
    none = WaterFactor("w", 0.0, 0.0, 0.0, "IT", "test", "", "")
    one = WaterFactor("e", 1.0, 2.0, 3.0, "grid", "test", "", "")
    return plan_grid.Place(450.0, 2021, trajectory, 1.5, none, one, "test site")


def test_two_year_plan_whose_intensity_falls_ten_percent_a_year():
    # Series 500 g/kWh in 2020 falling exactly 10 %/year (2020-2024: 500 ... 328.05); the site's own figure is
    # 450 g/kWh of 2021. Plan years 1-2 = 2025, 2026 with 1,000 and 2,000 kWh:
    #   I(2025) = 450 * 295.245 / 450 = 295.245, I(2026) = 265.7205
    #   CO2e = 1000 * 295.245 / 1000 + 2000 * 265.7205 / 1000 = 295.245 + 531.441 = 826.686 kg (+ 10 kg embodied)
    #   flat: (1000 + 2000) * 450 / 1000 = 1,350 kg; water = 3000 kWh * 2 L/kWh = 6,000 L (WUE 0)
    history = {2020 + k: 500 * 0.9 ** k for k in range(5)}
    rate, low, high, first, last = grid_time.fit_trend(list(history), list(history.values()))
    trajectory = grid_time.Trajectory("TST", history, rate, low, high, (first, last), "test")
    carbon = pd.DataFrame({"option": "owned", "year": [1, 2], "energy_kwh": [1000.0, 2000.0],
                           "operational_co2e_kg": [0.0, 0.0], "embodied_co2e_kg": [10.0, 0.0], "co2e_kg": [0.0, 0.0]})
    out = plan_grid.carbon_over_time(carbon, {"owned": _place(trajectory)}, 2025, "trend")
    assert out["calendar_year"].tolist() == [2025, 2026]
    assert out["grid_gco2e_per_kwh"].tolist() == pytest.approx([295.245, 265.7205])
    assert out["operational_co2e_kg"].sum() == pytest.approx(826.686)
    assert out["co2e_kg"].sum() == pytest.approx(836.686)
    assert out["operational_co2e_flat_kg"].sum() == pytest.approx(1350.0)
    assert out["water_l"].sum() == pytest.approx(6000.0)
    assert out["water_l_low"].sum() == pytest.approx(3000.0) and out["water_l_high"].sum() == pytest.approx(9000.0)
    flat = plan_grid.carbon_over_time(carbon, {"owned": _place(trajectory)}, 2025, "flat")
    assert flat["operational_co2e_kg"].sum() == pytest.approx(1350.0)


def test_plan_option_without_a_place_is_an_error():
    carbon = pd.DataFrame({"option": ["x"], "year": [1], "energy_kwh": [1.0], "operational_co2e_kg": [0.0],
                           "embodied_co2e_kg": [0.0], "co2e_kg": [0.0]})
    with pytest.raises(PlanError, match="plan option 'x'"):
        plan_grid.carbon_over_time(carbon, {}, 2025)


def _plan(**kwargs):
    return api.procurement_plan("nvidia-dgx-h100", demand_gpu_hours=[100_000, 120_000], site={"grid_zone": "US-CA"},
                                clouds=[{"provider": "aws", "region": "us-east-1", "pricing": "on_demand"}], **kwargs)


def test_procurement_plan_applies_each_calendar_years_intensity_to_its_energy():
    plan = _plan(start_year=2027)
    owned = plan.carbon[plan.carbon["option"] == "owned"]
    usa = api.grid_series().trajectories["USA"]
    # US-CA's own figure (eGRID 2023) carried by the USA Ember trend: I(y) = I_CA * T(y) / T(2023)
    base = float(owned["operational_co2e_flat_kg"].iloc[0] / owned["energy_kwh"].iloc[0] * 1000)
    expected = base * usa.level([2027, 2028], "trend") / usa.history[2023]
    assert owned["calendar_year"].tolist() == [2027, 2028]
    assert owned["grid_gco2e_per_kwh"].to_numpy() == pytest.approx(expected)
    summary = plan.summary.set_index("option")
    assert summary.at["owned", "co2e_kg"] < summary.at["owned", "co2e_flat_kg"]
    assert summary.at["owned", "co2e_kg_low"] <= summary.at["owned", "co2e_kg"] <= summary.at["owned", "co2e_kg_high"]
    assert summary["water_l"].notna().all()
    tornado = plan.sensitivity.set_index("input")
    assert tornado.at["grid_trend", "co2e_kg_low"] < tornado.at["grid_trend", "co2e_kg_high"]
    assert any("grid basis 'trend'" in n for n in plan.notes)
    flat = _plan(start_year=2027, grid_basis="flat")
    assert flat.summary.set_index("option").at["owned", "co2e_kg"] == pytest.approx(summary.at["owned", "co2e_flat_kg"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start_year": 2034}, "start_year 2034: a 2-year plan must lie in 2000-2034"),
    ({"grid_basis": "linear"}, "grid_basis 'linear': unknown"),
])
def test_bad_plan_time_input(kwargs, message):
    with pytest.raises(PlanError, match=message):
        _plan(**kwargs)


def test_bad_site_wue_is_one_line():
    with pytest.raises(PlanError, match="wue_l_per_kwh -1 L/kWh: must be >= 0"):
        api.procurement_plan("nvidia-dgx-h100", demand_gpu_hours=[100_000], site={"grid_zone": "US-CA",
                                                                                 "wue_l_per_kwh": -1})


def test_plan_monte_carlo_draws_the_grid_trend():
    # Triangular draws of the rate within its interval: every draw's CO2e lies between the plan's low and high
    # ends (the trend at rate_low / rate_high), and the median is near the central figure.
    plan = _plan(start_year=2027, monte_carlo=200, seed=4)
    summary = plan.summary.set_index("option")
    owned = summary.loc["owned"]
    assert owned["co2e_kg_low"] <= owned["co2e_kg_p5"] < owned["co2e_kg_p50"] < owned["co2e_kg_p95"] \
        <= owned["co2e_kg_high"]
    assert owned["co2e_kg_p50"] == pytest.approx(owned["co2e_kg"], rel=0.02)
    draws = plan.monte_carlo
    assert len(draws) == 200 and "grid_trend_USA" in draws
    usa = api.grid_series().trajectories["USA"]
    assert draws["grid_trend_USA"].between(usa.rate_low, usa.rate_high).all()
    again = _plan(start_year=2027, monte_carlo=200, seed=4)
    assert again.monte_carlo["co2e_kg_owned"].tolist() == draws["co2e_kg_owned"].tolist()
