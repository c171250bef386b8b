"""Achieved throughput ratios between GPUs (measured MFU, roofline, peak) and compute-only predictions."""

from __future__ import annotations

import pytest

from planner.throughput import (
    default_mfu,
    measured_ratio,
    model_size,
    predicted_gpu_hours,
    published_predictions,
    ratio_table,
    roofline_ratio,
)


def test_model_size_from_name():
    assert model_size("MPT 7B") == 7e9 and model_size("GPT-3 175B (Megatron-LM)") == 175e9
    assert model_size("PaLM") is None


def test_a100_to_h100_from_mpt_mfu_is_2_3_not_peak_3_2(catalog):
    peaks = {"a100-sxm4-80gb": 312.0, "h100-sxm5-80gb": 989.4}
    low, central, high, detail = measured_ratio(catalog.mfu, peaks, "a100-sxm4-80gb", "h100-sxm5-80gb", 7e9)
    # MPT 7B: 0.4644 x 989.4 / (0.6423 x 312) = 459.48 / 200.40 = 2.2929
    # MPT 30B: 0.4392 x 989.4 / (0.553 x 312) = 2.5186; MPT 70B: 0.4257 x 989.4 / (0.5333 x 312) = 2.5313
    assert central == pytest.approx(0.4644 * 989.4 / (0.6423 * 312))
    assert central == pytest.approx(2.293, abs=1e-3)
    assert low == pytest.approx(2.293, abs=1e-3) and high == pytest.approx(0.4257 * 989.4 / (0.5333 * 312))
    assert "MPT 7B (nearest in size)" in detail
    # without a model size: the median of the three models, 2.5186
    assert measured_ratio(catalog.mfu, peaks, "a100-sxm4-80gb", "h100-sxm5-80gb")[1] == pytest.approx(
        0.4392 * 989.4 / (0.553 * 312))


def test_roofline_lands_near_the_measured_ratio():
    # A100-80GB -> H100: sqrt(989.4/312 x 3350/2039) = sqrt(3.1712 x 1.6430) = 2.2826 (measured 2.2929)
    low, central, high = roofline_ratio(312.0, 989.4, 2039.0, 3350.0)
    assert central == pytest.approx((989.4 / 312 * 3350 / 2039) ** 0.5)
    assert central == pytest.approx(2.293, rel=0.01)
    assert (low, high) == pytest.approx((3350 / 2039, 989.4 / 312))


def test_ratio_table_methods(catalog):
    frame, assumptions, notes = ratio_table(catalog, "h100-sxm5-80gb", "bf16", ["b200", "h100-sxm5-80gb", "t4",
                                                                            "a100-sxm4-80gb"],
                                            overrides={"t4": 0.05}, mfu=catalog.mfu, parameters=7e9)
    by = frame.set_index("gpu")
    assert by.loc["h100-sxm5-80gb", "ratio_central"] == 1.0 and by.loc["h100-sxm5-80gb", "ratio_method"] == "same"
    assert by.loc["t4", "ratio_central"] == 0.05 and by.loc["t4", "ratio_method"] == "user"
    # B200 over H100: peak 2250 / 989.4 = 2.274, bandwidth 8000 / 3350 = 2.388 -> sqrt = 2.330 (not peak 7.2 x A100)
    assert by.loc["b200", "ratio_central"] == pytest.approx((2250 / 989.4 * 8000 / 3350) ** 0.5)
    assert by.loc["b200", "ratio_method"] == "roofline"
    # engine convention: low = the highest speed-up
    assert by.loc["b200", "ratio_low"] == pytest.approx(8000 / 3350)
    assert by.loc["a100-sxm4-80gb", "ratio_central"] == pytest.approx(0.6423 * 312 / (0.4644 * 989.4))
    assert {a.name for a in assumptions} >= {"throughput_ratio_b200", "throughput_ratio_t4"} and not notes


def test_fp32_workloads_use_fp32_peaks_not_mfu(catalog):
    frame, _, _ = ratio_table(catalog, "v100-sxm2-16gb", "fp32", ["a100-sxm4-80gb"], mfu=catalog.mfu)
    # fp32: sqrt(19.49 / 15.67 x 2039 / 900) = sqrt(1.2438 x 2.2656) = 1.6786
    assert frame.iloc[0]["ratio_central"] == pytest.approx((19.49 / 15.67 * 2039 / 900) ** 0.5)


def test_default_mfu_and_compute_only_prediction(catalog):
    mfu, basis = default_mfu(catalog.mfu, "a100-sxm4-80gb")
    assert mfu == pytest.approx(0.553) and "3 mfu rows" in basis  # median of 0.5333, 0.553, 0.6423
    # Llama 2 7B: 6 x 7e9 x 2e12 = 8.4e22 FLOP / (312e12 x 0.553) / 3600 = 135,234 GPU-h (published 184,320)
    assert predicted_gpu_hours(7e9, 2e12, 312.0, 0.553) == pytest.approx(8.4e22 / (312e12 * 0.553) / 3600)
    table = published_predictions(catalog_runs(), catalog).set_index("run_id")
    assert table.loc["llama2-7b", "predicted_gpu_hours"] == pytest.approx(135_234, rel=1e-4)
    assert table.loc["llama2-7b", "error"] == pytest.approx(135_234 / 184_320 - 1, rel=1e-3)
    assert table.loc["mpt-7b", "published_gpu_hours"] == pytest.approx(440 * 9.5 * 24)
    assert "llama3.3-70b" not in table.index  # flagged inconsistent in the data


def catalog_runs():
    from planner.shipped import load

    return load()["published_runs"]


def test_readme_prediction_table_is_the_models_output(catalog):
    """The README's 'Predicting published runs' table, recomputed from the shipped data."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("### Predicting published runs from compute alone", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    table = published_predictions(catalog_runs(), catalog)
    assert len(rows) == len(table) >= 3
    for line, run in zip(rows, table.itertuples(), strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == run.model and cells[1] == run.gpu
        assert cells[4] == f"{run.predicted_gpu_hours:,.0f}"
        assert cells[5].startswith(f"{run.published_gpu_hours:,.0f}")
        assert cells[6] == f"{run.error * 100:+.0f}%"
