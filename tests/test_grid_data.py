"""Shipped grid intensities: one location-based value per place, the latest year of its source, sourced."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from conftest import REPO, SHARED

sys.path.insert(0, str(REPO / "scripts"))
from grid_build import cloud_region_grid, latest_per, zone_grid  # noqa: E402

CARBON = SHARED / "data" / "carbon"
needs_shared = pytest.mark.skipif(not CARBON.exists(), reason="../shared/data is not beside this checkout")


def test_every_grid_row_has_a_source_a_year_and_a_basis(data):
    regions, zones = data["cloud_regions"], data["grid_intensity"]
    for table in (regions, zones):
        assert table["source"].notna().all() and (table["source"].str.len() > 10).all()
        assert table["year"].notna().all() and (table["year"] >= 2000).all()  # ESH: Ember ends in 2009
    assert regions["basis"].str.startswith("location-based").all()


def test_us_regions_use_the_2023_state_rate(data):
    regions = data["cloud_regions"].set_index(["provider", "region"])
    zones = data["grid_intensity"].set_index("zone")
    # Oregon: eGRID2023 state rate 165.544 g/kWh (was CCF's 2020 WECC average, 322.167)
    assert regions.loc[("aws", "us-west-2"), "grid_gco2e_per_kwh"] == zones.loc["US-OR", "gco2e_per_kwh"] == 165.544
    assert regions.loc[("aws", "us-west-2"), "year"] == 2023
    us = data["cloud_regions"][(data["cloud_regions"].country_iso3 == "USA") & (data["cloud_regions"].provider != "gcp")]
    assert (us["year"] == 2023).all()


def test_the_same_country_gets_the_same_value_in_both_tables(data):
    zones = data["grid_intensity"].set_index("zone")
    ember = data["cloud_regions"][data["cloud_regions"]["basis"].str.contains("Ember")]
    assert len(ember) > 30
    for row in ember.itertuples():
        assert row.grid_gco2e_per_kwh == zones.loc[row.country_iso3, "gco2e_per_kwh"], row.region
        assert row.year == zones.loc[row.country_iso3, "year"]
    # South Africa 2024: Ember 709.37 (the old carbonfootprint.com 2021 factor was 900.6)
    assert zones.loc["ZAF", "gco2e_per_kwh"] == 709.37


def test_market_based_share_only_where_google_publishes_it(data):
    regions = data["cloud_regions"]
    assert regions.loc[regions.provider == "gcp", "google_cfe_pct"].notna().all()
    assert regions.loc[regions.provider != "gcp", "google_cfe_pct"].isna().all()


@needs_shared
def test_every_row_is_its_sources_latest_year(data):
    google = latest_per(pd.read_csv(CARBON / "gcp_region_carbon_yearly.csv"), "region")
    ember = latest_per(pd.read_csv(CARBON / "grid_intensity_yearly.csv"), "zone")
    regions = data["cloud_regions"]
    for row in regions[regions.provider == "gcp"].itertuples():
        assert row.year == google.loc[row.region, "year"] and row.grid_gco2e_per_kwh == google.loc[row.region,
                                                                                                   "grid_gco2e_per_kwh"]
    zones = data["grid_intensity"]
    for row in zones[zones.level.isin(["country", "world", "region"]) & (zones.zone != "US-EPA-2018")].itertuples():
        assert row.year == ember.loc[row.zone, "year"], row.zone


def test_a_region_without_a_rule_is_an_error_not_a_guess():
    regions = pd.DataFrame([{"provider": "aws", "region": "xx-1", "location": "?", "country_iso3": "XXX",
                             "subdivision": None, "grid_gco2e_per_kwh": 1.0, "year": 2020, "google_cfe_pct": None,
                             "source": "s"}])
    empty_google = pd.DataFrame(columns=["region", "year", "google_cfe_fraction", "grid_gco2e_per_kwh", "source"])
    ember = pd.DataFrame([{"zone": "FRA", "year": 2024, "gco2e_per_kwh": 44.18, "basis": "b", "source": "Ember",
                           "source_version": "v"}])
    zones = pd.DataFrame(columns=["zone", "name", "level", "gco2e_per_kwh", "year", "basis", "source"])
    with pytest.raises(ValueError, match="aws xx-1: no grid intensity for XXX"):
        cloud_region_grid(regions, empty_google, ember, zones)


def test_zone_grid_takes_the_latest_ember_year_and_drops_rows_without_a_year():
    ember = pd.DataFrame([{"zone": "FRA", "year": y, "gco2e_per_kwh": v, "basis": "lifecycle", "source": "Ember x",
                           "source_version": "repo@c"} for y, v in ((2023, 55.28), (2024, 44.18))])
    zones = pd.DataFrame([
        {"zone": "FRA", "name": "France", "level": "country", "gco2e_per_kwh": 56.0, "year": 2023, "basis": "b",
         "source": "old"},
        {"zone": "CA-QC", "name": "Quebec", "level": "ca_province", "gco2e_per_kwh": 3.9, "year": None, "basis": "b",
         "source": "derived"},
        {"zone": "US-OR", "name": "Oregon", "level": "us_state", "gco2e_per_kwh": 165.544, "year": 2023, "basis": "b",
         "source": "eGRID"},
    ])
    out = zone_grid(zones, ember).set_index("zone")
    assert out.loc["FRA", "gco2e_per_kwh"] == 44.18 and out.loc["FRA", "year"] == 2024
    assert out.loc["FRA", "name"] == "France"
    assert "CA-QC" not in out.index and out.loc["US-OR", "gco2e_per_kwh"] == 165.544
