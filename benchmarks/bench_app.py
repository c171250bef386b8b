"""The app in Debian's Chromium: the first full render, and one input change, as a person sees them.

Run: ``python -m pytest benchmarks/bench_app.py --benchmark-enable -q`` (needs chromium and playwright).

- **First full render**: from navigation to the main results visible: the workload's Energy card, a cost drawn
  on the compare table's canvas and the scatter's points (``app_server.wait_drawn``). Two cases: a new tab on a
  running server (the browser has loaded the page's scripts before), and the first page a fresh server
  serves to a fresh browser (nothing cached on either side; the server was started and answered its
  health check, untimed).
- **Server start to first render**: the same, from ``trainplan app`` starting (Python, Streamlit and the
  shipped data loading included).
- **One change**: from the click on another preset in the sidebar to its Energy card and its compare table's
  first cost showing the new values (typing the name is not timed: that is the person), computed afresh or
  computed before in the process. The table's cost is timed when its canvas draws it (what a person sees; the
  grid's accessible copy follows 200 ms later, debounced, and is checked after each round, untimed).

Each benchmark records the 1-minute load average before and after (``extra_info``): on a shared machine
the figures move with it.
"""

from __future__ import annotations

import itertools
import os

import pytest
from app_server import (  # tests/ is on the path (pyproject: pythonpath)
    DEFAULT_COMPARE,
    choose_preset,
    chromium_browser,
    forget_drawn_costs,
    metric_text,
    missing_browser_reason,
    open_preset_box,
    running_app,
    start_app,
    stop_app,
    wait_drawn,
    wait_first_cost,
    wait_healthy,
    watch_drawn_costs,
)

from planner import api
from planner.ui.panels import card_number

pytestmark = pytest.mark.skipif(missing_browser_reason() is not None, reason=str(missing_browser_reason()))

#: Presets visited in turn by the round-trip benchmark: each is a cold computation for the server.
ROUND_TRIP_PRESETS = ("transformer-base", "transformer-big", "elmo", "nas", "lisa", "llama2-7b")


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = _context(browser)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    watch_drawn_costs(context)
    return context


def _load(benchmark, when: str) -> None:
    benchmark.extra_info[f"load_1min_{when}"] = round(os.getloadavg()[0], 2)


def test_first_render_new_tab(benchmark, browser, tmp_path):
    """A new tab on a running server: navigation to the cards, table and chart visible [s]."""
    with running_app(tmp_path / "cache") as url:
        context = _context(browser)
        first = context.new_page()
        first.set_default_timeout(60_000)
        first.goto(url)  # the server computes the default view once; the browser caches the page's scripts
        wait_drawn(first)
        tabs = []

        def new_tab():
            tab = context.new_page()
            tab.set_default_timeout(60_000)
            tabs.append(tab)
            return (tab,), {}

        def render(tab):
            tab.goto(url)
            wait_drawn(tab)

        _load(benchmark, "before")
        benchmark.pedantic(render, setup=new_tab, teardown=lambda tab: tab.close(), rounds=6, iterations=1)
        _load(benchmark, "after")
        context.close()


def test_first_render_fresh_server(benchmark, browser, tmp_path):
    """The first page of a fresh server in a fresh browser: navigation to the cards, table and chart [s]."""
    started = []

    def start():
        process, url = start_app(tmp_path / f"cache{len(started)}")
        started.append(process)
        wait_healthy(process, url)
        context = _context(browser)
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        return (tab, url), {}

    def render(tab, url):
        tab.goto(url)
        wait_drawn(tab)

    def stop(tab, url):
        tab.context.close()
        stop_app(started.pop())

    _load(benchmark, "before")
    benchmark.pedantic(render, setup=start, teardown=stop, rounds=3, iterations=1)
    _load(benchmark, "after")


def test_start_to_first_render(benchmark, page, tmp_path):
    """From ``trainplan app`` starting to the cards, table and chart visible in Chromium [s]."""
    started = []

    def start_and_render():
        process, url = start_app(tmp_path / f"cache{len(started)}")
        started.append(process)
        wait_healthy(process, url)
        page.goto(url)
        wait_drawn(page)

    _load(benchmark, "before")
    benchmark.pedantic(start_and_render, teardown=lambda: stop_app(started.pop()), rounds=3, iterations=1)
    _load(benchmark, "after")


def _expected(names):
    energy, first_cost = {}, {}
    for name in names:
        workload, preset = api.make_workload(name)
        energy[name] = card_number(api.estimate_workload(workload, preset).table["energy_kwh"].iloc[0])
        first_cost[name] = float(api.compare(workload, preset, **DEFAULT_COMPARE).table["cost_usd"].iloc[0])
    return energy, first_cost


def _wait_shown(page, energy: str, first_cost: float) -> None:
    """Until a card says ``energy`` and the compare table's canvas has drawn ``first_cost``, checked at every
    animation frame (a locator's wait would retry after 20, 50, 100, 100, 500 ms)."""
    page.wait_for_function(
        "([energy, cost]) => [...document.querySelectorAll('.trainplan-card-value')]"
        ".some(e => e.textContent.trim() === energy) && [...window.__trainplanDrawnCosts.keys()]"
        ".some(t => Math.abs(parseFloat(t.replace(/[$,]/g, '')) - cost) <= 0.5)", arg=[energy, first_cost],
        polling="raf")


def _round_trips(benchmark, page, names, rounds, warm=()):
    """Each round: open the preset box, type a name and point at its option (not timed: that is the person), then
    time from the click on the option to its Energy card and its compare table's first cost shown."""
    energy, first_cost = _expected(set(names) | set(warm))
    for name in warm:  # computed once, not timed
        forget_drawn_costs(page)
        choose_preset(page, name)
        _wait_shown(page, energy[name], first_cost[name])
    cycle = itertools.cycle(names)
    chosen: list[str] = []

    def type_name():
        name = next(cycle)
        chosen.append(name)
        open_preset_box(page, name)
        # The pointer rests on the option, as a person's does before clicking, and the page has done what the
        # typing asked (filtering the list): the press alone is timed, not Playwright's checks that the list has
        # stopped moving nor the last keystroke's rendering.
        page.get_by_role("option", name=name, exact=True).hover()
        page.evaluate("() => new Promise(done => requestIdleCallback(done, {timeout: 2000}))")
        forget_drawn_costs(page)

    def pick():
        name = chosen[-1]
        page.mouse.down()
        page.mouse.up()
        _wait_shown(page, energy[name], first_cost[name])

    def check():  # not timed: the card and the table's first row (its accessible copy) hold the new values
        name = chosen[-1]
        assert metric_text(page, "Energy (kWh)") == energy[name]
        wait_first_cost(page, first_cost[name])

    _load(benchmark, "before")
    benchmark.pedantic(pick, setup=type_name, teardown=check, rounds=rounds, iterations=1)
    _load(benchmark, "after")


def test_interaction_round_trip(benchmark, page, tmp_path):
    """From picking another preset to its Energy card and compare table shown [s], each computed afresh."""
    with running_app(tmp_path / "cache") as url:
        page.goto(f"{url}/?preset=bert-base")
        wait_drawn(page)
        _round_trips(benchmark, page, ROUND_TRIP_PRESETS, len(ROUND_TRIP_PRESETS))


def test_interaction_round_trip_computed_before(benchmark, page, tmp_path):
    """The same for presets the server has computed before in this process (the comparison cached) [s]."""
    with running_app(tmp_path / "cache") as url:
        page.goto(f"{url}/?preset=bert-base")
        wait_drawn(page)
        _round_trips(benchmark, page, ("elmo", "bert-base"), 6, warm=("elmo", "bert-base"))
