"""Low/central/high inputs and the seeded Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import PlanError
from planner.ranges import Range, at_bound, monte_carlo, triangular_quantile


def test_triangular_quantile_hits_the_ends_and_the_mode():
    # a=1, c=2, b=5: F(c) = (2-1)/(5-1) = 0.25
    u = np.array([0.0, 0.25, 1.0])
    assert triangular_quantile(u, 1.0, 2.0, 5.0) == pytest.approx([1.0, 2.0, 5.0])


def test_triangular_quantile_accepts_reversed_and_degenerate_ranges():
    # a ratio's range is ordered by effect (low = the larger ratio): bounds are sorted first
    assert triangular_quantile(np.array([0.0, 1.0]), 5.0, 2.0, 1.0) == pytest.approx([1.0, 5.0])
    assert triangular_quantile(np.array([0.3, 0.9]), 4.0, 4.0, 4.0) == pytest.approx([4.0, 4.0])


def test_at_bound_picks_each_end():
    ranges = {"price": Range(1.0, 2.0, 3.0), "grid": Range.fixed(400.0)}
    assert at_bound(ranges, "high") == {"price": 3.0, "grid": 400.0}
    with pytest.raises(PlanError, match="^bound 'middle': not allowed"):
        Range(1, 2, 3).at("middle")


def test_monte_carlo_median_of_a_right_triangle():
    # triangular(a=0, c=0, b=1): median = 1 - sqrt(1/2) = 0.29289; 20,000 draws: standard error ~0.003
    stats = monte_carlo(lambda x: {"y": x["v"] * 1.0}, {"v": Range(0.0, 0.0, 1.0)}, 20000, seed=1,
                        percentiles=(50.0,))
    assert stats["y"][0][0] == pytest.approx(1 - np.sqrt(0.5), abs=0.01)


def test_monte_carlo_same_seed_same_percentiles_and_rows_broadcast():
    ranges = {"price": Range(np.array([1.0, 10.0]), np.array([2.0, 20.0]), np.array([3.0, 30.0])),
              "share": Range(1.0, 1.0, 1.0)}

    def evaluate(x):
        return {"cost": x["price"] * 100.0 * x["share"]}

    first = monte_carlo(evaluate, ranges, 500, seed=42)
    again = monte_carlo(evaluate, ranges, 500, seed=42, chunk=7)  # evaluated in chunks of 7: same draws
    assert first["cost"].shape == (3, 2)
    np.testing.assert_allclose(first["cost"], again["cost"])
    # one uniform per input per draw is shared by every row: row 2 is exactly 10 x row 1
    np.testing.assert_allclose(first["cost"][:, 1], 10 * first["cost"][:, 0])
    assert (first["cost"][0] >= [100.0, 1000.0]).all() and (first["cost"][-1] <= [300.0, 3000.0]).all()


def test_monte_carlo_needs_positive_draws():
    with pytest.raises(PlanError, match="^monte_carlo draws 0: must be > 0"):
        monte_carlo(lambda x: x, {"v": Range.fixed(1.0)}, 0, seed=0)
