"""NVML through a test double of the pynvml functions: units, names, energy counters, and absence."""

from __future__ import annotations

import math
import sys

import pytest
from fake_sensors import fake_pynvml

from planner.measure.nvml import NvmlGpus, NvmlUnavailable


def test_power_in_watts_utilisation_and_limits():
    nvml = fake_pynvml(power_mw=(250_500, 80_000), util_pct=(97, 3), names=("NVIDIA A100-SXM4-80GB",) * 2,
                       limit_mw=(400_000, 400_000))
    gpus = NvmlGpus(nvml)
    assert gpus.names == ["NVIDIA A100-SXM4-80GB"] * 2 and gpus.indices == [0, 1]
    assert gpus.power_limit_w == [400.0, 400.0]
    power, util, energy = gpus.read()
    assert power == [250.5, 80.0]  # mW / 1000
    assert util == [97.0, 3.0]
    assert energy is None and not gpus.has_energy_counter
    gpus.close()
    assert nvml.calls["shutdown"] == 1


def test_energy_counter_read_where_supported():
    gpus = NvmlGpus(fake_pynvml(energy_mj=[[10, 20, 5_000]]))
    assert gpus.has_energy_counter
    # 10 was read while probing for support; each read() returns the next value
    assert gpus.read()[2] == [20]
    assert gpus.read()[2] == [5_000]


def test_bytes_names_from_old_bindings_are_decoded():
    assert NvmlGpus(fake_pynvml(name_bytes=True)).names == ["NVIDIA H100 80GB HBM3"]


def test_only_the_chosen_indices_are_measured():
    gpus = NvmlGpus(fake_pynvml(power_mw=(1_000, 2_000, 3_000), util_pct=(1, 2, 3), names=("a", "b", "c"),
                                limit_mw=(1, 1, 1)), indices=[2])
    assert gpus.names == ["c"] and gpus.read()[0] == [3.0]


def test_index_not_present_is_unavailable():
    with pytest.raises(NvmlUnavailable, match="GPU index 4 not present.*0-0"):
        NvmlGpus(fake_pynvml(), indices=[4])


def test_no_driver_is_unavailable_with_nvml_reason():
    with pytest.raises(NvmlUnavailable, match="no NVIDIA driver.*Shared Library Not Found"):
        NvmlGpus(fake_pynvml(init_error="NVML Shared Library Not Found"))


def test_no_gpu_is_unavailable_and_nvml_shut_down():
    nvml = fake_pynvml(power_mw=(), util_pct=(), names=(), limit_mw=())
    with pytest.raises(NvmlUnavailable, match="no NVIDIA GPU"):
        NvmlGpus(nvml)
    assert nvml.calls["shutdown"] == 1


def test_bindings_not_installed_is_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with pytest.raises(NvmlUnavailable, match="not installed"):
        NvmlGpus()


def test_utilisation_not_supported_reads_nan():
    nvml = fake_pynvml()

    def unsupported(handle):
        raise nvml.NVMLError("Not Supported")

    nvml.nvmlDeviceGetUtilizationRates = unsupported
    assert math.isnan(NvmlGpus(nvml).read()[1][0])


def test_a_failed_reading_raises_the_modules_error():
    gpus = NvmlGpus(fake_pynvml(fail_reads=1))
    with pytest.raises(gpus.error):
        gpus.read()
    assert gpus.read()[0] == [250.0]
