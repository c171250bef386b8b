"""The report model: chosen option, totals and ranges, equivalences, dated sources, validation."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from report_samples import (
    AIR_TRAVEL_KG,
    GENERATED_AT,
    WORKLOAD,
    estimate_table,
    options_table,
    sample_report,
    snapshots,
)

from planner.defaults import Assumption
from planner.errors import PlanError
from planner.reports import build_report, citations, model
from planner.reports.citations import cited_works
from planner.reports.model import display_number, display_usd, public_source
from planner.workload import Workload


def test_chosen_option_is_the_indexed_row_and_totals_carry_its_range():
    report = sample_report(chosen_index=1)
    assert report.chosen_label == "gcp us-central1 a2-ultragpu-8g spot"
    totals = report.totals.set_index("quantity")
    # gcp spot row: cost 1,200 with low = high = 1,200; CO2e 38 kg without a range.
    assert totals.loc["cost_usd", ["central", "low", "high"]].tolist() == [1200.0, 1200.0, 1200.0]
    assert totals.loc["co2e_kg", "central"] == 38.0 and math.isnan(totals.loc["co2e_kg", "low"])
    assert totals.loc["gpu_hours", "unit"] == "GPU·h"
    assert report.table["chosen"].tolist() == [False, True, False]


def test_without_chosen_index_the_estimate_row_is_chosen_and_prepended():
    report = sample_report(chosen_index=None)
    assert len(report.table) == 4 and report.table["chosen"].tolist() == [True, False, False, False]
    totals = report.totals.set_index("quantity")
    # The estimate's cost = median on-demand 3,277.5, range cheapest 1,200 to dearest 3,500.
    assert totals.loc["cost_usd", ["central", "low", "high"]].tolist() == [3277.5, 1200.0, 3500.0]
    assert report.notes == ("a note carried from the estimate",)


def test_option_ranges_span_the_compared_options_with_their_labels():
    ranges = sample_report(chosen_index=None).option_ranges.set_index("quantity")
    # Costs 3,277.5 / 1,200 / 2,500: min 1,200 (gcp spot), max 3,277.5 (aws on-demand); the estimate row is not
    # one of the compared options.
    assert ranges.loc["cost_usd", ["min", "max"]].tolist() == [1200.0, 3277.5]
    # each option in the words the justification uses
    assert ranges.loc["cost_usd", "min_option"] == "Google Cloud a2-ultragpu-8g instances in us-central1 (spot)"
    assert ranges.loc["co2e_kg", ["min", "max"]].tolist() == [38.0, 200.0]
    assert ranges.loc["co2e_kg", "max_option"] == "owned dgx-a100 servers in USA (shared)"


def test_equivalences_use_strubell_table1_and_the_epa_vehicle_year():
    eq = sample_report(chosen_index=None).equivalences.set_index("comparison")
    # 899.927 kg = 1,984 lb: 1 air trip; 1,984 / 36,156 = 0.054873 American-years; 1,984 / 126,000 = 0.015746
    # car lifetimes; 899.927 / 4,600 = 0.195636 vehicle-years.
    assert eq.loc["Air travel, 1 passenger, NY↔SF", "times"] == pytest.approx(1.0)
    assert eq.loc["American life, average, 1 year", "times"] == pytest.approx(0.054873, rel=1e-4)
    assert eq.loc["Car, average incl. fuel, 1 lifetime", "times"] == pytest.approx(0.015746, rel=1e-4)
    vehicle = eq.loc["Typical US passenger vehicle, 1 year (tailpipe CO2)"]
    assert vehicle["times"] == pytest.approx(0.195636, rel=1e-4) and "EPA-420-F-23-014" in vehicle["source"]
    assert eq.loc["Air travel, 1 passenger, NY↔SF", "kg_co2e_each"] == pytest.approx(AIR_TRAVEL_KG)


def test_summary_states_gpu_hours_cost_range_and_equivalences_in_words():
    summary = sample_report(chosen_index=None).summary
    assert summary[0] == "test run: 800 GPU-hours (8 × a100-sxm4-80gb for 100 h)."
    assert "about $3,278 (range $1,200 to $3,500), 450 kWh, 899.9 kg CO2e" in summary[1]
    assert "Across the 3 options compared, cost runs from $1,200" in summary[2]
    # Two significant figures: 1.0 air trip, 0.055 American-years, 0.016 car lifetimes, 0.20 vehicle-years.
    assert "1 × 'Air travel, 1 passenger, NY↔SF'; 0.055 × 'American life, average, 1 year'; 0.016 ×" in summary[3]
    assert "or 0.2 years of a typical US passenger vehicle" in summary[3]


def test_undated_price_assumptions_take_their_providers_snapshot_date():
    assumptions = sample_report().assumptions.set_index("name")
    assert assumptions.loc["price_low", "as_of"] == "2026-11-24"  # the aws snapshot
    assert assumptions.loc["pue_aws", "as_of"] == "2024"


def test_sources_are_numbered_once_and_every_assumption_cites_one():
    report = sample_report()
    sources = report.sources.set_index("source")
    assert sources.index.is_unique and report.sources["ref"].tolist() == list(range(1, len(sources) + 1))
    # every assumption cites, by number, exactly the works its source text names
    cited = dict(zip(report.sources["ref"], report.sources["source"], strict=True))
    for refs, source in zip(report.assumptions["ref"], report.assumptions["source"], strict=True):
        assert tuple(cited[int(r)] for r in refs.split(", ")) == cited_works(source)
    # each price snapshot is a source with its date
    assert sources.loc["gcp catalog extract (gcp price snapshot)", "as_of"] == "2026-11-20"
    assert "aws catalog extract (aws price snapshot)" in sources.index


def test_one_work_named_in_many_source_texts_is_one_numbered_source():
    texts = ["AWS EC2 P5 instance page (p5.48xlarge: 8x H100 NVSwitch, 3,200 Gbps EFAv2), as recalled 2026-11",
             "AWS EC2 G4 instance page (g4dn.12xlarge: 50 Gbps), as recalled 2026-11",
             "trainplan assumption: an off-the-shelf 8-GPU workstation (Strubell et al. 2019, Sec. 5) on 10 GbE",
             "Some report nobody else cites, 2021"]
    assumptions = [Assumption(f"input_{i}", float(i), "W", text, "2026-11") for i, text in enumerate(texts)]
    report = build_report(WORKLOAD, estimate_table(), options_table(), assumptions, snapshots(), GENERATED_AT)
    refs = report.assumptions.set_index("name")["ref"]
    by_ref = dict(zip(report.sources["ref"], report.sources["source"], strict=True))
    assert refs["input_0"] == refs["input_1"] and by_ref[int(refs["input_0"])].startswith("AWS, EC2")
    # a text naming two works cites both: trainplan's judgement and the paper it rests on
    strubell = next(w.citation for w in citations.WORKS if w.pattern == "Strubell")
    assert [by_ref[int(r)] for r in refs["input_2"].split(", ")] == [strubell, citations.OWN_JUDGEMENT]
    # a text naming no known work is its own source, in full
    assert by_ref[int(refs["input_3"])] == "Some report nobody else cites, 2021"
    assert report.sources["source"].is_unique


@pytest.mark.parametrize(("text", "cited"), [
    ("Library Technology Guides doc 7428: 10-12% (shared/data/hardware/ownership_defaults.csv)",
     "Library Technology Guides doc 7428: 10-12%"),
    ("Ember Yearly Electricity Data (CC BY 4.0), via shared/data/carbon/grid_intensity_yearly.csv: "
     "ember-climate/ember-data-api@02ce82d403b5 data/api_country_overview_yearly.csv (2025-05-21)",
     "Ember Yearly Electricity Data (CC BY 4.0): ember-climate/ember-data-api@02ce82d403b5 "
     "data/api_country_overview_yearly.csv (2025-05-21)"),
    ("Strubell, Ganesh & McCallum 2019 (ACL), Table 3; hours_used per the arithmetic notes in "
     "shared/reference/strubell2019.md", "Strubell, Ganesh & McCallum 2019 (ACL), Table 3"),
    ("Cloud Carbon Footprint's average hyperscale server utilisation, 50% (ccf_coefficients.csv)",
     "Cloud Carbon Footprint's average hyperscale server utilisation, 50%"),
])
def test_sources_carry_no_repository_paths(text, cited):
    # trainplan's own paths go; an upstream repository@commit and its path stay (a reader can look it up)
    assert public_source(text) == cited


def test_price_snapshots_keep_dates_but_not_local_paths():
    report = sample_report()
    assert report.price_snapshot_dates == ("2026-11-20", "2026-11-24")
    assert "path" not in report.price_snapshots.columns


def test_method_lists_owned_and_embodied_formulas_only_when_the_options_have_them():
    full = sample_report().method
    assert any("E = PUE · t · (p_cpu + p_dram + n · p_gpu) / 1000" in line for line in full)
    assert any(line.startswith("Owned, shared cluster") for line in full)
    assert any(line.startswith("Embodied emissions") for line in full)
    cloud_only = sample_report(options_table=options_table().iloc[:2].drop(columns=["co2e_embodied_kg"]))
    assert not any(line.startswith(("Owned", "Embodied")) for line in cloud_only.method)


def test_options_with_few_columns_and_none_at_all_are_accepted():
    minimal = pd.DataFrame({"cost_usd": [10.0, 20.0], "co2e_kg": [1.0, 2.0]})
    report = sample_report(chosen_index=0, options_table=minimal)
    assert report.table.columns.tolist() == ["option", "chosen", "co2e_kg", "cost_usd"]
    assert sample_report(chosen_index=None, options_table=None).table["chosen"].tolist() == [True]


def test_generated_at_is_normalised_to_utc_seconds():
    local = datetime(2026, 11, 25, 10, 30, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert sample_report(generated_at=local).generated_at == GENERATED_AT


@pytest.mark.parametrize("changes,field", [
    ({"chosen_index": 3}, "chosen_index 3: must be a row position of options_table, 0 to 2"),
    ({"chosen_index": True}, "chosen_index True"),
    ({"options_table": pd.DataFrame({"cost_usd": [1.0]})}, "options_table: missing column(s) co2e_kg"),
    ({"generated_at": "soon"}, "generated_at 'soon': not an ISO 8601 date-time"),
    ({"estimate_table": pd.DataFrame()}, "estimate_table: must hold exactly one row"),
    ({"assumptions": pd.DataFrame({"name": ["x"]})}, "assumptions: missing column(s) value"),
])
def test_bad_input_raises_one_line_plan_error(changes, field):
    with pytest.raises(PlanError) as err:
        sample_report(**changes)
    assert field in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("value,shown", [
    (1506.826395, "1,507"), (556.731669, "556.7"), (79.2, "79.2"), (0.3355, "0.3355"), (12345678.9, "12,345,679"),
    (64.0, "64"), (0.0, "0"), (float("nan"), ""), (None, ""), (True, "yes"), ("text", "text"), (-2.5, "-2.5"),
])
def test_display_number_rounds_to_four_significant_figures_or_whole_units(value, shown):
    assert display_number(value) == shown


def test_display_usd_prefixes_the_dollar_sign():
    assert display_usd(15839.72) == "$15,840" and display_usd(float("nan")) == ""


def test_option_ranges_leave_out_options_that_cannot_run():
    options = options_table().assign(feasible=[True, True, False])  # the owned $2,500 option cannot run
    options.loc[2, "cost_usd"] = 400_000_000.0
    report = build_report(WORKLOAD, estimate_table(), options, [], snapshots(), GENERATED_AT)
    ranges = report.option_ranges.set_index("quantity")
    # the two feasible options, $3,277.50 (aws) and $1,200 (gcp spot); the $400M one that cannot run is left out
    assert (ranges.loc["cost_usd", "min"], ranges.loc["cost_usd", "max"]) == (1200.0, 3277.5)
    assert "Across the 2 feasible options compared, cost runs from $1,200" in report.summary[2]


def test_the_paragraph_reads_right_for_one_gpu_and_a_small_job():
    one = Workload(name="custom workload", gpu="a100-sxm4-80gb", gpu_count=1, hours=4.0, repeats=1.0,
                   precision="bf16", source="user input")
    estimate = estimate_table().assign(gpu_count=1.0, gpu_hours=4.0, wall_hours=4.0, co2e_kg=0.5)
    options = options_table().iloc[[0]].assign(gpu_count=1, gpu_hours=4.0, wall_hours=4.0, cost_usd=3.903,
                                               cost_usd_low=3.903, cost_usd_high=3.903, co2e_kg=0.5)
    built = build_report(one, estimate, options, [], snapshots(), GENERATED_AT, chosen_index=0)
    text = built.justification
    assert built.title == "Compute resources for training: 1 × a100-sxm4-80gb for 4 h"
    # one GPU, not "1 GPUs"; an unnamed workload is "our model"; cents below $1,000
    assert text.startswith("We request compute to train our model: 4 GPU-hours on a100-sxm4-80gb (1 GPU for 4 h")
    assert "AWS p4d.24xlarge instances in us-east-1 (on-demand): 1 × a100-sxm4-80gb for 4 h" in text
    assert "It costs $3.90 (a list price: no range)" in text
    # 0.5 kg is 0.5 / 4,600 kg per car-year x 365.25 = 0.04 days: too small to compare, so no car sentence
    assert "passenger car" not in text


def test_dollars_show_cents_below_a_thousand_and_cars_in_days_below_a_tenth_of_a_year():
    assert (display_usd(3.903), display_usd(0.0042), display_usd(999.996), display_usd(1234.5)) == \
        ("$3.90", "$0.0042", "$1,000", "$1,234")
    # 0.0036 car-years x 365.25 = 1.3 days; 0.5 car-years stays in years
    assert model._car_sentence(0.0036)[0].startswith("The operational CO2e equals 1.3 days of")
    assert model._car_sentence(0.5)[0].startswith("The operational CO2e equals 0.5 years of")
    assert model._car_sentence(0.001) == []



def test_the_reader_key_table_says_pricing_in_words_and_keeps_every_value():
    report = sample_report()
    reader, ids = report.reader_key_table, report.key_table
    # the same rows and numbers; only the option labels' pricing word changes ("on_demand" -> "on-demand")
    assert reader.drop(columns="option").equals(ids.drop(columns="option"))
    assert [o.replace("on-demand", "on_demand") for o in reader["option"]] == list(ids["option"])
    assert not reader["option"].str.contains("on_demand").any() and ids["option"].str.contains("on_demand").any()
