"""The one spot model: hazards from the sourced shares, the overhead of a job, and the same number in
compare and procure; hand-computed."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planner import api, spot

# Google: 10% of preemptible VMs preempted per day -> λ = -ln(0.9) / 24 h = 0.105361 / 24 = 0.00439002 per hour
GOOGLE_CENTRAL = -math.log(0.9) / 24


def test_a_daily_share_becomes_a_per_instance_hour_hazard():
    assert spot.hazard_from_daily_share(10.0) == pytest.approx(GOOGLE_CENTRAL)
    assert GOOGLE_CENTRAL == pytest.approx(0.00439002, rel=1e-5)
    # 15% per day: -ln(0.85) / 24 = 0.162519 / 24 = 0.00677163
    assert spot.hazard_from_daily_share(15.0) == pytest.approx(0.00677163, rel=1e-5)


def test_an_aws_band_is_an_index_against_the_global_rate_not_a_monthly_hazard():
    # 10-15% band, midpoint 12.5%, against the advisor's global '<10%' (midpoint 5%): 2.5 x Google's hazard
    assert spot.hazard_from_band(12.5, 5.0, GOOGLE_CENTRAL) == pytest.approx(2.5 * 0.00439002, rel=1e-5)
    # the old conversion, 12.5% / 730 h = 1.7e-4 per hour, was 64x lower
    assert spot.hazard_from_band(12.5, 5.0, GOOGLE_CENTRAL) / (0.125 / 730) == pytest.approx(64.1, rel=1e-2)


def test_overhead_is_half_a_checkpoint_plus_restart_plus_capacity_wait_per_interruption():
    # 4 instances at 0.01/h -> 0.04 job interruptions per hour; wait 1 h · (1 - 0.95^4) = 0.185494 h;
    # each loses 1 h / 2 + 0.25 h + 0.185494 h = 0.935494 h -> 3.741975%
    rate = spot.job_interruptions_per_hour(4, 0.01)
    wait = spot.capacity_wait_hours(4, 0.95, 1.0)
    assert wait == pytest.approx(1 - 0.95 ** 4)
    assert spot.overhead_fraction(rate, 1.0, 0.25, wait) == pytest.approx(0.04 * 0.935494, rel=1e-6)


def test_the_availability_term_grows_with_the_instances_a_job_needs():
    waits = [spot.capacity_wait_hours(k, 0.95, 1.0) for k in (1, 8, 64)]
    # 1 - 0.95 = 0.05 h; 0.95^8 = 0.663420 -> 0.336580 h; 0.95^64 = 0.037524 -> 0.962476 h
    assert waits == pytest.approx([0.05, 0.336580, 0.962476], rel=1e-5)


def test_overhead_broadcasts_over_rows():
    out = spot.overhead_fraction(pd.Series([0.0, 0.1]), 0.5, 0.25)
    assert out.tolist() == pytest.approx([0.0, 0.05])


def offers_frame():
    return pd.DataFrame({
        "provider": ["aws", "aws", "gcp", "azure", "aws"],
        "region": ["us-east-1", "us-east-1", "us-central1", "eastus", "us-east-1"],
        "instance_type": ["g4dn.12xlarge", "made-up.large", "a2-highgpu-1g", "Standard_NC24", "g4dn.12xlarge"],
        "pricing": ["spot", "spot", "spot", "spot", "on_demand"],
    })


def test_interruption_rates_by_provider(data):
    rates = spot.interruption_rates(offers_frame(), data["spot_interruption"])
    low, high = -math.log(0.95) / 24, -math.log(0.85) / 24
    # AWS g4dn.12xlarge us-east-1 is in the advisor's 10-15% band: 12.5 / 5 x Google's, ends 10/5 and 15/5
    assert rates.at[0, "rate_central"] == pytest.approx(2.5 * GOOGLE_CENTRAL)
    assert rates.at[0, "rate_low"] == pytest.approx(2.0 * low) and rates.at[0, "rate_high"] == pytest.approx(3.0 * high)
    assert "10-15%" in rates.at[0, "rate_basis"]
    # no band for the type: the advisor's global '<10%', i.e. exactly the reference hazard
    assert rates.at[1, "rate_central"] == pytest.approx(GOOGLE_CENTRAL)
    # GCP and (for lack of data) Azure: Google's 5-15% per day
    assert rates.at[2, "rate_central"] == pytest.approx(GOOGLE_CENTRAL)
    assert rates.at[3, "rate_high"] == pytest.approx(high)
    assert "azure" in rates.at[3, "rate_basis"]
    # on-demand is never interrupted
    assert rates.at[4, "rate_central"] == 0.0 and rates.at[4, "rate_basis"] == ""


def test_one_offers_spot_overhead_by_hand_is_the_same_in_compare_and_procure(data):
    # AWS p4d.24xlarge (8 x A100 40GB) spot in us-east-1: advisor band 10-15% -> λ = 2.5 x 0.00439002
    # = 0.01097505 per instance-hour. An 8-GPU job holds k = 1 instance: λ_job = 0.01097505 per hour;
    # wait 1 h · (1 - 0.95) = 0.05 h; lost per interruption 0.5 h / 2 + 0.25 h + 0.05 h = 0.55 h
    # -> overhead 0.01097505 · 0.55 = 0.00603628
    expected = 2.5 * GOOGLE_CENTRAL * 0.55
    assert expected == pytest.approx(0.00603628, rel=1e-5)
    band = spot.aws_bands(data["spot_interruption"]).set_index(["region", "instance_type"])
    assert band.at[("us-east-1", "p4d.24xlarge"), "band"] == "10-15%"

    workload, _ = api.make_workload(gpu="a100-sxm4-40gb", gpu_count=8, hours=100)
    table = api.compare(workload, providers=["aws"], regions=["us-east-1"], pricing=["spot"], servers=[]).table
    row = table[table["instance_type"] == "p4d.24xlarge"].iloc[0]
    assert row["spot_overhead_fraction"] == pytest.approx(expected, rel=1e-12)

    plan = api.procurement_plan("nvidia-dgx-a100", horizon_years=1, demand_gpu_hours=[10000.0],
                                clouds=[{"provider": "aws", "region": "us-east-1", "pricing": "spot"}])
    procured = plan.cloud.iloc[0]  # GPU-hours bought = demand x (1 + overhead): 10,000 -> 10,060.36
    assert procured["gpu_hours"] / procured["demand_gpu_hours"] - 1 == pytest.approx(expected, rel=1e-9)
    names = {a.name for a in plan.assumptions}
    assert {"spot_overhead_aws us-east-1 a100-sxm4-40gb spot", "gcp_preemption_pct_per_day",
            "spot_instance_availability"} <= names
