"""Owned servers from the catalog at a site, with every unset input from the sourced defaults."""

from __future__ import annotations

import pandas as pd

from planner import compare as compare_engine
from planner import defaults, owned_cost
from planner.defaults import Assumption
from planner.errors import PlanError, choice, positive
from planner.fields import checked
from planner.ownership import OwnedServer, host_embodied_kg, server_embodied_kg
from planner.shipped import load
from planner.site import site_assumptions

#: The conventions of Strubell et al. 2019 section 4 (servers written off to the project, electricity only):
#: pass as ``owned_server``/``compare`` overrides to reproduce the paper; every full-cost extra is off.
STRUBELL2019_CONVENTIONS: dict[str, object] = {
    "idle_power_fraction": 0.0, "network_storage_pct_of_capex": 0.0, "facility": "none", "staff_fte_base": 0.0,
    "staff_fte_per_server": 0.0, "discount_rate": 0.0, "credit_residual": False, "busy_power": "modelled",
}

#: Keyword inputs of ``owned_server`` a plan file's ``[owned]`` table and the API accept.
OWNED_SERVER_KEYS = (
    "price_usd", "gpu", "lifetime_years", "utilisation", "pue", "maintenance_pct_per_year", "staff_usd_per_server_year",
    "hosting_usd_per_kw_month", "resale_fraction", "overhead_pct_of_capex", "network_storage_pct_of_capex",
    "gpu_power_fraction", "power_w", "idle_power_w", "idle_power_fraction", "busy_power", "facility",
    "facility_capex_usd_per_kw", "facility_life_years", "colocation_usd_per_kw_month", "staff_fte_base",
    "staff_fte_per_server", "staff_usd_per_fte_year", "cluster_servers", "discount_rate", "credit_residual",
)
BUSY_POWER_MODELS = ("typical", "modelled")


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
    network_storage_pct_of_capex: float | None = None,
    gpu_power_fraction: float | None = None,
    power_w: float | None = None,
    idle_power_w: float | None = None,
    idle_power_fraction: float | None = None,
    busy_power: str = "typical",
    facility: str = "in_house",
    facility_capex_usd_per_kw: float | None = None,
    facility_life_years: float | None = None,
    colocation_usd_per_kw_month: float | None = None,
    staff_fte_base: float | None = None,
    staff_fte_per_server: float | None = None,
    staff_usd_per_fte_year: float | None = None,
    cluster_servers: float | None = None,
    discount_rate: float | None = None,
    credit_residual: bool = True,
) -> tuple[OwnedServer, tuple[Assumption, ...]]:
    """An owned server from the catalog in a location, every unset input from ``planner.defaults``.

    Busy power (``busy_power``): ``typical`` = the server's sourced average training draw where one exists
    (``defaults.SERVER_TYPICAL_W``), else ``modelled`` = n · TDP · f + host, the host from the server's shape
    (its RAM where sourced, else the default shape per GPU) by the cloud rows' model, capped at its rated
    maximum; ``power_w`` overrides both. Idle power = ``idle_power_fraction`` × busy (or ``idle_power_w``).
    Full cost (``planner.owned_cost``): network/storage share (``network_storage_pct_of_capex``, alias
    ``overhead_pct_of_capex``), facility (``in_house`` $/kW capex recovered over its life, ``colocation``
    $/kW-month, or ``none``), staff per cluster (FTE base + per server at a loaded salary, shared by
    ``cluster_servers``), maintenance, capital recovery at ``discount_rate`` and the residual credited.
    """
    data = load()
    config = data.catalog.server(server_id)
    gpu_id = gpu or config.gpu
    if gpu_id is None:
        raise PlanError(f"server '{config.server}': the catalog does not say which GPU it holds; give gpu")
    price = price_usd if price_usd is not None else config.price_usd
    if price is None:
        raise PlanError(f"server '{config.server}': no sourced purchase price; give price_usd")
    choice("busy_power", busy_power, BUSY_POWER_MODELS)
    choice("facility", facility, owned_cost.FACILITY_MODES)
    gpu_spec = data.catalog.gpu(gpu_id)

    def pick(default: Assumption, value: float | None) -> Assumption:
        return default if value is None else default.with_value(value)

    share = pick(defaults.GPU_POWER_FRACTION_OF_TDP, gpu_power_fraction)
    power_notes: tuple[Assumption, ...]
    typical = defaults.SERVER_TYPICAL_W.get(config.server)
    if power_w is not None:
        busy = Assumption("busy_power_w", positive("power_w", power_w, "W"), "W", "user input", "")
        power_notes = (busy,)
    elif busy_power == "typical" and typical is not None and gpu is None:
        busy = Assumption("busy_power_w", typical[1], "W", defaults.SERVER_TYPICAL_W_SOURCE[config.server], "2025",
                          f"sourced average training draw of {config.server}; range {typical[0]:g}-{typical[2]:g} W")
        power_notes = (busy,)
    else:
        host = _host_w(config.gpu_count, config.ram_gb)
        watts = owned_cost.modelled_busy_power_w(config.gpu_count, gpu_spec.tdp_w, float(share.value), host,
                                                 config.max_w)
        busy = Assumption("busy_power_w", float(watts), "W", "modelled: n x TDP x f + host (cloud rows' host model)",
                          "", f"{config.gpu_count} x {gpu_spec.tdp_w:g} W x {float(share.value):g} + {host:.1f} W host"
                          + (f", capped at the rated {config.max_w:g} W" if config.max_w and watts >= config.max_w
                             else ""))
        power_notes = (Assumption(f"tdp_{gpu_spec.gpu}", gpu_spec.tdp_w, "W", gpu_spec.source, ""), share,
                       *defaults.host_assumptions(), busy)
    idle_fraction = pick(defaults.IDLE_POWER_FRACTION, idle_power_fraction)
    row = data["servers"].set_index("server").loc[config.server]
    sourced_idle = row.get("idle_w")
    if idle_power_w is None and idle_power_fraction is None and sourced_idle is not None and pd.notna(sourced_idle):
        # The server's own sourced idle wall power (servers.idle_w) beats the generic fraction.
        idle_power_w = float(sourced_idle)
        idle_fraction = Assumption("idle_power_w", idle_power_w, "W", str(row["source"]), "",
                                   f"sourced idle wall power of {config.server}")
    idle = float(busy.value) * float(idle_fraction.value) if idle_power_w is None else float(idle_power_w)
    electricity, grid = site_assumptions(data["grid_intensity"], data["electricity_prices"], grid_zone,
                                         electricity_zone, electricity_usd_per_kwh, data["fx_rates"])
    network = network_storage_pct_of_capex if network_storage_pct_of_capex is not None else overhead_pct_of_capex
    chosen = {
        "lifetime": pick(defaults.OWNED_LIFETIME_YEARS, lifetime_years),
        "utilisation": pick(defaults.OWNED_UTILISATION, utilisation),
        "pue": pick(defaults.PUE["owned"], pue),
        "maintenance": pick(defaults.MAINTENANCE_PCT_PER_YEAR, maintenance_pct_per_year),
        "staff": pick(defaults.STAFF_USD_PER_SERVER_YEAR, staff_usd_per_server_year),
        "hosting": pick(defaults.HOSTING_USD_PER_KW_MONTH, hosting_usd_per_kw_month),
        "resale": pick(defaults.RESALE_FRACTION, resale_fraction),
        "network": pick(defaults.NETWORK_STORAGE_PCT_OF_CAPEX, network),
        "idle": idle_fraction if idle_power_w is None or idle_fraction.name == "idle_power_w"
        else Assumption("idle_power_w", idle, "W", "user input", ""),
        "fte_base": pick(defaults.STAFF_FTE_BASE, staff_fte_base),
        "fte_per_server": pick(defaults.STAFF_FTE_PER_SERVER, staff_fte_per_server),
        "salary": pick(defaults.STAFF_USD_PER_FTE_YEAR, staff_usd_per_fte_year),
        "cluster": pick(defaults.SHARED_CLUSTER_SERVERS, cluster_servers),
        "discount": pick(defaults.DISCOUNT_RATE, discount_rate),
    }
    rate = float(chosen["discount"].value)
    facility_inputs: tuple[Assumption, ...] = ()
    if facility == "in_house":
        facility_inputs = (pick(defaults.FACILITY_CAPEX_USD_PER_KW, facility_capex_usd_per_kw),
                           pick(defaults.FACILITY_LIFE_YEARS, facility_life_years))
    elif facility == "colocation":
        facility_inputs = (pick(defaults.COLOCATION_USD_PER_KW_MONTH, colocation_usd_per_kw_month),)
    facility_rate = owned_cost.facility_usd_per_kw_year(
        facility, float(pick(defaults.FACILITY_CAPEX_USD_PER_KW, facility_capex_usd_per_kw).value),
        float(pick(defaults.FACILITY_LIFE_YEARS, facility_life_years).value), rate,
        float(pick(defaults.COLOCATION_USD_PER_KW_MONTH, colocation_usd_per_kw_month).value))
    facility_note = Assumption("facility_usd_per_kw_year", float(facility_rate), "USD per kW-year",
                               f"facility '{facility}': " + {"in_house": "capex/kW x CRF(discount rate, life)",
                                                             "colocation": "12 x colocation $/kW-month",
                                                             "none": "no space/power/cooling capital charged"}[facility],
                               "")
    # The host's embodied CO2e grows with its memory where that is sourced (CCF/Teads), else BLOOM's server.
    host_kg, host_rows = float(defaults.EMBODIED_SERVER_KG.value), (defaults.EMBODIED_SERVER_KG,)
    if config.ram_gb is not None:
        host_kg = float(host_embodied_kg(config.ram_gb, float(defaults.EMBODIED_HOST_BASE_KG.value),
                                         float(defaults.EMBODIED_DRAM_KG_PER_GB.value)))
        host_rows = (defaults.EMBODIED_HOST_BASE_KG, defaults.EMBODIED_DRAM_KG_PER_GB)
    embodied = server_embodied_kg(config.gpu_count, host_kg, float(defaults.EMBODIED_GPU_KG.value))
    server = OwnedServer(
        server=config.server, gpu=gpu_spec.gpu, gpu_count=config.gpu_count, price_usd=float(price),
        power_w=float(busy.value), lifetime_years=float(chosen["lifetime"].value),
        utilisation=float(chosen["utilisation"].value),
        pue=float(chosen["pue"].value), electricity_usd_per_kwh=float(electricity.value),
        maintenance_pct_per_year=float(chosen["maintenance"].value),
        staff_usd_per_server_year=float(chosen["staff"].value),
        hosting_usd_per_kw_month=float(chosen["hosting"].value), resale_fraction=float(chosen["resale"].value),
        overhead_pct_of_capex=float(chosen["network"].value), embodied_kg=embodied,
        grid_gco2e_per_kwh=float(grid.value), idle_power_w=idle, facility_usd_per_kw_year=float(facility_rate),
        discount_rate=rate, staff_fte_base=float(chosen["fte_base"].value),
        staff_fte_per_server=float(chosen["fte_per_server"].value), staff_free_servers=defaults.STAFF_FREE_SERVERS,
        staff_usd_per_fte_year=float(chosen["salary"].value), cluster_servers=float(chosen["cluster"].value),
        credit_residual=bool(credit_residual),
    )
    price_source = config.source if price_usd is None else "user input"
    residual = Assumption("credit_residual", "yes" if credit_residual else "no", "",
                          "trainplan convention: the straight-line book value left (down to the resale share at end of "
                          "life) is credited" if credit_residual else "user input: servers written off", "")
    assumptions = (
        Assumption(f"price_{config.server}", float(price), "USD", price_source,
                   "" if config.price_year is None else str(int(config.price_year))),
        *power_notes, electricity, grid, *chosen.values(), *facility_inputs, facility_note, residual,
        *host_rows, defaults.EMBODIED_GPU_KG,
    )
    return server, assumptions


def _host_w(gpu_count: int, ram_gb: float | None) -> float:
    """Host power of a server by the cloud rows' model: vCPUs · W/vCPU + GiB · W/GiB [W].

    vCPUs: the default shape per GPU; memory: the server's sourced RAM (GB taken as GiB), else the default shape.
    """
    vcpus = gpu_count * float(defaults.HOST_VCPUS_PER_GPU.value)
    memory = float(ram_gb) if ram_gb is not None else gpu_count * float(defaults.HOST_GIB_PER_GPU.value)
    return defaults.host_power_w(vcpus, memory)


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
        tdp = data.catalog.gpu(server.gpu).tdp_w
        fraction = float(defaults.GPU_POWER_FRACTION_OF_TDP.value if gpu_power_fraction is None else gpu_power_fraction)
        # The engine rebuilds busy power as n · (TDP · f + host share): the host share keeps it at the server's
        # busy power (sourced typical draw or its modelled shape) at the central fraction.
        options.append(compare_engine.OwnedOption(
            server=server, tdp_w=tdp, host_w_per_gpu=server.power_w / server.gpu_count - tdp * fraction,
            site_zone=zone,
            site_name=str(zone_row["name"].iloc[0]), country=country,
            grid=compare_engine.Range(min(central, other), central, max(central, other)), assumptions=assumptions))
    return options
