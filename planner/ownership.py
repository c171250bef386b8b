"""Owned GPU servers: what an hour of their GPUs costs and emits, bought for one project or shared.

Two accounting modes (``ACCOUNTING_MODES``):

- ``dedicated``: the project buys the servers it needs, as in Strubell et al. 2019 section 4:
  capex + electricity + upkeep over the project, less any resale value.
- ``shared``: a shared cluster; the full cost of a server-year (``planner.owned_cost``: capital recovery,
  network share, facility, staff, maintenance, busy and idle electricity) over its busy GPU-hours,
  ``c = C(u) / (8760 · n_gpu · u)``.

The full-cost conventions live in ``planner.owned_cost``; with their inputs at 0 (no idle power, no
facility, no discounting) these are Strubell et al.'s formulas.

All functions are pure and broadcast over numpy arrays / pandas Series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner import owned_cost
from planner.errors import PlanError, at_least, between, choice, non_negative, positive
from planner.units import Num

ACCOUNTING_MODES = ("dedicated", "shared")
HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class OwnedServer:
    """An owned server configuration and the site it runs in.

    price_usd : purchase price [USD]; power_w : average wall power while training [W] (IT load, before PUE)
    lifetime_years [years]; utilisation : busy share of the lifetime's GPU-hours (shared mode) [-]
    pue [-]; electricity_usd_per_kwh [USD/kWh]; maintenance_pct_per_year [% of price per year]
    staff_usd_per_server_year [USD]; hosting_usd_per_kw_month [USD per kW of IT load per month]
    resale_fraction : share of the price recovered at the end (dedicated mode) [-]
    overhead_pct_of_capex : network, storage, fabric [% of price]; embodied_kg [kg CO2e per server]
    grid_gco2e_per_kwh : the site's grid intensity [g/kWh]
    idle_power_w : wall power when idle [W]; facility_usd_per_kw_year : space/power/cooling capital [USD/kW-yr]
    discount_rate : real, per year, for capital recovery [-]; staff_fte_base, staff_fte_per_server,
    staff_free_servers, staff_usd_per_fte_year : staff per cluster (``owned_cost.staff_fte``) and its loaded
    salary; cluster_servers : servers sharing that staff (shared mode) [-]
    credit_residual : a dedicated purchase is credited the book value left after the project
    """

    server: str
    gpu: str
    gpu_count: int
    price_usd: float
    power_w: float
    lifetime_years: float
    utilisation: float
    pue: float
    electricity_usd_per_kwh: float
    maintenance_pct_per_year: float
    staff_usd_per_server_year: float
    hosting_usd_per_kw_month: float
    resale_fraction: float
    overhead_pct_of_capex: float
    embodied_kg: float
    grid_gco2e_per_kwh: float
    idle_power_w: float = 0.0
    facility_usd_per_kw_year: float = 0.0
    discount_rate: float = 0.0
    staff_fte_base: float = 0.0
    staff_fte_per_server: float = 0.0
    staff_free_servers: float = 50.0
    staff_usd_per_fte_year: float = 0.0
    cluster_servers: float = 1.0
    credit_residual: bool = False

    def __post_init__(self) -> None:
        positive("gpu_count", self.gpu_count)
        positive("price_usd", self.price_usd, "USD")
        positive("power_w", self.power_w, "W")
        between("lifetime_years", self.lifetime_years, 0.25, 30.0, "years")
        between("utilisation", self.utilisation, 0.01, 1.0)
        at_least("pue", self.pue, 1.0)
        non_negative("electricity_usd_per_kwh", self.electricity_usd_per_kwh)
        non_negative("maintenance_pct_per_year", self.maintenance_pct_per_year)
        non_negative("staff_usd_per_server_year", self.staff_usd_per_server_year)
        non_negative("hosting_usd_per_kw_month", self.hosting_usd_per_kw_month)
        non_negative("overhead_pct_of_capex", self.overhead_pct_of_capex)
        non_negative("embodied_kg", self.embodied_kg)
        non_negative("grid_gco2e_per_kwh", self.grid_gco2e_per_kwh)
        non_negative("idle_power_w", self.idle_power_w, "W")
        if self.idle_power_w > self.power_w:
            raise PlanError(f"idle_power_w {self.idle_power_w:g} W: must not exceed the busy power {self.power_w:g} W")
        non_negative("facility_usd_per_kw_year", self.facility_usd_per_kw_year)
        between("discount_rate", self.discount_rate, 0.0, 1.0)
        non_negative("staff_fte_base", self.staff_fte_base)
        non_negative("staff_fte_per_server", self.staff_fte_per_server)
        non_negative("staff_usd_per_fte_year", self.staff_usd_per_fte_year)
        positive("cluster_servers", self.cluster_servers)
        if not 0 <= self.resale_fraction < 1:
            raise PlanError(f"resale_fraction {self.resale_fraction:g}: must be in [0, 1)")


def staff_share_usd_per_server_year(server: OwnedServer, servers: Num | None = None) -> Num:
    """One server's share of its cluster's staff: ``flat + salary · FTE(S) / S`` [USD/server-yr].

    servers : cluster size S (default ``server.cluster_servers``).
    """
    size = server.cluster_servers if servers is None else servers
    fte = owned_cost.staff_fte(size, server.staff_fte_base, server.staff_fte_per_server, server.staff_free_servers)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(np.asarray(size, float) > 0, server.staff_usd_per_fte_year * fte / size, 0.0)
    return server.staff_usd_per_server_year + (float(share) if np.ndim(share) == 0 else share)


def usd_per_server_year(server: OwnedServer, utilisation: Num | None = None) -> Num:
    """Full cost of owning one of these servers for a year (``owned_cost.owned_usd_per_server_year``) [USD]."""
    u = server.utilisation if utilisation is None else utilisation
    return owned_cost.owned_usd_per_server_year(
        server.price_usd, server.overhead_pct_of_capex, server.lifetime_years, server.discount_rate,
        server.resale_fraction, server.maintenance_pct_per_year, staff_share_usd_per_server_year(server),
        server.facility_usd_per_kw_year, server.hosting_usd_per_kw_month, server.power_w, server.idle_power_w, u,
        server.pue, server.electricity_usd_per_kwh)


def capex_usd(price_usd: Num, overhead_pct_of_capex: Num = 0.0) -> Num:
    """Purchase cost of one server with its share of network/storage: ``P · (1 + o/100)`` [USD]."""
    return price_usd * (1.0 + overhead_pct_of_capex / 100.0)


def fixed_opex_usd_per_year(price_usd: Num, maintenance_pct_per_year: Num, staff_usd_per_server_year: Num,
                            hosting_usd_per_kw_month: Num, power_w: Num) -> Num:
    """Upkeep of one server per year, whether busy or not [USD/year].

    ``opex = P · m/100 + staff + hosting · 12 · kW``
    """
    return (price_usd * maintenance_pct_per_year / 100.0 + staff_usd_per_server_year
            + hosting_usd_per_kw_month * 12.0 * power_w / 1000.0)


def energy_kwh_per_gpu_hour(power_w: Num, gpu_count: Num, pue: Num) -> Num:
    """Grid energy of one busy GPU-hour: ``PUE · P_server / n_gpu / 1000`` [kWh/GPU-h]."""
    return pue * power_w / gpu_count / 1000.0


def shared_usd_per_gpu_hour(server: OwnedServer) -> float:
    """Cost of one busy GPU-hour on a shared cluster [USD/GPU-h].

    ``c = C(u) / (8760 · n · u)`` with ``C(u)`` the full cost of a server-year (``usd_per_server_year``): the
    fixed costs and the idle hours' electricity are spread over busy hours only, so a lower utilisation raises
    the cost per GPU-hour.
    """
    return float(owned_cost.owned_usd_per_gpu_hour(usd_per_server_year(server), server.gpu_count,
                                                    server.utilisation))


def shared_cost_usd_per_gpu_hour(price_usd: Num, overhead_pct_of_capex: Num, resale_fraction: Num,
                                 lifetime_years: Num, maintenance_pct_per_year: Num, staff_usd_per_server_year: Num,
                                 hosting_usd_per_kw_month: Num, power_w: Num, gpu_count: Num, utilisation: Num,
                                 pue: Num, electricity_usd_per_kwh: Num, idle_power_w: Num = 0.0,
                                 facility_usd_per_kw_year: Num = 0.0, discount_rate: Num = 0.0) -> Num:
    """``shared_usd_per_gpu_hour`` over arrays (one value per server configuration) [USD/GPU-h].

    ``c = C(u) / (8760 · n · u)``, ``C(u) = K·(1 − s·(1+r)^−L)·CRF(r, L) + P·m/100 + staff
    + (facility + 12·hosting)·kW + PUE·8760·(u·W + (1 − u)·W_idle)/1000·price_kWh``; with ``r``, the idle
    power and the facility at 0: ``(P·(1 + o/100)·(1 − s)/L + opex)/(8760·n·u) + PUE·W/n/1000·price_kWh``.
    """
    per_year = owned_cost.owned_usd_per_server_year(
        price_usd, overhead_pct_of_capex, lifetime_years, discount_rate, resale_fraction, maintenance_pct_per_year,
        staff_usd_per_server_year, facility_usd_per_kw_year, hosting_usd_per_kw_month, power_w, idle_power_w,
        utilisation, pue, electricity_usd_per_kwh)
    return owned_cost.owned_usd_per_gpu_hour(per_year, gpu_count, utilisation)


def shared_kwh_per_gpu_hour(power_w: Num, idle_power_w: Num, gpu_count: Num, utilisation: Num, pue: Num) -> Num:
    """Grid energy charged to one busy GPU-hour on a shared cluster, its share of idle hours included [kWh].

    ``PUE · (W + W_idle · (1 − u) / u) / n / 1000``
    """
    return pue * (power_w + idle_power_w * (1.0 - utilisation) / utilisation) / gpu_count / 1000.0


def embodied_kg_per_gpu_hour(embodied_kg_per_server: Num, gpu_count: Num, lifetime_years: Num,
                             utilisation: Num = 1.0) -> Num:
    """Manufacturing CO2e per reserved GPU-hour, the time-share rule [kg/GPU-h].

    ``e = E_server / (8760 · L · n)`` (Software Carbon Intensity spec, ``M = TE · TiR/EL · RR/ToR``; Cloud Carbon
    Footprint's embodied method): a job carries the share of the lifetime it reserves. ``utilisation`` < 1
    spreads unreserved time over the reserved hours too (``/ u``): the one convention passes 1 everywhere;
    capacity nobody reserves is carried by whoever holds it (a procurement plan holds the whole fleet).
    """
    return embodied_kg_per_server / (HOURS_PER_YEAR * lifetime_years * gpu_count * utilisation)


def host_embodied_kg(memory_gb: Num, base_kg: float, dram_kg_per_gb: float) -> Num:
    """Embodied CO2e of a GPU host without its GPUs, growing with its memory: ``base + GB · kg/GB`` [kg] (CCF/Teads)."""
    return base_kg + memory_gb * dram_kg_per_gb


def server_embodied_kg(gpu_count: Num, server_kg: float, gpu_kg: float) -> Num:
    """Embodied CO2e of a GPU server: base server + per GPU [kg] (Luccioni et al. 2022)."""
    return server_kg + gpu_count * gpu_kg


def dedicated_cost_usd(server: OwnedServer, servers: Num, gpu_hours: Num, wall_hours: Num) -> Num:
    """Cost of buying ``servers`` for one project of ``gpu_hours`` over ``wall_hours`` [USD].

    ``cost = s · K · (1 − b) + s · opex · t/8760 + s · facility · kW · t/8760 + E · price_kWh``, with E the grid
    energy of the project's GPU-hours and ``b`` the residual credited: the book value left after the project
    (``credit_residual``) or the resale share. ``servers`` may be fractional, as in the paper's 7.25.
    """
    staff = staff_share_usd_per_server_year(server, np.maximum(np.ceil(np.asarray(servers, float) - 1e-9), 1.0))
    return dedicated_project_cost_usd(
        servers, gpu_hours, wall_hours, server.price_usd, server.overhead_pct_of_capex, server.resale_fraction,
        server.maintenance_pct_per_year, staff, server.hosting_usd_per_kw_month,
        server.power_w, server.gpu_count, server.pue, server.electricity_usd_per_kwh,
        facility_usd_per_kw_year=server.facility_usd_per_kw_year, lifetime_years=server.lifetime_years,
        credit_residual=float(server.credit_residual))


def dedicated_project_cost_usd(servers: Num, gpu_hours: Num, wall_hours: Num, price_usd: Num,
                               overhead_pct_of_capex: Num, resale_fraction: Num, maintenance_pct_per_year: Num,
                               staff_usd_per_server_year: Num, hosting_usd_per_kw_month: Num, power_w: Num,
                               gpu_count: Num, pue: Num, electricity_usd_per_kwh: Num,
                               facility_usd_per_kw_year: Num = 0.0, lifetime_years: Num = 1.0,
                               credit_residual: Num = 0.0) -> Num:
    """``dedicated_cost_usd`` over arrays (one value per server configuration) [USD].

    ``cost = s · K · (1 − b) + s · (opex + facility · W/1000) · t / 8760 + GPU·h · PUE · W / n / 1000 · price_kWh``,
    ``K = P · (1 + o/100)``; ``b`` = book value left after ``t`` (``owned_cost.book_value_fraction``, salvage =
    resale) where ``credit_residual`` is 1, else the resale share (Strubell et al.: 0, the servers written off).
    Computed from its terms (``dedicated_cost_terms``), as the comparison engine does.
    """
    terms = dedicated_cost_terms(price_usd, overhead_pct_of_capex, resale_fraction, maintenance_pct_per_year,
                                 staff_usd_per_server_year, hosting_usd_per_kw_month, power_w, gpu_count, pue,
                                 electricity_usd_per_kwh, facility_usd_per_kw_year, lifetime_years, credit_residual)
    return (servers * (terms["opex_per_hour"] * wall_hours + terms["capital_per_hour"]
                       * np.minimum(wall_hours, terms["life_hours"]) + terms["written_off"])
            + terms["electricity_per_gpu_hour"] * gpu_hours)


def dedicated_cost_terms(price_usd: Num, overhead_pct_of_capex: Num, resale_fraction: Num,
                         maintenance_pct_per_year: Num, staff_usd_per_server_year: Num, hosting_usd_per_kw_month: Num,
                         power_w: Num, gpu_count: Num, pue: Num, electricity_usd_per_kwh: Num,
                         facility_usd_per_kw_year: Num = 0.0, lifetime_years: Num = 1.0,
                         credit_residual: Num = 0.0) -> dict[str, Num]:
    """The dedicated project cost as terms of its wall hours ``t`` and GPU-hours ``H``, per server bought.

    ``cost = s · (opex_per_hour · t + capital_per_hour · min(t, life_hours) + written_off)
    + electricity_per_gpu_hour · H`` with opex_per_hour ``= (opex + facility · W/1000) / 8760`` [USD per
    server-hour]; credited the book value left (``credit_residual`` 1: it falls straight from ``K`` to the resale
    share over the life, so ``1 − b = (1 − s_r) · min(t / (8760 · L), 1)``): capital_per_hour
    ``= K · (1 − s_r) / (8760 · L)``, life_hours ``= 8760 · L`` and written_off 0; otherwise capital_per_hour 0
    and written_off ``= K · (1 − s_r)``; electricity_per_gpu_hour ``= PUE · W / n / 1000 · price_kWh``.
    """
    opex = (fixed_opex_usd_per_year(price_usd, maintenance_pct_per_year, staff_usd_per_server_year,
                                    hosting_usd_per_kw_month, power_w)
            + facility_usd_per_kw_year * power_w / 1000.0)
    lost = capex_usd(price_usd, overhead_pct_of_capex) * (1.0 - resale_fraction)
    life_hours = HOURS_PER_YEAR * np.asarray(lifetime_years, float)
    credit = np.asarray(credit_residual, float) > 0
    return {"opex_per_hour": opex / HOURS_PER_YEAR,
            "capital_per_hour": np.where(credit, lost / life_hours, 0.0),
            "life_hours": life_hours,
            "written_off": np.where(credit, 0.0, lost),
            "electricity_per_gpu_hour": energy_kwh_per_gpu_hour(power_w, gpu_count, pue) * electricity_usd_per_kwh}


def conventions_note(server: OwnedServer) -> str:
    """One line saying which owned-cost conventions the owned rows use (planner.owned_cost)."""
    idle = server.idle_power_w / server.power_w if server.power_w else 0.0
    return (f"owned rows: full cost at a {server.discount_rate:.0%} discount rate (capital recovery), network "
            f"{server.overhead_pct_of_capex:g}% of capex, facility {server.facility_usd_per_kw_year:,.0f} USD/kW-year, "
            f"staff per cluster; idle power {idle:.0%} of busy, charged to shared rows for the cluster's idle hours "
            f"in cost and CO2e; dedicated purchases "
            + ("pay the servers up front (purchase_usd) and are charged that less the book value left after the "
               "project" if server.credit_residual else "written off (charged the whole purchase, purchase_usd)")
            + "; embodied CO2e by time share of the reserved GPU-hours")


def mode(name: str) -> str:
    """Validate an accounting mode name."""
    return choice("accounting mode", name, ACCOUNTING_MODES)
