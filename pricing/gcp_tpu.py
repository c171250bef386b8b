"""GCP Cloud TPU prices from the Cloud Billing Catalog: TPU SKUs -> one offer per TPU slice, as the shipped rows.

A TPU VM's price includes its host, so a slice's offer is ``units · SKU price`` [USD/h], named by the slice
(``tpu-v2-8``, ``tpu-v5litepod-4``, through :func:`pricing.offer_names.offer_name`) with ``gpu`` and
``gpu_count`` from data_src/accelerator_map.csv (``tpu`` rows: TensorCores or chips per named unit), as the
shipped build names and counts them (pricing/shipped.py).

What one SKU's hour buys differs by generation, so only the generations whose unit is documented are priced:

- v2, v3: the SKU prices one 8-TensorCore *device* (a ``v2-8`` / ``v3-8`` slice, 4 chips). Google's Cloud
  TPU pricing page quotes these generations per device-hour (v2 4.50 USD/h in us-central1, the shipped
  tpu-v2-8 us-central1 price; a public billing note names the Cloud TPU service's "TPU-v2 Accelerator" SKU
  at 4.5/h in us-central1).
- v5e (``v5litepod``): the SKU prices one chip-hour (Google's pricing page quotes v5e per chip-hour), so a
  single-host slice of n chips (1, 4, 8) is n units.

Pod-slice SKUs ("Pod" in the description), and generations whose SKU unit is not written down here
(v4, v5p, v6e, ...), are counted as ``tpu_not_modelled`` and never priced; a refresh carries their rows forward.
What is known of those (SkyPilot's ``sky/catalog/data_fetchers/fetch_gcp.py``, skypilot-org/skypilot@a2f08cfd,
Apache-2.0): v4 is listed only as "Tpu-v4 Pod" SKUs, read there at one price per 8 TensorCores; v5p ("TpuV5p") and
v6e ("TpuV6e") SKUs price one chip-hour. v5p and v6e are still not priced: the hardware catalog has no citable
per-chip power for them (``shared/data/hardware`` lists TPU v2-v5e only), so their shipped SkyPilot rows are set
aside as unmapped and a refresh could not turn their SKUs into energy either.
v2/v3 SKUs sit under the Cloud TPU service (:data:`TPU_SERVICE`), v5e and later under Compute Engine; SKUs are
told apart by ``category.resourceGroup == "TPU"`` and the description, whichever service lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from pricing.accelerators import accelerator_map, tpu_generation
from pricing.fetch_result import FetchResult, SkipItem
from pricing.offer_names import offer_name
from pricing.schema import OfferRow

#: The Cloud TPU service in the Cloud Billing Catalog (TPU v2, v3, v4 SKUs).
TPU_SERVICE = "services/E000-3F24-B8AA"
TPU_RESOURCE_GROUP = "TPU"
SOURCE = f"gcp cloudbilling skus.list {TPU_SERVICE} and services/6F81-5844-456A (TPU SKUs x units per slice)"
#: Provider TPU family -> (slice name, SKU units per slice). See the module docstring for each unit's source.
TPU_SLICES: dict[str, tuple[tuple[str, int], ...]] = {
    "tpu-v2": (("tpu-v2-8", 1),),
    "tpu-v3": (("tpu-v3-8", 1),),
    "tpu-v5litepod": (("tpu-v5litepod-1", 1), ("tpu-v5litepod-4", 4), ("tpu-v5litepod-8", 8)),
}
_VERSION = re.compile(r"\btpu[- ]?(?P<version>v\d+[a-z]*)\b", re.IGNORECASE)
_POD = re.compile(r"\bpod\b", re.IGNORECASE)


def tpu_family(description: str) -> str:
    """``tpu-v2`` for "Tpu-v2 ... in us-central1", ``tpu-v5litepod`` for "TPU v5e ..." (the slice-name family).

    Raises SkipItem(tpu_not_modelled) for a pod-slice SKU, a description with no TPU version, or a
    generation not in :data:`TPU_SLICES`.
    """
    matched = _VERSION.search(description)
    if matched is None or _POD.search(description):
        raise SkipItem("tpu_not_modelled", description)
    version = matched["version"].lower()
    family = "tpu-v5litepod" if version == "v5e" else f"tpu-{version}"
    if family not in TPU_SLICES:
        raise SkipItem("tpu_not_modelled", description)
    return family


def slice_names() -> set[str]:
    """Every slice name :func:`tpu_offers` can price."""
    return {name for slices in TPU_SLICES.values() for name, _units in slices}


def tpu_offers(prices: pd.DataFrame, fetched_at: str, regions: Iterable[str] | None = None) -> FetchResult:
    """One offer per modelled slice, region and pricing model: ``units · usd_per_unit`` [USD/h].

    prices : :func:`pricing.gcp.parse_skus` output; its ``component == "tpu"`` rows (``name`` a family of
        :data:`TPU_SLICES`, ``usd_per_unit`` per SKU unit) are used
    """
    wanted = None if regions is None else set(regions)
    tpu_map = accelerator_map("gcp", "tpu")
    result = FetchResult()
    tpus = prices[prices["component"] == "tpu"]
    for family, pricing, region, usd in tpus[["name", "pricing", "region", "usd_per_unit"]].itertuples(index=False):
        if wanted is not None and region not in wanted:
            continue
        match = tpu_map.get(family)
        if match is None:
            result.record_skip(SkipItem("unmapped_gpu", family))
            continue
        for name, units in TPU_SLICES[family]:
            _family, named_units = tpu_generation(name) or (family, 0)
            result.rows.append(OfferRow(
                provider="gcp", region=region, location=region, instance_type=offer_name("gcp", name),
                gpu=match.gpu, gpu_count=named_units * match.chips_per_unit, vcpus=None, memory_gib=None,
                pricing=pricing, usd_per_hour=units * float(usd), fetched_at=fetched_at, source=SOURCE,
            ))
    ambiguous = prices.attrs.get("ambiguous")
    if ambiguous is not None and not ambiguous.empty:
        from pricing.gcp import ambiguous_reason

        for (family, pricing, region), parts in ambiguous[ambiguous["component"] == "tpu"].groupby(
                ["name", "pricing", "region"], sort=True):
            match = tpu_map.get(family)
            if match is None or (wanted is not None and region not in wanted):
                continue
            for name, _units in TPU_SLICES.get(family, ()):
                _family, named_units = tpu_generation(name) or (family, 0)
                result.refuse(region, offer_name("gcp", name), match.gpu, pricing, ambiguous_reason(parts),
                              gpu_count=named_units * match.chips_per_unit)
    return result


def covered(offers: pd.DataFrame, fetched: pd.DataFrame | None) -> pd.Series:
    """Previous TPU offers a refresh replaces: modelled slices of a (family, pricing) the fresh rows priced.

    A family (or its spot prices) absent from the fresh rows, e.g. a listing without v3 SKUs, is carried
    forward, as are pod slices and unmodelled generations.
    """
    if fetched is None or fetched.empty:
        return pd.Series(False, index=offers.index)
    fresh = fetched[fetched["instance_type"].isin(slice_names())]
    cells = set(zip(fresh["gpu"], fresh["pricing"], strict=True))
    in_cell = pd.Series([(g, p) in cells for g, p in zip(offers["gpu"], offers["pricing"], strict=True)],
                        index=offers.index, dtype=bool)
    return offers["instance_type"].isin(slice_names()) & in_cell


def is_tpu_sku(sku: Mapping[str, Any]) -> bool:
    """Whether a skus.list entry is a TPU SKU (resource group ``TPU``)."""
    return (sku.get("category") or {}).get("resourceGroup") == TPU_RESOURCE_GROUP
