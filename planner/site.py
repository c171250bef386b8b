"""Where owned servers run: the electricity price and grid intensity of a location (country or US state)."""

from __future__ import annotations

import pandas as pd

from planner.carbon import zone_intensity
from planner.defaults import Assumption
from planner.errors import PlanError

#: Grid zones (ISO-3 country, US-XX state, WORLD) -> the electricity-price zone used when none is given.
_ELECTRICITY_FALLBACK = {"USA": "US", "WORLD": "WORLD"}
#: European countries (ISO-3) fall back to the European business average rather than the world's.
_EUROPE = {"ALB", "AUT", "BEL", "BGR", "BIH", "CHE", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
           "GRC", "HRV", "HUN", "IRL", "ISL", "ITA", "LTU", "LUX", "LVA", "MKD", "MLT", "MNE", "NLD", "NOR", "POL",
           "PRT", "ROU", "SRB", "SVK", "SVN", "SWE"}


def electricity_price(prices: pd.DataFrame, zone: str) -> Assumption:
    """Newest USD price per kWh for a zone, commercial sector preferred (then business, industrial, …)."""
    rows = prices[(prices["zone"] == zone) & prices["usd_per_kwh"].notna()]
    if rows.empty:
        zones = sorted(prices.loc[prices["usd_per_kwh"].notna(), "zone"].unique())
        raise PlanError(f"electricity zone '{zone}': no USD price in the data; allowed: {', '.join(zones)} "
                        "(or give electricity_usd_per_kwh)")
    rank = {"commercial": 0, "business": 1, "non-household": 2, "industrial": 3}
    rows = rows.assign(_rank=rows["sector"].map(rank).fillna(9)).sort_values(["_rank", "year"],
                                                                            ascending=[True, False], kind="mergesort")
    row = rows.iloc[0]
    return Assumption(f"electricity_{zone}", float(row["usd_per_kwh"]), "USD/kWh", str(row["source"]),
                      str(int(row["year"])), f"{row['name']} ({row['sector']})")


def site_assumptions(grid: pd.DataFrame, prices: pd.DataFrame, grid_zone: str, electricity_zone: str | None = None,
                     electricity_usd_per_kwh: float | None = None) -> tuple[Assumption, Assumption]:
    """(electricity price, grid intensity) of an owned site.

    Without an electricity zone: a US state's own price if the data has one, else the US average;
    ``USA`` -> US average; other countries -> the world business average (said in the note).
    """
    intensity = zone_intensity(grid, grid_zone)
    zone = intensity.name.removeprefix("grid_intensity_")
    if electricity_usd_per_kwh is not None:
        if electricity_usd_per_kwh < 0:
            raise PlanError(f"electricity_usd_per_kwh {electricity_usd_per_kwh:g}: must be >= 0")
        return Assumption("electricity_usd_per_kwh", float(electricity_usd_per_kwh), "USD/kWh", "user input", ""), \
            intensity
    if electricity_zone is None:
        has_price = set(prices.loc[prices["usd_per_kwh"].notna(), "zone"])
        if zone in has_price:
            electricity_zone = zone
        elif zone.startswith("US-"):
            electricity_zone = "US"
        else:
            electricity_zone = "EUROPE" if zone in _EUROPE else _ELECTRICITY_FALLBACK.get(zone, "WORLD")
    price = electricity_price(prices, electricity_zone)
    if electricity_zone != zone:
        price = Assumption(price.name, price.value, price.unit, price.source, price.as_of,
                           f"{price.note}; no USD price for {zone} in the data, so {electricity_zone} is used")
    return price, intensity
