"""A workload's estimate in every region that offers its GPU, and the headline picks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from planner import compare as compare_engine
from planner import options
from planner.api.estimates import _power, assumptions_table, grid_assumption, pue_assumption
from planner.carbon import co2e_kg, region_intensity
from planner.defaults import Assumption
from planner.errors import choice
from planner.estimate import PowerProfile, estimate
from planner.fields import checked
from planner.presets import Preset
from planner.shipped import load
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS
from pricing.store import current_offers


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

    Each row equals ``estimate_workload(workload, chosen, provider=p, region=r, pricing=pricing, pue=pue)``,
    computed a column at a time: energy with the provider's PUE (or ``pue``), ``co2e_kg = E · I / 1000`` with
    the region's grid intensity I, ``cost_usd`` = GPU-hours × the cheapest offer of that pricing model in the
    region (``cost_usd_low``); ``cost_usd_high`` = GPU-hours × the dearest on-demand offer there (empty for spot).
    ``pareto`` marks the cost-CO2e front (``compare.pareto_front``).
    Columns are those of ``REGION_COLUMNS``, sorted by cost. The comparison engine (``compare``) supersedes this
    for owned servers and GPU conversion; this table is its cloud-only, same-GPU subset.
    """
    data = load()
    choice("pricing", pricing, PRICING_MODELS)
    chosen_providers = tuple(providers) if providers is not None else PROVIDERS
    for name in chosen_providers:
        choice("provider", name, PROVIDERS)
    offers = current_offers()
    offers = offers[(offers["gpu"] == workload.gpu) & (offers["pricing"] == pricing)
                    & offers["provider"].isin(chosen_providers)]
    power_used, power_assumptions = _power(workload, chosen, gpu_power_fraction, power)
    catalog = data.catalog
    # The cheapest offer per region, picked as estimate.offer_price_range picks it (stable sort by price).
    by_price = offers.sort_values("usd_per_gpu_hour", kind="mergesort")
    cheapest = by_price.groupby(["provider", "region"], sort=True).head(1).sort_values(["provider", "region"])
    dearest_on_demand = (offers[offers["pricing"] == "on_demand"].groupby(["provider", "region"])["usd_per_gpu_hour"]
                         .max().rename("high_usd_per_gpu_hour"))
    regions = data["cloud_regions"]
    regions = regions[regions["provider"].isin(chosen_providers) & regions["region"].isin(cheapest["region"])]
    rows, assumptions = [], list(power_assumptions)
    energy_by_provider = {}
    for provider in cheapest["provider"].unique():
        # Energy depends on the provider only (its PUE): one estimate per provider, not per region.
        pue_used = pue_assumption(pue, provider)
        energy_by_provider[provider] = estimate(catalog, workload, offers.iloc[:0], grid_assumption(), pue_used,
                                                power_used, power_assumptions).table["energy_kwh"].iloc[0]
        assumptions.append(pue_used)
    for offer in cheapest.itertuples():
        grid = region_intensity(regions, offer.provider, offer.region)
        assumptions.append(grid)
        high = dearest_on_demand.get((offer.provider, offer.region))
        rows.append({
            "option_kind": "cloud", "provider": offer.provider, "region": offer.region, "location": offer.location,
            "instance_type": offer.instance_type, "pricing": pricing, "gpu": workload.gpu,
            "gpu_count": workload.gpu_count, "gpu_hours": workload.gpu_hours, "wall_hours": workload.wall_hours,
            "pue": float(pue_assumption(pue, offer.provider).value), "grid_gco2e_per_kwh": float(grid.value),
            "energy_kwh": energy_by_provider[offer.provider],
            "cost_usd_low": offer.usd_per_gpu_hour * workload.gpu_hours,
            "cost_usd_high": None if high is None else high * workload.gpu_hours,
        })
        assumptions.append(Assumption(f"price_low_{offer.provider}_{offer.region}", offer.usd_per_gpu_hour,
                                      "USD/GPU-hour", f"{offer.provider} {offer.region} {offer.instance_type}", "",
                                      pricing))
    table = pd.DataFrame(rows, columns=[c for c in REGION_COLUMNS if c not in ("co2e_kg", "cost_usd", "pareto")])
    table = table.astype({"cost_usd_low": float, "cost_usd_high": float, "energy_kwh": float})
    table["co2e_kg"] = co2e_kg(table["energy_kwh"], table["grid_gco2e_per_kwh"])
    table["cost_usd"] = table["cost_usd_low"]
    table = table[list(REGION_COLUMNS[:-1])]
    table["pareto"] = compare_engine.pareto_front(table["cost_usd"].to_numpy(), table["co2e_kg"].to_numpy())
    table = table.sort_values(["cost_usd", "co2e_kg", "provider", "region"], kind="mergesort").reset_index(drop=True)
    return RegionEstimates(table, assumptions_table(assumptions))


def headline_options(table: pd.DataFrame, current: pd.Series | dict | None = None) -> pd.DataFrame:
    """The cheapest, lowest-carbon and fastest rows of a comparison table and their deltas to ``current``.

    See ``planner.options.headline_options``: ``delta_cost_usd`` [USD], ``delta_co2e_kg`` [kg],
    ``delta_wall_hours`` [h] = pick − current.
    """
    return options.headline_options(table, current)
