"""``trainplan report``: a workload's grant-proposal report written as pdf, docx, html, md, csv or xlsx.

It takes every workload, estimate, time and water flag of ``trainplan estimate`` (a measured ``--power`` file
included; a test compares the two verbs' flags), ``compare``'s feasibility flags (deadline, memory) and some of its
filters; the options compared are on-demand unless ``--pricing`` says otherwise."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner import api
from planner.cli import VERB_HELP
from planner.cli.common import (
    add_estimate_args,
    add_feasibility_args,
    add_workload_args,
    feasibility_flags,
    workload_from_args,
)
from planner.cli.grid_water import add_time_water_args
from planner.cli.ignored_flags import refuse_ignored_report_flags, refuse_memory_flags_without_size
from planner.reports import REPORT_FORMATS, write_report


def _report(args: argparse.Namespace) -> int:
    from planner.reports.files import check_target
    from planner.reports.model import utc_stamp

    check_target(args.format, args.out)  # a bad format, path or time stamp fails before any computing
    refuse_ignored_report_flags(args)
    if args.generated_at is not None:
        utc_stamp(args.generated_at)
    workload, chosen = workload_from_args(args)
    refuse_memory_flags_without_size(workload.parameters, feasibility_flags(args))
    power = None
    if args.power:
        from planner.measure.reader import power_profile_from_file

        power = power_profile_from_file(Path(args.power), workload.gpu_count)
    servers = None if not args.server else [] if args.server == ["none"] else \
        [s.strip() for v in args.server for s in v.split(",") if s.strip()]
    # The options compared: api.report's default, on-demand unless --pricing says otherwise.
    compare_kwargs = {"max_wall_hours": args.max_hours,
                      "servers": servers, "site_zone": args.site, **feasibility_flags(args)}
    report = api.report(workload, chosen, provider=args.provider, region=args.region, pricing=args.pricing,
                        grid_zone=args.grid, pue=args.pue, gpu_power_fraction=args.gpu_power_fraction, power=power,
                        gpu_w=args.gpu_w, host_w=args.host_w, grid_gco2e_per_kwh=args.grid_intensity,
                        compare_kwargs=compare_kwargs, generated_at=args.generated_at, title=args.title,
                        start=args.start, grid_basis=args.grid_basis, cooling=args.cooling, wue_l_per_kwh=args.wue)
    path = write_report(report, args.format, args.out)
    print(f"wrote {path} ({args.format}; generated at {report.generated_at})", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``trainplan`` subcommands."""
    parser = subparsers.add_parser("report", help=VERB_HELP["report"])
    add_workload_args(parser)
    parser.add_argument("--format", required=True, help=f"report format: {', '.join(REPORT_FORMATS)}")
    parser.add_argument("--out", required=True, help="file to write (replaced atomically; no partial file on error)")
    add_estimate_args(parser)
    options = parser.add_argument_group("options compared (the chosen one: --provider/--region, else the cheapest "
                                        "on-demand cloud offer of the workload's GPU)")
    add_feasibility_args(options)
    options.add_argument("--same-gpu", action="store_true", help="compare only offers of the workload's own GPU")
    options.add_argument("--max-hours", type=float, help="longest acceptable wall-clock time [h]")
    options.add_argument("--server", action="append", help="owned catalog servers (default: all priced; 'none')")
    options.add_argument("--site", default="USA", help="grid zone of the owned servers (default USA)")
    parser.add_argument("--title", help="report title (default: 'Compute resources for training: <workload>')")
    parser.add_argument("--generated-at", help="time stamp to print, ISO 8601 (default: now, UTC); fix it to get "
                        "byte-identical files")
    add_time_water_args(parser)
    parser.set_defaults(func=_report)
