"""The one function that names an offer's instance, used by the shipped build and by every fetcher.

Snapshots are compared row by row on (region, instance_type, pricing) (``trainplan prices diff``), so the
same VM must get the same name whichever source priced it. Most VMs are named by their machine type or
size as the provider spells it; a GCP N1 host carries GPUs attached separately, so its offer is named
``<machine type>+<count>x<GPU>`` (``n1-highmem-8+1xV100``).
"""

from __future__ import annotations

import re

_GCP_GPU_WORDS = re.compile(r"^(?:nvidia\s+)?(?:tesla\s+)?(?P<name>.+?)\s+gpu\b", re.IGNORECASE)


def gcp_gpu_short_name(sku_or_accelerator: str) -> str:
    """``V100`` for ``Nvidia Tesla V100 GPU`` (a billing SKU name) or for ``V100`` (a catalog accelerator name).

    Words between the vendor and "GPU" are joined by ``-``: ``Nvidia Tesla A100 80GB GPU`` -> ``A100-80GB``.
    """
    matched = _GCP_GPU_WORDS.match(sku_or_accelerator.strip())
    name = matched["name"] if matched else sku_or_accelerator.strip()
    return "-".join(name.split()).upper()


def offer_name(provider: str, machine_type: str, gpu_count: float | None = None, gpu: str | None = None) -> str:
    """The ``instance_type`` of an offer.

    provider : ``aws``, ``gcp`` or ``azure``
    machine_type : instance type (AWS), machine type (GCP) or armSkuName (Azure)
    gpu_count, gpu : for a GCP N1 host only, the GPUs attached and their name (SKU or short name)
    """
    if provider == "gcp" and machine_type.startswith("n1-"):
        if gpu_count is None or gpu is None:
            raise ValueError(f"offer_name: GCP N1 machine type {machine_type!r} needs the attached GPUs")
        return f"{machine_type}+{int(gpu_count)}x{gcp_gpu_short_name(gpu)}"
    return machine_type
