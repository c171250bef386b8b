"""Owned GPU servers: what an hour of their GPUs costs and emits, bought for one project or shared.

Two accounting modes (``ACCOUNTING_MODES``):

- ``dedicated``: the project buys the servers it needs, as in Strubell et al. 2019 section 4:
  capex + electricity + upkeep over the project, less any resale value.
- ``shared``: a shared cluster; capex and fixed opex are amortised over the lifetime's busy GPU-hours,
  ``c = (capex / L + opex_per_year) / (8760 · n_gpu · u) + electricity per busy GPU-hour``.

All functions are pure and broadcast over numpy arrays / pandas Series.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    overhead_pct_of_capex : network, storage, racks [% of price]; embodied_kg [kg CO2e per server]
    grid_gco2e_per_kwh : the site's grid intensity [g/kWh]
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
        if not 0 <= self.resale_fraction < 1:
            raise PlanError(f"resale_fraction {self.resale_fraction:g}: must be in [0, 1)")


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

    ``c = (capex / L + opex) / (8760 · n · u) + PUE · P / n / 1000 · price_kWh``
    Idle servers draw no power in this model (no idle wall power is sourced); the fixed costs are
    spread over busy hours only, so a lower utilisation raises the cost per GPU-hour.
    """
    return float(shared_cost_usd_per_gpu_hour(
        server.price_usd, server.overhead_pct_of_capex, server.resale_fraction, server.lifetime_years,
        server.maintenance_pct_per_year, server.staff_usd_per_server_year, server.hosting_usd_per_kw_month,
        server.power_w, server.gpu_count, server.utilisation, server.pue, server.electricity_usd_per_kwh))


def shared_cost_usd_per_gpu_hour(price_usd: Num, overhead_pct_of_capex: Num, resale_fraction: Num,
                                 lifetime_years: Num, maintenance_pct_per_year: Num, staff_usd_per_server_year: Num,
                                 hosting_usd_per_kw_month: Num, power_w: Num, gpu_count: Num, utilisation: Num,
                                 pue: Num, electricity_usd_per_kwh: Num) -> Num:
    """``shared_usd_per_gpu_hour`` over arrays (one value per server configuration) [USD/GPU-h].

    ``c = (P · (1 + o/100) · (1 - resale) / L + opex) / (8760 · n · u) + PUE · W / n / 1000 · price_kWh``
    """
    fixed = (capex_usd(price_usd, overhead_pct_of_capex) * (1 - resale_fraction) / lifetime_years
             + fixed_opex_usd_per_year(price_usd, maintenance_pct_per_year, staff_usd_per_server_year,
                                       hosting_usd_per_kw_month, power_w))
    busy_gpu_hours_per_year = HOURS_PER_YEAR * gpu_count * utilisation
    electricity = energy_kwh_per_gpu_hour(power_w, gpu_count, pue) * electricity_usd_per_kwh
    return fixed / busy_gpu_hours_per_year + electricity


def embodied_kg_per_gpu_hour(embodied_kg_per_server: Num, gpu_count: Num, lifetime_years: Num, utilisation: Num) -> Num:
    """Manufacturing CO2e amortised over the busy GPU-hours of a lifetime [kg/GPU-h].

    ``e = E_server / (8760 · L · n · u)``
    """
    return embodied_kg_per_server / (HOURS_PER_YEAR * lifetime_years * gpu_count * utilisation)


def server_embodied_kg(gpu_count: Num, server_kg: float, gpu_kg: float) -> Num:
    """Embodied CO2e of a GPU server: base server + per GPU [kg] (Luccioni et al. 2022)."""
    return server_kg + gpu_count * gpu_kg


def dedicated_cost_usd(server: OwnedServer, servers: Num, gpu_hours: Num, wall_hours: Num) -> Num:
    """Cost of buying ``servers`` for one project of ``gpu_hours`` over ``wall_hours`` [USD].

    ``cost = s · capex · (1 - resale) + s · opex · t/8760 + E · price_kWh``, with E the grid energy of
    the project's GPU-hours. ``servers`` may be fractional, as in the paper's 7.25.
    """
    return dedicated_project_cost_usd(
        servers, gpu_hours, wall_hours, server.price_usd, server.overhead_pct_of_capex, server.resale_fraction,
        server.maintenance_pct_per_year, server.staff_usd_per_server_year, server.hosting_usd_per_kw_month,
        server.power_w, server.gpu_count, server.pue, server.electricity_usd_per_kwh)


def dedicated_project_cost_usd(servers: Num, gpu_hours: Num, wall_hours: Num, price_usd: Num,
                               overhead_pct_of_capex: Num, resale_fraction: Num, maintenance_pct_per_year: Num,
                               staff_usd_per_server_year: Num, hosting_usd_per_kw_month: Num, power_w: Num,
                               gpu_count: Num, pue: Num, electricity_usd_per_kwh: Num) -> Num:
    """``dedicated_cost_usd`` over arrays (one value per server configuration) [USD].

    ``cost = s · P · (1 + o/100) · (1 - resale) + s · opex · t / 8760 + GPU·h · PUE · W / n / 1000 · price_kWh``
    """
    energy = energy_kwh_per_gpu_hour(power_w, gpu_count, pue) * gpu_hours
    opex = fixed_opex_usd_per_year(price_usd, maintenance_pct_per_year, staff_usd_per_server_year,
                                   hosting_usd_per_kw_month, power_w)
    return (servers * capex_usd(price_usd, overhead_pct_of_capex) * (1 - resale_fraction)
            + servers * opex * wall_hours / HOURS_PER_YEAR + energy * electricity_usd_per_kwh)


def mode(name: str) -> str:
    """Validate an accounting mode name."""
    return choice("accounting mode", name, ACCOUNTING_MODES)
