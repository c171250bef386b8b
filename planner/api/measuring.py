"""Measuring a command's power, and measured power profiles from a measurement file."""

from __future__ import annotations

from planner.errors import PlanError, at_least, positive
from planner.estimate import PowerProfile
from planner.fields import checked
from planner.units import to_magnitude

MIN_MEASURE_INTERVAL_S = 0.05


@checked
def measure_command(
    argv: list[str],
    *,
    interval: object = 1.0,
    duration: object = None,
    out: str | None = "measured.json",
    force: bool = False,
    gpu_indices: list[int] | None = None,
    say: object = None,
) -> tuple[int, dict]:
    """Run a command while sampling GPU (NVML), CPU and DRAM (RAPL) power; write and return the record.

    interval / duration accept seconds or quantities ('1s', '0.2 s', '24 h'). Returns (the command's exit
    status, the measurement record; schema in ``planner.measure.record``). ``say`` gets one-line notices.
    """
    from planner.files import check_output
    from planner.measure.runner import run_measured

    if not argv:
        raise PlanError("command: give the command to measure after `--`, e.g. trainplan measure -- python train.py")
    interval_s = at_least("interval", to_magnitude("interval", interval, "second"), MIN_MEASURE_INTERVAL_S)
    duration_s = None if duration is None else positive("duration", to_magnitude("duration", duration, "second"), "s")
    out_path = None if out is None else check_output("out", out, force=force)
    return run_measured(argv, interval_s=interval_s, duration_s=duration_s, out_path=out_path,
                        gpu_indices=gpu_indices, say=say or (lambda line: None))


@checked
def measured_power(path: str, gpu_count: float | None = None) -> PowerProfile:
    """The measured ``PowerProfile`` in a `trainplan measure` file, for a job of ``gpu_count`` GPUs.

    ``gpu_w`` is the measured average per GPU [W]; ``host_w`` the measured CPU + DRAM power scaled to
    ``gpu_count`` GPUs (default: as many as were measured) [W]; ``measured`` is True and ``assumptions``
    say what was measured and what defaulted.
    """
    from pathlib import Path

    from planner.measure.reader import power_profile, read_measurement

    record = read_measurement(Path(path))
    count = gpu_count if gpu_count is not None else ((record.get("gpu") or {}).get("count") or 0)
    return power_profile(record, count)
