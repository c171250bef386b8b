"""Low/central/high inputs and the seeded Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import PlanError
from planner.ranges import (
    Range,
    at_bound,
    input_uniforms,
    monte_carlo,
    percentiles_along_draws,
    triangular_quantile,
)


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
    stats = monte_carlo(lambda rows, x: {"y": x["v"] * 1.0}, {}, {"v": Range(0.0, 0.0, 1.0)}, 1, 20000, seed=1,
                        percentiles=(50.0,))
    assert stats["y"][0][0] == pytest.approx(1 - np.sqrt(0.5), abs=0.01)


def test_monte_carlo_same_seed_same_percentiles_whatever_the_block_size():
    ranges = {"price": Range(np.array([1.0, 10.0, 5.0]), np.array([2.0, 20.0, 6.0]), np.array([3.0, 30.0, 9.0])),
              "share": Range(0.5, 1.0, 1.0)}
    rows = {"hours": np.array([100.0, 100.0, 7.0])}

    def evaluate(block, x):
        return {"cost": x["price"] * block["hours"] * x["share"]}

    first = monte_carlo(evaluate, rows, ranges, 3, 500, seed=42)
    again = monte_carlo(evaluate, rows, ranges, 3, 500, seed=42, max_elements=7)  # one row per block
    assert first["cost"].shape == (3, 3)
    np.testing.assert_allclose(first["cost"], again["cost"])
    # one uniform per input per draw is shared by every row: row 2 (10 x row 1's price) is exactly 10 x row 1
    np.testing.assert_allclose(first["cost"][:, 1], 10 * first["cost"][:, 0])
    # every draw lies inside [all low, all high]: 1 · 100 · 0.5 = 50 and 3 · 100 · 1 = 300
    assert (first["cost"][0] >= [50.0, 500.0, 17.5]).all() and (first["cost"][-1] <= [300.0, 3000.0, 63.0]).all()


def test_each_input_has_its_own_stream_independent_across_row_kinds():
    # 20,000 draws: the correlation of independent uniforms has a standard error of 1/sqrt(20,000) = 0.007
    ratio_cloud = input_uniforms(7, "cloud", "ratio", 20000)
    grid_cloud = input_uniforms(7, "cloud", "grid", 20000)
    ratio_owned = input_uniforms(7, "owned", "ratio", 20000)
    for a, b in ((ratio_cloud, grid_cloud), (ratio_cloud, ratio_owned), (grid_cloud, ratio_owned)):
        assert abs(np.corrcoef(a, b)[0, 1]) < 0.03
    # a stream is its own: the same (seed, kind, input) gives the same draws, whatever else is drawn
    np.testing.assert_array_equal(ratio_cloud, input_uniforms(7, "cloud", "ratio", 20000))


def test_two_inputs_drawn_by_the_monte_carlo_are_uncorrelated():
    # y = a + b with a, b uniform on [0, 1] (triangular with the mode at an end is not uniform, so use the
    # draws themselves): corr(a, b) ~ 0 means var(y) ~ var(a) + var(b) = 1/6 for triangular(0, 0.5, 1) each:
    # var = (a² + b² + c² - ab - ac - bc) / 18 = (0 + 1 + 0.25 - 0 - 0 - 0.5) / 18 = 1/24; sum 1/12 = 0.0833
    def evaluate(rows, x):
        return {"sum": x["a"] + x["b"], "a": x["a"] + 0.0 * x["b"]}

    seen = {}

    def capture(rows, x):
        seen.update(a=np.ravel(x["a"]), b=np.ravel(x["b"]))
        return evaluate(rows, x)

    monte_carlo(capture, {}, {"a": Range(0.0, 0.5, 1.0), "b": Range(0.0, 0.5, 1.0)}, 1, 20000, seed=3)
    assert abs(np.corrcoef(seen["a"], seen["b"])[0, 1]) < 0.03
    assert np.var(seen["a"] + seen["b"]) == pytest.approx(1 / 12, rel=0.05)


def test_percentiles_along_draws_equal_numpys():
    cells = np.random.default_rng(0).random((4, 1001))
    np.testing.assert_allclose(percentiles_along_draws(cells, (5.0, 50.0, 95.0)),
                               np.percentile(cells, (5.0, 50.0, 95.0), axis=1))


def test_monte_carlo_needs_positive_draws():
    with pytest.raises(PlanError, match="^monte_carlo draws 0: must be > 0"):
        monte_carlo(lambda rows, x: x, {}, {"v": Range.fixed(1.0)}, 1, 0, seed=0)
