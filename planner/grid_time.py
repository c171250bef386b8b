"""Grid carbon intensity over time: yearly trends and projections, monthly profiles, and a job's wall-clock.

Every intensity here is a *factor* on a place's own figure (the cloud region's or owned site's
``gCO2e/kWh`` of its base year), so the location-based level stays the one the rest of trainplan uses
and only its change over time comes from these series:

``I(t) = I_base · Y(year(t)) · S(month(t))``

- ``Y(y) = T(y) / T(base year)`` with ``T`` the zone's yearly series (Ember; Google's per-region files for
  GCP regions): observed where the series has the year, else projected from its last year by the trend
  ``T(y) = T(y_last) · (1 + r)^(y − y_last)``. ``r`` is the least-squares slope of ``ln T`` over the last
  ``TREND_YEARS`` years (``r = e^b − 1``), with a 90 % interval from the slope's standard error
  (Student t, n − 2 degrees of freedom). Basis ``projection`` uses the IEA's published forecast rate to its
  last year, then the trend; ``flat`` holds ``Y = 1``.
- ``S(m)`` is the seasonal shape of Ember's monthly series: per year, each month over that year's mean of
  months, averaged over the last ``PROFILE_YEARS`` complete years (mean 1, so a year's level is kept).
  Zones without a monthly series use ``S = 1`` and say so.
- A job of ``t`` wall-clock hours from the first hour of its start month spreads its energy evenly: the
  factor is the hour-weighted mean of ``Y · S`` over the months it touches.

Location-based intensity is what changes; market-based CO2e applies Google's annual CFE share to it (there
is no monthly CFE series), and the outputs say which is which.
Pure functions over scalars and arrays; the shipped tables come in as DataFrames.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import PlanError, unknown

#: How a multi-year or future intensity is made (validated once, allowed values in the error).
GRID_BASES = ("flat", "trend", "projection")
#: Years of the yearly series the trend is fitted over (the last N with data).
TREND_YEARS = 5
#: Complete years of the monthly series that make the seasonal shape (the last N).
PROFILE_YEARS = 3
#: How far past a series' last year a trend is carried (a start date later than that is refused).
MAX_PROJECTION_YEARS = 10
#: Two-sided 90 % Student-t quantiles t(0.95, df) (NIST/SEMATECH e-Handbook of Statistical Methods,
#: section 1.4.2.7.7.2, table of the t distribution; retrieved 2026-12-01).
_T95 = {1: 6.314, 2: 2.920, 3: 2.353, 4: 2.132, 5: 2.015, 6: 1.943, 7: 1.895, 8: 1.860, 9: 1.833, 10: 1.812}
_PREFIXES = {"US-": "USA", "CN-": "CHN", "CA-": "CAN", "SE": "SWE", "NO": "NOR", "FI": "FIN"}


def series_zone(zone: str | None) -> str | None:
    """The yearly/monthly series a grid zone follows: ISO-3 itself; ``US-CA`` -> USA, ``SE3`` -> SWE, …."""
    if zone is None or (isinstance(zone, float) and math.isnan(zone)):
        return None
    zone = str(zone).strip().upper()
    if (len(zone) == 3 and zone.isalpha()) or zone in ("WORLD", "EU"):
        return zone
    for prefix, country in _PREFIXES.items():
        if zone.startswith(prefix):
            return country
    return None


# --- Trend --------------------------------------------------------------------------------------------

def fit_trend(years: Sequence[float], values: Sequence[float], last_n: int = TREND_YEARS
              ) -> tuple[float, float, float, int, int]:
    """Log-linear least squares over the last ``last_n`` years: ``ln T = a + b·year``.

    Returns (rate, rate_low, rate_high, first_year, last_year): the annual change ``e^b − 1`` and its 90 %
    interval ``e^(b ± t·se) − 1`` [fraction per year]. Needs at least 3 positive values.
    """
    frame = pd.DataFrame({"y": np.asarray(years, float), "v": np.asarray(values, float)})
    frame = frame[frame["v"] > 0].sort_values("y").tail(int(last_n))
    n = len(frame)
    if n < 3:
        raise PlanError(f"trend: {n} year(s) of data; at least 3 are needed")
    x, z = frame["y"].to_numpy(), np.log(frame["v"].to_numpy())
    xm = x - x.mean()
    b = float((xm * (z - z.mean())).sum() / (xm ** 2).sum())
    resid = z - (z.mean() + b * xm)
    se = math.sqrt(float((resid ** 2).sum()) / (n - 2) / float((xm ** 2).sum()))
    t = _T95.get(n - 2, 1.645)
    return (math.expm1(b), math.expm1(b - t * se), math.expm1(b + t * se), int(x[0]), int(x[-1]))


@dataclass(frozen=True)
class Trajectory:
    """A zone's yearly intensity: history, fitted trend and, where published, a projection.

    history : {year: gCO2e/kWh} observed; rate/rate_low/rate_high : trend [fraction/year] and its 90 %
    interval (NaN where the series is too short: then the last value is held); fit_years : (first, last)
    projection : {year: published forecast value} (any unit: only its ratios are used)
    """

    zone: str
    history: Mapping[int, float]
    rate: float
    rate_low: float
    rate_high: float
    fit_years: tuple[int, int]
    source: str
    projection: Mapping[int, float] = field(default_factory=dict)
    projection_source: str = ""

    @property
    def last_year(self) -> int:
        return max(self.history)

    @property
    def first_year(self) -> int:
        return min(self.history)

    def level(self, years: Iterable[int] | int, basis: str = "trend", bound: str = "central") -> np.ndarray:
        """Intensity in each year [the series' unit]: observed, else projected (``bound``: low/central/high)."""
        check_basis(basis)
        years, inverse = np.unique(np.atleast_1d(np.asarray(years, dtype=int)), return_inverse=True)
        last, last_value = self.last_year, self.history[self.last_year]
        rate = {"low": self.rate_low, "central": self.rate, "high": self.rate_high}[bound]
        rate = 0.0 if math.isnan(rate) else rate
        out = np.empty(len(years), float)
        for i, year in enumerate(years.tolist()):
            if year in self.history and basis != "flat":
                out[i] = self.history[year]
            elif basis == "flat":
                out[i] = last_value
            elif year < self.first_year:
                out[i] = self.history[self.first_year]
            elif year not in self.history and year < last:
                below = max(y for y in self.history if y < year)
                out[i] = self.history[below]
            elif basis == "projection" and self.projection and last in self.projection:
                end = max(self.projection)
                if year <= end:
                    out[i] = last_value * self.projection[year] / self.projection[last]
                else:
                    out[i] = last_value * self.projection[end] / self.projection[last] * (1 + rate) ** (year - end)
            else:
                out[i] = last_value * (1 + rate) ** (year - last)
        return out[inverse]

    def factor(self, years: Iterable[int] | int, base_year: int | None, basis: str = "trend",
               bound: str = "central") -> np.ndarray:
        """``Y(y) = T(y) / T(base year)``; ``flat`` -> 1. A base year outside the series is its nearest year."""
        years = np.atleast_1d(np.asarray(years, dtype=int))
        if basis == "flat":
            check_basis(basis)
            return np.ones(len(years))
        base = self.last_year if base_year is None else int(np.clip(base_year, self.first_year, self.last_year))
        return self.level(years, basis, bound) / self.level([base], basis, "central")[0]

    def describe(self, basis: str) -> str:
        """One line: what makes this zone's intensity over time under ``basis``."""
        if basis == "flat":
            return f"{self.zone}: flat (the base year's intensity held)"
        if math.isnan(self.rate):
            return f"{self.zone}: {len(self.history)} year(s) of data, no trend: the last value ({self.last_year}) held"
        text = (f"{self.zone}: trend {self.rate * 100:+.1f} %/year (90 % interval {self.rate_low * 100:+.1f} to "
                f"{self.rate_high * 100:+.1f}), log-linear fit over {self.fit_years[0]}-{self.fit_years[1]} "
                f"({self.source})")
        if basis == "projection":
            if self.projection and self.last_year in self.projection:
                end = max(self.projection)
                rate = (self.projection[end] / self.projection[self.last_year]) ** (1 / max(end - self.last_year, 1)) - 1
                text += (f"; {self.last_year}-{end}: published projection {rate * 100:+.1f} %/year "
                         f"({self.projection_source}), trend after")
            else:
                text += "; no published projection for this zone: trend used"
        return text


def check_basis(basis: str) -> str:
    if basis not in GRID_BASES:
        raise unknown("grid_basis", basis, GRID_BASES)
    return basis


def trajectories(yearly: pd.DataFrame, sources: pd.DataFrame | None = None, projection: pd.DataFrame | None = None,
                 last_n: int = TREND_YEARS) -> dict[str, Trajectory]:
    """Every zone of a yearly table (columns zone, year, gco2e_per_kwh[, source_key]) as a Trajectory."""
    source_of = {} if sources is None else dict(zip(sources["source_key"], sources["source"], strict=False))
    projected: dict[str, dict[int, float]] = {}
    projection_source: dict[str, str] = {}
    if projection is not None:
        for zone, rows in projection.groupby("zone"):
            projected[str(zone)] = {int(y): float(v) for y, v in zip(rows["year"], rows["gco2_per_kwh"], strict=True)}
            projection_source[str(zone)] = str(rows["source"].iloc[0]).split(";")[0]
    out = {}
    for zone, rows in yearly.groupby("zone", sort=True):
        rows = rows.dropna(subset=["gco2e_per_kwh"])
        history = {int(y): float(v) for y, v in zip(rows["year"], rows["gco2e_per_kwh"], strict=True)}
        if not history:
            continue
        key = rows["source_key"].iloc[-1] if "source_key" in rows else ""
        source = str(source_of.get(key, key))
        try:
            rate, low, high, first, last = fit_trend(list(history), list(history.values()), last_n)
        except PlanError:
            rate = low = high = math.nan
            first = last = max(history)
        out[str(zone)] = Trajectory(str(zone), history, rate, low, high, (first, last), source,
                                    projected.get(str(zone), {}), projection_source.get(str(zone), ""))
    return out


def gcp_trajectories(gcp_yearly: pd.DataFrame, last_n: int = TREND_YEARS) -> dict[str, Trajectory]:
    """Google's per-region yearly files as Trajectories keyed ``gcp:<region>``.

    Only 2021 and later are fitted: Google's 2019-2020 files label the column 'Lifecycle grid carbon
    intensity', 2021 on 'Grid carbon intensity' (operational), so the basis may change in 2021.
    """
    rows = gcp_yearly[gcp_yearly["year"] >= 2021].rename(columns={"region": "zone", "grid_gco2e_per_kwh":
                                                                  "gco2e_per_kwh"})
    rows = rows.assign(zone="gcp:" + rows["zone"], source_key="Google region-carbon-info yearly files (2021-)")
    return trajectories(rows[["zone", "year", "gco2e_per_kwh", "source_key"]], last_n=last_n)


# --- Monthly profile ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthlyProfile:
    """A zone's seasonal shape: ``shape[m-1]`` is month m's intensity over its year's mean (mean 1)."""

    zone: str
    shape: tuple[float, ...]
    years: tuple[int, ...]
    source: str

    def describe(self) -> str:
        lo, hi = int(np.argmin(self.shape)) + 1, int(np.argmax(self.shape)) + 1
        return (f"{self.zone}: monthly profile from {self.years[0]}-{self.years[-1]} ({self.source}), each year "
                f"rescaled to its yearly level; lowest {calendar.month_abbr[lo]} x{min(self.shape):.2f}, highest "
                f"{calendar.month_abbr[hi]} x{max(self.shape):.2f}")


def monthly_profiles(monthly: pd.DataFrame, source: str = "", last_n: int = PROFILE_YEARS) -> dict[str, MonthlyProfile]:
    """Seasonal shapes from a monthly table (zone, year, month, gco2e_per_kwh), complete years only."""
    out = {}
    for zone, rows in monthly.groupby("zone", sort=True):
        counts = rows.groupby("year")["month"].nunique()
        full = sorted(int(y) for y in counts[counts == 12].index)[-int(last_n):]
        if not full:
            continue
        used = rows[rows["year"].isin(full)]
        table = used.pivot_table(index="year", columns="month", values="gco2e_per_kwh", aggfunc="mean")
        if (table.to_numpy() <= 0).any():
            continue
        ratios = table.div(table.mean(axis=1), axis=0)
        out[str(zone)] = MonthlyProfile(str(zone), tuple(float(v) for v in ratios.mean(axis=0)), tuple(full), source)
    return out


# --- A job's wall-clock -------------------------------------------------------------------------------

def parse_month(text: str, field_name: str = "start") -> tuple[int, int]:
    """``'2027-03'`` -> (2027, 3); anything else raises PlanError naming the field and the format."""
    try:
        year_text, month_text = str(text).strip().split("-")[:2]
        year, month = int(year_text), int(month_text)
        if len(str(text).strip().split("-")) != 2 or not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise PlanError(f"{field_name} '{text}': not a month; allowed: YYYY-MM, e.g. 2027-03") from None
    return year, month


def check_start(start: tuple[int, int], first_year: int, last_year: int, field_name: str = "start") -> None:
    """A start month must lie in the series' years or its projection (``MAX_PROJECTION_YEARS``)."""
    latest = last_year + MAX_PROJECTION_YEARS
    if not first_year <= start[0] <= latest:
        raise PlanError(f"{field_name} {start[0]}-{start[1]:02d}: outside the grid series and its projection; "
                        f"allowed: {first_year}-01 to {latest}-12")


def month_hours(start: tuple[int, int], wall_hours: np.ndarray | float) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Hours of each job spent in each calendar month from the first hour of ``start``.

    Returns the months [(year, month), …] and an array (jobs × months) of hours; rows sum to ``wall_hours``
    (a zero-hour job counts one hour in its start month, so its factor is that month's).
    """
    wall = np.atleast_1d(np.asarray(wall_hours, float))
    wall = np.where(wall > 0, wall, 1.0)
    longest = float(np.nanmax(wall)) if len(wall) else 1.0
    months, edges = [], [0.0]
    year, month = start
    while edges[-1] < longest:
        months.append((year, month))
        edges.append(edges[-1] + 24.0 * calendar.monthrange(year, month)[1])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    edges_arr = np.asarray(edges)
    hours = np.clip(wall[:, None], edges_arr[None, :-1], edges_arr[None, 1:]) - edges_arr[None, :-1]
    return months, hours


def job_factor(wall_hours: np.ndarray | float, start: tuple[int, int], profile: MonthlyProfile | None,
               trajectory: Trajectory | None, base_year: int | None, basis: str = "trend",
               bound: str = "central") -> np.ndarray:
    """Hour-weighted mean of ``Y(year) · S(month)`` over each job's months (see the module docstring)."""
    months, hours = month_hours(start, wall_hours)
    shape = np.array([profile.shape[m - 1] if profile is not None else 1.0 for _, m in months])
    if trajectory is not None:
        yearly = trajectory.factor([y for y, _ in months], base_year, basis, bound)
    else:
        yearly = np.ones(len(months))
    return (hours * (shape * yearly)[None, :]).sum(axis=1) / hours.sum(axis=1)


# --- Multi-year plans ---------------------------------------------------------------------------------

def intensity_by_year(base_gco2e_per_kwh: float, base_year: int | None, years: Sequence[int],
                      trajectory: Trajectory | None, basis: str = "trend", bound: str = "central") -> np.ndarray:
    """A place's intensity in each calendar year of a plan [gCO2e/kWh]: ``I_base · Y(y)``; flat: ``I_base``."""
    check_basis(basis)
    if trajectory is None or basis == "flat":
        return np.full(len(years), float(base_gco2e_per_kwh))
    return float(base_gco2e_per_kwh) * trajectory.factor(years, base_year, basis, bound)


@dataclass(frozen=True)
class GridSeries:
    """Every trajectory and monthly profile, and the lookups a place needs."""

    trajectories: Mapping[str, Trajectory]
    profiles: Mapping[str, MonthlyProfile]

    def trajectory_for(self, zone: str | None, provider: str | None = None,
                       region: str | None = None) -> Trajectory | None:
        """Google's own region series for a GCP region whose fit spans ``TREND_YEARS`` years; else the country's.

        Google's files from 2021 on (one basis) give at most 4 years up to 2024, so today every GCP region
        follows its country's Ember trend; the region's own trend is kept in ``trajectories`` (``gcp:<id>``).
        """
        if provider == "gcp" and region:
            own = self.trajectories.get(f"gcp:{region}")
            if own is not None and not math.isnan(own.rate) and own.fit_years[1] - own.fit_years[0] + 1 >= TREND_YEARS:
                return own
        key = series_zone(zone)
        return self.trajectories.get(key) if key else None

    def profile_for(self, zone: str | None) -> MonthlyProfile | None:
        key = series_zone(zone)
        return self.profiles.get(key) if key else None

    def years(self) -> tuple[int, int]:
        """(first, last) year over every country series (the allowed start dates' base)."""
        countries = [t for k, t in self.trajectories.items() if not k.startswith("gcp:")]
        return min(t.first_year for t in countries), max(t.last_year for t in countries)


def grid_series(yearly: pd.DataFrame, monthly: pd.DataFrame, gcp_yearly: pd.DataFrame, sources: pd.DataFrame,
                projection: pd.DataFrame | None = None) -> GridSeries:
    """The shipped series as one ``GridSeries`` (pure: the tables come in)."""
    found = trajectories(yearly, sources, projection)
    found.update(gcp_trajectories(gcp_yearly))
    month_source = sources.loc[sources["source_key"] == "ember_monthly", "source"]
    return GridSeries(found, monthly_profiles(monthly, str(month_source.iloc[0]) if len(month_source) else ""))


# --- A comparison table at a start date ---------------------------------------------------------------

def option_label(row: Mapping[str, object]) -> str:
    """A short name of a comparison row: ``aws us-east-1 p5.48xlarge spot`` or ``owned dgx-h100 shared (US-CA)``."""
    if row.get("option_kind") == "owned":
        return f"owned {row.get('server')} {row.get('accounting_mode')} ({row.get('region')})"
    return f"{row.get('provider')} {row.get('region')} {row.get('instance_type')} {row.get('pricing')}"


def _row_keys(table: pd.DataFrame, series: GridSeries) -> list[tuple[Trajectory | None, MonthlyProfile | None]]:
    """Each row's yearly series and monthly profile: a cloud row's region (then country), an owned row's site."""
    out = []
    columns = [table[c].to_numpy(dtype=object) for c in ("option_kind", "provider", "region", "country")]
    for kind, provider, region, country in zip(*columns, strict=True):
        if kind == "owned":
            out.append((series.trajectory_for(region), series.profile_for(region)))
        else:
            out.append((series.trajectory_for(country, provider, region), series.profile_for(country)))
    return out


def time_factors(table: pd.DataFrame, series: GridSeries, start: tuple[int, int], basis: str,
                 base_years: np.ndarray, wall_hours: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per row of a comparison table: the factor on its intensity (low, central, high) and its basis text.

    table : option_kind, provider, region, country, wall_hours; base_years : the year of each row's own
    intensity (NaN: its series' last year); wall_hours : override of the table's (e.g. for a window scan).
    """
    check_basis(basis)
    wall = table["wall_hours"].to_numpy(float) if wall_hours is None else np.asarray(wall_hours, float)
    keys = _row_keys(table, series)
    low, central, high = (np.ones(len(table)) for _ in range(3))
    texts = [""] * len(table)
    groups: dict[tuple[str | None, str | None, float], list[int]] = {}
    found: dict[tuple[str | None, str | None, float], tuple[Trajectory | None, MonthlyProfile | None]] = {}
    for i, (trajectory, profile) in enumerate(keys):
        base = float(base_years[i]) if not pd.isna(base_years[i]) else math.nan
        key = (trajectory.zone if trajectory else None, profile.zone if profile else None, base)
        groups.setdefault(key, []).append(i)
        found[key] = (trajectory, profile)
    for key, index in groups.items():
        trajectory, profile = found[key]
        base = key[2]
        rows = np.asarray(index)
        base_year = None if math.isnan(base) else int(base)
        for bound, out in (("low", low), ("central", central), ("high", high)):
            out[rows] = job_factor(wall[rows], start, profile, trajectory, base_year, basis, bound)
        parts = [f"location-based from {start[0]}-{start[1]:02d} over the job's wall-clock"]
        parts.append(trajectory.describe(basis) + (f"; relative to {base_year}" if base_year else "")
                     if trajectory is not None else "no yearly series for this zone: the base intensity held")
        parts.append(profile.describe() if profile is not None else
                     "no profile for this zone: annual average used")
        text = "; ".join(parts)
        for i in index:
            texts[i] = text
    return low, central, high, texts


def apply_time(table: pd.DataFrame, factors: tuple[np.ndarray, np.ndarray, np.ndarray],
               texts: Sequence[str]) -> pd.DataFrame:
    """The table with its location-based CO2e scaled by the per-row factors (ranges by their own ends).

    Adds ``grid_factor`` and ``co2e_basis``; ``co2e_total_kg``, market-based CO2e (Google's annual CFE share
    of it) and ``pareto`` follow. Monte Carlo percentiles of ``co2e_kg`` are scaled by the central factor
    here; the engine's own pass (``compare.Settings.grid_factor``) draws the trend's spread instead.
    """
    from planner.compare import pareto_front

    low, central, high = factors
    out = table.copy()
    out["co2e_kg"] = out["co2e_kg"] * central
    out["co2e_kg_low"] = out["co2e_kg_low"] * np.minimum(low, central)
    out["co2e_kg_high"] = out["co2e_kg_high"] * np.maximum(high, central)
    for column in [c for c in out.columns if c.startswith("co2e_kg_p")]:
        out[column] = out[column] * central
    out["co2e_total_kg"] = out["co2e_kg"] + out["co2e_embodied_kg"]
    if "co2e_market_kg" in out:
        out["co2e_market_kg"] = out["co2e_market_kg"] * central
    out["grid_factor"] = central
    out["co2e_basis"] = list(texts)
    out["pareto"] = pareto_front(out["cost_usd"].to_numpy(), out["co2e_total_kg"].to_numpy())
    return out


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every month from ``first`` to ``last`` inclusive (PlanError if the window is empty or over 10 years)."""
    count = (last[0] - first[0]) * 12 + last[1] - first[1] + 1
    if count < 1:
        raise PlanError(f"window {first[0]}-{first[1]:02d}:{last[0]}-{last[1]:02d}: its end is before its start")
    if count > 120:
        raise PlanError(f"window: {count} months; allowed: at most 120")
    return [(first[0] + (first[1] - 1 + k) // 12, (first[1] - 1 + k) % 12 + 1) for k in range(count)]


def start_month_table(table: pd.DataFrame, series: GridSeries, window: Sequence[tuple[int, int]], basis: str,
                      base_years: np.ndarray) -> pd.DataFrame:
    """Location-based CO2e of each row for each start month of ``window`` (long form).

    Columns: option, row (the table's index), start (YYYY-MM), grid_factor, co2e_kg, co2e_kg_low,
    co2e_kg_high, rank (1 = the lowest-carbon start of that option), profile (True where a monthly profile
    exists; otherwise every month is the same and the text says 'annual average used').
    """
    labels = [option_label(r) for r in table.to_dict("records")]
    keys = _row_keys(table, series)
    frames = []
    for start in window:
        low, central, high, _ = time_factors(table, series, start, basis, base_years)
        frames.append(pd.DataFrame({
            "option": labels, "row": table.index, "start": f"{start[0]}-{start[1]:02d}", "grid_factor": central,
            "co2e_kg": table["co2e_kg"].to_numpy(float) * central,
            "co2e_kg_low": table["co2e_kg_low"].to_numpy(float) * np.minimum(low, central),
            "co2e_kg_high": table["co2e_kg_high"].to_numpy(float) * np.maximum(high, central),
            "profile": [p is not None for _, p in keys]}))
    long = pd.concat(frames, ignore_index=True)
    long["rank"] = long.groupby("row")["co2e_kg"].rank(method="first").astype(int)
    return long


def best_start_summary(long: pd.DataFrame) -> pd.DataFrame:
    """Per option: best and worst start month in the window and the saving of the best against the worst."""
    rows = []
    for (row, option), group in long.groupby(["row", "option"], sort=False):
        best = group.loc[group["co2e_kg"].idxmin()]
        worst = group.loc[group["co2e_kg"].idxmax()]
        saving = 0.0 if worst["co2e_kg"] <= 0 else 1 - best["co2e_kg"] / worst["co2e_kg"]
        rows.append({"option": option, "row": row, "best_start": best["start"], "best_co2e_kg": best["co2e_kg"],
                     "worst_start": worst["start"], "worst_co2e_kg": worst["co2e_kg"],
                     "saving_pct": 100 * saving,
                     "note": "" if bool(group["profile"].iloc[0]) else
                     "no profile for this zone: annual average used"})
    return pd.DataFrame(rows)
