"""``answers.ranked_rows``: the order of the app's compare table (feasible first; ties as the headline picks)."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import answers, options
from planner.compare import SORT_KEYS, SORT_ORDER
from planner.ui import state


def _table() -> pd.DataFrame:
    # Five options. a and b tie on cost ($100); b is lower-carbon, so it is the cheapest pick (cost, then CO2e).
    # e is the cheapest of all but infeasible (it misses the deadline): it goes after every feasible row.
    return pd.DataFrame({
        "provider": ["aws", "aws", "gcp", "azure", "gcp"], "region": ["a", "b", "c", "d", "e"],
        "cost_usd": [100.0, 100.0, 150.0, 300.0, 50.0],
        "co2e_kg": [40.0, 30.0, 10.0, 25.0, 1.0], "co2e_total_kg": [45.0, 35.0, 12.0, 30.0, 2.0],
        "wall_hours": [10.0, 10.0, 20.0, 5.0, 99.0],
        "feasible": [True, True, True, True, False],
    })


def test_each_order_puts_feasible_rows_first_with_the_picks_tie_breaks():
    table = _table()
    assert answers.ranked_rows(table, "cost")["region"].tolist() == ["b", "a", "c", "d", "e"]
    assert answers.ranked_rows(table, "co2e")["region"].tolist() == ["c", "d", "b", "a", "e"]
    # time: d (5 h); a and b tie on 10 h and $100, b has less CO2e; then c; e (infeasible) last
    assert answers.ranked_rows(table, "time")["region"].tolist() == ["d", "b", "a", "c", "e"]
    assert answers.ranked_rows(table, "cost", 2)["region"].tolist() == ["b", "a"]


def test_the_first_row_of_each_order_is_its_headline_pick():
    table = _table()
    picks = options.headline_options(table, co2e_column="co2e_total_kg").set_index("pick")
    for sort, pick in (("cost", "cheapest"), ("co2e", "lowest_carbon"), ("time", "fastest")):
        assert answers.ranked_rows(table, sort).index[0] == picks.loc[pick, "row"], sort


def test_the_apps_orders_are_the_engines():
    assert state.SORTS == tuple(SORT_KEYS) == tuple(SORT_ORDER)
    assert all(SORT_ORDER[s][0] == SORT_KEYS[s] for s in SORT_KEYS)
    with pytest.raises(ValueError, match="sort 'price': not allowed"):
        answers.ranked_rows(_table(), "price")
