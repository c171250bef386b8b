"""Azure GPU VM prices from the Azure Retail Prices REST API (public, no credentials).

Linux pay-as-you-go (``type`` Consumption) and reservation (``type`` Reservation, 1 and 3 years, hourly =
term price / hours of the term) meters of the NC/ND/NV sizes in data_src/azure_vm_sizes.csv;
meters named "... Spot" are spot, "Low Priority" meters and Windows products are left out. Parsing is
pure over the API's ``Items``; :func:`fetch` pages through ``NextPageLink`` with ``requests``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import requests

from pricing.accelerators import accelerator_map, azure_sizes
from pricing.fetch_result import FetchResult, SkipItem, utc_now_iso
from pricing.retry import with_backoff
from pricing.schema import OfferRow
from pricing.validate import checked_region, usd_price

log = logging.getLogger(__name__)

RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"
#: armSkuName prefixes of the GPU families (N-series: NC compute, ND deep learning, NV visualisation).
GPU_SKU_PREFIXES = ("Standard_NC", "Standard_ND", "Standard_NV")
HOURLY_UNIT = "1 Hour"
SOURCE = "azure retail prices api (Virtual Machines, Consumption, Linux)"
REQUEST_TIMEOUT_S = 60.0
MAX_PAGES = 1000  # a guard against a NextPageLink that never ends; the GPU filter needs a handful


class AzureThrottled(requests.RequestException):
    """HTTP 429 or a 5xx server error from the Retail Prices API: retried with backoff."""


PRICING_MODELS_FETCHED = ("on_demand", "spot", "reserved_1y", "reserved_3y")
#: Reservation items quote the price of the whole term, not of an hour: hourly = price / (8,760 h x years).
RESERVATION_TERMS = {"1 Year": ("reserved_1y", 1), "1 Years": ("reserved_1y", 1), "3 Years": ("reserved_3y", 3)}
HOURS_PER_YEAR = 8760


def odata_filter(region: str | None = None) -> str:
    """The ``$filter`` for Linux-or-Windows pay-as-you-go GPU VM meters, optionally in one region.

    Windows and Low Priority meters cannot be told apart by a filter field, so :func:`parse_items`
    drops them.
    """
    skus = " or ".join(f"contains(armSkuName, '{prefix}')" for prefix in GPU_SKU_PREFIXES)
    clauses = ["serviceName eq 'Virtual Machines'", "(priceType eq 'Consumption' or priceType eq 'Reservation')",
               f"({skus})"]
    if region is not None:
        clauses.append(f"armRegionName eq '{region}'")
    return " and ".join(clauses)


def parse_item(item: Mapping[str, Any], fetched_at: str) -> OfferRow | None:
    """One price item as an offer; None for an item out of scope (Windows, Low Priority, not a GPU size).

    ``retailPrice`` is the pay-as-you-go price of the whole VM [USD/h].
    Raises SkipItem for a malformed item or an unmapped GPU size.
    """
    if item.get("type") not in ("Consumption", "Reservation") or item.get("serviceName") != "Virtual Machines":
        return None
    term = RESERVATION_TERMS.get(str(item.get("reservationTerm"))) if item.get("type") == "Reservation" else None
    if item.get("type") == "Reservation" and term is None:
        return None  # a term length trainplan does not model
    meter = f"{item.get('meterName', '')} {item.get('skuName', '')}"
    if "Low Priority" in meter:
        return None
    product = str(item.get("productName", ""))
    # Windows meters ("... Series Windows", or " Win" in the meter, SKU or product name, as in "... Srs Win"), Cloud
    # Services (web/worker roles) and a meter listed for a region that is not its primary one are not a Linux VM's price.
    if ("Windows" in product or re.search(r"\bWin\b", f"{meter} {product}") or "Cloud Services" in product
            or "Cloud Services" in str(item.get("serviceName", "")) or item.get("isPrimaryMeterRegion") is False):
        if str(item.get("armSkuName", "")).startswith(GPU_SKU_PREFIXES):
            raise SkipItem("not_linux_vm", str(item.get("armSkuName")))
        return None
    arm_sku_name = str(item.get("armSkuName", ""))
    size = azure_sizes().get(arm_sku_name)
    if size is None:
        if arm_sku_name.startswith(GPU_SKU_PREFIXES):
            raise SkipItem("unmapped_gpu", arm_sku_name)
        return None
    match = accelerator_map("azure", "series").get(size.series)
    if match is None:
        raise SkipItem("unmapped_gpu", arm_sku_name)
    region = checked_region("azure", item.get("armRegionName"))
    price = usd_price(item.get("retailPrice"), item.get("currencyCode"))
    if item.get("unitOfMeasure") != HOURLY_UNIT:
        raise SkipItem("unexpected_unit", str(item.get("unitOfMeasure")))
    pricing = "spot" if "Spot" in meter else "on_demand"
    source = SOURCE
    if term is not None:
        pricing, years = term
        price = price / (HOURS_PER_YEAR * years)
        source = f"{SOURCE}; Reservation {item.get('reservationTerm')}: term price / ({HOURS_PER_YEAR} h x {years})"
    return OfferRow(
        provider="azure",
        region=region,
        location=str(item.get("location", "")),
        instance_type=arm_sku_name,
        gpu=match.gpu,
        gpu_count=size.gpu_count * match.chips_per_unit,
        vcpus=float(size.vcpus),
        memory_gib=size.memory_gib,
        pricing=pricing,
        usd_per_hour=price,
        fetched_at=fetched_at,
        source=source,
    )


def parse_items(items: Iterable[Mapping[str, Any]], fetched_at: str) -> FetchResult:
    """Offers from Retail Prices ``Items``, one per (region, size, pricing).

    A (region, size, pricing) listed twice at the same price is one offer; at two prices it is ambiguous
    (which is the Linux pay-as-you-go one?) and every item of it is refused (``ambiguous_match``).
    """
    result = FetchResult()
    found: dict[tuple[str, str, str], list[OfferRow]] = {}
    for item in items:
        try:
            row = parse_item(item, fetched_at)
        except SkipItem as skip:
            result.record_skip(skip)
            continue
        if row is None:
            continue
        found.setdefault((row.region, row.instance_type, row.pricing), []).append(row)
    for rows in found.values():
        prices = sorted({row.usd_per_hour for row in rows})
        if len(prices) > 1:
            for _ in rows:
                result.record_skip(SkipItem("ambiguous_match"))
            first = rows[0]
            result.refuse(first.region, first.instance_type, first.gpu, first.pricing,
                          f"ambiguous: {len(rows)} meters at different prices "
                          f"({', '.join(f'{p:g}' for p in prices)} USD/h)")
            continue
        result.rows.append(rows[0])
    return result


def covers(offers: pd.DataFrame, **_options: Any) -> pd.Series:
    """Which previous offers an Azure refresh replaces: the sizes of data_src/azure_vm_sizes.csv, on-demand and
    spot; other sizes and pricing models are carried forward."""
    return offers["instance_type"].isin(set(azure_sizes())) & offers["pricing"].isin(PRICING_MODELS_FETCHED)


def _get_page(session: Any, url: str, params: Mapping[str, str] | None) -> dict:
    response = session.get(url, params=params, timeout=REQUEST_TIMEOUT_S)
    if response.status_code == 429 or response.status_code >= 500:
        raise AzureThrottled(f"{response.status_code} from the Retail Prices API for {url}")
    response.raise_for_status()
    return response.json()


def read_pages(
    session: Any, params: Mapping[str, str], sleep: Callable[[float], object], url: str = RETAIL_PRICES_URL
) -> list[dict]:
    """All ``Items`` of a query, following ``NextPageLink``; HTTP 429 and 5xx are retried with backoff (the last
    error is raised after the last try). A listing cut short is caught by the refresh's row-count check."""
    items: list[dict] = []
    next_url: str | None = url
    page_params: Mapping[str, str] | None = params
    for _ in range(MAX_PAGES):
        if not next_url:
            return items
        page = with_backoff(
            lambda u=next_url, p=page_params: _get_page(session, u, p),
            lambda error: isinstance(error, AzureThrottled),
            sleep,
        )
        items.extend(page.get("Items") or [])
        next_url, page_params = page.get("NextPageLink"), None  # the link carries the query
    raise requests.RequestException(f"more than {MAX_PAGES} pages")


def fetch(
    client_or_session: Any = None,
    regions: Iterable[str] | None = None,
    *,
    sleep: Callable[[float], object] = time.sleep,
    fetched_at: str | None = None,
) -> FetchResult:
    """Fetch Azure GPU VM offers (on-demand and spot) in ``regions`` (armRegionName; None: all).

    client_or_session : a ``requests.Session`` (None: a new one); the API needs no credentials
    regions : each is queried on its own and a failing one is put in ``failures``
    sleep : backoff sleep [s]; inject a no-op in tests
    """
    session = client_or_session if client_or_session is not None else requests.Session()
    fetched_at = fetched_at or utc_now_iso()
    result = FetchResult()
    for region in list(regions) if regions is not None else [None]:
        try:
            items = read_pages(session, {"$filter": odata_filter(region)}, sleep)
        except (requests.RequestException, ValueError) as error:
            result.failures.append(f"azure {region or 'all regions'}: retail prices: {type(error).__name__}: {error}")
            continue
        result.extend(parse_items(items, fetched_at))
    log.debug("azure: %d offers, skipped %s, %d failures", len(result.rows), dict(result.skipped),
              len(result.failures))
    return result
