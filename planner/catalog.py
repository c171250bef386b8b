"""The hardware catalog: GPUs, owned server configurations and cloud regions, looked up by id.

Built from the shipped data's DataFrames (``planner.shipped.load_catalog`` does the reading); every
lookup raises ``PlanError`` with close matches for an unknown id.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from planner.errors import PlanError, choice, unknown

PRECISIONS = ("fp32", "fp16", "bf16")

# Peak-throughput column tried for each precision, in order: hardware without bf16 falls back to its
# fp16 tensor rate, hardware without tensor cores to its fp32 rate.
_THROUGHPUT_COLUMNS = {
    "bf16": ("bf16_tensor_tflops", "fp16_tensor_tflops", "fp32_tflops"),
    "fp16": ("fp16_tensor_tflops", "bf16_tensor_tflops", "fp32_tflops"),
    "fp32": ("fp32_tflops",),
}


@dataclass(frozen=True)
class GPU:
    """One accelerator model (per board; TPUs per chip)."""

    gpu: str
    name: str
    tdp_w: float
    memory_gb: float
    peak_tflops: dict[str, float | None]
    release_year: float | None
    launch_price_usd: float | None
    source: str

    def tflops(self, precision: str) -> tuple[float, str]:
        """Peak dense TFLOP/s at a precision, and the column it came from (may be a fallback)."""
        choice("precision", precision, PRECISIONS)
        for column in _THROUGHPUT_COLUMNS[precision]:
            value = self.peak_tflops.get(column)
            if value is not None and value > 0:
                return float(value), column
        raise PlanError(f"gpu '{self.gpu}': no peak throughput in the catalog for precision {precision}")


@dataclass(frozen=True)
class ServerConfig:
    """An owned server configuration: GPU model and count, purchase price and wall power."""

    server: str
    gpu: str | None
    gpu_count: int
    price_usd: float | None
    price_year: float | None
    max_w: float | None
    ram_gb: float | None
    source: str


@dataclass(frozen=True)
class Region:
    """A cloud region with its location-based grid intensity."""

    provider: str
    region: str
    location: str
    country_iso3: str | None
    grid_gco2e_per_kwh: float
    year: float | None
    google_cfe_pct: float | None
    source: str


def _opt(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Catalog:
    """GPUs, servers and regions as DataFrames, with lookups that fail clearly."""

    gpus: pd.DataFrame
    servers: pd.DataFrame
    regions: pd.DataFrame
    mfu: pd.DataFrame | None = None

    def gpu_ids(self) -> list[str]:
        return sorted(self.gpus["gpu"])

    def gpu(self, gpu_id: str) -> GPU:
        """Look up a GPU by catalog id (case-insensitive)."""
        position = self._gpu_positions.get(str(gpu_id).strip().lower())
        if position is None:
            raise unknown("gpu", gpu_id, self.gpus["gpu"])
        row = self.gpus.iloc[position]
        peaks = {c: _opt(row.get(c)) for c in ("fp32_tflops", "fp16_tensor_tflops", "bf16_tensor_tflops")}
        if pd.isna(row["tdp_w"]):
            raise PlanError(f"gpu '{row['gpu']}': the catalog has no TDP for it")
        return GPU(row["gpu"], row["name"], float(row["tdp_w"]), float(row["memory_gb"]), peaks,
                   _opt(row["release_year"]), _opt(row["launch_price_usd"]), row["source"])

    @cached_property
    def _gpu_positions(self) -> dict[str, int]:
        """Each GPU's row position by lower-case id (the first row of an id), built once per catalog."""
        positions: dict[str, int] = {}
        for i, gpu in enumerate(self.gpus["gpu"].to_numpy(dtype=object)):
            if isinstance(gpu, str):
                positions.setdefault(gpu.lower(), i)
        return positions

    def server(self, server_id: str) -> ServerConfig:
        """Look up an owned server configuration by id."""
        hit = self.servers[self.servers["server"].str.lower() == str(server_id).strip().lower()]
        if hit.empty:
            raise unknown("server", server_id, self.servers["server"])
        row = hit.iloc[0]
        gpu = None if pd.isna(row["gpu"]) else row["gpu"]
        return ServerConfig(row["server"], gpu, int(row["gpu_count"]), _opt(row["price_usd"]),
                            _opt(row["price_year"]), _opt(row["max_w"]), _opt(row["ram_gb"]), row["source"])

    def region(self, provider: str, region: str) -> Region:
        """Look up a cloud region of a provider."""
        providers = sorted(self.regions["provider"].unique())
        if provider not in providers:
            raise unknown("provider", provider, providers)
        of_provider = self.regions[self.regions["provider"] == provider]
        hit = of_provider[of_provider["region"] == region]
        if hit.empty:
            raise unknown(f"{provider} region", region, of_provider["region"])
        row = hit.iloc[0]
        return Region(row["provider"], row["region"], row["location"],
                      None if pd.isna(row["country_iso3"]) else row["country_iso3"],
                      float(row["grid_gco2e_per_kwh"]), _opt(row["year"]), _opt(row["google_cfe_pct"]), row["source"])

    def peak_tflops(self, precision: str) -> pd.DataFrame:
        """Every GPU's peak dense TFLOP/s at a precision (same fallbacks as ``GPU.tflops``), vectorised.

        Columns: gpu, tflops (NaN where the catalog has none), column (where it came from).
        """
        choice("precision", precision, PRECISIONS)
        return self._peaks[precision].copy()

    @cached_property
    def _peaks(self) -> dict[str, pd.DataFrame]:
        """``peak_tflops`` of every precision, built once per catalog (its tables never change at run time)."""
        gpus = self.gpus.drop_duplicates("gpu")
        out = {}
        for precision in PRECISIONS:
            tflops = np.full(len(gpus), np.nan)
            column = np.full(len(gpus), "", dtype=object)
            for name in reversed(_THROUGHPUT_COLUMNS[precision]):
                values = pd.to_numeric(gpus[name], errors="coerce").to_numpy(float)
                ok = values > 0
                tflops = np.where(ok, values, tflops)
                column = np.where(ok, name, column)
            out[precision] = pd.DataFrame({"gpu": gpus["gpu"].to_numpy(), "tflops": tflops, "column": column})
        return out

    def throughput_ratio(self, from_gpu: str, to_gpu: str, precision: str,
                         parameters: float | None = None) -> tuple[float, str]:
        """How many times faster ``to_gpu`` trains than ``from_gpu``, and an explanation.

        The achieved ratio of ``planner.throughput`` (measured MFU of the same models where the ``mfu``
        table has both GPUs, else the roofline between the peak and memory-bandwidth ratios, else the peak
        ratio); hours on ``to`` = hours on ``from`` / ratio. An estimate, and the note says which.
        """
        from planner.throughput import ratio_table

        source, target = self.gpu(from_gpu), self.gpu(to_gpu)
        choice("precision", precision, PRECISIONS)
        frame, assumptions, notes = ratio_table(self, source.gpu, precision, [target.gpu], mfu=self.mfu,
                                                parameters=parameters)
        if frame.empty:
            raise PlanError(notes[0] if notes else f"gpu '{target.gpu}': cannot convert from {source.gpu}")
        row, why = frame.iloc[0], assumptions[0]
        return float(row["ratio_central"]), (f"estimate: {row['ratio_method']} throughput ratio {target.gpu} / "
                                             f"{source.gpu} = {row['ratio_central']:.3g} ({why.source}; {why.note})")
