"""One workload's energy, CO2e and cloud-cost range on its own GPU, with the assumptions that made it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from planner import defaults
from planner.carbon import co2e_in, co2e_kg
from planner.catalog import Catalog
from planner.cost import cloud_cost_usd
from planner.defaults import Assumption
from planner.energy import energy_from_total_power_kwh, training_energy_kwh
from planner.errors import at_least, fraction, non_negative
from planner.workload import Workload


@dataclass(frozen=True)
class PowerProfile:
    """Average power of a training job.

    gpu_w : per GPU [W]; host_w : CPUs + DRAM of the whole job [W]
    total_w : the summed average power, when only that is known (Strubell et al.'s Table 3) [W]
    assumptions : what made the profile (a measurement lists what it measured and what it defaulted)
    """

    gpu_w: float
    host_w: float
    source: str
    measured: bool = False
    total_w: float | None = None
    assumptions: tuple[Assumption, ...] = ()

    def job_w(self, gpu_count: float) -> float:
        """``p_cpu + p_dram + n_gpu · p_gpu`` [W]."""
        return self.total_w if self.total_w is not None else self.host_w + gpu_count * self.gpu_w


def default_power(catalog: Catalog, workload: Workload, fraction_of_tdp: float | None = None,
                  host_w: float | None = None) -> tuple[PowerProfile, tuple[Assumption, ...]]:
    """Power when nothing was measured: ``p_gpu = TDP · f``, host = default W per GPU · n (or ``host_w``)."""
    gpu = catalog.gpu(workload.gpu)
    share = defaults.GPU_POWER_FRACTION_OF_TDP
    if fraction_of_tdp is not None:
        share = share.with_value(fraction("gpu_power_fraction", fraction_of_tdp))
    tdp = Assumption(f"tdp_{gpu.gpu}", gpu.tdp_w, "W", gpu.source, "", gpu.name)
    assumptions: tuple[Assumption, ...] = (tdp, share)
    if host_w is None:
        host = defaults.default_host_power_per_gpu_w() * workload.gpu_count
        assumptions += defaults.host_assumptions()
    else:
        host = non_negative("host_w", host_w, "W")
        assumptions += (Assumption("host_w", host, "W", "user input", ""),)
    profile = PowerProfile(gpu.tdp_w * float(share.value), host, "TDP x fraction; host from instance shape")
    return profile, assumptions


def offer_price_range(offers: pd.DataFrame, gpu: str) -> pd.DataFrame:
    """The cheapest, median on-demand and dearest on-demand price per GPU-hour for a GPU.

    Returns rows ``low`` / ``central`` / ``high`` with the offer each comes from (empty if none).
    """
    of_gpu = offers[offers["gpu"] == gpu]
    if of_gpu.empty:
        return pd.DataFrame(columns=["bound", "usd_per_gpu_hour", "provider", "region", "instance_type", "pricing"])
    on_demand = of_gpu[of_gpu["pricing"] == "on_demand"].sort_values("usd_per_gpu_hour", kind="mergesort")
    cheapest = of_gpu.sort_values("usd_per_gpu_hour", kind="mergesort").iloc[0]
    rows = [("low", cheapest)]
    if not on_demand.empty:
        rows.append(("central", on_demand.iloc[(len(on_demand) - 1) // 2]))
        rows.append(("high", on_demand.iloc[-1]))
    cols = ["usd_per_gpu_hour", "provider", "region", "instance_type", "pricing"]
    return pd.DataFrame([{"bound": bound, **row[cols].to_dict()} for bound, row in rows])


@dataclass(frozen=True)
class Estimate:
    """A one-row result table and the assumptions behind it."""

    table: pd.DataFrame
    assumptions: tuple[Assumption, ...]
    prices: pd.DataFrame


def estimate(catalog: Catalog, workload: Workload, offers: pd.DataFrame, grid: Assumption, pue: Assumption,
             power: PowerProfile | None = None, power_assumptions: tuple[Assumption, ...] = ()) -> Estimate:
    """Energy [kWh], CO2e [kg, lb] and the cloud cost range [USD] of a workload on its own GPU.

    ``E = PUE · t · (p_host + n · p_gpu) / 1000`` over ``t = wall hours``; ``CO2e = E · I / 1000``;
    cost = GPU·h × the cheapest / median on-demand / dearest on-demand price per GPU-hour of the offers
    for that GPU (filter ``offers`` first to restrict providers, regions or pricing).
    """
    at_least("pue", float(pue.value), 1.0)
    non_negative("grid intensity", float(grid.value), "gCO2e/kWh")
    if power is None:
        power, power_assumptions = default_power(catalog, workload)
    if power.total_w is not None:
        energy = energy_from_total_power_kwh(workload.wall_hours, power.total_w, float(pue.value))
    else:
        energy = training_energy_kwh(workload.wall_hours, power.gpu_w, workload.gpu_count, power.host_w, 0.0,
                                     float(pue.value))
    co2 = co2e_kg(energy, float(grid.value))
    prices = offer_price_range(offers, workload.gpu)
    row = {
        "workload": workload.name,
        "gpu": workload.gpu,
        "gpu_count": workload.gpu_count,
        "repeats": workload.repeats,
        "gpu_hours": workload.gpu_hours,
        "wall_hours": workload.wall_hours,
        "power_w": power.job_w(workload.gpu_count),
        "power_measured": power.measured,
        "pue": float(pue.value),
        "energy_kwh": energy,
        "grid_gco2e_per_kwh": float(grid.value),
        "co2e_kg": co2,
        "co2e_lb": co2e_in(co2, "lb"),
    }
    for bound in ("low", "central", "high"):
        hit = prices[prices["bound"] == bound]
        row[f"cost_usd_{bound}"] = (cloud_cost_usd(workload.gpu_hours, float(hit["usd_per_gpu_hour"].iloc[0]))
                                    if len(hit) else None)
    if prices.empty:
        notes = (f"no cloud offer for {workload.gpu} in the price data: no cost",)
    else:
        notes = ()
    assumptions = power_assumptions + (pue, grid) + tuple(
        Assumption(f"price_{r.bound}", r.usd_per_gpu_hour, "USD/GPU-hour", f"{r.provider} {r.region} {r.instance_type}",
                   "", r.pricing) for r in prices.itertuples())
    table = pd.DataFrame([row])
    table.attrs["notes"] = workload.notes + notes
    return Estimate(table, assumptions, prices)
