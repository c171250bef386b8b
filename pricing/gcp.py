"""GCP Compute Engine GPU VM prices from the Cloud Billing Catalog: host cores + host RAM + attached GPUs.

Google bills a GPU VM as separate SKUs (vCPU-hours, GiB-hours of RAM, GPU-hours), so an offer here is
the whole VM: ``usd_per_hour = vcpus · core + memory_gib · ram + gpu_count · gpu``, each per region and
per usage type (OnDemand -> ``on_demand``, Preemptible -> ``spot``), with the VM shapes of
data_src/gcp_machine_types.csv. TPU SKUs (both services) are priced per slice by :mod:`pricing.gcp_tpu`. Parsing is pure over skus.list JSON (camelCase, as the REST API returns
it); :func:`fetch` drives ``google.cloud.billing_v1.CloudCatalogClient``. Credentials come from
google-auth's default chain only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import requests
from google.api_core.exceptions import GoogleAPICallError, RetryError
from google.auth.exceptions import DefaultCredentialsError
from google.protobuf import json_format

from pricing import gcp_tpu
from pricing.accelerators import GcpMachineType, accelerator_map, gcp_machine_types, normalise_gcp_gpu_name
from pricing.fetch_result import FetchResult, PricingCredentialsError, SkipItem, utc_now_iso
from pricing.offer_names import offer_name
from pricing.schema import OfferRow
from pricing.validate import checked_region, usd_price

log = logging.getLogger(__name__)

#: The Compute Engine service in the Cloud Billing Catalog.
COMPUTE_SERVICE = "services/6F81-5844-456A"
USAGE_TYPES = {"OnDemand": "on_demand", "Preemptible": "spot", "Commit1Yr": "reserved_1y", "Commit3Yr": "reserved_3y"}
#: Committed-use (resource-based CUD) usage types: the hourly price of a 1- or 3-year commitment, paid every hour
#: of the term whether used or not.
COMMITMENT_PRICING = ("reserved_1y", "reserved_3y")
#: Unit each component is priced per: GPU-hour, vCPU-hour, GiB-hour of RAM.
USAGE_UNITS = {"gpu": "h", "core": "h", "ram": "GiBy.h", "tpu": "h"}
# N1 predefined cores/RAM sit in resource group "N1Standard"; newer families in "CPU"/"RAM".
HOST_RESOURCE_GROUPS = frozenset({"CPU", "RAM", "N1Standard"})
PRICE_COLUMNS = ("component", "name", "pricing", "region", "usd_per_unit")
CREDENTIALS_MESSAGE = (
    "gcp: no credentials found; run 'gcloud auth application-default login' or set "
    "GOOGLE_APPLICATION_CREDENTIALS (see google-auth docs); the shipped snapshot stays in use"
)


def credentials_message(error: Exception) -> str:
    """One line for google-auth's DefaultCredentialsError: none found, or a credentials file that is broken.

    google-auth raises the same error for both; a malformed key file is not "no credentials" (issue 17).
    """
    reason = str(error.args[0]) if error.args else str(error)
    if "Could not automatically determine credentials" in reason or "was not found" in reason:
        return CREDENTIALS_MESSAGE
    first = reason.splitlines()[0][:200] if reason else type(error).__name__
    return (f"gcp: credentials found but not usable: {first}; fix the file (GOOGLE_APPLICATION_CREDENTIALS or "
            "gcloud's application-default file) or unset it; the shipped snapshot stays in use")


SOURCE = f"gcp cloudbilling skus.list {COMPUTE_SERVICE} (host cores + RAM + GPUs)"

#: Words of SKU descriptions that are not the list price of an ordinary VM: Dynamic Workload Scheduler
#: (Flex-start / defined-duration) and calendar-mode reservations, which Google bills at about 0.4-0.5 of list
#: (e.g. "Nvidia H100 80GB GPU attached to DWS Defined Duration VMs running in Americas", 4.200761 USD/h,
#: against the ordinary SKU's list price; tests/data/README.md names the public sources of these SKUs).
NON_LIST_WORDS = re.compile(r"\b(DWS|Defined Duration|Calendar Mode|Reserved|Flex[- ]start|Commitment)\b", re.IGNORECASE)
PRICING_MODELS_FETCHED = ("on_demand", "spot", *COMMITMENT_PRICING)
#: A committed-use SKU: "Commitment v1: Nvidia Tesla T4 GPU running in Americas for 1 Year", "Commitment v1: A2 Cpu
#: in APAC for 1 Year" (recorded SKU 38FA-6071-3D88, tests/data/README.md), "Commitment v1: Cpu in Montreal for 1
#: Year" (N1's general-purpose commitment names no family). Its words before "(running) in <place>" name the part.
_COMMITMENT = re.compile(r"^Commitment v1: (?P<part>.+?) (?:running )?in .+ for (?P<years>[13]) Years?$")
_COMMITMENT_HOST = re.compile(r"^(?:(?P<family>[A-Z][A-Z0-9]*) )?(?P<kind>Cpu|Ram)$")
_NOT_A_PLAIN_COMMITMENT = re.compile(r"\b(DWS|Defined Duration|Calendar Mode|Reserved|Flex[- ]start)\b", re.IGNORECASE)
SOURCE_COMMITMENT = (f"gcp cloudbilling skus.list {COMPUTE_SERVICE} Commit1Yr/Commit3Yr SKUs (committed-use: host cores + "
                     "RAM + GPUs, paid every hour of the term; bundled Local SSD not included)")
_GPU_NAME = re.compile(r"^(?P<name>.*?\bGPU)\b", re.IGNORECASE)
_HOST = re.compile(
    r"^(?:spot preemptible |preemptible )?(?P<family>[a-z0-9]+) (?:predefined )?instance (?P<kind>core|ram)\b",
    re.IGNORECASE,
)


def money_usd(money: Mapping[str, Any]) -> float:
    """A ``google.type.Money`` as a float: ``units + nanos / 1e9`` [USD].

    Absent units/nanos are 0 (proto3 JSON leaves zero fields out). Raises SkipItem for a non-USD
    currency, non-numeric parts, or a total <= 0.
    """
    try:
        amount = int(money.get("units") or 0) + int(money.get("nanos") or 0) / 1e9
    except (TypeError, ValueError):
        raise SkipItem("non_numeric_price") from None
    return usd_price(amount, money.get("currencyCode"))


def sku_usd_per_unit(sku: Mapping[str, Any], expected_unit: str) -> float:
    """A SKU's list price [USD per ``expected_unit``], e.g. per GPU-hour or per GiB-hour.

    Takes the first tier with a non-zero price in order of ``startUsageAmount`` (normally the single
    tier starting at 0; a free first tier is passed over).
    """
    infos = sku.get("pricingInfo") or []
    if not infos:
        raise SkipItem("missing_price")
    expression = infos[0].get("pricingExpression") or {}
    if expression.get("usageUnit") != expected_unit:
        raise SkipItem("unexpected_unit", str(expression.get("usageUnit")))
    tiers = sorted(expression.get("tieredRates") or [], key=lambda tier: float(tier.get("startUsageAmount") or 0))
    if not tiers or all("unitPrice" not in tier for tier in tiers):
        raise SkipItem("missing_price")
    last_skip = SkipItem("missing_price")
    for tier in tiers:
        try:
            return money_usd(tier.get("unitPrice") or {})
        except SkipItem as skip:
            if skip.reason != "non_positive_price":
                raise
            last_skip = skip
    raise last_skip


def classify_sku(sku: Mapping[str, Any], host_families: Iterable[str]) -> tuple[str, str, str] | None:
    """``(component, name, pricing)`` of a GPU, TPU or host core/RAM SKU, None for any other SKU.

    component : ``gpu``, ``tpu``, ``core`` or ``ram``
    name : normalised GPU name (:func:`normalise_gcp_gpu_name`), TPU family (``tpu-v2``, ``tpu-v5litepod``;
        :func:`pricing.gcp_tpu.tpu_family`) or host family (``N1``, ``A2``, ...)
    Raises SkipItem(unmapped_gpu) for a GPU SKU whose name is not in the accelerator map, and
    SkipItem(tpu_not_modelled) for a TPU SKU whose unit is not modelled.
    """
    category = sku.get("category") or {}
    pricing = USAGE_TYPES.get(category.get("usageType", ""))
    description = str(sku.get("description", ""))
    if pricing is None:
        return None
    group = category.get("resourceGroup")
    if pricing in COMMITMENT_PRICING:
        return _classify_commitment(sku, description, group, host_families, pricing)
    if NON_LIST_WORDS.search(description):
        if group in ("GPU", gcp_tpu.TPU_RESOURCE_GROUP, *HOST_RESOURCE_GROUPS):
            raise SkipItem("non_list_sku", description)
        return None
    if gcp_tpu.is_tpu_sku(sku):
        return "tpu", gcp_tpu.tpu_family(description), pricing
    if group == "GPU":
        return "gpu", _mapped_gpu(description, description), pricing
    if group in HOST_RESOURCE_GROUPS:
        matched = _HOST.match(description)
        families = {family.upper() for family in host_families}
        if matched and matched["family"].upper() in families:
            return matched["kind"].lower(), matched["family"].upper(), pricing
    return None


def _mapped_gpu(text: str, description: str) -> str:
    """The catalog name of the GPU a SKU text names; ``SkipItem('unmapped_gpu')`` where the catalog has none."""
    matched = _GPU_NAME.match(text)
    name = normalise_gcp_gpu_name(matched["name"]) if matched else ""
    if name not in accelerator_map("gcp", "sku_description"):
        raise SkipItem("unmapped_gpu", matched["name"] if matched else description)
    return name


def _classify_commitment(sku: Mapping[str, Any], description: str, group: str | None, host_families: Iterable[str],
                         pricing: str) -> tuple[str, str, str] | None:
    """:func:`classify_sku` for a Commit1Yr/Commit3Yr SKU: a GPU or a host family's core/RAM, None otherwise."""
    if group in ("GPU", gcp_tpu.TPU_RESOURCE_GROUP, *HOST_RESOURCE_GROUPS) and _NOT_A_PLAIN_COMMITMENT.search(description):
        raise SkipItem("non_list_sku", description)
    if gcp_tpu.is_tpu_sku(sku):
        raise SkipItem("tpu_not_modelled", description)  # TPU commitments: unit per slice not written down
    matched = _COMMITMENT.match(description)
    if matched is None or group not in ("GPU", *HOST_RESOURCE_GROUPS):
        return None
    if {"1": "reserved_1y", "3": "reserved_3y"}[matched["years"]] != pricing:
        raise SkipItem("ambiguous_match", description)  # the term in the name disagrees with the usage type
    part = matched["part"]
    if group == "GPU":
        return "gpu", _mapped_gpu(part, description), pricing
    host = _COMMITMENT_HOST.match(part)
    family = (host["family"] or "N1") if host else None
    if family is not None and family in {f.upper() for f in host_families}:
        return ("core" if host["kind"] == "Cpu" else "ram"), family, pricing
    return None


def parse_skus(
    skus: Iterable[Mapping[str, Any]], machine_types: Iterable[GcpMachineType] | None = None
) -> tuple[pd.DataFrame, FetchResult]:
    """Unit prices of GPUs and of the host families in ``machine_types``, one row per SKU and region.

    skus : skus.list ``skus`` entries (camelCase JSON dicts)
    Returns a DataFrame with columns :data:`PRICE_COLUMNS` (``usd_per_unit`` [USD per GPU-hour,
    vCPU-hour or GiB-hour]) and a result holding the skip counts (no rows).
    """
    families = {machine.host_family for machine in (machine_types or gcp_machine_types())}
    result = FetchResult()
    prices = []
    for sku in skus:
        try:
            kind = classify_sku(sku, families)
            if kind is None:
                continue
            usd = sku_usd_per_unit(sku, USAGE_UNITS[kind[0]])
        except SkipItem as skip:
            result.record_skip(skip)
            continue
        for region in sku.get("serviceRegions") or []:
            try:
                prices.append((*kind, checked_region("gcp", region), usd))
            except SkipItem as skip:
                result.record_skip(skip)
    frame = pd.DataFrame(prices, columns=list(PRICE_COLUMNS)).drop_duplicates()
    # A region is covered by one SKU per component; two at different prices cannot be told apart (which one
    # is the list price?), so both are refused rather than the first listed standing.
    key = ["component", "name", "pricing", "region"]
    ambiguous = frame.duplicated(key, keep=False)
    for _ in range(int(ambiguous.sum())):
        result.record_skip(SkipItem("ambiguous_match"))
    kept = frame[~ambiguous].reset_index(drop=True)
    kept.attrs["ambiguous"] = frame[ambiguous].reset_index(drop=True)
    return kept, result


def ambiguous_reason(parts: pd.DataFrame) -> str:
    """The anomaly reason of an offer one of whose parts has two SKUs at different prices."""
    first = parts.iloc[0]
    prices = ", ".join(f"{p:g}" for p in sorted(parts["usd_per_unit"]))
    return f"ambiguous: {len(parts)} {first['component']} SKUs for {first['name']} at different prices ({prices})"


def ambiguous_parts(prices: pd.DataFrame) -> pd.DataFrame:
    """The (component, name, pricing, region) rows :func:`parse_skus` refused as ambiguous (empty if none)."""
    return prices.attrs.get("ambiguous", pd.DataFrame(columns=list(PRICE_COLUMNS)))


def vm_offers(
    prices: pd.DataFrame,
    fetched_at: str,
    machine_types: Iterable[GcpMachineType] | None = None,
    regions: Iterable[str] | None = None,
) -> FetchResult:
    """Whole-VM offers: ``vcpus · core + memory_gib · ram + gpu_count · gpu`` [USD/h] per region.

    prices : output of :func:`parse_skus`
    regions : keep only these region codes (None: all)
    A region with the GPU price but no host core or RAM price is counted as ``incomplete_vm_price``.
    """
    lookup = {
        (component, name, pricing, region): usd
        for component, name, pricing, region, usd in prices[list(PRICE_COLUMNS)].itertuples(index=False)
    }
    wanted = None if regions is None else set(regions)
    gpu_map = accelerator_map("gcp", "sku_description")
    result = FetchResult()
    for machine in machine_types or gcp_machine_types():
        gpu_name = normalise_gcp_gpu_name(machine.gpu_sku)
        match = gpu_map.get(gpu_name)
        if match is None:
            result.record_skip(SkipItem("unmapped_gpu", machine.gpu_sku))
            continue
        for (component, name, pricing, region), gpu_usd in lookup.items():
            if component != "gpu" or name != gpu_name or (wanted is not None and region not in wanted):
                continue
            core_usd = lookup.get(("core", machine.host_family, pricing, region))
            ram_usd = lookup.get(("ram", machine.host_family, pricing, region))
            if core_usd is None or ram_usd is None:
                result.record_skip(SkipItem("incomplete_vm_price", machine.instance_type))
                continue
            usd_per_hour = machine.vcpus * core_usd + machine.memory_gib * ram_usd + machine.gpu_count * gpu_usd
            result.rows.append(
                OfferRow(
                    provider="gcp",
                    region=region,
                    location=region,  # the catalog names regions only by code
                    instance_type=offer_name("gcp", machine.machine_type, machine.gpu_count, machine.gpu_sku),
                    gpu=match.gpu,
                    gpu_count=machine.gpu_count * match.chips_per_unit,
                    vcpus=float(machine.vcpus),
                    memory_gib=machine.memory_gib,
                    pricing=pricing,
                    usd_per_hour=usd_per_hour,
                    fetched_at=fetched_at,
                    source=SOURCE_COMMITMENT if pricing in COMMITMENT_PRICING else SOURCE,
                )
            )
        _refuse_ambiguous(result, machine, gpu_name, match.gpu, match.chips_per_unit, ambiguous_parts(prices), wanted)
    return result


def _refuse_ambiguous(result: FetchResult, machine: GcpMachineType, gpu_name: str, gpu: str, chips: float,
                      ambiguous: pd.DataFrame, wanted: set[str] | None) -> None:
    """Record the machine's offers that an ambiguous GPU, core or RAM part leaves unpriced."""
    if ambiguous.empty:
        return
    mine = ambiguous[((ambiguous["component"] == "gpu") & (ambiguous["name"] == gpu_name))
                     | (ambiguous["component"].isin(["core", "ram"]) & (ambiguous["name"] == machine.host_family))]
    for (pricing, region), parts in mine.groupby(["pricing", "region"], sort=True):
        if wanted is None or region in wanted:
            result.refuse(region, offer_name("gcp", machine.machine_type, machine.gpu_count, machine.gpu_sku), gpu,
                          pricing, ambiguous_reason(parts), gpu_count=machine.gpu_count * chips)


def covers(offers: pd.DataFrame, fetched: pd.DataFrame | None = None, **_options: Any) -> pd.Series:
    """Which previous offers a GCP refresh replaces: the VM shapes of data_src/gcp_machine_types.csv, on-demand,
    spot and the committed-use terms the fresh rows priced, and the TPU slices of :data:`pricing.gcp_tpu.TPU_SLICES` for each (TPU family, pricing) the
    fresh rows ``fetched`` priced. Everything else (pod slices, TPU generations or families not fetched,
    machine types not modelled, other pricing models) is carried forward."""
    names = {offer_name("gcp", m.machine_type, m.gpu_count, m.gpu_sku) for m in gcp_machine_types()}
    # commitment rows are replaced only by a listing that priced some (a listing without CUD SKUs keeps them)
    models = {"on_demand", "spot"} | (set(fetched["pricing"]) & set(COMMITMENT_PRICING) if fetched is not None else set())
    vms = offers["instance_type"].isin(names) & offers["pricing"].isin(models)
    return vms | gcp_tpu.covered(offers, fetched)


def sku_as_dict(sku: Any) -> dict:
    """A ``billing_v1.Sku`` (or an already-decoded dict) as the REST API's camelCase JSON dict."""
    if isinstance(sku, Mapping):
        return dict(sku)
    return json_format.MessageToDict(type(sku).pb(sku))


def fetch(
    client_or_session: Any = None,
    regions: Iterable[str] | None = None,
    *,
    machine_types: Iterable[GcpMachineType] | None = None,
    fetched_at: str | None = None,
) -> FetchResult:
    """Fetch GCP whole-VM GPU offers and TPU slice offers (on-demand and spot) in ``regions`` (None: every region).

    Lists the Compute Engine service, then the Cloud TPU service (:data:`pricing.gcp_tpu.TPU_SERVICE`).

    client_or_session : a ``billing_v1.CloudCatalogClient`` (None: one on the REST transport with
        google-auth's default credentials)
    A listing that breaks off is put in ``failures``; offers are still built from the pages read,
    since a VM is only priced when all its parts were read.
    Raises PricingCredentialsError when google-auth finds no credentials.
    """
    fetched_at = fetched_at or utc_now_iso()
    result = FetchResult()
    skus: list[dict] = []
    try:
        client = client_or_session
        if client is None:
            from google.cloud import billing_v1  # imported here: the client library is heavy

            client = billing_v1.CloudCatalogClient(transport="rest")
        for service in (COMPUTE_SERVICE, gcp_tpu.TPU_SERVICE):
            for sku in client.list_skus(parent=service):
                skus.append(sku_as_dict(sku))
    except DefaultCredentialsError as error:
        raise PricingCredentialsError(credentials_message(error)) from None
    except (GoogleAPICallError, RetryError, requests.RequestException) as error:
        result.failures.append(f"gcp: skus.list after {len(skus)} SKUs: {type(error).__name__}: {error}")
    machines = tuple(machine_types or gcp_machine_types())
    prices, parsed = parse_skus(skus, machines)
    result.extend(parsed)
    result.extend(vm_offers(prices, fetched_at, machines, regions))
    result.extend(gcp_tpu.tpu_offers(prices, fetched_at, regions))
    result.raw = prices
    log.debug("gcp: %d SKUs read, %d offers, skipped %s", len(skus), len(result.rows), dict(result.skipped))
    return result
