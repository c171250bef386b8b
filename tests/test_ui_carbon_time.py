"""The app's carbon-over-time charts and water card: Vega-Lite specs carry the library's numbers unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.ui import carbon_time


def test_plan_chart_has_flat_and_trend_lines_in_tonnes():
    carbon = pd.DataFrame({"option": ["owned", "owned"], "calendar_year": [2027, 2028],
                           "co2e_kg": [900.0, 800.0], "co2e_flat_kg": [1000.0, 1000.0]})
    spec = carbon_time.plan_co2e_by_year(carbon)
    values = spec["data"]["values"]
    # 2 years x (flat, trend); kg / 1000 = t
    assert len(values) == 4
    assert {(v["calendar_year"], v["grid"], v["co2e_t"]) for v in values} == {
        (2027, "flat grid", 1.0), (2028, "flat grid", 1.0), (2027, "trend grid", 0.9), (2028, "trend grid", 0.8)}
    assert spec["encoding"]["strokeDash"]["field"] == "grid"


def test_start_month_chart_marks_the_best_month():
    long = pd.DataFrame({"option": ["a", "a", "b"], "start": ["2027-01", "2027-02", "2027-01"],
                         "co2e_kg": [10.0, 8.0, 5.0], "co2e_kg_low": [9.0, 7.0, 4.0], "co2e_kg_high": [11.0, 9.0, 6.0],
                         "rank": [2, 1, 1]})
    spec = carbon_time.start_months(long, "a")
    values = spec["data"]["values"]
    assert [v["start"] for v in values] == ["2027-01", "2027-02"]
    assert [v["best"] for v in values] == [False, True]


def test_water_card_shows_litres_range_and_basis():
    value, help_text = carbon_time.water_card(pd.Series({"water_l": 12345.4, "water_l_low": 1000.0,
                                                         "water_l_high": 20000.0, "water_basis": "on-site x"}))
    assert value == "12,345 L" and "range 1,000 – 20,000 L" in help_text and "Basis: on-site x" in help_text
    assert carbon_time.water_card(pd.Series({"co2e_kg": 1.0}))[0] == "no data"


@pytest.mark.parametrize("basis", ["flat", "projection"])
def test_plan_chart_names_the_basis(basis):
    carbon = pd.DataFrame({"option": ["owned"], "calendar_year": [2027], "co2e_kg": [1.0], "co2e_flat_kg": [1.0]})
    assert f"{basis} solid" in carbon_time.plan_co2e_by_year(carbon, basis)["title"]
