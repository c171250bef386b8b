"""What one provider fetch returns: normalised rows plus an account of everything left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from planner.errors import PlanError
from pricing.schema import OFFER_COLUMNS, OfferRow

#: Why a payload item was left out. Every skip is counted under one of these; none becomes a zero price.
SKIP_REASONS = (
    "missing_price",  # no price field, or an empty one
    "non_numeric_price",  # a price that is not a number
    "non_usd_currency",  # a currency other than USD (or none)
    "non_positive_price",  # a price <= 0: free tiers and placeholders are not offers
    "unknown_region",  # a region code that is not in the provider's format
    "unmapped_gpu",  # a GPU/instance name not in data_src/accelerator_map.csv (names in ``unmapped``)
    "missing_attribute",  # an item without a field needed to build the row (GPU count, instance type)
    "unexpected_unit",  # a price per some unit other than the hour (GCP RAM: GiB-hour)
    "incomplete_vm_price",  # GCP: a GPU price without the host core/RAM price in that region
    "non_list_sku",  # GCP: a DWS / defined-duration / calendar-mode / reserved SKU, never the list price
    "ambiguous_match",  # two SKUs or meters for one (part, region, pricing) at different prices: both refused
    "not_linux_vm",  # Azure: a Windows, Cloud Services or non-primary meter
    "tpu_not_modelled",  # GCP: a TPU pod-slice SKU or a TPU generation whose SKU unit is not modelled
    "excluded_zone",  # AWS: a Local Zone, Wavelength Zone or GovCloud price (not the region's own AZs)
)


#: Columns of :attr:`FetchResult.refused` (the price checks' anomaly columns less ``provider``).
REFUSED_COLUMNS = ("region", "instance_type", "gpu", "pricing", "usd_per_hour", "usd_per_gpu_hour", "reason")


class PricingError(PlanError):
    """A problem talking to a provider's price API, told in one line."""


class PricingCredentialsError(PricingError):
    """The provider's SDK found no credentials in its default chain."""


class SkipItem(Exception):
    """Raised by a parser for one malformed item; ``reason`` is one of :data:`SKIP_REASONS`."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        if reason not in SKIP_REASONS:
            raise ValueError(f"skip reason {reason!r}: unknown; allowed: {', '.join(SKIP_REASONS)}")
        super().__init__(reason if name is None else f"{reason}: {name}")
        self.reason = reason
        self.name = name


@dataclass
class FetchResult:
    """The outcome of one provider fetch.

    rows : normalised offers, every price > 0 USD/h
    skipped : count of left-out payload items by reason (see :data:`SKIP_REASONS`)
    unmapped : count of left-out items by the provider's GPU / instance name, for the accelerator map
    failures : one line per region (or call) that failed and was skipped
    raw : provider-specific raw table (AWS: per-AZ spot prices), or None
    spot_spread : AWS only: per (region, instance_type) spot min/median/max [USD/h] over the AZs
    refused : offers the parser could have built but refused (an ambiguous SKU or meter), one dict per offer with
        :data:`REFUSED_COLUMNS`; a refresh lists them as anomalies and keeps the previous price of that offer
    """

    rows: list[OfferRow] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    raw: pd.DataFrame | None = None
    spot_spread: pd.DataFrame | None = None
    refused: list[dict] = field(default_factory=list)

    def refuse(self, region: str, instance_type: str, gpu: str, pricing: str, reason: str,
               usd_per_hour: float = float("nan"), gpu_count: float = float("nan")) -> None:
        """Record an offer refused whole (e.g. its GPU part has two SKUs at different prices)."""
        self.refused.append({"region": region, "instance_type": instance_type, "gpu": gpu, "pricing": pricing,
                             "usd_per_hour": usd_per_hour, "usd_per_gpu_hour": usd_per_hour / gpu_count,
                             "reason": reason})

    def refused_frame(self, provider: str) -> pd.DataFrame:
        """The refused offers as a DataFrame with ``provider`` and :data:`REFUSED_COLUMNS`."""
        frame = pd.DataFrame(self.refused, columns=list(REFUSED_COLUMNS))
        frame.insert(0, "provider", provider)
        return frame.drop_duplicates(["region", "instance_type", "pricing"]).reset_index(drop=True)

    def record_skip(self, skip: SkipItem) -> None:
        """Count one left-out item (and its name, when it was an unmapped GPU)."""
        self.skipped[skip.reason] += 1
        if skip.reason == "unmapped_gpu" and skip.name:
            self.unmapped[skip.name] += 1

    def extend(self, other: FetchResult) -> None:
        """Add another partial result (rows, counts, failures) to this one; raw tables are not merged."""
        self.rows.extend(other.rows)
        self.skipped.update(other.skipped)
        self.unmapped.update(other.unmapped)
        self.failures.extend(other.failures)
        self.refused.extend(other.refused)

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame with columns :data:`pricing.schema.OFFER_COLUMNS`."""
        return pd.DataFrame([row.as_record() for row in self.rows], columns=list(OFFER_COLUMNS))


def utc_now_iso() -> str:
    """The current UTC time as an ISO-8601 timestamp (seconds), for ``OfferRow.fetched_at``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
