"""``trainplan estimate``: one workload -> kWh, CO2e and a cloud cost range, with its assumptions."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from planner import api
from planner.cli.common import (
    add_estimate_args,
    add_format,
    add_workload_args,
    emit,
    workload_from_args,
    wrapped,
)
from planner.cli.grid_water import add_time_water_args
from planner.cli.ignored_flags import refuse_ignored_estimate_flags


def _estimate(args: argparse.Namespace) -> int:
    refuse_ignored_estimate_flags(args)
    workload, chosen = workload_from_args(args)
    power = None
    if args.power:
        from planner.measure.reader import power_profile_from_file

        power = power_profile_from_file(Path(args.power), workload.gpu_count)
    result = api.estimate_workload(workload, chosen, provider=args.provider, region=args.region, pricing=args.pricing,
                                   grid_zone=args.grid, pue=args.pue, gpu_power_fraction=args.gpu_power_fraction,
                                   power=power, gpu_w=args.gpu_w, host_w=args.host_w,
                                   grid_gco2e_per_kwh=args.grid_intensity, start=args.start,
                                   grid_basis=args.grid_basis, cooling=args.cooling, wue_l_per_kwh=args.wue)
    emit(result.table, args.format, "Estimate")
    if args.format == "table":
        emit(result.prices, "table", "Cloud price per GPU-hour behind the cost range")
        notes = result.table.attrs.get("notes", ())
        if notes:
            print("\nNotes:\n" + "\n".join(wrapped(n, "  - ") for n in notes))
        emit(pd.DataFrame([a.__dict__ for a in result.assumptions]), "table", "Assumptions")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    est = subparsers.add_parser("estimate", help="a workload -> kWh, CO2e and a cloud cost range")
    add_workload_args(est)
    add_estimate_args(est)
    add_time_water_args(est)
    add_format(est)
    est.set_defaults(func=_estimate)
