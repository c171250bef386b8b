"""Own versus rent: the regions offering a GPU, break-even curves, a plan's one-line answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner import owned_cost, procurement, spot
from planner.api.estimates import assumptions_table
from planner.api.owned import owned_server
from planner.api.plans import _cloud_options
from planner.errors import PlanError, at_least, choice
from planner.fields import checked
from planner.shipped import load
from pricing.schema import PRICING_MODELS
from pricing.store import current_offers


@checked
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
        fixed_usd_per_server_year, electricity_usd_per_gpu_hour, idle_electricity_usd_per_gpu_hour,
        staff_usd_per_server_year, power_w, idle_power_w, grid_gco2e_per_kwh
    assumptions : the inputs (``assumptions_table`` columns)
    """

    curve: pd.DataFrame
    clouds: pd.DataFrame
    owned: pd.DataFrame
    assumptions: pd.DataFrame


#: Utilisations the break-even curve is drawn at: 5% to 100% in steps of 1%.
BREAKEVEN_UTILISATIONS = np.round(np.arange(5, 101) / 100.0, 2)


@checked
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

    ``c(u) = C(u) / (8760 · n · u)`` with ``C(u)`` the full cost of a server-year
    (``planner.owned_cost.owned_usd_per_server_year``: capital recovery, network share, facility, staff,
    maintenance, busy and idle electricity); break-even ``u* = (F + e_i) / (c_cloud − e_b + e_i)`` with ``F`` the
    fixed cost per GPU-hour of capacity (``planner.owned_cost.breakeven_utilisation``).

    server : catalog server id; site_zone : grid zone of the site (ISO-3, ``US-CA``, …), whose electricity
    price is used unless ``electricity_usd_per_kwh`` [USD/kWh] is given
    lifetime_years [years], utilisation (the expected one, marked) [-], pue [-], ``owned`` : other
    ``owned_server`` overrides (price_usd, maintenance_pct_per_year, staff_usd_per_server_year, …)
    clouds : procurement cloud entries ({provider, region, gpu?, pricing?} or a quote with usd_per_gpu_hour);
    None: each provider's cheapest region for the server's GPU at ``pricing`` (``gpu_regions``)
    utilisations : where to draw the curve, each in [0.01, 1] (default ``BREAKEVEN_UTILISATIONS``)
    """
    from planner.ownership import staff_share_usd_per_server_year, usd_per_server_year

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
    cloud, cloud_assumptions = _cloud_options(load().catalog, owned_.gpu, clouds, None, float(owned_.gpu_count))
    n = owned_.gpu_count
    e_busy = owned_cost.kwh_per_gpu_hour(owned_.power_w, n, owned_.pue) * owned_.electricity_usd_per_kwh
    e_idle = owned_cost.kwh_per_gpu_hour(owned_.idle_power_w, n, owned_.pue) * owned_.electricity_usd_per_kwh
    # Fixed cost of a server-year: the full cost with no electricity (capital recovery, network, facility, staff).
    fixed = float(usd_per_server_year(replace(owned_, electricity_usd_per_kwh=0.0)))

    def cost(u: object) -> object:
        return owned_cost.owned_usd_per_gpu_hour(usd_per_server_year(owned_, u), n, u)

    curve = pd.DataFrame({"utilisation": points, "owned_usd_per_gpu_hour": cost(points)})
    cloud = cloud.copy()
    cloud["cloud_usd_per_gpu_hour"] = procurement.effective_usd_per_gpu_hour(
        cloud["usd_per_gpu_hour"].astype(float), cloud["throughput_ratio"].astype(float),
        cloud["overhead_fraction"].astype(float))
    cloud["breakeven_utilisation"] = owned_cost.breakeven_utilisation(
        fixed / (owned_cost.HOURS_PER_YEAR * n), cloud["cloud_usd_per_gpu_hour"].to_numpy(float), e_busy, e_idle)
    summary = pd.DataFrame([{
        "server": owned_.server, "gpu": owned_.gpu, "gpu_count": n, "utilisation": owned_.utilisation,
        "owned_usd_per_gpu_hour": float(cost(owned_.utilisation)), "fixed_usd_per_server_year": fixed,
        "electricity_usd_per_gpu_hour": e_busy, "idle_electricity_usd_per_gpu_hour": e_idle,
        "staff_usd_per_server_year": float(staff_share_usd_per_server_year(owned_)), "power_w": owned_.power_w,
        "idle_power_w": owned_.idle_power_w, "grid_gco2e_per_kwh": owned_.grid_gco2e_per_kwh}])
    return BreakEven(curve, cloud, summary, assumptions_table([*assumptions, *cloud_assumptions,
                                                              *spot.assumptions()]))


def procurement_headline(plan: procurement.Plan) -> str:
    """One sentence on a procurement plan: the owned total and the cheapest priced cloud option."""
    return procurement.headline(plan)
