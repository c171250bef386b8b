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
from planner.cli.procure_view import table_text, verdict_lines, wrapped
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
    parser.add_argument("--columns", choices=("key", "all"), default="key",
                        help="table view: the key columns of each table in 120 characters (key, the default) or "
                             "every column (all); --out-dir writes every column as CSV either way")
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
    if "hybrid" in config:  # read only by --hybrid: say which plan this run is
        print("warning: the plan's [hybrid] table is read only with --hybrid; this is the procurement plan "
              "(all owned vs cloud) without it", file=sys.stderr)
    plan = api.procurement_plan_from_config({k: v for k, v in config.items() if k != "hybrid"})
    tables = plan.tables()
    if args.format != "table":
        emit(plan.summary, args.format)
    else:
        print(wrapped(headline(plan)))
        print(wrapped(f"Basis: {plan.basis.describe()}"))
        every = args.columns == "all"
        carbon = totals_by_option(plan.carbon)
        for name, table in (("summary", plan.summary), ("bases", plan.bases), ("years", plan.years),
                            ("tco", plan.tco), ("breakeven", plan.breakeven), ("sensitivity", plan.sensitivity),
                            ("carbon", carbon)):
            print(table_text(name, table, every))
            if name in ("summary", "bases") and not every:
                print(verdict_lines(table, ("option",) if name == "summary" else ("view", "money", "residual")))
        if plan.notes:
            print("\nNotes:\n" + "\n".join(wrapped(n, "  - ") for n in plan.notes))
        print(table_text("assumptions", tables["assumptions"], every))
        if not every:
            print("\n(key columns; --columns all prints every column, --out-dir writes them as CSV)")
    if args.out_dir:
        _write(tables, Path(args.out_dir))
    return 0


def _write(tables: dict[str, pd.DataFrame], out_dir: Path) -> None:
    write_folder("out-dir", out_dir, {f"{name}.csv": csv_safe(table).to_csv(index=False).encode("utf-8")
                                      for name, table in tables.items()})
    print(f"wrote {len(tables)} tables to {out_dir}", file=sys.stderr)
