"""Choosing among compared options: the cost-CO2e Pareto front and the cheapest, lowest-carbon and fastest rows.

Works on any table with ``cost_usd``, ``co2e_kg`` and ``wall_hours`` columns (one row per way of getting the
compute), so it serves the per-region table and the comparison engine's table alike. Pure and vectorised.
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


def pareto_front(cost_usd: object, co2e_kg: object) -> np.ndarray:
    """Which options no other option beats on both cost [USD] and CO2e [kg].

    Option *i* is dominated when some *j* has ``cost_j <= cost_i`` and ``co2e_j <= co2e_i`` with at least one
    strictly smaller; the front is every option not dominated. Identical options are all on the front. An
    option with a missing (NaN) cost or CO2e is never on the front and dominates nothing.
    Returns a boolean array, one per option. O(n²) memory: fine for the few thousand rows of a comparison.
    """
    cost = np.asarray(cost_usd, dtype=float)
    co2e = np.asarray(co2e_kg, dtype=float)
    if cost.shape != co2e.shape:
        raise PlanError(f"pareto_front: cost_usd and co2e_kg differ in length ({cost.size} vs {co2e.size})")
    valid = ~(np.isnan(cost) | np.isnan(co2e))
    c, e = cost[valid], co2e[valid]
    no_worse = (c[None, :] <= c[:, None]) & (e[None, :] <= e[:, None])
    better = (c[None, :] < c[:, None]) | (e[None, :] < e[:, None])
    front = np.zeros(cost.shape, dtype=bool)
    front[valid] = ~(no_worse & better).any(axis=1)
    return front


def headline_options(table: pd.DataFrame, current: pd.Series | dict | None = None) -> pd.DataFrame:
    """The cheapest, the lowest-carbon and the fastest option, and how each differs from the current choice.

    table : options with ``cost_usd`` [USD], ``co2e_kg`` [kg], ``wall_hours`` [h] (rows with a missing
    cost are skipped: an option without a price cannot be the cheapest)
    current : the user's current choice (a row with the same three columns), or None
    Returns one row per pick (``pick`` = cheapest | lowest_carbon | fastest) with the option's columns and
    ``delta_cost_usd``, ``delta_co2e_kg``, ``delta_wall_hours`` = pick − current (NaN without a current choice);
    empty when no option has a cost.
    """
    priced = table.dropna(subset=["cost_usd", "co2e_kg", "wall_hours"])
    if priced.empty:
        return pd.DataFrame(columns=["pick", *table.columns, *(f"delta_{c}" for c in DELTA_COLUMNS)])
    rows = []
    for pick, order in HEADLINE_PICKS.items():
        best = priced.sort_values(list(order), kind="mergesort").iloc[0]
        row = {"pick": pick, **best.to_dict()}
        for column in DELTA_COLUMNS:
            row[f"delta_{column}"] = (float(best[column]) - float(current[column])
                                      if current is not None and pd.notna(current[column]) else np.nan)
        rows.append(row)
    return pd.DataFrame(rows)
