"""Test doubles of the power sensors: a fake ``pynvml`` module and a fake powercap (RAPL) tree."""

from __future__ import annotations

import types
from pathlib import Path


class FakeNVMLError(Exception):
    """Stands in for pynvml.NVMLError."""


def fake_pynvml(power_mw=(250_000,), util_pct=(90,), names=("NVIDIA H100 80GB HBM3",), limit_mw=(700_000,),
                energy_mj=None, init_error=None, fail_reads=0, name_bytes=False):
    """A module with the pynvml functions trainplan calls, returning the values set here.

    power_mw / util_pct / limit_mw / names: one value per GPU. energy_mj: per GPU, a list of counter values
    returned in turn (the last repeats), or None: the board has no energy counter (raises NVMLError).
    fail_reads: that many power readings raise NVMLError first.
    """
    count = len(power_mw)
    calls = {"init": 0, "shutdown": 0, "power": 0}
    energy_calls = [0] * count
    failures = [fail_reads]

    def init():
        calls["init"] += 1
        if init_error:
            raise FakeNVMLError(init_error)

    def power(handle):
        calls["power"] += 1
        if failures[0] > 0:
            failures[0] -= 1
            raise FakeNVMLError("GPU is lost")
        return power_mw[handle]

    def energy(handle):
        if energy_mj is None:
            raise FakeNVMLError("Not Supported")
        values = energy_mj[handle]
        value = values[min(energy_calls[handle], len(values) - 1)]
        energy_calls[handle] += 1
        return value

    def name(handle):
        return names[handle].encode() if name_bytes else names[handle]

    module = types.ModuleType("pynvml")
    module.NVMLError = FakeNVMLError
    module.nvmlInit = init
    module.nvmlShutdown = lambda: calls.__setitem__("shutdown", calls["shutdown"] + 1)
    module.nvmlDeviceGetCount = lambda: count
    module.nvmlDeviceGetHandleByIndex = lambda i: i
    module.nvmlDeviceGetName = name
    module.nvmlDeviceGetPowerUsage = power
    module.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=util_pct[h], memory=0)
    module.nvmlDeviceGetTotalEnergyConsumption = energy
    module.nvmlDeviceGetEnforcedPowerLimit = lambda h: limit_mw[h]
    module.calls = calls
    return module


def rapl_zone(root: Path, directory: str, name: str, energy_uj: int, max_range_uj: int = 262_143_328_850) -> Path:
    """Write one powercap zone (``name``, ``energy_uj``, ``max_energy_range_uj``) under ``root``."""
    zone = root / directory
    zone.mkdir(parents=True, exist_ok=True)
    (zone / "name").write_text(name + "\n")
    (zone / "energy_uj").write_text(f"{energy_uj}\n")
    (zone / "max_energy_range_uj").write_text(f"{max_range_uj}\n")
    return zone


def two_socket_tree(root: Path) -> Path:
    """Two packages (each with core and dram subzones), a psys zone and an MMIO duplicate, as on a server."""
    rapl_zone(root, "intel-rapl:0", "package-0", 1_000_000)
    rapl_zone(root, "intel-rapl:0:0", "core", 500_000)
    rapl_zone(root, "intel-rapl:0:1", "dram", 200_000, 65_712_999_613)
    rapl_zone(root, "intel-rapl:1", "package-1", 3_000_000)
    rapl_zone(root, "intel-rapl:1:0", "dram", 400_000, 65_712_999_613)
    rapl_zone(root, "intel-rapl:2", "psys", 9_000_000)
    rapl_zone(root, "intel-rapl-mmio:0", "package-0", 1_000_000)
    return root
