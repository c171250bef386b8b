"""Workload presets: the paper's models, its LISA case study, and modern published runs, from the shipped data."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from planner.catalog import Catalog
from planner.defaults import PRESET_BATCHES, PUBLISHED_BATCHES
from planner.errors import unknown
from planner.feasibility import DEFAULT_DEADLINE_DAYS
from planner.workload import Workload, from_compute, from_gpu_hours, from_hours, training_flops

#: GPUs per server when a published run gives GPU-hours but no GPU count: its count is the fewest whole
#: 8-GPU servers that finish the GPU-hours within ``feasibility.DEFAULT_DEADLINE_DAYS`` (not a silent 8).
SERVER_GPUS = 8


def count_for_deadline(gpu_hours: float, days: float = float(DEFAULT_DEADLINE_DAYS.value),
                       per_server: int = SERVER_GPUS) -> float:
    """The fewest whole servers' GPUs that finish ``gpu_hours`` in ``days``: ``G · ⌈H / (24 · d · G)⌉``."""
    return float(per_server * math.ceil(gpu_hours / (24.0 * days * per_server) - 1e-9))


@dataclass(frozen=True)
class Preset:
    """A named workload and, where the source measured it, the job's summed average power [W]."""

    name: str
    workload: Workload
    description: str
    measured_total_w: float | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _paper_presets(catalog: Catalog, inputs: pd.DataFrame) -> list[tuple[str, Callable[[], Preset]]]:
    builders = []
    seen: set[str] = set()
    for row in inputs.itertuples():
        name = _slug(row.model)
        if name in seen or row.accelerator.startswith("TPU"):
            name = f"{name}-{_slug(row.accelerator)}"
        seen.add(name)
        builders.append((name, functools.partial(_paper_preset, catalog, name, row)))
    return builders


def _paper_preset(catalog: Catalog, name: str, row: Any) -> Preset:
    count = float(row.count)
    notes: tuple[str, ...] = ()
    if row.accelerator.startswith("TPU"):
        # A 2019 TPU "device" is a v2-8 / v3-8 board: 4 chips; the catalog counts chips.
        count *= 4
        notes = (f"{int(row.count)} TPU devices = {int(count)} chips (4 chips per v2-8/v3-8 device)",)
    if float(row.hours_used) != float(row.hours_printed):
        notes += (str(row.note),)
    workload = from_hours(catalog, f"{row.model} ({row.hardware})", row.gpu, count, float(row.hours_used),
                          precision="fp32", source=str(row.source), notes=notes)
    power = None if pd.isna(row.power_w) else float(row.power_w)
    return Preset(name, workload, f"Strubell et al. 2019, Table 3: {row.model} on {row.hardware}", power)


def _lisa_preset(catalog: Catalog, ownership: pd.DataFrame) -> Preset:
    gpu_hours = float(ownership.loc[ownership["key"] == "strubell_lisa_rd_gpu_hours", "value"].iloc[0])
    # "approximately 58 GPUs for 172 days" (section 4); Table 4 prices it as P100 GPU-hours.
    workload = from_gpu_hours(catalog, "LISA development, 4,789 models (Strubell et al. 2019, Table 4)",
                              "p100-pcie-16gb", gpu_hours, 58, precision="fp32",
                              source="Strubell et al. 2019, Table 4 and section 4",
                              notes=("58 GPUs for about 172 days, as the paper's section 4 puts it",))
    return Preset("lisa", workload, "Strubell et al. 2019, Table 4: developing LISA (4,789 models, 239,942 GPU-h)")


def _published_presets(catalog: Catalog, runs: pd.DataFrame) -> list[tuple[str, Callable[[], Preset]]]:
    known = set(catalog.gpu_ids())
    return [(str(row.run_id), functools.partial(_published_preset, catalog, row)) for row in runs.itertuples()
            if row.gpu in known and not pd.isna(row.gpu_hours) and row.verified == "yes"]


def _published_preset(catalog: Catalog, row: Any) -> Preset:
    gpu_hours = float(row.gpu_hours)
    if pd.isna(row.gpu_count):
        count = count_for_deadline(gpu_hours)
        days = float(DEFAULT_DEADLINE_DAYS.value)
        notes: tuple[str, ...] = (
            f"GPU count not published: {count:,.0f} GPUs ({count / SERVER_GPUS:,.0f} whole {SERVER_GPUS}-GPU "
            f"servers), the fewest that finish its {gpu_hours:,.0f} GPU-h within trainplan's {days:g}-day "
            "default deadline; the count sets the wall-clock time, how many servers a dedicated purchase "
            "buys and the scaling of every option (pass --gpus or --deadline to change it)",)
    else:
        count, notes = float(row.gpu_count), ()
    parameters = None if pd.isna(row.params_b) else float(row.params_b) * 1e9
    workload = from_gpu_hours(catalog, str(row.model), row.gpu, gpu_hours, count,
                              source=f"{row.source} ({row.url})", notes=notes)
    workload = replace(workload, parameters=parameters)
    return Preset(row.run_id, workload, f"{row.model}: {float(row.gpu_hours):,.0f} GPU-h on {row.gpu}")


def _compute_presets(catalog: Catalog, runs: pd.DataFrame, mfu: pd.DataFrame) -> list[Preset]:
    """MPT-7B from its compute budget: 6 · 7B · 1T FLOPs on 440 A100-40GB at the published MFU."""
    run = runs[runs["run_id"] == "mpt-7b"].iloc[0]
    rate = mfu[(mfu["model"] == "MPT 7B") & (mfu["gpu"] == "a100-sxm4-40gb")].iloc[0]
    flops = training_flops(float(run["params_b"]) * 1e9, float(run["tokens_b"]) * 1e9)
    workload = from_compute(catalog, "MPT-7B (from compute: 6·N·D)", "a100-sxm4-40gb", float(run["gpu_count"]),
                            flops, float(rate["mfu"]), source=f"{run['source']}; MFU: {rate['source']}")
    workload = replace(workload, parameters=float(run["params_b"]) * 1e9)
    return [Preset("mpt-7b-compute", workload, "MPT-7B: 7B params x 1T tokens on 440 A100-40GB at MosaicML's MFU")]


def preset_builders(catalog: Catalog, tables: Mapping[str, pd.DataFrame]) -> dict[str, Callable[[], Preset]]:
    """Every preset's name, in listing order, with the function that builds it (nothing is built yet)."""
    named = _paper_presets(catalog, tables["strubell2019_inputs"])
    named.append(("lisa", lambda: _lisa_preset(catalog, tables["ownership_defaults"])))
    named += _published_presets(catalog, tables["published_runs"])
    named.append(("mpt-7b-compute", lambda: _compute_presets(catalog, tables["published_runs"], tables["mfu"])[0]))
    return dict(named)


def build_presets(catalog: Catalog, tables: Mapping[str, pd.DataFrame]) -> dict[str, Preset]:
    """Every preset by name (each built and validated)."""
    return {name: _with_batch(build()) for name, build in preset_builders(catalog, tables).items()}


def build_preset(catalog: Catalog, tables: Mapping[str, pd.DataFrame], name: str) -> Preset:
    """One preset by name, building only it (``build_presets()[name]``); close matches on a miss."""
    builders = preset_builders(catalog, tables)
    if name not in builders:
        raise unknown("workload preset", name, builders)
    return _with_batch(builders[name]())


def _with_batch(chosen: Preset) -> Preset:
    """The preset with its model's published global batch (``defaults.PRESET_BATCHES``), where there is one."""
    key = PRESET_BATCHES.get(chosen.name)
    if key is None:
        return chosen
    batch = float(PUBLISHED_BATCHES[key].value)
    return replace(chosen, workload=replace(chosen.workload, batch_tokens=batch, batch_basis=key))


def preset(presets: dict[str, Preset], name: str) -> Preset:
    """Look up a preset by name, with close matches on a miss."""
    if name not in presets:
        raise unknown("workload preset", name, presets)
    return presets[name]
