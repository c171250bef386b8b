"""``trainplan prices refresh|status|list|diff`` through planner.cli.main (and one real subprocess)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pandas as pd
import pytest
import responses
from conftest import REPO
from test_pricing_aws import StubbedSession, spot_params

from planner.cli import main
from pricing import aws, azure, cache, store

# A fetch date newer than the shipped snapshot yet not in the future (a future date is refused as impossible).
RECENT = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")

DATA = Path(__file__).parent / "data"
SECRET = "FAKESECRET-trainplan-e2e-7781"
GCP_SKUS_URL = "https://cloudbilling.googleapis.com/v1/services/6F81-5844-456A/skus"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture(autouse=True)
def hermetic_env(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["prices", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_works_offline_on_a_fresh_install(capsys):
    code, out, _ = run(capsys, "status", "--format", "json")
    table = pd.DataFrame(json.loads(out))
    assert code == 0
    assert table.provider.tolist() == ["aws", "azure", "gcp"] and set(table.origin) == {"shipped"}
    assert (table.row_count > 0).all() and table.source.str.contains("skypilot-catalog").all()


def test_status_warns_when_prices_are_older_than_the_threshold(capsys):
    code, out, _ = run(capsys, "status", "--max-age-days", "0.001")
    assert code == 0
    # each warning is one entry, wrapped to 120 characters (continuation lines indented)
    entries = out.replace("\n  ", " ").splitlines()
    warnings = [line for line in entries if line.startswith("warning: ")]
    assert len(warnings) == 3 and max(len(line) for line in out.splitlines()) <= 120
    assert "trainplan prices refresh --provider aws" in warnings[0]


def test_list_h100_spot_on_aws_is_sorted_cheapest_first(capsys):
    code, out, _ = run(capsys, "list", "--gpu", "h100", "--pricing", "spot", "--provider", "aws", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and len(table) > 0
    assert set(table.provider) == {"aws"} and set(table.pricing) == {"spot"}
    assert table.gpu.str.startswith("h100-").all()
    assert table.usd_per_gpu_hour.is_monotonic_increasing
    # per-GPU price is the instance price over its GPUs, row by row
    assert (table.usd_per_gpu_hour - table.usd_per_hour / table.gpu_count).abs().max() < 1e-9


def test_list_table_says_which_spot_statistic_each_row_uses(capsys):
    code, out, _ = run(capsys, "list", "--gpu", "a100", "--provider", "gcp", "--region", "us-central1")
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("provider"))
    # the header wraps its long names: 'spot_' over 'statistic', the last column
    assert code == 0 and lines[header].split()[-1] == "statistic" and lines[header - 1].split()[-1] == "spot_"
    spot = [line for line in lines[header + 1:] if " spot " in line]
    on_demand = [line for line in lines[header + 1:] if " on_demand " in line]
    # the statistic is a numbered key in the table (it fits 120 characters) with one legend line per statistic:
    # shipped GCP A2 rows in us-central1 come from Google's Spot SKUs (Cyclenerd's Billing-Catalog build)
    assert "  spot_statistic [1] = regional Spot SKU price (GPU + vCPU + RAM SKUs)" in lines
    assert spot and all(line.rstrip().endswith("[1]") for line in spot)
    assert on_demand and not any(line.rstrip().endswith("]") for line in on_demand)
    assert max(len(line) for line in lines) <= 120


@pytest.mark.parametrize(("argv", "names"), [
    (("list", "--gpu", "h101"), "gpu 'h101': unknown; did you mean h100-nvl-94gb, h100-pcie-80gb"),
    (("list", "--pricing", "hourly"), "allowed: on_demand, spot, reserved_1y, reserved_3y, savings_plan_1y, savings_plan_3y"),
    (("list", "--provider", "aws", "--region", "atlantis-1"), "region 'atlantis-1': unknown"),
    (("refresh", "--provider", "oracle"), "provider 'oracle': not allowed; allowed: aws, gcp, azure"),
    (("refresh", "--region", "moon-base-1"), "region 'moon-base-1': unknown"),
    (("diff", "--provider", "ibm"), "allowed: aws, gcp, azure"),
])
def test_bad_input_is_one_line_with_the_allowed_values_and_exit_2(capsys, argv, names):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and names in err


def test_diff_with_only_the_shipped_snapshot_says_so(capsys):
    code, out, _ = run(capsys, "diff", "--provider", "aws")
    assert code == 0
    assert "aws: only one snapshot (shipped" in out and "(no rows)" in out


def test_diff_shows_what_changed_since_the_previous_snapshot(capsys):
    shipped = store.current_offers()
    aws_rows = shipped[shipped.provider == "aws"].reset_index(drop=True)
    changed = aws_rows.iloc[1:].copy()  # first row removed
    changed.iloc[0, changed.columns.get_loc("usd_per_hour")] = aws_rows.usd_per_hour[1] * 1.10  # 10% dearer
    conn = store.open_user_cache_for_write()
    cache.write_snapshot(conn, "aws", changed, f"{RECENT}T00:00:00+00:00", "test refresh")
    conn.close()
    code, out, err = run(capsys, "diff", "--provider", "aws", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and "shipped snapshot 1 (2026-11-24) -> user cache snapshot 1" in err
    assert table.change.tolist() == ["removed", "changed"]
    # (1.10 x p - p) / p = +10%
    assert table.loc[1, "pct_change"] == pytest.approx(10.0)
    assert table.loc[0, "instance_type"] == aws_rows.instance_type[0]


def test_refresh_without_credentials_says_how_and_keeps_the_shipped_snapshot(capsys, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    code, out, err = run(capsys, "refresh", "--provider", "aws", "--region", "us-east-1")
    assert code == 1
    assert out.strip() == aws.CREDENTIALS_MESSAGE
    assert "aws: fetching prices (us-east-1)" in err
    code, out, _ = run(capsys, "status", "--format", "csv")
    assert pd.read_csv(io.StringIO(out)).set_index("provider").loc["aws", "origin"] == "shipped"


def test_secret_in_the_environment_reaches_no_cache_log_or_output(capsys, caplog, monkeypatch, tmp_path):
    """A full refresh of all three providers with a recognisable secret in every credential the SDKs read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKETRAINPLAN0002")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    google_credentials = tmp_path / "adc.json"
    google_credentials.write_text(json.dumps({"type": "authorized_user", "client_id": "trainplan-test",
                                              "client_secret": SECRET, "refresh_token": SECRET}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google_credentials))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "trainplan-test")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", SECRET)

    session = StubbedSession()
    all_regions = {"ServiceCode": "AmazonEC2", "Filters": list(aws.PRODUCT_FILTERS), "FormatVersion": "aws_v1",
                   "MaxResults": 100}
    session.stub("pricing", "us-east-1").add_response("get_products", load("aws_get_products_us_west_2.json"),
                                                      all_regions)
    session.stub("ec2", "us-west-2").add_response("describe_spot_price_history", load("ec2_spot_us_west_2.json"),
                                                  spot_params(["p4d.24xlarge"]))
    monkeypatch.setattr(boto3, "Session", lambda: session)

    with responses.RequestsMock() as served, caplog.at_level(logging.DEBUG):
        token = served.post(GOOGLE_TOKEN_URL, json={"access_token": "ya29.test-token", "expires_in": 3600,
                                                    "token_type": "Bearer"})
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page1.json"))
        served.get(GCP_SKUS_URL, json=load("gcp_skus_page2.json"))
        served.get(GCP_SKUS_URL.replace("6F81-5844-456A", "E000-3F24-B8AA"), json={"skus": []})
        served.get(azure.RETAIL_PRICES_URL, json=load("azure_westus2.json"))
        code, out, err = run(capsys, "refresh", "--accept-fewer-rows")  # the payloads are a few rows each
    assert code == 0, out + err
    assert out.count(": written: snapshot") == 3
    # the secrets were really in play: boto3 resolved the AWS one, google-auth sent the refresh token
    assert session.get_credentials().secret_key == SECRET
    body = token.calls[0].request.body
    assert token.call_count == 1 and SECRET in (body.decode() if isinstance(body, bytes) else body)
    assert caplog.records, "expected DEBUG records to search"
    cache_bytes = b"".join(p.read_bytes() for p in store.user_cache_path().parent.iterdir() if p.is_file())
    assert SECRET.encode() not in cache_bytes
    assert SECRET not in caplog.text and SECRET not in out and SECRET not in err


def test_damaged_cache_is_set_aside_with_one_line_in_a_real_process(tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "prices.sqlite").write_bytes(b"\x00\x01 this is not sqlite" * 64)
    env = {**os.environ, "TRAINPLAN_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "planner.cli", "prices", "status", "--format", "csv"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert set(pd.read_csv(io.StringIO(done.stdout)).origin) == {"shipped"}
    # one line about the cache (the others are the shipped prices' staleness warnings)
    lines = [line for line in done.stderr.strip().splitlines() if "price cache" in line]
    assert len(lines) == 1 and "is not a SQLite database: moved aside to prices.sqlite.corrupt-" in lines[0]
    assert [p.name.startswith("prices.sqlite.corrupt-") for p in cache_dir.iterdir()] == [True]


def test_commitment_prices_not_shipped_say_so(capsys):
    code, out, err = run(capsys, "list", "--pricing", "reserved_3y")
    assert code == 0 and "reserved_3y: not in the data" in out and "(no rows)" in out


def test_status_says_commitment_prices_are_not_in_the_shipped_data(capsys):
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "Commitment prices (reserved_1y, reserved_3y): not in the shipped data" in out
    assert "AWS Savings Plans (savings_plan_1y, savings_plan_3y): not in the shipped data" in out


def test_refresh_savings_plans_flag_asks_the_aws_fetch_for_savings_plans_rates(capsys, monkeypatch):
    from pricing import refresh as refresh_module

    asked = {}

    def fake_refresh(providers, regions, **kwargs):
        asked.update(kwargs)
        return refresh_module.RefreshReport()

    monkeypatch.setattr(refresh_module, "refresh", fake_refresh)
    run(capsys, "refresh", "--provider", "aws", "--savings-plans")
    assert asked["fetch_options"] == {"aws": {"savings_plans": True}}
    run(capsys, "refresh", "--provider", "aws")
    assert asked["fetch_options"] is None
