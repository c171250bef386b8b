"""The Streamlit app (streamlit_app.py + planner/ui/panels.py) under Streamlit's AppTest: what it shows equals
what the library computes for the same inputs, and bad input is an error message, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import api

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def start(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def number(text: str) -> float:
    """The first number of a card: '1,507 kWh' → 1507.0; '$-541 vs your choice' → -541.0."""
    return float(re.search(r"-?\d+(\.\d+)?", text.replace(",", "").replace("$", "")).group())


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def assert_cards_match(at: AppTest, row) -> None:
    shown = metrics(at)
    # Shown rounded to 0 decimals at >= 100, 1 at >= 10, else 2: allow half the last digit.
    for label, column in (("GPU-hours", "gpu_hours"), ("Wall-clock", "wall_hours"), ("Energy", "energy_kwh"),
                          ("CO2e", "co2e_kg")):
        value = float(row[column])
        step = 1 if abs(value) >= 100 else 0.1 if abs(value) >= 10 else 0.01
        assert number(shown[label]) == pytest.approx(value, abs=step / 2), label


def test_default_view_shows_the_library_estimate_for_bert_base():
    at = start()
    assert not at.exception
    workload, preset = api.make_workload("bert-base")
    row = api.estimate_workload(workload, preset).table.iloc[0]
    assert_cards_match(at, row)
    low, high = metrics(at)["Cloud cost"].split("–")
    assert number(low) == pytest.approx(row["cost_usd_low"], abs=0.5)
    assert number(high) == pytest.approx(row["cost_usd_high"], abs=0.5)


def test_picking_another_preset_updates_cards_and_url():
    at = start()
    at.sidebar.selectbox(key="preset").set_value("transformer-big").run()
    assert not at.exception
    workload, preset = api.make_workload("transformer-big")
    assert_cards_match(at, api.estimate_workload(workload, preset).table.iloc[0])
    assert at.query_params["preset"] == "transformer-big"


def test_custom_gpu_and_hours_equal_the_library():
    at = start(mode="custom")
    at.sidebar.selectbox(key="gpu").set_value("a100-sxm4-80gb")
    at.sidebar.number_input(key="gpus").set_value(16)
    at.sidebar.text_input(key="hours").set_value("2 day")
    at.run()
    assert not at.exception
    workload, _ = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=16, hours="2 day")
    row = api.estimate_workload(workload).table.iloc[0]
    assert row["gpu_hours"] == 768  # 16 GPUs × 48 h
    assert_cards_match(at, row)


def test_compare_table_and_cards_equal_the_library_for_a_link():
    at = start(preset="elmo", provider="gcp", region="us-central1", cmp_pricing="on_demand")
    assert not at.exception
    workload, preset = api.make_workload("elmo")
    expected = api.region_estimates(workload, preset, pricing="on_demand").table
    shown = at.dataframe[0].value
    assert shown[["provider", "region"]].values.tolist() == expected[["provider", "region"]].values.tolist()
    assert shown["co2e_kg"].tolist() == pytest.approx(expected["co2e_kg"].tolist())
    assert shown["cost_usd"].tolist() == pytest.approx(expected["cost_usd"].tolist())
    current = expected[(expected["provider"] == "gcp") & (expected["region"] == "us-central1")].iloc[0]
    picks = api.headline_options(expected, current).set_index("pick")
    card = next(m for m in at.metric if m.label.startswith("Cheapest"))
    assert number(card.value) == pytest.approx(picks.loc["cheapest", "cost_usd"], abs=0.5)
    assert number(card.delta.split(" vs")[0]) == pytest.approx(picks.loc["cheapest", "delta_cost_usd"], abs=0.5)


def test_zero_gpus_is_an_error_message_not_a_traceback():
    at = start(mode="custom")
    at.sidebar.number_input(key="gpus").set_value(0).run()
    assert not at.exception
    assert any("gpu_count 0" in e.value for e in at.error)
    assert not at.metric


def test_bad_link_parameters_are_error_messages_not_tracebacks():
    at = start(preset="bert-bse", pue="high")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("workload preset 'bert-bse': unknown; did you mean" in e for e in errors), errors
    assert at.sidebar.selectbox(key="preset").value == "bert-base"
    assert any("pue 'high': not a number" in e for e in errors), errors


def test_old_prices_raise_a_banner_and_the_assumptions_list_sources(monkeypatch):
    from datetime import date, timedelta

    from planner.ui import panels

    fetched = date.fromisoformat(api.price_snapshot_ages()["fetched_at"].iloc[0][:10])
    real = api.price_snapshot_ages
    # 45 days after the fetch: every snapshot is older than the 30-day threshold.
    monkeypatch.setattr(api, "price_snapshot_ages", lambda today=None: real(fetched + timedelta(days=45)))
    panels.snapshot_ages.clear()
    try:
        at = start()
        assert not at.exception
        assert any("Prices older than 30 days" in w.value and "aws (45 days, shipped)" in w.value for w in at.warning)
        sources = [df.value for df in at.dataframe if "source" in df.value.columns and "name" in df.value.columns]
        assert sources and sources[0]["source"].str.len().gt(0).all()
        assert "power_w_measured" in set(sources[0]["name"]) and "price_stale_days" in set(sources[0]["name"])
    finally:
        panels.snapshot_ages.clear()
