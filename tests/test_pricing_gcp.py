"""pricing.gcp against a real CloudCatalogClient on the REST transport, served by `responses` (tests/data/gcp_*)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import responses
from google.auth.credentials import AnonymousCredentials
from google.cloud import billing_v1

from pricing import gcp, gcp_tpu
from pricing.fetch_result import PricingCredentialsError, SkipItem

DATA = Path(__file__).parent / "data"
SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
TPU_SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/E000-3F24-B8AA/skus"
NO_SKUS = {"skus": []}


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def page_token_is(expected: str | None):
    """A `responses` matcher on the skus.list pageToken query parameter (None: no token)."""

    def match(request):
        tokens = parse_qs(urlparse(request.url).query).get("pageToken")
        found = tokens[0] if tokens else None
        return found == expected, f"pageToken {found!r} != {expected!r}"

    return match


@pytest.fixture
def client() -> billing_v1.CloudCatalogClient:
    return billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())


@pytest.fixture
def two_pages():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as served:
        served.get(SKUS_URL, json=load("gcp_skus_page1.json"), match=[page_token_is(None)])
        served.get(SKUS_URL, json=load("gcp_skus_page2.json"), match=[page_token_is("Q0FFU0FBPT0")])
        served.get(TPU_SKUS_URL, json=NO_SKUS)
        yield served


@pytest.fixture
def fetched(client, two_pages):
    return gcp.fetch(client, fetched_at="2025-01-01T00:00:00+00:00")


def offer(result, region: str, instance_type: str, pricing: str):
    matches = [
        row for row in result.rows
        if (row.region, row.instance_type, row.pricing) == (region, instance_type, pricing)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def unit_price(result, component: str, name: str, pricing: str, region: str) -> float:
    prices = result.raw
    selected = prices[
        (prices.component == component) & (prices.name == name) & (prices.pricing == pricing)
        & (prices.region == region)
    ]
    assert len(selected) == 1
    return float(selected.usd_per_unit.iloc[0])


def test_v100_sku_price_is_units_plus_nanos(fetched):
    # units "2" + nanos 480000000 / 1e9 = 2.48 USD per GPU-hour; Preemptible 1 + 0.2338 = 1.2338
    assert unit_price(fetched, "gpu", "nvidia v100 gpu", "on_demand", "us-central1") == pytest.approx(2.48)
    assert unit_price(fetched, "gpu", "nvidia v100 gpu", "spot", "us-east1") == pytest.approx(1.2338)


def test_one_sku_with_three_service_regions_gives_three_rows(fetched):
    regions = sorted(row.region for row in fetched.rows
                     if row.instance_type == "n1-highmem-8+1xV100" and row.pricing == "on_demand")
    assert regions == ["us-central1", "us-east1", "us-west1"]


def test_v100_vm_price_is_host_cores_plus_ram_plus_gpu(fetched):
    row = offer(fetched, "us-central1", "n1-highmem-8+1xV100", "on_demand")
    # n1-highmem-8: 8 vCPU x 0.031611 + 52 GiB x 0.004237 = 0.252888 + 0.220324 = 0.473212 (the shipped
    # catalog's n1-highmem-8 us-central1 price is 0.47321); + 1 x V100 2.48 = 2.953212 USD/h
    assert row.usd_per_hour == pytest.approx(2.953212)
    assert row.gpu == "v100-sxm2-16gb" and row.gpu_count == 1
    assert (row.vcpus, row.memory_gib) == (8, 52)


def test_multi_gpu_n1_vm_counts_every_gpu(fetched):
    row = offer(fetched, "us-west1", "n1-highmem-16+2xV100", "on_demand")
    # 16 x 0.031611 + 104 x 0.004237 + 2 x 2.48 = 0.505776 + 0.440648 + 4.96 = 5.906424 USD/h
    assert row.usd_per_hour == pytest.approx(5.906424)
    # per GPU: 5.906424 / 2 = 2.953212
    assert row.usd_per_gpu_hour == pytest.approx(2.953212)


def test_spot_vm_uses_preemptible_host_and_gpu_skus(fetched):
    row = offer(fetched, "us-central1", "n1-highmem-8+1xV100", "spot")
    # 8 x 0.0066 + 52 x 0.00204 + 1.2338 = 0.0528 + 0.10608 + 1.2338 = 1.39268 USD/h
    assert row.usd_per_hour == pytest.approx(1.39268)


def test_a2_vm_price_matches_published_a2_highgpu_1g(fetched):
    row = offer(fetched, "us-central1", "a2-highgpu-1g", "on_demand")
    # 12 x 0.031611 + 85 x 0.004237 + 2.933908 = 0.379332 + 0.360145 + 2.933908 = 3.673385 USD/h
    # (shared/data/prices/README.md: host 0.73948 + A100 2.93391 = 3.67339)
    assert row.usd_per_hour == pytest.approx(3.673385)
    assert row.gpu == "a100-sxm4-40gb"
    sixteen = offer(fetched, "us-central1", "a2-megagpu-16g", "on_demand")
    # 96 x 0.031611 + 1360 x 0.004237 + 16 x 2.933908 = 3.034656 + 5.76232 + 46.942528 = 55.739504
    assert sixteen.usd_per_hour == pytest.approx(55.739504)
    assert sixteen.gpu_count == 16


def test_offer_count_and_no_a2_spot_without_preemptible_skus(fetched):
    # V100 on N1: 4 shapes x 3 regions x 2 pricings = 24; A100 on A2: 5 shapes x 1 region on-demand = 5
    assert len(fetched.rows) == 29
    assert not [row for row in fetched.rows if row.instance_type.startswith("a2-") and row.pricing == "spot"]


def test_unmapped_gpu_sku_is_reported_by_name_and_other_skus_ignored(fetched):
    # K80 is not in the accelerator map; Commit1Yr and E2 SKUs are out of scope and not counted
    assert fetched.unmapped == {"Nvidia Tesla K80 GPU": 1}
    assert fetched.skipped == {"unmapped_gpu": 1}
    assert fetched.failures == []


def test_regions_argument_keeps_only_those_regions(client, two_pages):
    result = gcp.fetch(client, ["us-central1"])
    assert {row.region for row in result.rows} == {"us-central1"}
    # 4 V100 shapes x 2 pricings + 5 A100 shapes = 13
    assert len(result.rows) == 13


def test_malformed_skus_are_skipped_by_reason_never_stored_as_zero(client):
    with responses.RequestsMock() as served:
        served.get(SKUS_URL, json=load("gcp_skus_malformed.json"))
        served.get(TPU_SKUS_URL, json=NO_SKUS)
        result = gcp.fetch(client)
    assert result.skipped == {
        "missing_price": 1,  # T4 with no tiered rate
        "non_usd_currency": 1,  # T4 in EUR
        "non_positive_price": 1,  # T4 at 0 units 0 nanos
        "unknown_region": 1,  # P100 listed under "Americas"
        # the P100 in us-central1 is fine, but with no N1 host SKU on the page neither
        # n1-highmem-8+1xP100 nor n1-highmem-16+2xP100 can be priced
        "incomplete_vm_price": 2,
    }
    assert result.rows == []
    assert (result.raw.usd_per_unit > 0).all()


def test_non_numeric_money_is_skipped():
    sku = load("gcp_skus_page1.json")["skus"][0]
    sku["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["units"] = "two"
    prices, result = gcp.parse_skus([sku])
    assert prices.empty
    assert result.skipped == {"non_numeric_price": 1}


def test_free_first_tier_is_passed_over_for_first_priced_tier():
    sku = load("gcp_skus_page1.json")["skus"][3]  # N1 RAM, priced per GiB-hour
    sku["pricingInfo"][0]["pricingExpression"]["tieredRates"] = [
        {"startUsageAmount": 10, "unitPrice": {"currencyCode": "USD", "nanos": 4237000}},
        {"startUsageAmount": 0, "unitPrice": {"currencyCode": "USD"}},
    ]
    # the 0-start tier is free, so the 10-start tier's 0.004237 USD per GiB-hour applies
    assert gcp.sku_usd_per_unit(sku, "GiBy.h") == pytest.approx(0.004237)


def test_price_per_other_unit_is_not_taken_as_hourly():
    sku = load("gcp_skus_page1.json")["skus"][0]
    sku["pricingInfo"][0]["pricingExpression"]["usageUnit"] = "mo"
    _, result = gcp.parse_skus([sku])
    assert result.skipped == {"unexpected_unit": 1}


def test_listing_that_breaks_off_is_a_failure_and_keeps_complete_vms(client):
    with responses.RequestsMock() as served:
        served.get(SKUS_URL, json=load("gcp_skus_page1.json"), match=[page_token_is(None)])
        served.get(SKUS_URL, status=503, json={"error": {"code": 503, "message": "unavailable",
                                                         "status": "UNAVAILABLE"}})
        result = gcp.fetch(client)
    assert len(result.failures) == 1 and result.failures[0].startswith("gcp: skus.list after 6 SKUs:")
    # page 1 holds everything the V100-on-N1 VMs need: 4 shapes x 3 regions x 2 pricings
    assert len(result.rows) == 24


def test_no_credentials_gives_one_line_message(monkeypatch, tmp_path):
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(PricingCredentialsError) as raised:
        gcp.fetch()
    assert str(raised.value) == gcp.CREDENTIALS_MESSAGE
    assert "\n" not in str(raised.value)


def test_every_machine_type_gpu_is_in_the_accelerator_map():
    from pricing.accelerators import accelerator_map, gcp_machine_types, normalise_gcp_gpu_name

    mapped = accelerator_map("gcp", "sku_description")
    assert all(normalise_gcp_gpu_name(machine.gpu_sku) in mapped for machine in gcp_machine_types())


def test_a_malformed_key_file_is_not_reported_as_no_credentials(monkeypatch, tmp_path):
    key = tmp_path / "key.json"
    key.write_text("{not json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    with pytest.raises(PricingCredentialsError) as raised:
        gcp.fetch()
    message = str(raised.value)
    assert message.startswith("gcp: credentials found but not usable: File ") and "is not a valid json file" in message
    assert "no credentials found" not in message and "\n" not in message


def test_dws_and_calendar_mode_skus_never_fill_the_list_price_slot():
    # tests/data/gcp_skus_a3_dws.json: real SKU names (and ids/prices where public, see tests/data/README.md)
    # of the A3 High DWS GPU (4.200761), the A3 Mega list GPU (10.344276), its calendar-mode (4.841121) and
    # DWS (4.423936) SKUs, and the DWS A3 core/RAM; the ordinary A3 core/RAM prices are constructed.
    prices, parsed = gcp.parse_skus(load("gcp_skus_a3_dws.json")["skus"])
    assert parsed.skipped == {"non_list_sku": 5}
    offers = gcp.vm_offers(prices, "2026-12-01").rows
    # a3-megagpu-8g: 208 vCPU x 0.025 + 1,872 GiB x 0.0025 + 8 x 10.344276 = 5.2 + 4.68 + 82.754208 = 92.634208
    mega = [row for row in offers if row.instance_type == "a3-megagpu-8g" and row.pricing == "on_demand"]
    assert len(mega) == 1 and mega[0].usd_per_hour == pytest.approx(92.634208)
    assert mega[0].gpu == "h100-sxm5-80gb"
    # A3 High has only its DWS GPU SKU here: no a3-highgpu offer at all, rather than one at 4.20 per H100-hour
    assert not [row for row in offers if row.instance_type.startswith("a3-highgpu")]


def test_two_skus_for_one_part_at_different_prices_are_both_refused():
    skus = load("gcp_skus_page1.json")["skus"]
    v100 = next(s for s in skus if s["description"] == "Nvidia Tesla V100 GPU running in Americas")
    other = json.loads(json.dumps(v100))
    other["description"] = "Nvidia Tesla V100 GPU running in the Americas"
    other["pricingInfo"][0]["pricingExpression"]["tieredRates"][0]["unitPrice"]["units"] = "1"
    prices, parsed = gcp.parse_skus([v100, other])
    assert prices.empty  # 2.48 and 1.48 for the same GPU in the same regions: which is the list price?
    assert parsed.skipped["ambiguous_match"] == 6  # 2 SKUs x 3 regions


def test_tpu_skus_priced_per_slice_from_both_services(client):
    # tests/data/gcp_skus_tpu.json (constructed): a v2 device SKU 4.60 / preemptible 1.38 in us-central1 and a
    # v5e chip SKU 1.30 / spot 0.45 in asia-east1, listed by the Cloud TPU service after the Compute pages
    with responses.RequestsMock(assert_all_requests_are_fired=True) as served:
        served.get(SKUS_URL, json=load("gcp_skus_page1.json"), match=[page_token_is(None)])
        served.get(SKUS_URL, json=load("gcp_skus_page2.json"), match=[page_token_is("Q0FFU0FBPT0")])
        served.get(TPU_SKUS_URL, json=load("gcp_skus_tpu.json"))
        result = gcp.fetch(client, fetched_at="2026-12-01T00:00:00+00:00")
    v2 = offer(result, "us-central1", "tpu-v2-8", "on_demand")
    # one SKU unit is one 8-TensorCore device; 8 cores x 0.5 chips per core = 4 chips
    assert (v2.usd_per_hour, v2.gpu, v2.gpu_count) == (pytest.approx(4.60), "tpu-v2", 4.0)
    assert offer(result, "us-central1", "tpu-v2-8", "spot").usd_per_hour == pytest.approx(1.38)
    # v5e SKUs price one chip-hour: v5litepod-4 = 4 x 1.30 = 5.20, its spot 4 x 0.45 = 1.80
    v5e = offer(result, "asia-east1", "tpu-v5litepod-4", "on_demand")
    assert (v5e.usd_per_hour, v5e.gpu, v5e.gpu_count) == (pytest.approx(5.20), "tpu-v5e", 4.0)
    assert offer(result, "asia-east1", "tpu-v5litepod-8", "spot").usd_per_hour == pytest.approx(8 * 0.45)
    # the v2 pod and v4 pod SKUs are not priced (their unit is not modelled), nor is the TPU Commit1Yr SKU (a TPU
    # commitment's unit per slice is not written down); two v5e SKUs for us-west4 at 1.20 and 1.40 are both
    # refused, so us-west4 has no TPU offer
    assert result.skipped["tpu_not_modelled"] == 3 and result.skipped["ambiguous_match"] == 2
    tpu_rows = [row for row in result.rows if row.gpu.startswith("tpu-")]
    assert {row.region for row in tpu_rows} == {"us-central1", "asia-east1"}
    assert len(tpu_rows) == 2 + 6  # v2-8 x 2 pricings; v5litepod-1/4/8 x 2 pricings
    assert not [row for row in result.rows if row.instance_type.startswith(("tpu-v2-32", "tpu-v4"))]


def test_tpu_description_families():
    assert gcp_tpu.tpu_family("Tpu-v5e chip running in us-central1") == "tpu-v5litepod"
    assert gcp_tpu.tpu_family("Preemptible Tpu-v3 Accelerator running in europe-west4") == "tpu-v3"
    for description in ("TPU v4 pod running in us-central2", "Tpu-v2 Pod Accelerator", "Tpu-v6e chip in us-east5",
                        "Cloud TPU storage"):
        with pytest.raises(SkipItem) as skipped:
            gcp_tpu.tpu_family(description)
        assert skipped.value.reason == "tpu_not_modelled"


def test_committed_use_skus_price_whole_vms_per_term():
    # tests/data/gcp_skus_commitments.json: the A2 core SKU 38FA-6071-3D88 (0.0230593 per vCPU-hour, 1 year) is a
    # recorded skus.list entry (tests/data/README.md); the other prices are constructed to be hand-checkable
    prices, parsed = gcp.parse_skus(load("gcp_skus_commitments.json")["skus"])
    offers = {(row.instance_type, row.region, row.pricing): row for row in gcp.vm_offers(prices, "2026-12-01").rows}
    # a2-highgpu-1g, 1 year: 12 vCPU x 0.0230593 + 85 GiB x 0.003 + 1 x 2.0 = 0.2767116 + 0.255 + 2.0 = 2.5317116
    a2 = offers[("a2-highgpu-1g", "asia-east1", "reserved_1y")]
    assert a2.usd_per_hour == pytest.approx(2.5317116) and a2.gpu == "a100-sxm4-40gb"
    assert "Commit1Yr/Commit3Yr" in a2.source
    # n1-highmem-8 + 1 V100, 3 years (N1's commitment SKUs name no family): 8 x 0.014 + 52 x 0.002 + 1.1 = 1.316
    assert offers[("n1-highmem-8+1xV100", "us-central1", "reserved_3y")].usd_per_hour == pytest.approx(1.316)
    assert {pricing for _, _, pricing in offers} == {"reserved_1y", "reserved_3y"}
    # "for 3 Years" under usage type Commit1Yr cannot be trusted; the E2 commitment is not a GPU host: ignored
    assert parsed.skipped == {"ambiguous_match": 1}


def test_a_listing_without_commitment_skus_keeps_previous_commitment_rows():
    previous = pd.DataFrame({"instance_type": ["a2-highgpu-1g"] * 3, "pricing": ["on_demand", "reserved_1y", "spot"],
                             "gpu": ["a100-sxm4-40gb"] * 3})
    fetched = previous[previous.pricing != "reserved_1y"]
    assert gcp.covers(previous, fetched=fetched).tolist() == [True, False, True]
    assert gcp.covers(previous, fetched=previous).tolist() == [True, True, True]
