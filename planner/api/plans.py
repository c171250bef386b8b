"""Procurement plans for a shared cluster, from keyword arguments or a plan file's dict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planner import defaults, feasibility, procurement, spot
from planner.api.grid_water import plan_over_time
from planner.api.owned import OWNED_SERVER_KEYS, owned_server
from planner.api.workloads import make_workload
from planner.carbon import region_intensity, zone_intensity
from planner.catalog import Catalog
from planner.defaults import Assumption
from planner.errors import PlanError, choice, non_negative, positive, unknown
from planner.fields import check_table, checked
from planner.ownership import embodied_kg_per_gpu_hour, server_embodied_kg
from planner.plan_file import check_plan_types
from planner.shipped import load
from planner.units import to_magnitude
from planner.workload import convert
from pricing.schema import PROVIDERS
from pricing.store import current_offers

PLAN_KEYS = ("server", "horizon_years", "demand_gpu_hours", "growth", "demand_gpu", "precision", "portfolio",
             "target_utilisation", "whole_servers", "clouds", "spot_overhead_fraction", "mean_job_hours", "job_gpus",
             "site", "owned", "basis", "peak_month_factor", "job_length_cv", "monte_carlo", "seed", "start_year",
             "grid_basis")
SITE_KEYS = ("grid_zone", "electricity_zone", "electricity_usd_per_kwh", "cooling", "wue_l_per_kwh")
#: The server's inputs a plan may override (``owned_server``'s keywords; its utilisation is the plan's target, its
#: discount rate and residual convention the basis's).
OWNED_KEYS = tuple(k for k in OWNED_SERVER_KEYS if k not in ("utilisation", "discount_rate", "credit_residual",
                                                              "cluster_servers"))
#: The cost basis (``procurement.Basis``): what is counted and how money over time is weighed.
BASIS_KEYS = ("money", "view", "discount_rate", "fa_rate", "credit_residual", "cloud_price_trend_pct_per_year",
              "hardware_price_performance_pct_per_year")
CLOUD_KEYS = ("provider", "region", "gpu", "pricing", "usd_per_gpu_hour", "name", "throughput_ratio", "grid_zone")
PORTFOLIO_KEYS = ("preset", "runs", "gpu", "gpu_count", "hours", "gpu_hours", "parameters", "tokens", "flops", "mfu",
                  "precision", "name", "deadline")


def _keys(field: str, given: Mapping[str, object], allowed: tuple[str, ...]) -> None:
    check_table(field, given, allowed)


def _per_year(field: str, value: object, years: int, growth: float) -> np.ndarray:
    """A per-year series from a list (taken as given) or a number (grown by ``growth`` each year)."""
    if isinstance(value, list | tuple | np.ndarray):
        if len(value) != years:
            raise PlanError(f"{field}: {len(value)} values for a {years}-year horizon; give one per year")
        return np.asarray([float(v) for v in value])
    return procurement.demand_with_growth(float(value), growth, years)  # type: ignore[arg-type]


def procurement_demand(server_gpu: str, years: int, *, demand_gpu_hours: object = None, growth: float = 0.0,
                       demand_gpu: str | None = None, precision: str | None = None,
                       portfolio: Sequence[Mapping[str, object]] | None = None, gpus_per_server: float = 8.0
                       ) -> tuple[np.ndarray, tuple[str, ...]]:
    """GPU-hours per year on the server's GPU, from a direct figure and/or a portfolio of workloads.

    A portfolio entry's ``deadline`` ('30 day') adds a note of the GPUs one run must hold at once to finish
    in time (whole servers of ``gpus_per_server``).

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
        flags = {k: v for k, v in entry.items() if k not in ("preset", "runs", "deadline")}
        if "runs" not in entry:
            raise PlanError(f"portfolio entry {i}: runs required (a number per year, or a list per year)")
        workload, _ = make_workload(entry.get("preset"), **flags)  # type: ignore[arg-type]
        moved = convert(catalog, workload, server_gpu)
        runs = _per_year(f"portfolio entry {i} runs", entry["runs"], years, growth)
        if (runs < 0).any():
            raise PlanError(f"portfolio entry {i} runs: must be >= 0")
        total += runs * moved.gpu_hours
        notes += tuple(f"{workload.name}: {n}" for n in moved.notes if n not in workload.notes)
        if entry.get("deadline") is not None:
            hours = to_magnitude(f"portfolio entry {i} deadline", entry["deadline"], "hour")
            need = feasibility.gpus_for_deadline(moved.hours * moved.gpu_count, hours, gpus_per_server,
                                                 moved.gpu_count)
            notes += (f"{workload.name}: one run ({moved.hours * moved.gpu_count:,.0f} GPU-h on {server_gpu}) needs "
                      + (f"{need:,.0f} GPUs at once" if need < float("inf") else "more GPUs than any published job")
                      + f" to finish within its {hours:,.4g} h deadline (whole {gpus_per_server:g}-GPU servers, RDMA "
                      "scaling rule); "
                      "the queue table's job_fits says whether the fleet holds it",)
    return total, notes


def _cloud_options(catalog: Catalog, server_gpu: str, specs: Sequence[Mapping[str, object]],
                   spot_overhead: Assumption | None, job_gpus: float) -> tuple[pd.DataFrame, tuple[Assumption, ...]]:
    """One row per (cloud spec, pricing model), in the columns ``procurement.CLOUD_COLUMNS``.

    A spot row's overhead is the spot model's (``planner.spot``, the same as the comparison engine's central
    row) for its offer and a job of ``job_gpus`` GPUs, unless ``spot_overhead`` fixes one for every row.
    """
    spot_table = load()["spot_interruption"]

    def overhead_of(offer: Mapping[str, object], pricing: str, name: str) -> float:
        if pricing != "spot":
            return 0.0
        if spot_overhead is not None:
            return float(spot_overhead.value)
        frame = pd.DataFrame([{"provider": offer["provider"], "region": offer.get("region") or "",
                               "instance_type": offer.get("instance_type") or "", "pricing": "spot"}])
        per_instance = float(offer.get("gpu_count") or job_gpus)
        instances = float(np.ceil(job_gpus / per_instance - 1e-9))
        value = float(spot.central_overhead(frame, spot_table, instances)[0])
        basis = spot.interruption_rates(frame, spot_table)["rate_basis"].iloc[0]
        used.append(Assumption(f"spot_overhead_{name}", value, "fraction of GPU-hours",
                               f"planner.spot model: {basis}; {instances:g} instance(s) for a {job_gpus:g}-GPU job",
                               "", "k·λ·(c/2 + r + D·(1 - A^k)) at central inputs, as the comparison engine"))
        return value

    data = load()
    offers = current_offers()
    rows, used = [], []
    embodied_per_gpu = server_embodied_kg(float(defaults.CLOUD_GPUS_PER_HOST.value),
                                          float(defaults.EMBODIED_SERVER_KG.value),
                                          float(defaults.EMBODIED_GPU_KG.value)) / float(defaults.CLOUD_GPUS_PER_HOST.value)
    # The time-share rule (SCI, CCF): a rented GPU-hour carries 1 / (8760 · L) of its GPU's embodied CO2e.
    embodied_rate = embodied_kg_per_gpu_hour(embodied_per_gpu, 1.0, float(defaults.CLOUD_LIFETIME_YEARS.value))
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
                         "overhead_fraction": overhead_of({"provider": provider, "region": region}, pricing, name),
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
            if hits.empty:
                overhead = overhead_of({"provider": provider, "region": region}, pricing, name)
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
            overhead = overhead_of(best.to_dict(), pricing, name)
            note = "; ".join(n for n in (ratio_note, "cheapest offer; a commitment as large as the owned fleet, paid "
                                         "for its whole term" if pricing.startswith("reserved") else "") if n)
            rows.append({**base, "option": name, "pricing": pricing, "usd_per_gpu_hour": float(best["usd_per_gpu_hour"]),
                         "overhead_fraction": overhead, "source": f"{best['instance_type']}: {best['source']}",
                         "note": note})
            used.append(Assumption(f"price_{name}", float(best["usd_per_gpu_hour"]), "USD/GPU-hour",
                                   f"{best['instance_type']}: {best['source']}", str(best["fetched_at"]), pricing))
    table = pd.DataFrame(rows, columns=list(procurement.CLOUD_COLUMNS))
    repeated = table.loc[table.duplicated(["option", "pricing"]), "option"]
    if len(repeated):
        raise PlanError(f"clouds: two entries named '{repeated.iloc[0]}'; give each entry its own name")
    unique = tuple(dict.fromkeys(used))
    return table, unique


@checked
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
    basis: Mapping[str, object] | None = None,
    peak_month_factor: float | None = None,
    job_length_cv: float | None = None,
    monte_carlo: int = 0,
    seed: int = 0,
    start_year: int | None = None,
    grid_basis: str = "trend",
) -> procurement.Plan:
    """Buy ``server``s for a shared cluster or rent: sizing, TCO, break-even, tornado and carbon per year.

    server : catalog server id (`trainplan catalog servers`); site : grid_zone, electricity_zone,
    electricity_usd_per_kwh; owned : overrides of the server's inputs (price_usd, lifetime_years, pue, …)
    horizon_years : whole years (default 5; or the length of a demand list)
    demand_gpu_hours : per-year list, or year-1 base grown by ``growth`` [GPU·h on demand_gpu]
    portfolio : workloads per year (see ``procurement_demand``)
    target_utilisation : in (0, 1) (default ``defaults.OWNED_UTILISATION``)
    clouds : entries {provider, region, gpu?, pricing?} priced from the offers, or with usd_per_gpu_hour
    spot_overhead_fraction : extra spot GPU-hours for preemption, for every spot option (default: the spot
    model's, ``planner.spot``, per offer for a job of ``job_gpus`` GPUs, default a whole server)
    basis : the cost basis, keys ``BASIS_KEYS`` (money npv|cash, view institution|grant, discount_rate, fa_rate,
    credit_residual, cloud_price_trend_pct_per_year, hardware_price_performance_pct_per_year; defaults sourced)
    peak_month_factor : peak month's load over the average [-]; job_length_cv : job-length variability [-]
    monte_carlo : draws of the procurement Monte Carlo (0: none); seed : its seed
    start_year / grid_basis : the plan's first calendar year (default ``defaults.PLAN_START_YEAR``) and how
    future grids are made (flat, trend, projection): each year's intensity on that year's energy, the flat grid
    beside it, water per year (site ``cooling`` or ``wue_l_per_kwh``); ``api.grid_water.plan_over_time``
    Returns a ``procurement.Plan``.
    """
    site = dict(site or {})
    owned = dict(owned or {})
    basis_given = dict(basis or {})
    _keys("site", site, SITE_KEYS)
    cooling = str(site.pop("cooling", "unknown"))
    wue_l_per_kwh = site.pop("wue_l_per_kwh", None)
    _keys("owned", owned, OWNED_KEYS)
    _keys("basis", basis_given, BASIS_KEYS)
    if "credit_residual" in basis_given and not isinstance(basis_given["credit_residual"], bool):
        raise PlanError(f"basis credit_residual '{basis_given['credit_residual']}': must be true or false")
    cost_basis = procurement.Basis(**basis_given)  # type: ignore[arg-type]
    if horizon_years is None:
        horizon_years = len(demand_gpu_hours) if isinstance(demand_gpu_hours, list | tuple) else \
            float(defaults.PROCUREMENT_HORIZON_YEARS.value)
    years = procurement.horizon(horizon_years)
    target = procurement.target_utilisation(
        float(defaults.OWNED_UTILISATION.value) if target_utilisation is None else target_utilisation)
    spot_given = None
    if spot_overhead_fraction is not None:
        spot_given = Assumption("spot_overhead_fraction", non_negative("spot_overhead_fraction", spot_overhead_fraction),
                                "fraction of GPU-hours", "user input", "", "replaces the spot model for every option")
    owned_server_, server_assumptions = owned_server(server, **site, **owned,  # type: ignore[arg-type]
                                                     discount_rate=cost_basis.discount_rate,
                                                     credit_residual=cost_basis.credit_residual)
    # The plan's target utilisation (listed below) and its basis replace the ownership defaults.
    server_assumptions = tuple(a for a in server_assumptions if a.name not in (
        defaults.OWNED_UTILISATION.name, defaults.DISCOUNT_RATE.name, defaults.SHARED_CLUSTER_SERVERS.name))
    procurement.whole_lifetime(owned_server_.lifetime_years)
    demand, notes = procurement_demand(owned_server_.gpu, years, demand_gpu_hours=demand_gpu_hours, growth=growth,
                                       demand_gpu=demand_gpu, precision=precision, portfolio=portfolio,
                                       gpus_per_server=float(owned_server_.gpu_count))
    cloud, cloud_assumptions = _cloud_options(load().catalog, owned_server_.gpu, clouds, spot_given,
                                              float(job_gpus) if job_gpus else float(owned_server_.gpu_count))
    horizon_assumption = defaults.PROCUREMENT_HORIZON_YEARS if horizon_years == defaults.PROCUREMENT_HORIZON_YEARS.value \
        else defaults.PROCUREMENT_HORIZON_YEARS.with_value(years)
    plan_assumptions = (horizon_assumption, Assumption("target_utilisation", target, "fraction",
                        defaults.OWNED_UTILISATION.source if target_utilisation is None else "user input",
                        defaults.OWNED_UTILISATION.as_of if target_utilisation is None else ""),
                        *((spot_given,) if spot_given is not None else spot.assumptions()),
                        defaults.CLOUD_LIFETIME_YEARS, defaults.CLOUD_GPUS_PER_HOST)
    if not whole_servers:
        notes += ("fractional servers, as Strubell et al. 2019 count 7.25",)
    peak = float(defaults.PEAK_MONTH_FACTOR.value) if peak_month_factor is None else peak_month_factor
    cv = float(defaults.JOB_LENGTH_CV.value) if job_length_cv is None else job_length_cv
    draws = int(non_negative("monte_carlo", monte_carlo))
    result = procurement.plan(owned_server_, demand, cloud, utilisation=target, whole_servers=whole_servers,
                              job_gpus=job_gpus, mean_job_hours=mean_job_hours,
                              assumptions=server_assumptions + plan_assumptions + cloud_assumptions, notes=notes,
                              basis=cost_basis, growth=float(growth), peak_month_factor=float(peak),
                              job_length_cv=float(cv), monte_carlo_draws=draws, seed=int(seed),
                              largest_job_gpus=largest_job_gpus(portfolio, owned_server_.gpu,
                                                                float(owned_server_.gpu_count)))
    return plan_over_time(result, cloud, str(site.get("grid_zone") or defaults.DEFAULT_GRID_ZONE.value),
                          owned_server_.grid_gco2e_per_kwh, owned_server_.pue, start_year, grid_basis, cooling,
                          None if wue_l_per_kwh is None else float(wue_l_per_kwh),  # type: ignore[arg-type]
                          int(seed))


def largest_job_gpus(portfolio: Sequence[Mapping[str, object]] | None, server_gpu: str | None = None,
                     gpus_per_server: float = 8.0) -> float | None:
    """GPUs the largest workload of a portfolio holds at once (None without a portfolio).

    An entry with a ``deadline`` ('30 day') holds the fewest whole servers' GPUs of ``server_gpu`` that finish
    one run of it in time (``feasibility.gpus_for_deadline``, the workload moved to the server's GPU by the
    achieved-throughput ratio); the queue table's ``job_fits`` then says whether the fleet can hold it.
    """
    sizes = []
    for entry in portfolio or ():
        workload = make_workload(entry.get("preset"), **{k: v for k, v in entry.items()  # type: ignore[arg-type]
                                                         if k not in ("preset", "runs", "deadline")})[0]
        if entry.get("deadline") is not None and server_gpu is not None:
            moved = convert(load().catalog, workload, server_gpu)
            hours = to_magnitude("portfolio deadline", entry["deadline"], "hour")
            sizes.append(feasibility.gpus_for_deadline(moved.hours * moved.gpu_count, hours, gpus_per_server,
                                                       moved.gpu_count))
        else:
            sizes.append(workload.gpu_count)
    return float(max(sizes)) if sizes else None


def procurement_plan_from_config(config: Mapping[str, object]) -> procurement.Plan:
    """A procurement plan from a parsed plan file (TOML tables as dicts; keys in ``PLAN_KEYS``)."""
    _keys("plan", config, PLAN_KEYS)
    check_plan_types(config)
    if "server" not in config:
        raise PlanError("server: required (a catalog server id; see `trainplan catalog servers`)")
    kwargs = {k: v for k, v in config.items() if k != "server"}
    return procurement_plan(str(config["server"]), **kwargs)  # type: ignore[arg-type]
