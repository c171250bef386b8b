"""The library's front door: plain values (or pint quantities) in, DataFrames and Assumptions out.

The CLI and the Streamlit app call these functions and nothing else of the model; each one loads the
shipped data (and the user's refreshed prices) and hands them to the pure functions that compute.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date

import pandas as pd

from planner import defaults, options, reproduce
from planner.carbon import co2e_kg, region_intensity, zone_intensity
from planner.defaults import Assumption
from planner.errors import PlanError, at_least, choice, positive
from planner.estimate import Estimate, PowerProfile, default_power, estimate
from planner.ownership import OwnedServer, server_embodied_kg
from planner.presets import Preset, build_presets, preset
from planner.shipped import load
from planner.site import site_assumptions
from planner.units import to_magnitude
from planner.workload import Workload, convert, from_compute, from_gpu_hours, from_hours, training_flops
from pricing.schema import PRICING_MODELS, PROVIDERS
from pricing.store import current_offers, current_snapshots

CATALOG_KINDS = ("gpus", "servers", "regions", "presets", "grid")


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
) -> Estimate:
    """Energy, CO2e and cost range of a workload, with every assumption listed."""
    data = load()
    if region and not provider:
        raise PlanError("region: give --provider too (aws, gcp or azure)")
    grid = grid_assumption(grid_zone, provider, region) if (grid_zone or region) else grid_assumption()
    pue_used = pue_assumption(pue, provider)
    power, power_assumptions = _power(workload, chosen, gpu_power_fraction, power)
    offers = filtered_offers(provider, region, pricing)
    return estimate(data.catalog, workload, offers, grid, pue_used, power, power_assumptions)


def _power(workload: Workload, chosen: Preset | None, gpu_power_fraction: float | None,
           power: PowerProfile | None) -> tuple[PowerProfile, tuple[Assumption, ...]]:
    """The job's power: given, else the preset's measured draw, else TDP × fraction + default host."""
    if power is None and chosen is not None and chosen.measured_total_w is not None:
        power = PowerProfile(0.0, 0.0, chosen.description, measured=True, total_w=chosen.measured_total_w)
        return power, (Assumption("power_w_measured", chosen.measured_total_w, "W", chosen.workload.source, ""),)
    if power is None:
        return default_power(load().catalog, workload, gpu_power_fraction)
    if power.measured:
        return power, (Assumption("gpu_w_measured", power.gpu_w, "W", power.source, ""),
                       Assumption("host_w_measured", power.host_w, "W", power.source, ""))
    return power, ()


def assumptions_table(assumptions: Iterable[Assumption]) -> pd.DataFrame:
    """Assumptions as a table (name, value, unit, source, as_of, note), first occurrence of each name kept."""
    rows = [asdict(a) for a in assumptions]
    table = pd.DataFrame(rows, columns=["name", "value", "unit", "source", "as_of", "note"])
    table["value"] = table["value"].astype(str)
    return table.drop_duplicates("name").reset_index(drop=True)


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
    region (``cost_usd_low``); ``cost_usd_high`` = GPU-hours × the dearest on-demand offer there (empty for spot). ``pareto`` marks the cost-CO2e front (``options.pareto_front``).
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
    table["pareto"] = options.pareto_front(table["cost_usd"], table["co2e_kg"])
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
    [days], stale = age_days > ``defaults.PRICE_STALE_DAYS`` (30 days).
    """
    today = today or date.today()
    snaps = current_snapshots()
    fetched = pd.to_datetime(snaps["fetched_at"], utc=True).dt.tz_localize(None).dt.normalize()
    table = snaps[["provider", "fetched_at", "origin", "source", "row_count"]].copy()
    table["age_days"] = (pd.Timestamp(today) - fetched).dt.days.astype(int)
    table["stale"] = table["age_days"] > float(defaults.PRICE_STALE_DAYS.value)
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
    return presets_table()
