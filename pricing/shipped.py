"""Turn the shipped price extracts into normalised offers, checking every row (``scripts/build_data.py``).

Sources, per ``shared/data/prices/README.md``:

- AWS and Azure: SkyPilot catalog rows, each the whole VM.
- GCP A2, A3 High/Mega and G2 machine types in the regions of ``gcp_accelerator_list_prices.csv``: that
  file's whole-VM list prices (GPU + vCPU + RAM + bundled Local SSD SKUs, from a Billing-Catalog build,
  cross-checked). It replaces SkyPilot there, whose on-demand slot holds a non-list SKU for several families.
- Other GCP VMs: SkyPilot's accelerator row plus the host VM row of the machine type that carries that many
  GPUs (``data_src/gcp_host_map.csv``). Each part is checked on its own (spot <= on-demand) before the sum.
- TPUs: SkyPilot's TPU rows (a TPU VM's price includes its host).

Rows set aside (never shipped as offers, listed in ``price_anomalies`` with the reason): price <= 0, a
retired size (``data_src/retired_sizes.csv``), an AWS spot minimum that is a Local Zone price
(``data_src/local_zone_spot.csv``, replaced by the own-AZ price it names), an unmapped GPU, an unknown region, a GCP part whose spot is
above its on-demand price, and whatever :func:`pricing.offer_checks.check_offers` refuses.
"""

from __future__ import annotations

import math

import pandas as pd

from pricing.accelerators import aws_family, azure_series, lookup_gpu, tpu_generation
from pricing.offer_checks import ANOMALY_COLUMNS, check_offers, reference_prices
from pricing.offer_names import offer_name
from pricing.schema import OFFER_COLUMNS

#: Columns of the ``price_anomalies`` table: the checks' columns plus where the row came from.
SHIPPED_ANOMALY_COLUMNS = (*ANOMALY_COLUMNS, "source")
REASON_COMPONENT = "GCP {part} part: spot above on-demand (both VM rows set aside)"


def _price(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


class _Rows:
    """Offers and anomalies collected while reading the extracts."""

    def __init__(self) -> None:
        self.offers: list[dict] = []
        self.anomalies: list[dict] = []

    def aside(self, base: dict, pricing: str, price: float | None, reason: str) -> None:
        count = base.get("gpu_count") or float("nan")
        self.anomalies.append({
            "provider": base["provider"], "region": base["region"], "instance_type": base["instance_type"],
            "gpu": base["gpu"], "pricing": pricing, "usd_per_hour": price if price is not None else float("nan"),
            "usd_per_gpu_hour": (price / count) if price is not None else float("nan"),
            "reason": reason, "source": base.get("source", ""),
        })

    def emit(self, base: dict, on_demand: float | None, spot: float | None) -> None:
        for pricing, price in (("on_demand", on_demand), ("spot", spot)):
            if price is None:
                continue
            if price <= 0:
                self.aside(base, pricing, price, "price <= 0")
                continue
            self.offers.append({**base, "pricing": pricing, "usd_per_hour": price,
                                "usd_per_gpu_hour": price / base["gpu_count"]})


REASON_LOCAL_ZONE = "spot minimum is the Local Zone {zone} price (not the region's own AZs)"


def _aws_azure(rows: _Rows, provider: str, frame: pd.DataFrame, locations: dict, accelerator_map: pd.DataFrame,
               retired: dict, fetched_at: str, source: str, local_zone: dict | None = None) -> None:
    for row in frame.itertuples(index=False):
        key = aws_family(row.instance_type) if provider == "aws" else azure_series(row.instance_type)
        kind = "family" if provider == "aws" else "series"
        mapped = lookup_gpu(accelerator_map, provider, kind, key) if key else None
        base = {"provider": provider, "region": row.region, "location": locations.get((provider, row.region)),
                "instance_type": offer_name(provider, row.instance_type), "gpu": row.accelerator_name,
                "gpu_count": float(row.accelerator_count), "vcpus": _price(row.vcpus),
                "memory_gib": _price(row.memory_gib), "fetched_at": fetched_at, "source": source}
        od, spot = _price(row.price_usd_per_hour), _price(row.spot_price_usd_per_hour)
        reason = None
        if (provider, row.instance_type) in retired:
            reason = f"retired on {retired[(provider, row.instance_type)]}"
        elif mapped is None:
            reason = f"unmapped GPU '{row.accelerator_name}'"
        elif (provider, row.region) not in locations:
            reason = "unknown region"
        if reason:
            for pricing, price in (("on_demand", od), ("spot", spot)):
                if price is not None:
                    rows.aside(base, pricing, price, reason)
            continue
        gpu, chips = mapped
        base = {**base, "gpu": gpu, "gpu_count": float(row.accelerator_count) * chips}
        fix = (local_zone or {}).get((provider, row.region, row.instance_type))
        if fix is not None and spot is not None and math.isclose(spot, fix.local_zone_usd_per_hour):
            rows.aside(base, "spot", spot, REASON_LOCAL_ZONE.format(zone=fix.local_zone))
            rows.emit({**base, "source": f"{source}; spot: the region's own AZs ({fix.source})"}, None,
                      _price(fix.own_az_usd_per_hour))
            spot = None
        rows.emit(base, od, spot)


def _gcp_list(rows: _Rows, listed: pd.DataFrame, hosts: pd.DataFrame, locations: dict,
              accelerator_map: pd.DataFrame) -> set[tuple[str, str]]:
    """Whole-VM rows of the list-price file; returns the (machine type, region) pairs it priced."""
    shapes = hosts.drop_duplicates("instance_type").set_index("instance_type")
    covered = set()
    whole_vm = listed[listed["usd_per_hour"].notna()]
    for (machine, region), group in whole_vm.groupby(["machine_type", "region"], sort=True):
        first = group.iloc[0]
        mapped = lookup_gpu(accelerator_map, "gcp", "list_price_gpu", first["gpu"])
        base = {"provider": "gcp", "region": region, "location": locations.get(("gcp", region)),
                "instance_type": offer_name("gcp", machine), "gpu": first["gpu"],
                "gpu_count": float(first["gpu_count"]),
                "vcpus": _price(shapes["vcpus"].get(machine)), "memory_gib": _price(shapes["memory_gib"].get(machine)),
                "fetched_at": str(first["source_date"])[:10],
                "source": (f"{first['source']} ({first['basis']}); list price, "
                           f"confidence {'/'.join(sorted(set(group['confidence'])))}")}
        prices = {r["pricing"]: _price(r["usd_per_hour"]) for _, r in group.iterrows()}
        if mapped is None or ("gcp", region) not in locations:
            reason = f"unmapped GPU '{first['gpu']}'" if mapped is None else "unknown region"
            for pricing, price in prices.items():
                rows.aside(base, pricing, price, reason)
            continue
        covered.add((machine, region))
        gpu, chips = mapped
        rows.emit({**base, "gpu": gpu, "gpu_count": float(first["gpu_count"]) * chips},
                  prices.get("on_demand"), prices.get("spot"))
    return covered


def _gcp_catalog(rows: _Rows, gcp_gpu: pd.DataFrame, gcp_host: pd.DataFrame, gcp_host_map: pd.DataFrame,
                 locations: dict, accelerator_map: pd.DataFrame, covered: set, fetched_at: str, source: str) -> None:
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
        on_demand, spot = _price(row.price_usd_per_hour), _price(row.spot_price_usd_per_hour)
        host_type = None if tpu else host_for.get((row.accelerator_name, units))
        base = {"provider": "gcp", "region": row.region, "location": locations.get(("gcp", row.region)),
                "instance_type": row.accelerator_name if tpu else (host_type or ""), "gpu": row.accelerator_name,
                "gpu_count": float(units), "vcpus": None, "memory_gib": None, "fetched_at": fetched_at,
                "source": source}
        if host_type and (host_type, row.region) in covered:
            continue  # priced from the list-price file
        reason = None
        if mapped is None:
            reason = f"unmapped GPU '{row.accelerator_name}'"
        elif ("gcp", row.region) not in locations:
            reason = "unknown region"
        host = hosts.get((host_type, row.region)) if host_type else None
        if reason is None and not tpu and host is None:
            reason = "no host VM price for this GPU count and region: the whole-VM price is unknown"
        if reason:
            for pricing, price in (("on_demand", on_demand), ("spot", spot)):
                if price is not None:
                    rows.aside(base, pricing, price, reason)
            continue
        gpu, chips = mapped
        base.update(gpu=gpu, gpu_count=units * chips)
        if not tpu:
            host_od, host_spot = _price(host.price_usd_per_hour), _price(host.spot_price_usd_per_hour)
            base.update(instance_type=offer_name("gcp", host_type, units, row.accelerator_name),
                        vcpus=float(host.vcpus), memory_gib=float(host.memory_gib))
            bad_part = [part for part, s, o in (("GPU", spot, on_demand), ("host", host_spot, host_od))
                        if s is not None and o is not None and s > o]
            on_demand = on_demand + host_od if on_demand is not None and host_od is not None else None
            spot = spot + host_spot if spot is not None and host_spot is not None else None
            if bad_part:
                part = bad_part[0]
                for pricing, price in (("on_demand", on_demand), ("spot", spot)):
                    if price is not None:
                        rows.aside(base, pricing, price, REASON_COMPONENT.format(part=part))
                continue
        rows.emit(base, on_demand, spot)


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
    gcp_list: pd.DataFrame | None = None,
    retired: pd.DataFrame | None = None,
    local_zone_spot: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalised offers and the rows set aside, from the shipped extracts.

    sources : provider -> source text stored on each of its catalog rows
    gcp_list : ``gcp_accelerator_list_prices.csv`` (None: SkyPilot prices every GCP VM)
    retired : ``data_src/retired_sizes.csv`` (provider, instance_type, retired_on, source)
    local_zone_spot : ``data_src/local_zone_spot.csv`` (provider, region, instance_type, local_zone,
        local_zone_usd_per_hour, own_az_usd_per_hour, source): an extract spot minimum documented to be a Local
        Zone price is set aside and the region's own-AZ price, where the source gives it, shipped in its place
    Returns (offers with ``OFFER_COLUMNS``, anomalies with :data:`SHIPPED_ANOMALY_COLUMNS`).
    """
    locations = {(r.provider, r.region): r.location for r in regions.itertuples()}
    retired_map = {} if retired is None else {
        (r.provider, r.instance_type): r.retired_on for r in retired.itertuples()}
    local_zone = {} if local_zone_spot is None else {
        (r.provider, r.region, r.instance_type): r for r in local_zone_spot.itertuples()}
    rows = _Rows()
    _aws_azure(rows, "aws", aws, locations, accelerator_map, retired_map, fetched_at, sources["aws"], local_zone)
    _aws_azure(rows, "azure", azure, locations, accelerator_map, retired_map, fetched_at, sources["azure"])
    covered: set = set()
    trusted = pd.DataFrame(columns=list(OFFER_COLUMNS))
    if gcp_list is not None:
        before = len(rows.offers)
        covered = _gcp_list(rows, gcp_list, gcp_host, locations, accelerator_map)
        trusted = pd.DataFrame(rows.offers[before:], columns=list(OFFER_COLUMNS))
    _gcp_catalog(rows, gcp_gpu, gcp_host, gcp_host_map, locations, accelerator_map, covered, fetched_at,
                 sources["gcp"])

    offers = pd.DataFrame(rows.offers, columns=list(OFFER_COLUMNS))
    kept, aside = check_offers(offers, reference=reference_prices(trusted))
    aside = aside.merge(offers[["provider", "region", "instance_type", "pricing", "source"]],
                        on=["provider", "region", "instance_type", "pricing"], how="left")
    anomalies = pd.concat([pd.DataFrame(rows.anomalies, columns=list(SHIPPED_ANOMALY_COLUMNS)),
                           aside.loc[:, list(SHIPPED_ANOMALY_COLUMNS)]], ignore_index=True)
    kept = kept.sort_values(["provider", "region", "instance_type", "gpu_count", "pricing"],
                            kind="mergesort").reset_index(drop=True)
    anomalies = anomalies.sort_values(["provider", "region", "instance_type", "pricing", "reason"],
                                      kind="mergesort").reset_index(drop=True)
    return kept, anomalies
