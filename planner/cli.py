"""The ``trainplan`` command line: parse flags, call one ``planner.api`` function, print its table.

Bad input of any kind ends in one line on stderr and exit code 2; nothing here computes a number.
Feature commands live in their own modules, each with ``register(subparsers)``; they are listed in
``COMMAND_MODULES`` and set ``func`` on their parser.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from planner import api
from planner.errors import PlanError

FORMATS = ("table", "csv", "json")
COMMAND_MODULES: tuple[str, ...] = (
    "planner.cli_procure", "pricing.cli", "planner.cli_measure", "planner.cli_compare", "planner.cli_report",
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (PlanError, so main prints it once and exits 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise PlanError(f"{self.prog}: {message}")


def emit(table: pd.DataFrame, fmt: str, title: str | None = None) -> None:
    """Print a table as an aligned text table, CSV or JSON records."""
    if fmt == "csv":
        sys.stdout.write(table.to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(json.dumps(json.loads(table.to_json(orient="records")), indent=2) + "\n")
    else:
        if title:
            print(f"\n{title}")
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60, "display.float_format", "{:,.2f}".format):
            print(table.to_string(index=False) if len(table) else "(no rows)")


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")


def add_workload_args(parser: argparse.ArgumentParser) -> None:
    """Flags that describe a workload: a preset, or GPU + count + hours / GPU-hours / compute budget."""
    parser.add_argument("workload", nargs="?", help="a preset name (see `trainplan catalog presets`)")
    parser.add_argument("--gpu", help="catalog GPU id (see `trainplan catalog gpus`); with a preset: move it there")
    parser.add_argument("--gpus", type=float, dest="gpu_count", help="number of GPUs used in parallel")
    parser.add_argument("--hours", help="wall-clock hours of one run (a number, or e.g. '3.3 day')")
    parser.add_argument("--gpu-hours", help="GPU-hours of one run")
    parser.add_argument("--params", type=float, help="parameters (compute budget = 6 x params x tokens)")
    parser.add_argument("--tokens", type=float, help="training tokens")
    parser.add_argument("--flops", type=float, help="training compute in FLOP (instead of params x tokens)")
    parser.add_argument("--mfu", type=float, help="model-FLOPs utilisation in (0, 1] for a compute budget")
    parser.add_argument("--repeats", type=float, default=1.0, help="runs for tuning and experimentation (default 1)")
    parser.add_argument("--precision", choices=("fp32", "fp16", "bf16"), help="precision, for GPU conversion")


def add_estimate_args(parser: argparse.ArgumentParser) -> None:
    """Flags that choose the prices, grid, PUE and GPU power of an estimate (``estimate``, ``report``)."""
    parser.add_argument("--provider", help="restrict prices (and PUE, grid) to aws, gcp or azure")
    parser.add_argument("--region", help="cloud region (with --provider): its grid intensity and prices")
    parser.add_argument("--pricing", help="on_demand, spot, reserved_1y or reserved_3y")
    parser.add_argument("--grid", help="grid zone: ISO-3 country (USA, DEU), US state (US-CA), WORLD, US-EPA-2018, …")
    parser.add_argument("--pue", type=float, help="power usage effectiveness (>= 1)")
    parser.add_argument("--gpu-power-fraction", type=float, help="average GPU power as a fraction of TDP, in (0, 1]")


def workload_from_args(args: argparse.Namespace) -> tuple:
    return api.make_workload(args.workload, gpu=args.gpu, gpu_count=args.gpu_count, hours=args.hours,
                             gpu_hours=args.gpu_hours, parameters=args.params, tokens=args.tokens, flops=args.flops,
                             mfu=args.mfu, repeats=args.repeats, precision=args.precision)


def _estimate(args: argparse.Namespace) -> int:
    workload, chosen = workload_from_args(args)
    power = None
    if args.power:
        from planner.measurement import power_profile_from_file

        power = power_profile_from_file(Path(args.power), workload.gpu_count)
    result = api.estimate_workload(workload, chosen, provider=args.provider, region=args.region, pricing=args.pricing,
                                   grid_zone=args.grid, pue=args.pue, gpu_power_fraction=args.gpu_power_fraction,
                                   power=power, gpu_w=args.gpu_w, host_w=args.host_w,
                                   grid_gco2e_per_kwh=args.grid_intensity)
    emit(result.table, args.format, "Estimate")
    if args.format == "table":
        emit(result.prices, "table", "Cloud price per GPU-hour behind the cost range")
        notes = result.table.attrs.get("notes", ())
        if notes:
            print("\nNotes:\n" + "\n".join(f"  - {n}" for n in notes))
        emit(pd.DataFrame([a.__dict__ for a in result.assumptions]), "table", "Assumptions")
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    tables = api.strubell2019()
    t3 = tables["table3"]
    columns3 = ["model", "hardware", "power_w", "hours_printed", "hours_used", "energy_kwh", "paper_energy_kwh",
                "co2e_lb", "paper_co2e_lb", "cost_usd_low", "paper_cost_usd_low", "cost_usd_high",
                "paper_cost_usd_high", "matches_paper"]
    if args.format != "table":
        out = pd.concat([t.assign(table=name) for name, t in tables.items()], ignore_index=True)
        emit(out, args.format)
        return 0
    print("Strubell, Ganesh & McCallum (2019), reproduced from its inputs: PUE 1.58, 0.954 lb CO2e/kWh, "
          "2019 Google Cloud prices (preemptible-on-demand). 'paper_*' columns are the published figures.")
    emit(t3[columns3], "table", "Table 3: cost of training")
    for row in t3[t3["note"] != ""].itertuples():
        print(f"  note, {row.model} ({row.hardware}): {row.note}")
    emit(tables["table4"], "table", "Table 4: developing one model (LISA), P100 prices")
    rate = tables["electricity_rate"].iloc[0]
    print(f"  electricity: one rate of ${rate.usd_per_gpu_hour:.4f} per GPU-hour, {rate.source}; the paper states "
          f"neither price nor power. At the 2018 US commercial average (${rate.us_commercial_2018_usd_per_kwh:.4f}/kWh) "
          "it implies the kWh per GPU-hour shown (PUE included).")
    own = tables["ownership"].iloc[0]
    emit(tables["ownership"], "table", "Section 4: own 8x GTX 1080 Ti servers vs rent on-demand cloud GPUs")
    print(f"  {own.gpu_hours:,.0f} GPU-h over {own.days:.0f} days = {own.gpus_exact:.2f} GPUs (paper: about 58); "
          f"{own.gpus:.0f} / 8 = {own.servers:.2f} servers x ${own.server_price_usd:,.0f} = ${own.capex_usd:,.0f} "
          f"(paper: $145,000) + ${own.electricity_usd:,.0f} electricity vs ${own.cloud_on_demand_usd:,.0f} on-demand "
          f"(paper: $350k): {own.owned_share_of_cloud:.0%} of the cloud cost (paper: 'about half').")
    return 0


def _catalog(args: argparse.Namespace) -> int:
    emit(api.catalog_table(args.kind), args.format)
    return 0


def _app(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent.parent / "streamlit_app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
               "--server.headless", "true" if args.headless else "false", "--browser.gatherUsageStats", "false"]
    return subprocess.call(command)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="trainplan", description="Cost, energy and CO2e of training a model: cloud vs owned.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    est = sub.add_parser("estimate", help="a workload -> kWh, CO2e and a cloud cost range")
    add_workload_args(est)
    add_estimate_args(est)
    est.add_argument("--power", help="a measurement file from `trainplan measure` (replaces the TDP default)")
    est.add_argument("--gpu-w", help="average power per GPU in W (e.g. 400 or '0.4 kW'), instead of TDP x fraction")
    est.add_argument("--host-w", help="CPU + DRAM power of the whole job in W; 0 counts the GPUs only")
    est.add_argument("--grid-intensity", help="your grid's intensity in gCO2e/kWh, instead of --grid or a region")
    add_format(est)
    est.set_defaults(func=_estimate)

    rep = sub.add_parser("reproduce", help="reproduce a paper's tables from their inputs")
    rep.add_argument("paper", choices=("strubell2019",))
    add_format(rep)
    rep.set_defaults(func=_reproduce)

    cat = sub.add_parser("catalog", help="list GPUs, servers, regions, presets or grid zones")
    cat.add_argument("kind", choices=api.CATALOG_KINDS)
    add_format(cat)
    cat.set_defaults(func=_catalog)

    app = sub.add_parser("app", help="open the interactive what-if app (Streamlit)")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--headless", action="store_true", help="do not open a browser")
    app.set_defaults(func=_app)

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except PlanError as exc:
        print(f"trainplan: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
