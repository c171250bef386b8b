"""Procurement planning: sizing, refresh, TCO, break-even, tornado and carbon, checked by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner import api
from planner.errors import PlanError
from planner.ownership import OwnedServer, shared_usd_per_gpu_hour
from planner.procurement import (
    breakeven_utilisation,
    demand_with_growth,
    electricity_usd_per_gpu_hour,
    fixed_usd_per_server_year,
    fleet_by_year,
    plan,
    servers_needed,
)


def server(**overrides):
    base = dict(server="x", gpu="h100-sxm5-80gb", gpu_count=8, price_usd=100000.0, power_w=4000.0,
                lifetime_years=5.0, utilisation=0.6, pue=1.5, electricity_usd_per_kwh=0.10,
                maintenance_pct_per_year=10.0, staff_usd_per_server_year=2000.0, hosting_usd_per_kw_month=10.0,
                resale_fraction=0.5, overhead_pct_of_capex=10.0, embodied_kg=3700.0, grid_gco2e_per_kwh=400.0)
    base.update(overrides)
    return OwnedServer(**base)


def cloud(price=2.0, ratio=1.0, overhead=0.0, pricing="on_demand"):
    return pd.DataFrame([{
        "option": f"test {pricing}", "provider": "gcp", "region": "r", "gpu": "h100-sxm5-80gb", "pricing": pricing,
        "usd_per_gpu_hour": price, "throughput_ratio": ratio, "overhead_fraction": overhead, "kwh_per_gpu_hour": 0.8,
        "grid_gco2e_per_kwh": 100.0, "embodied_kg_per_gpu_hour": 0.02, "source": "test", "note": ""}])


@pytest.fixture(scope="module")
def three_years():
    return plan(server(), [70000.0] * 3, cloud(), utilisation=0.6)


def test_three_year_two_server_plan_matches_hand_computation_to_the_cent(three_years):
    # sizing: 70,000 / (8,760 · 8 · 0.6 = 42,048) = 1.66 -> 2 servers, bought in year 1, no refresh (L = 5)
    # year 1: capex 2 · 100,000 = 200,000; network/storage 10% = 20,000
    #   electricity 70,000 GPU-h · 1.5 · 4,000 W / 8 / 1000 = 52,500 kWh · 0.10 = 5,250
    #   maintenance 2 · 10% · 100,000 = 20,000; staff 2 · 2,000 = 4,000; hosting 2 · 10 · 12 · 4 kW = 960
    #   -> 250,210.00
    # year 2: 5,250 + 20,000 + 4,000 + 960 = 30,210.00
    # year 3: 30,210 - resale: capex 110,000 · 2 · (1 - 3/5) · 0.5 = 44,000 -> -13,790.00
    tco = three_years.tco
    assert tco["servers_bought"].tolist() == [2, 0, 0]
    assert tco["total_usd"].tolist() == pytest.approx([250210.00, 30210.00, -13790.00], abs=0.005)
    assert tco["total_usd"].sum() == pytest.approx(266630.00, abs=0.005)
    assert tco["resale_usd"].tolist() == pytest.approx([0.0, 0.0, -44000.00], abs=0.005)
    # cloud: 70,000 GPU-h · 2.00 = 140,000 a year, 420,000 in all
    assert three_years.cloud["cost_usd"].tolist() == pytest.approx([140000.0] * 3, abs=0.005)
    assert three_years.summary.set_index("option").loc["test on_demand", "total_usd"] == pytest.approx(420000.0)


def test_breakeven_year_is_first_year_owning_has_cost_less_in_total(three_years):
    # cumulative owned 250,210 / 280,420 / 266,630 vs cloud 140,000 / 280,000 / 420,000: year 2 misses by 420
    assert three_years.breakeven["breakeven_year"].iloc[0] == 3


def test_breakeven_utilisation_hand_computed(three_years):
    # F = 110,000 · (1 - 0.5) / 5 + 10,000 + 2,000 + 480 = 23,480 USD per server-year; e = 0.75 kWh · 0.10 = 0.075
    # u* = 23,480 / (8,760 · 8 · (2.00 - 0.075)) = 23,480 / 134,904 = 0.17405
    assert three_years.breakeven["breakeven_utilisation"].iloc[0] == pytest.approx(23480 / 134904)


@pytest.mark.parametrize("price", [0.6, 1.0, 2.0, 3.0])
def test_breakeven_utilisation_plugged_back_gives_the_cloud_price(price):
    # F = 11,000 + 10,000 + 9,000 + 480 = 30,480: u* from 0.83 (at 0.60) down to 0.149 (at 3.00), all in (0, 1]
    s = server(staff_usd_per_server_year=9000.0)
    u = float(breakeven_utilisation(fixed_usd_per_server_year(s), s.gpu_count, price,
                                    electricity_usd_per_gpu_hour(s)))
    assert 0 < u <= 1
    assert shared_usd_per_gpu_hour(replace(s, utilisation=u)) == pytest.approx(price, rel=1e-3)


def test_plan_breakeven_plugged_back_equals_cloud_cost_per_gpu_hour(three_years):
    row = three_years.breakeven.iloc[0]
    owned_there = shared_usd_per_gpu_hour(replace(server(), utilisation=row["breakeven_utilisation"]))
    assert owned_there == pytest.approx(row["cloud_usd_per_gpu_hour"], rel=1e-3)


def test_breakeven_never_when_cloud_is_below_owned_electricity():
    # electricity alone costs 0.075 per GPU-hour: a cloud at 0.05 can never be beaten
    assert np.isnan(breakeven_utilisation(23480.0, 8, 0.05, 0.075))
    # a cloud at 0.10 needs u* = 23,480 / (70,080 · 0.025) = 13.4 > 1: cheaper even on a full cluster
    assert breakeven_utilisation(23480.0, 8, 0.10, 0.075) == pytest.approx(23480 / (70080 * 0.025))
    result = plan(server(), [70000.0] * 3, cloud(price=0.05), utilisation=0.6)
    assert result.breakeven["verdict"].iloc[0].startswith("never")


def test_owned_carbon_is_site_grid_plus_embodied_of_servers_bought(three_years):
    # year 1: 52,500 kWh · 400 g/kWh = 21,000 kg + 2 servers · 3,700 kg = 28,400; later years 21,000
    owned = three_years.carbon[three_years.carbon["option"] == "owned"]
    assert owned["co2e_kg"].tolist() == pytest.approx([28400.0, 21000.0, 21000.0])
    # cloud: 70,000 GPU-h · 0.8 kWh · 100 g = 5,600 kg + 70,000 · 0.02 = 1,400 kg a year
    test = three_years.carbon[three_years.carbon["option"] == "test on_demand"]
    assert test["co2e_kg"].tolist() == pytest.approx([7000.0] * 3)


def test_spot_overhead_and_throughput_ratio_scale_cloud_gpu_hours():
    # a GPU twice as fast needs 35,000 GPU-h; 10% rework -> 38,500 GPU-h · 3.00 = 115,500 a year
    result = plan(server(), [70000.0] * 2, cloud(price=3.0, ratio=2.0, overhead=0.1, pricing="spot"),
                  utilisation=0.6)
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


def test_tornado_short_lifetime_costs_more(three_years):
    # lifetime 3: the servers are worth nothing at the end of year 3 -> no resale: 250,210 + 2 · 30,210 = 310,630
    row = three_years.sensitivity.set_index("input").loc["lifetime_years"]
    assert row["tco_usd_low"] == pytest.approx(310630.0)
    assert row["tco_usd_central"] == pytest.approx(266630.0)
    assert set(three_years.sensitivity["input"]) == {"lifetime_years", "target_utilisation",
                                                     "maintenance_pct_per_year", "pue", "electricity_usd_per_kwh",
                                                     "price_usd"}
    assert three_years.sensitivity["swing_usd"].is_monotonic_decreasing


def test_lisa_case_study_owning_costs_about_half_of_on_demand():
    # Strubell et al. 2019 sec. 4: 239,942 GPU-h over 172 days on 8x GTX 1080 Ti servers at $20,000.
    # Servers busy for 172 of 365 days: u = 172 · 24 / 8,760 = 0.4712 -> 239,942 / (4,128 h · 8) = 7.27 servers
    # (the paper rounds to 58 GPUs = 7.25). Capex 7.266 · 20,000 = 145,323; electricity 239,942 GPU-h ·
    # 1.58 · 2,470.08 W / 8 / 1000 = 117,050 kWh · 0.1241 = 14,526 -> 159,849 USD.
    # On-demand P100 at the 2019 price: 239,942 · 1.46 = 350,315 USD -> owned / cloud = 0.456, "about half".
    result = api.procurement_plan(
        "strubell-8x-gtx1080ti", horizon_years=1, demand_gpu_hours=239942.0, target_utilisation=172 * 24 / 8760,
        whole_servers=False, site={"grid_zone": "USA"},
        owned={"maintenance_pct_per_year": 0.0, "staff_usd_per_server_year": 0.0},
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
            "target_utilisation"} <= {a.name for a in result.assumptions}


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
    # 2 servers as in the 3-year plan; no cloud row to compare with
    result = plan(server(), [70000.0] * 3, cloud().iloc[0:0], utilisation=0.6)
    assert result.summary["option"].tolist() == ["owned"]
    assert result.summary["total_usd"].iloc[0] == pytest.approx(266630.0)
    assert result.breakeven.empty
