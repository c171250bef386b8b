"""The full cost of owning GPU servers: busy and idle power, capital with its network share and facility, staff
per cluster, money over time (discounting, capital recovery, residual value) and the grant cost basis.

One model, used by ``compare`` (dedicated and shared rows), ``api.owned_server``, the own-vs-rent view and
``procure``. Conventions (each input sourced in ``planner.defaults``):

- **Power.** A server draws ``P_busy`` while training and ``P_idle = f_idle · P_busy`` otherwise. Over a
  server-year at utilisation ``u`` its grid energy is ``E = PUE · 8760 · (u · P_busy + (1 − u) · P_idle) / 1000``:
  idle hours are charged in cost and CO2e.
- **Capital.** ``K = P · (1 + o/100)`` with ``o`` the network/storage/fabric share. Its book value falls straight
  from ``K`` to the salvage ``K · s`` over the life ``L``; the equivalent annual cost of capital is
  ``K · (1 − s · (1 + r)^−L) · CRF(r, L)``, ``CRF(r, n) = r / (1 − (1 + r)^−n)`` (``1/n`` at ``r = 0``).
- **Facility** (space, power and cooling capital) per kW of busy IT load and year: in-house
  ``capex_per_kW · CRF(r, facility life)``, or colocation ``12 · $/kW-month``.
- **Staff** per cluster: ``FTE(S) = base + per_server · max(0, S − free)`` for ``S ≥ 1`` servers, at a loaded
  salary; a server's share is ``salary · FTE(S) / S``.
- **Maintenance** (support contracts, failures, spares): ``P · m/100`` per server-year.
- **Grant basis** (US, 2 CFR 200): F&A at ``fa_rate`` on MTDC items (cloud services, maintenance contracts,
  salaries); equipment (servers, network) is exempt; electricity and space are recovered through the F&A
  rate itself, so a grant budget does not carry them.

Pure functions over scalars and numpy arrays.
"""

from __future__ import annotations

import numpy as np

from planner.errors import choice
from planner.units import Num

HOURS_PER_YEAR = 8760.0
FACILITY_MODES = ("in_house", "colocation", "none")
COST_VIEWS = ("institution", "grant")
MONEY_BASES = ("npv", "cash")


# --- money over time ----------------------------------------------------------------------------------------

def capital_recovery_factor(rate: Num, years: Num) -> Num:
    """Share of a present sum paid each year to repay it over ``years`` at ``rate``: ``r / (1 − (1 + r)^−n)`` [1/yr].

    ``1 / n`` at ``r = 0`` (straight-line). rate : discount rate per year [-]; years : [years] > 0.
    """
    rate = np.asarray(rate, dtype=float)
    years = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        crf = rate / (1.0 - (1.0 + rate) ** -years)
    out = np.where(rate == 0, 1.0 / years, crf)
    return float(out) if out.ndim == 0 else out


def discount_factor(rate: Num, years_from_start: Num) -> Num:
    """Present value of 1 USD paid ``t`` years after the start of year 1: ``(1 + r)^−t`` [-]."""
    out = (1.0 + np.asarray(rate, dtype=float)) ** -np.asarray(years_from_start, dtype=float)
    return float(out) if np.ndim(out) == 0 else out


def equivalent_annual_cost(present_value: Num, rate: Num, years: Num) -> Num:
    """The level yearly payment with the same present value over ``years``: ``EAC = NPV · CRF(r, n)`` [USD/yr]."""
    return present_value * capital_recovery_factor(rate, years)


def book_value_fraction(age_years: Num, lifetime_years: Num, salvage_fraction: Num = 0.0) -> Num:
    """Straight-line book value left at an age, as a share of the purchase [-].

    ``b(a) = s + (1 − s) · max(0, 1 − a / L)``: from 1 when new down to the salvage ``s`` at end of life.
    """
    remaining = np.clip(1.0 - np.asarray(age_years, dtype=float) / lifetime_years, 0.0, 1.0)
    out = salvage_fraction + (1.0 - salvage_fraction) * remaining
    return float(out) if np.ndim(out) == 0 else out


def capital_usd_per_server_year(capex_usd: Num, lifetime_years: Num, discount_rate: Num,
                                salvage_fraction: Num = 0.0) -> Num:
    """Equivalent annual cost of a server's capital (capital recovery, salvage credited) [USD/yr].

    ``K · (1 − s · (1 + r)^−L) · CRF(r, L)``; at ``r = 0``: ``K · (1 − s) / L``.
    """
    return (capex_usd * (1.0 - salvage_fraction * discount_factor(discount_rate, lifetime_years))
            * capital_recovery_factor(discount_rate, lifetime_years))


# --- power ---------------------------------------------------------------------------------------------

def modelled_busy_power_w(gpu_count: Num, tdp_w: Num, gpu_power_fraction: Num, host_w: Num,
                          max_w: Num | None = None) -> Num:
    """Wall power of a training server from its shape: ``n · TDP · f + host``, capped at its rated maximum [W].

    host_w : CPU + DRAM (+ rest) of the whole server [W], the cloud rows' host model
    (``defaults.host_power_w``) from its shape.
    """
    power = np.asarray(gpu_count, dtype=float) * tdp_w * gpu_power_fraction + host_w
    if max_w is not None:
        power = np.minimum(power, max_w)
    return float(power) if np.ndim(power) == 0 else power


def energy_kwh_per_server_year(busy_w: Num, idle_w: Num, utilisation: Num, pue: Num) -> Num:
    """Grid energy of one server over a year at utilisation ``u``, idle hours included [kWh/yr].

    ``E = PUE · 8760 · (u · P_busy + (1 − u) · P_idle) / 1000``
    """
    return pue * HOURS_PER_YEAR * (utilisation * busy_w + (1.0 - utilisation) * idle_w) / 1000.0


def kwh_per_gpu_hour(power_w: Num, gpu_count: Num, pue: Num) -> Num:
    """Grid energy of one GPU-hour at a server draw: ``PUE · P / n / 1000`` [kWh/GPU-h]."""
    return pue * power_w / gpu_count / 1000.0


# --- facility and staff ------------------------------------------------------------------------------------

def facility_usd_per_kw_year(mode: str, capex_usd_per_kw: Num, life_years: Num, discount_rate: Num,
                             colocation_usd_per_kw_month: Num) -> Num:
    """Space, power and cooling capital per kW of IT load and year [USD/kW-yr].

    ``in_house``: ``capex/kW · CRF(r, life)``; ``colocation``: ``12 · $/kW-month``; ``none``: 0 (a room already
    paid for, or Strubell et al.'s convention).
    """
    choice("facility", mode, FACILITY_MODES)
    if mode == "in_house":
        return capex_usd_per_kw * capital_recovery_factor(discount_rate, life_years)
    if mode == "colocation":
        return 12.0 * colocation_usd_per_kw_month
    return 0.0 * capex_usd_per_kw


def staff_fte(servers: Num, fte_base: Num, fte_per_server: Num, free_servers: Num = 50.0) -> Num:
    """Staff a cluster of ``S`` servers needs: ``base + per_server · max(0, S − free)``; 0 with no server [FTE]."""
    servers = np.asarray(servers, dtype=float)
    fte = np.where(servers > 0, fte_base + fte_per_server * np.maximum(0.0, servers - free_servers), 0.0)
    return float(fte) if fte.ndim == 0 else fte


# --- a server-year and a GPU-hour ---------------------------------------------------------------------------

def owned_usd_per_server_year(price_usd: Num, network_pct_of_capex: Num, lifetime_years: Num, discount_rate: Num,
                              salvage_fraction: Num, maintenance_pct_per_year: Num, staff_usd_per_server_year: Num,
                              facility_usd_per_kw_year: Num, hosting_usd_per_kw_month: Num, busy_w: Num,
                              idle_w: Num, utilisation: Num, pue: Num, electricity_usd_per_kwh: Num) -> Num:
    """Full cost of owning one server for a year at utilisation ``u`` (institution view) [USD/server-yr].

    ``C = K·(1 − s·(1+r)^−L)·CRF(r, L) + P·m/100 + staff + (facility + 12·hosting)·P_busy/1000
    + E(u)·price``, with ``K = P·(1 + o/100)`` and ``E(u)`` from ``energy_kwh_per_server_year``.
    staff_usd_per_server_year : the server's share of its cluster's staff (``staff_fte`` · salary / S).
    Divide by ``12`` for a month, or by ``8760 · n · u`` for a busy GPU-hour (``owned_usd_per_gpu_hour``).
    """
    capex = price_usd * (1.0 + network_pct_of_capex / 100.0)
    return (capital_usd_per_server_year(capex, lifetime_years, discount_rate, salvage_fraction)
            + price_usd * maintenance_pct_per_year / 100.0 + staff_usd_per_server_year
            + (facility_usd_per_kw_year + 12.0 * hosting_usd_per_kw_month) * busy_w / 1000.0
            + energy_kwh_per_server_year(busy_w, idle_w, utilisation, pue) * electricity_usd_per_kwh)


def owned_usd_per_gpu_hour(usd_per_server_year: Num, gpu_count: Num, utilisation: Num) -> Num:
    """Cost of one busy GPU-hour: ``C / (8760 · n · u)`` [USD/GPU-h]."""
    return usd_per_server_year / (HOURS_PER_YEAR * gpu_count * utilisation)


def cloud_usd_per_gpu_hour(usd_per_gpu_hour: Num, throughput_ratio: Num = 1.0, overhead_fraction: Num = 0.0,
                           fa_rate: Num = 0.0) -> Num:
    """What one GPU-hour of the owned server's GPU costs rented, F&A included: ``p · (1 + s) / r · (1 + F&A)`` [USD].

    usd_per_gpu_hour : list price of the cloud GPU [USD/GPU-h]; throughput_ratio : cloud GPU speed / owned [-];
    overhead_fraction : extra spot GPU-hours [-]; fa_rate : F&A on cloud services (grant view; 0 otherwise) [-].
    """
    return usd_per_gpu_hour * (1.0 + overhead_fraction) / throughput_ratio * (1.0 + fa_rate)


def breakeven_utilisation(fixed_usd_per_gpu_capacity_hour: Num, cloud_usd_per_gpu_hour_: Num,
                          busy_usd_per_gpu_hour: Num, idle_usd_per_gpu_hour: Num) -> np.ndarray:
    """Utilisation at which owning costs what renting the same busy GPU-hours does [-].

    Owning ``C`` GPU-hours of capacity and using ``u·C`` costs ``F·C + e_b·u·C + e_i·(1 − u)·C``; renting them
    costs ``p·u·C``. Equal at ``u* = (F + e_i) / (p − e_b + e_i)``, with F the fixed cost (capital recovery,
    network, facility, staff, maintenance) per GPU-hour of capacity, ``e_b``/``e_i`` the electricity of a busy/
    idle GPU-hour. NaN ('never') where ``p ≤ e_b − e_i``; above 1: the cloud is cheaper even fully used.
    """
    margin = np.asarray(cloud_usd_per_gpu_hour_, dtype=float) - busy_usd_per_gpu_hour + idle_usd_per_gpu_hour
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (fixed_usd_per_gpu_capacity_hour + idle_usd_per_gpu_hour) / margin
    return np.where(margin > 0, u, np.nan)


def view(name: str) -> str:
    """Validate a cost view name (``institution`` full cost, or ``grant`` budget)."""
    return choice("view", name, COST_VIEWS)


def money(name: str) -> str:
    """Validate a money basis name (``npv`` discounted, or ``cash``)."""
    return choice("money", name, MONEY_BASES)
