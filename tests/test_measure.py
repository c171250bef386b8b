"""Aggregation of samples into a measurement record, every figure computed by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from planner.measure.record import (
    SCHEMA,
    GpuSeries,
    RaplSeries,
    cumulative_counter_energy_j,
    energy_summary,
    exit_status,
    gpu_section,
    measurement_record,
    power_summary,
    rapl_section,
    summary_lines,
    trapezoid_energy_j,
)


def test_trapezoid_energy_and_time_weighted_average():
    # t = 0, 1, 3 s; p = 100, 200, 100 W: 1 s · 150 W + 2 s · 150 W = 450 J over 3 s = 150 W
    summary = power_summary(np.array([0.0, 1.0, 3.0]), np.array([100.0, 200.0, 100.0]))
    assert summary == {"energy_j": pytest.approx(450.0), "avg_w": pytest.approx(150.0), "peak_w": 200.0}


def test_trapezoid_per_column():
    # column 2: 1 s · (10 + 30)/2 = 20 J, + 2 s · (30 + 30)/2 = 60 J -> 80 J
    energy = trapezoid_energy_j(np.array([0.0, 1.0, 3.0]), np.array([[100.0, 10.0], [200.0, 30.0], [100.0, 30.0]]))
    assert energy == pytest.approx([450.0, 80.0])


def test_summed_columns_peak_is_the_highest_sum_not_the_sum_of_peaks():
    # sums per sample: 300, 250, 300 -> peak 300 (peaks alone: 200 + 150 = 350)
    summary = power_summary(np.array([0.0, 1.0, 2.0]), np.array([[200.0, 100.0], [100.0, 150.0], [200.0, 100.0]]))
    assert summary["peak_w"] == 300.0
    # (300 + 250)/2 + (250 + 300)/2 = 550 J over 2 s
    assert summary["avg_w"] == pytest.approx(275.0)


def test_one_sample_has_a_peak_but_no_energy():
    assert power_summary(np.array([0.0]), np.array([120.0])) == {"energy_j": None, "avg_w": None, "peak_w": 120.0}


def test_counter_energy_survives_a_wrap():
    # max 1000 µJ: steps 900->980 = 80, 980->30 wraps = (30 - 980) mod 1001 = 51, 30->130 = 100
    cum = cumulative_counter_energy_j(np.array([900, 980, 30, 130]), 1000, 1e-6)
    assert cum == pytest.approx(np.array([0, 80, 131, 231]) * 1e-6)


def test_counter_summary_average_and_peak_interval():
    # 500 J over 4 s = 125 W; intervals 100 J/1 s, 200 J/1 s, 200 J/2 s -> peak 200 W
    summary = energy_summary(np.array([0.0, 1.0, 2.0, 4.0]), np.array([0.0, 100.0, 300.0, 500.0]))
    assert summary == {"energy_j": 500.0, "avg_w": 125.0, "peak_w": 200.0}


def _two_gpus(energy_mj=None):
    series = GpuSeries(["NVIDIA A100-SXM4-80GB"] * 2, [0, 1], [400.0, 400.0], energy_mj=energy_mj)
    for t, p, u in [(0.0, [300.0, 100.0], [100.0, 0.0]), (2.0, [300.0, 100.0], [100.0, 50.0]),
                    (4.0, [100.0, 300.0], [40.0, 10.0])]:
        series.t_s.append(t)
        series.power_w.append(p)
        series.util_pct.append(u)
    return series


def test_gpu_section_from_power_samples():
    gpu = gpu_section(_two_gpus())
    # GPU 0: 2 s · 300 + 2 s · 200 = 1000 J; GPU 1: 2 s · 100 + 2 s · 200 = 600 J; 1600 J over 4 s = 400 W
    assert gpu["energy_method"] == "trapezoid"
    assert [d["energy_j"] for d in gpu["devices"]] == pytest.approx([1000.0, 600.0])
    assert gpu["energy_j"] == pytest.approx(1600.0) and gpu["energy_kwh"] == pytest.approx(1600 / 3.6e6)
    assert gpu["avg_w"] == pytest.approx(400.0) and gpu["avg_w_per_gpu"] == pytest.approx(200.0)
    # every sample sums to 400 W; the highest single GPU sample is 300 W
    assert gpu["peak_w"] == 400.0 and gpu["peak_w_per_gpu"] == 300.0
    # utilisation: (100 + 0 + 100 + 50 + 40 + 10) / 6 = 50 %; GPU 1: 60 / 3 = 20 %
    assert gpu["avg_util_pct"] == pytest.approx(50.0) and gpu["devices"][1]["avg_util_pct"] == pytest.approx(20.0)
    assert gpu["count"] == 2 and gpu["model"] == "NVIDIA A100-SXM4-80GB" and gpu["power_limit_w"] == 400.0


def test_gpu_section_prefers_the_energy_counters():
    # counters [mJ]: GPU 0 1,000,000 -> 1,900,000 (900 J), GPU 1 0 -> 500,000 (500 J): 1400 J / 4 s = 350 W
    gpu = gpu_section(_two_gpus([[1_000_000, 0], [1_500_000, 200_000], [1_900_000, 500_000]]))
    assert gpu["energy_method"] == "nvml_counter"
    assert gpu["energy_j"] == pytest.approx(1400.0) and gpu["avg_w_per_gpu"] == pytest.approx(175.0)
    assert gpu["devices"][0]["peak_w"] == 300.0


def test_rapl_sections_sum_packages_and_dram_with_a_wrap():
    series = RaplSeries(["package-0", "dram", "package-1"], ["cpu", "dram", "cpu"], [1_000_000_000, 10_000_000,
                                                                                      1_000_000_000])
    series.t_s += [0.0, 10.0]
    # package-0 wraps: 1,000,000,000 - 999,000,000 = 1,000,000 µJ up to the max, + 1 to reach 0,
    # + 400,000,000 after = 401,000,001 µJ; package-1: 200,000,000 µJ; dram: 5,000,000 µJ
    series.energy_uj += [[999_000_000, 1_000_000, 0], [400_000_000, 6_000_000, 200_000_000]]
    cpu = rapl_section(series, "cpu")
    # 401.000001 J + 200 J = 601.000001 J over 10 s
    assert cpu["zones"] == ["package-0", "package-1"]
    assert cpu["energy_j"] == pytest.approx(601.000001) and cpu["avg_w"] == pytest.approx(60.1000001)
    dram = rapl_section(series, "dram")
    assert dram["energy_j"] == pytest.approx(5.0) and dram["avg_w"] == pytest.approx(0.5)


def test_a_host_without_a_dram_zone_says_so():
    series = RaplSeries(["package-0"], ["cpu"], [100])
    series.t_s += [0.0, 1.0]
    series.energy_uj += [[0], [50]]
    dram = rapl_section(series, "dram")
    assert dram["measured"] is False and dram["avg_w"] is None and "no RAPL dram zone" in dram["reason"]


def test_signal_deaths_read_as_a_shell_reports_them():
    assert exit_status(0) == 0 and exit_status(3) == 3
    assert exit_status(-2) == 130 and exit_status(-9) == 137


def test_record_without_sensors_is_null_with_reasons_and_valid_json():
    record = measurement_record(["python", "-c", "pass"], host="h", started_at="2025-01-01T00:00:00+00:00",
                                wall_s=1.5, exit_code=0, stopped_by=None, interval_s=1.0, sampler_cpu_s=0.001,
                                gpu=None, gpu_reason="no NVIDIA driver", rapl=None, rapl_reason="no powercap")
    assert record["schema"] == SCHEMA and record["command"] == "python -c pass"
    assert record["gpu"]["avg_w_per_gpu"] is None and record["gpu"]["reason"] == "no NVIDIA driver"
    assert record["cpu"]["avg_w"] is None and record["dram"]["reason"] == "no powercap"
    json.dumps(record, allow_nan=False)
    assert any("GPU  not measured: no NVIDIA driver" in line for line in summary_lines(record))


def test_gpu_without_utilisation_support_writes_null_not_nan():
    series = _two_gpus()
    series.util_pct = [[float("nan")] * 2] * 3
    gpu = gpu_section(series)
    assert gpu["avg_util_pct"] is None
    json.dumps(gpu, allow_nan=False)
