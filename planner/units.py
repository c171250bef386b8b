"""One pint unit registry for trainplan, and the conversions done at the public edge.

Inside DataFrames quantities are plain floats in unit-suffixed columns (``energy_kwh``, ``co2e_kg``,
``cost_usd``); at the API edge they are pint quantities. ``USD`` is a base dimension of its own
(no exchange rates are modelled), and CO2e mass is plain mass (kg, lb, t).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pint

from planner.errors import PlanError

ureg = pint.UnitRegistry()
ureg.define("USD = [currency] = usd = dollar")
ureg.define("gpu_hour = hour = GPU_hour = gpuh")
Q_ = ureg.Quantity

#: Canonical unit of each unit-suffixed column, used to attach units at the edge.
COLUMN_UNITS = {
    "_kwh": "kWh",
    "_kg": "kg",
    "_lb": "lb",
    "_usd": "USD",
    "_hours": "hour",
    "_w": "W",
    "_usd_per_hour": "USD/hour",
    "_usd_per_gpu_hour": "USD/hour",
    "_gco2e_per_kwh": "g/kWh",
}


def to_magnitude(field: str, value: object, unit: str) -> float:
    """A number in ``unit`` from a float (taken to be in ``unit``), a pint quantity, or a string like '79.2 h'.

    Raises PlanError naming the field for an unknown unit or one of the wrong dimension.
    """
    if isinstance(value, int | float):
        return float(value)
    try:
        quantity = Q_(value) if isinstance(value, str) else value
        if not isinstance(quantity, Q_):
            raise PlanError(f"{field} '{value}': not a number or quantity")
        if quantity.dimensionless and not ureg(unit).dimensionless:
            return float(quantity.magnitude)
        return float(quantity.to(unit).magnitude)
    except pint.errors.DimensionalityError:
        raise PlanError(f"{field} '{value}': wrong unit; expected something convertible to {unit}") from None
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, ValueError) as exc:
        if isinstance(exc, PlanError):
            raise
        raise PlanError(f"{field} '{value}': unknown unit; expected something convertible to {unit}") from None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a float between units (e.g. kg -> lb)."""
    try:
        return float(Q_(value, from_unit).to(to_unit).magnitude)
    except (pint.errors.UndefinedUnitError, pint.errors.DimensionalityError):
        raise PlanError(f"unit '{to_unit}': unknown or not convertible from {from_unit}") from None



def column_unit(column: str) -> str | None:
    """The unit a column's suffix declares (``co2e_kg`` -> ``kg``), longest suffix first."""
    for suffix in sorted(COLUMN_UNITS, key=len, reverse=True):
        if column.endswith(suffix) or column == suffix[1:]:
            return COLUMN_UNITS[suffix]
    return None


#: A float, a numpy array or a pandas Series: the model's functions broadcast over all three.
Num = float | np.ndarray | pd.Series
