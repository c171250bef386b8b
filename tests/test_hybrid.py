"""Hybrid owned + cloud plans, checked by hand: the base owned, flat demand both ways, a carbon price."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import PlanError
from planner.hybrid import (
    CloudChoice,
    Overflow,
    OwnedCosts,
    Policy,
    cohort_schedule,
    curve,
    hybrid_plan,
    optima,
    simulate,
    timing,
    utilisation_for_wait,
)

MONTH = 730.0  # hours in a month (8760 / 12)


def owned(**changes):
    """A 1-GPU server: capex 2,000 USD, nothing else costs or emits unless a test says so."""
    base = dict(gpus_per_server=1, capex_usd=2000.0, fixed_usd_per_month=0.0, busy_kwh_per_gpu_hour=0.0,
                idle_kwh_per_gpu_hour=0.0, electricity_usd_per_kwh=0.0, grid_gco2e_per_kwh=0.0, embodied_kg=0.0,
                lifetime_months=2, resale_fraction=0.0, availability=1.0)
    base.update(changes)
    return OwnedCosts(**base)


ON_DEMAND = CloudChoice("od", "on_demand", 2.0)
CASH = Policy(utilisation_cap=1.0, basis="cash")


def fleet_row(table, n):
    return table[table["fleet_servers"] == n].iloc[0]


def test_two_month_demand_owns_exactly_the_base():
    # Month 1: 730 GPU-h (one server busy), month 2: 1,460 (two). A server for the 2-month life costs 2,000;
    # cloud 2 USD/GPU-h: 1,460 a server-month. Fleet 0: 2,190 h · 2 = 4,380; fleet 1: 2,000 + 730 · 2 = 3,460;
    # fleet 2: 4,000. The base (the smaller month) is one server: owning it is cheapest.
    table = curve([MONTH, 2 * MONTH], owned(), Overflow(ON_DEMAND), CASH)
    assert table["fleet_servers"].tolist() == [0, 1, 2]
    assert table["cash_usd"].tolist() == pytest.approx([4380.0, 3460.0, 4000.0])
    assert table["overflow_gpu_hours_on_demand"].tolist() == pytest.approx([2190.0, 730.0, 0.0])
    best = optima(table).set_index("choice")
    assert best.loc["lowest cost", "fleet_servers"] == 1
    assert best.loc["all cloud", "fleet_servers"] == 0 and best.loc["all owned", "fleet_servers"] == 2
    # The one owned server is busy both months (utilisation 1) and serves 1,460 of 2,190 GPU-h.
    assert fleet_row(table, 1)["owned_utilisation"] == pytest.approx(1.0)
    assert fleet_row(table, 1)["on_premises_share"] == pytest.approx(1460 / 2190)


@pytest.mark.parametrize(("busy_share", "winner"), [(0.9, 1), (0.3, 0)])
def test_flat_demand_all_owned_wins_busy_all_cloud_wins_idle(busy_share, winner):
    # A server costs 1,000 USD a month to keep (no capex); a full server-month on cloud costs 1,460, so owning
    # pays above 1,000 / 1,460 = 68.5% use. 12 flat months at 90%: cloud 657 · 2 · 12 = 15,768 vs owned 12,000;
    # at 30%: cloud 219 · 2 · 12 = 5,256 vs 12,000.
    server = owned(capex_usd=0.0, fixed_usd_per_month=1000.0, lifetime_months=12)
    table = curve([busy_share * MONTH] * 12, server, Overflow(ON_DEMAND), CASH)
    assert table["fleet_servers"].tolist() == [0, 1]
    assert table["cash_usd"].tolist() == pytest.approx([busy_share * MONTH * 2 * 12, 12000.0])
    best = optima(table).set_index("choice")
    assert best.loc["lowest cost", "fleet_servers"] == winner
    assert fleet_row(table, 1)["owned_utilisation"] == pytest.approx(busy_share)


def test_carbon_price_moves_the_optimum_to_the_cloud():
    # As the 90% case above (owned 12,000 USD, cloud 15,768), but the site's grid is 1,000 g/kWh at 1 kWh per
    # GPU-h: owned emits 657 · 12 = 7,884 kg; the cloud region emits nothing. Owning stays best while
    # 12,000 + 7.884 · X < 15,768, i.e. X < 3,768 / 7.884 = 477.9 USD/t.
    server = owned(capex_usd=0.0, fixed_usd_per_month=1000.0, lifetime_months=12, busy_kwh_per_gpu_hour=1.0,
                   grid_gco2e_per_kwh=1000.0)
    clean = CloudChoice("od", "on_demand", 2.0, kwh_per_gpu_hour=0.5, grid_gco2e_per_kwh=0.0)
    demand = [0.9 * MONTH] * 12
    for price, winner in ((190.0, 1), (470.0, 1), (490.0, 0)):
        table = curve(demand, server, Overflow(clean), replace(CASH, carbon_price_usd_per_t=price))
        assert fleet_row(table, 1)["co2e_kg"] == pytest.approx(7884.0)
        assert fleet_row(table, 1)["cost_plus_carbon_usd"] == pytest.approx(12000 + 7.884 * price)
        best = optima(table).set_index("choice")
        assert best.loc["lowest cost", "fleet_servers"] == 1
        assert best.loc["lowest CO2e", "fleet_servers"] == 0
        assert best.loc["lowest cost + carbon price", "fleet_servers"] == winner


def test_commitment_then_spot_share_then_on_demand_with_fa():
    # One month of 1,460 GPU-h, no servers. 1 committed GPU at 1 USD/h: 730 h paid, 730 GPU-h served. Of the
    # 730 left, half to spot at 1 USD/h with 10% rework: 365 · 1.1 = 401.5 GPU-h; the rest, 365 h, on demand at
    # 2 USD/h = 730. Cloud 730 + 401.5 + 730 = 1,861.5; F&A 50% (the grant view) adds 930.75.
    overflow = Overflow(ON_DEMAND, spot=CloudChoice("s", "spot", 1.0, overhead_fraction=0.1), spot_share=0.5,
                        commitment=CloudChoice("c", "reserved_1y", 1.0), commitment_gpus=1.0, fa_rate=0.5)
    institution = curve([2 * MONTH], owned(), overflow, CASH, sizes=[0]).iloc[0]
    assert institution["fa_usd"] == 0.0 and institution["cash_usd"] == pytest.approx(1861.5)
    row = curve([2 * MONTH], owned(), overflow, replace(CASH, view="grant"), sizes=[0]).iloc[0]
    assert row["overflow_gpu_hours_commitment"] == pytest.approx(730.0)
    assert row["overflow_gpu_hours_spot"] == pytest.approx(401.5)
    assert row["overflow_gpu_hours_on_demand"] == pytest.approx(365.0)
    assert row["cloud_usd"] == pytest.approx(1861.5)
    assert row["fa_usd"] == pytest.approx(930.75)
    assert row["cash_usd"] == pytest.approx(2792.25)


def test_npv_discounts_each_month_and_credits_resale_at_the_end():
    # One server, capex 2,000 in month 1, upkeep 100 a month, 2 months, life 24 months, salvage 50%: at the end
    # it is 2 months old; straight-line remaining 1 − 2/24, resale credits 2,000 · 0.5 · (1 − 2/24) = 916.67.
    # Its book value (straight line from 2,000 to the 1,000 salvage): 2,000 · (0.5 + 0.5 · (1 − 2/24)) = 1,916.67.
    # NPV at 12%/year: 2,100 + 100 · 1.12^(−1/12) − 916.67 · 1.12^(−2/12).
    server = owned(fixed_usd_per_month=100.0, lifetime_months=24, resale_fraction=0.5)
    policy = Policy(utilisation_cap=1.0, discount_rate=0.12)
    row = curve([MONTH, MONTH], server, Overflow(ON_DEMAND), policy, sizes=[1]).iloc[0]
    credited = 2000 * 0.5 * (1 - 2 / 24)
    assert row["book_value_left_usd"] == pytest.approx(2000 * (0.5 + 0.5 * (1 - 2 / 24)))
    assert row["cash_usd"] == pytest.approx(2200 - credited)
    assert row["npv_usd"] == pytest.approx(2100 + 100 * 1.12 ** (-1 / 12) - credited * 1.12 ** (-2 / 12))
    assert row["cost_usd"] == row["npv_usd"]
    # Crediting the residual (the institution view's convention): the whole book value, 1,916.67, comes back.
    full = curve([MONTH, MONTH], replace(server, credit_residual=True), Overflow(ON_DEMAND), policy, sizes=[1]).iloc[0]
    assert full["cash_usd"] == pytest.approx(2200 - 2000 * (0.5 + 0.5 * (1 - 2 / 24)))


def test_grant_view_staff_facility_idle_power_and_price_trends():
    # One 1-GPU server for 12 months at half load (365 GPU-h a month): upkeep (MTDC) 100 a month, facility 50 a
    # month, busy 1 kWh and idle 0.5 kWh per GPU-h at 0.1 USD/kWh, a 1-FTE cluster staff at 12,000 a year.
    # Institution: capex 2,000 + upkeep 1,200 + staff 12,000 + facility 600 + electricity
    # 12 · (365 · 1 + 365 · 0.5) · 0.1 = 657 → 16,457. Grant at F&A 50%: no electricity or facility; F&A on
    # upkeep and staff, 0.5 · 13,200 = 6,600 → 2,000 + 13,200 + 6,600 = 21,800.
    server = owned(fixed_usd_per_month=100.0, facility_usd_per_month=50.0, busy_kwh_per_gpu_hour=1.0,
                   idle_kwh_per_gpu_hour=0.5, electricity_usd_per_kwh=0.1, staff_fte_base=1.0,
                   staff_usd_per_fte_year=12000.0, lifetime_months=12)
    demand = [MONTH / 2] * 12
    institution = curve(demand, server, Overflow(ON_DEMAND, fa_rate=0.5), CASH, sizes=[1]).iloc[0]
    assert institution["owned_energy_kwh"] == pytest.approx(12 * 365 * 1.5)
    assert institution["cash_usd"] == pytest.approx(16457.0)
    grant = curve(demand, server, Overflow(ON_DEMAND, fa_rate=0.5), replace(CASH, view="grant"), sizes=[1]).iloc[0]
    assert grant["cash_usd"] == pytest.approx(21800.0) and grant["fa_usd"] == pytest.approx(6600.0)
    # No servers, no staff. Cloud prices −12%/year over 2 months: 730 · 2 · (1 + 0.88^(1/12)).
    cloud = curve([MONTH, MONTH], server, Overflow(ON_DEMAND), replace(CASH, cloud_price_trend_pct_per_year=-12.0),
                  sizes=[0]).iloc[0]
    assert cloud["cash_usd"] == pytest.approx(730 * 2 * (1 + 0.88 ** (1 / 12)))
    # A server bought in month 13 with hardware 20% cheaper a year costs 2,000 · 0.8.
    bought, fleet = cohort_schedule(np.array([[0.0] * 12 + [1.0] * 12]), 24)
    sim = simulate(np.array([0.0] * 24), fleet, bought, owned(lifetime_months=24), Overflow(ON_DEMAND),
                   replace(CASH, hardware_price_performance_pct_per_year=20.0))
    assert sim["capex_usd"].sum() == pytest.approx(1600.0)


def test_availability_and_utilisation_cap_limit_what_the_fleet_serves():
    # 1 server up 90% of 730 h, loaded to at most 80%: it serves 0.9 · 0.8 · 730 = 525.6 of a 730 GPU-h month.
    server = owned(availability=0.9)
    row = curve([MONTH], server, Overflow(ON_DEMAND), Policy(utilisation_cap=0.8), sizes=[1]).iloc[0]
    assert row["owned_gpu_hours"] == pytest.approx(525.6)
    assert row["overflow_gpu_hours_on_demand"] == pytest.approx(730 - 525.6)
    assert row["owned_utilisation"] == pytest.approx(0.72)


def test_wait_cap_is_the_load_where_the_mm_c_wait_reaches_it():
    # M/M/1: W_q/S = ρ/(1−ρ) = 1 at ρ = 0.5. M/M/2: W_q/S = ρ²/(1−ρ²) = 1/3 at ρ = 0.5.
    assert utilisation_for_wait(np.array([1.0]), 1.0)[0] == pytest.approx(0.5, abs=1e-9)
    assert utilisation_for_wait(np.array([2.0]), 1 / 3)[0] == pytest.approx(0.5, abs=1e-9)
    assert utilisation_for_wait(np.array([0.0]), 1.0)[0] == 0.0
    # A 24 h job, at most 24 h wait: one 1-GPU server carries half its hours, and the wait is 24 h.
    policy = Policy(max_wait_hours=24.0, mean_job_hours=24.0)
    row = curve([MONTH], owned(), Overflow(ON_DEMAND), policy, sizes=[1]).iloc[0]
    assert row["owned_gpu_hours"] == pytest.approx(365.0)
    assert row["max_wait_hours"] == pytest.approx(24.0)


def test_constraints_budget_and_on_premises_share():
    # The two-month case: a 3,000 USD capex budget allows 1 server (2,000), not 2; a 90% on-premises share
    # needs all of the 2,190 GPU-h but 1 server serves 1,460 (67%): only the all-owned fleet passes.
    demand = [MONTH, 2 * MONTH]
    table = curve(demand, owned(), Overflow(ON_DEMAND), replace(CASH, capex_budget_usd=3000.0))
    assert table["feasible"].tolist() == [True, True, False]
    assert "capex" in table["constraint"].iloc[2]
    shared = curve(demand, owned(), Overflow(ON_DEMAND), replace(CASH, min_on_premises_share=0.9))
    assert optima(shared).set_index("choice").loc["lowest cost", "fleet_servers"] == 2
    with pytest.raises(PlanError, match="no fleet"):
        optima(curve(demand, owned(), Overflow(ON_DEMAND),
                     replace(CASH, capex_budget_usd=1000.0, min_on_premises_share=0.9)))


def test_cohorts_refresh_at_end_of_life():
    # Life 2 months over 5 months: 3 bought in months 1, 3 and 5 (1-based); always 3 in service.
    bought, fleet = cohort_schedule(np.full((1, 5), 3.0), 2)
    assert bought[0].tolist() == [3, 0, 3, 0, 3]
    assert fleet[0].tolist() == [3, 3, 3, 3, 3]


@pytest.mark.parametrize(("resale", "bought", "strategy"), [(0.0, [2, 0], "Buy in year 1"), (0.5, [1, 1], "Stage")])
def test_timing_stages_only_when_late_servers_keep_their_value(resale, bought, strategy):
    # 1-GPU servers, capex 12,000, life 24 months; demand one server-month a month in year 1, two in year 2.
    # Buying 2 in year 1 costs 24,000 (1 server only: 12,000 + 12 · 730 · 2 = 29,520 of cloud in year 2).
    # Staged, 1 in month 1 and 1 in month 13, is also 24,000 cash, but the second is half its life old at the
    # end: book 6,000, of which 6,000 · resale comes back. Resale 0: a tie, which buys early (year 1);
    # resale 0.5: staged 24,000 − 3,000 = 21,000 wins.
    server = owned(capex_usd=12000.0, lifetime_months=24, resale_fraction=resale)
    demand = [MONTH] * 12 + [2 * MONTH] * 12
    table, verdict = timing(np.array(demand), 2, server, Overflow(ON_DEMAND), CASH)
    staged = table[table["strategy"] == "staged by year"]
    assert staged["servers_bought"].tolist() == bought
    assert staged["cash_total_usd"].iloc[0] == pytest.approx(24000 - 6000 * resale * (bought == [1, 1]))
    assert table[table["strategy"] == "buy in year 1"]["cash_total_usd"].iloc[0] == pytest.approx(24000.0)
    assert verdict.startswith(strategy)


def test_plan_puts_the_pieces_together():
    plan = hybrid_plan([MONTH, 2 * MONTH], owned(), Overflow(ON_DEMAND), CASH)
    assert plan.months["owned_gpu_hours"].tolist() == pytest.approx([730.0, 730.0])
    assert "own 1 server" in plan.answer and "all owned (2 servers)" in plan.answer
    assert set(plan.tables()) >= {"hybrid_curve", "hybrid_optima", "hybrid_months", "hybrid_timing"}


def test_bad_inputs_name_the_field():
    with pytest.raises(PlanError, match="spot_share"):
        Overflow(ON_DEMAND, spot_share=0.5)
    with pytest.raises(PlanError, match="max_wait_hours"):
        Policy(max_wait_hours=10.0)
    with pytest.raises(PlanError, match="availability"):
        owned(availability=0.0)
    with pytest.raises(PlanError, match="basis"):
        Policy(basis="accrual")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months=st.lists(st.floats(0, 5000), min_size=1, max_size=24).filter(lambda m: sum(m) > 1),
       availability=st.floats(0.5, 1.0), cap=st.floats(0.2, 1.0), spot_share=st.floats(0, 1),
       ratio=st.floats(0.5, 2.0), overhead=st.floats(0, 0.5))
def test_every_gpu_hour_is_served_once_and_more_servers_never_serve_less(months, availability, cap, spot_share,
                                                                          ratio, overhead):
    # Owned + overflow (back on the server's GPU) is the demand, for every fleet; owned service grows with the fleet;
    # the all-owned fleet serves everything.
    spot = CloudChoice("s", "spot", 1.0, throughput_ratio=ratio, overhead_fraction=overhead)
    overflow = Overflow(CloudChoice("od", "on_demand", 2.0, throughput_ratio=ratio), spot=spot, spot_share=spot_share)
    server = owned(availability=availability, lifetime_months=12)
    table = curve(months, server, overflow, Policy(utilisation_cap=cap))
    back = (table["overflow_gpu_hours_spot"] / (1 + overhead) + table["overflow_gpu_hours_on_demand"]) * ratio
    assert np.allclose(table["owned_gpu_hours"] + back, sum(months), rtol=1e-9, atol=1e-6)
    assert (np.diff(table["owned_gpu_hours"]) >= -1e-9).all()
    assert table["on_premises_share"].iloc[-1] == pytest.approx(1.0)
    assert (table["cash_usd"] >= 0).all()
