"""`api.hybrid_plan`: plan files with a [hybrid] table on the shipped data, checked against the other models."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from planner import api, defaults
from planner.errors import PlanError
from planner.ownership import capex_usd, energy_kwh_per_gpu_hour, fixed_opex_usd_per_year

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml"
SERVER_MONTH = 8 * 730.0  # GPU-hours of one 8-GPU server for a month

SMALL = {
    "server": "nvidia-dgx-h100", "owned": {"price_usd": 100000.0}, "site": {"grid_zone": "US-CA"},
    "clouds": [{"provider": "gcp", "name": "quote", "usd_per_gpu_hour": 2.0}],
    "hybrid": {"demand_gpu_hours_by_month": [SERVER_MONTH] * 12, "utilisation_cap": 1.0, "availability": 1.0,
               "basis": "cash"},
}


def test_one_busy_server_costs_what_the_ownership_model_says():
    plan = api.hybrid_plan_from_config(SMALL)
    server, _ = api.owned_server("nvidia-dgx-h100", grid_zone="US-CA", price_usd=100000.0)
    # Fleet 1 serves all 12 · 5,840 = 70,080 GPU-h: capex + a year of upkeep + the energy of 70,080 GPU-h.
    owned = (capex_usd(100000.0, server.overhead_pct_of_capex)
             + fixed_opex_usd_per_year(100000.0, server.maintenance_pct_per_year, server.staff_usd_per_server_year,
                                       server.hosting_usd_per_kw_month, server.power_w)
             + 70080 * energy_kwh_per_gpu_hour(server.power_w, 8, server.pue) * server.electricity_usd_per_kwh)
    curve = plan.curve.set_index("fleet_servers")
    assert curve.index.tolist() == [0, 1]
    assert curve.loc[0, "cash_usd"] == pytest.approx(70080 * 2.0)
    # A 5-year server bought for a 1-year plan keeps 4/5 of its value (network share included); resale_fraction 0
    # credits none of it.
    assert curve.loc[1, "cash_usd"] == pytest.approx(owned)
    assert curve.loc[1, "book_value_left_usd"] == pytest.approx(0.8 * capex_usd(100000.0, server.overhead_pct_of_capex))
    assert curve.loc[1, "owned_co2e_kg"] == pytest.approx(
        70080 * energy_kwh_per_gpu_hour(server.power_w, 8, server.pue) * server.grid_gco2e_per_kwh / 1000
        + server.embodied_kg * 12 / 60)


def test_example_all_cloud_is_the_spot_and_on_demand_split_of_the_procurement_cloud_totals():
    config = tomllib.loads(EXAMPLE.read_text())
    plan = api.hybrid_plan_from_config(config)
    # the procurement plan on the cash basis, as the hybrid example's overflow is priced
    procurement = api.procurement_plan_from_config({**{k: v for k, v in config.items() if k != "hybrid"},
                                                    "basis": {"money": "cash"}})
    breakeven = procurement.breakeven.dropna(subset=["cloud_usd_per_gpu_hour"])
    share = config["hybrid"]["spot_share"]

    def cheapest(pricing):  # per GPU-hour of the server's GPU, rework included: what the overflow takes
        rows = breakeven[breakeven["pricing"] == pricing]
        return float(rows.loc[rows["cloud_usd_per_gpu_hour"].idxmin(), "cloud_total_usd"])
    expected = share * cheapest("spot") + (1 - share) * cheapest("on_demand")
    all_cloud = plan.optima.set_index("choice").loc["all cloud"]
    assert all_cloud["cash_usd"] == pytest.approx(expected)
    # Seasonality moves GPU-hours between months, never between years.
    years = np.asarray(plan.months.groupby("year")["demand_gpu_hours"].sum())
    assert years == pytest.approx(procurement.years["demand_gpu_hours"].to_numpy())
    assert plan.months["demand_gpu_hours"].iloc[4] / plan.months["demand_gpu_hours"].iloc[11] == pytest.approx(2.0)
    best = plan.optima.set_index("choice")
    assert 0 < best.loc["lowest cost", "fleet_servers"] < best.loc["all owned", "fleet_servers"]
    assert best.loc["lowest cost", "max_wait_hours"] <= 12.0 + 1e-6
    names = {a.name for a in plan.assumptions}
    assert {"owned_availability", "carbon_price_usd_per_t", "seasonality", "spot_overhead_fraction"} <= names


def test_defaults_are_the_sourced_ones():
    plan = api.hybrid_plan_from_config({k: v for k, v in SMALL.items() if k != "hybrid"}
                                       | {"demand_gpu_hours": 70080.0, "horizon_years": 1})
    used = {a.name: a for a in plan.assumptions}
    assert used["owned_availability"] == defaults.OWNED_AVAILABILITY
    assert used["carbon_price_usd_per_t"].value == 190.0
    assert used["seasonality"].value == "flat"
    assert plan.months["demand_gpu_hours"].tolist() == pytest.approx([70080 / 12] * 12)


@pytest.mark.parametrize(("change", "message"), [
    ({"hybrid": {"colour": 1}}, "hybrid: unknown key 'colour'"),
    ({"hybrid": {"spot_share": 0.5}}, "hybrid spot: no priced spot cloud option"),
    ({"hybrid": {"on_demand": "nope"}}, "hybrid on_demand 'nope': not a priced cloud option"),
    ({"hybrid": {"seasonality": [1, 2]}}, "seasonality: 2 weights; give 12"),
    ({"hybrid": {"max_wait_hours": 4}}, "max_wait_hours: needs mean_job_hours"),
    ({"hybrid": {"capex_budget_usd": 1.0, "min_on_premises_share": 0.5}}, "hybrid constraints: no fleet"),
])
def test_bad_hybrid_tables_are_one_line_errors(change, message):
    config = {**SMALL, "demand_gpu_hours": 70080.0, "horizon_years": 1, **change}
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        api.hybrid_plan_from_config(config)
