"""pricing.azure against the Retail Prices API served by `responses` (payloads in tests/data/azure_*)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from pricing import azure

DATA = Path(__file__).parent / "data"
URL = azure.RETAIL_PRICES_URL
# NextPageLink as Azure writes it, with an explicit :443
URL_443 = "https://prices.azure.com:443/api/retail/prices"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def query_is(region: str, skip: str | None = None):
    """A `responses` matcher: $filter is the GPU filter for ``region``, $skip is ``skip`` (None: absent)."""

    def match(request):
        query = parse_qs(urlparse(request.url).query)
        found = (query.get("$filter", [None])[0], query.get("$skip", [None])[0])
        wanted = (azure.odata_filter(region), skip)
        return found == wanted, f"query {found!r} != {wanted!r}"

    return match


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetched(sleeps):
    """eastus over two pages, westus2 throttled once, southcentralus failing with HTTP 500."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as served:
        served.get(URL, json=load("azure_eastus_page1.json"), match=[query_is("eastus")])
        served.get(URL_443, json=load("azure_eastus_page2.json"), match=[query_is("eastus", "100")])
        served.get(URL, status=429, json={"Error": "Too many requests"}, match=[query_is("westus2")])
        served.get(URL, json=load("azure_westus2.json"), match=[query_is("westus2")])
        served.get(URL, status=500, body="upstream error", match=[query_is("southcentralus")])
        yield azure.fetch(
            requests.Session(), ["eastus", "westus2", "southcentralus"],
            sleep=sleeps.append, fetched_at="2025-01-01T00:00:00+00:00",
        )


def offer(result, region: str, instance_type: str, pricing: str):
    matches = [
        row for row in result.rows
        if (row.region, row.instance_type, row.pricing) == (region, instance_type, pricing)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def test_nc_series_v100_meter_price(fetched):
    row = offer(fetched, "eastus", "Standard_NC6s_v3", "on_demand")
    # NC6s v3: 1 x V100, 6 vCPU, 112 GiB, 3.06 USD/h -> 3.06 USD per GPU-hour
    assert row.usd_per_hour == pytest.approx(3.06)
    assert row.usd_per_gpu_hour == pytest.approx(3.06)
    assert (row.gpu, row.gpu_count, row.vcpus, row.memory_gib) == ("v100-pcie-16gb", 1, 6, 112)
    assert row.location == "US East"


def test_spot_meter_becomes_spot_reservation_is_hourly_and_low_priority_windows_are_left_out(fetched):
    rows = [row for row in fetched.rows if (row.region, row.instance_type) == ("eastus", "Standard_NC6s_v3")]
    # Low Priority 0.612 and Windows 3.428 must not appear; the 1-year Reservation quotes the whole term:
    # 16,086 USD / 8,760 h = 1.836301 USD/h
    assert sorted((row.pricing, round(row.usd_per_hour, 6)) for row in rows) == [
        ("on_demand", 3.06), ("reserved_1y", 1.836301), ("spot", 0.3978)]


def test_next_page_link_is_followed(fetched):
    h100 = offer(fetched, "eastus", "Standard_ND96isr_H100_v5", "on_demand")
    # 8 x H100 at 98.32 USD/h: 98.32 / 8 = 12.29 USD per GPU-hour
    assert h100.usd_per_gpu_hour == pytest.approx(12.29)


def test_a_non_primary_meter_is_not_the_regions_price(fetched):
    # page 1 lists NC24ads A100 v4 at 3.40 with isPrimaryMeterRegion false, page 2 the primary meter at 3.673
    assert offer(fetched, "eastus", "Standard_NC24ads_A100_v4", "on_demand").usd_per_hour == pytest.approx(3.673)


def test_one_size_at_two_prices_is_ambiguous_and_refused():
    item = {"type": "Consumption", "serviceName": "Virtual Machines", "armSkuName": "Standard_NC24ads_A100_v4",
            "meterName": "NC24ads A100 v4", "skuName": "NC24ads A100 v4", "productName": "Virtual Machines NCads A100 v4 "
            "Series", "armRegionName": "eastus", "location": "US East", "currencyCode": "USD", "unitOfMeasure": "1 Hour",
            "isPrimaryMeterRegion": True}
    result = azure.parse_items([{**item, "retailPrice": 3.673}, {**item, "retailPrice": 3.40},
                                {**item, "retailPrice": 3.673, "meterName": "NC24ads A100 v4 Spot"}], "2025-01-01")
    assert [(r.pricing, r.usd_per_hour) for r in result.rows] == [("spot", 3.673)]
    assert result.skipped == {"ambiguous_match": 2}


def test_windows_cloud_services_and_win_meters_are_not_linux():
    base = {"type": "Consumption", "serviceName": "Virtual Machines", "armSkuName": "Standard_NC6s_v3",
            "skuName": "NC6s v3", "armRegionName": "eastus", "location": "US East", "currencyCode": "USD",
            "unitOfMeasure": "1 Hour", "retailPrice": 3.428, "isPrimaryMeterRegion": True}
    items = [{**base, "meterName": "NC6s v3 Win", "productName": "Virtual Machines NCSv3 Series"},
             {**base, "meterName": "NC6s v3", "productName": "Cloud Services NCSv3 Series"},
             {**base, "meterName": "NC6s v3", "productName": "Virtual Machines NCSv3 Series Windows"},
             # Azure abbreviates newer product names: "Virtual Machines NCCadsv5 Srs Win" is the Windows product
             {**base, "meterName": "NC6s v3", "productName": "Virtual Machines NCSv3 Srs Win"}]
    result = azure.parse_items(items, "2025-01-01")
    assert result.rows == [] and result.skipped == {"not_linux_vm": 4}


def test_throttled_region_is_retried_and_failing_region_reported(fetched, sleeps):
    # westus2's 429 once: 1 s; southcentralus's 500 on every try: 1, 2, 4, 8 s, then the region fails
    assert sleeps == [1.0, 1.0, 2.0, 4.0, 8.0]
    assert offer(fetched, "westus2", "Standard_NC6s_v3", "spot").usd_per_hour == pytest.approx(0.35343)
    assert len(fetched.failures) == 1
    assert fetched.failures[0].startswith("azure southcentralus: retail prices: AzureThrottled: 500")
    assert not [row for row in fetched.rows if row.region == "southcentralus"]


def test_unmapped_size_is_counted_and_named(fetched):
    assert fetched.unmapped == {"Standard_NC6": 1}
    # the Windows meter and the non-primary NC24ads A100 v4 meter are not Linux VM prices
    assert fetched.skipped == {"unmapped_gpu": 1, "not_linux_vm": 2}
    # eastus: NC6s v3 x3 (with the 1-year reservation), NC24ads A100 v4 x2, ND96isr H100 v5 x1; westus2: NC6s v3 x2
    assert len(fetched.rows) == 8


def test_malformed_items_are_skipped_by_reason_never_stored_as_zero():
    result = azure.parse_items(load("azure_malformed.json")["Items"], "2025-01-01")
    assert result.rows == []
    assert result.skipped == {
        "missing_price": 1,
        "non_numeric_price": 1,
        "non_usd_currency": 1,
        "unknown_region": 1,
        "non_positive_price": 1,
    }


def test_filter_names_the_gpu_families_and_region():
    text = azure.odata_filter("eastus")
    assert "serviceName eq 'Virtual Machines'" in text
    assert "priceType eq 'Consumption'" in text
    assert "contains(armSkuName, 'Standard_NC')" in text
    assert text.endswith("armRegionName eq 'eastus'")


def test_every_size_series_is_in_the_accelerator_map():
    from pricing.accelerators import accelerator_map, azure_sizes

    series = accelerator_map("azure", "series")
    assert all(size.series in series for size in azure_sizes().values())


def test_secret_in_env_is_in_no_log_and_no_row(monkeypatch, caplog, sleeps):
    secret = "FAKESECRET-trainplan-1234"
    monkeypatch.setenv("AZURE_CLIENT_SECRET", secret)
    with responses.RequestsMock() as served, caplog.at_level(logging.DEBUG):
        served.get(URL, json=load("azure_westus2.json"))
        result = azure.fetch(requests.Session(), ["westus2"], sleep=sleeps.append)
    assert len(result.rows) == 2
    assert secret not in caplog.text
    assert all(secret not in json.dumps(row.as_record()) for row in result.rows)
