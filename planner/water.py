"""Water: on-site cooling water (WUE, litres per kWh of IT energy) and the water of the electricity used.

``W = E_IT · WUE + E · EWIF``  [L]   with ``E_IT = E / PUE`` (the data centre's IT energy), ``E`` the energy
drawn from the grid [kWh] (PUE included), WUE the site's water usage effectiveness [L/kWh of IT energy]
(The Green Grid, White Paper 35, 2011) and EWIF the grid's electricity water intensity factor [L/kWh
generated]. The two parts are kept apart (``water_onsite_l``, ``water_offsite_l``) because their bases
differ: providers publish WUE without saying whether discharged water is netted out ('unspecified'),
the grid factors are consumption (shared/data/water/README.md).

Where a factor comes from, in order:
- on-site, cloud: the region's own published WUE (latest year; range over its published years, or for one
  year down to that value scaled by the provider's fleet change since), else the provider's fleet value
  (range: the provider's published region values), Google a fleet value derived from its water volume and
  electricity (``data_src/wue_derived.csv``; range: every published region value of AWS and Microsoft);
- on-site, owned: the user's WUE, else the room's cooling type from the owned rows' sourced bounds
  (``COOLING_TYPES``; ``unknown`` = LBNL's 2014 US data-centre average);
- off-site: the zone's published grid average (USA), else the world average, said in the note; range:
  the lowest and highest published grid averages (they differ mostly in counting hydropower evaporation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.defaults import Assumption
from planner.errors import PlanError, non_negative, unknown
from planner.units import Num

#: Owned rooms' cooling types -> the wue_onsite 'owned' rows that bound them (scope text starts with this).
COOLING_TYPES = {
    "air": "cooling: air-cooled",
    "evaporative": "cooling: evaporative or adiabatic assist, temperate",
    "evaporative_hot": "cooling: evaporative, hot or humid",
    "liquid": "cooling: closed-loop liquid",
    "unknown": "US average, all data centers",
}
_PROVIDER_NAMES = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "gcp"}
WATER_COLUMNS = ("water_onsite_l", "water_offsite_l", "water_l", "water_l_low", "water_l_high")


@dataclass(frozen=True)
class WaterFactor:
    """A water factor with its range and provenance [L/kWh]; ``per`` says of which energy (IT or grid)."""

    name: str
    low: float
    central: float
    high: float
    per: str
    source: str
    as_of: str
    note: str

    def assumption(self) -> Assumption:
        return Assumption(self.name, self.central, f"L/kWh of {self.per} energy (range {self.low:g}-{self.high:g})",
                          self.source, self.as_of, self.note)


def water_l(it_kwh: Num, wue_l_per_kwh: Num, grid_kwh: Num, ewif_l_per_kwh: Num) -> tuple[Num, Num]:
    """(on-site, off-site) water [L]: ``E_IT · WUE`` and ``E · EWIF``. Vectorised; inputs must be >= 0."""
    return it_kwh * wue_l_per_kwh, grid_kwh * ewif_l_per_kwh


def _year(value: object) -> str:
    return "" if pd.isna(value) else str(int(value))


def _global(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["scope_region_or_site"].astype(str).str.startswith(("global", "fleet"))].dropna(subset=["year"])


def cloud_wue(wue_onsite: pd.DataFrame, wue_region: pd.DataFrame, provider: str, region: str) -> WaterFactor:
    """On-site WUE of a cloud region (see the module docstring for the order and the range)."""
    name = _PROVIDER_NAMES.get(provider)
    if name is None:
        raise unknown("provider", provider, _PROVIDER_NAMES)
    rows = wue_onsite[wue_onsite["provider"] == name]
    fleet = _global(rows).sort_values("year")
    own = wue_region[(wue_region["provider"] == provider) & (wue_region["region"] == region)].sort_values("year")
    if len(own):
        last = own.iloc[-1]
        central = float(last["wue_l_per_kwh"])
        low, high = float(own["wue_l_per_kwh"].min()), float(own["wue_l_per_kwh"].max())
        note = f"{region}: published region WUE ({', '.join(map(_year, own['year']))})"
        if len(own) == 1 and len(fleet):
            then = fleet[fleet["year"] <= last["year"]]
            if len(then):
                scale = float(fleet["wue_l_per_kwh"].iloc[-1]) / float(then["wue_l_per_kwh"].iloc[-1])
                low = min(low, central * scale)
                note += (f"; low end scaled by the fleet's change {_year(then['year'].iloc[-1])}-"
                         f"{_year(fleet['year'].iloc[-1])} (x{scale:.2f})")
        return WaterFactor(f"wue_{provider}_{region}", low, central, high, "IT", str(last["source"]),
                           _year(last["year"]), note + f"; metric {last['metric']}")
    if provider == "gcp":
        others = wue_region.sort_values("year").groupby(["provider", "region"]).tail(1)["wue_l_per_kwh"]
        low, high = float(others.min()), float(others.max())
        spread = "every published region value of AWS and Microsoft"
    else:
        regional = wue_region[wue_region["provider"] == provider]
        latest = regional[regional["year"] == regional["year"].max()]["wue_l_per_kwh"]
        low, high = float(latest.min()), float(latest.max())
        spread = f"{name}'s published region values"
    if fleet.empty:
        raise PlanError(f"wue: no published fleet WUE for {provider} in the data")
    last = fleet.iloc[-1]
    central = float(last["wue_l_per_kwh"])
    return WaterFactor(f"wue_{provider}_fleet", min(low, central), central, max(high, central), "IT",
                       str(last["source"]), _year(last["year"]),
                       f"{region}: no published region WUE, the provider's fleet value used; range: {spread}; "
                       f"metric {last['metric']}")


def owned_wue(wue_onsite: pd.DataFrame, cooling: str = "unknown", value: float | None = None) -> WaterFactor:
    """On-site WUE of an owned room: the user's value, else its cooling type's sourced bounds.

    A bounded type's central is the midpoint of its low and high bound rows; ``unknown`` is the LBNL 2014
    US average (1.8 L/kWh) with the range of every bound (the driest to the hottest evaporative room).
    """
    if value is not None:
        non_negative("wue_l_per_kwh", value, "L/kWh")
        return WaterFactor("wue_owned_user", float(value), float(value), float(value), "IT", "user input", "",
                           "the owned room's WUE as given")
    if cooling not in COOLING_TYPES:
        raise unknown("cooling", cooling, COOLING_TYPES)
    owned = wue_onsite[wue_onsite["provider"] == "owned"]
    scope = owned["scope_region_or_site"].astype(str)
    bounds = owned[scope.str.contains("bound:")]
    if cooling == "unknown":
        row = owned[scope.str.startswith(COOLING_TYPES["unknown"])].iloc[0]
        return WaterFactor("wue_owned_unknown", float(bounds["wue_l_per_kwh"].min()), float(row["wue_l_per_kwh"]),
                           float(bounds["wue_l_per_kwh"].max()), "IT", str(row["source"]), _year(row["year"]),
                           "owned room, cooling not given: US data-centre average (mixed cooling); range: the "
                           "driest to the hottest evaporative room (owned bound rows)")
    rows = owned[scope.str.startswith(COOLING_TYPES[cooling])]
    if cooling == "liquid":
        air = owned[scope.str.startswith(COOLING_TYPES["air"])]
        low, high = float(rows["wue_l_per_kwh"].min()), float(air["wue_l_per_kwh"].max())
        central = float(rows["wue_l_per_kwh"].iloc[0])
    else:
        low, high = float(rows["wue_l_per_kwh"].min()), float(rows["wue_l_per_kwh"].max())
        central = (low + high) / 2
    return WaterFactor(f"wue_owned_{cooling}", low, central, high, "IT", "; ".join(rows["source"].astype(str)),
                       ";".join(sorted({_year(y) for y in rows["year"]} - {""})),
                       f"owned room, {cooling} cooling: central = midpoint of the sourced bounds")


def grid_ewif(ewif_by_zone: pd.DataFrame, country: str | None) -> WaterFactor:
    """Off-site water of a grid zone's electricity [L/kWh generated]; ``country`` is ISO-3 (None: world)."""
    published = ewif_by_zone.dropna(subset=["l_per_kwh"])
    low, high = float(published["l_per_kwh"].min()), float(published["l_per_kwh"].max())
    hit = published[published["zone"] == (country or "WORLD")]
    fallback = hit.empty
    row = (published[published["zone"] == "WORLD"] if fallback else hit).iloc[0]
    note = (f"{row['zone']}: published grid average ({row['metric']})" if not fallback else
            f"no published grid water factor for {country}: world average used ({row['metric']})")
    return WaterFactor(f"ewif_{row['zone']}", low, float(row["l_per_kwh"]), high, "grid", str(row["source"]),
                       _year(row["year"]), note + "; range: the lowest and highest published grid averages "
                       "(they differ mostly in counting hydropower reservoir evaporation)")


def water_columns(energy_kwh: np.ndarray, energy_low: np.ndarray, energy_high: np.ndarray, pue: np.ndarray,
                  wue: tuple[np.ndarray, np.ndarray, np.ndarray],
                  ewif: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """``WATER_COLUMNS`` for rows of energies [kWh, PUE included] and factors (low, central, high) [L/kWh]."""
    pue = np.asarray(pue, float)
    onsite, offsite = water_l(np.asarray(energy_kwh, float) / pue, wue[1], np.asarray(energy_kwh, float), ewif[1])
    on_lo, off_lo = water_l(np.asarray(energy_low, float) / pue, wue[0], np.asarray(energy_low, float), ewif[0])
    on_hi, off_hi = water_l(np.asarray(energy_high, float) / pue, wue[2], np.asarray(energy_high, float), ewif[2])
    return {"water_onsite_l": onsite, "water_offsite_l": offsite, "water_l": onsite + offsite,
            "water_l_low": on_lo + off_lo, "water_l_high": on_hi + off_hi}
