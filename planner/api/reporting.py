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
    options_table: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | tuple[Assumption, ...] | None = None,
    chosen_index: int | None = None,
    generated_at: object = None,
    title: str | None = None,
    start: str | None = None,
    grid_basis: str = "trend",
) -> Report:
    """A grant-proposal report of a workload: its estimate, compared options, assumptions, sources, method.

    options_table / assumptions : a comparison's options and their assumptions (``api.compare(...)``'s
        ``table`` and ``assumptions``); without them, ``compare`` is run for the workload (the same power)
        and a report-sized part of it is reported (``planner.options.report_subset``: the ten cheapest,
        the Pareto front, the headline picks and every owned configuration).
    chosen_index : row position of the chosen option in the options table; None: the estimate row.
    generated_at : the report's time stamp (datetime or ISO 8601 text); default now, UTC. Pass a fixed one
        to get byte-identical files.
    start / grid_basis : the job's start month (YYYY-MM) and future-grid basis, for the estimate and the
        comparison run here (``api.compare``); water is reported beside CO2e either way.
    Render with ``planner.reports.render(report, fmt)`` or write with ``planner.reports.write_report``.
    """
    from datetime import UTC, datetime

    from planner.reports import build_report

    result = estimate_workload(workload, chosen, provider=provider, region=region, pricing=pricing,
                               grid_zone=grid_zone, pue=pue, gpu_power_fraction=gpu_power_fraction, power=power,
                               start=start, grid_basis=grid_basis)
    if options_table is None:
        comparison = compare(workload, chosen, gpu_power_fraction=gpu_power_fraction,
                             power=power if power is not None and power.measured else None, start=start,
                             grid_basis=grid_basis)
        options_table, used, _ = report_subset(comparison.table, comparison.assumptions)
        assumptions = used if assumptions is None else assumptions
    merged = pd.DataFrame([a.__dict__ for a in result.assumptions])
    if assumptions is not None:
        merged = pd.concat([merged, assumptions if isinstance(assumptions, pd.DataFrame)
                            else pd.DataFrame([a.__dict__ for a in assumptions])], ignore_index=True)
    return build_report(workload, result.table, options_table, merged, current_snapshots(),
                        generated_at if generated_at is not None else datetime.now(UTC), chosen_index, title,
                        table1=load()["strubell2019_table1"])


# --- The app's own-vs-rent view ------------------------------------------------------------------------------
