"""A measurement record as an estimate's power: per-GPU power, host scaled to the job, defaults never zero."""

from __future__ import annotations

import pytest

from planner.errors import PlanError
from planner.measure.reader import power_profile, power_profile_from_file


def record(gpu_w=250.0, count=2, cpu_w=60.0, dram_w=20.0):
    return {"command": "python train.py", "host": "node1", "started_at": "2025-06-01T10:00:00+00:00",
            "gpu": {"measured": True, "avg_w_per_gpu": gpu_w, "count": count, "model": "Tesla V100-SXM2-16GB"},
            "cpu": {"measured": cpu_w is not None, "avg_w": cpu_w, "reason": None if cpu_w else "no RAPL access"},
            "dram": {"measured": dram_w is not None, "avg_w": dram_w, "reason": None if dram_w else "no dram zone"}}


def test_host_power_scales_with_the_jobs_gpus():
    profile = power_profile(record(), 8)
    # (60 W CPU + 20 W DRAM) measured with 2 GPUs = 40 W per GPU; 8 GPUs -> 320 W
    assert profile.gpu_w == 250.0 and profile.host_w == pytest.approx(320.0)
    assert profile.measured and profile.job_w(8) == pytest.approx(8 * 250 + 320)
    names = [a.name for a in profile.assumptions]
    assert names == ["gpu_w_measured", "cpu_w_measured", "dram_w_measured"]
    assert profile.assumptions[0].as_of == "2025-06-01" and "Tesla V100" in profile.assumptions[0].note


def test_unmeasured_dram_takes_its_default_share_not_zero():
    profile = power_profile(record(dram_w=None), 4)
    # CPU 60 W · 4 / 2 = 120 W; DRAM default 85 GiB · 0.392 W/GiB = 33.32 W per GPU · 4 = 133.28 W
    assert profile.host_w == pytest.approx(120 + 4 * 85 * 0.392)
    dram = next(a for a in profile.assumptions if a.name == "dram_w_default")
    assert "not measured (no dram zone)" in dram.note
    assert {"host_gib_per_gpu", "host_w_per_gib"} <= {a.name for a in profile.assumptions}


def test_no_host_measurement_at_all_uses_the_full_default_share():
    profile = power_profile(record(cpu_w=None, dram_w=None), 1)
    # 12 vCPU · 2.12 W + 85 GiB · 0.392 W = 25.44 + 33.32 = 58.76 W
    assert profile.host_w == pytest.approx(58.76)


def test_no_gpu_power_is_an_error_naming_why():
    rec = record()
    rec["gpu"] = {"measured": False, "avg_w_per_gpu": None, "reason": "no NVIDIA driver", "count": 0}
    with pytest.raises(PlanError, match=r"no GPU power was measured in it \(no NVIDIA driver\)"):
        power_profile(rec, 8)


@pytest.mark.parametrize("bad", [[1, 2], {"gpu": "x"}])
def test_not_a_measurement_is_an_error(bad):
    with pytest.raises(PlanError, match="not a .*trainplan measurement"):
        power_profile(bad, 1)


def test_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{not json")
    with pytest.raises(PlanError, match="unreadable JSON"):
        power_profile_from_file(path, 1)
