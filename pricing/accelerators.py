"""The mapping tables that turn provider names into catalog GPU ids.

The tables are authored in ``data_src/*.csv`` and shipped inside the package's SQLite file (as text,
exactly as written); at run time they are read from there, never from the repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pandas as pd


@dataclass(frozen=True)
class GpuMatch:
    """A provider accelerator name resolved to the hardware catalog.

    gpu : catalog GPU id, e.g. ``a100-sxm4-40gb``
    chips_per_unit : catalog GPUs per provider unit [-] (1 for every GPU; 0.5 for TPU cores)
    """

    gpu: str
    chips_per_unit: float


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a shipped mapping table (``accelerator_map.csv`` -> table ``accelerator_map``), values as text."""
    from planner.shipped import load

    table = load()[name.removesuffix(".csv")]
    return table.astype(object).where(table.notna(), "").astype(str).to_dict("records")


def normalise_gcp_gpu_name(name: str) -> str:
    """A GCP GPU SKU name compared loosely: lower case, single spaces, no "Tesla".

    Google has written the same GPU both ways ("Nvidia Tesla A100 80GB GPU", "Nvidia A100 80GB GPU").
    """
    words = [word for word in name.lower().split() if word != "tesla"]
    return " ".join(words)


@cache
def accelerator_map(provider: str, match_kind: str) -> dict[str, GpuMatch]:
    """``match -> GpuMatch`` for one provider and match kind of data_src/accelerator_map.csv.

    match_kind : ``family`` (AWS instance family), ``series`` (Azure), ``accelerator`` or
    ``sku_description`` (GCP; keys normalised by :func:`normalise_gcp_gpu_name`).
    """
    table = {}
    for row in _read_csv("accelerator_map.csv"):
        if row["provider"] == provider and row["match_kind"] == match_kind:
            key = normalise_gcp_gpu_name(row["match"]) if match_kind == "sku_description" else row["match"]
            table[key] = GpuMatch(row["gpu"], float(row["chips_per_unit"]))
    return table


@dataclass(frozen=True)
class GcpMachineType:
    """A GCP VM shape: host machine type plus its attached GPUs.

    instance_type : name in offers (machine type, plus ``+<n>x<GPU>`` for N1 hosts whose GPUs are attached)
    host_family : the family in the host's Core/Ram SKU descriptions (``N1``, ``A2``, ``A3``, ``G2``)
    vcpus : host vCPUs [-];  memory_gib : host RAM [GiB]
    gpu_sku : the GPU SKU name (description up to "GPU"), e.g. ``Nvidia Tesla V100 GPU``
    gpu_count : GPUs attached [-]
    """

    instance_type: str
    machine_type: str
    host_family: str
    vcpus: int
    memory_gib: float
    gpu_sku: str
    gpu_count: int


@cache
def gcp_machine_types() -> tuple[GcpMachineType, ...]:
    """The VM shapes of data_src/gcp_machine_types.csv."""
    return tuple(
        GcpMachineType(
            instance_type=row["instance_type"],
            machine_type=row["machine_type"],
            host_family=row["host_family"],
            vcpus=int(row["vcpus"]),
            memory_gib=float(row["memory_gib"]),
            gpu_sku=row["gpu_sku"],
            gpu_count=int(row["gpu_count"]),
        )
        for row in _read_csv("gcp_machine_types.csv")
    )


@dataclass(frozen=True)
class AzureSize:
    """An Azure GPU VM size: its series (an accelerator_map key), GPUs, vCPUs and RAM [GiB]."""

    arm_sku_name: str
    series: str
    gpu_count: int
    vcpus: int
    memory_gib: float


@cache
def azure_sizes() -> dict[str, AzureSize]:
    """``armSkuName -> AzureSize`` from data_src/azure_vm_sizes.csv."""
    return {
        row["arm_sku_name"]: AzureSize(
            arm_sku_name=row["arm_sku_name"],
            series=row["series"],
            gpu_count=int(row["gpu_count"]),
            vcpus=int(row["vcpus"]),
            memory_gib=float(row["memory_gib"]),
        )
        for row in _read_csv("azure_vm_sizes.csv")
    }


_AWS_FAMILY = re.compile(r"^(?P<family>[a-z0-9-]+)\.[a-z0-9-]+$")


def aws_family(instance_type: str) -> str | None:
    """``p4d`` for ``p4d.24xlarge``, ``p6-b200`` for ``p6-b200.48xlarge``; None if not that shape."""
    matched = _AWS_FAMILY.match(instance_type)
    return matched["family"] if matched else None


# Azure size names -> series key of the accelerator map, for the shipped catalog extract (whose sizes are
# not all in azure_vm_sizes.csv). Order matters: the first pattern that matches wins.
_AZURE_SERIES_PATTERNS = (
    (r"^Standard_NC\d+as_T4_v3$", "NC_T4_v3"),
    (r"^Standard_NC\d+r?s_v3$", "NC_v3"),
    (r"^Standard_ND40rs_v2$", "ND_v2"),
    (r"^Standard_ND96asr_v4$", "ND_A100_v4"),
    (r"^Standard_NC\d+ads_A100_v4$", "NC_A100_v4"),
    (r"^Standard_ND96amsr_A100_v4$", "ND_A100_v4_80"),
    (r"^Standard_NC\d+ad(i)?s_H100_v5$", "NC_H100_v5"),
    (r"^Standard_ND96isr_H100_v5$", "ND_H100_v5"),
    (r"^Standard_NV\d+adm?s_A10_v5$", "NV_A10_v5"),
)


def azure_series(instance_type: str) -> str | None:
    """Azure VM size -> series key of the accelerator map, or None when the size is not a mapped GPU size."""
    for pattern, series in _AZURE_SERIES_PATTERNS:
        if re.match(pattern, instance_type):
            return series
    return None


def tpu_generation(accelerator_name: str) -> tuple[str, int] | None:
    """``tpu-v3-8`` -> (``tpu-v3``, 8); ``tpu-v5litepod-1`` -> (``tpu-v5litepod``, 1); else None."""
    match = re.match(r"^(tpu-v\d+[a-z]*)-(\d+)$", accelerator_name)
    if not match:
        return None
    return match.group(1), int(match.group(2))


def lookup_gpu(mapping: pd.DataFrame, provider: str, match_kind: str, match: str) -> tuple[str, float] | None:
    """Catalog GPU id and chips per named unit for one key of an accelerator-map DataFrame, or None.

    ``chips_per_unit`` converts a provider's unit into catalog chips (e.g. a TPU v3-8 slice
    counts 8 TensorCores, 2 per chip, so 0.5 chips per named unit).
    """
    hit = mapping[(mapping["provider"] == provider) & (mapping["match_kind"] == match_kind)
                  & (mapping["match"] == match)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return str(row["gpu"]), float(row["chips_per_unit"])
