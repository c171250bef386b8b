"""Strubell et al. 2019 reproduced from its inputs."""

from __future__ import annotations

import pandas as pd

from planner import reproduce
from planner.shipped import load


def strubell2019() -> dict[str, pd.DataFrame]:
    """Strubell et al. 2019 reproduced from its inputs: ``table3``, ``table4``, ``ownership``."""
    data = load()
    prices = data["gcp_2019_prices"]
    us = data["electricity_prices"]
    us_2018 = float(us[(us["zone"] == "US") & (us["year"] == 2018) & (us["sector"] == "commercial")]["usd_per_kwh"].iloc[0])
    t4 = reproduce.table4(data["strubell2019_table4"], prices, data["ownership_defaults"], us_2018)
    server = data.catalog.server("strubell-8x-gtx1080ti")
    lisa = t4.iloc[-1]
    on_demand = float(prices.loc[prices["accelerator"] == "P100", "on_demand_usd_per_hour"].iloc[0])
    ownership = reproduce.ownership_section4(float(lisa["gpu_hours"]), 172.0, float(server.price_usd), server.gpu_count,
                                             on_demand, float(lisa["electricity_usd"]))
    return {
        "table3": reproduce.table3(data["strubell2019_inputs"], data["strubell_constants"], prices,
                                   data["strubell2019_table3"]),
        "table4": t4,
        "ownership": ownership,
        "electricity_rate": pd.DataFrame([{
            "usd_per_gpu_hour": reproduce.electricity_rate_usd_per_gpu_hour(data["ownership_defaults"])[0],
            "source": reproduce.electricity_rate_usd_per_gpu_hour(data["ownership_defaults"])[1],
            "us_commercial_2018_usd_per_kwh": us_2018,
        }]),
    }
