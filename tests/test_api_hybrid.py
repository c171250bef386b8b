"""`api.hybrid_plan`: plan files with a [hybrid] table on the shipped data, checked against the other models."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from planner import api, defaults
from planner.errors import PlanError
from planner.owned_cost import book_value_fraction, staff_fte
from planner.ownership import capex_usd, energy_kwh_per_gpu_hour

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml"
SERVER_MONTH = 8 * 730.0  # GPU-hours of one 8-GPU server for a month

SMALL = {
    "server": "nvidia-dgx-h100", "owned": {"price_usd": 100000.0}, "site": {"grid_zone": "US-CA"},
    "clouds": [{"provider": "gcp", "name": "quote", "usd_per_gpu_hour": 2.0}], "basis": {"money": "cash"},
    "hybrid": {"demand_gpu_hours_by_month": [SERVER_MONTH] * 12, "utilisation_cap": 1.0, "availability": 1.0},
}


def test_one_busy_server_costs_what_the_ownership_model_says():
    plan = api.hybrid_plan_from_config(SMALL)
    server, _ = api.owned_server("nvidia-dgx-h100", grid_zone="US-CA", price_usd=100000.0,
                                 discount_rate=float(defaults.DISCOUNT_RATE.value), credit_residual=True)
    # Fleet 1 serves all 12 · 5,840 = 70,080 GPU-h (no idle hour): capex with its network share, a year of
    # maintenance, the cluster's staff for one server, facility per kW, the energy of 70,080 GPU-h; less the book
    # value left after 1 of 5 years (the institution view credits it).
    capex = capex_usd(100000.0, server.overhead_pct_of_capex)
    staff = staff_fte(1, server.staff_fte_base, server.staff_fte_per_server, server.staff_free_servers) \
        * server.staff_usd_per_fte_year
    energy = 70080 * energy_kwh_per_gpu_hour(server.power_w, 8, server.pue)
    book = capex * book_value_fraction(1.0, 5.0, server.resale_fraction)
    owned = (capex + 100000.0 * server.maintenance_pct_per_year / 100 + server.staff_usd_per_server_year + staff
             + (server.facility_usd_per_kw_year + 12 * server.hosting_usd_per_kw_month) * server.power_w / 1000
             + energy * server.electricity_usd_per_kwh - book)
    curve = plan.curve.set_index("fleet_servers")
    assert curve.index.tolist() == [0, 1]
    assert curve.loc[0, "cash_usd"] == pytest.approx(70080 * 2.0)
    assert curve.loc[1, "cash_usd"] == pytest.approx(owned)
    assert curve.loc[1, "book_value_left_usd"] == pytest.approx(book)
    assert curve.loc[1, "owned_co2e_kg"] == pytest.approx(
        energy * server.grid_gco2e_per_kwh / 1000 + server.embodied_kg * 12 / 60)


def test_idle_hours_draw_the_ownership_models_idle_power():
    # Half the demand: the server idles half its hours at its idle draw.
    config = {**SMALL, "hybrid": {**SMALL["hybrid"], "demand_gpu_hours_by_month": [SERVER_MONTH / 2] * 12}}
    plan = api.hybrid_plan_from_config(config)
    server, _ = api.owned_server("nvidia-dgx-h100", grid_zone="US-CA", price_usd=100000.0)
    assert server.idle_power_w > 0
    kwh = 35040 * energy_kwh_per_gpu_hour(server.power_w, 8, server.pue) \
        + 35040 * energy_kwh_per_gpu_hour(server.idle_power_w, 8, server.pue)
    assert plan.curve.set_index("fleet_servers").loc[1, "owned_energy_kwh"] == pytest.approx(kwh)


def test_example_all_cloud_is_the_spot_and_on_demand_split_of_the_procurement_cloud_totals():
    config = tomllib.loads(EXAMPLE.read_text())
    plan = api.hybrid_plan_from_config(config)
    # the procurement plan on the cash basis: undiscounted cloud totals, as the hybrid example's are
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


def test_a_quoted_commitment_is_paid_whole_and_filled_first():
    # 8 committed GPUs at a 1.50 USD/GPU-h quote: 8 · 730 · 12 · 1.5 = 105,120 USD for the year, and they carry the
    # whole 5,840 GPU-h a month, so nothing goes on demand (2 USD/GPU-h).
    config = {**SMALL, "clouds": [*SMALL["clouds"], {"provider": "gcp", "name": "commit", "pricing": "reserved_1y",
                                                     "usd_per_gpu_hour": 1.5}],
              "hybrid": {**SMALL["hybrid"], "commitment_gpus": 8}, "monte_carlo": 10}
    plan = api.hybrid_plan_from_config(config)
    cloud = plan.curve.set_index("fleet_servers").loc[0]
    assert cloud["cash_usd"] == pytest.approx(8 * 730 * 12 * 1.5)
    assert cloud["overflow_gpu_hours_commitment"] == pytest.approx(70080.0)
    assert cloud["overflow_gpu_hours_on_demand"] == 0.0
    # With a server the commitment is still paid in full.
    assert plan.curve.set_index("fleet_servers").loc[1, "cloud_usd"] == pytest.approx(8 * 730 * 12 * 1.5)
    assert any("not used by the hybrid plan" in n and "monte_carlo" in n for n in plan.notes)


def test_grant_view_with_fa_favours_owning_more():
    # F&A applies to cloud spending but not to equipment: a grant budget with F&A makes every cloud dollar dearer,
    # so the cheapest fleet is at least as large as on the institution's full cost.
    config = tomllib.loads(EXAMPLE.read_text())
    full = api.hybrid_plan_from_config(config).optima.set_index("choice")
    grant = api.hybrid_plan_from_config({**config, "basis": {"view": "grant", "fa_rate": 0.55}}).optima.set_index("choice")
    assert grant.loc["lowest cost", "fleet_servers"] >= full.loc["lowest cost", "fleet_servers"]
    assert grant.loc["all cloud", "fa_usd"] == pytest.approx(0.55 * grant.loc["all cloud", "cloud_usd"])
