"""The api front door for reports: estimate_options and report()."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import api

FIXED = "2026-11-25T09:30:00Z"


@pytest.fixture(scope="module")
def bert():
    return api.make_workload("bert-base")


def test_report_of_a_preset_chooses_its_estimate_and_lists_provider_options(bert):
    report = api.report(*bert, generated_at=FIXED)
    chosen = report.chosen
    estimate = api.estimate_workload(*bert).table.iloc[0]
    assert chosen["cost_usd"] == estimate["cost_usd_central"] and chosen["co2e_kg"] == estimate["co2e_kg"]
    options = report.table[~report.table["chosen"]]
    assert set(options["provider"]) <= {"aws", "gcp", "azure"} and len(options) >= 3
    # Each provider option's PUE is in the assumptions (it changes energy), and its prices are dated.
    names = set(report.assumptions["name"])
    assert {"pue_aws", "pue_gcp", "pue_azure"} <= names
    prices = report.assumptions[report.assumptions["unit"] == "USD/GPU-hour"]
    assert (prices["as_of"] != "").all()


def test_report_accepts_a_comparison_table_and_its_assumptions(bert):
    options = pd.DataFrame({"option_kind": ["cloud", "owned"], "provider": ["aws", None], "server": [None, "x"],
                            "cost_usd": [100.0, 80.0], "co2e_kg": [10.0, 12.0], "pareto": [True, True]})
    assumptions = pd.DataFrame([{"name": "from_compare", "value": 1.0, "unit": "-", "source": "compare engine",
                                 "as_of": "2026", "note": ""}])
    report = api.report(*bert, options_table=options, assumptions=assumptions, chosen_index=1, generated_at=FIXED)
    assert report.chosen_label == "owned x" and report.totals.set_index("quantity").loc["cost_usd", "central"] == 80.0
    assert "compare engine" in set(report.sources["source"])
