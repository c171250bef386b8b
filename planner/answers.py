"""The one answer to each question a page asks of a comparison, computed once from its filtered rows.

The app's cards, the CLI's summary line and the reports all read these, so "how much does the cloud cost",
"which is cheapest", "how many options" have one answer per comparison and filter state: the cloud cost
range is the cheapest and dearest ``cost_usd`` of the *feasible cloud rows that passed the filters*, the
picks are ``planner.options.headline_options`` of the feasible rows, and the counts are of the same rows.
A table without a ``feasible`` column (no deadline or constraint asked) counts every row as feasible.
Pure: tables in, plain values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from planner import options
from planner.compare import top_options

#: How the cloud cost range is made, in words (cards and reports print it beside the range).
CLOUD_COST_RANGE_METHOD = "cheapest to dearest of the {n} feasible cloud options that pass the filters"


def feasible_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that can actually be run: ``feasible`` true where the table has that column, else every row."""
    if "feasible" not in table.columns:
        return table
    return table[table["feasible"].fillna(False).astype(bool)]


def cloud_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Cloud offers (not owned servers) of a comparison table."""
    if "option_kind" in table.columns:
        return table[table["option_kind"] == "cloud"]
    return table[table["provider"] != "owned"] if "provider" in table.columns else table


@dataclass(frozen=True)
class CompareAnswers:
    """What a page says about one comparison under one filter state.

    rows : options that passed the filters; feasible : of those, the ones that can run
    cloud_options : feasible cloud options with a cost; cloud_cost_low / _high [USD] their cheapest and dearest
    cost (NaN when there is none), cloud_low_index / cloud_high_index their index labels in the table
    picks : ``options.headline_options`` of the feasible rows (``co2e_total_kg`` for lowest carbon), by pick
    current_index : the user's current choice's index label in the table (None: none chosen or filtered out)
    """

    rows: int
    feasible: int
    cloud_options: int
    cloud_cost_low: float
    cloud_cost_high: float
    cloud_low_index: object
    cloud_high_index: object
    picks: pd.DataFrame
    current_index: object

    @property
    def cloud_cost_method(self) -> str:
        return CLOUD_COST_RANGE_METHOD.format(n=f"{self.cloud_options:,}")

    @property
    def has_cloud_cost(self) -> bool:
        return not math.isnan(self.cloud_cost_low)


def compare_answers(table: pd.DataFrame, current: pd.Series | None = None) -> CompareAnswers:
    """The answers for a filtered comparison table (``api.compare(...).table``) and the current choice's row."""
    usable = feasible_rows(table)
    co2e = "co2e_total_kg" if "co2e_total_kg" in table.columns else "co2e_kg"
    costs = pd.to_numeric(cloud_rows(usable)["cost_usd"], errors="coerce").dropna()
    low = high = None
    if len(costs):
        low, high = costs.idxmin(), costs.idxmax()
    needed = {"cost_usd", co2e, "wall_hours"}
    picks = options.headline_options(usable, current, co2e_column=co2e) if needed <= set(table.columns) \
        else pd.DataFrame(columns=["pick", "row"])
    return CompareAnswers(
        rows=len(table), feasible=len(usable), cloud_options=len(costs),
        cloud_cost_low=float(costs[low]) if low is not None else math.nan,
        cloud_cost_high=float(costs[high]) if high is not None else math.nan,
        cloud_low_index=low, cloud_high_index=high,
        picks=picks.set_index("pick") if len(picks) else picks,
        current_index=None if current is None else current.name)


def ranked_rows(table: pd.DataFrame, sort: str = "cost", n: int | None = None) -> pd.DataFrame:
    """The comparison's rows as a table shows them: the feasible ones by ``sort`` (``planner.compare.SORT_KEYS``:
    cost, co2e, time; ties broken as the headline picks break them, so the first row is that pick's card),
    then the infeasible ones in the same order; the first ``n`` (None: every row)."""
    ranked = top_options(table, sort, None)
    if "feasible" in table.columns:
        rest = table[~table["feasible"].fillna(False).astype(bool)]
        ranked = pd.concat([ranked, top_options(rest, sort, None, include_infeasible=True)])
    return ranked if n is None else ranked.head(int(n))
