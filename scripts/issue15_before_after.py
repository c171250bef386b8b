"""Before/after figures of every row class issue 15 corrected, from the shipped database in git history.

    PYTHONPATH=$PWD python scripts/issue15_before_after.py [--before REV] [--after-db PATH]

``before`` is the shipped database at REV (default ``c5815c9^``, the commit before the first issue-15 data fix);
``after`` is the working tree's ``planner/data/trainplan.sqlite``. Each row is one SQL query run on both; the
refresh row counts come from the test payload (``tests/data/gcp_skus_page*.json``): before, the count the old
``tests/test_refresh.py`` asserted at REV; after, a refresh run here into a temporary cache. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BEFORE = "c5815c9^"

#: (row class, unit, SQL returning one value). "round(x, 3)" keeps the table readable; None prints as "-".
QUERIES: tuple[tuple[str, str, str], ...] = (
    ("GCP H100 us-central1, cheapest on-demand", "USD/GPU-h",
     "SELECT min(usd_per_gpu_hour) FROM offers WHERE provider='gcp' AND region='us-central1' "
     "AND gpu='h100-sxm5-80gb' AND pricing='on_demand'"),
    ("GCP H100, cheapest on-demand in any region", "USD/GPU-h",
     "SELECT min(usd_per_gpu_hour) FROM offers WHERE provider='gcp' AND gpu='h100-sxm5-80gb' AND pricing='on_demand'"),
    ("GCP a3-highgpu-8g us-central1 on-demand", "USD/h",
     "SELECT usd_per_hour FROM offers WHERE provider='gcp' AND region='us-central1' AND instance_type='a3-highgpu-8g' "
     "AND pricing='on_demand'"),
    ("GCP a3-megagpu-8g, cheapest on-demand", "USD/h",
     "SELECT min(usd_per_hour) FROM offers WHERE provider='gcp' AND instance_type='a3-megagpu-8g' AND pricing='on_demand'"),
    ("GCP a2-highgpu-8g (A100 40GB) us-central1 on-demand", "USD/GPU-h",
     "SELECT usd_per_gpu_hour FROM offers WHERE provider='gcp' AND region='us-central1' AND instance_type='a2-highgpu-8g' "
     "AND pricing='on_demand'"),
    ("GCP A100 80GB us-central1, cheapest on-demand", "USD/GPU-h",
     "SELECT min(usd_per_gpu_hour) FROM offers WHERE provider='gcp' AND region='us-central1' AND gpu='a100-sxm4-80gb' "
     "AND pricing='on_demand'"),
    ("GCP a2-ultragpu-8g us-central1 spot / on-demand", "-",
     "SELECT s.usd_per_hour / o.usd_per_hour FROM offers s JOIN offers o USING (provider, region, instance_type) "
     "WHERE s.provider='gcp' AND s.region='us-central1' AND s.instance_type='a2-ultragpu-8g' AND s.pricing='spot' "
     "AND o.pricing='on_demand'"),
    ("GCP regions where A100 80GB is cheaper per GPU than A100 40GB", "regions",
     "SELECT count(*) FROM (SELECT region FROM offers WHERE provider='gcp' AND pricing='on_demand' GROUP BY region "
     "HAVING min(CASE WHEN gpu='a100-sxm4-80gb' THEN usd_per_gpu_hour END) "
     "< min(CASE WHEN gpu='a100-sxm4-40gb' THEN usd_per_gpu_hour END))"),
    ("TPU offers kept", "rows", "SELECT count(*) FROM offers WHERE provider='gcp' AND instance_type LIKE 'tpu-%'"),
    ("A10G TDP (AWS g5)", "W",
     "SELECT coalesce((SELECT x.tdp_w FROM gpus_extra x WHERE x.gpu = o.gpu), (SELECT g.tdp_w FROM gp"
     "us g WHERE g.gpu = o.gpu)) FROM offers o WHERE o.instance_type='g5.xlarge' LIMIT 1"),
    ("Azure NC24ads A100 v4: GPU TDP", "W",
     "SELECT coalesce((SELECT x.tdp_w FROM gpus_extra x WHERE x.gpu = o.gpu), (SELECT g.tdp_w FROM gp"
     "us g WHERE g.gpu = o.gpu)) FROM offers o WHERE o.instance_type='Standard_NC24ads_A100_v4' LIMIT 1"),
    ("Azure NC40ads H100 v5: GPU TDP", "W",
     "SELECT coalesce((SELECT x.tdp_w FROM gpus_extra x WHERE x.gpu = o.gpu), (SELECT g.tdp_w FROM gp"
     "us g WHERE g.gpu = o.gpu)) FROM offers o WHERE o.instance_type='Standard_NC40ads_H100_v5' LIMIT 1"),
    ("Azure NC24rs v3 (V100 PCIe): GPU TDP", "W",
     "SELECT coalesce((SELECT x.tdp_w FROM gpus_extra x WHERE x.gpu = o.gpu), (SELECT g.tdp_w FROM gp"
     "us g WHERE g.gpu = o.gpu)) FROM offers o WHERE o.instance_type='Standard_NC24rs_v3' LIMIT 1"),
    ("Azure NC6s/12s/24s v3 offers (retired 2025-09-30)", "rows",
     "SELECT count(*) FROM offers WHERE instance_type IN ('Standard_NC6s_v3','Standard_NC12s_v3','Standard_NC24s_v3')"),
    ("AWS us-west-2 (Oregon) grid", "gCO2e/kWh",
     "SELECT grid_gco2e_per_kwh FROM cloud_regions WHERE provider='aws' AND region='us-west-2'"),
    ("AWS us-west-2 grid year", "year", "SELECT year FROM cloud_regions WHERE provider='aws' AND region='us-west-2'"),
    ("Azure westus2 grid", "gCO2e/kWh",
     "SELECT grid_gco2e_per_kwh FROM cloud_regions WHERE provider='azure' AND region='westus2'"),
    ("AWS af-south-1 (South Africa) grid", "gCO2e/kWh",
     "SELECT grid_gco2e_per_kwh FROM cloud_regions WHERE provider='aws' AND region='af-south-1'"),
    ("AWS af-south-1 grid year", "year", "SELECT year FROM cloud_regions WHERE provider='aws' AND region='af-south-1'"),
    ("AWS ap-southeast-2 (Sydney) grid", "gCO2e/kWh",
     "SELECT grid_gco2e_per_kwh FROM cloud_regions WHERE provider='aws' AND region='ap-southeast-2'"),
    ("South Africa, country table", "gCO2e/kWh", "SELECT gco2e_per_kwh FROM grid_intensity WHERE zone='ZAF'"),
    ("Cloud regions without a grid year", "rows", "SELECT count(*) FROM cloud_regions WHERE year IS NULL"),
    ("Grid zones without a year", "rows", "SELECT count(*) FROM grid_intensity WHERE year IS NULL"),
    ("GCP us-central1 grid year", "year", "SELECT year FROM cloud_regions WHERE provider='gcp' AND region='us-central1'"),
    ("AWS g4dn.xlarge us-west-2 spot (LA Local Zone price)", "USD/h",
     "SELECT usd_per_hour FROM offers WHERE provider='aws' AND region='us-west-2' AND instance_type='g4dn.xlarge' "
     "AND pricing='spot'"),
    ("Spot above on-demand (same VM)", "rows",
     "SELECT count(*) FROM offers s JOIN offers o USING (provider, region, instance_type) WHERE s.pricing='spot' "
     "AND o.pricing='on_demand' AND s.usd_per_hour > o.usd_per_hour"),
    ("AWS spot equal to on-demand", "rows",
     "SELECT count(*) FROM offers s JOIN offers o USING (provider, region, instance_type) WHERE s.provider='aws' "
     "AND s.pricing='spot' AND o.pricing='on_demand' AND abs(s.usd_per_hour - o.usd_per_hour) < 1e-9"),
    ("GCP spot at 0.81-1.00 of on-demand", "rows",
     "SELECT count(*) FROM offers s JOIN offers o USING (provider, region, instance_type) WHERE s.provider='gcp' "
     "AND s.pricing='spot' AND o.pricing='on_demand' AND s.usd_per_hour BETWEEN 0.81 * o.usd_per_hour AND o.usd_per_hour"),
    ("AWS spot at 0.81-1.00 of on-demand", "rows",
     "SELECT count(*) FROM offers s JOIN offers o USING (provider, region, instance_type) WHERE s.provider='aws' "
     "AND s.pricing='spot' AND o.pricing='on_demand' AND s.usd_per_hour BETWEEN 0.81 * o.usd_per_hour AND o.usd_per_hour"),
    ("Shipped offers AWS", "rows", "SELECT count(*) FROM offers WHERE provider='aws'"),
    ("Shipped offers GCP", "rows", "SELECT count(*) FROM offers WHERE provider='gcp'"),
    ("Shipped offers Azure", "rows", "SELECT count(*) FROM offers WHERE provider='azure'"),
    ("Rows set aside (price_anomalies)", "rows", "SELECT count(*) FROM price_anomalies"),
)


def value(conn: sqlite3.Connection, sql: str) -> float | None:
    """The query's single value, or None where the old layout lacks a table or column."""
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None or row[0] is None else float(row[0])


def database_at(rev: str, folder: Path) -> Path:
    """The shipped database as committed at ``rev``, written into ``folder``."""
    path = folder / "before.sqlite"
    path.write_bytes(subprocess.run(["git", "show", f"{rev}:planner/data/trainplan.sqlite"], cwd=REPO, check=True,
                                    capture_output=True).stdout)
    return path


def old_refresh_rows(rev: str) -> int | None:
    """GCP rows the old refresh test asserted after refreshing with the test payload (``tests/test_refresh.py``)."""
    text = subprocess.run(["git", "show", f"{rev}:tests/test_refresh.py"], cwd=REPO, capture_output=True,
                          text=True).stdout
    matched = re.search(r'\(offers\.provider == "gcp"\)\.sum\(\) == (\d+)', text)
    return int(matched[1]) if matched else None


def new_refresh_rows() -> int:
    """GCP rows in use after a refresh of every region with the same test payload, written to a temporary cache."""
    data = REPO / "tests" / "data"
    url = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
    previous = os.environ.get("TRAINPLAN_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TRAINPLAN_CACHE_DIR"] = cache
        try:
            return _refresh_into_cache(data, url)
        finally:
            if previous is None:
                os.environ.pop("TRAINPLAN_CACHE_DIR", None)
            else:
                os.environ["TRAINPLAN_CACHE_DIR"] = previous


def _refresh_into_cache(data: Path, url: str) -> int:
    import responses
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import billing_v1

    from pricing import refresh
    from pricing.store import current_offers

    client = billing_v1.CloudCatalogClient(transport="rest", credentials=AnonymousCredentials())
    with responses.RequestsMock() as served:
        for page in ("gcp_skus_page1.json", "gcp_skus_page2.json"):
            served.get(url, json=json.loads((data / page).read_text()))
        served.get(url.replace("6F81-5844-456A", "E000-3F24-B8AA"), json={"skus": []})
        refresh.refresh(["gcp"], clients={"gcp": client}, accept_fewer_rows=True)
    return int((current_offers().provider == "gcp").sum())


def _show(number: float | None) -> str:
    if number is None:
        return "-"
    return f"{number:g}" if float(number).is_integer() else f"{number:.3f}"


def table(before: Path, after: Path, rev: str) -> list[str]:
    """The Markdown table, one line per row class."""
    lines = [f"| row class | unit | before ({rev}) | after |", "|---|---|---:|---:|"]
    with sqlite3.connect(before) as old, sqlite3.connect(after) as new:
        for name, unit, sql in QUERIES:
            lines.append(f"| {name} | {unit} | {_show(value(old, sql))} | {_show(value(new, sql))} |")
    lines.append(f"| GCP rows after a refresh with the test payload | rows | {_show(old_refresh_rows(rev))} | "
                 f"{new_refresh_rows()} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help=f"git revision (default {DEFAULT_BEFORE})")
    parser.add_argument("--after-db", type=Path, default=REPO / "planner" / "data" / "trainplan.sqlite")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print("\n".join(table(database_at(args.before, Path(folder)), args.after_db, args.before)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
