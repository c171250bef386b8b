"""The app in Debian's Chromium: process start to first full render, and one interaction round-trip.

Run: ``python -m pytest benchmarks/bench_app.py --benchmark-enable -q`` (needs chromium and playwright).
"""

from __future__ import annotations

import itertools

import pytest
from app_server import (  # tests/ is on the path (pyproject: pythonpath)
    DEFAULT_COMPARE,
    choose_preset,
    chromium_page,
    metric_text,
    missing_browser_reason,
    open_preset_box,
    running_app,
    start_app,
    stop_app,
    wait_first_cost,
    wait_healthy,
    wait_rendered,
)

from planner import api
from planner.ui.panels import _number

pytestmark = pytest.mark.skipif(missing_browser_reason() is not None, reason=str(missing_browser_reason()))

#: Presets visited in turn by the round-trip benchmark: each is a cold computation for the server.
ROUND_TRIP_PRESETS = ("transformer-base", "transformer-big", "elmo", "nas", "lisa", "llama2-7b")


@pytest.fixture(scope="module")
def page():
    with chromium_page() as page:
        yield page


def test_start_to_first_render(benchmark, page, tmp_path):
    """From ``streamlit run`` to the Energy card and compare table visible in Chromium [s]."""
    started = []

    def start_and_render():
        process, url = start_app(tmp_path / "cache")
        started.append(process)
        wait_healthy(process, url)
        page.goto(url)
        wait_rendered(page)

    benchmark.pedantic(start_and_render, teardown=lambda: stop_app(started.pop()), rounds=3, iterations=1)


def _expected(names):
    energy, first_cost = {}, {}
    for name in names:
        workload, preset = api.make_workload(name)
        energy[name] = _number(api.estimate_workload(workload, preset).table["energy_kwh"].iloc[0], "kWh")
        first_cost[name] = float(api.compare(workload, preset, **DEFAULT_COMPARE).table["cost_usd"].iloc[0])
    return energy, first_cost


def _round_trips(benchmark, page, url, names, rounds):
    """Each round: open the preset box and type a name (not timed: that is the person), then time from the
    click on the option to its Energy card and its compare table shown."""
    energy, first_cost = _expected(set(names))
    cycle = itertools.cycle(names)
    chosen: list[str] = []

    def type_name():
        name = next(cycle)
        chosen.append(name)
        open_preset_box(page, name)

    def pick():
        name = chosen[-1]
        page.get_by_role("option", name=name, exact=True).click()
        page.get_by_test_id("stMetricValue").get_by_text(energy[name], exact=True).wait_for()
        wait_first_cost(page, first_cost[name])
        assert metric_text(page, "Energy") == energy[name]

    benchmark.pedantic(pick, setup=type_name, rounds=rounds, iterations=1)


def test_interaction_round_trip(benchmark, page, tmp_path):
    """From picking another preset to its Energy card and compare table shown [s], each computed afresh."""
    with running_app(tmp_path / "cache") as url:
        page.goto(f"{url}/?preset=bert-base")
        wait_rendered(page)
        _round_trips(benchmark, page, url, ROUND_TRIP_PRESETS, len(ROUND_TRIP_PRESETS))


def test_interaction_round_trip_computed_before(benchmark, page, tmp_path):
    """The same for presets the server has computed before in this process (the comparison cached) [s]."""
    with running_app(tmp_path / "cache") as url:
        page.goto(f"{url}/?preset=bert-base")
        wait_rendered(page)
        for name in ("elmo", "bert-base"):  # computed once, not timed
            choose_preset(page, name)
            wait_rendered(page)
        _round_trips(benchmark, page, url, ("elmo", "bert-base"), 6)
