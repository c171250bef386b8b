"""Procurement planning for a shared cluster: sizing, the full cost of owning over a horizon, the cloud for the
same demand, break-even, tornado, Monte Carlo and carbon, on one stated cost basis.

Year by year over a horizon of ``H`` years for a demand of ``D_y`` GPU-hours on the server's GPU:

- **Sizing**: ``servers_y = ⌈D_y / (8760 · n_gpu · u_target)⌉`` (or fractional, as Strubell et al. 2019 count
  7.25). Servers bought in year ``b`` serve years ``b … b + L − 1`` and are replaced if still needed; a fleet
  never shrinks before end of life. Capacity ``C_y = fleet_y · n · 8760`` GPU-hours; idle ``C_y − D_y``.
- **Owned, cash** (``planner.owned_cost`` conventions): capex ``bought · P · (1 − h)^(y−1)`` (``h`` the hardware
  price-performance step per year of purchase) and its network/storage share ``o`` in the year of purchase;
  electricity ``PUE · (D · P_busy + (C − D) · P_idle) / n / 1000 · price`` (idle hours charged); facility
  ``fleet · kW_busy · $/kW-yr``; maintenance ``fleet · P · m/100``; staff ``FTE(fleet) · salary``; colocation
  ``fleet · 12 · $/kW-month · kW``; and, when the residual is credited, ``− Σ K_b · b(age_b)`` at the end of year
  ``H`` (straight-line book value down to the resale share, ``owned_cost.book_value_fraction``).
- **Money over time**: NPV at the real discount rate ``r`` with purchases at the start of their year
  (``(1 + r)^−(y−1)``) and every other flow, cloud bills and the residual at its end (``(1 + r)^−y``); the
  equivalent annual cost ``EAC = NPV · CRF(r, H)`` beside the cash total.
- **Views**: *institution* (full cost: everything above, no F&A) or *grant* (what an award pays: equipment
  exempt from F&A, maintenance and staff with F&A at ``fa_rate``, electricity and in-house space left to the
  F&A pool, no residual; cloud with F&A). The basis (view, cash/NPV, residual, F&A) is stated in every result.
- **Cloud**, same demand: ``GPU·h = D_y / r_tp · (1 + s)`` (throughput ratio, spot overhead) at
  ``price · (1 + trend)^(y−1)``. Reserved/committed capacity is paid for its whole term and size: a commitment
  as large as the owned fleet (``fleet · n / r_tp`` GPUs), renewed like servers, each term paid in full.
- **Break-even utilisation** on the plan's own basis (so it always agrees with the totals): with ``F`` the
  fixed owned cost per GPU-hour of capacity, ``e_b``/``e_i`` the electricity of a busy/idle GPU-hour and ``p``
  the cloud's cost per demanded GPU-hour, ``u* = (F + e_i) / (p − e_b + e_i)``; owning is cheaper iff the
  plan's utilisation ``Σ D / Σ C`` (same weights) is at least ``u*``.
- **Carbon**: owned operational ``E · I_site`` (idle included); embodied by the time-share rule: ``E_server / L``
  per server-year in service; cloud ``GPU·h · kWh · I`` plus embodied per reserved GPU-hour
  ``E_gpu / (8760 · L_cloud)``.

Pure: numbers and DataFrames in, a ``Plan`` of DataFrames out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner import defaults, owned_cost
from planner.carbon import co2e_kg
from planner.defaults import Assumption
from planner.demand import validated_series
from planner.errors import PlanError, between, non_negative, positive
from planner.ownership import HOURS_PER_YEAR, OwnedServer, staff_share_usd_per_server_year
from planner.queueing import allen_cunneen_factor, erlang_c, mean_wait_job_lengths
from planner.units import Num

CLOUD_PRICING = ("on_demand", "spot", "reserved_1y", "reserved_3y")
RESERVED_TERM_YEARS = {"reserved_1y": 1, "reserved_3y": 3}

#: Columns of the cloud-options table ``plan`` takes (one row per provider/region/GPU/pricing).
CLOUD_COLUMNS = (
    "option",                 # a name: 'aws us-east-1 h100-sxm5-80gb on_demand'
    "provider", "region", "gpu", "pricing",
    "usd_per_gpu_hour",       # price per GPU-hour of the cloud GPU [USD]; NaN: no price in the data
    "throughput_ratio",       # cloud GPU speed / server GPU speed [-]
    "overhead_fraction",      # extra GPU-hours (spot rework) [-]
    "kwh_per_gpu_hour",       # grid energy per cloud GPU-hour, PUE included [kWh]
    "grid_gco2e_per_kwh",     # the region's grid [g/kWh]
    "embodied_kg_per_gpu_hour",  # manufacturing CO2e per reserved cloud GPU-hour (time share) [kg]
    "source", "note",
)


@dataclass(frozen=True)
class Basis:
    """The cost basis of a plan: what is counted and how money over time is weighed.

    money : ``npv`` (discounted at ``discount_rate``) or ``cash``; view : ``institution`` (full cost) or
    ``grant`` (what an award pays); discount_rate : real, per year [-]; fa_rate : F&A on MTDC items [-];
    credit_residual : credit the book value left at the end (institution view); cloud_price_trend_pct_per_year
    [%/yr]; hardware_price_performance_pct_per_year : later purchases cost this much less per year [%/yr]
    """

    money: str = "npv"
    view: str = "institution"
    discount_rate: float = float(defaults.DISCOUNT_RATE.value)
    fa_rate: float = float(defaults.FA_RATE.value)
    credit_residual: bool = True
    cloud_price_trend_pct_per_year: float = float(defaults.CLOUD_PRICE_TREND_PCT_PER_YEAR.value)
    hardware_price_performance_pct_per_year: float = float(defaults.HARDWARE_PRICE_PERFORMANCE_PCT_PER_YEAR.value)

    def __post_init__(self) -> None:
        owned_cost.money(self.money)
        owned_cost.view(self.view)
        between("discount_rate", self.discount_rate, 0.0, 1.0)
        between("fa_rate", self.fa_rate, 0.0, 2.0)
        between("cloud_price_trend_pct_per_year", self.cloud_price_trend_pct_per_year, -90.0, 100.0)
        between("hardware_price_performance_pct_per_year", self.hardware_price_performance_pct_per_year, 0.0, 90.0)

    @property
    def rate(self) -> float:
        """The discount rate applied: the plan's rate on the NPV basis, 0 on the cash basis."""
        return self.discount_rate if self.money == "npv" else 0.0

    def describe(self) -> str:
        """One line naming every convention of the basis."""
        money_text = f"NPV at {self.discount_rate:.1%} real" if self.money == "npv" else "cash (undiscounted)"
        view_text = "institution full cost" if self.view == "institution" else "grant budget"
        residual = ("residual book value credited" if self.credit_residual and self.view == "institution"
                    else "no residual credited")
        fa = (f"F&A applied at {self.fa_rate:.0%} on cloud and MTDC items (equipment exempt)" if self.fa_rate > 0
              else "F&A not applied (fa_rate 0)")
        if self.view == "institution" and self.fa_rate > 0:
            fa = f"F&A {self.fa_rate:.0%} shown in the grant view only (an internal transfer in full cost)"
        trend = (f"; cloud price trend {self.cloud_price_trend_pct_per_year:+g}%/year"
                 if self.cloud_price_trend_pct_per_year else "; cloud prices held")
        step = (f"; hardware {self.hardware_price_performance_pct_per_year:g}%/year cheaper at later purchase"
                if self.hardware_price_performance_pct_per_year else "")
        return f"{view_text}, {money_text}, {residual}, {fa}{trend}{step}"

    def assumptions(self) -> tuple[Assumption, ...]:
        """The basis as assumption rows (user values marked as such)."""
        def row(default: Assumption, value: float) -> Assumption:
            return default if value == default.value else default.with_value(value)
        return (row(defaults.DISCOUNT_RATE, self.discount_rate), row(defaults.FA_RATE, self.fa_rate),
                row(defaults.CLOUD_PRICE_TREND_PCT_PER_YEAR, self.cloud_price_trend_pct_per_year),
                row(defaults.HARDWARE_PRICE_PERFORMANCE_PCT_PER_YEAR, self.hardware_price_performance_pct_per_year),
                Assumption("cost_basis", self.describe(), "", "trainplan: the basis every total and verdict uses", ""))


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
    basis: Basis = field(default_factory=Basis)
    bases: pd.DataFrame = field(default_factory=pd.DataFrame)
    monte_carlo: pd.DataFrame = field(default_factory=pd.DataFrame)

    def carbon_totals(self) -> pd.DataFrame:
        """Energy and CO2e over the whole horizon, one row per option [kWh, kg]."""
        return self.carbon.groupby("option", sort=False, as_index=False)[
            ["energy_kwh", "operational_co2e_kg", "embodied_co2e_kg", "co2e_kg"]].sum()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, assumptions and notes included (for writing them out)."""
        return {"summary": self.summary, "bases": self.bases, "years": self.years, "tco": self.tco,
                "cloud": self.cloud, "breakeven": self.breakeven, "sensitivity": self.sensitivity,
                "monte_carlo": self.monte_carlo, "carbon": self.carbon,
                "assumptions": pd.DataFrame([a.__dict__ for a in self.assumptions]),
                "notes": pd.DataFrame({"note": list(self.notes)}, dtype=object)}


# --- demand and sizing ----------------------------------------------------------------------------------

def demand_with_growth(base_gpu_hours: float, growth: float, years: int) -> np.ndarray:
    """Demand per year growing geometrically: ``D_y = D_1 · (1 + g)^(y − 1)`` [GPU·h], y = 1 … years."""
    return float(base_gpu_hours) * (1.0 + float(growth)) ** np.arange(int(years))


def validated_demand(demand_gpu_hours: Sequence[float] | np.ndarray) -> np.ndarray:
    """Demand per year as an array, each >= 0 and not all zero, at least one year."""
    return validated_series(demand_gpu_hours, "demand_gpu_hours", "year",
                            "horizon_years 0: must be a whole number of years >= 1")


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

_OWNED_FIXED = ("capex_usd", "network_storage_usd", "facility_usd", "hosting_usd", "maintenance_usd", "staff_usd")


def _owned_arrays(server: OwnedServer, demand: np.ndarray, utilisation: float, whole_servers: bool,
                  basis: Basis) -> dict[str, np.ndarray]:
    """The columns of ``owned_tco`` as arrays (the tornado and Monte Carlo re-run this many times)."""
    lifetime = whole_lifetime(server.lifetime_years)
    years = len(demand)
    needed = servers_needed(demand, server.gpu_count, utilisation, whole_servers)
    bought, fleet = fleet_by_year(needed, lifetime)
    year = np.arange(1, years + 1)
    unit_price = server.price_usd * (1.0 - basis.hardware_price_performance_pct_per_year / 100.0) ** (year - 1)
    capex = bought * unit_price
    network = capex * server.overhead_pct_of_capex / 100.0
    capacity = fleet * server.gpu_count * HOURS_PER_YEAR
    idle_gpu_hours = np.maximum(capacity - demand, 0.0)
    busy_kwh = demand * owned_cost.kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue)
    idle_kwh = idle_gpu_hours * owned_cost.kwh_per_gpu_hour(server.idle_power_w, server.gpu_count, server.pue)
    kw = server.power_w / 1000.0
    fte = owned_cost.staff_fte(fleet, server.staff_fte_base, server.staff_fte_per_server, server.staff_free_servers)
    book = np.array([(capex[:y] * (1.0 + server.overhead_pct_of_capex / 100.0)
                      * owned_cost.book_value_fraction(y - year[:y] + 1.0, lifetime, server.resale_fraction)).sum()
                     for y in year])
    residual = np.zeros(years)
    if basis.credit_residual:
        residual[-1] = -book[-1]
    columns = {
        "year": year, "servers_needed": needed, "servers_bought": bought, "fleet_servers": fleet,
        "capacity_gpu_hours": capacity, "idle_gpu_hours": idle_gpu_hours,
        "capex_usd": capex, "network_storage_usd": network,
        "electricity_usd": (busy_kwh + idle_kwh) * server.electricity_usd_per_kwh,
        "facility_usd": fleet * kw * server.facility_usd_per_kw_year,
        "hosting_usd": fleet * server.hosting_usd_per_kw_month * 12.0 * kw,
        "maintenance_usd": fleet * server.price_usd * server.maintenance_pct_per_year / 100.0,
        "staff_fte": fte,
        "staff_usd": fte * server.staff_usd_per_fte_year + fleet * server.staff_usd_per_server_year,
        "residual_usd": residual,
    }
    cash = sum(columns[c] for c in (*_OWNED_FIXED, "electricity_usd", "residual_usd"))
    start = owned_cost.discount_factor(basis.rate, year - 1.0)
    end = owned_cost.discount_factor(basis.rate, year.astype(float))
    purchases = capex + network
    pv = purchases * start + (cash - purchases) * end
    grant = purchases + (columns["maintenance_usd"] + columns["staff_usd"]) * (1.0 + basis.fa_rate) \
        + columns["hosting_usd"]
    grant_pv = purchases * start + (grant - purchases) * end
    institution = basis.view == "institution"
    flow = (pv if basis.money == "npv" else cash) if institution else (grant_pv if basis.money == "npv" else grant)
    # Cumulative on the basis, each year as if the horizon ended there (its book value credited then).
    without_residual = flow - (residual * (end if basis.money == "npv" else 1.0) if institution else 0.0)
    credit = book * (end if basis.money == "npv" else 1.0) if institution and basis.credit_residual else 0.0
    columns.update({
        "total_usd": cash, "cumulative_usd": np.cumsum(cash), "pv_usd": pv,
        "grant_usd": grant, "basis_usd": flow, "cumulative_basis_usd": np.cumsum(without_residual) - credit,
        "discount_factor": end, "energy_kwh": busy_kwh + idle_kwh, "idle_energy_kwh": idle_kwh,
        "book_value_usd": book,
    })
    return columns


def owned_tco(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float,
              whole_servers: bool = True, basis: Basis | None = None) -> pd.DataFrame:
    """Owned cluster cost per year [USD] (formulas in the module docstring).

    Columns: year, servers_needed, servers_bought, fleet_servers, capacity_gpu_hours, idle_gpu_hours, capex_usd,
    network_storage_usd, electricity_usd (busy and idle), facility_usd, hosting_usd, maintenance_usd, staff_fte,
    staff_usd, residual_usd (≤ 0: book value credited at the end), total_usd (cash, institution view),
    cumulative_usd, pv_usd (discounted on an NPV basis), grant_usd (what an award pays, cash), basis_usd (the
    plan's basis), cumulative_basis_usd (as if the horizon ended that year), discount_factor, energy_kwh,
    idle_energy_kwh, book_value_usd (straight-line value of the fleet at year end).
    """
    return pd.DataFrame(_owned_arrays(server, np.asarray(demand_gpu_hours, dtype=float), utilisation,
                                      whole_servers, basis or Basis()))


def owned_total_usd(server: OwnedServer, demand_gpu_hours: np.ndarray, utilisation: float,
                    whole_servers: bool = True, basis: Basis | None = None) -> float:
    """The owned cost over the horizon on the basis [USD]."""
    return float(_owned_arrays(server, np.asarray(demand_gpu_hours, dtype=float), utilisation, whole_servers,
                               basis or Basis())["basis_usd"].sum())


def _owned_split(server: OwnedServer, columns: dict[str, np.ndarray], demand: np.ndarray,
                 basis: Basis) -> tuple[float, float, float, float, float]:
    """(fixed cost, capacity GPU-h, demand GPU-h, busy and idle electricity per GPU-h) weighed on the basis."""
    end = columns["discount_factor"] if basis.money == "npv" else np.ones(len(demand))
    capacity = float((columns["capacity_gpu_hours"] * end).sum())
    used = float((demand * end).sum())
    if basis.view == "institution":
        e_busy = owned_cost.kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue) * \
            server.electricity_usd_per_kwh
        e_idle = owned_cost.kwh_per_gpu_hour(server.idle_power_w, server.gpu_count, server.pue) * \
            server.electricity_usd_per_kwh
    else:
        e_busy = e_idle = 0.0
    electricity = e_busy * used + e_idle * (capacity - used)
    fixed = float(columns["basis_usd"].sum()) - electricity
    return fixed, capacity, used, e_busy, e_idle


#: Largest fleet a plan may size [GPUs]: beyond any cluster built (the largest announced, 2025, ~2e5 GPUs).
MAX_FLEET_GPUS = 1_000_000


def queue_table(demand_gpu_hours: np.ndarray, fleet_servers: np.ndarray, gpus_per_server: float,
                job_gpus: float, mean_job_hours: float | None, peak_month_factor: float = 1.0,
                job_length_cv: float = 1.0, largest_job_gpus: float | None = None) -> pd.DataFrame:
    """Capacity, utilisation and queue waits per year, at the annual average and the peak month's load.

    Slots ``c = ⌊fleet · n / job_gpus⌋``; ``ρ = D / (8760 · fleet · n)``, peak ``ρ_peak = ρ · peak_month_factor``;
    M/M/c wait in job lengths, times the Allen–Cunneen factor ``(1 + cv²) / 2`` for job lengths of coefficient
    of variation ``cv`` (Poisson arrivals); in hours given a mean job length [h]. ``job_fits`` is False where the
    largest job (``largest_job_gpus``, default ``job_gpus``) needs more GPUs than the fleet has: it can never start.
    """
    capacity = fleet_servers * gpus_per_server * HOURS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(capacity > 0, demand_gpu_hours / capacity, 0.0)
    slots = np.floor(fleet_servers * gpus_per_server / job_gpus + 1e-9)
    factor = allen_cunneen_factor(job_length_cv)
    wait = np.where(rho > 0, mean_wait_job_lengths(slots, rho), 0.0) * factor
    peak = rho * peak_month_factor
    peak_wait = np.where(peak > 0, mean_wait_job_lengths(slots, np.minimum(peak, 1.0)), 0.0) * factor
    hours = mean_job_hours if mean_job_hours is not None else np.nan
    return pd.DataFrame({
        "capacity_gpu_hours": capacity,
        "utilisation": rho,
        "queue_slots": slots,
        "job_fits": fleet_servers * gpus_per_server + 1e-9 >= (job_gpus if largest_job_gpus is None
                                                               else max(job_gpus, largest_job_gpus)),
        "p_wait": np.where(rho > 0, erlang_c(slots, rho * slots), 0.0),
        "wait_job_lengths": wait,
        "wait_hours": wait * hours,
        "peak_month_utilisation": peak,
        "peak_wait_job_lengths": peak_wait,
        "peak_wait_hours": peak_wait * hours,
    })


# --- cloud ------------------------------------------------------------------------------------------------

def effective_usd_per_gpu_hour(usd_per_gpu_hour: Num, throughput_ratio: Num, overhead_fraction: Num) -> Num:
    """Cloud price per GPU-hour of the server's GPU: ``p · (1 + s) / r`` [USD]."""
    return owned_cost.cloud_usd_per_gpu_hour(usd_per_gpu_hour, throughput_ratio, overhead_fraction)


def _committed(needed_gpus: np.ndarray, price_by_year: np.ndarray, term: int,
               rate: float) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Commitments renewed like servers: (GPUs committed per year, cash per year, cash and PV after the horizon).

    A commitment made in year b at that year's price covers years b … b + term − 1 and is paid in full.
    """
    bought, active = fleet_by_year(needed_gpus, term)
    years = len(needed_gpus)
    cash = np.zeros(years)
    after_cash = after_pv = 0.0
    for b in range(years):
        if bought[b] <= 0:
            continue
        per_year = bought[b] * HOURS_PER_YEAR * price_by_year[b]
        for t in range(b, b + term):
            if t < years:
                cash[t] += per_year
            else:
                after_cash += per_year
                after_pv += per_year * float(owned_cost.discount_factor(rate, t + 1.0))
    return active, cash, after_cash, after_pv


def _cloud_arrays(option: pd.Series, demand: np.ndarray, fleet_servers: np.ndarray, gpus_per_server: float,
                  basis: Basis) -> dict[str, np.ndarray]:
    years = np.arange(1, len(demand) + 1)
    ratio, overhead = float(option["throughput_ratio"]), float(option["overhead_fraction"])
    price = float(option["usd_per_gpu_hour"]) * (1.0 + basis.cloud_price_trend_pct_per_year / 100.0) ** (years - 1)
    used = demand / ratio * (1.0 + overhead)
    end = owned_cost.discount_factor(basis.rate, years.astype(float))
    term = RESERVED_TERM_YEARS.get(str(option["pricing"]))
    if term:
        reserved_gpus, cash, after_cash, after_pv = _committed(fleet_servers * gpus_per_server / ratio, price, term,
                                                               basis.rate)
        reserved = reserved_gpus * HOURS_PER_YEAR
        cash = cash.copy()
        cash[-1] += after_cash
        pv = cash * end
        pv[-1] += after_pv - after_cash * end[-1]
    else:
        reserved = used
        cash = used * price
        pv = cash * end
    fa = 1.0 + (basis.fa_rate if basis.view == "grant" else 0.0)
    flow = (pv if basis.money == "npv" else cash) * fa
    return {"year": years, "gpu_hours": used, "reserved_gpu_hours": reserved, "usd_per_gpu_hour": price,
            "cost_usd": cash, "basis_cost_usd": flow}


def cloud_by_year(cloud: pd.DataFrame, demand_gpu_hours: np.ndarray, fleet_servers: np.ndarray | None = None,
                  gpus_per_server: float = 8.0, basis: Basis | None = None) -> pd.DataFrame:
    """Each cloud option's GPU-hours, cost and emissions per year for the same demand.

    Columns: option, provider, region, gpu, pricing, year, demand_gpu_hours, gpu_hours (used, overhead
    included), reserved_gpu_hours (paid for: a commitment's whole size, else the used hours), usd_per_gpu_hour
    (the year's price), cost_usd (cash; a commitment's years after the horizon are added to the last year),
    cumulative_cost_usd, basis_cost_usd (on the plan's basis, F&A in the grant view), cumulative_basis_cost_usd,
    energy_kwh, operational_co2e_kg, embodied_co2e_kg (per reserved GPU-hour), note.
    """
    missing = [c for c in CLOUD_COLUMNS if c not in cloud.columns]
    if missing:
        raise PlanError(f"cloud options: missing columns {', '.join(missing)}")
    basis = basis or Basis()
    demand = np.asarray(demand_gpu_hours, dtype=float)
    fleet = np.zeros(len(demand)) if fleet_servers is None else np.asarray(fleet_servers, dtype=float)
    parts = []
    for _, option in cloud.reset_index(drop=True).iterrows():
        arrays = _cloud_arrays(option, demand, fleet, gpus_per_server, basis)
        part = pd.DataFrame(arrays)
        for column in ("option", "provider", "region", "gpu", "pricing", "note"):
            part[column] = option[column]
        part["demand_gpu_hours"] = demand
        part["cumulative_cost_usd"] = part["cost_usd"].cumsum(skipna=False)
        part["cumulative_basis_cost_usd"] = part["basis_cost_usd"].cumsum(skipna=False)
        part["energy_kwh"] = part["gpu_hours"] * float(option["kwh_per_gpu_hour"])
        part["operational_co2e_kg"] = co2e_kg(part["energy_kwh"], float(option["grid_gco2e_per_kwh"]))
        part["embodied_co2e_kg"] = part["reserved_gpu_hours"] * float(option["embodied_kg_per_gpu_hour"])
        parts.append(part)
    columns = ["option", "provider", "region", "gpu", "pricing", "year", "demand_gpu_hours", "gpu_hours",
               "reserved_gpu_hours", "usd_per_gpu_hour", "cost_usd", "cumulative_cost_usd", "basis_cost_usd",
               "cumulative_basis_cost_usd", "energy_kwh", "operational_co2e_kg", "embodied_co2e_kg", "note"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


# --- break-even -------------------------------------------------------------------------------------------

def breakeven_utilisation(fixed_usd_per_gpu_capacity_hour: Num, cloud_usd_per_gpu_hour: Num,
                          busy_usd_per_gpu_hour: Num, idle_usd_per_gpu_hour: Num = 0.0) -> np.ndarray:
    """``u* = (F + e_i) / (p − e_b + e_i)`` (``planner.owned_cost.breakeven_utilisation``) [-]."""
    return owned_cost.breakeven_utilisation(fixed_usd_per_gpu_capacity_hour, cloud_usd_per_gpu_hour,
                                            busy_usd_per_gpu_hour, idle_usd_per_gpu_hour)


def breakeven_year(owned_cumulative_usd: np.ndarray, cloud_cumulative_usd: np.ndarray) -> float:
    """First year (1-based) whose cumulative owned cost ≤ cumulative cloud cost; NaN if none in the horizon."""
    hits = np.flatnonzero(np.asarray(owned_cumulative_usd) <= np.asarray(cloud_cumulative_usd))
    return float(hits[0] + 1) if len(hits) else math.nan


def verdict(owned_total: float, cloud_total: float, u_star: float, achieved: float, cloud_rate: float,
            e_busy: float) -> str:
    """The verdict of one option, worded from the totals on the basis (the break-even utilisation agrees)."""
    if math.isnan(cloud_total):
        return "no price in the data"
    if owned_total <= cloud_total:
        return (f"owning is cheaper on this basis: the plan's utilisation {achieved:.1%} is at or above the "
                f"break-even {u_star:.1%}")
    if math.isnan(u_star):
        return (f"cloud is cheaper on this basis: its {cloud_rate:.4f} USD per GPU-hour is at or below the owned "
                f"electricity {e_busy:.4f}")
    if u_star > 1:
        return f"cloud is cheaper on this basis even with the cluster fully used (break-even {u_star:.0%})"
    return (f"cloud is cheaper on this basis: owning would need {u_star:.1%} utilisation, the plan reaches "
            f"{achieved:.1%}")


BREAKEVEN_COLUMNS = ["option", "provider", "region", "gpu", "pricing", "cloud_usd_per_gpu_hour",
                     "owned_usd_per_gpu_hour", "owned_fixed_usd_per_gpu_capacity_hour",
                     "owned_electricity_usd_per_gpu_hour", "owned_idle_electricity_usd_per_gpu_hour",
                     "achieved_utilisation", "breakeven_utilisation", "breakeven_utilisation_lifetime",
                     "breakeven_year", "owned_total_usd", "cloud_total_usd", "owned_share_of_cloud", "verdict"]


def lifetime_breakeven_utilisation(server: OwnedServer, cloud_usd_per_gpu_hour: Num, cluster_servers: float) -> Num:
    """Break-even utilisation over one server's life at today's price, capital recovered (institution view) [-].

    ``u* = (F/(8760·n) + e_i) / (p − e_b + e_i)``, ``F`` the fixed part of ``owned_cost.owned_usd_per_server_year``
    (capital recovery at the server's discount rate, network share, maintenance, staff share, facility).
    """
    staff = staff_share_usd_per_server_year(server, max(cluster_servers, 1.0))
    fixed = owned_cost.owned_usd_per_server_year(
        server.price_usd, server.overhead_pct_of_capex, server.lifetime_years, server.discount_rate,
        server.resale_fraction, server.maintenance_pct_per_year, staff, server.facility_usd_per_kw_year,
        server.hosting_usd_per_kw_month, server.power_w, 0.0, 1.0, server.pue, 0.0)
    e_busy = owned_cost.kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue) * server.electricity_usd_per_kwh
    e_idle = owned_cost.kwh_per_gpu_hour(server.idle_power_w, server.gpu_count, server.pue) * \
        server.electricity_usd_per_kwh
    return breakeven_utilisation(fixed / (HOURS_PER_YEAR * server.gpu_count), cloud_usd_per_gpu_hour, e_busy, e_idle)


def breakeven_table(server: OwnedServer, cloud: pd.DataFrame, cloud_years: pd.DataFrame,
                    owned: dict[str, np.ndarray], demand: np.ndarray, basis: Basis) -> pd.DataFrame:
    """Per cloud option on the plan's basis: prices per GPU-hour, break-even utilisation and year, totals, verdict.

    cloud_usd_per_gpu_hour : the option's cost per demanded GPU-hour of the server's GPU on the basis (overhead,
    throughput ratio, trend, a commitment's unused hours and F&A in the grant view included);
    owned_fixed_usd_per_gpu_capacity_hour ``F``, owned_(idle_)electricity_usd_per_gpu_hour ``e_b``/``e_i``;
    achieved_utilisation ``Σ D / Σ C`` and breakeven_utilisation ``u*`` on the same weights (they agree with the
    totals); breakeven_utilisation_lifetime: over one server's life at the option's first-year price;
    breakeven_year: first year owning has cost no more (each year as if the horizon ended then).
    """
    fixed, capacity, used, e_busy, e_idle = _owned_split(server, owned, demand, basis)
    owned_total = float(owned["basis_usd"].sum())
    achieved = used / capacity if capacity > 0 else math.nan
    rows = []
    for option in cloud.itertuples():
        of_option = cloud_years[cloud_years["option"] == option.option]
        total = float(of_option["basis_cost_usd"].sum(min_count=len(of_option)))
        rate = total / used if used > 0 else math.nan
        u_star = float(breakeven_utilisation(fixed / capacity, rate, e_busy, e_idle)) if capacity > 0 else math.nan
        first_price = float(effective_usd_per_gpu_hour(option.usd_per_gpu_hour, option.throughput_ratio,
                                                       option.overhead_fraction))
        rows.append({
            "option": option.option, "provider": option.provider, "region": option.region, "gpu": option.gpu,
            "pricing": option.pricing, "cloud_usd_per_gpu_hour": rate,
            "owned_usd_per_gpu_hour": owned_total / used if used > 0 else math.nan,
            "owned_fixed_usd_per_gpu_capacity_hour": fixed / capacity if capacity > 0 else math.nan,
            "owned_electricity_usd_per_gpu_hour": e_busy, "owned_idle_electricity_usd_per_gpu_hour": e_idle,
            "achieved_utilisation": achieved, "breakeven_utilisation": u_star,
            "breakeven_utilisation_lifetime": float(lifetime_breakeven_utilisation(
                server, first_price, float(np.max(owned["fleet_servers"])))),
            "breakeven_year": breakeven_year(owned["cumulative_basis_usd"],
                                             of_option["cumulative_basis_cost_usd"].to_numpy()),
            "owned_total_usd": owned_total, "cloud_total_usd": total,
            "owned_share_of_cloud": owned_total / total if total > 0 else math.nan,
            "verdict": verdict(owned_total, total, u_star, achieved, rate, e_busy),
        })
    return pd.DataFrame(rows, columns=BREAKEVEN_COLUMNS)


# --- carbon -----------------------------------------------------------------------------------------------

def owned_carbon(server: OwnedServer, tco: pd.DataFrame) -> pd.DataFrame:
    """Owned CO2e per year: operational ``E · I_site / 1000`` (idle included) and embodied by time share [kg].

    Embodied: ``E_server / L`` per server-year in service (the time-share rule of the SCI spec and CCF).
    """
    operational = co2e_kg(tco["energy_kwh"].to_numpy(), server.grid_gco2e_per_kwh)
    embodied = tco["fleet_servers"].to_numpy() * server.embodied_kg / server.lifetime_years
    return pd.DataFrame({"option": "owned", "year": tco["year"], "energy_kwh": tco["energy_kwh"],
                         "operational_co2e_kg": operational, "embodied_co2e_kg": embodied,
                         "co2e_kg": operational + embodied})


# --- sensitivity and uncertainty --------------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    """An uncertain input's low, central and high, with its source.

    name : a field of the server (``OwnedServer``), of the basis (``Basis``), or one of ``PLAN_INPUTS``;
    factor : low/high multiply the plan's own value (prices, demand), else replace it; central None = the
    plan's own value.
    """

    name: str
    unit: str
    low: float
    high: float
    source: str
    factor: bool = False
    central: float | None = None


#: Inputs of the plan itself (not of the server or the basis) a Range may vary.
PLAN_INPUTS = ("demand", "growth", "cloud_price", "spot_price_gap", "target_utilisation",
               "electricity_usd_per_kwh", "idle_power_fraction")
_FACTOR_SOURCE = "trainplan judgement: the plan's own value +-25% (no sourced spread of a plan's demand)"


def default_ranges() -> tuple[Range, ...]:
    """The tornado's and Monte Carlo's inputs: each range from ``planner.defaults``, with its source."""
    d = defaults
    return (
        Range("demand", "x plan value", 0.75, 1.25, _FACTOR_SOURCE, factor=True),
        Range("growth", "per year", 0.0, 0.4, "trainplan judgement: flat demand to +40%/year"),
        Range("cloud_price", "x list price", 0.55, 1.0, "AWS cut P4d/P4de/P5/P5en on-demand prices by up to 45% on "
              "2025-06-05 (AWS What's New): a price can fall to 0.55 of its list", factor=True),
        Range("spot_price_gap", "share of the gap to on-demand", 0.0, 1.0,
              "AWS: the default maximum spot price is the on-demand price, and a spot price can rise to it "
              "(Amazon EC2 User Guide, 'Spot Instance pricing'); trainplan's compare uses the same high end. 0 = the "
              "snapshot's spot price, 1 = that option's on-demand price (same provider, region, GPU)"),
        Range("cloud_price_trend_pct_per_year", "%/year", d.CLOUD_PRICE_TREND_RANGE[0], d.CLOUD_PRICE_TREND_RANGE[2],
              d.CLOUD_PRICE_TREND_PCT_PER_YEAR.note),
        Range("fa_rate", "fraction of MTDC", 0.0, 0.6, d.FA_RATE.source + " (affects the grant view only)"),
        Range("discount_rate", "per year", d.DISCOUNT_RATE_RANGE[0], d.DISCOUNT_RATE_RANGE[2],
              "0 = cash basis; 10% = OMB A-94 (1972), per EPA OSWER Directive 9355.3-20"),
        Range("overhead_pct_of_capex", "% of capex", d.NETWORK_STORAGE_PCT_RANGE[0], d.NETWORK_STORAGE_PCT_RANGE[2],
              d.NETWORK_STORAGE_PCT_OF_CAPEX.source),
        Range("idle_power_fraction", "x busy power", d.IDLE_POWER_FRACTION_RANGE[0], d.IDLE_POWER_FRACTION_RANGE[2],
              d.IDLE_POWER_FRACTION.note),
        Range("pue", "ratio", d.PUE_OWNED_RANGE[0], d.PUE_OWNED_RANGE[2], d.PUE_OWNED_RANGE_SOURCE),
        Range("electricity_usd_per_kwh", "USD/kWh", 0.0882, 0.2391,
              "EIA Electric Power Annual 2023, commercial: Texas 8.82 and California 23.91 c/kWh, the cheapest and "
              "dearest US states in the data (an absolute range, not a ratio)"),
        Range("lifetime_years", "years", d.OWNED_LIFETIME_RANGE[0], d.OWNED_LIFETIME_RANGE[2],
              d.OWNED_LIFETIME_YEARS.source + "; " + d.OWNED_LIFETIME_YEARS.note),
        Range("target_utilisation", "fraction", d.OWNED_UTILISATION_RANGE[0], d.OWNED_UTILISATION_RANGE[2],
              d.OWNED_UTILISATION.source),
        Range("maintenance_pct_per_year", "% of price", d.MAINTENANCE_PCT_RANGE[0], d.MAINTENANCE_PCT_RANGE[2],
              d.MAINTENANCE_PCT_PER_YEAR.source),
        Range("price_usd", "x plan value", d.SERVER_PRICE_FACTOR_RANGE[0], d.SERVER_PRICE_FACTOR_RANGE[2],
              d.SERVER_PRICE_FACTOR_SOURCE, factor=True),
    )


@dataclass(frozen=True)
class Inputs:
    """Everything a plan's totals depend on (what the tornado and Monte Carlo vary)."""

    server: OwnedServer
    demand: np.ndarray
    cloud: pd.DataFrame
    utilisation: float
    whole_servers: bool
    basis: Basis
    growth: float = 0.0


def _central(inputs: Inputs, r: Range) -> float:
    if r.name == "demand" or r.name == "cloud_price":
        return 1.0
    if r.name == "spot_price_gap":
        return 0.0
    if r.name == "growth":
        return inputs.growth
    if r.name == "target_utilisation":
        return inputs.utilisation
    if r.name == "idle_power_fraction":
        return inputs.server.idle_power_w / inputs.server.power_w
    if hasattr(inputs.basis, r.name):
        return float(getattr(inputs.basis, r.name))
    return float(getattr(inputs.server, r.name))


def _with(inputs: Inputs, r: Range, value: float) -> Inputs:
    """The inputs with one of them at ``value`` (a factor for factor ranges)."""
    if r.name == "demand":
        return replace(inputs, demand=inputs.demand * value)
    if r.name == "growth":
        steps = np.arange(len(inputs.demand))
        return replace(inputs, demand=inputs.demand * ((1.0 + value) / (1.0 + inputs.growth)) ** steps, growth=value)
    if r.name == "cloud_price":
        return replace(inputs, cloud=inputs.cloud.assign(usd_per_gpu_hour=inputs.cloud["usd_per_gpu_hour"] * value))
    if r.name == "spot_price_gap":
        return replace(inputs, cloud=spot_toward_on_demand(inputs.cloud, value))
    if r.name == "target_utilisation":
        return replace(inputs, utilisation=value)
    if r.name == "idle_power_fraction":
        return replace(inputs, server=replace(inputs.server, idle_power_w=inputs.server.power_w * value))
    if r.name == "lifetime_years":
        return replace(inputs, server=replace(inputs.server, lifetime_years=float(round(value))))
    if hasattr(inputs.basis, r.name):
        return replace(inputs, basis=replace(inputs.basis, **{r.name: value}))
    if r.factor:
        value = float(getattr(inputs.server, r.name)) * value
    return replace(inputs, server=replace(inputs.server, **{r.name: value}))


def spot_toward_on_demand(cloud: pd.DataFrame, share: float) -> pd.DataFrame:
    """Spot options priced ``share`` of the way to their on-demand price: ``p = p_spot + share · (p_od − p_spot)``.

    The on-demand price is the option with the same provider, region and GPU priced ``on_demand`` in ``cloud``;
    a spot option without one keeps its price. Other options are unchanged.
    """
    if not share or cloud.empty:
        return cloud
    key = ["provider", "region", "gpu"]
    on_demand = cloud[cloud["pricing"] == "on_demand"].drop_duplicates(key).set_index(key)["usd_per_gpu_hour"]
    od = on_demand.reindex(pd.MultiIndex.from_frame(cloud[key])).to_numpy(dtype=float)
    price = cloud["usd_per_gpu_hour"].to_numpy(dtype=float)
    spot = (cloud["pricing"] == "spot").to_numpy() & np.isfinite(od) & (od > price)
    return cloud.assign(usd_per_gpu_hour=np.where(spot, price + share * (od - price), price))


def totals(inputs: Inputs) -> tuple[float, np.ndarray]:
    """(owned total, each cloud option's total) over the horizon on the inputs' basis [USD]."""
    owned = _owned_arrays(inputs.server, inputs.demand, inputs.utilisation, inputs.whole_servers, inputs.basis)
    clouds = np.array([_cloud_arrays(option, inputs.demand, owned["fleet_servers"], inputs.server.gpu_count,
                                     inputs.basis)["basis_cost_usd"].sum()
                       for _, option in inputs.cloud.reset_index(drop=True).iterrows()])
    return float(owned["basis_usd"].sum()), clouds


def sensitivity(inputs: Inputs, ranges: Sequence[Range] | None = None) -> pd.DataFrame:
    """Tornado: owned and cheapest-cloud totals with each input at its low and high, the rest central.

    The cloud column follows the option cheapest at the central inputs. Columns: input, unit, low, central,
    high, tco_usd_low, tco_usd_central, tco_usd_high (owned), cloud_usd_low, cloud_usd_high, ratio_low,
    ratio_high (cloud / owned), swing_usd (|owned high − low|), flips (the verdict changes within the range),
    source; sorted by the swing of the ratio, largest first.
    """
    owned_central, clouds = totals(inputs)
    best = int(np.nanargmin(clouds)) if len(clouds) and np.isfinite(clouds).any() else None
    cloud_central = float(clouds[best]) if best is not None else math.nan
    rows = []
    for r in ranges if ranges is not None else default_ranges():
        central = _central(inputs, r)
        results = []
        for bound in (r.low, r.high):
            owned, cloud = totals(_with(inputs, r, bound))
            results.append((owned, float(cloud[best]) if best is not None else math.nan))
        scale = central if r.factor and r.name not in ("demand", "cloud_price") else 1.0
        ratios = [c / o if o else math.nan for o, c in results]
        central_cheaper = owned_central <= cloud_central
        rows.append({"input": r.name, "unit": r.unit, "low": scale * r.low, "central": central, "high": scale * r.high,
                     "tco_usd_low": results[0][0], "tco_usd_central": owned_central, "tco_usd_high": results[1][0],
                     "cloud_usd_low": results[0][1], "cloud_usd_high": results[1][1],
                     "ratio_low": ratios[0], "ratio_high": ratios[1],
                     "swing_usd": abs(results[1][0] - results[0][0]),
                     "flips": any((o <= c) != central_cheaper for o, c in results if not math.isnan(c)),
                     "source": r.source})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    swing = (table["ratio_high"] - table["ratio_low"]).abs().fillna(0.0)
    return table.assign(_swing=swing).sort_values(["_swing", "swing_usd"], ascending=False, kind="mergesort") \
        .drop(columns="_swing").reset_index(drop=True)


def monte_carlo(inputs: Inputs, draws: int, seed: int = 0, ranges: Sequence[Range] | None = None) -> pd.DataFrame:
    """Seeded draws of every range at once: owned vs the centrally cheapest cloud option per draw.

    Each input is drawn from a triangular distribution (low, central, high) on its own random stream
    (``numpy.random.SeedSequence(seed).spawn``), so adding an input never changes another's draws.
    Columns: draw, one per input, owned_usd, cloud_usd, owning_cheaper.
    """
    ranges = tuple(ranges if ranges is not None else default_ranges())
    _, clouds = totals(inputs)
    if not len(clouds) or not np.isfinite(clouds).any():
        return pd.DataFrame()
    best = int(np.nanargmin(clouds))
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(ranges))]
    values = {}
    for r, rng in zip(ranges, streams, strict=True):
        central = 1.0 if r.factor else _central(inputs, r)
        low, high = min(r.low, central), max(r.high, central)
        values[r.name] = rng.triangular(low, central, high, draws) if high > low else np.full(draws, central)
    rows = []
    for i in range(int(draws)):
        drawn = inputs
        for r in ranges:
            drawn = _with(drawn, r, float(values[r.name][i]))
        owned, cloud = totals(drawn)
        rows.append({"draw": i, **{r.name: float(values[r.name][i]) for r in ranges}, "owned_usd": owned,
                     "cloud_usd": float(cloud[best]), "owning_cheaper": owned <= float(cloud[best])})
    return pd.DataFrame(rows)


# --- the plan ---------------------------------------------------------------------------------------------

def plan(server: OwnedServer, demand_gpu_hours: Sequence[float] | np.ndarray, cloud: pd.DataFrame, *,
         utilisation: float, whole_servers: bool = True, job_gpus: float | None = None,
         mean_job_hours: float | None = None, assumptions: tuple[Assumption, ...] = (),
         ranges: Sequence[Range] | None = None, notes: tuple[str, ...] = (), basis: Basis | None = None,
         growth: float = 0.0, peak_month_factor: float = 1.0, job_length_cv: float = 1.0,
         monte_carlo_draws: int = 0, seed: int = 0, largest_job_gpus: float | None = None) -> Plan:
    """A procurement plan: owning ``server``s for a yearly demand vs each cloud option, on one basis.

    server : the owned server and its site (its ``utilisation`` is replaced by ``utilisation``)
    demand_gpu_hours : GPU-hours per year on the server's GPU [GPU·h], one entry per year of the horizon
    cloud : one row per option, columns ``CLOUD_COLUMNS`` (built by ``planner.api.procurement_plan``)
    utilisation : target utilisation of the owned cluster, in (0, 1) [-]
    whole_servers : round servers up to whole ones (False: fractional, as Strubell et al. 2019)
    job_gpus : GPUs a typical job holds, for the queue (default: a whole server) [-]; largest_job_gpus : the
      largest job's GPUs: larger than the fleet is a visible WARNING note (it can never start)
    mean_job_hours : mean job length, to state the queue wait in hours [h]
    basis : the cost basis (``Basis``); growth : the demand's yearly growth (for the tornado)
    peak_month_factor : the peak month's load over the annual average [-]; job_length_cv : coefficient of
      variation of job lengths (Allen–Cunneen) [-]; monte_carlo_draws, seed : the procurement Monte Carlo

    Tables: ``years`` (demand, sizing, queue at average and peak load), ``tco`` (``owned_tco``), ``cloud``
    (``cloud_by_year``), ``breakeven`` (``breakeven_table``), ``sensitivity``, ``monte_carlo``, ``carbon``,
    ``summary`` (one row per way on the basis, with cash, NPV and EAC beside), ``bases`` (the verdict under
    every view × money basis).
    """
    basis = basis or Basis()
    demand = validated_demand(demand_gpu_hours)
    u = target_utilisation(utilisation)
    server = replace(server, utilisation=u)
    whole_lifetime(server.lifetime_years)
    job = float(server.gpu_count) if job_gpus is None else positive("job_gpus", job_gpus)
    if mean_job_hours is not None:
        positive("mean_job_hours", mean_job_hours, "h")
    at_least_one("peak_month_factor", peak_month_factor)
    non_negative("job_length_cv", job_length_cv)
    for row in cloud.itertuples():
        positive(f"throughput_ratio ({row.option})", row.throughput_ratio)
        non_negative(f"overhead_fraction ({row.option})", row.overhead_fraction)

    owned = _owned_arrays(server, demand, u, whole_servers, basis)
    tco = pd.DataFrame(owned)
    fleet_gpus = tco["fleet_servers"].to_numpy() * server.gpu_count
    if fleet_gpus.max(initial=0) > MAX_FLEET_GPUS:  # beyond any cluster built; the queue model is O(GPUs)
        year = int(np.argmax(fleet_gpus > MAX_FLEET_GPUS)) + 1
        raise PlanError(f"demand_gpu_hours: year {year} needs {fleet_gpus[year - 1]:,.0f} GPUs, more than "
                        f"{MAX_FLEET_GPUS:,}; check the demand and growth")
    queue = queue_table(demand, tco["fleet_servers"].to_numpy(), server.gpu_count, job, mean_job_hours,
                        peak_month_factor, job_length_cv, largest_job_gpus)
    short = queue.index[(queue["queue_slots"] < 1) & (demand > 0)]
    if len(short):
        year = int(short[0]) + 1
        gpus = float(tco["fleet_servers"].iloc[year - 1]) * server.gpu_count
        raise PlanError(f"job_gpus {job:g}: more GPUs than the cluster has in year {year} ({gpus:g}); such a job "
                        "can never start (give job_gpus at most the fleet's GPUs)")
    largest = job if largest_job_gpus is None else max(job, float(largest_job_gpus))
    years = pd.concat([pd.DataFrame({"year": tco["year"], "demand_gpu_hours": demand}),
                       tco[["servers_needed", "servers_bought", "fleet_servers"]], queue], axis=1)
    cloud_years = cloud_by_year(cloud, demand, tco["fleet_servers"].to_numpy(), server.gpu_count, basis)
    breakeven = breakeven_table(server, cloud, cloud_years, owned, demand, basis)
    priced = cloud_years[cloud_years["cost_usd"].notna()]
    cloud_carbon = priced.assign(co2e_kg=priced["operational_co2e_kg"] + priced["embodied_co2e_kg"])
    carbon = pd.concat([owned_carbon(server, tco),
                        cloud_carbon[["option", "year", "energy_kwh", "operational_co2e_kg", "embodied_co2e_kg",
                                      "co2e_kg"]]], ignore_index=True)
    inputs = Inputs(server, demand, cloud, u, whole_servers, basis, growth)
    bases = bases_table(inputs)
    summary = _summary(tco, breakeven, carbon, demand, inputs)
    extra = tuple(f"{row.option}: {row.note}" for row in cloud.itertuples() if pd.isna(row.usd_per_gpu_hour))
    extra += (f"cost basis: {basis.describe()}",
              f"idle power {server.idle_power_w:,.0f} W per server (busy {server.power_w:,.0f} W) is charged for the "
              f"{float(tco['idle_gpu_hours'].sum()):,.0f} idle GPU-hours of the horizon, in cost and CO2e")
    too_big = years.loc[~years["job_fits"], "year"].tolist()
    if too_big:
        extra += (f"WARNING: a {largest:g}-GPU job is larger than the fleet in year(s) {', '.join(map(str, too_big))} "
                  f"({', '.join(f'{f:g}' for f in years.loc[~years['job_fits'], 'fleet_servers'])} servers of "
                  f"{server.gpu_count} GPUs): it can never start there; raise the fleet or split the job",)
    if peak_month_factor > 1 and (years["peak_month_utilisation"] >= 1).any():
        extra += (f"WARNING: at the peak month's load (x{peak_month_factor:g}) demand exceeds capacity in year(s) "
                  f"{', '.join(map(str, years.loc[years['peak_month_utilisation'] >= 1, 'year']))}: the queue grows "
                  "without bound that month",)
    best = _best_option(breakeven)
    if best and str(breakeven.set_index("option").at[best, "pricing"]) == "spot":
        peak_gpus = float(np.max(demand / HOURS_PER_YEAR))
        extra += (f"the cheapest option, {best}, is spot: it assumes about {peak_gpus:,.0f} GPUs of spot capacity on "
                  "average, every hour of every year, with rework at the spot model's rate; spot capacity is not "
                  "guaranteed, so price the on-demand or committed fallback beside it",)
    draws = monte_carlo(inputs, monte_carlo_draws, seed, ranges) if monte_carlo_draws else pd.DataFrame()
    if len(draws):
        extra += (f"Monte Carlo ({len(draws)} draws, seed {seed}): P(owning is cheaper than "
                  f"{_best_option(breakeven)}) = {draws['owning_cheaper'].mean():.0%}",)
    basis_rows = basis.assumptions() + (Assumption("peak_month_factor", peak_month_factor, "x annual load",
                                                   defaults.PEAK_MONTH_FACTOR.source if peak_month_factor == 1
                                                   else "user input", ""),
                                        Assumption("job_length_cv", job_length_cv, "",
                                                   defaults.JOB_LENGTH_CV.source if job_length_cv == 1
                                                   else "user input", ""))
    return Plan(years, tco, cloud_years, breakeven, sensitivity(inputs, ranges), carbon, summary,
                assumptions + basis_rows, notes + extra, basis, bases, draws)


def at_least_one(field_name: str, value: float) -> float:
    """A factor >= 1 (a peak over an average)."""
    number = non_negative(field_name, value)
    if number < 1:
        raise PlanError(f"{field_name} {number:g}: must be >= 1 (the peak month over the annual average)")
    return number


def _best_option(breakeven: pd.DataFrame) -> str:
    priced = breakeven.dropna(subset=["cloud_total_usd"])
    if priced.empty:
        return ""
    return str(priced.sort_values("cloud_total_usd", kind="mergesort").iloc[0]["option"])


def bases_table(inputs: Inputs) -> pd.DataFrame:
    """The answer under every view and money basis (the README's table): owned, cheapest cloud, ratio, verdict.

    Columns: view, money, residual, fa_rate, owned_usd, cheapest_cloud, cloud_usd, cloud_vs_owned, verdict.
    """
    rows = []
    names = inputs.cloud["option"].tolist()
    for view_name in owned_cost.COST_VIEWS:
        for money_name in owned_cost.MONEY_BASES:
            basis = replace(inputs.basis, view=view_name, money=money_name)
            owned, clouds = totals(replace(inputs, basis=basis))
            priced = [(c, n) for c, n in zip(clouds, names, strict=True) if not math.isnan(c)]
            best_cost, best_name = min(priced) if priced else (math.nan, "")
            rows.append({"view": view_name, "money": money_name,
                         "residual": "credited" if basis.credit_residual and view_name == "institution" else "none",
                         "fa_rate": basis.fa_rate, "owned_usd": owned, "cheapest_cloud": best_name,
                         "cloud_usd": best_cost, "cloud_vs_owned": best_cost / owned if owned else math.nan,
                         "verdict": ("no cloud option priced" if not priced else
                                     "owning is cheaper" if owned <= best_cost else "cloud is cheaper")})
    return pd.DataFrame(rows)


def headline(result: Plan) -> str:
    """One sentence on the plan's basis: the owned total, the cheapest priced cloud option and which is cheaper."""
    owned = result.summary.iloc[0]
    years = len(result.years)
    bought = float(result.years["servers_bought"].sum())
    text = (f"On the basis {result.basis.describe()}: owning {bought:g} servers bought over {years} "
            f"year{'s' if years > 1 else ''} (peak fleet {result.years['fleet_servers'].max():g}) costs "
            f"{owned.total_usd:,.0f} USD and emits {owned.co2e_kg / 1000:,.1f} t CO2e")
    priced = result.summary.iloc[1:].dropna(subset=["total_usd"])
    if priced.empty:
        return text + "; no cloud option priced."
    best = priced.sort_values("total_usd", kind="mergesort").iloc[0]
    cheaper = "owning is cheaper" if owned.total_usd <= best.total_usd else "the cloud is cheaper"
    return (text + f". Cheapest cloud: {best.option}, {best.total_usd:,.0f} USD ({best.cost_vs_owned:.2f} x owned), "
            f"{best.co2e_kg / 1000:,.1f} t CO2e: {cheaper}.")


def _summary(tco: pd.DataFrame, breakeven: pd.DataFrame, carbon: pd.DataFrame, demand: np.ndarray,
             inputs: Inputs) -> pd.DataFrame:
    """One row per way on the plan's basis, with the institution view's cash, NPV and EAC beside it."""
    total_demand = float(demand.sum())
    horizon_years = len(demand)
    institution = replace(inputs.basis, view="institution")
    cash_owned, cash_clouds = totals(replace(inputs, basis=replace(institution, money="cash")))
    npv_owned, npv_clouds = totals(replace(inputs, basis=replace(institution, money="npv")))
    grant_owned, grant_clouds = totals(replace(inputs, basis=replace(inputs.basis, view="grant")))
    crf = float(owned_cost.capital_recovery_factor(inputs.basis.discount_rate, horizon_years))
    owned_total = float(tco["basis_usd"].sum())
    co2 = carbon.groupby("option", sort=False)["co2e_kg"].sum()
    rows = [{"option": "owned", "pricing": "owned", "total_usd": owned_total,
             "usd_per_gpu_hour": owned_total / total_demand, "co2e_kg": float(co2["owned"]), "cost_vs_owned": 1.0,
             "cash_usd": cash_owned, "npv_usd": npv_owned, "eac_usd": npv_owned * crf, "grant_usd": grant_owned,
             "breakeven_utilisation": math.nan, "breakeven_year": math.nan, "verdict": ""}]
    for i, row in enumerate(breakeven.itertuples()):
        total = row.cloud_total_usd
        rows.append({"option": row.option, "pricing": row.pricing, "total_usd": total,
                     "usd_per_gpu_hour": total / total_demand, "co2e_kg": float(co2.get(row.option, math.nan)),
                     "cost_vs_owned": total / owned_total if owned_total else math.nan,
                     "cash_usd": float(cash_clouds[i]), "npv_usd": float(npv_clouds[i]),
                     "eac_usd": float(npv_clouds[i]) * crf, "grant_usd": float(grant_clouds[i]),
                     "breakeven_utilisation": row.breakeven_utilisation, "breakeven_year": row.breakeven_year,
                     "verdict": row.verdict})
    # Every row says its basis, so a CSV or JSON summary read alone still states it.
    return pd.DataFrame(rows).assign(basis=inputs.basis.describe())
