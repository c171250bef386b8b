"""Draw a Vega-Lite specification of ``planner.ui.charts`` in Streamlit, its data passed beside the spec.

``st.vega_lite_chart`` sends data given beside the specification as an Arrow table, and when a rerun draws
the same specification with other data the browser updates the chart already drawn instead of embedding it
anew (a preset change costs the browser about a fifth of the Vega time). The chart functions keep their data
inline (``data.values``), so each is one testable dict; this module moves it beside.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st


def split(spec: dict) -> tuple[dict, pd.DataFrame]:
    """``spec`` without its inline ``data.values``, and those values as a DataFrame."""
    spec = dict(spec)
    return spec, pd.DataFrame.from_records(spec.pop("data")["values"])


def show_chart(spec: dict | tuple[dict, pd.DataFrame], width: str = "stretch") -> None:
    """``spec`` with its inline ``data.values`` passed to Streamlit as a DataFrame (or a ``split`` spec: a page
    that draws it again keeps that)."""
    bare, data = spec if isinstance(spec, tuple) else split(spec)
    st.vega_lite_chart(data, spec=bare, width=width)
