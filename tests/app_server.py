"""Start the Streamlit app on a free port and drive Debian's Chromium through Playwright (browser tests, benchmarks).

Not a test module: ``tests/test_app_browser.py`` and ``benchmarks/bench_app.py`` import it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing_browser_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if chromium_path() is None:
        return "no chromium executable on PATH (.ci/run installs Debian's chromium with apt-get)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_command(port: int) -> list[str]:
    """The real ``trainplan app`` command on ``port`` (``python -m planner.cli`` is the console script's entry)."""
    return [sys.executable, "-m", "planner.cli", "app", "--port", str(port)]


def start_app(cache_dir: Path, home: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start ``trainplan app`` on a free port (not waiting), stdin closed: the process and its base URL.

    home : a HOME for the process (a fresh machine has no ``~/.streamlit``); default: the caller's
    """
    port = free_port()
    env = dict(os.environ, TRAINPLAN_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO))
    if home is not None:
        env["HOME"] = str(home)
    # Output goes to a file beside the cache, not a pipe nobody drains (a full pipe would block the server).
    log = (cache_dir.parent / f"trainplan-app-{port}.log").open("w+b")
    process = subprocess.Popen(app_command(port), cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.STDOUT)
    process.log = log  # type: ignore[attr-defined]
    return process, f"http://127.0.0.1:{port}"


def app_output(process: subprocess.Popen) -> str:
    """Everything the app process printed so far (stdout and stderr)."""
    process.log.flush()
    process.log.seek(0)
    return process.log.read().decode(errors="replace")


def wait_healthy(process: subprocess.Popen, url: str, timeout_s: float = 90.0) -> None:
    """Poll ``/_stcore/health`` until it answers 200 (or the process dies, or the timeout passes)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"trainplan app exited with {process.returncode}: {app_output(process)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout_s:.0f} s")
        time.sleep(0.1)


def stop_app(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


@contextmanager
def running_app(cache_dir: Path, timeout_s: float = 90.0) -> Iterator[str]:
    """The app running on a free port, healthy; yields its base URL and stops it afterwards."""
    process, url = start_app(cache_dir)
    try:
        wait_healthy(process, url, timeout_s)
        yield url
    finally:
        stop_app(process)


@contextmanager
def chromium_browser() -> Iterator[object]:
    """A headless Debian Chromium under Playwright (``playwright install`` cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page() -> Iterator[object]:
    """A Playwright page in a headless Debian Chromium, 1400 × 1000, 60 s waits."""
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        yield page


#: The compare tab's cost-vs-CO2e chart, drawn: Vega's SVG has its points (``mark-symbol``).
SCATTER_POINTS = "[data-testid=stVegaLiteChart] svg.marks .mark-symbol path"


#: Records in the page when the table's canvas first draws each cost text ('$1,614'). Glide's grid paints its cells
#: on a canvas and refreshes the table's accessible copy (the ``glide-cell-*`` elements that ``wait_first_cost``
#: reads) 200 ms later, debounced: the canvas is what a person sees, so the benchmarks time it. Only the grid draws
#: text on a canvas here (the charts are SVG), and only cost cells start with '$'.
DRAWN_COSTS_SCRIPT = """
(() => {
  const drawn = new Map();
  window.__trainplanDrawnCosts = drawn;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    if (typeof text === "string" && text.startsWith("$") && !drawn.has(text)) drawn.set(text, performance.now());
    return fillText.call(this, text, ...rest);
  };
})();
"""


def watch_drawn_costs(context: object) -> None:
    """Record the cost texts drawn by the table's canvas in every page of ``context`` (``DRAWN_COSTS_SCRIPT``)."""
    context.add_init_script(DRAWN_COSTS_SCRIPT)


def forget_drawn_costs(page: object) -> None:
    page.evaluate("window.__trainplanDrawnCosts.clear()")


def wait_cost_drawn(page: object, cost_usd: float | None = None) -> None:
    """Wait until the table's canvas has drawn ``cost_usd`` to the dollar (None: any cost) since the page loaded
    or ``forget_drawn_costs``."""
    page.wait_for_function(
        "c => [...window.__trainplanDrawnCosts.keys()].some(t => c === null"
        " || Math.abs(parseFloat(t.replace(/[$,]/g, '')) - c) <= 0.5)", arg=cost_usd, polling="raf")


def wait_drawn(page: object) -> None:
    """Wait until the page shows its main results as a person sees them: the headline Energy card, a cost drawn
    on the compare table's canvas and the points of the cost-vs-CO2e chart (``watch_drawn_costs`` first)."""
    page.locator(CARD_VALUE).first.wait_for()
    wait_cost_drawn(page)
    page.locator(SCATTER_POINTS).first.wait_for(state="attached")


#: A number card's value on the page (``planner.ui.cards``: the workload's and the compare view's cards).
CARD_VALUE = ".trainplan-card-value"


def metric_text(page: object, label: str) -> str:
    """The value text of the card whose label is ``label`` (e.g. 'Energy (kWh)')."""
    card = page.locator(".trainplan-card").filter(has=page.locator(".trainplan-card-label").get_by_text(label,
                                                                                                          exact=True))
    return card.locator(CARD_VALUE).inner_text()


def open_preset_box(page: object, name: str) -> None:
    """Open the sidebar's preset select box and type a name (its option is then listed)."""
    select = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Preset")
    select.click()
    page.keyboard.type(name)
    page.get_by_role("option", name=name, exact=True).wait_for()


def choose_preset(page: object, name: str) -> None:
    """Pick a preset in the sidebar's select box by typing its name."""
    open_preset_box(page, name)
    page.get_by_role("option", name=name, exact=True).click()


#: The compare view's default filters (``planner.ui.state.compare_kwargs`` of the defaults).
DEFAULT_COMPARE = {"providers": ["aws", "gcp", "azure", "owned"], "pricing": ["on_demand"], "site_zone": "USA"}
#: Column of ``cost_usd`` in the compare table as shown (``planner.ui.panels.COMPARE_COLUMNS``).
COST_COLUMN = 7


def cell_number(text: str) -> float:
    """A grid cell's number as shown: '$1,614' → 1614.0 (the cells carry their column's display format)."""
    return float(text.replace("$", "").replace(",", "").strip())


def wait_first_cost(page: object, cost_usd: float, timeout_s: float = 60.0) -> None:
    """Wait until the compare table's first row shows ``cost_usd`` to the dollar (as formatted, '$1,614').

    After an input changes, the previous table stays on the page until the new one arrives.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cell = page.get_by_test_id("stDataFrame").first.get_by_test_id(f"glide-cell-{COST_COLUMN}-0")
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if abs(cell_number(cell.inner_text(timeout=1000)) - cost_usd) <= 0.5:
                return
        except (ValueError, PlaywrightTimeout):  # not drawn yet, or not a number yet
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the compare table's first cost did not become {cost_usd:.2f} in {timeout_s:.0f} s")
        page.wait_for_timeout(50)
