"""Price cache speed: reading the offers in use, and writing one snapshot of about 2,000 rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pricing import cache, store

#: A fetch date the cache accepts: a snapshot dated in the future is set aside as impossible
#: (``pricing.cache_faults``), and the shipped prices would be read instead.
FETCHED_AT = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(store.CACHE_ENV, str(tmp_path))
    return tmp_path / "prices.sqlite"


def two_thousand_offers() -> pd.DataFrame:
    """The shipped offers (1,942 rows, all providers) plus copies up to 2,000, as one provider's rows."""
    offers = store.current_offers()
    offers = pd.concat([offers, offers.head(2_000 - len(offers))], ignore_index=True)
    offers["provider"] = "aws"
    offers["instance_type"] = offers["instance_type"] + "-" + offers.index.astype(str)
    return offers


def test_read_current_offers_shipped_and_user_cache(benchmark, user_cache):
    conn = store.open_user_cache_for_write(user_cache)
    cache.write_snapshot(conn, "aws", two_thousand_offers(), FETCHED_AT, "bench")
    conn.close()
    offers = benchmark(store.current_offers)
    assert (offers.provider == "aws").sum() == 2_000


def test_write_snapshot_of_2000_rows(benchmark, user_cache):
    rows = two_thousand_offers()
    conn = store.open_user_cache_for_write(user_cache)
    ids = benchmark(cache.write_snapshot, conn, "aws", rows, FETCHED_AT, "bench")
    conn.close()
    assert ids > 0
