"""trainplan's interactive what-if app: a thin Streamlit page over ``planner.api`` (it computes nothing)."""

from __future__ import annotations

import streamlit as st

from planner import api
from planner.errors import PlanError
from planner.reports import MIME_TYPES, REPORT_FORMATS, render

st.set_page_config(page_title="trainplan", layout="wide")
st.title("trainplan: what does training this model cost?")
st.caption("USD, kWh and kg CO2e of a training workload, from the data shipped with trainplan.")

presets = api.presets_table()
name = st.selectbox("Workload preset", presets["preset"].tolist(), index=presets["preset"].tolist().index("bert-base"))
try:
    workload, chosen = api.make_workload(name)
    result = api.estimate_workload(workload, chosen)
except PlanError as exc:
    st.error(str(exc))
    st.stop()

row = result.table.iloc[0]
c1, c2, c3 = st.columns(3)
c1.metric("Energy", f"{row['energy_kwh']:,.0f} kWh")
c2.metric("CO2e", f"{row['co2e_kg']:,.0f} kg")
c3.metric("Cloud cost", f"${row['cost_usd_low']:,.0f} – ${row['cost_usd_high']:,.0f}"
          if row["cost_usd_low"] is not None else "no offer")
st.dataframe(result.table, hide_index=True)
st.subheader("Assumptions")
st.dataframe([a.__dict__ for a in result.assumptions], hide_index=True)

st.subheader("Report for a grant proposal")
st.caption("Workload, options compared, totals, method with formulas, assumptions and sources; the same "
           "files as `trainplan report`.")
report_format = st.selectbox("Format", REPORT_FORMATS, format_func=str.upper)
report = api.report(workload, chosen)
st.download_button(f"Download {report_format.upper()}", render(report, report_format),
                   file_name=f"trainplan-{name}.{report_format}", mime=MIME_TYPES[report_format])
