"""Workloads: from hours, GPU-hours, compute budgets; repeats; conversion between GPUs."""

from __future__ import annotations

import pytest

from planner.errors import PlanError
from planner.workload import convert, from_compute, from_gpu_hours, from_hours, training_flops


def test_gpu_hours_and_repeats(catalog):
    w = from_hours(catalog, "x", "v100-sxm2-16gb", 64, 79.2, repeats=3)
    # 64 · 79.2 · 3 = 15,206.4 GPU-h; wall 237.6 h
    assert w.gpu_hours == pytest.approx(15206.4)
    assert w.wall_hours == pytest.approx(237.6)


def test_from_gpu_hours_spreads_over_gpus(catalog):
    w = from_gpu_hours(catalog, "lisa", "p100-pcie-16gb", 239942, 58)
    assert w.hours == pytest.approx(239942 / 58)


def test_compute_budget_hand_computed(catalog):
    # 6 · 7e9 · 1e12 = 4.2e22 FLOP; 440 A100-40GB · 312e12 · 0.5 = 6.864e16 FLOP/s -> 611,888 s = 169.97 h
    flops = training_flops(7e9, 1e12)
    assert flops == pytest.approx(4.2e22)
    w = from_compute(catalog, "mpt", "a100-sxm4-40gb", 440, flops, 0.5)
    assert w.hours == pytest.approx(4.2e22 / (440 * 312e12 * 0.5) / 3600)
    assert "6.864e+16" not in w.notes[0] and "MFU 0.5" in w.notes[0]


def test_convert_uses_throughput_ratio_and_says_estimate(catalog):
    w = from_hours(catalog, "x", "a100-sxm4-80gb", 8, 100, parameters=7e9)
    moved = convert(catalog, w, "h100-sxm5-80gb")
    # achieved, MPT 7B (nearest to 7e9): H100 0.4644 x 989.4 / (A100-80GB 0.6423 x 312) = 2.2929
    # -> 100 h / 2.2929 = 43.61 h (the peak ratio 989.4 / 312 would give 31.53 h)
    assert moved.hours == pytest.approx(100 * 0.6423 * 312 / (0.4644 * 989.4))
    assert any(n.startswith("estimate") for n in moved.notes)
    halved = convert(catalog, w, "a100-sxm4-80gb", gpu_count=16)
    assert halved.hours == pytest.approx(50) and halved.gpu_hours == pytest.approx(w.gpu_hours)


@pytest.mark.parametrize("kwargs,field", [
    ({"gpu_count": 0, "hours": 1}, "gpu_count"),
    ({"gpu_count": 8, "hours": -1}, "hours"),
    ({"gpu_count": 8, "hours": 1, "repeats": 0}, "repeats"),
    ({"gpu_count": 8, "hours": 1, "precision": "fp8"}, "precision"),
])
def test_bad_workload_names_the_field(catalog, kwargs, field):
    with pytest.raises(PlanError, match=f"^{field}"):
        from_hours(catalog, "x", "v100-sxm2-16gb", **kwargs)


def test_mfu_outside_unit_interval_rejected(catalog):
    with pytest.raises(PlanError, match=r"^mfu 1.5: must be in \(0, 1\]"):
        from_compute(catalog, "x", "h100-sxm5-80gb", 8, 1e21, 1.5)
