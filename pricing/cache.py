"""The SQLite price cache: snapshots of normalised offers, written in one transaction, read newest-complete-first.

Two databases hold snapshots with the same tables: the one shipped inside the package (built by
``scripts/build_data.py``) and a per-user cache that ``trainplan prices refresh`` writes. For each
provider the newest complete snapshot wins, so a user's refresh overlays the shipped prices and a
failed refresh (never marked complete) changes nothing.

The user cache runs in WAL mode with a busy timeout: a writer commits a whole snapshot at once, and a
reader that reads inside one transaction (:func:`read_newest`) sees either the old or the new
snapshot, never part of one, even from another process.
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


#: Snapshots a provider keeps in the user cache: enough for `prices diff` and a look back, without the
#: file growing by ~1 MB with every refresh.
KEEP_SNAPSHOTS = 5


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


def prune_snapshots(conn: sqlite3.Connection, provider: str, keep: int = KEEP_SNAPSHOTS) -> int:
    """Delete all but the ``keep`` newest complete snapshots of a provider (and any incomplete ones), in one
    transaction; readers see the database before or after, never between. Returns snapshots deleted."""
    with conn:
        rows = conn.execute(
            "SELECT snapshot_id FROM price_snapshots WHERE provider = ? AND (complete = 0 OR snapshot_id NOT IN ("
            "SELECT snapshot_id FROM price_snapshots WHERE provider = ? AND complete = 1 "
            "ORDER BY fetched_at DESC, snapshot_id DESC LIMIT ?))", (provider, provider, int(keep))).fetchall()
        ids = [r[0] for r in rows]
        conn.executemany("DELETE FROM offers WHERE snapshot_id = ?", ((i,) for i in ids))
        conn.executemany("DELETE FROM price_snapshots WHERE snapshot_id = ?", ((i,) for i in ids))
    return len(ids)


def snapshots(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every complete snapshot, newest first per provider.

    Columns: snapshot_id, provider, fetched_at (of the snapshot), source, row_count, and
    oldest_offer_at (the oldest ``fetched_at`` of its rows: a refresh of some regions carries the
    other regions' older rows forward). An empty table if the database holds no snapshot tables yet.
    """
    if not has_snapshot_tables(conn):
        return pd.DataFrame(columns=list(SNAPSHOT_COLUMNS))
    return pd.read_sql_query(
        "SELECT s.snapshot_id, s.provider, s.fetched_at, s.source, s.row_count, "
        "(SELECT MIN(o.fetched_at) FROM offers o WHERE o.snapshot_id = s.snapshot_id) AS oldest_offer_at "
        "FROM price_snapshots s WHERE s.complete = 1 ORDER BY s.provider, s.fetched_at DESC, s.snapshot_id DESC",
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


def read_newest(conn: sqlite3.Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every complete snapshot, and the offers of each provider's newest one, read in ONE transaction.

    Reading both inside one read transaction is what makes a concurrent writer invisible: the reader
    sees the database as of its first read, whatever commits meanwhile.
    """
    conn.execute("BEGIN")
    try:
        table = snapshots(conn)
        newest = table.groupby("provider").head(1)["snapshot_id"].astype(int).tolist()
        offers = read_offers(conn, newest)
    finally:
        conn.execute("COMMIT")
    return table, offers


#: Columns of :func:`snapshots`.
SNAPSHOT_COLUMNS = ("snapshot_id", "provider", "fetched_at", "source", "row_count", "oldest_offer_at")
#: How long a connection waits for another process's lock before giving up [ms].
BUSY_TIMEOUT_MS = 30_000
_SQLITE_HEADER = b"SQLite format 3\x00"


def has_snapshot_tables(conn: sqlite3.Connection) -> bool:
    """Whether both snapshot tables exist (a new, empty cache file has neither)."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {"price_snapshots", "offers"} <= names


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (the shipped database is never written at run time).

    A WAL database in a folder this user cannot write (a shared install) cannot get its ``-shm`` file: it
    is then opened immutable when that is safe (``pricing.cache_faults.readonly_uri``), not called damaged.
    """
    from pricing.cache_faults import readonly_uri

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                           isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        uri = readonly_uri(Path(path))
        if uri is None:
            return conn  # the caller's first query raises the real error
        conn.close()
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    return conn


def open_for_write(path: Path) -> sqlite3.Connection:
    """Open (creating it if needed) a cache database for writing: WAL mode, busy timeout, schema present.

    WAL lets readers in other processes keep reading the last committed state while a snapshot is
    written; the busy timeout makes two writers wait for each other instead of failing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    ensure_schema(conn)
    return conn


_EXPECTED_COLUMNS = {
    "price_snapshots": {"snapshot_id", "provider", "fetched_at", "source", "row_count", "complete"},
    "offers": {"snapshot_id", *OFFER_COLUMNS},
}


def database_problem(path: Path) -> str | None:
    """What is wrong with a cache file, in a few words, or None if it is usable.

    Usable: an empty file, or a SQLite database that passes ``PRAGMA quick_check`` and whose snapshot
    tables (if any) have the expected columns. A file that is not SQLite, is truncated or damaged, or
    has someone else's tables under our names is a problem.
    """
    from pricing.cache_faults import path_problem

    problem = path_problem(path)  # a folder or a FIFO: never open() it (a FIFO would block)
    if problem is not None:
        return problem
    with open(path, "rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if not header:
        return None  # a cache file being created by a writer this instant: no tables yet, not damage
    if header != _SQLITE_HEADER:
        return "not a SQLite database"
    try:
        conn = open_readonly(path)
        try:
            verdict = [row[0] for row in conn.execute("PRAGMA quick_check")]
            if verdict != ["ok"]:
                return f"damaged ({verdict[0]})"
            for table, expected in _EXPECTED_COLUMNS.items():
                columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if columns and not expected <= columns:
                    return f"unexpected schema (table {table} lacks {', '.join(sorted(expected - columns))})"
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            return None  # another process holds it: busy, not broken
        return f"unreadable ({error})"
    except sqlite3.DatabaseError as error:
        return f"damaged ({error})"
    return None
