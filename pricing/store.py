"""Where current prices come from: the shipped snapshot, overlaid per provider by the user's refreshed cache.

A damaged user cache (not SQLite, truncated, failing ``PRAGMA quick_check``, foreign tables) is
found when it is first opened, renamed aside to ``prices.sqlite.corrupt-<UTC timestamp>`` with one
warning, and the shipped snapshot is used; the next refresh starts a new cache.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import platformdirs

from pricing.cache import (
    SNAPSHOT_COLUMNS,
    database_problem,
    newest_snapshot_ids,
    open_for_write,
    open_readonly,
    read_newest,
    read_offers,
    snapshots,
)
from pricing.cache_faults import MAX_CACHE_BYTES, MAX_SNAPSHOT_ROWS, path_problem, snapshot_problems, without
from pricing.schema import OFFER_COLUMNS

log = logging.getLogger(__name__)

#: Environment variable that points the user cache elsewhere (tests, shared installs).
CACHE_ENV = "TRAINPLAN_CACHE_DIR"
ORIGINS = ("shipped", "user cache")

# Files already checked in this process, by (path, inode, size, mtime): the check runs once per state.
_checked: set[tuple[str, int, int, int]] = set()
# Warnings already given in this process (one per file set aside).
_warnings: list[str] = []
# Cache files that cannot be used and cannot be moved aside (read-only folder, a folder, a FIFO): not read.
_ignored: set[str] = set()


def user_cache_path() -> Path:
    """The per-user price cache file (it may not exist yet)."""
    base = os.environ.get(CACHE_ENV) or platformdirs.user_data_dir("trainplan", appauthor=False)
    return Path(base) / "prices.sqlite"


def shipped_path() -> Path:
    """The snapshot shipped inside the package."""
    from planner.shipped import shipped_db_path

    return shipped_db_path()


def cache_warnings() -> list[str]:
    """The warnings given so far in this process about the user cache (e.g. a damaged file set aside)."""
    return list(_warnings)


def set_aside_if_damaged(path: Path | None = None) -> str | None:
    """Check the user cache; if it is damaged, rename it aside and return the one-line warning (else None).

    The file (and its ``-wal``/``-shm`` companions) becomes ``<name>.corrupt-<YYYYmmddTHHMMSSZ>`` beside
    it, so nothing is deleted and the user can inspect it; prices then come from the shipped snapshot.
    """
    path = path or user_cache_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    except OSError:  # e.g. the cache folder is a file
        return _ignore(path, path_problem(path) or "unreachable")
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key in _checked:
        return None
    problem = database_problem(path)
    if problem is None:
        _checked.add(key)
        return None
    if problem == path_problem(path):
        return _ignore(path, problem)  # a folder or a FIFO is not a damaged file to move aside
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        path.rename(aside)
    except FileNotFoundError:
        return None  # another process set it aside first
    except OSError as exc:  # a read-only folder: it cannot be moved, so it is left alone and not used
        return _ignore(path, f"{problem} and cannot be moved aside ({exc.strerror or exc.__class__.__name__})")
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        try:
            if companion.exists():
                companion.rename(aside.with_name(aside.name + suffix))
        except OSError:
            pass  # the main file is aside; a stale companion is recreated or ignored by SQLite
    message = (f"price cache {path} is {problem}: moved aside to {aside.name}; using the shipped prices "
               "until `trainplan prices refresh` writes a new cache")
    _warnings.append(message)
    log.warning(message)
    return message


def _ignore(path: Path, problem: str) -> str:
    """Leave a cache that cannot be used or moved out of every read, with one warning (once per process)."""
    _ignored.add(str(path))
    message = f"price cache {path} is {problem}: ignored; using the shipped prices"
    if message not in _warnings:
        _warnings.append(message)
        log.warning(message)
    return message


def _warn_once(message: str) -> None:
    if message not in _warnings:
        _warnings.append(message)
        log.warning(message)


def _read_user(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Snapshots and newest offers of the user cache; empty frames if absent, damaged (set aside) or ignored.

    A provider whose newest snapshot has impossible prices, dates or row count is left out (shipped prices
    are used for it) with a warning (``pricing.cache_faults.snapshot_problems``).
    """
    empty = (pd.DataFrame(columns=list(SNAPSHOT_COLUMNS)), pd.DataFrame(columns=list(OFFER_COLUMNS)))
    set_aside_if_damaged(path)
    if str(path) in _ignored or path_problem(path) is not None or not path.exists() or path.stat().st_size == 0:
        return empty
    if path.stat().st_size > MAX_CACHE_BYTES:  # no cache can make unbounded work
        _ignore(path, f"{path.stat().st_size:,} bytes, more than the {MAX_CACHE_BYTES:,} a price cache may hold")
        return empty
    try:
        conn = open_readonly(path)
        try:
            table, offers = read_newest(conn, max_rows=MAX_SNAPSHOT_ROWS)
        finally:
            conn.close()
        problems = snapshot_problems(table, offers)
        for provider, problem in problems.items():
            _warn_once(f"price cache {path}: {provider} {problem}; using the shipped {provider} prices")
        return without(table, offers, list(problems)) if problems else (table, offers)
    except sqlite3.DatabaseError:
        _checked.clear()
        if set_aside_if_damaged(path) is None:
            raise  # locked or busy past the timeout: a real error, not damage
        return empty


def _read_shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    path = shipped_path()
    stat = path.stat()
    table, offers = _read_shipped_once(str(path), stat.st_mtime_ns, stat.st_size)
    return table.copy(), offers.copy()


@functools.lru_cache(maxsize=2)
def _read_shipped_once(path: str, mtime_ns: int, size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped database never changes at run time: read it once per file state."""
    conn = open_readonly(Path(path))
    try:
        return read_newest(conn)
    finally:
        conn.close()


def _in_use(user_path: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(snapshot in use per provider with origin and path, every offer of those snapshots)."""
    path = user_path or user_cache_path()
    read = {"shipped": (shipped_path(), _read_shipped()), "user cache": (path, _read_user(path))}
    tables = [table.groupby("provider").head(1).assign(origin=origin, path=str(where))
              for origin, (where, (table, _)) in read.items() if not table.empty]
    table = pd.concat(tables, ignore_index=True)
    table = table.sort_values(["provider", "fetched_at", "origin"], ascending=[True, False, False], kind="mergesort")
    table = table.groupby("provider", sort=True).head(1).reset_index(drop=True)
    offers = []
    for origin, (_, (_, rows)) in read.items():
        providers = table.loc[table["origin"] == origin, "provider"]
        if len(providers):
            offers.append(rows[rows["provider"].isin(providers)])
    return table, pd.concat(offers, ignore_index=True).loc[:, list(OFFER_COLUMNS)]


def current_anomalies(user_path: Path | None = None) -> pd.DataFrame:
    """The rows the price checks set aside in each snapshot in use, with its origin.

    Shipped snapshots: the build's ``price_anomalies``; refreshed ones: what the refresh stored with them.
    Columns: origin, provider, region, instance_type, gpu, pricing, usd_per_hour, usd_per_gpu_hour, reason, source.
    """
    from pricing.cache import ANOMALY_TABLE_COLUMNS, read_anomalies

    in_use = current_snapshots(user_path)
    frames = []
    shipped = in_use.loc[in_use["origin"] == "shipped", "provider"]
    if len(shipped):
        conn = open_readonly(shipped_path())
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "price_anomalies" in names:
                table = pd.read_sql_query("SELECT * FROM price_anomalies", conn)
                table = table[table["provider"].isin(set(shipped))]
                frames.append(table.reindex(columns=list(ANOMALY_TABLE_COLUMNS)).assign(origin="shipped"))
        finally:
            conn.close()
    user = in_use[in_use["origin"] == "user cache"]
    if len(user):
        conn = open_readonly(Path(user.iloc[0]["path"]))
        try:
            table = read_anomalies(conn, user["snapshot_id"].astype(int).tolist())
            frames.append(table.reindex(columns=list(ANOMALY_TABLE_COLUMNS)).assign(origin="user cache"))
        finally:
            conn.close()
    columns = ["origin", *ANOMALY_TABLE_COLUMNS]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True).loc[:, columns]
    return out.sort_values(["provider", "region", "instance_type", "pricing"], kind="mergesort").reset_index(drop=True)


def shipped_newest(provider: str) -> tuple[dict | None, pd.DataFrame]:
    """(the shipped snapshot of a provider as a dict, or None; its offers)."""
    table, offers = _read_shipped()
    table = table[table["provider"] == provider]
    if table.empty:
        return None, offers.iloc[0:0]
    return table.iloc[0].to_dict(), offers[offers["provider"] == provider].reset_index(drop=True)


def current(user_path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`current_snapshots`, :func:`current_offers`) read together: each database in one transaction,
    so the offers are exactly those of the snapshots listed, even while another process refreshes."""
    return _in_use(user_path)


def current_snapshots(user_path: Path | None = None) -> pd.DataFrame:
    """The snapshot in use for each provider, with where it lives (``shipped`` or ``user cache``).

    Per provider, the newest complete snapshot of either database wins (by ``fetched_at``).
    Columns: snapshot_id, provider, fetched_at, source, row_count, oldest_offer_at, origin, path.
    """
    return _in_use(user_path)[0]


def current_offers(user_path: Path | None = None) -> pd.DataFrame:
    """Every offer of the snapshots in use, in the normalised schema."""
    return _in_use(user_path)[1]


def all_snapshots(user_path: Path | None = None) -> pd.DataFrame:
    """Every complete snapshot of both databases, newest first per provider, with origin and path."""
    frames = []
    for origin, path in (("shipped", shipped_path()), ("user cache", user_path or user_cache_path())):
        if origin == "user cache":
            set_aside_if_damaged(path)
            if str(path) in _ignored or path_problem(path) is not None:
                continue
        if not path.exists() or path.stat().st_size == 0:
            continue
        conn = open_readonly(path)
        try:
            frames.append(snapshots(conn).assign(origin=origin, path=str(path)))
        finally:
            conn.close()
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["provider", "fetched_at", "origin", "snapshot_id"], ascending=[True, False, False, False],
                             kind="mergesort").reset_index(drop=True)


def snapshot_offers(path: Path | str, snapshot_id: int) -> pd.DataFrame:
    """The offers of one snapshot of one database."""
    conn = open_readonly(Path(path))
    try:
        return read_offers(conn, [int(snapshot_id)])
    finally:
        conn.close()


def open_user_cache_for_write(user_path: Path | None = None) -> sqlite3.Connection:
    """The user cache opened for writing (WAL, busy timeout), after setting a damaged file aside."""
    from planner.errors import PlanError

    path = user_path or user_cache_path()
    set_aside_if_damaged(path)
    problem = path_problem(path)
    if problem is not None:
        raise PlanError(f"price cache {path} is {problem}; remove it or set {CACHE_ENV} to another folder")
    try:
        return open_for_write(path)
    except (OSError, sqlite3.Error) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PlanError(f"price cache {path}: cannot write it ({why}); set {CACHE_ENV} to a folder you can "
                        "write") from None


__all__ = [
    "ORIGINS",
    "all_snapshots",
    "current",
    "current_anomalies",
    "cache_warnings",
    "current_offers",
    "current_snapshots",
    "newest_snapshot_ids",
    "open_user_cache_for_write",
    "set_aside_if_damaged",
    "snapshot_offers",
    "user_cache_path",
]
