"""Turn the shipped price extracts (SkyPilot catalog rows) into normalised offers, checking every row.

The extracts' rules are in ``shared/data/prices/README.md``: AWS and Azure rows price the whole VM;
GCP rows price the accelerator only, so a GCP offer is the accelerator row plus the host VM row of the
machine type that carries that many GPUs (``data_src/gcp_host_map.csv``). Rows that fail a check
(price <= 0, spot above on-demand, spot equal to on-demand where the README says that means "no spot
data", unmapped GPU, unknown region) are kept out of the offers and listed as anomalies with the reason.
"""

from __future__ import annotations

import math

import pandas as pd

from pricing.accelerators import aws_family, azure_series, lookup_gpu, tpu_generation
from pricing.schema import OFFER_COLUMNS

_ANOMALY_COLUMNS = ("provider", "region", "instance_type", "accelerator_name", "pricing", "usd_per_hour", "reason")


def _price(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _emit(offers: list, anomalies: list, base: dict, on_demand: float | None, spot: float | None,
          accelerator_name: str, spot_equal_means_missing: bool) -> None:
    """Append the on-demand and spot offers of one (instance, region), or anomalies where a check fails."""
    for pricing, price in (("on_demand", on_demand), ("spot", spot)):
        if price is None:
            continue
        reason = None
        if price <= 0:
            reason = "price <= 0"
        elif pricing == "spot" and on_demand is not None and price > on_demand:
            reason = "spot price above on-demand: kept out"
        elif pricing == "spot" and spot_equal_means_missing and on_demand is not None and price == on_demand:
            reason = "spot equal to on-demand: the catalog's placeholder for no spot data"
        if reason:
            anomalies.append({**{k: base[k] for k in ("provider", "region", "instance_type")},
                              "accelerator_name": accelerator_name, "pricing": pricing,
                              "usd_per_hour": price, "reason": reason})
            continue
        offers.append({**base, "pricing": pricing, "usd_per_hour": price,
                       "usd_per_gpu_hour": price / base["gpu_count"]})


def _unmapped(anomalies: list, provider: str, region: str, instance_type: str, accelerator_name: str,
              reason: str) -> None:
    anomalies.append({"provider": provider, "region": region, "instance_type": instance_type,
                      "accelerator_name": accelerator_name, "pricing": "", "usd_per_hour": float("nan"),
                      "reason": reason})


def shipped_offers(
    aws: pd.DataFrame,
    azure: pd.DataFrame,
    gcp_gpu: pd.DataFrame,
    gcp_host: pd.DataFrame,
    gcp_host_map: pd.DataFrame,
    regions: pd.DataFrame,
    accelerator_map: pd.DataFrame,
    fetched_at: str,
    sources: dict[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalised offers and the anomalies kept out of them, from the shipped extracts.

    sources : provider -> source text stored on each of its rows
    Returns (offers with ``OFFER_COLUMNS``, anomalies with ``_ANOMALY_COLUMNS``).
    """
    locations = {(r.provider, r.region): r.location for r in regions.itertuples()}
    offers: list[dict] = []
    anomalies: list[dict] = []

    for provider, frame in (("aws", aws), ("azure", azure)):
        for row in frame.itertuples(index=False):
            key = aws_family(row.instance_type) if provider == "aws" else azure_series(row.instance_type)
            kind = "family" if provider == "aws" else "series"
            mapped = lookup_gpu(accelerator_map, provider, kind, key) if key else None  # type: ignore[arg-type]
            if mapped is None:
                _unmapped(anomalies, provider, row.region, row.instance_type, row.accelerator_name,
                          f"unmapped GPU '{row.accelerator_name}'")
                continue
            if (provider, row.region) not in locations:
                _unmapped(anomalies, provider, row.region, row.instance_type, row.accelerator_name, "unknown region")
                continue
            gpu, chips = mapped
            base = {"provider": provider, "region": row.region, "location": locations[(provider, row.region)],
                    "instance_type": row.instance_type, "gpu": gpu,
                    "gpu_count": float(row.accelerator_count) * chips,
                    "vcpus": _price(row.vcpus), "memory_gib": _price(row.memory_gib),
                    "fetched_at": fetched_at, "source": sources[provider]}
            _emit(offers, anomalies, base, _price(row.price_usd_per_hour), _price(row.spot_price_usd_per_hour),
                  row.accelerator_name, spot_equal_means_missing=(provider == "azure"))

    hosts = {(r.instance_type, r.region): r for r in gcp_host.itertuples(index=False)}
    host_for = {(r.accelerator_name, int(r.accelerator_count)): r.host for r in gcp_host_map.itertuples(index=False)}
    for row in gcp_gpu.itertuples(index=False):
        tpu = tpu_generation(row.accelerator_name)
        if tpu:
            mapped = lookup_gpu(accelerator_map, "gcp", "tpu", tpu[0])
            units = tpu[1]
        else:
            mapped = lookup_gpu(accelerator_map, "gcp", "accelerator", row.accelerator_name)
            units = int(row.accelerator_count)
        if mapped is None:
            _unmapped(anomalies, "gcp", row.region, "", row.accelerator_name, f"unmapped GPU '{row.accelerator_name}'")
            continue
        if ("gcp", row.region) not in locations:
            _unmapped(anomalies, "gcp", row.region, "", row.accelerator_name, "unknown region")
            continue
        gpu, chips = mapped
        on_demand, spot = _price(row.price_usd_per_hour), _price(row.spot_price_usd_per_hour)
        if tpu:
            # A TPU VM's price includes its host.
            instance_type, vcpus, memory = row.accelerator_name, None, None
        else:
            host_type = host_for.get((row.accelerator_name, units))
            host = hosts.get((host_type, row.region)) if host_type else None
            if host is None:
                _unmapped(anomalies, "gcp", row.region, host_type or "", row.accelerator_name,
                          "no host VM price for this GPU count and region: the whole-VM price is unknown")
                continue
            host_od, host_spot = _price(host.price_usd_per_hour), _price(host.spot_price_usd_per_hour)
            on_demand = on_demand + host_od if on_demand is not None and host_od is not None else None
            spot = spot + host_spot if spot is not None and host_spot is not None else None
            instance_type, vcpus, memory = host_type, float(host.vcpus), float(host.memory_gib)
            if host_type.startswith("n1-"):
                # N1 hosts carry any of several GPUs: name the attached GPUs so the offer is unambiguous.
                instance_type = f"{host_type} + {units}x {row.accelerator_name}"
        base = {"provider": "gcp", "region": row.region, "location": locations[("gcp", row.region)],
                "instance_type": instance_type, "gpu": gpu, "gpu_count": units * chips,
                "vcpus": vcpus, "memory_gib": memory, "fetched_at": fetched_at, "source": sources["gcp"]}
        _emit(offers, anomalies, base, on_demand, spot, row.accelerator_name, spot_equal_means_missing=False)

    offers_df = pd.DataFrame(offers, columns=list(OFFER_COLUMNS))
    offers_df = offers_df.sort_values(["provider", "region", "instance_type", "gpu_count", "pricing"],
                                      kind="mergesort").reset_index(drop=True)
    anomalies_df = pd.DataFrame(anomalies, columns=list(_ANOMALY_COLUMNS))
    return offers_df, anomalies_df
