"""Hardware catalog lookups and throughput ratios."""

from __future__ import annotations

import pytest

from planner.errors import PlanError


def test_gpu_lookup_reads_tdp_and_peaks(catalog):
    h100 = catalog.gpu("H100-SXM5-80GB")
    assert h100.gpu == "h100-sxm5-80gb" and h100.tdp_w == 700
    assert h100.tflops("bf16") == (989.4, "bf16_tensor_tflops")


def test_precision_falls_back_to_what_the_hardware_has(catalog):
    # V100 has no bf16: its fp16 tensor rate (125) is used; a P100 has no tensor cores: fp32 (9.526)
    assert catalog.gpu("v100-sxm2-16gb").tflops("bf16") == (125.0, "fp16_tensor_tflops")
    assert catalog.gpu("p100-pcie-16gb").tflops("bf16") == (9.526, "fp32_tflops")


def test_unknown_gpu_lists_close_matches(catalog):
    with pytest.raises(PlanError, match=r"^gpu 'v101': unknown; did you mean v100-pcie-16gb, v100-sxm2-16gb, v100-sxm2-32gb"):
        catalog.gpu("v101")


def test_unknown_server_and_region(catalog):
    with pytest.raises(PlanError, match=r"^server 'dgx-9'"):
        catalog.server("dgx-9")
    with pytest.raises(PlanError, match=r"^provider 'ibm': unknown"):
        catalog.region("ibm", "us-south")


def test_server_lookup(catalog):
    server = catalog.server("strubell-8x-gtx1080ti")
    assert (server.gpu, server.gpu_count, server.price_usd, server.price_year) == ("gtx-1080-ti", 8, 20000, 2019)


def test_throughput_ratio_is_achieved_not_peak(catalog):
    ratio, note = catalog.throughput_ratio("a100-sxm4-80gb", "h100-sxm5-80gb", "bf16", parameters=7e9)
    # MPT 7B MFU: H100 0.4644 x 989.4 = 459.5 TFLOP/s; A100-80GB 0.6423 x 312 = 200.4 -> 2.293 (peak: 3.171)
    assert ratio == pytest.approx(0.4644 * 989.4 / (0.6423 * 312))
    assert note.startswith("estimate: measured")
    # no MFU for the L4: roofline sqrt(121/312 x 300/2039) = sqrt(0.3878 x 0.1471) = 0.2389
    ratio, note = catalog.throughput_ratio("a100-sxm4-80gb", "l4", "bf16")
    assert ratio == pytest.approx(((121 / 312) * (300 / 2039)) ** 0.5)
    assert "roofline" in note


def test_a10_added_with_its_source(catalog):
    a10 = catalog.gpu("a10")
    assert a10.tdp_w == 150 and "datasheet" in a10.source


def test_peak_tflops_table_uses_the_same_fallbacks_as_one_gpu(catalog):
    peaks = catalog.peak_tflops("bf16").set_index("gpu")
    # V100 has no bf16: falls back to its fp16 tensor rate, 125 TFLOP/s; the GTX 1080 Ti to fp32, 11.34
    assert peaks.at["v100-sxm2-16gb", "tflops"] == 125.0
    assert peaks.at["v100-sxm2-16gb", "column"] == "fp16_tensor_tflops"
    assert peaks.at["gtx-1080-ti", "tflops"] == 11.34
