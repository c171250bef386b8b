"""The library's front door: plain values (or pint quantities) in, DataFrames and Assumptions out.

The CLI and the Streamlit app call these functions and nothing else of the model; each one loads the
shipped data (and the user's refreshed prices) and hands them to the pure functions that compute. One
module per topic; everything public is re-exported here, so callers write ``from planner import api``.
"""

from __future__ import annotations

from planner.api.catalogs import CATALOG_KINDS, catalog_table
from planner.api.comparison import compare, feasibility_summary
from planner.api.estimates import (
    ASSUMPTION_TABLE_COLUMNS,
    assumptions_table,
    estimate_workload,
    filtered_offers,
    grid_assumption,
    pue_assumption,
)
from planner.api.grid_water import at_start, best_start_months, grid_series, start_window, with_water
from planner.api.hybrid import HYBRID_KEYS, UNUSED_PLAN_KEYS, hybrid_plan, hybrid_plan_from_config
from planner.api.measuring import MIN_MEASURE_INTERVAL_S, measure_command, measured_power
from planner.api.own_vs_rent import (
    BREAKEVEN_UTILISATIONS,
    BreakEven,
    breakeven_curve,
    gpu_regions,
    procurement_headline,
)
from planner.api.owned import OWNED_SERVER_KEYS, STRUBELL2019_CONVENTIONS, owned_options, owned_server
from planner.api.paper import strubell2019
from planner.api.plans import (
    BASIS_KEYS,
    CLOUD_KEYS,
    OWNED_KEYS,
    PLAN_KEYS,
    PORTFOLIO_KEYS,
    SITE_KEYS,
    procurement_demand,
    procurement_plan,
    procurement_plan_from_config,
)
from planner.api.prices import (
    price_anomalies,
    price_changes,
    price_offers,
    price_snapshot_ages,
    price_snapshots,
)
from planner.api.regions import REGION_COLUMNS, RegionEstimates, headline_options, region_estimates
from planner.api.reporting import report
from planner.api.workloads import make_workload, presets, presets_table

__all__ = ["at_start", "best_start_months", "grid_series", "start_window", "with_water", "ASSUMPTION_TABLE_COLUMNS", "BASIS_KEYS", "BREAKEVEN_UTILISATIONS", "BreakEven", "CATALOG_KINDS", "CLOUD_KEYS", "HYBRID_KEYS", "UNUSED_PLAN_KEYS", "MIN_MEASURE_INTERVAL_S", "OWNED_KEYS", "OWNED_SERVER_KEYS", "PLAN_KEYS", "PORTFOLIO_KEYS", "REGION_COLUMNS", "RegionEstimates", "SITE_KEYS", "STRUBELL2019_CONVENTIONS", "assumptions_table", "breakeven_curve", "catalog_table", "compare", "feasibility_summary", "estimate_workload", "filtered_offers", "gpu_regions", "grid_assumption", "headline_options", "hybrid_plan", "hybrid_plan_from_config", "make_workload", "measure_command", "measured_power", "owned_options", "owned_server", "presets", "presets_table", "price_anomalies", "price_changes", "price_offers", "price_snapshot_ages", "price_snapshots", "procurement_demand", "procurement_headline", "procurement_plan", "procurement_plan_from_config", "pue_assumption", "region_estimates", "report", "strubell2019"]
