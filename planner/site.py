"""Where owned servers run: the electricity price (in USD, converted from its own currency) and grid intensity of
a location (country, US state, province or bidding zone)."""

from __future__ import annotations

import pandas as pd

from planner.carbon import zone_intensity
from planner.defaults import Assumption
from planner.errors import PlanError

#: Grid zones (ISO-3 country, US-XX state, WORLD) -> the electricity-price zone used when none is given.
_ELECTRICITY_FALLBACK = {"USA": "US", "WORLD": "WORLD"}
#: European countries (ISO-3) fall back to the European business average rather than the world's.
_EUROPE = {"ALB", "AUT", "BEL", "BGR", "BIH", "CHE", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
           "GRC", "HRV", "HUN", "IRL", "ISL", "ITA", "LTU", "LUX", "LVA", "MKD", "MLT", "MNE", "NLD", "NOR", "POL",
           "PRT", "ROU", "SRB", "SVK", "SVN", "SWE"}
#: ISO 3166-1 alpha-3 -> alpha-2 for the countries the electricity prices are published under (ISO 3166-1).
ISO3_TO_ISO2 = {"USA": "US", "IRL": "IE", "FIN": "FI", "SWE": "SE", "ESP": "ES", "CHE": "CH", "DNK": "DK",
                "NLD": "NL", "ITA": "IT", "CAN": "CA", "CHN": "CN", "BRA": "BR", "SGP": "SG", "AUS": "AU",
                "NOR": "NO", "DEU": "DE", "FRA": "FR", "GBR": "GB"}
#: Sub-national grid zones -> their country (ISO-3): US states, Chinese and Canadian provinces, Nordic bidding zones.
_SUBDIVISION_PREFIXES = {"US-": "USA", "CN-": "CHN", "CA-": "CAN", "SE": "SWE", "NO": "NOR", "FI": "FIN", "DK": "DNK"}
#: Sector preference: a research computing room pays a commercial (or business / non-household) tariff.
_SECTOR_RANK = {"commercial": 0, "business": 1, "non-household": 2, "industrial": 3}


def country_of(zone: str) -> str | None:
    """ISO-3 country of a zone: ``SWE`` / ``SE3`` -> SWE, ``US-CA`` -> USA, ``CA-QC`` -> CAN; None for WORLD."""
    zone = zone.strip().upper()
    if len(zone) == 3 and zone.isalpha() and zone != "WORLD":
        return zone
    for prefix, country in _SUBDIVISION_PREFIXES.items():
        if zone.startswith(prefix) and zone != prefix.rstrip("-"):
            return country
    return None


def usd_per_unit(fx: pd.DataFrame, currency: str) -> Assumption:
    """US dollars per unit of ``currency`` from the shipped ECB reference rates (per euro): ``USD/EUR ÷ CUR/EUR``."""
    rates = fx.set_index("currency")
    if currency == "USD":
        return Assumption("fx_usd_per_USD", 1.0, "USD/USD", "identity", "")
    if currency not in rates.index or "USD" not in rates.index:
        raise PlanError(f"currency '{currency}': no exchange rate in the data; allowed: "
                        f"{', '.join(sorted(rates.index))} (or give electricity_usd_per_kwh)")
    value = float(rates.at["USD", "per_eur"]) / float(rates.at[currency, "per_eur"])
    row = rates.loc[currency]
    return Assumption(f"fx_usd_per_{currency}", value, f"USD/{currency}", str(row["source"]), str(row["date"]),
                      str(row["note"]))


def _currency(unit: str) -> tuple[str, float]:
    """(ISO currency, factor to whole units) of a published unit: ``EUR/kWh`` -> (EUR, 1), ``CAD cents/kWh`` -> (CAD, 0.01)."""
    head = unit.split("/")[0].strip().split()
    code = {"US": "USD"}.get(head[0], head[0]) if head else ""
    return code, 0.01 if len(head) > 1 and head[1].startswith("cent") else 1.0


def prices_in_usd(prices: pd.DataFrame, fx: pd.DataFrame | None) -> pd.DataFrame:
    """The electricity prices with every row in USD/kWh: USD rows as published, EUR and CAD rows converted.

    Adds ``fx_currency`` (the published currency) and ``fx_usd_per_unit`` (1 for USD rows); rows whose currency
    has no rate keep NaN.
    """
    out = prices.copy()
    parsed = out["unit"].astype(str).map(_currency)
    out["fx_currency"] = parsed.map(lambda p: p[0])
    rate = {}
    for currency in out["fx_currency"].unique():
        if currency == "USD":
            rate[currency] = 1.0
        elif fx is not None and currency in set(fx["currency"]):
            rate[currency] = float(usd_per_unit(fx, currency).value)
    out["fx_usd_per_unit"] = out["fx_currency"].map(rate)
    converted = out["value"].astype(float) * parsed.map(lambda p: p[1]) * out["fx_usd_per_unit"]
    out["usd_per_kwh"] = out["usd_per_kwh"].where(out["usd_per_kwh"].notna(), converted)
    return out


def electricity_price(prices: pd.DataFrame, zone: str, fx: pd.DataFrame | None = None) -> Assumption:
    """Newest USD price per kWh for a zone, commercial sector preferred (then business, non-household, industrial).

    Prices published in another currency are converted with the shipped FX table (``fx``), and the note says so.
    """
    table = prices_in_usd(prices, fx)
    rows = table[(table["zone"] == zone) & table["usd_per_kwh"].notna()]
    if rows.empty:
        zones = sorted(table.loc[table["usd_per_kwh"].notna(), "zone"].unique())
        raise PlanError(f"electricity zone '{zone}': no price in the data; allowed: {', '.join(zones)} "
                        "(or give electricity_usd_per_kwh)")
    rank = rows["sector"].astype(str).map(lambda s: _SECTOR_RANK.get(s.split(" (")[0], 9))
    rows = rows.assign(_rank=rank).sort_values(["_rank", "year"], ascending=[True, False], kind="mergesort")
    row = rows.iloc[0]
    note = f"{row['name']} ({row['sector']})"
    if row["fx_currency"] != "USD":
        note += (f"; published as {row['value']:g} {row['unit']}, converted at {row['fx_usd_per_unit']:.4f} "
                 f"USD/{row['fx_currency']} (ECB reference rate, {fx_date(fx, row['fx_currency'])}; the price is of "
                 f"{int(row['year'])})")
    return Assumption(f"electricity_{zone}", float(row["usd_per_kwh"]), "USD/kWh", str(row["source"]),
                      str(int(row["year"])), note)


def fx_date(fx: pd.DataFrame | None, currency: str) -> str:
    """The date of a currency's rate in the FX table."""
    if fx is None:
        return ""
    hit = fx.loc[fx["currency"] == currency, "date"]
    return str(hit.iloc[0]) if len(hit) else ""


def electricity_zone_for(zone: str, priced: set[str]) -> str:
    """The electricity-price zone of a grid zone: itself, else its country's (ISO-3 -> ISO-2, bidding zone -> country),
    else the US average for US states, the European average in Europe, the world's elsewhere."""
    if zone in priced:
        return zone
    country = country_of(zone)
    for candidate in (country, ISO3_TO_ISO2.get(country or "")):
        if candidate and candidate in priced:
            return candidate
    if zone.startswith("US-"):
        return "US"
    if country in _EUROPE:
        return "EUROPE"
    return _ELECTRICITY_FALLBACK.get(zone, "WORLD")


def site_assumptions(grid: pd.DataFrame, prices: pd.DataFrame, grid_zone: str, electricity_zone: str | None = None,
                     electricity_usd_per_kwh: float | None = None,
                     fx: pd.DataFrame | None = None) -> tuple[Assumption, Assumption]:
    """(electricity price in USD, grid intensity) of an owned site.

    Without an electricity zone: the grid zone's own price if the data has one (a US state, a province), else its
    country's (``SE3`` and ``SWE`` -> ``SE``: ISO-3 and bidding zones matched to the ISO-2 codes prices are published
    under), else the US average for US states, the European average in Europe, the world's elsewhere (said in the
    note). An electricity zone given as ISO-3 (``SWE``) is matched to its ISO-2 code. Prices in EUR or CAD are
    converted with ``fx`` (the shipped ECB reference rates).
    """
    intensity = zone_intensity(grid, grid_zone)
    zone = intensity.name.removeprefix("grid_intensity_")
    if electricity_usd_per_kwh is not None:
        if electricity_usd_per_kwh < 0:
            raise PlanError(f"electricity_usd_per_kwh {electricity_usd_per_kwh:g}: must be >= 0")
        return Assumption("electricity_usd_per_kwh", float(electricity_usd_per_kwh), "USD/kWh", "user input", ""), \
            intensity
    priced = set(prices_in_usd(prices, fx).dropna(subset=["usd_per_kwh"])["zone"])
    if electricity_zone is None:
        electricity_zone = electricity_zone_for(zone, priced)
    else:
        given = electricity_zone.strip().upper()
        electricity_zone = ISO3_TO_ISO2.get(given, given) if given not in priced else given
    price = electricity_price(prices, electricity_zone, fx)
    if electricity_zone != zone and country_of(zone) not in (electricity_zone, None) and \
            ISO3_TO_ISO2.get(country_of(zone) or "") != electricity_zone:
        price = Assumption(price.name, price.value, price.unit, price.source, price.as_of,
                           f"{price.note}; no price for {zone} in the data, so {electricity_zone} is used")
    elif electricity_zone != zone:
        price = Assumption(price.name, price.value, price.unit, price.source, price.as_of,
                           f"{price.note}; the country's price for the site {zone}")
    return price, intensity
