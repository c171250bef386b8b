"""The shipped database is exactly what scripts/build_data.py makes from shared/data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from conftest import REPO, SHARED

from planner.shipped import shipped_db_path


def _tables(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="../shared/data is not beside this checkout")
def test_rebuild_equals_committed_database(tmp_path):
    out = tmp_path / "rebuilt.sqlite"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_data.py"), "--shared", str(SHARED), "--out", str(out)],
                   check=True, capture_output=True)
    rebuilt, committed = _tables(out), _tables(shipped_db_path())
    assert rebuilt.keys() == committed.keys()
    for name in committed:
        assert rebuilt[name] == committed[name], f"table {name} differs: rebuild and commit the database"


def test_every_offer_names_a_catalog_gpu_and_a_source(data):
    conn = sqlite3.connect(shipped_db_path())
    gpus = set(data.catalog.gpu_ids())
    rows = conn.execute("SELECT gpu, source, usd_per_hour, fetched_at FROM offers").fetchall()
    assert rows and all(g in gpus and s and p > 0 and f for g, s, p, f in rows)


def test_spot_never_above_on_demand_in_shipped_offers():
    conn = sqlite3.connect(shipped_db_path())
    bad = conn.execute("""
        SELECT s.provider, s.region, s.instance_type FROM offers s JOIN offers o
          ON s.provider = o.provider AND s.region = o.region AND s.instance_type = o.instance_type
         AND s.gpu_count = o.gpu_count AND s.gpu = o.gpu
        WHERE s.pricing = 'spot' AND o.pricing = 'on_demand' AND s.usd_per_hour > o.usd_per_hour""").fetchall()
    assert bad == []
    # The prices README's two AWS rows with spot above on-demand: both sides of each pair are set aside.
    aside = conn.execute("SELECT region, instance_type, pricing FROM price_anomalies WHERE reason LIKE 'spot above%' "
                         "AND provider = 'aws' ORDER BY 1, 2, 3").fetchall()
    assert aside == [("ap-south-1", "g6.24xlarge", "on_demand"), ("ap-south-1", "g6.24xlarge", "spot"),
                     ("ap-southeast-1", "p4de.24xlarge", "on_demand"), ("ap-southeast-1", "p4de.24xlarge", "spot")]


def test_gcp_offer_is_accelerator_plus_host(data):
    conn = sqlite3.connect(shipped_db_path())
    # A region outside the list-price file: SkyPilot's host + accelerator rows are summed.
    # us-east1 a2-highgpu-1g: host 0.73948 + A100 x1 2.93391 = 3.67339 (shared/data/prices/gcp_*_vms.csv)
    price = conn.execute("SELECT usd_per_hour FROM offers WHERE provider='gcp' AND region='us-east1' "
                         "AND instance_type='a2-highgpu-1g' AND pricing='on_demand'").fetchone()[0]
    assert price == pytest.approx(0.73948 + 2.93391)


def test_every_data_table_row_keeps_a_source(data):
    for name in ("gpus", "servers", "cloud_regions", "grid_intensity", "pue", "embodied", "electricity_prices",
                 "ownership_defaults", "published_runs", "mfu", "accelerator_map", "strubell2019_inputs"):
        table = data[name]
        assert table["source"].notna().all(), name


def test_read_table_equals_read_sql_query_for_every_shipped_table():
    # planner.shipped reads each table from the cursor's rows (cheaper than read_sql_query); the frames must be
    # the same, dtypes included, for every table (the empty ones too).
    import pandas as pd

    from planner.shipped import read_table

    conn = sqlite3.connect(f"file:{shipped_db_path()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert len(names) > 30
        for name in names:
            pd.testing.assert_frame_equal(read_table(conn, name), pd.read_sql_query(f'SELECT * FROM "{name}"', conn),
                                          check_exact=True, obj=name)
    finally:
        conn.close()
