"""The app's hybrid panel (Procurement tab): own the base, rent the peaks, from ``api.hybrid_plan``.

It takes the procurement inputs (server, years, demand, growth, utilisation, site, cloud regions), adds the
share of the overflow spot can carry and a carbon price, and shows the answer, the cost and CO2e curve
against the owned fleet, the optima, timing and tornado. It computes nothing itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from planner import api
from planner.errors import PlanError
from planner.reports.safe_text import csv_safe
from planner.ui import state
from planner.ui.tables import show_table

if TYPE_CHECKING:  # altair is imported when a chart is drawn (0.6 s: not on the compare tab)
    import altair as alt

#: This panel's inputs (their defaults are in ``planner.ui.state.DEFAULTS``, which keeps them in the URL).
KEYS = ("hyb_spot_share", "hyb_carbon")


def hybrid_kwargs(procurement: Mapping[str, object], values: Mapping[str, object]) -> dict[str, object]:
    """``api.hybrid_plan`` arguments from the procurement panel's and this panel's inputs.

    The cloud regions are offered at every pricing model (on-demand for the overflow, spot for its share);
    the procurement target utilisation becomes the owned load cap.
    """
    kwargs = {k: v for k, v in procurement.items()
              if k not in ("clouds", "target_utilisation", *api.UNUSED_PLAN_KEYS)}
    kwargs["clouds"] = [{k: v for k, v in entry.items() if k != "pricing"}
                        for entry in procurement.get("clouds", [])]  # type: ignore[union-attr]
    kwargs["utilisation_cap"] = procurement.get("target_utilisation")
    kwargs["spot_share"] = float(values["hyb_spot_share"])
    kwargs["carbon_price_usd_per_t"] = float(values["hyb_carbon"])
    return kwargs


@st.cache_data(show_spinner=False, ttl=3600)
def hybrid_plan(kwargs: dict) -> object:
    """``api.hybrid_plan`` for the panel's arguments (cached per input)."""
    kwargs = dict(kwargs)
    return api.hybrid_plan(kwargs.pop("server"), **kwargs)


def curve_chart(curve: pd.DataFrame, optima: pd.DataFrame) -> alt.HConcatChart:
    """Cost [USD] and CO2e [t] against owned servers, side by side, the optima as large points."""
    import altair as alt

    data = curve.assign(co2e_t=curve["co2e_kg"] / 1000)
    marks = optima[optima["choice"].isin(["lowest cost", "lowest CO2e", "lowest cost + carbon price"])].assign(
        co2e_t=lambda t: t["co2e_kg"] / 1000)
    panels = []
    for column, title, colour in (("cost_usd", "cost (USD)", "#1f77b4"), ("co2e_t", "CO2e (t)", "#2ca02c")):
        line = alt.Chart(data).mark_line(point=True, color=colour).encode(
            x=alt.X("fleet_servers:Q", title="owned servers (the rest bursts to cloud)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{column}:Q", title=title, scale=alt.Scale(zero=False)),
            tooltip=["fleet_servers:Q", alt.Tooltip(f"{column}:Q", format=",.0f"),
                     alt.Tooltip("on_premises_share:Q", format=".0%")])
        best = alt.Chart(marks).mark_point(size=160, filled=False, strokeWidth=2, color="#d62728").encode(
            x="fleet_servers:Q", y=f"{column}:Q", tooltip=["choice:N", "fleet_servers:Q"])
        panels.append((line + best).properties(title=title + " against the owned fleet", width=320, height=260))
    return alt.hconcat(*panels)


def render_hybrid(procurement: Mapping[str, object]) -> None:
    """The hybrid section under the procurement plan."""
    st.markdown("### Own the base, rent the peaks")
    left, right = st.columns(2)
    left.slider("Share of the overflow spot can carry (0: all on-demand)", key="hyb_spot_share", min_value=0.0,
                max_value=1.0, step=0.05)
    right.number_input("Carbon price (USD per t CO2e; default US EPA 2023 social cost)", key="hyb_carbon",
                       min_value=0.0, step=10.0, format="%g")
    values = {k: st.session_state.get(k, state.DEFAULTS[k]) for k in KEYS}
    try:
        plan = hybrid_plan(hybrid_kwargs(procurement, values))
    except PlanError as exc:
        st.error(str(exc))
        return
    st.info(plan.answer)
    st.caption(plan.timing_verdict)
    st.altair_chart(curve_chart(plan.curve, plan.optima), width="stretch")
    st.markdown("**Optima beside all-cloud and all-owned**")
    show_table(plan.optima)
    st.markdown("**Every fleet size**")
    show_table(plan.curve)
    st.markdown("**Sensitivity of the winning mix (tornado)**")
    show_table(plan.sensitivity)
    st.download_button("Curve as CSV", csv_safe(plan.curve).to_csv(index=False).encode(), "hybrid_curve.csv", "text/csv")
    for note in plan.notes:
        st.caption(f"Note: {note}")
