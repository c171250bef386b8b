"""Altair charts of a comparison table (per-region estimates, or the comparison engine's table).

Each function takes the table as the library returns it (columns ``provider``, ``region``, ``cost_usd``,
``co2e_kg``, and ``pareto`` when known) and returns a chart; nothing is computed here beyond what Altair
draws.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

PROVIDER_COLOURS = {"aws": "#ff9900", "gcp": "#4285f4", "azure": "#9467bd", "owned": "#555555"}


def _label(table: pd.DataFrame) -> pd.Series:
    """``provider region`` (``owned <server>`` for an owned option) for tooltips and axes."""
    where = table["region"] if "region" in table else pd.Series(None, index=table.index, dtype=object)
    if "server" in table:
        where = where.fillna(table["server"])
    return table["provider"].fillna("owned").astype(str) + " " + where.fillna("").astype(str)


def _colour() -> alt.Color:
    return alt.Color("provider:N", title="provider",
                     scale=alt.Scale(domain=list(PROVIDER_COLOURS), range=list(PROVIDER_COLOURS.values())))


def cost_co2e_scatter(table: pd.DataFrame) -> alt.LayerChart:
    """Cost [USD] against CO2e [kg], one point per option; the Pareto front (``pareto``) drawn as a line.

    Rows without a cost are left out (they have no place on a cost axis).
    """
    data = table.dropna(subset=["cost_usd", "co2e_kg"]).assign(option=lambda t: _label(t))
    tooltip = ["option:N", alt.Tooltip("cost_usd:Q", title="cost (USD)", format=",.0f"),
               alt.Tooltip("co2e_kg:Q", title="CO2e (kg)", format=",.1f")]
    if "instance_type" in data:
        tooltip.append("instance_type:N")
    base = alt.Chart(data).encode(
        x=alt.X("cost_usd:Q", title="cost (USD)", scale=alt.Scale(zero=False)),
        y=alt.Y("co2e_kg:Q", title="CO2e (kg)", scale=alt.Scale(zero=False)),
    )
    points = base.mark_circle(size=70, opacity=0.75).encode(color=_colour(), tooltip=tooltip)
    if "pareto" not in data or not data["pareto"].any():
        return alt.layer(points).properties(title="Cost vs CO2e", height=360)
    front = alt.Chart(data[data["pareto"]]).encode(
        x="cost_usd:Q", y="co2e_kg:Q", order=alt.Order("cost_usd:Q"), tooltip=tooltip)
    line = front.mark_line(color="#d62728", strokeDash=[4, 3])
    rings = front.mark_point(size=160, color="#d62728", strokeWidth=2)
    return alt.layer(points, line, rings).properties(
        title="Cost vs CO2e: red = Pareto front (no option is both cheaper and lower-carbon)", height=360)


def region_bars(table: pd.DataFrame) -> alt.HConcatChart:
    """Two bar charts side by side, one bar per option: cost [USD] and CO2e [kg], in the table's order."""
    data = table.assign(option=lambda t: _label(t))
    order = data["option"].tolist()
    height = max(160, 16 * len(data))

    def bars(column: str, title: str, fmt: str) -> alt.Chart:
        return alt.Chart(data).mark_bar().encode(
            y=alt.Y("option:N", sort=order, title=None),
            x=alt.X(f"{column}:Q", title=title),
            color=_colour(),
            tooltip=["option:N", alt.Tooltip(f"{column}:Q", title=title, format=fmt)],
        ).properties(width=300, height=height)

    return alt.hconcat(bars("cost_usd", "cost (USD)", ",.0f"), bars("co2e_kg", "CO2e (kg)", ",.1f"))
