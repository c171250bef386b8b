"""A refresh only improves the cache: it replaces what its fetcher covers, refuses truncated listings, keeps
overlapping updates, migrates older caches, sets aside bad rows and names offers as the shipped build does."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
import responses
from google.auth.credentials import AnonymousCredentials
from google.cloud import billing_v1
from test_pricing_azure import URL, URL_443, query_is

from planner import api
from pricing import cache, gcp, refresh
from pricing.store import (
    current_anomalies,
    current_offers,
    current_snapshots,
    set_aside_if_damaged,
    user_cache_path,
)

DATA = Path(__file__).parent / "data"
GCP_SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
NO_WAIT = {"azure": {"sleep": [].append}}


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def gcp_refresh(**kwargs) -> refresh.RefreshReport:
    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page1.json"))
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page2.json"))
        served.get(GCP_SKUS_URL.replace("6F81-5844-456A", "E000-3F24-B8AA"), json={"skus": []})  # no TPU SKUs
        return refresh.refresh(["gcp"], clients={"gcp": client}, **kwargs)


def test_gcp_refresh_keeps_every_tpu_row_and_every_shape_it_does_not_model():
    before = current_offers()
    before = before[before.provider == "gcp"]
    report = gcp_refresh(accept_fewer_rows=True)
    assert report.providers[0].outcome == "written"
    after = current_offers()
    after = after[after.provider == "gcp"]
    key = ["region", "instance_type", "pricing"]
    kept_before = before[~gcp.covers(before)].sort_values(key).reset_index(drop=True)
    kept_after = after[~gcp.covers(after)].sort_values(key).reset_index(drop=True)
    assert (kept_before.instance_type.str.startswith("tpu-")).sum() == 85
    pd.testing.assert_frame_equal(kept_before, kept_after)  # TPUs, a3-ultragpu, ...: same rows, same prices


def test_a_truncated_listing_is_refused_and_loses_nothing():
    before = current_offers()
    report = gcp_refresh()  # 29 VMs against the ~640 shipped rows they would replace
    done = report.providers[0]
    assert done.outcome == "kept previous" and done.message.startswith("truncated listing refused: 29 rows fetched")
    pd.testing.assert_frame_equal(current_offers(), before)
    assert current_snapshots().set_index("provider").loc["gcp", "origin"] == "shipped"


def test_refreshed_n1_offers_are_compared_with_the_shipped_ones_by_the_same_name():
    gcp_refresh(accept_fewer_rows=True)
    changes = api.price_changes("gcp")
    v100 = changes[(changes.region == "us-central1") & (changes.instance_type == "n1-highmem-8+1xV100")]
    # shipped 2.95321 (SkyPilot host 0.47321 + V100 2.48); refreshed 2.953212: the same offer, not removed + added
    assert set(v100.change) <= {"changed"}
    # no VM is both "removed" under one name and "added" under another in the same region
    removed = changes[changes.change == "removed"][["region", "gpu", "pricing"]]
    added = changes[changes.change == "added"][["region", "gpu", "pricing"]]
    assert removed.merge(added).empty


def _westus2_page(price: float) -> dict:
    item = {"currencyCode": "USD", "retailPrice": price, "unitPrice": price, "armRegionName": "westus2",
            "location": "US West 2", "meterName": "NC24ads A100 v4", "productName": "Virtual Machines NCads A100 v4 "
            "Series", "skuName": "NC24ads A100 v4", "serviceName": "Virtual Machines", "unitOfMeasure": "1 Hour",
            "type": "Consumption", "isPrimaryMeterRegion": True, "armSkuName": "Standard_NC24ads_A100_v4"}
    return {"BillingCurrency": "USD", "Items": [item], "NextPageLink": None, "Count": 1}


def test_two_overlapping_refreshes_keep_both_updates(monkeypatch):
    """Refresh A (eastus) holds its write transaction while refresh B (westus2) runs in another thread.

    B must wait for A's commit and merge onto it; had B read the previous snapshot outside its write
    transaction it would have merged onto the shipped prices and A's eastus update would be lost.
    """
    original = refresh.check_offers
    other: dict[str, object] = {}

    def run_b() -> None:
        other["report"] = refresh.refresh(["azure"], ["westus2"], clients={"azure": requests.Session()},
                                          fetch_options=NO_WAIT, accept_fewer_rows=True)

    def checks_while_b_starts(*args, **kwargs):
        if "thread" not in other:
            other["thread"] = threading.Thread(target=run_b)
            other["thread"].start()
            time.sleep(0.5)  # B fetches, then blocks on BEGIN IMMEDIATE until A commits
        return original(*args, **kwargs)

    monkeypatch.setattr(refresh, "check_offers", checks_while_b_starts)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as served:
        served.get(URL, json=load("azure_eastus_page1.json"), match=[query_is("eastus")])
        served.get(URL_443, json=load("azure_eastus_page2.json"), match=[query_is("eastus", "100")])
        served.get(URL, json=_westus2_page(3.70), match=[query_is("westus2")])
        first = refresh.refresh(["azure"], ["eastus"], clients={"azure": requests.Session()}, fetch_options=NO_WAIT,
                                accept_fewer_rows=True)
        other["thread"].join(timeout=60)
    second = other["report"]
    assert first.ok and second.ok
    assert second.providers[0].snapshot_id > first.providers[0].snapshot_id  # B committed after A
    offers = current_offers().set_index(["provider", "region", "instance_type", "pricing"])
    assert offers.loc[("azure", "eastus", "Standard_NC24ads_A100_v4", "on_demand"), "usd_per_hour"] == 3.673  # A's
    assert offers.loc[("azure", "westus2", "Standard_NC24ads_A100_v4", "on_demand"), "usd_per_hour"] == 3.70  # B's


# The layout a cache had before schema versions (trainplan before issue 15): no user_version, no source_date.
_V1_DDL = """
CREATE TABLE price_snapshots (snapshot_id INTEGER PRIMARY KEY, provider TEXT NOT NULL, fetched_at TEXT NOT NULL,
    source TEXT NOT NULL, row_count INTEGER NOT NULL, complete INTEGER NOT NULL DEFAULT 0);
CREATE TABLE offers (snapshot_id INTEGER NOT NULL, provider TEXT NOT NULL, region TEXT NOT NULL, location TEXT,
    instance_type TEXT NOT NULL, gpu TEXT NOT NULL, gpu_count REAL NOT NULL, vcpus REAL, memory_gib REAL,
    pricing TEXT NOT NULL, usd_per_hour REAL NOT NULL, usd_per_gpu_hour REAL NOT NULL, fetched_at TEXT NOT NULL,
    source TEXT NOT NULL);
INSERT INTO price_snapshots VALUES (1, 'aws', '2026-11-30T00:00:00+00:00', 'an older trainplan', 1, 1);
INSERT INTO offers VALUES (1, 'aws', 'us-east-1', 'US East', 'p3.2xlarge', 'v100-sxm2-16gb', 1, 8, 61, 'on_demand',
    3.06, 3.06, '2026-11-30T00:00:00+00:00', 'an older trainplan');
"""


def test_a_cache_written_by_an_older_schema_is_read_and_migrated():
    path = user_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(_V1_DDL)
    conn.close()
    offers = current_offers()
    assert offers[offers.provider == "aws"].instance_type.tolist() == ["p3.2xlarge"]  # read as it is
    conn = cache.open_for_write(path)  # what a refresh opens: migrated in place
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == cache.SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(price_snapshots)")}
        assert "source_date" in columns
        assert cache.newest_offers_of(conn, "aws")[1].usd_per_hour.tolist() == [3.06]
    finally:
        conn.close()


def test_a_cache_written_by_a_newer_schema_is_set_aside_not_misread():
    path = user_cache_path()
    conn = cache.open_for_write(path)
    conn.execute(f"PRAGMA user_version = {cache.SCHEMA_VERSION + 1}")
    conn.close()
    message = set_aside_if_damaged(path)
    assert message and "written by a newer trainplan (schema version 3" in message
    assert not path.exists()
    assert set(current_snapshots().origin) == {"shipped"}


def test_a_refresh_sets_aside_bad_rows_and_status_lists_them():
    # eastus page 1 + 2 and a constructed westus2 page whose NC24ads A100 v4 spot (4.0) is above its on-demand (3.7)
    page = _westus2_page(3.70)
    page["Items"].append({**page["Items"][0], "meterName": "NC24ads A100 v4 Spot", "skuName": "NC24ads A100 v4 Spot",
                          "retailPrice": 4.0, "unitPrice": 4.0})
    with responses.RequestsMock() as served:
        served.get(URL, json=page, match=[query_is("westus2")])
        report = refresh.refresh(["azure"], ["westus2"], clients={"azure": requests.Session()}, fetch_options=NO_WAIT,
                                 accept_fewer_rows=True)
    assert report.providers[0].anomalies == 2 and report.providers[0].rows_restored == 2
    # the bad new pair is set aside and the previous (shipped) pair stays in use: 3.673 on-demand, 0.615962 spot
    offers = current_offers().set_index(["provider", "region", "instance_type", "pricing"])
    assert offers.loc[("azure", "westus2", "Standard_NC24ads_A100_v4", "on_demand"), "usd_per_hour"] == 3.673
    assert offers.loc[("azure", "westus2", "Standard_NC24ads_A100_v4", "spot"), "usd_per_hour"] == 0.615962
    listed = current_anomalies()
    mine = listed[(listed.origin == "user cache") & (listed.region == "westus2")]
    assert sorted(zip(mine.pricing, mine.usd_per_hour, strict=True)) == [("on_demand", 3.70), ("spot", 4.0)]
    assert set(mine.reason) == {"spot above on-demand (both rows set aside); the previous snapshot's price is kept"}


def test_an_ambiguous_azure_meter_keeps_the_previous_price_and_is_listed():
    # westus2 NC24ads A100 v4 on-demand at 3.70 and at 3.90 (two primary Linux meters): which is the price?
    page = _westus2_page(3.70)
    page["Items"].append({**page["Items"][0], "retailPrice": 3.90, "unitPrice": 3.90})
    page["Items"].append({**page["Items"][0], "retailPrice": 7.346, "unitPrice": 7.346, "meterName": "NC48ads A100 v4",
                          "skuName": "NC48ads A100 v4", "armSkuName": "Standard_NC48ads_A100_v4"})
    with responses.RequestsMock() as served:
        served.get(URL, json=page, match=[query_is("westus2")])
        report = refresh.refresh(["azure"], ["westus2"], clients={"azure": requests.Session()}, fetch_options=NO_WAIT,
                                 accept_fewer_rows=True)
    done = report.providers[0]
    assert done.outcome == "written" and done.rows_restored == 1 and done.skipped["ambiguous_match"] == 2
    offers = current_offers().set_index(["provider", "region", "instance_type", "pricing"])
    assert offers.loc[("azure", "westus2", "Standard_NC24ads_A100_v4", "on_demand"), "usd_per_hour"] == 3.673  # shipped
    listed = current_anomalies()
    mine = listed[(listed.origin == "user cache") & (listed.instance_type == "Standard_NC24ads_A100_v4")]
    assert mine.reason.tolist() == ["ambiguous: 2 meters at different prices (3.7, 3.9 USD/h); the previous "
                                    "snapshot's price is kept"]


def test_an_ambiguous_gcp_gpu_sku_keeps_the_previous_vm_prices():
    # A second V100 OnDemand SKU at 1.48 beside the 2.48 one: every on-demand N1 + V100 VM in its regions is
    # refused by the fetcher, and the refresh keeps the shipped prices of those VMs instead of dropping them.
    page1 = load("gcp_skus_page1.json")
    v100 = next(s for s in page1["skus"] if s["description"] == "Nvidia Tesla V100 GPU running in Americas")
    other = json.loads(json.dumps(v100))
    other["skuId"], other["description"] = "0000-0000-0001", "Nvidia Tesla V100 GPU running in the Americas"
    other["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["units"] = "1"
    page1["skus"].append(other)
    before = current_offers().set_index(["provider", "region", "instance_type", "pricing"])
    key = ("gcp", "us-central1", "n1-highmem-8+1xV100", "on_demand")
    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        served.get(GCP_SKUS_URL, json=page1)
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page2.json"))
        served.get(GCP_SKUS_URL.replace("6F81-5844-456A", "E000-3F24-B8AA"), json={"skus": []})
        report = refresh.refresh(["gcp"], clients={"gcp": client}, accept_fewer_rows=True)
    done = report.providers[0]
    assert done.outcome == "written" and done.rows_restored > 0
    after = current_offers().set_index(["provider", "region", "instance_type", "pricing"])
    # shipped n1-highmem-8 + 1 V100 us-central1: 0.47321 host + 2.48 GPU = 2.95321 (kept, not dropped)
    assert after.loc[key, "usd_per_hour"] == before.loc[key, "usd_per_hour"] == pytest.approx(2.95321)
    assert after.loc[key, "fetched_at"] == before.loc[key, "fetched_at"]
    listed = current_anomalies()
    mine = listed[(listed.origin == "user cache") & (listed.instance_type == "n1-highmem-8+1xV100")
                  & (listed.region == "us-central1") & (listed.pricing == "on_demand")]
    assert mine.reason.tolist() == ["ambiguous: 2 gpu SKUs for nvidia v100 gpu at different prices (1.48, 2.48); the previous "
                                    "snapshot's price is kept"]


def test_status_anomalies_lists_the_shipped_gcp_rows_set_aside(capsys):
    from planner.cli import main

    assert main(["prices", "status", "--anomalies", "--provider", "gcp", "--format", "csv"]) == 0
    import io

    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    h100 = table[(table.instance_type == "a3-highgpu-8g") & (table.pricing == "on_demand")
                 & table.reason.str.match("GCP GPU part|on-demand outside")]
    # the SkyPilot A3 High on-demand rows at the DWS price (about 5.5-5.7 USD per H100-hour) are listed, never used
    assert len(h100) >= 6 and (h100.usd_per_gpu_hour < 6).all() and set(table.origin) == {"shipped"}
