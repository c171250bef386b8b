"""Procurement planning for a shared cluster: sizing, multi-year TCO, break-even against cloud, carbon.

Year by year over a horizon of ``H`` years (year 1 = the first year), for a demand of ``D_y`` GPU-hours
on the server's GPU:

- **Sizing**: ``servers_y = ⌈D_y / (8760 · n_gpu · u_target)⌉`` (or fractional, as Strubell et al. 2019
  count 7.25 servers). Servers bought in year ``b`` serve years ``b … b + L − 1`` and are replaced
  (bought again, capex again) if still needed in year ``b + L``; a fleet never shrinks before end of life.
- **Queue**: the fleet as an M/M/c queue (``planner.queueing``), ``c`` = jobs that fit at once,
  ``ρ = D_y / (8760 · fleet · n_gpu)``.
- **TCO, cash basis**: capex ``bought · P`` and network/storage ``bought · P · o/100`` in the year of
  purchase; electricity ``D_y · PUE · P_w / n / 1000 · price``; maintenance ``fleet · P · m/100``;
  staff ``fleet · staff``; hosting ``fleet · h · 12 · kW``; in year ``H`` a resale credit
  ``− Σ capex_b · max(0, 1 − age_b / L) · resale_fraction`` (straight-line remaining value, of which a
  buyer pays ``resale_fraction``; with the default 0 nothing is credited and ``book_value_usd`` shows
  what was left). Idle servers draw no power (no idle wall power is sourced).
- **Cloud**, same demand: ``GPU·h_cloud = D_y / r · (1 + s)`` with ``r`` the throughput ratio of the
  cloud GPU to the server's and ``s`` the spot overhead (0 otherwise); ``cost = GPU·h_cloud · price``.
  Reserved/committed prices are applied per used GPU-hour (a commitment kept busy).
- **Break-even utilisation** from the shared-cluster cost ``c(u) = F / (8760 · n · u) + e``
  (``planner.ownership.shared_usd_per_gpu_hour``): ``u* = F / (8760 · n · (c_cloud − e))``, with
  ``F = capex · (1 − resale) / L + opex`` per server-year and ``e`` the electricity per GPU-hour;
  'never' when ``c_cloud ≤ e``; ``u* > 1`` means the cloud is cheaper even on a fully used cluster.
  **Break-even year**: the first year whose cumulative owned cost ≤ cumulative cloud cost.
- **Carbon**: owned operational ``E · I_site`` plus the embodied CO2e of the servers bought that year;
  cloud operational ``GPU·h_cloud · kWh/GPU·h · I_region`` plus embodied amortised per GPU-hour.

Pure: numbers and DataFrames in, a ``Plan`` of DataFrames out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner import defaults
from planner.carbon import co2e_kg
from planner.defaults import Assumption
from planner.errors import PlanError, non_negative, positive
from planner.ownership import (
    HOURS_PER_YEAR,
    OwnedServer,
    capex_usd,
    energy_kwh_per_gpu_hour,
    fixed_opex_usd_per_year,
    shared_usd_per_gpu_hour,
)
from planner.queueing import erlang_c, mean_wait_job_lengths
from planner.units import Num

CLOUD_PRICING = ("on_demand", "spot", "reserved_1y", "reserved_3y")

#: Columns of the cloud-options table ``plan`` takes (one row per provider/region/GPU/pricing).
CLOUD_COLUMNS = (
    "option",                 # a name: 'aws us-east-1 h100-sxm5-80gb on_demand'
    "provider", "region", "gpu", "pricing",
    "usd_per_gpu_hour",       # price per GPU-hour of the cloud GPU [USD]; NaN: no price in the data
    "throughput_ratio",       # cloud GPU speed / server GPU speed [-]
    "overhead_fraction",      # extra GPU-hours (spot rework) [-]
    "kwh_per_gpu_hour",       # grid energy per cloud GPU-hour, PUE included [kWh]
    "grid_gco2e_per_kwh",     # the region's grid [g/kWh]
    "embodied_kg_per_gpu_hour",  # amortised manufacturing CO2e per cloud GPU-hour [kg]
    "source", "note",
)


@dataclass(frozen=True)
class Plan:
    """A procurement plan's tables (columns documented in ``plan``) and the assumptions behind them."""

    years: pd.DataFrame
    tco: pd.DataFrame
    cloud: pd.DataFrame
    breakeven: pd.DataFrame
    sensitivity: pd.DataFrame
    carbon: pd.DataFrame
    summary: pd.DataFrame
    assumptions: tuple[Assumption, ...]
    notes: tuple[str, ...] = field(default=())

    def carbon_totals(self) -> pd.DataFrame:
        """Energy and CO2e over the whole horizon, one row per option [kWh, kg]."""
        return self.carbon.groupby("option", sort=False, as_index=False)[
            ["energy_kwh", "operational_co2e_kg", "embodied_co2e_kg", "co2e_kg"]].sum()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, assumptions and notes included (for writing them out)."""
        return {"summary": self.summary, "years": self.years, "tco": self.tco, "cloud": self.cloud,
                "breakeven": self.breakeven, "sensitivity": self.sensitivity, "carbon": self.carbon,
                "assumptions": pd.DataFrame([a.__dict__ for a in self.assumptions]),
                "notes": pd.DataFrame({"note": list(self.notes)}, dtype=object)}


# --- demand and sizing ----------------------------------------------------------------------------------

def demand_with_growth(base_gpu_hours: float, growth: float, years: int) -> np.ndarray:
    """Demand per year growing geometrically: ``D_y = D_1 · (1 + g)^(y − 1)`` [GPU·h], y = 1 … years."""
    return float(base_gpu_hours) * (1.0 + float(growth)) ** np.arange(int(years))


def validated_demand(demand_gpu_hours: Sequence[float] | np.ndarray) -> np.ndarray:
    """Demand per year as an array, each >= 0 and not all zero, at least one year."""
    demand = np.atleast_1d(np.asarray(demand_gpu_hours, dtype=float))
    if demand.ndim != 1 or len(demand) == 0:
        raise PlanError("horizon_years 0: must be a whole number of years >= 1")
    for i, value in enumerate(demand, start=1):
        non_negative(f"demand_gpu_hours (year {i})", value, "GPU-h")
    if not demand.sum() > 0:
        raise PlanError("demand_gpu_hours: zero in every year; nothing to plan")
    return demand


def horizon(years: float) -> int:
    """A horizon in whole years >= 1."""
    number = non_negative("horizon_years", years, "years")
    if number < 1 or number != int(number):
        raise PlanError(f"horizon_years {number:g}: must be a whole number of years >= 1")
    return int(number)


def target_utilisation(value: float) -> float:
    """Target utilisation in (0, 1): at 1 the queue never empties (M/M/c wait is unbounded)."""
    number = positive("target_utilisation", value)
    if number >= 1:
        raise PlanError(f"target_utilisation {number:g}: must be in (0, 1); at 1 or more jobs wait without bound")
    return number


def servers_needed(demand_gpu_hours: Num, gpus_per_server: float, utilisation: float, whole: bool = True) -> np.ndarray:
    """Servers to meet a year's demand at a target utilisation [-].

    ``s = D / (8760 · n · u)``, rounded up to whole servers unless ``whole`` is False.
    """
    servers = np.asarray(demand_gpu_hours, dtype=float) / (HOURS_PER_YEAR * gpus_per_server * utilisation)
    # 1e-9: a demand of exactly k servers' capacity must not round up to k + 1 through float error.
    return np.ceil(servers - 1e-9) if whole else servers


def fleet_by_year(needed: Sequence[float] | np.ndarray, lifetime_years: int) -> tuple[np.ndarray, np.ndarray]:
    """(servers bought, servers in service) per year, with refresh at end of life.

    A cohort bought in year b serves years b … b + L − 1; in year y the surviving cohorts are those
    bought in y − L + 1 … y − 1, and ``bought_y = max(0, needed_y − surviving_y)``.
    """
    needed = np.asarray(needed, dtype=float)
    bought = np.zeros(len(needed))
    for y in range(len(needed)):
        surviving = bought[max(0, y - lifetime_years + 1):y].sum()
        bought[y] = max(0.0, needed[y] - surviving)
    fleet = np.array([bought[max(0, y - lifetime_years + 1):y + 1].sum() for y in range(len(needed))])
    return bought, fleet


def remaining_value_fraction(bought_year: np.ndarray, horizon_years: int, lifetime_years: float) -> np.ndarray:
    """Straight-line share of a server's value left at the end of the horizon [-].

    Bought at the start of year b (1-based), at the end of year H its age is ``H − b + 1`` years:
    ``max(0, 1 − age / L)``.
    """
    age = horizon_years - np.asarray(bought_year, dtype=float) + 1.0
    return np.clip(1.0 - age / lifetime_years, 0.0, 1.0)


def whole_lifetime(lifetime_years: float) -> int:
    """Refresh happens at whole years: the lifetime must be a whole number of years."""
    if lifetime_years != int(lifetime_years):
        raise PlanError(f"lifetime_years {lifetime_years:g}: must be a whole number of years for refresh planning")
    return int(lifetime_years)


# --- owned costs ------------------------------------------------------------------------------------------

def fixed_usd_per_server_year(server: OwnedServer) -> float:
    """``F = capex · (1 − resale) / L + opex`` [USD per server-year], as in the shared-cluster formula."""
    return (capex_usd(server.price_usd, server.overhead_pct_of_capex) * (1 - server.resale_fraction)
            / server.lifetime_years
            + fixed_opex_usd_per_year(server.price_usd, server.maintenance_pct_per_year,
                                      server.staff_usd_per_server_year, server.hosting_usd_per_kw_month,
                                      server.power_w))


def electricity_usd_per_gpu_hour(server: OwnedServer) -> float:
    """``e = PUE · P / n / 1000 · price`` [USD per busy GPU-hour]."""
    return energy_kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue) * server.electricity_usd_per_kwh


def _owned_columns(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float,
                   whole_servers: bool) -> dict[str, np.ndarray]:
    """The columns of ``owned_tco`` as arrays (the tornado re-runs this many times)."""
    lifetime = whole_lifetime(server.lifetime_years)
    years = len(demand_gpu_hours)
    needed = servers_needed(demand_gpu_hours, server.gpu_count, utilisation, whole_servers)
    bought, fleet = fleet_by_year(needed, lifetime)
    year = np.arange(1, years + 1)
    energy = demand_gpu_hours * energy_kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue)
    capex_each = capex_usd(server.price_usd, server.overhead_pct_of_capex)
    book = np.array([(bought[:y] * capex_each * remaining_value_fraction(year[:y], y, lifetime)).sum()
                     for y in year])
    resale = np.zeros(years)
    resale[-1] = -(book[-1] * server.resale_fraction) if server.resale_fraction else 0.0
    columns = {
        "year": year,
        "servers_needed": needed,
        "servers_bought": bought,
        "fleet_servers": fleet,
        "capex_usd": bought * server.price_usd,
        "network_storage_usd": bought * server.price_usd * server.overhead_pct_of_capex / 100.0,
        "electricity_usd": energy * server.electricity_usd_per_kwh,
        "maintenance_usd": fleet * server.price_usd * server.maintenance_pct_per_year / 100.0,
        "staff_usd": fleet * server.staff_usd_per_server_year,
        "hosting_usd": fleet * server.hosting_usd_per_kw_month * 12.0 * server.power_w / 1000.0,
        "resale_usd": resale,
    }
    total = sum(columns[c] for c in _COST_COLUMNS)
    columns.update({"total_usd": total, "cumulative_usd": np.cumsum(total), "energy_kwh": energy,
                    "book_value_usd": book})
    return columns


_COST_COLUMNS = ("capex_usd", "network_storage_usd", "electricity_usd", "maintenance_usd", "staff_usd",
                 "hosting_usd", "resale_usd")


def owned_tco(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float,
              whole_servers: bool = True) -> pd.DataFrame:
    """Owned cluster cost per year, cash basis [USD] (formulas in the module docstring).

    Columns: year, servers_needed, servers_bought, fleet_servers, capex_usd, network_storage_usd,
    electricity_usd, maintenance_usd, staff_usd, hosting_usd, resale_usd (≤ 0: money back),
    total_usd, cumulative_usd, energy_kwh, book_value_usd (straight-line value of the fleet at year end;
    not part of the total).
    """
    return pd.DataFrame(_owned_columns(server, np.asarray(demand_gpu_hours, dtype=float), utilisation,
                                       whole_servers))


def owned_total_usd(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float,
                    whole_servers: bool = True) -> float:
    """The owned TCO summed over the horizon [USD]."""
    return float(_owned_columns(server, np.asarray(demand_gpu_hours, dtype=float), utilisation,
                                whole_servers)["total_usd"].sum())


def queue_table(demand_gpu_hours: np.ndarray, fleet_servers: np.ndarray, gpus_per_server: float,
                job_gpus: float, mean_job_hours: float | None) -> pd.DataFrame:
    """Capacity, utilisation and M/M/c queue wait per year.

    Slots ``c = ⌊fleet · n / job_gpus⌋``; ``ρ = D / (8760 · fleet · n)``; wait in job lengths and, given
    a mean job length [h], in hours.
    """
    capacity = fleet_servers * gpus_per_server * HOURS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(capacity > 0, demand_gpu_hours / capacity, 0.0)
    slots = np.floor(fleet_servers * gpus_per_server / job_gpus + 1e-9)
    wait = np.where(rho > 0, mean_wait_job_lengths(slots, rho), 0.0)
    return pd.DataFrame({
        "capacity_gpu_hours": capacity,
        "utilisation": rho,
        "queue_slots": slots,
        "p_wait": np.where(rho > 0, erlang_c(slots, rho * slots), 0.0),
        "wait_job_lengths": wait,
        "wait_hours": wait * mean_job_hours if mean_job_hours is not None else np.nan,
    })


# --- cloud ------------------------------------------------------------------------------------------------

def effective_usd_per_gpu_hour(usd_per_gpu_hour: Num, throughput_ratio: Num, overhead_fraction: Num) -> Num:
    """Cloud price per GPU-hour of the server's GPU: ``p · (1 + s) / r`` [USD]."""
    return usd_per_gpu_hour * (1.0 + overhead_fraction) / throughput_ratio


def cloud_by_year(cloud: pd.DataFrame, demand_gpu_hours: np.ndarray) -> pd.DataFrame:
    """Each cloud option's GPU-hours, cost and emissions per year for the same demand.

    Columns: option, provider, region, gpu, pricing, year, demand_gpu_hours, gpu_hours (cloud GPU-hours,
    overhead included), usd_per_gpu_hour, cost_usd, cumulative_cost_usd, energy_kwh,
    operational_co2e_kg, embodied_co2e_kg, note.
    """
    missing = [c for c in CLOUD_COLUMNS if c not in cloud.columns]
    if missing:
        raise PlanError(f"cloud options: missing columns {', '.join(missing)}")
    years = np.arange(1, len(demand_gpu_hours) + 1)
    numeric = ["usd_per_gpu_hour", "throughput_ratio", "overhead_fraction", "kwh_per_gpu_hour",
               "grid_gco2e_per_kwh", "embodied_kg_per_gpu_hour"]
    cloud = cloud.reset_index(drop=True).astype({c: float for c in numeric})
    rows = cloud.loc[cloud.index.repeat(len(years))].reset_index(drop=True)
    rows["year"] = np.tile(years, len(cloud))
    rows["demand_gpu_hours"] = np.tile(demand_gpu_hours, len(cloud))
    rows["gpu_hours"] = rows["demand_gpu_hours"] / rows["throughput_ratio"] * (1.0 + rows["overhead_fraction"])
    rows["cost_usd"] = rows["gpu_hours"] * rows["usd_per_gpu_hour"]
    rows["cumulative_cost_usd"] = rows.groupby("option", sort=False)["cost_usd"].cumsum(skipna=False)
    rows["energy_kwh"] = rows["gpu_hours"] * rows["kwh_per_gpu_hour"]
    rows["operational_co2e_kg"] = co2e_kg(rows["energy_kwh"], rows["grid_gco2e_per_kwh"])
    rows["embodied_co2e_kg"] = rows["gpu_hours"] * rows["embodied_kg_per_gpu_hour"]
    return rows[["option", "provider", "region", "gpu", "pricing", "year", "demand_gpu_hours", "gpu_hours",
                 "usd_per_gpu_hour", "cost_usd", "cumulative_cost_usd", "energy_kwh", "operational_co2e_kg",
                 "embodied_co2e_kg", "note"]]


# --- break-even -------------------------------------------------------------------------------------------

def breakeven_utilisation(fixed_usd_per_server_year: Num, gpus_per_server: Num, cloud_usd_per_gpu_hour: Num,
                          electricity_usd_per_gpu_hour: Num) -> np.ndarray:
    """Utilisation at which an owned GPU-hour costs what a cloud one does [-].

    ``u* = F / (8760 · n · (c_cloud − e))``; NaN ('never') where ``c_cloud ≤ e``. Values above 1 mean
    the cloud is cheaper even on a fully used cluster.
    """
    margin = np.asarray(cloud_usd_per_gpu_hour, dtype=float) - electricity_usd_per_gpu_hour
    with np.errstate(divide="ignore", invalid="ignore"):
        u = fixed_usd_per_server_year / (HOURS_PER_YEAR * gpus_per_server * margin)
    return np.where(margin > 0, u, np.nan)


def breakeven_year(owned_cumulative_usd: np.ndarray, cloud_cumulative_usd: np.ndarray) -> float:
    """First year (1-based) whose cumulative owned cost ≤ cumulative cloud cost; NaN if none in the horizon."""
    hits = np.flatnonzero(np.asarray(owned_cumulative_usd) <= np.asarray(cloud_cumulative_usd))
    return float(hits[0] + 1) if len(hits) else math.nan


def _verdict(u: float, achieved: float, cloud_usd: float, e: float) -> str:
    if math.isnan(cloud_usd):
        return "no price in the data"
    if math.isnan(u):
        return f"never: the cloud price {cloud_usd:.4f} is at or below the owned electricity {e:.4f} USD/GPU-h"
    if u > 1:
        return "cloud cheaper even with the cluster fully used"
    if u <= achieved:
        return f"over a server's life, owning is cheaper at the plan's utilisation {achieved:.1%} (break-even {u:.1%})"
    return f"over a server's life, cloud is cheaper at the plan's utilisation {achieved:.1%}; owning pays above {u:.1%}"


def breakeven_table(server: OwnedServer, cloud: pd.DataFrame, cloud_years: pd.DataFrame, tco: pd.DataFrame,
                    utilisation: float) -> pd.DataFrame:
    """Per cloud option: its price per server-GPU-hour, the break-even utilisation and year, totals.

    Columns: option, provider, region, gpu, pricing, cloud_usd_per_gpu_hour (per GPU-hour of the
    server's GPU, overhead and throughput ratio applied), owned_usd_per_gpu_hour (shared-cluster cost at
    the plan's utilisation: demand / capacity over the horizon), owned_electricity_usd_per_gpu_hour, breakeven_utilisation, breakeven_year,
    owned_total_usd, cloud_total_usd, owned_share_of_cloud, verdict.
    """
    fixed = fixed_usd_per_server_year(server)
    e = electricity_usd_per_gpu_hour(server)
    owned_rate = shared_usd_per_gpu_hour(replace(server, utilisation=utilisation))
    price = effective_usd_per_gpu_hour(cloud["usd_per_gpu_hour"].to_numpy(dtype=float),
                                       cloud["throughput_ratio"].to_numpy(dtype=float),
                                       cloud["overhead_fraction"].to_numpy(dtype=float))
    u_star = breakeven_utilisation(fixed, server.gpu_count, price, e)
    owned_cum = tco["cumulative_usd"].to_numpy()
    rows = []
    for i, option in enumerate(cloud.itertuples()):
        of_option = cloud_years[cloud_years["option"] == option.option]
        cloud_total = float(of_option["cost_usd"].sum(min_count=len(of_option)))
        rows.append({
            "option": option.option, "provider": option.provider, "region": option.region, "gpu": option.gpu,
            "pricing": option.pricing, "cloud_usd_per_gpu_hour": price[i], "owned_usd_per_gpu_hour": owned_rate,
            "owned_electricity_usd_per_gpu_hour": e, "breakeven_utilisation": u_star[i],
            "breakeven_year": breakeven_year(owned_cum, of_option["cumulative_cost_usd"].to_numpy()),
            "owned_total_usd": float(tco["total_usd"].sum()), "cloud_total_usd": cloud_total,
            "owned_share_of_cloud": float(tco["total_usd"].sum()) / cloud_total if cloud_total > 0 else math.nan,
            "verdict": _verdict(float(u_star[i]), utilisation, float(price[i]), e),
        })
    return pd.DataFrame(rows, columns=BREAKEVEN_COLUMNS)


BREAKEVEN_COLUMNS = ["option", "provider", "region", "gpu", "pricing", "cloud_usd_per_gpu_hour",
                     "owned_usd_per_gpu_hour", "owned_electricity_usd_per_gpu_hour", "breakeven_utilisation",
                     "breakeven_year", "owned_total_usd", "cloud_total_usd", "owned_share_of_cloud", "verdict"]


# --- carbon -----------------------------------------------------------------------------------------------

def owned_carbon(server: OwnedServer, tco: pd.DataFrame) -> pd.DataFrame:
    """Owned CO2e per year: operational ``E · I_site / 1000`` and the embodied CO2e of servers bought [kg]."""
    operational = co2e_kg(tco["energy_kwh"].to_numpy(), server.grid_gco2e_per_kwh)
    embodied = tco["servers_bought"].to_numpy() * server.embodied_kg
    return pd.DataFrame({"option": "owned", "year": tco["year"], "energy_kwh": tco["energy_kwh"],
                         "operational_co2e_kg": operational, "embodied_co2e_kg": embodied,
                         "co2e_kg": operational + embodied})


# --- sensitivity ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    """An uncertain input's low and high, applied to the plan's server or target utilisation."""

    name: str
    unit: str
    low: float
    high: float
    source: str
    factor: bool = False  # low/high multiply the plan's own value (prices), else replace it


def default_ranges() -> tuple[Range, ...]:
    """The tornado's inputs: each range from ``planner.defaults``, with its source."""
    return (
        Range("lifetime_years", "years", defaults.OWNED_LIFETIME_RANGE[0], defaults.OWNED_LIFETIME_RANGE[2],
              defaults.OWNED_LIFETIME_YEARS.source + "; " + defaults.OWNED_LIFETIME_YEARS.note),
        Range("target_utilisation", "fraction", defaults.OWNED_UTILISATION_RANGE[0],
              defaults.OWNED_UTILISATION_RANGE[2], defaults.OWNED_UTILISATION.source),
        Range("maintenance_pct_per_year", "% of price", defaults.MAINTENANCE_PCT_RANGE[0],
              defaults.MAINTENANCE_PCT_RANGE[2], defaults.MAINTENANCE_PCT_PER_YEAR.source),
        Range("pue", "ratio", defaults.PUE_OWNED_RANGE[0], defaults.PUE_OWNED_RANGE[2],
              defaults.PUE_OWNED_RANGE_SOURCE),
        Range("electricity_usd_per_kwh", "x plan value", defaults.ELECTRICITY_PRICE_FACTOR_RANGE[0],
              defaults.ELECTRICITY_PRICE_FACTOR_RANGE[2], defaults.ELECTRICITY_PRICE_FACTOR_SOURCE, factor=True),
        Range("price_usd", "x plan value", defaults.SERVER_PRICE_FACTOR_RANGE[0],
              defaults.SERVER_PRICE_FACTOR_RANGE[2], defaults.SERVER_PRICE_FACTOR_SOURCE, factor=True),
    )


def sensitivity(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float, whole_servers: bool,
                ranges: Sequence[Range] | None = None) -> pd.DataFrame:
    """Tornado: the owned TCO over the horizon with each input at its low and at its high, the rest central.

    Columns: input, unit, low, central, high, tco_usd_low, tco_usd_central, tco_usd_high, swing_usd
    (|high − low|), source; sorted by swing, largest first.
    """
    central_tco = owned_total_usd(server, demand_gpu_hours, utilisation, whole_servers)
    rows = []
    for r in ranges if ranges is not None else default_ranges():
        central = utilisation if r.name == "target_utilisation" else float(getattr(server, r.name))
        totals = []
        for bound in (r.low, r.high):
            value = central * bound if r.factor else bound
            if r.name == "target_utilisation":
                totals.append(owned_total_usd(server, demand_gpu_hours, value, whole_servers))
            else:
                varied = replace(server, **{r.name: value})
                totals.append(owned_total_usd(varied, demand_gpu_hours, utilisation, whole_servers))
        rows.append({"input": r.name, "unit": r.unit, "low": central * r.low if r.factor else r.low,
                     "central": central, "high": central * r.high if r.factor else r.high,
                     "tco_usd_low": float(totals[0]), "tco_usd_central": central_tco, "tco_usd_high": float(totals[1]),
                     "swing_usd": abs(float(totals[1] - totals[0])), "source": r.source})
    return pd.DataFrame(rows).sort_values("swing_usd", ascending=False, kind="mergesort").reset_index(drop=True)


# --- the plan ---------------------------------------------------------------------------------------------

def plan(server: OwnedServer, demand_gpu_hours: Sequence[float] | np.ndarray, cloud: pd.DataFrame, *,
         utilisation: float, whole_servers: bool = True, job_gpus: float | None = None,
         mean_job_hours: float | None = None, assumptions: tuple[Assumption, ...] = (),
         ranges: Sequence[Range] | None = None, notes: tuple[str, ...] = ()) -> Plan:
    """A procurement plan: owning ``server``s for a yearly demand vs each cloud option.

    server : the owned server and its site (its ``utilisation`` is replaced by ``utilisation``)
    demand_gpu_hours : GPU-hours per year on the server's GPU [GPU·h], one entry per year of the horizon
    cloud : one row per option, columns ``CLOUD_COLUMNS`` (built by ``planner.api.procurement_plan``)
    utilisation : target utilisation of the owned cluster, in (0, 1) [-]
    whole_servers : round servers up to whole ones (False: fractional, as Strubell et al. 2019)
    job_gpus : GPUs one job holds, for the queue (default: a whole server) [-]
    mean_job_hours : mean job length, to state the queue wait in hours [h]

    Tables: ``years`` (demand, sizing, queue), ``tco`` (``owned_tco``), ``cloud`` (``cloud_by_year``),
    ``breakeven`` (``breakeven_table``), ``sensitivity`` (``sensitivity``), ``carbon`` (owned and each
    priced cloud option per year), ``summary`` (one row per way: total cost, cost per GPU-hour, CO2e).
    """
    demand = validated_demand(demand_gpu_hours)
    u = target_utilisation(utilisation)
    server = replace(server, utilisation=u)
    whole_lifetime(server.lifetime_years)
    job = float(server.gpu_count) if job_gpus is None else positive("job_gpus", job_gpus)
    if mean_job_hours is not None:
        positive("mean_job_hours", mean_job_hours, "h")
    for row in cloud.itertuples():
        positive(f"throughput_ratio ({row.option})", row.throughput_ratio)
        non_negative(f"overhead_fraction ({row.option})", row.overhead_fraction)

    tco = owned_tco(server, demand, u, whole_servers)
    queue = queue_table(demand, tco["fleet_servers"].to_numpy(), server.gpu_count, job, mean_job_hours)
    short = queue.index[(queue["queue_slots"] < 1) & (demand > 0)]
    if len(short):
        year = int(short[0]) + 1
        gpus = float(tco["fleet_servers"].iloc[year - 1]) * server.gpu_count
        raise PlanError(f"job_gpus {job:g}: more GPUs than the cluster has in year {year} ({gpus:g}); such a job "
                        "can never start (give job_gpus at most the fleet's GPUs)")
    years = pd.concat([pd.DataFrame({"year": tco["year"], "demand_gpu_hours": demand}),
                       tco[["servers_needed", "servers_bought", "fleet_servers"]], queue], axis=1)
    cloud_years = cloud_by_year(cloud, demand)
    # Whole servers leave the cluster below its target: judge owning at the utilisation it reaches.
    achieved = float(demand.sum() / queue["capacity_gpu_hours"].sum())
    breakeven = breakeven_table(server, cloud, cloud_years, tco, achieved)
    priced = cloud_years[cloud_years["usd_per_gpu_hour"].notna()]
    cloud_carbon = priced.assign(co2e_kg=priced["operational_co2e_kg"] + priced["embodied_co2e_kg"])
    carbon = pd.concat([owned_carbon(server, tco),
                        cloud_carbon[["option", "year", "energy_kwh", "operational_co2e_kg", "embodied_co2e_kg",
                                      "co2e_kg"]]], ignore_index=True)
    summary = _summary(tco, cloud_years, carbon, breakeven, demand)
    missing = tuple(f"{row.option}: {row.note}" for row in cloud.itertuples() if pd.isna(row.usd_per_gpu_hour))
    left = float(tco["book_value_usd"].iloc[-1])
    if left > 0 and server.resale_fraction < 1:
        missing += (f"{left * (1 - server.resale_fraction):,.0f} USD of the servers' straight-line value is left at "
                    f"the end of the horizon and not credited (resale_fraction {server.resale_fraction:g}): the "
                    "horizon totals favour renting where servers are bought late; break-even utilisation is "
                    "over a server's life",)
    return Plan(years, tco, cloud_years, breakeven, sensitivity(server, demand, u, whole_servers, ranges), carbon,
                summary, assumptions, notes + missing)


def headline(result: Plan) -> str:
    """One sentence: the owned total and the cheapest priced cloud option, with its ratio to owning."""
    owned = result.summary.iloc[0]
    years = len(result.years)
    bought = float(result.years["servers_bought"].sum())
    text = (f"Owning: {bought:g} servers bought over {years} year{'s' if years > 1 else ''} "
            f"(peak fleet {result.years['fleet_servers'].max():g}) cost {owned.total_usd:,.0f} USD and emit "
            f"{owned.co2e_kg / 1000:,.1f} t CO2e")
    priced = result.summary.iloc[1:].dropna(subset=["total_usd"])
    if priced.empty:
        return text + "; no cloud option priced."
    best = priced.sort_values("total_usd", kind="mergesort").iloc[0]
    return (text + f". Cheapest cloud: {best.option}, {best.total_usd:,.0f} USD ({best.cost_vs_owned:.2f} x owned), "
            f"{best.co2e_kg / 1000:,.1f} t CO2e.")


def _summary(tco: pd.DataFrame, cloud_years: pd.DataFrame, carbon: pd.DataFrame, breakeven: pd.DataFrame,
             demand: np.ndarray) -> pd.DataFrame:
    total_demand = float(demand.sum())
    owned_total = float(tco["total_usd"].sum())
    co2 = carbon.groupby("option", sort=False)["co2e_kg"].sum()
    rows = [{"option": "owned", "pricing": "owned", "total_usd": owned_total,
             "usd_per_gpu_hour": owned_total / total_demand, "co2e_kg": float(co2["owned"]),
             "cost_vs_owned": 1.0, "breakeven_utilisation": math.nan, "breakeven_year": math.nan,
             "verdict": ""}]
    for row in breakeven.itertuples():
        total = row.cloud_total_usd
        rows.append({"option": row.option, "pricing": row.pricing, "total_usd": total,
                     "usd_per_gpu_hour": total / total_demand, "co2e_kg": float(co2.get(row.option, math.nan)),
                     "cost_vs_owned": total / owned_total if owned_total else math.nan,
                     "breakeven_utilisation": row.breakeven_utilisation, "breakeven_year": row.breakeven_year,
                     "verdict": row.verdict})
    return pd.DataFrame(rows)

