"""Checks shared by every provider parser: a price is a positive USD number, a region has its provider's shape."""

from __future__ import annotations

import math
import re

from pricing.fetch_result import SkipItem

# Region code shapes. AWS: us-east-1, ap-northeast-3, us-gov-west-1. GCP: us-central1,
# northamerica-northeast1. Azure armRegionName: eastus, westus3, southcentralus (no separators).
REGION_PATTERNS = {
    "aws": re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$"),
    "gcp": re.compile(r"^[a-z]+-[a-z]+\d+$"),
    "azure": re.compile(r"^[a-z]+[a-z0-9]*$"),
}
# Azure lists some meters under pseudo-regions that are no place a VM runs.
_NOT_A_REGION = {"global", ""}


def usd_price(value: object, currency: str | None = "USD") -> float:
    """A price as a positive float [USD/h, or whatever unit the payload quotes].

    value : the price as the payload has it (str, int, float)
    currency : the payload's currency code for it; only ``"USD"`` is accepted
    Raises SkipItem(missing_price | non_numeric_price | non_usd_currency | non_positive_price).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SkipItem("missing_price")
    if currency != "USD":
        raise SkipItem("non_usd_currency", None if currency is None else str(currency))
    if isinstance(value, bool):
        raise SkipItem("non_numeric_price")
    try:
        price = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SkipItem("non_numeric_price") from None
    if math.isnan(price) or math.isinf(price):
        raise SkipItem("non_numeric_price")
    if price <= 0.0:
        raise SkipItem("non_positive_price")
    return price


def checked_region(provider: str, region: object) -> str:
    """``region`` unchanged if it has the provider's region-code shape, else SkipItem(unknown_region)."""
    if not isinstance(region, str) or region.lower() in _NOT_A_REGION:
        raise SkipItem("unknown_region")
    if not REGION_PATTERNS[provider].match(region):
        raise SkipItem("unknown_region", region)
    return region
