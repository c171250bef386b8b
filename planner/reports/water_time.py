"""The report's lines on water and on when the job runs (issue 19): text only, from the options' own columns."""

from __future__ import annotations

import math

import pandas as pd

#: Option columns this part adds to a report, beside CO2e.
WATER_COLUMNS = ("water_l", "water_l_low", "water_l_high")


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def summary_lines(chosen: pd.Series) -> list[str]:
    """Water beside CO2e, each with its basis, for the chosen option (nothing where the columns are absent)."""
    lines = []
    water = _number(chosen.get("water_l"))
    if not math.isnan(water):
        low, high = _number(chosen.get("water_l_low")), _number(chosen.get("water_l_high"))
        spread = f" (range {low:,.0f} to {high:,.0f} L)" if not (math.isnan(low) or math.isnan(high)) else ""
        basis = chosen.get("water_basis")
        lines.append(f"Water: about {water:,.0f} L{spread}: on-site cooling (WUE × IT energy) plus the water of "
                     f"generating the electricity (EWIF × grid energy)"
                     + (f"; basis {basis}." if isinstance(basis, str) and basis else "."))
    basis = chosen.get("co2e_basis")
    if isinstance(basis, str) and basis:
        lines.append(f"CO2e basis: {basis}.")
    return lines


def method_lines(table: pd.DataFrame) -> list[str]:
    """The water and grid-over-time formulas, when the options carry them."""
    lines = []
    if "water_l" in table.columns:
        lines.append("Water: W = E / PUE · WUE + E · EWIF [L], with WUE the site's water usage effectiveness [L per "
                     "kWh of IT energy] (provider reports; owned rooms by cooling type) and EWIF the water "
                     "consumed per kWh generated on the grid; on-site and off-site are reported apart, and their "
                     "ranges combine the low (high) energy with the low (high) factors.")
    if "co2e_basis" in table.columns:
        lines.append("When the job runs: I(t) = I_base · Y(year) · S(month), with Y the zone's yearly series "
                     "(observed, else its log-linear trend over the last 5 years or a published projection) "
                     "relative to the base intensity's year and S the Ember monthly shape (mean 1); the job's "
                     "energy is spread evenly over its wall-clock from the start month. Location-based only; "
                     "market-based CO2e keeps the annual carbon-free-energy share.")
    return lines
