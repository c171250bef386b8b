"""The one normalised schema every provider's prices are turned into."""

from __future__ import annotations

from dataclasses import asdict, dataclass

PROVIDERS = ("aws", "gcp", "azure")
PRICING_MODELS = ("on_demand", "spot", "reserved_1y", "reserved_3y", "savings_plan_1y", "savings_plan_3y")

#: Column order of the ``offers`` table and of every normalised DataFrame.
OFFER_COLUMNS = (
    "provider",
    "region",
    "location",
    "instance_type",
    "gpu",
    "gpu_count",
    "vcpus",
    "memory_gib",
    "pricing",
    "usd_per_hour",
    "usd_per_gpu_hour",
    "fetched_at",
    "source",
)


@dataclass(frozen=True)
class OfferRow:
    """One price: an instance (whole VM, host included) in a region under one pricing model.

    usd_per_hour : price of the whole instance [USD/h], > 0
    usd_per_gpu_hour : usd_per_hour / gpu_count [USD/(GPU·h)]
    gpu : the hardware catalog's GPU id (e.g. ``v100-sxm2-16gb``), never a provider's own name
    fetched_at : ISO-8601 date or timestamp the price was read
    source : where the price came from (API and call, or file and commit)
    """

    provider: str
    region: str
    location: str
    instance_type: str
    gpu: str
    gpu_count: float
    vcpus: float | None
    memory_gib: float | None
    pricing: str
    usd_per_hour: float
    fetched_at: str
    source: str

    @property
    def usd_per_gpu_hour(self) -> float:
        return self.usd_per_hour / self.gpu_count

    def as_record(self) -> dict:
        record = asdict(self)
        record["usd_per_gpu_hour"] = self.usd_per_gpu_hour
        return {column: record[column] for column in OFFER_COLUMNS}
