"""pricing.refresh: stubbed provider APIs -> one snapshot per provider in the user cache -> current_offers()."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import requests
import responses
from google.auth.credentials import AnonymousCredentials
from google.cloud import billing_v1
from test_pricing_aws import StubbedSession, product_params, spot_params

from planner.errors import PlanError
from pricing import aws, azure, gcp, gcp_tpu, refresh
from pricing.cache import write_snapshot
from pricing.schema import OFFER_COLUMNS
from pricing.store import current_offers, current_snapshots, open_user_cache_for_write, user_cache_path

# A fetch date newer than the shipped snapshot yet not in the future (a future date is refused as impossible).
RECENT = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")

DATA = Path(__file__).parent / "data"
GCP_SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
GCP_TPU_SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/E000-3F24-B8AA/skus"
AZURE_URL = azure.RETAIL_PRICES_URL
AZURE_URL_443 = "https://prices.azure.com:443/api/retail/prices"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture(autouse=True)
def hermetic_aws_env(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKETRAINPLAN0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def us_east_1_session() -> StubbedSession:
    """us-east-1 only: price list over two pages, spot over two pages."""
    session = StubbedSession()
    pricing = session.stub("pricing", "us-east-1")
    pricing.add_response("get_products", load("aws_get_products_us_east_1_page1.json"), product_params("us-east-1"))
    pricing.add_response("get_products", load("aws_get_products_us_east_1_page2.json"),
                         product_params("us-east-1", "eyJwYWdlIjogMn0="))
    east = session.stub("ec2", "us-east-1")
    east.add_response("describe_spot_price_history", load("ec2_spot_us_east_1_page1.json"),
                      spot_params(["p3.2xlarge", "p4d.24xlarge"]))
    east.add_response("describe_spot_price_history", load("ec2_spot_us_east_1_page2.json"),
                      spot_params(["p3.2xlarge", "p4d.24xlarge"], "c3BvdC1wYWdlLTI="))
    return session


def refresh_aws_us_east_1() -> refresh.RefreshReport:
    session = us_east_1_session()
    # the payload's 6 offers replace ~90 shipped us-east-1 rows: a real listing would be refused as truncated
    report = refresh.refresh(["aws"], ["us-east-1"], clients={"aws": session}, fetch_options={"aws": {"sleep": [].append}},
                             accept_fewer_rows=True)
    session.assert_all_answered()
    return report


def one(offers: pd.DataFrame, provider: str, region: str, instance_type: str, pricing: str) -> pd.Series:
    hit = offers[(offers.provider == provider) & (offers.region == region) & (offers.instance_type == instance_type)
                 & (offers.pricing == pricing)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def shipped_aws() -> pd.DataFrame:
    offers = current_offers()
    return offers[offers.provider == "aws"]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_refreshed_p4d_on_demand_row_reads_back_with_the_payload_price():
    report = refresh_aws_us_east_1()
    assert report.ok and report.providers[0].outcome == "written"
    row = one(current_offers(), "aws", "us-east-1", "p4d.24xlarge", "on_demand")
    # payload: 32.7726 USD/h for 8 x A100 40 GB -> 32.7726 / 8 = 4.096575 USD per GPU-hour
    assert row.usd_per_hour == pytest.approx(32.7726)
    assert row.usd_per_gpu_hour == pytest.approx(4.096575)
    assert row.gpu == "a100-sxm4-40gb" and row.source == aws.SOURCE_PRICE_LIST
    in_use = current_snapshots().set_index("provider")
    assert in_use.loc["aws", "origin"] == "user cache"
    assert in_use.loc["gcp", "origin"] == "shipped"


def test_region_refresh_replaces_that_region_and_carries_the_others_forward():
    before = shipped_aws()
    report = refresh_aws_us_east_1()
    after = current_offers()
    after = after[after.provider == "aws"]
    fresh = after[after.region == "us-east-1"]
    # us-east-1 now holds only the payload's offers: p4d x4 (on-demand, 1y, 3y, spot) + p3.2xlarge x2
    assert sorted(zip(fresh.instance_type, fresh.pricing, strict=True)) == [
        ("p3.2xlarge", "on_demand"), ("p3.2xlarge", "spot"), ("p4d.24xlarge", "on_demand"),
        ("p4d.24xlarge", "reserved_1y"), ("p4d.24xlarge", "reserved_3y"), ("p4d.24xlarge", "spot")]
    others = before[before.region != "us-east-1"]
    assert len(after) == len(others) + 6
    assert report.providers[0].rows_carried == len(others) and report.providers[0].rows_fetched == 6
    carried = after[after.region != "us-east-1"].sort_values(["region", "instance_type", "pricing"])
    expected = others.sort_values(["region", "instance_type", "pricing"])
    assert carried.usd_per_hour.tolist() == expected.usd_per_hour.tolist()
    assert set(carried.fetched_at) == set(expected.fetched_at)  # carried rows keep their own, older date


def test_gcp_v100_sku_reaches_the_cache_as_a_whole_vm_price():
    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page1.json"))
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page2.json"))
        served.get(GCP_TPU_SKUS_URL, json={"skus": []})  # no TPU SKUs: every shipped TPU row is carried forward
        report = refresh.refresh(["gcp"], clients={"gcp": client}, accept_fewer_rows=True)
    assert report.providers[0].outcome == "written"
    offers = current_offers()
    row = one(offers, "gcp", "us-central1", "n1-highmem-8+1xV100", "on_demand")
    # 8 vCPU x 0.031611 + 52 GiB x 0.004237 + 1 x V100 (units 2 + nanos 0.48) = 0.252888 + 0.220324 + 2.48
    assert row.usd_per_hour == pytest.approx(2.953212)
    # every region refreshed: the fetcher's VM shapes are the payload's 29 VMs (24 V100 on N1 + 5 A100 on A2);
    # every shipped row it does not model (TPUs, a3-ultragpu, ...) is carried forward unchanged
    gcp_rows = offers[offers.provider == "gcp"]
    fetched = gcp_rows[gcp.covers(gcp_rows)]
    assert len(fetched) == 29 and report.providers[0].rows_fetched == 29
    assert len(gcp_rows) == 29 + report.providers[0].rows_carried
    assert report.providers[0].unmapped == Counter({"Nvidia Tesla K80 GPU": 1})


def test_gcp_refresh_prices_tpu_slices_from_skus_and_keeps_tpu_families_it_does_not_cover():
    shipped = current_offers()
    shipped_tpus = shipped[(shipped.provider == "gcp") & shipped.gpu.str.startswith("tpu-")]
    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page1.json"))
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page2.json"))
        served.get(GCP_TPU_SKUS_URL, json=load("gcp_skus_tpu.json"))  # constructed, tests/data/README.md
        report = refresh.refresh(["gcp"], clients={"gcp": client}, accept_fewer_rows=True)
    assert report.providers[0].outcome == "written", report.providers[0].message
    offers = current_offers()
    tpus = offers[(offers.provider == "gcp") & offers.gpu.str.startswith("tpu-")]
    # priced from the SKUs: v2-8 is one device SKU (shipped 4.50 and 1.35 before); v5litepod-1 one chip SKU
    # (shipped 1.38948 before), v5litepod-4 = 4 x 1.30 = 5.20
    assert one(offers, "gcp", "us-central1", "tpu-v2-8", "on_demand").usd_per_hour == pytest.approx(4.60)
    assert one(offers, "gcp", "us-central1", "tpu-v2-8", "spot").usd_per_hour == pytest.approx(1.38)
    assert one(offers, "gcp", "asia-east1", "tpu-v5litepod-1", "on_demand").usd_per_hour == pytest.approx(1.30)
    assert one(offers, "gcp", "asia-east1", "tpu-v5litepod-4", "on_demand").usd_per_hour == pytest.approx(5.20)
    # the refresh covers tpu-v2-8 and v5litepod-1/4/8 (the families it priced): shipped rows of those slices in
    # regions the SKUs no longer list are gone (v2-8 asia-east1 5.22, europe-west4 4.95; v5e europe-west1 ...)
    assert not ((tpus.instance_type == "tpu-v2-8") & (tpus.region == "asia-east1")).any()
    assert not ((tpus.instance_type == "tpu-v5litepod-1") & (tpus.region == "europe-west1")).any()
    # everything else TPU is carried forward unchanged: v3 (no v3 SKU listed), v4 and v2 pods (unit not modelled)
    def kept(rows):
        rows = rows[~rows.instance_type.isin(gcp_tpu.slice_names())]
        return rows.sort_values(["region", "instance_type", "pricing"])[["region", "instance_type", "pricing",
                                                                          "usd_per_hour", "fetched_at"]]
    before, after = kept(shipped_tpus), kept(tpus)
    assert len(before) > 0 and {"tpu-v3", "tpu-v4"} <= set(shipped_tpus.gpu)
    assert after.values.tolist() == before.values.tolist()
    v3 = shipped_tpus[shipped_tpus.gpu == "tpu-v3"].sort_values(["region", "instance_type", "pricing"])
    assert tpus[tpus.gpu == "tpu-v3"].sort_values(["region", "instance_type", "pricing"]).usd_per_hour.tolist() == \
        v3.usd_per_hour.tolist()


def azure_pages(served: responses.RequestsMock) -> None:
    served.get(AZURE_URL, json=load("azure_eastus_page1.json"))
    served.get(AZURE_URL_443, json=load("azure_eastus_page2.json"))
    served.get(AZURE_URL, json=load("azure_westus2.json"))
    served.get(AZURE_URL, status=500, body="upstream error")


def test_azure_nc_meter_is_stored_and_a_failed_region_keeps_its_previous_prices():
    shipped = current_offers()
    shipped_south = shipped[(shipped.provider == "azure") & (shipped.region == "southcentralus")]
    with responses.RequestsMock() as served:
        azure_pages(served)
        report = refresh.refresh(["azure"], ["eastus", "westus2", "southcentralus"], clients={"azure": requests.Session()},
                                 fetch_options={"azure": {"sleep": [].append}}, accept_fewer_rows=True)
    done = report.providers[0]
    assert done.outcome == "written" and done.kept_regions == ["southcentralus"]
    assert done.failures[0].startswith("azure southcentralus: retail prices: AzureThrottled: 500")  # after 5 tries
    offers = current_offers()
    row = one(offers, "azure", "eastus", "Standard_NC24ads_A100_v4", "on_demand")
    # NC24ads A100 v4: 1 x A100 PCIe 80 GB at 3.673 USD/h -> 3.673 USD per GPU-hour
    assert (row.usd_per_hour, row.usd_per_gpu_hour, row.gpu) == (pytest.approx(3.673), pytest.approx(3.673),
                                                                 "a100-pcie-80gb")
    # NC6s v3 retired on 2025-09-30: the API still lists it, the refresh sets it aside
    assert not (offers.instance_type == "Standard_NC6s_v3").any()
    south = offers[(offers.provider == "azure") & (offers.region == "southcentralus")]
    assert len(south) == len(shipped_south) > 0


def user_snapshot_of_shipped_aws() -> None:
    conn = open_user_cache_for_write()
    write_snapshot(conn, "aws", shipped_aws(), f"{RECENT}T00:00:00+00:00", "earlier refresh")
    conn.close()


def test_gcp_listing_broken_off_at_page_two_writes_nothing():
    user_snapshot_of_shipped_aws()
    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page1.json"))
        served.get(GCP_SKUS_URL, status=503, json={"error": {"code": 503, "message": "unavailable"}})
        report = refresh.refresh(["gcp"], clients={"gcp": client})
    assert report.providers[0].outcome == "kept previous"
    assert "nothing written" in report.providers[0].message
    in_use = current_snapshots().set_index("provider")
    assert in_use.loc["gcp", "origin"] == "shipped"
    assert integrity(user_cache_path()) == "ok"


class InterruptOnPage(requests.Session):
    """A real session that raises ``error`` when asked for page ``page``."""

    def __init__(self, page: int, error: BaseException) -> None:
        super().__init__()
        self.page, self.error, self.calls = page, error, 0

    def get(self, url, **kwargs):
        self.calls += 1
        if self.calls == self.page:
            raise self.error
        return super().get(url, **kwargs)


def test_bad_payload_inside_page_two_leaves_the_previous_snapshot_newest():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        azure_pages(served)
        first = refresh.refresh(["azure"], ["eastus"], clients={"azure": requests.Session()}, accept_fewer_rows=True)
    before = current_snapshots().set_index("provider").loc["azure"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        azure_pages(served)
        second = refresh.refresh(["azure"], ["eastus"], clients={"azure": InterruptOnPage(2, KeyError("Items"))})
    assert second.providers[0].outcome == "error" and "KeyError" in second.providers[0].message
    after = current_snapshots().set_index("provider").loc["azure"]
    assert after.snapshot_id == before.snapshot_id == first.providers[0].snapshot_id
    assert integrity(user_cache_path()) == "ok"


def test_ctrl_c_inside_page_two_leaves_the_previous_snapshot_newest_and_readable():
    user_snapshot_of_shipped_aws()
    before = current_offers()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as served:
        azure_pages(served)
        with pytest.raises(refresh.RefreshInterrupted) as raised:
            refresh.refresh(["azure"], ["eastus"], clients={"azure": InterruptOnPage(2, KeyboardInterrupt())})
    assert isinstance(raised.value, KeyboardInterrupt)
    assert [p.outcome for p in raised.value.report.providers] == ["interrupted"]
    pd.testing.assert_frame_equal(current_offers(), before)
    assert integrity(user_cache_path()) == "ok"


def test_no_credentials_is_one_line_and_the_shipped_snapshot_stays(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    report = refresh.refresh(["aws"], ["us-east-1"])
    assert report.providers[0].outcome == "no credentials"
    assert report.lines() == [aws.CREDENTIALS_MESSAGE]
    assert not report.ok
    assert current_snapshots().set_index("provider").loc["aws", "origin"] == "shipped"


def test_unknown_provider_or_region_is_refused_before_any_call():
    with pytest.raises(PlanError, match="provider 'oracle': not allowed; allowed: aws, gcp, azure"):
        refresh.refresh(["oracle"])
    with pytest.raises(PlanError, match="region 'us-east-9': unknown"):
        refresh.refresh(["aws"], ["us-east-9"])


def test_regions_pick_their_providers_when_none_is_named():
    assert refresh.plan_regions(None, ["us-east-1", "eastus"]) == {"aws": ["us-east-1"], "azure": ["eastus"]}
    assert refresh.plan_regions(["gcp"], None) == {"gcp": None}


def row(**changes) -> dict:
    base = dict(provider="aws", region="us-east-1", location="", instance_type="p3.2xlarge", gpu="v100-sxm2-16gb",
                gpu_count=1.0, vcpus=8.0, memory_gib=61.0, pricing="on_demand", usd_per_hour=3.06,
                usd_per_gpu_hour=3.06, fetched_at="2026-11-25", source="test")
    return {**base, **changes}


def test_rows_that_slip_past_a_parser_are_refused_by_reason_never_stored():
    frame = pd.DataFrame([
        row(),
        row(instance_type="p3.8xlarge", usd_per_hour=0.0),
        row(instance_type="p3.16xlarge", usd_per_hour=float("nan")),
        row(instance_type="x", pricing="hourly"),
        row(instance_type="y", gpu="v101"),
        row(instance_type="z", provider="gcp"),
        row(instance_type="w", gpu_count=0.0),
        row(usd_per_hour=9.99),  # same (region, instance_type, pricing) as the first: a duplicate
        row(instance_type="", usd_per_hour=1.0),
    ], columns=list(OFFER_COLUMNS))
    kept, refused = refresh.valid_offers(frame, "aws", ["v100-sxm2-16gb"])
    assert kept.instance_type.tolist() == ["p3.2xlarge"] and kept.usd_per_hour.tolist() == [3.06]
    assert refused == Counter({"bad_price": 2, "unknown_pricing": 1, "gpu_not_in_catalog": 1, "wrong_provider": 1,
                               "bad_gpu_count": 1, "duplicate_offer": 1, "missing_field": 1})


def test_usd_per_gpu_hour_is_recomputed_from_the_instance_price():
    kept, _ = refresh.valid_offers(pd.DataFrame([row(gpu_count=8.0, usd_per_hour=32.7726, usd_per_gpu_hour=1.0)]),
                                   "aws", ["v100-sxm2-16gb"])
    # 32.7726 / 8 = 4.096575
    assert kept.usd_per_gpu_hour.tolist() == [pytest.approx(4.096575)]


def test_failure_lines_name_a_region_or_fail_the_whole_provider():
    regions, whole = refresh.failed_regions([
        "aws eu-west-1: get_products: InternalErrorException: internal error",
        "aws all regions: get_products: ThrottlingException: Rate exceeded",
        "gcp: skus.list after 6 SKUs: ServiceUnavailable: 503",
    ], "aws")
    assert regions == {"eu-west-1"}
    assert len(whole) == 2


def test_failed_region_keeps_previous_rows_only_for_pricing_models_it_did_not_refresh():
    previous = pd.DataFrame([row(region="ap-east-1", pricing="on_demand", usd_per_hour=1.0),
                             row(region="ap-east-1", pricing="spot", usd_per_hour=0.5),
                             row(region="us-west-2", pricing="on_demand", usd_per_hour=2.0)])
    fresh = pd.DataFrame([row(region="ap-east-1", pricing="on_demand", usd_per_hour=1.1)])
    merged, carried = refresh.merge_with_previous(fresh, previous, {"ap-east-1"}, {"ap-east-1"})
    # ap-east-1 on-demand is fresh (1.1); its spot call failed, so the old 0.5 stays; us-west-2 was not asked for
    assert sorted(zip(merged.region, merged.pricing, merged.usd_per_hour, strict=True)) == [
        ("ap-east-1", "on_demand", 1.1), ("ap-east-1", "spot", 0.5), ("us-west-2", "on_demand", 2.0)]
    assert len(carried) == 2


def test_refreshed_region_that_lost_an_offer_drops_it():
    previous = pd.DataFrame([row(instance_type="p3.2xlarge"), row(instance_type="p2.xlarge", gpu="v100-sxm2-16gb")])
    fresh = pd.DataFrame([row(instance_type="p3.2xlarge", usd_per_hour=3.0)])
    merged, carried = refresh.merge_with_previous(fresh, previous, None, set())
    assert merged.instance_type.tolist() == ["p3.2xlarge"] and carried.empty
