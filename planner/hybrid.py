"""Own the base, rent the peaks: the mix of owned servers and cloud that costs (or emits) least for a demand.

For each candidate owned fleet size ``N = 0 … N_all`` (``N_all``: the smallest fleet that serves every
month on its own) the horizon is simulated month by month (``HOURS_PER_MONTH`` = 730 h):

- **Owned first.** A server is up a share ``a`` of the hours (availability); the fleet serves
  ``S_m = min(D_m, ρ_cap · N · n · 730 · a)`` [GPU·h], ``ρ_cap`` the highest load the owned queue may
  carry: the plan's utilisation cap, or, given a maximum queue wait ``W`` and a mean job length ``T``,
  the load at which the M/M/c wait (``planner.queueing``) reaches ``W`` with ``c = ⌊N · n / g⌋`` slots
  of ``g`` GPUs (bigger fleets run hotter for the same wait). The queue wait of each month is reported.
- **Overflow** ``O_m = D_m − S_m`` goes, in order, to a commitment of ``G`` cloud GPUs (paid every hour of
  the horizon, used or not), then a share ``σ`` of what is left to spot, the rest to on-demand. A cloud
  option with throughput ratio ``r`` (its GPU / the server's) and rework ``s`` (spot) bills
  ``O / r · (1 + s)`` of its GPU-hours.
- **Cash** per month: capex ``bought · C`` (network/storage included) at purchase, refresh at end of life
  (``L`` months); fixed upkeep ``N · f``; electricity ``(S · e_busy + (N · n · 730 − S) · e_idle) · p``;
  cloud ``GPU·h · price`` and the commitment; F&A ``φ`` on every cloud dollar (equipment is exempt from
  modified total direct costs, 2 CFR 200.1); at the end a resale credit ``ρ_resale · C · max(0, 1 − age/L)``
  per server. **NPV**: month ``m`` (0 = the first) discounted by ``(1 + i)^(−m/12)``, the resale at the end.
- **CO2e**: owned operational ``E · I_site``, owned embodied by time share (``E_server · server-months / L``,
  the Software Carbon Intensity spec's rule); cloud ``GPU·h · kWh/GPU·h · I_region`` + its amortised
  embodied CO2e per GPU-hour (used hours; a commitment's idle hours are the provider's).

The answer: the fleet that minimises cost (NPV or cash), the one that minimises CO2e, the one that minimises
``cost + carbon price · t CO2e``, each beside all-cloud (``N = 0``) and all-owned (``N_all``), under a capex
budget, the wait cap and a minimum on-premises share. Procurement timing compares buying the fleet in
year 1 with staging: each year's best fleet on its own (capital charged as its annuity
``C · CRF(i, L)``), never shrinking, bought when needed.

Pure: arrays and small dataclasses in, DataFrames out. The owned side arrives as ``OwnedCosts`` (per
server, per server-month, per GPU-hour), so the ownership model behind it can change without this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.defaults import Assumption
from planner.demand import HOURS_PER_MONTH, MONTHS_PER_YEAR, validated_months
from planner.errors import PlanError, between, choice, fraction, non_negative, positive
from planner.owned_cost import COST_VIEWS, MONEY_BASES, book_value_fraction, staff_fte
from planner.ownership import OwnedServer, capex_usd, energy_kwh_per_gpu_hour
from planner.queueing import mean_wait_job_lengths

BASES = MONEY_BASES
OVERFLOW_OPTIONS = ("commitment", "spot", "on_demand")
#: No fleet above this many servers is searched (a demand that needs more is an error, not a long wait).
MAX_FLEET = 5000


@dataclass(frozen=True)
class OwnedCosts:
    """What one owned server costs and emits, in the units the month-by-month simulation uses.

    gpus_per_server [-]; capex_usd : purchase with network/storage, paid when bought [USD/server]
    fixed_usd_per_month : upkeep a grant's direct costs carry (maintenance contract, a flat staff share), busy or
    not [USD/server-month]; facility_usd_per_month : space, power and cooling capital or colocation, busy or not
    [USD/server-month] (recovered through F&A, so not in a grant budget)
    staff_fte_base, staff_fte_per_server, staff_free_servers, staff_usd_per_fte_year : the cluster's staff,
    ``FTE(N) = base + per_server · max(0, N − free)`` at a loaded salary (``owned_cost.staff_fte``)
    busy_kwh_per_gpu_hour, idle_kwh_per_gpu_hour : grid energy of a busy / idle GPU-hour, PUE included [kWh]
    electricity_usd_per_kwh [USD/kWh]; grid_gco2e_per_kwh : the site's grid [g/kWh]
    embodied_kg : manufacturing CO2e [kg/server]; lifetime_months : service life, refreshed after [months]
    resale_fraction : salvage share [-]; credit_residual : credit the book value left at the end (straight line
    from the price to the salvage over the life, ``owned_cost.book_value_fraction``), else only
    ``resale_fraction`` of the straight-line remaining value
    availability : share of hours a server is up to run jobs [-]
    """

    gpus_per_server: int
    capex_usd: float
    fixed_usd_per_month: float
    busy_kwh_per_gpu_hour: float
    idle_kwh_per_gpu_hour: float
    electricity_usd_per_kwh: float
    grid_gco2e_per_kwh: float
    embodied_kg: float
    lifetime_months: int
    resale_fraction: float = 0.0
    availability: float = 1.0
    facility_usd_per_month: float = 0.0
    staff_fte_base: float = 0.0
    staff_fte_per_server: float = 0.0
    staff_free_servers: float = 50.0
    staff_usd_per_fte_year: float = 0.0
    credit_residual: bool = False

    def __post_init__(self) -> None:
        positive("gpus_per_server", self.gpus_per_server)
        non_negative("capex_usd", self.capex_usd, "USD")
        for name in ("fixed_usd_per_month", "busy_kwh_per_gpu_hour", "idle_kwh_per_gpu_hour",
                     "electricity_usd_per_kwh", "grid_gco2e_per_kwh", "embodied_kg", "facility_usd_per_month",
                     "staff_fte_base", "staff_fte_per_server", "staff_free_servers", "staff_usd_per_fte_year"):
            non_negative(name, getattr(self, name))
        if self.lifetime_months < 1 or self.lifetime_months != int(self.lifetime_months):
            raise PlanError(f"lifetime_months {self.lifetime_months}: must be a whole number of months >= 1")
        if not 0 <= self.resale_fraction < 1:
            raise PlanError(f"resale_fraction {self.resale_fraction:g}: must be in [0, 1)")
        fraction("availability", self.availability)


@dataclass(frozen=True)
class CloudChoice:
    """One cloud option the overflow may use (a row of ``procurement.CLOUD_COLUMNS``).

    usd_per_gpu_hour : price of one of its GPU-hours [USD]; throughput_ratio : its GPU / the server's [-]
    overhead_fraction : extra GPU-hours for spot rework [-]; kwh_per_gpu_hour : grid energy, PUE included
    [kWh]; grid_gco2e_per_kwh [g/kWh]; embodied_kg_per_gpu_hour [kg]
    """

    option: str
    pricing: str
    usd_per_gpu_hour: float
    throughput_ratio: float = 1.0
    overhead_fraction: float = 0.0
    kwh_per_gpu_hour: float = 0.0
    grid_gco2e_per_kwh: float = 0.0
    embodied_kg_per_gpu_hour: float = 0.0

    def __post_init__(self) -> None:
        positive(f"usd_per_gpu_hour ({self.option})", self.usd_per_gpu_hour, "USD")
        positive(f"throughput_ratio ({self.option})", self.throughput_ratio)
        non_negative(f"overhead_fraction ({self.option})", self.overhead_fraction)

    @classmethod
    def from_row(cls, row: pd.Series) -> CloudChoice:
        """From a row of a procurement cloud-options table."""
        return cls(str(row["option"]), str(row["pricing"]), float(row["usd_per_gpu_hour"]),
                   float(row["throughput_ratio"]), float(row["overhead_fraction"]), float(row["kwh_per_gpu_hour"]),
                   float(row["grid_gco2e_per_kwh"]), float(row["embodied_kg_per_gpu_hour"]))

    def gpu_hours(self, server_gpu_hours: np.ndarray) -> np.ndarray:
        """Its GPU-hours for work of ``server_gpu_hours`` on the server's GPU: ``W / r · (1 + s)``."""
        return server_gpu_hours / self.throughput_ratio * (1.0 + self.overhead_fraction)


@dataclass(frozen=True)
class Overflow:
    """Where demand the owned fleet does not serve goes: a commitment, then spot (a share), then on-demand.

    commitment_gpus : cloud GPUs committed for the whole horizon [GPUs]; spot_share : share of the overflow
    left after the commitment that spot capacity carries [-]; fa_rate : F&A (indirect cost) rate on cloud [-]
    """

    on_demand: CloudChoice
    spot: CloudChoice | None = None
    spot_share: float = 0.0
    commitment: CloudChoice | None = None
    commitment_gpus: float = 0.0
    fa_rate: float = 0.0

    def __post_init__(self) -> None:
        between("spot_share", self.spot_share, 0.0, 1.0)
        non_negative("commitment_gpus", self.commitment_gpus, "GPUs")
        between("fa_rate", self.fa_rate, 0.0, 2.0)
        if self.spot_share > 0 and self.spot is None:
            raise PlanError("spot_share: > 0 but no spot option chosen; add a spot cloud option or set spot_share 0")
        if self.commitment_gpus > 0 and self.commitment is None:
            raise PlanError("commitment_gpus: > 0 but no commitment option chosen (a reserved price)")


@dataclass(frozen=True)
class Policy:
    """The owned queue, the constraints and the objective.

    utilisation_cap : highest load the owned fleet carries when no maximum wait is given, in (0, 1] [-]
    max_wait_hours : longest mean M/M/c queue wait allowed on the owned part [h] (needs mean_job_hours)
    mean_job_hours [h]; job_gpus : GPUs one job holds (default a whole server)
    capex_budget_usd : cap on capex paid over the horizon [USD]; min_on_premises_share : of the demand [-]
    discount_rate : per year, for NPV [-]; carbon_price_usd_per_t [USD/t CO2e]; basis : 'npv' or 'cash'
    view : 'institution' (full cost; F&A is an internal transfer, not counted) or 'grant' (what an award pays:
    F&A on cloud and the other MTDC items, upkeep and staff; equipment exempt; electricity and facility not carried)
    cloud_price_trend_pct_per_year : cloud prices change by this much a year [%/yr]
    hardware_price_performance_pct_per_year : a server bought later costs this much less per year [%/yr]
    """

    utilisation_cap: float = 0.6
    max_wait_hours: float | None = None
    mean_job_hours: float | None = None
    job_gpus: float | None = None
    capex_budget_usd: float | None = None
    min_on_premises_share: float = 0.0
    discount_rate: float = 0.0
    carbon_price_usd_per_t: float = 0.0
    basis: str = "npv"
    view: str = "institution"
    cloud_price_trend_pct_per_year: float = 0.0
    hardware_price_performance_pct_per_year: float = 0.0

    def __post_init__(self) -> None:
        fraction("utilisation_cap", self.utilisation_cap)
        if self.max_wait_hours is not None:
            positive("max_wait_hours", self.max_wait_hours, "h")
            if self.mean_job_hours is None:
                raise PlanError("max_wait_hours: needs mean_job_hours (the wait is stated in job lengths)")
        if self.mean_job_hours is not None:
            positive("mean_job_hours", self.mean_job_hours, "h")
        if self.job_gpus is not None:
            positive("job_gpus", self.job_gpus)
        if self.capex_budget_usd is not None:
            non_negative("capex_budget_usd", self.capex_budget_usd, "USD")
        between("min_on_premises_share", self.min_on_premises_share, 0.0, 1.0)
        between("discount_rate", self.discount_rate, 0.0, 1.0)
        non_negative("carbon_price_usd_per_t", self.carbon_price_usd_per_t, "USD/t")
        choice("basis", self.basis, BASES)
        choice("view", self.view, COST_VIEWS)
        between("cloud_price_trend_pct_per_year", self.cloud_price_trend_pct_per_year, -90.0, 100.0)
        between("hardware_price_performance_pct_per_year", self.hardware_price_performance_pct_per_year, 0.0, 90.0)

    def cloud_factors(self, months: int) -> np.ndarray:
        """Cloud price in month m relative to today: ``(1 + t/100)^(m/12)`` [-]."""
        return (1.0 + self.cloud_price_trend_pct_per_year / 100.0) ** (np.arange(months) / MONTHS_PER_YEAR)

    def hardware_factors(self, months: int) -> np.ndarray:
        """Server price bought in month m relative to today: ``(1 − h/100)^(m/12)`` [-]."""
        return (1.0 - self.hardware_price_performance_pct_per_year / 100.0) ** (np.arange(months) / MONTHS_PER_YEAR)


def owned_costs(server: OwnedServer, availability: float = 1.0) -> OwnedCosts:
    """``OwnedCosts`` from the ownership model's server (``planner.owned_cost`` conventions).

    ``C = P · (1 + o/100)``; ``f = (P · m/100 + staff flat) / 12``; facility ``(facility $/kW-yr + 12 · hosting)
    · P_busy / 1000 / 12``; ``e_busy = PUE · P_busy / n / 1000``, ``e_idle = PUE · P_idle / n / 1000``; the
    cluster's staff by ``owned_cost.staff_fte`` at the fleet's size; lifetime in whole months (``round(12 · L)``).
    """
    kw = server.power_w / 1000.0
    return OwnedCosts(
        gpus_per_server=server.gpu_count,
        capex_usd=float(capex_usd(server.price_usd, server.overhead_pct_of_capex)),
        fixed_usd_per_month=(server.price_usd * server.maintenance_pct_per_year / 100.0
                             + server.staff_usd_per_server_year) / MONTHS_PER_YEAR,
        busy_kwh_per_gpu_hour=float(energy_kwh_per_gpu_hour(server.power_w, server.gpu_count, server.pue)),
        idle_kwh_per_gpu_hour=float(energy_kwh_per_gpu_hour(server.idle_power_w, server.gpu_count, server.pue)),
        electricity_usd_per_kwh=server.electricity_usd_per_kwh, grid_gco2e_per_kwh=server.grid_gco2e_per_kwh,
        embodied_kg=server.embodied_kg, lifetime_months=max(1, round(server.lifetime_years * MONTHS_PER_YEAR)),
        resale_fraction=server.resale_fraction, availability=availability,
        facility_usd_per_month=(server.facility_usd_per_kw_year + 12.0 * server.hosting_usd_per_kw_month) * kw
        / MONTHS_PER_YEAR,
        staff_fte_base=server.staff_fte_base, staff_fte_per_server=server.staff_fte_per_server,
        staff_free_servers=server.staff_free_servers, staff_usd_per_fte_year=server.staff_usd_per_fte_year,
        credit_residual=server.credit_residual)


# --- queue --------------------------------------------------------------------------------------------------

def utilisation_for_wait(slots: np.ndarray, wait_job_lengths: float, iterations: int = 60) -> np.ndarray:
    """Highest load ρ whose M/M/c mean wait is at most ``wait_job_lengths`` mean job lengths [-].

    ``W_q / S = C(c, ρc) / (c · (1 − ρ))`` rises from 0 to ∞ on ρ ∈ [0, 1): bisection, per distinct ``c``.
    0 where there is no slot (``c < 1``).
    """
    slots = np.floor(np.asarray(slots, dtype=float))
    unique = np.unique(slots)
    low, high = np.zeros(len(unique)), np.ones(len(unique))
    for _ in range(iterations):
        mid = (low + high) / 2.0
        ok = mean_wait_job_lengths(unique, mid) <= wait_job_lengths
        low, high = np.where(ok, mid, low), np.where(ok, high, mid)
    rho = np.where(unique >= 1, low, 0.0)
    return rho[np.searchsorted(unique, slots)]


# --- fleets -------------------------------------------------------------------------------------------------

def cohort_schedule(needed: np.ndarray, lifetime_months: int) -> tuple[np.ndarray, np.ndarray]:
    """(servers bought, servers in service) per month for a needed fleet per month, with refresh.

    needed : (fleets, months). A cohort bought in month b serves months b … b + L − 1; surviving servers in
    month m are those bought in m − L + 1 … m − 1, ``bought_m = max(0, needed_m − surviving_m)``.
    """
    needed = np.atleast_2d(np.asarray(needed, dtype=float))
    bought = np.zeros_like(needed)
    for m in range(needed.shape[1]):
        surviving = bought[:, max(0, m - lifetime_months + 1):m].sum(axis=1)
        bought[:, m] = np.maximum(0.0, needed[:, m] - surviving)
    cumulative = np.cumsum(bought, axis=1)
    retired = np.zeros_like(cumulative)
    retired[:, lifetime_months:] = cumulative[:, :-lifetime_months] if needed.shape[1] > lifetime_months else 0.0
    return bought, cumulative - retired


def discount_factors(months: int, rate: float) -> np.ndarray:
    """``(1 + i)^(−m/12)`` for m = 0 … months (the last: the end of the horizon) [-]."""
    return (1.0 + rate) ** (-np.arange(months + 1) / MONTHS_PER_YEAR)


def capital_recovery_factor(rate: float, years: float) -> float:
    """``CRF = i (1 + i)^L / ((1 + i)^L − 1)``; ``1 / L`` at i = 0 [1/year]."""
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


# --- the month-by-month simulation --------------------------------------------------------------------------

def simulate(demand: np.ndarray, fleet: np.ndarray, bought: np.ndarray, owned: OwnedCosts, overflow: Overflow,
             policy: Policy) -> dict[str, np.ndarray]:
    """Every quantity of the horizon per fleet and month (arrays of shape (fleets, months)).

    demand : GPU-hours per month on the server's GPU; fleet, bought : servers in service / bought per month.
    Keys: capacity, served, utilisation (of installed GPU-hours), queue_load (of available), wait_job_lengths,
    overflow (server GPU-hours), gpu_hours_<option> (its GPU-hours), capex_usd, fixed_usd, electricity_usd,
    <option>_usd, fa_usd, cash_usd, owned_energy_kwh, cloud_energy_kwh, owned_operational_kg,
    owned_embodied_kg, cloud_operational_kg, cloud_embodied_kg, cap.
    """
    demand = np.asarray(demand, dtype=float)[None, :]
    n = owned.gpus_per_server
    installed = fleet * n * HOURS_PER_MONTH
    available = installed * owned.availability
    job = float(n) if policy.job_gpus is None else float(policy.job_gpus)
    slots = np.floor(fleet * n / job + 1e-9)
    if policy.max_wait_hours is not None:
        cap = utilisation_for_wait(slots, float(policy.max_wait_hours) / float(policy.mean_job_hours))
    else:
        cap = np.where(slots >= 1, policy.utilisation_cap, 0.0)
    served = np.minimum(demand, cap * available)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.where(available > 0, served / available, 0.0)
        utilisation = np.where(installed > 0, served / installed, 0.0)
    wait = np.where(slots >= 1, mean_wait_job_lengths(slots, load), np.nan)
    rest = demand - served

    out: dict[str, np.ndarray] = {"capacity": available, "served": served, "utilisation": utilisation,
                                  "queue_load": load, "wait_job_lengths": wait, "overflow": rest, "cap": cap}
    zero = np.zeros_like(served)
    trend = policy.cloud_factors(demand.shape[1])[None, :]
    if overflow.commitment is not None and overflow.commitment_gpus > 0:
        c = overflow.commitment
        committed = overflow.commitment_gpus * HOURS_PER_MONTH
        to_commit = np.minimum(rest, committed * c.throughput_ratio / (1.0 + c.overhead_fraction))
        out["gpu_hours_commitment"] = c.gpu_hours(to_commit)
        out["commitment_usd"] = zero + committed * c.usd_per_gpu_hour * trend
        rest = rest - to_commit
    else:
        out["gpu_hours_commitment"], out["commitment_usd"] = zero, zero
    to_spot = rest * overflow.spot_share
    if overflow.spot is not None and overflow.spot_share > 0:
        out["gpu_hours_spot"] = overflow.spot.gpu_hours(to_spot)
        out["spot_usd"] = out["gpu_hours_spot"] * overflow.spot.usd_per_gpu_hour * trend
    else:
        out["gpu_hours_spot"], out["spot_usd"] = zero, zero
    out["gpu_hours_on_demand"] = overflow.on_demand.gpu_hours(rest - to_spot)
    out["on_demand_usd"] = out["gpu_hours_on_demand"] * overflow.on_demand.usd_per_gpu_hour * trend

    cloud_usd = out["commitment_usd"] + out["spot_usd"] + out["on_demand_usd"]
    energy = served * owned.busy_kwh_per_gpu_hour + np.maximum(installed - served, 0.0) * owned.idle_kwh_per_gpu_hour
    grant = policy.view == "grant"
    out["owned_energy_kwh"] = energy
    out["capex_usd"] = bought * owned.capex_usd * policy.hardware_factors(demand.shape[1])[None, :]
    out["fixed_usd"] = fleet * owned.fixed_usd_per_month
    out["staff_usd"] = staff_fte(fleet, owned.staff_fte_base, owned.staff_fte_per_server,
                                 owned.staff_free_servers) * owned.staff_usd_per_fte_year / MONTHS_PER_YEAR
    # A grant budget does not carry electricity and space: they are recovered through the F&A rate itself.
    out["facility_usd"] = zero if grant else fleet * owned.facility_usd_per_month
    out["electricity_usd"] = zero if grant else energy * owned.electricity_usd_per_kwh
    out["fa_usd"] = (cloud_usd + out["fixed_usd"] + out["staff_usd"]) * overflow.fa_rate if grant else zero
    out["cloud_usd"] = cloud_usd
    out["cash_usd"] = (out["capex_usd"] + out["fixed_usd"] + out["staff_usd"] + out["facility_usd"]
                       + out["electricity_usd"] + cloud_usd + out["fa_usd"])
    out["owned_operational_kg"] = energy * owned.grid_gco2e_per_kwh / 1000.0
    out["owned_embodied_kg"] = fleet * owned.embodied_kg / owned.lifetime_months
    cloud_kwh, cloud_op, cloud_emb = zero.copy(), zero.copy(), zero.copy()
    for name, option in (("commitment", overflow.commitment), ("spot", overflow.spot),
                         ("on_demand", overflow.on_demand)):
        if option is None:
            continue
        hours = out[f"gpu_hours_{name}"]
        cloud_kwh = cloud_kwh + hours * option.kwh_per_gpu_hour
        cloud_op = cloud_op + hours * option.kwh_per_gpu_hour * option.grid_gco2e_per_kwh / 1000.0
        cloud_emb = cloud_emb + hours * option.embodied_kg_per_gpu_hour
    out["cloud_energy_kwh"], out["cloud_operational_kg"], out["cloud_embodied_kg"] = cloud_kwh, cloud_op, cloud_emb
    return out


def residual_usd(bought: np.ndarray, owned: OwnedCosts, policy: Policy | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(book value left, residual credited) per fleet at the end of the horizon [USD].

    A server bought at the start of month b, at price ``C · h_b`` (hardware price trend), is ``H − b`` months
    old at the end of month H. Book value ``C · h_b · book_value_fraction(age, L, s)`` (straight line from the
    price to the salvage ``s``); credited in full where ``credit_residual`` (institution view), else only
    ``s`` of the straight-line remaining value ``C · h_b · max(0, 1 − age/L)``. Salvage of servers retired
    inside the horizon is credited at its end.
    """
    policy = policy or Policy()
    months = bought.shape[1]
    age = (months - np.arange(months)) / MONTHS_PER_YEAR
    life = owned.lifetime_months / MONTHS_PER_YEAR
    price = owned.capex_usd * policy.hardware_factors(months)
    book = (bought * (price * book_value_fraction(age, life, owned.resale_fraction))[None, :]).sum(axis=1)
    if owned.credit_residual and policy.view == "institution":
        return book, book
    remaining = np.clip(1.0 - age / life, 0.0, 1.0)
    return book, (bought * (price * remaining)[None, :]).sum(axis=1) * owned.resale_fraction


def totals(sim: dict[str, np.ndarray], bought: np.ndarray, owned: OwnedCosts, policy: Policy,
           demand: np.ndarray) -> pd.DataFrame:
    """One row per fleet: cost (cash and NPV), energy, CO2e, utilisation, waits, overflow per option.

    Columns: capex_usd, owned_usd (capex + upkeep + electricity − resale), cloud_usd (with the commitment),
    fa_usd, resale_usd (≤ 0), cash_usd, npv_usd, cost_usd (the plan's basis), book_value_left_usd,
    owned_energy_kwh, cloud_energy_kwh, energy_kwh, owned_co2e_kg, cloud_co2e_kg, operational_co2e_kg,
    embodied_co2e_kg, co2e_kg, cost_plus_carbon_usd, owned_gpu_hours, owned_utilisation,
    on_premises_share, max_wait_job_lengths, max_wait_hours, overflow_gpu_hours_<option> (its GPU-hours).
    """
    months = len(demand)
    factors = discount_factors(months, policy.discount_rate)
    book, resale = residual_usd(bought, owned, policy)
    cash = sim["cash_usd"].sum(axis=1) - resale
    npv = (sim["cash_usd"] * factors[None, :months]).sum(axis=1) - resale * factors[months]
    installed = sim["capacity"].sum(axis=1) / owned.availability
    served = sim["served"].sum(axis=1)
    owned_kg = sim["owned_operational_kg"].sum(axis=1) + sim["owned_embodied_kg"].sum(axis=1)
    cloud_kg = sim["cloud_operational_kg"].sum(axis=1) + sim["cloud_embodied_kg"].sum(axis=1)
    co2e = owned_kg + cloud_kg
    cost = npv if policy.basis == "npv" else cash
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(installed > 0, served / installed, np.nan)
    wait = np.nanmax(np.where(np.isnan(sim["wait_job_lengths"]), -np.inf, sim["wait_job_lengths"]), axis=1)
    wait = np.where(np.isneginf(wait), np.nan, wait)
    table = pd.DataFrame({
        "capex_usd": sim["capex_usd"].sum(axis=1),
        "owned_usd": (sim["capex_usd"] + sim["fixed_usd"] + sim["staff_usd"] + sim["facility_usd"]
                      + sim["electricity_usd"]).sum(axis=1) - resale,
        "cloud_usd": sim["cloud_usd"].sum(axis=1),
        "fa_usd": sim["fa_usd"].sum(axis=1),
        "resale_usd": -resale,
        "cash_usd": cash,
        "npv_usd": npv,
        "cost_usd": cost,
        "book_value_left_usd": book,
        "owned_energy_kwh": sim["owned_energy_kwh"].sum(axis=1),
        "cloud_energy_kwh": sim["cloud_energy_kwh"].sum(axis=1),
        "owned_co2e_kg": owned_kg,
        "cloud_co2e_kg": cloud_kg,
        "operational_co2e_kg": sim["owned_operational_kg"].sum(axis=1) + sim["cloud_operational_kg"].sum(axis=1),
        "embodied_co2e_kg": sim["owned_embodied_kg"].sum(axis=1) + sim["cloud_embodied_kg"].sum(axis=1),
        "co2e_kg": co2e,
        "cost_plus_carbon_usd": cost + co2e / 1000.0 * policy.carbon_price_usd_per_t,
        "owned_gpu_hours": served,
        "owned_utilisation": utilisation,
        "on_premises_share": served / float(np.sum(demand)),
        "max_wait_job_lengths": wait,
        "max_wait_hours": wait * policy.mean_job_hours if policy.mean_job_hours is not None else np.nan,
    })
    table.insert(table.columns.get_loc("owned_energy_kwh") + 2, "energy_kwh",
                 table["owned_energy_kwh"] + table["cloud_energy_kwh"])
    for name in OVERFLOW_OPTIONS:
        table[f"overflow_gpu_hours_{name}"] = sim[f"gpu_hours_{name}"].sum(axis=1)
    return table


def all_owned_fleet(demand: np.ndarray, owned: OwnedCosts, policy: Policy) -> int:
    """Smallest fleet that serves every month without cloud (at its availability and load cap) [servers]."""
    peak = float(np.max(demand))
    per_server = owned.gpus_per_server * HOURS_PER_MONTH * owned.availability
    n = max(1, math.ceil(peak / per_server - 1e-9))
    while n <= MAX_FLEET:
        sim = simulate(np.array([peak]), np.array([[float(n)]]), np.zeros((1, 1)), owned,
                       Overflow(CloudChoice("none", "on_demand", 1.0)), policy)
        if sim["overflow"][0, 0] <= 1e-9 * peak:
            return n
        cap = float(sim["cap"][0, 0])
        # No slot yet (a job wider than the fleet) or a low cap: step up; else jump to the cap's size.
        n = n + 1 if cap <= 0 else max(n + 1, math.ceil(peak / (per_server * cap) - 1e-9))
    raise PlanError(f"demand: the peak month ({peak:,.0f} GPU-h) needs more than {MAX_FLEET} servers "
                    "to serve on premises; check the demand's unit (GPU-hours per month)")


def curve(demand: Sequence[float] | np.ndarray, owned: OwnedCosts, overflow: Overflow, policy: Policy,
          sizes: Sequence[int] | None = None) -> pd.DataFrame:
    """Cost and CO2e of each owned fleet size bought in month 1 (``totals``' columns), with feasibility.

    sizes : fleets to evaluate (default 0 … the all-owned fleet). Adds fleet_servers, feasible and
    constraint (why a fleet is out: capex budget, on-premises share, queue wait).
    """
    demand = validated_months(demand)
    if sizes is None:
        sizes = range(all_owned_fleet(demand, owned, policy) + 1)
    fleets = np.asarray(list(sizes), dtype=float)
    needed = np.repeat(fleets[:, None], len(demand), axis=1)
    bought, fleet = cohort_schedule(needed, owned.lifetime_months)
    table = totals(simulate(demand, fleet, bought, owned, overflow, policy), bought, owned, policy, demand)
    table.insert(0, "fleet_servers", fleets.astype(int))
    return _constrained(table, policy)


def _constrained(table: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    reasons = pd.Series("", index=table.index, dtype=object)
    if policy.capex_budget_usd is not None:
        over = table["capex_usd"] > policy.capex_budget_usd * (1 + 1e-12)
        reasons[over] += f"capex above the budget {policy.capex_budget_usd:,.0f} USD; "
    short = table["on_premises_share"] < policy.min_on_premises_share - 1e-12
    reasons[short] += f"on-premises share below {policy.min_on_premises_share:.0%}; "
    if policy.max_wait_hours is not None:
        slow = table["max_wait_hours"] > policy.max_wait_hours * (1 + 1e-6)
        reasons[slow] += f"queue wait above {policy.max_wait_hours:g} h; "
    table["feasible"] = reasons == ""
    table["constraint"] = reasons.str.rstrip("; ")
    return table


# --- the answer ---------------------------------------------------------------------------------------------

OPTIMA_CHOICES = ("lowest cost", "lowest CO2e", "lowest cost + carbon price", "all cloud", "all owned")


def _argmin(values: pd.Series) -> int:
    """The first (smallest-fleet) index within a relative 1e-9 of the minimum: ties go to less capital."""
    best = float(values.min())
    return int(values.index[values <= best + abs(best) * 1e-9 + 1e-9][0])


def optima(table: pd.DataFrame) -> pd.DataFrame:
    """The three optima over the feasible fleets, beside all-cloud and all-owned (``OPTIMA_CHOICES`` order).

    Columns: choice, then every column of the curve. Raises PlanError when no fleet meets the constraints.
    """
    feasible = table[table["feasible"]]
    if feasible.empty:
        reasons = "; ".join(sorted(set("; ".join(table["constraint"]).split("; "))))
        raise PlanError(f"hybrid constraints: no fleet from 0 to {int(table['fleet_servers'].max())} servers meets "
                        f"them ({reasons}); relax capex_budget_usd, max_wait_hours or min_on_premises_share")
    picks = [_argmin(feasible["cost_usd"]), _argmin(feasible["co2e_kg"]), _argmin(feasible["cost_plus_carbon_usd"]),
             int(table.index[table["fleet_servers"] == 0][0]) if (table["fleet_servers"] == 0).any() else table.index[0],
             int(table["fleet_servers"].idxmax())]
    rows = table.loc[picks].copy()
    rows.insert(0, "choice", list(OPTIMA_CHOICES))
    return rows.reset_index(drop=True)


def month_table(demand: np.ndarray, fleet_servers: int, owned: OwnedCosts, overflow: Overflow,
                policy: Policy) -> pd.DataFrame:
    """The chosen fleet's horizon month by month: demand, owned service and queue, overflow, cash, CO2e."""
    demand = validated_months(demand)
    bought, fleet = cohort_schedule(np.full((1, len(demand)), float(fleet_servers)), owned.lifetime_months)
    sim = simulate(demand, fleet, bought, owned, overflow, policy)
    months = np.arange(1, len(demand) + 1)
    table = pd.DataFrame({
        "month": months, "year": (months - 1) // MONTHS_PER_YEAR + 1, "demand_gpu_hours": demand,
        "fleet_servers": fleet[0], "servers_bought": bought[0], "owned_gpu_hours": sim["served"][0],
        "owned_utilisation": sim["utilisation"][0], "queue_load": sim["queue_load"][0],
        "wait_job_lengths": sim["wait_job_lengths"][0],
        "wait_hours": sim["wait_job_lengths"][0] * policy.mean_job_hours if policy.mean_job_hours else np.nan,
    })
    for name in OVERFLOW_OPTIONS:
        table[f"overflow_gpu_hours_{name}"] = sim[f"gpu_hours_{name}"][0]
    for name in ("capex_usd", "fixed_usd", "staff_usd", "facility_usd", "electricity_usd", "commitment_usd",
                 "spot_usd", "on_demand_usd",
                 "fa_usd", "cash_usd"):
        table[name] = sim[name][0]
    table["co2e_kg"] = (sim["owned_operational_kg"] + sim["owned_embodied_kg"] + sim["cloud_operational_kg"]
                        + sim["cloud_embodied_kg"])[0]
    return table


# --- sensitivity --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variation:
    """One tornado input: a name, its low and high, and how to apply a value to the plan's inputs.

    apply(value) returns (owned, overflow, policy) or (owned, overflow, policy, demand by month).
    """

    name: str
    unit: str
    central: float
    low: float
    high: float
    source: str
    apply: Callable[[float], tuple]


def sensitivity(demand: np.ndarray, fleet_servers: int, variations: Sequence[Variation]) -> pd.DataFrame:
    """Tornado of the winning mix: its cost with each input at low and at high, and the best fleet then.

    Columns: input, unit, low, central, high, cost_usd_low, cost_usd_high, swing_usd, best_fleet_low,
    best_fleet_high (the lowest-cost feasible fleet when the input is at that end), source; by swing.
    """
    rows = []
    for v in variations:
        costs, best = [], []
        for value in (v.low, v.high):
            owned, overflow, policy, *varied = v.apply(value)
            months = varied[0] if varied else demand
            table = curve(months, owned, overflow, policy)
            at = table[table["fleet_servers"] == fleet_servers]
            if at.empty:  # the fleet is beyond the all-owned size at this end: evaluate it directly
                at = curve(months, owned, overflow, policy, sizes=[fleet_servers])
            costs.append(float(at["cost_usd"].iloc[0]))
            feasible = table[table["feasible"]]
            best.append(int(feasible.loc[_argmin(feasible["cost_usd"]), "fleet_servers"]) if len(feasible) else -1)
        rows.append({"input": v.name, "unit": v.unit, "low": v.low, "central": v.central, "high": v.high,
                     "cost_usd_low": costs[0], "cost_usd_high": costs[1], "swing_usd": abs(costs[1] - costs[0]),
                     "best_fleet_low": best[0], "best_fleet_high": best[1], "source": v.source})
    columns = ["input", "unit", "low", "central", "high", "cost_usd_low", "cost_usd_high", "swing_usd",
               "best_fleet_low", "best_fleet_high", "source"]
    return (pd.DataFrame(rows, columns=columns).sort_values("swing_usd", ascending=False, kind="mergesort")
            .reset_index(drop=True))


# --- procurement timing -------------------------------------------------------------------------------------

def staged_needed(demand: np.ndarray, owned: OwnedCosts, overflow: Overflow, policy: Policy) -> np.ndarray:
    """Servers in service each year on the cheapest staged schedule: a fleet that never shrinks, bought as needed.

    Dynamic programme over years ``y`` and fleet sizes ``k`` (0 … the all-owned fleet):
    ``V_y(k) = op_y(k) + min_{j ≤ k} (V_{y−1}(j) + (k − j) · b_y)``, with ``op_y(k)`` the year's upkeep,
    electricity, cloud and F&A at fleet k (discounted on the plan's basis) and ``b_y`` a server bought at the
    start of year y: ``C · d_y − C · max(0, 1 − age/L) · resale · d_end``. Ties go to buying earlier.
    Refresh inside the horizon is left to the simulation of the chosen schedule.
    """
    months = len(demand)
    years = -(-months // MONTHS_PER_YEAR)
    factors = discount_factors(months, policy.discount_rate if policy.basis == "npv" else 0.0)
    sizes = np.arange(all_owned_fleet(demand, owned, policy) + 1, dtype=float)
    fleet = np.repeat(sizes[:, None], months, axis=1)
    sim = simulate(demand, fleet, np.zeros_like(fleet), owned, overflow, policy)
    running = (sim["cash_usd"] * factors[None, :months])
    hardware = policy.hardware_factors(months)
    value = np.zeros((years, len(sizes)))
    choice_ = np.zeros((years, len(sizes)), dtype=int)
    for y in range(years):
        start = y * MONTHS_PER_YEAR
        op = running[:, start:start + MONTHS_PER_YEAR].sum(axis=1)
        one = np.zeros((1, months))
        one[0, start] = 1.0
        buy = float(residual_usd(one, owned, policy)[1][0])
        buy = owned.capex_usd * hardware[start] * factors[start] - buy * factors[months]
        if y == 0:
            value[0] = op + sizes * buy
            continue
        # paths[j, k]: come from j to k (k >= j); j > k is not allowed (no selling).
        paths = value[y - 1][:, None] + (sizes[None, :] - sizes[:, None]) * buy
        paths = np.where(sizes[:, None] <= sizes[None, :], paths, np.inf)
        best = paths.min(axis=0)
        # Ties (within 1e-9) go to the largest j: buy earlier.
        tied = paths <= best[None, :] + np.abs(best[None, :]) * 1e-9 + 1e-9
        choice_[y] = len(sizes) - 1 - np.argmax(tied[::-1], axis=0)
        value[y] = op + best
    final = value[-1]
    k = int(np.flatnonzero(final <= final.min() + abs(final.min()) * 1e-9 + 1e-9)[0])
    path = [k]
    for y in range(years - 1, 0, -1):
        k = int(choice_[y, k])
        path.append(k)
    return sizes[np.asarray(path[::-1])]


def timing(demand: np.ndarray, fleet_servers: int, owned: OwnedCosts, overflow: Overflow,
           policy: Policy) -> tuple[pd.DataFrame, str]:
    """Buy the fleet in year 1, or stage it by year: both schedules' cost, and which the plan takes and why.

    Returns (table with one row per strategy and year: strategy, year, fleet_servers, servers_bought,
    capex_usd, cash_usd, npv_usd; the strategy's horizon totals in cash_total_usd, npv_total_usd,
    co2e_total_kg, book_value_left_usd), and the verdict sentence.
    """
    demand = validated_months(demand)
    months = len(demand)
    years = -(-months // MONTHS_PER_YEAR)
    yearly = staged_needed(demand, owned, overflow, policy)
    staged = np.repeat(yearly, MONTHS_PER_YEAR)[:months]
    schedules = {"buy in year 1": np.full(months, float(fleet_servers)), "staged by year": staged}
    rows, summary = [], {}
    factors = discount_factors(months, policy.discount_rate)
    for name, needed in schedules.items():
        bought, fleet = cohort_schedule(needed[None, :], owned.lifetime_months)
        sim = simulate(demand, fleet, bought, owned, overflow, policy)
        total = totals(sim, bought, owned, policy, demand).iloc[0]
        summary[name] = total
        for y in range(years):
            sl = slice(y * MONTHS_PER_YEAR, min(months, (y + 1) * MONTHS_PER_YEAR))
            rows.append({"strategy": name, "year": y + 1, "fleet_servers": float(fleet[0, sl].max()),
                         "servers_bought": float(bought[0, sl].sum()), "capex_usd": float(sim["capex_usd"][0, sl].sum()),
                         "cash_usd": float(sim["cash_usd"][0, sl].sum()),
                         "npv_usd": float((sim["cash_usd"][0, sl] * factors[sl]).sum()),
                         "cash_total_usd": float(total["cash_usd"]), "npv_total_usd": float(total["npv_usd"]),
                         "co2e_total_kg": float(total["co2e_kg"]),
                         "book_value_left_usd": float(total["book_value_left_usd"])})
    table = pd.DataFrame(rows)
    first, stage = summary["buy in year 1"], summary["staged by year"]
    basis = _basis_label(policy)
    path = ", ".join(f"{int(v)}" for v in yearly)
    if years < 2:
        verdict = f"Buy in year 1: a one-year horizon ({fleet_servers:g} servers)."
    elif stage["cost_usd"] < first["cost_usd"] * (1 - 1e-6) - 1e-6:
        deferred = float(table.loc[(table["strategy"] == "staged by year") & (table["year"] > 1), "capex_usd"].sum())
        verdict = (f"Stage the purchases (fleet by year {path}): {stage['cost_usd']:,.0f} USD, {basis}, against "
                   f"{first['cost_usd']:,.0f} USD for {fleet_servers:g} servers in year 1; {deferred:,.0f} USD of "
                   "capex waits until demand grows into it, and the early years burst the difference"
                   + (f"; {stage['book_value_left_usd']:,.0f} USD of book value is left at the end, "
                      f"{-stage['resale_usd']:,.0f} of it credited" if stage["book_value_left_usd"] > 0 else "") + ".")
    else:
        verdict = (f"Buy in year 1: {fleet_servers:g} servers, {first['cost_usd']:,.0f} USD, {basis}; the cheapest "
                   f"year-by-year schedule (every never-shrinking fleet searched: {path}) costs "
                   f"{stage['cost_usd']:,.0f} USD. A server bought later serves fewer years of the horizon"
                   + (" (its book value left at the end is credited)." if owned.credit_residual
                      and policy.view == "institution" else
                      f" and only {owned.resale_fraction:.0%} of its remaining value comes back."))
    return table, verdict


# --- the plan -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HybridPlan:
    """A hybrid plan's tables (see ``hybrid_plan``), its one-paragraph answer and the assumptions behind it."""

    curve: pd.DataFrame
    optima: pd.DataFrame
    months: pd.DataFrame
    sensitivity: pd.DataFrame
    timing: pd.DataFrame
    answer: str
    timing_verdict: str
    assumptions: tuple[Assumption, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (for CSV), assumptions and notes included."""
        return {"hybrid_curve": self.curve, "hybrid_optima": self.optima, "hybrid_months": self.months,
                "hybrid_sensitivity": self.sensitivity, "hybrid_timing": self.timing,
                "hybrid_assumptions": pd.DataFrame([a.__dict__ for a in self.assumptions],
                                                   columns=["name", "value", "unit", "source", "as_of", "note"]),
                "hybrid_notes": pd.DataFrame({"note": [self.answer, self.timing_verdict, *self.notes]}, dtype=object)}


def _basis_label(policy: Policy) -> str:
    """How the costs are summed: 'cash', 'cash (no discounting)' (NPV at 0%) or 'NPV at r/year'."""
    if policy.basis == "cash":
        return "cash"
    return "cash (no discounting)" if policy.discount_rate == 0 else f"NPV at {policy.discount_rate:.1%}/year"


def _describe(row: pd.Series) -> str:
    label = "all cloud" if row.fleet_servers == 0 else f"own {int(row.fleet_servers)} server" + \
        ("s" if row.fleet_servers != 1 else "")
    return f"{label} ({row.cost_usd:,.0f} USD, {row.co2e_kg / 1000:,.1f} t CO2e, {row.on_premises_share:.0%} on premises)"


def answer(optimum: pd.DataFrame, policy: Policy) -> str:
    """One paragraph: the three optima, each against all-cloud and all-owned, and the cost basis."""
    by = {row.choice: row for row in optimum.itertuples()}
    cloud, owned = by["all cloud"], by["all owned"]
    return (f"Lowest cost: {_describe(by['lowest cost'])}; lowest CO2e: {_describe(by['lowest CO2e'])}; "
            f"at {policy.carbon_price_usd_per_t:,.0f} USD/t CO2e: {_describe(by['lowest cost + carbon price'])}. "
            f"Against all cloud {cloud.cost_usd:,.0f} USD, {cloud.co2e_kg / 1000:,.1f} t and all owned "
            f"({int(owned.fleet_servers)} servers) {owned.cost_usd:,.0f} USD, {owned.co2e_kg / 1000:,.1f} t. "
            f"Costs over the horizon, {_basis_label(policy)}.")


def hybrid_plan(demand: Sequence[float] | np.ndarray, owned: OwnedCosts, overflow: Overflow, policy: Policy, *,
                variations: Sequence[Variation] = (), assumptions: tuple[Assumption, ...] = (),
                notes: tuple[str, ...] = ()) -> HybridPlan:
    """The hybrid plan: the curve over fleet sizes, the optima, the winner's months, tornado and timing.

    demand : GPU-hours per month on the server's GPU [GPU·h]; owned, overflow, policy : see the classes.
    variations : the tornado's inputs (built by ``planner.api.hybrid_plan`` from the sourced ranges).
    """
    demand = validated_months(demand)
    table = curve(demand, owned, overflow, policy)
    best = optima(table)
    winner = int(best.loc[best["choice"] == "lowest cost", "fleet_servers"].iloc[0])
    months = month_table(demand, winner, owned, overflow, policy)
    when, verdict = timing(demand, winner, owned, overflow, policy)
    extra: tuple[str, ...] = ()
    if overflow.commitment is not None and overflow.commitment_gpus > 0:
        extra += (f"commitment: {overflow.commitment_gpus:g} GPUs of '{overflow.commitment.option}' paid every hour "
                  "of the horizon, filled first; its unused hours emit nothing here (the provider's)",)
    if overflow.fa_rate > 0 and policy.view == "grant":
        extra += (f"F&A {overflow.fa_rate:.0%} on cloud, upkeep and staff (MTDC items); owned equipment is exempt "
                  "(2 CFR 200.1); electricity and space are not in a grant budget",)
    elif overflow.fa_rate > 0:
        extra += (f"F&A {overflow.fa_rate:.0%}: counted in the grant view only (an internal transfer in full cost)",)
    return HybridPlan(table, best, months, sensitivity(demand, winner, variations), when,
                      answer(best, policy), verdict, assumptions, notes + extra)


def with_owned(owned: OwnedCosts, **changes: float) -> OwnedCosts:
    """``owned`` with fields replaced (for tornado variations)."""
    return replace(owned, **changes)
