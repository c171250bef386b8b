"""`trainplan compare`: best options printed, the full table written, bad input in one line with exit 2."""

from __future__ import annotations

import pandas as pd

from planner.cli import main


def test_compare_preset_prints_top_and_writes_full_table(tmp_path, capsys):
    out = tmp_path / "table.csv"
    assert main(["compare", "transformer-base", "--top", "3", "--sort", "co2e", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "options compared; best 3 by co2e" in printed
    table = pd.read_csv(out)
    assert len(table) > 100 and {"cost_usd", "co2e_kg", "co2e_embodied_kg", "pareto", "assumption_ids"} <= set(
        table.columns)
    # --out holds every row in the --sort order (co2e: operational + embodied, ties by cost)
    assert table["co2e_total_kg"].is_monotonic_increasing
    # the printed lines fit 120 characters, with human headers and the counts of the same table
    assert max(len(line) for line in printed.splitlines()) <= 120  # notes wrap too
    assert "Cost (USD)" in printed and "GPUs" in printed and f"{len(table):,} options compared" in printed


def test_compare_columns_flag_prints_the_columns_asked_for(capsys):
    assert main(["compare", "transformer-base", "--top", "2", "--columns", "provider,cost_usd_low,cost_usd_high"]) == 0
    header = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Provider")][0]
    assert header.split("  ")[0] == "Provider" and "Cost, low (USD)" in header and "Cost, high (USD)" in header
    assert main(["compare", "transformer-base", "--columns", "price"]) == 2


def test_compare_workload_file_with_filters_as_csv(tmp_path, capsys):
    spec = tmp_path / "job.toml"
    spec.write_text('gpu = "a100-sxm4-80gb"\ngpus = 8\nhours = 24\n')
    assert main(["compare", str(spec), "--provider", "gcp,aws", "--pricing", "spot", "--server", "none", "--top", "2",
                 "--format", "csv"]) == 0
    from io import StringIO

    best = pd.read_csv(StringIO(capsys.readouterr().out))
    assert len(best) == 2 and set(best["pricing"]) == {"spot"} and set(best["provider"]) <= {"gcp", "aws"}
    assert best["cost_usd"].is_monotonic_increasing


def test_compare_writes_parquet(tmp_path):
    out = tmp_path / "t.parquet"
    assert main(["compare", "--gpu", "h100-sxm5-80gb", "--gpus", "8", "--hours", "10", "--provider", "aws",
                 "--out", str(out)]) == 0
    assert set(pd.read_parquet(out)["provider"]) == {"aws"}


def test_bad_flags_one_line_exit_2(tmp_path, capsys):
    assert main(["compare", "bert-base", "--provider", "ibm"]) == 2
    assert main(["compare", "bert-base", "--out", "t.xlsx"]) == 2
    assert main(["compare", "bert-base", "--ratio", "gtx-1080-ti"]) == 2
    assert main(["compare", str(tmp_path / "missing.toml")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "trainplan: error: provider 'ibm': unknown; allowed: aws, azure, gcp, owned",
        "trainplan: error: out 't.xlsx': unknown file type; allowed: .csv, .parquet",
        "trainplan: error: ratio 'gtx-1080-ti': expected GPU=RATIO, e.g. gtx-1080-ti=1.0",
        f"trainplan: error: workload file '{tmp_path / 'missing.toml'}': not found",
    ]
