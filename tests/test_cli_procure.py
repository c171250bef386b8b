"""`trainplan procure PLAN.toml`: prints the summary, writes every table, one-line errors with exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from planner.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cluster_plan.toml"

PLAN = """
server = "nvidia-dgx-h100"
horizon_years = 2
demand_gpu_hours = [70080, 70080]
target_utilisation = 0.5
[owned]
price_usd = 100000
[[clouds]]
provider = "gcp"
name = "quote"
usd_per_gpu_hour = 2.0
"""


def test_example_plan_prints_summary_and_writes_tables(tmp_path, capsys):
    assert main(["procure", str(EXAMPLE), "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # the output states its basis: view, cash/NPV, residual, F&A
    assert out.startswith("On the basis institution full cost, NPV at 7.0% real, residual book value credited, "
                          "F&A not applied (fa_rate 0)")
    assert "Break-even against each cloud option" in out and "no reserved price in the data" in out
    assert "WARNING: a 64-GPU job is larger than the fleet" in out  # the portfolio's 64-GPU job on 32-56 GPUs
    written = {p.name for p in tmp_path.iterdir()}
    assert written == {f"{n}.csv" for n in ("summary", "bases", "years", "tco", "cloud", "breakeven", "sensitivity",
                                            "monte_carlo", "carbon", "assumptions", "notes")}
    assert len(pd.read_csv(tmp_path / "tco.csv")) == 5
    # the headline and every verdict agree: each verdict follows its own totals, the headline the cheapest
    breakeven = pd.read_csv(tmp_path / "breakeven.csv").dropna(subset=["cloud_total_usd"])
    for row in breakeven.itertuples():
        assert row.verdict.startswith("owning is cheaper") == (row.owned_total_usd <= row.cloud_total_usd)
    best = breakeven.sort_values("cloud_total_usd").iloc[0]
    headline = " ".join(out.split("\nBasis:")[0].split())  # the headline paragraph, wrapped at 120 characters
    assert f"Cheapest cloud: {best.option}" in headline
    assert headline.endswith("the cloud is cheaper.") == best.verdict.startswith("cloud is cheaper")


def test_json_summary_of_a_small_plan(tmp_path, capsys):
    # 70,080 GPU-h / (8,760 · 8 · 0.5 = 35,040) = 2 servers; the quote: 70,080 · 2.00 = 140,160 a year,
    # 280,320 cash; NPV at 7%: 140,160 · (1/1.07 + 1/1.07²) = 253,412.5
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    assert main(["procure", str(plan), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["option"] for r in rows] == ["owned", "quote"]
    assert rows[1]["cash_usd"] == pytest.approx(2 * 140160.0)
    assert rows[1]["total_usd"] == pytest.approx(140160.0 * (1 / 1.07 + 1 / 1.07 ** 2))
    assert rows[0]["basis"].startswith("institution full cost, NPV at 7.0% real, residual book value credited")


@pytest.mark.parametrize("text,field", [
    ("server = 'nvidia-dgx-h100'\ndemand_gpu_hours = 100\ntarget_utilisation = 1.0\n", "target_utilisation 1"),
    ("server = 'nvidia-dgx-h100'\ndemand_gpu_hours = 100\nhorizon_years = 0\n", "horizon_years 0"),
    ("server = 'nvidia-dgx-h100'\ndemand_gpu_hours = [100, -1]\n", "demand_gpu_hours (year 2) -1"),
    ("server = 'dgx-9000'\ndemand_gpu_hours = 100\n", "server 'dgx-9000'"),
    ("server = 'nvidia-dgx-h100'\ndemand = 100\n", "plan: unknown key 'demand'"),
    ("server = \n", "not valid TOML"),
])
def test_bad_plan_is_one_line_and_exit_2(tmp_path, capsys, text, field):
    plan = tmp_path / "bad.toml"
    plan.write_text(text)
    assert main(["procure", str(plan)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0]


def test_missing_plan_file_is_one_line(capsys):
    assert main(["procure", "/nonexistent/plan.toml"]) == 2
    assert "not found" in capsys.readouterr().err


def test_readme_shows_the_examples_answer_under_each_basis():
    # The README's table is the example's `bases` table (F&A 0, and 0.55 in the grant view), recomputed here;
    # when prices move, `python scripts/readme_basis_table.py` rewrites it.
    import re
    import tomllib

    from planner import api

    readme = (EXAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (institution|grant) \| (NPV 7%|cash) \| (credited|none) \| (—|0|0\.55) \| ([\d,]+) \| "
                      r"([\d,]+) \| ([\d.]+) \| (owning is cheaper|cloud is cheaper) \|$", readme, re.M)
    assert len(rows) == 6
    config = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    config["monte_carlo"] = 0
    for view, money, _, fa, owned, cloud, ratio, answer in rows:
        rate = 0.55 if fa == "0.55" else 0.0
        plan = api.procurement_plan_from_config({**config, "basis": {**config["basis"], "fa_rate": rate}})
        row = plan.bases.set_index(["view", "money"]).loc[(view, "npv" if money.startswith("NPV") else "cash")]
        assert float(owned.replace(",", "")) == pytest.approx(row["owned_usd"], rel=5e-3)
        assert float(cloud.replace(",", "")) == pytest.approx(row["cloud_usd"], rel=5e-3)
        assert float(ratio) == pytest.approx(row["cloud_vs_owned"], abs=0.011)
        assert answer == row["verdict"]


def test_table_view_fits_120_characters_and_all_columns_on_request(capsys):
    # the default view: every line within 120 characters, the key columns under human headers
    assert main(["procure", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "Break-even" in out and "npv_usd" not in out and "NPV (USD)" not in out
    # a month whose demand exceeds capacity waits without bound: shown as ∞, never 'inf'
    assert "∞" in out and not re.search(r"\binf\b", out)
    # --columns all prints every column of the same tables (the summary's NPV and EAC included)
    assert main(["procure", str(EXAMPLE), "--columns", "all"]) == 0
    every = capsys.readouterr().out
    assert "NPV (USD)" in every and "EAC (USD/yr)" in every and max(len(x) for x in every.splitlines()) > 120
