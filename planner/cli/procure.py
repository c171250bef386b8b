"""``trainplan procure PLAN.toml``: buy a shared cluster or rent, from a plan file; prints and writes the tables."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import pandas as pd

from planner import api
from planner.cli import procure_hybrid
from planner.cli.common import add_format, emit
from planner.errors import PlanError
from planner.files import check_folder, read_text, write_folder
from planner.plan_grid import totals_by_option
from planner.procurement import headline
from planner.reports.safe_text import csv_safe


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``procure`` subcommand."""
    parser = subparsers.add_parser(
        "procure", help="buy GPU servers or rent: sizing, multi-year TCO, break-even, tornado, carbon (a TOML plan)")
    parser.add_argument("plan", help="plan file (TOML; schema in README, example examples/cluster_plan.toml)")
    parser.add_argument("--out-dir", help="write every table as CSV into this folder")
    parser.add_argument("--hybrid", action="store_true",
                        help="own the base, rent the peaks: cost and CO2e of every owned fleet size with the rest "
                             "burst to cloud (the plan's [hybrid] table)")
    add_format(parser)
    parser.set_defaults(func=_procure)


def read_plan(path: Path) -> dict:
    """The parsed TOML plan file; a missing or malformed file is a one-line PlanError."""
    text = read_text("plan", path)
    try:
        plan = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"plan '{path}': not valid TOML: {exc}") from None
    except RecursionError:
        raise PlanError(f"plan '{path}': nested too deeply") from None
    return plan


def _procure(args: argparse.Namespace) -> int:
    if args.out_dir is not None:
        check_folder("out-dir", args.out_dir)  # a bad folder fails before any computing
    config = read_plan(Path(args.plan))
    if args.hybrid:
        return procure_hybrid.run(config, args)
    plan = api.procurement_plan_from_config({k: v for k, v in config.items() if k != "hybrid"})
    tables = plan.tables()
    if args.format != "table":
        emit(plan.summary, args.format)
    else:
        print(headline(plan))
        print(f"Basis: {plan.basis.describe()}")
        emit(plan.summary, "table", "Summary on the plan's basis (total_usd), with cash, NPV, EAC and grant beside")
        emit(plan.bases, "table", "The answer under each basis")
        emit(plan.years, "table", "Demand, sizing and queue (M/M/c, Allen-Cunneen) per year, average and peak month")
        emit(plan.tco, "table", "Owned cost per year (cash columns; pv_usd discounted; basis_usd on the basis)")
        emit(plan.breakeven.drop(columns=["owned_total_usd"]), "table",
             "Break-even against each cloud option, on the plan's basis")
        emit(plan.sensitivity.drop(columns=["source"]), "table",
             "Sensitivity (tornado): owned and cheapest-cloud totals, each input at its low and high")
        emit(totals_by_option(plan.carbon), "table", "Carbon (flat grid and the plan's grid basis) and water over "
             "the horizon (per calendar year in carbon.csv)")
        if plan.notes:
            print("\nNotes:\n" + "\n".join(f"  - {n}" for n in plan.notes))
        emit(tables["assumptions"][["name", "value", "unit", "source", "as_of"]], "table", "Assumptions")
    if args.out_dir:
        _write(tables, Path(args.out_dir))
    return 0


def _write(tables: dict[str, pd.DataFrame], out_dir: Path) -> None:
    write_folder("out-dir", out_dir, {f"{name}.csv": csv_safe(table).to_csv(index=False).encode("utf-8")
                                      for name, table in tables.items()})
    print(f"wrote {len(tables)} tables to {out_dir}", file=sys.stderr)
