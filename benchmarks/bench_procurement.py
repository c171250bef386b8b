"""A 5-year procurement plan: the pure model alone, and through the api with the shipped data and offers."""

from __future__ import annotations

import pandas as pd

from planner import api
from planner.ownership import OwnedServer
from planner.procurement import plan

SERVER = OwnedServer(server="x", gpu="h100-sxm5-80gb", gpu_count=8, price_usd=269000.0, power_w=6070.0,
                     lifetime_years=5.0, utilisation=0.7, pue=1.58, electricity_usd_per_kwh=0.1241,
                     maintenance_pct_per_year=11.0, staff_usd_per_server_year=2500.0, hosting_usd_per_kw_month=0.0,
                     resale_fraction=0.0, overhead_pct_of_capex=0.0, embodied_kg=3700.0, grid_gco2e_per_kwh=369.0)
CLOUD = pd.DataFrame([{
    "option": f"option {i}", "provider": "aws", "region": "us-east-1", "gpu": "h100-sxm5-80gb",
    "pricing": ("on_demand", "spot")[i % 2], "usd_per_gpu_hour": 2.0 + i, "throughput_ratio": 1.0,
    "overhead_fraction": 0.1 * (i % 2), "kwh_per_gpu_hour": 0.9, "grid_gco2e_per_kwh": 380.0,
    "embodied_kg_per_gpu_hour": 0.0176, "source": "bench", "note": ""} for i in range(6)])


def test_five_year_plan_pure(benchmark):
    benchmark.extra_info.update(years=5, cloud_options=len(CLOUD))
    result = benchmark(plan, SERVER, [150000.0 * 1.2 ** y for y in range(5)], CLOUD, utilisation=0.7,
                       mean_job_hours=24.0)
    assert len(result.tco) == 5


def test_five_year_plan_api(benchmark):
    benchmark.extra_info.update(years=5, cloud_options=8)
    api.procurement_plan("nvidia-dgx-h100", demand_gpu_hours=150000.0, growth=0.2, horizon_years=5)  # warm the cache

    def run():
        return api.procurement_plan("nvidia-dgx-h100", demand_gpu_hours=150000.0, growth=0.2, horizon_years=5,
                                    target_utilisation=0.7, site={"grid_zone": "US-CA"},
                                    portfolio=[{"preset": "bert-base", "runs": 10}],
                                    clouds=[{"provider": "aws", "region": "us-east-1"},
                                            {"provider": "gcp", "region": "us-central1"}])

    result = benchmark(run)
    assert len(result.breakeven) == 8
