"""pricing.store: the shipped snapshot overlaid by the user cache; a damaged cache set aside; concurrent read/write."""

from __future__ import annotations

import logging
import multiprocessing
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from pricing import cache, store
from pricing.schema import OFFER_COLUMNS

# A fetch date newer than the shipped snapshot yet not in the future (a future date is refused as impossible).
RECENT = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")


def offers(n: int, usd_per_hour: float = 2.0) -> pd.DataFrame:
    return pd.DataFrame([
        dict(provider="aws", region="us-east-1", location="", instance_type=f"p3.{i}xlarge", gpu="v100-sxm2-16gb",
             gpu_count=1.0, vcpus=8.0, memory_gib=61.0, pricing="on_demand", usd_per_hour=usd_per_hour,
             usd_per_gpu_hour=usd_per_hour, fetched_at=RECENT, source="test")
        for i in range(n)
    ], columns=list(OFFER_COLUMNS))


def write(n: int, fetched_at: str = f"{RECENT}T00:00:00+00:00") -> int:
    conn = store.open_user_cache_for_write()
    try:
        return cache.write_snapshot(conn, "aws", offers(n), fetched_at, "test")
    finally:
        conn.close()


def test_fresh_install_reads_the_shipped_snapshot_of_every_provider():
    in_use = store.current_snapshots()
    assert in_use.provider.tolist() == ["aws", "azure", "gcp"]
    assert set(in_use.origin) == {"shipped"}
    assert len(store.current_offers()) == in_use.row_count.sum()


def test_newer_user_snapshot_overlays_only_its_provider():
    shipped = store.current_offers()
    write(3)
    in_use = store.current_snapshots().set_index("provider")
    assert in_use.loc["aws", "origin"] == "user cache" and in_use.loc["gcp", "origin"] == "shipped"
    now = store.current_offers()
    assert (now.provider == "aws").sum() == 3
    assert (now.provider != "aws").sum() == (shipped.provider != "aws").sum()


def test_older_user_snapshot_loses_to_a_newer_shipped_one():
    write(3, fetched_at="2020-01-01")
    assert store.current_snapshots().set_index("provider").loc["aws", "origin"] == "shipped"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_user_cache_is_set_aside_with_one_warning_and_shipped_prices_used(damage, caplog):
    write(400)
    path = store.user_cache_path()
    conn = cache.open_for_write(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    whole = path.read_bytes()
    path.write_bytes(b"\x00garbage" * 512 if damage == "garbage" else whole[: len(whole) // 2])
    with caplog.at_level(logging.WARNING):
        in_use = store.current_snapshots()
        store.current_offers()
    assert set(in_use.origin) == {"shipped"}
    asides = [p for p in path.parent.glob("prices.sqlite.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(asides) == 1 and not path.exists()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and asides[0].name in warnings[0] and "using the shipped prices" in warnings[0]
    assert warnings[0] in store.cache_warnings()
    write(2)  # the next refresh starts a new cache
    assert store.current_snapshots().set_index("provider").loc["aws", "row_count"] == 2


def _writer(path: str, rounds: int, done) -> None:
    import os

    os.environ[store.CACHE_ENV] = path
    for i in range(rounds):
        write(30 if i % 2 else 40, fetched_at=f"{RECENT}T00:00:{i + 1:02d}+00:00")
    done.set()


def _reader(path: str, rounds: int, results) -> None:
    import os

    os.environ[store.CACHE_ENV] = path
    seen = []
    for _ in range(rounds):
        in_use, rows = store.current()
        in_use = in_use.set_index("provider")
        seen.append((int(in_use.loc["aws", "row_count"]), int((rows.provider == "aws").sum())))
    results.put(seen)


def test_concurrent_refresh_and_read_never_show_a_half_written_snapshot(isolated_user_cache):
    write(40, fetched_at=f"{RECENT}T00:00:00+00:00")
    context = multiprocessing.get_context("fork")
    done, results = context.Event(), context.Queue()
    writer = context.Process(target=_writer, args=(str(isolated_user_cache), 20, done))
    reader = context.Process(target=_reader, args=(str(isolated_user_cache), 20, results))
    writer.start()
    reader.start()
    seen = results.get(timeout=60)
    writer.join(60)
    reader.join(60)
    assert writer.exitcode == 0 and reader.exitcode == 0 and done.is_set()
    # every read is a whole snapshot: 40 rows (even rounds and the first) or 30 (odd rounds), never between,
    # and the offers read agree with the snapshot's own row count
    assert len(seen) == 20
    assert all(count in (30, 40) and rows == count for count, rows in seen)
