"""Carbon over time and water: a comparison at a start month, the best month to start, and litres per option.

The shipped series (``grid_yearly``, ``grid_monthly``, ``gcp_region_carbon_yearly``, ``grid_projection``)
and water tables (``wue_onsite``, ``wue_region``, ``ewif_by_zone``) go to the pure modules
``planner.grid_time`` and ``planner.water``; these functions only choose the rows' factors.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner import compare as compare_engine
from planner import defaults, grid_time, plan_grid, text, water
from planner.compare import Comparison, zone_country
from planner.defaults import Assumption
from planner.prepared import first_by_name
from planner.shipped import load

if TYPE_CHECKING:  # only plan_over_time's signature: an estimate imports no procurement code
    from planner.procurement import Plan


@functools.lru_cache(maxsize=1)
def grid_series() -> grid_time.GridSeries:
    """Every shipped yearly trajectory and monthly profile (built once per process)."""
    data = load()
    return grid_time.grid_series(data["grid_yearly"], data["grid_monthly"], data["gcp_region_carbon_yearly"],
                                 data["grid_series_sources"], data["grid_projection"])


def parse_start(start: str, field_name: str = "start") -> tuple[int, int]:
    """``'2027-03'`` -> (2027, 3), validated against the series' years and their projection."""
    month = grid_time.parse_month(start, field_name)
    first, last = grid_series().years()
    grid_time.check_start(month, first, last, field_name)
    return month


@functools.cache
def _base_year_maps() -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    data = load()
    regions = data["cloud_regions"]
    by_region = {(p, r): float(y) for p, r, y in zip(regions["provider"], regions["region"], regions["year"],
                                                      strict=True)}
    grid = data["grid_intensity"].drop_duplicates("zone")
    by_zone = {str(z).upper(): float(y) for z, y in zip(grid["zone"], grid["year"], strict=True)}
    return by_region, by_zone


def _base_years(table: pd.DataFrame) -> np.ndarray:
    """The year of each row's own intensity: its cloud region's row, or its owned site's grid row."""
    by_region, by_zone = _base_year_maps()
    return np.array([by_zone.get(str(r).upper(), np.nan) if k == "owned" else by_region.get((p, r), np.nan)
                     for k, p, r in zip(table["option_kind"], table["provider"], table["region"], strict=True)],
                    float)


def _time_assumptions(series: grid_time.GridSeries, table: pd.DataFrame, basis: str) -> list[Assumption]:
    out = []
    sources = load()["grid_series_sources"].set_index("source_key")
    keys = {(t.zone if t else None, p.zone if p else None): (t, p) for t, p in grid_time._row_keys(table, series)}
    for trajectory, profile in keys.values():
        if trajectory is not None:
            out.append(Assumption(f"grid_trend_{trajectory.zone}", trajectory.rate, "fraction per year",
                                  trajectory.source, f"{trajectory.fit_years[0]}-{trajectory.fit_years[1]}",
                                  trajectory.describe(basis)))
        if profile is not None:
            out.append(Assumption(f"grid_profile_{profile.zone}", " ".join(f"{v:.3f}" for v in profile.shape),
                                  "x annual mean, Jan..Dec", profile.source,
                                  f"{profile.years[0]}-{profile.years[-1]}",
                                  str(sources.at["ember_monthly", "source_version"])))
    return out


def grid_factor_for(start: str, grid_basis: str = "trend") -> compare_engine.GridFactor:
    """The engine's ``Settings.grid_factor`` for a start month: each row's factor over its wall-clock."""
    grid_time.check_basis(grid_basis)
    month = parse_start(start)
    series = grid_series()

    def factor(where: Mapping[str, np.ndarray], wall_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        frame = pd.DataFrame({k: np.asarray(v, dtype=object) for k, v in where.items()})
        frame["wall_hours"] = wall_hours
        low, central, high, _ = grid_time.time_factors(frame, series, month, grid_basis, _base_years(frame))
        return low, central, high

    return factor


def at_start(comparison: Comparison, start: str, grid_basis: str = "trend", scaled: bool = False) -> Comparison:
    """The comparison with each row's location-based CO2e over its wall-clock from ``start`` (YYYY-MM).

    scaled : the engine already applied the factors (``grid_factor_for`` in its Settings, so the ranges and
    Monte Carlo carry the trend's spread); else they are applied here to the finished table. Adds
    ``grid_factor`` and ``co2e_basis`` (what made the row's intensity); see ``planner.grid_time``.
    """
    grid_time.check_basis(grid_basis)
    month = parse_start(start)
    series = grid_series()
    table = comparison.table
    low, central, high, texts = grid_time.time_factors(table, series, month, grid_basis, _base_years(table))
    if scaled:
        adjusted = table.assign(grid_factor=central, co2e_basis=texts)
    else:
        adjusted = grid_time.apply_time(table, (low, central, high), texts)
    extra = _time_assumptions(series, table, grid_basis)
    names = [a.name for a in extra]
    adjusted["assumption_ids"] = adjusted["assumption_ids"].astype(str) + ";" + ";".join(dict.fromkeys(names))
    assumptions = pd.concat([comparison.assumptions, pd.DataFrame([a.__dict__ for a in extra])], ignore_index=True)
    missing = sorted({t for t in texts if "no profile for this zone" in t})
    notes = list(comparison.notes)
    if missing:
        notes.append("some options have no monthly profile for their zone: annual average used (see co2e_basis)")
    notes.append(f"CO2e (location-based) from {start} over each job's wall-clock, grid basis '{grid_basis}'; "
                 "market-based CO2e applies Google's annual CFE share to it (no monthly CFE data)")
    return replace(comparison, table=adjusted, assumptions=assumptions.drop_duplicates("name").reset_index(drop=True),
                   notes=tuple(notes))


def start_window(window_from: str, window_to: str) -> list[tuple[int, int]]:
    """The months of a start window (YYYY-MM to YYYY-MM, inclusive), each validated like ``start``."""
    first, last = parse_start(window_from, "window start"), parse_start(window_to, "window end")
    return grid_time.months_between(first, last)


def best_start_months(comparison: Comparison | pd.DataFrame, window_from: str, window_to: str,
                      grid_basis: str = "trend", top: int | None = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, long) of starting each option in each month of a window (YYYY-MM to YYYY-MM, inclusive).

    summary: per option best_start, best_co2e_kg, worst_start, worst_co2e_kg, saving_pct, note;
    long: every (option, start month) with co2e_kg and its range (for a month-by-month chart).
    comparison : a Comparison or rows of its table; top : the first rows (None: all).
    """
    window = start_window(window_from, window_to)
    rows = comparison.table if isinstance(comparison, Comparison) else comparison
    table = rows if top is None else rows.head(int(top))
    series = grid_series()
    if "grid_factor" in table:
        table = table.assign(co2e_kg=table["co2e_kg"] / table["grid_factor"],
                             co2e_kg_low=table["co2e_kg_low"] / table["grid_factor"],
                             co2e_kg_high=table["co2e_kg_high"] / table["grid_factor"])
    long = grid_time.start_month_table(table, series, window, grid_basis, _base_years(table))
    return grid_time.best_start_summary(long), long


# --- Water ------------------------------------------------------------------------------------------------

@functools.cache
def _cloud_wue(provider: str, region: str) -> water.WaterFactor:
    data = load()
    return water.cloud_wue(data["wue_onsite"], data["wue_region"], provider, region)


@functools.cache
def _grid_ewif(country: str | None) -> water.WaterFactor:
    return water.grid_ewif(load()["ewif_by_zone"], country)


@functools.cache
def _owned_wue(cooling: str, value: float | None) -> water.WaterFactor:
    return water.owned_wue(load()["wue_onsite"], cooling, value)


def row_water_factors(table: pd.DataFrame, owned_cooling: str = "unknown", owned_wue_l_per_kwh: float | None = None
                      ) -> tuple[list[water.WaterFactor], list[water.WaterFactor]]:
    """Each row's on-site WUE and off-site EWIF (cloud: its region; owned: the room and its site's grid).

    Factors are looked up once per place and process (the shipped tables do not change while it runs).
    """
    codes, found, _ = _place_factors(table, owned_cooling, owned_wue_l_per_kwh)
    return [found[c][0] for c in codes], [found[c][1] for c in codes]


def _place_factors(table: pd.DataFrame, owned_cooling: str, owned_wue_l_per_kwh: float | None,
                   also: tuple[str, ...] = ()) -> tuple[np.ndarray, list[tuple[water.WaterFactor, water.WaterFactor]],
                                                        dict[str, np.ndarray]]:
    """(each row's place code, (WUE, EWIF) per place, {column: its value per place}): one lookup per distinct
    place (option_kind, provider, region, country and the columns ``also``), none per row."""
    def owned() -> water.WaterFactor:
        return _owned_wue(owned_cooling, None if owned_wue_l_per_kwh is None else float(owned_wue_l_per_kwh))

    if owned_cooling != "unknown" or owned_wue_l_per_kwh is not None:
        owned()  # a room's own cooling or WUE is checked even where no row is owned; the default needs no check
    names = ("option_kind", "provider", "region", "country", *also)
    codes, first = text.distinct_codes(*(table[c] for c in names))
    at = {c: np.asarray(table[c].array.take(first), dtype=object) for c in names}
    found = []
    for kind, provider, region, country in zip(*(at[c] for c in names[:4]), strict=True):
        if kind == "owned":
            found.append((owned(), _grid_ewif(zone_country(str(region)))))
        else:
            found.append((_cloud_wue(provider, region),
                          _grid_ewif(country if isinstance(country, str) and country else None)))
    return codes, found, at


def with_water(comparison: Comparison, owned_pue: dict[str, float] | None = None, owned_cooling: str = "unknown",
               owned_wue_l_per_kwh: float | None = None) -> Comparison:
    """The comparison with ``water.WATER_COLUMNS`` per row and their factors as assumptions.

    owned_pue : {server id: PUE} of the owned rows (default: the owned-room default PUE)
    """
    table = comparison.table.copy(deep=False)
    if table.empty:
        return comparison
    codes, found, at = _place_factors(table, owned_cooling, owned_wue_l_per_kwh, ("server",))
    pue_of = {p: float(a.value) for p, a in defaults.PUE.items()}
    owned_default = float(defaults.PUE["owned"].value)
    pue = np.array([(owned_pue or {}).get(s, owned_default) if k == "owned" else pue_of[p]
                    for k, p, s in zip(at["option_kind"], at["provider"], at["server"], strict=True)], float)[codes]

    def triple(at: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        low, central, high = (np.array([getattr(f[at], b) for f in found], float)[codes]
                              for b in ("low", "central", "high"))
        return low, central, high

    columns = water.water_columns(table["energy_kwh"].to_numpy(float), table["energy_kwh_low"].to_numpy(float),
                                  table["energy_kwh_high"].to_numpy(float), pue, triple(0), triple(1))
    for name, values in columns.items():
        table[name] = values
    basis = np.array([f"on-site {w.name} ({w.per} kWh) + off-site {e.name} (grid kWh)" for w, e in found], dtype=object)
    suffix = np.array([f";{w.name};{e.name}" for w, e in found], dtype=object)
    table["water_basis"] = text.str_array(basis[codes])
    table["assumption_ids"] = text.str_concat(table["assumption_ids"], suffix[codes])
    # as one dict over the rows' factors would hold them: names in order of first row, each the last row's factor
    last = np.full(len(found), -1)
    np.maximum.at(last, codes, np.arange(len(codes)))
    extra: dict[str, water.WaterFactor] = {}
    for at in (0, 1):
        extra.update({found[c][at].name: found[c][at] for c in range(len(found))})
        extra.update({found[c][at].name: found[c][at] for c in np.argsort(last, kind="stable")})
    extra = {name: f.assumption() for name, f in extra.items()}
    return replace(comparison, table=table, assumptions=_with_rows(comparison.assumptions, list(extra.values())))


def _with_rows(assumptions: pd.DataFrame, rows: list[Assumption]) -> pd.DataFrame:
    """``assumptions`` then ``rows``, each name's first row only (fresh index)."""
    names = pd.Series(assumptions["name"].to_numpy(dtype=object), dtype=object)
    if not names.is_unique:
        return first_by_name([assumptions, rows])
    present = set(names)
    new = [a for a in rows if a.name not in present]
    if not new:
        return assumptions.reset_index(drop=True)
    return pd.concat([assumptions, first_by_name([new])], ignore_index=True)


def pareto_with_water(table: pd.DataFrame) -> np.ndarray:
    """True where no other row is at least as good in cost, CO2e (total) and water and better in one."""
    return pareto_front_nd(table[["cost_usd", "co2e_total_kg", "water_l"]].to_numpy(float))


def pareto_front_nd(points: np.ndarray, block: int = 1024) -> np.ndarray:
    """Non-dominated rows of ``points`` (rows × objectives, all minimised); exact duplicates: the first kept.

    In lexicographic order a row can only be dominated by an earlier one (or repeat it), so it is off the
    front when an earlier front row is at least as good in every objective. Rows are tested a block at a
    time against the front so far; only the few a block leaves undecided are tested one by one.
    """
    points = np.asarray(points, float)
    n = len(points)
    front = np.ones(n, dtype=bool)
    order = np.lexsort(points.T[::-1])
    kept = np.zeros((0, points.shape[1]))
    start, size = 0, 8  # small blocks first: the front so far decides most rows of the later, larger ones
    while start < n:
        rows = order[start:start + size]
        start, size = start + size, min(2 * size, block)
        candidates = points[rows]
        if len(kept):
            beaten = (kept[None, :, :] <= candidates[:, None, :]).all(axis=2).any(axis=1)
            front[rows[beaten]] = False
            rows, candidates = rows[~beaten], candidates[~beaten]
        new: list[int] = []
        for i, p in zip(rows, candidates, strict=True):
            if new and (points[new] <= p).all(axis=1).any():
                front[i] = False
                continue
            new.append(i)
        if new:
            kept = np.concatenate([kept, points[new]])
    return front


# --- One estimate -----------------------------------------------------------------------------------------

def estimate_extras(table: pd.DataFrame, *, provider: str | None, region: str | None, grid_zone: str | None,
                    start: str | None = None, grid_basis: str = "trend", cooling: str = "unknown",
                    wue_l_per_kwh: float | None = None, own_grid: bool = False
                    ) -> tuple[pd.DataFrame, list[Assumption], list[str]]:
    """An estimate's one-row table with water (and, from ``start``, CO2e over its wall-clock).

    The place is the cloud region (provider + region), else the grid zone (an owned room: ``cooling`` or
    ``wue_l_per_kwh``; no provider); ``own_grid`` (a user's intensity) has no series: the start date only
    changes nothing and says so. Returns (table, assumptions to add, notes).
    """
    grid_time.check_basis(grid_basis)
    data = load()
    zone = grid_zone or str(defaults.DEFAULT_GRID_ZONE.value)
    cloud = bool(provider and region)
    if cloud:
        regions = data["cloud_regions"]
        hit = regions.loc[(regions["provider"] == provider) & (regions["region"] == region), "country_iso3"]
        country = hit.iloc[0] if len(hit) else None
        frame = pd.DataFrame({"option_kind": ["cloud"], "provider": [provider], "region": [region],
                              "country": [country], "server": [None]})
    else:
        frame = pd.DataFrame({"option_kind": ["owned"], "provider": ["owned"], "region": [zone],
                              "country": [zone_country(zone)], "server": [None]})
    if provider and not region:
        wue_factor = water.cloud_wue(data["wue_onsite"], data["wue_region"], provider, "")
        ewif_factor = water.grid_ewif(data["ewif_by_zone"], zone_country(zone))
        wue, ewif = [wue_factor], [ewif_factor]
    else:
        wue, ewif = row_water_factors(frame, cooling, wue_l_per_kwh)
    out = table.copy()
    energy = out["energy_kwh"].to_numpy(float)
    pue = out["pue"].to_numpy(float)
    columns = water.water_columns(energy, energy, energy, pue, (np.array([wue[0].low]), np.array([wue[0].central]),
                                                                np.array([wue[0].high])),
                                  (np.array([ewif[0].low]), np.array([ewif[0].central]), np.array([ewif[0].high])))
    for name, values in columns.items():
        out[name] = values
    out["water_basis"] = f"on-site {wue[0].name} ({wue[0].per} kWh) + off-site {ewif[0].name} (grid kWh)"
    assumptions = [wue[0].assumption(), ewif[0].assumption()]
    notes: list[str] = []
    if start is not None:
        month = parse_start(start)
        if own_grid:
            notes.append(f"start {start}: your own grid intensity has no yearly or monthly series: it is used as given")
            out["co2e_basis"] = "location-based, your grid intensity as given"
        else:
            frame["wall_hours"] = out["wall_hours"].to_numpy(float)
            base = _base_years(frame) if cloud else np.array(
                [data["grid_intensity"].drop_duplicates("zone").set_index("zone")["year"].get(zone.upper(), np.nan)],
                float)
            low, central, high, texts = grid_time.time_factors(frame, grid_series(), month, grid_basis, base)
            out["co2e_kg"] = out["co2e_kg"] * central
            if "co2e_lb" in out:
                out["co2e_lb"] = out["co2e_lb"] * central
            out["co2e_kg_low"] = out["co2e_kg"] / central * np.minimum(low, central)
            out["co2e_kg_high"] = out["co2e_kg"] / central * np.maximum(high, central)
            out["grid_factor"] = central
            out["co2e_basis"] = texts
            assumptions.extend(_time_assumptions(grid_series(), frame, grid_basis))
            if "no profile for this zone" in texts[0]:
                notes.append("no profile for this zone: annual average used")
    return out, assumptions, notes


# --- Multi-year plans -------------------------------------------------------------------------------------

def plan_places(cloud: pd.DataFrame, site_zone: str, owned_grid_gco2e_per_kwh: float, owned_pue: float,
                cooling: str = "unknown", wue_l_per_kwh: float | None = None) -> dict[str, plan_grid.Place]:
    """Each plan option's place: the owned site (its zone) and every cloud option (its region)."""
    data = load()
    series = grid_series()
    grid_year = data["grid_intensity"].drop_duplicates("zone").set_index("zone")["year"]
    regions = data["cloud_regions"].set_index(["provider", "region"])
    default_zone = str(defaults.DEFAULT_GRID_ZONE.value)
    zone = str(site_zone).upper()
    year = grid_year.get(zone, np.nan)
    places = {"owned": plan_grid.Place(
        owned_grid_gco2e_per_kwh, None if pd.isna(year) else int(year), series.trajectory_for(zone), owned_pue,
        water.owned_wue(data["wue_onsite"], cooling, wue_l_per_kwh),
        water.grid_ewif(data["ewif_by_zone"], zone_country(zone)), f"owned site {zone}")}
    for row in cloud.itertuples():
        pue = float(defaults.PUE[row.provider].value)
        if row.region and (row.provider, row.region) in regions.index:
            info = regions.loc[(row.provider, row.region)]
            country = info["country_iso3"] if isinstance(info["country_iso3"], str) else None
            year = info["year"]
            trajectory = series.trajectory_for(country, row.provider, row.region)
            wue = water.cloud_wue(data["wue_onsite"], data["wue_region"], row.provider, row.region)
            label = f"{row.provider} {row.region}"
        else:
            country, year = zone_country(default_zone), grid_year.get(default_zone, np.nan)
            trajectory = series.trajectory_for(default_zone)
            wue = water.cloud_wue(data["wue_onsite"], data["wue_region"], row.provider, "")
            label = f"{row.option} (no region: the {default_zone} series)"
        places[str(row.option)] = plan_grid.Place(
            float(row.grid_gco2e_per_kwh), None if pd.isna(year) else int(year), trajectory, pue, wue,
            water.grid_ewif(data["ewif_by_zone"], country), label)
    return places


def plan_over_time(plan: Plan, cloud: pd.DataFrame, site_zone: str, owned_grid_gco2e_per_kwh: float,
                   owned_pue: float, start_year: int | None = None, grid_basis: str = "trend",
                   cooling: str = "unknown", wue_l_per_kwh: float | None = None, seed: int = 0) -> Plan:
    """A procurement plan with each calendar year's grid on that year's energy, the flat grid beside it,
    water per year, and the grid trend's row in the tornado (``planner.plan_grid``)."""
    grid_time.check_basis(grid_basis)
    first, last = grid_series().years()
    start = int(defaults.PLAN_START_YEAR.value) if start_year is None else start_year
    start = plan_grid.check_start_year(start, len(plan.years), first, last)
    places = plan_places(cloud, site_zone, owned_grid_gco2e_per_kwh, owned_pue, cooling, wue_l_per_kwh)
    carbon = plan_grid.carbon_over_time(plan.carbon, places, start, grid_basis)
    summary = plan_grid.summary_with_time(plan.summary, carbon)
    trend = plan_grid.trend_sensitivity(carbon)
    owned_trajectory = places["owned"].trajectory
    sensitivity = plan.sensitivity.copy()
    if owned_trajectory is not None and grid_basis != "flat":
        row = {"input": "grid_trend", "unit": "fraction per year", "low": owned_trajectory.rate_low,
               "central": owned_trajectory.rate, "high": owned_trajectory.rate_high,
               "tco_usd_low": sensitivity["tco_usd_central"].iloc[0] if len(sensitivity) else np.nan,
               "tco_usd_central": sensitivity["tco_usd_central"].iloc[0] if len(sensitivity) else np.nan,
               "tco_usd_high": sensitivity["tco_usd_central"].iloc[0] if len(sensitivity) else np.nan,
               "swing_usd": 0.0, "source": owned_trajectory.describe(grid_basis), **trend}
        sensitivity = pd.concat([sensitivity, pd.DataFrame([row])], ignore_index=True)
    extra = [places["owned"].wue.assumption(), places["owned"].ewif.assumption(),
             Assumption("plan_start_year", start, "calendar year", "user input" if start_year is not None
                        else defaults.PLAN_START_YEAR.source, "" if start_year is not None
                        else defaults.PLAN_START_YEAR.as_of),
             Assumption("grid_basis", grid_basis, "", "user input", "", "flat, trend or projection")]
    for place in places.values():
        if place.trajectory is not None:
            extra.append(Assumption(f"grid_trend_{place.trajectory.zone}", place.trajectory.rate, "fraction per year",
                                    place.trajectory.source,
                                    f"{place.trajectory.fit_years[0]}-{place.trajectory.fit_years[1]}",
                                    place.trajectory.describe(grid_basis)))
        extra.extend([place.wue.assumption(), place.ewif.assumption()])
    owned_totals = summary.iloc[0]
    note = (f"carbon by calendar year {start}-{start + len(plan.years) - 1}, grid basis '{grid_basis}' "
            f"(location-based): owned {owned_totals['co2e_kg'] / 1000:,.1f} t CO2e against "
            f"{owned_totals['co2e_flat_kg'] / 1000:,.1f} t on a flat grid; water {owned_totals['water_l'] / 1e6:,.2f} "
            f"million L (carbon.csv: per year and option)")
    unique = tuple({a.name: a for a in (*plan.assumptions, *extra)}.values())
    monte_carlo = plan.monte_carlo
    notes = [note]
    if len(monte_carlo):
        drawn = plan_grid.co2e_draws(carbon, places, start, grid_basis, len(monte_carlo), seed)
        monte_carlo = pd.concat([monte_carlo.reset_index(drop=True), drawn.drop(columns=["draw"])], axis=1)
        for q in (5, 50, 95):
            summary[f"co2e_kg_p{q}"] = [float(np.percentile(drawn[f"co2e_kg_{o}"], q))
                                        if f"co2e_kg_{o}" in drawn else np.nan for o in summary["option"]]
        notes.append(f"CO2e percentiles (co2e_kg_p5/p50/p95): {len(drawn)} draws of each zone's grid trend "
                     "(triangular on its 90 % interval, own random stream)")
    return replace(plan, carbon=carbon, summary=summary, sensitivity=sensitivity, assumptions=unique,
                   notes=(*plan.notes, *notes), monte_carlo=monte_carlo)


# --- Catalog listings -------------------------------------------------------------------------------------

def grid_trend_table() -> pd.DataFrame:
    """Every zone's yearly series: last year and value, the trend over the last years, projection, profile."""
    series = grid_series()
    rows = []
    for key, t in sorted(series.trajectories.items()):
        profile = series.profiles.get(key)
        rows.append({
            "zone": key, "first_year": t.first_year, "last_year": t.last_year,
            "last_gco2e_per_kwh": t.history[t.last_year],
            "trend_pct_per_year": 100 * t.rate, "trend_low_pct": 100 * t.rate_low, "trend_high_pct": 100 * t.rate_high,
            "fit_years": "" if np.isnan(t.rate) else f"{t.fit_years[0]}-{t.fit_years[1]}",
            "projection": t.describe("projection").split("; ", 1)[1] if t.projection else "",
            "monthly_profile": f"{profile.years[0]}-{profile.years[-1]}" if profile else "none: annual average used",
            "source": t.source})
    return pd.DataFrame(rows)


def water_table() -> pd.DataFrame:
    """Every on-site WUE row (providers, regions, owned rooms) and grid water factor, with sources."""
    data = load()
    onsite = data["wue_onsite"].assign(kind="on-site WUE (L/kWh IT)")[
        ["kind", "provider", "scope_region_or_site", "year", "wue_l_per_kwh", "metric", "source"]].rename(
        columns={"scope_region_or_site": "scope", "wue_l_per_kwh": "l_per_kwh"})
    grid = data["ewif_by_zone"].assign(kind="off-site EWIF (L/kWh grid)", provider="grid")[
        ["kind", "provider", "zone", "year", "l_per_kwh", "metric", "source"]].rename(columns={"zone": "scope"})
    return pd.concat([onsite, grid], ignore_index=True)


def chosen_start_months(rows: pd.DataFrame, start: str, grid_basis: str = "trend", months: int = 12) -> pd.DataFrame:
    """The long month-by-month table of comparison rows started in each of ``months`` months from ``start``."""
    year, month = parse_start(start)
    last = min((year + (month - 1 + months - 1) // 12, (month - 1 + months - 1) % 12 + 1),
               (grid_series().years()[1] + grid_time.MAX_PROJECTION_YEARS, 12))
    _, long = best_start_months(rows, start, f"{last[0]}-{last[1]:02d}", grid_basis, top=None)
    return long
