"""`trainplan procure PLAN.toml --hybrid`: the answer and tables, the files it writes, one-line errors."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from planner import api
from planner.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml"


def test_example_prints_the_three_optima_and_writes_its_files(tmp_path, capsys):
    assert main(["procure", str(EXAMPLE), "--hybrid", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Lowest cost: own ")
    for title in ("Optima beside all-cloud and all-owned", "Cost and CO2e against the owned fleet",
                  "Timing: buy in year 1 or stage by year", "Sensitivity of the winning mix (tornado)"):
        assert title in out
    written = {p.name for p in tmp_path.iterdir()}
    assert {"hybrid_curve.csv", "hybrid_optima.csv", "hybrid_months.csv", "hybrid_timing.csv", "hybrid.md",
            "hybrid_curve.svg"} <= written
    # The CSV round-trips to the library's table.
    plan = api.hybrid_plan_from_config(tomllib.loads(EXAMPLE.read_text()))
    curve = pd.read_csv(tmp_path / "hybrid_curve.csv")
    curve["constraint"] = curve["constraint"].astype(object).fillna("")  # an empty cell is CSV's empty string
    pd.testing.assert_frame_equal(curve, plan.curve.reset_index(drop=True), check_dtype=False)
    assert len(pd.read_csv(tmp_path / "hybrid_months.csv")) == 60
    assert "trainplan procure" in (tmp_path / "hybrid.md").read_text()


def test_csv_format_prints_the_curve(capsys):
    assert main(["procure", str(EXAMPLE), "--hybrid", "--format", "csv"]) == 0
    curve = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert curve["fleet_servers"].iloc[0] == 0 and curve["fleet_servers"].is_monotonic_increasing


def test_plain_procure_ignores_the_hybrid_table(capsys):
    assert main(["procure", str(EXAMPLE), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("option,pricing,total_usd")


@pytest.mark.parametrize("table", ["[hybrid]\nspot_share = 2\n", "[hybrid]\nbasis = 'accrual'\n"])
def test_bad_hybrid_table_is_one_line_exit_2(tmp_path, capsys, table):
    plan = tmp_path / "plan.toml"
    plan.write_text('server = "nvidia-dgx-h100"\ndemand_gpu_hours = 70080\nhorizon_years = 1\n'
                    '[[clouds]]\nprovider = "gcp"\nname = "q"\nusd_per_gpu_hour = 2.0\n' + table)
    assert main(["procure", str(plan), "--hybrid"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trainplan: error: ") and err.count("\n") == 1
