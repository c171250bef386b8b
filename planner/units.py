"""One pint unit registry for trainplan, and the conversions done at the public edge.

Inside DataFrames quantities are plain floats in unit-suffixed columns (``energy_kwh``, ``co2e_kg``,
``cost_usd``); at the API edge they are pint quantities. ``USD`` is a base dimension of its own
(no exchange rates are modelled), and CO2e mass is plain mass (kg, lb, t).
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import PlanError


@functools.cache
def registry() -> Any:
    """The pint registry, built on first use (building it costs ~0.2 s of CPU; most commands never need it)."""
    import pint

    ureg = pint.UnitRegistry()
    ureg.define("USD = [currency] = usd = dollar")
    ureg.define("gpu_hour = hour = GPU_hour = gpuh")
    return ureg


def __getattr__(name: str) -> Any:
    """``ureg`` and ``Q_`` (the registry and its Quantity) as module attributes, built when first asked for."""
    if name == "ureg":
        return registry()
    if name == "Q_":
        return registry().Quantity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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


#: Longest quantity string read; longer text is refused before any parsing.
MAX_QUANTITY_CHARS = 64
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_NAME = r"[A-Za-z_\u00b5\u03bc\u00b0\u2126][A-Za-z0-9_\u00b5\u03bc\u00b0\u2126]*"
_FACTOR = rf"{_NAME}(?:\s*(?:\^|\*\*)\s*-?[1-3])?"
_UNIT = rf"(?:%|{_FACTOR}(?:\s*[*/\u00b7]\s*{_FACTOR})*)"
_QUANTITY = re.compile(rf"\s*({_NUMBER})\s*({_UNIT})?\s*")
#: A few words for what a field's unit measures, for the message on a unit of another dimension.
_KIND = {"hour": "a time (e.g. '79.2 h', '3.3 day')", "W": "a power (e.g. '400 W', '0.4 kW')",
         "g/kWh": "a carbon intensity (e.g. '420 g/kWh', '0.42 kg/kWh')", "USD/kWh": "a price per kWh",
         "USD": "an amount in USD", "USD/hour": "a price per hour (e.g. '2.5 USD/hour')"}


def parse_quantity(field: str, value: object, unit: str) -> float:
    """A finite number in ``unit`` from a number (taken to be in ``unit``), a pint quantity or a string.

    The string grammar is ``NUMBER [UNIT]`` and nothing else: a decimal number with an exponent of at
    most three digits, then an optional unit made of unit names joined by ``*``, ``/`` or ``·`` (each with
    an optional power of at most 3), or ``%``. No expressions are evaluated (``9**9**9 h`` and ``1/0 h``
    are refused before pint sees them), and the unit must have the dimension of ``unit``: ``'1 h/s'``
    (dimensionless) is not a duration, ``'400 W/kW'`` not a power. A bare number is in ``unit``.
    Booleans are not numbers. Raises PlanError naming the field.
    """
    if isinstance(value, bool) or value is None:
        raise PlanError(f"{field} {value!r}: not a number; expected a number in {unit} or a quantity like "
                        f"'{_example(unit)}'")
    if isinstance(value, int | float | np.integer | np.floating):
        return _finite_number(field, float(value), value)
    if isinstance(value, str):
        return _from_text(field, value, unit)
    if "pint" in sys.modules and isinstance(value, registry().Quantity):  # no pint loaded: no quantity exists
        magnitude = value.magnitude
        if isinstance(magnitude, bool) or not isinstance(magnitude, int | float | np.integer | np.floating):
            raise PlanError(f"{field} {value!r}: magnitude must be one real number")
        _finite_number(field, float(magnitude), value)
        return _finite_number(field, _converted(field, value, float(magnitude), value.units, unit), value)
    raise PlanError(f"{field} {str(value)[:40]!r}: not a number or a quantity; expected e.g. '{_example(unit)}'")


def _from_text(field: str, text: str, unit: str) -> float:
    shown = text if len(text) <= MAX_QUANTITY_CHARS else text[:MAX_QUANTITY_CHARS] + "…"
    if len(text) > MAX_QUANTITY_CHARS:
        raise PlanError(f"{field} '{shown}': too long; at most {MAX_QUANTITY_CHARS} characters")
    match = _QUANTITY.fullmatch(text)
    if match is None:
        what = "empty" if not text.strip() else "not a number with an optional unit"
        raise PlanError(f"{field} {shown!r}: {what}; expected NUMBER [UNIT], e.g. '{_example(unit)}' "
                        "(no expressions)")
    number = _finite_number(field, float(match.group(1)), text)
    if not match.group(2):
        return number
    unit_text = match.group(2).replace("**", "^").replace("\u00b7", "*")
    unit_text = "percent" if unit_text == "%" else unit_text
    import pint

    ureg = registry()
    try:
        units = ureg.parse_units(unit_text)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError, ValueError,
            TypeError, KeyError):
        raise PlanError(f"{field} {shown!r}: unknown unit; expected something convertible to {unit}") from None
    return _finite_number(field, _converted(field, text, number, units, unit), text)


def _converted(field: str, shown: object, number: float, units: object, unit: str) -> float:
    import pint

    ureg = registry()
    Q_ = ureg.Quantity
    try:
        return float(Q_(number, units).to(unit).magnitude)
    except pint.errors.DimensionalityError:
        got = "dimensionless" if Q_(1, units).dimensionless else f"{Q_(1, units).dimensionality}"
        target = ureg.get_dimensionality(ureg.parse_units(unit))
        expected = next((words for ref, words in _KIND.items() if ureg.get_dimensionality(ref) == target),
                        f"something convertible to {unit}")
        raise PlanError(f"{field} '{shown}': wrong unit ({got}); expected {expected}") from None
    except (OverflowError, ZeroDivisionError):
        raise PlanError(f"{field} '{shown}': out of range") from None


def _finite_number(field: str, number: float, shown: object) -> float:
    if not np.isfinite(number):
        raise PlanError(f"{field} '{shown}': must be a finite number")
    return number


def _example(unit: str) -> str:
    return {"hour": "79.2 h", "second": "1 s", "W": "400 W", "g/kWh": "420 g/kWh", "dimensionless": "0.5"}.get(
        unit, f"1 {unit}")


def to_magnitude(field: str, value: object, unit: str) -> float:
    """A number in ``unit`` from a float (taken to be in ``unit``), a pint quantity, or a string like '79.2 h'.

    The same safe grammar as ``parse_quantity`` (its earlier name); raises PlanError naming the field for an
    unknown unit, one of the wrong dimension, or text that is not ``NUMBER [UNIT]``.
    """
    return parse_quantity(field, value, unit)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a float between units (e.g. kg -> lb)."""
    import pint

    try:
        return float(registry().Quantity(value, from_unit).to(to_unit).magnitude)
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
