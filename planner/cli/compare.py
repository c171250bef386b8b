"""``trainplan compare WORKLOAD``: every cloud offer and owned server for one workload, best first.

WORKLOAD is a preset name, a TOML/YAML workload file, or left out in favour of the workload flags.
Prints the top options and writes the full table with ``--out table.csv|table.parquet``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner import answers, api
from planner.cli.common import (
    add_feasibility_args,
    add_format,
    add_workload_args,
    emit,
    feasibility_flags,
    workload_from_args,
    wrapped,
)
from planner.cli.grid_water import add_time_water_args, print_best_start, water_line, window
from planner.cli.ignored_flags import (
    file_keys_overridden,
    refuse_ignored_compare_flags,
    refuse_memory_flags_without_size,
)
from planner.columns import text_table, with_option_columns
from planner.compare import SORT_KEYS, top_options
from planner.errors import PlanError
from planner.files import check_output, read_text, write_bytes
from planner.reports.safe_text import csv_safe
from planner.workload_file import SUFFIXES, parse_workload_text, split_compare_keys

OUT_SUFFIXES = (".csv", ".parquet")
#: Columns printed by default: what tells options apart, in 120 characters (``--columns`` for others).
KEY_COLUMNS = ["provider", "region", "machine", "terms", "gpu", "gpu_count", "wall_hours", "cost_usd", "co2e_total_kg"]
LINE_WIDTH = 120
#: ``--columns all``: every column a person reads (the full table, ids included, is in ``--out``).
SHOWN = ["option_kind", "provider", "region", "instance_type", "server", "accounting_mode", "pricing", "gpu",
         "gpu_count", "instances", "interconnect", "wall_hours", "cost_usd", "cost_usd_low", "cost_usd_high",
         "energy_kwh", "co2e_kg", "co2e_market_kg", "co2e_embodied_kg", "water_l", "pareto", "infeasible_reason"]


def _list(values: list[str] | None) -> list[str] | None:
    """Repeatable flags that also take comma lists: ``--provider aws,gcp --provider owned``."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _ratios(values: list[str] | None) -> dict[str, float]:
    ratios = {}
    for item in _list(values) or []:
        gpu, sep, ratio = item.partition("=")
        if not sep:
            raise PlanError(f"ratio '{item}': expected GPU=RATIO, e.g. gtx-1080-ti=1.0")
        try:
            ratios[gpu.strip()] = float(ratio)
        except ValueError:
            raise PlanError(f"ratio '{item}': {ratio!r} is not a number") from None
    return ratios


def _workload(args: argparse.Namespace) -> tuple:
    """(workload, preset, the file's comparison keys) from a workload file or the flags."""
    if args.workload and Path(args.workload).suffix.lower() in SUFFIXES:
        path = Path(args.workload)
        flags = [f"--{flag}" for flag, dest in (("gpu", "gpu"), ("gpus", "gpu_count"), ("hours", "hours"),
                 ("gpu-hours", "gpu_hours"), ("params", "params"), ("tokens", "tokens"), ("flops", "flops"),
                 ("mfu", "mfu"), ("precision", "precision")) if getattr(args, dest) is not None]
        flags += ["--repeats"] * (args.repeats != 1.0)
        if flags:
            raise PlanError(f"{flags[0]}: the workload file '{path}' describes the workload; put {flags[0][2:]} in "
                            "the file, or give flags without a file")
        kwargs, compare_keys = split_compare_keys(parse_workload_text(read_text("workload file", path), path.suffix))
        preset_name = kwargs.pop("preset_name", None)
        return (*api.make_workload(preset_name, **kwargs), compare_keys)
    return (*workload_from_args(args), {})


def _feasibility_kwargs(args: argparse.Namespace, from_file: dict[str, object]) -> dict[str, object]:
    flags = feasibility_flags(args)
    for line in file_keys_overridden(from_file, flags):  # the flag wins, and says so
        print(line, file=sys.stderr)
    return {**from_file, **flags}


def _servers(values: list[str] | None) -> list[str] | None:
    servers = _list(values)
    if servers is None:
        return None
    return [] if servers == ["none"] else servers


def _columns(text: str | None, table: object) -> list[str]:
    """``--columns``: a comma list of column names, or ``all`` (every readable one); default ``KEY_COLUMNS``."""
    if not text:
        return KEY_COLUMNS
    names = _list([text]) or []
    if names == ["all"]:
        extra = [c for c in table.columns if c.startswith(("cost_usd_p", "co2e_kg_p", "feasible", "infeasible"))]
        return [*SHOWN, *extra]
    known = set(table.columns) | {"machine", "terms"}
    bad = [n for n in names if n not in known]
    if bad:
        raise PlanError(f"columns: {', '.join(bad)} not in the table; allowed: all, or any of "
                        f"{', '.join(sorted(known))}")
    return names


def _compare(args: argparse.Namespace) -> int:
    if args.out is not None:
        check_output("out", args.out, OUT_SUFFIXES)  # a bad path fails before any computing
    refuse_ignored_compare_flags(args)
    if args.best_start:
        window(args.best_start)
    workload, chosen, from_file = _workload(args)
    feasibility_kwargs = _feasibility_kwargs(args, from_file)
    refuse_memory_flags_without_size(workload.parameters, feasibility_kwargs)
    result = api.compare(
        workload, chosen, providers=_list(args.provider), regions=_list(args.region), gpus=_list(args.option_gpu),
        pricing=_list(args.pricing), countries=_list(args.country), max_wall_hours=args.max_hours,
        servers=_servers(args.server), site_zone=args.site, electricity_zone=args.electricity_zone,
        electricity_usd_per_kwh=args.electricity_price, utilisation=args.utilisation, lifetime_years=args.lifetime,
        owned_pue=args.owned_pue, maintenance_pct_per_year=args.maintenance_pct, resale_fraction=args.resale,
        whole_servers=not args.fractional_servers, spot_interruptions_per_hour=args.interruptions_per_hour,
        checkpoint_interval_hours=args.checkpoint_hours, restart_hours=args.restart_hours,
        throughput_ratios=_ratios(args.ratio), gpu_power_fraction=args.gpu_power_fraction,
        monte_carlo=args.monte_carlo, seed=args.seed,
        power=api.measured_power(args.power, workload.gpu_count) if args.power else None,
        start=args.start, grid_basis=args.grid_basis, owned_cooling=args.cooling, owned_wue_l_per_kwh=args.wue,
        **feasibility_kwargs)
    best = top_options(result.table, args.sort, args.top, include_infeasible=args.all)
    if args.out:  # every row, in the order asked for
        ordered = top_options(result.table, args.sort, None, include_infeasible=True)
        parquet = Path(args.out).suffix.lower() == ".parquet"
        data = ordered.to_parquet(None, index=False) if parquet else \
            csv_safe(ordered).to_csv(index=False).encode("utf-8")
        write_bytes("out", args.out, data, OUT_SUFFIXES)
    if args.format != "table":
        emit(best, args.format)
        if args.best_start:
            print_best_start(best, args.best_start, args.grid_basis, args.top, args.format)
        return 0
    found = answers.compare_answers(result.table)
    feasible = "" if found.feasible == found.rows else f" ({found.feasible:,} feasible)"
    print(wrapped(f"{workload.name}: {workload.gpu_hours:,.0f} GPU-h on {workload.gpu_count:g} x {workload.gpu}; "
                  f"{found.rows:,} options compared{feasible}; best {len(best)} by {args.sort} "
                  f"({SORT_KEYS[args.sort]})."))
    print(wrapped(api.feasibility_summary(result.table), "  "))
    if found.has_cloud_cost:
        print(wrapped(f"Cloud cost ${found.cloud_cost_low:,.0f} to ${found.cloud_cost_high:,.0f}: the "
                      f"{found.cloud_cost_method}."))
    columns = _columns(args.columns, best)
    print()
    print(text_table(with_option_columns(best), columns, width=None if args.columns else LINE_WIDTH))
    if not args.columns:
        print("(CO2e total = operational + embodied; --columns all, or e.g. --columns cost_usd_low,cost_usd_high,"
              "energy_kwh, for more)")
    for note in result.notes:
        print(wrapped(f"note: {note}", "  "))
    if best.empty:  # nothing feasible: the reasons are in the summary line above
        print("  no feasible option to show; --all ranks the infeasible ones with their reasons")
    else:
        print(wrapped(water_line(best), "  "))
        if args.start:
            print(f"  CO2e basis of the first option: {best['co2e_basis'].iloc[0]}")
        if args.best_start:
            print_best_start(best, args.best_start, args.grid_basis, args.top, "table")
    if args.out:
        print("\n" + wrapped(f"Full table ({len(result.table):,} rows) written to {args.out}; each row's inputs: "
                             "assumption_ids."))
    if args.assumptions and not best.empty:
        emit(result.assumptions_for(int(best.index[0])), "table", "Assumptions behind the first option")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``trainplan compare`` to the CLI."""
    p = subparsers.add_parser("compare", help="one workload vs every cloud offer and owned server")
    add_workload_args(p)
    filters = p.add_argument_group("filters (repeatable, or comma lists)")
    filters.add_argument("--provider", action="append", help="aws, gcp, azure, owned")
    filters.add_argument("--region", action="append", help="cloud region id (cloud rows only)")
    filters.add_argument("--option-gpu", action="append", help="only options on these GPUs (catalog ids)")
    filters.add_argument("--pricing", action="append", help="on_demand, spot, reserved_1y, reserved_3y, savings_plan_1y, savings_plan_3y (cloud rows)")
    filters.add_argument("--country", action="append", help="ISO-3 country of the region or site (data residency)")
    filters.add_argument("--max-hours", type=float, help="longest acceptable wall-clock time [h]")
    filters.add_argument("--same-gpu", action="store_true", help="only offers and servers of the workload's own GPU "
                         "(no conversion)")
    fit = p.add_argument_group("feasibility (memory, deadline)")
    add_feasibility_args(fit)
    owned = p.add_argument_group("owned servers")
    owned.add_argument("--server", action="append", help="catalog server ids (default: all priced; 'none': cloud only)")
    owned.add_argument("--site", default="USA", help="grid zone of the owned site: USA, US-CA, DEU, … (default USA)")
    owned.add_argument("--electricity-zone", help="electricity price zone (default: the site's, else US/EU/world)")
    owned.add_argument("--electricity-price", type=float, help="USD per kWh at the site")
    owned.add_argument("--utilisation", type=float, help="busy share of the shared cluster's GPU-hours, (0, 1]")
    owned.add_argument("--lifetime", type=float, help="server lifetime [years]")
    owned.add_argument("--owned-pue", type=float, help="PUE of the owned server room (>= 1)")
    owned.add_argument("--maintenance-pct", type=float, help="maintenance, %% of price per year")
    owned.add_argument("--resale", type=float, help="resale value as a fraction of price, [0, 1)")
    owned.add_argument("--fractional-servers", action="store_true", help="buy fractional servers (the paper's 7.25)")
    model = p.add_argument_group("model inputs")
    model.add_argument("--ratio", "--throughput-ratio", dest="ratio", action="append", help="GPU=speed-up over the workload's GPU (replaces peak ratio)")
    model.add_argument("--power", help="a measurement file from `trainplan measure`: its W per GPU replaces "
                        "TDP x fraction for the workload's GPU")
    model.add_argument("--gpu-power-fraction", type=float, help="average GPU power / TDP, (0, 1]")
    model.add_argument("--interruptions-per-hour", type=float, help="spot interruptions per instance-hour")
    model.add_argument("--checkpoint-hours", type=float, help="checkpoint interval on spot [h]")
    model.add_argument("--restart-hours", type=float, help="restart time after an interruption [h]")
    model.add_argument("--monte-carlo", type=int, default=0, help="draws for percentiles 5/50/95 (0 = none)")
    model.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    out = p.add_argument_group("output")
    out.add_argument("--top", type=int, default=10, help="options printed (default 10)")
    out.add_argument("--sort", choices=tuple(SORT_KEYS), default="cost", help="cost, co2e (incl. embodied) or time")
    out.add_argument("--out", help="write the full table (every row and column, in --sort order): table.csv or "
                     "table.parquet")
    out.add_argument("--columns", help="columns printed: a comma list of names, or 'all' (default: the key ones, "
                     "120 characters wide)")
    out.add_argument("--assumptions", action="store_true", help="also print the first option's assumptions")
    out.add_argument("--all", action="store_true", help="rank infeasible options too (their reasons are shown)")
    add_time_water_args(p, best_start=True)
    add_format(p)
    p.set_defaults(func=_compare)

