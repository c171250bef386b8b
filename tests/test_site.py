"""Where owned servers run: electricity prices in their own currency converted with the shipped FX table, and grid
zones matched to the zones prices are published under."""

from __future__ import annotations

import pytest

from planner import api
from planner.errors import PlanError
from planner.shipped import load
from planner.site import country_of, electricity_price, electricity_zone_for, usd_per_unit


def test_a_swedish_site_pays_the_eurostat_price_converted_at_the_ecb_rate():
    # Eurostat H1 2024, Sweden band IC: 0.0942 EUR/kWh; ECB 2024-06-28: 1.0705 USD per EUR -> 0.10084 USD/kWh
    server, assumptions = api.owned_server("nvidia-dgx-h100", grid_zone="SE3")
    assert server.electricity_usd_per_kwh == pytest.approx(0.0942 * 1.0705)
    price = next(a for a in assumptions if a.name == "electricity_SE")
    assert "converted at 1.0705 USD/EUR" in price.note and "2024-06-28" in price.note
    # and the bidding zone's own grid (SE3), not Sweden's average
    assert any(a.name == "grid_intensity_SE3" for a in assumptions)


def test_a_quebec_site_in_canadian_cents():
    # Hydro-Québec 2022, Montréal medium power: 12.67 CAD cents/kWh; USD per CAD = 1.0705 / 1.4670 = 0.729721
    server, _ = api.owned_server("nvidia-dgx-h100", grid_zone="CAN", electricity_zone="CA-QC")
    assert server.electricity_usd_per_kwh == pytest.approx(0.1267 * 1.0705 / 1.4670)


def test_fx_rates_come_from_the_shipped_table_with_their_date():
    fx = load()["fx_rates"]
    cad = usd_per_unit(fx, "CAD")
    assert cad.value == pytest.approx(1.0705 / 1.4670) and cad.as_of == "2024-06-28" and "European Central Bank" in \
        cad.source
    with pytest.raises(PlanError, match=r"^currency 'JPY': no exchange rate in the data; allowed: CAD, EUR, USD"):
        usd_per_unit(fx, "JPY")


@pytest.mark.parametrize("zone,country,price_zone", [
    ("SWE", "SWE", "SE"), ("SE3", "SWE", "SE"), ("FIN", "FIN", "FI"), ("IRL", "IRL", "IE"), ("US-CA", "USA", "US-CA"),
    ("US-FL", "USA", "US"), ("CA-QC", "CAN", "CA-QC"), ("DEU", "DEU", "EUROPE"), ("KEN", "KEN", "WORLD"),
    ("NO1", "NOR", "EUROPE"),
])
def test_zones_match_across_iso2_iso3_bidding_zones_and_provinces(zone, country, price_zone):
    priced = set(load()["electricity_prices"]["zone"])
    assert country_of(zone) == country
    assert electricity_zone_for(zone, priced) == price_zone


def test_a_usd_price_is_used_as_published_and_an_unknown_zone_names_the_allowed():
    prices = load()["electricity_prices"]
    assert electricity_price(prices, "US-CA").value == 0.2391  # EIA 2023 California commercial
    with pytest.raises(PlanError, match=r"^electricity zone 'XX': no price in the data; allowed: "):
        electricity_price(prices, "XX", load()["fx_rates"])
