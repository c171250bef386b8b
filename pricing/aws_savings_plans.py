"""AWS EC2 Instance Savings Plans rates (``savingsplans`` ``DescribeSavingsPlansOfferingRates``) as offers.

An EC2 Instance Savings Plan commits to a dollar amount per hour in one instance family and region for 1 or 3
years; its rate for an instance type is the hourly price of that instance under the plan, paid every hour of the
term (``savings_plan_1y`` / ``savings_plan_3y``; the cost model charges the whole term, as for reserved
prices). Only No Upfront plans (the whole price is the hourly rate), Linux/UNIX, shared tenancy, and the
``BoxUsage`` usage type of ``RunInstances`` are kept. Parsing is pure over the API's ``searchResults``;
:func:`fetch_savings_plans` drives a boto3 ``savingsplans`` client (credentials from boto3's chain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pricing.fetch_result import FetchResult, SkipItem
from pricing.schema import OfferRow
from pricing.validate import checked_region, usd_price

#: Plan length [s] -> pricing model (365 and 3 x 365 days, as the API gives ``durationSeconds``).
TERMS = {31_536_000: "savings_plan_1y", 94_608_000: "savings_plan_3y"}
PLAN_TYPE = "EC2Instance"
PAYMENT_OPTION = "No Upfront"
SOURCE = "aws savingsplans describe_savings_plans_offering_rates (EC2 Instance Savings Plan, No Upfront, Linux/UNIX)"
#: The Savings Plans API is global; boto3 reaches it through us-east-1.
API_REGION = "us-east-1"
MAX_RESULTS = 1000


def request(region: str, instance_types: Iterable[str], token: str | None = None) -> dict[str, Any]:
    """The ``DescribeSavingsPlansOfferingRates`` parameters for one region's instance types."""
    params: dict[str, Any] = {
        "savingsPlanTypes": [PLAN_TYPE], "savingsPlanPaymentOptions": [PAYMENT_OPTION], "products": ["EC2"],
        "serviceCodes": ["AmazonEC2"], "maxResults": MAX_RESULTS,
        "filters": [{"name": "region", "values": [region]}, {"name": "tenancy", "values": ["shared"]},
                    {"name": "productDescription", "values": ["Linux/UNIX"]},
                    {"name": "instanceType", "values": sorted(instance_types)}],
    }
    if token:
        params["nextToken"] = token
    return params


def _properties(result: Mapping[str, Any]) -> dict[str, str]:
    return {str(p.get("name")): str(p.get("value")) for p in result.get("properties") or []}


def parse_rates(results: Iterable[Mapping[str, Any]], products: Mapping[tuple[str, str], Any],
                fetched_at: str) -> FetchResult:
    """Offers from ``searchResults``: one per (region, instance type, term) of a product in ``products``.

    products : (region, instance_type) -> :class:`pricing.aws.AwsProduct` (GPU count, vCPUs, memory) from the
        Price List; a rate for an instance type without one is skipped (``missing_attribute``)
    Two different rates for one (region, instance type, term) are both refused (``ambiguous_match``).
    """
    result = FetchResult()
    found: dict[tuple[str, str, str], list[OfferRow]] = {}
    for item in results:
        offering = item.get("savingsPlanOffering") or {}
        props = _properties(item)
        if (offering.get("planType") != PLAN_TYPE or offering.get("paymentOption") != PAYMENT_OPTION
                or "BoxUsage" not in str(item.get("usageType", "")) or item.get("operation") != "RunInstances"
                or props.get("productDescription") != "Linux/UNIX" or props.get("tenancy", "shared") != "shared"):
            continue
        pricing = TERMS.get(int(offering.get("durationSeconds") or 0))
        try:
            if pricing is None:
                raise SkipItem("missing_attribute", "durationSeconds")
            if item.get("unit") != "Hrs":
                raise SkipItem("unexpected_unit", str(item.get("unit")))
            region = checked_region("aws", props.get("region"))
            price = usd_price(item.get("rate"), offering.get("currency"))
            product = products.get((region, props.get("instanceType", "")))
            if product is None:
                raise SkipItem("missing_attribute", props.get("instanceType"))
        except SkipItem as skip:
            result.record_skip(skip)
            continue
        row = OfferRow(provider="aws", region=region, location=product.location, instance_type=product.instance_type,
                       gpu=product.gpu, gpu_count=product.gpu_count, vcpus=product.vcpus,
                       memory_gib=product.memory_gib, pricing=pricing, usd_per_hour=price, fetched_at=fetched_at,
                       source=f"{SOURCE} {pricing[-2:]}")
        found.setdefault((region, row.instance_type, pricing), []).append(row)
    for rows in found.values():
        if len({row.usd_per_hour for row in rows}) > 1:
            for _ in rows:
                result.record_skip(SkipItem("ambiguous_match"))
            first = rows[0]
            result.refuse(first.region, first.instance_type, first.gpu, first.pricing,
                          f"ambiguous: {len(rows)} Savings Plans rates at different prices")
            continue
        result.rows.append(rows[0])
    return result


def fetch_savings_plans(session: Any, products: Mapping[tuple[str, str], Any], with_backoff_call: Callable,
                        fetched_at: str, result: FetchResult) -> None:
    """Read the rates of every region's products into ``result``; a failed region is put in ``failures``.

    with_backoff_call : ``call -> page``, retrying throttling and 5xx (:func:`pricing.aws.fetch` passes its own)
    """
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    client = session.client("savingsplans", region_name=API_REGION)
    by_region: dict[str, list[str]] = {}
    for region, instance_type in products:
        by_region.setdefault(region, []).append(instance_type)
    for region, instance_types in sorted(by_region.items()):
        items: list[dict] = []
        token = None
        try:
            while True:
                page = with_backoff_call(lambda t=token, r=region, i=instance_types: client.
                                         describe_savings_plans_offering_rates(**request(r, i, t)))
                items.extend(page.get("searchResults") or [])
                token = page.get("nextToken")
                if not token:
                    break
        except NoCredentialsError:
            raise
        except (ClientError, BotoCoreError) as error:
            result.failures.append(f"aws {region}: describe_savings_plans_offering_rates: {type(error).__name__}: "
                                   f"{error}")
            continue
        result.extend(parse_rates(items, products, fetched_at))
