"""What ``trainplan procure`` prints: each table's key columns in 120 characters, the rest on request.

Text layout only: the numbers are the plan's own tables (``api.procurement_plan``); ``--columns all`` prints
every column, and ``--out-dir`` writes the full tables as CSV.
"""

from __future__ import annotations

import pandas as pd

from planner.cli.common import LINE_WIDTH, assumption_entries, wrapped
from planner.columns import text_table

#: Per table: its title and the columns printed by default (what a procurement decision reads first).
KEY_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "summary": ("Summary on the plan's basis (total_usd): every option over the horizon",
                ("option", "total_usd", "usd_per_gpu_hour", "cost_vs_owned", "breakeven_utilisation",
                 "co2e_kg")),
    "bases": ("The answer under each basis",
              ("view", "money", "residual", "fa_rate", "owned_usd", "cheapest_cloud", "cloud_usd", "cloud_vs_owned")),
    "years": ("Demand, sizing and queue (M/M/c, Allen-Cunneen) per year, average and peak month",
              ("year", "demand_gpu_hours", "servers_needed", "servers_bought", "fleet_servers", "utilisation",
               "p_wait", "wait_hours", "peak_month_utilisation", "peak_wait_hours")),
    "tco": ("Owned cost per year (cash; basis_usd on the plan's basis)",
            ("year", "fleet_servers", "capex_usd", "electricity_usd", "maintenance_usd", "staff_usd",
             "residual_usd", "total_usd", "basis_usd", "cumulative_basis_usd")),
    "breakeven": ("Break-even against each cloud option, on the plan's basis",
                  ("option", "cloud_usd_per_gpu_hour", "owned_usd_per_gpu_hour", "achieved_utilisation",
                   "breakeven_utilisation", "breakeven_year", "cloud_total_usd")),
    "sensitivity": ("Sensitivity (tornado): owned and cheapest-cloud totals, each input at its low and high",
                    ("input", "low", "high", "swing_usd", "ratio_low", "ratio_high", "flips")),
    "carbon": ("Carbon (flat grid and the plan's grid basis) and water over the horizon",
               ("option", "energy_kwh", "co2e_flat_kg", "co2e_kg", "embodied_co2e_kg", "water_l")),
    "assumptions": ("Assumptions", ("name", "value", "unit", "source", "as_of")),
}


def table_text(name: str, table: pd.DataFrame, every_column: bool = False) -> str:
    """One procurement table as titled text: its key columns cut to ``LINE_WIDTH``, or every column.

    The assumptions print as one wrapped entry each (name = value unit, date; source) rather than a table whose
    source column would be cut."""
    title, key = KEY_COLUMNS[name]
    if name == "assumptions" and not every_column:
        return f"\n{title}\n" + assumption_entries(table)
    if every_column:
        return f"\n{title}\n{text_table(table)}"
    return f"\n{title}\n{text_table(table, [c for c in key if c in table.columns], width=LINE_WIDTH)}"


def verdict_lines(table: pd.DataFrame, label: tuple[str, ...] = ("option",)) -> str:
    """``label: verdict`` for each row that has one (the verdict texts do not fit a table column)."""
    if "verdict" not in table:
        return ""
    rows = table[table["verdict"].fillna("").astype(str).str.len() > 0]
    names = rows[list(label)].astype(str).agg(" ".join, axis=1)
    return "\n".join(wrapped(f"{n}: {v}", "  - ") for n, v in zip(names, rows["verdict"], strict=True))

