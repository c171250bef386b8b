"""pricing.status: snapshot ages and staleness, offer changes between snapshots, offer selection."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner.errors import PlanError
from pricing import status
from pricing.schema import OFFER_COLUMNS

NOW = pd.Timestamp("2026-12-25T12:00:00", tz="UTC")


def snapshot(**changes) -> dict:
    base = dict(snapshot_id=1, provider="aws", fetched_at="2026-11-24", source="shipped extract", row_count=982,
                oldest_offer_at="2026-11-24", origin="shipped", path="x")
    return {**base, **changes}


def test_age_is_days_since_fetch_and_stale_past_the_threshold():
    table = status.snapshot_status(pd.DataFrame([
        snapshot(),
        snapshot(provider="gcp", fetched_at="2026-12-25T06:00:00+00:00", oldest_offer_at="2026-12-25T06:00:00+00:00"),
    ]), NOW, 30.0)
    # 2026-11-24 00:00 -> 2026-12-25 12:00 is 31.5 days (> 30: stale); 06:00 -> 12:00 is 0.25 days
    assert table.age_days.tolist() == [pytest.approx(31.5), pytest.approx(0.25)]
    assert table.stale.tolist() == [True, False]


def test_stale_looks_at_the_oldest_row_a_partial_refresh_carried_forward():
    table = status.snapshot_status(
        pd.DataFrame([snapshot(fetched_at="2026-12-25T00:00:00+00:00", oldest_offer_at="2026-11-01")]), NOW, 30.0)
    # snapshot 0.5 days old, but its oldest row 2026-11-01 -> 2026-12-25 12:00 = 54.5 days old
    assert table.age_days.iloc[0] == pytest.approx(0.5)
    assert table.oldest_offer_age_days.iloc[0] == pytest.approx(54.5)
    warnings = status.staleness_warnings(table, 30.0)
    assert warnings == ["aws: prices are up to 54 days old (from 2026-11-01, shipped), older than 30 days; "
                        "run `trainplan prices refresh --provider aws`"]


def offer(**changes) -> dict:
    base = dict(provider="aws", region="us-east-1", location="", instance_type="p4d.24xlarge", gpu="a100-sxm4-40gb",
                gpu_count=8.0, vcpus=96.0, memory_gib=1152.0, pricing="on_demand", usd_per_hour=32.7726,
                usd_per_gpu_hour=4.096575, fetched_at="2026-11-24", source="t")
    return {**base, **changes}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(OFFER_COLUMNS))


def test_changes_list_added_removed_and_repriced_offers_with_percent():
    old = frame(offer(), offer(pricing="spot", usd_per_hour=10.0), offer(instance_type="p3.2xlarge", gpu="v100-sxm2-16gb"))
    new = frame(offer(usd_per_hour=21.957642), offer(pricing="spot", usd_per_hour=10.0),
                offer(instance_type="p5.48xlarge", gpu="h100-sxm5-80gb", usd_per_hour=55.04))
    changes = status.offer_changes(old, new)
    assert changes.change.tolist() == ["added", "removed", "changed"]
    assert changes.instance_type.tolist() == ["p5.48xlarge", "p3.2xlarge", "p4d.24xlarge"]
    repriced = changes.iloc[2]
    # 100 x (21.957642 - 32.7726) / 32.7726 = 100 x -10.814958 / 32.7726 = -33.0% (AWS's 2025 cut of p4d)
    assert repriced["pct_change"] == pytest.approx(-33.0, abs=0.01)
    assert math.isnan(changes.iloc[0].old_usd_per_hour) and changes.iloc[0].new_usd_per_hour == 55.04
    assert math.isnan(changes.iloc[1]["pct_change"])


def test_identical_snapshots_have_no_changes():
    old = frame(offer(), offer(pricing="spot", usd_per_hour=10.0))
    assert status.offer_changes(old, old.copy()).empty


OFFERS = frame(
    offer(region="us-east-1", pricing="spot", usd_per_hour=16.0, usd_per_gpu_hour=2.0),
    offer(region="us-west-2", pricing="spot", usd_per_hour=8.0, usd_per_gpu_hour=1.0),
    offer(region="us-west-2", instance_type="p5.48xlarge", gpu="h100-sxm5-80gb", pricing="spot", usd_per_hour=24.0,
          usd_per_gpu_hour=3.0),
    offer(provider="gcp", region="us-central1", instance_type="a3-highgpu-8g", gpu="h100-sxm5-80gb",
          pricing="on_demand", usd_per_hour=88.0, usd_per_gpu_hour=11.0),
)
KNOWN = ["a100-sxm4-40gb", "h100-pcie-80gb", "h100-sxm5-80gb"]


def test_list_filters_and_sorts_cheapest_per_gpu_hour_first():
    table = status.select_offers(OFFERS, known_gpus=KNOWN, pricing="spot", provider="aws")
    assert table.usd_per_gpu_hour.tolist() == [1.0, 2.0, 3.0]


def test_gpu_family_matches_every_catalog_id_of_that_family():
    table = status.select_offers(OFFERS, known_gpus=KNOWN, gpu="h100")
    assert table.instance_type.tolist() == ["p5.48xlarge", "a3-highgpu-8g"]
    assert status.select_offers(OFFERS, known_gpus=KNOWN, gpu="a100-sxm4-40gb").gpu.unique().tolist() == [
        "a100-sxm4-40gb"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("gpu", "h101", "gpu 'h101': unknown; did you mean h100-pcie-80gb, h100-sxm5-80gb?"),
    ("pricing", "cheap", "pricing 'cheap': not allowed; allowed: on_demand, spot, reserved_1y, reserved_3y, savings_plan_1y, savings_plan_3y"),
    ("provider", "oracle", "provider 'oracle': not allowed; allowed: aws, gcp, azure"),
    ("sort", "price", "sort 'price': not allowed; allowed: usd_per_gpu_hour, usd_per_hour, provider, region, gpu, "
                      "instance_type"),
])
def test_unknown_values_name_the_field_and_what_is_allowed(field, value, message):
    with pytest.raises(PlanError) as raised:
        status.select_offers(OFFERS, known_gpus=KNOWN, **{field: value})
    assert str(raised.value) == message


def test_region_must_be_one_of_the_providers_regions():
    with pytest.raises(PlanError, match="region 'mars-north-1': unknown; allowed: us-east-1, us-west-2"):
        status.select_offers(OFFERS, known_gpus=KNOWN, provider="aws", region="mars-north-1")


def test_spot_statistic_names_the_statistic_by_provider_and_source():
    rows = pd.DataFrame([
        ("aws", "spot", "skypilot-org/skypilot-catalog@2c3d7ea7 catalogs/v9/aws/vms.csv"),
        ("aws", "spot", "aws ec2 describe_spot_price_history Linux/UNIX (spot = minimum over the region's AZs)"),
        ("aws", "on_demand", "aws pricing get_products AmazonEC2"),
        ("gcp", "spot", "Cyclenerd/google-cloud-pricing-cost-calculator@fd66b26 pricing.yml ; cross-check skypilot"),
        ("gcp", "spot", "gcp cloudbilling skus.list services/6F81-5844-456A (host cores + RAM + GPUs)"),
        ("azure", "spot", "azure retail prices api"),
    ], columns=["provider", "pricing", "source"])
    assert status.spot_statistic(rows).tolist() == [
        "min over zones (catalog; may include Local Zones)", "min over the region's own AZs", "",
        "regional Spot SKU price (GPU + vCPU + RAM SKUs)", "regional Spot SKU price", "regional Spot meter price"]
