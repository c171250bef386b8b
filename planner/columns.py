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

#: Display kinds: usd ($ and thousands separators), int (whole numbers), number (fixed decimals),
#: percent (a fraction shown ×100 with '%'), bool (yes/blank), text.
KINDS = ("usd", "int", "number", "percent", "bool", "text")


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
        if self.kind == "usd":
            text = f"{abs(number):,.{self.decimals}f}"
            return f"-${text}" if number < 0 and text.strip("0.,") else f"${text}"
        if self.kind == "int":
            return f"{number:,.0f}"
        if self.kind == "percent":
            return f"{number * 100:,.{self.decimals}f}%"
        return f"{number:,.{self.decimals}f}"

    @property
    def printf(self) -> str:
        """The Streamlit ``NumberColumn`` format of this column (sprintf-js, ',' = thousands separator)."""
        if self.kind == "usd":
            return f"$%,.{self.decimals}f"
        if self.kind == "int":
            return "%,d"
        if self.kind == "percent":
            return "percent"
        return f"%,.{self.decimals}f"


def _f(label: str, unit: str = "", kind: str = "text", decimals: int = 0) -> ColumnFormat:
    return ColumnFormat(label, unit, kind, decimals)


#: Every column of the comparison, estimate, report and procurement tables a person reads.
FORMATS: dict[str, ColumnFormat] = {
    "option": _f("Option"),
    "chosen": _f("Chosen", kind="bool"),
    "option_kind": _f("Kind"),
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
    "gpu_hours": _f("GPU-hours", "GPU-h", "number", 0),
    "wall_hours": _f("Wall-clock", "h", "number", 1),
    "energy_kwh": _f("Energy", "kWh", "number", 0),
    "co2e_kg": _f("CO2e, operational", "kg", "number", 0),
    "co2e_market_kg": _f("CO2e, market-based", "kg", "number", 0),
    "co2e_market_basis": _f("Market-based basis"),
    "co2e_embodied_kg": _f("CO2e, embodied", "kg", "number", 0),
    "co2e_total_kg": _f("CO2e, total", "kg", "number", 0),
    "cost_usd": _f("Cost", "USD", "usd"),
    "cost_usd_central": _f("Cost, central", "USD", "usd"),
    "on_demand_cost_usd": _f("On-demand cost", "USD", "usd"),
    "spot_cost_usd": _f("Spot cost", "USD", "usd"),
    "power_measured": _f("Measured power", kind="bool"),
    "pareto": _f("Pareto front", kind="bool"),
    "feasible": _f("Feasible", kind="bool"),
    "infeasible_reason": _f("Why not feasible"),
    "assumption_ids": _f("Assumptions used"),
    "grid_gco2e_per_kwh": _f("Grid intensity", "gCO2e/kWh", "number", 0),
    "pue": _f("PUE", kind="number", decimals=2),
    "usd_per_gpu_hour": _f("Price", "USD/GPU-h", "usd", 3),
    "utilisation": _f("Utilisation", kind="percent", decimals=0),
    "breakeven_utilisation": _f("Break-even utilisation", kind="percent", decimals=1),
    "year": _f("Year", kind="int"),
    "servers": _f("Servers", kind="int"),
    "p_wait": _f("Probability of waiting", kind="percent", decimals=1),
    "value": _f("Value", kind="number", decimals=4),
}

#: Unit suffixes of column names → (unit, kind, decimals), longest first.
_SUFFIXES = (
    ("_usd_per_gpu_hour", "USD/GPU-h", "usd", 3), ("_usd_per_kwh", "USD/kWh", "usd", 3), ("_usd", "USD", "usd", 0),
    ("_gco2e_per_kwh", "gCO2e/kWh", "number", 0), ("_kwh", "kWh", "number", 0), ("_kg", "kg", "number", 0),
    ("_gpu_hours", "GPU-h", "number", 0), ("_hours", "h", "number", 1), ("_years", "years", "number", 1),
    ("_kw", "kW", "number", 1), ("_w", "W", "number", 0), ("_fraction", "", "percent", 1),
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
