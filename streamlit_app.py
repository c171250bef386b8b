"""trainplan's interactive what-if app: a thin Streamlit page over ``planner.api`` (it computes nothing).

The panels live in ``planner/ui/``; every number on the page comes from a ``planner.api`` call.
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
panels.workload_panel()
panels.placement_panel()
values = panels.current_values()
panels.sync_query_params(values)
panels.link_problems()
panels.stale_banner()

try:
    workload, chosen, result = panels.workload_estimate(state.workload_kwargs(values), state.estimate_kwargs(values))
except PlanError as exc:
    st.error(str(exc))
    st.stop()

st.subheader(workload.name)
panels.estimate_cards(result)

compare_tab, own_tab, procurement_tab, assumptions_tab, export_tab = st.tabs(
    ["Compare", "Own vs rent", "Procurement", "Assumptions and sources", "Export"])
with compare_tab:
    compared = panels.render_compare(values, workload)
with own_tab:
    panels.render_own_vs_rent()
with procurement_tab:
    panels.render_procurement()
with assumptions_tab:
    panels.render_assumptions(result, compared)
with export_tab:
    panels.render_exports(result, compared, panels.current_values())
