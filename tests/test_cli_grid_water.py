"""A job placed in time and its water, through the API and the CLI (--start, --best-start, --cooling, --wue)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from planner import api
from planner.cli import main


def _p4de_frankfurt(**kwargs):
    workload, _ = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=8, hours=1440)
    result = api.compare(workload, providers=["aws"], regions=["eu-central-1"], pricing=["on_demand"],
                         gpus=["a100-sxm4-80gb"], servers=[], **kwargs)
    return result.table.iloc[0]


def test_sixty_day_job_from_april_uses_april_and_may_of_the_zones_profile():
    # 8 x A100 for 1,440 h = 30 days of April 2024 + 30 days of May 2024. AWS eu-central-1's factor has no
    # year (EEA), so its base year is Germany's last Ember year, 2024, and Y = 1; the factor is the mean of
    # DEU's April and May shape: (S[Apr] + S[May]) / 2.
    shape = api.grid_series().profiles["DEU"].shape
    plain, started = _p4de_frankfurt(), _p4de_frankfurt(start="2024-04")
    assert started["wall_hours"] == pytest.approx(1440.0)
    expected = (shape[3] + shape[4]) / 2
    assert started["grid_factor"] == pytest.approx(expected)
    assert started["co2e_kg"] == pytest.approx(plain["co2e_kg"] * expected)
    assert started["co2e_total_kg"] == pytest.approx(started["co2e_kg"] + started["co2e_embodied_kg"])
    assert "DEU: monthly profile" in started["co2e_basis"] and "location-based" in started["co2e_basis"]


def test_future_start_follows_the_trend_and_flat_holds_the_year():
    # Start 2027-04 (same months): trend Y = T(2027) / T(2024) = (1 + r)^3 for Germany; flat Y = 1.
    deu = api.grid_series().trajectories["DEU"]
    trend, flat = _p4de_frankfurt(start="2027-04"), _p4de_frankfurt(start="2027-04", grid_basis="flat")
    assert trend["grid_factor"] / flat["grid_factor"] == pytest.approx((1 + deu.rate) ** 3)
    assert trend["co2e_kg_low"] <= trend["co2e_kg"] <= trend["co2e_kg_high"]


def test_zone_without_profile_says_annual_average_used():
    # Bahrain (aws me-south-1) has a yearly Ember series but no monthly one.
    workload, _ = api.make_workload(gpu="a100-sxm4-40gb", gpu_count=8, hours=100)
    offers = api.filtered_offers("aws", "me-south-1")
    if offers.empty:
        pytest.skip("no aws me-south-1 offer in the shipped prices")
    result = api.compare(workload, providers=["aws"], regions=["me-south-1"], servers=[], start="2027-01")
    assert result.table["co2e_basis"].str.contains("no profile for this zone: annual average used").all()


def test_cli_compare_start_and_best_start_table(capsys):
    assert main(["compare", "bert-base", "--server", "none", "--provider", "aws", "--top", "3",
                 "--start", "2027-03", "--best-start", "2027-01:2027-06"]) == 0
    out = capsys.readouterr().out
    assert "Best month to start, 2027-01 to 2027-06" in out and "water of the first option" in out
    assert "CO2e basis of the first option: location-based from 2027-03" in out


def test_cli_compare_csv_has_water_columns(capsys):
    assert main(["compare", "bert-base", "--server", "none", "--top", "4", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"water_l", "water_l_low", "water_l_high", "water_onsite_l", "water_offsite_l", "pareto_water"} <= set(
        table.columns)
    assert (table["water_l_low"] <= table["water_l"]).all() and (table["water_l"] <= table["water_l_high"]).all()


def test_cli_estimate_water_and_start(capsys):
    assert main(["estimate", "bert-base", "--cooling", "air", "--start", "2027-03", "--format", "csv"]) == 0
    row = pd.read_csv(io.StringIO(capsys.readouterr().out)).iloc[0]
    # air-cooled room: WUE 0.015 (midpoint of 0 and 0.03); USA grid water 7.6 L/kWh; PUE 1.58 (owned room)
    assert row["water_l"] == pytest.approx(row["energy_kwh"] / 1.58 * 0.015 + row["energy_kwh"] * 7.6)
    assert 0 < row["grid_factor"] < 1.2 and "location-based" in row["co2e_basis"]


@pytest.mark.parametrize(("argv", "message"), [
    (["compare", "bert-base", "--start", "2050-01"], "start 2050-01: outside the grid series"),
    (["compare", "bert-base", "--start", "03/2027"], "start '03/2027': not a month; allowed: YYYY-MM"),
    (["compare", "bert-base", "--best-start", "2027-06:2027-01"], "its end is before its start"),
    (["compare", "bert-base", "--wue", "-0.5"], "wue_l_per_kwh -0.5 L/kWh: must be >= 0"),
    (["estimate", "bert-base", "--wue", "-2"], "wue_l_per_kwh -2 L/kWh: must be >= 0"),
])
def test_bad_time_and_water_input_is_one_line_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_report_summary_has_water_beside_co2e_and_the_start_basis(tmp_path, capsys):
    out = tmp_path / "r.md"
    assert main(["report", "bert-base", "--format", "md", "--out", str(out), "--start", "2027-03",
                 "--generated-at", "2026-12-01T00:00:00Z"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "- Water: about " in text and "ewif_USA" in text
    assert "- CO2e basis: location-based from 2027-03" in text
    assert "W = E / PUE · WUE + E · EWIF" in text and "| water_l | L |" in text


def test_monte_carlo_takes_the_trends_spread():
    # DEU's 2020-2024 trend interval is wide (about -7.6 to +5.6 %/year): six years ahead the grid's
    # spread dominates; in 2024 (observed) there is none, so the 5-95 % band must be wider for 2030.
    observed = _p4de_frankfurt(start="2024-04", monte_carlo=400, seed=3)
    ahead = _p4de_frankfurt(start="2030-04", monte_carlo=400, seed=3)
    def width(row):
        return row["co2e_kg_p95"] / row["co2e_kg_p5"]
    assert width(ahead) > 1.2 * width(observed)
    assert ahead["co2e_kg_low"] <= ahead["co2e_kg"] <= ahead["co2e_kg_high"]


def test_market_based_applies_the_annual_cfe_to_the_placed_location_based_figure():
    workload, _ = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=8, hours=100)
    result = api.compare(workload, providers=["gcp"], regions=["us-central1"], pricing=["on_demand"], servers=[],
                         start="2027-07")
    row = result.table.iloc[0]
    cfe = 0.87  # Google 2024 CFE for us-central1 (shared/data/carbon README check)
    assert row["co2e_market_kg"] == pytest.approx(row["co2e_kg"] * (1 - cfe))


def test_report_has_the_chosen_options_co2e_by_start_month():
    workload, preset = api.make_workload("bert-base")
    report = api.report(workload, preset, start="2027-03", generated_at="2026-12-01T00:00:00Z")
    months = report.start_months
    # 12 months from the start; the best flag marks the lowest CO2e; each within its range
    assert months["start"].tolist()[0] == "2027-03" and months["start"].tolist()[-1] == "2028-02"
    assert months.loc[months["best"], "co2e_kg"].iloc[0] == months["co2e_kg"].min()
    assert ((months["co2e_kg_low"] <= months["co2e_kg"]) & (months["co2e_kg"] <= months["co2e_kg_high"])).all()
    # the chosen option started in 2027-03 is the report's own chosen row
    assert months["co2e_kg"].iloc[0] == pytest.approx(float(report.chosen["co2e_kg"]))
    summary = report.summary_table()
    assert (summary["section"] == "start_months").sum() == 12
    from planner.reports import render
    assert b"CO2e by start month (location-based), chosen option" in render(report, "md")
    assert b'id="start-months"' in render(report, "html")
    assert render(report, "html") == render(report, "html")
    assert "Its water footprint is about" in report.justification and "from 2027-03" in report.justification
