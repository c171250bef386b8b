"""Owned servers: shared-cluster cost per GPU-hour, dedicated purchase, embodied carbon; hand-computed."""

from __future__ import annotations

import pytest

from planner import api
from planner.errors import PlanError
from planner.ownership import (
    OwnedServer,
    dedicated_cost_usd,
    embodied_kg_per_gpu_hour,
    shared_usd_per_gpu_hour,
)


def server(**overrides):
    base = dict(server="x", gpu="gtx-1080-ti", gpu_count=8, price_usd=20000.0, power_w=2000.0, lifetime_years=5.0,
                utilisation=0.5, pue=1.5, electricity_usd_per_kwh=0.10, maintenance_pct_per_year=10.0,
                staff_usd_per_server_year=1000.0, hosting_usd_per_kw_month=100.0, resale_fraction=0.0,
                overhead_pct_of_capex=0.0, embodied_kg=3700.0, grid_gco2e_per_kwh=400.0)
    base.update(overrides)
    return OwnedServer(**base)


def test_shared_cost_per_gpu_hour_hand_computed():
    # fixed per year: 20,000/5 + 10% · 20,000 + 1,000 + 100 · 12 · 2 kW = 4,000 + 2,000 + 1,000 + 2,400 = 9,400
    # busy GPU-h per year: 8,760 · 8 · 0.5 = 35,040 -> 0.268265 USD/GPU-h
    # electricity: 1.5 · 2,000 W / 8 / 1000 = 0.375 kWh/GPU-h · 0.10 = 0.0375 -> total 0.305765
    assert shared_usd_per_gpu_hour(server()) == pytest.approx(9400 / 35040 + 0.0375)


def test_higher_utilisation_lowers_shared_cost():
    assert shared_usd_per_gpu_hour(server(utilisation=0.9)) < shared_usd_per_gpu_hour(server(utilisation=0.5))


def test_dedicated_purchase_strubell_case():
    # 7.25 servers · $20,000 + upkeep for 172 days + electricity of 239,942 GPU-h
    s = server(maintenance_pct_per_year=0.0, staff_usd_per_server_year=0.0, hosting_usd_per_kw_month=0.0)
    energy = 1.5 * 2000 / 8 / 1000 * 239942
    assert dedicated_cost_usd(s, 7.25, 239942, 172 * 24) == pytest.approx(145000 + energy * 0.10)


def test_embodied_amortised_over_busy_gpu_hours():
    # 3,700 kg / (8,760 · 5 · 8 · 0.5) = 0.021119 kg/GPU-h
    assert embodied_kg_per_gpu_hour(3700, 8, 5, 0.5) == pytest.approx(3700 / 175200)


@pytest.mark.parametrize("field,value,message", [
    ("utilisation", 1.2, r"^utilisation 1.2: must be between 0.01 and 1"),
    ("lifetime_years", 0.0, r"^lifetime_years 0 years: must be between 0.25 and 30"),
    ("pue", 0.8, r"^pue 0.8: must be >= 1"),
    ("price_usd", -5, r"^price_usd -5 USD: must be > 0"),
    ("resale_fraction", 1.0, r"^resale_fraction 1: must be in \[0, 1\)"),
])
def test_bad_owned_inputs_name_the_field(field, value, message):
    with pytest.raises(PlanError, match=message):
        server(**{field: value})


def test_owned_server_from_catalog_uses_sourced_defaults():
    s, assumptions = api.owned_server("strubell-8x-gtx1080ti", grid_zone="US-CA")
    # 8 · (250 W TDP + 12 · 2.12 + 85 · 0.392 W host share) = 2,470.08 W
    assert s.power_w == pytest.approx(8 * (250 + 12 * 2.12 + 85 * 0.392))
    assert s.electricity_usd_per_kwh == 0.2391  # EIA 2023 California commercial
    assert s.embodied_kg == 2500 + 8 * 150
    names = {a.name for a in assumptions}
    assert {"owned_lifetime_years", "owned_utilisation", "electricity_US-CA", "grid_intensity_US-CA"} <= names
    assert all(a.source for a in assumptions)


def test_server_without_price_asks_for_one():
    with pytest.raises(PlanError, match="no sourced purchase price; give price_usd"):
        api.owned_server("nvidia-dgx-b200")
