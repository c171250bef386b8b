"""The engine's two stages (planner.coefficients): hand-computed terms, and the owned rates kept between calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner import api, prepared, spot
from planner import compare as engine
from planner.api.snapshot import current_offers
from planner.ownership import dedicated_cost_terms, dedicated_project_cost_usd


def test_dedicated_cost_terms_hand_computed():
    # K = 100,000 · 1.10 = 110,000; lost to resale 0.2: 88,000; life 4 y = 35,040 h -> 88,000 / 35,040 = 2.51142/h.
    # opex: 100,000 · 5% + 2,000 staff + 10 $/kW-month · 12 · 2 kW = 7,240, + facility 100 $/kW-yr · 2 kW = 7,440/yr
    # -> 0.849315/h; electricity per GPU-h: 1.5 · 2000 W / 8 / 1000 · 0.1 $/kWh = 0.0375.
    common = dict(price_usd=100_000.0, overhead_pct_of_capex=10.0, resale_fraction=0.2, maintenance_pct_per_year=5.0,
                  staff_usd_per_server_year=2_000.0, hosting_usd_per_kw_month=10.0, power_w=2000.0, gpu_count=8,
                  pue=1.5, electricity_usd_per_kwh=0.1, facility_usd_per_kw_year=100.0, lifetime_years=4.0)
    credited = dedicated_cost_terms(**common, credit_residual=1.0)
    assert float(credited["capital_per_hour"]) == pytest.approx(88_000 / 35_040, rel=1e-12)
    assert float(credited["life_hours"]) == 35_040.0 and float(credited["written_off"]) == 0.0
    assert float(credited["opex_per_hour"]) == pytest.approx(7_440 / 8760, rel=1e-12)
    assert float(credited["electricity_per_gpu_hour"]) == pytest.approx(0.0375, rel=1e-12)
    written_off = dedicated_cost_terms(**common, credit_residual=0.0)
    assert float(written_off["capital_per_hour"]) == 0.0 and float(written_off["written_off"]) == pytest.approx(88_000)
    # 2 servers, 1,000 h, 16,000 GPU-h, credited: book value 0.2 + 0.8 · (1 − 1000/35040) = 0.977169, so
    # 2 · 110,000 · 0.022831 = 5,022.83 + 2 · 0.849315 · 1000 = 1,698.63 + 16,000 · 0.0375 = 600 -> 7,321.46
    cost = dedicated_project_cost_usd(2.0, 16_000.0, 1000.0, **{k: v for k, v in common.items()}, credit_residual=1.0)
    book = 0.2 + 0.8 * (1 - 1000 / 35_040)
    assert float(cost) == pytest.approx(2 * 110_000 * (1 - book) + 2 * 7_440 * 1000 / 8760 + 600.0, rel=1e-12)
    # past the life the whole loss to resale is charged: 2 · 88,000 + 2 · 0.849315 · 40,000 + 640,000 · 0.0375
    late = dedicated_project_cost_usd(2.0, 640_000.0, 40_000.0, **common, credit_residual=1.0)
    assert float(late) == pytest.approx(2 * 88_000 + 2 * 7_440 * 40_000 / 8760 + 640_000 * 0.0375, rel=1e-12)


def test_availability_term_by_exponential_equals_the_power():
    # w_k = D · (1 − A^k): 1 instance 0.05, 2: 1 − 0.9025 = 0.0975, 8: 1 − 0.95^8 = 0.336579...
    k = np.array([1.0, 2.0, 8.0, 64.0])
    wait = spot.capacity_wait_hours(k, 0.95, 2.0)
    np.testing.assert_allclose(wait, 2.0 * (1.0 - 0.95 ** k), rtol=1e-13)
    assert wait[:2].tolist() == pytest.approx([0.1, 0.195], rel=1e-13)


@pytest.fixture(scope="module")
def engine_inputs(data):
    workload, _ = api.make_workload("bert-base")
    return data, workload, current_offers(), tuple(api.owned_options(site_zone="USA"))


SETTINGS = {
    "default": engine.Settings(),
    "utilisation fixed": engine.Settings(owned_utilisation=0.5),
    "power fraction": engine.Settings(gpu_power_fraction=0.8),
    "pue given": engine.Settings(pue=1.3),
    "measured": engine.Settings(measured_gpu_w={"v100-sxm2-16gb": 210.0}),
    "fractional servers": engine.Settings(whole_servers=False),
}


def run(inputs, settings, **kwargs):
    data, workload, offers, owned = inputs
    return engine.compare(data.catalog, workload, offers, data["cloud_regions"], data["grid_intensity"],
                          data["spot_interruption"], owned, settings=settings, **kwargs).table


@pytest.mark.parametrize("name", SETTINGS)
def test_kept_owned_rates_give_what_a_fresh_engine_does(engine_inputs, name):
    """The owned rates are kept per (rows, bound, settings): after other settings and filters have filled the
    memo, each comparison equals the same comparison on a freshly prepared engine."""
    for other in SETTINGS.values():
        run(engine_inputs, other)
    run(engine_inputs, SETTINGS[name], modes=("shared",))
    run(engine_inputs, SETTINGS[name], gpus=["v100-sxm3-32gb", "h100-sxm5-80gb"])  # as many rows as below
    for filtered in ({"gpus": ["h100-sxm5-80gb", "a100-sxm4-40gb", "v100-sxm2-16gb"]}, {}):
        warm = run(engine_inputs, SETTINGS[name], **filtered)
        prepared.clear()
        pd.testing.assert_frame_equal(warm, run(engine_inputs, SETTINGS[name], **filtered))
    assert (warm["option_kind"] == "owned").sum() > 10
