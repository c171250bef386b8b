"""``trainplan report``: a workload's grant-proposal report written as pdf, html, md, csv or xlsx."""

from __future__ import annotations

import argparse
import sys

from planner import api
from planner.cli.common import add_estimate_args, add_workload_args, workload_from_args
from planner.cli.grid_water import GRID_BASES_HELP
from planner.reports import REPORT_FORMATS, write_report


def _report(args: argparse.Namespace) -> int:
    from planner.reports.files import check_target
    from planner.reports.model import utc_stamp

    check_target(args.format, args.out)  # a bad format, path or time stamp fails before any computing
    if args.generated_at is not None:
        utc_stamp(args.generated_at)
    workload, chosen = workload_from_args(args)
    report = api.report(workload, chosen, provider=args.provider, region=args.region, pricing=args.pricing,
                        grid_zone=args.grid, pue=args.pue, gpu_power_fraction=args.gpu_power_fraction,
                        generated_at=args.generated_at, title=args.title, start=args.start,
                        grid_basis=args.grid_basis, compare_kwargs=_feasibility(args))
    path = write_report(report, args.format, args.out)
    print(f"wrote {path} ({args.format}; generated at {report.generated_at})", file=sys.stderr)
    return 0


def _feasibility(args: argparse.Namespace) -> dict[str, object]:
    """The options compared in the report: sized to ``--deadline``, or the workload's own GPU only."""
    kwargs: dict[str, object] = {}
    if args.deadline is not None:
        kwargs["deadline"] = args.deadline
    if args.same_gpu:
        kwargs["same_gpu"] = True
    return kwargs


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``trainplan`` subcommands."""
    parser = subparsers.add_parser("report", help="a grant-proposal report of a workload: pdf, html, md, csv, xlsx")
    add_workload_args(parser)
    parser.add_argument("--format", required=True, help=f"report format: {', '.join(REPORT_FORMATS)}")
    parser.add_argument("--out", required=True, help="file to write (replaced atomically; no partial file on error)")
    add_estimate_args(parser)
    parser.add_argument("--deadline", help="wall-clock every compared option must meet, e.g. '30 day' (options are "
                        "sized to finish in time, or left out as infeasible)")
    parser.add_argument("--same-gpu", action="store_true", help="compare only offers of the workload's own GPU")
    parser.add_argument("--title", help="report title (default: 'Compute resources for training: <workload>')")
    parser.add_argument("--generated-at", help="time stamp to print, ISO 8601 (default: now, UTC); fix it to get "
                        "byte-identical files")
    parser.add_argument("--start", help="start month YYYY-MM: CO2e over the job's wall-clock from then")
    parser.add_argument("--grid-basis", default="trend",
                        help=f"future grid years: {GRID_BASES_HELP} (with --start); default trend")
    parser.set_defaults(func=_report)
