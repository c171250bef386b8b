"""Spot interruption rates and the overhead they add; hand-computed."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import spot


def test_monthly_share_becomes_a_rate_per_instance_hour():
    # 7.5% of instances reclaimed per 730-hour month: 0.075 / 730 = 1.027e-4 per hour
    assert spot.rate_per_hour_from_share(7.5, 730.0) == pytest.approx(0.075 / 730)


def test_overhead_is_half_a_checkpoint_plus_restart_per_interruption():
    # 4 instances at 0.01/h -> 0.04 job interruptions per hour; each loses 1 h / 2 + 0.25 h = 0.75 h -> 3%
    rate = spot.job_interruptions_per_hour(4, 0.01)
    assert spot.overhead_fraction(rate, 1.0, 0.25) == pytest.approx(0.03)


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
    # AWS g4dn.12xlarge us-east-1 is in the advisor's 10-15% band: centre 12.5% / 730 h
    assert rates.at[0, "rate_central"] == pytest.approx(0.125 / 730)
    assert rates.at[0, "rate_low"] == pytest.approx(0.10 / 730) and rates.at[0, "rate_high"] == pytest.approx(0.15 / 730)
    assert "10-15%" in rates.at[0, "rate_basis"]
    # no band for the type: the advisor's global '<10%', centre 5% / 730 h
    assert rates.at[1, "rate_central"] == pytest.approx(0.05 / 730)
    # GCP and (for lack of data) Azure: 10% per day / 24 h, range 5-15%
    assert rates.at[2, "rate_central"] == pytest.approx(0.10 / 24)
    assert rates.at[3, "rate_high"] == pytest.approx(0.15 / 24)
    assert "azure" in rates.at[3, "rate_basis"]
    # on-demand is never interrupted
    assert rates.at[4, "rate_central"] == 0.0 and rates.at[4, "rate_basis"] == ""
