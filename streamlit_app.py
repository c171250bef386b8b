"""trainplan's interactive what-if app: a thin Streamlit page over ``planner.api`` (it computes nothing).

The panels live in ``planner/ui/``; every number on the page comes from a ``planner.api`` call. Only the open
tab runs (``st.tabs(on_change="rerun")``): a tab that is not shown costs nothing.
"""

from __future__ import annotations

import streamlit as st

from planner.errors import PlanError
from planner.ui import panels, state

st.set_page_config(page_title="trainplan", layout="wide")
st.title("trainplan: what does training this model cost?")
st.caption("USD, kWh and kg CO2e of a training workload, from the data shipped with trainplan. "
           "The URL holds every input: copy it to share this view.")

panels.init_state()
panels.keep_inputs()
panels.workload_panel()
panels.placement_panel()
panels.link_problems()
panels.stale_banner()

tabs = dict(zip(state.TABS, st.tabs(state.TABS, key="tab", on_change="rerun"), strict=True))
values = panels.current_values()
panels.sync_query_params(values)
open_tab = next((name for name, tab in tabs.items() if tab.open), state.TABS[0])

with tabs[open_tab]:
    if open_tab in ("Own vs rent", "Procurement"):
        st.caption("This tab prices owned servers for the demand set here; the sidebar's workload and choice "
                   "do not enter it.")
        (panels.render_own_vs_rent if open_tab == "Own vs rent" else panels.render_procurement)()
        st.stop()
    try:
        workload, chosen, result = panels.workload_estimate(state.workload_kwargs(values),
                                                            state.estimate_kwargs(values))
    except PlanError as exc:
        st.error(str(exc))
        st.stop()
    st.subheader(workload.name)
    panels.estimate_cards(result)
    if open_tab == "Compare":
        panels.render_compare(values)
    else:
        try:
            view = panels.current_view(values)
        except PlanError as exc:
            st.error(str(exc))
            view = None
        if open_tab == "Assumptions and sources":
            panels.render_assumptions(result, view)
        else:
            panels.render_exports(result, view, values)
