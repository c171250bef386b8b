"""Crafted app links (issue 17): a URL can neither hang the server nor put a widget out of its range."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from app_cards import metrics
from streamlit.testing.v1 import AppTest

from planner import defaults
from planner.ui import state

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def start(**query) -> tuple[AppTest, float]:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    began = time.monotonic()
    at.run()
    return at, time.monotonic() - began


def test_a_power_tower_in_the_hours_link_is_refused_and_the_page_renders():
    at, seconds = start(mode="custom", hours="9**9**9 h")
    assert not at.exception
    assert seconds < 30  # it once pinned the server's CPU for good
    errors = [e.value for e in at.error]
    assert any("link parameter hours: hours '9**9**9 h': not a number with an optional unit" in e for e in errors)
    assert at.sidebar.text_input(key="hours").value == "24"
    assert metrics(at)  # the default 24 h workload is estimated


@pytest.mark.parametrize("key, value, widget", [
    ("own_lifetime", "100", "number_input"), ("own_util", "5", "slider"), ("proc_years", "1e15", "number_input"),
    ("proc_util", "0.99", "slider"), ("own_pue", "true", "number_input"),
])
def test_out_of_range_link_numbers_keep_the_default_and_say_so(key, value, widget):
    tab = "Own vs rent" if key.startswith("own_") else "Procurement"  # only the open tab's widgets are drawn
    at, _ = start(tab=tab, **{key: value})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith(f"link parameter {key}: ") and "kept" in e for e in errors), errors
    shown = getattr(at, widget)(key=key).value
    assert shown == pytest.approx(float(state.DEFAULTS[key]))


def test_the_lifetime_default_is_the_sourced_one_not_the_widget_minimum():
    # ?own_lifetime=100 once became 0.25 years (the widget minimum) and $14.69 per GPU-hour.
    values, problems = state.from_query({"own_lifetime": "100"})
    assert values["own_lifetime"] == float(defaults.OWNED_LIFETIME_YEARS.value) and problems


def test_link_ranges_fit_inside_the_widgets_ranges():
    # Every widget range named in state.NUMBER_FIELDS lies inside its field's range, so a value the link
    # check lets through is one the widget accepts, and the widget's own ends pass the field check.
    from planner.fields import FIELDS, check

    for field, widget in state.NUMBER_FIELDS.values():
        assert field in FIELDS
        if widget is not None:
            check(field, widget[0]), check(field, widget[1])


def test_long_and_many_item_links_are_refused():
    values, problems = state.from_query({"cmp_regions": ",".join(["r"] * 1000), "preset": "x" * 10_000})
    assert values["cmp_regions"] == [] and values["preset"] == state.DEFAULTS["preset"]
    assert len(problems) == 2
