"""The library's front door: plain values (or pint quantities) in, DataFrames and Assumptions out.

The CLI and the Streamlit app call these functions and nothing else of the model; each one loads the
shipped data (and the user's refreshed prices) and hands them to the pure functions that compute. One
module per topic; everything public is re-exported here, so callers write ``from planner import api``.

The topic modules are imported on first use of one of their names (PEP 562 ``__getattr__``), so
``trainplan estimate`` does not import the procurement, hybrid or report code it never calls.
"""

from __future__ import annotations

import importlib

#: Each topic module's public names (``__all__`` is their union; a test checks they exist there).
EXPORTS: dict[str, tuple[str, ...]] = {
    "catalogs": ("CATALOG_KINDS", "catalog_table"),
    "comparison": ("compare", "feasibility_summary"),
    "estimates": ("ASSUMPTION_TABLE_COLUMNS", "assumptions_table", "estimate_workload", "filtered_offers",
                  "grid_assumption", "pue_assumption"),
    "grid_water": ("at_start", "best_start_months", "grid_series", "start_window", "with_water"),
    "hybrid": ("HYBRID_KEYS", "UNUSED_PLAN_KEYS", "hybrid_plan", "hybrid_plan_from_config"),
    "measuring": ("MIN_MEASURE_INTERVAL_S", "measure_command", "measured_power"),
    "own_vs_rent": ("BREAKEVEN_UTILISATIONS", "BreakEven", "breakeven_curve", "gpu_regions", "procurement_headline"),
    "owned": ("OWNED_SERVER_KEYS", "STRUBELL2019_CONVENTIONS", "owned_options", "owned_server"),
    "paper": ("strubell2019",),
    "plans": ("BASIS_KEYS", "CLOUD_KEYS", "OWNED_KEYS", "PLAN_KEYS", "PORTFOLIO_KEYS", "SITE_KEYS",
              "procurement_demand", "procurement_plan", "procurement_plan_from_config"),
    "prices": ("price_anomalies", "price_changes", "price_offers", "price_snapshot_ages", "price_snapshots"),
    "regions": ("REGION_COLUMNS", "RegionEstimates", "headline_options", "region_estimates"),
    "reporting": ("report",),
    "workloads": ("make_workload", "presets", "presets_table"),
}
_MODULE_OF: dict[str, str] = {name: module for module, names in EXPORTS.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    """A public name, imported from its topic module on first use (then kept in this module)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

