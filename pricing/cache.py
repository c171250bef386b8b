"""The SQLite price cache: snapshots of normalised offers, written in one transaction, read newest-complete-first.

Two databases hold snapshots with the same tables: the one shipped inside the package (built by
``scripts/build_data.py``) and a per-user cache that ``trainplan prices refresh`` writes. For each
provider the newest complete snapshot wins, so a user's refresh overlays the shipped prices and a
failed refresh (never marked complete) changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pricing.schema import OFFER_COLUMNS

SNAPSHOT_DDL = """
CREATE TABLE IF NOT EXISTS price_snapshots (
    snapshot_id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    source TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS offers (
    snapshot_id INTEGER NOT NULL REFERENCES price_snapshots(snapshot_id),
    provider TEXT NOT NULL,
    region TEXT NOT NULL,
    location TEXT,
    instance_type TEXT NOT NULL,
    gpu TEXT NOT NULL,
    gpu_count REAL NOT NULL CHECK (gpu_count > 0),
    vcpus REAL,
    memory_gib REAL,
    pricing TEXT NOT NULL,
    usd_per_hour REAL NOT NULL CHECK (usd_per_hour > 0),
    usd_per_gpu_hour REAL NOT NULL CHECK (usd_per_gpu_hour > 0),
    fetched_at TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS offers_snapshot ON offers(snapshot_id);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the snapshot tables if they are missing."""
    conn.executescript(SNAPSHOT_DDL)


def write_snapshot(conn: sqlite3.Connection, provider: str, offers: pd.DataFrame, fetched_at: str,
                   source: str) -> int:
    """Store one provider's offers as a new complete snapshot, all in one transaction.

    If anything fails before the commit, the transaction is rolled back and the previous snapshot
    stays the newest complete one. Returns the new snapshot id.
    """
    ensure_schema(conn)
    records = offers.loc[:, list(OFFER_COLUMNS)].astype(object).where(offers.notna(), None)
    try:
        with conn:  # one transaction: commit on success, roll back on any exception
            cursor = conn.execute(
                "INSERT INTO price_snapshots (provider, fetched_at, source, row_count, complete) VALUES (?,?,?,?,0)",
                (provider, fetched_at, source, len(records)),
            )
            snapshot_id = int(cursor.lastrowid)
            placeholders = ",".join("?" * (len(OFFER_COLUMNS) + 1))
            conn.executemany(
                f"INSERT INTO offers (snapshot_id, {','.join(OFFER_COLUMNS)}) VALUES ({placeholders})",
                ((snapshot_id, *row) for row in records.itertuples(index=False, name=None)),
            )
            conn.execute("UPDATE price_snapshots SET complete = 1 WHERE snapshot_id = ?", (snapshot_id,))
    except BaseException:
        raise
    return snapshot_id


def snapshots(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every complete snapshot, newest first per provider."""
    return pd.read_sql_query(
        "SELECT snapshot_id, provider, fetched_at, source, row_count FROM price_snapshots "
        "WHERE complete = 1 ORDER BY provider, fetched_at DESC, snapshot_id DESC",
        conn,
    )


def newest_snapshot_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """provider -> id of its newest complete snapshot."""
    table = snapshots(conn)
    return {row.provider: int(row.snapshot_id) for row in table.groupby("provider").head(1).itertuples()}


def read_offers(conn: sqlite3.Connection, snapshot_ids: Iterable[int]) -> pd.DataFrame:
    """The offers of the given snapshots, in ``OFFER_COLUMNS`` order."""
    ids = list(snapshot_ids)
    if not ids:
        return pd.DataFrame(columns=list(OFFER_COLUMNS))
    marks = ",".join("?" * len(ids))
    return pd.read_sql_query(
        f"SELECT {','.join(OFFER_COLUMNS)} FROM offers WHERE snapshot_id IN ({marks}) "
        "ORDER BY provider, region, instance_type, gpu_count, pricing",
        conn,
        params=ids,
    )


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (the shipped database is never written at run time)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
