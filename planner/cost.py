"""Cloud and electricity cost: per accelerator-hour or per instance-hour, on-demand and spot."""

from __future__ import annotations

from planner.units import Num


def cloud_cost_usd(gpu_hours: Num, usd_per_gpu_hour: Num) -> Num:
    """``cost = GPU·h · price per GPU-hour`` [USD]. Vectorised."""
    return gpu_hours * usd_per_gpu_hour


def instance_cost_usd(gpu_hours: Num, gpus_per_instance: Num, usd_per_instance_hour: Num) -> Num:
    """``cost = ⌈instance-hours⌉ · price`` with instance-hours = GPU·h / GPUs per instance [USD].

    Instances are billed whole: a job needing 12 GPUs on 8-GPU instances pays for 16; this
    function takes GPU-hours already rounded up to whole instances by the caller where that matters.
    """
    return gpu_hours / gpus_per_instance * usd_per_instance_hour


def electricity_cost_usd(energy_kwh: Num, usd_per_kwh: Num) -> Num:
    """``cost = E · price`` [USD], E [kWh] at the meter (PUE included), price [USD/kWh]."""
    return energy_kwh * usd_per_kwh
