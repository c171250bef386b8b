"""AWS EC2 GPU prices: on-demand and reserved from the Price List API, spot from EC2 spot price history.

Parsing (``parse_*``, ``spot_*``) is pure and works on the payloads as boto3 returns them; :func:`fetch`
is the thin part that drives a boto3 session's ``pricing`` and ``ec2`` clients. Credentials come from
boto3's default chain only and are never read, logged or stored here.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pandas as pd
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from pricing.accelerators import accelerator_map, aws_family
from pricing.fetch_result import FetchResult, PricingCredentialsError, SkipItem, utc_now_iso
from pricing.retry import with_backoff
from pricing.schema import OfferRow
from pricing.validate import checked_region, usd_price

log = logging.getLogger(__name__)

#: The Price List API answers only in a few regions; us-east-1 serves every region's prices.
PRICE_LIST_REGION = "us-east-1"
SERVICE_CODE = "AmazonEC2"
#: Linux, shared tenancy, no pre-installed software, capacity actually used (not reservations' idle part).
PRODUCT_FILTERS = (
    {"Type": "TERM_MATCH", "Field": "instanceFamily", "Value": "GPU instance"},
    {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
    {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
    {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
    {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"},
)
_IN_SCOPE = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
#: Reserved terms kept: standard class, no upfront payment, so the whole price is the hourly rate.
RESERVED_LEASES = {"1yr": "reserved_1y", "3yr": "reserved_3y"}
SPOT_PRODUCT_DESCRIPTION = "Linux/UNIX"
THROTTLING_CODES = frozenset({"ThrottlingException", "RequestLimitExceeded", "Throttling", "TooManyRequestsException"})
CREDENTIALS_MESSAGE = (
    "aws: no credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
    "(see boto3 credentials docs); the shipped snapshot stays in use"
)
SOURCE_PRICE_LIST = "aws pricing get_products AmazonEC2"
#: The one spot statistic, as in the shipped build: the lowest price over the region's own AZs.
SOURCE_SPOT = ("aws ec2 describe_spot_price_history Linux/UNIX (spot = minimum over the region's AZs; Local and "
               "Wavelength Zones excluded)")
#: Server-side errors retried like throttling (HTTP 5xx come back as these codes).
SERVER_ERROR_CODES = frozenset({"InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"})
PRICING_MODELS_FETCHED = ("on_demand", "reserved_1y", "reserved_3y", "spot")
SPOT_COLUMNS = ("region", "availability_zone", "instance_type", "usd_per_hour", "timestamp")
SPREAD_COLUMNS = ("region", "instance_type", "zones", "usd_per_hour_min", "usd_per_hour_median", "usd_per_hour_max")
# botocore retries throttling itself; ours is the one layer, with an injectable sleep.
_NO_SDK_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})


@dataclass(frozen=True)
class AwsProduct:
    """The attributes of one EC2 instance type in one region that every offer row needs.

    gpu_count : catalog GPUs in the instance [-];  vcpus [-];  memory_gib : RAM [GiB]
    """

    region: str
    location: str
    instance_type: str
    gpu: str
    gpu_count: float
    vcpus: float | None
    memory_gib: float | None


def _number(text: object) -> float | None:
    matched = re.match(r"^\s*([0-9][0-9,]*(?:\.[0-9]+)?)", str(text)) if text is not None else None
    return float(matched[1].replace(",", "")) if matched else None


def parse_product(attributes: Mapping[str, Any]) -> AwsProduct:
    """An :class:`AwsProduct` from a Price List product's ``attributes``.

    Raises SkipItem(unknown_region | missing_attribute | unmapped_gpu).
    """
    region = checked_region("aws", attributes.get("regionCode"))
    instance_type = attributes.get("instanceType")
    family = aws_family(instance_type) if isinstance(instance_type, str) else None
    if family is None:
        raise SkipItem("missing_attribute", "instanceType")
    match = accelerator_map("aws", "family").get(family)
    if match is None:
        raise SkipItem("unmapped_gpu", instance_type)
    units = _number(attributes.get("gpu"))
    if not units:
        raise SkipItem("missing_attribute", "gpu")
    return AwsProduct(
        region=region,
        location=str(attributes.get("location", "")),
        instance_type=instance_type,
        gpu=match.gpu,
        gpu_count=units * match.chips_per_unit,
        vcpus=_number(attributes.get("vcpu")),
        memory_gib=_number(attributes.get("memory")),
    )


def _hourly_usd(dimensions: Mapping[str, Any]) -> float:
    """The USD/h price among a term's price dimensions (the one whose unit is ``Hrs``)."""
    hourly = [dim for dim in dimensions.values() if dim.get("unit") == "Hrs"]
    if not hourly:
        raise SkipItem("missing_price")
    per_unit = hourly[0].get("pricePerUnit") or {}
    if "USD" in per_unit:
        return usd_price(per_unit["USD"], "USD")
    if not per_unit:
        raise SkipItem("missing_price")
    currency, value = next(iter(per_unit.items()))
    return usd_price(value, currency)


def on_demand_usd_per_hour(terms: Mapping[str, Any]) -> float:
    """The on-demand price of the whole instance [USD/h] from a Price List item's ``terms``."""
    offers = list((terms.get("OnDemand") or {}).values())
    if not offers:
        raise SkipItem("missing_price")
    return _hourly_usd(offers[0].get("priceDimensions") or {})


def reserved_usd_per_hour(terms: Mapping[str, Any], lease: str) -> float | None:
    """The standard, no-upfront reserved price [USD/h] for ``lease`` (``"1yr"`` or ``"3yr"``).

    None when the item has no such term (not every instance type is sold reserved everywhere).
    """
    for offer in (terms.get("Reserved") or {}).values():
        attributes = offer.get("termAttributes") or {}
        if (
            attributes.get("LeaseContractLength") == lease
            and attributes.get("OfferingClass") == "standard"
            and attributes.get("PurchaseOption") == "No Upfront"
        ):
            return _hourly_usd(offer.get("priceDimensions") or {})
    return None


def _row(product: AwsProduct, pricing: str, usd_per_hour: float, fetched_at: str, source: str) -> OfferRow:
    return OfferRow(
        provider="aws",
        region=product.region,
        location=product.location,
        instance_type=product.instance_type,
        gpu=product.gpu,
        gpu_count=product.gpu_count,
        vcpus=product.vcpus,
        memory_gib=product.memory_gib,
        pricing=pricing,
        usd_per_hour=usd_per_hour,
        fetched_at=fetched_at,
        source=source,
    )


def parse_price_list(
    price_list: Iterable[str | Mapping[str, Any]], fetched_at: str
) -> tuple[FetchResult, dict[tuple[str, str], AwsProduct]]:
    """On-demand and reserved offers from ``GetProducts`` ``PriceList`` entries (JSON strings or dicts).

    Items outside the filter (not Linux / shared / NA / used) are ignored; malformed ones are counted
    in ``skipped``, each pricing model of an item on its own.
    Returns the result and the products by ``(region, instance_type)``, for pricing spot later.
    """
    result = FetchResult()
    products: dict[tuple[str, str], AwsProduct] = {}
    for entry in price_list:
        item = json.loads(entry) if isinstance(entry, str) else entry
        attributes = (item.get("product") or {}).get("attributes") or {}
        if any(attributes.get(key) != value for key, value in _IN_SCOPE.items()):
            continue
        if attributes.get("marketoption", "OnDemand") != "OnDemand":
            continue  # capacity blocks are a different product
        if str(attributes.get("regionCode", "")).startswith("us-gov-"):
            result.record_skip(SkipItem("excluded_zone", str(attributes.get("regionCode"))))
            continue  # GovCloud: open to US government accounts only
        try:
            product = parse_product(attributes)
        except SkipItem as skip:
            result.record_skip(skip)
            continue
        products[(product.region, product.instance_type)] = product
        terms = item.get("terms") or {}
        try:
            price = on_demand_usd_per_hour(terms)
            result.rows.append(_row(product, "on_demand", price, fetched_at, SOURCE_PRICE_LIST))
        except SkipItem as skip:
            result.record_skip(skip)
        for lease, pricing in RESERVED_LEASES.items():
            try:
                price = reserved_usd_per_hour(terms, lease)
            except SkipItem as skip:
                result.record_skip(skip)
                continue
            if price is not None:
                source = f"{SOURCE_PRICE_LIST} Reserved {lease} standard No Upfront"
                result.rows.append(_row(product, pricing, price, fetched_at, source))
    return result, products


def parse_spot_history(records: Iterable[Mapping[str, Any]], region: str) -> tuple[pd.DataFrame, FetchResult]:
    """Per-AZ spot prices from ``DescribeSpotPriceHistory`` records of one region.

    Keeps the newest record per (availability zone, instance type).
    Returns a DataFrame with columns :data:`SPOT_COLUMNS` (``usd_per_hour`` [USD/h]) and the skip counts.
    """
    result = FetchResult()
    kept = []
    for record in records:
        if not is_region_az(region, record.get("AvailabilityZone")):
            result.record_skip(SkipItem("excluded_zone", str(record.get("AvailabilityZone"))))
            continue
        try:
            price = usd_price(record.get("SpotPrice"), "USD")  # the API quotes spot in USD only
        except SkipItem as skip:
            result.record_skip(skip)
            continue
        kept.append((region, record.get("AvailabilityZone"), record.get("InstanceType"), price,
                     pd.Timestamp(record.get("Timestamp"))))
    raw = pd.DataFrame(kept, columns=list(SPOT_COLUMNS))
    raw = raw.sort_values("timestamp").drop_duplicates(["availability_zone", "instance_type"], keep="last")
    return raw.sort_values(["instance_type", "availability_zone"]).reset_index(drop=True), result


def spot_spread(raw: pd.DataFrame) -> pd.DataFrame:
    """Min, median and max spot price [USD/h] over the AZs of each (region, instance_type).

    Returns columns :data:`SPREAD_COLUMNS`; ``zones`` is the number of AZs priced.
    """
    if raw.empty:
        return pd.DataFrame(columns=list(SPREAD_COLUMNS))
    grouped = raw.groupby(["region", "instance_type"])["usd_per_hour"]
    spread = grouped.agg(zones="count", usd_per_hour_min="min", usd_per_hour_median="median",
                         usd_per_hour_max="max")
    return spread.reset_index()[list(SPREAD_COLUMNS)]


def spot_offers(
    spread: pd.DataFrame, products: Mapping[tuple[str, str], AwsProduct], fetched_at: str
) -> FetchResult:
    """Spot offers priced at the region minimum [USD/h] of :func:`spot_spread` (the shipped build's statistic).

    An instance type with no Price List product in that region has no GPU count: skipped.
    """
    result = FetchResult()
    for region, instance_type, lowest in spread[["region", "instance_type", "usd_per_hour_min"]].itertuples(
        index=False
    ):
        product = products.get((region, instance_type))
        if product is None:
            result.record_skip(SkipItem("missing_attribute", instance_type))
            continue
        result.rows.append(_row(product, "spot", float(lowest), fetched_at, SOURCE_SPOT))
    return result


def _is_throttled(error: BaseException) -> bool:
    """Throttling or a server error (5xx): worth another try after a pause."""
    if not isinstance(error, ClientError):
        return False
    code = error.response.get("Error", {}).get("Code")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return code in THROTTLING_CODES or code in SERVER_ERROR_CODES or status >= 500


def is_region_az(region: str, zone: object) -> bool:
    """Whether ``zone`` is one of the region's own AZs (``us-east-1a``), not a Local Zone (``us-west-2-lax-1a``)
    or a Wavelength Zone (``us-east-1-wl1-bos-wlz-1``)."""
    return isinstance(zone, str) and re.fullmatch(re.escape(region) + r"[a-z]", zone) is not None


def covers(offers: pd.DataFrame, spot: bool = True, fetched: pd.DataFrame | None = None, **_options: Any) -> pd.Series:
    """Which previous offers an AWS refresh replaces: instance families of the accelerator map, in the pricing
    models it fetches (spot only when ``spot``; Savings Plans terms only those the fresh rows ``fetched`` priced);
    everything else is carried forward."""
    from pricing.aws_savings_plans import TERMS

    families = set(accelerator_map("aws", "family"))
    models = list(PRICING_MODELS_FETCHED if spot else PRICING_MODELS_FETCHED[:-1])
    if fetched is not None:
        models += sorted(set(fetched["pricing"]) & set(TERMS.values()))
    family = offers["instance_type"].map(lambda name: aws_family(str(name)))
    return family.isin(families) & offers["pricing"].isin(models)


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'error')}: {details.get('Message', '')}".strip()
    return type(error).__name__


def _paginate(call: Callable[..., dict], sleep: Callable[[float], object], **params: Any) -> Iterable[dict]:
    token = None
    while True:
        page_params = dict(params, NextToken=token) if token else params
        page = with_backoff(lambda p=page_params: call(**p), _is_throttled, sleep)
        yield page
        token = page.get("NextToken")
        if not token:
            return


def fetch(
    client_or_session: Any = None,
    regions: Iterable[str] | None = None,
    *,
    spot: bool = True,
    savings_plans: bool = False,
    sleep: Callable[[float], object] = time.sleep,
    fetched_at: str | None = None,
) -> FetchResult:
    """Fetch AWS GPU offers: on-demand, reserved 1y/3y and spot, in ``regions`` (None: every region).

    client_or_session : a ``boto3.Session`` (None: the default session), or anything with its
        ``client(service_name, region_name=..., config=...)`` method
    regions : region codes; each is fetched on its own and a failing one is put in ``failures``
    spot : also price spot (one EC2 client per region)
    savings_plans : also read EC2 Instance Savings Plans rates (:mod:`pricing.aws_savings_plans`)
    sleep : backoff sleep [s]; inject a no-op in tests
    Raises PricingCredentialsError when boto3 finds no credentials.
    """
    session = boto3.Session() if client_or_session is None else client_or_session
    get_credentials = getattr(session, "get_credentials", None)
    if get_credentials is not None and get_credentials() is None:
        raise PricingCredentialsError(CREDENTIALS_MESSAGE)
    fetched_at = fetched_at or utc_now_iso()
    result = FetchResult()
    try:
        pricing = session.client("pricing", region_name=PRICE_LIST_REGION, config=_NO_SDK_RETRIES)
        products: dict[tuple[str, str], AwsProduct] = {}
        scopes: list[str | None] = list(regions) if regions is not None else [None]
        for region in scopes:
            filters = list(PRODUCT_FILTERS)
            if region is not None:
                filters.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
            try:
                price_list = [
                    entry
                    for page in _paginate(pricing.get_products, sleep, ServiceCode=SERVICE_CODE, Filters=filters,
                                          FormatVersion="aws_v1", MaxResults=100)
                    for entry in page.get("PriceList", [])
                ]
            except NoCredentialsError:
                raise
            except (ClientError, BotoCoreError) as error:
                result.failures.append(f"aws {region or 'all regions'}: get_products: {_describe(error)}")
                continue
            partial, found = parse_price_list(price_list, fetched_at)
            result.extend(partial)
            products.update(found)
        if spot:
            _fetch_spot(session, products, sleep, fetched_at, result)
        if savings_plans:
            from pricing.aws_savings_plans import fetch_savings_plans

            fetch_savings_plans(session, products, lambda call: with_backoff(call, _is_throttled, sleep), fetched_at,
                                result)
    except NoCredentialsError:
        raise PricingCredentialsError(CREDENTIALS_MESSAGE) from None
    log.debug("aws: %d offers, skipped %s, %d failures", len(result.rows), dict(result.skipped),
              len(result.failures))
    return result


def _fetch_spot(
    session: Any,
    products: Mapping[tuple[str, str], AwsProduct],
    sleep: Callable[[float], object],
    fetched_at: str,
    result: FetchResult,
) -> None:
    by_region: dict[str, list[str]] = {}
    for region, instance_type in products:
        by_region.setdefault(region, []).append(instance_type)
    raw_frames = []
    start = datetime.now(UTC)
    for region, instance_types in sorted(by_region.items()):
        ec2 = session.client("ec2", region_name=region, config=_NO_SDK_RETRIES)
        try:
            records = [
                record
                for page in _paginate(ec2.describe_spot_price_history, sleep, InstanceTypes=sorted(instance_types),
                                      ProductDescriptions=[SPOT_PRODUCT_DESCRIPTION], StartTime=start)
                for record in page.get("SpotPriceHistory", [])
            ]
        except NoCredentialsError:
            raise
        except (ClientError, BotoCoreError) as error:
            result.failures.append(f"aws {region}: describe_spot_price_history: {_describe(error)}")
            continue
        raw, skipped = parse_spot_history(records, region)
        result.extend(skipped)
        raw_frames.append(raw)
    raw_all = pd.concat(raw_frames, ignore_index=True) if raw_frames else pd.DataFrame(columns=list(SPOT_COLUMNS))
    result.raw = raw_all
    result.spot_spread = spot_spread(raw_all)
    result.extend(spot_offers(result.spot_spread, products, fetched_at))
