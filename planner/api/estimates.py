"""One workload's estimate: grid, PUE, power and prices chosen from plain inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from planner import compare as compare_engine
from planner import defaults
from planner.api.grid_water import estimate_extras
from planner.api.snapshot import current_offers as snapshot_offers
from planner.api.snapshot import offers_of_gpu
from planner.carbon import region_intensity, zone_intensity
from planner.columns import readable
from planner.defaults import Assumption
from planner.errors import PlanError, at_least, choice, non_negative, positive
from planner.estimate import Estimate, PowerProfile, default_power, estimate_table
from planner.fields import checked
from planner.presets import Preset
from planner.shipped import load
from planner.units import to_magnitude
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS


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
    offers = snapshot_offers()
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
    given_grid = grid_gco2e_per_kwh is not None or bool(grid_zone)
    settings, power, power_assumptions = engine_settings(
        workload, chosen, pue=pue, grid_gco2e_per_kwh=float(grid.value) if given_grid else None,
        gpu_power_fraction=gpu_power_fraction, power=power, gpu_w=gpu_w, host_w=host_w)
    chosen_pricing = pricing or "on_demand"
    filtered_offers(provider, region, chosen_pricing)  # validates provider, region and pricing
    every_offer = offers_of_gpu(workload.gpu)
    matching = every_offer["pricing"] == chosen_pricing
    if provider:
        matching &= every_offer["provider"] == provider
    if region:
        matching &= every_offer["region"] == region
    basis = (f"chosen option: the cheapest {readable(chosen_pricing)} offer of {workload.gpu}"
             + (f" in {provider}" if provider else "") + (f" {region}" if region else "")
             + " (the comparison engine's row for it: its provider's PUE, region's grid, instance host power, "
             "whole instances billed, unless given)")
    # A grid, cooling or WUE of one's own without a provider describes a room of one's own: the option is that
    # room (the engine's formulas, no billing), with the cloud offers' costs as a stated aggregate.
    own_room = not provider and not region and (bool(grid_zone) or grid_gco2e_per_kwh is not None
                                                 or cooling != "unknown" or wue_l_per_kwh is not None)
    from planner.api.comparison import feasibility_options  # the front door's engine options, as compare's

    if matching.any():
        comparison = compare_engine.compare(
            data.catalog, workload, every_offer, data["cloud_regions"], data["grid_intensity"],
            data["spot_interruption"], (), settings=settings, providers=[provider] if provider else None,
            region_names=[region] if region else None, gpus=[workload.gpu], pricing=[chosen_pricing],
            feasibility_options=feasibility_options(workload, data))
        options = comparison.table
        option = options.iloc[0].to_dict()
    if matching.any() and not own_room:
        used = comparison.assumptions_for(0)
        assumptions = tuple(power_assumptions) + tuple(
            Assumption(str(a.name), a.value, str(a.unit), str(a.source), str(a.as_of), str(a.note))
            for a in used.itertuples() if not str(a.name).startswith(("tdp_", "gpu_power_fraction", "host_w_per",
                                                                      "host_vcpus", "host_gib")) or
            power.total_w is None)
        notes = (basis,)
    else:
        if not matching.any():
            options = pd.DataFrame(columns=["provider", "region", "instance_type", "pricing", "cost_usd"])
        pue_used = pue_assumption(pue, provider)
        option = {"provider": None, "region": None, "instance_type": None, "pricing": None, "instances": None,
                  "pue": float(pue_used.value), "grid_gco2e_per_kwh": float(grid.value),
                  **compare_engine.site_row(data.catalog, workload, float(pue_used.value), float(grid.value),
                                            settings)}
        assumptions = tuple(power_assumptions) + (pue_used, grid)
        if own_room and len(options):
            # the room has no price: its cost range is the stated aggregate of renting the same GPUs
            costs = options["cost_usd"].to_numpy(float)
            option.update(cost_usd=float(np.median(costs)), cost_usd_low=float(costs.min()),
                          cost_usd_high=float(costs.max()))
            notes = (f"a room of your own (grid and PUE as given; the engine's formulas, no billing); its cost range "
                     f"is renting the same GPUs: the cheapest, median and dearest of {len(costs)} {chosen_pricing} "
                     f"offers of {workload.gpu}",)
        else:
            notes = (f"no {chosen_pricing} cloud offer for {workload.gpu}"
                     + (f" in {provider}" if provider else "") + (f" {region}" if region else "")
                     + ": energy and CO2e in a room of your own (the engine's formulas, no billing), no cost",)
    table = estimate_table(workload, option, power, options)
    table.attrs["notes"] = tuple(workload.notes) + notes
    prices = options.reindex(columns=["provider", "region", "instance_type", "pricing", "instances", "cost_usd",
                                      "cost_usd_low", "cost_usd_high"]).head(10).reset_index(drop=True)
    result = Estimate(table, assumptions, prices)
    table, extra, notes = estimate_extras(result.table, provider=option["provider"] or provider,
                                          region=option["region"] or region, grid_zone=grid_zone,
                                          start=start, grid_basis=grid_basis, cooling=cooling,
                                          wue_l_per_kwh=wue_l_per_kwh, own_grid=grid_gco2e_per_kwh is not None)
    table.attrs["notes"] = tuple(result.table.attrs.get("notes", ())) + tuple(notes)
    return replace(result, table=table, assumptions=(*result.assumptions, *extra))


def engine_settings(workload: Workload, chosen: Preset | None, *, pue: float | None = None,
                    grid_gco2e_per_kwh: float | None = None, gpu_power_fraction: float | None = None,
                    power: PowerProfile | None = None, gpu_w: object = None, host_w: object = None,
                    ) -> tuple[compare_engine.Settings, PowerProfile, tuple[Assumption, ...]]:
    """The comparison engine's settings for an estimate's conventions, the job's power and its assumptions.

    Nothing given: the engine's own rules (TDP x fraction, the instance's host, the provider's PUE and the
    region's grid). A preset's published summed power, a measurement, ``gpu_w`` / ``host_w``, ``pue`` and a
    grid intensity are passed as explicit engine conventions (``compare.Settings``).
    """
    host_given = host_w is not None or (power is not None and power.measured)
    gpu_given = gpu_w is not None or (power is not None and power.measured and power.gpu_w > 0)
    if power is None and (gpu_w is not None or host_w is not None):
        power = _given_power(workload, gpu_w, host_w, gpu_power_fraction)
    power, power_assumptions = _power(workload, chosen, gpu_power_fraction, power)
    summed = power.total_w is not None
    settings = compare_engine.Settings(
        gpu_power_fraction=gpu_power_fraction, pue=pue, grid_gco2e_per_kwh=grid_gco2e_per_kwh,
        job_power_w=power.total_w, host_w=power.host_w if host_given and not summed else None,
        measured_gpu_w={workload.gpu: power.gpu_w} if gpu_given and not summed else {},
        measured_source=power.source,
        convention_source=chosen.workload.source if summed and chosen is not None else "user input")
    return settings, power, power_assumptions


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
