"""The engine's arithmetic in two stages: each row's coefficients, then one pass from them to every output.

Every row of a comparison (a cloud offer, a dedicated purchase, a shared cluster) gets its outputs from the
same expressions (``evaluate``) over its coefficients::

    H        = H_w / r · (1 + o)                                  GPU-hours on the row's GPU
    t        = H / n                                              wall hours
    cost     = c_A · max(t, T) + c_B · H + c_C · min(t, t_L) + c_F   [USD]
    E        = H · ε                                              [kWh]
    CO2e     = E · I / 1000                                       [kg]
    embodied = t · e_W + H · e_G                                  [kg]

A term a kind does not have is left out of its pass (cloud rows have no c_B, c_C, c_F, e_G; owned rows no
o and no T). The coefficients of each kind:

cloud (``cloud_coefficients``; ``planner.spot``)
    o = k · λ · (c/2 + r + D · (1 − A^k)) (λ = 0 off spot); c_A = k · price [USD per instance-hour];
    T = the commitment's term [h]; ε = ε_TDP · f + ε_host with ε_TDP = PUE · TDP / 1000 and
    ε_host = PUE · host / n / 1000 [kWh per GPU-h] (``energy.kwh_per_gpu_hour``: ``E = PUE · t · (n · TDP · f
    + host) / 1000``), or PUE · P_job / n / 1000 where the job's summed power is given; e_W = billed GPUs · e.
dedicated purchase (``owned_coefficients`` over ``owned_rates``; ``planner.ownership.dedicated_cost_terms``)
    c_A = S · opex / 8760 (upkeep, staff, hosting and facility per server-year); c_B = price_kWh · ε;
    credited the book value left (it falls straight to the resale share over the life L):
    c_C = S · K · (1 − s) / (8760 · L), t_L = 8760 · L; written off: c_F = S · K · (1 − s);
    ε = PUE · W / G / 1000; e_W = billed GPUs · e.
shared cluster
    c_B = C(u) / (8760 · G · u) (``ownership.shared_cost_usd_per_gpu_hour``: the full cost of a server-year
    over its busy GPU-hours); ε with the idle hours' share (``ownership.shared_kwh_per_gpu_hour``); e_G = e.

What depends on the workload is computed per workload: r (its GPU and precision), k and n, S and the billed
GPUs, o (through k), a purchase's staff share (through S), P_job / n. Everything else about an owned row
(``owned_rates``) depends only on the servers, the site, the settings and the uncertain inputs, so the engine
computes it once per bound and reuses it for the next workload; a Monte Carlo block computes it from its
drawn inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from planner import spot
from planner.carbon import co2e_kg
from planner.energy import kwh_per_gpu_hour
from planner.ownership import (
    HOURS_PER_YEAR,
    dedicated_cost_terms,
    embodied_kg_per_gpu_hour,
    energy_kwh_per_gpu_hour,
    shared_cost_usd_per_gpu_hour,
    shared_kwh_per_gpu_hour,
)

Coefficients = dict[str, object]


def evaluate(workload_gpu_hours: object, c: Mapping[str, object]) -> dict[str, object]:
    """The outputs of rows from their coefficients ``c`` (see the module; arrays or scalars, they broadcast).

    c : ratio r, overhead o (optional), gpu_count n, cost_a c_A, term T (optional), cost_b, cost_c with
    life_hours t_L, cost_f (optional), kwh_per_gpu_hour ε, grid I [g/kWh], embodied_w e_W, embodied_g (optional)
    """
    gpu_hours = workload_gpu_hours / c["ratio"]
    if "overhead" in c:
        gpu_hours = gpu_hours * (1.0 + c["overhead"])
    wall = gpu_hours / c["gpu_count"]
    cost = c["cost_a"] * (np.maximum(wall, c["term"]) if "term" in c else wall)
    if "cost_b" in c:
        cost = cost + c["cost_b"] * gpu_hours
    if "cost_c" in c:
        cost = cost + c["cost_c"] * np.minimum(wall, c["life_hours"])
    if "cost_f" in c:
        cost = cost + c["cost_f"]
    energy = gpu_hours * c["kwh_per_gpu_hour"]
    embodied = wall * c["embodied_w"]
    if "embodied_g" in c:
        embodied = embodied + gpu_hours * c["embodied_g"]
    return {"gpu_hours": gpu_hours, "wall_hours": wall, "cost_usd": cost, "energy_kwh": energy,
            "co2e_kg": co2e_kg(energy, c["grid"]), "co2e_embodied_kg": embodied}


def cloud_coefficients(rows: Mapping[str, np.ndarray], x: Mapping[str, object]) -> Coefficients:
    """Cloud rows' coefficients for one workload (see the module).

    rows : gpu_count n, instances k, billed_gpus, term_hours [h], kwh_at_tdp (PUE · TDP / 1000),
    host_kwh_per_gpu_hour (PUE · host / n / 1000), pue, embodied_kg_per_gpu_hour e, optionally job_power_w [W,
    NaN where not given]
    x : ratio, power_fraction f, grid, price [USD per instance-hour], spot_rate λ [1/h per instance; 0 off spot], checkpoint c,
    restart r [h], availability A, capacity_wait D [h]
    """
    k = rows["instances"]
    # λ is 0 off spot (``spot.interruption_rates``; a given rate applies to spot rows only), so is o
    overhead = spot.overhead_fraction(spot.job_interruptions_per_hour(k, x["spot_rate"]), x["checkpoint"],
                                      x["restart"], spot.capacity_wait_hours(k, x["availability"], x["capacity_wait"]))
    kwh = rows["kwh_at_tdp"] * x["power_fraction"] + rows["host_kwh_per_gpu_hour"]
    if "job_power_w" in rows:
        job_power = rows["job_power_w"]
        kwh = np.where(np.isnan(job_power), kwh, kwh_per_gpu_hour(rows["pue"], job_power) / rows["gpu_count"])
    return {"ratio": x["ratio"], "overhead": overhead,
            "gpu_count": rows["gpu_count"], "cost_a": k * x["price"], "term": rows["term_hours"],
            "kwh_per_gpu_hour": kwh, "grid": x["grid"], "embodied_w": rows["billed_gpus"] * rows["embodied_kg_per_gpu_hour"]}


def owned_rates(rows: Mapping[str, np.ndarray], x: Mapping[str, object]) -> Coefficients:
    """What an owned row's coefficients take from its server, site and the uncertain inputs, not from the workload.

    rows : gpus_per_server G, is_dedicated (0/1), tdp_w, host_w_per_gpu [W], price_usd, overhead_pct,
    resale_fraction, staff_usd (a shared row's share of its cluster's staff per server-year; a purchase's is added
    per workload), hosting_usd_per_kw_month, pue, electricity_usd_per_kwh, embodied_kg_per_server, idle_fraction,
    facility_usd_per_kw_year, discount_rate, credit_residual (0/1)
    x : power_fraction, utilisation [-], lifetime [years], maintenance [% per year]
    Returns per row (0 where the row's mode has no such term): opex_per_hour (a purchase's, without its staff),
    capital_per_hour (c_C / S), life_hours, written_off (c_F / S), cost_b, kwh_per_gpu_hour, embodied_w (e_W per
    billed GPU), embodied_g.
    """
    per_server = rows["gpus_per_server"]
    power_w = per_server * (rows["tdp_w"] * x["power_fraction"] + rows["host_w_per_gpu"])
    idle_w = power_w * rows["idle_fraction"]
    dedicated = rows["is_dedicated"] > 0
    common = dict(price_usd=rows["price_usd"], overhead_pct_of_capex=rows["overhead_pct"],
                  resale_fraction=rows["resale_fraction"], maintenance_pct_per_year=x["maintenance"],
                  hosting_usd_per_kw_month=rows["hosting_usd_per_kw_month"], power_w=power_w, gpu_count=per_server,
                  pue=rows["pue"], electricity_usd_per_kwh=rows["electricity_usd_per_kwh"],
                  facility_usd_per_kw_year=rows["facility_usd_per_kw_year"])
    bought = dedicated_cost_terms(staff_usd_per_server_year=0.0, lifetime_years=x["lifetime"],
                                  credit_residual=rows["credit_residual"], **common)
    shared = shared_cost_usd_per_gpu_hour(lifetime_years=x["lifetime"], utilisation=x["utilisation"],
                                          idle_power_w=idle_w, discount_rate=rows["discount_rate"],
                                          staff_usd_per_server_year=rows["staff_usd"], **common)
    embodied = embodied_kg_per_gpu_hour(rows["embodied_kg_per_server"], per_server, x["lifetime"])
    kwh = np.where(dedicated, energy_kwh_per_gpu_hour(power_w, per_server, rows["pue"]),
                   shared_kwh_per_gpu_hour(power_w, idle_w, per_server, x["utilisation"], rows["pue"]))
    return {"opex_per_hour": np.where(dedicated, bought["opex_per_hour"], 0.0),
            "capital_per_hour": np.where(dedicated, bought["capital_per_hour"], 0.0),
            "life_hours": bought["life_hours"],
            "written_off": np.where(dedicated, bought["written_off"], 0.0),
            "cost_b": np.where(dedicated, bought["electricity_per_gpu_hour"], shared),
            "kwh_per_gpu_hour": kwh, "embodied_w": np.where(dedicated, embodied, 0.0),
            "embodied_g": np.where(dedicated, 0.0, embodied)}


def owned_coefficients(rows: Mapping[str, np.ndarray], x: Mapping[str, object], rates: Mapping[str, object]
                       ) -> Coefficients:
    """Owned rows' coefficients for one workload from their ``owned_rates`` (see the module).

    rows : gpu_count n (the job's), servers S (NaN for shared rows), billed_gpus, staff_usd (a purchase's staff
    share per server-year, for its S servers); x : ratio, grid
    """
    servers = np.fmax(rows["servers"], 0.0)  # a shared row buys none (its NaN servers count as 0)
    return {"ratio": x["ratio"], "gpu_count": rows["gpu_count"],
            "cost_a": servers * (rates["opex_per_hour"] + rows["staff_usd"] / HOURS_PER_YEAR),
            "cost_b": rates["cost_b"], "cost_c": servers * rates["capital_per_hour"],
            "life_hours": rates["life_hours"], "cost_f": servers * rates["written_off"],
            "kwh_per_gpu_hour": rates["kwh_per_gpu_hour"], "grid": x["grid"],
            "embodied_w": rows["billed_gpus"] * rates["embodied_w"], "embodied_g": rates["embodied_g"]}
