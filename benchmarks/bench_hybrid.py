"""Hybrid plans: the example plan file end to end (every fleet size, 60 months, tornado, timing), and the
pure month-by-month curve for a larger fleet range."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from planner import api
from planner.hybrid import CloudChoice, Overflow, OwnedCosts, Policy, curve

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml"


def test_example_hybrid_plan_api(benchmark):
    config = tomllib.loads(EXAMPLE.read_text())
    api.hybrid_plan_from_config(config)  # warm the shipped-data cache
    result = benchmark(api.hybrid_plan_from_config, config)
    benchmark.extra_info.update(fleets=len(result.curve), months=len(result.months),
                                tornado_inputs=len(result.sensitivity))
    assert len(result.months) == 60


def test_curve_100_fleets_120_months(benchmark):
    owned = OwnedCosts(gpus_per_server=8, capex_usd=300000.0, fixed_usd_per_month=3000.0, busy_kwh_per_gpu_hour=1.5,
                       idle_kwh_per_gpu_hour=0.3, electricity_usd_per_kwh=0.12, grid_gco2e_per_kwh=300.0,
                       embodied_kg=3700.0, lifetime_months=60, availability=0.9)
    overflow = Overflow(CloudChoice("od", "on_demand", 6.88), spot=CloudChoice("s", "spot", 2.1, overhead_fraction=0.1),
                        spot_share=0.5)
    demand = 8 * 730 * 40 * (1 + 0.5 * np.sin(np.arange(120) / 12 * 2 * np.pi))
    policy = Policy(max_wait_hours=12.0, mean_job_hours=24.0, discount_rate=0.07)
    table = benchmark(curve, demand, owned, overflow, policy, range(100))
    benchmark.extra_info.update(fleets=100, months=120)
    assert len(table) == 100
