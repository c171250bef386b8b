"""What every ``trainplan`` verb shares: the one-line-error parser, table output and the workload flags."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

import pandas as pd

from planner import api
from planner.cli.parser import Parser  # noqa: F401 - re-exported for the verbs

FORMATS = ("table", "csv", "json")


def emit(table: pd.DataFrame, fmt: str, title: str | None = None) -> None:
    """Print a table as an aligned text table, CSV or JSON records."""
    if fmt == "csv":
        from planner.reports.safe_text import csv_safe

        sys.stdout.write(csv_safe(table).to_csv(index=False))
    elif fmt == "json":
        sys.stdout.write(json.dumps(json.loads(table.to_json(orient="records")), indent=2) + "\n")
    else:
        if title:
            print(f"\n{wrapped(title)}")
        shown = _readable(table)
        if len(shown) == 1 and len(shown.columns) > 8:  # one wide row reads better as a list
            width = max(len(str(c)) for c in shown.columns)
            print("\n".join(wrapped(f"{str(c):<{width}}  {v}", "  ", width + 4)
                            for c, v in zip(shown.columns, shown.iloc[0], strict=True)))
        elif len(table) and ASSUMPTION_COLUMNS <= set(table.columns):
            print(assumption_entries(table))
        else:
            print(fitted(table, shown))


#: A terminal line [characters]: tables are cut and prose wrapped to it (``--format csv`` / ``json`` give all).
LINE_WIDTH = 120
#: A table with these columns is a list of inputs: printed one wrapped entry each, its source whole.
ASSUMPTION_COLUMNS = {"name", "value", "unit", "source"}


def wrapped(text: str, indent: str = "", hang: int | None = None) -> str:
    """Prose wrapped to ``LINE_WIDTH``; continuation lines indented ``hang`` spaces (default: the indent + 2)."""
    hang = len(indent) + 2 if hang is None else hang
    return textwrap.fill(text, LINE_WIDTH, initial_indent=indent, subsequent_indent=" " * hang,
                         break_long_words=False, break_on_hyphens=False)


def assumption_entries(table: pd.DataFrame) -> str:
    """Each input as ``name = value unit (as of); source. note``, wrapped: nothing of the source is cut."""
    entries = []
    for row in table.fillna("").to_dict("records"):
        text = f"{row['name']} = {_value(row['value'])} {row['unit']}".rstrip()
        text += f" ({row['as_of']})" if row.get("as_of") else ""
        text += f"; {row['source']}" if row["source"] else ""
        text += f". {row['note']}" if row.get("note") else ""
        entries.append(wrapped(text, "  - "))
    return "\n".join(entries)


def fitted(table: pd.DataFrame, shown: pd.DataFrame) -> str:
    """``shown`` (the readable cells of ``table``) in ``LINE_WIDTH``: headers wrapped, widest text cut."""
    if not len(table):
        return "(no rows)"
    from planner.columns import layout

    numeric = [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
               for c in table.columns]
    text = layout([str(c) for c in shown.columns], [shown[c].tolist() for c in shown.columns], numeric, LINE_WIDTH)
    if max(len(line) for line in text.splitlines()) > LINE_WIDTH or "…" in text:
        text += "\n(cut to fit 120 characters: --format csv or json prints every cell whole)"
    return text


def _value(value: object) -> str:
    """An input's value as written: numbers to 4 significant figures with thousands separators."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Cells as a person reads them (``planner.columns``): whole numbers without decimals, $ and thousands
    separators for USD, blank where missing; column names kept (they carry their unit)."""
    from planner.columns import column_format

    shown = {}
    for column in table.columns:
        fmt = column_format(str(column))
        values = table[column]
        if _is_year(str(column)) and pd.api.types.is_numeric_dtype(values):  # 2023, not 2,023
            shown[column] = ["" if _missing(v) else f"{float(v):.0f}" for v in values]
        elif pd.api.types.is_float_dtype(values) and fmt.kind in ("text", "number") and not fmt.unit:
            # an unlisted float column: whole numbers as integers, else 4 significant figures
            shown[column] = [_plain(v) for v in values]
        elif fmt.kind == "text":
            shown[column] = ["" if _missing(v) else str(v) for v in values]
        else:
            shown[column] = [fmt.show(v) for v in values]
    return pd.DataFrame(shown, index=table.index).rename(columns=str)


def _is_year(column: str) -> bool:
    """A calendar-year column (``year``, ``release_year``, ``price_year``), not a rate per year."""
    return column == "year" or (column.endswith("_year") and "_per_" not in column)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _plain(value: object) -> str:
    if _missing(value):
        return ""
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.4g}" if abs(number) < 1000 else f"{number:,.1f}"


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
    """Flags that choose the prices, grid, PUE and power of an estimate (``estimate``, ``report``)."""
    parser.add_argument("--provider", help="restrict prices (and PUE, grid) to aws, gcp or azure")
    parser.add_argument("--region", help="cloud region (with --provider): its grid intensity and prices")
    parser.add_argument("--pricing", help="on_demand, spot, reserved_1y, reserved_3y, savings_plan_1y or savings_plan_3y")
    parser.add_argument("--grid", help="grid zone: ISO-3 country (USA, DEU), US state (US-CA), WORLD, US-EPA-2018, …")
    parser.add_argument("--pue", type=float, help="power usage effectiveness (>= 1)")
    parser.add_argument("--gpu-power-fraction", type=float, help="average GPU power as a fraction of TDP, in (0, 1]")
    parser.add_argument("--power", help="a measurement file from `trainplan measure` (replaces the TDP default)")
    parser.add_argument("--gpu-w", help="average power per GPU in W (e.g. 400 or '0.4 kW'), instead of TDP x fraction")
    parser.add_argument("--host-w", help="CPU + DRAM power of the whole job in W; 0 counts the GPUs only")
    parser.add_argument("--grid-intensity", help="your grid's intensity in gCO2e/kWh, instead of --grid or a region")


def workload_from_args(args: argparse.Namespace) -> tuple:
    return api.make_workload(args.workload, gpu=args.gpu, gpu_count=args.gpu_count, hours=args.hours,
                             gpu_hours=args.gpu_hours, parameters=args.params, tokens=args.tokens, flops=args.flops,
                             mfu=args.mfu, repeats=args.repeats, precision=args.precision)


def add_feasibility_args(group: argparse._ArgumentGroup) -> None:
    """The feasibility flags of ``compare`` and ``report`` (one definition, so the two verbs cannot drift)."""
    group.add_argument("--deadline", help="wall-clock every option must meet, e.g. '30 day': options are sized to "
                       "the whole instances that finish in time, or infeasible")
    group.add_argument("--optimiser", "--optimizer", dest="optimiser", help="adam (default), adamw, sgd, lion "
                       "(the memory check)")
    group.add_argument("--sharding", help="zero3 (default; = fsdp), zero2, zero1, none (the memory check)")
    group.add_argument("--model-memory-gb", type=float, help="the whole model's training state [GB] instead of "
                       "params x bytes/param")
    group.add_argument("--activation-gb", type=float, help="activation memory per GPU [GB] instead of the rule")
    group.add_argument("--batch-tokens", type=float, help="global batch [tokens per optimiser step] of the Ethernet "
                       "scaling rule (default 4,000,000, Llama 2's; BERT's is 256 x 512 = 131,072: a smaller batch "
                       "scales worse on Ethernet)")


def feasibility_flags(args: argparse.Namespace) -> dict[str, object]:
    """The feasibility flags given (``add_feasibility_args`` and ``--same-gpu``) as ``api.compare`` keywords."""
    given = {"deadline": args.deadline, "optimiser": args.optimiser, "sharding": args.sharding,
             "model_memory_gb": args.model_memory_gb, "activation_gb": args.activation_gb,
             "same_gpu": True if args.same_gpu else None, "batch_tokens": args.batch_tokens}
    return {k: v for k, v in given.items() if v is not None}
