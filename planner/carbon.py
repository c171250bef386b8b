"""Carbon: grid intensity by cloud region or by zone (country, US state, …) and CO2e from energy."""

from __future__ import annotations

import pandas as pd

from planner.defaults import Assumption
from planner.errors import unknown
from planner.units import Num, convert

CO2E_UNITS = ("kg", "lb", "t")


def co2e_kg(energy_kwh: Num, gco2e_per_kwh: Num) -> Num:
    """Operational emissions: ``CO2e = E · I / 1000`` [kg], E [kWh], I [gCO2e/kWh]. Vectorised."""
    return energy_kwh * gco2e_per_kwh / 1000.0


def co2e_in(value_kg: float, unit: str) -> float:
    """Convert kg CO2e to ``kg``, ``lb`` or ``t`` (metric tonnes)."""
    if unit not in CO2E_UNITS:
        raise unknown("co2e unit", unit, CO2E_UNITS)
    return convert(value_kg, "kg", "metric_ton" if unit == "t" else unit)


def zone_intensity(grid: pd.DataFrame, zone: str) -> Assumption:
    """Grid intensity of a zone: ISO-3 country (``USA``), US state (``US-CA``), ``WORLD``, …, as an Assumption."""
    hit = grid[grid["zone"].str.upper() == str(zone).strip().upper()]
    if hit.empty:
        raise unknown("grid zone", zone, grid["zone"])
    row = hit.iloc[0]
    year = "" if pd.isna(row["year"]) else str(int(row["year"]))
    return Assumption(f"grid_intensity_{row['zone']}", float(row["gco2e_per_kwh"]), "gCO2e/kWh", str(row["source"]),
                      year, f"{row['name']} ({row['level']}): {row['basis']}")


def region_intensity(regions: pd.DataFrame, provider: str, region: str) -> Assumption:
    """Location-based grid intensity of a cloud region, as an Assumption."""
    of_provider = regions[regions["provider"] == provider]
    if of_provider.empty:
        raise unknown("provider", provider, regions["provider"].unique())
    hit = of_provider[of_provider["region"] == region]
    if hit.empty:
        raise unknown(f"{provider} region", region, of_provider["region"])
    row = hit.iloc[0]
    year = "" if pd.isna(row["year"]) else str(int(row["year"]))
    return Assumption(f"grid_intensity_{provider}_{region}", float(row["grid_gco2e_per_kwh"]), "gCO2e/kWh",
                      str(row["source"]), year, f"{row['location']}: location-based grid average")
