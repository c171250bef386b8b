"""A multi-year plan's carbon and water under a changing grid: each calendar year's intensity on that year's energy.

A plan's year ``k`` (1..H) is calendar year ``y = start_year + k − 1``. Every option (the owned site, each
cloud region) keeps its own intensity ``I_base`` of its base year and follows its zone's trajectory
(``planner.grid_time``): ``I(y) = I_base · Y(y)``, so ``CO2e_op(k) = E(k) · I(y) / 1000`` [kg]. The flat
grid (``I(y) = I_base``) is kept beside it (``operational_co2e_flat_kg``), and the trend's 90 % interval
gives ``_low``/``_high``. Water per year: ``W = E / PUE · WUE + E · EWIF`` (``planner.water``).
Pure: the plan's tables, the trajectories and the factors come in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.carbon import co2e_kg
from planner.errors import PlanError
from planner.grid_time import MAX_PROJECTION_YEARS, Trajectory, check_basis, intensity_by_year
from planner.water import WaterFactor, water_l

#: Columns the carbon table gains.
CARBON_TIME_COLUMNS = ("calendar_year", "grid_gco2e_per_kwh", "operational_co2e_flat_kg", "operational_co2e_kg_low",
                       "operational_co2e_kg_high", "co2e_flat_kg", "water_l", "water_l_low", "water_l_high",
                       "grid_basis")


@dataclass(frozen=True)
class Place:
    """Where one plan option draws its power: its intensity and base year, trajectory, PUE and water factors."""

    base_gco2e_per_kwh: float
    base_year: int | None
    trajectory: Trajectory | None
    pue: float
    wue: WaterFactor
    ewif: WaterFactor
    label: str


def check_start_year(start_year: int, horizon_years: int, first: int, last: int) -> int:
    """A plan's first calendar year: a whole year with the plan inside the series and its projection."""
    if int(start_year) != start_year:
        raise PlanError(f"start_year {start_year}: must be a whole calendar year")
    latest = last + MAX_PROJECTION_YEARS
    if not first <= start_year or start_year + horizon_years - 1 > latest:
        raise PlanError(f"start_year {start_year}: a {horizon_years}-year plan must lie in {first}-{latest} "
                        f"(the grid series and its {MAX_PROJECTION_YEARS}-year projection)")
    return int(start_year)


def carbon_over_time(carbon: pd.DataFrame, places: Mapping[str, Place], start_year: int,
                     basis: str = "trend") -> pd.DataFrame:
    """The plan's carbon table (option, year, energy_kwh, operational_co2e_kg, embodied_co2e_kg, co2e_kg) with
    each year's operational CO2e at that calendar year's intensity, the flat grid beside it, and water.

    Adds ``CARBON_TIME_COLUMNS``; ``operational_co2e_kg`` and ``co2e_kg`` follow ``basis`` (flat, trend or
    projection). An option missing from ``places`` raises PlanError.
    """
    check_basis(basis)
    out = carbon.copy()
    calendar = start_year + out["year"].to_numpy(int) - 1
    energy = out["energy_kwh"].to_numpy(float)
    columns: dict[str, np.ndarray] = {name: np.full(len(out), np.nan) for name in CARBON_TIME_COLUMNS[1:-1]}
    basis_text = np.empty(len(out), dtype=object)
    for option, index in out.groupby("option", sort=False).groups.items():
        if option not in places:
            raise PlanError(f"plan option '{option}': no grid or water data to place it")
        place = places[option]
        rows = out.index.get_indexer(index)
        years = calendar[rows]
        intensity = {b: intensity_by_year(place.base_gco2e_per_kwh, place.base_year, list(years), place.trajectory,
                                          basis, b) for b in ("low", "central", "high")}
        flat = np.full(len(rows), place.base_gco2e_per_kwh)
        e = energy[rows]
        columns["grid_gco2e_per_kwh"][rows] = intensity["central"]
        columns["operational_co2e_flat_kg"][rows] = co2e_kg(e, flat)
        columns["operational_co2e_kg_low"][rows] = co2e_kg(e, np.minimum(intensity["low"], intensity["central"]))
        columns["operational_co2e_kg_high"][rows] = co2e_kg(e, np.maximum(intensity["high"], intensity["central"]))
        out.loc[index, "operational_co2e_kg"] = co2e_kg(e, intensity["central"])
        for bound, name in (("low", "water_l_low"), ("central", "water_l"), ("high", "water_l_high")):
            onsite, offsite = water_l(e / place.pue, getattr(place.wue, bound), e, getattr(place.ewif, bound))
            columns[name][rows] = onsite + offsite
        trend = place.trajectory.describe(basis) if place.trajectory is not None else \
            "no yearly series for this zone: flat"
        basis_text[rows] = f"{place.label}: location-based, {basis}; {trend}"
    for name, values in columns.items():
        out[name] = values
    out["calendar_year"] = calendar
    out["co2e_kg"] = out["operational_co2e_kg"] + out["embodied_co2e_kg"]
    out["co2e_flat_kg"] = out["operational_co2e_flat_kg"] + out["embodied_co2e_kg"]
    out["grid_basis"] = basis_text
    return out


def summary_with_time(summary: pd.DataFrame, carbon: pd.DataFrame) -> pd.DataFrame:
    """The plan summary with CO2e over the horizon under the basis, its range, the flat grid and water."""
    totals = carbon.groupby("option", sort=False)[["co2e_kg", "co2e_flat_kg", "operational_co2e_kg_low",
                                                    "operational_co2e_kg_high", "embodied_co2e_kg", "water_l",
                                                    "water_l_low", "water_l_high"]].sum()
    out = summary.copy()
    by = totals.reindex(out["option"])
    out["co2e_kg"] = by["co2e_kg"].to_numpy()
    out["co2e_kg_low"] = (by["operational_co2e_kg_low"] + by["embodied_co2e_kg"]).to_numpy()
    out["co2e_kg_high"] = (by["operational_co2e_kg_high"] + by["embodied_co2e_kg"]).to_numpy()
    out["co2e_flat_kg"] = by["co2e_flat_kg"].to_numpy()
    for name in ("water_l", "water_l_low", "water_l_high"):
        out[name] = by[name].to_numpy()
    return out


def trend_sensitivity(carbon: pd.DataFrame, option: str = "owned") -> dict[str, float]:
    """The tornado's grid-trend row for one option: its horizon CO2e at the trend's low, central and high rate."""
    rows = carbon[carbon["option"] == option]
    embodied = float(rows["embodied_co2e_kg"].sum())
    return {"co2e_kg_low": float(rows["operational_co2e_kg_low"].sum()) + embodied,
            "co2e_kg_central": float(rows["co2e_kg"].sum()),
            "co2e_kg_high": float(rows["operational_co2e_kg_high"].sum()) + embodied}


def totals_by_option(carbon: pd.DataFrame) -> pd.DataFrame:
    """Energy, CO2e (flat grid, and the basis with its range) and water over the horizon, one row per option."""
    sums = carbon.groupby("option", sort=False, as_index=False)[
        ["energy_kwh", "co2e_flat_kg", "co2e_kg", "operational_co2e_kg_low", "operational_co2e_kg_high",
         "embodied_co2e_kg", "water_l", "water_l_low", "water_l_high"]].sum()
    sums["co2e_kg_low"] = sums.pop("operational_co2e_kg_low") + sums["embodied_co2e_kg"]
    sums["co2e_kg_high"] = sums.pop("operational_co2e_kg_high") + sums["embodied_co2e_kg"]
    return sums[["option", "energy_kwh", "co2e_flat_kg", "co2e_kg", "co2e_kg_low", "co2e_kg_high",
                 "embodied_co2e_kg", "water_l", "water_l_low", "water_l_high"]]


def co2e_draws(carbon: pd.DataFrame, places: Mapping[str, Place], start_year: int, basis: str, draws: int,
               seed: int = 0) -> pd.DataFrame:
    """Monte Carlo of each option's horizon CO2e over its zone's trend: one draw per row of the result.

    Each zone's rate is drawn from a triangular distribution (rate_low, rate, rate_high) on its own random
    stream (``numpy.random.SeedSequence([seed, 19]).spawn``, in zone order), as the procurement Monte
    Carlo draws its inputs. Columns: draw, ``grid_trend_<zone>`` per zone, ``co2e_kg_<option>`` per option.
    ``flat`` draws nothing (every draw is the flat figure).
    """
    check_basis(basis)
    calendar = start_year + carbon["year"].to_numpy(int) - 1
    zones = sorted({p.trajectory.zone for p in places.values() if p.trajectory is not None and basis != "flat"})
    streams = dict(zip(zones, (np.random.default_rng(s) for s in np.random.SeedSequence([seed, 19]).spawn(
        max(len(zones), 1))), strict=False))
    rates = {}
    for zone in zones:
        t = next(p.trajectory for p in places.values() if p.trajectory is not None and p.trajectory.zone == zone)
        low, high = min(t.rate_low, t.rate), max(t.rate_high, t.rate)
        rates[zone] = streams[zone].triangular(low, t.rate, high, draws) if high > low else np.full(draws, t.rate)
    out = {"draw": np.arange(draws)}
    out.update({f"grid_trend_{zone}": values for zone, values in rates.items()})
    for option, index in carbon.groupby("option", sort=False).groups.items():
        place = places[option]
        rows = carbon.index.get_indexer(index)
        energy = carbon["energy_kwh"].to_numpy(float)[rows]
        embodied = float(carbon["embodied_co2e_kg"].to_numpy(float)[rows].sum())
        years = list(calendar[rows])
        if place.trajectory is None or basis == "flat":
            total = float((energy * place.base_gco2e_per_kwh).sum() / 1000) + embodied
            out[f"co2e_kg_{option}"] = np.full(draws, total)
            continue
        totals = np.empty(draws)
        for i, rate in enumerate(rates[place.trajectory.zone]):
            drawn = replace(place.trajectory, rate=float(rate))
            intensity = intensity_by_year(place.base_gco2e_per_kwh, place.base_year, years, drawn, basis)
            totals[i] = float((energy * intensity).sum() / 1000) + embodied
        out[f"co2e_kg_{option}"] = totals
    return pd.DataFrame(out)
