"""The library's front door: plain values (or pint quantities) in, DataFrames and Assumptions out.

The CLI and the Streamlit app call these functions and nothing else of the model; each one loads the
shipped data (and the user's refreshed prices) and hands them to the pure functions that compute.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner import compare as compare_engine
from planner import defaults, options, procurement, reproduce
from planner.carbon import co2e_kg, region_intensity, zone_intensity
from planner.catalog import Catalog
from planner.defaults import Assumption
from planner.errors import PlanError, at_least, choice, non_negative, positive, unknown
from planner.estimate import Estimate, PowerProfile, default_power, estimate
from planner.options import report_subset
from planner.ownership import OwnedServer, embodied_kg_per_gpu_hour, server_embodied_kg
from planner.presets import Preset, build_presets, preset
from planner.shipped import load
from planner.site import site_assumptions
from planner.units import to_magnitude
from planner.workload import Workload, convert, from_compute, from_gpu_hours, from_hours, training_flops
from pricing.schema import PRICING_MODELS, PROVIDERS
from pricing.store import current_offers, current_snapshots

if TYPE_CHECKING:  # the renderers load matplotlib and fpdf2: imported only when a report is made
    from planner.reports import Report

CATALOG_KINDS = ("gpus", "servers", "regions", "presets", "grid", "mfu")


def presets() -> dict[str, Preset]:
    """Every workload preset by name."""
    return dict(_shipped_presets())


@functools.lru_cache(maxsize=1)
def _shipped_presets() -> dict[str, Preset]:
    # Built once per process: the shipped data is read once (``load``) and presets are frozen dataclasses.
    data = load()
    return build_presets(data.catalog, data.tables)


def presets_table() -> pd.DataFrame:
    """The presets as a table: name, GPU, count, hours, GPU-hours, description."""
    return pd.DataFrame([
        {"preset": p.name, "gpu": p.workload.gpu, "gpu_count": p.workload.gpu_count, "hours": p.workload.hours,
         "gpu_hours": p.workload.gpu_hours, "description": p.description} for p in presets().values()
    ])


def make_workload(
    preset_name: str | None = None,
    *,
    gpu: str | None = None,
    gpu_count: float | None = None,
    hours: object = None,
    gpu_hours: object = None,
    parameters: float | None = None,
    tokens: float | None = None,
    flops: float | None = None,
    mfu: float | None = None,
    repeats: float = 1.0,
    precision: str | None = None,
    name: str = "custom workload",
) -> tuple[Workload, Preset | None]:
    """A workload from a preset (optionally moved to another GPU / count) or from flags.

    hours / gpu_hours accept floats (hours) or quantities ('3.3 day', ``Q_(79.2, 'h')``).
    Exactly one of: a preset; hours; gpu_hours; a compute budget (flops, or parameters × tokens) with mfu.
    """
    data = load()
    catalog = data.catalog
    positive("repeats", repeats)
    if preset_name:
        chosen = preset(presets(), preset_name)
        workload = replace(chosen.workload, repeats=float(repeats))
        if precision:
            workload = replace(workload, precision=precision)
        if gpu or gpu_count:
            workload = convert(catalog, workload, gpu or workload.gpu, gpu_count)
            chosen = replace(chosen, measured_total_w=None) if workload.gpu != chosen.workload.gpu or \
                workload.gpu_count != chosen.workload.gpu_count else chosen
        return workload, chosen
    if not gpu:
        raise PlanError("gpu: required unless a preset is given; see `trainplan catalog gpus`")
    precision = precision or str(defaults.DEFAULT_PRECISION.value)
    ways = sum(x is not None for x in (hours, gpu_hours)) + int(flops is not None or parameters is not None)
    if ways != 1:
        raise PlanError("workload: give exactly one of hours, gpu_hours, or a compute budget (flops or parameters+tokens)")
    if hours is not None:
        return from_hours(catalog, name, gpu, _count(gpu_count), to_magnitude("hours", hours, "hour"), repeats,
                          precision), None
    if gpu_hours is not None:
        return from_gpu_hours(catalog, name, gpu, to_magnitude("gpu_hours", gpu_hours, "hour"), _count(gpu_count),
                              repeats, precision), None
    if flops is None:
        if parameters is None or tokens is None:
            raise PlanError("parameters, tokens: give both (or flops) for a compute budget")
        flops = training_flops(parameters, tokens)
    if mfu is None:
        raise PlanError("mfu: required with a compute budget, in (0, 1]; published values: `trainplan catalog mfu`")
    return from_compute(catalog, name, gpu, _count(gpu_count), flops, mfu, repeats, precision), None


def _count(gpu_count: float | None) -> float:
    if gpu_count is None:
        raise PlanError("gpu_count: required (a whole number of GPUs > 0)")
    return positive("gpu_count", gpu_count)


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
) -> Estimate:
    """Energy, CO2e and cost range of a workload, with every assumption listed.

    gpu_w : average power per GPU [W] (float or quantity, e.g. '400 W'), instead of TDP x fraction
    host_w : CPU + DRAM power of the whole job [W]; 0 counts GPUs only (as Meta's model cards do)
    grid_gco2e_per_kwh : a grid intensity of your own [gCO2e/kWh], instead of a zone or region
    """
    data = load()
    if region and not provider:
        raise PlanError("region: give --provider too (aws, gcp or azure)")
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
    return estimate(data.catalog, workload, offers, grid, pue_used, power, power_assumptions)


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


@dataclass(frozen=True)
class RegionEstimates:
    """One row per cloud region that offers the workload's GPU, and every assumption behind the rows."""

    table: pd.DataFrame
    assumptions: pd.DataFrame


REGION_COLUMNS = ("option_kind", "provider", "region", "location", "instance_type", "pricing", "gpu", "gpu_count",
                  "gpu_hours", "wall_hours", "pue", "grid_gco2e_per_kwh", "energy_kwh", "co2e_kg", "cost_usd",
                  "cost_usd_low", "cost_usd_high", "pareto")


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


def price_snapshot_ages(today: date | None = None) -> pd.DataFrame:
    """The price snapshot in use per provider and its age.

    Columns: provider, fetched_at, origin (shipped | user cache), source, row_count, age_days = today − fetched_at
    [days], stale = age_days > ``defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS`` (30 days).
    """
    today = today or date.today()
    snaps = current_snapshots()
    fetched = pd.to_datetime(snaps["fetched_at"], utc=True).dt.tz_localize(None).dt.normalize()
    table = snaps[["provider", "fetched_at", "origin", "source", "row_count"]].copy()
    table["age_days"] = (pd.Timestamp(today) - fetched).dt.days.astype(int)
    table["stale"] = table["age_days"] > float(defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value)
    return table.reset_index(drop=True)


def owned_server(
    server_id: str,
    *,
    grid_zone: str = "USA",
    electricity_zone: str | None = None,
    electricity_usd_per_kwh: float | None = None,
    price_usd: float | None = None,
    gpu: str | None = None,
    lifetime_years: float | None = None,
    utilisation: float | None = None,
    pue: float | None = None,
    maintenance_pct_per_year: float | None = None,
    staff_usd_per_server_year: float | None = None,
    hosting_usd_per_kw_month: float | None = None,
    resale_fraction: float | None = None,
    overhead_pct_of_capex: float | None = None,
    gpu_power_fraction: float | None = None,
) -> tuple[OwnedServer, tuple[Assumption, ...]]:
    """An owned server from the catalog in a location, every unset input from ``planner.defaults``.

    Wall power while training = n · TDP · f + n · host share per GPU (no sourced measured server draw).
    """
    data = load()
    config = data.catalog.server(server_id)
    gpu_id = gpu or config.gpu
    if gpu_id is None:
        raise PlanError(f"server '{config.server}': the catalog does not say which GPU it holds; give gpu")
    price = price_usd if price_usd is not None else config.price_usd
    if price is None:
        raise PlanError(f"server '{config.server}': no sourced purchase price; give price_usd")
    gpu_spec = data.catalog.gpu(gpu_id)
    share = defaults.GPU_POWER_FRACTION_OF_TDP
    if gpu_power_fraction is not None:
        share = share.with_value(gpu_power_fraction)
    power_w = config.gpu_count * (gpu_spec.tdp_w * float(share.value) + defaults.default_host_power_per_gpu_w())
    electricity, grid = site_assumptions(data["grid_intensity"], data["electricity_prices"], grid_zone,
                                         electricity_zone, electricity_usd_per_kwh)

    def pick(default: Assumption, value: float | None) -> Assumption:
        return default if value is None else default.with_value(value)

    chosen = {
        "lifetime": pick(defaults.OWNED_LIFETIME_YEARS, lifetime_years),
        "utilisation": pick(defaults.OWNED_UTILISATION, utilisation),
        "pue": pick(defaults.PUE["owned"], pue),
        "maintenance": pick(defaults.MAINTENANCE_PCT_PER_YEAR, maintenance_pct_per_year),
        "staff": pick(defaults.STAFF_USD_PER_SERVER_YEAR, staff_usd_per_server_year),
        "hosting": pick(defaults.HOSTING_USD_PER_KW_MONTH, hosting_usd_per_kw_month),
        "resale": pick(defaults.RESALE_FRACTION, resale_fraction),
        "overhead": pick(defaults.OVERHEAD_PCT_OF_CAPEX, overhead_pct_of_capex),
    }
    embodied = server_embodied_kg(config.gpu_count, float(defaults.EMBODIED_SERVER_KG.value),
                                  float(defaults.EMBODIED_GPU_KG.value))
    server = OwnedServer(
        server=config.server, gpu=gpu_spec.gpu, gpu_count=config.gpu_count, price_usd=float(price), power_w=power_w,
        lifetime_years=float(chosen["lifetime"].value), utilisation=float(chosen["utilisation"].value),
        pue=float(chosen["pue"].value), electricity_usd_per_kwh=float(electricity.value),
        maintenance_pct_per_year=float(chosen["maintenance"].value),
        staff_usd_per_server_year=float(chosen["staff"].value),
        hosting_usd_per_kw_month=float(chosen["hosting"].value), resale_fraction=float(chosen["resale"].value),
        overhead_pct_of_capex=float(chosen["overhead"].value), embodied_kg=embodied,
        grid_gco2e_per_kwh=float(grid.value),
    )
    price_source = config.source if price_usd is None else "user input"
    assumptions = (
        Assumption(f"price_{config.server}", float(price), "USD", price_source,
                   "" if config.price_year is None else str(int(config.price_year))),
        Assumption(f"tdp_{gpu_spec.gpu}", gpu_spec.tdp_w, "W", gpu_spec.source, ""), share,
        *defaults.host_assumptions(), electricity, grid, *chosen.values(),
        defaults.EMBODIED_SERVER_KG, defaults.EMBODIED_GPU_KG,
    )
    return server, assumptions


def owned_options(
    servers: list[str] | None = None,
    *,
    site_zone: str = "USA",
    electricity_zone: str | None = None,
    electricity_usd_per_kwh: float | None = None,
    gpu_power_fraction: float | None = None,
    **overrides: float | None,
) -> list[compare_engine.OwnedOption]:
    """Owned server configurations at one site, ready for the comparison engine.

    servers : catalog ids; None = every catalog server with a sourced price and GPU. ``overrides`` are
    ``owned_server``'s keyword inputs (lifetime_years, utilisation, pue, maintenance_pct_per_year, …).
    The site's grid range: its zone's intensity and, for a subdivision (US state, Chinese or Canadian
    province, Nordic bidding zone), its country's, as low/high.
    """
    data = load()
    table = data["servers"]
    if servers is None:
        servers = table.loc[table["price_usd"].notna() & table["gpu"].notna(), "server"].tolist()
    grid = data["grid_intensity"]
    zone_row = grid[grid["zone"].str.upper() == str(site_zone).strip().upper()]
    options = []
    for server_id in servers:
        server, assumptions = owned_server(server_id, grid_zone=site_zone, electricity_zone=electricity_zone,
                                           electricity_usd_per_kwh=electricity_usd_per_kwh,
                                           gpu_power_fraction=gpu_power_fraction, **overrides)
        zone = str(zone_row["zone"].iloc[0])
        country = compare_engine.zone_country(zone)
        central = server.grid_gco2e_per_kwh
        parent = grid.loc[grid["zone"] == country, "gco2e_per_kwh"] if country and country != zone else pd.Series([])
        other = float(parent.iloc[0]) if len(parent) else central
        options.append(compare_engine.OwnedOption(
            server=server, tdp_w=data.catalog.gpu(server.gpu).tdp_w,
            host_w_per_gpu=defaults.default_host_power_per_gpu_w(), site_zone=zone,
            site_name=str(zone_row["name"].iloc[0]), country=country,
            grid=compare_engine.Range(min(central, other), central, max(central, other)), assumptions=assumptions))
    return options


def compare(
    workload: Workload,
    preset: Preset | None = None,
    *,
    providers: list[str] | None = None,
    regions: list[str] | None = None,
    gpus: list[str] | None = None,
    pricing: list[str] | None = None,
    countries: list[str] | None = None,
    max_wall_hours: float | None = None,
    servers: list[str] | None = None,
    site_zone: str = "USA",
    electricity_zone: str | None = None,
    electricity_usd_per_kwh: float | None = None,
    utilisation: float | None = None,
    lifetime_years: float | None = None,
    owned_pue: float | None = None,
    maintenance_pct_per_year: float | None = None,
    staff_usd_per_server_year: float | None = None,
    hosting_usd_per_kw_month: float | None = None,
    resale_fraction: float | None = None,
    overhead_pct_of_capex: float | None = None,
    whole_servers: bool = True,
    accounting_modes: tuple[str, ...] = ("dedicated", "shared"),
    offers: pd.DataFrame | None = None,
    spot_interruptions_per_hour: float | None = None,
    checkpoint_interval_hours: float | None = None,
    restart_hours: float | None = None,
    throughput_ratios: dict[str, float] | None = None,
    gpu_power_fraction: float | None = None,
    monte_carlo: int = 0,
    seed: int = 0,
    power: PowerProfile | None = None,
) -> compare_engine.Comparison:
    """One workload against every cloud offer and owned server configuration (``planner.compare``).

    offers : the normalised offers to compare (default: current offers); pass your own, e.g. 2019 prices
    servers : owned catalog servers (None = every server with a sourced price; [] = cloud only), at
    ``site_zone`` (grid zone: ISO-3 country, ``US-CA``, …) with its electricity price unless given
    Cost [USD], energy [kWh], CO2e [kg] with ``_low``/``_high`` ranges and, with ``monte_carlo`` draws,
    percentiles 5/50/95 per row (seeded).
    power : a measured profile (``api.measured_power``): its W per GPU replaces TDP x fraction for the
    workload's GPU in every row on that GPU (cloud and owned), flagged ``power_measured``.
    """
    data = load()
    settings = compare_engine.Settings(
        throughput_ratios=dict(throughput_ratios or {}), gpu_power_fraction=gpu_power_fraction,
        spot_interruptions_per_hour=spot_interruptions_per_hour, checkpoint_interval_hours=checkpoint_interval_hours,
        restart_hours=restart_hours, owned_utilisation=utilisation, owned_lifetime_years=lifetime_years,
        maintenance_pct_per_year=maintenance_pct_per_year, whole_servers=whole_servers,
        monte_carlo=int(monte_carlo), seed=int(seed),
        measured_gpu_w={workload.gpu: power.gpu_w} if power is not None and power.measured and power.gpu_w > 0 else {},
        measured_source=power.source if power is not None else "")
    owned: list[compare_engine.OwnedOption] = []
    if servers is None or servers:
        owned = owned_options(
            servers, site_zone=site_zone, electricity_zone=electricity_zone,
            electricity_usd_per_kwh=electricity_usd_per_kwh, gpu_power_fraction=gpu_power_fraction,
            lifetime_years=lifetime_years, utilisation=utilisation, pue=owned_pue,
            maintenance_pct_per_year=maintenance_pct_per_year, staff_usd_per_server_year=staff_usd_per_server_year,
            hosting_usd_per_kw_month=hosting_usd_per_kw_month, resale_fraction=resale_fraction,
            overhead_pct_of_capex=overhead_pct_of_capex)
    base = ()
    if preset is not None:
        base = (Assumption("workload_preset", preset.name, "", preset.workload.source, "", preset.description),)
    result = compare_engine.compare(
        data.catalog, workload, current_offers() if offers is None else offers, data["cloud_regions"],
        data["grid_intensity"], data["spot_interruption"], owned, settings=settings, providers=providers,
        region_names=regions, gpus=gpus, pricing=pricing, countries=countries, max_wall_hours=max_wall_hours,
        modes=accounting_modes, base_assumptions=base)
    if preset is not None and preset.measured_total_w is not None and power is None:
        # A paper's summed job power (CPU + DRAM + GPUs) cannot be split into the per-GPU draw the engine
        # needs on other GPUs and hosts; say so rather than mix it with TDP-based rows.
        note = (f"{preset.name}: the paper's measured {preset.measured_total_w:,.0f} W (CPU + DRAM + GPUs) is used "
                "by `estimate`; every compared option uses TDP-based power so options compare like for like "
                "(pass a `trainplan measure` file to use measured GPU power)")
        result = replace(result, notes=(*result.notes, note))
    return result


def strubell2019() -> dict[str, pd.DataFrame]:
    """Strubell et al. 2019 reproduced from its inputs: ``table3``, ``table4``, ``ownership``."""
    data = load()
    prices = data["gcp_2019_prices"]
    us = data["electricity_prices"]
    us_2018 = float(us[(us["zone"] == "US") & (us["year"] == 2018) & (us["sector"] == "commercial")]["usd_per_kwh"].iloc[0])
    t4 = reproduce.table4(data["strubell2019_table4"], prices, data["ownership_defaults"], us_2018)
    server = data.catalog.server("strubell-8x-gtx1080ti")
    lisa = t4.iloc[-1]
    on_demand = float(prices.loc[prices["accelerator"] == "P100", "on_demand_usd_per_hour"].iloc[0])
    ownership = reproduce.ownership_section4(float(lisa["gpu_hours"]), 172.0, float(server.price_usd), server.gpu_count,
                                             on_demand, float(lisa["electricity_usd"]))
    return {
        "table3": reproduce.table3(data["strubell2019_inputs"], data["strubell_constants"], prices,
                                   data["strubell2019_table3"]),
        "table4": t4,
        "ownership": ownership,
        "electricity_rate": pd.DataFrame([{
            "usd_per_gpu_hour": reproduce.electricity_rate_usd_per_gpu_hour(data["ownership_defaults"])[0],
            "source": reproduce.electricity_rate_usd_per_gpu_hour(data["ownership_defaults"])[1],
            "us_commercial_2018_usd_per_kwh": us_2018,
        }]),
    }


def catalog_table(kind: str) -> pd.DataFrame:
    """A catalog listing: gpus, servers, regions, presets or grid zones."""
    choice("catalog", kind, CATALOG_KINDS)
    table = _catalog_table(kind)
    for column in ("year", "release_year", "price_year", "gpu_count", "seq_len"):
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
    if kind == "mfu":
        return data["mfu"][["model", "gpu", "precision", "mfu", "gpu_count", "seq_len", "source", "year"]]
    return presets_table()


#: Keys of a procurement plan (TOML top level and ``procurement_plan`` keywords); see README "procure".
PLAN_KEYS = ("server", "horizon_years", "demand_gpu_hours", "growth", "demand_gpu", "precision", "portfolio",
             "target_utilisation", "whole_servers", "clouds", "spot_overhead_fraction", "mean_job_hours", "job_gpus",
             "site", "owned")
SITE_KEYS = ("grid_zone", "electricity_zone", "electricity_usd_per_kwh")
OWNED_KEYS = ("price_usd", "gpu", "lifetime_years", "pue", "maintenance_pct_per_year", "staff_usd_per_server_year",
              "hosting_usd_per_kw_month", "resale_fraction", "overhead_pct_of_capex", "gpu_power_fraction")
CLOUD_KEYS = ("provider", "region", "gpu", "pricing", "usd_per_gpu_hour", "name", "throughput_ratio", "grid_zone")
PORTFOLIO_KEYS = ("preset", "runs", "gpu", "gpu_count", "hours", "gpu_hours", "parameters", "tokens", "flops", "mfu",
                  "precision", "name")


def _keys(field: str, given: Mapping[str, object], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(given) - set(allowed))
    if extra:
        raise PlanError(f"{field}: unknown key '{extra[0]}'; allowed: {', '.join(allowed)}")


def _per_year(field: str, value: object, years: int, growth: float) -> np.ndarray:
    """A per-year series from a list (taken as given) or a number (grown by ``growth`` each year)."""
    if isinstance(value, list | tuple | np.ndarray):
        if len(value) != years:
            raise PlanError(f"{field}: {len(value)} values for a {years}-year horizon; give one per year")
        return np.asarray([float(v) for v in value])
    return procurement.demand_with_growth(float(value), growth, years)  # type: ignore[arg-type]


def procurement_demand(server_gpu: str, years: int, *, demand_gpu_hours: object = None, growth: float = 0.0,
                       demand_gpu: str | None = None, precision: str | None = None,
                       portfolio: Sequence[Mapping[str, object]] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """GPU-hours per year on the server's GPU, from a direct figure and/or a portfolio of workloads.

    demand_gpu_hours : a list (one per year) or a base for year 1 grown by ``growth`` [GPU·h on demand_gpu]
    portfolio : entries ``{preset | workload flags, runs}``; runs is a list per year or a number grown by
      ``growth``; each workload moves to the server's GPU by peak-throughput ratio (an estimate, noted).
    """
    catalog = load().catalog
    if growth <= -1:
        raise PlanError(f"growth {growth:g}: must be > -1 (a yearly growth rate, 0.1 = 10%)")
    if demand_gpu_hours is None and not portfolio:
        raise PlanError("demand: give demand_gpu_hours (a list per year, or a base with growth) or a portfolio")
    total = np.zeros(years)
    notes: tuple[str, ...] = ()
    if demand_gpu_hours is not None:
        direct = _per_year("demand_gpu_hours", demand_gpu_hours, years, growth)
        for i, value in enumerate(direct, start=1):
            if value < 0:
                raise PlanError(f"demand_gpu_hours (year {i}) {value:g} GPU-h: must be >= 0")
        source_gpu = catalog.gpu(demand_gpu or server_gpu).gpu
        if source_gpu != server_gpu:
            ratio, note = catalog.throughput_ratio(source_gpu, server_gpu,
                                                   precision or str(defaults.DEFAULT_PRECISION.value))
            direct = direct / ratio
            notes += (f"demand moved from {source_gpu} to {server_gpu}: {note}",)
        total += direct
    for i, entry in enumerate(portfolio or (), start=1):
        _keys(f"portfolio entry {i}", entry, PORTFOLIO_KEYS)
        flags = {k: v for k, v in entry.items() if k not in ("preset", "runs")}
        if "runs" not in entry:
            raise PlanError(f"portfolio entry {i}: runs required (a number per year, or a list per year)")
        workload, _ = make_workload(entry.get("preset"), **flags)  # type: ignore[arg-type]
        moved = convert(catalog, workload, server_gpu)
        runs = _per_year(f"portfolio entry {i} runs", entry["runs"], years, growth)
        if (runs < 0).any():
            raise PlanError(f"portfolio entry {i} runs: must be >= 0")
        total += runs * moved.gpu_hours
        notes += tuple(f"{workload.name}: {n}" for n in moved.notes if n not in workload.notes)
    return total, notes


def _cloud_options(catalog: Catalog, server_gpu: str, specs: Sequence[Mapping[str, object]],
                   spot_overhead: Assumption) -> tuple[pd.DataFrame, tuple[Assumption, ...]]:
    """One row per (cloud spec, pricing model), in the columns ``procurement.CLOUD_COLUMNS``."""
    data = load()
    offers = current_offers()
    rows, used = [], []
    embodied_per_gpu = server_embodied_kg(float(defaults.CLOUD_GPUS_PER_HOST.value),
                                          float(defaults.EMBODIED_SERVER_KG.value),
                                          float(defaults.EMBODIED_GPU_KG.value)) / float(defaults.CLOUD_GPUS_PER_HOST.value)
    embodied_rate = embodied_kg_per_gpu_hour(embodied_per_gpu, 1.0, float(defaults.CLOUD_LIFETIME_YEARS.value),
                                             float(defaults.CLOUD_UTILISATION.value))
    for i, spec in enumerate(specs, start=1):
        _keys(f"cloud entry {i}", spec, CLOUD_KEYS)
        provider = choice(f"cloud entry {i} provider", str(spec.get("provider", "")), PROVIDERS)
        region = spec.get("region")
        gpu = catalog.gpu(str(spec.get("gpu") or server_gpu)).gpu
        custom = spec.get("usd_per_gpu_hour")
        if region is not None:
            grid = region_intensity(data["cloud_regions"], provider, str(region))
        elif custom is not None:
            grid = zone_intensity(data["grid_intensity"], str(spec.get("grid_zone") or defaults.DEFAULT_GRID_ZONE.value))
        else:
            raise PlanError(f"cloud entry {i}: region required unless usd_per_gpu_hour is given")
        if "throughput_ratio" in spec:
            ratio = positive(f"cloud entry {i} throughput_ratio", spec["throughput_ratio"])  # type: ignore[arg-type]
            ratio_note = f"user-given throughput ratio {ratio:g} ({gpu} vs {server_gpu})"
        elif gpu == server_gpu:
            ratio, ratio_note = 1.0, ""
        else:
            ratio, ratio_note = catalog.throughput_ratio(server_gpu, gpu, str(defaults.DEFAULT_PRECISION.value))
        pue = defaults.PUE[provider]
        kwh = (catalog.gpu(gpu).tdp_w * float(defaults.GPU_POWER_FRACTION_OF_TDP.value)
               + defaults.default_host_power_per_gpu_w()) * float(pue.value) / 1000.0
        used += [pue, grid]
        base = {"provider": provider, "region": region or "", "gpu": gpu, "throughput_ratio": ratio,
                "kwh_per_gpu_hour": kwh, "grid_gco2e_per_kwh": float(grid.value),
                "embodied_kg_per_gpu_hour": embodied_rate}
        if custom is not None:
            pricing = choice(f"cloud entry {i} pricing", str(spec.get("pricing", "on_demand")), procurement.CLOUD_PRICING)
            price = positive(f"cloud entry {i} usd_per_gpu_hour", custom)  # type: ignore[arg-type]
            name = str(spec.get("name") or f"{provider} {region or ''} {gpu} {pricing} (given price)").replace("  ", " ")
            rows.append({**base, "option": name, "pricing": pricing, "usd_per_gpu_hour": price,
                         "overhead_fraction": float(spot_overhead.value) if pricing == "spot" else 0.0,
                         "source": "user input", "note": ratio_note})
            used.append(Assumption(f"price_{name}", price, "USD/GPU-hour", "user input", "", pricing))
            continue
        here = offers[(offers["provider"] == provider) & (offers["region"] == region)]
        if here.empty:
            raise unknown(f"cloud entry {i} {provider} region", region, offers.loc[offers["provider"] == provider, "region"])
        of_gpu = here[here["gpu"] == gpu]
        if of_gpu.empty:
            raise PlanError(f"cloud entry {i}: no {gpu} offer in {provider} {region}; offered there: "
                            f"{', '.join(sorted(here['gpu'].unique()))} (give gpu)")
        pricings = [str(spec["pricing"])] if spec.get("pricing") else list(procurement.CLOUD_PRICING)
        for pricing in pricings:
            choice(f"cloud entry {i} pricing", pricing, procurement.CLOUD_PRICING)
            name = f"{provider} {region} {gpu} {pricing}"
            hits = of_gpu[of_gpu["pricing"] == pricing].sort_values("usd_per_gpu_hour", kind="mergesort")
            overhead = float(spot_overhead.value) if pricing == "spot" else 0.0
            if hits.empty:
                if pricing.startswith("reserved"):
                    note = (f"no reserved price in the data: no {pricing} offer for {gpu} in {provider} {region} "
                            "(the shipped snapshot has only on_demand and spot; refresh prices or give "
                            "usd_per_gpu_hour)")
                else:
                    note = f"no {pricing} price in the data for {gpu} in {provider} {region}"
                rows.append({**base, "option": name, "pricing": pricing, "usd_per_gpu_hour": np.nan,
                             "overhead_fraction": overhead, "source": "", "note": note})
                continue
            best = hits.iloc[0]
            note = "; ".join(n for n in (ratio_note, "cheapest offer, per used GPU-hour (commitment kept busy)"
                                         if pricing.startswith("reserved") else "") if n)
            rows.append({**base, "option": name, "pricing": pricing, "usd_per_gpu_hour": float(best["usd_per_gpu_hour"]),
                         "overhead_fraction": overhead, "source": f"{best['instance_type']}: {best['source']}",
                         "note": note})
            used.append(Assumption(f"price_{name}", float(best["usd_per_gpu_hour"]), "USD/GPU-hour",
                                   f"{best['instance_type']}: {best['source']}", str(best["fetched_at"]), pricing))
    table = pd.DataFrame(rows, columns=list(procurement.CLOUD_COLUMNS))
    unique = tuple(dict.fromkeys(used))
    return table, unique


def procurement_plan(
    server: str,
    *,
    horizon_years: float | None = None,
    demand_gpu_hours: object = None,
    growth: float = 0.0,
    demand_gpu: str | None = None,
    precision: str | None = None,
    portfolio: Sequence[Mapping[str, object]] | None = None,
    target_utilisation: float | None = None,
    whole_servers: bool = True,
    clouds: Sequence[Mapping[str, object]] = (),
    spot_overhead_fraction: float | None = None,
    mean_job_hours: float | None = None,
    job_gpus: float | None = None,
    site: Mapping[str, object] | None = None,
    owned: Mapping[str, object] | None = None,
) -> procurement.Plan:
    """Buy ``server``s for a shared cluster or rent: sizing, TCO, break-even, tornado and carbon per year.

    server : catalog server id (`trainplan catalog servers`); site : grid_zone, electricity_zone,
    electricity_usd_per_kwh; owned : overrides of the server's inputs (price_usd, lifetime_years, pue, …)
    horizon_years : whole years (default 5; or the length of a demand list)
    demand_gpu_hours : per-year list, or year-1 base grown by ``growth`` [GPU·h on demand_gpu]
    portfolio : workloads per year (see ``procurement_demand``)
    target_utilisation : in (0, 1) (default ``defaults.OWNED_UTILISATION``)
    clouds : entries {provider, region, gpu?, pricing?} priced from the offers, or with usd_per_gpu_hour
    spot_overhead_fraction : extra spot GPU-hours for preemption (default ``defaults.SPOT_OVERHEAD_FRACTION``)
    Returns a ``procurement.Plan``.
    """
    site = dict(site or {})
    owned = dict(owned or {})
    _keys("site", site, SITE_KEYS)
    _keys("owned", owned, OWNED_KEYS)
    if horizon_years is None:
        horizon_years = len(demand_gpu_hours) if isinstance(demand_gpu_hours, list | tuple) else \
            float(defaults.PROCUREMENT_HORIZON_YEARS.value)
    years = procurement.horizon(horizon_years)
    target = procurement.target_utilisation(
        float(defaults.OWNED_UTILISATION.value) if target_utilisation is None else target_utilisation)
    spot = defaults.SPOT_OVERHEAD_FRACTION
    if spot_overhead_fraction is not None:
        spot = spot.with_value(non_negative("spot_overhead_fraction", spot_overhead_fraction))
    owned_server_, server_assumptions = owned_server(server, **site, **owned)  # type: ignore[arg-type]
    # The plan's target utilisation (listed below) replaces the ownership default.
    server_assumptions = tuple(a for a in server_assumptions if a.name != defaults.OWNED_UTILISATION.name)
    procurement.whole_lifetime(owned_server_.lifetime_years)
    demand, notes = procurement_demand(owned_server_.gpu, years, demand_gpu_hours=demand_gpu_hours, growth=growth,
                                       demand_gpu=demand_gpu, precision=precision, portfolio=portfolio)
    cloud, cloud_assumptions = _cloud_options(load().catalog, owned_server_.gpu, clouds, spot)
    horizon_assumption = defaults.PROCUREMENT_HORIZON_YEARS if horizon_years == defaults.PROCUREMENT_HORIZON_YEARS.value \
        else defaults.PROCUREMENT_HORIZON_YEARS.with_value(years)
    plan_assumptions = (horizon_assumption, Assumption("target_utilisation", target, "fraction",
                        defaults.OWNED_UTILISATION.source if target_utilisation is None else "user input",
                        defaults.OWNED_UTILISATION.as_of if target_utilisation is None else ""), spot,
                        defaults.CLOUD_LIFETIME_YEARS, defaults.CLOUD_UTILISATION, defaults.CLOUD_GPUS_PER_HOST)
    if not whole_servers:
        notes += ("fractional servers, as Strubell et al. 2019 count 7.25",)
    return procurement.plan(owned_server_, demand, cloud, utilisation=target, whole_servers=whole_servers,
                            job_gpus=job_gpus, mean_job_hours=mean_job_hours,
                            assumptions=server_assumptions + plan_assumptions + cloud_assumptions, notes=notes)


def procurement_plan_from_config(config: Mapping[str, object]) -> procurement.Plan:
    """A procurement plan from a parsed plan file (TOML tables as dicts; keys in ``PLAN_KEYS``)."""
    _keys("plan", config, PLAN_KEYS)
    if "server" not in config:
        raise PlanError("server: required (a catalog server id; see `trainplan catalog servers`)")
    kwargs = {k: v for k, v in config.items() if k != "server"}
    return procurement_plan(str(config["server"]), **kwargs)  # type: ignore[arg-type]


def price_snapshots(max_age_days: float | None = None, now: object = None) -> pd.DataFrame:
    """Each provider's price snapshot in use: origin (shipped / user cache), age and whether it is stale.

    max_age_days : staleness threshold [days] (None: ``defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS``)
    now : the time ages are measured at (None: now, UTC)
    Returns columns ``pricing.status.STATUS_COLUMNS``; ``attrs["warnings"]`` holds one line per stale
    provider, ``attrs["cache_warnings"]`` one per damaged user cache set aside in this process.
    """
    from pricing.status import snapshot_status, staleness_warnings
    from pricing.store import cache_warnings, current_snapshots

    limit = positive("max_age_days", defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value if max_age_days is None
                     else max_age_days, "day")
    moment = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    in_use = current_snapshots()
    table = snapshot_status(in_use, moment, limit)
    table.attrs["warnings"] = staleness_warnings(table, limit)
    table.attrs["cache_warnings"] = cache_warnings()  # already logged once, as they happened
    table.attrs["max_age_days"] = limit
    return table


def price_offers(gpu: str | None = None, pricing: str | None = None, provider: str | None = None,
                 region: str | None = None, sort: str = "usd_per_gpu_hour") -> pd.DataFrame:
    """Current offers matching the filters, cheapest first (``sort``: a column of ``pricing.status.SORT_COLUMNS``).

    gpu : a catalog id (``h100-sxm5-80gb``) or a family (``h100``). Unknown values raise PlanError.
    """
    from pricing.status import select_offers

    return select_offers(current_offers(), known_gpus=load().catalog.gpu_ids(), gpu=gpu, pricing=pricing,
                         provider=provider, region=region, sort=sort)


def price_changes(provider: str | None = None) -> pd.DataFrame:
    """Offers added, removed or re-priced between each provider's two newest snapshots (shipped or refreshed).

    Returns columns ``pricing.status.CHANGE_COLUMNS``; ``attrs["compared"]`` says which snapshots were
    compared per provider, or that a provider has only one.
    """
    from pricing.status import CHANGE_COLUMNS, offer_changes
    from pricing.store import all_snapshots, snapshot_offers

    if provider is not None:
        choice("provider", provider, PROVIDERS)
    table = all_snapshots()
    compared, frames = [], []
    for name in [provider] if provider else sorted(table["provider"].unique()):
        two = table[table["provider"] == name].head(2)
        if len(two) < 2:
            compared.append(f"{name}: only one snapshot ({two.iloc[0]['origin']}, {two.iloc[0]['fetched_at']}); "
                            "nothing to compare until `trainplan prices refresh` writes another" if len(two)
                            else f"{name}: no snapshot")
            continue
        new, old = two.iloc[0], two.iloc[1]
        compared.append(f"{name}: {old['origin']} snapshot {old['snapshot_id']} ({old['fetched_at']}) -> "
                        f"{new['origin']} snapshot {new['snapshot_id']} ({new['fetched_at']})")
        frames.append(offer_changes(snapshot_offers(old["path"], old["snapshot_id"]),
                                    snapshot_offers(new["path"], new["snapshot_id"])))
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(CHANGE_COLUMNS))
    changes.attrs["compared"] = compared
    return changes

#: Shortest sampling period `trainplan measure` accepts [s]: NVML refreshes board power every 20-100 ms.
MIN_MEASURE_INTERVAL_S = 0.05


def measure_command(
    argv: list[str],
    *,
    interval: object = 1.0,
    duration: object = None,
    out: str | None = "measured.json",
    force: bool = False,
    gpu_indices: list[int] | None = None,
    say: object = None,
) -> tuple[int, dict]:
    """Run a command while sampling GPU (NVML), CPU and DRAM (RAPL) power; write and return the record.

    interval / duration accept seconds or quantities ('1s', '0.2 s', '24 h'). Returns (the command's exit
    status, the measurement record; schema in ``planner.measure``). ``say`` gets one-line notices.
    """
    from pathlib import Path

    from planner.measure_runner import run_measured

    if not argv:
        raise PlanError("command: give the command to measure after `--`, e.g. trainplan measure -- python train.py")
    interval_s = at_least("interval", to_magnitude("interval", interval, "second"), MIN_MEASURE_INTERVAL_S)
    duration_s = None if duration is None else positive("duration", to_magnitude("duration", duration, "second"), "s")
    out_path = None if out is None else Path(out)
    if out_path is not None and out_path.exists() and not force:
        raise PlanError(f"out '{out_path}': exists; choose another file or pass --force to overwrite it")
    if out_path is not None and not out_path.parent.is_dir():
        raise PlanError(f"out '{out_path}': folder '{out_path.parent}' does not exist")
    return run_measured(argv, interval_s=interval_s, duration_s=duration_s, out_path=out_path,
                        gpu_indices=gpu_indices, say=say or (lambda line: None))


def measured_power(path: str, gpu_count: float | None = None) -> PowerProfile:
    """The measured ``PowerProfile`` in a `trainplan measure` file, for a job of ``gpu_count`` GPUs.

    ``gpu_w`` is the measured average per GPU [W]; ``host_w`` the measured CPU + DRAM power scaled to
    ``gpu_count`` GPUs (default: as many as were measured) [W]; ``measured`` is True and ``assumptions``
    say what was measured and what defaulted.
    """
    from pathlib import Path

    from planner.measurement import power_profile, read_measurement

    record = read_measurement(Path(path))
    count = gpu_count if gpu_count is not None else ((record.get("gpu") or {}).get("count") or 0)
    return power_profile(record, count)


def report(
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
    options_table: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | tuple[Assumption, ...] | None = None,
    chosen_index: int | None = None,
    generated_at: object = None,
    title: str | None = None,
) -> Report:
    """A grant-proposal report of a workload: its estimate, compared options, assumptions, sources, method.

    options_table / assumptions : a comparison's options and their assumptions (``api.compare(...)``'s
        ``table`` and ``assumptions``); without them, ``compare`` is run for the workload (the same power)
        and a report-sized part of it is reported (``planner.options.report_subset``: the ten cheapest,
        the Pareto front, the headline picks and every owned configuration).
    chosen_index : row position of the chosen option in the options table; None: the estimate row.
    generated_at : the report's time stamp (datetime or ISO 8601 text); default now, UTC. Pass a fixed one
        to get byte-identical files.
    Render with ``planner.reports.render(report, fmt)`` or write with ``planner.reports.write_report``.
    """
    from datetime import UTC, datetime

    from planner.reports import build_report
    from pricing.store import current_snapshots

    result = estimate_workload(workload, chosen, provider=provider, region=region, pricing=pricing,
                               grid_zone=grid_zone, pue=pue, gpu_power_fraction=gpu_power_fraction, power=power)
    if options_table is None:
        comparison = compare(workload, chosen, gpu_power_fraction=gpu_power_fraction,
                             power=power if power is not None and power.measured else None)
        options_table, used, _ = report_subset(comparison.table, comparison.assumptions)
        assumptions = used if assumptions is None else assumptions
    merged = pd.DataFrame([a.__dict__ for a in result.assumptions])
    if assumptions is not None:
        merged = pd.concat([merged, assumptions if isinstance(assumptions, pd.DataFrame)
                            else pd.DataFrame([a.__dict__ for a in assumptions])], ignore_index=True)
    return build_report(workload, result.table, options_table, merged, current_snapshots(),
                        generated_at if generated_at is not None else datetime.now(UTC), chosen_index, title,
                        table1=load()["strubell2019_table1"])


# --- The app's own-vs-rent view ------------------------------------------------------------------------------

def gpu_regions(gpu: str, pricing: str = "on_demand") -> pd.DataFrame:
    """Cloud regions offering ``gpu`` at ``pricing``, one row each, cheapest first.

    Columns: provider, region, location, instance_type (the cheapest offer there), usd_per_gpu_hour [USD],
    cheapest_of_provider (True on each provider's cheapest region: the default cloud options to compare).
    """
    gpu_id = load().catalog.gpu(gpu).gpu
    choice("pricing", pricing, PRICING_MODELS)
    offers = current_offers()
    offers = offers[(offers["gpu"] == gpu_id) & (offers["pricing"] == pricing)]
    best = (offers.sort_values(["usd_per_gpu_hour", "provider", "region"], kind="mergesort")
            .drop_duplicates(["provider", "region"]).reset_index(drop=True))
    best = best[["provider", "region", "location", "instance_type", "usd_per_gpu_hour"]].copy()
    best["cheapest_of_provider"] = ~best["provider"].duplicated()
    return best


@dataclass(frozen=True)
class BreakEven:
    """Owning vs renting per GPU-hour as a function of the owned cluster's utilisation.

    curve : utilisation [-], owned_usd_per_gpu_hour [USD per busy GPU-hour]
    clouds : one row per cloud option: ``procurement.CLOUD_COLUMNS``, cloud_usd_per_gpu_hour (per GPU-hour
        of the server's GPU: price · (1 + spot overhead) / throughput ratio) and breakeven_utilisation (NaN:
        never; > 1: the cloud is cheaper even on a fully used cluster)
    owned : one row: server, gpu, gpu_count, utilisation, owned_usd_per_gpu_hour (at that utilisation),
        fixed_usd_per_server_year, electricity_usd_per_gpu_hour, power_w, grid_gco2e_per_kwh
    assumptions : the inputs (``assumptions_table`` columns)
    """

    curve: pd.DataFrame
    clouds: pd.DataFrame
    owned: pd.DataFrame
    assumptions: pd.DataFrame


#: Utilisations the break-even curve is drawn at: 5% to 100% in steps of 1%.
BREAKEVEN_UTILISATIONS = np.round(np.arange(5, 101) / 100.0, 2)


def breakeven_curve(
    server: str,
    *,
    clouds: Sequence[Mapping[str, object]] | None = None,
    pricing: str = "on_demand",
    utilisations: Sequence[float] | np.ndarray | None = None,
    site_zone: str = "USA",
    electricity_usd_per_kwh: float | None = None,
    lifetime_years: float | None = None,
    utilisation: float | None = None,
    pue: float | None = None,
    **owned: float | None,
) -> BreakEven:
    """Cost of a busy GPU-hour on an owned shared cluster at each utilisation, against cloud prices.

    ``c(u) = F / (8760 · n · u) + e`` with ``F = capex · (1 − resale) / L + opex`` per server-year and ``e`` the
    electricity per busy GPU-hour (``planner.ownership.shared_cost_usd_per_gpu_hour``); break-even
    ``u* = F / (8760 · n · (c_cloud − e))`` (``planner.procurement.breakeven_utilisation``), the same as a
    procurement plan's.

    server : catalog server id; site_zone : grid zone of the site (ISO-3, ``US-CA``, …), whose electricity
    price is used unless ``electricity_usd_per_kwh`` [USD/kWh] is given
    lifetime_years [years], utilisation (the expected one, marked) [-], pue [-], ``owned`` : other
    ``owned_server`` overrides (price_usd, maintenance_pct_per_year, staff_usd_per_server_year, …)
    clouds : procurement cloud entries ({provider, region, gpu?, pricing?} or a quote with usd_per_gpu_hour);
    None: each provider's cheapest region for the server's GPU at ``pricing`` (``gpu_regions``)
    utilisations : where to draw the curve, each in [0.01, 1] (default ``BREAKEVEN_UTILISATIONS``)
    """
    from planner.ownership import shared_cost_usd_per_gpu_hour

    owned_, assumptions = owned_server(server, grid_zone=site_zone, electricity_usd_per_kwh=electricity_usd_per_kwh,
                                       lifetime_years=lifetime_years, utilisation=utilisation, pue=pue,
                                       **owned)  # type: ignore[arg-type]
    points = np.asarray(BREAKEVEN_UTILISATIONS if utilisations is None else utilisations, dtype=float)
    for u in points:
        at_least("utilisation", u, 0.01)
        if u > 1:
            raise PlanError(f"utilisation {u:g}: must be in [0.01, 1]")
    if clouds is None:
        choice("pricing", pricing, procurement.CLOUD_PRICING)
        regions = gpu_regions(owned_.gpu, pricing)
        clouds = [{"provider": r.provider, "region": r.region, "pricing": pricing}
                  for r in regions[regions["cheapest_of_provider"]].itertuples()]
    cloud, cloud_assumptions = _cloud_options(load().catalog, owned_.gpu, clouds, defaults.SPOT_OVERHEAD_FRACTION)
    fixed = procurement.fixed_usd_per_server_year(owned_)
    electricity = procurement.electricity_usd_per_gpu_hour(owned_)

    def cost(u: object) -> object:
        return shared_cost_usd_per_gpu_hour(
            owned_.price_usd, owned_.overhead_pct_of_capex, owned_.resale_fraction, owned_.lifetime_years,
            owned_.maintenance_pct_per_year, owned_.staff_usd_per_server_year, owned_.hosting_usd_per_kw_month,
            owned_.power_w, owned_.gpu_count, u, owned_.pue, owned_.electricity_usd_per_kwh)

    curve = pd.DataFrame({"utilisation": points, "owned_usd_per_gpu_hour": cost(points)})
    cloud = cloud.copy()
    cloud["cloud_usd_per_gpu_hour"] = procurement.effective_usd_per_gpu_hour(
        cloud["usd_per_gpu_hour"].astype(float), cloud["throughput_ratio"].astype(float),
        cloud["overhead_fraction"].astype(float))
    cloud["breakeven_utilisation"] = procurement.breakeven_utilisation(
        fixed, owned_.gpu_count, cloud["cloud_usd_per_gpu_hour"].to_numpy(float), electricity)
    summary = pd.DataFrame([{
        "server": owned_.server, "gpu": owned_.gpu, "gpu_count": owned_.gpu_count, "utilisation": owned_.utilisation,
        "owned_usd_per_gpu_hour": float(cost(owned_.utilisation)), "fixed_usd_per_server_year": fixed,
        "electricity_usd_per_gpu_hour": electricity, "power_w": owned_.power_w,
        "grid_gco2e_per_kwh": owned_.grid_gco2e_per_kwh}])
    return BreakEven(curve, cloud, summary, assumptions_table([*assumptions, *cloud_assumptions,
                                                              defaults.SPOT_OVERHEAD_FRACTION]))


def procurement_headline(plan: procurement.Plan) -> str:
    """One sentence on a procurement plan: the owned total and the cheapest priced cloud option."""
    return procurement.headline(plan)
