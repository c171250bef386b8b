"""The app's table formatting (``planner.ui.tables.display``): what each kind of column is drawn as."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from app_cards import all_cards
from streamlit.testing.v1 import AppTest

from planner.ui import tables
from planner.ui.panels import card_number


def _format(config: dict, column: str) -> str | None:
    return config[column]["type_config"].get("format")


def test_each_kind_of_column_is_drawn_readably():
    table = pd.DataFrame({
        "option": ["aws us-east-1 p5.48xlarge", None],
        "cost_usd": [1614.2, math.nan],            # $ with separators, blank when it does not apply
        "gpu_count": [8.0, 16.0],                  # an integer column held as floats
        "p_wait": [0.0974, 0.097],                 # a fraction drawn as a percentage, one decimal for both
        "stale": [False, True],
        "job_fits": pd.Series([True, None], dtype=object),  # yes/no held as objects
        "cost_vs_owned": [1.0, 3.2119],            # planner.columns: a ratio, two decimals
        "row_count": [967, 191],                   # not listed: whole numbers
        "spare_ratio": [0.5, 12.25],               # not listed: decimals fitting the size
        "value": pd.Series([12041.51, "0.8 / 1.0 / 1.25"], dtype=object),  # numbers and text mixed
    })
    cells, config = tables.display(table)
    assert config["option"]["label"] == "Option" and config["option"]["width"] == 300
    assert cells["option"].tolist() == ["aws us-east-1 p5.48xlarge", ""]
    assert config["cost_usd"]["label"] == "Cost (USD)" and _format(config, "cost_usd") == "$%,.0f"
    assert config["gpu_count"]["label"] == "GPUs" and _format(config, "gpu_count") == "%,d"
    # 9.74 % and 9.70 %: the fraction ×100 with the column's decimals (not '9.74%' beside '9.7%')
    assert cells["p_wait"].tolist() == pytest.approx([9.74, 9.7]) and _format(config, "p_wait") == "%.1f%%"
    assert config["stale"]["type_config"]["type"] == "checkbox"
    assert config["job_fits"]["type_config"]["type"] == "checkbox"
    assert _format(config, "cost_vs_owned") == "%,.2f"
    assert config["row_count"]["label"] == "Row count" and _format(config, "row_count") == "%,d"
    assert _format(config, "spare_ratio") == "%,.2f"
    assert cells["value"].tolist() == ["12,041.5", "0.8 / 1.0 / 1.25"]
    assert config["value"]["type_config"]["type"] == "text"
    # the library's table is not changed
    assert table["p_wait"].tolist() == [0.0974, 0.097] and pd.isna(table["option"].iloc[1])


def test_cards_fit_their_number_and_name_the_unit_in_the_label():
    assert card_number(1049.4) == "1,049" and card_number(83.14) == "83.1" and card_number(4.567) == "4.57"
    assert card_number(1_720_320) == "1.72 M"
    at = AppTest.from_file(str(tables.__file__).replace("planner/ui/tables.py", "streamlit_app.py"),
                           default_timeout=60)
    at.query_params["preset"] = "llama2-70b"
    at.run()
    assert not at.exception
    cards = all_cards(at)
    assert {"GPU-hours", "Wall-clock (h)", "GPUs", "Energy (kWh)", "CO2e (kg)", "Water (L)"} <= set(cards)
    # Llama 2 70B: 1,720,320 A100 GPU-hours (Touvron et al. 2023, Table 2), shown in millions, whole in the help
    assert cards["GPU-hours"].value == "1.72 M" and "(1,720,320 GPU-hours)" in cards["GPU-hours"].help


def test_the_datas_snake_case_words_are_shown_in_words():
    table = pd.DataFrame({"pricing": ["on_demand", "spot", None],
                          "option": ["aws us-east-1 p5.48xlarge on_demand", "x_on_demand_y", "gcp spot"]})
    cells, _ = tables.display(table)
    assert cells["pricing"].tolist() == ["on-demand", "spot", ""]
    # whole words only: an id that contains the word keeps it
    assert cells["option"].tolist() == ["aws us-east-1 p5.48xlarge on-demand", "x_on_demand_y", "gcp spot"]
    assert tables.readable("the cheapest on_demand offer") == "the cheapest on-demand offer"
