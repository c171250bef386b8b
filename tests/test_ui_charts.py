"""The app's charts, drawn from a per-region table the library made (never hand-typed numbers)."""

from __future__ import annotations

import pytest

from planner import api
from planner.ui import charts


@pytest.fixture(scope="module")
def regions():
    workload, preset = api.make_workload("bert-base")
    return api.region_estimates(workload, preset, pricing="on_demand").table


def _rows(spec, layer):
    return spec["datasets"][layer["data"]["name"]]


def test_scatter_draws_every_priced_option_and_the_pareto_front_on_top(regions):
    spec = charts.cost_co2e_scatter(regions).to_dict()
    points, line, rings = spec["layer"]
    assert len(_rows(spec, points)) == len(regions)
    front = _rows(spec, line)
    assert len(front) == int(regions["pareto"].sum()) >= 1
    assert {(r["provider"], r["region"]) for r in front} == set(
        regions.loc[regions["pareto"], ["provider", "region"]].itertuples(index=False, name=None))
    assert line["mark"]["type"] == "line" and points["encoding"]["x"]["field"] == "cost_usd"


def test_scatter_without_a_pareto_column_has_points_only(regions):
    spec = charts.cost_co2e_scatter(regions.drop(columns="pareto")).to_dict()
    assert len(spec["layer"]) == 1


def test_region_bars_show_cost_and_co2e_per_region_in_table_order(regions):
    spec = charts.region_bars(regions).to_dict()
    cost, co2e = spec["hconcat"]
    assert cost["encoding"]["x"]["field"] == "cost_usd" and co2e["encoding"]["x"]["field"] == "co2e_kg"
    order = cost["encoding"]["y"]["sort"]
    assert order[0] == f"{regions['provider'].iloc[0]} {regions['region'].iloc[0]}"
    assert len(order) == len(regions)
