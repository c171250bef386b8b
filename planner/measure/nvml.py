"""NVIDIA GPU power, utilisation and energy through NVML (the ``pynvml`` module of nvidia-ml-py).

Power is ``nvmlDeviceGetPowerUsage`` [mW] (on A100/H100 and later drivers a 1 s average, on older boards
an instantaneous reading); energy is ``nvmlDeviceGetTotalEnergyConsumption`` [mJ since the driver
loaded] where the board supports it (Volta and later), else the caller integrates power samples.
The module is passed in (tests give a double), else imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType


class NvmlUnavailable(Exception):
    """No NVIDIA GPU can be measured here; the message says why, in one line."""


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class NvmlGpus:
    """Open NVML handles of the GPUs to measure; ``read()`` returns one sample of all of them."""

    def __init__(self, nvml: ModuleType | None = None, indices: Sequence[int] | None = None) -> None:
        if nvml is None:
            try:
                import pynvml as nvml  # noqa: PLC0415 - optional at run time: a host without NVIDIA is fine
            except ImportError:
                raise NvmlUnavailable("nvidia-ml-py (pynvml) is not installed") from None
        self._nvml = nvml
        try:
            nvml.nvmlInit()
        except nvml.NVMLError as exc:
            raise NvmlUnavailable(f"no NVIDIA driver reachable through NVML ({_text(exc)})") from None
        try:
            count = nvml.nvmlDeviceGetCount()
            if count == 0:
                raise NvmlUnavailable("NVML found no NVIDIA GPU")
            chosen = list(range(count)) if indices is None else list(indices)
            bad = [i for i in chosen if not 0 <= i < count]
            if bad:
                raise NvmlUnavailable(f"GPU index {bad[0]} not present (NVML sees {count} GPU(s), 0-{count - 1})")
            self.indices = chosen
            self._handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in chosen]
            self.names = [_text(nvml.nvmlDeviceGetName(h)) for h in self._handles]
            self.power_limit_w = [self._limit_w(h) for h in self._handles]
            self.has_energy_counter = all(self._energy(h) is not None for h in self._handles)
            self._util_supported = [self._util(h) is not None for h in self._handles]
        except BaseException:
            self.close()
            raise

    def _limit_w(self, handle: object) -> float | None:
        """The enforced power limit [W] (the board's TDP unless an admin changed it), None if not reported."""
        for getter in ("nvmlDeviceGetEnforcedPowerLimit", "nvmlDeviceGetPowerManagementDefaultLimit"):
            try:
                return getattr(self._nvml, getter)(handle) / 1000.0
            except (self._nvml.NVMLError, AttributeError):
                continue
        return None

    def _energy(self, handle: object) -> int | None:
        try:
            return int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(handle))
        except (self._nvml.NVMLError, AttributeError):
            return None

    def _util(self, handle: object) -> float | None:
        try:
            return float(self._nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        except self._nvml.NVMLError:
            return None

    def read(self) -> tuple[list[float], list[float], list[int] | None]:
        """One sample: power per GPU [W], utilisation per GPU [%] (NaN if unsupported), energy counters [mJ] or None.

        Raises the module's NVMLError if a reading fails (the caller drops that sample).
        """
        nvml = self._nvml
        power = [nvml.nvmlDeviceGetPowerUsage(h) / 1000.0 for h in self._handles]
        util = [float(nvml.nvmlDeviceGetUtilizationRates(h).gpu) if ok else float("nan")
                for h, ok in zip(self._handles, self._util_supported, strict=True)]
        energy = [int(nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in self._handles] \
            if self.has_energy_counter else None
        return power, util, energy

    @property
    def error(self) -> type[Exception]:
        """The exception type a failed reading raises."""
        return self._nvml.NVMLError

    def close(self) -> None:
        try:
            self._nvml.nvmlShutdown()
        except Exception:  # noqa: BLE001 - shutting down a library that may never have initialised
            pass
