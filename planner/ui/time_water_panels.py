"""The app's panels for when a job runs and its water (issue 19): inputs in the URL, numbers from ``planner.api``.

``sidebar_time`` adds the start month and the future-grid basis to the sidebar; ``render_start_months`` is the
compare tab's "when to start" section (best month per option in a window, a month-by-month chart of one
option, and the Pareto front of cost, CO2e and water); ``render_plan_carbon`` the procurement tab's CO2e by
year under a flat and a changing grid, with water.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner import api
from planner.errors import PlanError
from planner.grid_time import option_label, parse_month
from planner.plan_grid import totals_by_option
from planner.ui import carbon_time, state
from planner.ui.tables import show_table
from planner.ui.vega import show_chart

#: Options of the comparison scanned for a best start month (the first rows, cheapest first).
START_OPTIONS = 10


def sidebar_time() -> None:
    """Sidebar: the start month (blank: annual figures) and how future grid years are made."""
    side = st.sidebar
    side.text_input("Start month (YYYY-MM; blank: annual averages)", key="start",
                    help="CO2e over the job's wall-clock from this month: Ember monthly profile and the yearly "
                         "trend (location-based). Allowed: 2000-01 to 2034-12.")
    side.radio("Future grid years", list(state.GRID_BASES), key="grid_basis", horizontal=True,
               help="flat: today's figure held; trend: fitted over the last 5 years; projection: the IEA's "
                    "forecast where published, then the trend")


@st.cache_data(show_spinner=False, max_entries=32)
def _best_months(rows: pd.DataFrame, first: str, last: str, basis: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return api.best_start_months(rows, first, last, basis, top=None)


def _window(values: dict[str, object]) -> tuple[str, str]:
    """The start window: as given, else the 12 months from the start month (or from 2027-01)."""
    start = str(values.get("start") or "").strip() or "2027-01"
    first = str(values.get("best_from") or "").strip() or start
    last = str(values.get("best_to") or "").strip()
    if not last:
        year, month = parse_month(first, "window from")
        last = f"{year + (month + 10) // 12}-{(month + 10) % 12 + 1:02d}"
    return first, last


def render_start_months(table: pd.DataFrame, values: dict[str, object]) -> None:
    """When to start: the best month per option within a window, one option month by month, and water.

    Computed only while its expander is open (it scans every start month of the window for each option);
    a link that sets the window opens it.
    """
    # Whether it opens is fixed by the session's first run (a changed argument would make it a new expander).
    linked = st.session_state.setdefault("_start_linked", bool(values.get("best_from") or values.get("best_to")))
    section = st.expander("When to start, and water: best start month per option; the Pareto front with water",
                          key="_start_open", on_change="rerun", expanded=linked)
    if not section.open:
        return
    with section:
        row = st.columns([1, 1, 3])
        row[0].text_input("Window from (YYYY-MM; blank: the start month)", key="best_from")
        row[1].text_input("Window to (YYYY-MM; blank: 12 months)", key="best_to")
        rows = table.head(START_OPTIONS)
        try:
            first, last = _window(state_values(values))
            summary, long = _best_months(rows, first, last, str(values.get("grid_basis", "trend")))
        except PlanError as exc:
            st.error(str(exc))
            return
        st.caption(f"Location-based CO2e of the {len(rows)} cheapest options for each start month {first} to "
                   f"{last} (grid basis {values.get('grid_basis', 'trend')}); zones without a monthly profile use "
                   "their annual average and say so.")
        show_table(summary.drop(columns=["row"]))
        labels = [option_label(r) for r in rows.to_dict("records")]
        chosen = row[2].selectbox("Option, month by month", labels, key="_start_option")
        show_chart(carbon_time.start_months(long, chosen))
        if "pareto_water" in table:
            front = table[table["pareto_water"]]
            st.markdown(f"**Pareto front of cost, CO2e and water** ({len(front)} options: none is cheaper, "
                        "lower-carbon and lower-water at once)")
            shown = [c for c in ("provider", "region", "instance_type", "server", "accounting_mode", "pricing", "gpu",
                                 "cost_usd", "co2e_total_kg", "water_l", "water_basis") if c in front]
            show_table(front[shown])


def state_values(values: dict[str, object]) -> dict[str, object]:
    """The values with the window inputs as the widgets now hold them."""
    return {**values, **{k: st.session_state.get(k, values.get(k)) for k in ("best_from", "best_to")}}


def water_metric(column: object, row: pd.Series, unit_in_label: bool = False) -> None:
    """A water card (litres, range and basis in its help) in a Streamlit column; ``unit_in_label``: "Water (L)"
    over the number alone (a narrow card)."""
    value, help_text = carbon_time.water_card(row, unit=not unit_in_label)
    column.metric("Water (L)" if unit_in_label else "Water", value, help=help_text)  # type: ignore[attr-defined]


def render_plan_carbon(plan: object, basis: str) -> None:
    """A plan's CO2e by calendar year under a flat and a changing grid, and its carbon and water totals."""
    carbon = plan.carbon  # type: ignore[attr-defined]
    if "co2e_flat_kg" not in carbon:
        return
    show_chart(carbon_time.plan_co2e_by_year(carbon, basis))
    st.markdown("**Carbon (flat grid and the grid basis) and water over the horizon**")
    show_table(totals_by_option(carbon))
