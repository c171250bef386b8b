"""Benchmarks of the foundation: building the shipped database, loading the catalog, one estimate."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))


def test_build_shipped_database(benchmark, tmp_path):
    import build_data

    shared = REPO.parent / "shared"
    benchmark.pedantic(build_data.build, args=(shared, tmp_path / "db.sqlite"), rounds=3, iterations=1)


def test_load_catalog_cold(benchmark):
    from planner import shipped

    def cold_load():
        shipped.load.cache_clear()
        return shipped.load().catalog

    benchmark(cold_load)


def test_one_estimate(benchmark):
    from planner import api

    workload, preset = api.make_workload("bert-base")
    api.estimate_workload(workload, preset)  # warm the data caches: measure the model, not the first read
    benchmark(api.estimate_workload, workload, preset)
