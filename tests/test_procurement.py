"""Procurement planning: sizing, refresh, the full cost of owning, NPV/EAC, F&A, commitments, break-even, tornado,
Monte Carlo, queue and carbon, checked by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner import api
from planner.api.owned import STRUBELL2019_CONVENTIONS
from planner.errors import PlanError
from planner.ownership import OwnedServer
from planner.procurement import (
    Basis,
    demand_with_growth,
    fleet_by_year,
    headline,
    plan,
    servers_needed,
)

R = 0.07
D1, D2, D3 = 1 / 1.07, 1 / 1.07 ** 2, 1 / 1.07 ** 3  # end-of-year discount factors at 7%


def server(**overrides):
    base = dict(server="x", gpu="h100-sxm5-80gb", gpu_count=8, price_usd=100000.0, power_w=4000.0,
                lifetime_years=5.0, utilisation=0.6, pue=1.5, electricity_usd_per_kwh=0.10,
                maintenance_pct_per_year=10.0, staff_usd_per_server_year=0.0, hosting_usd_per_kw_month=0.0,
                resale_fraction=0.0, overhead_pct_of_capex=10.0, embodied_kg=3700.0, grid_gco2e_per_kwh=400.0,
                idle_power_w=1000.0, facility_usd_per_kw_year=500.0, discount_rate=R, staff_fte_base=0.5,
                staff_fte_per_server=0.005, staff_usd_per_fte_year=100000.0, credit_residual=True)
    base.update(overrides)
    return OwnedServer(**base)


def cloud(price=2.0, ratio=1.0, overhead=0.0, pricing="on_demand", name=None):
    return pd.DataFrame([{
        "option": name or f"test {pricing}", "provider": "gcp", "region": "r", "gpu": "h100-sxm5-80gb",
        "pricing": pricing, "usd_per_gpu_hour": price, "throughput_ratio": ratio, "overhead_fraction": overhead,
        "kwh_per_gpu_hour": 0.8, "grid_gco2e_per_kwh": 100.0, "embodied_kg_per_gpu_hour": 0.02, "source": "test",
        "note": ""}])


CASH = Basis(money="cash", discount_rate=R)
NPV = Basis(money="npv", discount_rate=R)


@pytest.fixture(scope="module")
def three_years():
    return plan(server(), [70000.0] * 3, cloud(), utilisation=0.6, basis=NPV)


# Year by year, cash (2 servers bought in year 1; 70,000 / (8,760 · 8 · 0.6 = 42,048) = 1.66 -> 2):
#   capex 2 · 100,000 = 200,000 and network 10% = 20,000 (year 1 only)
#   capacity 2 · 8 · 8,760 = 140,160 GPU-h, idle 70,160 GPU-h
#   electricity (70,000 · 1.5 · 4,000 W / 8 + 70,160 · 1.5 · 1,000 W / 8) / 1000 = 52,500 + 13,155 = 65,655 kWh
#     · 0.10 = 6,565.50
#   facility 2 · 4 kW · 500 = 4,000; maintenance 2 · 10,000 = 20,000; staff 0.5 FTE · 100,000 = 50,000
#   -> year 1 300,565.50; years 2 and 3 80,565.50
#   residual at the end of year 3: K = 220,000 at age 3 of 5 -> 40% = 88,000 credited
YEAR = 6565.50 + 4000 + 20000 + 50000
CASH_TOTAL = 220000 + 3 * YEAR - 88000
NPV_TOTAL = 220000 + YEAR * (D1 + D2 + D3) - 88000 * D3


def test_two_server_plan_cash_and_npv_to_the_cent(three_years):
    tco = three_years.tco
    assert tco["servers_bought"].tolist() == [2, 0, 0]
    assert tco["electricity_usd"].tolist() == pytest.approx([6565.50] * 3, abs=0.005)
    assert tco["idle_energy_kwh"].tolist() == pytest.approx([13155.0] * 3)
    assert tco["staff_usd"].tolist() == pytest.approx([50000.0] * 3)
    assert tco["total_usd"].tolist() == pytest.approx([220000 + YEAR, YEAR, YEAR - 88000], abs=0.005)
    assert tco["total_usd"].sum() == pytest.approx(373696.50, abs=0.005)
    # NPV: purchases at the start of year 1, the rest at each year's end:
    # 220,000 + 80,565.50 · (0.934579 + 0.873439 + 0.816298) - 88,000 · 0.816298 = 359,595.1
    assert three_years.summary.iloc[0]["npv_usd"] == pytest.approx(NPV_TOTAL, abs=0.01)
    assert three_years.summary.iloc[0]["total_usd"] == pytest.approx(NPV_TOTAL, abs=0.01)  # the plan's basis
    assert three_years.summary.iloc[0]["cash_usd"] == pytest.approx(CASH_TOTAL, abs=0.005)
    # EAC = NPV · CRF(7%, 3) = NPV · 0.07 / (1 - 1.07^-3) = NPV · 0.381052
    assert three_years.summary.iloc[0]["eac_usd"] == pytest.approx(NPV_TOTAL * 0.07 / (1 - 1.07 ** -3))


def test_cloud_is_discounted_at_each_years_end(three_years):
    # 70,000 GPU-h · 2.00 = 140,000 a year; NPV 140,000 · (D1 + D2 + D3) = 367,404.2
    row = three_years.summary.set_index("option").loc["test on_demand"]
    assert row["cash_usd"] == pytest.approx(420000.0)
    assert row["total_usd"] == pytest.approx(140000 * (D1 + D2 + D3))


def test_breakeven_with_idle_power_and_capital_recovery_agrees_with_the_totals(three_years):
    row = three_years.breakeven.iloc[0]
    # weights Σ d_y: capacity 140,160 · 2.624316, demand 70,000 · 2.624316 -> achieved 70,000 / 140,160 = 0.49943
    # fixed F = NPV - electricity 6,565.50 · 2.624316 = 342,365.2 over 367,824.1 capacity GPU-h = 0.930784
    # e_b = 0.75 kWh · 0.10 = 0.075; e_i = 0.1875 kWh · 0.10 = 0.01875; p = 2.00
    # u* = (0.930784 + 0.01875) / (2.00 - 0.075 + 0.01875) = 0.488506 <= 0.49943: owning is (just) cheaper
    weights = D1 + D2 + D3
    fixed = (NPV_TOTAL - 6565.50 * weights) / (140160 * weights)
    assert row["owned_fixed_usd_per_gpu_capacity_hour"] == pytest.approx(fixed)
    assert row["breakeven_utilisation"] == pytest.approx((fixed + 0.01875) / (2.0 - 0.075 + 0.01875))
    assert row["achieved_utilisation"] == pytest.approx(70000 / 140160)
    assert row["verdict"].startswith("owning is cheaper")


@pytest.mark.parametrize("price", [0.5, 1.9, 1.96, 2.0, 3.0])
def test_every_verdict_and_the_headline_agree_with_the_totals(price):
    result = plan(server(), [70000.0] * 3, cloud(price=price), utilisation=0.6, basis=NPV)
    row = result.breakeven.iloc[0]
    owning_cheaper = row["owned_total_usd"] <= row["cloud_total_usd"]
    assert row["verdict"].startswith("owning is cheaper") == owning_cheaper
    assert (row["achieved_utilisation"] >= row["breakeven_utilisation"]) == owning_cheaper
    assert ("owning is cheaper" in headline(result)) == owning_cheaper
    assert result.bases.set_index(["view", "money"]).loc[("institution", "npv"), "verdict"] == \
        ("owning is cheaper" if owning_cheaper else "cloud is cheaper")


def test_fa_applies_to_cloud_and_mtdc_items_only_in_the_grant_view():
    # grant, cash, fa 0.5: equipment 220,000 without F&A; maintenance + staff (20,000 + 50,000) · 1.5 a year
    # -> 220,000 + 3 · 105,000 = 535,000; no electricity or space (in the F&A pool), no residual
    # cloud: 420,000 · 1.5 = 630,000
    grant = plan(server(), [70000.0] * 3, cloud(), utilisation=0.6, basis=Basis(money="cash", view="grant",
                                                                                  fa_rate=0.5))
    assert grant.summary.iloc[0]["total_usd"] == pytest.approx(535000.0)
    assert grant.summary.iloc[1]["total_usd"] == pytest.approx(630000.0)
    assert "F&A applied at 50%" in grant.basis.describe()
    # F&A off: 220,000 + 3 · 70,000 = 430,000 against 420,000: the verdict flips to the cloud
    off = plan(server(), [70000.0] * 3, cloud(), utilisation=0.6, basis=Basis(money="cash", view="grant"))
    assert off.summary.iloc[0]["total_usd"] == pytest.approx(430000.0)
    assert off.summary.iloc[1]["total_usd"] == pytest.approx(420000.0)
    assert "F&A not applied (fa_rate 0)" in off.basis.describe()
    assert off.breakeven["verdict"].iloc[0].startswith("cloud is cheaper")


def test_a_commitment_used_at_half_is_paid_for_its_whole_size_and_term():
    # 1-year commitments as large as the fleet: 16 GPUs · 8,760 h = 140,160 GPU-h a year at 1.00, used 70,000 (50%)
    one = plan(server(), [70000.0] * 2, cloud(price=1.0, pricing="reserved_1y"), utilisation=0.6, basis=CASH)
    assert one.cloud["reserved_gpu_hours"].tolist() == pytest.approx([140160.0] * 2)
    assert one.cloud["cost_usd"].tolist() == pytest.approx([140160.0] * 2)
    # per used GPU-hour: 140,160 / 70,000 = 2.0023, not the 1.00 list price
    assert one.breakeven["cloud_usd_per_gpu_hour"].iloc[0] == pytest.approx(140160 / 70000)
    # a 3-year term on a 2-year horizon is still paid for 3 years: 3 · 140,160 = 420,480 (NPV: each year's end)
    three = plan(server(), [70000.0] * 2, cloud(price=1.0, pricing="reserved_3y"), utilisation=0.6, basis=NPV)
    assert three.summary.iloc[1]["cash_usd"] == pytest.approx(420480.0)
    assert three.summary.iloc[1]["npv_usd"] == pytest.approx(140160 * (D1 + D2 + D3))


def test_cloud_price_trend_and_hardware_step():
    # -10%/year: 140,000 · (1 + 0.9 + 0.81) = 379,400 cash
    trend = plan(server(), [70000.0] * 3, cloud(), utilisation=0.6,
                 basis=Basis(money="cash", cloud_price_trend_pct_per_year=-10.0))
    assert trend.cloud["cost_usd"].sum() == pytest.approx(379400.0)
    # servers 20%/year cheaper: lifetime 2, refresh in year 3 at 100,000 · 0.8^2 = 64,000 each
    step = plan(server(lifetime_years=2.0), [70000.0] * 3, cloud(), utilisation=0.6,
                basis=Basis(money="cash", hardware_price_performance_pct_per_year=20.0))
    assert step.tco["capex_usd"].tolist() == pytest.approx([200000.0, 0.0, 128000.0])


def test_embodied_is_a_time_share_for_owned_and_cloud(three_years):
    # owned: 2 servers in service · 3,700 kg / 5 years = 1,480 kg a year, beside 65,655 kWh · 400 g = 26,262 kg
    owned = three_years.carbon[three_years.carbon["option"] == "owned"]
    assert owned["embodied_co2e_kg"].tolist() == pytest.approx([1480.0] * 3)
    assert owned["operational_co2e_kg"].tolist() == pytest.approx([26262.0] * 3)
    # cloud: 70,000 GPU-h · 0.8 kWh · 100 g = 5,600 kg + 70,000 · 0.02 = 1,400 kg a year
    test = three_years.carbon[three_years.carbon["option"] == "test on_demand"]
    assert test["co2e_kg"].tolist() == pytest.approx([7000.0] * 3)


def test_spot_overhead_and_throughput_ratio_scale_cloud_gpu_hours():
    # a GPU twice as fast needs 35,000 GPU-h; 10% rework -> 38,500 GPU-h · 3.00 = 115,500 a year
    result = plan(server(), [70000.0] * 2, cloud(price=3.0, ratio=2.0, overhead=0.1, pricing="spot"),
                  utilisation=0.6, basis=CASH)
    assert result.cloud["gpu_hours"].tolist() == pytest.approx([38500.0] * 2)
    assert result.cloud["cost_usd"].tolist() == pytest.approx([115500.0] * 2)
    # per GPU-hour of the server's GPU: 3.00 · 1.1 / 2 = 1.65
    assert result.breakeven["cloud_usd_per_gpu_hour"].iloc[0] == pytest.approx(1.65)


def test_servers_bought_again_at_end_of_life():
    # lifetime 2 years: cohort of year 1 serves years 1-2, is replaced in year 3; growth adds one in year 4
    bought, fleet = fleet_by_year([2, 2, 2, 3, 3], 2)
    assert bought.tolist() == [2, 0, 2, 1, 2]
    assert fleet.tolist() == [2, 2, 2, 3, 3]


def test_fleet_does_not_shrink_before_end_of_life():
    bought, fleet = fleet_by_year([3, 1, 1], 5)
    assert bought.tolist() == [3, 0, 0]
    assert fleet.tolist() == [3, 3, 3]


def test_sizing_rounds_up_but_not_at_exact_capacity():
    # 8,760 · 8 · 0.5 = 35,040 GPU-h per server
    assert servers_needed(np.array([35040.0, 35041.0]), 8, 0.5).tolist() == [1, 2]
    assert servers_needed(52560.0, 8, 0.5, whole=False) == pytest.approx(1.5)


def test_demand_grows_geometrically():
    assert demand_with_growth(100.0, 0.1, 3) == pytest.approx([100.0, 110.0, 121.0])


def test_queue_of_two_servers_half_busy_waits_one_third(three_years):
    # ρ = 70,000 / 140,160 = 0.4994 on c = 2 slots: P(wait) ≈ 1/3 (Erlang C, c = 2, ρ = 0.5)
    assert three_years.years["utilisation"].iloc[0] == pytest.approx(70000 / 140160)
    assert three_years.years["p_wait"].iloc[0] == pytest.approx(1 / 3, abs=2e-3)


def test_peak_month_and_variable_job_lengths_lengthen_the_wait():
    # M/M/2 at ρ = 0.5: W_q = C / (c (1 - ρ)) = (1/3) / (2 · 0.5) = 1/3 job lengths (demand at exactly ρ = 0.5)
    base = plan(server(), [70080.0], cloud(), utilisation=0.6, basis=CASH)
    assert base.years["wait_job_lengths"].iloc[0] == pytest.approx(1 / 3)
    # job-length cv 2: Allen-Cunneen (1 + 4) / 2 = 2.5 -> 0.8333; peak month x1.5: ρ = 0.75 on 2 slots:
    # C = 2·0.75²/(1 + 0.75)... = 0.642857, W_q = 0.642857 / (2 · 0.25) = 1.285714, · 2.5 = 3.214286
    busy = plan(server(), [70080.0], cloud(), utilisation=0.6, basis=CASH, job_length_cv=2.0,
                peak_month_factor=1.5)
    assert busy.years["wait_job_lengths"].iloc[0] == pytest.approx(2.5 / 3)
    assert busy.years["peak_month_utilisation"].iloc[0] == pytest.approx(0.75)
    assert busy.years["peak_wait_job_lengths"].iloc[0] == pytest.approx(0.642857 / 0.5 * 2.5, rel=1e-5)


def test_a_job_larger_than_the_fleet_is_a_visible_warning():
    # 2 servers of 8 GPUs = 16 GPUs; a 64-GPU job can never start
    result = plan(server(), [70000.0], cloud(), utilisation=0.6, basis=CASH, largest_job_gpus=64)
    assert not result.years["job_fits"].iloc[0]
    assert any(n.startswith("WARNING: a 64-GPU job is larger than the fleet in year(s) 1") for n in result.notes)


def test_tornado_covers_the_listed_inputs_and_names_its_sources(three_years):
    table = three_years.sensitivity.set_index("input")
    assert {"demand", "growth", "cloud_price", "cloud_price_trend_pct_per_year", "fa_rate", "discount_rate",
            "overhead_pct_of_capex", "idle_power_fraction", "pue", "electricity_usd_per_kwh", "lifetime_years",
            "target_utilisation"} <= set(table.index)
    assert table["source"].str.len().min() > 10
    # discount rate 0 is the cash basis: 373,696.50
    assert table.loc["discount_rate", "tco_usd_low"] == pytest.approx(CASH_TOTAL)
    # electricity is an absolute range: California's 0.2391 USD/kWh -> 65,655 kWh · 0.2391 a year more
    assert table.loc["electricity_usd_per_kwh", "high"] == pytest.approx(0.2391)


def test_monte_carlo_is_seeded_with_a_stream_per_input():
    a = plan(server(), [70000.0] * 3, cloud(), utilisation=0.6, basis=NPV, monte_carlo_draws=40, seed=3)
    b = plan(server(), [70000.0] * 3, cloud(), utilisation=0.6, basis=NPV, monte_carlo_draws=40, seed=3)
    pd.testing.assert_frame_equal(a.monte_carlo, b.monte_carlo)
    assert 0 < a.monte_carlo["owning_cheaper"].mean() < 1  # the plan sits near break-even
    assert any(n.startswith("Monte Carlo (40 draws, seed 3): P(owning is cheaper than test on_demand)")
               for n in a.notes)
    # independent streams: dropping the last input leaves every other input's draws unchanged
    from planner.procurement import Inputs, default_ranges, monte_carlo
    inputs = Inputs(replace(server(), utilisation=0.6), np.array([70000.0] * 3), cloud(), 0.6, True, NPV)
    fewer = monte_carlo(inputs, 40, 3, default_ranges()[:-1])
    pd.testing.assert_series_equal(fewer["pue"], a.monte_carlo["pue"])


def test_lisa_case_study_owning_costs_about_half_of_on_demand():
    # Strubell et al. 2019 sec. 4 with their conventions (servers written off, electricity only, cash):
    # 239,942 GPU-h over 172 days on 8x GTX 1080 Ti servers at $20,000.
    # u = 172 · 24 / 8,760 = 0.4712 -> 239,942 / (4,128 h · 8) = 7.27 servers (the paper's 7.25). Capex
    # 7.266 · 20,000 = 145,323; electricity 239,942 GPU-h · 1.58 · 2,470.08 W / 8 / 1000 = 117,050 kWh · 0.1241
    # = 14,526 -> 159,849 USD. On-demand P100 at the 2019 price: 239,942 · 1.46 = 350,315 USD -> 0.456.
    conventions = {k: v for k, v in STRUBELL2019_CONVENTIONS.items() if k not in ("discount_rate", "credit_residual")}
    result = api.procurement_plan(
        "strubell-8x-gtx1080ti", horizon_years=1, demand_gpu_hours=239942.0, target_utilisation=172 * 24 / 8760,
        whole_servers=False, site={"grid_zone": "USA"},
        owned={"maintenance_pct_per_year": 0.0, "staff_usd_per_server_year": 0.0, **conventions},
        basis={"money": "cash", "credit_residual": False},
        clouds=[{"provider": "gcp", "name": "gcp 2019 P100 on-demand", "gpu": "p100-pcie-16gb",
                 "usd_per_gpu_hour": 1.46, "throughput_ratio": 1.0}])
    assert result.years["servers_needed"].iloc[0] == pytest.approx(7.25, abs=0.02)
    owned = result.summary.iloc[0]["total_usd"]
    on_demand = result.summary.iloc[1]["total_usd"]
    assert on_demand == pytest.approx(239942 * 1.46)
    assert owned == pytest.approx(145323 + 14526, rel=1e-3)
    assert 0.4 < owned / on_demand < 0.55


def test_shipped_prices_have_no_reserved_and_say_so():
    result = api.procurement_plan("nvidia-dgx-h100", horizon_years=2, demand_gpu_hours=[100000.0, 100000.0],
                                  clouds=[{"provider": "aws", "region": "us-east-1"}])
    by_pricing = result.breakeven.set_index("pricing")
    assert by_pricing.loc["on_demand", "cloud_usd_per_gpu_hour"] > 0
    assert np.isnan(by_pricing.loc["reserved_1y", "cloud_usd_per_gpu_hour"])
    assert any(n.startswith("aws us-east-1 h100-sxm5-80gb reserved_1y: no reserved price in the data")
               for n in result.notes)
    assert {"spot_overhead_aws us-east-1 h100-sxm5-80gb spot", "gcp_preemption_pct_per_day", "horizon_years",
            "target_utilisation", "discount_rate", "fa_rate", "cost_basis", "busy_power_w",
            "idle_power_fraction"} <= {a.name for a in result.assumptions}
    # DGX H100 busy power is its sourced typical training draw, 0.76 · 10.2 kW (Newkirk et al. 2025)
    assert result.tco["energy_kwh"].iloc[0] > 0
    assert [a.value for a in result.assumptions if a.name == "busy_power_w"] == [pytest.approx(7752.0)]


def test_portfolio_counts_preset_runs_on_the_servers_gpu():
    # BERT base: 64 V100 · 79.2 h = 5,068.8 GPU-h a run; DGX-1 holds the same V100 -> 2 runs = 10,137.6,
    # growing 50% in year 2 -> 15,206.4
    demand, _ = api.procurement_demand("v100-sxm2-16gb", 2, growth=0.5,
                                       portfolio=[{"preset": "bert-base", "runs": 2}])
    assert demand == pytest.approx([10137.6, 15206.4])


@pytest.mark.parametrize("kwargs,message", [
    ({"demand_gpu_hours": [100.0, -5.0]}, r"^demand_gpu_hours \(year 2\) -5 h: must be >= 0; allowed: \[0, 1e\+10\] h$"),
    ({"demand_gpu_hours": 100.0, "target_utilisation": 1.0}, r"^target_utilisation 1: must be < 1; allowed: \(0, 1\)"),
    ({"demand_gpu_hours": 100.0, "horizon_years": 0}, r"^horizon_years 0: must be a whole number 1 to 30$"),
    ({"demand_gpu_hours": 100.0, "server": "dgx-9000"}, r"^server 'dgx-9000': unknown"),
    ({"demand_gpu_hours": 100.0, "owned": {"lifetime_years": 4.5}}, r"^lifetime_years 4.5: must be a whole number"),
    ({"demand_gpu_hours": [1.0, 2.0], "horizon_years": 3}, r"^demand_gpu_hours: 2 values for a 3-year horizon"),
    ({"demand_gpu_hours": 1.0, "clouds": [{"provider": "aws", "region": "us-east-1", "gpu": "gtx-1080-ti"}]},
     r"^cloud entry 1: no gtx-1080-ti offer in aws us-east-1; offered there: "),
    ({"demand_gpu_hours": 1.0, "basis": {"money": "accrual"}}, r"^money 'accrual': not allowed; allowed: npv, cash"),
    ({"demand_gpu_hours": 1.0, "basis": {"fa_rate": -0.1}}, r"^basis fa_rate -0.1: must be >= 0; allowed: \[0, 2\]"),
    ({"demand_gpu_hours": 1.0, "basis": {"rate": 0.1}}, r"^basis: unknown key 'rate'; allowed: money, view"),
    ({"demand_gpu_hours": 1.0, "owned": {"facility": "cave"}}, r"^facility 'cave': not allowed; allowed: in_house"),
    ({"demand_gpu_hours": 1.0, "peak_month_factor": 0.5}, r"^peak_month_factor 0.5: must be >= 1"),
])
def test_bad_plans_give_one_line_errors_naming_the_field(kwargs, message):
    kwargs = {"server": "nvidia-dgx-h100", **kwargs}
    with pytest.raises(PlanError, match=message) as caught:
        api.procurement_plan(kwargs.pop("server"), **kwargs)
    assert "\n" not in str(caught.value)


def test_plan_file_with_an_unknown_key_names_it():
    with pytest.raises(PlanError, match=r"^plan: unknown key 'servers'; allowed: server, "):
        api.procurement_plan_from_config({"servers": "nvidia-dgx-h100"})


def test_plan_without_cloud_options_still_costs_owning():
    result = plan(server(), [70000.0] * 3, cloud().iloc[0:0], utilisation=0.6, basis=CASH)
    assert result.summary["option"].tolist() == ["owned"]
    assert result.summary["total_usd"].iloc[0] == pytest.approx(CASH_TOTAL)
    assert result.breakeven.empty


def test_spot_price_gap_moves_spot_toward_its_own_on_demand_price():
    from planner.procurement import spot_toward_on_demand
    options = pd.DataFrame({"provider": ["aws", "aws", "gcp"], "region": ["r", "r", "r"], "gpu": ["h100"] * 3,
                            "pricing": ["on_demand", "spot", "spot"], "usd_per_gpu_hour": [5.0, 2.0, 1.0]})
    # aws spot: 2 + 0.5 · (5 − 2) = 3.5; gcp spot has no on-demand sibling: kept at 1.0; on-demand unchanged
    moved = spot_toward_on_demand(options, 0.5)
    assert moved["usd_per_gpu_hour"].tolist() == pytest.approx([5.0, 3.5, 1.0])
    assert spot_toward_on_demand(options, 0.0)["usd_per_gpu_hour"].tolist() == [5.0, 2.0, 1.0]


def test_tornado_and_monte_carlo_let_spot_rise_to_on_demand(three_years):
    table = three_years.sensitivity.set_index("input")
    assert table.loc["spot_price_gap", "low"] == 0.0 and table.loc["spot_price_gap", "high"] == 1.0
