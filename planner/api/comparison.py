"""One workload against every cloud offer and owned server (the comparison engine's front door)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from planner import compare as compare_engine
from planner import feasibility, grid_time
from planner.api import grid_water
from planner.api.owned import owned_options
from planner.api.snapshot import current_offers
from planner.defaults import PUBLISHED_BATCHES, Assumption
from planner.errors import PlanError
from planner.estimate import PowerProfile
from planner.fields import checked
from planner.memory import MemoryModel
from planner.ownership import conventions_note
from planner.presets import Preset
from planner.scaling import GLOBAL_BATCH_TOKENS
from planner.shipped import ShippedData, load
from planner.units import to_magnitude
from planner.workload import Workload


@functools.lru_cache(maxsize=32)
def _owned(servers: tuple[str, ...] | None, site_zone: str, electricity_zone: str | None,
           electricity_usd_per_kwh: float | None, gpu_power_fraction: float | None,
           overrides: tuple[tuple[str, float | None], ...]) -> tuple[compare_engine.OwnedOption, ...]:
    """``owned_options`` once per set of inputs (the shipped data never changes at run time); one tuple
    object per set, so the engine's preparation of it is reused too."""
    return tuple(owned_options(None if servers is None else list(servers), site_zone=site_zone,
                               electricity_zone=electricity_zone, electricity_usd_per_kwh=electricity_usd_per_kwh,
                               gpu_power_fraction=gpu_power_fraction, **dict(overrides)))


@checked
def compare(
    workload: Workload | str,
    preset: Preset | None = None,
    *,
    providers: list[str] | None = None,
    regions: list[str] | None = None,
    gpus: list[str] | None = None,
    pricing: list[str] | None = None,
    countries: list[str] | None = None,
    max_wall_hours: float | None = None,
    servers: list[str] | None = None,
    site_zone: str = "USA",
    electricity_zone: str | None = None,
    electricity_usd_per_kwh: float | None = None,
    utilisation: float | None = None,
    lifetime_years: float | None = None,
    owned_pue: float | None = None,
    maintenance_pct_per_year: float | None = None,
    staff_usd_per_server_year: float | None = None,
    hosting_usd_per_kw_month: float | None = None,
    resale_fraction: float | None = None,
    overhead_pct_of_capex: float | None = None,
    whole_servers: bool = True,
    accounting_modes: tuple[str, ...] = ("dedicated", "shared"),
    offers: pd.DataFrame | None = None,
    spot_interruptions_per_hour: float | None = None,
    checkpoint_interval_hours: float | None = None,
    restart_hours: float | None = None,
    throughput_ratios: dict[str, float] | None = None,
    gpu_power_fraction: float | None = None,
    monte_carlo: int = 0,
    seed: int = 0,
    power: PowerProfile | None = None,
    deadline: object = None,
    same_gpu: bool = False,
    optimiser: str = "adam",
    sharding: str = "zero3",
    model_memory_gb: float | None = None,
    activation_gb: float | None = None,
    slow_multiple: float | None = None,
    batch_tokens: float | None = None,
    statistic: str = "central",
    start: str | None = None,
    grid_basis: str = "trend",
    owned_cooling: str = "unknown",
    owned_wue_l_per_kwh: float | None = None,
    owned: Mapping[str, object] | None = None,
) -> compare_engine.Comparison:
    """One workload against every cloud offer and owned server configuration (``planner.compare``).

    offers : the normalised offers to compare (default: current offers); pass your own, e.g. 2019 prices
    servers : owned catalog servers (None = every server with a sourced price; [] = cloud only), at
    ``site_zone`` (grid zone: ISO-3 country, ``US-CA``, …) with its electricity price unless given
    Cost [USD], energy [kWh], CO2e [kg] with ``_low``/``_high`` ranges and, with ``monte_carlo`` draws,
    percentiles 5/50/95 per row (seeded).
    power : a measured profile (``api.measured_power``): its W per GPU replaces TDP x fraction for the
    workload's GPU in every row on that GPU (cloud and owned), flagged ``power_measured``.
    deadline : wall-clock every option must meet (hours, or a quantity: '30 day'); each option is sized to
    the whole instances / servers that finish in time, or marked infeasible (``planner.feasibility``)
    same_gpu : only offers and servers of the workload's own GPU (no conversion at all)
    optimiser, sharding, model_memory_gb, activation_gb : the memory check (``planner.memory``); the
    model size is the workload's ``parameters`` (presets carry them where published)
    owned : further ``api.owned_server`` inputs of the owned rows (the full-cost conventions: idle_power_fraction,
    facility, staff_fte_base, discount_rate, credit_residual, …; ``api.STRUBELL2019_CONVENTIONS`` for the paper's)
    statistic : what the ranking and Pareto front read: ``central`` (default) or ``p50`` (Monte Carlo median)
    batch_tokens : global batch [tokens per step] of the Ethernet scaling rule (default: the workload's own,
    e.g. BERT's 256 x 512 = 131,072 for its presets, else Llama 2's 4M; a smaller batch scales worse on Ethernet)
    """
    workload, preset = _workload_of(workload, preset)
    data = load()
    # Catalog ids are case-insensitive everywhere else: 'H100-SXM5-80GB=2' must not be silently ignored.
    ratios = {data.catalog.gpu(gpu).gpu: ratio for gpu, ratio in (throughput_ratios or {}).items()}
    fit = feasibility_options(workload, data, deadline=deadline, optimiser=optimiser, sharding=sharding,
                              model_memory_gb=model_memory_gb, activation_gb=activation_gb,
                              slow_multiple=slow_multiple, batch_tokens=batch_tokens)
    if same_gpu:
        if gpus and any(g != workload.gpu for g in gpus):
            raise PlanError(f"same_gpu: the option GPUs {', '.join(gpus)} differ from the workload's {workload.gpu}")
        gpus = [workload.gpu]
    settings = compare_engine.Settings(
        throughput_ratios=ratios, gpu_power_fraction=gpu_power_fraction,
        spot_interruptions_per_hour=spot_interruptions_per_hour, checkpoint_interval_hours=checkpoint_interval_hours,
        restart_hours=restart_hours, owned_utilisation=utilisation, owned_lifetime_years=lifetime_years,
        maintenance_pct_per_year=maintenance_pct_per_year, whole_servers=whole_servers,
        monte_carlo=int(monte_carlo), seed=int(seed), statistic=statistic,
        measured_gpu_w={workload.gpu: power.gpu_w} if power is not None and power.measured and power.gpu_w > 0 else {},
        measured_source=power.source if power is not None else "",
        grid_factor=grid_water.grid_factor_for(start, grid_basis) if start is not None else None)
    options: tuple[compare_engine.OwnedOption, ...] = ()
    if servers is None or servers:
        options = _owned(
            None if servers is None else tuple(servers), site_zone, electricity_zone, electricity_usd_per_kwh,
            gpu_power_fraction, tuple(sorted(dict(
                lifetime_years=lifetime_years, utilisation=utilisation, pue=owned_pue,
                maintenance_pct_per_year=maintenance_pct_per_year, staff_usd_per_server_year=staff_usd_per_server_year,
                hosting_usd_per_kw_month=hosting_usd_per_kw_month, resale_fraction=resale_fraction,
                overhead_pct_of_capex=overhead_pct_of_capex, **dict(owned or {})).items())))
    base = ()
    if preset is not None:
        base = (Assumption("workload_preset", preset.name, "", preset.workload.source, "", preset.description),)
    result = compare_engine.compare(
        data.catalog, workload, current_offers() if offers is None else offers, data["cloud_regions"],
        data["grid_intensity"], data["spot_interruption"], options, settings=settings, providers=providers,
        region_names=regions, gpus=gpus, pricing=pricing, countries=countries, max_wall_hours=max_wall_hours,
        modes=accounting_modes, base_assumptions=base, feasibility_options=fit)
    _refuse_unused_ratios(ratios, result.table)
    if preset is not None and preset.measured_total_w is not None and power is None:
        # A paper's summed job power (CPU + DRAM + GPUs) cannot be split into the per-GPU draw the engine
        # needs on other GPUs and hosts; say so rather than mix it with TDP-based rows.
        note = (f"{preset.name}: the paper's measured {preset.measured_total_w:,.0f} W (CPU + DRAM + GPUs) is used "
                "by `estimate`; every compared option uses TDP-based power so options compare like for like "
                "(pass a `trainplan measure` file to use measured GPU power)")
        result = replace(result, notes=(*result.notes, note))
    if options:
        result = replace(result, notes=(*result.notes, conventions_note(options[0].server)))
    result = grid_water.with_water(result, {o.server.server: float(o.server.pue) for o in options}, owned_cooling,
                                   owned_wue_l_per_kwh)
    if start is not None:
        result = grid_water.at_start(result, start, grid_basis, scaled=True)
    else:
        grid_time.check_basis(grid_basis)
    feasible = result.table["feasible"].to_numpy(bool)
    pareto_water = np.zeros(len(feasible), dtype=bool)
    pareto_water[feasible] = grid_water.pareto_with_water(result.table[["cost_usd", "co2e_total_kg", "water_l"]][feasible])
    result.table["pareto_water"] = pareto_water
    return result


def _workload_of(workload: object, preset: Preset | None) -> tuple[Workload, Preset | None]:
    """A workload, or a preset name (its preset's workload, and the preset itself unless one is given)."""
    if isinstance(workload, Workload):
        return workload, preset
    if isinstance(workload, str):
        from planner.api.workloads import make_workload

        made, chosen = make_workload(workload)  # a one-line PlanError listing the presets for an unknown name
        return made, preset if preset is not None else chosen
    raise PlanError(f"workload: expected a Workload (api.make_workload(...)) or a preset name, "
                    f"got {type(workload).__name__}")


def _refuse_unused_ratios(ratios: Mapping[str, float], table: pd.DataFrame) -> None:
    """A throughput ratio for a GPU no compared option runs on would change nothing: an error naming it."""
    if not ratios:
        return
    compared = sorted(set(table["gpu"].astype(str))) if "gpu" in table else []
    unused = [gpu for gpu in ratios if gpu not in compared]
    if unused:
        listed = ", ".join(compared[:8]) + (", ..." if len(compared) > 8 else "") if compared else "none"
        raise PlanError(f"throughput_ratios '{unused[0]}': no option compared runs on it (the filters leave: "
                        f"{listed}), so it would change nothing; drop it or widen the filters")


def feasibility_options(workload: Workload, data: ShippedData, *, deadline: object = None, optimiser: str = "adam",
                        sharding: str = "zero3", model_memory_gb: float | None = None,
                        activation_gb: float | None = None, slow_multiple: float | None = None,
                        batch_tokens: float | None = None) -> feasibility.Options:
    """The feasibility inputs of a comparison: the memory model of the workload, the deadline [h] and the
    shipped MFU and interconnect tables."""
    memory = MemoryModel(parameters=workload.parameters, model_memory_gb=model_memory_gb,
                         precision=workload.precision, optimiser=optimiser, sharding=sharding,
                         activation_gb=activation_gb)
    hours = None if deadline is None else to_magnitude("deadline", deadline, "hour")
    return feasibility.Options(
        memory=memory, deadline_hours=hours,
        slow_multiple=float(feasibility.SLOW_MULTIPLE.value) if slow_multiple is None else float(slow_multiple),
        mfu=data["mfu"], instance_interconnect=data.tables.get("instance_interconnect"),
        server_interconnect=data.tables.get("server_interconnect"), batch=batch_assumption(workload, batch_tokens))


def batch_assumption(workload: Workload, batch_tokens: float | None = None) -> Assumption:
    """The global batch of the Ethernet scaling rule: given, else the workload's own (a preset's published one,
    ``defaults.PUBLISHED_BATCHES``), else Llama 2's 4M tokens."""
    if batch_tokens is not None:
        return Assumption("global_batch_tokens", float(batch_tokens), "tokens per optimiser step", "user input", "")
    if workload.batch_tokens is not None:
        published = PUBLISHED_BATCHES.get(workload.batch_basis)
        if published is not None and float(published.value) == float(workload.batch_tokens):
            return published
        return Assumption("global_batch_tokens", float(workload.batch_tokens), "tokens per optimiser step",
                          "user input (workload)", "")
    return GLOBAL_BATCH_TOKENS


def feasibility_summary(table: pd.DataFrame) -> str:
    """One line: how many rows are feasible, and how many are not, by first reason."""
    if "feasible" not in table:
        return "feasibility: not checked"
    feasible = table["feasible"].astype(bool)
    reasons = table.loc[~feasible, "infeasible_reason"].astype(str).str.split(";").str[0].str.split(":").str[0]
    counts = ", ".join(f"{n:,} {r}" for r, n in reasons.value_counts().items())
    return f"{int(feasible.sum()):,} of {len(table):,} options can train it" + (
        f"; infeasible: {counts} (see infeasible_reason; --all ranks them too)" if counts else "")
