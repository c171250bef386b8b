"""Grant-proposal reports of a workload."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from planner.defaults import Assumption
from planner.estimate import PowerProfile
from planner.fields import checked
from planner.options import report_subset
from planner.presets import Preset
from planner.shipped import load
from planner.workload import Workload
from pricing.store import current_snapshots

if TYPE_CHECKING:  # the renderers load matplotlib and fpdf2: imported only when a report is made
    from planner.reports import Report

from planner.api.comparison import compare
from planner.api.estimates import estimate_workload
from planner.api.grid_water import chosen_start_months
from planner.compare import Comparison


@checked
def report(
    workload: Workload,
    chosen: Preset | None = None,
    *,
    provider: str | None = None,
    region: str | None = None,
    pricing: str | None = None,
    grid_zone: str | None = None,
    pue: float | None = None,
    gpu_power_fraction: float | None = None,
    power: PowerProfile | None = None,
    gpu_w: object = None,
    host_w: object = None,
    grid_gco2e_per_kwh: object = None,
    comparison: Comparison | None = None,
    compare_kwargs: dict | None = None,
    chosen_row: object = None,
    options_table: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | tuple[Assumption, ...] | None = None,
    chosen_index: int | None = None,
    generated_at: object = None,
    title: str | None = None,
    start: str | None = None,
    grid_basis: str = "trend",
    cooling: str = "unknown",
    wue_l_per_kwh: float | None = None,
) -> Report:
    """A grant-proposal report of a workload: the chosen option, the options compared, assumptions, sources.

    comparison : the comparison the report is about (``api.compare(...)``); default: ``compare`` of the
        workload with ``compare_kwargs`` (its filters, e.g. ``{"providers": ["aws"], "max_wall_hours": 72}``)
        and the same measured power; the options compared are on-demand (and owned) unless ``compare_kwargs``
        or ``pricing`` says otherwise, since a budget should not rest on spot. The report shows a report-sized part of it
        (``planner.options.report_subset``), and takes its counts, cloud cost range and picks from all of it.
    chosen_row : index label of the chosen option in ``comparison.table``; default: the row of
        ``provider``/``region``/``pricing`` on the workload's GPU when given, else the cheapest feasible cloud
        option on the workload's GPU (else the cheapest cloud option, else the cheapest option).
    provider, region, pricing, grid_zone, pue, gpu_power_fraction, power, gpu_w, host_w, grid_gco2e_per_kwh :
        as ``estimate_workload``: the estimate at your own inputs, which the report states beside the chosen
        option when any facility or power input is given.
    options_table / assumptions / chosen_index : an options table of your own instead of a comparison (the
        chosen option is then its row ``chosen_index``, or the estimate row when None).
    generated_at : the report's time stamp (datetime or ISO 8601 text); default now, UTC. Pass a fixed one
        to get byte-identical files.
    start / grid_basis : the job's start month (YYYY-MM) and future-grid basis, for the estimate and the
        comparison run here (``api.compare``); water is reported beside CO2e either way.
    cooling / wue_l_per_kwh : an owned room's cooling or its own WUE [L/kWh of IT energy], for the estimate (where
        no provider is given) and the owned rows of the comparison run here, as ``estimate`` and ``compare`` take them.
    Render with ``planner.reports.render(report, fmt)`` or write with ``planner.reports.write_report``.
    """
    from datetime import UTC, datetime

    from planner import answers, options
    from planner.reports import build_report

    result = estimate_workload(workload, chosen, provider=provider, region=region, pricing=pricing,
                               grid_zone=grid_zone, pue=pue, gpu_power_fraction=gpu_power_fraction, power=power,
                               gpu_w=gpu_w, host_w=host_w, grid_gco2e_per_kwh=grid_gco2e_per_kwh,
                               start=start, grid_basis=grid_basis, cooling=cooling, wue_l_per_kwh=wue_l_per_kwh)
    compared_table = None
    own_inputs = any(v is not None for v in (grid_zone, pue, gpu_w, host_w, grid_gco2e_per_kwh)) or \
        (power is not None and power.measured)
    if options_table is None:
        if comparison is None:
            compare_kwargs = {"pricing": [pricing or "on_demand"], **(compare_kwargs or {})}
            comparison = compare(workload, chosen, gpu_power_fraction=gpu_power_fraction,
                                 power=power if power is not None and power.measured else None, start=start,
                                 grid_basis=grid_basis, owned_cooling=cooling, owned_wue_l_per_kwh=wue_l_per_kwh,
                                 **compare_kwargs)
        table = comparison.table
        reason = "the option chosen"
        if chosen_row is None and provider and region:
            current = options.current_option(table, provider, region, pricing, workload.gpu)
            chosen_row = None if current is None else current.name
            reason = f"the cheapest offer of the provider and region we chose ({provider} {region})"
        if chosen_row is None:  # the plan as stated (cloud, the workload's GPU) before owning or a converted GPU
            cloud = answers.cloud_rows(table)
            for candidates, why in ((cloud[cloud["gpu"] == workload.gpu], f"the cheapest feasible cloud offer of "
                                     f"{workload.gpu}, the GPU the workload is stated on"),
                                    (cloud, "the cheapest feasible cloud offer"), (table, "the cheapest feasible option")):
                found = answers.compare_answers(candidates)
                if len(found.picks):
                    chosen_row, reason = found.picks.loc["cheapest", "row"], why
                    break
        options_table, used, chosen_index = report_subset(table, comparison.assumptions, chosen_row)
        assumptions = used if assumptions is None else assumptions
        compared_table = table
    merged = pd.DataFrame([a.__dict__ for a in result.assumptions])
    if assumptions is not None:
        merged = pd.concat([merged, assumptions if isinstance(assumptions, pd.DataFrame)
                            else pd.DataFrame([a.__dict__ for a in assumptions])], ignore_index=True)
    months = None
    if start is not None and chosen_index is not None and len(options_table):
        months = chosen_start_months(options_table.iloc[[int(chosen_index)]], start, grid_basis)
    return build_report(workload, result.table, options_table, merged, current_snapshots(),
                        generated_at if generated_at is not None else datetime.now(UTC), chosen_index, title,
                        table1=load()["strubell2019_table1"], compared=compared_table,
                        own_inputs=own_inputs, chosen_reason=reason if compared_table is not None else "", start_months=months)


# --- The app's own-vs-rent view ------------------------------------------------------------------------------
