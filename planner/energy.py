"""Energy drawn from the grid by a training run: Strubell et al.'s formula, generalised and vectorised."""

from __future__ import annotations

import numpy as np

from planner.errors import PlanError
from planner.units import Num


def training_energy_kwh(hours: Num, gpu_w: Num, n_gpus: Num, cpu_w: Num = 0.0, dram_w: Num = 0.0, pue: Num = 1.58) -> Num:
    """Energy drawn from the grid by a training run.

    ``E = PUE · t · (p_cpu + p_dram + n_gpu · p_gpu) / 1000``  (Strubell et al. 2019, eq. 1)

    hours : training wall-clock time [h]
    gpu_w, cpu_w, dram_w : average power per GPU, of the CPUs, of the DRAM [W]
    n_gpus : number of GPUs [-]
    pue : power usage effectiveness of the facility [-], >= 1
    Works on scalars and numpy arrays / pandas Series alike. Returns energy [kWh].
    """
    return pue * hours * (cpu_w + dram_w + n_gpus * gpu_w) / 1000.0


def energy_from_total_power_kwh(hours: Num, total_w: Num, pue: Num = 1.58) -> Num:
    """``E = PUE · t · P / 1000`` for a run whose summed average power P is known [kWh] (Strubell's Table 3 W)."""
    return pue * hours * total_w / 1000.0


def kwh_per_gpu_hour(pue: Num, watts_per_gpu: Num) -> Num:
    """Grid energy of one GPU-hour at a draw per GPU: ``PUE · W / 1000`` [kWh/GPU-h] (``training_energy_kwh`` per
    GPU-hour: ``E = H · (PUE · TDP · f / 1000 + PUE · host / n / 1000)``)."""
    return pue * watts_per_gpu / 1000.0


def gpu_power_w(tdp_w: Num, fraction_of_tdp: Num = 1.0) -> Num:
    """Average power of one GPU when not measured: ``p_gpu = TDP · f`` [W]."""
    if np.any(np.asarray(fraction_of_tdp) <= 0) or np.any(np.asarray(fraction_of_tdp) > 1):
        raise PlanError(f"gpu_power_fraction {fraction_of_tdp}: must be in (0, 1]")
    return tdp_w * fraction_of_tdp
