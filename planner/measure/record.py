"""Pure aggregation of sampled power into a measurement record: average and peak power, energy, wall time.

The record is what ``trainplan measure`` writes (JSON) and ``planner.measure.reader`` reads. Schema
``trainplan.measurement/1``; every number is null where it was not measured, never guessed::

    {
      "schema": "trainplan.measurement/1",
      "command": "python train.py", "argv": ["python", "train.py"],
      "host": "node17", "started_at": "2025-06-01T12:00:00+00:00",
      "wall_s": 86400.0,              # child start to child exit [s]
      "exit_code": 0,                 # the child's; killed by signal N -> 128 + N
      "stopped_by": null,             # or "interrupt" (Ctrl-C / SIGTERM) or "duration" (--duration reached)
      "interval_s": 1.0, "sampler_cpu_s": 0.8,   # the sampler thread's own CPU time [s]
      "gpu":  {"measured": true, "reason": null, "model": "NVIDIA H100 80GB HBM3", "count": 8,
               "samples": 86401, "window_s": 86400.2,
               "avg_w": 2800.0, "avg_w_per_gpu": 350.0,   # time-weighted mean [W]
               "peak_w": 4100.0, "peak_w_per_gpu": 690.0, # highest sample: all GPUs summed / one GPU [W]
               "energy_j": 2.4e8, "energy_kwh": 67.2,
               "energy_method": "nvml_counter" | "trapezoid",
               "avg_util_pct": 97.0, "power_limit_w": 700.0,
               "devices": [{"index": 0, "name": "...", "avg_w": ..., "peak_w": ..., "energy_j": ...,
                            "avg_util_pct": ..., "power_limit_w": ...}, ...]},
      "cpu":  {"measured": true, "reason": null, "zones": ["package-0", "package-1"], "samples": 86401,
               "window_s": 86400.2, "avg_w": 180.0, "peak_w": 260.0, "energy_j": ..., "energy_kwh": ...},
      "dram": {same keys as cpu; zones named "dram"},
      "notes": ["..."]
    }

Formulas. Power samples (NVML): ``E = Σ (t[i+1] − t[i]) · (p[i] + p[i+1]) / 2`` (trapezoid);
energy counters (RAPL, NVML total energy): ``E = Σ ((c[i+1] − c[i]) mod (c_max + 1))`` (a counter that
wrapped past ``c_max`` once between samples still counts right). Average power ``P̄ = E / (t[-1] − t[0])``;
peak = the highest power sample (for counters: the highest interval average ``ΔE / Δt``).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

SCHEMA = "trainplan.measurement/1"
J_PER_KWH = 3.6e6
#: NVML's total-energy counter is an unsigned 64-bit count of mJ since the driver loaded: it never wraps in
#: practice, and numpy's int64 holds it for 290 million years at 1 kW.
NVML_COUNTER_MAX = np.iinfo(np.int64).max - 1


def trapezoid_energy_j(t_s: np.ndarray, power_w: np.ndarray) -> np.ndarray | float:
    """Energy of sampled power by the trapezoid rule [J], per column.

    ``E = Σ (t[i+1] − t[i]) · (p[i] + p[i+1]) / 2``
    t_s : sample times [s], shape (n,); power_w : power [W], shape (n,) or (n, k). NaN with fewer than 2 samples.
    """
    t = np.asarray(t_s, dtype=float)
    p = np.asarray(power_w, dtype=float)
    if len(t) < 2:
        return np.full(p.shape[1:], np.nan) if p.ndim > 1 else float("nan")
    dt = np.diff(t).reshape((-1,) + (1,) * (p.ndim - 1))
    energy = np.sum(dt * (p[1:] + p[:-1]) / 2.0, axis=0)
    return float(energy) if p.ndim == 1 else energy


def cumulative_counter_energy_j(counter: np.ndarray, max_range: np.ndarray | float,
                                joules_per_count: float) -> np.ndarray:
    """Energy since the first reading of a wrapping energy counter [J], per column.

    ``ΔE[i] = ((c[i+1] − c[i]) mod (max_range + 1)) · joules_per_count``, cumulated from 0.
    counter : raw readings, shape (n,) or (n, k), integers; max_range : the counter's largest value
    (per column); joules_per_count : 1e-6 for RAPL's µJ, 1e-3 for NVML's mJ.
    Assumes at most one wrap between two readings (RAPL package counters wrap every ~20 min or more).
    """
    c = np.asarray(counter, dtype=np.int64)
    steps = np.mod(np.diff(c, axis=0), np.asarray(max_range, dtype=np.int64) + 1)
    zero = np.zeros((1,) + c.shape[1:], dtype=np.int64)
    return np.concatenate([zero, np.cumsum(steps, axis=0)]) * joules_per_count


def energy_summary(t_s: np.ndarray, cumulative_j: np.ndarray) -> dict[str, float | None]:
    """Energy, average and peak power of a component from cumulative energy readings (columns summed).

    ``P̄ = E / (t[-1] − t[0])``; peak = ``max ΔE / Δt`` over sampling intervals. [J], [W]
    """
    t = np.asarray(t_s, dtype=float)
    total = np.asarray(cumulative_j, dtype=float)
    total = total.sum(axis=1) if total.ndim > 1 else total
    if len(t) < 2 or t[-1] <= t[0]:
        return {"energy_j": None, "avg_w": None, "peak_w": None}
    dt = np.diff(t)
    interval_w = np.diff(total)[dt > 0] / dt[dt > 0]
    energy = float(total[-1] - total[0])
    return {"energy_j": energy, "avg_w": energy / float(t[-1] - t[0]), "peak_w": float(interval_w.max())}


def power_summary(t_s: np.ndarray, power_w: np.ndarray) -> dict[str, float | None]:
    """Energy (trapezoid), time-weighted average and peak of sampled power (columns summed). [J], [W]"""
    t = np.asarray(t_s, dtype=float)
    p = np.asarray(power_w, dtype=float)
    total = p.sum(axis=1) if p.ndim > 1 else p
    peak = float(total.max()) if len(total) else None
    if len(t) < 2 or t[-1] <= t[0]:
        return {"energy_j": None, "avg_w": None, "peak_w": peak}
    energy = trapezoid_energy_j(t, total)
    return {"energy_j": energy, "avg_w": energy / float(t[-1] - t[0]), "peak_w": peak}


@dataclass
class GpuSeries:
    """NVML samples of k GPUs: times [s], power [W] (n, k), utilisation [%] (n, k), energy counters [mJ] or None."""

    names: list[str]
    indices: list[int]
    power_limit_w: list[float | None]
    t_s: list[float] = field(default_factory=list)
    power_w: list[list[float]] = field(default_factory=list)
    util_pct: list[list[float]] = field(default_factory=list)
    energy_mj: list[list[int]] | None = field(default_factory=list)


@dataclass
class RaplSeries:
    """RAPL counter readings [µJ] of named zones (n, k), each with its wrap value ``max_range_uj``."""

    names: list[str]
    kinds: list[str]
    max_range_uj: list[int]
    t_s: list[float] = field(default_factory=list)
    energy_uj: list[list[int]] = field(default_factory=list)


def _mean_or_none(values: np.ndarray) -> float | None:
    """Mean of the finite values (a GPU may not report utilisation: NaN), None when there are none."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def _with_kwh(summary: dict[str, float | None]) -> dict[str, float | None]:
    energy = summary["energy_j"]
    return {**summary, "energy_kwh": None if energy is None else energy / J_PER_KWH}


def _unmeasured(reason: str, **extra: object) -> dict[str, object]:
    return {"measured": False, "reason": reason, **extra, "samples": 0, "window_s": None, "avg_w": None,
            "peak_w": None, "energy_j": None, "energy_kwh": None}


def gpu_section(series: GpuSeries | None, reason: str | None = None) -> dict[str, object]:
    """The ``gpu`` section of a record from NVML samples (counters preferred to the trapezoid when every GPU has one)."""
    if series is None or len(series.t_s) == 0:
        base = _unmeasured(reason or "no GPU sample was read", model=None, count=0)
        return {**base, "avg_w_per_gpu": None, "peak_w_per_gpu": None, "energy_method": None, "avg_util_pct": None,
                "power_limit_w": None, "devices": []}
    t = np.asarray(series.t_s, dtype=float)
    power = np.asarray(series.power_w, dtype=float)
    util = np.asarray(series.util_pct, dtype=float)
    k = len(series.names)
    use_counter = bool(series.energy_mj) and len(series.energy_mj) == len(t)
    per_device = []
    for j in range(k):
        if use_counter:
            cum = cumulative_counter_energy_j(np.asarray(series.energy_mj)[:, j], NVML_COUNTER_MAX, 1e-3)
            s = energy_summary(t, cum)
            s["peak_w"] = float(power[:, j].max())
        else:
            s = power_summary(t, power[:, j])
        per_device.append({"index": series.indices[j], "name": series.names[j], **_with_kwh(s),
                           "avg_util_pct": _mean_or_none(util[:, j]), "power_limit_w": series.power_limit_w[j]})
    energies = [d["energy_j"] for d in per_device]
    energy = None if any(e is None for e in energies) else float(sum(energies))
    window = float(t[-1] - t[0])
    avg = None if energy is None or window <= 0 else energy / window
    models = sorted(set(series.names))
    limits = [w for w in series.power_limit_w if w is not None]
    return {
        "measured": True, "reason": None, "model": ", ".join(models), "count": k, "samples": len(t),
        "window_s": window, "avg_w": avg, "avg_w_per_gpu": None if avg is None else avg / k,
        "peak_w": float(power.sum(axis=1).max()), "peak_w_per_gpu": float(power.max()),
        "energy_j": energy, "energy_kwh": None if energy is None else energy / J_PER_KWH,
        "energy_method": "nvml_counter" if use_counter else "trapezoid",
        "avg_util_pct": _mean_or_none(util), "power_limit_w": max(limits) if limits else None,
        "devices": per_device,
    }


def rapl_section(series: RaplSeries | None, kind: str, reason: str | None = None) -> dict[str, object]:
    """The ``cpu`` (package zones) or ``dram`` section of a record from RAPL counter readings."""
    columns = [] if series is None else [j for j, z in enumerate(series.kinds) if z == kind]
    if series is None or not columns or len(series.t_s) == 0:
        why = reason or ("no RAPL sample was read" if columns else f"no RAPL {kind} zone on this host")
        return _unmeasured(why, zones=[] if series is None else [series.names[j] for j in columns])
    t = np.asarray(series.t_s, dtype=float)
    counters = np.asarray(series.energy_uj, dtype=np.int64)[:, columns]
    wraps = np.asarray(series.max_range_uj, dtype=np.int64)[columns]
    summary = energy_summary(t, cumulative_counter_energy_j(counters, wraps, 1e-6))
    return {"measured": True, "reason": None, "zones": [series.names[j] for j in columns], "samples": len(t),
            "window_s": float(t[-1] - t[0]), **_with_kwh(summary)}


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it: killed by signal N (``-N``) -> ``128 + N``."""
    return 128 - returncode if returncode < 0 else returncode


def measurement_record(
    argv: Sequence[str], *, host: str, started_at: str, wall_s: float, exit_code: int | None,
    stopped_by: str | None, interval_s: float, sampler_cpu_s: float | None,
    gpu: GpuSeries | None, gpu_reason: str | None, rapl: RaplSeries | None, rapl_reason: str | None,
    notes: Sequence[str] = (),
) -> dict[str, object]:
    """The measurement record (schema above) from the run's facts and its samples."""
    return {
        "schema": SCHEMA,
        "command": shlex.join(argv),
        "argv": list(argv),
        "host": host,
        "started_at": started_at,
        "wall_s": wall_s,
        "exit_code": exit_code,
        "stopped_by": stopped_by,
        "interval_s": interval_s,
        "sampler_cpu_s": sampler_cpu_s,
        "gpu": gpu_section(gpu, gpu_reason),
        "cpu": rapl_section(rapl, "cpu", rapl_reason),
        "dram": rapl_section(rapl, "dram", rapl_reason),
        "notes": list(notes),
    }


def summary_lines(record: dict) -> list[str]:
    """A few human lines about a record: wall time, then average / peak power of each component."""
    lines = [f"{record['command']}: exit {record['exit_code']}, {record['wall_s']:.1f} s wall"
             + (f", stopped by {record['stopped_by']}" if record.get("stopped_by") else "")]
    gpu = record["gpu"]
    if gpu["measured"] and gpu["avg_w"] is not None:
        lines.append(f"GPU  {gpu['count']} x {gpu['model']}: average {gpu['avg_w_per_gpu']:.1f} W per GPU "
                     f"({gpu['avg_w']:.1f} W in all), peak {gpu['peak_w']:.1f} W, {gpu['energy_kwh']:.6f} kWh, "
                     f"utilisation {gpu['avg_util_pct']:.0f}%")
    else:
        lines.append(f"GPU  not measured: {gpu['reason']}")
    for name in ("cpu", "dram"):
        part = record[name]
        if part["measured"] and part["avg_w"] is not None:
            lines.append(f"{name.upper():<4} {', '.join(part['zones'])}: average {part['avg_w']:.1f} W, "
                         f"peak {part['peak_w']:.1f} W, {part['energy_kwh']:.6f} kWh")
        else:
            lines.append(f"{name.upper():<4} not measured: {part['reason']}")
    return lines
