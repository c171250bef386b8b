"""Choosing among compared options: the cheapest, lowest-carbon and fastest rows, the user's current option,
the best option per region, and a report-sized subset of a comparison.

Works on any table with ``cost_usd``, a CO2e column and ``wall_hours`` (one row per way of getting the compute),
so it serves the per-region table and the comparison engine's table alike. The cost-CO2e Pareto front is the
comparison engine's (``planner.compare.pareto_front``, its ``pareto`` column). Pure and vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import PlanError

#: The headline picks, each with the columns it minimises in order (later columns break ties).
HEADLINE_PICKS = {
    "cheapest": ("cost_usd", "co2e_kg", "wall_hours"),
    "lowest_carbon": ("co2e_kg", "cost_usd", "wall_hours"),
    "fastest": ("wall_hours", "cost_usd", "co2e_kg"),
}
DELTA_COLUMNS = ("cost_usd", "co2e_kg", "wall_hours")
#: Assumption-name prefixes that belong to one row (a region, an offer, a GPU), not to the whole comparison.
PER_ROW_PREFIXES = ("price_", "grid_intensity_", "google_cfe_", "tdp_", "throughput_ratio_", "spot_band_",
                    "interconnect_", "wue_", "ewif_")


def headline_options(table: pd.DataFrame, current: pd.Series | dict | None = None,
                     co2e_column: str = "co2e_kg") -> pd.DataFrame:
    """The cheapest, the lowest-carbon and the fastest option, and how each differs from the current choice.

    table : options with ``cost_usd`` [USD], ``co2e_column`` [kg], ``wall_hours`` [h] (rows with a missing
    cost are skipped: an option without a price cannot be the cheapest)
    current : the user's current choice (a row with the same three columns), or None
    co2e_column : the CO2e that "lowest carbon" minimises: ``co2e_kg`` (operational) or, on a comparison
    table, ``co2e_total_kg`` (operational + embodied, what its Pareto front uses)
    Returns one row per pick (``pick`` = cheapest | lowest_carbon | fastest, ``row`` = its index label in
    ``table``) with the option's columns and
    ``delta_cost_usd``, ``delta_<co2e_column>``, ``delta_wall_hours`` = pick − current (NaN without a current
    choice); empty when no option has a cost.
    """
    deltas = tuple(co2e_column if c == "co2e_kg" else c for c in DELTA_COLUMNS)
    priced = feasible_rows(table).dropna(subset=list(deltas))
    if priced.empty:
        return pd.DataFrame(columns=["pick", "row", *table.columns, *(f"delta_{c}" for c in deltas)])
    rows = []
    for pick, order in HEADLINE_PICKS.items():
        best = priced.sort_values([co2e_column if c == "co2e_kg" else c for c in order], kind="mergesort").iloc[0]
        row = {"pick": pick, "row": best.name, **best.to_dict()}
        for column in deltas:
            row[f"delta_{column}"] = (float(best[column]) - float(current[column])
                                      if current is not None and pd.notna(current[column]) else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def feasible_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that can really train the workload (``feasible``, ``planner.feasibility``); all rows of a
    table without the column."""
    return table[table["feasible"].astype(bool)] if "feasible" in table else table


def current_option(table: pd.DataFrame, provider: str | None, region: str | None, pricing: str | None = None,
                   gpu: str | None = None) -> pd.Series | None:
    """The user's current choice in a comparison table: the cheapest row of that provider and region.

    pricing / gpu narrow it further when given (None: any). Returns None without a provider and region, or
    when no row matches (filters may have left it out).
    """
    if not provider or not region:
        return None
    hit = (table["provider"] == provider) & (table["region"] == region)
    if pricing:
        hit &= table["pricing"] == pricing
    if gpu:
        hit &= table["gpu"] == gpu
    rows = table[hit].sort_values("cost_usd", kind="mergesort")
    return rows.iloc[0] if len(rows) else None


def best_per_region(table: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The cheapest row of each (provider, region): one bar per region in a chart, cheapest region first.

    Owned rows count as one region per site (``provider`` 'owned', ``region`` the site zone). ``top`` keeps
    the first ``top`` regions (None: all). Ties in cost go to the lower CO2e.
    """
    co2e = "co2e_total_kg" if "co2e_total_kg" in table else "co2e_kg"
    ordered = feasible_rows(table).dropna(subset=["cost_usd"]).sort_values(["cost_usd", co2e], kind="mergesort")
    best = ordered.drop_duplicates(["provider", "region"]).reset_index(drop=True)
    return best if top is None else best.head(int(top))


def report_subset(table: pd.DataFrame, assumptions: pd.DataFrame, current_index: int | None = None,
                  top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame, int | None]:
    """A report-sized part of a comparison: its ``top`` cheapest feasible rows, the Pareto front, the headline
    picks, every feasible owned configuration (own-vs-rent is the question a report answers) and the current
    choice, with only the assumptions those rows use. Infeasible rows (``feasible`` False: they cannot train
    the workload in time or in memory) are left out, except the current choice.

    table / assumptions : ``Comparison.table`` (``assumption_ids``, ``pareto``) and ``Comparison.assumptions``
    current_index : the current choice's index label in ``table`` (None: none)
    Kept assumptions: those named in the kept rows' ``assumption_ids``, and those no row names that are not
    per-row (``PER_ROW_PREFIXES``: another region's grid or another offer's price). Returns (rows in
    ``table``'s order, assumptions, the current choice's position in the rows or None).
    """
    usable = feasible_rows(table)
    keep = set(usable.sort_values("cost_usd", kind="mergesort").index[:max(int(top), 0)]) | \
        set(usable.index[usable["pareto"].astype(bool)])
    if "option_kind" in table:
        keep |= set(usable.index[usable["option_kind"] == "owned"])
    co2e = "co2e_total_kg" if "co2e_total_kg" in table else "co2e_kg"
    for order in HEADLINE_PICKS.values():
        priced = usable.dropna(subset=["cost_usd"])
        if len(priced):
            keep.add(priced.sort_values([co2e if c == "co2e_kg" else c for c in order], kind="mergesort").index[0])
    if current_index is not None:
        if current_index not in table.index:
            raise PlanError(f"current option {current_index}: not a row of the table")
        keep.add(current_index)
    rows = table.loc[[i for i in table.index if i in keep]]
    named = {n for ids in rows["assumption_ids"].astype(str) for n in ids.split(";") if n}
    anywhere = {n for ids in table["assumption_ids"].astype(str) for n in ids.split(";") if n}
    names = assumptions["name"].astype(str)
    wanted = names.isin(named) | (~names.isin(anywhere) & ~names.str.startswith(PER_ROW_PREFIXES))
    position = None if current_index is None else list(rows.index).index(current_index)
    return rows.reset_index(drop=True), assumptions[wanted].reset_index(drop=True), position
