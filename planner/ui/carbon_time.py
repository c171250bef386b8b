"""The app's carbon-over-time and water pieces: Vega-Lite charts and card texts from the library's tables.

Nothing is computed here beyond reshaping for a chart: the yearly carbon comes from ``api.procurement_plan``
(its ``carbon`` table, ``planner.plan_grid``), the month-by-month CO2e from ``api.best_start_months``.
"""

from __future__ import annotations

import json
import math

import pandas as pd

_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def _records(data: pd.DataFrame) -> list[dict]:
    return json.loads(data.to_json(orient="records"))


def plan_co2e_by_year(carbon: pd.DataFrame, basis: str = "trend") -> dict:
    """A plan's CO2e per calendar year and option, on a flat grid (dashed) and on ``basis`` (solid).

    carbon : ``Plan.carbon`` with calendar_year, option, co2e_kg, co2e_flat_kg (``planner.plan_grid``).
    """
    rows = carbon.dropna(subset=["co2e_kg"])
    long = pd.concat([
        rows[["option", "calendar_year", "co2e_flat_kg"]].rename(columns={"co2e_flat_kg": "co2e_t"}).assign(
            grid="flat grid"),
        rows[["option", "calendar_year", "co2e_kg"]].rename(columns={"co2e_kg": "co2e_t"}).assign(
            grid=f"{basis} grid"),
    ], ignore_index=True)
    long["co2e_t"] = long["co2e_t"] / 1000.0
    tooltip = [{"field": "option", "type": "nominal"}, {"field": "calendar_year", "type": "ordinal", "title": "year"},
               {"field": "grid", "type": "nominal"},
               {"field": "co2e_t", "type": "quantitative", "title": "CO2e (t)", "format": ",.1f"}]
    return {"$schema": _SCHEMA, "height": 320, "data": {"values": _records(long)},
            "title": f"CO2e by year (operational + embodied): flat grid dashed, {basis} solid",
            "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "calendar_year", "type": "ordinal", "title": "year",
                               "axis": {"labelAngle": 0}},
                         "y": {"field": "co2e_t", "type": "quantitative", "title": "CO2e (t)"},
                         "color": {"field": "option", "type": "nominal", "title": "option",
                                   "legend": {"orient": "bottom", "columns": 2, "labelLimit": 360}},
                         "strokeDash": {"field": "grid", "type": "nominal", "title": "grid",
                                        "scale": {"domain": ["flat grid", f"{basis} grid"],
                                                  "range": [[4, 3], [1, 0]]}},
                         "tooltip": tooltip}}


def start_months(long: pd.DataFrame, option: str) -> dict:
    """One option's location-based CO2e for each start month of a window, with its range as a rule.

    long : ``api.best_start_months(...)[1]`` (option, start, co2e_kg, co2e_kg_low, co2e_kg_high, rank).
    """
    rows = long[long["option"] == option][["start", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "rank"]]
    rows = rows.assign(best=rows["rank"] == 1)
    x = {"field": "start", "type": "ordinal", "title": "start month", "axis": {"labelAngle": 0}}
    tooltip = [{"field": "start", "type": "ordinal"},
               {"field": "co2e_kg", "type": "quantitative", "title": "CO2e (kg)", "format": ",.1f"},
               {"field": "co2e_kg_low", "type": "quantitative", "title": "low (kg)", "format": ",.1f"},
               {"field": "co2e_kg_high", "type": "quantitative", "title": "high (kg)", "format": ",.1f"}]
    return {"$schema": _SCHEMA, "height": 280, "data": {"values": _records(rows)},
            "title": f"CO2e by start month (location-based): {option}; green = best",
            "layer": [
                {"mark": {"type": "bar"},
                 "encoding": {"x": x, "y": {"field": "co2e_kg", "type": "quantitative", "title": "CO2e (kg)"},
                              "color": {"condition": {"test": "datum.best", "value": "#2ca02c"},
                                        "value": "#7f7f7f"}, "tooltip": tooltip}},
                {"mark": {"type": "rule", "color": "#333333"},
                 "encoding": {"x": x, "y": {"field": "co2e_kg_low", "type": "quantitative"},
                              "y2": {"field": "co2e_kg_high"}}},
            ]}


def water_card(row: pd.Series, unit: bool = True) -> tuple[str, str]:
    """(value, help) of a water card: litres (with ' L' unless ``unit`` is false) with the range in the help,
    and the basis of the figure."""
    water = float(row.get("water_l", math.nan))
    if math.isnan(water):
        return "no data", "no water figure for this option"
    low, high = float(row.get("water_l_low", math.nan)), float(row.get("water_l_high", math.nan))
    value = f"{water:,.0f}" + (" L" if unit else "")
    spread = "" if math.isnan(low) or math.isnan(high) else f" (range {low:,.0f} – {high:,.0f} L)"
    basis = row.get("water_basis")
    return value, (f"On-site cooling water (WUE × IT energy) + water of generating the electricity (EWIF × grid "
                   f"energy){spread}." + (f" Basis: {basis}" if isinstance(basis, str) and basis else ""))
