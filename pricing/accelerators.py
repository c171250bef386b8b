"""Map a provider's accelerator, instance family or VM series name to a hardware-catalog GPU id."""

from __future__ import annotations

import re

import pandas as pd

# Azure size names -> series key of the accelerator map. Order matters: the first pattern that matches wins.
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


def aws_family(instance_type: str) -> str:
    """``p4d.24xlarge`` -> ``p4d``."""
    return instance_type.split(".", 1)[0]


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


def lookup_gpu(accelerator_map: pd.DataFrame, provider: str, match_kind: str, match: str) -> tuple[str, float] | None:
    """Catalog GPU id and chips per named unit for one map key, or None when unmapped.

    ``chips_per_unit`` converts a provider's unit into catalog chips (e.g. a TPU v3-8 slice
    counts 8 TensorCores, 2 per chip, so 0.5 chips per named unit).
    """
    hit = accelerator_map[
        (accelerator_map["provider"] == provider)
        & (accelerator_map["match_kind"] == match_kind)
        & (accelerator_map["match"] == match)
    ]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return str(row["gpu"]), float(row["chips_per_unit"])
