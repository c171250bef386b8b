"""Refresh the user price cache from the providers' APIs: fetch, check, merge, and write one snapshot per provider.

For each provider: call its ``fetch()`` (client injectable), check every row again, and write a new
snapshot into the user cache in ONE transaction, only if the fetch produced rows. On any exception
(network, bad payload, Ctrl-C) or a failure that cannot be pinned to a region, nothing is written and
the previous snapshot stays the newest. A snapshot always covers the whole provider: regions outside
``--region``, and the pricing models of a region whose call failed, keep their previous rows (with
their own older ``fetched_at``), so a partial refresh never drops prices.

Credentials are the SDKs' business: nothing here reads, logs or stores them.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import PlanError, choice, unknown
from pricing.cache import insert_snapshot, newest_offers_of, prune_in_transaction, write_transaction
from pricing.cache_faults import write_problem
from pricing.fetch_result import FetchResult, PricingCredentialsError, utc_now_iso
from pricing.offer_checks import check_offers
from pricing.schema import OFFER_COLUMNS, PRICING_MODELS, PROVIDERS
from pricing.store import (
    CACHE_ENV,
    current_offers,
    open_user_cache_for_write,
    shipped_newest,
    user_cache_path,
)

log = logging.getLogger(__name__)

FETCH_MODULES = {"aws": "pricing.aws", "gcp": "pricing.gcp", "azure": "pricing.azure"}
#: Why a fetched row was refused at the door of the cache (the parsers should already have left it out).
INVALID_REASONS = ("missing_field", "wrong_provider", "unknown_pricing", "bad_price", "bad_gpu_count",
                   "gpu_not_in_catalog", "duplicate_offer")
OUTCOMES = ("written", "kept previous", "no credentials", "error", "interrupted")
# The clients word a region's failure "<provider> <region>: <call>: <error>"; "aws all regions: …" and
# "gcp: skus.list …" name no region and so fail the whole provider.
_REGION_FAILURE = re.compile(r"^(?P<provider>aws|gcp|azure) (?P<region>[a-z0-9-]+): ")

Progress = Callable[[str], object]
#: A refresh whose fetched rows fall below this share of the previous snapshot's rows it would replace is
#: refused as a truncated listing (a page missing, an empty NextPageLink too early): price lists shrink by a
#: few offers between weeks, never by half. ``accept_fewer_rows`` overrides it when offers really went.
TRUNCATION_FRACTION = 0.5


class TruncatedListing(Exception):
    """The fetched rows are far fewer than the rows they would replace."""


@dataclass
class ProviderReport:
    """What a refresh did for one provider.

    outcome : one of :data:`OUTCOMES`; only ``written`` changed the cache
    rows_fetched : valid rows the API gave;  rows_written : rows of the new snapshot (fetched + carried)
    rows_carried : previous rows kept for regions / pricing models not refreshed
    skipped : payload items left out by the parser, plus rows refused here, by reason
    unmapped : provider GPU names with no catalog GPU (for data_src/accelerator_map.csv)
    failures : one line per failed region or call
    kept_regions : failed regions whose previous prices were kept (regions not asked for are always kept)
    anomalies : rows of the new snapshot the price checks set aside (``prices status --anomalies``)
    rows_restored : previous rows kept in place of fetched rows that were set aside or refused as ambiguous
    """

    provider: str
    outcome: str = "kept previous"
    message: str = ""
    snapshot_id: int | None = None
    rows_fetched: int = 0
    rows_written: int = 0
    rows_carried: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unmapped: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    kept_regions: list[str] = field(default_factory=list)
    anomalies: int = 0
    rows_restored: int = 0

    def lines(self) -> list[str]:
        """The report as lines for a terminal."""
        # a credentials message is already one complete line that names the provider
        out = [self.message if self.outcome == "no credentials" else f"{self.provider}: {self.outcome}: {self.message}"]
        if self.skipped:
            out.append(f"  skipped: {', '.join(f'{k} {v}' for k, v in sorted(self.skipped.items()))}")
        if self.unmapped:
            out.append(f"  unmapped GPUs (not guessed): {', '.join(f'{k} ({v})' for k, v in sorted(self.unmapped.items()))}")
        out += [f"  failed: {line}" for line in self.failures]
        if self.kept_regions:
            out.append(f"  previous prices kept for: {', '.join(self.kept_regions)}")
        return out


@dataclass
class RefreshReport:
    """One :class:`ProviderReport` per provider asked for, in order."""

    providers: list[ProviderReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every provider's snapshot was written."""
        return bool(self.providers) and all(p.outcome == "written" for p in self.providers)

    def lines(self) -> list[str]:
        return [line for report in self.providers for line in report.lines()]

    def table(self) -> pd.DataFrame:
        """One row per provider: outcome, snapshot_id, rows_fetched, rows_written, rows_carried, skipped, failures."""
        return pd.DataFrame([
            {"provider": p.provider, "outcome": p.outcome, "snapshot_id": p.snapshot_id, "rows_fetched": p.rows_fetched,
             "rows_written": p.rows_written, "rows_carried": p.rows_carried, "skipped": sum(p.skipped.values()),
             "failures": len(p.failures), "message": p.message}
            for p in self.providers
        ])


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh; ``report`` says what was written before it (the interrupted provider: nothing)."""

    def __init__(self, report: RefreshReport) -> None:
        super().__init__("refresh interrupted")
        self.report = report


def valid_offers(offers: pd.DataFrame, provider: str, known_gpus: Iterable[str]) -> tuple[pd.DataFrame, Counter[str]]:
    """The rows fit to store, and the count of refused rows by reason (:data:`INVALID_REASONS`).

    A row is fit when it has every key field, is the provider's, has a known pricing model, a finite
    usd_per_hour > 0, a gpu_count > 0, a catalog GPU, and is the first of its
    (region, instance_type, pricing). ``usd_per_gpu_hour`` is recomputed as usd_per_hour / gpu_count.
    """
    table = offers.loc[:, list(OFFER_COLUMNS)].copy()
    price = pd.to_numeric(table["usd_per_hour"], errors="coerce").astype(float)
    count = pd.to_numeric(table["gpu_count"], errors="coerce").astype(float)
    keys = table[["region", "instance_type", "gpu", "fetched_at", "source"]]
    checks = (
        ("missing_field", keys.isna().any(axis=1) | (keys.astype(str) == "").any(axis=1)),
        ("wrong_provider", table["provider"] != provider),
        ("unknown_pricing", ~table["pricing"].isin(PRICING_MODELS)),
        ("bad_price", ~(np.isfinite(price) & (price > 0))),
        ("bad_gpu_count", ~(np.isfinite(count) & (count > 0))),
        ("gpu_not_in_catalog", ~table["gpu"].isin(set(known_gpus))),
    )
    refused: Counter[str] = Counter()
    bad = pd.Series(False, index=table.index)
    for reason, mask in checks:
        new = mask & ~bad
        if new.any():
            refused[reason] += int(new.sum())
        bad |= mask
    duplicate = table.duplicated(["region", "instance_type", "pricing"], keep="first") & ~bad
    if duplicate.any():
        refused["duplicate_offer"] += int(duplicate.sum())
    table = table[~(bad | duplicate)].copy()
    table["usd_per_hour"] = price[table.index]
    table["gpu_count"] = count[table.index]
    table["usd_per_gpu_hour"] = table["usd_per_hour"] / table["gpu_count"]
    return table.reset_index(drop=True), refused


def failed_regions(failures: Iterable[str], provider: str) -> tuple[set[str], list[str]]:
    """(regions named by failure lines, lines that name no region and so fail the whole provider)."""
    regions, whole = set(), []
    for line in failures:
        matched = _REGION_FAILURE.match(line)
        if matched and matched["provider"] == provider and matched["region"] != "all":
            regions.add(matched["region"])
        else:
            whole.append(line)
    return regions, whole


def merge_with_previous(
    fresh: pd.DataFrame, previous: pd.DataFrame, scope: set[str] | None, failed: set[str],
    covered: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The new snapshot's rows: every fresh row, plus the previous rows nothing fresh replaces.

    A previous row is carried forward when the fetcher does not cover it (``covered`` False: another
    family, such as GCP's TPUs, or a pricing model it does not fetch), its region was not asked for
    (``scope`` given and the region not in it), or its region failed (``failed``) and the fresh rows have
    nothing for that (region, pricing). Previous covered rows of a refreshed region that did not fail
    are dropped: that offer is gone. Returns (merged rows, carried rows).
    """
    out_of_scope = ~previous["region"].isin(scope) if scope is not None else pd.Series(False, index=previous.index)
    if covered is not None:
        out_of_scope = out_of_scope | ~covered.reindex(previous.index, fill_value=False).astype(bool)
    fresh_cells = set(zip(fresh["region"], fresh["pricing"], strict=True))
    cell_missing = pd.Series(
        [(r, p) not in fresh_cells for r, p in zip(previous["region"], previous["pricing"], strict=True)],
        index=previous.index, dtype=bool,
    )
    carried = previous[out_of_scope | (previous["region"].isin(failed) & cell_missing)]
    merged = pd.concat([fresh, carried.loc[:, list(OFFER_COLUMNS)]], ignore_index=True) if len(carried) else fresh
    return merged.loc[:, list(OFFER_COLUMNS)].reset_index(drop=True), carried


_KEY = ["region", "instance_type", "pricing"]
#: Appended to the reason of a fetched row set aside whose previous price was kept in its place.
REASON_PREVIOUS_KEPT = "; the previous snapshot's price is kept"


def _keys(frame: pd.DataFrame) -> set[tuple]:
    return set(map(tuple, frame[_KEY].to_numpy()))


def checked_keeping_previous(
    merged: pd.DataFrame, fresh: pd.DataFrame, previous: pd.DataFrame, refused: pd.DataFrame,
    retired: Mapping[tuple[str, str], str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(rows kept, rows set aside, previous rows restored): the price checks on ``merged``, where a fetched row
    the checks set aside, or an offer the fetcher refused (``refused``: an ambiguous SKU or meter), does not
    drop that offer but keeps its previous row, which is checked again with the rest. A refresh only improves:
    a bad new pair never replaces a good old one. ``refused`` rows are listed among the rows set aside.
    """
    kept, aside = check_offers(merged, retired=retired)
    bad = (_keys(aside) & _keys(fresh)) | _keys(refused)
    candidates = previous[[key in bad for key in map(tuple, previous[_KEY].to_numpy())]] if bad else previous.iloc[:0]
    candidates = candidates[[key not in _keys(kept) for key in map(tuple, candidates[_KEY].to_numpy())]]
    restored_keys: set[tuple] = set()
    if len(candidates):
        trial = pd.concat([kept, candidates.loc[:, list(OFFER_COLUMNS)]], ignore_index=True)
        kept, again = check_offers(trial, retired=retired)
        restored_keys = _keys(candidates) & _keys(kept)
        aside = pd.concat([aside, again], ignore_index=True)
    if len(refused):
        aside = pd.concat([aside, refused.loc[:, list(aside.columns)]], ignore_index=True)
    if restored_keys:
        restored = pd.Series([key in restored_keys for key in map(tuple, aside[_KEY].to_numpy())], index=aside.index)
        aside.loc[restored, "reason"] = aside.loc[restored, "reason"] + REASON_PREVIOUS_KEPT
    return kept, aside.reset_index(drop=True), len(restored_keys)


def known_regions(provider: str, offers: pd.DataFrame | None = None) -> set[str]:
    """Regions trainplan knows for a provider: the shipped region table and the offers in use (``offers``)."""
    from planner.shipped import load

    regions = load()["cloud_regions"]
    offers = current_offers() if offers is None else offers
    return set(regions.loc[regions["provider"] == provider, "region"]) | set(offers.loc[offers["provider"] == provider,
                                                                                        "region"])


def plan_regions(providers: Iterable[str] | None, regions: Iterable[str] | None) -> dict[str, list[str] | None]:
    """provider -> regions to refresh (None: all), checking every name.

    Without ``providers``: every provider, or, when ``regions`` are given, the providers those regions
    belong to. Raises PlanError for an unknown provider or a region no chosen provider has.
    """
    chosen = [choice("provider", p, PROVIDERS) for p in providers] if providers else list(PROVIDERS)
    if not regions:
        return dict.fromkeys(chosen)
    wanted = list(dict.fromkeys(regions))
    offers = current_offers()
    known = {provider: known_regions(provider, offers) for provider in chosen}
    for region in wanted:
        if not any(region in known[p] for p in chosen):
            raise unknown("region", region, set().union(*known.values()))
    plan = {p: [r for r in wanted if r in known[p]] for p in chosen}
    return {p: rs for p, rs in plan.items() if rs}


class _ReportingSession:
    """A boto3 session (or requests session) that says which call it is about to make."""

    def __init__(self, target: Any, provider: str, progress: Progress) -> None:
        self._target, self._provider, self._progress = target, provider, progress
        self._pages = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def client(self, service_name: str, region_name: str | None = None, **kwargs: Any) -> Any:
        what = {"pricing": "price list (on-demand, reserved)", "ec2": f"spot price history in {region_name}"}
        self._progress(f"{self._provider}: reading {what.get(service_name, service_name)}")
        return self._target.client(service_name, region_name=region_name, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        self._pages += 1
        self._progress(f"{self._provider}: reading page {self._pages}")
        return self._target.get(url, **kwargs)


def _client_for(provider: str, client: Any, progress: Progress) -> Any:
    if provider == "aws":
        import boto3

        return _ReportingSession(client if client is not None else boto3.Session(), provider, progress)
    if provider == "azure":
        import requests

        return _ReportingSession(client if client is not None else requests.Session(), provider, progress)
    return client  # gcp: its fetch builds the client, so that missing credentials are reported as such


def _refresh_one(provider: str, regions: list[str] | None, client: Any, options: Mapping[str, Any],
                 progress: Progress, user_path: Path | None, fetched_at: str, known_gpus: set[str],
                 accept_fewer_rows: bool = False) -> ProviderReport:
    report = ProviderReport(provider)
    fetch = importlib.import_module(FETCH_MODULES[provider]).fetch
    progress(f"{provider}: fetching prices ({', '.join(regions) if regions else 'all regions'})")
    try:
        result: FetchResult = fetch(_client_for(provider, client, progress), regions,
                                    **{"fetched_at": fetched_at, **options})
    except PricingCredentialsError as error:
        report.outcome, report.message = "no credentials", str(error)
        return report
    except Exception as error:  # a bad payload or a client bug must not end the other providers' refresh
        report.outcome = "error"
        report.message = f"{type(error).__name__}: {error}; nothing written, the previous snapshot stays in use"
        return report
    report.skipped.update(result.skipped)
    report.unmapped.update(result.unmapped)
    report.failures = list(result.failures)
    fresh, refused = valid_offers(result.to_frame(), provider, known_gpus)
    report.skipped.update(refused)
    report.rows_fetched = len(fresh)
    failed, whole = failed_regions(result.failures, provider)
    if whole:
        report.message = "a call that covers every region failed; nothing written, the previous snapshot stays in use"
        return report
    if fresh.empty:
        report.message = "no offers fetched; nothing written, the previous snapshot stays in use"
        return report
    module = importlib.import_module(FETCH_MODULES[provider])
    progress(f"{provider}: writing snapshot ({len(fresh)} fetched rows)")
    conn = open_user_cache_for_write(user_path)
    try:
        # Read, merge and write in ONE write transaction: a refresh that overlaps this one either committed
        # before (and is merged onto) or waits for this commit (and merges onto it); no update is lost.
        with write_transaction(conn):
            before, previous = _previous_offers(conn, provider)
            covered = module.covers(previous, fetched=fresh, **options) if hasattr(module, "covers") else None
            merged, carried = merge_with_previous(fresh, previous, set(regions) if regions else None, failed,
                                                  covered)
            replaced = len(previous) - len(carried)
            if replaced and len(fresh) < TRUNCATION_FRACTION * replaced and not accept_fewer_rows:
                raise TruncatedListing(f"{len(fresh)} rows fetched against {replaced} they would replace")
            refused = result.refused_frame(provider)
            if regions:
                refused = refused[refused["region"].isin(regions)]
            kept, aside, restored = checked_keeping_previous(merged, fresh, previous, refused, retired_sizes())
            report.rows_restored = restored
            report.rows_carried = len(carried)
            report.kept_regions = sorted(set(carried["region"]) & failed)
            report.anomalies = len(aside)
            source = f"{provider} api refresh ({', '.join(regions) if regions else 'all regions'})"
            if len(carried) and before is not None:
                source += f"; {len(carried)} rows carried forward from {before['origin']} snapshot of {before['fetched_at']}"
            report.snapshot_id = insert_snapshot(conn, provider, kept, fetched_at, source,
                                                 source_date=fetched_at[:10], anomalies=aside)
            prune_in_transaction(conn, provider)
    except TruncatedListing as refused:
        report.message = (f"truncated listing refused: {refused}; nothing written, the previous snapshot stays "
                          "in use (--accept-fewer-rows to store it anyway)")
        return report
    finally:
        conn.close()
    report.outcome, report.rows_written = "written", len(kept)
    report.message = (f"snapshot {report.snapshot_id}: {len(kept)} rows ({len(fresh)} fetched, "
                      f"{len(carried)} carried forward, {len(aside)} set aside by the price checks"
                      + (f", {restored} previous prices kept in their place" if restored else "") + ")")
    return report


def retired_sizes() -> dict[tuple[str, str], str]:
    """(provider, instance_type) -> retirement date, from the shipped ``retired_sizes`` table."""
    from planner.shipped import load

    table = load().tables.get("retired_sizes")
    if table is None:
        return {}
    return {(r.provider, r.instance_type): str(r.retired_on) for r in table.itertuples()}


def _previous_offers(conn: Any, provider: str) -> tuple[dict | None, pd.DataFrame]:
    """The provider's snapshot in use as seen inside the write transaction: the user cache's newest, or the
    shipped one where that is newer (as :func:`pricing.store.current_offers` picks; a tie goes to the user)."""
    user, user_rows = newest_offers_of(conn, provider)
    shipped, shipped_rows = shipped_newest(provider)

    def when(snapshot: dict) -> pd.Timestamp:
        return pd.to_datetime(snapshot["fetched_at"], utc=True, format="ISO8601")

    if user is not None and (shipped is None or when(user) >= when(shipped)):
        return {**user, "origin": "user cache"}, user_rows
    if shipped is None:
        return None, user_rows
    return {**shipped, "origin": "shipped"}, shipped_rows


def _check_writable(user_path: Path | None) -> None:
    """A PlanError naming the cache and why a refresh could not write it (nothing fetched, nothing changed)."""
    path = user_path or user_cache_path()
    problem = write_problem(path)
    if problem is not None:
        raise PlanError(f"price cache {path} {problem}; nothing fetched, nothing changed; set {CACHE_ENV} to a "
                        "folder you can write")


def refresh(
    providers: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    *,
    clients: Mapping[str, Any] | None = None,
    fetch_options: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Progress | None = None,
    user_path: Path | None = None,
    fetched_at: str | None = None,
    accept_fewer_rows: bool = False,
) -> RefreshReport:
    """Refresh providers' prices into the user cache, one snapshot (one transaction) per provider.

    providers : subset of ``PROVIDERS`` (None: all, or those the regions belong to)
    regions : region codes (None: every region); other regions' previous rows are carried forward
    clients : provider -> client or session for its ``fetch`` (None: the SDK default, credentials from
        the SDK's own chain)
    fetch_options : provider -> extra keyword arguments of its ``fetch`` (e.g. ``sleep``)
    progress : called with one line per step (the CLI prints them)
    fetched_at : the snapshot time, ISO-8601 (None: now, UTC)
    accept_fewer_rows : store a fetch even when it has far fewer rows than it replaces (:data:`TRUNCATION_FRACTION`)
    Raises PlanError for an unknown provider or region (before any call), and RefreshInterrupted
    (a KeyboardInterrupt) on Ctrl-C, after which the cache holds exactly what it held before that provider.
    """
    from planner.shipped import load

    plan = plan_regions(providers, regions)
    _check_writable(user_path)  # fail before a fetch that could take minutes, not after it
    progress = progress or (lambda line: None)
    fetched_at = fetched_at or utc_now_iso()
    known_gpus = set(load().catalog.gpu_ids())
    report = RefreshReport()
    for provider, provider_regions in plan.items():
        try:
            one = _refresh_one(provider, provider_regions, (clients or {}).get(provider),
                               (fetch_options or {}).get(provider, {}), progress, user_path, fetched_at, known_gpus,
                               accept_fewer_rows)
        except KeyboardInterrupt:
            report.providers.append(ProviderReport(
                provider, "interrupted", "nothing written, the previous snapshot stays in use"))
            raise RefreshInterrupted(report) from None
        log.debug("refresh %s: %s", provider, one.outcome)
        report.providers.append(one)
    return report
