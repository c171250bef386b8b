"""A workload's estimate in every region that offers its GPU, and the headline picks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from planner import compare as compare_engine
from planner import options
from planner.api.comparison import feasibility_options
from planner.api.estimates import assumptions_table, engine_settings
from planner.api.snapshot import current_offers
from planner.defaults import Assumption
from planner.errors import choice
from planner.estimate import PowerProfile
from planner.fields import checked
from planner.presets import Preset
from planner.shipped import load
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS


@dataclass(frozen=True)
class RegionEstimates:
    """One row per cloud region that offers the workload's GPU, and every assumption behind the rows."""

    table: pd.DataFrame
    assumptions: pd.DataFrame


REGION_COLUMNS = ("option_kind", "provider", "region", "location", "instance_type", "pricing", "gpu", "gpu_count",
                  "gpu_hours", "wall_hours", "pue", "grid_gco2e_per_kwh", "energy_kwh", "co2e_kg", "cost_usd",
                  "cost_usd_low", "cost_usd_high", "pareto")


@checked
def region_estimates(
    workload: Workload,
    chosen: Preset | None = None,
    *,
    providers: Iterable[str] | None = None,
    pricing: str = "on_demand",
    pue: float | None = None,
    gpu_power_fraction: float | None = None,
    power: PowerProfile | None = None,
) -> RegionEstimates:
    """The workload on its own GPU in every cloud region that offers that GPU, one row each.

    Each row is the comparison engine's row for the region's cheapest offer of that pricing model, i.e.
    ``estimate_workload(workload, chosen, provider=p, region=r, pricing=pricing, pue=pue)``: energy with the
    provider's PUE (or ``pue``) and the instance's host power, ``co2e_kg`` with the region's grid, whole
    instances billed; ``cost_usd_low`` / ``_high`` are that option's range. ``pareto`` marks the cost-CO2e front
    of these rows (``compare.pareto_front``). Columns are those of ``REGION_COLUMNS``, sorted by cost.
    """
    data = load()
    choice("pricing", pricing, PRICING_MODELS)
    chosen_providers = list(providers) if providers is not None else list(PROVIDERS)
    for name in chosen_providers:
        choice("provider", name, PROVIDERS)
    settings, _, power_assumptions = engine_settings(workload, chosen, pue=pue, gpu_power_fraction=gpu_power_fraction,
                                                     power=power)
    offers = current_offers()
    if not ((offers["gpu"] == workload.gpu) & (offers["pricing"] == pricing)
            & offers["provider"].isin(chosen_providers)).any():
        return RegionEstimates(pd.DataFrame(columns=list(REGION_COLUMNS)), assumptions_table(power_assumptions))
    comparison = compare_engine.compare(
        data.catalog, workload, offers, data["cloud_regions"], data["grid_intensity"], data["spot_interruption"], (),
        settings=settings, providers=chosen_providers, gpus=[workload.gpu], pricing=[pricing],
        feasibility_options=feasibility_options(workload, data))
    # The engine's table is sorted by cost: the first row of a region is its cheapest offer, the estimate's option.
    table = comparison.table.drop_duplicates(["provider", "region"], keep="first").reset_index(drop=True)
    table = table[[c for c in REGION_COLUMNS if c != "pareto"]].copy()
    table["pareto"] = compare_engine.pareto_front(table["cost_usd"].to_numpy(), table["co2e_kg"].to_numpy())
    table = table.sort_values(["cost_usd", "co2e_kg", "provider", "region"], kind="mergesort").reset_index(drop=True)
    return RegionEstimates(table, assumptions_table([*power_assumptions, *(
        Assumption(str(a.name), a.value, str(a.unit), str(a.source), str(a.as_of), str(a.note))
        for a in comparison.assumptions.itertuples())]))


def headline_options(table: pd.DataFrame, current: pd.Series | dict | None = None) -> pd.DataFrame:
    """The cheapest, lowest-carbon and fastest rows of a comparison table and their deltas to ``current``.

    See ``planner.options.headline_options``: ``delta_cost_usd`` [USD], ``delta_co2e_kg`` [kg],
    ``delta_wall_hours`` [h] = pick − current.
    """
    return options.headline_options(table, current)
