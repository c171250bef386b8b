"""``trainplan reproduce strubell2019``: the paper's tables recomputed from their inputs."""

from __future__ import annotations

import argparse

import pandas as pd

from planner import api
from planner.cli.common import add_format, emit


def _reproduce(args: argparse.Namespace) -> int:
    tables = api.strubell2019()
    t3 = tables["table3"]
    columns3 = ["model", "hardware", "power_w", "hours_printed", "hours_used", "energy_kwh", "paper_energy_kwh",
                "co2e_lb", "paper_co2e_lb", "cost_usd_low", "paper_cost_usd_low", "cost_usd_high",
                "paper_cost_usd_high", "matches_paper"]
    if args.format != "table":
        out = pd.concat([t.assign(table=name) for name, t in tables.items()], ignore_index=True)
        emit(out, args.format)
        return 0
    print("Strubell, Ganesh & McCallum (2019), reproduced from its inputs: PUE 1.58, 0.954 lb CO2e/kWh, "
          "2019 Google Cloud prices (preemptible-on-demand). 'paper_*' columns are the published figures.")
    emit(t3[columns3], "table", "Table 3: cost of training")
    for row in t3[t3["note"] != ""].itertuples():
        print(f"  note, {row.model} ({row.hardware}): {row.note}")
    emit(tables["table4"], "table", "Table 4: developing one model (LISA), P100 prices")
    rate = tables["electricity_rate"].iloc[0]
    print(f"  electricity: one rate of ${rate.usd_per_gpu_hour:.4f} per GPU-hour, {rate.source}; the paper states "
          f"neither price nor power. At the 2018 US commercial average (${rate.us_commercial_2018_usd_per_kwh:.4f}/kWh) "
          "it implies the kWh per GPU-hour shown (PUE included).")
    own = tables["ownership"].iloc[0]
    emit(tables["ownership"], "table", "Section 4: own 8x GTX 1080 Ti servers vs rent on-demand cloud GPUs")
    print(f"  {own.gpu_hours:,.0f} GPU-h over {own.days:.0f} days = {own.gpus_exact:.2f} GPUs (paper: about 58); "
          f"{own.gpus:.0f} / 8 = {own.servers:.2f} servers x ${own.server_price_usd:,.0f} = ${own.capex_usd:,.0f} "
          f"(paper: $145,000) + ${own.electricity_usd:,.0f} electricity vs ${own.cloud_on_demand_usd:,.0f} on-demand "
          f"(paper: $350k): {own.owned_share_of_cloud:.0%} of the cloud cost (paper: 'about half').")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    rep = subparsers.add_parser("reproduce", help="reproduce a paper's tables from their inputs")
    rep.add_argument("paper", choices=("strubell2019",))
    add_format(rep)
    rep.set_defaults(func=_reproduce)
