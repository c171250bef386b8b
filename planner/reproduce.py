"""Strubell, Ganesh & McCallum (2019) reproduced from their inputs: Table 3, Table 4 and the section-4 argument.

Only inputs go in (power, hours, accelerator counts, PUE 1.58, 0.954 lb/kWh, 2019 Google Cloud prices,
and the one electricity rate per GPU-hour the paper implies); the paper's printed outputs are read only
to put a "paper" column and the difference beside each computed figure.
"""

from __future__ import annotations

import re

import pandas as pd

from planner.compare import job_row
from planner.cost import cloud_cost_usd
from planner.estimate import KG_PER_LB as LB_KG


def _number(text: str) -> float | None:
    """'1,507' -> 1507; '103k' -> 103000; '—' -> None."""
    text = str(text).strip().replace(",", "")
    if text in ("", "—", "-"):
        return None
    scale = 1000.0 if text.endswith("k") else 1.0
    return float(text.rstrip("k")) * scale


def agrees(computed: float | None, paper_text: str) -> bool | None:
    """Whether a computed figure equals the paper's at the paper's rounding ('103k' to the thousand, else units)."""
    paper = _number(paper_text)
    if computed is None or paper is None or pd.isna(computed):
        return None
    step = 1000.0 if str(paper_text).strip().endswith("k") else 1.0
    return round(computed / step) * step == paper


def _range_texts(text: str) -> tuple[str, str]:
    parts = re.split(r"\s*[–-]\s*", str(text).strip())
    return (parts[0], parts[1]) if len(parts) == 2 else ("", "")


def _range(text: str) -> tuple[float | None, float | None]:
    """'41–140' -> (41, 140)."""
    parts = re.split(r"\s*[–-]\s*", str(text).strip())
    if len(parts) != 2:
        return None, None
    return _number(parts[0]), _number(parts[1])


def _constant(constants: pd.DataFrame, name: str) -> float:
    return float(constants.loc[constants["name"] == name, "value"].iloc[0])


def _prices(gcp_2019: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Accelerator -> (preemptible, on-demand) USD per accelerator-hour, keyed as in the inputs ('P100', 'TPU v2')."""
    prices = {}
    for row in gcp_2019.itertuples():
        key = str(row.accelerator).replace(" (per device)", "")
        prices[key] = (float(row.preemptible_usd_per_hour), float(row.on_demand_usd_per_hour))
    return prices


def table3(inputs: pd.DataFrame, constants: pd.DataFrame, gcp_2019: pd.DataFrame,
           published: pd.DataFrame) -> pd.DataFrame:
    """Table 3 recomputed: kWh·PUE, CO2e [lb] and cloud cost low–high [USD], beside the paper's figures.

    ``kWh = 1.58 · t · P / 1000``; ``CO2e_lb = 0.954 · kWh``; ``cost = n · t · price`` (preemptible–on-demand).
    """
    pue = _constant(constants, "pue")
    lb_per_kwh = _constant(constants, "co2e_per_kwh")
    prices = _prices(gcp_2019)
    rows = []
    for inp, pub in zip(inputs.itertuples(), published.itertuples(), strict=True):
        low_price, high_price = prices[inp.accelerator]
        hours = float(inp.hours_used)
        has_power = inp.power_w is not None and not pd.isna(inp.power_w)
        accelerator_hours = float(inp.count) * hours
        # The paper's conventions as explicit inputs of the one engine: its PUE, its summed power, its
        # per-device prices; the grid is the lb/kWh factor in g/kWh (0.954 lb = 432.7 g), so CO2e in lb is exact.
        grid_g = lb_per_kwh * LB_KG * 1000.0
        low = job_row(accelerator_hours, float(inp.count), pue, grid_g, usd_per_gpu_hour=low_price,
                      job_power_w=float(inp.power_w) if has_power else None)
        high = job_row(accelerator_hours, float(inp.count), pue, grid_g, usd_per_gpu_hour=high_price,
                       job_power_w=float(inp.power_w) if has_power else None)
        kwh = low["energy_kwh"] if has_power else None
        paper_low, paper_high = _range(pub.cloud_cost_usd)
        row = {
            "model": inp.model,
            "hardware": inp.hardware,
            "power_w": float(inp.power_w) if has_power else None,
            "hours_printed": float(inp.hours_printed),
            "hours_used": hours,
            "accelerator_hours": accelerator_hours,
            "energy_kwh": kwh,
            "paper_energy_kwh": _number(pub.kwh_pue),
            "co2e_lb": low["co2e_kg"] / LB_KG if kwh is not None else None,
            "paper_co2e_lb": _number(pub.co2e_lb),
            "cost_usd_low": low["cost_usd"],
            "paper_cost_usd_low": paper_low,
            "cost_usd_high": high["cost_usd"],
            "paper_cost_usd_high": paper_high,
            "note": "" if pd.isna(inp.note) or inp.note is None else str(inp.note),
        }
        low_text, high_text = _range_texts(pub.cloud_cost_usd)
        checks = [agrees(row["energy_kwh"], pub.kwh_pue), agrees(row["co2e_lb"], pub.co2e_lb),
                  agrees(row["cost_usd_low"], low_text), agrees(row["cost_usd_high"], high_text)]
        row["matches_paper"] = all(c for c in checks if c is not None)
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in ("energy_kwh", "co2e_lb", "cost_usd_low", "cost_usd_high"):
        table[f"diff_{column}"] = table[column] - table[f"paper_{column}"]
    return table


def electricity_rate_usd_per_gpu_hour(ownership: pd.DataFrame) -> tuple[float, str]:
    """The one electricity cost per GPU-hour behind Table 4's last column, derived from the paper's case study.

    The paper states neither the electricity price nor the power behind that column; its three figures
    are one rate per GPU-hour: ``$9,870 / 239,942 GPU·h``.
    """
    usd = float(ownership.loc[ownership["key"] == "strubell_lisa_rd_electricity_usd", "value"].iloc[0])
    gpu_hours = float(ownership.loc[ownership["key"] == "strubell_lisa_rd_gpu_hours", "value"].iloc[0])
    return usd / gpu_hours, f"derived from the paper: ${usd:,.0f} / {gpu_hours:,.0f} GPU-hours (Table 4)"


def table4(published: pd.DataFrame, gcp_2019: pd.DataFrame, ownership: pd.DataFrame,
           us_commercial_usd_per_kwh: float) -> pd.DataFrame:
    """Table 4 recomputed from its GPU-hours: P100 cloud cost low–high and electricity, beside the paper's.

    Also the energy per GPU-hour the electricity rate would imply at the 2018 US commercial price.
    """
    low_price, high_price = _prices(gcp_2019)["P100"]
    rate, _ = electricity_rate_usd_per_gpu_hour(ownership)
    rows = []
    for pub in published.itertuples():
        gpu_hours = _number(pub.gpu_hours)
        paper_low, paper_high = _range(pub.cloud_compute_usd)
        rows.append({
            "models": int(_number(pub.models)),
            "gpu_hours": gpu_hours,
            "cost_usd_low": cloud_cost_usd(gpu_hours, low_price),
            "paper_cost_usd_low": paper_low,
            "cost_usd_high": cloud_cost_usd(gpu_hours, high_price),
            "paper_cost_usd_high": paper_high,
            "electricity_usd": gpu_hours * rate,
            "paper_electricity_usd": _number(pub.electricity_usd),
            "implied_kwh_per_gpu_hour": rate / us_commercial_usd_per_kwh,
        })
        low_text, high_text = _range_texts(pub.cloud_compute_usd)
        rows[-1]["matches_paper"] = all(
            c for c in (agrees(rows[-1]["cost_usd_low"], low_text), agrees(rows[-1]["cost_usd_high"], high_text),
                        agrees(rows[-1]["electricity_usd"], pub.electricity_usd)) if c is not None)
    return pd.DataFrame(rows)


def ownership_section4(gpu_hours: float, days: float, server_price_usd: float, gpus_per_server: int,
                       on_demand_usd_per_gpu_hour: float, electricity_usd: float) -> pd.DataFrame:
    """Section 4's argument: buy enough 8-GPU servers for the case study vs rent on-demand cloud GPUs.

    GPUs running for the whole period = GPU·h / (24 · days), rounded to whole GPUs as the paper does
    (58); servers = GPUs / GPUs per server (7.25, fractional as in the paper); capex = servers · price.
    """
    gpus_exact = gpu_hours / (24.0 * days)
    gpus = round(gpus_exact)
    servers = gpus / gpus_per_server
    capex = servers * server_price_usd
    cloud = gpu_hours * on_demand_usd_per_gpu_hour
    return pd.DataFrame([{
        "gpu_hours": gpu_hours,
        "days": days,
        "gpus_exact": gpus_exact,
        "gpus": gpus,
        "servers": servers,
        "server_price_usd": server_price_usd,
        "capex_usd": capex,
        "electricity_usd": electricity_usd,
        "owned_total_usd": capex + electricity_usd,
        "cloud_on_demand_usd": cloud,
        "owned_share_of_cloud": (capex + electricity_usd) / cloud,
    }])
