"""The appendix's inputs table: a kind's per-option inputs on one line, every value and source number kept."""

from __future__ import annotations

import pandas as pd

from planner.reports.inputs import GROUP_MIN_ROWS, grouped_inputs, value_text


def _assumptions(rows):
    return pd.DataFrame(rows, columns=["name", "value", "unit", "ref", "as_of"])


def test_three_tdp_rows_become_one_line_and_other_rows_stay():
    frame = _assumptions([
        ("tdp_a100-sxm4-80gb", 400.0, "W", "1", ""),
        ("pue_aws", 1.15, "ratio", "2", "2024"),
        ("tdp_h100-sxm5-80gb", 700.0, "W", "1", ""),
        ("tdp_b200", 1000.0, "W", "3", "2025"),
    ])
    lines = grouped_inputs(frame)
    # the group takes the place of its first row; pue_aws keeps its own line
    assert lines["input"].tolist() == ["GPU TDP", "pue_aws"]
    tdp = lines.iloc[0]
    assert tdp["value"] == "a100-sxm4-80gb 400 [1]; h100-sxm5-80gb 700 [1]; b200 1,000 [3]"
    assert (tdp["unit"], tdp["ref"], tdp["as_of"], tdp["grouped"]) == ("W", "1, 3", "2025", True)
    assert lines.iloc[1][["value", "unit", "ref", "as_of", "grouped"]].tolist() == ["1.15", "ratio", "2", "2024", False]


def test_fewer_rows_of_a_kind_than_the_minimum_stay_apart_and_ranges_follow_their_values():
    rows = [(f"wue_aws_r{i}", 0.06 * (i + 1), f"L/kWh of IT energy (range 0.0{i}-0.2)", "5", f"202{i}")
            for i in range(GROUP_MIN_ROWS)]
    grouped = grouped_inputs(_assumptions(rows)).iloc[0]
    # each region's range stays with its value; the dates run from the oldest to the newest
    assert grouped["value"].startswith("aws_r0 0.06 (0.00-0.2) [5]; aws_r1 0.12 (0.01-0.2) [5]")
    assert grouped["unit"] == "L/kWh of IT energy" and grouped["as_of"] == "2020 to 2022"
    apart = grouped_inputs(_assumptions(rows[:GROUP_MIN_ROWS - 1]))
    assert apart["grouped"].tolist() == [False] * (GROUP_MIN_ROWS - 1)
    assert apart.iloc[0]["unit"] == "L/kWh of IT energy (range 0.00-0.2)"


def test_values_print_whole_numbers_in_full():
    # 7e9 parameters read as 7,000,000,000, not '7e+09'; a ratio keeps 6 significant figures
    assert value_text(7e9) == "7,000,000,000" and value_text(0.780632123) == "0.780632"
    assert value_text("bf16 / adam / zero3") == "bf16 / adam / zero3" and value_text(None) == ""
