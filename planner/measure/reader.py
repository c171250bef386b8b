"""A measured power profile (from `trainplan measure`) turned into the power an estimate uses.

The record's schema is documented in ``planner.measure.record``. Used here: ``gpu.avg_w_per_gpu`` and
``gpu.count`` (required), ``cpu.avg_w`` and ``dram.avg_w`` (either may be null: not measured),
``gpu.model``, ``command``, ``host``, ``started_at``, ``wall_s``.

Host power scales with the GPUs: the measured CPU and DRAM power are of a host that drove
``gpu.count`` GPUs, so a job of n GPUs gets ``host_w = (p_cpu + p_dram) · n / gpu.count``. A component
that was not measured takes its default share per GPU from ``planner.defaults`` (and says so), never 0.
"""

from __future__ import annotations

import json
from pathlib import Path

from planner import defaults
from planner.defaults import Assumption
from planner.errors import PlanError
from planner.estimate import PowerProfile
from planner.fields import check


def _section(measurement: dict, name: str) -> dict:
    part = measurement.get(name)
    if part is None:
        return {}
    if not isinstance(part, dict):
        raise PlanError(f"power file: '{name}' is not a section of a trainplan measurement")
    return part


def power_profile(measurement: dict, gpu_count: float) -> PowerProfile:
    """Average power per GPU and host (CPU + DRAM) power for a job of ``gpu_count`` GPUs from a record.

    ``p_gpu = gpu.avg_w_per_gpu``; ``host_w = (p_cpu + p_dram) · gpu_count / gpu.count`` [W], with a
    component not measured replaced by its default per-GPU share (12 vCPU × 2.12 W; 85 GiB × 0.392 W).
    The profile's ``assumptions`` list what was measured and what was defaulted.
    """
    if not isinstance(measurement, dict):
        raise PlanError("power file: not a trainplan measurement (expected gpu/cpu/dram sections)")
    gpu, cpu, dram = (_section(measurement, name) for name in ("gpu", "cpu", "dram"))
    gpu_w = gpu.get("avg_w_per_gpu")
    if gpu_w is None:
        why = gpu.get("reason") or "gpu.avg_w_per_gpu missing"
        raise PlanError(f"power file: no GPU power was measured in it ({why})")
    gpu_w = check("gpu_w", gpu_w, "gpu.avg_w_per_gpu")
    measured_gpus = check("gpu_count", gpu.get("count"), "gpu.count")
    n = check("gpu_count", gpu_count)
    where = f"`trainplan measure` of '{measurement.get('command', '?')}' on {measurement.get('host', '?')}"
    as_of = str(measurement.get("started_at", ""))[:10]
    on = f"measured on {measured_gpus:g} x {gpu.get('model') or '?'}"
    assumptions = [Assumption("gpu_w_measured", gpu_w, "W/GPU", where, as_of, on)]
    host_w = 0.0
    default_per_gpu = {
        "cpu": (float(defaults.HOST_VCPUS_PER_GPU.value) * float(defaults.HOST_W_PER_VCPU.value),
                (defaults.HOST_VCPUS_PER_GPU, defaults.HOST_W_PER_VCPU)),
        "dram": (float(defaults.HOST_GIB_PER_GPU.value) * float(defaults.HOST_W_PER_GIB.value),
                 (defaults.HOST_GIB_PER_GPU, defaults.HOST_W_PER_GIB)),
    }
    for name, part in (("cpu", cpu), ("dram", dram)):
        if part.get("avg_w") is not None:
            measured_w = check("host_w", part["avg_w"], f"{name}.avg_w")
            watts = measured_w * n / measured_gpus
            assumptions.append(Assumption(f"{name}_w_measured", watts, "W", where, as_of,
                                          f"{measured_w:.1f} W measured with {measured_gpus:g} GPU(s), "
                                          f"scaled to {n:g}"))
        else:
            per_gpu, sources = default_per_gpu[name]
            watts = per_gpu * n
            reason = part.get("reason") or "not in the file"
            assumptions.append(Assumption(f"{name}_w_default", watts, "W", "planner.defaults (host shape)", "",
                                          f"not measured ({reason})"))
            assumptions.extend(sources)
        host_w += watts
    return PowerProfile(gpu_w, host_w, where, measured=True, assumptions=tuple(assumptions))


def power_profile_from_file(path: Path, gpu_count: float) -> PowerProfile:
    """Read a measurement JSON file and return its power profile for a job of ``gpu_count`` GPUs."""
    return power_profile(read_measurement(path), gpu_count)


def read_measurement(path: Path) -> dict:
    """The measurement record in a JSON file (PlanError naming the file if it is missing or not JSON)."""
    from planner.files import read_text

    text = read_text("power file", path)
    try:
        record = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"power file '{path}': unreadable JSON ({exc.__class__.__name__})") from None
    except RecursionError:
        raise PlanError(f"power file '{path}': nested too deeply to be a trainplan measurement") from None
    if not isinstance(record, dict):
        raise PlanError(f"power file '{path}': not a trainplan measurement")
    return record
