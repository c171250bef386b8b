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
