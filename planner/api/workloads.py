"""Workloads: presets, and workloads from plain values or quantities."""

from __future__ import annotations

import functools
from dataclasses import replace

import pandas as pd

from planner import defaults
from planner.errors import PlanError, positive
from planner.fields import checked
from planner.presets import Preset, build_preset, build_presets, preset
from planner.shipped import load
from planner.throughput import default_mfu
from planner.units import to_magnitude
from planner.workload import Workload, convert, from_compute, from_gpu_hours, from_hours, training_flops


def presets() -> dict[str, Preset]:
    """Every workload preset by name."""
    return dict(_shipped_presets())


@functools.lru_cache(maxsize=1)
def _shipped_presets() -> dict[str, Preset]:
    # Built once per process: the shipped data is read once (``load``) and presets are frozen dataclasses.
    data = load()
    return build_presets(data.catalog, data.tables)


def _shipped_preset(name: str) -> Preset:
    """One preset by name: from ``presets()`` once every preset is built, else building only that one."""
    if _shipped_presets.cache_info().currsize:
        return preset(_shipped_presets(), name)
    if name not in _one_preset:
        data = load()
        _one_preset[name] = build_preset(data.catalog, data.tables, name)
    return _one_preset[name]


_one_preset: dict[str, Preset] = {}


def presets_table() -> pd.DataFrame:
    """The presets as a table: name, GPU, count, hours, GPU-hours, description."""
    return pd.DataFrame([
        {"preset": p.name, "gpu": p.workload.gpu, "gpu_count": p.workload.gpu_count, "hours": p.workload.hours,
         "gpu_hours": p.workload.gpu_hours, "description": p.description} for p in presets().values()
    ])


@checked
def make_workload(
    preset_name: str | None = None,
    *,
    gpu: str | None = None,
    gpu_count: float | None = None,
    hours: object = None,
    gpu_hours: object = None,
    parameters: float | None = None,
    tokens: float | None = None,
    flops: float | None = None,
    mfu: float | None = None,
    repeats: float = 1.0,
    precision: str | None = None,
    name: str = "custom workload",
) -> tuple[Workload, Preset | None]:
    """A workload from a preset (optionally moved to another GPU / count) or from flags.

    hours / gpu_hours accept floats (hours) or quantities ('3.3 day', ``Q_(79.2, 'h')``).
    Exactly one of: a preset; hours; gpu_hours; a compute budget (flops, or parameters × tokens) with mfu.
    parameters without tokens (or beside a preset, hours or gpu_hours) is the model's size only: it feeds the
    memory check of ``compare`` (``planner.memory``), not the hours.
    """
    workload, chosen = _make_workload(preset_name, gpu=gpu, gpu_count=gpu_count, hours=hours, gpu_hours=gpu_hours,
                                      parameters=parameters, tokens=tokens, flops=flops, mfu=mfu, repeats=repeats,
                                      precision=precision, name=name)
    if parameters is not None:
        workload = replace(workload, parameters=positive("parameters", parameters))
    return workload, chosen


def _make_workload(preset_name: str | None, *, gpu: str | None, gpu_count: float | None, hours: object,
                   gpu_hours: object, parameters: float | None, tokens: float | None, flops: float | None,
                   mfu: float | None, repeats: float, precision: str | None, name: str
                   ) -> tuple[Workload, Preset | None]:
    data = load()
    catalog = data.catalog
    positive("repeats", repeats)
    if preset_name:
        chosen = _shipped_preset(preset_name)
        ignored = [n for n, v in (("hours", hours), ("gpu_hours", gpu_hours), ("parameters", parameters),
                                  ("tokens", tokens), ("flops", flops), ("mfu", mfu)) if v is not None]
        if ignored:
            raise PlanError(f"{ignored[0]}: the preset '{chosen.name}' fixes the run's length "
                            f"({chosen.workload.gpu_hours:,.0f} GPU-h); give a preset or {ignored[0]}, not both "
                            "(gpu and gpu_count move a preset)")
        workload = replace(chosen.workload, repeats=float(repeats))
        if precision:
            workload = replace(workload, precision=precision)
        if gpu or gpu_count:
            workload = convert(catalog, workload, gpu or workload.gpu, gpu_count)
            chosen = replace(chosen, measured_total_w=None) if workload.gpu != chosen.workload.gpu or \
                workload.gpu_count != chosen.workload.gpu_count else chosen
        return workload, chosen
    if not gpu:
        raise PlanError("gpu: required unless a preset is given; see `trainplan catalog gpus`")
    precision = precision or str(defaults.DEFAULT_PRECISION.value)
    if mfu is not None and (hours is not None or gpu_hours is not None):
        raise PlanError(f"mfu: {'hours' if hours is not None else 'gpu_hours'} sets the run's length; mfu only "
                        "applies to a compute budget (flops or parameters x tokens)")
    if flops is not None and (parameters is not None and tokens is not None):
        raise PlanError("flops: give flops or parameters x tokens, not both")
    if tokens is not None and (hours is not None or gpu_hours is not None):
        raise PlanError(f"tokens: {'hours' if hours is not None else 'gpu_hours'} sets the run's length; tokens "
                        "only make a compute budget (with parameters and mfu)")
    size_only = parameters is not None and tokens is None and flops is None and (hours is not None or
                                                                                 gpu_hours is not None)
    ways = sum(x is not None for x in (hours, gpu_hours)) + int(flops is not None or
                                                                (parameters is not None and not size_only))
    if ways != 1:
        raise PlanError("workload: give exactly one of hours, gpu_hours, or a compute budget (flops or parameters+tokens)")
    if hours is not None:
        return from_hours(catalog, name, gpu, _count(gpu_count), to_magnitude("hours", hours, "hour"), repeats,
                          precision), None
    if gpu_hours is not None:
        return from_gpu_hours(catalog, name, gpu, to_magnitude("gpu_hours", gpu_hours, "hour"), _count(gpu_count),
                              repeats, precision), None
    if flops is None:
        if parameters is None or tokens is None:
            raise PlanError("parameters, tokens: give both (or flops) for a compute budget")
        flops = training_flops(parameters, tokens)
    if mfu is None:
        # trainplan's default efficiency (planner.throughput.default_mfu): the shipped MFU table's median on the
        # GPU; its error against published runs is in the README ("Predicting published runs").
        mfu, basis = default_mfu(catalog.mfu, catalog.gpu(gpu).gpu, catalog)
        workload = from_compute(catalog, name, gpu, _count(gpu_count), flops, mfu, repeats, precision)
        return replace(workload, notes=(*workload.notes, f"MFU {mfu:.3g}: trainplan's default, the {basis} "
                                        "(short benchmarks: full runs took 4-67% more GPU-hours, README)")), None
    return from_compute(catalog, name, gpu, _count(gpu_count), flops, mfu, repeats, precision), None


def _count(gpu_count: float | None) -> float:
    if gpu_count is None:
        raise PlanError("gpu_count: required (a whole number of GPUs > 0)")
    return positive("gpu_count", gpu_count)
