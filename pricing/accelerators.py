"""Read the shipped mapping tables (data_src/*.csv) that turn provider names into catalog GPU ids."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data_src"


@dataclass(frozen=True)
class GpuMatch:
    """A provider accelerator name resolved to the hardware catalog.

    gpu : catalog GPU id, e.g. ``a100-sxm4-40gb``
    chips_per_unit : catalog GPUs per provider unit [-] (1 for every GPU; 0.5 for TPU cores)
    """

    gpu: str
    chips_per_unit: float


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


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
