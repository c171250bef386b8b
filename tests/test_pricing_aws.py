"""pricing.aws against real boto3 clients answered by botocore's Stubber (payloads in tests/data/aws_*, ec2_*)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import boto3
import pandas as pd
import pytest
from botocore.stub import ANY, Stubber
from hypothesis import given
from hypothesis import strategies as st

from pricing import aws
from pricing.fetch_result import PricingCredentialsError

DATA = Path(__file__).parent / "data"
FAKE_SECRET = "FAKESECRET-trainplan-1234"
FAKE_KEY_ID = "AKIAFAKETRAINPLAN0001"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


class StubbedSession(boto3.Session):
    """A real boto3 Session whose clients are real but answered by a Stubber each, one per (service, region)."""

    def __init__(self) -> None:
        super().__init__(region_name="us-east-1")
        self._clients: dict[tuple[str, str | None], object] = {}
        self.stubbers: dict[tuple[str, str | None], Stubber] = {}

    def client(self, service_name, region_name=None, **kwargs):
        key = (service_name, region_name)
        if key not in self._clients:
            client = super().client(service_name, region_name=region_name, **kwargs)
            stubber = Stubber(client)
            stubber.activate()
            self._clients[key] = client
            self.stubbers[key] = stubber
        return self._clients[key]

    def stub(self, service_name: str, region_name: str) -> Stubber:
        self.client(service_name, region_name=region_name)
        return self.stubbers[(service_name, region_name)]

    def assert_all_answered(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def hermetic_aws_env(monkeypatch, tmp_path):
    """Credentials from env only (fake), no config files, no instance metadata look-up."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-under-test")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def product_params(region: str, token: str | None = None) -> dict:
    params = {
        "ServiceCode": "AmazonEC2",
        "Filters": [*aws.PRODUCT_FILTERS, {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region}],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if token:
        params["NextToken"] = token
    return params


def spot_params(instance_types: list[str], token: str | None = None) -> dict:
    params = {"InstanceTypes": instance_types, "ProductDescriptions": ["Linux/UNIX"], "StartTime": ANY}
    if token:
        params["NextToken"] = token
    return params


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def three_region_session() -> StubbedSession:
    """us-east-1 (2 pages), us-west-2 (throttled once each API), ap-east-1 (spot refused), eu-west-1 (down)."""
    session = StubbedSession()
    pricing = session.stub("pricing", "us-east-1")
    pricing.add_response("get_products", load("aws_get_products_us_east_1_page1.json"), product_params("us-east-1"))
    pricing.add_response(
        "get_products", load("aws_get_products_us_east_1_page2.json"), product_params("us-east-1", "eyJwYWdlIjogMn0=")
    )
    pricing.add_client_error("get_products", "ThrottlingException", "Rate exceeded", 400, product_params("us-west-2"))
    pricing.add_response("get_products", load("aws_get_products_us_west_2.json"), product_params("us-west-2"))
    pricing.add_response("get_products", load("aws_get_products_ap_east_1.json"), product_params("ap-east-1"))
    for _ in range(5):  # a server error is retried like throttling (1, 2, 4, 8 s), then the region fails
        pricing.add_client_error(
            "get_products", "InternalErrorException", "internal error", 500, product_params("eu-west-1")
        )

    east = session.stub("ec2", "us-east-1")
    east.add_response(
        "describe_spot_price_history",
        load("ec2_spot_us_east_1_page1.json"),
        spot_params(["p3.2xlarge", "p4d.24xlarge"]),
    )
    east.add_response(
        "describe_spot_price_history",
        load("ec2_spot_us_east_1_page2.json"),
        spot_params(["p3.2xlarge", "p4d.24xlarge"], "c3BvdC1wYWdlLTI="),
    )
    west = session.stub("ec2", "us-west-2")
    west.add_client_error(
        "describe_spot_price_history", "RequestLimitExceeded", "Request limit exceeded.", 503,
        spot_params(["p4d.24xlarge"]),
    )
    west.add_response("describe_spot_price_history", load("ec2_spot_us_west_2.json"), spot_params(["p4d.24xlarge"]))
    hong_kong = session.stub("ec2", "ap-east-1")
    hong_kong.add_client_error(
        "describe_spot_price_history", "AuthFailure", "AWS was not able to validate the provided access credentials",
        401, spot_params(["g4dn.xlarge"]),
    )
    return session


@pytest.fixture
def fetched(three_region_session, sleeps):
    result = aws.fetch(
        three_region_session,
        ["us-east-1", "us-west-2", "ap-east-1", "eu-west-1"],
        sleep=sleeps.append,
        fetched_at="2025-01-01T00:00:00+00:00",
    )
    three_region_session.assert_all_answered()
    return result


def offer(result, region: str, instance_type: str, pricing: str):
    matches = [
        row for row in result.rows
        if (row.region, row.instance_type, row.pricing) == (region, instance_type, pricing)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def test_p4d_on_demand_price_per_gpu_hour_is_instance_price_over_eight(fetched):
    row = offer(fetched, "us-east-1", "p4d.24xlarge", "on_demand")
    # 32.7726 USD/h for 8 x A100 40 GB: 32.7726 / 8 = 4.096575 USD per GPU-hour
    assert row.usd_per_hour == pytest.approx(32.7726)
    assert row.gpu == "a100-sxm4-40gb"
    assert row.gpu_count == 8
    assert row.usd_per_gpu_hour == pytest.approx(4.096575)
    assert (row.vcpus, row.memory_gib) == (96, 1152)
    assert row.location == "US East (N. Virginia)"


def test_reserved_prices_are_standard_no_upfront_hourly_terms(fetched):
    one_year = offer(fetched, "us-east-1", "p4d.24xlarge", "reserved_1y")
    three_year = offer(fetched, "us-east-1", "p4d.24xlarge", "reserved_3y")
    # The fixture also has 1yr Partial Upfront (9.10/h + 80000 up front) and 1yr convertible (24.00/h):
    # neither may be chosen. 19.22 / 8 = 2.4025; 11.57 / 8 = 1.44625 USD per GPU-hour.
    assert one_year.usd_per_hour == pytest.approx(19.22)
    assert one_year.usd_per_gpu_hour == pytest.approx(2.4025)
    assert three_year.usd_per_hour == pytest.approx(11.57)
    assert three_year.usd_per_gpu_hour == pytest.approx(1.44625)


def test_instance_without_reserved_terms_gets_no_reserved_row(fetched):
    pricings = {row.pricing for row in fetched.rows if row.instance_type == "p3.2xlarge"}
    assert pricings == {"on_demand", "spot"}


def test_out_of_scope_products_are_ignored_not_counted(fetched):
    # page 2 holds a Dedicated-tenancy p3.2xlarge and an UnusedCapacityReservation p3.8xlarge
    on_demand = [row for row in fetched.rows if row.instance_type == "p3.2xlarge" and row.pricing == "on_demand"]
    assert [row.usd_per_hour for row in on_demand] == [pytest.approx(3.06)]
    assert not [row for row in fetched.rows if row.instance_type == "p3.8xlarge"]


def test_spot_price_is_region_minimum_over_latest_per_az(fetched):
    row = offer(fetched, "us-east-1", "p4d.24xlarge", "spot")
    # latest per AZ: 1a 10.10 (the 9.00 record is older), 1b 12.30, 1c 11.20; 1d is 'not-a-price'.
    # minimum of {10.1, 11.2, 12.3} = 10.1 (the shipped build's statistic); per GPU 10.1 / 8 = 1.2625
    assert row.usd_per_hour == pytest.approx(10.1)
    assert row.usd_per_gpu_hour == pytest.approx(1.2625)
    assert row.gpu_count == 8 and row.location == "US East (N. Virginia)"
    assert "minimum over the region's AZs" in row.source
    p3 = offer(fetched, "us-east-1", "p3.2xlarge", "spot")
    # four AZs 0.3644, 0.3709, 0.3718, 0.3764: minimum 0.3644
    assert p3.usd_per_hour == pytest.approx(0.3644)


def test_spot_spread_reports_low_and_high_per_region(fetched):
    spread = fetched.spot_spread.set_index(["region", "instance_type"])
    p4d = spread.loc[("us-east-1", "p4d.24xlarge")]
    assert (p4d.zones, p4d.usd_per_hour_min, p4d.usd_per_hour_max) == (3, 10.1, 12.3)
    west = spread.loc[("us-west-2", "p4d.24xlarge")]
    # (9.8 + 10.2) / 2 = 10.0
    assert west.usd_per_hour_median == pytest.approx(10.0)


def test_raw_spot_rows_keep_one_row_per_az(fetched):
    east_p4d = fetched.raw[(fetched.raw.region == "us-east-1") & (fetched.raw.instance_type == "p4d.24xlarge")]
    assert sorted(east_p4d.availability_zone) == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_throttling_is_retried_after_backoff_sleep(fetched, sleeps):
    # ThrottlingException (get_products us-west-2): 1 s; eu-west-1's 500 five times: 1, 2, 4, 8 s; then
    # RequestLimitExceeded (spot us-west-2): 1 s
    assert sleeps == [1.0, 1.0, 2.0, 4.0, 8.0, 1.0]
    assert offer(fetched, "us-west-2", "p4d.24xlarge", "on_demand").location == "US West (Oregon)"


def test_failing_region_is_reported_and_skipped(fetched):
    assert fetched.failures == [
        "aws eu-west-1: get_products: InternalErrorException: internal error",
        "aws ap-east-1: describe_spot_price_history: AuthFailure: "
        "AWS was not able to validate the provided access credentials",
    ]
    assert not [row for row in fetched.rows if row.region == "eu-west-1"]
    # ap-east-1 on-demand survives its spot failure
    assert offer(fetched, "ap-east-1", "g4dn.xlarge", "on_demand").gpu == "t4"
    assert not [row for row in fetched.rows if row.region == "ap-east-1" and row.pricing == "spot"]


def test_unmapped_family_is_counted_and_named(fetched):
    assert fetched.unmapped == {"g4ad.xlarge": 1}
    assert fetched.skipped == {"unmapped_gpu": 1, "non_numeric_price": 1}


def test_every_row_has_a_positive_price(fetched):
    # us-east-1: p4d x4 (od, 1y, 3y, spot) + p3 x2; us-west-2: p4d x2; ap-east-1: g4dn x1
    assert len(fetched.rows) == 9
    assert all(row.usd_per_hour > 0 for row in fetched.rows)


def test_throttling_that_never_ends_fails_the_region_after_growing_waits(sleeps):
    session = StubbedSession()
    pricing = session.stub("pricing", "us-east-1")
    for _ in range(5):
        pricing.add_client_error("get_products", "ThrottlingException", "Rate exceeded", 400,
                                 product_params("us-west-2"))
    result = aws.fetch(session, ["us-west-2"], sleep=sleeps.append)
    # 5 attempts, 4 waits doubling from 1 s
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert result.failures == ["aws us-west-2: get_products: ThrottlingException: Rate exceeded"]
    assert result.rows == []


def test_malformed_items_are_skipped_by_reason_never_stored_as_zero():
    result, products = aws.parse_price_list(load("aws_get_products_malformed.json")["PriceList"], "2025-01-01")
    assert result.rows == []
    assert result.skipped == {
        "missing_price": 1,
        "non_numeric_price": 1,
        "non_usd_currency": 1,
        "unknown_region": 1,
        "non_positive_price": 1,
    }


def test_price_list_accepts_decoded_dicts_like_json_strings():
    entries = load("aws_get_products_us_west_2.json")["PriceList"]
    from_strings, _ = aws.parse_price_list(entries, "2025-01-01")
    from_dicts, _ = aws.parse_price_list([json.loads(entry) for entry in entries], "2025-01-01")
    assert from_strings.rows == from_dicts.rows


def test_no_credentials_gives_one_line_message(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(PricingCredentialsError) as raised:
        aws.fetch(boto3.Session(region_name="us-east-1"), ["us-east-1"])
    assert str(raised.value) == aws.CREDENTIALS_MESSAGE
    assert "\n" not in str(raised.value)


def test_secret_from_env_is_in_no_log_and_no_row(monkeypatch, caplog, sleeps):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET)
    session = StubbedSession()
    session.stub("pricing", "us-east-1").add_response(
        "get_products", load("aws_get_products_us_west_2.json"), product_params("us-west-2")
    )
    session.stub("ec2", "us-west-2").add_response(
        "describe_spot_price_history", load("ec2_spot_us_west_2.json"), spot_params(["p4d.24xlarge"])
    )
    with caplog.at_level(logging.DEBUG):
        result = aws.fetch(session, ["us-west-2"], sleep=sleeps.append)
    # the session did resolve the secret, so not finding it below means nothing leaked it
    assert session.get_credentials().secret_key == FAKE_SECRET
    assert len(result.rows) == 2
    assert caplog.records, "expected DEBUG records to inspect"
    for record in caplog.records:
        assert FAKE_SECRET not in record.getMessage()
    assert FAKE_SECRET not in caplog.text
    for row in result.rows:
        assert FAKE_SECRET not in repr(row)
        assert FAKE_SECRET not in json.dumps(row.as_record())
    assert FAKE_SECRET not in repr(result.failures) + result.raw.to_csv() + result.spot_spread.to_csv()


def test_all_regions_is_one_price_list_query_without_region_filter(sleeps):
    session = StubbedSession()
    params = {"ServiceCode": "AmazonEC2", "Filters": list(aws.PRODUCT_FILTERS), "FormatVersion": "aws_v1",
              "MaxResults": 100}
    session.stub("pricing", "us-east-1").add_response("get_products", load("aws_get_products_us_west_2.json"), params)
    result = aws.fetch(session, spot=False, sleep=sleeps.append)
    session.assert_all_answered()
    assert [(row.region, row.pricing) for row in result.rows] == [("us-west-2", "on_demand")]


@given(st.lists(st.floats(min_value=0.001, max_value=500.0), min_size=1, max_size=12))
def test_spot_offer_is_the_minimum_of_the_spread(prices):
    records = [
        {"AvailabilityZone": f"us-east-1{'abcdefghijkl'[zone]}", "InstanceType": "p3.2xlarge", "SpotPrice": f"{price:.6f}",
         "Timestamp": "2025-01-01T00:00:00+00:00"}
        for zone, price in enumerate(prices)
    ]
    raw, _ = aws.parse_spot_history(records, "us-east-1")
    spread = aws.spot_spread(raw).iloc[0]
    assert spread.usd_per_hour_min <= spread.usd_per_hour_median <= spread.usd_per_hour_max
    product = aws.AwsProduct("us-east-1", "US East (N. Virginia)", "p3.2xlarge", "v100-sxm2-16gb", 1, 8, 61)
    rows = aws.spot_offers(aws.spot_spread(raw), {("us-east-1", "p3.2xlarge"): product}, "2025-01-01").rows
    assert rows[0].usd_per_hour == pytest.approx(min(float(f"{p:.6f}") for p in prices))


def test_local_and_wavelength_zones_are_left_out_of_the_region_spot_price():
    # us-west-2-lax-1a is the Los Angeles Local Zone (0.0669 for g4dn.xlarge in the shipped extract's README,
    # against 0.2147 in the main zones); a Wavelength Zone likewise is not the region's own AZ.
    records = [
        {"AvailabilityZone": zone, "InstanceType": "g4dn.xlarge", "SpotPrice": price,
         "Timestamp": "2025-01-01T00:00:00+00:00"}
        for zone, price in (("us-west-2a", "0.2147"), ("us-west-2b", "0.2200"), ("us-west-2-lax-1a", "0.0669"),
                            ("us-west-2-wl1-sea-wlz-1", "0.1000"))
    ]
    raw, skipped = aws.parse_spot_history(records, "us-west-2")
    assert sorted(raw.availability_zone) == ["us-west-2a", "us-west-2b"]
    assert skipped.skipped == {"excluded_zone": 2}
    assert aws.spot_spread(raw).iloc[0].usd_per_hour_min == pytest.approx(0.2147)


def test_govcloud_products_are_left_out():
    item = json.loads(load("aws_get_products_us_west_2.json")["PriceList"][0])
    item["product"]["attributes"]["regionCode"] = "us-gov-west-1"
    result, products = aws.parse_price_list([json.dumps(item)], "2025-01-01")
    assert result.rows == [] and products == {} and result.skipped == {"excluded_zone": 1}


def test_a_server_error_is_retried_like_throttling():
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": "InternalError", "Message": "x"},
                         "ResponseMetadata": {"HTTPStatusCode": 500}}, "GetProducts")
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "x"},
                          "ResponseMetadata": {"HTTPStatusCode": 403}}, "GetProducts")
    assert aws._is_throttled(error) and not aws._is_throttled(denied)


def test_ec2_instance_savings_plans_rates_become_offers_per_term():
    # tests/data/aws_savings_plans_us_east_1_page*.json (constructed, hand-checkable rates): p4d.24xlarge 19.00/h for
    # 1 year and 11.20/h for 3 years (EC2 Instance plan, No Upfront), p3.2xlarge 2.00/h; a Compute plan, a
    # dedicated-tenancy and a Windows rate are left out, and g5.xlarge has no Price List product in this fetch
    from pricing.aws_savings_plans import request

    session = StubbedSession()
    pricing = session.stub("pricing", "us-east-1")
    pricing.add_response("get_products", load("aws_get_products_us_east_1_page1.json"), product_params("us-east-1"))
    pricing.add_response(
        "get_products", load("aws_get_products_us_east_1_page2.json"), product_params("us-east-1", "eyJwYWdlIjogMn0="))
    plans = session.stub("savingsplans", "us-east-1")
    instances = ["p3.2xlarge", "p4d.24xlarge"]
    plans.add_client_error("describe_savings_plans_offering_rates", "ThrottlingException", "Rate exceeded", 400,
                           request("us-east-1", instances))
    plans.add_response("describe_savings_plans_offering_rates", load("aws_savings_plans_us_east_1_page1.json"),
                       request("us-east-1", instances))
    plans.add_response("describe_savings_plans_offering_rates", load("aws_savings_plans_us_east_1_page2.json"),
                       request("us-east-1", instances, "c3AtcGFnZS0y"))
    waits: list[float] = []
    result = aws.fetch(session, ["us-east-1"], spot=False, savings_plans=True, sleep=waits.append,
                       fetched_at="2025-01-01T00:00:00+00:00")
    session.assert_all_answered()
    one, three = offer(result, "us-east-1", "p4d.24xlarge", "savings_plan_1y"), offer(
        result, "us-east-1", "p4d.24xlarge", "savings_plan_3y")
    # 19.00 / 8 GPUs = 2.375 per GPU-hour; 11.20 / 8 = 1.40
    assert (one.usd_per_hour, one.usd_per_gpu_hour, three.usd_per_gpu_hour) == (19.0, 2.375, 1.4)
    assert offer(result, "us-east-1", "p3.2xlarge", "savings_plan_1y").usd_per_hour == 2.0
    assert len([row for row in result.rows if row.pricing.startswith("savings_plan")]) == 3
    assert result.skipped["missing_attribute"] == 1 and waits == [1.0] and result.failures == []
    assert "EC2 Instance Savings Plan, No Upfront" in one.source


def test_savings_plans_replace_previous_rows_only_for_terms_fetched():
    previous = pd.DataFrame({"instance_type": ["p4d.24xlarge"] * 3, "pricing": ["on_demand", "savings_plan_1y",
                                                                                 "savings_plan_3y"]})
    fetched = previous.iloc[:2]
    assert aws.covers(previous, fetched=fetched).tolist() == [True, True, False]
    assert aws.covers(previous).tolist() == [True, False, False]
