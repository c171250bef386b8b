"""A small, hand-made report input: three options, one estimate row, a few assumptions, three snapshots.

The estimate row's CO2e is 1,984 lb = 1,984 x 0.45359237 kg = 899.927262 kg: exactly one Strubell
Table 1 'Air travel, 1 passenger, NY<->SF', which makes the equivalences easy to check by hand.
"""

from __future__ import annotations

import functools

import pandas as pd

from planner.defaults import Assumption
from planner.reports import build_report
from planner.workload import Workload

GENERATED_AT = "2026-11-25T09:30:00Z"
AIR_TRAVEL_KG = 1984 * 0.45359237  # 899.92726208 kg

WORKLOAD = Workload(name="test run", gpu="a100-sxm4-80gb", gpu_count=8, hours=100.0, repeats=1.0,
                    precision="bf16", source="user input")


def estimate_table() -> pd.DataFrame:
    table = pd.DataFrame([{
        "workload": "test run", "gpu": "a100-sxm4-80gb", "gpu_count": 8.0, "repeats": 1.0, "gpu_hours": 800.0,
        "wall_hours": 100.0, "power_w": 3000.0, "power_measured": False, "pue": 1.5, "energy_kwh": 450.0,
        "grid_gco2e_per_kwh": 2000.0, "co2e_kg": AIR_TRAVEL_KG,
        "cost_usd_low": 1200.0, "cost_usd_central": 3277.5, "cost_usd_high": 3500.0,
    }])
    table.attrs["notes"] = ("a note carried from the estimate",)
    return table


def options_table() -> pd.DataFrame:
    return pd.DataFrame([
        {"option_kind": "cloud", "provider": "aws", "region": "us-east-1", "instance_type": "p4d.24xlarge",
         "pricing": "on_demand", "gpu": "a100-sxm4-80gb", "gpu_count": 8, "gpu_hours": 800.0, "wall_hours": 100.0,
         "energy_kwh": 400.0, "co2e_kg": 160.0, "cost_usd": 3277.5, "cost_usd_low": 3000.0, "cost_usd_high": 3500.0,
         "pareto": False},
        {"option_kind": "cloud", "provider": "gcp", "region": "us-central1", "instance_type": "a2-ultragpu-8g",
         "pricing": "spot", "gpu": "a100-sxm4-80gb", "gpu_count": 8, "gpu_hours": 800.0, "wall_hours": 100.0,
         "energy_kwh": 380.0, "co2e_kg": 38.0, "cost_usd": 1200.0, "cost_usd_low": 1200.0, "cost_usd_high": 1200.0,
         "pareto": True},
        {"option_kind": "owned", "server": "dgx-a100", "accounting_mode": "shared", "location": "USA",
         "gpu": "a100-sxm4-80gb", "gpu_count": 8, "gpu_hours": 800.0, "wall_hours": 100.0, "energy_kwh": 500.0,
         "co2e_kg": 200.0, "co2e_embodied_kg": 50.0, "cost_usd": 2500.0, "cost_usd_low": 2100.0,
         "cost_usd_high": 3100.0, "pareto": True},
    ])


ASSUMPTIONS = (
    Assumption("pue_aws", 1.15, "ratio", "AWS sustainability page", "2024"),
    Assumption("grid_intensity_USA", 369.473, "gCO2e/kWh", "OWID / Ember via codecarbon 3.3.2", "2023",
               "United States | generation-based"),
    Assumption("price_low", 3.75, "USD/GPU-hour", "aws us-east-1 p4d.24xlarge", "", "on_demand"),
)


def snapshots() -> pd.DataFrame:
    return pd.DataFrame([
        {"snapshot_id": 3, "provider": "gcp", "fetched_at": "2026-11-20", "source": "gcp catalog extract",
         "row_count": 727, "origin": "shipped", "path": "/somewhere/local/trainplan.sqlite"},
        {"snapshot_id": 1, "provider": "aws", "fetched_at": "2026-11-24", "source": "aws catalog extract",
         "row_count": 982, "origin": "shipped", "path": "/somewhere/local/trainplan.sqlite"},
    ])


def sample_report(chosen_index: int | None = 1, **changes: object):
    """The sample report; chosen_index=None makes the estimate row the chosen option."""
    args = {"workload": WORKLOAD, "estimate_table": estimate_table(), "options_table": options_table(),
            "assumptions": ASSUMPTIONS, "price_snapshots": snapshots(), "generated_at": GENERATED_AT,
            "chosen_index": chosen_index}
    args.update(changes)
    return build_report(**args)


@functools.cache
def sample_rendering(fmt: str) -> bytes:
    """The estimate-chosen sample report rendered once per test session (PDF takes seconds)."""
    from planner.reports import render

    return render(sample_report(chosen_index=None), fmt)
