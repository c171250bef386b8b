"""Price snapshots in use, their age and staleness, offers, and changes between snapshots."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planner import defaults
from planner.errors import choice, positive
from planner.fields import checked
from planner.shipped import load
from pricing.schema import PROVIDERS
from pricing.store import current_offers, current_snapshots


def price_snapshot_ages(today: date | None = None) -> pd.DataFrame:
    """The price snapshot in use per provider and its age.

    Columns: provider, fetched_at, origin (shipped | user cache), source, row_count, age_days = today − fetched_at
    [days], stale = age_days > ``defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS`` (30 days).
    """
    today = today or date.today()
    snaps = current_snapshots()
    fetched = pd.to_datetime(snaps["fetched_at"], utc=True).dt.tz_localize(None).dt.normalize()
    table = snaps[["provider", "fetched_at", "origin", "source", "row_count"]].copy()
    table["age_days"] = (pd.Timestamp(today) - fetched).dt.days.astype(int)
    table["stale"] = table["age_days"] > float(defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value)
    return table.reset_index(drop=True)


@checked
def price_snapshots(max_age_days: float | None = None, now: object = None) -> pd.DataFrame:
    """Each provider's price snapshot in use: origin (shipped / user cache), age and whether it is stale.

    max_age_days : staleness threshold [days] (None: ``defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS``)
    now : the time ages are measured at (None: now, UTC)
    Returns columns ``pricing.status.STATUS_COLUMNS``; ``attrs["warnings"]`` holds one line per stale
    provider, ``attrs["cache_warnings"]`` one per damaged user cache set aside in this process, ``attrs["notes"]``
    the price models no fetcher reads (:data:`pricing.status.NOT_FETCHED`).
    """
    from pricing.status import NOT_FETCHED, snapshot_status, staleness_warnings
    from pricing.store import cache_warnings, current_snapshots

    limit = positive("max_age_days", defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value if max_age_days is None
                     else max_age_days, "day")
    moment = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    in_use = current_snapshots()
    table = snapshot_status(in_use, moment, limit)
    table.attrs["warnings"] = staleness_warnings(table, limit)
    table.attrs["cache_warnings"] = cache_warnings()  # already logged once, as they happened
    table.attrs["max_age_days"] = limit
    table.attrs["notes"] = list(NOT_FETCHED)
    return table


@checked
def price_anomalies(provider: str | None = None) -> pd.DataFrame:
    """Price rows set aside by the checks (spot above on-demand, outside the price band, A100 80 GB below
    40 GB, retired sizes, unmapped GPUs, ...) in each provider's snapshot in use, with the reason.

    Columns: origin, provider, region, instance_type, gpu, pricing, usd_per_hour, usd_per_gpu_hour, reason, source.
    """
    from pricing.store import current_anomalies

    table = current_anomalies()
    if provider is not None:
        choice("provider", provider, PROVIDERS)
        table = table[table["provider"] == provider].reset_index(drop=True)
    return table


@checked
def price_offers(gpu: str | None = None, pricing: str | None = None, provider: str | None = None,
                 region: str | None = None, sort: str = "usd_per_gpu_hour") -> pd.DataFrame:
    """Current offers matching the filters, cheapest first (``sort``: a column of ``pricing.status.SORT_COLUMNS``).

    gpu : a catalog id (``h100-sxm5-80gb``) or a family (``h100``). Unknown values raise PlanError.
    ``spot_statistic`` says which statistic a spot row's price is (``pricing.status.SPOT_STATISTICS``).
    """
    from pricing.status import select_offers, spot_statistic

    table = select_offers(current_offers(), known_gpus=load().catalog.gpu_ids(), gpu=gpu, pricing=pricing,
                          provider=provider, region=region, sort=sort)
    table["spot_statistic"] = spot_statistic(table)
    table.attrs["notes"] = []
    if pricing in ("reserved_1y", "reserved_3y", "savings_plan_1y", "savings_plan_3y") and table.empty:
        table.attrs["notes"].append(
            f"{pricing}: not in the data. The shipped snapshot holds no commitment prices (no citable public "
            "extract of them was available); `trainplan prices refresh` fetches AWS reserved (standard, no "
            "upfront), Azure reservation and GCP committed-use prices, and with --savings-plans AWS EC2 Instance "
            "Savings Plans rates.")
    return table


@checked
def price_changes(provider: str | None = None) -> pd.DataFrame:
    """Offers added, removed or re-priced between each provider's two newest snapshots (shipped or refreshed).

    Returns columns ``pricing.status.CHANGE_COLUMNS``; ``attrs["compared"]`` says which snapshots were
    compared per provider, or that a provider has only one.
    """
    from pricing.status import CHANGE_COLUMNS, offer_changes
    from pricing.store import all_snapshots, snapshot_offers

    if provider is not None:
        choice("provider", provider, PROVIDERS)
    table = all_snapshots()
    compared, frames = [], []
    for name in [provider] if provider else sorted(table["provider"].unique()):
        two = table[table["provider"] == name].head(2)
        if len(two) < 2:
            compared.append(f"{name}: only one snapshot ({two.iloc[0]['origin']}, {two.iloc[0]['fetched_at']}); "
                            "nothing to compare until `trainplan prices refresh` writes another" if len(two)
                            else f"{name}: no snapshot")
            continue
        new, old = two.iloc[0], two.iloc[1]
        compared.append(f"{name}: {old['origin']} snapshot {old['snapshot_id']} ({old['fetched_at']}) -> "
                        f"{new['origin']} snapshot {new['snapshot_id']} ({new['fetched_at']})")
        frames.append(offer_changes(snapshot_offers(old["path"], old["snapshot_id"]),
                                    snapshot_offers(new["path"], new["snapshot_id"])))
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(CHANGE_COLUMNS))
    changes.attrs["compared"] = compared
    return changes

#: Shortest sampling period `trainplan measure` accepts [s]: NVML refreshes board power every 20-100 ms.
