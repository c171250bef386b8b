"""Faults of the user price cache that are not SQLite damage, each detected and explained in one line.

- The path: a cache folder that is a file, a cache file that is a folder, a FIFO or device (opening a FIFO
  would block for ever) — ``path_problem``.
- A read-only cache (a shared install): a healthy WAL database in a folder the user cannot write is read
  with ``immutable=1`` when no write-ahead log is pending (SQLite cannot create the ``-shm`` file there),
  not reported as damaged — ``readonly_uri``.
- A refresh into a cache it could not write (a read-only folder, a folder that cannot be created) is
  refused before anything is fetched — ``write_problem``.
- The size: a cache file over ``MAX_CACHE_BYTES`` is ignored; a snapshot over ``MAX_SNAPSHOT_ROWS`` offers
  is not read (``pricing.cache.read_newest(max_rows=...)``), so no cache makes unbounded work.
- The rows: prices that are not positive or absurd, dates that cannot be or lie in the future, a snapshot
  whose stored row count differs from its rows — ``snapshot_problems``; such a provider's snapshots are
  left out and the shipped prices used for it, with a warning naming what was wrong.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

#: Highest price per GPU-hour believed [USD]: ~10x the dearest on-demand GPU offer (B200, ~$15/GPU-h, 2025).
MAX_USD_PER_GPU_HOUR = 200.0
#: Earliest fetch date believed (cloud GPU offers began in 2010; nothing trainplan reads is older).
EARLIEST_FETCH = datetime(2010, 1, 1, tzinfo=UTC)
#: Clock skew allowed for a fetch date in the future.
FUTURE_SLACK = timedelta(days=1)
#: Most offers one provider's snapshot may hold: ~20x a full listing (the shipped snapshot holds 1,911 offers
#: for three providers; a refresh of every region ~10,000 per provider). Bounds the work a cache can cause.
MAX_SNAPSHOT_ROWS = 200_000
#: Largest user cache file read: 5 snapshots per provider at MAX_SNAPSHOT_ROWS is well under it.
MAX_CACHE_BYTES = 1 << 30


def path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a cache file (its folder is a file, it is a folder or a special file), or None.

    None also when the file does not exist (nothing to read).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return f"unusable: its folder {path.parent} is not a folder"
    except OSError as exc:
        return f"unreachable ({exc.strerror or exc.__class__.__name__})"
    if stat.S_ISDIR(info.st_mode):
        return "a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device)"
    return None


def write_problem(path: Path) -> str | None:
    """Why a refresh could not write the cache file ``path`` (checked before fetching anything), or None.

    The file must be a regular file or absent; its folder, or the nearest existing folder above it (a
    refresh creates the rest), must be writable, since SQLite also writes ``-wal``/``-shm`` beside the file.
    """
    problem = path_problem(path)
    if problem is not None:
        return f"is {problem}"
    existing = path.parent if str(path.parent) else Path(".")
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot be created: {existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"is in a folder this user cannot write ({existing})"
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        companion = path.with_name(name)
        if companion.exists() and not os.access(companion, os.W_OK):
            return f"is read-only for this user ({companion.name})"
    return None


def readonly_uri(path: Path) -> str | None:
    """An ``immutable=1`` URI for a cache in a folder this user cannot write, when that reads it correctly.

    Correct when no write-ahead log holds committed pages (``-wal`` absent or empty): the database file then
    has every committed page. None when the folder is writable (the plain read-only open works) or a log
    is pending (reading without it would show old prices).
    """
    folder = path.parent if str(path.parent) else Path(".")
    if os.access(folder, os.W_OK):
        return None
    wal = path.with_name(path.name + "-wal")
    try:
        pending = wal.stat().st_size > 0
    except FileNotFoundError:
        pending = False
    except OSError:
        return None
    return None if pending else f"file:{path}?mode=ro&immutable=1"


def _parsed(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates, utc=True, errors="coerce", format="ISO8601")


def snapshot_problems(table: pd.DataFrame, offers: pd.DataFrame,
                      now: datetime | None = None) -> dict[str, str]:
    """provider -> what is wrong with its newest user-cache snapshot (for those with a problem).

    table : the complete snapshots (``pricing.cache.snapshots``); offers : the rows of each provider's newest
    """
    now = now or datetime.now(UTC)
    problems: dict[str, str] = {}
    if table.empty:
        return problems
    newest = table.groupby("provider").head(1)
    for row in newest.itertuples():
        rows = offers[offers["provider"] == row.provider]
        provider = str(row.provider)
        when = _parsed(pd.Series([row.fetched_at])).iloc[0]
        if pd.isna(when) or when < EARLIEST_FETCH or when > now + FUTURE_SLACK:
            problems[provider] = f"snapshot {row.snapshot_id} has an impossible date '{row.fetched_at}'"
            continue
        if int(row.row_count) > MAX_SNAPSHOT_ROWS:
            problems[provider] = (f"snapshot {row.snapshot_id} says it holds {int(row.row_count):,} offers, more than "
                                  f"the {MAX_SNAPSHOT_ROWS:,} a snapshot may hold; not read")
            continue
        if int(row.row_count) != len(rows):
            problems[provider] = (f"snapshot {row.snapshot_id} says it holds {int(row.row_count):,} offers but has "
                                  f"{len(rows):,}")
            continue
        gpu = pd.to_numeric(rows["usd_per_gpu_hour"], errors="coerce").to_numpy(dtype=float)
        hour = pd.to_numeric(rows["usd_per_hour"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(gpu) | ~np.isfinite(hour) | (gpu <= 0) | (hour <= 0) | (gpu > MAX_USD_PER_GPU_HOUR)
        if bad.any():
            problems[provider] = (f"snapshot {row.snapshot_id} has {int(bad.sum()):,} offers with impossible prices "
                                  f"(not in (0, {MAX_USD_PER_GPU_HOUR:g}] USD per GPU-hour)")
            continue
        dates = _parsed(rows["fetched_at"])
        odd = dates.isna() | (dates < EARLIEST_FETCH) | (dates > now + FUTURE_SLACK)
        if odd.any():
            problems[provider] = f"snapshot {row.snapshot_id} has {int(odd.sum()):,} offers with impossible dates"
    return problems


def without(table: pd.DataFrame, offers: pd.DataFrame, providers: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The snapshots and offers with every snapshot of ``providers`` left out."""
    return (table[~table["provider"].isin(providers)].reset_index(drop=True),
            offers[~offers["provider"].isin(providers)].reset_index(drop=True))
