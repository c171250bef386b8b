"""A measured power profile (from `trainplan measure`) turned into the power an estimate uses."""

from __future__ import annotations

import json
from pathlib import Path

from planner.errors import PlanError, non_negative
from planner.estimate import PowerProfile


def power_profile(measurement: dict, gpu_count: float) -> PowerProfile:
    """Average GPU power per GPU and host (CPU + DRAM) power from a measurement record.

    measurement : the JSON written by `trainplan measure` (``gpu.avg_w_per_gpu``, ``cpu.avg_w``, ``dram.avg_w``)
    """
    try:
        gpu = measurement.get("gpu") or {}
        gpu_w = gpu.get("avg_w_per_gpu")
        cpu_w = (measurement.get("cpu") or {}).get("avg_w") or 0.0
        dram_w = (measurement.get("dram") or {}).get("avg_w") or 0.0
    except AttributeError:
        raise PlanError("power file: not a trainplan measurement (expected gpu/cpu/dram sections)") from None
    if gpu_w is None:
        raise PlanError("power file: no GPU power was measured in it (gpu.avg_w_per_gpu missing)")
    source = f"measured: {measurement.get('command', '?')} on {measurement.get('host', '?')}"
    return PowerProfile(non_negative("gpu.avg_w_per_gpu", gpu_w, "W"),
                        non_negative("cpu.avg_w", cpu_w, "W") + non_negative("dram.avg_w", dram_w, "W"),
                        source, measured=True)


def power_profile_from_file(path: Path, gpu_count: float) -> PowerProfile:
    """Read a measurement JSON file and return its power profile."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"power file '{path}': not found") from None
    except (OSError, ValueError) as exc:
        raise PlanError(f"power file '{path}': unreadable JSON ({exc.__class__.__name__})") from None
    if not isinstance(record, dict):
        raise PlanError(f"power file '{path}': not a trainplan measurement")
    return power_profile(record, gpu_count)
