"""Carbon: intensity lookups and CO2e, hand-computed."""

from __future__ import annotations

import pytest

from planner.carbon import co2e_in, co2e_kg, region_intensity, zone_intensity
from planner.errors import PlanError


def test_co2e_hand_computed():
    # 1,000 kWh at 400 g/kWh = 400 kg
    assert co2e_kg(1000, 400) == 400


def test_strubell_constant_in_the_data_is_0_954_lb_per_kwh(data):
    intensity = zone_intensity(data["grid_intensity"], "US-EPA-2018")
    # 0.954 lb/kWh · 453.59237 g/lb = 432.7 g/kWh; 1 kWh -> 0.4327 kg -> 0.954 lb
    assert co2e_in(co2e_kg(1.0, intensity.value), "lb") == pytest.approx(0.954, abs=1e-4)


def test_gcp_region_intensity_has_its_source_and_year(data):
    a = region_intensity(data["cloud_regions"], "gcp", "us-central1")
    assert a.unit == "gCO2e/kWh" and a.as_of == "2024" and "region-carbon-info" in a.source
    assert 0 < a.value < 1000


def test_unknown_zone_and_region_name_the_field():
    from planner.shipped import load

    with pytest.raises(PlanError, match=r"^grid zone 'ATLANTIS': unknown"):
        zone_intensity(load()["grid_intensity"], "ATLANTIS")
    with pytest.raises(PlanError, match=r"^aws region 'us-east-9': unknown; did you mean"):
        region_intensity(load()["cloud_regions"], "aws", "us-east-9")


def test_co2e_units():
    assert co2e_in(1000.0, "t") == pytest.approx(1.0)
    assert co2e_in(1.0, "lb") == pytest.approx(2.20462, abs=1e-5)
    with pytest.raises(PlanError, match="co2e unit"):
        co2e_in(1.0, "stone")
