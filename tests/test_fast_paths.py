"""The speed paths of issue 18 give exactly what the plain code gives: text columns built without a Python step
per row (planner.text), the blocked Pareto front, percentiles partitioned as bit patterns, powers once per
distinct instance count and triangular draws written in place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from planner import ranges, spot, text
from planner.api import grid_water


def test_distinct_codes_number_combinations_in_order_of_first_row():
    kind = np.array(["cloud", "owned", "cloud", "cloud", "owned"], dtype=object)
    region = np.array(["a", None, "b", "a", None], dtype=object)
    codes, first = text.distinct_codes(kind, region)
    # (cloud, a) first at 0, (owned, None) at 1, (cloud, b) at 2; rows 3 and 4 repeat codes 0 and 1
    assert codes.tolist() == [0, 1, 2, 0, 1]
    assert first.tolist() == [0, 1, 2]
    series = pd.Series(["x", "y", "x", None])  # pandas' Arrow text, encoded as stored; a missing value is a value
    codes, first = text.distinct_codes(series)
    assert codes.tolist() == [0, 1, 0, 2] and first.tolist() == [0, 1, 3]


def test_format_distinct_formats_each_combination_once():
    calls = []

    def make(hours: float, gpus: float) -> str:
        calls.append((hours, gpus))
        return f"{hours:,.0f} h on {gpus:g} GPUs"

    hours = np.array([1500.0, 1500.0, 20.0, 1500.0])
    gpus = np.array([8.0, 8.0, 8.0, 16.0])
    out = text.format_distinct(make, hours, gpus)
    assert out.tolist() == ["1,500 h on 8 GPUs", "1,500 h on 8 GPUs", "20 h on 8 GPUs", "1,500 h on 16 GPUs"]
    assert calls == [(1500.0, 8.0), (20.0, 8.0), (1500.0, 16.0)]


def test_str_array_is_what_pandas_infers():
    values = np.array(["aws", None, "gcp", "ünïcode"], dtype=object)
    fast = pd.Series(text.str_array(values))
    plain = pd.Series(pd.array(values, dtype=object)).astype(text.STR_DTYPE)
    pd.testing.assert_series_equal(fast, plain)
    assert fast.isna().tolist() == [False, True, False, False]


def test_str_take_concat_and_chunks():
    source = text.arrow_strings(np.array(["a", "b", None], dtype=object))
    assert pd.Series(text.str_take(source, np.array([2, 0, 0]))).tolist()[1:] == ["a", "a"]
    joined = text.str_concat(pd.Series(["x;y", None]), np.array([";w", ";e"], dtype=object))
    assert list(joined) == ["x;y;w", "nan;e"]  # as f"{ids};..." writes a missing value
    chunks = text.str_chunks([pa.array(["p"], type=pa.large_string()), pa.chunked_array([["q", "r"]],
                                                                                       type=pa.large_string())])
    assert list(chunks) == ["p", "q", "r"]


def _pareto_plain(points: np.ndarray) -> np.ndarray:
    """The front one row at a time against every kept row (the code before the blocked version)."""
    front = np.ones(len(points), dtype=bool)
    kept: list[int] = []
    for i in np.lexsort(points.T[::-1]):
        if kept and (np.all(points[kept] <= points[i], axis=1)).any():
            front[i] = False
            continue
        kept.append(i)
    return front


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blocked_pareto_front_equals_the_row_by_row_one(seed):
    rng = np.random.default_rng(seed)
    points = rng.integers(0, 30, size=(3000, 3)).astype(float)  # many ties and exact duplicates
    points[::97, 2] = np.nan
    assert np.array_equal(grid_water.pareto_front_nd(points), _pareto_plain(points))


def _percentiles_plain(cells: np.ndarray, percentiles) -> np.ndarray:
    draws = cells.shape[1]
    position = np.asarray(percentiles, float) / 100.0 * (draws - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, draws - 1)
    part = np.partition(cells, np.unique(np.concatenate([below, above])), axis=1)
    weight = position - below
    return (part[:, below] * (1.0 - weight) + part[:, above] * weight).T


@pytest.mark.parametrize("draws", [1, 2, 10, 1001])
def test_percentiles_as_bit_patterns_select_the_same_values(draws):
    rng = np.random.default_rng(draws)
    positive = rng.random((6, draws)) * 1e4
    positive[0] = 0.0
    signed = rng.random((3, draws)) - 0.5  # negative values: the float path
    with_nan = rng.random((2, draws))
    with_nan[1, 0] = np.nan
    for cells in (positive, signed, with_nan):
        for q in ((5.0, 50.0, 95.0), (0.0, 100.0)):
            assert np.array_equal(ranges.percentiles_along_draws(cells, q), _percentiles_plain(cells, q),
                                  equal_nan=True)


def test_power_once_per_distinct_instance_count():
    availability = np.random.default_rng(3).random((1, 500))
    instances = np.repeat(np.array([[1.0], [2.0], [8.0], [64.0]]), 10, axis=0)
    assert np.array_equal(spot.capacity_wait_hours(instances, availability, 0.5),
                          0.5 * (1.0 - availability ** instances))


def test_triangular_draws_in_place_equal_the_quantile():
    u = np.random.default_rng(5).random(400)
    low, central, high = np.array([[1.0], [2.0], [5.0]]), np.array([[1.5], [2.0], [9.0]]), np.array([[3.0], [2.0],
                                                                                                    [10.0]])
    drawn = ranges._draw(u, (np.sqrt(u), np.sqrt(1.0 - u)), low, central, high)
    width = high - low
    split = (central - low) / np.where(width > 0, width, 1.0)
    plain = np.where(u[None, :] < split, low + np.sqrt(u)[None, :] * np.sqrt(width * (central - low)),
                     high - np.sqrt(1.0 - u)[None, :] * np.sqrt(width * (high - central)))
    assert np.array_equal(drawn, plain)  # the same operations as before they were written in place
    assert np.allclose(drawn, ranges.triangular_quantile(u[None, :], low, central, high), rtol=1e-14, atol=0)
    assert np.all(drawn[1] == 2.0)  # a fixed input (low = central = high) stays fixed


def test_estimate_paths_equal_the_plain_pandas_they_replace(data):
    # An estimate prepares its GPU's ~100 offers, where pandas' cost per operation dominated: the offers'
    # regions are joined by position, siblings and spot rates found per distinct key. Each equals the plain
    # merge / per-row result, for the shipped snapshot in its order and shuffled.
    from planner import prepared
    from planner.api.snapshot import current_offers

    table = prepared.region_grid(data["cloud_regions"], data["grid_intensity"]).drop(columns=["location"])
    offers = current_offers()
    shuffled = offers.sample(frac=1, random_state=3).reset_index(drop=True)
    for frame in (offers, shuffled, offers[offers["gpu"] == "v100-sxm2-16gb"].reset_index(drop=True)):
        pd.testing.assert_frame_equal(prepared._with_regions(frame, table),
                                      frame.merge(table, on=["provider", "region"], how="left"), check_exact=True)
        rates = spot.interruption_rates(frame, data["spot_interruption"]).set_index(frame.index)
        one_by_one = pd.concat([spot.interruption_rates(frame.iloc[[i]], data["spot_interruption"])
                                for i in range(0, len(frame), 97)])
        pd.testing.assert_frame_equal(rates.loc[one_by_one.index], one_by_one, check_exact=True)
        pricing = frame["pricing"].to_numpy(dtype=object)
        instance, _ = text.distinct_codes(frame["provider"], frame["region"], frame["instance_type"])
        siblings = prepared._siblings(instance, pricing, "on_demand")
        keys = list(zip(frame["provider"], frame["region"], frame["instance_type"], strict=True))
        first = {}
        for i, (key, kind) in enumerate(zip(keys, pricing, strict=True)):
            if kind == "on_demand":
                first.setdefault(key, i)
        assert siblings.tolist() == [first.get(k, -1) for k in keys]
    # an unknown region falls back to the merge (its grid columns missing), which prepare_cloud then refuses
    odd = offers.head(3).assign(region=["nowhere-1", offers["region"].iloc[1], offers["region"].iloc[2]])
    joined = prepared._with_regions(odd, table)
    assert joined["grid_central"].isna().tolist() == [True, False, False]
