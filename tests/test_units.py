"""Units at the API edge."""

from __future__ import annotations

import pytest

from planner.errors import PlanError
from planner.units import Q_, column_unit, to_magnitude


def test_quantities_convert_to_the_field_unit():
    assert to_magnitude("hours", Q_(3.3, "day"), "hour") == pytest.approx(79.2)
    assert to_magnitude("hours", "90 min", "hour") == pytest.approx(1.5)
    assert to_magnitude("hours", 12, "hour") == 12


def test_unknown_and_wrong_units_name_the_field():
    with pytest.raises(PlanError, match=r"^hours '3 parsecs': wrong unit"):
        to_magnitude("hours", "3 parsecs", "hour")
    with pytest.raises(PlanError, match=r"^hours '3 blargs': unknown unit"):
        to_magnitude("hours", "3 blargs", "hour")


def test_column_units_from_suffix():
    assert column_unit("energy_kwh") == "kWh"
    assert column_unit("co2e_kg") == "kg"
    assert column_unit("usd_per_gpu_hour") == "USD/hour"


# Issue 17's reproducers: each string once hung or crashed pint, or was silently read in the wrong unit.
@pytest.mark.parametrize("text, unit, message", [
    ("9**9**9 h", "hour", r"^hours '9\*\*9\*\*9 h': not a number with an optional unit; expected NUMBER \[UNIT\]"),
    ("9**9**9h", "hour", r"not a number with an optional unit"),
    ("2**2000 h", "hour", r"not a number with an optional unit"),
    (" ", "hour", r"^hours ' ': empty"),
    ("", "hour", r"^hours '': empty"),
    ("(1 h", "hour", r"not a number with an optional unit"),
    ("1/0 h", "hour", r"not a number with an optional unit"),
    ("1e400 h", "hour", r"must be a finite number"),
    ("1 h/s", "hour", r"^hours '1 h/s': wrong unit \(dimensionless\); expected a time"),
    ("50 %", "hour", r"^hours '50 %': wrong unit \(dimensionless\); expected a time"),
    ("400 W/kW", "W", r"^hours '400 W/kW': wrong unit \(dimensionless\); expected a power"),
    ("3 parsecs", "hour", r"wrong unit \(\[length\]\); expected a time"),
    ("1 h", "g/kWh", r"expected a carbon intensity"),
    ("x" * 65, "hour", r"too long; at most 64 characters"),
    ("__import__('os') h", "hour", r"not a number with an optional unit"),
])
def test_quantity_grammar_refuses_expressions_and_wrong_dimensions(text, unit, message):
    with pytest.raises(PlanError, match=message):
        to_magnitude("hours", text, unit)


@pytest.mark.parametrize("value, unit, expected", [
    ("3.3 day", "hour", 79.2),          # 3.3 · 24
    ("24h", "second", 86_400.0),        # 24 · 3600
    ("0.4 kW", "W", 400.0),
    ("0.545 kg/kWh", "g/kWh", 545.0),   # 0.545 · 1000
    ("5 kg*m^2/s^3", "W", 5.0),         # 1 W = 1 kg·m²/s³
    ("50 %", "dimensionless", 0.5),
    ("12", "hour", 12.0),               # a bare number is in the field's unit
    (" 1.5e3 ", "hour", 1500.0),
])
def test_quantity_grammar_reads_numbers_with_units(value, unit, expected):
    assert to_magnitude("x", value, unit) == pytest.approx(expected)


@pytest.mark.parametrize("value", [True, False, None, [1], {"h": 1}, Q_(float("nan"), "h"), float("inf")])
def test_booleans_containers_and_non_finite_values_are_not_quantities(value):
    with pytest.raises(PlanError, match=r"^hours "):
        to_magnitude("hours", value, "hour")
