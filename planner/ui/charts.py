"""Charts of the library's tables: a comparison, a break-even curve, a procurement plan.

Each function takes tables as the library returns them and returns a chart; nothing is computed here beyond
labels and the reshaping a chart needs. The comparison's charts are Vega-Lite dicts; the break-even and plan
charts are Altair's, imported only when one is drawn.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from planner.ui.tables import readable

if TYPE_CHECKING:  # altair is imported when a chart is drawn (0.6 s: not on the compare tab)
    import altair as alt

PROVIDER_COLOURS = {"aws": "#ff9900", "gcp": "#4285f4", "azure": "#9467bd", "owned": "#555555"}


def _label(table: pd.DataFrame) -> pd.Series:
    """``provider region`` (``owned <server> <mode>`` for an owned option) for tooltips and axes."""
    where = table["region"] if "region" in table else pd.Series(None, index=table.index, dtype=object)
    label = table["provider"].fillna("owned").astype(str) + " " + where.fillna("").astype(str)
    if "server" in table:
        owned = table["server"].notna()
        mode = table["accounting_mode"].fillna("") if "accounting_mode" in table else ""
        label = label.where(~owned, "owned " + table["server"].astype(str) + " " + mode + " @ " + where.astype(str))
    return label.str.strip()


def _colour() -> alt.Color:  # the Altair charts (own vs rent, procurement): a few rows each
    import altair as alt

    return alt.Color("provider:N", title="provider",
                     scale=alt.Scale(domain=list(PROVIDER_COLOURS), range=list(PROVIDER_COLOURS.values())))


def _co2e_column(table: pd.DataFrame) -> tuple[str, str]:
    if "co2e_total_kg" in table:
        return "co2e_total_kg", "CO2e, operational + embodied (kg)"
    return "co2e_kg", "CO2e (kg)"


def _records(data: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready records (missing values as null)."""
    return json.loads(data.to_json(orient="records"))


def _colour_spec() -> dict:
    return {"field": "provider", "type": "nominal", "title": "provider",
            "scale": {"domain": list(PROVIDER_COLOURS), "range": list(PROVIDER_COLOURS.values())}}


def cost_co2e_scatter(table: pd.DataFrame, rows: pd.Index | None = None) -> dict:
    """Cost [USD] against CO2e [kg], one point per option; the Pareto front (``pareto``) drawn as a line.

    A Vega-Lite specification (a dict, data inline; built without Altair, which takes a quarter of a second to
    validate a thousand points). CO2e is ``co2e_total_kg`` (what the comparison engine's front uses) when the
    table has it. Rows without a cost are left out (they have no place on a cost axis). Both axes are
    logarithmic: options span decades.

    rows : the index labels of the options a table beside the chart shows (None: every row); the points are
    those rows and every row of the Pareto front. The specification does not depend on the rows (only its data
    does), so the browser can swap the data of a chart already drawn instead of drawing it anew.
    """
    co2e, co2e_title = _co2e_column(table)
    if rows is not None and len(rows) < len(table):
        front = table["pareto"].astype(bool) if "pareto" in table else False
        table = table.loc[table.index.isin(rows) | front]
    data = table.dropna(subset=["cost_usd", co2e]).assign(option=lambda t: _label(t))
    keep = [c for c in ("option", "provider", "instance_type", "pricing", "gpu", "cost_usd", co2e, "pareto")
            if c in data]
    data = data[keep]
    if "pricing" in data:  # the tooltip's words: on-demand, not on_demand
        data = data.assign(pricing=data["pricing"].map(lambda v: readable(v) if isinstance(v, str) else v))
    tooltip = [{"field": "option", "type": "nominal"},
               {"field": "cost_usd", "type": "quantitative", "title": "cost (USD)", "format": ",.0f"},
               {"field": co2e, "type": "quantitative", "title": co2e_title, "format": ",.1f"}]
    tooltip += [{"field": extra, "type": "nominal"} for extra in ("instance_type", "pricing", "gpu") if extra in data]
    x = {"field": "cost_usd", "type": "quantitative", "title": "cost (USD, log scale)", "scale": {"type": "log"}}
    y = {"field": co2e, "type": "quantitative", "title": f"{co2e_title}, log scale", "scale": {"type": "log"}}
    points = {"mark": {"type": "circle", "size": 60, "opacity": 0.6},
              "encoding": {"x": x, "y": y, "color": _colour_spec(), "tooltip": tooltip}}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "height": 380,
            "data": {"values": _records(data)}, "title": "Cost vs CO2e", "layer": [points]}
    if "pareto" in data and data["pareto"].any():
        front = {"filter": "datum.pareto"}
        spec["title"] = "Cost vs CO2e: red = Pareto front (no option is both cheaper and lower-carbon)"
        spec["layer"] += [
            {"transform": [front], "mark": {"type": "line", "color": "#d62728", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "cost_usd", "type": "quantitative"},
                          "y": {"field": co2e, "type": "quantitative"},
                          "order": {"field": "cost_usd", "type": "quantitative"}, "tooltip": tooltip}},
            {"transform": [front], "mark": {"type": "point", "size": 160, "color": "#d62728", "strokeWidth": 2},
             "encoding": {"x": {"field": "cost_usd", "type": "quantitative"},
                          "y": {"field": co2e, "type": "quantitative"}, "tooltip": tooltip}},
        ]
    return spec


#: Rows of a bar chart ordered by their cost, cheapest first.
BY_COST = {"field": "cost_usd", "op": "min", "order": "ascending"}


def region_bars(table: pd.DataFrame) -> dict:
    """Two bar charts side by side, one bar per row: cost [USD] and CO2e [kg], cheapest at the top.

    A Vega-Lite specification (a dict, data inline), like ``cost_co2e_scatter``; both charts order their rows by
    cost through the specification, not a list of the rows (so the spec stays the same as the data changes).
    """
    co2e, co2e_title = _co2e_column(table)
    data = table.assign(option=lambda t: _label(t))[["option", "provider", "cost_usd", co2e]]
    height = max(160, 22 * len(data))

    def bars(column: str, title: str, fmt: str, labels: bool = True) -> dict:
        # The second chart shares the first one's rows: its labels would only repeat them.
        axis = {"labelLimit": 300, "labelOverlap": False} if labels else {"labels": False, "ticks": False}
        return {"mark": {"type": "bar"}, "width": 280, "height": height, "encoding": {
            "y": {"field": "option", "type": "nominal", "sort": BY_COST, "title": None, "axis": axis},
            "x": {"field": column, "type": "quantitative", "title": title},
            "color": _colour_spec(),
            "tooltip": [{"field": "option", "type": "nominal"},
                        {"field": column, "type": "quantitative", "title": title, "format": fmt}]}}

    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": _records(data)},
            "hconcat": [bars("cost_usd", "cost (USD)", ",.0f"), bars(co2e, co2e_title, ",.1f", labels=False)],
            "config": {"legend": {"orient": "bottom"}}}


def breakeven_chart(curve: pd.DataFrame, clouds: pd.DataFrame, utilisation: float) -> alt.LayerChart:
    """Owned cost per busy GPU-hour against utilisation, each cloud option's price as a level line, the
    break-even utilisations as points, and the expected utilisation as a vertical rule.

    curve : ``BreakEven.curve``; clouds : ``BreakEven.clouds``; utilisation : the expected one [-]
    """
    import altair as alt

    priced = clouds.dropna(subset=["cloud_usd_per_gpu_hour"])[
        ["option", "provider", "cloud_usd_per_gpu_hour", "breakeven_utilisation"]]
    top = float(max(curve["owned_usd_per_gpu_hour"].min() * 6, priced["cloud_usd_per_gpu_hour"].max() * 1.6
                    if len(priced) else 0.0))
    shown = curve[curve["owned_usd_per_gpu_hour"] <= top]
    owned = alt.Chart(shown).mark_line(color=PROVIDER_COLOURS["owned"], strokeWidth=3).encode(
        x=alt.X("utilisation:Q", title="utilisation of the owned cluster", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("owned_usd_per_gpu_hour:Q", title="USD per busy GPU-hour", scale=alt.Scale(domain=[0, top])),
        tooltip=[alt.Tooltip("utilisation:Q", format=".0%"),
                 alt.Tooltip("owned_usd_per_gpu_hour:Q", title="owned USD/GPU-h", format=".3f")])
    levels = alt.Chart(priced).mark_rule(strokeDash=[6, 3]).encode(
        y="cloud_usd_per_gpu_hour:Q", color=_colour(),
        tooltip=["option:N", alt.Tooltip("cloud_usd_per_gpu_hour:Q", title="cloud USD/GPU-h", format=".3f")])
    crossing = priced[priced["breakeven_utilisation"].between(0, 1)]
    points = alt.Chart(crossing).mark_point(size=120, filled=True).encode(
        x="breakeven_utilisation:Q", y="cloud_usd_per_gpu_hour:Q", color=_colour(),
        tooltip=["option:N", alt.Tooltip("breakeven_utilisation:Q", title="break-even", format=".1%")])
    expected = alt.Chart(pd.DataFrame({"utilisation": [utilisation]})).mark_rule(color="#2ca02c").encode(
        x="utilisation:Q", tooltip=[alt.Tooltip("utilisation:Q", title="expected utilisation", format=".0%")])
    return alt.layer(owned, levels, points, expected).properties(
        title="Owning (grey) vs renting (dashed): owning is cheaper right of each dot; green = your utilisation",
        height=380)


def tco_by_year(tco: pd.DataFrame, cloud: pd.DataFrame) -> alt.Chart:
    """Cumulative cost by year [USD]: the owned cluster (``Plan.tco``) and each priced cloud option
    (``Plan.cloud``), one line each."""
    import altair as alt

    owned = pd.DataFrame({"year": tco["year"], "option": "owned", "provider": "owned",
                          "cumulative_usd": tco["cumulative_usd"]})
    priced = cloud.dropna(subset=["cumulative_cost_usd"])
    rented = pd.DataFrame({"year": priced["year"], "option": priced["option"], "provider": priced["provider"],
                           "cumulative_usd": priced["cumulative_cost_usd"]})
    data = pd.concat([owned, rented], ignore_index=True)
    data["option"] = data["option"].map(readable)  # the legend's words: on-demand, not on_demand
    names = list(dict.fromkeys(data["option"]))
    palette = ["#333333", "#4285f4", "#ff9900", "#9467bd", "#2ca02c", "#d62728", "#8c564b", "#17becf"]
    colours = [palette[i % len(palette)] for i in range(len(names))]
    return alt.Chart(data).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("year:O", title="year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cumulative_usd:Q", title="cumulative cost (USD)"),
        color=alt.Color("option:N", title="option", scale=alt.Scale(domain=names, range=colours),
                        legend=alt.Legend(orient="right", labelLimit=320)),
        tooltip=["option:N", "year:O", alt.Tooltip("cumulative_usd:Q", title="cumulative USD", format=",.0f")],
    ).properties(title="Total cost of ownership by year, cumulative (cash basis)", height=340)
