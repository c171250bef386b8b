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
    complete INTEGER NOT NULL DEFAULT 0,
    source_date TEXT
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
CREATE TABLE IF NOT EXISTS snapshot_anomalies (
    snapshot_id INTEGER NOT NULL REFERENCES price_snapshots(snapshot_id),
    provider TEXT NOT NULL,
    region TEXT,
    instance_type TEXT,
    gpu TEXT,
    pricing TEXT,
    usd_per_hour REAL,
    usd_per_gpu_hour REAL,
    reason TEXT NOT NULL,
    source TEXT
);
"""


#: Snapshots a provider keeps in the user cache: enough for `prices diff` and a look back, without the
#: file growing by ~1 MB with every refresh.
KEEP_SNAPSHOTS = 5


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the snapshot tables if they are missing, or migrate an older cache (:func:`migrate`)."""
    migrate(conn)


def write_snapshot(conn: sqlite3.Connection, provider: str, offers: pd.DataFrame, fetched_at: str,
                   source: str, source_date: str | None = None, anomalies: pd.DataFrame | None = None) -> int:
    """Store one provider's offers as a new complete snapshot, all in one ``BEGIN IMMEDIATE`` transaction.

    If anything fails before the commit, the transaction is rolled back and the previous snapshot
    stays the newest complete one. Returns the new snapshot id.
    """
    ensure_schema(conn)
    with write_transaction(conn):
        return insert_snapshot(conn, provider, offers, fetched_at, source, source_date, anomalies)


def prune_snapshots(conn: sqlite3.Connection, provider: str, keep: int = KEEP_SNAPSHOTS) -> int:
    """Delete all but the ``keep`` newest complete snapshots of a provider (and any incomplete ones), in one
    transaction; readers see the database before or after, never between. Returns snapshots deleted."""
    with write_transaction(conn):
        return prune_in_transaction(conn, provider, keep)


def snapshots(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every complete snapshot, newest (last committed) first per provider.

    Columns: snapshot_id, provider, fetched_at (of the snapshot), source, row_count,
    oldest_offer_at (the oldest ``fetched_at`` of its rows: a refresh of some regions carries the
    other regions' older rows forward), and source_date (the source's own date, or "unknown ..."). An empty table if the database holds no snapshot tables yet.
    """
    if not has_snapshot_tables(conn):
        return pd.DataFrame(columns=list(SNAPSHOT_COLUMNS))
    columns = {row[1] for row in conn.execute("PRAGMA table_info(price_snapshots)")}
    source_date = "s.source_date" if "source_date" in columns else "NULL"  # a layout-1 cache read as it is
    return pd.read_sql_query(
        "SELECT s.snapshot_id, s.provider, s.fetched_at, s.source, s.row_count, "
        "(SELECT MIN(o.fetched_at) FROM offers o WHERE o.snapshot_id = s.snapshot_id) AS oldest_offer_at, "
        f"{source_date} AS source_date "
        "FROM price_snapshots s WHERE s.complete = 1 ORDER BY s.provider, s.snapshot_id DESC",
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


def read_newest(conn: sqlite3.Connection, max_rows: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every complete snapshot, and the offers of each provider's newest one, read in ONE transaction.

    Reading both inside one read transaction is what makes a concurrent writer invisible: the reader
    sees the database as of its first read, whatever commits meanwhile.
    max_rows : a newest snapshot with more offers than this is not read (its rows are left out; the
    caller's row-count check names it)
    """
    conn.execute("BEGIN")
    try:
        table = snapshots(conn)
        newest = table.groupby("provider").head(1)["snapshot_id"].astype(int).tolist()
        if max_rows is not None and newest:
            marks = ",".join("?" * len(newest))
            counts = dict(conn.execute(f"SELECT snapshot_id, COUNT(*) FROM offers WHERE snapshot_id IN ({marks}) "
                                       "GROUP BY snapshot_id", newest).fetchall())
            newest = [i for i in newest if counts.get(i, 0) <= max_rows]
        offers = read_offers(conn, newest)
    finally:
        conn.execute("COMMIT")
    return table, offers


#: Columns of :func:`snapshots`.
SNAPSHOT_COLUMNS = ("snapshot_id", "provider", "fetched_at", "source", "row_count", "oldest_offer_at", "source_date")
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
    "price_snapshots": {"snapshot_id", "provider", "fetched_at", "source", "row_count", "complete"},  # v1 columns
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
            newer = newer_schema_problem(conn)
            if newer:
                return newer
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


# --- Schema versions and write transactions (issue 15) ----------------------------------------------------
# ``PRAGMA user_version`` says which layout a file has. 0: no tables yet, or a cache written before versions
# (layout 1); 1: the first layout; 2: adds price_snapshots.source_date and snapshot_anomalies. An older cache
# is migrated in place, in one transaction; a newer one is set aside (it would be misread), never rewritten.

#: The layout this trainplan writes and reads.
SCHEMA_VERSION = 2
#: Statements that take a layout-1 cache to layout 2.
_MIGRATIONS = {
    1: ("ALTER TABLE price_snapshots ADD COLUMN source_date TEXT",),
}


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's layout: ``PRAGMA user_version``, or 1 for an unversioned file that already has snapshot tables."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == 0 and has_snapshot_tables(conn):
        return 1
    return version


def newer_schema_problem(conn: sqlite3.Connection) -> str | None:
    """A one-line problem when the file was written by a newer trainplan (its layout is unknown here)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        return f"written by a newer trainplan (schema version {version}; this one reads up to {SCHEMA_VERSION})"
    return None


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to :data:`SCHEMA_VERSION` in one ``BEGIN IMMEDIATE`` transaction; returns the old version.

    Statements run one by one (``executescript`` would commit a transaction the caller has open).
    Raises sqlite3.DatabaseError for a file of a newer layout.
    """
    if conn.in_transaction:
        raise sqlite3.ProgrammingError("migrate: call it outside a transaction")
    with write_transaction(conn):
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(newer_schema_problem(conn) or "newer schema")
        if version == SCHEMA_VERSION:
            return version
        for step in range(max(version, 1), SCHEMA_VERSION):
            if version == 0:
                break  # a new file: the DDL below creates the newest layout
            for statement in _MIGRATIONS[step]:
                conn.execute(statement)
        for statement in _statements(SNAPSHOT_DDL):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return version


class write_transaction:  # noqa: N801 - used as ``with write_transaction(conn):``
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any exception, Ctrl-C included).

    IMMEDIATE takes the write lock at the start, so a read-merge-write inside it cannot interleave with
    another writer's: the second waits (busy timeout) and then reads what the first committed.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._isolation = conn.isolation_level

    def __enter__(self) -> sqlite3.Connection:
        self.conn.isolation_level = None  # no implicit BEGIN from the sqlite3 module
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, traceback: object) -> None:
        try:
            self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self.conn.isolation_level = self._isolation


def insert_snapshot(conn: sqlite3.Connection, provider: str, offers: pd.DataFrame, fetched_at: str, source: str,
                    source_date: str | None = None, anomalies: pd.DataFrame | None = None) -> int:
    """Insert one complete snapshot (and the rows its checks set aside) inside the caller's transaction."""
    records = offers.loc[:, list(OFFER_COLUMNS)].astype(object).where(offers.notna(), None)
    cursor = conn.execute(
        "INSERT INTO price_snapshots (provider, fetched_at, source, row_count, complete, source_date) "
        "VALUES (?,?,?,?,0,?)", (provider, fetched_at, source, len(records), source_date))
    snapshot_id = int(cursor.lastrowid)
    placeholders = ",".join("?" * (len(OFFER_COLUMNS) + 1))
    conn.executemany(
        f"INSERT INTO offers (snapshot_id, {','.join(OFFER_COLUMNS)}) VALUES ({placeholders})",
        ((snapshot_id, *row) for row in records.itertuples(index=False, name=None)),
    )
    if anomalies is not None and len(anomalies):
        columns = [c for c in ANOMALY_TABLE_COLUMNS if c in anomalies.columns]
        rows = anomalies.loc[:, columns].astype(object).where(anomalies[columns].notna(), None)
        conn.executemany(
            f"INSERT INTO snapshot_anomalies (snapshot_id, {','.join(columns)}) "
            f"VALUES ({','.join('?' * (len(columns) + 1))})",
            ((snapshot_id, *row) for row in rows.itertuples(index=False, name=None)))
    conn.execute("UPDATE price_snapshots SET complete = 1 WHERE snapshot_id = ?", (snapshot_id,))
    return snapshot_id


def prune_in_transaction(conn: sqlite3.Connection, provider: str, keep: int = KEEP_SNAPSHOTS) -> int:
    """:func:`prune_snapshots` inside the caller's transaction (newest = last committed)."""
    rows = conn.execute(
        "SELECT snapshot_id FROM price_snapshots WHERE provider = ? AND (complete = 0 OR snapshot_id NOT IN ("
        "SELECT snapshot_id FROM price_snapshots WHERE provider = ? AND complete = 1 "
        "ORDER BY snapshot_id DESC LIMIT ?))", (provider, provider, int(keep))).fetchall()
    ids = [r[0] for r in rows]
    conn.executemany("DELETE FROM offers WHERE snapshot_id = ?", ((i,) for i in ids))
    conn.executemany("DELETE FROM snapshot_anomalies WHERE snapshot_id = ?", ((i,) for i in ids))
    conn.executemany("DELETE FROM price_snapshots WHERE snapshot_id = ?", ((i,) for i in ids))
    return len(ids)


def newest_offers_of(conn: sqlite3.Connection, provider: str) -> tuple[dict | None, pd.DataFrame]:
    """(the provider's newest complete snapshot as a dict, or None; its offers), read on ``conn`` as it stands
    (inside the caller's transaction, so a refresh merges onto exactly what it will replace)."""
    if not has_snapshot_tables(conn):
        return None, pd.DataFrame(columns=list(OFFER_COLUMNS))
    row = conn.execute("SELECT snapshot_id, fetched_at, source FROM price_snapshots WHERE provider = ? AND "
                       "complete = 1 ORDER BY snapshot_id DESC LIMIT 1", (provider,)).fetchone()
    if row is None:
        return None, pd.DataFrame(columns=list(OFFER_COLUMNS))
    snapshot = {"snapshot_id": int(row[0]), "fetched_at": row[1], "source": row[2]}
    return snapshot, read_offers(conn, [snapshot["snapshot_id"]])


def read_anomalies(conn: sqlite3.Connection, snapshot_ids: Iterable[int]) -> pd.DataFrame:
    """The rows the checks set aside when the given snapshots were written (layout 2; empty before)."""
    ids = list(snapshot_ids)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not ids or "snapshot_anomalies" not in names:
        return pd.DataFrame(columns=["snapshot_id", *ANOMALY_TABLE_COLUMNS])
    marks = ",".join("?" * len(ids))
    return pd.read_sql_query(
        f"SELECT snapshot_id, {','.join(ANOMALY_TABLE_COLUMNS)} FROM snapshot_anomalies WHERE snapshot_id IN "
        f"({marks}) ORDER BY provider, region, instance_type, pricing", conn, params=ids)


#: Columns of ``snapshot_anomalies`` besides snapshot_id.
ANOMALY_TABLE_COLUMNS = ("provider", "region", "instance_type", "gpu", "pricing", "usd_per_hour", "usd_per_gpu_hour",
                         "reason", "source")
