"""The app's start month, water cards, best-start section and plan chart equal what the library computes."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_cards import all_cards
from streamlit.testing.v1 import AppTest

from planner import api

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def start(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _number(text: str) -> float:
    return float(text.split()[0].replace(",", ""))


def test_water_card_and_start_month_equal_the_library_estimate():
    at = start(start="2027-03", grid_basis="flat")
    assert not at.exception
    workload, preset = api.make_workload("bert-base")
    row = api.estimate_workload(workload, preset, start="2027-03", grid_basis="flat").table.iloc[0]
    shown = all_cards(at)
    assert _number(shown["Water (L)"].value) == pytest.approx(row["water_l"], abs=0.5)
    assert _number(shown["CO2e (kg)"].value) == pytest.approx(row["co2e_kg"], abs=0.5)
    assert "location-based from 2027-03" in shown["CO2e (kg)"].help
    assert at.query_params["start"] == "2027-03" and at.query_params["grid_basis"] == "flat"


def test_compare_tab_has_the_best_start_table_and_water_pareto():
    at = start(start="2027-03", best_from="2027-01", best_to="2027-06")
    assert not at.exception
    expander = next(e for e in at.expander if "When to start" in e.label)
    frames = [d.value for d in expander.dataframe]
    summary = frames[0]
    assert {"best_start", "best_co2e_kg", "worst_start", "saving_pct"} <= set(summary.columns)
    assert summary["best_start"].between("2027-01", "2027-06").all()
    assert (summary["best_co2e_kg"] <= summary["worst_co2e_kg"]).all()
    assert "water_l" in frames[1].columns


def test_bad_start_month_is_an_error_on_the_page():
    at = start(start="2099-01")
    assert not at.exception
    assert any("start 2099-01: outside the grid series" in e.value for e in at.error)


def test_procurement_tab_shows_co2e_by_year_flat_and_trend():
    at = start(tab="Procurement")
    assert not at.exception
    shown = all_cards(at)
    assert "Water" in shown and "flat grid" in shown["Owned CO2e"].help
    totals = next(d.value for d in at.dataframe if "co2e_flat_kg" in d.value.columns)
    assert (totals["co2e_kg"] < totals["co2e_flat_kg"]).any()


def test_app_grid_bases_are_the_models():
    from planner import grid_time
    from planner.ui import state

    assert state.GRID_BASES == grid_time.GRID_BASES
    assert state.time_kwargs(state.DEFAULTS) == {}
    assert state.time_kwargs(dict(state.DEFAULTS, start=" 2027-03 ")) == {"start": "2027-03", "grid_basis": "trend"}
