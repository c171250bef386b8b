"""The app's own-vs-rent functions in planner.api: regions offering a GPU, and the break-even curve."""

from __future__ import annotations

import numpy as np
import pytest

from planner import api
from planner.errors import PlanError

#: A server with no upkeep and free electricity, so the owned cost is its capex over busy hours only.
BARE = dict(price_usd=100_000.0, electricity_usd_per_kwh=0.0, lifetime_years=4.0, maintenance_pct_per_year=0.0,
            staff_usd_per_server_year=0.0, hosting_usd_per_kw_month=0.0, overhead_pct_of_capex=0.0,
            facility="none", staff_fte_base=0.0, discount_rate=0.0)


def test_breakeven_curve_of_a_bare_server_against_a_quote():
    result = api.breakeven_curve("strubell-8x-gtx1080ti", utilisations=[0.25, 0.5, 1.0], utilisation=0.5,
                                 clouds=[{"provider": "gcp", "usd_per_gpu_hour": 2.0, "name": "quote"}], **BARE)
    # F = 100,000 USD / 4 years = 25,000 USD per server-year; 8 GPUs; e = 0.
    # c(u) = 25,000 / (8760 · 8 · u): u = 0.25 → 1.426941, 0.5 → 0.713470, 1 → 0.356735 USD per GPU-hour.
    assert result.curve["owned_usd_per_gpu_hour"].tolist() == pytest.approx([1.426941, 0.713470, 0.356735], rel=1e-5)
    # u* = 25,000 / (8760 · 8 · 2.0) = 0.178368
    assert result.clouds.loc[0, "breakeven_utilisation"] == pytest.approx(0.178368, rel=1e-5)
    owned = result.owned.iloc[0]
    assert owned["fixed_usd_per_server_year"] == pytest.approx(25_000)
    assert owned["owned_usd_per_gpu_hour"] == pytest.approx(0.71347, rel=1e-5)
    assert {"price_strubell-8x-gtx1080ti", "price_quote", "electricity_usd_per_kwh"} <= set(result.assumptions["name"])


def test_breakeven_curve_recovers_capital_at_the_discount_rate_and_charges_idle_power():
    bare = {**BARE, "discount_rate": 0.07, "electricity_usd_per_kwh": 0.10, "power_w": 2000.0,
            "idle_power_w": 500.0, "pue": 1.5}
    result = api.breakeven_curve("strubell-8x-gtx1080ti", utilisations=[0.5], utilisation=0.5,
                                 clouds=[{"provider": "gcp", "usd_per_gpu_hour": 2.0, "name": "quote"}], **bare)
    # CRF(7%, 4) = 0.07 / (1 - 1.07^-4) = 0.2952281; capital 29,522.81 USD per server-year
    # electricity at u = 0.5: 1.5 · 8,760 · (0.5 · 2,000 + 0.5 · 500) / 1000 = 16,425 kWh · 0.10 = 1,642.50
    # c(0.5) = (29,522.81 + 1,642.50) / (8,760 · 8 · 0.5) = 31,165.31 / 35,040 = 0.889421
    assert result.curve["owned_usd_per_gpu_hour"].iloc[0] == pytest.approx(31165.31 / 35040, rel=1e-6)
    # e_b = 1.5 · 2,000 / 8 / 1000 · 0.10 = 0.0375; e_i = 0.009375; F = 29,522.81 / 70,080 = 0.421273
    # u* = (0.421273 + 0.009375) / (2.0 - 0.0375 + 0.009375) = 0.430648 / 1.971875 = 0.218395
    assert result.clouds.loc[0, "breakeven_utilisation"] == pytest.approx(0.218395, rel=1e-4)


def test_breakeven_utilisation_prices_the_curve_at_the_cloud_price():
    result = api.breakeven_curve("nvidia-dgx-1-v100")
    # each provider's cheapest region; Azure's only V100 16 GB sizes (NCv3, PCIe parts) retired on 2025-09-30
    assert set(result.clouds["provider"]) == {"aws", "gcp"}
    for cloud in result.clouds.itertuples():
        u = cloud.breakeven_utilisation
        again = api.breakeven_curve("nvidia-dgx-1-v100", utilisations=[u], clouds=[
            {"provider": cloud.provider, "region": cloud.region, "pricing": "on_demand"}])
        # At u*, owning a busy GPU-hour costs what renting one does.
        assert again.curve["owned_usd_per_gpu_hour"].iloc[0] == pytest.approx(cloud.cloud_usd_per_gpu_hour)


def test_breakeven_curve_is_never_where_the_cloud_undercuts_electricity():
    result = api.breakeven_curve("strubell-8x-gtx1080ti", clouds=[
        {"provider": "gcp", "usd_per_gpu_hour": 0.001, "name": "almost free"}])
    assert np.isnan(result.clouds.loc[0, "breakeven_utilisation"])


def test_breakeven_curve_rejects_a_utilisation_above_one():
    with pytest.raises(PlanError, match="utilisation 1.5: must be in"):
        api.breakeven_curve("nvidia-dgx-1-v100", utilisations=[0.5, 1.5])


def test_gpu_regions_are_cheapest_first_with_each_providers_cheapest_marked():
    regions = api.gpu_regions("v100-sxm2-16gb")
    assert regions["usd_per_gpu_hour"].is_monotonic_increasing
    assert not regions.duplicated(["provider", "region"]).any()
    marked = regions[regions["cheapest_of_provider"]]
    assert sorted(marked["provider"]) == sorted(regions["provider"].unique())
    for row in marked.itertuples():
        assert row.usd_per_gpu_hour == regions.loc[regions["provider"] == row.provider, "usd_per_gpu_hour"].min()
