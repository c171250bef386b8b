"""A cluster's GPU demand month by month: a list of months, or yearly totals spread by a seasonality profile.

A month holds ``HOURS_PER_MONTH`` = 8760 / 12 = 730 hours. A year's demand ``D_y`` [GPU·h] spread by a
profile of twelve non-negative weights ``w_1 … w_12`` gives month ``m`` of year ``y``

    ``D_{y,m} = D_y · w_m / Σ w``

so the months of a year always add back to the year. The default profile is flat (``w_m = 1``): no
published month-by-month GPU-demand profile of an academic cluster was found (``defaults.SEASONALITY_FLAT``),
so conference-deadline peaks are the user's to state (e.g. ``[1, 1, 1.4, 1, 1.6, 1, 1, 1, 1, 1, 1.3, 1]``).

Pure: numbers in, numpy arrays out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from planner.errors import PlanError, non_negative

MONTHS_PER_YEAR = 12
HOURS_PER_MONTH = 8760.0 / MONTHS_PER_YEAR
FLAT_PROFILE = (1.0,) * MONTHS_PER_YEAR


def seasonality_profile(weights: Sequence[float] | None = None) -> np.ndarray:
    """Twelve month weights normalised to sum 1 [-]; None: flat (each month 1/12 of the year).

    Each weight >= 0 and not all zero; a weight list of another length is an error naming the field.
    """
    if weights is None:
        weights = FLAT_PROFILE
    values = np.asarray([float(w) for w in weights], dtype=float)
    if values.ndim != 1 or len(values) != MONTHS_PER_YEAR:
        raise PlanError(f"seasonality: {len(values)} weights; give 12, one per month (January first)")
    for i, w in enumerate(values, start=1):
        non_negative(f"seasonality (month {i})", w)
    if not values.sum() > 0:
        raise PlanError("seasonality: every weight is zero; give 12 weights with at least one above zero")
    return values / values.sum()


def monthly_from_yearly(yearly_gpu_hours: Sequence[float] | np.ndarray,
                        weights: Sequence[float] | None = None) -> np.ndarray:
    """Demand per month from demand per year: ``D_{y,m} = D_y · w_m / Σ w`` [GPU·h], 12 months a year."""
    yearly = np.atleast_1d(np.asarray(yearly_gpu_hours, dtype=float))
    profile = seasonality_profile(weights)
    return (yearly[:, None] * profile[None, :]).ravel()


def validated_series(values: Sequence[float] | np.ndarray, field: str, period: str, empty: str) -> np.ndarray:
    """Demand per period as a 1-D array: at least one period, each >= 0, not all zero [GPU·h].

    field : the input's name in messages; period : 'month' or 'year'; empty : the message for no periods
    """
    series = np.atleast_1d(np.asarray(values, dtype=float))
    if series.ndim != 1 or len(series) == 0:
        raise PlanError(empty)
    for i, value in enumerate(series, start=1):
        non_negative(f"{field} ({period} {i})", value, "GPU-h")
    if not series.sum() > 0:
        raise PlanError(f"{field}: zero in every {period}; nothing to plan")
    return series


def validated_months(monthly_gpu_hours: Sequence[float] | np.ndarray) -> np.ndarray:
    """Demand per month as an array: at least one month, each >= 0, not all zero [GPU·h]."""
    return validated_series(monthly_gpu_hours, "demand_gpu_hours_by_month", "month",
                            "demand_gpu_hours_by_month: give at least one month")


def yearly_totals(monthly_gpu_hours: np.ndarray) -> np.ndarray:
    """Demand per (plan) year: months 1–12, 13–24, …; a last, partial year sums its months [GPU·h]."""
    months = np.asarray(monthly_gpu_hours, dtype=float)
    years = -(-len(months) // MONTHS_PER_YEAR)
    padded = np.zeros(years * MONTHS_PER_YEAR)
    padded[:len(months)] = months
    return padded.reshape(years, MONTHS_PER_YEAR).sum(axis=1)


def peak_to_mean(monthly_gpu_hours: np.ndarray) -> float:
    """The busiest month over the average month [-] (1 for flat demand)."""
    months = np.asarray(monthly_gpu_hours, dtype=float)
    return float(months.max() / months.mean())
