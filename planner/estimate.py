"""One workload's estimate: the comparison engine's row for one chosen option, with the assumptions that made it.

There is one engine (``planner.compare``): an estimate is its row for the option the user chose (the cheapest
offer of the workload's own GPU within the provider, region and pricing given), with the same PUE, grid,
host power and billing rules as ``compare``; a published run's conventions (PUE, grid, summed or per-GPU
power, host power) are explicit engine settings, not a second set of formulas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner import defaults
from planner.catalog import Catalog
from planner.defaults import Assumption
from planner.errors import fraction, non_negative
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


#: The international avoirdupois pound, exactly 0.45359237 kg (International Yard and Pound Agreement, 1959).
KG_PER_LB = 0.45359237
#: The engine's columns an estimate copies from its chosen option, unchanged.
OPTION_FIELDS = ("provider", "region", "instance_type", "pricing", "instances", "gpu_hours", "wall_hours", "pue",
                 "energy_kwh", "energy_kwh_low", "energy_kwh_high", "grid_gco2e_per_kwh", "co2e_kg", "co2e_kg_low",
                 "co2e_kg_high", "cost_usd", "cost_usd_low", "cost_usd_high")


@dataclass(frozen=True)
class Estimate:
    """A one-row result table, the assumptions behind it, and the options it was chosen from."""

    table: pd.DataFrame
    assumptions: tuple[Assumption, ...]
    prices: pd.DataFrame


def estimate_table(workload: Workload, option: Mapping[str, object], power: PowerProfile,
                   options: pd.DataFrame) -> pd.DataFrame:
    """One workload's estimate: the comparison engine's row for the chosen option, and an aggregate over the rest.

    option : the engine's row (``planner.compare``) for the chosen option, or its ``site_row`` where no offer
    matched; every field in ``OPTION_FIELDS`` is copied unchanged (``cost_usd_central`` = its ``cost_usd``).
    options : the engine's rows the option was chosen from (cheapest first); ``options_cost_usd_min`` /
    ``_median`` / ``_max`` are their central costs, a stated aggregate beside the chosen option's own range.
    """
    # The job's IT power the engine used, from its own energy: P = E · 1000 / (PUE · t)
    # (a wall-clock that underflows to 0 h, e.g. 1e-210 h x 1e-210 repeats, falls back to the profile's power)
    denominator = float(option["pue"]) * float(option["wall_hours"])  # type: ignore[arg-type]
    power_w = float(option["energy_kwh"]) * 1000.0 / denominator if denominator > 0 else \
        power.job_w(workload.gpu_count)  # type: ignore[arg-type]
    row: dict[str, object] = {
        "workload": workload.name, "gpu": workload.gpu, "gpu_count": workload.gpu_count, "repeats": workload.repeats,
        "power_w": power_w, "power_measured": power.measured,
    }
    for name in OPTION_FIELDS:
        value = option.get(name)
        row[name] = None if value is None or (isinstance(value, float) and np.isnan(value) and name in (
            "cost_usd", "cost_usd_low", "cost_usd_high")) else value
    row["co2e_lb"] = float(row["co2e_kg"]) / KG_PER_LB  # type: ignore[arg-type]
    row["cost_usd_central"] = row["cost_usd"]
    costs = options["cost_usd"].to_numpy(float) if len(options) else np.array([])
    row["options"] = len(costs)
    row["options_cost_usd_min"] = float(costs.min()) if len(costs) else None
    row["options_cost_usd_median"] = float(np.median(costs)) if len(costs) else None
    row["options_cost_usd_max"] = float(costs.max()) if len(costs) else None
    return pd.DataFrame([row])
