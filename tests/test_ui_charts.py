"""The app's charts, drawn from tables the library made (never hand-typed numbers)."""

from __future__ import annotations

import pytest

from planner import api, options
from planner.ui import charts
from planner.ui.tables import readable


@pytest.fixture(scope="module")
def compared():
    workload, preset = api.make_workload("bert-base")
    return api.compare(workload, preset, pricing=["on_demand"]).table


def _rows(spec, layer):
    return spec["datasets"][layer["data"]["name"]]


def test_scatter_draws_every_priced_option_and_the_pareto_front_on_top(compared):
    spec = charts.cost_co2e_scatter(compared)
    points, line, rings = spec["layer"]
    rows = spec["data"]["values"]
    assert len(rows) == len(compared)
    front = [r for r in rows if r["pareto"]]  # what the line and ring layers' filter keeps
    assert line["transform"] == rings["transform"] == [{"filter": "datum.pareto"}]
    assert len(front) == int(compared["pareto"].sum()) >= 1
    assert sorted(r["cost_usd"] for r in front) == pytest.approx(sorted(compared.loc[compared["pareto"], "cost_usd"]))
    # The front is on cost vs operational + embodied CO2e, as the engine computed it.
    assert points["encoding"]["y"]["field"] == "co2e_total_kg" and line["mark"]["type"] == "line"


def test_scatter_of_the_rows_shown_keeps_the_whole_pareto_front(compared):
    shown = compared.sort_values("cost_usd", kind="mergesort").head(20)
    spec = charts.cost_co2e_scatter(compared, shown.index)
    rows = spec["data"]["values"]
    front = compared[compared["pareto"]]
    # the 20 cheapest and the front, each once (the cheapest option is on the front: no double count)
    assert len(rows) == len(set(shown.index) | set(front.index)) < len(compared)
    assert sorted(r["cost_usd"] for r in rows if r["pareto"]) == pytest.approx(sorted(front["cost_usd"]))
    assert min(r["cost_usd"] for r in rows) == pytest.approx(shown["cost_usd"].iloc[0])
    # Only the data depends on the rows: the browser can swap it in a chart already drawn.
    everything = charts.cost_co2e_scatter(compared)
    assert {k: v for k, v in spec.items() if k != "data"} == {k: v for k, v in everything.items() if k != "data"}


def test_scatter_without_a_pareto_column_has_points_only(compared):
    spec = charts.cost_co2e_scatter(compared.drop(columns="pareto"))
    assert len(spec["layer"]) == 1


def test_region_bars_show_cost_and_co2e_per_region_in_table_order(compared):
    best = options.best_per_region(compared, top=10)
    spec = charts.region_bars(best)
    cost, co2e = spec["hconcat"]
    assert cost["encoding"]["x"]["field"] == "cost_usd" and co2e["encoding"]["x"]["field"] == "co2e_total_kg"
    # Both order their rows by cost, cheapest at the top (through the spec, not a list of this data's labels)
    assert cost["encoding"]["y"]["sort"] == co2e["encoding"]["y"]["sort"] == {"field": "cost_usd", "op": "min",
                                                                              "order": "ascending"}
    first = best.iloc[0]
    assert spec["data"]["values"][0]["option"].startswith(f"{first['provider']} ") and len(spec["data"]["values"]) == 10
    assert [r["cost_usd"] for r in spec["data"]["values"]] == pytest.approx(best["cost_usd"].tolist())


def test_breakeven_chart_marks_each_crossing_and_the_expected_utilisation():
    result = api.breakeven_curve("nvidia-dgx-1-v100", utilisation=0.4)
    spec = charts.breakeven_chart(result.curve, result.clouds, 0.4).to_dict()
    owned, levels, points, expected = spec["layer"]
    assert len(_rows(spec, levels)) == len(result.clouds)
    crossings = [r["breakeven_utilisation"] for r in _rows(spec, points)]
    assert sorted(crossings) == sorted(result.clouds["breakeven_utilisation"].dropna())
    assert _rows(spec, expected) == [{"utilisation": 0.4}]


def test_tco_by_year_has_one_line_per_priced_option():
    plan = api.procurement_plan("nvidia-dgx-a100", horizon_years=3, demand_gpu_hours=50000,
                                clouds=[{"provider": "gcp", "region": "us-central1", "pricing": "on_demand"}])
    spec = charts.tco_by_year(plan.tco, plan.cloud).to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    owned = [r["cumulative_usd"] for r in rows if r["option"] == "owned"]
    assert owned == pytest.approx(plan.tco["cumulative_usd"].tolist())
    assert {r["option"] for r in rows} == {"owned", *map(readable, plan.cloud["option"])}  # on-demand in words
