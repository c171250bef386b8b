"""Owned servers from the catalog at a site, with every unset input from the sourced defaults."""

from __future__ import annotations

import pandas as pd

from planner import compare as compare_engine
from planner import defaults
from planner.defaults import Assumption
from planner.errors import PlanError
from planner.fields import checked
from planner.ownership import OwnedServer, server_embodied_kg
from planner.shipped import load
from planner.site import site_assumptions


@checked
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


@checked
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
