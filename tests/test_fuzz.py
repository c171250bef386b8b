"""Property and fuzz tests over the public API and the CLI: a result with sane signs, or a one-line error."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from planner import api
from planner.cli import main
from planner.errors import PlanError

GPUS = ["v100-sxm2-16gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "t4", "gtx-1080-ti", "tpu-v3", "v101", ""]
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(-10, 10_000))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_sane(table) -> None:
    for column in ("gpu_hours", "wall_hours", "energy_kwh", "co2e_kg", "co2e_lb"):
        value = float(table.iloc[0][column])
        assert math.isfinite(value) and value >= 0, (column, value)
    for column in ("cost_usd_low", "cost_usd_central", "cost_usd_high"):
        value = table.iloc[0][column]
        assert value is None or (math.isfinite(value) and value >= 0), (column, value)


@FUZZ
@given(gpu=st.sampled_from(GPUS), count=numbers, hours=numbers, pue=st.one_of(st.none(), numbers),
       fraction=st.one_of(st.none(), numbers), repeats=numbers)
def test_estimate_gives_sane_numbers_or_a_plan_error(gpu, count, hours, pue, fraction, repeats):
    try:
        workload, preset = api.make_workload(gpu=gpu, gpu_count=count, hours=hours, repeats=repeats)
        result = api.estimate_workload(workload, preset, pue=pue, gpu_power_fraction=fraction)
    except PlanError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    _assert_sane(result.table)


@FUZZ
@given(server=st.sampled_from(["strubell-8x-gtx1080ti", "nvidia-dgx-a100", "nvidia-dgx-b200", "nope"]),
       utilisation=st.one_of(st.none(), numbers), lifetime=st.one_of(st.none(), numbers),
       zone=st.sampled_from(["USA", "US-CA", "DEU", "FRA", "XX", "WORLD"]))
def test_owned_server_gives_sane_cost_or_a_plan_error(server, utilisation, lifetime, zone):
    from planner.ownership import shared_usd_per_gpu_hour

    try:
        owned, assumptions = api.owned_server(server, grid_zone=zone, utilisation=utilisation, lifetime_years=lifetime)
    except PlanError as exc:
        assert "\n" not in str(exc)
        return
    cost = shared_usd_per_gpu_hour(owned)
    assert math.isfinite(cost) and cost > 0


ARGS = st.lists(st.sampled_from(["estimate", "catalog", "reproduce", "--gpu", "h100-sxm5-80gb", "--gpus", "8", "0",
                                 "-1", "--hours", "10", "nan", "inf", "1e400", "3 day", "bert-base", "--pue", "0.5",
                                 "1.2", "--format", "json", "xml", "--grid", "USA", "ZZ", "--provider", "aws", "ibm",
                                 "--region", "us-east-1", "gpus", "--gpu-hours", "5", "--mfu", "2"]), max_size=10)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=ARGS)
def test_cli_never_tracebacks(argv):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # --help / argparse exit paths
            code = exc.code
    assert code in (0, 2), (argv, err.getvalue())
    if code == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("trainplan: error:"), (argv, err.getvalue())
    if code == 0 and argv[:1] == ["estimate"] and "json" in argv:
        import json

        row = json.loads(out.getvalue())[0]
        for column in ("gpu_hours", "energy_kwh", "co2e_kg"):
            assert math.isfinite(row[column]) and row[column] >= 0, (argv, column)


@pytest.mark.parametrize("hours", ["nan", "inf", "-inf", "1e400"])
def test_non_finite_hours_are_rejected(hours):
    with pytest.raises(PlanError, match="hours"):
        api.make_workload(gpu="t4", gpu_count=1, hours=float(hours))


@settings(max_examples=25)
@given(providers=st.one_of(st.none(), st.lists(st.sampled_from(["aws", "gcp", "azure", "owned", "ibm"]), min_size=1,
                                               max_size=3)),
       pricing=st.one_of(st.none(), st.lists(st.sampled_from(["on_demand", "spot", "free"]), min_size=1, max_size=2)),
       utilisation=st.one_of(st.none(), numbers), max_hours=st.one_of(st.none(), numbers),
       interruptions=st.one_of(st.none(), numbers))
@example(providers=None, pricing=None, utilisation=None, max_hours=None, interruptions=None)
@example(providers=["gcp", "owned"], pricing=["spot"], utilisation=0.9, max_hours=500, interruptions=0.2)
def test_compare_gives_sane_rows_or_a_plan_error(providers, pricing, utilisation, max_hours, interruptions):
    workload, preset = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=8, hours=24)
    try:
        table = api.compare(workload, preset, providers=providers, pricing=pricing, utilisation=utilisation,
                            max_wall_hours=max_hours, spot_interruptions_per_hour=interruptions,
                            servers=["strubell-8x-gtx1080ti", "nvidia-dgx-a100"]).table
    except PlanError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert len(table)
    for column in ("gpu_hours", "wall_hours", "energy_kwh", "co2e_kg", "co2e_embodied_kg", "cost_usd",
                   "cost_usd_low", "cost_usd_high"):
        values = table[column].astype(float)
        assert values.notna().all() and (values >= 0).all() and values.map(math.isfinite).all(), column
    assert (table["cost_usd_low"] <= table["cost_usd"] + 1e-9).all()
    assert (table["cost_usd"] <= table["cost_usd_high"] + 1e-9).all()


@settings(max_examples=25)
@given(demand=numbers, years=st.one_of(numbers, st.integers(0, 8)), target=numbers, growth=st.one_of(st.none(), numbers))
@example(demand=100_000, years=3, target=0.7, growth=0.1)
def test_procurement_gives_sane_totals_or_a_plan_error(demand, years, target, growth):
    config = {"server": "strubell-8x-gtx1080ti", "demand_gpu_hours": demand, "horizon_years": years,
              "target_utilisation": target, "clouds": [{"provider": "gcp", "region": "us-central1"}]}
    if growth is not None:
        config["growth"] = growth
    try:
        plan = api.procurement_plan_from_config(config)
    except PlanError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    totals = plan.tco["total_usd"].astype(float)
    assert totals.map(math.isfinite).all()
    assert (plan.tco["capex_usd"] >= 0).all() and (plan.tco["electricity_usd"] >= 0).all()
