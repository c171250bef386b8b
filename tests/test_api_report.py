"""The api front door for reports: report() over the comparison engine's shortlist."""

from __future__ import annotations

import pandas as pd
import pytest

from planner import api

FIXED = "2026-11-25T09:30:00Z"


@pytest.fixture(scope="module")
def bert():
    return api.make_workload("bert-base")


def test_report_of_a_preset_chooses_the_cheapest_cloud_offer_of_its_gpu_and_lists_the_comparison_shortlist(bert):
    report = api.report(*bert, generated_at=FIXED)
    chosen = report.chosen
    full = api.compare(*bert, pricing=["on_demand"]).table  # a report compares on-demand unless told otherwise
    same_gpu = full[(full["gpu"] == "v100-sxm2-16gb") & (full["option_kind"] == "cloud")]
    # the plan as stated (rent the preset's V100s), its cheapest offer: the same row of the same comparison
    assert chosen["gpu"] == "v100-sxm2-16gb" and chosen["cost_usd"] == same_gpu["cost_usd"].min()
    assert "It is the cheapest feasible cloud offer of v100-sxm2-16gb, the GPU the workload is stated on" in \
        report.justification
    options = report.table[~report.table["chosen"]]
    # the shortlist holds the cheapest option of the whole comparison and every feasible owned configuration (the
    # 3x RTX 2080 Ti workstations, 22 of them on 1 Gb/s Ethernet at BERT's batch, are too slow to be one)
    assert report.table["cost_usd"].min() == pytest.approx(full["cost_usd"].min())
    owned = full["option_kind"] == "owned"
    assert (report.table["option_kind"] == "owned").sum() == (owned & full["feasible"].astype(bool)).sum() < owned.sum()
    assert set(options["provider"]) <= {"aws", "gcp", "azure", "owned"} and len(options) >= 10
    names = set(report.assumptions["name"])
    # every shortlisted provider's PUE is listed (it changes energy), and the owned room's
    assert {f"pue_{p}" for p in set(options["provider"]) - {"owned"}} | {"pue_owned"} <= names
    prices = report.assumptions[report.assumptions["unit"] == "USD/GPU-hour"]
    assert (prices["as_of"] != "").all()


def test_report_at_a_provider_and_region_chooses_that_row(bert):
    report = api.report(*bert, provider="gcp", region="us-central1", generated_at=FIXED)
    full = api.compare(*bert, pricing=["on_demand"]).table
    row = full[(full["provider"] == "gcp") & (full["region"] == "us-central1") & (full["gpu"] == "v100-sxm2-16gb")]
    assert report.chosen["cost_usd"] == row["cost_usd"].min() and "gcp us-central1" in report.chosen_label


def test_report_accepts_a_comparison_table_and_its_assumptions(bert):
    options = pd.DataFrame({"option_kind": ["cloud", "owned"], "provider": ["aws", None], "server": [None, "x"],
                            "cost_usd": [100.0, 80.0], "co2e_kg": [10.0, 12.0], "pareto": [True, True]})
    assumptions = pd.DataFrame([{"name": "from_compare", "value": 1.0, "unit": "-", "source": "compare engine",
                                 "as_of": "2026", "note": ""}])
    report = api.report(*bert, options_table=options, assumptions=assumptions, chosen_index=1, generated_at=FIXED)
    assert report.chosen_label == "owned x" and report.totals.set_index("quantity").loc["cost_usd", "central"] == 80.0
    assert "compare engine" in set(report.sources["source"])


def test_a_large_comparison_gives_two_reader_pages_and_a_short_appendix():
    import io

    import pypdf

    from planner.reports import render

    report = api.report(*api.make_workload("llama2-7b"), compare_kwargs={"deadline": "30 day"}, generated_at=FIXED)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render(report, "pdf"))).pages]
    # 979 options and about 120 inputs: the inputs of a kind on one line, each cited work once (was 11 pages)
    assert len(pages) <= 5 and pages[2].startswith("Appendix")
    assert report.sources["source"].is_unique and len(report.sources) < len(report.assumptions) / 2
    text = "".join(pages)
    assert "shared/" not in text and "data_src" not in text
    # the chosen option is feasible and the paragraph says so in plain words
    assert bool(report.chosen["feasible"]) and "We request compute to train Llama 2 7B" in report.justification


def test_the_report_answers_from_the_same_rows_as_compare_under_the_same_filters(bert):
    from planner import answers
    from planner.reports.model import display_usd

    filters = {"pricing": ["on_demand"], "max_wall_hours": 100.0, "servers": []}
    report = api.report(*bert, compare_kwargs=filters, generated_at=FIXED)
    table = api.compare(*bert, **filters).table
    found = answers.compare_answers(table)
    # the counts, the cloud cost range and the picks are the comparison's (compare's CLI line prints the same)
    assert (report.compared_count, report.feasible_count) == (found.rows, found.feasible)
    assert f"The {found.cloud_options:,} feasible cloud options compared cost {display_usd(found.cloud_cost_low)} " \
        f"to {display_usd(found.cloud_cost_high)}." in report.justification
    key = report.key_table.set_index("role")
    for pick, role in (("cheapest", "cheapest"), ("fastest", "fastest")):
        row = table.loc[found.picks.loc[pick, "row"]]
        listed = key[[role in r.split("; ") for r in key.index]]
        assert listed["cost_usd"].tolist() == [row["cost_usd"]] and listed["gpu_count"].tolist() == [row["gpu_count"]]
    # the chosen option is one of the comparison's rows, with its cost, CO2e and wall-clock unchanged
    same = table[(table["cost_usd"] == report.chosen["cost_usd"]) & (table["co2e_kg"] == report.chosen["co2e_kg"])]
    assert len(same) >= 1 and same["wall_hours"].iloc[0] == report.chosen["wall_hours"] <= 100.0


def test_the_library_and_the_cli_report_the_same_comparison(bert, tmp_path):
    """``api.report`` and ``trainplan report`` share one default: on-demand and owned options, not spot."""
    from cli_capture import run_cli

    report = api.report(*bert, generated_at=FIXED)
    code, _, _ = run_cli("report", "bert-base", "--format", "md", "--out", str(tmp_path / "r.md"),
                         "--generated-at", FIXED)
    text = (tmp_path / "r.md").read_text()
    table = api.compare(*bert).table
    on_demand = int((table["pricing"] != "spot").sum())
    # every priced row but spot: the library's counts are the ones the CLI's file states
    assert code == 0 and report.compared_count == on_demand < len(table)
    assert f"**Options:** {report.compared_count:,} options compared, {report.feasible_count:,} feasible" in text
    assert f"**Chosen option:** {report.chosen_label}" in text and report.chosen["pricing"] == "on_demand"
    spot = api.report(*bert, pricing="spot", generated_at=FIXED)
    assert spot.compared_count == int((table["pricing"] != "on_demand").sum())
