"""Choosing among options: the cost-CO2e Pareto front and the headline picks with deltas to a current choice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlanError
from planner.options import headline_options, pareto_front


def test_pareto_front_keeps_only_undominated_points():
    # A (100 $, 50 kg) and C (300 $, 10 kg) trade off; B (200 $, 60 kg) is beaten by A on both; D (150 $, 30 kg)
    # is on the front (cheaper than C, greener than A).
    front = pareto_front([100, 200, 300, 150], [50, 60, 10, 30])
    assert front.tolist() == [True, False, True, True]


def test_pareto_front_keeps_ties_and_drops_weakly_dominated():
    # Two identical options are both on the front; (100, 60) is as cheap as (100, 50) but dirtier: dominated.
    front = pareto_front(np.array([100.0, 100.0, 100.0]), np.array([50.0, 50.0, 60.0]))
    assert front.tolist() == [True, True, False]


def test_pareto_front_ignores_options_without_a_cost():
    # The NaN-cost option would "dominate" nothing and is never on the front; (200, 5) stays on it.
    front = pareto_front([math.nan, 200, 300], [1, 5, 10])
    assert front.tolist() == [False, True, False]


def test_pareto_front_rejects_mismatched_lengths():
    with pytest.raises(PlanError, match="differ in length"):
        pareto_front([1, 2], [1])


def _options():
    return pd.DataFrame({
        "provider": ["aws", "gcp", "azure"], "region": ["r1", "r2", "r3"],
        "cost_usd": [1000.0, 1200.0, 900.0], "co2e_kg": [40.0, 10.0, 80.0], "wall_hours": [10.0, 5.0, 10.0],
    })


def test_headline_options_pick_and_delta_to_current():
    picks = headline_options(_options(), current=_options().iloc[0]).set_index("pick")
    # cheapest: azure 900 $ → 900 − 1000 = −100 $; lowest carbon: gcp 10 kg → 10 − 40 = −30 kg;
    # fastest: gcp 5 h → 5 − 10 = −5 h, and it costs 1200 − 1000 = +200 $.
    assert picks.loc["cheapest", "region"] == "r3"
    assert picks.loc["cheapest", "delta_cost_usd"] == pytest.approx(-100)
    assert picks.loc["lowest_carbon", "region"] == "r2"
    assert picks.loc["lowest_carbon", "delta_co2e_kg"] == pytest.approx(-30)
    assert picks.loc["fastest", "region"] == "r2"
    assert picks.loc["fastest", "delta_wall_hours"] == pytest.approx(-5)
    assert picks.loc["fastest", "delta_cost_usd"] == pytest.approx(200)


def test_headline_options_break_ties_by_cost_and_skip_unpriced():
    table = _options().assign(wall_hours=10.0)
    table.loc[1, "cost_usd"] = math.nan
    picks = headline_options(table).set_index("pick")
    # All equally fast: the cheaper of the priced two (azure, 900 $) is "fastest"; gcp has no price.
    assert picks.loc["fastest", "region"] == "r3"
    assert picks.loc["lowest_carbon", "region"] == "r1"
    assert math.isnan(picks.loc["cheapest", "delta_cost_usd"])


def test_headline_options_empty_without_priced_rows():
    assert headline_options(_options().assign(cost_usd=math.nan)).empty
