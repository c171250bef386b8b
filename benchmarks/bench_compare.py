"""One workload against the full shipped catalog: the vectorised engine vs a naive row-by-row loop.

Run: ``python -m pytest benchmarks/ --benchmark-enable -q`` (add ``-s`` to see rows per second).
Both compute the same central rows (every cloud offer of every provider, region and pricing model, and
every owned server with a price in both accounting modes); the loop's results are checked against the
engine's before it is timed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner import api, defaults, spot
from planner import compare as engine
from planner.ownership import (
    HOURS_PER_YEAR,
    dedicated_cost_usd,
    embodied_kg_per_gpu_hour,
    shared_usd_per_gpu_hour,
)
from planner.shipped import load
from pricing.store import current_offers

KEY = ["provider", "region", "instance_type", "pricing", "server", "accounting_mode"]
CHECKED = ["cost_usd", "energy_kwh", "co2e_kg", "co2e_embodied_kg", "wall_hours", "gpu_hours"]


@pytest.fixture(scope="module")
def inputs():
    data = load()
    workload, _ = api.make_workload("llama2-7b")  # 184,320 A100 GPU-h on 8 GPUs
    return data, workload, current_offers(), api.owned_options(site_zone="USA")


def vectorised(data, workload, offers, owned):
    return engine.compare(data.catalog, workload, offers, data["cloud_regions"], data["grid_intensity"],
                          data["spot_interruption"], owned).table


def naive(data, workload, offers, owned):
    """The same central rows, one at a time, with scalar Python arithmetic."""
    catalog = data.catalog
    regions = {(r.provider, r.region): r for r in data["cloud_regions"].itertuples()}
    bands = {(b.region, b.instance_type): b.band for b in spot.aws_bands(data["spot_interruption"]).itertuples()}
    embodied_per_gpu = (float(defaults.EMBODIED_GPU_KG.value) + float(defaults.EMBODIED_SERVER_KG.value)
                        / float(defaults.CLOUD_GPUS_PER_SERVER.value))
    cloud_embodied = embodied_per_gpu / (HOURS_PER_YEAR * float(defaults.CLOUD_LIFETIME_YEARS.value)
                                         * float(defaults.CLOUD_UTILISATION.value))
    n = workload.gpu_count
    rows = []
    ratios: dict[str, float | None] = {}
    tdps: dict[str, float] = {}

    def ratio_of(gpu: str) -> float | None:
        # cached per GPU: the catalog lookup, not the loop, would otherwise dominate (~20 ms a call)
        if gpu not in ratios:
            try:
                ratios[gpu] = 1.0 if gpu == workload.gpu else catalog.throughput_ratio(workload.gpu, gpu,
                                                                                       workload.precision)[0]
            except Exception:  # noqa: BLE001 - the engine skips GPUs without a ratio too
                ratios[gpu] = None
            tdps[gpu] = catalog.gpu(gpu).tdp_w
        return ratios[gpu]

    for o in offers.itertuples():
        ratio = ratio_of(o.gpu)
        if ratio is None:
            continue
        per_instance = o.gpu_count
        instances = math.ceil(n / per_instance - 1e-9)
        overhead = 0.0
        if o.pricing == "spot":
            if o.provider == "aws":
                band = bands.get((o.region, o.instance_type), "<10%")
                rate = defaults.AWS_SPOT_BANDS_PCT[band][1] / 100 / defaults.HOURS_PER_MONTH
            else:
                rate = defaults.GCP_PREEMPTION_PCT_PER_DAY[1] / 100 / 24
            overhead = instances * rate * (float(defaults.SPOT_CHECKPOINT_INTERVAL_HOURS.value) / 2
                                           + float(defaults.SPOT_RESTART_HOURS.value))
        gpu_hours = workload.gpu_hours / ratio * (1 + overhead)
        wall = gpu_hours / n
        term = engine.RESERVED_TERM_HOURS.get(o.pricing, 0.0)
        if isinstance(o.vcpus, float) and not math.isnan(o.vcpus):
            host = defaults.host_power_w(o.vcpus, o.memory_gib)
        else:
            host = defaults.default_host_power_per_gpu_w() * per_instance
        power = n * tdps[o.gpu] + host * n / per_instance
        energy = float(defaults.PUE[o.provider].value) * wall * power / 1000
        region = regions[(o.provider, o.region)]
        rows.append({"provider": o.provider, "region": o.region, "instance_type": o.instance_type,
                     "pricing": o.pricing, "server": None, "accounting_mode": None,
                     "cost_usd": instances * o.usd_per_hour * max(wall, term), "energy_kwh": energy,
                     "co2e_kg": energy * region.grid_gco2e_per_kwh / 1000,
                     "co2e_embodied_kg": instances * per_instance * wall * cloud_embodied, "wall_hours": wall,
                     "gpu_hours": gpu_hours})
    for option in owned:
        s = option.server
        ratio = ratio_of(s.gpu)
        gpu_hours = workload.gpu_hours / ratio
        energy = gpu_hours * s.pue * s.power_w / s.gpu_count / 1000
        embodied = gpu_hours * embodied_kg_per_gpu_hour(s.embodied_kg, s.gpu_count, s.lifetime_years, s.utilisation)
        servers = math.ceil(n / s.gpu_count - 1e-9)
        wall_dedicated = gpu_hours / (servers * s.gpu_count)
        for accounting, cost, wall in (
                ("dedicated", dedicated_cost_usd(s, servers, gpu_hours, wall_dedicated), wall_dedicated),
                ("shared", gpu_hours * shared_usd_per_gpu_hour(s), gpu_hours / n)):
            rows.append({"provider": "owned", "region": option.site_zone, "instance_type": None, "pricing": "owned",
                         "server": s.server, "accounting_mode": accounting, "cost_usd": cost, "energy_kwh": energy,
                         "co2e_kg": energy * s.grid_gco2e_per_kwh / 1000, "co2e_embodied_kg": embodied,
                         "wall_hours": wall, "gpu_hours": gpu_hours})
    return pd.DataFrame(rows)


def test_naive_loop_agrees_with_the_engine(inputs):
    table = vectorised(*inputs)
    loop = naive(*inputs)
    merged = table.fillna({"instance_type": "", "server": "", "accounting_mode": ""}).merge(
        loop.fillna({"instance_type": "", "server": "", "accounting_mode": ""}), on=KEY, suffixes=("", "_loop"))
    assert len(merged) == len(table) == len(loop)
    for column in CHECKED:
        np.testing.assert_allclose(merged[column], merged[f"{column}_loop"], rtol=1e-9)


def test_vectorised_full_catalog(benchmark, inputs):
    table = benchmark(vectorised, *inputs)
    _report(benchmark, "vectorised engine", len(table))


def test_naive_row_by_row_loop(benchmark, inputs):
    table = benchmark(naive, *inputs)
    _report(benchmark, "naive loop", len(table))


def _report(benchmark, label, rows):
    if benchmark.stats is not None:  # None when run with --benchmark-disable
        median = benchmark.stats.stats.median
        print(f"\n{label}: {rows} rows, median {median * 1000:.1f} ms, {rows / median:,.0f} rows/s")


def test_monte_carlo_10000_draws(benchmark, inputs):
    """The full comparison with 10,000 seeded Monte Carlo draws per row (percentiles 5/50/95)."""
    data, workload, offers, owned = inputs
    settings = engine.Settings(monte_carlo=10_000, seed=1)

    def run():
        return engine.compare(data.catalog, workload, offers, data["cloud_regions"], data["grid_intensity"],
                              data["spot_interruption"], owned, settings=settings).table

    table = benchmark.pedantic(run, rounds=3, iterations=1)
    assert {"cost_usd_p5", "cost_usd_p95"} <= set(table.columns)
    benchmark.extra_info["rows"] = len(table)
    benchmark.extra_info["draws"] = 10_000
