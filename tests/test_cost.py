"""Cost: per GPU-hour, per instance-hour, electricity, hand-computed."""

from __future__ import annotations

import pytest

from planner.cost import cloud_cost_usd, electricity_cost_usd, instance_cost_usd


def test_cloud_cost_per_gpu_hour():
    # 96 GPU-h · $0.43 = $41.28 (Transformer base, preemptible P100, Strubell Table 3)
    assert cloud_cost_usd(96, 0.43) == pytest.approx(41.28)


def test_instance_cost_per_instance_hour():
    # 80 GPU-h on 8-GPU p4d.24xlarge at $32.7726/h = 10 instance-hours = $327.726
    assert instance_cost_usd(80, 8, 32.7726) == pytest.approx(327.726)


def test_electricity_cost():
    assert electricity_cost_usd(1000, 0.1067) == pytest.approx(106.7)
