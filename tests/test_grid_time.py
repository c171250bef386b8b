"""Grid intensity over time: trends, projections, monthly profiles and a job's wall-clock (planner.grid_time)."""

from __future__ import annotations

import numpy as np
import pytest

from planner import grid_time
from planner.api import grid_water
from planner.errors import PlanError


def _falling(rate: float = -0.10) -> grid_time.Trajectory:
    # 500 g/kWh in 2020 falling 10 % a year: 500, 450, 405, 364.5, 328.05 (2020..2024)
    history = {2020 + k: 500 * 0.9 ** k for k in range(5)}
    r, lo, hi, first, last = grid_time.fit_trend(list(history), list(history.values()))
    return grid_time.Trajectory("TST", history, r, lo, hi, (first, last), "test series")


def test_fit_trend_of_an_exact_geometric_series_is_its_rate_with_no_spread():
    t = _falling()
    assert t.rate == pytest.approx(-0.10)
    assert t.rate_low == pytest.approx(-0.10) and t.rate_high == pytest.approx(-0.10)
    assert t.fit_years == (2020, 2024)


def test_fit_trend_uses_only_the_last_n_years_and_gives_an_interval():
    # 2000-2019 flat at 900 would pull the slope to ~0 if used; the last 5 years fall 5, 10, 5, 10 %.
    years = list(range(2000, 2025))
    values = [900.0] * 20 + [400.0, 380.0, 342.0, 324.9, 292.41]
    rate, low, high, first, last = grid_time.fit_trend(years, values, last_n=5)
    assert (first, last) == (2020, 2024)
    assert -0.10 < rate < -0.05 and low < rate < high


def test_fit_trend_needs_three_years():
    with pytest.raises(PlanError, match="at least 3"):
        grid_time.fit_trend([2023, 2024], [100.0, 90.0])


def test_two_year_plan_with_intensity_falling_ten_percent_a_year():
    # A 2-year plan (2025, 2026), 1,000 kWh each year, at a site whose base intensity is 450 g/kWh in 2021.
    # Trend: Y(y) = T(y) / T(2021) with T(2025) = 328.05 * 0.9 = 295.245 and T(2021) = 450, so
    # I(2025) = 450 * 295.245 / 450 = 295.245, I(2026) = 265.7205. CO2e = 1000 * (295.245 + 265.7205) / 1000
    # = 560.9655 kg; flat: 1000 * 2 * 450 / 1000 = 900 kg.
    t = _falling()
    energy = np.array([1000.0, 1000.0])
    trend = grid_time.intensity_by_year(450.0, 2021, [2025, 2026], t, "trend")
    flat = grid_time.intensity_by_year(450.0, 2021, [2025, 2026], t, "flat")
    assert trend == pytest.approx([295.245, 265.7205])
    assert (energy * trend / 1000).sum() == pytest.approx(560.9655)
    assert (energy * flat / 1000).sum() == pytest.approx(900.0)


def test_observed_years_are_used_as_published_and_later_years_follow_the_trend():
    t = _falling()
    assert t.level([2022], "trend") == pytest.approx([405.0])
    assert t.level([2026], "trend") == pytest.approx([328.05 * 0.81])
    assert t.level([2026], "flat") == pytest.approx([328.05])


def test_projection_uses_the_published_forecast_ratio_then_the_trend():
    # Forecast 2024: 100, 2025: 95, 2026: 90 -> level 2025 = 328.05 * 0.95, 2026 = 328.05 * 0.90,
    # 2027 = 328.05 * 0.90 * (1 - 0.10).
    base = _falling()
    t = grid_time.Trajectory("TST", base.history, base.rate, base.rate_low, base.rate_high, base.fit_years,
                             "test", {2024: 100.0, 2025: 95.0, 2026: 90.0}, "test forecast")
    assert t.level([2025, 2026, 2027], "projection") == pytest.approx([328.05 * 0.95, 328.05 * 0.9,
                                                                        328.05 * 0.9 * 0.9])
    assert "published projection" in t.describe("projection")


def test_sixty_day_job_spanning_two_months_with_different_intensities():
    # 2024-04 has 30 days, 2024-05 has 30: a 60-day (1,440 h) job from 2024-04 spends 720 h in each.
    # Profile April x0.9, May x1.3, flat year: factor = (720 * 0.9 + 720 * 1.3) / 1440 = 1.1.
    shape = [1.0] * 12
    shape[3], shape[4] = 0.9, 1.3
    profile = grid_time.MonthlyProfile("TST", tuple(shape), (2022, 2023, 2024), "test")
    months, hours = grid_time.month_hours((2024, 4), 1440.0)
    assert months == [(2024, 4), (2024, 5)] and hours.tolist() == [[720.0, 720.0]]
    factor = grid_time.job_factor(1440.0, (2024, 4), profile, None, None, "flat")
    assert factor == pytest.approx([1.1])
    # The same job at 400 g/kWh: 10,000 kWh * 400 * 1.1 / 1000 = 4,400 kg (4,000 kg on the annual average).
    assert 10_000 * 400 * factor[0] / 1000 == pytest.approx(4400.0)


def test_a_job_crossing_a_year_takes_each_year_from_the_trend():
    # Dec 2025 (744 h) + Jan 2026 (744 h) with no profile, base year 2024, rate -10 %:
    # factor = (744 * 0.9 + 744 * 0.81) / 1488 = 0.855.
    t = _falling()
    factor = grid_time.job_factor(1488.0, (2025, 12), None, t, 2024, "trend")
    assert factor == pytest.approx([0.855])


def test_monthly_profile_is_the_mean_of_each_years_shape():
    import pandas as pd
    rows = [("TST", 2023, m, 100.0 if m <= 6 else 300.0) for m in range(1, 13)]
    rows += [("TST", 2024, m, 200.0) for m in range(1, 13)]
    rows += [("TST", 2025, 1, 999.0)]  # an incomplete year: not used
    profile = grid_time.monthly_profiles(pd.DataFrame(rows, columns=["zone", "year", "month", "gco2e_per_kwh"]))
    # 2023: 100/200 = 0.5 and 300/200 = 1.5; 2024: 1.0 -> mean 0.75 (Jan-Jun), 1.25 (Jul-Dec)
    assert profile["TST"].shape == pytest.approx([0.75] * 6 + [1.25] * 6)
    assert profile["TST"].years == (2023, 2024)


@pytest.mark.parametrize("text", ["2027", "2027-13", "March 2027", "2027-03-01", ""])
def test_bad_start_is_one_line_naming_the_format(text):
    with pytest.raises(PlanError, match="allowed: YYYY-MM"):
        grid_time.parse_month(text)


def test_start_outside_the_series_and_its_projection_is_refused():
    with pytest.raises(PlanError, match=r"start 2050-01: outside .* allowed: 2000-01 to 2034-12"):
        grid_water.parse_start("2050-01")
    with pytest.raises(PlanError, match="outside"):
        grid_water.parse_start("1999-12")


def test_unknown_grid_basis_names_the_allowed_values():
    with pytest.raises(PlanError, match="grid_basis .linear.: unknown; allowed: flat, projection, trend"):
        grid_time.check_basis("linear")


def test_shipped_series_usa_trend_and_profile(data):
    series = grid_water.grid_series()
    usa = series.trajectories["USA"]
    # Ember USA 2020-2024: 411.7, 423.74, 410.37, 392.85, 383.55 -> falling about 2 %/year.
    assert usa.fit_years == (2020, 2024) and usa.history[2024] == pytest.approx(383.55)
    assert -0.03 < usa.rate < -0.01 and usa.rate_low < usa.rate < usa.rate_high
    profile = series.profiles["USA"]
    assert np.mean(profile.shape) == pytest.approx(1.0) and profile.years == (2022, 2023, 2024)
    assert series.profile_for("US-CA") is profile
    # IEA forecast for the US: 321 (2024) -> 307 (2026): level 2026 = 383.55 * 307 / 321.
    assert usa.level([2026], "projection") == pytest.approx([383.55 * 307 / 321])
    own = series.trajectories["gcp:us-central1"]
    assert own.fit_years == (2021, 2024) and series.trajectory_for("USA", "gcp", "us-central1") is usa
