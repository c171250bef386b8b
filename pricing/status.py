"""Pure functions over price tables: how old each snapshot is, what changed between two, which offers match.

No I/O: :mod:`pricing.store` reads the tables, ``trainplan prices …`` prints what these return.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from planner.errors import choice, unknown
from pricing.schema import PRICING_MODELS, PROVIDERS

STATUS_COLUMNS = ("provider", "origin", "snapshot_id", "fetched_at", "age_days", "oldest_offer_at",
                  "oldest_offer_age_days", "source_date", "row_count", "stale", "source")
#: How a snapshot says its source's own date is not known (the shipped SkyPilot catalogs record none).
UNKNOWN_DATE = "unknown"
#: Identity of an offer across snapshots of one provider.
OFFER_KEY = ("provider", "region", "instance_type", "pricing")
CHANGE_COLUMNS = (*OFFER_KEY, "gpu", "change", "old_usd_per_hour", "new_usd_per_hour", "pct_change")
CHANGES = ("added", "removed", "changed")
SORT_COLUMNS = ("usd_per_gpu_hour", "usd_per_hour", "provider", "region", "gpu", "instance_type")
_SECONDS_PER_DAY = 86_400.0
#: What the data does not hold, said by ``prices status`` so a missing price model is never mistaken for a cheap one.
NOT_FETCHED = (
    "Commitment prices (reserved_1y, reserved_3y): not in the shipped data (no citable public extract of them); "
    "`trainplan prices refresh` fetches AWS reserved (standard, no upfront), Azure reservations and GCP committed-use "
    "(Commit1Yr/Commit3Yr GPU + core + RAM SKUs, whole VM; TPU commitments not modelled)",
    "AWS Savings Plans (savings_plan_1y, savings_plan_3y): not in the shipped data; `trainplan prices refresh "
    "--savings-plans` reads EC2 Instance Savings Plans rates (No Upfront)",
)


def _timestamps(values: pd.Series) -> pd.Series:
    """ISO dates or timestamps as UTC times (a bare date is midnight UTC)."""
    return pd.to_datetime(values, utc=True, format="ISO8601")


def age_days(fetched_at: pd.Series, now: pd.Timestamp) -> pd.Series:
    """Age of each ISO ``fetched_at`` at ``now`` [days]: ``(now - fetched_at) / 86 400 s``."""
    return (now - _timestamps(fetched_at)).dt.total_seconds() / _SECONDS_PER_DAY


def snapshot_status(in_use: pd.DataFrame, now: pd.Timestamp, max_age_days: float) -> pd.DataFrame:
    """Each provider's snapshot in use, its age, and whether it is stale.

    in_use : :func:`pricing.store.current_snapshots` (provider, origin, snapshot_id, fetched_at,
        oldest_offer_at, row_count, source)
    now : the time to measure ages at (UTC)
    max_age_days : older than this is stale [days]
    ``stale`` looks at the oldest row, not the snapshot date: a refresh of one region carries the other
    regions' older prices forward, and those are what may be out of date; a snapshot whose source's own
    date is unknown (``source_date`` "unknown ...") is stale too.
    Returns columns :data:`STATUS_COLUMNS`.
    """
    table = in_use.copy()
    table["age_days"] = age_days(table["fetched_at"], now)
    oldest = table["oldest_offer_at"].fillna(table["fetched_at"])
    table["oldest_offer_age_days"] = age_days(oldest, now)
    if "source_date" not in table.columns:
        table["source_date"] = None
    unknown_date = table["source_date"].fillna("").astype(str).str.startswith(UNKNOWN_DATE)
    # A price is as old as its source, not as its extraction: a catalog of unknown date cannot be called fresh.
    table["stale"] = (table["oldest_offer_age_days"] > max_age_days) | unknown_date
    return table.loc[:, list(STATUS_COLUMNS)].reset_index(drop=True)


def staleness_warnings(status: pd.DataFrame, max_age_days: float) -> list[str]:
    """One line per stale provider of :func:`snapshot_status`, saying how to refresh it."""
    lines = []
    for row in status[status["stale"]].itertuples():
        if str(row.source_date or "").startswith(UNKNOWN_DATE) and row.oldest_offer_age_days <= max_age_days:
            lines.append(f"{row.provider}: the prices' own date is {row.source_date} ({row.origin}); run "
                         f"`trainplan prices refresh --provider {row.provider}` before relying on them")
            continue
        lines.append(
            f"{row.provider}: prices are up to {row.oldest_offer_age_days:.0f} days old (from {row.oldest_offer_at}, "
            f"{row.origin}), older than {max_age_days:g} days; run `trainplan prices refresh --provider {row.provider}`"
        )
    return lines


def offer_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Offers added, removed or re-priced between two snapshots (unchanged ones are left out).

    old, new : offers in the normalised schema
    pct_change = 100 · (new − old) / old [%], only for ``changed`` rows (NaN otherwise).
    Returns columns :data:`CHANGE_COLUMNS`, ordered by change, provider, region, instance type, pricing.
    """
    key = list(OFFER_KEY)
    before = old.drop_duplicates(key, keep="last")[[*key, "gpu", "usd_per_hour"]]
    after = new.drop_duplicates(key, keep="last")[[*key, "gpu", "usd_per_hour"]]
    merged = before.merge(after, on=key, how="outer", suffixes=("_old", "_new"), indicator=True)
    merged["gpu"] = merged["gpu_new"].fillna(merged["gpu_old"])
    merged["old_usd_per_hour"] = merged["usd_per_hour_old"].astype(float)
    merged["new_usd_per_hour"] = merged["usd_per_hour_new"].astype(float)
    merged["change"] = np.select(
        [merged["_merge"] == "right_only", merged["_merge"] == "left_only",
         ~np.isclose(merged["old_usd_per_hour"], merged["new_usd_per_hour"], rtol=1e-9, atol=0.0)],
        ["added", "removed", "changed"], default="",
    )
    merged = merged[merged["change"] != ""].copy()
    changed = merged["change"] == "changed"
    merged["pct_change"] = np.where(
        changed, 100.0 * (merged["new_usd_per_hour"] - merged["old_usd_per_hour"]) / merged["old_usd_per_hour"], np.nan
    )
    merged["change"] = pd.Categorical(merged["change"], categories=list(CHANGES), ordered=True)
    merged = merged.sort_values(["change", *key], kind="mergesort")
    merged["change"] = merged["change"].astype(str)
    return merged.loc[:, list(CHANGE_COLUMNS)].reset_index(drop=True)


#: Which statistic a spot row's price is, told by its provider and source (the first rule that matches wins).
#: SkyPilot's catalogs give the lowest zone price (its AWS zones include Local Zones); trainplan's AWS refresh
#: takes the lowest over the region's own AZs; Google and Azure publish one spot price per region.
SPOT_STATISTICS = (
    ("aws", "spot: the region's own azs", "the region's own AZs (Local Zone minimum replaced)"),
    ("aws", "skypilot", "min over zones (catalog; may include Local Zones)"),
    ("aws", "describe_spot_price_history", "min over the region's own AZs"),
    ("gcp", "cyclenerd", "regional Spot SKU price (GPU + vCPU + RAM SKUs)"),
    ("gcp", "skypilot", "min over zones (catalog; one price per region seen)"),
    ("gcp", "", "regional Spot SKU price"),
    ("azure", "", "regional Spot meter price"),
)


def spot_statistic(offers: pd.DataFrame) -> pd.Series:
    """Per row, which statistic its spot price is (:data:`SPOT_STATISTICS`); empty for other pricing models."""
    def one(provider: str, pricing: str, source: str) -> str:
        if pricing != "spot":
            return ""
        for name, word, label in SPOT_STATISTICS:
            if provider == name and word in str(source).lower():
                return label
        return "as its source states"

    return pd.Series([one(p, m, s) for p, m, s in zip(offers["provider"], offers["pricing"], offers["source"],
                                                       strict=True)], index=offers.index, dtype=object)


def _gpus_matching(value: str, known: Iterable[str]) -> list[str]:
    """Catalog ids equal to ``value``, or of its family (``h100`` -> ``h100-pcie-80gb``, ``h100-sxm5-80gb``)."""
    known = sorted(set(known))
    text = value.lower()
    if text in known:
        return [text]
    return [gpu for gpu in known if gpu.startswith(text + "-")]


def select_offers(
    offers: pd.DataFrame,
    *,
    known_gpus: Iterable[str],
    gpu: str | None = None,
    pricing: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    sort: str = "usd_per_gpu_hour",
) -> pd.DataFrame:
    """The offers matching every given filter, sorted by ``sort`` (then provider, region, instance, pricing).

    gpu : a catalog id (``h100-sxm5-80gb``) or its family (``h100``); checked against ``known_gpus``
    pricing : one of :data:`pricing.schema.PRICING_MODELS`;  provider : one of ``PROVIDERS``
    region : a region of the (provider's) offers
    Raises PlanError naming the field and the allowed values.
    """
    choice("sort", sort, SORT_COLUMNS)
    table = offers
    if provider is not None:
        choice("provider", provider, PROVIDERS)
        table = table[table["provider"] == provider]
    if pricing is not None:
        choice("pricing", pricing, PRICING_MODELS)
        table = table[table["pricing"] == pricing]
    if region is not None:
        regions = set(offers.loc[offers["provider"] == provider, "region"] if provider else offers["region"])
        if region not in regions:
            raise unknown("region", region, regions)
        table = table[table["region"] == region]
    if gpu is not None:
        matching = _gpus_matching(gpu, known_gpus)
        if not matching:
            raise unknown("gpu", gpu, set(offers["gpu"]) | set(known_gpus))
        table = table[table["gpu"].isin(matching)]
    tiebreak = [c for c in ("provider", "region", "instance_type", "pricing") if c != sort]
    return table.sort_values([sort, *tiebreak], kind="mergesort").reset_index(drop=True)

