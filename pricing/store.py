"""Where current prices come from: the shipped snapshot, overlaid per provider by the user's refreshed cache."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pandas as pd
import platformdirs

from pricing.cache import newest_snapshot_ids, open_readonly, read_offers, snapshots

#: Environment variable that points the user cache elsewhere (tests, shared installs).
CACHE_ENV = "TRAINPLAN_CACHE_DIR"


def user_cache_path() -> Path:
    """The per-user price cache file (it may not exist yet)."""
    base = os.environ.get(CACHE_ENV) or platformdirs.user_data_dir("trainplan", appauthor=False)
    return Path(base) / "prices.sqlite"


def shipped_path() -> Path:
    """The snapshot shipped inside the package."""
    from planner.shipped import shipped_db_path

    return shipped_db_path()


def current_snapshots(user_path: Path | None = None) -> pd.DataFrame:
    """The snapshot in use for each provider, with where it lives (``shipped`` or ``user cache``).

    Per provider, the newest complete snapshot of either database wins (by ``fetched_at``).
    """
    frames = []
    for origin, path in (("shipped", shipped_path()), ("user cache", user_path or user_cache_path())):
        if not path.exists():
            continue
        conn = open_readonly(path)
        try:
            table = snapshots(conn)
        finally:
            conn.close()
        table["origin"] = origin
        table["path"] = str(path)
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["provider", "fetched_at", "origin"], ascending=[True, False, False], kind="mergesort")
    return table.groupby("provider", sort=True).head(1).reset_index(drop=True)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return str(path), 0, 0
    return str(path), stat.st_mtime_ns, stat.st_size


def current_offers(user_path: Path | None = None) -> pd.DataFrame:
    """Every offer of the snapshots in use, in the normalised schema.

    Read once per state of the two database files (path, modification time, size): a refresh that
    writes the user cache is seen by the next call. Returns a copy, so callers may filter freely.
    """
    path = user_path or user_cache_path()
    return _current_offers(_stamp(shipped_path()), _stamp(path)).copy()


@functools.lru_cache(maxsize=4)
def _current_offers(shipped_stamp: tuple, user_stamp: tuple) -> pd.DataFrame:
    in_use = current_snapshots(Path(user_stamp[0]))
    frames = []
    for path, group in in_use.groupby("path"):
        conn = open_readonly(Path(path))
        try:
            frames.append(read_offers(conn, group["snapshot_id"].tolist()))
        finally:
            conn.close()
    return pd.concat(frames, ignore_index=True)


__all__ = ["current_offers", "current_snapshots", "newest_snapshot_ids", "user_cache_path"]
