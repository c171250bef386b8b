"""pricing.cache: one snapshot per transaction, newest complete read first, damage detected."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from pricing import cache
from pricing.schema import OFFER_COLUMNS


def offers(n: int, usd_per_hour: float = 2.0, provider: str = "aws") -> pd.DataFrame:
    return pd.DataFrame([
        dict(provider=provider, region="us-east-1", location="", instance_type=f"p3.{i}xlarge", gpu="v100-sxm2-16gb",
             gpu_count=1.0, vcpus=8.0, memory_gib=61.0, pricing="on_demand", usd_per_hour=usd_per_hour,
             usd_per_gpu_hour=usd_per_hour, fetched_at="2026-11-25", source="test")
        for i in range(n)
    ], columns=list(OFFER_COLUMNS))


@pytest.fixture
def db(tmp_path):
    conn = cache.open_for_write(tmp_path / "prices.sqlite")
    yield conn
    conn.close()


def test_newest_complete_snapshot_is_read(db):
    cache.write_snapshot(db, "aws", offers(3, 2.0), "2026-11-24", "old")
    newest = cache.write_snapshot(db, "aws", offers(2, 3.0), "2026-11-25", "new")
    table, rows = cache.read_newest(db)
    assert cache.newest_snapshot_ids(db) == {"aws": newest}
    assert table.row_count.tolist() == [2, 3]  # newest first
    assert rows.usd_per_hour.tolist() == [3.0, 3.0]


def test_incomplete_snapshot_is_never_read(db):
    cache.write_snapshot(db, "aws", offers(1), "2026-11-24", "complete")
    with db:
        db.execute("INSERT INTO price_snapshots (provider, fetched_at, source, row_count, complete) "
                   "VALUES ('aws', '2026-12-01', 'half-written', 5, 0)")
    table, _ = cache.read_newest(db)
    assert table.source.tolist() == ["complete"]


def test_bad_row_midway_rolls_the_whole_snapshot_back(db):
    cache.write_snapshot(db, "aws", offers(2), "2026-11-24", "good")
    bad = offers(4)
    bad.loc[2, "usd_per_hour"] = 0.0  # the table's CHECK (usd_per_hour > 0) refuses the third row
    with pytest.raises(sqlite3.IntegrityError):
        cache.write_snapshot(db, "aws", bad, "2026-11-25", "bad")
    assert db.execute("SELECT COUNT(*) FROM price_snapshots").fetchone() == (1,)
    assert db.execute("SELECT COUNT(*) FROM offers").fetchone() == (2,)


class InterruptedConnection(sqlite3.Connection):
    """Raises KeyboardInterrupt after inserting the first offer row, as Ctrl-C would mid-write."""

    def executemany(self, sql, rows):
        rows = iter(rows)
        super().executemany(sql, [next(rows)])
        raise KeyboardInterrupt


def test_ctrl_c_midway_through_a_write_leaves_the_previous_snapshot(tmp_path):
    path = tmp_path / "prices.sqlite"
    conn = cache.open_for_write(path)
    first = cache.write_snapshot(conn, "aws", offers(2), "2026-11-24", "good")
    conn.close()
    conn = sqlite3.connect(path, factory=InterruptedConnection)
    with pytest.raises(KeyboardInterrupt):
        cache.write_snapshot(conn, "aws", offers(5), "2026-11-25", "interrupted")
    conn.close()
    reader = cache.open_readonly(path)
    assert cache.newest_snapshot_ids(reader) == {"aws": first}
    assert reader.execute("SELECT COUNT(*) FROM offers").fetchone() == (2,)
    assert reader.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reader.close()


def test_writer_uses_wal_and_a_busy_timeout(db):
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA busy_timeout").fetchone() == (cache.BUSY_TIMEOUT_MS,)


def test_oldest_offer_date_is_reported_per_snapshot(db):
    rows = offers(2)
    rows.loc[1, "fetched_at"] = "2026-10-01"  # a row carried forward from an older snapshot
    cache.write_snapshot(db, "aws", rows, "2026-11-25", "mixed")
    assert cache.snapshots(db).oldest_offer_at.tolist() == ["2026-10-01"]


def test_a_healthy_or_empty_file_has_no_problem(tmp_path, db):
    cache.write_snapshot(db, "aws", offers(1), "2026-11-24", "good")
    assert cache.database_problem(tmp_path / "prices.sqlite") is None
    (tmp_path / "empty.sqlite").write_bytes(b"")
    assert cache.database_problem(tmp_path / "empty.sqlite") is None


def test_garbage_truncated_and_foreign_files_are_problems(tmp_path, db):
    cache.write_snapshot(db, "aws", offers(400), "2026-11-24", "good")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    whole = (tmp_path / "prices.sqlite").read_bytes()
    (tmp_path / "truncated.sqlite").write_bytes(whole[: len(whole) // 2])
    assert cache.database_problem(tmp_path / "truncated.sqlite").startswith("damaged")
    (tmp_path / "garbage.sqlite").write_bytes(b"not a database at all\n" * 100)
    assert cache.database_problem(tmp_path / "garbage.sqlite") == "not a SQLite database"
    foreign = sqlite3.connect(tmp_path / "foreign.sqlite")
    foreign.execute("CREATE TABLE offers (id INTEGER)")
    foreign.commit()
    foreign.close()
    assert cache.database_problem(tmp_path / "foreign.sqlite").startswith("unexpected schema (table offers lacks")


def test_prune_keeps_the_newest_snapshots_of_that_provider_only(tmp_path):
    import sqlite3

    from pricing.cache import prune_snapshots, snapshots, write_snapshot
    from pricing.schema import OFFER_COLUMNS

    def offers(provider, price):
        return pd.DataFrame([{"provider": provider, "region": "r1", "location": "x", "instance_type": "i",
                              "gpu": "t4", "gpu_count": 1.0, "vcpus": 4.0, "memory_gib": 16.0,
                              "pricing": "on_demand", "usd_per_hour": price, "usd_per_gpu_hour": price,
                              "fetched_at": "2026-01-01", "source": "test"}], columns=list(OFFER_COLUMNS))

    conn = sqlite3.connect(tmp_path / "c.sqlite")
    for day in range(1, 8):
        write_snapshot(conn, "aws", offers("aws", float(day)), f"2026-01-0{day}", "test")
    write_snapshot(conn, "gcp", offers("gcp", 1.0), "2026-01-01", "test")
    # 7 aws snapshots, keep 3: the 4 oldest go, with their offers; gcp's one is untouched
    assert prune_snapshots(conn, "aws", keep=3) == 4
    left = snapshots(conn)
    assert sorted(left.loc[left["provider"] == "aws", "fetched_at"]) == ["2026-01-05", "2026-01-06", "2026-01-07"]
    assert (left["provider"] == "gcp").sum() == 1
    assert conn.execute("SELECT count(*) FROM offers").fetchone()[0] == 4
