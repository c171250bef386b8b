"""``trainplan procure PLAN.toml --hybrid``: the owned + cloud mix for the plan's demand (its [hybrid] table)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner import api
from planner.cli.common import emit
from planner.files import write_folder
from planner.reports.hybrid import CURVE_COLUMNS, OPTIMA_COLUMNS, curve_svg, hybrid_markdown
from planner.reports.safe_text import csv_safe


def run(config: dict, args: argparse.Namespace) -> int:
    """Print the hybrid plan (the curve only with --format csv|json); --out-dir: its CSVs, hybrid.md, the SVG."""
    plan = api.hybrid_plan_from_config(config)
    if args.format != "table":
        emit(plan.curve, args.format)
    else:
        print(plan.answer)
        print(plan.timing_verdict)
        emit(plan.optima[OPTIMA_COLUMNS], "table", "Optima beside all-cloud and all-owned")
        emit(plan.curve[CURVE_COLUMNS], "table", "Cost and CO2e against the owned fleet (hybrid_curve.csv: every column)")
        emit(plan.timing.drop(columns=["cash_total_usd", "npv_total_usd", "co2e_total_kg", "book_value_left_usd"]),
             "table", "Timing: buy in year 1 or stage by year")
        emit(plan.sensitivity.drop(columns=["source"]), "table", "Sensitivity of the winning mix (tornado)")
        print("\nNotes:\n" + "\n".join(f"  - {n}" for n in plan.notes))
    if args.out_dir:
        out = Path(args.out_dir)
        command = f"trainplan procure {args.plan} --hybrid"
        files = {f"{name}.csv": csv_safe(table).to_csv(index=False).encode("utf-8") for name, table in plan.tables().items()}
        files["hybrid_curve.svg"] = curve_svg(plan).encode("utf-8")
        files["hybrid.md"] = hybrid_markdown(plan, command, "hybrid_curve.svg", user_text=_user_names(config))
        write_folder("out-dir", out, files)
        print(f"wrote {len(plan.tables())} hybrid tables, hybrid.md and hybrid_curve.svg to {out}", file=sys.stderr)
    return 0


def _user_names(config: dict) -> list[str]:
    """The plan file's own names (cloud options, portfolio jobs): user text the Markdown escapes."""
    entries = [e for key in ("clouds", "portfolio") for e in config.get(key) or [] if isinstance(e, dict)]
    return [str(e["name"]) for e in entries if isinstance(e.get("name"), str)]
