"""One workload's estimate: grid, PUE, power and prices chosen from plain inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from planner import defaults
from planner.api.grid_water import estimate_extras
from planner.carbon import region_intensity, zone_intensity
from planner.defaults import Assumption
from planner.errors import PlanError, at_least, choice, non_negative, positive
from planner.estimate import Estimate, PowerProfile, default_power, estimate
from planner.fields import checked
from planner.presets import Preset
from planner.shipped import load
from planner.units import to_magnitude
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS
from pricing.store import current_offers


@checked
def grid_assumption(zone: str | None = None, provider: str | None = None, region: str | None = None) -> Assumption:
    """Grid intensity from a cloud region, a zone (country ISO-3, ``US-CA``, ``WORLD``), or the default zone."""
    data = load()
    if provider and region:
        return region_intensity(data["cloud_regions"], provider, region)
    return zone_intensity(data["grid_intensity"], zone or str(defaults.DEFAULT_GRID_ZONE.value))


def pue_assumption(pue: float | None, provider: str | None) -> Assumption:
    """The PUE to use: the user's, else the provider's fleet figure, else the owned-room default."""
    base = defaults.PUE[provider] if provider in defaults.PUE else defaults.PUE["owned"]
    if pue is None:
        return base
    return base.with_value(at_least("pue", pue, 1.0))


@checked
def filtered_offers(provider: str | None = None, region: str | None = None, pricing: str | None = None) -> pd.DataFrame:
    """Current offers, narrowed to a provider, region and pricing model (each validated)."""
    offers = current_offers()
    if provider:
        choice("provider", provider, PROVIDERS)
        offers = offers[offers["provider"] == provider]
    if region:
        regions = sorted(offers["region"].unique())
        if region not in regions:
            from planner.errors import unknown

            raise unknown("region", region, regions)
        offers = offers[offers["region"] == region]
    if pricing:
        choice("pricing", pricing, PRICING_MODELS)
        offers = offers[offers["pricing"] == pricing]
    return offers


@checked
def estimate_workload(
    workload: Workload,
    chosen: Preset | None = None,
    *,
    provider: str | None = None,
    region: str | None = None,
    pricing: str | None = None,
    grid_zone: str | None = None,
    pue: float | None = None,
    gpu_power_fraction: float | None = None,
    power: PowerProfile | None = None,
    gpu_w: object = None,
    host_w: object = None,
    grid_gco2e_per_kwh: object = None,
    start: str | None = None,
    grid_basis: str = "trend",
    cooling: str = "unknown",
    wue_l_per_kwh: float | None = None,
) -> Estimate:
    """Energy, CO2e and cost range of a workload, with every assumption listed.

    gpu_w : average power per GPU [W] (float or quantity, e.g. '400 W'), instead of TDP x fraction
    host_w : CPU + DRAM power of the whole job [W]; 0 counts GPUs only (as Meta's model cards do)
    grid_gco2e_per_kwh : a grid intensity of your own [gCO2e/kWh], instead of a zone or region
    start : 'YYYY-MM': CO2e over the job's wall-clock from then (``grid_basis`` flat, trend or projection);
    water (``water_l``, parts and range) always: the region's WUE, or an owned room's ``cooling`` /
    ``wue_l_per_kwh`` where no provider is given (``api.grid_water.estimate_extras``)
    """
    data = load()
    if region and not provider:
        raise PlanError("region: give --provider too (aws, gcp or azure)")
    if grid_zone and region:
        raise PlanError(f"grid_zone '{grid_zone}': the region '{region}' sets the grid; give a region or a grid zone, "
                        "not both")
    if power is not None and (gpu_w is not None or host_w is not None):
        raise PlanError(f"{'gpu_w' if gpu_w is not None else 'host_w'}: the measured power file sets the power; "
                        "give a measurement or gpu_w / host_w, not both")
    if gpu_power_fraction is not None and gpu_w is not None:
        raise PlanError("gpu_power_fraction: gpu_w sets the GPU power; give one of them, not both")
    if gpu_power_fraction is not None and power is not None and power.measured:
        raise PlanError("gpu_power_fraction: the measured power file sets the GPU power; give one of them, not both")
    if (gpu_power_fraction is not None and power is None and gpu_w is None and chosen is not None
            and chosen.measured_total_w is not None and workload.gpu == chosen.workload.gpu
            and workload.gpu_count == chosen.workload.gpu_count):
        raise PlanError(f"gpu_power_fraction: the preset '{chosen.name}' uses its published measured power "
                        f"({chosen.measured_total_w:,.0f} W); leave gpu_power_fraction out, or give gpu_w")
    if grid_gco2e_per_kwh is not None:
        if grid_zone:
            raise PlanError("grid_gco2e_per_kwh: give it or a grid zone, not both")
        grid = Assumption("grid_intensity_user", non_negative(
            "grid_gco2e_per_kwh", to_magnitude("grid_gco2e_per_kwh", grid_gco2e_per_kwh, "g/kWh")), "gCO2e/kWh",
            "user input", "")
    else:
        grid = grid_assumption(grid_zone, provider, region) if (grid_zone or region) else grid_assumption()
    pue_used = pue_assumption(pue, provider)
    if power is None and (gpu_w is not None or host_w is not None):
        power = _given_power(workload, gpu_w, host_w, gpu_power_fraction)
    power, power_assumptions = _power(workload, chosen, gpu_power_fraction, power)
    offers = filtered_offers(provider, region, pricing)
    result = estimate(data.catalog, workload, offers, grid, pue_used, power, power_assumptions)
    table, extra, notes = estimate_extras(result.table, provider=provider, region=region, grid_zone=grid_zone,
                                          start=start, grid_basis=grid_basis, cooling=cooling,
                                          wue_l_per_kwh=wue_l_per_kwh, own_grid=grid_gco2e_per_kwh is not None)
    table.attrs["notes"] = tuple(result.table.attrs.get("notes", ())) + tuple(notes)
    return replace(result, table=table, assumptions=(*result.assumptions, *extra))


def _given_power(workload: Workload, gpu_w: object, host_w: object,
                 gpu_power_fraction: float | None) -> PowerProfile:
    """A power profile from user-given W per GPU and/or host W; the one not given takes its default."""
    defaulted, defaulted_assumptions = default_power(
        load().catalog, workload, gpu_power_fraction,
        host_w=None if host_w is None else to_magnitude("host_w", host_w, "W"))
    assumptions = list(defaulted_assumptions)
    per_gpu = defaulted.gpu_w
    if gpu_w is not None:
        per_gpu = positive("gpu_w", to_magnitude("gpu_w", gpu_w, "W"), "W")
        assumptions = [a for a in assumptions if not a.name.startswith(("tdp_", "gpu_power_fraction"))]
        assumptions.insert(0, Assumption("gpu_w", per_gpu, "W per GPU", "user input", ""))
    return PowerProfile(per_gpu, defaulted.host_w, "user input", measured=False, assumptions=tuple(assumptions))


def _power(workload: Workload, chosen: Preset | None, gpu_power_fraction: float | None,
           power: PowerProfile | None) -> tuple[PowerProfile, tuple[Assumption, ...]]:
    """The job's power: given, else the preset's measured draw, else TDP × fraction + default host."""
    if power is None and chosen is not None and chosen.measured_total_w is not None:
        power = PowerProfile(0.0, 0.0, chosen.description, measured=True, total_w=chosen.measured_total_w)
        return power, (Assumption("power_w_measured", chosen.measured_total_w, "W", chosen.workload.source, ""),)
    if power is None:
        return default_power(load().catalog, workload, gpu_power_fraction)
    if power.assumptions:
        return power, power.assumptions
    if power.measured:
        return power, (Assumption("gpu_w_measured", power.gpu_w, "W", power.source, ""),
                       Assumption("host_w_measured", power.host_w, "W", power.source, ""))
    return power, ()


ASSUMPTION_TABLE_COLUMNS = ("name", "value", "value_number", "unit", "source", "as_of", "note")


def assumptions_table(assumptions: Iterable[Assumption] | pd.DataFrame) -> pd.DataFrame:
    """Assumptions as a display-safe table, first occurrence of each name kept.

    assumptions : ``Assumption``s, or a table with their columns (e.g. ``compare(...).assumptions``)
    Columns ``ASSUMPTION_TABLE_COLUMNS``: ``value`` is text (numbers as ``str(float)``, so one column holds
    both numbers and labels such as a preset name), ``value_number`` the number where the value is one,
    else NaN.
    """
    if isinstance(assumptions, pd.DataFrame):
        table = assumptions.reindex(columns=["name", "value", "unit", "source", "as_of", "note"]).copy()
    else:
        table = pd.DataFrame([asdict(a) for a in assumptions], columns=["name", "value", "unit", "source", "as_of",
                                                                         "note"])
    raw = table["value"]
    numeric = raw.map(lambda v: isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool))
    table["value_number"] = pd.to_numeric(raw.where(numeric), errors="coerce").astype(float)
    table["value"] = raw.map(lambda v: str(float(v)) if isinstance(v, np.floating) else str(v)).astype(object)
    for column in ("unit", "source", "as_of", "note"):
        table[column] = table[column].fillna("").astype(str)
    return table[list(ASSUMPTION_TABLE_COLUMNS)].drop_duplicates("name").reset_index(drop=True)
