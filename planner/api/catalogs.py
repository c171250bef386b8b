"""Catalog listings: GPUs, servers, regions, presets, grid zones, MFU figures."""

from __future__ import annotations

import pandas as pd

from planner.api.workloads import presets_table
from planner.errors import choice
from planner.fields import checked
from planner.shipped import load

CATALOG_KINDS = ("gpus", "servers", "regions", "presets", "grid", "mfu", "grid-trends", "water")


@checked
def catalog_table(kind: str) -> pd.DataFrame:
    """A catalog listing: gpus, servers, regions, presets or grid zones."""
    choice("catalog", kind, CATALOG_KINDS)
    table = _catalog_table(kind)
    for column in ("year", "release_year", "price_year", "gpu_count", "seq_len", "first_year", "last_year"):
        if column in table:
            table = table.assign(**{column: pd.to_numeric(table[column]).round().astype("Int64")})
    return table


def _catalog_table(kind: str) -> pd.DataFrame:
    data = load()
    if kind == "gpus":
        return data.catalog.gpus[["gpu", "name", "tdp_w", "memory_gb", "fp32_tflops", "fp16_tensor_tflops",
                                  "bf16_tensor_tflops", "release_year", "source"]]
    if kind == "servers":
        return data["servers"][["server", "gpu", "gpu_count", "price_usd", "price_year", "max_w", "source"]]
    if kind == "regions":
        return data["cloud_regions"][["provider", "region", "location", "country_iso3", "grid_gco2e_per_kwh", "year",
                                      "source"]]
    if kind == "grid":
        return data["grid_intensity"][["zone", "name", "level", "gco2e_per_kwh", "year", "source"]]
    if kind in ("grid-trends", "water"):
        from planner.api.grid_water import grid_trend_table, water_table

        return grid_trend_table() if kind == "grid-trends" else water_table()
    if kind == "mfu":
        return data["mfu"][["model", "gpu", "precision", "mfu", "gpu_count", "seq_len", "source", "year"]]
    return presets_table()


#: Keys of a procurement plan (TOML top level and ``procurement_plan`` keywords); see README "procure".
