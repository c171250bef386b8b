"""Human labels, units and display formats of the library's unit-suffixed columns, shared by the app, the CLI
and the reports, so one column reads the same everywhere: ``cost_usd`` → "Cost (USD)", shown "$1,614".

Pure text formatting: nothing here computes a number. ``FORMATS`` maps a column to its ``ColumnFormat``; a
column not listed gets one from its name's unit suffix (``_usd``, ``_kwh``, ``_kg``, ``_hours``, …), and
``_low`` / ``_high`` / ``_pNN`` variants take their base column's format with the bound in the label.
Missing values display as blank, never ``None``/``NaN``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The data's pricing words as a reader writes them, in every table, note, label and report ("on-demand").
PRICING_WORDS = {"on_demand": "on-demand", "spot": "spot", "reserved": "reserved", "reserved_1y": "1-year reserved",
                 "reserved_3y": "3-year reserved"}
_PRICING_WORD = re.compile(r"\b(" + "|".join(map(re.escape, PRICING_WORDS)) + r")\b")


def readable(text: str) -> str:
    """``text`` with the data's pricing words as whole words in words ('... p5.48xlarge on_demand' → '... on-demand')."""
    return _PRICING_WORD.sub(lambda m: PRICING_WORDS[m.group()], text)


#: Display kinds: usd ($ and thousands separators), int (whole numbers), year (a whole number without a thousands
#: separator: 2023, not 2,023), number (fixed decimals), percent (a fraction shown ×100 with '%'), bool (yes/blank), text.
KINDS = ("usd", "int", "year", "number", "percent", "bool", "text")


@dataclass(frozen=True)
class ColumnFormat:
    """How a column displays: ``label`` and ``unit`` make its header, ``kind`` and ``decimals`` its cells."""

    label: str
    unit: str = ""
    kind: str = "text"
    decimals: int = 0

    @property
    def header(self) -> str:
        """``Cost (USD)``; a unitless column is its label alone."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def show(self, value: object) -> str:
        """One cell as text: '' when missing; '$1,614'; '8'; '13.5'; '12.0%'; 'yes'."""
        if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
            return ""
        if self.kind == "bool":
            return "yes" if bool(value) else ""
        if self.kind == "text" or not isinstance(value, int | float | np.integer | np.floating) \
                or isinstance(value, bool | np.bool_):
            return str(value)
        number = float(value)
        if math.isinf(number):  # e.g. the queue wait of a month whose demand exceeds capacity
            return "∞" if number > 0 else "-∞"
        if self.kind == "usd":
            cents = 2 if self.decimals == 0 and abs(number) < 1000 else self.decimals  # $3.90, not $4
            text = f"{abs(number):,.{cents}f}"
            return f"-${text}" if number < 0 and text.strip("0.,") else f"${text}"
        if self.kind == "int":
            return f"{number:,.0f}"
        if self.kind == "year":
            return f"{number:.0f}"
        if self.kind == "percent":
            return f"{number * 100:,.{self.decimals}f}%"
        return f"{number:,.{_decimals(number, self.decimals)}f}"

    @property
    def printf(self) -> str:
        """The Streamlit ``NumberColumn`` format of this column (sprintf-js, ',' = thousands separator)."""
        if self.kind == "usd":
            return f"$%,.{self.decimals}f"
        if self.kind == "int":
            return "%,d"
        if self.kind == "year":
            return "%d"
        if self.kind == "percent":
            return "percent"
        return f"%,.{self.decimals}f"


def _decimals(number: float, decimals: int) -> int:
    """Small values keep two significant figures (0.43 kg, not 0; 3.2 h, not 3), others ``decimals``."""
    magnitude = abs(number)
    if magnitude == 0 or magnitude >= 10:
        return decimals
    return max(decimals, 1 - math.floor(math.log10(magnitude)))


def _f(label: str, unit: str = "", kind: str = "text", decimals: int = 0) -> ColumnFormat:
    return ColumnFormat(label, unit, kind, decimals)


#: Every column of the comparison, estimate, report and procurement tables a person reads.
FORMATS: dict[str, ColumnFormat] = {
    "option": _f("Option"),
    "chosen": _f("Chosen", kind="bool"),
    "option_kind": _f("Kind"),
    "machine": _f("Instance / server"),
    "terms": _f("Pricing"),
    "provider": _f("Provider"),
    "region": _f("Region / site"),
    "location": _f("Location"),
    "country": _f("Country"),
    "instance_type": _f("Instance type"),
    "server": _f("Server"),
    "accounting_mode": _f("Owned accounting"),
    "pricing": _f("Pricing"),
    "gpu": _f("GPU"),
    "gpu_count": _f("GPUs", kind="int"),
    "instances": _f("Instances / servers", kind="int"),
    "billed_gpus": _f("Billed GPUs", kind="int"),
    "throughput_ratio": _f("Speed vs workload GPU", "×", "number", 2),
    "spot_overhead_fraction": _f("Spot rework", kind="percent", decimals=1),
    "gpu_hours": _f("GPU-hours", "", "number", 0),
    "wall_hours": _f("Wall-clock", "h", "number", 1),
    "energy_kwh": _f("Energy", "kWh", "number", 0),
    "co2e_kg": _f("CO2e, operational", "kg", "number", 0),
    "co2e_market_kg": _f("CO2e, market-based", "kg", "number", 0),
    "co2e_market_basis": _f("Market-based basis"),
    "co2e_embodied_kg": _f("CO2e, embodied", "kg", "number", 0),
    "co2e_total_kg": _f("CO2e total", "kg", "number", 0),
    "cost_usd": _f("Cost", "USD", "usd"),
    "cost_usd_central": _f("Cost, central", "USD", "usd"),
    "on_demand_cost_usd": _f("On-demand cost", "USD", "usd"),
    "spot_cost_usd": _f("Spot cost", "USD", "usd"),
    "purchase_usd": _f("Purchase up front", "USD", "usd"),
    "options_cost_usd_min": _f("Cheapest option's cost", "USD", "usd"),
    "options_cost_usd_median": _f("Median option's cost", "USD", "usd"),
    "options_cost_usd_max": _f("Dearest option's cost", "USD", "usd"),
    "power_measured": _f("Measured power", kind="bool"),
    "pareto": _f("Pareto front", kind="bool"),
    "feasible": _f("Feasible", kind="bool"),
    "infeasible_reason": _f("Why not feasible"),
    # Feasibility (planner.feasibility, planner.throughput, planner.scaling, planner.memory)
    "ratio_method": _f("Speed from"),
    "scaling_efficiency": _f("Scaling efficiency", "×", "number", 3),
    "interconnect": _f("Interconnect"),
    "network_gbps": _f("Network", "Gb/s", "number", 0),
    "memory_required_gb": _f("Memory needed per GPU", "GB", "number", 1),
    "gpu_memory_gb": _f("GPU memory", "GB", "number", 0),
    "assumption_ids": _f("Assumptions used"),
    "grid_gco2e_per_kwh": _f("Grid intensity", "gCO2e/kWh", "number", 0),
    "pue": _f("PUE", kind="number", decimals=2),
    "usd_per_gpu_hour": _f("Price", "USD/GPU-h", "usd", 3),
    "utilisation": _f("Utilisation", kind="percent", decimals=0),
    "breakeven_utilisation": _f("Break-even utilisation", kind="percent", decimals=1),
    "year": _f("Year", kind="year"),
    "servers": _f("Servers", kind="int"),
    "p_wait": _f("Probability of waiting", kind="percent", decimals=1),
    "value": _f("Value", kind="number", decimals=4),
    "times": _f("Times", kind="number", decimals=2),
    "kg_co2e_each": _f("CO2e each", "kg", "number", 0),
    "role": _f("Why listed"),
    "ref": _f("Source no.", kind="int"),
    # Carbon over time and water (planner.grid_time, planner.water, planner.plan_grid)
    "water_l": _f("Water", "L", "number", 0),
    "water_onsite_l": _f("Water, on-site", "L", "number", 0),
    "water_offsite_l": _f("Water, electricity", "L", "number", 0),
    "water_basis": _f("Water basis"),
    "pareto_water": _f("Pareto front with water", kind="bool"),
    "grid_factor": _f("Grid factor (start month)", "×", "number", 3),
    "co2e_basis": _f("CO2e basis"),
    "co2e_flat_kg": _f("CO2e, flat grid", "kg", "number", 0),
    "operational_co2e_flat_kg": _f("CO2e, operational, flat grid", "kg", "number", 0),
    "calendar_year": _f("Calendar year"),
    "grid_basis": _f("Grid basis"),
    "best_start": _f("Best start month"),
    "worst_start": _f("Worst start month"),
    "best_co2e_kg": _f("CO2e at the best start", "kg", "number", 0),
    "worst_co2e_kg": _f("CO2e at the worst start", "kg", "number", 0),
    "saving_pct": _f("Saving, best vs worst", "%", "number", 1),
    # Procurement (planner.procurement, planner.owned_cost)
    "cost_vs_owned": _f("vs owned", "×", "number", 2),
    "cloud_vs_owned": _f("Cloud vs owned", "×", "number", 2),
    "ratio_low": _f("Cloud vs owned, low", "×", "number", 2),
    "ratio_high": _f("Cloud vs owned, high", "×", "number", 2),
    "npv_usd": _f("NPV", "USD", "usd"),
    "eac_usd": _f("EAC", "USD/yr", "usd"),
    "pv_usd": _f("Present value", "USD", "usd"),
    "tco_usd_central": _f("Owned total, central", "USD", "usd"),
    "tco_usd_low": _f("Owned total, low", "USD", "usd"),
    "tco_usd_high": _f("Owned total, high", "USD", "usd"),
    "fa_rate": _f("F&A rate", kind="percent", decimals=0),
    "achieved_utilisation": _f("Utilisation", kind="percent", decimals=1),
    "peak_month_utilisation": _f("Peak-month utilisation", kind="percent", decimals=0),
    "breakeven_year": _f("Break-even year", kind="year"),
    "staff_fte": _f("Staff", "FTE", "number", 2),
    "embodied_co2e_kg": _f("CO2e, embodied", "kg", "number", 0),
    "flips": _f("Flips the verdict", kind="bool"),
    "low": _f("Low", kind="number", decimals=2),
    "central": _f("Central", kind="number", decimals=2),
    "high": _f("High", kind="number", decimals=2),
    "servers_needed": _f("Servers needed", kind="int"),
    "servers_bought": _f("Servers bought", kind="int"),
    "fleet_servers": _f("Fleet servers", kind="int"),
    "queue_slots": _f("Queue slots", kind="int"),
}

#: Unit suffixes of column names → (unit, kind, decimals), longest first.
_SUFFIXES = (
    ("_usd_per_gpu_hour", "USD/GPU-h", "usd", 3), ("_usd_per_kwh", "USD/kWh", "usd", 3), ("_usd", "USD", "usd", 0),
    ("_gco2e_per_kwh", "gCO2e/kWh", "number", 0), ("_kwh", "kWh", "number", 0), ("_kg", "kg", "number", 0),
    ("_gpu_hours", "GPU-h", "number", 0), ("_hours", "h", "number", 1), ("_years", "years", "number", 1),
    ("_kw", "kW", "number", 1), ("_w", "W", "number", 0), ("_l", "L", "number", 0), ("_fraction", "", "percent", 1),
    ("_utilisation", "", "percent", 1),
)
_BOUND = re.compile(r"^(?P<base>.+?)_(?P<bound>low|high|p\d{1,2})$")
_BOUND_WORDS = {"low": "low", "high": "high"}


def column_format(column: str) -> ColumnFormat:
    """The display format of a column: listed, a bound of a listed one, or read from its unit suffix."""
    if column in FORMATS:
        return FORMATS[column]
    match = _BOUND.match(column)
    if match and (match["base"] in FORMATS or _suffix_format(match["base"]) is not None):
        base = column_format(match["base"])
        bound = _BOUND_WORDS.get(match["bound"], f"{match['bound'][1:]}th percentile")
        return ColumnFormat(f"{base.label}, {bound}", base.unit, base.kind, base.decimals)
    return _suffix_format(column) or ColumnFormat(column.replace("_", " ").capitalize())


def _suffix_format(column: str) -> ColumnFormat | None:
    for suffix, unit, kind, decimals in _SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            stem = column.removesuffix(suffix).replace("_", " ").strip().capitalize()
            return ColumnFormat(stem, unit, kind, decimals)
    return None


def header(column: str) -> str:
    """``cost_usd`` → ``Cost (USD)``."""
    return column_format(column).header


def display_table(table: pd.DataFrame, columns: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """The table as text cells under human headers (blank where missing): what a CLI or a document prints."""
    chosen = [c for c in (columns or table.columns) if c in table.columns]
    out = {}
    for column in chosen:
        fmt = column_format(column)
        out[fmt.header] = [fmt.show(v) for v in table[column].tolist()]
    return pd.DataFrame(out, index=range(len(table)))


def is_numeric(column: str) -> bool:
    """Whether the column's cells are numbers (right-aligned in a printed table)."""
    return column_format(column).kind in ("usd", "int", "number", "percent")


def with_option_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The table with ``machine`` (instance type, or the owned server) and ``terms`` (pricing, or the owned
    accounting mode) for narrow listings: one column each where cloud and owned rows use different ones."""
    machine = table["instance_type"] if "instance_type" in table else pd.Series(None, index=table.index, dtype=object)
    if "server" in table:
        machine = machine.where(machine.notna(), table["server"])
    terms = table["pricing"] if "pricing" in table else pd.Series(None, index=table.index, dtype=object)
    if "accounting_mode" in table:
        owned = table["accounting_mode"].notna()
        terms = terms.where(~owned, "owned, " + table["accounting_mode"].astype(str))
    return table.assign(machine=machine, terms=terms)


def text_table(table: pd.DataFrame, columns: list[str] | tuple[str, ...] | None = None,
               width: int | None = None) -> str:
    """The table as aligned plain text under human headers: numbers right-aligned, text left-aligned, blank
    where missing. With ``width`` [characters], headers wider than their cells wrap onto a second line, then the
    widest text columns are cut (with '…') until a line fits."""
    chosen = [c for c in (columns or table.columns) if c in table.columns]
    if not len(table):
        return "(no rows)"
    formats = [column_format(c) for c in chosen]
    cells = [[fmt.show(v) for v in table[c].tolist()] for c, fmt in zip(chosen, formats, strict=True)]
    return layout([fmt.header for fmt in formats], cells, [is_numeric(c) for c in chosen], width)


def layout(headers: list[str], cells: list[list[str]], numeric: list[bool], width: int | None = None) -> str:
    """Columns of text cells as aligned lines: numeric columns right-aligned, text left-aligned; with ``width``
    [characters], headers wider than their cells wrap onto a second line, then the widest text columns are cut
    (with '…') until a line fits. ``cells`` holds one list of row texts per column."""
    rows = len(cells[0]) if cells else 0
    heads = [[h] for h in headers]
    widths = [max(len(h), *(len(x) for x in col)) for h, col in zip(headers, cells, strict=True)]

    def too_wide() -> bool:
        return width is not None and sum(widths) + 2 * (len(widths) - 1) > width

    if too_wide():
        heads = [_two_lines(h) for h in headers]
        widths = [max(*(len(h) for h in head), *(len(x) for x in col)) for head, col in zip(heads, cells, strict=True)]
    floor = [w if right else max(*(len(h) for h in head), 8) for w, right, head in zip(widths, numeric, heads,
                                                                                         strict=True)]
    prose = [any(" " in x for x in col) for col in cells]
    # cut prose (names, sources) first, then ids other than the first column's, widest first
    for allowed in ([p and i > 0 for i, p in enumerate(prose)], [i > 0 for i in range(len(widths))],
                    [True] * len(widths)):
        while too_wide():
            cuttable = [i for i in range(len(widths)) if allowed[i] and widths[i] > floor[i]]
            if not cuttable:
                break
            widest = max(cuttable, key=lambda i: widths[i])
            widths[widest] -= 1
    depth = max(len(h) for h in heads)
    lines = []
    for row in range(-depth, rows):
        parts = []
        for head, col, w, right in zip(heads, cells, widths, numeric, strict=True):
            if row < 0:
                line = row + len(head)  # header lines bottom-aligned over their column
                text = head[line] if line >= 0 else ""
            else:
                text = col[row]
            text = text if len(text) <= w else text[:w - 1] + "…"
            parts.append(text.rjust(w) if right else text.ljust(w))
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _two_lines(header: str) -> list[str]:
    """A header split where its longer line is shortest: at a space (a human label) or after an underscore (a
    column name, ``usd_per_`` over ``gpu_hour``); one line if it has neither."""
    sep = " " if " " in header else "_"
    parts: list[str] = []
    for part in header.split(sep):
        if parts and sep == " " and part in ("/", "×", "-"):  # a joining symbol ends the first line
            parts[-1] += " " + part
        else:
            parts.append(part)
    if len(parts) < 2:
        return [header]
    tail = "" if sep == " " else "_"  # a column name keeps its underscore at the end of the first line
    splits = [(sep.join(parts[:i]) + tail, sep.join(parts[i:])) for i in range(1, len(parts))]
    return list(min(splits, key=lambda pair: max(len(pair[0]), len(pair[1]))))
